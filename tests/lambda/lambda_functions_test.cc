// Functions: registration, synchronous and asynchronous Invoke, AWS's retry
// timing and destinations, and the SNS and EventBridge triggers, on a
// ManualClock.

#include <stdexcept>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/lambda/lambda_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

rapidjson::Document ParseJson(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  EXPECT_FALSE(doc.HasParseError()) << json;
  return doc;
}

class LambdaFunctionsTest : public LambdaTest {
 protected:
  // An async-invocable function that fails every call.
  std::string CreateFailing(const std::string& name) {
    failing_.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> {
      return absl::InternalError("boom");
    });
    return CreateFunction(name, failing_);
  }

  Recorder failing_;
  Recorder recorder_;
};

// ---- Registration -------------------------------------------------------------

TEST_F(LambdaFunctionsTest, CreateFunctionReturnsItsConfiguration) {
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateFunction({.function_name = "orders",
                                                              .handler = recorder_.AsHandler(),
                                                              .timeout = 30,
                                                              .description = "order handler"}));
  EXPECT_EQ(created.function_name, "orders");
  EXPECT_EQ(created.function_arn, FunctionArn("orders"));
  EXPECT_EQ(created.timeout, 30);
  EXPECT_EQ(created.description, "order handler");
  EXPECT_EQ(created.state, "Active");
  EXPECT_EQ(created.version, "$LATEST");
  EXPECT_EQ(created.last_modified, clock_->Now());
}

TEST_F(LambdaFunctionsTest, CreateFunctionValidatesLikeAws) {
  auto handler = recorder_.AsHandler();
  EXPECT_THAT(lambda().CreateFunction({.function_name = "", .handler = handler}),
              HasErrorCode(ErrorCode::kLambdaValidation));
  // AWS's codes and texts (LocalStack's test_function_arns snapshot): a
  // malformed name is a ValidationException naming the pattern, a name of
  // valid characters that is too long an InvalidParameterValueException.
  EXPECT_THAT(
      lambda().CreateFunction({.function_name = "invalid:function:name", .handler = handler}),
      HasError(ErrorCode::kLambdaValidation,
               "1 validation error detected: Value 'invalid:function:name' at 'functionName' "
               "failed to satisfy constraint: Member must satisfy regular expression pattern: "
               "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-"
               "\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"));
  EXPECT_THAT(lambda().CreateFunction({.function_name = "has space", .handler = handler}),
              HasErrorCode(ErrorCode::kLambdaValidation));
  EXPECT_THAT(lambda().CreateFunction({.function_name = std::string(65, 'a'), .handler = handler}),
              HasError(ErrorCode::kLambdaInvalidParameterValue,
                       "1 validation error detected: Value '" + std::string(65, 'a') +
                           "' at 'functionName' failed to satisfy constraint: Member must have "
                           "length less than or equal to 64"));
  EXPECT_OK(lambda().CreateFunction({.function_name = std::string(64, 'a'), .handler = handler}));
  EXPECT_THAT(lambda().CreateFunction({.function_name = "t0", .handler = handler, .timeout = 0}),
              HasError(ErrorCode::kLambdaValidation, HasSubstr("greater than or equal to 1")));
  EXPECT_THAT(
      lambda().CreateFunction({.function_name = "t901", .handler = handler, .timeout = 901}),
      HasError(ErrorCode::kLambdaValidation, HasSubstr("less than or equal to 900")));
  EXPECT_OK(lambda().CreateFunction({.function_name = "t900", .handler = handler, .timeout = 900}));
  EXPECT_THAT(lambda().CreateFunction(
                  {.function_name = "d", .handler = handler, .description = std::string(257, 'x')}),
              HasErrorCode(ErrorCode::kLambdaValidation));
  EXPECT_THAT(lambda().CreateFunction({.function_name = "nohandler"}),
              HasErrorCode(ErrorCode::kLambdaInvalidParameterValue));
  EXPECT_THAT(lambda().CreateFunction({.function_name = "t900", .handler = handler}),
              HasError(ErrorCode::kLambdaResourceConflict, HasSubstr("already exist")));
}

TEST_F(LambdaFunctionsTest, FunctionNameMayBeAnArnOrAPartialArn) {
  CreateFunction("orders", recorder_);
  for (const std::string& name :
       {std::string("orders"), FunctionArn("orders"), FunctionArn("orders") + ":$LATEST",
        std::string(kAccount) + ":function:orders"}) {
    ASSERT_OK_AND_ASSIGN(auto got, lambda().GetFunctionConfiguration({.function_name = name}));
    EXPECT_EQ(got.function_arn, FunctionArn("orders")) << name;
  }
  EXPECT_THAT(lambda().GetFunctionConfiguration({.function_name = FunctionArn("orders") + ":v2"}),
              HasErrorCode(ErrorCode::kLambdaResourceNotFound));
  EXPECT_THAT(lambda().GetFunctionConfiguration(
                  {.function_name = "arn:aws:lambda:us-east-1:999999999999:function:orders"}),
              HasErrorCode(ErrorCode::kLambdaResourceNotFound));
  // AWS's text (LocalStack's test_function_arns snapshot).
  EXPECT_THAT(lambda().GetFunctionConfiguration(
                  {.function_name = "arn:aws:lambda:ap-southeast-1:123456789012:function:orders"}),
              HasError(ErrorCode::kLambdaResourceNotFound,
                       std::string("Functions from 'ap-southeast-1' are not reachable in this "
                                   "region ('") +
                           kRegion + "')"));
  EXPECT_THAT(lambda().GetFunctionConfiguration({.function_name = "missing"}),
              HasError(ErrorCode::kLambdaResourceNotFound,
                       HasSubstr("Function not found: " + FunctionArn("missing"))));
  EXPECT_THAT(lambda().GetFunctionConfiguration({.function_name = "a:b"}),
              HasErrorCode(ErrorCode::kLambdaValidation));
  EXPECT_THAT(lambda().GetFunctionConfiguration({.function_name = ""}),
              HasErrorCode(ErrorCode::kLambdaValidation));
}

