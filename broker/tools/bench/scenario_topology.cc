// ScenarioReader's topology sections (scenario_internal.h): limits, queues and
// their dead-letter order, topics and subscriptions, buses and rules.
// Thread safety: a ScenarioReader is used by one thread.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "broker/tools/bench/scenario_internal.h"

namespace wharf::bench::scenario_internal {
namespace {

std::string Expand(absl::string_view text, int i) {
  return absl::StrReplaceAll(text, {{"{i}", absl::StrCat(i)}});
}
}  // namespace

void ScenarioReader::ReadLimits(const YAML::Node& n) {
  if (!p_.Map(n, "limits", {"max_rules_per_event_bus"})) return;
  if (YAML::Node v = Parser::Get(n, "max_rules_per_event_bus"); v.IsDefined()) {
    scenario_.limits.max_rules_per_event_bus =
        static_cast<int>(p_.Int(v, "limits.max_rules_per_event_bus", 1, kMaxExpandedEntries));
  }
}

bool ScenarioReader::CheckQueue(const std::string& name, const YAML::Node& at,
                                absl::string_view path) {
  if (!p_.ok()) return false;
  if (declared_queues_.count(name) == 0) {
    p_.Fail(at, path, absl::StrCat("no queue ", Quote(name), " is declared under queues"));
    return false;
  }
  return true;
}

void ScenarioReader::ReadQueues(const YAML::Node& list) {
  if (!p_.Seq(list, "queues")) return;
  // Names first, so that a dead-letter queue may be declared after its user.
  std::vector<int> counts;
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    std::string path = absl::StrCat("queues[", i, "]");
    if (!p_.Map(list[i], path, {"name", "count", "attributes", "dead_letter"})) return;
    std::string name = p_.Name(p_.Require(list[i], path, "name"), path + ".name");
    counts.push_back(p_.Count(list[i], path));
    for (int k = 0; k < counts.back() && p_.ok(); ++k) {
      std::string expanded = Expand(name, k);
      if (!declared_queues_.insert(expanded).second) {
        p_.Fail(Parser::Get(list[i], "name"), path + ".name",
                absl::StrCat("queue ", Quote(expanded), " is declared twice"));
      }
      declared_queue_order_.push_back(expanded);
    }
  }
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    const YAML::Node& q = list[i];
    std::string path = absl::StrCat("queues[", i, "]");
    std::string name = Parser::Get(q, "name").Scalar();
    int count = counts[i];
    std::map<std::string, std::string> attributes;
    if (YAML::Node a = Parser::Get(q, "attributes"); a.IsDefined()) {
      attributes = p_.Attributes(a, path + ".attributes");
      for (const char* managed : {"FifoQueue", "RedrivePolicy"}) {
        if (attributes.count(managed) != 0) {
          p_.Fail(a, path + ".attributes." + managed,
                  absl::StrCat(managed,
                               " is set by the harness (from the .fifo suffix and "
                               "dead_letter); remove it"));
        }
      }
    }
    std::optional<DeadLetterSpec> dead_letter;
    YAML::Node dl = Parser::Get(q, "dead_letter");
    if (dl.IsDefined() && p_.Map(dl, path + ".dead_letter", {"queue", "max_receive_count"})) {
      dead_letter.emplace();
      dead_letter->queue =
          p_.Name(p_.Require(dl, path + ".dead_letter", "queue"), path + ".dead_letter.queue");
      if (YAML::Node m = Parser::Get(dl, "max_receive_count"); m.IsDefined()) {
        dead_letter->max_receive_count =
            static_cast<int>(p_.Int(m, path + ".dead_letter.max_receive_count", 1, 1000));
      }
    }
    for (int k = 0; k < count && p_.ok(); ++k) {
      QueueSpec spec;
      spec.name = Expand(name, k);
      spec.fifo = absl::EndsWith(spec.name, ".fifo");
      spec.attributes = attributes;
      spec.line = q.Mark().line + 1;
      if (dead_letter) {
        spec.dead_letter = dead_letter;
        spec.dead_letter->queue = Expand(dead_letter->queue, k);
        if (!CheckQueue(spec.dead_letter->queue, Parser::Get(dl, "queue"),
                        path + ".dead_letter.queue")) {
          return;
        }
        if (spec.dead_letter->queue == spec.name) {
          p_.Fail(Parser::Get(dl, "queue"), path + ".dead_letter.queue",
                  "a queue cannot be its own dead-letter queue");
          return;
        }
      }
      scenario_.queues.push_back(std::move(spec));
    }
  }
}

