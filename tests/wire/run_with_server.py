#!/usr/bin/env python3
"""Starts wharf-server on a free port, runs a client test against it, stops it.

usage: run_with_server.py SERVER [--config FILE] [--timeout SECONDS]
                          [--server-arg ARG]... -- COMMAND [ARG]...

The command gets the endpoint in the environment variable WHARF_ENDPOINT and
is killed after --timeout seconds. The exit status is the command's (77, the
ctest skip code, passes through), or 1 when the server fails or the command
times out.
"""

import argparse
import os
import re
import signal
import subprocess
import sys


def main():
    if "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = sys.argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("--config")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--server-arg", action="append", default=[])
    args = parser.parse_args(sys.argv[1:split])
    command = sys.argv[split + 1:]

    server_cmd = [args.server, "--port=0"] + args.server_arg
    if args.config:
        server_cmd.append("--config=" + args.config)
    server = subprocess.Popen(server_cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            print("wharf-server did not start: %r" % line, file=sys.stderr)
            return 1
        endpoint = match.group(1)
        print("wharf-server is up at %s" % endpoint, flush=True)
        env = dict(os.environ, WHARF_ENDPOINT=endpoint)
        try:
            return subprocess.run(command, env=env, timeout=args.timeout).returncode
        except subprocess.TimeoutExpired:
            print("client test timed out after %ss" % args.timeout, file=sys.stderr)
            return 1
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
