"""Helpers for the command-line acceptance tests: a fake Immich server in a
subprocess, the photobooth-immich tool, photo files, and a small TAP runner.

Everything talks to 127.0.0.1 only.
"""

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

CLI = os.environ.get("PBI_CLI", "photobooth-immich")
# Set by tools/run-sanitizers: the long scenarios run shorter (fewer
# captures, one server family) with every assertion kept, so that they fit
# in the sanitizer build's time.
SHORT = bool(os.environ.get("PBI_TEST_SHORT"))
# The build under test carries ASan+UBSan (tests/meson.build): its programs
# run several times slower, so a test's bound on a time is scaled there.
SANITIZED = os.environ.get("PBI_SANITIZER", "none") not in ("", "none")
FAKE = os.environ.get("PBI_FAKE_IMMICH", "fake-immich")
# Set by tools/run-sanitizers: ASan's shared runtime, which a python3 that
# loads our instrumented library needs preloaded (python_env). Our own
# programs have the runtime linked in and refuse a second copy.
ASAN_PRELOAD = os.environ.get("PBI_ASAN_PRELOAD", "")
# Also set by tools/run-sanitizers: the libraries with thread-local storage
# that our programs would otherwise load with dlopen() (gnutls), preloaded
# for LeakSanitizer's sake; kept in LD_PRELOAD for every child.
TLS_PRELOAD = os.environ.get("PBI_LSAN_PRELOAD", "")
if "PBI_ASAN_OPTIONS" in os.environ:
    # this python3 was started with python_env(): its children run as usual
    os.environ["ASAN_OPTIONS"] = os.environ.pop("PBI_ASAN_OPTIONS")
    if TLS_PRELOAD:
        os.environ["LD_PRELOAD"] = TLS_PRELOAD
    else:
        os.environ.pop("LD_PRELOAD", None)
KEY = "pbi-test-key-5f2c9a7e1d"


