#!/usr/bin/env python3
"""The command-line tool as an operator meets it: help, options, config, status."""

import json
import os
import stat

from pbitest import KEY, FakeServer, Tool, make_photo, run_tests

COMMANDS = ["test-connection", "albums", "sync", "sync-file", "watch", "status",
            "retry-failed", "config"]


def test_help_on_every_command(workdir):
    tool = Tool(workdir)
    top = tool.run("--help")
    assert top.returncode == 0
    for c in COMMANDS:
        assert c in top.stdout, c
        h = tool.run(c, "--help")
        assert h.returncode == 0 and c in h.stdout, (c, h.stdout)
    assert "Exit codes" in top.stdout
    bad = tool.run("frobnicate")
    assert bad.returncode == 2 and "Unknown command" in bad.stderr


def test_config_masks_key_and_database_is_private(workdir):
    tool = Tool(workdir)
    tool.run("config", "set", "immich_api_key", "-", input=KEY + "\n", check=True)
    listing = tool.run("config", "list", check=True).stdout
    assert KEY not in listing and "immich_api_key = ********" in listing, listing
    assert "immich_album_name = PhotoBooth" in listing
    assert "immich_enabled = false" in listing
    assert "immich_auto_sync = true" in listing and "immich_sync_on_capture = true" in listing
    assert tool.run("config", "get", "immich_api_key").stdout.strip() == "********"
    assert stat.S_IMODE(os.stat(tool.db).st_mode) == 0o600
    assert tool.run("config", "set", "no_such_key", "1").returncode == 2
    assert tool.run("config", "set", "immich_enabled", "maybe").returncode == 2


def test_options_before_or_after_command_and_env(workdir):
    server = FakeServer()
    try:
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        make_photo(os.path.join(lib, "one.jpg"))
        make_photo(os.path.join(lib, "two.jpg"))
        tool = Tool(workdir)
        env = {"IMMICH_INSTANCE_URL": server.url, "IMMICH_API_KEY": KEY}
        a = tool.run("sync", lib, "--album", "Best Photos", env=env)
        assert a.returncode == 0, a.stderr
        assert len(server.album_assets("Best Photos")) == 2
        # options first, the database named before the command
        import subprocess
        from pbitest import CLI
        p = subprocess.run([CLI, "--database", tool.db, "albums", "--json"], capture_output=True,
                           text=True, env=dict(tool.env, **env))
        albums = json.loads(p.stdout)
        assert [x["name"] for x in albums] == ["Best Photos"], p.stdout
        assert albums[0]["assetCount"] == 2
        assert KEY not in tool.all_output() + p.stdout + p.stderr
    finally:
        server.stop()


def test_sync_file_into_chosen_album_and_status(workdir):
    server = FakeServer()
    try:
        tool = Tool(workdir, server)
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        paths = []
        for i in range(4):
            paths.append(os.path.join(lib, "p%d.jpg" % i))
            make_photo(paths[-1])
        r = tool.run("sync-file", paths[0], paths[1], "--album", "Best Photos", check=True)
        assert "2 uploaded" in r.stdout, r.stdout
        assert len(server.album_assets("Best Photos")) == 2
        assert len(server.album_assets("PhotoBooth")) == 0
        # the whole folder: two are on the server already, so they are
        # duplicates for the server but still go into the main album
        r = tool.run("sync", lib, check=True)
        assert "2 uploaded, 2 duplicates" in r.stdout, r.stdout
        assert len(server.album_assets("PhotoBooth")) == 4
        assert server.state()["assets"] == 4
        st = json.loads(tool.run("status", "--json", check=True).stdout)
        assert st["uploaded"] == 4 and st["duplicates"] == 2 and st["pending"] == 0, st
        assert st["lastSync"] is not None
        assert st["album"] == "PhotoBooth" and st["apiKeySet"] is True
    finally:
        server.stop()


def test_exif_date_becomes_file_created_at(workdir):
    import datetime
    import subprocess
    server = FakeServer()
    try:
        tool = Tool(workdir, server)
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        photo = os.path.join(lib, "exif.jpg")
        subprocess.run(["convert", "-size", "64x48", "plasma:", photo], check=True)
        subprocess.run(["exiftool", "-q", "-overwrite_original",
                        "-DateTimeOriginal=2024:06:01 18:30:00", "-OffsetTimeOriginal=+02:00",
                        photo], check=True)
        plain = os.path.join(lib, "plain.jpg")
        make_photo(plain)
        os.utime(plain, (1_700_000_000, 1_700_000_000))
        tool.run("sync", lib, check=True)
        assets = {a["filename"]: a for a in server.state()["asset_list"]}

        def instant(text):
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))

        want = datetime.datetime(2024, 6, 1, 16, 30, tzinfo=datetime.timezone.utc)
        assert instant(assets["exif.jpg"]["fileCreatedAt"]) == want, assets["exif.jpg"]
        # without EXIF, the file's modification time is the capture time
        assert instant(assets["plain.jpg"]["fileCreatedAt"]).timestamp() == 1_700_000_000
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
