#include "broker/tools/bench/report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <span>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/tools/bench/text.h"

namespace wharf::bench {
namespace {

// Okabe-Ito: distinguishable with colour-blindness.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};
constexpr const char* kDashes[] = {"", "6 3", "2 3", "8 3 2 3"};

constexpr double kWidth = 660;
constexpr double kHeight = 300;
constexpr double kLeft = 70;
constexpr double kRight = 16;
constexpr double kTop = 30;
constexpr double kBottom = 42;

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string FormatLatency(double ns) {
  if (ns <= 0) return "0";
  if (ns < 1e3) return absl::StrFormat("%.0f ns", ns);
  if (ns < 1e6) return absl::StrFormat("%.3g µs", ns / 1e3);
  if (ns < 1e9) return absl::StrFormat("%.3g ms", ns / 1e6);
  return absl::StrFormat("%.3g s", ns / 1e9);
}

std::string FormatCount(double v) {
  if (std::fabs(v) >= 1e6) return absl::StrFormat("%.3gM", v / 1e6);
  if (std::fabs(v) >= 1e4) return absl::StrFormat("%.3gk", v / 1e3);
  return absl::StrFormat("%.4g", v);
}

double NiceStep(double range, int target) {
  if (range <= 0) return 1;
  double raw = range / target;
  double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double norm = raw / magnitude;
  double nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  return nice * magnitude;
}

struct Line {
  std::string run;
  std::string series;
  std::string color;
  std::string dash;
  std::vector<std::pair<double, double>> points;
};

struct Axis {
  enum class Kind { kLinear, kLog, kPercentile };
  Kind kind = Kind::kLinear;
  double min = 0;
  double max = 1;
  std::string label;
  std::function<std::string(double)> format;  // Tick label of a value.
};

struct Chart {
  std::string id;
  std::string title;
  Axis x;
  Axis y;
  std::vector<Line> lines;
  std::vector<std::pair<double, double>> shaded;  // x ranges (warm-up, drain).
  std::vector<std::string> shaded_labels;
};

double Project(const Axis& a, double v, double from, double to) {
  double f;
  if (a.kind == Axis::Kind::kLog) {
    double lo = std::log10(a.min);
    double hi = std::log10(a.max);
    f = (std::log10(std::max(v, a.min)) - lo) / (hi - lo);
  } else {
    f = (v - a.min) / (a.max - a.min);
  }
  f = std::clamp(f, 0.0, 1.0);
  return from + f * (to - from);
}

std::vector<double> Ticks(const Axis& a) {
  std::vector<double> out;
  if (a.kind == Axis::Kind::kLog) {
    for (double v = a.min; v <= a.max * 1.0001; v *= 10) out.push_back(v);
    return out;
  }
  double step = a.kind == Axis::Kind::kPercentile ? 1 : NiceStep(a.max - a.min, 5);
  for (double v = a.min; v <= a.max + step * 1e-6; v += step) out.push_back(v);
  return out;
}

std::string RenderChart(const Chart& c) {
  const double x0 = kLeft;
  const double x1 = kWidth - kRight;
  const double y0 = kHeight - kBottom;
  const double y1 = kTop;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"%s\" "
      "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n"
      "<title>%s</title>\n"
      "<text x=\"%.0f\" y=\"18\" class=\"title\">%s</text>\n",
      Escape(c.id), kWidth, kHeight, kWidth, kHeight, Escape(c.title), x0, Escape(c.title));
  for (size_t i = 0; i < c.shaded.size(); ++i) {
    double a = Project(c.x, c.shaded[i].first, x0, x1);
    double b = Project(c.x, c.shaded[i].second, x0, x1);
    if (b - a < 0.5) continue;
    absl::StrAppendFormat(&svg,
                          "<rect class=\"phase\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                          "height=\"%.1f\"/>\n<text class=\"phase-label\" x=\"%.1f\" "
                          "y=\"%.1f\">%s</text>\n",
                          a, y1, b - a, y0 - y1, a + 3, y1 + 11, Escape(c.shaded_labels[i]));
  }
  for (double t : Ticks(c.y)) {
    double y = Project(c.y, t, y0, y1);
    absl::StrAppendFormat(
        &svg,
        "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
        "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
        x0, y, x1, y, x0 - 5, y + 4, Escape(c.y.format(t)));
  }
  for (double t : Ticks(c.x)) {
    double x = Project(c.x, t, x0, x1);
    absl::StrAppendFormat(
        &svg,
        "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
        "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
        x, y0, x, y1, x, y0 + 15, Escape(c.x.format(t)));
  }
  absl::StrAppendFormat(&svg,
                        "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                        "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                        x0, y0, x1, y0, x0, y0, x0, y1);
  absl::StrAppendFormat(
      &svg, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
      (x0 + x1) / 2, kHeight - 6, Escape(c.x.label));
  absl::StrAppendFormat(&svg,
                        "<text class=\"label\" transform=\"translate(14 %.1f) rotate(-90)\" "
                        "text-anchor=\"middle\">%s</text>\n",
                        (y0 + y1) / 2, Escape(c.y.label));
  for (const Line& line : c.lines) {
    std::string points;
    for (const auto& [x, y] : line.points) {
      if (!points.empty()) points += ' ';
      absl::StrAppendFormat(&points, "%.1f,%.1f", Project(c.x, x, x0, x1), Project(c.y, y, y0, y1));
    }
    absl::StrAppendFormat(
        &svg,
        "<polyline class=\"series\" data-run=\"%s\" data-series=\"%s\" "
        "fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s points=\"%s\">"
        "<title>%s: %s</title></polyline>\n",
        Escape(line.run), Escape(line.series), line.color,
        line.dash.empty() ? "" : absl::StrCat(" stroke-dasharray=\"", line.dash, "\""), points,
        Escape(line.run), Escape(line.series));
  }
  svg += "</svg>\n";
  return svg;
}

// A legend for the chart's lines, as HTML; with several runs each entry
// names its run.
std::string Legend(const Chart& c, bool several_runs) {
  std::string out = "<div class=\"legend\">";
  for (const Line& line : c.lines) {
    absl::StrAppendFormat(
        &out,
        "<span><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"26\" height=\"10\">"
        "<line x1=\"0\" y1=\"5\" x2=\"26\" y2=\"5\" stroke=\"%s\" stroke-width=\"2\"%s/></svg> "
        "%s</span>",
        line.color, line.dash.empty() ? "" : absl::StrCat(" stroke-dasharray=\"", line.dash, "\""),
        Escape(several_runs ? absl::StrCat(line.run, ": ", line.series) : line.series));
  }
  out += "</div>\n";
  return out;
}

// Colour and dash of series `s` of run `r`: with one run the series differ
// in colour; with several, runs differ in colour and series in dash.
std::pair<std::string, std::string> Style(size_t runs, size_t r, size_t s) {
  if (runs == 1) return {kPalette[s % std::size(kPalette)], ""};
  return {kPalette[r % std::size(kPalette)], kDashes[s % std::size(kDashes)]};
}

double EndTime(const std::vector<RunResult>& runs) {
  double end = 1;
  for (const RunResult& r : runs) {
    if (!r.series.empty()) end = std::max(end, r.series.back().t);
  }
  return end;
}

Axis TimeAxis(const std::vector<RunResult>& runs) {
  Axis x;
  x.max = EndTime(runs);
  x.max = std::ceil(x.max / NiceStep(x.max, 6)) * NiceStep(x.max, 6);
  x.label = "time (s)";
  x.format = [](double v) { return absl::StrFormat("%g", v); };
  return x;
}

Axis CountAxis(double max, std::string label) {
  Axis y;
  double step = NiceStep(std::max(max, 1.0) * 1.05, 5);
  y.max = std::ceil(std::max(max, 1.0) * 1.05 / step) * step;
  y.label = std::move(label);
  y.format = FormatCount;
  return y;
}

Axis LatencyAxis(double lo, double hi) {
  Axis y;
  y.kind = Axis::Kind::kLog;
  lo = std::max(lo, 100.0);
  hi = std::max(hi, lo * 10);
  y.min = std::pow(10, std::floor(std::log10(lo)));
  y.max = std::pow(10, std::ceil(std::log10(hi)));
  y.label = "latency";
  y.format = FormatLatency;
  return y;
}

void AddPhases(const RunResult& first, Chart* c) {
  if (first.warmup_s > 0) {
    c->shaded.emplace_back(0, first.warmup_s);
    c->shaded_labels.push_back("warm-up");
  }
  double load_end = first.warmup_s + first.duration_s;
  if (!first.series.empty() && first.series.back().t > load_end) {
    c->shaded.emplace_back(load_end, first.series.back().t);
    c->shaded_labels.push_back("drain");
  }
}

// A time chart of the given series of every run.
Chart TimeChart(const std::vector<RunResult>& runs, std::string id, std::string title,
                std::span<const std::string_view> series,
                const std::function<double(const SeriesPoint&, std::string_view)>& value,
                bool latency) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.x = TimeAxis(runs);
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    for (size_t s = 0; s < series.size(); ++s) {
      auto [color, dash] = Style(runs.size(), r, s);
      Line line{.run = runs[r].label,
                .series = std::string(series[s]),
                .color = color,
                .dash = dash,
                .points = {}};
      for (const SeriesPoint& p : runs[r].series) {
        double v = value(p, series[s]);
        if (latency && v <= 0) continue;  // No receipts in the interval.
        line.points.emplace_back(p.t, v);
        hi = std::max(hi, v);
        if (v > 0) lo = std::min(lo, v);
      }
      c.lines.push_back(std::move(line));
    }
  }
  if (latency) {
    c.y = LatencyAxis(std::isfinite(lo) ? lo : 1e3, hi);
  } else {
    c.y = CountAxis(hi, c.id == "throughput" ? "messages/s" : "messages");
  }
  AddPhases(runs.front(), &c);
  return c;
}

