/* test-watcher.c
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pbi-watcher.h"

typedef struct
{
  gchar      *dir;
  gchar      *elsewhere;   /* a second folder on the same file system */
  PbiWatcher *watcher;
  GPtrArray  *ready;       /* paths, in emission order */
  GArray     *sizes;       /* guint64 size of each file when it was emitted */
  GPtrArray  *errors;      /* GError* from ::error */
} Fixture;

static void
file_ready_cb (PbiWatcher *watcher,
               GFile      *file,
               Fixture    *fixture)
{
  g_autofree gchar *path = g_file_get_path (file);
  GStatBuf st;
  guint64 size = G_MAXUINT64;

  if (g_stat (path, &st) == 0)
    size = st.st_size;

  g_test_message ("file-ready %s (%" G_GUINT64_FORMAT " bytes)", path, size);
  g_ptr_array_add (fixture->ready, g_steal_pointer (&path));
  g_array_append_val (fixture->sizes, size);
}

static void
error_cb (PbiWatcher   *watcher,
          const GError *error,
          Fixture      *fixture)
{
  g_test_message ("error: %s", error->message);
  g_ptr_array_add (fixture->errors, g_error_copy (error));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;

  fixture->dir = g_dir_make_tmp ("pbi-watcher-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->elsewhere = g_dir_make_tmp ("pbi-watcher-src-XXXXXX", &error);
  g_assert_no_error (error);

  fixture->ready = g_ptr_array_new_with_free_func (g_free);
  fixture->sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  fixture->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  dir = g_file_new_for_path (fixture->dir);
  fixture->watcher = pbi_watcher_new (dir);
  g_signal_connect (fixture->watcher, "file-ready", G_CALLBACK (file_ready_cb), fixture);
  g_signal_connect (fixture->watcher, "error", G_CALLBACK (error_cb), fixture);
}

static void
remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
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
  g_assert_finalize_object (g_steal_pointer (&fixture->watcher));
  remove_tree (fixture->dir);
  remove_tree (fixture->elsewhere);
  g_free (fixture->dir);
  g_free (fixture->elsewhere);
  g_ptr_array_unref (fixture->ready);
  g_array_unref (fixture->sizes);
  g_ptr_array_unref (fixture->errors);
}

static void
start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pbi_watcher_start (fixture->watcher, &error));
  g_assert_no_error (error);
  g_assert_true (pbi_watcher_get_watching (fixture->watcher));
}

static gboolean
flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds. */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs the main loop until @n files are ready or @ms have passed. */
static gboolean
wait_ready (Fixture *fixture,
            guint    n,
            guint    ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, flag_cb, &timed_out);

  while (fixture->ready->len < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return fixture->ready->len >= n;
}

static gchar *
path_in (const gchar *dir,
         const gchar *name)
{
  return g_build_filename (dir, name, NULL);
}

static void
write_all (int          fd,
           const gchar *data,
           gsize        length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      g_assert_cmpint (n, >, 0);
      data += n;
      length -= n;
    }
}

/* open, write, close: one go */
static void
write_file (const gchar *path,
            gsize        length)
{
  g_autofree gchar *data = g_malloc (MAX (length, 1));
  int fd;

  memset (data, 'x', length);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  write_all (fd, data, length);
  g_assert_cmpint (close (fd), ==, 0);
}

static void
assert_ready (Fixture     *fixture,
              guint        index,
              const gchar *path,
              guint64      size)
{
  g_assert_cmpuint (fixture->ready->len, >, index);
  g_assert_cmpstr (fixture->ready->pdata[index], ==, path);
  g_assert_cmpuint (g_array_index (fixture->sizes, guint64, index), ==, size);
}

static void
test_one_go (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree gchar *path = path_in (fixture->dir, "IMG_0001.JPG");

  start (fixture);
  write_file (path, 300 * 1024);

  g_assert_true (wait_ready (fixture, 1, 5000));
  assert_ready (fixture, 0, path, 300 * 1024);

  /* no second emission, not even after the settle time */
  spin (pbi_watcher_get_settle_ms (fixture->watcher) + 700);
  g_assert_cmpuint (fixture->ready->len, ==, 1);
}

typedef struct
{
  Fixture *fixture;
  int      fd;
  guint    chunks_written;
  guint    ready_before_close;
  gboolean closed;
} ChunkWriter;

#define N_CHUNKS 10
#define CHUNK_SIZE (64 * 1024)

