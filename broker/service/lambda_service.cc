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
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf::service_internal {
namespace {

using lambda_internal::EventSourceMapping;
using lambda_internal::Function;
using lambda_internal::MappingSettings;
using lambda_internal::MappingState;
using lambda_internal::MappingView;

constexpr int kMaxFunctionNameLength = 64;
constexpr int kMaxDescriptionLength = 256;
constexpr int kMinTimeout = 1;
constexpr int kMaxTimeout = 900;
constexpr int kMaxBatchSize = 10000;
constexpr int kMaxFifoBatchSize = 10;
constexpr int kMaxUnbatchedBatchSize = 10;
constexpr int kMaxBatchingWindow = 300;
constexpr size_t kMaxFilters = 5;
constexpr size_t kMaxFilterPatternLength = 4096;
constexpr int kMinConcurrency = 2;
constexpr int kMaxConcurrency = 1000;
constexpr int kMaxRetryAttempts = 2;
constexpr int kMinEventAge = 60;
constexpr int kMaxEventAge = 21600;
constexpr int kMaxListItems = 10000;
constexpr int kDefaultListFunctions = 50;
constexpr int kDefaultListMappings = 100;
constexpr std::string_view kReportBatchItemFailures = "ReportBatchItemFailures";

// Debian's Abseil has its own string_view, which StrCat and StrSplit take.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Validation(std::string_view value, std::string_view field, std::string_view rule) {
  return MakeError(ErrorCode::kLambdaValidation,
                   absl::StrCat("1 validation error detected: Value '", Av(value), "' at '",
                                Av(field), "' failed to satisfy constraint: ", Av(rule)));
}

absl::Status Range(int value, std::string_view field, int min, int max) {
  if (value < min) {
    return Validation(absl::StrCat(value), field,
                      absl::StrCat("Member must have value greater than or equal to ", min));
  }
  if (value > max) {
    return Validation(absl::StrCat(value), field,
                      absl::StrCat("Member must have value less than or equal to ", max));
  }
  return absl::OkStatus();
}

absl::Status InvalidParameter(std::string_view message) {
  return MakeError(ErrorCode::kLambdaInvalidParameterValue, message);
}

absl::Status NotFound(std::string_view message) {
  return MakeError(ErrorCode::kLambdaResourceNotFound, message);
}

absl::Status MappingNotFound() { return NotFound("The resource you requested does not exist."); }

bool IsFunctionName(std::string_view name) {
  if (name.empty() || name.size() > static_cast<size_t>(kMaxFunctionNameLength)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// The bus name of an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>).
bool IsDestinationArn(std::string_view arn) {
  std::vector<absl::string_view> parts = absl::StrSplit(Av(arn), ':');
  if (parts.size() < 6 || parts[0] != "arn" || parts[1] != "aws") return false;
  if (parts[2] == "sqs" || parts[2] == "sns") return parts.size() == 6 && !parts[5].empty();
  if (parts[2] == "events") return parts[5].substr(0, 10) == "event-bus/";
  if (parts[2] == "lambda") return parts.size() >= 7 && parts[5] == "function";
  return false;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out = "[";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += parts[i];
  }
  return out + "]";
}

}  // namespace

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
    return Validation(param, "functionName",
                      "Member must satisfy regular expression pattern: "
                      "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?"
                      "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
  }
  if (!IsFunctionName(std::string_view(name.data(), name.size()))) {
    return Validation(param, "functionName",
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have "
                      "length less than or equal to 64");
  }
  if (region != options_.region || account != options_.account_id ||
      (!qualifier.empty() && qualifier != "$LATEST")) {
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
    return InvalidParameter(absl::StrCat("Unsupported event source ", arn,
                                         ": wharf maps Amazon SQS queues (arn:aws:sqs:...)."));
  }
  absl::Status missing =
      NotFound(absl::StrCat("Error occurred while ReceiveMessage. SQS Error Code: "
                            "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The "
                            "specified queue ",
                            arn, " does not exist."));
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
  info.queue = *std::move(queue);
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
    return Validation(request.function_name, "functionName",
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have "
                      "length between 1 and 64");
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
  for (auto& mapping : affected) {
    if (mapping->Describe().settings.function_arn == removed->arn) mapping->DisableByLambda();
  }
  return absl::OkStatus();
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
  auto found = FindFunction(request.function_name);
  if (!found.ok()) return found.status();
  if (request.destination_config.has_value()) {
    for (const std::string* arn :
         {&request.destination_config->on_success, &request.destination_config->on_failure}) {
      if (arn->empty()) continue;
      if (!IsDestinationArn(*arn)) {
        return InvalidParameter(absl::StrCat("The destination ARN ", *arn, " is invalid."));
      }
      if (*arn == (*found)->arn || *arn == absl::StrCat((*found)->arn, ":$LATEST")) {
        return InvalidParameter("You can't specify the function as a destination for itself.");
      }
    }
    config.destinations = *request.destination_config;
  }
  config.last_modified = options_.clock->Now();
  auto function = std::make_shared<Function>(**found);
  function->async_config = config;
  if (!functions_->Replace(function)) {
    return NotFound(absl::StrCat("Function not found: ", (*found)->arn));
  }
  return lambda::FunctionEventInvokeConfig{
      .function_arn = function->arn,
      .maximum_retry_attempts = config.maximum_retry_attempts,
      .maximum_event_age_in_seconds = config.maximum_event_age_seconds,
      .destination_config = config.destinations,
      .last_modified = config.last_modified};
}

