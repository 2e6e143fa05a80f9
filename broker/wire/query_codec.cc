#include "broker/wire/query_codec.h"

#include <climits>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/wire/xml_writer.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Reads members "<prefix><name.query>" of the form.
class FormInput final : public Input {
 public:
  FormInput(DecodeState* state, const FormParams& form, std::string prefix, std::string path)
      : Input(state, std::move(path)), form_(form), prefix_(std::move(prefix)) {}

  bool Str(Name name, std::string* out, bool required) override {
    const std::string key = Key(name);
    const std::string* value = form_.Find(key);
    if (value == nullptr) return required ? Missing(name, key) : true;
    *out = *value;
    return true;
  }

  bool Str(Name name, std::optional<std::string>* out) override {
    if (const std::string* value = form_.Find(Key(name))) *out = *value;
    return true;
  }

  bool Int(Name name, std::optional<int>* out, bool required) override {
    const std::string key = Key(name);
    const std::string* value = form_.Find(key);
    if (value == nullptr) return required ? Missing(name, key) : true;
    int64_t parsed;
    if (!absl::SimpleAtoi(*value, &parsed) || parsed < INT_MIN || parsed > INT_MAX) {
      return Invalid(key, *value, "an integer");
    }
    *out = static_cast<int>(parsed);
    return true;
  }

  bool Double(Name name, std::optional<double>* out, bool required) override {
    const std::string key = Key(name);
    const std::string* value = form_.Find(key);
    if (value == nullptr) return required ? Missing(name, key) : true;
    double parsed;
    if (!absl::SimpleAtod(*value, &parsed)) return Invalid(key, *value, "a number");
    *out = parsed;
    return true;
  }

  bool DoubleList(Name name, std::vector<double>* out) override {
    const std::string base = Collection(name, "member");
    for (int i = 1;; ++i) {
      const std::string key = absl::StrCat(base, i);
      const std::string* value = form_.Find(key);
      if (value == nullptr) return true;
      double parsed;
      if (!absl::SimpleAtod(*value, &parsed)) return Invalid(key, *value, "a number");
      out->push_back(parsed);
    }
  }

  // "true" in any case is true; anything else is false.
  bool Bool(Name name, bool* out) override {
    if (const std::string* value = form_.Find(Key(name))) {
      *out = absl::AsciiStrToLower(*value) == "true";
    }
    return true;
  }

  bool Time(Name name, std::optional<absl::Time>* out, bool required) override {
    const std::string key = Key(name);
    const std::string* value = form_.Find(key);
    if (value == nullptr) return required ? Missing(name, key) : true;
    absl::Time time;
    if (!ParseTimestamp(*value, &time)) return Invalid(key, *value, "a timestamp");
    *out = time;
    return true;
  }

  bool StrList(Name name, std::vector<std::string>* out, bool required) override {
    const std::string base = Collection(name, "member");
    for (int i = 1;; ++i) {
      const std::string* value = form_.Find(absl::StrCat(base, i));
      if (value == nullptr) break;
      out->push_back(*value);
    }
    return out->empty() && required ? Missing(name, Key(name)) : true;
  }

  bool StrMap(Name name, MapNames names, std::map<std::string, std::string>* out,
              bool required) override {
    const std::string base = Collection(name, "entry");
    bool any = false;
    for (int i = 1;; ++i) {
      const std::string entry = absl::StrCat(base, i, ".");
      const std::string* key = form_.Find(absl::StrCat(entry, Absl(names.key)));
      if (key == nullptr) break;
      const std::string* value = form_.Find(absl::StrCat(entry, Absl(names.value)));
      (*out)[*key] = value == nullptr ? std::string() : *value;
      any = true;
    }
    return !any && required ? Missing(name, Key(name)) : true;
  }

  // A structure has no presence of its own in a form: its members are read
  // (and found absent) where it would be.
  bool Struct(Name name, absl::FunctionRef<bool(Input&)> decode, bool) override {
    FormInput member(state(), form_, absl::StrCat(Key(name), "."), absl::StrCat(PathOf(name), "."));
    return decode(member);
  }

