// Event source mappings on a ManualClock: every parameter's range and error,
// the state machine, batching, partial batch responses, FIFO order under
// failures, filters, disable/enable, dead-lettering and scaling.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/lambda/lambda_fixture.h"
#include "tests/testing/temp_dir.h"

namespace wharf::testing {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class LambdaMappingTest : public LambdaTest {
 protected:
  void SetUp() override {
    queue_ = CreateQueue("jobs");
    fifo_ =
        CreateQueue("jobs.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
    CreateFunction("worker", recorder_);
  }

  lambda::CreateEventSourceMappingRequest Request() {
    return {.event_source_arn = QueueArn("jobs"), .function_name = "worker"};
  }
  lambda::CreateEventSourceMappingRequest FifoRequest() {
    return {.event_source_arn = QueueArn("jobs.fifo"), .function_name = "worker"};
  }

  // Fails the records whose body starts with "bad" (ReportBatchItemFailures).
  void FailBadRecords() {
    recorder_.set_respond([](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
      std::vector<std::string> failed;
      for (const lambda::SqsRecord& r : in.sqs()->records) {
        if (r.body.rfind("bad", 0) == 0) failed.push_back(r.message_id);
      }
      return lambda::BatchItemFailuresResponse(failed);
    });
  }

  std::string queue_;
  std::string fifo_;
  Recorder recorder_;
};

// ---- Parameters and errors -------------------------------------------------------

TEST_F(LambdaMappingTest, CreateReturnsTheMappingInStateCreating) {
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(Request()));
  EXPECT_EQ(created.state, "Creating");
  EXPECT_EQ(created.state_transition_reason, "USER_INITIATED");
  EXPECT_EQ(created.batch_size, 10);
  EXPECT_EQ(created.maximum_batching_window_in_seconds, 0);
  EXPECT_EQ(created.event_source_arn, QueueArn("jobs"));
  EXPECT_EQ(created.function_arn, FunctionArn("worker"));
  EXPECT_THAT(created.uuid, SizeIs(36));
  EXPECT_EQ(created.event_source_mapping_arn, std::string("arn:aws:lambda:") + kRegion + ":" +
                                                  kAccount +
                                                  ":event-source-mapping:" + created.uuid);
  EXPECT_FALSE(created.filter_criteria.has_value());
  EXPECT_FALSE(created.scaling_config.has_value());
  EXPECT_THAT(created.function_response_types, IsEmpty());
  Drain();
  EXPECT_EQ(State(created.uuid), "Enabled");
}

// AWS's codes and texts (LocalStack's test_event_source_mapping_exceptions and
// test_esm_with_not_existing_sqs_queue snapshots): a missing function or queue
// is an invalid parameter, not ResourceNotFound, and the function is checked
// first.
TEST_F(LambdaMappingTest, UnknownFunctionOrQueueIsAnInvalidParameter) {
  auto request = Request();
  request.function_name = "missing";
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue, "Function does not exist"));
  request.event_source_arn = QueueArn("missing");
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue, "Function does not exist"));
  request = Request();
  request.event_source_arn = QueueArn("missing");
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue,
                       "Error occurred while ReceiveMessage. SQS Error Code: "
                       "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified "
                       "queue does not exist."));
  request.event_source_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasErrorCode(ErrorCode::kLambdaInvalidParameterValue));
  request.event_source_arn = "";
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue, "Unrecognized event source."));
  std::string uuid = CreateMapping(Request());
  EXPECT_THAT(lambda().UpdateEventSourceMapping({.uuid = uuid, .function_name = "missing"}),
              HasError(ErrorCode::kLambdaInvalidParameterValue, "Function does not exist"));
}

// AWS's text (LocalStack's test_event_source_mapping_default_batch_size
// snapshot), for Create and Update.
constexpr char kWindowRequired[] =
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
    "than 10";

TEST_F(LambdaMappingTest, BatchSizeRangeOnStandardQueues) {
  auto request = Request();
  for (int bad : {0, -1, 10001}) {
    request.batch_size = bad;
    EXPECT_THAT(lambda().CreateEventSourceMapping(request),
                HasErrorCode(ErrorCode::kLambdaValidation))
        << bad;
  }
  request.batch_size = 11;
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue, kWindowRequired));
  request.maximum_batching_window_in_seconds = 0;
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue, kWindowRequired));
  request.batch_size = 10000;
  request.maximum_batching_window_in_seconds = 1;
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(request));
  EXPECT_EQ(created.batch_size, 10000);
  EXPECT_EQ(created.maximum_batching_window_in_seconds, 1);
}

TEST_F(LambdaMappingTest, BatchingWindowRange) {
  auto request = Request();
  for (int bad : {-1, 301}) {
    request.maximum_batching_window_in_seconds = bad;
    EXPECT_THAT(lambda().CreateEventSourceMapping(request),
                HasErrorCode(ErrorCode::kLambdaValidation))
        << bad;
  }
  request.maximum_batching_window_in_seconds = 300;
  EXPECT_OK(lambda().CreateEventSourceMapping(request));
}

// A FIFO queue takes no window, so its batches are at most 10: above that
// the window is either missing or refused.
TEST_F(LambdaMappingTest, FifoQueuesTakeTenRecordsAndNoWindow) {
  auto request = FifoRequest();
  request.batch_size = 11;
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue, kWindowRequired));
  request.maximum_batching_window_in_seconds = 1;
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue,
                       "Batching window is not supported for FIFO queues"));
  request.batch_size = 10;
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue,
                       "Batching window is not supported for FIFO queues"));
  request.maximum_batching_window_in_seconds = 0;
  EXPECT_OK(lambda().CreateEventSourceMapping(request));
}

TEST_F(LambdaMappingTest, FunctionResponseTypesAcceptOnlyReportBatchItemFailures) {
  auto request = Request();
  request.function_response_types = {"Bogus"};
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasErrorCode(ErrorCode::kLambdaValidation));
  request.function_response_types = {"ReportBatchItemFailures", "ReportBatchItemFailures"};
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasErrorCode(ErrorCode::kLambdaValidation));
  request.function_response_types = {"ReportBatchItemFailures"};
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(request));
  EXPECT_THAT(created.function_response_types, ElementsAre("ReportBatchItemFailures"));
}

