// SqsServiceImpl: queue lifecycle, attributes, tags and URL resolution. See
// sqs_service_impl.h. Message operations are in queue_impl.cc, message move
// tasks in move_tasks.cc.

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/arn.h"
#include "broker/base/aws_errors.h"
#include "broker/base/completion_scope.h"
#include "broker/base/status_macros.h"
#include "broker/service/pagination.h"
#include "broker/service/permission_policy.h"
#include "broker/service/sqs_names.h"
#include "broker/service/sqs_service_impl.h"
#include "broker/storage/document.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

constexpr absl::Duration kNameReuseDelay = absl::Seconds(60);
// The kind of a queue's document in the store (named by the queue name).
constexpr char kQueueDocument[] = "sqs.queue";
constexpr size_t kMaxPermissionLabelLength = 80;
constexpr size_t kMaxPermissionActions = 7;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status InvalidParameter(std::string message) {
  return MakeError(ErrorCode::kInvalidParameterValue, message);
}

absl::Status ValidateTags(const sqs::TagMap& tags) {
  for (const auto& [key, value] : tags) {
    if (key.empty() || key.size() > 128) {
      return InvalidParameter(
          absl::StrCat("Tag key ", key, " is invalid. Tag keys must be 1 to 128 characters."));
    }
    if (value.size() > 256) {
      return InvalidParameter(absl::StrCat("Tag value for key ", key,
                                           " is invalid. Tag values must be at most 256 "
                                           "characters."));
    }
  }
  if (tags.size() > 50) return InvalidParameter("Too many tags added for queue.");
  return absl::OkStatus();
}

absl::Status CheckMaxResults(const std::optional<int>& max_results) {
  if (max_results && (*max_results < 1 || *max_results > 1000)) {
    return InvalidParameter(absl::StrCat("Value ", *max_results,
                                         " for parameter MaxResults is invalid. Reason: "
                                         "MaxResults must be an integer between 1 and 1000."));
  }
  return absl::OkStatus();
}

// Pages through `urls` (sorted): a next token is the last URL of the previous
// page, base64url-encoded, and is returned only when max_results is set and
// more remain (spec §3.1).
absl::Status Paginate(std::vector<std::string> urls, const std::optional<int>& max_results,
                      const std::string& next_token, std::vector<std::string>& page,
                      std::string& token_out) {
  std::string after;
  if (!next_token.empty() && (!absl::WebSafeBase64Unescape(next_token, &after) || after.empty())) {
    return InvalidParameter("Invalid NextToken value.");
  }
  Page<std::string> taken = TakePage(
      std::move(urls), [](const std::string& url) -> const std::string& { return url; }, after,
      PageStart::kAfterKey, max_results ? static_cast<size_t>(*max_results) : 1000);
  page = std::move(taken.items);
  if (max_results && taken.more && !page.empty()) {
    token_out = absl::WebSafeBase64Escape(page.back());
  }
  return absl::OkStatus();
}

absl::Status MissingParameter(std::string_view name) {
  return MakeError(ErrorCode::kMissingParameter,
                   absl::StrCat("The request must contain the parameter ", AbslView(name), "."));
}

absl::Status InvalidLabel(std::string_view label, std::string_view reason) {
  return InvalidParameter(absl::StrCat(
      "Value ", AbslView(label), " for parameter Label is invalid. Reason: ", AbslView(reason)));
}

bool IsValidPermissionLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxPermissionLabelLength) return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// The actions a queue's owner can share (AddPermission's ActionName values).
bool IsShareableAction(std::string_view action) {
  for (std::string_view shareable :
       {"*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
        "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue"}) {
    if (action == shareable) return true;
  }
  return false;
}

// SQS actions that only the queue's owner may call.
bool IsOwnerOnlyAction(std::string_view action) {
  for (std::string_view owner_only : {"AddPermission", "CreateQueue", "DeleteQueue", "ListQueues",
                                      "RemovePermission", "SetQueueAttributes"}) {
    if (action == owner_only) return true;
  }
  return false;
}

