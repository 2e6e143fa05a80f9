// File: wharf/lambda.h
//
// wharf::lambda::Service: AWS Lambda's consumer side, in process. A function
// is a C++ handler registered under a name; it is invoked directly (Invoke),
// by SNS subscriptions with protocol "lambda", by EventBridge targets whose
// ARN is the function's, and by event source mappings that poll SQS queues
// and hand it batches of records. Operation names, request and result fields
// mirror the AWS Lambda API (2015-03-31) in snake_case; ranges, defaults and
// error codes are AWS's (see wharf/errors.h, kLambda*).
//
//   wharf::lambda::Service& lambda = broker->lambda();
//   lambda.CreateFunction({.function_name = "orders", .handler =
//       [](const wharf::lambda::Invocation& in) -> absl::StatusOr<std::string> {
//         std::vector<std::string> failed;
//         for (const auto& r : in.sqs()->records)
//           if (!Process(r.body)) failed.push_back(r.message_id);
//         return wharf::lambda::BatchItemFailuresResponse(failed);
//       }});
//   lambda.CreateEventSourceMapping({.event_source_arn = queue_arn,
//                                    .function_name = "orders",
//                                    .function_response_types = {"ReportBatchItemFailures"}});
//
// How functions run. Synchronous Invoke runs the handler on the calling
// thread. Everything else (asynchronous invokes, SNS and EventBridge
// deliveries, event source mappings) runs on the broker's worker pool
// (BrokerOptions::lambda_worker_threads) when the clock is a SystemClock. With
// a ManualClock nothing runs in the background: queued work and pollers run
// when the test calls RunUntilIdle() or advances the clock (on the advancing
// thread, before ManualClock::Advance returns), so a test sends, drains and
// asserts with no sleeps.
//
// Handlers run with no wharf lock held and may call any service of the broker
// (including this one). A handler that returns an error or throws is a
// function error, never a crash; a handler that runs longer than the
// function's timeout (measured on the broker's clock) has timed out: its
// result is discarded and the invocation is a function error, as on AWS.
//
// Thread safety: Service is thread-safe. A handler may run on several threads
// at once (one event source mapping runs up to its concurrency in parallel).

#ifndef WHARF_LAMBDA_H_
#define WHARF_LAMBDA_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wharf/errors.h"
#include "wharf/message.h"

namespace wharf::lambda {

// ---- Events a function receives ---------------------------------------------

// The "attributes" of an SQS event record: the message's system attributes
// as AWS sends them (strings), one field per name, empty when the message has
// none. Every record has ApproximateReceiveCount, SentTimestamp, SenderId and
// ApproximateFirstReceiveTimestamp; FIFO queues add SequenceNumber,
// MessageGroupId and MessageDeduplicationId; AWSTraceHeader when set.
struct SqsRecordAttributes {
  std::string aws_trace_header{};                     // AWSTraceHeader
  std::string approximate_receive_count{};            // ApproximateReceiveCount
  std::string sent_timestamp{};                       // SentTimestamp (epoch ms)
  std::string sequence_number{};                      // SequenceNumber
  std::string message_group_id{};                     // MessageGroupId
  std::string sender_id{};                            // SenderId
  std::string message_deduplication_id{};             // MessageDeduplicationId
  std::string approximate_first_receive_timestamp{};  // ApproximateFirstReceiveTimestamp (epoch ms)
  bool operator==(const SqsRecordAttributes&) const = default;
};

// The SQS event of an event source mapping (AWS "Records" of "aws:sqs").
struct SqsRecord {
  std::string message_id{};  // The itemIdentifier of a batch item failure.
  std::string receipt_handle{};
  std::string body{};
  SqsRecordAttributes attributes{};
  MessageAttributeMap message_attributes{};  // Binary values as raw bytes.
  Md5Hex md5_of_body{};                      // Computed when first read.
  std::string md5_of_message_attributes{};   // Empty (JSON null) when there are none.
  std::string event_source = "aws:sqs";
  std::string event_source_arn{};  // The queue's ARN.
  std::string aws_region{};
};
struct SqsEvent {
  std::vector<SqsRecord> records{};
};

// The SNS event of a "lambda" subscription (AWS "Records[].Sns").
struct SnsMessageAttribute {
  std::string type{};  // "String", "String.Array", "Number" or "Binary".
  std::string value{};
};
struct SnsMessage {
  std::string type = "Notification";
  std::string message_id{};
  std::string sequence_number{};  // FIFO topics only.
  std::string topic_arn{};
  std::optional<std::string> subject{};  // JSON null when absent.
  std::string message{};
  std::string timestamp{};  // ISO 8601, e.g. "2019-01-02T12:45:07.000Z".
  std::string signature_version{};
  std::string signature{};
  std::string signing_cert_url{};
  std::string unsubscribe_url{};
  std::map<std::string, SnsMessageAttribute> message_attributes{};
};
struct SnsRecord {
  std::string event_source = "aws:sns";
  std::string event_version = "1.0";
  std::string event_subscription_arn{};
  SnsMessage sns{};
};
struct SnsEvent {
  std::vector<SnsRecord> records{};
};

// An EventBridge event (a rule target whose ARN is the function's).
struct EventBridgeEvent {
  std::string version{};
  std::string id{};
  std::string detail_type{};
  std::string source{};
  std::string account{};
  std::string time{};
  std::string region{};
  std::vector<std::string> resources{};
  std::string detail{};  // The "detail" object as JSON text.
};

// What a handler receives: the event as the exact JSON AWS would send (for
// handlers that parse JSON) and, when it is one of the three event shapes
// above, the same event as a typed struct. The typed form of a JSON payload
// is parsed on first use; the JSON of a typed event is rendered on first use.
// Valid for the duration of the handler call. Thread safety: its accessors
// may be called from several threads at once.
class Invocation {
 public:
  // An invocation with a JSON payload (Invoke, SNS, EventBridge).
  Invocation(std::string payload, std::string function_arn, std::string request_id,
             absl::Time deadline);
  // An SQS batch of an event source mapping.
  Invocation(SqsEvent event, std::string function_arn, std::string request_id, absl::Time deadline);
  ~Invocation();
  Invocation(const Invocation&) = delete;
  Invocation& operator=(const Invocation&) = delete;

