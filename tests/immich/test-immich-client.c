/* test-immich-client.c: the Immich client against the in-process fake server
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every error code is produced by its real condition: a closed port, a
 * wrong key, a key without a permission, a web page, broken JSON, a 413,
 * a 503 with Retry-After, a server that stalls, a redirect, TLS with a
 * self-signed certificate.
 */

#include "config.h"

#include <stdlib.h>
#ifndef __has_feature
#define __has_feature(x) 0   /* gcc before 14: __SANITIZE_ADDRESS__ says it */
#endif

#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "pbi-fake-server.h"
#include "pbi-immich-client.h"

#define TEST_KEY "pbi-test-key-Sup3rS3cret-0123456789"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static gboolean
on_test_timeout (gpointer data)
{
  g_error ("a call did not finish within 60 s");
  return G_SOURCE_REMOVE;
}

static gboolean
accept_any_certificate (void)
{
  return TRUE;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  guint id = g_timeout_add_seconds (60, on_test_timeout, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return *slot;
}

#define CALL(call_async, ...) \
  G_STMT_START { \
    g_clear_object (&res); \
    call_async (__VA_ARGS__, NULL, result_cb, &res); \
    await (&res); \
  } G_STMT_END

typedef struct
{
  PbiFakeServer   *fake;
  PbiImmichClient *client;
  gchar           *user_id;
  gchar           *dir;
  const gchar     *version;
} Fixture;

/* pbi_fake_server_start() returns before the fake's main loop runs, and a
 * stop in that window is lost (g_main_loop_quit before g_main_loop_run), so
 * the join hangs. One answered control request proves the loop runs; control
 * requests are not counted in the fake's "requests". */
static void
wait_until_serving (PbiFakeServer *fake)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree gchar *url = g_strconcat (pbi_fake_server_get_base_url (fake), "/__fake/state",
                                       NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

static PbiFakeServer *
start_fake (const gchar *version,
            gchar      **user_id)
{
  PbiFakeServer *fake = pbi_fake_server_new (version);
  g_autoptr(GError) error = NULL;
  gchar *uid = pbi_fake_server_add_user (fake, "booth@example.com", "Photo Booth");

  pbi_fake_server_add_api_key (fake, uid, TEST_KEY, NULL);
  g_assert_true (pbi_fake_server_start (fake, 0, &error));
  g_assert_no_error (error);
  wait_until_serving (fake);
  if (user_id != NULL)
    *user_id = uid;
  else
    g_free (uid);
  return fake;
}

static PbiImmichClient *
new_client (const gchar *url,
            const gchar *key)
{
  g_autoptr(GError) error = NULL;
  PbiImmichClient *client = pbi_immich_client_new (url, key, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);
  return client;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->version = data ? data : "3.2.2";
  f->fake = start_fake (f->version, &f->user_id);
  f->client = new_client (pbi_fake_server_get_base_url (f->fake), TEST_KEY);
  f->dir = g_dir_make_tmp ("pbi-client-XXXXXX", NULL);
}

static void
remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&f->client));
  pbi_fake_server_stop (f->fake);
  g_clear_object (&f->fake);
  g_free (f->user_id);
  remove_tree (f->dir);
  g_free (f->dir);
}

static void
set_faults (Fixture     *f,
            const gchar *json)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pbi_fake_server_set_faults_json (f->fake, json, &error));
  g_assert_no_error (error);
}

static gchar *
write_file (Fixture     *f,
            const gchar *name,
            gsize        size,
            guint        seed)
{
  gchar *path = g_build_filename (f->dir, name, NULL);
  guint8 *buf = g_malloc (size);
  gsize i;

  for (i = 0; i < size; i++)
    buf[i] = (guint8) ((i * 31 + seed * 17 + (i >> 8)) & 0xff);
  if (size >= 2)
    {
      buf[0] = 0xff;  /* JPEG-like start */
      buf[1] = 0xd8;
    }
  g_assert_true (g_file_set_contents (path, (const gchar *) buf, size, NULL));
  g_free (buf);
  return path;
}

static gchar *
sha1_of_file (const gchar *path)
{
  g_autofree gchar *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guchar *) data, len);
}

static void
discover_ok (PbiImmichClient *client)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  CALL (pbi_immich_client_discover_async, client);
  g_assert_true (pbi_immich_client_discover_finish (client, res, &error));
  g_assert_no_error (error);
  g_clear_object (&res);
}

static void
assert_message_has (const GError *error,
                    const gchar  *needle)
{
  g_test_message ("error: %s", error->message);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” not in “%s”", needle, error->message);
  g_assert_null (strstr (error->message, TEST_KEY));
}

static PbiImmichUploadResult *
upload_path (PbiImmichClient *client,
             const gchar     *path,
             gboolean         with_checksum,
             GError         **error)
{
  g_autoptr(PbiImmichUpload) up = pbi_immich_upload_new (path);
  GAsyncResult *res = NULL;
  PbiImmichUploadResult *r;

  if (with_checksum)
    up->checksum = sha1_of_file (path);
  pbi_immich_client_upload_async (client, up, NULL, NULL, NULL, result_cb, &res);
  await (&res);
  r = pbi_immich_client_upload_finish (client, res, error);
  g_object_unref (res);
  return r;
}

/* ------------------------------------------------------------------ */
/* Discovery and each family                                           */
/* ------------------------------------------------------------------ */

static void
test_discover (Fixture       *f,
               gconstpointer  data)
{
  g_autofree gchar *api = g_strconcat (pbi_fake_server_get_base_url (f->fake), "/api", NULL);
  g_autofree gchar *version = NULL;
  g_autoptr(PbiImmichClient) typed_api = NULL;
  PbiImmichApiFamily want;

  if (g_str_has_prefix (f->version, "1.9"))
    want = PBI_IMMICH_API_V1;
  else if (g_str_has_prefix (f->version, "3."))
    want = PBI_IMMICH_API_V3;
  else
    want = PBI_IMMICH_API_V2;

  discover_ok (f->client);
  g_assert_cmpstr (pbi_immich_client_get_api_url (f->client), ==, api);
  g_assert_cmpint (pbi_immich_client_get_api_family (f->client), ==, want);
  version = pbi_immich_client_dup_server_version (f->client);
  g_assert_cmpstr (version, ==, f->version);

  /* Typed with /api and a trailing slash: same API. */
  {
    g_autofree gchar *typed = g_strconcat (api, "/", NULL);

    typed_api = new_client (typed, TEST_KEY);
    discover_ok (typed_api);
    g_assert_cmpstr (pbi_immich_client_get_api_url (typed_api), ==, api);
    g_assert_cmpint (pbi_immich_client_get_api_family (typed_api), ==, want);
  }
}

