// A bus's resource policy (PutPermission, RemovePermission) and settings
// (UpdateEventBus, CreateEventBus's KmsKeyIdentifier and DeadLetterConfig).
// The policies and errors are those AWS answers in LocalStack's
// tests/aws/services/events/test_events.py (TestEventBus, AWS-validated);
// the tests name the recording where one exists.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/service/events_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::SizeIs;

constexpr char kBusArnBase[] = "arn:aws:events:us-east-1:123456789012:event-bus/";

class EventsBusSettingsTest : public EventsTest {
 protected:
  // A statement as AWS renders it for PutPermission on `bus`.
  static std::string Statement(const std::string& sid, const std::string& principal,
                               const std::string& bus, const std::string& condition = "") {
    std::string who = principal == "*"
                          ? R"("*")"
                          : absl::StrCat(R"({"AWS":"arn:aws:iam::)", principal, R"(:root"})");
    return absl::StrCat(R"({"Sid":")", sid, R"(","Effect":"Allow","Principal":)", who,
                        R"(,"Action":"events:PutEvents","Resource":")", kBusArnBase, bus, "\"",
                        condition.empty() ? "" : absl::StrCat(R"(,"Condition":)", condition), "}");
  }
  static std::string Policy(const std::string& statements) {
    return absl::StrCat(R"({"Version":"2012-10-17","Statement":[)", statements, "]}");
  }
  std::string PolicyOf(const std::string& bus) {
    auto described = ev().DescribeEventBus({.name = bus});
    EXPECT_THAT(described, IsOk());
    return described.ok() ? described->policy : "?";
  }
  absl::Status Grant(const std::string& bus, const std::string& sid, const std::string& principal) {
    return ev().PutPermission({.event_bus_name = bus,
                               .action = "events:PutEvents",
                               .principal = principal,
                               .statement_id = sid});
  }
};

// ---- PutPermission ------------------------------------------------------------

// test_put_permission[custom], "describe-event-bus-put-permission-multiple-principals".
TEST_F(EventsBusSettingsTest, EachGrantIsAStatementOfTheBusPolicy) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  EXPECT_EQ(PolicyOf("orders"), "");
  ASSERT_THAT(Grant("orders", "statement-1", kAccount), IsOk());
  ASSERT_THAT(Grant("orders", "statement-2", kAccount), IsOk());
  ASSERT_THAT(Grant("orders", "statement-3", "111122223333"), IsOk());
  EXPECT_EQ(PolicyOf("orders"),
            Policy(absl::StrCat(Statement("statement-1", kAccount, "orders"), ",",
                                Statement("statement-2", kAccount, "orders"), ",",
                                Statement("statement-3", "111122223333", "orders"))));
}

// test_put_permission[default]: the same on the default bus, named or not.
TEST_F(EventsBusSettingsTest, TheDefaultBusHasAPolicyToo) {
  ASSERT_THAT(Grant("", "a", "111122223333"), IsOk());
  ASSERT_THAT(Grant("default", "b", "*"), IsOk());
  EXPECT_EQ(PolicyOf("default"), Policy(absl::StrCat(Statement("a", "111122223333", "default"), ",",
                                                     Statement("b", "*", "default"))));
}

// test_put_permission, "describe-event-bus-put-permission": granting "*" twice
// under one statement id leaves one statement.
TEST_F(EventsBusSettingsTest, AStatementIdGivenAgainReplacesItsStatement) {
  ASSERT_THAT(Grant("", "first", "111122223333"), IsOk());
  ASSERT_THAT(Grant("", "everyone", "111122223333"), IsOk());
  ASSERT_THAT(Grant("", "everyone", "*"), IsOk());
  ASSERT_THAT(Grant("", "everyone", "*"), IsOk());
  EXPECT_EQ(PolicyOf("default"), Policy(absl::StrCat(Statement("first", "111122223333", "default"),
                                                     ",", Statement("everyone", "*", "default"))));
}

