#!/usr/bin/env python3
"""Runs wharf-bench and checks what it wrote.

usage: bench_test.py WHARF_BENCH OUT_DIR [--target-from-env] -- ARG...

Runs `WHARF_BENCH ARG... --out=OUT_DIR` (with --target=$WHARF_ENDPOINT when
--target-from-env, as under tests/wire/run_with_server.py), then checks:
  * results.json: every run's figures are consistent (counts add up, the
    histogram holds every measured first receipt, percentiles are ordered,
    the series covers the run) and match what its built-in scenario must
    show (a DLQ that fills, FIFO order kept, the fan-out ratio, ...);
  * results.csv: one row per run and second;
  * report.html: well-formed XHTML whose SVG charts draw every expected
    series of every run.
"""

import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"

# The series each chart draws per run (broker/tools/bench/report.h).
CHARTS = {
    "throughput": ["sent", "delivered"],
    "backlog": ["backlog", "dlq"],
    "latency": ["p50", "p99", "max"],
    "distribution": ["distribution"],
}


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def check_run(run):
    label = run["label"]
    measured, totals, latency = run["measured"], run["totals"], run["latency"]
    check(measured["sent"] > 0, "%s: nothing sent" % label)
    check(measured["send_failed"] == 0, "%s: sends refused: %s" % (label, run["errors"]))
    check(totals["send_errors"] == 0 and totals["receive_errors"] == 0,
          "%s: errors: %s" % (label, run["errors"]))
    check(totals["foreign"] == 0, "%s: messages without a stamp" % label)
    check(totals["backlog_end"] == 0, "%s: backlog left at the end" % label)
    check(totals["fifo_order_violations"] == 0, "%s: FIFO order violated" % label)
    check(latency["count"] == measured["delivered"],
          "%s: histogram holds %d samples for %d first receipts"
          % (label, latency["count"], measured["delivered"]))
    check(sum(b[2] for b in latency["histogram"]) == latency["count"],
          "%s: histogram buckets do not add up" % label)
    check(0 <= latency["min"] <= latency["p50"] <= latency["p90"] <= latency["p99"]
          <= latency["p999"] <= latency["max"], "%s: percentiles out of order" % label)
    check(latency["max"] < 30e9, "%s: a latency above 30 s" % label)
    series = run["series"]
    check(len(series) >= 1, "%s: empty series" % label)
    check(sum(p["sent"] for p in series) == totals["sent"], "%s: series sent != total" % label)
    check(sum(p["delivered"] for p in series) == totals["delivered"],
          "%s: series delivered != total" % label)
    phases = [p["phase"] for p in series]
    check("measure" in phases, "%s: no measured interval" % label)
    check(run["cpu"]["seconds"] > 0, "%s: no CPU time" % label)

    # What each built-in scenario must show.
    name = run["scenario"]
    sent, delivered = totals["sent"], totals["delivered"]
    if name == "work-queue-dlq":
        check(totals["dlq_end"] > 0, "%s: the poison messages did not reach the DLQ" % label)
        check(totals["failed"] == 3 * totals["dlq_end"],
              "%s: each poison message fails 3 times (%d failures, %d in the DLQ)"
              % (label, totals["failed"], totals["dlq_end"]))
        check(delivered == sent, "%s: %d sent, %d delivered" % (label, sent, delivered))
    elif name == "sns-fanout-filters":
        ratio = delivered / sent
        check(2.0 < ratio < 2.8, "%s: %.2f deliveries per publish, expected ~2.4" % (label, ratio))
    elif name == "eventbridge-1000-rules":
        ratio = delivered / sent
        check(1.3 < ratio < 1.7, "%s: %.2f deliveries per event, expected ~1.5" % (label, ratio))
    elif name == "fifo-1000-groups":
        check(delivered == sent, "%s: %d sent, %d delivered" % (label, sent, delivered))
    elif name == "partial-failures":
        check(totals["failed"] > 0 and totals["redelivered"] > 0,
              "%s: no failed attempt was retried" % label)
        check(run["completion_latency"]["max"] >= 900e6,
              "%s: no completion waited out the 1 s visibility timeout" % label)
    elif name == "mapping-partial-failures":
        # Latency is to the handler call; the handler reports batch item
        # failures, so only those records come back, and the poison ones
        # reach the DLQ.
        check(run["latency_to"] == "handler call" and run["completion_to"] == "handler return",
              "%s: latency measured to %s" % (label, run["latency_to"]))
        check(totals["failed"] > 0 and totals["redelivered"] > 0,
              "%s: no failed record was retried" % label)
        check(totals["dlq_end"] > 0, "%s: the poison records did not reach the DLQ" % label)
        check(totals["deleted"] + totals["dlq_end"] >= sent,
              "%s: %d deleted and %d in the DLQ of %d sent"
              % (label, totals["deleted"], totals["dlq_end"], sent))
        check(delivered == sent, "%s: %d sent, %d handed to the handler" % (label, sent, delivered))
        check(run["completion_latency"]["max"] >= 900e6,
              "%s: no completion waited out the 1 s visibility timeout" % label)


