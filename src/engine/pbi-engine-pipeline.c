/* pbi-engine-pipeline.c: the pipeline of PbiEngine: the hash → check → upload
 * stages and the queue (due rows, retry timer, pump).  Jobs, their records
 * and progress are in pbi-engine-jobs.c; the album stage in pbi-engine-albums.c.
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
#define ALBUM_FLUSH_DELAY_MS     300
#define DUE_BATCH                2000

/* ------------------------------------------------------------------------ */
/* Stage: hashing                                                             */

typedef struct
{
  PbiEngine *self;    /* (owned) */
  Job       *job;
} HashData;

static void
hash_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  HashData *data = user_data;
  g_autoptr(PbiEngine) self = data->self;
  Job *job = data->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiHashResult) hash = NULL;

  g_free (data);
  hash = pbi_hasher_hash_file_finish (PBI_HASHER (object), result, &error);
  self->hashing--;
  job->busy = FALSE;
  if (hash == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (!self->stopped)
            _pbi_engine_job_requeue (self, job);
          return;
        }
      pbi_log_error ("immich sync: cannot read %s: %s", job->path, error->message);
      /* a file still being written is tried again later; one that is gone
       * or unreadable waits for retry-failed */
      job->attempts++;
      _pbi_engine_job_finish (self, job,
                              g_error_matches (error, G_IO_ERROR,
                                               G_IO_ERROR_BUSY) ? PBI_FILE_STATE_FAILED
                                                                                   : PBI_FILE_STATE_REJECTED,
                              error->message);
      _pbi_engine_schedule_pump (self);
      return;
    }
  if (hash->size == 0)
    {
      /* no photo: Immich would store an asset it cannot show */
      pbi_log_error ("immich sync: %s is empty (0 bytes); not sent", job->path);
      _pbi_engine_job_finish (self, job, PBI_FILE_STATE_REJECTED,
                              "the file is empty (0 bytes), not a photo");
      _pbi_engine_schedule_pump (self);
      return;
    }
  /* a file that changed since it was queued is sent as it is now: the
   * hasher stats it in its worker, before and after reading */
  job->size = hash->size;
  job->mtime = hash->mtime_us;
  g_free (job->sha1);
  job->sha1 = g_steal_pointer (&hash->sha1);
  job->stage = STAGE_CHECK;
  _pbi_engine_save_job (self, job, PBI_FILE_STATE_CHECKING, NULL, 0);
  g_queue_push_tail (&self->check_queue, job);
  _pbi_engine_schedule_pump (self);
}

static void
run_hash_stage (PbiEngine *self)
{
  while (self->hashing < self->hash_limit && !g_queue_is_empty (&self->hash_queue))
    {
      Job *job = g_queue_pop_head (&self->hash_queue);
      HashData *data;

      g_debug ("Hashing %s", job->path);
      job->busy = TRUE;
      self->hashing++;
      _pbi_engine_save_job (self, job, PBI_FILE_STATE_HASHING, NULL, 0);
      data = g_new0 (HashData, 1);
      data->self = g_object_ref (self);
      data->job = job;
      pbi_hasher_hash_file_async (self->hasher, job->path, PBI_HASHER_FLAGS_NONE,
                                  self->cancellable, hash_cb, data);
    }
}

/* ------------------------------------------------------------------------ */
/* Stage: duplicate check                                                     */