// Percentile spectrum: x = -log10(1 - q) (0 = 0%, 1 = 90%, 2 = 99%, ...).
Chart DistributionChart(const std::vector<RunResult>& runs) {
  Chart c;
  c.id = "distribution";
  bool handler = std::any_of(runs.begin(), runs.end(),
                             [](const RunResult& r) { return r.receipt_at != "first receipt"; });
  c.title = absl::StrCat("Latency distribution (due to first receipt",
                         handler ? " or handler call" : "", ", measured window)");
  c.x.kind = Axis::Kind::kPercentile;
  c.x.label = "percentile";
  c.x.format = [](double v) {
    if (v == 0) return std::string("0%");
    return absl::StrFormat("%.*f%%", std::max(0, static_cast<int>(v) - 2),
                           100 * (1 - std::pow(10, -v)));
  };
  double x_max = 1;
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    auto [color, dash] = Style(runs.size(), r, 0);
    Line line{
        .run = runs[r].label, .series = "distribution", .color = color, .dash = dash, .points = {}};
    const Histogram& h = runs[r].receipt.histogram;
    if (h.count() > 0) {
      double cap = std::log10(static_cast<double>(h.count()));
      x_max = std::max(x_max, std::ceil(cap));
      int64_t seen = 0;
      line.points.emplace_back(0, std::max<double>(h.min(), 1));
      for (const Histogram::Bucket& b : h.NonEmptyBuckets()) {
        seen += b.count;
        double q = static_cast<double>(seen) / static_cast<double>(h.count());
        double x = q >= 1 ? cap : std::min(cap, -std::log10(1 - q));
        double v = static_cast<double>(std::min(b.high, h.max()));
        line.points.emplace_back(x, v);
      }
      lo = std::min(lo, std::max<double>(h.min(), 1));
      hi = std::max<double>(hi, h.max());
    }
    c.lines.push_back(std::move(line));
  }
  c.x.max = std::min(x_max, 7.0);
  c.y = LatencyAxis(std::isfinite(lo) ? lo : 1e3, hi);
  return c;
}

