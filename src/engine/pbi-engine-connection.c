/* pbi-engine-connection.c: connectivity of PbiEngine: making the client, connecting,
 * going offline, probing and backoff, requeueing jobs after network
 * failures, and test_connection.
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

#define OUTAGE_END_S 60
#define PROBE_INTERVAL_MS        2000
#define PROBE_FAST_TRIES         5      /* then the interval doubles */
#define PROBE_INTERVAL_MAX_MS    8000   /* a server back is found within 8 s */
#define OFFLINE_GRACE_MIN_S      5
#define OFFLINE_GRACE_MAX_S      30

/* ------------------------------------------------------------------------ */
/* Permissions: the one list of what the key may need, for test_connection,  */
/* the README and (later) the GUI                                             */

/* Route permissions as the server checks them (@Authenticated in the
 * controllers; keys have scopes from 1.116, before that a key may do all its
 * user may): POST /assets and /assets/bulk-upload-check asset.upload, GET
 * /users/me user.read, GET /albums album.read, POST /albums album.create,
 * PUT /albums/{id}/assets albumAsset.create, POST /trash/restore/assets
 * asset.delete (1.116 to 3.x). GET /api-keys/me needs none. */
const PbiPermissionNeed _pbi_engine_permissions[] = {
  { "asset.upload", TRUE, FALSE,
    N_("uploading photos, and asking the server which ones it has already"),
    N_("no photo can be uploaded") },
  { "user.read", TRUE, FALSE,
    N_("knowing the key's user, to tell its own albums from others'"),
    N_("the engine cannot connect") },
  { "album.read", TRUE, FALSE,
    N_("finding the album by its name"),
    N_("photos cannot be put in albums: they fail") },
  { "album.create", TRUE, FALSE,
    N_("creating the album when the key's user has none of that name it may add to"),
    N_("an album that is missing cannot be made: its photos fail") },
  { "albumAsset.create", TRUE, FALSE,
    N_("adding photos to the album"),
    N_("photos cannot be put in albums: they fail") },
  { "sharedLink.create", TRUE, TRUE,
    N_("the guests' link and QR code to the event album (guest sharing)"),
    N_("there is no guest link or QR code") },
  { "asset.delete", FALSE, FALSE,
    N_("taking photos found in the server's trash back out of it, and removing the "
       "readiness check's test photos"),
    N_("photos found in the server's trash cannot be restored: they fail (and stay queued) "
       "until the key has it; the readiness check's test photos stay on the server") },
  { NULL, FALSE, FALSE, NULL, NULL }
};

/* Every permission of the table that @perms (a key's, from the server)
 * lacks, of those the configured features need; ["all"] lacks none. */
GPtrArray *
_pbi_engine_missing_permissions (const gchar * const *perms,
                                 gboolean             guest_sharing)
{
  GPtrArray *missing = g_ptr_array_new ();

  if (perms != NULL && g_strv_contains (perms, "all"))
    return missing;
  for (guint i = 0; _pbi_engine_permissions[i].permission != NULL; i++)
    if ((guest_sharing || !_pbi_engine_permissions[i].guest_sharing) &&
        (perms == NULL || !g_strv_contains (perms, _pbi_engine_permissions[i].permission)))
      g_ptr_array_add (missing, (gpointer) &_pbi_engine_permissions[i]);
  return missing;
}

/* ------------------------------------------------------------------------ */
/* Connection                                                                 */

gboolean
_pbi_engine_error_is_connection (const GError *error)
{
  return g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_SERVER) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_IMMICH) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_BAD_RESPONSE);
}

gboolean
_pbi_engine_error_is_fatal_config (const GError *error)
{
  return g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNSUPPORTED_VERSION) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL) ||
         g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS);
}

/* Every job that waits on the network, and every request waiting on them,
 * is told (counted as queued, not failed); the jobs stay queued in the store
 * and are picked up again when the server answers. */
void
_pbi_engine_fail_requests (PbiEngine   *self,
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
        _pbi_engine_request_account (g_ptr_array_index (waiters, j), job, PBI_FILE_STATE_PENDING,
                                     message);
    }
}

void
_pbi_engine_fail_waiting_requests (PbiEngine   *self,
                                   const gchar *message)
{
  _pbi_engine_fail_requests (self, message, FALSE);
}