absl::Status ValidatePermission(const sqs::AddPermissionRequest& request) {
  if (request.label.empty()) return MissingParameter("Label");
  if (!IsValidPermissionLabel(request.label)) {
    return InvalidLabel(request.label,
                        "Label can only include alphanumeric characters, hyphens, or "
                        "underscores. 1 to 80 in length.");
  }
  if (request.actions.empty()) return MissingParameter("Actions");
  for (const std::string& id : request.aws_account_ids) {
    if (!base_internal::IsAwsAccountId(id)) {
      return InvalidParameter(absl::StrCat("Value [", id,
                                           "] for parameter PrincipalId is invalid. Reason: "
                                           "Unable to verify."));
    }
  }
  if (request.aws_account_ids.empty()) {
    return InvalidParameter(
        "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.");
  }
  if (request.actions.size() > kMaxPermissionActions) {
    return MakeError(ErrorCode::kOverLimit, absl::StrCat(request.actions.size(),
                                                         " Actions were found, maximum allowed is ",
                                                         kMaxPermissionActions, "."));
  }
  for (const std::string& action : request.actions) {
    if (IsShareableAction(action)) continue;
    return InvalidParameter(absl::StrCat(
        "Value SQS:", action, " for parameter ActionName is invalid. Reason: ",
        IsOwnerOnlyAction(action) ? "Only the queue owner is allowed to invoke this action."
                                  : "Please refer to the appropriate WSDL for a list of valid "
                                    "actions."));
  }
  return absl::OkStatus();
}

}  // namespace

SqsServiceImpl::SqsServiceImpl(Clock& clock, Scheduler& scheduler, const BrokerOptions& options,
                               storage_internal::Store* store)
    : clock_(clock),
      scheduler_(scheduler),
      options_(options),
      url_base_(options.sqs_url_base.empty() ? DefaultSqsUrlBase(options.region)
                                             : options.sqs_url_base),
      store_(store) {}

// ---- Durable mode --------------------------------------------------------------

absl::Status SqsServiceImpl::NewJournal(bool fifo, absl::Time now, int64_t* id,
                                        std::unique_ptr<storage_internal::QueueJournal>* journal) {
  if (store_ == nullptr) return absl::OkStatus();
  WHARF_ASSIGN_OR_RETURN(*id, store_->NewQueueId());
  WHARF_ASSIGN_OR_RETURN(*journal,
                         store_->OpenQueue(*id, fifo, now, [](storage_internal::RestoredQueue) {}));
  return absl::OkStatus();
}

absl::Status SqsServiceImpl::PersistQueue(const QueueImpl& queue, const QueueSettings& settings,
                                          const sqs::TagMap& tags, absl::Time last_modified) {
  if (store_ == nullptr) return absl::OkStatus();
  const uint64_t since = store_->Position();
  store_->Put(kQueueDocument, queue.name(), queue.Document(settings, tags, last_modified));
  return store_->Commit(since);
}

