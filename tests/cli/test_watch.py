#!/usr/bin/env python3
"""Acceptance: real-time sync with `photobooth-immich watch` (issue 4, items 1, 5, 6)."""

import os
import time

from pbitest import SHORT, FakeServer, Tool, make_photo, run_tests, sha1_of, wait_for

# 200 at 5 a second; 60 in the sanitizer build (PBI_TEST_SHORT)
N_CAPTURES = 60 if SHORT else 200


def start_watch(workdir, server, album="PhotoBooth"):
    captures = os.path.join(workdir, "captures")
    os.makedirs(captures)
    tool = Tool(workdir, server)
    tool.run("config", "set", "immich_album_name", album, check=True)
    watch = tool.spawn("watch", captures)
    wait_for(lambda: "Watching" in open(watch.logfile.name).read(), 10, what="watch to start")
    return tool, watch, captures


def test_200_captures_at_5_per_second(workdir):
    server = FakeServer()
    try:
        tool, watch, captures = start_watch(workdir, server, "Wedding - Smith & Jones")
        sums = {}
        for i in range(N_CAPTURES):
            path = os.path.join(captures, "IMG_%04d.jpg" % i)
            sums[make_photo(path, 30_000 + i)] = path
            time.sleep(0.2)
        wait_for(lambda: len(server.album_assets("Wedding - Smith & Jones")) == N_CAPTURES, 60,
                 what="%d photos in the album" % N_CAPTURES)
        state = server.state()
        assert state["assets"] == N_CAPTURES, state["assets"]
        assert len(server.album("Wedding - Smith & Jones")) == 1, "album created more than once"
        on_server = {a["checksum"] for a in state["asset_list"]}
        assert on_server == {sha1_of(p) for p in sums.values()}
        out = tool.finish(watch)
        assert out.count("Uploaded photo") == N_CAPTURES, out[-2000:]
        assert 'Created Immich album "Wedding - Smith & Jones"' in out
        assert "Connection to Immich server successful" in out
    finally:
        server.stop()


def test_file_written_in_chunks_uploads_once_whole(workdir):
    server = FakeServer()
    try:
        tool, watch, captures = start_watch(workdir, server)
        data = os.urandom(10 * 50_000)
        path = os.path.join(captures, "slow.jpg")
        with open(path, "wb") as f:
            for i in range(10):
                f.write(data[i * 50_000:(i + 1) * 50_000])
                f.flush()
                time.sleep(0.3)
        wait_for(lambda: server.state()["assets"] == 1, 20, what="the upload")
        time.sleep(3)  # nothing more may arrive
        state = server.state()
        assert state["uploads"] == 1, state
        assert state["asset_list"][0]["checksum"] == sha1_of(path)
        assert state["asset_list"][0]["size"] == len(data)
        tool.finish(watch)
    finally:
        server.stop()


def test_file_being_written_when_watch_starts_uploads_once_whole(workdir):
    """The scan of the capture folder at start meets a photo the camera is
    still writing, paused between two writes: it is left to the watcher,
    not sent half-written."""
    server = FakeServer()
    try:
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        tool = Tool(workdir, server)
        data = os.urandom(10 * 50_000)
        path = os.path.join(captures, "writing.jpg")
        with open(path, "wb") as f:
            f.write(data[:50_000])
            f.flush()
            watch = tool.spawn("watch", captures)
            for i in range(1, 10):
                time.sleep(0.3)
                f.write(data[i * 50_000:(i + 1) * 50_000])
                f.flush()
        wait_for(lambda: server.state()["assets"] >= 1, 30, what="the upload")
        time.sleep(7)  # the scan again after 5 s: nothing more may arrive
        state = server.state()
        assert state["uploads"] == 1 and state["assets"] == 1, state
        assert state["asset_list"][0]["checksum"] == sha1_of(path)
        assert state["asset_list"][0]["size"] == len(data)
        tool.finish(watch)
    finally:
        server.stop()


