// HTTP overhead of the wire endpoint: SendMessageBatch and
// ReceiveMessage + DeleteMessageBatch (10 messages per batch) driven over
// keep-alive HTTP connections against wharf::Endpoint (AWS JSON 1.0, as
// current SDKs speak it, and the query protocol), and the same operations
// called on sqs::Service directly, in one run. The load generator is a
// minimal HTTP/1.1 client on blocking sockets (one connection per benchmark
// thread) so that it costs little of the machine it shares with the server.
// At the end it prints, per operation, the HTTP rate as a fraction of the
// service rate.
//
// HttpJson/LongPoll/N: N connections each hold a long poll (ReceiveMessage,
// WaitTimeSeconds=20) on one queue; each iteration sends one message through
// the service and times until a poll answers with it (the poll that answered
// polls again). Counters p50_us and p99_us: send-to-response latency.
//
//   ninja -C build bench/http_bench && build/bench/http_bench
//
// Counters: requests/s (HTTP requests or service calls) and messages/s.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "broker/wire/form.h"
#include "wharf/broker.h"
#include "wharf/endpoint.h"

namespace wharf {
namespace {

constexpr int kBatch = 10;
constexpr int kThreads = 4;        // HTTP connections / service threads.
constexpr int kIterations = 3000;  // Per thread; fixed so queues can be pre-filled.
const std::string kBody(200, 'm');

// One keep-alive HTTP/1.1 connection with blocking I/O.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      std::perror("connect");
      std::abort();
    }
  }
  ~Connection() { close(fd_); }

  int fd() const { return fd_; }

  // Sends `request` (complete, with headers) and returns the response body;
  // aborts unless the status is 200.
  const std::string& RoundTrip(const std::string& request) {
    Send(request);
    return Receive();
  }

  void Send(const std::string& request) {
    for (size_t sent = 0; sent < request.size();) {
      ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) Die("send");
      sent += static_cast<size_t>(n);
    }
  }

  // The body of the next response; aborts unless the status is 200.
  const std::string& Receive() {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) Fill();
    std::string_view headers(buffer_.data(), header_end);
    if (headers.substr(0, 12) != "HTTP/1.1 200") Die(std::string(headers).c_str());
    size_t length = 0;
    size_t at = headers.find("Content-Length: ");
    if (at == std::string_view::npos) Die("no Content-Length");
    size_t eol = headers.find("\r\n", at);
    std::string_view digits = headers.substr(at + 16, eol - at - 16);
    if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &length)) Die("length");
    while (buffer_.size() < header_end + 4 + length) Fill();
    body_.assign(buffer_, header_end + 4, length);
    buffer_.erase(0, header_end + 4 + length);
    return body_;
  }

 private:
  void Fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) Die("recv");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  [[noreturn]] void Die(const char* what) {
    std::fprintf(stderr, "http_bench: %s (%s)\n%s\n", what, std::strerror(errno),
                 buffer_.substr(0, 500).c_str());
    std::abort();
  }

  int fd_;
  std::string buffer_;
  std::string body_;
};

enum class Protocol { kJson, kQuery };

// "127.0.0.1:PORT" of a URL "http://127.0.0.1:PORT/...": the Host header
// the endpoint accepts.
std::string HostOf(const std::string& url) {
  const size_t start = url.find("//") + 2;
  return url.substr(start, url.find('/', start) - start);
}

