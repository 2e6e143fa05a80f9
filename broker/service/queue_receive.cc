// QueueImpl's receive path: ReceiveMessage and ReceiveMessageAsync (checks,
// the engine's receive, the reply's attributes) and the count of receives in
// progress that DeleteQueue and the broker's destructor wait for.
// Thread-safe; completions run with no lock of the queue held.
#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/aws_errors.h"
#include "broker/base/digests.h"
#include "broker/base/payload.h"
#include "broker/service/message_validation.h"
#include "broker/service/queue_checks.h"
#include "broker/service/sqs_service_impl.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

using queue_checks::InvalidParameter;
using queue_checks::VisibilityTimeoutOutOfRange;
using queue_internal::Delivery;

namespace {

// System attributes ReceiveMessage can return, as bits.
enum SystemAttribute : uint32_t {
  kReceiveCount = 1 << 0,
  kFirstReceiveTimestamp = 1 << 1,
  kSentTimestamp = 1 << 2,
  kSenderId = 1 << 3,
  kTraceHeader = 1 << 4,
  kDeadLetterSource = 1 << 5,
  kGroupId = 1 << 6,
  kDeduplicationId = 1 << 7,
  kSequenceNumber = 1 << 8,
  kAllSystemAttributes = (1 << 9) - 1,
};

absl::StatusOr<uint32_t> ParseSystemAttributeNames(const std::vector<std::string>& names) {
  static constexpr std::pair<std::string_view, uint32_t> kNames[] = {
      {"All", kAllSystemAttributes},
      {"ApproximateReceiveCount", kReceiveCount},
      {"ApproximateFirstReceiveTimestamp", kFirstReceiveTimestamp},
      {"SentTimestamp", kSentTimestamp},
      {"SenderId", kSenderId},
      {"AWSTraceHeader", kTraceHeader},
      {"DeadLetterQueueSourceArn", kDeadLetterSource},
      {"MessageGroupId", kGroupId},
      {"MessageDeduplicationId", kDeduplicationId},
      {"SequenceNumber", kSequenceNumber},
  };
  uint32_t mask = 0;
  for (const std::string& name : names) {
    auto it = std::find_if(std::begin(kNames), std::end(kNames),
                           [&](const auto& entry) { return entry.first == name; });
    if (it == std::end(kNames)) {
      return MakeError(ErrorCode::kInvalidAttributeName,
                       absl::StrCat("Unknown Attribute ", name, "."));
    }
    mask |= it->second;
  }
  return mask;
}

// Whether message attribute `name` matches a MessageAttributeNames entry:
// "All", "*", an exact name, or "prefix.*": names starting with "prefix" (as
// AWS answers: "Hel.*" returns "Hello" and "Help.Me"; ".*" returns all).
bool AttributeRequested(const std::vector<std::string>& requested, std::string_view name) {
  absl::string_view n(name.data(), name.size());
  for (const std::string& r : requested) {
    if (r == "All" || r == "*" || r == n) return true;
    if (absl::EndsWith(r, ".*") && absl::StartsWith(n, absl::string_view(r.data(), r.size() - 2))) {
      return true;
    }
  }
  return false;
}

std::string Millis(absl::Time t) { return absl::StrCat(absl::ToUnixMillis(t)); }

}  // namespace

// Counts one receive in progress for AwaitReceivers: a ReceiveMessage call,
// or a ReceiveMessageAsync until its completion has returned (moved into
// it). The queue must outlive it.
class QueueImpl::ReceiveCall {
 public:
  explicit ReceiveCall(QueueImpl& queue)
      : queue_(&queue), stripe_(metrics_internal::ThisThreadStripe()) {
    queue_->receives_in_progress_[stripe_].n.fetch_add(1);
  }
  ReceiveCall(ReceiveCall&& other) noexcept
      : queue_(std::exchange(other.queue_, nullptr)), stripe_(other.stripe_) {}
  ReceiveCall& operator=(ReceiveCall&&) = delete;
  ~ReceiveCall() {
    if (queue_ == nullptr) return;  // Moved from.
    queue_->receives_in_progress_[stripe_].n.fetch_sub(1);
    // Not knowing whether it was the last, every call that ends after
    // MarkDeleted signals (a deleted queue has few).
    if (queue_->deleted_.load()) {
      MutexLock lock(&queue_->receivers_mu_);
      queue_->receivers_done_.SignalAll();
    }
  }

 private:
  QueueImpl* queue_;
  int stripe_;  // Where the call is counted (the destroying thread may differ).
};

