/* pbi-engine.c: the sync engine object: settings, start and stop, overrides,
 * getters, properties and signals.  Its other concerns live beside it:
 * pbi-engine-pipeline.c, -albums.c, -connection.c, -requests.c and -watch.c.
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
#include "pbi-engine-event-private.h"
#include "pbi-engine-private.h"
#include "pbi-hasher.h"
#include "pbi-immich-client.h"
#include "pbi-log.h"
#include "pbi-media-info.h"
#include "pbi-scanner.h"
#include "pbi-store.h"
#include "pbi-watcher.h"

G_DEFINE_FINAL_TYPE (PbiEngine, pbi_engine, G_TYPE_OBJECT)

GParamSpec *_pbi_engine_properties[ENGINE_N_PROPS];
guint _pbi_engine_signals[ENGINE_N_SIGNALS];

/* ------------------------------------------------------------------------ */
/* Settings                                                                   */

static gchar *
dup_setting (PbiEngine   *self,
             const gchar *key)
{
  return pbi_store_get_setting_string (self->store, key);
}

const gchar *
_pbi_engine_effective_server (PbiEngine *self)
{
  return self->server_override != NULL ? self->server_override : self->server_url;
}

const gchar *
_pbi_engine_effective_key (PbiEngine *self)
{
  return self->key_override != NULL ? self->key_override : self->api_key;
}

static const gchar *
effective_album (PbiEngine *self)
{
  return self->album_override != NULL ? self->album_override : self->album_name;
}

GStrv
_pbi_engine_default_albums (PbiEngine *self)
{
  const gchar *main_album[] = { effective_album (self), NULL };

  return _pbi_engine_strv_union (main_album, (const gchar * const *) self->extra_albums);
}

void
_pbi_engine_set_connection_state (PbiEngine          *self,
                                  PbiConnectionState  state,
                                  const gchar        *message)
{
  if (self->connection_state != state)
    {
      self->connection_state = state;
      g_object_notify_by_pspec (G_OBJECT (self),
                                _pbi_engine_properties[ENGINE_PROP_CONNECTION_STATE]);
    }
  if (g_strcmp0 (self->connection_message, message) != 0)
    {
      g_free (self->connection_message);
      self->connection_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self),
                                _pbi_engine_properties[ENGINE_PROP_CONNECTION_MESSAGE]);
    }
}

/* The task of a public call of @self (pbi_engine_foo_async), tagged
 * @source_tag; finish it with _pbi_engine_task_finish_pointer(). */
GTask *
_pbi_engine_task_new (PbiEngine           *self,
                      gpointer             source_tag,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

/* The end of a public call of @self started with @source_tag: its pointer
 * result (transfer full), or NULL and @error. */
gpointer
_pbi_engine_task_finish_pointer (PbiEngine     *self,
                                 GAsyncResult  *result,
                                 gpointer       source_tag,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_pbi_engine_wait_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  PbiEngineWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_context_wakeup (wait->context);
}

/* Runs the context until the call is done: its result (transfer none). */
GAsyncResult *
_pbi_engine_wait_run (PbiEngineWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (wait->context, TRUE);
  return wait->result;
}

void
_pbi_engine_wait_clear (PbiEngineWait *wait)
{
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->context, g_main_context_unref);
}

void
_pbi_engine_drop_client (PbiEngine *self)
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
  /* new settings: an album given up on may work with them */
  _pbi_engine_albums_unblock (self);
  self->connecting = FALSE;
  self->checking = self->uploading = 0;
  self->probe_failures = 0;
  g_clear_handle_id (&self->probe_source, g_source_remove);
  _pbi_engine_set_next_retry (self, 0);
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
gboolean
_pbi_engine_automatic_allowed (PbiEngine *self)
{
  return self->enabled && (self->ignore_schedule || self->sync_now || in_schedule (self));
}

gboolean
_pbi_engine_job_allowed (PbiEngine *self,
                         Job       *job)
{
  return job->explicit || _pbi_engine_automatic_allowed (self);
}