std::string HttpRequest(Protocol protocol, const std::string& host, const std::string& operation,
                        const std::string& body) {
  if (protocol == Protocol::kJson) {
    return absl::StrCat("POST / HTTP/1.1\r\nHost: ", host,
                        "\r\nContent-Type: application/x-amz-json-1.0\r\n"
                        "X-Amz-Target: AmazonSQS.",
                        operation, "\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
  }
  return absl::StrCat("POST / HTTP/1.1\r\nHost: ", host,
                      "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      "Content-Length: ",
                      body.size(), "\r\n\r\n", body);
}

std::string SendBatchRequest(Protocol protocol, const std::string& url) {
  std::string body;
  if (protocol == Protocol::kJson) {
    body = absl::StrCat(R"({"QueueUrl":")", url, R"(","Entries":[)");
    for (int i = 0; i < kBatch; ++i) {
      absl::StrAppend(&body, i ? "," : "", R"({"Id":"m)", i, R"(","MessageBody":")", kBody,
                      R"("})");
    }
    body += "]}";
    return HttpRequest(protocol, HostOf(url), "SendMessageBatch", body);
  }
  body = absl::StrCat("Action=SendMessageBatch&Version=2012-11-05&QueueUrl=",
                      wire::UriEncode(url, false));
  for (int i = 1; i <= kBatch; ++i) {
    absl::StrAppend(&body, "&SendMessageBatchRequestEntry.", i, ".Id=m", i,
                    "&SendMessageBatchRequestEntry.", i, ".MessageBody=", kBody);
  }
  return HttpRequest(protocol, HostOf(url), "SendMessageBatch", body);
}

std::string ReceiveRequest(Protocol protocol, const std::string& url) {
  if (protocol == Protocol::kJson) {
    return HttpRequest(protocol, HostOf(url), "ReceiveMessage",
                       absl::StrCat(R"({"QueueUrl":")", url, R"(","MaxNumberOfMessages":10})"));
  }
  return HttpRequest(protocol, HostOf(url), "ReceiveMessage",
                     absl::StrCat("Action=ReceiveMessage&Version=2012-11-05&QueueUrl=",
                                  wire::UriEncode(url, false), "&MaxNumberOfMessages=10"));
}

// Pulls the receipt handles out of a ReceiveMessage response (JSON or XML)
// by string search: the generator must stay cheap.
std::vector<std::string> ReceiptHandles(Protocol protocol, const std::string& body) {
  std::vector<std::string> handles;
  const std::string open = protocol == Protocol::kJson ? "\"ReceiptHandle\":\"" : "<ReceiptHandle>";
  const char close = protocol == Protocol::kJson ? '"' : '<';
  for (size_t at = body.find(open); at != std::string::npos; at = body.find(open, at)) {
    at += open.size();
    size_t end = body.find(close, at);
    handles.push_back(body.substr(at, end - at));
    at = end;
  }
  return handles;
}

std::string DeleteBatchRequest(Protocol protocol, const std::string& url,
                               const std::vector<std::string>& handles) {
  std::string body;
  if (protocol == Protocol::kJson) {
    body = absl::StrCat(R"({"QueueUrl":")", url, R"(","Entries":[)");
    for (size_t i = 0; i < handles.size(); ++i) {
      absl::StrAppend(&body, i ? "," : "", R"({"Id":"d)", i, R"(","ReceiptHandle":")", handles[i],
                      R"("})");
    }
    body += "]}";
    return HttpRequest(protocol, HostOf(url), "DeleteMessageBatch", body);
  }
  body = absl::StrCat("Action=DeleteMessageBatch&Version=2012-11-05&QueueUrl=",
                      wire::UriEncode(url, false));
  for (size_t i = 0; i < handles.size(); ++i) {
    absl::StrAppend(&body, "&DeleteMessageBatchRequestEntry.", i + 1, ".Id=d", i,
                    "&DeleteMessageBatchRequestEntry.", i + 1,
                    ".ReceiptHandle=", wire::UriEncode(handles[i], false));
  }
  return HttpRequest(protocol, HostOf(url), "DeleteMessageBatch", body);
}

// Shared by all benchmarks of the run.
struct Bench {
  std::unique_ptr<Broker> broker;
  std::unique_ptr<Endpoint> endpoint;
  std::atomic<int> queues{0};
  std::string queue_url;  // Set by thread 0 before the timed loop.

  std::string NewQueue() {
    sqs::CreateQueueRequest request;
    request.queue_name = absl::StrCat("bench-", queues.fetch_add(1));
    return broker->sqs().CreateQueue(request)->queue_url;
  }