static gboolean
album_in_state (Fixture     *f,
                const gchar *album_id,
                const gchar *asset_id)
{
  g_autoptr(JsonNode) state = pbi_fake_server_dup_state (f->fake);
  JsonArray *albums = json_object_get_array_member (json_node_get_object (state), "albums");
  guint i, j;

  for (i = 0; i < json_array_get_length (albums); i++)
    {
      JsonObject *a = json_array_get_object_element (albums, i);
      JsonArray *assets = json_object_get_array_member (a, "assets");

      if (g_strcmp0 (json_object_get_string_member (a, "id"), album_id) != 0)
        continue;
      for (j = 0; j < json_array_get_length (assets); j++)
        if (g_strcmp0 (json_array_get_string_element (assets, j), asset_id) == 0)
          return TRUE;
    }
  return FALSE;
}

static void
progress_cb (goffset  sent,
             goffset  total,
             gpointer user_data)
{
  goffset *last = user_data;

  g_assert_cmpint (sent, <=, total);
  g_assert_cmpint (sent, >=, last[0]);
  last[0] = sent;
  last[1] = total;
}

static void
test_family_flow (Fixture       *f,
                  gconstpointer  data)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *photo = write_file (f, "IMG 0001.jpg", 150000, 1);
  g_autofree gchar *sha1 = sha1_of_file (photo);
  g_autoptr(PbiImmichUploadResult) first = NULL;
  g_autoptr(PbiImmichUploadResult) second = NULL;
  g_autoptr(PbiImmichUser) user = NULL;
  g_autoptr(PbiImmichVersion) version = NULL;
  g_autoptr(PbiImmichMediaTypes) types = NULL;
  g_autoptr(PbiImmichAlbum) album = NULL;
  g_autoptr(GPtrArray) albums = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_auto(GStrv) perms = NULL;
  const gchar *album_name = "Fotos & \"Booth\" 📷";
  goffset progress[2] = { 0, 0 };
  gboolean found = FALSE;
  guint i;

  /* No discover call first: every call discovers when needed. */
  CALL (pbi_immich_client_ping_async, f->client);
  g_assert_true (pbi_immich_client_ping_finish (f->client, res, &error));
  g_assert_no_error (error);

  CALL (pbi_immich_client_get_version_async, f->client);
  version = pbi_immich_client_get_version_finish (f->client, res, &error);
  g_assert_no_error (error);
  {
    g_autofree gchar *v = g_strdup_printf ("%u.%u.%u", version->major, version->minor,
                                           version->patch);
    g_assert_cmpstr (v, ==, f->version);
  }

  CALL (pbi_immich_client_get_current_user_async, f->client);
  user = pbi_immich_client_get_current_user_finish (f->client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (user->id, ==, f->user_id);
  g_assert_cmpstr (user->email, ==, "booth@example.com");

  CALL (pbi_immich_client_get_key_permissions_async, f->client);
  g_assert_true (pbi_immich_client_get_key_permissions_finish (f->client, res, &perms, &error));
  g_assert_no_error (error);
  if (f->version[0] == '1')
    g_assert_null (perms);
  else
    g_assert_true (g_strv_contains ((const gchar * const *) perms, "all"));

  CALL (pbi_immich_client_get_media_types_async, f->client);
  types = pbi_immich_client_get_media_types_finish (f->client, res, &error);
  g_assert_no_error (error);
  g_assert_true (pbi_immich_media_types_accepts (types, photo));
  g_assert_false (pbi_immich_media_types_accepts (types, "notes.txt"));

  /* Upload: new, then the same bytes again as a duplicate. */
  {
    g_autoptr(PbiImmichUpload) up = pbi_immich_upload_new (photo);

    up->checksum = g_strdup (sha1);
    pbi_immich_client_upload_async (f->client, up, progress_cb, progress, NULL, result_cb, &res);
    g_clear_object (&res);
    await (&res);
    first = pbi_immich_client_upload_finish (f->client, res, &error);
    g_assert_no_error (error);
    g_assert_nonnull (first->id);
    g_assert_false (first->duplicate);
    g_assert_cmpint (progress[1], >, 150000);
    g_assert_cmpint (progress[0], ==, progress[1]);
  }
  second = upload_path (f->client, photo, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (second->duplicate);
  g_assert_cmpstr (second->id, ==, first->id);

  /* The fake keeps what it received: SHA1 and name. */
  {
    g_autoptr(JsonNode) state = pbi_fake_server_dup_state (f->fake);
    JsonArray *list = json_object_get_array_member (json_node_get_object (state), "asset_list");
    JsonObject *asset = json_array_get_object_element (list, 0);

    g_assert_cmpint (json_array_get_length (list), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (asset, "checksum"), ==, sha1);
    g_assert_cmpstr (json_object_get_string_member (asset, "filename"), ==, "IMG 0001.jpg");
    /* fileCreatedAt defaults to the file's mtime, sent as ISO 8601 */
    {
      g_autoptr(GDateTime) sent = g_date_time_new_from_iso8601 (
        json_object_get_string_member (asset, "fileCreatedAt"), NULL);
      g_autoptr(GFile) file = g_file_new_for_path (photo);
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                                     G_FILE_QUERY_INFO_NONE, NULL, NULL);
      g_autoptr(GDateTime) mtime = g_file_info_get_modification_date_time (info);

      g_assert_nonnull (sent);
      g_assert_cmpint (g_date_time_to_unix (sent), ==, g_date_time_to_unix (mtime));
    }
  }

  /* Bulk check: results in input order. */
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_check_item_free);
  g_ptr_array_add (items, pbi_immich_check_item_new ("new-one",
                                                     "0000000000000000000000000000000000000001"));
  g_ptr_array_add (items, pbi_immich_check_item_new ("the-photo", sha1));
  CALL (pbi_immich_client_bulk_check_async, f->client, items);
  checks = pbi_immich_client_bulk_check_finish (f->client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpint (checks->len, ==, 2);
  {
    PbiImmichCheckResult *a = g_ptr_array_index (checks, 0);
    PbiImmichCheckResult *b = g_ptr_array_index (checks, 1);

    g_assert_cmpstr (a->id, ==, "new-one");
    g_assert_true (a->accepted);
    g_assert_cmpstr (b->id, ==, "the-photo");
    g_assert_false (b->accepted);
    g_assert_cmpstr (b->reason, ==, "duplicate");
    g_assert_cmpstr (b->asset_id, ==, first->id);
    g_assert_false (b->is_trashed);
  }

  /* Albums */
  CALL (pbi_immich_client_create_album_async, f->client, album_name, NULL);
  album = pbi_immich_client_create_album_finish (f->client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (album->name, ==, album_name);
  g_assert_cmpstr (album->owner_id, ==, f->user_id);

  CALL (pbi_immich_client_list_albums_async, f->client);
  albums = pbi_immich_client_list_albums_finish (f->client, res, &error);
  g_assert_no_error (error);
  for (i = 0; i < albums->len; i++)
    {
      PbiImmichAlbum *a = g_ptr_array_index (albums, i);

      if (g_strcmp0 (a->id, album->id) == 0)
        {
          found = TRUE;
          g_assert_cmpstr (a->name, ==, album_name);
          g_assert_cmpstr (a->owner_id, ==, f->user_id);
          g_assert_cmpstr (a->owner_name, ==, "Photo Booth");
        }
    }
  g_assert_true (found);

  {
    const gchar *ids[] = { first->id, NULL };

    CALL (pbi_immich_client_add_to_album_async, f->client, album->id, ids);
    added = pbi_immich_client_add_to_album_finish (f->client, res, &error);
    g_assert_no_error (error);
    g_assert_cmpint (added->len, ==, 1);
    g_assert_true (((PbiImmichAlbumAddResult *) g_ptr_array_index (added, 0))->success);
    g_assert_true (album_in_state (f, album->id, first->id));
    g_clear_pointer (&added, g_ptr_array_unref);

    CALL (pbi_immich_client_add_to_album_async, f->client, album->id, ids);
    added = pbi_immich_client_add_to_album_finish (f->client, res, &error);
    g_assert_no_error (error);
    g_assert_false (((PbiImmichAlbumAddResult *) g_ptr_array_index (added, 0))->success);
    g_assert_cmpstr (((PbiImmichAlbumAddResult *) g_ptr_array_index (added, 0))->error, ==,
                     "duplicate");
  }

  /* A trashed duplicate is reported as such and can be restored. */
  pbi_fake_server_trash_asset (f->fake, first->id);
  g_clear_pointer (&checks, g_ptr_array_unref);
  CALL (pbi_immich_client_bulk_check_async, f->client, items);
  checks = pbi_immich_client_bulk_check_finish (f->client, res, &error);
  g_assert_no_error (error);
  if (f->version[0] != '1')
    g_assert_true (((PbiImmichCheckResult *) g_ptr_array_index (checks, 1))->is_trashed);
  {
    const gchar *ids[] = { first->id, NULL };
    g_autoptr(JsonNode) state = NULL;
    JsonArray *list;

    CALL (pbi_immich_client_restore_assets_async, f->client, ids);
    g_assert_true (pbi_immich_client_restore_assets_finish (f->client, res, &error));
    g_assert_no_error (error);
    state = pbi_fake_server_dup_state (f->fake);
    list = json_object_get_array_member (json_node_get_object (state), "asset_list");
    g_assert_false (json_object_get_boolean_member (json_array_get_object_element (list, 0),
                                                    "isTrashed"));
  }

  /* An album that was deleted meanwhile */
  {
    g_autofree gchar *gone = pbi_fake_server_create_album (f->fake, f->user_id, "Gone");
    const gchar *ids[] = { first->id, NULL };

    pbi_fake_server_delete_album (f->fake, gone);
    CALL (pbi_immich_client_add_to_album_async, f->client, gone, ids);
    g_assert_null (pbi_immich_client_add_to_album_finish (f->client, res, &error));
    g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* Another user's album: shared read-only (from 1.102, which has roles),
   * as editor, and not shared. The list tells who may add; the refused add
   * is NO_ALBUM_ACCESS, not NOT_FOUND. */
  {
    g_autofree gchar *anna = pbi_fake_server_add_user (f->fake, "anna@example.com", "Anna");
    gboolean roles = f->version[0] != '1' || atoi (f->version + 2) >= 102;
    g_autofree gchar *viewer = pbi_fake_server_create_shared_album (f->fake, anna, "Anna's",
                                                                    f->user_id,
                                                                    roles ? "viewer" : "editor",
                                                                    NULL);
    g_autofree gchar *editor = pbi_fake_server_create_shared_album (f->fake, anna, "Anna's",
                                                                    f->user_id, "editor", NULL);
    g_autofree gchar *hidden = pbi_fake_server_create_album (f->fake, anna, "Anna's");
    const gchar *ids[] = { first->id, NULL };
    guint seen = 0;

    g_clear_pointer (&albums, g_ptr_array_unref);
    CALL (pbi_immich_client_list_albums_async, f->client);
    albums = pbi_immich_client_list_albums_finish (f->client, res, &error);
    g_assert_no_error (error);
    for (i = 0; i < albums->len; i++)
      {
        PbiImmichAlbum *a = g_ptr_array_index (albums, i);

        g_assert_cmpstr (a->id, !=, hidden);
        if (g_strcmp0 (a->id, viewer) == 0 || g_strcmp0 (a->id, editor) == 0)
          {
            seen++;
            g_assert_cmpstr (a->owner_id, ==, anna);
            g_assert_cmpstr (a->owner_email, ==, "anna@example.com");
            g_assert_nonnull (a->created_at);
            g_assert_cmpint (pbi_immich_album_get_access (a, anna), ==,
                             PBI_IMMICH_ALBUM_ACCESS_OWNER);
            g_assert_cmpint (pbi_immich_album_get_access (a, f->user_id), ==,
                             g_strcmp0 (a->id, viewer) == 0 && roles
                             ? PBI_IMMICH_ALBUM_ACCESS_VIEWER : PBI_IMMICH_ALBUM_ACCESS_EDITOR);
          }
        else if (g_strcmp0 (a->id, album->id) == 0)
          g_assert_cmpint (pbi_immich_album_get_access (a, f->user_id), ==,
                           PBI_IMMICH_ALBUM_ACCESS_OWNER);
      }
    g_assert_cmpuint (seen, ==, 2);

    CALL (pbi_immich_client_add_to_album_async, f->client, hidden, ids);
    g_assert_null (pbi_immich_client_add_to_album_finish (f->client, res, &error));
    g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NO_ALBUM_ACCESS);
    g_clear_error (&error);
    if (roles)
      {
        CALL (pbi_immich_client_add_to_album_async, f->client, viewer, ids);
        g_assert_null (pbi_immich_client_add_to_album_finish (f->client, res, &error));
        g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NO_ALBUM_ACCESS);
        g_clear_error (&error);
      }
    CALL (pbi_immich_client_add_to_album_async, f->client, editor, ids);
    g_clear_pointer (&added, g_ptr_array_unref);
    added = pbi_immich_client_add_to_album_finish (f->client, res, &error);
    g_assert_no_error (error);
    g_assert_true (((PbiImmichAlbumAddResult *) g_ptr_array_index (added, 0))->success);
  }
  g_clear_object (&res);
}

