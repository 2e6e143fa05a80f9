// File: wharf/sqs.h
//
// wharf::sqs::Service: Amazon SQS, in process. Operation names, request and
// result fields mirror the AWS API (API version 2012-11-05) in snake_case, so
// code written from the AWS docs reads the same here. Every range, default and
// validation rule of spec/sqs.md is enforced and failures carry the AWS error
// code (see wharf/errors.h).
//
//   wharf::sqs::Service& sqs = broker->sqs();
//   auto url = sqs.CreateQueue({.queue_name = "jobs"})->queue_url;
//   sqs.SendMessage({.queue_url = url, .message_body = "hello"});
//   auto got = sqs.ReceiveMessage({.queue_url = url, .wait_time_seconds = 20});
//   for (auto& m : got->messages)
//     sqs.DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle});
//
// A queue_url may also be the bare queue name, as AWS accepts: "jobs" is this
// account's queue "jobs". Hot loops can skip the URL lookup: OpenQueue
// returns a Queue handle with the message operations, which stays valid (and
// fails with QueueDoesNotExist) after the queue is deleted.
//
// Queue attributes travel as the AWS string map; QueueAttributes is the same
// map typed (absl::Duration timeouts, a RedrivePolicy struct) and converts
// both ways:
//
//   wharf::sqs::QueueAttributes attributes;
//   attributes.visibility_timeout = absl::Minutes(1);
//   attributes.redrive_policy = {.dead_letter_target_arn = dlq_arn, .max_receive_count = 3};
//   sqs.CreateQueue({.queue_name = "jobs", .attributes = attributes.ToMap()});
//
// Queue permissions (AddPermission, RemovePermission) edit the statements of
// the queue's Policy attribute as AWS writes them; wharf does not enforce
// policies (every caller in the process acts as the queue's owner).
//
// Thread safety: Service and Queue are thread-safe; any number of threads may
// send, receive, delete and change visibility concurrently.
//
// Lifetime (see wharf/broker.h): the Service lives as long as its Broker. A
// Queue handle may outlive both its queue and the Broker: its calls then fail
// with QueueDoesNotExist. Destroying the Broker deletes every queue, so a
// long poll blocked in ReceiveMessage returns QueueDoesNotExist (the
// destruction waits until it has returned) and a pending ReceiveMessageAsync
// completes with QueueDoesNotExist.

#ifndef WHARF_SQS_H_
#define WHARF_SQS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wharf/errors.h"
#include "wharf/message.h"

namespace wharf::sqs {

// Attribute maps are ordered by name (byte order).
using AttributeMap = std::map<std::string, std::string>;
using TagMap = std::map<std::string, std::string>;

// A message attribute; the same type as sns::MessageAttributeValue (see
// wharf/message.h for the String(), Number() and Binary() helpers).
using MessageAttributeValue = ::wharf::MessageAttributeValue;
// Ordered by name (byte order), the order in which MD5OfMessageAttributes is
// computed.
using MessageAttributeMap = ::wharf::MessageAttributeMap;

// An entry that failed inside a batch call (BatchResultErrorEntry).
struct BatchResultErrorEntry {
  std::string id{};
  bool sender_fault = true;
  ErrorCode code = ErrorCode::kInvalidParameterValue;
  std::string message{};
};

// ---- Typed queue attributes --------------------------------------------------

// The RedrivePolicy attribute: after max_receive_count receives, a message
// moves to the dead-letter queue dead_letter_target_arn (same queue type).
struct RedrivePolicy {
  std::string dead_letter_target_arn{};
  int max_receive_count = 0;  // 1-1000.

  friend bool operator==(const RedrivePolicy&, const RedrivePolicy&) = default;
};

// The RedriveAllowPolicy attribute of a dead-letter queue: which source
// queues may name it in their RedrivePolicy.
struct RedriveAllowPolicy {
  enum class Permission { kAllowAll, kDenyAll, kByQueue };
  Permission permission = Permission::kAllowAll;
  std::vector<std::string> source_queue_arns{};  // Only with kByQueue; 1-10.

  // Whether a queue with ARN `source_arn` may use this queue as its DLQ.
  bool Allows(std::string_view source_arn) const;

