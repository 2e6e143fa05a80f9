#!/usr/bin/env python3
"""The wharf-bench command line: list, show, the errors it reports, and the
scenario example of the README (it must run as written).

usage: cli_test.py WHARF_BENCH SCRATCH_DIR README
"""

import os
import shutil
import subprocess
import sys


def run(*args):
    return subprocess.run([sys.argv[1]] + list(args), capture_output=True, text=True, timeout=60)


def expect(done, code, needle, stream="stderr"):
    text = getattr(done, stream)
    if done.returncode != code or needle not in text:
        print("FAIL: %s exited %d (wanted %d), %s lacks %r:\n%s%s"
              % (done.args, done.returncode, code, stream, needle, done.stdout, done.stderr),
              file=sys.stderr)
        sys.exit(1)


def main():
    scratch = sys.argv[2]
    os.makedirs(scratch, exist_ok=True)
    listed = run("list")
    expect(listed, 0, "work-queue-dlq", "stdout")
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    for name in ("work-queue-dlq", "sns-fanout-filters", "eventbridge-1000-rules",
                 "fifo-1000-groups", "partial-failures", "mapping-partial-failures"):
        if name not in names:
            print("FAIL: list lacks %s" % name, file=sys.stderr)
            return 1
        expect(run("show", name), 0, "name: " + name, "stdout")

    bad = os.path.join(scratch, "bad.yaml")
    with open(bad, "w") as f:
        f.write("name: bad\nqueues:\n  - name: q\nload:\n  - queue: q\n    rate: fast\n")
    expect(run("run", bad), 1, "bad.yaml:6:11: load[0].rate: expected messages per second")
    mapping = os.path.join(scratch, "mapping.yaml")
    with open(mapping, "w") as f:
        f.write("name: m\nqueues: [{name: q}]\nload: [{queue: q, rate: 1}]\n"
                "consumers:\n  - queue: q\n    type: mapping\n    count: 2\n")
    expect(run("run", mapping), 1, "mapping.yaml:7:12: consumers[0].count: applies to receive "
                                   "loops only")
    # A mapping against an endpoint is refused before the endpoint is touched.
    expect(run("run", "mapping-partial-failures", "--target=http://127.0.0.1:1", "--no-ceiling"), 1,
           "needs --target=inproc or --target=durable")
    expect(run("run", "no-such-scenario"), 1, "no built-in scenario of that name")
    expect(run("run", "work-queue-dlq", "--target=durable:"), 2, "names no directory")
    expect(run("run", "work-queue-dlq", "--rate=fast"), 2, "--rate: expected")
    expect(run("run", "work-queue-dlq", "--bogus"), 2, "unknown flag --bogus")
    expect(run("run", "a", "b"), 2, "use compare")
    expect(run("frobnicate"), 2, "unknown command")

    # durable:DIR keeps its directory; plain durable removes its temporary one.
    data = os.path.join(scratch, "data")
    tmp = os.path.join(scratch, "tmp")
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    short = ["--duration=0.3", "--warmup=0", "--drain=2", "--no-ceiling", "--quiet"]
    expect(run("run", "work-queue-dlq", "--target=durable:" + data,
               "--out=" + os.path.join(scratch, "kept"), *short),
           0, "work-queue-dlq @ durable:" + data, "stdout")
    if not os.listdir(data):
        print("FAIL: durable:%s left an empty directory" % data, file=sys.stderr)
        return 1
    done = subprocess.run([sys.argv[1], "run", "work-queue-dlq", "--target=durable",
                           "--out=" + os.path.join(scratch, "temp")] + short,
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, TMPDIR=tmp))
    expect(done, 0, "work-queue-dlq @ durable", "stdout")
    if os.listdir(tmp):
        print("FAIL: the temporary data directory stayed: %s" % os.listdir(tmp), file=sys.stderr)
        return 1

    with open(sys.argv[3]) as f:
        readme = f.read()
    section = readme[readme.index("### Scenario files"):]
    example = section[section.index("```yaml\n") + 8:]
    example = example[:example.index("```")]
    path = os.path.join(scratch, "readme.yaml")
    with open(path, "w") as f:
        f.write(example)
    expect(run("run", path, "--duration=0.5", "--warmup=0", "--drain=2", "--no-ceiling",
               "--quiet", "--out=" + os.path.join(scratch, "readme")), 0, "orders @ inproc",
           "stdout")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