absl::Status SqsServiceImpl::Recover() {
  if (store_ == nullptr) return absl::OkStatus();
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> docs,
                         store_->LoadDocuments(kQueueDocument));
  const absl::Time now = clock_.Now();
  std::vector<int64_t> live;
  for (const storage_internal::StoredDocument& doc : docs) {
    const std::string what = absl::StrCat("SQS queue ", doc.name);
    storage_internal::DocumentReader reader(doc.value);
    const int64_t id = reader.Int("id");
    QueueSettings settings;
    settings.fifo = reader.Bool("fifo");
    const sqs::AttributeMap attributes = reader.StringMap("attributes");
    sqs::TagMap tags = reader.StringMap("tags");
    const absl::Time created = reader.Time("created");
    const absl::Time last_modified = reader.Time("last_modified");
    if (!reader.ok()) return reader.Error(what);
    if (!IsValidQueueName(doc.name, settings.fifo)) {
      return absl::DataLossError(absl::StrCat("storage: the stored ", what, " has a bad name"));
    }
    if (absl::Status s = ApplyAttributes(attributes, /*creating=*/true, settings); !s.ok()) {
      return absl::DataLossError(
          absl::StrCat("storage: the stored ", what, " has bad attributes: ", s.message()));
    }
    auto queue = std::make_shared<QueueImpl>(
        this, doc.name, MakeQueueUrl(url_base_, options_.account_id, doc.name),
        MakeQueueArn(options_.region, options_.account_id, doc.name), std::move(settings),
        std::move(tags), created);
    queue->RestoreLastModified(last_modified);
    WHARF_ASSIGN_OR_RETURN(
        std::unique_ptr<storage_internal::QueueJournal> journal,
        store_->OpenQueue(id, queue->fifo(), now, [&](storage_internal::RestoredQueue chunk) {
          queue->core().Restore(std::move(chunk));
        }));
    queue->SetJournal(id, std::move(journal));
    live.push_back(id);
    MutexLock lock(&mu_);
    queues_.emplace(doc.name, std::move(queue));
  }
  WHARF_RETURN_IF_ERROR(store_->DropQueuesExcept(live));
  return RecoverMoveTasks();
}

SqsServiceImpl::~SqsServiceImpl() {
  // Waiting receives (a ReceiveMessage blocked on another thread, a parked
  // ReceiveMessageAsync) end with QueueDoesNotExist and are waited out,
  // since they may still read this service (wharf/broker.h).
  std::vector<std::shared_ptr<QueueImpl>> queues = AllQueues();
  for (const auto& queue : queues) queue->MarkDeleted();
  for (const auto& queue : queues) queue->AwaitReceivers();
}

absl::StatusOr<std::shared_ptr<QueueImpl>> SqsServiceImpl::Resolve(
    std::string_view queue_url) const {
  std::optional<QueueAddress> address = ParseQueueUrl(queue_url);
  // A bare name designates this account's queue: AWS takes one wherever a
  // QueueUrl is asked for.
  if (!address && !queue_url.empty() && queue_url.find('/') == std::string_view::npos) {
    address = QueueAddress{options_.account_id, queue_url};
  }
  if (!address || address->account_id != options_.account_id)
    return base_internal::QueueDoesNotExistError();
  std::shared_ptr<QueueImpl> queue = FindByName(address->name);
  if (queue == nullptr) return base_internal::QueueDoesNotExistError();
  return queue;
}

std::shared_ptr<QueueImpl> SqsServiceImpl::FindByName(std::string_view name) const {
  ReaderMutexLock lock(&mu_);
  auto it = queues_.find(AbslView(name));
  return it == queues_.end() ? nullptr : it->second;
}

std::shared_ptr<QueueImpl> SqsServiceImpl::FindByArn(std::string_view arn) const {
  std::optional<base_internal::Arn> parsed = base_internal::ParseArn(arn);
  if (!parsed || parsed->service != "sqs" || parsed->region != options_.region ||
      parsed->account_id != options_.account_id) {
    return nullptr;
  }
  return FindByName(parsed->resource);
}

std::vector<std::shared_ptr<QueueImpl>> SqsServiceImpl::AllQueues() const {
  std::vector<std::shared_ptr<QueueImpl>> all;
  ReaderMutexLock lock(&mu_);
  all.reserve(queues_.size());
  for (const auto& [name, queue] : queues_) all.push_back(queue);
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a->name() < b->name(); });
  return all;
}

