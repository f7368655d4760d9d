/* test-store.c: tests for PbiStore
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#ifndef __has_feature
#define __has_feature(x) 0   /* gcc before 14: __SANITIZE_ADDRESS__ says it */
#endif

#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pbi-store.h"
#include "pbi-store-enums.h"
#include "pbi-store-private.h"
#include "store-test-util.h"

static guint
file_mode (const gchar *path)
{
  struct stat st;

  g_assert_no_errno (g_stat (path, &st));
  return st.st_mode & 07777;
}

static PbiStore *
open_store (const gchar *path)
{
  g_autoptr(GError) error = NULL;
  PbiStore *store;

  store = pbi_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* ----------------------------------------------------------------- open */

static void
test_open_fresh (void)
{
  g_autofree gchar *path = g_build_filename (g_get_user_data_dir (), "a", "b", "sync.db", NULL);
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_autofree gchar *wal = g_strconcat (path, "-wal", NULL);
  g_autofree gchar *shm = g_strconcat (path, "-shm", NULL);
  g_autofree gchar *mode = NULL;
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  store = open_store (path);
  db = _pbi_store_get_db (store);

  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (dir), ==, 0700);

  mode = test_db_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (test_db_int (db, "PRAGMA synchronous"), ==, 1); /* NORMAL */
  g_assert_cmpint (test_db_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (test_db_int (db, "PRAGMA user_version"), ==, PBI_STORE_SCHEMA_VERSION);
  g_assert_false (pbi_store_is_foreign (store));
  g_assert_cmpuint (pbi_store_get_schema_version (store), ==, PBI_STORE_SCHEMA_VERSION);
  g_assert_cmpint (test_db_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'settings'"), ==, 1);

  /* the WAL companions are private too */
  g_assert_true (pbi_store_set_setting (store, "immich_album_name", "X", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);

  g_assert_true (pbi_store_check_integrity (store, &error));
  g_assert_no_error (error);
}

static void
test_open_default_path (void)
{
  g_autofree gchar *expected = g_build_filename (g_get_user_data_dir (),
                                                 "photobooth-immich-sync", "sync.db", NULL);
  g_autofree gchar *path = pbi_store_get_default_path ();
  g_autoptr(PbiStore) store = NULL;

  g_assert_cmpstr (path, ==, expected);
  store = open_store (NULL);
  g_assert_cmpstr (pbi_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (file_mode (expected), ==, 0600);
}

static void
test_open_existing_mode (void)
{
  g_autofree gchar *path = test_db_path ("loose.db");
  g_autofree gchar *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(PbiStore) store = NULL;
  sqlite3 *db;

  db = test_db_connect (path);
  test_db_exec (db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  sqlite3_close (db);
  g_assert_no_errno (g_chmod (path, 0664));
  g_assert_no_errno (g_file_set_contents (wal, "", 0, NULL) ? 0 : -1);
  g_assert_no_errno (g_chmod (wal, 0644));

  store = open_store (path);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
}

#define PHOTOBOOTH_SCHEMA \
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);" \
  "CREATE TABLE photos (id INTEGER PRIMARY KEY, filename TEXT NOT NULL, taken TEXT);" \
  "CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT);" \
  "CREATE INDEX photos_taken ON photos (taken);" \
  "INSERT INTO photos (filename, taken) VALUES ('IMG_0001.jpg', '2024-05-01'), " \
  "  ('IMG_0002.jpg', '2024-05-02');" \
  "INSERT INTO events (name) VALUES ('Wedding');" \
  "INSERT INTO settings VALUES ('theme', 'dark'), ('immich_enabled', 'true'), " \
  "  ('immich_album_name', 'Party');" \
  "PRAGMA user_version = 7;"

static gchar *
dump_photobooth (sqlite3 *db)
{
  return test_db_text (db,
                       "SELECT group_concat(x, '|') FROM ("
                       " SELECT type || ':' || name || ':' || sql AS x FROM sqlite_master"
                       "  WHERE name NOT LIKE 'pbi\\_%' ESCAPE '\\' "
                       " UNION ALL SELECT filename || taken FROM photos"
                       " UNION ALL SELECT name FROM events"
                       " UNION ALL SELECT key || '=' || value FROM settings"
                       " ORDER BY 1)");
}

static void
test_open_photobooth (void)
{
  g_autofree gchar *path = test_db_path ("photobooth.db");
  g_autofree gchar *before = NULL;
  g_autofree gchar *after = NULL;
  g_autofree gchar *owner = NULL;
  g_autofree gchar *album = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  db = test_db_connect (path);
  test_db_exec (db, PHOTOBOOTH_SCHEMA);
  before = dump_photobooth (db);
  sqlite3_close (db);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(PbiStore) store = open_store (path);

      g_assert_true (pbi_store_is_foreign (store));
      g_assert_cmpuint (pbi_store_get_schema_version (store), ==, PBI_STORE_SCHEMA_VERSION);
      g_assert_true (pbi_store_get_setting_boolean (store, "immich_enabled"));
      album = pbi_store_get_setting_string (store, "immich_album_name");
      g_assert_cmpstr (album, ==, "Party");
      g_clear_pointer (&album, g_free);

      /* our tables work in there */
      g_assert_true (pbi_store_counter_add (store, "uploaded", 1, &error));
      g_assert_no_error (error);
      g_assert_cmpint (pbi_store_counter_get (store, "uploaded"), ==, round + 1);
    }

  db = test_db_connect (path);
  g_assert_cmpint (test_db_int (db, "PRAGMA user_version"), ==, 7);
  after = dump_photobooth (db);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (test_db_int (db, "SELECT value FROM pbi_meta WHERE key = 'schema_version'"),
                   ==, PBI_STORE_SCHEMA_VERSION);
  owner = test_db_text (db, "SELECT value FROM pbi_meta WHERE key = 'owner'");
  g_assert_cmpstr (owner, ==, "foreign");
  sqlite3_close (db);
}

static void
test_open_photobooth_no_unique (void)
{
  g_autofree gchar *path = test_db_path ("loose-settings.db");
  g_autofree gchar *value = NULL;
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  /* a settings table without any unique constraint on key */
  db = test_db_connect (path);
  test_db_exec (db,
                "CREATE TABLE settings (key TEXT, value TEXT);"
                "INSERT INTO settings VALUES ('immich_album_name', 'Old');");
  sqlite3_close (db);

  store = open_store (path);
  g_assert_true (pbi_store_set_setting (store, "immich_album_name", "New", &error));
  g_assert_no_error (error);
  g_assert_true (pbi_store_set_setting (store, "immich_server_url", "http://127.0.0.1:1", &error));
  g_assert_no_error (error);
  g_assert_true (pbi_store_set_setting (store, "immich_server_url", "http://127.0.0.1:2", &error));
  g_assert_no_error (error);

  db = _pbi_store_get_db (store);
  g_assert_cmpint (test_db_int (db, "SELECT count(*) FROM settings WHERE key = 'immich_album_name'"), ==, 1);
  g_assert_cmpint (test_db_int (db, "SELECT count(*) FROM settings WHERE key = 'immich_server_url'"), ==, 1);
  value = test_db_text (db, "SELECT value FROM settings WHERE key = 'immich_album_name'");
  g_assert_cmpstr (value, ==, "New");
}

static void
test_open_corrupt (void)
{
  g_autofree gchar *path = test_db_path ("corrupt.db");
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gchar junk[8192];

  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (gchar) (i * 7 + 3);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, junk, sizeof junk, NULL));

  store = pbi_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_integrity_damaged (void)
{
  g_autofree gchar *path = test_db_path ("damaged.db");
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *contents = NULL;
  gsize length = 0;
  gint64 page_size;
  sqlite3 *db;

  /* a healthy file with an index spread over many pages ... */
  store = open_store (path);
  g_assert_true (pbi_store_begin (store, &error));
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("/photos/%05u-some-longer-name.jpg", i);
      g_autoptr(PbiFileRecord) record = pbi_file_record_new (name);

      g_assert_true (pbi_store_file_put (store, record, &error));
      g_assert_no_error (error);
    }
  g_assert_true (pbi_store_commit (store, &error));
  g_assert_true (pbi_store_check_integrity (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* ... gets one page in the middle overwritten (the last connection
   * checkpointed the WAL into the file when it closed) */
  db = test_db_connect (path);
  page_size = test_db_int (db, "PRAGMA page_size");
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 20 * page_size);
  memset (contents + 10 * page_size, 0x5a, page_size);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  store = pbi_store_open (path, &error);
  if (store == NULL)
    {
      g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_CORRUPT);
      return;
    }

  g_assert_false (pbi_store_check_integrity (store, &error));
  g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_open_read_only (void)
{
  g_autofree gchar *path = test_db_path ("ro.db");
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("file permissions do not bind root");
      return;
    }

  store = open_store (path);
  g_clear_object (&store);
  g_assert_no_errno (g_chmod (path, 0400));

  store = pbi_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_READ_ONLY);
}

