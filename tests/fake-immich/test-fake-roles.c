/* test-fake-roles.c: the fake Immich server's users, album roles, trash, shared links and set-up API
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What later tests set up through the C API and the /__fake control API
 * (albums of another user shared as viewer or editor, roles changed and
 * shares removed mid-run, trashed and removed assets, per-route counts)
 * must answer over HTTP as the real server does.
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pbi-fake-server.h"

#define ADMIN_KEY "roles-admin-key"
#define BOB_KEY   "roles-bob-key"
#define UPLOAD_KEY "roles-upload-only-key"
#define SHA_A     "0123456789abcdef0123456789abcdef01234567"
#define SHA_B     "89abcdef0123456789abcdef0123456789abcdef"

typedef struct
{
  guint     status;
  gchar    *body;
  gchar    *cid_v3;
  gchar    *cid_v2;
  JsonNode *json;
} Resp;

static void
resp_free (Resp *r)
{
  g_free (r->body);
  g_free (r->cid_v3);
  g_free (r->cid_v2);
  g_clear_pointer (&r->json, json_node_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Resp, resp_free)

typedef struct
{
  PbiFakeServer *server;
  SoupSession   *session;
  gchar         *admin;
  gchar         *bob;
} Fixture;

static Resp *
call (Fixture     *fx,
      const gchar *method,
      const gchar *path,
      const gchar *key,
      const gchar *json)
{
  g_autofree gchar *url = g_strconcat (pbi_fake_server_get_base_url (fx->server), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *rh;
  const gchar *ctype;
  Resp *r = g_new0 (Resp, 1);

  if (key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-api-key", key);
  if (json != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }
  bytes = soup_session_send_and_read (fx->session, msg, NULL, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  rh = soup_message_get_response_headers (msg);
  r->cid_v3 = g_strdup (soup_message_headers_get_one (rh, "X-Correlation-ID"));
  r->cid_v2 = g_strdup (soup_message_headers_get_one (rh, "x-immich-cid"));
  ctype = soup_message_headers_get_one (rh, "Content-Type");
  if (ctype != NULL && g_str_has_prefix (ctype, "application/json"))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_true (json_parser_load_from_data (parser, r->body, -1, NULL));
      r->json = json_node_copy (json_parser_get_root (parser));
    }
  return r;
}

static const gchar *
str_of (Resp        *r,
        const gchar *name)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_object_get_string_member_with_default (json_node_get_object (r->json), name, NULL);
}

/* A list answer holds an object whose id is id */
static JsonObject *
find_id (Resp        *r,
         const gchar *id)
{
  JsonArray *arr;

  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (r->json));
  arr = json_node_get_array (r->json);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *o = json_array_get_object_element (arr, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "id", NULL), id) == 0)
        return o;
    }
  return NULL;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  const gchar *upload_only[] = { "asset.upload", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);

  fx->server = pbi_fake_server_new (data);
  fx->admin = pbi_fake_server_add_user (fx->server, "admin@example.com", "Admin");
  fx->bob = pbi_fake_server_add_user (fx->server, "bob@example.com", "Bob");
  pbi_fake_server_add_api_key (fx->server, fx->admin, ADMIN_KEY, NULL);
  pbi_fake_server_add_api_key (fx->server, "admin@example.com", UPLOAD_KEY, upload_only);
  pbi_fake_server_add_api_key (fx->server, fx->bob, BOB_KEY, NULL);
  g_assert_true (pbi_fake_server_start (fx->server, 0, &error));
  g_assert_no_error (error);
  fx->session = soup_session_new_with_options ("timeout", 10, "proxy-resolver", no_proxy, NULL);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->session);
  pbi_fake_server_stop (fx->server);
  g_assert_finalize_object (fx->server);
  g_free (fx->admin);
  g_free (fx->bob);
}

static gboolean
is_v3 (Fixture *fx)
{
  return g_str_has_prefix (pbi_fake_server_get_api_version (fx->server), "3.");
}

/* Bob's album shared with the admin: viewer, then editor, then unshared,
 * then deleted; each add answers what the real server does. */
