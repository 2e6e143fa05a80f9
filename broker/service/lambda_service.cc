// LambdaService (lambda_service.h): construction, names and ARNs, functions and
// invocation, destinations of asynchronous records, metrics and draining.
// Thread-safe; no lock of the service is held while a handler runs.
#include "broker/service/lambda_service.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/base/ids.h"
#include "broker/lambda/event_json.h"
#include "broker/service/lambda_checks.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf::service_internal {

using lambda_checks::Av;
using lambda_checks::InvalidParameter;
using lambda_checks::IsDestinationArn;
using lambda_checks::IsFunctionName;
using lambda_checks::kDefaultListFunctions;
using lambda_checks::kMaxDescriptionLength;
using lambda_checks::kMaxEventAge;
using lambda_checks::kMaxListItems;
using lambda_checks::kMaxRetryAttempts;
using lambda_checks::kMaxTimeout;
using lambda_checks::kMinEventAge;
using lambda_checks::kMinTimeout;
using lambda_checks::kReportBatchItemFailures;
using lambda_checks::NotFound;
using lambda_checks::Range;
using lambda_checks::Validation;
using lambda_internal::EventSourceMapping;
using lambda_internal::Function;
using lambda_internal::MappingSettings;
using lambda_internal::MappingState;
using lambda_internal::MappingView;

// ---- Destinations of asynchronous invocation records ------------------------

class LambdaService::RecordDestinations final : public lambda_internal::Destinations {
 public:
  explicit RecordDestinations(LambdaService* service) : service_(service) {}

  void Connect(sns::Service* sns, events::Service* events) {
    MutexLock lock(&mu_);
    sns_ = sns;
    events_ = events;
  }

  absl::Status Send(std::string_view destination_arn, std::string_view function_arn,
                    const std::string& record, bool success) override {
    std::vector<std::string> parts = absl::StrSplit(Av(destination_arn), ':');
    if (parts.size() < 6) return InvalidParameter("Invalid destination ARN.");
    const std::string& kind = parts[2];
    if (kind == "sqs") {
      sqs::GetQueueUrlRequest lookup;
      lookup.queue_name = parts[5];
      lookup.queue_owner_aws_account_id = parts[4];
      auto url = service_->options_.sqs->GetQueueUrl(lookup);
      if (!url.ok()) return url.status();
      sqs::SendMessageRequest send;
      send.queue_url = url->queue_url;
      send.message_body = record;
      return service_->options_.sqs->SendMessage(send).status();
    }
    if (kind == "lambda") {
      return service_->InvokeAsync(destination_arn, record);
    }
    sns::Service* sns;
    events::Service* events;
    {
      MutexLock lock(&mu_);
      sns = sns_;
      events = events_;
    }
    if (kind == "sns" && sns != nullptr) {
      sns::PublishRequest publish;
      publish.topic_arn = std::string(destination_arn);
      publish.message = record;
      return sns->Publish(publish).status();
    }
    if (kind == "events" && events != nullptr) {
      events::PutEventsRequestEntry entry;
      entry.source = "lambda";
      entry.detail_type = success ? "Lambda Function Invocation Result - Success"
                                  : "Lambda Function Invocation Result - Failure";
      entry.detail = record;
      entry.event_bus_name = std::string(destination_arn);
      entry.resources = {std::string(destination_arn), absl::StrCat(Av(function_arn), ":$LATEST")};
      auto put = events->PutEvents({.entries = {entry}, .endpoint_id = ""});
      if (!put.ok()) return put.status();
      if (put->failed_entry_count > 0) {
        return absl::UnavailableError(put->entries[0].error_message);
      }
      return absl::OkStatus();
    }
    return NotFound(absl::StrCat("Destination ", Av(destination_arn), " is not reachable."));
  }

 private:
  LambdaService* const service_;
  Mutex mu_;
  sns::Service* sns_ ABSL_GUARDED_BY(mu_) = nullptr;
  events::Service* events_ ABSL_GUARDED_BY(mu_) = nullptr;
};

// ---- Construction -------------------------------------------------------------