def check_report(path, runs):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail("report.html is not well-formed XML: %s" % e)
    check(root.tag == XHTML + "html", "report root is %s, not XHTML html" % root.tag)
    check(root.find(XHTML + "head/" + XHTML + "title") is not None, "report has no title")
    charts = {svg.get("data-chart"): svg for svg in root.iter(SVG + "svg") if svg.get("data-chart")}
    check(sorted(charts) == sorted(CHARTS), "charts are %s" % sorted(charts))
    for chart, names in CHARTS.items():
        lines = {(p.get("data-run"), p.get("data-series")): p
                 for p in charts[chart].iter(SVG + "polyline")}
        for run in runs:
            for series in names:
                line = lines.get((run["label"], series))
                check(line is not None, "chart %s lacks %s of %s" % (chart, series, run["label"]))
                points = line.get("points").split()
                for point in points:
                    x, y = (float(v) for v in point.split(","))
                    check(0 <= x <= 700 and 0 <= y <= 320, "point %s outside the chart" % point)
                if chart in ("throughput", "backlog"):
                    check(len(points) == len(run["series"]),
                          "chart %s: %d points for %d intervals of %s"
                          % (chart, len(points), len(run["series"]), run["label"]))
                if chart == "distribution":
                    check(len(points) >= 2, "no latency distribution for %s" % run["label"])
    text = "".join(root.itertext())
    for run in runs:
        check(run["label"] in text, "the summary lacks %s" % run["label"])
    if any(run["ceiling_per_s"] for run in runs):
        check("generator ceiling" in text, "the report lacks the no-op ceiling row")


def main():
    if "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = sys.argv.index("--")
    own, args = sys.argv[1:split], sys.argv[split + 1:]
    binary, out = own[0], own[1]
    command = [binary] + args + ["--out=" + out, "--quiet"]
    if "--target-from-env" in own:
        command.append("--target=" + os.environ["WHARF_ENDPOINT"])
    print("running: " + " ".join(command), flush=True)
    done = subprocess.run(command, timeout=240)
    check(done.returncode == 0, "wharf-bench exited with %d" % done.returncode)

    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    runs = results["runs"]
    check(len(runs) >= 1, "no runs")
    labels = [r["label"] for r in runs]
    check(len(set(labels)) == len(labels), "run labels repeat: %s" % labels)
    for run in runs:
        check_run(run)
    with open(os.path.join(out, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    check(len(rows) == sum(len(r["series"]) for r in runs), "results.csv rows != intervals")
    check(set(rows[0]) >= {"run", "t", "phase", "sent", "delivered", "backlog", "dlq", "p99_ms"},
          "results.csv columns: %s" % list(rows[0]))
    check_report(os.path.join(out, "report.html"), runs)
    print("ok: %s" % ", ".join(labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
