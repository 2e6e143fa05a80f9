#include "broker/tools/bench/inproc_target.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "broker/tools/bench/text.h"
#include "wharf/errors.h"
#include "wharf/lambda.h"

namespace wharf::bench {
namespace {

// "QueueDoesNotExist: The specified queue does not exist."
absl::Status Named(const absl::Status& status) {
  std::optional<ErrorCode> code = GetErrorCode(status);
  if (!code) return status;
  return absl::Status(status.code(),
                      absl::StrCat(Absl(GetErrorInfo(*code).name), ": ", status.message()));
}

template <typename Entry>
void NoteFailures(const std::vector<Entry>& failed, BatchOutcome* out) {
  out->failed += static_cast<int>(failed.size());
  if (!failed.empty() && out->first_error.empty()) {
    out->first_error =
        absl::StrCat(Absl(GetErrorInfo(failed.front().code).name), ": ", failed.front().message);
  }
}

class InprocControl final : public ControlPlane {
 public:
  explicit InprocControl(Broker& broker) : broker_(broker) {}

  absl::StatusOr<QueueRef> CreateQueue(const std::string& name,
                                       const std::map<std::string, std::string>& attrs) override {
    absl::StatusOr<sqs::CreateQueueResult> created = broker_.sqs().CreateQueue(
        {.queue_name = name, .attributes = {attrs.begin(), attrs.end()}, .tags = {}});
    if (!created.ok()) return Named(created.status());
    absl::StatusOr<sqs::GetQueueAttributesResult> got = broker_.sqs().GetQueueAttributes(
        {.queue_url = created->queue_url, .attribute_names = {"QueueArn"}});
    if (!got.ok()) return Named(got.status());
    return QueueRef{.url = created->queue_url, .arn = got->attributes["QueueArn"]};
  }

  absl::Status SetQueueAttributes(const std::string& url,
                                  const std::map<std::string, std::string>& attrs) override {
    return Named(broker_.sqs().SetQueueAttributes(
        {.queue_url = url, .attributes = {attrs.begin(), attrs.end()}}));
  }

  absl::Status DeleteQueue(const std::string& url) override {
    return Named(broker_.sqs().DeleteQueue({.queue_url = url}));
  }

  absl::StatusOr<std::string> CreateTopic(
      const std::string& name, const std::map<std::string, std::string>& attrs) override {
    sns::CreateTopicRequest request;
    request.name = name;
    request.attributes = {attrs.begin(), attrs.end()};
    absl::StatusOr<sns::CreateTopicResult> created = broker_.sns().CreateTopic(request);
    if (!created.ok()) return Named(created.status());
    return created->topic_arn;
  }

  absl::StatusOr<std::string> Subscribe(const std::string& topic_arn, const std::string& queue_arn,
                                        const std::map<std::string, std::string>& attrs) override {
    absl::StatusOr<sns::SubscribeResult> sub =
        broker_.sns().Subscribe({.topic_arn = topic_arn,
                                 .protocol = "sqs",
                                 .endpoint = queue_arn,
                                 .attributes = {attrs.begin(), attrs.end()},
                                 .return_subscription_arn = true});
    if (!sub.ok()) return Named(sub.status());
    return sub->subscription_arn;
  }

  absl::Status DeleteTopic(const std::string& arn) override {
    return Named(broker_.sns().DeleteTopic({.topic_arn = arn}));
  }

  absl::Status CreateEventBus(const std::string& name) override {
    events::CreateEventBusRequest request;
    request.name = name;
    return Named(broker_.events().CreateEventBus(request).status());
  }

  absl::Status PutRule(const std::string& bus, const std::string& name,
                       const std::string& pattern) override {
    events::PutRuleRequest request;
    request.name = name;
    request.event_pattern = pattern;
    request.event_bus_name = bus;
    return Named(broker_.events().PutRule(request).status());
  }

  absl::Status PutTargets(const std::string& bus, const std::string& rule,
                          const std::vector<RuleTarget>& targets) override {
    events::PutTargetsRequest request;
    request.rule = rule;
    request.event_bus_name = bus;
    for (const RuleTarget& t : targets) {
      events::Target target;
      target.id = t.id;
      target.arn = t.arn;
      if (!t.message_group_id.empty()) {
        target.sqs_parameters = events::SqsParameters{.message_group_id = t.message_group_id};
      }
      request.targets.push_back(std::move(target));
    }
    absl::StatusOr<events::PutTargetsResult> put = broker_.events().PutTargets(request);
    if (!put.ok()) return Named(put.status());
    if (put->failed_entry_count > 0) {
      const events::FailedTargetEntry& f = put->failed_entries.front();
      return absl::InvalidArgumentError(
          absl::StrCat("target ", f.target_id, ": ", f.error_code, ": ", f.error_message));
    }
    return absl::OkStatus();
  }

