// ARNs (Amazon Resource Names): arn:<partition>:<service>:<region>:<account>:
// <resource>. The one parser every service uses; each service then checks the
// parts it cares about and words its own error.
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_BASE_ARN_H_
#define WHARF_BROKER_BASE_ARN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::base_internal {

struct Arn {
  std::string partition;
  std::string service;
  std::string region;
  std::string account_id;
  std::string resource;  // Everything after the fifth ':' (may hold ':' and '/').
};

// Parses `arn:<partition>:<service>:<region>:<account>:<resource>`, every part
// non-empty except region and account. Nullopt when malformed.
std::optional<Arn> ParseArn(std::string_view arn);

// Every ':'-separated field of `arn`, as views into it ("a::b" has three
// fields, the second empty). For the checks that count fields, such as SNS's
// "An ARN must have at least 6 elements".
std::vector<std::string_view> ArnFields(std::string_view arn);

// True for a 12-digit AWS account id.
bool IsAwsAccountId(std::string_view id);

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_ARN_H_
