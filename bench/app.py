# app.py: the benchmarks of the GTK app of issue 14 (B10–B15) for bench/bench.py.
#
# Copyright 2026 The PhotoBooth Immich Sync authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The app runs under its own Xvfb (no TCP listener) and D-Bus session bus,
# drawn by GTK's cairo renderer (software), with accessibility off, against
# fake-immich on 127.0.0.1. PBI_BENCH_FRAMES (src/ui/pbi-bench.c) makes it
# record its frames (GdkFrameClock phases), main-loop stalls (the 5 ms probe
# of B6), the first frame of the status page and each grid cell's wait for
# its thumbnail; PBI_BENCH_SCROLL makes the grid scroll itself (B12).

import json
import os
import shutil
import signal
import statistics
import subprocess
import time

from benchlib import Fake, link_subset, log, ms_limit, percentile, proc_status_kb, warm_cache
from clients import ALBUM, Ours

MB = 1000 * 1000

SIZES = {
    "full": {"b10_reps": 5, "b11_files": 1000, "b12_captures": 10000, "b12_pages": 30,
             "b12_page_ms": 500, "b12_fling_s": 30, "b14_files": 40, "b15_captures": 20,
             "distinct_24mp": 40},
    "quick": {"b10_reps": 3, "b11_files": 100, "b12_captures": 2000, "b12_pages": 10,
              "b12_page_ms": 500, "b12_fling_s": 10, "b14_files": 12, "b15_captures": 10,
              "distinct_24mp": 12},
}

SCREEN = "1280x800"


# --------------------------------------------------------------------------
# Test photos: 24-megapixel camera JPEGs with an EXIF preview

def _insert_comment(data, tag):
    """@data (a JPEG) with a COM segment holding @tag after its APPn
    segments: same picture, another checksum."""
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and 0xE0 <= data[pos + 1] <= 0xEF:
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    body = tag.encode()
    return data[:pos] + b"\xff\xfe" + (len(body) + 2).to_bytes(2, "big") + body + data[pos:]


def ensure_24mp(directory, count, bases=4):
    """@count distinct 6000×4000 JPEGs like a camera's: @bases different
    pictures (ImageMagick: a plasma fractal scaled up, with sensor-like
    noise, quality 92, 4:2:2), each with EXIF camera tags, the capture date
    and a 160×120 preview in IFD1 (exiftool), as a camera writes; copies of
    those with a per-file comment segment make the rest (same picture,
    another checksum). About 7 MB each."""
    os.makedirs(directory, exist_ok=True)
    paths = [os.path.join(directory, f"CAM_{i:04d}.JPG") for i in range(count)]
    if all(os.path.exists(p) for p in paths):
        return paths
    base_data = []
    for j in range(min(bases, count)):
        base = os.path.join(directory, f"base-{j}.jpg")
        if not os.path.exists(base):
            log(f"generating 24 MP camera JPEG {j + 1} of {bases} (ImageMagick, exiftool)")
            tmp = base + ".tmp.jpg"
            thumb = base + ".thumb.jpg"
            subprocess.run(["convert", "-size", "750x500", "-seed", str(100 + j),
                            "plasma:fractal", "-resize", "6000x4000!", "-attenuate", "0.35",
                            "+noise", "Gaussian", "-quality", "92", "-sampling-factor", "2x1",
                            tmp], check=True)
            subprocess.run(["convert", tmp, "-thumbnail", "160x120", "-background", "black",
                            "-gravity", "center", "-extent", "160x120", "-quality", "80",
                            "-strip", thumb], check=True)
            subprocess.run(["exiftool", "-q", "-overwrite_original", "-Make=Canon",
                            "-Model=Canon EOS 250D", "-Orientation#=1",
                            "-DateTimeOriginal=2026:11:25 12:%02d:00" % j,
                            "-ExifImageWidth=6000", "-ExifImageHeight=4000",
                            "-ThumbnailImage<=" + thumb, tmp], check=True)
            os.unlink(thumb)
            os.rename(tmp, base)
        base_data.append(open(base, "rb").read())
    for i, p in enumerate(paths):
        if not os.path.exists(p):
            with open(p + ".tmp", "wb") as f:
                f.write(_insert_comment(base_data[i % len(base_data)], f"pbi-bench-24mp-{i:06d}"))
            os.rename(p + ".tmp", p)
    os.sync()
    return paths