TEST_F(LambdaMappingTest, FilterCriteriaLimits) {
  auto request = Request();
  request.filter_criteria = lambda::FilterCriteria{};
  for (int i = 0; i < 6; ++i) {
    request.filter_criteria->filters.push_back({R"({"body":{"n":[)" + std::to_string(i) + "]}}"});
  }
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasErrorCode(ErrorCode::kLambdaInvalidParameterValue));
  request.filter_criteria->filters.resize(5);
  request.filter_criteria->filters[4].pattern = "{not a pattern";
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue,
                       HasSubstr("Invalid filter pattern definition")));
  request.filter_criteria->filters[4].pattern =
      R"({"body":{"x":[")" + std::string(4100, 'a') + R"("]}})";
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasErrorCode(ErrorCode::kLambdaValidation));
  request.filter_criteria->filters[4].pattern = R"({"body":{"n":[4]}})";
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(request));
  ASSERT_TRUE(created.filter_criteria.has_value());
  EXPECT_THAT(created.filter_criteria->filters, SizeIs(5));
}

TEST_F(LambdaMappingTest, MaximumConcurrencyRange) {
  auto request = Request();
  for (int bad : {1, 0, 1001}) {
    request.scaling_config = lambda::ScalingConfig{bad};
    EXPECT_THAT(lambda().CreateEventSourceMapping(request),
                HasErrorCode(ErrorCode::kLambdaValidation))
        << bad;
  }
  request.scaling_config = lambda::ScalingConfig{1000};
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(request));
  EXPECT_EQ(created.scaling_config->maximum_concurrency, 1000);
  Drain();
  ASSERT_OK(lambda().DeleteEventSourceMapping({.uuid = created.uuid}));
  Drain();
  request.scaling_config = lambda::ScalingConfig{2};
  EXPECT_OK(lambda().CreateEventSourceMapping(request));
}

TEST_F(LambdaMappingTest, QueueVisibilityTimeoutMustCoverTheFunctionTimeout) {
  Recorder slow;
  CreateFunction("slow", slow, /*timeout=*/60);
  auto request = Request();
  request.function_name = "slow";
  EXPECT_THAT(lambda().CreateEventSourceMapping(request),
              HasError(ErrorCode::kLambdaInvalidParameterValue,
                       HasSubstr("Queue visibility timeout: 30 seconds is less than Function "
                                 "timeout: 60 seconds")));
  ASSERT_OK(
      sqs().SetQueueAttributes({.queue_url = queue_, .attributes = {{"VisibilityTimeout", "60"}}}));
  EXPECT_OK(lambda().CreateEventSourceMapping(request));
}

TEST_F(LambdaMappingTest, OneMappingPerQueueAndFunction) {
  ASSERT_OK_AND_ASSIGN(auto first, lambda().CreateEventSourceMapping(Request()));
  EXPECT_THAT(lambda().CreateEventSourceMapping(Request()),
              HasError(ErrorCode::kLambdaResourceConflict, HasSubstr(first.uuid)));
  Recorder other;
  CreateFunction("other", other);
  auto request = Request();
  request.function_name = FunctionArn("other");
  EXPECT_OK(lambda().CreateEventSourceMapping(request));
}

TEST_F(LambdaMappingTest, UnknownMappingIsResourceNotFound) {
  EXPECT_THAT(lambda().GetEventSourceMapping({.uuid = "nope"}),
              HasError(ErrorCode::kLambdaResourceNotFound,
                       HasSubstr("The resource you requested does not exist.")));
  EXPECT_THAT(lambda().UpdateEventSourceMapping({.uuid = "nope"}),
              HasErrorCode(ErrorCode::kLambdaResourceNotFound));
  EXPECT_THAT(lambda().DeleteEventSourceMapping({.uuid = "nope"}),
              HasErrorCode(ErrorCode::kLambdaResourceNotFound));
}

TEST_F(LambdaMappingTest, UpdateChecksTheMergedSettings) {
  std::string uuid = CreateMapping(Request());
  EXPECT_THAT(lambda().UpdateEventSourceMapping({.uuid = uuid, .batch_size = 50}),
              HasError(ErrorCode::kLambdaInvalidParameterValue, kWindowRequired));
  ASSERT_OK_AND_ASSIGN(
      auto updated, lambda().UpdateEventSourceMapping(
                        {.uuid = uuid, .batch_size = 50, .maximum_batching_window_in_seconds = 2}));
  EXPECT_EQ(updated.state, "Updating");
  EXPECT_EQ(updated.batch_size, 50);
  Drain();
  EXPECT_THAT(
      lambda().UpdateEventSourceMapping({.uuid = uuid, .maximum_batching_window_in_seconds = 0}),
      HasErrorCode(ErrorCode::kLambdaInvalidParameterValue));
  EXPECT_THAT(lambda().UpdateEventSourceMapping({.uuid = uuid, .function_name = "missing"}),
              HasErrorCode(ErrorCode::kLambdaInvalidParameterValue));
  // An empty FilterCriteria and ScalingConfig remove them.
  ASSERT_OK(lambda().UpdateEventSourceMapping(
      {.uuid = uuid,
       .filter_criteria = lambda::FilterCriteria{{{R"({"body":["x"]})"}}},
       .scaling_config = lambda::ScalingConfig{3}}));
  Drain();
  ASSERT_OK_AND_ASSIGN(auto got, lambda().GetEventSourceMapping({.uuid = uuid}));
  EXPECT_TRUE(got.filter_criteria.has_value());
  EXPECT_EQ(got.scaling_config->maximum_concurrency, 3);
  ASSERT_OK(lambda().UpdateEventSourceMapping({.uuid = uuid,
                                               .filter_criteria = lambda::FilterCriteria{},
                                               .scaling_config = lambda::ScalingConfig{}}));
  Drain();
  ASSERT_OK_AND_ASSIGN(got, lambda().GetEventSourceMapping({.uuid = uuid}));
  EXPECT_FALSE(got.filter_criteria.has_value());
  EXPECT_FALSE(got.scaling_config.has_value());
}

// As recorded on AWS (LocalStack's test_sqs_event_source_mapping_update
// snapshot): Update names another function, answers Updating, settles on
// Enabled, and later records go to the new function only.
TEST_F(LambdaMappingTest, UpdateMovesTheMappingToAnotherFunction) {
  Recorder other;
  CreateFunction("other", other);
  std::string uuid = CreateMapping(Request());
  Send(queue_, "before");
  Drain();
  EXPECT_THAT(recorder_.bodies(), ElementsAre("before"));
  ASSERT_OK_AND_ASSIGN(auto updated,
                       lambda().UpdateEventSourceMapping({.uuid = uuid, .function_name = "other"}));
  EXPECT_EQ(updated.state, "Updating");
  EXPECT_EQ(updated.function_arn, FunctionArn("other"));
  EXPECT_EQ(updated.state_transition_reason, "USER_INITIATED");
  Drain();
  EXPECT_EQ(State(uuid), "Enabled");
  Send(queue_, "after");
  Drain();
  EXPECT_THAT(recorder_.bodies(), ElementsAre("before"));
  EXPECT_THAT(other.bodies(), ElementsAre("after"));
}

