#include "broker/tools/bench/results.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace wharf::bench {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Key(Writer& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
void Str(Writer& w, std::string_view key, std::string_view value) {
  Key(w, key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void Int(Writer& w, std::string_view key, int64_t value) {
  Key(w, key);
  w.Int64(value);
}
void Real(Writer& w, std::string_view key, double value) {
  Key(w, key);
  w.Double(std::isfinite(value) ? value : 0);
}

void WriteLatency(Writer& w, std::string_view key, const LatencyFigures& l) {
  Key(w, key);
  w.StartObject();
  Str(w, "unit", "ns");
  Int(w, "count", l.count);
  Real(w, "mean", l.mean);
  Int(w, "min", l.min);
  Int(w, "p50", l.p50);
  Int(w, "p90", l.p90);
  Int(w, "p99", l.p99);
  Int(w, "p999", l.p999);
  Int(w, "max", l.max);
  Real(w, "max_relative_error", Histogram::kMaxRelativeError);
  // The non-empty buckets: [low, high, count], values in ns.
  Key(w, "histogram");
  w.StartArray();
  for (const Histogram::Bucket& b : l.histogram.NonEmptyBuckets()) {
    w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
    w.StartArray();
    w.Int64(b.low);
    w.Int64(b.high);
    w.Int64(b.count);
    w.EndArray();
  }
  w.EndArray();
  w.SetFormatOptions(rapidjson::kFormatDefault);
  w.EndObject();
}

void WriteRun(Writer& w, const RunResult& r) {
  w.StartObject();
  Str(w, "scenario", r.scenario);
  Str(w, "description", r.description);
  Str(w, "target", r.target);
  Str(w, "label", r.label);
  Str(w, "started_at", r.started_at);
  Key(w, "seed");
  w.Uint64(r.seed);
  Real(w, "warmup_s", r.warmup_s);
  Real(w, "duration_s", r.duration_s);
  Real(w, "drain_s", r.drain_s);
  Str(w, "rate", r.rate);
  Key(w, "host");
  w.StartObject();
  Int(w, "cores", r.host.cores);
  Real(w, "load1", r.host.load1);
  Real(w, "load5", r.host.load5);
  Real(w, "load15", r.host.load15);
  w.EndObject();

  Key(w, "measured");
  w.StartObject();
  Int(w, "sent", r.sent);
  Int(w, "send_failed", r.send_failed);
  Int(w, "delivered", r.delivered);
  Real(w, "sent_per_s", r.sent_per_s);
  Real(w, "delivered_per_s", r.delivered_per_s);
  w.EndObject();

  Key(w, "totals");
  w.StartObject();
  Int(w, "sent", r.sent_total);
  Int(w, "delivered", r.delivered_total);
  Int(w, "redelivered", r.redelivered);
  Int(w, "deleted", r.deleted);
  Int(w, "failed", r.failed);
  Int(w, "send_errors", r.send_errors);
  Int(w, "receive_errors", r.receive_errors);
  Int(w, "foreign", r.foreign);
  Int(w, "fifo_order_violations", r.fifo_order_violations);
  Int(w, "backlog_end", r.backlog_end);
  Int(w, "dlq_end", r.dlq_end);
  w.EndObject();

  Key(w, "queues");
  w.StartArray();
  for (const QueueFigures& q : r.queues) {
    w.StartObject();
    Str(w, "name", q.name);
    Key(w, "dead_letter");
    w.Bool(q.dead_letter);
    Key(w, "consumed");
    w.Bool(q.consumed);
    Int(w, "visible", q.visible);
    Int(w, "in_flight", q.in_flight);
    w.EndObject();
  }
  w.EndArray();

  WriteLatency(w, "latency", r.receipt);
  WriteLatency(w, "completion_latency", r.completion);
  Str(w, "latency_to", r.receipt_at);
  Str(w, "completion_to", r.completion_at);

  Key(w, "cpu");
  w.StartObject();
  Real(w, "seconds", r.cpu_seconds);
  Real(w, "cores", r.cpu_cores);
  Real(w, "wall_s", r.wall_s);
  w.EndObject();

  Key(w, "ceiling_per_s");
  if (r.ceiling_per_s) {
    w.Double(*r.ceiling_per_s);
  } else {
    w.Null();
  }

  Key(w, "series");
  w.StartArray();
  for (const SeriesPoint& p : r.series) {
    w.SetFormatOptions(rapidjson::kFormatDefault);
    w.StartObject();
    Real(w, "t", p.t);
    Real(w, "seconds", p.seconds);
    Str(w, "phase", p.phase);
    Int(w, "sent", p.sent);
    Int(w, "send_failed", p.send_failed);
    Int(w, "delivered", p.delivered);
    Int(w, "redelivered", p.redelivered);
    Int(w, "deleted", p.deleted);
    Int(w, "failed", p.failed);
    Int(w, "backlog", p.backlog);
    Int(w, "in_flight", p.in_flight);
    Int(w, "dlq", p.dlq);
    Int(w, "p50", p.p50);
    Int(w, "p90", p.p90);
    Int(w, "p99", p.p99);
    Int(w, "max", p.max);
    Real(w, "cpu", p.cpu);
    Int(w, "lag", p.lag);
    w.EndObject();
  }
  w.EndArray();

  Key(w, "errors");
  w.StartArray();
  for (const std::string& e : r.errors)
    w.String(e.data(), static_cast<rapidjson::SizeType>(e.size()));
  w.EndArray();
  w.EndObject();
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

LatencyFigures LatencyFigures::Of(const Histogram& h) {
  LatencyFigures l;
  l.count = h.count();
  l.mean = h.mean();
  l.min = h.min();
  l.p50 = h.Percentile(0.5);
  l.p90 = h.Percentile(0.9);
  l.p99 = h.Percentile(0.99);
  l.p999 = h.Percentile(0.999);
  l.max = h.max();
  l.histogram = h;
  return l;
}

std::string ResultsJson(const std::vector<RunResult>& runs) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  Str(w, "tool", "wharf-bench");
  Int(w, "format", 1);
  Key(w, "runs");
  w.StartArray();
  for (const RunResult& r : runs) WriteRun(w, r);
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string ResultsCsv(const std::vector<RunResult>& runs) {
  std::string out =
      "run,t,seconds,phase,sent,send_failed,delivered,redelivered,deleted,failed,backlog,"
      "in_flight,dlq,p50_ms,p90_ms,p99_ms,max_ms,cpu,lag_ms\n";
  for (const RunResult& r : runs) {
    for (const SeriesPoint& p : r.series) {
      absl::StrAppendFormat(
          &out, "%s,%.3f,%.3f,%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f\n",
          CsvField(r.label), p.t, p.seconds, p.phase, p.sent, p.send_failed, p.delivered,
          p.redelivered, p.deleted, p.failed, p.backlog, p.in_flight, p.dlq, p.p50 / 1e6,
          p.p90 / 1e6, p.p99 / 1e6, p.max / 1e6, p.cpu, p.lag / 1e6);
    }
  }
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) {
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status WriteJson(const std::vector<RunResult>& runs, const std::string& path) {
  return WriteFile(path, ResultsJson(runs));
}

absl::Status WriteCsv(const std::vector<RunResult>& runs, const std::string& path) {
  return WriteFile(path, ResultsCsv(runs));
}

}  // namespace wharf::bench
