// SqsServiceImpl: message move tasks (DLQ redrive, spec/sqs.md §8.1).
//
// A task snapshots the DLQ's visible count when it starts and moves at most
// that many messages, taking them with QueueCore::TakeForMove and re-sending
// them into the destination (a given queue, or each message's
// DeadLetterQueueSourceArn). Without MaxNumberOfMessagesPerSecond the whole
// move runs synchronously inside StartMessageMoveTask. With it, the task
// moves that many messages at start and as many again each second on the
// broker's Scheduler, so under a ManualClock it advances exactly with
// ManualClock::Advance.
//
// Durable mode: each chunk's removals from the source and additions to the
// destinations commit together (one atomic section of the store), and each
// task is a document ("sqs.move_task") rewritten when it changes. Starting and
// cancelling a task wait for the commit; a paced second's progress is written
// behind. A task that was RUNNING when the broker stopped resumes at Open.

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/base/arn.h"
#include "broker/base/completion_scope.h"
#include "broker/base/ids.h"
#include "broker/base/json.h"
#include "broker/base/status_macros.h"
#include "broker/base/text.h"
#include "broker/service/sqs_names.h"
#include "broker/service/sqs_service_impl.h"
#include "broker/storage/document.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

struct SqsServiceImpl::MoveTask {
  std::string id;
  std::string handle;
  std::string source_arn;
  std::string destination_arn;
  std::optional<int> rate;
  std::string status = "RUNNING";
  int64_t moved = 0;
  int64_t to_move = 0;
  std::string failure_reason;
  absl::Time started;
};

namespace {

constexpr int kTakeChunk = 10;
constexpr char kTaskDocument[] = "sqs.move_task";

// Holds the store's writer back while a chunk moves (no-op in memory).
class AtomicSection {
 public:
  explicit AtomicSection(storage_internal::Store* store) : store_(store) {
    if (store_ != nullptr) store_->BeginAtomic();
  }
  ~AtomicSection() {
    if (store_ != nullptr) store_->EndAtomic();
  }
  AtomicSection(const AtomicSection&) = delete;
  AtomicSection& operator=(const AtomicSection&) = delete;

 private:
  storage_internal::Store* const store_;
};

absl::Status InvalidParameter(std::string message) {
  return MakeError(ErrorCode::kInvalidParameterValue, message);
}

absl::Status ArnFormatError(std::string_view parameter) {
  return InvalidParameter(absl::StrCat("You must use this format to specify the ",
                                       absl::string_view(parameter.data(), parameter.size()),
                                       ": arn:<partition>:<service>:<region>:<account-id>:"
                                       "<resource-id>"));
}

absl::Status ResourceNotFound(std::string_view parameter) {
  return MakeError(ErrorCode::kSqsResourceNotFound,
                   absl::StrCat("The resource that you specified for the ",
                                absl::string_view(parameter.data(), parameter.size()),
                                " parameter doesn't exist."));
}

// A task handle is base64 of {"taskId":"<id>","sourceArn":"<arn>"}, the form
// AWS's handles take: opaque to callers, but it lets a handle of an unknown
// task or source queue be told from garbage.
std::string MakeTaskHandle(const std::string& id, const std::string& source_arn) {
  std::string doc = "{\"taskId\":";
  base_internal::AppendJsonString(&doc, id);
  doc += ",\"sourceArn\":";
  base_internal::AppendJsonString(&doc, source_arn);
  doc += "}";
  return absl::Base64Escape(doc);
}

bool ParseTaskHandle(const std::string& handle, std::string& id, std::string& source_arn) {
  std::string decoded;
  rapidjson::Document doc;
  if (handle.empty() || !absl::Base64Unescape(handle, &decoded) ||
      !base_internal::ParseJson(decoded, &doc) || !doc.IsObject()) {
    return false;
  }
  // HasMember, not FindMember: clang refuses rapidjson's iterator == in C++20.
  if (!doc.HasMember("taskId") || !doc["taskId"].IsString() || !doc.HasMember("sourceArn") ||
      !doc["sourceArn"].IsString()) {
    return false;
  }
  const rapidjson::Value& task_id = doc["taskId"];
  const rapidjson::Value& arn = doc["sourceArn"];
  if (!base_internal::ParseArn(arn.GetString())) return false;
  id.assign(task_id.GetString(), task_id.GetStringLength());
  source_arn.assign(arn.GetString(), arn.GetStringLength());
  return true;
}

// The message re-sent by a move: same id, body and attributes; a fresh
// receive history in its new queue.
queue_internal::SendArgs MovedArgs(const queue_internal::Delivery& d) {
  queue_internal::SendArgs args;
  args.payload = d.payload;
  args.message_group_id = d.message_group_id;
  args.deduplication_id = d.deduplication_id;
  args.message_id = d.message_id;
  return args;
}

// The message put back where it was taken from, history intact.
queue_internal::SendArgs RestoredArgs(const queue_internal::Delivery& d) {
  queue_internal::SendArgs args = MovedArgs(d);
  args.sent_time = d.sent_time;
  args.receive_count = d.receive_count;
  args.first_receive_time = d.first_receive_time;
  args.dead_letter_source_arn = d.dead_letter_source_arn;
  return args;
}

}  // namespace