TEST_F(LambdaMappingTest, TransitionalStatesRejectChanges) {
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(Request()));
  EXPECT_THAT(lambda().UpdateEventSourceMapping({.uuid = created.uuid, .batch_size = 5}),
              HasErrorCode(ErrorCode::kLambdaResourceInUse));
  EXPECT_THAT(lambda().DeleteEventSourceMapping({.uuid = created.uuid}),
              HasErrorCode(ErrorCode::kLambdaResourceInUse));
  Drain();
  ASSERT_OK(lambda().UpdateEventSourceMapping({.uuid = created.uuid, .batch_size = 5}));
  EXPECT_THAT(lambda().UpdateEventSourceMapping({.uuid = created.uuid, .batch_size = 6}),
              HasErrorCode(ErrorCode::kLambdaResourceInUse));
  EXPECT_THAT(lambda().DeleteEventSourceMapping({.uuid = created.uuid}),
              HasErrorCode(ErrorCode::kLambdaResourceInUse));
}

TEST_F(LambdaMappingTest, ListFiltersAndPages) {
  Recorder other;
  CreateFunction("other", other);
  std::string a = CreateMapping(Request());
  auto request = Request();
  request.function_name = "other";
  std::string b = CreateMapping(request);
  request = FifoRequest();
  std::string c = CreateMapping(request);
  auto uuids = [](const lambda::ListEventSourceMappingsResult& r) {
    std::vector<std::string> out;
    for (const auto& m : r.event_source_mappings) out.push_back(m.uuid);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(auto all, lambda().ListEventSourceMappings({}));
  EXPECT_THAT(uuids(all), ElementsAre(a, b, c));
  ASSERT_OK_AND_ASSIGN(auto by_queue,
                       lambda().ListEventSourceMappings({.event_source_arn = QueueArn("jobs")}));
  EXPECT_THAT(uuids(by_queue), ElementsAre(a, b));
  ASSERT_OK_AND_ASSIGN(auto by_function,
                       lambda().ListEventSourceMappings({.function_name = FunctionArn("worker")}));
  EXPECT_THAT(uuids(by_function), ElementsAre(a, c));
  ASSERT_OK_AND_ASSIGN(auto page, lambda().ListEventSourceMappings({.max_items = 2}));
  EXPECT_THAT(uuids(page), ElementsAre(a, b));
  ASSERT_OK_AND_ASSIGN(
      auto rest, lambda().ListEventSourceMappings({.marker = page.next_marker, .max_items = 2}));
  EXPECT_THAT(uuids(rest), ElementsAre(c));
  EXPECT_EQ(rest.next_marker, "");
  EXPECT_THAT(lambda().ListEventSourceMappings({.max_items = 0}),
              HasErrorCode(ErrorCode::kLambdaValidation));
}

// ---- State machine ----------------------------------------------------------------

TEST_F(LambdaMappingTest, StateTransitionsAsAwsReportsThem) {
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(Request()));
  const std::string uuid = created.uuid;
  EXPECT_EQ(State(uuid), "Creating");
  Drain();
  EXPECT_EQ(State(uuid), "Enabled");
  ASSERT_OK_AND_ASSIGN(auto disabling,
                       lambda().UpdateEventSourceMapping({.uuid = uuid, .enabled = false}));
  EXPECT_EQ(disabling.state, "Disabling");
  Drain();
  EXPECT_EQ(State(uuid), "Disabled");
  ASSERT_OK_AND_ASSIGN(auto enabling,
                       lambda().UpdateEventSourceMapping({.uuid = uuid, .enabled = true}));
  EXPECT_EQ(enabling.state, "Enabling");
  Drain();
  EXPECT_EQ(State(uuid), "Enabled");
  ASSERT_OK_AND_ASSIGN(auto updating,
                       lambda().UpdateEventSourceMapping({.uuid = uuid, .batch_size = 3}));
  EXPECT_EQ(updating.state, "Updating");
  Drain();
  EXPECT_EQ(State(uuid), "Enabled");
  ASSERT_OK_AND_ASSIGN(auto deleting, lambda().DeleteEventSourceMapping({.uuid = uuid}));
  EXPECT_EQ(deleting.state, "Deleting");
  EXPECT_EQ(deleting.state_transition_reason, "USER_INITIATED");
  Drain();
  EXPECT_THAT(lambda().GetEventSourceMapping({.uuid = uuid}),
              HasErrorCode(ErrorCode::kLambdaResourceNotFound));
}

TEST_F(LambdaMappingTest, MappingCreatedDisabledNeverPolls) {
  Send(queue_, "m");
  auto request = Request();
  request.enabled = false;
  // AWS answers with State "Disabled" at once (LocalStack's
  // test_fifo_message_group_parallelism snapshot), and a disabled mapping
  // can be enabled right away.
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(request));
  EXPECT_EQ(created.state, "Disabled");
  EXPECT_EQ(created.state_transition_reason, "USER_INITIATED");
  const std::string uuid = created.uuid;
  EXPECT_EQ(State(uuid), "Disabled");
  Drain();
  EXPECT_EQ(State(uuid), "Disabled");
  clock_->Advance(absl::Minutes(1));
  EXPECT_EQ(recorder_.size(), 0u);
  EXPECT_EQ(Counts(queue_), std::make_pair(1, 0));
  ASSERT_OK_AND_ASSIGN(auto enabling,
                       lambda().UpdateEventSourceMapping({.uuid = uuid, .enabled = true}));
  EXPECT_EQ(enabling.state, "Enabling");
  Drain();
  EXPECT_EQ(State(uuid), "Enabled");
  EXPECT_THAT(recorder_.bodies(), ElementsAre("m"));
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 0));
}

// ---- Batches ------------------------------------------------------------------------

TEST_F(LambdaMappingTest, HandlerSeesTheRecordsAsLambdaSendsThem) {
  CreateMapping(Request());
  ASSERT_OK_AND_ASSIGN(
      auto sent, sqs().SendMessage({.queue_url = queue_,
                                    .message_body = R"({"order":1})",
                                    .message_attributes = {{"kind", {"String", "new", ""}}}}));
  Drain();
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  const Call call = recorder_.calls()[0];
  ASSERT_THAT(call.records, SizeIs(1));
  const lambda::SqsRecord& r = call.records[0];
  EXPECT_EQ(r.message_id, sent.message_id);
  EXPECT_EQ(r.body, R"({"order":1})");
  EXPECT_EQ(r.md5_of_body, sent.md5_of_message_body);
  EXPECT_EQ(r.md5_of_message_attributes, sent.md5_of_message_attributes);
  EXPECT_EQ(r.attributes.approximate_receive_count, "1");
  EXPECT_EQ(r.attributes.sender_id, "AIDAIENQZJOLO23YVJ4VO");
  EXPECT_FALSE(r.attributes.sent_timestamp.empty());
  EXPECT_FALSE(r.attributes.approximate_first_receive_timestamp.empty());
  EXPECT_EQ(r.message_attributes.at("kind").string_value, "new");
  EXPECT_EQ(r.event_source, "aws:sqs");
  EXPECT_EQ(r.event_source_arn, QueueArn("jobs"));
  EXPECT_EQ(r.aws_region, kRegion);
  // The JSON is the same event.
  rapidjson::Document doc;
  doc.Parse(call.payload.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(std::string(doc["Records"][0]["messageId"].GetString()), sent.message_id);
  EXPECT_STREQ(doc["Records"][0]["messageAttributes"]["kind"]["dataType"].GetString(), "String");
  // Processed records are deleted.
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 0));
}

