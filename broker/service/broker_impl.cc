// wharf::Broker::Open and BrokerImpl, the composition root: it owns the
// clock, the durable store (with BrokerOptions::data_dir), the scheduler
// shared by timed work (retries, schedules, replays, paced message move
// tasks), the services and the delivery seam through which SNS places
// messages into SQS queues. The Lambda service is built before SNS and
// EventBridge, which invoke its functions, and is shut down before them.

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "broker/base/arn.h"
#include "broker/base/block_cache.h"
#include "broker/base/scheduler.h"
#include "broker/base/status_macros.h"
#include "broker/metrics/metric_store.h"
#include "broker/metrics/sampler.h"
#include "broker/service/cloudwatch_service.h"
#include "broker/service/events_service.h"
#include "broker/service/lambda_metrics.h"
#include "broker/service/lambda_service.h"
#include "broker/service/queue_delivery.h"
#include "broker/service/sns_service.h"
#include "broker/service/sqs_service_impl.h"
#include "broker/storage/store.h"
#include "wharf/broker.h"
#include "wharf/errors.h"

namespace wharf {
namespace {

class BrokerImpl final : public Broker {
 public:
  // `store` is null for an in-memory broker.
  BrokerImpl(BrokerOptions options, std::unique_ptr<storage_internal::Store> store)
      : options_(std::move(options)),
        store_(std::move(store)),
        scheduler_(std::make_unique<Scheduler>(*options_.clock)),
        sqs_(std::make_unique<service_internal::SqsServiceImpl>(*options_.clock, *scheduler_,
                                                                options_, store_.get())),
        queue_delivery_(std::make_unique<service_internal::QueueDelivery>(*sqs_)),
        lambda_(std::make_unique<service_internal::LambdaService>(
            service_internal::LambdaService::Options{
                .region = options_.region,
                .account_id = options_.account_id,
                .clock = options_.clock.get(),
                .scheduler = scheduler_.get(),
                .sqs = sqs_.get(),
                .worker_threads = options_.lambda_worker_threads,
                .store = store_.get()})),
        sns_(std::make_unique<service_internal::SnsService>(
            service_internal::SnsService::Options{.region = options_.region,
                                                  .account_id = options_.account_id,
                                                  .clock = options_.clock.get(),
                                                  .scheduler = scheduler_.get(),
                                                  .queues = queue_delivery_.get(),
                                                  .functions = lambda_.get(),
                                                  .store = store_.get(),
                                                  .metrics = options_.metrics.enabled})),
        events_(std::make_unique<service_internal::EventsService>(
            service_internal::EventsService::Options{.region = options_.region,
                                                     .account_id = options_.account_id,
                                                     .clock = options_.clock.get(),
                                                     .scheduler = scheduler_.get(),
                                                     .queues = queue_delivery_.get(),
                                                     .store = store_.get(),
                                                     .sns = sns_.get(),
                                                     .functions = lambda_.get(),
                                                     .limits = options_.events,
                                                     .metrics = options_.metrics.enabled})),
        metric_store_(
            std::make_unique<metrics_internal::MetricStore>(metrics_internal::MetricStore::Options{
                .second_resolution = options_.metrics.second_resolution,
                .retention = options_.metrics.retention,
                .max_series = options_.metrics.max_series})),
        sampler_(std::make_unique<metrics_internal::Sampler>(*metric_store_)),
        lambda_metrics_(std::make_unique<service_internal::LambdaMetrics>(*lambda_)) {
    lambda_->Connect(sns_.get(), events_.get());
    std::vector<metrics_internal::MetricSource*> sources;
    if (options_.metrics.enabled)
      sources = {sqs_.get(), sns_.get(), events_.get(), lambda_metrics_.get()};
    for (metrics_internal::MetricSource* source : sources) sampler_->AddSource(source);
    cloudwatch_ = std::make_unique<service_internal::CloudWatchService>(
        service_internal::CloudWatchService::Options{
            .region = options_.region,
            .account_id = options_.account_id,
            .clock = options_.clock.get(),
            .scheduler = scheduler_.get(),
            .store = metric_store_.get(),
            .sampler = sampler_.get(),
            .sources = sources,
            .sns = sns_.get(),
            .invoke_function =
                [this](std::string_view arn, std::string payload) {
                  return lambda_->InvokeAsync(arn, std::move(payload));
                },
            .put_event =
                [this](std::string_view detail_type, std::string alarm_arn, std::string detail) {
                  events_->PutServiceEvent("aws.cloudwatch", detail_type, {std::move(alarm_arn)},
                                           detail);
                },
            .max_alarms = options_.metrics.max_alarms,
            .storage = store_.get()});
    if (sources.empty()) return;
    // The sampler brings the current minute's datapoints up to date: with a
    // ManualClock before every advance (what held until now, through the
    // minutes jumped over); otherwise just before each second ends.
    manual_clock_ = dynamic_cast<ManualClock*>(options_.clock.get());
    if (manual_clock_ != nullptr) {
      before_advance_ = manual_clock_->AddBeforeAdvanceListener(
          [this](absl::Time now, absl::Time to) { sampler_->Flush(now, to); });
    } else {
      ScheduleSample();
    }
  }

