# test_welcome.py: the first-run page driven through AT-SPI against
# fake-immich: URL and key, Test Connection, album, capture folder, Start
# Syncing (sync ends up enabled in the database); the German page.
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import tempfile

from prefs_harness import Demo, Fake, Tap, enable_accessibility, is_on, wait_for

enable_accessibility()
tap = Tap()
fake = Fake()
fake.create_album('Birthday')
captures = tempfile.mkdtemp(prefix='pbi-captures-')
demo = Demo('welcome', size='900x1380')


def not_ready_at_first():
    demo.find_label('Next: enter the server URL and API key')
    assert not demo.find('push button', 'Start Syncing').sensitive
    assert demo.setting('enabled') in ('', 'false')


def connect():
    demo.type_into('Server URL', fake.url)
    demo.type_into('API Key', fake.key)
    demo.press('Test Connection')
    demo.find_label('Connected to Immich 3.2.2 as ')


def pick_album():
    # a working test loads the albums by itself
    birthday = demo.find('push button', 'Birthday')
    birthday.doActionNamed('click')
    demo.wait_setting('album-name', 'Birthday', timeout=5)
    wait_for('Birthday shown as chosen', lambda: is_on(birthday), 2)
    demo.find_label('Next: choose the capture folder.')
    assert not demo.find('push button', 'Start Syncing').sensitive


def pick_folder():
    # the typed path is the accessible way in (no native chooser under Xvfb)
    demo.type_into('Capture Folder Path', captures)
    demo.wait_setting('capture-folder', captures, timeout=5)
    demo.find_label('Ready: sync starts when you press Start Syncing.')
    demo.screenshot('welcome.png')


def start():
    demo.press('Start Syncing')
    demo.wait_setting('enabled', 'true', timeout=5)
    wait_for('the finished signal', lambda: demo.frame.name == 'Finished', 5)


try:
    tap.run('Start Syncing waits until everything is set', not_ready_at_first)
    tap.run('URL and key are tested', connect)
    tap.run('an album from the server is chosen', pick_album)
    tap.run('the capture folder is chosen', pick_folder)
    tap.run('Start Syncing turns sync on and finishes', start)
finally:
    demo.stop()

demo = Demo('welcome', size='900x1380',
            env={'LANGUAGE': 'de', 'LANG': 'de_DE.UTF-8', 'LC_ALL': 'de_DE.UTF-8'})
try:
    def german():
        demo.find('push button', 'Synchronisierung starten')
        demo.screenshot('welcome-de.png')
    tap.run('the German welcome page', german)
finally:
    demo.stop()
    fake.stop()
    os.rmdir(captures)
tap.done()
