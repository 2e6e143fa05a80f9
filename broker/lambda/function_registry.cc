#include "broker/lambda/function_registry.h"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <typeinfo>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/ids.h"
#include "broker/lambda/event_json.h"
#include "wharf/errors.h"

namespace wharf::lambda_internal {
namespace {

// "std::runtime_error" for a thrown std::runtime_error.
std::string TypeName(const std::type_info& type) {
  int status = 0;
  char* name = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string out = status == 0 && name != nullptr ? name : type.name();
  std::free(name);
  return out;
}

// A non-negative duration in whole microseconds (a clock that went back
// counts 0).
uint64_t Micros(absl::Duration d) {
  return d > absl::ZeroDuration() ? static_cast<uint64_t>(absl::ToInt64Microseconds(d)) : 0;
}

std::string Seconds2(absl::Duration d) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f", absl::ToDoubleSeconds(d));
  return buffer;
}

}  // namespace

struct FunctionRegistry::AsyncJob {
  std::string function_name;
  uint64_t function_id = 0;
  std::string payload;
  std::string request_id;
  absl::Time enqueued;
  absl::Time due;  // When the current attempt is meant to run.
  int attempts = 0;
  RunOutcome last;
};

std::shared_ptr<FunctionRegistry> FunctionRegistry::Create(Options options) {
  return std::shared_ptr<FunctionRegistry>(new FunctionRegistry(std::move(options)));
}

FunctionRegistry::FunctionRegistry(Options options) : options_(std::move(options)) {}

bool FunctionRegistry::Add(std::shared_ptr<const Function> function) {
  MutexLock lock(&mu_);
  return functions_.emplace(function->name, std::move(function)).second;
}

bool FunctionRegistry::Replace(std::shared_ptr<const Function> function) {
  MutexLock lock(&mu_);
  auto it = functions_.find(function->name);
  if (it == functions_.end()) return false;
  it->second = std::move(function);
  return true;
}