LambdaService::LambdaService(const Options& options)
    : options_(options), manual_clock_(dynamic_cast<ManualClock*>(options.clock)) {
  if (manual_clock_ != nullptr) {
    auto manual = std::make_shared<ManualExecutor>();
    manual_executor_ = manual.get();
    executor_ = std::move(manual);
  } else {
    executor_ = std::make_shared<ThreadPool>(options.worker_threads);
  }
  destinations_ = std::make_unique<RecordDestinations>(this);
  functions_ =
      lambda_internal::FunctionRegistry::Create({.clock = options.clock,
                                                 .scheduler = options.scheduler,
                                                 .executor = executor_,
                                                 .destinations = destinations_.get(),
                                                 .max_pending_async = options.max_pending_async});
  // Registered after the Scheduler's listener (the scheduler is created
  // first), so retries that fall due in an Advance run in the same Advance.
  if (manual_clock_ != nullptr)
    listener_id_ = manual_clock_->AddAdvanceListener([this] { Drain(); });
}

LambdaService::~LambdaService() { Shutdown(); }

void LambdaService::Connect(sns::Service* sns, events::Service* events) {
  destinations_->Connect(sns, events);
}

void LambdaService::Shutdown() {
  std::vector<std::shared_ptr<EventSourceMapping>> mappings;
  {
    MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [uuid, mapping] : mappings_) mappings.push_back(mapping);
  }
  // After this no Advance drains: the listener is not running and will not run.
  if (manual_clock_ != nullptr) manual_clock_->RemoveAdvanceListener(listener_id_);
  for (auto& mapping : mappings) mapping->Shutdown();
  if (manual_executor_ != nullptr) {
    manual_executor_->Shutdown();
  } else {
    static_cast<ThreadPool*>(executor_.get())->Shutdown();
  }
}

// ---- Names and ARNs -------------------------------------------------------------

// The functionName constraint AWS names for a malformed name (LocalStack's
// test_function_arns snapshot).
constexpr char kFunctionNamePattern[] =
    "Member must satisfy regular expression pattern: "
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
    "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";

std::string LambdaService::FunctionArn(std::string_view name) const {
  return absl::StrCat("arn:aws:lambda:", options_.region, ":", options_.account_id,
                      ":function:", Av(name));
}

absl::StatusOr<std::string> LambdaService::ResolveFunctionName(std::string_view param) const {
  if (param.empty()) {
    return MakeError(ErrorCode::kLambdaValidation,
                     "1 validation error detected: Value null at 'functionName' failed to "
                     "satisfy constraint: Member must not be null");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(Av(param), ':');
  absl::string_view name;
  absl::string_view qualifier;
  absl::string_view region = options_.region;
  absl::string_view account = options_.account_id;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() >= 7 && parts.size() <= 8 && parts[0] == "arn" && parts[2] == "lambda" &&
             parts[5] == "function") {
    region = parts[3];
    account = parts[4];
    name = parts[6];
    if (parts.size() == 8) qualifier = parts[7];
  } else if (parts.size() >= 3 && parts.size() <= 4 && parts[1] == "function") {
    account = parts[0];
    name = parts[2];
    if (parts.size() == 4) qualifier = parts[3];
  } else {
    return Validation(param, "functionName", kFunctionNamePattern);
  }
  if (!IsFunctionName(std::string_view(name.data(), name.size()))) {
    return Validation(param, "functionName",
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have "
                      "length less than or equal to 64");
  }
  if (region != options_.region) {
    // AWS's text (LocalStack's test_function_arns snapshot).
    return NotFound(absl::StrCat("Functions from '", region,
                                 "' are not reachable in this region ('", options_.region, "')"));
  }
  if (account != options_.account_id || (!qualifier.empty() && qualifier != "$LATEST")) {
    return NotFound(absl::StrCat("Function not found: ", Av(param)));
  }
  return std::string(name);
}

absl::StatusOr<std::shared_ptr<const Function>> LambdaService::FindFunction(
    std::string_view param) const {
  absl::StatusOr<std::string> name = ResolveFunctionName(param);
  if (!name.ok()) return name.status();
  std::shared_ptr<const Function> function = functions_->Find(*name);
  if (function == nullptr)
    return NotFound(absl::StrCat("Function not found: ", FunctionArn(*name)));
  return function;
}

