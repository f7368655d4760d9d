/* test-store-events.c: tests for PbiStore's event tables (schema 3): done
 * times, duplicates, events, the connection log, guest links
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "pbi-store.h"
#include "pbi-store-events.h"
#include "pbi-store-private.h"
#include "store-test-util.h"

/* schema 2, as a build of last week left it */
#define SCHEMA_V2 \
  "CREATE TABLE pbi_meta (key TEXT PRIMARY KEY, value TEXT);" \
  "CREATE TABLE pbi_files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE," \
  "  size INTEGER NOT NULL DEFAULT 0, mtime INTEGER NOT NULL DEFAULT 0, sha1 TEXT," \
  "  state TEXT NOT NULL DEFAULT 'pending', asset_id TEXT, albums TEXT NOT NULL DEFAULT '[]'," \
  "  attempts INTEGER NOT NULL DEFAULT 0, next_retry INTEGER NOT NULL DEFAULT 0," \
  "  last_error TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL," \
  "  target_album TEXT);" \
  "CREATE INDEX pbi_files_state ON pbi_files (state, next_retry);" \
  "CREATE INDEX pbi_files_sha1 ON pbi_files (sha1);" \
  "CREATE TABLE pbi_albums (server TEXT NOT NULL, name TEXT NOT NULL," \
  "  album_id TEXT NOT NULL, PRIMARY KEY (server, name));" \
  "CREATE TABLE pbi_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0);" \
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);"

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

static PbiStorePhoto *
find_photo (GPtrArray   *photos,
            const gchar *path)
{
  for (guint i = 0; i < photos->len; i++)
    {
      PbiStorePhoto *p = g_ptr_array_index (photos, i);

      if (g_strcmp0 (p->path, path) == 0)
        return p;
    }
  return NULL;
}

static void
test_migrate_from_v2 (void)
{
  g_autofree gchar *path = test_db_path ("v2.db");
  g_autoptr(PbiStore) store = NULL;
  g_autoptr(GPtrArray) photos = NULL;
  sqlite3 *db;

  db = test_db_connect (path);
  test_db_exec (db, SCHEMA_V2
                "INSERT INTO pbi_meta VALUES ('owner', 'own');"
                "INSERT INTO pbi_files (path, size, mtime, sha1, state, created, updated) VALUES"
                "  ('/p/done.jpg', 10, 100, 'abc', 'done', 150, 200),"
                "  ('/p/waiting.jpg', 10, 300, NULL, 'pending', 350, 400);"
                "PRAGMA user_version = 2;");
  sqlite3_close (db);

  store = open_store (path);
  g_assert_cmpuint (pbi_store_get_schema_version (store), ==, PBI_STORE_SCHEMA_VERSION);
  photos = pbi_store_photos_since (store, 0);
  g_assert_cmpuint (photos->len, ==, 2);
  /* a photo done before the upgrade: done when it was last updated */
  g_assert_cmpint (find_photo (photos, "/p/done.jpg")->done_at, ==, 200);
  g_assert_cmpint (find_photo (photos, "/p/done.jpg")->captured, ==, 100);
  g_assert_cmpint (find_photo (photos, "/p/done.jpg")->queued, ==, 150);
  g_assert_cmpint (find_photo (photos, "/p/waiting.jpg")->done_at, ==, 0);
  /* since: by capture, queue or done time */
  g_clear_pointer (&photos, g_ptr_array_unref);
  photos = pbi_store_photos_since (store, 250);
  g_assert_cmpuint (photos->len, ==, 1);
  g_assert_cmpstr (((PbiStorePhoto *) g_ptr_array_index (photos, 0))->path, ==, "/p/waiting.jpg");
}

