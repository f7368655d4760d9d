/* test-fake-server.c: the fake Immich server's own rules, per API family
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pbi-fake-multipart.h"
#include "pbi-fake-server.h"

#define KEY_ALL   "key-all"
#define KEY_ALBUM "key-album-read-only"

typedef struct
{
  guint     status;
  gchar    *body;
  gchar    *content_type;
  gchar    *retry_after;
  gchar    *date;
  JsonNode *json;
  GError   *error;
} Resp;

static void
resp_free (Resp *r)
{
  g_free (r->body);
  g_free (r->content_type);
  g_free (r->retry_after);
  g_free (r->date);
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_error (&r->error);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Resp, resp_free)

typedef struct
{
  PbiFakeServer *server;
  SoupSession   *session;
} Fixture;

static Resp *
request (Fixture     *fx,
         const gchar *method,
         const gchar *path,
         const gchar *key,
         const gchar *content_type,
         GBytes      *body,
         const gchar *checksum)
{
  g_autofree gchar *url = g_strconcat (pbi_fake_server_get_base_url (fx->server), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  Resp *r = g_new0 (Resp, 1);
  SoupMessageHeaders *rh;
  const gchar *ct;

  g_assert_nonnull (msg);
  if (key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-api-key", key);
  if (checksum != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-immich-checksum",
                                  checksum);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  bytes = soup_session_send_and_read (fx->session, msg, NULL, &r->error);
  if (bytes == NULL)
    return r;
  r->status = soup_message_get_status (msg);
  r->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  rh = soup_message_get_response_headers (msg);
  ct = soup_message_headers_get_one (rh, "Content-Type");
  r->content_type = g_strdup (ct);
  r->retry_after = g_strdup (soup_message_headers_get_one (rh, "Retry-After"));
  r->date = g_strdup (soup_message_headers_get_one (rh, "Date"));
  if (ct != NULL && g_str_has_prefix (ct, "application/json"))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, r->body, -1, NULL))
        r->json = json_node_copy (json_parser_get_root (parser));
    }
  return r;
}

static Resp *
get (Fixture     *fx,
     const gchar *path,
     const gchar *key)
{
  return request (fx, "GET", path, key, NULL, NULL, NULL);
}

static Resp *
send_json (Fixture     *fx,
           const gchar *method,
           const gchar *path,
           const gchar *key,
           const gchar *json)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return request (fx, method, path, key, "application/json", body, NULL);
}

/* A multipart body: fields as NULL-terminated name/value pairs, then the
 * file's bytes as assetData (omitted when data is NULL). */
static GBytes *
multipart (const gchar  *boundary,
           const guint8 *data,
           gsize         len,
           const gchar  *filename,
           ...)
{
  GByteArray *out = g_byte_array_new ();
  const gchar *name;
  va_list ap;

  va_start (ap, filename);
  while ((name = va_arg (ap, const gchar *)) != NULL)
    {
      const gchar *value = va_arg (ap, const gchar *);
      g_autofree gchar *part = g_strdup_printf ("--%s\r\nContent-Disposition: form-data; "
                                                "name=\"%s\"\r\n\r\n%s\r\n",
                                                boundary, name, value);

      g_byte_array_append (out, (const guint8 *) part, strlen (part));
    }
  va_end (ap);
  if (data != NULL)
    {
      g_autofree gchar *head = g_strdup_printf ("--%s\r\nContent-Disposition: form-data; "
                                                "name=\"assetData\"; filename=\"%s\"\r\n"
                                                "Content-Type: application/octet-stream\r\n\r\n",
                                                boundary, filename);

      g_byte_array_append (out, (const guint8 *) head, strlen (head));
      g_byte_array_append (out, data, len);
      g_byte_array_append (out, (const guint8 *) "\r\n", 2);
    }
  {
    g_autofree gchar *tail = g_strdup_printf ("--%s--\r\n", boundary);

    g_byte_array_append (out, (const guint8 *) tail, strlen (tail));
  }
  return g_byte_array_free_to_bytes (out);
}

#define BOUNDARY "----pbiFakeTestBoundary7MA4YWxk"
#define PARTIAL_BOUNDARY "----pbiFakeTestBoundary7MA4YWx"
#define MP_TYPE  "multipart/form-data; boundary=" BOUNDARY
#define DATE     "2024-05-01T12:00:00.000Z"

static guint8 *
random_bytes (gsize len,
              guint seed)
{
  guint8 *buf = g_malloc (len);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < len; i++)
    buf[i] = g_rand_int (rand) & 0xff;
  g_rand_free (rand);
  return buf;
}

static Resp *
upload_v3 (Fixture      *fx,
           const gchar  *key,
           const guint8 *data,
           gsize         len,
           const gchar  *filename,
           const gchar  *checksum)
{
  g_autoptr(GBytes) body = multipart (BOUNDARY, data, len, filename,
                                      "fileCreatedAt", DATE, "fileModifiedAt", DATE,
                                      "fileSize", "1", "isFavorite", "false", NULL);

  return request (fx, "POST", "/api/assets", key, MP_TYPE, body, checksum);
}

static const gchar *
member_str (JsonNode    *node,
            const gchar *name)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member_with_default (json_node_get_object (node), name, NULL);
}

static gboolean
has_member (JsonNode    *node,
            const gchar *name)
{
  g_assert_nonnull (node);
  return json_object_has_member (json_node_get_object (node), name);
}

static gint64
state_int (Fixture     *fx,
           const gchar *name)
{
  g_autoptr(JsonNode) state = pbi_fake_server_dup_state (fx->server);

  return json_object_get_int_member (json_node_get_object (state), name);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  const gchar *version = data;
  const gchar *album_only[] = { "album.read", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);

  fx->server = pbi_fake_server_new (version);
  pbi_fake_server_add_api_key (fx->server, NULL, KEY_ALL, NULL);
  pbi_fake_server_add_api_key (fx->server, NULL, KEY_ALBUM, album_only);
  g_assert_true (pbi_fake_server_start (fx->server, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pbi_fake_server_get_port (fx->server), >, 0);
  fx->session = soup_session_new_with_options ("timeout", 10, "proxy-resolver", no_proxy, NULL);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->session);
  pbi_fake_server_stop (fx->server);
  g_assert_finalize_object (fx->server);
}

