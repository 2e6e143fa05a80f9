#include "broker/base/ref_ptr.h"

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace wharf::base_internal {
namespace {

// Counts its destructions in a counter the test owns.
struct Note : RefCounted<Note> {
  explicit Note(std::atomic<int>* destroyed) : destroyed(destroyed) {}
  ~Note() { destroyed->fetch_add(1); }
  std::atomic<int>* destroyed = nullptr;
  std::string text;
};

TEST(RefPtrTest, SharesOneObjectAndFreesItWithTheLastReference) {
  std::atomic<int> destroyed{0};
  RefPtr<Note> made = MakeRef<Note>(&destroyed);
  made->text = "hello";
  RefPtr<const Note> a = std::move(made);  // To const: the reference moves.
  EXPECT_EQ(made, nullptr);                // NOLINT(bugprone-use-after-move)
  RefPtr<const Note> b = a;
  EXPECT_EQ(a, b);
  EXPECT_EQ(b->text, "hello");
  a.reset();
  EXPECT_EQ(destroyed.load(), 0);
  const RefPtr<const Note>& same = b;
  b = same;  // Self-assignment keeps the reference.
  EXPECT_EQ(destroyed.load(), 0);
  b = nullptr;
  EXPECT_EQ(destroyed.load(), 1);
  EXPECT_FALSE(static_cast<bool>(b));
}

TEST(RefPtrTest, ConcurrentCopiesAndDropsFreeOnce) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> destroyed{0};
    RefPtr<const Note> note = MakeRef<Note>(&destroyed);
    std::vector<RefPtr<const Note>> held(kThreads, note);
    note.reset();
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        RefPtr<const Note> mine = std::move(held[t]);
        start.arrive_and_wait();
        std::vector<RefPtr<const Note>> copies(32, mine);
        copies.clear();
        mine.reset();
      });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_EQ(destroyed.load(), 1) << "round " << round;
  }
}

}  // namespace
}  // namespace wharf::base_internal
