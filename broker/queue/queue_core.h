// The internal contract between the SQS service layer (broker/service/) and a
// queue engine: StandardQueue (broker/queue/) or FifoQueue (broker/fifo/).
//
// The service validates requests, parses attributes into a typed QueueConfig,
// builds the shared Payload once per send, and turns Deliveries into
// sqs::Message results. A QueueCore owns message state only: ready / delayed /
// in-flight / deleted, receipt handles, deadlines, long-poll waiting,
// retention, and the move of over-received messages to the dead-letter sink.
//
// Thread safety: every QueueCore method is thread-safe. DeadLetterSink::Accept
// and ReceiveDone completions are called with no QueueCore lock held (so a
// queue may be its own DLQ's DLQ without deadlock, and a completion may call
// the queue again).

#ifndef WHARF_BROKER_QUEUE_QUEUE_CORE_H_
#define WHARF_BROKER_QUEUE_QUEUE_CORE_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/hex.h"
#include "broker/base/ids.h"
#include "broker/base/payload.h"
#include "broker/base/storage.h"

namespace wharf::queue_internal {

// Immutable message content, shared (never copied) between the queues an SNS
// topic fans out to, and between a queue and its dead-letter queue
// (broker/base/payload.h).
using Payload = base_internal::Payload;
using PayloadRef = base_internal::PayloadRef;
using PayloadAttributes = base_internal::PayloadAttributes;

// Typed queue configuration, parsed from attributes by the service layer.
// Changes (SetQueueAttributes) are applied with QueueCore::SetConfig.
struct QueueConfig {
  absl::Duration visibility_timeout = absl::Seconds(30);
  absl::Duration delay = absl::ZeroDuration();
  absl::Duration retention = absl::Seconds(345600);
  // Redrive: a message whose receive count would exceed this is moved to the
  // DeadLetterSink instead of being returned. 0 = no redrive policy.
  int max_receive_count = 0;
  // Standard queues: ReceiveMessage fails with OverLimit at this many in flight.
  // FIFO: returns no messages instead.
  int max_inflight = 120000;

  // FIFO only.
  bool content_based_deduplication = false;
  enum class DeduplicationScope { kQueue, kMessageGroup };
  DeduplicationScope deduplication_scope = DeduplicationScope::kQueue;
};

// Text stored inside the object up to N bytes, on the heap beyond: the
// message id and receipt handle of a Delivery, written on every receive
// without an allocation (ids are 36-character UUIDs and handles at most 58
// characters; only an id carried over from elsewhere may be longer). Reads as
// a std::string_view.
//
// A text may also be set from its bits (SetUuid, SetHex40): it is then
// written on its first read, so a caller that never reads it (a consumer
// that deletes by handle and ignores the id; a sender that ignores the new
// id) never pays for the formatting, and a receive completed on a waking
// thread leaves it to the woken one. Such a read writes the object: like any
// non-const use, one thread at a time (a Delivery or SendOutcome has one
// owner).
template <size_t N>
class InlineText {
  static constexpr uint8_t kOnHeap = 255;
  static constexpr uint8_t kPendingUuid = 254;  // inline_ holds a Uuid's hi and lo.
  static constexpr uint8_t kPendingHex = 253;   // inline_ holds SetHex40's a, b and c.
  static_assert(N >= 40 && N < kPendingHex, "holds 40 characters; the size is kept in one byte");

 public:
  InlineText& operator=(std::string_view text) {
    assign(text);
    return *this;
  }

