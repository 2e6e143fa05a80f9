// TopicRegistry: publishing (fan-out, FIFO ordering and deduplication),
// function calls with their retries, and dead-lettering. See
// topic_registry.h.

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/aws_errors.h"
#include "broker/base/completion_scope.h"
#include "broker/base/ids.h"
#include "broker/topic/envelope.h"
#include "broker/topic/topic_registry.h"
#include "broker/topic/topic_state.h"

namespace wharf::topic_internal {

// A function delivery in progress, shared with its scheduled retries.
struct TopicRegistry::CallbackJob {
  std::shared_ptr<const PublishedMessage> message;
  std::shared_ptr<const SubscriptionInfo> subscription;
  std::string event;
  std::shared_ptr<TopicStats> stats;  // The topic's; null when metrics are off.
  int retries = 0;                    // Retries started so far.
  // When the current attempt was due. Retries are scheduled from it, not
  // from Now(), so that one large ManualClock::Advance runs the whole
  // schedule (each task then sees the end time as Now()).
  absl::Time due;
};

// Payloads built at most once per publish and shared by its deliveries.
struct TopicRegistry::DeliveryContext {
  DeliveryContext(const Topic& topic, const PublishedMessage& message,
                  const std::string& sequence_number, std::string_view region)
      : timestamp(FormatTimestamp(message.timestamp)),
        trace(MakeTraceHeader(message.aws_trace_header)) {
    fields.message_id = message.message_id;
    fields.topic_arn = topic.arn();
    fields.has_subject = message.has_subject;
    fields.subject = message.subject;
    fields.message = message.sqs_text;
    fields.timestamp = timestamp;
    fields.fifo = topic.fifo();
    fields.sequence_number = sequence_number;
    fields.attributes = &message.attributes;
    fields.region = region;
    fields.signature_version_2 = message.signature_version_2;
  }

  const queue_internal::PayloadRef& Raw(const PublishedMessage& message) {
    if (raw == nullptr) raw = RawPayload(message.sqs_text, message.attributes, &trace);
    return raw;
  }
  const SqsEnvelope& Envelope() {
    if (!envelope.has_value()) envelope.emplace(fields);
    return *envelope;
  }

