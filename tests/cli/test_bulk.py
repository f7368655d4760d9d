#!/usr/bin/env python3
"""Acceptance: bulk sync (issue 4, items 2 and 4)."""

import os
import random
import re
import signal
import time

from pbitest import FakeServer, Tool, make_photo, run_tests, sha1_of, wait_for


def make_library(root, n, size=2_000):
    sums = set()
    for i in range(n):
        folder = os.path.join(root, "night-%d" % (i // 1000))
        os.makedirs(folder, exist_ok=True)
        sums.add(make_photo(os.path.join(folder, "IMG_%05d.jpg" % i), size, seed=i))
    return sums


def test_second_sync_of_10000_files_uploads_and_hashes_nothing(workdir):
    server = FakeServer()
    try:
        lib = os.path.join(workdir, "library")
        sums = make_library(lib, 10_000, 1_000)
        tool = Tool(workdir, server)
        first = tool.run("sync", lib, check=True)
        assert "10000 uploaded" in first.stdout, first.stdout + first.stderr[-2000:]
        state = server.state()
        assert state["assets"] == 10_000
        assert {a["checksum"] for a in state["asset_list"]} == sums
        assert len(server.album_assets("PhotoBooth")) == 10_000
        # kept-alive connections are reused, not one per upload
        assert state["connections"] <= 20, state["connections"]

        requests_before = state["requests"]
        second = tool.run("sync", lib, "--verbose", check=True)
        assert "0 uploaded, 0 duplicates, 0 failed, 10000 already synced" in second.stdout, \
            second.stdout
        assert "Hashing" not in second.stderr, "a file was hashed again"
        after = server.state()
        assert after["uploads"] == state["uploads"]
        assert after["requests"] == requests_before, "the second run talked to the server"
    finally:
        server.stop()


def test_sigkill_during_bulk_sync_then_restart_lands_each_photo_once(workdir):
    server = FakeServer()
    try:
        lib = os.path.join(workdir, "library")
        sums = make_library(lib, 300, 20_000)
        tool = Tool(workdir, server)
        target = random.Random().randint(20, 280)
        p = tool.spawn("sync", lib)
        wait_for(lambda: server.state()["uploads"] >= target or p.poll() is not None, 120,
                 interval=0.02, what="uploads to reach %d" % target)
        p.send_signal(signal.SIGKILL)
        p.wait()
        tool.finish(p)
        killed_at = server.state()["uploads"]

        again = tool.run("sync", lib)
        assert again.returncode == 0, again.stdout + again.stderr
        state = server.state()
        assert state["assets"] == 300, (state["assets"], killed_at)
        assert {a["checksum"] for a in state["asset_list"]} == sums
        assert len(server.album_assets("PhotoBooth")) == 300
        assert len(server.album("PhotoBooth")) == 1
        assert tool.sql("PRAGMA integrity_check").strip() == "ok"
        status = tool.run("status", "--json", check=True).stdout
        assert '"pending" : 0' in status and '"failed" : 0' in status, status
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
