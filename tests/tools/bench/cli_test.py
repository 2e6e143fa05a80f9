#!/usr/bin/env python3
"""The wharf-bench command line: list, show, the errors it reports, and the
scenario example of the README (it must run as written).

usage: cli_test.py WHARF_BENCH SCRATCH_DIR README
"""

import os
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
                 "fifo-1000-groups", "partial-failures"):
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
                "consumers:\n  - queue: q\n    type: mapping\n")
    expect(run("run", mapping), 1, "mapping.yaml:6:11: consumers[0].type: consumer type "
                                   "\"mapping\" is not available")
    expect(run("run", "no-such-scenario"), 1, "no built-in scenario of that name")
    expect(run("run", "work-queue-dlq", "--target=durable:/tmp/x"), 2, "issue #17")
    expect(run("run", "work-queue-dlq", "--rate=fast"), 2, "--rate: expected")
    expect(run("run", "work-queue-dlq", "--bogus"), 2, "unknown flag --bogus")
    expect(run("run", "a", "b"), 2, "use compare")
    expect(run("frobnicate"), 2, "unknown command")

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
