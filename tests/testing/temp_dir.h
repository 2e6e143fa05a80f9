// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its
// contents when the object is destroyed. For tests of durable brokers.

#ifndef WHARF_TESTS_TESTING_TEMP_DIR_H_
#define WHARF_TESTS_TESTING_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace wharf::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/wharf-test-XXXXXX";
    if (char* made = ::mkdtemp(pattern.data()); made != nullptr) path_ = made;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }

  // Empty if the directory could not be created.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_TESTING_TEMP_DIR_H_
