#include "broker/pattern/jackson_errors.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "utf8proc.h"

namespace wharf::pattern_internal {
namespace {

// Jackson's _validJsonTokenList() / _validJsonValueList() (non-numeric
// numbers not enabled).
constexpr char kValidValues[] =
    "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

// absl (20220623) takes absl::string_view, which is not std::string_view.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Jackson's MAX_ERROR_TOKEN_LENGTH.
constexpr size_t kMaxErrorTokenLength = 256;

struct CodePoint {
  int32_t value;
  size_t size;  // Bytes.
};

// The code point at text[i], or nullopt if the bytes there are not UTF-8.
std::optional<CodePoint> Decode(std::string_view text, size_t i) {
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                       static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
  if (n <= 0) return std::nullopt;
  return CodePoint{cp, static_cast<size_t>(n)};
}

// Java's Character.isJavaIdentifierStart / isJavaIdentifierPart, by
// Unicode category (Java's tables may be of another Unicode version).
bool IsIdentifierStart(int32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '$' || c == '_';
  }
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_PC:
      return true;
    default:
      return false;
  }
}

bool IsIdentifierPart(int32_t c) {
  if (IsIdentifierStart(c)) return true;
  if (c < 0x80) {
    // Digits, and the controls Java calls identifier-ignorable.
    return (c >= '0' && c <= '9') || (c >= 0x00 && c <= 0x08) || (c >= 0x0e && c <= 0x1b) ||
           c == 0x7f;
  }
  if (c >= 0x80 && c <= 0x9f) return true;
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_CF:
      return true;
    default:
      return false;
  }
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::string Run() {
    // event-ruler (JsonRuleCompiler) reads the first token and requires an
    // object; it reads no further than the object's end.
    std::optional<int32_t> c = SkipSpace();
    if (failed_) return error_;
    if (!c.has_value()) return "Filter is not an object";
    if (*c != '{') {
      if (!ReadValueStart(*c, /*root=*/true)) return error_;
      return "Filter is not an object";
    }
    ++pos_;
    stack_.push_back({/*object=*/true, /*has_entries=*/false});
    while (!stack_.empty()) {
      if (!Step()) return error_;
    }
    return "";
  }

 private:
  struct Context {
    bool object;
    bool has_entries;
  };

  // One Jackson nextToken() inside a container: an optional comma, then a
  // field name and colon (objects), then a value or a close marker.
  bool Step() {
    std::optional<int32_t> c = SkipSpace();
    if (!c.has_value()) return AtEnd();
    Context& ctx = stack_.back();
    if (*c == ']' || *c == '}') {
      if ((*c == '}') != ctx.object) return Unknown();  // Mismatched marker: position text.
      ++pos_;
      stack_.pop_back();
      if (!stack_.empty()) stack_.back().has_entries = true;
      return true;
    }
    if (ctx.has_entries) {
      if (*c != ',') {
        return Unexpected(*c, absl::StrCat("was expecting comma to separate ",
                                           ctx.object ? "Object" : "Array", " entries"));
      }
      ++pos_;
      c = SkipSpace();
      if (!c.has_value()) return AtEnd();
    }
    if (ctx.object) {
      if (*c != '"') return Unexpected(*c, "was expecting double-quote to start field name");
      ++pos_;
      if (!ReadString("name")) return false;
      c = SkipSpace();
      if (!c.has_value()) return AtEnd();
      if (*c != ':')
        return Unexpected(*c, "was expecting a colon to separate field name and value");
      ++pos_;
      c = SkipSpace();
      if (!c.has_value()) return AtEnd();
    }
    return ReadValueStart(*c, /*root=*/false);
  }

  // Reads a value starting with `c` at pos_ (a container only opens).
  bool ReadValueStart(int32_t c, bool root) {
    switch (c) {
      case '{':
      case '[':
        ++pos_;
        if (!root) {
          stack_.back().has_entries = true;
          stack_.push_back({c == '{', false});
        }
        return true;
      case '"':
        ++pos_;
        if (root) return true;  // Jackson reads a string's text lazily.
        if (!ReadString("string value")) return false;
        stack_.back().has_entries = true;
        return true;
      case 't':
        return MatchToken("true", root);
      case 'f':
        return MatchToken("false", root);
      case 'n':
        return MatchToken("null", root);
      case '}':
        // At the root: Jackson's mismatched-marker text, with a position.
        if (root) return Unknown();
        return Unexpected(c, "expected a value");
      case ']':
        if (root) return Unknown();
        break;
      case 'N':
        return MatchNonStandard("NaN");
      case 'I':
        return MatchNonStandard("Infinity");
      default:
        break;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      if (!ReadNumber(root)) return false;
      if (!root) stack_.back().has_entries = true;
      return true;
    }
    if (c == '+') return Unknown();
    if (IsIdentifierStart(c)) return InvalidToken("");
    return Unexpected(c, absl::StrCat("expected a valid value ", kValidValues));
  }

  // Jackson's _matchToken: the token, not followed by an identifier part.
  // False, with the error set, when the text is not that.
  bool ConsumeToken(std::string_view token) {
    for (size_t i = 0; i < token.size(); ++i) {
      if (pos_ >= text_.size() || text_[pos_] != token[i]) return InvalidToken(token.substr(0, i));
      ++pos_;
    }
    std::optional<CodePoint> next = pos_ < text_.size() ? Decode(text_, pos_) : std::nullopt;
    if (next.has_value() && next->value >= '0' && IsIdentifierPart(next->value)) {
      return InvalidToken(token);
    }
    return true;
  }

  bool MatchToken(std::string_view token, bool root) {
    if (!ConsumeToken(token)) return false;
    if (!root) stack_.back().has_entries = true;
    return true;
  }

  bool MatchNonStandard(std::string_view token) {
    if (!ConsumeToken(token)) return false;
    return Fail(absl::StrCat("Non-standard token '", AV(token),
                             "': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow"));
  }

  // Jackson's _reportInvalidToken: the matched part and the identifier
  // characters after it.
  bool InvalidToken(std::string_view matched) {
    std::string token(matched);
    size_t length = matched.size();  // In UTF-16 units, as Java counts.
    while (pos_ < text_.size()) {
      std::optional<CodePoint> c = Decode(text_, pos_);
      if (!c.has_value()) return AtEnd();
      if (!IsIdentifierPart(c->value)) break;
      if (c->value > 0xffff) return Unknown();  // Java reads it as two chars.
      token.append(text_.substr(pos_, c->size));
      pos_ += c->size;
      if (++length >= kMaxErrorTokenLength) {
        token += "...";
        break;
      }
    }
    return Fail(absl::StrCat("Unrecognized token '", token, "': was expecting ", kValidValues));
  }

  // After the opening quote. `what`: "name" or "string value".
  bool ReadString(std::string_view what) {
    while (true) {
      if (pos_ >= text_.size()) return Unknown();
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        return Fail(absl::StrCat("Illegal unquoted character (", CharDescription(c),
                                 "): has to be escaped using backslash to be included in ",
                                 AV(what)));
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) return Unknown();
      std::optional<CodePoint> e = Decode(text_, pos_);
      if (!e.has_value() || e->value > 0xffff) return Unknown();
      pos_ += e->size;
      switch (e->value) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          continue;
        case 'u':
          for (int i = 0; i < 4; ++i) {
            if (pos_ >= text_.size()) return Unknown();
            std::optional<CodePoint> h = Decode(text_, pos_);
            if (!h.has_value() || h->value > 0xffff) return Unknown();
            const int32_t v = h->value;
            if (!((v >= '0' && v <= '9') || (v >= 'a' && v <= 'f') || (v >= 'A' && v <= 'F'))) {
              return Unexpected(v, "expected a hex-digit for character escape sequence");
            }
            pos_ += h->size;
          }
          continue;
        default:
          return Fail(absl::StrCat("Unrecognized character escape ", CharDescription(e->value)));
      }
    }
  }

  // A number in JSON's grammar; anything else (Jackson's number messages
  // name the position in the number) is left to the caller's parser.
  bool ReadNumber(bool root) {
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    const size_t int_start = pos_;
    const size_t int_digits = digits();
    if (int_digits == 0 || (int_digits > 1 && text_[int_start] == '0')) return Unknown();
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Unknown();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Unknown();
    }
    if (pos_ < text_.size()) {
      const char next = text_[pos_];
      const bool ends = next == ' ' || next == '\t' || next == '\n' || next == '\r' ||
                        (!root && (next == ',' || next == ']' || next == '}'));
      if (!ends) return Unknown();
    }
    return true;
  }

  // Jackson's _skipWSOrEnd: the next character after white space (nullopt
  // at the end or on error, with failed_ set on error).
  std::optional<int32_t> SkipSpace() {
    while (pos_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
        continue;
      }
      if (c < 0x20) {
        Fail(absl::StrCat("Illegal character (", CharDescription(c),
                          "): only regular white space (\\r, \\n, \\t) is allowed between tokens"));
        return std::nullopt;
      }
      if (c == '/') {
        Unexpected('/',
                   "maybe a (non-standard) comment? (not recognized as one since Feature "
                   "'ALLOW_COMMENTS' not enabled for parser)");
        return std::nullopt;
      }
      std::optional<CodePoint> cp = Decode(text_, pos_);
      if (!cp.has_value() || cp->value > 0xffff) {
        Unknown();
        return std::nullopt;
      }
      return cp->value;
    }
    return std::nullopt;
  }

  // Jackson's _getCharDesc.
  static std::string CharDescription(int32_t c) {
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return absl::StrCat("(CTRL-CHAR, code ", c, ")");
    std::string utf8(4, '\0');
    utf8.resize(static_cast<size_t>(
        utf8proc_encode_char(c, reinterpret_cast<utf8proc_uint8_t*>(utf8.data()))));
    if (c > 255) {
      return absl::StrCat("'", utf8, "' (code ", c, " / 0x", absl::Hex(c), ")");
    }
    return absl::StrCat("'", utf8, "' (code ", c, ")");
  }

  bool Unexpected(int32_t c, std::string_view comment) {
    return Fail(absl::StrCat("Unexpected character (", CharDescription(c), "): ", AV(comment)));
  }

  bool Fail(std::string message) {
    failed_ = true;
    error_ = std::move(message);
    return false;
  }

  // An error whose Jackson text is not reproduced.
  bool Unknown() { return Fail(""); }

  // The end of the text, or an error SkipSpace reported.
  bool AtEnd() { return failed_ ? false : Unknown(); }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<Context> stack_;
  bool failed_ = false;
  std::string error_;
};

}  // namespace

std::string JacksonSyntaxError(std::string_view json) { return Scanner(json).Run(); }

}  // namespace wharf::pattern_internal