std::string SummaryTable(const std::vector<RunResult>& runs) {
  std::string out =
      "<table class=\"summary\">\n<thead><tr><th>run</th><th>rate</th><th>sent/s</th>"
      "<th>delivered/s</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>"
      "<th>completion p99</th><th>failed</th><th>DLQ</th><th>backlog at end</th>"
      "<th>CPU (cores)</th><th>errors</th></tr></thead>\n<tbody>\n";
  for (const RunResult& r : runs) {
    int64_t errors = r.send_errors + r.receive_errors;
    absl::StrAppendFormat(
        &out,
        "<tr><td>%s</td><td>%s</td><td>%.0f</td><td>%.0f</td><td>%s</td><td>%s</td><td>%s</td>"
        "<td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%.2f</td>"
        "<td>%d</td></tr>\n",
        Escape(r.label), Escape(r.rate), r.sent_per_s, r.delivered_per_s,
        FormatLatency(static_cast<double>(r.receipt.p50)),
        FormatLatency(static_cast<double>(r.receipt.p90)),
        FormatLatency(static_cast<double>(r.receipt.p99)),
        FormatLatency(static_cast<double>(r.receipt.p999)),
        FormatLatency(static_cast<double>(r.receipt.max)),
        FormatLatency(static_cast<double>(r.completion.p99)), r.failed, r.dlq_end, r.backlog_end,
        r.cpu_cores, errors);
  }
  for (const RunResult& r : runs) {
    if (!r.ceiling_per_s) continue;
    absl::StrAppendFormat(&out,
                          "<tr class=\"ceiling\"><td>%s @ noop (generator ceiling)</td>"
                          "<td>unlimited</td><td>%.0f</td><td colspan=\"12\">the load generator "
                          "alone, into a target that accepts and drops</td></tr>\n",
                          Escape(r.scenario), *r.ceiling_per_s);
  }
  out += "</tbody>\n</table>\n";
  return out;
}

