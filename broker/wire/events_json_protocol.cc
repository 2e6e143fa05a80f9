#include "broker/wire/events_json_protocol.h"

#include <simdjson.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/wire/error_mapping.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr char kContentType[] = "application/x-amz-json-1.1";
constexpr JsonErrorStyle kErrorStyle = {
    .type_prefix = "", .content_type = kContentType, .query_compatible = false};

std::string WrongType(std::string_view path, std::string_view expected) {
  return absl::StrCat("Member ", Absl(path), " must be ", Absl(expected), ".");
}

// "EventBusName" -> "eventBusName", as Coral names members in its messages.
std::string MemberPath(std::string_view prefix, std::string_view key) {
  std::string path = absl::StrCat(Absl(prefix), Absl(key));
  size_t first = prefix.size();
  if (first < path.size()) {
    path[first] = absl::ascii_tolower(static_cast<unsigned char>(path[first]));
  }
  return path;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
void String(Writer& w, std::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void Member(Writer& w, std::string_view key, std::string_view value) {
  Key(w, key);
  String(w, value);
}
void MemberIfSet(Writer& w, std::string_view key, std::string_view value) {
  if (!value.empty()) Member(w, key, value);
}
void IntMember(Writer& w, std::string_view key, int64_t value) {
  Key(w, key);
  w.Int64(value);
}
// A timestamp as epoch seconds: an integer when whole, else with up to
// millisecond precision (what the SDKs parse back).
void TimeMember(Writer& w, std::string_view key, absl::Time time) {
  Key(w, key);
  int64_t millis = absl::ToUnixMillis(time);
  if (millis % 1000 == 0) {
    w.Int64(millis / 1000);
  } else {
    w.Double(static_cast<double>(millis) / 1000.0);
  }
}
void StringList(Writer& w, std::string_view key, const std::vector<std::string>& values) {
  Key(w, key);
  w.StartArray();
  for (const std::string& value : values) String(w, value);
  w.EndArray();
}
void NextToken(Writer& w, std::string_view token) { MemberIfSet(w, "NextToken", token); }

}  // namespace

// One request: the parsed body, the first decoding error, and the JSON
// response being written.
class EventsJsonProtocol::Call {
 public:
  Call(const RequestContext& context, std::string_view operation)
      : context_(context), operation_(operation), writer_(buffer_) {
    std::string_view body = context.http.body;
    if (body.empty()) body = "{}";
    simdjson::dom::element root;
    if (parser_.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
      Fail(SerializationError("The request body is not valid JSON."));
      return;
    }
    if (root.get_object().get(root_) != simdjson::SUCCESS) {
      Fail(SerializationError("The request body must be a JSON object."));
    }
  }

  bool failed() const { return error_.has_value(); }
  simdjson::dom::object root() const { return root_; }
  std::string_view operation() const { return operation_; }

  // ---- Decoding: each reads member `key` of `object`; absent and null are
  // the same. They return false after recording the first error. Error
  // messages name the member by its path: the prefix (set_prefix) + key. ----

  // Set while decoding a list element, e.g. "targets.1.member.".
  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }

  // Looks `key` up; false when absent or null.
  static bool Lookup(simdjson::dom::object object, std::string_view key,
                     simdjson::dom::element* out) {
    if (object.at_key(key).get(*out) != simdjson::SUCCESS) return false;
    return !out->is_null();
  }

  bool Missing(std::string_view key) {
    Fail(ErrorFor(
        ErrorCode::kEventsValidation,
        absl::StrCat("1 validation error detected: Value null at '", MemberPath(prefix_, key),
                     "' failed to satisfy constraint: Member must not be null")));
    return false;
  }

  bool WrongTypeOf(std::string_view key, std::string_view expected) {
    Fail(SerializationError(WrongType(MemberPath(prefix_, key), expected)));
    return false;
  }

  bool Str(simdjson::dom::object object, std::string_view key, std::string* out,
           bool required = false) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return required ? Missing(key) : true;
    std::string_view value;
    if (element.get_string().get(value) != simdjson::SUCCESS) {
      return WrongTypeOf(key, "a string");
    }
    out->assign(value.data(), value.size());
    return true;
  }

  bool OptStr(simdjson::dom::object object, std::string_view key, std::optional<std::string>* out) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return true;
    std::string value;
    if (!Str(object, key, &value)) return false;
    *out = std::move(value);
    return true;
  }

  bool Int(simdjson::dom::object object, std::string_view key, std::optional<int>* out) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return true;
    int64_t value = 0;
    bool ok = false;
    if (element.is_int64()) {
      ok = element.get_int64().get(value) == simdjson::SUCCESS;
    } else if (element.is_double()) {
      double d = 0;
      ok = element.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d) &&
           d == std::floor(d) && std::fabs(d) < 1e15;
      if (ok) value = static_cast<int64_t>(d);  // Only in range: the cast is UB outside.
    }
    if (!ok || value < INT_MIN || value > INT_MAX) return WrongTypeOf(key, "a 32-bit integer");
    *out = static_cast<int>(value);
    return true;
  }

  bool Bool(simdjson::dom::object object, std::string_view key, bool* out) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return true;
    if (element.get_bool().get(*out) != simdjson::SUCCESS) return WrongTypeOf(key, "a boolean");
    return true;
  }

  // Epoch seconds (a number, possibly fractional), or an RFC 3339 string.
  bool Time(simdjson::dom::object object, std::string_view key, std::optional<absl::Time>* out,
            bool required = false) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return required ? Missing(key) : true;
    if (element.is_int64() || element.is_uint64() || element.is_double()) {
      double seconds = 0;
      if (element.get_double().get(seconds) != simdjson::SUCCESS || !std::isfinite(seconds) ||
          std::fabs(seconds) > 1e12) {
        return WrongTypeOf(key, "a timestamp");
      }
      *out = absl::FromUnixMicros(static_cast<int64_t>(std::llround(seconds * 1e6)));
      return true;
    }
    std::string_view text;
    if (element.get_string().get(text) != simdjson::SUCCESS) {
      return WrongTypeOf(key, "a timestamp");
    }
    double seconds = 0;
    if (absl::SimpleAtod(Absl(text), &seconds) && std::isfinite(seconds) &&
        std::fabs(seconds) < 1e12) {
      *out = absl::FromUnixMicros(static_cast<int64_t>(std::llround(seconds * 1e6)));
      return true;
    }
    absl::Time time;
    std::string parse_error;
    if (!absl::ParseTime(absl::RFC3339_full, Absl(text), &time, &parse_error)) {
      return WrongTypeOf(key, "a timestamp");
    }
    *out = time;
    return true;
  }

  bool StrList(simdjson::dom::object object, std::string_view key, std::vector<std::string>* out,
               bool required = false) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return required ? Missing(key) : true;
    simdjson::dom::array array;
    if (element.get_array().get(array) != simdjson::SUCCESS) {
      return WrongTypeOf(key, "a list of strings");
    }
    for (simdjson::dom::element item : array) {
      std::string_view value;
      if (item.get_string().get(value) != simdjson::SUCCESS) {
        return WrongTypeOf(key, "a list of strings");
      }
      out->emplace_back(value);
    }
    return true;
  }

  bool StrMap(simdjson::dom::object object, std::string_view key,
              std::map<std::string, std::string>* out) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return true;
    simdjson::dom::object map;
    if (element.get_object().get(map) != simdjson::SUCCESS) {
      return WrongTypeOf(key, "a map of strings");
    }
    for (simdjson::dom::key_value_pair field : map) {
      std::string_view value;
      if (field.value.get_string().get(value) != simdjson::SUCCESS) {
        return WrongTypeOf(key, "a map of strings");
      }
      (*out)[std::string(field.key)] = std::string(value);
    }
    return true;
  }

  // Member `key` as an object: `*present` tells whether it was there.
  bool Object(simdjson::dom::object object, std::string_view key, simdjson::dom::object* out,
              bool* present, bool required = false) {
    *present = false;
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return required ? Missing(key) : true;
    if (element.get_object().get(*out) != simdjson::SUCCESS) {
      return WrongTypeOf(key, "a structure");
    }
    *present = true;
    return true;
  }

  // Calls `entry(object, path_prefix)` for each element of the list `key`
  // (which must hold objects); the prefix names the element in messages
  // ("targets.1.member.").
  template <typename F>
  bool Entries(simdjson::dom::object object, std::string_view key, F entry, bool required = false) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return required ? Missing(key) : true;
    simdjson::dom::array array;
    if (element.get_array().get(array) != simdjson::SUCCESS) {
      return WrongTypeOf(key, "a list of structures");
    }
    std::string list_path = MemberPath(prefix_, key);
    std::string saved = prefix_;
    int index = 0;
    for (simdjson::dom::element item : array) {
      ++index;
      simdjson::dom::object element_object;
      if (item.get_object().get(element_object) != simdjson::SUCCESS) {
        return WrongTypeOf(key, "a list of structures");
      }
      prefix_ = absl::StrCat(list_path, ".", index, ".member.");
      bool ok = entry(element_object);
      prefix_ = saved;
      if (!ok) return false;
    }
    return true;
  }

  // [{"Key": .., "Value": ..}]
  bool Tags(simdjson::dom::object object, std::string_view key, std::vector<events::Tag>* out,
            bool required = false) {
    return Entries(
        object, key,
        [&](simdjson::dom::object tag) {
          events::Tag& t = out->emplace_back();
          return Str(tag, "Key", &t.key, /*required=*/true) &&
                 Str(tag, "Value", &t.value, /*required=*/true);
        },
        required);
  }

  bool DeadLetter(simdjson::dom::object object, std::optional<events::DeadLetterConfig>* out) {
    simdjson::dom::object config;
    bool present = false;
    if (!Object(object, "DeadLetterConfig", &config, &present)) return false;
    if (!present) return true;
    events::DeadLetterConfig& value = out->emplace();
    return Str(config, "Arn", &value.arn);
  }

  bool Fail(WireError error) {
    if (!error_) error_ = std::move(error);
    return false;
  }

  // ---- Encoding ----

  // The writer of the response object (already opened).
  Writer& out() {
    if (!started_) {
      started_ = true;
      writer_.StartObject();
    }
    return writer_;
  }

  HttpResponse Finish() {
    out().EndObject();
    HttpResponse response;
    response.content_type = kContentType;
    response.body.assign(buffer_.GetString(), buffer_.GetSize());
    response.headers.emplace_back("x-amzn-RequestId", std::string(context_.request_id));
    return response;
  }

  HttpResponse Error() { return Error(*error_); }
  HttpResponse Error(const absl::Status& status) { return Error(ErrorFromStatus(status)); }
  HttpResponse Error(const WireError& error) {
    return RenderJsonError(error, context_.request_id, kErrorStyle);
  }

 private:
  const RequestContext& context_;
  std::string_view operation_;
  simdjson::dom::parser parser_;
  simdjson::dom::object root_;
  std::optional<WireError> error_;
  std::string prefix_;
  rapidjson::StringBuffer buffer_;
  Writer writer_;
  bool started_ = false;
};

