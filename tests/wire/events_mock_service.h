// MockEventsService: a gmock of wharf::events::Service for testing the wire
// layer (FakeBroker's events()) without the real service.

#ifndef WHARF_TESTS_WIRE_EVENTS_MOCK_SERVICE_H_
#define WHARF_TESTS_WIRE_EVENTS_MOCK_SERVICE_H_

#include <string>

#include "gmock/gmock.h"
#include "wharf/events.h"

namespace wharf::testing {

class MockEventsService : public events::Service {
 public:
  MOCK_METHOD(absl::StatusOr<events::CreateEventBusResult>, CreateEventBus,
              (const events::CreateEventBusRequest&), (override));
  MOCK_METHOD(absl::Status, DeleteEventBus, (const events::DeleteEventBusRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::DescribeEventBusResult>, DescribeEventBus,
              (const events::DescribeEventBusRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::ListEventBusesResult>, ListEventBuses,
              (const events::ListEventBusesRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::UpdateEventBusResult>, UpdateEventBus,
              (const events::UpdateEventBusRequest&), (override));
  MOCK_METHOD(absl::Status, PutPermission, (const events::PutPermissionRequest&), (override));
  MOCK_METHOD(absl::Status, RemovePermission, (const events::RemovePermissionRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::PutEventsResult>, PutEvents, (const events::PutEventsRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<events::TestEventPatternResult>, TestEventPattern,
              (const events::TestEventPatternRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::PutRuleResult>, PutRule, (const events::PutRuleRequest&),
              (override));
  MOCK_METHOD(absl::Status, DeleteRule, (const events::DeleteRuleRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::DescribeRuleResult>, DescribeRule,
              (const events::DescribeRuleRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::ListRulesResult>, ListRules, (const events::ListRulesRequest&),
              (override));
  MOCK_METHOD(absl::Status, EnableRule, (const events::EnableRuleRequest&), (override));
  MOCK_METHOD(absl::Status, DisableRule, (const events::DisableRuleRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::PutTargetsResult>, PutTargets,
              (const events::PutTargetsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::RemoveTargetsResult>, RemoveTargets,
              (const events::RemoveTargetsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::ListTargetsByRuleResult>, ListTargetsByRule,
              (const events::ListTargetsByRuleRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::ListRuleNamesByTargetResult>, ListRuleNamesByTarget,
              (const events::ListRuleNamesByTargetRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::CreateArchiveResult>, CreateArchive,
              (const events::CreateArchiveRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::UpdateArchiveResult>, UpdateArchive,
              (const events::UpdateArchiveRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::DescribeArchiveResult>, DescribeArchive,
              (const events::DescribeArchiveRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::ListArchivesResult>, ListArchives,
              (const events::ListArchivesRequest&), (override));
  MOCK_METHOD(absl::Status, DeleteArchive, (const events::DeleteArchiveRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::StartReplayResult>, StartReplay,
              (const events::StartReplayRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::DescribeReplayResult>, DescribeReplay,
              (const events::DescribeReplayRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::ListReplaysResult>, ListReplays,
              (const events::ListReplaysRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::CancelReplayResult>, CancelReplay,
              (const events::CancelReplayRequest&), (override));
  MOCK_METHOD(absl::Status, TagResource, (const events::TagResourceRequest&), (override));
  MOCK_METHOD(absl::Status, UntagResource, (const events::UntagResourceRequest&), (override));
  MOCK_METHOD(absl::StatusOr<events::ListTagsForResourceResult>, ListTagsForResource,
              (const events::ListTagsForResourceRequest&), (override));
  MOCK_METHOD(absl::StatusOr<std::string>, RegisterCallback, (const std::string&, events::Callback),
              (override));
  MOCK_METHOD(void, UnregisterCallback, (const std::string&), (override));
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_WIRE_EVENTS_MOCK_SERVICE_H_
