// The durable store on its own: opening and refusing directories and files,
// documents, queue journals and recovery, group commit under concurrency, and
// the error paths through the fault-injecting VFS.

#include "broker/storage/store.h"

#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/queue/queue_core.h"
#include "broker/storage/payload_codec.h"
#include "broker/storage/queue_journal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fault_vfs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace wharf::storage_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using wharf::testing::FaultVfs;
using wharf::testing::HasErrorCode;
using wharf::testing::IsOk;
using wharf::testing::TempDir;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

queue_internal::PayloadRef MakeBody(std::string_view body, bool with_attributes) {
  std::unique_ptr<queue_internal::PayloadAttributes> a;
  if (with_attributes) {
    a = std::make_unique<queue_internal::PayloadAttributes>();
    a->message_attributes["color"] = {.data_type = "String", .string_value = "blue"};
    a->message_attributes["blob"] = {.data_type = "Binary", .binary_value = std::string("\0\1", 2)};
    a->md5_of_message_attributes = "0123456789abcdef0123456789abcdef";
    a->aws_trace_header = "Root=1-abc";
    a->md5_of_message_system_attributes = "fedcba9876543210fedcba9876543210";
  }
  return base_internal::NewPayload(body, std::move(a));
}

std::string Uuid(int i) { return absl::StrCat("00000000-0000-4000-8000-", 100000000000 + i); }

// Adds a visible message to `journal`.
void Add(QueueJournal& journal, const std::string& id, const std::string& body,
         uint64_t sequence = 0, std::string_view group = "", std::string_view dedup_key = "") {
  auto payload = MakeBody(body, false);
  MessageEntry e;
  e.message_id = id;
  e.payload = &payload;
  e.message_group_id = group;
  e.deduplication_id = dedup_key;
  e.deduplication_key = dedup_key;
  e.sequence = sequence;
  e.sent_time = kNow;
  e.enqueued_time = kNow;
  journal.Added(e);
}

// Store::OpenQueue with every chunk gathered into `out`.
absl::StatusOr<std::unique_ptr<QueueJournal>> OpenQueue(Store& store, int64_t id, bool fifo,
                                                        absl::Time now, RestoredQueue* out) {
  *out = RestoredQueue();
  return store.OpenQueue(id, fifo, now, [out](RestoredQueue chunk) {
    for (RestoredMessage& m : chunk.messages) out->messages.push_back(std::move(m));
    for (RestoredDeduplication& d : chunk.deduplication) out->deduplication.push_back(std::move(d));
    out->next_sequence = std::max(out->next_sequence, chunk.next_sequence);
  });
}

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open() {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({.dir = dir_.path()});
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::move(*store) : nullptr;
  }

  TempDir dir_;
};

TEST_F(StoreTest, DocumentsSurviveReopening) {
  {
    auto store = Open();
    uint64_t since = store->Position();
    store->Put("sqs.queue", "b", "two");
    store->Put("sqs.queue", "a", "one");
    store->Put("sns.topic", "t", "three");
    store->Put("sqs.queue", "c", "gone");
    store->Erase("sqs.queue", "c");
    ASSERT_THAT(store->Commit(since), IsOk());
  }
  auto store = Open();
  ASSERT_OK_AND_ASSIGN(std::vector<StoredDocument> docs, store->LoadDocuments("sqs.queue"));
  ASSERT_THAT(docs, SizeIs(2));
  EXPECT_EQ(docs[0].name, "a");
  EXPECT_EQ(docs[0].value, "one");
  EXPECT_EQ(docs[1].name, "b");
  ASSERT_OK_AND_ASSIGN(docs, store->LoadDocuments("sns.topic"));
  EXPECT_THAT(docs, SizeIs(1));
}

TEST_F(StoreTest, CommitWithNothingEnqueuedReturnsAtOnce) {
  auto store = Open();
  EXPECT_THAT(store->Commit(store->Position()), IsOk());
  EXPECT_EQ(store->TEST_Batches(), 0u);
}