namespace {

using Call = EventsJsonProtocol::Call;

bool DecodeTarget(Call& call, simdjson::dom::object object, events::Target* target) {
  if (!call.Str(object, "Id", &target->id, /*required=*/true) ||
      !call.Str(object, "Arn", &target->arn, /*required=*/true) ||
      !call.Str(object, "RoleArn", &target->role_arn) ||
      !call.OptStr(object, "Input", &target->input) ||
      !call.Str(object, "InputPath", &target->input_path) ||
      !call.DeadLetter(object, &target->dead_letter_config)) {
    return false;
  }
  simdjson::dom::object block;
  bool present = false;
  if (!call.Object(object, "InputTransformer", &block, &present)) return false;
  if (present) {
    events::InputTransformer& transformer = target->input_transformer.emplace();
    if (!call.StrMap(block, "InputPathsMap", &transformer.input_paths_map) ||
        !call.Str(block, "InputTemplate", &transformer.input_template, /*required=*/true)) {
      return false;
    }
  }
  if (!call.Object(object, "SqsParameters", &block, &present)) return false;
  if (present) {
    events::SqsParameters& sqs = target->sqs_parameters.emplace();
    if (!call.Str(block, "MessageGroupId", &sqs.message_group_id)) return false;
  }
  if (!call.Object(object, "RetryPolicy", &block, &present)) return false;
  if (present) {
    events::RetryPolicy& retry = target->retry_policy.emplace();
    if (!call.Int(block, "MaximumRetryAttempts", &retry.maximum_retry_attempts) ||
        !call.Int(block, "MaximumEventAgeInSeconds", &retry.maximum_event_age_in_seconds)) {
      return false;
    }
  }
  return true;
}

void WriteTarget(Writer& w, const events::Target& target) {
  w.StartObject();
  Member(w, "Id", target.id);
  Member(w, "Arn", target.arn);
  MemberIfSet(w, "RoleArn", target.role_arn);
  if (target.input) Member(w, "Input", *target.input);
  MemberIfSet(w, "InputPath", target.input_path);
  if (target.input_transformer) {
    Key(w, "InputTransformer");
    w.StartObject();
    if (!target.input_transformer->input_paths_map.empty()) {
      Key(w, "InputPathsMap");
      w.StartObject();
      for (const auto& [name, path] : target.input_transformer->input_paths_map) {
        Member(w, name, path);
      }
      w.EndObject();
    }
    Member(w, "InputTemplate", target.input_transformer->input_template);
    w.EndObject();
  }
  if (target.sqs_parameters) {
    Key(w, "SqsParameters");
    w.StartObject();
    MemberIfSet(w, "MessageGroupId", target.sqs_parameters->message_group_id);
    w.EndObject();
  }
  if (target.dead_letter_config) {
    Key(w, "DeadLetterConfig");
    w.StartObject();
    MemberIfSet(w, "Arn", target.dead_letter_config->arn);
    w.EndObject();
  }
  if (target.retry_policy) {
    Key(w, "RetryPolicy");
    w.StartObject();
    if (target.retry_policy->maximum_retry_attempts) {
      IntMember(w, "MaximumRetryAttempts", *target.retry_policy->maximum_retry_attempts);
    }
    if (target.retry_policy->maximum_event_age_in_seconds) {
      IntMember(w, "MaximumEventAgeInSeconds", *target.retry_policy->maximum_event_age_in_seconds);
    }
    w.EndObject();
  }
  w.EndObject();
}

void WriteEventBus(Writer& w, const events::EventBus& bus) {
  Member(w, "Name", bus.name);
  Member(w, "Arn", bus.arn);
  MemberIfSet(w, "Description", bus.description);
  MemberIfSet(w, "Policy", bus.policy);
  TimeMember(w, "CreationTime", bus.creation_time);
  TimeMember(w, "LastModifiedTime", bus.last_modified_time);
}

// The members of the Rule shape; DescribeRule adds CreatedBy.
void WriteRule(Writer& w, const events::Rule& rule) {
  Member(w, "Name", rule.name);
  Member(w, "Arn", rule.arn);
  MemberIfSet(w, "EventPattern", rule.event_pattern);
  MemberIfSet(w, "ScheduleExpression", rule.schedule_expression);
  Member(w, "State", rule.state);
  MemberIfSet(w, "Description", rule.description);
  MemberIfSet(w, "RoleArn", rule.role_arn);
  MemberIfSet(w, "ManagedBy", rule.managed_by);
  Member(w, "EventBusName", rule.event_bus_name);
}

void WriteFailedTargets(Writer& w, const events::PutTargetsResult& result) {
  IntMember(w, "FailedEntryCount", result.failed_entry_count);
  Key(w, "FailedEntries");
  w.StartArray();
  for (const events::FailedTargetEntry& entry : result.failed_entries) {
    w.StartObject();
    Member(w, "TargetId", entry.target_id);
    Member(w, "ErrorCode", entry.error_code);
    Member(w, "ErrorMessage", entry.error_message);
    w.EndObject();
  }
  w.EndArray();
}

// CreateArchive / UpdateArchive output.
void WriteArchiveState(Writer& w, const events::CreateArchiveResult& result) {
  Member(w, "ArchiveArn", result.archive_arn);
  Member(w, "State", result.state);
  MemberIfSet(w, "StateReason", result.state_reason);
  TimeMember(w, "CreationTime", result.creation_time);
}

// The Archive shape; DescribeArchive adds ArchiveArn and the pattern.
void WriteArchive(Writer& w, const events::Archive& archive, bool describe) {
  if (describe) Member(w, "ArchiveArn", archive.archive_arn);
  Member(w, "ArchiveName", archive.archive_name);
  Member(w, "EventSourceArn", archive.event_source_arn);
  if (describe) {
    MemberIfSet(w, "Description", archive.description);
    MemberIfSet(w, "EventPattern", archive.event_pattern);
  }
  Member(w, "State", archive.state);
  MemberIfSet(w, "StateReason", archive.state_reason);
  IntMember(w, "RetentionDays", archive.retention_days);
  IntMember(w, "SizeBytes", archive.size_bytes);
  IntMember(w, "EventCount", archive.event_count);
  TimeMember(w, "CreationTime", archive.creation_time);
}

// The Replay shape; DescribeReplay adds ReplayArn, Description and
// Destination.
void WriteReplay(Writer& w, const events::Replay& replay, bool describe) {
  Member(w, "ReplayName", replay.replay_name);
  if (describe) {
    Member(w, "ReplayArn", replay.replay_arn);
    MemberIfSet(w, "Description", replay.description);
  }
  Member(w, "EventSourceArn", replay.event_source_arn);
  if (describe) {
    Key(w, "Destination");
    w.StartObject();
    Member(w, "Arn", replay.destination.arn);
    if (!replay.destination.filter_arns.empty()) {
      StringList(w, "FilterArns", replay.destination.filter_arns);
    }
    w.EndObject();
  }
  Member(w, "State", replay.state);
  MemberIfSet(w, "StateReason", replay.state_reason);
  TimeMember(w, "EventStartTime", replay.event_start_time);
  TimeMember(w, "EventEndTime", replay.event_end_time);
  if (replay.event_last_replayed_time) {
    TimeMember(w, "EventLastReplayedTime", *replay.event_last_replayed_time);
  }
  TimeMember(w, "ReplayStartTime", replay.replay_start_time);
  if (replay.replay_end_time) TimeMember(w, "ReplayEndTime", *replay.replay_end_time);
}

}  // namespace

