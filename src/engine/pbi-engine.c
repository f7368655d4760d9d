/* pbi-engine.c: the sync engine
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The queue lives in the store (table pbi_files): a photo is written there
 * before anything else happens to it, and its row moves through
 * pending → hashing → checking → uploading → adding → done (or duplicate,
 * failed-will-retry, rejected). A crash at any point leaves the row in a
 * state the next start picks up again; the server's checksum check makes a
 * repeated upload impossible, so every photo lands exactly once.
 *
 * Everything here runs on the thread that made the engine (its main
 * context); hashing and EXIF reading run in worker threads, HTTP is async.
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

#define PROBE_INTERVAL_MS        2000
#define OFFLINE_GRACE_MIN_S      5
#define OFFLINE_GRACE_MAX_S      30
#define RETRY_BASE_S             5
#define RETRY_CAP_S              600
#define ALBUM_BATCH_MAX          500
#define ALBUM_FLUSH_DELAY_MS     300
#define ENQUEUE_CHUNK            100
#define DUE_BATCH                2000
#define FLUSH_DELAY_MS           50
#define FLUSH_RETRY_S            5
#define LIBRARY_SETTLE_S         5
#define PROGRESS_NOTIFY_US       (250 * G_TIME_SPAN_MILLISECOND)

typedef struct _Request Request;

typedef enum
{
  STAGE_HASH,
  STAGE_CHECK,
  STAGE_UPLOAD,
  STAGE_ALBUM,
} Stage;

typedef struct
{
  gint64     id;
  gchar     *path;
  gint64     size;
  gint64     mtime;
  gchar     *sha1;
  gchar     *asset_id;
  GStrv      albums;          /* album names the photo must be in */
  guint      attempts;
  guint      albums_left;     /* album adds still outstanding */
  Stage      stage;
  GPtrArray *waiters;         /* (element-type Request) (owned) */
  guint      explicit : 1;    /* asked for by a person: ignores schedule and enabled */
  guint      duplicate : 1;
  guint      busy : 1;        /* a stage is working on it right now */
} Job;

struct _Request
{
  GTask          *task;       /* (owned) */
  guint           remaining;
  PbiSyncSummary  summary;
  PbiSyncResult  *single;     /* (owned) (nullable) for sync_photo */
  GStrv           albums;
  gboolean        automatic;  /* auto sync: obeys enabled and the schedule */
};

typedef struct
{
  gchar     *name;
  GPtrArray *jobs;            /* (element-type Job) waiting for the album id or the flush */
  gchar     *id;              /* (nullable) resolved id */
  guint      resolving : 1;
  guint      flushing : 1;
} AlbumSlot;

struct _PbiEngine
{
  GObject             parent_instance;

  PbiStore           *store;            /* (owned) */
  gchar              *database_path;
  PbiImmichClient    *client;           /* (owned) (nullable) */
  PbiHasher          *hasher;           /* (owned) */
  PbiWatcher         *watcher;          /* (owned) (nullable) */
  GCancellable       *cancellable;      /* (owned) cancelled in dispose / on reconfigure */
  PbiImmichMediaTypes *media_types;     /* (owned) (nullable) */

  /* settings as last read */
  gboolean            enabled;
  gboolean            auto_sync;
  gboolean            sync_on_capture;
  gchar              *server_url;
  gchar              *api_key;
  gchar              *album_name;
  GStrv               extra_albums;
  gchar              *capture_folder;
  gchar              *library_folder;
  gchar              *schedule_start;
  gchar              *schedule_end;
  guint               concurrency;
  guint               connect_timeout;
  guint               idle_timeout;
  gchar              *fingerprint;

  /* overrides from the command line / API */
  gchar              *server_override;
  gchar              *key_override;
  gchar              *album_override;
  gchar              *watch_override;

  PbiConnectionState  connection_state;
  gchar              *connection_message;
  gchar              *server_version;
  gchar              *user_id;
  GDateTime          *last_sync;

  GHashTable         *jobs;             /* path → Job (owned) */
  GQueue              hash_queue;
  GQueue              check_queue;
  GQueue              upload_queue;
  GHashTable         *albums;           /* name → AlbumSlot (owned) */
  guint               hashing;
  guint               checking;
  guint               uploading;
  guint               hash_limit;
  guint               generation;       /* bumped when the client is replaced */

  GHashTable         *dirty;            /* path → PbiFileRecord waiting to be written */
  guint               flush_source;
  gboolean            write_failing;
  guint               pending_uploaded;
  guint               pending_duplicates;
  gint64              pending_last_sync;

  guint               probe_source;
  guint               grace_source;
  gint64              grace_until;      /* monotonic; requests wait until then */
  guint               retry_source;
  guint               schedule_source;
  guint               pump_source;
  guint               album_source;
  guint               rescan_source;
  GFileMonitor       *library_monitor;  /* (owned) (nullable) */

  guint               uploaded;
  guint               duplicates;
  guint               pending;
  guint               failed;

  gint64              bulk_files_total;
  gint64              bulk_files_done;
  gint64              bulk_bytes_total;
  gint64              bulk_bytes_done;
  gint64              bulk_started;
  gint64              last_progress_notify;

  guint               running : 1;    /* watching, auto sync, retries */
  guint               stopped : 1;    /* no pipeline work at all */
  guint               connecting : 1;
  guint               sync_now : 1;
  guint               ignore_schedule : 1;
  guint               scanning_library : 1;
  guint               watch_lost : 1;
  guint               rescan_wanted : 1;
};

G_DEFINE_FINAL_TYPE (PbiEngine, pbi_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_CONNECTION_STATE,
  PROP_CONNECTION_MESSAGE,
  PROP_ALBUM_NAME,
  PROP_SERVER_VERSION,
  PROP_LAST_SYNC,
  PROP_UPLOADED,
  PROP_DUPLICATES,
  PROP_PENDING,
  PROP_FAILED,
  PROP_BULK_FILES_TOTAL,
  PROP_BULK_FILES_DONE,
  PROP_BULK_BYTES_TOTAL,
  PROP_BULK_BYTES_DONE,
  PROP_BULK_RATE,
  PROP_BULK_ETA,
  N_PROPS
};

enum {
  SIGNAL_FILE_STATE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void pump                 (PbiEngine *self);
static void schedule_pump        (PbiEngine *self);
static void ensure_connected     (PbiEngine *self);
static void job_finish           (PbiEngine *self, Job *job, PbiFileState state, const gchar *error);

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
/* Jobs and requests                                                          */

static void
request_free (Request *req)
{
  g_clear_object (&req->task);
  g_clear_pointer (&req->single, pbi_sync_result_free);
  g_strfreev (req->albums);
  g_free (req);
}

static void
request_complete (Request *req)
{
  if (req->single != NULL)
    g_task_return_pointer (req->task, g_steal_pointer (&req->single),
                           (GDestroyNotify) pbi_sync_result_free);
  else
    g_task_return_pointer (req->task, pbi_sync_summary_copy (&req->summary),
                           (GDestroyNotify) pbi_sync_summary_free);
  request_free (req);
}

static void
request_account (Request      *req,
                 Job          *job,
                 PbiFileState  state,
                 const gchar  *error)
{
  gboolean ok = state == PBI_FILE_STATE_DONE;

  if (ok && job->duplicate)
    req->summary.duplicates++;
  else if (ok)
    req->summary.uploaded++;
  else
    req->summary.failed++;

  if (req->single != NULL)
    {
      req->single->success = ok;
      req->single->duplicate = job->duplicate;
      g_free (req->single->asset_id);
      req->single->asset_id = g_strdup (job->asset_id);
      g_free (req->single->error);
      req->single->error = g_strdup (error);
    }

  g_assert (req->remaining > 0);
  if (--req->remaining == 0)
    request_complete (req);
}

static void
job_free (Job *job)
{
  g_assert (job->waiters == NULL || job->waiters->len == 0);
  g_clear_pointer (&job->waiters, g_ptr_array_unref);
  g_free (job->path);
  g_free (job->sha1);
  g_free (job->asset_id);
  g_strfreev (job->albums);
  g_free (job);
}

static gboolean
strv_contains_all (const gchar * const *haystack,
                   const gchar * const *needles)
{
  for (guint i = 0; needles != NULL && needles[i] != NULL; i++)
    if (haystack == NULL || !g_strv_contains (haystack, needles[i]))
      return FALSE;
  return TRUE;
}

static GStrv
strv_union (const gchar * const *a,
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

static void refresh_counts (PbiEngine *self);
static gboolean flush_cb (gpointer user_data);

/* Writes every record changed since the last flush in one transaction: one
 * disk sync for a whole batch instead of one per step of every photo. */
static void
flush_records (PbiEngine *self)
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
  refresh_counts (self);
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
  flush_records (self);
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
static PbiFileRecord *
get_record (PbiEngine   *self,
            const gchar *path)
{
  PbiFileRecord *rec = g_hash_table_lookup (self->dirty, path);

  if (rec != NULL)
    return pbi_file_record_copy (rec);
  return pbi_store_file_get (self->store, path);
}

static void
save_job (PbiEngine    *self,
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
  rec->albums = g_strdupv (job->albums);
  rec->attempts = job->attempts;
  rec->next_retry = next_retry;
  rec->last_error = g_strdup (error);
  g_hash_table_replace (self->dirty, rec->path, rec);
  schedule_flush (self);

  g_signal_emit (self, signals[SIGNAL_FILE_STATE_CHANGED], 0, job->path, (gint) state, error);
}

static const gchar *
job_basename (Job *job)
{
  const gchar *slash = strrchr (job->path, G_DIR_SEPARATOR);

  return slash != NULL ? slash + 1 : job->path;
}

static void
refresh_counts (PbiEngine *self)
{
  guint counts[PBI_N_FILE_STATES] = { 0 };
  guint pending = 0;

  pbi_store_files_count_by_state (self->store, counts);
  for (guint i = 0; i < PBI_N_FILE_STATES; i++)
    if (i != PBI_FILE_STATE_DONE && i != PBI_FILE_STATE_DUPLICATE &&
        i != PBI_FILE_STATE_FAILED && i != PBI_FILE_STATE_REJECTED)
      pending += counts[i];

  if (self->pending != pending)
    {
      self->pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
  if (self->failed != counts[PBI_FILE_STATE_FAILED] + counts[PBI_FILE_STATE_REJECTED])
    {
      self->failed = counts[PBI_FILE_STATE_FAILED] + counts[PBI_FILE_STATE_REJECTED];
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED]);
    }
}

static void
notify_progress (PbiEngine *self,
                 gboolean   force)
{
  gint64 now = g_get_monotonic_time ();

  if (!force && now - self->last_progress_notify < PROGRESS_NOTIFY_US)
    return;
  self->last_progress_notify = now;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BULK_FILES_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BULK_FILES_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BULK_BYTES_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BULK_BYTES_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BULK_RATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BULK_ETA]);
  refresh_counts (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Ends a job's run through the pipeline. DONE and DUPLICATE are final; FAILED
 * keeps the photo queued with a retry time; REJECTED waits for retry-failed. */
static void
job_finish (PbiEngine    *self,
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

  save_job (self, job, state, error, next_retry);

  if (state == PBI_FILE_STATE_DONE)
    {
      g_clear_pointer (&self->last_sync, g_date_time_unref);
      self->last_sync = g_date_time_new_now_local ();
      self->pending_last_sync = g_get_real_time ();
      if (job->duplicate)
        {
          self->duplicates++;
          self->pending_duplicates++;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DUPLICATES]);
        }
      else
        {
          self->uploaded++;
          self->pending_uploaded++;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPLOADED]);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
    }

  if (self->bulk_files_total > 0)
    {
      self->bulk_files_done = MIN (self->bulk_files_done + 1, self->bulk_files_total);
      notify_progress (self, self->bulk_files_done == self->bulk_files_total);
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
      request_account (req, job, state, error);
    }
  job_free (job);
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                   */

