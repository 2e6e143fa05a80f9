// A QueueDeliverer that records what the topic layer delivers, for tests of
// the SNS service without the SQS service.
//
// Thread safety: thread-safe.

#ifndef WHARF_TESTS_SERVICE_FAKE_QUEUES_H_
#define WHARF_TESTS_SERVICE_FAKE_QUEUES_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/base/aws_errors.h"
#include "broker/base/mutex.h"
#include "broker/topic/topic_registry.h"
#include "wharf/errors.h"

namespace wharf::testing {

class FakeQueues : public queue_internal::QueueDeliverer {
 public:
  absl::Status DeliverToQueue(std::string_view queue_arn, queue_internal::SendArgs args) override {
    MutexLock lock(&mu_);
    std::string arn(queue_arn);
    if (missing_.count(arn) > 0) {
      return base_internal::QueueDoesNotExistError();
    }
    queues_[arn].push_back(std::move(args));
    return absl::OkStatus();
  }

  // Deliveries to `queue_arn` fail with QueueDoesNotExist from now on.
  void Delete(const std::string& queue_arn) {
    MutexLock lock(&mu_);
    missing_.insert(queue_arn);
  }

  std::vector<queue_internal::SendArgs> Messages(const std::string& queue_arn) {
    MutexLock lock(&mu_);
    auto it = queues_.find(queue_arn);
    return it == queues_.end() ? std::vector<queue_internal::SendArgs>() : it->second;
  }

  std::vector<std::string> Bodies(const std::string& queue_arn) {
    std::vector<std::string> bodies;
    for (const auto& m : Messages(queue_arn)) bodies.emplace_back(m.payload->body());
    return bodies;
  }

 private:
  Mutex mu_;
  std::map<std::string, std::vector<queue_internal::SendArgs>> queues_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> missing_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_SERVICE_FAKE_QUEUES_H_
