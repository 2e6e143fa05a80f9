// libFuzzer target for the SNS query-protocol decoder: arbitrary bytes become
// the form of a request for one of the SNS actions (chosen by the first byte;
// "Action=<action>&" is prepended to the rest) handed to the Router over a
// stub sns::Service that answers every call with a fixed, non-trivial result
// (lists with tokens, attribute maps, batch failures), so the encoders run
// too. Any crash, sanitizer report or hang is a bug: malformed input must end
// in an AWS error response.
//
// Build and run (clang only; built with wire_request_fuzzer):
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DWHARF_BUILD_FUZZ=ON
//   ninja -C build-fuzz wire_sns_fuzzer
//   mkdir -p /tmp/wharf-sns-fuzz   # new inputs go to the first directory
//   build-fuzz/tests/wire/wire_sns_fuzzer -max_total_time=30 -max_len=4096
//       /tmp/wharf-sns-fuzz tests/wire/sns_fuzz_corpus
//   (one line)

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include "broker/wire/apis.h"
#include "broker/wire/http_types.h"
#include "broker/wire/router.h"
#include "tests/wire/fuzz_util.h"
#include "wharf/errors.h"
#include "wharf/sns.h"

namespace wharf {
namespace {

constexpr char kTopic[] = "arn:aws:sns:us-east-1:000000000000:t";
constexpr char kSubscription[] = "arn:aws:sns:us-east-1:000000000000:t:s";

sns::Subscription StubSubscription() {
  return {kSubscription, "000000000000", "sqs", "arn:aws:sqs:us-east-1:000000000000:q", kTopic};
}

// Answers every call; a key ending in 'x' fails with an AWS error to reach
// the error renderer.
class StubService : public sns::Service {
 public:
  template <typename T>
  static absl::StatusOr<T> Maybe(const std::string& key, T value) {
    if (!key.empty() && key.back() == 'x') {
      return MakeError(ErrorCode::kSnsNotFound, "Topic does not exist");
    }
    return value;
  }
  static absl::Status MaybeStatus(const std::string& key) { return Maybe(key, 0).status(); }