TEST_F(LambdaFunctionsTest, ListFunctionsPagesByName) {
  for (const char* name : {"c", "a", "b"}) CreateFunction(name, recorder_);
  ASSERT_OK_AND_ASSIGN(auto page, lambda().ListFunctions({.max_items = 2}));
  ASSERT_THAT(page.functions, SizeIs(2));
  EXPECT_EQ(page.functions[0].function_name, "a");
  EXPECT_EQ(page.functions[1].function_name, "b");
  ASSERT_OK_AND_ASSIGN(auto rest,
                       lambda().ListFunctions({.marker = page.next_marker, .max_items = 2}));
  ASSERT_THAT(rest.functions, SizeIs(1));
  EXPECT_EQ(rest.functions[0].function_name, "c");
  EXPECT_EQ(rest.next_marker, "");
  EXPECT_THAT(lambda().ListFunctions({.max_items = 0}), HasErrorCode(ErrorCode::kLambdaValidation));
  EXPECT_THAT(lambda().ListFunctions({.max_items = 10001}),
              HasErrorCode(ErrorCode::kLambdaValidation));
}

TEST_F(LambdaFunctionsTest, UpdateAndDeleteFunction) {
  CreateFunction("orders", recorder_);
  ASSERT_OK_AND_ASSIGN(auto updated, lambda().UpdateFunctionConfiguration(
                                         {.function_name = "orders", .timeout = 60}));
  EXPECT_EQ(updated.timeout, 60);
  EXPECT_THAT(lambda().UpdateFunctionConfiguration({.function_name = "orders", .timeout = 0}),
              HasErrorCode(ErrorCode::kLambdaValidation));
  Recorder other;
  ASSERT_OK(lambda().UpdateFunctionCode({.function_name = "orders", .handler = other.AsHandler()}));
  ASSERT_OK(lambda().Invoke({.function_name = "orders"}));
  EXPECT_EQ(recorder_.size(), 0u);
  EXPECT_EQ(other.size(), 1u);
  ASSERT_OK(lambda().DeleteFunction({.function_name = "orders"}));
  EXPECT_THAT(lambda().DeleteFunction({.function_name = "orders"}),
              HasErrorCode(ErrorCode::kLambdaResourceNotFound));
  EXPECT_THAT(lambda().Invoke({.function_name = "orders"}),
              HasErrorCode(ErrorCode::kLambdaResourceNotFound));
}

// ---- Synchronous invocation -------------------------------------------------------

TEST_F(LambdaFunctionsTest, RequestResponseRunsTheHandlerOnTheCallingThread) {
  recorder_.set_respond([](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
    return R"({"echo":)" + in.payload() + "}";
  });
  CreateFunction("echo", recorder_);
  ASSERT_OK_AND_ASSIGN(auto result,
                       lambda().Invoke({.function_name = "echo", .payload = R"({"n":1})"}));
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(result.function_error, "");
  EXPECT_EQ(result.executed_version, "$LATEST");
  EXPECT_EQ(result.payload, R"({"echo":{"n":1}})");
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  EXPECT_THAT(recorder_.calls()[0].request_id, SizeIs(36));
}

TEST_F(LambdaFunctionsTest, EmptyPayloadIsAnEmptyObject) {
  CreateFunction("f", recorder_);
  ASSERT_OK(lambda().Invoke({.function_name = "f"}));
  EXPECT_EQ(recorder_.calls().at(0).payload, "{}");
}

TEST_F(LambdaFunctionsTest, InvokeChecksThePayload) {
  CreateFunction("f", recorder_);
  EXPECT_THAT(lambda().Invoke({.function_name = "f", .payload = "{not json"}),
              HasErrorCode(ErrorCode::kLambdaInvalidRequestContent));
  std::string big = "\"" + std::string(6 * 1024 * 1024, 'x') + "\"";
  EXPECT_THAT(lambda().Invoke({.function_name = "f", .payload = big}),
              HasError(ErrorCode::kLambdaRequestTooLarge, HasSubstr("6291456")));
  std::string over_async = "\"" + std::string(1024 * 1024, 'x') + "\"";
  EXPECT_THAT(lambda().Invoke({.function_name = "f",
                               .invocation_type = lambda::InvocationType::kEvent,
                               .payload = over_async}),
              HasError(ErrorCode::kLambdaRequestTooLarge, HasSubstr("1048576")));
  EXPECT_EQ(recorder_.size(), 0u);
}

