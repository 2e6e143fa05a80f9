// PutEvents from several threads while rules are added, replaced, enabled,
// disabled and deleted. Checks, against a sequential model: a rule that is
// never touched receives every event exactly once; churned rules never
// receive more than was sent; once the churn stops, only the enabled rules
// deliver. Run under ThreadSanitizer in CI (label stress).

#include <atomic>
#include <barrier>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/service/events_fixture.h"

namespace wharf::testing {
namespace {

constexpr int kProducers = 2;
constexpr int kEventsPerProducer = 1500;
constexpr int kChurnRules = 20;
constexpr uint32_t kSeed = 20260101;

class EventsStressTest : public EventsTest {};

TEST_F(EventsStressTest, PutEventsWhileRulesChange) {
  Recorder stable;
  RuleTo("stable", R"({"source":["load"]})", Callback("stable", stable));
  std::vector<std::unique_ptr<Recorder>> churn;
  std::vector<std::string> churn_arns;
  for (int i = 0; i < kChurnRules; ++i) {
    churn.push_back(std::make_unique<Recorder>());
    churn_arns.push_back(Callback(absl::StrCat("churn", i), *churn.back()));
  }

  std::atomic<bool> producing{true};
  std::barrier start(kProducers + 1);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      start.arrive_and_wait();
      for (int i = 0; i < kEventsPerProducer; ++i) {
        events::PutEventsRequestEntry e{.source = "load",
                                        .detail_type = "tick",
                                        .detail = absl::StrCat(R"({"p":)", p, R"(,"i":)", i, "}")};
        auto r = ev().PutEvents({.entries = {e}});
        ASSERT_TRUE(r.ok() && r->failed_entry_count == 0);
      }
    });
  }
  std::thread mutator([&] {
    std::mt19937 rng(kSeed);
    start.arrive_and_wait();
    int round = 0;
    while (producing.load()) {
      int i = static_cast<int>(rng() % kChurnRules);
      std::string name = absl::StrCat("churn", i);
      switch (rng() % 5) {
        case 0:
        case 1:
          ASSERT_THAT(ev().PutRule({.name = name,
                                    .event_pattern = (round % 2) ? R"({"source":["load"]})"
                                                                 : R"({"detail":{"p":[0]}})"}),
                      IsOk());
          ASSERT_THAT(
              ev().PutTargets({.rule = name, .targets = {{.id = "t", .arn = churn_arns[i]}}}),
              IsOk());
          break;
        case 2:
          (void)ev().DisableRule({.name = name});
          break;
        case 3:
          (void)ev().EnableRule({.name = name});
          break;
        case 4:
          (void)ev().RemoveTargets({.rule = name, .ids = {"t"}});
          ASSERT_THAT(ev().DeleteRule({.name = name}), IsOk());
          break;
      }
      ++round;
    }
  });
  for (auto& t : producers) t.join();
  producing.store(false);
  mutator.join();
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));

  constexpr size_t kTotal = kProducers * kEventsPerProducer;
  EXPECT_EQ(stable.size(), kTotal);
  for (auto& r : churn) EXPECT_LE(r->size(), kTotal);

  // Quiescent: exactly the enabled churn rules with a target deliver now.
  std::vector<size_t> before;
  for (auto& r : churn) before.push_back(r->size());
  ASSERT_THAT(Put("load", "tick", R"({"p":0})"), IsOk());
  for (int i = 0; i < kChurnRules; ++i) {
    std::string name = absl::StrCat("churn", i);
    auto rule = ev().DescribeRule({.name = name});
    bool live = rule.ok() && rule->state == "ENABLED" &&
                !ev().ListTargetsByRule({.rule = name})->targets.empty();
    EXPECT_EQ(churn[i]->size() - before[i], live ? 1u : 0u) << name;
  }
}

}  // namespace
}  // namespace wharf::testing
