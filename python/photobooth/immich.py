# photobooth/immich.py: the PhotoBooth's Immich functions over libphotobooth-immich
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""The PhotoBooth's Immich API, with its function names and result shapes,
as a thin layer over the Pbi typelib (libphotobooth-immich).

    from photobooth.immich import get_immich_sync, sync_photo_to_immich

    sync = get_immich_sync()
    result = sync.sync_all_photos('/home/pi/photobooth/captures')
    print(f"Synced {result['uploaded']} professional photos")

    result = sync_photo_to_immich('/home/pi/photobooth/captures/IMG_0042.jpg')
    if result['success']:
        print(result['status'], result['asset_id'])

Settings (server, API key, album) come from the database the command-line
tool and the app use: $PHOTOBOOTH_IMMICH_DATABASE, else
~/.local/share/photobooth-immich-sync/sync.db; or pass get_immich_sync(database=...).

Logging: the library's lines go to the logger "photobooth.immich" (INFO:
"Uploaded photo IMG_0042.jpg to Immich"); set it to DEBUG and the library's
debug lines (each request, each photo's steps) go to it too.
"""

import logging
import os
import threading

import gi

gi.require_version("Pbi", "1.0")
from gi.repository import GLib, Pbi  # noqa: E402

__all__ = [
    "ImmichSync",
    "get_immich_sync",
    "sync_photo_to_immich",
    "test_immich_connection",
    "get_immich_albums",
]

logger = logging.getLogger(__name__)

# The GLib log domains of the library (src/*/meson.build G_LOG_DOMAIN)
_LIBRARY_DOMAINS = ("pbi-engine", "pbi-immich", "pbi-store")

# The files a folder sync picks, as the engine's scanner does
# (src/engine/pbi-media-info.c: default_extensions, temporary_suffixes;
# tests/python/test_photobooth_api.py checks the two agree)
MEDIA_EXTENSIONS = frozenset((
    ".jpg", ".jpeg", ".jpe", ".png", ".heic", ".heif", ".avif", ".webp", ".gif",
    ".tif", ".tiff", ".bmp", ".jxl",
    ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf",
    ".rw2", ".raf", ".pef", ".srw", ".x3f", ".3fr", ".iiq", ".raw", ".rwl", ".erf",
    ".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mts", ".m2ts", ".3gp",
    ".mpg", ".mpeg", ".wmv", ".flv",
))
TEMPORARY_SUFFIXES = (
    ".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp",
    ".swx", ".filepart", ".opdownload", ".!ut", ".lock", "~",
)

_lock = threading.RLock()
_forwarded_levels = 0


def _on_library_log(domain, level, message, *user_data):
    if level & (GLib.LogLevelFlags.LEVEL_ERROR | GLib.LogLevelFlags.LEVEL_CRITICAL):
        logger.error("%s: %s", domain, message)
    elif level & GLib.LogLevelFlags.LEVEL_WARNING:
        logger.warning("%s: %s", domain, message)
    elif level & (GLib.LogLevelFlags.LEVEL_MESSAGE | GLib.LogLevelFlags.LEVEL_INFO):
        logger.info("%s: %s", domain, message)
    else:
        logger.debug("%s: %s", domain, message)


def _forward_library_logs():
    """The library's messages go to our logger, as Python programs expect:
    its ordinary lines ("Uploaded photo X to Immich") at INFO, warnings at
    WARNING; with DEBUG on for our logger, its debug lines (each request,
    each step) too. GLib log handlers for the library's domains, which a
    library may set (unlike a process-wide log writer). Lines the library
    marks as errors (structured, PBI_SEVERITY=ERROR) still go to stderr; the
    results carry the same reason."""
    global _forwarded_levels
    flags = GLib.LogLevelFlags
    want = int(flags.LEVEL_ERROR | flags.LEVEL_CRITICAL | flags.LEVEL_WARNING |
               flags.LEVEL_MESSAGE | flags.LEVEL_INFO)
    if logger.isEnabledFor(logging.DEBUG):
        want |= int(flags.LEVEL_DEBUG)
    new = want & ~_forwarded_levels
    if not new:
        return
    for domain in _LIBRARY_DOMAINS:
        GLib.log_set_handler(domain,
                             GLib.LogLevelFlags(new | flags.FLAG_FATAL | flags.FLAG_RECURSION),
                             _on_library_log, None)
    _forwarded_levels |= new
    if new & int(flags.LEVEL_DEBUG):
        logger.debug("debug lines of %s go to this logger", ", ".join(_LIBRARY_DOMAINS))


def _is_media_file(name):
    lower = name.lower()
    if not name or name.startswith(".") or name.startswith("~$"):
        return False
    if lower.endswith(TEMPORARY_SUFFIXES):
        return False
    return os.path.splitext(lower)[1] in MEDIA_EXTENSIONS


def _find_photos(directory):
    photos = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(root, name)
            if _is_media_file(name) and os.path.isfile(path) and os.path.getsize(path) > 0:
                photos.append(os.path.abspath(path))
    return photos


class ImmichSync:
    """One sync engine (one database). Calls block until done and may come
    from any thread; they run one at a time."""

    def __init__(self, database=None):
        _forward_library_logs()
        if database is not None:
            self.engine = Pbi.Engine.new(os.fspath(database))
        else:
            self.engine = Pbi.Engine.get_default()
        # Photos the engine worked on during the current call: one it did not
        # touch was synced before and unchanged since (nothing sent).
        self._touched = set()
        self.engine.connect("file-state-changed", self._on_file_state_changed)

    def _on_file_state_changed(self, engine, path, state, error):
        self._touched.add(path)

    @property
    def database(self):
        return self.engine.get_database_path()

    def _photo_result(self, res):
        if res.success:
            duplicate = res.duplicate or res.path not in self._touched
            return {
                "success": True,
                "asset_id": res.asset_id,
                "status": "duplicate" if duplicate else "created",
                "message": ("Photo already on Immich (duplicate)" if duplicate
                            else "Photo uploaded to Immich"),
            }
        return {"success": False, "error": res.error or "The photo was not synced"}

    def sync_photo(self, photo_path, album_name=None):
        """Uploads one photo (into album_name, else the configured albums).

        Returns {success, asset_id, status: "created"|"duplicate", message}
        or {success: False, error}."""
        _forward_library_logs()
        with _lock:
            self._touched.clear()
            try:
                res = self.engine.sync_photo(os.fspath(photo_path), album_name, None)
            except GLib.Error as e:
                logger.error("Cannot sync %s: %s", photo_path, e.message)
                return {"success": False, "error": e.message}
            result = self._photo_result(res)
            if result["success"]:
                logger.info("Synced %s to Immich (%s)", photo_path, result["status"])
            else:
                logger.error("Cannot sync %s: %s", photo_path, result["error"])
            return result

    def sync_all_photos(self, photo_dir, album_name=None):
        """Syncs every photo in photo_dir and its subfolders.

        Returns {success, uploaded, duplicates, errors, details: [{file, path,
        success, status, asset_id} or {file, path, success: False, error}]}."""
        _forward_library_logs()
        photo_dir = os.fspath(photo_dir)
        if not os.path.isdir(photo_dir):
            message = "%s is not a folder" % photo_dir
            logger.error("Cannot sync: %s", message)
            return {"success": False, "uploaded": 0, "duplicates": 0, "errors": 0,
                    "details": [], "error": message}
        with _lock:
            self._touched.clear()
            photos = _find_photos(photo_dir)
            results = {}
            context = GLib.MainContext.ref_thread_default()

            def done(engine, async_result, path):
                try:
                    results[path] = self._photo_result(engine.sync_photo_finish(async_result))
                except GLib.Error as e:
                    results[path] = {"success": False, "error": e.message}

            for path in photos:
                self.engine.sync_photo_async(path, album_name, None, done, path)
            while len(results) < len(photos):
                context.iteration(True)

            details = []
            for path in photos:
                r = results[path]
                detail = {"file": os.path.basename(path), "path": path}
                detail.update(r)
                details.append(detail)
            uploaded = sum(1 for d in details if d.get("status") == "created")
            duplicates = sum(1 for d in details if d.get("status") == "duplicate")
            errors = sum(1 for d in details if not d["success"])
            logger.info("Synced %s: %d uploaded, %d duplicates, %d errors",
                        photo_dir, uploaded, duplicates, errors)
            return {"success": errors == 0, "uploaded": uploaded, "duplicates": duplicates,
                    "errors": errors, "details": details}

    def test_connection(self):
        """Checks the server address, the API key and its permissions.

        Returns {success, message, server_version} or {success: False, error}."""
        _forward_library_logs()
        with _lock:
            context = GLib.MainContext.ref_thread_default()
            box = {}

            def done(engine, async_result):
                try:
                    box["report"] = engine.test_connection_finish(async_result)
                except GLib.Error as e:
                    box["error"] = e.message

            self.engine.test_connection_async(None, done)
            while not box:
                context.iteration(True)
            if "error" in box:
                logger.error("Immich connection failed: %s", box["error"])
                return {"success": False, "error": box["error"]}
            return {
                "success": True,
                "message": "Connection to Immich server successful",
                "server_version": self.engine.get_server_version(),
                "details": box["report"],
            }

    def get_albums(self):
        """The albums the API key can see: [{id, albumName, assetCount,
        shared, ownerName}], or [] when the server cannot be asked (logged)."""
        _forward_library_logs()
        with _lock:
            try:
                albums = self.engine.fetch_albums(None)
            except GLib.Error as e:
                logger.error("Cannot list Immich albums: %s", e.message)
                return []
            return [{"id": a.id, "albumName": a.name, "assetCount": a.asset_count,
                     "shared": a.shared, "ownerName": a.owner_name} for a in albums]


_instances = {}


def get_immich_sync(database=None):
    """The ImmichSync for database (default: the shared default one)."""
    key = os.fspath(database) if database is not None else None
    with _lock:
        if key not in _instances:
            _instances[key] = ImmichSync(key)
        return _instances[key]


def sync_photo_to_immich(photo_path, album_name=None):
    """get_immich_sync().sync_photo(photo_path, album_name)"""
    return get_immich_sync().sync_photo(photo_path, album_name)


def test_immich_connection():
    """get_immich_sync().test_connection()"""
    return get_immich_sync().test_connection()


def get_immich_albums():
    """get_immich_sync().get_albums()"""
    return get_immich_sync().get_albums()