static gchar *
dup_setting (PbiEngine   *self,
             const gchar *key)
{
  return pbi_store_get_setting_string (self->store, key);
}

static const gchar *
effective_server (PbiEngine *self)
{
  return self->server_override != NULL ? self->server_override : self->server_url;
}

static const gchar *
effective_key (PbiEngine *self)
{
  return self->key_override != NULL ? self->key_override : self->api_key;
}

static const gchar *
effective_album (PbiEngine *self)
{
  return self->album_override != NULL ? self->album_override : self->album_name;
}

static GStrv
default_albums (PbiEngine *self)
{
  const gchar *main_album[] = { effective_album (self), NULL };

  return strv_union (main_album, (const gchar * const *) self->extra_albums);
}

static void
set_connection_state (PbiEngine          *self,
                      PbiConnectionState  state,
                      const gchar        *message)
{
  if (self->connection_state != state)
    {
      self->connection_state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_STATE]);
    }
  if (g_strcmp0 (self->connection_message, message) != 0)
    {
      g_free (self->connection_message);
      self->connection_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_MESSAGE]);
    }
}

static void
drop_client (PbiEngine *self)
{
  GHashTableIter iter;
  gpointer value;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->client);
  self->generation++;
  g_clear_pointer (&self->server_version, g_free);
  g_clear_pointer (&self->user_id, g_free);
  /* album ids may differ on another server; the waiting photos stay */
  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AlbumSlot *slot = value;
      g_clear_pointer (&slot->id, g_free);
      slot->resolving = FALSE;
    }
  self->connecting = FALSE;
  self->checking = self->uploading = 0;
  g_clear_handle_id (&self->probe_source, g_source_remove);
}

static gboolean
in_schedule (PbiEngine *self)
{
  g_autoptr(GDateTime) now = NULL;
  gint start_min, end_min, now_min;
  guint h, m;

  if (self->schedule_start == NULL || self->schedule_end == NULL ||
      *self->schedule_start == '\0' || *self->schedule_end == '\0')
    return TRUE;
  if (sscanf (self->schedule_start, "%u:%u", &h, &m) != 2 || h > 23 || m > 59)
    return TRUE;
  start_min = h * 60 + m;
  if (sscanf (self->schedule_end, "%u:%u", &h, &m) != 2 || h > 23 || m > 59)
    return TRUE;
  end_min = h * 60 + m;

  now = g_date_time_new_now_local ();
  now_min = g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now);
  if (start_min <= end_min)
    return now_min >= start_min && now_min < end_min;
  return now_min >= start_min || now_min < end_min;   /* window over midnight */
}

/* Automatic work (captures, auto sync, retries) runs when enabled and inside
 * the schedule; explicit requests always run. */
static gboolean
automatic_allowed (PbiEngine *self)
{
  return self->enabled && (self->ignore_schedule || self->sync_now || in_schedule (self));
}

static gboolean
job_allowed (PbiEngine *self,
             Job       *job)
{
  return job->explicit || automatic_allowed (self);
}

static void start_watcher (PbiEngine *self);
static void watch_library (PbiEngine *self);
static void scan_library (PbiEngine *self);
static void load_due (PbiEngine *self);

static void
read_settings (PbiEngine *self)
{
  g_autofree gchar *old_server = g_strdup (effective_server (self));
  g_autofree gchar *old_key = g_strdup (effective_key (self));
  g_autofree gchar *old_fp = g_strdup (self->fingerprint);
  g_autofree gchar *old_album = g_strdup (effective_album (self));
  g_autofree gchar *old_capture = g_strdup (self->capture_folder);
  g_autofree gchar *old_library = g_strdup (self->library_folder);
  gboolean was_enabled = self->enabled;
  gboolean was_on_capture = self->sync_on_capture;
  gboolean was_auto = self->auto_sync;
  guint old_ct = self->connect_timeout, old_it = self->idle_timeout;

  self->enabled = pbi_store_get_setting_boolean (self->store, "immich_enabled");
  self->auto_sync = pbi_store_get_setting_boolean (self->store, "immich_auto_sync");
  self->sync_on_capture = pbi_store_get_setting_boolean (self->store, "immich_sync_on_capture");
  g_free (self->server_url);
  self->server_url = dup_setting (self, "immich_server_url");
  g_free (self->api_key);
  self->api_key = dup_setting (self, "immich_api_key");
  pbi_log_add_secret (self->api_key);
  g_free (self->album_name);
  self->album_name = dup_setting (self, "immich_album_name");
  if (self->album_name == NULL || *g_strstrip (self->album_name) == '\0')
    {
      g_free (self->album_name);
      self->album_name = g_strdup ("PhotoBooth");
    }
  g_strfreev (self->extra_albums);
  self->extra_albums = pbi_store_get_setting_strv (self->store, "immich_extra_albums");
  g_free (self->capture_folder);
  self->capture_folder = dup_setting (self, "immich_capture_folder");
  g_free (self->library_folder);
  self->library_folder = dup_setting (self, "immich_library_folder");
  g_free (self->schedule_start);
  self->schedule_start = dup_setting (self, "immich_schedule_start");
  g_free (self->schedule_end);
  self->schedule_end = dup_setting (self, "immich_schedule_end");
  self->concurrency = CLAMP (pbi_store_get_setting_int (self->store, "immich_upload_concurrency"), 1, 16);
  self->connect_timeout = pbi_store_get_setting_int (self->store, "immich_connect_timeout");
  self->idle_timeout = pbi_store_get_setting_int (self->store, "immich_idle_timeout");
  g_free (self->fingerprint);
  self->fingerprint = dup_setting (self, "immich_tls_fingerprint");

  if (!self->running)
    return;

  if (g_strcmp0 (old_server, effective_server (self)) != 0 ||
      g_strcmp0 (old_key, effective_key (self)) != 0 ||
      g_strcmp0 (old_fp, self->fingerprint) != 0 ||
      old_ct != self->connect_timeout || old_it != self->idle_timeout)
    {
      g_message ("Immich server settings changed; connecting again");
      drop_client (self);
      set_connection_state (self, PBI_CONNECTION_CONNECTING, NULL);
      if (self->enabled)
        ensure_connected (self);
    }
  if (g_strcmp0 (old_album, effective_album (self)) != 0)
    {
      g_message ("Immich album is now \"%s\"", effective_album (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALBUM_NAME]);
    }
  if (was_enabled != self->enabled)
    {
      g_message (self->enabled ? "Immich sync enabled" : "Immich sync disabled; captures are queued");
      if (self->enabled)
        {
          load_due (self);
          ensure_connected (self);
        }
      else if (self->connection_state != PBI_CONNECTION_CONNECTED)
        set_connection_state (self, PBI_CONNECTION_DISABLED, NULL);
    }
  if (was_on_capture != self->sync_on_capture || g_strcmp0 (old_capture, self->capture_folder) != 0)
    start_watcher (self);
  if (((!was_auto || !was_enabled) && self->auto_sync && self->enabled) ||
      g_strcmp0 (old_library, self->library_folder) != 0)
    scan_library (self);
  if (was_auto != self->auto_sync || g_strcmp0 (old_library, self->library_folder) != 0 ||
      g_strcmp0 (old_capture, self->capture_folder) != 0)
    watch_library (self);

  schedule_pump (self);
}

