#include "broker/storage/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/storage/op.h"
#include "broker/storage/payload_codec.h"
#include "broker/storage/queue_journal.h"
#include "wharf/errors.h"

namespace wharf::storage_internal {
namespace {

constexpr int64_t kApplicationId = 0x77686172;  // "whar"
constexpr int64_t kSchemaVersion = 1;
// SQS FIFO's deduplication window: stored entries older than this are dropped.
constexpr absl::Duration kDedupWindow = absl::Minutes(5);
// Failed batches remembered for Commit.
constexpr size_t kMaxFailures = 1024;

constexpr char kSchema[] = R"sql(
CREATE TABLE documents(
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY(kind, name)) WITHOUT ROWID;
CREATE TABLE messages(
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL,
  first_receive INTEGER NOT NULL,
  sent INTEGER NOT NULL,
  enqueued INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  group_id TEXT,
  dedup_id TEXT,
  dlq_source TEXT,
  md5 BLOB NOT NULL,
  attributes BLOB,
  body BLOB NOT NULL);
CREATE TABLE dedup(
  id INTEGER PRIMARY KEY,
  key BLOB NOT NULL,
  message_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  sent INTEGER NOT NULL);
CREATE TABLE sequences(
  queue INTEGER PRIMARY KEY,
  next INTEGER NOT NULL);
)sql";

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status NotWharf(const std::string& path, std::string_view why) {
  return absl::DataLossError(
      absl::StrCat("storage: ", path, " is not a wharf data file: ", View(why)));
}

// Takes an exclusive flock on dir/LOCK. flock locks belong to the open file
// description, so a second Open in the same process is refused too.
absl::StatusOr<int> LockDirectory(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return MakeError(ErrorCode::kInternalFailure,
                     absl::StrCat("storage: cannot open ", path, ": ", std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(absl::StrCat("storage: the data directory ", dir,
                                                        " is in use by another broker (", path,
                                                        " is locked)"));
    }
    return MakeError(ErrorCode::kInternalFailure,
                     absl::StrCat("storage: cannot lock ", path, ": ", std::strerror(err)));
  }
  std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) == 0) {
    // The pid is for people looking at the directory; failing to write it is harmless.
    [[maybe_unused]] ssize_t n = ::write(fd, pid.data(), pid.size());
  }
  return fd;
}

// Checks that `db` is empty (then creates the schema) or a wharf store this
// build can read.
absl::Status CheckOrCreateSchema(Database& db) {
  // The first read of the file: a file that is not SQLite fails here.
  WHARF_ASSIGN_OR_RETURN(int64_t app_id,
                         db.QueryInt("PRAGMA application_id", "reading the header of"));
  WHARF_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version", "reading"));
  if (app_id == 0) {
    WHARF_ASSIGN_OR_RETURN(int64_t tables,
                           db.QueryInt("SELECT count(*) FROM sqlite_master", "reading"));
    if (tables != 0) return NotWharf(db.path(), "it is another application's SQLite database");
    WHARF_RETURN_IF_ERROR(db.Exec("BEGIN", "creating"));
    WHARF_RETURN_IF_ERROR(db.Exec(kSchema, "creating"));
    WHARF_RETURN_IF_ERROR(db.Exec(absl::StrCat("PRAGMA application_id=", kApplicationId,
                                               "; PRAGMA user_version=", kSchemaVersion)
                                      .c_str(),
                                  "creating"));
    return db.Exec("COMMIT", "creating");
  }
  if (app_id != kApplicationId) {
    return NotWharf(db.path(), absl::StrCat("its SQLite application_id is ", app_id));
  }
  if (version != kSchemaVersion) {
    return absl::DataLossError(absl::StrCat(
        "storage: ", db.path(), " has schema version ", version, "; this build reads version ",
        kSchemaVersion, version > kSchemaVersion ? " (it was written by a newer wharf)" : ""));
  }
  return absl::OkStatus();
}

}  // namespace

