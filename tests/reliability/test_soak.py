#!/usr/bin/env python3
# test_soak.py: long runs: a flapping server, SIGKILLs in a bulk sync, a compressed event
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 13, soaks.

  test_soak.py [--minutes M] [--flap-captures N]

--minutes: length of the compressed 12-hour event (100 captures a minute,
random faults the whole time); the full form is 20 minutes (2,000 captures),
CI runs 2. --flap-captures: captures in the flapping-server soak (default
1,000 at 5 a second)."""

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

from pbitest import (FakeServer, Tool, exactly_once_in_album, make_photo, run_tests, sha1_of,
                     wait_for)

ARGS = argparse.Namespace(minutes=2.0, flap_captures=1000)


class Seen:
    """Polls the fake's state: when each checksum first appeared."""

    def __init__(self, server):
        self.server = server
        self.first = {}
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                now = time.monotonic()
                for a in self.server.state()["asset_list"]:
                    self.first.setdefault(a["checksum"], now)
            except Exception:
                pass
            time.sleep(0.25)

    def close(self):
        self.stop = True
        self.thread.join(5)


def log_of(w):
    return open(w.logfile.name, errors="replace").read()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_flapping_server_1000_captures(workdir):
    n = ARGS.flap_captures
    server = FakeServer()
    seen = None
    try:
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        tool = Tool(workdir, server)
        w = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in log_of(w), 20, what="watch")
        seen = Seen(server)
        start = time.monotonic()
        returns = []            # when each outage ended

        def flapper():
            k = 0
            while not stop_flap.is_set():
                t0 = start + k * 20 + 10
                while time.monotonic() < t0 and not stop_flap.is_set():
                    time.sleep(0.05)
                if stop_flap.is_set():
                    break
                try:
                    server.faults(down_ms=5000)
                    returns.append(time.monotonic() + 5)
                except Exception:
                    pass
                k += 1

        stop_flap = threading.Event()
        flap = threading.Thread(target=flapper, daemon=True)
        flap.start()
        taken = {}
        i = 0
        while i < n:
            # a burst of 5 every second
            for _ in range(min(5, n - i)):
                sha = make_photo(os.path.join(captures, "c%04d.jpg" % i), size=30_000)
                taken[sha] = time.monotonic()
                i += 1
            time.sleep(max(0, start + i / 5 - time.monotonic()))
        stop_flap.set()
        flap.join(30)
        wait_for(lambda: len(seen.first) >= n and len(server.album_assets("PhotoBooth")) == n,
                 60, interval=0.5, what="all %d captures on the server and in the album" % n)
        seen.close()
        exactly_once_in_album(server, list(taken))
        worst = 0.0
        for sha, t in taken.items():
            arrived = seen.first[sha]
            back = max([r for r in returns if r <= arrived] + [t])
            worst = max(worst, arrived - max(t, back))
        print("# %d captures, %d outages, worst delay after capture or return %.1f s"
              % (n, len(returns), worst), flush=True)
        assert worst <= 10.0, "a photo arrived %.1f s after the server returned" % worst
        out = tool.finish(w)
        assert "CRITICAL" not in out
        lost = out.count("connection lost")
        assert lost <= len(returns) + 1, "%d 'connection lost' lines for %d outages" % (
            lost, len(returns))
    finally:
        if seen:
            seen.close()
        server.stop()


