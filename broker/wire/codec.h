// The protocol-neutral model of an AWS operation, between the codecs (one
// per wire protocol: query_codec, json_codec, rest_json_codec) and the
// operation tables (one per service: sqs_api, sns_api, events_api).
//
// An operation is written once, against three interfaces:
//   Input     reads the members of the request (a form, a JSON body, a
//             REST path and query string), named as the model names them;
//   Output    writes the members of the result (XML or JSON);
//   Exchange  one request being answered: its Input, its Output, and the
//             Respond that sends the answer, exactly once.
// A member's Name carries its JSON member name and its query key / XML
// element name where they differ (SQS: "Attributes" is "Attribute.N.Name" on
// the query protocol). How lists and maps are flattened into query keys and
// XML elements, how a missing member is reported and which namespace the XML
// has is the service's ServiceModel.
//
// Thread safety: ServiceModel and Api are immutable and thread-safe. An
// Exchange, its Input and its Output belong to one operation at a time (the
// thread that runs it, then the one that completes it).

#ifndef WHARF_BROKER_WIRE_CODEC_H_
#define WHARF_BROKER_WIRE_CODEC_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/wire/error_mapping.h"
#include "broker/wire/http_types.h"
#include "wharf/errors.h"

namespace wharf::wire {

// A member as each protocol names it: JSON member name, and query key / XML
// element name (the model's xmlName) when that differs.
struct Name {
  constexpr Name(const char* name) : json(name), query(name) {}  // NOLINT: implicit by design.
  constexpr Name(const char* json_name, const char* query_name)
      : json(json_name), query(query_name) {}
  std::string_view json;
  std::string_view query;
};

// The query keys / XML elements of a map entry's key and value
// ("Attribute.1.Name" / "Attribute.1.Value"). JSON maps are objects.
struct MapNames {
  std::string_view key = "key";
  std::string_view value = "value";
};

inline constexpr bool kRequired = true;

// A service's naming and error conventions on the wire. The members of a
// protocol the service does not speak stay empty.
struct ServiceModel {
  std::string_view signing_name = "";  // SigV4 service: "sqs"; decides shared query actions.
  // Query protocol (XML).
  std::string_view xml_namespace = "";
  bool xml_flattened = false;  // "Tag.1.Key" rather than "Tags.member.1.Key".
  // SQS's query errors end with an empty <Detail/>; SNS's have none (no
  // Detail in the 169 errors of LocalStack's AWS-recorded test_sns snapshots).
  bool xml_error_detail = true;
  // JSON protocols; RPC v2 CBOR uses the target and type prefixes too.
  // "AmazonSQS" in "X-Amz-Target: AmazonSQS.SendMessage": the service
  // shape's name, which RPC v2 CBOR puts in the path instead.
  std::string_view json_target_prefix = "";
  std::string_view json_content_type = "";  // "application/x-amz-json-1.0"
  std::string_view json_type_prefix = "";   // "com.amazonaws.sqs#"; empty for none.
  // awsQueryCompatible: errors carry x-amzn-query-error, integers may come as
  // strings, an integer out of range is the service's invalid-value error.
  bool query_compatible = false;
  // Over JSON and RPC v2 CBOR a client error is HTTP 400, its query status
  // (CloudWatch's 404 ResourceNotFound) only with "x-amzn-query-mode: true",
  // which current SDKs send (LocalStack
  // test_exception_serializing_with_no_shape_in_spec, AWS-validated).
  bool query_status_needs_query_mode = false;
  // Required members that are absent: `missing` (kMissingParameter: "The
  // request must contain the parameter X."), or Coral's "1 validation error
  // detected: Value null at '<path>' ..." when it is a validation code.
  ErrorCode missing = ErrorCode::kMissingParameter;
  // An invalid value the codec itself detects (an integer out of range).
  ErrorCode invalid_value = ErrorCode::kInvalidParameterValue;
  // Adjusts a service error for the query protocol (SQS words
  // QueueDoesNotExist differently there); may be null.
  void (*query_error)(ErrorCode code, WireError* error) = nullptr;
};

// The JSON and CBOR __type of `error`: the model's prefix and the shape, or
// the shape alone when it names its own namespace ("ns#Shape").
std::string QualifiedErrorType(const ServiceModel& model, const WireError& error);

// Shared by the Input scopes of one request: the first decoding error.
struct DecodeState {
  explicit DecodeState(const ServiceModel& m) : model(m) {}
  const ServiceModel& model;
  std::optional<WireError> error;
};

// Reads an operation's input, implemented once per protocol. Absent members
// (and JSON nulls) leave the output untouched unless `required`. Each method
// returns false once the request is found invalid; the first error is kept
// (DecodeState) and answered by Exchange::ReplyDecodeError.
class Input {
 public:
  Input(DecodeState* state, std::string path) : state_(state), path_(std::move(path)) {}
  virtual ~Input() = default;