void QueueImpl::MarkDeleted() {
  deleted_.store(true);
  core_->Close();
}

void QueueImpl::AwaitReceivers() {
  const auto in_progress = [this] {
    int n = 0;
    for (const ReceiveCount& count : receives_in_progress_) n += count.n.load();
    return n;
  };
  MutexLock lock(&receivers_mu_);
  while (in_progress() > 0) receivers_done_.Wait(&receivers_mu_);
}

// What a validated ReceiveMessage request asks of the engine and of the
// result.
struct QueueImpl::ReceivePlan {
  queue_internal::ReceiveArgs args;
  uint32_t mask = 0;  // System attributes to return.
};

absl::Status QueueImpl::PlanReceive(const sqs::ReceiveMessageRequest& request,
                                    ReceivePlan& plan) const {
  if (absl::Status s = CheckAlive(); !s.ok()) return s;
  if (request.max_number_of_messages < 1 || request.max_number_of_messages > 10) {
    return InvalidParameter(absl::StrCat("Value ", request.max_number_of_messages,
                                         " for parameter MaxNumberOfMessages is invalid. Reason: "
                                         "Must be between 1 and 10, if provided."));
  }
  const int visibility =
      request.visibility_timeout.value_or(visibility_timeout_.load(std::memory_order_relaxed));
  if (visibility < 0 || visibility > 43200) return VisibilityTimeoutOutOfRange(visibility);
  const int wait =
      request.wait_time_seconds.value_or(receive_wait_seconds_.load(std::memory_order_relaxed));
  if (wait < 0 || wait > 20) {
    return InvalidParameter(absl::StrCat("Value ", wait,
                                         " for parameter WaitTimeSeconds is invalid. Reason: Must "
                                         "be >= 0 and <= 20, if provided."));
  }
  // Standard queues ignore the id altogether: it "applies only to FIFO
  // queues" (API reference), and AWS accepts it on standard queues
  // (awspring/spring-cloud-aws#529, which sent one with every receive).
  if (fifo_ && !request.receive_request_attempt_id.empty() &&
      !IsValidIdToken(request.receive_request_attempt_id)) {
    return base_internal::InvalidIdTokenError("ReceiveRequestAttemptId",
                                              request.receive_request_attempt_id);
  }
  if (!request.message_system_attribute_names.empty()) {
    absl::StatusOr<uint32_t> system_mask =
        ParseSystemAttributeNames(request.message_system_attribute_names);
    if (!system_mask.ok()) return system_mask.status();
    plan.mask = *system_mask;
  }
  plan.args.max_messages = request.max_number_of_messages;
  plan.args.visibility_timeout = absl::Seconds(visibility);
  // A short poll never waits: any deadline not after Now() says so, and
  // InfinitePast says it without reading the clock (here or in the engine).
  plan.args.wait_deadline =
      wait == 0 ? absl::InfinitePast() : service_->clock().Now() + absl::Seconds(wait);
  if (fifo_) plan.args.receive_request_attempt_id = request.receive_request_attempt_id;
  plan.args.stop = request.stop_token;
  return absl::OkStatus();
}

absl::Status QueueImpl::CountReceived(const absl::StatusOr<std::vector<Delivery>>& got) const {
  if (!got.ok()) return got.status();
  // A receive that a DeleteQueue ended (Close) reports what a receive on the
  // deleted queue would.
  if (got->empty() && deleted()) return base_internal::QueueDoesNotExistError();
  if (stats_ != nullptr) {
    if (got->empty()) {
      stats_->counters.Add(QueueStats::kEmptyReceives, 1);
    } else {
      stats_->counters.Add(QueueStats::kReceived, got->size());
    }
  }
  return absl::OkStatus();
}

