#include "broker/wire/cbor_codec.h"

#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/text.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// At most this many items in one body (each costs ~56 bytes here): room for
// CloudWatch's largest request (1,000 metrics of 150 values and counts).
constexpr size_t kMaxItems = size_t{1} << 20;

// ---- Decoding -----------------------------------------------------------------

// One decoded data item. Strings point into the body, or into the decoder's
// arena for indefinite-length ones (their chunks joined).
struct Item {
  enum class Kind : uint8_t {
    kUnsigned,
    kNegative,
    kBytes,
    kText,
    kArray,
    kMap,
    kFloat,
    kBool,
    kNull,
    kTime
  };
  Kind kind = Kind::kNull;
  bool flag = false;  // kBool.
  union {
    uint64_t n = 0;  // kUnsigned: n; kNegative: -1 - n.
    double f;        // kFloat; kTime: epoch seconds.
  };
  std::string_view s;       // kBytes, kText.
  std::vector<Item> items;  // kArray: the elements; kMap: key, value, key, value, ...
};
using Kind = Item::Kind;

double DecodeHalf(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    value = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    value = mantissa == 0 ? std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::quiet_NaN();
  }
  return (h & 0x8000) != 0 ? -value : value;
}

class Decoder {
 public:
  // Indefinite-length strings are joined into `arena`, which must outlive
  // the items.
  Decoder(std::string_view in, std::deque<std::string>* arena)
      : p_(in.data()), end_(in.data() + in.size()), arena_(*arena) {}

  // One item that fills the whole input.
  bool Parse(Item* out) { return Read(out, 0) && p_ == end_; }

 private:
  bool Byte(uint8_t* b) {
    if (p_ == end_) return false;
    *b = static_cast<uint8_t>(*p_++);
    return true;
  }
  // The argument an initial byte's additional information (< 28) gives.
  bool Argument(uint8_t info, uint64_t* out) {
    if (info < 24) {
      *out = info;
      return true;
    }
    const int bytes = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (bytes == 0 || end_ - p_ < bytes) return false;
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(*p_++);
    *out = value;
    return true;
  }
  // The bytes of a definite-length string.
  bool Definite(uint8_t info, std::string_view* out) {
    uint64_t length;
    if (!Argument(info, &length) || length > static_cast<uint64_t>(end_ - p_)) return false;
    *out = std::string_view(p_, length);
    p_ += length;
    return true;
  }
  // A byte (major 2) or text (3) string; an indefinite one is its definite
  // chunks of the same major type up to a break.
  bool String(uint8_t major, uint8_t info, std::string_view* out) {
    if (info != 31) return Definite(info, out);
    std::string& joined = arena_.emplace_back();
    for (;;) {
      uint8_t b;
      if (!Byte(&b)) return false;
      if (b == 0xff) break;
      std::string_view chunk;
      if ((b >> 5) != major || (b & 0x1f) == 31 || !Definite(b & 0x1f, &chunk)) return false;
      joined.append(chunk);
    }
    *out = joined;
    return true;
  }
  // The elements (major 4) or key/value pairs (5) of a container.
  bool Container(uint8_t major, uint8_t info, Item* out, int depth) {
    uint64_t count = 0;
    const bool indefinite = info == 31;
    if (!indefinite && !Argument(info, &count)) return false;
    for (uint64_t i = 0; indefinite || i < count; ++i) {
      if (indefinite) {
        if (p_ == end_) return false;
        if (static_cast<uint8_t>(*p_) == 0xff) {
          ++p_;
          return true;
        }
      }
      for (int k = 0; k < (major == 4 ? 1 : 2); ++k) {
        Item& item = out->items.emplace_back();
        if (!Read(&item, depth + 1)) return false;
        if (major == 5 && k == 0 && item.kind != Kind::kText) return false;  // Keys are text.
      }
    }
    return true;
  }
  bool Read(Item* out, int depth) {
    uint8_t b;
    if (depth > kMaxCborDepth || ++items_ > kMaxItems || !Byte(&b)) return false;
    const uint8_t major = b >> 5;
    const uint8_t info = b & 0x1f;
    if (info >= 28 && info <= 30) return false;  // Reserved.
    if (info == 31 && (major <= 1 || major == 6)) return false;
    switch (major) {
      case 0:
      case 1:
        out->kind = major == 0 ? Kind::kUnsigned : Kind::kNegative;
        return Argument(info, &out->n);
      case 2:
      case 3:
        out->kind = major == 2 ? Kind::kBytes : Kind::kText;
        return String(major, info, &out->s) &&
               (major == 2 || simdjson::validate_utf8(out->s.data(), out->s.size()));
      case 4:
      case 5:
        out->kind = major == 4 ? Kind::kArray : Kind::kMap;
        return Container(major, info, out, depth);
      case 6: {  // Only tag 1: a timestamp, epoch seconds.
        uint64_t tag;
        Item value;
        if (!Argument(info, &tag) || tag != 1 || !Read(&value, depth + 1)) return false;
        out->kind = Kind::kTime;
        if (value.kind == Kind::kUnsigned) {
          out->f = static_cast<double>(value.n);
        } else if (value.kind == Kind::kNegative) {
          out->f = -1.0 - static_cast<double>(value.n);
        } else if (value.kind == Kind::kFloat) {
          out->f = value.f;
        } else {
          return false;
        }
        return true;
      }
      default:
        return Simple(info, out);
    }
  }
  // Major type 7: false, true, null, undefined and the floats.
  bool Simple(uint8_t info, Item* out) {
    uint64_t bits;
    switch (info) {
      case 20:
      case 21:
        out->kind = Kind::kBool;
        out->flag = info == 21;
        return true;
      case 22:
      case 23:
        out->kind = Kind::kNull;
        return true;
      case 25:
      case 26:
      case 27:
        if (!Argument(info, &bits)) return false;
        out->kind = Kind::kFloat;
        if (info == 25) {
          out->f = DecodeHalf(static_cast<uint16_t>(bits));
        } else if (info == 26) {
          out->f = std::bit_cast<float>(static_cast<uint32_t>(bits));
        } else {
          out->f = std::bit_cast<double>(bits);
        }
        return true;
      default:  // Other simple values; a break outside an indefinite item.
        return false;
    }
  }

