/* test-contract-client.c: our client does what the official Immich CLI does
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `immich upload --album-name Contract <dir>` hashes every file, asks the
 * server which it lacks (bulk upload check), uploads those, then puts all
 * of them into the album, creating it when missing. The same against the
 * fake in each route family, then a second pass that uploads nothing.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pbi-fake-server.h"
#include "pbi-immich-client.h"

#define KEY    "contract-key-0123456789abcdef"
#define ALBUM  "Contract"
#define NFILES 20

static gboolean
on_timeout (gpointer data)
{
  g_error ("a call did not finish within 60 s");
  return G_SOURCE_REMOVE;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  guint id = g_timeout_add_seconds (60, on_timeout, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return *slot;
}

typedef struct
{
  gchar     *dir;
  GPtrArray *paths;   /* gchar* */
  GPtrArray *sha1s;   /* gchar*, hex */
} Files;

static void
files_make (Files *files)
{
  guint i;

  files->dir = g_dir_make_tmp ("pbi-contract-XXXXXX", NULL);
  files->paths = g_ptr_array_new_with_free_func (g_free);
  files->sha1s = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < NFILES; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("booth-%03u.jpg", i);
      gchar *path = g_build_filename (files->dir, name, NULL);
      gsize size = 20000 + i * 1111;
      guint8 *buf = g_malloc (size);
      gsize j;

      /* JPEG-like: SOI, an APP0 marker, distinct bytes, EOI */
      for (j = 0; j < size; j++)
        buf[j] = (guint8) ((j * 13 + i * 101 + (j >> 7)) & 0xff);
      buf[0] = 0xff; buf[1] = 0xd8; buf[2] = 0xff; buf[3] = 0xe0;
      buf[size - 2] = 0xff; buf[size - 1] = 0xd9;
      g_assert_true (g_file_set_contents (path, (gchar *) buf, size, NULL));
      g_ptr_array_add (files->sha1s, g_compute_checksum_for_data (G_CHECKSUM_SHA1, buf, size));
      g_ptr_array_add (files->paths, path);
      g_free (buf);
    }
}

static void
files_clear (Files *files)
{
  guint i;

  for (i = 0; i < files->paths->len; i++)
    g_unlink (g_ptr_array_index (files->paths, i));
  g_rmdir (files->dir);
  g_free (files->dir);
  g_ptr_array_unref (files->paths);
  g_ptr_array_unref (files->sha1s);
}

/* One `immich upload --album-name Contract` run; returns how many files it
 * uploaded. */
