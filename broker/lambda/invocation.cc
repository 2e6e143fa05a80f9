// lambda::Invocation (wharf/lambda.h): the event a handler receives, as JSON
// and as a typed struct, each made from the other on first use.

#include <string>
#include <utility>

#include "broker/lambda/event_json.h"
#include "wharf/lambda.h"

namespace wharf::lambda {

Invocation::Invocation(std::string payload, std::string function_arn, std::string request_id,
                       absl::Time deadline)
    : function_arn_(std::move(function_arn)),
      request_id_(std::move(request_id)),
      deadline_(deadline),
      payload_(std::move(payload)) {}

Invocation::Invocation(SqsEvent event, std::string function_arn, std::string request_id,
                       absl::Time deadline)
    : function_arn_(std::move(function_arn)),
      request_id_(std::move(request_id)),
      deadline_(deadline),
      sqs_(std::make_unique<SqsEvent>(std::move(event))),
      typed_sqs_(true) {}

Invocation::~Invocation() = default;

const std::string& Invocation::payload() const {
  if (typed_sqs_) {
    std::call_once(payload_once_, [this] { payload_ = lambda_internal::RenderSqsEvent(*sqs_); });
  }
  return payload_;
}

void Invocation::Parse() const {
  if (typed_sqs_) return;
  std::call_once(parse_once_, [this] {
    lambda_internal::ParseTypedEvent(payload_, &sqs_, &sns_, &eventbridge_);
  });
}

const SqsEvent* Invocation::sqs() const {
  Parse();
  return sqs_.get();
}

const SnsEvent* Invocation::sns() const {
  Parse();
  return sns_.get();
}

const EventBridgeEvent* Invocation::eventbridge() const {
  Parse();
  return eventbridge_.get();
}

std::string BatchItemFailuresResponse(const std::vector<std::string>& item_identifiers) {
  std::string out = "{\"batchItemFailures\":[";
  bool first = true;
  for (const std::string& id : item_identifiers) {
    if (!first) out += ',';
    first = false;
    out += "{\"itemIdentifier\":";
    lambda_internal::AppendJsonString(&out, id);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace wharf::lambda