  const char* p_;
  const char* const end_;
  size_t items_ = 0;
  std::deque<std::string>& arena_;
};

// The number an item holds, if it is one.
bool NumberOf(const Item& item, double* out) {
  switch (item.kind) {
    case Kind::kUnsigned:
      *out = static_cast<double>(item.n);
      return true;
    case Kind::kNegative:
      *out = -1.0 - static_cast<double>(item.n);
      return true;
    case Kind::kFloat:
      *out = item.f;
      return true;
    default:
      return false;
  }
}

// Reads the members of one CBOR map. Absent, null and undefined are the same.
class CborInput final : public Input {
 public:
  CborInput(DecodeState* state, const Item* map, std::string path)
      : Input(state, std::move(path)), map_(map) {}

  bool Str(Name name, std::string* out, bool required) override {
    const Item* item = Lookup(name);
    if (item == nullptr) return required ? Missing(name, name.json) : true;
    if (item->kind != Kind::kText) return WrongType(name, "a string");
    out->assign(item->s);
    return true;
  }

  bool Str(Name name, std::optional<std::string>* out) override {
    std::string value;
    if (Lookup(name) == nullptr) return true;
    if (!Str(name, &value, false)) return false;
    *out = std::move(value);
    return true;
  }

  bool Int(Name name, std::optional<int>* out, bool required) override {
    const Item* item = Lookup(name);
    if (item == nullptr) return required ? Missing(name, name.json) : true;
    int64_t value = 0;
    bool ok = false;
    double d = 0;
    if (item->kind == Kind::kUnsigned || item->kind == Kind::kNegative) {
      ok = item->n <= static_cast<uint64_t>(INT64_MAX);
      if (ok)
        value = item->kind == Kind::kUnsigned ? static_cast<int64_t>(item->n)
                                              : -1 - static_cast<int64_t>(item->n);
    } else if (item->kind == Kind::kFloat && NumberOf(*item, &d)) {
      ok = std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15;
      if (ok) value = static_cast<int64_t>(d);  // Only in range: the cast is UB outside.
    } else if (item->kind == Kind::kText && model().query_compatible) {
      ok = absl::SimpleAtoi(Absl(item->s), &value);
    }
    return StoreInt32(name, ok, value, out);
  }