static void
test_roles (Fixture       *fx,
            gconstpointer  data)
{
  g_autofree gchar *asset = pbi_fake_server_add_asset (fx->server, fx->admin, SHA_A, 10, "a.jpg");
  g_autofree gchar *album = pbi_fake_server_create_shared_album (fx->server, fx->bob, "Bob's",
                                                                 "admin@example.com", "viewer",
                                                                 NULL);
  g_autofree gchar *add_path = g_strdup_printf ("/api/albums/%s/assets", album);
  g_autofree gchar *get_path = g_strdup_printf ("/api/albums/%s", album);
  g_autofree gchar *ids = g_strdup_printf ("{\"ids\":[\"%s\"]}", asset);
  g_autoptr(Resp) list = call (fx, "GET", "/api/albums", ADMIN_KEY, NULL);
  g_autoptr(Resp) shared = call (fx, "GET", "/api/albums?shared=true", ADMIN_KEY, NULL);
  g_autoptr(Resp) by_id = call (fx, "GET", get_path, ADMIN_KEY, NULL);
  g_autoptr(Resp) as_viewer = call (fx, "PUT", add_path, ADMIN_KEY, ids);
  g_autoptr(Resp) as_editor = NULL;
  g_autoptr(Resp) unshared_get = NULL;
  g_autoptr(Resp) unshared_add = NULL;
  g_autoptr(Resp) deleted_add = NULL;
  JsonObject *entry;
  JsonArray *users;

  g_assert_nonnull (album);
  /* 3.x lists albums shared with the user; 1.x/2.x only with ?shared=true */
  g_assert_cmpuint (list->status, ==, 200);
  g_assert_true ((find_id (list, album) != NULL) == is_v3 (fx));
  entry = find_id (shared, album);
  g_assert_nonnull (entry);
  g_assert_true (json_object_get_boolean_member (entry, "shared"));
  users = json_object_get_array_member (entry, "albumUsers");
  if (is_v3 (fx))
    {
      /* the owner first, with role "owner"; no ownerId */
      g_assert_cmpuint (json_array_get_length (users), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (users, 0),
                                                      "role"), ==, "owner");
      g_assert_false (json_object_has_member (entry, "ownerId"));
    }
  else
    {
      g_assert_cmpuint (json_array_get_length (users), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (entry, "ownerId"), ==, fx->bob);
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (users,
                                                                                 is_v3 (fx)),
                                                  "role"), ==, "viewer");
  g_assert_cmpuint (by_id->status, ==, 200);

  g_assert_cmpuint (as_viewer->status, ==, 400);
  g_assert_cmpstr (str_of (as_viewer, "message"), ==, "Not found or no albumAsset.create access");

  pbi_fake_server_share_album (fx->server, album, fx->admin, "editor");
  as_editor = call (fx, "PUT", add_path, ADMIN_KEY, ids);
  g_assert_cmpuint (as_editor->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (
                   json_array_get_object_element (json_node_get_array (as_editor->json), 0),
                   "success"));

  pbi_fake_server_unshare_album (fx->server, album, "admin@example.com");
  unshared_get = call (fx, "GET", get_path, ADMIN_KEY, NULL);
  g_assert_cmpuint (unshared_get->status, ==, 400);
  g_assert_cmpstr (str_of (unshared_get, "message"), ==, "Not found or no album.read access");
  unshared_add = call (fx, "PUT", add_path, ADMIN_KEY, ids);
  g_assert_cmpuint (unshared_add->status, ==, 400);
  g_assert_cmpstr (str_of (unshared_add, "message"), ==,
                   "Not found or no albumAsset.create access");

  pbi_fake_server_delete_album (fx->server, album);
  deleted_add = call (fx, "PUT", add_path, ADMIN_KEY, ids);
  g_assert_cmpuint (deleted_add->status, ==, 400);
  g_assert_cmpstr (str_of (deleted_add, "message"), ==, "Album not found");

  /* every add counted on its route, UUIDs folded into {id} */
  g_assert_cmpuint (pbi_fake_server_get_route_count (fx->server, "PUT",
                                                     "/api/albums/{id}/assets"), ==, 4);
  /* with and without ?shared: the query is not part of the route */
  g_assert_cmpuint (pbi_fake_server_get_route_count (fx->server, "GET", "/api/albums"), ==, 2);
  pbi_fake_server_reset_route_counts (fx->server);
  g_assert_cmpuint (pbi_fake_server_get_route_count (fx->server, "PUT",
                                                     "/api/albums/{id}/assets"), ==, 0);
}

