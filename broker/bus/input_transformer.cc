#include "broker/bus/input_transformer.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "broker/base/json.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "wharf/errors.h"

namespace wharf::bus_internal {
namespace {

// Placeholder indices below zero name the predefined variables.
constexpr int kRuleArn = -2;
constexpr int kRuleName = -3;
constexpr int kIngestionTime = -4;
constexpr int kEvent = -5;
constexpr int kEventJson = -6;

constexpr size_t kMaxInput = 8192;
constexpr size_t kMaxInputPath = 256;
constexpr size_t kMaxTemplate = 8192;
constexpr size_t kMaxPathsMap = 100;

absl::Status Validation(std::string_view message) {
  return MakeError(ErrorCode::kEventsValidation, message);
}

bool IsPlaceholderChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// `s` as the inside of a JSON string (escaped, without the quotes).
std::string EscapeForString(std::string_view s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buffer.GetString() + 1, buffer.GetSize() - 2);
}

std::string FormatIngestionTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// The text a value takes inside a JSON string: strings bare, scalars as
// written, objects and arrays as compact JSON with every quote removed (what
// EventBridge delivers for "Payload of <payload>").
std::string StringForm(const rapidjson::Value* v) {
  if (v == nullptr) return "";
  if (v->IsString()) return EscapeForString(std::string_view(v->GetString(), v->GetStringLength()));
  std::string json = ToJson(*v);
  if (v->IsObject() || v->IsArray())
    json.erase(std::remove(json.begin(), json.end(), '"'), json.end());
  return json;
}

std::string JsonForm(const rapidjson::Value* v) { return v == nullptr ? "null" : ToJson(*v); }

// A placeholder outside a string: a path that selects nothing becomes the
// empty string (AWS delivers {"command": ""}, LocalStack
// test_put_events_with_input_transformer_input_template_json, AWS-validated).
std::string TemplateJsonForm(const rapidjson::Value* v) {
  return v == nullptr ? "\"\"" : ToJson(*v);
}

// <aws.events.event>: the envelope without detail, detail-type spelled
// detailType, in the key order AWS delivers it (id, account, detailType, time,
// source, region, resources, version; LocalStack
// test_input_transformer_predefined_variables, AWS-validated), then any other
// envelope key (replay-name) as it comes.
std::string EventWithoutDetail(const rapidjson::Document& doc) {
  static constexpr std::string_view kOrder[] = {"id",     "account", "detail-type", "time",
                                                "source", "region",  "resources",   "version"};
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  auto write = [&](const rapidjson::Value& name, const rapidjson::Value& value) {
    std::string_view key(name.GetString(), name.GetStringLength());
    if (key == "detail-type") {
      writer.Key("detailType");
    } else {
      writer.Key(name.GetString(), name.GetStringLength());
    }
    value.Accept(writer);
  };
  for (std::string_view key : kOrder) {
    auto it = doc.FindMember(rapidjson::StringRef(key.data(), key.size()));
    if (it != doc.MemberEnd()) write(it->name, it->value);
  }
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (name == "detail" ||
        std::find(std::begin(kOrder), std::end(kOrder), name) != std::end(kOrder)) {
      continue;
    }
    write(it->name, it->value);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

absl::StatusOr<JsonPath> JsonPath::Parse(std::string_view path, std::string_view what) {
  auto invalid = [&] {
    return Validation(absl::StrCat("Parameter ", absl::string_view(what.data(), what.size()),
                                   " is not valid. Reason: Invalid JSONPath ",
                                   absl::string_view(path.data(), path.size()), "."));
  };
  JsonPath p;
  if (path.empty() || path[0] != '$') return invalid();
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t j = i + 1;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      if (j == i + 1) return invalid();
      p.steps_.emplace_back(std::string(path.substr(i + 1, j - i - 1)));
      i = j;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos || close == i + 1) return invalid();
      std::string_view inner = path.substr(i + 1, close - i - 1);
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
          inner.back() == inner.front()) {
        p.steps_.emplace_back(std::string(inner.substr(1, inner.size() - 2)));
      } else {
        size_t index = 0;
        for (char c : inner) {
          if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return invalid();
        }
        if (!absl::SimpleAtoi(absl::string_view(inner.data(), inner.size()), &index)) {
          return invalid();
        }
        p.steps_.emplace_back(index);
      }
      i = close + 1;
    } else {
      return invalid();
    }
  }
  return p;
}