absl::Status SqsServiceImpl::CheckRedriveTarget(std::string_view source_arn, bool fifo,
                                                const RedrivePolicy& policy,
                                                std::string_view policy_json) const {
  auto reason = [&](std::string_view why) {
    return InvalidParameter(
        absl::StrCat("Value ", AbslView(policy_json),
                     " for parameter RedrivePolicy is invalid. Reason: ", AbslView(why)));
  };
  std::shared_ptr<QueueImpl> target = FindByArn(policy.dead_letter_target_arn);
  if (target == nullptr) return reason("Dead letter target does not exist.");
  if (target->fifo() != fifo) {
    return reason(fifo ? "Dead-letter target must also be a FIFO queue."
                       : "Dead-letter target must also be a standard queue.");
  }
  QueueSettings target_settings = target->settings();
  if (target_settings.redrive_allow_policy &&
      !target_settings.redrive_allow_policy->Allows(source_arn)) {
    return reason(absl::StrCat("Queue ", AbslView(source_arn), " is not allowed to use ",
                               target->arn(),
                               " as a dead-letter queue by its RedriveAllowPolicy."));
  }
  return absl::OkStatus();
}

absl::StatusOr<sqs::CreateQueueResult> SqsServiceImpl::CreateQueue(
    const sqs::CreateQueueRequest& request) {
  QueueSettings settings;
  if (auto it = request.attributes.find("FifoQueue"); it != request.attributes.end()) {
    // Any case, as the other boolean attributes ("True" creates a FIFO queue).
    const std::string value = absl::AsciiStrToLower(AbslView(it->second));
    if (value == "true") {
      settings.fifo = true;
    } else if (value == "false") {
      return MakeError(ErrorCode::kInvalidAttributeName, "Unknown Attribute FifoQueue.");
    } else {
      return MakeError(ErrorCode::kInvalidAttributeValue,
                       "Invalid value for the parameter FifoQueue.");
    }
  }
  const std::string& name = request.queue_name;
  if (!IsValidQueueName(name, settings.fifo)) return InvalidQueueNameError(settings.fifo);
  if (absl::Status s = ValidateTags(request.tags); !s.ok()) return s;
  if (absl::Status s = ApplyAttributes(request.attributes, /*creating=*/true, settings); !s.ok()) {
    return s;
  }
  const std::string arn = MakeQueueArn(options_.region, options_.account_id, name);

  MutexLock admin(&admin_mu_);
  if (std::shared_ptr<QueueImpl> existing = FindByName(name)) {
    QueueSettings current = existing->settings();
    for (const auto& [attribute, value] : request.attributes) {
      if (RenderSetting(settings, attribute) != RenderSetting(current, attribute)) {
        return MakeError(ErrorCode::kQueueNameExists,
                         absl::StrCat("A queue already exists with the same name and a different "
                                      "value for attribute ",
                                      attribute));
      }
    }
    return sqs::CreateQueueResult{existing->url()};
  }
  const absl::Time now = clock_.Now();
  {
    ReaderMutexLock lock(&mu_);
    if (auto it = deleted_at_.find(name);
        it != deleted_at_.end() && now - it->second < kNameReuseDelay) {
      return MakeError(ErrorCode::kQueueDeletedRecently,
                       "You must wait 60 seconds after deleting a queue before you can create "
                       "another with the same name.");
    }
  }
  if (settings.redrive_policy) {
    if (absl::Status s = CheckRedriveTarget(arn, settings.fifo, *settings.redrive_policy,
                                            request.attributes.at("RedrivePolicy"));
        !s.ok()) {
      return s;
    }
  }
  int64_t storage_id = 0;
  std::unique_ptr<storage_internal::QueueJournal> journal;
  WHARF_RETURN_IF_ERROR(NewJournal(settings.fifo, now, &storage_id, &journal));
  auto queue =
      std::make_shared<QueueImpl>(this, name, MakeQueueUrl(url_base_, options_.account_id, name),
                                  arn, std::move(settings), request.tags, now);
  if (store_ != nullptr) {
    queue->SetJournal(storage_id, std::move(journal));
    WHARF_RETURN_IF_ERROR(PersistQueue(*queue, queue->settings(), request.tags, now));
  }
  {
    MutexLock lock(&mu_);
    deleted_at_.erase(name);
    queues_.emplace(name, queue);
  }
  return sqs::CreateQueueResult{queue->url()};
}

