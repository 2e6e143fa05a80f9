// MockSqsService: a gmock of wharf::sqs::Service, and FakeBroker, a Broker
// whose sqs() is that mock (sns() a MockSnsService, events() a
// MockEventsService, cloudwatch() a MockCloudWatchService), for testing the wire layer without the
// real services.

#ifndef WHARF_TESTS_WIRE_MOCK_SQS_SERVICE_H_
#define WHARF_TESTS_WIRE_MOCK_SQS_SERVICE_H_

#include <memory>

#include "gmock/gmock.h"
#include "tests/wire/cloudwatch_mock_service.h"
#include "tests/wire/events_mock_service.h"
#include "tests/wire/sns_mock_service.h"
#include "wharf/broker.h"
#include "wharf/sqs.h"

namespace wharf::testing {

class MockSqsService : public sqs::Service {
 public:
  MOCK_METHOD(absl::StatusOr<sqs::CreateQueueResult>, CreateQueue, (const sqs::CreateQueueRequest&),
              (override));
  MOCK_METHOD(absl::Status, DeleteQueue, (const sqs::DeleteQueueRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::ListQueuesResult>, ListQueues, (const sqs::ListQueuesRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<sqs::GetQueueUrlResult>, GetQueueUrl, (const sqs::GetQueueUrlRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<sqs::GetQueueAttributesResult>, GetQueueAttributes,
              (const sqs::GetQueueAttributesRequest&), (override));
  MOCK_METHOD(absl::Status, SetQueueAttributes, (const sqs::SetQueueAttributesRequest&),
              (override));
  MOCK_METHOD(absl::Status, PurgeQueue, (const sqs::PurgeQueueRequest&), (override));
  MOCK_METHOD(absl::Status, TagQueue, (const sqs::TagQueueRequest&), (override));
  MOCK_METHOD(absl::Status, UntagQueue, (const sqs::UntagQueueRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::ListQueueTagsResult>, ListQueueTags,
              (const sqs::ListQueueTagsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::ListDeadLetterSourceQueuesResult>, ListDeadLetterSourceQueues,
              (const sqs::ListDeadLetterSourceQueuesRequest&), (override));
  MOCK_METHOD(absl::Status, AddPermission, (const sqs::AddPermissionRequest&), (override));
  MOCK_METHOD(absl::Status, RemovePermission, (const sqs::RemovePermissionRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::SendMessageResult>, SendMessage, (const sqs::SendMessageRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<sqs::SendMessageBatchResult>, SendMessageBatch,
              (const sqs::SendMessageBatchRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::ReceiveMessageResult>, ReceiveMessage,
              (const sqs::ReceiveMessageRequest&), (override));
  // Completes inline with the mocked ReceiveMessage, so expectations are set
  // on that one.
  void ReceiveMessageAsync(sqs::ReceiveMessageRequest request,
                           sqs::ReceiveMessageCallback done) override {
    std::move(done)(ReceiveMessage(request));
  }
  MOCK_METHOD(absl::Status, DeleteMessage, (const sqs::DeleteMessageRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::DeleteMessageBatchResult>, DeleteMessageBatch,
              (const sqs::DeleteMessageBatchRequest&), (override));
  MOCK_METHOD(absl::Status, ChangeMessageVisibility, (const sqs::ChangeMessageVisibilityRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult>, ChangeMessageVisibilityBatch,
              (const sqs::ChangeMessageVisibilityBatchRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::StartMessageMoveTaskResult>, StartMessageMoveTask,
              (const sqs::StartMessageMoveTaskRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::ListMessageMoveTasksResult>, ListMessageMoveTasks,
              (const sqs::ListMessageMoveTasksRequest&), (override));
  MOCK_METHOD(absl::StatusOr<sqs::CancelMessageMoveTaskResult>, CancelMessageMoveTask,
              (const sqs::CancelMessageMoveTaskRequest&), (override));
  MOCK_METHOD(absl::StatusOr<std::shared_ptr<sqs::Queue>>, OpenQueue, (const std::string&),
              (override));
};

// The Lambda service, for FakeBroker: the endpoint serves no Lambda API, so
// tests set no expectations on it.
class MockLambdaService : public lambda::Service {
 public:
  MOCK_METHOD(absl::StatusOr<lambda::FunctionConfiguration>, CreateFunction,
              (lambda::CreateFunctionRequest), (override));
  MOCK_METHOD(absl::StatusOr<lambda::FunctionConfiguration>, GetFunctionConfiguration,
              (const lambda::GetFunctionConfigurationRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::FunctionConfiguration>, UpdateFunctionConfiguration,
              (const lambda::UpdateFunctionConfigurationRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::FunctionConfiguration>, UpdateFunctionCode,
              (lambda::UpdateFunctionCodeRequest), (override));
  MOCK_METHOD(absl::Status, DeleteFunction, (const lambda::DeleteFunctionRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::ListFunctionsResult>, ListFunctions,
              (const lambda::ListFunctionsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::InvokeResult>, Invoke, (const lambda::InvokeRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<lambda::FunctionEventInvokeConfig>, PutFunctionEventInvokeConfig,
              (const lambda::PutFunctionEventInvokeConfigRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::FunctionEventInvokeConfig>, GetFunctionEventInvokeConfig,
              (const lambda::GetFunctionEventInvokeConfigRequest&), (override));
  MOCK_METHOD(absl::Status, DeleteFunctionEventInvokeConfig,
              (const lambda::DeleteFunctionEventInvokeConfigRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::EventSourceMappingConfiguration>, CreateEventSourceMapping,
              (const lambda::CreateEventSourceMappingRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::EventSourceMappingConfiguration>, UpdateEventSourceMapping,
              (const lambda::UpdateEventSourceMappingRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::EventSourceMappingConfiguration>, DeleteEventSourceMapping,
              (const lambda::DeleteEventSourceMappingRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::EventSourceMappingConfiguration>, GetEventSourceMapping,
              (const lambda::GetEventSourceMappingRequest&), (override));
  MOCK_METHOD(absl::StatusOr<lambda::ListEventSourceMappingsResult>, ListEventSourceMappings,
              (const lambda::ListEventSourceMappingsRequest&), (override));
  MOCK_METHOD(absl::Status, RunUntilIdle, (), (override));
};

// A Broker serving a MockSqsService (strict: unexpected calls fail).
class FakeBroker : public Broker {
 public:
  explicit FakeBroker(BrokerOptions options = {}) : options_(std::move(options)) {}

  sqs::Service& sqs() override { return sqs_; }
  // The endpoint registers the SNS protocol over this (strict) mock; the
  // endpoint tests here send it nothing.
  sns::Service& sns() override { return sns_; }
  // The endpoint registers the EventBridge protocol over this (strict) mock.
  events::Service& events() override { return events_; }
  // The endpoint registers the CloudWatch protocol and GET /metrics over
  // this (strict) mock.
  cloudwatch::Service& cloudwatch() override { return cloudwatch_; }
  lambda::Service& lambda() override { return lambda_; }
  Clock& clock() override { return clock_; }
  const BrokerOptions& options() const override { return options_; }

  ::testing::StrictMock<MockSqsService>& mock() { return sqs_; }

 private:
  BrokerOptions options_;
  ::testing::StrictMock<MockSqsService> sqs_;
  ::testing::StrictMock<MockSnsService> sns_;
  ::testing::StrictMock<MockEventsService> events_;
  ::testing::StrictMock<MockCloudWatchService> cloudwatch_;
  ::testing::StrictMock<MockLambdaService> lambda_;
  SystemClock clock_;
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_WIRE_MOCK_SQS_SERVICE_H_
