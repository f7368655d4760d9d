#!/usr/bin/env python3
# test_faults.py: every fault for a capture stream and a bulk sync, nothing lost
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 13, faults. Each fault hits a running `watch` (captures) and a
`sync` of a folder; each case asserts what the user sees (the log line or
the message) and, against the fake's state, that every photo is on the
server exactly once and in the album."""

import json
import os
import pwd
import shutil
import subprocess
import time

from canned import Canned
from pbitest import (KEY, FakeServer, Tool, exactly_once_in_album, make_photo, run_tests,
                     wait_for)

EXIT_OK, EXIT_SOME_FAILED, EXIT_CONNECTION = 0, 1, 3
LOOPS_413 = 25


def log_of(w):
    return open(w.logfile.name, errors="replace").read()


# (name, faults, what the log says, seconds to recover)
SERVER_FAULTS = [
    ("refused", {"down_ms": 4000}, "connection lost", 20),
    ("reset mid-upload", {"drop_mid_body": 2}, None, 20),
    ("500", {"error_5xx": {"count": 3, "status": 500}}, None, 30),
    ("502", {"error_5xx": {"count": 3, "status": 502}}, None, 30),
    ("503 Retry-After 2", {"error_5xx": {"count": 3, "status": 503, "retry_after": 2}}, None, 30),
    ("garbage JSON", {"garbage_json": 2}, None, 20),
    ("captive portal", {"html": 3}, "not as an Immich server", 20),
]


def watch_with(workdir, server, **settings):
    captures = os.path.join(workdir, "captures")
    os.makedirs(captures, exist_ok=True)
    tool = Tool(workdir, server)
    for k, v in settings.items():
        tool.run("config", "set", k, str(v), check=True)
    w = tool.spawn("watch", captures)
    wait_for(lambda: "Watching" in log_of(w), 20, what="watch")
    return tool, w, captures


def test_server_faults_during_captures(workdir):
    server = FakeServer()
    try:
        tool, w, captures = watch_with(workdir, server)
        sums = [make_photo(os.path.join(captures, "first.jpg"))]
        wait_for(lambda: server.state()["assets"] == 1, 20, what="first capture")
        for n, (name, faults, says, recover) in enumerate(SERVER_FAULTS):
            server.faults(**faults)
            for i in range(3):
                sums.append(make_photo(os.path.join(captures, "f%d-%d.jpg" % (n, i))))
                time.sleep(0.2)
            wait_for(lambda: len(server.state()["asset_list"]) == len(sums), recover,
                     what="captures after %s" % name)
            wait_for(lambda: len(server.album_assets("PhotoBooth")) == len(sums), 10,
                     what="album after %s" % name)
            if says:
                assert says in log_of(w), (name, log_of(w)[-2000:])
            server._call("/__fake/reset", {})
        exactly_once_in_album(server, sums)
        out = tool.finish(w)
        assert "Traceback" not in out and "CRITICAL" not in out
    finally:
        server.stop()


def test_server_faults_during_bulk_sync(workdir):
    for n, (name, faults, says, recover) in enumerate(SERVER_FAULTS):
        server = FakeServer()
        try:
            d = os.path.join(workdir, "s%d" % n)
            lib = os.path.join(d, "lib")
            os.makedirs(lib)
            sums = [make_photo(os.path.join(lib, "p%d.jpg" % i), seed=i) for i in range(8)]
            tool = Tool(d, server)
            server.faults(**faults)
            p = tool.run("sync", lib, timeout=120)
            wait_for(lambda: server.state(), 20, what="the fake back")
            assert p.returncode in (EXIT_OK, EXIT_CONNECTION), (name, p.returncode, p.stderr)
            if p.returncode != EXIT_OK:
                # said why, kept the rest queued; the next run sends them
                assert "Error" in p.stderr, (name, p.stderr)
                status = json.loads(tool.run("status", "--json").stdout)
                assert status["pending"] + status["failed"] + len(server.checksums()) >= 8
                time.sleep(recover / 4)
                p = tool.run("sync", lib, timeout=120)
                assert p.returncode == EXIT_OK, (name, p.returncode, p.stderr[-1500:])
            if says:
                assert says in tool.all_output(), (name, tool.all_output()[-2000:])
            exactly_once_in_album(server, sums)
        finally:
            server.stop()


def test_stall_times_out_and_is_retried(workdir):
    server = FakeServer()
    try:
        tool, w, captures = watch_with(workdir, server, immich_idle_timeout=3)
        sums = [make_photo(os.path.join(captures, "a.jpg"))]
        wait_for(lambda: server.state()["assets"] == 1, 20, what="first capture")
        server.faults(stall_ms=60000)
        start = time.monotonic()
        sums.append(make_photo(os.path.join(captures, "b.jpg")))
        wait_for(lambda: server.state()["assets"] == 2, 40, what="the stalled photo, retried")
        assert time.monotonic() - start < 40
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 2, 10, what="album")
        text = log_of(w)
        assert "did not answer" in text or "timed out" in text or "stalled" in text, text[-2000:]
        tool.finish(w)
        exactly_once_in_album(server, sums)

        # the same for a bulk sync
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        sums += [make_photo(os.path.join(lib, "s%d.jpg" % i), seed=100 + i) for i in range(4)]
        server.faults(stall_ms=60000)
        p = tool.run("sync", lib, timeout=120)
        if p.returncode != EXIT_OK:
            p = tool.run("sync", lib, timeout=120)
        assert p.returncode == EXIT_OK, p.stderr[-1500:]
        exactly_once_in_album(server, sums)
    finally:
        server.stop()


def test_413_fails_with_reason_and_is_not_retried_forever(workdir):
    server = FakeServer()
    try:
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        small = make_photo(os.path.join(lib, "small.jpg"), size=20_000)
        make_photo(os.path.join(lib, "big.jpg"), size=600_000)
        server.faults(max_body_bytes=300_000)
        tool = Tool(workdir, server)
        p = tool.run("sync", lib, timeout=120)
        assert p.returncode == EXIT_SOME_FAILED, (p.returncode, p.stderr)
        assert "big.jpg" in p.stdout + p.stderr and "too large" in (p.stdout + p.stderr).lower(), \
            p.stdout + p.stderr
        status = json.loads(tool.run("status", "--json").stdout)
        assert status["failed"] == 1, status
        exactly_once_in_album(server, [small])
        # a watch over the same queue does not hammer the server with it
        before = server.state()["routes"].get("POST /api/assets", 0)
        w = tool.spawn("watch", lib)
        time.sleep(8)
        tool.finish(w)
        after = server.state()["routes"].get("POST /api/assets", 0)
        assert after - before <= 1, "the refused photo was sent %d more times" % (after - before)
        text = tool.run("status").stdout
        assert "big.jpg" in text and "too large" in text.lower(), text
        # the refusal again and again: every answer read, nobody crashes (the
        # fake answers 413 on the headers and lingers, as nginx does; before
        # the client closed such answers itself, libsoup 3.2 crashed with a
        # SIGSEGV in one of these loops nearly every run)
        for i in range(LOOPS_413):
            p = tool.run("retry-failed", check=True)
            assert "1 photo put back in the queue." in p.stdout, (i, p.stdout)
            p = tool.run("sync", lib, timeout=60)
            assert p.returncode == EXIT_SOME_FAILED, (i, p.returncode, p.stderr[-1500:])
            assert "too large" in p.stderr.lower(), (i, p.stderr)
            assert server.proc.poll() is None, "the fake exited %s" % server.proc.returncode
        exactly_once_in_album(server, [small])
    finally:
        server.stop()


def test_retry_failed_says_how_many_and_a_running_watch_takes_them(workdir):
    """`retry-failed` in a second process prints the real count (a MAX()
    that ran the reset twice printed 0) and the running watch sends what
    it put back at once (PbiStore::changed-elsewhere), not at the next
    capture."""
    server = FakeServer()
    try:
        server.faults(max_body_bytes=300_000)
        tool, w, captures = watch_with(workdir, server)
        sums = [make_photo(os.path.join(captures, "small.jpg"), size=20_000)]
        sums += [make_photo(os.path.join(captures, "big%d.jpg" % i), size=600_000)
                 for i in range(2)]
        wait_for(lambda: json.loads(tool.run("status", "--json").stdout)["failed"] == 2, 30,
                 what="the two refused photos failed")
        assert server.state()["assets"] == 1
        server.faults(max_body_bytes=0)
        p = tool.run("retry-failed", check=True)
        assert "2 photos put back in the queue." in p.stdout, p.stdout
        wait_for(lambda: server.state()["assets"] == 3, 10,
                 what="the running watch sending what retry-failed put back")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 3, 10, what="album")
        st = json.loads(tool.run("status", "--json").stdout)
        assert st["failed"] == 0, st
        p = tool.run("retry-failed", check=True)
        assert "0 photos put back in the queue." in p.stdout, p.stdout
        tool.finish(w)
        exactly_once_in_album(server, sums)
    finally:
        server.stop()


def test_key_revoked_and_permission_removed_mid_run(workdir):
    limited = "limited-" + KEY
    server = FakeServer(keys=[KEY, limited + ":album.read,albumAsset.create,user.read,"
                              "apiKey.read,album.create"])
    try:
        tool, w, captures = watch_with(workdir, server)
        sums = [make_photo(os.path.join(captures, "a.jpg"))]
        wait_for(lambda: server.state()["assets"] == 1, 20, what="first capture")

        # revoked: the server no longer knows the key (401 "Invalid API key")
        tool.run("config", "set", "immich_api_key", "-", input="revoked-key-000000\n", check=True)
        time.sleep(2)
        sums.append(make_photo(os.path.join(captures, "b.jpg")))
        wait_for(lambda: "The API key was refused" in log_of(w), 20,
                 what="the refused key said in the watch's log")
        wait_for(lambda: json.loads(tool.run("status", "--json").stdout)["pending"] >= 1, 20,
                 what="the capture queued while the key is refused")
        st = json.loads(tool.run("status", "--json").stdout)
        assert st["failed"] == 0, st
        assert "API key" in tool.run("status").stdout, tool.run("status").stdout
        assert server.state()["assets"] == 1

        # a key lacking asset.upload: 403 naming the permission
        tool.run("config", "set", "immich_api_key", "-", input=limited + "\n", check=True)
        wait_for(lambda: "asset.upload" in log_of(w), 20, what="the missing permission named")
        assert json.loads(tool.run("status", "--json").stdout)["failed"] == 0

        # a good key again: everything goes
        tool.run("config", "set", "immich_api_key", "-", input=KEY + "\n", check=True)
        wait_for(lambda: server.state()["assets"] == 2, 30, what="resumed with the new key")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 2, 10, what="album")
        tool.finish(w)
        exactly_once_in_album(server, sums)
        assert KEY not in tool.all_output() and limited not in tool.all_output()
    finally:
        server.stop()


def test_album_deleted_mid_run(workdir):
    server = FakeServer()
    try:
        tool, w, captures = watch_with(workdir, server)
        sums = [make_photo(os.path.join(captures, "a.jpg"))]
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 1, 20, what="first")
        album = server.album("PhotoBooth")[0]["id"]
        req = __import__("urllib.request").request.Request(
            server.url + "/__fake/albums/" + album, method="DELETE")
        __import__("urllib.request").request.urlopen(req, timeout=10).read()
        assert server.album("PhotoBooth") == []
        for i in range(3):
            sums.append(make_photo(os.path.join(captures, "b%d.jpg" % i)))
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 3, 30,
                 what="the album made again with the new photos")
        tool.finish(w)
        assert len(server.album("PhotoBooth")) == 1
        assert server.state()["assets"] == 4
    finally:
        server.stop()


def test_server_disk_full(workdir):
    enospc = (500, b'{"message":"ENOSPC: no space left on device, write"}', "application/json")
    canned = Canned({("POST", "/api/assets"): enospc})
    try:
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        for i in range(3):
            make_photo(os.path.join(lib, "p%d.jpg" % i))
        tool = Tool(workdir)
        tool.configure(canned.url, KEY)
        p = tool.run("sync", lib, timeout=120)
        assert p.returncode != EXIT_OK
        assert "no space left on device" in p.stdout + p.stderr, p.stdout + p.stderr
        st = json.loads(tool.run("status", "--json").stdout)
        assert st["pending"] + st["failed"] == 3, st
        # room again: all three go
        del canned.overrides[("POST", "/api/assets")]
        tool.run("retry-failed")
        p = tool.run("sync", lib, timeout=120)
        assert p.returncode == EXIT_OK, p.stderr[-1500:]
        st = json.loads(tool.run("status", "--json").stdout)
        assert st["pending"] + st["failed"] == 0, st
        assert canned.requests.count(("POST", "/api/assets")) >= 3
    finally:
        canned.stop()


def test_database_locked_by_the_sqlite_shell_for_10s(workdir):
    server = FakeServer()
    try:
        tool, w, captures = watch_with(workdir, server)
        sums = [make_photo(os.path.join(captures, "a.jpg"))]
        wait_for(lambda: server.state()["assets"] == 1, 20, what="first")
        shell = subprocess.Popen(["sqlite3", tool.db], stdin=subprocess.PIPE, text=True)
        shell.stdin.write("BEGIN IMMEDIATE;\nINSERT INTO settings VALUES('x-lock','1');\n")
        shell.stdin.flush()
        locked_at = time.monotonic()
        for i in range(5):
            sums.append(make_photo(os.path.join(captures, "l%d.jpg" % i)))
            time.sleep(0.5)
        time.sleep(max(0, 10 - (time.monotonic() - locked_at)))
        shell.stdin.write("ROLLBACK;\n.quit\n")
        shell.stdin.close()
        shell.wait(10)
        wait_for(lambda: server.state()["assets"] == 6, 30, what="captures after the lock")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 6, 10, what="album")
        assert w.poll() is None, "watch died while the database was locked"
        out = tool.finish(w)
        assert "CRITICAL" not in out
        exactly_once_in_album(server, sums)
        st = json.loads(tool.run("status", "--json").stdout)
        assert st["pending"] + st["failed"] == 0, st
    finally:
        server.stop()


def test_photo_changed_between_capture_and_upload(workdir):
    server = FakeServer()
    try:
        tool, w, captures = watch_with(workdir, server)
        make_photo(os.path.join(captures, "warm.jpg"))
        wait_for(lambda: server.state()["assets"] == 1, 20, what="first")
        server.faults(down_ms=6000)
        time.sleep(0.5)
        gone = os.path.join(captures, "gone.jpg")
        trunc = os.path.join(captures, "trunc.jpg")
        repl = os.path.join(captures, "repl.jpg")
        empty = os.path.join(captures, "empty.jpg")
        make_photo(gone)
        make_photo(trunc, size=50_000)
        make_photo(repl, seed="first version")
        time.sleep(2)
        os.unlink(gone)
        with open(trunc, "r+b") as f:
            f.truncate(20_000)
        trunc_sum = __import__("pbitest").sha1_of(trunc)
        repl_sum = make_photo(repl + ".tmp", seed="second version")
        os.rename(repl + ".tmp", repl)
        wait_for(lambda: {trunc_sum, repl_sum} <= set(server.checksums()), 40,
                 what="the truncated and the replaced photo, as they are now")
        time.sleep(3)
        tool.finish(w)
        state = server.state()
        names = sorted(a["filename"] for a in state["asset_list"])
        assert names == ["repl.jpg", "trunc.jpg", "warm.jpg"], names
        status = tool.run("status").stdout
        assert "gone.jpg" in status and "does not exist" in status, status
        # a zero-byte file: refused with the reason, never sent
        open(empty, "wb").close()
        p = tool.run("sync-file", empty)
        assert p.returncode == EXIT_SOME_FAILED and "empty (0 bytes)" in p.stderr, p.stderr
        assert "empty (0 bytes)" in tool.run("status").stdout
        assert len(server.state()["asset_list"]) == 3
    finally:
        server.stop()


def test_photo_made_unreadable_between_capture_and_upload(workdir):
    """Root reads any file: the tool runs as nobody (setpriv) so that a
    photo whose read permission is taken away is really unreadable to it."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        raise AssertionError("needs root and setpriv (util-linux) to run the tool as nobody "
                             "(CI runs as root)")
    nobody = pwd.getpwnam("nobody")
    os.chmod(workdir, 0o755)
    os.chown(workdir, nobody.pw_uid, nobody.pw_gid)
    as_nobody = ["setpriv", "--reuid=%d" % nobody.pw_uid, "--regid=%d" % nobody.pw_gid,
                 "--clear-groups", "--"]
    server = FakeServer()
    try:
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        os.chown(captures, nobody.pw_uid, nobody.pw_gid)
        tool = Tool(workdir, server, prefix=as_nobody)
        w = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in log_of(w), 20, what="watch")
        sums = [make_photo(os.path.join(captures, "warm.jpg"))]
        wait_for(lambda: server.state()["assets"] == 1, 20, what="first")

        # the capture stream: taken, then unreadable before it could be sent
        server.faults(down_ms=5000)
        time.sleep(0.5)
        locked = os.path.join(captures, "locked.jpg")
        make_photo(locked)
        sums += [make_photo(os.path.join(captures, "after%d.jpg" % i)) for i in range(2)]
        time.sleep(1.5)
        os.chmod(locked, 0)
        wait_for(lambda: len(server.state()["asset_list"]) == 3, 40,
                 what="the readable captures once the server is back")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 3, 10, what="album")
        wait_for(lambda: "permission denied" in log_of(w).lower(), 20,
                 what="the unreadable photo said")
        assert w.poll() is None, "watch exited"
        tool.finish(w)
        exactly_once_in_album(server, sums)
        st = json.loads(tool.run("status", "--json").stdout)
        assert st["failed"] == 1 and st["pending"] == 0, st
        text = tool.run("status").stdout
        assert "locked.jpg" in text and "permission denied" in text.lower(), text

        # a bulk sync: the unreadable one is named with the reason, the rest go
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        sums += [make_photo(os.path.join(lib, "p%d.jpg" % i), seed=200 + i) for i in range(3)]
        secret = os.path.join(lib, "secret.jpg")
        make_photo(secret, seed="secret")
        os.chmod(secret, 0)
        for name in os.listdir(lib):
            os.chown(os.path.join(lib, name), nobody.pw_uid, nobody.pw_gid)
        os.chown(lib, nobody.pw_uid, nobody.pw_gid)
        p = tool.run("sync", lib, timeout=120)
        assert p.returncode == EXIT_SOME_FAILED, (p.returncode, p.stdout, p.stderr)
        assert "3 uploaded" in p.stdout and "1 failed" in p.stdout, p.stdout
        assert "secret.jpg" in p.stderr and "permission denied" in p.stderr.lower(), p.stderr
        exactly_once_in_album(server, sums)
        assert "secret" not in json.dumps(server.state()["asset_list"])
    finally:
        server.stop()