absl::Status SqsServiceImpl::DeleteQueue(const sqs::DeleteQueueRequest& request) {
  // The queue's parked receives end (MarkDeleted) after admin_mu_ is released.
  CompletionScope completions;
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  const absl::Time now = clock_.Now();
  if (store_ != nullptr) {
    // Rows a concurrent send adds after this are dropped at the next Open.
    const uint64_t since = store_->Position();
    store_->Erase(kQueueDocument, queue->name());
    store_->DropQueue(queue->storage_id());
    WHARF_RETURN_IF_ERROR(store_->Commit(since));
  }
  {
    MutexLock lock(&mu_);
    queues_.erase(queue->name());
    for (auto it = deleted_at_.begin(); it != deleted_at_.end();) {
      if (now - it->second >= kNameReuseDelay) {
        deleted_at_.erase(it++);
      } else {
        ++it;
      }
    }
    deleted_at_[queue->name()] = now;
  }
  queue->MarkDeleted();
  return absl::OkStatus();
}

absl::StatusOr<sqs::ListQueuesResult> SqsServiceImpl::ListQueues(
    const sqs::ListQueuesRequest& request) {
  if (absl::Status s = CheckMaxResults(request.max_results); !s.ok()) return s;
  std::vector<std::string> urls;
  for (const auto& queue : AllQueues()) {
    if (absl::StartsWith(queue->name(), request.queue_name_prefix)) urls.push_back(queue->url());
  }
  sqs::ListQueuesResult result;
  if (absl::Status s = Paginate(std::move(urls), request.max_results, request.next_token,
                                result.queue_urls, result.next_token);
      !s.ok()) {
    return s;
  }
  return result;
}

absl::StatusOr<sqs::GetQueueUrlResult> SqsServiceImpl::GetQueueUrl(
    const sqs::GetQueueUrlRequest& request) {
  if (!request.queue_owner_aws_account_id.empty() &&
      request.queue_owner_aws_account_id != options_.account_id) {
    return base_internal::QueueDoesNotExistError();
  }
  std::shared_ptr<QueueImpl> queue = FindByName(request.queue_name);
  if (queue == nullptr) return base_internal::QueueDoesNotExistError();
  return sqs::GetQueueUrlResult{queue->url()};
}

absl::StatusOr<sqs::GetQueueAttributesResult> SqsServiceImpl::GetQueueAttributes(
    const sqs::GetQueueAttributesRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  sqs::GetQueueAttributesResult result;
  if (request.attribute_names.empty()) return result;
  bool all = false;
  for (const std::string& name : request.attribute_names) {
    if (name == "All") {
      all = true;
    } else if (!IsReadOnlyAttributeName(name) &&
               std::find(SettableAttributeNames().begin(), SettableAttributeNames().end(), name) ==
                   SettableAttributeNames().end()) {
      return MakeError(ErrorCode::kInvalidAttributeName,
                       absl::StrCat("Unknown Attribute ", name, "."));
    }
  }
  auto wanted = [&](std::string_view name) {
    return all || std::find(request.attribute_names.begin(), request.attribute_names.end(), name) !=
                      request.attribute_names.end();
  };
  const QueueSettings settings = queue->settings();
  for (std::string_view name : SettableAttributeNames()) {
    if (!wanted(name)) continue;
    if (std::optional<std::string> value = RenderSetting(settings, name)) {
      result.attributes.emplace(std::string(name), std::move(*value));
    }
  }
  if (wanted("QueueArn")) result.attributes["QueueArn"] = queue->arn();
  if (wanted("CreatedTimestamp")) {
    result.attributes["CreatedTimestamp"] = absl::StrCat(absl::ToUnixSeconds(queue->created()));
  }
  if (wanted("LastModifiedTimestamp")) {
    result.attributes["LastModifiedTimestamp"] =
        absl::StrCat(absl::ToUnixSeconds(queue->last_modified()));
  }
  if (wanted("ApproximateNumberOfMessages") || wanted("ApproximateNumberOfMessagesNotVisible") ||
      wanted("ApproximateNumberOfMessagesDelayed")) {
    queue_internal::Counts counts = queue->core().GetCounts();
    if (wanted("ApproximateNumberOfMessages")) {
      result.attributes["ApproximateNumberOfMessages"] = absl::StrCat(counts.visible);
    }
    if (wanted("ApproximateNumberOfMessagesNotVisible")) {
      result.attributes["ApproximateNumberOfMessagesNotVisible"] = absl::StrCat(counts.in_flight);
    }
    if (wanted("ApproximateNumberOfMessagesDelayed")) {
      result.attributes["ApproximateNumberOfMessagesDelayed"] = absl::StrCat(counts.delayed);
    }
  }
  return result;
}