  absl::Status DeleteRule(const std::string& bus, const std::string& rule,
                          const std::vector<std::string>& target_ids) override {
    if (!target_ids.empty()) {
      events::RemoveTargetsRequest request;
      request.rule = rule;
      request.event_bus_name = bus;
      request.ids = target_ids;
      if (absl::Status s = broker_.events().RemoveTargets(request).status(); !s.ok()) {
        return Named(s);
      }
    }
    events::DeleteRuleRequest request;
    request.name = rule;
    request.event_bus_name = bus;
    return Named(broker_.events().DeleteRule(request));
  }

  absl::Status DeleteEventBus(const std::string& name) override {
    return Named(broker_.events().DeleteEventBus({.name = name}));
  }

 private:
  Broker& broker_;
};

template <typename Value>
std::map<std::string, Value> ToAttributes(const std::vector<MessageAttribute>& attributes) {
  std::map<std::string, Value> out;
  for (const MessageAttribute& a : attributes) {
    Value& v = out[a.name];
    v.data_type = a.number ? "Number" : "String";
    v.string_value = a.value;
  }
  return out;
}

class InprocSession final : public Session {
 public:
  InprocSession(Broker& broker, const Topology& topology)
      : broker_(broker), topology_(topology), queues_(topology.queues.size()) {}

  absl::StatusOr<BatchOutcome> Send(const Destination& to,
                                    std::span<const OutMessage> batch) override {
    BatchOutcome outcome;
    switch (to.kind) {
      case DestinationKind::kQueue: {
        absl::StatusOr<sqs::Queue*> queue = Queue(to.index);
        if (!queue.ok()) return queue.status();
        if (batch.size() == 1) {
          const OutMessage& m = batch.front();
          sqs::SendMessageRequest request;
          request.message_body = m.body;
          request.message_attributes = ToAttributes<sqs::MessageAttributeValue>(m.attributes);
          request.message_group_id = m.group_id;
          request.message_deduplication_id = m.dedup_id;
          if (absl::Status s = (*queue)->SendMessage(request).status(); !s.ok()) return Named(s);
          return outcome;
        }
        sqs::SendMessageBatchRequest request;
        request.entries.reserve(batch.size());
        for (size_t i = 0; i < batch.size(); ++i) {
          sqs::SendMessageBatchRequestEntry entry;
          entry.id = absl::StrCat(i);
          entry.message_body = batch[i].body;
          entry.message_attributes = ToAttributes<sqs::MessageAttributeValue>(batch[i].attributes);
          entry.message_group_id = batch[i].group_id;
          entry.message_deduplication_id = batch[i].dedup_id;
          request.entries.push_back(std::move(entry));
        }
        absl::StatusOr<sqs::SendMessageBatchResult> result = (*queue)->SendMessageBatch(request);
        if (!result.ok()) return Named(result.status());
        NoteFailures(result->failed, &outcome);
        return outcome;
      }
      case DestinationKind::kTopic: {
        const std::string& arn = topology_.topic_arns[to.index];
        if (batch.size() == 1) {
          const OutMessage& m = batch.front();
          sns::PublishRequest request;
          request.topic_arn = arn;
          request.message = m.body;
          request.message_attributes = ToAttributes<sns::MessageAttributeValue>(m.attributes);
          request.message_group_id = m.group_id;
          request.message_deduplication_id = m.dedup_id;
          if (absl::Status s = broker_.sns().Publish(request).status(); !s.ok()) return Named(s);
          return outcome;
        }
        sns::PublishBatchRequest request;
        request.topic_arn = arn;
        for (size_t i = 0; i < batch.size(); ++i) {
          sns::PublishBatchRequestEntry entry;
          entry.id = absl::StrCat(i);
          entry.message = batch[i].body;
          entry.message_attributes = ToAttributes<sns::MessageAttributeValue>(batch[i].attributes);
          entry.message_group_id = batch[i].group_id;
          entry.message_deduplication_id = batch[i].dedup_id;
          request.publish_batch_request_entries.push_back(std::move(entry));
        }
        absl::StatusOr<sns::PublishBatchResult> result = broker_.sns().PublishBatch(request);
        if (!result.ok()) return Named(result.status());
        NoteFailures(result->failed, &outcome);
        return outcome;
      }
      case DestinationKind::kBus: {
        events::PutEventsRequest request;
        for (const OutMessage& m : batch) {
          events::PutEventsRequestEntry entry;
          entry.source = to.source;
          entry.detail_type = to.detail_type;
          entry.detail = m.body;
          entry.event_bus_name = topology_.bus_names[to.index];
          request.entries.push_back(std::move(entry));
        }
        absl::StatusOr<events::PutEventsResult> result = broker_.events().PutEvents(request);
        if (!result.ok()) return Named(result.status());
        outcome.failed = result->failed_entry_count;
        for (const events::PutEventsResultEntry& e : result->entries) {
          if (!e.error_code.empty()) {
            outcome.first_error = absl::StrCat(e.error_code, ": ", e.error_message);
            break;
          }
        }
        return outcome;
      }
    }
    return outcome;
  }

