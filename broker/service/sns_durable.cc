// SnsService in durable mode: the topic and subscription documents and their
// recovery (see sns_service.h). Documents are keyed by ARN:
//   "sns.topic"         name, attributes (as set), tags, data_protection_policy
//                       (when set)
//   "sns.subscription"  topic_arn, protocol, endpoint, pending, attributes
//   "sns.fifo_sequence" next (a FIFO topic's sequence counter)
// and, keyed by "<topic ARN> <deduplication key>":
//   "sns.fifo_dedup"    topic_arn, key, recorded, message_id, sequence_number

#include <algorithm>
#include <memory>
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
constexpr char kSequenceDocument[] = "sns.fifo_sequence";
constexpr char kDedupDocument[] = "sns.fifo_dedup";

std::string DedupName(std::string_view topic_arn, std::string_view key) {
  std::string name(topic_arn);
  name += ' ';
  name += key;
  return name;
}

// The topic name of an SNS topic ARN (its last field).
std::string TopicName(const std::string& arn) { return arn.substr(arn.rfind(':') + 1); }

}  // namespace

// Enqueues each change in the store as it is recorded (the caller holds the
// topic's deduplication lock, so the last sequence document enqueued holds
// the highest counter); Publish commits them with its other changes.
class SnsService::StoreFifoJournal final : public topic_internal::FifoJournal {
 public:
  explicit StoreFifoJournal(storage_internal::Store& store) : store_(store) {}

  void Recorded(std::string_view topic_arn, const std::string& key, absl::Time now,
                const topic_internal::DedupCache::Entry& entry, uint64_t next_sequence,
                const std::vector<std::string>& expired) override {
    // Erase first: `key` itself may have expired and be recorded again.
    for (const std::string& old : expired) store_.Erase(kDedupDocument, DedupName(topic_arn, old));
    storage_internal::DocumentWriter dedup;
    dedup.String("topic_arn", topic_arn);
    dedup.String("key", key);
    dedup.Time("recorded", now);
    dedup.String("message_id", entry.message_id);
    dedup.String("sequence_number", entry.sequence_number);
    store_.Put(kDedupDocument, DedupName(topic_arn, key), dedup.Finish());
    storage_internal::DocumentWriter sequence;
    sequence.Int("next", static_cast<int64_t>(next_sequence));
    store_.Put(kSequenceDocument, topic_arn, sequence.Finish());
  }

 private:
  storage_internal::Store& store_;
};

std::unique_ptr<topic_internal::FifoJournal> SnsService::MakeFifoJournal(
    storage_internal::Store* store) {
  if (store == nullptr) return nullptr;
  return std::make_unique<StoreFifoJournal>(*store);
}

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
      if (!topic->data_protection_policy.empty()) {
        doc.String("data_protection_policy", topic->data_protection_policy);
      }
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
                                    const std::vector<std::string>& subscriptions,
                                    const std::vector<std::string>& dedup_keys) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  const uint64_t since = store->Position();
  {
    MutexLock lock(&persist_mu_);
    store->Erase(kTopicDocument, topic_arn);
    for (const std::string& arn : subscriptions) store->Erase(kSubscriptionDocument, arn);
    store->Erase(kSequenceDocument, topic_arn);
    for (const std::string& key : dedup_keys)
      store->Erase(kDedupDocument, DedupName(topic_arn, key));
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
    request.data_protection_policy = reader.OptionalString("data_protection_policy").value_or("");
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
  return RecoverFifoState();
}

absl::Status SnsService::RecoverFifoState() {
  storage_internal::Store* store = options_.store;
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> sequences,
                         store->LoadDocuments(kSequenceDocument));
  for (const storage_internal::StoredDocument& doc : sequences) {
    storage_internal::DocumentReader reader(doc.value);
    const int64_t next = reader.Int("next");
    if (!reader.ok() || next < 0) {
      return reader.ok()
                 ? absl::DataLossError(absl::StrCat("storage: the stored SNS FIFO sequence of ",
                                                    doc.name, " is negative"))
                 : reader.Error(absl::StrCat("SNS FIFO sequence of ", doc.name));
    }
    // A topic deleted while a publish to it was being recorded: drop it.
    if (!registry_->RestoreFifoState(doc.name, static_cast<uint64_t>(next)).ok()) {
      store->Erase(kSequenceDocument, doc.name);
    }
  }
  struct Dedup {
    std::string name;
    std::string topic_arn;
    std::string key;
    absl::Time recorded;
    topic_internal::DedupCache::Entry entry;
  };
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> dedup_docs,
                         store->LoadDocuments(kDedupDocument));
  std::vector<Dedup> entries;
  entries.reserve(dedup_docs.size());
  for (storage_internal::StoredDocument& doc : dedup_docs) {
    storage_internal::DocumentReader reader(doc.value);
    Dedup d{.name = std::move(doc.name),
            .topic_arn = reader.String("topic_arn"),
            .key = reader.String("key"),
            .recorded = reader.Time("recorded"),
            .entry = {.message_id = reader.String("message_id"),
                      .sequence_number = reader.String("sequence_number")}};
    if (!reader.ok()) return reader.Error(absl::StrCat("SNS FIFO deduplication entry ", d.name));
    entries.push_back(std::move(d));
  }
  // The window keeps entries in recording order.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Dedup& a, const Dedup& b) { return a.recorded < b.recorded; });
  const absl::Time now = options_.clock->Now();
  for (const Dedup& d : entries) {
    // Out of the window, or of a topic deleted meanwhile: erase it.
    if (d.recorded + topic_internal::kDeduplicationWindow <= now ||
        !registry_->RestoreDeduplication(d.topic_arn, d.key, d.recorded, d.entry).ok()) {
      store->Erase(kDedupDocument, d.name);
    }
  }
  return absl::OkStatus();
}

}  // namespace wharf::service_internal
