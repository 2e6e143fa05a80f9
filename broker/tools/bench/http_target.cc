#include "broker/tools/bench/http_target.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/json.h"
#include "broker/tools/bench/aws_client.h"
#include "broker/tools/bench/text.h"

namespace wharf::bench {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// A JSON request body under construction.
class Json {
 public:
  Json() : writer_(buffer_) { writer_.StartObject(); }

  Json& Key(std::string_view key) {
    writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    return *this;
  }
  Json& Str(std::string_view key, std::string_view value) {
    Key(key);
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return *this;
  }
  Json& Int(std::string_view key, int64_t value) {
    Key(key);
    writer_.Int64(value);
    return *this;
  }
  Json& StrMap(std::string_view key, const std::map<std::string, std::string>& map) {
    Key(key);
    writer_.StartObject();
    for (const auto& [k, v] : map) Str(k, v);
    writer_.EndObject();
    return *this;
  }
  Json& StrList(std::string_view key, const std::vector<std::string>& list) {
    Key(key);
    writer_.StartArray();
    for (const std::string& s : list) {
      writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    }
    writer_.EndArray();
    return *this;
  }
  rapidjson::Writer<rapidjson::StringBuffer>& writer() { return writer_; }

  std::string Done() {
    writer_.EndObject();
    return std::string(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// SendMessage(Batch) fields of one message, inside an open object.
void WriteSqsMessage(const OutMessage& m, Json* json) {
  json->Str("MessageBody", m.body);
  if (!m.attributes.empty()) {
    json->Key("MessageAttributes");
    json->writer().StartObject();
    for (const MessageAttribute& a : m.attributes) {
      json->Key(a.name);
      json->writer().StartObject();
      json->Str("DataType", a.number ? "Number" : "String").Str("StringValue", a.value);
      json->writer().EndObject();
    }
    json->writer().EndObject();
  }
  if (!m.group_id.empty()) json->Str("MessageGroupId", m.group_id);
  if (!m.dedup_id.empty()) json->Str("MessageDeduplicationId", m.dedup_id);
}

// Publish(Batch) parameters of one message under `prefix` ("" or
// "PublishBatchRequestEntries.member.N.").
void AddSnsMessage(const OutMessage& m, const std::string& prefix, Params* params) {
  params->emplace_back(prefix + "Message", m.body);
  for (size_t i = 0; i < m.attributes.size(); ++i) {
    std::string entry = absl::StrCat(prefix, "MessageAttributes.entry.", i + 1, ".");
    params->emplace_back(entry + "Name", m.attributes[i].name);
    params->emplace_back(entry + "Value.DataType", m.attributes[i].number ? "Number" : "String");
    params->emplace_back(entry + "Value.StringValue", m.attributes[i].value);
  }
  if (!m.group_id.empty()) params->emplace_back(prefix + "MessageGroupId", m.group_id);
  if (!m.dedup_id.empty()) params->emplace_back(prefix + "MessageDeduplicationId", m.dedup_id);
}

void AddAttributes(const std::map<std::string, std::string>& attrs, Params* params) {
  int n = 0;
  for (const auto& [key, value] : attrs) {
    ++n;
    params->emplace_back(absl::StrCat("Attributes.entry.", n, ".key"), key);
    params->emplace_back(absl::StrCat("Attributes.entry.", n, ".value"), value);
  }
}

// "Code: message" of a failed batch entry.
std::string ErrorOf(simdjson::dom::element entry, const char* code_field,
                    const char* message_field) {
  std::string_view code = "UnknownError";
  std::string_view message;
  if (entry[code_field].get(code) != simdjson::SUCCESS) code = "UnknownError";
  if (entry[message_field].get(message) != simdjson::SUCCESS) message = "";
  return absl::StrCat(Absl(code), ": ", Absl(message));
}

absl::Status Malformed(std::string_view action) {
  return absl::DataLossError(absl::StrCat("malformed ", Absl(action), " response"));
}

// Counts the entries of a JSON batch answer's "Failed" array.
absl::StatusOr<BatchOutcome> SqsBatchOutcome(simdjson::dom::parser& parser, const std::string& body,
                                             std::string_view action) {
  simdjson::dom::element root;
  if (base_internal::ParseJson(parser, body, &root) != simdjson::SUCCESS) return Malformed(action);
  BatchOutcome outcome;
  simdjson::dom::array failed;
  if (root["Failed"].get(failed) == simdjson::SUCCESS) {
    for (simdjson::dom::element entry : failed) {
      if (outcome.failed++ == 0) {
        outcome.first_error = ErrorOf(entry, "Code", "Message");
      }
    }
  }
  return outcome;
}

class HttpControl final : public ControlPlane {
 public:
  explicit HttpControl(AwsClientOptions options) : client_(std::move(options)) {}

  absl::StatusOr<QueueRef> CreateQueue(const std::string& name,
                                       const std::map<std::string, std::string>& attrs) override {
    Json create;
    create.Str("QueueName", name);
    if (!attrs.empty()) create.StrMap("Attributes", attrs);
    absl::StatusOr<std::string> body = client_.Sqs("CreateQueue", create.Done());
    if (!body.ok()) return body.status();
    QueueRef ref;
    simdjson::dom::element root;
    std::string_view url;
    if (base_internal::ParseJson(parser_, *body, &root) != simdjson::SUCCESS ||
        root["QueueUrl"].get(url) != simdjson::SUCCESS) {
      return Malformed("CreateQueue");
    }
    ref.url = std::string(url);
    body =
        client_.Sqs("GetQueueAttributes",
                    Json().Str("QueueUrl", ref.url).StrList("AttributeNames", {"QueueArn"}).Done());
    if (!body.ok()) return body.status();
    std::string_view arn;
    if (base_internal::ParseJson(parser_, *body, &root) != simdjson::SUCCESS ||
        root["Attributes"]["QueueArn"].get(arn) != simdjson::SUCCESS) {
      return Malformed("GetQueueAttributes");
    }
    ref.arn = std::string(arn);
    return ref;
  }

  absl::Status SetQueueAttributes(const std::string& url,
                                  const std::map<std::string, std::string>& attrs) override {
    return client_
        .Sqs("SetQueueAttributes", Json().Str("QueueUrl", url).StrMap("Attributes", attrs).Done())
        .status();
  }

  absl::Status DeleteQueue(const std::string& url) override {
    return client_.Sqs("DeleteQueue", Json().Str("QueueUrl", url).Done()).status();
  }

  absl::StatusOr<std::string> CreateTopic(
      const std::string& name, const std::map<std::string, std::string>& attrs) override {
    Params params = {{"Name", name}};
    AddAttributes(attrs, &params);
    absl::StatusOr<std::string> xml = client_.Sns("CreateTopic", params);
    if (!xml.ok()) return xml.status();
    std::optional<std::string> arn = XmlText(*xml, "TopicArn");
    if (!arn) return Malformed("CreateTopic");
    return *arn;
  }

  absl::StatusOr<std::string> Subscribe(const std::string& topic_arn, const std::string& queue_arn,
                                        const std::map<std::string, std::string>& attrs) override {
    Params params = {{"TopicArn", topic_arn},
                     {"Protocol", "sqs"},
                     {"Endpoint", queue_arn},
                     {"ReturnSubscriptionArn", "true"}};
    AddAttributes(attrs, &params);
    absl::StatusOr<std::string> xml = client_.Sns("Subscribe", params);
    if (!xml.ok()) return xml.status();
    std::optional<std::string> arn = XmlText(*xml, "SubscriptionArn");
    if (!arn) return Malformed("Subscribe");
    return *arn;
  }

  absl::Status DeleteTopic(const std::string& arn) override {
    return client_.Sns("DeleteTopic", {{"TopicArn", arn}}).status();
  }

  absl::Status CreateEventBus(const std::string& name) override {
    return client_.Events("CreateEventBus", Json().Str("Name", name).Done()).status();
  }

  absl::Status PutRule(const std::string& bus, const std::string& name,
                       const std::string& pattern) override {
    return client_
        .Events("PutRule", Json()
                               .Str("Name", name)
                               .Str("EventBusName", bus)
                               .Str("EventPattern", pattern)
                               .Str("State", "ENABLED")
                               .Done())
        .status();
  }

  absl::Status PutTargets(const std::string& bus, const std::string& rule,
                          const std::vector<RuleTarget>& targets) override {
    Json json;
    json.Str("Rule", rule).Str("EventBusName", bus).Key("Targets");
    json.writer().StartArray();
    for (const RuleTarget& t : targets) {
      json.writer().StartObject();
      json.Str("Id", t.id).Str("Arn", t.arn);
      if (!t.message_group_id.empty()) {
        json.Key("SqsParameters");
        json.writer().StartObject();
        json.Str("MessageGroupId", t.message_group_id);
        json.writer().EndObject();
      }
      json.writer().EndObject();
    }
    json.writer().EndArray();
    absl::StatusOr<std::string> body = client_.Events("PutTargets", json.Done());
    if (!body.ok()) return body.status();
    simdjson::dom::element root;
    int64_t failed = 0;
    if (base_internal::ParseJson(parser_, *body, &root) != simdjson::SUCCESS)
      return Malformed("PutTargets");
    if (root["FailedEntryCount"].get(failed) == simdjson::SUCCESS && failed > 0) {
      simdjson::dom::element entry;
      std::string error = "PutTargets failed";
      if (root["FailedEntries"].at(0).get(entry) == simdjson::SUCCESS) {
        error = ErrorOf(entry, "ErrorCode", "ErrorMessage");
      }
      return absl::InvalidArgumentError(error);
    }
    return absl::OkStatus();
  }

  absl::Status DeleteRule(const std::string& bus, const std::string& rule,
                          const std::vector<std::string>& target_ids) override {
    if (!target_ids.empty()) {
      absl::Status s = client_
                           .Events("RemoveTargets", Json()
                                                        .Str("Rule", rule)
                                                        .Str("EventBusName", bus)
                                                        .StrList("Ids", target_ids)
                                                        .Done())
                           .status();
      if (!s.ok()) return s;
    }
    return client_.Events("DeleteRule", Json().Str("Name", rule).Str("EventBusName", bus).Done())
        .status();
  }

  absl::Status DeleteEventBus(const std::string& name) override {
    return client_.Events("DeleteEventBus", Json().Str("Name", name).Done()).status();
  }

 private:
  AwsClient client_;
  simdjson::dom::parser parser_;
};

class HttpSession final : public Session {
 public:
  HttpSession(AwsClientOptions options, const Topology& topology)
      : client_(std::move(options)), topology_(topology) {}

  absl::StatusOr<BatchOutcome> Send(const Destination& to,
                                    std::span<const OutMessage> batch) override {
    switch (to.kind) {
      case DestinationKind::kQueue: {
        const std::string& url = topology_.queues[to.index].url;
        Json json;
        json.Str("QueueUrl", url);
        if (batch.size() == 1) {
          WriteSqsMessage(batch.front(), &json);
          absl::StatusOr<std::string> body = client_.Sqs("SendMessage", json.Done());
          if (!body.ok()) return body.status();
          return BatchOutcome();
        }
        json.Key("Entries");
        json.writer().StartArray();
        for (size_t i = 0; i < batch.size(); ++i) {
          json.writer().StartObject();
          json.Str("Id", absl::StrCat(i));
          WriteSqsMessage(batch[i], &json);
          json.writer().EndObject();
        }
        json.writer().EndArray();
        absl::StatusOr<std::string> body = client_.Sqs("SendMessageBatch", json.Done());
        if (!body.ok()) return body.status();
        return SqsBatchOutcome(parser_, *body, "SendMessageBatch");
      }
      case DestinationKind::kTopic: {
        Params params = {{"TopicArn", topology_.topic_arns[to.index]}};
        if (batch.size() == 1) {
          AddSnsMessage(batch.front(), "", &params);
          absl::StatusOr<std::string> xml = client_.Sns("Publish", params);
          if (!xml.ok()) return xml.status();
          return BatchOutcome();
        }
        for (size_t i = 0; i < batch.size(); ++i) {
          std::string prefix = absl::StrCat("PublishBatchRequestEntries.member.", i + 1, ".");
          params.emplace_back(prefix + "Id", absl::StrCat(i));
          AddSnsMessage(batch[i], prefix, &params);
        }
        absl::StatusOr<std::string> xml = client_.Sns("PublishBatch", params);
        if (!xml.ok()) return xml.status();
        BatchOutcome outcome;
        outcome.failed = XmlCountMembers(*xml, "Failed");
        if (outcome.failed > 0) {
          outcome.first_error = absl::StrCat(XmlText(*xml, "Code").value_or(""), ": ",
                                             XmlText(*xml, "Message").value_or(""));
        }
        return outcome;
      }
      case DestinationKind::kBus: {
        Json json;
        json.Key("Entries");
        json.writer().StartArray();
        for (const OutMessage& m : batch) {
          json.writer().StartObject();
          json.Str("Source", to.source)
              .Str("DetailType", to.detail_type)
              .Str("Detail", m.body)
              .Str("EventBusName", topology_.bus_names[to.index]);
          json.writer().EndObject();
        }
        json.writer().EndArray();
        absl::StatusOr<std::string> body = client_.Events("PutEvents", json.Done());
        if (!body.ok()) return body.status();
        simdjson::dom::element root;
        if (base_internal::ParseJson(parser_, *body, &root) != simdjson::SUCCESS)
          return Malformed("PutEvents");
        BatchOutcome outcome;
        int64_t failed = 0;
        if (root["FailedEntryCount"].get(failed) == simdjson::SUCCESS && failed > 0) {
          outcome.failed = static_cast<int>(failed);
          simdjson::dom::array entries;
          if (root["Entries"].get(entries) == simdjson::SUCCESS) {
            for (simdjson::dom::element e : entries) {
              if (e["ErrorCode"].error() != simdjson::SUCCESS) continue;
              outcome.first_error = ErrorOf(e, "ErrorCode", "ErrorMessage");
              break;
            }
          }
        }
        return outcome;
      }
    }
    return BatchOutcome();
  }

  absl::Status Receive(int queue, const ReceiveOptions& options,
                       std::vector<InMessage>* out) override {
    Json json;
    json.Str("QueueUrl", topology_.queues[queue].url)
        .Int("MaxNumberOfMessages", options.max_messages)
        .Int("WaitTimeSeconds", options.wait_seconds)
        .StrList("AttributeNames", {"ApproximateReceiveCount"});
    if (options.visibility_timeout) json.Int("VisibilityTimeout", *options.visibility_timeout);
    absl::StatusOr<std::string> body = client_.Sqs("ReceiveMessage", json.Done());
    if (!body.ok()) return body.status();
    simdjson::dom::element root;
    if (base_internal::ParseJson(parser_, *body, &root) != simdjson::SUCCESS)
      return Malformed("ReceiveMessage");
    simdjson::dom::array messages;
    if (root["Messages"].get(messages) != simdjson::SUCCESS) return absl::OkStatus();
    for (simdjson::dom::element m : messages) {
      std::string_view text;
      std::string_view handle;
      if (m["Body"].get(text) != simdjson::SUCCESS ||
          m["ReceiptHandle"].get(handle) != simdjson::SUCCESS) {
        return Malformed("ReceiveMessage");
      }
      InMessage in{.body = std::string(text), .receipt_handle = std::string(handle)};
      std::string_view count;
      if (m["Attributes"]["ApproximateReceiveCount"].get(count) != simdjson::SUCCESS ||
          !absl::SimpleAtoi(Absl(count), &in.receive_count)) {
        in.receive_count = 1;
      }
      out->push_back(std::move(in));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<BatchOutcome> Delete(int queue,
                                      std::span<const std::string> receipt_handles) override {
    return HandleBatch("DeleteMessageBatch", queue, receipt_handles, std::nullopt);
  }

  absl::StatusOr<BatchOutcome> ChangeVisibility(int queue,
                                                std::span<const std::string> receipt_handles,
                                                int seconds) override {
    return HandleBatch("ChangeMessageVisibilityBatch", queue, receipt_handles, seconds);
  }

  absl::StatusOr<QueueDepth> Depth(int queue) override {
    absl::StatusOr<std::string> body =
        client_.Sqs("GetQueueAttributes",
                    Json()
                        .Str("QueueUrl", topology_.queues[queue].url)
                        .StrList("AttributeNames", {"ApproximateNumberOfMessages",
                                                    "ApproximateNumberOfMessagesNotVisible",
                                                    "ApproximateNumberOfMessagesDelayed"})
                        .Done());
    if (!body.ok()) return body.status();
    simdjson::dom::element root;
    if (base_internal::ParseJson(parser_, *body, &root) != simdjson::SUCCESS)
      return Malformed("GetQueueAttributes");
    QueueDepth depth;
    for (auto [name, field] : {std::pair{"ApproximateNumberOfMessages", &depth.visible},
                               std::pair{"ApproximateNumberOfMessagesNotVisible", &depth.in_flight},
                               std::pair{"ApproximateNumberOfMessagesDelayed", &depth.delayed}}) {
      std::string_view value;
      if (root["Attributes"][name].get(value) == simdjson::SUCCESS) {
        (void)absl::SimpleAtoi(Absl(value), field);
      }
    }
    return depth;
  }

 private:
  absl::StatusOr<BatchOutcome> HandleBatch(std::string_view action, int queue,
                                           std::span<const std::string> receipt_handles,
                                           std::optional<int> visibility) {
    Json json;
    json.Str("QueueUrl", topology_.queues[queue].url).Key("Entries");
    json.writer().StartArray();
    for (size_t i = 0; i < receipt_handles.size(); ++i) {
      json.writer().StartObject();
      json.Str("Id", absl::StrCat(i)).Str("ReceiptHandle", receipt_handles[i]);
      if (visibility) json.Int("VisibilityTimeout", *visibility);
      json.writer().EndObject();
    }
    json.writer().EndArray();
    absl::StatusOr<std::string> body = client_.Sqs(action, json.Done());
    if (!body.ok()) return body.status();
    return SqsBatchOutcome(parser_, *body, action);
  }

  AwsClient client_;
  const Topology& topology_;
  simdjson::dom::parser parser_;
};

class HttpTarget final : public AwsTarget {
 public:
  explicit HttpTarget(AwsClientOptions options)
      : url_(absl::StrCat(options.url.tls ? "https://" : "http://", options.url.HostHeader(),
                          options.url.path == "/" ? "" : options.url.path)),
        options_(std::move(options)),
        control_(options_) {}

  std::string name() const override { return url_; }

  absl::StatusOr<std::unique_ptr<Session>> NewSession() override {
    return std::make_unique<HttpSession>(options_, topology());
  }

 protected:
  ControlPlane& control() override { return control_; }

 private:
  const std::string url_;
  const AwsClientOptions options_;
  HttpControl control_;  // Used by Setup and Teardown only (one thread).
};

}  // namespace

absl::StatusOr<std::unique_ptr<Target>> MakeHttpTarget(std::string_view url) {
  absl::StatusOr<AwsClientOptions> options = AwsClientOptions::FromEnvironment(url);
  if (!options.ok()) return options.status();
  return MakeHttpTarget(*std::move(options));
}

std::unique_ptr<Target> MakeHttpTarget(AwsClientOptions options) {
  return std::make_unique<HttpTarget>(std::move(options));
}

}  // namespace wharf::bench