/* ---- 3.x ---- */

static void
test_v3_auth (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(Resp) ping = get (fx, "/api/server/ping", NULL);
  g_autoptr(Resp) version = get (fx, "/api/server/version", NULL);
  g_autoptr(Resp) wk = get (fx, "/.well-known/immich", NULL);
  g_autoptr(Resp) media = get (fx, "/api/server/media-types", NULL);
  g_autoptr(Resp) none = get (fx, "/api/users/me", NULL);
  g_autoptr(Resp) wrong = get (fx, "/api/users/me", "nope");
  g_autoptr(Resp) me = get (fx, "/api/users/me", KEY_ALL);
  g_autoptr(Resp) forbidden = get (fx, "/api/users/me", KEY_ALBUM);
  g_autoptr(Resp) albums = get (fx, "/api/albums", KEY_ALBUM);
  g_autoptr(Resp) create = send_json (fx, "POST", "/api/albums", KEY_ALBUM, "{\"albumName\":\"x\"}");
  g_autoptr(Resp) keyme = get (fx, "/api/api-keys/me", KEY_ALBUM);
  g_autoptr(Resp) old = get (fx, "/api/server-info/ping", NULL);
  g_autoptr(Resp) query_key = get (fx, "/api/users/me?apiKey=" KEY_ALL, NULL);
  g_autoptr(Resp) web = get (fx, "/", NULL);
  JsonArray *perms;

  g_assert_cmpuint (ping->status, ==, 200);
  g_assert_cmpstr (member_str (ping->json, "res"), ==, "pong");
  g_assert_cmpstr (ping->content_type, ==, "application/json; charset=utf-8");
  g_assert_cmpuint (version->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (version->json), "major"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (version->json), "minor"), ==, 2);
  g_assert_cmpstr (wk->body, ==, "{\"api\":{\"endpoint\":\"/api\"}}");
  g_assert_cmpuint (media->status, ==, 200);
  g_assert_true (strstr (media->body, "\".jpg\"") != NULL);
  g_assert_true (strstr (media->body, "\".xmp\"") != NULL);

  g_assert_cmpuint (none->status, ==, 401);
  g_assert_cmpstr (member_str (none->json, "message"), ==, "Authentication required");
  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_cmpstr (member_str (wrong->json, "message"), ==, "Invalid API key");
  /* 3.x error bodies carry no statusCode/error (global-exception.filter.ts) */
  g_assert_false (has_member (wrong->json, "statusCode"));
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (member_str (me->json, "email"), ==, "photobooth@example.com");
  g_assert_cmpuint (forbidden->status, ==, 403);
  g_assert_cmpstr (member_str (forbidden->json, "message"), ==,
                   "Missing required permission: user.read");
  g_assert_cmpuint (albums->status, ==, 200);
  g_assert_cmpuint (create->status, ==, 403);
  g_assert_cmpstr (member_str (create->json, "message"), ==,
                   "Missing required permission: album.create");
  g_assert_cmpuint (keyme->status, ==, 200);
  perms = json_object_get_array_member (json_node_get_object (keyme->json), "permissions");
  g_assert_cmpuint (json_array_get_length (perms), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (perms, 0), ==, "album.read");
  g_assert_cmpuint (old->status, ==, 404);
  g_assert_cmpstr (member_str (old->json, "message"), ==, "Cannot GET /api/server-info/ping");
  g_assert_cmpuint (query_key->status, ==, 200);
  g_assert_cmpuint (web->status, ==, 200);
  g_assert_true (g_str_has_prefix (web->content_type, "text/html"));
}

