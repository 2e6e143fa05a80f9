// QueueImpl: one SQS queue: its engine and settings, tags, the journal, Send,
// Delete and ChangeVisibility, and the dead-letter sink. See sqs_service_impl.h;
// the receive path is in queue_receive.cc.

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/utility/utility.h"
#include "broker/base/aws_errors.h"
#include "broker/base/digests.h"
#include "broker/base/payload.h"
#include "broker/fifo/fifo_queue.h"
#include "broker/queue/standard_queue.h"
#include "broker/service/message_validation.h"
#include "broker/service/queue_checks.h"
#include "broker/service/sqs_service_impl.h"
#include "broker/storage/document.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

using queue_checks::CheckBatchEntries;
using queue_checks::FailedEntry;
using queue_checks::InvalidParameter;
using queue_checks::kMaxBatchBytes;
using queue_checks::MissingDeduplicationId;
using queue_checks::MissingGroupId;
using queue_checks::NotValidForQueueType;
using queue_checks::VisibilityTimeoutOutOfRange;
using queue_internal::Delivery;
using queue_internal::SendArgs;

// The fields of SendMessageRequest and SendMessageBatchRequestEntry.
struct QueueImpl::SendFields {
  const std::string& body;
  const std::optional<int>& delay_seconds;
  const sqs::MessageAttributeMap& attributes;
  const sqs::MessageAttributeMap& system_attributes;
  const std::string& deduplication_id;
  const std::string& group_id;
};

QueueImpl::QueueImpl(SqsServiceImpl* service, std::string name, std::string url, std::string arn,
                     QueueSettings settings, sqs::TagMap tags, absl::Time created)
    : service_(service),
      name_(std::move(name)),
      url_(std::move(url)),
      arn_(std::move(arn)),
      fifo_(settings.fifo),
      created_(created),
      settings_(std::move(settings)),
      tags_(std::move(tags)),
      last_modified_(created),
      maximum_message_size_(settings_.maximum_message_size),
      delay_seconds_(settings_.delay_seconds),
      visibility_timeout_(settings_.visibility_timeout),
      receive_wait_seconds_(settings_.receive_message_wait_time_seconds),
      content_based_deduplication_(settings_.content_based_deduplication),
      stats_(service_->options().metrics.enabled ? std::make_unique<QueueStats>() : nullptr) {
  queue_internal::QueueConfig config =
      ToQueueConfig(settings_, service_->options().max_inflight_messages);
  core_ = fifo_ ? fifo_internal::NewFifoQueue(config, service_->clock(), service_->scheduler(),
                                              this, arn_)
                : queue_internal::NewStandardQueue(config, service_->clock(), service_->scheduler(),
                                                   this, arn_);
}

QueueImpl::~QueueImpl() { core_.reset(); }

QueueSettings QueueImpl::settings() const {
  ReaderMutexLock lock(&mu_);
  return settings_;
}

void QueueImpl::UpdateSettings(const QueueSettings& settings, absl::Time now) {
  queue_internal::QueueConfig config =
      ToQueueConfig(settings, service_->options().max_inflight_messages);
  {
    MutexLock lock(&mu_);
    settings_ = settings;
    last_modified_ = now;
    maximum_message_size_.store(settings.maximum_message_size, std::memory_order_relaxed);
    delay_seconds_.store(settings.delay_seconds, std::memory_order_relaxed);
    visibility_timeout_.store(settings.visibility_timeout, std::memory_order_relaxed);
    receive_wait_seconds_.store(settings.receive_message_wait_time_seconds,
                                std::memory_order_relaxed);
    content_based_deduplication_.store(settings.content_based_deduplication,
                                       std::memory_order_relaxed);
  }
  core_->SetConfig(config);
}

sqs::TagMap QueueImpl::tags() const {
  ReaderMutexLock lock(&mu_);
  return tags_;
}

absl::StatusOr<sqs::TagMap> QueueImpl::TagsWith(const sqs::TagMap& tags) const {
  ReaderMutexLock lock(&mu_);
  sqs::TagMap merged = tags_;
  for (const auto& [key, value] : tags) merged[key] = value;
  if (merged.size() > 50) {
    return InvalidParameter(absl::StrCat("Too many tags added for queue ", name_, "."));
  }
  return merged;
}

