#include "broker/wire/form.h"

#include <string>

#include "broker/base/hex.h"

namespace wharf::wire {

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    // Copy the longest run that needs no decoding in one go.
    size_t run = i;
    while (run < in.size() && in[run] != '%' && !(plus_is_space && in[run] == '+')) ++run;
    out->append(in.data() + i, run - i);
    i = run;
    if (i == in.size()) break;
    if (in[i] == '+') {
      out->push_back(' ');
      ++i;
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = base_internal::HexDigitValue(in[i + 1]);
    const int lo = base_internal::HexDigitValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 3;
  }
  return true;
}

std::string UriEncode(std::string_view in, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  for (unsigned char c : in) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || (c == '/' && keep_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool FormParams::Parse(std::string_view text) {
  size_t pos = 0;
  std::string key;
  std::string value;
  while (pos <= text.size()) {
    size_t end = text.find('&', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = text.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view raw_key = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!PercentDecode(raw_key, true, &key) || !PercentDecode(raw_value, true, &value)) {
      return false;
    }
    AddElements(key);
    values_.insert_or_assign(std::move(key), std::move(value));
    key = std::string();
    value = std::string();
  }
  return true;
}

void FormParams::AddElements(std::string_view key) {
  int depth = 0;
  for (size_t start = 0; start < key.size() && depth < kMaxElementDepth;) {
    size_t end = key.find('.', start);
    if (end == std::string_view::npos) return;  // The last segment names a member.
    std::string_view segment = key.substr(start, end - start);
    if (!segment.empty() && segment.find_first_not_of("0123456789") == std::string_view::npos) {
      elements_.emplace(key.substr(0, end));
      ++depth;
    }
    start = end + 1;
  }
}

bool FormParams::HasElement(std::string_view element) const {
  return elements_.contains(absl::string_view(element.data(), element.size()));
}

const std::string* FormParams::Find(std::string_view key) const {
  auto it = values_.find(absl::string_view(key.data(), key.size()));
  return it == values_.end() ? nullptr : &it->second;
}

}  // namespace wharf::wire