  absl::Status Receive(int queue_index, const ReceiveOptions& options,
                       std::vector<InMessage>* out) override {
    absl::StatusOr<sqs::Queue*> queue = Queue(queue_index);
    if (!queue.ok()) return queue.status();
    sqs::ReceiveMessageRequest request;
    request.max_number_of_messages = options.max_messages;
    request.wait_time_seconds = options.wait_seconds;
    request.visibility_timeout = options.visibility_timeout;
    request.message_system_attribute_names = {"ApproximateReceiveCount"};
    request.stop_token = options.stop;
    absl::StatusOr<sqs::ReceiveMessageResult> result = (*queue)->ReceiveMessage(request);
    if (!result.ok()) return Named(result.status());
    for (sqs::Message& m : result->messages) {
      InMessage in;
      in.body = std::move(m.body);
      in.receipt_handle = std::move(m.receipt_handle);
      auto count = m.attributes.find("ApproximateReceiveCount");
      if (count == m.attributes.end() || !absl::SimpleAtoi(count->second, &in.receive_count)) {
        in.receive_count = 1;
      }
      out->push_back(std::move(in));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<BatchOutcome> Delete(int queue_index,
                                      std::span<const std::string> receipt_handles) override {
    absl::StatusOr<sqs::Queue*> queue = Queue(queue_index);
    if (!queue.ok()) return queue.status();
    sqs::DeleteMessageBatchRequest request;
    for (size_t i = 0; i < receipt_handles.size(); ++i) {
      request.entries.push_back({.id = absl::StrCat(i), .receipt_handle = receipt_handles[i]});
    }
    absl::StatusOr<sqs::DeleteMessageBatchResult> result = (*queue)->DeleteMessageBatch(request);
    if (!result.ok()) return Named(result.status());
    BatchOutcome outcome;
    NoteFailures(result->failed, &outcome);
    return outcome;
  }

  absl::StatusOr<BatchOutcome> ChangeVisibility(int queue_index,
                                                std::span<const std::string> receipt_handles,
                                                int seconds) override {
    absl::StatusOr<sqs::Queue*> queue = Queue(queue_index);
    if (!queue.ok()) return queue.status();
    sqs::ChangeMessageVisibilityBatchRequest request;
    for (size_t i = 0; i < receipt_handles.size(); ++i) {
      request.entries.push_back({.id = absl::StrCat(i),
                                 .receipt_handle = receipt_handles[i],
                                 .visibility_timeout = seconds});
    }
    absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult> result =
        (*queue)->ChangeMessageVisibilityBatch(request);
    if (!result.ok()) return Named(result.status());
    BatchOutcome outcome;
    NoteFailures(result->failed, &outcome);
    return outcome;
  }

  absl::StatusOr<QueueDepth> Depth(int queue_index) override {
    absl::StatusOr<sqs::GetQueueAttributesResult> got = broker_.sqs().GetQueueAttributes(
        {.queue_url = topology_.queues[queue_index].url,
         .attribute_names = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                             "ApproximateNumberOfMessagesDelayed"}});
    if (!got.ok()) return Named(got.status());
    QueueDepth depth;
    (void)absl::SimpleAtoi(got->attributes["ApproximateNumberOfMessages"], &depth.visible);
    (void)absl::SimpleAtoi(got->attributes["ApproximateNumberOfMessagesNotVisible"],
                           &depth.in_flight);
    (void)absl::SimpleAtoi(got->attributes["ApproximateNumberOfMessagesDelayed"], &depth.delayed);
    return depth;
  }

 private:
  absl::StatusOr<sqs::Queue*> Queue(int index) {
    std::shared_ptr<sqs::Queue>& q = queues_[index];
    if (q == nullptr) {
      absl::StatusOr<std::shared_ptr<sqs::Queue>> opened =
          broker_.sqs().OpenQueue(topology_.queues[index].url);
      if (!opened.ok()) return Named(opened.status());
      q = *std::move(opened);
    }
    return q.get();
  }

  Broker& broker_;
  const Topology& topology_;
  std::vector<std::shared_ptr<sqs::Queue>> queues_;  // Opened on first use.
};

// Lets handler calls in until Close, which waits for the calls inside.
class Gate {
 public:
  bool Enter() {
    MutexLock lock(&mu_);
    if (closed_) return false;
    ++inside_;
    return true;
  }
  void Leave() {
    MutexLock lock(&mu_);
    if (--inside_ == 0) left_.SignalAll();
  }
  void Close() {
    MutexLock lock(&mu_);
    closed_ = true;
    while (inside_ > 0) left_.Wait(&mu_);
  }