  bool Double(Name name, std::optional<double>* out, bool required) override {
    const Item* item = Lookup(name);
    if (item == nullptr) return required ? Missing(name, name.json) : true;
    double value = 0;
    if (!NumberOf(*item, &value)) return WrongType(name, "a number");
    *out = value;
    return true;
  }

  bool DoubleList(Name name, std::vector<double>* out) override {
    const Item* array = Get(name, Kind::kArray, "a list of numbers", false);
    if (array == nullptr) return !failed();
    for (const Item& item : array->items) {
      double value = 0;
      if (!NumberOf(item, &value)) return WrongType(name, "a list of numbers");
      out->push_back(value);
    }
    return true;
  }

  bool Bool(Name name, bool* out) override {
    const Item* item = Lookup(name);
    if (item == nullptr) return true;
    if (item->kind != Kind::kBool) return WrongType(name, "a boolean");
    *out = item->flag;
    return true;
  }

  bool Time(Name name, std::optional<absl::Time>* out, bool required) override {
    const Item* item = Lookup(name);
    if (item == nullptr) return required ? Missing(name, name.json) : true;
    // Tag 1, as Smithy writes them, or a bare number of seconds.
    double seconds = 0;
    const bool number = item->kind == Kind::kTime || NumberOf(*item, &seconds);
    if (item->kind == Kind::kTime) seconds = item->f;
    absl::Time time;
    if (!number || !TimestampFromSeconds(seconds, &time)) return WrongType(name, "a timestamp");
    *out = time;
    return true;
  }

  bool StrList(Name name, std::vector<std::string>* out, bool required) override {
    const Item* array = Get(name, Kind::kArray, "a list of strings", required);
    if (array == nullptr) return !failed();
    for (const Item& item : array->items) {
      if (item.kind != Kind::kText) return WrongType(name, "a list of strings");
      out->emplace_back(item.s);
    }
    return true;
  }

  bool StrMap(Name name, MapNames, std::map<std::string, std::string>* out,
              bool required) override {
    const Item* map = Get(name, Kind::kMap, "a map of strings", required);
    if (map == nullptr) return !failed();
    for (size_t i = 0; i + 1 < map->items.size(); i += 2) {
      const Item& value = map->items[i + 1];
      if (value.kind != Kind::kText) return WrongType(name, "a map of strings");
      (*out)[std::string(map->items[i].s)] = std::string(value.s);
    }
    return true;
  }

  bool Struct(Name name, absl::FunctionRef<bool(Input&)> decode, bool required) override {
    const Item* map = Get(name, Kind::kMap, "a structure", required);
    if (map == nullptr) return !failed();
    CborInput member(state(), map, absl::StrCat(PathOf(name), "."));
    return decode(member);
  }

  bool List(Name name, absl::FunctionRef<bool(Input&)> decode, bool required) override {
    const Item* array = Get(name, Kind::kArray, "a list of structures", required);
    if (array == nullptr) return !failed();
    int index = 0;
    for (const Item& item : array->items) {
      ++index;
      if (item.kind != Kind::kMap) return WrongType(name, "a list of structures");
      CborInput element(state(), &item, absl::StrCat(PathOf(name), ".", index, ".member."));
      if (!decode(element)) return false;
    }
    return true;
  }

  bool Map(Name name, MapNames,
           absl::FunctionRef<bool(const std::string& key, Input&)> decode) override {
    const Item* map = Get(name, Kind::kMap, "a map of structures", false);
    if (map == nullptr) return !failed();
    for (size_t i = 0; i + 1 < map->items.size(); i += 2) {
      const Item& value = map->items[i + 1];
      if (value.kind != Kind::kMap) return WrongType(name, "a map of structures");
      std::string key(map->items[i].s);
      CborInput member(state(), &value, absl::StrCat(PathOf(name), ".", key, ".member."));
      if (!decode(key, member)) return false;
    }
    return true;
  }

 private:
  // Member `name` (the first with that key): null when absent, null or
  // undefined.
  const Item* Lookup(Name name) const {
    for (size_t i = 0; i + 1 < map_->items.size(); i += 2) {
      if (map_->items[i].s != name.json) continue;
      const Item& value = map_->items[i + 1];
      return value.kind == Kind::kNull ? nullptr : &value;
    }
    return nullptr;
  }
  // Member `name` of kind `kind`: null when absent (an error when `required`)
  // or of another kind (an error).
  const Item* Get(Name name, Kind kind, std::string_view what, bool required) {
    const Item* item = Lookup(name);
    if (item == nullptr) {
      if (required) Missing(name, name.json);
      return nullptr;
    }
    if (item->kind != kind) {
      WrongType(name, what);
      return nullptr;
    }
    return item;
  }