  bool List(Name name, absl::FunctionRef<bool(Input&)> decode, bool required) override {
    const std::string base = Collection(name, "member");
    int i = 1;
    for (; form_.HasElement(absl::StrCat(base, i)); ++i) {
      FormInput element(state(), form_, absl::StrCat(base, i, "."),
                        absl::StrCat(PathOf(name), ".", i, ".member."));
      if (!decode(element)) return false;
    }
    return i == 1 && required ? Missing(name, Key(name)) : true;
  }

  bool Map(Name name, MapNames names,
           absl::FunctionRef<bool(const std::string& key, Input&)> decode) override {
    const std::string base = Collection(name, "entry");
    for (int i = 1;; ++i) {
      const std::string entry = absl::StrCat(base, i, ".");
      const std::string* key = form_.Find(absl::StrCat(entry, Absl(names.key)));
      if (key == nullptr) return true;
      FormInput value(state(), form_, absl::StrCat(entry, Absl(names.value), "."),
                      absl::StrCat(PathOf(name), ".", *key, ".member."));
      if (!decode(*key, value)) return false;
    }
  }

 private:
  std::string Key(Name name) const { return absl::StrCat(prefix_, Absl(name.query)); }
  // The service's invalid-value error for `value` of `key`, not `expected`.
  bool Invalid(const std::string& key, const std::string& value, std::string_view expected) {
    return Fail(ErrorFor(model().invalid_value,
                         absl::StrCat("Value ", value, " for parameter ", key,
                                      " is invalid. Reason: Must be ", Absl(expected), ".")));
  }
  // The prefix of a list's or map's numbered elements: "Tag." or
  // "Tags.member." ("Attributes.entry.").
  std::string Collection(Name name, std::string_view wrapper) const {
    if (model().xml_flattened) return absl::StrCat(Key(name), ".");
    return absl::StrCat(Key(name), ".", Absl(wrapper), ".");
  }

  const FormParams& form_;
  const std::string prefix_;
};

// Writes members as XML elements named name.query.
class XmlOutput final : public Output {
 public:
  XmlOutput(std::string* out, bool flattened) : xml_(out), flattened_(flattened) {}

  void Str(Name name, std::string_view value) override { xml_.Element(name.query, value); }
  void Int(Name name, int64_t value) override { xml_.Element(name.query, absl::StrCat(value)); }
  void Double(Name name, double value) override { xml_.Element(name.query, FormatDouble(value)); }
  void Bool(Name name, bool value) override { xml_.Element(name.query, value ? "true" : "false"); }
  void Time(Name name, absl::Time value) override { xml_.Element(name.query, FormatTime(value)); }
  void StrList(Name name, const std::vector<std::string>& values) override {
    WriteList(name, values, std::identity());
  }
  void DoubleList(Name name, const std::vector<double>& values) override {
    WriteList(name, values, FormatDouble);
  }
  void TimeList(Name name, const std::vector<absl::Time>& values) override {
    WriteList(name, values, FormatTime);
  }
  void DoubleMap(Name name, MapNames names, const std::map<std::string, double>& map) override {
    WriteMap(name, names, map, FormatDouble);
  }
  void StrMap(Name name, MapNames names, const std::map<std::string, std::string>& map) override {
    WriteMap(name, names, map, std::identity());
  }
  void BeginStruct(Name name) override {
    xml_.Open(name.query);
    frames_.push_back({name.query, {}, {}});
  }
  void EndStruct() override { Pop(); }
  void BeginList(Name name) override { Push(name, "member", {}); }
  void BeginElement() override { xml_.Open(frames_.back().element); }
  void EndElement() override { xml_.Close(frames_.back().element); }
  void EndList() override { Pop(); }
  void BeginMap(Name name, MapNames names) override { Push(name, "entry", names); }
  void BeginEntry(std::string_view key) override {
    const Frame& map = frames_.back();
    xml_.Open(map.element);
    xml_.Element(map.names.key, key);
    xml_.Open(map.names.value);
  }
  void EndEntry() override {
    const Frame& map = frames_.back();
    xml_.Close(map.names.value);
    xml_.Close(map.element);
  }
  void EndMap() override { Pop(); }

 private:
  // An open structure, list or map: the element that wraps it (none for a
  // flattened list or map) and the element of each of its items.
  struct Frame {
    std::string_view wrapper;
    std::string_view element;
    MapNames names;
  };

