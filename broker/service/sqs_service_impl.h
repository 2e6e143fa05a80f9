// SqsServiceImpl and QueueImpl: the SQS service layer behind wharf::sqs.
//
// SqsServiceImpl owns the queue registry (name -> QueueImpl), the names
// deleted in the last 60 s, and the message move tasks. QueueImpl is one
// queue: its settings, tags and timestamps, and the engine (a
// queue_internal::QueueCore, standard or FIFO) that holds every message.
// QueueImpl is also the sqs::Queue handle that OpenQueue returns and the
// engine's DeadLetterSink. The layer is thin: it validates requests with the
// AWS codes and messages, turns attributes into a QueueConfig, builds the
// shared Payload once per send, and turns Deliveries into sqs::Messages.
//
// Durable mode (BrokerOptions::data_dir; broker/storage/store.h): each queue
// has a QueueJournal its engine reports to, and every operation that
// acknowledges a change waits for the store to commit it first: message
// sends, deletes and visibility changes (one commit per call, so a batch is
// one wait), purges, and the administrative operations, which write the
// queue's document (attributes, tags, timestamps) before changing anything
// in memory. A failed commit fails the call (ServiceUnavailable when the disk
// is full, InternalFailure otherwise); the in-memory state may then be ahead
// of the disk, which only ever means a message that was not acknowledged
// is there or a deletion that was not acknowledged is undone after a
// restart. Receives are written behind. Recover() rebuilds everything at Open.
//
// Locking: a queue's hot path (send, receive, delete, change visibility)
// takes no service lock at all when called through a Queue handle, and only a
// reader lock on the registry when called by URL. Administrative operations
// (create, delete, set attributes, add and remove permissions: each rewrites
// the queue's settings from a copy) are serialized by admin_mu_. Lock order:
// move_mu_ -> admin_mu_ -> registry mu_ -> QueueImpl::mu_ -> engine locks.
// Code that holds one of them across an engine call that can complete a
// receive (move tasks, DeleteQueue) opens a CompletionScope first.
// Engines call DeadLetterSink::Accept with none of their locks held.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_SQS_SERVICE_IMPL_H_
#define WHARF_BROKER_SERVICE_SQS_SERVICE_IMPL_H_

#include <array>
#include <atomic>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/lambda/record_source.h"
#include "broker/metrics/collector.h"
#include "broker/metrics/stats.h"
#include "broker/queue/queue_core.h"
#include "broker/service/queue_attributes.h"
#include "broker/storage/queue_journal.h"
#include "broker/storage/store.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/sqs.h"

