/* test-engine.c: the sync engine against the in-process fake Immich server
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pbi-engine-account.h"
#include "pbi-engine-private.h"
#include "pbi-immich-error.h"
#include "pbi-fake-server.h"
#include "pbi-store.h"
#include "pbi-store-private.h"

#define KEY "engine-test-key-8c1f"

typedef struct
{
  PbiFakeServer *fake;
  gchar         *dir;
  gchar         *db;
  PbiEngine     *engine;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PbiStore *store;

  f->fake = pbi_fake_server_new (data != NULL ? data : "3.2.2");
  pbi_fake_server_add_api_key (f->fake, NULL, KEY, NULL);
  g_assert_true (pbi_fake_server_start (f->fake, 0, &error));
  g_assert_no_error (error);

  f->dir = g_dir_make_tmp ("pbi-engine-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "sync.db", NULL);
  f->engine = pbi_engine_new (f->db, &error);
  g_assert_no_error (error);
  store = _pbi_engine_get_store (f->engine);
  g_assert_true (pbi_store_set_setting (store, "immich_server_url",
                                        pbi_fake_server_get_base_url (f->fake), NULL));
  g_assert_true (pbi_store_set_setting (store, "immich_api_key", KEY, NULL));
  g_assert_true (pbi_store_set_setting (store, "immich_enabled", "true", NULL));
}

static void
rm_rf (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  PbiEngine *engine = f->engine;
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* cancelled requests still hold the engine until their callbacks run */
  pbi_engine_stop (f->engine);
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &engine);
  g_object_unref (f->engine);
  while (engine != NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (engine);
  pbi_fake_server_stop (f->fake);
  g_clear_object (&f->fake);
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static gchar *
write_photo (Fixture     *f,
             const gchar *name,
             guint        seed)
{
  gchar *path = g_build_filename (f->dir, name, NULL);
  g_autofree guint8 *data = g_malloc (20000);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < 20000; i++)
    data[i] = g_rand_int (rand) & 0xff;
  data[0] = 0xff;
  data[1] = 0xd8;
  g_assert_true (g_file_set_contents (path, (gchar *) data, 20000, NULL));
  return path;
}