void QueueImpl::SetTags(sqs::TagMap tags) {
  MutexLock lock(&mu_);
  tags_ = std::move(tags);
}

void QueueImpl::SetJournal(int64_t storage_id,
                           std::unique_ptr<storage_internal::QueueJournal> journal) {
  storage_id_ = storage_id;
  journal_ = std::move(journal);
  store_ = service_->store();
  core_->AttachJournal(journal_.get());
}

void QueueImpl::RestoreLastModified(absl::Time t) {
  MutexLock lock(&mu_);
  last_modified_ = t;
}

std::string QueueImpl::Document(const QueueSettings& settings, const sqs::TagMap& tags,
                                absl::Time last_modified) const {
  storage_internal::DocumentWriter doc;
  doc.Int("id", storage_id_);
  doc.Bool("fifo", fifo_);
  sqs::AttributeMap attributes;
  for (std::string_view name : SettableAttributeNames()) {
    if (std::optional<std::string> value = RenderSetting(settings, name)) {
      attributes.emplace(std::string(name), std::move(*value));
    }
  }
  doc.StringMap("attributes", attributes);
  doc.StringMap("tags", tags);
  doc.Time("created", created_);
  doc.Time("last_modified", last_modified);
  return doc.Finish();
}

absl::Time QueueImpl::last_modified() const {
  ReaderMutexLock lock(&mu_);
  return last_modified_;
}

absl::Status QueueImpl::Purge(absl::Time now) {
  {
    MutexLock lock(&mu_);
    if (now - last_purge_ < absl::Seconds(60)) {
      return MakeError(ErrorCode::kPurgeQueueInProgress,
                       absl::StrCat("Only one PurgeQueue operation on ", name_,
                                    " is allowed every 60 seconds."));
    }
    last_purge_ = now;
  }
  const uint64_t since = Mark();
  core_->Purge();
  return Commit(since);
}

absl::Status QueueImpl::CheckAlive() const {
  if (deleted()) return base_internal::QueueDoesNotExistError();
  return absl::OkStatus();
}

bool QueueImpl::Place(SendArgs args) {
  if (deleted()) return false;
  const bool dead_letter_move = !args.dead_letter_source_arn.empty();
  size_t size = 0;
  if (stats_ != nullptr && !dead_letter_move) {
    static const sqs::MessageAttributeMap kNone;
    const queue_internal::Payload& p = *args.payload;
    size = MessageSize(p.body(),
                       p.attributes() != nullptr ? p.attributes()->message_attributes : kNone);
  }
  absl::StatusOr<queue_internal::SendOutcome> outcome = core_->Send(std::move(args));
  if (!outcome.ok()) return false;
  if (stats_ != nullptr && !dead_letter_move) {
    if (outcome->duplicate) {
      stats_->counters.Add(QueueStats::kDeduplicated, 1);
    } else {
      stats_->sent.Record(size);
    }
  }
  return true;
}

bool QueueImpl::Accept(const Delivery& message) {
  std::string target_arn;
  {
    ReaderMutexLock lock(&mu_);
    if (!settings_.redrive_policy) return false;
    target_arn = settings_.redrive_policy->dead_letter_target_arn;
  }
  std::shared_ptr<QueueImpl> target = service_->FindByArn(target_arn);
  if (target == nullptr || target->fifo() != fifo_) return false;
  SendArgs args;
  args.payload = message.payload;
  args.message_group_id = message.message_group_id;
  args.deduplication_id = message.deduplication_id;
  args.message_id = message.message_id;
  // Standard DLQs keep the original enqueue time (retention counts from the
  // first send); FIFO DLQs restart it (spec §8).
  if (!fifo_) args.sent_time = message.sent_time;
  args.receive_count = message.receive_count;
  args.first_receive_time = message.first_receive_time;
  args.dead_letter_source_arn = arn_;
  return target->Place(std::move(args));
}