namespace wharf::service_internal {

class SqsServiceImpl;

// A queue's AWS/SQS counters (the gauges are read from the engine when
// collected). Updated on the hot paths with relaxed, per-thread-striped adds.
struct QueueStats {
  enum Counter { kReceived, kDeleted, kEmptyReceives, kDeduplicated, kNumCounters };
  const uint64_t id = metrics_internal::NewObjectId();
  metrics_internal::CounterSet<kNumCounters> counters;
  // NumberOfMessagesSent (its count) and SentMessageSize.
  metrics_internal::SizeStat sent;
  // For SQS's idle-queue rule, kept by CollectMetrics (sqs_metrics.cc): the
  // sum of the counts when it last changed, and the last time the queue was
  // seen active (nanoseconds since the epoch; INT64_MIN: its creation).
  // Atomic: the sampler and the Prometheus text both collect.
  std::atomic<uint64_t> activity{0};
  std::atomic<int64_t> active_ns{std::numeric_limits<int64_t>::min()};
};

class QueueImpl final : public sqs::Queue,
                        public queue_internal::DeadLetterSink,
                        public lambda_internal::RecordSource,
                        public std::enable_shared_from_this<QueueImpl> {
 public:
  // Creates the engine for `settings.fifo`. Always owned by a shared_ptr (a
  // parked ReceiveMessageAsync holds a reference until it completes).
  QueueImpl(SqsServiceImpl* service, std::string name, std::string url, std::string arn,
            QueueSettings settings, sqs::TagMap tags, absl::Time created);

  // Durable queues: the queue's id in the store and its journal, attached to
  // the engine (after Restore, when recovering). REQUIRES: before the queue is
  // published to other threads.
  void SetJournal(int64_t storage_id, std::unique_ptr<storage_internal::QueueJournal> journal);
  int64_t storage_id() const { return storage_id_; }
  // The stored form of this queue with these settings, tags and time.
  std::string Document(const QueueSettings& settings, const sqs::TagMap& tags,
                       absl::Time last_modified) const;
  // Recovery: the LastModifiedTimestamp the queue had.
  void RestoreLastModified(absl::Time t);
  ~QueueImpl() override;

  // sqs::Queue.
  const std::string& url() const override { return url_; }
  const std::string& arn() const override { return arn_; }
  absl::StatusOr<sqs::SendMessageResult> SendMessage(
      const sqs::SendMessageRequest& request) override;
  absl::StatusOr<sqs::SendMessageBatchResult> SendMessageBatch(
      const sqs::SendMessageBatchRequest& request) override;
  absl::StatusOr<sqs::ReceiveMessageResult> ReceiveMessage(
      const sqs::ReceiveMessageRequest& request) override;
  void ReceiveMessageAsync(sqs::ReceiveMessageRequest request,
                           sqs::ReceiveMessageCallback done) override;
  absl::Status DeleteMessage(const sqs::DeleteMessageRequest& request) override;
  absl::StatusOr<sqs::DeleteMessageBatchResult> DeleteMessageBatch(
      const sqs::DeleteMessageBatchRequest& request) override;
  absl::Status ChangeMessageVisibility(const sqs::ChangeMessageVisibilityRequest& request) override;
  absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult> ChangeMessageVisibilityBatch(
      const sqs::ChangeMessageVisibilityBatchRequest& request) override;

  // queue_internal::DeadLetterSink: sends an over-received message to the
  // target of this queue's current RedrivePolicy, keeping its history.
  bool Accept(const queue_internal::Delivery& message) override;

  // lambda_internal::RecordSource: an event source mapping's receives and
  // deletes, without the public request and result types.
  void ReceiveRecordsAsync(lambda_internal::RecordReceive receive,
                           lambda_internal::RecordsDone done) override;
  void DeleteRecords(std::vector<std::string>& receipt_handles) override;

  // For the service.
  const std::string& name() const { return name_; }
  bool fifo() const { return fifo_; }
  bool deleted() const { return deleted_.load(std::memory_order_acquire); }
  queue_internal::QueueCore& core() { return *core_; }
  QueueSettings settings() const;
  // Hot-path reads of single settings, without mu_ or a copy of settings_.
  int maximum_message_size() const { return maximum_message_size_.load(std::memory_order_relaxed); }
  int delay_seconds() const { return delay_seconds_.load(std::memory_order_relaxed); }
  bool content_based_deduplication() const {
    return content_based_deduplication_.load(std::memory_order_relaxed);
  }
  // Replaces the settings and pushes the new QueueConfig into the engine.
  void UpdateSettings(const QueueSettings& settings, absl::Time now);
  sqs::TagMap tags() const;
  // The tags after adding `tags` (InvalidParameterValue past 50).
  absl::StatusOr<sqs::TagMap> TagsWith(const sqs::TagMap& tags) const;
  void SetTags(sqs::TagMap tags);
  absl::Time created() const { return created_; }
  absl::Time last_modified() const;
  // PurgeQueueInProgress within 60 s of the previous purge.
  absl::Status Purge(absl::Time now);
  // Marks the queue deleted and ends its waiting receives (blocked and
  // parked), which report QueueDoesNotExist.
  void MarkDeleted();
  // Waits until no receive of this queue is in progress (ReceiveMessage, or
  // ReceiveMessageAsync until its reply is built); after MarkDeleted that is
  // soon (waiting receives end at once).
  void AwaitReceivers();

  // Places a message that leaves another queue (dead-letter move or message
  // move task), or that SNS or EventBridge deliver, into this one. `args`
  // carries the payload and history. Counted as sent unless it is a
  // dead-letter move (args.dead_letter_source_arn set), as on AWS.
  bool Place(queue_internal::SendArgs args);

  // Null when metrics are off.
  QueueStats* stats() { return stats_.get(); }

 private:
  struct SendFields;
  class ReceiveCall;
  struct ReceivePlan;
  struct AsyncReceive;
  struct AsyncRecordReceive;
  // Validates one message of SendMessage or SendMessageBatch and fills `args`
  // (empty on entry) with what the engine sends. Returns the message's size
  // (body and attributes, as the size limit counts it).
  absl::StatusOr<size_t> Stage(const SendFields& fields, bool in_batch,
                               queue_internal::SendArgs& args);
  // SendMessage into `result` (default-constructed on entry).
  absl::Status SendOne(const sqs::SendMessageRequest& request, sqs::SendMessageResult& result);
  // ReceiveMessage's validation, in the AWS order, and the engine's args
  // (into `plan`, default-constructed on entry).
  absl::Status PlanReceive(const sqs::ReceiveMessageRequest& request, ReceivePlan& plan) const;
  // The reply to a receive from what the engine handed out.
  absl::StatusOr<sqs::ReceiveMessageResult> ToResult(
      absl::StatusOr<std::vector<queue_internal::Delivery>> deliveries, uint32_t mask,
      const std::vector<std::string>& attribute_names) const;
  // The same deliveries as records of an SQS event (RecordSource).
  absl::StatusOr<std::vector<lambda::SqsRecord>> ToRecords(
      absl::StatusOr<std::vector<queue_internal::Delivery>> deliveries,
      const std::string& region) const;
  // What ToResult and ToRecords share: the error of a receive the queue's
  // deletion ended, and the receive counters.
  absl::Status CountReceived(
      const absl::StatusOr<std::vector<queue_internal::Delivery>>& got) const;
  absl::Status CheckAlive() const;
  // Durable queues: the store's position before a change, and the wait for
  // its commit after it (OK at once for in-memory queues).
  uint64_t Mark() const { return store_ != nullptr ? store_->Position() : 0; }
  absl::Status Commit(uint64_t since) const {
    return store_ != nullptr ? store_->Commit(since) : absl::OkStatus();
  }

  SqsServiceImpl* const service_;
  const std::string name_;
  const std::string url_;
  const std::string arn_;
  const bool fifo_;
  const absl::Time created_;

  mutable Mutex mu_;
  QueueSettings settings_ ABSL_GUARDED_BY(mu_);
  sqs::TagMap tags_ ABSL_GUARDED_BY(mu_);
  absl::Time last_modified_ ABSL_GUARDED_BY(mu_);
  absl::Time last_purge_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  // Copies of settings_ read by the hot path without taking mu_, on a line
  // of their own: every send and receive reads it, only administrative
  // operations write it.
  alignas(64) std::atomic<int> maximum_message_size_;
  std::atomic<int> delay_seconds_;
  std::atomic<int> visibility_timeout_;
  std::atomic<int> receive_wait_seconds_;
  std::atomic<bool> content_based_deduplication_;
  std::atomic<bool> deleted_{false};

  // Receives in progress (ReceiveCall), so that destroying the broker can
  // wait out the long polls it ends: one count per stripe
  // (metrics_internal::ThisThreadStripe of the thread that starts the call),
  // each on its own line, so that concurrent receivers do not write one line
  // per receive (nor the line above). A call adds and subtracts on the same
  // stripe, so every count is >= 0 and their sum is exact. The counts are
  // sequentially consistent with deleted_: a call that leaves after
  // MarkDeleted signals.
  struct alignas(64) ReceiveCount {
    std::atomic<int> n{0};
  };
  std::array<ReceiveCount, metrics_internal::kStripes> receives_in_progress_;
  Mutex receivers_mu_;
  CondVar receivers_done_;

  const std::unique_ptr<QueueStats> stats_;  // Null when metrics are off.

  // Durable queues only (null and 0 otherwise); set before publication.
  storage_internal::Store* store_ = nullptr;
  int64_t storage_id_ = 0;
  std::unique_ptr<storage_internal::QueueJournal> journal_;  // Outlives core_.

  // Declared last so that it is destroyed first: the engine calls back into
  // this object (Accept) until it is gone.
  std::unique_ptr<queue_internal::QueueCore> core_;
};

class SqsServiceImpl final : public sqs::Service, public metrics_internal::MetricSource {
 public:
  // `clock`, `scheduler` and `store` (null: in memory) must outlive the
  // service; the scheduler must be shut down before the service is destroyed
  // (it may hold paced move tasks).
  SqsServiceImpl(Clock& clock, Scheduler& scheduler, const BrokerOptions& options,
                 storage_internal::Store* store = nullptr);

