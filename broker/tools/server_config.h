// The wharf-server configuration file: queues, topics, subscriptions, event
// buses, rules and credentials to create at start-up. Line-based: one
// directive per line, words separated by blanks, '#' starts a comment, a word
// may be double-quoted (with \" and \\ escapes) to hold blanks:
//
//   # queues are created in file order (a dead-letter queue before its users)
//   queue orders-dlq
//   queue orders VisibilityTimeout=60 RedrivePolicy="{\"deadLetterTargetArn\":
//       \"arn:aws:sqs:us-east-1:000000000000:orders-dlq\",\"maxReceiveCount\":3}"
//   queue events.fifo FifoQueue=true ContentBasedDeduplication=true tag:team=core
//   credential AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//   bus orders-bus description="all orders" tag:team=core
//   rule orders-bus placed pattern="{\"detail-type\":[\"OrderPlaced\"]}"
//       target=arn:aws:sqs:us-east-1:000000000000:orders
//   topic order-events DisplayName=Orders tag:team=core
//   subscription order-events sqs orders RawMessageDelivery=true
//       FilterPolicy="{\"kind\":[\"placed\"]}"
//
// (one line each; the RedrivePolicy, rule and subscription above are wrapped
// here only for reading). Directives:
//   queue <name> [<Attribute>=<value> | tag:<key>=<value>]...
//   credential <access-key-id> <secret>       (used with --verify-signatures)
//   bus <name> [description=<text>] [tag:<key>=<value>]...
//   rule <bus> <name> [pattern=<json>] [schedule=<expression>] [state=DISABLED]
//       [description=<text>] [target=<arn> | target:<id>=<arn>]...
//   topic <name> [<Attribute>=<value> | tag:<key>=<value>]...
//   subscription <topic> <protocol> <endpoint> [<Attribute>=<value>]...
//       (<topic>, and the endpoint of protocol sqs, by name or ARN)
// A rule needs a pattern or a schedule (schedules only on bus "default");
// target=<arn> targets get the ids t1, t2, ... in line order. Resources are
// created in file order: a queue or bus before the rules that use it, a
// topic and queue before their subscriptions.
//
// Each directive is an operation of the service's operation table (CreateQueue,
// CreateEventBus, PutRule and PutTargets, CreateTopic, Subscribe), run in
// process with the members the directive names, so it is decoded and checked
// exactly as the same request on the wire (JSON values bounded in depth).
//
// Thread safety: ApplyConfig is thread-compatible (one call at a time per
// broker).

#ifndef WHARF_BROKER_TOOLS_SERVER_CONFIG_H_
#define WHARF_BROKER_TOOLS_SERVER_CONFIG_H_

#include <istream>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "wharf/broker.h"

namespace wharf::tools {

// Applies the directives read from `in` to `broker`, adding credentials to
// `*credentials`. Stops at the first failing line: InvalidArgument
// "<source>:<line>: <directive> <name>: <AWS message>".
absl::Status ApplyConfig(std::istream& in, std::string_view source, Broker& broker,
                         std::map<std::string, std::string>* credentials);

}  // namespace wharf::tools

#endif  // WHARF_BROKER_TOOLS_SERVER_CONFIG_H_
