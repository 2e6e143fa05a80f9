#include "tests/testing/fault_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <string_view>

namespace wharf::testing {
namespace {

// A file of the shim: SQLite allocates szOsFile bytes; ours come first, the
// real VFS's file follows.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  const char* path;  // Owned by SQLite; valid while the file is open.
};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs shim_vfs;
sqlite3_io_methods shim_methods;
FaultVfs* the_shim = nullptr;

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int ShimClose(sqlite3_file* f) {
  sqlite3_file* real = Real(f);
  int rc = real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
  return rc;
}
int ShimRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int ShimWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (int rc = the_shim->Check(reinterpret_cast<ShimFile*>(f)->path, false); rc != 0) return rc;
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int ShimTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = the_shim->Check(reinterpret_cast<ShimFile*>(f)->path, false); rc != 0) return rc;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int ShimSync(sqlite3_file* f, int flags) {
  if (int rc = the_shim->Check(reinterpret_cast<ShimFile*>(f)->path, true); rc != 0) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int ShimFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int ShimLock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int ShimUnlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int ShimCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int ShimFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int ShimSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int ShimDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShimShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int ShimShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShimShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShimShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int ShimFetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int ShimUnfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

int ShimOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  ShimFile* shim = reinterpret_cast<ShimFile*>(f);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  shim->path = name;
  shim->base.pMethods = nullptr;
  int rc = real_vfs->xOpen(real_vfs, name, shim->real, flags, out_flags);
  if (shim->real->pMethods != nullptr) shim->base.pMethods = &shim_methods;
  return rc;
}

}  // namespace

FaultVfs& FaultVfs::Install() {
  static FaultVfs* const vfs = [] {
    the_shim = new FaultVfs();
    real_vfs = sqlite3_vfs_find(nullptr);
    shim_vfs = *real_vfs;
    shim_vfs.zName = "wharf-fault";
    shim_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_vfs->szOsFile;
    shim_vfs.xOpen = ShimOpen;
    shim_vfs.pNext = nullptr;
    shim_methods = sqlite3_io_methods{3,
                                      ShimClose,
                                      ShimRead,
                                      ShimWrite,
                                      ShimTruncate,
                                      ShimSync,
                                      ShimFileSize,
                                      ShimLock,
                                      ShimUnlock,
                                      ShimCheckReservedLock,
                                      ShimFileControl,
                                      ShimSectorSize,
                                      ShimDeviceCharacteristics,
                                      ShimShmMap,
                                      ShimShmLock,
                                      ShimShmBarrier,
                                      ShimShmUnmap,
                                      ShimFetch,
                                      ShimUnfetch};
    sqlite3_vfs_register(&shim_vfs, /*makeDflt=*/1);
    return the_shim;
  }();
  return *vfs;
}

void FaultVfs::Arm(const std::string& dir, Fault fault, int after) {
  MutexLock lock(&mu_);
  dir_ = dir;
  fault_ = fault;
  after_ = after;
}

void FaultVfs::Disarm() {
  MutexLock lock(&mu_);
  fault_ = Fault::kNone;
}

int FaultVfs::Check(const char* path, bool sync) {
  MutexLock lock(&mu_);
  if (fault_ == Fault::kNone || path == nullptr) return 0;
  if (std::string_view(path).substr(0, dir_.size()) != dir_) return 0;
  if ((fault_ == Fault::kSyncError) != sync) return 0;
  if (after_ > 0) {
    --after_;
    return 0;
  }
  failures_.fetch_add(1);
  switch (fault_) {
    case Fault::kDiskFull:
      return SQLITE_FULL;
    case Fault::kIoError:
      return SQLITE_IOERR_WRITE;
    case Fault::kSyncError:
      return SQLITE_IOERR_FSYNC;
    case Fault::kNone:
      break;
  }
  return 0;
}

}  // namespace wharf::testing