// A delete by a stale receipt handle, or a FIFO send deduplicated, changes
// nothing itself but answers from a change another caller enqueued: its
// Commit returns only once that change is committed.
TEST_F(StoreTest, CommitWithNothingOfItsOwnWaitsForEarlierChanges) {
  auto store = Open();
  store->Put("doc", "other", "1");  // Another caller's, not committed yet.
  const uint64_t since = store->Position();
  EXPECT_THAT(store->Commit(since), IsOk());
  EXPECT_EQ(store->TEST_Batches(), 1u);
}

TEST_F(StoreTest, SecondOpenOfTheSameDirectoryFails) {
  auto store = Open();
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open({.dir = dir_.path()});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr(dir_.path()));
  store.reset();
  EXPECT_THAT(Store::Open({.dir = dir_.path()}), IsOk());
}

TEST_F(StoreTest, AnotherApplicationsDatabaseIsRefused) {
  const std::string path = dir_.path() + "/wharf.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({.dir = dir_.path()});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr(path));
  EXPECT_THAT(store.status().message(), HasSubstr("not a wharf data file"));
}

TEST_F(StoreTest, AFileThatIsNotADatabaseIsRefused) {
  const std::string path = dir_.path() + "/wharf.db";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out << "this is not SQLite ";
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({.dir = dir_.path()});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr(path));
}

TEST_F(StoreTest, ANewerSchemaIsRefused) {
  Open().reset();
  const std::string path = dir_.path() + "/wharf.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({.dir = dir_.path()});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr("newer wharf"));
}

TEST_F(StoreTest, UnwritableDirectoryIsAnError) {
  std::ofstream(dir_.path() + "/file") << "x";
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({.dir = dir_.path() + "/file/sub"});
  EXPECT_THAT(store, HasErrorCode(ErrorCode::kInternalFailure));
  EXPECT_THAT(store.status().message(), HasSubstr(dir_.path() + "/file/sub"));
}

