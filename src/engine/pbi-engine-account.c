/* pbi-engine-account.c: who we are on the server and how the album stands there
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine tells whether it is connected; a status page also names the
 * user and says how many photos the album holds on the server. Both come
 * from two short requests made here with a client of our own over the
 * stored settings (the engine's client stays busy with uploads).
 */

#include "config.h"

#include "pbi-engine-account.h"
#include "pbi-engine-private.h"
#include "pbi-immich-client.h"
#include "pbi-immich-client-event.h"

typedef struct
{
  PbiImmichClient *client;
  PbiAccountInfo  *info;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->client);
  g_clear_pointer (&fetch->info, pbi_account_info_free);
  g_free (fetch);
}

/**
 * pbi_account_info_free:
 * @info: (nullable): account information
 */
void
pbi_account_info_free (PbiAccountInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->server_url);
  g_free (info->user_name);
  g_free (info->album_name);
  g_free (info->album_id);
  g_free (info);
}

static void
albums_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GPtrArray) albums = NULL;
  g_autoptr(GError) error = NULL;

  albums = pbi_immich_client_list_albums_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (albums == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < albums->len; i++)
    {
      PbiImmichAlbum *album = g_ptr_array_index (albums, i);

      if (g_strcmp0 (album->name, fetch->info->album_name) == 0 &&
          (fetch->info->album_id == NULL || (gint) album->asset_count > fetch->info->album_assets))
        {
          g_free (fetch->info->album_id);
          fetch->info->album_id = g_strdup (album->id);
          fetch->info->album_assets = album->asset_count;
        }
    }
  g_task_return_pointer (task, g_steal_pointer (&fetch->info),
                         (GDestroyNotify) pbi_account_info_free);
}

static void
user_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(PbiImmichUser) user = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  user = pbi_immich_client_get_current_user_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  fetch->info->user_name = g_strdup (user->name != NULL && *user->name != '\0' ? user->name
                                                                             : user->email);
  cancellable = g_task_get_cancellable (task);
  pbi_immich_client_list_albums_async (fetch->client, cancellable, albums_cb,
                                       g_steal_pointer (&task));
}

/**
 * pbi_engine_fetch_account_async:
 * @self: a #PbiEngine
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Asks the configured server for the key's user and for the album in use.
 */
/* A client of its own for the status page's questions, as the settings
 * say now: they never wait behind the pipeline's uploads. */
static PbiImmichClient *
new_client (PbiEngine  *self,
            GError    **error)
{
  PbiStore *store = _pbi_engine_get_store (self);
  g_autofree gchar *url = pbi_store_get_setting_string (store, "immich_server_url");
  g_autofree gchar *key = pbi_store_get_setting_string (store, "immich_api_key");
  g_autofree gchar *fingerprint = pbi_store_get_setting_string (store, "immich_tls_fingerprint");
  PbiImmichClient *client = pbi_immich_client_new (url, key, error);

  if (client == NULL)
    return NULL;
  pbi_immich_client_set_timeouts (client,
                                  MAX (1, pbi_store_get_setting_int (store,
                                                                     "immich_connect_timeout")),
                                  MAX (1, pbi_store_get_setting_int (store,
                                                                     "immich_idle_timeout")));
  if (fingerprint != NULL && *fingerprint != '\0')
    pbi_immich_client_set_pinned_certificate (client, fingerprint);
  return client;
}

void
pbi_engine_fetch_account_async (PbiEngine           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Fetch *fetch;

  g_return_if_fail (PBI_IS_ENGINE (self));

  task = _pbi_engine_task_new (self, pbi_engine_fetch_account_async, cancellable, callback,
                               user_data);
  fetch = g_new0 (Fetch, 1);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  fetch->client = new_client (self, &error);
  if (fetch->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  fetch->info = g_new0 (PbiAccountInfo, 1);
  fetch->info->server_url = g_strdup (pbi_immich_client_get_server_url (fetch->client));
  fetch->info->album_name = g_strdup (pbi_engine_get_album_name (self));
  fetch->info->album_assets = -1;
  pbi_immich_client_get_current_user_async (fetch->client, cancellable, user_cb,
                                            g_steal_pointer (&task));
}

/**
 * pbi_engine_fetch_account_finish:
 * @self: a #PbiEngine
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what the server said
 */
PbiAccountInfo *
pbi_engine_fetch_account_finish (PbiEngine     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_fetch_account_async, error);
}