  friend bool operator==(const RedriveAllowPolicy&, const RedriveAllowPolicy&) = default;
};

// A queue's attributes, typed. Unset fields are absent from the map; the
// ranges in the comments are checked by CreateQueue / SetQueueAttributes
// (InvalidAttributeValue), not by the conversions. Durations are whole
// seconds on the wire (fractions are dropped).
struct QueueAttributes {
  enum class DeduplicationScope { kQueue, kMessageGroup };
  enum class FifoThroughputLimit { kPerQueue, kPerMessageGroupId };

  // Settable.
  std::optional<absl::Duration> delay{};                      // DelaySeconds, 0-900 s.
  std::optional<int> maximum_message_size{};                  // Bytes, 1024-1048576.
  std::optional<absl::Duration> message_retention_period{};   // 60 s - 14 days.
  std::optional<absl::Duration> receive_message_wait_time{};  // 0-20 s.
  std::optional<absl::Duration> visibility_timeout{};         // 0-12 hours.
  std::optional<std::string> policy{};                        // A JSON policy document.
  std::optional<RedrivePolicy> redrive_policy{};
  std::optional<RedriveAllowPolicy> redrive_allow_policy{};
  std::optional<std::string> kms_master_key_id{};
  std::optional<absl::Duration> kms_data_key_reuse_period{};  // 60 s - 24 hours.
  std::optional<bool> sqs_managed_sse_enabled{};
  std::optional<bool> fifo_queue{};  // CreateQueue only; the name must end in ".fifo".
  std::optional<bool> content_based_deduplication{};           // FIFO only.
  std::optional<DeduplicationScope> deduplication_scope{};     // FIFO only.
  std::optional<FifoThroughputLimit> fifo_throughput_limit{};  // FIFO only.

  // Read-only (GetQueueAttributes); FromMap fills them, ToMap leaves them out.
  std::optional<std::string> queue_arn{};
  std::optional<int64_t> approximate_number_of_messages{};
  std::optional<int64_t> approximate_number_of_messages_not_visible{};
  std::optional<int64_t> approximate_number_of_messages_delayed{};
  std::optional<absl::Time> created_timestamp{};
  std::optional<absl::Time> last_modified_timestamp{};

  // The AWS attribute map of the settable fields that are set, e.g.
  // {"VisibilityTimeout", "60"}, {"RedrivePolicy", R"({"deadLetterTargetArn":...})"}.
  AttributeMap ToMap() const;

  // Reads an AWS attribute map, e.g. GetQueueAttributes' result. Names it
  // does not know are ignored. Errors: InvalidAttributeValue for a value of
  // the wrong form (not an integer, not true/false, an unknown enum value);
  // InvalidParameterValue for a RedrivePolicy or RedriveAllowPolicy that
  // CreateQueue would reject.
  static absl::StatusOr<QueueAttributes> FromMap(const AttributeMap& attributes);