TEST_F(StoreTest, JournalRecordsMessagesAndTheirState) {
  int64_t queue_id;
  {
    auto store = Open();
    ASSERT_OK_AND_ASSIGN(queue_id, store->NewQueueId());
    RestoredQueue none;
    ASSERT_OK_AND_ASSIGN(auto journal, OpenQueue(*store, queue_id, false, kNow, &none));
    EXPECT_THAT(none.messages, IsEmpty());
    const uint64_t since = store->Position();
    auto with_attributes = MakeBody("second", true);
    Add(*journal, Uuid(1), "first");
    MessageEntry e;
    const std::string id2 = Uuid(2);
    e.message_id = id2;
    e.payload = &with_attributes;
    e.message_group_id = "fair";
    e.dead_letter_source_arn = "arn:aws:sqs:us-east-1:123456789012:src";
    e.sent_time = kNow - absl::Seconds(5);
    e.enqueued_time = kNow;
    e.receive_count = 3;
    e.first_receive_time = kNow - absl::Seconds(4);
    e.state = MessageState::kDelayed;
    e.visible_at = kNow + absl::Seconds(60);
    journal->Added(e);
    Add(*journal, Uuid(3), "third");
    Add(*journal, "not-a-uuid", "fourth");
    journal->Changed(Uuid(1), MessageState::kInFlight, kNow + absl::Seconds(30), 1, kNow);
    journal->Removed(Uuid(3));
    journal->Removed(Uuid(99));  // Unknown: ignored.
    ASSERT_THAT(store->Commit(since), IsOk());
  }
  auto store = Open();
  RestoredQueue restored;
  ASSERT_OK_AND_ASSIGN(auto journal, OpenQueue(*store, queue_id, false, kNow, &restored));
  ASSERT_THAT(restored.messages, SizeIs(3));
  const RestoredMessage& first = restored.messages[0];
  EXPECT_EQ(first.message_id, Uuid(1));
  EXPECT_EQ(first.payload->body(), "first");
  EXPECT_EQ(first.payload->md5_of_body(), base_internal::Md5Of("first"));
  EXPECT_EQ(first.payload->attributes(), nullptr);
  EXPECT_EQ(first.state, MessageState::kInFlight);
  EXPECT_EQ(first.visible_at, kNow + absl::Seconds(30));
  EXPECT_EQ(first.receive_count, 1);
  EXPECT_EQ(first.first_receive_time, kNow);
  const RestoredMessage& second = restored.messages[1];
  EXPECT_EQ(second.message_id, Uuid(2));
  EXPECT_EQ(second.state, MessageState::kDelayed);
  EXPECT_EQ(second.visible_at, kNow + absl::Seconds(60));
  EXPECT_EQ(second.receive_count, 3);
  EXPECT_EQ(second.first_receive_time, kNow - absl::Seconds(4));
  EXPECT_EQ(second.sent_time, kNow - absl::Seconds(5));
  EXPECT_EQ(second.message_group_id, "fair");
  EXPECT_EQ(second.dead_letter_source_arn, "arn:aws:sqs:us-east-1:123456789012:src");
  ASSERT_NE(second.payload->attributes(), nullptr);
  const auto& attrs = *second.payload->attributes();
  EXPECT_EQ(attrs.message_attributes.at("color").string_value, "blue");
  EXPECT_EQ(attrs.message_attributes.at("blob").binary_value, std::string("\0\1", 2));
  EXPECT_EQ(attrs.aws_trace_header, "Root=1-abc");
  EXPECT_EQ(attrs.md5_of_message_attributes, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(restored.messages[2].message_id, "not-a-uuid");
  EXPECT_EQ(restored.messages[2].first_receive_time, absl::InfinitePast());

  // The journal knows the recovered rows: removing one removes it on disk.
  const uint64_t since = store->Position();
  journal->Removed("not-a-uuid");
  Add(*journal, Uuid(5), "fifth");
  ASSERT_THAT(store->Commit(since), IsOk());
  store.reset();
  store = Open();
  RestoredQueue again;
  ASSERT_OK_AND_ASSIGN(journal, OpenQueue(*store, queue_id, false, kNow, &again));
  ASSERT_THAT(again.messages, SizeIs(3));
  EXPECT_EQ(again.messages[2].message_id, Uuid(5));
}

TEST_F(StoreTest, ABatchWritesOnlyTheLastStateOfEachRow) {
  int64_t queue_id;
  {
    auto store = Open();
    ASSERT_OK_AND_ASSIGN(queue_id, store->NewQueueId());
    RestoredQueue none;
    ASSERT_OK_AND_ASSIGN(auto journal, OpenQueue(*store, queue_id, false, kNow, &none));
    uint64_t since = store->Position();
    for (int i = 1; i <= 3; ++i) Add(*journal, Uuid(i), absl::StrCat("m", i));
    ASSERT_THAT(store->Commit(since), IsOk());
    // One batch (the section holds the writer): row 1 updated twice, row 2
    // updated then deleted, row 4 added, updated and deleted, row 5 added
    // and updated.
    since = store->Position();
    store->BeginAtomic();
    journal->Changed(Uuid(1), MessageState::kInFlight, kNow + absl::Seconds(30), 1, kNow);
    journal->Changed(Uuid(1), MessageState::kVisible, kNow + absl::Seconds(1), 2, kNow);
    journal->Changed(Uuid(2), MessageState::kInFlight, kNow + absl::Seconds(30), 1, kNow);
    journal->Removed(Uuid(2));
    Add(*journal, Uuid(4), "m4");
    journal->Changed(Uuid(4), MessageState::kInFlight, kNow + absl::Seconds(30), 1, kNow);
    journal->Removed(Uuid(4));
    Add(*journal, Uuid(5), "m5");
    journal->Changed(Uuid(5), MessageState::kInFlight, kNow + absl::Seconds(40), 1, kNow);
    store->EndAtomic();
    ASSERT_THAT(store->Commit(since), IsOk());
    EXPECT_EQ(store->TEST_Batches(), 2u);
  }
  auto store = Open();
  RestoredQueue restored;
  ASSERT_OK_AND_ASSIGN(auto journal, OpenQueue(*store, queue_id, false, kNow, &restored));
  ASSERT_THAT(restored.messages, SizeIs(3));
  EXPECT_EQ(restored.messages[0].message_id, Uuid(1));
  EXPECT_EQ(restored.messages[0].state, MessageState::kVisible);
  EXPECT_EQ(restored.messages[0].visible_at, kNow + absl::Seconds(1));
  EXPECT_EQ(restored.messages[0].receive_count, 2);
  EXPECT_EQ(restored.messages[1].message_id, Uuid(3));
  EXPECT_EQ(restored.messages[1].state, MessageState::kVisible);
  EXPECT_EQ(restored.messages[2].message_id, Uuid(5));
  EXPECT_EQ(restored.messages[2].payload->body(), "m5");
  EXPECT_EQ(restored.messages[2].state, MessageState::kInFlight);
  EXPECT_EQ(restored.messages[2].visible_at, kNow + absl::Seconds(40));
}

TEST_F(StoreTest, ChangesNobodyWaitsForAreCommittedBehind) {
  {
    auto store = Open();
    store->Put("doc", "behind", "1");  // No Commit: the write-behind deadline commits it.
    while (store->TEST_Batches() == 0) std::this_thread::yield();
    store->Put("doc", "at-close", "2");  // Committed when the store closes.
  }
  auto store = Open();
  ASSERT_OK_AND_ASSIGN(std::vector<StoredDocument> docs, store->LoadDocuments("doc"));
  std::vector<std::string> names;
  for (const auto& d : docs) names.push_back(d.name);
  EXPECT_THAT(names, ElementsAre("at-close", "behind"));
}

TEST_F(StoreTest, PurgeAndDropRemoveOnlyThatQueue) {
  int64_t a, b, c;
  {
    auto store = Open();
    ASSERT_OK_AND_ASSIGN(a, store->NewQueueId());
    ASSERT_OK_AND_ASSIGN(b, store->NewQueueId());
    ASSERT_OK_AND_ASSIGN(c, store->NewQueueId());
    RestoredQueue none;
    ASSERT_OK_AND_ASSIGN(auto ja, OpenQueue(*store, a, false, kNow, &none));
    ASSERT_OK_AND_ASSIGN(auto jb, OpenQueue(*store, b, false, kNow, &none));
    ASSERT_OK_AND_ASSIGN(auto jc, OpenQueue(*store, c, false, kNow, &none));
    const uint64_t since = store->Position();
    for (int i = 0; i < 5; ++i) {
      Add(*ja, Uuid(i), "a");
      Add(*jb, Uuid(i), "b");
      Add(*jc, Uuid(i), "c");
    }
    ja->Purged();
    ja->Removed(Uuid(1));  // After the purge: nothing to do.
    Add(*ja, Uuid(10), "after purge");
    store->DropQueue(b);
    ASSERT_THAT(store->Commit(since), IsOk());
  }
  auto store = Open();
  RestoredQueue ra, rb, rc;
  ASSERT_OK_AND_ASSIGN(auto ja, OpenQueue(*store, a, false, kNow, &ra));
  ASSERT_OK_AND_ASSIGN(auto jb, OpenQueue(*store, b, false, kNow, &rb));
  ASSERT_OK_AND_ASSIGN(auto jc, OpenQueue(*store, c, false, kNow, &rc));
  ASSERT_THAT(ra.messages, SizeIs(1));
  EXPECT_EQ(ra.messages[0].payload->body(), "after purge");
  EXPECT_THAT(rb.messages, IsEmpty());
  EXPECT_THAT(rc.messages, SizeIs(5));

  // Recovery drops what belongs to no live queue.
  ASSERT_THAT(store->DropQueuesExcept({a}), IsOk());
  RestoredQueue rc2;
  ASSERT_OK_AND_ASSIGN(jc, OpenQueue(*store, c, false, kNow, &rc2));
  EXPECT_THAT(rc2.messages, IsEmpty());
  // Ids are never handed out twice.
  ASSERT_OK_AND_ASSIGN(int64_t d, store->NewQueueId());
  EXPECT_GT(d, c);
}

TEST_F(StoreTest, FifoDeduplicationEntriesAndSequencesSurvive) {
  int64_t q;
  {
    auto store = Open();
    ASSERT_OK_AND_ASSIGN(q, store->NewQueueId());
    RestoredQueue none;
    ASSERT_OK_AND_ASSIGN(auto j, OpenQueue(*store, q, true, kNow, &none));
    const uint64_t since = store->Position();
    Add(*j, Uuid(1), "m1", 7, "g", "d1");
    Add(*j, Uuid(2), "m2", 5, "g", "d2");
    Add(*j, Uuid(3), "m3", 9, "g", "");  // A moved message: no dedup entry.
    j->Removed(Uuid(1));                 // Its dedup entry stays.
    ASSERT_THAT(store->Commit(since), IsOk());
  }
  auto store = Open();
  RestoredQueue r;
  ASSERT_OK_AND_ASSIGN(auto j, OpenQueue(*store, q, true, kNow + absl::Minutes(1), &r));
  ASSERT_THAT(r.messages, SizeIs(2));
  EXPECT_EQ(r.messages[0].sequence, 5u);  // In sequence order.
  EXPECT_EQ(r.messages[1].sequence, 9u);
  ASSERT_THAT(r.deduplication, SizeIs(2));
  EXPECT_EQ(r.deduplication[0].key, "d1");
  EXPECT_EQ(r.deduplication[0].message_id, Uuid(1));
  EXPECT_EQ(r.deduplication[0].sequence, 7u);
  EXPECT_EQ(r.deduplication[0].sent_time, kNow);
  EXPECT_EQ(r.next_sequence, 10u);
  j.reset();

  // Past the window the entries are not restored; the sequence is.
  RestoredQueue later;
  ASSERT_OK_AND_ASSIGN(j, OpenQueue(*store, q, true, kNow + absl::Minutes(5), &later));
  EXPECT_THAT(later.deduplication, IsEmpty());
  EXPECT_EQ(later.next_sequence, 10u);
}

TEST_F(StoreTest, ConcurrentCommitsShareTransactions) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;
  {
    auto store = Open();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const uint64_t since = store->Position();
          store->Put("doc", absl::StrCat(t, "-", i), "v");
          EXPECT_THAT(store->Commit(since), IsOk());
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  auto store = Open();
  ASSERT_OK_AND_ASSIGN(std::vector<StoredDocument> docs, store->LoadDocuments("doc"));
  EXPECT_THAT(docs, SizeIs(kThreads * kPerThread));
}

TEST_F(StoreTest, CallersThatArriveDuringACommitShareTheNextOne) {
  auto store = Open();
  // An open atomic section holds the writer back, as a commit in progress
  // would: every caller arriving meanwhile joins the same next batch.
  store->BeginAtomic();
  constexpr int kCallers = 8;
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      const uint64_t since = store->Position();
      store->Put("doc", absl::StrCat(i), "v");
      EXPECT_THAT(store->Commit(since), IsOk());
    });
  }
  while (store->Position() < kCallers) std::this_thread::yield();
  store->EndAtomic();
  for (auto& t : callers) t.join();
  EXPECT_EQ(store->TEST_Batches(), 1u);
}