  // The event as JSON text.
  const std::string& payload() const;
  // The typed event, or null when the payload is not of that shape.
  const SqsEvent* sqs() const;
  const SnsEvent* sns() const;
  const EventBridgeEvent* eventbridge() const;

  // arn:aws:lambda:<region>:<account>:function:<name>
  const std::string& function_arn() const { return function_arn_; }
  // A UUID per invocation (retries of an asynchronous invocation keep it).
  const std::string& request_id() const { return request_id_; }
  // When the function times out, on the broker's clock.
  absl::Time deadline() const { return deadline_; }

 private:
  void Parse() const;

  std::string function_arn_;
  std::string request_id_;
  absl::Time deadline_;
  // Lazily filled, each once (std::call_once): the JSON of a typed event, or
  // the typed form of a JSON payload.
  mutable std::once_flag payload_once_;
  mutable std::once_flag parse_once_;
  mutable std::string payload_;
  mutable std::unique_ptr<SqsEvent> sqs_;
  mutable std::unique_ptr<SnsEvent> sns_;
  mutable std::unique_ptr<EventBridgeEvent> eventbridge_;
  bool typed_sqs_ = false;  // Constructed from an SqsEvent.
};

// A function: returns its response (JSON text; empty means null) or an error
// (a function error: the status message becomes the errorMessage). Thrown
// exceptions are caught and are function errors too. For event source
// mappings with ReportBatchItemFailures the response is
// {"batchItemFailures":[{"itemIdentifier":"<messageId>"},...]}.
using Handler = std::function<absl::StatusOr<std::string>(const Invocation& invocation)>;

// {"batchItemFailures":[{"itemIdentifier":"<id>"},...]}; the empty list means
// every record succeeded.
std::string BatchItemFailuresResponse(const std::vector<std::string>& item_identifiers);

// ---- Functions --------------------------------------------------------------

struct CreateFunctionRequest {
  std::string function_name{};  // 1-64 of [A-Za-z0-9_-].
  Handler handler{};            // Required.
  int timeout = 3;              // Seconds, 1-900.
  std::string description{};    // <= 256 characters.
};

struct FunctionConfiguration {
  std::string function_name{};
  std::string function_arn{};
  int timeout = 3;
  std::string description{};
  std::string version = "$LATEST";
  std::string state = "Active";
  absl::Time last_modified{};
};

// `function_name` in requests: a name ("orders"), a function ARN, or a
// partial ARN ("123456789012:function:orders"); an ARN may end in ":$LATEST".
struct GetFunctionConfigurationRequest {
  std::string function_name{};
};

struct UpdateFunctionConfigurationRequest {
  std::string function_name{};
  std::optional<int> timeout{};  // 1-900.
  std::optional<std::string> description{};
};

// Replaces the handler (AWS: new code). Invocations already running finish
// with the old one.
struct UpdateFunctionCodeRequest {
  std::string function_name{};
  Handler handler{};
};

struct DeleteFunctionRequest {
  std::string function_name{};
};

struct ListFunctionsRequest {
  std::string marker{};
  std::optional<int> max_items{};  // 1-10000; default 50.
};
struct ListFunctionsResult {
  std::vector<FunctionConfiguration> functions{};  // By name.
  std::string next_marker{};                       // Empty when there are no more.
};

enum class InvocationType {
  kRequestResponse,  // Synchronous: runs the handler on the calling thread.
  kEvent,            // Asynchronous: queued, retried, then sent to destinations.
  kDryRun,           // Validates the request only.
};

struct InvokeRequest {
  std::string function_name{};
  InvocationType invocation_type = InvocationType::kRequestResponse;
  // JSON; empty means {}. At most 6 MB synchronous, 1 MB asynchronous.
  std::string payload{};
};
struct InvokeResult {
  int status_code = 200;         // 200 RequestResponse, 202 Event, 204 DryRun.
  std::string function_error{};  // "Unhandled" when the function failed.
  // The response, or {"errorMessage":...,"errorType":...} on a function error.
  // Empty for Event and DryRun.
  std::string payload{};
  std::string executed_version{};  // "$LATEST" for RequestResponse.
};

// Where asynchronous invocation records go: an SQS queue, SNS topic,
// EventBridge event bus or Lambda function ARN of this broker (standard
// queues and topics only, as AWS).
struct DestinationConfig {
  std::string on_success{};  // Empty: none.
  std::string on_failure{};  // Empty: none.
};

struct PutFunctionEventInvokeConfigRequest {
  std::string function_name{};
  std::optional<int> maximum_retry_attempts{};        // 0-2; default 2.
  std::optional<int> maximum_event_age_in_seconds{};  // 60-21600; default 21600.
  std::optional<DestinationConfig> destination_config{};
};
struct FunctionEventInvokeConfig {
  std::string function_arn{};  // The function's ARN with ":$LATEST", as AWS writes it.
  int maximum_retry_attempts = 2;
  int maximum_event_age_in_seconds = 21600;
  DestinationConfig destination_config{};
  absl::Time last_modified{};
};
struct GetFunctionEventInvokeConfigRequest {
  std::string function_name{};
};
using DeleteFunctionEventInvokeConfigRequest = GetFunctionEventInvokeConfigRequest;

// ---- Event source mappings (SQS) --------------------------------------------

struct Filter {
  std::string pattern{};  // An EventBridge pattern over the record; <= 4096 characters.

