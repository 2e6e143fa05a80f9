// MockSnsService: a gmock of wharf::sns::Service for testing the wire layer
// without the real service.

#ifndef WHARF_TESTS_WIRE_SNS_MOCK_SERVICE_H_
#define WHARF_TESTS_WIRE_SNS_MOCK_SERVICE_H_

#include <string>

#include "gmock/gmock.h"
#include "wharf/sns.h"

namespace wharf::testing {

class MockSnsService : public sns::Service {
 public:
  MOCK_METHOD(absl::StatusOr<sns::CreateTopicResult>, CreateTopic, (const sns::CreateTopicRequest&),
              (override));
  MOCK_METHOD(absl::Status, DeleteTopic, (const sns::DeleteTopicRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sns::ListTopicsResult>, ListTopics, (const sns::ListTopicsRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<sns::GetTopicAttributesResult>, GetTopicAttributes,
              (const sns::GetTopicAttributesRequest&), (override));
  MOCK_METHOD(absl::Status, SetTopicAttributes, (const sns::SetTopicAttributesRequest&),
              (override));
  MOCK_METHOD(absl::Status, AddPermission, (const sns::AddPermissionRequest&), (override));
  MOCK_METHOD(absl::Status, RemovePermission, (const sns::RemovePermissionRequest&), (override));
  MOCK_METHOD(absl::Status, PutDataProtectionPolicy, (const sns::PutDataProtectionPolicyRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<sns::GetDataProtectionPolicyResult>, GetDataProtectionPolicy,
              (const sns::GetDataProtectionPolicyRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sns::SubscribeResult>, Subscribe, (const sns::SubscribeRequest&),
              (override));
  MOCK_METHOD(absl::Status, Unsubscribe, (const sns::UnsubscribeRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sns::ListSubscriptionsResult>, ListSubscriptions,
              (const sns::ListSubscriptionsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sns::ListSubscriptionsByTopicResult>, ListSubscriptionsByTopic,
              (const sns::ListSubscriptionsByTopicRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sns::GetSubscriptionAttributesResult>, GetSubscriptionAttributes,
              (const sns::GetSubscriptionAttributesRequest&), (override));
  MOCK_METHOD(absl::Status, SetSubscriptionAttributes,
              (const sns::SetSubscriptionAttributesRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sns::PublishResult>, Publish, (const sns::PublishRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<sns::PublishBatchResult>, PublishBatch,
              (const sns::PublishBatchRequest&), (override));
  MOCK_METHOD(absl::Status, TagResource, (const sns::TagResourceRequest&), (override));
  MOCK_METHOD(absl::Status, UntagResource, (const sns::UntagResourceRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sns::ListTagsForResourceResult>, ListTagsForResource,
              (const sns::ListTagsForResourceRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sns::RegisterFunctionResult>, RegisterFunction,
              (sns::RegisterFunctionRequest), (override));
  MOCK_METHOD(absl::Status, UnregisterFunction, (const std::string&), (override));
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_WIRE_SNS_MOCK_SERVICE_H_
