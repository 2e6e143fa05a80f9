// File: broker/storage/document.h
//
// The stored form of configuration (queues, topics, subscriptions, buses,
// rules, move tasks): a flat JSON object per entity, so that a data file can
// be read with the sqlite3 shell. DocumentWriter builds one; DocumentReader
// reads one back, remembering the first missing or mistyped field so a caller
// checks once at the end.
//
//   DocumentWriter w;
//   w.Int("id", 7);
//   w.StringMap("tags", tags);
//   store.Put("sqs.queue", name, w.Finish());
//
//   DocumentReader r(value);
//   int64_t id = r.Int("id");
//   sqs::TagMap tags = r.StringMap("tags");
//   if (!r.ok()) return r.Error("queue jobs");
//
// Thread safety: thread-compatible (one object per thread).

#ifndef WHARF_BROKER_STORAGE_DOCUMENT_H_
#define WHARF_BROKER_STORAGE_DOCUMENT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace wharf::storage_internal {

class DocumentWriter {
 public:
  DocumentWriter();

  void Int(std::string_view key, int64_t value);
  void Bool(std::string_view key, bool value);
  void String(std::string_view key, std::string_view value);
  // Unix nanoseconds; InfinitePast and InfiniteFuture map to the int64 limits.
  void Time(std::string_view key, absl::Time value);
  void StringMap(std::string_view key, const std::map<std::string, std::string>& value);
  void StringList(std::string_view key, const std::vector<std::string>& value);

  // The JSON text. The writer is spent afterwards.
  std::string Finish();

 private:
  void Key(std::string_view key);

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

class DocumentReader {
 public:
  explicit DocumentReader(std::string_view json);

  // Each getter returns the field, or a zero value and records an error when
  // it is missing or has another type. Optional* return nullopt when absent.
  int64_t Int(std::string_view key);
  bool Bool(std::string_view key);
  std::string String(std::string_view key);
  std::optional<std::string> OptionalString(std::string_view key);
  absl::Time Time(std::string_view key);
  std::map<std::string, std::string> StringMap(std::string_view key);
  std::vector<std::string> StringList(std::string_view key);
  bool Has(std::string_view key) const;

  bool ok() const { return error_.empty(); }
  // DataLoss naming `what` (e.g. "SQS queue jobs") and the first bad field.
  absl::Status Error(std::string_view what) const;

 private:
  const rapidjson::Value* Field(std::string_view key);
  void Fail(std::string_view key, std::string_view why);

  rapidjson::Document doc_;
  std::string error_;
};

}  // namespace wharf::storage_internal

#endif  // WHARF_BROKER_STORAGE_DOCUMENT_H_
