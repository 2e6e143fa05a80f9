#include "broker/service/events_service.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "broker/base/arn.h"
#include "broker/base/aws_errors.h"
#include "broker/base/ids.h"
#include "broker/base/json.h"
#include "broker/base/mutex.h"
#include "broker/base/status_macros.h"
#include "broker/base/text.h"
#include "broker/bus/event_envelope.h"
#include "broker/bus/schedule_expression.h"
#include "broker/service/pagination.h"
#include "rapidjson/document.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf::service_internal {
namespace {

using bus_internal::DeliveryOutcome;

constexpr char kDefaultBus[] = "default";
constexpr int kMaxPageSize = 100;

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

using base_internal::EventsConstraintError;
using base_internal::EventsValidationError;

bool IsNameChars(std::string_view s, bool allow_slash) {
  for (char c : s) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') {
      continue;
    }
    if (allow_slash && c == '/') continue;
    return false;
  }
  return true;
}

// A name of 1..max chars of [.\-_A-Za-z0-9] (and '/' if allowed).
absl::Status CheckName(std::string_view value, std::string_view path, size_t max,
                       bool allow_slash = false) {
  if (value.empty()) {
    return EventsConstraintError(value, path, "Member must have length greater than or equal to 1");
  }
  if (value.size() > max) {
    return EventsConstraintError(
        value, path, absl::StrCat("Member must have length less than or equal to ", max));
  }
  if (!IsNameChars(value, allow_slash)) {
    return EventsConstraintError(
        value, path,
        allow_slash ? "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+"
                    : "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
  }
  return absl::OkStatus();
}

absl::Status CheckMaxLength(std::string_view value, std::string_view path, size_t max) {
  if (value.size() <= max) return absl::OkStatus();
  return EventsConstraintError(value, path,
                               absl::StrCat("Member must have length less than or equal to ", max));
}

absl::Status CheckLimit(const std::optional<int>& limit) {
  if (!limit.has_value() || (*limit >= 1 && *limit <= kMaxPageSize)) return absl::OkStatus();
  return EventsConstraintError(absl::StrCat(*limit), "limit",
                               *limit < 1 ? "Member must have value greater than or equal to 1"
                                          : "Member must have value less than or equal to 100");
}

// Pages `items` (sorted by `key`). The token is the key of the first item of
// the next page.
template <typename T, typename KeyFn>
std::vector<T> PageOf(std::vector<T> items, const std::string& token,
                      const std::optional<int>& limit, const KeyFn& key, std::string* next_token) {
  Page<T> page = TakePage(std::move(items), key, token, PageStart::kAtKey,
                          static_cast<size_t>(limit.value_or(kMaxPageSize)));
  *next_token = std::move(page.next_key);
  return std::move(page.items);
}

// Unicode characters (code points) of valid UTF-8 text.
size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// AWS's Tag shape: key 1-128 characters, value 0-256. The count (50 per
// resource) is checked where the tags land, since TagResource adds to the
// tags a resource has.
absl::Status CheckTags(const std::vector<events::Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string path = absl::StrCat("tags.", i + 1, ".member.");
    const events::Tag& tag = tags[i];
    if (tag.key.empty()) {
      return EventsConstraintError(tag.key, path + "key",
                                   "Member must have length greater than or equal to 1");
    }
    if (Utf8Chars(tag.key) > 128) {
      return EventsConstraintError(tag.key, path + "key",
                                   "Member must have length less than or equal to 128");
    }
    if (Utf8Chars(tag.value) > 256) {
      return EventsConstraintError(tag.value, path + "value",
                                   "Member must have length less than or equal to 256");
    }
  }
  return absl::OkStatus();
}

bool IsRetryableSqsError(const absl::Status& status) {
  std::optional<ErrorCode> code = GetErrorCode(status);
  return !code.has_value() || *code == ErrorCode::kInternalFailure ||
         *code == ErrorCode::kOverLimit;
}

DeliveryOutcome FromStatus(const absl::Status& status, bool retryable) {
  std::optional<ErrorCode> code = GetErrorCode(status);
  std::string name = code.has_value() ? std::string(GetErrorInfo(*code).name)
                                      : absl::StatusCodeToString(status.code());
  std::string message(status.message());
  return retryable ? DeliveryOutcome::Retryable(std::move(name), std::move(message))
                   : DeliveryOutcome::Permanent(std::move(name), std::move(message));
}