TEST_F(StoreTest, AnAtomicSectionCommitsAsOne) {
  auto store = Open();
  const uint64_t since = store->Position();
  store->BeginAtomic();
  store->Put("doc", "x", "1");
  store->Put("doc", "y", "2");
  store->EndAtomic();
  ASSERT_THAT(store->Commit(since), IsOk());
  EXPECT_EQ(store->TEST_Batches(), 1u);
}

class StoreFaultTest : public StoreTest {
 protected:
  StoreFaultTest() : vfs_(FaultVfs::Install()) {}
  ~StoreFaultTest() override { vfs_.Disarm(); }

  FaultVfs& vfs_;
};

TEST_F(StoreFaultTest, FullDiskFailsTheBatchAndLosesNothingCommitted) {
  {
    auto store = Open();
    uint64_t since = store->Position();
    store->Put("doc", "before", "1");
    ASSERT_THAT(store->Commit(since), IsOk());

    vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
    since = store->Position();
    store->Put("doc", "during", "2");
    absl::Status full = store->Commit(since);
    EXPECT_THAT(full, HasErrorCode(ErrorCode::kServiceUnavailable));
    EXPECT_THAT(full.message(), HasSubstr(dir_.path() + "/wharf.db"));
    EXPECT_GT(vfs_.failures(), 0);

    // Space comes back: later changes commit again.
    vfs_.Disarm();
    since = store->Position();
    store->Put("doc", "after", "3");
    EXPECT_THAT(store->Commit(since), IsOk());
  }
  auto store = Open();
  ASSERT_OK_AND_ASSIGN(std::vector<StoredDocument> docs, store->LoadDocuments("doc"));
  std::vector<std::string> names;
  for (const auto& d : docs) names.push_back(d.name);
  EXPECT_THAT(names, ElementsAre("after", "before"));
}