TEST_F(LambdaFunctionsTest, ReturnedErrorIsAFunctionError) {
  CreateFailing("f");
  ASSERT_OK_AND_ASSIGN(auto result, lambda().Invoke({.function_name = "f"}));
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(result.function_error, "Unhandled");
  rapidjson::Document doc = ParseJson(result.payload);
  EXPECT_STREQ(doc["errorMessage"].GetString(), "boom");
  EXPECT_STREQ(doc["errorType"].GetString(), "INTERNAL");
}

TEST_F(LambdaFunctionsTest, ThrownExceptionIsAFunctionErrorNotACrash) {
  recorder_.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    throw std::runtime_error("bad order");
  });
  CreateFunction("f", recorder_);
  ASSERT_OK_AND_ASSIGN(auto result, lambda().Invoke({.function_name = "f"}));
  EXPECT_EQ(result.function_error, "Unhandled");
  rapidjson::Document doc = ParseJson(result.payload);
  EXPECT_STREQ(doc["errorMessage"].GetString(), "bad order");
  EXPECT_STREQ(doc["errorType"].GetString(), "std::runtime_error");

  recorder_.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> { throw 42; });
  ASSERT_OK_AND_ASSIGN(result, lambda().Invoke({.function_name = "f"}));
  EXPECT_EQ(result.function_error, "Unhandled");
}

TEST_F(LambdaFunctionsTest, RunningPastTheTimeoutIsATimeout) {
  recorder_.set_respond([this](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
    EXPECT_EQ(in.deadline(), clock_->Now() + absl::Seconds(3));
    clock_->Advance(absl::Seconds(4));
    return std::string("{}");
  });
  CreateFunction("slow", recorder_, /*timeout=*/3);
  ASSERT_OK_AND_ASSIGN(auto result, lambda().Invoke({.function_name = "slow"}));
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_THAT(result.payload, HasSubstr("Task timed out after 3.00 seconds"));
}

TEST_F(LambdaFunctionsTest, DryRunDoesNotInvoke) {
  CreateFunction("f", recorder_);
  ASSERT_OK_AND_ASSIGN(
      auto result,
      lambda().Invoke({.function_name = "f", .invocation_type = lambda::InvocationType::kDryRun}));
  EXPECT_EQ(result.status_code, 204);
  Drain();
  EXPECT_EQ(recorder_.size(), 0u);
}

// ---- Asynchronous invocation ------------------------------------------------------

TEST_F(LambdaFunctionsTest, EventInvocationRunsAtTheNextDrain) {
  CreateFunction("f", recorder_);
  ASSERT_OK_AND_ASSIGN(auto result,
                       lambda().Invoke({.function_name = "f",
                                        .invocation_type = lambda::InvocationType::kEvent,
                                        .payload = R"({"n":1})"}));
  EXPECT_EQ(result.status_code, 202);
  EXPECT_EQ(result.payload, "");
  EXPECT_EQ(recorder_.size(), 0u);
  Drain();
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  EXPECT_EQ(recorder_.calls()[0].payload, R"({"n":1})");
  Drain();
  EXPECT_EQ(recorder_.size(), 1u);
}

TEST_F(LambdaFunctionsTest, FailedEventIsRetriedAfterOneThenTwoMinutes) {
  CreateFailing("f");
  ASSERT_OK(
      lambda().Invoke({.function_name = "f", .invocation_type = lambda::InvocationType::kEvent}));
  Drain();
  EXPECT_EQ(failing_.size(), 1u);
  clock_->Advance(absl::Seconds(59));
  EXPECT_EQ(failing_.size(), 1u);
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(failing_.size(), 2u);
  clock_->Advance(absl::Seconds(119));
  EXPECT_EQ(failing_.size(), 2u);
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(failing_.size(), 3u);
  clock_->Advance(absl::Hours(1));
  EXPECT_EQ(failing_.size(), 3u);
  // Retries keep the request id.
  std::vector<Call> calls = failing_.calls();
  EXPECT_EQ(calls[0].request_id, calls[2].request_id);
}