// The first text field of `e` holding characters events cannot carry to SQS
// (outside XML's character set, spec/sqs.md §4), or "".
std::string_view InvalidTextField(const events::PutEventsRequestEntry& e) {
  if (!base_internal::IsXmlText(e.source)) return "Source";
  if (!base_internal::IsXmlText(e.detail_type)) return "DetailType";
  for (const std::string& resource : e.resources) {
    if (!base_internal::IsXmlText(resource)) return "Resources";
  }
  return "";
}

}  // namespace

// ---- Endpoints: SQS queues and SNS topics of the same broker ----------------

class EventsService::QueueAndTopicEndpoints final : public bus_internal::Endpoints {
 public:
  QueueAndTopicEndpoints(sqs::Service* sqs, sns::Service* sns) : sqs_(sqs), sns_(sns) {}

  DeliveryOutcome SendToQueue(std::string_view queue_arn, std::string_view body,
                              std::string_view message_group_id,
                              const sqs::MessageAttributeMap& attributes,
                              std::string_view trace_header) override {
    sqs::SendMessageRequest request;
    request.message_body = std::string(body);
    request.message_group_id = std::string(message_group_id);
    request.message_attributes = attributes;
    if (!trace_header.empty()) {
      request.message_system_attributes["AWSTraceHeader"] =
          sqs::MessageAttributeValue{"String", std::string(trace_header), ""};
    }
    // A cached handle of a deleted queue fails with QueueDoesNotExist: look
    // the ARN up again once (the queue may have been re-created).
    for (int pass = 0; pass < 2; ++pass) {
      auto queue = Open(queue_arn, pass == 1);
      if (!queue.ok()) return FromStatus(queue.status(), false);
      auto sent = (*queue)->SendMessage(request);
      if (sent.ok()) return DeliveryOutcome::Ok();
      if (GetErrorCode(sent.status()) == ErrorCode::kQueueDoesNotExist && pass == 0) continue;
      return FromStatus(sent.status(), IsRetryableSqsError(sent.status()));
    }
    return FromStatus(base_internal::QueueDoesNotExistError(), false);
  }

  DeliveryOutcome PublishToTopic(std::string_view topic_arn, std::string_view message) override {
    if (sns_ == nullptr) {
      return DeliveryOutcome::Permanent("NotFound", "Topic does not exist");
    }
    sns::PublishRequest request;
    request.topic_arn = std::string(topic_arn);
    request.message = std::string(message);
    auto published = sns_->Publish(request);
    if (published.ok()) return DeliveryOutcome::Ok();
    std::optional<ErrorCode> code = GetErrorCode(published.status());
    bool retryable = !code.has_value() || *code == ErrorCode::kSnsInternalError;
    return FromStatus(published.status(), retryable);
  }

 private:
  absl::StatusOr<std::shared_ptr<sqs::Queue>> Open(std::string_view arn, bool refresh) {
    if (sqs_ == nullptr) {
      return base_internal::QueueDoesNotExistError();
    }
    std::string key(arn);
    if (!refresh) {
      ReaderMutexLock lock(&mu_);
      auto it = queues_.find(key);
      if (it != queues_.end()) return it->second;
    }
    // arn:aws:sqs:<region>:<account>:<name>
    std::vector<std::string_view> parts = base_internal::ArnFields(key);
    if (parts.size() != 6) {
      return base_internal::QueueDoesNotExistError();
    }
    sqs::GetQueueUrlRequest lookup;
    lookup.queue_name = std::string(parts[5]);
    lookup.queue_owner_aws_account_id = std::string(parts[4]);
    auto url = sqs_->GetQueueUrl(lookup);
    if (!url.ok()) return url.status();
    auto queue = sqs_->OpenQueue(url->queue_url);
    if (!queue.ok()) return queue.status();
    MutexLock lock(&mu_);
    queues_[key] = *queue;
    return *queue;
  }

  sqs::Service* const sqs_;
  sns::Service* const sns_;
  Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<sqs::Queue>> queues_ ABSL_GUARDED_BY(mu_);
};

// ---- Construction ---------------------------------------------------------------

