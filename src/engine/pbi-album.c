/* pbi-album.c: the albums the key can see, in the introspected API
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pbi-album.h"
#include "pbi-engine-private.h"
#include "pbi-immich-types.h"

G_DEFINE_BOXED_TYPE (PbiAlbum, pbi_album, pbi_album_copy, pbi_album_free)

/**
 * pbi_album_copy:
 * @album: a #PbiAlbum
 *
 * Returns: (transfer full): a copy of @album
 */
PbiAlbum *
pbi_album_copy (const PbiAlbum *album)
{
  PbiAlbum *copy;

  g_return_val_if_fail (album != NULL, NULL);

  copy = g_new0 (PbiAlbum, 1);
  copy->id = g_strdup (album->id);
  copy->name = g_strdup (album->name);
  copy->asset_count = album->asset_count;
  copy->shared = album->shared;
  copy->owner_name = g_strdup (album->owner_name);
  return copy;
}

/**
 * pbi_album_free:
 * @album: (transfer full): a #PbiAlbum
 */
void
pbi_album_free (PbiAlbum *album)
{
  if (album == NULL)
    return;
  g_free (album->id);
  g_free (album->name);
  g_free (album->owner_name);
  g_free (album);
}

static PbiAlbum *
album_from_immich (const PbiImmichAlbum *src)
{
  PbiAlbum *album = g_new0 (PbiAlbum, 1);

  album->id = g_strdup (src->id);
  album->name = g_strdup (src->name);
  album->asset_count = src->asset_count;
  album->shared = src->shared;
  album->owner_name = g_strdup (src->owner_name);
  return album;
}

static void
fetch_albums_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) albums = NULL;
  GPtrArray *out;

  albums = pbi_engine_list_albums_finish (PBI_ENGINE (object), result, &error);
  if (albums == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  out = g_ptr_array_new_full (albums->len, (GDestroyNotify) pbi_album_free);
  for (guint i = 0; i < albums->len; i++)
    g_ptr_array_add (out, album_from_immich (g_ptr_array_index (albums, i)));
  g_task_return_pointer (task, out, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pbi_engine_fetch_albums_async:
 * @self: a #PbiEngine
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the list is there or failed
 * @user_data: (closure): data for @callback
 *
 * Asks the server for the albums the API key can see (its own and those
 * shared with it).
 */
void
pbi_engine_fetch_albums_async (PbiEngine           *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PBI_IS_ENGINE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_engine_fetch_albums_async);
  pbi_engine_list_albums_async (self, cancellable, fetch_albums_cb, g_steal_pointer (&task));
}

/**
 * pbi_engine_fetch_albums_finish:
 * @self: a #PbiEngine
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type PbiAlbum): the albums, or
 *   %NULL with @error set (not configured, no connection, key refused)
 */
GPtrArray *
pbi_engine_fetch_albums_finish (PbiEngine     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_engine_fetch_albums_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  GMainContext *context;
  GAsyncResult *result;
} FetchWait;

static void
fetch_wait_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  FetchWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_context_wakeup (wait->context);
}

/**
 * pbi_engine_fetch_albums:
 * @self: a #PbiEngine
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Blocking version of pbi_engine_fetch_albums_async(), for scripts. Runs the
 * thread-default main context until the server has answered.
 *
 * Returns: (transfer container) (element-type PbiAlbum): the albums, or
 *   %NULL with @error set
 */
GPtrArray *
pbi_engine_fetch_albums (PbiEngine     *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  FetchWait wait = { NULL, NULL };
  GPtrArray *albums;

  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);

  wait.context = g_main_context_ref_thread_default ();
  pbi_engine_fetch_albums_async (self, cancellable, fetch_wait_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (wait.context, TRUE);
  albums = pbi_engine_fetch_albums_finish (self, wait.result, error);
  g_object_unref (wait.result);
  g_main_context_unref (wait.context);
  return albums;
}
