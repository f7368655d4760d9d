/* pbi-immich-client-albums.c: album endpoints of PbiImmichClient: list, create, and
 * add assets (in batches); the route and task data of a call on an album's
 * assets (the removal in pbi-immich-client-event.c uses them too).
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pbi-immich-client.h"
#include "pbi-immich-client-private.h"
#include "pbi-multipart-stream.h"

/* ------------------------------------------------------------------ */
/* Albums                                                              */
/* ------------------------------------------------------------------ */

static PbiImmichAlbum *
album_from_json (JsonNode *node)
{
  JsonObject *obj = _pbi_immich_node_object (node);
  JsonObject *owner;
  JsonArray *users;
  PbiImmichAlbum *album;
  g_autoptr(GStrvBuilder) editors = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) viewers = g_strv_builder_new ();
  guint i;

  if (_pbi_immich_obj_string (obj, "id") == NULL
      || _pbi_immich_obj_string (obj, "albumName") == NULL)
    return NULL;
  album = g_new0 (PbiImmichAlbum, 1);
  album->id = g_strdup (_pbi_immich_obj_string (obj, "id"));
  album->name = g_strdup (_pbi_immich_obj_string (obj, "albumName"));
  album->created_at = g_strdup (_pbi_immich_obj_string (obj, "createdAt"));
  _pbi_immich_obj_uint (obj, "assetCount", &album->asset_count);
  _pbi_immich_obj_bool (obj, "shared", &album->shared);

  /* Up to 2.x: ownerId and owner; 3.x: albumUsers with role "owner". */
  owner = _pbi_immich_obj_object (obj, "owner");
  album->owner_id = g_strdup (_pbi_immich_obj_string (obj, "ownerId")
                              ? _pbi_immich_obj_string (obj, "ownerId")
                              : _pbi_immich_obj_string (owner, "id"));
  album->owner_name = g_strdup (_pbi_immich_obj_string (owner, "name"));
  album->owner_email = g_strdup (_pbi_immich_obj_string (owner, "email"));

  /* 1.102+: albumUsers [{user, role}] (3.x lists the owner there too) */
  users = _pbi_immich_obj_array (obj, "albumUsers");
  for (i = 0; users != NULL && i < json_array_get_length (users); i++)
    {
      JsonNode *n = json_array_get_element (users, i);
      JsonObject *member = _pbi_immich_node_object (n);
      JsonObject *user = _pbi_immich_obj_object (member, "user");
      const gchar *role = _pbi_immich_obj_string (member, "role");
      const gchar *id = _pbi_immich_obj_string (user, "id");

      if (id == NULL)
        continue;
      if (g_strcmp0 (role, "owner") == 0)
        {
          if (album->owner_id == NULL)
            album->owner_id = g_strdup (id);
          if (album->owner_name == NULL)
            album->owner_name = g_strdup (_pbi_immich_obj_string (user, "name"));
          if (album->owner_email == NULL)
            album->owner_email = g_strdup (_pbi_immich_obj_string (user, "email"));
        }
      else if (g_strcmp0 (role, "editor") == 0)
        g_strv_builder_add (editors, id);
      else
        g_strv_builder_add (viewers, id);
    }

  /* 1.90 - 1.101: sharedUsers [user], no roles: every shared user may add
   * (album.service addAssets checked read access only) */
  users = _pbi_immich_obj_array (obj, "sharedUsers");
  for (i = 0; users != NULL && i < json_array_get_length (users); i++)
    {
      JsonNode *n = json_array_get_element (users, i);
      JsonObject *user = _pbi_immich_node_object (n);

      if (_pbi_immich_obj_string (user, "id") != NULL)
        g_strv_builder_add (editors, _pbi_immich_obj_string (user, "id"));
    }
  album->editors = g_strv_builder_end (editors);
  album->viewers = g_strv_builder_end (viewers);
  return album;
}

typedef struct
{
  GPtrArray  *albums;  /* (owned) PbiImmichAlbum */
  GHashTable *seen;    /* (owned) ids */
  guint       step;    /* 0: owned, 1: shared */
} ListAlbums;

static void
list_albums_free (ListAlbums *l)
{
  g_clear_pointer (&l->albums, g_ptr_array_unref);
  g_clear_pointer (&l->seen, g_hash_table_unref);
  g_free (l);
}

static void list_albums_start (GTask *task);

static void
list_albums_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListAlbums *l = g_task_get_task_data (task);
  g_autoptr(JsonAnswer) answer = NULL;
  JsonArray *arr;
  guint i;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY (answer->root))
    {
      _pbi_immich_return_bad_response (task, answer->resp, "is not a list of albums");
      return;
    }
  arr = json_node_get_array (answer->root);
  for (i = 0; i < json_array_get_length (arr); i++)
    {
      PbiImmichAlbum *album = album_from_json (json_array_get_element (arr, i));

      if (album == NULL)
        {
          _pbi_immich_return_bad_response (task, answer->resp, "has an album without id or name");
          return;
        }
      if (l->step == 1)
        album->shared = TRUE;
      if (g_hash_table_contains (l->seen, album->id))
        {
          pbi_immich_album_free (album);
          continue;
        }
      g_hash_table_add (l->seen, g_strdup (album->id));
      g_ptr_array_add (l->albums, album);
    }
  if (l->step == 0)
    {
      l->step = 1;
      list_albums_start (g_steal_pointer (&task));
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (l->albums), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_albums_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  ListAlbums *l = g_task_get_task_data (task);
  const gchar *path;

  if (l->step == 0)
    path = IS_V1 (self) ? "album" : "albums";
  else
    path = IS_V1 (self) ? "album?shared=true" : "albums?shared=true";
  _pbi_immich_task_api_call (task, "GET", path, NULL, REQ_NONE, list_albums_cb);
}