static void
test_bulk_batches (Fixture       *f,
                   gconstpointer  data)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  guint n = PBI_IMMICH_BULK_CHECK_BATCH * 2 + 7;
  guint i;

  discover_ok (f->client);
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_check_item_free);
  for (i = 0; i < n; i++)
    {
      g_autofree gchar *id = g_strdup_printf ("item-%u", n - i);
      g_autofree gchar *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA1, (guchar *) id,
                                                           strlen (id));
      g_ptr_array_add (items, pbi_immich_check_item_new (id, sum));
    }
  before = pbi_fake_server_dup_state (f->fake);
  CALL (pbi_immich_client_bulk_check_async, f->client, items);
  results = pbi_immich_client_bulk_check_finish (f->client, res, &error);
  g_assert_no_error (error);
  after = pbi_fake_server_dup_state (f->fake);
  g_assert_cmpint (results->len, ==, n);
  for (i = 0; i < n; i++)
    g_assert_cmpstr (((PbiImmichCheckResult *) g_ptr_array_index (results, i))->id, ==,
                     ((PbiImmichCheckItem *) g_ptr_array_index (items, i))->id);
  /* three requests of at most 5,000 */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (after), "requests")
                   - json_object_get_int_member (json_node_get_object (before), "requests"),
                   ==, 3);
  g_clear_object (&res);
}