 private:
  Mutex mu_;
  CondVar left_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int inside_ ABSL_GUARDED_BY(mu_) = 0;
};

// The function's handler: the SQS records as InMessages to the harness's
// handler, its failures as batch item failures.
absl::StatusOr<std::string> CallHandler(Gate& gate, const BatchHandler& handler,
                                        const lambda::Invocation& in) {
  const lambda::SqsEvent* event = in.sqs();
  if (event == nullptr) return absl::InvalidArgumentError("not an SQS event");
  if (!gate.Enter()) return absl::UnavailableError("the run is over");
  std::vector<InMessage> batch;
  batch.reserve(event->records.size());
  for (const lambda::SqsRecord& r : event->records) {
    InMessage m;
    m.body = r.body;
    if (!absl::SimpleAtoi(r.attributes.approximate_receive_count, &m.receive_count)) {
      m.receive_count = 1;
    }
    batch.push_back(std::move(m));
  }
  std::vector<size_t> failed = handler(batch);
  gate.Leave();
  std::vector<std::string> ids;
  ids.reserve(failed.size());
  for (size_t i : failed) ids.push_back(event->records[i].message_id);
  return lambda::BatchItemFailuresResponse(ids);
}

class InprocMapping final : public Mapping {
 public:
  InprocMapping(Broker& broker, std::shared_ptr<Gate> gate, std::string function)
      : broker_(broker), gate_(std::move(gate)), function_(std::move(function)) {}
  ~InprocMapping() override { (void)Stop(); }

  void set_uuid(std::string uuid) { uuid_ = std::move(uuid); }

  absl::Status Stop() override {
    if (stopped_) return absl::OkStatus();
    stopped_ = true;
    gate_->Close();
    absl::Status status;
    if (!uuid_.empty())
      status = Named(broker_.lambda().DeleteEventSourceMapping({.uuid = uuid_}).status());
    absl::Status deleted = Named(broker_.lambda().DeleteFunction({.function_name = function_}));
    return status.ok() ? deleted : status;
  }

 private:
  Broker& broker_;
  const std::shared_ptr<Gate> gate_;
  const std::string function_;
  std::string uuid_;
  bool stopped_ = false;
};

class InprocTarget final : public AwsTarget {
 public:
  // `owned` may be null when `broker` lives elsewhere. `temp_dir`, when not
  // empty, is removed once the owned broker is gone.
  InprocTarget(std::unique_ptr<Broker> owned, Broker& broker, std::string name,
               std::string temp_dir = "")
      : owned_(std::move(owned)),
        broker_(broker),
        control_(broker),
        name_(std::move(name)),
        temp_dir_(std::move(temp_dir)) {}
  ~InprocTarget() override {
    owned_.reset();
    if (!temp_dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(temp_dir_, ignored);
    }
  }

  std::string name() const override { return name_; }

  absl::StatusOr<std::unique_ptr<Session>> NewSession() override {
    return std::make_unique<InprocSession>(broker_, topology());
  }

  bool RunsMappings() const override { return true; }