EventsJsonProtocol::EventsJsonProtocol(events::Service& service) : service_(service) {
  operations_ = {
      {"CreateEventBus", &EventsJsonProtocol::CreateEventBus},
      {"DeleteEventBus", &EventsJsonProtocol::DeleteEventBus},
      {"DescribeEventBus", &EventsJsonProtocol::DescribeEventBus},
      {"ListEventBuses", &EventsJsonProtocol::ListEventBuses},
      {"PutEvents", &EventsJsonProtocol::PutEvents},
      {"TestEventPattern", &EventsJsonProtocol::TestEventPattern},
      {"PutRule", &EventsJsonProtocol::PutRule},
      {"DeleteRule", &EventsJsonProtocol::DeleteRule},
      {"DescribeRule", &EventsJsonProtocol::DescribeRule},
      {"ListRules", &EventsJsonProtocol::ListRules},
      {"EnableRule", &EventsJsonProtocol::EnableRule},
      {"DisableRule", &EventsJsonProtocol::DisableRule},
      {"PutTargets", &EventsJsonProtocol::PutTargets},
      {"RemoveTargets", &EventsJsonProtocol::RemoveTargets},
      {"ListTargetsByRule", &EventsJsonProtocol::ListTargetsByRule},
      {"ListRuleNamesByTarget", &EventsJsonProtocol::ListRuleNamesByTarget},
      {"CreateArchive", &EventsJsonProtocol::CreateArchive},
      {"UpdateArchive", &EventsJsonProtocol::UpdateArchive},
      {"DescribeArchive", &EventsJsonProtocol::DescribeArchive},
      {"ListArchives", &EventsJsonProtocol::ListArchives},
      {"DeleteArchive", &EventsJsonProtocol::DeleteArchive},
      {"StartReplay", &EventsJsonProtocol::StartReplay},
      {"DescribeReplay", &EventsJsonProtocol::DescribeReplay},
      {"ListReplays", &EventsJsonProtocol::ListReplays},
      {"CancelReplay", &EventsJsonProtocol::CancelReplay},
      {"TagResource", &EventsJsonProtocol::TagResource},
      {"UntagResource", &EventsJsonProtocol::UntagResource},
      {"ListTagsForResource", &EventsJsonProtocol::ListTagsForResource},
  };
}