/* Calls made before discovery finished share one discovery. */
static void
test_concurrent_discovery (Fixture       *f,
                           gconstpointer  data)
{
  GAsyncResult *res[5] = { NULL, };
  g_autoptr(JsonNode) state = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (res); i++)
    pbi_immich_client_ping_async (f->client, NULL, result_cb, &res[i]);
  for (i = 0; i < G_N_ELEMENTS (res); i++)
    {
      g_autoptr(GError) error = NULL;

      await (&res[i]);
      g_assert_true (pbi_immich_client_ping_finish (f->client, res[i], &error));
      g_assert_no_error (error);
      g_clear_object (&res[i]);
    }
  state = pbi_fake_server_dup_state (f->fake);
  /* /.well-known/immich + server/version once, then five pings */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "requests"), ==, 7);
}

static void
test_unsupported (Fixture       *f,
                  gconstpointer  data)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  CALL (pbi_immich_client_get_current_user_async, f->client);
  g_assert_null (pbi_immich_client_get_current_user_finish (f->client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNSUPPORTED_VERSION);
  assert_message_has (error, "1.80.0");
  assert_message_has (error, "1.90");
  g_clear_object (&res);
}

/* ------------------------------------------------------------------ */
/* Errors, each from its real condition                                */
/* ------------------------------------------------------------------ */

static guint
closed_port (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint port;

  g_assert_true (g_socket_bind (sock, addr, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);
  return port;
}

static void
test_refused (void)
{
  guint port = closed_port ();
  g_autofree gchar *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autofree gchar *where = g_strdup_printf ("Nothing answers at 127.0.0.1:%u", port);
  g_autoptr(PbiImmichClient) client = new_client (url, TEST_KEY);
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  CALL (pbi_immich_client_ping_async, client);
  g_assert_false (pbi_immich_client_ping_finish (client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE);
  assert_message_has (error, where);
  assert_message_has (error, "is Immich running?");
  g_assert_true (pbi_immich_error_is_transient (error));
  g_clear_object (&res);
}

static void
test_wrong_key (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PbiImmichClient) client = new_client (pbi_fake_server_get_base_url (f->fake),
                                                  "wrong-key-0000");
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  CALL (pbi_immich_client_get_current_user_async, client);
  g_assert_null (pbi_immich_client_get_current_user_finish (client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED);
  assert_message_has (error, "The API key was refused");
  g_assert_null (strstr (error->message, "wrong-key-0000"));
  g_assert_false (pbi_immich_error_is_transient (error));
  g_clear_object (&res);
}

static void
test_missing_permission (Fixture       *f,
                         gconstpointer  data)
{
  const gchar *perms[] = { "album.read", "asset.upload", "user.read", "apiKey.read", NULL };
  g_autoptr(PbiImmichClient) client = NULL;
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) got = NULL;

  pbi_fake_server_add_api_key (f->fake, f->user_id, "limited-key-1", perms);
  client = new_client (pbi_fake_server_get_base_url (f->fake), "limited-key-1");

  CALL (pbi_immich_client_get_key_permissions_async, client);
  g_assert_true (pbi_immich_client_get_key_permissions_finish (client, res, &got, &error));
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const gchar * const *) got, "album.read"));
  g_assert_false (g_strv_contains ((const gchar * const *) got, "album.create"));

  CALL (pbi_immich_client_create_album_async, client, "Booth", NULL);
  g_assert_null (pbi_immich_client_create_album_finish (client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION);
  assert_message_has (error, "lacks the permission album.create");
  g_assert_null (strstr (error->message, "limited-key-1"));
  g_clear_object (&res);
}

