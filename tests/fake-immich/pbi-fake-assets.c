/* pbi-fake-assets.c: the fake Immich server's asset routes: upload, bulk check, trash, search, originals
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * server/src/controllers/asset-media.controller.ts (upload, original),
 * asset.controller.ts (get, delete, statistics), trash.controller.ts and
 * search.controller.ts per family, with the validation wording the real
 * 3.1.0 (zod) and 2.0.1 (class-validator) servers answered.
 */

#include "config.h"

#include <string.h>

#include "pbi-fake-server-private.h"

/* Who may see an asset: its owner, and the members of an album holding it. */
static gboolean
asset_readable (PbiFakeServer *self,
                FakeAsset     *asset,
                const gchar   *user_id)
{
  if (asset == NULL)
    return FALSE;
  if (g_strcmp0 (asset->owner_id, user_id) == 0)
    return TRUE;
  for (guint i = 0; i < self->album_order->len; i++)
    {
      FakeAlbum *a = g_ptr_array_index (self->album_order, i);

      if (g_hash_table_contains (a->asset_set, asset->id) && _pbi_fake_album_can_read (a, user_id))
        return TRUE;
    }
  return FALSE;
}

static JsonArray *
ids_body (PbiFakeServer     *self,
          SoupServerMessage *msg,
          JsonNode         **root_out,
          Reply             *r)
{
  g_autoptr(JsonNode) root = _pbi_fake_parse_body (self, msg, r);
  JsonObject *obj;
  JsonArray *ids;
  Issues iss;

  if (root == NULL)
    return NULL;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  _pbi_fake_issues_init (&iss);
  ids = _pbi_fake_check_uuid_array (self, obj, "ids", &iss);
  if (ids == NULL)
    _pbi_fake_reply_issues (self, r, &iss);
  _pbi_fake_issues_clear (&iss);
  if (ids != NULL)
    *root_out = g_steal_pointer (&root);
  return ids;
}

/* requireAccess(asset.delete, ids): every id must be the user's */
static gboolean
all_owned (PbiFakeServer *self,
           JsonArray     *ids,
           FakeUser      *user,
           Reply         *r)
{
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      FakeAsset *a = g_hash_table_lookup (self->assets, json_array_get_string_element (ids, i));

      if (a == NULL || g_strcmp0 (a->owner_id, user->id) != 0)
        {
          _pbi_fake_reply_error (self, r, 400, "Not found or no asset.delete access");
          return FALSE;
        }
    }
  return TRUE;
}

static void
route_bulk_check (PbiFakeServer     *self,
                  SoupServerMessage *msg,
                  FakeUser          *user,
                  Reply             *r)
{
  g_autoptr(JsonNode) root = _pbi_fake_parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *obj;
  JsonNode *assets_node;
  JsonArray *items;
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  assets_node = obj != NULL ? json_object_get_member (obj, "assets") : NULL;
  _pbi_fake_issues_init (&iss);
  if (assets_node == NULL || !JSON_NODE_HOLDS_ARRAY (assets_node))
    {
      _pbi_fake_issue_missing (&iss, "assets", "array", _pbi_fake_received_type (assets_node));
      _pbi_fake_issue_msg (&iss, "assets must be an array");
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  items = json_node_get_array (assets_node);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      JsonNode *id = o != NULL ? json_object_get_member (o, "id") : NULL;
      JsonNode *checksum = o != NULL ? json_object_get_member (o, "checksum") : NULL;

      if (!_pbi_fake_node_is_string (id) || !_pbi_fake_node_is_string (checksum))
        {
          const gchar *field = _pbi_fake_node_is_string (id) ? "checksum" : "id";
          g_autofree gchar *m = g_strdup_printf ("assets.%u.%s must be a string", i, field);
          JsonObject *zo = json_object_new ();
          JsonArray *path = json_array_new ();

          json_object_set_string_member (zo, "expected", "string");
          json_object_set_string_member (zo, "code", "invalid_type");
          json_array_add_string_element (path, "assets");
          json_array_add_int_element (path, i);
          json_array_add_string_element (path, field);
          json_object_set_array_member (zo, "path", path);
          json_object_set_string_member (zo, "message", "Invalid input: expected string");
          json_array_add_object_element (iss.zod, zo);
          _pbi_fake_issue_msg (&iss, m);
        }
    }
  if (!_pbi_fake_issues_empty (&iss))
    {
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  _pbi_fake_issues_clear (&iss);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *o = json_array_get_object_element (items, i);
      const gchar *id = json_object_get_string_member (o, "id");
      g_autofree gchar *hex = _pbi_fake_checksum_to_hex (json_object_get_string_member (o,
                                                                                      "checksum"));
      FakeAsset *dup = hex != NULL ? _pbi_fake_find_asset_by_checksum (self, user->id, hex) : NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, dup != NULL ? "reject" : "accept");
      if (dup != NULL)
        {
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, "duplicate");
          json_builder_set_member_name (b, "assetId");
          json_builder_add_string_value (b, dup->id);
          if (self->family != FAMILY_V1)
            {
              json_builder_set_member_name (b, "isTrashed");
              json_builder_add_boolean_value (b, dup->trashed);
            }
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
reply_upload (PbiFakeServer *self,
              Reply         *r,
              FakeAsset     *asset,
              gboolean       duplicate)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (self->family == FAMILY_V1)
    {
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, asset->id);
      json_builder_set_member_name (b, "duplicate");
      json_builder_add_boolean_value (b, duplicate);
    }
  else
    {
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, duplicate ? "duplicate" : "created");
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, asset->id);
    }
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, duplicate ? 200 : 201, b);
}

