/* pbi-immich-client-event.c: endpoints of PbiImmichClient an event's
 * readiness check and verification need: delete assets, take assets out of
 * an album, list an album's assets, the server's clock.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pbi-immich-client-event.h"
#include "pbi-immich-client-private.h"

/* search/metadata page size (the server's maximum) */
#define SEARCH_PAGE_SIZE 1000

void
pbi_immich_asset_info_free (PbiImmichAssetInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->checksum);
  g_free (info);
}

/* Immich sends checksums as base64 (28 characters); we keep hex. */
static gchar *
checksum_to_hex (const gchar *text)
{
  g_autofree guchar *raw = NULL;
  gsize len = 0;
  GString *hex;

  if (text == NULL)
    return NULL;
  if (strlen (text) == 40)
    return g_ascii_strdown (text, -1);
  raw = g_base64_decode (text, &len);
  if (len != 20)
    return NULL;
  hex = g_string_sized_new (40);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", raw[i]);
  return g_string_free (hex, FALSE);
}

/* ------------------------------------------------------------------ */
/* delete assets                                                       */
/* ------------------------------------------------------------------ */

static void
delete_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "DELETE", IS_V1 (self) ? "asset" : "assets",
                             g_task_get_task_data (task), REQ_NONE, _pbi_immich_return_true_cb);
}

void
pbi_immich_client_delete_assets_async (PbiImmichClient     *self,
                                       const gchar * const *asset_ids,
                                       gboolean             force,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  JsonNode *body;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  body = _pbi_immich_ids_body (asset_ids);
  json_object_set_boolean_member (json_node_get_object (body), "force", force != FALSE);
  _pbi_immich_task_start (self, pbi_immich_client_delete_assets_async, delete_start,
                          body, (GDestroyNotify) json_node_unref, cancellable, callback, user_data);
}

gboolean
pbi_immich_client_delete_assets_finish (PbiImmichClient  *self,
                                        GAsyncResult     *result,
                                        GError          **error)
{
  return _pbi_immich_task_finish_boolean (self, result, pbi_immich_client_delete_assets_async,
                                          error);
}

/* ------------------------------------------------------------------ */
/* remove from album                                                   */
/* ------------------------------------------------------------------ */

static void
remove_start (GTask *task)
{
  _pbi_immich_album_assets_call (task, "DELETE", _pbi_immich_return_true_cb);
}

void
pbi_immich_client_remove_from_album_async (PbiImmichClient     *self,
                                           const gchar         *album_id,
                                           const gchar * const *asset_ids,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_remove_from_album_async, remove_start,
                          _pbi_immich_album_assets_new (album_id, _pbi_immich_ids_body (asset_ids)),
                          (GDestroyNotify) _pbi_immich_album_assets_free,
                          cancellable, callback, user_data);
}

gboolean
pbi_immich_client_remove_from_album_finish (PbiImmichClient  *self,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  return _pbi_immich_task_finish_boolean (self, result, pbi_immich_client_remove_from_album_async,
                                          error);
}

/* ------------------------------------------------------------------ */
/* an album's assets                                                   */
/* ------------------------------------------------------------------ */

typedef struct
{
  gchar     *album_id;
  GPtrArray *assets;   /* (owned) PbiImmichAssetInfo */
  guint      page;
} ListAssets;

static void
list_assets_free (ListAssets *l)
{
  g_free (l->album_id);
  g_clear_pointer (&l->assets, g_ptr_array_unref);
  g_free (l);
}

static gboolean
add_assets (ListAssets *l,
            JsonArray  *items)
{
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *n = json_array_get_element (items, i);
      JsonObject *obj = _pbi_immich_node_object (n);
      PbiImmichAssetInfo *info;

      if (_pbi_immich_obj_string (obj, "id") == NULL)
        return FALSE;
      info = g_new0 (PbiImmichAssetInfo, 1);
      info->id = g_strdup (_pbi_immich_obj_string (obj, "id"));
      info->checksum = checksum_to_hex (_pbi_immich_obj_string (obj, "checksum"));
      _pbi_immich_obj_bool (obj, "isTrashed", &info->is_trashed);
      g_ptr_array_add (l->assets, info);
    }
  return TRUE;
}

