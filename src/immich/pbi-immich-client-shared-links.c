/* pbi-immich-client-shared-links.c: shared-link endpoints of PbiImmichClient
 * (create an album link, list, delete) and the server's external domain.
 *
 * The three route families agree on the fields (SharedLinkCreateDto: type,
 * albumId, allowDownload, allowUpload, showMetadata, expiresAt, password);
 * 1.x names the route /shared-link and the config /server-info/config.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pbi-immich-client-event.h"
#include "pbi-immich-client-private.h"

void
pbi_immich_shared_link_free (PbiImmichSharedLink *link)
{
  if (link == NULL)
    return;
  g_free (link->id);
  g_free (link->key);
  g_free (link->album_id);
  g_clear_pointer (&link->expires_at, g_date_time_unref);
  g_free (link);
}

static const gchar *
links_path (PbiImmichClient *self)
{
  return IS_V1 (self) ? "shared-link" : "shared-links";
}

static PbiImmichSharedLink *
link_from_json (JsonNode *node)
{
  JsonObject *obj = _pbi_immich_node_object (node);
  PbiImmichSharedLink *link;
  const gchar *expires;

  if (_pbi_immich_obj_string (obj, "id") == NULL || _pbi_immich_obj_string (obj, "key") == NULL)
    return NULL;
  link = g_new0 (PbiImmichSharedLink, 1);
  link->id = g_strdup (_pbi_immich_obj_string (obj, "id"));
  link->key = g_strdup (_pbi_immich_obj_string (obj, "key"));
  link->album_id = g_strdup (_pbi_immich_obj_string (_pbi_immich_obj_object (obj, "album"), "id"));
  if (link->album_id == NULL)
    link->album_id = g_strdup (_pbi_immich_obj_string (obj, "albumId"));
  expires = _pbi_immich_obj_string (obj, "expiresAt");
  if (expires != NULL)
    link->expires_at = g_date_time_new_from_iso8601 (expires, NULL);
  link->has_password = _pbi_immich_obj_string (obj, "password") != NULL
                       && *_pbi_immich_obj_string (obj, "password") != '\0';
  link->allow_download = TRUE;
  _pbi_immich_obj_bool (obj, "allowDownload", &link->allow_download);
  return link;
}

/* ------------------------------------------------------------------ */
/* external domain                                                     */
/* ------------------------------------------------------------------ */

static void
config_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  JsonObject *obj;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  obj = _pbi_immich_node_object (answer->root);
  if (obj == NULL)
    {
      _pbi_immich_return_bad_response (task, answer->resp, "is not an object");
      return;
    }
  g_task_return_pointer (task, g_strdup (_pbi_immich_obj_string (obj, "externalDomain")
                                         ? _pbi_immich_obj_string (obj, "externalDomain") : ""),
                         g_free);
}

static void
config_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "GET", IS_V1 (self) ? "server-info/config" : "server/config",
                             NULL, REQ_NO_AUTH, config_cb);
}

void
pbi_immich_client_get_external_domain_async (PbiImmichClient     *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_get_external_domain_async, config_start,
                          NULL, NULL, cancellable, callback, user_data);
}

gchar *
pbi_immich_client_get_external_domain_finish (PbiImmichClient  *self,
                                              GAsyncResult     *result,
                                              GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_get_external_domain_async,
                                          error);
}

/* ------------------------------------------------------------------ */
/* create                                                              */
/* ------------------------------------------------------------------ */

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  PbiImmichSharedLink *link;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  link = link_from_json (answer->root);
  if (link == NULL)
    {
      _pbi_immich_return_bad_response (task, answer->resp, "lacks the link's key");
      return;
    }
  g_task_return_pointer (task, link, (GDestroyNotify) pbi_immich_shared_link_free);
}

static void
create_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "POST", links_path (self), g_task_get_task_data (task),
                             REQ_NOT_REPEATABLE, create_cb);
}

void
pbi_immich_client_create_shared_link_async (PbiImmichClient     *self,
                                            const gchar         *album_id,
                                            GDateTime           *expires_at,
                                            const gchar         *password,
                                            gboolean             allow_download,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (album_id != NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "ALBUM");
  json_builder_set_member_name (b, "albumId");
  json_builder_add_string_value (b, album_id);
  json_builder_set_member_name (b, "allowDownload");
  json_builder_add_boolean_value (b, allow_download);
  json_builder_set_member_name (b, "allowUpload");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "showMetadata");
  json_builder_add_boolean_value (b, TRUE);
  if (expires_at != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (expires_at);
      g_autofree gchar *text = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.000Z");

      json_builder_set_member_name (b, "expiresAt");
      json_builder_add_string_value (b, text);
    }
  if (password != NULL && *password != '\0')
    {
      json_builder_set_member_name (b, "password");
      json_builder_add_string_value (b, password);
    }
  json_builder_end_object (b);

  _pbi_immich_task_start (self, pbi_immich_client_create_shared_link_async, create_start,
                          json_builder_get_root (b), (GDestroyNotify) json_node_unref,
                          cancellable, callback, user_data);
}

/**
 * pbi_immich_client_create_shared_link_finish:
 *
 * Returns: (transfer full): the new link
 */
PbiImmichSharedLink *
pbi_immich_client_create_shared_link_finish (PbiImmichClient  *self,
                                             GAsyncResult     *result,
                                             GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_create_shared_link_async,
                                          error);
}

/* ------------------------------------------------------------------ */
/* list                                                                */
/* ------------------------------------------------------------------ */

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  g_autoptr(GPtrArray) links = NULL;
  JsonArray *arr;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY (answer->root))
    {
      _pbi_immich_return_bad_response (task, answer->resp, "is not a list");
      return;
    }
  arr = json_node_get_array (answer->root);
  links = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_shared_link_free);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      PbiImmichSharedLink *link = link_from_json (json_array_get_element (arr, i));

      if (link != NULL)
        g_ptr_array_add (links, link);
    }
  g_task_return_pointer (task, g_steal_pointer (&links), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "GET", links_path (self), NULL, REQ_NONE, list_cb);
}

void
pbi_immich_client_list_shared_links_async (PbiImmichClient     *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_list_shared_links_async, list_start,
                          NULL, NULL, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_list_shared_links_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichSharedLink): the links
 */
GPtrArray *
pbi_immich_client_list_shared_links_finish (PbiImmichClient  *self,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_list_shared_links_async,
                                          error);
}

/* ------------------------------------------------------------------ */
/* delete                                                              */
/* ------------------------------------------------------------------ */

static void
delete_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  g_autofree gchar *path = g_strdup_printf ("%s/%s", links_path (self),
                                            (const gchar *) g_task_get_task_data (task));

  _pbi_immich_task_api_call (task, "DELETE", path, NULL, REQ_NONE, _pbi_immich_return_true_cb);
}

void
pbi_immich_client_delete_shared_link_async (PbiImmichClient     *self,
                                            const gchar         *link_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_delete_shared_link_async, delete_start,
                          g_uri_escape_string (link_id, NULL, FALSE), g_free,
                          cancellable, callback, user_data);
}

gboolean
pbi_immich_client_delete_shared_link_finish (PbiImmichClient  *self,
                                             GAsyncResult     *result,
                                             GError          **error)
{
  return _pbi_immich_task_finish_boolean (self, result, pbi_immich_client_delete_shared_link_async,
                                          error);
}
