#!/usr/bin/env python3
# test_secrets.py: the API key never leaks, and what the tool writes is private
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 13, security: every command and flow runs with debug on (--verbose,
G_MESSAGES_DEBUG=all) against the fake, and every output and every file
written is searched for the API key; the key is never in any process's
argument list; the database, its log and its folder are private (0600/0700),
and a world-readable database found at start is made private and said once."""

import json
import os
import secrets
import stat
import subprocess
import time

from pbitest import FakeServer, Skip, Tool, make_photo, python_env, run_tests, wait_for

DEBUG = {"G_MESSAGES_DEBUG": "all"}


def fresh_key():
    # a key nobody else's test uses, so a hit anywhere on the machine is ours
    return "rel-" + secrets.token_hex(20)


def key_server(key, version="3.2.2"):
    """A fake whose command line holds no key of ours: the key is added
    through the control API."""
    server = FakeServer(version=version, keys=["placeholder-not-secret"])
    server._call("/__fake/keys", {"key": key})
    return server


def files_under(top):
    for root, _dirs, names in os.walk(top):
        for n in names:
            yield os.path.join(root, n)


def assert_key_nowhere(tool, workdir, key):
    """The key in no output and in no file under the work folder (HOME, XDG
    folders, database folder, log), except the settings row of the database
    that stores it (the PhotoBooth shares that table)."""
    text = tool.all_output()
    assert key not in text, "the API key appeared in the output"
    for part in (key[:12], key[-12:]):
        assert part not in text, "a part of the API key appeared in the output"
    db_files = {tool.db, tool.db + "-wal", tool.db + "-shm", tool.db + "-journal"}
    checked = 0
    for path in files_under(workdir):
        if path in db_files:
            continue
        with open(path, "rb") as f:
            data = f.read()
        assert key.encode() not in data, "the API key is in %s" % path
        checked += 1
    assert checked >= 1, "no file was written beside the database (the log?)"
    # the database: the key only in the settings row
    subprocess.run(["sqlite3", tool.db, "PRAGMA wal_checkpoint(TRUNCATE);"],
                   capture_output=True, check=True)
    dump = subprocess.run(["sqlite3", tool.db, ".dump"], capture_output=True, text=True,
                          check=True).stdout
    hits = [line for line in dump.splitlines() if key in line]
    assert len(hits) == 1 and "INSERT INTO settings" in hits[0] and \
        "immich_api_key" in hits[0], hits


def key_in_process_list(key):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if key.encode() in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


def library(workdir, n=3, name="library"):
    lib = os.path.join(workdir, name)
    os.makedirs(lib)
    for i in range(n):
        make_photo(os.path.join(lib, "p%d.jpg" % i))
    return lib


def test_every_command_with_debug_never_shows_the_key(workdir):
    key = fresh_key()
    server = key_server(key)
    try:
        lib = library(workdir)
        tool = Tool(workdir)
        tool.env.update(DEBUG)
        tool.env["XDG_CACHE_HOME"] = os.path.join(workdir, "cache")
        tool.env["XDG_CONFIG_HOME"] = os.path.join(workdir, "config")
        tool.configure(server.url, key)
        v = "--verbose"
        runs = [
            ("--help",), ("config", "list"), ("config", "get", "immich_api_key"),
            ("config", "get", "immich_server_url"), ("test-connection", v),
            ("albums", v), ("albums", "--json", v), ("sync", lib, v),
            ("sync-file", os.path.join(lib, "p0.jpg"), "--album", "Best", v),
            ("status", v), ("status", "--json", v), ("retry-failed", v),
        ]
        for args in runs:
            p = tool.run(*args)
            assert p.returncode == 0, (args, p.returncode, p.stderr[-2000:])
        assert "immich_api_key = ********" in tool.run("config", "list").stdout

        # watch: the process list while it runs, and a capture
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        w = tool.spawn("watch", captures, v)
        wait_for(lambda: "Watching" in open(w.logfile.name).read(), 20, what="watch")
        make_photo(os.path.join(captures, "cap.jpg"))
        wait_for(lambda: server.state()["assets"] == 4, 20, what="the capture uploaded")
        assert key_in_process_list(key) == [], "the key is in a process's arguments"
        tool.finish(w)

        # the key from the environment, as the official CLI takes it
        env = dict(DEBUG, IMMICH_INSTANCE_URL=server.url, IMMICH_API_KEY=key)
        p = tool.run("test-connection", v, env=env)
        assert p.returncode == 0, p.stderr

        # failures with the key in play: a wrong key, a server that went away,
        # a 5xx page, a captive portal, a key that lost a permission
        wrong = fresh_key()
        p = tool.run("test-connection", v, env=dict(DEBUG, IMMICH_API_KEY=wrong))
        assert p.returncode == 3, p.stderr
        server.faults(error_5xx={"count": 50, "status": 503})
        p = tool.run("sync-file", os.path.join(lib, "p1.jpg"), "--album", "Other", v)
        assert p.returncode != 0
        server._call("/__fake/reset", {})
        server.faults(html=20)
        p = tool.run("test-connection", v)
        assert p.returncode != 0
        server._call("/__fake/reset", {})
        assert wrong not in tool.all_output()
        assert_key_nowhere(tool, workdir, key)
    finally:
        server.stop()


def test_key_set_from_stdin_and_env_never_an_argument(workdir):
    key = fresh_key()
    server = key_server(key)
    try:
        tool = Tool(workdir)
        tool.env.update(DEBUG)
        # a key given as an argument is refused (it would show in ps)
        p = tool.run("config", "set", "immich_api_key", key)
        assert p.returncode == 2, (p.returncode, p.stderr)
        assert key not in p.stdout + p.stderr
        assert tool.run("config", "get", "immich_api_key").stdout.strip() in ("", "********")
        tool.configure(server.url, key)
        assert tool.run("test-connection", "--verbose").returncode == 0
        assert_key_nowhere(tool, workdir, key)
    finally:
        server.stop()


def test_database_log_and_folder_private(workdir):
    key = fresh_key()
    server = key_server(key)
    try:
        data = os.path.join(workdir, "newdir", "db")
        tool = Tool(workdir)
        tool.db = os.path.join(data, "pb.db")
        tool.env.update(DEBUG)
        tool.configure(server.url, key)
        lib = library(workdir)
        assert tool.run("sync", lib).returncode == 0
        assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
        for name in ("pb.db", "pb.db-wal", "pb.db-shm", "photobooth-immich.log"):
            path = os.path.join(data, name)
            if name == "pb.db" or name == "photobooth-immich.log":
                assert os.path.exists(path), path
            if os.path.exists(path):
                mode = stat.S_IMODE(os.stat(path).st_mode)
                assert mode & 0o077 == 0, "%s is mode %o" % (path, mode)
    finally:
        server.stop()


def test_world_readable_database_is_fixed_and_said_once(workdir):
    tool = Tool(workdir)
    assert tool.run("config", "set", "immich_album_name", "Party").returncode == 0
    os.chmod(tool.db, 0o644)
    log = os.path.join(workdir, "photobooth-immich.log")
    p = tool.run("config", "list")
    assert p.returncode == 0
    assert stat.S_IMODE(os.stat(tool.db).st_mode) == 0o600
    said = [line for line in (p.stdout + p.stderr).splitlines()
            if "readable by others" in line and tool.db in line]
    assert len(said) == 1, p.stdout + p.stderr
    logged = [line for line in open(log) if "readable by others" in line]
    assert len(logged) == 1, open(log).read()
    # fixed: the next start says nothing
    p = tool.run("config", "list")
    assert "readable by others" not in p.stdout + p.stderr
    assert len([line for line in open(log) if "readable by others" in line]) == 1


GI_FLOW = r"""
import sys
import gi
gi.require_version("Pbi", "1.0")
from gi.repository import Pbi
engine = Pbi.Engine.new(sys.argv[1])
print("photo:", engine.sync_photo(sys.argv[2], "Scripted", None).success)
summary = engine.sync_folder(sys.argv[3], None, None)
print("folder:", summary.uploaded, summary.duplicates, summary.failed)