absl::StatusOr<size_t> QueueImpl::Stage(const SendFields& f, bool in_batch, SendArgs& args) {
  if (f.body.empty()) {
    return MakeError(ErrorCode::kMissingParameter,
                     "The request must contain the parameter MessageBody.");
  }
  if (fifo_) {
    // Delay is queue-level on FIFO queues. AWS still accepts an explicit 0
    // (and then applies the queue's delay), which SDKs that always serialize
    // the field rely on.
    if (f.delay_seconds.value_or(0) != 0) {
      return NotValidForQueueType("DelaySeconds", absl::StrCat(*f.delay_seconds));
    }
    if (f.group_id.empty()) return MissingGroupId(in_batch);
    if (!IsValidIdToken(f.group_id))
      return base_internal::InvalidIdTokenError("MessageGroupId", f.group_id);
    if (!f.deduplication_id.empty()) {
      if (!IsValidIdToken(f.deduplication_id)) {
        return base_internal::InvalidIdTokenError("MessageDeduplicationId", f.deduplication_id);
      }
      args.deduplication_id = f.deduplication_id;
    } else if (content_based_deduplication_.load(std::memory_order_relaxed)) {
      args.deduplication_id = base_internal::Sha256Hex(f.body);
    } else {
      return MissingDeduplicationId();
    }
  } else {
    int delay = f.delay_seconds.value_or(delay_seconds_.load(std::memory_order_relaxed));
    if (delay < 0 || delay > 900) {
      return InvalidParameter(absl::StrCat("Value ", delay,
                                           " for parameter DelaySeconds is invalid. Reason: "
                                           "DelaySeconds must be >= 0 and <= 900."));
    }
    args.delay = absl::Seconds(delay);
    if (!f.group_id.empty() && !IsValidIdToken(f.group_id)) {
      return base_internal::InvalidIdTokenError("MessageGroupId", f.group_id);
    }
    if (!f.deduplication_id.empty()) {
      return NotValidForQueueType("MessageDeduplicationId", f.deduplication_id);
    }
  }
  args.message_group_id = f.group_id;
  if (!IsValidMessageText(f.body)) return InvalidMessageContentsError();
  if (!f.attributes.empty()) {
    if (absl::Status s = ValidateSqsMessageAttributes(f.attributes); !s.ok()) return s;
  }
  if (!f.system_attributes.empty()) {
    if (absl::Status s = ValidateMessageSystemAttributes(f.system_attributes); !s.ok()) return s;
  }
  const int max_size = maximum_message_size_.load(std::memory_order_relaxed);
  const size_t size = MessageSize(f.body, f.attributes);
  if (size > static_cast<size_t>(max_size)) {
    // AWS words it differently for a batch entry (both recorded).
    return InvalidParameter(
        absl::StrCat("One or more parameters ", in_batch ? "cannot be validated" : "are invalid",
                     ". Reason: Message must be shorter than ", max_size, " bytes."));
  }
  args.payload = base_internal::MakePayload(f.body, f.attributes, f.system_attributes);
  return size;
}

namespace {

// Sets the digests of a SendMessage result or batch result entry, before the
// engine has `payload` (the result's reference is taken unpublished).
template <typename Result>
void SetDigests(Result& result, const queue_internal::PayloadRef& payload) {
  payload->RetainUnpublished();
  // Computed if the caller reads it.
  result.md5_of_message_body = Md5Hex(queue_internal::PayloadRef::Adopt(payload.get()));
  if (const queue_internal::PayloadAttributes* extra = payload->attributes()) {
    result.md5_of_message_attributes = extra->md5_of_message_attributes;
    result.md5_of_message_system_attributes = extra->md5_of_message_system_attributes;
  }
}

}  // namespace

absl::StatusOr<sqs::SendMessageResult> QueueImpl::SendMessage(
    const sqs::SendMessageRequest& request) {
  // One named result and one return, so that it is built in place (a
  // returned StatusOr<SendMessageResult> is otherwise moved: five strings).
  absl::StatusOr<sqs::SendMessageResult> result(absl::in_place);
  if (absl::Status s = SendOne(request, *result); !s.ok()) result = std::move(s);
  return result;
}

