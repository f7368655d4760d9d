#!/usr/bin/env python3
"""Acceptance: a photo counts as synced only when its asset is on the server,
out of the trash and in every album it must be in (issue 15). A trashed copy
that cannot be restored, an album add that is refused, an asset that vanished
after its upload: each makes the photo fail with the reason, kept for retry,
never counted as uploaded or duplicate; `sync` exits 1. And `test-connection`
names each missing permission with what fails without it.

Keys hold the README's minimal permissions (or one less); the fake enforces
permissions per route as the real server does (from 1.116, so 2.0.1 and
3.1.0 here; 1.x keys may do everything their user may).
"""

import json
import os

from pbitest import KEY, FakeServer, Tool, make_photo, run_tests

ME = "photobooth@example.com"
REQUIRED = ["asset.upload", "user.read", "album.read", "album.create", "albumAsset.create"]
README_MINIMAL = REQUIRED + ["asset.delete"]
SCOPED = ["2.0.1", "3.1.0"]
EXIT_SOME_FAILED, EXIT_CONNECTION = 1, 3


def server_for(version, perms):
    spec = KEY + (":" + ",".join(perms) if perms else "") + "@" + ME
    return FakeServer(version, users=[ME + ":Booth"], keys=[spec])


def status(tool):
    return json.loads(tool.run("status", "--json", check=True).stdout)


def trashed_copy(server, path, sha1):
    asset = server.add_asset(sha1, os.path.getsize(path), os.path.basename(path), ME)
    server.trash_asset(asset)
    return asset


def asset_state(server, asset):
    return [a for a in server.state()["asset_list"] if a["id"] == asset][0]


def test_trashed_copy_without_restore_permission(workdir):
    for version in SCOPED:
        sub = os.path.join(workdir, version)
        lib = os.path.join(sub, "library")
        os.makedirs(lib)
        server = server_for(version, REQUIRED)   # no asset.delete
        try:
            photo = os.path.join(lib, "kept.jpg")
            asset = trashed_copy(server, photo, make_photo(photo))
            tool = Tool(sub, server)
            p = tool.run("sync", lib, timeout=60)
            assert p.returncode == EXIT_SOME_FAILED, (version, p.returncode, p.stdout, p.stderr)
            assert "0 uploaded, 0 duplicates, 1 failed" in p.stdout, p.stdout
            assert photo in p.stderr and "trash" in p.stderr and "asset.delete" in p.stderr, \
                p.stderr
            st = status(tool)
            assert (st["uploaded"], st["duplicates"], st["failed"]) == (0, 0, 1), st
            [failure] = st["failures"]
            assert failure["path"] == photo and failure["state"] == "failed", failure
            assert "asset.delete" in failure["error"] and "trash" in failure["error"], failure
            assert asset_state(server, asset)["isTrashed"] is True
            assert server.album("PhotoBooth") == [] or \
                all(asset not in a["assets"] for a in server.album("PhotoBooth"))

            # the key gets the permission: the same photo now syncs
            server.add_key("restore-key-0123456789", ME, README_MINIMAL)
            tool.run("config", "set", "immich_api_key", "-", input="restore-key-0123456789\n",
                     check=True)
            p = tool.run("sync", lib, timeout=60)
            assert p.returncode == 0, (version, p.returncode, p.stdout, p.stderr)
            assert "0 uploaded, 1 duplicates, 0 failed" in p.stdout, p.stdout
            assert asset_state(server, asset)["isTrashed"] is False
            [album] = server.album("PhotoBooth")
            assert album["assets"] == [asset], album
            st = status(tool)
            assert (st["uploaded"], st["duplicates"], st["failed"]) == (0, 1, 0), st
        finally:
            server.stop()


def test_trashed_copy_restored_before_1_106(workdir):
    # before 1.106 the bulk check does not say a copy is in the trash: every
    # duplicate is restored (a no-op for one that is not)
    lib = os.path.join(workdir, "library")
    os.makedirs(lib)
    server = server_for("1.94.0", None)
    try:
        photo = os.path.join(lib, "kept.jpg")
        asset = trashed_copy(server, photo, make_photo(photo))
        other = os.path.join(lib, "fresh.jpg")
        make_photo(other)
        tool = Tool(workdir, server)
        p = tool.run("sync", lib, timeout=60)
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
        assert "1 uploaded, 1 duplicates, 0 failed" in p.stdout, p.stdout
        assert asset_state(server, asset)["isTrashed"] is False
        [album] = server.album("PhotoBooth")
        assert asset in album["assets"] and len(album["assets"]) == 2, album
    finally:
        server.stop()


