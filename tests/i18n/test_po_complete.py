#!/usr/bin/env python3
# test_po_complete.py: every translatable string of the current sources is
# translated, unfuzzy and valid in each language of po/LINGUAS
#
# Copyright 2026 The PhotoBooth Immich Sync authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each po/<lang>.po is checked against a pot made now from the sources, so
a string added without its translation fails here instead of showing up in
English.  The po file itself is left alone: it is merged into a temporary
file (as "meson compile photobooth-immich-sync-update-po" would), and counted
there.  Also checked: every source file that marks strings is listed in
po/POTFILES.in, xgettext has no complaint about a marked string (a format
it cannot read is never looked up at run time), and msgfmt -c accepts the
committed po file.  Output is TAP."""

import os
import re
import subprocess
import sys
import tempfile

SRCDIR = sys.argv[1]
PO = os.path.join(SRCDIR, "po")
PKG = "photobooth-immich-sync"

# the "glib" preset of meson's i18n module (po/meson.build uses it)
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
    "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
    "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
    "--flag=NC_:2:pass-c-format", "--flag=g_dngettext:2:pass-c-format",
    "--flag=g_strdup_printf:1:c-format", "--flag=g_string_printf:2:c-format",
    "--flag=g_string_append_printf:2:c-format", "--flag=g_error_new:3:c-format",
    "--flag=g_set_error:4:c-format", "--flag=g_markup_printf_escaped:1:c-format",
    "--flag=g_log:3:c-format", "--flag=g_print:1:c-format",
    "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
    "--flag=g_snprintf:3:c-format",
]

MARKED = re.compile(r'\b(?:_|N_|C_|NC_|g_dngettext|g_dpgettext2|g_dcgettext)\s*\(\s*["A-Z]'
                    r'|translatable="yes"')

results = []


def check(ok, name, detail=""):
    results.append((ok, name, detail))


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True)


def listed_files():
    with open(os.path.join(PO, "POTFILES.in"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def marking_files():
    found = []
    for top in ("src", "data"):
        for root, _dirs, files in os.walk(os.path.join(SRCDIR, top)):
            for name in files:
                if not name.endswith((".c", ".h", ".ui")):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    if MARKED.search(f.read()):
                        found.append(os.path.relpath(path, SRCDIR))
    return sorted(found)


def statistics(po_path):
    """msgfmt -c --statistics: (returncode, translated, fuzzy, untranslated, text)"""
    r = run(["msgfmt", "-c", "--statistics", "-o", os.devnull, po_path])
    counts = {}
    for kind in ("translated", "fuzzy", "untranslated"):
        m = re.search(r"(\d+) %s" % kind, r.stderr)
        counts[kind] = int(m.group(1)) if m else 0
    return r.returncode, counts["translated"], counts["fuzzy"], counts["untranslated"], r.stderr


def msgids(po_path, only):
    r = run(["msgattrib", only, "--no-obsolete", "--no-wrap", po_path])
    return [line for line in r.stdout.splitlines()
            if line.startswith("msgid ") and line != 'msgid ""']


listed = listed_files()
missing_files = [p for p in listed if not os.path.exists(os.path.join(SRCDIR, p))]
check(not missing_files, "every file in po/POTFILES.in exists",
      "\n".join("not found: " + p for p in missing_files))
unlisted = [p for p in marking_files() if p not in listed]
check(not unlisted, "every source file that marks strings is in po/POTFILES.in",
      "\n".join("not listed: " + p for p in unlisted))

with open(os.path.join(PO, "LINGUAS"), encoding="utf-8") as f:
    langs = [w for line in f for w in line.split("#")[0].split()]
check("de" in langs, "po/LINGUAS lists de")

with tempfile.TemporaryDirectory(prefix="pbi-po-") as tmp:
    pot = os.path.join(tmp, PKG + ".pot")
    r = run(["xgettext", "--package-name=" + PKG, "-f", os.path.join(PO, "POTFILES.in"),
             "-D", SRCDIR, "-o", pot] + XGETTEXT_ARGS)
    check(r.returncode == 0 and os.path.exists(pot), "xgettext makes a pot of the sources",
          r.stderr)
    check("warning" not in r.stderr, "xgettext has no warning about a marked string", r.stderr)

    for lang in langs:
        po = os.path.join(PO, lang + ".po")
        rc, _t, _f, _u, text = statistics(po)
        check(rc == 0, "po/%s.po passes msgfmt -c" % lang, text)

        merged = os.path.join(tmp, lang + ".po")
        r = run(["msgmerge", "--quiet", "-o", merged, po, pot])
        check(r.returncode == 0, "po/%s.po merges with the fresh pot" % lang, r.stderr)
        if r.returncode != 0:
            continue
        rc, translated, fuzzy, untranslated, text = statistics(merged)
        check(rc == 0 and translated > 0, "merged %s.po passes msgfmt -c" % lang, text)
        check(fuzzy == 0, "%s: no fuzzy message (%d)" % (lang, fuzzy),
              "\n".join(msgids(merged, "--only-fuzzy")))
        check(untranslated == 0, "%s: no untranslated message (%d of %d)"
              % (lang, untranslated, translated + fuzzy + untranslated),
              "\n".join(msgids(merged, "--untranslated")))

print("1..%d" % len(results))
for i, (ok, name, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail:
        for line in detail.splitlines():
            print("# " + line)
sys.exit(0 if all(ok for ok, _n, _d in results) else 1)
