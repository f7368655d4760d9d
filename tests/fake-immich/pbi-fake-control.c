/* pbi-fake-control.c: the fake Immich server's /__fake control API, faults and public set-up functions
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything a test sets up beyond what the real API can do: users, keys
 * with permissions, albums owned by another user and shared with roles,
 * role changes and removed shares mid-run, trashed or removed assets,
 * the external domain and the free space. The same operations exist as
 * C functions (pbi-fake-server.h) and as /__fake/... routes (README).
 */

#include "config.h"

#include <string.h>

#include "pbi-fake-server-private.h"

/* ---- faults ---- */

static guint64
member_uint (JsonObject  *o,
             const gchar *name,
             gboolean    *ok)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || (json_node_get_value_type (n) != G_TYPE_INT64
          && json_node_get_value_type (n) != G_TYPE_DOUBLE))
    {
      *ok = FALSE;
      return 0;
    }
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    return (guint64) MAX (json_node_get_double (n), 0.0);
  return (guint64) MAX (json_node_get_int (n), 0);
}

static gint64
member_int (JsonObject  *o,
            const gchar *name,
            gboolean    *ok)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    {
      *ok = FALSE;
      return 0;
    }
  return json_node_get_int (n);
}

gboolean
_pbi_fake_set_faults_locked (PbiFakeServer *self,
                             JsonNode      *root,
                             GError       **error)
{
  JsonObject *o;
  GList *members;
  Faults f = self->faults;
  guint down_ms = 0;
  gboolean ok = TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "faults must be a JSON object");
      return FALSE;
    }
  o = json_node_get_object (root);
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL && ok; l = l->next)
    {
      const gchar *name = l->data;

      if (g_strcmp0 (name, "latency_ms") == 0)
        f.latency_ms = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "refuse_connections") == 0)
        f.refuse_connections = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "drop_mid_body") == 0)
        f.drop_mid_body = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "max_body_bytes") == 0)
        f.max_body_bytes = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "stall_ms") == 0)
        f.stall_ms = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "garbage_json") == 0)
        f.garbage_json = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "html") == 0)
        f.html = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "album_400") == 0)
        f.album_400 = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "clock_offset_s") == 0)
        f.clock_offset_s = member_int (o, name, &ok);
      else if (g_strcmp0 (name, "down_ms") == 0)
        down_ms = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "error_5xx") == 0)
        {
          JsonNode *n = json_object_get_member (o, name);
          JsonObject *e = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;

          if (e == NULL)
            {
              ok = FALSE;
              break;
            }
          f.error_5xx_count = json_object_has_member (e, "count")
                              ? member_uint (e, "count", &ok) : 1;
          f.error_5xx_status = json_object_has_member (e, "status")
                               ? member_uint (e, "status", &ok) : 503;
          f.retry_after = json_object_has_member (e, "retry_after")
                          ? (gint) member_uint (e, "retry_after", &ok) : -1;
          if (f.error_5xx_status < 500 || f.error_5xx_status > 599)
            ok = FALSE;
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown fault “%s”", name);
          g_list_free (members);
          return FALSE;
        }
    }
  g_list_free (members);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad fault value");
      return FALSE;
    }
  self->faults = f;
  if (down_ms > 0)
    _pbi_fake_go_down_later (self, down_ms);
  return TRUE;
}

/* ---- set-up operations (lock held); errors are messages for a 400 ---- */

static FakeAlbum *
album_locked (PbiFakeServer *self,
              const gchar   *album_id,
              GError       **error)
{
  FakeAlbum *a = album_id != NULL ? g_hash_table_lookup (self->albums, album_id) : NULL;

  if (a == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no album %s", album_id);
  return a;
}

static FakeUser *
user_locked (PbiFakeServer *self,
             const gchar   *id_or_email,
             GError       **error)
{
  FakeUser *u = _pbi_fake_find_user_locked (self, id_or_email);

  if (u == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no user %s", id_or_email);
  return u;
}

static gboolean
share_locked (PbiFakeServer *self,
              const gchar   *album_id,
              const gchar   *user,
              const gchar   *role,
              GError       **error)
{
  FakeAlbum *a = album_locked (self, album_id, error);
  FakeUser *u = a != NULL ? user_locked (self, user, error) : NULL;

  if (u == NULL)
    return FALSE;
  if (g_strcmp0 (role, "editor") != 0 && g_strcmp0 (role, "viewer") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "role must be editor or viewer");
      return FALSE;
    }
  if (g_strcmp0 (a->owner_id, u->id) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the owner has no role");
      return FALSE;
    }
  _pbi_fake_album_set_member (a, u->id, role);
  return TRUE;
}

/* ---- the /__fake HTTP control API ---- */

static const gchar *
str_member (JsonObject  *o,
            const gchar *name)
{
  return o != NULL ? json_object_get_string_member_with_default (o, name, NULL) : NULL;
}

static void
reply_id (Reply       *r,
          guint        status,
          const gchar *id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, status, b);
}