  std::string timestamp;
  TraceHeader trace;  // Views the message's trace header.
  EnvelopeFields fields;
  queue_internal::PayloadRef raw;
  std::optional<SqsEnvelope> envelope;
};

// ---- Publishing -------------------------------------------------------------

std::vector<const std::shared_ptr<const SubscriptionInfo>*> TopicRegistry::SelectTargets(
    const Topic& topic, const Routes& routes, const PublishedMessage& message) const {
  std::vector<const std::shared_ptr<const SubscriptionInfo>*> targets;
  targets.reserve(routes.unfiltered.size() + 8);
  for (const auto& sub : routes.unfiltered) targets.push_back(&sub);
  auto add_matches = [&](const std::vector<std::string>& ids, FilterScope scope) {
    size_t matched = 0;
    for (const std::string& id : ids) {
      auto it = routes.filtered.find(id);
      // A subscription whose policy changed after this snapshot was taken
      // may be matched under its new scope; it is then skipped, not doubled.
      if (it != routes.filtered.end() && it->second->settings.filter_policy_scope == scope) {
        targets.push_back(&it->second);
        ++matched;
      }
    }
    return matched;
  };
  TopicStats* stats = topic.stats();
  if (routes.attribute_filters > 0) {
    std::vector<MessageAttributeRef> refs;
    refs.reserve(message.attributes.size());
    for (const auto& [name, value] : message.attributes) {
      refs.push_back({name, value.data_type, value.string_value});
    }
    const size_t matched =
        add_matches(topic.matcher(FilterScope::kMessageAttributes).MatchAttributes(refs),
                    FilterScope::kMessageAttributes);
    if (stats != nullptr && matched < routes.attribute_filters) {
      const size_t out = routes.attribute_filters - matched;
      stats->Add(TopicStats::kFilteredOut, out);
      stats->Add(message.attributes.empty() ? TopicStats::kFilteredOutNoMessageAttributes
                                            : TopicStats::kFilteredOutMessageAttributes,
                 out);
    }
  }
  if (routes.body_filters > 0) {
    // A body that is not JSON matches no body-scope policy.
    absl::StatusOr<std::vector<std::string>> ids =
        topic.matcher(FilterScope::kMessageBody).MatchJson(message.message);
    const size_t matched = ids.ok() ? add_matches(*ids, FilterScope::kMessageBody) : 0;
    if (stats != nullptr && matched < routes.body_filters) {
      const size_t out = routes.body_filters - matched;
      stats->Add(TopicStats::kFilteredOut, out);
      stats->Add(ids.ok() ? TopicStats::kFilteredOutMessageBody
                          : TopicStats::kFilteredOutInvalidMessageBody,
                 out);
    }
  }
  return targets;
}

void TopicRegistry::Deliver(
    const Topic& topic, const std::shared_ptr<const PublishedMessage>& message,
    const std::string& sequence_number,
    const std::vector<const std::shared_ptr<const SubscriptionInfo>*>& targets,
    std::vector<std::shared_ptr<const SubscriptionInfo>>* callbacks) {
  DeliveryContext context(topic, *message, sequence_number, options_.region);
  for (const std::shared_ptr<const SubscriptionInfo>* target : targets) {
    const SubscriptionInfo* sub = target->get();
    if (sub->protocol == Protocol::kLambda) {
      callbacks->push_back(*target);  // The call outlives the routes snapshot.
      continue;
    }
    queue_internal::SendArgs args;
    bool deliverable = options_.queues != nullptr;
    if (sub->settings.raw_message_delivery) {
      // SQS carries at most 10 message attributes (spec/sns.md §4.2).
      if (message->attributes.size() > 10) deliverable = false;
      args.payload = context.Raw(*message);
    } else {
      args.payload = context.Envelope().ForSubscription(sub->arn, nullptr, &context.trace);
    }
    if (topic.fifo()) {
      if (sub->endpoint_is_fifo_queue) {
        args.message_group_id = message->message_group_id;
        args.deduplication_id = message->deduplication_id;
      }
    } else if (!sub->endpoint_is_fifo_queue) {
      args.message_group_id = message->message_group_id;  // Fair queues.
    }
    if (deliverable && options_.queues->DeliverToQueue(sub->endpoint, std::move(args)).ok()) {
      if (topic.stats() != nullptr) topic.stats()->Add(TopicStats::kDelivered);
    } else {
      DeadLetter(*sub, *message, sequence_number, nullptr, topic.stats());
    }
  }
}

absl::StatusOr<PublishOutcome> TopicRegistry::Publish(
    std::string_view topic_arn, std::shared_ptr<const PublishedMessage> message) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return base_internal::TopicNotFoundError();
  PublishOutcome outcome{.message_id = message->message_id, .sequence_number = ""};
  if (TopicStats* stats = topic->stats()) {
    stats->Add(TopicStats::kPublished);
    stats->publish_size.Record(message->size);
  }
  std::vector<std::shared_ptr<const SubscriptionInfo>> callbacks;
  if (!topic->fifo()) {
    std::shared_ptr<const Routes> routes = topic->routes();
    Deliver(*topic, message, outcome.sequence_number, SelectTargets(*topic, *routes, *message),
            &callbacks);
  } else {
    // Sequence numbering and delivery of one group happen under its stripe
    // lock, so every subscriber queue sees the group in sequence order. The
    // receives the deliveries complete run after it is released.
    CompletionScope completions;
    MutexLock stripe_lock(&topic->stripe(message->message_group_id));
    outcome.sequence_number = topic->NextSequenceNumber();
    TopicSettings settings = topic->settings();
    std::string key = settings.deduplication_per_message_group
                          ? absl::StrCat(message->message_group_id, "\n", message->deduplication_id)
                          : message->deduplication_id;
    const absl::Time now = options_.clock->Now();
    const DedupCache::Entry entry{outcome.message_id, outcome.sequence_number};
    std::optional<DedupCache::Entry> original;
    if (options_.fifo_journal == nullptr) {
      original = topic->dedup().CheckAndInsert(key, now, entry);
    } else {
      // Durable: the entry and the sequence advance are recorded in the
      // cache's order; the service commits them before acknowledging.
      auto record = [&](const std::vector<std::string>& expired) {
        options_.fifo_journal->Recorded(topic->arn(), key, now, entry, topic->next_sequence(),
                                        expired);
      };
      const DedupCache::OnRecord on_record = record;
      original = topic->dedup().CheckAndInsert(key, now, entry, &on_record);
    }
    if (original.has_value()) {
      return PublishOutcome{original->message_id, original->sequence_number};
    }
    std::shared_ptr<const Routes> routes = topic->routes();
    Deliver(*topic, message, outcome.sequence_number, SelectTargets(*topic, *routes, *message),
            &callbacks);
  }
  // Function calls run last and with no lock held: they are user code.
  for (auto& sub : callbacks) StartCallback(message, std::move(sub), topic->shared_stats());
  return outcome;
}