static void
test_v3_upload (Fixture       *fx,
                gconstpointer  data)
{
  gsize len = 3 * 1024 * 1024 + 17;
  g_autofree guint8 *bytes = random_bytes (len, 1);
  g_autofree gchar *sha1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1, bytes, len);
  g_autoptr(Resp) created = upload_v3 (fx, KEY_ALL, bytes, len, "IMG_0001.jpg", NULL);
  g_autoptr(Resp) dup = upload_v3 (fx, KEY_ALL, bytes, len, "other-name.jpg", NULL);
  g_autoptr(Resp) forbidden = upload_v3 (fx, KEY_ALBUM, bytes, len, "IMG_0001.jpg", NULL);
  g_autoptr(Resp) badsum = NULL;
  g_autoptr(Resp) goodsum = NULL;
  g_autoptr(Resp) badtype = NULL;
  g_autoptr(Resp) duration = NULL;
  g_autoptr(Resp) missing = NULL;
  g_autoptr(Resp) v2style = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree guint8 *other = random_bytes (1000, 2);
  g_autofree gchar *other_sha1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1, other, 1000);
  JsonObject *err;
  JsonArray *list;
  const gchar *id;

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_cmpstr (member_str (created->json, "status"), ==, "created");
  id = member_str (created->json, "id");
  g_assert_true (g_uuid_string_is_valid (id));
  g_assert_cmpuint (dup->status, ==, 200);
  g_assert_cmpstr (member_str (dup->json, "status"), ==, "duplicate");
  g_assert_cmpstr (member_str (dup->json, "id"), ==, id);
  g_assert_cmpuint (forbidden->status, ==, 403);
  g_assert_cmpstr (member_str (forbidden->json, "message"), ==,
                   "Missing required permission: asset.upload");

  /* corrupted upload: announced checksum differs from the bytes */
  badsum = upload_v3 (fx, KEY_ALL, other, 999, "b.jpg", other_sha1);
  g_assert_cmpuint (badsum->status, ==, 400);
  g_assert_cmpint (state_int (fx, "rejected"), ==, 1);
  goodsum = upload_v3 (fx, KEY_ALL, other, 1000, "b.jpg", other_sha1);
  g_assert_cmpuint (goodsum->status, ==, 201);

  badtype = upload_v3 (fx, KEY_ALL, (const guint8 *) "text", 4, "notes.txt", NULL);
  g_assert_cmpuint (badtype->status, ==, 400);
  g_assert_cmpstr (member_str (badtype->json, "message"), ==, "Unsupported file type notes.txt");

  /* 3.x: duration must be a number; a 1.x/2.x style string is refused */
  body = multipart (BOUNDARY, (const guint8 *) "abc", 3, "c.jpg", "fileCreatedAt", DATE,
                    "fileModifiedAt", DATE, "duration", "0:00:00.000000", NULL);
  duration = request (fx, "POST", "/api/assets", KEY_ALL, MP_TYPE, body, NULL);
  g_assert_cmpuint (duration->status, ==, 400);
  err = json_node_get_object (duration->json);
  g_assert_cmpstr (json_object_get_string_member (err, "message"), ==, "Validation failed");
  g_assert_false (json_object_has_member (err, "statusCode"));
  {
    JsonObject *issue = json_array_get_object_element (json_object_get_array_member (err, "errors"), 0);

    g_assert_cmpstr (json_object_get_string_member (issue, "expected"), ==, "number");
    g_assert_cmpstr (json_object_get_string_member (issue, "code"), ==, "invalid_type");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (issue, "path"), 0),
                     ==, "duration");
  }
  g_clear_pointer (&body, g_bytes_unref);

  body = multipart (BOUNDARY, (const guint8 *) "abc", 3, "c.jpg", "fileModifiedAt", DATE, NULL);
  missing = request (fx, "POST", "/api/assets", KEY_ALL, MP_TYPE, body, NULL);
  g_assert_cmpuint (missing->status, ==, 400);
  g_assert_true (strstr (missing->body, "[\"fileCreatedAt\"]") != NULL);
  g_clear_pointer (&body, g_bytes_unref);

  /* deviceAssetId/deviceId and unknown fields are accepted and ignored */
  body = multipart (BOUNDARY, (const guint8 *) "abcd", 4, "d.jpg", "deviceAssetId", "x",
                    "deviceId", "y", "fileCreatedAt", DATE, "fileModifiedAt", DATE,
                    "whatever", "1", NULL);
  v2style = request (fx, "POST", "/api/assets", KEY_ALL, MP_TYPE, body, NULL);
  g_assert_cmpuint (v2style->status, ==, 201);

  state = pbi_fake_server_dup_state (fx->server);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "assets"), ==, 3);
  list = json_object_get_array_member (json_node_get_object (state), "asset_list");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "checksum"),
                   ==, sha1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, 0), "size"),
                   ==, len);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "filename"),
                   ==, "IMG_0001.jpg");
}

static void
test_v3_bulk_check_trash (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree guint8 *bytes = random_bytes (5000, 3);
  g_autofree gchar *hex = g_compute_checksum_for_data (G_CHECKSUM_SHA1, bytes, 5000);
  g_autoptr(Resp) created = upload_v3 (fx, KEY_ALL, bytes, 5000, "e.jpg", NULL);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize dlen = sizeof digest;
  g_autofree gchar *b64 = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *restore = NULL;
  g_autoptr(Resp) check1 = NULL;
  g_autoptr(Resp) check2 = NULL;
  g_autoptr(Resp) again = NULL;
  g_autoptr(Resp) restored = NULL;
  JsonArray *results;
  JsonObject *res;
  const gchar *id = member_str (created->json, "id");

  g_checksum_update (sum, bytes, 5000);
  g_checksum_get_digest (sum, digest, &dlen);
  b64 = g_base64_encode (digest, dlen);
  body = g_strdup_printf ("{\"assets\":[{\"id\":\"hex\",\"checksum\":\"%s\"},"
                          "{\"id\":\"b64\",\"checksum\":\"%s\"},"
                          "{\"id\":\"new\",\"checksum\":\"%040d\"}]}", hex, b64, 7);
  check1 = send_json (fx, "POST", "/api/assets/bulk-upload-check", KEY_ALL, body);
  g_assert_cmpuint (check1->status, ==, 200);
  results = json_object_get_array_member (json_node_get_object (check1->json), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 3);
  for (guint i = 0; i < 2; i++)
    {
      res = json_array_get_object_element (results, i);
      g_assert_cmpstr (json_object_get_string_member (res, "action"), ==, "reject");
      g_assert_cmpstr (json_object_get_string_member (res, "reason"), ==, "duplicate");
      g_assert_cmpstr (json_object_get_string_member (res, "assetId"), ==, id);
      g_assert_false (json_object_get_boolean_member (res, "isTrashed"));
    }
  res = json_array_get_object_element (results, 2);
  g_assert_cmpstr (json_object_get_string_member (res, "id"), ==, "new");
  g_assert_cmpstr (json_object_get_string_member (res, "action"), ==, "accept");

  pbi_fake_server_trash_asset (fx->server, id);
  check2 = send_json (fx, "POST", "/api/assets/bulk-upload-check", KEY_ALL, body);
  res = json_array_get_object_element (json_object_get_array_member (json_node_get_object (check2->json),
                                                                     "results"), 0);
  g_assert_true (json_object_get_boolean_member (res, "isTrashed"));
  /* same bytes again: duplicate of the trashed asset, which stays trashed */
  again = upload_v3 (fx, KEY_ALL, bytes, 5000, "e.jpg", NULL);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (member_str (again->json, "id"), ==, id);
  restore = g_strdup_printf ("{\"ids\":[\"%s\"]}", id);
  restored = send_json (fx, "POST", "/api/trash/restore/assets", KEY_ALL, restore);
  g_assert_cmpuint (restored->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (restored->json), "count"), ==, 1);
}