def test_capture_folder_unmounted_and_mounted_again(workdir):
    if os.geteuid() != 0:
        raise AssertionError("needs root to mount a tmpfs (CI runs as root)")
    server = FakeServer()
    captures = os.path.join(workdir, "usb")
    os.makedirs(captures)
    mounted = False
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "pbi-usb", captures], check=True)
        mounted = True
        tool = Tool(workdir, server)
        w = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in log_of(w), 20, what="watch")
        sums = [make_photo(os.path.join(captures, "a.jpg"))]
        wait_for(lambda: server.state()["assets"] == 1, 20, what="first")
        subprocess.run(["umount", captures], check=True)
        mounted = False
        time.sleep(2)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "pbi-usb", captures], check=True)
        mounted = True
        for i in range(3):
            sums.append(make_photo(os.path.join(captures, "b%d.jpg" % i)))
        wait_for(lambda: server.state()["assets"] == 4, 40, what="captures after the remount")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 4, 10, what="album")
        assert w.poll() is None
        tool.finish(w)
        exactly_once_in_album(server, sums)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", captures])
        server.stop()


def test_database_disk_full(workdir):
    if os.geteuid() != 0:
        raise AssertionError("needs root to mount a tmpfs (CI runs as root)")
    server = FakeServer()
    dbdir = os.path.join(workdir, "dbdisk")
    os.makedirs(dbdir)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "pbi-dbdisk", dbdir], check=True)
    try:
        tool = Tool(workdir)
        tool.db = os.path.join(dbdir, "pb.db")
        tool.configure(server.url, KEY)
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        w = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in log_of(w), 20, what="watch")
        sums = [make_photo(os.path.join(captures, "a.jpg"))]
        wait_for(lambda: server.state()["assets"] == 1, 20, what="first")
        filler = os.path.join(dbdir, "filler")
        subprocess.run(["dd", "if=/dev/zero", "of=" + filler, "bs=64k"], capture_output=True)
        for i in range(5):
            sums.append(make_photo(os.path.join(captures, "full%d.jpg" % i)))
        wait_for(lambda: "the disk is full" in log_of(w), 30, what="the full disk said")
        assert w.poll() is None, "watch died on a full disk"
        os.unlink(filler)
        wait_for(lambda: len(server.state()["asset_list"]) == 6, 60,
                 what="the captures once there is room again")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 6, 20, what="album")
        tool.finish(w)
        exactly_once_in_album(server, sums)
        check = subprocess.run(["sqlite3", tool.db, "PRAGMA integrity_check"],
                               capture_output=True, text=True).stdout.strip()
        assert check == "ok", check
    finally:
        subprocess.run(["umount", "-l", dbdir])
        server.stop()


