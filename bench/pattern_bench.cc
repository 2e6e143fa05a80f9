// Benchmarks of wharf::Matcher (broker/pattern): events matched per second
// against 10, 1,000 and 10,000 patterns of mixed operators, over a generated
// set of EventBridge-style events (fixed seed, ~700 bytes each). Matching
// includes parsing the event JSON, as in Matcher::MatchJson.
//
// If the city-lots data set (one GeoJSON feature per line, as used by
// quamina and aws/event-ruler) is found at $WHARF_CITYLOTS or
// /work/shared/bench-data/citylots.jlines, BM_Pattern_CityLots runs the
// event-ruler README workload shape on it (exact, prefix, suffix,
// equals-ignore-case, wildcard, numeric, anything-but rules).
// BM_Pattern_IgnoreCase compares ignore-case rules on ASCII words with rules
// on Latin-1, Greek and Cyrillic words.
//
//   ninja -C build bench/pattern_bench && build/bench/pattern_bench

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "benchmark/benchmark.h"
#include "wharf/pattern.h"

namespace wharf {
namespace {

constexpr uint32_t kSeed = 20261123;
constexpr int kEvents = 4096;

const char* const kSources[] = {
    "aws.ec2",         "aws.s3",         "aws.lambda",       "aws.ecs",        "aws.rds",
    "aws.sqs",         "aws.sns",        "aws.events",       "aws.dynamodb",   "aws.iam",
    "com.shop.orders", "com.shop.cart",  "com.shop.billing", "com.shop.users", "com.shop.search",
    "com.ads.bids",    "com.ads.clicks", "com.ml.train",     "com.ml.serve",   "com.ops.deploy"};
const char* const kDetailTypes[] = {"EC2 Instance State-change Notification",
                                    "Object Created",
                                    "Object Deleted",
                                    "OrderPlaced",
                                    "OrderShipped",
                                    "OrderCancelled",
                                    "PaymentFailed",
                                    "UserSignedUp",
                                    "UserDeleted",
                                    "BidWon",
                                    "ClickRecorded",
                                    "DeploymentStarted",
                                    "DeploymentFinished",
                                    "JobFailed",
                                    "JobSucceeded",
                                    "Heartbeat"};
const char* const kRegions[] = {"us-east-1", "us-east-2",    "us-west-1",  "us-west-2",
                                "eu-west-1", "eu-central-1", "ap-south-1", "ap-northeast-1"};
const char* const kStates[] = {"pending", "running",    "stopping",
                               "stopped", "terminated", "shutting-down"};
const char* const kNames[] = {"Alice",   "bob",   "CAROL", "dave",   "Eve",
                              "mallory", "Trent", "peggy", "Victor", "walter"};
const char* const kExtensions[] = {".png", ".jpg", ".json", ".csv", ".tmp", ".log"};

template <typename T, size_t N>
const T& Pick(std::mt19937& rng, const T (&items)[N]) {
  return items[rng() % N];
}

std::string MakeEvent(std::mt19937& rng) {
  const std::string region = Pick(rng, kRegions);
  const std::string account = absl::StrFormat("%012u", 100000000u + rng() % 20);
  return absl::StrCat(
      R"({"version":"0","id":")",
      absl::StrFormat("%08x-%04x-%04x", rng(), rng() & 0xffff, rng() & 0xffff),
      R"(","detail-type":")", Pick(rng, kDetailTypes), R"(","source":")", Pick(rng, kSources),
      R"(","account":")", account, R"(","time":"2026-11-23T08:)", rng() % 60, ":", rng() % 60,
      R"(Z","region":")", region, R"(","resources":["arn:aws:s3:::bucket-)", rng() % 50, "/path/",
      rng() % 1000, Pick(rng, kExtensions), R"(","arn:aws:ec2:)", region, ":", account,
      ":instance/i-", absl::StrFormat("%08x", rng()), R"("],"detail":{"state":")",
      Pick(rng, kStates), R"(","price":)", absl::StrFormat("%.2f", (rng() % 100000) / 100.0),
      R"(,"quantity":)", rng() % 100, R"(,"user":{"name":")", Pick(rng, kNames), R"(","ip":"10.)",
      rng() % 4, ".", rng() % 256, ".", rng() % 256,
      R"(","agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"},"tags":[")",
      Pick(rng, kStates), R"(",")", Pick(rng, kRegions), R"("],"flags":{"beta":)",
      rng() % 2 ? "true" : "false", R"(,"note":null}}})");
}