static void
storage_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  PbiServerStorage *storage = g_new0 (PbiServerStorage, 1);

  if (!pbi_immich_client_get_storage_finish (PBI_IMMICH_CLIENT (object), result,
                                             &storage->available, &storage->size, &error))
    {
      g_free (storage);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, storage, g_free);
}

/**
 * pbi_engine_fetch_server_storage_async:
 * @self: a #PbiEngine
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: data for @callback
 *
 * Asks the server (as the settings name it now) how much room its disk has
 * left. A key that may not read it (3.x: permission `server.storage`) gets
 * %PBI_IMMICH_ERROR_MISSING_PERMISSION.
 */
void
pbi_engine_fetch_server_storage_async (PbiEngine           *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichClient) client = NULL;

  g_return_if_fail (PBI_IS_ENGINE (self));

  task = _pbi_engine_task_new (self, pbi_engine_fetch_server_storage_async, cancellable, callback,
                               user_data);
  client = new_client (self, &error);
  if (client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pbi_immich_client_get_storage_async (client, cancellable, storage_cb, g_steal_pointer (&task));
}

/**
 * pbi_engine_fetch_server_storage_finish:
 * @self: a #PbiEngine
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the server's free space and disk
 *   size, free with g_free(); %NULL with @error set
 */
PbiServerStorage *
pbi_engine_fetch_server_storage_finish (PbiEngine     *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_fetch_server_storage_async,
                                          error);
}

/* ------------------------------------------------------------------------ */
/* deleting photos (Test Upload's sample)                                     */

typedef struct
{
  PbiImmichClient *client;   /* (owned) */
  GStrv            ids;      /* (owned) */
  gboolean         for_good;
} Delete;

static void
delete_free (Delete *del)
{
  g_clear_object (&del->client);
  g_strfreev (del->ids);
  g_free (del);
}

static void
trashed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pbi_immich_client_delete_assets_finish (PBI_IMMICH_CLIENT (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Delete *del = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (pbi_immich_client_delete_assets_finish (PBI_IMMICH_CLIENT (object), result, &error))
    {
      del->for_good = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION) ||
      _pbi_engine_error_is_connection (error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* not for good (a server that refuses force): to the trash then */
  g_debug ("Deleting for good failed (%s); moving to the trash", error->message);
  pbi_immich_client_delete_assets_async (del->client, (const gchar * const *) del->ids, FALSE,
                                         g_task_get_cancellable (task), trashed_cb,
                                         g_steal_pointer (&task));
}

/**
 * pbi_engine_delete_assets_async:
 * @self: a #PbiEngine
 * @asset_ids: (array zero-terminated=1): the server's asset ids
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Deletes assets from the server for good, or moves them to its trash when
 * it does not delete for good; for the sample photo of Test Upload. A key
 * without `asset.delete` gets %PBI_IMMICH_ERROR_MISSING_PERMISSION.
 */
void
pbi_engine_delete_assets_async (PbiEngine           *self,
                                const gchar * const *asset_ids,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Delete *del;

  g_return_if_fail (PBI_IS_ENGINE (self));
  g_return_if_fail (asset_ids != NULL);

  task = _pbi_engine_task_new (self, pbi_engine_delete_assets_async, cancellable, callback,
                               user_data);
  del = g_new0 (Delete, 1);
  del->ids = g_strdupv ((gchar **) asset_ids);
  g_task_set_task_data (task, del, (GDestroyNotify) delete_free);
  del->client = new_client (self, &error);
  if (del->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pbi_immich_client_delete_assets_async (del->client, (const gchar * const *) del->ids, TRUE,
                                         cancellable, deleted_cb, g_steal_pointer (&task));
}

/**
 * pbi_engine_delete_assets_finish:
 * @self: a #PbiEngine
 * @result: the result given to the callback
 * @for_good: (out) (optional): %TRUE when deleted for good, %FALSE when
 *   moved to the server's trash
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the assets are gone from the server or in its trash
 */
gboolean
pbi_engine_delete_assets_finish (PbiEngine     *self,
                                 GAsyncResult  *result,
                                 gboolean      *for_good,
                                 GError       **error)
{
  Delete *del;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_engine_delete_assets_async, FALSE);
  del = g_task_get_task_data (G_TASK (result));
  if (for_good != NULL)
    *for_good = del->for_good;
  return g_task_propagate_boolean (G_TASK (result), error);
}
