#!/usr/bin/env python3
# run-replay.py: replays the recorded Immich scenario against fake-immich and
# compares every step with what the real servers answered
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-replay.py FAKE_IMMICH_EXE [VERSION...]     (default: 3.1.0 2.0.1)
#
# recorded/scenario.py ran against real Immich 3.1.0 and 2.0.1 servers (built
# from their release commits, on loopback); recorded/real-VERSION.json holds
# their answers. This test starts fake-immich as each version with the same
# two users (admin@example.com with a full key and a key holding only
# asset.upload; guest@example.com with a full key), runs the same scenario
# against it and compares step by step:
#
#   status, content type, correlation header, top-level key set (`keys`),
#   a list element's key set (`elem_keys`), decisive `values`, and the
#   normalised body of every 4xx answer (ids, timestamps and correlation
#   ids are placeholders on both sides).
#
# The guest creates the album it shares with the admin as viewer over the
# API (step 7.01), as it did on the real servers, so the 7L.* steps replay
# that same album and --viewer-album is not needed.
#
# A difference fails the test unless ACCEPTED below lists it with the reason
# it cannot or need not be modelled. Output is TAP, with a per-step table as
# diagnostics. The scenario needs ImageMagick's `convert`; its absence is a
# failure, never a skip.

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDED = os.path.join(HERE, "recorded")

ADMIN_KEY = "replay-admin-key-0123456789"
LIMITED_KEY = "replay-limited-key-0123456789"
GUEST_KEY = "replay-guest-key-0123456789"

# Accepted differences: (versions, step regex, field, reason). `field` is one
# of status, content_type, cid_header, keys, elem_keys, values, body, or
# "list_length" (only the N of a LIST[N] key differs, the real list being
# the longer one; a longer list on the fake is a `keys` difference).
ACCEPTED = [
    (("3.1.0", "2.0.1"), r"^(6\.03|6\.16|7\.02|7\.03|7L\.02|7L\.03)$", "list_length",
     "the real servers held albums from earlier runs (33 and 14 of them); the fake "
     "starts empty, so only the length of the album list differs"),
    (("3.1.0",), r"^10\.04$", "list_length",
     "the real 3.1.0 server held API keys from earlier runs (4); the fake's admin "
     "has exactly the two keys of this run"),
]


def tap_ok(n, cond, name):
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    sys.stdout.flush()


def diag(text):
    for line in str(text).splitlines():
        print("# " + line)
    sys.stdout.flush()


LIST_RE = re.compile(r"^LIST\[(\d+)\]$")


def key_set(keys):
    """(set of keys with LIST[N] -> LIST, the N or None)"""
    if keys is None:
        return None, None
    out = set()
    n = None
    for k in keys:
        m = LIST_RE.match(k)
        if m:
            n = int(m.group(1))
            out.add("LIST")
        else:
            out.add(k)
    return out, n


def accepted(version, step, field):
    for versions, pattern, f, reason in ACCEPTED:
        if version in versions and f == field and re.search(pattern, step):
            return reason
    return None


def compare(version, real, fake):
    """Returns a list of (field, detail) differences."""
    diffs = []
    if real.get("status") != fake.get("status"):
        diffs.append(("status", "%s != %s" % (real.get("status"), fake.get("status"))))
    for f in ("content_type", "cid_header"):
        if real.get(f) != fake.get(f):
            diffs.append((f, "%r != %r" % (real.get(f), fake.get(f))))
    rk, rn = key_set(real.get("keys"))
    fk, fn = key_set(fake.get("keys"))
    if rk != fk:
        diffs.append(("keys", "missing %s, extra %s" % (
            sorted((rk or set()) - (fk or set())), sorted((fk or set()) - (rk or set())))))
    elif rn != fn:
        # leftovers on a real server can only make its list longer
        field = "list_length" if rn is not None and fn is not None and rn > fn else "keys"
        diffs.append((field, "LIST[%s] != LIST[%s]" % (rn, fn)))
    re_ = set(real.get("elem_keys") or []) if real.get("elem_keys") is not None else None
    fe = set(fake.get("elem_keys") or []) if fake.get("elem_keys") is not None else None
    if re_ != fe:
        diffs.append(("elem_keys", "missing %s, extra %s" % (
            sorted((re_ or set()) - (fe or set())), sorted((fe or set()) - (re_ or set())))))
    if real.get("values") != fake.get("values"):
        diffs.append(("values", "%s != %s" % (json.dumps(real.get("values"))[:300],
                                             json.dumps(fake.get("values"))[:300])))
    if real.get("body") != fake.get("body"):
        diffs.append(("body", "%s != %s" % (json.dumps(real.get("body"))[:400],
                                           json.dumps(fake.get("body"))[:400])))
    return diffs