static void
reply_ok (Reply *r)
{
  _pbi_fake_reply_text (r, 200, JSON_TYPE, "{\"ok\":true}");
}

static GStrv
strv_member (JsonObject  *o,
             const gchar *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  g_autoptr(GStrvBuilder) sb = NULL;
  JsonArray *arr;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return NULL;
  sb = g_strv_builder_new ();
  arr = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *el = json_array_get_element (arr, i);

      if (_pbi_fake_node_is_string (el))
        g_strv_builder_add (sb, json_node_get_string (el));
    }
  return g_strv_builder_end (sb);
}

/* Set-up routes; seg is the path after /__fake/. */
static gboolean
route_setup (PbiFakeServer *self,
             const gchar   *method,
             gchar        **seg,
             guint          n,
             JsonObject    *o,
             Reply         *r,
             GError       **error)
{
  gboolean post = g_strcmp0 (method, "POST") == 0;
  gboolean del = g_strcmp0 (method, "DELETE") == 0;

  if (post && n == 1 && SEG_IS_AT (seg, n, 0, "users"))
    {
      const gchar *email = str_member (o, "email");

      if (email == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "email is required");
          return FALSE;
        }
      reply_id (r, 201, _pbi_fake_add_user_locked (self, email, str_member (o, "name"))->id);
      return TRUE;
    }
  if (post && n == 1 && SEG_IS_AT (seg, n, 0, "keys"))
    {
      g_auto(GStrv) perms = strv_member (o, "permissions");
      const gchar *key = str_member (o, "key");
      FakeUser *u;

      if (key == NULL || *key == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "key is required");
          return FALSE;
        }
      u = user_locked (self, str_member (o, "user"), error);
      if (u == NULL)
        return FALSE;
      reply_id (r, 201, _pbi_fake_add_key_locked (self, u, key, str_member (o, "name"),
                                                  (const gchar * const *) perms)->id);
      return TRUE;
    }
  if (post && n == 1 && SEG_IS_AT (seg, n, 0, "albums"))
    {
      JsonNode *users = o != NULL ? json_object_get_member (o, "users") : NULL;
      const gchar *name = str_member (o, "name");
      FakeUser *owner = user_locked (self, str_member (o, "owner"), error);
      FakeAlbum *a;

      if (owner == NULL)
        return FALSE;
      a = _pbi_fake_add_album_locked (self, owner->id, name != NULL ? name : "Album");
      if (users != NULL && JSON_NODE_HOLDS_ARRAY (users))
        {
          JsonArray *arr = json_node_get_array (users);

          for (guint i = 0; i < json_array_get_length (arr); i++)
            {
              JsonNode *el = json_array_get_element (arr, i);
              JsonObject *uo = JSON_NODE_HOLDS_OBJECT (el) ? json_node_get_object (el) : NULL;

              if (!share_locked (self, a->id, str_member (uo, "user"), str_member (uo, "role"),
                                 error))
                {
                  _pbi_fake_remove_album_locked (self, a);
                  return FALSE;
                }
            }
        }
      reply_id (r, 201, a->id);
      return TRUE;
    }
  if (n >= 2 && SEG_IS_AT (seg, n, 0, "albums"))
    {
      FakeAlbum *a = album_locked (self, seg[1], error);

      if (a == NULL)
        return FALSE;
      if (del && n == 2)
        {
          _pbi_fake_remove_album_locked (self, a);
          reply_ok (r);
          return TRUE;
        }
      if (post && n == 3 && SEG_IS_AT (seg, n, 2, "users"))
        {
          if (!share_locked (self, a->id, str_member (o, "user"), str_member (o, "role"), error))
            return FALSE;
          reply_ok (r);
          return TRUE;
        }
      if (del && n == 4 && SEG_IS_AT (seg, n, 2, "users"))
        {
          FakeUser *u = user_locked (self, seg[3], error);

          if (u == NULL)
            return FALSE;
          _pbi_fake_album_remove_member (a, u->id);
          reply_ok (r);
          return TRUE;
        }
      if ((post || del) && n == 4 && SEG_IS_AT (seg, n, 2, "assets"))
        {
          if (g_hash_table_lookup (self->assets, seg[3]) == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no asset %s", seg[3]);
              return FALSE;
            }
          if (post && !g_hash_table_contains (a->asset_set, seg[3]))
            _pbi_fake_album_add_asset (a, seg[3]);
          else if (del)
            _pbi_fake_album_remove_asset (a, seg[3]);
          reply_ok (r);
          return TRUE;
        }
      return FALSE;
    }
  if (post && n == 1 && SEG_IS_AT (seg, n, 0, "assets"))
    {
      const gchar *sha1 = str_member (o, "sha1");
      FakeUser *owner = user_locked (self, str_member (o, "owner"), error);
      g_autofree gchar *now = _pbi_fake_now_iso ();
      const gchar *filename = str_member (o, "filename");

      if (owner == NULL)
        return FALSE;
      if (sha1 == NULL || strlen (sha1) != 40)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "sha1: 40 hex digits");
          return FALSE;
        }
      reply_id (r, 201, _pbi_fake_add_asset_locked (self, owner->id, sha1,
                                                    o != NULL ? json_object_get_int_member_with_default (o, "size", 0) : 0,
                                                    filename != NULL ? filename : "asset.jpg",
                                                    now)->id);
      return TRUE;
    }
  if (n >= 2 && SEG_IS_AT (seg, n, 0, "assets"))
    {
      FakeAsset *a = g_hash_table_lookup (self->assets, seg[1]);

      if (a == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no asset %s", seg[1]);
          return FALSE;
        }
      if (post && n == 3 && (SEG_IS_AT (seg, n, 2, "trash") || SEG_IS_AT (seg, n, 2, "restore")))
        {
          a->trashed = SEG_IS_AT (seg, n, 2, "trash");
          reply_ok (r);
          return TRUE;
        }
      if (del && n == 2)
        {
          _pbi_fake_remove_asset_locked (self, a);
          reply_ok (r);
          return TRUE;
        }
      return FALSE;
    }
  if (post && n == 1 && SEG_IS_AT (seg, n, 0, "config"))
    {
      if (o != NULL && json_object_has_member (o, "externalDomain"))
        {
          g_free (self->external_domain);
          self->external_domain = g_strdup (str_member (o, "externalDomain"));
        }
      if (o != NULL && json_object_has_member (o, "diskSize"))
        self->disk_size = json_object_get_int_member (o, "diskSize");
      if (o != NULL && json_object_has_member (o, "diskAvailable"))
        self->disk_available = json_object_get_int_member (o, "diskAvailable");
      reply_ok (r);
      return TRUE;
    }
  if (post && n == 1 && SEG_IS_AT (seg, n, 0, "reset-routes"))
    {
      g_hash_table_remove_all (self->route_counts);
      reply_ok (r);
      return TRUE;
    }
  return FALSE;
}

