#include "broker/tools/bench/target.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/tools/bench/http_target.h"
#include "broker/tools/bench/inproc_target.h"
#include "broker/tools/bench/text.h"

namespace wharf::bench {
namespace {

absl::Status AtLine(const Scenario& scenario, int line, std::string_view what,
                    const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(scenario.file, ":", line, ": ", Absl(what), ": ",
                                                  status.message()));
}

// Lets SNS topics and EventBridge rules send to a queue on AWS (wharf does
// not enforce queue policies; AWS does).
std::string SendPolicy(const std::string& queue_arn) {
  return absl::StrCat(
      R"({"Version":"2012-10-17","Statement":[{"Sid":"wharf-bench","Effect":"Allow",)",
      R"("Principal":{"Service":["sns.amazonaws.com","events.amazonaws.com"]},)",
      R"("Action":"sqs:SendMessage","Resource":")", queue_arn, R"("}]})");
}

}  // namespace

absl::Status AwsTarget::Setup(const Scenario& scenario, std::string_view prefix) {
  prefix_ = std::string(prefix);
  ControlPlane& cp = control();
  std::vector<bool> receives_deliveries(scenario.queues.size(), false);
  for (const TopicSpec& t : scenario.topics) {
    for (const SubscriptionSpec& s : t.subscriptions) {
      receives_deliveries[scenario.QueueIndex(s.queue)] = true;
    }
  }
  for (const BusSpec& b : scenario.buses) {
    for (const RuleSpec& r : b.rules) {
      for (const std::string& q : r.target_queues) {
        receives_deliveries[scenario.QueueIndex(q)] = true;
      }
    }
  }

  // Dead-letter queues come first (the parser orders them).
  for (size_t i = 0; i < scenario.queues.size(); ++i) {
    const QueueSpec& q = scenario.queues[i];
    std::map<std::string, std::string> attrs = q.attributes;
    if (q.fifo) attrs["FifoQueue"] = "true";
    if (q.dead_letter) {
      int dlq = scenario.QueueIndex(q.dead_letter->queue);
      attrs["RedrivePolicy"] =
          absl::StrCat(R"({"deadLetterTargetArn":")", topology_.queues[dlq].arn,
                       R"(","maxReceiveCount":)", q.dead_letter->max_receive_count, "}");
    }
    absl::StatusOr<ControlPlane::QueueRef> ref =
        cp.CreateQueue(absl::StrCat(Absl(prefix), q.name), attrs);
    if (!ref.ok()) return AtLine(scenario, q.line, absl::StrCat("queue ", q.name), ref.status());
    topology_.queues.push_back(*ref);
    if (receives_deliveries[i]) {
      // Set after creation: the policy names the queue's own ARN.
      if (absl::Status s = cp.SetQueueAttributes(ref->url, {{"Policy", SendPolicy(ref->arn)}});
          !s.ok()) {
        return AtLine(scenario, q.line, absl::StrCat("policy of queue ", q.name), s);
      }
    }
  }

  for (const TopicSpec& t : scenario.topics) {
    absl::StatusOr<std::string> arn =
        cp.CreateTopic(absl::StrCat(Absl(prefix), t.name), t.attributes);
    if (!arn.ok()) return AtLine(scenario, t.line, absl::StrCat("topic ", t.name), arn.status());
    topology_.topic_arns.push_back(*arn);
    for (const SubscriptionSpec& s : t.subscriptions) {
      std::map<std::string, std::string> attrs;
      if (s.raw) attrs["RawMessageDelivery"] = "true";
      if (!s.filter_policy.empty()) attrs["FilterPolicy"] = s.filter_policy;
      if (!s.filter_scope.empty()) attrs["FilterPolicyScope"] = s.filter_scope;
      absl::StatusOr<std::string> sub =
          cp.Subscribe(*arn, topology_.queues[scenario.QueueIndex(s.queue)].arn, attrs);
      if (!sub.ok()) {
        return AtLine(scenario, s.line, absl::StrCat("subscription of ", s.queue, " to ", t.name),
                      sub.status());
      }
    }
  }

  for (const BusSpec& b : scenario.buses) {
    std::string bus = b.name == "default" ? b.name : absl::StrCat(Absl(prefix), b.name);
    if (b.name != "default") {
      if (absl::Status s = cp.CreateEventBus(bus); !s.ok()) {
        return AtLine(scenario, b.line, absl::StrCat("bus ", b.name), s);
      }
    }
    topology_.bus_names.push_back(bus);
    for (const RuleSpec& r : b.rules) {
      std::string rule = absl::StrCat(Absl(prefix), r.name);
      if (absl::Status s = cp.PutRule(bus, rule, r.pattern); !s.ok()) {
        return AtLine(scenario, r.line, absl::StrCat("rule ", r.name), s);
      }
      Topology::CreatedRule created{.bus = bus, .name = rule, .target_ids = {}};
      std::vector<ControlPlane::RuleTarget> targets;
      for (const std::string& q : r.target_queues) {
        int index = scenario.QueueIndex(q);
        std::string group;
        if (scenario.queues[index].fifo) {
          group = r.message_group_id.empty() ? "wharf-bench" : r.message_group_id;
        }
        targets.push_back({.id = absl::StrCat("t", targets.size()),
                           .arn = topology_.queues[index].arn,
                           .message_group_id = group});
        created.target_ids.push_back(targets.back().id);
      }
      topology_.rules.push_back(created);
      if (absl::Status s = cp.PutTargets(bus, rule, targets); !s.ok()) {
        return AtLine(scenario, r.line, absl::StrCat("targets of rule ", r.name), s);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status AwsTarget::Teardown() {
  ControlPlane& cp = control();
  absl::Status first;
  auto note = [&](absl::Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  for (const Topology::CreatedRule& r : topology_.rules) {
    note(cp.DeleteRule(r.bus, r.name, r.target_ids));
  }
  for (const std::string& bus : topology_.bus_names) {
    if (bus != "default") note(cp.DeleteEventBus(bus));
  }
  for (const std::string& arn : topology_.topic_arns) note(cp.DeleteTopic(arn));
  for (auto it = topology_.queues.rbegin(); it != topology_.queues.rend(); ++it) {
    note(cp.DeleteQueue(it->url));
  }
  topology_ = Topology();
  return first;
}

// ---- No-op -------------------------------------------------------------------

namespace {

class NoopSession final : public Session {
 public:
  absl::StatusOr<BatchOutcome> Send(const Destination&, std::span<const OutMessage>) override {
    return BatchOutcome();
  }
  absl::Status Receive(int, const ReceiveOptions&, std::vector<InMessage>*) override {
    return absl::OkStatus();
  }
  absl::StatusOr<BatchOutcome> Delete(int, std::span<const std::string>) override {
    return BatchOutcome();
  }
  absl::StatusOr<BatchOutcome> ChangeVisibility(int, std::span<const std::string>, int) override {
    return BatchOutcome();
  }
  absl::StatusOr<QueueDepth> Depth(int) override { return QueueDepth(); }
  // Nothing ever arrives: consumers pace their polls instead of spinning.
  bool ReceiveWaits() const override { return false; }
};

class NoopTarget final : public Target {
 public:
  std::string name() const override { return "noop"; }
  absl::Status Setup(const Scenario&, std::string_view) override { return absl::OkStatus(); }
  absl::StatusOr<std::unique_ptr<Session>> NewSession() override {
    return std::make_unique<NoopSession>();
  }
  absl::Status Teardown() override { return absl::OkStatus(); }
};

}  // namespace

absl::Status NoMappingsError(const Target& target) {
  return absl::UnimplementedError(
      absl::StrCat("target ", target.name(),
                   " runs no event source mappings (wharf-server speaks no Lambda API): a "
                   "consumer of type mapping needs --target=inproc or --target=durable"));
}

absl::StatusOr<std::unique_ptr<Mapping>> Target::StartMapping(int, const MappingOptions&,
                                                              BatchHandler) {
  return NoMappingsError(*this);
}

std::unique_ptr<Target> MakeNoopTarget() { return std::make_unique<NoopTarget>(); }

absl::StatusOr<std::unique_ptr<Target>> MakeTarget(const TargetSpec& spec,
                                                   const Scenario& scenario) {
  switch (spec.kind) {
    case TargetSpec::Kind::kInproc:
    case TargetSpec::Kind::kDurable:
      return MakeInprocTarget(scenario, spec);
    case TargetSpec::Kind::kNoop:
      return MakeNoopTarget();
    case TargetSpec::Kind::kUrl:
      return MakeHttpTarget(spec.url);
  }
  return absl::InvalidArgumentError("unknown target kind");
}

}  // namespace wharf::bench