/* POST /albums with albumUsers; DELETE /albums/{id} by its owner only */
static void
test_album_api (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree gchar *body = g_strdup_printf ("{\"albumName\":\"Party\",\"albumUsers\":"
                                            "[{\"userId\":\"%s\",\"role\":\"editor\"}]}", fx->bob);
  g_autoptr(Resp) created = call (fx, "POST", "/api/albums", ADMIN_KEY, body);
  g_autofree gchar *path = g_strdup_printf ("/api/albums/%s", str_of (created, "id"));
  g_autoptr(Resp) bob_sees = call (fx, "GET", path, BOB_KEY, NULL);
  g_autoptr(Resp) bob_deletes = call (fx, "DELETE", path, BOB_KEY, NULL);
  g_autoptr(Resp) deleted = call (fx, "DELETE", path, ADMIN_KEY, NULL);
  g_autoptr(Resp) gone = call (fx, "GET", path, ADMIN_KEY, NULL);

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (created->json), "shared"));
  g_assert_cmpuint (bob_sees->status, ==, 200);
  g_assert_cmpuint (bob_deletes->status, ==, 400);
  g_assert_cmpstr (str_of (bob_deletes, "message"), ==, "Not found or no album.delete access");
  g_assert_cmpuint (deleted->status, ==, 204);
  g_assert_cmpuint (gone->status, ==, 400);
  /* the correlation header rides on every answer */
  g_assert_nonnull (is_v3 (fx) ? deleted->cid_v3 : deleted->cid_v2);
  g_assert_nonnull (is_v3 (fx) ? created->cid_v3 : created->cid_v2);
}

static const gchar *
check_result (Resp *r)
{
  JsonArray *results = json_object_get_array_member (json_node_get_object (r->json), "results");
  JsonObject *o = json_array_get_object_element (results, 0);

  if (json_object_has_member (o, "isTrashed") && json_object_get_boolean_member (o, "isTrashed"))
    return "trashed";
  return json_object_get_string_member (o, "action");
}

static void
test_trash (Fixture       *fx,
            gconstpointer  data)
{
  g_autofree gchar *asset = pbi_fake_server_add_asset (fx->server, fx->admin, SHA_B, 10, "b.jpg");
  g_autofree gchar *ids = g_strdup_printf ("{\"ids\":[\"%s\"]}", asset);
  g_autofree gchar *force = g_strdup_printf ("{\"ids\":[\"%s\"],\"force\":true}", asset);
  const gchar *check = "{\"assets\":[{\"id\":\"x\",\"checksum\":\"" SHA_B "\"}]}";
  g_autoptr(Resp) bob_trash = call (fx, "DELETE", "/api/assets", BOB_KEY, ids);
  g_autoptr(Resp) trash = call (fx, "DELETE", "/api/assets", ADMIN_KEY, ids);
  g_autoptr(Resp) trashed = call (fx, "POST", "/api/assets/bulk-upload-check", ADMIN_KEY, check);
  g_autoptr(Resp) limited = call (fx, "POST", "/api/trash/restore/assets", UPLOAD_KEY, ids);
  g_autoptr(Resp) restore = call (fx, "POST", "/api/trash/restore/assets", ADMIN_KEY, ids);
  g_autoptr(Resp) restored = call (fx, "POST", "/api/assets/bulk-upload-check", ADMIN_KEY, check);
  g_autoptr(Resp) again = call (fx, "POST", "/api/trash/restore/assets", ADMIN_KEY, ids);
  g_autoptr(Resp) removed = call (fx, "DELETE", "/api/assets", ADMIN_KEY, force);
  g_autoptr(Resp) gone = call (fx, "POST", "/api/assets/bulk-upload-check", ADMIN_KEY, check);

  g_assert_cmpuint (bob_trash->status, ==, 400);
  g_assert_cmpstr (str_of (bob_trash, "message"), ==, "Not found or no asset.delete access");
  g_assert_cmpuint (trash->status, ==, 204);
  g_assert_cmpstr (check_result (trashed), ==, "trashed");
  g_assert_cmpuint (limited->status, ==, 403);
  g_assert_cmpstr (str_of (limited, "message"), ==, "Missing required permission: asset.delete");
  g_assert_cmpuint (restore->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (restore->json), "count"),
                   ==, 1);
  g_assert_cmpstr (check_result (restored), ==, "reject");
  /* the real server counts every id it may restore, trashed or not */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (again->json), "count"),
                   ==, 1);
  g_assert_cmpuint (removed->status, ==, 204);
  g_assert_cmpstr (check_result (gone), ==, "accept");
}