struct Store::Statements {
  Statement begin, commit, rollback;
  Statement insert_message, update_message, delete_message, delete_messages;
  Statement insert_dedup, delete_dedup, expire_dedup;
  Statement put_sequence, delete_sequence;
  Statement put_document, erase_document;
};

// ---- Open and close ------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.dir.empty()) return absl::InvalidArgumentError("storage: no data directory");
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kInternalFailure,
                     absl::StrCat("storage: cannot create the data directory ", options.dir, ": ",
                                  ec.message()));
  }
  WHARF_ASSIGN_OR_RETURN(int lock_fd, LockDirectory(options.dir));
  absl::StatusOr<std::unique_ptr<Database>> db =
      Database::Open(absl::StrCat(options.dir, "/", kFileName));
  if (!db.ok()) {
    ::close(lock_fd);
    return db.status();
  }
  // From here the Store owns the lock and the connection.
  std::unique_ptr<Store> store(new Store(std::move(*db), lock_fd));
  Database& d = *store->db_;
  // Exclusive locking before WAL: the WAL index then lives in this process's
  // memory (no -shm file), which the directory lock makes safe.
  WHARF_RETURN_IF_ERROR(d.Exec("PRAGMA locking_mode=EXCLUSIVE", "configuring"));
  WHARF_RETURN_IF_ERROR(CheckOrCreateSchema(d));
  {
    absl::StatusOr<Statement> mode = d.Prepare("PRAGMA journal_mode=WAL");
    if (!mode.ok()) return mode.status();
    WHARF_RETURN_IF_ERROR(d.Check(mode->Step(), "switching to WAL"));
    if (mode->Text(0) != "wal") {
      return MakeError(ErrorCode::kInternalFailure,
                       absl::StrCat("storage: ", d.path(), " cannot use write-ahead logging"));
    }
  }
  WHARF_RETURN_IF_ERROR(d.Exec(
      options.full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "configuring"));
  // 64 MiB of page cache; checkpoint every 64 MiB of WAL and keep at most that
  // much WAL file after a checkpoint. A checkpoint stalls the commit that runs
  // it (copying, then syncing the WAL and the database), and its cost grows
  // much less than its size: in durable_bench's lifecycle, checkpoints every
  // 4 / 16 / 64 MiB took ~14 / ~27 / ~70 ms each and ~45% / ~35% / ~15% of
  // the writer's time.
  WHARF_RETURN_IF_ERROR(
      d.Exec("PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384; "
             "PRAGMA journal_size_limit=67108864; PRAGMA temp_store=MEMORY",
             "configuring"));
  WHARF_RETURN_IF_ERROR(store->Prepare());
  {
    // Queue ids in use by rows of any table.
    int64_t max_queue = 0;
    for (const char* sql : {"SELECT max(id) FROM messages", "SELECT max(id) FROM dedup"}) {
      WHARF_ASSIGN_OR_RETURN(int64_t max_row, d.QueryInt(sql, "reading"));
      max_queue = std::max(max_queue, max_row >> QueueJournal::kRowBits);
    }
    WHARF_ASSIGN_OR_RETURN(int64_t max_counter,
                           d.QueryInt("SELECT max(queue) FROM sequences", "reading"));
    store->NoteQueueId(std::max(max_queue, max_counter));
  }
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

Store::Store(std::unique_ptr<Database> db, int lock_fd) : lock_fd_(lock_fd), db_(std::move(db)) {}

Store::~Store() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
    work_cv_.SignalAll();
  }
  if (writer_.joinable()) writer_.join();
  {
    MutexLock lock(&db_mu_);
    stmts_.reset();  // Statements are finalized before the connection closes.
  }
  db_.reset();
  ::close(lock_fd_);  // Releases the flock.
}