void
_pbi_fake_route_control (PbiFakeServer     *self,
                         SoupServerMessage *msg,
                         const gchar       *path,
                         Reply             *r)
{
  const gchar *method = soup_server_message_get_method (msg);
  g_auto(GStrv) seg = g_strsplit (path + strlen ("/__fake/"), "/", -1);
  guint n = g_strv_length (seg);
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&self->lock);
  if (g_strcmp0 (method, "GET") == 0 && g_strcmp0 (path, "/__fake/state") == 0)
    {
      g_autoptr(JsonNode) state = _pbi_fake_build_state_locked (self);

      _pbi_fake_reply_node (r, 200, state);
    }
  else if (g_strcmp0 (method, "POST") == 0 && g_strcmp0 (path, "/__fake/reset") == 0)
    {
      _pbi_fake_faults_clear (&self->faults);
      reply_ok (r);
    }
  else
    {
      g_autoptr(JsonNode) root = NULL;
      JsonObject *o;

      if (g_strcmp0 (method, "POST") == 0 || g_strcmp0 (method, "DELETE") == 0)
        {
          root = _pbi_fake_parse_body (self, msg, r);
          if (root == NULL)
            {
              g_mutex_unlock (&self->lock);
              return;
            }
        }
      o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
      if (g_strcmp0 (method, "POST") == 0 && g_strcmp0 (path, "/__fake/faults") == 0)
        {
          if (!_pbi_fake_set_faults_locked (self, root, &error))
            _pbi_fake_reply_error (self, r, 400, error->message);
          else
            reply_ok (r);
        }
      else if (!route_setup (self, method, seg, n, o, r, &error))
        {
          if (error != NULL)
            _pbi_fake_reply_error (self, r, 400, error->message);
          else
            _pbi_fake_route_not_found (self, msg, r);
        }
    }
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------ */
/* Public set-up API                                                   */