const rapidjson::Value* JsonPath::Eval(const rapidjson::Value& root) const {
  const rapidjson::Value* v = &root;
  for (const auto& step : steps_) {
    if (const std::string* name = std::get_if<std::string>(&step)) {
      if (!v->IsObject()) return nullptr;
      auto it = v->FindMember(rapidjson::StringRef(name->data(), name->size()));
      if (it == v->MemberEnd()) return nullptr;
      v = &it->value;
    } else {
      size_t index = std::get<size_t>(step);
      if (!v->IsArray() || index >= v->Size()) return nullptr;
      v = &(*v)[static_cast<rapidjson::SizeType>(index)];
    }
  }
  return v;
}

const rapidjson::Document& EventView::doc() {
  if (!doc_) {
    doc_.emplace();
    // Built by wharf from validated parts (Detail at most 1,000 deep).
    base_internal::ParseJson<rapidjson::kParseFullPrecisionFlag>(envelope_, &*doc_);
  }
  return *doc_;
}

absl::StatusOr<std::shared_ptr<const TargetInput>> TargetInput::Create(const TargetSpec& target) {
  auto input = std::make_shared<TargetInput>();
  int modes = (target.input.has_value() ? 1 : 0) + (target.input_path.empty() ? 0 : 1) +
              (target.input_transformer.has_value() ? 1 : 0);
  if (modes > 1) {
    return Validation(
        absl::StrCat("Only one of Input, InputPath, or InputTransformer must be "
                     "provided for target ",
                     target.id, "."));
  }
  if (target.input.has_value()) {
    if (target.input->size() > kMaxInput) {
      return Validation(absl::StrCat("1 validation error detected: Value at 'targets.", target.id,
                                     ".member.input' failed to satisfy constraint: Member must "
                                     "have length less than or equal to 8192"));
    }
    rapidjson::Document d;
    if (!base_internal::ParseJson(*target.input, &d)) {
      return Validation(absl::StrCat("Parameter Input is not valid for target ", target.id, "."));
    }
    input->mode_ = Mode::kConstant;
    input->constant_ = *target.input;
    return input;
  }
  if (!target.input_path.empty()) {
    if (target.input_path.size() > kMaxInputPath) {
      return Validation(absl::StrCat("1 validation error detected: Value at 'targets.", target.id,
                                     ".member.inputPath' failed to satisfy constraint: Member "
                                     "must have length less than or equal to 256"));
    }
    auto path = JsonPath::Parse(target.input_path, "InputPath");
    if (!path.ok()) return path.status();
    input->mode_ = Mode::kPath;
    input->path_ = *std::move(path);
    return input;
  }
  if (!target.input_transformer.has_value()) return input;

  const InputTransformerSpec& t = *target.input_transformer;
  if (t.input_template.empty() || t.input_template.size() > kMaxTemplate) {
    return Validation(absl::StrCat("1 validation error detected: Value at 'targets.", target.id,
                                   ".member.inputTransformer.inputTemplate' failed to satisfy "
                                   "constraint: Member must have length between 1 and 8192"));
  }
  if (t.input_paths_map.size() > kMaxPathsMap) {
    return Validation(
        absl::StrCat("InputPathsMap for target ", target.id, " has more than 100 entries."));
  }
  std::map<std::string, int, std::less<>> names;
  for (const auto& [key, path] : t.input_paths_map) {
    if (absl::StartsWith(key, "AWS.") || key.empty() ||
        !std::all_of(key.begin(), key.end(), IsPlaceholderChar)) {
      return Validation(
          absl::StrCat("InputPathsMap for target ", target.id, " contains invalid key ", key, "."));
    }
    if (path.size() > kMaxInputPath) {
      return Validation(absl::StrCat("InputPathsMap for target ", target.id,
                                     " contains a path longer than 256 characters."));
    }
    auto parsed = JsonPath::Parse(path, "InputPathsMap");
    if (!parsed.ok()) return parsed.status();
    names.emplace(key, static_cast<int>(input->paths_.size()));
    input->paths_.push_back(*std::move(parsed));
  }
  const std::map<std::string_view, int> predefined = {
      {"aws.events.rule-arn", kRuleArn},
      {"aws.events.rule-name", kRuleName},
      {"aws.events.event.ingestion-time", kIngestionTime},
      {"aws.events.event", kEvent},
      {"aws.events.event.json", kEventJson},
  };

  // Split the template into literal text and placeholders, tracking whether
  // each placeholder sits inside a JSON string literal of the template.
  const std::string& tpl = t.input_template;
  bool in_string = false;
  Segment current;
  for (size_t i = 0; i < tpl.size();) {
    char c = tpl[i];
    if (in_string && c == '\\' && i + 1 < tpl.size()) {
      current.literal.append(tpl, i, 2);
      i += 2;
      continue;
    }
    if (c == '"') {
      in_string = !in_string;
    } else if (c == '<') {
      size_t j = i + 1;
      while (j < tpl.size() && IsPlaceholderChar(tpl[j])) ++j;
      if (j < tpl.size() && tpl[j] == '>' && j > i + 1) {
        std::string_view name(tpl.data() + i + 1, j - i - 1);
        int index;
        if (auto it = names.find(name); it != names.end()) {
          index = it->second;
        } else if (auto p = predefined.find(name); p != predefined.end()) {
          index = p->second;
        } else {
          return Validation(absl::StrCat("InputTemplate for target ", target.id,
                                         " contains invalid placeholder ",
                                         absl::string_view(name.data(), name.size()), "."));
        }
        current.placeholder = index;
        current.in_string = in_string;
        input->segments_.push_back(std::move(current));
        current = Segment();
        i = j + 1;
        continue;
      }
    }
    current.literal.push_back(c);
    ++i;
  }
  if (!current.literal.empty()) input->segments_.push_back(std::move(current));
  input->object_template_ = absl::StartsWith(absl::StripLeadingAsciiWhitespace(tpl), "{");
  input->mode_ = Mode::kTemplate;
  return input;
}

