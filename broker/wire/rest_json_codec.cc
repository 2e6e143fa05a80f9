#include "broker/wire/rest_json_codec.h"

#include <climits>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/wire/form.h"
#include "broker/wire/json_codec.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

using Bindings = std::vector<std::pair<std::string, std::string>>;

// Members bound to the path, query string or headers, else the JSON body's.
class RestInput final : public Input {
 public:
  RestInput(DecodeState* state, Bindings bound, Input* body)
      : Input(state, ""), bound_(std::move(bound)), body_(body) {}

  bool Str(Name name, std::string* out, bool required) override {
    if (const std::string* value = Bound(name)) {
      *out = *value;
      return true;
    }
    return body_->Str(name, out, required);
  }
  bool Str(Name name, std::optional<std::string>* out) override {
    if (const std::string* value = Bound(name)) {
      *out = *value;
      return true;
    }
    return body_->Str(name, out);
  }
  bool Int(Name name, std::optional<int>* out, bool required) override {
    const std::string* value = Bound(name);
    if (value == nullptr) return body_->Int(name, out, required);
    int64_t parsed;
    if (!absl::SimpleAtoi(*value, &parsed) || parsed < INT_MIN || parsed > INT_MAX) {
      return Fail(
          SerializationError(absl::StrCat("Member ", PathOf(name), " must be a 32-bit integer.")));
    }
    *out = static_cast<int>(parsed);
    return true;
  }
  bool Double(Name name, std::optional<double>* out, bool required) override {
    const std::string* value = Bound(name);
    if (value == nullptr) return body_->Double(name, out, required);
    double parsed;
    if (!absl::SimpleAtod(*value, &parsed)) {
      return Fail(SerializationError(absl::StrCat("Member ", PathOf(name), " must be a number.")));
    }
    *out = parsed;
    return true;
  }
  bool DoubleList(Name name, std::vector<double>* out) override {
    return body_->DoubleList(name, out);
  }
  bool Bool(Name name, bool* out) override { return body_->Bool(name, out); }
  bool Time(Name name, std::optional<absl::Time>* out, bool required) override {
    return body_->Time(name, out, required);
  }
  bool StrList(Name name, std::vector<std::string>* out, bool required) override {
    return body_->StrList(name, out, required);
  }
  bool StrMap(Name name, MapNames names, std::map<std::string, std::string>* out,
              bool required) override {
    return body_->StrMap(name, names, out, required);
  }
  bool Struct(Name name, absl::FunctionRef<bool(Input&)> decode, bool required) override {
    return body_->Struct(name, decode, required);
  }
  bool List(Name name, absl::FunctionRef<bool(Input&)> decode, bool required) override {
    return body_->List(name, decode, required);
  }
  bool Map(Name name, MapNames names,
           absl::FunctionRef<bool(const std::string& key, Input&)> decode) override {
    return body_->Map(name, names, decode);
  }

 private:
  const std::string* Bound(Name name) const {
    for (const auto& [member, value] : bound_) {
      if (member == name.json) return &value;
    }
    return nullptr;
  }

  const Bindings bound_;
  Input* const body_;
};

class RestJsonExchange final : public JsonBodyExchange {
 public:
  RestJsonExchange(HttpRequest request, std::string_view request_id, const ServiceModel& model,
                   int status, Bindings bound, Respond respond)
      : JsonBodyExchange(std::move(request), request_id, model, std::move(respond)),
        status_(status) {
    if (body() != nullptr) input_.emplace(decode_state(), std::move(bound), body());
  }
  ~RestJsonExchange() override { ReplyIfUnanswered(); }

  bool parsed() const { return input_.has_value(); }
  Input& input() override { return *input_; }

 private:
  HttpResponse RenderResult() override { return RenderJson(status_, "application/json"); }
  HttpResponse RenderError(const WireError& error) override {
    return RenderRestJsonError(request_id(), error);
  }

  const int status_;
  std::optional<RestInput> input_;
};

}  // namespace

RestJsonApi::RestJsonApi(std::shared_ptr<const Api> api, const std::vector<RestRoute>& routes)
    : api_(std::move(api)) {
  for (const RestRoute& route : routes) {
    Template& t = templates_.emplace_back();
    t.route = route;
    for (absl::string_view segment : absl::StrSplit(route.path, '/', absl::SkipEmpty())) {
      t.segments.emplace_back(segment);
    }
  }
}

bool RestJsonApi::MatchPath(const Template& t, std::string_view path, Bindings* labels) {
  std::vector<absl::string_view> segments = absl::StrSplit(Absl(path), '/', absl::SkipEmpty());
  size_t i = 0;
  for (const std::string& pattern : t.segments) {
    const bool label = pattern.size() > 2 && pattern.front() == '{' && pattern.back() == '}';
    if (label && pattern[pattern.size() - 2] == '+') {  // Greedy: the rest of the path.
      if (i == segments.size()) return false;
      std::string rest;
      if (!PercentDecode(path.substr(segments[i].data() - path.data()), false, &rest)) {
        return false;
      }
      labels->emplace_back(pattern.substr(1, pattern.size() - 3), std::move(rest));
      return true;
    }
    if (i == segments.size()) return false;
    std::string_view segment(segments[i].data(), segments[i].size());
    ++i;
    if (!label) {
      if (segment != pattern) return false;
      continue;
    }
    std::string value;
    if (!PercentDecode(segment, false, &value)) return false;
    labels->emplace_back(pattern.substr(1, pattern.size() - 2), std::move(value));
  }
  return i == segments.size();
}

const RestRoute* RestJsonApi::Match(std::string_view method, std::string_view path) const {
  Bindings labels;
  for (const Template& t : templates_) {
    labels.clear();
    if (t.route.method == method && MatchPath(t, path, &labels)) return &t.route;
  }
  return nullptr;
}

void RestJsonApi::Serve(const RestRoute& route, HttpRequest request, std::string_view request_id,
                        Respond respond) const {
  Bindings bound;
  for (const Template& t : templates_) {
    if (&t.route == &route) MatchPath(t, request.path, &bound);
  }
  FormParams query;
  if (!query.Parse(request.query)) {
    return std::move(respond)(RenderRestJsonError(
        request_id, MalformedQueryStringError("The query string is malformed.")));
  }
  for (const auto& [member, parameter] : route.query) {
    if (const std::string* value = query.Find(parameter)) bound.emplace_back(member, *value);
  }
  for (const auto& [member, header] : route.headers) {
    if (request.HasHeader(header)) bound.emplace_back(member, std::string(request.Header(header)));
  }
  auto exchange =
      std::make_unique<RestJsonExchange>(std::move(request), request_id, api_->model(),
                                         route.status, std::move(bound), std::move(respond));
  if (!exchange->parsed()) return exchange->ReplyDecodeError();
  api_->Run(route.operation, std::move(exchange));
}

HttpResponse RenderRestJsonError(std::string_view request_id, const WireError& error) {
  HttpResponse response;
  response.status = error.http_status;
  response.content_type = "application/json";
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("Type");
  writer.String(error.fault == Fault::kSender ? "User" : "Server");
  writer.Key("message");
  WriteJsonString(writer, error.message);
  writer.EndObject();
  response.body.assign(buffer.GetString(), buffer.GetSize());
  response.headers.emplace_back("x-amzn-ErrorType", error.json_type);
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  return response;
}

}  // namespace wharf::wire