// One pattern: two leading fields narrow it down (as real rules do: a source
// and a type), then one condition of a rotating operator kind. `selective`
// adds an account (20 values), so that at 10,000 rules an event still
// satisfies well under one rule on average.
std::string MakePattern(std::mt19937& rng, int i, bool selective) {
  std::string third;
  switch (i % 9) {
    case 0:
      third = absl::StrCat(R"("detail":{"state":[")", Pick(rng, kStates), R"("]})");
      break;
    case 1:
      third = absl::StrCat(R"("region":[{"prefix":")",
                           std::string(Pick(rng, kRegions)).substr(0, 5), R"("}])");
      break;
    case 2:
      third = absl::StrCat(R"("resources":[{"suffix":")", Pick(rng, kExtensions), R"("}])");
      break;
    case 3:
      third = absl::StrCat(R"("detail":{"user":{"name":[{"equals-ignore-case":")",
                           Pick(rng, kNames), R"("}]}})");
      break;
    case 4:
      third = absl::StrCat(R"("resources":[{"wildcard":"arn:aws:s3:::bucket-)", rng() % 50, R"(/*)",
                           Pick(rng, kExtensions), R"("}])");
      break;
    case 5: {
      int lo = static_cast<int>(rng() % 1000);
      third = absl::StrCat(R"("detail":{"price":[{"numeric":[">=",)", lo, R"(,"<",)",
                           lo + 1 + rng() % 50, "]}]}");
      break;
    }
    case 6:
      third = absl::StrCat(R"("detail":{"state":[{"anything-but":[")", Pick(rng, kStates), R"(",")",
                           Pick(rng, kStates), R"("]}]})");
      break;
    case 7:
      third = absl::StrCat(R"("detail":{"user":{"ip":[{"cidr":"10.)", rng() % 4, ".", rng() % 256,
                           R"(.0/24"}]}})");
      break;
    default:
      third = absl::StrCat(R"("$or":[{"detail":{"quantity":[{"numeric":["<",)", rng() % 20,
                           R"(]}]}},{"detail":{"flags":{"beta":[true]}}}])");
      break;
  }
  std::string account =
      selective ? absl::StrFormat(R"("account":["%012u"],)", 100000000u + rng() % 20) : "";
  return absl::StrCat(R"({"source":[")", Pick(rng, kSources), R"("],"detail-type":[")",
                      Pick(rng, kDetailTypes), R"("],)", account, third, "}");
}

const std::vector<std::string>& Events() {
  static const std::vector<std::string>* events = [] {
    std::mt19937 rng(kSeed);
    auto* v = new std::vector<std::string>();
    for (int i = 0; i < kEvents; ++i) v->push_back(MakeEvent(rng));
    return v;
  }();
  return *events;
}

std::unique_ptr<Matcher> MakeMatcher(int patterns, bool selective = false) {
  std::mt19937 rng(kSeed + 1);
  auto m = std::move(Matcher::Create(PatternDialect::kEventBridge)).value();
  for (int i = 0; i < patterns; ++i) {
    absl::Status s = m->Add(absl::StrCat("rule-", i), MakePattern(rng, i, selective));
    if (!s.ok()) std::abort();
  }
  m->Compile();
  return m;
}

void RunMatch(benchmark::State& state, const Matcher& m, const std::vector<std::string>& events) {
  size_t i = 0, matches = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& e = events[i];
    auto ids = m.MatchJson(e);
    benchmark::DoNotOptimize(ids);
    matches += ids->size();
    bytes += e.size();
    if (++i == events.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["matches_per_event"] =
      static_cast<double>(matches) / static_cast<double>(state.iterations());
}

void BM_Pattern_MatchJson(benchmark::State& state) {
  auto m = MakeMatcher(static_cast<int>(state.range(0)));
  RunMatch(state, *m, Events());
}
BENCHMARK(BM_Pattern_MatchJson)->Arg(10)->Arg(1000)->Arg(10000);

// Same events and operator mix, rules also pinned to an account: the output
// per event stays small at every size, isolating the cost of the rule count.
void BM_Pattern_MatchJson_Selective(benchmark::State& state) {
  auto m = MakeMatcher(static_cast<int>(state.range(0)), /*selective=*/true);
  RunMatch(state, *m, Events());
}
BENCHMARK(BM_Pattern_MatchJson_Selective)->Arg(10)->Arg(1000)->Arg(10000);