static void list_assets_start (GTask *task);

static void
list_assets_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  ListAssets *l = g_task_get_task_data (task);
  g_autoptr(JsonAnswer) answer = NULL;
  JsonObject *obj;
  JsonObject *assets;
  JsonArray *items;

  answer = _pbi_immich_api_call_finish_or_return (self, result, task);
  if (answer == NULL)
    return;
  obj = _pbi_immich_node_object (answer->root);
  if (self->family != PBI_IMMICH_API_V3)
    {
      items = _pbi_immich_obj_array (obj, "assets");
      if (items == NULL || !add_assets (l, items))
        {
          _pbi_immich_return_bad_response (task, answer->resp, "lacks the album's assets");
          return;
        }
      g_task_return_pointer (task, g_ptr_array_ref (l->assets),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  assets = _pbi_immich_obj_object (obj, "assets");
  items = _pbi_immich_obj_array (assets, "items");
  if (items == NULL || !add_assets (l, items))
    {
      _pbi_immich_return_bad_response (task, answer->resp, "lacks assets.items");
      return;
    }
  if (_pbi_immich_obj_string (assets, "nextPage") != NULL && json_array_get_length (items) > 0)
    {
      l->page++;
      list_assets_start (g_steal_pointer (&task));
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (l->assets), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_assets_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  ListAssets *l = g_task_get_task_data (task);

  if (self->family != PBI_IMMICH_API_V3)
    {
      g_autofree gchar *id = g_uri_escape_string (l->album_id, NULL, FALSE);
      g_autofree gchar *path = g_strdup_printf ("%s/%s", IS_V1 (self) ? "album" : "albums", id);

      _pbi_immich_task_api_call (task, "GET", path, NULL, REQ_ALBUM, list_assets_cb);
    }
  else
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) body = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "albumIds");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, l->album_id);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "withDeleted");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, SEARCH_PAGE_SIZE);
      json_builder_set_member_name (b, "page");
      json_builder_add_int_value (b, l->page);
      json_builder_end_object (b);
      body = json_builder_get_root (b);
      _pbi_immich_task_api_call (task, "POST", "search/metadata", body, REQ_ALBUM,
                                 list_assets_cb);
    }
}

void
pbi_immich_client_list_album_assets_async (PbiImmichClient     *self,
                                           const gchar         *album_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  ListAssets *l;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  l = g_new0 (ListAssets, 1);
  l->album_id = g_strdup (album_id);
  l->assets = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_asset_info_free);
  l->page = 1;
  _pbi_immich_task_start (self, pbi_immich_client_list_album_assets_async, list_assets_start,
                          l, (GDestroyNotify) list_assets_free, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_list_album_assets_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichAssetInfo): the assets
 */
GPtrArray *
pbi_immich_client_list_album_assets_finish (PbiImmichClient  *self,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_list_album_assets_async,
                                          error);
}

/* ------------------------------------------------------------------ */
/* the server's clock                                                  */
/* ------------------------------------------------------------------ */

static void
time_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(Response) resp = NULL;
  GError *error = NULL;
  const gchar *date;
  GDateTime *when = NULL;

  resp = _pbi_immich_exchange_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  date = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Date");
  if (date != NULL)
    when = soup_date_time_new_from_http_string (date);
  g_task_return_pointer (task, when, (GDestroyNotify) g_date_time_unref);
}

static void
time_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  g_autofree gchar *url = _pbi_immich_api_url_for (self, IS_V1 (self) ? "server-info/ping"
                                                                       : "server/ping");
  SoupMessage *msg = _pbi_immich_new_message ("GET", url);

  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  _pbi_immich_exchange_async (self, msg, REQ_NO_AUTH, NULL, NULL, NULL,
                              g_task_get_cancellable (task), time_cb, task);
}

void
pbi_immich_client_get_server_time_async (PbiImmichClient     *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_get_server_time_async, time_start,
                          NULL, NULL, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_get_server_time_finish:
 *
 * Returns: (transfer full) (nullable): the server's Date, NULL when it sent none
 */
GDateTime *
pbi_immich_client_get_server_time_finish (PbiImmichClient  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_get_server_time_async,
                                          error);
}