namespace {

// The dead letter of a subscription that is not raw: the JSON envelope, with
// a function's failure as SQS message attributes.
queue_internal::PayloadRef DeadLetterEnvelope(const SubscriptionInfo& sub,
                                              const PublishedMessage& message,
                                              const std::string& sequence_number,
                                              const absl::Status* failure,
                                              std::string_view region) {
  std::string timestamp = FormatTimestamp(message.timestamp);
  EnvelopeFields fields;
  fields.message_id = message.message_id;
  fields.topic_arn = sub.topic_arn;
  fields.has_subject = message.has_subject;
  fields.subject = message.subject;
  fields.message = sub.protocol == Protocol::kLambda ? message.lambda_text : message.sqs_text;
  fields.timestamp = timestamp;
  fields.fifo = !sequence_number.empty();
  fields.sequence_number = sequence_number;
  fields.attributes = &message.attributes;
  fields.region = region;
  fields.signature_version_2 = message.signature_version_2;
  MessageAttributeMap extra;
  if (failure != nullptr) {
    std::string error_message(failure->message());
    if (error_message.empty()) error_message = absl::StatusCodeToString(failure->code());
    extra["ErrorCode"] = {.data_type = "String",
                          .string_value = absl::StatusCodeToString(failure->code()),
                          .binary_value = ""};
    extra["ErrorMessage"] = {
        .data_type = "String", .string_value = error_message, .binary_value = ""};
    extra["RequestID"] = {
        .data_type = "String", .string_value = base_internal::NewUuid(), .binary_value = ""};
  }
  return SqsEnvelope(fields).ForSubscription(sub.arn, &extra);
}

}  // namespace

void TopicRegistry::DeadLetter(const SubscriptionInfo& sub, const PublishedMessage& message,
                               const std::string& sequence_number, const absl::Status* failure,
                               TopicStats* stats) {
  if (stats != nullptr) stats->Add(TopicStats::kFailed);
  const std::string& dlq = sub.settings.dead_letter_target_arn;
  if (dlq.empty() || options_.queues == nullptr) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_internal::SendArgs args;
  if (sub.settings.raw_message_delivery && message.attributes.size() <= 10) {
    // A raw subscription's dead letter is raw too: the message with its
    // attributes as SQS message attributes (LocalStack
    // test_redrive_policy_sqs_queue_subscription[True] and
    // test_publish_fifo_messages_to_dlq[True], AWS-recorded). More than 10
    // attributes cannot travel raw to SQS: then the envelope (ours; unrecorded).
    args.payload = RawPayload(message.sqs_text, message.attributes);
  } else {
    args.payload = DeadLetterEnvelope(sub, message, sequence_number, failure, options_.region);
  }
  if (dlq.size() > 5 && dlq.substr(dlq.size() - 5) == ".fifo") {
    args.message_group_id =
        message.message_group_id.empty() ? "sns-dead-letter" : message.message_group_id;
    args.deduplication_id =
        message.deduplication_id.empty() ? message.message_id : message.deduplication_id;
  }
  if (options_.queues->DeliverToQueue(dlq, std::move(args)).ok()) {
    if (stats != nullptr) stats->Add(TopicStats::kRedrivenToDlq);
  } else {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    if (stats != nullptr) stats->Add(TopicStats::kFailedToRedriveToDlq);
  }
}