absl::Status SqsServiceImpl::SetQueueAttributes(const sqs::SetQueueAttributesRequest& request) {
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  QueueSettings settings = queue->settings();
  if (absl::Status s = ApplyAttributes(request.attributes, /*creating=*/false, settings); !s.ok()) {
    return s;
  }
  if (auto it = request.attributes.find("RedrivePolicy");
      it != request.attributes.end() && settings.redrive_policy) {
    if (absl::Status s =
            CheckRedriveTarget(queue->arn(), queue->fifo(), *settings.redrive_policy, it->second);
        !s.ok()) {
      return s;
    }
  }
  const absl::Time now = clock_.Now();
  WHARF_RETURN_IF_ERROR(PersistQueue(*queue, settings, queue->tags(), now));
  queue->UpdateSettings(settings, now);
  return absl::OkStatus();
}

absl::Status SqsServiceImpl::PurgeQueue(const sqs::PurgeQueueRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return queue->Purge(clock_.Now());
}

absl::Status SqsServiceImpl::TagQueue(const sqs::TagQueueRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  if (request.tags.empty()) {
    return MakeError(ErrorCode::kMissingParameter, "The request must contain the parameter Tags.");
  }
  if (absl::Status s = ValidateTags(request.tags); !s.ok()) return s;
  // Under admin_mu_, like every change of a queue's stored document.
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(sqs::TagMap tags, queue->TagsWith(request.tags));
  WHARF_RETURN_IF_ERROR(PersistQueue(*queue, queue->settings(), tags, queue->last_modified()));
  queue->SetTags(std::move(tags));
  return absl::OkStatus();
}

absl::Status SqsServiceImpl::UntagQueue(const sqs::UntagQueueRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  MutexLock admin(&admin_mu_);
  sqs::TagMap tags = queue->tags();
  for (const std::string& key : request.tag_keys) tags.erase(key);
  WHARF_RETURN_IF_ERROR(PersistQueue(*queue, queue->settings(), tags, queue->last_modified()));
  queue->SetTags(std::move(tags));
  return absl::OkStatus();
}

absl::StatusOr<sqs::ListQueueTagsResult> SqsServiceImpl::ListQueueTags(
    const sqs::ListQueueTagsRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return sqs::ListQueueTagsResult{queue->tags()};
}

absl::StatusOr<sqs::ListDeadLetterSourceQueuesResult> SqsServiceImpl::ListDeadLetterSourceQueues(
    const sqs::ListDeadLetterSourceQueuesRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> dlq, Resolve(request.queue_url));
  if (absl::Status s = CheckMaxResults(request.max_results); !s.ok()) return s;
  std::vector<std::string> urls;
  for (const auto& queue : AllQueues()) {
    QueueSettings settings = queue->settings();
    if (settings.redrive_policy && settings.redrive_policy->dead_letter_target_arn == dlq->arn()) {
      urls.push_back(queue->url());
    }
  }
  sqs::ListDeadLetterSourceQueuesResult result;
  if (absl::Status s = Paginate(std::move(urls), request.max_results, request.next_token,
                                result.queue_urls, result.next_token);
      !s.ok()) {
    return s;
  }
  return result;
}