  ~BrokerImpl() override {
    if (manual_clock_ != nullptr) manual_clock_->RemoveAdvanceListener(before_advance_);
    // Functions and pollers call every service: stop them (waiting for the
    // handlers that run) while the services still exist. Then the scheduled
    // tasks, which call into the services too. The SQS service's destructor
    // then ends the receives still waiting (QueueDoesNotExist), so no callback
    // runs after this returns.
    lambda_->Shutdown();
    scheduler_->Shutdown();
    cloudwatch_->Shutdown();
    cloudwatch_.reset();
    sampler_.reset();
    lambda_metrics_.reset();
    events_.reset();
    sns_.reset();
    lambda_.reset();
    sqs_.reset();
    // Last: commits what the services left pending, then releases the
    // directory.
    store_.reset();
    // The payload blocks the queues' messages gave back and that sit in the
    // process-wide depot go back to malloc (threads' own lists stay theirs).
    base_internal::TrimBlockDepot();
  }

  // Durable mode: rebuilds every service's state from the store.
  absl::Status Recover() {
    WHARF_RETURN_IF_ERROR(sqs_->Recover());
    WHARF_RETURN_IF_ERROR(sns_->Recover());
    WHARF_RETURN_IF_ERROR(events_->Recover());
    WHARF_RETURN_IF_ERROR(cloudwatch_->Recover());
    return lambda_->Recover();
  }

  sqs::Service& sqs() override { return *sqs_; }
  sns::Service& sns() override { return *sns_; }
  events::Service& events() override { return *events_; }
  cloudwatch::Service& cloudwatch() override { return *cloudwatch_; }
  lambda::Service& lambda() override { return *lambda_; }
  Clock& clock() override { return *options_.clock; }
  const BrokerOptions& options() const override { return options_; }

 private:
  // A real clock: flush 1 ms before each second ends, so the second's
  // traffic lands in it.
  void ScheduleSample() {
    const absl::Time now = options_.clock->Now();
    absl::Time at = absl::Floor(now - absl::UnixEpoch(), absl::Seconds(1)) + absl::UnixEpoch() +
                    absl::Seconds(1) - absl::Milliseconds(1);
    if (at <= now) at += absl::Seconds(1);
    scheduler_->ScheduleAt(at, [this] {
      const absl::Time t = options_.clock->Now();
      sampler_->Flush(t, t);
      ScheduleSample();
    });
  }

  const BrokerOptions options_;                     // clock is non-null.
  std::unique_ptr<storage_internal::Store> store_;  // Null in memory; outlives the services.
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<service_internal::SqsServiceImpl> sqs_;
  std::unique_ptr<service_internal::QueueDelivery> queue_delivery_;
  std::unique_ptr<service_internal::LambdaService> lambda_;
  std::unique_ptr<service_internal::SnsService> sns_;
  std::unique_ptr<service_internal::EventsService> events_;
  std::unique_ptr<metrics_internal::MetricStore> metric_store_;
  std::unique_ptr<metrics_internal::Sampler> sampler_;
  std::unique_ptr<service_internal::LambdaMetrics> lambda_metrics_;  // Reads lambda_.
  std::unique_ptr<service_internal::CloudWatchService> cloudwatch_;
  ManualClock* manual_clock_ = nullptr;
  int before_advance_ = -1;
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
  if (options.metrics.second_resolution < absl::Seconds(1) ||
      options.metrics.retention < options.metrics.second_resolution) {
    return absl::InvalidArgumentError(
        "BrokerOptions.metrics: need 1 s <= second_resolution <= retention");
  }
  if (options.lambda_worker_threads < 1) {
    return absl::InvalidArgumentError("BrokerOptions.lambda_worker_threads must be positive");
  }
  if (options.clock == nullptr) options.clock = std::make_shared<SystemClock>();
  std::unique_ptr<storage_internal::Store> store;
  if (!options.data_dir.empty()) {
    absl::StatusOr<std::unique_ptr<storage_internal::Store>> opened = storage_internal::Store::Open(
        {.dir = options.data_dir, .full_sync = options.sync_level == SyncLevel::kFull});
    if (!opened.ok()) return opened.status();
    store = std::move(*opened);
  }
  auto broker = std::make_unique<BrokerImpl>(std::move(options), std::move(store));
  if (absl::Status s = broker->Recover(); !s.ok()) return s;
  return std::unique_ptr<Broker>(std::move(broker));
}

}  // namespace wharf