static void
on_setting_changed (PbiStore    *store,
                    const gchar *key,
                    PbiEngine   *self)
{
  g_assert (PBI_IS_ENGINE (self));

  if (g_str_has_prefix (key, "immich_"))
    read_settings (self);
}

/* ------------------------------------------------------------------------ */
/* Connection                                                                 */

static gboolean
error_is_connection (const GError *error)
{
  return g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_SERVER) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_IMMICH) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_BAD_RESPONSE);
}

static gboolean
error_is_fatal_config (const GError *error)
{
  return g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNSUPPORTED_VERSION) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS);
}

/* Every job that waits on the network, and every request waiting on them,
 * is told; the jobs stay queued in the store and are picked up again when
 * the server answers. */
static void
fail_requests (PbiEngine   *self,
               const gchar *message,
               gboolean     include_busy)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) victims = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Job *job = value;

      if (job->waiters != NULL && job->waiters->len > 0 && (include_busy || !job->busy))
        g_ptr_array_add (victims, job);
    }

  for (guint i = 0; i < victims->len; i++)
    {
      Job *job = g_ptr_array_index (victims, i);
      g_autoptr(GPtrArray) waiters = g_steal_pointer (&job->waiters);

      for (guint j = 0; j < waiters->len; j++)
        request_account (g_ptr_array_index (waiters, j), job, PBI_FILE_STATE_FAILED, message);
    }
}

static void
fail_waiting_requests (PbiEngine   *self,
                       const gchar *message)
{
  fail_requests (self, message, FALSE);
}

static gboolean probe_cb (gpointer user_data);

static gboolean
grace_over_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->grace_source = 0;
  if (self->connection_state == PBI_CONNECTION_OFFLINE)
    fail_waiting_requests (self, self->connection_message);
  return G_SOURCE_REMOVE;
}

static void
go_offline (PbiEngine    *self,
            const GError *error)
{
  g_autofree gchar *message = g_strdup (error->message);
  guint retry_after = self->client != NULL ? pbi_immich_client_get_retry_after (self->client) : 0;
  gint64 now = g_get_monotonic_time ();

  if (self->connection_state != PBI_CONNECTION_OFFLINE)
    {
      pbi_log_error ("immich connection lost: %s; photos stay queued and are sent when "
                     "the server answers again", message);
      /* A server that answers 5xx (restarting, overloaded, asking us to come
       * back after Retry-After) gets a grace period before waiting requests
       * are told: a blip must not fail a whole run. Nothing answering at all
       * is said at once. */
      self->grace_until = 0;
      if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_SERVER))
        self->grace_until = now + (gint64) CLAMP (retry_after, OFFLINE_GRACE_MIN_S,
                                                  OFFLINE_GRACE_MAX_S) * G_USEC_PER_SEC;
    }
  set_connection_state (self, PBI_CONNECTION_OFFLINE, message);
  if (now >= self->grace_until)
    fail_waiting_requests (self, message);
  else if (self->grace_source == 0)
    self->grace_source = g_timeout_add ((self->grace_until - now) / 1000 + 1, grace_over_cb, self);
  if (self->probe_source == 0)
    {
      guint interval = PROBE_INTERVAL_MS;

      if (retry_after > 0)
        interval = MAX (interval, MIN (retry_after, 60) * 1000);
      self->probe_source = g_timeout_add (interval, probe_cb, self);
    }
}

static void
go_error (PbiEngine    *self,
          const GError *error)
{
  pbi_log_error ("immich: %s", error->message);
  set_connection_state (self, PBI_CONNECTION_ERROR, error->message);
  fail_waiting_requests (self, error->message);
}

/* Back to the front of its stage's line, e.g. after the connection was
 * dropped under it. */
static void
job_requeue (PbiEngine *self,
             Job       *job)
{
  job->busy = FALSE;
  switch (job->stage)
    {
    case STAGE_HASH:
      g_queue_push_head (&self->hash_queue, job);
      break;
    case STAGE_CHECK:
      g_queue_push_head (&self->check_queue, job);
      break;
    case STAGE_UPLOAD:
      g_queue_push_head (&self->upload_queue, job);
      break;
    case STAGE_ALBUM:
    default:
      break;
    }
}

/* A failure of the network part of a job's stage. */
static void
job_network_failed (PbiEngine    *self,
                    Job          *job,
                    const GError *error)
{
  job->busy = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (!self->stopped)
        job_requeue (self, job);
      return;
    }

  job->attempts++;
  if (error_is_connection (error) || error_is_fatal_config (error))
    {
      /* the whole queue waits for the server */
      job_requeue (self, job);
      if (error_is_fatal_config (error))
        go_error (self, error);
      else
        go_offline (self, error);
      return;
    }

  pbi_log_error ("immich sync of %s failed: %s", job->path, error->message);
  if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_REJECTED) ||
      g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE))
    job_finish (self, job, PBI_FILE_STATE_REJECTED, error->message);
  else
    job_finish (self, job, PBI_FILE_STATE_FAILED, error->message);
  schedule_pump (self);
}

static void
media_types_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PbiEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  PbiImmichMediaTypes *types;

  types = pbi_immich_client_get_media_types_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (types == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not read the server's media types: %s", error->message);
      return;
    }
  g_clear_pointer (&self->media_types, pbi_immich_media_types_free);
  self->media_types = types;
  if (self->watcher != NULL)
    {
      g_auto(GStrv) exts = pbi_engine_dup_media_extensions (self);
      pbi_watcher_set_extensions (self->watcher, (const gchar * const *) exts);
    }
}

static void
connected_user_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PbiEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichUser) user = NULL;
  g_autofree gchar *version = NULL;

  user = pbi_immich_client_get_current_user_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->connecting = FALSE;
  if (user == NULL)
    {
      if (error_is_fatal_config (error))
        go_error (self, error);
      else
        go_offline (self, error);
      return;
    }

  g_clear_handle_id (&self->probe_source, g_source_remove);
  g_clear_handle_id (&self->grace_source, g_source_remove);
  self->grace_until = 0;
  version = pbi_immich_client_dup_server_version (self->client);
  if (g_strcmp0 (version, self->server_version) != 0)
    {
      g_free (self->server_version);
      self->server_version = g_steal_pointer (&version);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_VERSION]);
    }
  g_free (self->user_id);
  self->user_id = g_strdup (user->id);
  if (self->connection_state != PBI_CONNECTION_CONNECTED)
    g_message ("Connection to Immich server successful (Immich %s at %s, user %s)",
               self->server_version, pbi_immich_client_get_server_url (self->client),
               user->email != NULL ? user->email : user->name);
  set_connection_state (self, PBI_CONNECTION_CONNECTED, NULL);
  if (self->running)
    load_due (self);

  if (self->media_types == NULL)
    pbi_immich_client_get_media_types_async (self->client, self->cancellable,
                                             media_types_cb, g_object_ref (self));
  pump (self);
}

static gboolean
make_client (PbiEngine  *self,
             GError    **error)
{
  const gchar *server = effective_server (self);
  const gchar *key = effective_key (self);

  if (self->client != NULL)
    return TRUE;
  if (server == NULL || *server == '\0' || key == NULL || *key == '\0')
    {
      g_set_error_literal (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                           _("No Immich server is set up. Set the server address and API key: "
                             "photobooth-immich config set immich_server_url https://immich.example.com "
                             "and photobooth-immich config set immich_api_key YOUR-KEY "
                             "(or the environment variables IMMICH_INSTANCE_URL and IMMICH_API_KEY)."));
      return FALSE;
    }
  self->client = pbi_immich_client_new (server, key, error);
  if (self->client == NULL)
    return FALSE;
  pbi_immich_client_set_timeouts (self->client,
                                  self->connect_timeout > 0 ? self->connect_timeout : 10,
                                  self->idle_timeout > 0 ? self->idle_timeout : 60);
  if (self->fingerprint != NULL && *self->fingerprint != '\0')
    pbi_immich_client_set_pinned_certificate (self->client, self->fingerprint);
  return TRUE;
}

