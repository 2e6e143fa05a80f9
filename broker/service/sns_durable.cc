// SnsService in durable mode: the topic and subscription documents and their
// recovery (see sns_service.h). Documents are keyed by ARN:
//   "sns.topic"         name, attributes (as set), tags
//   "sns.subscription"  topic_arn, protocol, endpoint, pending, attributes

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/service/sns_checks.h"
#include "broker/service/sns_service.h"
#include "broker/storage/document.h"

namespace wharf::service_internal {
namespace {

using topic_internal::SubscriptionInfo;

constexpr char kTopicDocument[] = "sns.topic";
constexpr char kSubscriptionDocument[] = "sns.subscription";

// The topic name of an SNS topic ARN (its last field).
std::string TopicName(const std::string& arn) { return arn.substr(arn.rfind(':') + 1); }

}  // namespace

absl::Status SnsService::PersistTopic(const std::string& topic_arn) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  const uint64_t since = store->Position();
  {
    MutexLock lock(&persist_mu_);
    absl::StatusOr<topic_internal::TopicRegistry::StoredTopic> topic =
        registry_->GetStoredTopic(topic_arn);
    if (!topic.ok()) {
      store->Erase(kTopicDocument, topic_arn);  // Deleted meanwhile.
    } else {
      storage_internal::DocumentWriter doc;
      doc.String("name", TopicName(topic_arn));
      doc.StringMap("attributes", topic->attributes);
      doc.StringMap("tags",
                    std::map<std::string, std::string>(topic->tags.begin(), topic->tags.end()));
      store->Put(kTopicDocument, topic_arn, doc.Finish());
    }
  }
  return store->Commit(since);
}

absl::Status SnsService::PersistSubscription(const std::string& subscription_arn) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  const uint64_t since = store->Position();
  {
    MutexLock lock(&persist_mu_);
    absl::StatusOr<std::shared_ptr<const SubscriptionInfo>> sub =
        registry_->GetSubscription(subscription_arn);
    if (!sub.ok()) {
      store->Erase(kSubscriptionDocument, subscription_arn);  // Unsubscribed.
    } else {
      storage_internal::DocumentWriter doc;
      doc.String("topic_arn", (*sub)->topic_arn);
      doc.String("protocol", (*sub)->protocol_name);
      doc.String("endpoint", (*sub)->endpoint);
      doc.Bool("pending", (*sub)->pending_confirmation);
      doc.StringMap("attributes", (*sub)->settings.attributes);
      store->Put(kSubscriptionDocument, subscription_arn, doc.Finish());
    }
  }
  return store->Commit(since);
}

absl::Status SnsService::EraseTopic(const std::string& topic_arn,
                                    const std::vector<std::string>& subscriptions) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  const uint64_t since = store->Position();
  {
    MutexLock lock(&persist_mu_);
    store->Erase(kTopicDocument, topic_arn);
    for (const std::string& arn : subscriptions) store->Erase(kSubscriptionDocument, arn);
  }
  return store->Commit(since);
}

absl::Status SnsService::Recover() {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> topics,
                         store->LoadDocuments(kTopicDocument));
  for (const storage_internal::StoredDocument& doc : topics) {
    const std::string what = absl::StrCat("SNS topic ", doc.name);
    storage_internal::DocumentReader reader(doc.value);
    sns::CreateTopicRequest request;
    request.name = reader.String("name");
    request.attributes = reader.StringMap("attributes");
    for (auto& [key, value] : reader.StringMap("tags")) {
      request.tags.push_back({.key = key, .value = std::move(value)});
    }
    if (!reader.ok()) return reader.Error(what);
    absl::StatusOr<std::string> arn = CreateTopicInMemory(request);
    if (!arn.ok() || *arn != doc.name) {
      return absl::DataLossError(absl::StrCat("storage: the stored ", what, " is refused: ",
                                              arn.ok() ? "another ARN" : arn.status().message()));
    }
  }
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> subscriptions,
                         store->LoadDocuments(kSubscriptionDocument));
  for (const storage_internal::StoredDocument& doc : subscriptions) {
    const std::string what = absl::StrCat("SNS subscription ", doc.name);
    storage_internal::DocumentReader reader(doc.value);
    SubscriptionInfo info;
    info.arn = doc.name;
    info.topic_arn = reader.String("topic_arn");
    info.protocol_name = reader.String("protocol");
    info.endpoint = reader.String("endpoint");
    info.pending_confirmation = reader.Bool("pending");
    info.settings.attributes = reader.StringMap("attributes");
    if (!reader.ok()) return reader.Error(what);
    auto refused = [&](absl::string_view why) {
      return absl::DataLossError(absl::StrCat("storage: the stored ", what, " is refused: ", why));
    };
    absl::StatusOr<topic_internal::TopicSettings> topic =
        registry_->GetTopicSettings(info.topic_arn);
    if (!topic.ok()) return refused("its topic is not stored");
    absl::StatusOr<topic_internal::Protocol> protocol =
        sns_checks::CheckEndpoint(info.protocol_name, info.endpoint);
    if (!protocol.ok()) return refused(protocol.status().message());
    info.protocol = *protocol;
    info.endpoint_is_fifo_queue =
        info.protocol == topic_internal::Protocol::kSqs && sns_checks::EndsWithFifo(info.endpoint);
    if (absl::Status s = sns_checks::ParseSubscriptionSettings(
            {info.protocol, info.protocol_name, topic->fifo, info.endpoint_is_fifo_queue},
            &info.settings);
        !s.ok()) {
      return refused(s.message());
    }
    if (absl::Status s = registry_->RestoreSubscription(std::move(info)); !s.ok()) {
      return refused(s.message());
    }
  }
  return absl::OkStatus();
}

}  // namespace wharf::service_internal