def test_album_add_refused(workdir):
    for version in SCOPED:
        sub = os.path.join(workdir, version)
        lib = os.path.join(sub, "library")
        os.makedirs(lib)
        server = server_for(version, [p for p in README_MINIMAL if p != "albumAsset.create"])
        try:
            for n in ("a.jpg", "b.jpg"):
                make_photo(os.path.join(lib, n))
            tool = Tool(sub, server)
            p = tool.run("sync", lib, timeout=60)
            assert p.returncode == EXIT_SOME_FAILED, (version, p.returncode, p.stdout, p.stderr)
            assert "0 uploaded, 0 duplicates, 2 failed" in p.stdout, p.stdout
            assert "albumAsset.create" in p.stderr, p.stderr
            st = status(tool)
            assert (st["uploaded"], st["duplicates"], st["failed"]) == (0, 0, 2), st
            assert all("albumAsset.create" in f["error"] for f in st["failures"]), st
            # the photos are on the server, but not synced: they stay queued
            assert server.state()["assets"] == 2
        finally:
            server.stop()


def test_asset_vanished_after_upload(workdir):
    for version in ["1.94.0"] + SCOPED:
        sub = os.path.join(workdir, version)
        lib = os.path.join(sub, "library")
        os.makedirs(lib)
        server = server_for(version, None if version.startswith("1.") else README_MINIMAL)
        try:
            photo = os.path.join(lib, "gone.jpg")
            make_photo(photo)
            tool = Tool(sub, server)
            p = tool.run("sync", lib, timeout=60)
            assert p.returncode == 0 and "1 uploaded" in p.stdout, (p.stdout, p.stderr)
            [first] = server.state()["asset_list"]
            server.remove_asset(first["id"])   # deleted for good on the server

            # the photo should now also go into "Extra": its asset is gone
            p = tool.run("sync-file", photo, "--album", "Extra", timeout=60)
            assert p.returncode == EXIT_SOME_FAILED, (version, p.returncode, p.stdout, p.stderr)
            assert "0 uploaded, 0 duplicates, 1 failed" in p.stdout, p.stdout
            assert "no longer has it" in p.stderr and photo in p.stderr, p.stderr
            st = status(tool)
            assert (st["uploaded"], st["duplicates"], st["failed"]) == (1, 0, 1), st

            # the retry uploads it again, into both albums
            p = tool.run("sync-file", photo, "--album", "Extra", timeout=60)
            assert p.returncode == 0 and "1 uploaded, 0 duplicates, 0 failed" in p.stdout, \
                (version, p.returncode, p.stdout, p.stderr)
            [again] = server.state()["asset_list"]
            assert again["id"] != first["id"]
            for name in ("PhotoBooth", "Extra"):
                [album] = server.album(name)
                assert album["assets"] == [again["id"]], (name, album)
        finally:
            server.stop()


def test_connection_names_missing_permissions(workdir):
    for version in SCOPED:
        sub = os.path.join(workdir, version)
        os.makedirs(sub)
        server = server_for(version, REQUIRED)
        try:
            server.add_key("no-album-add-0123456789", ME,
                           [p for p in README_MINIMAL if p != "albumAsset.create"])
            server.add_key("full-minimal-0123456789", ME, README_MINIMAL)
            tool = Tool(sub, server)
            t = tool.run("test-connection")
            assert t.returncode == 0, (version, t.returncode, t.stdout, t.stderr)
            assert "everything sync needs" not in t.stdout
            assert ("without asset.delete (taking photos found in the server's trash back out "
                    "of it, and removing the readiness check's test photos), photos found in "
                    "the server's trash cannot be restored") in t.stdout, t.stdout

            tool.run("config", "set", "immich_api_key", "-", input="no-album-add-0123456789\n",
                     check=True)
            t = tool.run("test-connection")
            assert t.returncode == EXIT_CONNECTION, (t.returncode, t.stdout, t.stderr)
            assert "without albumAsset.create (adding photos to the album), photos cannot be " \
                   "put in albums" in t.stderr, t.stderr
            assert "asset.delete" not in t.stderr, t.stderr

            tool.run("config", "set", "immich_api_key", "-", input="full-minimal-0123456789\n",
                     check=True)
            t = tool.run("test-connection")
            assert t.returncode == 0, (t.returncode, t.stdout, t.stderr)
            assert "Permissions: every one sync can need" in t.stdout, t.stdout
            for perm in README_MINIMAL:
                assert "  %s: " % perm in t.stdout, (perm, t.stdout)
        finally:
            server.stop()


if __name__ == "__main__":
    run_tests(globals())
