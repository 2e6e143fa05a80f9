#include "broker/bus/bus_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "broker/base/aws_errors.h"
#include "broker/base/ids.h"
#include "broker/bus/event_envelope.h"
#include "wharf/errors.h"

namespace wharf::bus_internal {
namespace {

constexpr char kDefaultBus[] = "default";
constexpr int kDefaultMaxRetries = 185;
constexpr int kDefaultMaxAgeSeconds = 86400;
constexpr absl::Duration kMaxBackoff = absl::Seconds(300);
// An event may cross this many bus-to-bus targets; a further hop fails (a
// guard against rule loops between buses, which would otherwise recurse).
constexpr int kMaxHops = 5;

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

using base_internal::ArchiveNotFoundError;
using base_internal::EventBusNotFoundError;
using base_internal::EventsAlreadyExistsError;
using base_internal::EventsLimitExceededError;
using base_internal::ReplayNotFoundError;
using base_internal::RuleNotFoundError;

// Backoff before retry number `retry` (1-based): 1 s, 2 s, 4 s, … capped.
absl::Duration Backoff(int retry) {
  if (retry > 9) return kMaxBackoff;
  return std::min(kMaxBackoff, absl::Seconds(int64_t{1} << (retry - 1)));
}

bool IsRetryable(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kDeadlineExceeded || code == absl::StatusCode::kInternal;
}

// Later tags with the same key win.
TagMap ToTagMap(const std::vector<events::Tag>& tags) {
  TagMap out;
  for (const events::Tag& tag : tags) out.insert_or_assign(tag.key, tag.value);
  return out;
}

// `tags` merged into `into`: false (and `into` unchanged) when the result
// would hold more than kMaxTagsPerResource tags.
bool MergeTags(const std::vector<events::Tag>& tags, TagMap& into) {
  TagMap merged = into;
  for (const events::Tag& tag : tags) merged.insert_or_assign(tag.key, tag.value);
  if (merged.size() > kMaxTagsPerResource) return false;
  into = std::move(merged);
  return true;
}

std::vector<events::Tag> FromTagMap(const TagMap& tags) {
  std::vector<events::Tag> out;
  out.reserve(tags.size());
  for (const auto& [key, value] : tags) out.push_back({key, value});
  return out;
}

std::string_view AfterLast(std::string_view s, char c) {
  size_t pos = s.rfind(c);
  return pos == std::string_view::npos ? s : s.substr(pos + 1);
}

}  // namespace

// ---- Internal state ---------------------------------------------------------

class BusRegistry::Bus {
 public:
  Bus(events::EventBus info, std::unique_ptr<Matcher> matcher, TagMap tags)
      : info(std::move(info)), matcher(std::move(matcher)), tags(std::move(tags)) {}

  const events::EventBus info;
  // Patterns of the enabled rules, under the rule names. Thread-safe itself;
  // changed only with `mu` held so that it agrees with `rules`.
  const std::unique_ptr<Matcher> matcher;

  Mutex mu;
  std::map<std::string, std::shared_ptr<const RuleEntry>, std::less<>> rules ABSL_GUARDED_BY(mu);
  std::vector<std::shared_ptr<ArchiveState>> archives ABSL_GUARDED_BY(mu);
  TagMap tags ABSL_GUARDED_BY(mu);  // The bus's own; a rule's are in its RuleEntry.
};

struct BusRegistry::ArchiveState {
  std::string name;
  std::string arn;
  std::string bus_name;
  std::string source_arn;
  absl::Time creation_time;

  Mutex mu;
  std::string description ABSL_GUARDED_BY(mu);
  std::string pattern ABSL_GUARDED_BY(mu);
  std::unique_ptr<Matcher> matcher ABSL_GUARDED_BY(mu);  // Null: every event.
  int retention_days ABSL_GUARDED_BY(mu) = 0;
  std::vector<std::shared_ptr<const Event>> events ABSL_GUARDED_BY(mu);  // Ingestion order.
  int64_t size_bytes ABSL_GUARDED_BY(mu) = 0;

  void DropExpired(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (retention_days <= 0) return;
    absl::Time cutoff = now - absl::Hours(24) * retention_days;
    auto keep = std::find_if(events.begin(), events.end(),
                             [&](const auto& e) { return e->ingestion_time >= cutoff; });
    for (auto it = events.begin(); it != keep; ++it) {
      size_bytes -= static_cast<int64_t>((*it)->envelope.size());
    }
    events.erase(events.begin(), keep);
  }

  events::Archive Describe(absl::Time now) {
    MutexLock lock(&mu);
    DropExpired(now);
    events::Archive a;
    a.archive_arn = arn;
    a.archive_name = name;
    a.event_source_arn = source_arn;
    a.description = description;
    a.event_pattern = pattern;
    a.state = "ENABLED";
    a.retention_days = retention_days;
    a.size_bytes = size_bytes;
    a.event_count = static_cast<int64_t>(events.size());
    a.creation_time = creation_time;
    return a;
  }

  void Offer(const std::shared_ptr<const Event>& event, absl::Time now) {
    MutexLock lock(&mu);
    if (matcher != nullptr) {
      auto matched = matcher->MatchJson(event->envelope);
      if (!matched.ok() || matched->empty()) return;
    }
    DropExpired(now);
    events.push_back(event);
    size_bytes += static_cast<int64_t>(event->envelope.size());
  }
};

struct BusRegistry::ReplayState {
  std::shared_ptr<ArchiveState> archive;
  std::weak_ptr<Bus> bus;

