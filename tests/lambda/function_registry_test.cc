// The Lambda core's FunctionRegistry on its own: the asynchronous queue's
// bound and the counters it keeps for metrics.

#include "broker/lambda/function_registry.h"

#include <memory>
#include <string>

#include "broker/base/executor.h"
#include "broker/base/scheduler.h"
#include "gtest/gtest.h"
#include "wharf/clock.h"
#include "wharf/errors.h"

namespace wharf::lambda_internal {
namespace {

class FunctionRegistryTest : public ::testing::Test {
 protected:
  FunctionRegistryTest()
      : scheduler_(clock_),
        executor_(std::make_shared<ManualExecutor>()),
        registry_(FunctionRegistry::Create({.clock = &clock_,
                                            .scheduler = &scheduler_,
                                            .executor = executor_,
                                            .destinations = nullptr,
                                            .max_pending_async = 2})) {
    auto function = std::make_shared<Function>();
    function->name = "f";
    function->arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
    function->handler = [this](const lambda::Invocation&) -> absl::StatusOr<std::string> {
      ++runs_;
      return std::string("{}");
    };
    function_ = function;
    EXPECT_TRUE(registry_->Add(function_));
  }
  ~FunctionRegistryTest() override {
    executor_->Shutdown();
    scheduler_.Shutdown();
  }

  ManualClock clock_;
  Scheduler scheduler_;
  std::shared_ptr<ManualExecutor> executor_;
  std::shared_ptr<FunctionRegistry> registry_;
  std::shared_ptr<const Function> function_;
  int runs_ = 0;
};

TEST_F(FunctionRegistryTest, AFullAsyncQueueThrottlesAndCountsIt) {
  EXPECT_TRUE(registry_->InvokeAsync(*function_, "{}").ok());
  EXPECT_TRUE(registry_->InvokeAsync(*function_, "{}").ok());
  absl::Status third = registry_->InvokeAsync(*function_, "{}");
  EXPECT_EQ(GetErrorCode(third), ErrorCode::kLambdaTooManyRequests);
  FunctionCounterValues before = Read(*function_->counters);
  EXPECT_EQ(before.throttles, 1u);
  EXPECT_EQ(before.async_received, 2u);
  EXPECT_EQ(before.invocations, 0u);

  executor_->RunUntilIdle();
  EXPECT_EQ(runs_, 2);
  FunctionCounterValues after = Read(*function_->counters);
  EXPECT_EQ(after.invocations, 2u);
  EXPECT_EQ(after.errors, 0u);
  EXPECT_EQ(after.running, 0);
  // Room again once the queued events ran.
  EXPECT_TRUE(registry_->InvokeAsync(*function_, "{}").ok());
}

TEST_F(FunctionRegistryTest, ARunningHandlerCountsAsAConcurrentExecution) {
  int64_t seen = -1;
  auto function = std::make_shared<Function>(*function_);
  function->handler = [&](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    seen = function_->counters->running.load();
    return std::string("{}");
  };
  ASSERT_TRUE(registry_->Replace(function));
  lambda::Invocation invocation("{}", function->arn, "id", clock_.Now() + absl::Seconds(3));
  RunOutcome outcome = registry_->Run(*function, invocation);
  EXPECT_FALSE(outcome.function_error);
  EXPECT_EQ(seen, 1);  // The replaced snapshot shares the counters.
  EXPECT_EQ(Read(*function_->counters).running, 0);
  EXPECT_EQ(Read(*function_->counters).invocations, 1u);
}

}  // namespace
}  // namespace wharf::lambda_internal
