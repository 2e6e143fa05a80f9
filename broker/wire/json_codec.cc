#include "broker/wire/json_codec.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/json.h"
#include "broker/base/text.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A JSON number, or one of the strings Smithy's JSON protocols spell the
// non-finite doubles with ("NaN", "Infinity", "-Infinity"); the services
// check the value.
bool ReadDouble(simdjson::dom::element element, double* out) {
  if (element.is_number()) return element.get_double().get(*out) == simdjson::SUCCESS;
  std::string_view text;
  if (element.get_string().get(text) != simdjson::SUCCESS) return false;
  if (text == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
  } else if (text == "Infinity" || text == "-Infinity") {
    *out = text[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
  } else {
    return false;
  }
  return true;
}

// Reads the members of one JSON object. Absent and null are the same.
class JsonInput final : public Input {
 public:
  JsonInput(DecodeState* state, simdjson::dom::object object, std::string path)
      : Input(state, std::move(path)), object_(object) {}

  bool Str(Name name, std::string* out, bool required) override {
    simdjson::dom::element element;
    if (!Lookup(name, &element)) return required ? Missing(name, name.json) : true;
    std::string_view value;
    if (element.get_string().get(value) != simdjson::SUCCESS) return WrongType(name, "a string");
    out->assign(value.data(), value.size());
    return true;
  }

  bool Str(Name name, std::optional<std::string>* out) override {
    std::string value;
    simdjson::dom::element element;
    if (!Lookup(name, &element)) return true;
    if (!Str(name, &value, false)) return false;
    *out = std::move(value);
    return true;
  }

  bool Int(Name name, std::optional<int>* out, bool required) override {
    simdjson::dom::element element;
    if (!Lookup(name, &element)) return required ? Missing(name, name.json) : true;
    int64_t value = 0;
    bool ok = false;
    if (element.is_int64()) {
      ok = element.get_int64().get(value) == simdjson::SUCCESS;
    } else if (element.is_double()) {
      double d = 0;
      ok = element.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d) &&
           d == std::floor(d) && std::fabs(d) < 1e15;
      if (ok) value = static_cast<int64_t>(d);  // Only in range: the cast is UB outside.
    } else if (element.is_string() && model().query_compatible) {
      std::string_view text;
      ok = element.get_string().get(text) == simdjson::SUCCESS &&
           absl::SimpleAtoi(Absl(text), &value);
    }
    return StoreInt32(name, ok, value, out);
  }

  bool Double(Name name, std::optional<double>* out, bool required) override {
    simdjson::dom::element element;
    if (!Lookup(name, &element)) return required ? Missing(name, name.json) : true;
    double value = 0;
    if (!ReadDouble(element, &value)) return WrongType(name, "a number");
    *out = value;
    return true;
  }

  bool DoubleList(Name name, std::vector<double>* out) override {
    simdjson::dom::array array;
    if (!Get(name, "a list of numbers", false, &array)) return !failed();
    for (simdjson::dom::element item : array) {
      double value = 0;
      if (!ReadDouble(item, &value)) return WrongType(name, "a list of numbers");
      out->push_back(value);
    }
    return true;
  }

  bool Bool(Name name, bool* out) override {
    simdjson::dom::element element;
    if (!Lookup(name, &element)) return true;
    if (element.get_bool().get(*out) != simdjson::SUCCESS) return WrongType(name, "a boolean");
    return true;
  }

  bool Time(Name name, std::optional<absl::Time>* out, bool required) override {
    simdjson::dom::element element;
    if (!Lookup(name, &element)) return required ? Missing(name, name.json) : true;
    absl::Time time;
    double seconds = 0;
    std::string_view text;
    bool ok = element.is_number() ? element.get_double().get(seconds) == simdjson::SUCCESS &&
                                        TimestampFromSeconds(seconds, &time)
                                  : element.get_string().get(text) == simdjson::SUCCESS &&
                                        ParseTimestamp(text, &time);
    if (!ok) return WrongType(name, "a timestamp");
    *out = time;
    return true;
  }

  bool StrList(Name name, std::vector<std::string>* out, bool required) override {
    simdjson::dom::array array;
    if (!Get(name, "a list of strings", required, &array)) return !failed();
    for (simdjson::dom::element item : array) {
      std::string_view value;
      if (item.get_string().get(value) != simdjson::SUCCESS) {
        return WrongType(name, "a list of strings");
      }
      out->emplace_back(value);
    }
    return true;
  }

  bool StrMap(Name name, MapNames, std::map<std::string, std::string>* out,
              bool required) override {
    simdjson::dom::object map;
    if (!Get(name, "a map of strings", required, &map)) return !failed();
    for (simdjson::dom::key_value_pair field : map) {
      std::string_view value;
      if (field.value.get_string().get(value) != simdjson::SUCCESS) {
        return WrongType(name, "a map of strings");
      }
      (*out)[std::string(field.key)] = std::string(value);
    }
    return true;
  }

  bool Struct(Name name, absl::FunctionRef<bool(Input&)> decode, bool required) override {
    simdjson::dom::object object;
    if (!Get(name, "a structure", required, &object)) return !failed();
    JsonInput member(state(), object, absl::StrCat(PathOf(name), "."));
    return decode(member);
  }

  bool List(Name name, absl::FunctionRef<bool(Input&)> decode, bool required) override {
    simdjson::dom::array array;
    if (!Get(name, "a list of structures", required, &array)) return !failed();
    int index = 0;
    for (simdjson::dom::element item : array) {
      ++index;
      simdjson::dom::object object;
      if (item.get_object().get(object) != simdjson::SUCCESS) {
        return WrongType(name, "a list of structures");
      }
      JsonInput element(state(), object, absl::StrCat(PathOf(name), ".", index, ".member."));
      if (!decode(element)) return false;
    }
    return true;
  }

  bool Map(Name name, MapNames,
           absl::FunctionRef<bool(const std::string& key, Input&)> decode) override {
    simdjson::dom::object map;
    if (!Get(name, "a map of structures", false, &map)) return !failed();
    for (simdjson::dom::key_value_pair field : map) {
      simdjson::dom::object object;
      if (field.value.get_object().get(object) != simdjson::SUCCESS) {
        return WrongType(name, "a map of structures");
      }
      std::string key(field.key);
      JsonInput value(state(), object, absl::StrCat(PathOf(name), ".", key, ".member."));
      if (!decode(key, value)) return false;
    }
    return true;
  }

 private:
  // Member `name`: false when absent or null.
  bool Lookup(Name name, simdjson::dom::element* out) const {
    if (object_.at_key(name.json).get(*out) != simdjson::SUCCESS) return false;
    return !out->is_null();
  }
  // Member `name` as an array or object: false when absent (an error when
  // `required`) or of another type (an error).
  template <typename T>
  bool Get(Name name, std::string_view what, bool required, T* out) {
    simdjson::dom::element element;
    if (!Lookup(name, &element)) return required ? Missing(name, name.json) : false;
    if (element.get<T>().get(*out) != simdjson::SUCCESS) return WrongType(name, what);
    return true;
  }

  simdjson::dom::object object_;
};