  friend bool operator==(const Filter&, const Filter&) = default;
};
struct FilterCriteria {
  std::vector<Filter> filters{};  // At most 5.

  friend bool operator==(const FilterCriteria&, const FilterCriteria&) = default;
};
struct ScalingConfig {
  std::optional<int> maximum_concurrency{};  // 2-1000.

  friend bool operator==(const ScalingConfig&, const ScalingConfig&) = default;
};

struct CreateEventSourceMappingRequest {
  std::string event_source_arn{};  // An SQS queue ARN of this broker.
  std::string function_name{};
  std::optional<bool> enabled{};  // Default true.
  // 1-10,000 for standard queues (above 10 only with a batching window),
  // 1-10 for FIFO queues; default 10.
  std::optional<int> batch_size{};
  std::optional<int> maximum_batching_window_in_seconds{};  // 0-300; not FIFO; default 0.
  std::optional<FilterCriteria> filter_criteria{};
  std::vector<std::string> function_response_types{};  // [] or ["ReportBatchItemFailures"].
  std::optional<ScalingConfig> scaling_config{};
};

// Unset fields keep their value. An empty FilterCriteria or ScalingConfig
// removes it.
struct UpdateEventSourceMappingRequest {
  std::string uuid{};
  std::optional<std::string> function_name{};
  std::optional<bool> enabled{};
  std::optional<int> batch_size{};
  std::optional<int> maximum_batching_window_in_seconds{};
  std::optional<FilterCriteria> filter_criteria{};
  std::optional<std::vector<std::string>> function_response_types{};
  std::optional<ScalingConfig> scaling_config{};
};

struct EventSourceMappingConfiguration {
  std::string uuid{};
  std::string event_source_mapping_arn{};  // ...:event-source-mapping:<uuid>
  std::string event_source_arn{};
  std::string function_arn{};
  int batch_size = 10;
  int maximum_batching_window_in_seconds = 0;
  std::optional<FilterCriteria> filter_criteria{};
  std::vector<std::string> function_response_types{};
  std::optional<ScalingConfig> scaling_config{};
  // Creating, Enabling, Enabled, Disabling, Disabled, Updating or Deleting.
  std::string state{};
  // "USER_INITIATED" after a user's change, "LAMBDA_INITIATED" when wharf
  // disabled the mapping (its queue or function was deleted).
  std::string state_transition_reason{};
  absl::Time last_modified{};
};

struct GetEventSourceMappingRequest {
  std::string uuid{};
};
using DeleteEventSourceMappingRequest = GetEventSourceMappingRequest;

struct ListEventSourceMappingsRequest {
  std::string event_source_arn{};  // Empty: any.
  std::string function_name{};     // Empty: any.
  std::string marker{};
  std::optional<int> max_items{};  // 1-10000; default 100.
};
struct ListEventSourceMappingsResult {
  std::vector<EventSourceMappingConfiguration> event_source_mappings{};  // By creation.
  std::string next_marker{};
};

// ---- Service ----------------------------------------------------------------

// Errors (wharf::ErrorCode): kLambdaInvalidParameterValue
// (InvalidParameterValueException; also what Create/UpdateEventSourceMapping
// answer for a function or queue that does not exist, as AWS does),
// kLambdaValidation (ValidationException:
// a value outside the API's range or pattern), kLambdaResourceNotFound,
// kLambdaResourceConflict (a function or mapping that exists already),
// kLambdaResourceInUse (a mapping in a transitional state),
// kLambdaRequestTooLarge, kLambdaInvalidRequestContent (a payload that is not
// JSON), kLambdaTooManyRequests (the queue of asynchronous invocations is
// full), kLambdaService (the broker is shutting down).
class Service {
 public:
  virtual ~Service() = default;