def start_fake(exe, version):
    args = [exe, "--port", "0", "--api-version", version,
            "--user", "admin@example.com:Admin", "--user", "guest@example.com:Guest",
            "--api-key", ADMIN_KEY + "@admin@example.com",
            "--api-key", LIMITED_KEY + ":asset.upload@admin@example.com",
            "--api-key", GUEST_KEY + "@guest@example.com"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = proc.stdout.readline().strip()
    if not base.startswith("http://127.0.0.1:"):
        proc.kill()
        err = proc.stderr.read()
        proc.wait(timeout=10)
        raise RuntimeError("fake-immich did not start: %r %s" % (base, err))
    return proc, base


def replay(exe, version, workdir):
    """Returns (matched, accepted, unaccepted, table lines, problems)."""
    with open(os.path.join(RECORDED, "real-%s.json" % version)) as f:
        real = json.load(f)
    out = os.path.join(workdir, "fake-%s.json" % version)
    proc, base = start_fake(exe, version)
    try:
        r = subprocess.run([sys.executable, os.path.join(RECORDED, "scenario.py"),
                            "--base", base, "--key", ADMIN_KEY, "--limited-key", LIMITED_KEY,
                            "--guest-key", GUEST_KEY, "--major", version.split(".")[0],
                            "--label", "fake" + version, "--out", out],
                           capture_output=True, text=True, timeout=240)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    if not os.path.exists(out):
        raise RuntimeError("scenario wrote no record (rc %d): %s" % (r.returncode,
                                                                   r.stderr[-2000:]))
    with open(out) as f:
        fake = json.load(f)

    fake_by_step = {}
    for rec in fake["records"]:
        fake_by_step.setdefault(rec["step"], []).append(rec)
    matched = acc = unacc = 0
    table = ["%-13s %-6s %-44s %-5s %-5s %s" % ("step", "method", "path", "real", "fake",
                                                 "result")]
    problems = []
    if r.returncode != 0:
        problems.append("scenario exited %d: %s" % (r.returncode, r.stderr[-1500:]))
    for rec in real["records"]:
        step = rec["step"]
        fl = fake_by_step.get(step) or []
        if not fl:
            unacc += 1
            table.append("%-13s %-6s %-44s %-5s %-5s %s" % (step, rec["method"],
                                                             rec["path"][:44], rec["status"],
                                                             "-", "MISSING in the fake's run"))
            problems.append("%s: no such step in the fake's run" % step)
            continue
        frec = fl.pop(0)
        diffs = compare(version, rec, frec)
        open_diffs = []
        reasons = []
        for field, detail in diffs:
            reason = accepted(version, step, field)
            if reason is None:
                open_diffs.append((field, detail))
            else:
                reasons.append("%s accepted" % field)
        if open_diffs:
            unacc += 1
            result = "DIFF " + ", ".join(f for f, _ in open_diffs)
            for field, detail in open_diffs:
                problems.append("%s %s %s: %s: %s" % (step, rec["method"], rec["path"], field,
                                                      detail))
        elif reasons:
            acc += 1
            result = "accepted (" + ", ".join(reasons) + ")"
        else:
            matched += 1
            result = "match"
        table.append("%-13s %-6s %-44s %-5s %-5s %s" % (step, rec["method"], rec["path"][:44],
                                                         rec["status"], frec.get("status"),
                                                         result))
    for step, left in fake_by_step.items():
        for frec in left:
            unacc += 1
            problems.append("%s: step only in the fake's run" % step)
    return matched, acc, unacc, table, problems


def main():
    if len(sys.argv) < 2:
        print("usage: run-replay.py FAKE_IMMICH_EXE [VERSION...]", file=sys.stderr)
        return 2
    exe = sys.argv[1]
    versions = sys.argv[2:] or ["3.1.0", "2.0.1"]
    print("1..%d" % len(versions))
    if shutil.which("convert") is None:
        for i, v in enumerate(versions, 1):
            tap_ok(i, False, "replay %s: ImageMagick 'convert' is not installed" % v)
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="pbi-replay-") as workdir:
        for i, version in enumerate(versions, 1):
            try:
                matched, acc, unacc, table, problems = replay(exe, version, workdir)
            except Exception as e:  # a crash of the fake or the scenario
                tap_ok(i, False, "replay %s: %s" % (version, e))
                failed += 1
                continue
            diag("Immich %s: real answers vs fake-immich" % version)
            diag("\n".join(table))
            for p in problems:
                diag("UNACCEPTED " + p)
            ok = unacc == 0 and not problems
            tap_ok(i, ok, "replay %s: %d matched, %d accepted, %d unaccepted" %
                   (version, matched, acc, unacc))
            if not ok:
                failed += 1
    for versions, pattern, field, reason in ACCEPTED:
        diag("accepted for %s, steps %s, %s: %s" % ("/".join(versions), pattern, field, reason))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