static void
ensure_connected (PbiEngine *self)
{
  g_autoptr(GError) error = NULL;

  if (self->connecting || self->connection_state == PBI_CONNECTION_CONNECTED)
    return;
  if (self->connection_state == PBI_CONNECTION_ERROR && self->client != NULL)
    return;  /* waits for new settings */
  if (!make_client (self, &error))
    {
      if (self->connection_state != PBI_CONNECTION_UNCONFIGURED)
        pbi_log_error ("immich: %s", error->message);
      set_connection_state (self, PBI_CONNECTION_UNCONFIGURED, error->message);
      fail_waiting_requests (self, error->message);
      return;
    }
  self->connecting = TRUE;
  if (self->connection_state != PBI_CONNECTION_OFFLINE)
    set_connection_state (self, PBI_CONNECTION_CONNECTING, NULL);
  pbi_immich_client_get_current_user_async (self->client, self->cancellable,
                                            connected_user_cb, g_object_ref (self));
}

static gboolean
probe_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->probe_source = 0;
  if (self->connection_state == PBI_CONNECTION_OFFLINE && !self->connecting)
    ensure_connected (self);
  return G_SOURCE_REMOVE;
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    PbiEngine       *self)
{
  if (available && self->connection_state == PBI_CONNECTION_OFFLINE && !self->connecting)
    {
      g_clear_handle_id (&self->probe_source, g_source_remove);
      ensure_connected (self);
    }
}

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
            job_requeue (self, job);
          return;
        }
      pbi_log_error ("immich sync: cannot read %s: %s", job->path, error->message);
      /* a file still being written is tried again later; one that is gone
       * or unreadable waits for retry-failed */
      job->attempts++;
      job_finish (self, job,
                  g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY) ? PBI_FILE_STATE_FAILED
                                                                       : PBI_FILE_STATE_REJECTED,
                  error->message);
      schedule_pump (self);
      return;
    }
  /* a file that changed since it was queued is sent as it is now: the
   * hasher stats it in its worker, before and after reading */
  job->size = hash->size;
  job->mtime = hash->mtime_us;
  g_free (job->sha1);
  job->sha1 = g_steal_pointer (&hash->sha1);
  job->stage = STAGE_CHECK;
  save_job (self, job, PBI_FILE_STATE_CHECKING, NULL, 0);
  g_queue_push_tail (&self->check_queue, job);
  schedule_pump (self);
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
      save_job (self, job, PBI_FILE_STATE_HASHING, NULL, 0);
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
queue_for_albums (PbiEngine *self,
                  Job       *job);

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!pbi_immich_client_restore_assets_finish (PBI_IMMICH_CLIENT (object), result, &error))
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      pbi_log_error ("immich: could not take a photo out of the trash: %s", error->message);
  g_free (user_data);
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
  g_autoptr(GStrvBuilder) trashed = g_strv_builder_new ();
  guint n_trashed = 0;

  results = pbi_immich_client_bulk_check_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->checking--;
  if (results == NULL)
    {
      for (guint i = data->jobs->len; i > 0; i--)
        job_network_failed (self, g_ptr_array_index (data->jobs, i - 1), error);
      check_data_free (data);
      schedule_pump (self);
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
          save_job (self, job, PBI_FILE_STATE_UPLOADING, NULL, 0);
          g_queue_push_tail (&self->upload_queue, job);
        }
      else if (g_strcmp0 (res->reason, "duplicate") == 0 && res->asset_id != NULL)
        {
          g_free (job->asset_id);
          job->asset_id = g_strdup (res->asset_id);
          job->duplicate = TRUE;
          g_message ("Photo %s is already on Immich (duplicate); adding it to the album",
                     job_basename (job));
          if (res->is_trashed)
            {
              g_message ("Photo %s was in the Immich trash; restoring it", job_basename (job));
              g_strv_builder_add (trashed, res->asset_id);
              n_trashed++;
            }
          if (self->bulk_bytes_total > 0)
            self->bulk_bytes_done += job->size;
          queue_for_albums (self, job);
        }
      else
        {
          g_autofree gchar *msg = g_strdup_printf (_("the server refuses %s: %s"),
                                                   job_basename (job),
                                                   res->reason != NULL ? res->reason : "rejected");
          pbi_log_error ("immich sync: %s", msg);
          job_finish (self, job, PBI_FILE_STATE_REJECTED, msg);
        }
    }

  if (n_trashed > 0)
    {
      g_auto(GStrv) ids = g_strv_builder_end (trashed);
      pbi_immich_client_restore_assets_async (self->client, (const gchar * const *) ids,
                                              self->cancellable, restore_cb, NULL);
    }

  check_data_free (data);
  schedule_pump (self);
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

      if (job_allowed (self, job) && items->len < PBI_IMMICH_BULK_CHECK_BATCH)
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
  guint      generation;  /* the client it was started with */
} UploadData;

static void
upload_progress (goffset  sent,
                 goffset  total,
                 gpointer user_data)
{
  UploadData *data = user_data;

  if (data->self->bulk_bytes_total > 0)
    {
      data->self->bulk_bytes_done += sent - data->sent;
      notify_progress (data->self, FALSE);
    }
  data->sent = sent;
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
          job_finish (self, job, PBI_FILE_STATE_REJECTED, error->message);
          schedule_pump (self);
        }
      else
        job_network_failed (self, job, error);
    }
  else
    {
      job->busy = FALSE;
      g_free (job->asset_id);
      job->asset_id = g_strdup (res->id);
      job->duplicate = res->duplicate;
      if (res->duplicate)
        g_message ("Photo %s is already on Immich (duplicate); adding it to the album",
                   job_basename (job));
      else
        g_message ("Uploaded photo %s to Immich", job_basename (job));
      queue_for_albums (self, job);
      schedule_pump (self);
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
      schedule_pump (self);
      return;
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

      if (!job_allowed (self, job))
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
/* Stage: albums                                                              */

static void
album_slot_free (AlbumSlot *slot)
{
  g_free (slot->name);
  g_free (slot->id);
  g_ptr_array_unref (slot->jobs);
  g_free (slot);
}

static AlbumSlot *
get_album_slot (PbiEngine   *self,
                const gchar *name)
{
  AlbumSlot *slot = g_hash_table_lookup (self->albums, name);

  if (slot == NULL)
    {
      slot = g_new0 (AlbumSlot, 1);
      slot->name = g_strdup (name);
      slot->jobs = g_ptr_array_new ();
      g_hash_table_insert (self->albums, slot->name, slot);
    }
  return slot;
}

static void flush_album (PbiEngine *self, AlbumSlot *slot);

static void
queue_for_albums (PbiEngine *self,
                  Job       *job)
{
  job->stage = STAGE_ALBUM;
  job->albums_left = job->albums != NULL ? g_strv_length (job->albums) : 0;
  save_job (self, job, PBI_FILE_STATE_ADDING, NULL, 0);
  if (job->albums_left == 0)
    {
      job_finish (self, job, PBI_FILE_STATE_DONE, NULL);
      return;
    }
  for (guint i = 0; job->albums[i] != NULL; i++)
    {
      AlbumSlot *slot = get_album_slot (self, job->albums[i]);
      g_ptr_array_add (slot->jobs, job);
    }
}

static gboolean
album_flush_due_cb (gpointer user_data)
{
  PbiEngine *self = user_data;
  GHashTableIter iter;
  gpointer value;

  self->album_source = 0;
  /* the batch waited long enough: send what has gathered */
  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (self->connection_state == PBI_CONNECTION_CONNECTED)
      flush_album (self, value);
  pump (self);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  PbiEngine *self;    /* (owned) */
  AlbumSlot *slot;
  GPtrArray *jobs;    /* (element-type Job) */
} AlbumData;

static void
album_data_free (AlbumData *data)
{
  g_object_unref (data->self);
  g_clear_pointer (&data->jobs, g_ptr_array_unref);
  g_free (data);
}

static void
album_job_done (PbiEngine *self,
                Job       *job)
{
  g_assert (job->albums_left > 0);
  if (--job->albums_left == 0)
    job_finish (self, job, PBI_FILE_STATE_DONE, NULL);
}

static void
album_resolved (PbiEngine   *self,
                AlbumSlot   *slot,
                const gchar *id)
{
  g_autofree gchar *server = g_strdup (pbi_immich_client_get_api_url (self->client));

  slot->resolving = FALSE;
  g_free (slot->id);
  slot->id = g_strdup (id);
  pbi_store_album_set (self->store, server, slot->name, id, NULL);
  flush_album (self, slot);
}

static void
album_failed (PbiEngine    *self,
              AlbumSlot    *slot,
              const GError *error)
{
  g_autoptr(GPtrArray) jobs = NULL;

  slot->resolving = FALSE;
  slot->flushing = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error_is_fatal_config (error))
    go_error (self, error);
  else if (error_is_connection (error))
    go_offline (self, error);
  else
    {
      /* the album cannot be had: the photos are on the server, but not in it */
      jobs = g_steal_pointer (&slot->jobs);
      slot->jobs = g_ptr_array_new ();
      pbi_log_error ("immich album \"%s\": %s", slot->name, error->message);
      for (guint i = 0; i < jobs->len; i++)
        {
          Job *job = g_ptr_array_index (jobs, i);
          job->attempts++;
          job_finish (self, job, PBI_FILE_STATE_FAILED, error->message);
        }
    }
}