absl::Status QueueImpl::SendOne(const sqs::SendMessageRequest& request,
                                sqs::SendMessageResult& result) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  const uint64_t since = Mark();
  SendArgs args;
  const absl::StatusOr<size_t> size =
      Stage({request.message_body, request.delay_seconds, request.message_attributes,
             request.message_system_attributes, request.message_deduplication_id,
             request.message_group_id},
            /*in_batch=*/false, args);
  if (!size.ok()) return size.status();
  SetDigests(result, args.payload);
  absl::StatusOr<queue_internal::SendOutcome> outcome = core_->Send(std::move(args));
  if (!outcome.ok()) return outcome.status();
  if (stats_ != nullptr) {
    if (outcome->duplicate) {
      stats_->counters.Add(QueueStats::kDeduplicated, 1);
    } else {
      stats_->sent.Record(*size);
    }
  }
  result.message_id = std::string(outcome->message_id.view());
  result.sequence_number = std::move(outcome->sequence_number);
  return Commit(since);
}

absl::StatusOr<sqs::SendMessageBatchResult> QueueImpl::SendMessageBatch(
    const sqs::SendMessageBatchRequest& request) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  if (absl::Status s = CheckBatchEntries(request.entries, "SendMessageBatchRequestEntry");
      !s.ok()) {
    return s;
  }
  size_t total = 0;
  for (const auto& entry : request.entries) {
    total += MessageSize(entry.message_body, entry.message_attributes);
  }
  if (total > kMaxBatchBytes) {
    return MakeError(ErrorCode::kBatchRequestTooLong,
                     absl::StrCat("Batch requests cannot be longer than 1048576 bytes. You have "
                                  "sent ",
                                  total, " bytes."));
  }
  if (fifo_) {
    // Observed AWS quirk: these fail the whole batch, not the entry.
    const bool content_based = content_based_deduplication_.load(std::memory_order_relaxed);
    for (const auto& entry : request.entries) {
      if (entry.message_group_id.empty()) return MissingGroupId(/*in_batch=*/true);
      if (entry.message_deduplication_id.empty() && !content_based) {
        return MissingDeduplicationId();
      }
    }
  }
  // Every entry is validated first; the valid ones go to the engine together
  // (one publication). staged[k] is the message of result.successful[k].
  const size_t n = request.entries.size();
  sqs::SendMessageBatchResult result;
  result.successful.reserve(n);
  absl::InlinedVector<SendArgs, queue_checks::kMaxBatchEntries> staged;
  std::array<uint64_t, queue_checks::kMaxBatchEntries> sizes;  // For the metrics.
  for (const auto& entry : request.entries) {
    SendArgs& args = staged.emplace_back();
    const absl::StatusOr<size_t> size = Stage(
        {entry.message_body, entry.delay_seconds, entry.message_attributes,
         entry.message_system_attributes, entry.message_deduplication_id, entry.message_group_id},
        /*in_batch=*/true, args);
    if (!size.ok()) {
      staged.pop_back();
      result.failed.push_back(FailedEntry(entry.id, size.status()));
      continue;
    }
    sqs::SendMessageBatchResultEntry& ok = result.successful.emplace_back();
    ok.id = entry.id;
    SetDigests(ok, args.payload);
    sizes[staged.size() - 1] = *size;
  }
  const uint64_t since = Mark();
  queue_internal::SendOutcomes outcomes = core_->SendBatch(staged);
  bool engine_failed = false;
  // The metrics are added once for the batch: sizes[0, num_sent) are the
  // messages sent (not deduplicated).
  size_t num_sent = 0;
  uint64_t duplicates = 0;
  for (size_t k = 0; k < outcomes.size(); ++k) {
    sqs::SendMessageBatchResultEntry& ok = result.successful[k];
    absl::StatusOr<queue_internal::SendOutcome>& outcome = outcomes[k];
    if (!outcome.ok()) {
      result.failed.push_back(FailedEntry(ok.id, outcome.status()));
      ok.id.clear();  // Marks it for removal below (a valid entry id is never empty).
      engine_failed = true;
      continue;
    }
    if (outcome->duplicate) {
      ++duplicates;
    } else {
      sizes[num_sent++] = sizes[k];
    }
    ok.message_id = std::string(outcome->message_id.view());
    ok.sequence_number = std::move(outcome->sequence_number);
  }
  if (stats_ != nullptr) {
    if (duplicates != 0) stats_->counters.Add(QueueStats::kDeduplicated, duplicates);
    stats_->sent.RecordAll(std::span<const uint64_t>(sizes.data(), num_sent));
  }
  if (engine_failed) {
    std::erase_if(result.successful, [](const auto& e) { return e.id.empty(); });
  }
  // One commit for the whole batch; if it fails, no entry is acknowledged.
  if (!result.successful.empty() && store_ != nullptr) {
    if (absl::Status s = Commit(since); !s.ok()) return s;
  }
  return result;
}