  absl::StatusOr<sns::CreateTopicResult> CreateTopic(const sns::CreateTopicRequest& r) override {
    return Maybe(r.name, sns::CreateTopicResult{kTopic});
  }
  absl::Status DeleteTopic(const sns::DeleteTopicRequest& r) override {
    return MaybeStatus(r.topic_arn);
  }
  absl::StatusOr<sns::ListTopicsResult> ListTopics(const sns::ListTopicsRequest& r) override {
    return Maybe(r.next_token, sns::ListTopicsResult{{{kTopic}, {"<&>"}}, "token"});
  }
  absl::StatusOr<sns::GetTopicAttributesResult> GetTopicAttributes(
      const sns::GetTopicAttributesRequest& r) override {
    return Maybe(r.topic_arn, sns::GetTopicAttributesResult{{{"Policy", "{\"a\":\"<\r\n>\"}"}}});
  }
  absl::Status SetTopicAttributes(const sns::SetTopicAttributesRequest& r) override {
    return MaybeStatus(r.attribute_value);
  }
  absl::Status AddPermission(const sns::AddPermissionRequest& r) override {
    return MaybeStatus(r.label);
  }
  absl::Status RemovePermission(const sns::RemovePermissionRequest& r) override {
    return MaybeStatus(r.label);
  }
  absl::Status PutDataProtectionPolicy(const sns::PutDataProtectionPolicyRequest& r) override {
    return MaybeStatus(r.resource_arn);
  }
  absl::StatusOr<sns::GetDataProtectionPolicyResult> GetDataProtectionPolicy(
      const sns::GetDataProtectionPolicyRequest& r) override {
    return Maybe(r.resource_arn, sns::GetDataProtectionPolicyResult{"{\"Name\":\"<&>\"}"});
  }
  absl::StatusOr<sns::SubscribeResult> Subscribe(const sns::SubscribeRequest& r) override {
    return Maybe(r.endpoint, sns::SubscribeResult{kSubscription});
  }
  absl::Status Unsubscribe(const sns::UnsubscribeRequest& r) override {
    return MaybeStatus(r.subscription_arn);
  }
  absl::StatusOr<sns::ListSubscriptionsResult> ListSubscriptions(
      const sns::ListSubscriptionsRequest& r) override {
    return Maybe(r.next_token, sns::ListSubscriptionsResult{{StubSubscription()}, "token"});
  }
  absl::StatusOr<sns::ListSubscriptionsByTopicResult> ListSubscriptionsByTopic(
      const sns::ListSubscriptionsByTopicRequest& r) override {
    return Maybe(r.topic_arn, sns::ListSubscriptionsResult{{StubSubscription()}, ""});
  }
  absl::StatusOr<sns::GetSubscriptionAttributesResult> GetSubscriptionAttributes(
      const sns::GetSubscriptionAttributesRequest& r) override {
    return Maybe(r.subscription_arn,
                 sns::GetSubscriptionAttributesResult{{{"RawMessageDelivery", "true"}}});
  }
  absl::Status SetSubscriptionAttributes(const sns::SetSubscriptionAttributesRequest& r) override {
    return MaybeStatus(r.attribute_value);
  }
  absl::StatusOr<sns::PublishResult> Publish(const sns::PublishRequest& r) override {
    return Maybe(r.message, sns::PublishResult{"m", r.message_group_id.empty() ? "" : "1"});
  }
  absl::StatusOr<sns::PublishBatchResult> PublishBatch(const sns::PublishBatchRequest& r) override {
    sns::PublishBatchResult result;
    for (const sns::PublishBatchRequestEntry& e : r.publish_batch_request_entries) {
      if (e.message.empty()) {
        result.failed.push_back({e.id, ErrorCode::kSnsInvalidParameter, "Empty message", true});
      } else {
        result.successful.push_back({e.id, "m", e.message_group_id.empty() ? "" : "2"});
      }
    }
    return Maybe(r.topic_arn, result);
  }
  absl::Status TagResource(const sns::TagResourceRequest& r) override {
    return MaybeStatus(r.resource_arn);
  }
  absl::Status UntagResource(const sns::UntagResourceRequest& r) override {
    return MaybeStatus(r.resource_arn);
  }
  absl::StatusOr<sns::ListTagsForResourceResult> ListTagsForResource(
      const sns::ListTagsForResourceRequest& r) override {
    return Maybe(r.resource_arn, sns::ListTagsForResourceResult{{{"k", "v&"}}});
  }
  absl::StatusOr<sns::RegisterFunctionResult> RegisterFunction(
      sns::RegisterFunctionRequest) override {
    return MakeError(ErrorCode::kSnsInvalidParameter, "not over the wire");
  }
  absl::Status UnregisterFunction(const std::string&) override {
    return MakeError(ErrorCode::kSnsNotFound, "not over the wire");
  }
};

constexpr std::string_view kActions[] = {
    "CreateTopic",
    "DeleteTopic",
    "ListTopics",
    "GetTopicAttributes",
    "SetTopicAttributes",
    "Subscribe",
    "ConfirmSubscription",
    "Unsubscribe",
    "ListSubscriptions",
    "ListSubscriptionsByTopic",
    "GetSubscriptionAttributes",
    "SetSubscriptionAttributes",
    "Publish",
    "PublishBatch",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "AddPermission",
    "PutDataProtectionPolicy",
    "GetDataProtectionPolicy",
};

struct Harness {
  Harness() : router({}) { router.AddQuery(wire::MakeSnsApi(service)); }
  StubService service;
  wire::Router router;
};

}  // namespace
}  // namespace wharf

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static wharf::Harness* harness = new wharf::Harness();
  if (size < 1) return 0;
  std::string_view action = wharf::kActions[data[0] % std::size(wharf::kActions)];
  wharf::wire::HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  request.body = "Action=" + std::string(action) + "&";
  request.body.append(reinterpret_cast<const char*>(data) + 1, size - 1);
  wharf::testing::FuzzHandle(harness->router, std::move(request));
  return 0;
}
