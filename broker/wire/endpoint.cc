// wharf::Endpoint: an HttpServer whose handler is a Router holding the
// operation tables of the broker's services: SQS over the query and JSON 1.0
// protocols, SNS and CloudWatch over the query protocol, EventBridge over
// JSON 1.1; plus GET /metrics and the test clock (admin_routes.h).

#include "wharf/endpoint.h"

#include <atomic>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "broker/wire/admin_routes.h"
#include "broker/wire/apis.h"
#include "broker/wire/http_server.h"
#include "broker/wire/queue_url_mapper.h"
#include "broker/wire/router.h"

namespace wharf {

class Endpoint::Impl {
 public:
  // The router needs the bound port (for queue URLs), which exists only once
  // the server runs; requests that arrive before it is built wait for it.
  // The server is synchronous: its worker waits for the router's answer,
  // which a long poll gives later, from the thread that completes it.
  wire::HttpResponse Handle(const wire::HttpRequest& request) {
    if (!ready_flag_.load(std::memory_order_acquire)) ready_.WaitForNotification();
    wire::HttpRequest copy = request;
    copy.cancel = shutdown_.get_token();
    Notification answered;
    wire::HttpResponse response;
    router_->Handle(std::move(copy), [&](wire::HttpResponse answer) {
      response = std::move(answer);
      answered.Notify();
    });
    answered.WaitForNotification();
    return response;
  }

  std::unique_ptr<wire::QueueUrlMapper> urls_;
  std::unique_ptr<wire::Router> router_;
  Notification ready_;
  std::atomic<bool> ready_flag_{false};       // Fast path of ready_.
  std::stop_source shutdown_;                 // Stop() requests it: long polls end.
  std::unique_ptr<wire::HttpServer> server_;  // Last: stopped first.
};

namespace {

std::string BrokerUrlBase(const BrokerOptions& options) {
  if (!options.sqs_url_base.empty()) return options.sqs_url_base;
  return absl::StrCat("https://sqs.", options.region, ".amazonaws.com");
}

}  // namespace

Endpoint::Endpoint(Broker& broker, EndpointOptions options) : impl_(std::make_unique<Impl>()) {
  wire::HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.threads = options.threads;
  server_options.max_body_bytes = options.max_request_bytes;
  server_options.keep_alive_timeout_seconds = options.keep_alive_timeout_seconds;
  Impl* impl = impl_.get();
  absl::StatusOr<std::unique_ptr<wire::HttpServer>> server = wire::HttpServer::Start(
      server_options, [impl](const wire::HttpRequest& request) { return impl->Handle(request); });
  if (!server.ok()) {
    status_ = server.status();
    impl_->ready_.Notify();
    return;
  }
  port_ = (*server)->port();
  std::string host = options.host == "0.0.0.0" || options.host.empty() ? "127.0.0.1" : options.host;
  if (host.find(':') != std::string::npos) host = absl::StrCat("[", host, "]");
  url_ = absl::StrCat("http://", host, ":", port_);

  impl_->urls_ = std::make_unique<wire::QueueUrlMapper>(BrokerUrlBase(broker.options()), url_);
  wire::RouterOptions router_options;
  router_options.verify_signatures = options.verify_signatures;
  router_options.credentials = options.credentials;
  router_options.max_body_bytes = options.max_request_bytes;
  impl_->router_ = std::make_unique<wire::Router>(std::move(router_options));
  std::shared_ptr<const wire::Api> sqs =
      wire::MakeSqsApi(broker.sqs(), *impl_->urls_, impl_->shutdown_.get_token());
  impl_->router_->AddQuery(sqs);
  impl_->router_->AddJson(sqs);
  impl_->router_->AddQuery(wire::MakeSnsApi(broker.sns()));
  impl_->router_->AddJson(wire::MakeEventsApi(broker.events()));
  impl_->router_->AddQuery(wire::MakeCloudWatchApi(broker.cloudwatch()));
  wire::AddAdminRoutes(*impl_->router_, broker);
  impl_->server_ = *std::move(server);
  impl_->ready_flag_.store(true, std::memory_order_release);
  impl_->ready_.Notify();
}

Endpoint::~Endpoint() { Stop(); }

void Endpoint::Stop() {
  impl_->shutdown_.request_stop();
  if (impl_->server_) impl_->server_->Stop();
}

}  // namespace wharf
