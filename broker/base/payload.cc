#include "broker/base/payload.h"

#include <utility>

#include "absl/strings/match.h"

namespace wharf::base_internal {

std::string AttributesMd5(const MessageAttributeMap& attributes) {
  if (attributes.empty()) return {};
  AttributeMd5 md5;
  for (const auto& [name, value] : attributes) {  // std::map: ascending byte order.
    if (absl::StartsWith(value.data_type, "Binary")) {
      md5.AddBinary(name, value.data_type, value.binary_value);
    } else {
      md5.AddString(name, value.data_type, value.string_value);
    }
  }
  return md5.HexDigest();
}

std::shared_ptr<const Payload> MakePayload(std::string body, MessageAttributeMap attributes,
                                           const MessageAttributeMap& system_attributes) {
  auto payload = std::make_shared<Payload>();
  payload->md5_of_body = Md5Of(body);
  payload->body = std::move(body);
  auto trace = system_attributes.find("AWSTraceHeader");
  if (attributes.empty() && trace == system_attributes.end()) return payload;
  auto extra = std::make_unique<PayloadAttributes>();
  extra->md5_of_message_attributes = AttributesMd5(attributes);
  extra->message_attributes = std::move(attributes);
  if (trace != system_attributes.end()) {
    extra->aws_trace_header = trace->second.string_value;
    extra->md5_of_message_system_attributes = AttributesMd5(system_attributes);
  }
  payload->attributes = std::move(extra);
  return payload;
}

}  // namespace wharf::base_internal