EventsService::EventsService(const Options& options)
    : options_(options),
      endpoints_(std::make_unique<QueueAndTopicEndpoints>(options.sqs, options.sns)) {
  bus_internal::BusRegistry::Options registry;
  registry.region = options.region;
  registry.account_id = options.account_id;
  registry.clock = options.clock;
  registry.scheduler = options.scheduler;
  registry.endpoints = endpoints_.get();
  registry.limits = options.limits;
  registry_ = std::make_unique<bus_internal::BusRegistry>(std::move(registry));
}

EventsService::~EventsService() { registry_.reset(); }

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
    if (registry_->BusArn(out.bus) != arn) return base_internal::EventBusNotFoundError(out.bus);
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
  if (registry_->RuleArn(out.bus, out.rule) != arn) {
    return base_internal::RuleNotFoundError(out.rule, out.bus);
  }
  return out;
}

// ---- Event buses ----------------------------------------------------------------

absl::StatusOr<events::CreateEventBusResult> EventsService::CreateEventBus(
    const events::CreateEventBusRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 256, /*allow_slash=*/true));
  if (request.name.find('/') != std::string::npos) {
    return EventsValidationError(
        absl::StrCat("Event bus name ", request.name,
                     " is not valid. Custom event bus names cannot contain '/'."));
  }
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.description, "description", 512));
  WHARF_RETURN_IF_ERROR(CheckTags(request.tags));
  WHARF_ASSIGN_OR_RETURN(events::EventBus bus, registry_->CreateBus(request));
  events::CreateEventBusResult result;
  result.event_bus_arn = bus.arn;
  result.description = bus.description;
  return result;
}

absl::Status EventsService::DeleteEventBus(const events::DeleteEventBusRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string name, ResolveBus(request.name, "name"));
  if (name == kDefaultBus) return EventsValidationError("Cannot delete event bus default.");
  return registry_->DeleteBus(name);
}

absl::StatusOr<events::DescribeEventBusResult> EventsService::DescribeEventBus(
    const events::DescribeEventBusRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string name, ResolveBus(request.name, "name"));
  return registry_->DescribeBus(name);
}

absl::StatusOr<events::ListEventBusesResult> EventsService::ListEventBuses(
    const events::ListEventBusesRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  events::ListEventBusesResult result;
  result.event_buses = PageOf(
      registry_->ListBuses(request.name_prefix), request.next_token, request.limit,
      [](const events::EventBus& b) { return b.name; }, &result.next_token);
  return result;
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
    std::vector<std::string> dump;
    for (const auto& e : entries) {
      dump.push_back(absl::StrCat("PutEventsRequestEntry(source=", e.source,
                                  ", detailType=", e.detail_type, ")"));
    }
    return EventsConstraintError(absl::StrCat("[", absl::StrJoin(dump, ", "), "]"), "entries",
                                 "Member must have length less than or equal to 10");
  }
  int64_t total = 0;
  for (const auto& e : entries) total += bus_internal::EntrySize(e);
  if (total > options_.limits.max_put_events_request_bytes) {
    return EventsValidationError("Total size of the entries in the request is over the limit.");
  }
  // Every bus must exist before any entry is delivered: an unknown bus fails
  // the whole request.
  std::vector<std::string> buses;
  buses.reserve(entries.size());
  for (const auto& e : entries) {
    WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(e.event_bus_name, "eventBusName"));
    if (!registry_->BusExists(bus)) return base_internal::EventBusNotFoundError(bus);
    buses.push_back(std::move(bus));
  }

  events::PutEventsResult result;
  result.entries.resize(entries.size());
  absl::Time now = options_.clock->Now();
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
      fail(ErrorCode::kEventsInvalidArgument, absl::StrCat("Parameter ", field, " is not valid. Reason: ", field,
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
    auto event = std::make_shared<bus_internal::Event>();
    event->id = base_internal::NewUuid();
    event->time = e.time.value_or(now);
    event->ingestion_time = now;
    event->trace_header = e.trace_header;
    bus_internal::EnvelopeFields fields;
    fields.id = event->id;
    fields.detail_type = e.detail_type;
    fields.source = e.source;
    fields.account = options_.account_id;
    fields.time = event->time;
    fields.region = options_.region;
    fields.resources = &e.resources;
    fields.compact_detail = detail;
    event->envelope = bus_internal::BuildEnvelope(fields);
    out.event_id = event->id;
    absl::Status put = registry_->PutEvent(buses[i], std::move(event));
    if (!put.ok()) {
      // The bus was deleted while the request ran.
      out.event_id.clear();
      fail(ErrorCode::kInternalFailure, std::string(put.message()));
    }
  }
  return result;
}

