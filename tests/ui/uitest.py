"""Harness for the GTK app's UI tests (suite `ui`).

Each test file runs under `dbus-run-session -- xvfb-run` (see meson.build);
this module starts the fake Immich server and the app with a private
database configured through the CLI, finds widgets the way a screen reader
does (AT-SPI, through dogtail: role and accessible name), takes screenshots
of the app's own rendering (PBI_SCREENSHOT + SIGUSR1), and stops everything.
Every wait is on a condition with a bounded timeout.

Everything talks to 127.0.0.1 only.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from pbitest import (KEY, SANITIZED, FakeServer, Tool, make_photo, run_tests, sha1_of,  # noqa: E402,F401,E501
                     wait_for)

APP = os.environ.get("PBI_APP", "photobooth-immich-sync")

# meson.build hands TAP its own descriptor: stdout carries what the D-Bus
# session's daemons and dogtail print
class _TapOnly:
    """Lines that are TAP go to the TAP descriptor, anything else (dogtail
    prints its own notes) to stderr."""

    def __init__(self, fd):
        self.tap = os.fdopen(fd, "w", buffering=1)
        self.pending = ""

    def write(self, text):
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            tap = line.startswith(("ok ", "not ok ", "1..", "#", "Bail out!"))
            (self.tap if tap else sys.stderr).write(line + "\n")
        return len(text)

    def flush(self):
        self.tap.flush()
        sys.stderr.flush()


if os.environ.get("PBI_TAP_FD"):
    sys.stdout = _TapOnly(int(os.environ["PBI_TAP_FD"]))
SCREENSHOT_DIR = os.environ.get("PBI_SCREENSHOT_DIR")  # docs/screenshots when set

os.environ.setdefault("GTK_A11Y", "atspi")
os.environ.pop("NO_AT_BRIDGE", None)
# dogtail reads toolkit-accessibility from dconf, absent here (tests use the
# memory backend), or this variable; GTK 4 talks AT-SPI regardless.
os.environ["GTK_MODULES"] = "gail:atk-bridge"

from dogtail import config as dogtail_config  # noqa: E402
import pyatspi  # noqa: E402
from dogtail import rawinput, tree  # noqa: E402

dogtail_config.searchCutoffCount = 1
dogtail_config.searchBackoffDuration = 0.1
dogtail_config.actionDelay = 0.1
dogtail_config.defaultDelay = 0.1
dogtail_config.logDebugToStdOut = False
dogtail_config.logDebugToFile = False


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def make_jpeg(path, label, size="640x480", hue=None):
    """A real, decodable JPEG (so thumbnails show), different per label."""
    h = hue if hue is not None else int(hashlib.sha1(label.encode()).hexdigest()[:2], 16) * 360 // 256
    subprocess.run(["convert", "-size", size, "xc:hsl(%d,55%%,55%%)" % h,
                    "-font", FONT, "-fill", "white", "-pointsize", "72", "-gravity", "center",
                    "-annotate", "+0+0", label, path], check=True)
    return sha1_of(path)


def pin_hash(pin, salt="0123456789abcdef"):
    """What the app stores in kiosk-pin: sha256$SALT$hex(sha256(SALT$PIN))."""
    return "sha256$%s$%s" % (salt, hashlib.sha256(("%s$%s" % (salt, pin)).encode()).hexdigest())


def extents(node):
    """x, y, width, height in window coordinates (GTK 4 has no screen ones)."""
    e = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    return e.x, e.y, e.width, e.height


def shown(node):
    """On screen: GTK 4.8 sets no SHOWING state on children, but what is not
    drawn (a hidden stack page, say) has no size."""
    x, y, w, h = extents(node)
    return w > 0 and h > 0


def click_at(node):
    """A pointer click in the middle of NODE (Xvfb has no window manager:
    the window sits at the screen's origin)."""
    x, y, w, h = extents(node)
    rawinput.click(x + w // 2, y + h // 2)


def mean_brightness(png):
    """0 (black) to 1 (white), averaged over the picture (ImageMagick)."""
    out = subprocess.run(["convert", png, "-colorspace", "Gray", "-format", "%[fx:mean]", "info:"],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def type_text(text):
    """Types into the focused widget (XTest through xdotool: GTK 4.8 entries
    expose no editable text over AT-SPI)."""
    subprocess.run(["xdotool", "type", "--delay", "20", text], check=True)


def press(key):
    subprocess.run(["xdotool", "key", key], check=True)


class App:
    """photobooth-immich-sync with a private database, driven over AT-SPI."""

    def __init__(self, workdir, tool, args=(), env=None, name="app"):
        self.workdir = workdir
        self.tool = tool
        self.shot = os.path.join(workdir, "screenshot.png")
        e = dict(tool.env)
        e.update({
            "PBI_SCREENSHOT": self.shot,
            "XDG_CACHE_HOME": os.path.join(workdir, "cache"),
            "XDG_CONFIG_HOME": os.path.join(workdir, "config"),
            "GTK_A11Y": "atspi",
            "LANGUAGE": "en",
            "G_DEBUG": "fatal-criticals",
        })
        e.pop("NO_AT_BRIDGE", None)
        e.pop("GTK_MODULES", None)
        e.update(env or {})
        self.log = open(os.path.join(workdir, name + ".log"), "w+")
        self.proc = subprocess.Popen([APP, "--database", tool.db] + list(args), env=e,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            # generous: a loaded machine takes a while to bring up D-Bus, AT-SPI and GTK
            self.root = wait_for(self._find_app, 90, interval=0.3,
                                 what="the app on the AT-SPI bus")
        except BaseException:
            # the caller never gets this object to stop: do it here, or the next
            # test's app finds this one holding the application id
            self.stop()
            raise

    def _find_app(self):
        if self.proc.poll() is not None:
            raise AssertionError("the app exited with %d:\n%s" % (self.proc.returncode,
                                                                  self.output()))
        for a in tree.root.applications():
            try:
                if a.name == "photobooth-immich-sync" and a.get_process_id() == self.proc.pid:
                    return a
            except Exception:
                continue
        return None

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    # -- finding ------------------------------------------------------------

    def find_all(self, role=None, name=None, contains=None, showing=True, root=None):
        def match(n):
            try:
                if role is not None and n.roleName != role:
                    return False
                if name is not None and n.name != name:
                    return False
                if contains is not None and contains not in (n.name or ""):
                    return False
                return not showing or shown(n)
            except Exception:
                return False
        return (root or self.root).findChildren(match, isLambda=True)

    def find(self, role=None, name=None, contains=None, timeout=15, root=None):
        what = "%s %r" % (role or "widget", name or contains)
        try:
            return wait_for(lambda: next(iter(self.find_all(role, name, contains, root=root)),
                                         None),
                            timeout, interval=0.2, what=what)
        except AssertionError as e:
            raise AssertionError("%s; shown: %s" % (e, self.shown_names())) from None

    def shown_names(self):
        """Role and name of every named widget shown, for failure messages."""
        out = []
        for n in self.find_all():
            try:
                if n.name and n.roleName in ("label", "push button", "text", "frame",
                                             "list item", "dialog", "alert"):
                    out.append("%s %r%s" % (n.roleName, n.name,
                                            "" if n.sensitive else " (disabled)"))
            except Exception:
                continue
        return out

    def wait_gone(self, role=None, name=None, contains=None, timeout=15):
        wait_for(lambda: not self.find_all(role, name, contains), timeout, interval=0.2,
                 what="%r to go" % (name or contains))

    def text_shown(self, contains, timeout=15):
        return self.find(None, contains=contains, timeout=timeout)

    def button(self, name, timeout=15):
        return self.find("push button", name, timeout=timeout)

    def click(self, name, timeout=15):
        b = self.button(name, timeout)
        wait_for(lambda: b.sensitive, timeout, what="%r to be enabled" % name)
        b.doActionNamed("click")
        return b

    def select_photo(self, filename):
        """Selects one photo in the grid the way assistive technology does
        (AT-SPI Selection on the grid)."""
        grid = self.find("table", "Recent Photos")
        for i, cell in enumerate(grid.children):
            if cell.findChildren(lambda n: n.roleName == "label" and n.name == filename,
                                 isLambda=True):
                assert grid.querySelection().selectChild(i), "could not select %s" % filename
                return
        raise AssertionError("%s is not in the grid" % filename)

    def respond(self, label, timeout=15):
        """Presses a response of a message dialog. libadwaita 1.2 names those
        buttons "_Label Label", so they are found by their visible label."""
        dialog = wait_for(lambda: next((w for w in reversed(self.root.children)
                                        if w.roleName in ("dialog", "alert") and shown(w)), None),
                          timeout, what="a dialog")
        node = self.find("label", label, timeout=timeout, root=dialog)
        button = node.parent
        assert button.roleName == "push button", button.roleName
        button.doActionNamed("click")

    def count(self, caption):
        """The number on the status page's count, e.g. count("Uploaded")."""
        node = self.find("label", contains=caption + ": ")
        return int(node.name.split(": ", 1)[1].replace(",", "").replace("\u202f", ""))

    def window(self, name, timeout=15):
        return wait_for(lambda: next((w for w in self.root.children
                                      if w.name == name and shown(w)), None),
                        timeout, what="the window %r" % name)

    def windows(self):
        return [w.name for w in self.root.children if shown(w)]

    # -- screenshots ---------------------------------------------------------

    def screenshot(self, name, publish=True):
        """Saves the main window, as the app draws it, to the work dir and,
        when PBI_SCREENSHOT_DIR is set and PUBLISH, to NAME.png there."""
        if os.path.exists(self.shot):
            os.unlink(self.shot)
        self.proc.send_signal(signal.SIGUSR1)
        wait_for(lambda: os.path.exists(self.shot), 15, what="the screenshot")
        if SCREENSHOT_DIR and publish:
            os.makedirs(SCREENSHOT_DIR, exist_ok=True)
            shutil.copy(self.shot, os.path.join(SCREENSHOT_DIR, name + ".png"))
        return self.shot

    def stop(self):
        """Stops the app as systemd or a logout would (SIGTERM). It must quit
        cleanly: exit status 0 within 15 s (in the sanitizer build, a memory
        error or a leak found at exit makes the status non-zero)."""
        problem = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
                if self.proc.returncode != 0:
                    problem = "the app exited with %d on SIGTERM" % self.proc.returncode
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problem = "the app did not quit within 15 s of SIGTERM"
        out = self.output()
        self.log.close()
        if problem:
            raise AssertionError("%s:\n%s" % (problem, out[-6000:]))
        return out


def configured(workdir, server, key=KEY, captures=True, auto=False, on_capture=False,
               enabled=True):
    """A Tool (the CLI) with a database set up for SERVER, and a capture folder."""
    tool = Tool(workdir, server, key=key)
    folder = os.path.join(workdir, "captures")
    os.makedirs(folder, exist_ok=True)
    if captures:
        tool.run("config", "set", "immich_capture_folder", folder, check=True)
    tool.run("config", "set", "immich_auto_sync", "true" if auto else "false", check=True)
    tool.run("config", "set", "immich_sync_on_capture", "true" if on_capture else "false",
             check=True)
    tool.run("config", "set", "immich_enabled", "true" if enabled else "false", check=True)
    return tool, folder
