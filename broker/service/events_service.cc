#include "broker/service/events_service.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/base/arn.h"
#include "broker/base/aws_errors.h"
#include "broker/base/ids.h"
#include "broker/base/json.h"
#include "broker/base/status_macros.h"
#include "broker/base/text.h"
#include "broker/bus/event_envelope.h"
#include "broker/bus/schedule_expression.h"
#include "broker/service/events_checks.h"
#include "rapidjson/document.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf::service_internal {

using base_internal::EventsConstraintError;
using base_internal::EventsValidationError;
using events_checks::CheckLimit;
using events_checks::CheckMaxLength;
using events_checks::CheckName;
using events_checks::CheckTags;
using events_checks::EntrySize;
using events_checks::IsNameChars;
using events_checks::kDefaultBus;
using events_checks::PageOf;
using events_checks::ToTagList;
using events_checks::Utf8Chars;

namespace {

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The first text field of `e` holding characters events cannot carry to SQS
// (outside XML's character set, spec/sqs.md §4), or "".
std::string_view InvalidTextField(const events::PutEventsRequestEntry& e) {
  if (!base_internal::IsXmlText(e.source)) return "Source";
  if (!base_internal::IsXmlText(e.detail_type)) return "DetailType";
  for (const std::string& resource : e.resources) {
    if (!base_internal::IsXmlText(resource)) return "Resources";
  }
  // Carried as the AWSTraceHeader system attribute of SQS targets' messages.
  if (!base_internal::IsXmlText(e.trace_header)) return "TraceHeader";
  return "";
}

// A new event with a fresh id, ingested at `now`, its envelope from `fields`
// (whose id is set here).
std::shared_ptr<bus_internal::Event> NewEvent(bus_internal::EnvelopeFields fields, absl::Time now) {
  auto event = std::make_shared<bus_internal::Event>();
  event->id = base_internal::NewUuid();
  event->time = fields.time;
  event->ingestion_time = now;
  fields.id = event->id;
  event->envelope = bus_internal::BuildEnvelope(fields);
  return event;
}

}  // namespace

// ---- Construction and names -------------------------------------------------------

EventsService::EventsService(const Options& options)
    : options_(options),
      endpoints_(
          std::make_unique<EventsEndpoints>(options.queues, options.sns, options.functions)) {
  bus_internal::BusCore::Options core;
  core.account = options.account_id;
  core.region = options.region;
  core.clock = options.clock;
  core.scheduler = options.scheduler;
  core.endpoints = endpoints_.get();
  core.table_limits.max_event_buses = options.limits.max_event_buses;
  core.table_limits.max_rules_per_event_bus = options.limits.max_rules_per_event_bus;
  core.max_concurrent_replays = options.limits.max_concurrent_replays;
  core.metrics = options.metrics;
  core_ = std::make_unique<bus_internal::BusCore>(core);
  bus_internal::BusInfo default_bus;
  default_bus.name = kDefaultBus;
  core_->table().CreateBus(std::move(default_bus), {}).IgnoreError();
  if (options.store != nullptr) {
    journal_ = std::make_unique<Journal>(*options.store);
    core_->archives().SetObserver(journal_.get());
    core_->dispatcher().SetRetryObserver(journal_.get());
  }
}

EventsService::~EventsService() { core_.reset(); }

std::string EventsService::BusArn(std::string_view bus) const {
  return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":event-bus/",
                      Sv(bus));
}
std::string EventsService::RuleArn(std::string_view bus, std::string_view rule) const {
  if (bus == kDefaultBus) {
    return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":rule/",
                        Sv(rule));
  }
  return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":rule/",
                      Sv(bus), "/", Sv(rule));
}
std::string EventsService::ArchiveArn(std::string_view archive) const {
  return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":archive/",
                      Sv(archive));
}
std::string EventsService::ReplayArn(std::string_view replay) const {
  return absl::StrCat("arn:aws:events:", options_.region, ":", options_.account_id, ":replay/",
                      Sv(replay));
}
std::string EventsService::CallbackArn(std::string_view name) const {
  return absl::StrCat("arn:wharf:events:", options_.region, ":", options_.account_id, ":callback/",
                      Sv(name));
}
void EventsService::NameArchiveRule(std::string_view bus, bus_internal::ArchiveInfo& info) const {
  info.rule_arn = RuleArn(bus, bus_internal::ArchiveRuleName(info.name));
  info.rule_target_arn = absl::StrCat("arn:aws:events:", options_.region, ":::");
}

