/* pbi-fake-albums.c: the fake Immich server's album routes
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * server/src/controllers/album.controller.ts and services/album.service.ts
 * per family: who may read (owner and every member), write (owner and
 * editors) and delete (owner); the two add errors ("Album not found" for
 * a missing album, "Not found or no albumAsset.create access" for one the
 * user may not add to, 1.x naming the permission album.addAsset); which albums
 * GET /albums lists (3.x: owned and shared with the user; 1.x/2.x: owned
 * only, shared ones with ?shared=true).
 */

#include "config.h"

#include <string.h>

#include "pbi-fake-server-private.h"

static void
route_albums_get (PbiFakeServer *self,
                  FakeUser      *user,
                  GHashTable    *query,
                  Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const gchar *shared = query != NULL ? g_hash_table_lookup (query, "shared") : NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < self->album_order->len; i++)
    {
      FakeAlbum *a = g_ptr_array_index (self->album_order, i);
      gboolean mine = g_strcmp0 (a->owner_id, user->id) == 0;
      gboolean is_shared = _pbi_fake_album_is_shared (self, a);

      if (!_pbi_fake_album_can_read (a, user->id))
        continue;
      if (g_strcmp0 (shared, "true") == 0)
        {
          /* owned and shared, or shared with the user */
          if (mine && !is_shared)
            continue;
        }
      else if (g_strcmp0 (shared, "false") == 0)
        {
          if (!mine || is_shared)
            continue;
        }
      else if (self->family != FAMILY_V3 && !mine)
        {
          continue;
        }
      _pbi_fake_build_album (self, b, a, FALSE);
    }
  json_builder_end_array (b);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
route_albums_statistics (PbiFakeServer *self,
                         FakeUser      *user,
                         Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint owned = 0, shared = 0, not_shared = 0;

  for (guint i = 0; i < self->album_order->len; i++)
    {
      FakeAlbum *a = g_ptr_array_index (self->album_order, i);
      gboolean mine = g_strcmp0 (a->owner_id, user->id) == 0;
      gboolean is_shared = _pbi_fake_album_is_shared (self, a);

      if (mine)
        owned++;
      if (_pbi_fake_album_can_read (a, user->id) && is_shared)
        shared++;
      if (mine && !is_shared)
        not_shared++;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "owned");
  json_builder_add_int_value (b, owned);
  json_builder_set_member_name (b, "shared");
  json_builder_add_int_value (b, shared);
  json_builder_set_member_name (b, "notShared");
  json_builder_add_int_value (b, not_shared);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
route_album_get (PbiFakeServer *self,
                 FakeUser      *user,
                 const gchar   *album_id,
                 GHashTable    *query,
                 Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const gchar *without = query != NULL ? g_hash_table_lookup (query, "withoutAssets") : NULL;
  FakeAlbum *album;

  if (!_pbi_fake_check_uuid_param (self, album_id, r))
    return;
  album = g_hash_table_lookup (self->albums, album_id);
  if (album == NULL || !_pbi_fake_album_can_read (album, user->id))
    {
      _pbi_fake_reply_error (self, r, 400, "Not found or no album.read access");
      return;
    }
  _pbi_fake_build_album (self, b, album, g_strcmp0 (without, "true") != 0);
  _pbi_fake_reply_builder (r, 200, b);
}

/* albumUsers: [{userId, role}] (1.x: sharedWithUserIds: [uuid], editors) */
static gboolean
parse_album_users (PbiFakeServer *self,
                   JsonObject    *obj,
                   FakeUser      *owner,
                   GPtrArray     *out_ids,
                   GPtrArray     *out_roles,
                   Issues        *iss)
{
  gboolean v1 = self->family == FAMILY_V1;
  const gchar *member = v1 ? "sharedWithUserIds" : "albumUsers";
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;
  JsonArray *arr;
  gboolean ok = TRUE;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree gchar *m = g_strdup_printf ("%s must be an array", member);

      _pbi_fake_issue_missing (iss, member, "array", _pbi_fake_received_type (node));
      _pbi_fake_issue_msg (iss, m);
      return FALSE;
    }
  arr = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *el = json_array_get_element (arr, i);
      JsonObject *o = !v1 && JSON_NODE_HOLDS_OBJECT (el) ? json_node_get_object (el) : NULL;
      JsonNode *id_node = v1 ? el : (o != NULL ? json_object_get_member (o, "userId") : NULL);
      JsonNode *role_node = o != NULL ? json_object_get_member (o, "role") : NULL;
      const gchar *id = _pbi_fake_node_is_string (id_node) ? json_node_get_string (id_node) : NULL;
      const gchar *role = _pbi_fake_node_is_string (role_node)
                          ? json_node_get_string (role_node) : "editor";

      if (id == NULL || !g_uuid_string_is_valid (id))
        {
          g_autofree gchar *m = g_strdup_printf (v1 ? "each value in %s must be a UUID"
                                                    : "%s.%u.userId must be a UUID", member, i);

          _pbi_fake_issue_uuid (iss, member, i);
          _pbi_fake_issue_msg (iss, m);
          ok = FALSE;
          continue;
        }
      if (g_strcmp0 (role, "editor") != 0 && g_strcmp0 (role, "viewer") != 0)
        {
          g_autofree gchar *m = g_strdup_printf ("%s.%u.role must be one of the following "
                                                 "values: editor, viewer", member, i);

          _pbi_fake_issue_zod (iss, "invalid_value", member, i, NULL,
                               "Invalid option: expected one of \"editor\"|\"viewer\"");
          _pbi_fake_issue_msg (iss, m);
          ok = FALSE;
          continue;
        }
      g_ptr_array_add (out_ids, (gpointer) id);
      g_ptr_array_add (out_roles, (gpointer) role);
    }
  (void) owner;
  return ok;
}