absl::StatusOr<LambdaService::QueueInfo> LambdaService::ResolveQueue(const std::string& arn) const {
  std::vector<std::string> parts = absl::StrSplit(arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5].empty()) {
    // Our text (wharf maps SQS queues only; AWS takes other sources).
    return InvalidParameter(absl::StrCat("Unsupported event source ", arn,
                                         ": wharf maps Amazon SQS queues (arn:aws:sqs:...)."));
  }
  // AWS's code and text (LocalStack's test_esm_with_not_existing_sqs_queue
  // snapshot): Lambda reports the error of its own look-up of the queue.
  absl::Status missing = InvalidParameter(
      "Error occurred while ReceiveMessage. SQS Error Code: "
      "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not "
      "exist.");
  if (parts[3] != options_.region) return missing;
  sqs::GetQueueUrlRequest lookup;
  lookup.queue_name = parts[5];
  lookup.queue_owner_aws_account_id = parts[4];
  auto url = options_.sqs->GetQueueUrl(lookup);
  if (!url.ok()) return missing;
  auto attributes = options_.sqs->GetQueueAttributes(
      {.queue_url = url->queue_url, .attribute_names = {"VisibilityTimeout", "FifoQueue"}});
  auto queue = options_.sqs->OpenQueue(url->queue_url);
  if (!attributes.ok() || !queue.ok()) return missing;
  QueueInfo info;
  info.source = std::dynamic_pointer_cast<lambda_internal::RecordSource>(*std::move(queue));
  if (info.source == nullptr) return missing;
  info.fifo = attributes->attributes["FifoQueue"] == "true";
  if (!absl::SimpleAtoi(attributes->attributes["VisibilityTimeout"], &info.visibility_timeout)) {
    info.visibility_timeout = 30;
  }
  return info;
}

lambda::FunctionConfiguration LambdaService::ToConfiguration(const Function& function) const {
  lambda::FunctionConfiguration out;
  out.function_name = function.name;
  out.function_arn = function.arn;
  out.timeout = static_cast<int>(absl::ToInt64Seconds(function.timeout));
  out.description = function.description;
  out.last_modified = function.last_modified;
  return out;
}

lambda::EventSourceMappingConfiguration LambdaService::ToConfiguration(
    const MappingView& view) const {
  lambda::EventSourceMappingConfiguration out;
  out.uuid = view.uuid;
  out.event_source_mapping_arn =
      absl::StrCat("arn:aws:lambda:", options_.region, ":", options_.account_id,
                   ":event-source-mapping:", view.uuid);
  out.event_source_arn = view.queue_arn;
  out.function_arn = view.settings.function_arn;
  out.batch_size = view.settings.batch_size;
  out.maximum_batching_window_in_seconds = view.settings.batching_window_seconds;
  out.filter_criteria = view.settings.filter_criteria;
  if (view.settings.report_batch_item_failures) {
    out.function_response_types = {std::string(kReportBatchItemFailures)};
  }
  if (view.settings.maximum_concurrency.has_value()) {
    out.scaling_config = lambda::ScalingConfig{view.settings.maximum_concurrency};
  }
  out.state = std::string(lambda_internal::MappingStateName(view.state));
  out.state_transition_reason = std::string(view.state_transition_reason);
  out.last_modified = view.last_modified;
  return out;
}

// ---- Functions --------------------------------------------------------------------