static gboolean
write_chunk_cb (gpointer user_data)
{
  ChunkWriter *writer = user_data;
  g_autofree gchar *chunk = g_malloc (CHUNK_SIZE);

  memset (chunk, '0' + writer->chunks_written, CHUNK_SIZE);
  write_all (writer->fd, chunk, CHUNK_SIZE);
  writer->chunks_written++;

  if (writer->chunks_written < N_CHUNKS)
    return G_SOURCE_CONTINUE;

  writer->ready_before_close = writer->fixture->ready->len;
  g_assert_cmpint (close (writer->fd), ==, 0);
  writer->closed = TRUE;
  return G_SOURCE_REMOVE;
}

/* 10 chunks over 3 s, the file open all along: one emission, after the last
 * chunk, with the final size. */
static void
test_chunks (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree gchar *path = path_in (fixture->dir, "IMG_0002.jpg");
  ChunkWriter writer = { fixture, -1, 0, 0, FALSE };

  start (fixture);
  writer.fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (writer.fd, >=, 0);

  g_timeout_add (300, write_chunk_cb, &writer);
  while (!writer.closed)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (writer.ready_before_close, ==, 0);
  g_assert_true (wait_ready (fixture, 1, 5000));
  assert_ready (fixture, 0, path, N_CHUNKS * CHUNK_SIZE);

  /* past GLib's virtual done-hint (2 s) and our settle time */
  spin (2500);
  g_assert_cmpuint (fixture->ready->len, ==, 1);
}

static void
test_renamed_into_place (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree gchar *tmp = path_in (fixture->dir, "IMG_0003.jpg.tmp");
  g_autofree gchar *path = path_in (fixture->dir, "IMG_0003.jpg");
  g_autofree gchar *path2 = path_in (fixture->dir, "IMG_0004.jpg");
  g_autoptr(GError) error = NULL;

  pbi_watcher_set_settle_ms (fixture->watcher, 500);
  start (fixture);

  write_file (tmp, 4096);
  spin (300);
  g_assert_cmpuint (fixture->ready->len, ==, 0);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);

  g_assert_true (wait_ready (fixture, 1, 5000));
  assert_ready (fixture, 0, path, 4096);

  /* g_file_set_contents() writes a hidden temp file and renames it */
  g_file_set_contents (path2, "0123456789", 10, &error);
  g_assert_no_error (error);
  g_assert_true (wait_ready (fixture, 2, 5000));
  assert_ready (fixture, 1, path2, 10);

  spin (1200);
  g_assert_cmpuint (fixture->ready->len, ==, 2);
}

static void
test_moved_in (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree gchar *outside = path_in (fixture->elsewhere, "IMG_0005.jpg");
  g_autofree gchar *path = path_in (fixture->dir, "IMG_0005.jpg");

  pbi_watcher_set_settle_ms (fixture->watcher, 500);
  write_file (outside, 8192);
  start (fixture);

  g_assert_cmpint (g_rename (outside, path), ==, 0);
  g_assert_true (wait_ready (fixture, 1, 5000));
  assert_ready (fixture, 0, path, 8192);

  spin (1200);
  g_assert_cmpuint (fixture->ready->len, ==, 1);
}

static void
test_ignored (Fixture       *fixture,
              gconstpointer  data)
{
  const gchar *names[] = {
    ".hidden.jpg", "a.tmp", "b.jpg.tmp", "c.jpg.part", "d.jpg.partial",
    "e.jpg.crdownload", "f.jpg~", ".#g.jpg", "h.jpg.swp", "notes.txt", "README",
  };
  const gchar * const only_jpg[] = { ".jpg", NULL };
  g_autofree gchar *subdir = path_in (fixture->dir, "folder.jpg");
  g_autofree gchar *png = path_in (fixture->dir, "i.png");
  g_autofree gchar *jpg = path_in (fixture->dir, "j.jpg");

  pbi_watcher_set_settle_ms (fixture->watcher, 300);
  pbi_watcher_set_extensions (fixture->watcher, only_jpg);
  start (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree gchar *path = path_in (fixture->dir, names[i]);

      write_file (path, 100);
    }
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);
  write_file (png, 100);   /* media by default, but not in this watcher's set */

  spin (1500);
  g_assert_cmpuint (fixture->ready->len, ==, 0);

  /* and the watcher is alive: a real capture still comes through */
  write_file (jpg, 100);
  g_assert_true (wait_ready (fixture, 1, 5000));
  assert_ready (fixture, 0, jpg, 100);
}

