// wharf::Endpoint: an HttpServer whose handler is a Router holding the
// operation tables of the broker's services: SQS over the query and JSON 1.0
// protocols, SNS and CloudWatch over the query protocol, EventBridge over
// JSON 1.1; plus GET /metrics and the test clock (admin_routes.h).

#include "wharf/endpoint.h"

#include <memory>
#include <stop_token>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/http/http_server.h"
#include "broker/wire/admin_routes.h"
#include "broker/wire/apis.h"
#include "broker/wire/queue_url_mapper.h"
#include "broker/wire/router.h"
#include "broker/wire/sigv4.h"

namespace wharf {
namespace {

std::string BrokerUrlBase(const BrokerOptions& options) {
  if (!options.sqs_url_base.empty()) return options.sqs_url_base;
  return absl::StrCat("https://sqs.", options.region, ".amazonaws.com");
}

}  // namespace

class Endpoint::Impl {
 public:
  std::unique_ptr<wire::QueueUrlMapper> urls;
  std::unique_ptr<wire::Router> router;
  std::stop_source shutdown;                          // Stop() requests it: long polls end.
  std::unique_ptr<http_internal::HttpServer> server;  // Last: destroyed first.
};

Endpoint::Endpoint(Broker& broker, EndpointOptions options) : impl_(std::make_unique<Impl>()) {
  http_internal::HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.io_threads = options.io_threads;
  server_options.limits.max_body_bytes = options.max_request_bytes;
  server_options.limits.max_header_bytes = options.max_header_bytes;
  server_options.limits.max_request_line_bytes = options.max_header_bytes / 2;
  server_options.max_connections = options.max_connections;
  server_options.idle_timeout = options.idle_timeout;
  server_options.request_timeout = options.request_timeout;
  server_options.allowed_hosts = options.allowed_hosts;
  server_options.allowed_origins = options.allowed_origins;
  absl::StatusOr<std::unique_ptr<http_internal::HttpServer>> server =
      http_internal::HttpServer::Bind(server_options);
  if (!server.ok()) {
    status_ = server.status();
    return;
  }
  port_ = (*server)->port();
  std::string host = options.host == "0.0.0.0" || options.host.empty() ? "127.0.0.1" : options.host;
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = absl::StrCat("[", host, "]");
  url_ = absl::StrCat("http://", host, ":", port_);

  impl_->urls = std::make_unique<wire::QueueUrlMapper>(BrokerUrlBase(broker.options()), url_);
  wire::RouterOptions router_options;
  if (options.verify_signatures) {
    wire::SigV4Options sigv4;
    sigv4.credentials = options.credentials;
    sigv4.region = broker.options().region;
    router_options.signatures = std::make_shared<wire::SigV4Verifier>(sigv4, broker.clock());
  }
  router_options.max_body_bytes = options.max_request_bytes;
  impl_->router = std::make_unique<wire::Router>(std::move(router_options));
  std::shared_ptr<const wire::Api> sqs =
      wire::MakeSqsApi(broker.sqs(), *impl_->urls, impl_->shutdown.get_token());
  impl_->router->AddQuery(sqs);
  impl_->router->AddJson(sqs);
  impl_->router->AddQuery(wire::MakeSnsApi(broker.sns()));
  impl_->router->AddJson(wire::MakeEventsApi(broker.events()));
  std::shared_ptr<const wire::Api> cloudwatch = wire::MakeCloudWatchApi(broker.cloudwatch());
  impl_->router->AddQuery(cloudwatch);
  impl_->router->AddJson(cloudwatch);
  impl_->router->AddCbor(cloudwatch);
  wire::AddAdminRoutes(*impl_->router, broker);
  impl_->server = *std::move(server);
  Impl* impl = impl_.get();
  // Every request runs on the I/O thread that read it: nothing the Router
  // calls blocks (a long poll parks in the SQS engine and answers later from
  // the thread that completes it).
  impl_->server->Serve([impl](wire::HttpRequest request, wire::Respond respond) {
    impl->router->Handle(std::move(request), std::move(respond));
  });
}

Endpoint::~Endpoint() { Stop(); }

void Endpoint::Stop() {
  impl_->shutdown.request_stop();
  if (impl_->server) impl_->server->Stop();
}

}  // namespace wharf