class FakeServer:
    def __init__(self, version="3.2.2", keys=None, users=None):
        keys = keys or [KEY]
        args = [FAKE, "--port", "0", "--api-version", version]
        for u in users or []:
            args += ["--user", u]
        for k in keys:
            args += ["--api-key", k]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise RuntimeError("fake-immich did not print its URL: %r" % self.url)

    def _call(self, path, body=None, method=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def state(self):
        return self._call("/__fake/state")

    def faults(self, **faults):
        return self._call("/__fake/faults", faults)

    def album(self, name):
        albums = [a for a in self.state()["albums"] if a["name"] == name]
        return albums

    def album_assets(self, name):
        ids = set()
        for a in self.album(name):
            ids.update(a["assets"])
        return ids

    # the set-up API (tests/fake-immich/README.md, "Control API")
    def create_album(self, name, owner, users=()):
        """An album of `owner` (an email), shared with (email, role) pairs."""
        body = {"name": name, "owner": owner,
                "users": [{"user": u, "role": r} for u, r in users]}
        return self._call("/__fake/albums", body)["id"]

    def share_album(self, album, user, role):
        self._call("/__fake/albums/%s/users" % album, {"user": user, "role": role})

    def unshare_album(self, album, user):
        self._call("/__fake/albums/%s/users/%s" % (album, user), method="DELETE")

    def delete_album(self, album):
        self._call("/__fake/albums/%s" % album, method="DELETE")

    def add_key(self, key, user, permissions=None):
        body = {"key": key, "user": user, "name": key}
        if permissions is not None:
            body["permissions"] = permissions
        self._call("/__fake/keys", body)

    def add_asset(self, sha1, size, filename, owner):
        """An asset "uploaded earlier" by `owner` (an email)."""
        body = {"sha1": sha1, "size": size, "filename": filename, "owner": owner}
        return self._call("/__fake/assets", body)["id"]

    def trash_asset(self, asset):
        self._call("/__fake/assets/%s/trash" % asset, {})

    def remove_asset(self, asset):
        self._call("/__fake/assets/%s" % asset, method="DELETE")

    def reset_routes(self):
        self._call("/__fake/reset-routes", {})

    def routes(self):
        return self.state()["routes"]

    def user_id(self, email):
        return [u["id"] for u in self.state()["users"] if u["email"] == email][0]

    def album_by_id(self, album):
        return [a for a in self.state()["albums"] if a["id"] == album][0]

    def checksums(self):
        return {a["checksum"]: a for a in self.state()["asset_list"]}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Tool:
    """photobooth-immich with a private database."""

    def __init__(self, workdir, server=None, key=KEY, prefix=()):
        self.workdir = workdir
        # e.g. setpriv ... to run the tool as another user
        self.command = list(prefix) + [CLI]
        self.db = os.path.join(workdir, "pb.db")
        self.env = dict(os.environ)
        for var in ("G_DEBUG", "IMMICH_INSTANCE_URL", "IMMICH_API_KEY",
                    "PHOTOBOOTH_IMMICH_DATABASE", "G_MESSAGES_DEBUG"):
            self.env.pop(var, None)
        self.env["HOME"] = workdir
        self.env["XDG_DATA_HOME"] = os.path.join(workdir, "data")
        self.outputs = []
        if server is not None:
            self.configure(server.url, key)

    def configure(self, url, key, album="PhotoBooth", enabled=True):
        self.run("config", "set", "immich_server_url", url, check=True)
        self.run("config", "set", "immich_api_key", "-", input=key + "\n", check=True)
        self.run("config", "set", "immich_album_name", album, check=True)
        self.run("config", "set", "immich_enabled", "true" if enabled else "false", check=True)

    def run(self, *args, check=False, input=None, timeout=180, env=None):
        e = dict(self.env)
        e.update(env or {})
        p = subprocess.run(self.command + ["--database", self.db] + list(args), capture_output=True,
                           text=True, input=input, timeout=timeout, env=e)
        self.outputs.append(p.stdout + p.stderr)
        if check and p.returncode != 0:
            raise AssertionError("%s exited %d:\n%s%s" % (args, p.returncode, p.stdout, p.stderr))
        return p

    def spawn(self, *args, env=None):
        e = dict(self.env)
        e.update(env or {})
        log = open(os.path.join(self.workdir, "spawn-%d.log" % len(self.outputs)), "w+")
        p = subprocess.Popen(self.command + ["--database", self.db] + list(args), stdout=log,
                             stderr=subprocess.STDOUT, text=True, env=e)
        p.logfile = log
        return p

    def finish(self, p, sig=signal.SIGTERM):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        p.logfile.seek(0)
        out = p.logfile.read()
        self.outputs.append(out)
        return out

    def sql(self, statement):
        return subprocess.run(["sqlite3", self.db, statement], capture_output=True, text=True,
                              check=True).stdout

    def all_output(self):
        text = "\n".join(self.outputs)
        log = os.path.join(os.path.dirname(self.db), "photobooth-immich.log")
        if os.path.exists(log):
            text += open(log).read()
        return text


def make_photo(path, size=40_000, seed=None):
    rnd = random.Random(seed if seed is not None else path)
    data = b"\xff\xd8\xff\xe0" + rnd.randbytes(size - 6) + b"\xff\xd9"
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha1(data).hexdigest()


def sha1_of(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def exactly_once_in_album(server, sums, album="PhotoBooth"):
    """The server holds each of SUMS (SHA1s) exactly once, nothing else, and
    every asset it holds is in ALBUM."""
    state = server.state()
    on_server = [a["checksum"] for a in state["asset_list"]]
    assert sorted(on_server) == sorted(sums), \
        "server holds %d, expected %d (duplicates or missing)" % (len(on_server), len(sums))
    ids = {a["id"] for a in state["asset_list"]}
    assert server.album_assets(album) == ids, "not every photo is in the album"


def wait_for(predicate, timeout, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (ConnectionError, urllib.error.URLError):
            # the fake's control API is down with the rest of the fake (down_ms):
            # its listener comes back a moment after the fault's nominal end
            value = None
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))


def python_env(env=None):
    """The environment for a python3 that loads our library (env, or ours)."""
    env = dict(os.environ if env is None else env)
    if ASAN_PRELOAD:
        env["LD_PRELOAD"] = " ".join(filter(None, (ASAN_PRELOAD, TLS_PRELOAD)))
        env["PBI_ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "")
        # the interpreter leaves most of its objects to the exit: no leak check
        # in it (our library's paths are leak-checked in the C tests)
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    return env


def load_asan_runtime():
    """In the sanitizer build, restarts this python3 with ASan's runtime
    preloaded unless it is loaded; call before importing our library."""
    if ASAN_PRELOAD:
        with open("/proc/self/maps") as maps:
            if os.path.realpath(ASAN_PRELOAD) not in maps.read():
                os.execve(sys.executable, [sys.executable] + sys.argv, python_env())


class Skip(Exception):
    """Raised by a test that cannot run here (reported as TAP SKIP, never as a pass)."""


def print_logs(workdir, tail=60):
    """After a failure: the last lines of what the spawned programs wrote."""
    for name in sorted(os.listdir(workdir)):
        if name.endswith(".log"):
            with open(os.path.join(workdir, name), errors="replace") as f:
                lines = f.read().splitlines()[-tail:]
            print("# --- %s (last %d lines) ---" % (name, len(lines)), flush=True)
            for line in lines:
                print("# " + line, flush=True)


def run_tests(namespace):
    """Runs every test_* function of the module, printing TAP."""
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    only = os.environ.get("PBI_TEST_ONLY")
    if only:
        tests = [(n, f) for n, f in tests if only in n]
    print("1..%d" % len(tests), flush=True)
    failed = 0
    for i, (name, func) in enumerate(tests, 1):
        workdir = tempfile.mkdtemp(prefix="pbi-cli-")
        start = time.monotonic()
        try:
            func(workdir)
        except Skip as why:
            print("ok %d - %s # SKIP %s" % (i, name, why), flush=True)
            shutil.rmtree(workdir, ignore_errors=True)
            continue
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, name), flush=True)
            for line in traceback.format_exc().splitlines():
                print("# " + line, flush=True)
            print_logs(workdir)
        else:
            print("ok %d - %s (%.1f s)" % (i, name, time.monotonic() - start), flush=True)
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failed else 0)
