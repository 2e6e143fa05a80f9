#include "broker/tools/server_config.h"

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/json.h"
#include "broker/wire/apis.h"
#include "broker/wire/json_codec.h"
#include "broker/wire/queue_url_mapper.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace wharf::tools {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

using Words = std::vector<std::string>;

// Splits a configuration line into words: blanks separate, '#' outside
// quotes ends the line, "..." groups (with \" and \\).
absl::Status SplitWords(const std::string& line, Words* words) {
  std::string word;
  bool in_word = false;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size()) {
        word.push_back(line[++i]);
      } else if (c == '"') {
        quoted = false;
      } else {
        word.push_back(c);
      }
      continue;
    }
    if (c == '#') break;
    if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) words->push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '"') {
      quoted = true;
    } else {
      word.push_back(c);
    }
  }
  if (quoted) return absl::InvalidArgumentError("unterminated quote");
  if (in_word) words->push_back(std::move(word));
  return absl::OkStatus();
}

// The input members of one operation, written as the JSON object the table
// decodes.
class Members {
 public:
  Members() : writer_(buffer_) { writer_.StartObject(); }

  void Str(std::string_view name, std::string_view value) {
    Key(name);
    String(value);
  }
  void Map(std::string_view name, const std::map<std::string, std::string>& map) {
    if (map.empty()) return;
    Key(name);
    writer_.StartObject();
    for (const auto& [key, value] : map) {
      Key(key);
      String(value);
    }
    writer_.EndObject();
  }
  // [{<key_name>: key, <value_name>: value}...], e.g. Tags or Targets.
  void Pairs(std::string_view name, std::string_view key_name, std::string_view value_name,
             const std::vector<std::pair<std::string, std::string>>& pairs) {
    if (pairs.empty()) return;
    Key(name);
    writer_.StartArray();
    for (const auto& [key, value] : pairs) {
      writer_.StartObject();
      Str(key_name, key);
      Str(value_name, value);
      writer_.EndObject();
    }
    writer_.EndArray();
  }
  std::string Json() {
    writer_.EndObject();
    return std::string(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  void Key(std::string_view key) { wire::WriteJsonString(writer_, key, /*key=*/true); }
  void String(std::string_view value) { wire::WriteJsonString(writer_, value); }

  rapidjson::StringBuffer buffer_;
  wire::JsonWriter writer_;
};

// Splits "key=value" (or "key:sub=value"); false when there is no '='.
bool SplitSetting(const std::string& word, std::string* key, std::string* value) {
  size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *key = word.substr(0, eq);
  *value = word.substr(eq + 1);
  return true;
}

absl::Status Expected(std::string_view directive, std::string_view what, const std::string& word) {
  return absl::InvalidArgumentError(
      absl::StrCat(Absl(directive), ": expected ", Absl(what), ", got '", word, "'"));
}

// Runs `operation` with `members`; an AWS error is prefixed with `where`.
absl::StatusOr<std::string> Call(const wire::Api& api, std::string_view operation, Members& members,
                                 std::string_view where) {
  absl::StatusOr<std::string> result = wire::CallOperation(api, operation, members.Json());
  if (!result.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(Absl(where), ": ", result.status().message()));
  }
  return result;
}

// Attribute=value settings and tag:key=value tags (queue, topic).
absl::Status AttributesAndTags(const Words& words, size_t first, std::string_view directive,
                               std::map<std::string, std::string>* attributes,
                               std::vector<std::pair<std::string, std::string>>* tags) {
  for (size_t i = first; i < words.size(); ++i) {
    std::string key;
    std::string value;
    if (!SplitSetting(words[i], &key, &value)) {
      return Expected(directive, "Attribute=value", words[i]);
    }
    if (key.rfind("tag:", 0) == 0) {
      tags->emplace_back(key.substr(4), value);
    } else {
      (*attributes)[key] = value;
    }
  }
  return absl::OkStatus();
}

class Config {
 public:
  Config(Broker& broker, std::map<std::string, std::string>* credentials)
      : broker_(broker),
        credentials_(credentials),
        urls_("http://wharf.local", "http://wharf.local"),
        sqs_(wire::MakeSqsApi(broker.sqs(), urls_)),
        sns_(wire::MakeSnsApi(broker.sns())),
        events_(wire::MakeEventsApi(broker.events())) {}

