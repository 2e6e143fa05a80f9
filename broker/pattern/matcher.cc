// The public Matcher: a registry of parsed patterns (under a writer mutex)
// and a copy-on-write snapshot of the automaton compiled from them.

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "broker/base/aws_errors.h"
#include "broker/base/json.h"
#include "broker/base/mutex.h"
#include "broker/base/status_macros.h"
#include "broker/pattern/automaton.h"
#include "broker/pattern/flattener.h"
#include "broker/pattern/pattern_parser.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf {

void FlatEvent::AddString(std::string_view path, std::string_view value) {
  fields_.push_back(Field{std::string(path), Kind::kString, std::string(value), 0});
}
void FlatEvent::AddNumber(std::string_view path, double value) {
  fields_.push_back(Field{std::string(path), Kind::kNumber, {}, value});
}
void FlatEvent::AddBool(std::string_view path, bool value) {
  fields_.push_back(Field{std::string(path), value ? Kind::kTrue : Kind::kFalse, {}, 0});
}
void FlatEvent::AddNull(std::string_view path) {
  fields_.push_back(Field{std::string(path), Kind::kNull, {}, 0});
}

namespace {

using pattern_internal::Automaton;
using pattern_internal::MatchScratch;
using pattern_internal::ParsedPattern;

// An immutable compiled pattern set; ids[i] names pattern index i, and ids
// are sorted, so sorting matched indices sorts the ids.
struct Snapshot {
  uint64_t version = 0;
  std::unique_ptr<const Automaton> automaton;
  std::vector<std::string> ids;
};

class MatcherImpl final : public Matcher {
 public:
  explicit MatcherImpl(const MatcherOptions& options) : options_(options) {
    auto empty = std::make_shared<Snapshot>();
    empty->automaton = Automaton::Build({});
    snapshot_ = std::move(empty);
  }

  absl::Status Add(std::string_view id, std::string_view pattern_json) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    WHARF_ASSIGN_OR_RETURN(ParsedPattern parsed,
                           pattern_internal::ParsePattern(options_.dialect, pattern_json));
    auto shared = std::make_shared<const ParsedPattern>(std::move(parsed));
    MutexLock lock(&mu_);
    auto it = patterns_.find(id);
    if (it == patterns_.end()) {
      if (options_.max_patterns != 0 && patterns_.size() >= options_.max_patterns) {
        if (options_.dialect == PatternDialect::kEventBridge) {
          return base_internal::EventsLimitExceededError();
        }
        return MakeError(ErrorCode::kSnsFilterPolicyLimitExceeded, "Filter policy limit exceeded.");
      }
      patterns_.emplace(std::string(id), std::move(shared));
    } else {
      it->second = std::move(shared);
    }
    Changed();
    return absl::OkStatus();
  }