void
pbi_immich_client_list_albums_async (PbiImmichClient     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  ListAlbums *l;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  l = g_new0 (ListAlbums, 1);
  l->albums = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_album_free);
  l->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  _pbi_immich_task_start (self, pbi_immich_client_list_albums_async, list_albums_start,
                          l, (GDestroyNotify) list_albums_free, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_list_albums_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichAlbum): owned and
 *   shared albums, each once
 */
GPtrArray *
pbi_immich_client_list_albums_finish (PbiImmichClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_list_albums_async, error);
}

JsonNode *
_pbi_immich_ids_array_node (const gchar * const *ids)
{
  JsonArray *arr = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (; ids != NULL && *ids != NULL; ids++)
    json_array_add_string_element (arr, *ids);
  json_node_take_array (node, arr);
  return node;
}

/* The body {"ids": [@ids…]} (transfer full). */
JsonNode *
_pbi_immich_ids_body (const gchar * const *ids)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_member (obj, "ids", _pbi_immich_ids_array_node (ids));
  json_node_take_object (node, obj);
  return node;
}

static void
create_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  PbiImmichAlbum *album;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  album = album_from_json (answer->root);
  if (album == NULL)
    {
      _pbi_immich_return_bad_response (task, answer->resp, "lacks the album's id or name");
      return;
    }
  g_task_return_pointer (task, album, (GDestroyNotify) pbi_immich_album_free);
}

static void
create_album_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "POST", IS_V1 (self) ? "album" : "albums",
                             g_task_get_task_data (task), REQ_NOT_REPEATABLE, create_album_cb);
}

void
pbi_immich_client_create_album_async (PbiImmichClient     *self,
                                      const gchar         *name,
                                      const gchar * const *asset_ids,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (name != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "albumName");
  json_builder_add_string_value (builder, name);
  if (asset_ids != NULL && *asset_ids != NULL)
    {
      json_builder_set_member_name (builder, "assetIds");
      json_builder_add_value (builder, _pbi_immich_ids_array_node (asset_ids));
    }
  json_builder_end_object (builder);
  _pbi_immich_task_start (self, pbi_immich_client_create_album_async, create_album_start,
                          json_builder_get_root (builder), (GDestroyNotify) json_node_unref,
                          cancellable, callback, user_data);
}

/**
 * pbi_immich_client_create_album_finish:
 *
 * Returns: (transfer full): the new album
 */
PbiImmichAlbum *
pbi_immich_client_create_album_finish (PbiImmichClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_create_album_async,
                                          error);
}

static void
add_to_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  g_autoptr(GPtrArray) results = NULL;
  JsonArray *arr;
  guint i;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY (answer->root))
    {
      _pbi_immich_return_bad_response (task, answer->resp, "is not a list of results");
      return;
    }
  arr = json_node_get_array (answer->root);
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_album_add_result_free);
  for (i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *n = json_array_get_element (arr, i);
      JsonObject *obj = _pbi_immich_node_object (n);
      PbiImmichAlbumAddResult *r;
      gboolean success;

      if (_pbi_immich_obj_string (obj, "id") == NULL
          || !_pbi_immich_obj_bool (obj, "success", &success))
        {
          _pbi_immich_return_bad_response (task, answer->resp,
                                           "has a result without id or success");
          return;
        }
      r = g_new0 (PbiImmichAlbumAddResult, 1);
      r->id = g_strdup (_pbi_immich_obj_string (obj, "id"));
      r->success = success;
      r->error = g_strdup (_pbi_immich_obj_string (obj, "error"));
      g_ptr_array_add (results, r);
    }
  g_task_return_pointer (task, g_steal_pointer (&results), (GDestroyNotify) g_ptr_array_unref);
}

/* The task data of a call on an album's assets (add here, remove in
 * pbi-immich-client-event.c): takes @body. */
AlbumAssets *
_pbi_immich_album_assets_new (const gchar *album_id,
                              JsonNode    *body)
{
  AlbumAssets *a = g_new0 (AlbumAssets, 1);

  a->album_id = g_strdup (album_id);
  a->body = body;
  return a;
}

void
_pbi_immich_album_assets_free (AlbumAssets *a)
{
  g_free (a->album_id);
  g_clear_pointer (&a->body, json_node_unref);
  g_free (a);
}

/* Sends @a's body to the album's assets route with @method. */
void
_pbi_immich_album_assets_call (GTask               *task,
                               const gchar         *method,
                               GAsyncReadyCallback  callback)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  AlbumAssets *a = g_task_get_task_data (task);
  g_autofree gchar *escaped = g_uri_escape_string (a->album_id, NULL, FALSE);
  g_autofree gchar *path = g_strdup_printf ("%s/%s/assets", IS_V1 (self) ? "album" : "albums",
                                            escaped);

  _pbi_immich_task_api_call (task, method, path, a->body, REQ_ALBUM, callback);
}

static void
add_to_album_start (GTask *task)
{
  _pbi_immich_album_assets_call (task, "PUT", add_to_album_cb);
}

void
pbi_immich_client_add_to_album_async (PbiImmichClient     *self,
                                      const gchar         *album_id,
                                      const gchar * const *asset_ids,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (album_id != NULL);

  _pbi_immich_task_start (self, pbi_immich_client_add_to_album_async, add_to_album_start,
                          _pbi_immich_album_assets_new (album_id, _pbi_immich_ids_body (asset_ids)),
                          (GDestroyNotify) _pbi_immich_album_assets_free,
                          cancellable, callback, user_data);
}

/**
 * pbi_immich_client_add_to_album_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichAlbumAddResult): one per id
 */
GPtrArray *
pbi_immich_client_add_to_album_finish (PbiImmichClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_add_to_album_async,
                                          error);
}
