/* test-scanner.c
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
#include <unistd.h>

#include <glib/gstdio.h>

#include "pbi-scanner.h"

typedef struct
{
  gchar *dir;
} Fixture;

typedef struct
{
  GPtrArray *entries;
  GError    *error;
  gboolean   done;
  guint      n_batches;
  guint      n_in_batches;
  guint      max_batch;
} ScanResult;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pbi-scanner-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static gchar *
make_file (Fixture     *fixture,
           const gchar *relative,
           gsize        size)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *content = g_malloc0 (MAX (size, 1));
  g_autofree gchar *parent = NULL;
  gchar *path = g_build_filename (fixture->dir, relative, NULL);

  parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, content, size, &error);
  g_assert_no_error (error);
  return path;
}

static void
found_cb (PbiScanner *scanner,
          GPtrArray  *batch,
          ScanResult *result)
{
  g_assert_cmpuint (batch->len, >, 0);
  result->n_batches++;
  result->n_in_batches += batch->len;
  result->max_batch = MAX (result->max_batch, batch->len);
}

static void
scan_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  ScanResult *result = user_data;

  result->entries = pbi_scanner_scan_finish (PBI_SCANNER (object), res, &result->error);
  result->done = TRUE;
}

static void
run_scan (PbiScanner   *scanner,
          GCancellable *cancellable,
          ScanResult   *result)
{
  g_signal_connect (scanner, "found", G_CALLBACK (found_cb), result);
  pbi_scanner_scan_async (scanner, cancellable, scan_cb, result);
  while (!result->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
scan_result_clear (ScanResult *result)
{
  g_clear_pointer (&result->entries, g_ptr_array_unref);
  g_clear_error (&result->error);
}

/* The final sort runs in a GTask thread, which may drop its reference to the
 * scanner a moment after the result was delivered. */
static void
unref_and_assert_finalized (gpointer object)
{
  GWeakRef ref;
  gboolean finalized = FALSE;

  g_weak_ref_init (&ref, object);
  g_object_unref (object);
  for (guint i = 0; i < 2000 && !finalized; i++)
    {
      GObject *alive = g_weak_ref_get (&ref);

      finalized = alive == NULL;
      g_clear_object (&alive);
      if (!finalized)
        g_usleep (1000);
    }
  g_weak_ref_clear (&ref);
  g_assert_true (finalized);
}

