// SnsQueryProtocol: the SNS query protocol (API 2010-03-31), the only wire
// protocol SNS speaks: a form with "Action=<Operation>", maps flattened as
// "Attributes.entry.N.key" / ".value" (message attributes as
// "MessageAttributes.entry.N.Name" / ".Value.DataType|StringValue|
// BinaryValue") and lists as "Tags.member.N.Key", answered with XML in the
// namespace http://sns.amazonaws.com/doc/2010-03-31/ and errors as
// <ErrorResponse> with the SNS query error code (NotFound, InvalidParameter,
// ParameterValueInvalid, ...).
//
// Each operation decodes the form into the request struct of wharf/sns.h,
// calls sns::Service, and encodes the result. A required parameter that is
// absent is a ValidationError ("1 validation error detected: Value null at
// 'topicArn' ..."); every other check is the service's.
//
// Thread safety: thread-safe (the service is).

#ifndef WHARF_BROKER_WIRE_SNS_QUERY_PROTOCOL_H_
#define WHARF_BROKER_WIRE_SNS_QUERY_PROTOCOL_H_

#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "broker/wire/protocol.h"
#include "wharf/sns.h"

namespace wharf::wire {

inline constexpr std::string_view kSnsXmlNamespace = "http://sns.amazonaws.com/doc/2010-03-31/";

class SnsQueryProtocol : public QueryProtocol {
 public:
  // `service` must outlive this object.
  explicit SnsQueryProtocol(sns::Service& service);

  std::string_view signing_name() const override { return "sns"; }
  bool HasAction(std::string_view action) const override;
  HttpResponse RenderError(const RequestContext& context, const WireError& error) const override;
  HttpResponse Handle(const RequestContext& context, std::string_view action,
                      const FormParams& params) const override;

  class Call;  // One request being decoded and answered (in the .cc).

 private:
  using Operation = HttpResponse (SnsQueryProtocol::*)(Call&) const;

  HttpResponse CreateTopic(Call& call) const;
  HttpResponse DeleteTopic(Call& call) const;
  HttpResponse ListTopics(Call& call) const;
  HttpResponse GetTopicAttributes(Call& call) const;
  HttpResponse SetTopicAttributes(Call& call) const;
  HttpResponse AddPermission(Call& call) const;
  HttpResponse RemovePermission(Call& call) const;
  HttpResponse Subscribe(Call& call) const;
  HttpResponse ConfirmSubscription(Call& call) const;
  HttpResponse Unsubscribe(Call& call) const;
  HttpResponse ListSubscriptions(Call& call) const;
  HttpResponse ListSubscriptionsByTopic(Call& call) const;
  HttpResponse GetSubscriptionAttributes(Call& call) const;
  HttpResponse SetSubscriptionAttributes(Call& call) const;
  HttpResponse Publish(Call& call) const;
  HttpResponse PublishBatch(Call& call) const;
  HttpResponse TagResource(Call& call) const;
  HttpResponse UntagResource(Call& call) const;
  HttpResponse ListTagsForResource(Call& call) const;

  sns::Service& service_;
  absl::flat_hash_map<absl::string_view, Operation> operations_;
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_SNS_QUERY_PROTOCOL_H_
