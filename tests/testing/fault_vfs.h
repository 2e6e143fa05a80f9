// FaultVfs: a SQLite VFS shim that fails writes or syncs on demand, so the
// durable store's error paths (full disk, I/O errors) are tested
// deterministically, without filling a real disk.
//
//   FaultVfs& vfs = FaultVfs::Install();   // the process's default VFS from now on
//   vfs.Arm(dir, FaultVfs::Fault::kDiskFull);
//   ... every write of a file under `dir` fails with SQLITE_FULL ...
//   vfs.Disarm();
//
// Install() wraps the default VFS and registers the wrapper as the new
// default, so every SQLite connection the process opens afterwards (the
// broker's included) goes through it; unarmed it only forwards.
//
// Thread safety: thread-safe.

#ifndef WHARF_TESTS_TESTING_FAULT_VFS_H_
#define WHARF_TESTS_TESTING_FAULT_VFS_H_

#include <atomic>
#include <string>

#include "broker/base/mutex.h"

namespace wharf::testing {

class FaultVfs {
 public:
  enum class Fault {
    kNone,
    kDiskFull,  // xWrite and xTruncate fail with SQLITE_FULL.
    kIoError,   // xWrite and xTruncate fail with SQLITE_IOERR_WRITE.
    kSyncError  // xSync fails with SQLITE_IOERR_FSYNC.
  };

  // Installs the shim once per process and returns it.
  static FaultVfs& Install();

  // Files whose path starts with `dir` fail with `fault` after `after` more
  // successful calls of the faulting kind.
  void Arm(const std::string& dir, Fault fault, int after = 0);
  void Disarm();

  // Calls that failed since Install.
  int failures() const { return failures_.load(); }

  // Used by the shim's callbacks: the result code for a write (or sync, with
  // `sync`) of file `path`, 0 for "go ahead".
  int Check(const char* path, bool sync);

 private:
  FaultVfs() = default;

  Mutex mu_;
  std::string dir_ ABSL_GUARDED_BY(mu_);
  Fault fault_ ABSL_GUARDED_BY(mu_) = Fault::kNone;
  int after_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int> failures_{0};
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_TESTING_FAULT_VFS_H_
