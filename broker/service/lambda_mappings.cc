// LambdaService's event source mapping operations: create, update, delete,
// get, list and the mapping table. Thread-safe: the table is under mu_,
// which is never held while a mapping's handler runs.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/ids.h"
#include "broker/service/lambda_checks.h"
#include "broker/service/lambda_service.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

using lambda_checks::BuildSettings;
using lambda_checks::CheckRanges;
using lambda_checks::InvalidParameter;
using lambda_checks::kDefaultListMappings;
using lambda_checks::kMaxListItems;
using lambda_checks::kReportBatchItemFailures;
using lambda_checks::MappingConflict;
using lambda_checks::MappingNotFound;
using lambda_checks::MappingParams;
using lambda_checks::Range;
using lambda_internal::EventSourceMapping;
using lambda_internal::MappingSettings;
using lambda_internal::MappingState;
using lambda_internal::MappingView;

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
                                 uuid, request.event_source_arn, queue->source, queue->fifo,
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
}  // namespace wharf::service_internal