TEST_F(LambdaFunctionsTest, RetriesExhaustedGoToTheOnFailureQueue) {
  std::string dlq = CreateQueue("failures");
  CreateFailing("f");
  ASSERT_OK(lambda().PutFunctionEventInvokeConfig(
      {.function_name = "f",
       .destination_config = lambda::DestinationConfig{.on_failure = QueueArn("failures")}}));
  ASSERT_OK(lambda().Invoke({.function_name = "f",
                             .invocation_type = lambda::InvocationType::kEvent,
                             .payload = R"({"order":7})"}));
  // One jump: the attempts in between still run, at their own times.
  clock_->Advance(absl::Minutes(10));
  EXPECT_EQ(failing_.size(), 3u);
  std::vector<sqs::Message> got = ReceiveAll(dlq);
  ASSERT_THAT(got, SizeIs(1));
  rapidjson::Document record = ParseJson(got[0].body);
  EXPECT_STREQ(record["version"].GetString(), "1.0");
  EXPECT_STREQ(record["requestContext"]["condition"].GetString(), "RetriesExhausted");
  EXPECT_EQ(record["requestContext"]["approximateInvokeCount"].GetInt(), 3);
  EXPECT_EQ(std::string(record["requestContext"]["functionArn"].GetString()),
            FunctionArn("f") + ":$LATEST");
  EXPECT_EQ(std::string(record["requestContext"]["requestId"].GetString()),
            failing_.calls()[0].request_id);
  EXPECT_EQ(record["requestPayload"]["order"].GetInt(), 7);
  EXPECT_STREQ(record["responseContext"]["functionError"].GetString(), "Unhandled");
  EXPECT_STREQ(record["responsePayload"]["errorMessage"].GetString(), "boom");
}

TEST_F(LambdaFunctionsTest, MaximumRetryAttemptsZeroTriesOnce) {
  std::string dlq = CreateQueue("failures");
  CreateFailing("f");
  ASSERT_OK(lambda().PutFunctionEventInvokeConfig(
      {.function_name = "f",
       .maximum_retry_attempts = 0,
       .destination_config = lambda::DestinationConfig{.on_failure = QueueArn("failures")}}));
  ASSERT_OK(
      lambda().Invoke({.function_name = "f", .invocation_type = lambda::InvocationType::kEvent}));
  Drain();
  EXPECT_EQ(failing_.size(), 1u);
  EXPECT_THAT(ReceiveAll(dlq), SizeIs(1));
  clock_->Advance(absl::Minutes(10));
  EXPECT_EQ(failing_.size(), 1u);
}

TEST_F(LambdaFunctionsTest, EventOlderThanTheMaximumAgeIsNotRetried) {
  std::string dlq = CreateQueue("failures");
  CreateFailing("f");
  ASSERT_OK(lambda().PutFunctionEventInvokeConfig(
      {.function_name = "f",
       .maximum_event_age_in_seconds = 60,
       .destination_config = lambda::DestinationConfig{.on_failure = QueueArn("failures")}}));
  ASSERT_OK(
      lambda().Invoke({.function_name = "f", .invocation_type = lambda::InvocationType::kEvent}));
  clock_->Advance(absl::Minutes(10));
  // Attempt 1 at 0 s, attempt 2 at 60 s (age 60), the third would be 180 s old.
  EXPECT_EQ(failing_.size(), 2u);
  std::vector<sqs::Message> got = ReceiveAll(dlq);
  ASSERT_THAT(got, SizeIs(1));
  rapidjson::Document record = ParseJson(got[0].body);
  EXPECT_STREQ(record["requestContext"]["condition"].GetString(), "EventAgeExceeded");
  EXPECT_EQ(record["requestContext"]["approximateInvokeCount"].GetInt(), 2);
}

TEST_F(LambdaFunctionsTest, SuccessGoesToTheOnSuccessTopicAndFunction) {
  std::string subscriber = CreateQueue("subscriber");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "results"}));
  ASSERT_OK(broker_->sns().Subscribe({.topic_arn = topic.topic_arn,
                                      .protocol = "sqs",
                                      .endpoint = QueueArn("subscriber"),
                                      .attributes = {{"RawMessageDelivery", "true"}}}));
  recorder_.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    return std::string(R"({"ok":true})");
  });
  CreateFunction("f", recorder_);
  Recorder audit;
  CreateFunction("audit", audit);
  ASSERT_OK(lambda().PutFunctionEventInvokeConfig(
      {.function_name = "f",
       .destination_config = lambda::DestinationConfig{.on_success = topic.topic_arn}}));
  ASSERT_OK(
      lambda().Invoke({.function_name = "f", .invocation_type = lambda::InvocationType::kEvent}));
  Drain();
  std::vector<sqs::Message> got = ReceiveAll(subscriber);
  ASSERT_THAT(got, SizeIs(1));
  rapidjson::Document record = ParseJson(got[0].body);
  EXPECT_STREQ(record["requestContext"]["condition"].GetString(), "Success");
  EXPECT_TRUE(record["responsePayload"]["ok"].GetBool());

  ASSERT_OK(lambda().PutFunctionEventInvokeConfig(
      {.function_name = "f",
       .destination_config = lambda::DestinationConfig{.on_success = FunctionArn("audit")}}));
  ASSERT_OK(
      lambda().Invoke({.function_name = "f", .invocation_type = lambda::InvocationType::kEvent}));
  Drain();
  ASSERT_THAT(audit.calls(), SizeIs(1));
  EXPECT_THAT(audit.calls()[0].payload, HasSubstr(R"("condition":"Success")"));
}