static void
test_v3_albums (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree guint8 *bytes = random_bytes (2000, 4);
  g_autoptr(Resp) up = upload_v3 (fx, KEY_ALL, bytes, 2000, "f.jpg", NULL);
  g_autoptr(Resp) a1 = send_json (fx, "POST", "/api/albums", KEY_ALL, "{\"albumName\":\"Party\"}");
  g_autoptr(Resp) a2 = send_json (fx, "POST", "/api/albums", KEY_ALL, "{\"albumName\":\"Party\"}");
  g_autoptr(Resp) noname = send_json (fx, "POST", "/api/albums", KEY_ALL, "{}");
  g_autoptr(Resp) list = get (fx, "/api/albums", KEY_ALL);
  g_autoptr(Resp) add = NULL;
  g_autoptr(Resp) add_again = NULL;
  g_autoptr(Resp) bad_uuid = NULL;
  g_autoptr(Resp) gone = NULL;
  g_autoptr(Resp) both = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *ids = NULL;
  g_autofree gchar *foreign = g_uuid_string_random ();
  g_autofree gchar *multi = NULL;
  const gchar *asset = member_str (up->json, "id");
  const gchar *album = member_str (a1->json, "id");
  JsonArray *arr;
  JsonObject *item;

  g_assert_cmpuint (a1->status, ==, 201);
  g_assert_cmpuint (a2->status, ==, 201);
  g_assert_cmpstr (member_str (a1->json, "id"), !=, member_str (a2->json, "id"));
  g_assert_cmpuint (noname->status, ==, 400);
  g_assert_cmpstr (member_str (noname->json, "message"), ==, "Validation failed");
  arr = json_node_get_array (list->json);
  g_assert_cmpuint (json_array_get_length (arr), ==, 2);
  item = json_array_get_object_element (arr, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "albumName"), ==, "Party");
  g_assert_false (json_object_has_member (item, "ownerId"));
  g_assert_false (json_object_has_member (item, "owner"));
  g_assert_true (json_object_has_member (item, "albumUsers"));

  path = g_strdup_printf ("/api/albums/%s/assets", album);
  ids = g_strdup_printf ("{\"ids\":[\"%s\",\"%s\"]}", asset, foreign);
  add = send_json (fx, "PUT", path, KEY_ALL, ids);
  g_assert_cmpuint (add->status, ==, 200);
  arr = json_node_get_array (add->json);
  item = json_array_get_object_element (arr, 0);
  g_assert_true (json_object_get_boolean_member (item, "success"));
  item = json_array_get_object_element (arr, 1);
  g_assert_false (json_object_get_boolean_member (item, "success"));
  g_assert_cmpstr (json_object_get_string_member (item, "error"), ==, "no_permission");
  add_again = send_json (fx, "PUT", path, KEY_ALL, ids);
  item = json_array_get_object_element (json_node_get_array (add_again->json), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "error"), ==, "duplicate");

  bad_uuid = send_json (fx, "PUT", path, KEY_ALL, "{\"ids\":[\"not-a-uuid\"]}");
  g_assert_cmpuint (bad_uuid->status, ==, 400);
  g_assert_cmpstr (member_str (bad_uuid->json, "message"), ==, "Validation failed");

  multi = g_strdup_printf ("{\"albumIds\":[\"%s\",\"%s\"],\"assetIds\":[\"%s\"]}", album,
                           member_str (a2->json, "id"), asset);
  both = send_json (fx, "PUT", "/api/albums/assets", KEY_ALL, multi);
  g_assert_cmpuint (both->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (both->json), "success"));

  pbi_fake_server_delete_album (fx->server, album);
  gone = send_json (fx, "PUT", path, KEY_ALL, ids);
  g_assert_cmpuint (gone->status, ==, 400);
  g_assert_cmpstr (member_str (gone->json, "message"), ==, "Album not found");
}

static void
test_v3_shared_album (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree gchar *bob = pbi_fake_server_add_user (fx->server, "bob@example.com", "Bob");
  g_autofree gchar *album = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *bob_asset = pbi_fake_server_add_asset (fx->server, bob,
                                                           "0123456789abcdef0123456789abcdef01234567",
                                                           42, "bob.jpg");
  g_autofree gchar *ids = g_strdup_printf ("{\"ids\":[\"%s\"]}", bob_asset);
  g_autofree gchar *check = g_strdup_printf ("{\"assets\":[{\"id\":\"x\",\"checksum\":"
                                             "\"0123456789ABCDEF0123456789ABCDEF01234567\"}]}");
  g_autoptr(Resp) as_viewer = NULL;
  g_autoptr(Resp) as_editor = NULL;
  g_autoptr(Resp) shared = NULL;
  g_autoptr(Resp) owned = NULL;
  g_autoptr(Resp) bob_check = NULL;
  g_autoptr(Resp) owner_check = NULL;
  JsonObject *res;

  pbi_fake_server_add_api_key (fx->server, bob, "key-bob", NULL);
  album = pbi_fake_server_create_album (fx->server, NULL, "Shared");
  path = g_strdup_printf ("/api/albums/%s/assets", album);

  pbi_fake_server_share_album (fx->server, album, bob, "viewer");
  as_viewer = send_json (fx, "PUT", path, "key-bob", ids);
  g_assert_cmpuint (as_viewer->status, ==, 400);
  pbi_fake_server_share_album (fx->server, album, bob, "editor");
  as_editor = send_json (fx, "PUT", path, "key-bob", ids);
  g_assert_cmpuint (as_editor->status, ==, 200);
  res = json_array_get_object_element (json_node_get_array (as_editor->json), 0);
  g_assert_true (json_object_get_boolean_member (res, "success"));

  shared = get (fx, "/api/albums?shared=true", "key-bob");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (shared->json)), ==, 1);
  owned = get (fx, "/api/albums?shared=false", "key-bob");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (owned->json)), ==, 0);

  /* assets are per user: Bob's checksum is a duplicate for Bob only */
  bob_check = send_json (fx, "POST", "/api/assets/bulk-upload-check", "key-bob", check);
  res = json_array_get_object_element (json_object_get_array_member (json_node_get_object (bob_check->json),
                                                                     "results"), 0);
  g_assert_cmpstr (json_object_get_string_member (res, "action"), ==, "reject");
  g_assert_cmpstr (json_object_get_string_member (res, "assetId"), ==, bob_asset);
  owner_check = send_json (fx, "POST", "/api/assets/bulk-upload-check", KEY_ALL, check);
  res = json_array_get_object_element (json_object_get_array_member (json_node_get_object (owner_check->json),
                                                                     "results"), 0);
  g_assert_cmpstr (json_object_get_string_member (res, "action"), ==, "accept");
}

