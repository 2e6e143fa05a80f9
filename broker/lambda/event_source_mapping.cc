#include "broker/lambda/event_source_mapping.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/completion_scope.h"
#include "broker/base/ids.h"
#include "broker/lambda/event_json.h"
#include "wharf/errors.h"

namespace wharf::lambda_internal {
namespace {

// AWS: a mapping starts with five concurrent batches and adds up to 300 a
// minute while messages remain, up to 1,000 (or MaximumConcurrency).
constexpr int kBaseConcurrency = 5;
constexpr int kScaleUpStep = 300;
constexpr int kDefaultMaxConcurrency = 1000;
constexpr absl::Duration kScaleUpInterval = absl::Minutes(1);
// An idle long poll (SystemClock).
constexpr int kLongPollSeconds = 20;
// Idle slots that long-poll at once (SystemClock); the others park. With two,
// the one that receives a message invokes the function at once while the
// other keeps listening, so no wake-up of a parked slot sits between a
// message and its handler.
constexpr int kStandbyPollers = 2;
// Batches a slot runs in one executor task before it yields (SystemClock).
constexpr int kBatchesPerTask = 16;
// After a receive error other than a deleted queue (e.g. OverLimit).
constexpr absl::Duration kErrorBackoff = absl::Seconds(1);
// The "{"Records":[" and "]}" around the records.
constexpr size_t kEventFraming = 14;

// A receive that completes on the thread that started it (inside
// ReceiveMessageAsync) is handed back through this instead of being
// scheduled, so a busy slot loops rather than hopping through the executor.
struct InlineReceive {
  const void* slot;
  absl::StatusOr<std::vector<lambda::SqsRecord>>* result;
  bool* done;
};
thread_local InlineReceive* tl_inline = nullptr;

bool Matches(const Matcher& filters, const lambda::SqsRecord& record) {
  absl::StatusOr<std::vector<std::string>> ids =
      filters.MatchJson(RenderSqsRecordForFilter(record));
  return ids.ok() && !ids->empty();
}

// The age of the oldest record at `now`, from the SentTimestamps (epoch
// milliseconds, in decimal: the shortest, then the smallest, is the oldest);
// 0 when none has one. Parses one number per batch.
int64_t OldestAgeMillis(const std::vector<lambda::SqsRecord>& records, absl::Time now) {
  const std::string* oldest = nullptr;
  for (const lambda::SqsRecord& r : records) {
    const std::string& t = r.attributes.sent_timestamp;
    if (t.empty()) continue;
    if (oldest == nullptr || t.size() < oldest->size() ||
        (t.size() == oldest->size() && t < *oldest)) {
      oldest = &t;
    }
  }
  int64_t millis = 0;
  if (oldest == nullptr || !absl::SimpleAtoi(*oldest, &millis)) return 0;
  return std::max<int64_t>(0, absl::ToUnixMillis(now) - millis);
}

}  // namespace

std::string_view MappingStateName(MappingState state) {
  switch (state) {
    case MappingState::kCreating:
      return "Creating";
    case MappingState::kEnabling:
      return "Enabling";
    case MappingState::kEnabled:
      return "Enabled";
    case MappingState::kDisabling:
      return "Disabling";
    case MappingState::kDisabled:
      return "Disabled";
    case MappingState::kUpdating:
      return "Updating";
    case MappingState::kDeleting:
    case MappingState::kDeleted:
      return "Deleting";
  }
  return "Disabled";
}

struct EventSourceMapping::Slot {
  // The batch being gathered, and what did not fit in it (the next batch).
  std::vector<lambda::SqsRecord> records;
  std::vector<lambda::SqsRecord> carry;
  // JSON size of `records`: an upper bound until it would pass the limit,
  // then exact.
  size_t bytes = 0;
  bool exact = false;
  absl::Time window_end = absl::InfiniteFuture();
  std::stop_source stop;  // Of the current receive.
  int requested = 0;      // MaxNumberOfMessages of the current receive.
  bool standby = false;   // The current receive is an idle long poll.

