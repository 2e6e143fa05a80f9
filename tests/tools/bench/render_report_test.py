#!/usr/bin/env python3
"""Renders a wharf-bench report.html in headless Chromium and checks that it
loads without errors and lays out its charts.

usage: render_report_test.py REPORT_HTML

Skips (exit 77, the ctest skip code) with a message when no Chromium is
installed: Debian's `chromium` package is not in setup.sh, to keep CI setup
short; install it to run this test.
"""

import os
import shutil
import subprocess
import sys
import tempfile


def main():
    report = os.path.abspath(sys.argv[1])
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
                    if shutil.which(b)), None)
    if browser is None:
        print("SKIP: no chromium on PATH (Debian: apt-get install chromium)")
        return 77
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=2000", "--dump-dom", "file://" + report],
            capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        print("chromium failed (%d): %s" % (done.returncode, done.stderr[-2000:]), file=sys.stderr)
        return 1
    dom = done.stdout
    for chart in ("throughput", "backlog", "latency", "distribution"):
        if 'data-chart="%s"' % chart not in dom:
            print("the rendered page lacks the %s chart" % chart, file=sys.stderr)
            return 1
    problems = [line for line in done.stderr.splitlines()
                if "CONSOLE" in line or "Uncaught" in line or "net::ERR" in line]
    if problems:
        print("the page logged errors:\n" + "\n".join(problems), file=sys.stderr)
        return 1
    print("ok: %s renders (%d bytes of DOM)" % (report, len(dom)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
