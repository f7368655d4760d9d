/* pbi-engine-requests.c: the request API of PbiEngine: sync_photo, sync_files and
 * sync_folder (async and blocking), enqueueing their files in chunks, and
 * their results and summaries.
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
#define ENQUEUE_CHUNK            100
/* from this many files, what is synced already is read in one query */
#define SYNCED_SNAPSHOT_MIN      1000

G_DEFINE_BOXED_TYPE (PbiSyncResult, pbi_sync_result, pbi_sync_result_copy, pbi_sync_result_free)
G_DEFINE_BOXED_TYPE (PbiSyncSummary, pbi_sync_summary, pbi_sync_summary_copy, pbi_sync_summary_free)

PbiSyncResult *
pbi_sync_result_copy (const PbiSyncResult *result)
{
  PbiSyncResult *copy = g_new0 (PbiSyncResult, 1);

  copy->path = g_strdup (result->path);
  copy->success = result->success;
  copy->duplicate = result->duplicate;
  copy->asset_id = g_strdup (result->asset_id);
  copy->error = g_strdup (result->error);
  return copy;
}

void
pbi_sync_result_free (PbiSyncResult *result)
{
  if (result == NULL)
    return;
  g_free (result->path);
  g_free (result->asset_id);
  g_free (result->error);
  g_free (result);
}

PbiSyncSummary *
pbi_sync_summary_copy (const PbiSyncSummary *summary)
{
  return g_memdup2 (summary, sizeof *summary);
}

void
pbi_sync_summary_free (PbiSyncSummary *summary)
{
  g_free (summary);
}

/* ------------------------------------------------------------------------ */
/* Requests: counting their photos in                                         */

static void
request_free (Request *req)
{
  g_clear_object (&req->task);
  g_clear_pointer (&req->single, pbi_sync_result_free);
  g_strfreev (req->albums);
  g_free (req->folder);
  g_free (req);
}

static void
request_complete (Request *req)
{
  /* What the caller reads next (the database, `photobooth-immich status`)
   * must show the request's photos as they ended: write the records still
   * waiting for the write-behind flush before the request completes. */
  _pbi_engine_flush_records (PBI_ENGINE (g_task_get_source_object (req->task)));

  if (req->single != NULL)
    g_task_return_pointer (req->task, g_steal_pointer (&req->single),
                           (GDestroyNotify) pbi_sync_result_free);
  else
    g_task_return_pointer (req->task, pbi_sync_summary_copy (&req->summary),
                           (GDestroyNotify) pbi_sync_summary_free);
  request_free (req);
}