  absl::Status Remove(std::string_view id) override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    auto it = patterns_.find(id);
    if (it == patterns_.end()) {
      return absl::NotFoundError(absl::StrCat("no pattern with id ", std::string(id)));
    }
    patterns_.erase(it);
    Changed();
    return absl::OkStatus();
  }

  size_t size() const override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return patterns_.size();
  }

  void Compile() override { CurrentSnapshot(); }

  absl::StatusOr<std::vector<std::string>> MatchJson(std::string_view event_json) const override {
    std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
    ScratchLease lease(this);
    MatchScratch* m = lease.get();
    simdjson::dom::element root;
    simdjson::error_code err = base_internal::ParseJson(m->parser, event_json, &root);
    if (err != simdjson::SUCCESS) {
      ErrorCode code = options_.dialect == PatternDialect::kEventBridge
                           ? ErrorCode::kEventsValidation
                           : ErrorCode::kSnsInvalidParameter;
      return MakeError(code, absl::StrCat("Event is not valid JSON: ",
                                          std::string(simdjson::error_message(err))));
    }
    if (options_.dialect == PatternDialect::kSnsMessageAttributes) {
      pattern_internal::FlattenAttributesJson(*snap->automaton, root, m);
    } else {
      pattern_internal::FlattenJson(*snap->automaton, root, m);
    }
    return Finish(*snap, m);
  }

  std::vector<std::string> Match(const FlatEvent& event) const override {
    std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
    ScratchLease lease(this);
    pattern_internal::FlattenFields(*snap->automaton, event, lease.get());
    return Finish(*snap, lease.get());
  }

  std::vector<std::string> MatchAttributes(
      const std::vector<MessageAttributeRef>& attributes) const override {
    std::shared_ptr<const Snapshot> snap = CurrentSnapshot();
    ScratchLease lease(this);
    pattern_internal::FlattenAttributes(*snap->automaton, attributes, lease.get());
    return Finish(*snap, lease.get());
  }

 private:
  // Borrows a MatchScratch from the pool for one match.
  class ScratchLease {
   public:
    explicit ScratchLease(const MatcherImpl* owner) : owner_(owner) {
      {
        MutexLock lock(&owner_->scratch_mu_);
        if (!owner_->free_scratch_.empty()) {
          scratch_ = std::move(owner_->free_scratch_.back());
          owner_->free_scratch_.pop_back();
        }
      }
      if (scratch_ == nullptr) scratch_ = std::make_unique<MatchScratch>();
      scratch_->Clear();
    }
    ~ScratchLease() {
      MutexLock lock(&owner_->scratch_mu_);
      if (owner_->free_scratch_.size() < kMaxPooledScratch) {
        owner_->free_scratch_.push_back(std::move(scratch_));
      }
    }
    MatchScratch* get() { return scratch_.get(); }

   private:
    const MatcherImpl* owner_;
    std::unique_ptr<MatchScratch> scratch_;
  };

  // Scratch objects kept for reuse (one per concurrently matching thread).
  static constexpr size_t kMaxPooledScratch = 64;

  std::vector<std::string> Finish(const Snapshot& snap, MatchScratch* m) const {
    m->out.clear();
    snap.automaton->Match(m);
    std::sort(m->out.begin(), m->out.end());
    m->out.erase(std::unique(m->out.begin(), m->out.end()), m->out.end());
    std::vector<std::string> ids;
    ids.reserve(m->out.size());
    for (uint32_t i : m->out) ids.push_back(snap.ids[i]);
    return ids;
  }

  void Changed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++version_;
    latest_version_.store(version_, std::memory_order_release);
  }

  // The snapshot for the latest patterns, rebuilding it first if patterns
  // changed since it was built.
  std::shared_ptr<const Snapshot> CurrentSnapshot() const ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<const Snapshot> snap;
    {
      ReaderMutexLock lock(&snapshot_mu_);
      snap = snapshot_;
    }
    if (snap->version == latest_version_.load(std::memory_order_acquire)) return snap;
    MutexLock lock(&mu_);
    {
      ReaderMutexLock read(&snapshot_mu_);
      if (snapshot_->version == version_) return snapshot_;
    }
    auto fresh = std::make_shared<Snapshot>();
    fresh->version = version_;
    std::vector<const ParsedPattern*> parsed;
    parsed.reserve(patterns_.size());
    fresh->ids.reserve(patterns_.size());
    for (const auto& [id, pattern] : patterns_) {
      fresh->ids.push_back(id);
      parsed.push_back(pattern.get());
    }
    fresh->automaton = Automaton::Build(parsed);
    MutexLock write(&snapshot_mu_);
    snapshot_ = fresh;
    return fresh;
  }

  const MatcherOptions options_;

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<const ParsedPattern>, std::less<>> patterns_
      ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  // version_ as last published; read without mu_ on the match path.
  std::atomic<uint64_t> latest_version_{0};

  mutable Mutex snapshot_mu_ ABSL_ACQUIRED_AFTER(mu_);
  mutable std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(snapshot_mu_);

  mutable Mutex scratch_mu_;
  mutable std::vector<std::unique_ptr<MatchScratch>> free_scratch_ ABSL_GUARDED_BY(scratch_mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Matcher>> Matcher::Create(PatternDialect dialect) {
  MatcherOptions options;
  options.dialect = dialect;
  return Create(options);
}

absl::StatusOr<std::unique_ptr<Matcher>> Matcher::Create(const MatcherOptions& options) {
  return std::unique_ptr<Matcher>(new MatcherImpl(options));
}

absl::Status ValidatePattern(PatternDialect dialect, std::string_view pattern_json) {
  return pattern_internal::ParsePattern(dialect, pattern_json).status();
}

}  // namespace wharf