  bool Full(int batch_size) const {
    return !carry.empty() || records.size() >= static_cast<size_t>(batch_size);
  }

  // Adds `record` to the batch unless it would take the event past the
  // payload limit (then it goes to `carry`, as does everything after it).
  void Add(lambda::SqsRecord record) {
    if (!carry.empty()) {
      carry.push_back(std::move(record));
      return;
    }
    const size_t framing = kEventFraming + records.size();
    if (!exact) {
      size_t bound = SqsRecordJsonSizeBound(record);
      if (bytes + bound + framing <= kMaxSyncPayloadBytes) {
        bytes += bound;
        records.push_back(std::move(record));
        return;
      }
      bytes = 0;
      for (const lambda::SqsRecord& r : records) bytes += SqsRecordJsonSize(r);
      exact = true;
    }
    size_t size = SqsRecordJsonSize(record);
    if (!records.empty() && bytes + size + framing > kMaxSyncPayloadBytes) {
      carry.push_back(std::move(record));
      return;
    }
    bytes += size;
    records.push_back(std::move(record));
  }

  // Add for each of `received`, in order; takes the whole vector (no move of
  // each record) when the batch is empty and everything fits.
  void AddAll(std::vector<lambda::SqsRecord>& received) {
    if (records.empty() && carry.empty() && !exact) {
      size_t bound = kEventFraming + received.size();
      for (const lambda::SqsRecord& r : received) bound += SqsRecordJsonSizeBound(r);
      if (bound <= kMaxSyncPayloadBytes) {
        bytes = bound - kEventFraming - received.size();
        records.swap(received);
        return;
      }
    }
    for (lambda::SqsRecord& r : received) Add(std::move(r));
  }
};

std::shared_ptr<EventSourceMapping> EventSourceMapping::Create(Deps deps, std::string uuid,
                                                               std::string queue_arn,
                                                               std::shared_ptr<RecordSource> queue,
                                                               bool fifo, MappingSettings settings,
                                                               bool enabled) {
  std::shared_ptr<EventSourceMapping> mapping(
      new EventSourceMapping(std::move(deps), std::move(uuid), std::move(queue_arn),
                             std::move(queue), fifo, std::move(settings), enabled));
  MutexLock lock(&mapping->mu_);
  mapping->ScheduleTransition();
  return mapping;
}

EventSourceMapping::EventSourceMapping(Deps deps, std::string uuid, std::string queue_arn,
                                       std::shared_ptr<RecordSource> queue, bool fifo,
                                       MappingSettings settings, bool enabled)
    : deps_(std::move(deps)),
      uuid_(std::move(uuid)),
      queue_arn_(std::move(queue_arn)),
      queue_(std::move(queue)),
      fifo_(fifo),
      settings_(std::move(settings)),
      enabled_(enabled),
      // AWS answers a mapping created disabled with State "Disabled" at once
      // (LocalStack's test_fifo_message_group_parallelism snapshot).
      state_(enabled ? MappingState::kCreating : MappingState::kDisabled),
      last_modified_(deps_.clock->Now()) {}

EventSourceMapping::~EventSourceMapping() = default;

MappingView EventSourceMapping::Describe() const {
  MutexLock lock(&mu_);
  return MappingView{.uuid = uuid_,
                     .queue_arn = queue_arn_,
                     .settings = settings_,
                     .state = state_,
                     .state_transition_reason = reason_,
                     .last_modified = last_modified_};
}

bool EventSourceMapping::Transitional() const {
  return state_ == MappingState::kCreating || state_ == MappingState::kUpdating ||
         state_ == MappingState::kEnabling || state_ == MappingState::kDisabling ||
         state_ == MappingState::kDeleting || state_ == MappingState::kDeleted;
}

void EventSourceMapping::SetState(MappingState state, std::string_view reason) {
  state_ = state;
  reason_ = reason;
  last_modified_ = deps_.clock->Now();
  progress_.fetch_add(1, std::memory_order_acq_rel);
}

void EventSourceMapping::ScheduleTransition() {
  if (transition_queued_ || shutdown_) return;
  transition_queued_ = true;
  std::weak_ptr<EventSourceMapping> weak = weak_from_this();
  deps_.executor->Schedule([weak] {
    if (auto self = weak.lock()) self->CompleteTransition();
  });
}

void EventSourceMapping::CompleteTransition() {
  MutexLock lock(&mu_);
  transition_queued_ = false;
  if (shutdown_) return;
  switch (state_) {
    case MappingState::kCreating:
    case MappingState::kEnabling:
      if (!enabled_) {
        SetState(MappingState::kDisabled, reason_);
        return;
      }
      SetState(MappingState::kEnabled, reason_);
      polling_ = true;
      target_ = BaseConcurrency();
      last_scale_up_ = deps_.clock->Now();
      SpawnSlotsLocked();
      return;
    case MappingState::kUpdating:
      SetState(enabled_ ? MappingState::kEnabled : MappingState::kDisabled, reason_);
      target_ = std::min(target_, MaxConcurrency());
      SpawnSlotsLocked();
      return;
    case MappingState::kDisabling:
    case MappingState::kDeleting:
      MaybeFinishStopLocked();
      return;
    case MappingState::kEnabled:
    case MappingState::kDisabled:
    case MappingState::kDeleted:
      return;
  }
}

absl::Status EventSourceMapping::Update(MappingSettings settings, std::optional<bool> enabled) {
  CompletionScope completions;  // Before mu_ (see StopPollingLocked).
  MutexLock lock(&mu_);
  if (Transitional()) {
    // AWS's code (ResourceInUseException); the text is ours (unrecorded).
    return MakeError(
        ErrorCode::kLambdaResourceInUse,
        absl::StrCat("Cannot update the event source mapping ", uuid_,
                     " because it is in use (state ", std::string(MappingStateName(state_)), ")."));
  }
  settings_ = std::move(settings);
  if (enabled.has_value() && *enabled != enabled_) {
    enabled_ = *enabled;
    if (enabled_) {
      SetState(MappingState::kEnabling, kUserInitiated);
    } else {
      SetState(MappingState::kDisabling, kUserInitiated);
      StopPollingLocked();
    }
  } else {
    SetState(MappingState::kUpdating, kUserInitiated);
  }
  ScheduleTransition();
  return absl::OkStatus();
}

absl::Status EventSourceMapping::Delete() {
  CompletionScope completions;  // Before mu_ (see StopPollingLocked).
  MutexLock lock(&mu_);
  if (state_ == MappingState::kCreating || state_ == MappingState::kUpdating ||
      state_ == MappingState::kDeleting || state_ == MappingState::kDeleted) {
    // AWS's code (ResourceInUseException); the text is ours (unrecorded).
    return MakeError(
        ErrorCode::kLambdaResourceInUse,
        absl::StrCat("Cannot delete the event source mapping ", uuid_,
                     " because it is in use (state ", std::string(MappingStateName(state_)), ")."));
  }
  SetState(MappingState::kDeleting, kUserInitiated);
  StopPollingLocked();
  ScheduleTransition();
  return absl::OkStatus();
}

void EventSourceMapping::DisableByLambda() {
  CompletionScope completions;  // Before mu_ (see StopPollingLocked).
  MutexLock lock(&mu_);
  if (!enabled_ || state_ == MappingState::kDeleting || state_ == MappingState::kDeleted) return;
  enabled_ = false;
  SetState(MappingState::kDisabling, kLambdaInitiated);
  StopPollingLocked();
  ScheduleTransition();
}

void EventSourceMapping::StopPollingLocked() {
  polling_ = false;
  // Stopping a receive ends it: its completion runs when the caller's
  // CompletionScope, opened before mu_, ends.
  for (const std::unique_ptr<Slot>& slot : slots_) slot->stop.request_stop();
  // Parked slots run once more: to flush a partial batch, then retire.
  WakeParkedLocked();
}

void EventSourceMapping::MaybeFinishStopLocked() {
  if (busy_ > 0 || !slots_.empty()) return;
  if (state_ == MappingState::kDisabling) {
    SetState(MappingState::kDisabled, reason_);
  } else if (state_ == MappingState::kDeleting) {
    SetState(MappingState::kDeleted, reason_);
  }
}

int EventSourceMapping::BaseConcurrency() const {
  return std::min(kBaseConcurrency, MaxConcurrency());
}

int EventSourceMapping::MaxConcurrency() const {
  return settings_.maximum_concurrency.value_or(kDefaultMaxConcurrency);
}

void EventSourceMapping::SpawnSlotsLocked() {
  if (!polling_) return;
  while (static_cast<int>(slots_.size()) < target_) {
    slots_.push_back(std::make_unique<Slot>());
    ++busy_;
    ScheduleStep(slots_.back().get(), /*invoke=*/false);
  }
}

void EventSourceMapping::ScheduleStep(Slot* slot, bool invoke) {
  std::shared_ptr<EventSourceMapping> self = shared_from_this();
  deps_.executor->Schedule(
      [self, slot, invoke] { self->RunSlot(slot, invoke ? Next::kInvoke : Next::kPollAgain); });
}

void EventSourceMapping::ParkLocked(Slot* slot) {
  parked_.push_back(slot);
  --busy_;
  MaybeFinishStopLocked();
}

void EventSourceMapping::RetireLocked(Slot* slot) {
  --busy_;
  auto it = std::find_if(slots_.begin(), slots_.end(),
                         [slot](const std::unique_ptr<Slot>& s) { return s.get() == slot; });
  if (it != slots_.end()) slots_.erase(it);
  MaybeFinishStopLocked();
}

void EventSourceMapping::WakeParkedLocked() {
  for (Slot* slot : parked_) {
    ++busy_;
    ScheduleStep(slot, /*invoke=*/false);
  }
  parked_.clear();
}

void EventSourceMapping::WakeOneParkedLocked() {
  if (parked_.empty()) return;
  Slot* slot = parked_.back();
  parked_.pop_back();
  ++busy_;
  ScheduleStep(slot, /*invoke=*/false);
}

void EventSourceMapping::Wake() {
  MutexLock lock(&mu_);
  if (polling_) WakeParkedLocked();
}

void EventSourceMapping::Shutdown() {
  CompletionScope completions;  // Before mu_ (see StopPollingLocked).
  MutexLock lock(&mu_);
  shutdown_ = true;
  polling_ = false;
  for (const std::unique_ptr<Slot>& slot : slots_) slot->stop.request_stop();
}

MappingCounterValues Read(const MappingCounters& c) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  return MappingCounterValues{
      .polled = c.polled.load(kRelaxed),
      .filtered_out = c.filtered_out.load(kRelaxed),
      .invoked = c.invoked.load(kRelaxed),
      .failed = c.failed.load(kRelaxed),
      .deleted = c.deleted.load(kRelaxed),
      .batches = c.batches.load(kRelaxed),
      .oldest_record_age_millis = c.oldest_record_age_millis.load(kRelaxed)};
}

