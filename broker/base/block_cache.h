// A small, bounded, thread-caching cache of heap blocks for payloads
// (broker/base/payload.h), in the style of tcmalloc's transfer cache. A
// message's payload is allocated by the sending thread and freed by the
// receiving one; through malloc that costs ~0.5k instructions per message and
// moves the arena's lock between cores. Here:
//
//   - Blocks up to kMaxCachedBlockBytes fall in size classes of malloc's own
//     granularity (usable sizes 24, 40, 56, ..., 16 * c + 8 bytes): a block is
//     still obtained from operator new, at its class's size, which glibc
//     rounds to the same chunk as the exact request. Memory per block does not
//     grow. Larger blocks go straight to operator new / delete.
//   - Each thread keeps a free list per class (LIFO: a block freed by a thread
//     comes back to that thread's next allocation of its class).
//   - A thread whose list of a class grows past 2 * kBlockBatch blocks hands
//     kBlockBatch of them to a process-wide depot as one batch (one lock per
//     kBlockBatch frees); a thread whose list is empty takes a whole batch
//     from the depot (one lock per kBlockBatch allocations) before it falls
//     back to operator new. So a producer/consumer pair moves blocks from the
//     consumer's thread to the producer's in batches.
//   - Bounded: a thread's lists hold at most 2 * kBlockBatch blocks of a class
//     and kMaxThreadCacheBytes in all (beyond, frees go to operator delete;
//     a batch just taken from the depot may pass the byte bound until the
//     thread's next free); the depot holds at most kMaxDepotBytes of usable
//     block bytes (beyond, a batch is deleted). A Broker's destruction
//     empties the depot (TrimBlockDepot).
//   - Not fork-safe: a child forked while another thread holds the depot's
//     lock blocks on its first use of the depot (fork then exec is fine).
//   - A thread's lists go back to the depot (whole batches) or to operator
//     delete (the rest) when the thread exits. Frees that come later in its
//     exit (other thread_local destructors) go straight to operator delete.
//
// ASan builds bypass the cache (every call is operator new / delete), so that
// ASan still reports a use after free or a leak of a payload block.
//
// Thread safety: every function may be called from any thread. A block may be
// freed by a thread other than the one that allocated it (that is the point);
// FreeBlock must get the same `bytes` as the AllocateBlock that returned it.

#ifndef WHARF_BROKER_BASE_BLOCK_CACHE_H_
#define WHARF_BROKER_BASE_BLOCK_CACHE_H_

#include <cstddef>

namespace wharf::base_internal {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kBlockCacheEnabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kBlockCacheEnabled = false;
#else
inline constexpr bool kBlockCacheEnabled = true;
#endif
#else
inline constexpr bool kBlockCacheEnabled = true;
#endif

// Blocks moved between a thread and the depot at once.
inline constexpr size_t kBlockBatch = 32;
// Larger blocks are never cached.
inline constexpr size_t kMaxCachedBlockBytes = 1016;
// What one thread's lists hold at most, all classes together.
inline constexpr size_t kMaxThreadCacheBytes = 256 * 1024;
// What the depot holds at most, all classes together: ~28,000 blocks of a
// 256-byte message, so that the blocks of a burst drained by consumers serve
// the next burst (malloc keeps freed memory too; TrimBlockDepot frees it).
inline constexpr size_t kMaxDepotBytes = 8 * 1024 * 1024;

// A block of at least `bytes` bytes, aligned as operator new's. Throws
// std::bad_alloc as operator new does.
void* AllocateBlock(size_t bytes);
// Frees a block from AllocateBlock(bytes) (same `bytes`).
void FreeBlock(void* block, size_t bytes) noexcept;

// Frees every batch the depot holds (as malloc_trim gives memory back; the
// threads' own lists stay). Called when a Broker is destroyed.
void TrimBlockDepot() noexcept;

// The size a block of `bytes` is obtained at (its class's size), or `bytes`
// itself above kMaxCachedBlockBytes.
size_t BlockAllocationSize(size_t bytes) noexcept;

// What the cache holds now for blocks of `bytes`' class (tests).
struct BlockCacheCounts {
  size_t thread_blocks = 0;  // In the calling thread's list.
  size_t depot_batches = 0;  // In the depot, kBlockBatch blocks each.
};
BlockCacheCounts CountCachedBlocks(size_t bytes);

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_BLOCK_CACHE_H_