// A record recorded on AWS (LocalStack's
// test_message_body_and_attributes_passed_correctly snapshot): these three
// attributes give md5OfMessageAttributes d25a6aea97eb8f585bfa92d314504a92,
// each attribute in Lambda's shape, and no attribute names the DLQ source.
TEST_F(LambdaMappingTest, MessageAttributesAndTheirDigestAsAwsRecordedThem) {
  CreateMapping(Request());
  ASSERT_OK(sqs().SendMessage({.queue_url = queue_,
                               .message_body = "book",
                               .message_attributes = {{"Title", {"String", "The Whistler", ""}},
                                                      {"Author", {"String", "John Grisham", ""}},
                                                      {"WeeksOn", {"Number", "6", ""}}}}));
  Drain();
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  rapidjson::Document doc;
  doc.Parse(recorder_.calls()[0].payload.c_str());
  ASSERT_FALSE(doc.HasParseError());
  const rapidjson::Value& record = doc["Records"][0];
  EXPECT_STREQ(record["md5OfMessageAttributes"].GetString(), "d25a6aea97eb8f585bfa92d314504a92");
  rapidjson::Document want;
  want.Parse(R"({
    "WeeksOn": {"stringValue": "6", "stringListValues": [], "binaryListValues": [],
                "dataType": "Number"},
    "Author": {"stringValue": "John Grisham", "stringListValues": [], "binaryListValues": [],
               "dataType": "String"},
    "Title": {"stringValue": "The Whistler", "stringListValues": [], "binaryListValues": [],
              "dataType": "String"}})");
  EXPECT_EQ(record["messageAttributes"], want);
  std::vector<std::string> names;
  for (const auto& m : record["attributes"].GetObject()) names.push_back(m.name.GetString());
  EXPECT_THAT(names, ElementsAre("ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                 "ApproximateFirstReceiveTimestamp"));
}

TEST_F(LambdaMappingTest, RecordsComeInBatchesOfBatchSize) {
  auto request = Request();
  request.batch_size = 4;
  CreateMapping(request);
  for (int i = 0; i < 10; ++i) Send(queue_, "m" + std::to_string(i));
  Drain();
  std::vector<Call> calls = recorder_.calls();
  size_t total = 0;
  for (const Call& c : calls) {
    EXPECT_LE(c.records.size(), 4u);
    total += c.records.size();
  }
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(calls.size(), 3u);
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 0));
}

TEST_F(LambdaMappingTest, BatchingWindowHoldsRecordsUntilItEnds) {
  auto request = Request();
  request.batch_size = 100;
  request.maximum_batching_window_in_seconds = 5;
  CreateMapping(request);
  for (int i = 0; i < 30; ++i) Send(queue_, "m" + std::to_string(i));
  Drain();
  EXPECT_EQ(recorder_.size(), 0u);
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 30));  // Received, held in the batch.
  clock_->Advance(absl::Seconds(4));
  EXPECT_EQ(recorder_.size(), 0u);
  clock_->Advance(absl::Seconds(1));
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  EXPECT_THAT(recorder_.calls()[0].records, SizeIs(30));
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 0));
}

TEST_F(LambdaMappingTest, AFullBatchDoesNotWaitForTheWindow) {
  auto request = Request();
  request.batch_size = 20;
  request.maximum_batching_window_in_seconds = 300;
  CreateMapping(request);
  for (int i = 0; i < 25; ++i) Send(queue_, "m" + std::to_string(i));
  Drain();
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  EXPECT_THAT(recorder_.calls()[0].records, SizeIs(20));
  clock_->Advance(absl::Seconds(300));
  ASSERT_THAT(recorder_.calls(), SizeIs(2));
  EXPECT_THAT(recorder_.calls()[1].records, SizeIs(5));
}

TEST_F(LambdaMappingTest, ABatchStopsShortOfTheSixMegabytePayloadLimit) {
  ASSERT_OK(sqs().SetQueueAttributes(
      {.queue_url = queue_, .attributes = {{"MaximumMessageSize", "1048576"}}}));
  auto request = Request();
  request.batch_size = 10000;
  request.maximum_batching_window_in_seconds = 300;
  CreateMapping(request);
  const std::string body(512 * 1024, 'x');
  for (int i = 0; i < 14; ++i) Send(queue_, body);
  Drain();
  // 11 records of 512 KiB fit in 6 MB, 12 do not: the 12th starts the next batch.
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  EXPECT_THAT(recorder_.calls()[0].records, SizeIs(11));
  EXPECT_LE(recorder_.calls()[0].payload.size(), 6u * 1024 * 1024);
  clock_->Advance(absl::Seconds(300));
  ASSERT_THAT(recorder_.calls(), SizeIs(2));
  EXPECT_THAT(recorder_.calls()[1].records, SizeIs(3));
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 0));
}

// ---- Partial batch responses ------------------------------------------------------

TEST_F(LambdaMappingTest, OnlyReportedItemsFailAndComeBackAfterTheVisibilityTimeout) {
  FailBadRecords();
  auto request = Request();
  request.function_response_types = {"ReportBatchItemFailures"};
  CreateMapping(request);
  for (const char* body : {"ok1", "bad1", "ok2", "bad2"}) Send(queue_, body);
  Drain();
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 2));  // The failed two stay in flight.
  clock_->Advance(absl::Seconds(29));
  EXPECT_EQ(recorder_.size(), 1u);
  clock_->Advance(absl::Seconds(1));
  ASSERT_THAT(recorder_.calls(), SizeIs(2));
  std::vector<std::string> retried;
  const Call retry = recorder_.calls()[1];
  for (const auto& r : retry.records) {
    retried.push_back(r.body);
    EXPECT_EQ(r.attributes.approximate_receive_count, "2");
  }
  EXPECT_THAT(retried, ::testing::UnorderedElementsAre("bad1", "bad2"));
}

