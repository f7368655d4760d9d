#!/usr/bin/env python3
"""UI acceptance (issue 11): the event pages of the app on the booth's
800x480 screen (kiosk mode): Check Readiness (verdict in words and icon, one
row per check, a not-ready key), the guest QR code (appears when guest sharing
is switched on, decodes to the link's URL, revoked from the preferences),
Event Summary (counts that match the server), New Event (switches the album)."""

import datetime
import os
import subprocess

from uitest import (App, FakeServer, configured, extents, make_jpeg, press, run_tests,
                    type_text, wait_for)

SCREEN = os.environ.get("PBI_SCREEN", "800x480")
WIDTH, HEIGHT = (int(v) for v in SCREEN.split("x"))


def click_menu(app, label):
    press("F10")
    item = app.find(None, label)
    try:
        item.doActionNamed("click")
    except Exception:
        from uitest import click_at
        click_at(item)


def row_value(app, title, root=None):
    """The value shown beside TITLE in a list row (the row's other label)."""
    label = app.find("label", title, root=root)
    row = label
    while row is not None and row.roleName != "list item":
        row = row.parent
    assert row is not None, "%r is not in a list row" % title
    values = [n.name for n in row.findChildren(lambda n: n.roleName == "label", isLambda=True)
              if n.name and n.name != title]
    assert values, "no value beside %r" % title
    return values


def check_touch_targets(app, frame):
    small = []
    for b in app.find_all("push button", root=frame) + app.find_all("toggle button", root=frame):
        x, y, w, h = extents(b)
        if b.name and (w < 48 or h < 48):
            small.append("%r %dx%d" % (b.name, w, h))
    assert not small, "touch targets under 48 px: %s" % small