/* strict: 3.x's zod ISO 8601 datetime, which wants the time and a Z or
 * an offset */
static gboolean
valid_date (const gchar *s,
            gboolean     strict)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  gsize len;

  if (s == NULL || *s == '\0')
    return FALSE;
  dt = g_date_time_new_from_iso8601 (s, utc);
  if (dt == NULL)
    return FALSE;
  if (!strict)
    return TRUE;
  len = strlen (s);
  return s[len - 1] == 'Z'
         || (len > 6 && (s[len - 6] == '+' || s[len - 6] == '-') && s[len - 3] == ':');
}

static gboolean
valid_number (const gchar *s)
{
  gchar *end = NULL;

  if (s == NULL || *s == '\0')
    return FALSE;
  g_ascii_strtod (s, &end);
  return end != NULL && *end == '\0';
}

static void
issue_date_v3 (Issues      *iss,
               const gchar *field,
               const gchar *value)
{
  if (value == NULL)
    _pbi_fake_issue_zod (iss, "invalid_type", field, -1, "string",
                         "Invalid input: expected ISO 8601 datetime string, received undefined");
  else if (!valid_date (value, TRUE))
    _pbi_fake_issue_zod (iss, "invalid_format", field, -1, "datetime",
                         "Invalid input: expected ISO 8601 datetime string, received string");
}

