#!/usr/bin/env python3
"""Acceptance: bad setups get a clear message and exit code, the queue is kept,
and the key never shows (issue 4, item 7)."""

import json
import os
import socket

from pbitest import KEY, FakeServer, Tool, make_photo, run_tests, wait_for

EXIT_SOME_FAILED, EXIT_USAGE, EXIT_CONNECTION = 1, 2, 3


def photos(workdir, n=3):
    lib = os.path.join(workdir, "library")
    os.makedirs(lib)
    for i in range(n):
        make_photo(os.path.join(lib, "p%d.jpg" % i))
    return lib


def queued(tool):
    status = json.loads(tool.run("status", "--json", check=True).stdout)
    return status["pending"] + status["failed"]


def assert_no_key(tool, key):
    text = tool.all_output()
    assert key not in text, "the API key appeared in output"


def test_wrong_key(workdir):
    server = FakeServer()
    try:
        lib = photos(workdir)
        tool = Tool(workdir, server, key="wrong-key-0123456789")
        p = tool.run("sync", lib)
        assert p.returncode == EXIT_CONNECTION, (p.returncode, p.stdout, p.stderr)
        assert "API key" in p.stderr and "refused" in p.stderr, p.stderr
        # queued, not failed: retry-failed would change nothing for them
        assert "0 failed" in p.stdout and \
            "3 queued: they are sent once the problem above is fixed." in p.stdout, p.stdout
        assert "retry-failed" not in p.stderr, p.stderr
        assert queued(tool) == 3
        t = tool.run("test-connection")
        assert t.returncode == EXIT_CONNECTION and "API key" in t.stderr, t.stderr
        assert server.state()["assets"] == 0
        assert_no_key(tool, "wrong-key-0123456789")
    finally:
        server.stop()


def test_key_lacking_album_create(workdir):
    limited = "limited-key-abcdef123456"
    server = FakeServer(keys=[KEY, limited + ":asset.upload,album.read,albumAsset.create,user.read,apiKey.read"])
    try:
        lib = photos(workdir)
        tool = Tool(workdir, server, key=limited)
        t = tool.run("test-connection")
        assert t.returncode == EXIT_CONNECTION, (t.returncode, t.stdout, t.stderr)
        assert "album.create" in t.stderr, t.stderr
        p = tool.run("sync", lib)
        assert p.returncode != 0
        assert "album.create" in p.stderr, p.stderr
        assert queued(tool) == 3
        assert_no_key(tool, limited)
    finally:
        server.stop()


def test_wrong_urls(workdir):
    lib = photos(workdir)
    tool = Tool(workdir)
    tool.configure("http://127.0.0.1:9", KEY)
    for url, hint in [("ftp://immich.example.com", "http"), ("htps://immich.example.com", "http"),
                      ("immich example com", "http"), ("http://", "server name")]:
        p = tool.run("sync", lib, "--server", url)
        assert p.returncode == EXIT_USAGE, (url, p.returncode, p.stderr)
        assert hint in p.stderr, (url, p.stderr)
        c = tool.run("config", "set", "immich_server_url", url)
        assert c.returncode == EXIT_USAGE and hint in c.stderr, (url, c.returncode, c.stderr)
    assert tool.run("config", "get", "immich_server_url").stdout.strip() == "http://127.0.0.1:9"
    assert queued(tool) == 3
    assert_no_key(tool, KEY)


def test_server_down(workdir):
    lib = photos(workdir)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    tool = Tool(workdir)
    tool.configure("http://127.0.0.1:%d" % port, KEY)
    p = tool.run("sync", lib)
    assert p.returncode == EXIT_CONNECTION, (p.returncode, p.stderr)
    assert "127.0.0.1:%d" % port in p.stderr, p.stderr
    # an honest summary: the photos wait for the server, none failed
    assert "0 uploaded, 0 duplicates, 0 failed, 0 already synced" in p.stdout, p.stdout
    assert "3 queued: the server did not answer; they are sent when the server answers" \
        in p.stdout, p.stdout
    assert "retry-failed" not in p.stderr, p.stderr
    status = json.loads(tool.run("status", "--json", check=True).stdout)
    assert (status["pending"], status["failed"]) == (3, 0), status

    # the same queue goes out once a server answers there
    server = FakeServer()
    try:
        tool.configure(server.url, KEY)
        p = tool.run("sync", lib)
        assert p.returncode == 0, p.stdout + p.stderr
        assert server.state()["assets"] == 3
        assert queued(tool) == 0
    finally:
        server.stop()
    assert_no_key(tool, KEY)


def test_unconfigured_watch_says_what_to_set_and_keeps_running(workdir):
    tool = Tool(workdir)
    captures = os.path.join(workdir, "captures")
    os.makedirs(captures)
    w = tool.spawn("watch", captures)
    wait_for(lambda: "Watching" in open(w.logfile.name).read(), 10, what="watch")
    make_photo(os.path.join(captures, "x.jpg"))
    import time
    time.sleep(2)
    assert w.poll() is None, "watch exited"
    out = tool.finish(w)
    assert "immich_server_url" in out and "immich_api_key" in out and "immich_enabled" in out, out
    assert queued(tool) == 1


if __name__ == "__main__":
    run_tests(globals())
