// EventsJsonProtocol: the Amazon EventBridge AWS JSON 1.1 protocol, as every
// SDK speaks it: "POST /", "Content-Type: application/x-amz-json-1.1",
// "X-Amz-Target: AWSEvents.<Operation>", a JSON body with the model's member
// names, answered with a JSON object of the output shape. Timestamps travel as
// epoch seconds (JSON numbers, fractional for sub-second times); requests may
// also give them as RFC 3339 strings.
//
// Errors are {"__type":"<Shape>","message":...} (no namespace prefix, no
// x-amzn-query-error header) with the HTTP status of wharf/errors.h. Decoding
// errors: a body that is not a JSON object, or a member of the wrong type, is
// a SerializationException; a missing required member is a
// ValidationException in AWS's Coral wording ("1 validation error detected:
// Value null at 'name' failed to satisfy constraint: Member must not be
// null"). Everything else (limits, names, patterns) is the service's to check.
//
// Operations: every one events::Service has (buses, PutEvents,
// TestEventPattern, rules, targets, archives, replays, and TagResource,
// UntagResource, ListTagsForResource, whose ARN member is "ResourceARN").
//
// Thread safety: thread-safe (the service is).

#ifndef WHARF_BROKER_WIRE_EVENTS_JSON_PROTOCOL_H_
#define WHARF_BROKER_WIRE_EVENTS_JSON_PROTOCOL_H_

#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "broker/wire/protocol.h"
#include "wharf/events.h"

namespace wharf::wire {

class EventsJsonProtocol : public JsonProtocol {
 public:
  // `service` must outlive this object.
  explicit EventsJsonProtocol(events::Service& service);

  std::string_view target_prefix() const override { return "AWSEvents"; }
  HttpResponse RenderError(const RequestContext& context, const WireError& error) const override;
  HttpResponse Handle(const RequestContext& context, std::string_view operation) const override;

  class Call;  // One request being decoded and answered (in the .cc).

 private:
  using Operation = HttpResponse (EventsJsonProtocol::*)(Call&) const;

  HttpResponse CreateEventBus(Call& call) const;
  HttpResponse DeleteEventBus(Call& call) const;
  HttpResponse DescribeEventBus(Call& call) const;
  HttpResponse ListEventBuses(Call& call) const;
  HttpResponse PutEvents(Call& call) const;
  HttpResponse TestEventPattern(Call& call) const;
  HttpResponse PutRule(Call& call) const;
  HttpResponse DeleteRule(Call& call) const;
  HttpResponse DescribeRule(Call& call) const;
  HttpResponse ListRules(Call& call) const;
  HttpResponse EnableRule(Call& call) const;
  HttpResponse DisableRule(Call& call) const;
  HttpResponse PutTargets(Call& call) const;
  HttpResponse RemoveTargets(Call& call) const;
  HttpResponse ListTargetsByRule(Call& call) const;
  HttpResponse ListRuleNamesByTarget(Call& call) const;
  HttpResponse CreateArchive(Call& call) const;
  HttpResponse UpdateArchive(Call& call) const;
  HttpResponse DescribeArchive(Call& call) const;
  HttpResponse ListArchives(Call& call) const;
  HttpResponse DeleteArchive(Call& call) const;
  HttpResponse StartReplay(Call& call) const;
  HttpResponse DescribeReplay(Call& call) const;
  HttpResponse ListReplays(Call& call) const;
  HttpResponse CancelReplay(Call& call) const;
  HttpResponse TagResource(Call& call) const;
  HttpResponse UntagResource(Call& call) const;
  HttpResponse ListTagsForResource(Call& call) const;

  events::Service& service_;
  absl::flat_hash_map<absl::string_view, Operation> operations_;
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_EVENTS_JSON_PROTOCOL_H_
