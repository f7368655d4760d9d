#!/usr/bin/python3
# bench.py: the benchmarks of issue 5 (run it through bench/run).
#
# Copyright 2026 The PhotoBooth Immich Sync authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every benchmark runs against a fresh fake-immich on 127.0.0.1; where the
# official @immich/cli 3.2.2 does the same job it runs on the same files
# against its own fresh fake server, and the ratio ours / peer is reported.

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import (Fake, Proxy, busy_cpu_pct, drop_caches, ensure_photos, link_subset, log,
                      mp4_bytes_to, ms_limit, percentile, proc_cpu_seconds, proc_io, run_measured,
                      sha1_file, warm_cache)
from clients import ALBUM, Ours, Peer
import app
import report
import scale

MB = 1000 * 1000

SIZES = {
    "full": {
        "b1_files": 1000, "photo_size": 3 * MB,
        "b2_files": 10000, "b2_size": 300 * 1000,
        "b3_bytes": 2000 * MB,
        "b4_video": 2000 * MB,
        "b5_captures": 20, "b5_interval": 2.0,
        "b7_seconds": 60,
        "b8_first": 300, "b8_second": 1000,
        "b1_reps": 1,
    },
    "quick": {
        "b1_files": 100, "photo_size": 3 * MB,
        "b2_files": 1000, "b2_size": 300 * 1000,
        "b3_bytes": 200 * MB,
        "b4_video": 200 * MB,
        "b5_captures": 10, "b5_interval": 2.0,
        "b7_seconds": 15,
        "b8_first": 20, "b8_second": 100,
        "b1_reps": 3,
    },
}
for _mode in SIZES:
    SIZES[_mode].update(scale.SIZES[_mode])
    SIZES[_mode].update(app.SIZES[_mode])


