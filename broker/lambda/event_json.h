// The JSON shapes Lambda speaks: the SQS event a mapping hands a function,
// the typed forms of the SQS, SNS and EventBridge events, the partial batch
// response (batchItemFailures), error documents and the invocation records
// sent to asynchronous invocation destinations. Field names and layouts are
// AWS's (Lambda developer guide: "Using Lambda with Amazon SQS / SNS /
// EventBridge", "Capturing records of Lambda asynchronous invocations").
//
// Parsing is bounded: rapidjson's iterative parser (no recursion on nesting),
// on payloads the service has already limited in size.
//
// Thread safety: functions only; no state.

#ifndef WHARF_BROKER_LAMBDA_EVENT_JSON_H_
#define WHARF_BROKER_LAMBDA_EVENT_JSON_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "broker/base/text.h"
#include "wharf/lambda.h"

namespace wharf::lambda_internal {

// The largest event a mapping hands over (the 6 MB synchronous payload limit)
// and the largest synchronous request and response.
inline constexpr size_t kMaxSyncPayloadBytes = 6 * 1024 * 1024;
// The largest asynchronous invocation payload (1 MB since 2025).
inline constexpr size_t kMaxAsyncPayloadBytes = 1024 * 1024;

// {"Records":[...]} exactly as Lambda sends it.
std::string RenderSqsEvent(const lambda::SqsEvent& event);
// The length of the record's JSON in RenderSqsEvent's output (without the
// separating comma). O(record size).
size_t SqsRecordJsonSize(const lambda::SqsRecord& record);
// A cheap upper bound of SqsRecordJsonSize: O(number of fields).
size_t SqsRecordJsonSizeBound(const lambda::SqsRecord& record);
// The record as FilterCriteria patterns see it: its JSON, with "body" holding
// the parsed body when the body is JSON (so {"body":{"kind":["x"]}} matches)
// and the body string otherwise.
std::string RenderSqsRecordForFilter(const lambda::SqsRecord& record);

// The typed event a JSON payload holds. At most one of the outputs is set,
// by shape: Records[0].eventSource "aws:sqs" or EventSource "aws:sns", or an
// object with "detail-type", "source" and "detail". A payload that is none of
// them (or not JSON) sets none.
void ParseTypedEvent(std::string_view payload, std::unique_ptr<lambda::SqsEvent>* sqs,
                     std::unique_ptr<lambda::SnsEvent>* sns,
                     std::unique_ptr<lambda::EventBridgeEvent>* eventbridge);

// What a ReportBatchItemFailures response means, by AWS's rules: an empty or
// null response, an object without batchItemFailures, and a null or empty
// batchItemFailures all mean success. Invalid JSON, any other top-level
// value, a batchItemFailures that is not an array, or an entry whose
// itemIdentifier is missing, null, empty, not a string or not one of
// `message_ids` fail the whole batch.
struct BatchResponse {
  bool whole_batch_failed = false;
  std::vector<std::string> failed_ids;  // When !whole_batch_failed; may repeat.
};
BatchResponse ParseBatchResponse(std::string_view payload,
                                 const absl::flat_hash_set<std::string_view>& message_ids);

// Appends `s` as a JSON string literal, quotes included.
using base_internal::AppendJsonString;

// True if `text` is one JSON value (with optional surrounding whitespace).
bool IsJson(std::string_view text);

// {"errorMessage":"...","errorType":"..."}
std::string ErrorDocument(std::string_view message, std::string_view type);

// An asynchronous invocation record (destinations).
struct InvocationRecord {
  absl::Time timestamp;
  std::string request_id;
  std::string function_arn;  // Unqualified; ":$LATEST" is appended.
  std::string condition;     // Success, RetriesExhausted or EventAgeExceeded.
  int approximate_invoke_count = 0;
  std::string request_payload;   // JSON.
  bool function_error = false;   // Adds responseContext.functionError "Unhandled".
  bool invoked = true;           // False: no responseContext/responsePayload.
  std::string response_payload;  // Embedded as JSON when it is JSON, else as a string.
};
std::string RenderInvocationRecord(const InvocationRecord& record);

// "2019-11-14T18:16:05.568Z"
std::string FormatIsoMillis(absl::Time t);

}  // namespace wharf::lambda_internal

#endif  // WHARF_BROKER_LAMBDA_EVENT_JSON_H_