absl::Status EventsService::CheckNotManaged(std::string_view bus, std::string_view rule,
                                            std::optional<bool> force) const {
  auto entry = core_->table().GetRule(bus, rule);
  if (!entry.ok() || (*entry)->rule.managed_by.empty() || force.value_or(false)) {
    return absl::OkStatus();
  }
  // The first text is AWS's (DeleteRule, RemoveTargets); AWS's for the calls
  // that have no Force is not recorded.
  return MakeError(
      ErrorCode::kEventsManagedRule,
      force.has_value()
          ? absl::StrCat(Sv(rule), " is a managed rule. Set 'force' parameter to true to override.")
          : absl::StrCat(Sv(rule), " is a managed rule and cannot be modified."));
}

events::EventBus EventsService::ToEventBus(const bus_internal::BusInfo& info) const {
  events::EventBus bus;
  bus.name = info.name;
  bus.arn = BusArn(info.name);
  bus.description = info.description;
  bus.kms_key_identifier = info.kms_key_identifier;
  if (info.dead_letter_arn.has_value()) {
    bus.dead_letter_config = events::DeadLetterConfig{*info.dead_letter_arn};
  }
  bus.policy = info.policy;
  bus.creation_time = info.creation_time;
  bus.last_modified_time = info.last_modified_time;
  return bus;
}

events::Rule EventsService::ToRule(bus_internal::RuleSpec spec, const std::string& bus) const {
  events::Rule rule;
  rule.name = std::move(spec.name);
  rule.arn = std::move(spec.arn);
  rule.event_pattern = std::move(spec.event_pattern);
  rule.schedule_expression = std::move(spec.schedule_expression);
  rule.state = std::move(spec.state);
  rule.description = std::move(spec.description);
  rule.role_arn = std::move(spec.role_arn);
  rule.managed_by = std::move(spec.managed_by);
  rule.event_bus_name = bus;
  rule.created_by = options_.account_id;
  return rule;
}

absl::StatusOr<std::string> EventsService::ResolveBus(const std::string& param,
                                                      const char* field) const {
  if (param.empty()) return std::string(kDefaultBus);
  if (param.size() > 1600) {
    return EventsConstraintError(param, field,
                                 "Member must have length less than or equal to 1600");
  }
  std::string_view name = param;
  if (absl::StartsWith(param, "arn:")) {
    size_t slash = param.find(":event-bus/");
    if (!absl::StartsWith(param, "arn:aws") || slash == std::string::npos) {
      return EventsConstraintError(
          param, field,
          "Member must satisfy regular expression pattern: "
          "(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus/)?"
          "[/\\.\\-_A-Za-z0-9]+");
    }
    name = std::string_view(param).substr(slash + 11);
  }
  if (name.empty() || !IsNameChars(name, true)) {
    return EventsConstraintError(
        param, field,
        "Member must satisfy regular expression pattern: "
        "(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus/)?"
        "[/\\.\\-_A-Za-z0-9]+");
  }
  return std::string(name);
}