absl::StatusOr<events::TestEventPatternResult> EventsService::TestEventPattern(
    const events::TestEventPatternRequest& request) {
  WHARF_RETURN_IF_ERROR(ValidatePattern(PatternDialect::kEventBridge, request.event_pattern));
  rapidjson::Document event;
  if (!base_internal::ParseJson(request.event, &event) || !event.IsObject()) {
    return EventsValidationError("Parameter Event is not valid.");
  }
  for (const char* field :
       {"id", "account", "source", "time", "region", "resources", "detail-type"}) {
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
  events::Rule rule;
  rule.name = request.name;
  rule.event_pattern = request.event_pattern;
  rule.schedule_expression = request.schedule_expression;
  rule.state = request.state.empty() ? "ENABLED" : request.state;
  rule.description = request.description;
  rule.role_arn = request.role_arn;
  events::PutRuleResult result;
  WHARF_ASSIGN_OR_RETURN(result.rule_arn,
                         registry_->PutRule(bus, std::move(rule), schedule, request.tags));
  return result;
}

absl::Status EventsService::DeleteRule(const events::DeleteRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  return registry_->DeleteRule(bus, request.name);
}

absl::StatusOr<events::DescribeRuleResult> EventsService::DescribeRule(
    const events::DescribeRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  return registry_->DescribeRule(bus, request.name);
}

absl::StatusOr<events::ListRulesResult> EventsService::ListRules(
    const events::ListRulesRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  WHARF_ASSIGN_OR_RETURN(std::vector<events::Rule> rules,
                         registry_->ListRules(bus, request.name_prefix));
  events::ListRulesResult result;
  result.rules = PageOf(
      std::move(rules), request.next_token, request.limit,
      [](const events::Rule& r) { return r.name; }, &result.next_token);
  return result;
}

absl::Status EventsService::EnableRule(const events::EnableRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  return registry_->SetRuleEnabled(bus, request.name, true);
}

absl::Status EventsService::DisableRule(const events::DisableRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  return registry_->SetRuleEnabled(bus, request.name, false);
}

// ---- Targets --------------------------------------------------------------------

absl::StatusOr<events::PutTargetsResult> EventsService::PutTargets(
    const events::PutTargetsRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.rule, "rule", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  if (request.targets.empty()) {
    return EventsConstraintError("[]", "targets",
                                 "Member must have length greater than or equal to 1");
  }
  if (request.targets.size() > 100) {
    return EventsConstraintError("[...]", "targets",
                                 "Member must have length less than or equal to 100");
  }
  for (size_t i = 0; i < request.targets.size(); ++i) {
    const events::Target& t = request.targets[i];
    std::string path = absl::StrCat("targets.", i + 1, ".member.");
    WHARF_RETURN_IF_ERROR(CheckName(t.id, path + "id", 64));
    if (t.arn.empty()) {
      return EventsConstraintError(t.arn, path + "arn",
                                   "Member must have length greater than or equal to 1");
    }
    WHARF_RETURN_IF_ERROR(CheckMaxLength(t.arn, path + "arn", 1600));
    if (t.sqs_parameters.has_value()) {
      WHARF_RETURN_IF_ERROR(CheckMaxLength(t.sqs_parameters->message_group_id,
                                           path + "sqsParameters.messageGroupId", 100));
    }
    if (absl::StartsWith(t.arn, "arn:aws:sqs:") && absl::EndsWith(t.arn, ".fifo") &&
        (!t.sqs_parameters.has_value() || t.sqs_parameters->message_group_id.empty())) {
      return EventsValidationError(
          absl::StrCat("Parameter(s) SqsParameters must be specified for target: ", t.id, "."));
    }
    if (t.retry_policy.has_value()) {
      const auto& p = *t.retry_policy;
      if (p.maximum_retry_attempts.has_value()) {
        int v = *p.maximum_retry_attempts;
        if (v < 0 || v > 185) {
          return EventsConstraintError(absl::StrCat(v), path + "retryPolicy.maximumRetryAttempts",
                                       v < 0 ? "Member must have value greater than or equal to 0"
                                             : "Member must have value less than or equal to 185");
        }
      }
      if (p.maximum_event_age_in_seconds.has_value()) {
        int v = *p.maximum_event_age_in_seconds;
        if (v < 60 || v > 86400) {
          return EventsConstraintError(
              absl::StrCat(v), path + "retryPolicy.maximumEventAgeInSeconds",
              v < 60 ? "Member must have value greater than or equal to 60"
                     : "Member must have value less than or equal to 86400");
        }
      }
    }
    if (t.dead_letter_config.has_value() && !t.dead_letter_config->arn.empty() &&
        !absl::StartsWith(t.dead_letter_config->arn, "arn:aws:sqs:")) {
      return EventsValidationError(
          absl::StrCat("Parameter DeadLetterConfig.Arn is not valid for target ", t.id,
                       ". It must be an SQS queue ARN."));
    }
  }
  WHARF_RETURN_IF_ERROR(registry_->PutTargets(bus, request.rule, request.targets));
  return events::PutTargetsResult{};
}

absl::StatusOr<events::RemoveTargetsResult> EventsService::RemoveTargets(
    const events::RemoveTargetsRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.rule, "rule", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  if (request.ids.empty()) {
    return EventsConstraintError("[]", "ids", "Member must have length greater than or equal to 1");
  }
  if (request.ids.size() > 100) {
    return EventsConstraintError("[...]", "ids",
                                 "Member must have length less than or equal to 100");
  }
  WHARF_RETURN_IF_ERROR(registry_->RemoveTargets(bus, request.rule, request.ids));
  return events::RemoveTargetsResult{};
}

absl::StatusOr<events::ListTargetsByRuleResult> EventsService::ListTargetsByRule(
    const events::ListTargetsByRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.rule, "rule", 64));
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  WHARF_ASSIGN_OR_RETURN(std::vector<events::Target> targets,
                         registry_->ListTargets(bus, request.rule));
  events::ListTargetsByRuleResult result;
  result.targets = PageOf(
      std::move(targets), request.next_token, request.limit,
      [](const events::Target& t) { return t.id; }, &result.next_token);
  return result;
}