// ---- Functions --------------------------------------------------------------

std::string TopicRegistry::RegisterFunction(std::string_view name, FunctionHandler handler) {
  std::string arn = FunctionArn(name);
  auto shared = std::make_shared<const FunctionHandler>(std::move(handler));
  MutexLock lock(&functions_mu_);
  functions_[arn] = std::move(shared);
  return arn;
}

bool TopicRegistry::UnregisterFunction(std::string_view function_arn) {
  MutexLock lock(&functions_mu_);
  return functions_.erase(absl::string_view(function_arn.data(), function_arn.size())) > 0;
}

void TopicRegistry::StartCallback(std::shared_ptr<const PublishedMessage> message,
                                  std::shared_ptr<const SubscriptionInfo> subscription,
                                  std::shared_ptr<TopicStats> stats) {
  auto job = std::make_shared<CallbackJob>();
  job->stats = std::move(stats);
  std::string timestamp = FormatTimestamp(message->timestamp);
  EnvelopeFields fields;
  fields.message_id = message->message_id;
  fields.topic_arn = subscription->topic_arn;
  fields.has_subject = message->has_subject;
  fields.subject = message->subject;
  fields.message = message->lambda_text;
  fields.timestamp = timestamp;
  fields.attributes = &message->attributes;
  fields.region = options_.region;
  job->event = LambdaEvent(fields, subscription->arn);
  job->message = std::move(message);
  job->subscription = std::move(subscription);
  job->due = options_.clock->Now();
  RunCallback(std::move(job));
}

void TopicRegistry::RunCallback(std::shared_ptr<CallbackJob> job) {
  for (;;) {
    std::shared_ptr<const FunctionHandler> handler;
    {
      MutexLock lock(&functions_mu_);
      auto it = functions_.find(job->subscription->endpoint);
      if (it != functions_.end()) handler = it->second;
    }
    absl::Status status;
    if (handler != nullptr) {
      status = (*handler)(job->event);
    } else if (options_.functions != nullptr) {
      // A Lambda function: queued, as SNS invokes Lambda asynchronously.
      status = options_.functions->InvokeAsync(job->subscription->endpoint, job->event);
    } else {
      status =
          absl::NotFoundError(absl::StrCat("Function not found: ", job->subscription->endpoint));
    }
    if (status.ok()) {
      if (job->stats != nullptr) job->stats->Add(TopicStats::kDelivered);
      return;
    }
    const RetryPolicy& policy = job->subscription->settings.retry_policy;
    if (job->retries >= policy.num_retries || options_.scheduler == nullptr) {
      DeadLetter(*job->subscription, *job->message, "", &status, job->stats.get());
      return;
    }
    ++job->retries;
    absl::Duration delay = policy.DelayBeforeRetry(job->retries);
    if (delay <= absl::ZeroDuration()) continue;
    job->due += delay;
    absl::Time due = job->due;
    std::weak_ptr<TopicRegistry> weak = weak_from_this();
    options_.scheduler->ScheduleAt(due, [weak, job = std::move(job)]() mutable {
      std::shared_ptr<TopicRegistry> self = weak.lock();
      // Retries stop when the broker goes away or the subscription is removed.
      if (self == nullptr || !self->GetSubscription(job->subscription->arn).ok()) return;
      self->RunCallback(std::move(job));
    });
    return;
  }
}

}  // namespace wharf::topic_internal