static PbiSyncResult *
sync_one (Fixture     *f,
          const gchar *path,
          const gchar *album)
{
  g_autoptr(GError) error = NULL;
  PbiSyncResult *res = pbi_engine_sync_photo (f->engine, path, album, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (res);
  return res;
}

/* albums on the fake with that name, and the total of their assets */
static guint
album_count (Fixture     *f,
             const gchar *name,
             guint       *n_assets)
{
  g_autoptr(JsonNode) state = pbi_fake_server_dup_state (f->fake);
  JsonArray *albums = json_object_get_array_member (json_node_get_object (state), "albums");
  guint count = 0;

  *n_assets = 0;
  for (guint i = 0; i < json_array_get_length (albums); i++)
    {
      JsonObject *album = json_array_get_object_element (albums, i);

      if (g_strcmp0 (json_object_get_string_member (album, "name"), name) == 0)
        {
          count++;
          *n_assets += json_array_get_length (json_object_get_array_member (album, "assets"));
        }
    }
  return count;
}

static JsonObject *
find_asset (JsonNode    *state,
            const gchar *id)
{
  JsonArray *assets = json_object_get_array_member (json_node_get_object (state), "asset_list");

  for (guint i = 0; i < json_array_get_length (assets); i++)
    {
      JsonObject *asset = json_array_get_object_element (assets, i);
      if (g_strcmp0 (json_object_get_string_member (asset, "id"), id) == 0)
        return asset;
    }
  return NULL;
}

static void
test_album_names (Fixture       *f,
                  gconstpointer  data)
{
  const gchar *name = "Wedding - Smith & Jones \"Ünïcødé\" 🎉 'quoted'";
  g_autofree gchar *a = write_photo (f, "a.jpg", 1);
  g_autofree gchar *b = write_photo (f, "b.jpg", 2);
  g_autoptr(PbiSyncResult) ra = NULL;
  g_autoptr(PbiSyncResult) rb = NULL;
  guint n_assets;

  ra = sync_one (f, a, name);
  g_assert_true (ra->success);
  g_assert_false (ra->duplicate);
  rb = sync_one (f, b, name);
  g_assert_true (rb->success);
  g_assert_cmpuint (album_count (f, name, &n_assets), ==, 1);
  g_assert_cmpuint (n_assets, ==, 2);
}

static void
test_album_deleted_on_server (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree gchar *a = write_photo (f, "a.jpg", 1);
  g_autofree gchar *b = write_photo (f, "b.jpg", 2);
  g_autoptr(PbiSyncResult) ra = NULL;
  g_autoptr(PbiSyncResult) rb = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonArray *albums;
  guint n_assets;

  ra = sync_one (f, a, "Party");
  g_assert_true (ra->success);
  state = pbi_fake_server_dup_state (f->fake);
  albums = json_object_get_array_member (json_node_get_object (state), "albums");
  g_assert_cmpuint (json_array_get_length (albums), ==, 1);
  pbi_fake_server_delete_album (f->fake,
                                json_object_get_string_member (json_array_get_object_element (albums, 0), "id"));
  g_assert_cmpuint (album_count (f, "Party", &n_assets), ==, 0);

  /* the cached id is stale now: the engine must notice and make it again */
  rb = sync_one (f, b, "Party");
  g_assert_true (rb->success);
  g_assert_cmpuint (album_count (f, "Party", &n_assets), ==, 1);
  g_assert_cmpuint (n_assets, ==, 1);
}

static void
test_trashed_duplicate_is_restored (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree gchar *a = write_photo (f, "a.jpg", 7);
  g_autoptr(PbiSyncResult) first = NULL;
  g_autoptr(PbiSyncResult) second = NULL;
  g_autoptr(PbiEngine) other = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *db2 = g_build_filename (f->dir, "other.db", NULL);
  PbiStore *store;
  JsonObject *asset;

  first = sync_one (f, a, "Album");
  pbi_fake_server_trash_asset (f->fake, first->asset_id);

  /* a second booth (its own queue) meets the same photo */
  other = pbi_engine_new (db2, &error);
  g_assert_no_error (error);
  store = _pbi_engine_get_store (other);
  pbi_store_set_setting (store, "immich_server_url", pbi_fake_server_get_base_url (f->fake), NULL);
  pbi_store_set_setting (store, "immich_api_key", KEY, NULL);
  second = pbi_engine_sync_photo (other, a, "Album", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (second->success);
  g_assert_true (second->duplicate);
  g_assert_cmpstr (second->asset_id, ==, first->asset_id);

  /* the restore runs after the album add; give it a moment */
  for (guint i = 0; i < 100; i++)
    {
      g_clear_pointer (&state, json_node_unref);
      state = pbi_fake_server_dup_state (f->fake);
      asset = find_asset (state, first->asset_id);
      if (!json_object_get_boolean_member (asset, "isTrashed"))
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  g_assert_false (json_object_get_boolean_member (asset, "isTrashed"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "assets"), ==, 1);
  pbi_engine_stop (other);
}

static void
test_extra_albums (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree gchar *a = write_photo (f, "a.jpg", 3);
  g_autoptr(PbiSyncResult) res = NULL;
  guint n;

  pbi_store_set_setting (_pbi_engine_get_store (f->engine), "immich_extra_albums",
                         "Family, All Events", NULL);
  res = sync_one (f, a, NULL);
  g_assert_true (res->success);
  g_assert_cmpuint (album_count (f, "PhotoBooth", &n), ==, 1);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (album_count (f, "Family", &n), ==, 1);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (album_count (f, "All Events", &n), ==, 1);
  g_assert_cmpuint (n, ==, 1);
}

static gboolean
wait_assets (Fixture *f,
             gint     want,
             guint    ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(JsonNode) state = pbi_fake_server_dup_state (f->fake);

      if (json_object_get_int_member (json_node_get_object (state), "assets") == want)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  return FALSE;
}

static void
test_schedule_holds_captures_until_sync_now (Fixture       *f,
                                             gconstpointer  data)
{
  PbiStore *store = _pbi_engine_get_store (f->engine);
  g_autofree gchar *captures = g_build_filename (f->dir, "captures", NULL);
  g_autofree gchar *photo = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, 2);
  g_autoptr(GDateTime) later2 = g_date_time_add_hours (now, 3);
  g_autofree gchar *start = g_date_time_format (later, "%H:%M");
  g_autofree gchar *end = g_date_time_format (later2, "%H:%M");
  g_autoptr(GError) error = NULL;

  g_mkdir (captures, 0700);
  pbi_store_set_setting (store, "immich_capture_folder", captures, NULL);
  pbi_store_set_setting (store, "immich_auto_sync", "false", NULL);
  pbi_store_set_setting (store, "immich_schedule_start", start, NULL);
  pbi_store_set_setting (store, "immich_schedule_end", end, NULL);
  g_assert_true (pbi_engine_start (f->engine, &error));

  photo = g_build_filename (captures, "IMG_0001.jpg", NULL);
  g_assert_true (g_file_set_contents (photo, "\xff\xd8 not really a jpeg but bytes", -1, NULL));
  /* outside the window: queued, not sent */
  g_assert_false (wait_assets (f, 1, 3000));
  g_assert_cmpuint (pbi_engine_get_pending (f->engine), ==, 1);

  pbi_engine_sync_now (f->engine);
  g_assert_true (wait_assets (f, 1, 10000));
}

static void
test_capture_uploaded_by_watcher (Fixture       *f,
                                  gconstpointer  data)
{
  PbiStore *store = _pbi_engine_get_store (f->engine);
  g_autofree gchar *captures = g_build_filename (f->dir, "captures", NULL);
  g_autofree gchar *photo = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  g_mkdir (captures, 0700);
  pbi_store_set_setting (store, "immich_capture_folder", captures, NULL);
  g_assert_true (pbi_engine_start (f->engine, &error));
  photo = g_build_filename (captures, "IMG_0002.jpg", NULL);
  g_assert_true (g_file_set_contents (photo, "\xff\xd8 capture bytes", -1, NULL));
  g_assert_true (wait_assets (f, 1, 10000));
  for (guint i = 0; i < 500 && (album_count (f, "PhotoBooth", &n) == 0 || n == 0 ||
                                 pbi_engine_get_uploaded (f->engine) == 0); i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpuint (album_count (f, "PhotoBooth", &n), ==, 1);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (pbi_engine_get_uploaded (f->engine), ==, 1);
  g_assert_cmpint (pbi_engine_get_connection_state (f->engine), ==, PBI_CONNECTION_CONNECTED);
  g_assert_nonnull (pbi_engine_get_last_sync (f->engine));
}

static void
test_server_blip_is_waited_out (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree gchar *a = write_photo (f, "a.jpg", 11);
  g_autoptr(PbiSyncResult) res = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* a restarting server: two 503s asking to come back after a second */
  g_assert_true (pbi_fake_server_set_faults_json (
                   f->fake, "{\"error_5xx\":{\"count\":2,\"status\":503,\"retry_after\":1}}",
                   &error));
  g_assert_no_error (error);
  res = sync_one (f, a, "Blip");
  g_assert_true (res->success);
  g_assert_null (res->error);
  /* it waited (no busy retry loop), and not for long */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
  state = pbi_fake_server_dup_state (f->fake);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "assets"), ==, 1);
}

/* While the server is away the engine says when it tries again (for the
 * status page's "retrying in 20 s"), and stops saying so once connected. */
static void
on_next_retry (PbiEngine  *engine,
               GParamSpec *pspec,
               gdouble    *longest_wait_s)
{
  GDateTime *next = pbi_engine_get_next_retry (engine);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) from_property = NULL;

  g_object_get (engine, "next-retry", &from_property, NULL);
  g_assert_true (next == from_property);
  if (next != NULL)
    *longest_wait_s = MAX (*longest_wait_s,
                           g_date_time_difference (next, now) / (gdouble) G_USEC_PER_SEC);
}

