/* test-instance-lock.c: one sync engine per database
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pbi-instance-lock.h"

typedef struct
{
  gchar *dir;
  gchar *db;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("pbi-lock-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->db = g_build_filename (f->dir, "sync.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree gchar *lock = pbi_instance_lock_get_path (f->db);

  g_unlink (lock);
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->dir);
}

/* a second engine on the same database is refused, and told who syncs */
static void
test_second_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PbiInstanceLock) first = NULL;
  g_autoptr(PbiInstanceLock) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pid = g_strdup_printf ("process %d", (gint) getpid ());

  first = pbi_instance_lock_acquire (f->db, "photobooth-immich watch", &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);

  /* flock() conflicts between two open files even in one process */
  second = pbi_instance_lock_acquire (f->db, "photobooth-immich-sync", &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "photobooth-immich watch"));
  g_assert_nonnull (strstr (error->message, pid));
  g_assert_nonnull (strstr (error->message, f->db));
}

static void
test_holder (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(PbiInstanceLock) lock = NULL;
  g_autofree gchar *holder = NULL;
  g_autofree gchar *after = NULL;
  GPid pid = 0;

  g_assert_null (pbi_instance_lock_dup_holder (f->db, &pid));
  g_assert_cmpint (pid, ==, 0);

  lock = pbi_instance_lock_acquire (f->db, "photobooth-immich-sync", NULL);
  g_assert_nonnull (lock);
  holder = pbi_instance_lock_dup_holder (f->db, &pid);
  g_assert_cmpstr (holder, ==, "photobooth-immich-sync");
  g_assert_cmpint (pid, ==, getpid ());

  g_clear_pointer (&lock, pbi_instance_lock_release);
  after = pbi_instance_lock_dup_holder (f->db, &pid);
  g_assert_null (after);
  g_assert_cmpint (pid, ==, 0);
}

/* released, or left behind by a process that died: free again */
static void
test_release_and_stale (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PbiInstanceLock) lock = NULL;
  g_autofree gchar *path = pbi_instance_lock_get_path (f->db);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *content = NULL;

  lock = pbi_instance_lock_acquire (f->db, "one", &error);
  g_assert_no_error (error);
  g_clear_pointer (&lock, pbi_instance_lock_release);
  lock = pbi_instance_lock_acquire (f->db, "two", &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);
  g_clear_pointer (&lock, pbi_instance_lock_release);

  /* a file naming a dead holder, but nobody holds the lock */
  g_assert_true (g_file_set_contents (path, "999999\nghost\n", -1, NULL));
  lock = pbi_instance_lock_acquire (f->db, "three", &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_true (g_str_has_suffix (content, "\nthree\n"));
}

static void
test_unwritable (void)
{
  g_autoptr(PbiInstanceLock) lock = NULL;
  g_autoptr(GError) error = NULL;

  lock = pbi_instance_lock_acquire ("/nonexistent-folder-pbi/sync.db", "x", &error);
  g_assert_null (lock);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/pbi/engine/instance-lock/second-refused", Fixture, NULL,
              fixture_setup, test_second_refused, fixture_teardown);
  g_test_add ("/pbi/engine/instance-lock/holder", Fixture, NULL,
              fixture_setup, test_holder, fixture_teardown);
  g_test_add ("/pbi/engine/instance-lock/release-and-stale", Fixture, NULL,
              fixture_setup, test_release_and_stale, fixture_teardown);
  g_test_add_func ("/pbi/engine/instance-lock/unwritable", test_unwritable);
  return g_test_run ();
}