/* A writer that never closes: ready once size and mtime settle. */
static void
test_held_open (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree gchar *path = path_in (fixture->dir, "IMG_0006.jpg");
  g_autofree gchar *content = g_strnfill (5000, 'y');
  gint64 written_at;
  gint64 elapsed;
  int fd;

  pbi_watcher_set_settle_ms (fixture->watcher, 600);
  start (fixture);

  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  write_all (fd, content, 2000);
  spin (200);
  write_all (fd, content, 3000);
  written_at = g_get_monotonic_time ();

  g_assert_true (wait_ready (fixture, 1, 5000));
  elapsed = (g_get_monotonic_time () - written_at) / 1000;
  g_test_message ("ready %" G_GINT64_FORMAT " ms after the last write", elapsed);
  g_assert_cmpint (elapsed, >=, 550);     /* not before the settle time */
  assert_ready (fixture, 0, path, 5000);

  /* closing later changes nothing: no second emission */
  g_assert_cmpint (close (fd), ==, 0);
  spin (1000);
  g_assert_cmpuint (fixture->ready->len, ==, 1);
}

/* A camera that creates the file empty, closes it, then writes it. */
static void
test_empty_then_written (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree gchar *path = path_in (fixture->dir, "IMG_0007.jpg");
  g_autofree gchar *empty = path_in (fixture->dir, "IMG_0008.jpg");

  pbi_watcher_set_settle_ms (fixture->watcher, 400);
  start (fixture);

  write_file (path, 0);
  write_file (empty, 0);
  spin (200);
  g_assert_cmpuint (fixture->ready->len, ==, 0);

  write_file (path, 1234);
  g_assert_true (wait_ready (fixture, 1, 5000));
  assert_ready (fixture, 0, path, 1234);

  /* the file that stays empty is never a capture */
  spin (1200);
  g_assert_cmpuint (fixture->ready->len, ==, 1);
}

static void
test_rewritten (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree gchar *path = path_in (fixture->dir, "IMG_0009.jpg");

  pbi_watcher_set_settle_ms (fixture->watcher, 400);
  start (fixture);

  write_file (path, 100);
  g_assert_true (wait_ready (fixture, 1, 5000));
  spin (100);
  write_file (path, 200);
  g_assert_true (wait_ready (fixture, 2, 5000));
  assert_ready (fixture, 0, path, 100);
  assert_ready (fixture, 1, path, 200);
}

static void
test_missing_folder (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree gchar *missing = path_in (fixture->dir, "not-mounted-yet");
  g_autoptr(GFile) file = g_file_new_for_path (missing);
  g_autoptr(PbiWatcher) watcher = pbi_watcher_new (file);
  g_autoptr(GError) error = NULL;

  g_assert_false (pbi_watcher_start (watcher, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_false (pbi_watcher_get_watching (watcher));
}

static void
watching_notify_cb (GObject    *object,
                    GParamSpec *pspec,
                    guint      *count)
{
  (*count)++;
}

/* The folder goes away (card pulled) and comes back. */
static void
test_folder_comes_back (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree gchar *path = path_in (fixture->dir, "IMG_0010.jpg");
  guint notifies = 0;
  gint64 deadline;

  pbi_watcher_set_settle_ms (fixture->watcher, 400);
  g_signal_connect (fixture->watcher, "notify::watching", G_CALLBACK (watching_notify_cb), &notifies);
  start (fixture);
  g_assert_cmpuint (notifies, ==, 1);

  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (fixture->errors->len == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpuint (fixture->errors->len, ==, 1);
  g_assert_error ((GError *) fixture->errors->pdata[0], G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (pbi_watcher_get_watching (fixture->watcher));
  g_assert_cmpuint (notifies, ==, 2);

  g_assert_cmpint (g_mkdir (fixture->dir, 0700), ==, 0);
  deadline = g_get_monotonic_time () + 6 * G_USEC_PER_SEC;
  while (!pbi_watcher_get_watching (fixture->watcher) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_true (pbi_watcher_get_watching (fixture->watcher));
  g_assert_cmpuint (notifies, ==, 3);

  write_file (path, 77);
  g_assert_true (wait_ready (fixture, 1, 5000));
  assert_ready (fixture, 0, path, 77);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) \
  g_test_add ("/pbi/engine/watcher/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("one-go", test_one_go);
  ADD ("chunks", test_chunks);
  ADD ("renamed-into-place", test_renamed_into_place);
  ADD ("moved-in", test_moved_in);
  ADD ("ignored", test_ignored);
  ADD ("held-open", test_held_open);
  ADD ("empty-then-written", test_empty_then_written);
  ADD ("rewritten", test_rewritten);
  ADD ("missing-folder", test_missing_folder);
  ADD ("folder-comes-back", test_folder_comes_back);

#undef ADD

  return g_test_run ();
}
