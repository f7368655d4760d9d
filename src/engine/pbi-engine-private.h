/* pbi-engine-private.h: engine API shared inside the project, and the engine
 * internals (instance struct, jobs, requests) shared by the pbi-engine*.c files
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-engine.h"
#include "pbi-store.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include "pbi-engine-enums.h"
#include "pbi-hasher.h"
#include "pbi-immich-client.h"
#include "pbi-log.h"
#include "pbi-media-info.h"
#include "pbi-scanner.h"
#include "pbi-watcher.h"

G_BEGIN_DECLS

PbiStore *_pbi_engine_get_store            (PbiEngine *self);
gchar   **pbi_engine_dup_media_extensions  (PbiEngine *self);

/* Element type PbiImmichAlbum: for the album picker and the CLI; not in the
 * introspected API, which has no Immich client types. */
void      pbi_engine_list_albums_async     (PbiEngine           *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray *pbi_engine_list_albums_finish   (PbiEngine           *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* A permission the API key can need: what for, and what fails without it.
 * _pbi_engine_permissions is the one list (pbi-engine-connection.c), ended
 * by an entry with a NULL permission; texts are untranslated (N_). */
typedef struct
{
  const gchar *permission;
  gboolean     required;     /* sync cannot work without it */
  gboolean     guest_sharing; /* needed only when guest sharing is on */
  const gchar *purpose;
  const gchar *consequence;  /* "without PERMISSION, CONSEQUENCE" */
} PbiPermissionNeed;

extern const PbiPermissionNeed _pbi_engine_permissions[];

GPtrArray *_pbi_engine_missing_permissions (const gchar * const *perms,
                                            gboolean             guest_sharing);

/* ---- shared by the files of pbi-engine.c (split of one object) */

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
  gchar     *album_error;     /* (nullable) why an album add failed; the job fails once
                               * every album has answered */
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
  gchar          *folder;     /* (owned) (nullable) the folder a scan covers */
};

typedef struct
{
  gchar     *name;
  GPtrArray *jobs;            /* (element-type Job) waiting for the album id or the flush */
  gchar     *id;              /* (nullable) resolved id */
  gchar     *lost_id;         /* (nullable) the id a 400 took away, for the notice */
  gchar     *blocked;         /* (nullable) why the album cannot be used until the settings
                               * change or retry-failed: its photos fail at once, no request */
  guint      resolving : 1;
  guint      flushing : 1;
  guint      reresolved : 1;  /* found again once after a 400: a second 400 blocks it */
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
  gchar              *album_notice;     /* (nullable) plain words about the albums */
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
  guint               counts_source;     /* a count put off (see _pbi_engine_refresh_counts) */
  gint64              counts_next_us;    /* monotonic: counting again is due */
  gboolean            write_failing;
  guint               pending_uploaded;
  guint               pending_duplicates;
  gint64              pending_last_sync;

  guint               probe_source;
  GDateTime          *next_retry;       /* (owned) (nullable) when the probe fires */
  guint               probe_failures;   /* connections lost since a photo last got through */
  guint               grace_source;
  gint64              grace_until;      /* monotonic; requests wait until then */
  gint64              outage_since;     /* monotonic; 0 = no outage going on */
  gint64              connected_since;  /* monotonic; when the last probe succeeded */
  gboolean            outage_reconnected; /* "successful" said once in this outage */
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

enum {
  ENGINE_PROP_0,
  ENGINE_PROP_DATABASE_PATH,
  ENGINE_PROP_CONNECTION_STATE,
  ENGINE_PROP_CONNECTION_MESSAGE,
  ENGINE_PROP_ALBUM_NAME,
  ENGINE_PROP_ALBUM_NOTICE,
  ENGINE_PROP_SERVER_VERSION,
  ENGINE_PROP_LAST_SYNC,
  ENGINE_PROP_UPLOADED,
  ENGINE_PROP_DUPLICATES,
  ENGINE_PROP_PENDING,
  ENGINE_PROP_FAILED,
  ENGINE_PROP_BULK_FILES_TOTAL,
  ENGINE_PROP_BULK_FILES_DONE,
  ENGINE_PROP_BULK_BYTES_TOTAL,
  ENGINE_PROP_BULK_BYTES_DONE,
  ENGINE_PROP_BULK_RATE,
  ENGINE_PROP_BULK_ETA,
  ENGINE_PROP_NEXT_RETRY,
  ENGINE_N_PROPS
};

enum {
  ENGINE_SIGNAL_FILE_STATE_CHANGED,
  ENGINE_SIGNAL_UPLOAD_PROGRESS,
  ENGINE_N_SIGNALS
};

extern GParamSpec *_pbi_engine_properties[ENGINE_N_PROPS];
extern guint _pbi_engine_signals[ENGINE_N_SIGNALS];

/* @state: DONE, FAILED or REJECTED as the job ended; PENDING when it stays
 * queued for the server (counted as queued, not failed) */
void _pbi_engine_request_account (Request      *req,
                                  Job          *job,
                                  PbiFileState  state,
                                  const gchar  *error);
/* pbi-engine-jobs.c: records, counts, progress; retry backoff of a failed job */
#define RETRY_BASE_S 5
#define RETRY_CAP_S  600
gboolean _pbi_engine_strv_contains_all (const gchar * const *haystack,
                                        const gchar * const *needles);
void     _pbi_engine_notify_progress   (PbiEngine           *self,
                                        gboolean             force);
void _pbi_engine_job_free (Job *job);
GStrv _pbi_engine_strv_union (const gchar * const *a,
                              const gchar * const *b);
void _pbi_engine_flush_records (PbiEngine *self);
PbiFileRecord *_pbi_engine_get_record (PbiEngine   *self,
                                       const gchar *path);
void _pbi_engine_save_job (PbiEngine    *self,
                           Job          *job,
                           PbiFileState  state,
                           const gchar  *error,
                           gint64        next_retry);
const gchar *_pbi_engine_job_basename (Job *job);
void _pbi_engine_refresh_counts (PbiEngine *self);
void _pbi_engine_job_finish (PbiEngine    *self,
                             Job          *job,
                             PbiFileState  state,
                             const gchar  *error);
const gchar *_pbi_engine_effective_server (PbiEngine *self);
const gchar *_pbi_engine_effective_key (PbiEngine *self);
GStrv _pbi_engine_default_albums (PbiEngine *self);
void _pbi_engine_set_connection_state (PbiEngine          *self,
                                       PbiConnectionState  state,
                                       const gchar        *message);
void _pbi_engine_drop_client (PbiEngine *self);
gboolean _pbi_engine_automatic_allowed (PbiEngine *self);
gboolean _pbi_engine_job_allowed (PbiEngine *self,
                                  Job       *job);
gboolean _pbi_engine_error_is_connection (const GError *error);
gboolean _pbi_engine_error_is_fatal_config (const GError *error);
void _pbi_engine_fail_requests (PbiEngine   *self,
                                const gchar *message,
                                gboolean     include_busy);
void _pbi_engine_fail_waiting_requests (PbiEngine   *self,
                                        const gchar *message);
void _pbi_engine_go_offline (PbiEngine    *self,
                             const GError *error);
void _pbi_engine_set_next_retry (PbiEngine *self,
                                guint      in_ms);
void _pbi_engine_go_error (PbiEngine    *self,
                           const GError *error);
void _pbi_engine_job_requeue (PbiEngine *self,
                              Job       *job);
void _pbi_engine_job_network_failed (PbiEngine    *self,
                                     Job          *job,
                                     const GError *error);
gboolean _pbi_engine_make_client (PbiEngine  *self,
                                  GError    **error);

/* The blocking versions of the async calls (for scripts) wait like this:
 *   PbiEngineWait wait = { g_main_context_ref_thread_default (), NULL };
 *   pbi_engine_foo_async (self, …, _pbi_engine_wait_cb, &wait);
 *   res = pbi_engine_foo_finish (self, _pbi_engine_wait_run (&wait), error);
 *   _pbi_engine_wait_clear (&wait); */
typedef struct
{
  GMainContext *context;  /* (owned) the thread-default one */
  GAsyncResult *result;   /* (owned) (nullable) until the call is done */
} PbiEngineWait;

void _pbi_engine_wait_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);
GAsyncResult *_pbi_engine_wait_run (PbiEngineWait *wait);
void _pbi_engine_wait_clear (PbiEngineWait *wait);

/* Every public async/finish pair of PbiEngine (in any of its files):
 *   task = _pbi_engine_task_new (self, pbi_engine_foo_async, cancellable, callback, user_data);
 *   … return _pbi_engine_task_finish_pointer (self, result, pbi_engine_foo_async, error); */
GTask *_pbi_engine_task_new (PbiEngine           *self,
                             gpointer             source_tag,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data);
gpointer _pbi_engine_task_finish_pointer (PbiEngine     *self,
                                          GAsyncResult  *result,
                                          gpointer       source_tag,
                                          GError       **error);

void _pbi_engine_ensure_connected (PbiEngine *self);
void _pbi_engine_on_network_changed (GNetworkMonitor *monitor,
                                     gboolean         available,
                                     PbiEngine       *self);
void _pbi_engine_album_slot_free (AlbumSlot *slot);
void _pbi_engine_albums_unblock (PbiEngine *self);
void _pbi_engine_set_album_notice (PbiEngine   *self,
                                   const gchar *notice);
AlbumSlot *_pbi_engine_get_album_slot (PbiEngine   *self,
                                       const gchar *name);
void _pbi_engine_queue_for_albums (PbiEngine *self,
                                   Job       *job);
void _pbi_engine_restore_then_add (PbiEngine *self,
                                   GPtrArray *jobs);
gint _pbi_engine_compare_writable_albums (const PbiImmichAlbum *a,
                                         const PbiImmichAlbum *b,
                                         const gchar          *user_id);
gboolean _pbi_engine_album_flush_due_cb (gpointer user_data);
gboolean _pbi_engine_run_album_stage (PbiEngine *self);
void _pbi_engine_load_due (PbiEngine *self);
gboolean _pbi_engine_schedule_cb (gpointer user_data);
void _pbi_engine_pump (PbiEngine *self);
void _pbi_engine_schedule_pump (PbiEngine *self);
Job *_pbi_engine_enqueue_path (PbiEngine           *self,
                               const gchar         *path,
                               gint64               size,
                               gint64               mtime,
                               const gchar * const *albums,
                               gboolean             explicit,
                               gboolean            *skipped);
gboolean _pbi_engine_stat_path (const gchar *path,
                                gint64      *size,
                                gint64      *mtime);
void _pbi_engine_sync_folder (PbiEngine           *self,
                              const gchar         *folder,
                              const gchar         *album_name,
                              gboolean             automatic,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
const gchar *_pbi_engine_watch_folder (PbiEngine *self);
void _pbi_engine_start_watcher (PbiEngine *self);
const gchar *_pbi_engine_library_target (PbiEngine *self);
void _pbi_engine_scan_library (PbiEngine *self);
void _pbi_engine_watch_library (PbiEngine *self);

G_END_DECLS
