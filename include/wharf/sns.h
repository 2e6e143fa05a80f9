// File: wharf/sns.h
//
// wharf::sns::Service: Amazon SNS, in process. Topics (standard and FIFO),
// subscriptions, filter policies and fan-out to the SQS queues of the same
// broker and to in-process functions (the stand-in for Lambda). Operation
// names, request and result fields mirror the AWS API (API version
// 2010-03-31) in snake_case, so code written from the AWS docs reads the same
// here; every limit and error of spec/sns.md is enforced and failures carry
// the AWS error code (see wharf/errors.h).
//
//   wharf::sns::Service& sns = broker->sns();
//   auto topic = sns.CreateTopic({.name = "orders"})->topic_arn;
//   sns.Subscribe({.topic_arn = topic, .protocol = "sqs", .endpoint = queue_arn,
//                  .attributes = {{"FilterPolicy", R"({"kind":["shipped"]})"}}});
//   sns.Publish({.topic_arn = topic, .message = "{...}",
//                .message_attributes = {
//                    {"kind", wharf::MessageAttributeValue::String("shipped")}}});
//
// Delivery is synchronous: when Publish returns OK, every matching SQS
// subscriber queue holds the message and every matching function registered
// with RegisterFunction has been called once (retries of failed calls run
// later on the broker's clock). A "lambda" subscription whose endpoint is a
// function of broker->lambda() (wharf/lambda.h) is invoked asynchronously,
// as SNS invokes Lambda: the function's own retries and destinations apply,
// and the subscription's retries and dead-letter queue only see a function
// that does not exist.
//
// A subscribed queue receives the notification envelope (unless
// RawMessageDelivery is set); ParseNotification reads it back:
//
//   auto n = wharf::sns::ParseNotification(message.body);
//   if (n.ok()) Handle(n->topic_arn, n->message, n->message_attributes);
//
// Topic permissions (AddPermission, RemovePermission) edit the statements of
// the topic's Policy attribute as AWS writes them; wharf does not enforce
// policies (every caller in the process acts as the topic's owner).
//
// Thread safety: Service is thread-safe. Function handlers are called with no
// wharf lock held, possibly from several threads at once.
//
// Lifetime (see wharf/broker.h): the Service lives as long as its Broker. A
// handler runs on the publishing thread, or for a retry on the broker's timer
// thread (with a ManualClock: inside ManualClock::Advance); destroying the
// Broker drops retries not yet started and waits for one that is running, so
// a handler may call into the broker (publish, send) even while the Broker is
// being destroyed. It must not destroy the Broker itself. Handlers are
// destroyed with the Broker.

#ifndef WHARF_SNS_H_
#define WHARF_SNS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wharf/errors.h"
#include "wharf/message.h"

namespace wharf::sns {

// Topic and subscription attribute maps, by attribute name.
using AttributeMap = std::map<std::string, std::string>;

struct Tag {
  std::string key{};
  std::string value{};

