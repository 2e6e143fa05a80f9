#include "broker/bus/event_envelope.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rapidjson/reader.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace wharf::bus_internal {
namespace {

constexpr int kMaxDepth = 1000;

// A SAX handler that re-writes the document compactly while checking the
// Detail rules. Numbers arrive as raw text (kParseNumbersAsStringsFlag) so
// they are copied exactly and integers can be range-checked.
class DetailHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DetailHandler> {
 public:
  explicit DetailHandler(rapidjson::Writer<rapidjson::StringBuffer>* writer) : w_(writer) {}

  bool Null() { return Scalar() && w_->Null(); }
  bool Bool(bool b) { return Scalar() && w_->Bool(b); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    if (!Scalar()) return false;
    absl::string_view text(s, n);
    if (text.find_first_of(".eE") == absl::string_view::npos) {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return false;  // Outside the signed 64-bit range.
    }
    return w_->RawValue(s, n, rapidjson::kNumberType);
  }
  bool String(const char* s, rapidjson::SizeType n, bool) { return Scalar() && w_->String(s, n); }
  bool Key(const char* s, rapidjson::SizeType n, bool) { return w_->Key(s, n); }
  bool StartObject() { return Open(true) && w_->StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return w_->EndObject(n);
  }
  bool StartArray() { return Open(false) && w_->StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return w_->EndArray(n);
  }

 private:
  // A scalar is never the whole document (Detail must be an object).
  bool Scalar() const { return depth_ > 0; }
  // Only one top-level value, and it is an object.
  bool Open(bool object) {
    if (depth_ == 0) {
      if (started_ || !object) return false;
      started_ = true;
    }
    return ++depth_ <= kMaxDepth;
  }

  rapidjson::Writer<rapidjson::StringBuffer>* w_;
  int depth_ = 0;
  bool started_ = false;
};

void AppendJsonString(std::string* out, std::string_view s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  out->append(buffer.GetString(), buffer.GetSize());
}

}  // namespace

bool CompactDetail(std::string_view detail, std::string* compact) {
  // The first non-space character must open an object.
  size_t first = detail.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || detail[first] != '{') return false;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  DetailHandler handler(&writer);
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(detail.data(), detail.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag;
  if (reader.Parse<kFlags>(is, handler).IsError()) return false;
  compact->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

std::string FormatEventTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string BuildEnvelope(const EnvelopeFields& f) {
  std::string out;
  out.reserve(160 + f.id.size() + f.detail_type.size() + f.source.size() + f.compact_detail.size());
  out += R"({"version":"0","id":)";
  AppendJsonString(&out, f.id);
  out += R"(,"detail-type":)";
  AppendJsonString(&out, f.detail_type);
  out += R"(,"source":)";
  AppendJsonString(&out, f.source);
  out += R"(,"account":)";
  AppendJsonString(&out, f.account);
  out += R"(,"time":")";
  out += FormatEventTime(f.time);
  out += R"(","region":)";
  AppendJsonString(&out, f.region);
  if (!f.replay_name.empty()) {
    out += R"(,"replay-name":)";
    AppendJsonString(&out, f.replay_name);
  }
  out += R"(,"resources":[)";
  if (f.resources != nullptr) {
    bool first = true;
    for (const std::string& r : *f.resources) {
      if (!first) out += ',';
      first = false;
      AppendJsonString(&out, r);
    }
  }
  out += R"(],"detail":)";
  out += f.compact_detail;
  out += '}';
  return out;
}

std::string WithReplayName(std::string_view envelope, std::string_view replay_name) {
  // BuildEnvelope writes ,"resources":[ right after region (or replay-name).
  constexpr std::string_view kReplayKey = R"(,"replay-name":)";
  constexpr std::string_view kResourcesKey = R"(,"resources":[)";
  size_t resources = envelope.find(kResourcesKey);
  size_t cut = envelope.find(kReplayKey);
  if (cut == std::string_view::npos || cut > resources) cut = resources;
  std::string out(envelope.substr(0, cut));
  out += kReplayKey;
  AppendJsonString(&out, replay_name);
  out += envelope.substr(resources);
  return out;
}

}  // namespace wharf::bus_internal
