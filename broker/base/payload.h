// The immutable content of a message, shared (never copied) by every queue it
// is placed in: an SNS fan-out's subscriber queues, EventBridge targets, a
// queue and its dead-letter queue. A queue holds one per message, so it is
// ONE heap block: a 16-byte header (reference count, body size, attributes)
// followed by the body bytes, held through an 8-byte intrusive handle
// (PayloadRef, a RefPtr); blocks come from block_cache.h (thread caches:
// senders allocate, receivers free). The body's MD5 is computed on each ask
// (a receiver, a SendMessage caller reading its result, the wire layer);
// bodies of kMd5CachedFrom bytes or more cache it in 16 bytes after the body,
// where it costs at most 1/32 of the body (a cache in every header was 16 of
// the ~230 bytes a queued 100-byte message took; recomputing a digest of
// less than 512 bytes takes ~1 µs at most).
//
//   PayloadRef p = NewPayload("hello");      // One allocation.
//   PayloadRef q = p;                        // Shares it: one increment.
//   std::string_view body = q->body();
//
// Thread safety: a Payload is immutable once built (its reference count and
// MD5 cache aside, which are thread-safe) and may be read from any number of
// threads. PayloadRef is a value type: distinct handles (also to one payload)
// may be used, copied and destroyed concurrently; the last one to go frees the
// block (acq_rel: every read through any handle happens before the free).

#ifndef WHARF_BROKER_BASE_PAYLOAD_H_
#define WHARF_BROKER_BASE_PAYLOAD_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "broker/base/digests.h"
#include "broker/base/ref_ptr.h"
#include "wharf/message.h"

namespace wharf::base_internal {

// The parts of a message most messages do not have.
struct PayloadAttributes {
  MessageAttributeMap message_attributes;
  std::string md5_of_message_attributes;         // Over all attributes; empty if none.
  std::string aws_trace_header;                  // Empty if none.
  std::string md5_of_message_system_attributes;  // Empty if no trace header.
};

class Payload;
// A counted reference to a Payload, or null: 8 bytes. Copying adds a
// reference (one atomic increment), moving transfers it, destroying drops it.
using PayloadRef = RefPtr<const Payload>;

// A payload whose body is `parts` one after the other (one allocation, one
// copy of each part), with `attributes` (may be null). Throws
// std::length_error past 4 GiB - 1 bytes (the services bound bodies far
// lower) and std::bad_alloc as operator new does.
PayloadRef ConcatPayload(std::initializer_list<std::string_view> parts,
                         std::unique_ptr<const PayloadAttributes> attributes = nullptr);

// Built only by NewPayload / ConcatPayload / MakePayload, owned through
// PayloadRef (or a lazy Md5Hex). The body bytes follow the header.
class Payload {
 public:
  Payload(const Payload&) = delete;
  Payload& operator=(const Payload&) = delete;

  std::string_view body() const noexcept {
    return {reinterpret_cast<const char*>(this + 1), size_};
  }
  // Null when the message has neither attributes nor a trace header.
  const PayloadAttributes* attributes() const noexcept { return attributes_; }

  // The raw MD5 of the body (ToHex for text). Bodies of kMd5CachedFrom bytes
  // or more compute it on the first call and cache it; smaller ones compute
  // it on every call. Never blocks: callers that find it not yet cached
  // compute it themselves and store it (equal values).
  Md5 md5_of_body() const {
    const std::atomic<uint64_t>* words = Md5Cache();
    if (words != nullptr) {
      const uint64_t high = words[1].load(std::memory_order_acquire);
      if (high != 0) return FromWords(words[0].load(std::memory_order_relaxed), high);
    }
    return ComputeMd5OfBody();
  }
  // Whether md5_of_body() has been cached (tests; never for small bodies).
  bool md5_of_body_cached() const {
    const std::atomic<uint64_t>* words = Md5Cache();
    return words != nullptr && words[1].load(std::memory_order_acquire) != 0;
  }
  // Bodies this long or longer cache their MD5 (16 bytes after the body).
  static constexpr size_t kMd5CachedFrom = 512;
  // The bytes of the block of a payload with a `size`-byte body.
  static constexpr size_t BlockBytes(size_t size) {
    return size < kMd5CachedFrom ? sizeof(Payload) + size
                                 : sizeof(Payload) + ((size + 7) & ~size_t{7}) + 16;
  }

  // Reference counting, for PayloadRef (RefPtr) and Md5Hex. Release drops one
  // reference and frees the block when it was the last one; it returns
  // whether it did (tests). The payload must not be touched through a
  // released reference.
  void Retain() const noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Retain for a payload only the calling thread can reach (built and not yet
  // placed anywhere): a plain increment. A locked one would first wait for
  // the body's stores to leave the store buffer, on the send path.
  void RetainUnpublished() const noexcept {
    refs_.store(refs_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  bool Release() const noexcept {
    // acq_rel: this thread's reads happen before the free; the freeing thread
    // sees every other holder's reads and MD5 cache writes as done.
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return false;
    Destroy();
    return true;
  }
  // The number of references (tests; racy while other threads hold some).
  uint32_t refs() const noexcept { return refs_.load(std::memory_order_acquire); }

 private:
  friend PayloadRef ConcatPayload(std::initializer_list<std::string_view> parts,
                                  std::unique_ptr<const PayloadAttributes> attributes);

  Payload(uint32_t size, const PayloadAttributes* attributes) noexcept
      : size_(size), attributes_(attributes) {}
  ~Payload() { delete attributes_; }
  void Destroy() const noexcept;  // Runs the destructor, gives the block back.

  static Md5 FromWords(uint64_t low, uint64_t high);
  Md5 ComputeMd5OfBody() const;
  // The MD5 cache, or null for a body shorter than kMd5CachedFrom: two words
  // at the first multiple of 8 after the body (rather than a state byte beside
  // 16 bytes): words[1] is stored after words[0] (release), so a reader that
  // sees it non-zero (acquire) sees the whole digest. A digest whose second
  // half is zero (a 2^-64 chance) is never cached, only computed again.
  std::atomic<uint64_t>* Md5Cache() const noexcept {
    if (size_ < kMd5CachedFrom) return nullptr;
    const uintptr_t end = reinterpret_cast<uintptr_t>(this + 1) + size_;
    return reinterpret_cast<std::atomic<uint64_t>*>((end + 7) & ~uintptr_t{7});
  }

  mutable std::atomic<uint32_t> refs_{1};
  const uint32_t size_;                        // Body bytes after the header.
  const PayloadAttributes* const attributes_;  // Owned; null when none.
};
static_assert(sizeof(Payload) == 16, "the header stays 16 bytes: memory per queued message");

// A payload with a copy of `body`.
inline PayloadRef NewPayload(std::string_view body,
                             std::unique_ptr<const PayloadAttributes> attributes = nullptr) {
  return ConcatPayload({body}, std::move(attributes));
}

// SQS's MD5OfMessageAttributes over `attributes` (spec/sqs.md §6): Binary
// types digest binary_value, the others string_value. Empty for none.
std::string AttributesMd5(const MessageAttributeMap& attributes);

// The payload of a message with its digests. `system_attributes` may hold
// AWSTraceHeader (String); other entries are ignored. Allocates the payload
// (body included), and PayloadAttributes only when there are attributes or a
// trace header.
PayloadRef MakePayload(std::string_view body, MessageAttributeMap attributes,
                       const MessageAttributeMap& system_attributes);

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_PAYLOAD_H_