static void
test_done_times (void)
{
  g_autofree gchar *path = test_db_path ("done.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(PbiFileRecord) rec = pbi_file_record_new ("/p/a.jpg");
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = _pbi_store_get_db (store);

  rec->size = 5;
  rec->mtime = 1000;
  g_assert_true (pbi_store_file_put (store, rec, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_db_int (db, "SELECT done_at IS NULL FROM pbi_files"), ==, 1);

  /* done: the time of that change, and it stays when the row is written again */
  g_assert_true (pbi_store_file_set_state (store, rec->id, PBI_FILE_STATE_DONE, "asset", NULL, 0,
                                           &error));
  g_assert_no_error (error);
  test_db_exec (db, "UPDATE pbi_files SET updated = 5000, done_at = 5000");
  rec->state = PBI_FILE_STATE_DONE;
  g_assert_true (pbi_store_file_put (store, rec, &error));
  g_assert_cmpint (test_db_int (db, "SELECT done_at FROM pbi_files"), ==, 5000);

  /* queued again (the server lost it): not done any more */
  g_assert_true (pbi_store_file_set_state (store, rec->id, PBI_FILE_STATE_PENDING, NULL, NULL, 0,
                                           &error));
  g_assert_cmpint (test_db_int (db, "SELECT done_at IS NULL FROM pbi_files"), ==, 1);
  g_assert_true (pbi_store_file_set_state (store, rec->id, PBI_FILE_STATE_DONE, NULL, NULL, 0,
                                           &error));
  g_assert_cmpint (test_db_int (db, "SELECT done_at = updated FROM pbi_files"), ==, 1);

  /* duplicates are told apart */
  g_assert_true (pbi_store_photo_set_duplicate (store, "/p/a.jpg", TRUE, &error));
  photos = pbi_store_photos_since (store, 0);
  g_assert_true (find_photo (photos, "/p/a.jpg")->duplicate);
  g_clear_pointer (&photos, g_ptr_array_unref);
  g_assert_true (pbi_store_photo_set_duplicate (store, "/p/a.jpg", FALSE, &error));
  photos = pbi_store_photos_since (store, 0);
  g_assert_false (find_photo (photos, "/p/a.jpg")->duplicate);
}

static void
test_events (void)
{
  g_autofree gchar *path = test_db_path ("events.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *album = NULL;
  gint64 started = 0;

  g_assert_false (pbi_store_event_current (store, NULL, NULL, NULL));
  g_assert_true (pbi_store_counter_add (store, "uploaded", 12, &error));
  g_assert_true (pbi_store_counter_add (store, "duplicates", 3, &error));
  g_assert_true (pbi_store_counter_add (store, "other", 7, &error));
  g_assert_true (pbi_store_event_start (store, "Party", "Party", 111, &error));
  g_assert_true (pbi_store_event_start (store, "Wedding", "Wedding 2026", 222, &error));
  g_assert_no_error (error);
  g_assert_true (pbi_store_event_current (store, &name, &album, &started));
  g_assert_cmpstr (name, ==, "Wedding");
  g_assert_cmpstr (album, ==, "Wedding 2026");
  g_assert_cmpint (started, ==, 222);
  /* the event's counters start afresh; others stay */
  g_assert_cmpint (pbi_store_counter_get (store, "uploaded"), ==, 0);
  g_assert_cmpint (pbi_store_counter_get (store, "duplicates"), ==, 0);
  g_assert_cmpint (pbi_store_counter_get (store, "other"), ==, 7);
}

static void
test_connection_log (void)
{
  g_autofree gchar *path = test_db_path ("log.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pbi_store_connection_log_add (store, 100, "connected", NULL, &error));
  g_assert_true (pbi_store_connection_log_add (store, 200, "offline", "down", &error));
  g_assert_true (pbi_store_connection_log_add (store, 300, "connected", NULL, &error));
  g_assert_no_error (error);

  /* from 250 on: the offline change that was going on at 250 comes first */
  changes = pbi_store_connection_log_since (store, 250);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpint (((PbiStoreConnectionChange *) g_ptr_array_index (changes, 0))->at, ==, 200);
  g_assert_cmpstr (((PbiStoreConnectionChange *) g_ptr_array_index (changes, 0))->message, ==,
                   "down");
  g_assert_cmpstr (((PbiStoreConnectionChange *) g_ptr_array_index (changes, 1))->state, ==,
                   "connected");
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = pbi_store_connection_log_since (store, 0);
  g_assert_cmpuint (changes->len, ==, 3);
}

static void
test_shared_links (void)
{
  g_autofree gchar *path = test_db_path ("links.db");
  g_autoptr(PbiStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *a = NULL;
  g_autofree gchar *b = NULL;
  g_autofree gchar *c = NULL;

  g_assert_null (pbi_store_shared_link_get (store, "https://s", "album-1"));
  g_assert_true (pbi_store_shared_link_set (store, "https://s", "album-1", "link-1", &error));
  g_assert_true (pbi_store_shared_link_set (store, "https://s", "album-1", "link-2", &error));
  g_assert_true (pbi_store_shared_link_set (store, "https://t", "album-1", "link-3", &error));
  g_assert_no_error (error);
  a = pbi_store_shared_link_get (store, "https://s", "album-1");
  b = pbi_store_shared_link_get (store, "https://t", "album-1");
  g_assert_cmpstr (a, ==, "link-2");
  g_assert_cmpstr (b, ==, "link-3");
  g_assert_true (pbi_store_shared_link_set (store, "https://s", "album-1", NULL, &error));
  g_assert_null (pbi_store_shared_link_get (store, "https://s", "album-1"));
  c = pbi_store_shared_link_get (store, "https://t", "album-1");
  g_assert_cmpstr (c, ==, "link-3");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pbi/store/events/migrate-from-v2", test_migrate_from_v2);
  g_test_add_func ("/pbi/store/events/done-times", test_done_times);
  g_test_add_func ("/pbi/store/events/events", test_events);
  g_test_add_func ("/pbi/store/events/connection-log", test_connection_log);
  g_test_add_func ("/pbi/store/events/shared-links", test_shared_links);
  return g_test_run ();
}