void BM_Pattern_MatchJson_Threads(benchmark::State& state) {
  // Shared by the threads (Matcher is thread-safe); built once.
  static const Matcher* m = MakeMatcher(1000).release();
  RunMatch(state, *m, Events());
}
BENCHMARK(BM_Pattern_MatchJson_Threads)->Threads(1)->Threads(2)->UseRealTime();

void BM_Pattern_AddAndCompile(benchmark::State& state) {
  for (auto _ : state) {
    auto m = MakeMatcher(static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Pattern_AddAndCompile)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// ---- Ignore case ----------------------------------------------------------------

// 1,000 equals-ignore-case rules on one field and events that spell half of
// them in upper case: all-ASCII words (one hash lookup on the lower-cased
// value: the ceiling) against Latin-1, Greek and Cyrillic words (the value is
// case-folded too and each hit is confirmed against the rule's spellings).
void BM_Pattern_IgnoreCase(benchmark::State& state) {
  const bool unicode = state.range(0) != 0;
  struct Word {
    const char* lower;
    const char* upper;
  };
  static constexpr Word kAscii[] = {{"school", "SCHOOL"}, {"street", "STREET"}, {"road", "ROAD"},
                                    {"zurich", "ZURICH"}, {"athens", "ATHENS"}, {"tree", "TREE"},
                                    {"kyiv", "KYIV"},     {"moscow", "MOSCOW"}};
  static constexpr Word kUnicode[] = {{"école", "ÉCOLE"},   {"straße", "STRASSE"}, {"οδός", "ΟΔΌΣ"},
                                      {"zürich", "ZÜRICH"}, {"αθήνα", "ΑΘΉΝΑ"},    {"ёлка", "ЁЛКА"},
                                      {"київ", "КИЇВ"},     {"москва", "МОСКВА"}};
  const Word* words = unicode ? kUnicode : kAscii;
  constexpr int kRules = 1000;
  auto m = std::move(Matcher::Create(PatternDialect::kEventBridge)).value();
  for (int i = 0; i < kRules; ++i) {
    if (!m->Add(absl::StrCat("r", i), absl::StrCat(R"({"detail":{"name":[{"equals-ignore-case":")",
                                                   words[i % 8].lower, "-", i, R"("}]}})"))
             .ok()) {
      std::abort();
    }
  }
  m->Compile();
  std::mt19937 rng(kSeed);
  std::vector<std::string> events;
  for (int i = 0; i < kEvents; ++i) {
    const int k = static_cast<int>(rng() % (2 * kRules));
    events.push_back(absl::StrCat(R"({"source":"bench","detail":{"name":")", words[k % 8].upper,
                                  "-", k, R"(","n":)", i, "}}"));
  }
  RunMatch(state, *m, events);
}
BENCHMARK(BM_Pattern_IgnoreCase)->ArgName("unicode")->Arg(0)->Arg(1);

// ---- Production-shaped set ---------------------------------------------------------

