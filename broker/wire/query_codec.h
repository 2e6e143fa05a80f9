// The AWS query protocol (SQS 2012-11-05, SNS 2010-03-31): a form with
// "Action=<Operation>" (body or query string), lists and maps flattened into
// numbered keys, answered in XML:
//
//   members          "QueueName=jobs"
//   lists            "AttributeName.1=All"         (ServiceModel::xml_flattened)
//                    "TagKeys.member.1=team"       (otherwise)
//   maps             "Attribute.1.Name=..&Attribute.1.Value=.."  (flattened)
//                    "Attributes.entry.1.key=..&Attributes.entry.1.value=.."
//   structures       "<prefix>.<member>", elements "<list>.<N>." likewise
//   result           <ActionResponse xmlns=..><ActionResult>..</ActionResult>
//                    <ResponseMetadata><RequestId>..</RequestId>..
//                    (no ActionResult for an operation without one)
//   errors           <ErrorResponse xmlns=..><Error><Type>Sender</Type>
//                    <Code>..</Code><Message>..</Message><Detail/></Error>
//                    <RequestId>..</RequestId></ErrorResponse>
//
// XML text is escaped by XmlWriter (what XML cannot carry becomes U+FFFD).
//
// Thread safety: the functions are thread-safe.

#ifndef WHARF_BROKER_WIRE_QUERY_CODEC_H_
#define WHARF_BROKER_WIRE_QUERY_CODEC_H_

#include <string>
#include <string_view>

#include "broker/wire/codec.h"
#include "broker/wire/form.h"
#include "broker/wire/http_types.h"

namespace wharf::wire {

// Runs `action` (which api Has) with the decoded `form` of `request`.
void ServeQuery(const Api& api, HttpRequest request, std::string_view request_id, FormParams form,
                std::string action, Respond respond);

// An error in the query protocol, for requests no operation took.
HttpResponse RenderQueryError(const ServiceModel& model, std::string_view request_id,
                              const WireError& error);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_QUERY_CODEC_H_