def test_4gb_file(workdir):
    server = FakeServer()
    try:
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        big = os.path.join(lib, "huge.jpg")
        size = 4 * 1024 ** 3 + 17
        with open(big, "wb") as f:      # sparse: a JPEG start, 4 GiB of holes, an end
            f.write(b"\xff\xd8\xff\xe0")
            f.seek(size - 2)
            f.write(b"\xff\xd9")
        sha = __import__("pbitest").sha1_of(big)
        tool = Tool(workdir, server)
        # the same database, the tool's peak memory measured by time(1)
        timed = Tool(workdir, prefix=["/usr/bin/time", "-v"])
        p = timed.run("sync-file", big, timeout=600)
        assert p.returncode == 0, p.stderr[-1500:]
        rss = [line for line in p.stderr.splitlines() if "Maximum resident set size" in line]
        assert rss, "no figure from /usr/bin/time -v: " + p.stderr[-1500:]
        rss_mb = int(rss[0].rsplit(":", 1)[1]) / 1024
        print("# peak RSS uploading %d bytes: %.1f MB" % (size, rss_mb), flush=True)
        assert rss_mb < 64, "the tool held %.1f MB while streaming the file" % rss_mb
        assets = server.state()["asset_list"]
        assert len(assets) == 1 and assets[0]["checksum"] == sha and assets[0]["size"] == size, \
            assets
        assert len(server.album_assets("PhotoBooth")) == 1
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