std::optional<std::string> TargetInput::Render(EventView& event,
                                               const DeliveryContext& context) const {
  switch (mode_) {
    case Mode::kEnvelope:
      return std::string(event.envelope());
    case Mode::kConstant:
      return constant_;
    case Mode::kPath:
      return JsonForm(path_->Eval(event.doc()));
    case Mode::kTemplate:
      break;
  }
  std::string out;
  for (const Segment& s : segments_) {
    out += s.literal;
    if (s.placeholder == -1) continue;
    std::string text;  // A string value, rendered per context below.
    switch (s.placeholder) {
      case kRuleArn:
        text = std::string(context.rule_arn);
        break;
      case kRuleName:
        text = std::string(context.rule_name);
        break;
      case kIngestionTime:
        text = FormatIngestionTime(context.ingestion_time);
        break;
      case kEvent:
      case kEventJson: {
        std::string json = s.placeholder == kEvent ? EventWithoutDetail(event.doc())
                                                   : std::string(event.envelope());
        if (s.in_string) {
          if (object_template_) return std::nullopt;
          json.erase(std::remove(json.begin(), json.end(), '"'), json.end());
        }
        out += json;
        continue;
      }
      default: {
        const rapidjson::Value* v = paths_[static_cast<size_t>(s.placeholder)].Eval(event.doc());
        if (s.in_string && object_template_ && v != nullptr && (v->IsObject() || v->IsArray())) {
          return std::nullopt;
        }
        out += s.in_string ? StringForm(v) : TemplateJsonForm(v);
        continue;
      }
    }
    out += s.in_string ? EscapeForString(text) : absl::StrCat("\"", EscapeForString(text), "\"");
  }
  return out;
}

}  // namespace wharf::bus_internal