absl::StatusOr<EventsService::TaggedResource> EventsService::ResolveTaggedResource(
    const std::string& arn) const {
  if (arn.empty()) {
    return EventsConstraintError(arn, "resourceARN",
                                 "Member must have length greater than or equal to 1");
  }
  WHARF_RETURN_IF_ERROR(CheckMaxLength(arn, "resourceARN", 1600));
  auto invalid = [] { return EventsValidationError("Parameter ResourceARN is not valid."); };
  // arn:<partition>:events:<region>:<account>:<resource>
  std::optional<base_internal::Arn> parsed = base_internal::ParseArn(arn);
  if (!parsed || parsed->partition.substr(0, 3) != "aws" || parsed->service != "events" ||
      parsed->region.empty() || !base_internal::IsAwsAccountId(parsed->account_id)) {
    return invalid();
  }
  std::string_view resource = parsed->resource;
  TaggedResource out;
  if (absl::StartsWith(Sv(resource), "event-bus/")) {
    resource.remove_prefix(10);
    if (resource.empty() || !IsNameChars(resource, /*allow_slash=*/true)) return invalid();
    out.bus = std::string(resource);
    if (BusArn(out.bus) != arn) return base_internal::EventBusNotFoundError(out.bus);
    return out;
  }
  if (!absl::StartsWith(Sv(resource), "rule/")) return invalid();
  resource.remove_prefix(5);
  // rule/<name> on the default bus, rule/<bus>/<name> on another (a partner
  // bus's name has slashes; a rule's never does).
  size_t slash = resource.rfind('/');
  out.bus = slash == std::string_view::npos ? kDefaultBus : std::string(resource.substr(0, slash));
  out.rule = std::string(slash == std::string_view::npos ? resource : resource.substr(slash + 1));
  if (out.bus.empty() || !IsNameChars(out.bus, /*allow_slash=*/true) || out.rule.empty() ||
      !IsNameChars(out.rule, /*allow_slash=*/false)) {
    return invalid();
  }
  if (RuleArn(out.bus, out.rule) != arn) {
    return base_internal::RuleNotFoundError(out.rule, out.bus);
  }
  return out;
}

// ---- Events -----------------------------------------------------------------------

