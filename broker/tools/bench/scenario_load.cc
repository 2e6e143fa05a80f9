// ScenarioReader's load and consumer sections (scenario_internal.h).
// Thread safety: a ScenarioReader is used by one thread.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/tools/bench/scenario_internal.h"
#include "broker/tools/bench/text.h"

namespace wharf::bench::scenario_internal {
namespace {

bool MatchGlob(absl::string_view pattern, absl::string_view name) {
  size_t star = pattern.find('*');
  if (star == absl::string_view::npos) return pattern == name;
  absl::string_view head = pattern.substr(0, star);
  if (!absl::StartsWith(name, head)) return false;
  pattern.remove_prefix(star + 1);
  name.remove_prefix(head.size());
  // Try every split point for the rest (patterns are short).
  for (size_t i = 0; i <= name.size(); ++i) {
    if (MatchGlob(pattern, name.substr(i))) return true;
  }
  return false;
}

constexpr int kMaxThreads = 256;

// The harness threads a consumer runs (a mapping's run on the broker).
int64_t ReceiveThreads(const ConsumerSpec& c) {
  if (c.type != ConsumerType::kReceive) return 0;
  return static_cast<int64_t>(c.count) * static_cast<int64_t>(c.queues.size());
}

constexpr double kMaxMessageBytes = 1 << 20;

}  // namespace

void ScenarioReader::ReadAttributes(const YAML::Node& list, const std::string& path,
                                    LoadSpec* load) {
  if (!p_.Seq(list, path)) return;
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    const YAML::Node& a = list[i];
    std::string sub = absl::StrCat(path, "[", i, "]");
    if (!p_.Map(a, sub, {"name", "type", "present", "values", "format", "range"})) return;
    AttributeSpec spec;
    spec.line = a.Mark().line + 1;
    spec.name = p_.Name(p_.Require(a, sub, "name"), sub + ".name");
    if (YAML::Node t = Parser::Get(a, "type"); t.IsDefined()) {
      std::string type = p_.Str(t, sub + ".type");
      if (p_.ok() && type != "String" && type != "Number") {
        p_.Fail(t, sub + ".type", "expected String or Number");
      }
      spec.number = type == "Number";
    }
    if (YAML::Node v = Parser::Get(a, "present"); v.IsDefined()) {
      spec.present = p_.Real(v, sub + ".present", 0, 1);
    }
    YAML::Node values = Parser::Get(a, "values");
    YAML::Node range = Parser::Get(a, "range");
    if (values.IsDefined() == range.IsDefined()) {
      p_.Fail(a, sub, "expected either values (a map of value: weight) or range (with format)");
      return;
    }
    if (values.IsDefined()) {
      if (Parser::Get(a, "format").IsDefined()) {
        p_.Fail(Parser::Get(a, "format"), sub + ".format", "format goes with range, not values");
        return;
      }
      if (!values.IsMap() || values.size() == 0) {
        p_.Fail(values, sub + ".values", "expected a map of value: weight");
        return;
      }
      double total = 0;
      for (auto it = values.begin(); it != values.end(); ++it) {
        std::string value = it->first.Scalar();
        total += p_.Real(it->second, absl::StrCat(sub, ".values.", value), 0, 1e12);
        if (p_.ok() && spec.number && !LooksLikeJsonNumber(value)) {
          p_.Fail(it->first, sub + ".values", absl::StrCat(Quote(value), " is not a number"));
        }
        spec.values.emplace_back(value, total);
      }
      if (p_.ok() && total <= 0) p_.Fail(values, sub + ".values", "the weights add up to 0");
      for (auto& v : spec.values) v.second /= total;
    } else {
      spec.range = p_.Int(range, sub + ".range", 1, int64_t{1} << 40);
      if (YAML::Node f = Parser::Get(a, "format"); f.IsDefined()) {
        spec.format = p_.Str(f, sub + ".format");
        if (p_.ok() && !absl::StrContains(spec.format, "{n}")) {
          p_.Fail(f, sub + ".format", "expected a format containing {n}");
        }
        if (p_.ok() && spec.number && spec.format != "{n}") {
          p_.Fail(f, sub + ".format", "a Number attribute takes no format");
        }
      }
    }
    load->attributes.push_back(std::move(spec));
  }
}