// EventBridge rules built like production ones: many rules that each exclude
// 3-8 country codes on the same field (anything-but lists), mixed with exact
// sources and detail types (some rules name neither), prefixes on object
// keys, wildcards, equals-ignore-case on customer names, exists, numeric
// ranges and conditions on fields of objects inside an array; events of
// ~600 bytes whose countries come mostly (90%) from three home markets that
// the "foreign orders" rules all exclude. At 10,000 rules an event matches
// ~3 rules; the 10,000-rule rate over the 10-rule rate is printed at exit.
const char* const kProdSources[] = {"com.shop.orders",  "com.shop.uploads",  "com.shop.billing",
                                    "com.shop.returns", "com.shop.shipping", "com.shop.users"};
const char* const kProdDetailTypes[] = {"OrderPlaced",     "OrderShipped",  "OrderCancelled",
                                        "ObjectCreated",   "PaymentFailed", "RefundIssued",
                                        "CustomerUpdated", "InvoiceSent"};
const char* const kCountries[] = {"US", "DE", "GB", "FR", "NL", "ES", "IT", "JP", "CA", "AU",
                                  "BR", "MX", "IN", "CN", "KR", "SE", "NO", "DK", "FI", "PL",
                                  "CZ", "AT", "CH", "BE", "IE", "PT", "GR", "TR", "ZA", "NG",
                                  "EG", "AR", "CL", "CO", "PE", "NZ", "SG", "TH", "VN", "PH"};
constexpr int kHomeMarkets = 3;  // kCountries[0..2].
const char* const kCategories[] = {"books", "toys",    "garden", "kitchen",
                                   "music", "fashion", "sports", "office"};
const char* const kFileTypes[] = {".pdf", ".csv", ".json", ".png"};
constexpr int kTenants = 1000, kCustomers = 300, kBuckets = 50;

std::string RandomCase(std::mt19937& rng, std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z' && rng() % 2 == 0) c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string MakeProductionEvent(std::mt19937& rng) {
  const int tenant = static_cast<int>(rng() % kTenants);
  const std::string key = absl::StrFormat("tenant-%04d/2026/11/doc-%05u%s", tenant, rng() % 100000,
                                          Pick(rng, kFileTypes));
  const char* country = rng() % 10 < 9 ? kCountries[rng() % kHomeMarkets] : Pick(rng, kCountries);
  auto item = [&] {
    return absl::StrFormat(R"({"sku":"SKU-%04u","category":"%s","qty":%u})", rng() % 10000,
                           Pick(rng, kCategories), 1 + rng() % 5);
  };
  return absl::StrCat(
      R"({"version":"0","id":")",
      absl::StrFormat("%08x-%04x-%04x-%04x-%012x", rng(), rng() & 0xffff, rng() & 0xffff,
                      rng() & 0xffff, (uint64_t{rng()} << 16) ^ rng()),
      R"(","detail-type":")", Pick(rng, kProdDetailTypes), R"(","source":")",
      Pick(rng, kProdSources), R"(","account":"123456789012","time":"2026-11-23T08:)", rng() % 60,
      ":", rng() % 60, R"(Z","region":"eu-west-1","resources":["arn:aws:s3:::uploads-)",
      rng() % kBuckets, "/", key, R"("],"detail":{"tenant":")",
      absl::StrFormat("tenant-%04d", tenant), R"(","order-id":")",
      absl::StrFormat("o-%08u", rng() % 100000000), R"(","total":)",
      absl::StrFormat("%.2f", (rng() % 1000000) / 100.0), R"(,"customer":{"id":")",
      absl::StrFormat("c-%06u", rng() % 1000000), R"(","name":")",
      RandomCase(rng, absl::StrFormat("customer-%03u", rng() % kCustomers)), R"(","country":")",
      country, R"(","tier":"gold"},"object":{"key":")", key, R"(","size":)", rng() % 10000000,
      R"(},"items":[)", item(), ",", item(), R"(],"payment":{"method":"card","currency":"EUR")",
      rng() % 10 == 0 ? R"(,"voucher":"V-2026")" : "", R"(},"request-id":")",
      absl::StrFormat("%08x-%04x", rng(), rng() & 0xffff), R"("}})");
}

