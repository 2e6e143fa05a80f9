#include "broker/wire/xml_writer.h"

#include <cstdint>
#include <string>

namespace wharf::wire {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i] holding an XML 1.0
// character; minus that length for a well-formed sequence of a character XML
// cannot carry (a surrogate, U+FFFE, U+FFFF); 0 for malformed UTF-8.
int ValidXmlSequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = byte(i);
  int n;
  uint32_t cp;
  if (c < 0x80) return 1;  // ASCII controls are handled by the caller.
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (int k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF) return 0;  // Overlong or too large.
  if (cp >= 0xD800 && cp <= 0xDFFF) return -n;  // Surrogate.
  if (cp == 0xFFFE || cp == 0xFFFF) return -n;  // Not XML characters.
  return n;
}

}  // namespace

void AppendXmlEscaped(std::string_view text, std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run that needs no escaping in one go.
    size_t run = i;
    while (run < text.size()) {
      unsigned char c = static_cast<unsigned char>(text[run]);
      if (c >= 0x80 || c < 0x20 || c == '&' || c == '<' || c == '>' || c == '"') break;
      ++run;
    }
    out->append(text.data() + i, run - i);
    i = run;
    if (i >= text.size()) break;
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&':
        out->append("&amp;");
        ++i;
        continue;
      case '<':
        out->append("&lt;");
        ++i;
        continue;
      case '>':
        out->append("&gt;");
        ++i;
        continue;
      case '"':
        out->append("&quot;");
        ++i;
        continue;
      case '\r':
        out->append("&#xD;");
        ++i;
        continue;
      case '\n':
      case '\t':
        out->push_back(static_cast<char>(c));
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out->append(kReplacement);
      ++i;
      continue;
    }
    int n = ValidXmlSequence(text, i);
    if (n > 0) {
      out->append(text.data() + i, n);
      i += n;
    } else {
      out->append(kReplacement);
      i += n < 0 ? -n : 1;
    }
  }
}

void XmlWriter::Declaration() { out_->append("<?xml version=\"1.0\"?>"); }

void XmlWriter::Open(std::string_view name, std::string_view xmlns) {
  out_->push_back('<');
  out_->append(name);
  out_->append(" xmlns=\"");
  AppendXmlEscaped(xmlns, out_);
  out_->append("\">");
}

void XmlWriter::Open(std::string_view name) {
  out_->push_back('<');
  out_->append(name);
  out_->push_back('>');
}

void XmlWriter::Close(std::string_view name) {
  out_->append("</");
  out_->append(name);
  out_->push_back('>');
}

void XmlWriter::Element(std::string_view name, std::string_view text) {
  Open(name);
  AppendXmlEscaped(text, out_);
  Close(name);
}

void XmlWriter::Empty(std::string_view name) {
  out_->push_back('<');
  out_->append(name);
  out_->append("/>");
}

}  // namespace wharf::wire