static void
test_html_answer (Fixture       *f,
                  gconstpointer  data)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  discover_ok (f->client);
  set_faults (f, "{\"html\":1}");
  CALL (pbi_immich_client_get_current_user_async, f->client);
  g_assert_null (pbi_immich_client_get_current_user_finish (f->client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_IMMICH);
  assert_message_has (error, "not as an Immich server");
  assert_message_has (error, "check the address");
  g_clear_object (&res);
}

static void
test_garbage_json (Fixture       *f,
                   gconstpointer  data)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  discover_ok (f->client);
  set_faults (f, "{\"garbage_json\":1}");
  CALL (pbi_immich_client_list_albums_async, f->client);
  g_assert_null (pbi_immich_client_list_albums_finish (f->client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_BAD_RESPONSE);
  assert_message_has (error, "not valid JSON");
  g_clear_object (&res);
}

static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autofree gchar *photo = write_file (f, "big.jpg", 3 * 1000 * 1000, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichUploadResult) r = NULL;

  discover_ok (f->client);
  set_faults (f, "{\"max_body_bytes\":1000000}");
  r = upload_path (f->client, photo, TRUE, &error);
  g_assert_null (r);
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE);
  assert_message_has (error, "too large (3.0\u00a0MB)");
  assert_message_has (error, "client_max_body_size");
  g_assert_false (pbi_immich_error_is_transient (error));

  /* a small photo behind a tighter limit: its own size, not "(0.0 MB)" */
  {
    g_autofree gchar *small = write_file (f, "small.jpg", 20 * 1000, 3);
    g_autoptr(GError) small_error = NULL;
    g_autoptr(PbiImmichUploadResult) small_r = NULL;

    set_faults (f, "{\"max_body_bytes\":1000}");
    small_r = upload_path (f->client, small, TRUE, &small_error);
    g_assert_null (small_r);
    g_assert_error (small_error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE);
    assert_message_has (small_error, "too large (20.0\u00a0kB)");

    /* refused again and again on the headers while the fake lingers, as
     * nginx does: each answer read, no crash (libsoup 3.2 crashed closing
     * such an answer), and the next request on the client goes through */
    for (guint i = 0; i < 10; i++)
      {
        g_autoptr(GError) again_error = NULL;
        g_autoptr(PbiImmichUploadResult) again = upload_path (f->client, small, TRUE,
                                                               &again_error);

        g_assert_null (again);
        g_assert_error (again_error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE);
      }
    set_faults (f, "{\"max_body_bytes\":0}");
    {
      g_autoptr(GError) ok_error = NULL;
      g_autoptr(PbiImmichUploadResult) ok = upload_path (f->client, small, TRUE, &ok_error);

      g_assert_no_error (ok_error);
      g_assert_nonnull (ok);
    }
  }
}

static void
test_server_error (Fixture       *f,
                   gconstpointer  data)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  discover_ok (f->client);
  set_faults (f, "{\"error_5xx\":{\"count\":1,\"status\":503,\"retry_after\":2}}");
  CALL (pbi_immich_client_ping_async, f->client);
  g_assert_false (pbi_immich_client_ping_finish (f->client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_SERVER);
  assert_message_has (error, "503");
  assert_message_has (error, "retry in 2 s");
  g_assert_true (pbi_immich_error_is_transient (error));
  g_assert_cmpuint (pbi_immich_client_get_retry_after (f->client), ==, 2);
  g_clear_error (&error);

  /* Only one failure was asked for. */
  CALL (pbi_immich_client_ping_async, f->client);
  g_assert_true (pbi_immich_client_ping_finish (f->client, res, &error));
  g_assert_no_error (error);
  g_clear_object (&res);
}

static void
test_rejected (Fixture       *f,
               gconstpointer  data)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichAlbum) album = NULL;
  const gchar *ids[] = { "not-a-uuid", NULL };

  CALL (pbi_immich_client_create_album_async, f->client, "Reject", NULL);
  album = pbi_immich_client_create_album_finish (f->client, res, &error);
  g_assert_no_error (error);

  CALL (pbi_immich_client_add_to_album_async, f->client, album->id, ids);
  g_assert_null (pbi_immich_client_add_to_album_finish (f->client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_REJECTED);
  assert_message_has (error, f->version);
  assert_message_has (error, "ids");
  g_clear_object (&res);
}

static void
test_file_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree gchar *missing = g_build_filename (f->dir, "missing.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichUploadResult) r = NULL;
  g_autoptr(JsonNode) state = NULL;

  r = upload_path (f->client, missing, FALSE, &error);
  g_assert_null (r);
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE);
  assert_message_has (error, "missing.jpg");
  /* Nothing was sent for it. */
  state = pbi_fake_server_dup_state (f->fake);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "requests"), ==, 0);
}

static void
test_stall (Fixture       *f,
            gconstpointer  data)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  discover_ok (f->client);
  pbi_immich_client_set_timeouts (f->client, 5, 1);
  set_faults (f, "{\"stall_ms\":4000}");
  start = g_get_monotonic_time ();
  CALL (pbi_immich_client_get_current_user_async, f->client);
  g_assert_null (pbi_immich_client_get_current_user_finish (f->client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE);
  assert_message_has (error, "did not answer within 1 s");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_clear_object (&res);
}

/* A listening socket whose backlog is full: the kernel drops further SYNs,
 * so a connection attempt hangs, as with a host that does not answer. */