def many_names(sources, directory, n):
    """A folder of @n names, hard links to @sources in turn."""
    if os.path.isdir(directory) and len(os.listdir(directory)) == n:
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for i in range(n):
        os.link(sources[i % len(sources)], os.path.join(directory, f"IMG_{i:05d}.JPG"))
    return directory


# --------------------------------------------------------------------------
# A display and a session bus

class Display:
    """Xvfb on a free display number (UNIX socket only) and a session bus."""

    def __init__(self, workdir):
        self.workdir = workdir

    def __enter__(self):
        os.makedirs(self.workdir, exist_ok=True)
        self.err = open(os.path.join(self.workdir, "xvfb.log"), "wb")
        r, w = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0",
                                      SCREEN + "x24", "-nolisten", "tcp", "-noreset"],
                                     pass_fds=(w,), stdout=self.err, stderr=self.err)
        os.close(w)
        number = b""
        deadline = time.monotonic() + 30
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            chunk = os.read(r, 16)
            if not chunk:
                break
            number += chunk
        os.close(r)
        if not number.strip():
            raise RuntimeError("Xvfb did not start")
        self.dbus = subprocess.Popen(["dbus-daemon", "--session", "--nofork",
                                      "--print-address=1"], stdout=subprocess.PIPE,
                                     stderr=self.err)
        address = self.dbus.stdout.readline().decode().strip()
        if not address:
            raise RuntimeError("dbus-daemon did not start")
        self.env = {
            "DISPLAY": ":" + number.decode().strip(),
            "DBUS_SESSION_BUS_ADDRESS": address,
            "GDK_BACKEND": "x11",
            "GSK_RENDERER": "cairo",
            # software rendering, no GL at all: else GDK 4.8 on X11 still
            # loads Mesa's llvmpipe (LLVM: about 50 MB of RSS and a few
            # hundred ms of start) to pick a visual, though cairo draws
            # everything (B10 measures that case too)
            "GDK_DEBUG": "gl-disable",
            "GTK_A11Y": "none",
            "NO_AT_BRIDGE": "1",
            "LIBGL_ALWAYS_SOFTWARE": "1",
            "LANGUAGE": "en",
        }
        return self

    def __exit__(self, *exc):
        for p in (self.dbus, self.xvfb):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.err.close()


# --------------------------------------------------------------------------
# The app, its records

def parse_records(path):
    """The PBI_BENCH_FRAMES file: times in s of time.monotonic()."""
    rec = {"frames": [], "stalls": [], "thumbs": [], "events": {}}
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return None
    for line in lines:
        f = line.split()
        if not f:
            continue
        if f[0] == "frame":
            rec["frames"].append((int(f[1]) / 1e6, int(f[2]) / 1e6, f[3] == "1"))
            if len(f) >= 6:
                rec.setdefault("phases", []).append((int(f[1]) / 1e6, int(f[4]) / 1e6,
                                                     int(f[5]) / 1e6, int(f[2]) / 1e6,
                                                     f[3] == "1"))
        elif f[0] == "stall":
            rec["stalls"].append((int(f[1]) / 1e6, int(f[2]) / 1e3))
        elif f[0] == "thumb":
            rec["thumbs"].append((int(f[1]) / 1e6, int(f[2]) / 1e6, f[3] == "1"))
        elif f[0] == "event":
            rec["events"].setdefault(f[1], []).append(int(f[2]))
        elif len(f) == 2:
            rec[f[0]] = int(f[1])
    return rec