typedef struct
{
  PbiEngine *self;    /* (owned) */
  GPtrArray *jobs;    /* (element-type Job) (unowned jobs) */
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_object_unref (data->self);
  g_ptr_array_unref (data->jobs);
  g_free (data);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CheckData *data = user_data;
  PbiEngine *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) trashed = g_ptr_array_new ();
  /* before 1.106 the check does not say whether a duplicate is in the trash
   * (and keys have no scopes): every duplicate is restored, a no-op for one
   * that is not */
  gboolean trash_unknown = self->client != NULL &&
                           pbi_immich_client_get_api_family (self->client) == PBI_IMMICH_API_V1;

  results = pbi_immich_client_bulk_check_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->checking--;
  if (results == NULL)
    {
      for (guint i = data->jobs->len; i > 0; i--)
        _pbi_engine_job_network_failed (self, g_ptr_array_index (data->jobs, i - 1), error);
      check_data_free (data);
      _pbi_engine_schedule_pump (self);
      return;
    }

  for (guint i = 0; i < data->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (data->jobs, i);
      PbiImmichCheckResult *res = i < results->len ? g_ptr_array_index (results, i) : NULL;

      job->busy = FALSE;
      if (res == NULL || res->accepted)
        {
          job->stage = STAGE_UPLOAD;
          _pbi_engine_save_job (self, job, PBI_FILE_STATE_UPLOADING, NULL, 0);
          g_queue_push_tail (&self->upload_queue, job);
        }
      else if (g_strcmp0 (res->reason, "duplicate") == 0 && res->asset_id != NULL)
        {
          g_free (job->asset_id);
          job->asset_id = g_strdup (res->asset_id);
          job->duplicate = TRUE;
          g_message ("Photo %s is already on Immich (duplicate); adding it to the album",
                     _pbi_engine_job_basename (job));
          if (self->bulk_bytes_total > 0)
            self->bulk_bytes_done += job->size;
          if (res->is_trashed || trash_unknown)
            {
              if (res->is_trashed)
                g_message ("Photo %s is in the Immich trash; restoring it",
                           _pbi_engine_job_basename (job));
              g_ptr_array_add (trashed, job);
            }
          else
            _pbi_engine_queue_for_albums (self, job);
        }
      else
        {
          g_autofree gchar *msg = g_strdup_printf (_("the server refuses %s: %s"),
                                                   _pbi_engine_job_basename (job),
                                                   res->reason != NULL ? res->reason : "rejected");
          pbi_log_error ("immich sync: %s", msg);
          _pbi_engine_job_finish (self, job, PBI_FILE_STATE_REJECTED, msg);
        }
    }

  if (trashed->len > 0)
    _pbi_engine_restore_then_add (self, trashed);

  check_data_free (data);
  _pbi_engine_schedule_pump (self);
}

static void
run_check_stage (PbiEngine *self)
{
  g_autoptr(GPtrArray) items = NULL;
  CheckData *data;

  if (self->checking > 0 || g_queue_is_empty (&self->check_queue))
    return;

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_check_item_free);
  data = g_new0 (CheckData, 1);
  data->self = g_object_ref (self);
  data->jobs = g_ptr_array_new ();

  /* one request covers everything hashed so far: cheap on a bulk run, one
   * round trip for a single capture */
  for (GList *l = self->check_queue.head; l != NULL;)
    {
      Job *job = l->data;
      GList *next = l->next;

      if (_pbi_engine_job_allowed (self, job) && items->len < PBI_IMMICH_BULK_CHECK_BATCH)
        {
          g_autofree gchar *id = g_strdup_printf ("%u", items->len);

          g_ptr_array_add (items, pbi_immich_check_item_new (id, job->sha1));
          g_ptr_array_add (data->jobs, job);
          job->busy = TRUE;
          g_queue_delete_link (&self->check_queue, l);
        }
      l = next;
    }

  if (items->len == 0)
    {
      check_data_free (data);
      return;
    }
  self->checking++;
  pbi_immich_client_bulk_check_async (self->client, items, self->cancellable, check_cb, data);
}

/* ------------------------------------------------------------------------ */
/* Stage: upload                                                              */

typedef struct
{
  PbiEngine *self;        /* (owned) */
  Job       *job;
  goffset    sent;
  gint64     last_emit;   /* monotonic; upload-progress at most 10 a second */
  guint      generation;  /* the client it was started with */
} UploadData;

#define UPLOAD_PROGRESS_US (G_USEC_PER_SEC / 10)