  Mutex mu;
  events::Replay info ABSL_GUARDED_BY(mu);
  bool cancel_requested ABSL_GUARDED_BY(mu) = false;
  // Filled when the replay starts running: the events to send, by event time,
  // and the end of each one-minute bucket in `pending`.
  std::vector<std::shared_ptr<const Event>> pending ABSL_GUARDED_BY(mu);
  size_t next ABSL_GUARDED_BY(mu) = 0;
  bool loaded ABSL_GUARDED_BY(mu) = false;
};

// ---- Construction and names -------------------------------------------------

BusRegistry::BusRegistry(Options options)
    : options_(std::move(options)),
      clock_(*options_.clock),
      own_scheduler_(options_.scheduler == nullptr ? std::make_unique<Scheduler>(*options_.clock)
                                                   : nullptr),
      scheduler_(options_.scheduler != nullptr ? options_.scheduler : own_scheduler_.get()) {
  events::CreateEventBusRequest def;
  def.name = kDefaultBus;
  auto created = CreateBus(def);
  (void)created;
}

BusRegistry::~BusRegistry() {
  {
    MutexLock lock(&lifeline_->mu);
    lifeline_->closed = true;
    while (lifeline_->running > 0) lifeline_->idle.Wait(&lifeline_->mu);
  }
  if (own_scheduler_ != nullptr) own_scheduler_->Shutdown();
}

void BusRegistry::ScheduleAt(absl::Time when, std::function<void()> fn) {
  scheduler_->ScheduleAt(when, [lifeline = lifeline_, fn = std::move(fn)] {
    {
      MutexLock lock(&lifeline->mu);
      if (lifeline->closed) return;
      ++lifeline->running;
    }
    fn();
    MutexLock lock(&lifeline->mu);
    if (--lifeline->running == 0) lifeline->idle.SignalAll();
  });
}

std::string BusRegistry::BusArn(std::string_view bus) const {
  return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":event-bus/",
                      Sv(bus));
}
std::string BusRegistry::RuleArn(std::string_view bus, std::string_view rule) const {
  if (bus == kDefaultBus) {
    return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":rule/",
                        Sv(rule));
  }
  return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":rule/",
                      Sv(bus), "/", Sv(rule));
}
std::string BusRegistry::ArchiveArn(std::string_view archive) const {
  return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":archive/",
                      Sv(archive));
}
std::string BusRegistry::ReplayArn(std::string_view replay) const {
  return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":replay/",
                      Sv(replay));
}
std::string BusRegistry::CallbackArn(std::string_view name) const {
  return absl::StrCat("arn:wharf:events:", options_.region, ":", options_.account_id, ":callback/",
                      Sv(name));
}

// ---- Buses ------------------------------------------------------------------

absl::StatusOr<events::EventBus> BusRegistry::CreateBus(
    const events::CreateEventBusRequest& request) {
  auto matcher = Matcher::Create(PatternDialect::kEventBridge);
  if (!matcher.ok()) return matcher.status();
  events::EventBus info;
  info.name = request.name;
  info.arn = BusArn(request.name);
  info.description = request.description;
  info.creation_time = clock_.Now();
  info.last_modified_time = info.creation_time;
  TagMap tags = ToTagMap(request.tags);
  if (tags.size() > kMaxTagsPerResource) return EventsLimitExceededError();
  MutexLock lock(&mu_);
  if (buses_.count(request.name) > 0) {
    return EventsAlreadyExistsError("Event bus", request.name);
  }
  if (static_cast<int>(buses_.size()) >= options_.limits.max_event_buses)
    return EventsLimitExceededError();
  buses_.emplace(request.name, std::make_shared<Bus>(info, *std::move(matcher), std::move(tags)));
  return info;
}

absl::Status BusRegistry::DeleteBus(std::string_view name) {
  MutexLock lock(&mu_);
  auto it = buses_.find(name);
  if (it != buses_.end()) buses_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<events::EventBus> BusRegistry::DescribeBus(std::string_view name) {
  auto bus = FindBus(name);
  if (!bus.ok()) return bus.status();
  return (*bus)->info;
}

std::vector<events::EventBus> BusRegistry::ListBuses(std::string_view prefix) {
  std::vector<events::EventBus> out;
  ReaderMutexLock lock(&mu_);
  for (const auto& [name, bus] : buses_) {
    if (absl::StartsWith(name, Sv(prefix))) out.push_back(bus->info);
  }
  return out;
}

bool BusRegistry::BusExists(std::string_view name) { return FindBus(name).ok(); }

absl::StatusOr<std::shared_ptr<BusRegistry::Bus>> BusRegistry::FindBus(std::string_view name) {
  ReaderMutexLock lock(&mu_);
  auto it = buses_.find(name);
  if (it == buses_.end()) return EventBusNotFoundError(name);
  return it->second;
}

// ---- Events -----------------------------------------------------------------

absl::Status BusRegistry::PutEvent(std::string_view bus_name, std::shared_ptr<const Event> event) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Dispatch(**bus, event, nullptr);
  return absl::OkStatus();
}

