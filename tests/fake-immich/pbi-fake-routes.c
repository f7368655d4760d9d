/* pbi-fake-routes.c: the fake Immich server's /api routing, authentication and the server, user and key routes
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Permissions follow each route's @Authenticated({ permission }) in
 * immich-app/immich server/src/controllers; the answers follow the
 * recorded real 3.1.0 and 2.0.1 servers (tests/contract/recorded).
 */

#include "config.h"

#include <string.h>

#include "pbi-fake-server-private.h"

/* ---- auth ---- */

/* Returns the key's user or NULL after filling r with 401/403.
 * permission NULL = any valid key (the real @Authenticated({permission:
 * false})); "all" = @Authenticated() without a permission. */
FakeUser *
_pbi_fake_authenticate (PbiFakeServer     *self,
                        SoupServerMessage *msg,
                        GHashTable        *query,
                        const gchar       *permission,
                        FakeKey          **key_out,
                        Reply             *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *key = soup_message_headers_get_one (headers, "x-api-key");
  FakeKey *k;
  FakeUser *u;

  if ((key == NULL || *key == '\0') && query != NULL)
    key = g_hash_table_lookup (query, "apiKey");
  if (key == NULL || *key == '\0')
    {
      _pbi_fake_reply_error (self, r, 401, "Authentication required");
      return NULL;
    }
  k = g_hash_table_lookup (self->keys, key);
  u = k != NULL ? g_hash_table_lookup (self->users, k->user_id) : NULL;
  if (u == NULL)
    {
      _pbi_fake_reply_error (self, r, 401, "Invalid API key");
      return NULL;
    }
  if (permission != NULL && _pbi_fake_has_permissions (self)
      && !g_strv_contains ((const gchar * const *) k->permissions, "all")
      && !g_strv_contains ((const gchar * const *) k->permissions, permission))
    {
      g_autofree gchar *m = g_strdup_printf ("Missing required permission: %s", permission);

      _pbi_fake_reply_error (self, r, 403, m);
      return NULL;
    }
  if (key_out != NULL)
    *key_out = k;
  return u;
}

JsonNode *
_pbi_fake_parse_body (PbiFakeServer     *self,
                      SoupServerMessage *msg,
                      Reply             *r)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    return json_node_init_object (json_node_alloc (), json_object_new ());
  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      g_autofree gchar *m = g_strdup_printf ("Unexpected token in JSON: %s", error->message);

      _pbi_fake_reply_error (self, r, 400, m);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

gboolean
_pbi_fake_node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

const gchar *
_pbi_fake_received_type (JsonNode *node)
{
  if (node == NULL)
    return "undefined";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "array";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "object";
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return "string";
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return "boolean";
  return "number";
}

/* Checks that member is an array of UUID strings; adds issues otherwise. */
JsonArray *
_pbi_fake_check_uuid_array (PbiFakeServer *self,
                            JsonObject    *obj,
                            const gchar   *member,
                            Issues        *iss)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;
  JsonArray *arr;
  gboolean bad = FALSE;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree gchar *m1 = g_strdup_printf ("each value in %s must be a UUID", member);
      g_autofree gchar *m2 = g_strdup_printf ("%s must be an array", member);

      _pbi_fake_issue_missing (iss, member, "array", _pbi_fake_received_type (node));
      _pbi_fake_issue_msg (iss, m1);
      _pbi_fake_issue_msg (iss, m2);
      return NULL;
    }
  arr = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *el = json_array_get_element (arr, i);

      if (!_pbi_fake_node_is_string (el) || !g_uuid_string_is_valid (json_node_get_string (el)))
        {
          _pbi_fake_issue_uuid (iss, member, i);
          bad = TRUE;
        }
    }
  if (bad)
    {
      g_autofree gchar *m = g_strdup_printf ("each value in %s must be a UUID", member);

      _pbi_fake_issue_msg (iss, m);
      return NULL;
    }
  return arr;
}

/* A UUID path parameter (`:id`); answers 400 when it is not one. */
gboolean
_pbi_fake_check_uuid_param (PbiFakeServer *self,
                            const gchar   *id,
                            Reply         *r)
{
  Issues iss;

  if (g_uuid_string_is_valid (id))
    return TRUE;
  _pbi_fake_issues_init (&iss);
  _pbi_fake_issue_uuid (&iss, "id", -1);
  _pbi_fake_issue_msg (&iss, "id must be a UUID");
  _pbi_fake_reply_issues (self, r, &iss);
  _pbi_fake_issues_clear (&iss);
  return FALSE;
}