static void
test_tree (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GFile) root = g_file_new_for_path (fixture->dir);
  g_autoptr(PbiScanner) scanner = pbi_scanner_new (root, NULL);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *link_loop = g_build_filename (fixture->dir, "b", "c", "loop", NULL);
  g_autofree gchar *link_file = g_build_filename (fixture->dir, "linked.jpg", NULL);
  g_autofree gchar *dangling = g_build_filename (fixture->dir, "dangling.jpg", NULL);
  g_autofree gchar *target = NULL;
  g_autofree gchar *empty_dir = NULL;
  ScanResult result = { 0 };
  const struct {
    const gchar *path;
    gsize        size;
    gboolean     media;
  } files[] = {
    { "top.jpg",              10, TRUE },
    { "TOP2.JPEG",            11, TRUE },
    { "notes.txt",            12, FALSE },
    { ".hidden.jpg",          13, FALSE },
    { "a/one.png",            14, TRUE },
    { "a/one.png.part",       15, FALSE },
    { "a/clip.mov",           16, TRUE },
    { "b/c/deep.heic",        17, TRUE },
    { "b/c/deep.jpg.tmp",     18, FALSE },
    { "b/c/d/deeper.CR2",     19, TRUE },
    { "b/empty.jpg",           0, FALSE },
    { ".thumbnails/t.jpg",    20, FALSE },
    { "b/c/README",           21, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree gchar *path = make_file (fixture, files[i].path, files[i].size);

      if (files[i].media)
        g_ptr_array_add (expected, g_steal_pointer (&path));
    }
  empty_dir = g_build_filename (fixture->dir, "empty-dir", NULL);
  g_assert_cmpint (g_mkdir (empty_dir, 0700), ==, 0);

  /* A link loop back to the root, a link to a photo, a dangling link. */
  g_assert_cmpint (symlink (fixture->dir, link_loop), ==, 0);
  target = g_build_filename (fixture->dir, "a", "one.png", NULL);
  g_assert_cmpint (symlink (target, link_file), ==, 0);
  g_ptr_array_add (expected, g_strdup (link_file));
  g_assert_cmpint (symlink ("/nonexistent/x.jpg", dangling), ==, 0);

  run_scan (scanner, NULL, &result);
  g_assert_no_error (result.error);
  g_assert_nonnull (result.entries);

  for (guint i = 0; i < result.entries->len; i++)
    {
      PbiScanEntry *entry = result.entries->pdata[i];

      g_test_message ("found %s (%" G_GUINT64_FORMAT " bytes)", entry->path, entry->size);
    }

  g_assert_cmpuint (result.entries->len, ==, expected->len);
  g_assert_cmpuint (result.n_in_batches, ==, expected->len);

  for (guint i = 0; i < result.entries->len; i++)
    {
      PbiScanEntry *entry = result.entries->pdata[i];
      GStatBuf st;

      if (i > 0)
        g_assert_cmpint (strcmp (((PbiScanEntry *) result.entries->pdata[i - 1])->path, entry->path), <, 0);

      g_assert_true (g_ptr_array_find_with_equal_func (expected, entry->path, g_str_equal, NULL));
      g_assert_cmpint (g_stat (entry->path, &st), ==, 0);
      g_assert_cmpuint (entry->size, ==, st.st_size);
      g_assert_cmpint (entry->mtime_us / G_USEC_PER_SEC, ==, st.st_mtime);
      g_assert_cmpint (entry->mtime_us % G_USEC_PER_SEC, ==, st.st_mtim.tv_nsec / 1000);
    }

  scan_result_clear (&result);
  unref_and_assert_finalized (g_steal_pointer (&scanner));
}

static void
test_extensions (Fixture       *fixture,
                 gconstpointer  data)
{
  const gchar * const only_png[] = { ".png", NULL };
  g_autoptr(GFile) root = g_file_new_for_path (fixture->dir);
  g_autoptr(PbiScanner) scanner = pbi_scanner_new (root, only_png);
  g_autofree gchar *png = make_file (fixture, "x/y.PNG", 5);
  g_autofree gchar *jpg = make_file (fixture, "x/y.jpg", 5);
  ScanResult result = { 0 };

  run_scan (scanner, NULL, &result);
  g_assert_no_error (result.error);
  g_assert_cmpuint (result.entries->len, ==, 1);
  g_assert_cmpstr (((PbiScanEntry *) result.entries->pdata[0])->path, ==, png);

  scan_result_clear (&result);
}

static void
test_missing_root (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree gchar *missing = g_build_filename (fixture->dir, "nope", NULL);
  g_autofree gchar *file_path = make_file (fixture, "file.jpg", 1);
  g_autoptr(GFile) root = g_file_new_for_path (missing);
  g_autoptr(GFile) file = g_file_new_for_path (file_path);
  g_autoptr(PbiScanner) scanner = pbi_scanner_new (root, NULL);
  g_autoptr(PbiScanner) file_scanner = pbi_scanner_new (file, NULL);
  ScanResult result = { 0 };
  ScanResult file_result = { 0 };

  run_scan (scanner, NULL, &result);
  g_assert_null (result.entries);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (result.error->message, missing));

  run_scan (file_scanner, NULL, &file_result);
  g_assert_null (file_result.entries);
  g_assert_error (file_result.error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);

  scan_result_clear (&result);
  scan_result_clear (&file_result);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GFile) root = g_file_new_for_path (fixture->dir);
  g_autoptr(PbiScanner) scanner = pbi_scanner_new (root, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ScanResult result = { 0 };

  for (guint i = 0; i < 50; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("d%02u/f.jpg", i);
      g_autofree gchar *path = make_file (fixture, name, 1);
    }

  g_cancellable_cancel (cancellable);
  run_scan (scanner, cancellable, &result);
  g_assert_null (result.entries);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  scan_result_clear (&result);
}

