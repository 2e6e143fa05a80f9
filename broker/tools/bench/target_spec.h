// TargetSpec: which system a scenario runs against, as written on the command
// line (--target=...) or in a scenario (`target: ...`):
//   inproc             a wharf::Broker in the harness's own process
//   noop               accepts every send and delivers nothing: the ceiling
//                      of the load generator itself
//   durable[:DIR]      a broker in the harness's process with a data
//                      directory (BrokerOptions::data_dir, SyncLevel::kNormal):
//                      DIR, kept afterwards, or a fresh temporary directory
//                      removed afterwards
//   durable-full[:DIR] the same with SyncLevel::kFull (a sync per commit)
//   http://HOST:PORT   any endpoint speaking SQS JSON 1.0, SNS query and
//   https://HOST[:PORT] EventBridge JSON 1.1 (wharf-server, AWS, ...)
//
// Thread safety: plain values.

#ifndef WHARF_BROKER_TOOLS_BENCH_TARGET_SPEC_H_
#define WHARF_BROKER_TOOLS_BENCH_TARGET_SPEC_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "wharf/broker.h"

namespace wharf::bench {

struct TargetSpec {
  enum class Kind { kInproc, kNoop, kDurable, kUrl };
  Kind kind = Kind::kInproc;
  std::string url;                            // kUrl: without a trailing slash.
  std::string data_dir;                       // kDurable; empty: a temporary directory.
  SyncLevel sync_level = SyncLevel::kNormal;  // kDurable.

  // "inproc", "noop", "durable[-full]", "durable[-full]:DIR" or the URL.
  std::string Name() const;
};

// Parses a target. Errors (InvalidArgument) say what is accepted.
absl::StatusOr<TargetSpec> ParseTargetSpec(std::string_view text);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_TARGET_SPEC_H_