// `count` distinct country codes, the first `home` of them the home markets.
std::string CountryList(std::mt19937& rng, int count, int home) {
  std::vector<std::string> codes;
  for (int i = 0; i < home; ++i) codes.push_back(absl::StrCat("\"", kCountries[i], "\""));
  while (static_cast<int>(codes.size()) < count) {
    std::string c =
        absl::StrCat("\"", kCountries[home + rng() % (std::size(kCountries) - home)], "\"");
    if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
  }
  return absl::StrCat("[", absl::StrJoin(codes, ","), "]");
}

std::string MakeProductionPattern(std::mt19937& rng, int i) {
  const std::string src = absl::StrCat(R"("source":[")", Pick(rng, kProdSources), R"("])");
  const std::string dt = absl::StrCat(R"("detail-type":[")", Pick(rng, kProdDetailTypes), R"("])");
  const int list = 3 + static_cast<int>(rng() % 6);
  auto excluded = [&](int home) {
    return absl::StrCat(R"("country":[{"anything-but":)", CountryList(rng, list, home), "}]");
  };
  const std::string tenant = absl::StrFormat("tenant-%04u", rng() % kTenants);
  const std::string customer = absl::StrFormat("customer-%03u", rng() % kCustomers);
  switch (i % 10) {
    case 0:  // Foreign orders: everything but the home markets and a few more.
      return absl::StrCat("{", src, ",", dt, R"(,"detail":{"customer":{)", excluded(kHomeMarkets),
                          "}}}");
    case 1:
      return absl::StrCat("{", src, ",", dt, R"(,"detail":{"object":{"key":[{"prefix":")", tenant,
                          R"(/"}]},"customer":{)", excluded(0), "}}}");
    case 2:
      return absl::StrCat("{", dt, R"(,"detail":{"customer":{"name":[{"equals-ignore-case":")",
                          customer, R"("}],)", excluded(0), "}}}");
    case 3: {  // No source or type: large orders except from some countries.
      const uint32_t lo = rng() % 10000;
      return absl::StrCat(R"({"detail":{"total":[{"numeric":[">=",)", lo, R"(,"<",)", lo + 5,
                          R"(]}],"customer":{)", excluded(0), "}}}");
    }
    case 4:
      return absl::StrCat("{", src, R"(,"detail":{"object":{"key":[{"prefix":")", tenant,
                          R"(/2026/"}]}}})");
    case 5:
      return absl::StrCat("{", src, ",", dt, R"(,"resources":[{"wildcard":"arn:aws:s3:::uploads-)",
                          rng() % kBuckets, "/", tenant, R"(/*)", Pick(rng, kFileTypes), R"("}]})");
    case 6:
      return absl::StrCat("{", src, R"(,"detail":{"customer":{"name":[{"equals-ignore-case":")",
                          customer, R"("}]}}})");
    case 7:
      return absl::StrCat("{", src, ",", dt, R"(,"detail":{"tenant":[")", tenant,
                          R"("],"payment":{"voucher":[{"exists":true}]}}})");
    case 8:  // Both conditions on the same element of the array.
      return absl::StrCat("{", dt, R"(,"detail":{"items":{"sku":[{"prefix":"SKU-)", rng() % 1000,
                          R"("}],"category":[")", Pick(rng, kCategories), R"("]}}})");
    default:
      return absl::StrCat("{", src, ",", dt,
                          R"(,"detail":{"items":{"category":[{"anything-but":[")",
                          Pick(rng, kCategories), R"(",")", Pick(rng, kCategories),
                          R"("]}],"sku":[{"prefix":"SKU-)", rng() % 100, R"("}]},"customer":{)",
                          excluded(0), "}}}");
  }
}

const std::vector<std::string>& ProductionEvents() {
  static const std::vector<std::string>* events = [] {
    std::mt19937 rng(kSeed + 2);
    auto* v = new std::vector<std::string>();
    for (int i = 0; i < kEvents; ++i) v->push_back(MakeProductionEvent(rng));
    return v;
  }();
  return *events;
}