void
_pbi_fake_route_not_found (PbiFakeServer     *self,
                           SoupServerMessage *msg,
                           Reply             *r)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *q = g_uri_get_query (uri);
  g_autofree gchar *m = g_strdup_printf ("Cannot %s %s%s%s", soup_server_message_get_method (msg),
                                         g_uri_get_path (uri), q != NULL ? "?" : "",
                                         q != NULL ? q : "");

  _pbi_fake_reply_error (self, r, 404, m);
}

/* Per-route counters: "METHOD /api/albums/{id}/assets" (UUIDs -> {id}). */
void
_pbi_fake_count_route_locked (PbiFakeServer *self,
                              const gchar   *method,
                              const gchar   *path)
{
  g_auto(GStrv) seg = g_strsplit (path, "/", -1);
  g_autoptr(GString) key = g_string_new (method);
  gpointer old;

  g_string_append_c (key, ' ');
  for (guint i = 0; seg[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (key, '/');
      g_string_append (key, g_uuid_string_is_valid (seg[i]) ? "{id}" : seg[i]);
    }
  old = g_hash_table_lookup (self->route_counts, key->str);
  g_hash_table_replace (self->route_counts, g_strdup (key->str),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
}

/* ---- server routes ---- */

static void
route_version (PbiFakeServer *self,
               Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "major");
  json_builder_add_int_value (b, self->major);
  json_builder_set_member_name (b, "minor");
  json_builder_add_int_value (b, self->minor);
  json_builder_set_member_name (b, "patch");
  json_builder_add_int_value (b, self->patch);
  if (self->family == FAMILY_V3)
    {
      json_builder_set_member_name (b, "prerelease");
      json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* server/src/utils/mime-types.ts, in the order each server lists them */
static const gchar * const image_types_v3[] = {
  ".avif", ".bmp", ".gif", ".jpeg", ".jpg", ".png", ".webp",
  ".3fr", ".ari", ".arw", ".cap", ".cin", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".erf",
  ".fff", ".iiq", ".k25", ".kdc", ".mrw", ".nef", ".nrw", ".orf", ".ori", ".pef", ".psd",
  ".raf", ".raw", ".rw2", ".rwl", ".sr2", ".srf", ".srw", ".x3f",
  ".heic", ".heif", ".hif", ".insp", ".jp2", ".jpe", ".jxl", ".mpo", ".svg", ".tif", ".tiff",
  NULL
};

static const gchar * const video_types_v3[] = {
  ".3gp", ".3gpp", ".avi", ".flv", ".insv", ".m2t", ".m2ts", ".m4v", ".mkv", ".mov", ".mp4",
  ".mpe", ".mpeg", ".mpg", ".mts", ".mxf", ".ts", ".vob", ".webm", ".wmv",
  NULL
};

static const gchar * const image_types_v2[] = {
  ".3fr", ".ari", ".arw", ".cap", ".cin", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".erf",
  ".fff", ".iiq", ".k25", ".kdc", ".mrw", ".nef", ".nrw", ".orf", ".ori", ".pef", ".psd",
  ".raf", ".raw", ".rw2", ".rwl", ".sr2", ".srf", ".srw", ".x3f",
  ".avif", ".gif", ".jpeg", ".jpg", ".png", ".webp", ".bmp",
  ".heic", ".heif", ".hif", ".insp", ".jp2", ".jpe", ".jxl", ".svg", ".tif", ".tiff",
  NULL
};

static const gchar * const video_types_v2[] = {
  ".3gp", ".3gpp", ".avi", ".flv", ".insv", ".m2t", ".m2ts", ".m4v", ".mkv", ".mov", ".mp4",
  ".mpe", ".mpeg", ".mpg", ".mts", ".vob", ".webm", ".wmv",
  NULL
};

/* 1.9x: no .jp2 / .m2t yet */
static const gchar * const image_types_v1[] = {
  ".3fr", ".ari", ".arw", ".avif", ".bmp", ".cap", ".cin", ".cr2", ".cr3", ".crw", ".dcr",
  ".dng", ".erf", ".fff", ".gif", ".heic", ".heif", ".hif", ".iiq", ".insp", ".jpeg", ".jpg",
  ".jpe", ".jxl", ".k25", ".kdc", ".mrw", ".nef", ".orf", ".ori", ".pef", ".png", ".psd",
  ".raf", ".raw", ".rw2", ".rwl", ".sr2", ".srf", ".srw", ".svg", ".tif", ".tiff", ".webp",
  ".x3f",
  NULL
};

static const gchar * const video_types_v1[] = {
  ".3gp", ".3gpp", ".avi", ".flv", ".insv", ".m2ts", ".m4v", ".mkv", ".mov", ".mp4", ".mpe",
  ".mpeg", ".mpg", ".mts", ".vob", ".webm", ".wmv",
  NULL
};

static void
media_types (PbiFakeServer        *self,
             const gchar * const **image,
             const gchar * const **video)
{
  switch (self->family)
    {
    case FAMILY_V3:
      *image = image_types_v3;
      *video = video_types_v3;
      break;
    case FAMILY_V2:
      *image = image_types_v2;
      *video = video_types_v2;
      break;
    case FAMILY_V1:
    default:
      *image = image_types_v1;
      *video = video_types_v1;
      break;
    }
}

gboolean
_pbi_fake_is_asset_filename (PbiFakeServer *self,
                             const gchar   *filename)
{
  const gchar *dot = filename != NULL ? strrchr (filename, '.') : NULL;
  const gchar * const *image, * const *video;
  g_autofree gchar *ext = NULL;

  if (dot == NULL)
    return FALSE;
  media_types (self, &image, &video);
  ext = g_ascii_strdown (dot, -1);
  return g_strv_contains (image, ext) || g_strv_contains (video, ext);
}

static void
route_media_types (PbiFakeServer *self,
                   Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const gchar * const *image, * const *video;

  media_types (self, &image, &video);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "video");
  json_builder_begin_array (b);
  for (guint i = 0; video[i] != NULL; i++)
    json_builder_add_string_value (b, video[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "image");
  json_builder_begin_array (b);
  for (guint i = 0; image[i] != NULL; i++)
    json_builder_add_string_value (b, image[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "sidecar");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, ".xmp");
  json_builder_end_array (b);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
route_storage (PbiFakeServer *self,
               Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint64 size = self->disk_size;
  guint64 avail = self->disk_available >= 0 ? (guint64) self->disk_available
                                            : size - MIN (size, self->bytes);
  guint64 used = size - MIN (size, avail);
  g_autofree gchar *hsize = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree gchar *hused = g_format_size_full (used, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree gchar *havail = g_format_size_full (avail, G_FORMAT_SIZE_IEC_UNITS);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "diskSize");
  json_builder_add_string_value (b, hsize);
  json_builder_set_member_name (b, "diskUse");
  json_builder_add_string_value (b, hused);
  json_builder_set_member_name (b, "diskAvailable");
  json_builder_add_string_value (b, havail);
  json_builder_set_member_name (b, "diskSizeRaw");
  json_builder_add_int_value (b, size);
  json_builder_set_member_name (b, "diskUseRaw");
  json_builder_add_int_value (b, used);
  json_builder_set_member_name (b, "diskAvailableRaw");
  json_builder_add_int_value (b, avail);
  json_builder_set_member_name (b, "diskUsagePercentage");
  json_builder_add_double_value (b, size > 0 ? (gdouble) used * 100.0 / (gdouble) size : 0.0);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* server-config: server.dto.ts ServerConfigDto (no auth) */
static void
route_config (PbiFakeServer *self,
              Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "loginPageMessage");
  json_builder_add_string_value (b, "");
  json_builder_set_member_name (b, "trashDays");
  json_builder_add_int_value (b, 30);
  json_builder_set_member_name (b, "userDeleteDelay");
  json_builder_add_int_value (b, 7);
  json_builder_set_member_name (b, "oauthButtonText");
  json_builder_add_string_value (b, "Login with OAuth");
  json_builder_set_member_name (b, "isInitialized");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "isOnboarded");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "externalDomain");
  json_builder_add_string_value (b, self->external_domain != NULL ? self->external_domain : "");
  if (self->family != FAMILY_V1)
    {
      json_builder_set_member_name (b, "publicUsers");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "mapDarkStyleUrl");
      json_builder_add_string_value (b, "https://tiles.immich.cloud/v1/style/dark.json");
      json_builder_set_member_name (b, "mapLightStyleUrl");
      json_builder_add_string_value (b, "https://tiles.immich.cloud/v1/style/light.json");
    }
  if (self->family == FAMILY_V3)
    {
      json_builder_set_member_name (b, "maintenanceMode");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_set_member_name (b, "minFaces");
      json_builder_add_int_value (b, 3);
    }
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
add_flags (JsonBuilder         *b,
           const gchar * const *names,
           gboolean             value)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      json_builder_set_member_name (b, names[i]);
      json_builder_add_boolean_value (b, value);
    }
}

