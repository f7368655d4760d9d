# prefs_harness.py: a small private harness for the preferences and welcome
# tests (folded into tests/ui/uitest.py by the lead): starts fake-immich and
# prefs-demo over a temp database, finds widgets through AT-SPI (dogtail),
# reads and writes the settings table with the sqlite3 shell, and saves
# screenshots rendered by the app itself.
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

TIMEOUT = 20  # seconds any single wait may take

# The tests' GSETTINGS_BACKEND=memory would hide the session's
# toolkit-accessibility from dogtail (it reads it on import).
os.environ.pop('GSETTINGS_BACKEND', None)
# pyatspi warns about objects that vanish while it looks; not fatal here
# (prefs-demo itself runs with fatal criticals)
os.environ.pop('G_DEBUG', None)

_children = []


@atexit.register
def _stop_children():
    for p in _children:
        if p.poll() is None:
            p.kill()
            p.wait()


def log(msg):
    print('# ' + msg, flush=True)


def enable_accessibility():
    # dogtail needs the session's toolkit-accessibility on (DESIGN.md); meson
    # points XDG_CONFIG_HOME into the build tree, so dconf writes it there.
    subprocess.run(['gsettings', 'set', 'org.gnome.desktop.interface',
                    'toolkit-accessibility', 'true'], check=True)
    from dogtail.config import config
    config.logDebugToStdOut = False
    config.logDebugToFile = False
    config.searchShowingOnly = False


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for(what, predicate, timeout=TIMEOUT, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as e:  # a widget may be rebuilt while we look
            last = None
            err = e
        if last:
            return last
        time.sleep(interval)
    raise AssertionError('timed out after %ss waiting for %s' % (timeout, what))


def is_on(node):
    """A switch, check or toggle button is on (checked or pressed)."""
    import pyatspi
    states = node.getState()
    return states.contains(pyatspi.STATE_CHECKED) or states.contains(pyatspi.STATE_PRESSED)


class Fake:
    """fake-immich on 127.0.0.1 with one full-access key."""

    def __init__(self, key='secret', version='3.2.2', extra_keys=(), tls=False):
        self.key = key
        args = [os.environ['PBI_FAKE_IMMICH'], '--port', '0', '--api-version', version,
                '--api-key', key]
        for k in extra_keys:
            args += ['--api-key', k]
        if tls:
            srcdir = os.path.join(os.path.dirname(__file__), '..', 'fake-immich')
            args += ['--tls-cert', os.path.join(srcdir, 'test-cert.pem'),
                     '--tls-key', os.path.join(srcdir, 'test-key.pem')]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        _children.append(self.proc)
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith('http%s://127.0.0.1:' % ('s' if tls else '')), self.url
        log('fake-immich at ' + self.url)

    def api(self, method, path, body=None):
        assert self.url.startswith('http://'), 'the control API is used over http only here'
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={'x-api-key': self.key,
                                              'content-type': 'application/json'})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b'null')

    def create_album(self, name):
        return self.api('POST', '/api/albums', {'albumName': name})

    def state(self):
        with urllib.request.urlopen(self.url + '/__fake/state', timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Demo:
    """prefs-demo (the preferences window or the welcome page) over a temp database."""

    def __init__(self, mode, size=None, env=None, tmpdir=None):
        self.dir = tmpdir or tempfile.mkdtemp(prefix='pbi-prefs-test-')
        self.db = os.path.join(self.dir, 'photobooth.db')
        self.shot_request = os.path.join(self.dir, 'shot-request')
        e = dict(os.environ)
        e['PBI_SHOT_REQUEST'] = self.shot_request
        e['G_DEBUG'] = 'fatal-criticals'
        # Xvfb has only llvmpipe GL: on a busy machine it renders a tall
        # window so slowly that spinners starve the main loop
        e.setdefault('GSK_RENDERER', 'cairo')
        if env:
            e.update(env)
        args = [os.environ['PBI_PREFS_DEMO'], '--database', self.db]
        if size:
            args += ['--size', size]
        args.append(mode)
        self.proc = subprocess.Popen(args, env=e)
        _children.append(self.proc)
        from dogtail import tree
        self.app = wait_for('the prefs-demo window in the accessibility tree',
                            lambda: self._find_app(tree))
        self.frame = wait_for('a frame', lambda: self.app.child(roleName='frame', retry=False))

    def _find_app(self, tree):
        for a in tree.root.applications():
            if a.name == 'prefs-demo':
                return a
        return None

    # --- finding and using widgets ---------------------------------------

    # GTK 4.8 does not set the SHOWING state; names here are unique anyway
    def find(self, role, name, timeout=TIMEOUT):
        def look():
            for n in self.app.findChildren(lambda x: x.roleName == role and x.name == name):
                return n
            return None
        try:
            return wait_for('%s "%s"' % (role, name), look, timeout)
        except AssertionError:
            log('%s names: %r' % (role, [n.name for n in self.app.findChildren(
                lambda x: x.roleName == role)]))
            raise

    def find_label(self, text, timeout=TIMEOUT):
        """A label that contains text."""
        def look():
            for n in self.app.findChildren(lambda x: x.roleName == 'label' and text in x.name):
                return n
            return None
        return wait_for('a label with "%s"' % text, look, timeout)

    def press(self, name):
        button = self.find('push button', name)
        assert button.sensitive, '"%s" is not sensitive' % name
        button.doActionNamed('click')

    def type_into(self, name, text):
        """Puts text into the entry named name through AT-SPI EditableText,
        as an on-screen keyboard does. (Xvfb has no window manager to give
        the window keyboard focus, and libadwaita 1.2 shows an entry row's
        Apply button only while it has focus: the app saves on Test
        Connection, or on its own when typing pauses.)"""
        entry = self.find('text', name)
        assert entry.queryEditableText().setTextContents(text), 'cannot edit "%s"' % name
        return entry

    # --- the settings table ----------------------------------------------

    def setting(self, key):
        out = subprocess.run(['sqlite3', self.db,
                              "SELECT value FROM settings WHERE key = 'immich_%s';"
                              % key.replace('-', '_')],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def set_setting(self, key, value):
        subprocess.run(['sqlite3', self.db,
                        "INSERT INTO settings (key, value) VALUES ('immich_%s', '%s') "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
                        % (key.replace('-', '_'), value)],
                       check=True)

    def wait_setting(self, key, value, timeout=TIMEOUT):
        return wait_for('setting %s = %r (is %r)' % (key, value, self.setting(key)),
                        lambda: self.setting(key) == value, timeout)

    # --- screenshots -------------------------------------------------------

    def screenshot(self, name):
        target = os.environ.get('PBI_SCREENSHOT_DIR')
        if not target:
            return
        os.makedirs(target, exist_ok=True)
        time.sleep(0.5)  # let animations (spinners, expanders) settle
        tmp = os.path.join(self.dir, name)
        with open(self.shot_request, 'w') as f:
            f.write(tmp)
        self.proc.send_signal(signal.SIGUSR1)
        wait_for('screenshot ' + name, lambda: os.path.exists(tmp) and os.path.getsize(tmp) > 0)
        time.sleep(0.2)
        shutil.copyfile(tmp, os.path.join(target, name))
        log('screenshot ' + os.path.join(target, name))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tap:
    """Minimal TAP output: one line per check."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what):
        self.n += 1
        print('%s %d - %s' % ('ok' if cond else 'not ok', self.n, what), flush=True)
        if not cond:
            self.failed += 1

    def run(self, what, fn):
        try:
            fn()
            self.ok(True, what)
        except Exception as e:
            log('%s: %s' % (what, e))
            self.ok(False, what)

    def done(self):
        print('1..%d' % self.n, flush=True)
        sys.exit(1 if self.failed else 0)