static void
route_upload (PbiFakeServer     *self,
              SoupServerMessage *msg,
              FakeUser          *user,
              RequestCtx        *ctx,
              Reply             *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *header_sum = soup_message_headers_get_one (headers, "x-immich-checksum");
  g_autofree gchar *header_hex = header_sum != NULL ? _pbi_fake_checksum_to_hex (header_sum)
                                                    : NULL;
  UploadParts *p = &ctx->parts;
  GHashTable *f = p->fields;
  const gchar *created = g_hash_table_lookup (f, "fileCreatedAt");
  const gchar *modified = g_hash_table_lookup (f, "fileModifiedAt");
  const gchar *duration = g_hash_table_lookup (f, "duration");
  const gchar *filename;
  FakeAsset *asset;
  Issues iss;

  self->uploads++;

  /* Like the real server: a known x-immich-checksum is a duplicate at
   * once, whatever the body holds. */
  if (header_hex != NULL)
    {
      asset = _pbi_fake_find_asset_by_checksum (self, user->id, header_hex);
      if (asset != NULL)
        {
          reply_upload (self, r, asset, TRUE);
          return;
        }
    }

  if (ctx->parse_error || p->checksum == NULL || p->asset_parts != 1)
    {
      /* FileUploadInterceptor / ParseFilePipe: no assetData part */
      self->rejected++;
      _pbi_fake_reply_error (self, r, 400, self->family == FAMILY_V1
                                           ? "Field(s) assetData should not be empty"
                                           : "File is required");
      return;
    }

  /* The type is checked on the multipart name (the upload interceptor);
   * originalFileName = dto.filename || file.originalName, the text field
   * from 1.106 (asset-media.dto.ts) and the multipart name before
   * (asset-v1.dto.ts has no filename). */
  if (!_pbi_fake_is_asset_filename (self, p->filename))
    {
      g_autofree gchar *m = g_strdup_printf ("Unsupported file type %s", p->filename);

      self->rejected++;
      _pbi_fake_reply_error (self, r, 400, m);
      return;
    }

  _pbi_fake_issues_init (&iss);
  if (self->family != FAMILY_V3)
    {
      const gchar *dai = g_hash_table_lookup (f, "deviceAssetId");
      const gchar *di = g_hash_table_lookup (f, "deviceId");

      if (dai == NULL || *dai == '\0')
        {
          _pbi_fake_issue_msg (&iss, "deviceAssetId must be a string");
          _pbi_fake_issue_msg (&iss, "deviceAssetId should not be empty");
        }
      if (di == NULL || *di == '\0')
        {
          _pbi_fake_issue_msg (&iss, "deviceId must be a string");
          _pbi_fake_issue_msg (&iss, "deviceId should not be empty");
        }
      /* ValidateDate(): a present but unparsable date fails in its
       * Transform with a plain message; a missing one in IsDate/IsNotEmpty */
      if ((created != NULL && !valid_date (created, FALSE))
          || (modified != NULL && !valid_date (modified, FALSE)))
        {
          self->rejected++;
          _pbi_fake_reply_error (self, r, 400, created != NULL && !valid_date (created, FALSE)
                                               ? "fileCreatedAt must be a date string"
                                               : "fileModifiedAt must be a date string");
          _pbi_fake_issues_clear (&iss);
          return;
        }
      if (created == NULL)
        {
          _pbi_fake_issue_msg (&iss, "fileCreatedAt must be a Date instance");
          _pbi_fake_issue_msg (&iss, "fileCreatedAt should not be empty");
        }
      if (modified == NULL)
        {
          _pbi_fake_issue_msg (&iss, "fileModifiedAt must be a Date instance");
          _pbi_fake_issue_msg (&iss, "fileModifiedAt should not be empty");
        }
    }
  else
    {
      issue_date_v3 (&iss, "fileCreatedAt", created);
      issue_date_v3 (&iss, "fileModifiedAt", modified);
      if (duration != NULL && !valid_number (duration))
        _pbi_fake_issue_missing (&iss, "duration", "number", "NaN");
    }
  if (!_pbi_fake_issues_empty (&iss))
    {
      self->rejected++;
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  _pbi_fake_issues_clear (&iss);

  /* Beyond the real server: the bytes must match the announced checksum. */
  if (header_hex != NULL && g_strcmp0 (header_hex, p->checksum) != 0)
    {
      self->rejected++;
      _pbi_fake_reply_error (self, r, 400, "Checksum mismatch: the received file does not "
                                           "match x-immich-checksum");
      return;
    }

  asset = _pbi_fake_find_asset_by_checksum (self, user->id, p->checksum);
  if (asset != NULL)
    {
      reply_upload (self, r, asset, TRUE);
      return;
    }

  filename = self->family != FAMILY_V1 ? g_hash_table_lookup (f, "filename") : NULL;
  if (filename == NULL || *filename == '\0')
    filename = p->filename;
  asset = _pbi_fake_add_asset_locked (self, user->id, p->checksum, p->asset_size, filename,
                                      created);
  g_free (asset->file_modified_at);
  asset->file_modified_at = g_strdup (modified != NULL ? modified : asset->file_created_at);
  asset->device_asset_id = g_strdup (g_hash_table_lookup (f, "deviceAssetId"));
  asset->device_id = g_strdup (g_hash_table_lookup (f, "deviceId"));
  if (p->data != NULL && p->data->len == p->asset_size)
    asset->data = g_byte_array_free_to_bytes (g_steal_pointer (&p->data));
  reply_upload (self, r, asset, FALSE);
}

/* POST /trash/restore/assets {ids}: trash.service restoreAssets answers
 * {count: ids.length} once every id passed the asset.delete access check,
 * whether or not the asset was in the trash. */
static void
route_trash_restore (PbiFakeServer     *self,
                     SoupServerMessage *msg,
                     FakeUser          *user,
                     Reply             *r)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonArray *ids = ids_body (self, msg, &root, r);

  if (ids == NULL)
    return;
  if (json_array_get_length (ids) > 0 && !all_owned (self, ids, user, r))
    return;
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      FakeAsset *a = g_hash_table_lookup (self->assets, json_array_get_string_element (ids, i));

      a->trashed = FALSE;
    }
  if (!_pbi_fake_version_at_least (self, 1, 113))
    {
      _pbi_fake_reply_empty (r, 204);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, json_array_get_length (ids));
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* DELETE /assets {ids, force}: to the trash, or for good with force */
static void
route_assets_delete (PbiFakeServer     *self,
                     SoupServerMessage *msg,
                     FakeUser          *user,
                     Reply             *r)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *ids = ids_body (self, msg, &root, r);
  JsonObject *obj;
  gboolean force;

  if (ids == NULL)
    return;
  obj = json_node_get_object (root);
  force = json_object_get_boolean_member_with_default (obj, "force", FALSE);
  if (!all_owned (self, ids, user, r))
    return;
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      FakeAsset *a = g_hash_table_lookup (self->assets, json_array_get_string_element (ids, i));

      if (a == NULL)
        continue;   /* the same id twice */
      if (force)
        _pbi_fake_remove_asset_locked (self, a);
      else
        a->trashed = TRUE;
    }
  _pbi_fake_reply_empty (r, 204);
}

