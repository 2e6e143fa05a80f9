// SqsQueryProtocol: the SQS query protocol (API 2012-11-05), as spoken by
// older SDKs (boto3 before 2024, AWS CLI v2.9, aws-sdk-js v2): a form with
// "Action=<Operation>", lists and maps flattened into numbered keys
// ("MessageAttribute.1.Value.StringValue"), answered with XML in the
// namespace http://queue.amazonaws.com/doc/2012-11-05/ and errors as
// <ErrorResponse> with the query error code.
//
// Each operation decodes the form into the request struct of wharf/sqs.h,
// calls sqs::Service, and encodes the result. Queue URLs are translated by
// the QueueUrlMapper both ways. A request without QueueUrl that was posted to
// a queue's URL ("POST /<account>/<queue>") addresses that queue.
//
// Thread safety: thread-safe (the service is).

#ifndef WHARF_BROKER_WIRE_SQS_QUERY_PROTOCOL_H_
#define WHARF_BROKER_WIRE_SQS_QUERY_PROTOCOL_H_

#include <stop_token>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "broker/wire/protocol.h"
#include "broker/wire/queue_url_mapper.h"
#include "wharf/sqs.h"

namespace wharf::wire {

inline constexpr std::string_view kSqsXmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

class SqsQueryProtocol : public QueryProtocol {
 public:
  // `service` and `urls` must outlive this object.
  // `shutdown` ends long polls in progress when a stop is requested on it.
  SqsQueryProtocol(sqs::Service& service, const QueueUrlMapper& urls,
                   std::stop_token shutdown = {});

  std::string_view signing_name() const override { return "sqs"; }
  bool HasAction(std::string_view action) const override;
  HttpResponse RenderError(const RequestContext& context, const WireError& error) const override;
  HttpResponse Handle(const RequestContext& context, std::string_view action,
                      const FormParams& params) const override;

  class Call;  // One request being decoded and answered (in the .cc).

 private:
  using Operation = HttpResponse (SqsQueryProtocol::*)(Call&) const;

  HttpResponse CreateQueue(Call& call) const;
  HttpResponse DeleteQueue(Call& call) const;
  HttpResponse ListQueues(Call& call) const;
  HttpResponse GetQueueUrl(Call& call) const;
  HttpResponse GetQueueAttributes(Call& call) const;
  HttpResponse SetQueueAttributes(Call& call) const;
  HttpResponse PurgeQueue(Call& call) const;
  HttpResponse TagQueue(Call& call) const;
  HttpResponse UntagQueue(Call& call) const;
  HttpResponse ListQueueTags(Call& call) const;
  HttpResponse ListDeadLetterSourceQueues(Call& call) const;
  HttpResponse AddPermission(Call& call) const;
  HttpResponse RemovePermission(Call& call) const;
  HttpResponse SendMessage(Call& call) const;
  HttpResponse SendMessageBatch(Call& call) const;
  HttpResponse ReceiveMessage(Call& call) const;
  HttpResponse DeleteMessage(Call& call) const;
  HttpResponse DeleteMessageBatch(Call& call) const;
  HttpResponse ChangeMessageVisibility(Call& call) const;
  HttpResponse ChangeMessageVisibilityBatch(Call& call) const;
  HttpResponse StartMessageMoveTask(Call& call) const;
  HttpResponse ListMessageMoveTasks(Call& call) const;
  HttpResponse CancelMessageMoveTask(Call& call) const;

  sqs::Service& service_;
  const QueueUrlMapper& urls_;
  const std::stop_token shutdown_;
  absl::flat_hash_map<absl::string_view, Operation> operations_;
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_SQS_QUERY_PROTOCOL_H_
