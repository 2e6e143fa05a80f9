#include "broker/base/block_cache.h"

#include <malloc.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/payload.h"
#include "gtest/gtest.h"

// Sanitizers' allocators report other usable sizes than glibc's.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WHARF_SANITIZED_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WHARF_SANITIZED_MALLOC 1
#endif
#endif

namespace wharf::base_internal {
namespace {

// Why the cache tests do not run in ASan builds.
constexpr char kBypassed[] =
    "ASan builds bypass the block cache (every block is operator new / delete) so that ASan "
    "reports a use after free of a payload";

// Runs `body` on a fresh thread: its cache starts empty, and its exit returns
// what it cached.
template <typename F>
void OnNewThread(F body) {
  std::thread thread(body);
  thread.join();
}

size_t DepotBatches(size_t bytes) { return CountCachedBlocks(bytes).depot_batches; }
size_t ThreadBlocks(size_t bytes) { return CountCachedBlocks(bytes).thread_blocks; }

// `n` blocks of `bytes` allocated on a thread that has exited since. The
// depot outlives tests, so a thread's allocations may take a batch left by
// an earlier test; a thread that only frees starts with an empty list.
std::vector<void*> AllocatedElsewhere(size_t n, size_t bytes) {
  std::vector<void*> blocks;
  OnNewThread([&] {
    for (size_t i = 0; i < n; ++i) blocks.push_back(AllocateBlock(bytes));
  });
  return blocks;
}

TEST(BlockCacheTest, ClassesKeepMallocsChunkSize) {
  EXPECT_EQ(BlockAllocationSize(1), 24u);
  EXPECT_EQ(BlockAllocationSize(24), 24u);
  EXPECT_EQ(BlockAllocationSize(25), 40u);
  EXPECT_EQ(BlockAllocationSize(32 + 100), 136u);  // A payload with a 100-byte body.
  EXPECT_EQ(BlockAllocationSize(32 + 256), 296u);
  EXPECT_EQ(BlockAllocationSize(kMaxCachedBlockBytes), kMaxCachedBlockBytes);
  EXPECT_EQ(BlockAllocationSize(kMaxCachedBlockBytes + 1), kMaxCachedBlockBytes + 1);
  EXPECT_EQ(BlockAllocationSize(100000), 100000u);
  for (size_t bytes = 1; bytes <= kMaxCachedBlockBytes; ++bytes) {
    const size_t size = BlockAllocationSize(bytes);
    ASSERT_GE(size, bytes);
    ASSERT_LT(size, std::max<size_t>(bytes + 16, 25));  // 24 bytes at least.
    ASSERT_EQ(size % 16, 8u) << bytes;
#if defined(__GLIBC__) && !defined(WHARF_SANITIZED_MALLOC)
    // glibc gives a request of `bytes` at least `size` usable bytes (more when
    // the rest of a free chunk it splits would be too small to keep), so a
    // block obtained at its class's size takes no more memory.
    void* block = std::malloc(bytes);
    EXPECT_GE(malloc_usable_size(block), size) << bytes;
    std::free(block);
#endif
  }
}

TEST(BlockCacheTest, AFreedBlockComesBackToItsThread) {
  if (!kBlockCacheEnabled) GTEST_SKIP() << kBypassed;
  OnNewThread([] {
    constexpr size_t kBytes = 500;
    void* block = AllocateBlock(kBytes);
    std::memset(block, 'a', kBytes);
    const size_t cached = ThreadBlocks(kBytes);  // Not 0 if it took a batch.
    FreeBlock(block, kBytes);
    EXPECT_EQ(ThreadBlocks(kBytes), cached + 1);
    // Any size of the class gets it.
    const size_t other = BlockAllocationSize(kBytes);
    EXPECT_EQ(AllocateBlock(other), block);
    EXPECT_EQ(ThreadBlocks(kBytes), cached);
    FreeBlock(block, other);
    // Another class does not.
    void* larger = AllocateBlock(other + 1);
    EXPECT_NE(larger, block);
    FreeBlock(larger, other + 1);
    EXPECT_EQ(ThreadBlocks(kBytes), cached + 1);
  });
}

TEST(BlockCacheTest, AThreadOverItsBoundHandsABatchToTheDepotAndAnotherTakesIt) {
  if (!kBlockCacheEnabled) GTEST_SKIP() << kBypassed;
  constexpr size_t kBytes = 700;
  TrimBlockDepot();  // Room for the batches below.
  const std::vector<void*> blocks = AllocatedElsewhere(2 * kBlockBatch + 1, kBytes);
  const std::set<void*> freed(blocks.begin(), blocks.end());
  const size_t depot_before = DepotBatches(kBytes);
  OnNewThread([&] {
    for (size_t i = 0; i < 2 * kBlockBatch; ++i) {
      FreeBlock(blocks[i], kBytes);
      EXPECT_EQ(ThreadBlocks(kBytes), i + 1);
    }
    EXPECT_EQ(DepotBatches(kBytes), depot_before);
    FreeBlock(blocks.back(), kBytes);  // One past the bound: a batch moves.
    EXPECT_EQ(ThreadBlocks(kBytes), kBlockBatch + 1);
    EXPECT_EQ(DepotBatches(kBytes), depot_before + 1);
  });
  // The thread's exit returned one more batch (and freed the odd block).
  EXPECT_EQ(DepotBatches(kBytes), depot_before + 2);
  OnNewThread([&] {
    std::set<void*> taken;
    for (size_t i = 0; i < 2 * kBlockBatch; ++i) {
      void* block = AllocateBlock(kBytes);
      EXPECT_TRUE(freed.count(block)) << i;
      EXPECT_TRUE(taken.insert(block).second) << "handed out twice: " << i;
      if (i == 0) {
        EXPECT_EQ(ThreadBlocks(kBytes), kBlockBatch - 1);
        EXPECT_EQ(DepotBatches(kBytes), depot_before + 1);
      }
    }
    EXPECT_EQ(DepotBatches(kBytes), depot_before);
    for (void* block : taken) FreeBlock(block, kBytes);
  });
}

TEST(BlockCacheTest, ThreadExitReturnsItsBlocks) {
  if (!kBlockCacheEnabled) GTEST_SKIP() << kBypassed;
  constexpr size_t kBytes = 600;
  TrimBlockDepot();  // Room for the batch below.
  const std::vector<void*> blocks = AllocatedElsewhere(kBlockBatch + 5, kBytes);
  const std::set<void*> cached(blocks.begin(), blocks.end());
  const size_t depot_before = DepotBatches(kBytes);
  OnNewThread([&] {
    for (void* block : blocks) FreeBlock(block, kBytes);
    EXPECT_EQ(ThreadBlocks(kBytes), kBlockBatch + 5);
    EXPECT_EQ(DepotBatches(kBytes), depot_before);
  });
  // A whole batch went to the depot; the other 5 were freed.
  EXPECT_EQ(DepotBatches(kBytes), depot_before + 1);
  OnNewThread([&] {
    void* block = AllocateBlock(kBytes);
    EXPECT_TRUE(cached.count(block));
    FreeBlock(block, kBytes);
  });
}

// Frees its block from a thread_local destructor that runs after the cache
// returned the thread's lists.
struct FreedLateInThreadExit {
  void* block = nullptr;
  size_t bytes = 0;
  size_t* cached_after = nullptr;
  ~FreedLateInThreadExit() {
    if (block == nullptr) return;
    FreeBlock(block, bytes);
    *cached_after = ThreadBlocks(bytes);
  }
};

TEST(BlockCacheTest, FreesLateInAThreadsExitBypassTheCache) {
  if (!kBlockCacheEnabled) GTEST_SKIP() << kBypassed;
  constexpr size_t kBytes = 400;
  size_t cached_after = 99;
  OnNewThread([&] {
    // Constructed before the cache's per-thread owner (created by the first
    // allocation below), so destroyed after it.
    thread_local FreedLateInThreadExit late;
    late.block = AllocateBlock(kBytes);
    late.bytes = kBytes;
    late.cached_after = &cached_after;
    FreeBlock(AllocateBlock(kBytes), kBytes);
    EXPECT_GE(ThreadBlocks(kBytes), 1u);
  });
  // The late free went to operator delete, not to a list nobody returns.
  EXPECT_EQ(cached_after, 0u);
}

TEST(BlockCacheTest, ThreadAndDepotStayBounded) {
  if (!kBlockCacheEnabled) GTEST_SKIP() << kBypassed;
  // The largest classes, so that the thread's byte bound binds before the
  // per-class one.
  constexpr std::array<size_t, 6> kSizes = {kMaxCachedBlockBytes,      kMaxCachedBlockBytes - 16,
                                            kMaxCachedBlockBytes - 32, kMaxCachedBlockBytes - 48,
                                            kMaxCachedBlockBytes - 64, kMaxCachedBlockBytes - 80};
  OnNewThread([&] {
    std::vector<void*> blocks;
    for (size_t bytes : kSizes) {
      for (size_t i = 0; i < 2 * kBlockBatch; ++i) blocks.push_back(AllocateBlock(bytes));
    }
    size_t k = 0;
    for (size_t bytes : kSizes) {
      for (size_t i = 0; i < 2 * kBlockBatch; ++i) FreeBlock(blocks[k++], bytes);
    }
    size_t held = 0;
    for (size_t bytes : kSizes) {
      EXPECT_LE(ThreadBlocks(bytes), 2 * kBlockBatch);
      held += ThreadBlocks(bytes) * BlockAllocationSize(bytes);
    }
    EXPECT_LE(held, kMaxThreadCacheBytes);
    EXPECT_GT(held, kMaxThreadCacheBytes - kBlockBatch * kMaxCachedBlockBytes);

    // Far more than the depot holds, freed by this thread.
    const size_t over = 2 * kMaxDepotBytes / kMaxCachedBlockBytes;
    blocks.clear();
    for (size_t i = 0; i < over; ++i) blocks.push_back(AllocateBlock(kMaxCachedBlockBytes));
    for (void* block : blocks) FreeBlock(block, kMaxCachedBlockBytes);
    EXPECT_LE(ThreadBlocks(kMaxCachedBlockBytes), 2 * kBlockBatch);
    EXPECT_LE(DepotBatches(kMaxCachedBlockBytes) * kBlockBatch * kMaxCachedBlockBytes,
              kMaxDepotBytes);
    EXPECT_GT(DepotBatches(kMaxCachedBlockBytes), 0u);
  });
  TrimBlockDepot();
  for (size_t bytes : kSizes) EXPECT_EQ(DepotBatches(bytes), 0u);
}

TEST(BlockCacheTest, LargerBlocksAreNotCached) {
  OnNewThread([] {
    constexpr size_t kBytes = kMaxCachedBlockBytes + 1;
    void* block = AllocateBlock(kBytes);
    std::memset(block, 'b', kBytes);
    FreeBlock(block, kBytes);
    EXPECT_EQ(ThreadBlocks(kBytes), 0u);
    EXPECT_EQ(DepotBatches(kBytes), 0u);
  });
}

// Payloads of every body size around the classes' bounds and past the cached
// range: each holds its own body, and a payload's block is reused for the
// next payload of its class on the same thread.
TEST(BlockCacheTest, PayloadsOfEverySizeAcrossClasses) {
  OnNewThread([] {
    size_t max_body = 0;  // The largest body whose block is cached.
    while (Payload::BlockBytes(max_body + 1) <= kMaxCachedBlockBytes) ++max_body;
    for (size_t n = 0; n <= max_body + 64; ++n) {
      const std::string body(n, static_cast<char>('a' + n % 26));
      PayloadRef first = NewPayload(body);
      ASSERT_EQ(first->body(), body);
      const void* const address = first.get();
      first.reset();
      const std::string next(n, 'z');
      PayloadRef second = NewPayload(next);
      ASSERT_EQ(second->body(), next);
      if (kBlockCacheEnabled && Payload::BlockBytes(n) <= kMaxCachedBlockBytes) {
        EXPECT_EQ(second.get(), address) << n;
      }
      // Live at once, two payloads of one class never share a block.
      PayloadRef third = NewPayload(body);
      ASSERT_NE(third.get(), second.get());
      EXPECT_EQ(second->body(), next);
      EXPECT_EQ(third->body(), body);
    }
  });
}

// A single-producer single-consumer ring: release/acquire on its indices is
// the only ordering between the two threads besides the cache's own (a
// mutex-protected channel would order the consumer's frees before the
// producer's allocations and hide a missing order in the cache from TSan).
struct Ring {
  static constexpr size_t kSlots = 256;
  struct Item {
    unsigned char* block = nullptr;
    size_t bytes = 0;
    uint64_t stamp = 0;
  };
  std::array<Item, kSlots> items;
  std::atomic<size_t> head{0};  // Next to pop (consumer).
  std::atomic<size_t> tail{0};  // Next to push (producer).