  friend bool operator==(const Tag&, const Tag&) = default;
};

// A message attribute; the same type as sqs::MessageAttributeValue (see
// wharf/message.h). DataType is "String", "String.Array", "Number" or
// "Binary" (optionally with a ".label" suffix).
using MessageAttributeValue = ::wharf::MessageAttributeValue;
using MessageAttributeMap = ::wharf::MessageAttributeMap;

// ---- Topics -----------------------------------------------------------------

struct CreateTopicRequest {
  std::string name{};         // 1-256 of [A-Za-z0-9_-]; FIFO topics end in ".fifo".
  AttributeMap attributes{};  // e.g. {"FifoTopic", "true"}, {"DisplayName", "Orders"}
  std::vector<Tag> tags{};
  // Stored as PutDataProtectionPolicy stores it, on a new topic only.
  std::string data_protection_policy{};
};
struct CreateTopicResult {
  std::string topic_arn{};
};

struct DeleteTopicRequest {
  std::string topic_arn{};
};

struct ListTopicsRequest {
  std::string next_token{};
};
struct TopicSummary {
  std::string topic_arn{};
};
struct ListTopicsResult {
  std::vector<TopicSummary> topics{};  // Up to 100, ordered by ARN.
  std::string next_token{};            // Empty when there are no more.
};

struct GetTopicAttributesRequest {
  std::string topic_arn{};
};
struct GetTopicAttributesResult {
  AttributeMap attributes{};
};

struct SetTopicAttributesRequest {
  std::string topic_arn{};
  std::string attribute_name{};
  std::string attribute_value{};
};

// Adds the statement {"Sid": label, "Effect": "Allow", "Principal": {"AWS":
// "arn:aws:iam::<account>:root" per account}, "Action": "SNS:<action>" per
// action, "Resource": <topic ARN>} to the topic's Policy attribute (the
// default policy until one is set).
struct AddPermissionRequest {
  std::string topic_arn{};
  std::string label{};                         // The statement's Sid; unique in the policy.
  std::vector<std::string> aws_account_ids{};  // At least one; 12 digits each.
  std::vector<std::string> actions{};          // At least one of Publish, Subscribe,
                                               // Receive, GetTopicAttributes, ...
};

// Removes the statement whose Sid is `label` (none: nothing changes).
struct RemovePermissionRequest {
  std::string topic_arn{};
  std::string label{};
};

// A topic's data protection policy: a JSON document (Name, Version,
// Statement: what to audit, de-identify or deny in messages), stored and
// returned as given. wharf applies none of its statements to messages.
struct PutDataProtectionPolicyRequest {
  std::string resource_arn{};            // A topic ARN.
  std::string data_protection_policy{};  // A JSON object, at most 30,720 characters; "" removes.
};
struct GetDataProtectionPolicyRequest {
  std::string resource_arn{};
};
struct GetDataProtectionPolicyResult {
  std::string data_protection_policy{};  // Empty: the topic has none.
};

// ---- Subscriptions ----------------------------------------------------------

struct SubscribeRequest {
  std::string topic_arn{};
  // "sqs" (queue ARN), "lambda" (a registered function's ARN), or one of the
  // protocols wharf accepts but never delivers to: "http"/"https" (URL of
  // that scheme), "email"/"email-json" (address), "sms" (E.164 number),
  // "application" (platform endpoint ARN), "firehose" (delivery stream ARN;
  // needs the SubscriptionRoleArn attribute). See Service::Subscribe.
  std::string protocol{};
  std::string endpoint{};
  AttributeMap attributes{};  // FilterPolicy, FilterPolicyScope, RawMessageDelivery, ...
  // Return the ARN even of a subscription pending confirmation, instead of
  // "pending confirmation".
  bool return_subscription_arn = false;
};
struct SubscribeResult {
  std::string subscription_arn{};
};

struct UnsubscribeRequest {
  std::string subscription_arn{};
};

struct Subscription {
  std::string subscription_arn{};
  std::string owner{};
  std::string protocol{};
  std::string endpoint{};
  std::string topic_arn{};
};

struct ListSubscriptionsRequest {
  std::string next_token{};
};
struct ListSubscriptionsResult {
  std::vector<Subscription> subscriptions{};  // Up to 100.
  std::string next_token{};
};

struct ListSubscriptionsByTopicRequest {
  std::string topic_arn{};
  std::string next_token{};
};
using ListSubscriptionsByTopicResult = ListSubscriptionsResult;

struct GetSubscriptionAttributesRequest {
  std::string subscription_arn{};
};
struct GetSubscriptionAttributesResult {
  AttributeMap attributes{};
};

struct SetSubscriptionAttributesRequest {
  std::string subscription_arn{};
  std::string attribute_name{};
  std::string attribute_value{};
};

// ---- Publishing -------------------------------------------------------------

struct PublishRequest {
  std::string topic_arn{};
  std::string target_arn{};    // Alternative to topic_arn (a topic ARN here).
  std::string phone_number{};  // Not supported in process: InvalidParameter.
  std::string message{};
  std::optional<std::string> subject{};  // When set: 1-99 printable ASCII characters.
  std::string message_structure{};       // "" or "json".
  MessageAttributeMap message_attributes{};
  std::string message_deduplication_id{};  // FIFO topics only.
  std::string message_group_id{};          // Required on FIFO topics.
  // An X-Ray trace header ("Root=1-...;Parent=...;Sampled=1"; over HTTP the
  // X-Amzn-Trace-Id header): the message's SQS deliveries carry it as their
  // AWSTraceHeader system attribute. Empty: none.
  std::string aws_trace_header{};
};
struct PublishResult {
  std::string message_id{};
  std::string sequence_number{};  // FIFO topics only.
};

struct PublishBatchRequestEntry {
  std::string id{};
  std::string message{};
  std::optional<std::string> subject{};
  std::string message_structure{};
  MessageAttributeMap message_attributes{};
  std::string message_deduplication_id{};
  std::string message_group_id{};
};
struct PublishBatchRequest {
  std::string topic_arn{};
  std::vector<PublishBatchRequestEntry> publish_batch_request_entries{};  // 1-10.
  std::string aws_trace_header{};  // Every entry's, as PublishRequest's.
};
struct PublishBatchResultEntry {
  std::string id{};
  std::string message_id{};
  std::string sequence_number{};
};
struct BatchResultErrorEntry {
  std::string id{};
  ErrorCode code = ErrorCode::kSnsInvalidParameter;
  std::string message{};
  bool sender_fault = true;
};
struct PublishBatchResult {
  std::vector<PublishBatchResultEntry> successful{};
  std::vector<BatchResultErrorEntry> failed{};
};

// ---- Tags -------------------------------------------------------------------

struct TagResourceRequest {
  std::string resource_arn{};
  std::vector<Tag> tags{};
};
struct UntagResourceRequest {
  std::string resource_arn{};
  std::vector<std::string> tag_keys{};
};
struct ListTagsForResourceRequest {
  std::string resource_arn{};
};
struct ListTagsForResourceResult {
  std::vector<Tag> tags{};  // Ordered by key.
};

// ---- In-process functions (the "lambda" protocol) ---------------------------

// Called with the JSON event a Lambda function subscribed to a topic receives
// ({"Records":[{"EventSource":"aws:sns",...,"Sns":{...}}]}). A non-OK return is
// a failed invocation: it is retried under the subscription's delivery policy
// and then sent to the subscription's dead-letter queue (RedrivePolicy).
// Called with no wharf lock held, possibly concurrently; must be thread-safe.
using FunctionHandler = std::function<absl::Status(std::string_view event)>;

struct RegisterFunctionRequest {
  std::string function_name{};  // 1-64 of [A-Za-z0-9_-].
  FunctionHandler handler{};
};
struct RegisterFunctionResult {
  // arn:aws:lambda:<region>:<account>:function:<name>: the endpoint to
  // subscribe with protocol "lambda".
  std::string function_arn{};
};

// ---- Reading what SNS delivers ----------------------------------------------

// The notification envelope SNS delivers to a subscribed SQS queue (without
// RawMessageDelivery), also the "Sns" object of the event a Lambda
// subscription receives.
struct Notification {
  std::string type{};  // "Notification".
  std::string message_id{};
  std::string topic_arn{};
  std::optional<std::string> subject{};
  std::string message{};  // The published text (for the protocol: MessageStructure applied).
  absl::Time timestamp{};
  std::string sequence_number{};  // FIFO topics only.
  std::string signature_version{};
  std::string signature{};
  std::string signing_cert_url{};
  std::string unsubscribe_url{};
  MessageAttributeMap message_attributes{};  // Binary values decoded from base64.
};

// Parses a notification envelope (the body of an SQS message from a topic,
// or Records[i].Sns of a Lambda event: both key spellings, SigningCertURL and
// SigningCertUrl, are read). Unknown keys are ignored. Errors:
// InvalidArgument naming what is missing or malformed (not JSON, not an
// object, Type/MessageId/TopicArn/Message/Timestamp missing or not a string,
// a bad timestamp, a malformed attribute). Bounded: the input is parsed once,
// at most 1,024 levels deep. Thread-safe.
absl::StatusOr<Notification> ParseNotification(std::string_view json);

// ---- Interface --------------------------------------------------------------

class Service {
 public:
  virtual ~Service() = default;

