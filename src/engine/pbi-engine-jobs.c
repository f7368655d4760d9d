/* pbi-engine-jobs.c: the jobs of PbiEngine's pipeline: their records in the
 * store (written behind, one transaction per 50 ms), the counts, progress,
 * and how a job ends (done, duplicate, failed with its retry time, rejected).
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pbi-engine-enums.h"
#include "pbi-engine-private.h"
#include "pbi-log.h"
#include "pbi-store.h"

#define FLUSH_DELAY_MS           50
#define FLUSH_RETRY_S            5
#define PROGRESS_NOTIFY_US       (250 * G_TIME_SPAN_MILLISECOND)

/* ------------------------------------------------------------------------ */
/* Jobs: their records (written behind), counts and progress                */
/* ------------------------------------------------------------------------ */

void
_pbi_engine_job_free (Job *job)
{
  g_assert (job->waiters == NULL || job->waiters->len == 0);
  g_clear_pointer (&job->waiters, g_ptr_array_unref);
  g_free (job->path);
  g_free (job->sha1);
  g_free (job->asset_id);
  g_free (job->album_error);
  g_strfreev (job->albums);
  g_free (job);
}

gboolean
_pbi_engine_strv_contains_all (const gchar * const *haystack,
                               const gchar * const *needles)
{
  for (guint i = 0; needles != NULL && needles[i] != NULL; i++)
    if (haystack == NULL || !g_strv_contains (haystack, needles[i]))
      return FALSE;
  return TRUE;
}

GStrv
_pbi_engine_strv_union (const gchar * const *a,
                        const gchar * const *b)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();

  for (guint pass = 0; pass < 2; pass++)
    {
      const gchar * const *v = pass == 0 ? a : b;

      for (guint i = 0; v != NULL && v[i] != NULL; i++)
        if (!g_ptr_array_find_with_equal_func (seen, v[i], g_str_equal, NULL))
          {
            g_ptr_array_add (seen, (gpointer) v[i]);
            g_strv_builder_add (builder, v[i]);
          }
    }
  return g_strv_builder_end (builder);
}
static gboolean flush_cb (gpointer user_data);

/* Writes every record changed since the last flush in one transaction: one
 * disk sync for a whole batch instead of one per step of every photo. */
void
_pbi_engine_flush_records (PbiEngine *self)
{
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  g_clear_handle_id (&self->flush_source, g_source_remove);
  if (g_hash_table_size (self->dirty) == 0 && self->pending_uploaded == 0 &&
      self->pending_duplicates == 0 && self->pending_last_sync == 0)
    return;

  if (!pbi_store_begin (self->store, &error))
    goto failed;
  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!pbi_store_file_put (self->store, value, &error))
      break;
  if (error == NULL && self->pending_uploaded > 0)
    pbi_store_counter_add (self->store, "uploaded", self->pending_uploaded, &error);
  if (error == NULL && self->pending_duplicates > 0)
    pbi_store_counter_add (self->store, "duplicates", self->pending_duplicates, &error);
  if (error == NULL && self->pending_last_sync > 0)
    pbi_store_set_last_sync (self->store, self->pending_last_sync, &error);
  if (error != NULL || !pbi_store_commit (self->store, &error))
    {
      pbi_store_rollback (self->store);
      goto failed;
    }
  if (self->write_failing)
    g_message ("The queue is written to the database again");
  self->write_failing = FALSE;
  g_hash_table_remove_all (self->dirty);
  self->pending_uploaded = self->pending_duplicates = 0;
  self->pending_last_sync = 0;
  _pbi_engine_refresh_counts (self);
  return;

failed:
  /* A full disk, say: nothing is lost, the records stay in memory and are
   * written as soon as the database takes them. Said once, not per photo. */
  if (!self->write_failing)
    pbi_log_error ("immich sync: could not write the queue to %s: %s; %u changes are kept "
                   "in memory and written when there is room again", self->database_path,
                   error->message, g_hash_table_size (self->dirty));
  self->write_failing = TRUE;
  if (self->flush_source == 0)
    self->flush_source = g_timeout_add_seconds (FLUSH_RETRY_S, flush_cb, self);
}

static gboolean
flush_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->flush_source = 0;
  _pbi_engine_flush_records (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (PbiEngine *self)
{
  if (self->flush_source == 0)
    self->flush_source = g_timeout_add (FLUSH_DELAY_MS, flush_cb, self);
}

/* The stored record of a path: the one waiting to be written, else the
 * database's. */
PbiFileRecord *
_pbi_engine_get_record (PbiEngine   *self,
                        const gchar *path)
{
  PbiFileRecord *rec = g_hash_table_lookup (self->dirty, path);

  if (rec != NULL)
    return pbi_file_record_copy (rec);
  return pbi_store_file_get (self->store, path);
}

void
_pbi_engine_save_job (PbiEngine    *self,
                      Job          *job,
                      PbiFileState  state,
                      const gchar  *error,
                      gint64        next_retry)
{
  PbiFileRecord *rec = pbi_file_record_new (job->path);

  rec->id = job->id;
  rec->size = job->size;
  rec->mtime = job->mtime;
  rec->sha1 = g_strdup (job->sha1);
  rec->state = state;
  rec->asset_id = g_strdup (job->asset_id);
  g_strfreev (rec->albums);          /* the empty list pbi_file_record_new() made */
  rec->albums = g_strdupv (job->albums);
  rec->attempts = job->attempts;
  rec->next_retry = next_retry;
  rec->last_error = g_strdup (error);
  g_hash_table_replace (self->dirty, rec->path, rec);
  schedule_flush (self);

  g_signal_emit (self, _pbi_engine_signals[ENGINE_SIGNAL_FILE_STATE_CHANGED], 0, job->path,
                 (gint) state, error);
}

const gchar *
_pbi_engine_job_basename (Job *job)
{
  const gchar *slash = strrchr (job->path, G_DIR_SEPARATOR);

  return slash != NULL ? slash + 1 : job->path;
}

static gboolean
counts_due_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->counts_source = 0;
  _pbi_engine_refresh_counts (self);
  return G_SOURCE_REMOVE;
}

