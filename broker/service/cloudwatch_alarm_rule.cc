#include "broker/service/cloudwatch_alarm_rule.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

using metrics_internal::AlarmState;

// Parentheses and NOTs nested deeper than this are refused (a bound on
// recursion; AWS states none).
constexpr int kMaxDepth = 100;

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

struct Token {
  enum class Kind { kOpen, kClose, kComma, kQuoted, kWord, kEnd };
  Kind kind = Kind::kEnd;
  std::string_view raw;   // As written (quotes included).
  std::string_view text;  // kQuoted: between the quotes; otherwise raw.
  size_t at = 0;          // Offset of its first character.
};

class Parser {
 public:
  Parser(std::string_view text, std::string_view arn_prefix)
      : text_(text), arn_prefix_(arn_prefix) {}

  absl::StatusOr<AlarmRuleNode> Parse() {
    if (absl::Status s = Next(); !s.ok()) return s;
    absl::StatusOr<AlarmRuleNode> rule = Or(0);
    if (!rule.ok()) return rule;
    if (token_.kind != Token::Kind::kEnd) return Unsupported();
    return rule;
  }

 private:
  static absl::Status Error(std::string_view what) {
    return MakeError(ErrorCode::kCloudWatchValidation,
                     absl::StrCat("Error in AlarmRule [", Absl(what), "]"));
  }
  absl::Status Unsupported(std::string_view must_be = "") const {
    if (token_.kind == Token::Kind::kEnd) {
      // Not recorded from AWS: wharf's wording.
      return Error(absl::StrCat("Unexpected end of rule at char ", token_.at,
                                must_be.empty() ? "" : ", must be: '", Absl(must_be),
                                must_be.empty() ? "" : "'"));
    }
    return Error(absl::StrCat("Unsupported token '", Absl(token_.raw), "' at char ", token_.at,
                              must_be.empty() ? "" : ", must be: '", Absl(must_be),
                              must_be.empty() ? "" : "'"));
  }