TEST_F(LambdaFunctionsTest, FailureGoesToAnEventBus) {
  std::string sink = CreateQueue("sink");
  ASSERT_OK(broker_->events().PutRule(
      {.name = "lambda-results", .event_pattern = R"({"source":["lambda"]})"}));
  events::Target target;
  target.id = "q";
  target.arn = QueueArn("sink");
  ASSERT_OK(broker_->events().PutTargets({.rule = "lambda-results", .targets = {target}}));
  CreateFailing("f");
  const std::string bus =
      std::string("arn:aws:events:") + kRegion + ":" + kAccount + ":event-bus/default";
  ASSERT_OK(lambda().PutFunctionEventInvokeConfig(
      {.function_name = "f",
       .maximum_retry_attempts = 0,
       .destination_config = lambda::DestinationConfig{.on_failure = bus}}));
  ASSERT_OK(
      lambda().Invoke({.function_name = "f", .invocation_type = lambda::InvocationType::kEvent}));
  Drain();
  std::vector<sqs::Message> got = ReceiveAll(sink);
  ASSERT_THAT(got, SizeIs(1));
  rapidjson::Document event = ParseJson(got[0].body);
  EXPECT_STREQ(event["detail-type"].GetString(), "Lambda Function Invocation Result - Failure");
  EXPECT_STREQ(event["source"].GetString(), "lambda");
  EXPECT_STREQ(event["detail"]["requestContext"]["condition"].GetString(), "RetriesExhausted");
}

// Codes and texts recorded on AWS (LocalStack's
// test_lambda_eventinvokeconfig_exceptions snapshot).
TEST_F(LambdaFunctionsTest, EventInvokeConfigValidation) {
  CreateFunction("f", recorder_);
  Recorder other;
  CreateFunction("g", other);
  EXPECT_THAT(
      lambda().PutFunctionEventInvokeConfig({.function_name = "f", .maximum_retry_attempts = 3}),
      HasErrorCode(ErrorCode::kLambdaValidation));
  EXPECT_THAT(
      lambda().PutFunctionEventInvokeConfig({.function_name = "f", .maximum_retry_attempts = -1}),
      HasErrorCode(ErrorCode::kLambdaValidation));
  EXPECT_THAT(lambda().PutFunctionEventInvokeConfig(
                  {.function_name = "f", .maximum_event_age_in_seconds = 59}),
              HasErrorCode(ErrorCode::kLambdaValidation));
  EXPECT_THAT(lambda().PutFunctionEventInvokeConfig(
                  {.function_name = "f", .maximum_event_age_in_seconds = 21601}),
              HasErrorCode(ErrorCode::kLambdaValidation));
  // Nothing to set is refused before the function is looked up.
  EXPECT_THAT(lambda().PutFunctionEventInvokeConfig({.function_name = "missing"}),
              HasError(ErrorCode::kLambdaInvalidParameterValue,
                       "You must specify at least one of error handling or destination setting."));
  EXPECT_THAT(lambda().PutFunctionEventInvokeConfig(
                  {.function_name = "missing", .maximum_retry_attempts = 1}),
              HasError(ErrorCode::kLambdaResourceNotFound, "The function doesn't exist."));
  EXPECT_THAT(lambda().PutFunctionEventInvokeConfig(
                  {.function_name = FunctionArn("missing"), .maximum_retry_attempts = 1}),
              HasError(ErrorCode::kLambdaResourceNotFound, "The function doesn't exist."));
  const std::string iam = "arn:aws:iam:us-east-1:123456789012:function:f";
  EXPECT_THAT(lambda().PutFunctionEventInvokeConfig(
                  {.function_name = "f",
                   .destination_config = lambda::DestinationConfig{.on_success = iam}}),
              HasError(ErrorCode::kLambdaInvalidParameterValue,
                       "The provided destination config DestinationConfig(onSuccess=OnSuccess("
                       "destination=" +
                           iam + "), onFailure=null) is invalid."));
  EXPECT_THAT(
      lambda().PutFunctionEventInvokeConfig(
          {.function_name = "f",
           .destination_config = lambda::DestinationConfig{.on_success = FunctionArn("missing")}}),
      HasError(ErrorCode::kLambdaInvalidParameterValue,
               "The destination ARN " + FunctionArn("missing") + " is invalid."));
  EXPECT_THAT(
      lambda().PutFunctionEventInvokeConfig(
          {.function_name = "f",
           .destination_config = lambda::DestinationConfig{.on_success = FunctionArn("f")}}),
      HasError(ErrorCode::kLambdaInvalidParameterValue,
               "You can't specify the function as a destination for itself."));
  const std::string no_config =
      "The function " + FunctionArn("f") + ":$LATEST doesn't have an EventInvokeConfig";
  EXPECT_THAT(lambda().GetFunctionEventInvokeConfig({.function_name = "f"}),
              HasError(ErrorCode::kLambdaResourceNotFound, no_config));
  EXPECT_THAT(lambda().GetFunctionEventInvokeConfig({.function_name = "missing"}),
              HasError(ErrorCode::kLambdaResourceNotFound,
                       "The function " + FunctionArn("missing") +
                           ":$LATEST doesn't have an EventInvokeConfig"));
  ASSERT_OK_AND_ASSIGN(
      auto put,
      lambda().PutFunctionEventInvokeConfig(
          {.function_name = "f",
           .maximum_retry_attempts = 1,
           .destination_config = lambda::DestinationConfig{.on_success = FunctionArn("g")}}));
  EXPECT_EQ(put.function_arn, FunctionArn("f") + ":$LATEST");
  EXPECT_EQ(put.maximum_retry_attempts, 1);
  EXPECT_EQ(put.maximum_event_age_in_seconds, 21600);
  EXPECT_EQ(put.destination_config.on_success, FunctionArn("g"));
  ASSERT_OK_AND_ASSIGN(auto got, lambda().GetFunctionEventInvokeConfig({.function_name = "f"}));
  EXPECT_EQ(got.maximum_retry_attempts, 1);
  EXPECT_EQ(got.function_arn, FunctionArn("f") + ":$LATEST");
  ASSERT_OK(lambda().DeleteFunctionEventInvokeConfig({.function_name = "f"}));
  EXPECT_THAT(lambda().DeleteFunctionEventInvokeConfig({.function_name = "f"}),
              HasError(ErrorCode::kLambdaResourceNotFound, no_config));
  EXPECT_THAT(lambda().DeleteFunctionEventInvokeConfig({.function_name = "missing"}),
              HasErrorCode(ErrorCode::kLambdaResourceNotFound));
}