void
_pbi_engine_request_account (Request      *req,
                             Job          *job,
                             PbiFileState  state,
                             const gchar  *error)
{
  gboolean ok = state == PBI_FILE_STATE_DONE;

  if (ok && job->duplicate)
    req->summary.duplicates++;
  else if (ok)
    req->summary.uploaded++;
  else if (state == PBI_FILE_STATE_PENDING)
    req->summary.queued++;
  else
    req->summary.failed++;

  if (req->single != NULL)
    {
      req->single->success = ok;
      /* a photo that failed is not a duplicate, whatever the check said */
      req->single->duplicate = ok && job->duplicate;
      g_free (req->single->asset_id);
      req->single->asset_id = g_strdup (job->asset_id);
      g_free (req->single->error);
      req->single->error = g_strdup (error);
    }

  g_assert (req->remaining > 0);
  if (--req->remaining == 0)
    request_complete (req);
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                   */

typedef struct
{
  PbiEngine *self;      /* (owned) */
  Request   *req;
  GPtrArray *entries;   /* (element-type PbiScanEntry) (owned) */
  GHashTable *synced;   /* (owned) (nullable) pbi_store_files_synced() for large runs */
  guint      next;
  guint      idle_id;
} EnqueueRun;

static void
enqueue_run_free (EnqueueRun *run)
{
  g_object_unref (run->self);
  g_ptr_array_unref (run->entries);
  g_clear_pointer (&run->synced, g_hash_table_unref);
  g_free (run);
}

/* Adds entries to the queue a chunk at a time, one transaction per chunk, so
 * a 10,000-photo folder never holds the main loop for long. */
static gboolean
enqueue_chunk_cb (gpointer user_data)
{
  EnqueueRun *run = user_data;
  PbiEngine *self = run->self;
  Request *req = run->req;
  guint end = MIN (run->next + ENQUEUE_CHUNK, run->entries->len);

  for (; run->next < end; run->next++)
    {
      PbiScanEntry *entry = g_ptr_array_index (run->entries, run->next);
      gboolean skipped = FALSE;
      const gint64 *stored = run->synced != NULL
                             ? g_hash_table_lookup (run->synced, entry->path) : NULL;
      Job *job;

      /* synced before, unchanged, and not being worked on (the engine's own
       * changes are in jobs or dirty until written) */
      if (stored != NULL && stored[0] == entry->size && stored[1] == entry->mtime_us
          && !g_hash_table_contains (self->jobs, entry->path)
          && !g_hash_table_contains (self->dirty, entry->path))
        {
          req->summary.skipped++;
          continue;
        }
      job = _pbi_engine_enqueue_path (self, entry->path, entry->size, entry->mtime_us,
                                      (const gchar * const *) req->albums, !req->automatic,
                                      &skipped);
      if (job == NULL)
        {
          if (skipped)
            req->summary.skipped++;
          continue;
        }
      if (job->waiters == NULL)
        job->waiters = g_ptr_array_new ();
      g_ptr_array_add (job->waiters, req);
      req->remaining++;
    }
  _pbi_engine_flush_records (self);
  _pbi_engine_schedule_pump (self);

  if (run->next < run->entries->len)
    return G_SOURCE_CONTINUE;

  /* the sentinel taken in start_enqueue_run */
  g_assert (req->remaining > 0);
  if (--req->remaining == 0)
    request_complete (req);
  else if (self->connection_state == PBI_CONNECTION_OFFLINE ||
           self->connection_state == PBI_CONNECTION_ERROR ||
           self->connection_state == PBI_CONNECTION_UNCONFIGURED)
    {
      /* nothing will move until the server answers: report now */
      _pbi_engine_ensure_connected (self);
    }
  run->idle_id = 0;
  enqueue_run_free (run);
  return G_SOURCE_REMOVE;
}

static void
start_enqueue_run (PbiEngine *self,
                   Request   *req,
                   GPtrArray *entries)
{
  EnqueueRun *run = g_new0 (EnqueueRun, 1);

  run->self = g_object_ref (self);
  run->req = req;
  run->entries = g_ptr_array_ref (entries);
  if (entries->len >= SYNCED_SNAPSHOT_MIN)
    run->synced = pbi_store_files_synced (self->store, req->automatic ? NULL
                                          : (const gchar * const *) req->albums);
  req->remaining++;  /* sentinel until every entry is queued */
  run->idle_id = g_idle_add (enqueue_chunk_cb, run);
}

static PbiScanEntry *
scan_entry_new (const gchar *path,
                gint64       size,
                gint64       mtime)
{
  PbiScanEntry *entry = g_new0 (PbiScanEntry, 1);

  entry->path = g_strdup (path);
  entry->size = size;
  entry->mtime_us = mtime;
  return entry;
}

static Request *
request_new (PbiEngine           *self,
             const gchar         *album_name,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  Request *req = g_new0 (Request, 1);

  req->task = _pbi_engine_task_new (self, source_tag, cancellable, callback, user_data);
  if (album_name != NULL && *album_name != '\0')
    {
      const gchar *one[] = { album_name, NULL };
      req->albums = g_strdupv ((GStrv) one);
    }
  else
    req->albums = _pbi_engine_default_albums (self);
  return req;
}

/* The entry of @arg (a path or URI as typed), or NULL when it is not a
 * readable file; @abs (optional) gets its absolute path, or NULL. */
static PbiScanEntry *
scan_entry_for_arg (const gchar  *arg,
                    gchar       **abs)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (arg);
  g_autofree gchar *path = g_file_get_path (file);
  gint64 size, mtime;
  PbiScanEntry *entry = NULL;

  if (path != NULL && _pbi_engine_stat_path (path, &size, &mtime))
    entry = scan_entry_new (path, size, mtime);
  if (abs != NULL)
    *abs = g_steal_pointer (&path);
  return entry;
}

/**
 * pbi_engine_sync_files_async:
 * @self: a #PbiEngine
 * @paths: (array zero-terminated=1) (element-type filename): the photos
 * @album_name: (nullable): the album, or %NULL for the configured ones
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when every photo is synced or has failed
 * @user_data: (closure): data for @callback
 *
 * Queues the photos and completes when each is synced or has failed; finish
 * with pbi_engine_sync_files_finish().
 */
void
pbi_engine_sync_files_async (PbiEngine           *self,
                             const gchar * const *paths,
                             const gchar         *album_name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Request *req;
  g_autoptr(GPtrArray) entries = NULL;

  g_return_if_fail (PBI_IS_ENGINE (self));
  g_return_if_fail (paths != NULL);

  req = request_new (self, album_name, cancellable, callback, user_data,
                     pbi_engine_sync_files_async);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_scan_entry_free);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      PbiScanEntry *entry = scan_entry_for_arg (paths[i], NULL);

      if (entry == NULL)
        {
          pbi_log_error ("immich sync: %s is not a readable file", paths[i]);
          req->summary.failed++;
          continue;
        }
      g_ptr_array_add (entries, entry);
    }
  start_enqueue_run (self, req, entries);
}

