/* pbi-fake-links.c: the fake Immich server's shared-link routes
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * server/src/controllers/shared-link.controller.ts: /shared-links (1.9x:
 * /shared-link) POST (sharedLink.create), GET (sharedLink.read), GET and
 * DELETE /{id} (sharedLink.delete). The guest page is
 * <externalDomain or server>/share/<key>, which the web handler serves.
 */

#include "config.h"

#include <string.h>

#include "pbi-fake-server-private.h"

/* randomBytes(50).toString('base64url') */
static gchar *
random_link_key (void)
{
  guint8 raw[50];
  gchar *key;

  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = g_random_int_range (0, 256);
  key = g_base64_encode (raw, sizeof raw);
  for (gchar *c = key; *c != '\0'; c++)
    {
      if (*c == '+')
        *c = '-';
      else if (*c == '/')
        *c = '_';
      else if (*c == '=')
        *c = '\0';
    }
  return key;
}

FakeLink *
_pbi_fake_add_link_locked (PbiFakeServer *self,
                           const gchar   *user_id,
                           const gchar   *type,
                           const gchar   *album_id)
{
  FakeLink *l = g_new0 (FakeLink, 1);

  l->id = g_uuid_string_random ();
  l->key = random_link_key ();
  l->user_id = g_strdup (user_id);
  l->type = g_strdup (type);
  l->album_id = g_strdup (album_id);
  l->created_at = _pbi_fake_now_iso ();
  l->asset_ids = g_ptr_array_new_with_free_func (g_free);
  l->allow_download = TRUE;
  l->show_metadata = TRUE;
  g_ptr_array_add (self->links, l);
  return l;
}

/* with_album: lists and GET /{id} carry the album; the answer to POST
 * does not (the real server maps the link before loading it). */
void
_pbi_fake_build_link (PbiFakeServer *self,
                      JsonBuilder   *b,
                      FakeLink      *l,
                      gboolean       with_album)
{
  FakeAlbum *album = l->album_id != NULL ? g_hash_table_lookup (self->albums, l->album_id) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, l->id);
  json_builder_set_member_name (b, "description");
  if (l->description != NULL)
    json_builder_add_string_value (b, l->description);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "password");
  if (l->password != NULL)
    json_builder_add_string_value (b, l->password);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "userId");
  json_builder_add_string_value (b, l->user_id);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, l->key);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, l->type);
  json_builder_set_member_name (b, "createdAt");
  json_builder_add_string_value (b, l->created_at);
  json_builder_set_member_name (b, "expiresAt");
  if (l->expires_at != NULL)
    json_builder_add_string_value (b, l->expires_at);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "assets");
  json_builder_begin_array (b);
  for (guint i = 0; i < l->asset_ids->len; i++)
    {
      FakeAsset *a = g_hash_table_lookup (self->assets, g_ptr_array_index (l->asset_ids, i));

      if (a != NULL)
        _pbi_fake_build_asset (self, b, a);
    }
  json_builder_end_array (b);
  if (with_album && album != NULL)
    {
      json_builder_set_member_name (b, "album");
      _pbi_fake_build_album (self, b, album, FALSE);
    }
  json_builder_set_member_name (b, "allowUpload");
  json_builder_add_boolean_value (b, l->allow_upload);
  json_builder_set_member_name (b, "allowDownload");
  json_builder_add_boolean_value (b, l->allow_download);
  json_builder_set_member_name (b, "showMetadata");
  json_builder_add_boolean_value (b, l->show_metadata);
  if (self->family != FAMILY_V1)
    {
      json_builder_set_member_name (b, "slug");
      json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
}

