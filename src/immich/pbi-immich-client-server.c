/* pbi-immich-client-server.c: server, user and API key endpoints of PbiImmichClient:
 * ping, version, current user, key permissions and supported media types.
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
/* ping, version, user, permissions, media types                       */
/* ------------------------------------------------------------------ */

static void
ping_cb (GObject      *object,
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
  if (g_strcmp0 (_pbi_immich_obj_string (obj, "res"), "pong") != 0)
    {
      _pbi_immich_return_bad_response (task, answer->resp, "is not {\"res\":\"pong\"}");
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
ping_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "GET", IS_V1 (self) ? "server-info/ping" : "server/ping", NULL,
                             REQ_NONE, ping_cb);
}

void
pbi_immich_client_ping_async (PbiImmichClient     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_ping_async, ping_start,
                          NULL, NULL, cancellable, callback, user_data);
}

gboolean
pbi_immich_client_ping_finish (PbiImmichClient  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  return _pbi_immich_task_finish_boolean (self, result, pbi_immich_client_ping_async, error);
}

static void
version_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  g_autoptr(JsonAnswer) answer = NULL;
  JsonObject *obj;
  PbiImmichVersion v = { 0 };

  answer = _pbi_immich_api_call_finish_or_return (self, result, task);
  if (answer == NULL)
    return;
  obj = _pbi_immich_node_object (answer->root);
  if (!_pbi_immich_obj_uint (obj, "major", &v.major)
      || !_pbi_immich_obj_uint (obj, "minor", &v.minor)
      || !_pbi_immich_obj_uint (obj, "patch", &v.patch))
    {
      _pbi_immich_return_bad_response (task, answer->resp, "lacks the version numbers");
      return;
    }
  self->version = v;
  g_task_return_pointer (task, pbi_immich_version_copy (&v),
                         (GDestroyNotify) pbi_immich_version_free);
}

static void
version_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "GET", IS_V1 (self) ? "server-info/version" : "server/version",
                             NULL, REQ_NO_AUTH, version_cb);
}

void
pbi_immich_client_get_version_async (PbiImmichClient     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_get_version_async, version_start,
                          NULL, NULL, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_get_version_finish:
 *
 * Returns: (transfer full): the server's version
 */
PbiImmichVersion *
pbi_immich_client_get_version_finish (PbiImmichClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_get_version_async, error);
}

static void
user_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  JsonObject *obj;
  PbiImmichUser *user;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  obj = _pbi_immich_node_object (answer->root);
  if (_pbi_immich_obj_string (obj, "id") == NULL || _pbi_immich_obj_string (obj, "email") == NULL)
    {
      _pbi_immich_return_bad_response (task, answer->resp, "lacks the user's id or email");
      return;
    }
  user = g_new0 (PbiImmichUser, 1);
  user->id = g_strdup (_pbi_immich_obj_string (obj, "id"));
  user->email = g_strdup (_pbi_immich_obj_string (obj, "email"));
  user->name = g_strdup (_pbi_immich_obj_string (obj, "name") ? _pbi_immich_obj_string (obj, "name")
                         : _pbi_immich_obj_string (obj, "firstName"));
  g_task_return_pointer (task, user, (GDestroyNotify) pbi_immich_user_free);
}

static void
user_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "GET", IS_V1 (self) ? "user/me" : "users/me", NULL, REQ_NONE,
                             user_cb);
}

void
pbi_immich_client_get_current_user_async (PbiImmichClient     *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_get_current_user_async, user_start,
                          NULL, NULL, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_get_current_user_finish:
 *
 * Returns: (transfer full): the user the key belongs to
 */
PbiImmichUser *
pbi_immich_client_get_current_user_finish (PbiImmichClient  *self,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_get_current_user_async,
                                          error);
}

static GStrv
strv_from_array (JsonArray *arr,
                 gboolean   lower)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint i;

  for (i = 0; arr != NULL && i < json_array_get_length (arr); i++)
    {
      JsonNode *n = json_array_get_element (arr, i);

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        {
          g_autofree gchar *s = lower ? g_ascii_strdown (json_node_get_string (n), -1)
                                      : g_strdup (json_node_get_string (n));
          g_strv_builder_add (builder, s);
        }
    }
  return g_strv_builder_end (builder);
}

static void
permissions_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  JsonObject *obj;
  JsonArray *perms;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  obj = _pbi_immich_node_object (answer->root);
  perms = _pbi_immich_obj_array (obj, "permissions");
  if (perms == NULL)
    {
      _pbi_immich_return_bad_response (task, answer->resp, "lacks the key's permissions");
      return;
    }
  g_task_return_pointer (task, strv_from_array (perms, FALSE), (GDestroyNotify) g_strfreev);
}

static void
permissions_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  if (self->version.major < 2)
    {
      /* No /api-keys/me before 2.x: unknown. */
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
      return;
    }
  _pbi_immich_task_api_call (task, "GET", "api-keys/me", NULL, REQ_NONE, permissions_cb);
}