int EventSourceMapping::NumPollers() const {
  MutexLock lock(&mu_);
  return static_cast<int>(slots_.size());
}

void EventSourceMapping::RunSlot(Slot* slot, Next next) {
  int batches = 0;
  for (;;) {
    switch (next) {
      case Next::kPollAgain:
        next = PollStep(slot);
        break;
      case Next::kInvoke:
        next = InvokeStep(slot);
        if (next == Next::kDone) return;
        // ManualClock: yield after every batch, so that the slots of a drain
        // take turns. Otherwise after a few, so that one backlog cannot hold
        // a worker for good.
        if (deps_.manual || ++batches == kBatchesPerTask) {
          MutexLock lock(&mu_);
          ScheduleStep(slot, next == Next::kInvoke);
          return;
        }
        break;
      case Next::kDone:
        return;
    }
  }
}

EventSourceMapping::Next EventSourceMapping::PollStep(Slot* slot) {
  for (;;) {
    RecordReceive request;
    {
      MutexLock lock(&mu_);
      if (shutdown_) return Next::kDone;
      const bool holding = !slot->records.empty() || !slot->carry.empty();
      if (!polling_) {
        if (!holding) {
          RetireLocked(slot);
          return Next::kDone;
        }
        return Next::kInvoke;  // Flush what was received before polling stopped.
      }
      if (slot->Full(settings_.batch_size)) return Next::kInvoke;
      if (!holding && static_cast<int>(slots_.size()) > target_) {
        RetireLocked(slot);
        return Next::kDone;
      }
      const absl::Time now = deps_.clock->Now();
      if (holding && now >= slot->window_end) return Next::kInvoke;
      int wait = 0;
      if (!deps_.manual) {
        if (holding) {
          // Wait for more records until the window ends, then stop the poll.
          double remaining = absl::ToDoubleSeconds(slot->window_end - now);
          wait = static_cast<int>(std::min<double>(kLongPollSeconds, std::ceil(remaining)));
          std::stop_source stop;
          slot->stop = stop;
          deps_.scheduler->ScheduleAt(slot->window_end, [stop]() mutable { stop.request_stop(); });
        } else if (standby_ < kStandbyPollers) {
          ++standby_;
          slot->standby = true;
          wait = kLongPollSeconds;
          slot->stop = std::stop_source();
        } else {
          slot->stop = std::stop_source();
        }
      } else {
        slot->stop = std::stop_source();
      }
      request.max_records =
          std::min<int>(10, settings_.batch_size - static_cast<int>(slot->records.size()));
      slot->requested = request.max_records;
      request.wait_seconds = wait;
      request.stop = slot->stop.get_token();
      request.region = deps_.region;
    }
    absl::StatusOr<std::vector<lambda::SqsRecord>> result = absl::UnknownError("pending");
    bool done = false;
    InlineReceive capture{slot, &result, &done};
    InlineReceive* const saved = tl_inline;
    tl_inline = &capture;
    std::weak_ptr<EventSourceMapping> weak = weak_from_this();
    queue_->ReceiveRecordsAsync(
        std::move(request), [weak, slot](absl::StatusOr<std::vector<lambda::SqsRecord>> got) {
          if (InlineReceive* c = tl_inline; c != nullptr && c->slot == slot) {
            *c->result = std::move(got);
            *c->done = true;
            return;
          }
          std::shared_ptr<EventSourceMapping> self = weak.lock();
          if (self == nullptr) return;
          std::shared_ptr<Executor> executor = self->deps_.executor;
          executor->Schedule([self = std::move(self), slot, got = std::move(got)]() mutable {
            self->RunSlot(slot, self->OnReceived(slot, std::move(got)));
          });
        });
    tl_inline = saved;
    if (!done) return Next::kDone;  // Completes later, as a task.
    Next next = OnReceived(slot, std::move(result));
    if (next != Next::kPollAgain) return next;
  }
}

