// Test matchers for absl::Status / StatusOr, modelled on absl's newer
// status_matchers.h (not in Debian's Abseil), plus HasErrorCode for AWS codes.
//
//   EXPECT_THAT(sqs.DeleteQueue(req), IsOk());
//   EXPECT_THAT(sqs.GetQueueUrl(req), HasErrorCode(ErrorCode::kQueueDoesNotExist));
//   ASSERT_OK_AND_ASSIGN(auto result, sqs.SendMessage(req));

#ifndef WHARF_TESTS_TESTING_STATUS_MATCHERS_H_
#define WHARF_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "wharf/errors.h"

namespace wharf::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P(HasErrorCode, code,
          std::string("has AWS error code ") + std::string(GetErrorInfo(code).name)) {
  const absl::Status& s = GetStatus(arg);
  std::optional<ErrorCode> got = GetErrorCode(s);
  if (!got) {
    *result_listener << "status " << s << " carries no AWS error code";
    return false;
  }
  if (*got != code) *result_listener << "status is " << GetErrorInfo(*got).name << ": " << s;
  return *got == code;
}

MATCHER_P2(HasError, code, message_matcher,
           std::string("has AWS error code ") + std::string(GetErrorInfo(code).name)) {
  const absl::Status& s = GetStatus(arg);
  std::optional<ErrorCode> got = GetErrorCode(s);
  if (!got || *got != code) {
    *result_listener << "status is " << s;
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, std::string(s.message()), result_listener);
}

MATCHER_P(IsOkAndHolds, inner, "is OK and holds a value that matches") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(inner, *arg, result_listener);
}

}  // namespace wharf::testing

#define WHARF_TESTING_CONCAT_INNER_(a, b) a##b
#define WHARF_TESTING_CONCAT_(a, b) WHARF_TESTING_CONCAT_INNER_(a, b)

// ASSERT_OK_AND_ASSIGN(auto x, expr): asserts expr (a StatusOr) is OK and binds its value.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(WHARF_TESTING_CONCAT_(statusor_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();      \
  lhs = std::move(statusor).value()

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::wharf::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::wharf::testing::IsOk())

#endif  // WHARF_TESTS_TESTING_STATUS_MATCHERS_H_