void ScenarioReader::ReadLoads(const YAML::Node& list) {
  if (!p_.Seq(list, "load")) return;
  if (p_.ok() && list.size() == 0) p_.Fail(list, "load", "expected at least one load");
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    const YAML::Node& l = list[i];
    std::string path = absl::StrCat("load[", i, "]");
    if (!p_.Map(l, path,
                {"queue", "topic", "bus", "producers", "rate", "batch", "size", "groups", "source",
                 "detail_type", "attributes"})) {
      return;
    }
    LoadSpec load;
    load.line = l.Mark().line + 1;
    int destinations = 0;
    for (auto [key, kind] :
         {std::pair{"queue", DestinationKind::kQueue}, std::pair{"topic", DestinationKind::kTopic},
          std::pair{"bus", DestinationKind::kBus}}) {
      YAML::Node d = Parser::Get(l, key);
      if (!d.IsDefined()) continue;
      ++destinations;
      load.kind = kind;
      load.destination = p_.Name(d, absl::StrCat(path, ".", key));
      if (!p_.ok()) return;
      bool known = kind == DestinationKind::kQueue   ? declared_queues_.count(load.destination)
                   : kind == DestinationKind::kTopic ? scenario_.TopicIndex(load.destination) >= 0
                                                     : scenario_.BusIndex(load.destination) >= 0;
      if (!known) {
        p_.Fail(d, absl::StrCat(path, ".", key),
                absl::StrCat("no ", key, " ", Quote(load.destination), " is declared under ", key,
                             key == absl::string_view("bus") ? "es" : "s"));
        return;
      }
    }
    if (destinations != 1) {
      p_.Fail(l, path, "expected exactly one destination: queue, topic or bus");
      return;
    }
    if (YAML::Node n = Parser::Get(l, "producers"); n.IsDefined()) {
      load.producers = static_cast<int>(p_.Int(n, path + ".producers", 1, kMaxThreads));
    }
    if (YAML::Node n = Parser::Get(l, "rate"); n.IsDefined()) {
      if (n.IsScalar() && n.Scalar() == "unlimited") {
        load.rate.reset();
      } else {
        double rate = 0;
        if (!n.IsScalar() || !absl::SimpleAtod(n.Scalar(), &rate) || !(rate > 0) || rate > 1e7) {
          p_.Fail(n, path + ".rate",
                  absl::StrCat("expected messages per second (0 < rate <= 10000000) or "
                               "\"unlimited\", got ",
                               n.IsScalar() ? Quote(n.Scalar()) : "a collection"));
          return;
        }
        load.rate = rate;
      }
    } else {
      p_.Fail(l, path, "missing field \"rate\" (messages per second, or unlimited)");
      return;
    }
    if (YAML::Node n = Parser::Get(l, "batch"); n.IsDefined()) {
      load.batch = static_cast<int>(p_.Int(n, path + ".batch", 1, 10));
    }
    if (YAML::Node n = Parser::Get(l, "size"); n.IsDefined()) {
      load.size = p_.Dist(n, path + ".size", "B", kMaxMessageBytes);
    }
    bool fifo = load.kind != DestinationKind::kBus && absl::EndsWith(load.destination, ".fifo");
    if (YAML::Node n = Parser::Get(l, "groups"); n.IsDefined()) {
      load.groups = static_cast<int>(p_.Int(n, path + ".groups", 1, 1000000));
      if (p_.ok() && !fifo) {
        p_.Fail(n, path + ".groups", "message groups apply to FIFO queues and topics only");
      }
    }
    if (p_.ok() && fifo && load.groups < load.producers) {
      // Each group belongs to one producer so that its order is defined.
      p_.Fail(l, path,
              absl::StrCat("a FIFO load needs at least as many groups (", load.groups,
                           ") as producers (", load.producers, ")"));
    }
    for (auto [key, field] :
         {std::pair{"source", &load.source}, std::pair{"detail_type", &load.detail_type}}) {
      YAML::Node n = Parser::Get(l, key);
      if (!n.IsDefined()) continue;
      *field = p_.Name(n, absl::StrCat(path, ".", key));
      if (p_.ok() && load.kind != DestinationKind::kBus) {
        p_.Fail(n, absl::StrCat(path, ".", key), "applies to a bus load only");
      }
    }
    if (YAML::Node n = Parser::Get(l, "attributes"); n.IsDefined()) {
      ReadAttributes(n, path + ".attributes", &load);
      if (p_.ok() && load.kind != DestinationKind::kBus && load.attributes.size() > 10) {
        p_.Fail(n, path + ".attributes", "SQS and SNS messages carry at most 10 attributes");
      }
    }
    scenario_.loads.push_back(std::move(load));
  }
}