EventSourceMapping::Next EventSourceMapping::OnReceived(
    Slot* slot, absl::StatusOr<std::vector<lambda::SqsRecord>> result) {
  std::shared_ptr<const Matcher> filters;
  {
    MutexLock lock(&mu_);
    filters = settings_.filters;
  }
  // With filters, records are matched (outside the lock: the matcher may be
  // slow) and those no filter matches are deleted without invoking.
  std::vector<lambda::SqsRecord> matched;
  size_t filtered = 0;
  if (result.ok() && filters != nullptr) {
    std::vector<std::string> filtered_out;
    for (lambda::SqsRecord& record : *result) {
      if (Matches(*filters, record)) {
        matched.push_back(std::move(record));
      } else {
        filtered_out.push_back(std::move(record.receipt_handle));
      }
    }
    filtered = filtered_out.size();
    if (filtered > 0) queue_->DeleteRecords(filtered_out);
  }
  if (result.ok() && !result->empty()) {
    counters_.polled.fetch_add(result->size(), std::memory_order_relaxed);
    if (filtered > 0) counters_.filtered_out.fetch_add(filtered, std::memory_order_relaxed);
  }

  CompletionScope completions;  // Before mu_ (see StopPollingLocked).
  MutexLock lock(&mu_);
  if (slot->standby) {
    slot->standby = false;
    --standby_;
  }
  if (shutdown_) return Next::kDone;
  if (!result.ok()) {
    if (GetErrorCode(result.status()) == ErrorCode::kQueueDoesNotExist) {
      if (enabled_ && state_ != MappingState::kDeleting) {
        enabled_ = false;
        SetState(MappingState::kDisabling, kLambdaInitiated);
        StopPollingLocked();
        ScheduleTransition();
      }
    } else if (polling_ && !deps_.manual) {
      // A passing error (e.g. OverLimit): try again a little later.
      std::weak_ptr<EventSourceMapping> weak = weak_from_this();
      deps_.scheduler->ScheduleAfter(kErrorBackoff, [weak, slot] {
        if (auto self = weak.lock()) {
          MutexLock relock(&self->mu_);
          self->ScheduleStep(slot, /*invoke=*/false);
        }
      });
      return Next::kDone;
    }
  }
  const size_t received = result.ok() ? result->size() : 0;
  const bool got = received > 0;
  if (got) progress_.fetch_add(1, std::memory_order_acq_rel);
  if (received > filtered) {
    if (slot->records.empty() && slot->carry.empty()) {
      slot->window_end = deps_.clock->Now() + absl::Seconds(settings_.batching_window_seconds);
    }
    slot->AddAll(filters != nullptr ? matched : *result);
    // Batches of more than one receive: room for the next ones.
    if (settings_.batch_size > 10) {
      slot->records.reserve(static_cast<size_t>(std::min(settings_.batch_size, 64)));
    }
  }
  if (got) {
    if (static_cast<int>(received) >= slot->requested) {
      // A full receive: there is probably more to read, let every slot poll.
      WakeParkedLocked();
    } else if (busy_ - invoking_ == 1) {
      // This slot goes to work and no other polls (or is about to): wake one
      // to listen meanwhile.
      WakeOneParkedLocked();
    }
  }
  const bool holding = !slot->records.empty() || !slot->carry.empty();
  if (slot->Full(settings_.batch_size)) return Next::kInvoke;
  if (!polling_) {
    if (holding) return Next::kInvoke;
    RetireLocked(slot);
    return Next::kDone;
  }
  if (holding) {
    if (deps_.clock->Now() >= slot->window_end) return Next::kInvoke;
    if (!deps_.manual || got) return Next::kPollAgain;
    ParkLocked(slot);  // ManualClock: the window ends at an Advance.
    return Next::kDone;
  }
  if (got || !result.ok()) {
    if (got) return Next::kPollAgain;  // Everything was filtered out.
    ParkLocked(slot);
    return Next::kDone;
  }
  // The queue is empty: scale back to the base concurrency, then idle.
  target_ = std::min(target_, BaseConcurrency());
  if (static_cast<int>(slots_.size()) > target_) {
    RetireLocked(slot);
    return Next::kDone;
  }
  if (!deps_.manual && standby_ < kStandbyPollers) return Next::kPollAgain;  // Long-polls.
  ParkLocked(slot);
  return Next::kDone;
}