TEST_F(LambdaMappingTest, AnEmptyFailureListMeansEveryRecordSucceeded) {
  for (const char* response :
       {R"({"batchItemFailures":[]})", "", "null", "{}", R"({"batchItemFailures":null})"}) {
    recorder_.set_respond([response](const lambda::Invocation&) -> absl::StatusOr<std::string> {
      return std::string(response);
    });
    auto request = Request();
    request.function_response_types = {"ReportBatchItemFailures"};
    std::string uuid = CreateMapping(request);
    Send(queue_, "a");
    Send(queue_, "b");
    Drain();
    EXPECT_EQ(Counts(queue_), std::make_pair(0, 0)) << response;
    ASSERT_OK(lambda().DeleteEventSourceMapping({.uuid = uuid}));
    Drain();
  }
}

TEST_F(LambdaMappingTest, AMalformedResponseFailsTheWholeBatch) {
  for (const char* response : {R"({"batchItemFailures":[{"itemIdentifier":"not-in-the-batch"}]})",
                               R"({"batchItemFailures":[{"itemIdentifier":""}]})",
                               R"({"batchItemFailures":[{"itemIdentifier":null}]})",
                               R"({"batchItemFailures":[{"id":"x"}]})", "{not json"}) {
    recorder_.set_respond([response](const lambda::Invocation&) -> absl::StatusOr<std::string> {
      return std::string(response);
    });
    auto request = Request();
    request.function_response_types = {"ReportBatchItemFailures"};
    std::string uuid = CreateMapping(request);
    Send(queue_, "a");
    Send(queue_, "b");
    Drain();
    EXPECT_EQ(Counts(queue_), std::make_pair(0, 2)) << response;
    ASSERT_OK(lambda().DeleteEventSourceMapping({.uuid = uuid}));
    Drain();
    ASSERT_OK(sqs().PurgeQueue({.queue_url = queue_}));
    clock_->Advance(absl::Seconds(61));  // PurgeQueue's 60 s between purges.
  }
}

TEST_F(LambdaMappingTest, WithoutReportBatchItemFailuresTheResponseIsIgnored) {
  FailBadRecords();
  CreateMapping(Request());
  Send(queue_, "bad");
  Send(queue_, "ok");
  Drain();
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 0));
}

TEST_F(LambdaMappingTest, AFunctionErrorFailsTheWholeBatch) {
  recorder_.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    return absl::UnavailableError("downstream is down");
  });
  auto request = Request();
  request.function_response_types = {"ReportBatchItemFailures"};
  CreateMapping(request);
  Send(queue_, "a");
  Send(queue_, "b");
  Drain();
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 2));
}

TEST_F(LambdaMappingTest, AThrowingHandlerFailsTheBatchWithoutCrashing) {
  recorder_.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    throw std::logic_error("bug");
  });
  CreateMapping(Request());
  Send(queue_, "a");
  Drain();
  EXPECT_EQ(recorder_.size(), 1u);
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 1));
  clock_->Advance(absl::Seconds(30));
  EXPECT_EQ(recorder_.size(), 2u);
}

TEST_F(LambdaMappingTest, AHandlerThatOverrunsItsTimeoutFailsTheBatch) {
  recorder_.set_respond([this](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    clock_->Advance(absl::Seconds(4));  // The function's timeout is 3 s.
    return std::string();
  });
  CreateMapping(Request());
  Send(queue_, "a");
  Drain();
  EXPECT_EQ(recorder_.size(), 1u);
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 1));
}

TEST_F(LambdaMappingTest, FailingRecordsReachTheDeadLetterQueueAfterMaxReceives) {
  std::string dlq = CreateQueue("jobs-dlq");
  std::string queue = CreateQueueWithDlq("orders", "jobs-dlq", 3);
  FailBadRecords();
  CreateMapping({.event_source_arn = QueueArn("orders"),
                 .function_name = "worker",
                 .function_response_types = {"ReportBatchItemFailures"}});
  Send(queue, "bad order");
  Send(queue, "good order");
  Drain();
  for (int i = 0; i < 3; ++i) clock_->Advance(absl::Seconds(30));
  std::vector<std::string> counts;
  for (const Call& c : recorder_.calls()) {
    for (const auto& r : c.records) {
      if (r.body == "bad order") counts.push_back(r.attributes.approximate_receive_count);
    }
  }
  EXPECT_THAT(counts, ElementsAre("1", "2", "3"));
  EXPECT_EQ(Counts(queue), std::make_pair(0, 0));
  std::vector<sqs::Message> dead = ReceiveAll(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].body, "bad order");
}

// ---- FIFO ---------------------------------------------------------------------------

// As on AWS, a FIFO batch's records the response does not name are deleted,
// even after a failed one of their group: keeping order is the function's
// part (it reports the failed record and the rest of its group).
TEST_F(LambdaMappingTest, FifoRecordsTheResponseDoesNotNameAreDeletedAfterAFailure) {
  FailBadRecords();
  auto request = FifoRequest();
  request.function_response_types = {"ReportBatchItemFailures"};
  request.scaling_config = lambda::ScalingConfig{2};
  CreateMapping(request);
  for (const char* body : {"a1", "bad-a2", "a3"}) Send(fifo_, body, "a");
  for (const char* body : {"b1", "b2"}) Send(fifo_, body, "b");
  Drain();
  ASSERT_GE(recorder_.size(), 1u);
  EXPECT_EQ(Counts(fifo_), std::make_pair(0, 1));
  recorder_.clear();
  recorder_.set_respond(nullptr);
  clock_->Advance(absl::Seconds(30));
  EXPECT_THAT(recorder_.bodies(), ElementsAre("bad-a2"));
  EXPECT_EQ(Counts(fifo_), std::make_pair(0, 0));
}

// The function that stops its group at the first failure, as AWS asks: the
// failed record and the rest of its group come back in order.
TEST_F(LambdaMappingTest, FifoAFunctionReportingTheRestOfTheGroupKeepsItsOrder) {
  recorder_.set_respond([](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
    std::vector<std::string> failed;
    absl::flat_hash_set<std::string> stopped;
    for (const lambda::SqsRecord& r : in.sqs()->records) {
      const std::string& group = r.attributes.message_group_id;
      if (stopped.contains(group) || r.body.rfind("bad", 0) == 0) {
        stopped.insert(group);
        failed.push_back(r.message_id);
      }
    }
    return lambda::BatchItemFailuresResponse(failed);
  });
  auto request = FifoRequest();
  request.function_response_types = {"ReportBatchItemFailures"};
  CreateMapping(request);
  for (const char* body : {"a1", "bad-a2", "a3"}) Send(fifo_, body, "a");
  Send(fifo_, "b1", "b");
  Drain();
  EXPECT_EQ(Counts(fifo_), std::make_pair(0, 2));
  recorder_.clear();
  recorder_.set_respond(nullptr);
  clock_->Advance(absl::Seconds(30));
  EXPECT_THAT(recorder_.bodies(), ElementsAre("bad-a2", "a3"));
  EXPECT_EQ(Counts(fifo_), std::make_pair(0, 0));
}