/* ---- 2.x ---- */

static void
test_v2_rules (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GBytes) v3body = multipart (BOUNDARY, (const guint8 *) "abc", 3, "a.jpg",
                                        "fileCreatedAt", DATE, "fileModifiedAt", DATE, NULL);
  g_autoptr(GBytes) v2body = multipart (BOUNDARY, (const guint8 *) "abc", 3, "a.jpg",
                                        "deviceAssetId", "a.jpg-3", "deviceId", "pbi",
                                        "fileCreatedAt", DATE, "fileModifiedAt", DATE,
                                        "duration", "0:00:00.000000", NULL);
  g_autoptr(Resp) refused = request (fx, "POST", "/api/assets", KEY_ALL, MP_TYPE, v3body, NULL);
  g_autoptr(Resp) created = request (fx, "POST", "/api/assets", KEY_ALL, MP_TYPE, v2body, NULL);
  g_autoptr(Resp) keyme = get (fx, "/api/api-keys/me", KEY_ALL);
  g_autoptr(Resp) wrong = get (fx, "/api/users/me", "nope");
  g_autoptr(Resp) notfound = get (fx, "/api/xyz", KEY_ALL);
  g_autoptr(Resp) combined = send_json (fx, "PUT", "/api/albums/assets", KEY_ALL, "{}");
  g_autoptr(Resp) forbidden = get (fx, "/api/users/me", KEY_ALBUM);
  JsonObject *err;
  JsonArray *messages;

  g_assert_cmpuint (refused->status, ==, 400);
  err = json_node_get_object (refused->json);
  messages = json_object_get_array_member (err, "message");
  g_assert_cmpuint (json_array_get_length (messages), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (messages, 0), ==, "deviceAssetId must be a string");
  g_assert_cmpstr (json_array_get_string_element (messages, 1), ==, "deviceAssetId should not be empty");
  g_assert_cmpstr (json_array_get_string_element (messages, 3), ==, "deviceId should not be empty");
  g_assert_cmpstr (json_object_get_string_member (err, "error"), ==, "Bad Request");
  g_assert_cmpint (json_object_get_int_member (err, "statusCode"), ==, 400);
  g_assert_true (json_object_has_member (err, "correlationId"));

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_cmpstr (member_str (created->json, "status"), ==, "created");
  {
    g_autoptr(GBytes) nofile = multipart (BOUNDARY, NULL, 0, NULL, "deviceAssetId", "x",
                                          "deviceId", "y", "fileCreatedAt", DATE,
                                          "fileModifiedAt", DATE, NULL);
    g_autoptr(Resp) r = request (fx, "POST", "/api/assets", KEY_ALL, MP_TYPE, nofile, NULL);

    g_assert_cmpuint (r->status, ==, 400);
    /* as real 2.0.1 answered (tests/contract/recorded) */
    g_assert_cmpstr (member_str (r->json, "message"), ==, "File is required");
  }
  g_assert_cmpuint (keyme->status, ==, 200);
  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (wrong->json), "statusCode"), ==, 401);
  g_assert_cmpstr (member_str (wrong->json, "error"), ==, "Unauthorized");
  g_assert_cmpuint (notfound->status, ==, 404);
  g_assert_cmpstr (member_str (notfound->json, "message"), ==, "Cannot GET /api/xyz");
  g_assert_cmpstr (member_str (notfound->json, "error"), ==, "Not Found");
  /* PUT /albums/assets exists in 2.x too (real 2.0.1): "{}" fails validation */
  g_assert_cmpuint (combined->status, ==, 400);
  g_assert_cmpuint (forbidden->status, ==, 403);
}

/* ---- 1.9x ---- */