TEST_F(LambdaFunctionsTest, DeletingAFunctionDropsItsQueuedEvents) {
  CreateFunction("f", recorder_);
  ASSERT_OK(
      lambda().Invoke({.function_name = "f", .invocation_type = lambda::InvocationType::kEvent}));
  ASSERT_OK(lambda().DeleteFunction({.function_name = "f"}));
  CreateFunction("f", recorder_);  // Same name and ARN, but another function.
  Drain();
  EXPECT_EQ(recorder_.size(), 0u);
  EXPECT_EQ(impl().TEST_function_stats().async_dropped, 1);
}

// ---- SNS and EventBridge triggers -------------------------------------------------------

TEST_F(LambdaFunctionsTest, SnsLambdaSubscriptionInvokesTheFunctionAsynchronously) {
  CreateFunction("f", recorder_);
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  ASSERT_OK_AND_ASSIGN(auto sub, broker_->sns().Subscribe({.topic_arn = topic.topic_arn,
                                                           .protocol = "lambda",
                                                           .endpoint = FunctionArn("f")}));
  ASSERT_OK_AND_ASSIGN(
      auto published,
      broker_->sns().Publish({.topic_arn = topic.topic_arn,
                              .message = "order 7",
                              .message_attributes = {{"kind", {"String", "new", ""}}}}));
  EXPECT_EQ(recorder_.size(), 0u);  // Queued, not run.
  Drain();
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  const Call call = recorder_.calls()[0];
  EXPECT_EQ(call.sns_message, "order 7");
  rapidjson::Document doc = ParseJson(call.payload);
  const rapidjson::Value& record = doc["Records"][0];
  EXPECT_STREQ(record["EventSource"].GetString(), "aws:sns");
  EXPECT_EQ(std::string(record["EventSubscriptionArn"].GetString()), sub.subscription_arn);
  EXPECT_EQ(std::string(record["Sns"]["MessageId"].GetString()), published.message_id);
  EXPECT_STREQ(record["Sns"]["MessageAttributes"]["kind"]["Value"].GetString(), "new");
  // The rest of AWS's documented shape ("Using Lambda with Amazon SNS").
  EXPECT_STREQ(record["EventVersion"].GetString(), "1.0");
  const rapidjson::Value& sns = record["Sns"];
  EXPECT_STREQ(sns["Type"].GetString(), "Notification");
  EXPECT_EQ(std::string(sns["TopicArn"].GetString()), topic.topic_arn);
  EXPECT_TRUE(sns["Subject"].IsNull());
  EXPECT_STREQ(sns["Message"].GetString(), "order 7");
  EXPECT_STREQ(sns["SignatureVersion"].GetString(), "1");
  EXPECT_TRUE(sns["Signature"].IsString());
  EXPECT_TRUE(sns["SigningCertUrl"].IsString());
  EXPECT_EQ(std::string(sns["UnsubscribeUrl"].GetString()),
            std::string("https://sns.") + kRegion +
                ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + sub.subscription_arn);
  EXPECT_STREQ(sns["MessageAttributes"]["kind"]["Type"].GetString(), "String");
  // ISO 8601 with milliseconds, e.g. "2019-01-02T12:45:07.000Z".
  EXPECT_THAT(std::string(sns["Timestamp"].GetString()),
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                                      "\\.[0-9]{3}Z"));
}

TEST_F(LambdaFunctionsTest, SnsToAMissingFunctionIsAFailedDelivery) {
  std::string dlq = CreateQueue("sns-dlq");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic.topic_arn,
       .protocol = "lambda",
       .endpoint = FunctionArn("missing"),
       .attributes = {
           {"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("sns-dlq") + "\"}"}}}));
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic.topic_arn, .message = "m"}));
  clock_->Advance(absl::Minutes(5));
  EXPECT_THAT(ReceiveAll(dlq), SizeIs(1));
}