TEST_F(StoreFaultTest, WriteErrorIsInternalFailure) {
  auto store = Open();
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kIoError);
  const uint64_t since = store->Position();
  store->Put("doc", "x", "1");
  EXPECT_THAT(store->Commit(since), HasErrorCode(ErrorCode::kInternalFailure));
}

TEST_F(StoreFaultTest, SyncErrorAtFullSyncFailsTheCommit) {
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open({.dir = dir_.path(), .full_sync = true});
  ASSERT_THAT(store, IsOk());
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kSyncError);
  const uint64_t since = (*store)->Position();
  (*store)->Put("doc", "x", "1");
  EXPECT_THAT((*store)->Commit(since), HasErrorCode(ErrorCode::kInternalFailure));
}

TEST_F(StoreFaultTest, ACallerIsToldOnlyAboutItsOwnBatch) {
  auto store = Open();
  uint64_t since = store->Position();
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  store->Put("doc", "x", "1");
  EXPECT_FALSE(store->Commit(since).ok());
  vfs_.Disarm();
  // A change enqueued after the failed batch does not inherit its error.
  since = store->Position();
  store->Put("doc", "y", "1");
  EXPECT_THAT(store->Commit(since), IsOk());
}

TEST_F(StoreFaultTest, ACallerWithNoChangeIsToldAboutAFailureItMayRestOn) {
  auto store = Open();
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  const uint64_t before = store->Position();
  store->Put("doc", "x", "1");  // Another caller's change.
  // This caller saw it (say, a delete it answers from) and changed nothing.
  const uint64_t since = store->Position();
  EXPECT_FALSE(store->Commit(before).ok());
  vfs_.Disarm();
  EXPECT_FALSE(store->Commit(since).ok());
  // A caller that looked only after a later change is not told.
  store->Put("doc", "y", "1");
  EXPECT_THAT(store->Commit(store->Position()), IsOk());
}

TEST_F(StoreFaultTest, OpeningOnAFullDiskFailsClearly) {
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open({.dir = dir_.path()});
  EXPECT_THAT(store, HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(store.status().message(), HasSubstr(dir_.path()));
}

// Rows keep no MD5 of the body (the payload computes it when read); rows of
// files written before hold the 16-byte digest, which still load.
TEST(PayloadCodecTest, TheMd5ColumnIsEmptyOrADigestOfOldFiles) {
  ASSERT_OK_AND_ASSIGN(auto fresh, DecodePayload("first", "", ""));
  EXPECT_FALSE(fresh->md5_of_body_cached());
  EXPECT_EQ(fresh->md5_of_body(), base_internal::Md5Of("first"));
  const base_internal::Md5 md5 = base_internal::Md5Of("first");
  ASSERT_OK_AND_ASSIGN(
      auto old,
      DecodePayload("first",
                    std::string_view(reinterpret_cast<const char*>(md5.data()), md5.size()), ""));
  EXPECT_EQ(old->body(), "first");
  EXPECT_EQ(old->md5_of_body(), md5);
  EXPECT_EQ(DecodePayload("first", "12345", "").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace wharf::storage_internal