static void
test_v1_routes (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GBytes) body = multipart (BOUNDARY, (const guint8 *) "abcde", 5, "a.jpg",
                                      "deviceAssetId", "a.jpg-5", "deviceId", "pbi",
                                      "fileCreatedAt", DATE, "fileModifiedAt", DATE, NULL);
  g_autoptr(Resp) ping = get (fx, "/api/server-info/ping", NULL);
  g_autoptr(Resp) newping = get (fx, "/api/server/ping", NULL);
  g_autoptr(Resp) me = get (fx, "/api/user/me", KEY_ALBUM);
  g_autoptr(Resp) newme = get (fx, "/api/users/me", KEY_ALL);
  g_autoptr(Resp) keyme = get (fx, "/api/api-keys/me", KEY_ALL);
  g_autoptr(Resp) up = request (fx, "POST", "/api/asset/upload", KEY_ALBUM, MP_TYPE, body, NULL);
  g_autoptr(Resp) dup = request (fx, "POST", "/api/asset/upload", KEY_ALL, MP_TYPE, body, NULL);
  g_autoptr(Resp) album = send_json (fx, "POST", "/api/album", KEY_ALL, "{\"albumName\":\"Old\"}");
  g_autoptr(Resp) list = get (fx, "/api/album?shared=false", KEY_ALL);
  g_autoptr(Resp) add = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *ids = NULL;
  JsonObject *item;

  g_assert_cmpuint (ping->status, ==, 200);
  g_assert_cmpuint (newping->status, ==, 404);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (newping->json), "statusCode"), ==, 404);
  /* permissions do not exist yet: a key is a key */
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpuint (newme->status, ==, 404);
  g_assert_cmpuint (keyme->status, ==, 404);
  g_assert_cmpuint (up->status, ==, 201);
  g_assert_true (json_object_has_member (json_node_get_object (up->json), "id"));
  g_assert_false (json_object_get_boolean_member (json_node_get_object (up->json), "duplicate"));
  g_assert_cmpuint (dup->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (dup->json), "duplicate"));
  g_assert_cmpuint (album->status, ==, 201);
  g_assert_cmpuint (list->status, ==, 200);
  item = json_array_get_object_element (json_node_get_array (list->json), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "ownerId"), ==,
                   json_object_get_string_member (json_node_get_object (me->json), "id"));
  path = g_strdup_printf ("/api/album/%s/assets", member_str (album->json, "id"));
  ids = g_strdup_printf ("{\"ids\":[\"%s\"]}", member_str (up->json, "id"));
  add = send_json (fx, "PUT", path, KEY_ALL, ids);
  g_assert_cmpuint (add->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (json_node_get_array (add->json), 0),
                                                 "success"));
}

/* ---- faults ---- */

/* Seconds between the answer's Date header and the real time now */
static gint64
date_offset (Resp *r)
{
  g_autoptr(GDateTime) at = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_assert_nonnull (r->date);
  at = soup_date_time_new_from_http_string (r->date);
  g_assert_nonnull (at);
  return g_date_time_to_unix (at) - g_date_time_to_unix (now);
}

static void
test_faults (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Resp) r503 = NULL;
  g_autoptr(Resp) after = NULL;
  g_autoptr(Resp) html = NULL;
  g_autoptr(Resp) garbage = NULL;
  g_autoptr(Resp) big = NULL;
  g_autoptr(Resp) small = NULL;
  g_autoptr(Resp) down = NULL;
  g_autoptr(Resp) up_again = NULL;
  g_autoptr(Resp) dropped = NULL;
  g_autoptr(Resp) refused = NULL;
  g_autoptr(Resp) stalled = NULL;
  g_autoptr(Resp) behind = NULL;
  g_autoptr(Resp) on_time = NULL;
  g_autofree guint8 *bytes = random_bytes (200000, 5);
  gint64 t0, offset;

  g_assert_true (pbi_fake_server_set_faults_json (fx->server,
                                                  "{\"error_5xx\":{\"count\":1,\"status\":503,"
                                                  "\"retry_after\":7}}", &error));
  g_assert_no_error (error);
  r503 = get (fx, "/api/server/ping", NULL);
  g_assert_cmpuint (r503->status, ==, 503);
  g_assert_cmpstr (r503->retry_after, ==, "7");
  after = get (fx, "/api/server/ping", NULL);
  g_assert_cmpuint (after->status, ==, 200);

  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"html\":1}", NULL));
  html = get (fx, "/api/server/ping", NULL);
  g_assert_cmpuint (html->status, ==, 200);
  g_assert_true (g_str_has_prefix (html->content_type, "text/html"));
  g_assert_null (html->json);

  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"garbage_json\":1}", NULL));
  garbage = get (fx, "/api/server/version", NULL);
  g_assert_cmpuint (garbage->status, ==, 200);
  g_assert_cmpstr (garbage->content_type, ==, "application/json; charset=utf-8");
  g_assert_null (garbage->json);

  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"max_body_bytes\":100000}", NULL));
  big = upload_v3 (fx, KEY_ALL, bytes, 200000, "big.jpg", NULL);
  g_assert_cmpuint (big->status, ==, 413);
  g_assert_true (strstr (big->body, "413 Request Entity Too Large") != NULL);
  small = upload_v3 (fx, KEY_ALL, bytes, 1000, "small.jpg", NULL);
  g_assert_cmpuint (small->status, ==, 201);
  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"max_body_bytes\":0}", NULL));

  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"drop_mid_body\":1}", NULL));
  dropped = upload_v3 (fx, KEY_ALL, bytes, 200000, "drop.jpg", NULL);
  g_assert_nonnull (dropped->error);
  g_assert_cmpint (state_int (fx, "assets"), ==, 1);

  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"refuse_connections\":1}", NULL));
  refused = get (fx, "/api/server/ping", NULL);
  g_assert_nonnull (refused->error);

  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"stall_ms\":300}", NULL));
  t0 = g_get_monotonic_time ();
  stalled = get (fx, "/api/server/ping", NULL);
  g_assert_cmpuint (stalled->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 280 * 1000);

  /* a server whose clock is 5 minutes behind, then right again */
  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"clock_offset_s\":-300}", NULL));
  behind = get (fx, "/api/server/ping", NULL);
  offset = date_offset (behind);
  g_assert_cmpint (offset, >=, -302);
  g_assert_cmpint (offset, <=, -298);
  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"clock_offset_s\":0}", NULL));
  on_time = get (fx, "/api/server/ping", NULL);
  g_assert_cmpint (ABS (date_offset (on_time)), <=, 2);

  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"down_ms\":600}", NULL));
  g_usleep (150 * 1000);
  down = get (fx, "/api/server/ping", NULL);
  g_assert_error (down->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_usleep (800 * 1000);
  up_again = get (fx, "/api/server/ping", NULL);
  g_assert_no_error (up_again->error);
  g_assert_cmpuint (up_again->status, ==, 200);

  g_assert_false (pbi_fake_server_set_faults_json (fx->server, "{\"nonsense\":1}", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* stopping while down (the teardown does) must not leave anything behind */
  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"down_ms\":60000}", NULL));
  g_usleep (100 * 1000);
}

