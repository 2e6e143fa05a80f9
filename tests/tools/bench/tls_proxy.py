#!/usr/bin/env python3
"""A TLS front for a plain HTTP server, to test an https:// target.

usage: tls_proxy.py -- COMMAND [ARG]...

Makes a self-signed certificate for localhost (openssl), listens on
127.0.0.1 (a free port) with it, forwards every connection to the server at
$WHARF_ENDPOINT (set by tests/wire/run_with_server.py), and runs COMMAND with
WHARF_ENDPOINT set to https://localhost:PORT and SSL_CERT_FILE set to the
certificate (so OpenSSL's default verification trusts it alone). Exits with
the command's status, or 77 (skip) when openssl is not installed.
"""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.parse


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(listener, context, backend):
    while True:
        try:
            raw, _ = listener.accept()
        except OSError:
            return
        try:
            client = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            continue
        upstream = socket.create_connection(backend)
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


def main():
    command = sys.argv[sys.argv.index("--") + 1:]
    backend = urllib.parse.urlparse(os.environ["WHARF_ENDPOINT"])
    if shutil.which("openssl") is None:
        print("SKIP: openssl is not installed")
        return 77
    scratch = tempfile.mkdtemp()
    cert, key = os.path.join(scratch, "cert.pem"), os.path.join(scratch, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    threading.Thread(target=serve, args=(listener, context, (backend.hostname, backend.port)),
                     daemon=True).start()
    env = dict(os.environ, WHARF_ENDPOINT="https://localhost:%d" % port, SSL_CERT_FILE=cert)
    code = subprocess.run(command, env=env, timeout=240).returncode
    listener.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
