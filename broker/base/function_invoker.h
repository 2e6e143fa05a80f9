// wharf::base_internal::FunctionInvoker: how the SNS and EventBridge cores
// reach Lambda functions without knowing the Lambda service (which sits
// beside them in the service layer). The Broker hands both cores the same
// invoker; the Lambda service implements it.
//
// Thread safety: implementations are thread-safe.

#ifndef WHARF_BROKER_BASE_FUNCTION_INVOKER_H_
#define WHARF_BROKER_BASE_FUNCTION_INVOKER_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace wharf::base_internal {

class FunctionInvoker {
 public:
  virtual ~FunctionInvoker() = default;

  // Queues an asynchronous invocation (Lambda's InvocationType Event) of the
  // function `function_arn` with `payload` (JSON), as SNS and EventBridge do:
  // OK once queued; the function runs later, with Lambda's retries and
  // destinations. Never runs the function on the calling thread. Errors:
  // kLambdaResourceNotFound (no such function), kLambdaRequestTooLarge,
  // kLambdaTooManyRequests, kLambdaService (shutting down).
  virtual absl::Status InvokeAsync(std::string_view function_arn, std::string payload) = 0;
};

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_FUNCTION_INVOKER_H_