  void assign(std::string_view text) {
    if (text.size() <= N) {
      std::memcpy(inline_, text.data(), text.size());
      size_ = static_cast<uint8_t>(text.size());
      heap_.clear();
    } else {
      heap_.assign(text.data(), text.size());
      size_ = kOnHeap;
    }
  }
  // Makes the text `size` bytes (at most N) and returns them to be written.
  char* Overwrite(size_t size) {
    size_ = static_cast<uint8_t>(size);
    heap_.clear();
    return inline_;
  }
  // The canonical text of `id` (base_internal::FormatUuid, 36 characters).
  void SetUuid(const base_internal::Uuid& id) {
    std::memcpy(inline_, &id.hi, 8);
    std::memcpy(inline_ + 8, &id.lo, 8);
    size_ = kPendingUuid;
    heap_.clear();
  }
  // The 40 hex digits of a, b (16 each) and c (8).
  void SetHex40(uint64_t a, uint64_t b, uint32_t c) {
    std::memcpy(inline_, &a, 8);
    std::memcpy(inline_ + 8, &b, 8);
    std::memcpy(inline_ + 16, &c, 4);
    size_ = kPendingHex;
    heap_.clear();
  }

  std::string_view view() const {
    if (size_ >= kPendingHex) {
      if (size_ == kOnHeap) return heap_;
      Materialize();
    }
    return std::string_view(inline_, size_);
  }
  operator std::string_view() const { return view(); }  // NOLINT: reads as text.
  std::string str() const { return std::string(view()); }
  size_t size() const { return view().size(); }
  bool empty() const { return size_ == 0; }

  friend bool operator==(const InlineText& a, const InlineText& b) { return a.view() == b.view(); }
  friend bool operator==(const InlineText& a, std::string_view b) { return a.view() == b; }
  friend std::ostream& operator<<(std::ostream& os, const InlineText& t) { return os << t.view(); }

 private:
  // Writes the text of a pending Uuid or hex value over its bits.
  void Materialize() const {
    uint64_t a, b;
    std::memcpy(&a, inline_, 8);
    std::memcpy(&b, inline_ + 8, 8);
    if (size_ == kPendingUuid) {
      base_internal::FormatUuid(base_internal::Uuid{a, b}, inline_);
      size_ = 36;
    } else {
      uint32_t c;
      std::memcpy(&c, inline_ + 16, 4);
      base_internal::WriteHex16(a, inline_);
      base_internal::WriteHex16(b, inline_ + 16);
      base_internal::WriteHex8(c, inline_ + 32);
      size_ = 40;
    }
  }

  mutable uint8_t size_ = 0;
  mutable char inline_[N] = {};
  std::string heap_;  // Only when size_ == kOnHeap.
};

// One message to enqueue. Fields below `payload` are normally empty/zero; a
// dead-letter move or a move task fills them to carry the message's history.
struct SendArgs {
  PayloadRef payload;
  std::string message_group_id;  // Required on FIFO; optional (fair queues) on standard.
  std::string deduplication_id;  // FIFO: the effective id (explicit or body SHA-256).
  absl::Duration delay = absl::ZeroDuration();  // Standard only; FIFO uses config.delay.

