#!/usr/bin/env python3
# test_dns.py: DNS failure for a bulk sync and a capture stream, nothing lost
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 13, DNS failure. The tool reaches the fake by a name,
immich.pbi-test, that a small DNS server of this test answers: first
NXDOMAIN (the name does not exist), then SERVFAIL (the DNS server failed),
then 127.0.0.1. While DNS fails the user sees which of the two it is,
nothing is marked failed, and once DNS answers every photo lands exactly
once and in the album.

Nothing may leave 127.0.0.1, and the machine's own resolver must not be
touched: the test runs itself again inside `unshare --net --mount` (a
network namespace with only its own loopback, a mount namespace in which a
resolv.conf naming 127.0.0.1 is bind-mounted over /etc/resolv.conf). Where
no mount namespace can be made (in a chroot "/" is not a mount point, and
unshare cannot make it private), the network namespace alone serves: the
DNS server then answers on the addresses the machine's own resolv.conf
names, which inside the namespace are this test's loopback addresses. That
needs root, as CI runs; anywhere else the test fails, it does not skip.
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

NAME = "immich.pbi-test"
EXIT_OK, EXIT_CONNECTION = 0, 3


def outside():
    """Checks what the namespace needs, then runs this file inside one."""
    why = None
    if os.geteuid() != 0:
        why = "needs root for unshare --net --mount (CI runs as root)"
    elif shutil.which("unshare") is None or shutil.which("ip") is None:
        why = "needs unshare (util-linux) and ip (iproute2): tools/deps.sh installs them"
    mount_ns = why is None and subprocess.run(["unshare", "--mount", "true"],
                                              stderr=subprocess.DEVNULL).returncode == 0
    if why is None and not mount_ns:
        servers, hosts = system_resolver()
        if not servers or not set(hosts) <= {"files", "dns", "myhostname"}:
            why = ("no mount namespace (unshare --mount failed), and the machine's resolver "
                   "is not plain DNS (nameservers %s, hosts: %s)" % (servers, " ".join(hosts)))
    if why is not None:
        print("1..1\nnot ok 1 - dns # %s" % why, flush=True)
        sys.exit(1)
    os.execvp("unshare", ["unshare", "--net"] + (["--mount"] if mount_ns else [])
              + [sys.executable, os.path.abspath(__file__),
                 "--inside" if mount_ns else "--inside-net-only"])


def system_resolver():
    """The nameservers of /etc/resolv.conf (glibc's 127.0.0.1 when none)
    and the sources of the hosts line of /etc/nsswitch.conf."""
    servers, hosts = [], ["files", "dns"]
    try:
        for line in open("/etc/resolv.conf"):
            f = line.split()
            if len(f) >= 2 and f[0] == "nameserver":
                servers.append(f[1].split("%")[0])
    except OSError:
        pass
    try:
        for line in open("/etc/nsswitch.conf"):
            f = line.split("#")[0].split()
            if f and f[0] == "hosts:":
                hosts = [w for w in f[1:] if not w.startswith("[")]
    except OSError:
        pass
    return servers or ["127.0.0.1"], hosts