static void
test_next_retry (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree gchar *a = write_photo (f, "a.jpg", 12);
  g_autoptr(PbiSyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  gdouble longest_wait_s = -1;

  g_assert_null (pbi_engine_get_next_retry (f->engine));
  g_signal_connect (f->engine, "notify::next-retry", G_CALLBACK (on_next_retry),
                    &longest_wait_s);
  /* a restarting server asking to come back after 3 s */
  g_assert_true (pbi_fake_server_set_faults_json (
                   f->fake, "{\"error_5xx\":{\"count\":2,\"status\":503,\"retry_after\":3}}",
                   &error));
  g_assert_no_error (error);
  res = sync_one (f, a, "Retry");
  g_assert_true (res->success);
  /* a retry was announced, as far ahead as the server asked */
  g_assert_cmpfloat (longest_wait_s, >, 2.0);
  g_assert_cmpfloat (longest_wait_s, <=, 3.5);
  g_assert_cmpint (pbi_engine_get_connection_state (f->engine), ==, PBI_CONNECTION_CONNECTED);
  g_assert_null (pbi_engine_get_next_retry (f->engine));
  g_signal_handlers_disconnect_by_data (f->engine, &longest_wait_s);
}

typedef struct
{
  gchar  *path;
  guint   emissions;
  gint64  first_sent;
  gint64  last_sent;
  gint64  total;
  gboolean went_back;
} UploadSeen;

static void
on_upload_progress (PbiEngine   *engine,
                    const gchar *path,
                    gint64       sent,
                    gint64       total,
                    UploadSeen  *seen)
{
  if (seen->emissions == 0)
    seen->first_sent = sent;
  else if (sent < seen->last_sent)
    seen->went_back = TRUE;
  seen->emissions++;
  g_free (seen->path);
  seen->path = g_strdup (path);
  seen->last_sent = sent;
  seen->total = total;
}

/* The upload in flight: its photo, from 0 to all of it, throttled. */
static void
test_upload_progress (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree gchar *a = write_photo (f, "a.jpg", 13);
  g_autoptr(PbiSyncResult) res = NULL;
  UploadSeen seen = { 0, };
  gint64 start = g_get_monotonic_time ();
  gdouble elapsed_s;

  g_signal_connect (f->engine, "upload-progress", G_CALLBACK (on_upload_progress), &seen);
  res = sync_one (f, a, "Progress");
  elapsed_s = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
  g_signal_handlers_disconnect_by_data (f->engine, &seen);
  g_assert_true (res->success);
  g_assert_cmpstr (seen.path, ==, a);
  g_assert_cmpuint (seen.emissions, >=, 2);
  g_assert_cmpint (seen.first_sent, <, seen.total);
  g_assert_false (seen.went_back);
  /* the multipart body: the photo and its fields */
  g_assert_cmpint (seen.total, >=, 20000);
  g_assert_cmpint (seen.last_sent, ==, seen.total);
  /* ten a second at most, plus the start and the end */
  g_assert_cmpfloat (seen.emissions, <=, 10 * elapsed_s + 3);
  g_free (seen.path);
}

static void
got_storage_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static PbiServerStorage *
fetch_storage (Fixture  *f,
               GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  pbi_engine_fetch_server_storage_async (f->engine, NULL, got_storage_cb, &result);
  while (result == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (result);
  return pbi_engine_fetch_server_storage_finish (f->engine, result, error);
}

/* The server's free space, as its storage endpoint says, in every family;
 * a 3.x key without server.storage is told so. */
static void
test_server_storage (Fixture       *f,
                     gconstpointer  data)
{
  static const gchar * const upload_only[] = { "asset.upload", "album.read", NULL };
  g_autoptr(PbiServerStorage) storage = NULL;
  g_autoptr(PbiServerStorage) denied = NULL;
  g_autoptr(GError) error = NULL;

  pbi_fake_server_set_storage (f->fake, G_GUINT64_CONSTANT (500000000000), 1500000000);
  storage = fetch_storage (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (storage);
  g_assert_cmpint (storage->size, ==, G_GINT64_CONSTANT (500000000000));
  g_assert_cmpint (storage->available, ==, 1500000000);

  if (g_str_has_prefix (data, "3."))
    {
      pbi_fake_server_add_api_key (f->fake, NULL, "engine-test-upload-only", upload_only);
      g_assert_true (pbi_store_set_setting (_pbi_engine_get_store (f->engine), "immich_api_key",
                                            "engine-test-upload-only", NULL));
      denied = fetch_storage (f, &error);
      g_assert_null (denied);
      g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION);
      g_assert_nonnull (strstr (error->message, "server.storage"));
    }
}

static guint queue_write_errors;

/* Counts "the disk is full" lines, and logs everything as usual. */
static GLogWriterOutput
test_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 &&
        strstr (fields[i].value, "could not write the queue") != NULL &&
        strstr (fields[i].value, "full") != NULL)
      queue_write_errors++;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gint64
db_int (sqlite3     *db,
        const gchar *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
test_full_disk_loses_nothing (Fixture       *f,
                              gconstpointer  data)
{
  PbiStore *store = _pbi_engine_get_store (f->engine);
  sqlite3 *db = _pbi_store_get_db (store);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PbiSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *sql = NULL;
  g_autofree gchar *folder = g_build_filename (f->dir, "full", NULL);
  guint counts[PBI_N_FILE_STATES] = { 0 };

  g_mkdir (folder, 0700);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("full/p%03u.jpg", i);
      g_ptr_array_add (paths, write_photo (f, name, 100 + i));
    }

  /* the disk fills up: the database cannot grow by a single page */
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                         db_int (db, "PRAGMA page_count"));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  queue_write_errors = 0;
  summary = pbi_engine_sync_folder (f->engine, folder, "Full", NULL, &error);
  g_assert_no_error (error);
  /* the photos still reach the server and the album */
  g_assert_cmpuint (summary->uploaded, ==, 300);
  g_assert_cmpuint (summary->failed, ==, 0);
  /* and the operator is told, in words */
  g_assert_cmpuint (queue_write_errors, >, 0);

  /* space again: what could not be written is written now */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  pbi_engine_sync_now (f->engine);
  pbi_store_files_count_by_state (store, counts);
  g_assert_cmpuint (counts[PBI_FILE_STATE_DONE], ==, 300);
  g_assert_true (pbi_store_check_integrity (store, &error));
  g_assert_no_error (error);
}