namespace {

// Calls add(bit, name, value) for each system attribute in `mask` that `d`
// has, moving d's strings into the values.
template <typename Add>
void AddSystemAttributes(Delivery& d, uint32_t mask, bool fifo, const std::string& sender_id,
                         Add add) {
  const queue_internal::PayloadAttributes* extra = d.payload->attributes();
  if (mask & kReceiveCount) {
    add(kReceiveCount, "ApproximateReceiveCount", absl::StrCat(d.receive_count));
  }
  if (mask & kFirstReceiveTimestamp) {
    add(kFirstReceiveTimestamp, "ApproximateFirstReceiveTimestamp", Millis(d.first_receive_time));
  }
  if (mask & kSentTimestamp) add(kSentTimestamp, "SentTimestamp", Millis(d.sent_time));
  if (mask & kSenderId) add(kSenderId, "SenderId", std::string(sender_id));
  if ((mask & kTraceHeader) && extra != nullptr && !extra->aws_trace_header.empty()) {
    add(kTraceHeader, "AWSTraceHeader", std::string(extra->aws_trace_header));
  }
  if ((mask & kDeadLetterSource) && !d.dead_letter_source_arn.empty()) {
    add(kDeadLetterSource, "DeadLetterQueueSourceArn", std::move(d.dead_letter_source_arn));
  }
  if ((mask & kGroupId) && !d.message_group_id.empty()) {
    add(kGroupId, "MessageGroupId", std::move(d.message_group_id));
  }
  if ((mask & kDeduplicationId) && fifo && !d.deduplication_id.empty()) {
    add(kDeduplicationId, "MessageDeduplicationId", std::move(d.deduplication_id));
  }
  if ((mask & kSequenceNumber) && !d.sequence_number.empty()) {
    add(kSequenceNumber, "SequenceNumber", std::move(d.sequence_number));
  }
}

// The field of an SQS event record's attributes that holds `bit`.
std::string* RecordAttribute(lambda::SqsRecordAttributes& a, uint32_t bit) {
  switch (bit) {
    case kReceiveCount:
      return &a.approximate_receive_count;
    case kFirstReceiveTimestamp:
      return &a.approximate_first_receive_timestamp;
    case kSentTimestamp:
      return &a.sent_timestamp;
    case kSenderId:
      return &a.sender_id;
    case kTraceHeader:
      return &a.aws_trace_header;
    case kGroupId:
      return &a.message_group_id;
    case kDeduplicationId:
      return &a.message_deduplication_id;
    case kSequenceNumber:
      return &a.sequence_number;
    default:
      return nullptr;  // DeadLetterQueueSourceArn: not part of the event.
  }
}

}  // namespace

absl::StatusOr<sqs::ReceiveMessageResult> QueueImpl::ToResult(
    absl::StatusOr<std::vector<Delivery>> deliveries, uint32_t mask,
    const std::vector<std::string>& attribute_names) const {
  if (absl::Status s = CountReceived(deliveries); !s.ok()) return s;
  sqs::ReceiveMessageResult result{.messages = std::vector<sqs::Message>(deliveries->size())};
  for (size_t i = 0; i < deliveries->size(); ++i) {
    Delivery& d = (*deliveries)[i];
    sqs::Message& m = result.messages[i];
    // Each string is built at its exact size with one allocation (assigning
    // text to an empty std::string takes the slower general replace path).
    m.message_id = std::string(d.message_id.view());
    m.receipt_handle = std::string(d.receipt_handle.view());
    m.body = std::string(d.payload->body());
    if (mask != 0) {
      AddSystemAttributes(d, mask, fifo_, service_->options().sender_id,
                          [&m](uint32_t, std::string_view name, std::string value) {
                            m.attributes.emplace(std::string(name), std::move(value));
                          });
    }
    const queue_internal::PayloadAttributes* extra = d.payload->attributes();
    if (attribute_names.empty() || extra == nullptr) {
      m.md5_of_body = Md5Hex(std::move(d.payload));  // The delivery is done with it.
      continue;
    }
    m.md5_of_body = Md5Hex(d.payload);
    for (const auto& [name, value] : extra->message_attributes) {
      if (AttributeRequested(attribute_names, name)) {
        m.message_attributes.emplace(name, value);
      }
    }
    if (m.message_attributes.size() == extra->message_attributes.size()) {
      m.md5_of_message_attributes = extra->md5_of_message_attributes;
    } else {
      m.md5_of_message_attributes = base_internal::AttributesMd5(m.message_attributes);
    }
  }
  queue_internal::RecycleDeliveries(std::move(*deliveries));
  return result;
}