class Bench:
    def __init__(self, args):
        self.args = args
        self.mode = "quick" if args.quick else "full"
        self.sz = SIZES[self.mode]
        self.builddir = os.path.abspath(args.builddir)
        self.node_tools = os.path.join(self.builddir, "node-tools")
        self.data = os.path.abspath(args.data_dir)
        self.work = os.path.join(self.data, "work")
        self.results = []
        self.series = {}      # for the plots
        self.notes = []
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)

    # ---------------------------------------------------------------- helpers

    def add(self, id_, name, value, unit, target, kind, limit, peer=None, peer_label=None,
            ratio=None, server_cpu=None, peer_server_cpu=None, **details):
        if kind == "max":
            met = value is not None and value <= limit
        elif kind == "min":
            met = value is not None and value >= limit
        elif kind == "ratio_max":
            met = ratio is not None and ratio <= limit
        elif kind == "ratio_min":
            met = ratio is not None and ratio >= limit
        else:
            met = None
        if details.get("valid") is False:
            met = False
        entry = {"id": id_, "name": name, "value": value, "unit": unit, "target": target,
                 "met": met, "peer": peer, "peer_label": peer_label, "ratio": ratio,
                 "fake_cpu_pct": server_cpu, "peer_fake_cpu_pct": peer_server_cpu,
                 "details": details}
        self.results.append(entry)
        log(f"{id_}: {name}: {report.fmt(value)} {unit}"
            + (f" (peer {report.fmt(peer)}, ratio {report.fmt(ratio)})" if peer is not None else "")
            + f" target {target}: {'—' if met is None else 'met' if met else 'MISSED'}")
        return entry

    def fake(self, tag):
        return Fake(self.builddir, os.path.join(self.work, tag))

    def album_count(self, fake):
        album, st = fake.album(ALBUM)
        return (len(album["assets"]) if album else 0), st

    def timed_sync(self, fake, argv, env, tag, expect, stall_file=None):
        """Runs a sync command; measures it, the fake's CPU and its receive
        rate; checks the album holds @expect assets afterwards."""
        cpu = fake.cpu().start()
        r0 = fake.rchar()
        r = run_measured(argv, env=env, log_path=os.path.join(self.work, tag + ".log"),
                         sample=lambda: fake.rchar())
        cpu.stop()
        n, st = self.album_count(fake)
        r.fake_cpu_pct = cpu.pct
        r.in_album = n
        r.valid = r.rc == 0 and n == expect
        r.fake_bytes = st["bytes"]
        r.rate = [(t, v - r0) for t, v in r.samples]
        if not r.valid:
            self.notes.append(f"{tag}: exit {r.rc}, {n} of {expect} in the album")
            log(f"WARNING {tag}: exit {r.rc}, {n} of {expect} assets in the album; "
                f"output tail: {r.output[-400:]!r}")
        log(f"  {tag}: {r.wall:.2f} s, peak RSS {r.maxrss_kb / 1024:.1f} MiB, "
            f"cpu {r.cpu:.2f} s, fake CPU {cpu.pct:.0f}%")
        return r

    def photos(self, n):
        pool = ensure_photos(os.path.join(self.data, "pool-3mb"), max(n, 1),
                             self.sz["photo_size"], seed=1)
        return pool[:n]

    def photo_dir(self, n):
        files = self.photos(n)
        return link_subset(files, os.path.join(self.data, f"photos-{n}")), \
            os.path.join(self.data, f"photos-{n}")

    # ------------------------------------------------------------- B1 and B6

    def b1_b6(self):
        n = self.sz["b1_files"]
        files, d = self.photo_dir(n)
        total = sum(os.path.getsize(p) for p in files)
        log(f"B1: first sync of {n} photos ({total / MB:.0f} MB)")
        warm_cache(files)

        reps = self.sz["b1_reps"]

        def median_run(runs):
            return sorted(runs, key=lambda r: r.wall)[len(runs) // 2]

        runs = []
        for i in range(reps):
            warm_cache(files)
            with self.fake(f"b1-ours-{i}") as fake:
                ours = Ours(self.builddir, os.path.join(self.work, "b1-ours-client"), fake.url,
                            concurrency=self.args.ours_concurrency)
                stall = os.path.join(self.work, f"b1-stall-{i}.json")
                r = self.timed_sync(fake, ours.argv("sync", d),
                                    ours.env_with(PBI_STALL_REPORT=stall), f"b1-ours-{i}", n)
                r.stall = json.load(open(stall)) if os.path.exists(stall) else None
                runs.append(r)
        r_ours = median_run(runs)
        ours_walls = [round(r.wall, 3) for r in runs]
        stalls = [r.stall for r in runs if r.stall is not None]
        stall_report = max(stalls, key=lambda s: s["max_stall_ms"]) if stalls else None

        peers = {}
        peer_walls = {}
        for label, conc in (("default", None), ("c4", 4)):
            pruns = []
            for i in range(reps):
                warm_cache(files)
                with self.fake(f"b1-peer-{label}-{i}") as fake:
                    peer = Peer(self.node_tools,
                                os.path.join(self.work, f"b1-peer-{label}-client"), fake.url)
                    pruns.append(self.timed_sync(fake, peer.upload_argv(d, conc), peer.env,
                                                 f"b1-peer-{label}-{i}", n))
            peers[label] = median_run(pruns)
            peer_walls[label] = [round(r.wall, 3) for r in pruns]

        self.series["b1"] = {"ours": r_ours.rate, "peer default": peers["default"].rate,
                             "peer --concurrency 4": peers["c4"].rate, "bytes": total,
                             "walls": {"ours": r_ours.wall, "peer default": peers["default"].wall,
                                       "peer --concurrency 4": peers["c4"].wall}}
        for label, target in (("default", 0.5), ("c4", 0.8)):
            p = peers[label]
            self.add("B1" + ("a" if label == "default" else "b"),
                     f"first sync, {n} × 3 MB JPEG into an album (peer "
                     + ("at its defaults" if label == "default" else "--concurrency 4") + ")",
                     r_ours.wall, "s", f"≤ {target}× peer", "ratio_max", target,
                     peer=p.wall, peer_label="immich-cli " + ("default" if label == "default"
                                                              else "-c 4"),
                     ratio=r_ours.wall / p.wall, server_cpu=r_ours.fake_cpu_pct,
                     peer_server_cpu=p.fake_cpu_pct,
                     valid=all(r.valid for r in runs) and p.valid,
                     files=n, bytes=total, ours_mb_s=total / MB / r_ours.wall,
                     peer_mb_s=total / MB / p.wall, ours_cpu_s=r_ours.cpu, peer_cpu_s=p.cpu,
                     ours_rss_mib=r_ours.maxrss_kb / 1024, peer_rss_mib=p.maxrss_kb / 1024,
                     runs=reps, ours_walls=ours_walls, peer_walls=peer_walls[label],
                     note=f"median of {reps} runs" if reps > 1 else "one run")

        if stall_report is None:
            self.add("B6", f"longest main-loop stall, {n}-photo bulk sync", None, "ms",
                     "≤ 30 ms", "max", 30, valid=False, note="no PBI_STALL_REPORT written")
        else:
            self.add("B6", f"longest main-loop stall, {n}-photo bulk sync",
                     stall_report["max_stall_ms"], "ms", "≤ 30 ms", "max", 30,
                     server_cpu=r_ours.fake_cpu_pct, valid=all(r.valid for r in runs),
                     ticks=stall_report.get("ticks"),
                     stalls_over_30ms=stall_report.get("stalls_over_30ms"),
                     per_run_ms=[s["max_stall_ms"] for s in stalls],
                     note="5 ms tick probe in the B1 runs; the worst run")

    # ------------------------------------------------------------- B2 and B4b

    def b2_b4b(self):
        n = self.sz["b2_files"]
        size = self.sz["b2_size"]
        files = ensure_photos(os.path.join(self.data, "pool-300kb"), n, size, seed=2)
        d = os.path.join(self.data, f"small-{n}")
        files = link_subset(files, d)
        log(f"B2: {n} files of {size / 1000:.0f} kB, first then second sync")
        warm_cache(files)

        with self.fake("b2-ours") as fake:
            ours = Ours(self.builddir, os.path.join(self.work, "b2-ours-client"), fake.url)
            first = self.timed_sync(fake, ours.argv("sync", d), ours.env, "b2-ours-first", n)
            second = self.timed_sync(fake, ours.argv("sync", d), ours.env, "b2-ours-second", n)
            counts = Ours.counts(second.output)
            uploads_after = fake.state()["uploads"]
        second_ok = second.valid and counts is not None and counts["already"] + \
            counts["duplicates"] == n and counts["uploaded"] == 0
        with self.fake("b2-peer") as fake:
            peer = Peer(self.node_tools, os.path.join(self.work, "b2-peer-client"), fake.url)
            pfirst = self.timed_sync(fake, peer.upload_argv(d), peer.env, "b2-peer-first", n)
            psecond = self.timed_sync(fake, peer.upload_argv(d), peer.env, "b2-peer-second", n)

        self.add("B2", f"second sync of {n} unchanged files", second.wall, "s",
                 "≤ 0.05× peer", "ratio_max", 0.05, peer=psecond.wall,
                 peer_label="immich-cli default", ratio=second.wall / psecond.wall,
                 server_cpu=second.fake_cpu_pct, peer_server_cpu=psecond.fake_cpu_pct,
                 valid=second_ok and psecond.valid, files=n, file_bytes=size,
                 counts=counts, server_uploads=uploads_after,
                 ours_first_s=first.wall, peer_first_s=pfirst.wall,
                 ours_cpu_s=second.cpu, peer_cpu_s=psecond.cpu)
        self.add("B4b", f"peak RSS syncing {n} files (first sync)", first.maxrss_kb / 1024,
                 "MiB", "≤ 60 MB", "max", 60 * MB / (1 << 20), peer=pfirst.maxrss_kb / 1024,
                 peer_label="immich-cli default", ratio=first.maxrss_kb / pfirst.maxrss_kb,
                 server_cpu=first.fake_cpu_pct, valid=first.valid,
                 note="VmHWM polled every 5 ms; 60 MB = 57.2 MiB")

    # --------------------------------------------------------------------- B3

    def b3(self):
        want = self.sz["b3_bytes"]
        files = []
        total = 0
        for p in self.photos(self.sz["b1_files"]):
            if total >= want:
                break
            files.append(p)
            total += os.path.getsize(p)
        if total < want:
            # not enough photos in the pool: add more
            files = self.photos(int(want / self.sz["photo_size"]) + 1)
            total = sum(os.path.getsize(p) for p in files)
        exe = os.path.join(self.builddir, "bench", "hash-bench")
        log(f"B3: SHA1 of {len(files)} files, {total / MB:.0f} MB")

        def ours(workers):
            out = subprocess.run([exe, str(workers)] + files, check=True,
                                 capture_output=True, text=True).stdout
            return json.loads(out)["seconds"]

        def sha1sum():
            t0 = time.monotonic()
            subprocess.run(["sha1sum"] + files, check=True, stdout=subprocess.DEVNULL)
            return time.monotonic() - t0

        reps = 3
        warm_cache(files)
        t_ours = min(ours(0) for _ in range(reps))
        t_ours1 = min(ours(1) for _ in range(reps))
        t_sum = min(sha1sum() for _ in range(reps))
        cold_ours = cold_sum = None
        if drop_caches():
            cold_ours = ours(0)
            drop_caches()
            cold_sum = sha1sum()
            warm_cache(files)
        self.add("B3", f"SHA1 of {total / MB:.0f} MB of photos, 2 cores (warm cache)",
                 total / MB / t_ours, "MB/s", "≥ 1.5× sha1sum", "ratio_min", 1.5,
                 peer=total / MB / t_sum, peer_label="one sha1sum process",
                 ratio=t_sum / t_ours, files=len(files), bytes=total, ours_s=t_ours,
                 sha1sum_s=t_sum, ours_1_worker_mb_s=total / MB / t_ours1,
                 best_of=reps, cores=os.cpu_count())
        if cold_ours is not None:
            self.add("B3c", "SHA1, same files, cold page cache (informational)",
                     total / MB / cold_ours, "MB/s", "—", None, None,
                     peer=total / MB / cold_sum, peer_label="one sha1sum process",
                     ratio=cold_sum / cold_ours, ours_s=cold_ours, sha1sum_s=cold_sum,
                     note="drop_caches before each; disk-bound")

    # -------------------------------------------------------------------- B4a

    def b4a(self):
        size = self.sz["b4_video"]
        vdir = os.path.join(self.data, "video")
        os.makedirs(vdir, exist_ok=True)
        path = os.path.join(vdir, "VID_0001.mp4")
        if not os.path.exists(path) or os.path.getsize(path) != size:
            log(f"generating a {size / MB:.0f} MB video")
            import random
            mp4_bytes_to(path, size, random.Random(4))
            os.sync()
        log(f"B4a: upload one {size / MB:.0f} MB video")
        warm_cache([path])
        with self.fake("b4-ours") as fake:
            ours = Ours(self.builddir, os.path.join(self.work, "b4-ours-client"), fake.url)
            r = self.timed_sync(fake, ours.argv("sync-file", path), ours.env, "b4-ours", 1)
            ok = r.valid and fake.state()["bytes"] == size
        with self.fake("b4-peer") as fake:
            peer = Peer(self.node_tools, os.path.join(self.work, "b4-peer-client"), fake.url)
            p = self.timed_sync(fake, peer.upload_argv(path), peer.env, "b4-peer", 1)
        self.add("B4a", f"peak RSS uploading one {size / MB:.0f} MB video", r.maxrss_kb / 1024,
                 "MiB", "≤ 40 MB", "max", 40 * MB / (1 << 20), peer=p.maxrss_kb / 1024,
                 peer_label="immich-cli default", ratio=r.maxrss_kb / p.maxrss_kb,
                 server_cpu=r.fake_cpu_pct, valid=ok, ours_s=r.wall, peer_s=p.wall,
                 note="VmHWM polled every 5 ms; 40 MB = 38.1 MiB")
        if not self.args.keep_data:
            os.unlink(path)

    # --------------------------------------------------------------------- B5

    def capture_run(self, kind, sources, interval):
        tag = f"b5-{kind}"
        watch = os.path.join(self.work, tag + "-dir")
        os.makedirs(watch)
        checksums = [sha1_file(p) for p in sources]
        contents = [open(p, "rb").read() for p in sources]
        seen = {}
        uploaded = {}
        with self.fake(tag) as fake:
            if kind == "ours":
                c = Ours(self.builddir, os.path.join(self.work, tag + "-client"), fake.url)
                argv, env, stop_sig = c.argv("watch", watch), c.env, signal.SIGTERM
            elif kind == "app":
                # B15: the app on the display of app.b15, syncing on capture
                c = app.app_client(self, tag, fake.url, watch, on_capture=True)
                argv = [*Ours.wrap,
                        os.path.join(self.builddir, "src", "ui", "photobooth-immich-sync"),
                        "--database", c.db]
                env = dict(c.env, GSETTINGS_SCHEMA_DIR=os.path.join(self.builddir, "data"),
                           **self.app_display.env)
                stop_sig = signal.SIGTERM
            else:
                c = Peer(self.node_tools, os.path.join(self.work, tag + "-client"), fake.url)
                argv, env, stop_sig = c.upload_argv(watch, watch=True), c.env, signal.SIGINT
            out = open(os.path.join(self.work, tag + ".log"), "wb")
            proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
            time.sleep(3.0)   # let it connect and start watching
            stop = threading.Event()
            polls = [0]

            def poller():
                while not stop.is_set():
                    st = fake.state()
                    now = time.monotonic()
                    polls[0] += 1
                    ids = {a["id"]: a["checksum"] for a in st["asset_list"]}
                    for cs in ids.values():
                        if cs not in uploaded:
                            uploaded[cs] = now
                    for a in st["albums"]:
                        if a["name"] == ALBUM:
                            for aid in a["assets"]:
                                cs = ids.get(aid)
                                if cs is not None and cs not in seen:
                                    seen[cs] = now
                    time.sleep(0.01)

            th = threading.Thread(target=poller, daemon=True)
            cpu = fake.cpu().start()
            th.start()
            written = []
            start = time.monotonic() + 0.5
            for i, data in enumerate(contents):
                slot = start + i * interval
                time.sleep(max(0.0, slot - time.monotonic()))
                path = os.path.join(watch, f"CAP_{i:04d}.jpg")
                with open(path, "wb") as f:
                    for off in range(0, len(data), 1 << 20):   # like a camera, in chunks
                        f.write(data[off:off + (1 << 20)])
                written.append(time.monotonic())
            grace = 10.0 if kind != "peer" else 10.0 + 2.0 + 20.0
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and len(seen) < len(contents):
                time.sleep(0.05)
            stop.set()
            th.join()
            cpu.stop()
            proc.send_signal(stop_sig)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            out.close()
        lat = [(seen[cs] - t0) * 1000.0 for cs, t0 in zip(checksums, written) if cs in seen]
        up = [(uploaded[cs] - t0) * 1000.0 for cs, t0 in zip(checksums, written)
              if cs in uploaded]
        missing = len(contents) - len(lat)
        log(f"  {tag}: {len(lat)} of {len(contents)} arrived; {polls[0]} state polls, "
            f"fake CPU {cpu.pct:.0f}%; ms to uploaded: {[round(x) for x in up]}; "
            f"to in album: {[round(x) for x in lat]}")
        self.series.setdefault("b5_uploaded", {})[kind] = up
        return lat, missing, cpu.pct

    def b5(self):
        n = self.sz["b5_captures"]
        interval = self.sz["b5_interval"]
        sources = self.photos(n)
        log(f"B5: {n} captures of 3 MB, one every {interval:.0f} s, ours then the peer")
        lat, miss, cpu = self.capture_run("ours", sources, interval)
        plat, pmiss, pcpu = self.capture_run("peer", sources, interval)
        self.series["b5"] = {"ours": lat, "peer": plat}
        self.add_latency("B5", f"capture latency p{{q}}: file closed → asset in album "
                         f"({n} × 3 MB, 1 per {interval:.0f} s)", (lat, miss, cpu),
                         ((50, 30), (95, 60)),
                         peer=(plat, pmiss, pcpu), peer_label="immich-cli --watch",
                         ours_p50_to_uploaded_ms=percentile(
                             self.series["b5_uploaded"]["ours"], 50),
                         ours_p95_to_uploaded_ms=percentile(
                             self.series["b5_uploaded"]["ours"], 95),
                         note="album polled every 10 ms via /__fake/state")

    def add_latency(self, prefix, name, run, limits, peer=None, peer_label=None,
                    suffixes=("a", "b"), **details):
        """The p50 and p95 rows (PREFIXa, PREFIXb) of a capture_run; @name
        holds "{q}" for the percentile; a limit of None only reports."""
        lat, miss, cpu = run
        plat, pmiss, pcpu = peer or (None, None, None)
        for (q, lim), suffix in zip(limits, suffixes):
            v = percentile(lat, q)
            pv = percentile(plat, q) if plat is not None else None
            self.add(prefix + suffix, name.format(q=q), v, "ms", *ms_limit(lim),
                     peer=pv, peer_label=peer_label,
                     ratio=(v / pv) if v is not None and pv else None, server_cpu=cpu,
                     peer_server_cpu=pcpu, valid=(miss == 0), missing=miss, peer_missing=pmiss,
                     max_ms=max(lat) if lat else None,
                     peer_max_ms=max(plat) if plat else None, **details)

    # -------------------------------------------------------------------- B16

    def b16(self):
        """B1 (100 × 3 MB), B5 and B11 again in a Raspberry-Pi-class profile:
        our processes pinned to one core (taskset; the fake keeps the other)
        and nettle's portable C SHA-1 instead of the CPU's SHA instructions
        (NETTLE_FAT_OVERRIDE=none; NETTLE_FAT_VERBOSE makes nettle say so in
        each run's log, which is checked)."""
        n = 100
        reps = 3
        files, d = self.photo_dir(n)
        core = str((os.cpu_count() or 1) - 1)
        log(f"B16: one core (taskset -c {core}), nettle without SHA instructions: "
            f"B1 ({n} × 3 MB, {reps} runs), B5, B11")
        saved = Ours.wrap, Ours.extra_env
        Ours.wrap = ["taskset", "-c", core]
        Ours.extra_env = {"NETTLE_FAT_OVERRIDE": "none", "NETTLE_FAT_VERBOSE": "1"}
        try:
            runs = []
            for i in range(reps):
                warm_cache(files)
                with self.fake(f"b16-b1-{i}") as fake:
                    ours = Ours(self.builddir, os.path.join(self.work, "b16-b1-client"),
                                fake.url)
                    runs.append(self.timed_sync(fake, ours.argv("sync", d), ours.env,
                                                f"b16-b1-{i}", n))
            portable = all("not using sha_ni" in r.output for r in runs)
            lat, miss, cpu = self.capture_run("ours", self.photos(self.sz["b5_captures"]),
                                              self.sz["b5_interval"])
            walls = [r.wall for r in runs]
            b1 = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
            total = sum(os.path.getsize(p) for p in files)
            self.add("B16a", f"Pi profile: first sync of {n} × 3 MB (B1)", b1.wall, "s",
                     "report", "report", None, valid=all(r.valid for r in runs) and portable,
                     walls=[round(w, 3) for w in walls], mb_s=total / MB / b1.wall,
                     cpu_s=b1.cpu, rss_mib=b1.maxrss_kb / 1024, server_cpu=b1.fake_cpu_pct,
                     nettle_portable=portable,
                     note=f"median of {reps} runs; 'not using sha_ni' checked in each log")
            self.add_latency("B16b", "Pi profile: capture latency p{q} (B5)", (lat, miss, cpu),
                             ((50, 150), (95, None)), suffixes=("", "-p95"))
            app.b11(self, ids=("B16c", "B16c-p99"), label="Pi profile: app (B11)",
                    limits=(33, None), series="b16c")
        finally:
            Ours.wrap, Ours.extra_env = saved

    # --------------------------------------------------------------------- B7

    def idle_run(self, kind, seconds):
        tag = f"b7-{kind}"
        watch = os.path.join(self.work, tag + "-dir")
        files = link_subset(self.photos(5), watch)
        with self.fake(tag) as fake:
            if kind == "ours":
                c = Ours(self.builddir, os.path.join(self.work, tag + "-client"), fake.url)
                # `watch` takes only new captures: what is there is synced first
                subprocess.run(c.argv("sync", watch), env=c.env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=120)
                argv, env, stop_sig = c.argv("watch", watch), c.env, signal.SIGTERM
                watched = c.db_files()
            else:
                c = Peer(self.node_tools, os.path.join(self.work, tag + "-client"), fake.url)
                argv, env, stop_sig = c.upload_argv(watch, watch=True), c.env, signal.SIGINT
                watched = []
            out = open(os.path.join(self.work, tag + ".log"), "wb")
            proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.album_count(fake)[0] < len(files):
                time.sleep(0.2)
            synced = self.album_count(fake)[0]
            time.sleep(3.0)    # let it finish whatever follows the initial sync

            def mtimes():
                return {f: os.stat(f).st_mtime_ns for f in watched if os.path.exists(f)}
            m0, io0, c0, t0 = mtimes(), proc_io(proc.pid), proc_cpu_seconds(proc.pid), \
                time.monotonic()
            fcpu = fake.cpu().start()
            req0 = fake.state()["requests"]
            time.sleep(seconds)
            m1, io1, c1, t1 = mtimes(), proc_io(proc.pid), proc_cpu_seconds(proc.pid), \
                time.monotonic()
            req1 = fake.state()["requests"]   # /__fake/ calls are not counted
            fcpu.stop()
            proc.send_signal(stop_sig)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            out.close()
        changed = sorted(os.path.basename(f) for f in m1 if m0.get(f) != m1[f])
        return {"cpu_pct": 100.0 * (c1 - c0) / (t1 - t0),
                "write_bytes": io1["write_bytes"] - io0["write_bytes"],
                "wchar": io1["wchar"] - io0["wchar"],
                "syscw": io1["syscw"] - io0["syscw"],
                "changed_files": changed, "requests": req1 - req0,
                "synced": synced, "expected": len(files), "fake_cpu_pct": fcpu.pct}

    def b7(self):
        secs = self.sz["b7_seconds"]
        log(f"B7: idle watch for {secs} s (after syncing 5 photos), ours then the peer")
        o = self.idle_run("ours", secs)
        p = self.idle_run("peer", secs)
        log(f"  ours {o}\n  peer {p}")
        valid = o["synced"] == o["expected"]
        self.add("B7a", f"idle watch, CPU over {secs} s", o["cpu_pct"], "% of a core",
                 "≤ 1 %", "max", 1.0, peer=p["cpu_pct"], peer_label="immich-cli --watch",
                 ratio=o["cpu_pct"] / p["cpu_pct"] if p["cpu_pct"] else None,
                 server_cpu=o["fake_cpu_pct"], valid=valid, requests=o["requests"],
                 peer_requests=p["requests"])
        met_writes = o["write_bytes"] == 0 and not o["changed_files"]
        e = self.add("B7b", f"idle watch, bytes written to disk over {secs} s",
                     o["write_bytes"], "bytes", "0, db/-wal/log mtimes unchanged", "max", 0,
                     peer=p["write_bytes"], peer_label="immich-cli --watch",
                     server_cpu=o["fake_cpu_pct"], valid=valid,
                     changed_files=o["changed_files"], wchar=o["wchar"], syscw=o["syscw"])
        e["met"] = met_writes and valid

    # --------------------------------------------------------------------- B8

    def b8(self):
        n1, n2 = self.sz["b8_first"], self.sz["b8_second"]
        files1, d1 = self.photo_dir(n1)
        files2, d2 = self.photo_dir(n2)
        bytes1 = sum(os.path.getsize(p) for p in files1)
        log(f"B8: bytes on the wire: first sync of {n1} photos, second sync of {n2}")
        res = {}
        for kind in ("ours", "peer"):
            # first sync of n1
            with self.fake(f"b8-{kind}-1") as fake, Proxy(fake.host, fake.port) as px:
                c = (Ours(self.builddir, os.path.join(self.work, f"b8-{kind}-1-client"), px.url)
                     if kind == "ours" else
                     Peer(self.node_tools, os.path.join(self.work, f"b8-{kind}-1-client"),
                          px.url))
                argv = c.argv("sync", d1) if kind == "ours" else c.upload_argv(d1)
                px.reset()
                r1 = self.timed_sync(fake, argv, c.env, f"b8-{kind}-first", n1)
                first = (px.up, px.down, px.connections)
            # second sync of n2, after a first one that is not counted
            with self.fake(f"b8-{kind}-2") as fake, Proxy(fake.host, fake.port) as px:
                c = (Ours(self.builddir, os.path.join(self.work, f"b8-{kind}-2-client"), px.url)
                     if kind == "ours" else
                     Peer(self.node_tools, os.path.join(self.work, f"b8-{kind}-2-client"),
                          px.url))
                argv = c.argv("sync", d2) if kind == "ours" else c.upload_argv(d2)
                self.timed_sync(fake, argv, c.env, f"b8-{kind}-2a", n2)
                px.reset()
                r2 = self.timed_sync(fake, argv, c.env, f"b8-{kind}-2b", n2)
                second = (px.up, px.down, px.connections)
            res[kind] = (first, second, r1.valid and r2.valid)
        (o1, o2, ovalid), (p1, p2, pvalid) = res["ours"], res["peer"]
        ov = (o1[0] + o1[1]) / bytes1
        pv = (p1[0] + p1[1]) / bytes1
        self.add("B8a", f"bytes on the wire ÷ file bytes, first sync of {n1} photos", ov, "×",
                 "≤ 1.01", "max", 1.01, peer=pv, peer_label="immich-cli default", ratio=ov / pv,
                 valid=ovalid, peer_valid=pvalid, up=o1[0], down=o1[1], connections=o1[2],
                 file_bytes=bytes1,
                 peer_up=p1[0], peer_down=p1[1], peer_connections=p1[2])
        ov2 = (o2[0] + o2[1]) / n2
        pv2 = (p2[0] + p2[1]) / n2
        self.add("B8b", f"bytes on the wire per file, second sync of {n2} photos", ov2, "B/file",
                 "≤ 300 B", "max", 300, peer=pv2, peer_label="immich-cli default",
                 ratio=ov2 / pv2 if pv2 else None, valid=ovalid, up=o2[0], down=o2[1],
                 connections=o2[2], peer_up=p2[0], peer_down=p2[1], peer_connections=p2[2])

    # ------------------------------------------------------------------- main

    def run(self, only):
        t0 = time.monotonic()
        self.busy_before = busy_cpu_pct(2.0)
        if self.busy_before > 20:
            self.notes.append(f"the machine was already busy before the run "
                              f"({self.busy_before:.0f} % of a core in use): figures are skewed")
            log(f"WARNING: {self.busy_before:.0f} % of a core already in use by other processes")
        steps = [("B1", self.b1_b6), ("B2", self.b2_b4b), ("B3", self.b3), ("B4", self.b4a),
                 ("B5", self.b5), ("B7", self.b7), ("B8", self.b8),
                 ("B1S", lambda: scale.b1s(self)), ("B9", lambda: scale.b9(self)),
                 ("B10", lambda: app.b10(self)), ("B11", lambda: app.b11(self)),
                 ("B12", lambda: app.b12_b13(self)), ("B14", lambda: app.b14(self)),
                 ("B15", lambda: app.b15(self)), ("B16", self.b16)]
        for key, fn in steps:
            if only and key not in only:
                continue
            # dirty pages of the previous step must not be written back during
            # this one (the store's fdatasync would wait for them: see B6)
            os.sync()
            busy = busy_cpu_pct(1.0)
            if busy > 20:
                self.notes.append(f"{key}: other processes used {busy:.0f} % of a core just "
                                  f"before it")
                log(f"WARNING: other processes use {busy:.0f} % of a core")
            try:
                fn()
            except Exception as e:   # one broken benchmark must not lose the others
                import traceback
                traceback.print_exc()
                self.notes.append(f"{key} failed: {e!r}")
                self.results.append({"id": key, "name": f"{key} did not run: {e!r}",
                                     "value": None, "unit": "", "target": "", "met": False,
                                     "peer": None, "ratio": None, "details": {}})
        self.elapsed = time.monotonic() - t0
        self.busy_after = busy_cpu_pct(2.0)


def main():
    ap = argparse.ArgumentParser(description="Run the benchmarks against fake-immich.")
    ap.add_argument("--quick", action="store_true", help="smaller versions, under 5 minutes")
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--data-dir", default="/tmp/pbi-bench-data")
    ap.add_argument("--results", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "results"))
    ap.add_argument("--only", default="",
                    help="comma-separated: B1,B2,B3,B4,B5,B7,B8,B1S,B9,B10,B11,B12,B14,B15,B16 "
                         "(B6 comes with B1, B4b with B2, B13 with B12; APP = B10–B15)")
    ap.add_argument("--ours-concurrency", type=int, default=None, metavar="N",
                    help="B1: set immich_upload_concurrency (default: the tool's default)")
    ap.add_argument("--keep-data", action="store_true",
                    help="keep the generated files (default: kept after --quick only)")
    ap.add_argument("--update-docs", metavar="FILE",
                    help="put the table between the bench markers of FILE")
    args = ap.parse_args()
    if args.quick:
        args.keep_data = True

    b = Bench(args)
    only = [x.strip().upper() for x in args.only.split(",") if x.strip()]
    if "APP" in only:
        only += ["B10", "B11", "B12", "B14", "B15"]
    b.run(only)
    report.write(b, args.results, args.update_docs)
    if b.notes:
        log(f"something went wrong: logs kept in {b.work}")
    else:
        shutil.rmtree(b.work, ignore_errors=True)
    if not args.keep_data:
        log(f"removing the generated files in {b.data}")
        for name in os.listdir(b.data):
            if name != "work" or not b.notes:
                shutil.rmtree(os.path.join(b.data, name), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