absl::StatusOr<lambda::FunctionEventInvokeConfig> LambdaService::GetFunctionEventInvokeConfig(
    const lambda::GetFunctionEventInvokeConfigRequest& request) {
  auto found = FindFunction(request.function_name);
  if (!found.ok()) return found.status();
  if (!(*found)->async_config.has_value()) {
    return NotFound(
        absl::StrCat("The function ", (*found)->arn, " doesn't have an EventInvokeConfig"));
  }
  const lambda_internal::AsyncConfig& config = *(*found)->async_config;
  return lambda::FunctionEventInvokeConfig{
      .function_arn = (*found)->arn,
      .maximum_retry_attempts = config.maximum_retry_attempts,
      .maximum_event_age_in_seconds = config.maximum_event_age_seconds,
      .destination_config = config.destinations,
      .last_modified = config.last_modified};
}

absl::Status LambdaService::DeleteFunctionEventInvokeConfig(
    const lambda::DeleteFunctionEventInvokeConfigRequest& request) {
  auto found = FindFunction(request.function_name);
  if (!found.ok()) return found.status();
  if (!(*found)->async_config.has_value()) {
    return NotFound(
        absl::StrCat("The function ", (*found)->arn, " doesn't have an EventInvokeConfig"));
  }
  auto function = std::make_shared<Function>(**found);
  function->async_config.reset();
  if (!functions_->Replace(std::move(function))) {
    return NotFound(absl::StrCat("Function not found: ", (*found)->arn));
  }
  return absl::OkStatus();
}

// ---- Event source mappings ------------------------------------------------------