static void
test_connect_timeout (void)
{
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(PbiImmichClient) client = NULL;
  g_autofree gchar *url = NULL;
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  guint i;

  g_socket_set_listen_backlog (listener, 0);
  g_assert_true (g_socket_bind (listener, addr, FALSE, NULL));
  g_assert_true (g_socket_listen (listener, NULL));
  bound = g_socket_get_local_address (listener, NULL);
  /* Fill the queue with connections nobody accepts. */
  for (i = 0; i < 4; i++)
    {
      GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL);

      g_socket_set_blocking (s, FALSE);
      g_socket_connect (s, bound, NULL, NULL);
      g_ptr_array_add (fillers, s);
    }
  g_usleep (100000);

  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  client = new_client (url, TEST_KEY);
  pbi_immich_client_set_timeouts (client, 1, 30);
  start = g_get_monotonic_time ();
  CALL (pbi_immich_client_ping_async, client);
  g_assert_false (pbi_immich_client_ping_finish (client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE);
  assert_message_has (error, "within 1 s");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_object (&res);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  discover_ok (f->client);
  set_faults (f, "{\"stall_ms\":3000}");
  pbi_immich_client_ping_async (f->client, cancellable, result_cb, &res);
  g_timeout_add_once (200, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  await (&res);
  g_assert_false (pbi_immich_client_ping_finish (f->client, res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&res);
}

/* A plain server in the test: answers every request with @status. */
typedef struct
{
  guint        status;
  const gchar *location;
  const gchar *content_type;
  const gchar *body;
} Canned;

static void
canned_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const gchar       *path,
           GHashTable        *query,
           gpointer           user_data)
{
  const Canned *c = user_data;

  if (c->location != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                  c->location);
  soup_server_message_set_response (msg, c->content_type, SOUP_MEMORY_STATIC, c->body,
                                    strlen (c->body));
  soup_server_message_set_status (msg, c->status, NULL);
}

static SoupServer *
canned_server (const Canned  *c,
               gchar        **url)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, canned_cb, (gpointer) c, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

static void
expect_discover_error (const Canned *c,
                       gint          code,
                       const gchar  *words)
{
  g_autofree gchar *url = NULL;
  g_autoptr(SoupServer) server = canned_server (c, &url);
  g_autoptr(PbiImmichClient) client = new_client (url, TEST_KEY);
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  CALL (pbi_immich_client_discover_async, client);
  g_assert_false (pbi_immich_client_discover_finish (client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, code);
  assert_message_has (error, words);
  g_clear_object (&res);
}

static void
test_not_immich (void)
{
  static const Canned web_page = { 200, NULL, "text/html", "<!doctype html><html>Router</html>" };
  static const Canned not_found = { 404, NULL, "application/json",
                                    "{\"message\":\"Cannot GET\",\"statusCode\":404}" };

  expect_discover_error (&web_page, PBI_IMMICH_ERROR_NOT_IMMICH,
                         "answers, but not as an Immich server; check the address");
  expect_discover_error (&not_found, PBI_IMMICH_ERROR_NOT_IMMICH,
                         "answers, but not as an Immich server; check the address");
}

static void
test_redirect_https (void)
{
  static const Canned redirect = { 301, "https://127.0.0.1:8443/", "text/html",
                                   "<html>Moved</html>" };

  static const Canned portal = { 302, "http://sso.example.com/login", "text/html",
                                 "<html>Login</html>" };

  expect_discover_error (&redirect, PBI_IMMICH_ERROR_INVALID_URL,
                         "redirects to https://127.0.0.1:8443/: use the https:// address");
  expect_discover_error (&portal, PBI_IMMICH_ERROR_INVALID_URL,
                         "to http://sso.example.com/login (another address, or a login page");
}

/* A reverse proxy serving Immich under /photos: its /.well-known/immich
 * says "/api", which resolved the official CLI's way points at the site's
 * root; the client then finds the API under the sub-path. */
static void
subpath_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const gchar       *path,
            GHashTable        *query,
            gpointer           user_data)
{
  const gchar *body = "{\"message\":\"Not Found\"}";
  guint status = 404;

  if (g_str_equal (path, "/photos/.well-known/immich"))
    body = "{\"api\":{\"endpoint\":\"/api\"}}", status = 200;
  else if (g_str_equal (path, "/photos/api/server/version"))
    body = "{\"major\":2,\"minor\":7,\"patch\":5}", status = 200;
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body,
                                    strlen (body));
  soup_server_message_set_status (msg, status, NULL);
}

static void
test_subpath (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichClient) client = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *api = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, subpath_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/photos/", g_uri_get_port (uris->data));
  api = g_strdup_printf ("http://127.0.0.1:%d/photos/api", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  client = new_client (url, TEST_KEY);
  discover_ok (client);
  g_assert_cmpstr (pbi_immich_client_get_api_url (client), ==, api);
  g_assert_cmpint (pbi_immich_client_get_api_family (client), ==, PBI_IMMICH_API_V2);
}

/* ------------------------------------------------------------------ */
/* TLS                                                                 */
/* ------------------------------------------------------------------ */