static void
route_links_post (PbiFakeServer     *self,
                  SoupServerMessage *msg,
                  FakeUser          *user,
                  Reply             *r)
{
  g_autoptr(JsonNode) root = _pbi_fake_parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *obj;
  const gchar *type, *album_id = NULL;
  JsonArray *asset_ids = NULL;
  FakeLink *link;
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  type = obj != NULL ? json_object_get_string_member_with_default (obj, "type", NULL) : NULL;
  _pbi_fake_issues_init (&iss);
  if (g_strcmp0 (type, "ALBUM") != 0 && g_strcmp0 (type, "INDIVIDUAL") != 0)
    {
      _pbi_fake_issue_zod (&iss, "invalid_value", "type", -1, NULL,
                           "Invalid option: expected one of \"ALBUM\"|\"INDIVIDUAL\"");
      _pbi_fake_issue_msg (&iss, "type must be one of the following values: ALBUM, INDIVIDUAL");
    }
  if (obj != NULL && json_object_has_member (obj, "albumId"))
    {
      JsonNode *node = json_object_get_member (obj, "albumId");

      album_id = _pbi_fake_node_is_string (node) ? json_node_get_string (node) : NULL;
      if (album_id == NULL || !g_uuid_string_is_valid (album_id))
        {
          _pbi_fake_issue_uuid (&iss, "albumId", -1);
          _pbi_fake_issue_msg (&iss, "albumId must be a UUID");
        }
    }
  if (obj != NULL && json_object_has_member (obj, "assetIds"))
    asset_ids = _pbi_fake_check_uuid_array (self, obj, "assetIds", &iss);
  if (!_pbi_fake_issues_empty (&iss))
    {
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  _pbi_fake_issues_clear (&iss);

  if (g_strcmp0 (type, "ALBUM") == 0)
    {
      FakeAlbum *album = album_id != NULL ? g_hash_table_lookup (self->albums, album_id) : NULL;

      if (album_id == NULL)
        {
          _pbi_fake_reply_error (self, r, 400, "Invalid albumId");
          return;
        }
      if (album == NULL || g_strcmp0 (album->owner_id, user->id) != 0)
        {
          _pbi_fake_reply_error (self, r, 400, "Not found or no album.share access");
          return;
        }
    }
  else
    {
      if (asset_ids == NULL || json_array_get_length (asset_ids) == 0)
        {
          _pbi_fake_reply_error (self, r, 400, "Invalid assetIds");
          return;
        }
      for (guint i = 0; i < json_array_get_length (asset_ids); i++)
        {
          FakeAsset *a = g_hash_table_lookup (self->assets,
                                              json_array_get_string_element (asset_ids, i));

          if (a == NULL || g_strcmp0 (a->owner_id, user->id) != 0)
            {
              _pbi_fake_reply_error (self, r, 400, "Not found or no asset.share access");
              return;
            }
        }
    }

  link = _pbi_fake_add_link_locked (self, user->id, type,
                                    g_strcmp0 (type, "ALBUM") == 0 ? album_id : NULL);
  if (obj != NULL)
    link->description = g_strdup (json_object_get_string_member_with_default (obj, "description",
                                                                              NULL));
  /* password, expiresAt and the allow flags are kept and answered back as
   * sent (server/src/dtos/shared-link.dto.ts, mapSharedLink) */
  if (obj != NULL)
    {
      link->password = g_strdup (json_object_get_string_member_with_default (obj, "password",
                                                                             NULL));
      link->expires_at = g_strdup (json_object_get_string_member_with_default (obj, "expiresAt",
                                                                               NULL));
      link->allow_download = json_object_get_boolean_member_with_default (obj, "allowDownload",
                                                                          TRUE);
      link->allow_upload = json_object_get_boolean_member_with_default (obj, "allowUpload",
                                                                        FALSE);
      link->show_metadata = json_object_get_boolean_member_with_default (obj, "showMetadata",
                                                                         TRUE);
    }
  for (guint i = 0; asset_ids != NULL && g_strcmp0 (type, "INDIVIDUAL") == 0
                    && i < json_array_get_length (asset_ids); i++)
    g_ptr_array_add (link->asset_ids, g_strdup (json_array_get_string_element (asset_ids, i)));
  _pbi_fake_build_link (self, b, link, FALSE);
  _pbi_fake_reply_builder (r, 201, b);
}

static FakeLink *
find_link (PbiFakeServer *self,
           FakeUser      *user,
           const gchar   *id)
{
  for (guint i = 0; i < self->links->len; i++)
    {
      FakeLink *l = g_ptr_array_index (self->links, i);

      if (g_strcmp0 (l->id, id) == 0 && g_strcmp0 (l->user_id, user->id) == 0)
        return l;
    }
  return NULL;
}

gboolean
_pbi_fake_route_links (PbiFakeServer     *self,
                       SoupServerMessage *msg,
                       GHashTable        *query,
                       const gchar       *method,
                       gchar            **seg,
                       guint              n,
                       Reply             *r)
{
  gboolean get = g_strcmp0 (method, "GET") == 0;
  gboolean post = g_strcmp0 (method, "POST") == 0;
  gboolean del = g_strcmp0 (method, "DELETE") == 0;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  FakeUser *user;
  FakeLink *link;

  if (!SEG_IS_AT (seg, n, 0, self->family == FAMILY_V1 ? "shared-link" : "shared-links"))
    return FALSE;

  if (n == 1 && post)
    {
      user = _pbi_fake_authenticate (self, msg, query, PERM ("sharedLink.create"), NULL, r);
      if (user != NULL)
        route_links_post (self, msg, user, r);
      return TRUE;
    }
  if (n == 1 && get)
    {
      user = _pbi_fake_authenticate (self, msg, query, PERM ("sharedLink.read"), NULL, r);
      if (user == NULL)
        return TRUE;
      json_builder_begin_array (b);
      for (guint i = 0; i < self->links->len; i++)
        {
          link = g_ptr_array_index (self->links, i);
          if (g_strcmp0 (link->user_id, user->id) == 0)
            _pbi_fake_build_link (self, b, link, TRUE);
        }
      json_builder_end_array (b);
      _pbi_fake_reply_builder (r, 200, b);
      return TRUE;
    }
  if (n == 2 && (get || del))
    {
      user = _pbi_fake_authenticate (self, msg, query,
                                     get ? PERM ("sharedLink.read") : PERM ("sharedLink.delete"),
                                     NULL, r);
      if (user == NULL || !_pbi_fake_check_uuid_param (self, seg[1], r))
        return TRUE;
      link = find_link (self, user, seg[1]);
      if (link == NULL)
        {
          _pbi_fake_reply_error (self, r, 400, "Shared link not found");
          return TRUE;
        }
      if (get)
        {
          _pbi_fake_build_link (self, b, link, TRUE);
          _pbi_fake_reply_builder (r, 200, b);
        }
      else
        {
          g_ptr_array_remove (self->links, link);
          _pbi_fake_reply_empty (r, self->family == FAMILY_V1 ? 200 : 204);
        }
      return TRUE;
    }
  return FALSE;
}
