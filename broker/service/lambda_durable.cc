// LambdaService in durable mode: the event source mapping documents, their
// recovery and the restart of a restored mapping once its function is
// created again (see lambda_service.h). One document per mapping, keyed by
// UUID, kind "lambda.mapping":
//   queue_arn, function_name, batch_size, window, filters (the patterns; with
//   has_filter_criteria), report_batch_item_failures, maximum_concurrency
//   (absent: unset), enabled, last_modified.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/service/lambda_checks.h"
#include "broker/service/lambda_service.h"
#include "broker/storage/document.h"

namespace wharf::service_internal {
namespace {

constexpr char kMappingDocument[] = "lambda.mapping";

}  // namespace

LambdaService::StoredMapping LambdaService::ToStored(const lambda_internal::MappingView& view,
                                                     bool enabled) {
  StoredMapping out;
  out.uuid = view.uuid;
  out.queue_arn = view.queue_arn;
  out.function_name = view.settings.function_name;
  out.params.batch_size = view.settings.batch_size;
  out.params.window = view.settings.batching_window_seconds;
  out.params.filter_criteria = view.settings.filter_criteria;
  if (view.settings.report_batch_item_failures) {
    out.params.response_types = {std::string(lambda_checks::kReportBatchItemFailures)};
  }
  out.params.maximum_concurrency = view.settings.maximum_concurrency;
  out.enabled = enabled;
  out.last_modified = view.last_modified;
  return out;
}

absl::Status LambdaService::PersistMapping(const StoredMapping& m) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  const uint64_t since = store->Position();
  storage_internal::DocumentWriter doc;
  doc.String("queue_arn", m.queue_arn);
  doc.String("function_name", m.function_name);
  doc.Int("batch_size", m.params.batch_size);
  doc.Int("window", m.params.window);
  doc.Bool("has_filter_criteria", m.params.filter_criteria.has_value());
  std::vector<std::string> patterns;
  if (m.params.filter_criteria.has_value()) {
    for (const lambda::Filter& f : m.params.filter_criteria->filters) patterns.push_back(f.pattern);
  }
  doc.StringList("filters", patterns);
  doc.Bool("report_batch_item_failures", !m.params.response_types.empty());
  if (m.params.maximum_concurrency.has_value()) {
    doc.Int("maximum_concurrency", *m.params.maximum_concurrency);
  }
  doc.Bool("enabled", m.enabled);
  doc.Time("last_modified", m.last_modified);
  // Concurrent changes of one mapping are serialized by the mapping (Update
  // and Delete fail while another is in progress), so the last document
  // enqueued is its latest state.
  store->Put(kMappingDocument, m.uuid, doc.Finish());
  return store->Commit(since);
}

absl::Status LambdaService::EraseMapping(const std::string& uuid) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  const uint64_t since = store->Position();
  store->Erase(kMappingDocument, uuid);
  return store->Commit(since);
}

lambda::EventSourceMappingConfiguration LambdaService::ToConfiguration(
    const StoredMapping& waiting) const {
  lambda_internal::MappingView view;
  view.uuid = waiting.uuid;
  view.queue_arn = waiting.queue_arn;
  view.settings.function_name = waiting.function_name;
  view.settings.function_arn = FunctionArn(waiting.function_name);
  view.settings.batch_size = waiting.params.batch_size;
  view.settings.batching_window_seconds = waiting.params.window;
  view.settings.report_batch_item_failures = !waiting.params.response_types.empty();
  view.settings.filter_criteria = waiting.params.filter_criteria;
  view.settings.maximum_concurrency = waiting.params.maximum_concurrency;
  view.state = waiting.enabled ? lambda_internal::MappingState::kEnabled
                               : lambda_internal::MappingState::kDisabled;
  view.last_modified = waiting.last_modified;
  return ToConfiguration(view);
}

std::optional<LambdaService::StoredMapping> LambdaService::FindWaiting(
    const std::string& uuid) const {
  MutexLock lock(&mu_);
  auto it = waiting_.find(uuid);
  if (it == waiting_.end()) return std::nullopt;
  return it->second;
}

absl::Status LambdaService::Recover() {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> docs,
                         store->LoadDocuments(kMappingDocument));
  std::map<std::string, StoredMapping> restored;
  for (storage_internal::StoredDocument& stored : docs) {
    const std::string what = absl::StrCat("Lambda event source mapping ", stored.name);
    storage_internal::DocumentReader doc(stored.value);
    StoredMapping m;
    m.uuid = stored.name;
    m.queue_arn = doc.String("queue_arn");
    m.function_name = doc.String("function_name");
    m.params.batch_size = static_cast<int>(doc.Int("batch_size"));
    m.params.window = static_cast<int>(doc.Int("window"));
    std::vector<std::string> patterns = doc.StringList("filters");
    if (doc.Bool("has_filter_criteria")) {
      m.params.filter_criteria.emplace();
      for (std::string& p : patterns) m.params.filter_criteria->filters.push_back({std::move(p)});
    }
    if (doc.Bool("report_batch_item_failures")) {
      m.params.response_types = {std::string(lambda_checks::kReportBatchItemFailures)};
    }
    if (doc.Has("maximum_concurrency")) {
      m.params.maximum_concurrency = static_cast<int>(doc.Int("maximum_concurrency"));
    }
    m.enabled = doc.Bool("enabled");
    m.last_modified = doc.Time("last_modified");
    if (!doc.ok()) return doc.Error(what);
    // The same checks as CreateEventSourceMapping's that need no function.
    if (absl::Status s = lambda_checks::CheckRanges(m.params);
        !s.ok() || !lambda_checks::IsFunctionName(m.function_name)) {
      return absl::DataLossError(absl::StrCat("storage: the stored ", what, " is refused: ",
                                              s.ok() ? "bad function name" : s.message()));
    }
    restored.emplace(m.uuid, std::move(m));
  }
  MutexLock lock(&mu_);
  waiting_ = std::move(restored);
  return absl::OkStatus();
}

void LambdaService::StartWaiting(const std::string& name) {
  std::vector<StoredMapping> candidates;
  {
    MutexLock lock(&mu_);
    for (const auto& [uuid, m] : waiting_) {
      if (m.function_name == name) candidates.push_back(m);
    }
  }
  for (StoredMapping& m : candidates) {
    // What CreateEventSourceMapping checks against the function and queue;
    // a mapping that no longer fits keeps waiting.
    absl::StatusOr<std::shared_ptr<const lambda_internal::Function>> function = FindFunction(name);
    if (!function.ok()) return;  // Deleted again meanwhile.
    absl::StatusOr<QueueInfo> queue = ResolveQueue(m.queue_arn);
    if (!queue.ok()) continue;
    absl::StatusOr<lambda_internal::MappingSettings> settings =
        lambda_checks::BuildSettings(m.params, **function, queue->fifo, queue->visibility_timeout);
    if (!settings.ok()) continue;
    MutexLock lock(&mu_);
    if (shut_down_) return;
    // Deleted (or started by a concurrent CreateFunction) meanwhile.
    if (waiting_.erase(m.uuid) == 0) continue;
    AddMappingLocked(m.uuid, m.queue_arn, *queue, *std::move(settings), m.enabled);
  }
}

}  // namespace wharf::service_internal