EventSourceMapping::Next EventSourceMapping::InvokeStep(Slot* slot) {
  std::vector<lambda::SqsRecord> batch;
  std::string function_name;
  std::string function_arn;
  bool report_batch_item_failures;
  bool full;
  {
    MutexLock lock(&mu_);
    if (shutdown_) return Next::kDone;
    ++invoking_;
    function_name = settings_.function_name;
    function_arn = settings_.function_arn;
    report_batch_item_failures = settings_.report_batch_item_failures;
    full = slot->Full(settings_.batch_size);
    batch.swap(slot->records);
    slot->bytes = 0;
    slot->exact = false;
    slot->window_end = absl::InfiniteFuture();
    std::vector<lambda::SqsRecord> carry;
    carry.swap(slot->carry);
    if (!carry.empty()) {
      slot->window_end = deps_.clock->Now() + absl::Seconds(settings_.batching_window_seconds);
      for (lambda::SqsRecord& r : carry) slot->Add(std::move(r));
    }
  }
  if (!batch.empty()) {
    std::shared_ptr<const Function> function = deps_.functions->Find(function_name);
    if (function == nullptr || function->arn != function_arn) {
      // The records stay in flight and come back after the visibility timeout.
      DisableByLambda();
    } else {
      lambda::Invocation invocation(lambda::SqsEvent{std::move(batch)}, function->arn,
                                    base_internal::NewUuid(),
                                    deps_.clock->Now() + function->timeout);
      const std::vector<lambda::SqsRecord>& records = invocation.sqs()->records;
      counters_.batches.fetch_add(1, std::memory_order_relaxed);
      counters_.invoked.fetch_add(records.size(), std::memory_order_relaxed);
      counters_.oldest_record_age_millis.store(OldestAgeMillis(records, deps_.clock->Now()),
                                               std::memory_order_relaxed);
      RunOutcome outcome = deps_.functions->Run(*function, invocation);
      progress_.fetch_add(1, std::memory_order_acq_rel);
      std::vector<bool> failed(records.size(), outcome.function_error);
      if (!outcome.function_error && report_batch_item_failures) {
        absl::flat_hash_set<std::string_view> ids;
        ids.reserve(records.size());
        for (const lambda::SqsRecord& r : records) ids.insert(r.message_id);
        BatchResponse response = ParseBatchResponse(outcome.payload, ids);
        if (response.whole_batch_failed) {
          failed.assign(records.size(), true);
        } else if (!response.failed_ids.empty()) {
          absl::flat_hash_set<std::string_view> failed_ids(response.failed_ids.begin(),
                                                           response.failed_ids.end());
          for (size_t i = 0; i < records.size(); ++i) {
            if (failed_ids.contains(records[i].message_id)) failed[i] = true;
          }
        }
      }
      // FIFO queues too: what the response does not name is deleted, even
      // after a failure in its group. AWS leaves order to the function ("your
      // function should stop processing messages after the first failure and
      // return all failed and unprocessed messages", Lambda developer guide).
      // The handler has returned: the event is ours again, and the receipt
      // handles move out rather than being copied. (The records were built
      // non-const; only Invocation's interface is const.)
      auto& owned = const_cast<std::vector<lambda::SqsRecord>&>(records);
      std::vector<std::string> done;
      done.reserve(owned.size());
      for (size_t i = 0; i < owned.size(); ++i) {
        if (!failed[i]) done.push_back(std::move(owned[i].receipt_handle));
      }
      counters_.failed.fetch_add(owned.size() - done.size(), std::memory_order_relaxed);
      counters_.deleted.fetch_add(done.size(), std::memory_order_relaxed);
      queue_->DeleteRecords(done);
    }
  }
  MutexLock lock(&mu_);
  --invoking_;
  if (shutdown_) return Next::kDone;
  const absl::Time now = deps_.clock->Now();
  if (full && polling_ && target_ < MaxConcurrency() && now - last_scale_up_ >= kScaleUpInterval) {
    target_ = std::min(target_ + kScaleUpStep, MaxConcurrency());
    last_scale_up_ = now;
    SpawnSlotsLocked();
  }
  return slot->Full(settings_.batch_size) ? Next::kInvoke : Next::kPollAgain;
}

}  // namespace wharf::lambda_internal
