// File: broker/base/storage.h
//
// The seam between the queue engines and durable storage. A durable broker
// gives each queue engine a MessageJournal (broker/storage/ implements it on
// SQLite); an in-memory broker gives none, and the engines' only cost is a
// null-pointer check per change. When a durable broker opens an existing data
// directory, each engine gets its messages back through
// QueueCore::Restore with the RestoredQueue below.
//
// What the journal promises is the storage's business (broker/storage/
// store.h): it records the changes in the order the engine reports them, and
// the service layer waits for them to be committed before it acknowledges an
// operation.
//
// Thread safety: MessageJournal implementations are thread-safe.

#ifndef WHARF_BROKER_BASE_STORAGE_H_
#define WHARF_BROKER_BASE_STORAGE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "broker/base/payload.h"

namespace wharf::storage_internal {

// Where a message stands. Deadlines are kept as points in the broker's clock
// time, so a restart neither shortens nor extends them.
enum class MessageState : uint8_t {
  kVisible = 0,   // Can be received.
  kDelayed = 1,   // Invisible until visible_at (DelaySeconds).
  kInFlight = 2,  // Received; invisible until visible_at (visibility timeout).
};

// A message entering a queue, as the engine reports it to its journal. The
// views are valid for the duration of the call only.
struct MessageEntry {
  std::string_view message_id;
  const base_internal::PayloadRef* payload = nullptr;  // Never null.
  std::string_view message_group_id;
  std::string_view deduplication_id;
  std::string_view dead_letter_source_arn;
  // FIFO: the key the deduplication window remembers for this send (scoped to
  // the group when the queue says so); empty when the send is not
  // deduplicated (standard queues, moved messages).
  std::string_view deduplication_key;
  uint64_t sequence = 0;                                 // FIFO serial; 0 on standard queues.
  absl::Time sent_time;                                  // SentTimestamp.
  absl::Time enqueued_time;                              // Retention counts from here.
  int receive_count = 0;                                 //
  absl::Time first_receive_time = absl::InfinitePast();  // InfinitePast: never received.
  MessageState state = MessageState::kVisible;
  absl::Time visible_at = absl::InfinitePast();  // kDelayed, kInFlight: the deadline.
};

// The changes of one queue's messages, reported by its engine. Each call is
// made while the engine holds the lock that orders the change it describes
// (or before the message becomes reachable, for Added), so the calls for one
// message arrive in the order its changes happened. Implementations only
// record the change (no I/O, no waiting) and must not call the engine back.
class MessageJournal {
 public:
  virtual ~MessageJournal() = default;

  // A message entered the queue (send, SNS or EventBridge delivery, dead-letter
  // move, move task).
  virtual void Added(const MessageEntry& entry) = 0;

  // A message's receive state changed: received (count, first receive,
  // visibility deadline) or its visibility changed. Receives are recorded
  // behind (nobody waits for them): at-least-once tolerates losing one.
  virtual void Changed(std::string_view message_id, MessageState state, absl::Time visible_at,
                       int receive_count, absl::Time first_receive_time) = 0;

  // A message left the queue: deleted, expired, dead-lettered, moved.
  virtual void Removed(std::string_view message_id) = 0;

  // Every message present now left the queue (PurgeQueue). Removed() calls for
  // those messages that follow are ignored.
  virtual void Purged() = 0;

  // Brackets changes that must reach storage together or not at all: a
  // dead-letter move adds the message to the target queue and removes it from
  // the source. Sections may nest and overlap across threads; while any is
  // open nothing is committed, so a section must be short and must never wait
  // for a commit.
  virtual void BeginAtomic() = 0;
  virtual void EndAtomic() = 0;
};

// A message as recovered from storage.
struct RestoredMessage {
  std::string message_id;
  base_internal::PayloadRef payload;
  std::string message_group_id;
  std::string deduplication_id;
  std::string dead_letter_source_arn;
  uint64_t sequence = 0;
  absl::Time sent_time;
  absl::Time enqueued_time;
  int receive_count = 0;
  absl::Time first_receive_time = absl::InfinitePast();
  MessageState state = MessageState::kVisible;
  absl::Time visible_at = absl::InfinitePast();
};

// A FIFO deduplication window entry as recovered from storage.
struct RestoredDeduplication {
  std::string key;
  std::string message_id;
  uint64_t sequence = 0;
  absl::Time sent_time;  // The window ends 5 minutes later.
};

// Everything a queue engine gets back when a durable broker reopens.
struct RestoredQueue {
  std::vector<RestoredMessage> messages;             // FIFO: in sequence order.
  std::vector<RestoredDeduplication> deduplication;  // In send order.
  uint64_t next_sequence = 1;                        // FIFO: the next serial is at least this.
};

}  // namespace wharf::storage_internal

#endif  // WHARF_BROKER_BASE_STORAGE_H_