static guint
sync_once (PbiImmichClient *client,
           Files           *files)
{
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_check_item_free);
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GPtrArray) albums = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GPtrArray) asset_ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *album_id = NULL;
  guint uploaded = 0;
  guint i;

  for (i = 0; i < files->paths->len; i++)
    g_ptr_array_add (items, pbi_immich_check_item_new (g_ptr_array_index (files->paths, i),
                                                       g_ptr_array_index (files->sha1s, i)));
  pbi_immich_client_bulk_check_async (client, items, NULL, result_cb, &res);
  checks = pbi_immich_client_bulk_check_finish (client, await (&res), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpint (checks->len, ==, files->paths->len);

  for (i = 0; i < checks->len; i++)
    {
      PbiImmichCheckResult *check = g_ptr_array_index (checks, i);
      g_autoptr(PbiImmichUpload) up = NULL;
      g_autoptr(PbiImmichUploadResult) r = NULL;

      g_assert_cmpstr (check->id, ==, g_ptr_array_index (files->paths, i));
      if (!check->accepted)
        {
          g_assert_cmpstr (check->reason, ==, "duplicate");
          g_ptr_array_add (asset_ids, g_strdup (check->asset_id));
          continue;
        }
      up = pbi_immich_upload_new (g_ptr_array_index (files->paths, i));
      up->checksum = g_strdup (g_ptr_array_index (files->sha1s, i));
      pbi_immich_client_upload_async (client, up, NULL, NULL, NULL, result_cb, &res);
      r = pbi_immich_client_upload_finish (client, await (&res), &error);
      g_assert_no_error (error);
      g_clear_object (&res);
      g_assert_false (r->duplicate);
      g_ptr_array_add (asset_ids, g_strdup (r->id));
      uploaded++;
    }

  pbi_immich_client_list_albums_async (client, NULL, result_cb, &res);
  albums = pbi_immich_client_list_albums_finish (client, await (&res), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  for (i = 0; i < albums->len && album_id == NULL; i++)
    {
      PbiImmichAlbum *album = g_ptr_array_index (albums, i);

      if (g_strcmp0 (album->name, ALBUM) == 0)
        album_id = g_strdup (album->id);
    }
  if (album_id == NULL)
    {
      g_autoptr(PbiImmichAlbum) album = NULL;

      pbi_immich_client_create_album_async (client, ALBUM, NULL, NULL, result_cb, &res);
      album = pbi_immich_client_create_album_finish (client, await (&res), &error);
      g_assert_no_error (error);
      g_clear_object (&res);
      album_id = g_strdup (album->id);
    }

  g_ptr_array_add (asset_ids, NULL);
  pbi_immich_client_add_to_album_async (client, album_id,
                                        (const gchar * const *) asset_ids->pdata,
                                        NULL, result_cb, &res);
  added = pbi_immich_client_add_to_album_finish (client, await (&res), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpint (added->len, ==, files->paths->len);
  for (i = 0; i < added->len; i++)
    {
      PbiImmichAlbumAddResult *r = g_ptr_array_index (added, i);

      g_assert_true (r->success || g_strcmp0 (r->error, "duplicate") == 0);
    }
  return uploaded;
}

static void
check_state (PbiFakeServer *fake,
             Files         *files)
{
  g_autoptr(JsonNode) root = pbi_fake_server_dup_state (fake);
  JsonObject *state = json_node_get_object (root);
  JsonArray *albums = json_object_get_array_member (state, "albums");
  JsonArray *assets = json_object_get_array_member (state, "asset_list");
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) want = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *in_album = NULL;
  guint i, contract_albums = 0;

  for (i = 0; i < files->sha1s->len; i++)
    g_hash_table_add (want, g_ptr_array_index (files->sha1s, i));
  g_assert_cmpint (json_array_get_length (assets), ==, NFILES);
  for (i = 0; i < json_array_get_length (assets); i++)
    {
      JsonObject *asset = json_array_get_object_element (assets, i);

      g_hash_table_insert (by_id, (gpointer) json_object_get_string_member (asset, "id"),
                           (gpointer) json_object_get_string_member (asset, "checksum"));
    }
  for (i = 0; i < json_array_get_length (albums); i++)
    {
      JsonObject *album = json_array_get_object_element (albums, i);

      if (g_strcmp0 (json_object_get_string_member (album, "name"), ALBUM) == 0)
        {
          contract_albums++;
          in_album = json_object_get_array_member (album, "assets");
        }
    }
  g_assert_cmpuint (contract_albums, ==, 1);
  g_assert_nonnull (in_album);
  g_assert_cmpint (json_array_get_length (in_album), ==, NFILES);
  for (i = 0; i < json_array_get_length (in_album); i++)
    {
      const gchar *sum = g_hash_table_lookup (by_id, json_array_get_string_element (in_album, i));

      g_assert_nonnull (sum);
      g_assert_true (g_hash_table_remove (want, sum));
    }
  g_assert_cmpuint (g_hash_table_size (want), ==, 0);
}

static void
test_contract (gconstpointer data)
{
  const gchar *version = data;
  g_autoptr(PbiFakeServer) fake = pbi_fake_server_new (version);
  g_autoptr(PbiImmichClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  Files files = { 0 };

  pbi_fake_server_add_api_key (fake, NULL, KEY, NULL);
  g_assert_true (pbi_fake_server_start (fake, 0, &error));
  g_assert_no_error (error);
  client = pbi_immich_client_new (pbi_fake_server_get_base_url (fake), KEY, &error);
  g_assert_no_error (error);
  files_make (&files);

  g_assert_cmpuint (sync_once (client, &files), ==, NFILES);
  check_state (fake, &files);

  /* Second pass: the bulk check turns every file away as a duplicate. */
  before = pbi_fake_server_dup_state (fake);
  g_assert_cmpuint (sync_once (client, &files), ==, 0);
  after = pbi_fake_server_dup_state (fake);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (after), "uploads"), ==,
                   json_object_get_int_member (json_node_get_object (before), "uploads"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (after), "bytes"), ==,
                   json_object_get_int_member (json_node_get_object (before), "bytes"));
  check_state (fake, &files);

  g_assert_finalize_object (g_steal_pointer (&client));
  pbi_fake_server_stop (fake);
  files_clear (&files);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/pbi/contract/client/v1-1.94.0", "1.94.0", test_contract);
  g_test_add_data_func ("/pbi/contract/client/v2-2.7.5", "2.7.5", test_contract);
  g_test_add_data_func ("/pbi/contract/client/v3-3.2.2", "3.2.2", test_contract);

  return g_test_run ();
}