  absl::Status Next() {
    while (pos_ < text_.size() && absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
    token_ = Token{};
    token_.at = pos_;
    if (pos_ == text_.size()) return absl::OkStatus();
    const char c = text_[pos_];
    if (c == '(' || c == ')' || c == ',') {
      token_.kind = c == '('   ? Token::Kind::kOpen
                    : c == ')' ? Token::Kind::kClose
                               : Token::Kind::kComma;
      token_.raw = token_.text = text_.substr(pos_++, 1);
      return absl::OkStatus();
    }
    if (c == '"') {
      const size_t close = text_.find('"', pos_ + 1);
      if (close == std::string_view::npos) {
        return Error(absl::StrCat("Unterminated quoted alarm name at char ", pos_));
      }
      token_.kind = Token::Kind::kQuoted;
      token_.raw = text_.substr(pos_, close + 1 - pos_);
      token_.text = text_.substr(pos_ + 1, close - pos_ - 1);
      pos_ = close + 1;
      return absl::OkStatus();
    }
    size_t end = pos_;
    while (end < text_.size() && text_[end] != '(' && text_[end] != ')' && text_[end] != ',' &&
           text_[end] != '"' && !absl::ascii_isspace(static_cast<unsigned char>(text_[end]))) {
      ++end;
    }
    token_.kind = Token::Kind::kWord;
    token_.raw = token_.text = text_.substr(pos_, end - pos_);
    pos_ = end;
    return absl::OkStatus();
  }

  bool IsWord(std::string_view keyword) const {
    return token_.kind == Token::Kind::kWord &&
           absl::EqualsIgnoreCase(Absl(token_.text), Absl(keyword));
  }

  // Operands joined by `keyword` (OR or AND), flattened into one node.
  template <typename Operand>
  absl::StatusOr<AlarmRuleNode> Chain(std::string_view keyword, AlarmRuleNode::Kind kind,
                                      Operand operand) {
    absl::StatusOr<AlarmRuleNode> first = operand();
    if (!first.ok() || !IsWord(keyword)) return first;
    AlarmRuleNode node;
    node.kind = kind;
    node.operands.push_back(*std::move(first));
    while (IsWord(keyword)) {
      if (absl::Status s = Next(); !s.ok()) return s;
      absl::StatusOr<AlarmRuleNode> next = operand();
      if (!next.ok()) return next;
      node.operands.push_back(*std::move(next));
    }
    return node;
  }

  absl::StatusOr<AlarmRuleNode> Or(int depth) {
    return Chain("OR", AlarmRuleNode::Kind::kOr, [&] { return And(depth); });
  }
  absl::StatusOr<AlarmRuleNode> And(int depth) {
    return Chain("AND", AlarmRuleNode::Kind::kAnd, [&] { return Unary(depth); });
  }

  absl::StatusOr<AlarmRuleNode> Unary(int depth) {
    if (depth > kMaxDepth) {
      return Error(absl::StrCat("Rule nested deeper than ", kMaxDepth, " at char ", token_.at));
    }
    if (IsWord("NOT")) {
      if (absl::Status s = Next(); !s.ok()) return s;
      absl::StatusOr<AlarmRuleNode> operand = Unary(depth + 1);
      if (!operand.ok()) return operand;
      AlarmRuleNode node;
      node.kind = AlarmRuleNode::Kind::kNot;
      node.operands.push_back(*std::move(operand));
      return node;
    }
    return Primary(depth);
  }

  absl::Status Expect(Token::Kind kind, std::string_view text) {
    if (token_.kind != kind) return Unsupported(text);
    return Next();
  }

  absl::StatusOr<AlarmRuleNode> Primary(int depth) {
    if (token_.kind == Token::Kind::kOpen) {
      if (absl::Status s = Next(); !s.ok()) return s;
      absl::StatusOr<AlarmRuleNode> inner = Or(depth + 1);
      if (!inner.ok()) return inner;
      if (absl::Status s = Expect(Token::Kind::kClose, ")"); !s.ok()) return s;
      return inner;
    }
    if (IsWord("TRUE") || IsWord("FALSE")) {
      AlarmRuleNode node;
      node.kind = IsWord("TRUE") ? AlarmRuleNode::Kind::kTrue : AlarmRuleNode::Kind::kFalse;
      if (absl::Status s = Next(); !s.ok()) return s;
      return node;
    }
    if (IsWord("AT_LEAST")) return AtLeast();
    std::optional<AlarmState> state = State();
    if (!state.has_value()) return Unsupported();
    if (absl::Status s = Next(); !s.ok()) return s;
    if (absl::Status s = Expect(Token::Kind::kOpen, "("); !s.ok()) return s;
    absl::StatusOr<AlarmRuleNode> alarm = Alarm(*state);
    if (!alarm.ok()) return alarm;
    if (absl::Status s = Expect(Token::Kind::kClose, ")"); !s.ok()) return s;
    return alarm;
  }

  // The state keyword at hand, if it is one.
  std::optional<AlarmState> State() const {
    if (IsWord("ALARM")) return AlarmState::kAlarm;
    if (IsWord("OK")) return AlarmState::kOk;
    if (IsWord("INSUFFICIENT_DATA")) return AlarmState::kInsufficientData;
    return std::nullopt;
  }

  // The alarm at hand, as a kState node for `state`; moves past it.
  absl::StatusOr<AlarmRuleNode> Alarm(AlarmState state) {
    if (token_.kind != Token::Kind::kQuoted && token_.kind != Token::Kind::kWord) {
      return Unsupported();
    }
    AlarmRuleNode node;
    node.kind = AlarmRuleNode::Kind::kState;
    node.state = state;
    node.written = std::string(token_.text);
    node.alarm = absl::StartsWith(Absl(token_.text), Absl(arn_prefix_)) &&
                         token_.text.size() > arn_prefix_.size()
                     ? std::string(token_.text.substr(arn_prefix_.size()))
                     : node.written;
    if (absl::Status s = Next(); !s.ok()) return s;
    return node;
  }

  // AT_LEAST(threshold, [NOT] state, (alarm, ...)), at its keyword.
  absl::StatusOr<AlarmRuleNode> AtLeast() {
    AlarmRuleNode node;
    node.kind = AlarmRuleNode::Kind::kAtLeast;
    if (absl::Status s = Next(); !s.ok()) return s;
    if (absl::Status s = Expect(Token::Kind::kOpen, "("); !s.ok()) return s;
    // A count or a percentage: digits, then '%' for a percentage.
    std::string_view digits = token_.kind == Token::Kind::kWord ? token_.text : "";
    node.percent = absl::EndsWith(Absl(digits), "%");
    if (node.percent) digits.remove_suffix(1);
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit)) {
      return Unsupported();
    }
    const size_t threshold_at = token_.at;
    for (char d : digits) node.threshold = node.threshold * 10 + (d - '0');
    if (absl::Status s = Next(); !s.ok()) return s;
    if (absl::Status s = Expect(Token::Kind::kComma, ","); !s.ok()) return s;
    const bool negated = IsWord("NOT");
    if (negated) {
      if (absl::Status s = Next(); !s.ok()) return s;
    }
    std::optional<AlarmState> state = State();
    if (!state.has_value()) return Unsupported();
    if (absl::Status s = Next(); !s.ok()) return s;
    if (absl::Status s = Expect(Token::Kind::kComma, ","); !s.ok()) return s;
    if (absl::Status s = Expect(Token::Kind::kOpen, "("); !s.ok()) return s;
    while (true) {
      absl::StatusOr<AlarmRuleNode> alarm = Alarm(*state);
      if (!alarm.ok()) return alarm;
      if (negated) {
        AlarmRuleNode n;
        n.kind = AlarmRuleNode::Kind::kNot;
        n.operands.push_back(*std::move(alarm));
        node.operands.push_back(std::move(n));
      } else {
        node.operands.push_back(*std::move(alarm));
      }
      if (token_.kind != Token::Kind::kComma) break;
      if (absl::Status s = Next(); !s.ok()) return s;
    }
    if (absl::Status s = Expect(Token::Kind::kClose, ")"); !s.ok()) return s;
    if (absl::Status s = Expect(Token::Kind::kClose, ")"); !s.ok()) return s;
    // The bounds are the CDK's (AtLeastThreshold); the words are wharf's.
    const int max = node.percent ? 100 : static_cast<int>(node.operands.size());
    if (node.threshold < 1 || node.threshold > max) {
      return Error(node.percent
                       ? absl::StrCat("AT_LEAST percentage ", node.threshold, "% at char ",
                                      threshold_at, " must be between 1% and 100%")
                       : absl::StrCat("AT_LEAST count ", node.threshold, " at char ", threshold_at,
                                      " must be between 1 and the number of alarms listed (", max,
                                      ")"));
    }
    return node;
  }

  std::string_view text_;
  std::string_view arn_prefix_;
  size_t pos_ = 0;
  Token token_;
};

}  // namespace

