#!/usr/bin/env python3
# test_photobooth_api.py: photobooth.immich, the PhotoBooth's Python API, against the fake
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The PhotoBooth's own snippets run unchanged, with its result shapes.

Each scenario runs a fresh Python process (as a PhotoBooth script would), with
the database configured by the command-line tool. PBI_PYTHONPATH points at
the module (the source tree, or an installed copy), PBI_PYTHON at the Python.
"""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))

from pbitest import CLI, KEY, FakeServer, Tool, make_photo, python_env, run_tests  # noqa: E402

PYTHON = os.environ.get("PBI_PYTHON", "/usr/bin/python3")
TOP_SRCDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

# The two snippets of the PhotoBooth's guide, as written there; only the
# placeholder paths are replaced.
GUIDE_SYNC_ALL = """\
from photobooth.immich import get_immich_sync
sync = get_immich_sync()
result = sync.sync_all_photos('/path')
print(f"Synced {result['uploaded']} professional photos")
"""

GUIDE_SYNC_ONE = """\
from photobooth.immich import sync_photo_to_immich
result = sync_photo_to_immich('/path/photo.jpg')
if result['success']:
    print(f"Photo uploaded: {result['asset_id']} ({result['status']})")
else:
    print(f"Upload failed: {result['error']}")
"""


# Appended to a snippet: `photobooth-immich status --json` of the database,
# run by the script right after the snippet's call returned.
STATUS_NOW = """
import os as _os, subprocess as _sp, sys as _sys
_env = dict(_os.environ)
_env.pop("LD_PRELOAD", None)  # the sanitizer build's, for this python3 only
_st = _sp.run([%r, "--database", %r, "status", "--json"], capture_output=True, text=True,
              env=_env)
