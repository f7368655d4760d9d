# test_prefs.py: the preferences window driven through AT-SPI against
# fake-immich: URL and key, Test Connection (refused, unreachable, working),
# Load Albums, picking an album, Test Upload, outside changes, German UI.
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import time

from prefs_harness import (Demo, Fake, Tap, enable_accessibility, free_port, is_on, log,
                           wait_for)

enable_accessibility()
tap = Tap()
fake = Fake()
fake.create_album('Birthday')
fake.create_album('Wedding')
demo = Demo('preferences', size='720x1320')


def unreachable():
    port = free_port()  # nothing listens there
    demo.type_into('Server URL', 'http://127.0.0.1:%d' % port)
    demo.type_into('API Key', 'secret')
    demo.press('Test Connection')
    demo.find_label('Server unreachable')
    demo.screenshot('preferences-test-failed.png')


def url_validated_as_typed():
    demo.type_into('Server URL', 'htp:/127.0.0.1')
    demo.find_label('The address “htp:/127.0.0.1”')
    # not saved while it is wrong (a usable one is saved 0.8 s after typing)
    time.sleep(1.5)
    assert demo.setting('server-url').startswith('http://127.0.0.1:'), demo.setting('server-url')


def wrong_key():
    demo.type_into('Server URL', fake.url)
    demo.type_into('API Key', 'not-the-key')
    demo.press('Test Connection')
    demo.find_label('API key refused')


def connection_works():
    demo.type_into('API Key', fake.key)
    demo.press('Test Connection')
    demo.find_label('Connected to Immich 3.2.2 as ')
    demo.find_label('The key has every permission sync needs.')
    # the saved key is never shown again: the entry is empty
    assert demo.find('text', 'API Key').text == '', 'the API key entry shows text'
    demo.find_label('Saved — type a new key above to replace it')
    assert demo.setting('api-key') == fake.key
    assert demo.setting('server-url') == fake.url


def load_and_pick_album():
    demo.press('Load Albums')
    # the toggle buttons in a group GTK 4.8 exposes as push buttons
    birthday = demo.find('push button', 'Birthday')
    demo.find('push button', 'Wedding')
    assert not is_on(birthday)
    demo.find_label('2 albums of yours')
    birthday.doActionNamed('click')
    demo.wait_setting('album-name', 'Birthday', timeout=5)
    wait_for('Birthday shown as chosen', lambda: is_on(birthday), 2)
    demo.screenshot('preferences.png')


def test_upload():
    demo.press('Test Upload')
    demo.find_label('Uploaded to album “Birthday”', timeout=60)
    state = fake.state()
    album = [a for a in state['albums'] if a['name'] == 'Birthday'][0]
    assert len(album['assets']) == 1, album
    asset = [a for a in state['asset_list'] if a['id'] == album['assets'][0]][0]
    assert asset['filename'].startswith('photobooth-immich-test-'), asset


def outside_change():
    demo.set_setting('album-name', 'Changed Outside')
    start = time.monotonic()
    demo.find_label('Changed Outside', timeout=2.5)
    log('outside album change showed after %.1f s' % (time.monotonic() - start))
    switch = demo.find('check box', 'Enable Immich Sync')
    assert not is_on(switch)
    demo.set_setting('enabled', 'true')
    wait_for('the Enable switch on', lambda: is_on(switch), timeout=2.5)


try:
    tap.run('unreachable server shows "Server unreachable"', unreachable)
    tap.run('server URL is validated as typed, with the reason', url_validated_as_typed)
    tap.run('wrong key shows "API key refused"', wrong_key)
    tap.run('Test Connection names version, user and permissions', connection_works)
    tap.run('Load Albums fills the picker; picking one saves album-name', load_and_pick_album)
    tap.run('Test Upload puts a sample photo into the album', test_upload)
    tap.run('a change in the settings table shows within 2 s', outside_change)
finally:
    demo.stop()

# the German UI
demo = Demo('preferences', size='720x1320',
            env={'LANGUAGE': 'de', 'LANG': 'de_DE.UTF-8', 'LC_ALL': 'de_DE.UTF-8'})
try:
    def german():
        demo.find('push button', 'Verbindung testen')
        demo.screenshot('preferences-de.png')
    tap.run('the German translation is used', german)
finally:
    demo.stop()
    fake.stop()
tap.done()