// A function error fails every record of the batch; each group comes back
// whole and in order after the visibility timeout.
TEST_F(LambdaMappingTest, FifoAFunctionErrorReturnsEveryGroupInOrder) {
  CreateMapping(FifoRequest());
  for (const char* body : {"a1", "a2"}) Send(fifo_, body, "a");
  for (const char* body : {"b1", "b2"}) Send(fifo_, body, "b");
  recorder_.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    return absl::InternalError("boom");
  });
  Drain();
  ASSERT_GE(recorder_.size(), 1u);
  EXPECT_EQ(Counts(fifo_), std::make_pair(0, 4));
  recorder_.clear();
  recorder_.set_respond(nullptr);
  clock_->Advance(absl::Seconds(30));
  std::vector<std::string> a;
  std::vector<std::string> b;
  for (const std::string& body : recorder_.bodies()) (body[0] == 'a' ? a : b).push_back(body);
  EXPECT_THAT(a, ElementsAre("a1", "a2"));
  EXPECT_THAT(b, ElementsAre("b1", "b2"));
  for (const Call& c : recorder_.calls()) {
    for (const lambda::SqsRecord& r : c.records) {
      EXPECT_EQ(r.attributes.approximate_receive_count, "2");
    }
  }
  EXPECT_EQ(Counts(fifo_), std::make_pair(0, 0));
}

// LocalStack's test_report_batch_item_failures, recorded on AWS: a FIFO queue
// with maxReceiveCount 2 and four records of one group; the handler fails a
// record while its receive count is at most its allowance. The first batch
// holds all four (only 1 is deleted), the second 2, 3 and 4 on their second
// receive (4 fails again), and there is no third: 4 is in the DLQ.
TEST_F(LambdaMappingTest, FifoPartialFailuresRetryThenDeadLetterAsAwsRecordedThem) {
  CreateQueue("events-dlq.fifo", {{"FifoQueue", "true"}});
  const std::string url = CreateQueueWithDlq("events.fifo", "events-dlq.fifo", 2,
                                             {{"FifoQueue", "true"}, {"VisibilityTimeout", "8"}});
  // Body "<n>:<allowed failures>".
  for (const char* body : {"1:0", "2:1", "3:1", "4:2"}) {
    ASSERT_OK(sqs().SendMessage({.queue_url = url,
                                 .message_body = body,
                                 .message_deduplication_id = std::string("dedup-") + body[0],
                                 .message_group_id = "1"}));
  }
  recorder_.set_respond([](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
    std::vector<std::string> failed;
    for (const lambda::SqsRecord& r : in.sqs()->records) {
      if (r.body[2] - '0' >= std::stoi(r.attributes.approximate_receive_count)) {
        failed.push_back(r.message_id);
      }
    }
    return lambda::BatchItemFailuresResponse(failed);
  });
  ASSERT_OK(lambda().CreateFunction(
      {.function_name = "batcher", .handler = recorder_.AsHandler(), .timeout = 6}));
  CreateMapping({.event_source_arn = QueueArn("events.fifo"),
                 .function_name = "batcher",
                 .batch_size = 10,
                 .maximum_batching_window_in_seconds = 0,
                 .function_response_types = {"ReportBatchItemFailures"}});
  ASSERT_THAT(recorder_.calls(), SizeIs(1));
  EXPECT_THAT(recorder_.bodies(), ElementsAre("1:0", "2:1", "3:1", "4:2"));
  EXPECT_EQ(Counts(url), std::make_pair(0, 3));
  clock_->Advance(absl::Seconds(8));
  const std::vector<Call> calls = recorder_.calls();
  ASSERT_THAT(calls, SizeIs(2));
  std::vector<std::string> second;
  for (const lambda::SqsRecord& r : calls[1].records) {
    second.push_back(r.body);
    EXPECT_EQ(r.attributes.approximate_receive_count, "2");
  }
  EXPECT_THAT(second, ElementsAre("2:1", "3:1", "4:2"));
  clock_->Advance(absl::Seconds(8));
  EXPECT_THAT(recorder_.calls(), SizeIs(2));
  EXPECT_EQ(Counts(url), std::make_pair(0, 0));
  std::vector<sqs::Message> dead =
      ReceiveAll(sqs().GetQueueUrl({.queue_name = "events-dlq.fifo"})->queue_url);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].body, "4:2");
}

TEST_F(LambdaMappingTest, FifoRecordsOfAGroupArriveInOrder) {
  CreateMapping(FifoRequest());
  for (int i = 0; i < 30; ++i) Send(fifo_, "a" + std::to_string(i), "a");
  for (int i = 0; i < 30; ++i) Send(fifo_, "b" + std::to_string(i), "b");
  Drain();
  std::map<char, std::vector<int>> seen;
  for (const std::string& body : recorder_.bodies()) {
    seen[body[0]].push_back(std::stoi(body.substr(1)));
  }
  ASSERT_THAT(seen['a'], SizeIs(30));
  ASSERT_THAT(seen['b'], SizeIs(30));
  EXPECT_TRUE(std::is_sorted(seen['a'].begin(), seen['a'].end()));
  EXPECT_TRUE(std::is_sorted(seen['b'].begin(), seen['b'].end()));
  for (const Call& c : recorder_.calls()) {
    for (const auto& r : c.records) {
      EXPECT_FALSE(r.attributes.message_group_id.empty());
      EXPECT_FALSE(r.attributes.sequence_number.empty());
      EXPECT_FALSE(r.attributes.message_deduplication_id.empty());
    }
  }
}

// ---- Filters ------------------------------------------------------------------------

TEST_F(LambdaMappingTest, RecordsMatchingNoFilterAreDeletedWithoutInvoking) {
  auto request = Request();
  request.filter_criteria = lambda::FilterCriteria{
      {{R"({"body":{"kind":["order"]}})"}, {R"({"body":["plain text wanted"]})"}}};
  CreateMapping(request);
  Send(queue_, R"({"kind":"order","n":1})");
  Send(queue_, R"({"kind":"refund"})");
  Send(queue_, "plain text wanted");
  Send(queue_, "other text");
  Drain();
  EXPECT_THAT(recorder_.bodies(),
              ::testing::UnorderedElementsAre(R"({"kind":"order","n":1})", "plain text wanted"));
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 0));
}