static void
test_shared_links (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree gchar *album = pbi_fake_server_create_album (fx->server, NULL, "Booth");
  g_autofree gchar *body = g_strdup_printf ("{\"type\":\"ALBUM\",\"albumId\":\"%s\"}", album);
  g_autoptr(Resp) set = call (fx, "POST", "/__fake/config", NULL,
                              "{\"externalDomain\":\"https://photos.example.com\"}");
  g_autoptr(Resp) config = call (fx, "GET", "/api/server/config", NULL, NULL);
  g_autoptr(Resp) created = call (fx, "POST", "/api/shared-links", ADMIN_KEY, body);
  g_autoptr(Resp) bob_create = call (fx, "POST", "/api/shared-links", BOB_KEY, body);
  g_autoptr(Resp) list = call (fx, "GET", "/api/shared-links", ADMIN_KEY, NULL);
  g_autofree gchar *page_path = g_strdup_printf ("/share/%s", str_of (created, "key"));
  g_autoptr(Resp) page = call (fx, "GET", page_path, NULL, NULL);
  g_autofree gchar *del_path = g_strdup_printf ("/api/shared-links/%s", str_of (created, "id"));
  g_autoptr(Resp) deleted = call (fx, "DELETE", del_path, ADMIN_KEY, NULL);
  g_autoptr(Resp) after = call (fx, "GET", "/api/shared-links", ADMIN_KEY, NULL);
  JsonObject *entry;

  g_assert_cmpuint (set->status, ==, 200);
  g_assert_cmpstr (str_of (config, "externalDomain"), ==, "https://photos.example.com");
  g_assert_cmpuint (created->status, ==, 201);
  g_assert_cmpstr (str_of (created, "type"), ==, "ALBUM");
  g_assert_cmpuint (strlen (str_of (created, "key")), >, 40);
  g_assert_cmpuint (bob_create->status, ==, 400);
  entry = find_id (list, str_of (created, "id"));
  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "album"),
                                                  "id"), ==, album);
  g_assert_cmpuint (page->status, ==, 200);
  g_assert_cmpuint (deleted->status, ==, 204);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after->json)), ==, 0);
}

/* POST /search/metadata: the user's assets by checksum, by album (pages
 * of `size`, nextPage), never another user's album */