static void
create_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AlbumData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichAlbum) album = NULL;

  album = pbi_immich_client_create_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (album == NULL)
    album_failed (data->self, data->slot, error);
  else
    {
      g_message ("Created Immich album \"%s\"", album->name);
      album_resolved (data->self, data->slot, album->id);
    }
  album_data_free (data);
}

static void
list_albums_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AlbumData *data = user_data;
  PbiEngine *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) albums = NULL;
  PbiImmichAlbum *found = NULL;

  albums = pbi_immich_client_list_albums_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (albums == NULL)
    {
      album_failed (self, data->slot, error);
      album_data_free (data);
      return;
    }

  /* Same-named albums can exist: prefer one we own, then the one with the
   * most photos (the one people use), then the first. */
  for (guint i = 0; i < albums->len; i++)
    {
      PbiImmichAlbum *album = g_ptr_array_index (albums, i);

      if (g_strcmp0 (album->name, data->slot->name) != 0)
        continue;
      if (found == NULL)
        found = album;
      else
        {
          gboolean mine = g_strcmp0 (album->owner_id, self->user_id) == 0;
          gboolean found_mine = g_strcmp0 (found->owner_id, self->user_id) == 0;

          if ((mine && !found_mine) ||
              (mine == found_mine && album->asset_count > found->asset_count))
            found = album;
        }
    }

  if (found != NULL)
    {
      g_debug ("Using Immich album \"%s\" (%s)", found->name, found->id);
      album_resolved (self, data->slot, found->id);
      album_data_free (data);
      return;
    }

  pbi_immich_client_create_album_async (self->client, data->slot->name, NULL, self->cancellable,
                                        create_album_cb, data);
}

static void
add_to_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AlbumData *data = user_data;
  PbiEngine *self = data->self;
  AlbumSlot *slot = data->slot;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GHashTable) outcome = NULL;

  results = pbi_immich_client_add_to_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  slot->flushing = FALSE;

  if (results == NULL)
    {
      /* put the batch back in front of the slot's list */
      for (guint i = data->jobs->len; i > 0; i--)
        g_ptr_array_insert (slot->jobs, 0, g_ptr_array_index (data->jobs, i - 1));
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          album_data_free (data);
          return;
        }

      if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND))
        {
          g_autofree gchar *server = g_strdup (pbi_immich_client_get_api_url (self->client));

          /* the album was deleted on the server: find or create it again */
          g_message ("Immich album \"%s\" is gone from the server; looking for it again",
                     slot->name);
          pbi_store_album_forget (self->store, server, slot->name, NULL);
          g_clear_pointer (&slot->id, g_free);
          schedule_pump (self);
        }
      else
        album_failed (self, slot, error);
      album_data_free (data);
      return;
    }

  outcome = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < results->len; i++)
    {
      PbiImmichAlbumAddResult *res = g_ptr_array_index (results, i);
      g_hash_table_insert (outcome, res->id, res);
    }

  for (guint i = 0; i < data->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (data->jobs, i);
      PbiImmichAlbumAddResult *res = g_hash_table_lookup (outcome, job->asset_id);

      if (res == NULL || res->success || g_strcmp0 (res->error, "duplicate") == 0)
        album_job_done (self, job);
      else
        {
          g_autofree gchar *msg = g_strdup_printf (_("could not add %s to the album \"%s\": %s"),
                                                   job_basename (job), slot->name, res->error);
          pbi_log_error ("immich %s", msg);
          job->attempts++;
          job_finish (self, job, PBI_FILE_STATE_FAILED, msg);
        }
    }
  album_data_free (data);
  schedule_pump (self);
}

static void
flush_album (PbiEngine *self,
             AlbumSlot *slot)
{
  AlbumData *data;
  g_autoptr(GStrvBuilder) ids = NULL;
  g_auto(GStrv) idv = NULL;
  guint n;

  if (slot->resolving || slot->flushing || slot->jobs->len == 0)
    return;

  data = g_new0 (AlbumData, 1);
  data->self = g_object_ref (self);
  data->slot = slot;

  if (slot->id == NULL)
    {
      g_autofree gchar *server = g_strdup (pbi_immich_client_get_api_url (self->client));
      g_autofree gchar *cached = pbi_store_album_get (self->store, server, slot->name);

      if (cached != NULL)
        slot->id = g_steal_pointer (&cached);
      else
        {
          slot->resolving = TRUE;
          pbi_immich_client_list_albums_async (self->client, self->cancellable,
                                               list_albums_cb, data);
          return;
        }
    }

  n = MIN (slot->jobs->len, ALBUM_BATCH_MAX);
  data->jobs = g_ptr_array_new ();
  ids = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      Job *job = g_ptr_array_index (slot->jobs, i);
      g_ptr_array_add (data->jobs, job);
      g_strv_builder_add (ids, job->asset_id);
    }
  g_ptr_array_remove_range (slot->jobs, 0, n);
  idv = g_strv_builder_end (ids);
  slot->flushing = TRUE;
  pbi_immich_client_add_to_album_async (self->client, slot->id, (const gchar * const *) idv,
                                        self->cancellable, add_to_album_cb, data);
}

static gboolean
run_album_stage (PbiEngine *self)
{
  GHashTableIter iter;
  gpointer value;
  gboolean busy_upstream = self->uploading > 0 || !g_queue_is_empty (&self->upload_queue) ||
                           self->checking > 0;
  gboolean waiting = FALSE;

  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AlbumSlot *slot = value;

      if (slot->jobs->len == 0)
        continue;
      /* While uploads are running, photos gather for one batched add; a lone
       * capture goes straight in. */
      if (busy_upstream && slot->jobs->len < ALBUM_BATCH_MAX && slot->id != NULL)
        {
          waiting = TRUE;
          continue;
        }
      flush_album (self, slot);
    }
  return waiting;
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
      job->albums = default_albums (self);
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
      queue_for_albums (self, job);
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

static void
load_due (PbiEngine *self)
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
      job_place (self, job, rec->state == PBI_FILE_STATE_FAILED ? PBI_FILE_STATE_PENDING : rec->state);
    }
}

static gboolean
retry_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->retry_source = 0;
  load_due (self);
  pump (self);
  return G_SOURCE_REMOVE;
}

static void
arm_retry_timer (PbiEngine *self)
{
  gint64 next;
  gint64 delay_ms;

  flush_records (self);
  next = pbi_store_files_next_retry (self->store);

  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (next <= 0)
    return;
  delay_ms = (next - g_get_real_time ()) / 1000;
  self->retry_source = g_timeout_add (CLAMP (delay_ms, 100, (gint64) RETRY_CAP_S * 1000),
                                      retry_cb, self);
}