void BusRegistry::Dispatch(Bus& bus, const std::shared_ptr<const Event>& event,
                           const std::vector<std::string>* filter_rule_arns) {
  auto names = bus.matcher->MatchJson(event->envelope);
  std::vector<std::shared_ptr<const RuleEntry>> rules;
  std::vector<std::shared_ptr<ArchiveState>> archives;
  {
    ReaderMutexLock lock(&bus.mu);
    if (names.ok()) {
      rules.reserve(names->size());
      for (const std::string& name : *names) {
        auto it = bus.rules.find(name);
        if (it != bus.rules.end() && it->second->enabled) rules.push_back(it->second);
      }
    }
    if (event->replay_name.empty()) archives = bus.archives;
  }
  absl::Time now = clock_.Now();
  for (const auto& archive : archives) archive->Offer(event, now);

  EventView view(event->envelope);
  for (const auto& rule : rules) {
    if (filter_rule_arns != nullptr && std::find(filter_rule_arns->begin(), filter_rule_arns->end(),
                                                 rule->rule.arn) == filter_rule_arns->end()) {
      continue;
    }
    stats_.events_matched.fetch_add(1, std::memory_order_relaxed);
    for (const auto& target : rule->targets) Deliver(event, rule, target, 1, now, &view);
  }
}