  absl::StatusOr<std::unique_ptr<Mapping>> StartMapping(int queue, const MappingOptions& options,
                                                        BatchHandler handler) override {
    // Function names are 1-64 of [A-Za-z0-9_-].
    std::string function = absl::StrCat(prefix().substr(0, 40), "mapping-", ++mappings_);
    for (char& ch : function) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-') ch = '_';
    }
    // AWS refuses a mapping whose queue's visibility timeout is below the
    // function's timeout: the function gets as long as the queue allows.
    absl::StatusOr<sqs::GetQueueAttributesResult> queue_attributes =
        broker_.sqs().GetQueueAttributes(
            {.queue_url = topology().queues[queue].url, .attribute_names = {"VisibilityTimeout"}});
    if (!queue_attributes.ok()) return Named(queue_attributes.status());
    int timeout = 30;
    (void)absl::SimpleAtoi(queue_attributes->attributes["VisibilityTimeout"], &timeout);
    auto gate = std::make_shared<Gate>();
    absl::StatusOr<lambda::FunctionConfiguration> created = broker_.lambda().CreateFunction(
        {.function_name = function,
         .handler = [gate, handler = std::move(handler)](
                        const lambda::Invocation& in) { return CallHandler(*gate, handler, in); },
         .timeout = std::clamp(timeout, 1, 900),
         .description = "wharf-bench consumer"});
    if (!created.ok()) return Named(created.status());
    auto mapping = std::make_unique<InprocMapping>(broker_, gate, function);
    lambda::CreateEventSourceMappingRequest request;
    request.event_source_arn = topology().queues[queue].arn;
    request.function_name = function;
    request.batch_size = options.batch_size;
    if (options.window_seconds > 0) {
      request.maximum_batching_window_in_seconds = options.window_seconds;
    }
    request.function_response_types = {"ReportBatchItemFailures"};
    if (options.concurrency) {
      request.scaling_config = lambda::ScalingConfig{.maximum_concurrency = options.concurrency};
    }
    absl::StatusOr<lambda::EventSourceMappingConfiguration> esm =
        broker_.lambda().CreateEventSourceMapping(request);
    if (!esm.ok()) return Named(esm.status());  // ~InprocMapping deletes the function.
    mapping->set_uuid(esm->uuid);
    return std::unique_ptr<Mapping>(std::move(mapping));
  }

 protected:
  ControlPlane& control() override { return control_; }

 private:
  std::unique_ptr<Broker> owned_;
  Broker& broker_;
  InprocControl control_;
  const std::string name_;
  const std::string temp_dir_;
  int mappings_ = 0;
};

// Threads for the mappings' pollers and handlers: each mapping's concurrency
// (Lambda starts with 5 pollers) and its two long polls (BrokerOptions::
// lambda_worker_threads).
int LambdaThreads(const Scenario& scenario) {
  int64_t threads = 0;
  for (const ConsumerSpec& c : scenario.consumers) {
    if (c.type != ConsumerType::kMapping) continue;
    threads += static_cast<int64_t>(c.queues.size()) * (c.concurrency.value_or(5) + 2);
  }
  return static_cast<int>(
      std::clamp<int64_t>(threads, BrokerOptions().lambda_worker_threads, 1024));
}

}  // namespace

BrokerOptions InprocBrokerOptions(const Scenario& scenario, const TargetSpec& spec) {
  BrokerOptions options;
  options.events.max_rules_per_event_bus = scenario.limits.max_rules_per_event_bus;
  options.lambda_worker_threads = LambdaThreads(scenario);
  if (spec.kind == TargetSpec::Kind::kDurable) {
    options.data_dir = spec.data_dir;
    options.sync_level = spec.sync_level;
  }
  return options;
}

absl::StatusOr<std::unique_ptr<Target>> MakeInprocTarget(const Scenario& scenario,
                                                         const TargetSpec& spec) {
  BrokerOptions options = InprocBrokerOptions(scenario, spec);
  std::string temp_dir;
  if (spec.kind == TargetSpec::Kind::kDurable && options.data_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/wharf-bench-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::InternalError(
          absl::StrCat("cannot create a temporary directory ", pattern, ": ", strerror(errno)));
    }
    temp_dir = options.data_dir = pattern;
  }
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options);
  if (!broker.ok()) {
    if (!temp_dir.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(temp_dir, ignored);
    }
    return broker.status();
  }
  Broker& ref = **broker;
  return std::unique_ptr<Target>(
      std::make_unique<InprocTarget>(*std::move(broker), ref, spec.Name(), std::move(temp_dir)));
}

std::unique_ptr<Target> MakeInprocTarget(Broker& broker) {
  return std::make_unique<InprocTarget>(nullptr, broker, "inproc");
}

}  // namespace wharf::bench