static gboolean
schedule_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  if (automatic_allowed (self))
    pump (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
queues_have_allowed_work (PbiEngine *self)
{
  GQueue *queues[] = { &self->check_queue, &self->upload_queue };

  for (guint q = 0; q < G_N_ELEMENTS (queues); q++)
    for (GList *l = queues[q]->head; l != NULL; l = l->next)
      if (job_allowed (self, l->data))
        return TRUE;
  return g_hash_table_size (self->albums) > 0;
}

static void
pump (PbiEngine *self)
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
        ensure_connected (self);
      /* a job that came to rest after the connection failed (an upload that
       * was in flight) must not leave its request waiting */
      if ((self->connection_state == PBI_CONNECTION_OFFLINE &&
           g_get_monotonic_time () >= self->grace_until) ||
          self->connection_state == PBI_CONNECTION_ERROR ||
          self->connection_state == PBI_CONNECTION_UNCONFIGURED)
        fail_waiting_requests (self, self->connection_message);
      goto out;
    }

  run_check_stage (self);
  run_upload_stage (self);
  waiting = run_album_stage (self);
  if (waiting && self->album_source == 0)
    self->album_source = g_timeout_add (ALBUM_FLUSH_DELAY_MS, album_flush_due_cb, self);

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
  pump (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_pump (PbiEngine *self)
{
  if (self->pump_source == 0 && !self->stopped)
    self->pump_source = g_idle_add (pump_idle_cb, self);
}

/* Adds one file to the queue (or finds it there). Returns the job, or NULL
 * when nothing needs doing (already synced, unchanged): *skipped is then set. */
static Job *
enqueue_path (PbiEngine           *self,
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
      if (!strv_contains_all ((const gchar * const *) job->albums, albums) &&
          job->stage != STAGE_ALBUM)
        {
          GStrv merged = strv_union ((const gchar * const *) job->albums, albums);
          g_strfreev (job->albums);
          job->albums = merged;
        }
      job->explicit |= explicit;
      return job;
    }

  rec = get_record (self, path);
  if (rec != NULL && rec->size == size && rec->mtime == mtime)
    {
      g_auto(GStrv) have = g_strdupv (rec->albums);

      if ((rec->state == PBI_FILE_STATE_DONE || rec->state == PBI_FILE_STATE_DUPLICATE) &&
          strv_contains_all ((const gchar * const *) have, albums))
        {
          *skipped = TRUE;
          return NULL;
        }
      job = job_from_record (self, rec);
      g_strfreev (job->albums);
      job->albums = strv_union ((const gchar * const *) have, albums);
      if ((rec->state == PBI_FILE_STATE_DONE || rec->state == PBI_FILE_STATE_DUPLICATE) && rec->asset_id != NULL)
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
  save_job (self, job, state, NULL, 0);
  if (state == PBI_FILE_STATE_ADDING)
    {
      /* album adds only; the photo is on the server already */
      g_hash_table_insert (self->jobs, job->path, job);
      job->duplicate = TRUE;
      job->stage = STAGE_ALBUM;
      job->albums_left = 0;
      for (guint i = 0; job->albums[i] != NULL; i++)
        {
          AlbumSlot *slot = get_album_slot (self, job->albums[i]);
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

static gboolean
stat_path (const gchar *path,
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

/* ------------------------------------------------------------------------ */
/* Requests                                                                   */

typedef struct
{
  PbiEngine *self;      /* (owned) */
  Request   *req;
  GPtrArray *entries;   /* (element-type PbiScanEntry) (owned) */
  guint      next;
  guint      idle_id;
} EnqueueRun;

static void
enqueue_run_free (EnqueueRun *run)
{
  g_object_unref (run->self);
  g_ptr_array_unref (run->entries);
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
      Job *job = enqueue_path (self, entry->path, entry->size, entry->mtime_us,
                               (const gchar * const *) req->albums, !req->automatic, &skipped);

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
  flush_records (self);
  schedule_pump (self);

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
      ensure_connected (self);
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

  req->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (req->task, source_tag);
  if (album_name != NULL && *album_name != '\0')
    {
      const gchar *one[] = { album_name, NULL };
      req->albums = g_strdupv ((GStrv) one);
    }
  else
    req->albums = default_albums (self);
  return req;
}

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
      gint64 size, mtime;
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (paths[i]);
      g_autofree gchar *abs = g_file_get_path (file);

      if (abs == NULL || !stat_path (abs, &size, &mtime))
        {
          pbi_log_error ("immich sync: %s is not a readable file", paths[i]);
          req->summary.failed++;
          continue;
        }
      g_ptr_array_add (entries, scan_entry_new (abs, size, mtime));
    }
  start_enqueue_run (self, req, entries);
}

PbiSyncSummary *
pbi_engine_sync_files_finish (PbiEngine     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

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
  g_autoptr(GFile) file = NULL;
  g_autofree gchar *abs = NULL;
  gint64 size, mtime;

  g_return_if_fail (PBI_IS_ENGINE (self));
  g_return_if_fail (path != NULL);

  req = request_new (self, album_name, cancellable, callback, user_data,
                     pbi_engine_sync_photo_async);
  file = g_file_new_for_commandline_arg (path);
  abs = g_file_get_path (file);
  req->single = g_new0 (PbiSyncResult, 1);
  req->single->path = g_strdup (abs != NULL ? abs : path);

  if (abs == NULL || !stat_path (abs, &size, &mtime))
    {
      req->single->error = g_strdup_printf (_("%s is not a readable file"), path);
      request_complete (req);
      return;
    }
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_scan_entry_free);
  g_ptr_array_add (entries, scan_entry_new (abs, size, mtime));
  start_enqueue_run (self, req, entries);
}

PbiSyncResult *
pbi_engine_sync_photo_finish (PbiEngine     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  PbiSyncResult *res;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  res = g_task_propagate_pointer (G_TASK (result), error);
  /* a photo synced before and unchanged since counts as a success */
  if (res != NULL && !res->success && res->error == NULL)
    {
      g_autoptr(PbiFileRecord) rec = get_record (self, res->path);

      if (rec != NULL && (rec->state == PBI_FILE_STATE_DONE || rec->state == PBI_FILE_STATE_DUPLICATE))
        {
          res->success = TRUE;
          res->asset_id = g_strdup (rec->asset_id);
        }
    }
  return res;
}

typedef struct
{
  GMainContext *context;
  GAsyncResult *result;
} SyncWait;

static void
sync_wait_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_context_wakeup (wait->context);
}

static GAsyncResult *
sync_wait_run (SyncWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (wait->context, TRUE);
  return wait->result;
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
  SyncWait wait = { g_main_context_ref_thread_default (), NULL };
  PbiSyncResult *res;

  pbi_engine_sync_photo_async (self, path, album_name, cancellable, sync_wait_cb, &wait);
  res = pbi_engine_sync_photo_finish (self, sync_wait_run (&wait), error);
  g_object_unref (wait.result);
  g_main_context_unref (wait.context);
  return res;
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

static void
sync_folder (PbiEngine           *self,
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
  dir = g_file_new_for_commandline_arg (folder);
  exts = pbi_engine_dup_media_extensions (self);
  scanner = pbi_scanner_new (dir, (const gchar * const *) exts);
  pbi_scanner_scan_async (scanner, cancellable, folder_scan_cb, req);
}

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

  sync_folder (self, folder, album_name, FALSE, cancellable, callback, user_data);
}

PbiSyncSummary *
pbi_engine_sync_folder_finish (PbiEngine     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
  SyncWait wait = { g_main_context_ref_thread_default (), NULL };
  PbiSyncSummary *res;

  pbi_engine_sync_folder_async (self, folder, album_name, cancellable, sync_wait_cb, &wait);
  res = pbi_engine_sync_folder_finish (self, sync_wait_run (&wait), error);
  g_object_unref (wait.result);
  g_main_context_unref (wait.context);
  return res;
}

/* ------------------------------------------------------------------------ */
/* Watching and auto sync                                                     */

static void
on_file_ready (PbiWatcher *watcher,
               GFile      *file,
               PbiEngine  *self)
{
  g_autofree gchar *path = g_file_get_path (file);
  g_auto(GStrv) albums = default_albums (self);
  gint64 size, mtime;
  gboolean skipped;

  if (path == NULL || !stat_path (path, &size, &mtime))
    return;
  g_debug ("New capture %s", path);
  enqueue_path (self, path, size, mtime, (const gchar * const *) albums, FALSE, &skipped);
  if (!automatic_allowed (self) && !skipped)
    g_message ("Queued %s; it is uploaded when sync is enabled%s", path,
               self->enabled ? " and inside the sync schedule" : "");
  schedule_pump (self);
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
  sync_folder (self, path, NULL, TRUE, NULL, NULL, NULL);
}

static const gchar *
watch_folder (PbiEngine *self)
{
  if (self->watch_override != NULL)
    return self->watch_override;
  return self->capture_folder;
}

static void
start_watcher (PbiEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;
  g_auto(GStrv) exts = NULL;
  const gchar *folder = watch_folder (self);

  if (self->watcher != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->watcher, self);
      g_clear_object (&self->watcher);
    }
  if (folder == NULL || *folder == '\0' ||
      (!self->sync_on_capture && self->watch_override == NULL))
    return;

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
      scan_library (self);
    }
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        pbi_log_error ("immich auto sync: %s", error->message);
      return;
    }
  g_message ("Auto sync done: %u uploaded, %u duplicates, %u failed, %u already synced",
             summary->uploaded, summary->duplicates, summary->failed,
             summary->skipped);
}

/* the folder auto sync covers: the library folder, else the capture folder */
static const gchar *
library_target (PbiEngine *self)
{
  if (self->library_folder != NULL && *self->library_folder != '\0')
    return self->library_folder;
  return self->capture_folder;
}

static void
scan_library (PbiEngine *self)
{
  const gchar *folder = library_target (self);

  if (!self->enabled || !self->auto_sync || folder == NULL || *folder == '\0')
    return;
  if (self->scanning_library)
    {
      self->rescan_wanted = TRUE;
      return;
    }
  self->scanning_library = TRUE;
  g_message ("Auto sync of %s", folder);
  sync_folder (self, folder, NULL, TRUE, NULL, library_scan_cb, g_object_ref (self));
}

static gboolean
rescan_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->rescan_source = 0;
  scan_library (self);
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

static void
watch_library (PbiEngine *self)
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
      g_strcmp0 (self->library_folder, watch_folder (self)) == 0)
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

/* ------------------------------------------------------------------------ */
/* Public API                                                                 */

gboolean
pbi_engine_start (PbiEngine  *self,
                  GError    **error)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), FALSE);

  if (self->running)
    return TRUE;
  self->running = TRUE;
  self->stopped = FALSE;
  read_settings (self);

  if (!self->enabled)
    set_connection_state (self, PBI_CONNECTION_DISABLED, NULL);
  else
    ensure_connected (self);  /* the status shows the truth from the start */

  g_signal_connect_object (g_network_monitor_get_default (), "network-changed",
                           G_CALLBACK (on_network_changed), self, 0);
  self->schedule_source = g_timeout_add_seconds (30, schedule_cb, self);
  start_watcher (self);
  watch_library (self);
  scan_library (self);
  /* captures written while we were not running (or whose queue row a power
   * cut took) are found: unchanged, synced files cost a lookup, not a hash */
  if (self->watcher != NULL &&
      !(self->scanning_library && g_strcmp0 (library_target (self), watch_folder (self)) == 0))
    sync_folder (self, watch_folder (self), NULL, TRUE, NULL, NULL, NULL);
  load_due (self);
  schedule_pump (self);
  return TRUE;
}

