// QueueUrlMapper: translates queue URLs between the broker's form (from
// BrokerOptions::sqs_url_base, by default https://sqs.<region>.amazonaws.com)
// and the endpoint's own address, so that URLs a client receives point back
// at the endpoint whatever base the broker was opened with. Incoming URLs are
// resolved by their path (/<account>/<queue-name>) whatever their host, as
// SQS treats queue URLs: "localhost" and "127.0.0.1" forms, or the AWS form,
// all reach the same queue.
//
// Thread safety: immutable after construction; thread-safe.

#ifndef WHARF_BROKER_WIRE_QUEUE_URL_MAPPER_H_
#define WHARF_BROKER_WIRE_QUEUE_URL_MAPPER_H_

#include <string>
#include <string_view>

namespace wharf::wire {

class QueueUrlMapper {
 public:
  // Bases without a trailing slash, e.g. "https://sqs.us-east-1.amazonaws.com"
  // and "http://127.0.0.1:4566".
  QueueUrlMapper(std::string broker_base, std::string endpoint_base);

  // A client URL as the broker knows it: scheme://host[:port]/<a>/<q> becomes
  // <broker_base>/<a>/<q>. Anything else is returned unchanged (the service
  // then reports QueueDoesNotExist).
  std::string ToBroker(std::string_view url) const;
  // A broker URL as the client should see it.
  std::string ToClient(std::string_view url) const;
  // The queue URL implied by a request path "/<account>/<queue>" (old
  // query-protocol clients post to the queue URL), or "" if the path is not
  // of that form.
  std::string FromPath(std::string_view path) const;

  const std::string& endpoint_base() const { return endpoint_base_; }

 private:
  std::string broker_base_;
  std::string endpoint_base_;
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_QUEUE_URL_MAPPER_H_