  friend bool operator==(const QueueAttributes&, const QueueAttributes&) = default;
};

// ---- Queues -----------------------------------------------------------------

struct CreateQueueRequest {
  std::string queue_name{};
  AttributeMap attributes{};  // e.g. {"VisibilityTimeout", "60"}; QueueAttributes::ToMap()
  TagMap tags{};
};
struct CreateQueueResult {
  std::string queue_url{};
};

struct DeleteQueueRequest {
  std::string queue_url{};
};

struct ListQueuesRequest {
  std::string queue_name_prefix{};
  std::optional<int> max_results{};  // 1-1000; a next_token is returned only when set.
  std::string next_token{};
};
struct ListQueuesResult {
  std::vector<std::string> queue_urls{};
  std::string next_token{};  // Empty when there are no more.
};

struct GetQueueUrlRequest {
  std::string queue_name{};
  std::string queue_owner_aws_account_id{};
};
struct GetQueueUrlResult {
  std::string queue_url{};
};

struct GetQueueAttributesRequest {
  std::string queue_url{};
  std::vector<std::string> attribute_names{};  // "All" or names; empty returns none.
};
struct GetQueueAttributesResult {
  AttributeMap attributes{};
};

struct SetQueueAttributesRequest {
  std::string queue_url{};
  AttributeMap attributes{};
};

struct PurgeQueueRequest {
  std::string queue_url{};
};

struct TagQueueRequest {
  std::string queue_url{};
  TagMap tags{};
};
struct UntagQueueRequest {
  std::string queue_url{};
  std::vector<std::string> tag_keys{};
};
struct ListQueueTagsRequest {
  std::string queue_url{};
};
struct ListQueueTagsResult {
  TagMap tags{};
};

struct ListDeadLetterSourceQueuesRequest {
  std::string queue_url{};
  std::optional<int> max_results{};
  std::string next_token{};
};
struct ListDeadLetterSourceQueuesResult {
  std::vector<std::string> queue_urls{};
  std::string next_token{};
};

// Adds the statement {"Sid": label, "Effect": "Allow", "Principal": {"AWS":
// "arn:aws:iam::<account>:root" per account}, "Action": "SQS:<action>" per
// action, "Resource": <queue ARN>} to the queue's Policy attribute (created as
// {"Version":"2008-10-17","Id":"<queue ARN>/SQSDefaultPolicy",...} when unset).
struct AddPermissionRequest {
  std::string queue_url{};
  std::string label{};                         // 1-80 of [A-Za-z0-9_-]; unique in the policy.
  std::vector<std::string> aws_account_ids{};  // At least one.
  std::vector<std::string> actions{};  // 1-7 of "*", SendMessage, ReceiveMessage, DeleteMessage,
                                       // ChangeMessageVisibility, GetQueueAttributes,
                                       // GetQueueUrl, ListDeadLetterSourceQueues, PurgeQueue.
};

// Removes the statement whose Sid is `label`; the Policy attribute is removed
// with its last statement.
struct RemovePermissionRequest {
  std::string queue_url{};
  std::string label{};
};

// ---- Messages ---------------------------------------------------------------

struct SendMessageRequest {
  std::string queue_url{};
  std::string message_body{};
  std::optional<int> delay_seconds{};  // 0-900; default the queue's. Not on FIFO.
  MessageAttributeMap message_attributes{};
  MessageAttributeMap message_system_attributes{};  // Only "AWSTraceHeader" (String).
  // Empty: not given (the endpoint refuses one given empty, as AWS does).
  std::string message_deduplication_id{};  // FIFO only.
  std::string message_group_id{};          // Required on FIFO.
};
struct SendMessageResult {
  std::string message_id{};
  Md5Hex md5_of_message_body{};                    // Computed when first read.
  std::string md5_of_message_attributes{};         // Empty when no attributes.
  std::string md5_of_message_system_attributes{};  // Empty when none.
  std::string sequence_number{};                   // FIFO only.
};

struct SendMessageBatchRequestEntry {
  std::string id{};
  std::string message_body{};
  std::optional<int> delay_seconds{};
  MessageAttributeMap message_attributes{};
  MessageAttributeMap message_system_attributes{};
  std::string message_deduplication_id{};
  std::string message_group_id{};
};
struct SendMessageBatchRequest {
  std::string queue_url{};
  std::vector<SendMessageBatchRequestEntry> entries{};  // 1-10.
};
struct SendMessageBatchResultEntry {
  std::string id{};
  std::string message_id{};
  Md5Hex md5_of_message_body{};  // Computed when first read.
  std::string md5_of_message_attributes{};
  std::string md5_of_message_system_attributes{};
  std::string sequence_number{};
};
struct SendMessageBatchResult {
  std::vector<SendMessageBatchResultEntry> successful{};
  std::vector<BatchResultErrorEntry> failed{};
};

struct ReceiveMessageRequest {
  std::string queue_url{};
  int max_number_of_messages = 1;                      // 1-10.
  std::optional<int> visibility_timeout{};             // 0-43200; default the queue's.
  std::optional<int> wait_time_seconds{};              // 0-20; default the queue's.
  std::vector<std::string> message_attribute_names{};  // Names, "All", "*", "prefix.*".
  std::vector<std::string>
      message_system_attribute_names{};      // Names or "All" (alias AttributeNames).
  std::string receive_request_attempt_id{};  // FIFO only.
  // Not an AWS parameter: once a stop is requested, a long poll returns at
  // once with what it has (usually nothing), e.g. a std::jthread's token so
  // that a consumer thread can be joined without waiting out WaitTimeSeconds.
  std::stop_token stop_token{};
};
struct Message {
  std::string message_id{};
  std::string receipt_handle{};
  Md5Hex md5_of_body{};  // Computed when first read.
  std::string body{};
  AttributeMap attributes{};                // System attributes that were asked for.
  std::string md5_of_message_attributes{};  // Over the returned attributes; empty when none.
  MessageAttributeMap message_attributes{};
};
struct ReceiveMessageResult {
  std::vector<Message> messages{};
};

// The completion of ReceiveMessageAsync: called exactly once.
using ReceiveMessageCallback = absl::AnyInvocable<void(absl::StatusOr<ReceiveMessageResult>) &&>;

struct DeleteMessageRequest {
  std::string queue_url{};
  std::string receipt_handle{};
};

struct DeleteMessageBatchRequestEntry {
  std::string id{};
  std::string receipt_handle{};
};
struct DeleteMessageBatchRequest {
  std::string queue_url{};
  std::vector<DeleteMessageBatchRequestEntry> entries{};
};
struct DeleteMessageBatchResult {
  std::vector<std::string> successful{};  // Entry ids.
  std::vector<BatchResultErrorEntry> failed{};
};

struct ChangeMessageVisibilityRequest {
  std::string queue_url{};
  std::string receipt_handle{};
  int visibility_timeout = 0;  // 0-43200.
};

struct ChangeMessageVisibilityBatchRequestEntry {
  std::string id{};
  std::string receipt_handle{};
  int visibility_timeout = 0;
};
struct ChangeMessageVisibilityBatchRequest {
  std::string queue_url{};
  std::vector<ChangeMessageVisibilityBatchRequestEntry> entries{};
};
struct ChangeMessageVisibilityBatchResult {
  std::vector<std::string> successful{};
  std::vector<BatchResultErrorEntry> failed{};
};

// ---- Dead-letter redrive (message move tasks) -------------------------------

struct StartMessageMoveTaskRequest {
  std::string source_arn{};       // A dead-letter queue.
  std::string destination_arn{};  // Empty: back to each message's source queue.
  std::optional<int> max_number_of_messages_per_second{};  // 1-500.
};
struct StartMessageMoveTaskResult {
  std::string task_handle{};
};

struct ListMessageMoveTasksRequest {
  std::string source_arn{};
  std::optional<int> max_results{};  // 1-10, default 1.
};
struct MessageMoveTask {
  std::string task_handle{};  // Only while RUNNING.
  std::string status{};       // RUNNING | COMPLETED | CANCELLING | CANCELLED | FAILED
  std::string source_arn{};
  std::string destination_arn{};
  std::optional<int> max_number_of_messages_per_second{};
  int64_t approximate_number_of_messages_moved = 0;
  int64_t approximate_number_of_messages_to_move = 0;
  std::string failure_reason{};
  int64_t started_timestamp = 0;  // Epoch milliseconds.
};
struct ListMessageMoveTasksResult {
  std::vector<MessageMoveTask> results{};  // Most recent first.
};

struct CancelMessageMoveTaskRequest {
  std::string task_handle{};
};
struct CancelMessageMoveTaskResult {
  int64_t approximate_number_of_messages_moved = 0;
};

// ---- Interfaces -------------------------------------------------------------

// The message operations of one queue, without a URL lookup per call. The
// queue_url field of each request is ignored. Obtained from
// Service::OpenQueue; shared ownership; outlives the queue safely (calls then
// fail with QueueDoesNotExist).
class Queue {
 public:
  virtual ~Queue() = default;