absl::StatusOr<events::PutEventsResult> EventsService::PutEvents(
    const events::PutEventsRequest& request) {
  const auto& entries = request.entries;
  if (entries.empty()) {
    return EventsConstraintError("[]", "entries",
                                 "Member must have length greater than or equal to 1");
  }
  if (entries.size() > 10) {
    // AWS dumps the entries as Java's toString of its request entry class
    // (LocalStack test_put_events_exceed_limit_ten_entries, AWS-validated).
    auto or_null = [](std::string_view v) -> std::string {
      return v.empty() ? "null" : std::string(v);
    };
    std::vector<std::string> dump;
    for (const auto& e : entries) {
      std::string time = e.time.has_value() ? absl::FormatTime("%a %b %d %H:%M:%S UTC %Y", *e.time,
                                                               absl::UTCTimeZone())
                                            : "null";
      std::string resources =
          e.resources.empty() ? "null" : absl::StrCat("[", absl::StrJoin(e.resources, ", "), "]");
      dump.push_back(absl::StrCat(
          "PutEventsRequestEntry(time=", time, ", source=", or_null(e.source), ", resources=",
          resources, ", detailType=", or_null(e.detail_type), ", detail=", or_null(e.detail),
          ", eventBusName=", or_null(e.event_bus_name), ", traceHeader=", or_null(e.trace_header),
          ", kmsKeyIdentifier=null, internalMetadata=null)"));
    }
    return EventsConstraintError(absl::StrCat("[", absl::StrJoin(dump, ", "), "]"), "entries",
                                 "Member must have length less than or equal to 10");
  }
  int64_t total = 0;
  for (const auto& e : entries) total += EntrySize(e);
  if (total > options_.limits.max_put_events_request_bytes) {
    return EventsValidationError("Total size of the entries in the request is over the limit.");
  }
  // An entry for a bus that does not exist gets an EventId like any other and
  // goes nowhere (LocalStack test_put_events_nonexistent_event_bus,
  // AWS-validated: FailedEntryCount 0). A malformed name or ARN still fails
  // the request.
  std::vector<std::string> buses;
  buses.reserve(entries.size());
  for (const auto& e : entries) {
    WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(e.event_bus_name, "eventBusName"));
    buses.push_back(std::move(bus));
  }
  if (options_.metrics) put_events_size_.Record(static_cast<uint64_t>(total));

  events::PutEventsResult result;
  result.entries.resize(entries.size());
  absl::Time now = options_.clock->Now();
  const uint64_t since = options_.store != nullptr ? options_.store->Position() : 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const events::PutEventsRequestEntry& e = entries[i];
    events::PutEventsResultEntry& out = result.entries[i];
    auto fail = [&](ErrorCode code, std::string message) {
      out.error_code = std::string(GetErrorInfo(code).name);
      out.error_message = std::move(message);
      ++result.failed_entry_count;
    };
    if (e.source.empty()) {
      fail(ErrorCode::kEventsInvalidArgument,
           "Parameter Source is not valid. Reason: Source is a required argument.");
      continue;
    }
    if (e.detail_type.empty()) {
      fail(ErrorCode::kEventsInvalidArgument,
           "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
      continue;
    }
    if (e.detail.empty()) {
      fail(ErrorCode::kEventsInvalidArgument,
           "Parameter Detail is not valid. Reason: Detail is a required argument.");
      continue;
    }
    if (e.source.size() > 256) {
      fail(ErrorCode::kEventsInvalidArgument,
           "Parameter Source is not valid. Reason: Source exceeds the maximum length of 256.");
      continue;
    }
    if (e.detail_type.size() > 128) {
      fail(ErrorCode::kEventsInvalidArgument,
           "Parameter DetailType is not valid. Reason: DetailType exceeds the maximum length of "
           "128.");
      continue;
    }
    if (e.trace_header.size() > 500) {
      fail(ErrorCode::kEventsInvalidArgument,
           "Parameter TraceHeader is not valid. Reason: TraceHeader exceeds the maximum length of "
           "500.");
      continue;
    }
    if (std::string field(InvalidTextField(e)); !field.empty()) {
      fail(ErrorCode::kEventsInvalidArgument,
           absl::StrCat("Parameter ", field, " is not valid. Reason: ", field,
                        " contains characters outside the allowed set."));
      continue;
    }
    if (!options_.limits.allow_aws_event_sources && absl::StartsWith(e.source, "aws.")) {
      fail(ErrorCode::kEventsNotAuthorizedForSource, "Not authorized for the source.");
      continue;
    }
    std::string detail;
    // The compact form holds what escapes decode to ("\uFFFE").
    if (!bus_internal::CompactDetail(e.detail, &detail) || !base_internal::IsXmlText(detail)) {
      fail(ErrorCode::kEventsMalformedDetail, "Detail is malformed.");
      continue;
    }
    bus_internal::EnvelopeFields fields;
    fields.detail_type = e.detail_type;
    fields.source = e.source;
    fields.account = options_.account_id;
    fields.time = e.time.value_or(now);
    fields.region = options_.region;
    fields.resources = &e.resources;
    fields.compact_detail = detail;
    std::shared_ptr<bus_internal::Event> event = NewEvent(fields, now);
    event->trace_header = e.trace_header;
    out.event_id = event->id;
    // Not found: no such bus (or it was deleted while the request ran); the
    // event is dropped, as AWS drops it.
    core_->dispatcher().PutEvent(buses[i], std::move(event)).IgnoreError();
  }
  // Durable mode: what the targets placed in durable queues is committed.
  if (options_.store != nullptr) WHARF_RETURN_IF_ERROR(options_.store->Commit(since));
  return result;
}

void EventsService::PutServiceEvent(std::string_view source, std::string_view detail_type,
                                    std::vector<std::string> resources, std::string_view detail) {
  std::string compact;
  if (!bus_internal::CompactDetail(detail, &compact)) return;
  const absl::Time now = options_.clock->Now();
  const uint64_t since = options_.store != nullptr ? options_.store->Position() : 0;
  bus_internal::EnvelopeFields fields;
  fields.detail_type = detail_type;
  fields.source = source;
  fields.account = options_.account_id;
  fields.time = now;
  fields.region = options_.region;
  fields.resources = &resources;
  fields.compact_detail = compact;
  core_->dispatcher().PutEvent(events_checks::kDefaultBus, NewEvent(fields, now)).IgnoreError();
  // Durable mode: what the targets placed in durable queues is committed.
  if (options_.store != nullptr) options_.store->Commit(since).IgnoreError();
}

