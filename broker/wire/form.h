// Form decoding for the AWS query protocol: application/x-www-form-urlencoded
// bodies and URL query strings ("Action=SendMessage&QueueUrl=...").
// Query-protocol lists and maps are flattened into numbered keys
// ("Attribute.1.Name", "Attribute.1.Value"); FormParams::Key builds them.
//
// Thread safety: FormParams is a plain value; the functions are thread-safe.

#ifndef WHARF_BROKER_WIRE_FORM_H_
#define WHARF_BROKER_WIRE_FORM_H_

#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace wharf::wire {

// Percent-decodes `in` ('+' is a space when `plus_is_space`). Returns false on
// a malformed escape ("%4" or "%zz").
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~
// is %XX (upper-case hex); '/' is kept when `keep_slash`.
std::string UriEncode(std::string_view in, bool keep_slash);

class FormParams {
 public:
  // Parses "a=1&b=2" and adds the pairs (a later duplicate key wins).
  // Returns false on malformed percent-encoding; pairs parsed before the
  // error are kept.
  bool Parse(std::string_view text);

  // The value of `key`, or nullptr when absent.
  const std::string* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  size_t size() const { return values_.size(); }

  // True when some key continues `element` with ".": the element of a list
  // or map ("Entry.2") has members. Only the first kMaxElementDepth numbered
  // segments of a key count (the query protocol nests two).
  bool HasElement(std::string_view element) const;
  static constexpr int kMaxElementDepth = 4;

 private:
  void AddElements(std::string_view key);

  absl::flat_hash_map<std::string, std::string> values_;
  absl::flat_hash_set<std::string> elements_;  // Key prefixes ending in a numbered segment.
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_FORM_H_
