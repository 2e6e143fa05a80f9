// Editing the statements of an access policy document, as SQS and SNS do for
// AddPermission and RemovePermission (and EventBridge for PutPermission and
// RemovePermission, whose statements name one principal and one action): a
// statement per label (its Sid) that allows accounts to call actions on one
// resource. The documents are JSON objects ({"Version", "Id", "Statement":
// [...]}); other members and other statements are kept as they are, in their
// order. A "Statement" that is a single object (as users may write it)
// becomes an array when edited.
//
// The services check the request (labels, actions, limits) and word the
// errors; these functions only rewrite documents.
//
// Thread safety: all functions are pure and thread-safe.

#ifndef WHARF_BROKER_SERVICE_PERMISSION_POLICY_H_
#define WHARF_BROKER_SERVICE_PERMISSION_POLICY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::service_internal {

struct PermissionStatement {
  std::string sid;
  std::vector<std::string> account_ids;  // Principals: arn:aws:iam::<id>:root.
  std::string action_prefix;             // "SQS" or "SNS".
  std::vector<std::string> actions;      // Written as "<prefix>:<action>".
  std::string resource;                  // The queue or topic ARN.
};

// `document` with `statement` appended, or nullopt when `document` already
// has a statement with the same Sid. An empty (or unparsable) `document`
// starts a new one: {"Version":"2008-10-17","Id":new_document_id,...}.
// A single principal or action is written as a string, several as an array.
std::optional<std::string> AddPolicyStatement(std::string_view document,
                                              std::string_view new_document_id,
                                              const PermissionStatement& statement);

struct RemovedStatement {
  std::string document;
  size_t statements_left = 0;
};

// `document` without its statements whose Sid is `sid`, or nullopt when there
// is none (or no document).
std::optional<RemovedStatement> RemovePolicyStatement(std::string_view document,
                                                      std::string_view sid);

// An EventBridge bus statement (PutPermission): Effect Allow for one
// principal, on the bus, with an optional condition.
struct BusPolicyStatement {
  std::string sid;
  std::string principal;  // "*", or an account id (written arn:aws:iam::<id>:root).
  std::string action;
  std::string resource;  // The bus ARN.
  // Written {"<type>":{"<key>":"<value>"}}; none when `condition_type` is empty.
  std::string condition_type;
  std::string condition_key;
  std::string condition_value;
};

// `document` with `statement` in place of its statement with the same Sid, or
// appended. An empty (or unparsable) `document` starts a new one:
// {"Version":"2012-10-17","Statement":[...]} (no Id, as EventBridge writes it).
std::string PutBusPolicyStatement(std::string_view document, const BusPolicyStatement& statement);

// `document` without insignificant whitespace, members in their order, or
// nullopt when it is not a JSON object.
std::optional<std::string> CompactPolicy(std::string_view document);

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_PERMISSION_POLICY_H_