static gboolean probe_cb (gpointer user_data);

static gboolean
grace_over_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->grace_source = 0;
  if (self->connection_state == PBI_CONNECTION_OFFLINE)
    _pbi_engine_fail_waiting_requests (self, self->connection_message);
  return G_SOURCE_REMOVE;
}

void
_pbi_engine_go_offline (PbiEngine    *self,
                        const GError *error)
{
  g_autofree gchar *message = g_strdup (error->message);
  guint retry_after = self->client != NULL ? pbi_immich_client_get_retry_after (self->client) : 0;
  gint64 now = g_get_monotonic_time ();

  /* One outage is one line and one grace period, however often the server
   * answers the probe and then fails the work again (a full disk answers
   * every upload 500): it ends when an upload succeeds, or after a minute
   * of good connection. */
  if (self->outage_since != 0 && self->connection_state != PBI_CONNECTION_OFFLINE &&
      self->connected_since != 0 && now - self->connected_since > OUTAGE_END_S * G_USEC_PER_SEC)
    self->outage_since = 0;
  if (self->outage_since != 0 && self->connection_state != PBI_CONNECTION_OFFLINE)
    g_debug ("immich connection lost again in the same outage: %s", message);
  else if (self->connection_state != PBI_CONNECTION_OFFLINE)
    {
      self->outage_since = now;
      self->outage_reconnected = FALSE;
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
  _pbi_engine_set_connection_state (self, PBI_CONNECTION_OFFLINE, message);
  if (now >= self->grace_until)
    _pbi_engine_fail_waiting_requests (self, message);
  else if (self->grace_source == 0)
    self->grace_source = g_timeout_add ((self->grace_until - now) / 1000 + 1, grace_over_cb, self);
  if (self->probe_source == 0)
    {
      /* 2 s for the first tries (a restart blip), then 4 s, then every 8 s:
       * the count of lost connections is reset only by a photo that gets
       * through, so a server that answers the probe but fails the work
       * cannot make a loop of 2 s cycles */
      guint interval = self->probe_failures < PROBE_FAST_TRIES
                       ? PROBE_INTERVAL_MS
                       : MIN ((guint64) PROBE_INTERVAL_MS << MIN (self->probe_failures -
                                                                 PROBE_FAST_TRIES + 1, 8),
                              PROBE_INTERVAL_MAX_MS);

      self->probe_failures++;
      if (retry_after > 0)
        interval = MAX (interval, MIN (retry_after, 60) * 1000);
      self->probe_source = g_timeout_add (interval, probe_cb, self);
      _pbi_engine_set_next_retry (self, interval);
    }
}

/* in_ms 0: no retry is planned (connected, or a try is under way) */
void
_pbi_engine_set_next_retry (PbiEngine *self,
                            guint      in_ms)
{
  if (in_ms == 0 && self->next_retry == NULL)
    return;
  g_clear_pointer (&self->next_retry, g_date_time_unref);
  if (in_ms > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      self->next_retry = g_date_time_add (now, (GTimeSpan) in_ms * 1000);
    }
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_NEXT_RETRY]);
}

void
_pbi_engine_go_error (PbiEngine    *self,
                      const GError *error)
{
  pbi_log_error ("immich: %s", error->message);
  _pbi_engine_set_connection_state (self, PBI_CONNECTION_ERROR, error->message);
  _pbi_engine_fail_waiting_requests (self, error->message);
}

/* Back to the front of its stage's line, e.g. after the connection was
 * dropped under it. */
