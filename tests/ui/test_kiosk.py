#!/usr/bin/env python3
"""UI acceptance (issue 10): kiosk mode on the booth's touchscreen (the Xvfb
screen is 800x480 or 1024x600, see meson.build): full screen, touch targets
of at least 48 px, a sync in progress readable, preferences and quit behind
the PIN (stored hashed, never shown)."""

import os

from uitest import (App, FakeServer, configured, extents, make_jpeg, pin_hash, press,
                    run_tests, type_text, wait_for)

SCREEN = os.environ.get("PBI_SCREEN", "800x480")
WIDTH, HEIGHT = (int(v) for v in SCREEN.split("x"))


def test_full_screen_touch_targets_and_progress(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        for i in range(24):
            make_jpeg(os.path.join(folder, "IMG_%04d.jpg" % i), "Guest %d" % (i + 1),
                      size="1600x1200")
        server.faults(latency_ms=250)   # slow enough to see the run progress
        app = App(workdir, tool, args=["--kiosk"])
        frame = app.window("PhotoBooth Immich Sync")
        # the whole screen, less the frame GTK draws itself when no window
        # manager takes the window full screen (Xvfb has none)
        wait_for(lambda: WIDTH - 12 <= extents(frame)[2] <= WIDTH and
                 HEIGHT - 12 <= extents(frame)[3] <= HEIGHT, 15,
                 what="the window to fill the %s screen (it is %s)" % (SCREEN, extents(frame)))
        app.text_shown("Connected to")
        app.click("Sync All Photos")
        app.find("label", contains=" of 24 photos", timeout=30)
        app.screenshot("kiosk-%s-syncing" % SCREEN)

        # every control a finger may touch is at least 48 x 48 px
        small = []
        for b in app.find_all("push button", root=frame):
            x, y, w, h = extents(b)
            if b.name and (w < 48 or h < 48):
                small.append("%r %dx%d" % (b.name, w, h))
        assert not small, "touch targets under 48 px: %s" % small
        # no text or button runs off the screen (2 px of slack: GTK reports
        # some frames from -1); photos scrolled out of the grid's view may
        for n in app.find_all(root=frame):
            if n.roleName not in ("label", "push button"):
                continue
            x, y, w, h = extents(n)
            if x >= -2 and y >= -2 and x + w <= WIDTH + 2 and y + h <= HEIGHT + 2:
                continue
            assert _inside_grid(n) or _hidden(n), \
                "%s %r at %s is off the %s screen" % (n.roleName, n.name, (x, y, w, h), SCREEN)

        server.faults(latency_ms=0)
        wait_for(lambda: server.state()["assets"] == 24, 120, what="the run to finish")
        wait_for(lambda: app.count("Uploaded") == 24, 15, what="the count to reach 24")
    finally:
        if app:
            app.stop()
        server.stop()



def test_free_space_rows_readable(workdir):
    """Both free-space rows on the booth's screen, the server's warning in full."""
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        server._call("/__fake/config", {"diskSize": 500 * 10**9, "diskAvailable": 10**9})
        app = App(workdir, tool, args=["--kiosk"])
        frame = app.window("PhotoBooth Immich Sync")
        app.text_shown("Connected to")
        row = app.text_shown("The server’s disk is getting full", timeout=30)
        x, y, w, h = extents(row)
        assert x >= -2 and x + w <= WIDTH + 2, (row.name, (x, y, w, h))
        app.text_shown("Free space on this booth")
        app.screenshot("kiosk-%s-free-space" % SCREEN)
        assert frame is not None
    finally:
        if app:
            app.stop()
        server.stop()


def _inside_grid(node):
    """Cells scrolled out of the grid's view may lie beyond the screen."""
    n = node
    while n is not None:
        if n.roleName == "table" and n.name == "Recent Photos":
            return True
        n = n.parent
    return False


def _hidden(node):
    """In a part not shown (a stack page not in view keeps its old size)."""
    n = node
    while n is not None and n.roleName != "frame":
        if not n.visible:
            return True
        n = n.parent
    return False


def test_pin_keeps_preferences_closed(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        tool.run("config", "set", "immich_kiosk_pin", pin_hash("4711"), check=True)
        app = App(workdir, tool, args=["--kiosk"])
        app.text_shown("Connected to")

        press("ctrl+comma")
        app.text_shown("Enter the Kiosk PIN")
        assert "Preferences" not in app.windows(), app.windows()
        app.find("text", "PIN")
        type_text("0000")
        press("Return")
        app.text_shown("That PIN is not right. Try again.")
        assert "Preferences" not in app.windows(), app.windows()

        # Cancel keeps it closed too
        app.respond("Cancel")
        app.wait_gone(contains="That PIN is not right")
        assert "Preferences" not in app.windows(), app.windows()

        press("ctrl+comma")
        app.text_shown("Enter the Kiosk PIN")
        type_text("4711")
        press("Return")
        app.window("Preferences")
        # the PIN is never shown, typed or stored
        assert not app.find_all(contains="4711")
        assert "4711" not in tool.run("config", "get", "immich_kiosk_pin").stdout
    finally:
        if app:
            app.stop()
        server.stop()


def test_quit_needs_pin(workdir):
    server = FakeServer()
    app = None
    try:
        tool, folder = configured(workdir, server)
        tool.run("config", "set", "immich_kiosk_pin", pin_hash("2468"), check=True)
        tool.run("config", "set", "immich_kiosk_mode", "true", check=True)  # the setting, no flag
        app = App(workdir, tool)
        app.text_shown("Connected to")
        press("ctrl+q")
        app.text_shown("Enter the Kiosk PIN")
        app.respond("Cancel")
        app.wait_gone(contains="Enter the Kiosk PIN")
        assert app.proc.poll() is None, "the app quit without the PIN"
        press("ctrl+q")
        app.text_shown("Enter the Kiosk PIN")
        type_text("2468")
        press("Return")
        app.proc.wait(15)
    finally:
        if app:
            app.stop()
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
