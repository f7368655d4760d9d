"""Shared pieces of the event command tests (check, share, verify, report,
new-event): the three route families, the fake's set-up API, PNG reading."""

import json
import os
import struct
import subprocess
import urllib.request

from pbitest import SHORT, FakeServer, Tool, make_photo

# one version per route family: 1.90–1.105, 1.106–2.x, 3.x; in the sanitizer
# build (PBI_TEST_SHORT) the newest alone, every assertion kept (the release
# build's run has all three)
FAMILIES = ["3.1.0"] if SHORT else ["1.94.0", "2.0.1", "3.1.0"]


def vt(version):
    """"1.94.0" → (1, 94, 0), to compare versions"""
    return tuple(int(n) for n in version.split("."))


def control(server, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server.url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        text = resp.read()
        return json.loads(text) if text else None


def setup(workdir, version, keys=None, key=None, photos=3, sizes=None, capture=None):
    """A fake server of @version and a configured tool with a capture folder."""
    server = FakeServer(version, keys=keys)
    capture = capture or os.path.join(workdir, "captures")
    os.makedirs(capture, exist_ok=True)
    tool = Tool(workdir) if key is not None else Tool(workdir, server)
    if key is not None:
        tool.configure(server.url, key)
    tool.run("config", "set", "immich_capture_folder", capture, check=True)
    sums = {}
    sizes = sizes or [40_000] * photos
    for i, size in enumerate(sizes):
        path = os.path.join(capture, "IMG_%04d.jpg" % i)
        sums[path] = make_photo(path, size=size)
    return server, tool, capture, sums


def run_json(tool, *args, **kw):
    p = tool.run(*args, "--json", **kw)
    try:
        return p, json.loads(p.stdout)
    except ValueError:
        raise AssertionError("no JSON from %s (exit %d):\n%s\n%s"
                             % (args, p.returncode, p.stdout, p.stderr))


def row(report, row_id):
    rows = [r for r in report["checks"] if r["id"] == row_id]
    assert len(rows) == 1, (row_id, report["checks"])
    return rows[0]


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG: %r" % head[:8]
    return struct.unpack(">II", head[16:24])


def zbar(path):
    p = subprocess.run(["zbarimg", "--quiet", "--raw", path], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, "zbarimg found no code in %s: %s" % (path, p.stderr)
    return p.stdout.strip()
