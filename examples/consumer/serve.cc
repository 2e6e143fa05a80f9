// Starts a broker behind its AWS wire endpoint on a free local port, prints
// the endpoint's URL and stops. An application would keep it running and
// point AWS SDKs at the URL.
#include <cstdio>

#include "wharf/broker.h"
#include "wharf/endpoint.h"

int main() {
  auto broker = wharf::Broker::Open({});
  if (!broker.ok()) {
    std::fprintf(stderr, "Open: %s\n", broker.status().ToString().c_str());
    return 1;
  }
  wharf::Endpoint endpoint(**broker);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "Endpoint: %s\n", endpoint.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", endpoint.url().c_str());
  endpoint.Stop();
  return 0;
}