void SqsServiceImpl::PumpLocked(MoveTask& task, int64_t budget) {
  std::shared_ptr<QueueImpl> source = FindByArn(task.source_arn);
  if (source == nullptr) {
    task.status = "FAILED";
    task.failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
    return;
  }
  std::shared_ptr<QueueImpl> fixed_destination;
  if (!task.destination_arn.empty()) {
    fixed_destination = FindByArn(task.destination_arn);
    if (fixed_destination == nullptr) {
      task.status = "FAILED";
      task.failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
      return;
    }
  }
  while (budget > 0 && task.moved < task.to_move) {
    int n = static_cast<int>(std::min<int64_t>({kTakeChunk, budget, task.to_move - task.moved}));
    AtomicSection atomic(store_);
    std::vector<queue_internal::Delivery> batch = source->core().TakeForMove(n);
    if (batch.empty()) break;  // Received or deleted meanwhile: nothing left to move.
    for (size_t i = 0; i < batch.size(); ++i) {
      const queue_internal::Delivery& d = batch[i];
      std::shared_ptr<QueueImpl> destination =
          fixed_destination != nullptr ? fixed_destination : FindByArn(d.dead_letter_source_arn);
      if (destination == nullptr || destination->fifo() != source->fifo() ||
          !destination->Place(MovedArgs(d))) {
        for (size_t j = i; j < batch.size(); ++j) source->Place(RestoredArgs(batch[j]));
        task.status = "FAILED";
        task.failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
        return;
      }
      ++task.moved;
      --budget;
    }
    if (static_cast<int>(batch.size()) < n) break;
  }
  if (budget > 0 || task.moved >= task.to_move) task.status = "COMPLETED";
}

void SqsServiceImpl::PersistTask(const MoveTask& task) {
  if (store_ == nullptr) return;
  storage_internal::DocumentWriter doc;
  doc.String("source_arn", task.source_arn);
  doc.String("destination_arn", task.destination_arn);
  doc.Int("rate", task.rate.value_or(0));
  doc.String("status", task.status);
  doc.Int("moved", task.moved);
  doc.Int("to_move", task.to_move);
  doc.String("failure_reason", task.failure_reason);
  doc.Time("started", task.started);
  store_->Put(kTaskDocument, task.id, doc.Finish());
}