/**
 * pbi_engine_sync_files_finish:
 * @self: a #PbiEngine
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the counts
 */
PbiSyncSummary *
pbi_engine_sync_files_finish (PbiEngine     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_sync_files_async, error);
}

/**
 * pbi_engine_sync_photo_async:
 * @self: a #PbiEngine
 * @path: (type filename): the photo
 * @album_name: (nullable): the album, or %NULL for the configured ones
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the photo is synced or has failed
 * @user_data: (closure): data for @callback
 *
 * Queues one photo and completes when it is synced or has failed; finish
 * with pbi_engine_sync_photo_finish().
 */
void
pbi_engine_sync_photo_async (PbiEngine           *self,
                             const gchar         *path,
                             const gchar         *album_name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Request *req;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree gchar *abs = NULL;
  PbiScanEntry *entry;

  g_return_if_fail (PBI_IS_ENGINE (self));
  g_return_if_fail (path != NULL);

  req = request_new (self, album_name, cancellable, callback, user_data,
                     pbi_engine_sync_photo_async);
  entry = scan_entry_for_arg (path, &abs);
  req->single = g_new0 (PbiSyncResult, 1);
  req->single->path = g_strdup (abs != NULL ? abs : path);

  if (entry == NULL)
    {
      req->single->error = g_strdup_printf (_("%s is not a readable file"), path);
      request_complete (req);
      return;
    }
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_scan_entry_free);
  g_ptr_array_add (entries, entry);
  start_enqueue_run (self, req, entries);
}

/**
 * pbi_engine_sync_photo_finish:
 * @self: a #PbiEngine
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what became of the photo
 */
PbiSyncResult *
pbi_engine_sync_photo_finish (PbiEngine     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  PbiSyncResult *res;

  res = _pbi_engine_task_finish_pointer (self, result, pbi_engine_sync_photo_async, error);
  /* a photo synced before and unchanged since counts as a success */
  if (res != NULL && !res->success && res->error == NULL)
    {
      g_autoptr(PbiFileRecord) rec = _pbi_engine_get_record (self, res->path);

      if (rec != NULL
          && (rec->state == PBI_FILE_STATE_DONE || rec->state == PBI_FILE_STATE_DUPLICATE))
        {
          res->success = TRUE;
          res->asset_id = g_strdup (rec->asset_id);
        }
    }
  return res;
}

/**
 * pbi_engine_sync_photo:
 * @self: a #PbiEngine
 * @path: (type filename): the photo
 * @album_name: (nullable): the album, or %NULL for the configured ones
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Blocking version of pbi_engine_sync_photo_async(), for scripts. Runs the
 * engine's main context until the photo is synced or has failed.
 *
 * Returns: (transfer full): what became of the photo
 */
PbiSyncResult *
pbi_engine_sync_photo (PbiEngine     *self,
                       const gchar   *path,
                       const gchar   *album_name,
                       GCancellable  *cancellable,
                       GError       **error)
{
  PbiEngineWait wait = { g_main_context_ref_thread_default (), NULL };
  PbiSyncResult *res;

  pbi_engine_sync_photo_async (self, path, album_name, cancellable, _pbi_engine_wait_cb, &wait);
  res = pbi_engine_sync_photo_finish (self, _pbi_engine_wait_run (&wait), error);
  _pbi_engine_wait_clear (&wait);
  return res;
}

/* An automatic scan (the folder at start, auto sync, a folder that came
 * back) leaves alone files changed in the last SCAN_RECENT_US: a camera may
 * be writing one, paused between two writes, and the hasher would take
 * what is there so far for the photo (sent half-written, then again whole).
 * The watcher reports such a file when its writer is done, and the folder
 * is scanned again after SCAN_AGAIN_S for one it does not see. */
#define SCAN_RECENT_US (2 * G_USEC_PER_SEC)
#define SCAN_AGAIN_S   5

typedef struct
{
  GWeakRef  engine;
  gchar    *folder;
} ScanAgain;

static void
scan_again_free (gpointer data)
{
  ScanAgain *again = data;

  g_weak_ref_clear (&again->engine);
  g_free (again->folder);
  g_free (again);
}