  // Puts `count` messages into `url` through the service.
  void Fill(const std::string& url, int64_t count) {
    sqs::SendMessageBatchRequest request;
    request.queue_url = url;
    for (int i = 0; i < kBatch; ++i) {
      request.entries.push_back({.id = absl::StrCat("m", i), .message_body = kBody});
    }
    for (int64_t sent = 0; sent < count; sent += kBatch) {
      if (!broker->sqs().SendMessageBatch(request).ok()) std::abort();
    }
  }

  // The endpoint's form of a broker queue URL.
  std::string ClientUrl(const std::string& url) const {
    return absl::StrCat(endpoint->url(), url.substr(url.find('/', 8)));
  }
};

void Report(benchmark::State& state, int64_t requests, int64_t messages) {
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
  state.counters["messages/s"] =
      benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
}

void HttpSendBatch(benchmark::State& state, Bench* bench, Protocol protocol) {
  if (state.thread_index() == 0) bench->queue_url = bench->NewQueue();
  Connection connection(bench->endpoint->port());
  std::string request;
  int64_t requests = 0;
  for (auto _ : state) {
    if (request.empty()) request = SendBatchRequest(protocol, bench->ClientUrl(bench->queue_url));
    connection.RoundTrip(request);
    ++requests;
  }
  Report(state, requests, requests * kBatch);
}

// The floor: the smallest request there is (GetQueueUrl), i.e. what HTTP,
// routing and encoding cost on their own.
void HttpGetQueueUrl(benchmark::State& state, Bench* bench, Protocol protocol) {
  if (state.thread_index() == 0) bench->queue_url = bench->NewQueue();
  Connection connection(bench->endpoint->port());
  std::string request;
  int64_t requests = 0;
  for (auto _ : state) {
    if (request.empty()) {
      const std::string name = bench->queue_url.substr(bench->queue_url.rfind('/') + 1);
      const std::string host = HostOf(bench->endpoint->url() + "/");
      request =
          protocol == Protocol::kJson
              ? HttpRequest(protocol, host, "GetQueueUrl", R"({"QueueName":")" + name + R"("})")
              : HttpRequest(protocol, host, "GetQueueUrl",
                            "Action=GetQueueUrl&Version=2012-11-05&QueueName=" + name);
    }
    connection.RoundTrip(request);
    ++requests;
  }
  Report(state, requests, 0);
}

void HttpReceiveDeleteBatch(benchmark::State& state, Bench* bench, Protocol protocol) {
  if (state.thread_index() == 0) {
    bench->queue_url = bench->NewQueue();
    bench->Fill(bench->queue_url, int64_t{kIterations} * state.threads() * kBatch);
  }
  Connection connection(bench->endpoint->port());
  std::string receive;
  std::string url;
  int64_t requests = 0;
  int64_t messages = 0;
  for (auto _ : state) {
    if (receive.empty()) {
      url = bench->ClientUrl(bench->queue_url);
      receive = ReceiveRequest(protocol, url);
    }
    std::vector<std::string> handles = ReceiptHandles(protocol, connection.RoundTrip(receive));
    ++requests;
    if (handles.empty()) continue;
    connection.RoundTrip(DeleteBatchRequest(protocol, url, handles));
    ++requests;
    messages += static_cast<int64_t>(handles.size());
  }
  Report(state, requests, messages);
}

void ServiceSendBatch(benchmark::State& state, Bench* bench) {
  if (state.thread_index() == 0) bench->queue_url = bench->NewQueue();
  sqs::SendMessageBatchRequest request;
  for (int i = 0; i < kBatch; ++i) {
    request.entries.push_back({.id = absl::StrCat("m", i), .message_body = kBody});
  }
  int64_t requests = 0;
  for (auto _ : state) {
    if (request.queue_url.empty()) request.queue_url = bench->queue_url;
    benchmark::DoNotOptimize(bench->broker->sqs().SendMessageBatch(request));
    ++requests;
  }
  Report(state, requests, requests * kBatch);
}