  bool Push(const Item& item) {
    const size_t t = tail.load(std::memory_order_relaxed);
    if (t - head.load(std::memory_order_acquire) == kSlots) return false;
    items[t % kSlots] = item;
    tail.store(t + 1, std::memory_order_release);
    return true;
  }
  bool Pop(Item& item) {
    const size_t h = head.load(std::memory_order_relaxed);
    if (h == tail.load(std::memory_order_acquire)) return false;
    item = items[h % kSlots];
    head.store(h + 1, std::memory_order_release);
    return true;
  }
};

// Fills a live block with its owner's stamp; Check finds it intact if no one
// else was handed the block while it lived.
void Stamp(unsigned char* block, size_t bytes, uint64_t stamp) {
  std::memset(block, static_cast<int>(stamp & 0xff), bytes);
  std::memcpy(block, &stamp, sizeof stamp);
}
bool Intact(const unsigned char* block, size_t bytes, uint64_t stamp) {
  uint64_t head = 0;
  std::memcpy(&head, block, sizeof head);
  if (head != stamp) return false;
  for (size_t i = sizeof stamp; i < bytes; ++i) {
    if (block[i] != static_cast<unsigned char>(stamp & 0xff)) return false;
  }
  return true;
}

// The blocks alive now, to catch one handed out twice. Open addressing over
// relaxed atomics: it adds no ordering between threads (a lock would order
// a consumer's free before a producer's allocation and hide from TSan an
// order the cache itself misses).
class LiveBlocks {
 public:
  // False if `block` is alive already.
  bool Add(const void* block) {
    const uintptr_t key = reinterpret_cast<uintptr_t>(block);
    for (size_t i = Hash(key);; i = (i + 1) % kSlots) {
      uintptr_t seen = slots_[i].load(std::memory_order_relaxed);
      if (seen == key) return false;
      if (seen == kEmpty) {
        if (slots_[i].compare_exchange_strong(seen, key, std::memory_order_relaxed)) return true;
        if (seen == key) return false;
      }
    }
  }
  // Before the block is freed (then another thread may be handed it). False
  // if it was not alive.
  bool Remove(const void* block) {
    const uintptr_t key = reinterpret_cast<uintptr_t>(block);
    for (size_t i = Hash(key);; i = (i + 1) % kSlots) {
      uintptr_t seen = key;
      if (slots_[i].compare_exchange_strong(seen, kRemoved, std::memory_order_relaxed)) return true;
      if (seen == kEmpty) return false;
    }
  }