  virtual const std::string& url() const = 0;
  virtual const std::string& arn() const = 0;

  virtual absl::StatusOr<SendMessageResult> SendMessage(const SendMessageRequest& request) = 0;
  virtual absl::StatusOr<SendMessageBatchResult> SendMessageBatch(
      const SendMessageBatchRequest& request) = 0;
  // Blocks up to wait_time_seconds (on the broker's Clock) when nothing is
  // visible; returns as soon as at least one message is.
  virtual absl::StatusOr<ReceiveMessageResult> ReceiveMessage(
      const ReceiveMessageRequest& request) = 0;
  // ReceiveMessage without blocking the caller: `done` gets exactly what
  // ReceiveMessage would return. It is called inline when the answer is
  // known at once (messages visible, a short poll, a validation error);
  // otherwise later, when a message becomes visible, the wait ends,
  // request.stop_token is stopped or the queue is deleted, on the thread that
  // caused it (a sender, a visibility change, the broker's timer thread or
  // ManualClock::Advance). `done` runs with no wharf lock held and must not
  // block: hand long work to an executor of your own.
  // While it waits it holds no thread, only its request and `done`. A
  // message made visible wakes one waiting receive, the one waiting longest
  // (ReceiveMessage and ReceiveMessageAsync alike), at O(1) cost to the
  // waking thread however many wait. A stop ends it with no messages; a
  // DeleteQueue, or destroying the Broker, with QueueDoesNotExist before
  // that call returns.
  virtual void ReceiveMessageAsync(ReceiveMessageRequest request, ReceiveMessageCallback done) = 0;
  virtual absl::Status DeleteMessage(const DeleteMessageRequest& request) = 0;
  virtual absl::StatusOr<DeleteMessageBatchResult> DeleteMessageBatch(
      const DeleteMessageBatchRequest& request) = 0;
  virtual absl::Status ChangeMessageVisibility(const ChangeMessageVisibilityRequest& request) = 0;
  virtual absl::StatusOr<ChangeMessageVisibilityBatchResult> ChangeMessageVisibilityBatch(
      const ChangeMessageVisibilityBatchRequest& request) = 0;
};

class Service {
 public:
  virtual ~Service() = default;