  virtual bool Str(Name name, std::string* out, bool required = false) = 0;
  virtual bool Str(Name name, std::optional<std::string>* out) = 0;
  virtual bool Int(Name name, std::optional<int>* out, bool required = false) = 0;
  // A double (CloudWatch's values and thresholds); any finite or infinite
  // number the protocol can spell, checked by the service.
  virtual bool Double(Name name, std::optional<double>* out, bool required = false) = 0;
  virtual bool Bool(Name name, bool* out) = 0;
  // Epoch seconds (possibly fractional) or RFC 3339.
  virtual bool Time(Name name, std::optional<absl::Time>* out, bool required = false) = 0;
  virtual bool StrList(Name name, std::vector<std::string>* out, bool required = false) = 0;
  virtual bool DoubleList(Name name, std::vector<double>* out) = 0;
  virtual bool StrMap(Name name, MapNames names, std::map<std::string, std::string>* out,
                      bool required = false) = 0;
  // A nested structure: `decode` reads its members when it is present.
  virtual bool Struct(Name name, absl::FunctionRef<bool(Input&)> decode, bool required = false) = 0;
  // A list of structures: `decode` reads each element in order.
  virtual bool List(Name name, absl::FunctionRef<bool(Input&)> decode, bool required = false) = 0;
  // A map of structures: `decode` reads the value of each key.
  virtual bool Map(Name name, MapNames names,
                   absl::FunctionRef<bool(const std::string& key, Input&)> decode) = 0;

  // Records `error` (unless one is recorded already); returns false.
  bool Fail(WireError error);
  bool failed() const { return state_->error.has_value(); }

 protected:
  // The member's path as Coral names it in messages: "targets.2.member.arn".
  std::string PathOf(Name name) const;
  // Records the error for an absent required member; returns false.
  bool Missing(Name name, std::string_view protocol_name);
  // Records a SerializationException for a member of another type than
  // `expected` ("a string"); returns false.
  bool WrongType(Name name, std::string_view expected);
  // Stores `value`, read from member `name` when `ok`, as a 32-bit integer;
  // else records the error (out of range: the model's invalid-value error
  // when it is query-compatible) and returns false.
  bool StoreInt32(Name name, bool ok, int64_t value, std::optional<int>* out);
  const ServiceModel& model() const { return state_->model; }
  DecodeState* state() const { return state_; }

 private:
  DecodeState* state_;
  std::string path_;  // Prefix of the members' paths: "" or "targets.2.member.".
};

// Writes an operation's result, implemented once per protocol. Lists and maps
// of structures are written Begin*/End*, each element or entry between
// BeginElement/EndElement or BeginEntry/EndEntry.
class Output {
 public:
  virtual ~Output() = default;
  virtual void Str(Name name, std::string_view value) = 0;
  void StrIfSet(Name name, std::string_view value) {
    if (!value.empty()) Str(name, value);
  }
  virtual void Int(Name name, int64_t value) = 0;
  // The shortest text that reads back as `value` ("4.0", "0.1", "1.5E-7").
  virtual void Double(Name name, double value) = 0;
  virtual void Bool(Name name, bool value) = 0;
  virtual void Time(Name name, absl::Time value) = 0;
  virtual void StrList(Name name, const std::vector<std::string>& values) = 0;
  virtual void DoubleList(Name name, const std::vector<double>& values) = 0;
  virtual void TimeList(Name name, const std::vector<absl::Time>& values) = 0;
  // A map of doubles (CloudWatch's ExtendedStatistics).
  virtual void DoubleMap(Name name, MapNames names, const std::map<std::string, double>& map) = 0;
  virtual void StrMap(Name name, MapNames names, const std::map<std::string, std::string>& map) = 0;
  virtual void BeginStruct(Name name) = 0;
  virtual void EndStruct() = 0;
  virtual void BeginList(Name name) = 0;
  virtual void BeginElement() = 0;
  virtual void EndElement() = 0;
  virtual void EndList() = 0;
  virtual void BeginMap(Name name, MapNames names) = 0;
  virtual void BeginEntry(std::string_view key) = 0;
  virtual void EndEntry() = 0;
  virtual void EndMap() = 0;

