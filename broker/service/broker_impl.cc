// wharf::Broker::Open and BrokerImpl, the composition root: it owns the
// clock, the scheduler shared by timed work (paced message move tasks) and the
// SQS service.

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "broker/base/arn.h"
#include "broker/base/aws_errors.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/service/events_service.h"
#include "broker/service/message_validation.h"
#include "broker/service/sns_service.h"
#include "broker/service/sqs_service_impl.h"
#include "broker/topic/topic_registry.h"
#include "wharf/broker.h"
#include "wharf/errors.h"

namespace wharf {
namespace {

// SNS fan-out into this broker's queues: places the shared payload straight
// into the queue's engine, after the checks a queue makes of any message.
class SnsToSqs final : public topic_internal::QueueDeliverer {
 public:
  explicit SnsToSqs(service_internal::SqsServiceImpl& sqs) : sqs_(sqs) {}

  absl::Status DeliverToQueue(std::string_view queue_arn, queue_internal::SendArgs args) override {
    std::shared_ptr<service_internal::QueueImpl> queue = Find(queue_arn);
    if (queue == nullptr) {
      return base_internal::QueueDoesNotExistError();
    }
    const queue_internal::Payload& p = *args.payload;
    static const sqs::MessageAttributeMap kNone;
    const sqs::MessageAttributeMap& attributes =
        p.attributes != nullptr ? p.attributes->message_attributes : kNone;
    // The text and attributes were validated when published; only the
    // queue's own limits remain, counted as SendMessage counts them.
    if (attributes.size() > 10 || service_internal::MessageSize(p.body, attributes) >
                                      static_cast<size_t>(queue->maximum_message_size())) {
      return MakeError(ErrorCode::kInvalidParameterValue, "Message does not fit the queue.");
    }
    if (!queue->fifo()) args.delay = absl::Seconds(queue->delay_seconds());
    if (!queue->Place(std::move(args))) {
      return base_internal::QueueDoesNotExistError();
    }
    return absl::OkStatus();
  }

 private:
  // Bounds the cache; past it, the cache starts over.
  static constexpr size_t kMaxCachedQueues = 4096;

  // FindByArn parses the ARN and looks the name up on every call; a fan-out
  // resolves the same few ARNs for every publish, so resolutions are cached.
  // A cached queue that was deleted (or destroyed) is resolved again, which
  // also finds a queue re-created under the same name.
  std::shared_ptr<service_internal::QueueImpl> Find(std::string_view queue_arn) {
    const absl::string_view key(queue_arn.data(), queue_arn.size());
    {
      ReaderMutexLock lock(&mu_);
      if (auto it = cache_.find(key); it != cache_.end()) {
        std::shared_ptr<service_internal::QueueImpl> queue = it->second.lock();
        if (queue != nullptr && !queue->deleted()) return queue;
      }
    }
    std::shared_ptr<service_internal::QueueImpl> queue = sqs_.FindByArn(queue_arn);
    if (queue == nullptr) return nullptr;
    MutexLock lock(&mu_);
    if (cache_.size() >= kMaxCachedQueues) cache_.clear();
    cache_[key] = queue;
    return queue;
  }

  service_internal::SqsServiceImpl& sqs_;
  Mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<service_internal::QueueImpl>> cache_
      ABSL_GUARDED_BY(mu_);
};

class BrokerImpl final : public Broker {
 public:
  explicit BrokerImpl(BrokerOptions options)
      : options_(std::move(options)),
        scheduler_(std::make_unique<Scheduler>(*options_.clock)),
        sqs_(std::make_unique<service_internal::SqsServiceImpl>(*options_.clock, *scheduler_,
                                                                options_)),
        sns_to_sqs_(std::make_unique<SnsToSqs>(*sqs_)),
        sns_(std::make_unique<service_internal::SnsService>(
            service_internal::SnsService::Options{.region = options_.region,
                                                  .account_id = options_.account_id,
                                                  .clock = options_.clock.get(),
                                                  .scheduler = scheduler_.get(),
                                                  .queues = sns_to_sqs_.get()})),
        events_(std::make_unique<service_internal::EventsService>(
            service_internal::EventsService::Options{.region = options_.region,
                                                     .account_id = options_.account_id,
                                                     .clock = options_.clock.get(),
                                                     .scheduler = scheduler_.get(),
                                                     .sqs = sqs_.get(),
                                                     .sns = sns_.get(),
                                                     .limits = {}})) {}

  ~BrokerImpl() override {
    // Scheduled tasks call into the services: stop them first.
    scheduler_->Shutdown();
    events_.reset();
    sns_.reset();
    sqs_.reset();
  }

  sqs::Service& sqs() override { return *sqs_; }
  sns::Service& sns() override { return *sns_; }
  events::Service& events() override { return *events_; }
  Clock& clock() override { return *options_.clock; }
  const BrokerOptions& options() const override { return options_; }

 private:
  const BrokerOptions options_;  // clock is non-null.
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<service_internal::SqsServiceImpl> sqs_;
  std::unique_ptr<SnsToSqs> sns_to_sqs_;
  std::unique_ptr<service_internal::SnsService> sns_;
  std::unique_ptr<service_internal::EventsService> events_;
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

}  // namespace

absl::StatusOr<std::unique_ptr<Broker>> Broker::Open(BrokerOptions options) {
  if (!IsRegionName(options.region)) {
    return absl::InvalidArgumentError("BrokerOptions.region must be a region name like us-east-1");
  }
  if (!base_internal::IsAwsAccountId(options.account_id)) {
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
