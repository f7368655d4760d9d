/* pbi-fake-views.c: the fake Immich server's JSON views of users, albums, assets and its state
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Views follow the real server's DTOs (server/src/dtos: user.dto.ts,
 * album.dto.ts, asset-response.dto.ts) per family, as recorded from real
 * Immich 3.1.0 and 2.0.1 servers (tests/contract/recorded).
 */

#include "config.h"

#include <string.h>

#include "pbi-fake-server-private.h"

/* ------------------------------------------------------------------ */
/* JSON views                                                          */

#define MEMBER_STRING(b, name, value) \
  G_STMT_START { \
    json_builder_set_member_name ((b), (name)); \
    if ((value) != NULL) \
      json_builder_add_string_value ((b), (value)); \
    else \
      json_builder_add_null_value ((b)); \
  } G_STMT_END

void
_pbi_fake_build_user (JsonBuilder *b,
                      FakeUser    *u)
{
  json_builder_begin_object (b);
  MEMBER_STRING (b, "id", u->id);
  MEMBER_STRING (b, "email", u->email);
  MEMBER_STRING (b, "name", u->name);
  MEMBER_STRING (b, "profileImagePath", "");
  MEMBER_STRING (b, "avatarColor", "primary");
  MEMBER_STRING (b, "profileChangedAt", u->created_at);
  json_builder_end_object (b);
}

void
_pbi_fake_build_user_admin (PbiFakeServer *self,
                            JsonBuilder   *b,
                            FakeUser      *u)
{
  json_builder_begin_object (b);
  MEMBER_STRING (b, "id", u->id);
  MEMBER_STRING (b, "email", u->email);
  MEMBER_STRING (b, "name", u->name);
  MEMBER_STRING (b, "profileImagePath", "");
  MEMBER_STRING (b, "avatarColor", "primary");
  MEMBER_STRING (b, "profileChangedAt", u->created_at);
  MEMBER_STRING (b, "storageLabel", NULL);
  json_builder_set_member_name (b, "shouldChangePassword");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "isAdmin");
  json_builder_add_boolean_value (b, u == g_ptr_array_index (self->user_order, 0));
  MEMBER_STRING (b, "createdAt", u->created_at);
  MEMBER_STRING (b, "updatedAt", u->created_at);
  MEMBER_STRING (b, "deletedAt", NULL);
  MEMBER_STRING (b, "oauthId", "");
  MEMBER_STRING (b, "quotaSizeInBytes", NULL);
  json_builder_set_member_name (b, "quotaUsageInBytes");
  json_builder_add_int_value (b, 0);
  MEMBER_STRING (b, "status", "active");
  /* user.dto.ts UserAdminResponseDto.license, from 1.109 */
  if (_pbi_fake_version_at_least (self, 1, 109))
    MEMBER_STRING (b, "license", NULL);
  json_builder_end_object (b);
}

static void
build_album_member (JsonBuilder *b,
                    FakeUser    *u,
                    const gchar *role)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "user");
  _pbi_fake_build_user (b, u);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, role);
  json_builder_end_object (b);
}

/* with_assets: GET /albums/{id}: the 1.x/2.x `assets` array is filled
 * rather than empty (lists, create), 3.x adds contributorCounts. */
