#!/usr/bin/env python3
"""Acceptance: albums the key's user may not add to (issue 8), in each route
family: an album of the name shared read-only, owned by someone else and not
shared, two writable albums of the name, the album's access removed and the
album deleted between runs (the engine had resolved and cached its id), and a
server answering every album call with 400 costs a bounded number of
requests.

Users: photobooth@example.com (the key's user, KEY) and anna@example.com.
1.105.0 stands for the 1.x routes with album roles (1.102+); 1.94.0 for the
1.x routes before roles (sharedUsers: every shared user may add).
"""

import json
import os
import time

from pbitest import KEY, SHORT, FakeServer, Tool, make_photo, run_tests, wait_for

ME, ANNA = "photobooth@example.com", "anna@example.com"
# one family in the sanitizer build (PBI_TEST_SHORT), every assertion kept
FAMILIES = ["3.1.0"] if SHORT else ["1.105.0", "2.0.1", "3.1.0"]
WATCH_S = 10 if SHORT else 30
CAPTURE_EVERY_S = 0.4 if SHORT else 1   # over 20 captures either way: the list is cut at 20
EXIT_SOME_FAILED = 1


def server_for(version, me_perms=None):
    key = KEY + (":" + ",".join(me_perms) if me_perms else "")
    return FakeServer(version, users=[ME + ":Booth", ANNA + ":Anna"],
                      keys=[key + "@" + ME, "anna-key-0123456789@" + ANNA])


def photos(workdir, names, folder="library"):
    lib = os.path.join(workdir, folder)
    os.makedirs(lib, exist_ok=True)
    return lib, {n: make_photo(os.path.join(lib, n)) for n in names}


def asset_ids(server, sums):
    by_sum = server.checksums()
    return {by_sum[s]["id"] for s in sums.values()}


def status(tool):
    return json.loads(tool.run("status", "--json", check=True).stdout)


def each_family(body):
    def run(workdir):
        for version in FAMILIES:
            sub = os.path.join(workdir, version)
            os.makedirs(sub)
            server = server_for(version)
            try:
                body(sub, server, version)
            except AssertionError as e:
                raise AssertionError("Immich %s: %s" % (version, e)) from e
            finally:
                server.stop()
    return run


def _shared_read_only(workdir, server, version):
    theirs = server.create_album("Wedding", ANNA, [(ME, "viewer")])
    lib, sums = photos(workdir, ["a.jpg", "b.jpg"])
    tool = Tool(workdir, server)
    tool.run("config", "set", "immich_album_name", "Wedding", check=True)
    p = tool.run("sync", lib)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    assert "2 uploaded, 0 duplicates, 0 failed" in p.stdout, p.stdout
    told = ('Album "Wedding" on the server belongs to anna@example.com and is shared with you '
            'read-only; created your own album "Wedding"')
    assert told in p.stderr, p.stderr
    assert server.album_by_id(theirs)["assets"] == [], "photos went into Anna's album"
    ours = [a for a in server.album("Wedding") if a["owner"] == server.user_id(ME)]
    assert len(ours) == 1 and set(ours[0]["assets"]) == asset_ids(server, sums), ours
    st = status(tool)
    assert st["albumNotice"] == told and st["failed"] == 0, st
    assert told in tool.run("status", check=True).stdout
    # said once: the next run uses our album straight away, no second album
    make_photo(os.path.join(lib, "c.jpg"))
    p = tool.run("sync", lib)
    assert p.returncode == 0 and "1 uploaded" in p.stdout, (p.stdout, p.stderr)
    assert len(server.album("Wedding")) == 2


test_album_shared_read_only = each_family(_shared_read_only)


def _not_shared(workdir, server, version):
    theirs = server.create_album("Wedding", ANNA)
    lib, sums = photos(workdir, ["a.jpg", "b.jpg"])
    tool = Tool(workdir, server)
    tool.run("config", "set", "immich_album_name", "Wedding", check=True)
    p = tool.run("sync", lib)
    assert p.returncode == 0 and "2 uploaded" in p.stdout, (p.returncode, p.stdout, p.stderr)
    assert server.album_by_id(theirs)["assets"] == []
    ours = [a for a in server.album("Wedding") if a["id"] != theirs]
    assert len(ours) == 1 and ours[0]["owner"] == server.user_id(ME), ours
    assert set(ours[0]["assets"]) == asset_ids(server, sums)
    assert "Note:" not in p.stderr and status(tool)["albumNotice"] is None, p.stderr


test_album_owned_by_someone_else_not_shared = each_family(_not_shared)


def album_route(version):
    return "album" if version.startswith("1.") else "albums"