std::string Details(const RunResult& r) {
  std::string out = absl::StrFormat("<h3>%s</h3>\n<dl class=\"details\">\n", Escape(r.label));
  auto row = [&](std::string_view key, const std::string& value) {
    absl::StrAppendFormat(&out, "<dt>%s</dt><dd>%s</dd>\n", Escape(key), Escape(value));
  };
  if (!r.description.empty()) row("scenario", r.description);
  row("started",
      absl::StrCat(r.started_at, " (host: ", r.host.cores, " cores, load ",
                   absl::StrFormat("%.2f %.2f %.2f", r.host.load1, r.host.load5, r.host.load15),
                   ")"));
  row("window", absl::StrFormat("warm-up %gs, measured %gs, drain up to %gs, seed %d", r.warmup_s,
                                r.duration_s, r.drain_s, r.seed));
  row("measured",
      absl::StrFormat("%d sent, %d refused, %d delivered", r.sent, r.send_failed, r.delivered));
  row("whole run", absl::StrFormat("%d sent, %d first receipts, %d redeliveries, %d deleted, "
                                   "%d failed attempts, %d foreign",
                                   r.sent_total, r.delivered_total, r.redelivered, r.deleted,
                                   r.failed, r.foreign));
  row("latency", absl::StrFormat("due to %s: mean %s, min %s (%d samples, relative error < %.2f%%)",
                                 r.receipt_at, FormatLatency(r.receipt.mean),
                                 FormatLatency(static_cast<double>(r.receipt.min)), r.receipt.count,
                                 100 * Histogram::kMaxRelativeError));
  row("completion",
      absl::StrFormat("p50 %s, p99 %s, max %s (due to %s after processing)",
                      FormatLatency(static_cast<double>(r.completion.p50)),
                      FormatLatency(static_cast<double>(r.completion.p99)),
                      FormatLatency(static_cast<double>(r.completion.max)), r.completion_at));
  if (r.fifo_order_violations > 0) {
    row("FIFO order", absl::StrCat(r.fifo_order_violations, " violations"));
  }
  std::string queues;
  for (const QueueFigures& q : r.queues) {
    if (!queues.empty()) queues += "; ";
    absl::StrAppend(&queues, q.name, q.dead_letter ? " (DLQ)" : "", ": ", q.visible, " visible, ",
                    q.in_flight, " in flight");
  }
  row("queues at end", queues);
  row("CPU",
      absl::StrFormat("%.2f s over %.2f s (%.2f cores)", r.cpu_seconds, r.wall_s, r.cpu_cores));
  out += "</dl>\n";
  if (!r.errors.empty()) {
    out += "<ul class=\"errors\">\n";
    for (const std::string& e : r.errors) absl::StrAppend(&out, "<li>", Escape(e), "</li>\n");
    out += "</ul>\n";
  }
  return out;
}

