#include "broker/wire/xml_writer.h"

#include <cstdint>
#include <string>

#include "broker/base/text.h"

namespace wharf::wire {
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

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
    uint32_t code_point;
    int n = base_internal::DecodeUtf8(text, i, &code_point);
    if (n > 0 && base_internal::IsXmlChar(code_point)) {
      out->append(text.data() + i, n);
    } else {
      out->append(kReplacement);
    }
    i += n > 0 ? n : 1;
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
