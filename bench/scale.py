# scale.py: the scale benchmarks of issue 14 (B1s, B9a–e) for bench/bench.py.
#
# Copyright 2026 The PhotoBooth Immich Sync authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A season of events in one library: many small files. Each step takes the
# Bench object of bench.py (its fake servers, timed syncs and results).

import json
import os
import random
import statistics
import subprocess
import time
import urllib.request

import app
from benchlib import Fake, jpeg_bytes, link_subset, log, run_measured, warm_cache
from clients import Ours, Peer

MB = 1000 * 1000

SIZES = {
    "full": {"b1s_files": 10000, "b9_files": 100000, "small_size": 50 * 1000, "scale_reps": 3},
    "quick": {"b1s_files": 2000, "b9_files": 10000, "small_size": 50 * 1000, "scale_reps": 1},
}


# --------------------------------------------------------------------------
# Test data

def ensure_small_photos(directory, count, size, seed=14):
    """The first @count of a pool of distinct small JPEGs of @size bytes:
    one random JPEG (see benchlib.jpeg_bytes) with a per-file tag written
    into its first comment segment, so generating 100,000 takes seconds and
    every file has its own checksum. Files already there are reused."""
    os.makedirs(directory, exist_ok=True)
    base = bytearray(jpeg_bytes(size, random.Random(seed)))
    base = base[:size] if len(base) >= size else base + b"\0" * (size - len(base))
    # the first COM segment (FF FE) holds random bytes: the tag goes there
    at = base.find(b"\xff\xfe") + 4
    existing = set(os.listdir(directory))
    paths = []
    made = 0
    for i in range(count):
        name = f"IMG_{i:06d}.jpg"
        path = os.path.join(directory, name)
        paths.append(path)
        if name in existing and os.path.getsize(path) == size:
            continue
        if made == 0:
            log(f"generating files of {size} bytes in {directory}")
        base[at:at + 16] = f"pbi{seed:03d}-{i:09d}".encode()[:16].ljust(16, b"_")
        with open(path + ".tmp", "wb") as f:
            f.write(base)
        os.rename(path + ".tmp", path)
        made += 1
    if made:
        log(f"generated {made} files")
        os.sync()
    return paths


def small_dir(b, n):
    pool = ensure_small_photos(os.path.join(b.data, "pool-50kb"), n, b.sz["small_size"])
    d = os.path.join(b.data, f"small50-{n}")
    files = pool[:n]
    if not (os.path.isdir(d) and len(os.listdir(d)) == n):
        files = link_subset(files, d)
    return [os.path.join(d, os.path.basename(p)) for p in files], d


def spread(values):
    v = [x for x in values if x is not None]
    if not v:
        return {}
    return {"runs": [round(x, 4) for x in v], "min": min(v), "median": statistics.median(v),
            "max": max(v)}