std::shared_ptr<const Function> FunctionRegistry::Remove(std::string_view name) {
  std::shared_ptr<const Function> removed;
  MutexLock lock(&mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return nullptr;
  removed = std::move(it->second);
  functions_.erase(it);
  return removed;
}

std::shared_ptr<const Function> FunctionRegistry::Find(std::string_view name) const {
  ReaderMutexLock lock(&mu_);
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Function>> FunctionRegistry::List(std::string_view after,
                                                                    size_t max) const {
  std::vector<std::shared_ptr<const Function>> out;
  ReaderMutexLock lock(&mu_);
  for (auto it = after.empty() ? functions_.begin() : functions_.upper_bound(after);
       it != functions_.end() && out.size() < max; ++it) {
    out.push_back(it->second);
  }
  return out;
}

FunctionCounterValues Read(const FunctionCounters& c) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  return FunctionCounterValues{.invocations = c.invocations.load(kRelaxed),
                               .errors = c.errors.load(kRelaxed),
                               .throttles = c.throttles.load(kRelaxed),
                               .duration_micros = c.duration.Sum(),
                               .running = c.running.load(kRelaxed),
                               .async_received = c.async_received.load(kRelaxed),
                               .async_dropped = c.async_dropped.load(kRelaxed),
                               .async_age_micros = c.async_age_micros.load(kRelaxed),
                               .destination_failures = c.destination_failures.load(kRelaxed)};
}

RunOutcome FunctionRegistry::Run(const Function& function,
                                 const lambda::Invocation& invocation) const {
  FunctionCounters& counters = *function.counters;
  counters.invocations.fetch_add(1, std::memory_order_relaxed);
  counters.running.fetch_add(1, std::memory_order_relaxed);
  const absl::Time start = options_.clock->Now();
  RunOutcome out;
  try {
    absl::StatusOr<std::string> result = function.handler(invocation);
    if (result.ok()) {
      out.payload = *std::move(result);
    } else {
      out.function_error = true;
      std::optional<ErrorCode> code = GetErrorCode(result.status());
      const absl::string_view message = result.status().message();
      out.payload =
          ErrorDocument(std::string_view(message.data(), message.size()),
                        code.has_value() ? std::string(GetErrorInfo(*code).name)
                                         : absl::StatusCodeToString(result.status().code()));
    }
  } catch (const std::exception& e) {
    out.function_error = true;
    out.payload = ErrorDocument(e.what(), TypeName(typeid(e)));
  } catch (...) {
    out.function_error = true;
    out.payload =
        ErrorDocument("The handler threw an exception that is not a std::exception.", "Unhandled");
  }
  const absl::Time end = options_.clock->Now();
  if (end - start > function.timeout) {
    out.function_error = true;
    out.payload = ErrorDocument(
        absl::StrCat(FormatIsoMillis(end), " ", invocation.request_id(), " Task timed out after ",
                     Seconds2(function.timeout), " seconds"),
        "Sandbox.Timedout");
  }
  counters.running.fetch_sub(1, std::memory_order_relaxed);
  if (out.function_error) counters.errors.fetch_add(1, std::memory_order_relaxed);
  counters.duration.Record(static_cast<uint64_t>(Micros(end - start)));
  return out;
}

absl::Status FunctionRegistry::InvokeAsync(const Function& function, std::string payload) {
  if (pending_async_.fetch_add(1, std::memory_order_relaxed) >=
      static_cast<int64_t>(options_.max_pending_async)) {
    pending_async_.fetch_sub(1, std::memory_order_relaxed);
    function.counters->throttles.fetch_add(1, std::memory_order_relaxed);
    return MakeError(ErrorCode::kLambdaTooManyRequests, "Rate Exceeded.");
  }
  auto job = std::make_shared<AsyncJob>();
  job->function_name = function.name;
  job->function_id = function.id;
  job->payload = std::move(payload);
  job->request_id = base_internal::NewUuid();
  job->enqueued = job->due = options_.clock->Now();
  std::weak_ptr<FunctionRegistry> weak = weak_from_this();
  if (!options_.executor->Schedule([weak, job]() mutable {
        if (auto self = weak.lock()) self->RunAsync(std::move(job));
      })) {
    pending_async_.fetch_sub(1, std::memory_order_relaxed);
    return MakeError(ErrorCode::kLambdaService, "The broker is shutting down.");
  }
  function.counters->async_received.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

void FunctionRegistry::RunAsync(std::shared_ptr<AsyncJob> job) {
  std::shared_ptr<const Function> function = Find(job->function_name);
  if (function == nullptr || function->id != job->function_id) {
    async_dropped_.fetch_add(1, std::memory_order_relaxed);
    pending_async_.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  const AsyncConfig config = function->async_config.value_or(AsyncConfig{});
  // Ages are measured from each attempt's own due time, not from Now(): when
  // a ManualClock jumps far ahead, the attempts in between still happen at
  // their own times.
  FunctionCounters& counters = *function->counters;
  if (job->due - job->enqueued > absl::Seconds(config.maximum_event_age_seconds)) {
    counters.async_dropped.fetch_add(1, std::memory_order_relaxed);
    Deliver(*job, *function, config, "EventAgeExceeded", false);
    pending_async_.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  if (job->attempts == 0) {
    counters.async_age_micros.fetch_add(Micros(options_.clock->Now() - job->enqueued),
                                        std::memory_order_relaxed);
  }
  ++job->attempts;
  async_invocations_.fetch_add(1, std::memory_order_relaxed);
  lambda::Invocation invocation(job->payload, function->arn, job->request_id,
                                options_.clock->Now() + function->timeout);
  job->last = Run(*function, invocation);
  if (!job->last.function_error) {
    Deliver(*job, *function, config, "Success", true);
    pending_async_.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  if (job->attempts > config.maximum_retry_attempts) {
    counters.async_dropped.fetch_add(1, std::memory_order_relaxed);
    Deliver(*job, *function, config, "RetriesExhausted", false);
    pending_async_.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  // AWS: one minute before the second attempt, two before the third.
  job->due += job->attempts == 1 ? absl::Minutes(1) : absl::Minutes(2);
  std::weak_ptr<FunctionRegistry> weak = weak_from_this();
  const absl::Time due = job->due;
  options_.scheduler->ScheduleAt(due, [weak, job] {
    std::shared_ptr<FunctionRegistry> self = weak.lock();
    if (self == nullptr) return;
    if (!self->options_.executor->Schedule([weak, job]() mutable {
          if (auto again = weak.lock()) again->RunAsync(std::move(job));
        })) {
      self->pending_async_.fetch_sub(1, std::memory_order_relaxed);
    }
  });
}

void FunctionRegistry::Deliver(const AsyncJob& job, const Function& function,
                               const AsyncConfig& config, std::string condition, bool success) {
  const std::string& destination =
      success ? config.destinations.on_success : config.destinations.on_failure;
  if (destination.empty()) return;
  InvocationRecord record;
  record.timestamp = options_.clock->Now();
  record.request_id = job.request_id;
  record.function_arn = function.arn;
  record.condition = std::move(condition);
  record.approximate_invoke_count = job.attempts;
  record.request_payload = job.payload;
  record.invoked = job.attempts > 0;
  record.function_error = job.last.function_error;
  record.response_payload = job.last.payload;
  destination_records_.fetch_add(1, std::memory_order_relaxed);
  if (options_.destinations == nullptr ||
      !options_.destinations
           ->Send(destination, function.arn, RenderInvocationRecord(record), success)
           .ok()) {
    destination_failures_.fetch_add(1, std::memory_order_relaxed);
    function.counters->destination_failures.fetch_add(1, std::memory_order_relaxed);
  }
}

FunctionStats FunctionRegistry::stats() const {
  return FunctionStats{
      .async_invocations = async_invocations_.load(std::memory_order_relaxed),
      .async_dropped = async_dropped_.load(std::memory_order_relaxed),
      .destination_records = destination_records_.load(std::memory_order_relaxed),
      .destination_failures = destination_failures_.load(std::memory_order_relaxed),
  };
}

}  // namespace wharf::lambda_internal
