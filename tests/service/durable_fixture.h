// A broker in durable mode (BrokerOptions::data_dir) on a temporary directory
// and a ManualClock, restarted on the same directory and clock by Reopen();
// and the same with SQLite's I/O going through the fault shim.

#ifndef WHARF_TESTS_SERVICE_DURABLE_FIXTURE_H_
#define WHARF_TESTS_SERVICE_DURABLE_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "tests/testing/fault_vfs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wharf/broker.h"
#include "wharf/clock.h"

namespace wharf::testing {

// Sequence numbers are decimal text without leading zeros.
inline bool SequenceLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

class DurableFixture : public ::testing::Test {
 protected:
  static constexpr char kAccount[] = "123456789012";

  DurableFixture() : clock_(std::make_shared<ManualClock>()) { Reopen(); }

  // Destroys the broker (a clean shutdown) and opens a new one on the same
  // directory and clock.
  void Reopen() {
    broker_.reset();
    absl::StatusOr<std::unique_ptr<Broker>> broker = Open();
    ASSERT_THAT(broker, IsOk());
    broker_ = std::move(*broker);
  }

  absl::StatusOr<std::unique_ptr<Broker>> Open() {
    return Broker::Open(
        {.clock = clock_, .region = "us-east-1", .account_id = kAccount, .data_dir = dir_.path()});
  }

  sqs::Service& sqs() { return broker_->sqs(); }
  sns::Service& sns() { return broker_->sns(); }

  TempDir dir_;  // Outlives broker_.
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Broker> broker_;
};

// `Fixture` (a DurableFixture) whose broker's SQLite connections go through
// the fault shim: vfs_.Arm(dir_.path(), ...) makes the next I/O fail.
template <typename Fixture>
class WithFaultVfs : public Fixture {
 protected:
  // The shim only sees connections opened after it is installed.
  WithFaultVfs() : vfs_(FaultVfs::Install()) { this->Reopen(); }
  ~WithFaultVfs() override { vfs_.Disarm(); }

  FaultVfs& vfs_;
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_SERVICE_DURABLE_FIXTURE_H_
