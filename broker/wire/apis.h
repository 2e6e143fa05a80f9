// The operation tables of the services the endpoint serves: one per service,
// each mapping every operation's members once for all the protocols the
// service speaks (see operation_table.h):
//
//   SQS          query (XML, flattened lists) and AWS JSON 1.0
//   SNS          query (XML, "member"/"entry" lists and maps)
//   EventBridge  AWS JSON 1.1
//   CloudWatch   query (XML, "member"/"entry" lists and maps), AWS JSON 1.0
//                and Smithy RPC v2 CBOR
//
// Thread safety: the tables are immutable and thread-safe (the services are).

#ifndef WHARF_BROKER_WIRE_APIS_H_
#define WHARF_BROKER_WIRE_APIS_H_

#include <memory>
#include <stop_token>

#include "broker/wire/codec.h"
#include "broker/wire/queue_url_mapper.h"
#include "wharf/cloudwatch.h"
#include "wharf/events.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf::wire {

// SQS (API 2012-11-05). Queue URLs are translated by `urls` both ways; a
// request without QueueUrl posted to a queue's URL ("POST /<account>/<queue>")
// addresses that queue. ReceiveMessage waits without holding a thread and
// ends early when the request's cancel or `shutdown` is stopped. `service`
// and `urls` must outlive the table.
std::shared_ptr<const Api> MakeSqsApi(sqs::Service& service, const QueueUrlMapper& urls,
                                      std::stop_token shutdown = {});

// SNS (API 2010-03-31). A required member that is absent is a ValidationError
// in Coral's wording ("1 validation error detected: Value null at
// 'topicArn' ..."); every other check is the service's. `service` must
// outlive the table.
std::shared_ptr<const Api> MakeSnsApi(sns::Service& service);

// EventBridge (API 2015-10-07): every operation events::Service has. Missing
// required members are ValidationExceptions in Coral's wording, named by
// their path ("targets.2.member.arn"). `service` must outlive the table.
std::shared_ptr<const Api> MakeEventsApi(events::Service& service);

// CloudWatch (API 2010-08-01): metrics (GetMetricStatistics, GetMetricData,
// ListMetrics, PutMetricData) and metric alarms, over the query protocol
// (Debian's boto3 and AWS CLI), AWS JSON 1.0 and RPC v2 CBOR (current SDKs).
// `service` must outlive the table.
std::shared_ptr<const Api> MakeCloudWatchApi(cloudwatch::Service& service);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_APIS_H_
