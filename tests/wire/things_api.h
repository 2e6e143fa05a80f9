// A small REST-JSON API over an in-memory service, for testing and fuzzing
// the REST-JSON codec before a real service speaks it:
//
//   POST   /2024-01-01/things                      CreateThing  (201)
//   GET    /2024-01-01/things/{Name}               GetThing
//   GET    /2024-01-01/things?maxItems=&prefix=    ListThings
//   DELETE /2024-01-01/things/{Name}               DeleteThing  (204)
//   PUT    /2024-01-01/things/{Name}/parts/{Key+}  PutPart      (x-amz-part-size header)

#ifndef WHARF_TESTS_WIRE_THINGS_API_H_
#define WHARF_TESTS_WIRE_THINGS_API_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "broker/wire/operation_table.h"
#include "broker/wire/rest_json_codec.h"
#include "wharf/errors.h"

namespace wharf::testing {

struct Thing {
  std::string name;
  int size = 0;
  std::map<std::string, std::string> tags;
  std::map<std::string, int> parts;
};

struct CreateThingRequest {
  std::string name;
  std::optional<int> size;
  std::map<std::string, std::string> tags;
};
struct GetThingRequest {
  std::string name;
};
struct ListThingsRequest {
  std::string prefix;
  std::optional<int> max_items;
};
struct ListThingsResult {
  std::vector<Thing> things;
};
struct PutPartRequest {
  std::string name;
  std::string key;
  std::optional<int> size;
};

// Not thread-safe: the tests and the fuzzer call it from one thread.
class ThingsService {
 public:
  absl::StatusOr<Thing> CreateThing(const CreateThingRequest& r) {
    if (r.name.empty() || things_.contains(r.name)) {
      return MakeError(ErrorCode::kEventsResourceAlreadyExists, "Thing exists: " + r.name);
    }
    Thing& thing = things_[r.name];
    thing.name = r.name;
    thing.size = r.size.value_or(1);
    thing.tags = r.tags;
    return thing;
  }
  absl::StatusOr<Thing> GetThing(const GetThingRequest& r) {
    auto it = things_.find(r.name);
    if (it == things_.end()) {
      return MakeError(ErrorCode::kEventsResourceNotFound, "Thing not found: " + r.name);
    }
    return it->second;
  }
  absl::StatusOr<ListThingsResult> ListThings(const ListThingsRequest& r) {
    ListThingsResult result;
    for (const auto& [name, thing] : things_) {
      if (r.max_items && static_cast<int>(result.things.size()) >= *r.max_items) break;
      if (absl::StartsWith(name, r.prefix)) result.things.push_back(thing);
    }
    return result;
  }
  absl::Status DeleteThing(const GetThingRequest& r) {
    things_.erase(r.name);
    return absl::OkStatus();
  }
  absl::StatusOr<Thing> PutPart(const PutPartRequest& r) {
    auto it = things_.find(r.name);
    if (it == things_.end()) {
      return MakeError(ErrorCode::kEventsResourceNotFound, "Thing not found: " + r.name);
    }
    it->second.parts[r.key] = r.size.value_or(0);
    return it->second;
  }

 private:
  std::map<std::string, Thing> things_;
};

namespace things_internal {

inline constexpr wire::ServiceModel kModel = {
    .signing_name = "things",
    .xml_namespace = "",
    .xml_flattened = false,
    .json_target_prefix = "",
    .json_content_type = "application/json",
    .json_type_prefix = "",
    .query_compatible = false,
    .missing = ErrorCode::kEventsValidation,
    .invalid_value = ErrorCode::kEventsValidation,
    .query_error = nullptr,
};

inline bool DecodeCreate(wire::Input& in, CreateThingRequest& r) {
  return in.Str("Name", &r.name, wire::kRequired) && in.Int("Size", &r.size) &&
         in.StrMap("Tags", {}, &r.tags);
}
inline bool DecodeName(wire::Input& in, GetThingRequest& r) {
  return in.Str("Name", &r.name, wire::kRequired);
}
inline bool DecodeList(wire::Input& in, ListThingsRequest& r) {
  return in.Str("Prefix", &r.prefix) && in.Int("MaxItems", &r.max_items);
}
inline bool DecodePart(wire::Input& in, PutPartRequest& r) {
  return in.Str("Name", &r.name, wire::kRequired) && in.Str("Key", &r.key, wire::kRequired) &&
         in.Int("Size", &r.size);
}
inline void EncodeThing(wire::Output& out, const Thing& thing) {
  out.Str("Name", thing.name);
  out.Int("Size", thing.size);
  if (!thing.tags.empty()) out.StrMap("Tags", {}, thing.tags);
  if (!thing.parts.empty()) {
    out.BeginMap("Parts", {});
    for (const auto& [key, size] : thing.parts) {
      out.BeginEntry(key);
      out.Int("Size", size);
      out.EndEntry();
    }
    out.EndMap();
  }
}
inline void EncodeList(wire::Output& out, const ListThingsResult& r) {
  out.List("Things", r.things, [&](const Thing& thing) { EncodeThing(out, thing); });
}

}  // namespace things_internal

inline std::shared_ptr<const wire::Api> MakeThingsApi(ThingsService& service) {
  using namespace things_internal;  // NOLINT: the table's functions.
  using Target = wire::ServiceTarget<ThingsService>;
  using Table = wire::OperationTable<Target>;
  using S = ThingsService;
  return std::make_shared<Table>(
      kModel, Target{service},
      std::initializer_list<Table::Operation>{
          {"CreateThing", wire::RunOp<DecodeCreate, &S::CreateThing, EncodeThing>},
          {"GetThing", wire::RunOp<DecodeName, &S::GetThing, EncodeThing>},
          {"ListThings", wire::RunOp<DecodeList, &S::ListThings, EncodeList>},
          {"DeleteThing", wire::RunOp<DecodeName, &S::DeleteThing>},
          {"PutPart", wire::RunOp<DecodePart, &S::PutPart, EncodeThing>},
      });
}

inline std::vector<wire::RestRoute> ThingsRoutes() {
  return {
      {.method = "POST",
       .path = "/2024-01-01/things",
       .operation = "CreateThing",
       .status = 201,
       .query = {},
       .headers = {}},
      {.method = "GET",
       .path = "/2024-01-01/things/{Name}",
       .operation = "GetThing",
       .status = 200,
       .query = {},
       .headers = {}},
      {.method = "GET",
       .path = "/2024-01-01/things",
       .operation = "ListThings",
       .status = 200,
       .query = {{"MaxItems", "maxItems"}, {"Prefix", "prefix"}},
       .headers = {}},
      {.method = "DELETE",
       .path = "/2024-01-01/things/{Name}",
       .operation = "DeleteThing",
       .status = 204,
       .query = {},
       .headers = {}},
      {.method = "PUT",
       .path = "/2024-01-01/things/{Name}/parts/{Key+}",
       .operation = "PutPart",
       .status = 200,
       .query = {},
       .headers = {{"Size", "x-amz-part-size"}}},
  };
}

}  // namespace wharf::testing

#endif  // WHARF_TESTS_WIRE_THINGS_API_H_
