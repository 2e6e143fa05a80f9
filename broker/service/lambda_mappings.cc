// LambdaService's event source mapping operations: create, update, delete,
// get, list and the mapping table. Thread-safe: the table is under mu_,
// which is never held while a mapping's handler runs.
#include <optional>
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
    // AWS's text (LocalStack's test_event_source_mapping_exceptions snapshot).
    return InvalidParameter("Unrecognized event source.");
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
  auto function = FindMappedFunction(request.function_name);
  if (!function.ok()) return function.status();
  auto queue = ResolveQueue(request.event_source_arn);
  if (!queue.ok()) return queue.status();
  auto built = BuildSettings(params, **function, queue->fifo, queue->visibility_timeout);
  if (!built.ok()) return built.status();
  MappingSettings settings = *std::move(built);

  const bool enabled = request.enabled.value_or(true);
  MappingView view;
  {
    MutexLock lock(&mu_);
    if (shut_down_) return MakeError(ErrorCode::kLambdaService, "The broker is shutting down.");
    PurgeDeletedLocked();
    for (const auto& [uuid, mapping] : mappings_) {
      if (mapping->queue_arn() != request.event_source_arn) continue;
      if (mapping->Describe().settings.function_arn != settings.function_arn) continue;
      return MappingConflict(request.event_source_arn, settings.function_name, uuid);
    }
    for (const auto& [uuid, waiting] : waiting_) {
      if (waiting.queue_arn == request.event_source_arn &&
          waiting.function_name == settings.function_name) {
        return MappingConflict(request.event_source_arn, settings.function_name, uuid);
      }
    }
    view = AddMappingLocked(base_internal::NewUuid(), request.event_source_arn, *queue,
                            std::move(settings), enabled)
               ->Describe();
  }
  if (absl::Status s = PersistMapping(ToStored(view, enabled)); !s.ok()) return s;
  return ToConfiguration(view);
}

absl::StatusOr<std::shared_ptr<const lambda_internal::Function>> LambdaService::FindMappedFunction(
    std::string_view param) const {
  auto function = FindFunction(param);
  if (!function.ok() && GetErrorCode(function.status()) == ErrorCode::kLambdaResourceNotFound) {
    // AWS answers a mapping's missing function so, not with ResourceNotFound
    // (LocalStack's test_event_source_mapping_exceptions snapshot).
    return InvalidParameter("Function does not exist");
  }
  return function;
}

std::shared_ptr<EventSourceMapping> LambdaService::AddMappingLocked(std::string uuid,
                                                                    const std::string& queue_arn,
                                                                    const QueueInfo& queue,
                                                                    MappingSettings settings,
                                                                    bool enabled) {
  auto mapping = EventSourceMapping::Create(
      EventSourceMapping::Deps{.clock = options_.clock,
                               .scheduler = options_.scheduler,
                               .executor = executor_,
                               .functions = functions_,
                               .manual = manual_clock_ != nullptr,
                               .region = options_.region},
      uuid, queue_arn, queue.source, queue.fifo, std::move(settings), enabled);
  mappings_.emplace(uuid, mapping);
  order_.push_back(std::move(uuid));
  return mapping;
}

absl::StatusOr<lambda::EventSourceMappingConfiguration> LambdaService::UpdateEventSourceMapping(
    const lambda::UpdateEventSourceMappingRequest& request) {
  std::shared_ptr<EventSourceMapping> mapping = FindMapping(request.uuid);
  if (mapping == nullptr) {
    if (std::optional<StoredMapping> waiting = FindWaiting(request.uuid)) {
      return MakeError(
          ErrorCode::kLambdaResourceInUse,
          absl::StrCat("The event source mapping ", request.uuid, " waits for its function ",
                       waiting->function_name, " to be created again after the restart."));
    }
    return MappingNotFound();
  }
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
  auto function = FindMappedFunction(request.function_name.value_or(view.settings.function_arn));
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
  MappingView updated = mapping->Describe();
  const bool was_enabled =
      view.state == MappingState::kEnabled || view.state == MappingState::kEnabling;
  if (absl::Status s = PersistMapping(ToStored(updated, request.enabled.value_or(was_enabled)));
      !s.ok()) {
    return s;
  }
  return ToConfiguration(updated);
}

absl::StatusOr<lambda::EventSourceMappingConfiguration> LambdaService::DeleteEventSourceMapping(
    const lambda::DeleteEventSourceMappingRequest& request) {
  std::shared_ptr<EventSourceMapping> mapping = FindMapping(request.uuid);
  if (mapping == nullptr) {
    std::optional<StoredMapping> waiting;
    {
      MutexLock lock(&mu_);
      if (auto it = waiting_.find(request.uuid); it != waiting_.end()) {
        waiting = std::move(it->second);
        waiting_.erase(it);
      }
    }
    if (!waiting.has_value()) return MappingNotFound();
    if (absl::Status s = EraseMapping(request.uuid); !s.ok()) return s;
    lambda::EventSourceMappingConfiguration out = ToConfiguration(*waiting);
    out.state = std::string(lambda_internal::MappingStateName(MappingState::kDeleting));
    return out;
  }
  if (absl::Status s = mapping->Delete(); !s.ok()) return s;
  if (absl::Status s = EraseMapping(request.uuid); !s.ok()) return s;
  return ToConfiguration(mapping->Describe());
}

absl::StatusOr<lambda::EventSourceMappingConfiguration> LambdaService::GetEventSourceMapping(
    const lambda::GetEventSourceMappingRequest& request) {
  std::shared_ptr<EventSourceMapping> mapping = FindMapping(request.uuid);
  if (mapping == nullptr) {
    if (std::optional<StoredMapping> waiting = FindWaiting(request.uuid)) {
      return ToConfiguration(*waiting);
    }
    return MappingNotFound();
  }
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
  std::vector<StoredMapping> waiting;  // Listed after the running ones.
  {
    MutexLock lock(&mu_);
    PurgeDeletedLocked();
    for (const std::string& uuid : order_) all.push_back(mappings_.at(uuid));
    for (const auto& [uuid, stored] : waiting_) waiting.push_back(stored);
  }
  std::vector<lambda::EventSourceMappingConfiguration> configurations;
  for (const auto& mapping : all) configurations.push_back(ToConfiguration(mapping->Describe()));
  for (const StoredMapping& stored : waiting) configurations.push_back(ToConfiguration(stored));
  lambda::ListEventSourceMappingsResult out;
  size_t seen = 0;
  for (lambda::EventSourceMappingConfiguration& c : configurations) {
    if (!request.event_source_arn.empty() && c.event_source_arn != request.event_source_arn) {
      continue;
    }
    if (!function_arn.empty() && c.function_arn != function_arn) continue;
    if (seen++ < start) continue;
    if (out.event_source_mappings.size() == static_cast<size_t>(max)) {
      out.next_marker = absl::StrCat(start + static_cast<size_t>(max));
      break;
    }
    out.event_source_mappings.push_back(std::move(c));
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