absl::Status QueueImpl::DeleteMessage(const sqs::DeleteMessageRequest& request) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  const uint64_t since = Mark();
  absl::Status s = core_->Delete(request.receipt_handle);
  if (s.ok() && store_ != nullptr) s = Commit(since);
  if (s.ok() && stats_ != nullptr) stats_->counters.Add(QueueStats::kDeleted, 1);
  return s;
}

absl::StatusOr<sqs::DeleteMessageBatchResult> QueueImpl::DeleteMessageBatch(
    const sqs::DeleteMessageBatchRequest& request) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  if (absl::Status s = CheckBatchEntries(request.entries, "DeleteMessageBatchRequestEntry");
      !s.ok()) {
    return s;
  }
  sqs::DeleteMessageBatchResult result;
  result.successful.reserve(request.entries.size());
  const uint64_t since = Mark();
  for (const auto& entry : request.entries) {
    absl::Status s = core_->Delete(entry.receipt_handle);
    if (s.ok()) {
      result.successful.push_back(entry.id);
    } else {
      result.failed.push_back(FailedEntry(entry.id, s));
    }
  }
  if (!result.successful.empty() && store_ != nullptr) {
    if (absl::Status s = Commit(since); !s.ok()) return s;
  }
  if (stats_ != nullptr && !result.successful.empty()) {
    stats_->counters.Add(QueueStats::kDeleted, result.successful.size());
  }
  return result;
}

absl::Status QueueImpl::ChangeMessageVisibility(
    const sqs::ChangeMessageVisibilityRequest& request) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  if (request.visibility_timeout < 0 || request.visibility_timeout > 43200) {
    return VisibilityTimeoutOutOfRange(request.visibility_timeout);
  }
  const uint64_t since = Mark();
  absl::Status s =
      core_->ChangeVisibility(request.receipt_handle, absl::Seconds(request.visibility_timeout));
  if (s.ok() && store_ != nullptr) s = Commit(since);
  return s;
}

absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult> QueueImpl::ChangeMessageVisibilityBatch(
    const sqs::ChangeMessageVisibilityBatchRequest& request) {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  if (absl::Status s =
          CheckBatchEntries(request.entries, "ChangeMessageVisibilityBatchRequestEntry");
      !s.ok()) {
    return s;
  }
  sqs::ChangeMessageVisibilityBatchResult result;
  const uint64_t since = Mark();
  for (const auto& entry : request.entries) {
    absl::Status s = entry.visibility_timeout < 0 || entry.visibility_timeout > 43200
                         ? VisibilityTimeoutOutOfRange(entry.visibility_timeout)
                         : core_->ChangeVisibility(entry.receipt_handle,
                                                   absl::Seconds(entry.visibility_timeout));
    if (s.ok()) {
      result.successful.push_back(entry.id);
    } else {
      result.failed.push_back(FailedEntry(entry.id, s));
    }
  }
  if (!result.successful.empty() && store_ != nullptr) {
    if (absl::Status s = Commit(since); !s.ok()) return s;
  }
  return result;
}

}  // namespace wharf::service_internal
