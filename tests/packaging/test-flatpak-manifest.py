#!/usr/bin/env python3
# test-flatpak-manifest.py: the Flatpak manifest asks for what the code needs and no more
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""No Flatpak runtime can be fetched here, so the manifest is checked
statically: flatpak-builder parses it (when installed), it runs the app with
the least permissions that work, every module it builds is pinned, and each
place the code opens outside the sandbox's own folders is allowed by a
finish-arg (and nothing else is)."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "cli"))

from pbitest import run_tests  # noqa: E402

MANIFEST = os.path.join(TOP, "flatpak", "io.github.photobooth.ImmichSync.json")

# What each finish-arg is for; a finish-arg not listed here is not allowed.
NEEDED = {
    "--share=network": "libsoup talks to the Immich server",
    "--share=ipc": "X11 shared memory, for the X11 fallback",
    "--socket=wayland": "the GTK window",
    "--socket=fallback-x11": "the GTK window where there is no Wayland",
    "--device=dri": "GTK's GL renderer",
    "--filesystem=xdg-pictures": "the default capture folder (~/Pictures)",
}

# GLib calls that reach outside the sandbox's own data, config and cache
# folders, and the finish-arg each needs
SPECIAL_DIRS = {
    "G_USER_DIRECTORY_PICTURES": "--filesystem=xdg-pictures",
    "G_USER_DIRECTORY_DOCUMENTS": "--filesystem=xdg-documents",
    "G_USER_DIRECTORY_DOWNLOAD": "--filesystem=xdg-download",
    "G_USER_DIRECTORY_VIDEOS": "--filesystem=xdg-videos",
    "G_USER_DIRECTORY_DESKTOP": "--filesystem=xdg-desktop",
}


def manifest():
    with open(MANIFEST) as f:
        return json.load(f)


def code_files():
    return glob.glob(os.path.join(TOP, "src", "**", "*.c"), recursive=True)


def test_flatpak_builder_parses_it(workdir):
    assert shutil.which("flatpak-builder"), "flatpak-builder is not installed (tools/deps.sh)"
    p = subprocess.run(["flatpak-builder", "--show-manifest", MANIFEST], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["id"] == "io.github.photobooth.ImmichSync"


def test_app_and_command(workdir):
    m = manifest()
    meson = open(os.path.join(TOP, "meson.build")).read()
    assert "app_id = '%s'" % m["id"] in meson
    assert m["command"] == "photobooth-immich-sync"
    assert m["runtime"] == "org.gnome.Platform" and m["sdk"] == "org.gnome.Sdk"


def test_least_permissions(workdir):
    args = manifest()["finish-args"]
    assert len(args) == len(set(args)), args
    assert set(args) == set(NEEDED), sorted(set(args) ^ set(NEEDED))
    for arg in args:
        assert not re.match(r"--filesystem=(home|host)", arg), arg
        assert arg not in ("--socket=x11", "--device=all", "--talk-name=org.freedesktop.Flatpak")


def test_code_opens_only_what_is_allowed(workdir):
    args = set(manifest()["finish-args"])
    uses_soup = False
    for path in code_files():
        text = open(path).read()
        rel = os.path.relpath(path, TOP)
        assert "g_get_home_dir" not in text, "%s reads the home folder: the sandbox has none" % rel
        for name in re.findall(r"g_get_user_special_dir\s*\(\s*(\w+)", text):
            assert SPECIAL_DIRS.get(name) in args, "%s opens %s" % (rel, name)
        uses_soup |= "soup_session" in text
    assert uses_soup and "--share=network" in args


def test_modules_pinned(workdir):
    modules = manifest()["modules"]
    ours = modules[-1]
    assert ours["name"] == "photobooth-immich-sync"
    assert ours["sources"] == [{"type": "dir", "path": ".."}]
    assert ours.get("run-tests") is True
    options = open(os.path.join(TOP, "meson_options.txt")).read()
    for opt in ours.get("config-opts", []):
        name = re.match(r"-D(\w+)=", opt).group(1)
        assert "option('%s'" % name in options, opt
    for module in modules[:-1]:
        for src in module["sources"]:
            if src["type"] == "git":
                assert re.fullmatch(r"[0-9a-f]{40}", src.get("commit", "")), module["name"]
            elif src["type"] in ("archive", "file"):
                assert re.fullmatch(r"[0-9a-f]{64}", src.get("sha256", "")), module["name"]
                assert src["url"].startswith("https://"), src["url"]
            else:
                raise AssertionError("%s: unpinned source type %s" % (module["name"], src["type"]))


if __name__ == "__main__":
    run_tests(globals())