void
_pbi_fake_build_album (PbiFakeServer *self,
                       JsonBuilder   *b,
                       FakeAlbum     *a,
                       gboolean       with_assets)
{
  FakeUser *owner = g_hash_table_lookup (self->users, a->owner_id);
  const gchar *start = NULL, *end = NULL;

  for (guint i = 0; i < a->assets->len; i++)
    {
      FakeAsset *asset = g_hash_table_lookup (self->assets, g_ptr_array_index (a->assets, i));

      if (asset == NULL)
        continue;
      if (start == NULL || g_strcmp0 (asset->file_created_at, start) < 0)
        start = asset->file_created_at;
      if (end == NULL || g_strcmp0 (asset->file_created_at, end) > 0)
        end = asset->file_created_at;
    }

  json_builder_begin_object (b);
  MEMBER_STRING (b, "id", a->id);
  MEMBER_STRING (b, "albumName", a->name);
  MEMBER_STRING (b, "description", "");
  MEMBER_STRING (b, "albumThumbnailAssetId",
                 a->assets->len > 0 ? g_ptr_array_index (a->assets, 0) : NULL);
  MEMBER_STRING (b, "createdAt", a->created_at);
  MEMBER_STRING (b, "updatedAt", a->updated_at);
  if (self->family != FAMILY_V3 && owner != NULL)
    {
      MEMBER_STRING (b, "ownerId", a->owner_id);
      json_builder_set_member_name (b, "owner");
      _pbi_fake_build_user (b, owner);
    }
  if (self->family == FAMILY_V1 && !_pbi_fake_version_at_least (self, 1, 102))
    {
      /* 1.90 - 1.101: sharedUsers, users without roles (all editors) */
      json_builder_set_member_name (b, "sharedUsers");
      json_builder_begin_array (b);
      for (guint i = 0; i < a->members->len; i++)
        {
          FakeMember *m = g_ptr_array_index (a->members, i);
          FakeUser *u = g_hash_table_lookup (self->users, m->user_id);

          if (u != NULL)
            _pbi_fake_build_user (b, u);
        }
      json_builder_end_array (b);
    }
  else
    {
      json_builder_set_member_name (b, "albumUsers");
      json_builder_begin_array (b);
      /* 3.x lists the owner among the album users with role "owner" */
      if (self->family == FAMILY_V3 && owner != NULL)
        build_album_member (b, owner, "owner");
      for (guint i = 0; i < a->members->len; i++)
        {
          FakeMember *m = g_ptr_array_index (a->members, i);
          FakeUser *u = g_hash_table_lookup (self->users, m->user_id);

          if (u != NULL)
            build_album_member (b, u, m->role);
        }
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "shared");
  json_builder_add_boolean_value (b, _pbi_fake_album_is_shared (self, a));
  json_builder_set_member_name (b, "hasSharedLink");
  json_builder_add_boolean_value (b, _pbi_fake_album_has_link (self, a));
  if (start != NULL)
    {
      MEMBER_STRING (b, "startDate", start);
      MEMBER_STRING (b, "endDate", end);
    }
  if (self->family != FAMILY_V3)
    {
      json_builder_set_member_name (b, "assets");
      json_builder_begin_array (b);
      for (guint i = 0; with_assets && i < a->assets->len; i++)
        {
          FakeAsset *asset = g_hash_table_lookup (self->assets, g_ptr_array_index (a->assets, i));

          if (asset != NULL && !asset->trashed)
            _pbi_fake_build_asset (self, b, asset);
        }
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "assetCount");
  json_builder_add_int_value (b, a->assets->len);
  json_builder_set_member_name (b, "isActivityEnabled");
  json_builder_add_boolean_value (b, TRUE);
  MEMBER_STRING (b, "order", "desc");
  if (a->last_asset_at != NULL && a->assets->len > 0)
    MEMBER_STRING (b, "lastModifiedAssetTimestamp", a->last_asset_at);
  /* 3.x GET /albums/{id} of a shared album: assets per contributor */
  if (self->family == FAMILY_V3 && with_assets && a->members->len > 0)
    {
      g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter iter;
      gpointer key, value;

      for (guint i = 0; i < a->assets->len; i++)
        {
          FakeAsset *asset = g_hash_table_lookup (self->assets, g_ptr_array_index (a->assets, i));

          if (asset != NULL)
            g_hash_table_insert (counts, asset->owner_id,
                                 GUINT_TO_POINTER (GPOINTER_TO_UINT (
                                   g_hash_table_lookup (counts, asset->owner_id)) + 1));
        }
      json_builder_set_member_name (b, "contributorCounts");
      json_builder_begin_array (b);
      g_hash_table_iter_init (&iter, counts);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          json_builder_begin_object (b);
          MEMBER_STRING (b, "userId", key);
          json_builder_set_member_name (b, "assetCount");
          json_builder_add_int_value (b, GPOINTER_TO_UINT (value));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static const gchar *
mime_type_of (const gchar *filename)
{
  g_autofree gchar *guess = g_content_type_guess (filename, NULL, 0, NULL);
  const gchar *dot = filename != NULL ? strrchr (filename, '.') : NULL;

  if (dot != NULL && (g_ascii_strcasecmp (dot, ".jpg") == 0
                      || g_ascii_strcasecmp (dot, ".jpeg") == 0))
    return "image/jpeg";
  if (guess != NULL && g_str_has_prefix (guess, "video/"))
    return "video/mp4";
  return "image/jpeg";
}

static gboolean
is_video (const gchar *filename)
{
  g_autofree gchar *guess = g_content_type_guess (filename, NULL, 0, NULL);

  return guess != NULL && g_str_has_prefix (guess, "video/");
}

/* asset-response.dto.ts AssetResponseDto per family (keys as recorded) */
void
_pbi_fake_build_asset (PbiFakeServer *self,
                       JsonBuilder   *b,
                       FakeAsset     *a)
{
  FakeUser *owner = g_hash_table_lookup (self->users, a->owner_id);
  g_autofree gchar *path = g_strdup_printf ("/data/upload/%s/%s", a->owner_id, a->filename);
  guint8 raw[20];
  gsize n = 0;
  g_autofree gchar *b64 = NULL;

  for (gsize i = 0; a->checksum[i] != '\0' && a->checksum[i + 1] != '\0' && n < sizeof raw;
       i += 2)
    raw[n++] = (g_ascii_xdigit_value (a->checksum[i]) << 4)
               | g_ascii_xdigit_value (a->checksum[i + 1]);
  b64 = g_base64_encode (raw, n);

  json_builder_begin_object (b);
  MEMBER_STRING (b, "id", a->id);
  MEMBER_STRING (b, "createdAt", a->created_at);
  if (self->family != FAMILY_V3)
    MEMBER_STRING (b, "deviceAssetId", a->device_asset_id != NULL ? a->device_asset_id : "");
  MEMBER_STRING (b, "ownerId", a->owner_id);
  if (owner != NULL)
    {
      json_builder_set_member_name (b, "owner");
      _pbi_fake_build_user (b, owner);
    }
  if (self->family != FAMILY_V3)
    MEMBER_STRING (b, "deviceId", a->device_id != NULL ? a->device_id : "");
  MEMBER_STRING (b, "libraryId", NULL);
  MEMBER_STRING (b, "type", is_video (a->filename) ? "VIDEO" : "IMAGE");
  MEMBER_STRING (b, "originalPath", path);
  MEMBER_STRING (b, "originalFileName", a->filename);
  MEMBER_STRING (b, "originalMimeType", mime_type_of (a->filename));
  MEMBER_STRING (b, "thumbhash", NULL);
  MEMBER_STRING (b, "fileCreatedAt", a->file_created_at);
  MEMBER_STRING (b, "fileModifiedAt", a->file_modified_at);
  MEMBER_STRING (b, "localDateTime", a->file_created_at);
  MEMBER_STRING (b, "updatedAt", a->created_at);
  json_builder_set_member_name (b, "isFavorite");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "isArchived");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "isTrashed");
  json_builder_add_boolean_value (b, a->trashed);
  if (self->family != FAMILY_V1)
    MEMBER_STRING (b, "visibility", "timeline");
  MEMBER_STRING (b, "duration", "0:00:00.00000");
  json_builder_set_member_name (b, "exifInfo");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fileSizeInByte");
  json_builder_add_int_value (b, a->size);
  json_builder_end_object (b);
  MEMBER_STRING (b, "livePhotoVideoId", NULL);
  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "people");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  if (self->family != FAMILY_V3)
    {
      json_builder_set_member_name (b, "unassignedFaces");
      json_builder_begin_array (b);
      json_builder_end_array (b);
    }
  MEMBER_STRING (b, "checksum", b64);
  MEMBER_STRING (b, "stack", NULL);
  json_builder_set_member_name (b, "isOffline");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "hasMetadata");
  json_builder_add_boolean_value (b, TRUE);
  MEMBER_STRING (b, "duplicateId", NULL);
  json_builder_set_member_name (b, "resized");
  json_builder_add_boolean_value (b, TRUE);
  if (self->family == FAMILY_V3)
    {
      json_builder_set_member_name (b, "width");
      json_builder_add_null_value (b);
      json_builder_set_member_name (b, "height");
      json_builder_add_null_value (b);
      json_builder_set_member_name (b, "isEdited");
      json_builder_add_boolean_value (b, FALSE);
    }
  json_builder_end_object (b);
}

