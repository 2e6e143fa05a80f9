// HttpTarget: any AWS-compatible endpoint (a wharf-server, AWS, another
// emulator) through AwsClient: SQS over AWS JSON 1.0, SNS over the query
// protocol, EventBridge over AWS JSON 1.1, every request SigV4-signed with
// the credentials of the environment. Each Session owns one keep-alive
// connection.
//
// Thread safety: see target.h.

#ifndef WHARF_BROKER_TOOLS_BENCH_HTTP_TARGET_H_
#define WHARF_BROKER_TOOLS_BENCH_HTTP_TARGET_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "broker/tools/bench/aws_client.h"
#include "broker/tools/bench/target.h"

namespace wharf::bench {

// Errors: InvalidArgument (a URL that is not http:// or https://).
// Credentials and region come from the environment (AwsClientOptions::
// FromEnvironment).
absl::StatusOr<std::unique_ptr<Target>> MakeHttpTarget(std::string_view url);
std::unique_ptr<Target> MakeHttpTarget(AwsClientOptions options);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_HTTP_TARGET_H_
