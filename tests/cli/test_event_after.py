#!/usr/bin/env python3
"""Acceptance: the guest link (share), verify, report and new-event
(issue 11) in each route family."""

import datetime
import json
import os
import time

from eventtest import FAMILIES, control, png_size, run_json, setup, vt, zbar
from pbitest import make_photo, run_tests, sha1_of, wait_for


def album_id(server, name):
    albums = server.album(name)
    assert len(albums) == 1, (name, albums)
    return albums[0]["id"]


# ------------------------------------------------------------------ share

def share(workdir, version):
    server, tool, _, _ = setup(workdir, version, photos=2)
    try:
        tool.run("sync", check=True)
        qr = os.path.join(workdir, "guests.png")
        p = tool.run("share", "--qr", qr)
        assert p.returncode == 0, p.stdout + p.stderr
        links = server.state()["shared_links"]
        assert len(links) == 1, links
        link = links[0]
        url = "%s/share/%s" % (server.url, link["key"])
        assert link["album"] == album_id(server, "PhotoBooth") and link["type"] == "ALBUM"
        assert url in p.stdout and "(a new link)" in p.stdout, p.stdout
        # the QR code in the terminal: half blocks
        assert "\u2580" in p.stdout and "\u2584" in p.stdout, p.stdout
        # the PNG scans back to the same URL
        assert zbar(qr) == url
        w, h = png_size(qr)
        assert w == h and w >= 300, (w, h)

        # asked again: the same link, not a second one
        p, again = run_json(tool, "share")
        assert p.returncode == 0 and again["reused"] is True, again
        assert again["url"] == url and again["id"] == link["id"]
        assert len(server.state()["shared_links"]) == 1

        # other settings: the old link goes, a new one with expiry and password comes
        p, new = run_json(tool, "share", "--expires", "7d", "--password", "-", "--no-download",
                          input="s3cret\n")
        assert p.returncode == 0, p.stdout + p.stderr
        assert new["reused"] is False and new["password"] is True
        assert new["allowDownload"] is False
        expires = datetime.datetime.strptime(new["expiresAt"], "%Y-%m-%d %H:%M")
        days = (expires - datetime.datetime.now()).total_seconds() / 86400
        assert 6.9 < days < 7.1, new["expiresAt"]
        links = server.state()["shared_links"]
        assert [l["id"] for l in links] == [new["id"]], links
        assert "s3cret" not in p.stdout + p.stderr

        # the server's external domain, when its admin set one, is what guests open
        control(server, "POST", "/__fake/config", {"externalDomain": "https://photos.example.com"})
        p, ext = run_json(tool, "share", "--qr", qr)
        assert ext["url"] == "https://photos.example.com/share/" + links[0]["key"], ext
        assert zbar(qr) == ext["url"]

        # revoked: gone from the server; revoking again says there is none
        p = tool.run("share", "--revoke")
        assert p.returncode == 0, p.stdout + p.stderr
        assert server.state()["shared_links"] == []
        p = tool.run("share", "--revoke")
        assert p.returncode == 1 and "No guest link" in p.stderr, p.stdout + p.stderr
    finally:
        server.stop()


# ------------------------------------------------------------------ verify

