#!/usr/bin/env python3
"""UI acceptance (issue 10): the status page, driven over AT-SPI against the
fake Immich server: connection words, Sync All with counts and badges, a new
capture turning synced, Sync Selected into another album, wrong key and
unreachable server, a sqlite3 change showing live, one engine per database."""

import json
import os
import re
import shutil
import signal
import subprocess
import time

from uitest import (APP, SANITIZED, App, FakeServer, configured, extents, make_jpeg,
                    mean_brightness, press, run_tests, sha1_of, type_text, wait_for)


def test_opens_on_status_page_connected(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        for i in range(3):
            make_jpeg(os.path.join(folder, "IMG_%04d.jpg" % i), "Photo %d" % (i + 1))
        app = App(workdir, tool)
        host = server.url.split("//", 1)[1]
        app.text_shown("Connected to %s (Immich 3.2.2) as " % host)
        assert not app.find_all(name="Welcome"), "a configured app must not show the welcome page"
        app.find("label", contains="Album: PhotoBooth")
        app.text_shown("free of")   # the booth's disk
        app.text_shown("Never")     # nothing synced yet
        # the grid lists the photos; nothing sent them yet (sync on capture is off)
        app.button("IMG_0002.jpg: Not synced")
        app.screenshot("desktop-status-connected")

        # the main menu: Preferences, Keyboard Shortcuts, About
        press("F10")
        for item in ("Preferences", "Keyboard Shortcuts", "About PhotoBooth Immich Sync"):
            app.find(None, item)
        press("Escape")
        # the menu gone first: a key pressed while it closes may reach it
        # (CI, a loaded machine: the window never came)
        app.wait_gone(None, "About PhotoBooth Immich Sync")
        press("ctrl+question")
        shortcuts = app.window("Keyboard Shortcuts", timeout=30)
        app.find("label", "Select all photos", root=shortcuts)
    finally:
        if app:
            app.stop()
        server.stop()


def test_sync_all_counts_and_badges(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        sums = set()
        for i in range(8):
            sums.add(make_jpeg(os.path.join(folder, "IMG_%04d.jpg" % i), "Booth %d" % (i + 1)))
        # one the server has already: a duplicate
        dup = os.path.join(workdir, "dup.jpg")
        make_jpeg(dup, "Booth 1")
        app = App(workdir, tool)
        app.text_shown("Connected to")
        assert app.count("Uploaded") == 0
        app.click("Sync All Photos")
        wait_for(lambda: server.state()["assets"] == 8, 60, what="8 photos on the fake server")
        state = server.state()
        assert {a["checksum"] for a in state["asset_list"]} == sums
        # the album adds follow the uploads in batches: all 8 land there
        wait_for(lambda: [len(a["assets"]) for a in server.album("PhotoBooth")] == [8], 30,
                 what="the 8 photos in the one album PhotoBooth")
        wait_for(lambda: app.count("Uploaded") == 8, 10, what="the Uploaded count to reach 8")
        assert app.count("Pending") == 0 and app.count("Failed") == 0
        for i in range(8):
            app.button("IMG_%04d.jpg: Synced" % i)
        app.text_shown("8 photos on the server")
        app.text_shown("just now")   # last sync
        assert mean_brightness(app.screenshot("desktop-after-sync")) > 0.6, "light style"
        # tapping a badge explains it
        app.click("IMG_0003.jpg: Synced")
        app.text_shown("On the server and in the album.")
    finally:
        if app:
            app.stop()
        server.stop()


def test_dark_style(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server, auto=True)
        for i in range(6):
            make_jpeg(os.path.join(folder, "IMG_%04d.jpg" % i), "Night %d" % (i + 1))
        app = App(workdir, tool, env={"ADW_DEBUG_COLOR_SCHEME": "prefer-dark"})
        for i in range(6):
            app.button("IMG_%04d.jpg: Synced" % i, timeout=30)
        app.text_shown("6 photos on the server")
        brightness = mean_brightness(app.screenshot("desktop-dark"))
        assert brightness < 0.35, "the dark style is not dark: mean brightness %.2f" % brightness
    finally:
        if app:
            app.stop()
        server.stop()


def test_new_capture_appears_and_turns_synced(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server, on_capture=True)
        app = App(workdir, tool)
        app.text_shown("Connected to")
        app.text_shown("No Photos Yet")
        tmp = os.path.join(workdir, "new.jpg")
        sha = make_jpeg(tmp, "Smile!")
        os.rename(tmp, os.path.join(folder, "IMG_1234.jpg"))   # as a camera moves it in
        app.find("label", "IMG_1234.jpg", timeout=20)
        app.button("IMG_1234.jpg: Synced", timeout=30)
        assert sha in server.checksums()
        wait_for(lambda: app.count("Uploaded") == 1, 10, what="the Uploaded count")
    finally:
        if app:
            app.stop()
        server.stop()


def test_sync_selected_into_another_album(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        for i in range(4):
            make_jpeg(os.path.join(folder, "IMG_%04d.jpg" % i), "Guest %d" % i)
        app = App(workdir, tool)
        app.text_shown("Connected to")
        sync_selected = app.button("Sync Selected")
        assert not sync_selected.sensitive, "nothing is selected yet"
        # select one photo
        app.select_photo("IMG_0002.jpg")
        wait_for(lambda: sync_selected.sensitive, 10, what="Sync Selected to be enabled")
        sync_selected.doActionNamed("click")
        app.text_shown("Sync 1 Photo")
        app.find("text", "Album Name")   # focused, its text selected: typing replaces it
        type_text("Grandma's Table")
        app.respond("Sync")
        wait_for(lambda: server.album_assets("Grandma's Table"), 30,
                 what="the photo in the other album")
        state = server.state()
        assert state["assets"] == 1, state
        assert state["asset_list"][0]["checksum"] == sha1_of(os.path.join(folder, "IMG_0002.jpg"))
        assert not server.album_assets("PhotoBooth"), "only the other album was asked for"
        app.button("IMG_0002.jpg: Synced", timeout=15)
        app.button("IMG_0001.jpg: Not synced")
    finally:
        if app:
            app.stop()
        server.stop()


def test_failed_photo_says_why_and_retry_failed_sends_it(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        make_jpeg(os.path.join(folder, "IMG_0001.jpg"), "Too big", size="1600x1200")
        server.faults(max_body_bytes=1000)    # the proxy refuses the upload (413)
        app = App(workdir, tool)
        app.text_shown("Connected to")
        app.click("Sync All Photos")
        badge = wait_for(lambda: next(iter(app.find_all("push button",
                                                        contains="IMG_0001.jpg: Failed") +
                                           app.find_all("push button",
                                                        contains="IMG_0001.jpg: Refused")),
                                      None), 60, what="the photo to fail")
        wait_for(lambda: app.count("Failed") == 1, 10, what="the Failed count")
        badge.doActionNamed("click")            # the reason, on tap
        reason = app.find("label", contains="\n\n")   # the explanation, then the reason
        assert "too large" in reason.name, reason.name
        # the photo's own size, in units that fit it (issue 10: it said "(0.0 MB)")
        size = os.path.getsize(os.path.join(folder, "IMG_0001.jpg"))
        shown = re.search(r"too large \(([0-9.]+)\s(kB|MB)\)", reason.name)
        assert shown, reason.name
        value = float(shown.group(1)) * (1000 if shown.group(2) == "kB" else 1000000)
        assert value > 0 and abs(value - size) <= size * 0.05 + 100, (reason.name, size)
        server.faults(max_body_bytes=0)
        app.click("Retry Failed")
        app.button("IMG_0001.jpg: Synced", timeout=60)
        assert server.state()["assets"] == 1
        wait_for(lambda: app.count("Failed") == 0, 10, what="the Failed count to clear")
    finally:
        if app:
            app.stop()
        server.stop()


def test_wrong_key_says_refused(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server, key="not-the-right-key")
        app = App(workdir, tool)
        app.text_shown("API key refused", timeout=20)
        app.screenshot("desktop-key-refused")
    finally:
        if app:
            app.stop()
        server.stop()


def test_unreachable_server_says_retrying(workdir):
    server = FakeServer()
    server.stop()   # nothing listens on its port any more
    app = None
    try:
        tool, folder = configured(workdir, server)
        app = App(workdir, tool)
        app.text_shown("Server unreachable — retrying", timeout=30)
    finally:
        if app:
            app.stop()



def test_free_space_on_the_server_and_its_warning(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        make_jpeg(os.path.join(folder, "IMG_0001.jpg"), "Space")
        server._call("/__fake/config", {"diskSize": 500 * 10**9, "diskAvailable": 300 * 10**9})
        app = App(workdir, tool)
        app.text_shown("Connected to")
        row = app.text_shown("Free space on the server", timeout=20)
        app.text_shown("300.0\u00a0GB free of 500.0\u00a0GB")
        # the booth's own disk stays beside it
        app.text_shown("Free space on this booth")
        assert "getting full" not in " ".join(app.shown_names())
        # the server fills up: after the next upload the page warns, in words
        server._call("/__fake/config", {"diskSize": 500 * 10**9, "diskAvailable": 10**9})
        app.click("Sync All Photos")
        app.text_shown("The server’s disk is getting full", timeout=60)
        app.text_shown("1.0\u00a0GB free of 500.0\u00a0GB")
        assert row is not None
    finally:
        if app:
            app.stop()
        server.stop()


def retry_countdown(app):
    """The seconds in "retrying in N s" on the connection row, or None."""
    for node in app.find_all(None, contains="Server unreachable — retrying in "):
        m = re.search(r"retrying in (\d+)\s*s\b", node.name)
        if m:
            return int(m.group(1))
    return None


def test_server_down_counts_down_to_the_next_try(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        server.faults(down_ms=14000)   # refuses connections for 14 s, then is back
        app = App(workdir, tool)
        first = wait_for(lambda: retry_countdown(app), 20, interval=0.2,
                         what="the retry countdown")
        assert 1 <= first <= 60, first
        # live: the number moves on its own, about once a second
        seen = {first}
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and len(seen) < 3:
            n = retry_countdown(app)
            if n is not None:
                seen.add(n)
            time.sleep(0.25)
        assert len(seen) >= 2, seen
        # the server is back: connected, and no countdown left
        app.text_shown("Connected to", timeout=40)
        assert retry_countdown(app) is None
        app.screenshot("status-connected-after-retry", publish=False)
    finally:
        if app:
            app.stop()
        server.stop()


def test_upload_in_flight_has_its_own_progress(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        make_jpeg(os.path.join(folder, "IMG_0042.jpg"), "In flight", size="2400x1600")
        app = App(workdir, tool)
        app.text_shown("Connected to")
        server.faults(latency_ms=2500)    # every answer takes its time: the upload shows
        app.click("Sync All Photos")
        row = app.text_shown("Uploading IMG_0042.jpg — ", timeout=60)
        m = re.search(r"— ([0-9.]+)\s(bytes|kB|MB) of ([0-9.]+)\s(kB|MB)", row.name)
        assert m, row.name
        total = float(m.group(3)) * (1000 if m.group(4) == "kB" else 1000000)
        size = os.path.getsize(os.path.join(folder, "IMG_0042.jpg"))
        # the upload is the photo plus a little multipart framing
        assert size <= total <= size * 1.05 + 5000, (row.name, size)
        server.faults(latency_ms=0)
        app.button("IMG_0042.jpg: Synced", timeout=60)
        app.wait_gone(None, contains="Uploading IMG_0042.jpg", timeout=10)
    finally:
        if app:
            app.stop()
        server.stop()


def test_sqlite_change_shows_within_two_seconds(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        app = App(workdir, tool)
        app.find("label", contains="Album: PhotoBooth")
        # what one look through the accessibility tree takes on this machine
        # (slow on a loaded one) is the test's own delay, not the app's: the
        # change can land just after a look began, then comes the 0.2 s pause
        # and a second look
        t0 = time.monotonic()
        app.find("label", contains="Album: PhotoBooth")
        look = time.monotonic() - t0
        tool.sql("UPDATE settings SET value='Birthday2024' WHERE key='immich_album_name'")
        start = time.monotonic()
        app.find("label", "Album: Birthday2024", timeout=5)
        took = time.monotonic() - start
        assert took <= 2.0 + 0.2 + 2 * look, \
            "the album name took %.1f s to show (a look takes %.1f s)" % (took, look)
        # pausing from the database shows too
        tool.sql("UPDATE settings SET value='false' WHERE key='immich_enabled'")
        app.text_shown("Sync is paused", timeout=5)
        app.button("Resume Sync")
    finally:
        if app:
            app.stop()
        server.stop()


def test_second_engine_on_same_database_is_read_only(workdir):
    server = FakeServer()
    app = None
    watch = None
    try:
        tool, folder = configured(workdir, server)
        watch = tool.spawn("watch", folder)
        wait_for(lambda: "Watching" in open(watch.logfile.name).read(), 15,
                 what="photobooth-immich watch to start")
        app = App(workdir, tool)
        app.text_shown("Read-only: another program syncs this database")
        app.text_shown("photobooth-immich watch (process %d) already syncs" % watch.pid)
        assert not app.button("Sync All Photos").sensitive
        assert not app.button("Pause Sync").sensitive
        # the status still shows what the other one does
        make_jpeg(os.path.join(folder, "IMG_0001.jpg"), "Watched")
        wait_for(lambda: server.state()["assets"] == 1, 30, what="watch to upload")
        wait_for(lambda: app.count("Uploaded") == 1, 10, what="the count read from the store")
        app.text_shown("1 photo on the server")
        app.screenshot("desktop-read-only")
        app.stop()
        app = None
        tool.finish(watch)

        # the other way round: the app syncs, a watch is refused
        app = App(workdir, tool, name="app2")
        app.text_shown("Connected to")
        refused = tool.run("watch", folder, timeout=30)
        assert refused.returncode == 4, refused.stderr
        assert "photobooth-immich-sync (process %d) already syncs" % app.proc.pid in \
            refused.stderr, refused.stderr
        # one-shot commands work beside it
        assert tool.run("status", check=True).returncode == 0

        # a second launch of the app: one process per session; it raises the
        # window for the same database and refuses another one
        env = dict(tool.env, GTK_A11Y="none")
        same = subprocess.run([APP, "--database", tool.db], env=env, capture_output=True,
                              text=True, timeout=30)
        assert same.returncode == 0, same.stderr
        other = subprocess.run([APP, "--database", os.path.join(workdir, "other.db")], env=env,
                               capture_output=True, text=True, timeout=30)
        assert other.returncode == 1, (other.returncode, other.stderr)
        assert "already runs with the database %s" % tool.db in other.stderr, other.stderr
        assert not os.path.exists(os.path.join(workdir, "other.db")), "it opened the other one"
        assert app.proc.poll() is None
    finally:
        if app:
            app.stop()
        if watch:
            tool.finish(watch)
        server.stop()


def moved(before, after):
    """The two screenshots differ (ImageMagick counts the pixels)."""
    p = subprocess.run(["compare", "-metric", "AE", before, after, "null:"],
                       capture_output=True, text=True)
    return float(p.stderr.split()[0]) > 1000


def test_10000_captures_scroll_without_stalls(workdir):
    """The grid over a folder of 10,000 captures opens and scrolls while the
    main loop keeps ticking (PBI_STALL_REPORT: the longest gap between 5 ms
    ticks, measured from SIGUSR2, once the folder is listed)."""
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server, enabled=False)
        first = os.path.join(folder, "IMG_00000.jpg")
        make_jpeg(first, "Ten thousand", size="320x240")
        for i in range(1, 10000):
            os.link(first, os.path.join(folder, "IMG_%05d.jpg" % i))
        report = os.path.join(workdir, "stall.json")
        app = App(workdir, tool, env={"PBI_STALL_REPORT": report, "GSK_RENDERER": "cairo"})
        top = app.find("label", contains="IMG_", timeout=60)
        before = shutil.copy(app.screenshot("grid-top", publish=False), os.path.join(workdir, "top.png"))
        app.proc.send_signal(signal.SIGUSR2)    # the measurement starts
        wait_for(lambda: os.path.exists(report), 10, what="the probe to start anew")
        os.unlink(report)
        # into the grid with a click, then down with the wheel and the keys, and
        # a moment for the thumbnails of what came into view
        x, y, w, h = extents(top)
        subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y - 40), "click", "1"],
                       check=True)
        subprocess.run(["xdotool", "click", "--repeat", "40", "--delay", "10", "5"], check=True)
        for _ in range(15):
            press("Page_Down")
        time.sleep(2)
        app.proc.send_signal(signal.SIGUSR2)    # ... and ends
        wait_for(lambda: os.path.exists(report), 10, what="the stall report")
        stalls = json.load(open(report))
        print("# main loop while scrolling 10,000 captures: %s" % stalls)
        assert moved(before, app.screenshot("grid-scrolled", publish=False)), "the grid did not scroll"
        assert stalls["ticks"] > 100, stalls
        # Drawn with GTK's cairo renderer: under Xvfb the GL one is Mesa's
        # software rasteriser, whose frames on a busy 2-core machine measure
        # the machine, not the grid. Measured here: 80-160 ms under load 9;
        # 500 ms catches a grid that blocks (a compare-function sort of the
        # 10,000 took 3.4 s). The benchmark issue measures the booth itself.
        # Under ASan the same scroll measured up to 1.3 s beside the other
        # tests; 2.5 s there still catches that sort (slower there too).
        limit = 2500 if SANITIZED else 500
        assert stalls["max_stall_ms"] < limit, "the main loop stalled: %s" % stalls
    finally:
        if app:
            app.stop()
        server.stop()

if __name__ == "__main__":
    run_tests(globals())