  static std::string FormatTime(absl::Time value) {
    return absl::FormatTime(absl::RFC3339_full, value, absl::UTCTimeZone());
  }
  // A list or map of scalars, each value written as format(value).
  template <typename T, typename Format>
  void WriteList(Name name, const std::vector<T>& values, Format format) {
    BeginList(name);
    for (const T& value : values) xml_.Element(frames_.back().element, format(value));
    EndList();
  }
  template <typename T, typename Format>
  void WriteMap(Name name, MapNames names, const std::map<std::string, T>& map, Format format) {
    BeginMap(name, names);
    for (const auto& [key, value] : map) {
      xml_.Open(frames_.back().element);
      xml_.Element(names.key, key);
      xml_.Element(names.value, format(value));
      xml_.Close(frames_.back().element);
    }
    EndMap();
  }

  void Push(Name name, std::string_view item, MapNames names) {
    if (flattened_) {
      frames_.push_back({{}, name.query, names});
    } else {
      xml_.Open(name.query);
      frames_.push_back({name.query, item, names});
    }
  }
  void Pop() {
    if (!frames_.back().wrapper.empty()) xml_.Close(frames_.back().wrapper);
    frames_.pop_back();
  }

  XmlWriter xml_;
  const bool flattened_;
  std::vector<Frame> frames_;
};

class QueryExchange final : public Exchange {
 public:
  QueryExchange(HttpRequest request, std::string_view request_id, const ServiceModel& model,
                FormParams form, std::string action, Respond respond)
      : Exchange(std::move(request), request_id, model, std::move(respond)),
        form_(std::move(form)),
        action_(std::move(action)),
        input_(decode_state(), form_, "", ""),
        output_(&body_, model.xml_flattened) {}
  ~QueryExchange() override { ReplyIfUnanswered(); }

  Input& input() override { return input_; }
  Output& output() override {
    if (!started_) {
      started_ = true;
      body_.reserve(1024);
      XmlWriter xml(&body_);
      xml.Declaration();
      xml.Open(absl::StrCat(action_, "Response"), model().xml_namespace);
      xml.Open(absl::StrCat(action_, "Result"));
      result_open_end_ = body_.size();
    }
    return output_;
  }

 private:
  HttpResponse RenderResult() override {
    XmlWriter xml(&body_);
    if (started_ && body_.size() == result_open_end_) {
      // Nothing written: <XResult/>, as AWS writes an empty result.
      body_.pop_back();
      body_.append("/>");
    } else if (started_) {
      xml.Close(absl::StrCat(action_, "Result"));
    } else {
      xml.Declaration();
      xml.Open(absl::StrCat(action_, "Response"), model().xml_namespace);
    }
    xml.Open("ResponseMetadata");
    xml.Element("RequestId", request_id());
    xml.Close("ResponseMetadata");
    xml.Close(absl::StrCat(action_, "Response"));
    HttpResponse response;
    response.content_type = "text/xml";
    response.body = std::move(body_);
    response.headers.emplace_back("x-amzn-RequestId", std::string(request_id()));
    return response;
  }
  HttpResponse RenderError(const WireError& error) override {
    return RenderQueryError(model(), request_id(), error);
  }
  void AdjustServiceError(ErrorCode code, WireError* error) override {
    if (model().query_error != nullptr) model().query_error(code, error);
  }

  const FormParams form_;
  const std::string action_;
  FormInput input_;
  std::string body_;
  XmlOutput output_;
  bool started_ = false;
  size_t result_open_end_ = 0;  // body_'s size right after <XResult>.
};

}  // namespace

void ServeQuery(const Api& api, HttpRequest request, std::string_view request_id, FormParams form,
                std::string action, Respond respond) {
  std::string operation = action;
  api.Run(operation,
          std::make_unique<QueryExchange>(std::move(request), request_id, api.model(),
                                          std::move(form), std::move(action), std::move(respond)));
}

HttpResponse RenderQueryError(const ServiceModel& model, std::string_view request_id,
                              const WireError& error) {
  return RenderXmlError(error, request_id, model.xml_namespace, model.xml_error_detail);
}

}  // namespace wharf::wire
