#include "broker/base/block_cache.h"

#include <atomic>
#include <cstdint>
#include <new>

#include "absl/base/thread_annotations.h"
#include "broker/base/mutex.h"

namespace wharf::base_internal {
namespace {

// Class c holds blocks of 16 * c + 8 usable bytes: on glibc x86-64 a request
// of n bytes takes a chunk of max(32, n + 8 rounded up to 16), whose usable
// size is 16 * c + 8 for c = (n + 7) / 16, so a block obtained at its class's
// size takes the same chunk as one obtained at n. Class 0 is unused (a free
// block holds two links).
constexpr size_t kClasses = (kMaxCachedBlockBytes + 7) / 16 + 1;
static_assert((kMaxCachedBlockBytes - 8) % 16 == 0, "the largest class is a class size");

constexpr size_t ClassOf(size_t bytes) { return bytes <= 24 ? 1 : (bytes + 7) / 16; }
constexpr size_t ClassBytes(size_t c) { return 16 * c + 8; }
static_assert(ClassBytes(ClassOf(kMaxCachedBlockBytes)) == kMaxCachedBlockBytes);
static_assert(ClassOf(kMaxCachedBlockBytes) == kClasses - 1);

// A free block, in its own first bytes.
struct FreeBlockLink {
  FreeBlockLink* next = nullptr;        // The next block of a list or batch.
  FreeBlockLink* next_batch = nullptr;  // In the depot, on a batch's first block.
};

constexpr uint16_t kMaxListBlocks = 2 * kBlockBatch;
static_assert(kMaxListBlocks <= UINT16_MAX);

// Detaches the first kBlockBatch blocks of a list of at least that many;
// returns the first (the batch, linked through `next`, the last one's null).
FreeBlockLink* TakeBatch(FreeBlockLink*& head) {
  FreeBlockLink* first = head;
  FreeBlockLink* last = first;
  for (size_t i = 1; i < kBlockBatch; ++i) last = last->next;
  head = last->next;
  last->next = nullptr;
  return first;
}

void DeleteChain(FreeBlockLink* block) noexcept {
  while (block != nullptr) {
    FreeBlockLink* next = block->next;
    ::operator delete(static_cast<void*>(block));
    block = next;
  }
}

// The depot: batches of free blocks shared by all threads. It is
// process-wide state, as malloc's own arenas are, and is never destroyed
// (threads may exit, and return their blocks, after static destructors ran).
// A leaf lock: nothing is called while it is held.
class Depot {
 public:
  static Depot& Get() {
    static Depot* const depot = new Depot;
    return *depot;
  }