/**
 * pbi_fake_server_add_user:
 *
 * Returns: (transfer full): the new user's id
 */
gchar *
pbi_fake_server_add_user (PbiFakeServer *self,
                          const gchar   *email,
                          const gchar   *name)
{
  gchar *id;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (email != NULL, NULL);

  g_mutex_lock (&self->lock);
  id = g_strdup (_pbi_fake_add_user_locked (self, email, name)->id);
  g_mutex_unlock (&self->lock);
  return id;
}

gchar *
pbi_fake_server_find_user (PbiFakeServer *self,
                           const gchar   *email)
{
  FakeUser *u;
  gchar *id;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (email != NULL, NULL);

  g_mutex_lock (&self->lock);
  u = _pbi_fake_find_user_locked (self, email);
  id = u != NULL ? g_strdup (u->id) : NULL;
  g_mutex_unlock (&self->lock);
  return id;
}

void
pbi_fake_server_add_api_key (PbiFakeServer       *self,
                             const gchar         *user_id,
                             const gchar         *key,
                             const gchar * const *permissions)
{
  FakeUser *u;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));
  g_return_if_fail (key != NULL && *key != '\0');

  g_mutex_lock (&self->lock);
  u = _pbi_fake_find_user_locked (self, user_id);
  if (u == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_critical ("pbi_fake_server_add_api_key: no user %s", user_id);
      return;
    }
  _pbi_fake_add_key_locked (self, u, key, NULL, permissions);
  g_mutex_unlock (&self->lock);
}

/**
 * pbi_fake_server_create_album:
 *
 * Returns: (transfer full): the new album's id
 */
gchar *
pbi_fake_server_create_album (PbiFakeServer *self,
                              const gchar   *owner_user_id,
                              const gchar   *name)
{
  FakeUser *owner;
  gchar *id = NULL;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_mutex_lock (&self->lock);
  owner = _pbi_fake_find_user_locked (self, owner_user_id);
  if (owner != NULL)
    id = g_strdup (_pbi_fake_add_album_locked (self, owner->id, name)->id);
  else
    g_critical ("pbi_fake_server_create_album: no user %s", owner_user_id);
  g_mutex_unlock (&self->lock);
  return id;
}

gchar *
pbi_fake_server_create_shared_album (PbiFakeServer *self,
                                     const gchar   *owner_user_id,
                                     const gchar   *name,
                                     const gchar   *first_user_id,
                                     ...)
{
  gchar *id = pbi_fake_server_create_album (self, owner_user_id, name);
  const gchar *user = first_user_id;
  va_list args;

  if (id == NULL)
    return NULL;
  va_start (args, first_user_id);
  while (user != NULL)
    {
      const gchar *role = va_arg (args, const gchar *);

      pbi_fake_server_share_album (self, id, user, role);
      user = va_arg (args, const gchar *);
    }
  va_end (args);
  return id;
}