namespace {

// The parameters of Create and Update, merged over the mapping's current
// settings for Update.
struct MappingParams {
  int batch_size = 10;
  int window = 0;
  std::optional<lambda::FilterCriteria> filter_criteria;
  std::vector<std::string> response_types;
  std::optional<int> maximum_concurrency;
};

// Checks the parameters that do not depend on the queue or the function.
absl::Status CheckRanges(const MappingParams& p) {
  if (absl::Status s = Range(p.batch_size, "batchSize", 1, kMaxBatchSize); !s.ok()) return s;
  if (absl::Status s = Range(p.window, "maximumBatchingWindowInSeconds", 0, kMaxBatchingWindow);
      !s.ok()) {
    return s;
  }
  if (p.response_types.size() > 1) {
    return Validation(Join(p.response_types), "functionResponseTypes",
                      "Member must have length less than or equal to 1");
  }
  for (const std::string& type : p.response_types) {
    if (type != kReportBatchItemFailures) {
      return Validation(Join(p.response_types), "functionResponseTypes",
                        "Member must satisfy constraint: [Member must satisfy enum value set: "
                        "[ReportBatchItemFailures]]");
    }
  }
  if (p.maximum_concurrency.has_value()) {
    if (absl::Status s = Range(*p.maximum_concurrency, "scalingConfig.maximumConcurrency",
                               kMinConcurrency, kMaxConcurrency);
        !s.ok()) {
      return s;
    }
  }
  if (p.filter_criteria.has_value()) {
    for (const lambda::Filter& f : p.filter_criteria->filters) {
      if (f.pattern.size() > kMaxFilterPatternLength) {
        return Validation(f.pattern.substr(0, 64), "filterCriteria.filters.member.pattern",
                          "Member must have length less than or equal to 4096");
      }
    }
    if (p.filter_criteria->filters.size() > kMaxFilters) {
      return InvalidParameter(absl::StrCat("The maximum number of filters is ", kMaxFilters,
                                           " per event source mapping."));
    }
  }
  return absl::OkStatus();
}

// Checks the parameters against the queue and compiles the filters.
absl::StatusOr<std::shared_ptr<const Matcher>> CheckForQueue(const MappingParams& p, bool fifo) {
  if (fifo) {
    if (p.batch_size > kMaxFifoBatchSize) {
      return InvalidParameter(
          absl::StrCat("Invalid batch size ", p.batch_size,
                       ": the batch size of a FIFO queue event source must be between 1 and 10."));
    }
    if (p.window > 0) {
      return InvalidParameter("Batching window is not supported for FIFO queues.");
    }
  } else if (p.batch_size > kMaxUnbatchedBatchSize && p.window == 0) {
    return InvalidParameter(absl::StrCat(
        "Invalid batch size ", p.batch_size,
        ": a batch size above 10 requires MaximumBatchingWindowInSeconds of at least 1."));
  }
  if (!p.filter_criteria.has_value() || p.filter_criteria->filters.empty()) return nullptr;
  auto matcher = Matcher::Create(PatternDialect::kEventBridge);
  if (!matcher.ok()) return matcher.status();
  for (size_t i = 0; i < p.filter_criteria->filters.size(); ++i) {
    if (!(*matcher)->Add(absl::StrCat(i), p.filter_criteria->filters[i].pattern).ok()) {
      return InvalidParameter("Invalid filter pattern definition.");
    }
  }
  (*matcher)->Compile();
  return std::shared_ptr<const Matcher>(*std::move(matcher));
}

// Checks `p` against the function and the queue, and builds the settings.
absl::StatusOr<MappingSettings> BuildSettings(const MappingParams& p, const Function& function,
                                              bool fifo, int visibility_timeout) {
  auto filters = CheckForQueue(p, fifo);
  if (!filters.ok()) return filters.status();
  const int64_t timeout = absl::ToInt64Seconds(function.timeout);
  if (visibility_timeout < timeout) {
    return InvalidParameter(absl::StrCat("Queue visibility timeout: ", visibility_timeout,
                                         " seconds is less than Function timeout: ", timeout,
                                         " seconds"));
  }
  MappingSettings settings;
  settings.function_name = function.name;
  settings.function_arn = function.arn;
  settings.batch_size = p.batch_size;
  settings.batching_window_seconds = p.window;
  settings.report_batch_item_failures = !p.response_types.empty();
  if (p.filter_criteria.has_value() && !p.filter_criteria->filters.empty()) {
    settings.filter_criteria = p.filter_criteria;
  }
  settings.filters = *std::move(filters);
  settings.maximum_concurrency = p.maximum_concurrency;
  return settings;
}

absl::Status MappingConflict(const std::string& queue_arn, const std::string& function_name,
                             const std::string& uuid) {
  return MakeError(ErrorCode::kLambdaResourceConflict,
                   absl::StrCat("An event source mapping with SQS arn (\" ", queue_arn,
                                " \") and function (\" ", function_name,
                                " \") already exists. Please update or delete the existing "
                                "mapping with UUID ",
                                uuid));
}

}  // namespace