  // Queue lifecycle and attributes.
  virtual absl::StatusOr<CreateQueueResult> CreateQueue(const CreateQueueRequest& request) = 0;
  virtual absl::Status DeleteQueue(const DeleteQueueRequest& request) = 0;
  virtual absl::StatusOr<ListQueuesResult> ListQueues(const ListQueuesRequest& request) = 0;
  virtual absl::StatusOr<GetQueueUrlResult> GetQueueUrl(const GetQueueUrlRequest& request) = 0;
  virtual absl::StatusOr<GetQueueAttributesResult> GetQueueAttributes(
      const GetQueueAttributesRequest& request) = 0;
  virtual absl::Status SetQueueAttributes(const SetQueueAttributesRequest& request) = 0;
  virtual absl::Status PurgeQueue(const PurgeQueueRequest& request) = 0;
  virtual absl::Status TagQueue(const TagQueueRequest& request) = 0;
  virtual absl::Status UntagQueue(const UntagQueueRequest& request) = 0;
  virtual absl::StatusOr<ListQueueTagsResult> ListQueueTags(
      const ListQueueTagsRequest& request) = 0;
  virtual absl::StatusOr<ListDeadLetterSourceQueuesResult> ListDeadLetterSourceQueues(
      const ListDeadLetterSourceQueuesRequest& request) = 0;
  // Errors: MissingParameter, InvalidParameterValue (bad or duplicate label,
  // bad action, no account), OverLimit (more than 7 actions).
  virtual absl::Status AddPermission(const AddPermissionRequest& request) = 0;
  // Errors: MissingParameter, InvalidParameterValue (no statement `label`).
  virtual absl::Status RemovePermission(const RemovePermissionRequest& request) = 0;

  // Messages (each resolves queue_url, then forwards to the Queue).
  virtual absl::StatusOr<SendMessageResult> SendMessage(const SendMessageRequest& request) = 0;
  virtual absl::StatusOr<SendMessageBatchResult> SendMessageBatch(
      const SendMessageBatchRequest& request) = 0;
  virtual absl::StatusOr<ReceiveMessageResult> ReceiveMessage(
      const ReceiveMessageRequest& request) = 0;
  // As Queue::ReceiveMessageAsync; an unknown URL is reported through `done`.
  virtual void ReceiveMessageAsync(ReceiveMessageRequest request, ReceiveMessageCallback done) = 0;
  virtual absl::Status DeleteMessage(const DeleteMessageRequest& request) = 0;
  virtual absl::StatusOr<DeleteMessageBatchResult> DeleteMessageBatch(
      const DeleteMessageBatchRequest& request) = 0;
  virtual absl::Status ChangeMessageVisibility(const ChangeMessageVisibilityRequest& request) = 0;
  virtual absl::StatusOr<ChangeMessageVisibilityBatchResult> ChangeMessageVisibilityBatch(
      const ChangeMessageVisibilityBatchRequest& request) = 0;

  // Dead-letter redrive.
  virtual absl::StatusOr<StartMessageMoveTaskResult> StartMessageMoveTask(
      const StartMessageMoveTaskRequest& request) = 0;
  virtual absl::StatusOr<ListMessageMoveTasksResult> ListMessageMoveTasks(
      const ListMessageMoveTasksRequest& request) = 0;
  virtual absl::StatusOr<CancelMessageMoveTaskResult> CancelMessageMoveTask(
      const CancelMessageMoveTaskRequest& request) = 0;

  // The fast-path handle for a queue URL (QueueDoesNotExist if unknown).
  virtual absl::StatusOr<std::shared_ptr<Queue>> OpenQueue(const std::string& queue_url) = 0;
};

}  // namespace wharf::sqs

#endif  // WHARF_SQS_H_
