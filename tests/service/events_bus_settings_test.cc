// A bus's settings: UpdateEventBus, and CreateEventBus's KmsKeyIdentifier and
// DeadLetterConfig.

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

class EventsBusSettingsTest : public EventsTest {};

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