  // Keeps `batch` (kBlockBatch blocks of class c) unless full; returns
  // whether it did (the caller deletes it otherwise).
  bool Put(size_t c, FreeBlockLink* batch) {
    const size_t bytes = kBlockBatch * ClassBytes(c);
    MutexLock lock(&mu_);
    if (bytes_ + bytes > kMaxDepotBytes) return false;
    bytes_ += bytes;
    batch->next_batch = batches_[c];
    batches_[c] = batch;
    counts_[c].store(counts_[c].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return true;
  }
  // A batch of class c (kBlockBatch blocks linked through `next`), or null.
  FreeBlockLink* Take(size_t c) {
    // Without the lock when there is none (a producer ahead of its
    // consumers finds none on every allocation).
    if (counts_[c].load(std::memory_order_relaxed) == 0) return nullptr;
    MutexLock lock(&mu_);
    FreeBlockLink* batch = batches_[c];
    if (batch == nullptr) return nullptr;
    batches_[c] = batch->next_batch;
    counts_[c].store(counts_[c].load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    bytes_ -= kBlockBatch * ClassBytes(c);
    return batch;
  }
  // Empties the depot; returns its batches, linked through `next_batch`.
  FreeBlockLink* TakeAll() {
    FreeBlockLink* all = nullptr;
    MutexLock lock(&mu_);
    for (size_t c = 1; c < kClasses; ++c) {
      while (FreeBlockLink* batch = batches_[c]) {
        batches_[c] = batch->next_batch;
        batch->next_batch = all;
        all = batch;
      }
      counts_[c].store(0, std::memory_order_relaxed);
    }
    bytes_ = 0;
    return all;
  }
  size_t Count(size_t c) const { return counts_[c].load(std::memory_order_relaxed); }

 private:
  Depot() = default;

  Mutex mu_;
  FreeBlockLink* batches_[kClasses] ABSL_GUARDED_BY(mu_) = {};
  // Batches per class: written under mu_, read without it.
  std::atomic<uint32_t> counts_[kClasses] = {};
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

// A thread's free lists. Trivially destructible and constant-initialized, so
// the fast paths reach it without a thread_local guard; its owner below (a
// thread_local with a destructor) is created when the thread first caches a
// block.
struct ThreadCache {
  enum State : uint8_t {
    kNew,     // Caches nothing yet; its owner is not created.
    kActive,  // Caching; the owner returns the lists at thread exit.
    kExited,  // Returned: frees go to operator delete.
  };
  FreeBlockLink* heads[kClasses] = {};
  uint16_t counts[kClasses] = {};
  size_t bytes = 0;  // Held in all lists.
  State state = kNew;
};
constinit thread_local ThreadCache tl_cache;

// Gives a batch to the depot, or deletes it when the depot is full.
void Release(size_t c, FreeBlockLink* batch) noexcept {
  if (!Depot::Get().Put(c, batch)) DeleteChain(batch);
}

// Returns the thread's lists when the thread exits.
struct ThreadCacheOwner {
  bool created = false;
  ~ThreadCacheOwner() {
    ThreadCache& cache = tl_cache;
    cache.state = ThreadCache::kExited;
    for (size_t c = 1; c < kClasses; ++c) {
      while (cache.counts[c] >= kBlockBatch) {
        Release(c, TakeBatch(cache.heads[c]));
        cache.counts[c] -= kBlockBatch;
      }
      DeleteChain(cache.heads[c]);
      cache.heads[c] = nullptr;
      cache.counts[c] = 0;
    }
    cache.bytes = 0;
  }
};
thread_local ThreadCacheOwner tl_owner;

// Whether the thread caches (creating its owner on first use).
bool Activate(ThreadCache& cache) {
  if (cache.state == ThreadCache::kNew) {
    tl_owner.created = true;  // Constructs the owner: its destructor runs at thread exit.
    cache.state = ThreadCache::kActive;
  }
  return cache.state == ThreadCache::kActive;
}

[[gnu::noinline]] void* AllocateSlow(ThreadCache& cache, size_t c) {
  if (Activate(cache)) {
    if (FreeBlockLink* batch = Depot::Get().Take(c)) {
      cache.heads[c] = batch->next;
      cache.counts[c] = kBlockBatch - 1;
      cache.bytes += (kBlockBatch - 1) * ClassBytes(c);
      return batch;
    }
  }
  return ::operator new(ClassBytes(c));
}

// After `cache`'s list of class c grew past a bound: gives a batch to the
// depot, or frees the block just added when the list has less than a batch.
[[gnu::noinline]] void Overflow(ThreadCache& cache, size_t c) noexcept {
  FreeBlockLink*& head = cache.heads[c];
  if (cache.counts[c] >= kBlockBatch) {
    cache.counts[c] -= kBlockBatch;
    cache.bytes -= kBlockBatch * ClassBytes(c);
    Release(c, TakeBatch(head));
    return;
  }
  FreeBlockLink* block = head;
  head = block->next;
  --cache.counts[c];
  cache.bytes -= ClassBytes(c);
  ::operator delete(static_cast<void*>(block));
}

}  // namespace

void* AllocateBlock(size_t bytes) {
  if (!kBlockCacheEnabled || bytes > kMaxCachedBlockBytes) return ::operator new(bytes);
  const size_t c = ClassOf(bytes);
  ThreadCache& cache = tl_cache;
  FreeBlockLink* block = cache.heads[c];
  if (block == nullptr) [[unlikely]] {
    return AllocateSlow(cache, c);
  }
  cache.heads[c] = block->next;
  --cache.counts[c];
  cache.bytes -= ClassBytes(c);
  return block;
}

void FreeBlock(void* block, size_t bytes) noexcept {
  // Unsized: clang 14 declares the sized operator delete only with
  // -fsized-deallocation.
  if (!kBlockCacheEnabled || bytes > kMaxCachedBlockBytes) return ::operator delete(block);
  const size_t c = ClassOf(bytes);
  ThreadCache& cache = tl_cache;
  if (cache.state != ThreadCache::kActive) [[unlikely]] {
    if (!Activate(cache)) return ::operator delete(block);
  }
  cache.heads[c] = new (block) FreeBlockLink{.next = cache.heads[c]};
  cache.bytes += ClassBytes(c);
  if (++cache.counts[c] > kMaxListBlocks || cache.bytes > kMaxThreadCacheBytes) [[unlikely]] {
    Overflow(cache, c);
  }
}

void TrimBlockDepot() noexcept {
  if (!kBlockCacheEnabled) return;
  FreeBlockLink* batch = Depot::Get().TakeAll();
  while (batch != nullptr) {
    FreeBlockLink* next = batch->next_batch;
    DeleteChain(batch);
    batch = next;
  }
}

size_t BlockAllocationSize(size_t bytes) noexcept {
  return bytes > kMaxCachedBlockBytes ? bytes : ClassBytes(ClassOf(bytes));
}

BlockCacheCounts CountCachedBlocks(size_t bytes) {
  if (!kBlockCacheEnabled || bytes > kMaxCachedBlockBytes) return {};
  const size_t c = ClassOf(bytes);
  return {.thread_blocks = tl_cache.counts[c], .depot_batches = Depot::Get().Count(c)};
}

}  // namespace wharf::base_internal