TEST_F(LambdaFunctionsTest, EventBridgeTargetInvokesTheFunction) {
  CreateFunction("f", recorder_);
  ASSERT_OK(
      broker_->events().PutRule({.name = "orders", .event_pattern = R"({"source":["shop"]})"}));
  events::Target target;
  target.id = "fn";
  target.arn = FunctionArn("f");
  ASSERT_OK(broker_->events().PutTargets({.rule = "orders", .targets = {target}}));
  ASSERT_OK_AND_ASSIGN(auto put,
                       broker_->events().PutEvents({.entries = {{.source = "shop",
                                                                 .detail_type = "OrderPlaced",
                                                                 .detail = R"({"orderId":42})"}}}));
  ASSERT_EQ(put.failed_entry_count, 0);
  Drain();
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  EXPECT_EQ(recorder_.calls()[0].detail_type, "OrderPlaced");
  rapidjson::Document doc = ParseJson(recorder_.calls()[0].payload);
  EXPECT_EQ(doc["detail"]["orderId"].GetInt(), 42);
  EXPECT_EQ(std::string(doc["id"].GetString()), put.entries[0].event_id);
  // The event as EventBridge sends it to every target.
  EXPECT_STREQ(doc["version"].GetString(), "0");
  EXPECT_STREQ(doc["detail-type"].GetString(), "OrderPlaced");
  EXPECT_STREQ(doc["source"].GetString(), "shop");
  EXPECT_STREQ(doc["account"].GetString(), kAccount);
  EXPECT_STREQ(doc["region"].GetString(), kRegion);
  EXPECT_TRUE(doc["time"].IsString());
  EXPECT_TRUE(doc["resources"].IsArray());
}

// EventBridge's dead-letter queue takes events it could not hand to the
// function: a missing function is not retried (AWS: "a target resource that
// no longer exists") and the message carries the documented attributes.
TEST_F(LambdaFunctionsTest, EventBridgeToAMissingFunctionGoesToTheTargetsDeadLetterQueue) {
  std::string dlq = CreateQueue("eb-dlq");
  ASSERT_OK(broker_->events().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}));
  events::Target target;
  target.id = "fn";
  target.arn = FunctionArn("missing");
  target.dead_letter_config = events::DeadLetterConfig{QueueArn("eb-dlq")};
  ASSERT_OK(broker_->events().PutTargets({.rule = "r", .targets = {target}}));
  ASSERT_OK_AND_ASSIGN(auto put,
                       broker_->events().PutEvents(
                           {.entries = {{.source = "s", .detail_type = "t", .detail = "{}"}}}));
  Drain();
  std::vector<sqs::Message> dead = ReceiveAll(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  rapidjson::Document event = ParseJson(dead[0].body);
  EXPECT_EQ(std::string(event["id"].GetString()), put.entries[0].event_id);
  const MessageAttributeMap& a = dead[0].message_attributes;
  ASSERT_TRUE(a.contains("ERROR_CODE"));
  EXPECT_EQ(a.at("ERROR_CODE").string_value, "ResourceNotFoundException");
  ASSERT_TRUE(a.contains("ERROR_MESSAGE"));
  EXPECT_EQ(a.at("RULE_ARN").string_value,
            std::string("arn:aws:events:") + kRegion + ":" + kAccount + ":rule/r");
  EXPECT_EQ(a.at("TARGET_ARN").string_value, FunctionArn("missing"));
  EXPECT_EQ(a.at("RETRY_ATTEMPTS").string_value, "0");
}

// A function that runs and fails is no delivery failure for EventBridge (it
// invokes asynchronously): Lambda retries it (1 then 2 minutes later), and
// nothing reaches the target's dead-letter queue.
TEST_F(LambdaFunctionsTest, EventBridgeToAFailingFunctionIsRetriedByLambdaNotDeadLettered) {
  std::string dlq = CreateQueue("eb-dlq");
  CreateFailing("f");
  ASSERT_OK(broker_->events().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}));
  events::Target target;
  target.id = "fn";
  target.arn = FunctionArn("f");
  target.dead_letter_config = events::DeadLetterConfig{QueueArn("eb-dlq")};
  ASSERT_OK(broker_->events().PutTargets({.rule = "r", .targets = {target}}));
  ASSERT_OK(broker_->events().PutEvents(
      {.entries = {{.source = "s", .detail_type = "t", .detail = "{}"}}}));
  Drain();
  EXPECT_EQ(failing_.size(), 1u);
  clock_->Advance(absl::Minutes(1));
  EXPECT_EQ(failing_.size(), 2u);
  clock_->Advance(absl::Minutes(2));
  EXPECT_EQ(failing_.size(), 3u);
  clock_->Advance(absl::Hours(1));
  EXPECT_EQ(failing_.size(), 3u);
  EXPECT_THAT(ReceiveAll(dlq), IsEmpty());
  // The same request id on every attempt.
  std::vector<Call> calls = failing_.calls();
  EXPECT_EQ(calls[1].request_id, calls[0].request_id);
  EXPECT_EQ(calls[2].request_id, calls[0].request_id);
}

