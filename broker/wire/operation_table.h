// OperationTable: a service's operations, each mapped once for every
// protocol. An operation is a Runner; most are RunOp instances, which decode
// the request struct of the service's API (include/wharf/*.h) from the Input,
// call the service and encode the result to the Output:
//
//   bool DecodeSendMessage(Input& in, sqs::SendMessageRequest& r);
//   void EncodeSendMessage(Output& out, const sqs::SendMessageResult& r);
//   std::shared_ptr<const Api> table = MakeOperationTable(model, target, {
//       {"SendMessage",
//        RunOp<DecodeSendMessage, &sqs::Service::SendMessage, EncodeSendMessage>},
//   });
//
// The Target is the service plus what its operations share besides the
// request (SQS: the queue URL mapper); its Prepare(Exchange&, Request&) runs
// before decoding, its Complete(const Exchange&, Request&), if it has one,
// after decoding (what a request takes from HTTP headers), and its
// Adjust(Result&) before encoding, so that what every operation of a service
// does alike (SQS queue URLs) is written once.
//
// Thread safety: immutable after construction; thread-safe if the service is.

#ifndef WHARF_BROKER_WIRE_OPERATION_TABLE_H_
#define WHARF_BROKER_WIRE_OPERATION_TABLE_H_

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/base/text.h"
#include "broker/wire/codec.h"

namespace wharf::wire {

// The target of a service without hooks.
template <typename S>
struct ServiceTarget {
  S& service;
  template <typename Request>
  bool Prepare(Exchange&, Request&) const {
    return true;
  }
  template <typename Result>
  void Adjust(Result&) const {}
};

template <typename Target>
class OperationTable final : public Api {
 public:
  // Runs one operation on the exchange and answers it.
  using Runner = void (*)(const Target& target, ExchangePtr exchange);
  struct Operation {
    const char* name;
    Runner run;
  };

  // `model` must outlive the table (a constant of the service's file).
  OperationTable(const ServiceModel& model, Target target,
                 std::initializer_list<Operation> operations)
      : model_(model), target_(std::move(target)) {
    for (const Operation& operation : operations) runners_[operation.name] = operation.run;
  }

  const ServiceModel& model() const override { return model_; }
  bool Has(std::string_view operation) const override {
    return runners_.contains(absl::string_view(operation.data(), operation.size()));
  }
  void Run(std::string_view operation, ExchangePtr exchange) const override {
    auto it = runners_.find(absl::string_view(operation.data(), operation.size()));
    if (it == runners_.end()) return exchange->Reply(UnknownOperationError("action", operation));
    it->second(target_, std::move(exchange));
  }

