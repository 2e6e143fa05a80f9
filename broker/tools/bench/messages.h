// The messages of a load and the stamp that lets a consumer measure them.
//
// Every body is a JSON object (so an EventBridge Detail, an SNS MessageBody
// filter and an SQS body all read it):
//   {"wharf_bench":"wb1.<intended>.<producer>.<seq>.<group>","kind":"placed",...,"pad":"xxxx"}
// padded to the size the load's distribution draws (a body never gets
// shorter than its stamp and attributes). The stamp is plain digits and dots,
// so it survives the JSON escaping of an SNS envelope or an EventBridge event
// and FindStamp finds it in whatever the consumer receives.
//
// Thread safety: MessageFactory is not thread-safe (one per producer); the
// functions are.

#ifndef WHARF_BROKER_TOOLS_BENCH_MESSAGES_H_
#define WHARF_BROKER_TOOLS_BENCH_MESSAGES_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "broker/tools/bench/scenario.h"
#include "broker/tools/bench/target.h"

namespace wharf::bench {

struct Stamp {
  int64_t intended = 0;  // RunClock time the message was due to be sent.
  int producer = 0;      // Global producer index.
  int64_t seq = 0;       // Per producer, from 0.
  int group = 0;         // FIFO group index (0 otherwise).

  friend bool operator==(const Stamp&, const Stamp&) = default;
};

void AppendStamp(const Stamp& stamp, std::string* out);
// The first stamp in `body`, or nullopt.
std::optional<Stamp> FindStamp(std::string_view body);

class MessageFactory {
 public:
  // Producer `index` of the `count` producers of `load`; `producer` is its
  // global index (in stamps and deduplication ids).
  MessageFactory(const LoadSpec& load, int producer, int index, int count, uint64_t seed);

  // Replaces `out` with `n` messages due at `intended`.
  void Make(int64_t intended, int n, std::vector<OutMessage>* out);

  int64_t next_seq() const { return seq_; }

 private:
  struct Attribute {
    const AttributeSpec* spec;
    std::string json_name;                                    // "\"name\":"
    std::vector<std::pair<std::string, std::string>> values;  // (raw, JSON) per weighted value.
    std::string prefix;                                       // format before {n}
    std::string suffix;                                       // format after {n}
  };

  const LoadSpec& load_;
  const int producer_;
  const bool fifo_;
  std::vector<int> groups_;  // The FIFO groups this producer owns.
  std::vector<Attribute> attributes_;
  std::mt19937_64 rng_;
  int64_t seq_ = 0;
};

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_MESSAGES_H_