static void
test_auto_sync_library (Fixture       *f,
                        gconstpointer  data)
{
  PbiStore *store = _pbi_engine_get_store (f->engine);
  g_autofree gchar *library = g_build_filename (f->dir, "library", NULL);
  g_autofree gchar *night = g_build_filename (library, "night-1", NULL);
  g_autofree gchar *a = NULL;
  g_autofree gchar *b = NULL;
  g_autofree gchar *c = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (night, 0700);
  a = g_build_filename (library, "a.jpg", NULL);
  b = g_build_filename (night, "b.jpg", NULL);
  g_assert_true (g_file_set_contents (a, "\xff\xd8 library photo a", -1, NULL));
  g_assert_true (g_file_set_contents (b, "\xff\xd8 library photo b", -1, NULL));

  /* disabled: auto sync queues nothing for upload */
  pbi_store_set_setting (store, "immich_enabled", "false", NULL);
  pbi_store_set_setting (store, "immich_library_folder", library, NULL);
  g_assert_true (pbi_engine_start (f->engine, &error));
  g_assert_false (wait_assets (f, 1, 1500));

  /* enabled: the library is synced, subfolders included */
  pbi_store_set_setting (store, "immich_enabled", "true", NULL);
  g_assert_true (wait_assets (f, 2, 10000));

  /* a photo added later is found once the folder has been quiet */
  c = g_build_filename (library, "c.jpg", NULL);
  g_assert_true (g_file_set_contents (c, "\xff\xd8 library photo c", -1, NULL));
  g_assert_true (wait_assets (f, 3, 15000));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_log_set_writer_func (test_log_writer, NULL, NULL);

#define ADD(path, func, version) \
  g_test_add (path, Fixture, version, fixture_set_up, func, fixture_tear_down)
  ADD ("/pbi/engine/albums/special-names", test_album_names, "3.2.2");
  ADD ("/pbi/engine/albums/special-names-2x", test_album_names, "2.7.5");
  ADD ("/pbi/engine/albums/special-names-1x", test_album_names, "1.94.0");
  ADD ("/pbi/engine/albums/deleted-on-server", test_album_deleted_on_server, "3.2.2");
  ADD ("/pbi/engine/albums/deleted-on-server-1x", test_album_deleted_on_server, "1.94.0");
  ADD ("/pbi/engine/albums/extra", test_extra_albums, "3.2.2");
  ADD ("/pbi/engine/trash/restored", test_trashed_duplicate_is_restored, "3.2.2");
  ADD ("/pbi/engine/schedule/sync-now", test_schedule_holds_captures_until_sync_now, "3.2.2");
  ADD ("/pbi/engine/watch/capture", test_capture_uploaded_by_watcher, "3.2.2");
  ADD ("/pbi/engine/auto-sync/library", test_auto_sync_library, "3.2.2");
  ADD ("/pbi/engine/offline/5xx-blip", test_server_blip_is_waited_out, "3.2.2");
  ADD ("/pbi/engine/offline/next-retry", test_next_retry, "3.2.2");
  ADD ("/pbi/engine/upload/progress", test_upload_progress, "3.2.2");
  ADD ("/pbi/engine/server-storage", test_server_storage, "3.2.2");
  ADD ("/pbi/engine/server-storage-2x", test_server_storage, "2.7.5");
  ADD ("/pbi/engine/server-storage-1x", test_server_storage, "1.94.0");
  ADD ("/pbi/engine/store/full-disk", test_full_disk_loses_nothing, "3.2.2");
#undef ADD

  return g_test_run ();
}