static void
route_features (PbiFakeServer *self,
                Reply         *r)
{
  static const gchar * const on[] = {
    "smartSearch", "facialRecognition", "duplicateDetection", "map", "reverseGeocoding",
    "importFaces", "sidecar", "search", "trash", NULL
  };
  static const gchar * const off[] = { "oauth", "oauthAutoLaunch", NULL };
  static const gchar * const v3_off[] = { "ocr", NULL };
  static const gchar * const login[] = { "passwordLogin", NULL };
  static const gchar * const tail[] = { "configFile", "email", NULL };
  static const gchar * const v3_tail[] = { "realtimeTranscoding", NULL };
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_flags (b, on, TRUE);
  add_flags (b, off, FALSE);
  if (self->family == FAMILY_V3)
    add_flags (b, v3_off, FALSE);
  add_flags (b, login, TRUE);
  add_flags (b, tail, FALSE);
  if (self->family == FAMILY_V3)
    add_flags (b, v3_tail, FALSE);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
route_about (PbiFakeServer *self,
             Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree gchar *v = g_strdup_printf ("v%s", self->version);
  g_autofree gchar *url = g_strdup_printf ("https://github.com/immich-app/immich/releases/tag/%s",
                                           v);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, v);
  json_builder_set_member_name (b, "versionUrl");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "licensed");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "nodejs");
  json_builder_add_string_value (b, "v22.18.0");
  json_builder_set_member_name (b, "exiftool");
  json_builder_add_string_value (b, "13.00");
  json_builder_set_member_name (b, "ffmpeg");
  json_builder_add_string_value (b, "7.0.2");
  json_builder_set_member_name (b, "libvips");
  json_builder_add_string_value (b, "8.17.1");
  json_builder_set_member_name (b, "imagemagick");
  json_builder_add_string_value (b, "7.1.1");
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
route_statistics (PbiFakeServer *self,
                  Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "photos");
  json_builder_add_int_value (b, self->asset_order->len);
  json_builder_set_member_name (b, "videos");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "usage");
  json_builder_add_int_value (b, self->bytes);
  json_builder_set_member_name (b, "usagePhotos");
  json_builder_add_int_value (b, self->bytes);
  json_builder_set_member_name (b, "usageVideos");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "usageByUser");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->user_order->len; i++)
    {
      FakeUser *u = g_ptr_array_index (self->user_order, i);
      guint photos = 0;
      guint64 usage = 0;

      for (guint j = 0; j < self->asset_order->len; j++)
        {
          FakeAsset *a = g_ptr_array_index (self->asset_order, j);

          if (g_strcmp0 (a->owner_id, u->id) == 0)
            {
              photos++;
              usage += a->size;
            }
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "userId");
      json_builder_add_string_value (b, u->id);
      json_builder_set_member_name (b, "userName");
      json_builder_add_string_value (b, u->name);
      json_builder_set_member_name (b, "photos");
      json_builder_add_int_value (b, photos);
      json_builder_set_member_name (b, "videos");
      json_builder_add_int_value (b, 0);
      json_builder_set_member_name (b, "usage");
      json_builder_add_int_value (b, usage);
      json_builder_set_member_name (b, "usagePhotos");
      json_builder_add_int_value (b, usage);
      json_builder_set_member_name (b, "usageVideos");
      json_builder_add_int_value (b, 0);
      json_builder_set_member_name (b, "quotaSizeInBytes");
      json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

static void
route_version_history (PbiFakeServer *self,
                       Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  FakeUser *admin = _pbi_fake_first_user_locked (self);

  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, "00000000-0000-4000-8000-000000000001");
  json_builder_set_member_name (b, "createdAt");
  json_builder_add_string_value (b, admin->created_at);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, self->version);
  json_builder_end_object (b);
  json_builder_end_array (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* ---- key routes ---- */

static void
build_key (JsonBuilder *b,
           FakeKey     *k)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, k->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, k->name);
  json_builder_set_member_name (b, "createdAt");
  json_builder_add_string_value (b, k->created_at);
  json_builder_set_member_name (b, "updatedAt");
  json_builder_add_string_value (b, k->created_at);
  json_builder_set_member_name (b, "permissions");
  json_builder_begin_array (b);
  for (guint i = 0; k->permissions[i] != NULL; i++)
    json_builder_add_string_value (b, k->permissions[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
route_keys_list (PbiFakeServer *self,
                 FakeUser      *user,
                 Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < self->key_order->len; i++)
    {
      FakeKey *k = g_ptr_array_index (self->key_order, i);

      if (g_strcmp0 (k->user_id, user->id) == 0)
        build_key (b, k);
    }
  json_builder_end_array (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* ---- user routes ---- */

static void
route_preferences (PbiFakeServer *self,
                   Reply         *r)
{
  static const gchar * const groups[] = {
    "albums", "folders", "memories", "people", "sharedLinks", "ratings", "tags",
    "emailNotifications", "download", "purchase", "cast", NULL
  };
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      json_builder_set_member_name (b, groups[i]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "enabled");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
    }
  if (self->family == FAMILY_V3)
    {
      json_builder_set_member_name (b, "recentlyAdded");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "enabled");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  _pbi_fake_reply_builder (r, 200, b);
}

/* ---- dispatch ---- */

static gboolean
route_server (PbiFakeServer     *self,
              SoupServerMessage *msg,
              GHashTable        *query,
              const gchar       *method,
              gchar            **seg,
              guint              n,
              Reply             *r)
{
  gboolean v1 = self->family == FAMILY_V1;
  gboolean get = g_strcmp0 (method, "GET") == 0;
  FakeUser *user;
  const gchar *what;

  if (!get || !SEG_IS_AT (seg, n, 0, v1 ? "server-info" : "server"))
    return FALSE;
  /* 1.9x: GET /server-info is the storage route */
  if (v1 && n == 1)
    what = "storage";
  else if (n == 2)
    what = seg[1];
  else
    return FALSE;

  if (g_strcmp0 (what, "ping") == 0)
    {
      _pbi_fake_reply_text (r, 200, JSON_TYPE, "{\"res\":\"pong\"}");
      return TRUE;
    }
  if (g_strcmp0 (what, "version") == 0)
    {
      route_version (self, r);
      return TRUE;
    }
  if (g_strcmp0 (what, "media-types") == 0)
    {
      route_media_types (self, r);
      return TRUE;
    }
  if (g_strcmp0 (what, "config") == 0)
    {
      route_config (self, r);
      return TRUE;
    }
  if (g_strcmp0 (what, "features") == 0)
    {
      route_features (self, r);
      return TRUE;
    }
  if (g_strcmp0 (what, "theme") == 0 && self->family != FAMILY_V3)
    {
      _pbi_fake_reply_text (r, 200, JSON_TYPE, "{\"customCss\":\"\"}");
      return TRUE;
    }
  if (g_strcmp0 (what, "storage") == 0 && !(v1 && n == 2))
    {
      /* 3.x: server.storage; before, @Authenticated() = "all" */
      if (_pbi_fake_authenticate (self, msg, query,
                                  self->family == FAMILY_V3 ? "server.storage" : "all",
                                  NULL, r) != NULL)
        route_storage (self, r);
      return TRUE;
    }
  if (g_strcmp0 (what, "about") == 0 && !v1)
    {
      if (_pbi_fake_authenticate (self, msg, query, PERM ("server.about"), NULL, r) != NULL)
        route_about (self, r);
      return TRUE;
    }
  if (g_strcmp0 (what, "statistics") == 0)
    {
      user = _pbi_fake_authenticate (self, msg, query, PERM ("server.statistics"), NULL, r);
      if (user == NULL)
        return TRUE;
      if (user != _pbi_fake_first_user_locked (self))
        _pbi_fake_reply_error (self, r, 403, "Forbidden");
      else
        route_statistics (self, r);
      return TRUE;
    }
  if (g_strcmp0 (what, "version-history") == 0 && !v1)
    {
      if (_pbi_fake_authenticate (self, msg, query, "all", NULL, r) != NULL)
        route_version_history (self, r);
      return TRUE;
    }
  return FALSE;
}

static gboolean
route_users_keys_auth (PbiFakeServer     *self,
                       SoupServerMessage *msg,
                       GHashTable        *query,
                       const gchar       *method,
                       gchar            **seg,
                       guint              n,
                       Reply             *r)
{
  gboolean v1 = self->family == FAMILY_V1;
  gboolean get = g_strcmp0 (method, "GET") == 0;
  FakeUser *user;
  FakeKey *key = NULL;

  if (get && SEG_IS_AT (seg, n, 0, v1 ? "user" : "users"))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      if (n == 2 && SEG_IS_AT (seg, n, 1, "me"))
        {
          user = _pbi_fake_authenticate (self, msg, query, "user.read", NULL, r);
          if (user != NULL)
            {
              _pbi_fake_build_user_admin (self, b, user);
              _pbi_fake_reply_builder (r, 200, b);
            }
          return TRUE;
        }
      if (n == 3 && SEG_IS_AT (seg, n, 1, "me") && SEG_IS_AT (seg, n, 2, "preferences") && !v1)
        {
          if (_pbi_fake_authenticate (self, msg, query, "userPreference.read", NULL, r) != NULL)
            route_preferences (self, r);
          return TRUE;
        }
      if (n == 1)
        {
          user = _pbi_fake_authenticate (self, msg, query, "user.read", NULL, r);
          if (user == NULL)
            return TRUE;
          json_builder_begin_array (b);
          for (guint i = 0; i < self->user_order->len; i++)
            {
              if (v1)
                _pbi_fake_build_user_admin (self, b, g_ptr_array_index (self->user_order, i));
              else
                _pbi_fake_build_user (b, g_ptr_array_index (self->user_order, i));
            }
          json_builder_end_array (b);
          _pbi_fake_reply_builder (r, 200, b);
          return TRUE;
        }
      return FALSE;
    }

  if (get && SEG_IS_AT (seg, n, 0, v1 ? "api-key" : "api-keys"))
    {
      if (n == 1)
        {
          user = _pbi_fake_authenticate (self, msg, query, "apiKey.read", NULL, r);
          if (user != NULL)
            route_keys_list (self, user, r);
          return TRUE;
        }
      if (n == 2 && !v1 && self->major < 2)
        {
          /* before 2.0, "me" hits /api-keys/:id and fails UUID validation */
          if (_pbi_fake_authenticate (self, msg, query, "apiKey.read", NULL, r) == NULL)
            return TRUE;
          if (_pbi_fake_check_uuid_param (self, seg[1], r))
            _pbi_fake_reply_error (self, r, 400, "API Key not found");
          return TRUE;
        }
      if (n == 2 && !v1 && SEG_IS_AT (seg, n, 1, "me"))
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          if (_pbi_fake_authenticate (self, msg, query, NULL, &key, r) != NULL)
            {
              build_key (b, key);
              _pbi_fake_reply_builder (r, 200, b);
            }
          return TRUE;
        }
      return FALSE;
    }

  if (g_strcmp0 (method, "POST") == 0 && n == 2 && SEG_IS_AT (seg, n, 0, "auth")
      && SEG_IS_AT (seg, n, 1, "validateToken"))
    {
      if (_pbi_fake_authenticate (self, msg, query, NULL, NULL, r) != NULL)
        _pbi_fake_reply_text (r, 200, JSON_TYPE, "{\"authStatus\":true}");
      return TRUE;
    }
  return FALSE;
}

