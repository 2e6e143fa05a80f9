// wharf::Broker::Open and BrokerImpl, the composition root: it owns the
// clock, the scheduler shared by timed work (paced message move tasks) and the
// SQS service.

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "broker/base/scheduler.h"
#include "broker/service/sqs_service_impl.h"
#include "wharf/broker.h"

namespace wharf {
namespace {

class BrokerImpl final : public Broker {
 public:
  explicit BrokerImpl(BrokerOptions options)
      : options_(std::move(options)),
        scheduler_(std::make_unique<Scheduler>(*options_.clock)),
        sqs_(std::make_unique<service_internal::SqsServiceImpl>(*options_.clock, *scheduler_,
                                                                options_)) {}

  ~BrokerImpl() override {
    // Scheduled tasks call into the services: stop them first.
    scheduler_->Shutdown();
    sqs_.reset();
  }

  sqs::Service& sqs() override { return *sqs_; }
  Clock& clock() override { return *options_.clock; }
  const BrokerOptions& options() const override { return options_; }

 private:
  const BrokerOptions options_;  // clock is non-null.
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<service_internal::SqsServiceImpl> sqs_;
};

bool IsRegionName(const std::string& region) {
  if (region.empty()) return false;
  for (char c : region) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsAccountId(const std::string& account_id) {
  if (account_id.size() != 12) return false;
  for (char c : account_id) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Broker>> Broker::Open(BrokerOptions options) {
  if (!IsRegionName(options.region)) {
    return absl::InvalidArgumentError("BrokerOptions.region must be a region name like us-east-1");
  }
  if (!IsAccountId(options.account_id)) {
    return absl::InvalidArgumentError("BrokerOptions.account_id must be 12 digits");
  }
  if (!options.sqs_url_base.empty() && options.sqs_url_base.back() == '/') {
    return absl::InvalidArgumentError("BrokerOptions.sqs_url_base must not end with '/'");
  }
  if (options.max_inflight_messages < 1) {
    return absl::InvalidArgumentError("BrokerOptions.max_inflight_messages must be positive");
  }
  if (options.clock == nullptr) options.clock = std::make_shared<SystemClock>();
  return std::unique_ptr<Broker>(std::make_unique<BrokerImpl>(std::move(options)));
}

}  // namespace wharf