  // Durable mode: rebuilds the queues, their messages and the move tasks from
  // the store. REQUIRES: called once, before any other call. Errors: DataLoss
  // (a damaged record, naming it) and the store's errors.
  absl::Status Recover();
  ~SqsServiceImpl() override;

  absl::StatusOr<sqs::CreateQueueResult> CreateQueue(
      const sqs::CreateQueueRequest& request) override;
  absl::Status DeleteQueue(const sqs::DeleteQueueRequest& request) override;
  absl::StatusOr<sqs::ListQueuesResult> ListQueues(const sqs::ListQueuesRequest& request) override;
  absl::StatusOr<sqs::GetQueueUrlResult> GetQueueUrl(
      const sqs::GetQueueUrlRequest& request) override;
  absl::StatusOr<sqs::GetQueueAttributesResult> GetQueueAttributes(
      const sqs::GetQueueAttributesRequest& request) override;
  absl::Status SetQueueAttributes(const sqs::SetQueueAttributesRequest& request) override;
  absl::Status PurgeQueue(const sqs::PurgeQueueRequest& request) override;
  absl::Status TagQueue(const sqs::TagQueueRequest& request) override;
  absl::Status UntagQueue(const sqs::UntagQueueRequest& request) override;
  absl::StatusOr<sqs::ListQueueTagsResult> ListQueueTags(
      const sqs::ListQueueTagsRequest& request) override;
  absl::StatusOr<sqs::ListDeadLetterSourceQueuesResult> ListDeadLetterSourceQueues(
      const sqs::ListDeadLetterSourceQueuesRequest& request) override;
  absl::Status AddPermission(const sqs::AddPermissionRequest& request) override;
  absl::Status RemovePermission(const sqs::RemovePermissionRequest& request) override;

