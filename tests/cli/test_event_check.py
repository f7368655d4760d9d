#!/usr/bin/env python3
"""Acceptance: photobooth-immich check, the readiness check before an event
(issue 11), in each route family: ready, a missing permission, a throttled
link, a full disk, a wrong clock (the fake's Date header moved), test photos
that may not be deleted."""

import os
import subprocess
import time

from eventtest import FAMILIES, control, row, run_json, setup, vt
from pbitest import KEY, Skip, run_tests


def check_ready(workdir, version):
    server, tool, capture, _ = setup(workdir, version, sizes=[30_000, 40_000, 50_000])
    try:
        start = time.monotonic()
        p, rep = run_json(tool, "check", "--burst", "2")
        elapsed = time.monotonic() - start
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
        assert rep["verdict"] == "ready", rep
        assert elapsed < 30, elapsed
        assert rep["serverVersion"] == version
        assert rep["user"].endswith("<photobooth@example.com>"), rep["user"]
        # the median capture is the test photo's size
        assert rep["typicalSize"] == 40_000, rep["typicalSize"]
        assert row(rep, "server")["status"] == "ok"
        # a key's permissions can be read from 2.0 on
        assert row(rep, "permissions")["status"] == ("skipped" if vt(version) < (2, 0) else "ok")
        assert row(rep, "album")["status"] == "ok"
        assert row(rep, "album")["figure"] == '"PhotoBooth" made'
        assert row(rep, "album-write")["status"] == "ok"
        up = row(rep, "upload")
        assert up["status"] == "ok", up
        assert rep["testPhotos"] >= 2 and rep["photosPerMinute"] > 0, rep
        assert "this link uploads about %d photos a minute" % round(rep["photosPerMinute"]) \
            in up["figure"], up["figure"]
        assert row(rep, "booth-disk")["status"] == "ok"
        assert row(rep, "server-disk")["status"] == "ok"
        assert rep["serverFreePhotos"] > 1000
        assert row(rep, "clock")["status"] == "ok" and abs(rep["clockSkewSeconds"]) <= 2
        # the test photos are gone from the album and from the server
        assert rep["testPhotosRemoved"] == "deleted"
        state = server.state()
        assert state["asset_list"] == [], state["asset_list"][:3]
        assert server.album_assets("PhotoBooth") == set()
        assert state["uploads"] == rep["testPhotos"]
        # nothing of the capture folder was uploaded, and it is untouched
        assert sorted(os.listdir(capture)) == ["IMG_0000.jpg", "IMG_0001.jpg", "IMG_0002.jpg"]

        # the same in words
        p = tool.run("check", "--burst", "1")
        assert p.returncode == 0, p.stdout + p.stderr
        assert "this link uploads about" in p.stdout and "Verdict: ready" in p.stdout, p.stdout
        assert "deleted from the server for good" in p.stdout, p.stdout
        assert '"PhotoBooth" found' in p.stdout, p.stdout
    finally:
        server.stop()


def check_missing_permission(workdir, version):
    # everything but albumAsset.create (asset.delete so the test photos go)
    perms = "asset.upload,album.read,album.create,user.read,asset.delete"
    server, tool, _, _ = setup(workdir, version, keys=["limited:" + perms], key="limited")
    try:
        p, rep = run_json(tool, "check", "--burst", "1")
        assert p.returncode == 3, (p.returncode, p.stdout, p.stderr)
        assert rep["verdict"] == "not ready", rep
        assert rep["missingPermissions"] == ["albumAsset.create"], rep["missingPermissions"]
        # with guest sharing on, the shared link's permission is needed too
        tool.run("config", "set", "immich_guest_sharing", "true", check=True)
        p, rep2 = run_json(tool, "check", "--burst", "1")
        assert p.returncode == 3
        assert rep2["missingPermissions"] == ["albumAsset.create", "sharedLink.create"], rep2
        assert "sharedLink.create (there is no guest link or QR code)" in row(rep2, "permissions")["figure"]
        perm = row(rep, "permissions")
        assert perm["status"] == "failed"
        assert "albumAsset.create (photos cannot be put in albums: they fail)" in perm["figure"], perm
        assert "albumAsset.create" in perm["advice"], perm
        # the upload test found the same
        assert row(rep, "album-write")["status"] == "failed"
        assert rep["testPhotosRemoved"] == "deleted"
        assert server.state()["asset_list"] == []
    finally:
        server.stop()


def check_wrong_key(workdir, version):
    server, tool, _, _ = setup(workdir, version, keys=[KEY], key="not-the-key")
    try:
        p, rep = run_json(tool, "check", "--burst", "1")
        assert p.returncode == 3, (p.returncode, p.stdout, p.stderr)
        assert rep["verdict"] == "not ready"
        srv = row(rep, "server")
        assert srv["status"] == "failed" and "immich_api_key" in srv["advice"], srv
        assert server.state()["uploads"] == 0
    finally:
        server.stop()


def check_throttled(workdir, version):
    server, tool, _, _ = setup(workdir, version)
    try:
        server.faults(latency_ms=2000)
        start = time.monotonic()
        p, rep = run_json(tool, "check", "--burst", "1", timeout=60)
        elapsed = time.monotonic() - start
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert rep["verdict"] == "ready with warnings", rep
        up = row(rep, "upload")
        assert up["status"] == "warning", up
        assert "slow" in up["advice"], up
        # every answer waits 2 s: an upload and its album add take 4 s
        assert rep["latencyMs"] >= 3500, rep["latencyMs"]
        assert elapsed <= 30, elapsed
        server.faults(latency_ms=0)
        assert server.state()["asset_list"] == []
    finally:
        server.stop()