  const Item* map_;
};

// ---- Encoding -----------------------------------------------------------------

// Appends CBOR items to a string: definite lengths where the count is known,
// indefinite ones (closed by a break) for the structures written member by
// member.
class CborWriter {
 public:
  explicit CborWriter(std::string* out) : out_(*out) {}

  void Head(uint8_t major, uint64_t value) {
    const auto type = static_cast<uint8_t>(major << 5);
    if (value < 24) {
      out_.push_back(static_cast<char>(type | value));
      return;
    }
    const int bytes = value <= 0xff ? 1 : value <= 0xffff ? 2 : value <= 0xffffffff ? 4 : 8;
    out_.push_back(static_cast<char>(type | (bytes == 1   ? 24
                                             : bytes == 2 ? 25
                                             : bytes == 4 ? 26
                                                          : 27)));
    for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<char>(value >> (8 * i)));
  }
  void Int(int64_t value) {
    if (value >= 0) {
      Head(0, static_cast<uint64_t>(value));
    } else {
      Head(1, static_cast<uint64_t>(-(value + 1)));
    }
  }
  // Valid UTF-8 always (malformed bytes, which only query-protocol input can
  // bring in, become U+FFFD).
  void Text(std::string_view text) {
    std::string repaired;
    if (!simdjson::validate_utf8(text.data(), text.size())) {
      base_internal::AppendUtf8Lossy(text, &repaired);
      text = repaired;
    }
    Head(3, text.size());
    out_.append(text);
  }
  void Double(double value) {
    const auto bits = std::bit_cast<uint64_t>(value);
    out_.push_back(static_cast<char>(0xfb));
    for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>(bits >> (8 * i)));
  }
  void Bool(bool value) { out_.push_back(static_cast<char>(value ? 0xf5 : 0xf4)); }
  // Tag 1: epoch seconds, an integer when whole, else to the millisecond.
  void Time(absl::Time value) {
    out_.push_back(static_cast<char>(0xc1));
    const int64_t millis = absl::ToUnixMillis(value);
    if (millis % 1000 == 0) {
      Int(millis / 1000);
    } else {
      Double(static_cast<double>(millis) / 1000.0);
    }
  }
  void BeginIndefinite(uint8_t major) { out_.push_back(static_cast<char>((major << 5) | 31)); }
  void Break() { out_.push_back(static_cast<char>(0xff)); }

 private:
  std::string& out_;
};

// Writes members as CBOR map entries keyed by name.json.
class CborOutput final : public Output {
 public:
  explicit CborOutput(CborWriter* writer) : w_(*writer) {}

  void Str(Name name, std::string_view value) override {
    w_.Text(name.json);
    w_.Text(value);
  }
  void Int(Name name, int64_t value) override {
    w_.Text(name.json);
    w_.Int(value);
  }
  void Double(Name name, double value) override {
    w_.Text(name.json);
    w_.Double(value);
  }
  void Bool(Name name, bool value) override {
    w_.Text(name.json);
    w_.Bool(value);
  }
  void Time(Name name, absl::Time value) override {
    w_.Text(name.json);
    w_.Time(value);
  }
  void StrList(Name name, const std::vector<std::string>& values) override {
    WriteList(name, values, [&](const std::string& value) { w_.Text(value); });
  }
  void DoubleList(Name name, const std::vector<double>& values) override {
    WriteList(name, values, [&](double value) { w_.Double(value); });
  }
  void TimeList(Name name, const std::vector<absl::Time>& values) override {
    WriteList(name, values, [&](absl::Time value) { w_.Time(value); });
  }
  void DoubleMap(Name name, MapNames, const std::map<std::string, double>& map) override {
    WriteMap(name, map, [&](double value) { w_.Double(value); });
  }
  void StrMap(Name name, MapNames, const std::map<std::string, std::string>& map) override {
    WriteMap(name, map, [&](const std::string& value) { w_.Text(value); });
  }
  void BeginStruct(Name name) override {
    w_.Text(name.json);
    w_.BeginIndefinite(5);
  }
  void EndStruct() override { w_.Break(); }
  void BeginList(Name name) override {
    w_.Text(name.json);
    w_.BeginIndefinite(4);
  }
  void BeginElement() override { w_.BeginIndefinite(5); }
  void EndElement() override { w_.Break(); }
  void EndList() override { w_.Break(); }
  void BeginMap(Name name, MapNames) override { BeginStruct(name); }
  void BeginEntry(std::string_view key) override {
    w_.Text(key);
    w_.BeginIndefinite(5);
  }
  void EndEntry() override { w_.Break(); }
  void EndMap() override { w_.Break(); }