absl::StatusOr<events::ListRuleNamesByTargetResult> EventsService::ListRuleNamesByTarget(
    const events::ListRuleNamesByTargetRequest& request) {
  if (request.target_arn.empty()) {
    return EventsConstraintError("", "targetArn",
                                 "Member must have length greater than or equal to 1");
  }
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  WHARF_ASSIGN_OR_RETURN(std::vector<std::string> names,
                         registry_->ListRuleNamesByTarget(bus, request.target_arn));
  events::ListRuleNamesByTargetResult result;
  result.rule_names = PageOf(
      std::move(names), request.next_token, request.limit, [](const std::string& n) { return n; },
      &result.next_token);
  return result;
}

// ---- Archives and replays ---------------------------------------------------------

absl::StatusOr<events::CreateArchiveResult> EventsService::CreateArchive(
    const events::CreateArchiveRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.archive_name, "archiveName", 48));
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.description, "description", 512));
  if (request.retention_days.has_value() && *request.retention_days < 0) {
    return EventsConstraintError(absl::StrCat(*request.retention_days), "retentionDays",
                                 "Member must have value greater than or equal to 0");
  }
  if (request.event_source_arn.empty()) {
    return EventsConstraintError("", "eventSourceArn",
                                 "Member must have length greater than or equal to 1");
  }
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_source_arn, "eventSourceArn"));
  if (!request.event_pattern.empty()) {
    WHARF_RETURN_IF_ERROR(ValidatePattern(PatternDialect::kEventBridge, request.event_pattern));
  }
  return registry_->CreateArchive(bus, request);
}