class App:
    """photobooth-immich-sync on @display with the database of @ours."""

    def __init__(self, b, tag, ours, display, env=None, frames=True):
        self.exe = os.path.join(b.builddir, "src", "ui", "photobooth-immich-sync")
        self.records = os.path.join(b.work, tag + "-frames.txt") if frames else None
        e = dict(ours.env)
        e.update(display.env)
        e["GSETTINGS_SCHEMA_DIR"] = os.path.join(b.builddir, "data")
        if self.records:
            e["PBI_BENCH_FRAMES"] = self.records
            if os.path.exists(self.records):
                os.unlink(self.records)
        e.update(env or {})
        self.log = open(os.path.join(b.work, tag + "-app.log"), "wb")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([*Ours.wrap, self.exe, "--database", ours.db], env=e,
                                     stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        # PBI_BENCH_PERF=DIR: a `perf record` of each app run into DIR/TAG.data
        self.perf = None
        if os.environ.get("PBI_BENCH_PERF"):
            cg = os.environ.get("PBI_BENCH_PERF_CALLGRAPH", "fp")
            self.perf = subprocess.Popen(["perf", "record", "-q", "-F", "499" if cg == "fp" else "149",
                                          "--call-graph", cg, "-p",
                                          str(self.proc.pid), "-o",
                                          os.path.join(os.environ["PBI_BENCH_PERF"],
                                                       tag + ".data")],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def read(self, timeout=30):
        """Asks for the records (SIGUSR2) and reads them."""
        if os.path.exists(self.records):
            os.unlink(self.records)
        self.proc.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.records):
                return parse_records(self.records)
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError("the app wrote no records")

    def wait_first_frame(self, timeout=60):
        """The app writes its records once the status page is drawn (and
        only then does it take SIGUSR2)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.05)
            rec = parse_records(self.records)
            if rec is not None and rec.get("first_status_frame"):
                return rec
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}")
        raise RuntimeError("the status page was never drawn")

    def rss_kb(self):
        return proc_status_kb(self.proc.pid, "VmRSS"), proc_status_kb(self.proc.pid, "VmHWM")

    def stop(self):
        if self.perf is not None:
            self.perf.send_signal(signal.SIGINT)
            self.perf.wait(60)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def app_client(b, tag, url, folder, auto=False, on_capture=False, enabled=True):
    c = Ours(b.builddir, os.path.join(b.work, tag + "-client"), url)
    c.config("immich_capture_folder", folder)
    c.config("immich_auto_sync", "true" if auto else "false")
    c.config("immich_sync_on_capture", "true" if on_capture else "false")
    c.config("immich_enabled", "true" if enabled else "false")
    return c


def frame_stats(rec, t0, t1):
    """Frames that began in [t0, t1]: work (ms, begin to end of the frame)
    of drawn frames and of all, intervals between frame starts, stalls."""
    fr = [f for f in rec["frames"] if t0 <= f[0] <= t1]
    work_drawn = [(e - s) * 1000 for s, e, d in fr if d]
    work_all = [(e - s) * 1000 for s, e, d in fr]
    starts = [s for s, e, d in fr]
    intervals = [(b - a) * 1000 for a, b in zip(starts, starts[1:])]
    stalls = [g for t, g in rec["stalls"] if t0 <= t <= t1]
    # where a drawn frame's time goes: up to layout, layout (to paint), paint
    ph = [p for p in rec.get("phases", []) if t0 <= p[0] <= t1 and p[4] and p[1] and p[2]]
    split = {}
    if ph:
        split = {"pre_layout_p50_ms": percentile([(p[1] - p[0]) * 1000 for p in ph], 50),
                 "layout_p50_ms": percentile([(p[2] - p[1]) * 1000 for p in ph], 50),
                 "paint_p50_ms": percentile([(p[3] - p[2]) * 1000 for p in ph], 50),
                 "layout_p99_ms": percentile([(p[2] - p[1]) * 1000 for p in ph], 99),
                 "paint_p99_ms": percentile([(p[3] - p[2]) * 1000 for p in ph], 99)}
    return {
        **split,
        "frames": len(fr), "drawn": len(work_drawn),
        "p50_ms": percentile(work_drawn, 50), "p99_ms": percentile(work_drawn, 99),
        "max_ms": max(work_drawn) if work_drawn else None,
        "p99_all_ms": percentile(work_all, 99),
        "interval_p50_ms": percentile(intervals, 50),
        "interval_p99_ms": percentile(intervals, 99),
        "interval_max_ms": max(intervals) if intervals else None,
        "intervals_over_33ms": sum(1 for i in intervals if i > 33.4),
        "max_stall_ms": max(stalls) if stalls else 0.0,
        "stalls_over_33ms": sum(1 for g in stalls if g > 33),
    }


def spread(values):
    v = [x for x in values if x is not None]
    if not v:
        return {}
    return {"runs": [round(x, 3) for x in v], "min": min(v), "median": statistics.median(v),
            "max": max(v)}


# --------------------------------------------------------------------------
# B10: start to the first frame of the status page

def start_runs(b, tag, c, disp, reps, env=None, warm_up=False):
    """@reps starts of the app on @c's database: ms from fork to the first
    status-page frame, the same from main(), and the RSS (MiB) 1 s later."""
    walls, inproc, rss = [], [], []
    for i in range(reps + (1 if warm_up else 0)):
        app = App(b, f"{tag}-{i}", c, disp, env=env)
        try:
            rec = app.wait_first_frame()
            time.sleep(1.0)
            rss.append(app.rss_kb()[0] / 1024)
        finally:
            app.stop()
        first = rec["first_status_frame"] / 1e6
        if warm_up and i == 0:
            log(f"  {tag} warm-up: {(first - app.t0) * 1000:.0f} ms")
            rss.pop()
            continue
        walls.append((first - app.t0) * 1000)
        inproc.append((first - rec["start"] / 1e6) * 1000)
        log(f"  {tag} run {i}: {walls[-1]:.0f} ms (from main(): {inproc[-1]:.0f} ms)")
    return walls, inproc, rss


def b10(b):
    reps = b.sz["b10_reps"]
    files = b.photos(20)
    folder = os.path.join(b.work, "b10-captures")
    link_subset(files, folder)
    log(f"B10: app start to the first frame of the status page, warm cache, {reps} runs")
    with Display(os.path.join(b.work, "b10-display")) as disp, b.fake("b10") as fake:
        c = app_client(b, "b10", fake.url, folder, enabled=True)
        # the first run warms the caches and is not counted
        walls, inproc, rss = start_runs(b, "b10", c, disp, reps, warm_up=True)
        # the same with GL probed (GDK's default on X11, Mesa's software GL)
        gl_walls, _, gl_rss = start_runs(b, "b10-gl", c, disp, reps, env={"GDK_DEBUG": ""})
        log(f"  with GL probed: {[round(x) for x in gl_walls]} ms, RSS {gl_rss} MiB")
    b.add("B10", "app start to the first frame of the status page, warm cache",
          statistics.median(walls), "ms", "≤ 400 ms", "max", 400, valid=len(walls) == reps,
          runs_ms=spread(walls), from_main_ms=spread(inproc), rss_mib_1s_later=spread(rss),
          gl_probed_ms=spread(gl_walls), gl_probed_rss_mib=spread(gl_rss),
          note=f"median of {reps} runs after one warm-up; fork to the end of the first frame "
               "drawn with the status page (GdkFrameClock after-paint), 20 photos in the grid")


# --------------------------------------------------------------------------
# B11: frames and stalls during a bulk sync with the grid shown

def b11(b, ids=("B11a", "B11b"), label="app", limits=(33, 17), series="b11"):
    """B11, or the same under another profile (B16c): its two rows get
    @ids, names starting with @label, the limits @limits (None: report
    only), and its frames go to the plot series @series."""
    n = b.sz["b11_files"]
    files, d = b.photo_dir(n)
    warm_cache(files)
    log(f"B11: frames and stalls of the app during a sync of {n} photos (3 MB), grid shown")
    with Display(os.path.join(b.work, "b11-display")) as disp, b.fake("b11") as fake:
        c = app_client(b, "b11", fake.url, d, auto=False, enabled=True)
        app = App(b, "b11", c, disp)
        try:
            app.wait_first_frame()
            time.sleep(3.0)      # the grid lists the folder, the first thumbnails come
            cpu = fake.cpu().start()
            t0 = time.monotonic()
            c.config("immich_auto_sync", "true")      # what Sync All Photos does
            deadline = t0 + 600
            while time.monotonic() < deadline and b.album_count(fake)[0] < n:
                if app.proc.poll() is not None:    # not 10 minutes of waiting
                    raise RuntimeError(f"the app exited with {app.proc.returncode} "
                                       "during the sync")
                time.sleep(0.1)
            t1 = time.monotonic()
            cpu.stop()
            in_album = b.album_count(fake)[0]
            time.sleep(0.3)
            rec = app.read()
        finally:
            app.stop()
    st = frame_stats(rec, t0, t1)
    log(f"  sync {t1 - t0:.1f} s, {in_album} in the album; {st}")
    # the same sync by the CLI with B6's probe, in the same run: what the
    # machine's load alone makes of a main loop that draws nothing
    with b.fake("b11-cli") as fake:
        cli = Ours(b.builddir, os.path.join(b.work, "b11-cli-client"), fake.url)
        stall = os.path.join(b.work, "b11-cli-stall.json")
        r = b.timed_sync(fake, cli.argv("sync", d), cli.env_with(PBI_STALL_REPORT=stall),
                         "b11-cli", n)
        cli_stall = json.load(open(stall))["max_stall_ms"] if os.path.exists(stall) else None
    b.series[series] = {
        "t0": t0, "t1": t1,
        "frames": [(s - t0, (e - s) * 1000, dr) for s, e, dr in rec["frames"]
                   if t0 - 1 <= s <= t1 + 0.3],
        "stalls": [(t - t0, g) for t, g in rec["stalls"] if t0 - 1 <= t <= t1 + 0.3],
        "files": n,
    }
    valid = in_album == n and st["drawn"] > 0
    stall_lim, frame_lim = limits
    b.add(ids[0], f"{label}: longest main-loop stall during a {n}-photo sync, grid shown",
          st["max_stall_ms"], "ms", *ms_limit(stall_lim),
          peer=cli_stall, peer_label="photobooth-immich sync, same files (B6 probe)",
          ratio=st["max_stall_ms"] / cli_stall if cli_stall else None,
          server_cpu=cpu.pct, peer_server_cpu=r.fake_cpu_pct, valid=valid,
          sync_s=t1 - t0, cli_sync_s=r.wall, stalls_over_33ms=st["stalls_over_33ms"],
          note="5 ms high-priority tick as B6, from the setting that starts the sync to the "
               "last photo in the album; the peer column is the CLI's sync of the same files "
               "in the same run")
    b.add(ids[1], f"{label}: 99th-percentile frame time during a {n}-photo sync, grid shown",
          st["p99_ms"], "ms", *ms_limit(frame_lim), server_cpu=cpu.pct, valid=valid,
          **{k: v for k, v in st.items() if k != "p99_ms"},
          note="frames drawn (GdkSurface::render), flush-events to after-paint of the "
               "GdkFrameClock; a tick callback keeps the clock running")


# --------------------------------------------------------------------------
# B12, B13: scrolling 10,000 captures; RSS after it

def b12_b13(b):
    n = b.sz["b12_captures"]
    pages, page_ms, fling = b.sz["b12_pages"], b.sz["b12_page_ms"], b.sz["b12_fling_s"]
    sources = ensure_24mp(os.path.join(b.data, "pool-24mp"), b.sz["distinct_24mp"])
    d = many_names(sources, os.path.join(b.data, f"names24mp-{n}"), n)
    warm_cache(sources)
    log(f"B12: the grid over {n} captures (24 MP): {pages} pages, one every {page_ms} ms, "
        f"then to the bottom in {fling} s")
    with Display(os.path.join(b.work, "b12-display")) as disp, b.fake("b12") as fake:
        c = app_client(b, "b12", fake.url, d, enabled=False)
        app = App(b, "b12", c, disp, env={"PBI_BENCH_SCROLL": f"{pages} {page_ms} {fling}"})
        try:
            deadline = time.monotonic() + 180 + pages * page_ms / 1000 + fling
            rec = None
            while time.monotonic() < deadline:
                time.sleep(1.0)
                r = app.read()
                if "scroll_end" in r["events"]:
                    rec = r
                    break
            if rec is None:
                raise RuntimeError("the scroll did not end")
            time.sleep(2.0)          # the last screen's thumbnails
            rss, hwm = app.rss_kb()
            rec = app.read()
        finally:
            app.stop()
    ev = rec["events"]
    listed = ev["grid_listed"][0] / 1e6
    page_times = [t / 1e6 for t in ev.get("page", [])]
    s0, s1 = ev["scroll_start"][0] / 1e6, ev["scroll_end"][0] / 1e6
    t_first = page_times[0] if page_times else s0
    st = frame_stats(rec, t_first, s1)
    fling_st = frame_stats(rec, s0, s1)
    pages_st = frame_stats(rec, t_first, s0)
    # the wait for a thumbnail of the cells the page steps brought into view:
    # a cell given another photo before its thumbnail showed counts as never
    tp = [(bd, dn, sh) for bd, dn, sh in rec["thumbs"] if t_first - 0.05 <= bd < s0]
    waits = sorted((dn - bd) * 1000 if sh else float("inf") for bd, dn, sh in tp)
    p95 = percentile(waits, 95) if waits else None
    p95 = None if p95 is not None and p95 == float("inf") else p95
    tf = [(bd, dn, sh) for bd, dn, sh in rec["thumbs"] if s0 <= bd <= s1]
    fling_shown = sum(1 for x in tf if x[2])
    px = ev.get("scroll_pixels", [0])[0]
    log(f"  listed {listed - app.t0:.1f} s after start ({ev['grid_items'][0]} items); "
        f"pages {pages_st}; fling {fling_st}; thumbnail waits p50 "
        f"{percentile(waits, 50)} p95 {p95}; RSS {rss / 1024:.0f} MiB")
    b.series["b12"] = {"frames": [(s - t_first, (e - s) * 1000, dr) for s, e, dr in rec["frames"]
                                  if t_first <= s <= s1]}
    b.add("B12a", f"app: longest frame scrolling the grid over {n} captures", st["max_ms"], "ms",
          "≤ 50 ms", "max", 50, valid=st["drawn"] > 0,
          pages=pages_st, fling=fling_st, fling_px_per_s=px / fling,
          note=f"{pages} page steps every {page_ms} ms then a fling to the bottom in {fling} s "
               "(PBI_BENCH_SCROLL); frames drawn, flush-events to after-paint")
    b.add("B12b", "app: wait until a cell brought into view shows its thumbnail, p95",
          p95, "ms", "p95 ≤ 200 ms", "max", 200, valid=bool(waits),
          cells=len(waits), never_shown=sum(1 for w in waits if w == float("inf")),
          p50_ms=percentile(waits, 50),
          max_shown_ms=max((w for w in waits if w != float("inf")), default=None),
          fling_cells=len(tf), fling_shown=fling_shown,
          fling_shown_waits_p50_ms=percentile([(dn - bd) * 1000 for bd, dn, sh in tf if sh], 50),
          note="cells bound by the page steps (24 MP JPEGs, empty thumbnail cache), from bind "
               "to the thumbnail set; one rebound first counts as never shown")
    b.add("B13", f"app: RSS with {n} captures in the grid after that scroll", rss / 1024, "MiB",
          "≤ 150 MB", "max", 150 * MB / (1 << 20), valid=rss is not None, vmhwm_mib=hwm / 1024,
          note="VmRSS 2 s after the scroll; 150 MB = 143 MiB")


# --------------------------------------------------------------------------
# B14: thumbnails per second, ours against gdk-pixbuf-thumbnailer

def b14(b):
    n = b.sz["b14_files"]
    files = ensure_24mp(os.path.join(b.data, "pool-24mp"), max(n, b.sz["distinct_24mp"]))[:n]
    exe = os.path.join(b.builddir, "bench", "thumb-bench")
    log(f"B14: thumbnails of {n} 24 MP camera JPEGs: ours, then gdk-pixbuf-thumbnailer")
    warm_cache(files)
    reps = 3
    ours = []
    for i in range(reps):
        cache = os.path.join(b.work, f"b14-cache-{i}")
        shutil.rmtree(cache, ignore_errors=True)
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        out = subprocess.run([exe, "320"] + files, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("thumb-bench: " + out.stderr[-400:])
        res = json.loads(out.stdout)
        if res["files"] != n or res["failed"]:
            raise RuntimeError(f"thumb-bench: {res}")
        ours.append(res["seconds"])

    outdir = os.path.join(b.work, "b14-peer")

    def peer(parallel):
        shutil.rmtree(outdir, ignore_errors=True)
        os.makedirs(outdir)
        t0 = time.monotonic()
        running = []
        for i, f in enumerate(files):
            while len(running) >= parallel:
                running = [p for p in running if p.poll() is None]
                if len(running) >= parallel:
                    time.sleep(0.002)
            running.append(subprocess.Popen(["gdk-pixbuf-thumbnailer", "-s", "320", f,
                                             os.path.join(outdir, f"{i}.png")]))
        for p in running:
            p.wait()
        wall = time.monotonic() - t0
        if len(os.listdir(outdir)) != n:
            raise RuntimeError("gdk-pixbuf-thumbnailer made too few thumbnails")
        return wall

    peer1 = [peer(1) for _ in range(reps)]
    peer2 = [peer(2) for _ in range(reps)]
    t_ours = min(ours)
    t_peer = min(min(peer1), min(peer2))
    b.add("B14", f"thumbnails of {n} 24 MP camera JPEGs (320 px, PNG to the cache)", n / t_ours,
          "per s", "≥ 3× the peer", "ratio_min", 3.0, peer=n / t_peer,
          peer_label="gdk-pixbuf-thumbnailer -s 320" + (", 2 at a time"
                                                         if min(peer2) < min(peer1) else ""),
          ratio=t_peer / t_ours, ours_s=spread(ours), peer_one_at_a_time_s=spread(peer1),
          peer_two_at_a_time_s=spread(peer2), best_of=reps,
          note="ours: the app's thumbnailer (worker threads, EXIF preview), empty cache; the "
               "peer: one process per file as file managers run it, one and two at a time "
               "(the better counts); best of 3")


# --------------------------------------------------------------------------
# B15: capture latency with the app

def b15(b):
    n = b.sz["b15_captures"]
    interval = b.sz["b5_interval"]
    sources = b.photos(n)
    log(f"B15: {n} captures of 3 MB, one every {interval:.0f} s: the app, then `watch`")
    with Display(os.path.join(b.work, "b15-display")) as disp:
        b.app_display = disp
        lat, miss, cpu = b.capture_run("app", sources, interval)
    wlat, wmiss, wcpu = b.capture_run("ours", sources, interval)
    b.series["b15"] = {"app": lat, "watch": wlat}
    b.add_latency("B15", f"app: capture latency p{{q}}: file closed → asset in album "
                  f"({n} × 3 MB, 1 per {interval:.0f} s)", (lat, miss, cpu),
                  ((50, 150), (95, 400)),
                  peer=(wlat, wmiss, wcpu), peer_label="photobooth-immich watch (B5)",
                  note="as B5, with the app (Sync on Capture, grid shown) instead of `watch`; "
                       "the peer column is our own `watch` in the same run")