  // Functions. DeleteFunction disables the function's event source mappings
  // (state Disabled, reason LAMBDA_INITIATED); queued asynchronous invocations
  // of it are dropped.
  virtual absl::StatusOr<FunctionConfiguration> CreateFunction(CreateFunctionRequest request) = 0;
  virtual absl::StatusOr<FunctionConfiguration> GetFunctionConfiguration(
      const GetFunctionConfigurationRequest& request) = 0;
  virtual absl::StatusOr<FunctionConfiguration> UpdateFunctionConfiguration(
      const UpdateFunctionConfigurationRequest& request) = 0;
  virtual absl::StatusOr<FunctionConfiguration> UpdateFunctionCode(
      UpdateFunctionCodeRequest request) = 0;
  virtual absl::Status DeleteFunction(const DeleteFunctionRequest& request) = 0;
  virtual absl::StatusOr<ListFunctionsResult> ListFunctions(
      const ListFunctionsRequest& request) = 0;

  // RequestResponse blocks while the handler runs. Event returns at once;
  // the invocation is retried twice on a function error (1 minute, then 2
  // minutes later, on the broker's clock, within MaximumEventAgeInSeconds)
  // and its record then goes to the on-failure destination; successes go to
  // the on-success destination.
  virtual absl::StatusOr<InvokeResult> Invoke(const InvokeRequest& request) = 0;

  virtual absl::StatusOr<FunctionEventInvokeConfig> PutFunctionEventInvokeConfig(
      const PutFunctionEventInvokeConfigRequest& request) = 0;
  virtual absl::StatusOr<FunctionEventInvokeConfig> GetFunctionEventInvokeConfig(
      const GetFunctionEventInvokeConfigRequest& request) = 0;
  virtual absl::Status DeleteFunctionEventInvokeConfig(
      const DeleteFunctionEventInvokeConfigRequest& request) = 0;

  // Event source mappings. Create, Update and Delete return the mapping in
  // its transitional state (Creating, Enabling, Disabling, Updating,
  // Deleting; a mapping created with enabled = false is Disabled at once, as
  // on AWS); the transition completes in the background (ManualClock: at
  // the next RunUntilIdle or Advance). Disabling and Deleting last until the
  // batches already handed to the function are finished; polling stops at
  // once and nothing already received is lost.
  virtual absl::StatusOr<EventSourceMappingConfiguration> CreateEventSourceMapping(
      const CreateEventSourceMappingRequest& request) = 0;
  virtual absl::StatusOr<EventSourceMappingConfiguration> UpdateEventSourceMapping(
      const UpdateEventSourceMappingRequest& request) = 0;
  virtual absl::StatusOr<EventSourceMappingConfiguration> DeleteEventSourceMapping(
      const DeleteEventSourceMappingRequest& request) = 0;
  virtual absl::StatusOr<EventSourceMappingConfiguration> GetEventSourceMapping(
      const GetEventSourceMappingRequest& request) = 0;
  virtual absl::StatusOr<ListEventSourceMappingsResult> ListEventSourceMappings(
      const ListEventSourceMappingsRequest& request) = 0;

  // ManualClock only: runs pollers, state transitions and queued invocations
  // on the calling thread until none of them has anything left to do (the
  // queues they poll are empty or their batching windows are open). A handler
  // that keeps feeding its own queue keeps it running. Called from a handler
  // it returns at once (the outer drain continues). Errors:
  // FailedPrecondition (absl code, no AWS code) with any other clock.
  virtual absl::Status RunUntilIdle() = 0;
};

}  // namespace wharf::lambda

#endif  // WHARF_LAMBDA_H_
