#include "broker/wire/admin_routes.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/base/json.h"
#include "broker/wire/json_codec.h"

namespace wharf::wire {
namespace {

// The longest advance one request may ask for: alarms are evaluated once per
// minute passed, so a month costs ~43,000 evaluations per alarm.
constexpr double kMaxAdvanceSeconds = 30 * 86400;

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

HttpResponse JsonMessage(int status, std::string_view message) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("message");
  WriteJsonString(writer, message);
  writer.EndObject();
  return Json(status, std::string(buffer.GetString(), buffer.GetSize()));
}

HttpResponse ClockState(const Clock& clock) {
  const absl::Time now = clock.Now();
  return Json(200, absl::StrCat("{\"now\":\"",
                                absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()),
                                "\",\"epochMillis\":", absl::ToUnixMillis(now), "}"));
}

HttpResponse NotManual() {
  return JsonMessage(403,
                     "The broker's clock is not a ManualClock: start wharf-server with "
                     "--clock=manual to move time over the wire.");
}

}  // namespace

void AddAdminRoutes(Router& router, Broker& broker) {
  router.AddPlainRoute("GET", "/metrics", [&broker](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = broker.cloudwatch().RenderPrometheus();
    return response;
  });
  router.AddPlainRoute("GET", "/_wharf/clock", [&broker](const HttpRequest&) {
    if (dynamic_cast<ManualClock*>(&broker.clock()) == nullptr) return NotManual();
    return ClockState(broker.clock());
  });
  router.AddPlainRoute("POST", "/_wharf/clock/advance", [&broker](const HttpRequest& request) {
    auto* clock = dynamic_cast<ManualClock*>(&broker.clock());
    if (clock == nullptr) return NotManual();
    rapidjson::Document body;
    if (!base_internal::ParseJson(request.body, &body) || !body.IsObject() ||
        !body.HasMember("seconds") || !body["seconds"].IsNumber()) {
      return JsonMessage(400, "The body must be a JSON object with a number \"seconds\".");
    }
    const double seconds = body["seconds"].GetDouble();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxAdvanceSeconds) {
      return JsonMessage(400, "\"seconds\" must be between 0 and 2592000 (30 days).");
    }
    clock->Advance(absl::Microseconds(std::llround(seconds * 1e6)));
    return ClockState(*clock);
  });
}

}  // namespace wharf::wire