  absl::StatusOr<sqs::SendMessageResult> SendMessage(
      const sqs::SendMessageRequest& request) override;
  absl::StatusOr<sqs::SendMessageBatchResult> SendMessageBatch(
      const sqs::SendMessageBatchRequest& request) override;
  absl::StatusOr<sqs::ReceiveMessageResult> ReceiveMessage(
      const sqs::ReceiveMessageRequest& request) override;
  void ReceiveMessageAsync(sqs::ReceiveMessageRequest request,
                           sqs::ReceiveMessageCallback done) override;
  absl::Status DeleteMessage(const sqs::DeleteMessageRequest& request) override;
  absl::StatusOr<sqs::DeleteMessageBatchResult> DeleteMessageBatch(
      const sqs::DeleteMessageBatchRequest& request) override;
  absl::Status ChangeMessageVisibility(const sqs::ChangeMessageVisibilityRequest& request) override;
  absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult> ChangeMessageVisibilityBatch(
      const sqs::ChangeMessageVisibilityBatchRequest& request) override;

  absl::StatusOr<sqs::StartMessageMoveTaskResult> StartMessageMoveTask(
      const sqs::StartMessageMoveTaskRequest& request) override;
  absl::StatusOr<sqs::ListMessageMoveTasksResult> ListMessageMoveTasks(
      const sqs::ListMessageMoveTasksRequest& request) override;
  absl::StatusOr<sqs::CancelMessageMoveTaskResult> CancelMessageMoveTask(
      const sqs::CancelMessageMoveTaskRequest& request) override;

