/* pbi-engine-event.c: what the event commands share: their boxed result
 * types, the engine's client, finding or making the event album, the log of
 * connection changes, and new-event.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pbi-engine-event-private.h"
#include "pbi-store-events.h"

/* ------------------------------------------------------------------ */
/* boxed types                                                         */
/* ------------------------------------------------------------------ */

PbiCheckRow *
pbi_check_row_copy (const PbiCheckRow *row)
{
  PbiCheckRow *copy = g_new0 (PbiCheckRow, 1);

  copy->id = g_strdup (row->id);
  copy->title = g_strdup (row->title);
  copy->status = row->status;
  copy->figure = g_strdup (row->figure);
  copy->advice = g_strdup (row->advice);
  return copy;
}

void
pbi_check_row_free (PbiCheckRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->title);
  g_free (row->figure);
  g_free (row->advice);
  g_free (row);
}

G_DEFINE_BOXED_TYPE (PbiCheckRow, pbi_check_row, pbi_check_row_copy, pbi_check_row_free)

PbiReadinessReport *
pbi_readiness_report_copy (const PbiReadinessReport *report)
{
  PbiReadinessReport *copy = g_memdup2 (report, sizeof *report);

  copy->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_check_row_free);
  for (guint i = 0; report->rows != NULL && i < report->rows->len; i++)
    g_ptr_array_add (copy->rows, pbi_check_row_copy (g_ptr_array_index (report->rows, i)));
  copy->server_version = g_strdup (report->server_version);
  copy->user = g_strdup (report->user);
  copy->missing_permissions = g_strdupv (report->missing_permissions);
  copy->test_photos_removed = g_strdup (report->test_photos_removed);
  return copy;
}

void
pbi_readiness_report_free (PbiReadinessReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->rows, g_ptr_array_unref);
  g_free (report->server_version);
  g_free (report->user);
  g_strfreev (report->missing_permissions);
  g_free (report->test_photos_removed);
  g_free (report);
}

G_DEFINE_BOXED_TYPE (PbiReadinessReport, pbi_readiness_report, pbi_readiness_report_copy,
                     pbi_readiness_report_free)

PbiShareLink *
pbi_share_link_copy (const PbiShareLink *link)
{
  PbiShareLink *copy = g_memdup2 (link, sizeof *link);

  copy->id = g_strdup (link->id);
  copy->url = g_strdup (link->url);
  copy->album_name = g_strdup (link->album_name);
  copy->expires_at = link->expires_at != NULL ? g_date_time_ref (link->expires_at) : NULL;
  return copy;
}

void
pbi_share_link_free (PbiShareLink *link)
{
  if (link == NULL)
    return;
  g_free (link->id);
  g_free (link->url);
  g_free (link->album_name);
  g_clear_pointer (&link->expires_at, g_date_time_unref);
  g_free (link);
}

G_DEFINE_BOXED_TYPE (PbiShareLink, pbi_share_link, pbi_share_link_copy, pbi_share_link_free)

PbiVerifyResult *
pbi_verify_result_copy (const PbiVerifyResult *result)
{
  return g_memdup2 (result, sizeof *result);
}

void
pbi_verify_result_free (PbiVerifyResult *result)
{
  g_free (result);
}

G_DEFINE_BOXED_TYPE (PbiVerifyResult, pbi_verify_result, pbi_verify_result_copy,
                     pbi_verify_result_free)

static void
outage_free (PbiReportOutage *o)
{
  g_free (o->state);
  g_free (o->message);
  g_free (o);
}

static GArray *
array_copy (GArray *a)
{
  GArray *copy;

  if (a == NULL)
    return NULL;
  copy = g_array_sized_new (FALSE, FALSE, g_array_get_element_size (a), a->len);
  g_array_append_vals (copy, a->data, a->len);
  return copy;
}

PbiEventReport *
pbi_event_report_copy (const PbiEventReport *report)
{
  PbiEventReport *copy = g_memdup2 (report, sizeof *report);

  copy->event_name = g_strdup (report->event_name);
  copy->hours = array_copy (report->hours);
  copy->capture_times = array_copy (report->capture_times);
  copy->done_times = array_copy (report->done_times);
  copy->outages = g_ptr_array_new_with_free_func ((GDestroyNotify) outage_free);
  for (guint i = 0; report->outages != NULL && i < report->outages->len; i++)
    {
      PbiReportOutage *o = g_memdup2 (g_ptr_array_index (report->outages, i),
                                      sizeof (PbiReportOutage));

      o->state = g_strdup (o->state);
      o->message = g_strdup (o->message);
      g_ptr_array_add (copy->outages, o);
    }
  return copy;
}

void
pbi_event_report_free (PbiEventReport *report)
{
  if (report == NULL)
    return;
  g_free (report->event_name);
  g_clear_pointer (&report->hours, g_array_unref);
  g_clear_pointer (&report->capture_times, g_array_unref);
  g_clear_pointer (&report->done_times, g_array_unref);
  g_clear_pointer (&report->outages, g_ptr_array_unref);
  g_free (report);
}

