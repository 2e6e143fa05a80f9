#include "broker/pattern/pattern_parser.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/base/json.h"
#include "broker/base/status_macros.h"
#include "broker/pattern/jackson_errors.h"
#include "simdjson.h"
#include "wharf/errors.h"

namespace wharf::pattern_internal {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Length-prefixed so that keys are injective whatever bytes the text holds.
void AppendKeyPart(std::string* key, std::string_view part) {
  absl::StrAppend(key, part.size(), ":", absl::string_view(part.data(), part.size()));
}

std::string NumberKeyText(const NumberKey& k) {
  return absl::StrCat(k.scaled ? "s" : "b", k.value);
}

bool IsNumber(element e) {
  element_type t = e.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

double AsDouble(element e) {
  switch (e.type()) {
    case element_type::INT64:
      return static_cast<double>(int64_t(e));
    case element_type::UINT64:
      return static_cast<double>(uint64_t(e));
    default:
      return double(e);
  }
}

std::string_view AsString(element e) { return std::string_view(e); }

void SetCidrKey(Condition* c) {
  c->key = absl::StrCat(c->cidr.event_ruler ? "C" : "c", c->cidr.base.v6 ? "6" : "4", ":",
                        c->cidr.bits, ":");
  c->key.append(reinterpret_cast<const char*>(c->cidr.base.bytes.data()), 16);
}

// absl (20220623) takes absl::string_view, which is not std::string_view.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Sets an ignore-case condition's lookup key (text) and, for a pattern that
// is not all ASCII, its spellings. Returns the part of the condition's
// canonical key that identifies what it accepts.
std::string SetIgnoreCase(std::string_view pattern, Condition* c) {
  IgnoreCaseString spelled(pattern);
  c->text = spelled.key();
  std::string signature = spelled.signature();
  if (!spelled.ascii()) {
    c->ignore_case = std::make_shared<const std::vector<IgnoreCaseString>>(1, std::move(spelled));
  }
  return signature;
}

constexpr std::string_view kAnythingButBadValue =
    "Value of anything-but must be an array or single string/number value.";

constexpr std::string_view kAnythingButMixedList =
    "Inside anything but list, either all values are number or string, mixed type is not "
    "supported";

// Fields are matched in order of this rank, then path: fields with only
// exact values first, because they narrow the candidate patterns most
// ("source", "detail-type"), so the automaton visits few states after them;
// then other single-value operators; then exists and ranges; anything-but
// last: it passes most values, so rules that differ only in their
// anything-but lists share every state before it and meet in one field
// matcher (indexed by excluded value), instead of each walking the fields
// after it. Any fixed order is correct: the automaton finds each field's
// leaves by path, not by position.
int SelectivityRank(const FieldConstraint& f) {
  int rank = 0;
  for (const Condition& c : f.any_of) {
    switch (c.kind) {
      case Condition::Kind::kString:
      case Condition::Kind::kNumber:
      case Condition::Kind::kTrue:
      case Condition::Kind::kFalse:
      case Condition::Kind::kNull:
        break;
      case Condition::Kind::kPrefix:
      case Condition::Kind::kPrefixIgnoreCase:
      case Condition::Kind::kSuffix:
      case Condition::Kind::kSuffixIgnoreCase:
      case Condition::Kind::kEqualsIgnoreCase:
      case Condition::Kind::kCidr:
      case Condition::Kind::kWildcard:
        rank = std::max(rank, 1);
        break;
      case Condition::Kind::kAnythingBut:
        rank = 3;
        break;
      default:
        rank = std::max(rank, 2);
        break;
    }
  }
  return rank;
}

// A field before DNF expansion; kAbsent conditions still present.
struct RawField {
  std::string path;
  int depth;  // Nesting depth of the leaf (1 = top level).
  std::vector<Condition> any_of;
  int order = 0;  // Position in the pattern text (for repeated paths).
};

// One pattern object: AND of its fields and of its "$or" groups.
struct Node {
  std::vector<RawField> fields;
  std::vector<std::vector<Node>> ors;
};

// aws/event-ruler's field names that may not appear inside "$or"
// (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP).
bool IsReservedInOr(std::string_view key) {
  static constexpr std::string_view kReserved[] = {"exactly",
                                                   "equals-ignore-case",
                                                   "prefix",
                                                   "suffix",
                                                   "anything-but",
                                                   "exists",
                                                   "wildcard",
                                                   "numeric",
                                                   "cidr",
                                                   "=",
                                                   "<",
                                                   "<=",
                                                   ">",
                                                   ">=",
                                                   "regex",
                                                   "not-wildcard",
                                                   "not-equals-ignore-case",
                                                   "date-after",
                                                   "date-on-or-after",
                                                   "date-before",
                                                   "date-on-or-before",
                                                   "in-date-range",
                                                   "cidr-not",
                                                   "ip-address",
                                                   "not-ip-address"};
  return std::find(std::begin(kReserved), std::end(kReserved), key) != std::end(kReserved);
}

class Parser {
 public:
  // `or_is_field`: read "$or" as an ordinary field name (see ParsePattern).
  Parser(PatternDialect dialect, bool or_is_field)
      : dialect_(dialect),
        sns_(dialect != PatternDialect::kEventBridge),
        or_is_field_(or_is_field) {}

  // Whether the last Parse failed after meeting a "$or" key, with an error
  // event-ruler reports as a parse error (so its Machine retries the
  // pattern without "$or"); cidr errors and "too complex" are final.
  bool failed_in_or() const { return saw_or_ && !final_error_; }

  absl::StatusOr<ParsedPattern> Parse(std::string_view json) {
    simdjson::dom::parser parser;
    element root;
    simdjson::error_code err = base_internal::ParseJson(parser, json, &root);
    if (err != simdjson::SUCCESS) {
      if (sns_)
        return Fail(absl::StrCat("failed to parse JSON. ", AV(simdjson::error_message(err))));
      // event-ruler's parser is Jackson: its text where it is reproduced.
      const std::string jackson = JacksonSyntaxError(json);
      return Fail(jackson.empty() ? std::string_view(simdjson::error_message(err))
                                  : std::string_view(jackson));
    }
    if (root.type() != element_type::OBJECT) return Fail("Filter is not an object");
    Node node;
    WHARF_RETURN_IF_ERROR(ParseObject(object(root), "", 1, /*in_or=*/false, &node));
    // SNS checks the whole policy before it rejects nesting in the
    // MessageAttributes scope: {"key":{"suffix":"value"}} is '"suffix" must be
    // an object or an array' (LocalStack test_validate_policy_string_operators,
    // AWS-validated).
    if (nested_ && dialect_ == PatternDialect::kSnsMessageAttributes) {
      return MakeError(ErrorCode::kSnsInvalidParameter,
                       "Filter policy scope MessageAttributes does not support nested filter "
                       "policy");
    }
    if (sns_) {
      absl::flat_hash_set<std::string> keys;
      CollectTopKeys(node, &keys);
      if (keys.size() > static_cast<size_t>(kSnsMaxKeys)) {
        return Fail("Filter policy can not have more than 5 keys");
      }
      if (Complexity(node) > kSnsMaxCombinations) return Fail("Filter policy is too complex");
    }
    std::vector<std::vector<RawField>> dnf;
    WHARF_RETURN_IF_ERROR(Expand(std::move(node), &dnf));
    return Normalize(std::move(dnf));
  }

 private:
  absl::Status Fail(std::string_view reason) {
    if (reason == kTooComplexReason) final_error_ = true;
    if (sns_) {
      return MakeError(ErrorCode::kSnsInvalidParameter, absl::StrCat("FilterPolicy: ", AV(reason)));
    }
    return MakeError(ErrorCode::kInvalidEventPattern,
                     absl::StrCat("Event pattern is not valid. Reason: ", AV(reason)));
  }

  absl::Status ParseObject(object obj, const std::string& prefix, int depth, bool in_or,
                           Node* out) {
    // aws/event-ruler (JsonRuleCompiler.parseObject) rejects an empty object
    // at any level, the pattern itself included. SNS takes "{}" (no filter).
    if (!sns_ && obj.begin() == obj.end()) return Fail("Empty objects are not allowed");
    for (auto [raw_key, value] : obj) {
      std::string_view key = raw_key;
      if (key == "$or" && !or_is_field_) {
        saw_or_ = true;
        WHARF_RETURN_IF_ERROR(ParseOr(value, prefix, depth, out));
        continue;
      }
      // aws/event-ruler JsonRuleCompiler.parseObjectInsideOrRelationship.
      if (in_or && !sns_ && IsReservedInOr(key)) {
        return Fail(
            absl::StrCat(AV(key), " is Ruler reserved fieldName which cannot be used inside $or."));
      }
      std::string path = prefix.empty() ? std::string(key) : absl::StrCat(prefix, ".", AV(key));
      switch (value.type()) {
        case element_type::ARRAY: {
          RawField field{path, depth, {}, next_order_++};
          WHARF_RETURN_IF_ERROR(ParseLeafArray(array(value), &field.any_of));
          out->fields.push_back(std::move(field));
          break;
        }
        case element_type::OBJECT:
          nested_ = true;
          WHARF_RETURN_IF_ERROR(ParseObject(object(value), path, depth + 1, in_or, out));
          break;
        default:
          return Fail(absl::StrCat("\"", AV(key), "\" must be an object or an array"));
      }
    }
    return absl::OkStatus();
  }

  // EventBridge reasons are aws/event-ruler's (JsonRuleCompiler
  // .parseIntoOrRelationship); they only show through ValidatePattern's
  // retry when that fails too (see ParsePattern).
  absl::Status ParseOr(element value, const std::string& prefix, int depth, Node* out) {
    if (value.type() != element_type::ARRAY) {
      if (!sns_) return Fail("It must be an Array followed with $or.");
      return Fail("Value of $or must be an array of objects");
    }
    std::vector<Node> group;
    for (element branch : array(value)) {
      if (branch.type() != element_type::OBJECT) {
        if (!sns_) return Fail("Only JSON object is allowed in array of $or relationship.");
        return Fail("Value of $or must be an array of objects");
      }
      Node node;
      WHARF_RETURN_IF_ERROR(ParseObject(object(branch), prefix, depth, /*in_or=*/true, &node));
      group.push_back(std::move(node));
    }
    if (!sns_ && group.size() < 2)
      return Fail("There must have at least 2 Objects in $or relationship.");
    if (group.empty()) return Fail("Empty arrays are not allowed");
    out->ors.push_back(std::move(group));
    return absl::OkStatus();
  }

  absl::Status ParseLeafArray(array arr, std::vector<Condition>* out) {
    for (element e : arr) {
      Condition c;
      WHARF_RETURN_IF_ERROR(ParseCondition(e, &c));
      out->push_back(std::move(c));
    }
    if (out->empty()) return Fail("Empty arrays are not allowed");
    return absl::OkStatus();
  }

  absl::Status ParseCondition(element e, Condition* c) {
    switch (e.type()) {
      case element_type::STRING:
        // aws/event-ruler (JsonRuleCompiler: CIDR.ipToRangeIfPossible) keeps
        // a string that reads as an IP address as that one address, so
        // "10.0.0.1" also matches "10.0.0.01" and "::ffff:a00:1".
        if (!sns_ && ParseEventRulerIp(AsString(e), &c->cidr.base) == EventRulerIp::kAddress) {
          c->kind = Condition::Kind::kCidr;
          c->cidr.bits = c->cidr.base.v6 ? 128 : 32;
          c->cidr.event_ruler = true;
          SetCidrKey(c);
          return absl::OkStatus();
        }
        c->kind = Condition::Kind::kString;
        c->text = std::string(AsString(e));
        c->key = "s";
        AppendKeyPart(&c->key, c->text);
        return absl::OkStatus();
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        c->kind = Condition::Kind::kNumber;
        c->number = MakeNumberKey(AsDouble(e));
        c->key = "n" + NumberKeyText(c->number);
        return absl::OkStatus();
      case element_type::BOOL:
        c->kind = bool(e) ? Condition::Kind::kTrue : Condition::Kind::kFalse;
        c->key = bool(e) ? "t" : "f";
        return absl::OkStatus();
      case element_type::NULL_VALUE:
        c->kind = Condition::Kind::kNull;
        c->key = "z";
        return absl::OkStatus();
      case element_type::ARRAY:
        return Fail("Match value must be String, number, true, false, or null");
      case element_type::OBJECT:
        break;
    }
    object obj(e);
    // aws/event-ruler (JsonRuleCompiler.processMatchExpression).
    if (!sns_ && obj.size() == 0) return Fail("Match expression name not found");
    if (obj.size() == 0) return Fail("Empty objects are not allowed");
    if (sns_ && obj.size() > 1) return Fail("Only one key allowed in match expression");
    auto [raw_op, value] = *obj.begin();
    WHARF_RETURN_IF_ERROR(ParseOperator(raw_op, value, c));
    if (obj.size() > 1) {
      // aws/event-ruler (processMatchExpression) reads the first operator
      // and its value, then finds the extra key; numeric and a non-object
      // anything-but call that too many elements.
      std::string_view op = raw_op;
      if (op == "numeric" || (op == "anything-but" && value.type() != element_type::OBJECT)) {
        return Fail("Too many elements in numeric expression");
      }
      return Fail("Only one key allowed in match expression");
    }
    return absl::OkStatus();
  }

  absl::Status ParseOperator(std::string_view op, element value, Condition* c) {
    if (op == "prefix" || op == "suffix") return ParseAffix(op, value, c);
    if (op == "equals-ignore-case") {
      if (value.type() != element_type::STRING) {
        return Fail("equals-ignore-case match pattern must be a string");
      }
      c->kind = Condition::Kind::kEqualsIgnoreCase;
      c->key = "i";
      AppendKeyPart(&c->key, SetIgnoreCase(AsString(value), c));
      return absl::OkStatus();
    }
    if (op == "wildcard" && !sns_) {
      if (value.type() != element_type::STRING)
        return Fail("wildcard match pattern must be a string");
      std::string error;
      if (!ParseWildcard(AsString(value), &c->wildcard, &error)) return Fail(error);
      c->kind = Condition::Kind::kWildcard;
      c->key = "w";
      AppendKeyPart(&c->key, c->wildcard.source);
      return absl::OkStatus();
    }
    if (op == "exists") {
      if (value.type() != element_type::BOOL) {
        return Fail("exists match pattern must be either true or false.");
      }
      c->kind = bool(value) ? Condition::Kind::kExists : Condition::Kind::kAbsent;
      c->key = bool(value) ? "e" : "E";
      return absl::OkStatus();
    }
    if (op == "cidr") {
      // Both services name the prefix operator here (LocalStack
      // test_validate_policy_string_operators and event_pattern_templates/
      // content_ip_address_type_EXC, AWS-validated).
      if (value.type() != element_type::STRING) {
        return Fail("prefix match pattern must be a string");
      }
      std::string error;
      const bool parsed = sns_ ? ParseCidr(AsString(value), &c->cidr, &error)
                               : ParseEventRulerCidr(AsString(value), &c->cidr, &error);
      if (!parsed) {
        final_error_ = true;  // event-ruler: an IllegalArgumentException, not a parse error.
        return Fail(error);
      }
      c->kind = Condition::Kind::kCidr;
      SetCidrKey(c);
      return absl::OkStatus();
    }
    if (op == "numeric") return ParseNumeric(value, c);
    if (op == "anything-but") return ParseAnythingBut(value, c);
    return Fail(absl::StrCat("Unrecognized match type ", AV(op)));
  }

  absl::Status ParseAffix(std::string_view op, element value, Condition* c) {
    const bool prefix = op == "prefix";
    const std::string must_be_string = absl::StrCat(AV(op), " match pattern must be a string");
    std::string accepts;  // Canonical description of the accepted strings.
    if (value.type() == element_type::STRING) {
      c->kind = prefix ? Condition::Kind::kPrefix : Condition::Kind::kSuffix;
      c->text = std::string(AsString(value));
      accepts = c->text;
    } else if (value.type() == element_type::OBJECT && !sns_) {
      object inner(value);
      if (inner.size() != 1) return Fail(must_be_string);
      auto [inner_op, inner_value] = *inner.begin();
      if (std::string_view(inner_op) != "equals-ignore-case" ||
          inner_value.type() != element_type::STRING) {
        return Fail(must_be_string);
      }
      c->kind = prefix ? Condition::Kind::kPrefixIgnoreCase : Condition::Kind::kSuffixIgnoreCase;
      accepts = SetIgnoreCase(AsString(inner_value), c);
    } else {
      return Fail(must_be_string);
    }
    c->key = absl::StrCat("a", static_cast<int>(c->kind), ":");
    AppendKeyPart(&c->key, accepts);
    return absl::OkStatus();
  }

  absl::Status ParseNumeric(element value, Condition* c) {
    if (value.type() != element_type::ARRAY) return Fail("Value of numeric must be an array.");
    std::vector<element> items;
    for (element e : array(value)) items.push_back(e);
    if (items.empty()) return Fail("Invalid member in numeric match: ]");
    const double limit = sns_ ? kSnsMaxNumber : kMaxNumber;
    NumericRange r;
    size_t i = 0;
    // Reads "<op>, <number>" at items[i]; leaves op and the scaled value.
    auto read_term = [&](std::string* op, int64_t* scaled) -> absl::Status {
      if (items[i].type() != element_type::STRING) {
        return Fail(absl::StrCat("Invalid member in numeric match: ", simdjson::minify(items[i])));
      }
      *op = std::string(AsString(items[i]));
      if (*op != "=" && *op != "<" && *op != "<=" && *op != ">" && *op != ">=") {
        return Fail(absl::StrCat("Unrecognized numeric range operator: ", *op));
      }
      if (i + 1 >= items.size() || !IsNumber(items[i + 1])) {
        // "=" spelt out, in SNS (LocalStack test_validate_policy_numeric_operator)
        // as in event-ruler.
        return Fail(absl::StrCat("Value of ", *op == "=" ? "equals" : *op, " must be numeric"));
      }
      double v = AsDouble(items[i + 1]);
      if (!(v >= -limit && v <= limit)) {
        return Fail(absl::StrCat("Bad value in numeric range: ", NumberToString(v)));
      }
      *scaled = *ScaledNumber(v);
      i += 2;
      return absl::OkStatus();
    };
    std::string op;
    int64_t v = 0;
    WHARF_RETURN_IF_ERROR(read_term(&op, &v));
    if (op == "=") {
      if (i < items.size()) return Fail("Too many elements in numeric expression");
      r.has_lower = r.has_upper = r.lower_inclusive = r.upper_inclusive = true;
      r.lower = r.upper = v;
    } else if (op == ">" || op == ">=") {
      r.has_lower = true;
      r.lower_inclusive = op == ">=";
      r.lower = v;
      if (i < items.size()) {
        // SNS checks the upper bound's operator before its value (LocalStack
        // test_validate_policy_numeric_operator, AWS-validated).
        if (sns_ && items[i].type() != element_type::STRING) {
          return Fail(absl::StrCat("Bad value in numeric range: ", simdjson::minify(items[i])));
        }
        if (sns_ && AsString(items[i]) != "<" && AsString(items[i]) != "<=") {
          return Fail(absl::StrCat("Bad numeric range operator: ", AV(AsString(items[i]))));
        }
        WHARF_RETURN_IF_ERROR(read_term(&op, &v));
        if (op != "<" && op != "<=") return Fail(absl::StrCat("Bad numeric range operator: ", op));
        r.has_upper = true;
        r.upper_inclusive = op == "<=";
        r.upper = v;
        if (r.lower >= r.upper) return Fail("Bottom must be less than top");
        if (i < items.size()) return Fail("Too many terms in numeric range expression");
      }
    } else {
      r.has_upper = true;
      r.upper_inclusive = op == "<=";
      r.upper = v;
      if (i < items.size()) {
        // An upper bound comes last; SNS says so whatever follows
        // (LocalStack test_validate_policy_numeric_operator, AWS-validated).
        if (!sns_ && items[i].type() == element_type::STRING) {
          return Fail(absl::StrCat("Bad numeric range operator: ", AV(AsString(items[i]))));
        }
        return Fail("Too many elements in numeric expression");
      }
    }
    c->kind = Condition::Kind::kNumeric;
    c->range = r;
    c->key = absl::StrCat("r", r.has_lower, r.lower_inclusive, r.lower, ":", r.has_upper,
                          r.upper_inclusive, r.upper);
    return absl::OkStatus();
  }

  absl::Status ParseAnythingBut(element value, Condition* c) {
    AnythingBut& ab = c->anything_but;
    c->kind = Condition::Kind::kAnythingBut;
    switch (value.type()) {
      case element_type::STRING:
        ab.strings.emplace_back(AsString(value));
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        ab.numbers.push_back(MakeNumberKey(AsDouble(value)));
        break;
      case element_type::ARRAY:
        for (element e : array(value)) {
          if (e.type() == element_type::STRING) {
            ab.strings.emplace_back(AsString(e));
          } else if (IsNumber(e)) {
            ab.numbers.push_back(MakeNumberKey(AsDouble(e)));
          } else {
            return Fail("Inside anything but list, start|null|boolean is not supported.");
          }
        }
        // aws/event-ruler (JsonRuleCompiler.processAnythingButListMatchExpression)
        // takes a list of strings or of numbers, not both, and says so for
        // an empty list too.
        if (!sns_ && ab.strings.empty() == ab.numbers.empty()) return Fail(kAnythingButMixedList);
        if (ab.strings.empty() && ab.numbers.empty()) return Fail("Empty arrays are not allowed");
        break;
      case element_type::OBJECT: {
        object obj(value);
        if (!sns_ && obj.size() == 0) return Fail("Anything-But expression name not found");
        if (obj.size() == 0) return Fail("Empty objects are not allowed");
        if (obj.size() > 1) return Fail("Only one key allowed in match expression");
        auto [raw_op, inner] = *obj.begin();
        std::string_view op = raw_op;
        const bool affix = op == "prefix" || op == "suffix";
        const bool supported = affix || op == "equals-ignore-case" || op == "wildcard";
        const bool in_sns = op == "prefix" || op == "equals-ignore-case";
        if (!supported || (sns_ && !in_sns)) {
          return Fail(absl::StrCat("Unsupported anything-but pattern: ", AV(op)));
        }
        std::vector<std::string_view> values;
        WHARF_RETURN_IF_ERROR(AnythingButStrings(op, inner, &values));
        if (affix) {
          ab.kind = op == "prefix" ? AnythingBut::Kind::kPrefix : AnythingBut::Kind::kSuffix;
          ab.strings.assign(values.begin(), values.end());
        } else if (op == "equals-ignore-case") {
          ab.kind = AnythingBut::Kind::kEqualsIgnoreCase;
          std::vector<IgnoreCaseString> others;
          for (std::string_view v : values) {
            IgnoreCaseString spelled(v);
            if (spelled.ascii()) {
              ab.strings.push_back(spelled.key());
            } else {
              others.push_back(std::move(spelled));
            }
          }
          if (!others.empty()) {
            std::sort(others.begin(), others.end(),
                      [](const IgnoreCaseString& a, const IgnoreCaseString& b) {
                        return a.signature() < b.signature();
                      });
            others.erase(std::unique(others.begin(), others.end(),
                                     [](const IgnoreCaseString& a, const IgnoreCaseString& b) {
                                       return a.signature() == b.signature();
                                     }),
                         others.end());
            c->ignore_case =
                std::make_shared<const std::vector<IgnoreCaseString>>(std::move(others));
          }
        } else {
          ab.kind = AnythingBut::Kind::kWildcard;
          for (std::string_view v : values) {
            Wildcard w;
            std::string error;
            if (!ParseWildcard(v, &w, &error)) return Fail(error);
            ab.strings.push_back(w.source);
            ab.wildcards.push_back(std::move(w));
          }
        }
        break;
      }
      default:
        return Fail(kAnythingButBadValue);
    }
    std::sort(ab.strings.begin(), ab.strings.end());
    ab.strings.erase(std::unique(ab.strings.begin(), ab.strings.end()), ab.strings.end());
    std::sort(ab.numbers.begin(), ab.numbers.end(), [](const NumberKey& a, const NumberKey& b) {
      return std::pair(a.scaled, a.value) < std::pair(b.scaled, b.value);
    });
    ab.numbers.erase(std::unique(ab.numbers.begin(), ab.numbers.end()), ab.numbers.end());
    if (ab.kind == AnythingBut::Kind::kWildcard) {
      std::sort(ab.wildcards.begin(), ab.wildcards.end(),
                [](const Wildcard& a, const Wildcard& b) { return a.source < b.source; });
      ab.wildcards.erase(
          std::unique(ab.wildcards.begin(), ab.wildcards.end(),
                      [](const Wildcard& a, const Wildcard& b) { return a.source == b.source; }),
          ab.wildcards.end());
    }
    const size_t others = c->ignore_case ? c->ignore_case->size() : 0;
    c->key = absl::StrCat("x", static_cast<int>(ab.kind), ":", ab.strings.size(), ":", others, ":");
    for (const std::string& s : ab.strings) AppendKeyPart(&c->key, s);
    if (others > 0) {
      for (const IgnoreCaseString& s : *c->ignore_case) AppendKeyPart(&c->key, s.signature());
    }
    for (const NumberKey& n : ab.numbers) absl::StrAppend(&c->key, NumberKeyText(n), ",");
    return absl::OkStatus();
  }

  // The strings of anything-but's {"<op>": inner} form: a string or a
  // non-empty array of strings, none empty for prefix and suffix. Reasons as
  // aws/event-ruler's JsonRuleCompiler gives them, in its order (which has
  // taken prefix and suffix lists since 2024). SNS takes one prefix string
  // only, and says so with its own reason (spec/sns.md §5.3).
  absl::Status AnythingButStrings(std::string_view op, element inner,
                                  std::vector<std::string_view>* out) {
    const bool affix = op == "prefix" || op == "suffix";
    if (sns_ && affix && inner.type() != element_type::STRING) {
      if (inner.type() == element_type::OBJECT) return Fail(kAnythingButBadValue);
      return Fail(absl::StrCat(AV(op), " match pattern must be a string"));
    }
    const std::string_view not_string = affix ? "prefix/suffix match pattern must be a string"
                                        : op == "wildcard"
                                            ? "wildcard match pattern must be a string"
                                            : "Inside anything-but/equals-ignore-case list, "
                                              "number|start|null|boolean is not supported.";
    auto add = [&](element e) -> absl::Status {
      if (e.type() != element_type::STRING) return Fail(not_string);
      if (affix && AsString(e).empty()) return Fail("Null prefix/suffix not allowed");
      out->push_back(AsString(e));
      return absl::OkStatus();
    };
    switch (inner.type()) {
      case element_type::STRING:
        return add(inner);
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        return Fail(not_string);
      case element_type::ARRAY:
        for (element e : array(inner)) WHARF_RETURN_IF_ERROR(add(e));
        if (out->empty()) return Fail("Empty arrays are not allowed");
        return absl::OkStatus();
      default:
        return Fail(kAnythingButBadValue);
    }
  }

  // SNS: keys are counted at the top level (for MessageBody, nested keys do
  // not count; spec/sns.md §5.4), through "$or" branches.
  static void CollectTopKeys(const Node& node, absl::flat_hash_set<std::string>* keys) {
    for (const RawField& f : node.fields) keys->insert(f.path.substr(0, f.path.find('.')));
    for (const auto& group : node.ors) {
      for (const Node& branch : group) CollectTopKeys(branch, keys);
    }
  }

  // SNS combinations: product of each leaf's value count (times its depth for
  // MessageBody), "$or" branches summed. Saturates instead of overflowing.
  int64_t Complexity(const Node& node) const {
    constexpr int64_t kCap = int64_t{1} << 40;
    int64_t total = 1;
    auto mul = [&](int64_t v) { total = std::min(kCap, total * std::max<int64_t>(v, 1)); };
    for (const RawField& f : node.fields) {
      mul(static_cast<int64_t>(f.any_of.size()));
      if (dialect_ == PatternDialect::kSnsMessageBody) mul(f.depth);
    }
    for (const auto& group : node.ors) {
      int64_t sum = 0;
      for (const Node& branch : group) sum = std::min(kCap, sum + Complexity(branch));
      mul(sum);
    }
    return total;
  }

  // Consumes `node` (its conditions are moved, not copied, where they can be).
  absl::Status Expand(Node&& node, std::vector<std::vector<RawField>>* out) {
    std::vector<std::vector<RawField>> acc;
    acc.push_back(std::move(node.fields));
    for (auto& group : node.ors) {
      std::vector<std::vector<RawField>> options;
      for (Node& branch : group) {
        WHARF_RETURN_IF_ERROR(Expand(std::move(branch), &options));
      }
      std::vector<std::vector<RawField>> next;
      for (const auto& left : acc) {
        for (const auto& right : options) {
          if (next.size() >= kMaxAlternatives) return Fail(kTooComplexReason);
          next.push_back(left);
          next.back().insert(next.back().end(), right.begin(), right.end());
        }
      }
      acc = std::move(next);
    }
    if (out->size() + acc.size() > kMaxAlternatives) return Fail(kTooComplexReason);
    for (auto& a : acc) out->push_back(std::move(a));
    return absl::OkStatus();
  }

  // aws/event-ruler (rule overriding, its Machine's default) keeps, for a
  // path given more than once in one alternative ({"a":["x"],"a":["y"]},
  // "d.a" and "d":{"a":...}, a field and a "$or" branch), the last in the
  // pattern text: JsonRuleCompiler.writeRules puts it into each rule map,
  // replacing the earlier one.
  static void KeepLastPerPath(std::vector<RawField>* fields) {
    absl::flat_hash_map<std::string_view, int> last;  // path -> latest order
    for (const RawField& f : *fields) {
      auto [it, inserted] = last.try_emplace(f.path, f.order);
      if (!inserted) it->second = std::max(it->second, f.order);
    }
    if (last.size() == fields->size()) return;
    std::vector<bool> keep;
    keep.reserve(fields->size());
    for (const RawField& f : *fields) keep.push_back(last.at(f.path) == f.order);
    std::vector<RawField> kept;
    kept.reserve(last.size());
    for (size_t i = 0; i < fields->size(); ++i) {
      if (keep[i]) kept.push_back(std::move((*fields)[i]));
    }
    *fields = std::move(kept);
  }

  absl::StatusOr<ParsedPattern> Normalize(std::vector<std::vector<RawField>> dnf) {
    std::vector<Conjunction> conjunctions;
    for (std::vector<RawField>& fields : dnf) {
      if (!sns_) KeepLastPerPath(&fields);
      // Each field that also accepts absence doubles the alternatives.
      std::vector<Conjunction> partial(1);
      for (RawField& f : fields) {
        bool accepts_absent = false;
        std::vector<Condition> positive;
        for (Condition& c : f.any_of) {
          if (c.kind == Condition::Kind::kAbsent) {
            accepts_absent = true;
          } else {
            positive.push_back(std::move(c));
          }
        }
        std::sort(positive.begin(), positive.end(),
                  [](const Condition& a, const Condition& b) { return a.key < b.key; });
        positive.erase(
            std::unique(positive.begin(), positive.end(),
                        [](const Condition& a, const Condition& b) { return a.key == b.key; }),
            positive.end());
        std::vector<Conjunction> next;
        for (size_t i = 0; i < partial.size(); ++i) {
          Conjunction& c = partial[i];
          if (accepts_absent) {
            next.push_back(c);
            next.back().absent.push_back(f.path);
          }
          if (!positive.empty()) {
            next.push_back(std::move(c));
            // The last alternative takes the conditions, the others a copy.
            next.back().fields.push_back(
                FieldConstraint{f.path, i + 1 == partial.size() ? std::move(positive) : positive});
          }
          if (conjunctions.size() + next.size() > kMaxAlternatives) {
            return Fail(kTooComplexReason);
          }
        }
        partial = std::move(next);
      }
      for (Conjunction& c : partial) conjunctions.push_back(std::move(c));
    }
    // Sort, then de-duplicate alternatives by a canonical description.
    ParsedPattern out;
    absl::flat_hash_set<std::string> seen;
    for (Conjunction& c : conjunctions) {
      std::stable_sort(c.fields.begin(), c.fields.end(),
                       [](const FieldConstraint& a, const FieldConstraint& b) {
                         return std::pair(SelectivityRank(a), std::string_view(a.path)) <
                                std::pair(SelectivityRank(b), std::string_view(b.path));
                       });
      std::sort(c.absent.begin(), c.absent.end());
      c.absent.erase(std::unique(c.absent.begin(), c.absent.end()), c.absent.end());
      std::string canon;
      for (const FieldConstraint& f : c.fields) {
        AppendKeyPart(&canon, f.path);
        for (const Condition& cond : f.any_of) AppendKeyPart(&canon, cond.key);
        canon += ';';
      }
      canon += '|';
      for (const std::string& a : c.absent) AppendKeyPart(&canon, a);
      if (seen.insert(canon).second) out.alternatives.push_back(std::move(c));
    }
    return out;
  }

  const PatternDialect dialect_;
  bool nested_ = false;  // The pattern has an object inside an object.
  const bool sns_;
  const bool or_is_field_;
  bool saw_or_ = false;
  int next_order_ = 0;
  bool final_error_ = false;
};

}  // namespace

// aws/event-ruler's Machine.addRule compiles with JsonRuleCompiler and, when
// that throws a parse error, compiles again with RuleCompiler, which has no
// "$or": there "$or" is an ordinary field name (GenericMachine.addRule). So
// an EventBridge pattern whose "$or" is malformed ("$or" with one branch, a
// reserved name inside it, ...) gets the error of that second reading
// ({"$or":[{"source":["a"]}]}: "Unrecognized match type source"), or is
// accepted as a pattern on a field named "$or" ({"$or":[{"prefix":"a"}]}).
absl::StatusOr<ParsedPattern> ParsePattern(PatternDialect dialect, std::string_view json) {
  Parser parser(dialect, /*or_is_field=*/false);
  absl::StatusOr<ParsedPattern> parsed = parser.Parse(json);
  if (parsed.ok() || dialect != PatternDialect::kEventBridge || !parser.failed_in_or()) {
    return parsed;
  }
  return Parser(dialect, /*or_is_field=*/true).Parse(json);
}

}  // namespace wharf::pattern_internal
