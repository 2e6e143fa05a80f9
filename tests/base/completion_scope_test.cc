// CompletionScope: completions handed over while a scope is open run when
// the outermost scope ends, in order, with no scope open; with none open
// they run at once. Checked builds abort on a completion that would run
// under a wharf lock.

#include "broker/base/completion_scope.h"

#include <string>
#include <vector>

#include "broker/base/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(CompletionScopeTest, WithNoScopeOpenACompletionRunsAtOnce) {
  std::vector<std::string> ran;
  EXPECT_FALSE(CompletionScope::Open());
  CompletionScope::Run([&] { ran.push_back("now"); });
  EXPECT_THAT(ran, ElementsAre("now"));
}

TEST(CompletionScopeTest, TheOutermostScopeRunsEverythingInOrderWhenItEnds) {
  std::vector<std::string> ran;
  {
    CompletionScope outer;
    CompletionScope::Run([&] { ran.push_back("a"); });
    {
      CompletionScope inner;
      CompletionScope::Run([&] { ran.push_back("b"); });
    }
    EXPECT_THAT(ran, IsEmpty());  // The inner scope's end runs nothing.
    CompletionScope::Run([&] { ran.push_back("c"); });
    EXPECT_THAT(ran, IsEmpty());
  }
  EXPECT_THAT(ran, ElementsAre("a", "b", "c"));
  EXPECT_FALSE(CompletionScope::Open());
}

TEST(CompletionScopeTest, CompletionsRunAfterTheLockTakenInsideTheScope) {
  Mutex mu;
  bool held_when_run = true;
  {
    CompletionScope completions;
    MutexLock lock(&mu);
    CompletionScope::Run([&] {
      // Would self-deadlock if it ran under the lock.
      if (mu.TryLock()) {
        held_when_run = false;
        mu.Unlock();
      }
    });
  }
  EXPECT_FALSE(held_when_run);
}

TEST(CompletionScopeTest, WhatACompletionCausesRunsInlineOrInItsOwnScope) {
  std::vector<std::string> ran;
  {
    CompletionScope scope;
    CompletionScope::Run([&] {
      EXPECT_FALSE(CompletionScope::Open());
      CompletionScope::Run([&] { ran.push_back("inline"); });
      {
        CompletionScope own;
        CompletionScope::Run([&] { ran.push_back("own"); });
        ran.push_back("before own ends");
      }
      ran.push_back("first");
    });
  }
  EXPECT_THAT(ran, ElementsAre("inline", "before own ends", "own", "first"));
}

#ifdef WHARF_LOCK_CHECKS
TEST(CompletionScopeDeathTest, ACompletionUnderALockWithNoScopeAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Mutex mu;
  EXPECT_DEATH(
      {
        MutexLock lock(&mu);
        CompletionScope::Run([] {});
      },
      "ran while its thread held 1 lock");
  EXPECT_DEATH(
      {
        MutexLock lock(&mu);
        CompletionScope::CheckMayComplete("a queue call");
      },
      "a queue call ran while");
}
#endif

}  // namespace
}  // namespace wharf