G_DEFINE_BOXED_TYPE (PbiEventReport, pbi_event_report, pbi_event_report_copy,
                     pbi_event_report_free)

/* ------------------------------------------------------------------ */
/* client, album                                                       */
/* ------------------------------------------------------------------ */

PbiImmichClient *
_pbi_engine_event_client (PbiEngine  *self,
                          GError    **error)
{
  if (!_pbi_engine_make_client (self, error))
    return NULL;
  return g_object_ref (self->client);
}

typedef struct
{
  PbiImmichClient *client;   /* (owned) */
  gchar           *name;
  gchar           *user_id;
  gboolean         create;
  gboolean         created;
  PbiImmichAlbum  *readonly;  /* (owned) (nullable) an album of the name shared read-only */
} AlbumLookup;

static void
album_lookup_free (AlbumLookup *l)
{
  g_clear_object (&l->client);
  g_free (l->name);
  g_free (l->user_id);
  g_clear_pointer (&l->readonly, pbi_immich_album_free);
  g_free (l);
}

static void
album_created_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  AlbumLookup *l = g_task_get_task_data (task);
  g_autoptr(PbiImmichAlbum) album = NULL;
  GError *error = NULL;

  album = pbi_immich_client_create_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (album == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_message ("Created Immich album \"%s\"", l->name);
  pbi_store_album_set (self->store, _pbi_engine_effective_server (self), l->name, album->id, NULL);
  l->created = TRUE;
  g_task_return_pointer (task, g_strdup (album->id), g_free);
}

static void
album_list_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  AlbumLookup *l = g_task_get_task_data (task);
  g_autoptr(GPtrArray) albums = NULL;
  g_autofree gchar *cached = NULL;
  PbiImmichAlbum *best = NULL;
  GError *error = NULL;

  albums = pbi_immich_client_list_albums_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (albums == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  cached = pbi_store_album_get (self->store, _pbi_engine_effective_server (self), l->name);
  for (guint i = 0; i < albums->len; i++)
    {
      PbiImmichAlbum *a = g_ptr_array_index (albums, i);
      PbiImmichAlbumAccess access;

      if (g_strcmp0 (a->name, l->name) != 0)
        continue;
      access = pbi_immich_album_get_access (a, l->user_id);
      if (access == PBI_IMMICH_ALBUM_ACCESS_VIEWER && l->readonly == NULL)
        l->readonly = pbi_immich_album_copy (a);
      if (access != PBI_IMMICH_ALBUM_ACCESS_OWNER && access != PBI_IMMICH_ALBUM_ACCESS_EDITOR)
        continue;
      if (g_strcmp0 (a->id, cached) == 0)
        {
          best = a;
          break;
        }
      if (best == NULL || _pbi_engine_compare_writable_albums (a, best, l->user_id) < 0)
        best = a;
    }
  if (best != NULL)
    {
      pbi_store_album_set (self->store, _pbi_engine_effective_server (self), l->name, best->id,
                           NULL);
      g_task_return_pointer (task, g_strdup (best->id), g_free);
      return;
    }
  if (!l->create)
    {
      g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND,
                               _("The album \"%s\" is not on the server."), l->name);
      return;
    }
  pbi_immich_client_create_album_async (l->client, l->name, NULL, g_task_get_cancellable (task),
                                        album_created_cb, g_object_ref (task));
}

static void
album_user_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AlbumLookup *l = g_task_get_task_data (task);
  g_autoptr(PbiImmichUser) user = NULL;
  GError *error = NULL;

  user = pbi_immich_client_get_current_user_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (user == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  l->user_id = g_strdup (user->id);
  pbi_immich_client_list_albums_async (l->client, g_task_get_cancellable (task), album_list_cb,
                                       g_object_ref (task));
}