void ScenarioReader::ReadTopics(const YAML::Node& list) {
  if (!p_.Seq(list, "topics")) return;
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    const YAML::Node& t = list[i];
    std::string path = absl::StrCat("topics[", i, "]");
    if (!p_.Map(t, path, {"name", "count", "attributes", "subscriptions"})) return;
    std::string name = p_.Name(p_.Require(t, path, "name"), path + ".name");
    int count = p_.Count(t, path);
    std::map<std::string, std::string> attributes;
    if (YAML::Node a = Parser::Get(t, "attributes"); a.IsDefined()) {
      attributes = p_.Attributes(a, path + ".attributes");
    }
    for (int k = 0; k < count && p_.ok(); ++k) {
      TopicSpec spec;
      spec.name = Expand(name, k);
      spec.fifo = absl::EndsWith(spec.name, ".fifo");
      spec.attributes = attributes;
      if (spec.fifo) spec.attributes["FifoTopic"] = "true";
      spec.line = t.Mark().line + 1;
      if (scenario_.TopicIndex(spec.name) >= 0) {
        p_.Fail(Parser::Get(t, "name"), path + ".name",
                absl::StrCat("topic ", Quote(spec.name), " is declared twice"));
        return;
      }
      if (YAML::Node subs = Parser::Get(t, "subscriptions"); subs.IsDefined()) {
        ReadSubscriptions(subs, path + ".subscriptions", k, &spec);
      }
      scenario_.topics.push_back(std::move(spec));
    }
  }
}

void ScenarioReader::ReadSubscriptions(const YAML::Node& list, const std::string& path, int outer,
                                       TopicSpec* topic) {
  if (!p_.Seq(list, path)) return;
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    const YAML::Node& s = list[i];
    std::string sub = absl::StrCat(path, "[", i, "]");
    if (!p_.Map(s, sub, {"queue", "count", "filter", "filter_scope", "raw"})) return;
    std::string queue = p_.Name(p_.Require(s, sub, "queue"), sub + ".queue");
    int count = p_.Count(s, sub);
    std::string filter;
    if (YAML::Node f = Parser::Get(s, "filter"); f.IsDefined()) {
      filter = p_.Json(f, sub + ".filter");
    }
    std::string scope;
    if (YAML::Node f = Parser::Get(s, "filter_scope"); f.IsDefined()) {
      scope = p_.Str(f, sub + ".filter_scope");
      if (p_.ok() && scope != "MessageAttributes" && scope != "MessageBody") {
        p_.Fail(f, sub + ".filter_scope", "expected MessageAttributes or MessageBody");
      }
    }
    bool raw = true;
    if (YAML::Node r = Parser::Get(s, "raw"); r.IsDefined()) raw = p_.Bool(r, sub + ".raw");
    for (int k = 0; k < count && p_.ok(); ++k) {
      // "{i}" counts the subscription when it repeats, else the topic.
      int i_value = count > 1 ? k : outer;
      SubscriptionSpec spec{.queue = Expand(queue, i_value),
                            .filter_policy = Expand(filter, i_value),
                            .filter_scope = scope,
                            .raw = raw,
                            .line = s.Mark().line + 1};
      if (!CheckQueue(spec.queue, Parser::Get(s, "queue"), sub + ".queue")) return;
      p_.Charge(s, sub, spec.filter_policy.size());
      topic->subscriptions.push_back(std::move(spec));
    }
  }
}