absl::Status SqsServiceImpl::RecoverMoveTasks() {
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> docs,
                         store_->LoadDocuments(kTaskDocument));
  std::vector<std::shared_ptr<MoveTask>> tasks;
  for (const storage_internal::StoredDocument& doc : docs) {
    storage_internal::DocumentReader reader(doc.value);
    auto task = std::make_shared<MoveTask>();
    task->id = doc.name;
    task->source_arn = reader.String("source_arn");
    task->destination_arn = reader.String("destination_arn");
    const int64_t rate = reader.Int("rate");
    if (rate > 0) task->rate = static_cast<int>(rate);
    task->status = reader.String("status");
    task->moved = reader.Int("moved");
    task->to_move = reader.Int("to_move");
    task->failure_reason = reader.String("failure_reason");
    task->started = reader.Time("started");
    if (!reader.ok()) return reader.Error(absl::StrCat("SQS message move task ", doc.name));
    task->handle = MakeTaskHandle(task->id, task->source_arn);
    tasks.push_back(std::move(task));
  }
  // Most recent first, as ListMessageMoveTasks shows them.
  std::sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) {
    return a->started != b->started ? a->started > b->started : a->id > b->id;
  });
  CompletionScope completions;  // Before move_mu_ (see PumpLocked).
  MutexLock lock(&move_mu_);
  for (const std::shared_ptr<MoveTask>& task : tasks) {
    move_tasks_[task->source_arn].push_back(task);
    if (task->status != "RUNNING") continue;
    if (task->rate) {
      scheduler_.ScheduleAfter(absl::Seconds(1), [this, task] { PaceTask(task); });
    } else {
      PumpLocked(*task, std::numeric_limits<int64_t>::max());
      PersistTask(*task);
    }
  }
  return absl::OkStatus();
}

void SqsServiceImpl::PaceTask(std::shared_ptr<MoveTask> task) {
  CompletionScope completions;  // Before move_mu_ (see PumpLocked).
  MutexLock lock(&move_mu_);
  if (task->status != "RUNNING") return;
  PumpLocked(*task, *task->rate);
  PersistTask(*task);
  if (task->status == "RUNNING") {
    scheduler_.ScheduleAfter(absl::Seconds(1), [this, task] { PaceTask(task); });
  }
}

absl::StatusOr<sqs::StartMessageMoveTaskResult> SqsServiceImpl::StartMessageMoveTask(
    const sqs::StartMessageMoveTaskRequest& request) {
  if (request.source_arn.empty()) {
    return MakeError(ErrorCode::kMissingParameter,
                     "The request must contain the parameter SourceArn.");
  }
  if (!base_internal::ParseArn(request.source_arn)) return ArnFormatError("SourceArn");
  if (!request.destination_arn.empty() && !base_internal::ParseArn(request.destination_arn)) {
    return ArnFormatError("DestinationArn");
  }
  const std::optional<int>& rate = request.max_number_of_messages_per_second;
  if (rate && (*rate < 1 || *rate > 500)) {
    return InvalidParameter(absl::StrCat("Value ", *rate,
                                         " for parameter MaxNumberOfMessagesPerSecond is invalid. "
                                         "Reason: You must enter a number that's between 1 and "
                                         "500."));
  }
  std::shared_ptr<QueueImpl> source = FindByArn(request.source_arn);
  if (source == nullptr) return ResourceNotFound("SourceArn");
  bool is_dead_letter_queue = false;
  for (const auto& queue : AllQueues()) {
    QueueSettings settings = queue->settings();
    if (settings.redrive_policy &&
        settings.redrive_policy->dead_letter_target_arn == source->arn()) {
      is_dead_letter_queue = true;
      break;
    }
  }
  if (!is_dead_letter_queue) {
    return InvalidParameter("Source queue must be configured as a Dead Letter Queue.");
  }
  if (!request.destination_arn.empty()) {
    std::shared_ptr<QueueImpl> destination = FindByArn(request.destination_arn);
    if (destination == nullptr) return ResourceNotFound("DestinationArn");
    if (destination->fifo() != source->fifo()) {
      return InvalidParameter(
          "The source queue and the destination queue must be of the same queue type.");
    }
  }

  const uint64_t since = store_ != nullptr ? store_->Position() : 0;
  std::string handle;
  {
    CompletionScope completions;  // Before move_mu_ (see PumpLocked).
    MutexLock lock(&move_mu_);
    std::vector<std::shared_ptr<MoveTask>>& tasks = move_tasks_[source->arn()];
    for (const auto& task : tasks) {
      if (task->status == "RUNNING") {
        return InvalidParameter(
            "There is already a task running. Only one active task is allowed for a source "
            "queue arn at a given time.");
      }
    }
    auto task = std::make_shared<MoveTask>();
    task->id = base_internal::NewUuid();
    task->source_arn = source->arn();
    task->handle = MakeTaskHandle(task->id, task->source_arn);
    task->destination_arn = request.destination_arn;
    task->rate = rate;
    task->to_move = source->core().GetCounts().visible;
    task->started = clock_.Now();
    tasks.insert(tasks.begin(), task);
    PumpLocked(*task, rate ? *rate : std::numeric_limits<int64_t>::max());
    PersistTask(*task);
    if (task->status == "RUNNING") {
      scheduler_.ScheduleAfter(absl::Seconds(1), [this, task] { PaceTask(task); });
    }
    handle = task->handle;
  }
  // Durable mode: the task and what it moved so far are committed before the
  // call returns (outside move_mu_: no lock is held while waiting for I/O).
  if (store_ != nullptr) WHARF_RETURN_IF_ERROR(store_->Commit(since));
  return sqs::StartMessageMoveTaskResult{std::move(handle)};
}