static void
upload_progress (goffset  sent,
                 goffset  total,
                 gpointer user_data)
{
  UploadData *data = user_data;
  gint64 now = g_get_monotonic_time ();

  if (data->self->bulk_bytes_total > 0)
    {
      data->self->bulk_bytes_done += sent - data->sent;
      _pbi_engine_notify_progress (data->self, FALSE);
    }
  data->sent = sent;
  if (data->last_emit == 0 || sent >= total || now - data->last_emit >= UPLOAD_PROGRESS_US)
    {
      data->last_emit = now;
      g_signal_emit (data->self, _pbi_engine_signals[ENGINE_SIGNAL_UPLOAD_PROGRESS], 0,
                     data->job->path, (gint64) sent, (gint64) total);
    }
}

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  UploadData *data = user_data;
  PbiEngine *self = data->self;
  Job *job = data->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichUploadResult) res = NULL;

  res = pbi_immich_client_upload_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->uploading--;
  if (self->bulk_bytes_total > 0 && res == NULL)
    self->bulk_bytes_done -= data->sent;

  if (res == NULL)
    {
      if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE))
        {
          pbi_log_error ("immich sync: cannot read %s: %s", job->path, error->message);
          job->busy = FALSE;
          _pbi_engine_job_finish (self, job, PBI_FILE_STATE_REJECTED, error->message);
          _pbi_engine_schedule_pump (self);
        }
      else
        _pbi_engine_job_network_failed (self, job, error);
    }
  else
    {
      job->busy = FALSE;
      self->outage_since = 0;          /* the server takes photos again */
      self->outage_reconnected = FALSE;
      g_free (job->asset_id);
      job->asset_id = g_strdup (res->id);
      job->duplicate = res->duplicate;
      if (res->duplicate)
        g_message ("Photo %s is already on Immich (duplicate); adding it to the album",
                   _pbi_engine_job_basename (job));
      else
        g_message ("Uploaded photo %s to Immich", _pbi_engine_job_basename (job));
      if (res->duplicate &&
          pbi_immich_client_get_api_family (PBI_IMMICH_CLIENT (object)) == PBI_IMMICH_API_V1)
        {
          /* the answer does not say whether that copy is in the trash */
          g_autoptr(GPtrArray) one = g_ptr_array_new ();

          g_ptr_array_add (one, job);
          _pbi_engine_restore_then_add (self, one);
        }
      else
        _pbi_engine_queue_for_albums (self, job);
      _pbi_engine_schedule_pump (self);
    }

  g_object_unref (data->self);
  g_free (data);
}

static void
capture_date_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  UploadData *data = user_data;
  PbiEngine *self = data->self;
  Job *job = data->job;
  g_autoptr(GDateTime) taken = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(PbiImmichUpload) upload = pbi_immich_upload_new (job->path);

  if (self->client == NULL || data->generation != self->generation)
    {
      /* the connection was dropped meanwhile (which reset the count of
       * running uploads): the job goes back in line */
      if (data->generation == self->generation)
        self->uploading--;
      job->busy = FALSE;
      g_queue_push_head (&self->upload_queue, job);
      g_object_unref (data->self);
      g_free (data);
      _pbi_engine_schedule_pump (self);
      return;
    }

  {
    gint64 size, mtime;

    /* Rewritten or replaced (same name, other photo) since it was hashed:
     * the recorded checksum is not this file's; hash it again. A file that
     * is gone fails in the upload with the reason. */
    if (_pbi_engine_stat_path (job->path, &size, &mtime) &&
        (size != job->size || mtime != job->mtime))
      {
        g_debug ("%s changed since it was hashed; hashing it again", job->path);
        self->uploading--;
        job->busy = FALSE;
        g_clear_pointer (&job->sha1, g_free);
        job->stage = STAGE_HASH;
        _pbi_engine_save_job (self, job, PBI_FILE_STATE_HASHING, NULL, 0);
        g_queue_push_tail (&self->hash_queue, job);
        g_object_unref (data->self);
        g_free (data);
        _pbi_engine_schedule_pump (self);
        return;
      }
  }

  upload->checksum = g_strdup (job->sha1);
  if (taken != NULL)
    upload->file_created_at = g_date_time_ref (taken);
  pbi_immich_client_upload_async (self->client, upload, upload_progress, data,
                                  self->cancellable, upload_cb, data);
}

static void
capture_date_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  const gchar *path = task_data;

  g_task_return_pointer (task, pbi_media_info_get_capture_date (path, NULL),
                         (GDestroyNotify) g_date_time_unref);
}

static void
run_upload_stage (PbiEngine *self)
{
  for (GList *l = self->upload_queue.head; l != NULL && self->uploading < self->concurrency;)
    {
      Job *job = l->data;
      GList *next = l->next;
      UploadData *data;
      g_autoptr(GTask) task = NULL;

      if (!_pbi_engine_job_allowed (self, job))
        {
          l = next;
          continue;
        }
      g_queue_delete_link (&self->upload_queue, l);
      l = next;

      job->busy = TRUE;
      self->uploading++;
      data = g_new0 (UploadData, 1);
      data->self = g_object_ref (self);
      data->job = job;
      data->generation = self->generation;
      /* the EXIF date is read in a worker: no file parsing on the main loop */
      task = g_task_new (NULL, NULL, capture_date_cb, data);
      g_task_set_task_data (task, g_strdup (job->path), g_free);
      g_task_run_in_thread (task, capture_date_thread);
    }
}

/* ------------------------------------------------------------------------ */
/* Queue                                                                      */

