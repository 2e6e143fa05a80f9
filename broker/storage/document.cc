#include "broker/storage/document.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "broker/base/json.h"

namespace wharf::storage_internal {
namespace {

constexpr int64_t kPast = std::numeric_limits<int64_t>::min();
constexpr int64_t kFuture = std::numeric_limits<int64_t>::max();

rapidjson::SizeType Size(std::string_view s) { return static_cast<rapidjson::SizeType>(s.size()); }

// RapidJSON refuses a null pointer even for an empty string.
const char* Data(std::string_view s) { return s.empty() ? "" : s.data(); }

}  // namespace

DocumentWriter::DocumentWriter() : writer_(buffer_) { writer_.StartObject(); }

void DocumentWriter::Key(std::string_view key) { writer_.Key(Data(key), Size(key)); }

void DocumentWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  writer_.Int64(value);
}

void DocumentWriter::Bool(std::string_view key, bool value) {
  Key(key);
  writer_.Bool(value);
}

void DocumentWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  writer_.String(Data(value), Size(value));
}

void DocumentWriter::Time(std::string_view key, absl::Time value) {
  Int(key, value == absl::InfinitePast()     ? kPast
           : value == absl::InfiniteFuture() ? kFuture
                                             : absl::ToUnixNanos(value));
}

void DocumentWriter::StringMap(std::string_view key,
                               const std::map<std::string, std::string>& value) {
  Key(key);
  writer_.StartObject();
  for (const auto& [k, v] : value) {
    writer_.Key(Data(k), Size(k));
    writer_.String(Data(v), Size(v));
  }
  writer_.EndObject();
}

void DocumentWriter::StringList(std::string_view key, const std::vector<std::string>& value) {
  Key(key);
  writer_.StartArray();
  for (const std::string& v : value) writer_.String(Data(v), Size(v));
  writer_.EndArray();
}

std::string DocumentWriter::Finish() {
  writer_.EndObject();
  return std::string(buffer_.GetString(), buffer_.GetSize());
}

DocumentReader::DocumentReader(std::string_view json) {
  if (!base_internal::ParseJson(json, &doc_) || !doc_.IsObject()) {
    error_ = "not a JSON object";
  }
}

bool DocumentReader::Has(std::string_view key) const {
  return doc_.IsObject() &&
         doc_.FindMember(rapidjson::Value(Data(key), Size(key))) != doc_.MemberEnd();
}

const rapidjson::Value* DocumentReader::Field(std::string_view key) {
  if (!doc_.IsObject()) return nullptr;
  const rapidjson::Document& doc = doc_;
  auto it = doc.FindMember(rapidjson::Value(Data(key), Size(key)));
  if (it == doc.MemberEnd()) {
    Fail(key, "missing");
    return nullptr;
  }
  return &it->value;
}

void DocumentReader::Fail(std::string_view key, std::string_view why) {
  if (error_.empty()) {
    error_ = absl::StrCat("field ", absl::string_view(key.data(), key.size()), " is ",
                          absl::string_view(why.data(), why.size()));
  }
}

int64_t DocumentReader::Int(std::string_view key) {
  const rapidjson::Value* v = Field(key);
  if (v == nullptr) return 0;
  if (!v->IsInt64()) {
    Fail(key, "not an integer");
    return 0;
  }
  return v->GetInt64();
}

bool DocumentReader::Bool(std::string_view key) {
  const rapidjson::Value* v = Field(key);
  if (v == nullptr) return false;
  if (!v->IsBool()) {
    Fail(key, "not a boolean");
    return false;
  }
  return v->GetBool();
}

std::string DocumentReader::String(std::string_view key) {
  const rapidjson::Value* v = Field(key);
  if (v == nullptr) return {};
  if (!v->IsString()) {
    Fail(key, "not a string");
    return {};
  }
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<std::string> DocumentReader::OptionalString(std::string_view key) {
  if (!Has(key)) return std::nullopt;
  return String(key);
}

absl::Time DocumentReader::Time(std::string_view key) {
  const int64_t ns = Int(key);
  if (ns == kPast) return absl::InfinitePast();
  if (ns == kFuture) return absl::InfiniteFuture();
  return absl::FromUnixNanos(ns);
}

std::map<std::string, std::string> DocumentReader::StringMap(std::string_view key) {
  std::map<std::string, std::string> out;
  const rapidjson::Value* v = Field(key);
  if (v == nullptr) return out;
  if (!v->IsObject()) {
    Fail(key, "not an object");
    return out;
  }
  for (const auto& member : v->GetObject()) {
    if (!member.value.IsString()) {
      Fail(key, "not an object of strings");
      return {};
    }
    out.emplace(std::string(member.name.GetString(), member.name.GetStringLength()),
                std::string(member.value.GetString(), member.value.GetStringLength()));
  }
  return out;
}

std::vector<std::string> DocumentReader::StringList(std::string_view key) {
  std::vector<std::string> out;
  const rapidjson::Value* v = Field(key);
  if (v == nullptr) return out;
  if (!v->IsArray()) {
    Fail(key, "not an array");
    return out;
  }
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) {
      Fail(key, "not an array of strings");
      return {};
    }
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

absl::Status DocumentReader::Error(std::string_view what) const {
  return absl::DataLossError(absl::StrCat("storage: the stored ",
                                          absl::string_view(what.data(), what.size()),
                                          " is damaged: ", error_));
}

}  // namespace wharf::storage_internal