// The patterns AWS refuses (LocalStack's test_sqs_invalid_event_filter
// snapshots: InvalidParameterValueException "Invalid filter pattern
// definition." for each).
TEST_F(LambdaMappingTest, FilterPatternsAwsRefuses) {
  for (const char* pattern :
       {"null", "simple string", R"({"eventSource":"aws:sqs"})", R"({"eventSource":[]})"}) {
    auto request = Request();
    request.maximum_batching_window_in_seconds = 1;
    request.filter_criteria = lambda::FilterCriteria{{{pattern}}};
    EXPECT_THAT(
        lambda().CreateEventSourceMapping(request),
        HasError(ErrorCode::kLambdaInvalidParameterValue, "Invalid filter pattern definition."))
        << pattern;
  }
}

// LocalStack's test_sqs_event_filter cases, recorded on AWS: one record of
// the two matches, the other is deleted without an invocation.
TEST_F(LambdaMappingTest, FilterPatternsMatchAsOnAws) {
  struct Case {
    const char* pattern;
    const char* matching;
    const char* not_matching;
  };
  const Case cases[] = {
      {R"({"body":{"my-key":["my-value"]}})", R"({"my-key":"my-value"})",
       R"({"my-key":"other-value"})"},
      {R"({"body":{"my-key":["my-value-one","my-value-two"]}})", R"({"my-key":"my-value-two"})",
       R"({"my-key":"other-value"})"},
      {R"({"body":{"my-key-one":["other-filter","my-value-one"],"my-key-two":["my-value-two"]}})",
       R"({"my-key-one":"my-value-one","my-key-two":"my-value-two"})",
       R"({"my-key-one":"other-value-","my-key-two":"my-value-two"})"},
      {R"({"body":{"my-key":[{"exists":true}]}})", R"({"my-key":"any-value-one"})",
       R"({"other-key":"any-value-two"})"},
      {R"({"body":{"my-number":[{"numeric":[">",100]}]}})", R"({"my-number":101})",
       R"({"my-number":100})"},
      {R"({"body":{"my-number":[{"numeric":["<",100]}]}})", R"({"my-number":99})",
       R"({"my-number":100})"},
      {R"({"body":{"my-number":[{"numeric":[">=",100,"<",200]}]}})", R"({"my-number":100})",
       R"({"my-number":200})"},
      {R"({"body":{"my-key":[{"prefix":"yes"}]}})", R"({"my-key":"yes-value"})",
       R"({"my-key":"no-value"})"},
      // A JSON pattern on the body drops a plain-text body.
      {R"({"body":{"my-key":["my-value"]}})", R"({"my-key":"my-value"})", "plain-string"},
  };
  int n = 0;
  for (const Case& c : cases) {
    const std::string name = "filtered" + std::to_string(n++);
    const std::string url = CreateQueue(name);
    Send(url, c.matching);
    Send(url, c.not_matching);
    auto request = Request();
    request.event_source_arn = QueueArn(name);
    request.maximum_batching_window_in_seconds = 1;
    request.filter_criteria = lambda::FilterCriteria{{{c.pattern}}};
    recorder_.clear();
    CreateMapping(request);
    clock_->Advance(absl::Seconds(1));
    EXPECT_THAT(recorder_.bodies(), ElementsAre(c.matching)) << c.pattern;
    EXPECT_EQ(Counts(url), std::make_pair(0, 0)) << c.pattern;
  }
}

TEST_F(LambdaMappingTest, MetricsCountPolledFilteredInvokedFailedAndDeletedRecords) {
  FailBadRecords();
  auto request = Request();
  request.function_response_types = {"ReportBatchItemFailures"};
  request.filter_criteria =
      lambda::FilterCriteria{{{R"({"body":[{"prefix":"ok"},{"prefix":"bad"}]})"}}};
  std::string uuid = CreateMapping(request);
  for (const char* body : {"ok1", "bad1", "skip1", "ok2", "skip2"}) Send(queue_, body);
  clock_->Advance(absl::Seconds(7));  // The records are 7 s old when handed over.
  ASSERT_THAT(recorder_.calls(), SizeIs(1));

  service_internal::LambdaService::Metrics metrics = impl().CollectMetrics();
  ASSERT_THAT(metrics.mappings, SizeIs(1));
  const service_internal::LambdaService::MappingMetrics& m = metrics.mappings[0];
  EXPECT_EQ(m.uuid, uuid);
  EXPECT_EQ(m.function_name, "worker");
  EXPECT_EQ(m.event_source_arn, QueueArn("jobs"));
  EXPECT_EQ(m.pollers, 5);
  EXPECT_EQ(m.counters.polled, 5u);
  EXPECT_EQ(m.counters.filtered_out, 2u);
  EXPECT_EQ(m.counters.invoked, 3u);
  EXPECT_EQ(m.counters.failed, 1u);
  EXPECT_EQ(m.counters.deleted, 2u);
  EXPECT_EQ(m.counters.batches, 1u);
  EXPECT_EQ(m.counters.oldest_record_age_millis, 7000);
  ASSERT_THAT(metrics.functions, SizeIs(1));
  EXPECT_EQ(metrics.functions[0].counters.invocations, 1u);
  EXPECT_EQ(metrics.functions[0].counters.errors, 0u);  // Partial failures are not errors.
}

TEST_F(LambdaMappingTest, FiltersSeeMessageAttributesAndSystemAttributes) {
  auto request = Request();
  request.filter_criteria =
      lambda::FilterCriteria{{{R"({"messageAttributes":{"kind":{"stringValue":["vip"]}}})"}}};
  CreateMapping(request);
  ASSERT_OK(sqs().SendMessage({.queue_url = queue_,
                               .message_body = "a",
                               .message_attributes = {{"kind", {"String", "vip", ""}}}}));
  ASSERT_OK(sqs().SendMessage({.queue_url = queue_,
                               .message_body = "b",
                               .message_attributes = {{"kind", {"String", "basic", ""}}}}));
  Drain();
  EXPECT_THAT(recorder_.bodies(), ElementsAre("a"));
}

// ---- Enable, disable, delete ----------------------------------------------------------

TEST_F(LambdaMappingTest, DisablingStopsPollingAtOnce) {
  std::string uuid = CreateMapping(Request());
  ASSERT_OK(lambda().UpdateEventSourceMapping({.uuid = uuid, .enabled = false}));
  Send(queue_, "m");
  Drain();
  clock_->Advance(absl::Minutes(1));
  EXPECT_EQ(recorder_.size(), 0u);
  EXPECT_EQ(Counts(queue_), std::make_pair(1, 0));
  ASSERT_OK(lambda().UpdateEventSourceMapping({.uuid = uuid, .enabled = true}));
  Drain();
  EXPECT_THAT(recorder_.bodies(), ElementsAre("m"));
}

