// PutEvents throughput against the number of rules on a bus (issue #7).
//
// A bus holds N rules (10, 1,000, 10,000). Rules come in groups of three that
// share one customer value, so every event matches exactly three rules
// whatever N is; each rule has one SQS target (one of 8 queues). Each
// iteration is one PutEvents call of 10 entries spread over the customers;
// items/s counts events. The second family gives every target an
// InputTransformer (two paths, a JSON template). The issue's target: at
// 10,000 rules no slower than half the 10-rule rate; the ratio of the two, in
// the same process, is printed after the table. Every row runs with metrics
// on (the broker's default) and again with them off ("metrics-off"), the
// cost of the metrics in the same run.
//
// The broker runs on a ManualClock (nothing timed in the background); the
// queues are purged every 256 calls with the timer paused, so the backlog
// stays small.
//
//   build-events-bench/bench/events_bench --benchmark_min_time=1

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "broker/service/events_service.h"
#include "broker/service/queue_delivery.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/sqs.h"

namespace wharf {
namespace {

constexpr int kQueues = 8;
constexpr int kRulesPerCustomer = 3;
constexpr int kEntriesPerCall = 10;
constexpr int kCallsPerPurge = 256;

struct Setup {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker;
  std::unique_ptr<service_internal::QueueDelivery> delivery;
  std::unique_ptr<service_internal::EventsService> events;
  std::vector<std::string> queue_urls;
  int customers = 0;
};

std::unique_ptr<Setup> Build(int rules, bool transform, bool metrics) {
  auto s = std::make_unique<Setup>();
  BrokerOptions options;
  options.clock = s->clock;
  options.account_id = "123456789012";
  options.metrics.enabled = metrics;
  s->broker = Broker::Open(options).value();
  service_internal::EventsService::Options o;
  o.account_id = options.account_id;
  o.region = options.region;
  o.clock = s->clock.get();
  s->delivery = std::make_unique<service_internal::QueueDelivery>(
      static_cast<service_internal::SqsServiceImpl&>(s->broker->sqs()));
  o.queues = s->delivery.get();
  o.limits.max_rules_per_event_bus = rules;
  o.metrics = metrics;
  s->events = std::make_unique<service_internal::EventsService>(o);

  std::vector<std::string> queue_arns;
  for (int q = 0; q < kQueues; ++q) {
    std::string name = absl::StrCat("bench-", q);
    auto created = s->broker->sqs().CreateQueue({.queue_name = name});
    s->queue_urls.push_back(created.value().queue_url);
    queue_arns.push_back(
        absl::StrCat("arn:aws:sqs:", options.region, ":", options.account_id, ":", name));
  }
  for (int i = 0; i < rules; ++i) {
    std::string name = absl::StrCat("rule-", i);
    events::PutRuleRequest rule;
    rule.name = name;
    rule.event_pattern =
        absl::StrCat(R"({"source":["shop"],"detail-type":["OrderPlaced"],)",
                     R"("detail":{"customer":["c)", i / kRulesPerCustomer, R"("]}})");
    if (!s->events->PutRule(rule).ok()) return nullptr;
    events::Target target;
    target.id = "q";
    target.arn = queue_arns[i % kQueues];
    if (transform) {
      events::InputTransformer t;
      t.input_paths_map = {{"order", "$.detail.order"}, {"customer", "$.detail.customer"}};
      t.input_template =
          R"({"order": <order>, "who": "<customer>", "rule": "<aws.events.rule-name>"})";
      target.input_transformer = t;
    }
    events::PutTargetsRequest put;
    put.rule = name;
    put.targets = {target};
    auto added = s->events->PutTargets(put);
    if (!added.ok() || added->failed_entry_count != 0) return nullptr;
  }
  s->customers = rules / kRulesPerCustomer;  // Only full groups: 3 matches each.
  return s;
}

void Purge(Setup& s) {
  // PurgeQueue allows one purge per queue per 60 s of (simulated) time.
  s.clock->Advance(absl::Seconds(61));
  for (const auto& url : s.queue_urls) {
    auto purged = s.broker->sqs().PurgeQueue({.queue_url = url});
    benchmark::DoNotOptimize(purged);
  }
}

void BM_PutEvents(benchmark::State& state) {
  const int rules = static_cast<int>(state.range(0));
  const bool transform = state.range(1) != 0;
  const bool metrics = state.range(2) != 0;
  std::unique_ptr<Setup> s = Build(rules, transform, metrics);
  if (s == nullptr || s->customers == 0) {
    state.SkipWithError("setup failed");
    return;
  }
  // Precomputed requests cycling over the customers.
  std::vector<events::PutEventsRequest> requests(64);
  int next_customer = 0;
  for (auto& request : requests) {
    for (int e = 0; e < kEntriesPerCall; ++e) {
      events::PutEventsRequestEntry entry;
      entry.source = "shop";
      entry.detail_type = "OrderPlaced";
      entry.detail = absl::StrCat(R"({"order":)", next_customer * 7 + e, R"(,"customer":"c)",
                                  next_customer, R"(","total":129.5,"items":["a","b"]})");
      next_customer = (next_customer + 1) % s->customers;
      request.entries.push_back(std::move(entry));
    }
  }
  // Outside the timing: the first match after the rules were added builds
  // the bus's automaton.
  if (!s->events->PutEvents(requests[0]).ok()) {
    state.SkipWithError("PutEvents failed");
    return;
  }
  const int64_t matched_before = s->events->TEST_stats().events_matched;
  const int64_t delivered_before = s->events->TEST_stats().deliveries_ok;
  size_t i = 0;
  int since_purge = 0;
  for (auto _ : state) {
    auto result = s->events->PutEvents(requests[i]);
    benchmark::DoNotOptimize(result);
    if (++i == requests.size()) i = 0;
    if (++since_purge == kCallsPerPurge) {
      state.PauseTiming();
      Purge(*s);
      since_purge = 0;
      state.ResumeTiming();
    }
  }
  const int64_t events = state.iterations() * kEntriesPerCall;
  state.SetItemsProcessed(events);
  bus_internal::BusStats stats = s->events->TEST_stats();
  if (events > 0) {
    state.counters["matches/event"] =
        static_cast<double>(stats.events_matched - matched_before) / static_cast<double>(events);
    state.counters["deliveries/event"] =
        static_cast<double>(stats.deliveries_ok - delivered_before) / static_cast<double>(events);
  }
  // For RatioReporter (items_per_second is not among the run's counters).
  state.counters["rate"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["rules"] = rules;
  state.SetLabel(
      absl::StrCat(transform ? "input-transformer" : "envelope", metrics ? "" : " metrics-off"));
}

// Prints the 10,000-rule rate over the 10-rule rate of each family at exit.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      auto rate = run.counters.find("rate");
      auto rules = run.counters.find("rules");
      if (rate == run.counters.end() || rules == run.counters.end()) continue;
      rates_[run.report_label][static_cast<int>(rules->second.value)] = rate->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const auto& [label, by_rules] : rates_) {
      auto low = by_rules.find(10);
      auto high = by_rules.find(10000);
      if (low == by_rules.end() || high == by_rules.end() || low->second <= 0) continue;
      GetOutputStream() << label
                        << ": 10000-rule rate / 10-rule rate = " << high->second / low->second
                        << " (target >= 0.5)\n";
    }
  }

 private:
  std::map<std::string, std::map<int, double>> rates_;
};

BENCHMARK(BM_PutEvents)
    ->ArgNames({"rules", "transform", "metrics"})
    ->ArgsProduct({{10, 1000, 10000}, {0, 1}, {1, 0}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace wharf

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  wharf::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