constexpr std::string_view kStyle = R"(
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin-top: 28px; }
h3 { font-size: 15px; }
p.meta { color: #555; margin-top: 0; }
table.summary { border-collapse: collapse; font-size: 13px; }
table.summary th, table.summary td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; }
table.summary td:first-child, table.summary th:first-child { text-align: left; }
tr.ceiling td { color: #555; font-style: italic; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.panel { border: 1px solid #ddd; padding: 6px; }
svg.chart text { font-size: 11px; fill: #333; }
svg.chart text.title { font-size: 13px; font-weight: bold; }
svg.chart line.grid { stroke: #eee; }
svg.chart line.axis { stroke: #777; }
svg.chart rect.phase { fill: #f3f3f3; }
svg.chart text.phase-label { fill: #999; font-size: 10px; }
.legend { font-size: 12px; }
.legend span { margin-right: 14px; white-space: nowrap; }
dl.details { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; font-size: 13px; }
dl.details dt { color: #555; }
ul.errors { color: #a00; font-size: 13px; }
)";

}  // namespace

std::string RenderReport(const std::vector<RunResult>& runs, std::string_view title) {
  std::string out =
      "<!DOCTYPE html>\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
      "<meta charset=\"utf-8\"/>\n";
  absl::StrAppend(&out, "<title>wharf-bench: ", Escape(title), "</title>\n<style>", Absl(kStyle),
                  "</style>\n</head>\n<body>\n");
  absl::StrAppend(
      &out, "<h1>wharf-bench: ", Escape(title), "</h1>\n<p class=\"meta\">",
      Escape(absl::FormatTime("generated %Y-%m-%d %H:%M:%S UTC", absl::Now(), absl::UTCTimeZone())),
      ". Latency runs from the time a message was due on the producer's schedule to "
      "its first receipt, so a stall shows instead of slowing the load.</p>\n");
  if (runs.empty()) return out + "<p>No runs.</p>\n</body>\n</html>\n";

  out += "<h2>Summary</h2>\n" + SummaryTable(runs);

  std::vector<Chart> charts;
  charts.push_back(TimeChart(
      runs, "throughput", "Throughput (messages per second)", kThroughputSeries,
      [](const SeriesPoint& p, std::string_view s) {
        double n = s == "sent" ? static_cast<double>(p.sent) : static_cast<double>(p.delivered);
        return p.seconds > 0 ? n / p.seconds : 0;
      },
      false));
  charts.push_back(TimeChart(
      runs, "backlog", "Backlog and dead-letter queues (messages)", kBacklogSeries,
      [](const SeriesPoint& p, std::string_view s) {
        return static_cast<double>(s == "backlog" ? p.backlog + p.in_flight : p.dlq);
      },
      false));
  charts.push_back(TimeChart(
      runs, "latency", "Latency per second (p50, p99, max; log scale)", kLatencySeries,
      [](const SeriesPoint& p, std::string_view s) {
        return static_cast<double>(s == "p50" ? p.p50 : s == "p99" ? p.p99 : p.max);
      },
      true));
  charts.push_back(DistributionChart(runs));

  out += "<h2>Charts</h2>\n<div class=\"charts\">\n";
  for (const Chart& c : charts) {
    absl::StrAppend(&out, "<div class=\"panel\">\n", RenderChart(c), Legend(c, runs.size() > 1),
                    "</div>\n");
  }
  out += "</div>\n<h2>Details</h2>\n";
  for (const RunResult& r : runs) out += Details(r);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace wharf::bench