def _two_writable(workdir, server, version):
    # Anna's shared album (editor) is the oldest; then two of our own: ours
    # come first, the older of them wins
    annas = server.create_album("Wedding", ANNA, [(ME, "editor")])
    time.sleep(0.02)
    older = server.create_album("Wedding", ME)
    time.sleep(0.02)
    newer = server.create_album("Wedding", ME)
    lib, sums = photos(workdir, ["a.jpg", "b.jpg", "c.jpg"])
    tool = Tool(workdir, server)
    tool.run("config", "set", "immich_album_name", "Wedding", check=True)
    p = tool.run("sync", lib)
    assert p.returncode == 0 and "3 uploaded" in p.stdout, (p.returncode, p.stdout, p.stderr)
    assert set(server.album_by_id(older)["assets"]) == asset_ids(server, sums)
    assert server.album_by_id(newer)["assets"] == []
    assert server.album_by_id(annas)["assets"] == []
    assert len(server.album("Wedding")) == 3, "an album was created"
    text = p.stderr
    assert text.count("3 Immich albums are named \"Wedding\"") == 1, text
    assert "using %s" % older in text and "own albums come first, then the oldest" in text

    # only shared ones writable (ours deleted): the oldest editor share wins
    server.delete_album(older)
    server.delete_album(newer)
    time.sleep(0.02)
    later = server.create_album("Wedding", ANNA, [(ME, "editor")])
    tool.sql("DELETE FROM pbi_albums")
    make_photo(os.path.join(lib, "d.jpg"))
    p = tool.run("sync", lib)
    assert p.returncode == 0 and "1 uploaded" in p.stdout, (p.stdout, p.stderr)
    assert len(server.album_by_id(annas)["assets"]) == 1
    assert server.album_by_id(later)["assets"] == []


test_two_writable_albums_of_the_name = each_family(_two_writable)


def _access_removed(workdir, server, version):
    for change in ("viewer", "unshare"):
        sub = os.path.join(workdir, change)
        os.makedirs(sub)
        name = "Party " + change
        theirs = server.create_album(name, ANNA, [(ME, "editor")])
        lib, first = photos(sub, ["a.jpg", "b.jpg"])
        tool = Tool(sub, server)
        tool.run("config", "set", "immich_album_name", name, check=True)
        p = tool.run("sync", lib)
        assert p.returncode == 0 and "2 uploaded" in p.stdout, (p.stdout, p.stderr)
        assert set(server.album_by_id(theirs)["assets"]) == asset_ids(server, first)

        # Anna takes the right to add away; the engine still has the id
        if change == "viewer":
            server.share_album(theirs, ME, "viewer")
        else:
            server.unshare_album(theirs, ME)
        server.reset_routes()
        # one photo, so the requests can be counted exactly (no batching)
        _, second = photos(sub, ["c.jpg"])
        p = tool.run("sync", lib)
        assert p.returncode == 0, (change, p.returncode, p.stdout, p.stderr)
        assert "1 uploaded, 0 duplicates, 0 failed" in p.stdout, p.stdout
        assert set(server.album_by_id(theirs)["assets"]) == asset_ids(server, first)
        ours = [a for a in server.album(name) if a["id"] != theirs]
        assert len(ours) == 1 and set(ours[0]["assets"]) == asset_ids(server, second), ours
        if change == "viewer":
            assert "belongs to anna@example.com and is shared with you read-only" in p.stderr
        else:
            assert "no longer takes photos from this key" in p.stderr, p.stderr
        routes = server.routes()
        # one refused add, one list, one create, one add: re-resolved once
        assert routes.get("PUT /api/%s/{id}/assets" % album_route(version)) == 2, routes
        assert routes.get("POST /api/%s" % album_route(version)) == 1, routes


test_album_access_removed_mid_run = each_family(_access_removed)


def _deleted(workdir, server, version):
    lib, first = photos(workdir, ["a.jpg"])
    tool = Tool(workdir, server)
    p = tool.run("sync", lib)
    assert p.returncode == 0, (p.stdout, p.stderr)
    [album] = server.album("PhotoBooth")
    server.delete_album(album["id"])
    server.reset_routes()
    make_photo(os.path.join(lib, "b.jpg"))
    p = tool.run("sync", lib)
    assert p.returncode == 0 and "1 uploaded, 0 duplicates, 0 failed" in p.stdout, \
        (p.returncode, p.stdout, p.stderr)
    assert "was deleted on the server" in p.stderr, p.stderr
    [again] = server.album("PhotoBooth")
    assert again["id"] != album["id"] and len(again["assets"]) == 1
    routes = server.routes()
    assert routes.get("PUT /api/%s/{id}/assets" % album_route(version)) == 2, routes
    assert routes.get("POST /api/%s" % album_route(version)) == 1, routes


