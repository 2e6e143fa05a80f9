// A composite alarm's AlarmRule: parsing and evaluation.
//
// Grammar (keywords case-insensitive; NOT binds tighter than AND, AND tighter
// than OR):
//   rule    := or
//   or      := and ("OR" and)*
//   and     := unary ("AND" unary)*
//   unary   := "NOT" unary | primary
//   primary := "TRUE" | "FALSE" | "(" rule ")" | state "(" alarm ")"
//            | "AT_LEAST" "(" threshold "," ["NOT"] state ","
//                         "(" alarm ("," alarm)* ")" ")"
//   state   := "ALARM" | "OK" | "INSUFFICIENT_DATA"
//   threshold := digits (a count, 1 to the number of alarms listed)
//              | digits "%" (a percentage of them, 1 to 100)
//   alarm   := '"' any characters but '"' '"' | a bare word (no blanks,
//              commas, parentheses or quotes)
// An alarm is named by its name or by its ARN in this region and account.
// AT_LEAST(2, ALARM, (a, b, c)) holds while at least two of a, b and c are in
// ALARM; AT_LEAST(60%, NOT OK, (a, b, c)) while at least 60% of them are not
// in OK (the form CloudFormation documents and the CDK writes). An alarm
// listed twice counts twice.
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_SERVICE_CLOUDWATCH_ALARM_RULE_H_
#define WHARF_BROKER_SERVICE_CLOUDWATCH_ALARM_RULE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/metrics/alarm_evaluation.h"

namespace wharf::service_internal {

struct AlarmRuleNode {
  enum class Kind { kTrue, kFalse, kState, kNot, kAnd, kOr, kAtLeast };
  Kind kind = Kind::kFalse;
  metrics_internal::AlarmState state = metrics_internal::AlarmState::kAlarm;  // kState.
  std::string alarm;    // kState: the alarm's name (an ARN resolved).
  std::string written;  // kState: the alarm as the rule writes it.
  // kAtLeast: at least `threshold` operands hold (`percent`: that percentage
  // of them).
  int threshold = 0;
  bool percent = false;
  // kNot: one; kAnd, kOr: two or more; kAtLeast: one or more, each a kState
  // (or a kNot of one, for NOT ALARM and the like).
  std::vector<AlarmRuleNode> operands;
};

// Parses `text`; an alarm written as `arn_prefix` + name
// ("arn:aws:cloudwatch:<region>:<account>:alarm:") stands for that name.
// Errors: ValidationError, with AWS's wording ("Error in AlarmRule
// [Unsupported token 'x' at char 5, must be: ')']").
absl::StatusOr<AlarmRuleNode> ParseAlarmRule(std::string_view text, std::string_view arn_prefix);

// Whether the rule holds, given each named alarm's state.
bool EvaluateAlarmRule(
    const AlarmRuleNode& rule,
    const std::function<metrics_internal::AlarmState(const std::string& name)>& state_of);

// The alarms the rule names, each once, in the order written; `written` gets
// them as written, in the same order.
void AlarmRuleChildren(const AlarmRuleNode& rule, std::vector<std::string>* names,
                       std::vector<std::string>* written);

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_CLOUDWATCH_ALARM_RULE_H_