absl::StatusOr<lambda::EventSourceMappingConfiguration> LambdaService::CreateEventSourceMapping(
    const lambda::CreateEventSourceMappingRequest& request) {
  if (request.event_source_arn.empty()) {
    return MakeError(ErrorCode::kLambdaInvalidParameterValue,
                     "Unrecognized event source, must be kinesis, dynamodb stream or sqs.");
  }
  MappingParams params;
  params.batch_size = request.batch_size.value_or(10);
  params.window = request.maximum_batching_window_in_seconds.value_or(0);
  params.filter_criteria = request.filter_criteria;
  params.response_types = request.function_response_types;
  if (request.scaling_config.has_value()) {
    params.maximum_concurrency = request.scaling_config->maximum_concurrency;
  }
  if (absl::Status s = CheckRanges(params); !s.ok()) return s;
  auto function = FindFunction(request.function_name);
  if (!function.ok()) return function.status();
  auto queue = ResolveQueue(request.event_source_arn);
  if (!queue.ok()) return queue.status();
  auto built = BuildSettings(params, **function, queue->fifo, queue->visibility_timeout);
  if (!built.ok()) return built.status();
  MappingSettings settings = *std::move(built);

  MutexLock lock(&mu_);
  if (shut_down_) return MakeError(ErrorCode::kLambdaService, "The broker is shutting down.");
  PurgeDeletedLocked();
  for (const auto& [uuid, mapping] : mappings_) {
    if (mapping->queue_arn() != request.event_source_arn) continue;
    if (mapping->Describe().settings.function_arn != settings.function_arn) continue;
    return MappingConflict(request.event_source_arn, settings.function_name, uuid);
  }
  std::string uuid = base_internal::NewUuid();
  auto mapping =
      EventSourceMapping::Create(EventSourceMapping::Deps{.clock = options_.clock,
                                                          .scheduler = options_.scheduler,
                                                          .executor = executor_,
                                                          .functions = functions_,
                                                          .manual = manual_clock_ != nullptr,
                                                          .region = options_.region},
                                 uuid, request.event_source_arn, queue->queue, queue->fifo,
                                 std::move(settings), request.enabled.value_or(true));
  mappings_.emplace(uuid, mapping);
  order_.push_back(uuid);
  return ToConfiguration(mapping->Describe());
}

absl::StatusOr<lambda::EventSourceMappingConfiguration> LambdaService::UpdateEventSourceMapping(
    const lambda::UpdateEventSourceMappingRequest& request) {
  std::shared_ptr<EventSourceMapping> mapping = FindMapping(request.uuid);
  if (mapping == nullptr) return MappingNotFound();
  MappingView view = mapping->Describe();
  MappingParams params;
  params.batch_size = request.batch_size.value_or(view.settings.batch_size);
  params.window =
      request.maximum_batching_window_in_seconds.value_or(view.settings.batching_window_seconds);
  params.filter_criteria =
      request.filter_criteria.has_value() ? request.filter_criteria : view.settings.filter_criteria;
  if (request.function_response_types.has_value()) {
    params.response_types = *request.function_response_types;
  } else if (view.settings.report_batch_item_failures) {
    params.response_types = {std::string(kReportBatchItemFailures)};
  }
  params.maximum_concurrency = request.scaling_config.has_value()
                                   ? request.scaling_config->maximum_concurrency
                                   : view.settings.maximum_concurrency;
  if (absl::Status s = CheckRanges(params); !s.ok()) return s;
  auto function = FindFunction(request.function_name.value_or(view.settings.function_arn));
  if (!function.ok()) return function.status();
  auto queue = ResolveQueue(view.queue_arn);
  if (!queue.ok()) return queue.status();
  auto built = BuildSettings(params, **function, queue->fifo, queue->visibility_timeout);
  if (!built.ok()) return built.status();
  MappingSettings settings = *std::move(built);
  if (settings.function_arn != view.settings.function_arn) {
    MutexLock lock(&mu_);
    for (const auto& [uuid, other] : mappings_) {
      if (other == mapping || other->queue_arn() != view.queue_arn) continue;
      if (other->Describe().settings.function_arn != settings.function_arn) continue;
      return MappingConflict(view.queue_arn, settings.function_name, uuid);
    }
  }
  if (absl::Status s = mapping->Update(std::move(settings), request.enabled); !s.ok()) return s;
  return ToConfiguration(mapping->Describe());
}