void ServiceReceiveDeleteBatch(benchmark::State& state, Bench* bench) {
  if (state.thread_index() == 0) {
    bench->queue_url = bench->NewQueue();
    bench->Fill(bench->queue_url, int64_t{kIterations} * state.threads() * kBatch);
  }
  sqs::Service& sqs = bench->broker->sqs();
  int64_t requests = 0;
  int64_t messages = 0;
  for (auto _ : state) {
    sqs::ReceiveMessageRequest receive;
    receive.queue_url = bench->queue_url;
    receive.max_number_of_messages = kBatch;
    absl::StatusOr<sqs::ReceiveMessageResult> got = sqs.ReceiveMessage(receive);
    ++requests;
    if (!got.ok() || got->messages.empty()) continue;
    sqs::DeleteMessageBatchRequest remove;
    remove.queue_url = bench->queue_url;
    for (size_t i = 0; i < got->messages.size(); ++i) {
      remove.entries.push_back(
          {.id = absl::StrCat("d", i), .receipt_handle = got->messages[i].receipt_handle});
    }
    benchmark::DoNotOptimize(sqs.DeleteMessageBatch(remove));
    ++requests;
    messages += static_cast<int64_t>(got->messages.size());
  }
  Report(state, requests, messages);
}

// Send-to-response latency of a long poll among `receivers` parked ones.
// The endpoint is the run's own (two I/O threads; a parked poll holds none).
void HttpLongPoll(benchmark::State& state, Bench* bench) {
  const int receivers = static_cast<int>(state.range(0));
  Endpoint endpoint(*bench->broker, {.port = 0});
  if (!endpoint.ok()) {
    state.SkipWithError("endpoint did not start");
    return;
  }
  const std::string broker_url = bench->NewQueue();
  const std::string url = absl::StrCat(endpoint.url(), broker_url.substr(broker_url.find('/', 8)));
  const std::string receive =
      HttpRequest(Protocol::kJson, HostOf(url), "ReceiveMessage",
                  absl::StrCat(R"({"QueueUrl":")", url, R"(","WaitTimeSeconds":20})"));
  std::vector<std::unique_ptr<Connection>> polls;
  std::vector<pollfd> fds;
  for (int i = 0; i < receivers; ++i) {
    polls.push_back(std::make_unique<Connection>(endpoint.port()));
    polls.back()->Send(receive);
    fds.push_back({.fd = polls.back()->fd(), .events = POLLIN, .revents = 0});
  }
  sqs::Service& sqs = bench->broker->sqs();
  const sqs::SendMessageRequest send{.queue_url = broker_url, .message_body = kBody};
  // Sends one message and waits for the poll that answers with it (polls
  // that time out empty poll again). Returns the latency.
  auto exchange = [&] {
    const auto start = std::chrono::steady_clock::now();
    if (!sqs.SendMessage(send).ok()) std::abort();
    for (;;) {
      if (poll(fds.data(), fds.size(), -1) <= 0) std::abort();
      for (size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        const bool delivered = polls[i]->Receive().find(kBody) != std::string::npos;
        polls[i]->Send(receive);
        if (delivered) return std::chrono::steady_clock::now() - start;
      }
    }
  };
  // Until every poll is parked, a message may wait for one to arrive.
  for (int i = 0; i < receivers; ++i) exchange();
  std::vector<double> latencies_us;
  for (auto _ : state) {
    latencies_us.push_back(std::chrono::duration<double, std::micro>(exchange()).count());
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  state.counters["p50_us"] = latencies_us[latencies_us.size() / 2];
  state.counters["p99_us"] = latencies_us[latencies_us.size() * 99 / 100];
  state.counters["messages/s"] =
      benchmark::Counter(static_cast<double>(latencies_us.size()), benchmark::Counter::kIsRate);
  endpoint.Stop();
}

// Console output plus the messages/s of each run, for the ratio table. With
// --benchmark_repetitions the ratio uses the medians.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      auto it = run.counters.find("messages/s");
      if (it == run.counters.end()) continue;
      const std::string name = run.run_name.function_name;
      if (median || !medians_.contains(name)) rates_[name] = it->second.value;
      if (median) medians_.insert(name);
    }
  }
  double Rate(const std::string& name) const {
    auto it = rates_.find(name);
    return it == rates_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, double> rates_;  // By benchmark name, e.g. "HttpJson/GetQueueUrl".
  std::set<std::string> medians_;
};

}  // namespace
}  // namespace wharf