test_album_deleted_mid_run = each_family(_deleted)


def _during_watch(workdir, server, version):
    # the same, inside one running process (`watch`): the album id is in
    # memory when Anna makes the album read-only, and when ours is deleted
    theirs = server.create_album("Live", ANNA, [(ME, "editor")])
    capture = os.path.join(workdir, "captures")
    os.makedirs(capture)
    tool = Tool(workdir, server)
    tool.run("config", "set", "immich_album_name", "Live", check=True)
    w = tool.spawn("watch", capture)
    try:
        make_photo(os.path.join(capture, "one.jpg"))
        wait_for(lambda: len(server.album_by_id(theirs)["assets"]) == 1, 30, what="first add")
        server.share_album(theirs, ME, "viewer")
        make_photo(os.path.join(capture, "two.jpg"))

        def ours():
            mine = [a for a in server.album("Live") if a["owner"] == server.user_id(ME)]
            return mine if mine and len(mine[0]["assets"]) == 1 else None
        [own] = wait_for(ours, 30, what="our own album with the second photo")
        assert len(server.album_by_id(theirs)["assets"]) == 1

        # now our album is deleted too: the one re-resolve of this run is
        # spent, so the album is given up on: the capture fails with the
        # reason (kept for retry) and the process goes on
        server.delete_album(own["id"])
        server.reset_routes()
        make_photo(os.path.join(capture, "three.jpg"))
        wait_for(lambda: status(tool)["failed"] == 1, 30, what="the third capture failed")
        [failure] = status(tool)["failures"]
        assert failure["path"].endswith("three.jpg") and "Album not found" in failure["error"], \
            failure
        make_photo(os.path.join(capture, "four.jpg"))
        wait_for(lambda: status(tool)["failed"] == 2, 30, what="the fourth capture failed")
        routes = server.routes()
        assert sum(v for k, v in routes.items() if "/api/album" in k) == 1, routes
        assert w.poll() is None, "watch ended"
    finally:
        out = tool.finish(w)
    assert ('Album "Live" on the server belongs to anna@example.com and is shared with you '
            'read-only; created your own album "Live"') in out, out
    # a second run (the next start) makes it again
    p = tool.run("sync", capture)
    assert p.returncode == 0 and "0 uploaded, 2 duplicates, 0 failed, 2 already synced" in \
        p.stdout, (p.returncode, p.stdout, p.stderr)
    assert 'Immich album "Live" was deleted on the server' in p.stderr, p.stderr


test_album_access_removed_and_deleted_during_watch = each_family(_during_watch)


def _extra_and_request_albums(workdir, server, version):
    # the extra albums and a per-request album follow the same rule
    guests = server.create_album("Guests", ANNA, [(ME, "viewer")])
    best = server.create_album("Best", ANNA, [(ME, "viewer")])
    lib, sums = photos(workdir, ["a.jpg"])
    tool = Tool(workdir, server)
    tool.run("config", "set", "immich_extra_albums", "Guests", check=True)
    p = tool.run("sync", lib)
    assert p.returncode == 0 and "1 uploaded" in p.stdout, (p.returncode, p.stdout, p.stderr)
    assert ('Album "Guests" on the server belongs to anna@example.com and is shared with you '
            'read-only; created your own album "Guests"') in p.stderr, p.stderr
    p = tool.run("sync-file", os.path.join(lib, "a.jpg"), "--album", "Best")
    assert p.returncode == 0 and "0 uploaded, 1 duplicates, 0 failed" in p.stdout, \
        (p.returncode, p.stdout, p.stderr)
    assert ('Album "Best" on the server belongs to anna@example.com and is shared with you '
            'read-only; created your own album "Best"') in p.stderr, p.stderr
    ids = asset_ids(server, sums)
    for name, theirs in (("Guests", guests), ("Best", best)):
        assert server.album_by_id(theirs)["assets"] == [], name
        [ours] = [a for a in server.album(name) if a["id"] != theirs]
        assert set(ours["assets"]) == ids, (name, ours)
    [main] = server.album("PhotoBooth")
    assert set(main["assets"]) == ids


test_extra_and_per_request_albums = each_family(_extra_and_request_albums)


def test_shared_users_before_roles_may_add(workdir):
    # 1.90 - 1.101: sharedUsers without roles; album.service addAssets checked
    # read access only, so a shared album is writable and is used
    server = server_for("1.94.0")
    try:
        theirs = server.create_album("Wedding", ANNA, [(ME, "editor")])
        lib, sums = photos(workdir, ["a.jpg"])
        tool = Tool(workdir, server)
        tool.run("config", "set", "immich_album_name", "Wedding", check=True)
        p = tool.run("sync", lib)
        assert p.returncode == 0 and "1 uploaded" in p.stdout, (p.stdout, p.stderr)
        assert set(server.album_by_id(theirs)["assets"]) == asset_ids(server, sums)
        assert len(server.album("Wedding")) == 1
    finally:
        server.stop()