static Job *
job_from_record (PbiEngine     *self,
                 PbiFileRecord *rec)
{
  Job *job = g_new0 (Job, 1);

  job->id = rec->id;
  job->path = g_strdup (rec->path);
  job->size = rec->size;
  job->mtime = rec->mtime;
  job->sha1 = g_strdup (rec->sha1);
  job->asset_id = g_strdup (rec->asset_id);
  job->albums = g_strdupv (rec->albums);
  job->attempts = rec->attempts;
  if (job->albums == NULL || job->albums[0] == NULL)
    {
      g_strfreev (job->albums);
      job->albums = _pbi_engine_default_albums (self);
    }
  return job;
}

/* Puts a job where its record says it stands. */
static void
job_place (PbiEngine    *self,
           Job          *job,
           PbiFileState  state)
{
  g_hash_table_insert (self->jobs, job->path, job);

  if (state == PBI_FILE_STATE_ADDING && job->asset_id != NULL)
    {
      _pbi_engine_queue_for_albums (self, job);
      return;
    }
  if (job->sha1 != NULL && state != PBI_FILE_STATE_PENDING && state != PBI_FILE_STATE_HASHING)
    {
      job->stage = STAGE_CHECK;
      g_queue_push_tail (&self->check_queue, job);
      return;
    }
  job->stage = STAGE_HASH;
  g_queue_push_tail (&self->hash_queue, job);
}

void
_pbi_engine_load_due (PbiEngine *self)
{
  g_autoptr(GPtrArray) due = NULL;
  gint64 now = g_get_real_time ();

  if (g_hash_table_size (self->jobs) >= DUE_BATCH)
    return;
  due = pbi_store_files_due (self->store, now, DUE_BATCH);
  for (guint i = 0; i < due->len; i++)
    {
      PbiFileRecord *rec = g_ptr_array_index (due, i);
      Job *job;

      /* in the pipeline already, or with a newer state not written yet */
      if (g_hash_table_contains (self->jobs, rec->path) ||
          g_hash_table_contains (self->dirty, rec->path))
        continue;
      job = job_from_record (self, rec);
      job_place (self, job, rec->state == PBI_FILE_STATE_FAILED ? PBI_FILE_STATE_PENDING
                 : rec->state);
    }
}

static gboolean
retry_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->retry_source = 0;
  _pbi_engine_load_due (self);
  _pbi_engine_pump (self);
  return G_SOURCE_REMOVE;
}

static void
arm_retry_timer (PbiEngine *self)
{
  gint64 next;
  gint64 delay_ms;

  _pbi_engine_flush_records (self);
  next = pbi_store_files_next_retry (self->store);

  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (next <= 0)
    return;
  delay_ms = (next - g_get_real_time ()) / 1000;
  self->retry_source = g_timeout_add (CLAMP (delay_ms, 100, (gint64) RETRY_CAP_S * 1000),
                                      retry_cb, self);
}

gboolean
_pbi_engine_schedule_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  if (_pbi_engine_automatic_allowed (self))
    _pbi_engine_pump (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
queues_have_allowed_work (PbiEngine *self)
{
  GQueue *queues[] = { &self->check_queue, &self->upload_queue };

  for (guint q = 0; q < G_N_ELEMENTS (queues); q++)
    for (GList *l = queues[q]->head; l != NULL; l = l->next)
      if (_pbi_engine_job_allowed (self, l->data))
        return TRUE;
  return g_hash_table_size (self->albums) > 0;
}

void
_pbi_engine_pump (PbiEngine *self)
{
  gboolean waiting;

  g_clear_handle_id (&self->pump_source, g_source_remove);
  if (self->stopped)
    return;

  run_hash_stage (self);

  if (!queues_have_allowed_work (self))
    goto out;

  if (self->connection_state != PBI_CONNECTION_CONNECTED)
    {
      if (self->connection_state != PBI_CONNECTION_OFFLINE || self->probe_source == 0)
        _pbi_engine_ensure_connected (self);
      /* a job that came to rest after the connection failed (an upload that
       * was in flight) must not leave its request waiting */
      if ((self->connection_state == PBI_CONNECTION_OFFLINE &&
           g_get_monotonic_time () >= self->grace_until) ||
          self->connection_state == PBI_CONNECTION_ERROR ||
          self->connection_state == PBI_CONNECTION_UNCONFIGURED)
        _pbi_engine_fail_waiting_requests (self, self->connection_message);
      goto out;
    }

  run_check_stage (self);
  run_upload_stage (self);
  waiting = _pbi_engine_run_album_stage (self);
  if (waiting && self->album_source == 0)
    self->album_source = g_timeout_add (ALBUM_FLUSH_DELAY_MS, _pbi_engine_album_flush_due_cb, self);

out:
  if (g_hash_table_size (self->jobs) == 0)
    {
      self->sync_now = FALSE;
      if (self->running)
        arm_retry_timer (self);
    }
}

static gboolean
pump_idle_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->pump_source = 0;
  _pbi_engine_pump (self);
  return G_SOURCE_REMOVE;
}