void
pbi_immich_client_get_key_permissions_async (PbiImmichClient     *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_get_key_permissions_async, permissions_start,
                          NULL, NULL, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_get_key_permissions_finish:
 * @permissions: (out) (transfer full) (nullable): the key's permissions
 *   (["all"] for a full key), or NULL when the server cannot tell (< 2.0)
 */
gboolean
pbi_immich_client_get_key_permissions_finish (PbiImmichClient  *self,
                                              GAsyncResult     *result,
                                              GStrv            *permissions,
                                              GError          **error)
{
  GError *local = NULL;
  GStrv perms;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_get_key_permissions_async, FALSE);
  perms = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      if (permissions != NULL)
        *permissions = NULL;
      return FALSE;
    }
  if (permissions != NULL)
    *permissions = perms;
  else
    g_strfreev (perms);
  return TRUE;
}

static void
media_types_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  JsonObject *obj;
  PbiImmichMediaTypes *types;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  obj = _pbi_immich_node_object (answer->root);
  if (_pbi_immich_obj_array (obj, "image") == NULL || _pbi_immich_obj_array (obj, "video") == NULL)
    {
      _pbi_immich_return_bad_response (task, answer->resp, "lacks the image or video list");
      return;
    }
  types = g_new0 (PbiImmichMediaTypes, 1);
  types->image = strv_from_array (_pbi_immich_obj_array (obj, "image"), TRUE);
  types->video = strv_from_array (_pbi_immich_obj_array (obj, "video"), TRUE);
  types->sidecar = strv_from_array (_pbi_immich_obj_array (obj, "sidecar"), TRUE);
  g_task_return_pointer (task, types, (GDestroyNotify) pbi_immich_media_types_free);
}

static void
media_types_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  _pbi_immich_task_api_call (task, "GET", IS_V1 (self) ? "server-info/media-types"
                                                        : "server/media-types",
                             NULL, REQ_NONE, media_types_cb);
}

void
pbi_immich_client_get_media_types_async (PbiImmichClient     *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_get_media_types_async, media_types_start,
                          NULL, NULL, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_get_media_types_finish:
 *
 * Returns: (transfer full): the extensions the server takes
 */
PbiImmichMediaTypes *
pbi_immich_client_get_media_types_finish (PbiImmichClient  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_get_media_types_async,
                                          error);
}

/* ------------------------------------------------------------------------ */
/* storage: free space on the server's disk                                  */

typedef struct
{
  gint64 available;
  gint64 size;
} Storage;

static gboolean
obj_int64 (JsonObject  *obj,
           const gchar *member,
           gint64      *out)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *out = (gint64) json_node_get_double (node);
  else
    return FALSE;
  return *out >= 0;
}

static void
storage_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  JsonObject *obj;
  Storage *storage;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  obj = _pbi_immich_node_object (answer->root);
  storage = g_new0 (Storage, 1);
  if (!obj_int64 (obj, "diskAvailableRaw", &storage->available) ||
      !obj_int64 (obj, "diskSizeRaw", &storage->size))
    {
      g_free (storage);
      _pbi_immich_return_bad_response (task, answer->resp, "lacks diskAvailableRaw or diskSizeRaw");
      return;
    }
  g_task_return_pointer (task, storage, g_free);
}

static void
storage_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  /* 1.x: GET /server-info answers the storage; 2.x and 3.x: /server/storage
   * (3.x asks for the key's permission server.storage) */
  _pbi_immich_task_api_call (task, "GET", IS_V1 (self) ? "server-info" : "server/storage",
                             NULL, REQ_NONE, storage_cb);
}

/**
 * pbi_immich_client_get_storage_async:
 * @self: a #PbiImmichClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Asks the server how much room its disk has left. A key without the
 * permission `server.storage` (3.x) gets %PBI_IMMICH_ERROR_MISSING_PERMISSION.
 */
void
pbi_immich_client_get_storage_async (PbiImmichClient     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  _pbi_immich_task_start (self, pbi_immich_client_get_storage_async, storage_start,
                          NULL, NULL, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_get_storage_finish:
 * @self: a #PbiImmichClient
 * @result: the result given to the callback
 * @available: (out) (optional): bytes free on the server's disk
 * @size: (out) (optional): the disk's size in bytes
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the server said how much room it has
 */
gboolean
pbi_immich_client_get_storage_finish (PbiImmichClient  *self,
                                      GAsyncResult     *result,
                                      gint64           *available,
                                      gint64           *size,
                                      GError          **error)
{
  g_autofree Storage *storage = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_get_storage_async, FALSE);
  storage = g_task_propagate_pointer (G_TASK (result), error);
  if (available != NULL)
    *available = storage != NULL ? storage->available : -1;
  if (size != NULL)
    *size = storage != NULL ? storage->size : -1;
  return storage != NULL;
}