  std::string message_id;                       // Empty: the core assigns a new UUID.
  absl::Time sent_time = absl::InfinitePast();  // InfinitePast: now.
  int receive_count = 0;
  absl::Time first_receive_time = absl::InfinitePast();  // InfinitePast: never received.
  std::string dead_letter_source_arn;
};

// What a send hands back. Like a Delivery, read by one thread at a time:
// reading message_id may write its text (InlineText), even through const.
struct SendOutcome {
  InlineText<40> message_id;
  std::string sequence_number;  // FIFO only.
  bool duplicate = false;       // FIFO: deduplicated; message_id is the original's.
};

// What SendBatch returns: inline up to an SQS batch (10), so that a batch
// does not allocate for it (about 1 KB: a glibc "large" request, which first
// consolidates the allocator's fast bins).
using SendOutcomes = absl::InlinedVector<absl::StatusOr<SendOutcome>, 10>;

// A message as handed out by Receive (or taken by a move). Everything the
// service needs to build an sqs::Message, including system attributes.
// Not for concurrent readers, even const ones: reading message_id or
// receipt_handle may write their text (InlineText); copy it to share it.
struct Delivery {
  InlineText<40> message_id;
  InlineText<64> receipt_handle;  // Empty for TakeForMove.
  PayloadRef payload;
  int receive_count = 0;  // Including this receive.
  absl::Time sent_time;
  absl::Time first_receive_time;
  std::string message_group_id;
  std::string deduplication_id;
  std::string sequence_number;
  std::string dead_letter_source_arn;
};

struct ReceiveArgs {
  int max_messages = 1;                    // 1-10.
  absl::Duration visibility_timeout;       // Already defaulted by the service.
  absl::Time wait_deadline;                // Not after Now() (e.g. InfinitePast): a short poll.
  std::string receive_request_attempt_id;  // FIFO only.
  std::stop_token stop;                    // A stop request ends the wait early.
};

// What a receive hands out: the messages (possibly none) or an error.
using ReceiveResult = absl::StatusOr<std::vector<Delivery>>;

// The vector a receive fills comes from a spare kept per thread, and whoever
// is done with a result's vector gives it back, so that a thread receiving
// in a loop allocates none (a vector of 10 Deliveries is ~3.7 KB, past the
// allocator's per-thread cache). A result that is not given back is simply
// freed. One spare per thread, of at most kMaxSpareDeliveries.
inline constexpr size_t kMaxSpareDeliveries = 10;
namespace delivery_spare_internal {
inline std::vector<Delivery>& Spare() {
  thread_local std::vector<Delivery> spare;
  return spare;
}
}  // namespace delivery_spare_internal
// The thread's spare (empty, with its capacity), or an empty vector.
inline std::vector<Delivery> SpareDeliveries() {
  return std::move(delivery_spare_internal::Spare());  // Leaves the spare empty.
}
// Destroys v's Deliveries and keeps v as the thread's spare if it has none;
// otherwise leaves v untouched (its owner frees it).
inline void RecycleDeliveries(std::vector<Delivery>&& v) {
  std::vector<Delivery>& spare = delivery_spare_internal::Spare();
  if (spare.capacity() != 0 || v.capacity() > kMaxSpareDeliveries) return;
  v.clear();
  spare = std::move(v);
}
// The completion of QueueCore::ReceiveAsync: called exactly once.
using ReceiveDone = absl::AnyInvocable<void(ReceiveResult) &&>;

struct Counts {
  int64_t visible = 0;    // ApproximateNumberOfMessages
  int64_t in_flight = 0;  // ApproximateNumberOfMessagesNotVisible
  int64_t delayed = 0;    // ApproximateNumberOfMessagesDelayed
};

// Receives messages that exceeded max_receive_count. Implemented by the
// service, which resolves the queue's current RedrivePolicy target and sends
// there with the message's history (SendArgs fields) preserved.
class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  // Called with no QueueCore lock held. `source_arn` is the ARN of the queue
  // the message leaves. Returns false if the message could not be placed
  // (e.g. the DLQ was deleted); the core then keeps the message.
  virtual bool Accept(const Delivery& message) = 0;
};

class QueueCore {
 public:
  virtual ~QueueCore() = default;

  virtual absl::StatusOr<SendOutcome> Send(SendArgs args) = 0;

  // Sends the messages of `batch` (consuming their fields); element i of the
  // result is what Send(batch[i]) would return, and an error for one message
  // does not stop the others. The standard engine publishes each run of up
  // to 10 with one clock reading, one bulk enqueue and one wake-up of parked
  // receivers; this default sends them one at a time (FIFO queues, whose
  // deduplication and group order are per message).
  virtual SendOutcomes SendBatch(std::span<SendArgs> batch) {
    SendOutcomes outcomes;
    outcomes.reserve(batch.size());
    for (SendArgs& args : batch) outcomes.push_back(Send(std::move(args)));
    return outcomes;
  }