TEST_F(LambdaMappingTest, DisablingFromTheHandlerFinishesTheBatchInFlight) {
  std::string uuid;
  recorder_.set_respond([&](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    auto disabled = lambda().UpdateEventSourceMapping({.uuid = uuid, .enabled = false});
    EXPECT_OK(disabled);
    if (disabled.ok()) {
      EXPECT_EQ(disabled->state, "Disabling");
    }
    EXPECT_EQ(State(uuid), "Disabling");  // The batch in flight holds it there.
    return std::string();
  });
  auto request = Request();
  request.batch_size = 2;
  uuid = CreateMapping(request);
  for (int i = 0; i < 5; ++i) Send(queue_, "m" + std::to_string(i));
  Drain();
  EXPECT_EQ(recorder_.size(), 1u);
  EXPECT_EQ(State(uuid), "Disabled");
  EXPECT_EQ(Counts(queue_), std::make_pair(3, 0));  // The batch was deleted; the rest waits.
}

TEST_F(LambdaMappingTest, DisablingFlushesABatchHeldByTheWindow) {
  auto request = Request();
  request.batch_size = 100;
  request.maximum_batching_window_in_seconds = 60;
  std::string uuid = CreateMapping(request);
  Send(queue_, "held");
  Drain();
  EXPECT_EQ(recorder_.size(), 0u);
  ASSERT_OK(lambda().UpdateEventSourceMapping({.uuid = uuid, .enabled = false}));
  Drain();
  EXPECT_THAT(recorder_.bodies(), ElementsAre("held"));
  EXPECT_EQ(State(uuid), "Disabled");
  EXPECT_EQ(Counts(queue_), std::make_pair(0, 0));
}

TEST_F(LambdaMappingTest, DeletingTheQueueDisablesTheMapping) {
  std::string uuid = CreateMapping(Request());
  ASSERT_OK(sqs().DeleteQueue({.queue_url = queue_}));
  Drain();
  ASSERT_OK_AND_ASSIGN(auto got, lambda().GetEventSourceMapping({.uuid = uuid}));
  EXPECT_EQ(got.state, "Disabled");
  EXPECT_EQ(got.state_transition_reason, "LAMBDA_INITIATED");
}

TEST_F(LambdaMappingTest, DeletingTheFunctionDisablesTheMapping) {
  std::string uuid = CreateMapping(Request());
  ASSERT_OK(lambda().DeleteFunction({.function_name = "worker"}));
  EXPECT_EQ(State(uuid), "Disabling");
  Drain();
  ASSERT_OK_AND_ASSIGN(auto got, lambda().GetEventSourceMapping({.uuid = uuid}));
  EXPECT_EQ(got.state, "Disabled");
  EXPECT_EQ(got.state_transition_reason, "LAMBDA_INITIATED");
  Send(queue_, "m");
  Drain();
  EXPECT_EQ(Counts(queue_), std::make_pair(1, 0));
}

// ---- Scaling ------------------------------------------------------------------------

TEST_F(LambdaMappingTest, PollersStartAtFiveOrTheMaximumConcurrency) {
  std::string uuid = CreateMapping(Request());
  EXPECT_EQ(impl().TEST_mapping(uuid)->NumPollers(), 5);
  ASSERT_OK(lambda().DeleteEventSourceMapping({.uuid = uuid}));
  Drain();
  auto request = Request();
  request.scaling_config = lambda::ScalingConfig{2};
  uuid = CreateMapping(request);
  EXPECT_EQ(impl().TEST_mapping(uuid)->NumPollers(), 2);
}

TEST_F(LambdaMappingTest, ABacklogAddsPollersEveryMinuteUpToTheMaximumConcurrency) {
  std::string uuid;
  int max_slots = 0;
  bool advanced = false;
  recorder_.set_respond([&](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    max_slots = std::max(max_slots, impl().TEST_mapping(uuid)->NumPollers());
    if (!advanced) {
      advanced = true;
      clock_->Advance(absl::Seconds(61));  // A minute of backlog passes during the first batch.
    }
    return std::string();
  });
  // Long enough that the minute passing inside a handler expires no receive.
  ASSERT_OK(sqs().SetQueueAttributes(
      {.queue_url = queue_, .attributes = {{"VisibilityTimeout", "300"}}}));
  auto request = Request();
  request.scaling_config = lambda::ScalingConfig{12};
  ASSERT_OK_AND_ASSIGN(auto created, lambda().CreateEventSourceMapping(request));
  uuid = created.uuid;
  for (int i = 0; i < 300; ++i) Send(queue_, "m");
  Drain();
  EXPECT_EQ(recorder_.bodies().size(), 300u);
  EXPECT_EQ(max_slots, 12);
  // The queue is empty again: back to five.
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(impl().TEST_mapping(uuid)->NumPollers(), 5);
}

// On a durable broker the mapping's deletes are committed: after a restart the
// processed messages are gone and only the failed one comes back.
TEST(LambdaDurableMappingTest, DeletesOfProcessedRecordsSurviveARestart) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  auto clock = std::make_shared<ManualClock>();
  auto open = [&] {
    return Broker::Open(
        {.clock = clock, .region = kRegion, .account_id = kAccount, .data_dir = dir.path()});
  };
  std::string url;
  {
    absl::StatusOr<std::unique_ptr<Broker>> broker = open();
    ASSERT_OK(broker);
    auto created = (*broker)->sqs().CreateQueue({.queue_name = "jobs"});
    ASSERT_OK(created);
    url = created->queue_url;
    for (const char* body : {"a", "b", "bad", "c"}) {
      ASSERT_OK((*broker)->sqs().SendMessage({.queue_url = url, .message_body = body}));
    }
    std::vector<std::string> seen;
    ASSERT_OK((*broker)->lambda().CreateFunction(
        {.function_name = "work",
         .handler = [&seen](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
           std::vector<std::string> failed;
           for (const lambda::SqsRecord& r : in.sqs()->records) {
             seen.push_back(r.body);
             if (r.body == "bad") failed.push_back(r.message_id);
           }
           return lambda::BatchItemFailuresResponse(failed);
         }}));
    ASSERT_OK((*broker)->lambda().CreateEventSourceMapping(
        {.event_source_arn = std::string("arn:aws:sqs:") + kRegion + ":" + kAccount + ":jobs",
         .function_name = "work",
         .function_response_types = {"ReportBatchItemFailures"}}));
    ASSERT_OK((*broker)->lambda().RunUntilIdle());
    std::sort(seen.begin(), seen.end());
    EXPECT_THAT(seen, ElementsAre("a", "b", "bad", "c"));
  }
  absl::StatusOr<std::unique_ptr<Broker>> reopened = open();
  ASSERT_OK(reopened);
  clock->Advance(absl::Seconds(31));  // Past the visibility timeout.
  auto got = (*reopened)->sqs().ReceiveMessage({.queue_url = url, .max_number_of_messages = 10});
  ASSERT_OK(got);
  ASSERT_EQ(got->messages.size(), 1u);
  EXPECT_EQ(got->messages[0].body, "bad");
}

}  // namespace
}  // namespace wharf::testing