JsonNode *
_pbi_fake_build_state_locked (PbiFakeServer *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GHashTableIter iter;
  gpointer key, value;

  json_builder_begin_object (b);
  MEMBER_STRING (b, "version", self->version);
  json_builder_set_member_name (b, "assets");
  json_builder_add_int_value (b, self->asset_order->len);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, self->bytes);
  json_builder_set_member_name (b, "uploads");
  json_builder_add_int_value (b, self->uploads);
  json_builder_set_member_name (b, "rejected");
  json_builder_add_int_value (b, self->rejected);
  json_builder_set_member_name (b, "requests");
  json_builder_add_int_value (b, self->requests);
  json_builder_set_member_name (b, "connections");
  json_builder_add_int_value (b, self->connections);
  json_builder_set_member_name (b, "routes");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, self->route_counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (b, key);
      json_builder_add_int_value (b, GPOINTER_TO_UINT (value));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "users");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->user_order->len; i++)
    {
      FakeUser *u = g_ptr_array_index (self->user_order, i);

      json_builder_begin_object (b);
      MEMBER_STRING (b, "id", u->id);
      MEMBER_STRING (b, "email", u->email);
      MEMBER_STRING (b, "name", u->name);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "albums");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->album_order->len; i++)
    {
      FakeAlbum *a = g_ptr_array_index (self->album_order, i);

      json_builder_begin_object (b);
      MEMBER_STRING (b, "id", a->id);
      MEMBER_STRING (b, "name", a->name);
      MEMBER_STRING (b, "owner", a->owner_id);
      json_builder_set_member_name (b, "users");
      json_builder_begin_array (b);
      for (guint j = 0; j < a->members->len; j++)
        {
          FakeMember *m = g_ptr_array_index (a->members, j);

          json_builder_begin_object (b);
          MEMBER_STRING (b, "id", m->user_id);
          MEMBER_STRING (b, "role", m->role);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "assets");
      json_builder_begin_array (b);
      for (guint j = 0; j < a->assets->len; j++)
        json_builder_add_string_value (b, g_ptr_array_index (a->assets, j));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "asset_list");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->asset_order->len; i++)
    {
      FakeAsset *a = g_ptr_array_index (self->asset_order, i);

      json_builder_begin_object (b);
      MEMBER_STRING (b, "id", a->id);
      MEMBER_STRING (b, "checksum", a->checksum);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, a->size);
      MEMBER_STRING (b, "filename", a->filename);
      MEMBER_STRING (b, "owner", a->owner_id);
      json_builder_set_member_name (b, "isTrashed");
      json_builder_add_boolean_value (b, a->trashed);
      MEMBER_STRING (b, "fileCreatedAt", a->file_created_at);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "shared_links");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->links->len; i++)
    {
      FakeLink *l = g_ptr_array_index (self->links, i);

      json_builder_begin_object (b);
      MEMBER_STRING (b, "id", l->id);
      MEMBER_STRING (b, "key", l->key);
      MEMBER_STRING (b, "owner", l->user_id);
      MEMBER_STRING (b, "type", l->type);
      MEMBER_STRING (b, "album", l->album_id);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  MEMBER_STRING (b, "externalDomain", self->external_domain != NULL ? self->external_domain : "");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