def test_renamed_album_and_enable_switch_via_sqlite_shell(workdir):
    server = FakeServer()
    try:
        tool, watch, captures = start_watch(workdir, server, "Wedding")
        make_photo(os.path.join(captures, "a.jpg"))
        wait_for(lambda: len(server.album_assets("Wedding")) == 1, 20, what="first photo")

        tool.sql("UPDATE settings SET value='Birthday2024' WHERE key='immich_album_name'")
        time.sleep(2.5)
        make_photo(os.path.join(captures, "b.jpg"))
        make_photo(os.path.join(captures, "c.jpg"))
        wait_for(lambda: len(server.album_assets("Birthday2024")) == 2, 20, what="new album")
        assert len(server.album("Birthday2024")) == 1, "album created twice"
        assert len(server.album_assets("Wedding")) == 1

        tool.sql("UPDATE settings SET value='false' WHERE key='immich_enabled'")
        time.sleep(2.5)
        make_photo(os.path.join(captures, "d.jpg"))
        time.sleep(4)
        assert server.state()["assets"] == 3, "uploaded while disabled"

        tool.sql("UPDATE settings SET value='true' WHERE key='immich_enabled'")
        wait_for(lambda: server.state()["assets"] == 4, 20, what="catch-up after enabling")
        wait_for(lambda: len(server.album_assets("Birthday2024")) == 3, 30, what="album add")
        tool.finish(watch)
    finally:
        server.stop()


def test_new_album_takes_new_captures_only(workdir):
    # the booth's album is switched for the next event: the captures already
    # synced stay in the old album, however often the folder is scanned;
    # a sync the operator asks for puts every photo in the album
    server = FakeServer()
    try:
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        old = [os.path.join(captures, "wedding-%d.jpg" % i) for i in range(3)]
        for path in old:
            make_photo(path)
            past = time.time() - 3600
            os.utime(path, (past, past))
        tool = Tool(workdir, server)
        tool.run("config", "set", "immich_album_name", "Wedding", check=True)
        tool.run("sync", captures, check=True)
        assert len(server.album_assets("Wedding")) == 3

        tool.run("config", "set", "immich_album_name", "Birthday", check=True)
        # auto sync covers the folder too: scanned at start and on enabling
        tool.run("config", "set", "immich_library_folder", captures, check=True)
        watch = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in open(watch.logfile.name).read(), 10, what="watch to start")
        new = make_photo(os.path.join(captures, "birthday-0.jpg"))
        wait_for(lambda: len(server.album_assets("Birthday")) >= 1, 20, what="the new capture")
        time.sleep(7)  # the folder's scan again, 5 s after a recent file
        # sync switched off and on again: auto sync scans the folder
        tool.sql("UPDATE settings SET value='false' WHERE key='immich_enabled'")
        time.sleep(2.5)
        tool.sql("UPDATE settings SET value='true' WHERE key='immich_enabled'")
        time.sleep(4)
        checksums = {a["id"]: a["checksum"] for a in server.state()["asset_list"]}
        assert {checksums[i] for i in server.album_assets("Birthday")} == {new}
        assert len(server.album_assets("Wedding")) == 3
        out = tool.finish(watch)
        assert "Uploaded photo birthday-0.jpg" in out, out

        p = tool.run("sync", captures, check=True)
        assert "0 uploaded, 3 duplicates" in p.stdout, p.stdout
        assert len(server.album_assets("Birthday")) == 4
        assert len(server.album_assets("Wedding")) == 3
    finally:
        server.stop()


def test_captures_taken_while_not_running_are_sent_at_start(workdir):
    server = FakeServer()
    try:
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        tool = Tool(workdir, server)
        tool.run("config", "set", "immich_auto_sync", "false", check=True)
        sums = {make_photo(os.path.join(captures, "offline-%d.jpg" % i)) for i in range(3)}
        watch = tool.spawn("watch", captures)
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 3, 20, what="catch-up")
        assert {a["checksum"] for a in server.state()["asset_list"]} == sums
        tool.finish(watch)
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