def test_read_only_and_no_album_create(workdir):
    # scoped keys: 2.x and 3.x (1.116+)
    for version in ("2.0.1", "3.1.0"):
        sub = os.path.join(workdir, version)
        os.makedirs(sub)
        server = server_for(version, ["asset.upload", "user.read", "album.read",
                                      "albumAsset.create", "asset.delete"])
        try:
            server.create_album("Wedding", ANNA, [(ME, "viewer")])
            lib, sums = photos(sub, ["a.jpg", "b.jpg"])
            tool = Tool(sub, server)
            tool.run("config", "set", "immich_album_name", "Wedding", check=True)
            p = tool.run("sync", lib, timeout=60)
            assert p.returncode == EXIT_SOME_FAILED, (version, p.returncode, p.stdout, p.stderr)
            assert "0 uploaded, 0 duplicates, 2 failed" in p.stdout, p.stdout
            assert ("belongs to anna@example.com and is shared with you read-only, and this key "
                    "may not create your own") in p.stderr, p.stderr
            assert "album.create" in p.stderr
            for n in sums:
                assert os.path.join(lib, n) in p.stderr, "failed photo not named: " + p.stderr
            st = status(tool)
            assert st["failed"] == 2 and st["uploaded"] == 0 and st["duplicates"] == 0, st
            assert all("album.create" in f["error"] for f in st["failures"]), st["failures"]
            assert "album.create" in st["albumNotice"]
        finally:
            server.stop()


def test_every_album_call_400_is_bounded(workdir):
    """A server answering every album call with 400 costs at most 2 album
    requests per album per run (the refused add, then one list; the album is
    then given up on until the settings change or retry-failed), however long
    the run and however many photos come: measured over 30 s (10 s short) of `watch` with
    a new capture every second, and a `sync` run that ends."""
    for version in FAMILIES:
        sub = os.path.join(workdir, version)
        os.makedirs(sub)
        server = server_for(version)
        try:
            capture, _ = photos(sub, ["first.jpg"], folder="captures")
            tool = Tool(sub, server)
            tool.run("config", "set", "immich_capture_folder", capture, check=True)
            p = tool.run("sync", capture)
            assert p.returncode == 0, (p.stdout, p.stderr)   # the album id is cached
            server.faults(album_400=1000000)
            server.reset_routes()
            w = tool.spawn("watch", capture)
            try:
                start = time.monotonic()
                n = 0
                while time.monotonic() - start < WATCH_S:
                    make_photo(os.path.join(capture, "cap%02d.jpg" % n))
                    n += 1
                    time.sleep(CAPTURE_EVERY_S)
                wait_for(lambda: status(tool)["failed"] >= n - 2, 20, what="failed captures")
            finally:
                out = tool.finish(w)
            routes = server.routes()
            album_calls = sum(v for k, v in routes.items() if "/api/album" in k)
            total = sum(routes.values())
            print("# Immich %s: %d captures in %d s: %d album requests, %d requests in all: %s"
                  % (version, n, WATCH_S, album_calls, total, json.dumps(routes, sort_keys=True)))
            assert album_calls <= 2, (routes, out[-3000:])
            # every capture: one bulk check and one upload, then retries with
            # backoff from 5 s (each a bulk check, and on 1.x a restore)
            assert total <= 8 * n, (total, n, routes)
            # a sync run with the album refused ends, names the photos, exit 1
            server.reset_routes()
            make_photo(os.path.join(capture, "late.jpg"))
            p = tool.run("sync", capture, timeout=60)
            assert p.returncode == EXIT_SOME_FAILED, (p.returncode, p.stdout, p.stderr)
            # first.jpg was synced before the fault: skipped
            assert "0 uploaded, 0 duplicates, %d failed, 1 already synced" % (n + 1) in p.stdout, \
                p.stdout
            # named: the first 20, then how many more
            assert os.path.join(capture, "cap00.jpg") in p.stderr, p.stderr
            assert "and %d more" % (n + 1 - 20) in p.stderr, p.stderr
            state = tool.sql("SELECT state FROM pbi_files WHERE path LIKE '%late.jpg'").strip()
            assert state == "failed", state
            routes = server.routes()
            assert sum(v for k, v in routes.items() if "/api/album" in k) <= 2, routes
        finally:
            server.stop()


if __name__ == "__main__":
    run_tests(globals())
