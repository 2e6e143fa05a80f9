#include "broker/storage/sqlite.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "wharf/errors.h"

namespace wharf::storage_internal {
namespace {

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::BindText(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::BindBlob(int i, std::string_view bytes) {
  // A zero-length blob bound from a null pointer would read as NULL.
  static const char kEmpty = 0;
  sqlite3_bind_blob(stmt_, i, bytes.empty() ? &kEmpty : bytes.data(),
                    static_cast<int>(bytes.size()), SQLITE_STATIC);
}

void Statement::BindTextOrNull(int i, std::string_view text) {
  if (text.empty()) {
    BindNull(i);
  } else {
    BindText(i, text);
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string_view Statement::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  if (p == nullptr) return {};
  return std::string_view(static_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return StorageError(rc, detail, path, "opening");
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(path, db));
}

Database::~Database() { sqlite3_close(db_); }

absl::Status Database::Exec(const char* sql, std::string_view what) {
  return Check(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), what);
}

absl::StatusOr<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return StorageError(rc, sqlite3_errmsg(db_), path_,
                        absl::StrCat("preparing \"", View(sql), "\""));
  }
  return Statement(stmt);
}

absl::Status Database::Check(int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return absl::OkStatus();
  return StorageError(rc, sqlite3_errmsg(db_), path_, what);
}

absl::StatusOr<int64_t> Database::QueryInt(const char* sql, std::string_view what) {
  absl::StatusOr<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  int rc = stmt->Step();
  if (rc != SQLITE_ROW) {
    if (rc == SQLITE_DONE) return int64_t{0};
    return Check(rc, what);
  }
  return stmt->Int(0);
}

bool IsFatalStorageError(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

absl::Status StorageError(int rc, std::string_view detail, std::string_view path,
                          std::string_view what) {
  const int primary = rc & 0xff;
  std::string message = absl::StrCat("storage: ", View(what), " ", View(path), ": ", View(detail),
                                     " (SQLite error ", rc, ")");
  switch (primary) {
    case SQLITE_FULL:
      return MakeError(ErrorCode::kServiceUnavailable,
                       absl::StrCat(message, "; the disk is full, the change was not made"));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: {
      absl::Status status =
          MakeError(ErrorCode::kInternalFailure,
                    absl::StrCat(message, "; the file is damaged or is not a wharf data file"));
      // Keep the AWS code, but say DataLoss to Open's callers.
      absl::Status data_loss(absl::StatusCode::kDataLoss, status.message());
      status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
        data_loss.SetPayload(url, payload);
      });
      return data_loss;
    }
    default:
      return MakeError(ErrorCode::kInternalFailure, message);
  }
}

}  // namespace wharf::storage_internal
