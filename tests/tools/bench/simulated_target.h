// SimulatedTarget: a Target for Runner::RunSimulated. Its queues are plain
// deques; a send costs `send_cost` of simulated time and, once, the send
// made at or after `stall_at` blocks for `stall` (the clock jumps), as a
// target that stops answering for a while. Receives never wait.
//
// Only loads into queues; no dead-letter queues (a failed message returns
// to its queue until it succeeds).
//
// Thread safety: thread-safe, but meant for the single-threaded simulated
// driver.

#ifndef WHARF_TESTS_TOOLS_BENCH_SIMULATED_TARGET_H_
#define WHARF_TESTS_TOOLS_BENCH_SIMULATED_TARGET_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "broker/tools/bench/run_clock.h"
#include "broker/tools/bench/target.h"

namespace wharf::bench::testing {

class SimulatedTarget final : public Target {
 public:
  struct Options {
    int64_t send_cost = 10'000;       // ns per Send call.
    std::optional<int64_t> stall_at;  // Clock time of the stall.
    int64_t stall = 1'000'000'000;
  };

  SimulatedTarget(SimulatedClock& clock, Options options) : clock_(clock), options_(options) {}

  std::string name() const override { return "simulated"; }

  absl::Status Setup(const Scenario& scenario, std::string_view) override {
    if (!scenario.topics.empty() || !scenario.buses.empty()) {
      return absl::UnimplementedError("the simulated target has queues only");
    }
    MutexLock lock(&mu_);
    queues_.assign(scenario.queues.size(), Queue());
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<Session>> NewSession() override {
    return std::unique_ptr<Session>(std::make_unique<SimSession>(*this));
  }

  absl::Status Teardown() override { return absl::OkStatus(); }

  int sends() {
    MutexLock lock(&mu_);
    return sends_;
  }

 private:
  struct Queue {
    std::deque<std::pair<std::string, int>> visible;           // (body, receive count)
    std::map<int64_t, std::pair<std::string, int>> in_flight;  // by handle
  };

  class SimSession final : public Session {
   public:
    explicit SimSession(SimulatedTarget& t) : t_(t) {}

    absl::StatusOr<BatchOutcome> Send(const Destination& to,
                                      std::span<const OutMessage> batch) override {
      int64_t cost = t_.options_.send_cost;
      {
        MutexLock lock(&t_.mu_);
        ++t_.sends_;
        if (t_.options_.stall_at && !t_.stalled_ && t_.clock_.Now() >= *t_.options_.stall_at) {
          t_.stalled_ = true;
          cost += t_.options_.stall;
        }
      }
      t_.clock_.Advance(cost);  // The call takes this long.
      MutexLock lock(&t_.mu_);
      for (const OutMessage& m : batch) t_.queues_[to.index].visible.emplace_back(m.body, 0);
      return BatchOutcome();
    }

    absl::Status Receive(int queue, const ReceiveOptions& options,
                         std::vector<InMessage>* out) override {
      MutexLock lock(&t_.mu_);
      Queue& q = t_.queues_[queue];
      while (!q.visible.empty() && static_cast<int>(out->size()) < options.max_messages) {
        auto [body, count] = std::move(q.visible.front());
        q.visible.pop_front();
        int64_t handle = ++t_.next_handle_;
        out->push_back(
            {.body = body, .receipt_handle = absl::StrCat(handle), .receive_count = count + 1});
        q.in_flight.emplace(handle, std::make_pair(std::move(body), count + 1));
      }
      return absl::OkStatus();
    }

    absl::StatusOr<BatchOutcome> Delete(int queue, std::span<const std::string> handles) override {
      MutexLock lock(&t_.mu_);
      BatchOutcome outcome;
      for (const std::string& h : handles) {
        int64_t id = 0;
        if (!absl::SimpleAtoi(h, &id) || t_.queues_[queue].in_flight.erase(id) == 0) {
          ++outcome.failed;
        }
      }
      return outcome;
    }

    absl::StatusOr<BatchOutcome> ChangeVisibility(int queue, std::span<const std::string> handles,
                                                  int) override {
      MutexLock lock(&t_.mu_);
      Queue& q = t_.queues_[queue];
      // Back at the front, in the order given (so a FIFO group stays in order).
      for (auto h = handles.rbegin(); h != handles.rend(); ++h) {
        int64_t id = 0;
        if (!absl::SimpleAtoi(*h, &id)) continue;
        auto it = q.in_flight.find(id);
        if (it == q.in_flight.end()) continue;
        q.visible.push_front(std::move(it->second));
        q.in_flight.erase(it);
      }
      return BatchOutcome();
    }

    absl::StatusOr<QueueDepth> Depth(int queue) override {
      MutexLock lock(&t_.mu_);
      const Queue& q = t_.queues_[queue];
      return QueueDepth{.visible = static_cast<int64_t>(q.visible.size()),
                        .in_flight = static_cast<int64_t>(q.in_flight.size()),
                        .delayed = 0};
    }

    bool ReceiveWaits() const override { return false; }

   private:
    SimulatedTarget& t_;
  };

  SimulatedClock& clock_;
  const Options options_;
  Mutex mu_;
  std::vector<Queue> queues_ ABSL_GUARDED_BY(mu_);
  bool stalled_ ABSL_GUARDED_BY(mu_) = false;
  int sends_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_handle_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wharf::bench::testing

#endif  // WHARF_TESTS_TOOLS_BENCH_SIMULATED_TARGET_H_