static void
route_albums_post (PbiFakeServer     *self,
                   SoupServerMessage *msg,
                   FakeUser          *user,
                   Reply             *r)
{
  g_autoptr(JsonNode) root = _pbi_fake_parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) user_ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) roles = g_ptr_array_new ();
  JsonObject *obj;
  JsonNode *name;
  JsonArray *asset_ids = NULL;
  FakeAlbum *album;
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  name = obj != NULL ? json_object_get_member (obj, "albumName") : NULL;

  _pbi_fake_issues_init (&iss);
  if (!_pbi_fake_node_is_string (name))
    {
      _pbi_fake_issue_missing (&iss, "albumName", "string", _pbi_fake_received_type (name));
      _pbi_fake_issue_msg (&iss, "albumName must be a string");
    }
  parse_album_users (self, obj, user, user_ids, roles, &iss);
  if (obj != NULL && json_object_has_member (obj, "assetIds"))
    asset_ids = _pbi_fake_check_uuid_array (self, obj, "assetIds", &iss);
  if (!_pbi_fake_issues_empty (&iss))
    {
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  _pbi_fake_issues_clear (&iss);

  for (guint i = 0; i < user_ids->len; i++)
    {
      if (g_hash_table_lookup (self->users, g_ptr_array_index (user_ids, i)) == NULL)
        {
          _pbi_fake_reply_error (self, r, 400, "User not found");
          return;
        }
      if (g_strcmp0 (g_ptr_array_index (user_ids, i), user->id) == 0)
        {
          _pbi_fake_reply_error (self, r, 400, "Cannot share album with owner");
          return;
        }
    }

  album = _pbi_fake_add_album_locked (self, user->id, json_node_get_string (name));
  for (guint i = 0; i < user_ids->len; i++)
    _pbi_fake_album_set_member (album, g_ptr_array_index (user_ids, i),
                                g_ptr_array_index (roles, i));
  for (guint i = 0; asset_ids != NULL && i < json_array_get_length (asset_ids); i++)
    {
      const gchar *id = json_array_get_string_element (asset_ids, i);
      FakeAsset *asset = g_hash_table_lookup (self->assets, id);

      if (asset != NULL && g_strcmp0 (asset->owner_id, user->id) == 0
          && !g_hash_table_contains (album->asset_set, id))
        _pbi_fake_album_add_asset (album, id);
    }
  _pbi_fake_build_album (self, b, album, FALSE);
  _pbi_fake_reply_builder (r, 201, b);
}

static void
route_album_delete (PbiFakeServer *self,
                    FakeUser      *user,
                    const gchar   *album_id,
                    Reply         *r)
{
  FakeAlbum *album;

  if (!_pbi_fake_check_uuid_param (self, album_id, r))
    return;
  album = g_hash_table_lookup (self->albums, album_id);
  if (album == NULL || g_strcmp0 (album->owner_id, user->id) != 0)
    {
      _pbi_fake_reply_error (self, r, 400, "Not found or no album.delete access");
      return;
    }
  _pbi_fake_remove_album_locked (self, album);
  /* 1.9x: @Delete without @HttpCode = 200 with no body */
  _pbi_fake_reply_empty (r, self->family == FAMILY_V1 ? 200 : 204);
}