TEST_F(EventsBusSettingsTest, AConditionIsWrittenAsAnIamCondition) {
  ASSERT_THAT(ev().PutPermission(
                  {.action = "events:PutEvents",
                   .principal = "*",
                   .statement_id = "org",
                   .condition = events::Condition{"StringEquals", "aws:PrincipalOrgID", "o-1234"}}),
              IsOk());
  EXPECT_EQ(PolicyOf("default"),
            Policy(Statement("org", "*", "default",
                             R"({"StringEquals":{"aws:PrincipalOrgID":"o-1234"}})")));
}

// test_put_permission, "describe-event-bus-put-permission-policy": a policy
// document replaces every statement there was.
TEST_F(EventsBusSettingsTest, APolicyDocumentReplacesThePolicy) {
  ASSERT_THAT(Grant("", "old", "111122223333"), IsOk());
  ASSERT_THAT(ev().PutPermission({.policy = R"({
      "Version": "2012-10-17",
      "Statement": [{"Sid": "statement-5", "Effect": "Allow",
                     "Principal": {"Service": "events.amazonaws.com"},
                     "Action": "events:ListRules", "Resource": "*"}]})"}),
              IsOk());
  EXPECT_EQ(PolicyOf("default"),
            R"({"Version":"2012-10-17","Statement":[{"Sid":"statement-5","Effect":"Allow",)"
            R"("Principal":{"Service":"events.amazonaws.com"},"Action":"events:ListRules",)"
            R"("Resource":"*"}]})");
  // Later grants add to it.
  ASSERT_THAT(Grant("", "new", "*"), IsOk());
  EXPECT_THAT(PolicyOf("default"), HasSubstr(R"("Sid":"new")"));
  EXPECT_THAT(PolicyOf("default"), HasSubstr(R"("Sid":"statement-5")"));
}