def test_sigkill_20_times_during_500_photo_bulk_sync(workdir):
    server = FakeServer()
    try:
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        sums = [make_photo(os.path.join(lib, "b%03d.jpg" % i), size=20_000, seed=i)
                for i in range(500)]
        tool = Tool(workdir, server)
        # each answer 40 ms late: the sync takes long enough to be killed 20 times
        server.faults(latency_ms=40)
        rnd = random.Random(13)
        kills = 0
        while kills < 20:
            p = tool.spawn("sync", lib)
            time.sleep(rnd.uniform(0.1, 1.5))
            if p.poll() is not None:
                tool.finish(p)
                break           # finished before the kill: nothing left to kill
            p.send_signal(signal.SIGKILL)
            p.wait(10)
            tool.finish(p)
            kills += 1
        print("# %d kills, %d assets before the last run" % (kills, server.state()["assets"]),
              flush=True)
        assert kills >= 10, "the sync finished too fast to be killed 10 times"
        server._call("/__fake/reset", {})
        final = tool.run("sync", lib, timeout=300)
        assert final.returncode == 0, final.stderr[-2000:]
        exactly_once_in_album(server, sums)
        check = subprocess.run(["sqlite3", tool.db, "PRAGMA integrity_check"],
                               capture_output=True, text=True, check=True).stdout.strip()
        assert check == "ok", check
        st = json.loads(tool.run("status", "--json").stdout)
        files = st["files"]
        assert files["done"] + files["duplicate"] == 500, files
        assert st["pending"] == 0 and st["failed"] == 0, st
        assert sum(files.values()) == 500, files
    finally:
        server.stop()


FAULTS = [
    ("down", {"down_ms": 4000}),
    ("503", {"error_5xx": {"count": 4, "status": 503, "retry_after": 1}}),
    ("502", {"error_5xx": {"count": 3, "status": 502}}),
    ("reset", {"drop_mid_body": 2}),
    ("garbage", {"garbage_json": 2}),
    ("portal", {"html": 2}),
    ("stall", {"stall_ms": 8000}),
    ("latency", {"latency_ms": 300}),
]


def test_compressed_event(workdir):
    minutes = ARGS.minutes
    n = int(100 * minutes)
    server = FakeServer()
    try:
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        tool = Tool(workdir, server)
        tool.run("config", "set", "immich_idle_timeout", "4", check=True)
        w = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in log_of(w), 20, what="watch")
        rnd = random.Random(2026)
        start = time.monotonic()
        end = start + minutes * 60
        sums = []
        injected = []
        rss = []
        next_fault = start + rnd.uniform(10, 25)
        next_rss = start + 5
        i = 0
        while time.monotonic() < end or i < n:
            now = time.monotonic()
            if i < n and now >= start + i * (minutes * 60 / n):
                sums.append(make_photo(os.path.join(captures, "e%05d.jpg" % i), size=25_000,
                                       seed="event-%d" % i))
                i += 1
            if now >= next_fault and now < end - 15:
                name, faults = rnd.choice(FAULTS)
                try:
                    server._call("/__fake/reset", {})
                    server.faults(**faults)
                    injected.append(name)
                except Exception:
                    pass        # the fake is down from the last fault
                next_fault = now + rnd.uniform(10, 25)
            if now >= next_rss:
                rss.append(rss_kb(w.pid))
                next_rss = now + 5
            time.sleep(0.02)
        wait_for(lambda: server._call("/__fake/reset", {}) is not None or True, 20,
                 what="faults cleared")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == n, 90, interval=0.5,
                 what="all %d captures in the album" % n)
        exactly_once_in_album(server, sums)
        out = tool.finish(w)
        errors = [l for l in out.splitlines() if " ERROR " in l]
        print("# %.1f min, %d captures, faults %s" % (minutes, n, injected), flush=True)
        print("# RSS (KiB) every 5 s: %s" % rss, flush=True)
        print("# %d ERROR lines for %d faults" % (len(errors), len(injected)), flush=True)
        for l in errors:
            print("#   " + l[24:200], flush=True)
        # memory: the last third does not sit above the first third after
        # warm-up by more than 20 % (and 8 MiB of slack)
        third = max(1, len(rss) // 3)
        early = max(rss[1:third + 1] or rss)
        late = sum(rss[-third:]) / third
        assert late <= early * 1.2 + 8192, "RSS grew: %s" % rss
        # one line per fault, not per retry
        assert len(errors) <= len(injected) + 2, "%d ERROR lines for %d faults" % (
            len(errors), len(injected))
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--flap-captures", type=int, default=1000)
    ARGS, rest = parser.parse_known_args()
    run_tests(globals())