static gchar *
fingerprint_of_file (const gchar *cert_file,
                     gboolean     colons)
{
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_file (cert_file, NULL);
  g_autoptr(GByteArray) der = NULL;
  g_autofree gchar *hex = NULL;
  GString *out = g_string_new (NULL);
  gsize i;

  g_assert_nonnull (cert);
  g_object_get (cert, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  if (!colons)
    {
      g_string_free (out, TRUE);
      return g_steal_pointer (&hex);
    }
  for (i = 0; hex[i] != '\0'; i += 2)
    g_string_append_printf (out, "%s%c%c", i ? ":" : "", g_ascii_toupper (hex[i]),
                            g_ascii_toupper (hex[i + 1]));
  return g_string_free (out, FALSE);
}

static void
test_tls (void)
{
  g_autofree gchar *cert = g_build_filename (TEST_DATA_DIR, "cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (TEST_DATA_DIR, "key.pem", NULL);
  g_autofree gchar *other = g_build_filename (TEST_DATA_DIR, "other-cert.pem", NULL);
  g_autofree gchar *fp = fingerprint_of_file (cert, TRUE);
  g_autofree gchar *fp_plain = fingerprint_of_file (cert, FALSE);
  g_autofree gchar *other_fp = fingerprint_of_file (other, TRUE);
  g_autofree gchar *seen = NULL;
  g_autoptr(PbiFakeServer) fake = pbi_fake_server_new ("3.2.2");
  g_autoptr(PbiImmichClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *res = NULL;
  g_autofree gchar *uid = NULL;

  uid = pbi_fake_server_add_user (fake, "tls@example.com", "TLS");
  pbi_fake_server_add_api_key (fake, uid, TEST_KEY, NULL);
  g_assert_true (pbi_fake_server_set_tls (fake, cert, key, &error));
  g_assert_no_error (error);
  g_assert_true (pbi_fake_server_start (fake, 0, &error));
  g_assert_true (g_str_has_prefix (pbi_fake_server_get_base_url (fake), "https://"));
  wait_until_serving (fake);

  /* Not trusted by the system: refused, with the fingerprint to pin. */
  client = new_client (pbi_fake_server_get_base_url (fake), TEST_KEY);
  CALL (pbi_immich_client_ping_async, client);
  g_assert_false (pbi_immich_client_ping_finish (client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS);
  assert_message_has (error, "not trusted");
  assert_message_has (error, fp);
  seen = pbi_immich_client_dup_certificate_fingerprint (client);
  g_assert_cmpstr (seen, ==, fp);
  g_clear_error (&error);

  /* Pinned (colons optional): accepted. */
  pbi_immich_client_set_pinned_certificate (client, fp_plain);
  CALL (pbi_immich_client_get_current_user_async, client);
  {
    g_autoptr(PbiImmichUser) user = pbi_immich_client_get_current_user_finish (client, res, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (user->email, ==, "tls@example.com");
  }
  g_clear_object (&res);
  g_assert_finalize_object (g_steal_pointer (&client));

  client = new_client (pbi_fake_server_get_base_url (fake), TEST_KEY);
  pbi_immich_client_set_pinned_certificate (client, fp);
  discover_ok (client);
  g_assert_finalize_object (g_steal_pointer (&client));

  /* Pinned to another certificate: the server's changed. */
  client = new_client (pbi_fake_server_get_base_url (fake), TEST_KEY);
  pbi_immich_client_set_pinned_certificate (client, other_fp);
  CALL (pbi_immich_client_ping_async, client);
  g_assert_false (pbi_immich_client_ping_finish (client, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS);
  assert_message_has (error, "changed");
  assert_message_has (error, fp);
  g_assert_false (pbi_immich_error_is_transient (error));

  g_clear_object (&res);
  g_assert_finalize_object (g_steal_pointer (&client));
  pbi_fake_server_stop (fake);
}

/* ------------------------------------------------------------------ */
/* The key stays secret                                                */
/* ------------------------------------------------------------------ */

static GString *captured;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  gsize i;

  if (captured == NULL)
    return g_log_writer_default (level, fields, n_fields, user_data);
  for (i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append (captured, fields[i].value);
      else
        g_string_append_len (captured, fields[i].value, fields[i].length);
      g_string_append_c (captured, ' ');
    }
  g_string_append_c (captured, '\n');
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
test_key_not_logged (Fixture       *f,
                     gconstpointer  data)
{
  const gchar *perms[] = { "user.read", NULL };
  g_autofree gchar *photo = write_file (f, "secret.jpg", 5000, 3);
  g_autoptr(PbiImmichClient) limited = NULL;
  g_autoptr(PbiImmichClient) wrong = NULL;
  g_autoptr(PbiImmichUploadResult) r = NULL;
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;

  pbi_fake_server_add_api_key (f->fake, f->user_id, "limited-" TEST_KEY, perms);
  limited = new_client (pbi_fake_server_get_base_url (f->fake), "limited-" TEST_KEY);
  wrong = new_client (pbi_fake_server_get_base_url (f->fake), "wrong-" TEST_KEY);

  /* Writers get every message, debug included (the default writer would
   * drop debug unless G_MESSAGES_DEBUG is set). */
  captured = g_string_new (NULL);
  g_log_set_debug_enabled (TRUE);

  r = upload_path (f->client, photo, TRUE, &error);
  g_assert_no_error (error);
  CALL (pbi_immich_client_get_current_user_async, wrong);
  pbi_immich_client_get_current_user_finish (wrong, res, &error);
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED);
  g_debug ("error: %s", error->message);
  g_clear_error (&error);
  CALL (pbi_immich_client_create_album_async, limited, "x", NULL);
  g_assert_null (pbi_immich_client_create_album_finish (limited, res, &error));
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION);
  g_debug ("error: %s", error->message);
  g_clear_object (&res);

  g_log_set_debug_enabled (FALSE);
  /* The client did log (so the check below means something)… */
  g_assert_nonnull (strstr (captured->str, "POST /api/assets"));
  g_assert_nonnull (strstr (captured->str, "pbi-immich"));
  /* …and never the key. */
  g_assert_null (strstr (captured->str, TEST_KEY));
  g_string_free (captured, TRUE);
  captured = NULL;
}

/* ------------------------------------------------------------------ */
/* Memory stays flat with file size                                    */
/* ------------------------------------------------------------------ */

static glong
peak_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static void
test_big_upload_memory (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree gchar *path = g_build_filename (f->dir, "big.mp4", NULL);
  const goffset size = 200 * 1024 * 1024;
  g_autoptr(PbiImmichUploadResult) r = NULL;
  g_autoptr(GError) error = NULL;
  goffset progress[2] = { 0, 0 };
  glong before, after;
  FILE *fp;

#ifdef __SANITIZE_ADDRESS__
  /* ASan's quarantine keeps freed chunks resident: RSS says nothing here. */
  g_test_skip ("peak RSS is meaningless under AddressSanitizer");
  return;
#endif

  /* Sparse: takes no disk, reads as zeros (with a few marks). */
  fp = fopen (path, "wb");
  g_assert_nonnull (fp);
  fputs ("big", fp);
  g_assert_cmpint (fseeko (fp, size - 4, SEEK_SET), ==, 0);
  fputs ("end", fp);
  fputc ('\n', fp);
  fclose (fp);

  discover_ok (f->client);
  before = peak_rss_kb ();
  {
    g_autoptr(PbiImmichUpload) up = pbi_immich_upload_new (path);
    GAsyncResult *res = NULL;

    pbi_immich_client_upload_async (f->client, up, progress_cb, progress, NULL, result_cb, &res);
    await (&res);
    r = pbi_immich_client_upload_finish (f->client, res, &error);
    g_object_unref (res);
  }
  after = peak_rss_kb ();
  g_assert_no_error (error);
  g_assert_false (r->duplicate);
  g_assert_cmpint (progress[0], ==, progress[1]);
  g_assert_cmpint (progress[1], >, size);
  g_test_message ("peak RSS %ld KiB → %ld KiB for a %" G_GOFFSET_FORMAT " byte upload",
                  before, after, size);
#if defined(__SANITIZE_ADDRESS__) || __has_feature (address_sanitizer)
  /* AddressSanitizer's quarantine holds freed buffers: RSS says nothing */
  g_test_message ("sanitizer build: not checking the memory");
#else
  /* far less than the file: under a tenth of it */
  g_assert_cmpint ((after - before) * 1024, <, size / 10);
  /* ru_maxrss is a high-water mark: also bound the whole process's peak */
  g_assert_cmpint (after * 1024, <, size / 2);
#endif
  {
    g_autoptr(JsonNode) state = pbi_fake_server_dup_state (f->fake);

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "bytes"), ==, size);
  }
}

/* Uploads with a sidecar and a file that disappears are covered here too. */
static void
test_sidecar_upload (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree gchar *photo = write_file (f, "Müller \"Booth\" 📷.jpg", 20000, 4);
  g_autofree gchar *xmp = g_build_filename (f->dir, "Müller \"Booth\" 📷.jpg.xmp", NULL);
  g_autoptr(PbiImmichUploadResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonArray *list;

  g_assert_true (g_file_set_contents (xmp, "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>", -1, NULL));
  {
    g_autoptr(PbiImmichUpload) up = pbi_immich_upload_new (photo);
    g_autoptr(GTimeZone) tz = g_time_zone_new_offset (2 * 3600);
    GAsyncResult *res = NULL;

    up->file_created_at = g_date_time_new (tz, 2026, 6, 1, 14, 30, 5);
    pbi_immich_client_upload_async (f->client, up, NULL, NULL, NULL, result_cb, &res);
    r = pbi_immich_client_upload_finish (f->client, await (&res), &error);
    g_object_unref (res);
  }
  g_assert_no_error (error);
  g_assert_false (r->duplicate);
  state = pbi_fake_server_dup_state (f->fake);
  {
    JsonObject *asset = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (state), "asset_list"), 0);
    g_autoptr(GDateTime) sent = g_date_time_new_from_iso8601 (
      json_object_get_string_member (asset, "fileCreatedAt"), NULL);

    g_assert_nonnull (sent);
    /* 14:30:05+02:00 */
    g_assert_cmpint (g_date_time_to_unix (sent), ==, 1780317005);
  }
  list = json_object_get_array_member (json_node_get_object (state), "asset_list");
  /* quotes travel as %22 in the multipart name, as browsers and the
   * official CLI send them; the `filename` field (1.106+) keeps the name */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                  "filename"), ==, "Müller \"Booth\" 📷.jpg");
}