void
pbi_engine_stop (PbiEngine *self)
{
  g_return_if_fail (PBI_IS_ENGINE (self));

  self->running = FALSE;
  self->stopped = TRUE;
  /* nothing more will happen to the queued photos in this run */
  fail_requests (self, _("sync was stopped; the photo stays queued"), TRUE);
  g_clear_object (&self->watcher);
  if (self->library_monitor != NULL)
    {
      g_file_monitor_cancel (self->library_monitor);
      g_signal_handlers_disconnect_by_data (self->library_monitor, self);
      g_clear_object (&self->library_monitor);
    }
  g_clear_handle_id (&self->rescan_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->probe_source, g_source_remove);
  g_clear_handle_id (&self->grace_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->schedule_source, g_source_remove);
  g_clear_handle_id (&self->pump_source, g_source_remove);
  g_clear_handle_id (&self->album_source, g_source_remove);
  g_clear_handle_id (&self->flush_source, g_source_remove);
}

void
pbi_engine_set_server_override (PbiEngine   *self,
                                const gchar *server_url,
                                const gchar *api_key)
{
  g_return_if_fail (PBI_IS_ENGINE (self));

  g_free (self->server_override);
  self->server_override = g_strdup (server_url != NULL && *server_url ? server_url : NULL);
  g_free (self->key_override);
  self->key_override = g_strdup (api_key != NULL && *api_key ? api_key : NULL);
  pbi_log_add_secret (api_key);
  drop_client (self);
  set_connection_state (self, self->enabled ? PBI_CONNECTION_CONNECTING : PBI_CONNECTION_DISABLED,
                        NULL);
}

void
pbi_engine_set_album_override (PbiEngine   *self,
                               const gchar *album_name)
{
  g_return_if_fail (PBI_IS_ENGINE (self));

  g_free (self->album_override);
  self->album_override = g_strdup (album_name != NULL && *album_name ? album_name : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALBUM_NAME]);
}

void
pbi_engine_set_ignore_schedule (PbiEngine *self,
                                gboolean   ignore)
{
  g_return_if_fail (PBI_IS_ENGINE (self));
  self->ignore_schedule = !!ignore;
  schedule_pump (self);
}

void
pbi_engine_set_watch_folder (PbiEngine   *self,
                             const gchar *folder)
{
  g_return_if_fail (PBI_IS_ENGINE (self));

  g_free (self->watch_override);
  self->watch_override = g_strdup (folder);
  if (self->running)
    start_watcher (self);
}

/**
 * pbi_engine_sync_now:
 * @self: a #PbiEngine
 *
 * Sends everything queued now, even outside the sync schedule.
 */
void
pbi_engine_sync_now (PbiEngine *self)
{
  g_return_if_fail (PBI_IS_ENGINE (self));
  self->sync_now = TRUE;
  flush_records (self);
  load_due (self);
  schedule_pump (self);
}

/**
 * pbi_engine_retry_failed:
 * @self: a #PbiEngine
 *
 * Puts every failed or refused photo back in the queue, to be tried now.
 *
 * Returns: how many photos were put back
 */
guint
pbi_engine_retry_failed (PbiEngine *self)
{
  guint n;

  g_return_val_if_fail (PBI_IS_ENGINE (self), 0);
  flush_records (self);
  n = MAX (0, pbi_store_files_reset_failed (self->store, NULL));
  if (self->running)
    {
      load_due (self);
      schedule_pump (self);
    }
  refresh_counts (self);
  return n;
}

static void
test_user_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data);

static void
test_perms_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) perms = NULL;
  static const gchar *needed[] = { "asset.upload", "album.read", "album.create",
                                   "albumAsset.create", NULL };
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GString) report = g_string_new (g_task_get_task_data (task));

  if (!pbi_immich_client_get_key_permissions_finish (PBI_IMMICH_CLIENT (object), result,
                                                     &perms, &error))
    {
      /* a key without apiKey.read cannot list its own rights: not fatal */
      g_debug ("Could not read the key's permissions: %s", error->message);
      g_string_append (report, "\nPermissions: could not be read with this key");
    }
  else if (perms == NULL)
    g_string_append (report, "\nPermissions: full (this server version has no scoped keys)");
  else if (g_strv_contains ((const gchar * const *) perms, "all"))
    g_string_append (report, "\nPermissions: all");
  else
    {
      for (guint i = 0; needed[i] != NULL; i++)
        if (!g_strv_contains ((const gchar * const *) perms, needed[i]))
          g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", needed[i]);
      if (missing->len > 0)
        {
          g_autofree gchar *msg = g_strdup_printf (_("The API key lacks the permission(s) %s, which "
                                                     "sync needs. Create a key with %s in Immich "
                                                     "(Account Settings → API Keys)."),
                                                   missing->str,
                                                   "asset.upload, album.read, album.create, albumAsset.create");
          pbi_log_error ("immich: %s", msg);
          set_connection_state (self, PBI_CONNECTION_ERROR, msg);
          g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION,
                                   "%s", msg);
          return;
        }
      g_string_append (report, "\nPermissions: everything sync needs");
    }
  g_task_return_pointer (task, g_string_free (g_steal_pointer (&report), FALSE), g_free);
}

static void
test_user_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichUser) user = NULL;
  g_autofree gchar *version = NULL;
  g_autofree gchar *report = NULL;

  user = pbi_immich_client_get_current_user_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (user == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          pbi_log_error ("immich connection test failed: %s", error->message);
          set_connection_state (self, error_is_fatal_config (error) ? PBI_CONNECTION_ERROR
                                                                    : PBI_CONNECTION_OFFLINE,
                                error->message);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  version = pbi_immich_client_dup_server_version (PBI_IMMICH_CLIENT (object));
  g_message ("Connection to Immich server successful (Immich %s at %s, user %s)", version,
             pbi_immich_client_get_server_url (PBI_IMMICH_CLIENT (object)),
             user->email != NULL ? user->email : user->name);
  set_connection_state (self, PBI_CONNECTION_CONNECTED, NULL);
  g_free (self->server_version);
  self->server_version = g_strdup (version);
  g_free (self->user_id);
  self->user_id = g_strdup (user->id);
  report = g_strdup_printf ("Server: %s (API %s)\nImmich version: %s\nUser: %s%s%s%s",
                            pbi_immich_client_get_server_url (PBI_IMMICH_CLIENT (object)),
                            pbi_immich_client_get_api_url (PBI_IMMICH_CLIENT (object)),
                            version,
                            user->name != NULL ? user->name : "",
                            user->email != NULL ? " <" : "",
                            user->email != NULL ? user->email : "",
                            user->email != NULL ? ">" : "");
  g_task_set_task_data (task, g_steal_pointer (&report), g_free);
  pbi_immich_client_get_key_permissions_async (PBI_IMMICH_CLIENT (object),
                                               g_task_get_cancellable (task),
                                               test_perms_cb, g_object_ref (task));
}

/**
 * pbi_engine_test_connection_async:
 *
 * Checks the address, the key and its permissions, as the Test Connection
 * button does. The result is a short report for people.
 */
void
pbi_engine_test_connection_async (PbiEngine           *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PBI_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_engine_test_connection_async);
  if (self->client == NULL || self->connection_state == PBI_CONNECTION_ERROR)
    {
      drop_client (self);
      if (!make_client (self, &error))
        {
          set_connection_state (self, PBI_CONNECTION_UNCONFIGURED, error->message);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  pbi_immich_client_get_current_user_async (self->client, cancellable, test_user_cb,
                                            g_steal_pointer (&task));
}

/**
 * pbi_engine_test_connection_finish:
 *
 * Returns: (transfer full): a report (server, version, user, permissions)
 */
gchar *
pbi_engine_test_connection_finish (PbiEngine     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
engine_list_albums_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *albums;

  albums = pbi_immich_client_list_albums_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (albums == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, albums, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pbi_engine_list_albums_async:
 *
 * Loads the albums the key can see, for an album picker.
 */
void
pbi_engine_list_albums_async (PbiEngine           *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PBI_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_engine_list_albums_async);
  if (!make_client (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pbi_immich_client_list_albums_async (self->client, cancellable, engine_list_albums_cb,
                                       g_steal_pointer (&task));
}

/**
 * pbi_engine_list_albums_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichAlbum): the albums
 */
GPtrArray *
pbi_engine_list_albums_finish (PbiEngine     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const gchar *
pbi_engine_get_database_path (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  return self->database_path;
}

PbiConnectionState
pbi_engine_get_connection_state (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), PBI_CONNECTION_DISABLED);
  return self->connection_state;
}

const gchar *
pbi_engine_get_connection_message (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  return self->connection_message;
}

const gchar *
pbi_engine_get_album_name (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  return effective_album (self);
}

const gchar *
pbi_engine_get_server_version (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  return self->server_version;
}

/**
 * pbi_engine_get_last_sync:
 *
 * Returns: (transfer none) (nullable): when a photo last reached the server
 */
GDateTime *
pbi_engine_get_last_sync (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  return self->last_sync;
}

guint
pbi_engine_get_uploaded (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), 0);
  return self->uploaded;
}

guint
pbi_engine_get_duplicates (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), 0);
  return self->duplicates;
}

guint
pbi_engine_get_pending (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), 0);
  return self->pending;
}

guint
pbi_engine_get_failed (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), 0);
  return self->failed;
}