  // Topics. CreateTopic is idempotent for the same name and attributes, with
  // tags that are among the topic's (none, some or all of them).
  virtual absl::StatusOr<CreateTopicResult> CreateTopic(const CreateTopicRequest& request) = 0;
  // Also removes the topic's subscriptions. Deleting an unknown topic succeeds.
  virtual absl::Status DeleteTopic(const DeleteTopicRequest& request) = 0;
  virtual absl::StatusOr<ListTopicsResult> ListTopics(const ListTopicsRequest& request) = 0;
  virtual absl::StatusOr<GetTopicAttributesResult> GetTopicAttributes(
      const GetTopicAttributesRequest& request) = 0;
  virtual absl::Status SetTopicAttributes(const SetTopicAttributesRequest& request) = 0;
  // Errors: InvalidParameter (empty label, account or action list, action
  // that is not an SNS topic action, duplicate label), NotFound.
  virtual absl::Status AddPermission(const AddPermissionRequest& request) = 0;
  // Errors: InvalidParameter (empty label), NotFound.
  virtual absl::Status RemovePermission(const RemovePermissionRequest& request) = 0;
  // Data protection policies: stored per topic, not enforced (see
  // PutDataProtectionPolicyRequest); GetTopicAttributes does not show them.
  // Errors: InvalidParameter (malformed ARN; a policy that is not a JSON
  // object or is too long), NotFound (topic).
  virtual absl::Status PutDataProtectionPolicy(const PutDataProtectionPolicyRequest& request) = 0;
  virtual absl::StatusOr<GetDataProtectionPolicyResult> GetDataProtectionPolicy(
      const GetDataProtectionPolicyRequest& request) = 0;