static void
add_bulk_result (JsonBuilder *b,
                 const gchar *id,
                 const gchar *error)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "success");
  json_builder_add_boolean_value (b, error == NULL);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error);
    }
  json_builder_end_object (b);
}

static gboolean
asset_visible_to (FakeAsset   *asset,
                  const gchar *user_id)
{
  return asset != NULL && g_strcmp0 (asset->owner_id, user_id) == 0;
}

/* PUT (add) or DELETE (remove) /albums/{id}/assets {ids} */
static void
route_album_assets (PbiFakeServer     *self,
                    SoupServerMessage *msg,
                    FakeUser          *user,
                    const gchar       *album_id,
                    gboolean           add,
                    Reply             *r)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const gchar *access = add ? (_pbi_fake_has_permissions (self) ? "albumAsset.create"
                                                                : "album.addAsset")
                            : (_pbi_fake_has_permissions (self) ? "albumAsset.delete"
                                                                : "album.removeAsset");
  g_autofree gchar *no_access = g_strdup_printf ("Not found or no %s access", access);
  JsonObject *obj;
  JsonArray *ids;
  FakeAlbum *album;
  Issues iss;

  if (!_pbi_fake_check_uuid_param (self, album_id, r))
    return;
  root = _pbi_fake_parse_body (self, msg, r);
  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  _pbi_fake_issues_init (&iss);
  ids = _pbi_fake_check_uuid_array (self, obj, "ids", &iss);
  if (ids == NULL)
    {
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  _pbi_fake_issues_clear (&iss);

  album = g_hash_table_lookup (self->albums, album_id);
  /* album.service addAssets: findOrFail before the access check, in every
   * family since 1.7x */
  if (album == NULL)
    {
      _pbi_fake_reply_error (self, r, 400, "Album not found");
      return;
    }
  if (album == NULL || !_pbi_fake_album_can_write (album, user->id))
    {
      _pbi_fake_reply_error (self, r, 400, no_access);
      return;
    }

  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      const gchar *id = json_array_get_string_element (ids, i);
      FakeAsset *asset = g_hash_table_lookup (self->assets, id);
      gboolean in_album = g_hash_table_contains (album->asset_set, id);

      if (add && in_album)
        add_bulk_result (b, id, "duplicate");
      else if (!add && !in_album)
        add_bulk_result (b, id, "not_found");
      else if (!asset_visible_to (asset, user->id)
               && !(!add && g_strcmp0 (album->owner_id, user->id) == 0))
        add_bulk_result (b, id, "no_permission");
      else
        {
          if (add)
            _pbi_fake_album_add_asset (album, id);
          else
            _pbi_fake_album_remove_asset (album, id);
          add_bulk_result (b, id, NULL);
        }
    }
  json_builder_end_array (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* PUT /albums/assets {albumIds, assetIds} (2.x, 3.x) */
static void
route_albums_assets_put (PbiFakeServer     *self,
                         SoupServerMessage *msg,
                         FakeUser          *user,
                         Reply             *r)
{
  g_autoptr(JsonNode) root = _pbi_fake_parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) albums = g_ptr_array_new ();
  g_autoptr(GPtrArray) assets = g_ptr_array_new ();
  JsonObject *obj;
  JsonArray *album_ids, *asset_ids;
  const gchar *error = "duplicate";
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  _pbi_fake_issues_init (&iss);
  album_ids = _pbi_fake_check_uuid_array (self, obj, "albumIds", &iss);
  asset_ids = _pbi_fake_check_uuid_array (self, obj, "assetIds", &iss);
  if (!_pbi_fake_issues_empty (&iss))
    {
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  _pbi_fake_issues_clear (&iss);

  for (guint i = 0; i < json_array_get_length (album_ids); i++)
    {
      FakeAlbum *a = g_hash_table_lookup (self->albums,
                                          json_array_get_string_element (album_ids, i));

      if (a != NULL && _pbi_fake_album_can_write (a, user->id))
        g_ptr_array_add (albums, a);
    }
  for (guint i = 0; i < json_array_get_length (asset_ids); i++)
    {
      FakeAsset *a = g_hash_table_lookup (self->assets,
                                          json_array_get_string_element (asset_ids, i));

      if (asset_visible_to (a, user->id))
        g_ptr_array_add (assets, a);
    }
  if (albums->len == 0 || assets->len == 0)
    {
      error = "no_permission";
    }
  else
    {
      for (guint i = 0; i < albums->len; i++)
        for (guint j = 0; j < assets->len; j++)
          {
            FakeAlbum *album = g_ptr_array_index (albums, i);
            FakeAsset *asset = g_ptr_array_index (assets, j);

            if (!g_hash_table_contains (album->asset_set, asset->id))
              {
                _pbi_fake_album_add_asset (album, asset->id);
                error = NULL;
              }
          }
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "success");
  json_builder_add_boolean_value (b, error == NULL);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error);
    }
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* PUT /albums/{id}/users {albumUsers} (1.x: {sharedUserIds}) */
static void
route_album_users_put (PbiFakeServer     *self,
                       SoupServerMessage *msg,
                       FakeUser          *user,
                       const gchar       *album_id,
                       Reply             *r)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) user_ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) roles = g_ptr_array_new ();
  JsonObject *obj;
  FakeAlbum *album;
  Issues iss;

  if (!_pbi_fake_check_uuid_param (self, album_id, r))
    return;
  root = _pbi_fake_parse_body (self, msg, r);
  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (self->family == FAMILY_V1 && obj != NULL && json_object_has_member (obj, "sharedUserIds"))
    {
      json_object_set_member (obj, "sharedWithUserIds",
                              json_node_copy (json_object_get_member (obj, "sharedUserIds")));
    }
  _pbi_fake_issues_init (&iss);
  if (!parse_album_users (self, obj, user, user_ids, roles, &iss)
      || !_pbi_fake_issues_empty (&iss))
    {
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  _pbi_fake_issues_clear (&iss);
  album = g_hash_table_lookup (self->albums, album_id);
  if (album == NULL || g_strcmp0 (album->owner_id, user->id) != 0)
    {
      _pbi_fake_reply_error (self, r, 400, _pbi_fake_has_permissions (self)
                                           ? "Not found or no albumUser.create access"
                                           : "Not found or no album.share access");
      return;
    }
  for (guint i = 0; i < user_ids->len; i++)
    {
      const gchar *id = g_ptr_array_index (user_ids, i);

      if (g_hash_table_lookup (self->users, id) == NULL)
        {
          _pbi_fake_reply_error (self, r, 400, "User not found");
          return;
        }
      if (_pbi_fake_album_role (album, id) != NULL)
        {
          _pbi_fake_reply_error (self, r, 400, "User already added");
          return;
        }
    }
  for (guint i = 0; i < user_ids->len; i++)
    _pbi_fake_album_set_member (album, g_ptr_array_index (user_ids, i),
                                g_ptr_array_index (roles, i));
  _pbi_fake_build_album (self, b, album, FALSE);
  _pbi_fake_reply_builder (r, 200, b);
}