// test_put_permission_non_existing_event_bus.
TEST_F(EventsBusSettingsTest, AnUnknownBusIsNotFound) {
  EXPECT_THAT(Grant("nope", "statement-id", "*"),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus nope does not exist."));
  EXPECT_THAT(ev().PutPermission({.event_bus_name = "nope", .policy = R"({"Statement":[]})"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus nope does not exist."));
  EXPECT_THAT(ev().RemovePermission({.remove_all_permissions = true, .event_bus_name = "nope"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus nope does not exist."));
}

// The model's member constraints, in the Coral wording.
TEST_F(EventsBusSettingsTest, MembersOutsideTheModelAreValidationErrors) {
  EXPECT_THAT(Grant("", "bad id", "*"),
              HasError(ErrorCode::kEventsValidation,
                       "1 validation error detected: Value 'bad id' at 'statementId' failed to "
                       "satisfy constraint: Member must satisfy regular expression pattern: "
                       "[a-zA-Z0-9-_]+"));
  EXPECT_THAT(Grant("", std::string(65, 's'), "*"),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("Member must have length less than or equal to 64")));
  // Too long and outside the pattern: both constraints, the pattern first.
  EXPECT_THAT(Grant("", std::string(65, '!'), "*"),
              HasError(ErrorCode::kEventsValidation,
                       absl::StrCat("2 validation errors detected: Value '", std::string(65, '!'),
                                    "' at 'statementId' failed to satisfy constraint: Member must "
                                    "satisfy regular expression pattern: [a-zA-Z0-9-_]+; Value '",
                                    std::string(65, '!'),
                                    "' at 'statementId' failed to satisfy constraint: Member must "
                                    "have length less than or equal to 64")));
  EXPECT_THAT(Grant("", "s", "12345"),
              HasError(ErrorCode::kEventsValidation,
                       "1 validation error detected: Value '12345' at 'principal' failed to "
                       "satisfy constraint: Member must satisfy regular expression pattern: "
                       "(\\d{12}|\\*)"));
  EXPECT_THAT(ev().PutPermission({.action = "PutEvents", .principal = "*", .statement_id = "s"}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("pattern: events:[a-zA-Z]+")));
  // A bus ARN is not a NonPartnerEventBusName.
  EXPECT_THAT(Grant(absl::StrCat(kBusArnBase, "default"), "s", "*"),
              HasError(ErrorCode::kEventsValidation, HasSubstr("at 'eventBusName'")));
  EXPECT_THAT(ev().RemovePermission({.statement_id = "a b"}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("at 'statementId'")));
  EXPECT_EQ(PolicyOf("default"), "");
}

// Unrecorded wording (see events_service.cc).
TEST_F(EventsBusSettingsTest, IncompleteOrUnsupportedGrantsAreRefused) {
  EXPECT_THAT(ev().PutPermission({.principal = "*", .statement_id = "s"}),
              HasError(ErrorCode::kEventsValidation, "Parameter Action must be specified."));
  EXPECT_THAT(ev().PutPermission({.action = "events:PutEvents", .statement_id = "s"}),
              HasError(ErrorCode::kEventsValidation, "Parameter Principal must be specified."));
  EXPECT_THAT(ev().PutPermission({.action = "events:PutEvents", .principal = "*"}),
              HasError(ErrorCode::kEventsValidation, "Parameter StatementId must be specified."));
  EXPECT_THAT(
      ev().PutPermission({.action = "events:PutRule", .principal = "*", .statement_id = "s"}),
      HasError(ErrorCode::kEventsValidation,
               "Provided value in parameter 'action' is not supported."));
  EXPECT_THAT(ev().PutPermission(
                  {.action = "events:PutEvents",
                   .principal = "111122223333",
                   .statement_id = "s",
                   .condition = events::Condition{"StringEquals", "aws:PrincipalOrgID", "o-1"}}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("must be '*'")));
  EXPECT_THAT(ev().PutPermission({.policy = "not json"}),
              HasError(ErrorCode::kEventsValidation, "Parameter Policy is not valid."));
  EXPECT_THAT(ev().PutPermission({.policy = "[]"}),
              HasError(ErrorCode::kEventsValidation, "Parameter Policy is not valid."));
  EXPECT_EQ(PolicyOf("default"), "");
}

// "The permission policy on the event bus cannot exceed 10 KB in size."
TEST_F(EventsBusSettingsTest, APolicyOverTenKilobytesIsRefused) {
  // Each statement is ~170 bytes.
  absl::Status last;
  int granted = 0;
  for (; granted < 100; ++granted) {
    last = Grant("", absl::StrCat("statement-", granted), "111122223333");
    if (!last.ok()) break;
  }
  EXPECT_THAT(last, HasError(ErrorCode::kEventsPolicyLengthExceeded,
                             "Policy size would be larger than the maximum allowed."));
  const std::string kept = PolicyOf("default");
  EXPECT_LE(kept.size(), 10240u);
  EXPECT_GT(kept.size(), 10240u - 200);
  EXPECT_THAT(kept, HasSubstr(absl::StrCat("statement-", granted - 1, "\"")));
  EXPECT_THAT(
      ev().PutPermission({.policy = absl::StrCat(R"({"Id":")", std::string(10240, 'x'), R"("})")}),
      HasErrorCode(ErrorCode::kEventsPolicyLengthExceeded));
  EXPECT_EQ(PolicyOf("default"), kept);
}

TEST_F(EventsBusSettingsTest, ListEventBusesShowsThePolicy) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  ASSERT_THAT(Grant("orders", "s", "*"), IsOk());
  ASSERT_OK_AND_ASSIGN(auto listed, ev().ListEventBuses({.name_prefix = "orders"}));
  ASSERT_THAT(listed.event_buses, SizeIs(1));
  EXPECT_EQ(listed.event_buses[0].policy, Policy(Statement("s", "*", "orders")));
}

TEST_F(EventsBusSettingsTest, APolicyGoesWithItsBus) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  ASSERT_THAT(Grant("orders", "s", "*"), IsOk());
  ASSERT_THAT(ev().DeleteEventBus({.name = "orders"}), IsOk());
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  EXPECT_EQ(PolicyOf("orders"), "");
}

TEST_F(EventsBusSettingsTest, ChangingThePolicyModifiesTheBus) {
  ASSERT_OK_AND_ASSIGN(auto before, ev().DescribeEventBus({}));
  clock_->Advance(absl::Minutes(1));
  ASSERT_THAT(Grant("", "s", "*"), IsOk());
  ASSERT_OK_AND_ASSIGN(auto after, ev().DescribeEventBus({}));
  EXPECT_EQ(after.creation_time, before.creation_time);
  EXPECT_EQ(after.last_modified_time, before.last_modified_time + absl::Minutes(1));
}

// ---- RemovePermission ---------------------------------------------------------

// test_remove_permission[custom], "describe-event-bus-remove-permission" and
// "...-remove-permission-all".
TEST_F(EventsBusSettingsTest, RemovePermissionRemovesOneStatementOrAll) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  ASSERT_THAT(Grant("orders", "statement-1", kAccount), IsOk());
  ASSERT_THAT(Grant("orders", "statement-2", "111122223333"), IsOk());
  ASSERT_THAT(ev().RemovePermission({.statement_id = "statement-1", .event_bus_name = "orders"}),
              IsOk());
  EXPECT_EQ(PolicyOf("orders"), Policy(Statement("statement-2", "111122223333", "orders")));
  ASSERT_THAT(ev().RemovePermission({.remove_all_permissions = true, .event_bus_name = "orders"}),
              IsOk());
  EXPECT_EQ(PolicyOf("orders"), "");
}

TEST_F(EventsBusSettingsTest, RemovingTheLastStatementLeavesNoPolicy) {
  ASSERT_THAT(Grant("", "only", "*"), IsOk());
  ASSERT_THAT(ev().RemovePermission({.statement_id = "only"}), IsOk());
  EXPECT_EQ(PolicyOf("default"), "");
}

// test_remove_permission_non_existing_sid[True-*] and [False-*]: the same
// answer with or without a policy.
TEST_F(EventsBusSettingsTest, AnUnknownStatementIsNotFound) {
  EXPECT_THAT(ev().RemovePermission({.statement_id = "non-existing-sid"}),
              HasError(ErrorCode::kEventsResourceNotFound,
                       "Statement with the provided id does not exist."));
  ASSERT_THAT(Grant("", "there", kAccount), IsOk());
  EXPECT_THAT(ev().RemovePermission({.statement_id = "non-existing-sid"}),
              HasError(ErrorCode::kEventsResourceNotFound,
                       "Statement with the provided id does not exist."));
  EXPECT_EQ(PolicyOf("default"), Policy(Statement("there", kAccount, "default")));
}

// Unrecorded wording (LocalStack's tests note that AWS fails it).
TEST_F(EventsBusSettingsTest, RemovingAllFromABusWithoutAPolicyFails) {
  EXPECT_THAT(ev().RemovePermission({.remove_all_permissions = true}),
              HasError(ErrorCode::kEventsResourceNotFound, "EventBus does not have a policy."));
  EXPECT_THAT(ev().RemovePermission({}),
              HasError(ErrorCode::kEventsValidation, "Parameter StatementId must be specified."));
}

// ---- UpdateEventBus and the settings of CreateEventBus --------------------------

TEST_F(EventsBusSettingsTest, CreateEventBusKeepsItsKeyAndDeadLetterConfig) {
  const std::string dlq = absl::StrCat("arn:aws:sqs:", kRegion, ":", kAccount, ":dlq");
  ASSERT_THAT(ev().CreateEventBus({.name = "orders",
                                   .description = "all orders",
                                   .kms_key_identifier = "alias/orders",
                                   .dead_letter_config = events::DeadLetterConfig{dlq}}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(auto bus, ev().DescribeEventBus({.name = "orders"}));
  EXPECT_EQ(bus.description, "all orders");
  EXPECT_EQ(bus.kms_key_identifier, "alias/orders");
  ASSERT_TRUE(bus.dead_letter_config.has_value());
  EXPECT_EQ(bus.dead_letter_config->arn, dlq);
  // Not in ListEventBuses (AWS's EventBus shape has neither).
  ASSERT_OK_AND_ASSIGN(auto listed, ev().ListEventBuses({.name_prefix = "orders"}));
  ASSERT_THAT(listed.event_buses, SizeIs(1));
  EXPECT_EQ(listed.event_buses[0].description, "all orders");
  EXPECT_EQ(listed.event_buses[0].kms_key_identifier, "");
  EXPECT_FALSE(listed.event_buses[0].dead_letter_config.has_value());
}

TEST_F(EventsBusSettingsTest, UpdateEventBusChangesWhatItIsGivenAndKeepsTheRest) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders", .description = "all orders"}), IsOk());
  ASSERT_THAT(ev().PutPermission({.event_bus_name = "orders",
                                  .action = "events:PutEvents",
                                  .principal = "*",
                                  .statement_id = "s"}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(auto created, ev().DescribeEventBus({.name = "orders"}));
  clock_->Advance(absl::Minutes(2));
  const std::string dlq = absl::StrCat("arn:aws:sqs:", kRegion, ":", kAccount, ":dlq");
  ASSERT_OK_AND_ASSIGN(
      auto updated, ev().UpdateEventBus({.name = "orders",
                                         .kms_key_identifier = "arn:aws:kms:us-east-1:" +
                                                               std::string(kAccount) + ":key/1234",
                                         .dead_letter_config = events::DeadLetterConfig{dlq}}));
  EXPECT_EQ(updated.arn, absl::StrCat(kBusArnBase, "orders"));
  EXPECT_EQ(updated.name, "orders");
  EXPECT_EQ(updated.description, "all orders");
  EXPECT_THAT(updated.kms_key_identifier, HasSubstr(":key/1234"));
  EXPECT_THAT(updated.dead_letter_config,
              Optional(::testing::Field(&events::DeadLetterConfig::arn, dlq)));
  ASSERT_OK_AND_ASSIGN(auto bus, ev().DescribeEventBus({.name = "orders"}));
  EXPECT_EQ(bus.description, "all orders");
  EXPECT_EQ(bus.kms_key_identifier, updated.kms_key_identifier);
  EXPECT_EQ(bus.policy, created.policy);
  EXPECT_EQ(bus.creation_time, created.creation_time);
  EXPECT_EQ(bus.last_modified_time, created.last_modified_time + absl::Minutes(2));

  // An empty description or key, or a config without an ARN, removes them.
  ASSERT_THAT(ev().UpdateEventBus({.name = "orders",
                                   .description = "",
                                   .kms_key_identifier = "",
                                   .dead_letter_config = events::DeadLetterConfig{}}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(bus, ev().DescribeEventBus({.name = "orders"}));
  EXPECT_EQ(bus.description, "");
  EXPECT_EQ(bus.kms_key_identifier, "");
  EXPECT_FALSE(bus.dead_letter_config.has_value());
}

TEST_F(EventsBusSettingsTest, UpdatingAnUnknownBusIsNotFound) {
  EXPECT_THAT(ev().UpdateEventBus({.name = "nope", .description = "d"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus nope does not exist."));
}

TEST_F(EventsBusSettingsTest, UpdateEventBusWithoutANameUpdatesTheDefaultBus) {
  ASSERT_OK_AND_ASSIGN(auto updated, ev().UpdateEventBus({.description = "the default"}));
  EXPECT_EQ(updated.name, "default");
  ASSERT_OK_AND_ASSIGN(auto bus, ev().DescribeEventBus({}));
  EXPECT_EQ(bus.description, "the default");
}

TEST_F(EventsBusSettingsTest, BusSettingsOutsideTheModelAreValidationErrors) {
  EXPECT_THAT(ev().UpdateEventBus({.description = std::string(513, 'd')}),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("at 'description' failed to satisfy constraint: Member must "
                                 "have length less than or equal to 512")));
  EXPECT_THAT(ev().UpdateEventBus({.kms_key_identifier = "key id"}),
              HasError(ErrorCode::kEventsValidation,
                       "1 validation error detected: Value 'key id' at 'kmsKeyIdentifier' failed "
                       "to satisfy constraint: Member must satisfy regular expression pattern: "
                       "^[a-zA-Z0-9_\\-/:]*$"));
  EXPECT_THAT(ev().CreateEventBus({.name = "orders", .kms_key_identifier = "a;b"}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("at 'kmsKeyIdentifier'")));
  EXPECT_THAT(ev().UpdateEventBus({.name = "bad name"}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("at 'name'")));
  EXPECT_THAT(
      ev().UpdateEventBus({.dead_letter_config = events::DeadLetterConfig{std::string(1601, 'a')}}),
      HasError(ErrorCode::kEventsValidation, HasSubstr("at 'deadLetterConfig.arn'")));
  ASSERT_OK_AND_ASSIGN(auto bus, ev().DescribeEventBus({}));
  EXPECT_EQ(bus.description, "");
}

}  // namespace
}  // namespace wharf::testing