def fake_post(fake, path):
    req = urllib.request.Request(fake.url + path, data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()


def big_fake(b, tag):
    """A fake server that keeps no originals (100,000 would be 5 GB of its
    memory)."""
    f = Fake(b.builddir, os.path.join(b.work, tag))
    f.extra_args = ["--keep-originals", "0"]
    return f


# --------------------------------------------------------------------------
# B1s: first sync of many small files, ours against the peer at its defaults

def b1s(b):
    n = b.sz["b1s_files"]
    reps = b.sz["scale_reps"]
    files, d = small_dir(b, n)
    total = sum(os.path.getsize(p) for p in files)
    log(f"B1s: first sync of {n} small files ({total / MB:.0f} MB), {reps} run(s) each")
    ours_runs, peer_runs = [], []
    for i in range(reps):
        warm_cache(files)
        with big_fake(b, f"b1s-ours-{i}") as fake:
            ours = Ours(b.builddir, os.path.join(b.work, "b1s-ours-client"), fake.url)
            ours_runs.append(b.timed_sync(fake, ours.argv("sync", d), ours.env,
                                          f"b1s-ours-{i}", n))
        warm_cache(files)
        with big_fake(b, f"b1s-peer-{i}") as fake:
            peer = Peer(b.node_tools, os.path.join(b.work, "b1s-peer-client"), fake.url)
            peer_runs.append(b.timed_sync(fake, peer.upload_argv(d), peer.env,
                                          f"b1s-peer-{i}", n))
    ow = [r.wall for r in ours_runs]
    pw = [r.wall for r in peer_runs]
    ratios = [o / p for o, p in zip(ow, pw)]
    o_med, p_med = statistics.median(ow), statistics.median(pw)
    b.add("B1s", f"first sync, {n} × 50 kB JPEG into an album (peer at its defaults)",
          o_med, "s", "≤ 0.5× peer", "ratio_max", 0.5, peer=p_med,
          peer_label="immich-cli default", ratio=o_med / p_med,
          server_cpu=statistics.median(r.fake_cpu_pct for r in ours_runs),
          peer_server_cpu=statistics.median(r.fake_cpu_pct for r in peer_runs),
          valid=all(r.valid for r in ours_runs + peer_runs), files=n, bytes=total,
          ours_walls=spread(ow), peer_walls=spread(pw), ratios=spread(ratios),
          worst_ratio=max(ratios), ours_files_per_s=n / o_med, peer_files_per_s=n / p_med,
          ours_cpu_s=spread([r.cpu for r in ours_runs]),
          peer_cpu_s=spread([r.cpu for r in peer_runs]),
          note=f"median of {reps} runs; each run against a fresh fake server")


# --------------------------------------------------------------------------
# B9: a season (100,000 photos)

def timed(argv, env, log_path, timeout=600):
    t0 = time.monotonic()
    with open(log_path, "wb") as out:
        p = subprocess.run(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=timeout)
    return time.monotonic() - t0, p.returncode


def app_start_walls(b, tag, ours, folder, reps=3):
    """ms from the app's fork to its first status-page frame (B10's way),
    @reps runs after one warm-up, on @ours' database; [None] if it failed."""
    ours.config("immich_capture_folder", folder)
    ours.config("immich_auto_sync", "false")
    ours.config("immich_enabled", "true")
    with app.Display(os.path.join(b.work, tag + "-display")) as disp:
        try:
            return app.start_runs(b, tag + "-app", ours, disp, reps, warm_up=True)[0]
        except RuntimeError as e:
            log(f"  {tag}: the app did not start: {e}")
            return [None]


def b9(b):
    n = b.sz["b9_files"]
    reps = b.sz["scale_reps"]
    files, d = small_dir(b, n)
    total = sum(os.path.getsize(p) for p in files)
    log(f"B9: {n} files of {b.sz['small_size'] / 1000:.0f} kB ({total / MB:.0f} MB), "
        f"{reps} run(s)")
    runs = []
    for i in range(reps):
        warm_cache(files)
        tag = f"b9-ours-{i}"
        with big_fake(b, tag) as fake:
            ours = Ours(b.builddir, os.path.join(b.work, tag + "-client"), fake.url)
            first = b.timed_sync(fake, ours.argv("sync", d), ours.env, tag + "-first", n)
            second = b.timed_sync(fake, ours.argv("sync", d), ours.env, tag + "-second", n)
            counts = Ours.counts(second.output)
            second_ok = second.valid and counts is not None and counts["uploaded"] == 0 \
                and counts["already"] + counts["duplicates"] == n
            # B9d: the database after the first and second sync
            db_bytes = sum(os.path.getsize(f) for f in ours.db_files()[:3]
                           if os.path.exists(f))
            db_main = os.path.getsize(ours.db)
            # B9c: verify against the server, requests per route
            fake_post(fake, "/__fake/reset-routes")
            req0 = fake.state()["requests"]
            vres = run_measured(ours.argv("--json", "verify", d), env=ours.env,
                                log_path=os.path.join(b.work, tag + "-verify.log"),
                                timeout=600)
            st = fake.state()
            v_requests = st["requests"] - req0
            v_routes = st["routes"]
            try:
                vjson = json.loads(vres.output[vres.output.index("{"):])
            except ValueError:
                vjson = None
            # B9e: status, three times
            status_walls = []
            for j in range(3):
                w, rc = timed(ours.argv("status"), ours.env,
                              os.path.join(b.work, f"{tag}-status-{j}.log"))
                status_walls.append(w if rc == 0 else None)
            # B9e: the app's start on that database, the season's folder as
            # its capture folder (the grid lists it)
            app_starts = app_start_walls(b, tag, ours, d)
        runs.append({"first": first, "second": second, "second_ok": second_ok,
                     "counts": counts, "db_bytes": db_bytes, "db_main": db_main,
                     "verify": vres, "verify_requests": v_requests, "verify_routes": v_routes,
                     "verify_json": vjson, "status": status_walls, "app": app_starts})
        log(f"  {tag}: second {second.wall:.2f} s, verify {vres.wall:.2f} s "
            f"({v_requests} requests), db {db_bytes / n:.0f} B/photo, "
            f"status {[round(x or -1, 3) for x in status_walls]} s, "
            f"app start {[round(x or -1) for x in app_starts]} ms")

    # the peer: one first sync (peak RSS) and its second runs, against one server
    warm_cache(files)
    with big_fake(b, "b9-peer") as fake:
        peer = Peer(b.node_tools, os.path.join(b.work, "b9-peer-client"), fake.url)
        pfirst = b.timed_sync(fake, peer.upload_argv(d), peer.env, "b9-peer-first", n)
        pseconds = [b.timed_sync(fake, peer.upload_argv(d), peer.env, f"b9-peer-second-{i}", n)
                    for i in range(reps)]

    sw = [r["second"].wall for r in runs]
    psw = [r.wall for r in pseconds]
    s_med, ps_med = statistics.median(sw), statistics.median(psw)
    valid_all = all(r["first"].valid and r["second_ok"] for r in runs)
    e = b.add("B9a", f"second sync of {n} unchanged files (50 kB)", s_med, "s",
              "≤ 1.5 s and ≤ 0.05× peer", "max", 1.5, peer=ps_med,
              peer_label="immich-cli default", ratio=s_med / ps_med,
              server_cpu=statistics.median(r["second"].fake_cpu_pct for r in runs),
              peer_server_cpu=statistics.median(r.fake_cpu_pct for r in pseconds),
              valid=valid_all and all(r.valid for r in pseconds), files=n,
              ours_walls=spread(sw), peer_walls=spread(psw),
              ours_cpu_s=spread([r["second"].cpu for r in runs]),
              counts=runs[-1]["counts"], note=f"median of {reps} runs")
    e["met"] = bool(e["met"]) and e["ratio"] <= 0.05

    rss = [r["first"].maxrss_kb / 1024 for r in runs]
    b.add("B9b", f"peak RSS of the first sync of {n} files", max(rss), "MiB",
          "≤ 80 MB", "max", 80 * MB / (1 << 20), peer=pfirst.maxrss_kb / 1024,
          peer_label="immich-cli default", ratio=max(rss) / (pfirst.maxrss_kb / 1024),
          server_cpu=statistics.median(r["first"].fake_cpu_pct for r in runs),
          peer_server_cpu=pfirst.fake_cpu_pct, valid=valid_all, rss_mib=spread(rss),
          ours_first_s=spread([r["first"].wall for r in runs]), peer_first_s=pfirst.wall,
          peer_first_valid=pfirst.valid,
          note="VmHWM polled every 5 ms; the worst of the runs; 80 MB = 76.3 MiB")

    vw = [r["verify"].wall for r in runs]
    vreq = [r["verify_requests"] for r in runs]
    vj = runs[-1]["verify_json"] or {}
    v_ok = all(r["verify"].rc == 0 for r in runs)
    per_5000 = max(vreq) / (n / 5000)
    e = b.add("B9c", f"verify of {n} synced photos against the server", statistics.median(vw),
              "s", "≤ 10 s, a few requests per 5,000 photos", "max", 10.0,
              server_cpu=None, valid=v_ok, walls=spread(vw), requests=vreq,
              requests_per_5000=per_5000, routes=runs[-1]["verify_routes"], result=vj,
              ours_cpu_s=spread([r["verify"].cpu for r in runs]),
              rss_mib=spread([r["verify"].maxrss_kb / 1024 for r in runs]),
              note=f"median of {reps} runs; requests counted by the fake per route")
    e["met"] = bool(e["met"]) and per_5000 <= 5

    dbpp = [r["db_bytes"] / n for r in runs]
    b.add("B9d", f"database bytes per photo after {n}", max(dbpp), "B/photo", "≤ 300 B",
          "max", 300, valid=valid_all, per_run=spread(dbpp),
          db_main_bytes=runs[-1]["db_main"], db_total_bytes=runs[-1]["db_bytes"],
          note="sync.db + -wal + -shm after the second sync, the worst run")

    stw = [w for r in runs for w in r["status"]]
    apw = [w for r in runs for w in r["app"]]
    app_med = statistics.median(apw) if apw and None not in apw else None
    b.add("B9e", f"`status` with {n} photos in the queue history",
          statistics.median(stw) * 1000 if None not in stw else None, "ms", "≤ 200 ms", "max",
          200, valid=None not in stw,
          runs_ms=spread([w * 1000 for w in stw if w is not None]),
          note=f"3 runs per database, {reps} database(s); wall time of the command")
    b.add("B9e-app", f"the app's start with {n} photos in the queue history", app_med, "ms",
          "≤ 1 s", "max", 1000, valid=app_med is not None,
          runs_ms=spread([w for w in apw if w is not None]),
          note="start to the first frame of the status page (as B10), 3 runs per database "
               f"after one warm-up, {reps} database(s); the season's folder is the capture "
               "folder (the grid lists it)")