// Writes members as JSON object members named name.json.
class JsonOutput final : public Output {
 public:
  explicit JsonOutput(JsonWriter* writer) : w_(*writer) {}

  void Str(Name name, std::string_view value) override {
    Key(name);
    WriteJsonString(w_, value);
  }
  void Int(Name name, int64_t value) override {
    Key(name);
    w_.Int64(value);
  }
  void Double(Name name, double value) override {
    Key(name);
    WriteDouble(value);
  }
  void DoubleList(Name name, const std::vector<double>& values) override {
    WriteList(name, values, [&](double value) { WriteDouble(value); });
  }
  void TimeList(Name name, const std::vector<absl::Time>& values) override {
    WriteList(name, values, [&](absl::Time value) { WriteSeconds(value); });
  }
  void DoubleMap(Name name, MapNames, const std::map<std::string, double>& map) override {
    WriteMap(name, map, [&](double value) { WriteDouble(value); });
  }
  void Bool(Name name, bool value) override {
    Key(name);
    w_.Bool(value);
  }
  // Epoch seconds: an integer when whole, else with millisecond precision
  // (what the SDKs parse back).
  void Time(Name name, absl::Time value) override {
    Key(name);
    WriteSeconds(value);
  }
  void StrList(Name name, const std::vector<std::string>& values) override {
    WriteList(name, values, [&](const std::string& value) { WriteJsonString(w_, value); });
  }
  void StrMap(Name name, MapNames, const std::map<std::string, std::string>& map) override {
    WriteMap(name, map, [&](const std::string& value) { WriteJsonString(w_, value); });
  }
  void BeginStruct(Name name) override {
    Key(name);
    w_.StartObject();
  }
  void EndStruct() override { w_.EndObject(); }
  void BeginList(Name name) override {
    Key(name);
    w_.StartArray();
  }
  void BeginElement() override { w_.StartObject(); }
  void EndElement() override { w_.EndObject(); }
  void EndList() override { w_.EndArray(); }
  void BeginMap(Name name, MapNames) override { BeginStruct(name); }
  void BeginEntry(std::string_view key) override {
    WriteJsonString(w_, key, /*key=*/true);
    w_.StartObject();
  }
  void EndEntry() override { w_.EndObject(); }
  void EndMap() override { w_.EndObject(); }