static void
read_settings (PbiEngine *self)
{
  g_autofree gchar *old_server = g_strdup (_pbi_engine_effective_server (self));
  g_autofree gchar *old_key = g_strdup (_pbi_engine_effective_key (self));
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
  self->concurrency = CLAMP (pbi_store_get_setting_int (self->store, "immich_upload_concurrency"),
                             1, 16);
  self->connect_timeout = pbi_store_get_setting_int (self->store, "immich_connect_timeout");
  self->idle_timeout = pbi_store_get_setting_int (self->store, "immich_idle_timeout");
  g_free (self->fingerprint);
  self->fingerprint = dup_setting (self, "immich_tls_fingerprint");

  if (!self->running)
    return;

  if (g_strcmp0 (old_server, _pbi_engine_effective_server (self)) != 0 ||
      g_strcmp0 (old_key, _pbi_engine_effective_key (self)) != 0 ||
      g_strcmp0 (old_fp, self->fingerprint) != 0 ||
      old_ct != self->connect_timeout || old_it != self->idle_timeout)
    {
      g_message ("Immich server settings changed; connecting again");
      _pbi_engine_set_album_notice (self, NULL);
      _pbi_engine_drop_client (self);
      _pbi_engine_set_connection_state (self, PBI_CONNECTION_CONNECTING, NULL);
      if (self->enabled)
        _pbi_engine_ensure_connected (self);
    }
  if (g_strcmp0 (old_album, effective_album (self)) != 0)
    {
      g_message ("Immich album is now \"%s\"", effective_album (self));
      _pbi_engine_set_album_notice (self, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_ALBUM_NAME]);
    }
  if (was_enabled != self->enabled)
    {
      g_message (self->enabled ? "Immich sync enabled"
                 : "Immich sync disabled; captures are queued");
      if (self->enabled)
        {
          _pbi_engine_load_due (self);
          _pbi_engine_ensure_connected (self);
        }
      else if (self->connection_state != PBI_CONNECTION_CONNECTED)
        _pbi_engine_set_connection_state (self, PBI_CONNECTION_DISABLED, NULL);
    }
  if (was_on_capture != self->sync_on_capture || g_strcmp0 (old_capture, self->capture_folder) != 0)
    _pbi_engine_start_watcher (self);
  if (((!was_auto || !was_enabled) && self->auto_sync && self->enabled) ||
      g_strcmp0 (old_library, self->library_folder) != 0)
    _pbi_engine_scan_library (self);
  if (was_auto != self->auto_sync || g_strcmp0 (old_library, self->library_folder) != 0 ||
      g_strcmp0 (old_capture, self->capture_folder) != 0)
    _pbi_engine_watch_library (self);

  _pbi_engine_schedule_pump (self);
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

/* Another process wrote to the database: `retry-failed` run beside a
 * running watch, or rows put back with the sqlite3 shell. Rows made due
 * there are taken up now, not at the next capture. */
static void
on_store_changed_elsewhere (PbiStore  *store,
                            PbiEngine *self)
{
  g_assert (PBI_IS_ENGINE (self));

  if (self->running && !self->stopped)
    {
      _pbi_engine_load_due (self);
      _pbi_engine_schedule_pump (self);
    }
  _pbi_engine_refresh_counts (self);
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
    _pbi_engine_set_connection_state (self, PBI_CONNECTION_DISABLED, NULL);
  else
    _pbi_engine_ensure_connected (self);  /* the status shows the truth from the start */

  g_signal_connect_object (g_network_monitor_get_default (), "network-changed",
                           G_CALLBACK (_pbi_engine_on_network_changed), self, 0);
  self->schedule_source = g_timeout_add_seconds (30, _pbi_engine_schedule_cb, self);
  _pbi_engine_start_watcher (self);
  _pbi_engine_watch_library (self);
  _pbi_engine_scan_library (self);
  /* captures written while we were not running (or whose queue row a power
   * cut took) are found: unchanged, synced files cost a lookup, not a hash */
  if (self->watcher != NULL &&
      !(self->scanning_library
        && g_strcmp0 (_pbi_engine_library_target (self), _pbi_engine_watch_folder (self)) == 0))
    _pbi_engine_sync_folder (self, _pbi_engine_watch_folder (self), NULL, TRUE, NULL, NULL, NULL);
  _pbi_engine_load_due (self);
  _pbi_engine_schedule_pump (self);
  return TRUE;
}