absl::StatusOr<events::TestEventPatternResult> EventsService::TestEventPattern(
    const events::TestEventPatternRequest& request) {
  WHARF_RETURN_IF_ERROR(ValidatePattern(PatternDialect::kEventBridge, request.event_pattern));
  rapidjson::Document event;
  if (!base_internal::ParseJson(request.event, &event) || !event.IsObject()) {
    return EventsValidationError("Parameter Event is not valid.");
  }
  // "resources" is not required: AWS matches events without it (LocalStack
  // event_pattern_templates, e.g. minimal and test_event_pattern_source,
  // AWS-validated; its test_invalid_event_payload lists these six).
  for (const char* field : {"id", "account", "source", "time", "region", "detail-type"}) {
    if (!event.HasMember(field)) return EventsValidationError("Parameter Event is not valid.");
  }
  WHARF_ASSIGN_OR_RETURN(std::unique_ptr<Matcher> matcher,
                         Matcher::Create(PatternDialect::kEventBridge));
  WHARF_RETURN_IF_ERROR(matcher->Add("pattern", request.event_pattern));
  auto matched = matcher->MatchJson(request.event);
  if (!matched.ok()) return EventsValidationError("Parameter Event is not valid.");
  events::TestEventPatternResult result;
  result.result = !matched->empty();
  return result;
}

// ---- Rules --------------------------------------------------------------------