static void
test_search (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree gchar *album = pbi_fake_server_create_album (fx->server, fx->admin, "Pages");
  g_autofree gchar *bob_album = pbi_fake_server_create_album (fx->server, fx->bob, "Bob's");
  g_autofree gchar *page1 = g_strdup_printf ("{\"albumIds\":[\"%s\"],\"size\":2}", album);
  g_autofree gchar *page2 = g_strdup_printf ("{\"albumIds\":[\"%s\"],\"size\":2,\"page\":2}",
                                             album);
  g_autofree gchar *foreign = g_strdup_printf ("{\"albumIds\":[\"%s\"]}", bob_album);
  g_autoptr(Resp) r1 = NULL;
  g_autoptr(Resp) r2 = NULL;
  g_autoptr(Resp) by_sum = NULL;
  g_autoptr(Resp) denied = NULL;
  JsonObject *assets;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *sha = g_strdup_printf ("%040x", i + 1);
      g_autofree gchar *id = pbi_fake_server_add_asset (fx->server, fx->admin, sha, 1, "p.jpg");

      pbi_fake_server_add_to_album (fx->server, album, id);
    }
  r1 = call (fx, "POST", "/api/search/metadata", ADMIN_KEY, page1);
  r2 = call (fx, "POST", "/api/search/metadata", ADMIN_KEY, page2);
  by_sum = call (fx, "POST", "/api/search/metadata", ADMIN_KEY,
                 "{\"checksum\":\"0000000000000000000000000000000000000002\"}");
  denied = call (fx, "POST", "/api/search/metadata", ADMIN_KEY, foreign);

  assets = json_object_get_object_member (json_node_get_object (r1->json), "assets");
  g_assert_cmpint (json_object_get_int_member (assets, "count"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (assets, "nextPage"), ==, "2");
  assets = json_object_get_object_member (json_node_get_object (r2->json), "assets");
  g_assert_cmpint (json_object_get_int_member (assets, "count"), ==, 1);
  g_assert_true (json_object_get_null_member (assets, "nextPage"));
  assets = json_object_get_object_member (json_node_get_object (by_sum->json), "assets");
  g_assert_cmpint (json_object_get_int_member (assets, "total"), ==, 1);
  g_assert_cmpuint (denied->status, ==, 400);
  g_assert_cmpstr (str_of (denied, "message"), ==, "Not found or no album.read access");
}

/* The /__fake control API sets up what the C API does. */
static void
test_control_setup (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(Resp) user = call (fx, "POST", "/__fake/users", NULL,
                               "{\"email\":\"carol@example.com\",\"name\":\"Carol\"}");
  g_autoptr(Resp) key = call (fx, "POST", "/__fake/keys", NULL,
                              "{\"key\":\"carol-key\",\"user\":\"carol@example.com\","
                              "\"permissions\":[\"album.read\"]}");
  g_autoptr(Resp) album = call (fx, "POST", "/__fake/albums", NULL,
                                "{\"name\":\"Carol's\",\"owner\":\"carol@example.com\","
                                "\"users\":[{\"user\":\"admin@example.com\",\"role\":\"viewer\"}]}");
  g_autoptr(Resp) carol_albums = call (fx, "GET", "/api/albums", "carol-key", NULL);
  g_autoptr(Resp) carol_me = call (fx, "GET", "/api/users/me", "carol-key", NULL);
  g_autoptr(Resp) admin_shared = call (fx, "GET", "/api/albums?shared=true", ADMIN_KEY, NULL);
  g_autoptr(Resp) bad_role = call (fx, "POST", "/__fake/albums", NULL,
                                   "{\"name\":\"x\",\"users\":[{\"user\":\"bob@example.com\","
                                   "\"role\":\"owner\"}]}");
  g_autoptr(Resp) space = call (fx, "POST", "/__fake/config", NULL,
                                "{\"diskSize\":1000000,\"diskAvailable\":1234}");
  g_autoptr(Resp) storage = call (fx, "GET", "/api/server/storage", ADMIN_KEY, NULL);
  g_autoptr(Resp) state = call (fx, "GET", "/__fake/state", NULL, NULL);
  JsonObject *routes;

  g_assert_cmpuint (user->status, ==, 201);
  g_assert_cmpuint (key->status, ==, 201);
  g_assert_cmpuint (album->status, ==, 201);
  g_assert_nonnull (find_id (carol_albums, str_of (album, "id")));
  g_assert_cmpuint (carol_me->status, ==, 403);
  g_assert_nonnull (find_id (admin_shared, str_of (album, "id")));
  g_assert_cmpuint (bad_role->status, ==, 400);
  g_assert_cmpuint (space->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (storage->json),
                                               "diskAvailableRaw"), ==, 1234);
  routes = json_object_get_object_member (json_node_get_object (state->json), "routes");
  g_assert_cmpint (json_object_get_int_member (routes, "GET /api/albums"), ==, 2);
}