absl::StatusOr<std::vector<lambda::SqsRecord>> QueueImpl::ToRecords(
    absl::StatusOr<std::vector<Delivery>> deliveries, const std::string& region) const {
  if (absl::Status s = CountReceived(deliveries); !s.ok()) return s;
  std::vector<lambda::SqsRecord> records(deliveries->size());
  for (size_t i = 0; i < records.size(); ++i) {
    Delivery& d = (*deliveries)[i];
    lambda::SqsRecord& r = records[i];
    r.message_id = std::move(d.message_id);
    r.receipt_handle = std::move(d.receipt_handle);
    r.body = d.payload->body();
    // The event carries no DeadLetterQueueSourceArn.
    AddSystemAttributes(d, kAllSystemAttributes & ~kDeadLetterSource, fifo_,
                        service_->options().sender_id,
                        [&r](uint32_t bit, std::string_view, std::string value) {
                          if (std::string* field = RecordAttribute(r.attributes, bit)) {
                            *field = std::move(value);
                          }
                        });
    if (const queue_internal::PayloadAttributes* extra = d.payload->attributes();
        extra != nullptr && !extra->message_attributes.empty()) {
      r.message_attributes = extra->message_attributes;
      r.md5_of_message_attributes = extra->md5_of_message_attributes;
    }
    r.md5_of_body = Md5Hex(d.payload);
    r.event_source_arn = arn_;
    r.aws_region = region;
  }
  queue_internal::RecycleDeliveries(std::move(*deliveries));
  return records;
}

absl::StatusOr<sqs::ReceiveMessageResult> QueueImpl::ReceiveMessage(
    const sqs::ReceiveMessageRequest& request) {
  ReceiveCall call(*this);
  ReceivePlan plan;
  if (absl::Status s = PlanReceive(request, plan); !s.ok()) return s;
  return ToResult(core_->Receive(plan.args), plan.mask, request.message_attribute_names);
}

// The engine's completion of a ReceiveMessageAsync. It keeps the queue (and
// so its engine) alive until it is destroyed; the engine drops it once
// called, which breaks the cycle. It counts as a receive in progress until
// destroyed, `done` included, so that no callback runs after the broker's
// destructor.
struct QueueImpl::AsyncReceive {
  // Destroyed in reverse order: the call ends before the queue may go.
  std::shared_ptr<QueueImpl> queue;
  ReceiveCall call;
  uint32_t mask;
  std::vector<std::string> attribute_names;
  sqs::ReceiveMessageCallback done;

  void operator()(absl::StatusOr<std::vector<Delivery>> deliveries) {
    std::move(done)(queue->ToResult(std::move(deliveries), mask, attribute_names));
  }
};

void QueueImpl::ReceiveMessageAsync(sqs::ReceiveMessageRequest request,
                                    sqs::ReceiveMessageCallback done) {
  ReceiveCall call(*this);
  ReceivePlan plan;
  if (absl::Status s = PlanReceive(request, plan); !s.ok()) {
    std::move(done)(std::move(s));
    return;
  }
  core_->ReceiveAsync(std::move(plan.args),
                      AsyncReceive{shared_from_this(), std::move(call), plan.mask,
                                   std::move(request.message_attribute_names), std::move(done)});
}

// The engine's completion of a ReceiveRecordsAsync; as AsyncReceive.
struct QueueImpl::AsyncRecordReceive {
  std::shared_ptr<QueueImpl> queue;
  ReceiveCall call;
  std::string region;
  lambda_internal::RecordsDone done;

  void operator()(absl::StatusOr<std::vector<Delivery>> deliveries) {
    std::move(done)(queue->ToRecords(std::move(deliveries), region));
  }
};

void QueueImpl::ReceiveRecordsAsync(lambda_internal::RecordReceive receive,
                                    lambda_internal::RecordsDone done) {
  ReceiveCall call(*this);
  if (absl::Status s = CheckAlive(); !s.ok()) {
    std::move(done)(s);
    return;
  }
  queue_internal::ReceiveArgs args;
  args.max_messages = std::clamp(receive.max_records, 1, 10);
  args.visibility_timeout = absl::Seconds(visibility_timeout_.load(std::memory_order_relaxed));
  args.wait_deadline =
      service_->clock().Now() + absl::Seconds(std::clamp(receive.wait_seconds, 0, 20));
  args.stop = std::move(receive.stop);
  core_->ReceiveAsync(std::move(args),
                      AsyncRecordReceive{shared_from_this(), std::move(call),
                                         std::move(receive.region), std::move(done)});
}

void QueueImpl::DeleteRecords(std::vector<std::string>& receipt_handles) {
  if (receipt_handles.empty() || !CheckAlive().ok()) return;
  const uint64_t since = Mark();
  size_t deleted = 0;
  for (const std::string& handle : receipt_handles) {
    if (core_->Delete(handle).ok()) ++deleted;
  }
  if (deleted == 0) return;
  // A failed commit is not counted (DeleteMessageBatch would return its error).
  if (store_ != nullptr && !Commit(since).ok()) return;
  if (stats_ != nullptr) stats_->counters.Add(QueueStats::kDeleted, deleted);
}

}  // namespace wharf::service_internal