static void
route_asset_get (PbiFakeServer *self,
                 FakeUser      *user,
                 const gchar   *id,
                 Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  FakeAsset *a;

  if (!_pbi_fake_check_uuid_param (self, id, r))
    return;
  a = g_hash_table_lookup (self->assets, id);
  if (!asset_readable (self, a, user->id))
    {
      _pbi_fake_reply_error (self, r, 400, "Not found or no asset.read access");
      return;
    }
  _pbi_fake_build_asset (self, b, a);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
route_asset_original (PbiFakeServer *self,
                      FakeUser      *user,
                      const gchar   *id,
                      Reply         *r)
{
  FakeAsset *a;
  gsize len = 0;
  const gchar *data;

  if (!_pbi_fake_check_uuid_param (self, id, r))
    return;
  a = g_hash_table_lookup (self->assets, id);
  if (!asset_readable (self, a, user->id))
    {
      _pbi_fake_reply_error (self, r, 400, "Not found or no asset.download access");
      return;
    }
  if (a->data == NULL)
    {
      /* beyond the fake: originals over FAKE_KEEP_ORIGINAL_MAX or added
       * through the C API have no bytes */
      _pbi_fake_reply_error (self, r, 404, "fake-immich did not keep this original");
      return;
    }
  data = g_bytes_get_data (a->data, &len);
  g_free (r->body);
  r->body = g_memdup2 (data, len);
  r->body_len = len;
  r->status = 200;
  r->content_type = g_str_has_suffix (a->filename, ".jpg") || g_str_has_suffix (a->filename,
                                                                                ".jpeg")
                    ? "image/jpeg" : "application/octet-stream";
}

static void
route_assets_statistics (PbiFakeServer *self,
                         FakeUser      *user,
                         Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint images = 0;

  for (guint i = 0; i < self->asset_order->len; i++)
    {
      FakeAsset *a = g_ptr_array_index (self->asset_order, i);

      if (g_strcmp0 (a->owner_id, user->id) == 0 && !a->trashed)
        images++;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, images);
  json_builder_set_member_name (b, "videos");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, images);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* POST /assets/exist {deviceAssetIds, deviceId} (1.x, 2.x; gone in 3.x) */
static void
route_assets_exist (PbiFakeServer     *self,
                    SoupServerMessage *msg,
                    FakeUser          *user,
                    Reply             *r)
{
  g_autoptr(JsonNode) root = _pbi_fake_parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *obj;
  JsonArray *wanted;
  const gchar *device;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  wanted = obj != NULL && json_object_has_member (obj, "deviceAssetIds")
           && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "deviceAssetIds"))
           ? json_object_get_array_member (obj, "deviceAssetIds") : NULL;
  device = obj != NULL ? json_object_get_string_member_with_default (obj, "deviceId", NULL) : NULL;
  if (wanted == NULL || device == NULL)
    {
      Issues iss;

      _pbi_fake_issues_init (&iss);
      if (wanted == NULL)
        _pbi_fake_issue_msg (&iss, "deviceAssetIds should not be empty");
      if (device == NULL)
        _pbi_fake_issue_msg (&iss, "deviceId must be a string");
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "existingIds");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->asset_order->len; i++)
    {
      FakeAsset *a = g_ptr_array_index (self->asset_order, i);

      if (g_strcmp0 (a->owner_id, user->id) != 0 || g_strcmp0 (a->device_id, device) != 0)
        continue;
      for (guint j = 0; j < json_array_get_length (wanted); j++)
        {
          JsonNode *el = json_array_get_element (wanted, j);

          if (_pbi_fake_node_is_string (el)
              && g_strcmp0 (json_node_get_string (el), a->device_asset_id) == 0)
            {
              json_builder_add_string_value (b, a->device_asset_id);
              break;
            }
        }
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* POST /search/metadata: the user's assets, filtered by checksum,
 * albumIds (the user must be able to read each album), trash; paged by
 * page (from 1) and size (default 250, at most 1000). */
static void
route_search_metadata (PbiFakeServer     *self,
                       SoupServerMessage *msg,
                       FakeUser          *user,
                       Reply             *r)
{
  g_autoptr(JsonNode) root = _pbi_fake_parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) hits = g_ptr_array_new ();
  g_autoptr(GPtrArray) albums = g_ptr_array_new ();
  g_autofree gchar *hex = NULL;
  JsonObject *obj;
  JsonArray *album_ids = NULL;
  gint64 page, size;
  gboolean with_deleted, only_trashed;
  guint first, count;
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (obj == NULL)
    obj = json_node_get_object (json_node_init_object (root, json_object_new ()));
  _pbi_fake_issues_init (&iss);
  if (json_object_has_member (obj, "albumIds"))
    album_ids = _pbi_fake_check_uuid_array (self, obj, "albumIds", &iss);
  page = json_object_get_int_member_with_default (obj, "page", 1);
  size = json_object_get_int_member_with_default (obj, "size", 250);
  if (page < 1)
    {
      _pbi_fake_issue_zod (&iss, "too_small", "page", -1, NULL,
                           "Too small: expected number to be >=1");
      _pbi_fake_issue_msg (&iss, "page must not be less than 1");
    }
  if (size < 1 || size > 1000)
    {
      _pbi_fake_issue_zod (&iss, size < 1 ? "too_small" : "too_big", "size", -1, NULL,
                           size < 1 ? "Too small: expected number to be >=1"
                                    : "Too big: expected number to be <=1000");
      _pbi_fake_issue_msg (&iss, size < 1 ? "size must not be less than 1"
                                          : "size must not be greater than 1000");
    }
  if (!_pbi_fake_issues_empty (&iss))
    {
      _pbi_fake_reply_issues (self, r, &iss);
      _pbi_fake_issues_clear (&iss);
      return;
    }
  _pbi_fake_issues_clear (&iss);
  for (guint i = 0; album_ids != NULL && i < json_array_get_length (album_ids); i++)
    {
      FakeAlbum *a = g_hash_table_lookup (self->albums,
                                          json_array_get_string_element (album_ids, i));

      if (a == NULL || !_pbi_fake_album_can_read (a, user->id))
        {
          _pbi_fake_reply_error (self, r, 400, "Not found or no album.read access");
          return;
        }
      g_ptr_array_add (albums, a);
    }
  if (json_object_has_member (obj, "checksum"))
    {
      const gchar *sum = json_object_get_string_member_with_default (obj, "checksum", "");

      hex = _pbi_fake_checksum_to_hex (sum);
      if (hex == NULL)
        hex = g_strdup ("-");
    }
  with_deleted = json_object_get_boolean_member_with_default (obj, "withDeleted", FALSE);
  only_trashed = json_object_get_boolean_member_with_default (obj, "isTrashed", FALSE)
                 || json_object_has_member (obj, "trashedBefore")
                 || json_object_has_member (obj, "trashedAfter");

  for (guint i = 0; i < self->asset_order->len; i++)
    {
      FakeAsset *a = g_ptr_array_index (self->asset_order, i);
      gboolean in_all = TRUE;

      if (g_strcmp0 (a->owner_id, user->id) != 0)
        continue;
      if (only_trashed ? !a->trashed : (a->trashed && !with_deleted))
        continue;
      if (hex != NULL && g_strcmp0 (hex, a->checksum) != 0)
        continue;
      for (guint j = 0; j < albums->len; j++)
        if (!g_hash_table_contains (((FakeAlbum *) g_ptr_array_index (albums, j))->asset_set,
                                    a->id))
          in_all = FALSE;
      if (in_all)
        g_ptr_array_add (hits, a);
    }

  first = MIN ((guint64) (page - 1) * (guint64) size, hits->len);
  count = MIN ((guint) size, hits->len - first);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "albums");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "facets");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "assets");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, count);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, count);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = first; i < first + count; i++)
    _pbi_fake_build_asset (self, b, g_ptr_array_index (hits, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "facets");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "nextPage");
  if (first + count < hits->len)
    {
      g_autofree gchar *next = g_strdup_printf ("%" G_GINT64_FORMAT, page + 1);

      json_builder_add_string_value (b, next);
    }
  else
    {
      json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

gboolean
_pbi_fake_route_assets (PbiFakeServer     *self,
                        SoupServerMessage *msg,
                        GHashTable        *query,
                        const gchar       *method,
                        gchar            **seg,
                        guint              n,
                        RequestCtx        *ctx,
                        Reply             *r)
{
  gboolean v1 = self->family == FAMILY_V1;
  gboolean get = g_strcmp0 (method, "GET") == 0;
  gboolean post = g_strcmp0 (method, "POST") == 0;
  gboolean del = g_strcmp0 (method, "DELETE") == 0;
  const gchar *assets = v1 ? "asset" : "assets";
  FakeUser *user;

  if (post && ctx != NULL && ctx->is_upload)
    {
      user = _pbi_fake_authenticate (self, msg, query, "asset.upload", NULL, r);
      if (user != NULL)
        route_upload (self, msg, user, ctx, r);
      return TRUE;
    }
  if (post && n == 3 && SEG_IS_AT (seg, n, 0, "trash") && SEG_IS_AT (seg, n, 1, "restore")
      && SEG_IS_AT (seg, n, 2, "assets"))
    {
      user = _pbi_fake_authenticate (self, msg, query, "asset.delete", NULL, r);
      if (user != NULL)
        route_trash_restore (self, msg, user, r);
      return TRUE;
    }
  if (post && n == 2 && SEG_IS_AT (seg, n, 0, "search") && SEG_IS_AT (seg, n, 1, "metadata"))
    {
      user = _pbi_fake_authenticate (self, msg, query, PERM ("asset.read"), NULL, r);
      if (user != NULL)
        route_search_metadata (self, msg, user, r);
      return TRUE;
    }
  if (!SEG_IS_AT (seg, n, 0, assets))
    return FALSE;

  if (post && n == 2 && SEG_IS_AT (seg, n, 1, "bulk-upload-check"))
    {
      user = _pbi_fake_authenticate (self, msg, query, "asset.upload", NULL, r);
      if (user != NULL)
        route_bulk_check (self, msg, user, r);
      return TRUE;
    }
  if (post && n == 2 && SEG_IS_AT (seg, n, 1, "exist") && self->family != FAMILY_V3)
    {
      user = _pbi_fake_authenticate (self, msg, query, "all", NULL, r);
      if (user != NULL)
        route_assets_exist (self, msg, user, r);
      return TRUE;
    }
  if (del && n == 1)
    {
      user = _pbi_fake_authenticate (self, msg, query, "asset.delete", NULL, r);
      if (user != NULL)
        route_assets_delete (self, msg, user, r);
      return TRUE;
    }
  if (get && n == 2 && SEG_IS_AT (seg, n, 1, "statistics"))
    {
      user = _pbi_fake_authenticate (self, msg, query, PERM ("asset.statistics"), NULL, r);
      if (user != NULL)
        route_assets_statistics (self, user, r);
      return TRUE;
    }
  /* 1.9x: GET /asset/file/{id}; later GET /assets/{id}/original */
  if (get && ((v1 && n == 3 && SEG_IS_AT (seg, n, 1, "file"))
              || (!v1 && n == 3 && SEG_IS_AT (seg, n, 2, "original"))))
    {
      user = _pbi_fake_authenticate (self, msg, query, PERM ("asset.download"), NULL, r);
      if (user != NULL)
        route_asset_original (self, user, v1 ? seg[2] : seg[1], r);
      return TRUE;
    }
  if (get && n == 2)
    {
      user = _pbi_fake_authenticate (self, msg, query, PERM ("asset.read"), NULL, r);
      if (user != NULL)
        route_asset_get (self, user, seg[1], r);
      return TRUE;
    }
  return FALSE;
}