int
main (int   argc,
      char *argv[])
{
  static const gchar *families[] = { "1.94.0", "1.118.0", "2.7.5", "3.2.2" };
  guint i;

  /* Isolated dirs hide the proxy settings' schema; tests talk to 127.0.0.1. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (i = 0; i < G_N_ELEMENTS (families); i++)
    {
      g_autofree gchar *p1 = g_strdup_printf ("/pbi/immich/client/discover/%s", families[i]);
      g_autofree gchar *p2 = g_strdup_printf ("/pbi/immich/client/flow/%s", families[i]);
      g_autofree gchar *p3 = g_strdup_printf ("/pbi/immich/client/rejected/%s", families[i]);

      g_test_add (p1, Fixture, families[i], fixture_setup, test_discover, fixture_teardown);
      g_test_add (p2, Fixture, families[i], fixture_setup, test_family_flow, fixture_teardown);
      g_test_add (p3, Fixture, families[i], fixture_setup, test_rejected, fixture_teardown);
    }
  g_test_add ("/pbi/immich/client/bulk-batches", Fixture, "3.2.2", fixture_setup,
              test_bulk_batches, fixture_teardown);
  g_test_add ("/pbi/immich/client/discover/concurrent", Fixture, "3.2.2", fixture_setup,
              test_concurrent_discovery, fixture_teardown);
  g_test_add ("/pbi/immich/client/unsupported", Fixture, "1.80.0", fixture_setup,
              test_unsupported, fixture_teardown);
  g_test_add_func ("/pbi/immich/client/error/refused", test_refused);
  g_test_add ("/pbi/immich/client/error/wrong-key", Fixture, "3.2.2", fixture_setup,
              test_wrong_key, fixture_teardown);
  g_test_add ("/pbi/immich/client/error/missing-permission", Fixture, "3.2.2", fixture_setup,
              test_missing_permission, fixture_teardown);
  g_test_add ("/pbi/immich/client/error/html", Fixture, "3.2.2", fixture_setup,
              test_html_answer, fixture_teardown);
  g_test_add_func ("/pbi/immich/client/error/not-immich", test_not_immich);
  g_test_add_func ("/pbi/immich/client/error/redirect-https", test_redirect_https);
  g_test_add_func ("/pbi/immich/client/discover/subpath", test_subpath);
  g_test_add ("/pbi/immich/client/error/garbage-json", Fixture, "3.2.2", fixture_setup,
              test_garbage_json, fixture_teardown);
  g_test_add ("/pbi/immich/client/error/too-large", Fixture, "3.2.2", fixture_setup,
              test_too_large, fixture_teardown);
  g_test_add ("/pbi/immich/client/error/server", Fixture, "3.2.2", fixture_setup,
              test_server_error, fixture_teardown);
  g_test_add ("/pbi/immich/client/error/file", Fixture, "3.2.2", fixture_setup,
              test_file_error, fixture_teardown);
  g_test_add ("/pbi/immich/client/error/stall", Fixture, "3.2.2", fixture_setup,
              test_stall, fixture_teardown);
  g_test_add_func ("/pbi/immich/client/error/connect-timeout", test_connect_timeout);
  g_test_add ("/pbi/immich/client/cancel", Fixture, "3.2.2", fixture_setup,
              test_cancel, fixture_teardown);
  g_test_add_func ("/pbi/immich/client/tls", test_tls);
  g_test_add ("/pbi/immich/client/key-not-logged", Fixture, "2.7.5", fixture_setup,
              test_key_not_logged, fixture_teardown);
  g_test_add ("/pbi/immich/client/sidecar", Fixture, "2.7.5", fixture_setup,
              test_sidecar_upload, fixture_teardown);
  g_test_add ("/pbi/immich/client/big-upload-memory", Fixture, "3.2.2", fixture_setup,
              test_big_upload_memory, fixture_teardown);

  return g_test_run ();
}