  // The elements of `items`, each written by `write(item)`.
  template <typename Range, typename F>
  void List(Name name, const Range& items, F&& write) {
    BeginList(name);
    for (const auto& item : items) {
      BeginElement();
      write(item);
      EndElement();
    }
    EndList();
  }
};

// One request being answered. Created by a codec, handed to an operation,
// which answers it exactly once by one of the Reply methods, possibly later
// and from another thread. The codecs' exchanges answer InternalFailure when
// destroyed unanswered, so that the client always gets an answer.
class Exchange {
 public:
  Exchange(HttpRequest request, std::string_view request_id, const ServiceModel& model,
           Respond respond);
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;
  virtual ~Exchange();

  const HttpRequest& request() const { return request_; }
  std::string_view request_id() const { return request_id_; }
  const ServiceModel& model() const { return decode_.model; }

  // The request's members; valid until the exchange is answered.
  virtual Input& input() = 0;
  // The result being written; the first call starts it (an operation whose
  // result has no members may still call it, for an empty result element).
  virtual Output& output() = 0;

  // Answers with the result written to output().
  void Reply();
  // Answers with an error: a wire error, a service status, or the first
  // error input() recorded.
  void Reply(const WireError& error);
  void Reply(const absl::Status& status);
  void ReplyDecodeError();

 protected:
  DecodeState* decode_state() { return &decode_; }
  virtual HttpResponse RenderResult() = 0;
  virtual HttpResponse RenderError(const WireError& error) = 0;
  // `error` as the JSON protocols send it (see query_status_needs_query_mode).
  WireError JsonProtocolError(WireError error) const;
  // A protocol's own wording of a service error (none by default).
  virtual void AdjustServiceError(ErrorCode, WireError*) {}
  // For the destructors of the codecs' exchanges (RenderError is virtual).
  void ReplyIfUnanswered();

 private:
  void Send(HttpResponse response);

  const HttpRequest request_;
  const std::string request_id_;
  DecodeState decode_;
  Respond respond_;  // Empty once answered.
};
using ExchangePtr = std::unique_ptr<Exchange>;

// A service's operations as the codecs run them.
class Api {
 public:
  virtual ~Api() = default;
  virtual const ServiceModel& model() const = 0;
  virtual bool Has(std::string_view operation) const = 0;
  // Runs `operation` (one that Has) on `exchange`, which it answers.
  virtual void Run(std::string_view operation, ExchangePtr exchange) const = 0;
};

// The "not valid for this endpoint" error of an unknown action or target.
WireError UnknownOperationError(std::string_view what, std::string_view name);

// "EventBusName" -> "eventBusName": members as Coral names them in paths.
std::string LowerFirst(std::string_view name);

// A timestamp given as text: epoch seconds (possibly fractional, within
// +-1e12) or RFC 3339. False when it is neither.
bool ParseTimestamp(std::string_view text, absl::Time* out);

// Epoch seconds as a timestamp; false when not finite or beyond +-1e12.
bool TimestampFromSeconds(double seconds, absl::Time* out);

// The shortest decimal text that reads back as `value`, with ".0" on whole
// numbers as AWS writes them ("4.0", "0.1", "1.0E20" is "1e+20").
std::string FormatDouble(double value);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_CODEC_H_
