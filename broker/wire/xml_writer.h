// XmlWriter: appends the small XML documents of AWS query-protocol responses
// to a string. Text is escaped so that it survives an XML parser unchanged:
// '&', '<', '>', '"' as entities and '\r' as "&#xD;" (a parser would
// otherwise turn "\r\n" into "\n" and SQS bodies must round-trip exactly).
// Characters XML 1.0 cannot carry at all (other C0 controls, invalid UTF-8)
// only occur in echoed error text; they become U+FFFD.
//
// Thread safety: not thread-safe; one writer per response.

#ifndef WHARF_BROKER_WIRE_XML_WRITER_H_
#define WHARF_BROKER_WIRE_XML_WRITER_H_

#include <string>
#include <string_view>

namespace wharf::wire {

class XmlWriter {
 public:
  explicit XmlWriter(std::string* out) : out_(out) {}

  // Writes the XML declaration.
  void Declaration();
  // <name xmlns="ns">
  void Open(std::string_view name, std::string_view xmlns);
  // <name>
  void Open(std::string_view name);
  // </name>
  void Close(std::string_view name);
  // <name>escaped text</name>
  void Element(std::string_view name, std::string_view text);
  // <name/>
  void Empty(std::string_view name);

 private:
  std::string* out_;
};

// Appends `text` escaped for XML character data to `out`.
void AppendXmlEscaped(std::string_view text, std::string* out);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_XML_WRITER_H_