absl::StatusOr<events::UpdateArchiveResult> EventsService::UpdateArchive(
    const events::UpdateArchiveRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.archive_name, "archiveName", 48));
  if (!request.description.has_value() && !request.event_pattern.has_value() &&
      !request.retention_days.has_value()) {
    return EventsValidationError(
        "At least one of EventPattern, RetentionDays or Description must be provided.");
  }
  if (request.description.has_value()) {
    WHARF_RETURN_IF_ERROR(CheckMaxLength(*request.description, "description", 512));
  }
  if (request.retention_days.has_value() && *request.retention_days < 0) {
    return EventsConstraintError(absl::StrCat(*request.retention_days), "retentionDays",
                                 "Member must have value greater than or equal to 0");
  }
  if (request.event_pattern.has_value() && !request.event_pattern->empty()) {
    WHARF_RETURN_IF_ERROR(ValidatePattern(PatternDialect::kEventBridge, *request.event_pattern));
  }
  return registry_->UpdateArchive(request);
}

absl::StatusOr<events::DescribeArchiveResult> EventsService::DescribeArchive(
    const events::DescribeArchiveRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.archive_name, "archiveName", 48));
  return registry_->DescribeArchive(request.archive_name);
}

absl::StatusOr<events::ListArchivesResult> EventsService::ListArchives(
    const events::ListArchivesRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  events::ListArchivesResult result;
  result.archives = PageOf(
      registry_->ListArchives(request.name_prefix, request.event_source_arn, request.state),
      request.next_token, request.limit, [](const events::Archive& a) { return a.archive_name; },
      &result.next_token);
  return result;
}

absl::Status EventsService::DeleteArchive(const events::DeleteArchiveRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.archive_name, "archiveName", 48));
  return registry_->DeleteArchive(request.archive_name);
}

absl::StatusOr<events::StartReplayResult> EventsService::StartReplay(
    const events::StartReplayRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.replay_name, "replayName", 64));
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.description, "description", 512));
  if (request.event_start_time >= request.event_end_time) {
    return EventsValidationError(
        "Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
        "EventEndTime.");
  }
  return registry_->StartReplay(request);
}

absl::StatusOr<events::DescribeReplayResult> EventsService::DescribeReplay(
    const events::DescribeReplayRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.replay_name, "replayName", 64));
  return registry_->DescribeReplay(request.replay_name);
}

absl::StatusOr<events::ListReplaysResult> EventsService::ListReplays(
    const events::ListReplaysRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  events::ListReplaysResult result;
  result.replays = PageOf(
      registry_->ListReplays(request.name_prefix, request.state, request.event_source_arn),
      request.next_token, request.limit, [](const events::Replay& r) { return r.replay_name; },
      &result.next_token);
  return result;
}

absl::StatusOr<events::CancelReplayResult> EventsService::CancelReplay(
    const events::CancelReplayRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.replay_name, "replayName", 64));
  return registry_->CancelReplay(request.replay_name);
}

// ---- Tags ---------------------------------------------------------------------------

absl::Status EventsService::TagResource(const events::TagResourceRequest& request) {
  // Shape constraints first, as AWS checks them before looking anything up.
  WHARF_RETURN_IF_ERROR(CheckTags(request.tags));
  WHARF_ASSIGN_OR_RETURN(TaggedResource resource, ResolveTaggedResource(request.resource_arn));
  return registry_->TagResource(resource.bus, resource.rule, request.tags);
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
  return registry_->UntagResource(resource.bus, resource.rule, request.tag_keys);
}

absl::StatusOr<events::ListTagsForResourceResult> EventsService::ListTagsForResource(
    const events::ListTagsForResourceRequest& request) {
  WHARF_ASSIGN_OR_RETURN(TaggedResource resource, ResolveTaggedResource(request.resource_arn));
  events::ListTagsForResourceResult result;
  WHARF_ASSIGN_OR_RETURN(result.tags, registry_->ListTags(resource.bus, resource.rule));
  return result;
}

// ---- Callbacks ----------------------------------------------------------------------

absl::StatusOr<std::string> EventsService::RegisterCallback(const std::string& name,
                                                            events::Callback callback) {
  WHARF_RETURN_IF_ERROR(CheckName(name, "name", 64));
  return registry_->RegisterCallback(name, std::move(callback));
}

void EventsService::UnregisterCallback(const std::string& name) {
  registry_->UnregisterCallback(name);
}

}  // namespace wharf::service_internal