 private:
  void Key(Name name) { WriteJsonString(w_, name.json, /*key=*/true); }
  // An array or object of scalars, each value written by write(value).
  template <typename T, typename Write>
  void WriteList(Name name, const std::vector<T>& values, Write write) {
    Key(name);
    w_.StartArray();
    for (const T& value : values) write(value);
    w_.EndArray();
  }
  template <typename T, typename Write>
  void WriteMap(Name name, const std::map<std::string, T>& map, Write write) {
    Key(name);
    w_.StartObject();
    for (const auto& [key, value] : map) {
      WriteJsonString(w_, key, /*key=*/true);
      write(value);
    }
    w_.EndObject();
  }
  // A non-finite value as Smithy spells it (RapidJSON writes nothing for one).
  void WriteDouble(double value) {
    if (std::isfinite(value)) {
      w_.Double(value);
    } else {
      WriteJsonString(w_, std::isnan(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }
  }
  void WriteSeconds(absl::Time value) {
    int64_t millis = absl::ToUnixMillis(value);
    if (millis % 1000 == 0) {
      w_.Int64(millis / 1000);
    } else {
      w_.Double(static_cast<double>(millis) / 1000.0);
    }
  }

  JsonWriter& w_;
};

class JsonExchange final : public JsonBodyExchange {
 public:
  using JsonBodyExchange::JsonBodyExchange;
  ~JsonExchange() override { ReplyIfUnanswered(); }
  Input& input() override { return *body(); }

 private:
  HttpResponse RenderResult() override { return RenderJson(200, model().json_content_type); }
  HttpResponse RenderError(const WireError& error) override {
    return RenderJsonError(model(), request_id(), JsonProtocolError(error));
  }
};

}  // namespace

JsonBodyExchange::JsonBodyExchange(HttpRequest request, std::string_view request_id,
                                   const ServiceModel& model, Respond respond)
    : Exchange(std::move(request), request_id, model, std::move(respond)),
      writer_(buffer_),
      output_(std::make_unique<JsonOutput>(&writer_)) {
  std::string_view text = this->request().body;
  if (text.empty()) text = "{}";
  simdjson::dom::element element;
  simdjson::dom::object root;
  if (base_internal::ParseJson(parser_, text, &element) != simdjson::SUCCESS) {
    decode_state()->error = SerializationError("The request body is not valid JSON.");
  } else if (element.get_object().get(root) != simdjson::SUCCESS) {
    decode_state()->error = SerializationError("The request body must be a JSON object.");
  } else {
    body_ = std::make_unique<JsonInput>(decode_state(), root, "");
  }
}

JsonBodyExchange::~JsonBodyExchange() = default;

Output& JsonBodyExchange::output() {
  if (!started_) {
    started_ = true;
    writer_.StartObject();
  }
  return *output_;
}

HttpResponse JsonBodyExchange::RenderJson(int status, std::string_view content_type) {
  output();
  writer_.EndObject();
  HttpResponse response;
  response.status = status;
  response.content_type = std::string(content_type);
  if (status != 204) response.body.assign(buffer_.GetString(), buffer_.GetSize());
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id()));
  return response;
}

void WriteJsonString(JsonWriter& writer, std::string_view text, bool key) {
  std::string repaired;
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    base_internal::AppendUtf8Lossy(text, &repaired);
    text = repaired;
  }
  const auto length = static_cast<rapidjson::SizeType>(text.size());
  if (key) {
    writer.Key(text.data(), length);
  } else {
    writer.String(text.data(), length);
  }
}

void ServeJson(const Api& api, HttpRequest request, std::string_view request_id,
               std::string operation, Respond respond) {
  auto exchange = std::make_unique<JsonExchange>(std::move(request), request_id, api.model(),
                                                 std::move(respond));
  if (exchange->body() == nullptr) return exchange->ReplyDecodeError();
  api.Run(operation, std::move(exchange));
}

absl::StatusOr<std::string> CallOperation(const Api& api, std::string_view operation,
                                          std::string input) {
  if (!api.Has(operation)) {
    return absl::InvalidArgumentError(UnknownOperationError("action", operation).message);
  }
  // Shared with the respond, which might outlive this call.
  auto answer = std::make_shared<std::optional<HttpResponse>>();
  HttpRequest request;
  request.method = "POST";
  request.body = std::move(input);
  ServeJson(api, std::move(request), "local", std::string(operation),
            [answer](HttpResponse response) { *answer = std::move(response); });
  if (!answer->has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(Absl(operation), " does not answer at once"));
  }
  HttpResponse& response = **answer;
  if (response.status == 200) return std::move(response.body);
  rapidjson::Document error;
  base_internal::ParseJson(response.body, &error);
  const bool has_message =
      error.IsObject() && error.HasMember("message") && error["message"].IsString();
  return absl::InvalidArgumentError(has_message ? error["message"].GetString() : response.body);
}

HttpResponse RenderJsonError(const ServiceModel& model, std::string_view request_id,
                             const WireError& error) {
  HttpResponse response;
  response.status = error.http_status;
  response.content_type = std::string(model.json_content_type);
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("__type");
  WriteJsonString(writer, QualifiedErrorType(model, error));
  // AWS leaves out an empty message (CloudWatch's ResourceNotFound).
  if (!error.message.empty()) {
    writer.Key("message");
    WriteJsonString(writer, error.message);
  }
  writer.EndObject();
  response.body.assign(buffer.GetString(), buffer.GetSize());
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  if (model.query_compatible) AddQueryErrorHeader(error, &response);
  return response;
}

}  // namespace wharf::wire