"""


def test_gi_flows_with_debug_never_show_the_key(workdir):
    if os.environ.get("PBI_INTROSPECTION") == "0":
        raise Skip("built with -Dintrospection=false: no typelib")
    key = fresh_key()
    server = key_server(key)
    try:
        lib = library(workdir, n=3)
        tool = Tool(workdir)
        tool.configure(server.url, key)
        env = dict(python_env(tool.env), G_MESSAGES_DEBUG="all")
        p = subprocess.run(["/usr/bin/python3", "-c", GI_FLOW, tool.db,
                            os.path.join(lib, "p0.jpg"), lib],
                           capture_output=True, text=True, env=env, timeout=120)
        tool.outputs.append(p.stdout + p.stderr)
        assert p.returncode == 0, p.stderr[-2000:]
        assert "photo: True" in p.stdout and "folder: 2 1 0" in p.stdout, p.stdout
        assert "DEBUG" in p.stderr or "pbi-" in p.stderr, "debug output was not on"
        # a wrong server: the error path
        tool.run("config", "set", "immich_server_url", "http://127.0.0.1:9", check=True)
        p = subprocess.run(["/usr/bin/python3", "-c", GI_FLOW, tool.db,
                            os.path.join(lib, "p1.jpg"), lib],
                           capture_output=True, text=True, env=env, timeout=120)
        tool.outputs.append(p.stdout + p.stderr)
        assert "photo: False" in p.stdout, p.stdout + p.stderr[-1000:]
        assert_key_nowhere(tool, workdir, key)
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