 private:
  const ServiceModel& model_;
  const Target target_;
  absl::flat_hash_map<absl::string_view, Runner> runners_;
};

template <typename Target>
std::shared_ptr<const Api> MakeOperationTable(
    const ServiceModel& model, Target target,
    std::initializer_list<typename OperationTable<Target>::Operation> operations) {
  return std::make_shared<OperationTable<Target>>(model, std::move(target), operations);
}

namespace operation_internal {

template <typename Call>
struct CallTraits;
template <typename S, typename Res, typename Req>
struct CallTraits<Res (S::*)(const Req&)> {
  using Request = Req;
};

template <typename T>
inline constexpr bool kIsStatusOr = false;
template <typename T>
inline constexpr bool kIsStatusOr<absl::StatusOr<T>> = true;

}  // namespace operation_internal

// Answers `exchange` with a service call's outcome: its error, or its result
// encoded by kEncode (void(Output&, const Result&) or, when the output echoes
// the request, void(Output&, const Result&, const Request&); for a call that
// returns absl::Status, void(Output&) or nullptr for no result element).
template <auto kEncode, typename Request, typename Outcome>
void Answer(Exchange& exchange, const Request& request, const Outcome& outcome) {
  if constexpr (operation_internal::kIsStatusOr<Outcome>) {
    if (!outcome.ok()) return exchange.Reply(outcome.status());
  } else {
    if (!outcome.ok()) return exchange.Reply(outcome);
  }
  if constexpr (operation_internal::kIsStatusOr<Outcome>) {
    using Result = typename Outcome::value_type;
    if constexpr (std::is_invocable_v<decltype(kEncode), Output&, const Result&, const Request&>) {
      kEncode(exchange.output(), *outcome, request);
    } else {
      kEncode(exchange.output(), *outcome);
    }
  } else if constexpr (!std::is_null_pointer_v<decltype(kEncode)>) {
    kEncode(exchange.output());
  }
  exchange.Reply();
}

// The usual operation: kDecode (bool(Input&, Request&), or nullptr when the
// target's Prepare reads every member), the service method kCall, kEncode as
// for Answer.
template <auto kDecode, auto kCall, auto kEncode = nullptr, typename Target>
void RunOp(const Target& target, ExchangePtr exchange) {
  typename operation_internal::CallTraits<decltype(kCall)>::Request request;
  if (!target.Prepare(*exchange, request)) return exchange->ReplyDecodeError();
  if constexpr (!std::is_null_pointer_v<decltype(kDecode)>) {
    if (!kDecode(exchange->input(), request)) return exchange->ReplyDecodeError();
  }
  if constexpr (requires { target.Complete(*exchange, request); }) {
    target.Complete(*exchange, request);
  }
  auto outcome = (target.service.*kCall)(request);
  if constexpr (operation_internal::kIsStatusOr<decltype(outcome)>) {
    if (outcome.ok()) target.Adjust(*outcome);
  }
  Answer<kEncode>(*exchange, request, outcome);
}

// Tags of SNS and CloudWatch: [{"Key": .., "Value": ..}] in JSON,
// "Tags.member.N.Key" on the query protocol; the service checks them.
template <typename Tag>
bool DecodeTags(Input& in, std::vector<Tag>* tags) {
  return in.List("Tags", [&](Input& element) {
    Tag& tag = tags->emplace_back();
    return element.Str("Key", &tag.key) && element.Str("Value", &tag.value);
  });
}

// ListTagsForResource of SNS and EventBridge: the tags as DecodeTags reads
// them ("<Tags><member><Key>" in XML).
template <typename Result>
void EncodeListTagsForResource(Output& out, const Result& r) {
  out.List("Tags", r.tags, [&](const auto& tag) {
    out.Str("Key", tag.key);
    out.Str("Value", tag.value);
  });
}

// The X-Ray trace header of the HTTP request (X-Amzn-Trace-Id), which SQS
// and SNS give the messages a request sends as their AWSTraceHeader (LocalStack
// test_aws_trace_header_propagation and
// test_publish_sqs_from_sns_with_xray_propagation, AWS-validated). Empty when
// absent or when it is not text a message can carry.
inline std::string_view XRayTraceHeader(const HttpRequest& request) {
  std::string_view trace = request.Header("x-amzn-trace-id");
  return base_internal::IsXmlText(trace) ? trace : std::string_view();
}

// Message attributes of SQS and SNS: {"name": {"DataType": .., "StringValue":
// .., "BinaryValue": base64}} in JSON, "<prefix>.N.Name" and
// "<prefix>.N.Value.DataType" etc. on the query protocol. Bad base64 is the
// service's `invalid` error.
template <typename AttributeMap>
bool DecodeMessageAttributes(Input& in, Name name, AttributeMap* out, ErrorCode invalid) {
  return in.Map(name, {"Name", "Value"}, [&](const std::string& key, Input& value) {
    auto& attribute = (*out)[key];
    std::string binary;
    if (!value.Str("DataType", &attribute.data_type) ||
        !value.Str("StringValue", &attribute.string_value) || !value.Str("BinaryValue", &binary)) {
      return false;
    }
    if (!binary.empty() && !absl::Base64Unescape(binary, &attribute.binary_value)) {
      return value.Fail(ErrorFor(invalid, absl::StrCat("The message attribute '", key,
                                                       "' has an invalid base64 binary value.")));
    }
    return true;
  });
}

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_OPERATION_TABLE_H_