  // Returns up to max_messages visible messages, making each in flight for
  // visibility_timeout. If none is visible, blocks until one is, until
  // wait_deadline on the broker's Clock, until args.stop is stopped or until
  // the queue is closed. Moves over-received messages to the
  // DeadLetterSink. Drops messages older than the retention period.
  // Errors: OverLimit (standard, too many in flight).
  virtual ReceiveResult Receive(const ReceiveArgs& args) = 0;

  // Receive without blocking the caller: `done` gets what Receive would
  // return, exactly once. It runs inline when the answer is known at once
  // (messages visible, wait_deadline <= Now(), stop already requested,
  // queue closed, an error). Otherwise the receive parks, holding no thread,
  // and `done` runs later on the thread that ends the wait: a sender (or
  // any call that makes a message visible), the thread that stops
  // args.stop, the broker Scheduler's thread (wait deadline, visibility or
  // delay expiry; inside ManualClock::Advance with a ManualClock), or the
  // caller of Close or of the destructor. `done` runs with no queue lock
  // held; it must be short and must not block, since it delays that
  // thread's own work (a sender's Send returns only after it). See
  // broker/queue/parked_receivers.h for the cost of parking and waking.
  virtual void ReceiveAsync(ReceiveArgs args, ReceiveDone done) = 0;

  // Errors: ReceiptHandleIsInvalid (malformed or foreign handle),
  // InvalidParameterValue (FIFO: expired handle).
  virtual absl::Status Delete(std::string_view receipt_handle) = 0;

  // New deadline = now + timeout. Errors: ReceiptHandleIsInvalid,
  // MessageNotInflight, InvalidParameterValue (over the 12-hour cap, deleted).
  virtual absl::Status ChangeVisibility(std::string_view receipt_handle,
                                        absl::Duration timeout) = 0;

  // Deletes every message: visible, delayed and in flight.
  virtual void Purge() = 0;

  // Removes up to `max` visible messages without counting a receive, for
  // message move tasks. The Deliveries carry full history.
  virtual std::vector<Delivery> TakeForMove(int max) = 0;

  virtual Counts GetCounts() = 0;
  // The SentTimestamp of the oldest message (visible, delayed or in flight),
  // or InfiniteFuture when there is none (ApproximateAgeOfOldestMessage).
  // Costs a scan: of the slot table on standard queues (one shard lock at a
  // time), of the message groups on FIFO queues.
  virtual absl::Time OldestMessageTime() = 0;
  virtual void SetConfig(const QueueConfig& config) = 0;

  // Completes every waiting receive (blocked or parked) with no messages,
  // and makes later receives return at once, as short polls; every other
  // operation behaves as before. Irreversible. Used when the queue is
  // deleted. The destructor does the same for receives still waiting.
  virtual void Close() = 0;

  // ---- Durable queues (broker/base/storage.h) --------------------------------

  // From now on, reports every change of the queue's messages to `journal`
  // (which must outlive the engine). In-memory queues have none and pay one
  // null-pointer check per change. REQUIRES: called at most once, before any
  // other call.
  virtual void AttachJournal(storage_internal::MessageJournal* journal) = 0;

  // Puts back what a durable queue held when its broker stopped: messages
  // with their state (a deadline already past makes the message visible),
  // FIFO order, deduplication entries and sequence numbers. Nothing is
  // reported to the journal. Receipt handles issued before the restart are
  // invalid (they name slots of the engine that issued them):
  // ReceiptHandleIsInvalid, and the message returns when its visibility
  // deadline passes. May be called several times with consecutive chunks;
  // FIFO messages come in sequence order within each group. REQUIRES:
  // called before any operation (AttachJournal may come first). O(n) in the
  // messages.
  virtual void Restore(storage_internal::RestoredQueue restored) = 0;
};

}  // namespace wharf::queue_internal

#endif  // WHARF_BROKER_QUEUE_QUEUE_CORE_H_
