#include "wharf/errors.h"

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf {
namespace {

using ::testing::HasSubstr;
using ::wharf::testing::HasError;
using ::wharf::testing::HasErrorCode;

TEST(ErrorsTest, CodeSurvivesTheStatus) {
  absl::Status s = MakeError(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kQueueDoesNotExist);
  EXPECT_THAT(s, HasError(ErrorCode::kQueueDoesNotExist, HasSubstr("does not exist")));
}

TEST(ErrorsTest, ForeignStatusHasNoCode) {
  EXPECT_EQ(GetErrorCode(absl::InternalError("x")), std::nullopt);
  EXPECT_EQ(GetErrorCode(absl::OkStatus()), std::nullopt);
}

TEST(ErrorsTest, TableGivesAwsNames) {
  const ErrorInfo& info = GetErrorInfo(ErrorCode::kQueueDoesNotExist);
  EXPECT_EQ(info.query_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(info.json_type, "QueueDoesNotExist");
  EXPECT_EQ(GetErrorInfo(ErrorCode::kPurgeQueueInProgress).http_status, 403);
  EXPECT_EQ(GetErrorInfo(ErrorCode::kInvalidParameterValue).json_type,
            "InvalidParameterValueException");
  EXPECT_EQ(GetErrorInfo(ErrorCode::kSnsParameterValueInvalid).query_code, "ParameterValueInvalid");
  EXPECT_EQ(GetErrorInfo(ErrorCode::kEventsInternal).fault, Fault::kReceiver);
}

TEST(ErrorsTest, EveryCodeRoundTrips) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternalFailure); ++i) {
    auto code = static_cast<ErrorCode>(i);
    EXPECT_THAT(MakeError(code, "m"), HasErrorCode(code)) << GetErrorInfo(code).name;
  }
}

}  // namespace
}  // namespace wharf