void BusRegistry::Deliver(const std::shared_ptr<const Event>& event,
                          const std::shared_ptr<const RuleEntry>& rule,
                          const std::shared_ptr<const TargetEntry>& target, int attempt,
                          absl::Time at, EventView* view) {
  DeliveryOutcome outcome;
  if (view != nullptr) {
    outcome = Attempt(*event, *rule, *target, attempt, *view);
  } else {
    EventView own(event->envelope);
    outcome = Attempt(*event, *rule, *target, attempt, own);
  }
  if (outcome.kind == DeliveryOutcome::Kind::kOk) {
    stats_.deliveries_ok.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  stats_.delivery_failures.fetch_add(1, std::memory_order_relaxed);
  int retries_done = attempt - 1;
  if (outcome.kind == DeliveryOutcome::Kind::kPermanent) {
    DeadLetter(*event, *rule, *target, outcome, retries_done, "");
    return;
  }
  int max_retries = kDefaultMaxRetries;
  int max_age = kDefaultMaxAgeSeconds;
  if (const auto& policy = target->target.retry_policy; policy.has_value()) {
    max_retries = policy->maximum_retry_attempts.value_or(kDefaultMaxRetries);
    max_age = policy->maximum_event_age_in_seconds.value_or(kDefaultMaxAgeSeconds);
  }
  if (retries_done >= max_retries) {
    DeadLetter(*event, *rule, *target, outcome, retries_done, "MaximumRetryAttemptsExhausted");
    return;
  }
  // From the attempt's own time, not Now(): when a ManualClock jumps far
  // ahead, the retries in between still happen at their own times.
  absl::Time when = at + Backoff(attempt);
  if (when > event->ingestion_time + absl::Seconds(max_age)) {
    DeadLetter(*event, *rule, *target, outcome, retries_done, "MaximumEventAgeExhausted");
    return;
  }
  stats_.retries_scheduled.fetch_add(1, std::memory_order_relaxed);
  ScheduleAt(when, [this, event, rule, target, attempt, when] {
    Deliver(event, rule, target, attempt + 1, when, nullptr);
  });
}

DeliveryOutcome BusRegistry::Attempt(const Event& event, const RuleEntry& rule,
                                     const TargetEntry& target, int attempt, EventView& view) {
  const events::Target& t = target.target;
  DeliveryContext context{rule.rule.arn, rule.rule.name, event.ingestion_time};
  switch (target.kind) {
    case TargetEntry::Kind::kQueue: {
      std::string body = target.input->Render(view, context);
      std::string_view group = t.sqs_parameters.has_value()
                                   ? std::string_view(t.sqs_parameters->message_group_id)
                                   : std::string_view();
      return options_.endpoints->SendToQueue(t.arn, body, group, {}, event.trace_header);
    }
    case TargetEntry::Kind::kTopic:
      return options_.endpoints->PublishToTopic(t.arn, target.input->Render(view, context));
    case TargetEntry::Kind::kBus: {
      if (event.hops >= kMaxHops) {
        return DeliveryOutcome::Permanent("LimitExceededException",
                                          "The event crossed too many event buses.");
      }
      auto bus = FindBus(target.resource);
      if (!bus.ok()) {
        return DeliveryOutcome::Permanent("ResourceNotFoundException",
                                          std::string(bus.status().message()));
      }
      auto hop = std::make_shared<Event>(event);
      hop->hops = event.hops + 1;
      Dispatch(**bus, hop, nullptr);
      return DeliveryOutcome::Ok();
    }
    case TargetEntry::Kind::kCallback: {
      std::shared_ptr<const events::Callback> callback;
      {
        ReaderMutexLock lock(&mu_);
        auto it = callbacks_.find(target.resource);
        if (it != callbacks_.end()) callback = it->second;
      }
      if (callback == nullptr) {
        return DeliveryOutcome::Permanent(
            "ResourceNotFoundException",
            absl::StrCat("Callback ", target.resource, " does not exist."));
      }
      events::CallbackEvent ce;
      ce.body = target.input->Render(view, context);
      ce.rule_arn = rule.rule.arn;
      ce.target_id = t.id;
      ce.event_id = event.id;
      ce.attempt = attempt;
      absl::Status status = (*callback)(ce);
      if (status.ok()) return DeliveryOutcome::Ok();
      std::optional<ErrorCode> code = GetErrorCode(status);
      std::string name = code.has_value() ? std::string(GetErrorInfo(*code).name)
                                          : absl::StatusCodeToString(status.code());
      std::string message(status.message());
      return IsRetryable(status.code()) ? DeliveryOutcome::Retryable(name, message)
                                        : DeliveryOutcome::Permanent(name, message);
    }
    case TargetEntry::Kind::kUnsupported:
      break;
  }
  return DeliveryOutcome::Permanent(
      "UnsupportedTarget", absl::StrCat("Target ", t.arn, " is not supported in process."));
}

void BusRegistry::DeadLetter(const Event& event, const RuleEntry& rule, const TargetEntry& target,
                             const DeliveryOutcome& outcome, int retries,
                             std::string_view exhausted) {
  const auto& dlq = target.target.dead_letter_config;
  if (!dlq.has_value() || dlq->arn.empty()) {
    stats_.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  sqs::MessageAttributeMap attributes;
  auto add = [&](const char* name, std::string value, const char* type = "String") {
    if (value.empty()) return;
    attributes[name] = sqs::MessageAttributeValue{type, std::move(value), ""};
  };
  add("RULE_ARN", rule.rule.arn);
  add("TARGET_ARN", target.target.arn);
  add("ERROR_CODE", outcome.error_code);
  add("ERROR_MESSAGE", outcome.error_message);
  add("EXHAUSTED_RETRY_CONDITION", std::string(exhausted));
  add("RETRY_ATTEMPTS", absl::StrCat(retries), "Number");
  DeliveryOutcome sent =
      options_.endpoints->SendToQueue(dlq->arn, event.envelope, "", attributes, event.trace_header);
  if (sent.kind == DeliveryOutcome::Kind::kOk) {
    stats_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
  } else {
    stats_.dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

// ---- Rules ------------------------------------------------------------------

absl::StatusOr<std::string> BusRegistry::PutRule(std::string_view bus_name, events::Rule rule,
                                                 std::optional<ScheduleExpression> schedule,
                                                 const std::vector<events::Tag>& tags) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  rule.arn = RuleArn(bus_name, rule.name);
  rule.event_bus_name = std::string(bus_name);
  rule.created_by = options_.account_id;
  if (rule.state.empty()) rule.state = "ENABLED";
  auto entry = std::make_shared<RuleEntry>();
  entry->enabled = rule.state != "DISABLED";
  entry->schedule = std::move(schedule);
  entry->generation = next_generation_.fetch_add(1);
  entry->created = clock_.Now();
  TagMap new_tags = ToTagMap(tags);
  {
    MutexLock lock(&b.mu);
    auto it = b.rules.find(rule.name);
    // Checked before the matcher changes. An existing rule ignores `tags`.
    if (it == b.rules.end() &&
        (static_cast<int>(b.rules.size()) >= options_.limits.max_rules_per_event_bus ||
         new_tags.size() > kMaxTagsPerResource)) {
      return EventsLimitExceededError();
    }
    if (entry->enabled && !rule.event_pattern.empty()) {
      absl::Status added = b.matcher->Add(rule.name, rule.event_pattern);
      if (!added.ok()) return added;
    } else {
      b.matcher->Remove(rule.name).IgnoreError();
    }
    if (it != b.rules.end()) {
      entry->targets = it->second->targets;
      entry->tags = it->second->tags;
      entry->created = it->second->created;
    } else {
      entry->tags = std::move(new_tags);
    }
    entry->rule = std::move(rule);
    b.rules[entry->rule.name] = entry;
  }
  if (entry->enabled && entry->schedule.has_value()) ArmSchedule(*bus, entry, clock_.Now());
  return entry->rule.arn;
}

absl::Status BusRegistry::DeleteRule(std::string_view bus_name, std::string_view name) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  MutexLock lock(&b.mu);
  auto it = b.rules.find(name);
  if (it == b.rules.end()) return absl::OkStatus();
  if (!it->second->targets.empty()) {
    return MakeError(ErrorCode::kEventsValidation, "Rule can't be deleted since it has targets.");
  }
  b.matcher->Remove(name).IgnoreError();
  b.rules.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<events::Rule> BusRegistry::DescribeRule(std::string_view bus_name,
                                                       std::string_view name) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  ReaderMutexLock lock(&(*bus)->mu);
  auto it = (*bus)->rules.find(name);
  if (it == (*bus)->rules.end()) return RuleNotFoundError(name, bus_name);
  return it->second->rule;
}

absl::StatusOr<std::vector<events::Rule>> BusRegistry::ListRules(std::string_view bus_name,
                                                                 std::string_view prefix) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  std::vector<events::Rule> out;
  ReaderMutexLock lock(&(*bus)->mu);
  for (auto it = (*bus)->rules.lower_bound(prefix); it != (*bus)->rules.end(); ++it) {
    if (!absl::StartsWith(it->first, Sv(prefix))) break;
    out.push_back(it->second->rule);
  }
  return out;
}

absl::Status BusRegistry::SetRuleEnabled(std::string_view bus_name, std::string_view name,
                                         bool enabled) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  std::shared_ptr<RuleEntry> entry;
  {
    MutexLock lock(&b.mu);
    auto it = b.rules.find(name);
    if (it == b.rules.end()) return RuleNotFoundError(name, bus_name);
    entry = std::make_shared<RuleEntry>(*it->second);
    entry->enabled = enabled;
    entry->rule.state = enabled ? "ENABLED" : "DISABLED";
    entry->generation = next_generation_.fetch_add(1);
    if (enabled && !entry->rule.event_pattern.empty()) {
      absl::Status added = b.matcher->Add(entry->rule.name, entry->rule.event_pattern);
      if (!added.ok()) return added;
    } else {
      b.matcher->Remove(name).IgnoreError();
    }
    it->second = entry;
  }
  if (entry->enabled && entry->schedule.has_value()) ArmSchedule(*bus, entry, clock_.Now());
  return absl::OkStatus();
}

