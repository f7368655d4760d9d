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
  JsonObject *obj = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node)
                                                                  : NULL;
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
  obj = JSON_NODE_HOLDS_OBJECT (answer->root) ? json_node_get_object (answer->root) : NULL;
  if (obj == NULL)
    {
      g_task_return_error (task, _pbi_immich_bad_response (answer->resp, "is not an object"));
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

  _pbi_immich_api_call_async (self, "GET", IS_V1 (self) ? "server-info/config" : "server/config",
                              NULL, REQ_NO_AUTH, g_task_get_cancellable (task), config_cb, task);
}

void
pbi_immich_client_get_external_domain_async (PbiImmichClient     *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_get_external_domain_async);
  _pbi_immich_ensure_api (self, task, config_start);
}

gchar *
pbi_immich_client_get_external_domain_finish (PbiImmichClient  *self,
                                              GAsyncResult     *result,
                                              GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
      g_task_return_error (task, _pbi_immich_bad_response (answer->resp, "lacks the link's key"));
      return;
    }
  g_task_return_pointer (task, link, (GDestroyNotify) pbi_immich_shared_link_free);
}

static void
create_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_api_call_async (self, "POST", links_path (self), g_task_get_task_data (task),
                              REQ_NOT_REPEATABLE, g_task_get_cancellable (task), create_cb, task);
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
  GTask *task;

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

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_create_shared_link_async);
  g_task_set_task_data (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
  _pbi_immich_ensure_api (self, task, create_start);
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
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
      g_task_return_error (task, _pbi_immich_bad_response (answer->resp, "is not a list"));
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

  _pbi_immich_api_call_async (self, "GET", links_path (self), NULL, REQ_NONE,
                              g_task_get_cancellable (task), list_cb, task);
}

void
pbi_immich_client_list_shared_links_async (PbiImmichClient     *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_list_shared_links_async);
  _pbi_immich_ensure_api (self, task, list_start);
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
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* delete                                                              */
/* ------------------------------------------------------------------ */

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
delete_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  g_autofree gchar *path = g_strdup_printf ("%s/%s", links_path (self),
                                            (const gchar *) g_task_get_task_data (task));

  _pbi_immich_api_call_async (self, "DELETE", path, NULL, REQ_NONE,
                              g_task_get_cancellable (task), delete_cb, task);
}

void
pbi_immich_client_delete_shared_link_async (PbiImmichClient     *self,
                                            const gchar         *link_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_delete_shared_link_async);
  g_task_set_task_data (task, g_uri_escape_string (link_id, NULL, FALSE), g_free);
  _pbi_immich_ensure_api (self, task, delete_start);
}

gboolean
pbi_immich_client_delete_shared_link_finish (PbiImmichClient  *self,
                                             GAsyncResult     *result,
                                             GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