void
_pbi_engine_job_requeue (PbiEngine *self,
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

/* The server cannot be used: the settings are at fault (error state, until
 * they change) or it is out of reach (offline, probed again). */
static void
go_down (PbiEngine    *self,
         const GError *error)
{
  if (_pbi_engine_error_is_fatal_config (error))
    _pbi_engine_go_error (self, error);
  else
    _pbi_engine_go_offline (self, error);
}

/* A failure of the network part of a job's stage. */
void
_pbi_engine_job_network_failed (PbiEngine    *self,
                                Job          *job,
                                const GError *error)
{
  job->busy = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (!self->stopped)
        _pbi_engine_job_requeue (self, job);
      return;
    }

  job->attempts++;
  if (_pbi_engine_error_is_connection (error) || _pbi_engine_error_is_fatal_config (error))
    {
      /* the whole queue waits for the server */
      _pbi_engine_job_requeue (self, job);
      go_down (self, error);
      return;
    }

  pbi_log_error ("immich sync of %s failed: %s", job->path, error->message);
  if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_REJECTED) ||
      g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE))
    _pbi_engine_job_finish (self, job, PBI_FILE_STATE_REJECTED, error->message);
  else
    _pbi_engine_job_finish (self, job, PBI_FILE_STATE_FAILED, error->message);
  _pbi_engine_schedule_pump (self);
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
      go_down (self, error);
      return;
    }

  g_clear_handle_id (&self->probe_source, g_source_remove);
  _pbi_engine_set_next_retry (self, 0);
  self->connected_since = g_get_monotonic_time ();
  if (self->outage_since == 0)
    {
      g_clear_handle_id (&self->grace_source, g_source_remove);
      self->grace_until = 0;
    }
  version = pbi_immich_client_dup_server_version (self->client);
  if (g_strcmp0 (version, self->server_version) != 0)
    {
      g_free (self->server_version);
      self->server_version = g_steal_pointer (&version);
      g_object_notify_by_pspec (G_OBJECT (self),
                                _pbi_engine_properties[ENGINE_PROP_SERVER_VERSION]);
    }
  g_free (self->user_id);
  self->user_id = g_strdup (user->id);
  if (self->connection_state != PBI_CONNECTION_CONNECTED && !self->outage_reconnected)
    g_message ("Connection to Immich server successful (Immich %s at %s, user %s)",
               self->server_version, pbi_immich_client_get_server_url (self->client),
               user->email != NULL ? user->email : user->name);
  if (self->outage_since != 0)
    self->outage_reconnected = TRUE;
  _pbi_engine_set_connection_state (self, PBI_CONNECTION_CONNECTED, NULL);
  if (self->running)
    _pbi_engine_load_due (self);

  if (self->media_types == NULL)
    pbi_immich_client_get_media_types_async (self->client, self->cancellable,
                                             media_types_cb, g_object_ref (self));
  _pbi_engine_pump (self);
}

gboolean
_pbi_engine_make_client (PbiEngine  *self,
                         GError    **error)
{
  const gchar *server = _pbi_engine_effective_server (self);
  const gchar *key = _pbi_engine_effective_key (self);

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

void
_pbi_engine_ensure_connected (PbiEngine *self)
{
  g_autoptr(GError) error = NULL;

  if (self->connecting || self->connection_state == PBI_CONNECTION_CONNECTED)
    return;
  if (self->connection_state == PBI_CONNECTION_ERROR && self->client != NULL)
    return;  /* waits for new settings */
  if (!_pbi_engine_make_client (self, &error))
    {
      if (self->connection_state != PBI_CONNECTION_UNCONFIGURED)
        pbi_log_error ("immich: %s", error->message);
      _pbi_engine_set_connection_state (self, PBI_CONNECTION_UNCONFIGURED, error->message);
      _pbi_engine_fail_waiting_requests (self, error->message);
      return;
    }
  self->connecting = TRUE;
  if (self->connection_state != PBI_CONNECTION_OFFLINE)
    _pbi_engine_set_connection_state (self, PBI_CONNECTION_CONNECTING, NULL);
  pbi_immich_client_get_current_user_async (self->client, self->cancellable,
                                            connected_user_cb, g_object_ref (self));
}

static gboolean
probe_cb (gpointer user_data)
{
  PbiEngine *self = user_data;

  self->probe_source = 0;
  _pbi_engine_set_next_retry (self, 0);
  if (self->connection_state == PBI_CONNECTION_OFFLINE && !self->connecting)
    _pbi_engine_ensure_connected (self);
  return G_SOURCE_REMOVE;
}

void
_pbi_engine_on_network_changed (GNetworkMonitor *monitor,
                                gboolean         available,
                                PbiEngine       *self)
{
  if (available && self->connection_state == PBI_CONNECTION_OFFLINE && !self->connecting)
    {
      g_clear_handle_id (&self->probe_source, g_source_remove);
      _pbi_engine_set_next_retry (self, 0);
      _pbi_engine_ensure_connected (self);
    }
}

static void
test_user_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data);