static void
test_error_mapping (void)
{
  struct { int rc; PbiStoreError code; } cases[] = {
    { SQLITE_FULL, PBI_STORE_ERROR_FULL },
    { SQLITE_IOERR_WRITE, PBI_STORE_ERROR_FAILED },
    { SQLITE_CORRUPT, PBI_STORE_ERROR_CORRUPT },
    { SQLITE_NOTADB, PBI_STORE_ERROR_CORRUPT },
    { SQLITE_READONLY, PBI_STORE_ERROR_READ_ONLY },
    { SQLITE_READONLY_DBMOVED, PBI_STORE_ERROR_READ_ONLY },
    { SQLITE_BUSY, PBI_STORE_ERROR_BUSY },
    { SQLITE_LOCKED, PBI_STORE_ERROR_BUSY },
    { SQLITE_CANTOPEN, PBI_STORE_ERROR_OPEN },
    { SQLITE_MISUSE, PBI_STORE_ERROR_FAILED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (_pbi_store_set_error (&error, cases[i].rc, "/x/y.db", "do it"));
      g_assert_error (error, PBI_STORE_ERROR, (gint) cases[i].code);
      g_assert_nonnull (strstr (error->message, "/x/y.db"));
      if (cases[i].code == PBI_STORE_ERROR_FULL)
        g_assert_nonnull (strstr (error->message, "the disk is full"));
    }
}

static void
test_disk_full (void)
{
  g_autofree gchar *path = test_db_path ("full.db");
  g_autofree gchar *filler = g_strnfill (2000, 'x');
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiFileRecord) found = NULL;
  g_autoptr(PbiFileRecord) first = pbi_file_record_new ("/photos/first.jpg");
  g_autofree gchar *sql = NULL;
  sqlite3 *db;
  guint stored = 0;

  store = open_store (path);
  g_assert_true (pbi_store_file_put (store, first, &error));
  g_assert_no_error (error);

  /* The file may not grow by more than a few pages from here on. */
  db = _pbi_store_get_db (store);
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                         test_db_int (db, "PRAGMA page_count") + 4);
  test_db_exec (db, sql);

  for (guint i = 0; i < 1000 && error == NULL; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("/photos/%u.jpg", i);
      g_autoptr(PbiFileRecord) record = pbi_file_record_new (name);

      record->last_error = g_strdup (filler);
      if (pbi_store_file_put (store, record, &error))
        stored++;
    }

  g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "the disk is full"));
  g_assert_cmpuint (stored, <, 1000);
  g_clear_error (&error);

  /* still usable: reads work, a setting of a few bytes might not fit but
   * does not crash, and inside a transaction the failure rolls back cleanly */
  found = pbi_store_file_get (store, "/photos/first.jpg");
  g_assert_nonnull (found);

  g_assert_true (pbi_store_begin (store, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 1000 && error == NULL; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("/photos/batch-%u.jpg", i);
      g_autoptr(PbiFileRecord) record = pbi_file_record_new (name);

      record->last_error = g_strdup (filler);
      pbi_store_file_put (store, record, &error);
    }
  g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FULL);
  g_clear_error (&error);
  pbi_store_rollback (store);
  g_clear_pointer (&found, pbi_file_record_free);
  found = pbi_store_file_get (store, "/photos/batch-0.jpg");
  g_assert_null (found);

  test_db_exec (db, "PRAGMA max_page_count = 1073741823");
  g_assert_true (pbi_store_file_put (store, first, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------ migration */

#define SCHEMA_V1 \
  "CREATE TABLE pbi_meta (key TEXT PRIMARY KEY, value TEXT);" \
  "CREATE TABLE pbi_files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE," \
  "  size INTEGER NOT NULL DEFAULT 0, mtime INTEGER NOT NULL DEFAULT 0, sha1 TEXT," \
  "  state TEXT NOT NULL DEFAULT 'pending', asset_id TEXT, albums TEXT NOT NULL DEFAULT '[]'," \
  "  attempts INTEGER NOT NULL DEFAULT 0, next_retry INTEGER NOT NULL DEFAULT 0," \
  "  last_error TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL);" \
  "CREATE INDEX pbi_files_state ON pbi_files (state, next_retry);" \
  "CREATE TABLE pbi_albums (server TEXT NOT NULL, name TEXT NOT NULL," \
  "  album_id TEXT NOT NULL, PRIMARY KEY (server, name));" \
  "CREATE TABLE pbi_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0);" \
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);"

static void
test_migrate_from_v1 (void)
{
  g_autofree gchar *path = test_db_path ("v1.db");
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(PbiFileRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  db = test_db_connect (path);
  test_db_exec (db, SCHEMA_V1
                "INSERT INTO pbi_meta VALUES ('owner', 'own');"
                "INSERT INTO pbi_files (path, size, mtime, sha1, state, asset_id, albums,"
                "  created, updated) VALUES ('/p/a.jpg', 10, 20, 'abc', 'done', 'asset-1',"
                "  '[\"PhotoBooth\"]', 1, 2);"
                "INSERT INTO pbi_counters VALUES ('uploaded', 41);"
                "PRAGMA user_version = 1;");
  sqlite3_close (db);

  store = open_store (path);
  g_assert_false (pbi_store_is_foreign (store));
  db = _pbi_store_get_db (store);
  g_assert_cmpint (test_db_int (db, "PRAGMA user_version"), ==, PBI_STORE_SCHEMA_VERSION);
  g_assert_cmpint (test_db_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'pbi_files_sha1_prefix'"), ==, 1);
  g_assert_cmpint (test_db_int (db, "SELECT count(*) FROM pbi_meta WHERE key = 'schema_version'"), ==, 0);

  record = pbi_store_file_get (store, "/p/a.jpg");
  g_assert_nonnull (record);
  g_assert_cmpint (record->state, ==, PBI_FILE_STATE_DONE);
  g_assert_cmpstr (record->asset_id, ==, "asset-1");
  g_assert_null (record->target_album);
  g_assert_cmpstrv (record->albums, ((const gchar *[]) { "PhotoBooth", NULL }));
  g_assert_cmpint (pbi_store_counter_get (store, "uploaded"), ==, 41);

  record->target_album = g_strdup ("Birthday");
  g_assert_true (pbi_store_file_put (store, record, &error));
  g_assert_no_error (error);
  g_clear_pointer (&record, pbi_file_record_free);
  record = pbi_store_file_get (store, "/p/a.jpg");
  g_assert_cmpstr (record->target_album, ==, "Birthday");
}

static void
test_migrate_newer (void)
{
  g_autofree gchar *path = test_db_path ("future.db");
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  db = test_db_connect (path);
  test_db_exec (db, SCHEMA_V1
                "INSERT INTO pbi_meta VALUES ('owner', 'own');"
                "PRAGMA user_version = 99;");
  sqlite3_close (db);

  store = pbi_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "newer"));

  db = test_db_connect (path);
  g_assert_cmpint (test_db_int (db, "PRAGMA user_version"), ==, 99);
  sqlite3_close (db);
}

static void
test_migrate_foreign_upgrade (void)
{
  g_autofree gchar *path = test_db_path ("pb-v1.db");
  g_autoptr(PbiStore) store = NULL;
  sqlite3 *db;

  /* a PhotoBooth database holding our v1 tables, version kept in pbi_meta */
  db = test_db_connect (path);
  test_db_exec (db, PHOTOBOOTH_SCHEMA);
  test_db_exec (db,
                "CREATE TABLE pbi_meta (key TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE pbi_files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,"
                "  size INTEGER NOT NULL DEFAULT 0, mtime INTEGER NOT NULL DEFAULT 0, sha1 TEXT,"
                "  state TEXT NOT NULL DEFAULT 'pending', asset_id TEXT,"
                "  albums TEXT NOT NULL DEFAULT '[]', attempts INTEGER NOT NULL DEFAULT 0,"
                "  next_retry INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
                "  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
                "CREATE INDEX pbi_files_state ON pbi_files (state, next_retry);"
                "CREATE TABLE pbi_albums (server TEXT NOT NULL, name TEXT NOT NULL,"
                "  album_id TEXT NOT NULL, PRIMARY KEY (server, name));"
                "CREATE TABLE pbi_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0);"
                "INSERT INTO pbi_meta VALUES ('owner', 'foreign'), ('schema_version', '1');");
  sqlite3_close (db);

  store = open_store (path);
  g_assert_true (pbi_store_is_foreign (store));
  db = _pbi_store_get_db (store);
  g_assert_cmpint (test_db_int (db, "PRAGMA user_version"), ==, 7);
  g_assert_cmpint (test_db_int (db, "SELECT value FROM pbi_meta WHERE key = 'schema_version'"),
                   ==, PBI_STORE_SCHEMA_VERSION);
  g_assert_cmpint (test_db_int (db, "SELECT count(*) FROM pragma_table_info('pbi_files') "
                                    "WHERE name = 'target_album'"), ==, 1);
}

/* ------------------------------------------------------------- settings */

static void
test_settings_defaults (void)
{
  g_autofree gchar *path = test_db_path ("defaults.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_auto(GStrv) extra = NULL;
  struct { const gchar *key; const gchar *value; } strings[] = {
    { "immich_server_url", "" },
    { "immich_api_key", "" },
    { "immich_album_name", "PhotoBooth" },
    { "immich_capture_folder", "" },
    { "immich_library_folder", "" },
    { "immich_extra_albums", "" },
    { "immich_schedule_start", "" },
    { "immich_schedule_end", "" },
    { "immich_tls_fingerprint", "" },
    { "immich_kiosk_pin", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autofree gchar *value = pbi_store_get_setting_string (store, strings[i].key);

      g_assert_true (pbi_store_is_known_setting (strings[i].key));
      g_assert_cmpstr (value, ==, strings[i].value);
    }

  g_assert_false (pbi_store_get_setting_boolean (store, "immich_enabled"));
  g_assert_true (pbi_store_get_setting_boolean (store, "immich_auto_sync"));
  g_assert_true (pbi_store_get_setting_boolean (store, "immich_sync_on_capture"));
  g_assert_false (pbi_store_get_setting_boolean (store, "immich_kiosk_mode"));
  g_assert_cmpint (pbi_store_get_setting_int (store, "immich_connect_timeout"), ==, 10);
  g_assert_cmpint (pbi_store_get_setting_int (store, "immich_idle_timeout"), ==, 60);
  g_assert_cmpint (pbi_store_get_setting_int (store, "immich_upload_concurrency"), ==, 2);
  extra = pbi_store_get_setting_strv (store, "immich_extra_albums");
  g_assert_cmpuint (g_strv_length (extra), ==, 0);

  g_assert_false (pbi_store_is_known_setting ("theme"));
  g_assert_null (pbi_store_get_setting_string (store, "theme"));
  g_assert_null (pbi_store_dup_setting_raw (store, "immich_album_name"));
}

static void
set_raw (PbiStore    *store,
         const gchar *key,
         const gchar *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pbi_store_set_setting (store, key, value, &error));
  g_assert_no_error (error);
}

static void
test_settings_values (void)
{
  g_autofree gchar *path = test_db_path ("values.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GPtrArray) logs = NULL;
  g_auto(GStrv) extra = NULL;
  g_autofree gchar *time = NULL;
  const gchar *trues[] = { "true", "TRUE", " True ", "1" };
  const gchar *falses[] = { "false", "False", "0", " 0" };

  test_log_capture_start ();

  for (guint i = 0; i < G_N_ELEMENTS (trues); i++)
    {
      set_raw (store, "immich_kiosk_mode", trues[i]);
      g_assert_true (pbi_store_get_setting_boolean (store, "immich_kiosk_mode"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (falses); i++)
    {
      set_raw (store, "immich_auto_sync", falses[i]);
      g_assert_false (pbi_store_get_setting_boolean (store, "immich_auto_sync"));
    }

  set_raw (store, "immich_connect_timeout", "1");
  g_assert_cmpint (pbi_store_get_setting_int (store, "immich_connect_timeout"), ==, 1);
  set_raw (store, "immich_connect_timeout", " 300 ");
  g_assert_cmpint (pbi_store_get_setting_int (store, "immich_connect_timeout"), ==, 300);
  set_raw (store, "immich_idle_timeout", "3600");
  g_assert_cmpint (pbi_store_get_setting_int (store, "immich_idle_timeout"), ==, 3600);
  set_raw (store, "immich_upload_concurrency", "16");
  g_assert_cmpint (pbi_store_get_setting_int (store, "immich_upload_concurrency"), ==, 16);

  set_raw (store, "immich_schedule_start", "07:30");
  time = pbi_store_get_setting_string (store, "immich_schedule_start");
  g_assert_cmpstr (time, ==, "07:30");

  set_raw (store, "immich_extra_albums", " Party , Birthday 2024,,Family ");
  extra = pbi_store_get_setting_strv (store, "immich_extra_albums");
  g_assert_cmpstrv (extra, ((const gchar *[]) { "Party", "Birthday 2024", "Family", NULL }));

  logs = test_log_capture_stop ();
  g_assert_cmpuint (test_log_count_matching (logs, "*invalid*"), ==, 0);
}

static void
test_settings_bad_values (void)
{
  g_autofree gchar *path = test_db_path ("bad.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GPtrArray) logs = NULL;
  struct { const gchar *key; const gchar *value; } bools[] = {
    { "immich_enabled", "yes" },
    { "immich_enabled", "" },
    { "immich_auto_sync", "maybe" },
    { "immich_sync_on_capture", "-3" },
    { "immich_kiosk_mode", "on" },
  };
  struct { const gchar *key; const gchar *value; gint def; } ints[] = {
    { "immich_connect_timeout", "-3", 10 },
    { "immich_connect_timeout", "0", 10 },
    { "immich_connect_timeout", "301", 10 },
    { "immich_connect_timeout", "", 10 },
    { "immich_idle_timeout", "maybe", 60 },
    { "immich_idle_timeout", "3601", 60 },
    { "immich_upload_concurrency", "17", 2 },
    { "immich_upload_concurrency", "2.5", 2 },
    { "immich_upload_concurrency", "99999999999999999999", 2 },
  };
  const gchar *times[] = { "25:00", "7:5", "12:60", "noon", "12:30x" };

  for (guint i = 0; i < G_N_ELEMENTS (bools); i++)
    {
      g_autofree gchar *pattern = g_strdup_printf ("*%s*'%s'*default*", bools[i].key,
                                                   bools[i].value);
      gboolean def;

      set_raw (store, bools[i].key, bools[i].value);
      def = g_str_equal (pbi_store_get_setting_default (bools[i].key), "true");
      g_test_expect_message ("pbi-store", G_LOG_LEVEL_MESSAGE, pattern);
      g_assert_cmpint (pbi_store_get_setting_boolean (store, bools[i].key), ==, def);
      g_test_assert_expected_messages ();
    }

  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autofree gchar *pattern = g_strdup_printf ("*%s*'%s'*default*", ints[i].key,
                                                   ints[i].value);

      set_raw (store, ints[i].key, ints[i].value);
      g_test_expect_message ("pbi-store", G_LOG_LEVEL_MESSAGE, pattern);
      g_assert_cmpint (pbi_store_get_setting_int (store, ints[i].key), ==, ints[i].def);
      g_test_assert_expected_messages ();
    }

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree gchar *pattern = g_strdup_printf ("*immich_schedule_end*'%s'*default*",
                                                   times[i]);
      g_autofree gchar *value = NULL;

      set_raw (store, "immich_schedule_end", times[i]);
      g_test_expect_message ("pbi-store", G_LOG_LEVEL_MESSAGE, pattern);
      value = pbi_store_get_setting_string (store, "immich_schedule_end");
      g_test_assert_expected_messages ();
      g_assert_cmpstr (value, ==, "");
    }

  /* the same bad value is reported once, not on every read */
  set_raw (store, "immich_idle_timeout", "0");
  test_log_capture_start ();
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (pbi_store_get_setting_int (store, "immich_idle_timeout"), ==, 60);
  logs = test_log_capture_stop ();
  g_assert_cmpuint (test_log_count_matching (logs, "*immich_idle_timeout*'0'*default '60'*"), ==, 1);
}

static void
test_settings_secret_not_logged (void)
{
  g_autofree gchar *path = test_db_path ("secret.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GPtrArray) logs = NULL;
  g_autofree gchar *key = NULL;
  sqlite3 *db;

  test_log_capture_start ();
  set_raw (store, "immich_api_key", "SECRET-KEY-4242");
  key = pbi_store_get_setting_string (store, "immich_api_key");
  g_assert_cmpstr (key, ==, "SECRET-KEY-4242");

  db = test_db_connect (path);
  test_db_exec (db, "UPDATE settings SET value = 'SECRET-KEY-4343' WHERE key = 'immich_api_key'");
  sqlite3_close (db);
  g_assert_true (pbi_store_check_changes (store));
  set_raw (store, "immich_api_key", NULL);
  logs = test_log_capture_stop ();

  g_assert_cmpuint (test_log_count_matching (logs, "*SECRET*"), ==, 0);
}

static void
test_settings_checked (void)
{
  g_autofree gchar *path = test_db_path ("checked.db");
  g_autoptr(PbiStore) store = open_store (path);
  const gchar * const *known = pbi_store_known_settings ();
  struct { const gchar *key; const gchar *value; const gchar *stored; } good[] = {
    { "immich_enabled", " TRUE ", "true" },
    { "immich_kiosk_mode", "0", "false" },
    { "immich_connect_timeout", " 45", "45" },
    { "immich_schedule_start", "06:00", "06:00" },
    { "immich_schedule_end", "", "" },
    { "immich_album_name", " spaced ", " spaced " },
  };
  struct { const gchar *key; const gchar *value; } bad[] = {
    { "immich_enabled", "yes" },
    { "immich_upload_concurrency", "0" },
    { "immich_idle_timeout", "3601" },
    { "immich_schedule_start", "24:00" },
    { "no_such_setting", "x" },
  };

  g_assert_cmpuint (g_strv_length ((gchar **) known), ==, 18);
  g_assert_true (g_strv_contains (known, "immich_api_key"));
  g_assert_true (g_strv_contains (known, "immich_guest_sharing"));
  g_assert_false (pbi_store_get_setting_boolean (store, "immich_guest_sharing"));
  g_assert_true (g_strv_contains (known, "immich_upload_concurrency"));

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *raw = NULL;

      g_assert_true (pbi_store_set_setting_checked (store, good[i].key, good[i].value, &error));
      g_assert_no_error (error);
      raw = pbi_store_dup_setting_raw (store, good[i].key);
      g_assert_cmpstr (raw, ==, good[i].stored);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *before = pbi_store_dup_setting_raw (store, bad[i].key);
      g_autofree gchar *after = NULL;

      g_assert_false (pbi_store_set_setting_checked (store, bad[i].key, bad[i].value, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad[i].key));
      after = pbi_store_dup_setting_raw (store, bad[i].key);
      g_assert_cmpstr (after, ==, before);
    }
}

static void
on_setting_changed (PbiStore    *store,
                    const gchar *key,
                    GPtrArray   *seen)
{
  g_ptr_array_add (seen, g_strdup (key));
}

static void
test_settings_own_writes_signal (void)
{
  g_autofree gchar *path = test_db_path ("signals.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *value = NULL;

  g_signal_connect (store, "setting-changed", G_CALLBACK (on_setting_changed), seen);

  set_raw (store, "immich_album_name", "A");
  set_raw (store, "immich_album_name", "A");           /* no change, no signal */
  g_assert_true (pbi_store_set_setting_boolean (store, "immich_enabled", TRUE, &error));
  g_assert_true (pbi_store_set_setting_int (store, "immich_idle_timeout", 30, &error));
  g_assert_true (pbi_store_reset_setting (store, "immich_album_name", &error));
  g_assert_true (pbi_store_reset_setting (store, "immich_album_name", &error)); /* none */
  g_assert_no_error (error);

  g_assert_cmpuint (seen->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "immich_album_name");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "immich_enabled");
  g_assert_cmpstr (g_ptr_array_index (seen, 2), ==, "immich_idle_timeout");
  g_assert_cmpstr (g_ptr_array_index (seen, 3), ==, "immich_album_name");

  value = pbi_store_get_setting_string (store, "immich_album_name");
  g_assert_cmpstr (value, ==, "PhotoBooth");
  g_clear_object (&store);

  /* persisted */
  store = open_store (path);
  g_assert_true (pbi_store_get_setting_boolean (store, "immich_enabled"));
  g_assert_cmpint (pbi_store_get_setting_int (store, "immich_idle_timeout"), ==, 30);

  /* a rolled-back write is undone and said so */
  g_ptr_array_set_size (seen, 0);
  g_signal_connect (store, "setting-changed::immich_kiosk_pin",
                    G_CALLBACK (on_setting_changed), seen);
  g_assert_true (pbi_store_begin (store, &error));
  set_raw (store, "immich_kiosk_pin", "1234");
  set_raw (store, "immich_album_name", "Y");
  pbi_store_rollback (store);
  g_clear_pointer (&value, g_free);
  value = pbi_store_get_setting_string (store, "immich_kiosk_pin");
  g_assert_cmpstr (value, ==, "");
  g_assert_cmpuint (seen->len, ==, 2);   /* detailed handler: set, then undone */
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "immich_kiosk_pin");
}

typedef struct
{
  gboolean  fired;
  gchar    *value;
  PbiStore *store;
} ChangeWait;

static void
on_album_changed (PbiStore    *store,
                  const gchar *key,
                  ChangeWait  *wait)
{
  g_assert_cmpstr (key, ==, "immich_album_name");
  wait->fired = TRUE;
  g_free (wait->value);
  wait->value = pbi_store_get_setting_string (store, key);
}

static void
test_settings_external (void)
{
  g_autofree gchar *path = test_db_path ("external.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autofree gchar *sqlite3_shell = g_find_program_in_path ("sqlite3");
  ChangeWait wait = { FALSE, NULL, store };
  gint64 start, elapsed;
  sqlite3 *db;
  gulong id;

  set_raw (store, "immich_album_name", "PhotoBooth");
  id = g_signal_connect (store, "setting-changed::immich_album_name",
                         G_CALLBACK (on_album_changed), &wait);

  /* a second connection, as the PhotoBooth would */
  db = test_db_connect (path);
  test_db_exec (db, "UPDATE settings SET value = 'Birthday2024' WHERE key = 'immich_album_name'");
  start = g_get_monotonic_time ();
  g_assert_true (test_wait_for (&wait.fired, 3000));
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("external change noticed after %" G_GINT64_FORMAT " ms", elapsed / 1000);
  g_assert_cmpint (elapsed, <=, 2 * G_USEC_PER_SEC);
  g_assert_cmpstr (wait.value, ==, "Birthday2024");

  /* a commit that does not touch our keys fires nothing */
  wait.fired = FALSE;
  test_db_exec (db, "CREATE TABLE other (x); INSERT INTO other VALUES (1);");
  test_spin (1500);
  g_assert_false (wait.fired);
  sqlite3_close (db);

  /* the sqlite3 shell, as the PhotoBooth docs show */
  if (sqlite3_shell != NULL)
    {
      g_autoptr(GError) error = NULL;
      const gchar *argv[] = { sqlite3_shell, path,
        "UPDATE settings SET value='Wedding' WHERE key='immich_album_name'", NULL };
      gint status = -1;

      wait.fired = FALSE;
      g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      start = g_get_monotonic_time ();
      g_assert_true (test_wait_for (&wait.fired, 3000));
      elapsed = g_get_monotonic_time () - start;
      g_assert_cmpint (elapsed, <=, 2 * G_USEC_PER_SEC);
      g_assert_cmpstr (wait.value, ==, "Wedding");
    }
  else
    {
      g_test_message ("sqlite3 shell not installed; only the second connection was tested");
    }

  /* a row inserted and one deleted from outside */
  {
    g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

    g_signal_handler_disconnect (store, id);
    g_signal_connect (store, "setting-changed", G_CALLBACK (on_setting_changed), seen);
    db = test_db_connect (path);
    test_db_exec (db,
                  "INSERT INTO settings VALUES ('immich_enabled', 'true');"
                  "DELETE FROM settings WHERE key = 'immich_album_name';");
    sqlite3_close (db);
    g_assert_true (pbi_store_check_changes (store));
    g_assert_cmpuint (seen->len, ==, 2);
    g_assert_true (pbi_store_get_setting_boolean (store, "immich_enabled"));
    g_free (wait.value);
    wait.value = pbi_store_get_setting_string (store, "immich_album_name");
    g_assert_cmpstr (wait.value, ==, "PhotoBooth");
    g_assert_false (pbi_store_check_changes (store));
  }

  g_free (wait.value);
}

static gint64
cpu_time_us (void)
{
  struct rusage usage;

  g_assert_no_errno (getrusage (RUSAGE_SELF, &usage));
  return (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec +
         (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}

static gint64
mtime_of (const gchar *path)
{
  struct stat st;

  if (g_stat (path, &st) != 0)
    return -1;
  return (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

static void
test_idle_cost (void)
{
  g_autofree gchar *path = test_db_path ("idle.db");
  g_autofree gchar *wal = g_strconcat (path, "-wal", NULL);
  g_autofree gchar *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(PbiStore) store = open_store (path);
  gint64 mtimes[3], cpu, wall;
  guint polls;

  set_raw (store, "immich_album_name", "Idle");
  test_spin (1100);   /* let the first poll settle read marks */

  mtimes[0] = mtime_of (path);
  mtimes[1] = mtime_of (wal);
  mtimes[2] = mtime_of (shm);
  polls = _pbi_store_get_poll_count (store);
  cpu = cpu_time_us ();
  wall = g_get_monotonic_time ();

  test_spin (3000);

  cpu = cpu_time_us () - cpu;
  wall = g_get_monotonic_time () - wall;
  polls = _pbi_store_get_poll_count (store) - polls;
  g_test_message ("idle: %u polls, %" G_GINT64_FORMAT " µs CPU in %" G_GINT64_FORMAT " ms (%.3f%%)",
                  polls, cpu, wall / 1000, 100.0 * cpu / wall);

  g_assert_cmpuint (polls, >=, 2);
  g_assert_cmpuint (polls, <=, 4);
  /* ≤ 1% is the budget; in practice this is far below it */
  g_assert_cmpint (cpu * 100, <=, wall);
  g_assert_cmpint (mtime_of (path), ==, mtimes[0]);
  g_assert_cmpint (mtime_of (wal), ==, mtimes[1]);
  g_assert_cmpint (mtime_of (shm), ==, mtimes[2]);
}

/* ---------------------------------------------------------------- files */

static void
assert_records_equal (const PbiFileRecord *a,
                      const PbiFileRecord *b)
{
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpint (a->mtime, ==, b->mtime);
  g_assert_cmpstr (a->sha1, ==, b->sha1);
  g_assert_cmpint (a->state, ==, b->state);
  g_assert_cmpstr (a->asset_id, ==, b->asset_id);
  g_assert_cmpstrv (a->albums, b->albums);
  g_assert_cmpstr (a->target_album, ==, b->target_album);
  g_assert_cmpuint (a->attempts, ==, b->attempts);
  g_assert_cmpint (a->next_retry, ==, b->next_retry);
  g_assert_cmpstr (a->last_error, ==, b->last_error);
  g_assert_cmpint (a->created, ==, b->created);
  g_assert_cmpint (a->updated, ==, b->updated);
}

static void
test_files_put_get (void)
{
  g_autofree gchar *path = test_db_path ("files.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(PbiFileRecord) record = pbi_file_record_new ("/photos/IMG 0001.jpg");
  g_autoptr(PbiFileRecord) found = NULL;
  g_autoptr(PbiFileRecord) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *json = NULL;
  const gchar *albums[] = { "PhotoBooth", "Party \"2024\", \\ünï", NULL };
  gint64 id;

  g_assert_null (pbi_store_file_get (store, record->path));

  record->size = 123456;
  record->mtime = 1700000000123456;
  record->sha1 = g_strdup ("0123456789abcdef0123456789abcdef01234567");
  record->albums = (g_strfreev (record->albums), g_strdupv ((gchar **) albums));
  record->target_album = g_strdup ("Birthday");
  g_assert_true (pbi_store_file_put (store, record, &error));
  g_assert_no_error (error);
  g_assert_cmpint (record->id, >, 0);
  g_assert_cmpint (record->created, >, 0);
  id = record->id;

  found = pbi_store_file_get (store, record->path);
  g_assert_nonnull (found);
  assert_records_equal (found, record);
  copy = pbi_file_record_copy (found);
  assert_records_equal (copy, record);
  g_clear_pointer (&found, pbi_file_record_free);
  found = pbi_store_file_get_by_id (store, id);
  assert_records_equal (found, record);

  /* stored as a JSON array */
  json = test_db_text (_pbi_store_get_db (store), "SELECT albums FROM pbi_files");
  g_assert_cmpstr (json, ==, "[\"PhotoBooth\",\"Party \\\"2024\\\", \\\\ünï\"]");

  /* put again: same row, fields replaced, created kept */
  record->id = 0;
  record->created = 0;
  record->state = PBI_FILE_STATE_DONE;
  record->asset_id = g_strdup ("asset-1");
  g_clear_pointer (&record->target_album, g_free);
  g_usleep (2);
  g_assert_true (pbi_store_file_put (store, record, &error));
  g_assert_no_error (error);
  g_assert_cmpint (record->id, ==, id);
  g_assert_cmpint (record->created, ==, found->created);
  g_clear_pointer (&found, pbi_file_record_free);
  found = pbi_store_file_get (store, record->path);
  assert_records_equal (found, record);
  g_assert_cmpint (test_db_int (_pbi_store_get_db (store), "SELECT count(*) FROM pbi_files"), ==, 1);

  g_assert_true (pbi_store_file_remove (store, record->path, &error));
  g_assert_no_error (error);
  g_assert_null (pbi_store_file_get (store, record->path));
  g_assert_true (pbi_store_file_remove (store, record->path, &error));
}

static void
test_files_states (void)
{
  g_autofree gchar *path = test_db_path ("states.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(PbiFileRecord) record = pbi_file_record_new ("/photos/a.jpg");
  g_autoptr(PbiFileRecord) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *state_text = NULL;
  GEnumClass *enum_class;

  /* the GType knows every state, and the text round-trips */
  enum_class = g_type_class_ref (PBI_TYPE_FILE_STATE);
  g_assert_cmpuint (enum_class->n_values, ==, PBI_N_FILE_STATES);
  g_type_class_unref (enum_class);
  for (guint i = 0; i < PBI_N_FILE_STATES; i++)
    {
      PbiFileState state;

      g_assert_true (pbi_file_state_from_string (pbi_file_state_to_string (i), &state));
      g_assert_cmpint (state, ==, i);
    }

  g_assert_true (pbi_store_file_put (store, record, &error));

  g_assert_true (pbi_store_file_set_state (store, record->id, PBI_FILE_STATE_UPLOADING,
                                           NULL, NULL, 0, &error));
  g_assert_true (pbi_store_file_set_state (store, record->id, PBI_FILE_STATE_FAILED,
                                           NULL, "The server did not answer", 5000, &error));
  g_assert_true (pbi_store_file_set_state (store, record->id, PBI_FILE_STATE_FAILED,
                                           NULL, "The server did not answer", 9000, &error));
  g_assert_no_error (error);
  found = pbi_store_file_get (store, record->path);
  g_assert_cmpint (found->state, ==, PBI_FILE_STATE_FAILED);
  g_assert_cmpuint (found->attempts, ==, 2);
  g_assert_cmpint (found->next_retry, ==, 9000);
  g_assert_cmpstr (found->last_error, ==, "The server did not answer");
  g_assert_null (found->asset_id);

  g_assert_true (pbi_store_file_set_state (store, record->id, PBI_FILE_STATE_ADDING,
                                           "asset-9", NULL, 0, &error));
  g_assert_true (pbi_store_file_set_state (store, record->id, PBI_FILE_STATE_DONE,
                                           NULL, NULL, 0, &error));
  g_assert_no_error (error);
  g_clear_pointer (&found, pbi_file_record_free);
  found = pbi_store_file_get (store, record->path);
  g_assert_cmpint (found->state, ==, PBI_FILE_STATE_DONE);
  g_assert_cmpstr (found->asset_id, ==, "asset-9");   /* kept */
  g_assert_null (found->last_error);                   /* cleared */
  g_assert_cmpuint (found->attempts, ==, 2);

  state_text = test_db_text (_pbi_store_get_db (store), "SELECT state FROM pbi_files");
  g_assert_cmpstr (state_text, ==, "done");

  /* found by checksum once synced, not before */
  {
    g_autoptr(PbiFileRecord) copy = pbi_file_record_new ("/photos/copy-of-a.jpg");
    g_autoptr(PbiFileRecord) synced = NULL;

    copy->sha1 = g_strdup ("aaaabbbbccccddddeeeeffff0000111122223333");
    g_assert_true (pbi_store_file_put (store, copy, &error));
    g_assert_null (pbi_store_file_find_synced (store, copy->sha1));
    found->sha1 = g_strdup (copy->sha1);
    g_assert_true (pbi_store_file_put (store, found, &error));
    g_assert_no_error (error);
    synced = pbi_store_file_find_synced (store, copy->sha1);
    g_assert_nonnull (synced);
    g_assert_cmpstr (synced->path, ==, "/photos/a.jpg");
    g_assert_cmpstr (synced->asset_id, ==, "asset-9");
  }

  g_assert_false (pbi_store_file_set_state (store, 999, PBI_FILE_STATE_DONE,
                                            NULL, NULL, 0, &error));
  g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED);
}

/* Checksums and asset ids are stored as bytes (a season of 100,000
 * photos): every value reads back exactly as written, whatever its form,
 * and a row written as text before schema 4 is still found by checksum. */
static void
test_files_compact (void)
{
  g_autofree gchar *path = test_db_path ("compact.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  const gchar *values[][2] = {
    { "0123456789abcdef0123456789abcdef01234567", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0ff" },
    { "0123456789ABCDEF0123456789ABCDEF01234567", "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0FF" },
    { "0123456789abcdef0123456789abcdef0123456", "asset-1" },
    { "zz23456789abcdef0123456789abcdef01234567", "0f1e2d3c4b5a49788695a4b3c2d1e0ff0000" },
  };
  sqlite3 *db = _pbi_store_get_db (store);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree gchar *file = g_strdup_printf ("/photos/%u.jpg", i);
      g_autoptr(PbiFileRecord) rec = pbi_file_record_new (file);
      g_autoptr(PbiFileRecord) back = NULL;

      rec->sha1 = g_strdup (values[i][0]);
      rec->asset_id = g_strdup (values[i][1]);
      rec->state = PBI_FILE_STATE_DONE;
      g_assert_true (pbi_store_file_put (store, rec, &error));
      g_assert_no_error (error);
      back = pbi_store_file_get (store, file);
      g_assert_cmpstr (back->sha1, ==, values[i][0]);
      g_assert_cmpstr (back->asset_id, ==, values[i][1]);
      g_clear_pointer (&back, pbi_file_record_free);
      back = pbi_store_file_find_synced (store, values[i][0]);
      g_assert_nonnull (back);
      g_assert_cmpstr (back->path, ==, file);
    }
  /* the lower-case forms take 20 and 16 bytes */
  g_assert_cmpint (test_db_int (db, "SELECT length(sha1) FROM pbi_files WHERE path = '/photos/0.jpg'"),
                   ==, 20);
  g_assert_cmpint (test_db_int (db, "SELECT length(asset_id) FROM pbi_files "
                                    "WHERE path = '/photos/0.jpg'"), ==, 16);

  /* a row from before: text */
  test_db_exec (db, "INSERT INTO pbi_files (path, sha1, state, asset_id, created, updated) "
                    "VALUES ('/photos/old.jpg', 'aaaabbbbccccddddeeeeffff0000111122223333', "
                    "'done', '11111111-2222-4333-8444-555555555555', 1, 2)");
  {
    g_autoptr(PbiFileRecord) old =
      pbi_store_file_find_synced (store, "aaaabbbbccccddddeeeeffff0000111122223333");

    g_assert_nonnull (old);
    g_assert_cmpstr (old->path, ==, "/photos/old.jpg");
    g_assert_cmpstr (old->asset_id, ==, "11111111-2222-4333-8444-555555555555");
  }
}

static gint64
put_file (PbiStore     *store,
          const gchar  *path,
          PbiFileState  state,
          gint64        created,
          gint64        next_retry)
{
  g_autoptr(PbiFileRecord) record = pbi_file_record_new (path);
  g_autoptr(GError) error = NULL;

  record->state = state;
  record->created = created;
  record->next_retry = next_retry;
  g_assert_true (pbi_store_file_put (store, record, &error));
  g_assert_no_error (error);
  return record->id;
}

static void
count_signal (PbiStore *store,
              guint    *count)
{
  (*count)++;
}

/* Queue rows another process changed (retry-failed beside a running watch)
 * are announced by changed-elsewhere; our own writes are not. */
static void
test_files_changed_elsewhere (void)
{
  g_autofree gchar *path = test_db_path ("elsewhere.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(PbiStore) other = open_store (path);
  g_autoptr(GError) error = NULL;
  guint fired = 0;
  sqlite3 *db;

  g_signal_connect (store, "changed-elsewhere", G_CALLBACK (count_signal), &fired);
  g_assert_false (pbi_store_check_changes (store));
  put_file (store, "/own", PBI_FILE_STATE_FAILED, 1, 0);
  g_assert_false (pbi_store_check_changes (store));
  g_assert_cmpuint (fired, ==, 0);

  /* another PbiStore on the file: what `retry-failed` in a second process does */
  g_assert_cmpint (pbi_store_files_reset_failed (other, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (pbi_store_check_changes (store));
  g_assert_cmpuint (fired, ==, 1);
  g_assert_false (pbi_store_check_changes (store));
  g_assert_cmpuint (fired, ==, 1);

  /* and the sqlite3 shell's way */
  db = test_db_connect (path);
  test_db_exec (db, "UPDATE pbi_files SET state = 'failed' WHERE path = '/own'");
  sqlite3_close (db);
  g_assert_true (pbi_store_check_changes (store));
  g_assert_cmpuint (fired, ==, 2);
}

static void
test_files_due_counts_reset (void)
{
  g_autofree gchar *path = test_db_path ("due.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  guint counts[PBI_N_FILE_STATES];
  const gchar *expected[] = { "/u", "/p2", "/f-old", "/h", "/a", "/c", "/p1", NULL };
  const gint64 now = 1000000;

  put_file (store, "/p1", PBI_FILE_STATE_PENDING, 70, 0);
  put_file (store, "/p2", PBI_FILE_STATE_PENDING, 20, 0);
  put_file (store, "/h", PBI_FILE_STATE_HASHING, 40, 0);
  put_file (store, "/c", PBI_FILE_STATE_CHECKING, 60, 0);
  put_file (store, "/u", PBI_FILE_STATE_UPLOADING, 10, 0);
  put_file (store, "/a", PBI_FILE_STATE_ADDING, 50, 0);
  put_file (store, "/d", PBI_FILE_STATE_DONE, 1, 0);
  put_file (store, "/dup", PBI_FILE_STATE_DUPLICATE, 2, 0);
  put_file (store, "/f-old", PBI_FILE_STATE_FAILED, 30, now);
  put_file (store, "/f-later", PBI_FILE_STATE_FAILED, 3, now + 1);
  put_file (store, "/r", PBI_FILE_STATE_REJECTED, 4, 0);

  due = pbi_store_files_due (store, now, 0);
  g_assert_cmpuint (due->len, ==, g_strv_length ((gchar **) expected));
  for (guint i = 0; i < due->len; i++)
    g_assert_cmpstr (((PbiFileRecord *) g_ptr_array_index (due, i))->path, ==, expected[i]);
  g_clear_pointer (&due, g_ptr_array_unref);

  due = pbi_store_files_due (store, now, 2);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpstr (((PbiFileRecord *) g_ptr_array_index (due, 1))->path, ==, "/p2");
  g_clear_pointer (&due, g_ptr_array_unref);

  due = pbi_store_files_due (store, now + 1, 0);
  g_assert_cmpuint (due->len, ==, 8);
  g_assert_cmpstr (((PbiFileRecord *) g_ptr_array_index (due, 0))->path, ==, "/f-later");
  g_clear_pointer (&due, g_ptr_array_unref);

  g_assert_cmpint (pbi_store_files_next_retry (store), ==, now);

  /* failed and rejected, most recently changed first */
  g_assert_true (pbi_store_file_set_state (store, put_file (store, "/r", PBI_FILE_STATE_REJECTED, 4, 0),
                                           PBI_FILE_STATE_REJECTED, NULL, "too large", 0, &error));
  g_assert_no_error (error);
  due = pbi_store_files_failed (store, 0);
  g_assert_cmpuint (due->len, ==, 3);
  g_assert_cmpstr (((PbiFileRecord *) g_ptr_array_index (due, 0))->path, ==, "/r");
  g_assert_cmpstr (((PbiFileRecord *) g_ptr_array_index (due, 0))->last_error, ==, "too large");
  g_clear_pointer (&due, g_ptr_array_unref);
  due = pbi_store_files_failed (store, 1);
  g_assert_cmpuint (due->len, ==, 1);
  g_clear_pointer (&due, g_ptr_array_unref);

  pbi_store_files_count_by_state (store, counts);
  g_assert_cmpuint (counts[PBI_FILE_STATE_PENDING], ==, 2);
  g_assert_cmpuint (counts[PBI_FILE_STATE_HASHING], ==, 1);
  g_assert_cmpuint (counts[PBI_FILE_STATE_CHECKING], ==, 1);
  g_assert_cmpuint (counts[PBI_FILE_STATE_UPLOADING], ==, 1);
  g_assert_cmpuint (counts[PBI_FILE_STATE_ADDING], ==, 1);
  g_assert_cmpuint (counts[PBI_FILE_STATE_DONE], ==, 1);
  g_assert_cmpuint (counts[PBI_FILE_STATE_DUPLICATE], ==, 1);
  g_assert_cmpuint (counts[PBI_FILE_STATE_FAILED], ==, 2);
  g_assert_cmpuint (counts[PBI_FILE_STATE_REJECTED], ==, 1);

  g_assert_cmpint (pbi_store_files_reset_failed (store, &error), ==, 3);
  g_assert_no_error (error);
  pbi_store_files_count_by_state (store, counts);
  g_assert_cmpuint (counts[PBI_FILE_STATE_PENDING], ==, 5);
  g_assert_cmpuint (counts[PBI_FILE_STATE_FAILED], ==, 0);
  g_assert_cmpuint (counts[PBI_FILE_STATE_REJECTED], ==, 0);
  g_assert_cmpint (pbi_store_files_next_retry (store), ==, 0);

  due = pbi_store_files_due (store, 0, 0);
  g_assert_cmpuint (due->len, ==, 9);
  for (guint i = 0; i < due->len; i++)
    {
      PbiFileRecord *r = g_ptr_array_index (due, i);

      if (g_str_has_prefix (r->path, "/f") || g_str_equal (r->path, "/r"))
        {
          g_assert_cmpuint (r->attempts, ==, 0);
          g_assert_cmpint (r->next_retry, ==, 0);
        }
    }
}

static void
test_files_bulk (void)
{
  g_autofree gchar *path = test_db_path ("bulk.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *albums[] = { "PhotoBooth", NULL };
  guint counts[PBI_N_FILE_STATES];
  gint64 start, total, worst_put = 0, worst_commit = 0, t;

  start = g_get_monotonic_time ();
  for (guint batch = 0; batch < 20; batch++)
    {
      g_assert_true (pbi_store_begin (store, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < 500; i++)
        {
          g_autofree gchar *name = g_strdup_printf ("/srv/photos/2024/event-%02u/IMG_%05u.jpg",
                                                    batch, batch * 500 + i);
          g_autoptr(PbiFileRecord) record = pbi_file_record_new (name);

          record->size = 4000000 + i;
          record->mtime = 1700000000000000 + i;
          record->albums = (g_strfreev (record->albums), g_strdupv ((gchar **) albums));
          t = g_get_monotonic_time ();
          g_assert_true (pbi_store_file_put (store, record, &error));
          worst_put = MAX (worst_put, g_get_monotonic_time () - t);
        }
      t = g_get_monotonic_time ();
      g_assert_true (pbi_store_commit (store, &error));
      g_assert_no_error (error);
      worst_commit = MAX (worst_commit, g_get_monotonic_time () - t);
    }
  total = g_get_monotonic_time () - start;

  t = g_get_monotonic_time ();
  due = pbi_store_files_due (store, g_get_real_time (), 100);
  t = g_get_monotonic_time () - t;
  g_assert_cmpuint (due->len, ==, 100);

  start = g_get_monotonic_time ();
  pbi_store_files_count_by_state (store, counts);
  start = g_get_monotonic_time () - start;
  g_assert_cmpuint (counts[PBI_FILE_STATE_PENDING], ==, 10000);

  g_test_message ("10000 rows in 20 transactions: %" G_GINT64_FORMAT " ms total, "
                  "slowest put %" G_GINT64_FORMAT " µs, slowest commit %" G_GINT64_FORMAT " µs, "
                  "due(100) %" G_GINT64_FORMAT " µs, counts %" G_GINT64_FORMAT " µs",
                  total / 1000, worst_put, worst_commit, t, start);

  /* the requirement: well under a second for all of them (timings under
   * a sanitizer say nothing about the product) */
#if defined(__SANITIZE_ADDRESS__) || __has_feature (address_sanitizer)
  g_test_message ("sanitizer build: not checking the time");
#else
  g_assert_cmpint (total, <, G_USEC_PER_SEC);
#endif
}

/* What a second sync of a large folder skips without reading each row: a
 * sync into given albums skips the files already in exactly those, an
 * automatic scan (albums NULL) every file already on the server. */
static void
test_files_synced (void)
{
  g_autofree gchar *path = test_db_path ("synced.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GHashTable) wedding = NULL;
  g_autoptr(GHashTable) any = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *old_album[] = { "Wedding", NULL };
  const gchar *new_album[] = { "Birthday", NULL };
  const struct { const gchar *path; PbiFileState state; const gchar **albums; } rows[] = {
    { "/p/a.jpg", PBI_FILE_STATE_DONE, old_album },
    { "/p/b.jpg", PBI_FILE_STATE_DUPLICATE, new_album },
    { "/p/c.jpg", PBI_FILE_STATE_FAILED, old_album },
    { "/p/d.jpg", PBI_FILE_STATE_UPLOADING, new_album },
  };
  const gint64 *stamp;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(PbiFileRecord) record = pbi_file_record_new (rows[i].path);

      record->size = 1000 + i;
      record->mtime = 1700000000000000 + i;
      record->state = rows[i].state;
      record->albums = (g_strfreev (record->albums), g_strdupv ((gchar **) rows[i].albums));
      g_assert_true (pbi_store_file_put (store, record, &error));
      g_assert_no_error (error);
    }

  wedding = pbi_store_files_synced (store, old_album);
  g_assert_cmpuint (g_hash_table_size (wedding), ==, 1);
  stamp = g_hash_table_lookup (wedding, "/p/a.jpg");
  g_assert_nonnull (stamp);
  g_assert_cmpint (stamp[0], ==, 1000);
  g_assert_cmpint (stamp[1], ==, 1700000000000000);

  any = pbi_store_files_synced (store, NULL);
  g_assert_cmpuint (g_hash_table_size (any), ==, 2);
  g_assert_true (g_hash_table_contains (any, "/p/a.jpg"));
  stamp = g_hash_table_lookup (any, "/p/b.jpg");
  g_assert_nonnull (stamp);
  g_assert_cmpint (stamp[0], ==, 1001);
}

static void
test_transactions_nested (void)
{
  g_autofree gchar *path = test_db_path ("nested.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(PbiFileRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pbi_store_begin (store, &error));
  put_file (store, "/outer", PBI_FILE_STATE_PENDING, 0, 0);
  g_assert_true (pbi_store_begin (store, &error));
  put_file (store, "/inner-undone", PBI_FILE_STATE_PENDING, 0, 0);
  pbi_store_rollback (store);
  g_assert_true (pbi_store_begin (store, &error));
  put_file (store, "/inner-kept", PBI_FILE_STATE_PENDING, 0, 0);
  g_assert_true (pbi_store_commit (store, &error));
  g_assert_true (pbi_store_commit (store, &error));
  g_assert_no_error (error);

  record = pbi_store_file_get (store, "/outer");
  g_assert_nonnull (record);
  g_clear_pointer (&record, pbi_file_record_free);
  g_assert_null (pbi_store_file_get (store, "/inner-undone"));
  record = pbi_store_file_get (store, "/inner-kept");
  g_assert_nonnull (record);

  /* commit without begin is an error, not a crash */
  g_assert_false (pbi_store_commit (store, &error));
  g_assert_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED);
}

/* ------------------------------------------------- albums and counters */

static void
test_albums (void)
{
  g_autofree gchar *path = test_db_path ("albums.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *id = NULL;
  const gchar *s1 = "https://photos.example.org";
  const gchar *s2 = "http://127.0.0.1:2283";

  g_assert_null (pbi_store_album_get (store, s1, "PhotoBooth"));
  g_assert_true (pbi_store_album_set (store, s1, "PhotoBooth", "id-1", &error));
  g_assert_true (pbi_store_album_set (store, s1, "Party", "id-2", &error));
  g_assert_true (pbi_store_album_set (store, s2, "PhotoBooth", "id-3", &error));
  g_assert_true (pbi_store_album_set (store, s1, "PhotoBooth", "id-4", &error));
  g_assert_no_error (error);

  id = pbi_store_album_get (store, s1, "PhotoBooth");
  g_assert_cmpstr (id, ==, "id-4");
  g_clear_pointer (&id, g_free);
  id = pbi_store_album_get (store, s2, "PhotoBooth");
  g_assert_cmpstr (id, ==, "id-3");
  g_clear_pointer (&id, g_free);

  g_assert_true (pbi_store_album_forget (store, s1, "PhotoBooth", &error));
  g_assert_null (pbi_store_album_get (store, s1, "PhotoBooth"));
  id = pbi_store_album_get (store, s1, "Party");
  g_assert_cmpstr (id, ==, "id-2");
  g_clear_pointer (&id, g_free);

  g_assert_true (pbi_store_album_forget (store, s1, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (pbi_store_album_get (store, s1, "Party"));
  id = pbi_store_album_get (store, s2, "PhotoBooth");
  g_assert_cmpstr (id, ==, "id-3");
}

static void
test_counters (void)
{
  g_autofree gchar *path = test_db_path ("counters.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) when = NULL;
  gint64 now = g_get_real_time ();

  g_assert_cmpint (pbi_store_counter_get (store, "uploaded"), ==, 0);
  g_assert_true (pbi_store_counter_add (store, "uploaded", 3, &error));
  g_assert_true (pbi_store_counter_add (store, "uploaded", 2, &error));
  g_assert_true (pbi_store_counter_add (store, "duplicates", 1, &error));
  g_assert_true (pbi_store_counter_add (store, "duplicates", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pbi_store_counter_get (store, "uploaded"), ==, 5);
  g_assert_cmpint (pbi_store_counter_get (store, "duplicates"), ==, 0);

  g_assert_cmpint (pbi_store_get_last_sync (store), ==, 0);
  g_assert_null (pbi_store_dup_last_sync_time (store));
  g_assert_true (pbi_store_set_last_sync (store, now, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = open_store (path);
  g_assert_cmpint (pbi_store_counter_get (store, "uploaded"), ==, 5);
  g_assert_cmpint (pbi_store_get_last_sync (store), ==, now);
  when = pbi_store_dup_last_sync_time (store);
  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_to_unix (when), ==, now / G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pbi/store/open/fresh", test_open_fresh);
  g_test_add_func ("/pbi/store/files/synced", test_files_synced);
  g_test_add_func ("/pbi/store/open/default-path", test_open_default_path);
  g_test_add_func ("/pbi/store/open/existing-mode", test_open_existing_mode);
  g_test_add_func ("/pbi/store/open/photobooth", test_open_photobooth);
  g_test_add_func ("/pbi/store/open/photobooth-no-unique-key", test_open_photobooth_no_unique);
  g_test_add_func ("/pbi/store/open/corrupt", test_open_corrupt);
  g_test_add_func ("/pbi/store/open/read-only", test_open_read_only);
  g_test_add_func ("/pbi/store/errors/mapping", test_error_mapping);
  g_test_add_func ("/pbi/store/errors/disk-full", test_disk_full);
  g_test_add_func ("/pbi/store/errors/integrity", test_integrity_damaged);
  g_test_add_func ("/pbi/store/migrate/from-v1", test_migrate_from_v1);
  g_test_add_func ("/pbi/store/migrate/newer", test_migrate_newer);
  g_test_add_func ("/pbi/store/migrate/foreign-upgrade", test_migrate_foreign_upgrade);
  g_test_add_func ("/pbi/store/settings/defaults", test_settings_defaults);
  g_test_add_func ("/pbi/store/settings/values", test_settings_values);
  g_test_add_func ("/pbi/store/settings/bad-values", test_settings_bad_values);
  g_test_add_func ("/pbi/store/settings/checked", test_settings_checked);
  g_test_add_func ("/pbi/store/settings/secret-not-logged", test_settings_secret_not_logged);
  g_test_add_func ("/pbi/store/settings/own-writes", test_settings_own_writes_signal);
  g_test_add_func ("/pbi/store/settings/external", test_settings_external);
  g_test_add_func ("/pbi/store/settings/idle-cost", test_idle_cost);
  g_test_add_func ("/pbi/store/files/put-get", test_files_put_get);
  g_test_add_func ("/pbi/store/files/states", test_files_states);
  g_test_add_func ("/pbi/store/files/due-counts-reset", test_files_due_counts_reset);
  g_test_add_func ("/pbi/store/files/changed-elsewhere", test_files_changed_elsewhere);
  g_test_add_func ("/pbi/store/files/bulk", test_files_bulk);
  g_test_add_func ("/pbi/store/files/compact", test_files_compact);
  g_test_add_func ("/pbi/store/files/transactions", test_transactions_nested);
  g_test_add_func ("/pbi/store/albums/cache", test_albums);
  g_test_add_func ("/pbi/store/counters/basic", test_counters);

  return g_test_run ();
}