void
_pbi_engine_event_album_async (PbiEngine           *self,
                               const gchar         *name,
                               const gchar         *user_id,
                               gboolean             create,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  AlbumLookup *l = g_new0 (AlbumLookup, 1);
  GError *error = NULL;

  g_task_set_task_data (task, l, (GDestroyNotify) album_lookup_free);
  l->name = g_strdup (name);
  l->create = create;
  l->client = _pbi_engine_event_client (self, &error);
  if (l->client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (user_id != NULL)
    {
      l->user_id = g_strdup (user_id);
      pbi_immich_client_list_albums_async (l->client, cancellable, album_list_cb,
                                           g_object_ref (task));
      return;
    }
  pbi_immich_client_get_current_user_async (l->client, cancellable, album_user_cb,
                                            g_object_ref (task));
}

gchar *
_pbi_engine_event_album_finish (PbiEngine     *self,
                                GAsyncResult  *result,
                                gboolean      *created,
                                GError       **error)
{
  AlbumLookup *l = g_task_get_task_data (G_TASK (result));

  if (created != NULL)
    *created = l->created;
  g_object_set_data_full (G_OBJECT (result), "readonly-owner",
                          l->readonly != NULL
                          ? g_strdup (l->readonly->owner_email != NULL ? l->readonly->owner_email
                                      : l->readonly->owner_name != NULL ? l->readonly->owner_name
                                      : _("another user"))
                          : NULL, g_free);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* connection log                                                      */
/* ------------------------------------------------------------------ */

static void
on_connection_state (PbiEngine  *self,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  g_autoptr(GError) error = NULL;
  const gchar *state;
  const gchar *last = g_object_get_data (G_OBJECT (self), "pbi-last-logged-state");

  switch (self->connection_state)
    {
    case PBI_CONNECTION_CONNECTED:
      state = "connected";
      break;
    case PBI_CONNECTION_OFFLINE:
      state = "offline";
      break;
    case PBI_CONNECTION_ERROR:
      state = "error";
      break;
    case PBI_CONNECTION_DISABLED:
    case PBI_CONNECTION_UNCONFIGURED:
    case PBI_CONNECTION_CONNECTING:
    default:
      return;
    }
  if (g_strcmp0 (last, state) == 0)
    return;
  g_object_set_data (G_OBJECT (self), "pbi-last-logged-state", (gpointer) state);
  if (!pbi_store_connection_log_add (self->store, g_get_real_time (), state,
                                     g_strcmp0 (state, "connected") == 0 ? NULL
                                     : self->connection_message, &error))
    g_debug ("Could not record the connection change: %s", error->message);
}

/* The queue's rows say "done" for a photo sent and for one the server had;
 * the report tells them apart. */
static void
on_file_state_changed (PbiEngine   *self,
                       const gchar *path,
                       gint         state,
                       const gchar *error_text,
                       gpointer     user_data)
{
  g_autoptr(GError) error = NULL;
  Job *job;

  if (state != PBI_FILE_STATE_DONE)
    return;
  job = g_hash_table_lookup (self->jobs, path);
  if (job == NULL)
    return;
  if (!pbi_store_photo_set_duplicate (self->store, path, job->duplicate, &error))
    g_debug ("Could not record a duplicate: %s", error->message);
}

void
_pbi_engine_events_init (PbiEngine *self)
{
  g_signal_connect (self, "notify::connection-state", G_CALLBACK (on_connection_state), NULL);
  g_signal_connect (self, "file-state-changed", G_CALLBACK (on_file_state_changed), NULL);
}

/* ------------------------------------------------------------------ */
/* new event                                                           */
/* ------------------------------------------------------------------ */

static void
new_event_album_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = PBI_ENGINE (object);
  const gchar *name = g_task_get_task_data (task);
  g_autofree gchar *id = NULL;
  gboolean created = FALSE;
  GError *error = NULL;

  id = _pbi_engine_event_album_finish (self, result, &created, &error);
  if (id == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!pbi_store_set_setting (self->store, "immich_album_name", name, &error)
      || !pbi_store_event_start (self->store, name, name, g_get_real_time (), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->uploaded = 0;
  self->duplicates = 0;
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_UPLOADED]);
  g_object_notify_by_pspec (G_OBJECT (self), _pbi_engine_properties[ENGINE_PROP_DUPLICATES]);
  g_object_set_data (G_OBJECT (task), "created", GINT_TO_POINTER (created));
  g_message ("New event \"%s\": photos now go to that album", name);
  g_task_return_pointer (task, g_strdup (name), g_free);
}

void
pbi_engine_new_event_async (PbiEngine           *self,
                            const gchar         *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree gchar *today = g_date_time_format (now, "%Y-%m-%d");
  g_auto(GStrv) parts = NULL;
  g_autofree gchar *album = NULL;
  g_autofree gchar *stripped = NULL;

  g_return_if_fail (PBI_IS_ENGINE (self));
  g_return_if_fail (name != NULL);
  task = _pbi_engine_task_new (self, pbi_engine_new_event_async, cancellable, callback,
                               user_data);
  parts = g_strsplit (name, "{date}", -1);
  album = g_strjoinv (today, parts);
  stripped = g_strstrip (g_strdup (album));
  if (*stripped == '\0')
    {
      g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                               _("The event needs a name."));
      return;
    }
  g_task_set_task_data (task, g_strdup (stripped), g_free);
  _pbi_engine_event_album_async (self, stripped, NULL, TRUE, cancellable, new_event_album_cb,
                                 g_object_ref (task));
}

/**
 * pbi_engine_new_event_finish:
 * @created: (out) (optional): whether the album was made
 *
 * Returns: (transfer full): the event album's name
 */
gchar *
pbi_engine_new_event_finish (PbiEngine     *self,
                             GAsyncResult  *result,
                             gboolean      *created,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (created != NULL)
    *created = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "created"));
  return g_task_propagate_pointer (G_TASK (result), error);
}