absl::StatusOr<lambda::EventSourceMappingConfiguration> LambdaService::DeleteEventSourceMapping(
    const lambda::DeleteEventSourceMappingRequest& request) {
  std::shared_ptr<EventSourceMapping> mapping = FindMapping(request.uuid);
  if (mapping == nullptr) return MappingNotFound();
  if (absl::Status s = mapping->Delete(); !s.ok()) return s;
  return ToConfiguration(mapping->Describe());
}

absl::StatusOr<lambda::EventSourceMappingConfiguration> LambdaService::GetEventSourceMapping(
    const lambda::GetEventSourceMappingRequest& request) {
  std::shared_ptr<EventSourceMapping> mapping = FindMapping(request.uuid);
  if (mapping == nullptr) return MappingNotFound();
  return ToConfiguration(mapping->Describe());
}

absl::StatusOr<lambda::ListEventSourceMappingsResult> LambdaService::ListEventSourceMappings(
    const lambda::ListEventSourceMappingsRequest& request) {
  int max = request.max_items.value_or(kDefaultListMappings);
  if (absl::Status s = Range(max, "maxItems", 1, kMaxListItems); !s.ok()) return s;
  std::string function_arn;
  if (!request.function_name.empty()) {
    absl::StatusOr<std::string> name = ResolveFunctionName(request.function_name);
    if (!name.ok()) return name.status();
    function_arn = FunctionArn(*name);
  }
  size_t start = 0;
  if (!request.marker.empty() && !absl::SimpleAtoi(request.marker, &start)) {
    return InvalidParameter("Invalid marker.");
  }
  std::vector<std::shared_ptr<EventSourceMapping>> all;
  {
    MutexLock lock(&mu_);
    PurgeDeletedLocked();
    for (const std::string& uuid : order_) all.push_back(mappings_.at(uuid));
  }
  lambda::ListEventSourceMappingsResult out;
  size_t seen = 0;
  for (const auto& mapping : all) {
    if (!request.event_source_arn.empty() && mapping->queue_arn() != request.event_source_arn) {
      continue;
    }
    MappingView view = mapping->Describe();
    if (!function_arn.empty() && view.settings.function_arn != function_arn) continue;
    if (seen++ < start) continue;
    if (out.event_source_mappings.size() == static_cast<size_t>(max)) {
      out.next_marker = absl::StrCat(start + static_cast<size_t>(max));
      break;
    }
    out.event_source_mappings.push_back(ToConfiguration(view));
  }
  return out;
}

std::shared_ptr<EventSourceMapping> LambdaService::FindMapping(const std::string& uuid) const {
  MutexLock lock(&mu_);
  auto it = mappings_.find(uuid);
  if (it == mappings_.end() || it->second->Describe().state == MappingState::kDeleted) {
    return nullptr;
  }
  return it->second;
}

LambdaService::Metrics LambdaService::CollectMetrics() const {
  Metrics out;
  for (const std::shared_ptr<const Function>& f :
       functions_->List("", std::numeric_limits<size_t>::max())) {
    out.functions.push_back({.function_name = f->name,
                             .function_id = f->id,
                             .counters = lambda_internal::Read(*f->counters)});
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

std::shared_ptr<EventSourceMapping> LambdaService::TEST_mapping(const std::string& uuid) const {
  MutexLock lock(&mu_);
  auto it = mappings_.find(uuid);
  return it == mappings_.end() ? nullptr : it->second;
}

void LambdaService::PurgeDeletedLocked() {
  std::vector<std::string> kept;
  kept.reserve(order_.size());
  for (const std::string& uuid : order_) {
    auto it = mappings_.find(uuid);
    if (it->second->Describe().state == MappingState::kDeleted) {
      mappings_.erase(it);
    } else {
      kept.push_back(uuid);
    }
  }
  order_.swap(kept);
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