void BM_Pattern_Production(benchmark::State& state) {
  const int rules = static_cast<int>(state.range(0));
  std::mt19937 rng(kSeed + 3);
  auto m = std::move(Matcher::Create(PatternDialect::kEventBridge)).value();
  for (int i = 0; i < rules; ++i) {
    if (!m->Add(absl::StrCat("rule-", i), MakeProductionPattern(rng, i)).ok()) std::abort();
  }
  m->Compile();
  RunMatch(state, *m, ProductionEvents());
  // For RatioReporter (items_per_second is not among the run's counters).
  state.counters["rate"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["rules"] = rules;
}
BENCHMARK(BM_Pattern_Production)->ArgName("rules")->Arg(10)->Arg(1000)->Arg(10000);

// ---- City lots ------------------------------------------------------------------

std::vector<std::string> LoadCityLots() {
  const char* env = std::getenv("WHARF_CITYLOTS");
  std::ifstream in(env != nullptr ? env : "/work/shared/bench-data/citylots.jlines");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The event-ruler README workload: 5 rules of each kind on the properties.
void BM_Pattern_CityLots(benchmark::State& state) {
  static const std::vector<std::string>* lines = new std::vector<std::string>(LoadCityLots());
  if (lines->empty()) {
    state.SkipWithError("city-lots data not found (set WHARF_CITYLOTS)");
    return;
  }
  auto m = std::move(Matcher::Create(PatternDialect::kEventBridge)).value();
  const char* const streets[] = {"CRANLEIGH", "ASHBURY", "CLAY", "BEACH", "FOLSOM"};
  int n = 0;
  for (const char* s : streets) {
    auto add = [&](const std::string& p) {
      if (!m->Add(absl::StrCat("r", n++), p).ok()) std::abort();
    };
    add(absl::StrCat(R"({"properties":{"STREET":[")", s, R"("]}})"));
    add(absl::StrCat(R"({"properties":{"STREET":[{"prefix":")", std::string(s).substr(0, 3),
                     R"("}]}})"));
    add(absl::StrCat(R"({"properties":{"STREET":[{"suffix":")", std::string(s).substr(2),
                     R"("}]}})"));
    add(absl::StrCat(R"({"properties":{"STREET":[{"equals-ignore-case":")", s, R"("}]}})"));
    add(absl::StrCat(R"({"properties":{"STREET":[{"wildcard":")", std::string(s).substr(0, 2),
                     R"(*"}]}})"));
    add(absl::StrCat(R"({"geometry":{"coordinates":[{"numeric":[">",-122.)", n, R"(,"<",-122.)",
                     n + 1, R"(]}]}})"));
    add(absl::StrCat(R"({"properties":{"STREET":[{"anything-but":[")", s, R"("]}]}})"));
  }
  RunMatch(state, *m, *lines);
}
BENCHMARK(BM_Pattern_CityLots);

// Prints the production set's 10,000-rule rate over its 10-rule rate at exit
// (medians over repetitions).
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      // Repetitions, or only their median with --benchmark_report_aggregates_only.
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.error_occurred || (run.run_type != Run::RT_Iteration && !median)) continue;
      auto rate = run.counters.find("rate");
      auto rules = run.counters.find("rules");
      if (rate == run.counters.end() || rules == run.counters.end()) continue;
      std::vector<double>& rates =
          (median ? medians_ : rates_)[static_cast<int>(rules->second.value)];
      rates.push_back(rate->second.value);
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    const auto& by_rules = medians_.empty() ? rates_ : medians_;
    auto low = by_rules.find(10);
    auto high = by_rules.find(10000);
    if (low == by_rules.end() || high == by_rules.end()) return;
    const double low_rate = Median(low->second);
    if (low_rate <= 0) return;
    GetOutputStream() << "production: 10000-rule rate / 10-rule rate = "
                      << Median(high->second) / low_rate << " (target >= 0.5)\n";
  }

 private:
  static double Median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  std::map<int, std::vector<double>> rates_, medians_;  // By rule count.
};

}  // namespace
}  // namespace wharf

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  wharf::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