static void
test_control_api (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(Resp) set = send_json (fx, "POST", "/__fake/faults", NULL, "{\"html\":5}");
  g_autoptr(Resp) html = get (fx, "/api/server/ping", NULL);
  g_autoptr(Resp) reset = send_json (fx, "POST", "/__fake/reset", NULL, "");
  g_autoptr(Resp) after_c_reset = NULL;
  g_autoptr(Resp) ping = get (fx, "/api/server/ping", NULL);
  g_autoptr(Resp) state = get (fx, "/__fake/state", NULL);
  JsonObject *o;

  g_assert_cmpuint (set->status, ==, 200);
  g_assert_true (g_str_has_prefix (html->content_type, "text/html"));
  g_assert_cmpuint (reset->status, ==, 200);
  g_assert_cmpuint (ping->status, ==, 200);
  g_assert_nonnull (ping->json);
  o = json_node_get_object (state->json);
  g_assert_cmpint (json_object_get_int_member (o, "requests"), ==, 2);

  g_assert_true (pbi_fake_server_set_faults_json (fx->server, "{\"html\":3}", NULL));
  pbi_fake_server_reset_faults (fx->server);
  after_c_reset = get (fx, "/api/server/ping", NULL);
  g_assert_nonnull (after_c_reset->json);
  g_assert_cmpint (json_object_get_int_member (o, "assets"), ==, 0);
  g_assert_true (json_object_has_member (o, "albums"));
  g_assert_true (json_object_has_member (o, "asset_list"));
}

/* libsoup 3.2 closes connections after one request unless the SoupServer
 * itself listens; clients must be able to reuse a connection. */
static void
test_keep_alive (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree gchar *url = g_strconcat (pbi_fake_server_get_base_url (fx->server),
                                       "/api/server/ping", NULL);
  g_autoptr(SoupMessage) m1 = soup_message_new ("GET", url);
  g_autoptr(SoupMessage) m2 = soup_message_new ("GET", url);
  g_autoptr(GBytes) b1 = NULL;
  g_autoptr(GBytes) b2 = NULL;
  g_autoptr(GError) error = NULL;

  b1 = soup_session_send_and_read (fx->session, m1, NULL, &error);
  g_assert_no_error (error);
  b2 = soup_session_send_and_read (fx->session, m2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_connection_id (m1), !=, 0);
  g_assert_cmpuint (soup_message_get_connection_id (m1), ==, soup_message_get_connection_id (m2));
}

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Clients that close idle keep-alive connections must not leave file
 * descriptors behind in the fake (libsoup 3.2 would). */
static void
test_no_fd_leak (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree gchar *url = g_strconcat (pbi_fake_server_get_base_url (fx->server),
                                       "/api/server/ping", NULL);
  guint before, after = 0;

  g_clear_object (&fx->session);
  before = count_open_fds ();
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    }
  for (guint i = 0; i < 40; i++)
    {
      g_usleep (50 * 1000);
      after = count_open_fds ();
      if (after <= before + 2)
        break;
    }
  g_assert_cmpuint (after, <=, before + 2);
}

/* ---- TLS ---- */

static void
test_tls (void)
{
  g_autoptr(PbiFakeServer) server = pbi_fake_server_new ("3.2.2");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) db = NULL;
  g_autoptr(SoupSession) trusting = NULL;
  g_autoptr(SoupSession) plain = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupMessage) msg2 = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) body2 = NULL;
  g_autofree gchar *url = NULL;

  g_assert_true (pbi_fake_server_use_test_certificate (server, &error));
  g_assert_no_error (error);
  g_assert_true (pbi_fake_server_start (server, 0, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pbi_fake_server_get_base_url (server), "https://127.0.0.1:"));
  url = g_strconcat (pbi_fake_server_get_base_url (server), "/api/server/ping", NULL);

  db = g_tls_file_database_new (pbi_fake_server_get_test_certificate_file (), &error);
  g_assert_no_error (error);
  trusting = soup_session_new_with_options ("tls-database", db, "timeout", 10, NULL);
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (trusting, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "{\"res\":\"pong\"}", 14);

  /* a client that does not trust the test certificate refuses it */
  plain = soup_session_new_with_options ("timeout", 10, NULL);
  msg2 = soup_message_new ("GET", url);
  body2 = soup_session_send_and_read (plain, msg2, NULL, &error);
  g_assert_null (body2);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  pbi_fake_server_stop (server);
}

/* ---- multipart parser ---- */

typedef struct
{
  GString   *log;
  GChecksum *sum;
} ParseLog;

static void
log_begin (const gchar *name,
           const gchar *filename,
           gpointer     user_data)
{
  ParseLog *pl = user_data;

  g_string_append_printf (pl->log, "[%s|%s]", name, filename != NULL ? filename : "-");
}

static void
log_data (const guint8 *data,
          gsize         len,
          gpointer      user_data)
{
  ParseLog *pl = user_data;

  g_checksum_update (pl->sum, data, len);
}

static void
log_end (gpointer user_data)
{
  ParseLog *pl = user_data;

  g_string_append_printf (pl->log, "(%s)", g_checksum_get_string (pl->sum));
  g_checksum_reset (pl->sum);
}

