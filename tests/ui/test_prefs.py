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
fake = Fake(extra_keys=['limited:user.read,album.read,apiKey.read'])
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
    demo.find_label('The key has every permission sync can need.')
    # the saved key is never shown again: the entry is empty
    assert demo.find('text', 'API Key').text == '', 'the API key entry shows text'
    demo.find_label('Saved — type a new key above to replace it')
    assert demo.setting('api-key') == fake.key
    assert demo.setting('server-url') == fake.url


def missing_permissions():
    demo.type_into('API Key', 'limited')
    demo.press('Test Connection')
    demo.find_label('but the key cannot sync')
    # each missing permission with what fails without it, the optional one too
    demo.find_label('Without asset.upload, no photo can be uploaded.')
    demo.find_label('Without albumAsset.create, photos cannot be put in albums')
    demo.find_label("Without asset.delete, photos found in the server's trash cannot be restored")


def untrusted_certificate():
    tls = Fake(tls=True)
    try:
        demo.type_into('Server URL', tls.url)
        demo.type_into('API Key', tls.key)
        demo.press('Test Connection')
        demo.find_label('The server’s certificate is not trusted')
        body = demo.find_label('Trust it only if its SHA-256 fingerprint')
        fingerprint = body.name.rsplit('\n', 1)[-1].strip()
        assert len(fingerprint) == 95 and fingerprint.count(':') == 31, fingerprint
        assert demo.setting('tls-fingerprint') in ('', None)
        # libadwaita 1.2 names its dialog buttons twice over
        demo.press('Trust Certificate Trust Certificate')
        demo.wait_setting('tls-fingerprint', fingerprint, timeout=5)
        demo.find_label('Connected to Immich 3.2.2 as ')
    finally:
        tls.stop()
    # back to the plain server for the steps below
    demo.type_into('Server URL', fake.url)


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
    # and it can be removed again: deleted for good where the key may
    demo.press('Remove Test Photo')
    demo.find_label('Test photo deleted from the server', timeout=30)
    state = fake.state()
    assert asset['id'] not in [a['id'] for a in state['asset_list']], state['asset_list']


def outside_change():
    row = demo.find('list item', 'Album in Use')
    subtitle = row.findChild(lambda x: x.roleName == 'label' and x.name != 'Album in Use')
    assert subtitle.name == 'Birthday', subtitle.name
    demo.set_setting('album-name', 'Changed Outside')
    start = time.monotonic()
    wait_for('the album row to say "Changed Outside"',
             lambda: subtitle.name == 'Changed Outside', timeout=2.0, interval=0.1)
    log('outside album change showed after %.1f s' % (time.monotonic() - start))
    switch = demo.find('check box', 'Enable Immich Sync')
    assert not is_on(switch)
    demo.set_setting('enabled', 'true')
    wait_for('the Enable switch on', lambda: is_on(switch), timeout=2.0, interval=0.1)


try:
    tap.run('unreachable server shows "Server unreachable"', unreachable)
    tap.run('server URL is validated as typed, with the reason', url_validated_as_typed)
    tap.run('wrong key shows "API key refused"', wrong_key)
    tap.run('a key without upload rights names the missing permissions', missing_permissions)
    tap.run('an untrusted certificate is offered with its fingerprint and pinned',
            untrusted_certificate)
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