/* every permission the configured features can need, with what it is for */
static void
append_needs (GString  *report,
              gboolean  guest)
{
  for (guint i = 0; _pbi_engine_permissions[i].permission != NULL; i++)
    if (guest || !_pbi_engine_permissions[i].guest_sharing)
      g_string_append_printf (report, "\n  %s: %s", _pbi_engine_permissions[i].permission,
                              _(_pbi_engine_permissions[i].purpose));
}

static void
append_permission_list (GString             *report,
                        const gchar * const *perms,
                        gboolean             guest)
{
  g_autoptr(GPtrArray) missing = _pbi_engine_missing_permissions (perms, guest);

  if (missing->len == 0)
    {
      g_string_append (report, _("\nPermissions: every one sync can need:"));
      append_needs (report, guest);
      return;
    }
  g_string_append_printf (report, _("\nPermissions: the key lacks %u that sync can need:"),
                          missing->len);
  for (guint i = 0; i < missing->len; i++)
    {
      const PbiPermissionNeed *need = g_ptr_array_index (missing, i);

      g_string_append_printf (report, _("\n  without %s (%s), %s"), need->permission,
                              _(need->purpose), _(need->consequence));
    }
  g_string_append (report, _("\n  Give the key these permissions in Immich (Account Settings → "
                             "API Keys), or use a key with all permissions."));
}

static void
test_perms_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) perms = NULL;
  g_autoptr(GString) report = g_string_new (g_task_get_task_data (task));
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(GString) required = g_string_new (NULL);
  gboolean guest = pbi_store_get_setting_boolean (self->store, "immich_guest_sharing");

  if (!pbi_immich_client_get_key_permissions_finish (PBI_IMMICH_CLIENT (object), result,
                                                     &perms, &error))
    {
      g_debug ("Could not read the key's permissions: %s", error->message);
      g_string_append (report, _("\nPermissions: could not be read with this key; sync can "
                                 "need:"));
      append_needs (report, guest);
    }
  else if (perms == NULL)
    {
      g_autofree gchar *version = pbi_immich_client_dup_server_version (PBI_IMMICH_CLIENT (object));
      guint major = 0, minor = 0;

      if (sscanf (version, "%u.%u", &major, &minor) == 2 && major == 1 && minor < 116)
        g_string_append (report, _("\nPermissions: all (API keys have no scopes before Immich "
                                   "1.116)"));
      else
        {
          g_string_append (report, _("\nPermissions: Immich before 2.0 cannot tell a key's "
                                     "scopes; sync can need:"));
          append_needs (report, guest);
        }
    }
  else
    {
      missing = _pbi_engine_missing_permissions ((const gchar * const *) perms, guest);
      for (guint i = 0; i < missing->len; i++)
        {
          const PbiPermissionNeed *need = g_ptr_array_index (missing, i);

          if (need->required)
            g_string_append_printf (required, "%s%s", required->len ? ", " : "",
                                    need->permission);
        }
      append_permission_list (report, (const gchar * const *) perms, guest);
      if (required->len > 0)
        {
          g_autofree gchar *msg = NULL;

          msg = g_strdup_printf (_("The API key lacks the permission(s) %s, which sync needs.%s"),
                                 required->str, report->str + strlen (g_task_get_task_data (task)));
          pbi_log_error ("immich: %s", msg);
          _pbi_engine_set_connection_state (self, PBI_CONNECTION_ERROR, msg);
          g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION,
                                   "%s", msg);
          return;
        }
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
          _pbi_engine_set_connection_state (self, _pbi_engine_error_is_fatal_config (error)
                                            ? PBI_CONNECTION_ERROR
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
  _pbi_engine_set_connection_state (self, PBI_CONNECTION_CONNECTED, NULL);
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

  task = _pbi_engine_task_new (self, pbi_engine_test_connection_async, cancellable, callback,
                               user_data);
  if (self->client == NULL || self->connection_state == PBI_CONNECTION_ERROR)
    {
      _pbi_engine_drop_client (self);
      if (!_pbi_engine_make_client (self, &error))
        {
          _pbi_engine_set_connection_state (self, PBI_CONNECTION_UNCONFIGURED, error->message);
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
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_test_connection_async, error);
}