/* PUT (role) or DELETE (leave / remove) /albums/{id}/user/{userId} */
static void
route_album_user (PbiFakeServer     *self,
                  SoupServerMessage *msg,
                  FakeUser          *user,
                  const gchar       *album_id,
                  const gchar       *user_id,
                  gboolean           remove,
                  Reply             *r)
{
  FakeAlbum *album;
  const gchar *target;

  if (!_pbi_fake_check_uuid_param (self, album_id, r))
    return;
  album = g_hash_table_lookup (self->albums, album_id);
  target = g_strcmp0 (user_id, "me") == 0 ? user->id : user_id;
  if (album == NULL || !_pbi_fake_album_can_read (album, user->id)
      || (g_strcmp0 (album->owner_id, user->id) != 0 && g_strcmp0 (target, user->id) != 0))
    {
      _pbi_fake_reply_error (self, r, 400, remove ? "Not found or no albumUser.delete access"
                                                  : "Not found or no albumUser.update access");
      return;
    }
  if (_pbi_fake_album_role (album, target) == NULL
      || g_strcmp0 (album->owner_id, target) == 0)
    {
      _pbi_fake_reply_error (self, r, 400, remove ? "Album not shared with user"
                                                  : "User not found");
      return;
    }
  if (remove)
    {
      _pbi_fake_album_remove_member (album, target);
    }
  else
    {
      g_autoptr(JsonNode) root = _pbi_fake_parse_body (self, msg, r);
      JsonObject *obj = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                        ? json_node_get_object (root) : NULL;
      const gchar *role = obj != NULL
                          ? json_object_get_string_member_with_default (obj, "role", NULL)
                          : NULL;

      if (root == NULL)
        return;
      if (g_strcmp0 (role, "editor") != 0 && g_strcmp0 (role, "viewer") != 0)
        {
          Issues iss;

          _pbi_fake_issues_init (&iss);
          _pbi_fake_issue_zod (&iss, "invalid_value", "role", -1, NULL,
                               "Invalid option: expected one of \"editor\"|\"viewer\"");
          _pbi_fake_issue_msg (&iss, "role must be one of the following values: editor, viewer");
          _pbi_fake_reply_issues (self, r, &iss);
          _pbi_fake_issues_clear (&iss);
          return;
        }
      _pbi_fake_album_set_member (album, target, role);
    }
  _pbi_fake_reply_empty (r, self->family == FAMILY_V1 ? 200 : 204);
}