absl::StatusOr<events::PutRuleResult> EventsService::PutRule(
    const events::PutRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.description, "description", 512));
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.schedule_expression, "scheduleExpression", 256));
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.event_pattern, "eventPattern", 4096));
  if (!request.state.empty() && request.state != "ENABLED" && request.state != "DISABLED" &&
      request.state != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS") {
    return EventsConstraintError(request.state, "state",
                                 "Member must satisfy enum value set: [ENABLED, DISABLED, "
                                 "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]");
  }
  WHARF_RETURN_IF_ERROR(CheckTags(request.tags));
  if (request.event_pattern.empty() && request.schedule_expression.empty()) {
    return EventsValidationError(
        "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  std::optional<bus_internal::ScheduleExpression> schedule;
  if (!request.schedule_expression.empty()) {
    if (bus != kDefaultBus) {
      return EventsValidationError(
          "ScheduleExpression is supported only on the default event bus.");
    }
    WHARF_ASSIGN_OR_RETURN(schedule,
                           bus_internal::ScheduleExpression::Parse(request.schedule_expression));
  }
  if (!request.event_pattern.empty()) {
    if (static_cast<int>(request.event_pattern.size()) > options_.limits.max_event_pattern_chars) {
      return MakeError(ErrorCode::kInvalidEventPattern,
                       absl::StrCat("Event pattern is not valid. Reason: Event pattern is longer "
                                    "than the maximum of ",
                                    options_.limits.max_event_pattern_chars, " characters."));
    }
    WHARF_RETURN_IF_ERROR(ValidatePattern(PatternDialect::kEventBridge, request.event_pattern));
  }
  bus_internal::RuleSpec rule;
  rule.name = request.name;
  rule.arn = RuleArn(bus, request.name);
  rule.event_pattern = request.event_pattern;
  rule.schedule_expression = request.schedule_expression;
  rule.state = request.state.empty() ? "ENABLED" : request.state;
  rule.description = request.description;
  rule.role_arn = request.role_arn;
  events::PutRuleResult result;
  result.rule_arn = rule.arn;
  WHARF_RETURN_IF_ERROR(ChangeRule(bus, request.name, std::nullopt, [&] {
    return core_->table().PutRule(bus, std::move(rule), schedule, ToTagList(request.tags));
  }));
  return result;
}

absl::Status EventsService::DeleteRule(const events::DeleteRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  return ChangeRule(bus, request.name, request.force,
                    [&] { return core_->table().DeleteRule(bus, request.name); });
}

absl::StatusOr<events::DescribeRuleResult> EventsService::DescribeRule(
    const events::DescribeRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  WHARF_ASSIGN_OR_RETURN(bus_internal::RuleSpec rule,
                         core_->table().DescribeRule(bus, request.name));
  return ToRule(std::move(rule), bus);
}

absl::StatusOr<events::ListRulesResult> EventsService::ListRules(
    const events::ListRulesRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  WHARF_ASSIGN_OR_RETURN(std::vector<bus_internal::RuleSpec> specs,
                         core_->table().ListRules(bus, request.name_prefix));
  std::vector<events::Rule> rules;
  for (auto& spec : specs) rules.push_back(ToRule(std::move(spec), bus));
  events::ListRulesResult result;
  result.rules = PageOf(
      std::move(rules), request.next_token, request.limit,
      [](const events::Rule& r) { return r.name; }, &result.next_token);
  return result;
}

absl::Status EventsService::EnableRule(const events::EnableRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  return ChangeRule(bus, request.name, std::nullopt,
                    [&] { return core_->table().SetRuleEnabled(bus, request.name, true); });
}

absl::Status EventsService::DisableRule(const events::DisableRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  return ChangeRule(bus, request.name, std::nullopt,
                    [&] { return core_->table().SetRuleEnabled(bus, request.name, false); });
}

// ---- Tags ---------------------------------------------------------------------------

absl::Status EventsService::TagResource(const events::TagResourceRequest& request) {
  // Shape constraints first, as AWS checks them before looking anything up.
  WHARF_RETURN_IF_ERROR(CheckTags(request.tags));
  WHARF_ASSIGN_OR_RETURN(TaggedResource resource, ResolveTaggedResource(request.resource_arn));
  return ChangeTags(resource, [&] {
    return core_->table().TagResource(resource.bus, resource.rule, ToTagList(request.tags));
  });
}

absl::Status EventsService::UntagResource(const events::UntagResourceRequest& request) {
  for (const std::string& key : request.tag_keys) {
    if (key.empty() || Utf8Chars(key) > 128) {
      return EventsConstraintError(
          absl::StrCat("[", absl::StrJoin(request.tag_keys, ", "), "]"), "tagKeys",
          "Member must satisfy constraint: [Member must have length less than or "
          "equal to 128, Member must have length greater than or equal to 1]");
    }
  }
  WHARF_ASSIGN_OR_RETURN(TaggedResource resource, ResolveTaggedResource(request.resource_arn));
  return ChangeTags(resource, [&] {
    return core_->table().UntagResource(resource.bus, resource.rule, request.tag_keys);
  });
}

absl::StatusOr<events::ListTagsForResourceResult> EventsService::ListTagsForResource(
    const events::ListTagsForResourceRequest& request) {
  WHARF_ASSIGN_OR_RETURN(TaggedResource resource, ResolveTaggedResource(request.resource_arn));
  events::ListTagsForResourceResult result;
  WHARF_ASSIGN_OR_RETURN(bus_internal::TagMap tags,
                         core_->table().ListTags(resource.bus, resource.rule));
  for (const auto& [key, value] : tags) result.tags.push_back({key, value});
  return result;
}

absl::Status EventsService::ChangeTags(const TaggedResource& resource,
                                       absl::FunctionRef<absl::Status()> change) {
  if (!resource.rule.empty()) return ChangeRule(resource.bus, resource.rule, std::nullopt, change);
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(bus_internal::TagMap before, core_->table().ListTags(resource.bus, ""));
  WHARF_RETURN_IF_ERROR(change());
  const uint64_t since = Mark();
  PersistBus(resource.bus);
  return CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    core_->table().SetBusTags(resource.bus, std::move(before)).IgnoreError();
    PersistBus(resource.bus);
  });
}

// ---- Callbacks ----------------------------------------------------------------------

absl::StatusOr<std::string> EventsService::RegisterCallback(const std::string& name,
                                                            events::Callback callback) {
  WHARF_RETURN_IF_ERROR(CheckName(name, "name", 64));
  core_->dispatcher().RegisterCallback(
      name, [callback = std::move(callback)](bus_internal::CallbackInvocation invocation) {
        events::CallbackEvent event;
        event.body = std::move(invocation.body);
        event.rule_arn = std::move(invocation.rule_arn);
        event.target_id = std::move(invocation.target_id);
        event.event_id = std::move(invocation.event_id);
        event.attempt = invocation.attempt;
        return callback(event);
      });
  return CallbackArn(name);
}

void EventsService::UnregisterCallback(const std::string& name) {
  core_->dispatcher().UnregisterCallback(name);
}

}  // namespace wharf::service_internal