  // Subscriptions. sqs, lambda, sms, application and firehose subscriptions
  // are confirmed at once. http, https, email and email-json ones start
  // pending confirmation, as on AWS: Subscribe returns "pending confirmation"
  // (the ARN with return_subscription_arn), the listings show
  // "PendingConfirmation" as their ARN, GetSubscriptionAttributes on the ARN
  // reports PendingConfirmation=true, and the topic counts them in
  // SubscriptionsPending. wharf sends no confirmation message, so no token
  // exists for ConfirmSubscription and they stay pending for good, like an
  // email subscription nobody confirms; Unsubscribe removes them by ARN.
  // Publish never delivers to a pending subscription, and delivers nowhere
  // for the confirmed sms, application and firehose ones: wharf sends no
  // HTTP request, email or SMS, and such a subscription sees no error,
  // retry or dead-letter copy. Subscribing the same (protocol, endpoint)
  // again returns the same subscription when every attribute given has the
  // subscription's value (compared with defaults applied: "True" is "true";
  // attributes not given are not compared).
  // Errors: InvalidParameter (malformed endpoint, unknown protocol, a
  // protocol other than sqs on a FIFO topic, invalid attributes, exists
  // with different attributes), NotFound (topic), FilterPolicyLimitExceeded.
  virtual absl::StatusOr<SubscribeResult> Subscribe(const SubscribeRequest& request) = 0;
  virtual absl::Status Unsubscribe(const UnsubscribeRequest& request) = 0;
  virtual absl::StatusOr<ListSubscriptionsResult> ListSubscriptions(
      const ListSubscriptionsRequest& request) = 0;
  virtual absl::StatusOr<ListSubscriptionsByTopicResult> ListSubscriptionsByTopic(
      const ListSubscriptionsByTopicRequest& request) = 0;
  virtual absl::StatusOr<GetSubscriptionAttributesResult> GetSubscriptionAttributes(
      const GetSubscriptionAttributesRequest& request) = 0;
  virtual absl::Status SetSubscriptionAttributes(
      const SetSubscriptionAttributesRequest& request) = 0;

  // Publishing. Delivers to every matching subscription before returning.
  // Cost: one filter evaluation for all the topic's filter policies, plus
  // O(1) per matching subscription; the message text is not copied per
  // subscriber.
  virtual absl::StatusOr<PublishResult> Publish(const PublishRequest& request) = 0;
  // An invalid message attribute or message structure in any entry fails the
  // whole call with Publish's error, as on AWS; what fails an entry alone
  // (an empty or oversized message, an invalid subject) is in `failed`.
  virtual absl::StatusOr<PublishBatchResult> PublishBatch(const PublishBatchRequest& request) = 0;

  // Tags (on topics).
  virtual absl::Status TagResource(const TagResourceRequest& request) = 0;
  virtual absl::Status UntagResource(const UntagResourceRequest& request) = 0;
  virtual absl::StatusOr<ListTagsForResourceResult> ListTagsForResource(
      const ListTagsForResourceRequest& request) = 0;

  // Registers (or replaces) an in-process function that "lambda"
  // subscriptions can target. Errors: InvalidParameter (bad name, no handler).
  virtual absl::StatusOr<RegisterFunctionResult> RegisterFunction(
      RegisterFunctionRequest request) = 0;
  // Later deliveries to the function fail (and are retried, then dead-lettered)
  // as for a deleted Lambda function. Returns NotFound if none is registered.
  // A call already running finishes normally.
  virtual absl::Status UnregisterFunction(const std::string& function_arn) = 0;
};

}  // namespace wharf::sns

#endif  // WHARF_SNS_H_