_sys.stdout.write("@@" + _st.stdout)
_sys.stderr.write(_st.stderr)
"""


def script_env(tool, extra=None):
    env = python_env(tool.env)
    env["PHOTOBOOTH_IMMICH_DATABASE"] = tool.db
    if os.environ.get("PBI_PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PBI_PYTHONPATH"]
    env.update(extra or {})
    return env


def run_python(tool, code, extra_env=None):
    p = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=180,
                       env=script_env(tool, extra_env))
    assert p.returncode == 0, "script failed (%d):\n%s%s" % (p.returncode, p.stdout, p.stderr)
    return p


def run_json(tool, code):
    """Runs code that ends by binding `out`; returns out, read back as JSON."""
    p = run_python(tool, code + "\nimport json, sys\nsys.stdout.write('\\n@@' + json.dumps(out))\n")
    return json.loads(p.stdout.rsplit("\n@@", 1)[1])


def test_guide_sync_all_photos(workdir):
    server = FakeServer()
    try:
        tool = Tool(workdir, server)
        folder = os.path.join(workdir, "event")
        os.makedirs(os.path.join(folder, "booth2"))
        sums = {make_photo(os.path.join(folder, "IMG_%04d.jpg" % i)) for i in range(3)}
        sums.add(make_photo(os.path.join(folder, "booth2", "IMG_0100.JPG")))
        with open(os.path.join(folder, "notes.txt"), "w") as f:
            f.write("not a photo")
        make_photo(os.path.join(folder, ".hidden.jpg"))
        make_photo(os.path.join(folder, "IMG_0200.jpg.part"))

        # the snippet, then (the script still running, as a PhotoBooth's
        # would) what the command-line tool and the database say: the call
        # returned with its photos written as uploaded, none still pending
        p = run_python(tool, GUIDE_SYNC_ALL.replace("/path", folder) + STATUS_NOW % (CLI, tool.db))
        synced, status = p.stdout.split("\n@@", 1)
        assert synced == "Synced 4 professional photos", p.stdout
        status = json.loads(status)
        assert status["files"]["done"] == 4 and status["files"]["pending"] == 0, status["files"]
        assert (status["uploaded"], status["pending"]) == (4, 0), status
        assert set(server.checksums()) == sums
        assert len(server.album_assets("PhotoBooth")) == 4

        # again: nothing new is sent
        p = run_python(tool, GUIDE_SYNC_ALL.replace("/path", folder))
        assert p.stdout == "Synced 0 professional photos\n", p.stdout
        assert server.state()["uploads"] == 4
    finally:
        server.stop()


def test_guide_sync_photo_to_immich(workdir):
    server = FakeServer()
    try:
        tool = Tool(workdir, server)
        photo = os.path.join(workdir, "photo.jpg")
        sha1 = make_photo(photo)
        p = run_python(tool, GUIDE_SYNC_ONE.replace("/path/photo.jpg", photo))
        asset = server.checksums()[sha1]
        assert p.stdout == "Photo uploaded: %s (created)\n" % asset["id"], p.stdout
        assert server.album_assets("PhotoBooth") == {asset["id"]}

        p = run_python(tool, GUIDE_SYNC_ONE.replace("/path/photo.jpg", photo))
        assert p.stdout == "Photo uploaded: %s (duplicate)\n" % asset["id"], p.stdout

        missing = os.path.join(workdir, "missing.jpg")
        p = run_python(tool, GUIDE_SYNC_ONE.replace("/path/photo.jpg", missing))
        assert p.stdout.startswith("Upload failed: ") and "missing.jpg" in p.stdout, p.stdout
        assert server.state()["uploads"] == 1
    finally:
        server.stop()


def test_sync_all_photos_result_shape(workdir):
    server = FakeServer()
    try:
        tool = Tool(workdir, server)
        folder = os.path.join(workdir, "photos")
        os.makedirs(folder)
        make_photo(os.path.join(folder, "a.jpg"), seed=1)
        make_photo(os.path.join(folder, "b.jpg"), seed=2)
        make_photo(os.path.join(folder, "big.jpg"), size=300_000, seed=3)
        # the same bytes as a.jpg under another name: the server has them
        make_photo(os.path.join(folder, "c-copy-of-a.jpg"), seed=1)
        server.faults(max_body_bytes=200_000)
        out = run_json(tool, "from photobooth.immich import get_immich_sync\n"
                             "out = get_immich_sync().sync_all_photos(%r)" % folder)
        assert set(out) == {"success", "uploaded", "duplicates", "errors", "details"}, out
        assert out["success"] is False
        assert (out["uploaded"], out["duplicates"], out["errors"]) == (2, 1, 1), out
        by_file = {d["file"]: d for d in out["details"]}
        assert sorted(by_file) == ["a.jpg", "b.jpg", "big.jpg", "c-copy-of-a.jpg"]
        ids = {a["checksum"]: a["id"] for a in server.state()["asset_list"]}
        # a.jpg and its copy race for the server: whichever gets there first is
        # created, the other is its duplicate (the same asset)
        twins = [by_file["a.jpg"], by_file["c-copy-of-a.jpg"]]
        assert sorted(d["status"] for d in twins) == ["created", "duplicate"], twins
        first = [d for d in twins if d["status"] == "created"][0]
        dup = [d for d in twins if d["status"] == "duplicate"][0]
        for d in (first, by_file["b.jpg"]):
            assert d["success"] is True and d["status"] == "created", d
            assert d["asset_id"] in ids.values()
            assert d["path"] == os.path.join(folder, d["file"])
        assert dup["success"] is True, dup
        assert dup["asset_id"] == first["asset_id"]
        big = by_file["big.jpg"]
        assert big["success"] is False and "status" not in big, big
        assert "413" in big["error"] or "too large" in big["error"].lower(), big

        out = run_json(tool, "from photobooth.immich import get_immich_sync\n"
                             "out = get_immich_sync().sync_all_photos(%r)"
                             % os.path.join(workdir, "nowhere"))
        assert out["success"] is False and out["uploaded"] == 0 and "nowhere" in out["error"]
    finally:
        server.stop()


def test_sync_photo_result_shape(workdir):
    server = FakeServer()
    try:
        tool = Tool(workdir, server)
        photo = os.path.join(workdir, "booth.jpg")
        sha1 = make_photo(photo)
        code = ("from photobooth.immich import sync_photo_to_immich\n"
                "out = [sync_photo_to_immich(%r), sync_photo_to_immich(%r, 'Best Photos')]"
                % (photo, photo))
        first, second = run_json(tool, code)
        asset_id = server.checksums()[sha1]["id"]
        assert first == {"success": True, "asset_id": asset_id, "status": "created",
                         "message": "Photo uploaded to Immich"}, first
        # already on the server: filed into the other album, nothing sent
        assert second["success"] and second["asset_id"] == asset_id
        assert server.album_assets("Best Photos") == {asset_id}
        assert server.state()["uploads"] == 1
    finally:
        server.stop()


def test_connection_and_albums(workdir):
    server = FakeServer()
    try:
        tool = Tool(workdir, server)
        make_photo(os.path.join(workdir, "x.jpg"))
        tool.run("sync-file", os.path.join(workdir, "x.jpg"), check=True)
        out = run_json(tool, "from photobooth.immich import test_immich_connection, "
                             "get_immich_albums\n"
                             "out = [test_immich_connection(), get_immich_albums()]")
        conn, albums = out
        assert conn["success"] is True and conn["server_version"] == "3.2.2", conn
        assert conn["message"] == "Connection to Immich server successful"
        assert [a["albumName"] for a in albums] == ["PhotoBooth"], albums
        album = albums[0]
        assert album["assetCount"] == 1 and album["id"] == server.album("PhotoBooth")[0]["id"]
        assert {"id", "albumName", "assetCount", "shared", "ownerName"} <= set(album)

        tool.run("config", "set", "immich_api_key", "-", input="wrong-key-123456\n", check=True)
        conn, albums = run_json(tool, "from photobooth.immich import test_immich_connection, "
                                      "get_immich_albums\n"
                                      "out = [test_immich_connection(), get_immich_albums()]")
        assert conn["success"] is False and conn["error"], conn
        assert "wrong-key-123456" not in conn["error"]
        assert albums == []
    finally:
        server.stop()


def test_debug_logging_turns_on_library_messages(workdir):
    server = FakeServer()
    try:
        tool = Tool(workdir, server)
        photo = os.path.join(workdir, "dbg.jpg")
        make_photo(photo)
        code = ("import logging, sys\n"
                "logging.basicConfig(stream=sys.stdout, level=logging.%s, "
                "format='%%(name)s %%(levelname)s %%(message)s')\n"
                "from photobooth.immich import sync_photo_to_immich\n"
                "print(sync_photo_to_immich(%r)['success'])\n")
        quiet = run_python(tool, code % ("INFO", photo))
        assert "pbi-immich" not in quiet.stdout, quiet.stdout
        assert "photobooth.immich INFO Synced" in quiet.stdout, quiet.stdout
        # the library's ordinary lines arrive on our logger, not on stderr
        assert "photobooth.immich INFO pbi-engine: Uploaded photo dbg.jpg to Immich" \
            in quiet.stdout, quiet.stdout
        assert "Uploaded photo" not in quiet.stderr, quiet.stderr
        # a new photo: one synced before and unchanged is answered from the
        # database, without a request
        photo2 = os.path.join(workdir, "dbg2.jpg")
        make_photo(photo2, seed=2)
        loud = run_python(tool, code % ("DEBUG", photo2))
        lines = loud.stdout.splitlines()
        assert lines[-1] == "True"
        # the library's debug lines (each request) arrive on our logger
        assert any(re.match(r"photobooth\.immich DEBUG pbi-immich: GET /api/", line)
                   for line in lines), loud.stdout
        assert KEY not in loud.stdout + loud.stderr
    finally:
        server.stop()


def test_media_filter_matches_engine(workdir):
    """The folder walk picks the files the engine's scanner picks."""
    src = open(os.path.join(TOP_SRCDIR, "src", "engine", "pbi-media-info.c")).read()

    def c_list(name):
        body = re.search(name + r"\[\] = \{(.*?)\};", src, re.S).group(1)
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        return re.findall(r'"([^"]*)"', body)

    code = ("import photobooth.immich as m\n"
            "out = [sorted(m.MEDIA_EXTENSIONS), list(m.TEMPORARY_SUFFIXES)]")
    tool = Tool(workdir)
    exts, temps = run_json(tool, code)
    assert exts == sorted(c_list("default_extensions")), exts
    assert temps == c_list("temporary_suffixes"), temps


if __name__ == "__main__":
    run_tests(globals())