void
_pbi_engine_schedule_pump (PbiEngine *self)
{
  if (self->pump_source == 0 && !self->stopped)
    self->pump_source = g_idle_add (pump_idle_cb, self);
}

/* Adds one file to the queue (or finds it there). Returns the job, or NULL
 * when nothing needs doing (already synced, unchanged): *skipped is then set. */
Job *
_pbi_engine_enqueue_path (PbiEngine           *self,
                          const gchar         *path,
                          gint64               size,
                          gint64               mtime,
                          const gchar * const *albums,
                          gboolean             explicit,
                          gboolean            *skipped)
{
  g_autoptr(PbiFileRecord) rec = NULL;
  Job *job;
  PbiFileState state = PBI_FILE_STATE_PENDING;

  *skipped = FALSE;
  job = g_hash_table_lookup (self->jobs, path);
  if (job != NULL)
    {
      if (explicit && job->stage != STAGE_ALBUM &&
          !_pbi_engine_strv_contains_all ((const gchar * const *) job->albums, albums))
        {
          GStrv merged = _pbi_engine_strv_union ((const gchar * const *) job->albums, albums);
          g_strfreev (job->albums);
          job->albums = merged;
        }
      job->explicit |= explicit;
      return job;
    }

  rec = _pbi_engine_get_record (self, path);
  if (rec != NULL && rec->size == size && rec->mtime == mtime)
    {
      g_auto(GStrv) have = g_strdupv (rec->albums);

      /* Automatic work (a capture, a scan of the folder) sends what is not on
       * the server yet: a photo synced before the album setting changed stays
       * in the albums it went to. A sync the user asks for puts every photo
       * in its albums, those on the server already too. */
      if ((rec->state == PBI_FILE_STATE_DONE || rec->state == PBI_FILE_STATE_DUPLICATE) &&
          (!explicit || _pbi_engine_strv_contains_all ((const gchar * const *) have, albums)))
        {
          *skipped = TRUE;
          return NULL;
        }
      job = job_from_record (self, rec);
      g_strfreev (job->albums);
      job->albums = _pbi_engine_strv_union ((const gchar * const *) have, albums);
      if ((rec->state == PBI_FILE_STATE_DONE || rec->state == PBI_FILE_STATE_DUPLICATE)
          && rec->asset_id != NULL)
        state = PBI_FILE_STATE_ADDING;  /* only the new album is missing */
      else if (rec->state == PBI_FILE_STATE_REJECTED || rec->state == PBI_FILE_STATE_FAILED)
        state = rec->sha1 != NULL ? PBI_FILE_STATE_CHECKING : PBI_FILE_STATE_PENDING;
      else
        state = rec->state;
    }
  else
    {
      job = g_new0 (Job, 1);
      job->id = rec != NULL ? rec->id : 0;
      job->path = g_strdup (path);
      job->size = size;
      job->mtime = mtime;
      job->albums = g_strdupv ((GStrv) albums);
    }
  job->explicit = explicit;
  _pbi_engine_save_job (self, job, state, NULL, 0);
  if (state == PBI_FILE_STATE_ADDING)
    {
      /* album adds only; the photo is on the server already */
      g_hash_table_insert (self->jobs, job->path, job);
      job->duplicate = TRUE;
      job->stage = STAGE_ALBUM;
      job->albums_left = 0;
      for (guint i = 0; job->albums[i] != NULL; i++)
        {
          AlbumSlot *slot = _pbi_engine_get_album_slot (self, job->albums[i]);
          g_ptr_array_add (slot->jobs, job);
          job->albums_left++;
        }
      return job;
    }
  job_place (self, job, state);
  if (self->bulk_files_total > 0 || explicit)
    {
      if (self->bulk_files_total == 0)
        self->bulk_started = g_get_monotonic_time ();
      self->bulk_files_total++;
      self->bulk_bytes_total += size;
    }
  return job;
}

gboolean
_pbi_engine_stat_path (const gchar *path,
                       gint64      *size,
                       gint64      *mtime)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  *size = st.st_size;
  *mtime = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
  return TRUE;
}