// ---- Targets ----------------------------------------------------------------

absl::StatusOr<std::shared_ptr<TargetEntry>> BusRegistry::MakeTarget(
    const events::Target& target) const {
  auto entry = std::make_shared<TargetEntry>();
  auto input = TargetInput::Create(target);
  if (!input.ok()) return input.status();
  entry->target = target;
  entry->input = *std::move(input);
  std::string_view arn = target.arn;
  std::string callback_prefix =
      absl::StrCat("arn:wharf:events:", options_.region, ":", options_.account_id, ":callback/");
  std::string bus_prefix = BusArn("");
  if (absl::StartsWith(Sv(arn), "arn:aws:sqs:")) {
    entry->kind = TargetEntry::Kind::kQueue;
  } else if (absl::StartsWith(Sv(arn), "arn:aws:sns:")) {
    entry->kind = TargetEntry::Kind::kTopic;
  } else if (absl::StartsWith(Sv(arn), bus_prefix)) {
    entry->kind = TargetEntry::Kind::kBus;
    entry->resource = std::string(arn.substr(bus_prefix.size()));
  } else if (absl::StartsWith(Sv(arn), callback_prefix)) {
    entry->kind = TargetEntry::Kind::kCallback;
    entry->resource = std::string(arn.substr(callback_prefix.size()));
  }
  return entry;
}

absl::Status BusRegistry::PutTargets(std::string_view bus_name, std::string_view rule,
                                     const std::vector<events::Target>& targets) {
  std::vector<std::shared_ptr<TargetEntry>> made;
  for (const events::Target& t : targets) {
    auto entry = MakeTarget(t);
    if (!entry.ok()) return entry.status();
    made.push_back(*std::move(entry));
  }
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  MutexLock lock(&b.mu);
  auto it = b.rules.find(rule);
  if (it == b.rules.end()) return RuleNotFoundError(rule, bus_name);
  auto entry = std::make_shared<RuleEntry>(*it->second);
  for (auto& t : made) {
    auto pos = std::find_if(entry->targets.begin(), entry->targets.end(),
                            [&](const auto& old) { return old->target.id == t->target.id; });
    if (pos != entry->targets.end()) {
      *pos = std::move(t);
    } else {
      entry->targets.push_back(std::move(t));
    }
  }
  if (entry->targets.size() > 5) return EventsLimitExceededError();
  std::sort(entry->targets.begin(), entry->targets.end(),
            [](const auto& a, const auto& b) { return a->target.id < b->target.id; });
  it->second = entry;
  return absl::OkStatus();
}

absl::Status BusRegistry::RemoveTargets(std::string_view bus_name, std::string_view rule,
                                        const std::vector<std::string>& ids) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  MutexLock lock(&b.mu);
  auto it = b.rules.find(rule);
  if (it == b.rules.end()) return RuleNotFoundError(rule, bus_name);
  auto entry = std::make_shared<RuleEntry>(*it->second);
  std::erase_if(entry->targets, [&](const auto& t) {
    return std::find(ids.begin(), ids.end(), t->target.id) != ids.end();
  });
  it->second = entry;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<events::Target>> BusRegistry::ListTargets(std::string_view bus_name,
                                                                     std::string_view rule) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  ReaderMutexLock lock(&(*bus)->mu);
  auto it = (*bus)->rules.find(rule);
  if (it == (*bus)->rules.end()) return RuleNotFoundError(rule, bus_name);
  std::vector<events::Target> out;
  for (const auto& t : it->second->targets) out.push_back(t->target);
  return out;
}

