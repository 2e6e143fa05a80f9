// SqsJsonProtocol: the SQS AWS JSON 1.0 protocol, as spoken by current SDKs
// (botocore since 2024, AWS SDK for JavaScript v3, Java v2, Go v2):
// "POST /", "Content-Type: application/x-amz-json-1.0",
// "X-Amz-Target: AmazonSQS.<Operation>", a JSON body with the model's member
// names (blobs in base64), answered with a JSON object of the output shape.
// Errors are {"__type":"com.amazonaws.sqs#<Shape>","message":...} plus the
// awsQuery-compatible header "x-amzn-query-error: <QueryCode>;Sender", from
// which SDKs take the error code. A body that is not a JSON object, or a
// member of the wrong type, is a SerializationException.
//
// Thread safety: thread-safe (the service is).

#ifndef WHARF_BROKER_WIRE_SQS_JSON_PROTOCOL_H_
#define WHARF_BROKER_WIRE_SQS_JSON_PROTOCOL_H_

#include <stop_token>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "broker/wire/protocol.h"
#include "broker/wire/queue_url_mapper.h"
#include "wharf/sqs.h"

namespace wharf::wire {

class SqsJsonProtocol : public JsonProtocol {
 public:
  // `service` and `urls` must outlive this object.
  // `shutdown` ends long polls in progress when a stop is requested on it.
  SqsJsonProtocol(sqs::Service& service, const QueueUrlMapper& urls, std::stop_token shutdown = {});

  std::string_view target_prefix() const override { return "AmazonSQS"; }
  HttpResponse RenderError(const RequestContext& context, const WireError& error) const override;
  HttpResponse Handle(const RequestContext& context, std::string_view operation) const override;

  class Call;  // One request being decoded and answered (in the .cc).

 private:
  using Operation = HttpResponse (SqsJsonProtocol::*)(Call&) const;

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

#endif  // WHARF_BROKER_WIRE_SQS_JSON_PROTOCOL_H_