  absl::Status Apply(const Words& words) {
    const std::string& directive = words[0];
    if (directive == "queue") return Queue(words);
    if (directive == "bus") return Bus(words);
    if (directive == "rule") return Rule(words);
    if (directive == "topic") return Topic(words);
    if (directive == "subscription") return Subscription(words);
    if (directive == "credential") {
      if (words.size() != 3) {
        return absl::InvalidArgumentError("credential: want <access-key-id> <secret>");
      }
      (*credentials_)[words[1]] = words[2];
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown directive '", directive, "'"));
  }

 private:
  // "queue <name> [Attr=value | tag:key=value]..."
  absl::Status Queue(const Words& words) {
    if (words.size() < 2) return absl::InvalidArgumentError("queue: missing queue name");
    std::map<std::string, std::string> attributes;
    std::vector<std::pair<std::string, std::string>> tags;
    if (absl::Status s = AttributesAndTags(words, 2, "queue", &attributes, &tags); !s.ok()) {
      return s;
    }
    Members members;
    members.Str("QueueName", words[1]);
    members.Map("Attributes", attributes);
    members.Map("tags", std::map<std::string, std::string>(tags.begin(), tags.end()));
    return Call(*sqs_, "CreateQueue", members, absl::StrCat("queue ", words[1])).status();
  }

  // "bus <name> [description=<text>] [tag:<key>=<value>]..."
  absl::Status Bus(const Words& words) {
    if (words.size() < 2) return absl::InvalidArgumentError("bus: missing bus name");
    Members members;
    members.Str("Name", words[1]);
    std::vector<std::pair<std::string, std::string>> tags;
    for (size_t i = 2; i < words.size(); ++i) {
      std::string key;
      std::string value;
      if (!SplitSetting(words[i], &key, &value)) {
        return Expected("bus", "description=... or tag:key=value", words[i]);
      }
      if (key == "description") {
        members.Str("Description", value);
      } else if (key.rfind("tag:", 0) == 0) {
        tags.emplace_back(key.substr(4), value);
      } else {
        return absl::InvalidArgumentError(absl::StrCat("bus: unknown setting '", key, "'"));
      }
    }
    members.Pairs("Tags", "Key", "Value", tags);
    return Call(*events_, "CreateEventBus", members, absl::StrCat("bus ", words[1])).status();
  }

  // "rule <bus> <name> [pattern=..] [schedule=..] [state=..] [description=..]
  //  [target=<arn> | target:<id>=<arn>]..."
  absl::Status Rule(const Words& words) {
    if (words.size() < 3) return absl::InvalidArgumentError("rule: want <bus> <name> [settings]");
    static const std::map<std::string, std::string> kSettings = {{"pattern", "EventPattern"},
                                                                 {"schedule", "ScheduleExpression"},
                                                                 {"state", "State"},
                                                                 {"description", "Description"}};
    Members rule;
    rule.Str("EventBusName", words[1]);
    rule.Str("Name", words[2]);
    std::vector<std::pair<std::string, std::string>> targets;
    for (size_t i = 3; i < words.size(); ++i) {
      std::string key;
      std::string value;
      if (!SplitSetting(words[i], &key, &value)) return Expected("rule", "setting=value", words[i]);
      if (auto member = kSettings.find(key); member != kSettings.end()) {
        rule.Str(member->second, value);
      } else if (key == "target" || key.rfind("target:", 0) == 0) {
        targets.emplace_back(
            key == "target" ? absl::StrCat("t", targets.size() + 1) : key.substr(7), value);
      } else {
        return absl::InvalidArgumentError(absl::StrCat("rule: unknown setting '", key, "'"));
      }
    }
    const std::string where = absl::StrCat("rule ", words[1], "/", words[2]);
    if (absl::Status s = Call(*events_, "PutRule", rule, where).status(); !s.ok()) return s;
    if (targets.empty()) return absl::OkStatus();
    Members put;
    put.Str("Rule", words[2]);
    put.Str("EventBusName", words[1]);
    put.Pairs("Targets", "Id", "Arn", targets);
    absl::StatusOr<std::string> result = Call(*events_, "PutTargets", put, where);
    if (!result.ok()) return result.status();
    // {"FailedEntryCount":N,"FailedEntries":[{"TargetId":..,"ErrorMessage":..}]}
    rapidjson::Document answer;
    if (!base_internal::ParseJson(*result, &answer) || !answer.IsObject()) {
      return absl::InternalError(absl::StrCat(where, ": unreadable PutTargets answer"));
    }
    const rapidjson::Value& failed = answer["FailedEntries"];
    if (!failed.IsArray() || failed.Empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(where, ": target ",
                                                   failed[0]["TargetId"].GetString(), ": ",
                                                   failed[0]["ErrorMessage"].GetString()));
  }

  // "topic <name> [Attr=value | tag:key=value]..."
  absl::Status Topic(const Words& words) {
    if (words.size() < 2) return absl::InvalidArgumentError("topic: missing topic name");
    std::map<std::string, std::string> attributes;
    std::vector<std::pair<std::string, std::string>> tags;
    if (absl::Status s = AttributesAndTags(words, 2, "topic", &attributes, &tags); !s.ok()) {
      return s;
    }
    Members members;
    members.Str("Name", words[1]);
    members.Map("Attributes", attributes);
    members.Pairs("Tags", "Key", "Value", tags);
    return Call(*sns_, "CreateTopic", members, absl::StrCat("topic ", words[1])).status();
  }

  // "subscription <topic> <protocol> <endpoint> [Attr=value]...". The topic
  // and an sqs endpoint may be given by name instead of ARN.
  absl::Status Subscription(const Words& words) {
    if (words.size() < 4) {
      return absl::InvalidArgumentError("subscription: want <topic> <protocol> <endpoint>");
    }
    const BrokerOptions& options = broker_.options();
    auto arn = [&](const char* service, const std::string& name) -> std::string {
      if (name.rfind("arn:", 0) == 0) return name;
      return absl::StrCat("arn:aws:", service, ":", options.region, ":", options.account_id, ":",
                          name);
    };
    std::map<std::string, std::string> attributes;
    for (size_t i = 4; i < words.size(); ++i) {
      std::string key;
      std::string value;
      if (!SplitSetting(words[i], &key, &value)) {
        return Expected("subscription", "Attribute=value", words[i]);
      }
      attributes[key] = value;
    }
    Members members;
    members.Str("TopicArn", arn("sns", words[1]));
    members.Str("Protocol", words[2]);
    members.Str("Endpoint", words[2] == "sqs" ? arn("sqs", words[3]) : words[3]);
    members.Map("Attributes", attributes);
    return Call(*sns_, "Subscribe", members, absl::StrCat("subscription ", words[1], " ", words[3]))
        .status();
  }

  Broker& broker_;
  std::map<std::string, std::string>* credentials_;
  const wire::QueueUrlMapper urls_;
  const std::shared_ptr<const wire::Api> sqs_;
  const std::shared_ptr<const wire::Api> sns_;
  const std::shared_ptr<const wire::Api> events_;
};

}  // namespace

absl::Status ApplyConfig(std::istream& in, std::string_view source, Broker& broker,
                         std::map<std::string, std::string>* credentials) {
  Config config(broker, credentials);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    Words words;
    absl::Status status = SplitWords(line, &words);
    if (status.ok() && !words.empty()) status = config.Apply(words);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Absl(source), ":", number, ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace wharf::tools