absl::Status SqsServiceImpl::AddPermission(const sqs::AddPermissionRequest& request) {
  // Under admin_mu_ so that the policy is rewritten from the current one
  // (SetQueueAttributes and other permission calls wait).
  WHARF_RETURN_IF_ERROR(ValidatePermission(request));
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  QueueSettings settings = queue->settings();
  std::optional<std::string> policy = AddPolicyStatement(
      settings.policy.value_or(""), absl::StrCat(queue->arn(), "/SQSDefaultPolicy"),
      {.sid = request.label,
       .account_ids = request.aws_account_ids,
       .action_prefix = "SQS",
       .actions = request.actions,
       .resource = queue->arn()});
  if (!policy) return InvalidLabel(request.label, "Already exists.");
  settings.policy = std::move(*policy);
  const absl::Time now = clock_.Now();
  WHARF_RETURN_IF_ERROR(PersistQueue(*queue, settings, queue->tags(), now));
  queue->UpdateSettings(settings, now);
  return absl::OkStatus();
}

absl::Status SqsServiceImpl::RemovePermission(const sqs::RemovePermissionRequest& request) {
  if (request.label.empty()) return MissingParameter("Label");
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  QueueSettings settings = queue->settings();
  std::optional<RemovedStatement> removed =
      RemovePolicyStatement(settings.policy.value_or(""), request.label);
  if (!removed) return InvalidLabel(request.label, "can't find label.");
  if (removed->statements_left == 0) {
    settings.policy.reset();
  } else {
    settings.policy = std::move(removed->document);
  }
  const absl::Time now = clock_.Now();
  WHARF_RETURN_IF_ERROR(PersistQueue(*queue, settings, queue->tags(), now));
  queue->UpdateSettings(settings, now);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<sqs::Queue>> SqsServiceImpl::OpenQueue(
    const std::string& queue_url) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(queue_url));
  return std::shared_ptr<sqs::Queue>(std::move(queue));
}

absl::StatusOr<sqs::SendMessageResult> SqsServiceImpl::SendMessage(
    const sqs::SendMessageRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return queue->SendMessage(request);
}

absl::StatusOr<sqs::SendMessageBatchResult> SqsServiceImpl::SendMessageBatch(
    const sqs::SendMessageBatchRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return queue->SendMessageBatch(request);
}

absl::StatusOr<sqs::ReceiveMessageResult> SqsServiceImpl::ReceiveMessage(
    const sqs::ReceiveMessageRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return queue->ReceiveMessage(request);
}

void SqsServiceImpl::ReceiveMessageAsync(sqs::ReceiveMessageRequest request,
                                         sqs::ReceiveMessageCallback done) {
  absl::StatusOr<std::shared_ptr<QueueImpl>> queue = Resolve(request.queue_url);
  if (!queue.ok()) {
    std::move(done)(queue.status());
    return;
  }
  (*queue)->ReceiveMessageAsync(std::move(request), std::move(done));
}

absl::Status SqsServiceImpl::DeleteMessage(const sqs::DeleteMessageRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return queue->DeleteMessage(request);
}

absl::StatusOr<sqs::DeleteMessageBatchResult> SqsServiceImpl::DeleteMessageBatch(
    const sqs::DeleteMessageBatchRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return queue->DeleteMessageBatch(request);
}

absl::Status SqsServiceImpl::ChangeMessageVisibility(
    const sqs::ChangeMessageVisibilityRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return queue->ChangeMessageVisibility(request);
}

absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult>
SqsServiceImpl::ChangeMessageVisibilityBatch(
    const sqs::ChangeMessageVisibilityBatchRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<QueueImpl> queue, Resolve(request.queue_url));
  return queue->ChangeMessageVisibilityBatch(request);
}

}  // namespace wharf::service_internal