void ScenarioReader::ReadBuses(const YAML::Node& list) {
  if (!p_.Seq(list, "buses")) return;
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    const YAML::Node& b = list[i];
    std::string path = absl::StrCat("buses[", i, "]");
    if (!p_.Map(b, path, {"name", "rules"})) return;
    BusSpec bus;
    bus.name = p_.Name(p_.Require(b, path, "name"), path + ".name");
    bus.line = b.Mark().line + 1;
    if (p_.ok() && scenario_.BusIndex(bus.name) >= 0) {
      p_.Fail(Parser::Get(b, "name"), path + ".name",
              absl::StrCat("bus ", Quote(bus.name), " is declared twice"));
      return;
    }
    if (YAML::Node rules = Parser::Get(b, "rules"); rules.IsDefined()) {
      ReadRules(rules, path + ".rules", &bus);
    }
    if (p_.ok() && static_cast<int>(bus.rules.size()) > scenario_.limits.max_rules_per_event_bus) {
      p_.Fail(b, path,
              absl::StrCat("bus ", Quote(bus.name), " has ", bus.rules.size(),
                           " rules, more than limits.max_rules_per_event_bus (",
                           scenario_.limits.max_rules_per_event_bus,
                           "); raise the limit (an adjustable quota on AWS, 300 by default)"));
    }
    scenario_.buses.push_back(std::move(bus));
  }
}

void ScenarioReader::ReadRules(const YAML::Node& list, const std::string& path, BusSpec* bus) {
  if (!p_.Seq(list, path)) return;
  std::set<std::string> names;
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    const YAML::Node& r = list[i];
    std::string sub = absl::StrCat(path, "[", i, "]");
    if (!p_.Map(r, sub, {"name", "count", "pattern", "targets", "message_group_id"})) return;
    std::string name = p_.Name(p_.Require(r, sub, "name"), sub + ".name");
    int count = p_.Count(r, sub);
    std::string pattern = p_.Json(p_.Require(r, sub, "pattern"), sub + ".pattern");
    YAML::Node targets_node = p_.Require(r, sub, "targets");
    std::vector<std::string> targets = p_.Names(targets_node, sub + ".targets");
    if (p_.ok() && targets.size() > 5) {
      p_.Fail(targets_node, sub + ".targets", "a rule has at most 5 targets");
    }
    std::string group;
    if (YAML::Node g = Parser::Get(r, "message_group_id"); g.IsDefined()) {
      group = p_.Name(g, sub + ".message_group_id");
    }
    for (int k = 0; k < count && p_.ok(); ++k) {
      RuleSpec rule{.name = Expand(name, k),
                    .pattern = Expand(pattern, k),
                    .target_queues = {},
                    .message_group_id = Expand(group, k),
                    .line = r.Mark().line + 1};
      if (!names.insert(rule.name).second) {
        p_.Fail(Parser::Get(r, "name"), sub + ".name",
                absl::StrCat("rule ", Quote(rule.name), " is declared twice on this bus"));
        return;
      }
      p_.Charge(r, sub, rule.pattern.size());
      for (const std::string& t : targets) {
        rule.target_queues.push_back(Expand(t, k));
        if (!CheckQueue(rule.target_queues.back(), targets_node, sub + ".targets")) return;
      }
      bus->rules.push_back(std::move(rule));
    }
  }
}

void ScenarioReader::OrderQueues() {
  std::vector<QueueSpec> ordered;
  std::vector<int> state(scenario_.queues.size(), 0);  // 0 new, 1 placing, 2 placed.
  std::function<bool(int)> place = [&](int i) {
    if (state[i] == 2) return true;
    const QueueSpec& q = scenario_.queues[i];
    if (state[i] == 1) {
      p_.FailAtLine(
          q.line, "queues",
          absl::StrCat("dead_letter references form a cycle (queue ", Quote(q.name), ")"));
      return false;
    }
    state[i] = 1;
    if (q.dead_letter && !place(scenario_.QueueIndex(q.dead_letter->queue))) return false;
    state[i] = 2;
    ordered.push_back(q);
    return true;
  };
  for (size_t i = 0; i < scenario_.queues.size(); ++i) {
    if (!place(static_cast<int>(i))) return;
  }
  scenario_.queues = std::move(ordered);
}

}  // namespace wharf::bench::scenario_internal