def check_full_disk(workdir, version):
    disk = os.path.join(workdir, "disk")
    os.makedirs(disk)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise Skip("cannot mount a small tmpfs here: " + p.stderr.strip())
    server = None
    try:
        os.makedirs(os.path.join(disk, "data"))
        server, tool, _, _ = setup(os.path.join(disk, "data"), version, photos=1,
                                   capture=os.path.join(disk, "captures"))
        # fill the disk but about 200 kB: five photos' worth
        st = os.statvfs(disk)
        with open(os.path.join(disk, "filler"), "wb") as f:
            f.write(b"\0" * (st.f_bavail * st.f_frsize - 200_000))
        p, rep = run_json(tool, "check", "--burst", "1")
        assert p.returncode == 3, (p.returncode, p.stdout, p.stderr)
        assert rep["verdict"] == "not ready", rep
        booth = row(rep, "booth-disk")
        assert booth["status"] == "failed", booth
        assert 0 <= rep["boothFreePhotos"] < 10, rep["boothFreePhotos"]
        # the rest still ran
        assert row(rep, "upload")["status"] == "ok"
        assert row(rep, "server")["status"] == "ok"
    finally:
        if server is not None:
            server.stop()
        subprocess.run(["umount", "-l", disk], check=False)


def test_check_cannot_delete_test_photos_3x(workdir):
    perms = "asset.upload,album.read,album.create,albumAsset.create,albumAsset.delete,user.read"
    server, tool, _, _ = setup(workdir, "3.1.0", keys=["nodelete:" + perms], key="nodelete")
    try:
        p, rep = run_json(tool, "check", "--burst", "1")
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert rep["verdict"] == "ready with warnings"
        assert rep["testPhotosRemoved"] == "kept"
        assert row(rep, "permissions")["status"] == "warning"
        assert "asset.delete" in row(rep, "permissions")["figure"]
        # server.storage missing too: the server's free space is not known, and not a failure
        assert row(rep, "server-disk")["status"] == "skipped"
        assert "server.storage" in row(rep, "server-disk")["advice"]
        # out of the album, still on the server, and the tool says so
        state = server.state()
        assert len(state["asset_list"]) == rep["testPhotos"]
        assert server.album_assets("PhotoBooth") == set()
        p = tool.run("check", "--burst", "1")
        assert "left on the server" in p.stdout, p.stdout
    finally:
        server.stop()


def check_viewer_album(workdir, version):
    """The event album is another user's, shared with us read-only: as the sync
    itself does, the check makes the key's user their own album of that name,
    and warns."""
    server, tool, _, _ = setup(workdir, version)
    try:
        control(server, "POST", "/__fake/users", {"email": "bob@example.com", "name": "Bob"})
        bobs = control(server, "POST", "/__fake/albums",
                       {"name": "PhotoBooth", "owner": "bob@example.com",
                        "users": [{"user": "photobooth@example.com", "role": "viewer"}]})["id"]
        p, rep = run_json(tool, "check", "--burst", "1")
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert rep["verdict"] == "ready with warnings"
        album = row(rep, "album")
        assert album["status"] == "warning", album
        assert "bob@example.com" in album["figure"] and "read-only" in album["figure"], album
        assert "editor" in album["advice"], album
        assert row(rep, "album-write")["status"] == "ok"
        albums = server.album("PhotoBooth")
        assert len(albums) == 2, albums
        assert [a for a in albums if a["id"] == bobs][0]["assets"] == []
        # the test photos are gone again
        assert server.state()["asset_list"] == []
        assert server.album_assets("PhotoBooth") == set()
    finally:
        server.stop()


def check_clock_skew(workdir, version):
    server, tool, _, _ = setup(workdir, version)
    try:
        # the booth's clock 5 minutes behind the server's (the server's Date
        # header 5 minutes ahead: what the booth measures is the same)
        server.faults(clock_offset_s=300)
        p, rep = run_json(tool, "check", "--burst", "1")
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        assert rep["verdict"] == "ready with warnings"
        clock = row(rep, "clock")
        assert clock["status"] == "warning", clock
        assert 295 <= -rep["clockSkewSeconds"] <= 305, rep["clockSkewSeconds"]
        assert "behind" in clock["figure"] and "timedatectl" in clock["advice"], clock
        # a minute off is within what the check lets pass
        server.faults(clock_offset_s=-60)
        p, rep = run_json(tool, "check", "--burst", "1")
        assert p.returncode == 0 and row(rep, "clock")["status"] == "ok", rep
        assert 55 <= rep["clockSkewSeconds"] <= 65, rep["clockSkewSeconds"]
    finally:
        server.stop()


for _v in FAMILIES:
    _s = _v.replace(".", "_")
    globals()["test_check_ready_" + _s] = (lambda v: lambda w: check_ready(w, v))(_v)
    globals()["test_check_throttled_" + _s] = (lambda v: lambda w: check_throttled(w, v))(_v)
    globals()["test_check_full_disk_" + _s] = (lambda v: lambda w: check_full_disk(w, v))(_v)
    globals()["test_check_wrong_key_" + _s] = (lambda v: lambda w: check_wrong_key(w, v))(_v)
    globals()["test_check_clock_skew_" + _s] = (lambda v: lambda w: check_clock_skew(w, v))(_v)
    if vt(_v) >= (2, 0):
        # keys carry permissions from 1.116
        globals()["test_check_viewer_album_" + _s] = \
            (lambda v: lambda w: check_viewer_album(w, v))(_v)
        globals()["test_check_missing_permission_" + _s] = \
            (lambda v: lambda w: check_missing_permission(w, v))(_v)


if __name__ == "__main__":
    run_tests(globals())