absl::StatusOr<std::vector<std::string>> BusRegistry::ListRuleNamesByTarget(
    std::string_view bus_name, std::string_view target_arn) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  std::vector<std::string> out;
  ReaderMutexLock lock(&(*bus)->mu);
  for (const auto& [name, rule] : (*bus)->rules) {
    for (const auto& t : rule->targets) {
      if (t->target.arn == target_arn) {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

// ---- Tags -----------------------------------------------------------------------

// A rule's tags change by replacing its RuleEntry with a copy of the same
// generation, as PutTargets does: a scheduled rule's timer chain goes on.
absl::Status BusRegistry::TagResource(std::string_view bus_name, std::string_view rule,
                                      const std::vector<events::Tag>& tags) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  MutexLock lock(&b.mu);
  if (rule.empty()) return MergeTags(tags, b.tags) ? absl::OkStatus() : EventsLimitExceededError();
  auto it = b.rules.find(rule);
  if (it == b.rules.end()) return RuleNotFoundError(rule, bus_name);
  auto entry = std::make_shared<RuleEntry>(*it->second);
  if (!MergeTags(tags, entry->tags)) return EventsLimitExceededError();
  it->second = std::move(entry);
  return absl::OkStatus();
}

absl::Status BusRegistry::UntagResource(std::string_view bus_name, std::string_view rule,
                                        const std::vector<std::string>& keys) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  MutexLock lock(&b.mu);
  if (rule.empty()) {
    for (const std::string& key : keys) b.tags.erase(key);
    return absl::OkStatus();
  }
  auto it = b.rules.find(rule);
  if (it == b.rules.end()) return RuleNotFoundError(rule, bus_name);
  auto entry = std::make_shared<RuleEntry>(*it->second);
  for (const std::string& key : keys) entry->tags.erase(key);
  it->second = std::move(entry);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<events::Tag>> BusRegistry::ListTags(std::string_view bus_name,
                                                               std::string_view rule) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  ReaderMutexLock lock(&b.mu);
  if (rule.empty()) return FromTagMap(b.tags);
  auto it = b.rules.find(rule);
  if (it == b.rules.end()) return RuleNotFoundError(rule, bus_name);
  return FromTagMap(it->second->tags);
}

// ---- Scheduled rules ----------------------------------------------------------

void BusRegistry::ArmSchedule(std::shared_ptr<Bus> bus, std::shared_ptr<const RuleEntry> rule,
                              absl::Time after) {
  absl::Time when = rule->schedule->NextAfter(after);
  if (when == absl::InfiniteFuture()) return;
  std::weak_ptr<Bus> weak = bus;
  ScheduleAt(when, [this, weak, name = rule->rule.name, generation = rule->generation, when] {
    FireSchedule(weak, name, generation, when);
  });
}

void BusRegistry::FireSchedule(const std::weak_ptr<Bus>& weak, const std::string& rule_name,
                               uint64_t generation, absl::Time when) {
  std::shared_ptr<Bus> bus = weak.lock();
  if (bus == nullptr) return;
  std::shared_ptr<const RuleEntry> rule;
  {
    ReaderMutexLock lock(&bus->mu);
    auto it = bus->rules.find(rule_name);
    if (it == bus->rules.end()) return;
    rule = it->second;
  }
  // A newer PutRule / EnableRule / DisableRule started its own chain (or
  // none): this one ends here.
  if (rule->generation != generation || !rule->enabled) return;
  auto event = std::make_shared<Event>();
  event->id = base_internal::NewUuid();
  event->time = when;
  event->ingestion_time = when;
  std::vector<std::string> resources = {rule->rule.arn};
  EnvelopeFields fields;
  fields.id = event->id;
  fields.detail_type = "Scheduled Event";
  fields.source = "aws.events";
  fields.account = options_.account_id;
  fields.time = when;
  fields.region = options_.region;
  fields.resources = &resources;
  fields.compact_detail = "{}";
  event->envelope = BuildEnvelope(fields);
  stats_.events_matched.fetch_add(1, std::memory_order_relaxed);
  EventView view(event->envelope);
  for (const auto& target : rule->targets) Deliver(event, rule, target, 1, when, &view);
  ArmSchedule(bus, rule, when);
}

// ---- Archives -----------------------------------------------------------------

absl::StatusOr<events::CreateArchiveResult> BusRegistry::CreateArchive(
    std::string_view bus_name, const events::CreateArchiveRequest& request) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  auto archive = std::make_shared<ArchiveState>();
  archive->name = request.archive_name;
  archive->arn = ArchiveArn(request.archive_name);
  archive->bus_name = std::string(bus_name);
  archive->source_arn = (*bus)->info.arn;
  archive->creation_time = clock_.Now();
  {
    MutexLock lock(&archive->mu);
    archive->description = request.description;
    archive->pattern = request.event_pattern;
    archive->retention_days = request.retention_days.value_or(0);
    if (!request.event_pattern.empty()) {
      auto matcher = Matcher::Create(PatternDialect::kEventBridge);
      if (!matcher.ok()) return matcher.status();
      absl::Status added = (*matcher)->Add("archive", request.event_pattern);
      if (!added.ok()) return added;
      archive->matcher = *std::move(matcher);
    }
  }
  {
    MutexLock lock(&mu_);
    if (archives_.count(request.archive_name) > 0) {
      return EventsAlreadyExistsError("Archive", request.archive_name);
    }
    archives_.emplace(request.archive_name, archive);
    MutexLock bus_lock(&(*bus)->mu);
    (*bus)->archives.push_back(archive);
  }
  events::CreateArchiveResult result;
  result.archive_arn = archive->arn;
  result.state = "ENABLED";
  result.creation_time = archive->creation_time;
  return result;
}