int main(int argc, char** argv) {
  using wharf::Bench;
  using wharf::Protocol;
  benchmark::Initialize(&argc, argv);
  Bench bench;
  bench.broker = std::move(wharf::Broker::Open({}).value());
  bench.endpoint =
      std::make_unique<wharf::Endpoint>(*bench.broker, wharf::EndpointOptions{.port = 0});
  if (!bench.endpoint->ok()) {
    std::fprintf(stderr, "endpoint: %s\n", std::string(bench.endpoint->status().message()).c_str());
    return 1;
  }
  auto add = [](benchmark::internal::Benchmark* b) {
    b->Threads(wharf::kThreads)->Iterations(wharf::kIterations)->UseRealTime();
  };
  add(benchmark::RegisterBenchmark("HttpJson/GetQueueUrl", wharf::HttpGetQueueUrl, &bench,
                                   Protocol::kJson));
  add(benchmark::RegisterBenchmark("HttpQuery/GetQueueUrl", wharf::HttpGetQueueUrl, &bench,
                                   Protocol::kQuery));
  add(benchmark::RegisterBenchmark("Service/SendMessageBatch", wharf::ServiceSendBatch, &bench));
  add(benchmark::RegisterBenchmark("HttpJson/SendMessageBatch", wharf::HttpSendBatch, &bench,
                                   Protocol::kJson));
  add(benchmark::RegisterBenchmark("HttpQuery/SendMessageBatch", wharf::HttpSendBatch, &bench,
                                   Protocol::kQuery));
  add(benchmark::RegisterBenchmark("Service/ReceiveDeleteBatch", wharf::ServiceReceiveDeleteBatch,
                                   &bench));
  add(benchmark::RegisterBenchmark("HttpJson/ReceiveDeleteBatch", wharf::HttpReceiveDeleteBatch,
                                   &bench, Protocol::kJson));
  add(benchmark::RegisterBenchmark("HttpQuery/ReceiveDeleteBatch", wharf::HttpReceiveDeleteBatch,
                                   &bench, Protocol::kQuery));
  // 5,000 parked polls need 10,000 descriptors here (both ends).
  rlimit descriptors;
  getrlimit(RLIMIT_NOFILE, &descriptors);
  descriptors.rlim_cur = descriptors.rlim_max;
  setrlimit(RLIMIT_NOFILE, &descriptors);
  benchmark::RegisterBenchmark("HttpJson/LongPoll", wharf::HttpLongPoll, &bench)
      ->Arg(100)
      ->Arg(1000)
      ->Arg(5000)
      ->Iterations(2000)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  wharf::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nHTTP rate / service rate (messages/s), %d connections, %d-message batches:\n",
              wharf::kThreads, wharf::kBatch);
  for (const char* op : {"SendMessageBatch", "ReceiveDeleteBatch"}) {
    double service = reporter.Rate(std::string("Service/") + op);
    for (const char* protocol : {"HttpJson", "HttpQuery"}) {
      double http = reporter.Rate(std::string(protocol) + "/" + op);
      if (service > 0 && http > 0) {
        std::printf("  %-10s %-20s %.3f  (HTTP %.0f msg/s, service %.0f msg/s)\n", protocol, op,
                    http / service, http, service);
      }
    }
  }
  bench.endpoint->Stop();
  benchmark::Shutdown();
  return 0;
}
