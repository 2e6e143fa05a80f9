#include "broker/pattern/case_fold.h"

#include <utf8proc.h>

#include <algorithm>

#include "absl/container/inlined_vector.h"

namespace wharf::pattern_internal {
namespace {

constexpr char AsciiLowerChar(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char AsciiUpperChar(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

void AppendUtf8(utf8proc_int32_t c, std::string* out) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(c, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

// The code point encoded at s[i] and its length in bytes; 0 if the bytes
// there are not UTF-8 (truncated, overlong, surrogate, beyond U+10FFFF).
size_t Decode(std::string_view s, size_t i, utf8proc_int32_t* c) {
  const utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data()) + i,
                       static_cast<utf8proc_ssize_t>(s.size() - i), c);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

// Unicode full case folding of `c` (CaseFolding.txt, statuses C and F): 1 to
// 3 code points written to `out`; returns how many.
int FullCaseFold(utf8proc_int32_t c, utf8proc_int32_t out[4]) {
  int boundclass = UTF8PROC_BOUNDCLASS_START;
  const utf8proc_ssize_t n = utf8proc_decompose_char(c, out, 4, UTF8PROC_CASEFOLD, &boundclass);
  if (n < 1 || n > 4) {
    out[0] = c;
    return 1;
  }
  return static_cast<int>(n);
}

void AppendFoldedCodePoint(utf8proc_int32_t c, std::string* out) {
  // Dotless i: its upper case is I, so it must share I's key.
  if (c == 0x131) {
    out->push_back('i');
    return;
  }
  utf8proc_int32_t fold[4];
  const int n = FullCaseFold(c, fold);
  for (int i = 0; i < n; ++i) AppendUtf8(fold[i], out);
}

}  // namespace

std::vector<std::string> CaseSpellings(char32_t c) {
  const auto cp = static_cast<utf8proc_int32_t>(c);
  std::string lower, upper;
  // Java's toLowerCase(Locale.ROOT) of one character is the simple mapping,
  // except for U+0130, whose unconditional lower case is i + U+0307 (a lone
  // capital sigma has no letter before it, so it is not final: σ).
  if (c == 0x130) {
    lower = "i\xCC\x87";
  } else {
    AppendUtf8(utf8proc_tolower(cp), &lower);
  }
  // toUpperCase applies SpecialCasing.txt's unconditional expansions (ß ->
  // SS, ŉ -> ʼN, ᾳ and ᾼ -> ΑΙ, ﬁ -> FI, ...). These are exactly the
  // characters that are not upper case and whose full case folding has
  // several code points, and each expands to the simple upper case of its
  // folding (tests/pattern/case_fold_test checks this against SpecialCasing
  // for every code point). Otherwise the simple mapping.
  utf8proc_int32_t fold[4];
  const int n = FullCaseFold(cp, fold);
  if (n > 1 && utf8proc_category(cp) != UTF8PROC_CATEGORY_LU) {
    for (int i = 0; i < n; ++i) AppendUtf8(utf8proc_toupper(fold[i]), &upper);
  } else {
    AppendUtf8(utf8proc_toupper(cp), &upper);
  }
  std::vector<std::string> spellings{std::move(lower)};
  if (upper != spellings[0]) spellings.push_back(std::move(upper));
  return spellings;
}

void AppendFoldCase(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out->push_back(AsciiLowerChar(s[i++]));
      continue;
    }
    utf8proc_int32_t c;
    const size_t n = Decode(s, i, &c);
    if (n == 0) {
      out->push_back(s[i++]);
      continue;
    }
    AppendFoldedCodePoint(c, out);
    i += n;
  }
}

std::string FoldCase(std::string_view s) {
  std::string out;
  AppendFoldCase(s, &out);
  return out;
}

void FoldedValue::Set(std::string_view value, bool fold) {
  lower.resize(value.size());
  for (size_t i = 0; i < value.size(); ++i) lower[i] = AsciiLowerChar(value[i]);
  if (!fold) return;
  ascii = std::all_of(value.begin(), value.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  folded.clear();
  if (!ascii) AppendFoldCase(value, &folded);
}

IgnoreCaseString::IgnoreCaseString(std::string_view pattern) {
  AppendFoldCase(pattern, &key_);
  chars_.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size();) {
    const auto offset = static_cast<uint32_t>(spellings_.size());
    const char b = pattern[i];
    if (static_cast<unsigned char>(b) < 0x80) {
      const char lo = AsciiLowerChar(b), up = AsciiUpperChar(b);
      spellings_.push_back(lo);
      if (up != lo) spellings_.push_back(up);
      chars_.push_back(Char{offset, 1, static_cast<uint8_t>(up != lo ? 1 : 0)});
      ++i;
      continue;
    }
    ascii_ = false;
    utf8proc_int32_t c;
    const size_t n = Decode(pattern, i, &c);
    if (n == 0) {  // Not UTF-8: the byte stands for itself.
      spellings_.push_back(b);
      chars_.push_back(Char{offset, 1, 0});
      ++i;
      continue;
    }
    std::vector<std::string> spellings = CaseSpellings(static_cast<char32_t>(c));
    spellings_ += spellings[0];
    if (spellings.size() > 1) spellings_ += spellings[1];
    chars_.push_back(Char{offset, static_cast<uint8_t>(spellings[0].size()),
                          static_cast<uint8_t>(spellings.size() > 1 ? spellings[1].size() : 0)});
    i += n;
  }
  // push_back, not assignment from a literal: g++ 12 at -O3 reports a false
  // -Wrestrict inside std::string::assign here.
  signature_.push_back(ascii_ ? 'a' : 'u');
  if (ascii_) {
    signature_ += key_;
  } else {
    for (const Char& ch : chars_) {
      signature_.push_back(static_cast<char>(ch.first_len));
      signature_.push_back(static_cast<char>(ch.second_len));
    }
    signature_ += spellings_;
  }
}

bool IgnoreCaseString::Matches(std::string_view value) const { return Run(value, Anchor::kWhole); }
bool IgnoreCaseString::IsPrefixOf(std::string_view value) const {
  return Run(value, Anchor::kStart);
}
bool IgnoreCaseString::IsSuffixOf(std::string_view value) const { return Run(value, Anchor::kEnd); }

bool IgnoreCaseString::Run(std::string_view value, Anchor anchor) const {
  // The offsets of `value` reachable after spelling the characters seen so
  // far: forwards from the start, or backwards from the end for kEnd. Since
  // no spelling of a character is a prefix or suffix of its other one, this
  // holds at most one offset; it is bounded by |value| + 1 in any case.
  absl::InlinedVector<size_t, 2> at{anchor == Anchor::kEnd ? value.size() : 0}, next;
  const size_t n = chars_.size();
  for (size_t k = 0; k < n; ++k) {
    const Char& ch = chars_[anchor == Anchor::kEnd ? n - 1 - k : k];
    next.clear();
    for (size_t p : at) {
      for (int second = 0; second < 2; ++second) {
        const size_t len = second ? ch.second_len : ch.first_len;
        if (len == 0) continue;
        const std::string_view spelling(spellings_.data() + ch.offset + (second ? ch.first_len : 0),
                                        len);
        if (anchor == Anchor::kEnd) {
          if (p >= len && value.substr(p - len, len) == spelling) next.push_back(p - len);
        } else if (value.size() - p >= len && value.substr(p, len) == spelling) {
          next.push_back(p + len);
        }
      }
    }
    if (next.empty()) return false;
    if (next.size() > 1) {
      std::sort(next.begin(), next.end());
      next.erase(std::unique(next.begin(), next.end()), next.end());
    }
    at.swap(next);
  }
  if (anchor != Anchor::kWhole) return true;
  return std::find(at.begin(), at.end(), value.size()) != at.end();
}

}  // namespace wharf::pattern_internal
