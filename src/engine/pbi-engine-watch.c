/* pbi-engine-watch.c: automatic sync of PbiEngine: watching the capture folder
 * and the library folder, and scanning the library for photos not yet sent.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pbi-engine-enums.h"
#include "pbi-engine-private.h"
#include "pbi-hasher.h"
#include "pbi-immich-client.h"
#include "pbi-log.h"
#include "pbi-media-info.h"
#include "pbi-scanner.h"
#include "pbi-store.h"
#include "pbi-watcher.h"
#define LIBRARY_SETTLE_S         5

/* ------------------------------------------------------------------------ */
/* Watching and auto sync                                                     */

static void
on_file_ready (PbiWatcher *watcher,
               GFile      *file,
               PbiEngine  *self)
{
  g_autofree gchar *path = g_file_get_path (file);
  g_auto(GStrv) albums = _pbi_engine_default_albums (self);
  gint64 size, mtime;
  gboolean skipped;

  if (path == NULL || !_pbi_engine_stat_path (path, &size, &mtime))
    return;
  g_debug ("New capture %s", path);
  _pbi_engine_enqueue_path (self, path, size, mtime, (const gchar * const *) albums, FALSE,
                            &skipped);
  if (!_pbi_engine_automatic_allowed (self) && !skipped)
    g_message ("Queued %s; it is uploaded when sync is enabled%s", path,
               self->enabled ? " and inside the sync schedule" : "");
  _pbi_engine_schedule_pump (self);
}

static void
on_watching_changed (PbiWatcher *watcher,
                     GParamSpec *pspec,
                     PbiEngine  *self)
{
  g_autoptr(GFile) dir = pbi_watcher_get_directory (watcher) != NULL ?
                         g_object_ref (pbi_watcher_get_directory (watcher)) : NULL;
  g_autofree gchar *path = dir != NULL ? g_file_get_path (dir) : NULL;

  if (!pbi_watcher_get_watching (watcher))
    {
      self->watch_lost = TRUE;
      pbi_log_error ("immich: the capture folder %s is gone; watching for it to come back",
                     path);
      return;
    }
  if (!self->watch_lost)
    return;
  self->watch_lost = FALSE;
  /* the folder (an SD card, a mount) is back: pick up what was written
   * while it was away */
  g_message ("Watching %s again; looking for photos taken meanwhile", path);
  _pbi_engine_sync_folder (self, path, NULL, TRUE, NULL, NULL, NULL);
}

/* A folder no camera writes to, which holds the whole system or files that
 * are not photos (and links into every process's folders, /proc): watching
 * or syncing it would send the machine's images to Immich. Returns why, or
 * NULL for a folder that may hold captures. */
static gchar *
system_folder_reason (const gchar *folder)
{
  static const gchar * const system_trees[] = {
    /* not /run, /media, /mnt, /var: USB sticks and camera mounts live there */
    "/proc", "/sys", "/dev", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", NULL
  };
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (folder);
  g_autofree gchar *path = g_file_get_path (file);

  if (path == NULL)
    return NULL;
  if (g_str_equal (path, "/"))
    return g_strdup_printf ("“%s” is the whole file system, not the folder the camera writes to",
                            folder);
  for (guint i = 0; system_trees[i] != NULL; i++)
    {
      gsize n = strlen (system_trees[i]);

      if (g_str_has_prefix (path, system_trees[i]) && (path[n] == '\0' || path[n] == '/'))
        return g_strdup_printf ("“%s” is a system folder (%s), not the folder the camera "
                                "writes to", folder, system_trees[i]);
    }
  return NULL;
}

const gchar *
_pbi_engine_watch_folder (PbiEngine *self)
{
  if (self->watch_override != NULL)
    return self->watch_override;
  return self->capture_folder;
}

