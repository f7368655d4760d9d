#!/usr/bin/env python3
# test_bad_input.py: bad addresses, settings, answers and file names, each a clear message
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 13, bad input. Each case is a row of a table with the message the
user must see; for each: no crash (no signal), no hang (a timeout), the
photo queue kept (nothing lost), and where it applies the photo uploaded
once things are right again."""

import json
import os
import shutil
import signal
import subprocess
import time

import pbitest
from canned import Canned
from pbitest import KEY, FakeServer, Tool, make_photo, run_tests

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_CONNECTION, EXIT_STORE = 0, 1, 2, 3, 4
J = "application/json"

_run = subprocess.run


def _tolerant_run(*args, **kwargs):
    # the tool's output is checked as text; bytes that are not UTF-8 must
    # not break the test harness before the assertion that they are absent
    if kwargs.get("text"):
        kwargs["errors"] = "replace"
    return _run(*args, **kwargs)


pbitest.subprocess.run = _tolerant_run


def no_crash(p, what):
    assert p.returncode >= 0 and p.returncode not in (134, 139), \
        "%s: killed by signal %d" % (what, -p.returncode)
    text = p.stdout + p.stderr
    for bad in ("CRITICAL", "** (", "AddressSanitizer", "runtime error", "\ufffd\ufffd\ufffd"):
        assert bad not in text, "%s: %r in the output:\n%s" % (what, bad, text[-2000:])


def queue(tool):
    s = json.loads(tool.run("status", "--json", check=True).stdout)
    return s["pending"] + s["failed"], s


def library(workdir, n=1):
    lib = os.path.join(workdir, "lib")
    os.makedirs(lib, exist_ok=True)
    for i in range(n):
        make_photo(os.path.join(lib, "p%d.jpg" % i))
    return lib


# --------------------------------------------------------------------- URLs

BAD_URLS = [
    (" ", "Enter the address of your Immich server"),
    ("immich.local:2283", "did you mean http://immich.local:2283?"),
    ("192.168.1.100:2283/api", "did you mean http://192.168.1.100:2283?"),
    ("htps://immich.example.com", "did you mean https://immich.example.com?"),
    ("htp://immich.example.com", "did you mean http://immich.example.com?"),
    ("http:/immich.example.com", "did you mean http://immich.example.com?"),
    ("https:immich.example.com", "did you mean https://immich.example.com?"),
    ("https//immich.example.com", "did you mean https://immich.example.com?"),
    ("http:\\\\immich.example.com", "did you mean http://immich.example.com?"),
    ("://immich.example.com", "lacks its scheme: did you mean https://immich.example.com?"),
    ("ftp://immich.example.com", "not ftp://"),
    ("ws://immich.example.com", "not ws://"),
    ("file:///etc/passwd", "not file://"),
    ("javascript:alert(1)", "is not a web address"),
    ("mailto:me@example.com", "is not a web address"),
    ("https://immich example.com", "contains a space"),
    ("not a url", "contains a space"),
    ("https://", "has no server name"),
    ("http:///api", "has no server name"),
    ("https://immich.example.com:99999", "must be a number from 1 to 65535"),
    ("https://immich.example.com:0", "must be a number from 1 to 65535"),
    ("http://immich.example.com:-1", "must be a number from 1 to 65535"),
    ("http://immich.example.com:abc", "must be a number from 1 to 65535"),
    ("http://immich.example.com:2283:2283", "must be a number from 1 to 65535"),
    ("https://user:secret@immich.example.com", "Remove the “user@” part"),
    ("http://[::1", "Invalid IPv6 address"),
    ("http://[zz::1]:2283", "Invalid IPv6 address"),
    ("https://immich.example.com/%zz", "Invalid %-encoding"),
    ("http://0.0.0.0:2283", "is not a server name or address"),
    ("https://.example.com", "is not a server name or address"),
    ("https://-immich-.example.com", "is not a server name or address"),
    ("https://immich..example.com", "is not a server name or address"),
    ("https://" + "a" * 64 + ".example.com", "is not a server name or address"),
    ("https://" + ".".join(["abcdefgh"] * 30) + ".com", "is not a server name or address"),
]


def test_bad_server_urls(workdir):
    assert len(BAD_URLS) >= 25
    lib = library(workdir)
    tool = Tool(workdir)
    tool.configure("http://127.0.0.1:9", KEY)
    for url, message in BAD_URLS:
        c = tool.run("config", "set", "immich_server_url", url)
        no_crash(c, url)
        assert c.returncode == EXIT_USAGE, (url, c.returncode, c.stderr)
        assert message in c.stderr, (url, message, c.stderr)
        assert "secret" not in c.stderr
        s = tool.run("sync", lib, "--server", url, timeout=30)
        no_crash(s, url)
        assert s.returncode == EXIT_USAGE and message in s.stderr, (url, s.returncode, s.stderr)
    assert tool.run("config", "get", "immich_server_url").stdout.strip() == "http://127.0.0.1:9"
    assert queue(tool)[0] == 1


# ----------------------------------------------------------------- settings

# (key, SQL value expression, what the output must say, whether the photo
# still goes out with the setting's default)
BAD_SETTINGS = [
    ("immich_enabled", "'maybe'", "immich_enabled has the invalid value 'maybe'", True),
    ("immich_enabled", "42", "immich_enabled has the invalid value '42'", True),
    ("immich_enabled", "X'FFFE'", "immich_enabled has the invalid value", True),
    ("immich_auto_sync", "''", "immich_auto_sync has the invalid value ''", True),
    ("immich_sync_on_capture", "'yes please'", "immich_sync_on_capture has the invalid value", True),
    ("immich_connect_timeout", "'abc'", "expected a whole number from 1 to 300", True),
    ("immich_connect_timeout", "-5", "expected a whole number from 1 to 300", True),
    ("immich_connect_timeout", "0", "expected a whole number from 1 to 300", True),
    ("immich_connect_timeout", "'99999999999999999999'", "expected a whole number from 1 to 300",
     True),
    ("immich_connect_timeout", "3.5", "expected a whole number from 1 to 300", True),
    ("immich_idle_timeout", "''", "expected a whole number from 1 to 3600", True),
    ("immich_idle_timeout", "printf('%.*c', 100000, '9')",
     "expected a whole number from 1 to 3600", True),
    ("immich_upload_concurrency", "1000", "expected a whole number from 1 to 16", True),
    ("immich_upload_concurrency", "0", "expected a whole number from 1 to 16", True),
    ("immich_schedule_start", "'25:00'", "expected a time HH:MM or nothing", True),
    ("immich_schedule_end", "'noon'", "expected a time HH:MM or nothing", True),
    ("immich_album_name", "X'C328'", "immich_album_name has the invalid value", True),
    ("immich_extra_albums", "X'FF2C41'", "expected text in UTF-8", True),
    ("immich_library_folder", "X'2FFF'", "expected text in UTF-8", True),
    ("immich_server_url", "'ftp://immich.example.com'", "not ftp://", False),
    ("immich_server_url", "'immich.local:2283'", "did you mean http://immich.local:2283?", False),
    ("immich_server_url", "X'68747470FF'", "immich_server_url has the invalid value", False),
    ("immich_server_url", "''", "No Immich server is set up", False),
    ("immich_api_key", "'a' || char(10) || 'b'", "line break", False),
    ("immich_api_key", "''", "No Immich server is set up", False),
    ("immich_api_key", "'wrong-key-123456'", "API key", False),
]


def test_bad_settings_values_from_the_sqlite_shell(workdir):
    assert len(BAD_SETTINGS) >= 25
    server = FakeServer()
    try:
        for i, (key, sql, message, goes_out) in enumerate(BAD_SETTINGS):
            d = os.path.join(workdir, "case%d" % i)
            os.makedirs(d)
            lib = os.path.join(d, "lib")
            os.makedirs(lib)
            sha = make_photo(os.path.join(lib, "case%d.jpg" % i), seed=i)
            tool = Tool(d, server)
            subprocess.run(["sqlite3", tool.db, "INSERT OR REPLACE INTO settings (key, value) "
                            "VALUES ('%s', %s)" % (key, sql)], check=True, capture_output=True)
            p = tool.run("sync", lib, timeout=60)
            what = "%s = %s" % (key, sql[:40])
            no_crash(p, what)
            assert message in p.stdout + p.stderr, (what, message, (p.stdout + p.stderr)[-1500:])
            on_server = sha in pbitest.FakeServer.checksums(server)
            if goes_out:
                assert p.returncode == EXIT_OK and on_server, (what, p.returncode, p.stderr[-800:])
            else:
                assert p.returncode in (EXIT_USAGE, EXIT_CONNECTION), (what, p.returncode)
                assert not on_server and queue(tool)[0] == 1, what
            # status and config list say nothing that is not text
            for args in (("status", "--json"), ("config", "list")):
                r = tool.run(*args)
                no_crash(r, what + " " + args[0])
                assert r.returncode == 0, (what, args, r.stderr)
            json.loads(tool.run("status", "--json").stdout)
    finally:
        server.stop()


CAPTURE_FOLDERS = [
    ("/", "is the whole file system"),
    ("@FILE@", "not a folder"),
    ("/nonexistent/captures", "No such file or directory"),
    ("/proc", "is a system folder"),
    ("/etc/ssl", "is a system folder"),
]


def test_bad_capture_folders_keep_watch_running(workdir):
    server = FakeServer()
    try:
        afile = os.path.join(workdir, "afile.jpg")
        make_photo(afile)
        for i, (folder, message) in enumerate(CAPTURE_FOLDERS):
            folder = folder.replace("@FILE@", afile)
            d = os.path.join(workdir, "w%d" % i)
            os.makedirs(d)
            tool = Tool(d, server)
            subprocess.run(["sqlite3", tool.db, "INSERT OR REPLACE INTO settings (key, value) "
                            "VALUES ('immich_capture_folder', '%s')" % folder], check=True)
            w = tool.spawn("watch")
            pbitest.wait_for(lambda: message in open(w.logfile.name, errors="replace").read(), 15,
                             what="%s: %s" % (folder, message))
            time.sleep(1)
            assert w.poll() is None, "watch exited for capture folder %s" % folder
            out = tool.finish(w)
            assert "Traceback" not in out and "CRITICAL" not in out, out
        assert server.state()["assets"] == 0, "a system folder's files were uploaded"
    finally:
        server.stop()


# ------------------------------------------------------------ the database

def test_database_that_is_not_sqlite(workdir):
    db = os.path.join(workdir, "pb.db")
    garbage = b"This is not a database\n" * 100
    with open(db, "wb") as f:
        f.write(garbage)
    tool = Tool(workdir)
    for args in (("status",), ("config", "list"), ("sync", workdir), ("test-connection",)):
        p = tool.run(*args)
        no_crash(p, args[0])
        assert p.returncode == EXIT_STORE, (args, p.returncode, p.stderr)
        assert "is damaged or is not a database" in p.stderr and db in p.stderr, p.stderr
    with open(db, "rb") as f:
        assert f.read() == garbage, "the file was changed"


def test_settings_table_missing_or_of_another_shape(workdir):
    server = FakeServer()
    try:
        lib = library(workdir)
        tool = Tool(workdir, server)
        subprocess.run(["sqlite3", tool.db, "DROP TABLE settings"], check=True)
        p = tool.run("status")
        no_crash(p, "dropped")
        assert p.returncode == 0, p.stderr
        # the table is back, empty: a server must be set again
        s = tool.run("sync", lib)
        assert s.returncode == EXIT_USAGE and "No Immich server is set up" in s.stderr, s.stderr
        tool.configure(server.url, KEY)
        assert tool.run("sync", lib).returncode == 0
        assert server.state()["assets"] == 1

        subprocess.run(["sqlite3", tool.db, "DROP TABLE settings; CREATE TABLE settings "
                        "(name TEXT, val BLOB, extra INT)"], check=True)
        p = tool.run("status")
        no_crash(p, "other shape")
        assert p.returncode == EXIT_STORE, (p.returncode, p.stderr)
        assert "settings" in p.stderr and "key" in p.stderr and "value" in p.stderr, p.stderr
    finally:
        server.stop()


# ------------------------------------------------- hostile server answers

HOSTILE = [
    ("version of the wrong types", ("GET", "/api/server/version"),
     (200, b'{"major":"3","minor":null,"patch":[]}', J), "lacks the version numbers"),
    ("version an HTML page", ("GET", "/api/server/version"),
     (200, b"<html><body>Sign in to the hotel wifi</body></html>", "text/html"),
     "not as an Immich server"),
    ("user without id", ("GET", "/api/users/me"), (200, b"{}", J), "lacks the user's id"),
    ("user not UTF-8", ("GET", "/api/users/me"),
     (200, b'{"id":"u","email":"\xff\xfe@x","name":"\xc3("}', J), "is not valid JSON"),
    ("albums nested 100,000 deep", ("GET", "/api/albums"),
     (200, b"[" * 100000 + b"]" * 100000, J), "is not valid JSON"),
    ("albums an object", ("GET", "/api/albums"), (200, b'{"albums":[]}', J),
     "is not a list of albums"),
    ("albums with wrong items", ("GET", "/api/albums"),
     (200, b'[1,"x",null,{"id":5,"albumName":[]}]', J), "has an album without id or name"),
    ("albums 10 MB of spaces", ("GET", "/api/albums"),
     (200, b"[" + b" " * 10_000_000 + b"]", J), None),
    ("created album without id", ("POST", "/api/albums"),
     (201, b'{"albumName":"PhotoBooth"}', J), "lacks the album's id"),
    ("bulk check without results", ("POST", "/api/assets/bulk-upload-check"), (200, b"{}", J),
     "lacks the results"),
    ("bulk check for another photo", ("POST", "/api/assets/bulk-upload-check"),
     (200, b'{"results":[{"id":"zzz","action":"accept"}]}', J), "lacks a result for"),
    ("bulk check truncated", ("POST", "/api/assets/bulk-upload-check"),
     (200, b'{"results":[{"id":', J), "is not valid JSON"),
    ("upload id a number", ("POST", "/api/assets"), (201, b'{"id":42,"status":"created"}', J),
     "lacks the asset's id"),
    ("upload nested 50,000 deep", ("POST", "/api/assets"),
     (201, b'{"a":' * 50000 + b"1" + b"}" * 50000, J), "is not valid JSON"),
    ("upload 10 MB answer", ("POST", "/api/assets"),
     (201, b'{"id":"5f0c","status":"created","pad":"' + b"b" * 10_000_000 + b'"}', J), None),
    ("album name refused", ("POST", "/api/albums"),
     (400, b'{"message":"Validation failed","errors":[{"path":["albumName"],'
           b'"message":"Too big"}]}', J), "refused POST /api/albums: albumName: Too big"),
    ("album name refused, 2.x words", ("POST", "/api/albums"),
     (400, b'{"message":["albumName must be a string"],"error":"Bad Request",'
           b'"statusCode":400}', J), "albumName must be a string"),
]


def test_hostile_server_answers(workdir):
    for i, (name, route, answer, message) in enumerate(HOSTILE):
        d = os.path.join(workdir, "h%d" % i)
        os.makedirs(d)
        lib = library(d)
        canned = Canned({route: answer})
        try:
            tool = Tool(d)
            tool.configure(canned.url, KEY)
            start = time.monotonic()
            p = tool.run("sync", lib, timeout=90)
            took = time.monotonic() - start
            no_crash(p, name)
            assert took < 60, "%s: took %.0f s" % (name, took)
            text = p.stdout + p.stderr
            if message is None:
                # big but well-formed: it works
                assert p.returncode == EXIT_OK, (name, p.returncode, text[-1000:])
                assert queue(tool)[0] == 0
            else:
                assert p.returncode in (EXIT_SOME_FAILED, EXIT_CONNECTION), (name, p.returncode)
                assert message in text, (name, message, text[-1500:])
                assert queue(tool)[0] == 1, "%s: the photo left the queue" % name
        finally:
            canned.stop()


# ----------------------------------------------------------- file names

NAMES = [
    "it's \"quoted\".jpg",
    "back\\slash.jpg",
    "new\nline.jpg",
    "carriage\rreturn.jpg",
    "tab\there.jpg",
    "ünïcødé 写真 📷.jpg",
    "%22percent%0A.jpg",
    "semi;colon=eq&amp.jpg",
    "x" * 251 + ".jpg",
    "ü" * 125 + "x.jpg",        # 255 bytes in UTF-8
]


def test_file_names_reach_the_server_exactly(workdir):
    for n in NAMES:
        assert len(n.encode()) <= 255
    assert len(NAMES[-1].encode()) == 255 and len(NAMES[-2].encode()) == 255
    for version in ("3.2.2", "2.7.5"):
        server = FakeServer(version=version)
        try:
            d = os.path.join(workdir, version)
            lib = os.path.join(d, "lib")
            os.makedirs(lib)
            sums = {}
            for i, n in enumerate(NAMES):
                sums[make_photo(os.path.join(lib, n), seed=i)] = n
            tool = Tool(d, server)
            p = tool.run("sync", lib)
            no_crash(p, version)
            assert p.returncode == 0, p.stderr[-1500:]
            got = {a["checksum"]: a["filename"] for a in server.state()["asset_list"]}
            assert set(got) == set(sums), version
            for sha, name in sums.items():
                assert got[sha] == name, (version, name, got[sha])
            assert len(server.album_assets("PhotoBooth")) == len(NAMES)
        finally:
            server.stop()


if __name__ == "__main__":
    run_tests(globals())
