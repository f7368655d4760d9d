#!/usr/bin/env python3
# test_tls.py: HTTPS verified by default, a self-signed certificate pinned by its fingerprint
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 13, security: the fake serves https with certificates made now by
openssl; a self-signed one is refused with its SHA-256 fingerprint shown and
nothing is sent; once pinned (immich_tls_fingerprint) it is accepted, also by
a running `watch`; a changed certificate is refused again."""

import json
import os
import ssl
import subprocess
import urllib.request

from pbitest import FAKE, KEY, Tool, make_photo, run_tests, wait_for

EXIT_CONNECTION = 3


def make_cert(workdir, name):
    cert = os.path.join(workdir, name + "-cert.pem")
    key = os.path.join(workdir, name + "-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=pbi test " + name,
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    fp = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"],
                        check=True, capture_output=True, text=True).stdout
    return cert, key, fp.strip().split("=", 1)[1].upper()


class TlsFake:
    def __init__(self, cert, key, port=0):
        self.proc = subprocess.Popen([FAKE, "--port", str(port), "--api-key", KEY,
                                      "--tls-cert", cert, "--tls-key", key],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("https://127.0.0.1:"), self.url
        self.port = int(self.url.rsplit(":", 1)[1])

    def state(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with urllib.request.urlopen(self.url + "/__fake/state", timeout=10, context=ctx) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def test_self_signed_refused_pinned_then_changed(workdir):
    cert_a, key_a, fp_a = make_cert(workdir, "a")
    cert_b, key_b, fp_b = make_cert(workdir, "b")
    assert fp_a != fp_b
    fake = TlsFake(cert_a, key_a)
    try:
        lib = os.path.join(workdir, "lib")
        os.makedirs(lib)
        for i in range(3):
            make_photo(os.path.join(lib, "p%d.jpg" % i))
        tool = Tool(workdir)
        tool.configure(fake.url, KEY)

        # verified by default: refused, the fingerprint shown, nothing sent
        t = tool.run("test-connection")
        assert t.returncode == EXIT_CONNECTION, (t.returncode, t.stderr)
        assert fp_a in t.stderr and "not trusted" in t.stderr, t.stderr
        s = tool.run("sync", lib)
        assert s.returncode == EXIT_CONNECTION, (s.returncode, s.stderr)
        assert fp_a in s.stderr, s.stderr
        st = fake.state()
        assert st["assets"] == 0 and st["uploads"] == 0, st
        status = json.loads(tool.run("status", "--json", check=True).stdout)
        assert status["pending"] + status["failed"] == 3, status

        # a running watch picks the pin up when it is set from elsewhere
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        w = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in open(w.logfile.name).read(), 20, what="watch")
        make_photo(os.path.join(captures, "cap.jpg"))
        wait_for(lambda: fp_a in open(w.logfile.name).read(), 20, what="the fingerprint said")
        assert fake.state()["assets"] == 0
        pin = tool.run("config", "set", "immich_tls_fingerprint", fp_a.replace(":", "").lower())
        assert pin.returncode == 0, pin.stderr
        # the capture and the three photos the refused sync left queued
        wait_for(lambda: fake.state()["assets"] == 4, 30, what="the queue after the pin")
        # and in the album (the adds follow the uploads), before watch stops
        wait_for(lambda: [len(a["assets"]) for a in fake.state()["albums"]] == [4], 30,
                 what="the four photos in the album")
        tool.finish(w)

        t = tool.run("test-connection")
        assert t.returncode == 0, t.stderr
        s = tool.run("sync", lib)
        assert s.returncode == 0, s.stderr
        assert fake.state()["assets"] == 4

        # the server's certificate changes: refused again, both named
        port = fake.port
        fake.stop()
        fake = TlsFake(cert_b, key_b, port=port)
        t = tool.run("test-connection")
        assert t.returncode == EXIT_CONNECTION, (t.returncode, t.stderr)
        assert fp_b in t.stderr and "changed" in t.stderr, t.stderr
        make_photo(os.path.join(lib, "new.jpg"))
        s = tool.run("sync", lib)
        assert s.returncode == EXIT_CONNECTION, (s.returncode, s.stderr)
        assert fake.state()["uploads"] == 0
        status = json.loads(tool.run("status", "--json", check=True).stdout)
        assert status["pending"] + status["failed"] == 1, status
    finally:
        fake.stop()


if __name__ == "__main__":
    run_tests(globals())
