#!/usr/bin/env python3
# test-install.py: `meson install` into a DESTDIR, the list of files, and the installed tools run
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installs the build into a temporary DESTDIR and checks what a user gets:
the list of installed files (expected-files.txt), the installed CLI run from
there against the fake server, the installed Python module and typelib, the
headers and pkg-config file (a program built against them), the service unit
and the kiosk autostart entry."""

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))

import pbitest  # noqa: E402
from pbitest import KEY, FakeServer, make_photo, run_tests  # noqa: E402

BUILDDIR = os.environ["PBI_BUILDDIR"]
PREFIX = os.environ["PBI_PREFIX"]
LIBDIR = os.environ["PBI_LIBDIR"]          # relative to the prefix
PYTHONDIR = os.environ["PBI_PYTHONDIR"]    # absolute
SRCROOT = os.path.join(HERE, "..", "..")
# In a sanitizer build (tests/install/meson.build): the compiler and flags a
# program built against the library needs, and the typelib python3 loads
SANITIZER_CC = os.environ.get("PBI_SANITIZER_CC", "").split()
SANITIZER_TYPELIB = os.environ.get("PBI_SANITIZER_TYPELIB", "")

_destdir = None


def destdir():
    """Installs once per run; later tests reuse the tree."""
    global _destdir
    if _destdir is None:
        d = tempfile.mkdtemp(prefix="pbi-install-")
        p = subprocess.run(["meson", "install", "-C", BUILDDIR, "--destdir", d,
                            "--no-rebuild", "--quiet"],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, "meson install failed:\n%s%s" % (p.stdout, p.stderr)
        if SANITIZER_TYPELIB:
            # the sanitizer build's typelib names GCC's libasan beside our
            # library (tests/meson.build): the one compiled for the tests
            typelib = os.path.join(d + PREFIX, LIBDIR, "girepository-1.0", "Pbi-1.0.typelib")
            assert os.path.exists(typelib), typelib
            shutil.copyfile(SANITIZER_TYPELIB, typelib)
        _destdir = d
    return _destdir


def root():
    return destdir() + PREFIX


def installed_files():
    files = set()
    top = root()
    for dirpath, dirnames, filenames in os.walk(top):
        for name in filenames:
            files.add(os.path.relpath(os.path.join(dirpath, name), top))
    # nothing may land outside the prefix
    for dirpath, dirnames, filenames in os.walk(destdir()):
        for name in filenames:
            path = os.path.join(dirpath, name)
            assert path.startswith(top + os.sep), "installed outside the prefix: %s" % path
    return files


def expected_patterns(with_app):
    pythondir = os.path.relpath(PYTHONDIR, PREFIX)
    patterns = []
    for line in open(os.path.join(HERE, "expected-files.txt")):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("app "):
            if not with_app:
                continue
            line = line[4:]
        patterns.append(line.replace("@libdir@", LIBDIR).replace("@pythondir@", pythondir))
    for line in open(os.path.join(SRCROOT, "po", "LINGUAS")):
        if line.strip() and not line.startswith("#"):
            for lang in line.split():
                patterns.append("share/locale/%s/LC_MESSAGES/photobooth-immich-sync.mo" % lang)
    return patterns


def installed_env():
    env = dict(os.environ)
    for var in ("G_DEBUG", "IMMICH_INSTANCE_URL", "IMMICH_API_KEY", "G_MESSAGES_DEBUG",
                "PHOTOBOOTH_IMMICH_DATABASE", "GSETTINGS_SCHEMA_DIR"):
        env.pop(var, None)
    env["PATH"] = os.path.join(root(), "bin") + os.pathsep + env.get("PATH", "")
    env["LD_LIBRARY_PATH"] = os.path.join(root(), LIBDIR)
    env["GI_TYPELIB_PATH"] = os.path.join(root(), LIBDIR, "girepository-1.0")
    env["PYTHONPATH"] = destdir() + PYTHONDIR
    return env


def test_installed_file_list(workdir):
    files = installed_files()
    with_app = "bin/photobooth-immich-sync" in files
    patterns = expected_patterns(with_app)
    unmatched = [p for p in patterns if not fnmatch.filter(files, p)]
    assert not unmatched, "expected but not installed: %s" % unmatched
    extra = sorted(f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns))
    assert not extra, "installed but not expected: %s" % extra
    for f in files:
        assert "-private.h" not in f, f
    # symlinks of the library point inside the tree
    lib = os.path.join(root(), LIBDIR)
    assert os.readlink(os.path.join(lib, "libphotobooth-immich.so.0")) == \
        "libphotobooth-immich.so.0.1.0"
    print("# %d files installed%s" % (len(files), " (with the app)" if with_app else ""))


def test_installed_cli_syncs(workdir):
    env = installed_env()
    env["HOME"] = workdir
    env["XDG_DATA_HOME"] = os.path.join(workdir, "data")
    cli = os.path.join(root(), "bin", "photobooth-immich")
    db = os.path.join(workdir, "pb.db")

    def run(*args, input=None):
        p = subprocess.run([cli, "--database", db] + list(args), capture_output=True,
                           text=True, input=input, env=env, timeout=120)
        assert p.returncode == 0, "%s exited %d:\n%s%s" % (args, p.returncode, p.stdout,
                                                           p.stderr)
        return p

    assert run("--version").stdout == "photobooth-immich 0.1.0\n"
    server = FakeServer()
    try:
        run("config", "set", "immich_server_url", server.url)
        run("config", "set", "immich_api_key", "-", input=KEY + "\n")
        run("config", "set", "immich_album_name", "Installed")
        run("config", "set", "immich_enabled", "true")
        folder = os.path.join(workdir, "captures")
        os.makedirs(folder)
        sums = {make_photo(os.path.join(folder, "IMG_%04d.jpg" % i)) for i in range(3)}
        run("sync", folder)
        assert set(server.checksums()) == sums
        assert len(server.album_assets("Installed")) == 3
        status = json.loads(run("status", "--json").stdout)
        assert status["uploaded"] == 3 and status["failed"] == 0, status
        assert status["album"] == "Installed", status
    finally:
        server.stop()


def test_installed_python_module(workdir):
    env = installed_env()
    env["HOME"] = workdir
    env["PHOTOBOOTH_IMMICH_DATABASE"] = os.path.join(workdir, "pb.db")
    server = FakeServer()
    try:
        pbitest.CLI = os.path.join(root(), "bin", "photobooth-immich")
        pbitest.Tool(workdir, server)
        folder = os.path.join(workdir, "event")
        os.makedirs(folder)
        for i in range(2):
            make_photo(os.path.join(folder, "p%d.jpg" % i))
        code = ("import photobooth.immich, gi\n"
                "from photobooth.immich import get_immich_sync\n"
                "sync = get_immich_sync()\n"
                "result = sync.sync_all_photos(%r)\n"
                "print(f\"Synced {result['uploaded']} professional photos\")\n"
                "print(photobooth.immich.__file__)\n"
                "from gi.repository import GIRepository\n"
                "print(GIRepository.Repository.get_default().get_typelib_path('Pbi'))\n"
                % folder)
        p = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                           env=pbitest.python_env(env), timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        lines = p.stdout.splitlines()
        assert lines[0] == "Synced 2 professional photos", p.stdout
        # the module and the typelib came from the DESTDIR, not the build tree
        assert lines[1].startswith(destdir() + PYTHONDIR), lines[1]
        assert lines[2].startswith(os.path.join(root(), LIBDIR)), lines[2]
        assert len(server.checksums()) == 2
    finally:
        server.stop()


def test_headers_and_pkg_config(workdir):
    """A program built against the installed headers, .pc and library."""
    env = installed_env()
    # the .pc as installed, its prefix moved to the DESTDIR (as a relocated
    # install would have it); GLib's own .pc files stay as they are
    pcdir = os.path.join(workdir, "pkgconfig")
    os.makedirs(pcdir)
    pc = open(os.path.join(root(), LIBDIR, "pkgconfig", "photobooth-immich-1.pc")).read()
    assert "prefix=%s\n" % PREFIX in pc, pc
    with open(os.path.join(pcdir, "photobooth-immich-1.pc"), "w") as f:
        f.write(pc.replace("prefix=%s\n" % PREFIX, "prefix=%s\n" % root(), 1))
    env["PKG_CONFIG_PATH"] = pcdir
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "photobooth-immich-1"],
                           capture_output=True, text=True, env=env, check=True).stdout.split()
    assert "-I%s/include/photobooth-immich-1" % root() in flags, flags
    src = os.path.join(workdir, "use.c")
    with open(src, "w") as f:
        f.write('#include <photobooth-immich.h>\n'
                '#include <stdio.h>\n'
                'int main (void) {\n'
                '  GEnumClass *c = g_type_class_ref (PBI_TYPE_CONNECTION_STATE);\n'
                '  printf ("%s %u\\n", g_type_name (PBI_TYPE_ALBUM), c->n_values);\n'
                '  return 0;\n'
                '}\n')
    exe = os.path.join(workdir, "use")
    subprocess.run((SANITIZER_CC or ["cc"]) + ["-o", exe, src] + flags, check=True, env=env,
                   timeout=120)
    out = subprocess.run([exe], capture_output=True, text=True, env=env, check=True).stdout
    assert out == "PbiAlbum 6\n", out


def test_service_unit_and_kiosk_entry(workdir):
    unit = open(os.path.join(root(), "lib", "systemd", "user",
                             "photobooth-immich-watch.service")).read()
    lines = [l.strip() for l in unit.splitlines()]
    exec_start = [l for l in lines if l.startswith("ExecStart=")]
    assert exec_start == ["ExecStart=%s/bin/photobooth-immich watch" % PREFIX], exec_start
    assert os.access(root() + "/bin/photobooth-immich", os.X_OK)
    for want in ("Restart=on-failure", "After=network-online.target",
                 "Wants=network-online.target", "WantedBy=default.target"):
        assert want in lines, want
    if shutil.which("systemd-analyze"):
        # verify the unit's syntax (the binary is checked above, in the DESTDIR)
        copy = os.path.join(workdir, "photobooth-immich-watch.service")
        with open(copy, "w") as f:
            f.write(unit.replace("%s/bin/photobooth-immich" % PREFIX, "/bin/true"))
        p = subprocess.run(["systemd-analyze", "verify", "--man=no", copy],
                           capture_output=True, text=True, timeout=60)
        bad = [l for l in (p.stdout + p.stderr).splitlines()
               if "photobooth-immich-watch.service" in l]
        assert not bad, bad

    kiosk = os.path.join(root(), "share", "photobooth-immich-sync",
                         "io.github.photobooth.ImmichSync-kiosk.desktop")
    p = subprocess.run(["desktop-file-validate", kiosk], capture_output=True, text=True)
    assert p.returncode == 0 and not p.stdout.strip(), p.stdout + p.stderr
    assert "Exec=photobooth-immich-sync --kiosk\n" in open(kiosk).read()


def test_man_pages(workdir):
    for page in ("photobooth-immich", "photobooth-immich-sync"):
        text = open(os.path.join(root(), "share", "man", "man1", page + ".1")).read()
        assert '.TH "%s" "1"' % page in text, text[:200]
        assert ".SH NAME" in text


if __name__ == "__main__":
    try:
        run_tests(globals())
    finally:
        if _destdir is not None:
            shutil.rmtree(_destdir, ignore_errors=True)