/* Counting reads every unfinished row (100,000 queued at once in a
 * season's first sync): while jobs run it is done at most 5 % of the time,
 * a count put off is made later; with no job left it is made at once. */
void
_pbi_engine_refresh_counts (PbiEngine *self)
{
  guint counts[PBI_N_FILE_STATES] = { 0 };
  guint pending = 0;
  gint64 start = g_get_monotonic_time ();

  if (!self->stopped && g_hash_table_size (self->jobs) > 0 && start < self->counts_next_us)
    {
      if (self->counts_source == 0)
        self->counts_source = g_timeout_add ((self->counts_next_us - start) / 1000 + 1,
                                             counts_due_cb, self);
      return;
    }
  g_clear_handle_id (&self->counts_source, g_source_remove);
  pbi_store_files_count_unfinished (self->store, counts);
  self->counts_next_us = g_get_monotonic_time () + 19 * (g_get_monotonic_time () - start);
  for (guint i = 0; i < PBI_N_FILE_STATES; i++)
    if (i != PBI_FILE_STATE_DONE && i != PBI_FILE_STATE_DUPLICATE &&
        i != PBI_FILE_STATE_FAILED && i != PBI_FILE_STATE_REJECTED)
      pending += counts[i];

  if (self->pending != pending)
    {
      self->pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_PENDING]);
    }
  if (self->failed != counts[PBI_FILE_STATE_FAILED] + counts[PBI_FILE_STATE_REJECTED])
    {
      self->failed = counts[PBI_FILE_STATE_FAILED] + counts[PBI_FILE_STATE_REJECTED];
      g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_FAILED]);
    }
}

void
_pbi_engine_notify_progress (PbiEngine *self,
                             gboolean   force)
{
  gint64 now = g_get_monotonic_time ();

  if (!force && now - self->last_progress_notify < PROGRESS_NOTIFY_US)
    return;
  self->last_progress_notify = now;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_BULK_FILES_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_BULK_FILES_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_BULK_BYTES_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_BULK_BYTES_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_BULK_RATE]);
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_BULK_ETA]);
  _pbi_engine_refresh_counts (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Ends a job's run through the pipeline. DONE and DUPLICATE are final; FAILED
 * keeps the photo queued with a retry time; REJECTED waits for retry-failed. */
void
_pbi_engine_job_finish (PbiEngine    *self,
                        Job          *job,
                        PbiFileState  state,
                        const gchar  *error)
{
  gint64 next_retry = 0;
  g_autoptr(GPtrArray) waiters = NULL;

  if (state == PBI_FILE_STATE_FAILED)
    {
      guint backoff = RETRY_BASE_S << MIN (job->attempts, 7);

      backoff = MIN (backoff, RETRY_CAP_S);
      /* jitter: ±25 % so many photos do not all come back at once */
      backoff = backoff * 3 / 4 + g_random_int_range (0, backoff / 2 + 1);
      next_retry = g_get_real_time () + (gint64) backoff * G_USEC_PER_SEC;
    }

  _pbi_engine_save_job (self, job, state, error, next_retry);

  if (state == PBI_FILE_STATE_DONE)
    {
      self->probe_failures = 0;
      g_clear_pointer (&self->last_sync, g_date_time_unref);
      self->last_sync = g_date_time_new_now_local ();
      self->pending_last_sync = g_get_real_time ();
      if (job->duplicate)
        {
          self->duplicates++;
          self->pending_duplicates++;
          g_object_notify_by_pspec (G_OBJECT (self),
                                    _pbi_engine_properties[ENGINE_PROP_DUPLICATES]);
        }
      else
        {
          self->uploaded++;
          self->pending_uploaded++;
          g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_UPLOADED]);
        }
      g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_LAST_SYNC]);
    }

  if (self->bulk_files_total > 0)
    {
      self->bulk_files_done = MIN (self->bulk_files_done + 1, self->bulk_files_total);
      _pbi_engine_notify_progress (self, self->bulk_files_done == self->bulk_files_total);
      if (self->bulk_files_done >= self->bulk_files_total)
        {
          self->bulk_files_total = self->bulk_files_done = 0;
          self->bulk_bytes_total = self->bulk_bytes_done = 0;
        }
    }

  waiters = g_steal_pointer (&job->waiters);
  g_hash_table_steal (self->jobs, job->path);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      Request *req = g_ptr_array_index (waiters, i);
      _pbi_engine_request_account (req, job, state, error);
    }
  _pbi_engine_job_free (job);
}