 private:
  template <typename T, typename Write>
  void WriteList(Name name, const std::vector<T>& values, Write write) {
    w_.Text(name.json);
    w_.Head(4, values.size());
    for (const T& value : values) write(value);
  }
  template <typename T, typename Write>
  void WriteMap(Name name, const std::map<std::string, T>& map, Write write) {
    w_.Text(name.json);
    w_.Head(5, map.size());
    for (const auto& [key, value] : map) {
      w_.Text(key);
      write(value);
    }
  }

  CborWriter& w_;
};

constexpr char kContentType[] = "application/cbor";

HttpResponse CborResponse(int status, std::string body, std::string_view request_id) {
  HttpResponse response;
  response.status = status;
  response.content_type = kContentType;
  response.body = std::move(body);
  response.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  return response;
}

class CborExchange final : public Exchange {
 public:
  CborExchange(HttpRequest request, std::string_view request_id, const ServiceModel& model,
               Respond respond)
      : Exchange(std::move(request), request_id, model, std::move(respond)),
        writer_(&result_),
        output_(&writer_) {
    const std::string& body = this->request().body;
    root_.kind = Kind::kMap;
    if (!body.empty() && (!Decoder(body, &arena_).Parse(&root_) || root_.kind != Kind::kMap)) {
      decode_state()->error =
          SerializationError("The request body is not one well-formed CBOR map.");
      return;
    }
    input_ = std::make_unique<CborInput>(decode_state(), &root_, "");
  }
  ~CborExchange() override { ReplyIfUnanswered(); }

  // Null, with a SerializationException recorded, when the body is not a map.
  Input* body() { return input_.get(); }
  Input& input() override { return *input_; }
  Output& output() override {
    if (!started_) {
      started_ = true;
      writer_.BeginIndefinite(5);
    }
    return output_;
  }

 private:
  HttpResponse RenderResult() override {
    output();
    writer_.Break();
    return CborResponse(200, std::move(result_), request_id());
  }
  HttpResponse RenderError(const WireError& error) override {
    return RenderCborError(model(), request_id(), JsonProtocolError(error));
  }

  std::deque<std::string> arena_;  // Before root_, whose strings may point into it.
  Item root_;
  std::unique_ptr<CborInput> input_;
  std::string result_;
  CborWriter writer_;
  CborOutput output_;
  bool started_ = false;
};

}  // namespace

bool IsCborRequest(const HttpRequest& request) {
  return request.Header("smithy-protocol") == "rpc-v2-cbor";
}

bool IsCborMap(std::string_view bytes) {
  std::deque<std::string> arena;
  Item root;
  return Decoder(bytes, &arena).Parse(&root) && root.kind == Kind::kMap;
}

void ServeCbor(const Api& api, HttpRequest request, std::string_view request_id,
               std::string operation, Respond respond) {
  auto exchange = std::make_unique<CborExchange>(std::move(request), request_id, api.model(),
                                                 std::move(respond));
  if (exchange->body() == nullptr) return exchange->ReplyDecodeError();
  api.Run(operation, std::move(exchange));
}

HttpResponse RenderCborError(const ServiceModel& model, std::string_view request_id,
                             const WireError& error) {
  std::string body;
  CborWriter writer(&body);
  writer.Head(5, error.message.empty() ? 1 : 2);
  writer.Text("__type");
  writer.Text(QualifiedErrorType(model, error));
  if (!error.message.empty()) {  // AWS leaves out an empty one.
    writer.Text("message");
    writer.Text(error.message);
  }
  HttpResponse response = CborResponse(error.http_status, std::move(body), request_id);
  if (model.query_compatible) AddQueryErrorHeader(error, &response);
  return response;
}

}  // namespace wharf::wire
