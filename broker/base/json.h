// Bounded JSON parsing. Every JSON document that comes from outside the
// process (wire bodies, policies, filter policies, event patterns, events,
// message structures, attribute values, input templates, configuration) is
// parsed through one of these two functions, so that hostile nesting ends in
// a parse failure, never in a stack overflow:
//
//   * both refuse documents nested deeper than `max_depth` arrays/objects
//     (default kMaxJsonDepth);
//   * neither recurses in proportion to the depth: RapidJSON runs its
//     iterative parser (an explicit stack on the heap) under a handler that
//     counts the depth, simdjson builds its tape iteratively and checks
//     max_depth itself.
//
// A document refused for its depth is reported like any other malformed
// document: callers answer with the AWS error for an invalid value of the
// field. Code that then walks the parsed document recursively recurses at
// most max_depth deep.
//
// Thread safety: the functions are thread-safe; the parser and document they
// fill are the caller's and not synchronized.

#ifndef WHARF_BROKER_BASE_JSON_H_
#define WHARF_BROKER_BASE_JSON_H_

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "rapidjson/document.h"
#include "rapidjson/encodedstream.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"

namespace wharf::base_internal {

// The nesting limit of every external JSON document: simdjson's default, and
// more than EventBridge's 1,000 levels of Detail plus the event envelope.
inline constexpr size_t kMaxJsonDepth = 1024;

namespace json_internal {

// Forwards the SAX events of RapidJSON's reader to a document while counting
// the nesting depth; refuses (stops the parse) past `max_depth`.
template <typename Document>
class DepthLimit {
 public:
  using Ch = typename Document::Ch;
  DepthLimit(Document& doc, size_t max_depth) : doc_(doc), max_depth_(max_depth) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy);
  }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return ++depth_ <= max_depth_ && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return ++depth_ <= max_depth_ && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

 private:
  Document& doc_;
  size_t max_depth_;
  size_t depth_ = 0;
};

}  // namespace json_internal

// Parses `text` into `*doc` (RapidJSON, with `kFlags` besides the iterative
// parse). Returns false, leaving `*doc` null, when `text` is not one JSON
// value or nests deeper than `max_depth`. O(size of text); never recursive.
template <unsigned kFlags = rapidjson::kParseDefaultFlags>
bool ParseJson(std::string_view text, rapidjson::Document* doc, size_t max_depth = kMaxJsonDepth) {
  bool ok = false;
  auto generate = [&](rapidjson::Document& target) {
    json_internal::DepthLimit<rapidjson::Document> handler(target, max_depth);
    rapidjson::MemoryStream bytes(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
    rapidjson::Reader reader;
    ok = !reader.Parse<kFlags | rapidjson::kParseIterativeFlag>(in, handler).IsError();
    return ok;
  };
  doc->SetNull();
  doc->Populate(generate);
  return ok;
}

// Parses `text` with `parser` (simdjson's DOM; the parser keeps its buffers
// for the next call) into `*root`, refusing more than `max_depth` levels
// (simdjson::DEPTH_ERROR). `*root` lives as long as the parser's next parse.
inline simdjson::error_code ParseJson(simdjson::dom::parser& parser, std::string_view text,
                                      simdjson::dom::element* root,
                                      size_t max_depth = kMaxJsonDepth) {
  if (parser.max_depth() != max_depth) {
    simdjson::error_code error =
        parser.allocate(std::max(text.size(), parser.capacity()), max_depth);
    if (error != simdjson::SUCCESS) return error;
  }
  // simdjson copies its input with memcpy, which must not get a null pointer
  // even for 0 bytes.
  const char* data = text.empty() ? "" : text.data();
  return parser.parse(data, text.size()).get(*root);
}

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_JSON_H_