void
_pbi_engine_start_watcher (PbiEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;
  g_auto(GStrv) exts = NULL;
  g_autofree gchar *reason = NULL;
  const gchar *folder = _pbi_engine_watch_folder (self);

  if (self->watcher != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->watcher, self);
      g_clear_object (&self->watcher);
    }
  if (folder == NULL || *folder == '\0' ||
      (!self->sync_on_capture && self->watch_override == NULL))
    return;

  reason = system_folder_reason (folder);
  if (reason != NULL)
    {
      pbi_log_error ("immich: not watching: %s; set immich_capture_folder to the camera's folder",
                     reason);
      return;
    }
  dir = g_file_new_for_commandline_arg (folder);
  self->watcher = pbi_watcher_new (dir);
  exts = pbi_engine_dup_media_extensions (self);
  if (exts != NULL)
    pbi_watcher_set_extensions (self->watcher, (const gchar * const *) exts);
  g_signal_connect_object (self->watcher, "file-ready", G_CALLBACK (on_file_ready), self, 0);
  g_signal_connect_object (self->watcher, "notify::watching", G_CALLBACK (on_watching_changed),
                           self, 0);
  if (!pbi_watcher_start (self->watcher, &error))
    {
      pbi_log_error ("immich: cannot watch %s: %s", folder, error->message);
      g_clear_object (&self->watcher);
      return;
    }
  g_message ("Watching %s for new photos", folder);
}

static void
library_scan_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PbiEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiSyncSummary) summary = NULL;

  self->scanning_library = FALSE;
  summary = pbi_engine_sync_folder_finish (self, result, &error);
  if (self->rescan_wanted)
    {
      self->rescan_wanted = FALSE;
      _pbi_engine_scan_library (self);
    }
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        pbi_log_error ("immich auto sync: %s", error->message);
      return;
    }
  g_message ("Auto sync done: %u uploaded, %u duplicates, %u failed, %u already synced, "
             "%u queued", summary->uploaded, summary->duplicates, summary->failed,
             summary->skipped, summary->queued);
}

/* the folder auto sync covers: the library folder, else the capture folder */
const gchar *
_pbi_engine_library_target (PbiEngine *self)
{
  if (self->library_folder != NULL && *self->library_folder != '\0')
    return self->library_folder;
  return self->capture_folder;
}

void
_pbi_engine_scan_library (PbiEngine *self)
{
  const gchar *folder = _pbi_engine_library_target (self);
  g_autofree gchar *reason = NULL;

  if (!self->enabled || !self->auto_sync || folder == NULL || *folder == '\0')
    return;
  reason = system_folder_reason (folder);
  if (reason != NULL)
    {
      pbi_log_error ("immich auto sync: not syncing: %s; set immich_library_folder (or "
                     "immich_capture_folder) to the photos' folder", reason);
      return;
    }
  if (self->scanning_library)
    {
      self->rescan_wanted = TRUE;
      return;
    }
  self->scanning_library = TRUE;
  g_message ("Auto sync of %s", folder);
  _pbi_engine_sync_folder (self, folder, NULL, TRUE, NULL, library_scan_cb, g_object_ref (self));
}

static gboolean
rescan_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->rescan_source = 0;
  _pbi_engine_scan_library (self);
  return G_SOURCE_REMOVE;
}

/* Something changed in the library folder: scan it again once things have
 * been quiet for a few seconds (unchanged files cost a lookup, not a hash). */
static void
on_library_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    PbiEngine         *self)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;  /* the done-hint, created, moved-in and rename events follow */
  g_clear_handle_id (&self->rescan_source, g_source_remove);
  self->rescan_source = g_timeout_add_seconds (LIBRARY_SETTLE_S, rescan_cb, self);
}

void
_pbi_engine_watch_library (PbiEngine *self)
{
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;

  if (self->library_monitor != NULL)
    {
      g_file_monitor_cancel (self->library_monitor);
      g_signal_handlers_disconnect_by_data (self->library_monitor, self);
      g_clear_object (&self->library_monitor);
    }
  /* a capture folder has its own watcher */
  if (!self->auto_sync || self->library_folder == NULL || *self->library_folder == '\0' ||
      g_strcmp0 (self->library_folder, _pbi_engine_watch_folder (self)) == 0)
    return;
  dir = g_file_new_for_path (self->library_folder);
  self->library_monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->library_monitor == NULL)
    {
      g_debug ("Not watching the library folder %s: %s", self->library_folder, error->message);
      return;
    }
  g_signal_connect_object (self->library_monitor, "changed", G_CALLBACK (on_library_changed),
                           self, 0);
}