void ScenarioReader::ReadConsumers(const YAML::Node& list) {
  if (!p_.Seq(list, "consumers")) return;
  for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
    const YAML::Node& c = list[i];
    std::string path = absl::StrCat("consumers[", i, "]");
    if (!p_.Map(c, path,
                {"queue", "type", "count", "batch", "wait", "visibility_timeout", "processing",
                 "failure", "poison", "retry_delay", "window", "concurrency"})) {
      return;
    }
    ConsumerSpec spec;
    spec.line = c.Mark().line + 1;
    if (YAML::Node t = Parser::Get(c, "type"); t.IsDefined()) {
      std::string type = p_.Str(t, path + ".type");
      const ConsumerTypeInfo* info = nullptr;
      std::vector<absl::string_view> names;
      for (const ConsumerTypeInfo& candidate : ConsumerTypes()) {
        names.push_back(Absl(candidate.name));
        if (candidate.name == type) info = &candidate;
      }
      if (!p_.ok()) return;
      if (info == nullptr) {
        p_.Fail(t, path + ".type",
                absl::StrCat("unknown consumer type ", Quote(type),
                             "; expected one of: ", absl::StrJoin(names, ", ")));
        return;
      }
      spec.type = info->type;
    }
    YAML::Node queue = p_.Require(c, path, "queue");
    for (const std::string& pattern : p_.Names(queue, path + ".queue")) {
      size_t before = spec.queues.size();
      for (const std::string& name : declared_queue_order_) {
        if (MatchGlob(pattern, name)) spec.queues.push_back(name);
      }
      if (p_.ok() && spec.queues.size() == before) {
        p_.Fail(queue, path + ".queue", absl::StrCat("no declared queue matches ", Quote(pattern)));
        return;
      }
    }
    const bool mapping = spec.type == ConsumerType::kMapping;
    // Fields of the other kind of consumer.
    static constexpr std::string_view kReceiveOnly[] = {"count", "wait", "visibility_timeout",
                                                        "retry_delay"};
    static constexpr std::string_view kMappingOnly[] = {"window", "concurrency"};
    for (std::string_view key : mapping ? std::span<const std::string_view>(kReceiveOnly)
                                        : std::span<const std::string_view>(kMappingOnly)) {
      if (YAML::Node n = Parser::Get(c, Absl(key)); n.IsDefined()) {
        p_.Fail(n, absl::StrCat(path, ".", Absl(key)),
                mapping ? "applies to receive loops only: a mapping runs up to its concurrency "
                          "batches at once and a failed record comes back after the queue's "
                          "visibility timeout"
                        : "applies to type: mapping only");
        return;
      }
    }
    if (YAML::Node n = Parser::Get(c, "count"); n.IsDefined()) {
      spec.count = static_cast<int>(p_.Int(n, path + ".count", 1, kMaxThreads));
    }
    YAML::Node batch = Parser::Get(c, "batch");
    if (batch.IsDefined()) {
      spec.batch = static_cast<int>(p_.Int(batch, path + ".batch", 1, mapping ? 10000 : 10));
    }
    YAML::Node window = Parser::Get(c, "window");
    if (window.IsDefined()) {
      spec.window_seconds = static_cast<int>(p_.Int(window, path + ".window", 0, 300));
    }
    if (YAML::Node n = Parser::Get(c, "concurrency"); n.IsDefined()) {
      spec.concurrency = static_cast<int>(p_.Int(n, path + ".concurrency", 2, 1000));
    }
    if (mapping && p_.ok()) {
      // AWS's rules for BatchSize and MaximumBatchingWindowInSeconds.
      if (spec.batch > 10 && spec.window_seconds == 0) {
        p_.Fail(batch, path + ".batch",
                "a mapping's batch above 10 needs a window above 0 "
                "(MaximumBatchingWindowInSeconds)");
        return;
      }
      for (const std::string& name : spec.queues) {
        if (!name.ends_with(".fifo")) continue;
        if (spec.batch > 10) {
          p_.Fail(batch, path + ".batch", absl::StrCat("at most 10 for FIFO queue ", Quote(name)));
          return;
        }
        if (spec.window_seconds > 0) {
          p_.Fail(window, path + ".window",
                  absl::StrCat("FIFO queue ", Quote(name), " takes no batching window"));
          return;
        }
      }
    }
    if (YAML::Node n = Parser::Get(c, "wait"); n.IsDefined()) {
      spec.wait = p_.Duration(n, path + ".wait", absl::ZeroDuration(), absl::Seconds(20));
      if (p_.ok() && spec.wait != absl::Seconds(absl::ToInt64Seconds(spec.wait))) {
        p_.Fail(n, path + ".wait", "WaitTimeSeconds is a whole number of seconds");
      }
    }
    if (YAML::Node n = Parser::Get(c, "visibility_timeout"); n.IsDefined()) {
      spec.visibility_timeout = static_cast<int>(p_.Int(n, path + ".visibility_timeout", 0, 43200));
    }
    if (YAML::Node n = Parser::Get(c, "processing"); n.IsDefined()) {
      spec.processing = p_.Dist(n, path + ".processing", "ns", 3600e9);
    }
    if (YAML::Node n = Parser::Get(c, "failure"); n.IsDefined()) {
      spec.failure = p_.Real(n, path + ".failure", 0, 1);
    }
    if (YAML::Node n = Parser::Get(c, "poison"); n.IsDefined()) {
      spec.poison = p_.Real(n, path + ".poison", 0, 1);
    }
    if (YAML::Node n = Parser::Get(c, "retry_delay"); n.IsDefined()) {
      spec.retry_delay =
          p_.Duration(n, path + ".retry_delay", absl::ZeroDuration(), absl::Hours(12));
      if (p_.ok() && *spec.retry_delay != absl::Seconds(absl::ToInt64Seconds(*spec.retry_delay))) {
        p_.Fail(n, path + ".retry_delay", "a visibility timeout is a whole number of seconds");
      }
    }
    int64_t threads = 0;
    for (const ConsumerSpec& other : scenario_.consumers) {
      threads += ReceiveThreads(other);
    }
    threads += ReceiveThreads(spec);
    if (p_.ok() && threads > 4 * kMaxThreads) {
      p_.Fail(
          c, path,
          absl::StrCat("the consumers need ", threads, " threads, more than ", 4 * kMaxThreads));
    }
    scenario_.consumers.push_back(std::move(spec));
  }
}

}  // namespace wharf::bench::scenario_internal