/* 1.9x: /album, sharedUsers (before 1.102), /shared-link */
static void
test_v1 (Fixture       *fx,
         gconstpointer  data)
{
  g_autofree gchar *album = pbi_fake_server_create_shared_album (fx->server, fx->bob, "Old",
                                                                 fx->admin, "editor", NULL);
  g_autoptr(Resp) owned = call (fx, "GET", "/api/album", ADMIN_KEY, NULL);
  g_autoptr(Resp) shared = call (fx, "GET", "/api/album?shared=true", ADMIN_KEY, NULL);
  g_autofree gchar *mine = pbi_fake_server_create_album (fx->server, fx->admin, "Mine");
  g_autofree gchar *body = g_strdup_printf ("{\"type\":\"ALBUM\",\"albumId\":\"%s\"}", mine);
  g_autoptr(Resp) link = call (fx, "POST", "/api/shared-link", ADMIN_KEY, body);
  g_autofree gchar *asset = pbi_fake_server_add_asset (fx->server, fx->bob, SHA_A, 1, "a.jpg");
  g_autofree gchar *ids = g_strdup_printf ("{\"ids\":[\"%s\"]}", asset);
  g_autofree gchar *mine_path = g_strdup_printf ("/api/album/%s/assets", mine);
  g_autoptr(Resp) bob_adds = call (fx, "PUT", mine_path, BOB_KEY, ids);
  g_autoptr(Resp) missing = call (fx, "PUT", "/api/album/00000000-0000-4000-8000-000000000000/assets",
                                  BOB_KEY, ids);
  JsonObject *entry;

  g_assert_null (find_id (owned, album));
  entry = find_id (shared, album);
  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "ownerId"), ==, fx->bob);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (entry, "sharedUsers")),
                    ==, 1);
  g_assert_false (json_object_has_member (entry, "albumUsers"));
  g_assert_cmpuint (link->status, ==, 201);
  g_assert_false (json_object_has_member (json_node_get_object (link->json), "slug"));
  /* 1.9x names the permission album.addAsset; a missing album is found missing first */
  g_assert_cmpuint (bob_adds->status, ==, 400);
  g_assert_cmpstr (str_of (bob_adds, "message"), ==, "Not found or no album.addAsset access");
  g_assert_cmpuint (missing->status, ==, 400);
  g_assert_cmpstr (str_of (missing, "message"), ==, "Album not found");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/pbi/fake-immich/roles/v3", Fixture, "3.1.0", fixture_setup, test_roles,
              fixture_teardown);
  g_test_add ("/pbi/fake-immich/roles/v2", Fixture, "2.0.1", fixture_setup, test_roles,
              fixture_teardown);
  g_test_add ("/pbi/fake-immich/albums/api-v3", Fixture, "3.1.0", fixture_setup, test_album_api,
              fixture_teardown);
  g_test_add ("/pbi/fake-immich/albums/api-v2", Fixture, "2.0.1", fixture_setup, test_album_api,
              fixture_teardown);
  g_test_add ("/pbi/fake-immich/trash/v3", Fixture, "3.1.0", fixture_setup, test_trash,
              fixture_teardown);
  g_test_add ("/pbi/fake-immich/trash/v2", Fixture, "2.0.1", fixture_setup, test_trash,
              fixture_teardown);
  g_test_add ("/pbi/fake-immich/shared-links/v3", Fixture, "3.1.0", fixture_setup,
              test_shared_links, fixture_teardown);
  g_test_add ("/pbi/fake-immich/search/metadata", Fixture, "3.1.0", fixture_setup, test_search,
              fixture_teardown);
  g_test_add ("/pbi/fake-immich/control/setup", Fixture, "3.1.0", fixture_setup,
              test_control_setup, fixture_teardown);
  g_test_add ("/pbi/fake-immich/v1/sharing", Fixture, "1.94.0", fixture_setup, test_v1,
              fixture_teardown);
  return g_test_run ();
}