absl::StatusOr<AlarmRuleNode> ParseAlarmRule(std::string_view text, std::string_view arn_prefix) {
  return Parser(text, arn_prefix).Parse();
}

bool EvaluateAlarmRule(const AlarmRuleNode& rule,
                       const std::function<AlarmState(const std::string& name)>& state_of) {
  switch (rule.kind) {
    case AlarmRuleNode::Kind::kTrue:
      return true;
    case AlarmRuleNode::Kind::kFalse:
      return false;
    case AlarmRuleNode::Kind::kState:
      return state_of(rule.alarm) == rule.state;
    case AlarmRuleNode::Kind::kNot:
      return !EvaluateAlarmRule(rule.operands[0], state_of);
    case AlarmRuleNode::Kind::kAnd:
      return std::all_of(rule.operands.begin(), rule.operands.end(),
                         [&](const AlarmRuleNode& n) { return EvaluateAlarmRule(n, state_of); });
    case AlarmRuleNode::Kind::kOr:
      return std::any_of(rule.operands.begin(), rule.operands.end(),
                         [&](const AlarmRuleNode& n) { return EvaluateAlarmRule(n, state_of); });
    case AlarmRuleNode::Kind::kAtLeast: {
      const int64_t holding =
          std::count_if(rule.operands.begin(), rule.operands.end(),
                        [&](const AlarmRuleNode& n) { return EvaluateAlarmRule(n, state_of); });
      const int64_t all = static_cast<int64_t>(rule.operands.size());
      return rule.percent ? holding * 100 >= rule.threshold * all : holding >= rule.threshold;
    }
  }
  return false;
}

void AlarmRuleChildren(const AlarmRuleNode& rule, std::vector<std::string>* names,
                       std::vector<std::string>* written) {
  if (rule.kind == AlarmRuleNode::Kind::kState) {
    if (std::find(names->begin(), names->end(), rule.alarm) == names->end()) {
      names->push_back(rule.alarm);
      written->push_back(rule.written);
    }
    return;
  }
  for (const AlarmRuleNode& n : rule.operands) AlarmRuleChildren(n, names, written);
}

}  // namespace wharf::service_internal