  absl::StatusOr<std::shared_ptr<sqs::Queue>> OpenQueue(const std::string& queue_url) override;

  // metrics_internal::MetricSource: every queue's AWS/SQS metrics
  // (sqs_metrics.cc).
  void CollectMetrics(metrics_internal::Collector& out) override;

  // For QueueImpl.
  Clock& clock() { return clock_; }
  storage_internal::Store* store() const { return store_; }
  Scheduler& scheduler() { return scheduler_; }
  const BrokerOptions& options() const { return options_; }
  // The live queue with this ARN (in this broker's region and account), or null.
  std::shared_ptr<QueueImpl> FindByArn(std::string_view arn) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct MoveTask;

  absl::StatusOr<std::shared_ptr<QueueImpl>> Resolve(std::string_view queue_url) const
      ABSL_LOCKS_EXCLUDED(mu_);
  std::shared_ptr<QueueImpl> FindByName(std::string_view name) const ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<std::shared_ptr<QueueImpl>> AllQueues() const ABSL_LOCKS_EXCLUDED(mu_);
  // Checks a RedrivePolicy set on queue `source_arn` of type `fifo`: the
  // target exists, has the same type and its RedriveAllowPolicy admits us.
  absl::Status CheckRedriveTarget(std::string_view source_arn, bool fifo,
                                  const RedrivePolicy& policy, std::string_view policy_json) const;

  // Move tasks (move_tasks.cc). Moves up to `budget` more messages of a
  // RUNNING task and completes it when everything snapshotted has moved.
  // The receives its sends complete run when the caller's CompletionScope,
  // opened before move_mu_, ends.
  void PumpLocked(MoveTask& task, int64_t budget) ABSL_EXCLUSIVE_LOCKS_REQUIRED(move_mu_);
  // Runs one second of a rate-limited task and schedules the next.
  void PaceTask(std::shared_ptr<MoveTask> task) ABSL_LOCKS_EXCLUDED(move_mu_);
  // Durable mode: enqueues writing the task's document (callers commit when
  // they acknowledge). No-op in memory.
  void PersistTask(const MoveTask& task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(move_mu_);
  absl::Status RecoverMoveTasks() ABSL_LOCKS_EXCLUDED(move_mu_);

  // Durable mode: writes `queue`'s document with these settings and tags and
  // waits for the commit. OK at once in memory.
  absl::Status PersistQueue(const QueueImpl& queue, const QueueSettings& settings,
                            const sqs::TagMap& tags, absl::Time last_modified);
  // Durable mode: a fresh queue id and its journal (null in memory).
  absl::Status NewJournal(bool fifo, absl::Time now, int64_t* id,
                          std::unique_ptr<storage_internal::QueueJournal>* journal);

  Clock& clock_;
  Scheduler& scheduler_;
  const BrokerOptions options_;
  const std::string url_base_;
  storage_internal::Store* const store_;  // Null in memory.

  Mutex admin_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<QueueImpl>> queues_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::Time> deleted_at_ ABSL_GUARDED_BY(mu_);

  Mutex move_mu_ ABSL_ACQUIRED_BEFORE(admin_mu_);
  // Per source ARN, most recent first.
  absl::flat_hash_map<std::string, std::vector<std::shared_ptr<MoveTask>>> move_tasks_
      ABSL_GUARDED_BY(move_mu_);
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_SQS_SERVICE_IMPL_H_