gboolean
_pbi_fake_route_albums (PbiFakeServer     *self,
                        SoupServerMessage *msg,
                        GHashTable        *query,
                        const gchar       *method,
                        gchar            **seg,
                        guint              n,
                        Reply             *r)
{
  gboolean get = g_strcmp0 (method, "GET") == 0;
  gboolean post = g_strcmp0 (method, "POST") == 0;
  gboolean put = g_strcmp0 (method, "PUT") == 0;
  gboolean del = g_strcmp0 (method, "DELETE") == 0;
  FakeUser *user;

  if (n < 1 || !SEG_IS_AT (seg, n, 0, self->family == FAMILY_V1 ? "album" : "albums"))
    return FALSE;

  if (n == 1 && get)
    {
      user = _pbi_fake_authenticate (self, msg, query, "album.read", NULL, r);
      if (user != NULL)
        route_albums_get (self, user, query, r);
      return TRUE;
    }
  if (n == 1 && post)
    {
      user = _pbi_fake_authenticate (self, msg, query, "album.create", NULL, r);
      if (user != NULL)
        route_albums_post (self, msg, user, r);
      return TRUE;
    }
  if (n == 2 && get && SEG_IS_AT (seg, n, 1, "statistics") && self->family != FAMILY_V1)
    {
      user = _pbi_fake_authenticate (self, msg, query, PERM ("album.statistics"), NULL, r);
      if (user != NULL)
        route_albums_statistics (self, user, r);
      return TRUE;
    }
  if (n == 2 && put && SEG_IS_AT (seg, n, 1, "assets") && self->major >= 2)
    {
      user = _pbi_fake_authenticate (self, msg, query, "albumAsset.create", NULL, r);
      if (user != NULL)
        route_albums_assets_put (self, msg, user, r);
      return TRUE;
    }
  if (n == 2 && get)
    {
      user = _pbi_fake_authenticate (self, msg, query, "album.read", NULL, r);
      if (user != NULL)
        route_album_get (self, user, seg[1], query, r);
      return TRUE;
    }
  if (n == 2 && del)
    {
      user = _pbi_fake_authenticate (self, msg, query, "album.delete", NULL, r);
      if (user != NULL)
        route_album_delete (self, user, seg[1], r);
      return TRUE;
    }
  if (n == 3 && (put || del) && SEG_IS_AT (seg, n, 2, "assets"))
    {
      user = _pbi_fake_authenticate (self, msg, query,
                                     put ? "albumAsset.create" : "albumAsset.delete", NULL, r);
      if (user != NULL)
        route_album_assets (self, msg, user, seg[1], put, r);
      return TRUE;
    }
  if (n == 3 && put && SEG_IS_AT (seg, n, 2, "users"))
    {
      user = _pbi_fake_authenticate (self, msg, query, "albumUser.create", NULL, r);
      if (user != NULL)
        route_album_users_put (self, msg, user, seg[1], r);
      return TRUE;
    }
  if (n == 4 && (put || del) && SEG_IS_AT (seg, n, 2, "user"))
    {
      user = _pbi_fake_authenticate (self, msg, query,
                                     put ? "albumUser.update" : "albumUser.delete", NULL, r);
      if (user != NULL)
        route_album_user (self, msg, user, seg[1], seg[3], del, r);
      return TRUE;
    }
  return FALSE;
}