absl::StatusOr<events::UpdateArchiveResult> BusRegistry::UpdateArchive(
    const events::UpdateArchiveRequest& request) {
  std::shared_ptr<ArchiveState> archive;
  {
    ReaderMutexLock lock(&mu_);
    auto it = archives_.find(request.archive_name);
    if (it == archives_.end()) return ArchiveNotFoundError(request.archive_name);
    archive = it->second;
  }
  std::unique_ptr<Matcher> matcher;
  if (request.event_pattern.has_value() && !request.event_pattern->empty()) {
    auto created = Matcher::Create(PatternDialect::kEventBridge);
    if (!created.ok()) return created.status();
    absl::Status added = (*created)->Add("archive", *request.event_pattern);
    if (!added.ok()) return added;
    matcher = *std::move(created);
  }
  MutexLock lock(&archive->mu);
  if (request.description.has_value()) archive->description = *request.description;
  if (request.retention_days.has_value()) archive->retention_days = *request.retention_days;
  if (request.event_pattern.has_value()) {
    archive->pattern = *request.event_pattern;
    archive->matcher = std::move(matcher);
  }
  events::UpdateArchiveResult result;
  result.archive_arn = archive->arn;
  result.state = "ENABLED";
  result.creation_time = archive->creation_time;
  return result;
}

absl::StatusOr<events::Archive> BusRegistry::DescribeArchive(std::string_view name) {
  std::shared_ptr<ArchiveState> archive;
  {
    ReaderMutexLock lock(&mu_);
    auto it = archives_.find(name);
    if (it == archives_.end()) return ArchiveNotFoundError(name);
    archive = it->second;
  }
  return archive->Describe(clock_.Now());
}

std::vector<events::Archive> BusRegistry::ListArchives(std::string_view prefix,
                                                       std::string_view source_arn,
                                                       std::string_view state) {
  std::vector<std::shared_ptr<ArchiveState>> archives;
  {
    ReaderMutexLock lock(&mu_);
    for (const auto& [name, archive] : archives_) {
      if (!absl::StartsWith(name, Sv(prefix))) continue;
      if (!source_arn.empty() && archive->source_arn != source_arn) continue;
      archives.push_back(archive);
    }
  }
  std::vector<events::Archive> out;
  for (const auto& archive : archives) {
    events::Archive a = archive->Describe(clock_.Now());
    if (!state.empty() && a.state != state) continue;
    a.archive_arn.clear();
    out.push_back(std::move(a));
  }
  return out;
}

absl::Status BusRegistry::DeleteArchive(std::string_view name) {
  std::shared_ptr<ArchiveState> archive;
  {
    MutexLock lock(&mu_);
    auto it = archives_.find(name);
    if (it == archives_.end()) return ArchiveNotFoundError(name);
    archive = it->second;
    archives_.erase(it);
    auto bus = buses_.find(archive->bus_name);
    if (bus != buses_.end()) {
      MutexLock bus_lock(&bus->second->mu);
      std::erase(bus->second->archives, archive);
    }
  }
  return absl::OkStatus();
}

// ---- Replays ------------------------------------------------------------------

absl::StatusOr<events::StartReplayResult> BusRegistry::StartReplay(
    const events::StartReplayRequest& request) {
  std::string_view archive_name = AfterLast(request.event_source_arn, '/');
  auto replay = std::make_shared<ReplayState>();
  events::StartReplayResult result;
  {
    MutexLock lock(&mu_);
    if (replays_.count(request.replay_name) > 0) {
      return EventsAlreadyExistsError("Replay", request.replay_name);
    }
    auto archive = archives_.find(archive_name);
    if (archive == archives_.end() || archive->second->arn != request.event_source_arn) {
      return MakeError(ErrorCode::kEventsValidation,
                       absl::StrCat("Parameter EventSourceArn is not valid. Reason: Archive ",
                                    Sv(archive_name), " does not exist."));
    }
    if (request.destination.arn != archive->second->source_arn) {
      return MakeError(ErrorCode::kEventsValidation,
                       "Parameter Destination.Arn is not valid. Reason: Cross event bus replay "
                       "is not permitted.");
    }
    int active = 0;
    for (const auto& [name, r] : replays_) {
      MutexLock replay_lock(&r->mu);
      const std::string& s = r->info.state;
      if (s == "STARTING" || s == "RUNNING" || s == "CANCELLING") ++active;
    }
    if (active >= options_.limits.max_concurrent_replays) return EventsLimitExceededError();
    auto bus = buses_.find(archive->second->bus_name);
    if (bus == buses_.end()) return EventBusNotFoundError(archive->second->bus_name);
    replay->archive = archive->second;
    replay->bus = bus->second;
    MutexLock replay_lock(&replay->mu);
    events::Replay& info = replay->info;
    info.replay_name = request.replay_name;
    info.replay_arn = ReplayArn(request.replay_name);
    info.description = request.description;
    info.state = "STARTING";
    info.event_source_arn = request.event_source_arn;
    info.destination = request.destination;
    info.event_start_time = request.event_start_time;
    info.event_end_time = request.event_end_time;
    info.replay_start_time = clock_.Now();
    result.replay_arn = info.replay_arn;
    result.state = info.state;
    result.replay_start_time = info.replay_start_time;
    replays_.emplace(request.replay_name, replay);
  }
  ScheduleAt(clock_.Now(), [this, replay] { RunReplay(replay); });
  return result;
}

