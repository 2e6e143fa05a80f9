#include "broker/service/permission_policy.h"

#include <algorithm>
#include <utility>

#include "broker/base/json.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace wharf::service_internal {
namespace {

using rapidjson::Value;

constexpr std::string_view kPolicyVersion = "2012-10-17";
// The version of a policy that SQS's AddPermission creates (LocalStack
// test_sqs_permission_lifecycle, AWS-validated), as of SNS's default topic
// policy; EventBridge's PutPermission writes kPolicyVersion.
constexpr std::string_view kPermissionPolicyVersion = "2008-10-17";

rapidjson::SizeType Size(std::string_view s) { return static_cast<rapidjson::SizeType>(s.size()); }

Value String(std::string_view s, rapidjson::Document::AllocatorType& allocator) {
  return Value(s.data(), Size(s), allocator);
}

// One string, or an array of them when there are several.
Value OneOrMany(const std::vector<std::string>& items,
                rapidjson::Document::AllocatorType& allocator) {
  if (items.size() == 1) return String(items.front(), allocator);
  Value array(rapidjson::kArrayType);
  for (const std::string& item : items) array.PushBack(String(item, allocator), allocator);
  return array;
}

std::string Serialize(const rapidjson::Document& doc) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool HasSid(const Value& statement, std::string_view sid) {
  if (!statement.IsObject()) return false;
  auto it = statement.FindMember("Sid");
  return it != statement.MemberEnd() && it->value.IsString() &&
         std::string_view(it->value.GetString(), it->value.GetStringLength()) == sid;
}

// Parses `document`; false when it is not a JSON object.
bool Parse(std::string_view document, rapidjson::Document& doc) {
  return base_internal::ParseJson(document, &doc) && doc.IsObject();
}

// The document's "Statement" as an array (converting a single statement
// object, and adding the member when absent).
Value& StatementArray(rapidjson::Document& doc) {
  auto& allocator = doc.GetAllocator();
  auto it = doc.FindMember("Statement");
  // A const end: rapidjson 1.1's comparison of two non-const member iterators
  // is ambiguous in C++20 (clang's -Wambiguous-reversed-operator).
  if (it == std::as_const(doc).MemberEnd()) {
    doc.AddMember("Statement", Value(rapidjson::kArrayType), allocator);
    return doc["Statement"];
  }
  if (!it->value.IsArray()) {
    Value single(std::move(it->value));
    it->value.SetArray();
    if (single.IsObject()) it->value.PushBack(std::move(single), allocator);
  }
  return it->value;
}

}  // namespace

std::optional<std::string> AddPolicyStatement(std::string_view document,
                                              std::string_view new_document_id,
                                              const PermissionStatement& statement) {
  rapidjson::Document doc;
  if (!Parse(document, doc)) {
    doc.SetObject();
    auto& allocator = doc.GetAllocator();
    doc.AddMember("Version", String(kPermissionPolicyVersion, allocator), allocator);
    doc.AddMember("Id", String(new_document_id, allocator), allocator);
  }
  auto& allocator = doc.GetAllocator();
  Value& statements = StatementArray(doc);
  for (const Value& existing : statements.GetArray()) {
    if (HasSid(existing, statement.sid)) return std::nullopt;
  }
  std::vector<std::string> principals;
  principals.reserve(statement.account_ids.size());
  for (const std::string& id : statement.account_ids) {
    principals.push_back("arn:aws:iam::" + id + ":root");
  }
  std::vector<std::string> actions;
  actions.reserve(statement.actions.size());
  for (const std::string& action : statement.actions) {
    actions.push_back(statement.action_prefix + ":" + action);
  }
  Value principal(rapidjson::kObjectType);
  principal.AddMember("AWS", OneOrMany(principals, allocator), allocator);
  Value added(rapidjson::kObjectType);
  added.AddMember("Sid", String(statement.sid, allocator), allocator);
  added.AddMember("Effect", "Allow", allocator);
  added.AddMember("Principal", std::move(principal), allocator);
  added.AddMember("Action", OneOrMany(actions, allocator), allocator);
  added.AddMember("Resource", String(statement.resource, allocator), allocator);
  statements.PushBack(std::move(added), allocator);
  return Serialize(doc);
}

std::optional<RemovedStatement> RemovePolicyStatement(std::string_view document,
                                                      std::string_view sid) {
  rapidjson::Document doc;
  if (!Parse(document, doc)) return std::nullopt;
  auto it = doc.FindMember("Statement");
  if (it == std::as_const(doc).MemberEnd()) return std::nullopt;
  if (!it->value.IsArray()) {
    if (!HasSid(it->value, sid)) return std::nullopt;
    it->value.SetArray();
    return RemovedStatement{.document = Serialize(doc), .statements_left = 0};
  }
  Value& statements = it->value;
  bool found = false;
  for (auto s = statements.Begin(); s != statements.End();) {
    if (HasSid(*s, sid)) {
      s = statements.Erase(s);
      found = true;
    } else {
      ++s;
    }
  }
  if (!found) return std::nullopt;
  return RemovedStatement{.document = Serialize(doc), .statements_left = statements.Size()};
}

std::string PutBusPolicyStatement(std::string_view document, const BusPolicyStatement& statement) {
  rapidjson::Document doc;
  if (!Parse(document, doc)) {
    doc.SetObject();
    doc.AddMember("Version", String(kPolicyVersion, doc.GetAllocator()), doc.GetAllocator());
  }
  auto& allocator = doc.GetAllocator();
  Value added(rapidjson::kObjectType);
  added.AddMember("Sid", String(statement.sid, allocator), allocator);
  added.AddMember("Effect", "Allow", allocator);
  if (statement.principal == "*") {
    added.AddMember("Principal", "*", allocator);
  } else {
    Value principal(rapidjson::kObjectType);
    principal.AddMember("AWS", String("arn:aws:iam::" + statement.principal + ":root", allocator),
                        allocator);
    added.AddMember("Principal", std::move(principal), allocator);
  }
  added.AddMember("Action", String(statement.action, allocator), allocator);
  added.AddMember("Resource", String(statement.resource, allocator), allocator);
  if (!statement.condition_type.empty()) {
    Value test(rapidjson::kObjectType);
    test.AddMember(String(statement.condition_key, allocator),
                   String(statement.condition_value, allocator), allocator);
    Value condition(rapidjson::kObjectType);
    condition.AddMember(String(statement.condition_type, allocator), std::move(test), allocator);
    added.AddMember("Condition", std::move(condition), allocator);
  }
  Value& statements = StatementArray(doc);
  for (Value& existing : statements.GetArray()) {
    if (HasSid(existing, statement.sid)) {
      existing = std::move(added);
      return Serialize(doc);
    }
  }
  statements.PushBack(std::move(added), allocator);
  return Serialize(doc);
}

std::optional<std::string> CompactPolicy(std::string_view document) {
  rapidjson::Document doc;
  if (!Parse(document, doc)) return std::nullopt;
  return Serialize(doc);
}

}  // namespace wharf::service_internal