 private:
  static constexpr size_t kSlots = 1 << 20;  // More than the blocks a run allocates.
  static constexpr uintptr_t kEmpty = 0;
  static constexpr uintptr_t kRemoved = 1;
  static size_t Hash(uintptr_t key) { return (key >> 4) * 0x9e3779b97f4a7c15ull % kSlots; }
  std::vector<std::atomic<uintptr_t>> slots_ = std::vector<std::atomic<uintptr_t>>(kSlots);
};

// Two producers allocate blocks of sizes across class bounds (and some past
// the cached range), stamp them and pass them to two consumers, which check
// the stamps and free them: blocks move between threads through the depot.
// The producers also keep some blocks alive a while and free them
// themselves. No block is handed out twice while alive (the live set says
// so, its stamp stays intact, and TSan reports two owners' writes).
TEST(BlockCacheTest, ProducersAndConsumersNeverShareALiveBlock) {
  constexpr int kProducers = 2;
  constexpr int kConsumers = 2;
  constexpr uint64_t kPerProducer = 100000;
  // Either side of class bounds, and past the cached range; few classes, so
  // that the consumers' lists overflow into the depot.
  constexpr std::array<size_t, 8> kSizes = {
      24, 25, 32 + 100, 32 + 256, 32 + 257, kMaxCachedBlockBytes, kMaxCachedBlockBytes + 1, 4000};
  std::array<std::array<Ring, kConsumers>, kProducers> rings;
  std::atomic<uint64_t> consumed{0};
  std::atomic<int> broken{0};
  std::atomic<int> twice{0};
  LiveBlocks live;
  // Checks and frees a block of `item`.
  auto drop = [&](const Ring::Item& item) {
    if (!Intact(item.block, item.bytes, item.stamp)) broken.fetch_add(1);
    if (!live.Remove(item.block)) twice.fetch_add(1);
    FreeBlock(item.block, item.bytes);
  };
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      std::vector<Ring::Item> kept;
      uint64_t rng = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(p + 1);
      for (uint64_t i = 0; i < kPerProducer; ++i) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        const size_t bytes = kSizes[rng % kSizes.size()];
        const uint64_t stamp = (static_cast<uint64_t>(p) << 56) | (i + 1);
        Ring::Item item{static_cast<unsigned char*>(AllocateBlock(bytes)), bytes, stamp};
        if (!live.Add(item.block)) twice.fetch_add(1);
        Stamp(item.block, bytes, stamp);
        if (rng % 8 == 0) {  // Kept by the producer for a while.
          kept.push_back(item);
          if (kept.size() == 50) {
            for (const Ring::Item& k : kept) drop(k);
            kept.clear();
          }
          consumed.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        Ring& ring = rings[p][(rng >> 8) % kConsumers];
        while (!ring.Push(item)) std::this_thread::yield();
      }
      for (const Ring::Item& k : kept) drop(k);
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&, c] {
      Ring::Item item;
      while (consumed.load(std::memory_order_relaxed) < kProducers * kPerProducer) {
        bool any = false;
        for (int p = 0; p < kProducers; ++p) {
          while (rings[p][c].Pop(item)) {
            any = true;
            drop(item);
            consumed.fetch_add(1, std::memory_order_relaxed);
          }
        }
        if (!any) std::this_thread::yield();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(twice.load(), 0);
  EXPECT_EQ(broken.load(), 0);
  EXPECT_EQ(consumed.load(), kProducers * kPerProducer);
}

}  // namespace
}  // namespace wharf::base_internal
