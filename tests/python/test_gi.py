#!/usr/bin/env python3
"""The public GObject-Introspection API, driven from Python as a script would."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))

from pbitest import KEY, FakeServer, load_asan_runtime, make_photo, run_tests  # noqa: E402

load_asan_runtime()

import gi  # noqa: E402

gi.require_version("Pbi", "1.0")
from gi.repository import GLib, Pbi  # noqa: E402


def new_engine(workdir, server):
    engine = Pbi.Engine.new(os.path.join(workdir, "api.db"))
    engine.set_server_override(server.url, KEY)
    return engine


def test_sync_one_photo_blocking(workdir):
    server = FakeServer()
    try:
        engine = new_engine(workdir, server)
        photo = os.path.join(workdir, "booth.jpg")
        sha1 = make_photo(photo)
        res = engine.sync_photo(photo, "Scripted", None)
        assert res.success and not res.duplicate and res.error is None, res.error
        state = server.state()
        assert [a["id"] for a in state["asset_list"]] == [res.asset_id]
        assert state["asset_list"][0]["checksum"] == sha1
        assert server.album_assets("Scripted") == {res.asset_id}
        again = engine.sync_photo(photo, "Scripted", None)
        assert again.success and again.asset_id == res.asset_id
        assert server.state()["uploads"] == 1
        missing = engine.sync_photo(os.path.join(workdir, "nope.jpg"), None, None)
        assert not missing.success and "nope.jpg" in missing.error
    finally:
        server.stop()


def test_sync_folder_blocking_and_async(workdir):
    server = FakeServer()
    try:
        folder = os.path.join(workdir, "photos")
        os.makedirs(folder)
        for i in range(5):
            make_photo(os.path.join(folder, "p%d.jpg" % i))
        os.environ["PHOTOBOOTH_IMMICH_DATABASE"] = os.path.join(workdir, "default.db")
        engine = Pbi.Engine.get_default()
        assert engine.get_database_path() == os.environ["PHOTOBOOTH_IMMICH_DATABASE"]
        engine.set_server_override(server.url, KEY)
        summary = engine.sync_folder(folder, None, None)
        assert (summary.uploaded, summary.duplicates, summary.failed) == (5, 0, 0)
        assert engine.props.uploaded == 5
        assert engine.props.connection_state == Pbi.ConnectionState.CONNECTED

        make_photo(os.path.join(folder, "p5.jpg"))
        loop = GLib.MainLoop()
        got = {}

        def done(obj, result):
            got["summary"] = obj.sync_folder_finish(result)
            loop.quit()

        engine.sync_folder_async(folder, "Second", None, done)
        GLib.timeout_add_seconds(60, loop.quit)
        loop.run()
        s = got["summary"]
        # p0..p4 are on the server (into the new album only), p5 is new
        assert (s.uploaded, s.duplicates, s.failed) == (1, 5, 0), (s.uploaded, s.duplicates)
        assert len(server.album_assets("Second")) == 6
    finally:
        server.stop()


def test_event_readiness_share_report(workdir):
    """The event API the app's pages call: readiness rows, the guest link, the report."""
    server = FakeServer("3.1.0")
    try:
        engine = new_engine(workdir, server)
        loop = GLib.MainLoop()
        got = {}

        def checked(obj, result):
            got["check"] = obj.check_readiness_finish(result)
            loop.quit()

        engine.check_readiness_async(1, None, checked)
        GLib.timeout_add_seconds(60, loop.quit)
        loop.run()
        report = got["check"]
        assert report.verdict == Pbi.Readiness.READY, [(r.id, r.figure) for r in report.rows]
        ids = [r.id for r in report.rows]
        assert ids[:2] == ["booth-disk", "server"] and "clock" in ids, ids
        assert all(r.status == Pbi.CheckStatus.OK for r in report.rows)
        assert report.test_photos > 0 and server.state()["asset_list"] == []

        options = Pbi.ShareOptions()
        options.no_download = True

        def shared(obj, result):
            got["link"] = obj.share_finish(result)
            loop.quit()

        engine.share_async(options, None, shared)
        loop.run()
        link = got["link"]
        keys = [l["key"] for l in server.state()["shared_links"]]
        assert link.url == "%s/share/%s" % (server.url, keys[0]) and not link.allow_download

        photo = os.path.join(workdir, "booth.jpg")
        make_photo(photo)
        assert engine.sync_photo(photo, None, None).success
        figures = engine.build_report(0)
        assert (figures.captures, figures.uploads, figures.duplicates) == (1, 1, 0)
    finally:
        server.stop()


def test_partial_outcomes_and_album_notice(workdir):
    # issue 15: a trashed copy the key may not restore is failed, not a
    # duplicate, in the summary and the properties; issue 8: a read-only
    # album of the name is told through album-notice
    me = "photobooth@example.com"
    perms = "asset.upload,user.read,album.read,album.create,albumAsset.create"
    server = FakeServer("3.1.0", users=[me, "anna@example.com"],
                        keys=[KEY + ":" + perms + "@" + me])
    try:
        server.create_album("Scripted", "anna@example.com", [(me, "viewer")])
        engine = new_engine(workdir, server)
        photo = os.path.join(workdir, "trashed.jpg")
        asset = server.add_asset(make_photo(photo), os.path.getsize(photo), "trashed.jpg", me)
        server.trash_asset(asset)
        fresh = os.path.join(workdir, "fresh.jpg")
        make_photo(fresh)
        res = engine.sync_photo(photo, "Scripted", None)
        assert not res.success and not res.duplicate, (res.success, res.duplicate)
        assert "asset.delete" in res.error and "trash" in res.error, res.error
        res = engine.sync_photo(fresh, "Scripted", None)
        assert res.success, res.error
        assert (engine.props.uploaded, engine.props.duplicates, engine.props.failed) == (1, 0, 1)
        assert engine.props.album_notice == (
            'Album "Scripted" on the server belongs to anna@example.com and is shared with you '
            'read-only; created your own album "Scripted"'), engine.props.album_notice
        assert engine.get_album_notice() == engine.props.album_notice
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