def set_up_namespace():
    """Loopback up, addresses that are not loopback (getaddrinfo's
    AI_ADDRCONFIG asks for no IPv4 record on a host with no IPv4 address
    but 127.0.0.1, and likewise for IPv6), and the resolver pointed at
    127.0.0.1:53."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", "10.213.0.1/32", "dev", "lo"], check=True)
    # and one for IPv6: GLib looks a name up for IPv4 and IPv6 at once, and
    # with no IPv6 address the IPv6 half fails at once as "not found"; when
    # that failure came last it was the one reported, and a SERVFAIL was
    # told as a missing name in about 1 run of 7
    subprocess.run(["ip", "-6", "addr", "add", "fd00:213::1/128", "dev", "lo", "nodad"],
                   check=True)
    if NET_ONLY:
        # the machine's nameservers become addresses of this namespace's
        # loopback: the resolver asks this test's DNS server there
        for server in SERVERS:
            if server.startswith("127.") or server in ("::1", "10.213.0.1", "fd00:213::1"):
                continue
            if ":" in server:
                subprocess.run(["ip", "-6", "addr", "add", server + "/128", "dev", "lo", "nodad"],
                               check=True)
            else:
                subprocess.run(["ip", "addr", "add", server + "/32", "dev", "lo"], check=True)
        return
    etc = tempfile.mkdtemp(prefix="pbi-dns-etc-")
    resolv = os.path.join(etc, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    subprocess.run(["mount", "--bind", resolv, "/etc/resolv.conf"], check=True)
    nsswitch = os.path.join(etc, "nsswitch.conf")
    with open(nsswitch, "w") as f:
        f.write("passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n")
    subprocess.run(["mount", "--bind", nsswitch, "/etc/nsswitch.conf"], check=True)


class Dns:
    """Answers by mode: nxdomain or servfail for every name, or (ok) A
    127.0.0.1 for NAME and NXDOMAIN for others. Counts the queries for NAME
    per mode."""

    def __init__(self):
        self.mode = "nxdomain"
        self.queries = Counter()
        for address in SERVERS:
            sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET,
                                 socket.SOCK_DGRAM)
            sock.bind((address, 53))
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        while True:
            data, peer = sock.recvfrom(4096)
            try:
                reply = self._answer(data)
            except (IndexError, struct.error, UnicodeDecodeError):
                continue
            sock.sendto(reply, peer)

    def _answer(self, data):
        qid, flags = struct.unpack(">HH", data[:4])
        i, labels = 12, []
        while data[i]:
            labels.append(data[i + 1:i + 1 + data[i]].decode("ascii").lower())
            i += 1 + data[i]
        qtype, = struct.unpack(">H", data[i + 1:i + 3])
        question = data[12:i + 5]
        mode = self.mode
        answers = b""
        # a failing DNS server fails every name (glibc may try the name with
        # a search domain too: a different answer for that one would decide
        # which error getaddrinfo gives)
        rcode = {"nxdomain": 3, "servfail": 2, "ok": 0}[mode]
        if ".".join(labels) == NAME:
            self.queries[mode] += 1
            if mode == "ok" and qtype == 1:
                answers = (b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 5, 4)
                           + socket.inet_aton("127.0.0.1"))
        elif mode == "ok":
            rcode = 3
        reply_flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
        return (struct.pack(">HHHHHH", qid, reply_flags, 1, 1 if answers else 0, 0, 0)
                + question + answers)


NET_ONLY = "--inside-net-only" in sys.argv
if "--inside" not in sys.argv and not NET_ONLY:
    outside()
SERVERS = list(dict.fromkeys(system_resolver()[0])) if NET_ONLY else ["127.0.0.1"]

set_up_namespace()
DNS = Dns()

from pbitest import KEY, FakeServer, Tool, exactly_once_in_album, make_photo, run_tests, wait_for  # noqa: E402

NOT_FOUND = "The server name %s was not found (DNS)" % NAME
NO_ANSWER = "The DNS server did not answer when looking up %s" % NAME


def named_url(server):
    return server.url.replace("127.0.0.1", NAME)


def log_of(w):
    return open(w.logfile.name, errors="replace").read()


def status(tool):
    return json.loads(tool.run("status", "--json", check=True).stdout)


def nothing_failed(tool):
    st = status(tool)
    assert st["failed"] == 0 and st["files"]["failed"] == 0 and st["files"]["rejected"] == 0, st
    return st


def test_bulk_sync_through_nxdomain_and_servfail(workdir):
    server = FakeServer()
    try:
        DNS.mode = "nxdomain"
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        sums = [make_photo(os.path.join(lib, "p%d.jpg" % i), seed=i) for i in range(6)]
        tool = Tool(workdir)
        tool.configure(named_url(server), KEY)

        for mode, words in (("nxdomain", NOT_FOUND), ("servfail", NO_ANSWER)):
            DNS.mode = mode
            asked = DNS.queries[mode]
            p = tool.run("sync", lib, timeout=120)
            assert DNS.queries[mode] > asked, "the tool did not ask the DNS server (%s)" % mode
            assert p.returncode == EXIT_CONNECTION, (mode, p.returncode, p.stdout, p.stderr)
            assert words in p.stderr, (mode, p.stderr)
            # queued, not failed: retry-failed would change nothing
            assert "0 failed" in p.stdout and "6 queued: the server did not answer" in p.stdout, \
                (mode, p.stdout)
            assert "retry-failed" not in p.stderr, (mode, p.stderr)
            assert nothing_failed(tool)["pending"] == 6
            assert server.state()["assets"] == 0

        DNS.mode = "ok"
        p = tool.run("sync", lib, timeout=120)
        assert p.returncode == EXIT_OK, (p.returncode, p.stdout, p.stderr)
        assert "6 uploaded, 0 duplicates, 0 failed" in p.stdout, p.stdout
        exactly_once_in_album(server, sums)
        assert nothing_failed(tool)["pending"] == 0
        p = tool.run("sync", lib, timeout=120)
        assert p.returncode == EXIT_OK and "6 already synced" in p.stdout, p.stdout
        exactly_once_in_album(server, sums)
    finally:
        server.stop()


def test_capture_stream_through_nxdomain_and_servfail(workdir):
    server = FakeServer()
    try:
        DNS.mode = "nxdomain"
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        tool = Tool(workdir)
        tool.configure(named_url(server), KEY)
        w = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in log_of(w), 20, what="watch")

        # the name does not exist: said so, the captures wait
        sums = [make_photo(os.path.join(captures, "n%d.jpg" % i)) for i in range(3)]
        wait_for(lambda: NOT_FOUND in log_of(w), 20, what="the missing name said")
        wait_for(lambda: status(tool)["pending"] == 3, 20, what="3 captures queued")
        nothing_failed(tool)

        # the DNS server fails: the captures still wait, none failed
        DNS.mode = "servfail"
        asked = DNS.queries["servfail"]
        sums += [make_photo(os.path.join(captures, "s%d.jpg" % i)) for i in range(2)]
        wait_for(lambda: DNS.queries["servfail"] >= asked + 2, 30,
                 what="the watch asking the failing DNS server again")
        wait_for(lambda: status(tool)["pending"] == 5, 20, what="5 captures queued")
        nothing_failed(tool)
        assert server.state()["assets"] == 0

        # DNS answers: every capture lands, once, in the album
        DNS.mode = "ok"
        wait_for(lambda: server.state()["assets"] == 5, 30, what="the captures once DNS answers")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 5, 15, what="album")
        assert w.poll() is None, "watch exited"
        out = tool.finish(w)
        assert "CRITICAL" not in out and "Traceback" not in out, out[-2000:]
        exactly_once_in_album(server, sums)

        # a watch started while the DNS server fails says that, not "not found"
        DNS.mode = "servfail"
        w = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in log_of(w), 20, what="watch")
        sums += [make_photo(os.path.join(captures, "t%d.jpg" % i)) for i in range(2)]
        wait_for(lambda: NO_ANSWER in log_of(w), 20, what="the silent DNS server said")
        assert NOT_FOUND not in log_of(w), log_of(w)[-2000:]
        wait_for(lambda: status(tool)["pending"] == 2, 20, what="2 captures queued")
        nothing_failed(tool)
        DNS.mode = "ok"
        wait_for(lambda: server.state()["assets"] == 7, 30, what="the captures once DNS answers")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == 7, 15, what="album")
        tool.finish(w)
        exactly_once_in_album(server, sums)
        assert nothing_failed(tool)["pending"] == 0
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
