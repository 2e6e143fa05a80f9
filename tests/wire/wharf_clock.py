"""The test clock of `wharf-server --clock=manual` over the wire, for the
client tests run through run_with_server.py (which sets WHARF_ENDPOINT)."""

import json
import os
import urllib.request


def clock(seconds=None):
    """GET /_wharf/clock, or POST /_wharf/clock/advance when `seconds` is
    given: the clock's time afterwards, {"now": ..., "epochMillis": ...}."""
    endpoint = os.environ["WHARF_ENDPOINT"]
    if seconds is None:
        request = urllib.request.Request(endpoint + "/_wharf/clock")
    else:
        request = urllib.request.Request(
            endpoint + "/_wharf/clock/advance", method="POST",
            data=json.dumps({"seconds": seconds}).encode(),
            headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