absl::Status Store::Prepare() {
  MutexLock lock(&db_mu_);
  auto s = std::make_unique<Statements>();
  struct {
    Statement* stmt;
    const char* sql;
  } const kStatements[] = {
      {&s->begin, "BEGIN"},
      {&s->commit, "COMMIT"},
      {&s->rollback, "ROLLBACK"},
      {&s->insert_message,
       "INSERT OR REPLACE INTO messages(id, message_id, state, visible_at, receive_count, "
       "first_receive, sent, enqueued, sequence, group_id, dedup_id, dlq_source, md5, attributes, "
       "body) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
      {&s->update_message,
       "UPDATE messages SET state=?2, visible_at=?3, receive_count=?4, first_receive=?5 "
       "WHERE id=?1"},
      {&s->delete_message, "DELETE FROM messages WHERE id=?1"},
      {&s->delete_messages, "DELETE FROM messages WHERE id BETWEEN ?1 AND ?2"},
      {&s->insert_dedup,
       "INSERT OR REPLACE INTO dedup(id, key, message_id, sequence, sent) "
       "VALUES(?1, ?2, ?3, ?4, ?5)"},
      {&s->delete_dedup, "DELETE FROM dedup WHERE id BETWEEN ?1 AND ?2"},
      {&s->expire_dedup, "DELETE FROM dedup WHERE id BETWEEN ?1 AND ?2 AND sent < ?3"},
      {&s->put_sequence,
       "INSERT INTO sequences(queue, next) VALUES(?1, ?2) "
       "ON CONFLICT(queue) DO UPDATE SET next=max(next, excluded.next)"},
      {&s->delete_sequence, "DELETE FROM sequences WHERE queue=?1"},
      {&s->put_document, "INSERT OR REPLACE INTO documents(kind, name, value) VALUES(?1, ?2, ?3)"},
      {&s->erase_document, "DELETE FROM documents WHERE kind=?1 AND name=?2"},
  };
  for (const auto& [stmt, sql] : kStatements) {
    WHARF_ASSIGN_OR_RETURN(*stmt, db_->Prepare(sql));
  }
  stmts_ = std::move(s);
  return absl::OkStatus();
}

// ---- Enqueueing and committing -----------------------------------------------------

void Store::EnqueueLocked(Op op) {
  const bool behind = op.kind == Op::Kind::kUpdate;
  pending_.push_back(std::move(op));
  const uint64_t position = enqueued_.load(std::memory_order_relaxed) + 1;
  enqueued_.store(position, std::memory_order_release);
  if (!behind) answerable_ = position;
  // Commit wakes the writer for a change someone waits for; here it only
  // learns when the write-behind deadline of the new pending batch falls.
  const size_t pending = pending_.size();
  if (pending == 1) write_behind_deadline_ = absl::Now() + kWriteBehind;
  if ((pending == 1 || pending == kMaxWriteBehind) && writer_idle_) {
    writer_idle_ = false;
    work_cv_.Signal();
  }
}

void Store::Enqueue(Op op) {
  MutexLock lock(&mu_);
  EnqueueLocked(std::move(op));
}

absl::Status Store::Commit(uint64_t since) {
  MutexLock lock(&mu_);
  // A caller that enqueued nothing still waits for the changes others
  // enqueued before (but a receive's state update): its answer may rest on
  // them (a delete by a stale handle of a message another delete just
  // removed, a FIFO send deduplicated against one not yet committed), so it
  // is not durable before they are. Their batches' failures are its own.
  const uint64_t enqueued = enqueued_.load(std::memory_order_relaxed);
  const bool own = enqueued > since;
  const uint64_t target = own ? enqueued : answerable_;
  if (committed_ >= target) return FailureFor(since, target, own);
  if (wanted_ < target) {
    wanted_ = target;
    if (writer_idle_) {
      writer_idle_ = false;
      work_cv_.Signal();
    }
  }
  while (committed_ < target) {
    // The batch in flight holds `target`, or else the next batch will.
    const uint64_t batch = target <= taken_ ? taken_batches_ : taken_batches_ + 1;
    commit_cv_[batch % 2].Wait(&mu_);
  }
  return FailureFor(since, target, own);
}

absl::Status Store::FailureFor(uint64_t since, uint64_t target, bool own) const {
  for (auto it = failures_.rbegin(); it != failures_.rend(); ++it) {
    if (it->first > target) continue;
    if (it->last > since) return it->status;  // It held a change made after `since`.
    // It failed after `since` was taken (or just before, with nothing
    // enqueued in between: told too, the safe side), so a change it held may
    // have been seen uncommitted.
    if (!own && it->enqueued >= since) return it->status;
    if (it->enqueued < since) break;  // Older ones failed before `since` too.
  }
  return absl::OkStatus();
}

void Store::BeginAtomic() {
  MutexLock lock(&mu_);
  ++open_atomic_;
}

void Store::EndAtomic() {
  MutexLock lock(&mu_);
  if (--open_atomic_ == 0 && !pending_.empty()) {
    writer_idle_ = false;
    work_cv_.Signal();
  }
}

uint64_t Store::TEST_Batches() {
  MutexLock lock(&mu_);
  return batches_;
}

void Store::WriterLoop() {
  std::vector<Op> batch;
  for (;;) {
    uint64_t last, number;
    {
      MutexLock lock(&mu_);
      for (;;) {
        if (open_atomic_ == 0) {
          if (pending_.empty()) {
            if (stop_) return;  // Nothing left.
          } else if (stop_ || wanted_ > committed_ || pending_.size() >= kMaxWriteBehind ||
                     absl::Now() >= write_behind_deadline_) {
            break;
          }
        }
        writer_idle_ = true;
        if (pending_.empty() || open_atomic_ > 0) {
          work_cv_.Wait(&mu_);
        } else {
          work_cv_.WaitWithDeadline(&mu_, write_behind_deadline_);
        }
      }
      writer_idle_ = false;
      batch.swap(pending_);
      last = enqueued_.load(std::memory_order_relaxed);
      taken_ = last;
      number = ++taken_batches_;
    }
    absl::Status status = Apply(batch);
    {
      MutexLock lock(&mu_);
      if (!status.ok()) {
        failures_.push_back(
            {committed_ + 1, last, enqueued_.load(std::memory_order_relaxed), std::move(status)});
        if (failures_.size() > kMaxFailures) failures_.pop_front();
      }
      committed_ = last;
      ++batches_;
    }
    // Outside mu_, so the callers woken do not block on it at once; the batch
    // is freed after they are on their way.
    commit_cv_[number % 2].SignalAll();
    batch.clear();
  }
}

absl::Status Store::Apply(std::vector<Op>& batch) {
  MutexLock lock(&db_mu_);
  if (!fatal_.ok()) return fatal_;
  Statements& s = *stmts_;
  int rc = s.begin.Step();
  s.begin.Reset();
  absl::Status status = db_->Check(rc, "beginning a transaction in");
  if (status.ok()) status = ApplyOps(batch);
  if (status.ok()) {
    rc = s.commit.Step();
    s.commit.Reset();
    status = db_->Check(rc, "committing to");
    if (IsFatalStorageError(rc)) fatal_ = status;
  }
  if (!status.ok() && !sqlite3_get_autocommit(db_->handle())) {
    // SQLite rolls some failures back by itself; otherwise roll back here so
    // the next batch starts clean.
    rc = s.rollback.Step();
    s.rollback.Reset();
    if (rc != SQLITE_DONE && fatal_.ok()) fatal_ = db_->Check(rc, "rolling back in");
  }
  return status;
}

absl::Status Store::ApplyOps(std::vector<Op>& batch) {
  Statements& s = *stmts_;
  // Rows both inserted and deleted in this batch are never written (a message
  // sent, received and deleted within one commit), nor are updates of a row
  // the batch deletes or updates again: row ids are never reused, so a row's
  // delete is its last op and its last update is the one that counts.
  absl::flat_hash_set<int64_t> inserted, deleted;
  absl::flat_hash_map<int64_t, const Op*> last_update;
  for (const Op& op : batch) {
    if (op.kind == Op::Kind::kInsert) inserted.insert(op.id);
    if (op.kind == Op::Kind::kDelete) deleted.insert(op.id);
    if (op.kind == Op::Kind::kUpdate) last_update[op.id] = &op;
  }
  // FIFO queues: the highest sequence number written, per queue.
  absl::flat_hash_map<int64_t, int64_t> sequences;
  std::string attributes;
  for (Op& op : batch) {
    int rc = SQLITE_DONE;
    switch (op.kind) {
      case Op::Kind::kInsert: {
        if (op.sequence > 0) {
          int64_t& next = sequences[op.id >> QueueJournal::kRowBits];
          next = std::max(next, op.sequence + 1);
        }
        if (op.dedup_row != 0) {
          Statement& d = s.insert_dedup;
          d.BindInt(1, op.dedup_row);
          d.BindBlob(2, op.deduplication_key);
          d.BindText(3, op.message_id);
          d.BindInt(4, op.sequence);
          d.BindInt(5, op.sent);
          rc = d.Step();
          d.Reset();
          WHARF_RETURN_IF_ERROR(db_->Check(rc, "writing a deduplication entry to"));
          // Now and then, drop the queue's entries that left the window: a
          // range scan of the entries of the last one or two windows.
          const int64_t queue = op.id >> QueueJournal::kRowBits;
          const int64_t window = absl::ToInt64Nanoseconds(kDedupWindow);
          auto [cleaned, first] = dedup_cleaned_.try_emplace(queue, op.sent);
          if (first || op.sent - cleaned->second >= window) {
            cleaned->second = op.sent;
            Statement& e = s.expire_dedup;
            e.BindInt(1, QueueJournal::FirstRow(queue));
            e.BindInt(2, op.dedup_row - 1);
            e.BindInt(3, op.sent - window);
            rc = e.Step();
            e.Reset();
            WHARF_RETURN_IF_ERROR(db_->Check(rc, "expiring deduplication entries in"));
          }
        }
        if (deleted.contains(op.id)) break;
        Statement& m = s.insert_message;
        const base_internal::Payload& p = *op.payload;
        m.BindInt(1, op.id);
        m.BindText(2, op.message_id);
        m.BindInt(3, static_cast<int64_t>(op.state));
        m.BindInt(4, op.visible_at);
        m.BindInt(5, op.receive_count);
        m.BindInt(6, op.first_receive);
        m.BindInt(7, op.sent);
        m.BindInt(8, op.enqueued);
        m.BindInt(9, op.sequence);
        m.BindTextOrNull(10, op.group_id);
        m.BindTextOrNull(11, op.deduplication_id);
        m.BindTextOrNull(12, op.dead_letter_source_arn);
        m.BindBlob(13, {});  // md5: not stored; the payload computes it when read.
        if (p.attributes() != nullptr) {
          attributes.clear();
          EncodePayloadAttributes(*p.attributes(), attributes);
          m.BindBlob(14, attributes);
        } else {
          m.BindNull(14);
        }
        m.BindBlob(15, p.body());
        rc = m.Step();
        m.Reset();
        WHARF_RETURN_IF_ERROR(db_->Check(rc, "writing a message to"));
        break;
      }
      case Op::Kind::kUpdate: {
        if (deleted.contains(op.id) || last_update[op.id] != &op) break;
        Statement& u = s.update_message;
        u.BindInt(1, op.id);
        u.BindInt(2, static_cast<int64_t>(op.state));
        u.BindInt(3, op.visible_at);
        u.BindInt(4, op.receive_count);
        u.BindInt(5, op.first_receive);
        rc = u.Step();
        u.Reset();
        WHARF_RETURN_IF_ERROR(db_->Check(rc, "updating a message in"));
        break;
      }
      case Op::Kind::kDelete: {
        if (inserted.contains(op.id)) break;
        Statement& d = s.delete_message;
        d.BindInt(1, op.id);
        rc = d.Step();
        d.Reset();
        WHARF_RETURN_IF_ERROR(db_->Check(rc, "deleting a message from"));
        break;
      }
      case Op::Kind::kPurge:
      case Op::Kind::kDropQueue: {
        Statement& d = s.delete_messages;
        d.BindInt(1, QueueJournal::FirstRow(op.id));
        d.BindInt(2, QueueJournal::LastRow(op.id));
        rc = d.Step();
        d.Reset();
        WHARF_RETURN_IF_ERROR(db_->Check(rc, "purging messages from"));
        // A purge forgets deduplication ids too (as FifoQueue::Purge does);
        // only dropping the queue forgets its sequence.
        Statement& dd = s.delete_dedup;
        dd.BindInt(1, QueueJournal::FirstRow(op.id));
        dd.BindInt(2, QueueJournal::LastRow(op.id));
        rc = dd.Step();
        dd.Reset();
        WHARF_RETURN_IF_ERROR(db_->Check(rc, "purging messages from"));
        if (op.kind == Op::Kind::kPurge) break;
        Statement& ds = s.delete_sequence;
        ds.BindInt(1, op.id);
        rc = ds.Step();
        ds.Reset();
        sequences.erase(op.id);
        WHARF_RETURN_IF_ERROR(db_->Check(rc, "deleting a queue from"));
        break;
      }
      case Op::Kind::kPut: {
        Statement& p = s.put_document;
        p.BindText(1, op.document->kind);
        p.BindText(2, op.document->name);
        p.BindBlob(3, op.document->value);
        rc = p.Step();
        p.Reset();
        WHARF_RETURN_IF_ERROR(db_->Check(rc, "writing a document to"));
        break;
      }
      case Op::Kind::kErase: {
        Statement& e = s.erase_document;
        e.BindText(1, op.document->kind);
        e.BindText(2, op.document->name);
        rc = e.Step();
        e.Reset();
        WHARF_RETURN_IF_ERROR(db_->Check(rc, "erasing a document from"));
        break;
      }
    }
  }
  for (const auto& [queue, next] : sequences) {
    Statement& p = s.put_sequence;
    p.BindInt(1, queue);
    p.BindInt(2, next);
    int rc = p.Step();
    p.Reset();
    WHARF_RETURN_IF_ERROR(db_->Check(rc, "writing a sequence number to"));
  }
  return absl::OkStatus();
}

// ---- Documents ---------------------------------------------------------------------

void Store::Put(std::string_view kind, std::string_view name, std::string value) {
  Op op;
  op.kind = Op::Kind::kPut;
  op.document = std::make_unique<Op::Document>(
      Op::Document{std::string(kind), std::string(name), std::move(value)});
  Enqueue(std::move(op));
}

void Store::Erase(std::string_view kind, std::string_view name) {
  Op op;
  op.kind = Op::Kind::kErase;
  op.document =
      std::make_unique<Op::Document>(Op::Document{std::string(kind), std::string(name), {}});
  Enqueue(std::move(op));
}

absl::StatusOr<std::vector<StoredDocument>> Store::LoadDocuments(std::string_view kind) {
  MutexLock lock(&db_mu_);
  WHARF_ASSIGN_OR_RETURN(
      Statement select,
      db_->Prepare("SELECT name, value FROM documents WHERE kind=?1 ORDER BY name"));
  select.BindText(1, kind);
  std::vector<StoredDocument> out;
  int rc;
  while ((rc = select.Step()) == SQLITE_ROW) {
    out.push_back({std::string(select.Text(0)), std::string(select.Blob(1))});
  }
  WHARF_RETURN_IF_ERROR(db_->Check(rc, "reading documents from"));
  return out;
}

// ---- Queues ------------------------------------------------------------------------

absl::StatusOr<int64_t> Store::NewQueueId() {
  MutexLock lock(&mu_);
  if (next_queue_id_ > QueueJournal::kMaxQueueId) {
    return MakeError(ErrorCode::kInternalFailure,
                     absl::StrCat("storage: ", path(), " has used all its queue ids"));
  }
  return next_queue_id_++;
}

void Store::NoteQueueId(int64_t queue_id) {
  MutexLock lock(&mu_);
  next_queue_id_ = std::max(next_queue_id_, queue_id + 1);
}

void Store::DropQueue(int64_t queue_id) {
  Op op;
  op.kind = Op::Kind::kDropQueue;
  op.id = queue_id;
  Enqueue(std::move(op));
}

absl::StatusOr<std::unique_ptr<QueueJournal>> Store::OpenQueue(
    int64_t queue_id, bool fifo, absl::Time now, absl::FunctionRef<void(RestoredQueue)> restore) {
  if (queue_id < 1 || queue_id > QueueJournal::kMaxQueueId) {
    return absl::DataLossError(
        absl::StrCat("storage: ", path(), " names queue id ", queue_id, ", out of range"));
  }
  NoteQueueId(queue_id);
  auto journal = std::make_unique<QueueJournal>(*this, queue_id, fifo);
  MutexLock lock(&db_mu_);
  WHARF_ASSIGN_OR_RETURN(
      Statement messages,
      db_->Prepare("SELECT id, message_id, state, visible_at, receive_count, first_receive, sent, "
                   "enqueued, sequence, group_id, dedup_id, dlq_source, md5, attributes, body "
                   "FROM messages WHERE id BETWEEN ?1 AND ?2 ORDER BY id"));
  messages.BindInt(1, QueueJournal::FirstRow(queue_id));
  messages.BindInt(2, QueueJournal::LastRow(queue_id));
  uint64_t next_sequence = 1;
  RestoredQueue chunk;
  RestoredQueue* restored = &chunk;
  int rc;
  while ((rc = messages.Step()) == SQLITE_ROW) {
    if (chunk.messages.size() == kRestoreChunk) {
      restore(std::move(chunk));
      chunk = RestoredQueue();
    }
    const int64_t row = messages.Int(0);
    const int64_t state = messages.Int(2);
    absl::StatusOr<base_internal::PayloadRef> payload =
        DecodePayload(messages.Blob(14), messages.Blob(12), messages.Blob(13));
    if (!payload.ok() || state < 0 || state > 2) {
      return absl::DataLossError(
          absl::StrCat("storage: ", path(), ": message row ", row, " is damaged: ",
                       payload.ok() ? absl::string_view("bad state") : payload.status().message()));
    }
    RestoredMessage& m = restored->messages.emplace_back();
    m.message_id = std::string(messages.Text(1));
    m.payload = std::move(*payload);
    m.state = static_cast<MessageState>(state);
    m.visible_at = FromNanos(messages.Int(3));
    m.receive_count = static_cast<int>(messages.Int(4));
    m.first_receive_time = FromNanos(messages.Int(5));
    m.sent_time = FromNanos(messages.Int(6));
    m.enqueued_time = FromNanos(messages.Int(7));
    m.sequence = static_cast<uint64_t>(messages.Int(8));
    m.message_group_id = std::string(messages.Text(9));
    m.deduplication_id = std::string(messages.Text(10));
    m.dead_letter_source_arn = std::string(messages.Text(11));
    next_sequence = std::max(next_sequence, m.sequence + 1);
    journal->NoteRow(m.message_id, row);
  }
  WHARF_RETURN_IF_ERROR(db_->Check(rc, "reading messages from"));

  WHARF_ASSIGN_OR_RETURN(Statement dedup,
                         db_->Prepare("SELECT id, key, message_id, sequence, sent FROM dedup "
                                      "WHERE id BETWEEN ?1 AND ?2 ORDER BY id"));
  dedup.BindInt(1, QueueJournal::FirstRow(queue_id));
  dedup.BindInt(2, QueueJournal::LastRow(queue_id));
  while ((rc = dedup.Step()) == SQLITE_ROW) {
    journal->NoteDedupRow(dedup.Int(0));
    const uint64_t sequence = static_cast<uint64_t>(dedup.Int(3));
    next_sequence = std::max(next_sequence, sequence + 1);
    const absl::Time sent = FromNanos(dedup.Int(4));
    if (sent + kDedupWindow <= now) continue;
    restored->deduplication.push_back(
        {std::string(dedup.Blob(1)), std::string(dedup.Text(2)), sequence, sent});
  }
  WHARF_RETURN_IF_ERROR(db_->Check(rc, "reading deduplication entries from"));

  WHARF_ASSIGN_OR_RETURN(Statement counter,
                         db_->Prepare("SELECT next FROM sequences WHERE queue=?1"));
  counter.BindInt(1, queue_id);
  rc = counter.Step();
  if (rc == SQLITE_ROW) {
    next_sequence = std::max(next_sequence, static_cast<uint64_t>(counter.Int(0)));
  }
  WHARF_RETURN_IF_ERROR(db_->Check(rc, "reading sequence numbers from"));
  restored->next_sequence = next_sequence;
  restore(std::move(chunk));
  return journal;
}

absl::Status Store::DropQueuesExcept(const std::vector<int64_t>& live) {
  absl::flat_hash_set<int64_t> keep(live.begin(), live.end());
  MutexLock lock(&db_mu_);
  WHARF_RETURN_IF_ERROR(db_->Exec("BEGIN", "cleaning up"));
  absl::Status status = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_) -> absl::Status {
    for (const char* table : {"messages", "dedup"}) {
      WHARF_ASSIGN_OR_RETURN(Statement next,
                             db_->Prepare(absl::StrCat("SELECT id FROM ", table,
                                                       " WHERE id >= ?1 ORDER BY id LIMIT 1")));
      WHARF_ASSIGN_OR_RETURN(
          Statement drop,
          db_->Prepare(absl::StrCat("DELETE FROM ", table, " WHERE id BETWEEN ?1 AND ?2")));
      int64_t from = 0;
      for (;;) {
        next.BindInt(1, from);
        int rc = next.Step();
        if (rc != SQLITE_ROW) {
          WHARF_RETURN_IF_ERROR(db_->Check(rc, "cleaning up"));
          break;
        }
        const int64_t queue = next.Int(0) >> QueueJournal::kRowBits;
        next.Reset();
        if (!keep.contains(queue)) {
          drop.BindInt(1, QueueJournal::FirstRow(queue));
          drop.BindInt(2, QueueJournal::LastRow(queue));
          rc = drop.Step();
          drop.Reset();
          WHARF_RETURN_IF_ERROR(db_->Check(rc, "cleaning up"));
        }
        if (queue >= QueueJournal::kMaxQueueId) break;
        from = QueueJournal::FirstRow(queue + 1);
      }
    }
    WHARF_ASSIGN_OR_RETURN(Statement queues, db_->Prepare("SELECT queue FROM sequences"));
    std::vector<int64_t> dead;
    int rc;
    while ((rc = queues.Step()) == SQLITE_ROW) {
      if (!keep.contains(queues.Int(0))) dead.push_back(queues.Int(0));
    }
    WHARF_RETURN_IF_ERROR(db_->Check(rc, "cleaning up"));
    for (int64_t queue : dead) {
      stmts_->delete_sequence.BindInt(1, queue);
      rc = stmts_->delete_sequence.Step();
      stmts_->delete_sequence.Reset();
      WHARF_RETURN_IF_ERROR(db_->Check(rc, "cleaning up"));
    }
    return absl::OkStatus();
  }();
  if (!status.ok()) {
    db_->Exec("ROLLBACK", "rolling back").IgnoreError();
    return status;
  }
  return db_->Exec("COMMIT", "cleaning up");
}

}  // namespace wharf::storage_internal