void
pbi_engine_stop (PbiEngine *self)
{
  g_return_if_fail (PBI_IS_ENGINE (self));

  self->running = FALSE;
  self->stopped = TRUE;
  /* nothing more will happen to the queued photos in this run */
  _pbi_engine_fail_requests (self, _("sync was stopped; the photo stays queued"), TRUE);
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
  _pbi_engine_set_next_retry (self, 0);
  g_clear_handle_id (&self->grace_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->schedule_source, g_source_remove);
  g_clear_handle_id (&self->pump_source, g_source_remove);
  g_clear_handle_id (&self->album_source, g_source_remove);
  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_clear_handle_id (&self->counts_source, g_source_remove);
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
  _pbi_engine_drop_client (self);
  _pbi_engine_set_connection_state (self, self->enabled ? PBI_CONNECTION_CONNECTING
                                    : PBI_CONNECTION_DISABLED,
                                    NULL);
}

void
pbi_engine_set_album_override (PbiEngine   *self,
                               const gchar *album_name)
{
  g_return_if_fail (PBI_IS_ENGINE (self));

  g_free (self->album_override);
  self->album_override = g_strdup (album_name != NULL && *album_name ? album_name : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_ALBUM_NAME]);
}

void
pbi_engine_set_ignore_schedule (PbiEngine *self,
                                gboolean   ignore)
{
  g_return_if_fail (PBI_IS_ENGINE (self));
  self->ignore_schedule = !!ignore;
  _pbi_engine_schedule_pump (self);
}

void
pbi_engine_set_watch_folder (PbiEngine   *self,
                             const gchar *folder)
{
  g_return_if_fail (PBI_IS_ENGINE (self));

  g_free (self->watch_override);
  self->watch_override = g_strdup (folder);
  if (self->running)
    _pbi_engine_start_watcher (self);
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
  _pbi_engine_flush_records (self);
  _pbi_engine_load_due (self);
  _pbi_engine_schedule_pump (self);
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
  gint n;

  g_return_val_if_fail (PBI_IS_ENGINE (self), 0);
  _pbi_engine_flush_records (self);
  _pbi_engine_albums_unblock (self);
  /* once: MAX() would run the reset twice and return the second's 0 */
  n = pbi_store_files_reset_failed (self->store, NULL);
  if (self->running)
    {
      _pbi_engine_load_due (self);
      _pbi_engine_schedule_pump (self);
    }
  _pbi_engine_refresh_counts (self);
  return (guint) MAX (n, 0);
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

/**
 * pbi_engine_get_album_notice:
 * @self: a #PbiEngine
 *
 * What the engine last had to tell about the albums, in plain words: an
 * album of the configured name that the key's user may not add photos to
 * (and what was done instead), or why an album cannot be used.
 *
 * Returns: (nullable): the notice, %NULL when there is none
 */
const gchar *
pbi_engine_get_album_notice (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  return self->album_notice;
}

void
_pbi_engine_set_album_notice (PbiEngine   *self,
                              const gchar *notice)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (self->album_notice, notice) == 0)
    return;
  g_free (self->album_notice);
  self->album_notice = g_strdup (notice);
  if (!pbi_store_set_album_notice (self->store, notice, &error))
    g_debug ("Could not keep the album notice: %s", error->message);
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_ALBUM_NOTICE]);
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

/**
 * pbi_engine_get_next_retry:
 *
 * Returns: (transfer none) (nullable): while the server is unreachable, when
 *   the engine will next try it; %NULL otherwise
 */