def verify(workdir, version):
    server, tool, capture, sums = setup(workdir, version, photos=8)
    try:
        tool.run("sync", check=True)
        state = server.state()
        by_sum = {a["checksum"]: a["id"] for a in state["asset_list"]}
        paths = sorted(sums)
        lost, trashed, dropped = (by_sum[sums[paths[i]]] for i in (1, 3, 5))
        album = album_id(server, "PhotoBooth")
        control(server, "DELETE", "/__fake/assets/" + lost)
        control(server, "POST", "/__fake/assets/%s/trash" % trashed)
        control(server, "DELETE", "/__fake/albums/%s/assets/%s" % (album, dropped))
        assert len(server.state()["asset_list"]) == 7
        # and a photo of the folder never synced
        sums[os.path.join(capture, "later.jpg")] = make_photo(os.path.join(capture, "later.jpg"))

        p = tool.run("verify", capture)
        assert p.returncode == 0, p.stdout + p.stderr
        if vt(version) < (1, 106):
            # 1.x's bulk check does not say isTrashed: the trashed photo is
            # restored on the way to being added back
            assert ("9 photos: 9 on the server, 9 in the album, 2 added back, 1 sent again, "
                    "1 sent for the first time") in p.stdout, p.stdout
        else:
            assert ("9 photos: 9 on the server, 9 in the album, 1 added back, 1 restored from "
                    "the trash, 1 sent again, 1 sent for the first time") in p.stdout, p.stdout
        state = server.state()
        assert {a["checksum"] for a in state["asset_list"]} == set(sums.values())
        assert not any(a["isTrashed"] for a in state["asset_list"])
        assert len(server.album_assets("PhotoBooth")) == 9

        # all in place now: nothing to fix
        p, res = run_json(tool, "verify")
        assert p.returncode == 0, p.stdout + p.stderr
        assert res == {"photos": 9, "onServer": 9, "inAlbum": 9, "addedBack": 0, "restored": 0,
                       "requeued": 0, "unsent": 0, "stillMissing": 0}, res

        # a photo the server lost and cannot take back: not in place, exit 1
        asset = by_sum[sums[paths[0]]]
        control(server, "DELETE", "/__fake/assets/" + asset)
        server.faults(max_body_bytes=1000)
        p = tool.run("verify")
        assert p.returncode == 1, p.stdout + p.stderr
        assert "9 photos: 8 on the server, 8 in the album, 1 sent again" in p.stdout, p.stdout
    finally:
        server.stop()