static void
test_multipart_split (void)
{
  /* the data holds near-delimiters to trip a naive search */
  static const guint8 data[] = "ab\r\n--" PARTIAL_BOUNDARY "X\r\n-\r\n--" "cd\r\n\r";
  g_autoptr(GBytes) body = multipart (BOUNDARY, data, sizeof data - 1, "x.jpg",
                                      "fileCreatedAt", DATE, NULL);
  gsize len;
  const guint8 *raw = g_bytes_get_data (body, &len);
  g_autofree gchar *expect = NULL;
  g_autofree gchar *s1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, DATE, -1);
  g_autofree gchar *s2 = g_compute_checksum_for_data (G_CHECKSUM_SHA1, data, sizeof data - 1);

  expect = g_strdup_printf ("[fileCreatedAt|-](%s)[assetData|x.jpg](%s)", s1, s2);
  for (gsize split = 0; split <= len; split++)
    {
      ParseLog pl = { g_string_new (NULL), g_checksum_new (G_CHECKSUM_SHA1) };
      g_autoptr(PbiFakeMultipart) mp = _pbi_fake_multipart_new (BOUNDARY, log_begin, log_data,
                                                                 log_end, &pl);

      /* feed in three pieces: [0,split), one byte, rest */
      g_assert_true (_pbi_fake_multipart_feed (mp, raw, split));
      if (split < len)
        {
          g_assert_true (_pbi_fake_multipart_feed (mp, raw + split, 1));
          g_assert_true (_pbi_fake_multipart_feed (mp, raw + split + 1, len - split - 1));
        }
      g_assert_true (_pbi_fake_multipart_is_done (mp));
      g_assert_cmpstr (pl.log->str, ==, expect);
      g_string_free (pl.log, TRUE);
      g_checksum_free (pl.sum);
    }
}

/* Originals are kept up to the set size only: a run of 100,000 uploads
 * must not hold their bytes in the fake's memory. */
static void
test_keep_originals (void)
{
  Fixture fixture = { 0 };
  Fixture *fx = &fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);
  g_autofree guint8 *small = random_bytes (1000, 3);
  g_autofree guint8 *large = random_bytes (1001, 4);

  for (guint i = 0; i < 1000; i++)
    small[i] |= 1;   /* no NUL: Resp holds the body as a string */
  fx->server = pbi_fake_server_new ("3.2.2");
  pbi_fake_server_add_api_key (fx->server, NULL, KEY_ALL, NULL);
  pbi_fake_server_set_keep_originals (fx->server, 1000);
  g_assert_true (pbi_fake_server_start (fx->server, 0, &error));
  g_assert_no_error (error);
  fx->session = soup_session_new_with_options ("timeout", 10, "proxy-resolver", no_proxy, NULL);
  {
    g_autoptr(Resp) up_small = upload_v3 (fx, KEY_ALL, small, 1000, "small.jpg", NULL);
    g_autoptr(Resp) up_large = upload_v3 (fx, KEY_ALL, large, 1001, "large.jpg", NULL);
    g_autofree gchar *small_path = NULL;
    g_autofree gchar *large_path = NULL;
    g_autoptr(Resp) got_small = NULL;
    g_autoptr(Resp) got_large = NULL;

    g_assert_cmpuint (up_small->status, ==, 201);
    g_assert_cmpuint (up_large->status, ==, 201);
    small_path = g_strdup_printf ("/api/assets/%s/original", member_str (up_small->json, "id"));
    large_path = g_strdup_printf ("/api/assets/%s/original", member_str (up_large->json, "id"));
    got_small = request (fx, "GET", small_path, KEY_ALL, NULL, NULL, NULL);
    got_large = request (fx, "GET", large_path, KEY_ALL, NULL, NULL, NULL);
    g_assert_cmpuint (got_small->status, ==, 200);
    g_assert_cmpmem (got_small->body, 1000, small, 1000);
    g_assert_cmpuint (got_large->status, ==, 404);
    /* the large one is still an asset with its size */
    g_assert_cmpint (state_int (fx, "assets"), ==, 2);
    g_assert_cmpint (state_int (fx, "bytes"), ==, 2001);
  }
  fixture_teardown (fx, NULL);
}

int
main (int   argc,
      char *argv[])
{
  /* The isolated XDG dirs hide the GSettings schemas that GNOME's proxy
   * resolver module needs; nothing here goes through a proxy anyway. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/pbi/fake-immich/v3/auth", Fixture, "3.2.2",
              fixture_setup, test_v3_auth, fixture_teardown);
  g_test_add ("/pbi/fake-immich/v3/upload", Fixture, "3.2.2",
              fixture_setup, test_v3_upload, fixture_teardown);
  g_test_add ("/pbi/fake-immich/v3/bulk-check-trash", Fixture, "3.2.2",
              fixture_setup, test_v3_bulk_check_trash, fixture_teardown);
  g_test_add ("/pbi/fake-immich/v3/albums", Fixture, "3.2.2",
              fixture_setup, test_v3_albums, fixture_teardown);
  g_test_add ("/pbi/fake-immich/v3/shared-album", Fixture, "3.2.2",
              fixture_setup, test_v3_shared_album, fixture_teardown);
  g_test_add ("/pbi/fake-immich/v2/rules", Fixture, "2.7.5",
              fixture_setup, test_v2_rules, fixture_teardown);
  g_test_add ("/pbi/fake-immich/v1/routes", Fixture, "1.94.0",
              fixture_setup, test_v1_routes, fixture_teardown);
  g_test_add ("/pbi/fake-immich/faults/all", Fixture, "3.2.2",
              fixture_setup, test_faults, fixture_teardown);
  g_test_add ("/pbi/fake-immich/http/keep-alive", Fixture, "3.2.2",
              fixture_setup, test_keep_alive, fixture_teardown);
  g_test_add ("/pbi/fake-immich/http/no-fd-leak", Fixture, "3.2.2",
              fixture_setup, test_no_fd_leak, fixture_teardown);
  g_test_add ("/pbi/fake-immich/control/api", Fixture, "3.2.2",
              fixture_setup, test_control_api, fixture_teardown);
  g_test_add_func ("/pbi/fake-immich/multipart/split", test_multipart_split);
  g_test_add_func ("/pbi/fake-immich/tls/https", test_tls);
  g_test_add_func ("/pbi/fake-immich/keep-originals", test_keep_originals);

  return g_test_run ();
}