HttpResponse EventsJsonProtocol::RenderError(const RequestContext& context,
                                             const WireError& error) const {
  return RenderJsonError(error, context.request_id, kErrorStyle);
}

HttpResponse EventsJsonProtocol::Handle(const RequestContext& context,
                                        std::string_view operation) const {
  auto it = operations_.find(Absl(operation));
  if (it == operations_.end()) {
    return RenderError(context, ErrorFor(ErrorCode::kInvalidAction,
                                         absl::StrCat("The action ", Absl(operation),
                                                      " is not valid for this endpoint.")));
  }
  Call call(context, operation);
  if (call.failed()) return call.Error();
  return (this->*(it->second))(call);
}

// ---- Event buses ------------------------------------------------------------

HttpResponse EventsJsonProtocol::CreateEventBus(Call& call) const {
  events::CreateEventBusRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "Name", &request.name, /*required=*/true) ||
      !call.Str(root, "EventSourceName", &request.event_source_name) ||
      !call.Str(root, "Description", &request.description) ||
      !call.Str(root, "KmsKeyIdentifier", &request.kms_key_identifier) ||
      !call.DeadLetter(root, &request.dead_letter_config) ||
      !call.Tags(root, "Tags", &request.tags)) {
    return call.Error();
  }
  absl::StatusOr<events::CreateEventBusResult> result = service_.CreateEventBus(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Member(w, "EventBusArn", result->event_bus_arn);
  MemberIfSet(w, "Description", result->description);
  MemberIfSet(w, "KmsKeyIdentifier", request.kms_key_identifier);
  if (request.dead_letter_config) {
    Key(w, "DeadLetterConfig");
    w.StartObject();
    MemberIfSet(w, "Arn", request.dead_letter_config->arn);
    w.EndObject();
  }
  return call.Finish();
}