/* Route an /api request (lock held). */
void
_pbi_fake_route_api (PbiFakeServer     *self,
                     SoupServerMessage *msg,
                     const gchar       *path,
                     GHashTable        *query,
                     RequestCtx        *ctx,
                     Reply             *r)
{
  const gchar *method = soup_server_message_get_method (msg);
  const gchar *rest = path + strlen ("/api");
  g_auto(GStrv) seg = g_strsplit (rest[0] == '/' ? rest + 1 : rest, "/", -1);
  guint n = g_strv_length (seg);

  _pbi_fake_count_route_locked (self, method, path);
  if (self->faults.album_400 > 0 && n > 0
      && (g_strcmp0 (seg[0], "albums") == 0 || g_strcmp0 (seg[0], "album") == 0))
    {
      /* the answer the real add route gives a user who may not add */
      self->faults.album_400--;
      _pbi_fake_reply_error (self, r, 400, _pbi_fake_has_permissions (self)
                             ? "Not found or no albumAsset.create access"
                             : "Not found or no album.addAsset access");
      return;
    }
  if (route_server (self, msg, query, method, seg, n, r)
      || route_users_keys_auth (self, msg, query, method, seg, n, r)
      || _pbi_fake_route_albums (self, msg, query, method, seg, n, r)
      || _pbi_fake_route_assets (self, msg, query, method, seg, n, ctx, r)
      || _pbi_fake_route_links (self, msg, query, method, seg, n, r))
    return;
  _pbi_fake_route_not_found (self, msg, r);
}
