# benchlib.py: processes, the fake server, a byte-counting proxy and test data
# for bench/bench.py.
#
# Copyright 2026 The PhotoBooth Immich Sync authors
# SPDX-License-Identifier: GPL-3.0-or-later

import asyncio
import hashlib
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")
API_KEY = "benchkey0123456789abcdef"


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------
# /proc

def proc_cpu_seconds(pid):
    """utime + stime of @pid (all threads) in seconds, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # rest[0] is field 3 (state); utime is field 14, stime field 15
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def proc_io(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/io") as f:
            for line in f:
                k, v = line.split(":")
                out[k.strip()] = int(v)
    except OSError:
        return None
    return out


def proc_status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def busy_cpu_pct(seconds=1.0):
    """How busy the machine is (all cores, % of one core) over @seconds."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[0] + v[1] + v[2] + v[5] + v[6] + v[7], sum(v)
    b0, t0 = snap()
    time.sleep(seconds)
    b1, t1 = snap()
    return 100.0 * os.cpu_count() * (b1 - b0) / max(1, t1 - t0)


def drop_caches():
    """Empty the page cache; returns True when the kernel let us."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def warm_cache(paths):
    buf = bytearray(1 << 20)
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while f.readinto(buf):
                pass


class CpuMeter:
    """CPU used by a process between start() and stop(), as % of one core."""

    def __init__(self, pid):
        self.pid = pid

    def start(self):
        self.t0 = time.monotonic()
        self.c0 = proc_cpu_seconds(self.pid)
        return self

    def stop(self):
        self.wall = time.monotonic() - self.t0
        c1 = proc_cpu_seconds(self.pid)
        self.cpu = (c1 - self.c0) if c1 is not None and self.c0 is not None else None
        self.pct = 100.0 * self.cpu / self.wall if self.cpu is not None and self.wall > 0 else None
        return self


class Sampler(threading.Thread):
    """Polls a function every @interval seconds; keeps (t, value) pairs."""

    def __init__(self, fn, interval=0.2):
        super().__init__(daemon=True)
        self.fn = fn
        self.interval = interval
        self.samples = []
        self._halt = threading.Event()

    def run(self):
        t0 = time.monotonic()
        while not self._halt.is_set():
            v = self.fn()
            if v is not None:
                self.samples.append((time.monotonic() - t0, v))
            self._halt.wait(self.interval)

    def finish(self):
        self._halt.set()
        self.join()
        return self.samples


# --------------------------------------------------------------------------
# Running a measured command

class Result:
    pass


def run_measured(argv, env=None, cwd=None, log_path=None, sample=None, timeout=None):
    """Runs @argv to completion; returns wall time, exit code, peak RSS (VmHWM
    polled every ~5 ms), CPU seconds (wait4), and the output (in @log_path)."""
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    sampler = None
    if sample is not None:
        sampler = Sampler(sample, 0.1)
        sampler.start()
    deadline = t0 + timeout if timeout else None
    hwm = 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid != 0:
            break
        # VmHWM, not wait4's ru_maxrss: the kernel carries the forking
        # Python's RSS over exec into ru_maxrss
        hwm = max(hwm, proc_status_kb(p.pid, "VmHWM") or 0)
        if deadline and time.monotonic() > deadline:
            p.kill()
        time.sleep(0.005)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if log_path:
        out.close()
    r = Result()
    r.argv = argv
    r.wall = wall
    r.rc = p.returncode
    r.maxrss_kb = hwm               # polled every ~5 ms; VmHWM only grows
    r.ru_maxrss_kb = ru.ru_maxrss
    r.cpu = ru.ru_utime + ru.ru_stime
    r.samples = sampler.finish() if sampler else []
    r.output = open(log_path, errors="replace").read() if log_path else ""
    return r


# --------------------------------------------------------------------------
# The fake Immich server

class Fake:
    def __init__(self, builddir, workdir, version="3.2.2"):
        self.exe = os.path.join(builddir, "tests", "fake-immich", "fake-immich")
        self.workdir = workdir
        self.version = version
        self.extra_args = []

    def __enter__(self):
        os.makedirs(self.workdir, exist_ok=True)
        self.err = open(os.path.join(self.workdir, "fake-immich.err"), "wb")
        # (--port last: a `pkill -f "fake-immich --port 0"` elsewhere must
        # not stop the benchmark's servers)
        self.proc = subprocess.Popen([self.exe, "--api-key", API_KEY,
                                      "--api-version", self.version, *self.extra_args,
                                      "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=self.err)
        self.url = self.proc.stdout.readline().decode().strip()
        if not self.url.startswith("http"):
            raise RuntimeError("fake-immich did not start")
        u = urllib.parse.urlparse(self.url)
        self.host, self.port = u.hostname, u.port
        self.pid = self.proc.pid
        self._conn = None
        return self

    def __exit__(self, *exc):
        rc = self.proc.poll()
        if rc is not None:
            log(f"WARNING fake-immich in {self.workdir} had exited with {rc} "
                f"({'signal ' + str(-rc) if rc < 0 else 'status'}) before the end of its run")
            self.err.close()
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.err.close()

    def state(self):
        """GET /__fake/state over a kept-alive connection (cheap to poll)."""
        for attempt in (0, 1):
            try:
                if self._conn is None:
                    self._conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self._conn.request("GET", "/__fake/state")
                resp = self._conn.getresponse()
                return json.loads(resp.read())
            except (OSError, http.client.HTTPException):
                self._conn = None
                if attempt:
                    raise

    def album(self, name):
        st = self.state()
        for a in st["albums"]:
            if a["name"] == name:
                return a, st
        return None, st

    @staticmethod
    def rchar():
        """Bytes through the loopback interface so far (the fake's own
        counters miss socket reads: GSocket uses recv(), which rchar does not
        count). Free to poll; other loopback traffic on the machine adds in."""
        try:
            with open("/sys/class/net/lo/statistics/rx_bytes") as f:
                return int(f.read())
        except OSError:
            return None

    def cpu(self):
        return CpuMeter(self.pid)


# --------------------------------------------------------------------------
# A byte-counting TCP proxy on 127.0.0.1

class Proxy(threading.Thread):
    def __init__(self, target_host, target_port):
        super().__init__(daemon=True)
        self.target = (target_host, target_port)
        self.up = 0      # client -> server
        self.down = 0    # server -> client
        self.connections = 0
        self._ready = threading.Event()

    def run(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self._ready.set()
        self.loop.run_forever()

    async def _start(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _pipe(self, reader, writer, up):
        try:
            while True:
                data = await reader.read(1 << 18)
                if not data:
                    break
                if up:
                    self.up += len(data)
                else:
                    self.down += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def _handle(self, creader, cwriter):
        self.connections += 1
        try:
            sreader, swriter = await asyncio.open_connection(*self.target)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(self._pipe(creader, swriter, True),
                             self._pipe(sreader, cwriter, False))

    def __enter__(self):
        self.start()
        self._ready.wait()
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.join(5)

    def reset(self):
        self.up = self.down = self.connections = 0

    @property
    def total(self):
        return self.up + self.down


# --------------------------------------------------------------------------
# Test data

def _tiny_jpeg():
    """A small real JPEG with an EXIF capture date (PIL when present), else a
    bare SOI/EOI pair."""
    try:
        from PIL import Image
        img = Image.new("RGB", (64, 48), (200, 120, 40))
        exif = Image.Exif()
        exif[0x0132] = "2026:11:25 12:00:00"          # DateTime
        exif[0x8769] = {0x9003: "2026:11:25 12:00:00"}  # DateTimeOriginal
        buf = io.BytesIO()
        try:
            img.save(buf, "JPEG", quality=80, exif=exif)
        except Exception:
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=80)
        return buf.getvalue()
    except ImportError:
        return b"\xff\xd8\xff\xd9"


_TINY = None


def jpeg_bytes(size, rng):
    """About @size bytes of JPEG: a real small JPEG (SOI, APP segments) with
    random-content COM segments spliced in before the image data."""
    global _TINY
    if _TINY is None:
        _TINY = _tiny_jpeg()
    tiny = _TINY
    # split after SOI and the APPn segments
    pos = 2
    while pos + 4 <= len(tiny) and tiny[pos] == 0xFF and 0xE0 <= tiny[pos + 1] <= 0xEF:
        pos += 2 + int.from_bytes(tiny[pos + 2:pos + 4], "big")
    head, tail = tiny[:pos], tiny[pos:]
    out = bytearray(head)
    remaining = max(0, size - len(tiny))
    while remaining > 4:
        n = min(65533, remaining - 4)
        out += b"\xff\xfe" + (n + 2).to_bytes(2, "big") + rng.randbytes(n)
        remaining -= n + 4
    out += tail
    return bytes(out)


def mp4_bytes_to(path, size, rng):
    """Writes an MP4-looking file of @size bytes (ftyp box, one big mdat)."""
    ftyp = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    with open(path, "wb") as f:
        f.write(ftyp)
        body = size - len(ftyp) - 16
        f.write((1).to_bytes(4, "big") + b"mdat" + (body + 16).to_bytes(8, "big"))
        chunk = rng.randbytes(8 << 20)
        written = 0
        i = 0
        while written < body:
            n = min(len(chunk), body - written)
            # vary each chunk so the content is not periodic
            f.write(i.to_bytes(8, "big") + chunk[8:n] if n > 8 else chunk[:n])
            written += n
            i += 1


def ensure_photos(directory, count, size, seed):
    """The first @count of a pool of distinct JPEGs of @size bytes in
    @directory; files already there with the right size are reused, so a
    --quick run's files are the first ones of a full run's."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    made = 0
    for i in range(count):
        path = os.path.join(directory, f"IMG_{i:05d}.jpg")
        paths.append(path)
        try:
            if os.path.getsize(path) == size:
                continue
        except OSError:
            pass
        if made == 0:
            log(f"generating files of {size} bytes in {directory}")
        rng = random.Random(seed * 1000003 + i)
        data = jpeg_bytes(size, rng)
        data = data[:size] if len(data) >= size else data + b"\0" * (size - len(data))
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
        made += 1
    if made:
        log(f"generated {made} files")
        os.sync()   # no writeback of fresh test data during the measurements
    return paths


def link_subset(src_files, directory):
    """A folder holding hard links to @src_files (for smaller runs)."""
    names = [os.path.basename(p) for p in src_files]
    if os.path.isdir(directory) and sorted(os.listdir(directory)) == sorted(names):
        return sorted_files(directory)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for p in src_files:
        os.link(p, os.path.join(directory, os.path.basename(p)))
    return sorted_files(directory)


def sorted_files(directory):
    return sorted(os.path.join(directory, n) for n in os.listdir(directory)
                  if not n.startswith("."))


def sha1_file(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ms_limit(lim):
    """A row's target, kind and limit for Bench.add: "at most @lim ms", or
    report only when @lim is None."""
    return (f"≤ {lim} ms", "max", lim) if lim else ("report", "report", None)


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)