void BusRegistry::RunReplay(std::shared_ptr<ReplayState> replay) {
  // One call sends one one-minute bucket of event time, then schedules the
  // next, so CancelReplay takes effect between buckets.
  std::vector<std::shared_ptr<const Event>> bucket;
  std::vector<std::string> filter;
  std::string replay_name;
  {
    MutexLock lock(&replay->mu);
    events::Replay& info = replay->info;
    if (!replay->loaded) {
      replay->loaded = true;
      // A replay cancelled before it ran goes straight to CANCELLED below.
      if (!replay->cancel_requested) info.state = "RUNNING";
      MutexLock archive_lock(&replay->archive->mu);
      for (const auto& e : replay->archive->events) {
        if (e->time >= info.event_start_time && e->time < info.event_end_time) {
          replay->pending.push_back(e);
        }
      }
      std::stable_sort(replay->pending.begin(), replay->pending.end(),
                       [](const auto& a, const auto& b) { return a->time < b->time; });
    }
    if (replay->cancel_requested) {
      info.state = "CANCELLED";
      info.replay_end_time = clock_.Now();
      return;
    }
    if (replay->next < replay->pending.size()) {
      // IDivDuration writes the remainder unconditionally: it must not be null.
      absl::Duration remainder;
      absl::Time bucket_end = info.event_start_time +
                              absl::Minutes(absl::IDivDuration(replay->pending[replay->next]->time -
                                                                   info.event_start_time,
                                                               absl::Minutes(1), &remainder) +
                                            1);
      while (replay->next < replay->pending.size() &&
             replay->pending[replay->next]->time < bucket_end) {
        bucket.push_back(replay->pending[replay->next++]);
      }
    }
    filter = info.destination.filter_arns;
    replay_name = info.replay_name;
  }
  std::shared_ptr<Bus> bus = replay->bus.lock();
  if (bus != nullptr) {
    for (const auto& archived : bucket) {
      auto event = std::make_shared<Event>(*archived);
      event->replay_name = replay_name;
      event->envelope = WithReplayName(archived->envelope, replay_name);
      event->ingestion_time = clock_.Now();
      event->hops = 0;
      Dispatch(*bus, event, filter.empty() ? nullptr : &filter);
    }
  }
  MutexLock lock(&replay->mu);
  if (!bucket.empty()) replay->info.event_last_replayed_time = bucket.back()->time;
  if (replay->next < replay->pending.size() && !replay->cancel_requested) {
    ScheduleAt(clock_.Now(), [this, replay] { RunReplay(replay); });
    return;
  }
  replay->info.state = replay->cancel_requested ? "CANCELLED" : "COMPLETED";
  replay->info.replay_end_time = clock_.Now();
  replay->pending.clear();
}

absl::StatusOr<events::Replay> BusRegistry::DescribeReplay(std::string_view name) {
  std::shared_ptr<ReplayState> replay;
  {
    ReaderMutexLock lock(&mu_);
    auto it = replays_.find(name);
    if (it == replays_.end()) return ReplayNotFoundError(name);
    replay = it->second;
  }
  MutexLock lock(&replay->mu);
  return replay->info;
}

std::vector<events::Replay> BusRegistry::ListReplays(std::string_view prefix,
                                                     std::string_view state,
                                                     std::string_view source_arn) {
  std::vector<events::Replay> out;
  ReaderMutexLock lock(&mu_);
  for (const auto& [name, replay] : replays_) {
    if (!absl::StartsWith(name, Sv(prefix))) continue;
    MutexLock replay_lock(&replay->mu);
    if (!state.empty() && replay->info.state != state) continue;
    if (!source_arn.empty() && replay->info.event_source_arn != source_arn) continue;
    out.push_back(replay->info);
  }
  return out;
}

absl::StatusOr<events::CancelReplayResult> BusRegistry::CancelReplay(std::string_view name) {
  std::shared_ptr<ReplayState> replay;
  {
    ReaderMutexLock lock(&mu_);
    auto it = replays_.find(name);
    if (it == replays_.end()) return ReplayNotFoundError(name);
    replay = it->second;
  }
  MutexLock lock(&replay->mu);
  events::Replay& info = replay->info;
  if (info.state != "STARTING" && info.state != "RUNNING") {
    return MakeError(ErrorCode::kEventsIllegalStatus,
                     absl::StrCat("Replay ", info.replay_name,
                                  " is not in a valid state for this "
                                  "operation."));
  }
  replay->cancel_requested = true;
  info.state = "CANCELLING";
  events::CancelReplayResult result;
  result.replay_arn = info.replay_arn;
  result.state = info.state;
  return result;
}

// ---- Callbacks ----------------------------------------------------------------

std::string BusRegistry::RegisterCallback(const std::string& name, events::Callback callback) {
  auto shared = std::make_shared<const events::Callback>(std::move(callback));
  MutexLock lock(&mu_);
  callbacks_[name] = std::move(shared);
  return CallbackArn(name);
}

void BusRegistry::UnregisterCallback(const std::string& name) {
  MutexLock lock(&mu_);
  callbacks_.erase(name);
}

BusStats BusRegistry::stats() const {
  BusStats s;
  s.events_matched = stats_.events_matched.load();
  s.deliveries_ok = stats_.deliveries_ok.load();
  s.delivery_failures = stats_.delivery_failures.load();
  s.retries_scheduled = stats_.retries_scheduled.load();
  s.dead_lettered = stats_.dead_lettered.load();
  s.dropped = stats_.dropped.load();
  return s;
}

}  // namespace wharf::bus_internal