void
pbi_fake_server_share_album (PbiFakeServer *self,
                             const gchar   *album_id,
                             const gchar   *user_id,
                             const gchar   *role)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));
  g_return_if_fail (role != NULL);

  g_mutex_lock (&self->lock);
  if (!share_locked (self, album_id, user_id, role, &error))
    g_critical ("pbi_fake_server_share_album: %s", error->message);
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_unshare_album (PbiFakeServer *self,
                               const gchar   *album_id,
                               const gchar   *user_id)
{
  FakeAlbum *a;
  FakeUser *u;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->albums, album_id);
  u = _pbi_fake_find_user_locked (self, user_id);
  if (a != NULL && u != NULL)
    _pbi_fake_album_remove_member (a, u->id);
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_delete_album (PbiFakeServer *self,
                              const gchar   *album_id)
{
  FakeAlbum *a;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->albums, album_id);
  if (a != NULL)
    _pbi_fake_remove_album_locked (self, a);
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_add_to_album (PbiFakeServer *self,
                              const gchar   *album_id,
                              const gchar   *asset_id)
{
  FakeAlbum *a;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->albums, album_id);
  if (a != NULL && g_hash_table_lookup (self->assets, asset_id) != NULL
      && !g_hash_table_contains (a->asset_set, asset_id))
    _pbi_fake_album_add_asset (a, asset_id);
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_remove_from_album (PbiFakeServer *self,
                                   const gchar   *album_id,
                                   const gchar   *asset_id)
{
  FakeAlbum *a;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->albums, album_id);
  if (a != NULL)
    _pbi_fake_album_remove_asset (a, asset_id);
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_trash_asset (PbiFakeServer *self,
                             const gchar   *asset_id)
{
  FakeAsset *a;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->assets, asset_id);
  if (a != NULL)
    a->trashed = TRUE;
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_remove_asset (PbiFakeServer *self,
                              const gchar   *asset_id)
{
  FakeAsset *a;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->assets, asset_id);
  if (a != NULL)
    _pbi_fake_remove_asset_locked (self, a);
  g_mutex_unlock (&self->lock);
}

/**
 * pbi_fake_server_add_asset:
 *
 * Returns: (transfer full): the new asset's id
 */
gchar *
pbi_fake_server_add_asset (PbiFakeServer *self,
                           const gchar   *owner_user_id,
                           const gchar   *sha1_hex,
                           guint64        size,
                           const gchar   *filename)
{
  g_autofree gchar *now = _pbi_fake_now_iso ();
  FakeUser *owner;
  gchar *id = NULL;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (sha1_hex != NULL && strlen (sha1_hex) == 40, NULL);

  g_mutex_lock (&self->lock);
  owner = _pbi_fake_find_user_locked (self, owner_user_id);
  if (owner != NULL)
    id = g_strdup (_pbi_fake_add_asset_locked (self, owner->id, sha1_hex, size,
                                               filename != NULL ? filename : "asset.jpg",
                                               now)->id);
  g_mutex_unlock (&self->lock);
  return id;
}

void
pbi_fake_server_set_external_domain (PbiFakeServer *self,
                                     const gchar   *domain)
{
  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  g_free (self->external_domain);
  self->external_domain = g_strdup (domain);
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_set_storage (PbiFakeServer *self,
                             guint64        disk_size,
                             gint64         disk_available)
{
  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  self->disk_size = disk_size;
  self->disk_available = disk_available;
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_set_keep_originals (PbiFakeServer *self,
                                    guint64        max_bytes)
{
  g_return_if_fail (PBI_IS_FAKE_SERVER (self));
  g_return_if_fail (!self->running);

  self->keep_original_max = max_bytes;
}

guint
pbi_fake_server_get_route_count (PbiFakeServer *self,
                                 const gchar   *method,
                                 const gchar   *route)
{
  g_autofree gchar *key = NULL;
  guint count;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), 0);

  key = g_strdup_printf ("%s %s", method, route);
  g_mutex_lock (&self->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->route_counts, key));
  g_mutex_unlock (&self->lock);
  return count;
}

void
pbi_fake_server_reset_route_counts (PbiFakeServer *self)
{
  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->route_counts);
  g_mutex_unlock (&self->lock);
}

/**
 * pbi_fake_server_dup_state:
 *
 * Returns: (transfer full): the state GET /__fake/state serves
 */
JsonNode *
pbi_fake_server_dup_state (PbiFakeServer *self)
{
  JsonNode *node;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);

  g_mutex_lock (&self->lock);
  node = _pbi_fake_build_state_locked (self);
  g_mutex_unlock (&self->lock);
  return node;
}

gboolean
pbi_fake_server_set_faults_json (PbiFakeServer  *self,
                                 const gchar    *json,
                                 GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gboolean ret;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  ret = _pbi_fake_set_faults_locked (self, json_parser_get_root (parser), error);
  g_mutex_unlock (&self->lock);
  return ret;
}

void
pbi_fake_server_reset_faults (PbiFakeServer *self)
{
  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  _pbi_fake_faults_clear (&self->faults);
  g_mutex_unlock (&self->lock);
}