absl::StatusOr<lambda::FunctionConfiguration> LambdaService::CreateFunction(
    lambda::CreateFunctionRequest request) {
  if (!IsFunctionName(request.function_name)) {
    const std::string& name = request.function_name;
    if (name.empty()) {  // Our text (unrecorded), in the API's constraint style.
      return Validation(name, "functionName", "Member must have length greater than or equal to 1");
    }
    const bool valid_characters = std::all_of(name.begin(), name.end(), [](char c) {
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (valid_characters) {
      // AWS's code and text for a name of valid characters that is too long
      // (LocalStack's test_function_arns snapshot): InvalidParameterValue.
      return MakeError(ErrorCode::kLambdaInvalidParameterValue,
                       absl::StrCat("1 validation error detected: Value '", name,
                                    "' at 'functionName' failed to satisfy constraint: Member must "
                                    "have length less than or equal to 64"));
    }
    return Validation(name, "functionName", kFunctionNamePattern);
  }
  if (absl::Status s = Range(request.timeout, "timeout", kMinTimeout, kMaxTimeout); !s.ok()) {
    return s;
  }
  if (request.description.size() > static_cast<size_t>(kMaxDescriptionLength)) {
    return Validation(request.description, "description",
                      "Member must have length less than or equal to 256");
  }
  if (!request.handler) return InvalidParameter("A handler is required.");
  auto function = std::make_shared<Function>();
  function->name = request.function_name;
  function->arn = FunctionArn(request.function_name);
  function->id = base_internal::RandomUint64();
  function->handler = std::move(request.handler);
  function->timeout = absl::Seconds(request.timeout);
  function->description = std::move(request.description);
  function->last_modified = options_.clock->Now();
  lambda::FunctionConfiguration out = ToConfiguration(*function);
  if (!functions_->Add(std::move(function))) {
    return MakeError(ErrorCode::kLambdaResourceConflict,
                     absl::StrCat("Function already exist: ", request.function_name));
  }
  StartWaiting(request.function_name);
  return out;
}

absl::StatusOr<lambda::FunctionConfiguration> LambdaService::GetFunctionConfiguration(
    const lambda::GetFunctionConfigurationRequest& request) {
  auto function = FindFunction(request.function_name);
  if (!function.ok()) return function.status();
  return ToConfiguration(**function);
}

absl::StatusOr<lambda::FunctionConfiguration> LambdaService::UpdateFunctionConfiguration(
    const lambda::UpdateFunctionConfigurationRequest& request) {
  if (request.timeout.has_value()) {
    if (absl::Status s = Range(*request.timeout, "timeout", kMinTimeout, kMaxTimeout); !s.ok()) {
      return s;
    }
  }
  if (request.description.has_value() &&
      request.description->size() > static_cast<size_t>(kMaxDescriptionLength)) {
    return Validation(*request.description, "description",
                      "Member must have length less than or equal to 256");
  }
  auto found = FindFunction(request.function_name);
  if (!found.ok()) return found.status();
  auto function = std::make_shared<Function>(**found);
  if (request.timeout.has_value()) function->timeout = absl::Seconds(*request.timeout);
  if (request.description.has_value()) function->description = *request.description;
  function->last_modified = options_.clock->Now();
  lambda::FunctionConfiguration out = ToConfiguration(*function);
  if (!functions_->Replace(std::move(function))) {
    return NotFound(absl::StrCat("Function not found: ", (*found)->arn));
  }
  return out;
}

absl::StatusOr<lambda::FunctionConfiguration> LambdaService::UpdateFunctionCode(
    lambda::UpdateFunctionCodeRequest request) {
  if (!request.handler) return InvalidParameter("A handler is required.");
  auto found = FindFunction(request.function_name);
  if (!found.ok()) return found.status();
  auto function = std::make_shared<Function>(**found);
  function->handler = std::move(request.handler);
  function->last_modified = options_.clock->Now();
  lambda::FunctionConfiguration out = ToConfiguration(*function);
  if (!functions_->Replace(std::move(function))) {
    return NotFound(absl::StrCat("Function not found: ", (*found)->arn));
  }
  return out;
}

absl::Status LambdaService::DeleteFunction(const lambda::DeleteFunctionRequest& request) {
  absl::StatusOr<std::string> name = ResolveFunctionName(request.function_name);
  if (!name.ok()) return name.status();
  std::shared_ptr<const Function> removed = functions_->Remove(*name);
  if (removed == nullptr) return NotFound(absl::StrCat("Function not found: ", FunctionArn(*name)));
  std::vector<std::shared_ptr<EventSourceMapping>> affected;
  {
    MutexLock lock(&mu_);
    for (auto& [uuid, mapping] : mappings_) affected.push_back(mapping);
  }
  absl::Status stored;
  for (auto& mapping : affected) {
    const lambda_internal::MappingView view = mapping->Describe();
    if (view.settings.function_arn != removed->arn ||
        view.state == lambda_internal::MappingState::kDeleting ||
        view.state == lambda_internal::MappingState::kDeleted) {
      continue;
    }
    mapping->DisableByLambda();
    // Disabled for good: it does not poll when the function is created again.
    if (absl::Status s = PersistMapping(ToStored(mapping->Describe(), false)); !s.ok()) stored = s;
  }
  return stored;
}

absl::StatusOr<lambda::ListFunctionsResult> LambdaService::ListFunctions(
    const lambda::ListFunctionsRequest& request) {
  int max = request.max_items.value_or(kDefaultListFunctions);
  if (absl::Status s = Range(max, "maxItems", 1, kMaxListItems); !s.ok()) return s;
  std::vector<std::shared_ptr<const Function>> page =
      functions_->List(request.marker, static_cast<size_t>(max) + 1);
  lambda::ListFunctionsResult out;
  for (size_t i = 0; i < page.size() && i < static_cast<size_t>(max); ++i) {
    out.functions.push_back(ToConfiguration(*page[i]));
  }
  if (page.size() > static_cast<size_t>(max)) out.next_marker = out.functions.back().function_name;
  return out;
}

absl::StatusOr<lambda::InvokeResult> LambdaService::Invoke(const lambda::InvokeRequest& request) {
  auto function = FindFunction(request.function_name);
  if (!function.ok()) return function.status();
  std::string payload = request.payload.empty() ? "{}" : request.payload;
  const bool async = request.invocation_type == lambda::InvocationType::kEvent;
  const size_t limit =
      async ? lambda_internal::kMaxAsyncPayloadBytes : lambda_internal::kMaxSyncPayloadBytes;
  if (payload.size() > limit) {
    return MakeError(ErrorCode::kLambdaRequestTooLarge,
                     absl::StrCat("Request must be smaller than ", limit,
                                  " bytes for the InvokeFunction operation"));
  }
  if (!lambda_internal::IsJson(payload)) {
    return MakeError(ErrorCode::kLambdaInvalidRequestContent,
                     "Could not parse request body into json: Could not parse payload into json");
  }
  lambda::InvokeResult out;
  switch (request.invocation_type) {
    case lambda::InvocationType::kDryRun:
      out.status_code = 204;
      return out;
    case lambda::InvocationType::kEvent: {
      absl::Status queued = functions_->InvokeAsync(**function, std::move(payload));
      if (!queued.ok()) return queued;
      out.status_code = 202;
      return out;
    }
    case lambda::InvocationType::kRequestResponse:
      break;
  }
  lambda::Invocation invocation(std::move(payload), (*function)->arn, base_internal::NewUuid(),
                                options_.clock->Now() + (*function)->timeout);
  lambda_internal::RunOutcome outcome = functions_->Run(**function, invocation);
  out.status_code = 200;
  out.executed_version = "$LATEST";
  if (outcome.payload.size() > lambda_internal::kMaxSyncPayloadBytes) {
    outcome.function_error = true;
    outcome.payload = lambda_internal::ErrorDocument(
        absl::StrCat("Response payload size exceeded maximum allowed payload size (",
                     lambda_internal::kMaxSyncPayloadBytes, " bytes)."),
        "Function.ResponseSizeTooLarge");
  }
  if (outcome.function_error) out.function_error = "Unhandled";
  out.payload = std::move(outcome.payload);
  return out;
}

absl::Status LambdaService::InvokeAsync(std::string_view function_arn, std::string payload) {
  auto function = FindFunction(function_arn);
  if (!function.ok()) return function.status();
  if (payload.size() > lambda_internal::kMaxAsyncPayloadBytes) {
    return MakeError(
        ErrorCode::kLambdaRequestTooLarge,
        absl::StrCat("Request must be smaller than ", lambda_internal::kMaxAsyncPayloadBytes,
                     " bytes for the InvokeFunction operation"));
  }
  return functions_->InvokeAsync(**function, std::move(payload));
}

// The texts of the EventInvokeConfig operations are AWS's (LocalStack's
// test_lambda_eventinvokeconfig_exceptions snapshot); the configuration names
// the function's $LATEST, as AWS's FunctionArn does.
absl::Status LambdaService::NoEventInvokeConfig(std::string_view name) const {
  return NotFound(absl::StrCat("The function ", FunctionArn(name),
                               ":$LATEST doesn't have an EventInvokeConfig"));
}

absl::Status LambdaService::CheckDestination(const lambda::DestinationConfig& config,
                                             const std::string& arn,
                                             const Function& function) const {
  std::vector<absl::string_view> parts = absl::StrSplit(Av(arn), ':');
  const bool arn_like = parts.size() >= 6 && parts[0] == "arn" &&
                        absl::StartsWith(parts[1], "aws") && !parts[2].empty();
  const bool supported = arn_like && (parts[2] == "sqs" || parts[2] == "sns" ||
                                      parts[2] == "events" || parts[2] == "lambda");
  if (!supported) {
    // AWS names the whole configuration (its Java form); an unset side is null.
    auto side = [](const char* type, const std::string& destination) -> std::string {
      if (destination.empty()) return "null";
      return absl::StrCat(type, "(destination=", destination, ")");
    };
    return InvalidParameter(
        absl::StrCat("The provided destination config DestinationConfig(onSuccess=",
                     side("OnSuccess", config.on_success),
                     ", onFailure=", side("OnFailure", config.on_failure), ") is invalid."));
  }
  if (arn == function.arn || arn == absl::StrCat(function.arn, ":$LATEST")) {
    return InvalidParameter("You can't specify the function as a destination for itself.");
  }
  bool valid = IsDestinationArn(arn);
  if (valid && parts[2] == "lambda") {
    // AWS refuses a function that does not exist.
    auto target = FindFunction(arn);
    valid = target.ok();
  }
  if (!valid) return InvalidParameter(absl::StrCat("The destination ARN ", arn, " is invalid."));
  return absl::OkStatus();
}

absl::StatusOr<lambda::FunctionEventInvokeConfig> LambdaService::PutFunctionEventInvokeConfig(
    const lambda::PutFunctionEventInvokeConfigRequest& request) {
  lambda_internal::AsyncConfig config;
  if (request.maximum_retry_attempts.has_value()) {
    if (absl::Status s =
            Range(*request.maximum_retry_attempts, "maximumRetryAttempts", 0, kMaxRetryAttempts);
        !s.ok()) {
      return s;
    }
    config.maximum_retry_attempts = *request.maximum_retry_attempts;
  }
  if (request.maximum_event_age_in_seconds.has_value()) {
    if (absl::Status s = Range(*request.maximum_event_age_in_seconds, "maximumEventAgeInSeconds",
                               kMinEventAge, kMaxEventAge);
        !s.ok()) {
      return s;
    }
    config.maximum_event_age_seconds = *request.maximum_event_age_in_seconds;
  }
  if (!request.maximum_retry_attempts.has_value() &&
      !request.maximum_event_age_in_seconds.has_value() &&
      !request.destination_config.has_value()) {
    return InvalidParameter(
        "You must specify at least one of error handling or destination setting.");
  }
  absl::StatusOr<std::string> name = ResolveFunctionName(request.function_name);
  if (!name.ok()) return name.status();
  std::shared_ptr<const Function> found = functions_->Find(*name);
  if (found == nullptr) return NotFound("The function doesn't exist.");
  if (request.destination_config.has_value()) {
    for (const std::string* arn :
         {&request.destination_config->on_success, &request.destination_config->on_failure}) {
      if (arn->empty()) continue;
      if (absl::Status s = CheckDestination(*request.destination_config, *arn, *found); !s.ok()) {
        return s;
      }
    }
    config.destinations = *request.destination_config;
  }
  config.last_modified = options_.clock->Now();
  auto function = std::make_shared<Function>(*found);
  function->async_config = config;
  if (!functions_->Replace(function)) return NotFound("The function doesn't exist.");
  return lambda::FunctionEventInvokeConfig{
      .function_arn = absl::StrCat(function->arn, ":$LATEST"),
      .maximum_retry_attempts = config.maximum_retry_attempts,
      .maximum_event_age_in_seconds = config.maximum_event_age_seconds,
      .destination_config = config.destinations,
      .last_modified = config.last_modified};
}

absl::StatusOr<lambda::FunctionEventInvokeConfig> LambdaService::GetFunctionEventInvokeConfig(
    const lambda::GetFunctionEventInvokeConfigRequest& request) {
  absl::StatusOr<std::string> name = ResolveFunctionName(request.function_name);
  if (!name.ok()) return name.status();
  std::shared_ptr<const Function> found = functions_->Find(*name);
  if (found == nullptr || !found->async_config.has_value()) return NoEventInvokeConfig(*name);
  const lambda_internal::AsyncConfig& config = *found->async_config;
  return lambda::FunctionEventInvokeConfig{
      .function_arn = absl::StrCat(found->arn, ":$LATEST"),
      .maximum_retry_attempts = config.maximum_retry_attempts,
      .maximum_event_age_in_seconds = config.maximum_event_age_seconds,
      .destination_config = config.destinations,
      .last_modified = config.last_modified};
}

absl::Status LambdaService::DeleteFunctionEventInvokeConfig(
    const lambda::DeleteFunctionEventInvokeConfigRequest& request) {
  absl::StatusOr<std::string> name = ResolveFunctionName(request.function_name);
  if (!name.ok()) return name.status();
  std::shared_ptr<const Function> found = functions_->Find(*name);
  if (found == nullptr || !found->async_config.has_value()) return NoEventInvokeConfig(*name);
  auto function = std::make_shared<Function>(*found);
  function->async_config.reset();
  if (!functions_->Replace(std::move(function))) return NoEventInvokeConfig(*name);
  return absl::OkStatus();
}

LambdaService::Metrics LambdaService::CollectMetrics() const {
  Metrics out;
  for (const std::shared_ptr<const Function>& f :
       functions_->List("", std::numeric_limits<size_t>::max())) {
    out.functions.push_back({.function_name = f->name,
                             .function_id = f->id,
                             .counters = lambda_internal::Read(*f->counters),
                             .live = f->counters});
  }
  std::vector<std::shared_ptr<EventSourceMapping>> mappings;
  {
    MutexLock lock(&mu_);
    mappings.reserve(order_.size());
    for (const std::string& uuid : order_) mappings.push_back(mappings_.at(uuid));
  }
  for (const std::shared_ptr<EventSourceMapping>& m : mappings) {
    lambda_internal::MappingView view = m->Describe();
    out.mappings.push_back({.uuid = m->uuid(),
                            .function_name = std::move(view.settings.function_name),
                            .event_source_arn = m->queue_arn(),
                            .pollers = m->NumPollers(),
                            .counters = lambda_internal::Read(m->counters())});
  }
  return out;
}

// ---- Draining (ManualClock) ------------------------------------------------------

absl::Status LambdaService::RunUntilIdle() {
  if (manual_clock_ == nullptr) {
    return absl::FailedPreconditionError(
        "RunUntilIdle needs a ManualClock: with another clock, functions and pollers run on the "
        "broker's worker pool.");
  }
  Drain();
  return absl::OkStatus();
}

void LambdaService::Drain() {
  if (manual_executor_->InDrain()) return;  // Nested, from a handler.
  for (;;) {
    std::vector<std::shared_ptr<EventSourceMapping>> mappings;
    {
      MutexLock lock(&mu_);
      if (shut_down_) return;
      PurgeDeletedLocked();
      for (auto& [uuid, mapping] : mappings_) mappings.push_back(mapping);
    }
    auto progress = [&] {
      lambda_internal::FunctionStats stats = functions_->stats();
      int64_t sum = stats.async_invocations + stats.async_dropped;
      for (const auto& mapping : mappings) sum += mapping->progress();
      return sum;
    };
    const int64_t before = progress();
    options_.scheduler->RunDue();
    for (const auto& mapping : mappings) mapping->Wake();
    manual_executor_->RunUntilIdle();
    bool added;
    {
      MutexLock lock(&mu_);
      added = mappings_.size() != mappings.size();
    }
    if (progress() == before && !added) return;
  }
}

}  // namespace wharf::service_internal