PbiStore *
_pbi_engine_get_store (PbiEngine *self)
{
  return self->store;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                    */

static gdouble
bulk_rate (PbiEngine *self)
{
  gdouble secs = (g_get_monotonic_time () - self->bulk_started) / (gdouble) G_USEC_PER_SEC;

  if (self->bulk_files_total == 0 || secs <= 0.0)
    return 0.0;
  return self->bulk_bytes_done / secs;
}

static gdouble
bulk_eta (PbiEngine *self)
{
  gdouble rate = bulk_rate (self);

  if (rate <= 0.0)
    return -1.0;
  return MAX (0, self->bulk_bytes_total - self->bulk_bytes_done) / rate;
}

static void
pbi_engine_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PbiEngine *self = PBI_ENGINE (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      g_value_set_string (value, self->database_path);
      break;
    case PROP_CONNECTION_STATE:
      g_value_set_enum (value, self->connection_state);
      break;
    case PROP_CONNECTION_MESSAGE:
      g_value_set_string (value, self->connection_message);
      break;
    case PROP_ALBUM_NAME:
      g_value_set_string (value, effective_album (self));
      break;
    case PROP_SERVER_VERSION:
      g_value_set_string (value, self->server_version);
      break;
    case PROP_LAST_SYNC:
      g_value_set_boxed (value, self->last_sync);
      break;
    case PROP_UPLOADED:
      g_value_set_uint (value, self->uploaded);
      break;
    case PROP_DUPLICATES:
      g_value_set_uint (value, self->duplicates);
      break;
    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    case PROP_FAILED:
      g_value_set_uint (value, self->failed);
      break;
    case PROP_BULK_FILES_TOTAL:
      g_value_set_int64 (value, self->bulk_files_total);
      break;
    case PROP_BULK_FILES_DONE:
      g_value_set_int64 (value, self->bulk_files_done);
      break;
    case PROP_BULK_BYTES_TOTAL:
      g_value_set_int64 (value, self->bulk_bytes_total);
      break;
    case PROP_BULK_BYTES_DONE:
      g_value_set_int64 (value, self->bulk_bytes_done);
      break;
    case PROP_BULK_RATE:
      g_value_set_double (value, bulk_rate (self));
      break;
    case PROP_BULK_ETA:
      g_value_set_double (value, bulk_eta (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_engine_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PbiEngine *self = PBI_ENGINE (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      self->database_path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_engine_dispose (GObject *object)
{
  PbiEngine *self = PBI_ENGINE (object);

  pbi_engine_stop (self);
  if (self->store != NULL)
    flush_records (self);
  g_clear_object (&self->client);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  G_OBJECT_CLASS (pbi_engine_parent_class)->dispose (object);
}

static void
pbi_engine_finalize (GObject *object)
{
  PbiEngine *self = PBI_ENGINE (object);

  g_clear_object (&self->hasher);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->media_types, pbi_immich_media_types_free);
  g_queue_clear (&self->hash_queue);
  g_queue_clear (&self->check_queue);
  g_queue_clear (&self->upload_queue);
  g_clear_pointer (&self->albums, g_hash_table_unref);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->last_sync, g_date_time_unref);
  g_free (self->database_path);
  g_free (self->server_url);
  g_free (self->api_key);
  g_free (self->album_name);
  g_strfreev (self->extra_albums);
  g_free (self->capture_folder);
  g_free (self->library_folder);
  g_free (self->schedule_start);
  g_free (self->schedule_end);
  g_free (self->fingerprint);
  g_free (self->server_override);
  g_free (self->key_override);
  g_free (self->album_override);
  g_free (self->watch_override);
  g_free (self->connection_message);
  g_free (self->server_version);
  g_free (self->user_id);
  G_OBJECT_CLASS (pbi_engine_parent_class)->finalize (object);
}

static void
pbi_engine_class_init (PbiEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pbi_engine_get_property;
  object_class->set_property = pbi_engine_set_property;
  object_class->dispose = pbi_engine_dispose;
  object_class->finalize = pbi_engine_finalize;

#define RO (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)
  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION_STATE] =
    g_param_spec_enum ("connection-state", NULL, NULL, PBI_TYPE_CONNECTION_STATE,
                       PBI_CONNECTION_CONNECTING, RO);
  properties[PROP_CONNECTION_MESSAGE] =
    g_param_spec_string ("connection-message", NULL, NULL, NULL, RO);
  properties[PROP_ALBUM_NAME] = g_param_spec_string ("album-name", NULL, NULL, NULL, RO);
  properties[PROP_SERVER_VERSION] = g_param_spec_string ("server-version", NULL, NULL, NULL, RO);
  properties[PROP_LAST_SYNC] = g_param_spec_boxed ("last-sync", NULL, NULL, G_TYPE_DATE_TIME, RO);
  properties[PROP_UPLOADED] = g_param_spec_uint ("uploaded", NULL, NULL, 0, G_MAXUINT, 0, RO);
  properties[PROP_DUPLICATES] = g_param_spec_uint ("duplicates", NULL, NULL, 0, G_MAXUINT, 0, RO);
  properties[PROP_PENDING] = g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0, RO);
  properties[PROP_FAILED] = g_param_spec_uint ("failed", NULL, NULL, 0, G_MAXUINT, 0, RO);
  properties[PROP_BULK_FILES_TOTAL] =
    g_param_spec_int64 ("bulk-files-total", NULL, NULL, 0, G_MAXINT64, 0, RO);
  properties[PROP_BULK_FILES_DONE] =
    g_param_spec_int64 ("bulk-files-done", NULL, NULL, 0, G_MAXINT64, 0, RO);
  properties[PROP_BULK_BYTES_TOTAL] =
    g_param_spec_int64 ("bulk-bytes-total", NULL, NULL, 0, G_MAXINT64, 0, RO);
  properties[PROP_BULK_BYTES_DONE] =
    g_param_spec_int64 ("bulk-bytes-done", NULL, NULL, 0, G_MAXINT64, 0, RO);
  properties[PROP_BULK_RATE] =
    g_param_spec_double ("bulk-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, RO);
  properties[PROP_BULK_ETA] =
    g_param_spec_double ("bulk-eta", NULL, NULL, -1, G_MAXDOUBLE, -1, RO);
#undef RO
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PbiEngine::file-state-changed:
   * @self: the engine
   * @path: the photo
   * @state: its new state (a PbiFileState)
   * @error: (nullable): why it failed, for failed and rejected photos
   *
   * A photo moved through the pipeline.
   */
  signals[SIGNAL_FILE_STATE_CHANGED] =
    g_signal_new ("file-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT, G_TYPE_STRING);
}

static void
pbi_engine_init (PbiEngine *self)
{
  self->cancellable = g_cancellable_new ();
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) job_free);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) pbi_file_record_free);
  self->albums = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) album_slot_free);
  g_queue_init (&self->hash_queue);
  g_queue_init (&self->check_queue);
  g_queue_init (&self->upload_queue);
  self->hash_limit = MAX (2, g_get_num_processors ()) * 2;
  self->connection_state = PBI_CONNECTION_CONNECTING;
}

/**
 * pbi_engine_new:
 * @database_path: (nullable) (type filename): the database, or %NULL for the
 *   default one under the user's data folder
 * @error: return location for a #GError
 *
 * Opens the database and makes an engine over it. Call pbi_engine_start() to
 * begin watching and syncing in the background; the sync calls work without.
 *
 * Returns: (transfer full): a new engine, or %NULL with @error set
 */
PbiEngine *
pbi_engine_new (const gchar  *database_path,
                GError      **error)
{
  g_autoptr(PbiEngine) self = NULL;
  gint64 last;

  self = g_object_new (PBI_TYPE_ENGINE, "database-path", database_path, NULL);
  self->store = pbi_store_open (database_path, error);
  if (self->store == NULL)
    return NULL;
  if (self->database_path == NULL)
    self->database_path = g_strdup (pbi_store_get_path (self->store));
  self->hasher = pbi_hasher_new (0);
  self->uploaded = pbi_store_counter_get (self->store, "uploaded");
  self->duplicates = pbi_store_counter_get (self->store, "duplicates");
  last = pbi_store_get_last_sync (self->store);
  if (last > 0)
    self->last_sync = g_date_time_new_from_unix_local (last / G_USEC_PER_SEC);
  g_signal_connect (self->store, "setting-changed", G_CALLBACK (on_setting_changed), self);
  read_settings (self);
  refresh_counts (self);
  return g_steal_pointer (&self);
}

/**
 * pbi_engine_get_default:
 *
 * The engine over the default database (or the one named by the environment
 * variable `PHOTOBOOTH_IMMICH_DATABASE`), made on first use.
 *
 * Returns: (transfer none) (nullable): the default engine, or %NULL when the
 *   database cannot be opened (the reason is logged)
 */
PbiEngine *
pbi_engine_get_default (void)
{
  static PbiEngine *default_engine;

  if (default_engine == NULL)
    {
      g_autoptr(GError) error = NULL;

      default_engine = pbi_engine_new (g_getenv ("PHOTOBOOTH_IMMICH_DATABASE"), &error);
      if (default_engine == NULL)
        pbi_log_error ("immich sync: cannot open the database: %s", error->message);
    }
  return default_engine;
}