def test_readiness_ready(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        make_jpeg(os.path.join(folder, "IMG_0001.jpg"), "Guest 1", size="1600x1200")
        app = App(workdir, tool, args=["--kiosk"])
        app.text_shown("Connected to")
        click_menu(app, "Check Readiness")
        app.text_shown("the check takes at most about 30 seconds")
        verdict = app.find("label", "Ready", timeout=90)
        # in words and in an icon with the same name (not by colour alone)
        app.find("image", "Ready")
        for title in ("Server", "Permissions", "Album", "Upload"):
            assert app.find_all("label", contains=title), "no %r row: %s" % (
                title, app.shown_names())
        assert app.find_all("label", "OK"), app.shown_names()
        app.find("label", contains="photos a minute")
        assert verdict.name == "Ready"
        app.screenshot("kiosk-%s-readiness" % SCREEN)
        check_touch_targets(app, app.window("PhotoBooth Immich Sync"))
        # the test photos are gone from the album again
        assert all(not a["assets"] for a in server.state()["albums"]), server.state()["albums"]
        app.click("Back")
        app.text_shown("Connected to")
    finally:
        if app:
            app.stop()
        server.stop()


def test_readiness_not_ready_without_permission(workdir):
    # everything but albumAsset.create: photos cannot go into the album
    perms = "asset.upload,album.read,album.create,user.read,asset.delete"
    server = FakeServer(keys=["limited:" + perms])
    app = None
    try:
        tool, folder = configured(workdir, server, key="limited")
        app = App(workdir, tool)
        app.text_shown("Connected to")
        click_menu(app, "Check Readiness")
        app.find("label", "Not ready", timeout=90)
        app.find("image", "Not ready")
        app.find("label", "Failed")
        # the row names what is missing and says what to do
        app.find("label", contains="albumAsset.create")
        app.find("label", contains="What to do: ")
        app.screenshot("readiness-not-ready")
    finally:
        if app:
            app.stop()
        server.stop()


def set_guest_sharing(app, on):
    click_menu(app, "Preferences")
    prefs = app.window("Preferences")
    page = app.find(None, "Advanced", root=prefs)
    page.doActionNamed("click")

    def flip():
        # the page's accessible objects are made anew while it comes into view
        try:
            # (GTK 4.8 does not mark the preferences' switches "showing")
            switch = app.find_all("check box", "Guest Sharing", root=prefs, showing=False)[0]
            if switch.checked != on:
                switch.doActionNamed("toggle")
            return switch.checked == on
        except Exception:
            return False
    try:
        wait_for(flip, 15, interval=0.5, what="the Guest Sharing switch")
    except AssertionError:
        print("# check boxes: %s" % [(n.name, n.roleName, n.showing) for n in app.find_all(
            "check box", root=prefs, showing=False)])
        raise
    return prefs


def test_guest_qr_shown_decoded_and_revoked(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        app = App(workdir, tool, args=["--kiosk"])
        frame = app.window("PhotoBooth Immich Sync")
        app.text_shown("Connected to")
        assert not app.find_all("label", "Scan to see the photos")
        assert server.state()["shared_links"] == []

        set_guest_sharing(app, True)
        wait_for(lambda: len(server.state()["shared_links"]) == 1, 30,
                 what="the guest link on the server")
        link = server.state()["shared_links"][0]
        url = "%s/share/%s" % (server.url, link["key"])
        press("Escape")   # close the preferences
        wait_for(lambda: app.windows() == ["PhotoBooth Immich Sync"], 10,
                 what="the preferences to close (%s)" % app.windows())
        app.find("label", "Scan to see the photos")
        app.find("label", url)
        qr = app.find(None, "QR Code of the Guest Link")
        x, y, w, h = extents(qr)
        assert min(w, h) >= 300, "the QR code area is %dx%d, under 300 px" % (w, h)
        assert x >= 0 and y >= 0 and x + w <= WIDTH and y + h <= HEIGHT, extents(qr)
        check_touch_targets(app, frame)
        shot = app.screenshot("kiosk-%s-guest-qr" % SCREEN)
        decoded = subprocess.run(["zbarimg", "-q", "--raw", shot], capture_output=True,
                                 text=True)
        assert decoded.returncode == 0, decoded.stderr
        assert decoded.stdout.strip() == url, (decoded.stdout, url)

        # back to the status and again to the code by the header's toggle
        app.click("Sync Status")
        app.text_shown("Connected to")
        app.click("Guest QR Code")
        app.find("label", "Scan to see the photos")

        # the operator revokes the link: gone on the server and from the screen
        prefs = set_guest_sharing(app, True)
        revoke = app.find_all("push button", "Revoke Guest Link", root=prefs, showing=False)[0]
        revoke.doActionNamed("click")
        wait_for(lambda: server.state()["shared_links"] == [], 30,
                 what="the link to be deleted on the server")
        wait_for(lambda: app.find_all("label", contains="Revoked: the old QR code no longer opens",
                                      root=prefs, showing=False), 10, what="the revoke confirmed")
        assert not app.find_all("check box", "Guest Sharing", root=prefs,
                                showing=False)[0].checked
        press("Escape")
        app.wait_gone("label", "Scan to see the photos")
        app.text_shown("Connected to")
    finally:
        if app:
            app.stop()
        server.stop()


def test_event_summary_and_new_event(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        for i in range(5):
            make_jpeg(os.path.join(folder, "IMG_%04d.jpg" % i), "Guest %d" % (i + 1))
        # a byte-identical copy: the server has it already (a duplicate)
        with open(os.path.join(folder, "IMG_0000.jpg"), "rb") as src, \
                open(os.path.join(folder, "IMG_0000 copy.jpg"), "wb") as dst:
            dst.write(src.read())
        app = App(workdir, tool, args=["--kiosk"])
        app.text_shown("Connected to")
        app.click("Sync All Photos")
        wait_for(lambda: app.count("Uploaded") + app.count("Duplicates") == 6, 90,
                 what="six photos through")
        assets = len(server.state()["asset_list"])
        assert assets == 5, assets

        click_menu(app, "Event Summary")
        figures = app.find(None, "Event Figures")
        app.find("label", "Captures", root=figures)
        expected = {"Captures": "6", "Uploads": str(assets), "Duplicates": "1",
                    "Failures": "0", "Pending": "0", "Outages": "none"}
        shown = {k: row_value(app, k, root=figures) for k in expected}
        assert shown == {k: [v] for k, v in expected.items()}, shown
        chart = app.find(None, "Captures and Uploads Chart")
        wait_for(lambda: extents(chart)[2] > 100 and extents(chart)[3] > 50, 15,
                 what="the chart drawn (%s)" % (extents(chart),))
        app.screenshot("kiosk-%s-event-summary" % SCREEN)
        app.click("Back")
        app.text_shown("Connected to")

        click_menu(app, "New Event…")
        app.text_shown("becomes today's date")
        entry = app.find("text", "Event Name")
        assert entry.focused, "the name entry should have the focus"
        type_text("Gala {date}")
        press("Return")   # the entry activates "Start Event"
        today = datetime.date.today().isoformat()
        album = "Gala %s" % today
        app.text_shown('Photos now go to the new album "%s"' % album, timeout=30)
        assert server.album(album), [a["name"] for a in server.state()["albums"]]
        stored = tool.sql("SELECT value FROM settings WHERE key = 'immich_album_name'").strip()
        assert stored == album, stored
        app.respond("Close")
        app.find("label", contains="Album: " + album)
    finally:
        if app:
            app.stop()
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