HttpResponse EventsJsonProtocol::DeleteEventBus(Call& call) const {
  events::DeleteEventBusRequest request;
  if (!call.Str(call.root(), "Name", &request.name, /*required=*/true)) return call.Error();
  absl::Status status = service_.DeleteEventBus(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::DescribeEventBus(Call& call) const {
  events::DescribeEventBusRequest request;
  if (!call.Str(call.root(), "Name", &request.name)) return call.Error();
  absl::StatusOr<events::DescribeEventBusResult> result = service_.DescribeEventBus(request);
  if (!result.ok()) return call.Error(result.status());
  WriteEventBus(call.out(), *result);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::ListEventBuses(Call& call) const {
  events::ListEventBusesRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "NamePrefix", &request.name_prefix) ||
      !call.Str(root, "NextToken", &request.next_token) ||
      !call.Int(root, "Limit", &request.limit)) {
    return call.Error();
  }
  absl::StatusOr<events::ListEventBusesResult> result = service_.ListEventBuses(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "EventBuses");
  w.StartArray();
  for (const events::EventBus& bus : result->event_buses) {
    w.StartObject();
    WriteEventBus(w, bus);
    w.EndObject();
  }
  w.EndArray();
  NextToken(w, result->next_token);
  return call.Finish();
}

// ---- Events -----------------------------------------------------------------

HttpResponse EventsJsonProtocol::PutEvents(Call& call) const {
  events::PutEventsRequest request;
  simdjson::dom::object root = call.root();
  bool ok = call.Entries(
      root, "Entries",
      [&](simdjson::dom::object object) {
        events::PutEventsRequestEntry& entry = request.entries.emplace_back();
        return call.Time(object, "Time", &entry.time) &&
               call.Str(object, "Source", &entry.source) &&
               call.StrList(object, "Resources", &entry.resources) &&
               call.Str(object, "DetailType", &entry.detail_type) &&
               call.Str(object, "Detail", &entry.detail) &&
               call.Str(object, "EventBusName", &entry.event_bus_name) &&
               call.Str(object, "TraceHeader", &entry.trace_header);
      },
      /*required=*/true);
  if (!ok || !call.Str(root, "EndpointId", &request.endpoint_id)) return call.Error();
  absl::StatusOr<events::PutEventsResult> result = service_.PutEvents(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  IntMember(w, "FailedEntryCount", result->failed_entry_count);
  Key(w, "Entries");
  w.StartArray();
  for (const events::PutEventsResultEntry& entry : result->entries) {
    w.StartObject();
    MemberIfSet(w, "EventId", entry.event_id);
    MemberIfSet(w, "ErrorCode", entry.error_code);
    MemberIfSet(w, "ErrorMessage", entry.error_message);
    w.EndObject();
  }
  w.EndArray();
  return call.Finish();
}

HttpResponse EventsJsonProtocol::TestEventPattern(Call& call) const {
  events::TestEventPatternRequest request;
  if (!call.Str(call.root(), "EventPattern", &request.event_pattern, /*required=*/true) ||
      !call.Str(call.root(), "Event", &request.event, /*required=*/true)) {
    return call.Error();
  }
  absl::StatusOr<events::TestEventPatternResult> result = service_.TestEventPattern(request);
  if (!result.ok()) return call.Error(result.status());
  Key(call.out(), "Result");
  call.out().Bool(result->result);
  return call.Finish();
}

// ---- Rules ------------------------------------------------------------------

HttpResponse EventsJsonProtocol::PutRule(Call& call) const {
  events::PutRuleRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "Name", &request.name, /*required=*/true) ||
      !call.Str(root, "ScheduleExpression", &request.schedule_expression) ||
      !call.Str(root, "EventPattern", &request.event_pattern) ||
      !call.Str(root, "State", &request.state) ||
      !call.Str(root, "Description", &request.description) ||
      !call.Str(root, "RoleArn", &request.role_arn) || !call.Tags(root, "Tags", &request.tags) ||
      !call.Str(root, "EventBusName", &request.event_bus_name)) {
    return call.Error();
  }
  absl::StatusOr<events::PutRuleResult> result = service_.PutRule(request);
  if (!result.ok()) return call.Error(result.status());
  Member(call.out(), "RuleArn", result->rule_arn);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::DeleteRule(Call& call) const {
  events::DeleteRuleRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "Name", &request.name, /*required=*/true) ||
      !call.Str(root, "EventBusName", &request.event_bus_name) ||
      !call.Bool(root, "Force", &request.force)) {
    return call.Error();
  }
  absl::Status status = service_.DeleteRule(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::DescribeRule(Call& call) const {
  events::DescribeRuleRequest request;
  if (!call.Str(call.root(), "Name", &request.name, /*required=*/true) ||
      !call.Str(call.root(), "EventBusName", &request.event_bus_name)) {
    return call.Error();
  }
  absl::StatusOr<events::DescribeRuleResult> result = service_.DescribeRule(request);
  if (!result.ok()) return call.Error(result.status());
  WriteRule(call.out(), *result);
  MemberIfSet(call.out(), "CreatedBy", result->created_by);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::ListRules(Call& call) const {
  events::ListRulesRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "NamePrefix", &request.name_prefix) ||
      !call.Str(root, "EventBusName", &request.event_bus_name) ||
      !call.Str(root, "NextToken", &request.next_token) ||
      !call.Int(root, "Limit", &request.limit)) {
    return call.Error();
  }
  absl::StatusOr<events::ListRulesResult> result = service_.ListRules(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "Rules");
  w.StartArray();
  for (const events::Rule& rule : result->rules) {
    w.StartObject();
    WriteRule(w, rule);
    w.EndObject();
  }
  w.EndArray();
  NextToken(w, result->next_token);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::EnableRule(Call& call) const {
  events::EnableRuleRequest request;
  if (!call.Str(call.root(), "Name", &request.name, /*required=*/true) ||
      !call.Str(call.root(), "EventBusName", &request.event_bus_name)) {
    return call.Error();
  }
  absl::Status status = service_.EnableRule(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::DisableRule(Call& call) const {
  events::DisableRuleRequest request;
  if (!call.Str(call.root(), "Name", &request.name, /*required=*/true) ||
      !call.Str(call.root(), "EventBusName", &request.event_bus_name)) {
    return call.Error();
  }
  absl::Status status = service_.DisableRule(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

// ---- Targets ----------------------------------------------------------------

HttpResponse EventsJsonProtocol::PutTargets(Call& call) const {
  events::PutTargetsRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "Rule", &request.rule, /*required=*/true) ||
      !call.Str(root, "EventBusName", &request.event_bus_name) ||
      !call.Entries(
          root, "Targets",
          [&](simdjson::dom::object object) {
            return DecodeTarget(call, object, &request.targets.emplace_back());
          },
          /*required=*/true)) {
    return call.Error();
  }
  absl::StatusOr<events::PutTargetsResult> result = service_.PutTargets(request);
  if (!result.ok()) return call.Error(result.status());
  WriteFailedTargets(call.out(), *result);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::RemoveTargets(Call& call) const {
  events::RemoveTargetsRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "Rule", &request.rule, /*required=*/true) ||
      !call.Str(root, "EventBusName", &request.event_bus_name) ||
      !call.StrList(root, "Ids", &request.ids, /*required=*/true) ||
      !call.Bool(root, "Force", &request.force)) {
    return call.Error();
  }
  absl::StatusOr<events::RemoveTargetsResult> result = service_.RemoveTargets(request);
  if (!result.ok()) return call.Error(result.status());
  WriteFailedTargets(call.out(), *result);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::ListTargetsByRule(Call& call) const {
  events::ListTargetsByRuleRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "Rule", &request.rule, /*required=*/true) ||
      !call.Str(root, "EventBusName", &request.event_bus_name) ||
      !call.Str(root, "NextToken", &request.next_token) ||
      !call.Int(root, "Limit", &request.limit)) {
    return call.Error();
  }
  absl::StatusOr<events::ListTargetsByRuleResult> result = service_.ListTargetsByRule(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "Targets");
  w.StartArray();
  for (const events::Target& target : result->targets) WriteTarget(w, target);
  w.EndArray();
  NextToken(w, result->next_token);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::ListRuleNamesByTarget(Call& call) const {
  events::ListRuleNamesByTargetRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "TargetArn", &request.target_arn, /*required=*/true) ||
      !call.Str(root, "EventBusName", &request.event_bus_name) ||
      !call.Str(root, "NextToken", &request.next_token) ||
      !call.Int(root, "Limit", &request.limit)) {
    return call.Error();
  }
  absl::StatusOr<events::ListRuleNamesByTargetResult> result =
      service_.ListRuleNamesByTarget(request);
  if (!result.ok()) return call.Error(result.status());
  StringList(call.out(), "RuleNames", result->rule_names);
  NextToken(call.out(), result->next_token);
  return call.Finish();
}