typedef struct
{
  gint64 last;
  gint64 max_gap;
  guint  ticks;
} GapProbe;

static gboolean
tick_cb (gpointer user_data)
{
  GapProbe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last != 0)
    probe->max_gap = MAX (probe->max_gap, now - probe->last);
  probe->last = now;
  probe->ticks++;
  return G_SOURCE_CONTINUE;
}

/* 10 000 files while a 1 ms timeout in the same main loop measures stalls. */
static void
test_main_loop_gaps (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GFile) root = g_file_new_for_path (fixture->dir);
  g_autoptr(PbiScanner) scanner = pbi_scanner_new (root, NULL);
  const guint n_dirs = 20, n_per_dir = 500;
  ScanResult result = { 0 };
  GapProbe probe = { 0 };
  gint64 start;
  guint tick;

  for (guint d = 0; d < n_dirs; d++)
    {
      g_autofree gchar *dir = g_strdup_printf ("%s/batch-%02u", fixture->dir, d);

      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      for (guint f = 0; f < n_per_dir; f++)
        {
          g_autofree gchar *path = g_strdup_printf ("%s/IMG_%05u.%s", dir, f,
                                                    f % 10 == 9 ? "txt" : "jpg");

          g_assert_true (g_file_set_contents (path, "x", 1, NULL));
        }
    }

  tick = g_timeout_add (1, tick_cb, &probe);
  start = g_get_monotonic_time ();
  run_scan (scanner, NULL, &result);
  g_source_remove (tick);

  g_assert_no_error (result.error);
  g_assert_cmpuint (result.entries->len, ==, n_dirs * n_per_dir * 9 / 10);
  g_assert_cmpuint (result.max_batch, <=, 100);
  for (guint i = 1; i < result.entries->len; i++)
    g_assert_cmpint (strcmp (((PbiScanEntry *) result.entries->pdata[i - 1])->path,
                             ((PbiScanEntry *) result.entries->pdata[i])->path), <, 0);

  g_test_message ("scanned %u files (%u batches) in %.1f ms; %u ticks; longest main-loop gap %.2f ms",
                  result.entries->len, result.n_batches,
                  (g_get_monotonic_time () - start) / 1000.0, probe.ticks,
                  probe.max_gap / 1000.0);
  g_printerr ("# longest main-loop gap while scanning %u files: %.2f ms\n",
              n_dirs * n_per_dir, probe.max_gap / 1000.0);
#if defined(__SANITIZE_ADDRESS__) || __has_feature (address_sanitizer)
  g_test_message ("sanitizer build: not checking the main-loop gap");
#else
  g_assert_cmpint (probe.max_gap, <, 200 * 1000);
#endif

  scan_result_clear (&result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/pbi/engine/scanner/tree", Fixture, NULL,
              fixture_setup, test_tree, fixture_teardown);
  g_test_add ("/pbi/engine/scanner/extensions", Fixture, NULL,
              fixture_setup, test_extensions, fixture_teardown);
  g_test_add ("/pbi/engine/scanner/missing-root", Fixture, NULL,
              fixture_setup, test_missing_root, fixture_teardown);
  g_test_add ("/pbi/engine/scanner/cancel", Fixture, NULL,
              fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/pbi/engine/scanner/main-loop-gaps", Fixture, NULL,
              fixture_setup, test_main_loop_gaps, fixture_teardown);

  return g_test_run ();
}