TEST_F(LambdaFunctionsTest, OneHandlerServesQueuesTopicsAndBuses) {
  std::string queue = CreateQueue("jobs");
  CreateFunction("f", recorder_);
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "t"}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic.topic_arn, .protocol = "lambda", .endpoint = FunctionArn("f")}));
  ASSERT_OK(broker_->events().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}));
  events::Target target;
  target.id = "fn";
  target.arn = FunctionArn("f");
  ASSERT_OK(broker_->events().PutTargets({.rule = "r", .targets = {target}}));
  CreateMapping({.event_source_arn = QueueArn("jobs"), .function_name = "f"});

  Send(queue, "from sqs");
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic.topic_arn, .message = "from sns"}));
  ASSERT_OK(broker_->events().PutEvents(
      {.entries = {{.source = "s", .detail_type = "from eventbridge", .detail = "{}"}}}));
  Drain();
  std::vector<std::string> seen;
  for (const Call& c : recorder_.calls()) {
    if (!c.records.empty()) seen.push_back(c.records[0].body);
    if (!c.sns_message.empty()) seen.push_back(c.sns_message);
    if (!c.detail_type.empty()) seen.push_back(c.detail_type);
  }
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("from sqs", "from sns", "from eventbridge"));
}

TEST_F(LambdaFunctionsTest, CloudWatchAlarmActionInvokesTheFunction) {
  CreateFunction("pager", recorder_);
  cloudwatch::PutMetricAlarmRequest alarm;
  alarm.alarm_name = "errors";
  alarm.alarm_actions = {FunctionArn("pager")};
  alarm.metric_name = "Errors";
  alarm.metric_namespace = "App";
  alarm.statistic = "Sum";
  alarm.period = 60;
  alarm.evaluation_periods = 1;
  alarm.threshold = 5;
  alarm.comparison_operator = "GreaterThanThreshold";
  ASSERT_OK(broker_->cloudwatch().PutMetricAlarm(alarm));
  ASSERT_OK(broker_->cloudwatch().SetAlarmState(
      {.alarm_name = "errors", .state_value = "ALARM", .state_reason = "test"}));
  Drain();  // Alarm actions invoke asynchronously.
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  rapidjson::Document event = ParseJson(recorder_.calls()[0].payload);
  EXPECT_THAT(recorder_.calls()[0].payload, HasSubstr("errors"));
  EXPECT_TRUE(event.IsObject());
}

// ---- Metrics -------------------------------------------------------------------

TEST_F(LambdaFunctionsTest, MetricsCountRunsErrorsDurationAndAsyncEvents) {
  recorder_.set_respond([this](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
    if (in.payload().find("slow") != std::string::npos) clock_->Advance(absl::Milliseconds(250));
    if (in.payload().find("fail") != std::string::npos) return absl::InternalError("boom");
    return std::string("{}");
  });
  CreateFunction("m", recorder_);
  ASSERT_OK(lambda().Invoke({.function_name = "m", .payload = R"({"slow":1})"}));
  ASSERT_OK(lambda().Invoke({.function_name = "m", .payload = R"({"slow":1,"fail":1})"}));
  ASSERT_OK(
      lambda().PutFunctionEventInvokeConfig({.function_name = "m", .maximum_retry_attempts = 1}));
  ASSERT_OK(lambda().Invoke({.function_name = "m",
                             .invocation_type = lambda::InvocationType::kEvent,
                             .payload = R"({"fail":2})"}));
  clock_->Advance(absl::Seconds(5));
  clock_->Advance(absl::Minutes(1));  // The one retry.
  EXPECT_EQ(recorder_.size(), 4u);

  service_internal::LambdaService::Metrics metrics = impl().CollectMetrics();
  ASSERT_THAT(metrics.functions, SizeIs(1));
  EXPECT_EQ(metrics.functions[0].function_name, "m");
  const lambda_internal::FunctionCounterValues& c = metrics.functions[0].counters;
  EXPECT_EQ(c.invocations, 4u);
  EXPECT_EQ(c.errors, 3u);
  EXPECT_EQ(c.duration_micros, 2u * 250000u);
  EXPECT_EQ(c.running, 0);
  EXPECT_EQ(c.throttles, 0u);
  EXPECT_EQ(c.async_received, 1u);
  EXPECT_EQ(c.async_dropped, 1u);  // Retries exhausted.
  // Queued at t0 + 0.5 s, first run at the drain of the 5 s advance.
  EXPECT_EQ(c.async_age_micros, 5000000u);
  EXPECT_EQ(c.destination_failures, 0u);

  // An update keeps the counters; a function created again starts afresh.
  ASSERT_OK(lambda().UpdateFunctionConfiguration({.function_name = "m", .timeout = 10}));
  EXPECT_EQ(impl().CollectMetrics().functions[0].counters.invocations, 4u);
  ASSERT_OK(lambda().DeleteFunction({.function_name = "m"}));
  CreateFunction("m", recorder_);
  EXPECT_EQ(impl().CollectMetrics().functions[0].counters.invocations, 0u);
}

TEST_F(LambdaFunctionsTest, RunUntilIdleNeedsAManualClock) {
  auto broker = Broker::Open({}).value();
  EXPECT_EQ(broker->lambda().RunUntilIdle().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace wharf::testing