// ---- Archives -----------------------------------------------------------------

HttpResponse EventsJsonProtocol::CreateArchive(Call& call) const {
  events::CreateArchiveRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "ArchiveName", &request.archive_name, /*required=*/true) ||
      !call.Str(root, "EventSourceArn", &request.event_source_arn, /*required=*/true) ||
      !call.Str(root, "Description", &request.description) ||
      !call.Str(root, "EventPattern", &request.event_pattern) ||
      !call.Int(root, "RetentionDays", &request.retention_days) ||
      !call.Str(root, "KmsKeyIdentifier", &request.kms_key_identifier)) {
    return call.Error();
  }
  absl::StatusOr<events::CreateArchiveResult> result = service_.CreateArchive(request);
  if (!result.ok()) return call.Error(result.status());
  WriteArchiveState(call.out(), *result);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::UpdateArchive(Call& call) const {
  events::UpdateArchiveRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "ArchiveName", &request.archive_name, /*required=*/true) ||
      !call.OptStr(root, "Description", &request.description) ||
      !call.OptStr(root, "EventPattern", &request.event_pattern) ||
      !call.Int(root, "RetentionDays", &request.retention_days) ||
      !call.Str(root, "KmsKeyIdentifier", &request.kms_key_identifier)) {
    return call.Error();
  }
  absl::StatusOr<events::UpdateArchiveResult> result = service_.UpdateArchive(request);
  if (!result.ok()) return call.Error(result.status());
  WriteArchiveState(call.out(), *result);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::DescribeArchive(Call& call) const {
  events::DescribeArchiveRequest request;
  if (!call.Str(call.root(), "ArchiveName", &request.archive_name, /*required=*/true)) {
    return call.Error();
  }
  absl::StatusOr<events::DescribeArchiveResult> result = service_.DescribeArchive(request);
  if (!result.ok()) return call.Error(result.status());
  WriteArchive(call.out(), *result, /*describe=*/true);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::ListArchives(Call& call) const {
  events::ListArchivesRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "NamePrefix", &request.name_prefix) ||
      !call.Str(root, "EventSourceArn", &request.event_source_arn) ||
      !call.Str(root, "State", &request.state) ||
      !call.Str(root, "NextToken", &request.next_token) ||
      !call.Int(root, "Limit", &request.limit)) {
    return call.Error();
  }
  absl::StatusOr<events::ListArchivesResult> result = service_.ListArchives(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "Archives");
  w.StartArray();
  for (const events::Archive& archive : result->archives) {
    w.StartObject();
    WriteArchive(w, archive, /*describe=*/false);
    w.EndObject();
  }
  w.EndArray();
  NextToken(w, result->next_token);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::DeleteArchive(Call& call) const {
  events::DeleteArchiveRequest request;
  if (!call.Str(call.root(), "ArchiveName", &request.archive_name, /*required=*/true)) {
    return call.Error();
  }
  absl::Status status = service_.DeleteArchive(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

// ---- Replays ------------------------------------------------------------------

HttpResponse EventsJsonProtocol::StartReplay(Call& call) const {
  events::StartReplayRequest request;
  simdjson::dom::object root = call.root();
  std::optional<absl::Time> start;
  std::optional<absl::Time> end;
  simdjson::dom::object destination;
  bool present = false;
  if (!call.Str(root, "ReplayName", &request.replay_name, /*required=*/true) ||
      !call.Str(root, "Description", &request.description) ||
      !call.Str(root, "EventSourceArn", &request.event_source_arn, /*required=*/true) ||
      !call.Time(root, "EventStartTime", &start, /*required=*/true) ||
      !call.Time(root, "EventEndTime", &end, /*required=*/true) ||
      !call.Object(root, "Destination", &destination, &present, /*required=*/true)) {
    return call.Error();
  }
  call.set_prefix("destination.");
  bool ok = call.Str(destination, "Arn", &request.destination.arn, /*required=*/true) &&
            call.StrList(destination, "FilterArns", &request.destination.filter_arns);
  call.set_prefix("");
  if (!ok) return call.Error();
  request.event_start_time = *start;
  request.event_end_time = *end;
  absl::StatusOr<events::StartReplayResult> result = service_.StartReplay(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Member(w, "ReplayArn", result->replay_arn);
  Member(w, "State", result->state);
  MemberIfSet(w, "StateReason", result->state_reason);
  TimeMember(w, "ReplayStartTime", result->replay_start_time);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::DescribeReplay(Call& call) const {
  events::DescribeReplayRequest request;
  if (!call.Str(call.root(), "ReplayName", &request.replay_name, /*required=*/true)) {
    return call.Error();
  }
  absl::StatusOr<events::DescribeReplayResult> result = service_.DescribeReplay(request);
  if (!result.ok()) return call.Error(result.status());
  WriteReplay(call.out(), *result, /*describe=*/true);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::ListReplays(Call& call) const {
  events::ListReplaysRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "NamePrefix", &request.name_prefix) ||
      !call.Str(root, "State", &request.state) ||
      !call.Str(root, "EventSourceArn", &request.event_source_arn) ||
      !call.Str(root, "NextToken", &request.next_token) ||
      !call.Int(root, "Limit", &request.limit)) {
    return call.Error();
  }
  absl::StatusOr<events::ListReplaysResult> result = service_.ListReplays(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "Replays");
  w.StartArray();
  for (const events::Replay& replay : result->replays) {
    w.StartObject();
    WriteReplay(w, replay, /*describe=*/false);
    w.EndObject();
  }
  w.EndArray();
  NextToken(w, result->next_token);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::CancelReplay(Call& call) const {
  events::CancelReplayRequest request;
  if (!call.Str(call.root(), "ReplayName", &request.replay_name, /*required=*/true)) {
    return call.Error();
  }
  absl::StatusOr<events::CancelReplayResult> result = service_.CancelReplay(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Member(w, "ReplayArn", result->replay_arn);
  Member(w, "State", result->state);
  MemberIfSet(w, "StateReason", result->state_reason);
  return call.Finish();
}

// ---- Tags -------------------------------------------------------------------

HttpResponse EventsJsonProtocol::TagResource(Call& call) const {
  events::TagResourceRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "ResourceARN", &request.resource_arn, /*required=*/true) ||
      !call.Tags(root, "Tags", &request.tags, /*required=*/true)) {
    return call.Error();
  }
  absl::Status status = service_.TagResource(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::UntagResource(Call& call) const {
  events::UntagResourceRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "ResourceARN", &request.resource_arn, /*required=*/true) ||
      !call.StrList(root, "TagKeys", &request.tag_keys, /*required=*/true)) {
    return call.Error();
  }
  absl::Status status = service_.UntagResource(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse EventsJsonProtocol::ListTagsForResource(Call& call) const {
  events::ListTagsForResourceRequest request;
  if (!call.Str(call.root(), "ResourceARN", &request.resource_arn, /*required=*/true)) {
    return call.Error();
  }
  absl::StatusOr<events::ListTagsForResourceResult> result = service_.ListTagsForResource(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "Tags");
  w.StartArray();
  for (const events::Tag& tag : result->tags) {
    w.StartObject();
    Member(w, "Key", tag.key);
    Member(w, "Value", tag.value);
    w.EndObject();
  }
  w.EndArray();
  return call.Finish();
}

}  // namespace wharf::wire