absl::StatusOr<sqs::ListMessageMoveTasksResult> SqsServiceImpl::ListMessageMoveTasks(
    const sqs::ListMessageMoveTasksRequest& request) {
  if (request.source_arn.empty()) {
    return MakeError(ErrorCode::kMissingParameter,
                     "The request must contain the parameter SourceArn.");
  }
  if (!base_internal::ParseArn(request.source_arn)) return ArnFormatError("SourceArn");
  const int max_results = request.max_results.value_or(1);
  if (max_results < 1 || max_results > 10) {
    return InvalidParameter(absl::StrCat("Value ", max_results,
                                         " for parameter MaxResults is invalid. Reason: You must "
                                         "enter a number that's between 1 and 10."));
  }
  if (FindByArn(request.source_arn) == nullptr) return ResourceNotFound("SourceArn");
  sqs::ListMessageMoveTasksResult result;
  MutexLock lock(&move_mu_);
  auto it = move_tasks_.find(request.source_arn);
  if (it == move_tasks_.end()) return result;
  for (const auto& task : it->second) {
    if (static_cast<int>(result.results.size()) == max_results) break;
    sqs::MessageMoveTask& out = result.results.emplace_back();
    if (task->status == "RUNNING") out.task_handle = task->handle;
    out.status = task->status;
    out.source_arn = task->source_arn;
    out.destination_arn = task->destination_arn;
    out.max_number_of_messages_per_second = task->rate;
    out.approximate_number_of_messages_moved = task->moved;
    out.approximate_number_of_messages_to_move = task->to_move;
    out.failure_reason = task->failure_reason;
    out.started_timestamp = absl::ToUnixMillis(task->started);
  }
  return result;
}

absl::StatusOr<sqs::CancelMessageMoveTaskResult> SqsServiceImpl::CancelMessageMoveTask(
    const sqs::CancelMessageMoveTaskRequest& request) {
  std::string id;
  std::string source_arn;
  if (!ParseTaskHandle(request.task_handle, id, source_arn)) {
    return InvalidParameter("Value for parameter TaskHandle is invalid.");
  }
  // AWS-recorded: an unknown source first, then an unknown task.
  if (FindByArn(source_arn) == nullptr) return ResourceNotFound("SourceArn");
  const uint64_t since = store_ != nullptr ? store_->Position() : 0;
  int64_t moved = -1;
  {
    MutexLock lock(&move_mu_);
    auto it = move_tasks_.find(source_arn);
    if (it != move_tasks_.end()) {
      for (const auto& task : it->second) {
        if (task->id != id) continue;
        if (task->status != "RUNNING") {
          return InvalidParameter("Only active tasks can be cancelled.");
        }
        task->status = "CANCELLED";
        PersistTask(*task);
        moved = task->moved;
        break;
      }
    }
  }
  if (moved < 0) return MakeError(ErrorCode::kSqsResourceNotFound, "Task does not exist.");
  if (store_ != nullptr) WHARF_RETURN_IF_ERROR(store_->Commit(since));
  return sqs::CancelMessageMoveTaskResult{moved};
}

}  // namespace wharf::service_internal