static gboolean
scan_again_cb (gpointer data)
{
  ScanAgain *again = data;
  g_autoptr(PbiEngine) self = g_weak_ref_get (&again->engine);

  if (self != NULL && !self->stopped)
    _pbi_engine_sync_folder (self, again->folder, NULL, TRUE, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
defer_recent_entries (PbiEngine *self,
                      Request   *req,
                      GPtrArray *entries)
{
  gint64 now = g_get_real_time ();
  guint deferred = 0;
  ScanAgain *again;

  for (guint i = entries->len; i > 0; i--)
    {
      const PbiScanEntry *entry = g_ptr_array_index (entries, i - 1);

      /* a time far in the future is a wrong clock, not a writer */
      if (entry->mtime_us > now - SCAN_RECENT_US && entry->mtime_us < now + G_USEC_PER_SEC)
        {
          g_ptr_array_remove_index (entries, i - 1);
          deferred++;
        }
    }
  if (deferred == 0 || req->folder == NULL)
    return;
  g_debug ("immich scan: %u file(s) in %s changed in the last seconds; looking again in %d s",
           deferred, req->folder, SCAN_AGAIN_S);
  again = g_new0 (ScanAgain, 1);
  g_weak_ref_init (&again->engine, self);
  again->folder = g_strdup (req->folder);
  g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, SCAN_AGAIN_S, scan_again_cb, again,
                              scan_again_free);
}

static void
folder_scan_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Request *req = user_data;
  PbiEngine *self = g_task_get_source_object (req->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  entries = pbi_scanner_scan_finish (PBI_SCANNER (object), result, &error);
  if (entries == NULL)
    {
      g_task_return_error (req->task, g_steal_pointer (&error));
      request_free (req);
      return;
    }
  if (req->automatic)
    defer_recent_entries (self, req, entries);
  start_enqueue_run (self, req, entries);
}

gchar **
pbi_engine_dup_media_extensions (PbiEngine *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (self->media_types == NULL)
    return NULL;
  g_strv_builder_addv (builder, (const gchar **) self->media_types->image);
  g_strv_builder_addv (builder, (const gchar **) self->media_types->video);
  return g_strv_builder_end (builder);
}

void
_pbi_engine_sync_folder (PbiEngine           *self,
                         const gchar         *folder,
                         const gchar         *album_name,
                         gboolean             automatic,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Request *req;
  g_autoptr(GFile) dir = NULL;
  g_auto(GStrv) exts = NULL;
  g_autoptr(PbiScanner) scanner = NULL;

  req = request_new (self, album_name, cancellable, callback, user_data,
                     pbi_engine_sync_folder_async);
  req->automatic = automatic;
  req->folder = g_strdup (folder);
  dir = g_file_new_for_commandline_arg (folder);
  exts = pbi_engine_dup_media_extensions (self);
  scanner = pbi_scanner_new (dir, (const gchar * const *) exts);
  pbi_scanner_scan_async (scanner, cancellable, folder_scan_cb, req);
}

/**
 * pbi_engine_sync_folder_async:
 * @self: a #PbiEngine
 * @folder: (type filename): the folder (and its subfolders)
 * @album_name: (nullable): the album, or %NULL for the configured ones
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when every photo is synced or has failed
 * @user_data: (closure): data for @callback
 *
 * Queues every photo in @folder and completes when each is synced or has
 * failed; finish with pbi_engine_sync_folder_finish().
 */
void
pbi_engine_sync_folder_async (PbiEngine           *self,
                              const gchar         *folder,
                              const gchar         *album_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PBI_IS_ENGINE (self));
  g_return_if_fail (folder != NULL);

  _pbi_engine_sync_folder (self, folder, album_name, FALSE, cancellable, callback, user_data);
}

/**
 * pbi_engine_sync_folder_finish:
 * @self: a #PbiEngine
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the counts
 */
PbiSyncSummary *
pbi_engine_sync_folder_finish (PbiEngine     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_sync_folder_async, error);
}

/**
 * pbi_engine_sync_folder:
 * @self: a #PbiEngine
 * @folder: (type filename): the folder, searched with its subfolders
 * @album_name: (nullable): the album, or %NULL for the configured ones
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Blocking version of pbi_engine_sync_folder_async(), for scripts.
 *
 * Returns: (transfer full): counts of uploaded, duplicate, failed and
 *   skipped photos
 */
PbiSyncSummary *
pbi_engine_sync_folder (PbiEngine     *self,
                        const gchar   *folder,
                        const gchar   *album_name,
                        GCancellable  *cancellable,
                        GError       **error)
{
  PbiEngineWait wait = { g_main_context_ref_thread_default (), NULL };
  PbiSyncSummary *res;

  pbi_engine_sync_folder_async (self, folder, album_name, cancellable, _pbi_engine_wait_cb, &wait);
  res = pbi_engine_sync_folder_finish (self, _pbi_engine_wait_run (&wait), error);
  _pbi_engine_wait_clear (&wait);
  return res;
}
