// File: broker/storage/sqlite.h
//
// A thin RAII layer over the SQLite C API: a connection that knows its file
// name (so every error names it) and prepared statements that finalize
// themselves.
//
//   ASSIGN_OR_RETURN(auto db, Database::Open("/data/wharf.db"));
//   ASSIGN_OR_RETURN(Statement insert, db->Prepare("INSERT INTO t VALUES(?1)"));
//   insert.BindInt(1, 42);
//   RETURN_IF_ERROR(db->Check(insert.Step(), "inserting"));
//
// Thread safety: thread-compatible. A Database and its Statements are used by
// one thread at a time (the store serialises them with its own lock); the
// connection is opened without SQLite's internal mutex.

#ifndef WHARF_BROKER_STORAGE_SQLITE_H_
#define WHARF_BROKER_STORAGE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wharf::storage_internal {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1. Text and blobs are copied only if the
  // statement outlives the bound bytes' owner: the store binds, steps and
  // resets within one call, so it binds without copying (SQLITE_STATIC).
  void BindInt(int i, int64_t value) { sqlite3_bind_int64(stmt_, i, value); }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  void BindText(int i, std::string_view text);
  void BindBlob(int i, std::string_view bytes);
  // Binds `text`, or NULL when it is empty.
  void BindTextOrNull(int i, std::string_view text);

  // sqlite3_step's result code: SQLITE_ROW, SQLITE_DONE or an error.
  int Step() { return sqlite3_step(stmt_); }
  // Readies the statement for another execution and clears its bindings.
  void Reset();

  // Columns are numbered from 0. Views are valid until the next Step/Reset.
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string_view Text(int col) const;
  std::string_view Blob(int col) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating if missing) the database file at `path` through the
  // default VFS, without SQLite's connection mutex.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  // Runs one or more statements that return no rows of interest.
  absl::Status Exec(const char* sql, std::string_view what);
  absl::StatusOr<Statement> Prepare(std::string_view sql);

  // OK if `rc` is SQLITE_OK, SQLITE_DONE or SQLITE_ROW; otherwise the error,
  // naming the file and `what` was being done (see StorageError).
  absl::Status Check(int rc, std::string_view what);

  // Reads one integer (e.g. a PRAGMA's value).
  absl::StatusOr<int64_t> QueryInt(const char* sql, std::string_view what);

 private:
  Database(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  const std::string path_;
  sqlite3* db_;
};

// The status for SQLite result code `rc`, naming `path`: a full disk is
// ServiceUnavailable (retry once space is freed), a damaged or foreign file
// DataLoss, anything else (I/O errors) InternalFailure. The status carries
// the AWS error code (wharf/errors.h) so services can return it as is.
absl::Status StorageError(int rc, std::string_view detail, std::string_view path,
                          std::string_view what);

// Whether `rc` means the file cannot be trusted any more (damaged, not a
// database): further writes are refused.
bool IsFatalStorageError(int rc);

}  // namespace wharf::storage_internal

#endif  // WHARF_BROKER_STORAGE_SQLITE_H_