GDateTime *
pbi_engine_get_next_retry (PbiEngine *self)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  return self->next_retry;
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
    case ENGINE_PROP_DATABASE_PATH:
      g_value_set_string (value, self->database_path);
      break;
    case ENGINE_PROP_CONNECTION_STATE:
      g_value_set_enum (value, self->connection_state);
      break;
    case ENGINE_PROP_CONNECTION_MESSAGE:
      g_value_set_string (value, self->connection_message);
      break;
    case ENGINE_PROP_ALBUM_NAME:
      g_value_set_string (value, effective_album (self));
      break;
    case ENGINE_PROP_ALBUM_NOTICE:
      g_value_set_string (value, self->album_notice);
      break;
    case ENGINE_PROP_SERVER_VERSION:
      g_value_set_string (value, self->server_version);
      break;
    case ENGINE_PROP_LAST_SYNC:
      g_value_set_boxed (value, self->last_sync);
      break;
    case ENGINE_PROP_UPLOADED:
      g_value_set_uint (value, self->uploaded);
      break;
    case ENGINE_PROP_DUPLICATES:
      g_value_set_uint (value, self->duplicates);
      break;
    case ENGINE_PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    case ENGINE_PROP_FAILED:
      g_value_set_uint (value, self->failed);
      break;
    case ENGINE_PROP_BULK_FILES_TOTAL:
      g_value_set_int64 (value, self->bulk_files_total);
      break;
    case ENGINE_PROP_BULK_FILES_DONE:
      g_value_set_int64 (value, self->bulk_files_done);
      break;
    case ENGINE_PROP_BULK_BYTES_TOTAL:
      g_value_set_int64 (value, self->bulk_bytes_total);
      break;
    case ENGINE_PROP_BULK_BYTES_DONE:
      g_value_set_int64 (value, self->bulk_bytes_done);
      break;
    case ENGINE_PROP_BULK_RATE:
      g_value_set_double (value, bulk_rate (self));
      break;
    case ENGINE_PROP_BULK_ETA:
      g_value_set_double (value, bulk_eta (self));
      break;
    case ENGINE_PROP_NEXT_RETRY:
      g_value_set_boxed (value, self->next_retry);
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
    case ENGINE_PROP_DATABASE_PATH:
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
    _pbi_engine_flush_records (self);
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
  g_clear_pointer (&self->next_retry, g_date_time_unref);
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
  g_free (self->album_notice);
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
  _pbi_engine_properties[ENGINE_PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  _pbi_engine_properties[ENGINE_PROP_CONNECTION_STATE] =
    g_param_spec_enum ("connection-state", NULL, NULL, PBI_TYPE_CONNECTION_STATE,
                       PBI_CONNECTION_CONNECTING, RO);
  _pbi_engine_properties[ENGINE_PROP_CONNECTION_MESSAGE] =
    g_param_spec_string ("connection-message", NULL, NULL, NULL, RO);
  _pbi_engine_properties[ENGINE_PROP_ALBUM_NAME] = g_param_spec_string ("album-name", NULL, NULL,
                                                                        NULL, RO);
  /**
   * PbiEngine:album-notice:
   *
   * What the engine last had to tell about the albums (see
   * pbi_engine_get_album_notice()); kept in the database, so another
   * process (`status`) sees it too.
   */
  _pbi_engine_properties[ENGINE_PROP_ALBUM_NOTICE] = g_param_spec_string ("album-notice", NULL,
                                                                          NULL, NULL, RO);
  _pbi_engine_properties[ENGINE_PROP_SERVER_VERSION] = g_param_spec_string ("server-version", NULL,
                                                                            NULL, NULL, RO);
  _pbi_engine_properties[ENGINE_PROP_LAST_SYNC] = g_param_spec_boxed ("last-sync", NULL, NULL,
                                                                      G_TYPE_DATE_TIME, RO);
  _pbi_engine_properties[ENGINE_PROP_UPLOADED] = g_param_spec_uint ("uploaded", NULL, NULL, 0,
                                                                    G_MAXUINT, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_DUPLICATES] = g_param_spec_uint ("duplicates", NULL, NULL, 0,
                                                                      G_MAXUINT, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_PENDING] = g_param_spec_uint ("pending", NULL, NULL, 0,
                                                                   G_MAXUINT, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_FAILED] = g_param_spec_uint ("failed", NULL, NULL, 0,
                                                                  G_MAXUINT, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_BULK_FILES_TOTAL] =
    g_param_spec_int64 ("bulk-files-total", NULL, NULL, 0, G_MAXINT64, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_BULK_FILES_DONE] =
    g_param_spec_int64 ("bulk-files-done", NULL, NULL, 0, G_MAXINT64, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_BULK_BYTES_TOTAL] =
    g_param_spec_int64 ("bulk-bytes-total", NULL, NULL, 0, G_MAXINT64, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_BULK_BYTES_DONE] =
    g_param_spec_int64 ("bulk-bytes-done", NULL, NULL, 0, G_MAXINT64, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_BULK_RATE] =
    g_param_spec_double ("bulk-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, RO);
  _pbi_engine_properties[ENGINE_PROP_BULK_ETA] =
    g_param_spec_double ("bulk-eta", NULL, NULL, -1, G_MAXDOUBLE, -1, RO);
  /**
   * PbiEngine:next-retry: (nullable)
   *
   * While the server is unreachable: when the engine will next try it (a
   * local #GDateTime), for "retrying in 20 s"; %NULL while connected or
   * while a try is under way. See pbi_engine_get_next_retry().
   */
  _pbi_engine_properties[ENGINE_PROP_NEXT_RETRY] =
    g_param_spec_boxed ("next-retry", NULL, NULL, G_TYPE_DATE_TIME, RO);
#undef RO
  g_object_class_install_properties (object_class, ENGINE_N_PROPS, _pbi_engine_properties);

  /**
   * PbiEngine::file-state-changed:
   * @self: the engine
   * @path: the photo
   * @state: its new state (a PbiFileState)
   * @error: (nullable): why it failed, for failed and rejected photos
   *
   * A photo moved through the pipeline.
   */
  _pbi_engine_signals[ENGINE_SIGNAL_FILE_STATE_CHANGED] =
    g_signal_new ("file-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT, G_TYPE_STRING);

  /**
   * PbiEngine::upload-progress:
   * @self: the engine
   * @path: (type filename): the photo being uploaded
   * @sent: bytes of the upload sent so far
   * @total: bytes of the whole upload
   *
   * An upload in flight moved on: at its first progress, at most ten times
   * a second per upload while it is sent, and once when all of it is sent
   * (@sent equals @total). Several uploads may be in flight at once; the
   * photo's #PbiEngine::file-state-changed tells when it is done.
   */
  _pbi_engine_signals[ENGINE_SIGNAL_UPLOAD_PROGRESS] =
    g_signal_new ("upload-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64);
}

static void
pbi_engine_init (PbiEngine *self)
{
  self->cancellable = g_cancellable_new ();
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) _pbi_engine_job_free);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) pbi_file_record_free);
  self->albums = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) _pbi_engine_album_slot_free);
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
  self->album_notice = pbi_store_dup_album_notice (self->store);
  self->duplicates = pbi_store_counter_get (self->store, "duplicates");
  last = pbi_store_get_last_sync (self->store);
  if (last > 0)
    self->last_sync = g_date_time_new_from_unix_local (last / G_USEC_PER_SEC);
  g_signal_connect (self->store, "setting-changed", G_CALLBACK (on_setting_changed), self);
  g_signal_connect (self->store, "changed-elsewhere", G_CALLBACK (on_store_changed_elsewhere),
                    self);
  read_settings (self);
  _pbi_engine_refresh_counts (self);
  _pbi_engine_events_init (self);
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