def verify_10000(workdir, version):
    server, tool, capture, _ = setup(workdir, version, photos=0)
    try:
        for i in range(10_000):
            make_photo(os.path.join(capture, "p%05d.jpg" % i), size=64)
        p = tool.run("sync", timeout=600)
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        assert len(server.album_assets("PhotoBooth")) == 10_000
        control(server, "POST", "/__fake/reset-routes")
        p = tool.run("verify", timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr[-2000:]
        assert "10,000 photos: 10,000 on the server, 10,000 in the album" in p.stdout, p.stdout
        routes = server.state()["routes"]
        check = "POST /api/%s/bulk-upload-check" % ("asset" if vt(version) < (1, 106) else "assets")
        assert routes.get(check) == 2, routes
        if vt(version) >= (1, 106):
            # every asset put into the album again, 5,000 a request (the
            # server answers "duplicate"), not the album listed (3.x: a page
            # of full asset records per 1,000)
            assert routes.get("PUT /api/albums/{id}/assets") == 2, routes
            assert routes.get("POST /api/search/metadata", 0) == 0, routes
        else:
            # the album with its assets, at once
            assert routes.get("GET /api/album/{id}") == 1, routes
        assert sum(routes.values()) <= 20, routes
    finally:
        server.stop()


# ------------------------------------------------------------------ report

def report(workdir, version):
    server, tool, capture, sums = setup(workdir, version, photos=0)
    try:
        sizes = [30_000, 35_000, 40_000, 45_000, 50_000]
        paths = []
        for i, size in enumerate(sizes):
            path = os.path.join(capture, "IMG_%04d.jpg" % i)
            make_photo(path, size=size)
            paths.append(path)
        # the server has one of them already: a duplicate
        control(server, "POST", "/__fake/assets",
                {"sha1": sha1_of(paths[0]), "size": sizes[0], "filename": "IMG_0000.jpg"})
        # one too large for the proxy: refused, a failure
        big = os.path.join(capture, "IMG_big.jpg")
        make_photo(big, size=300_000)
        server.faults(max_body_bytes=200_000)
        tool.run("sync")
        server.faults(max_body_bytes=0)

        p, rep = run_json(tool, "report")
        assert p.returncode == 0, p.stdout + p.stderr
        assert rep["captures"] == 6, rep
        assert rep["uploads"] == 4 and rep["duplicates"] == 1, rep
        assert rep["failures"] == 1 and rep["pending"] == 0, rep
        assert rep["bytesSent"] == sum(sizes[1:]), rep
        assert 0 <= rep["latencyP50Seconds"] <= rep["latencyP95Seconds"] < 60, rep
        assert sum(h["captures"] for h in rep["hours"]) == 6
        assert sum(h["uploads"] for h in rep["hours"]) == 5
        assert rep["outages"] == [], rep["outages"]
        # the same counts as the queue
        p, status = run_json(tool, "status")
        files = status["files"]
        assert rep["uploads"] + rep["duplicates"] == files["done"] + files["duplicate"], status
        assert rep["failures"] == files["failed"] + files["rejected"], status

        # an outage while watching: the server is down about 4 s
        watch = tool.spawn("watch", capture)
        wait_for(lambda: "Watching" in open(watch.logfile.name).read(), 15, what="watch")
        down_at = time.time()
        server.faults(down_ms=4000)
        during = make_photo(os.path.join(capture, "IMG_during.jpg"), size=20_000)
        wait_for(lambda: during in server.checksums(), 30, what="the photo after")
        wait_for(lambda: "connected" in tool.sql(
            "SELECT state FROM pbi_connection_log ORDER BY id DESC LIMIT 1"), 10,
            what="reconnected")
        # the album add follows the upload: the photo counts once it is done
        wait_for(lambda: json.loads(tool.run("status", "--json").stdout)["pending"] == 0, 30,
                 what="nothing pending")
        # the refused photo, changed a moment before the watch started, is
        # left by its first scan (it might still be being written) and sent
        # by the scan a few seconds later
        wait_for(lambda: sha1_of(big) in server.checksums(), 20, what="the refused photo again")
        wait_for(lambda: json.loads(tool.run("status", "--json").stdout)["pending"] == 0, 30,
                 what="nothing pending")
        tool.finish(watch)

        p, rep = run_json(tool, "report", "--chart", os.path.join(workdir, "chart.png"))
        assert p.returncode == 0, p.stdout + p.stderr
        assert len(rep["outages"]) == 1, rep["outages"]
        out = rep["outages"][0]
        assert out["state"] == "offline" and not out["ongoing"], out
        assert down_at - 1 <= out["startUnix"] <= down_at + 4, (out, down_at)
        assert 0.5 <= out["seconds"] <= 15, out
        # the watcher's start sent the refused photo again (the proxy takes it now)
        assert rep["captures"] == 7 and rep["uploads"] == 6, rep
        assert rep["duplicates"] == 1 and rep["failures"] == 0, rep
        assert png_size(os.path.join(workdir, "chart.png")) == (960, 480)

        p = tool.run("report", "--csv")
        lines = p.stdout.strip().splitlines()
        assert lines[0] == "hour,captures,uploads", lines
        assert sum(int(l.split(",")[1]) for l in lines[1:]) == 7, lines

        p = tool.run("report")
        assert "Outages: 1" in p.stdout and "Captures:    7" in p.stdout, p.stdout
    finally:
        server.stop()


# ------------------------------------------------------------------ new-event

def new_event(workdir, version):
    server, tool, capture, _ = setup(workdir, version, photos=2)
    try:
        tool.run("sync", check=True)
        before = time.time()
        time.sleep(1.1)
        p = tool.run("new-event", "Wedding {date}")
        assert p.returncode == 0, p.stdout + p.stderr
        name = "Wedding " + datetime.date.today().isoformat()
        assert '"%s"' % name in p.stdout and "(made)" in p.stdout, p.stdout
        assert len(server.album(name)) == 1
        assert tool.run("config", "get", "immich_album_name").stdout.strip() == name
        p, status = run_json(tool, "status")
        assert status["uploaded"] == 0 and status["album"] == name, status

        new = os.path.join(capture, "IMG_new.jpg")
        make_photo(new, size=33_000)
        tool.run("sync-file", new, check=True)
        assert len(server.album_assets(name)) == 1
        assert len(server.album_assets("PhotoBooth")) == 2

        p, rep = run_json(tool, "report")
        assert rep["event"] == name and rep["captures"] == 1 and rep["uploads"] == 1, rep
        # the history stays
        p, old = run_json(tool, "report", "--since",
                          datetime.datetime.fromtimestamp(before - 60).strftime(
                              "%Y-%m-%d %H:%M:%S"))
        assert old["captures"] == 3 and old["uploads"] == 3, old

        # the same event again: the album is found, not made twice
        p = tool.run("new-event", "Wedding {date}")
        assert p.returncode == 0 and "(found)" in p.stdout, p.stdout + p.stderr
        assert len(server.album(name)) == 1
    finally:
        server.stop()


for _v in FAMILIES:
    _s = _v.replace(".", "_")
    for _name, _func in (("share", share), ("verify", verify), ("report", report),
                         ("new_event", new_event), ("verify_10000_photos_in_a_few_requests",
                                                    verify_10000)):
        globals()["test_%s_%s" % (_name, _s)] = (lambda f, v: lambda w: f(w, v))(_func, _v)


if __name__ == "__main__":
    run_tests(globals())
