/* test-hasher.c
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pbi-hasher.h"

typedef struct
{
  gchar *dir;
} Fixture;

typedef struct
{
  guint      pending;
  GPtrArray *results;  /* PbiHashResult* or NULL for an error */
  GPtrArray *errors;   /* GError* or NULL */
} Collect;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pbi-hasher-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (fixture->dir);
  g_autoptr(GFileEnumerator) enumerator = NULL;
  GFileInfo *info;

  enumerator = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (enumerator != NULL &&
         (info = g_file_enumerator_next_file (enumerator, NULL, NULL)) != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

      g_file_delete (child, NULL, NULL);
      g_object_unref (info);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static gchar *
write_file (Fixture      *fixture,
            const gchar  *name,
            const guchar *content,
            gsize         length)
{
  g_autoptr(GError) error = NULL;
  gchar *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, (const gchar *) content, length, &error);
  g_assert_no_error (error);
  return path;
}

static guchar *
pattern (gsize   length,
         guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guchar *data = g_malloc (MAX (length, 1));

  for (gsize i = 0; i < length; i++)
    data[i] = g_rand_int (rand) & 0xff;
  return data;
}

static void
collect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Collect *collect = user_data;
  g_autoptr(GError) error = NULL;
  PbiHashResult *hash;

  hash = pbi_hasher_hash_file_finish (PBI_HASHER (object), result, &error);
  g_ptr_array_add (collect->results, hash);
  g_ptr_array_add (collect->errors, g_steal_pointer (&error));
  collect->pending--;
}

static void
error_free0 (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
collect_init (Collect *collect)
{
  collect->pending = 0;
  collect->results = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_hash_result_free);
  collect->errors = g_ptr_array_new_with_free_func (error_free0);
}

static void
collect_clear (Collect *collect)
{
  g_ptr_array_unref (collect->results);
  g_ptr_array_unref (collect->errors);
}

static gboolean
timeout_fail_cb (gpointer user_data)
{
  g_error ("Test timed out");
  return G_SOURCE_REMOVE;
}

static void
wait_for (Collect *collect)
{
  guint timeout = g_timeout_add_seconds (60, timeout_fail_cb, NULL);

  while (collect->pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

/* A worker may still hold its task (and so the hasher) for a moment after
 * the result has been delivered; wait for the last reference to go. */
static void
unref_and_assert_finalized (PbiHasher *hasher)
{
  GWeakRef ref;
  gboolean finalized = FALSE;

  g_weak_ref_init (&ref, hasher);
  g_object_unref (hasher);
  for (guint i = 0; i < 2000 && !finalized; i++)
    {
      GObject *object = g_weak_ref_get (&ref);

      finalized = object == NULL;
      g_clear_object (&object);
      if (!finalized)
        g_usleep (1000);
    }
  g_weak_ref_clear (&ref);
  g_assert_true (finalized);
}

static gchar *
sha1sum_of (const gchar *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = NULL;
  gint status = 0;
  const gchar *argv[] = { "sha1sum", path, NULL };

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, &error))
    return NULL;
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpuint (strlen (out), >, 40);
  return g_strndup (out, 40);
}

static void
test_known_content (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(PbiHasher) hasher = pbi_hasher_new (0);
  /* sizes around the 1 MiB read buffer, and empty */
  const gsize sizes[] = { 0, 3, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 5 * 1024 * 1024 + 77 };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *sha1sum_path = NULL;
  Collect collect;
  gboolean have_sha1sum;

  g_assert_cmpuint (pbi_hasher_get_n_workers (hasher), ==, MAX (1, g_get_num_processors ()));
  collect_init (&collect);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guchar *content = pattern (sizes[i], i + 1);
      g_autofree gchar *name = g_strdup_printf ("file-%u.jpg", i);

      g_ptr_array_add (paths, write_file (fixture, name, content, sizes[i]));
      g_ptr_array_add (expected, g_compute_checksum_for_data (G_CHECKSUM_SHA1, content, sizes[i]));
      collect.pending++;
      pbi_hasher_hash_file_async (hasher, paths->pdata[i], PBI_HASHER_FLAGS_NONE,
                                  NULL, collect_cb, &collect);
    }
  wait_for (&collect);

  /* The well-known digest of "abc" written by hand, independent of GChecksum. */
  {
    g_autofree gchar *abc = write_file (fixture, "abc.jpg", (const guchar *) "abc", 3);

    collect.pending++;
    pbi_hasher_hash_file_async (hasher, abc, PBI_HASHER_FLAGS_NONE, NULL, collect_cb, &collect);
    wait_for (&collect);
    g_assert_no_error (collect.errors->pdata[G_N_ELEMENTS (sizes)]);
    g_assert_cmpstr (((PbiHashResult *) collect.results->pdata[G_N_ELEMENTS (sizes)])->sha1, ==,
                     "a9993e364706816aba3e25717850c26c9cd0d89d");
  }

  sha1sum_path = g_find_program_in_path ("sha1sum");
  have_sha1sum = sha1sum_path != NULL;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      PbiHashResult *hash = NULL;
      GStatBuf st;

      /* results arrive in completion order: find this file's */
      for (guint j = 0; j < G_N_ELEMENTS (sizes); j++)
        {
          g_assert_no_error (collect.errors->pdata[j]);
          if (g_strcmp0 (((PbiHashResult *) collect.results->pdata[j])->path, paths->pdata[i]) == 0)
            hash = collect.results->pdata[j];
        }
      g_assert_nonnull (hash);
      g_assert_cmpstr (hash->sha1, ==, expected->pdata[i]);
      g_assert_cmpuint (hash->size, ==, sizes[i]);
      g_assert_null (hash->capture_date);
      g_assert_cmpint (g_stat (paths->pdata[i], &st), ==, 0);
      g_assert_cmpint (hash->mtime_us / G_USEC_PER_SEC, ==, st.st_mtime);

      if (have_sha1sum)
        {
          g_autofree gchar *ref = sha1sum_of (paths->pdata[i]);

          g_assert_cmpstr (hash->sha1, ==, ref);
        }
    }

  collect_clear (&collect);
  unref_and_assert_finalized (g_steal_pointer (&hasher));
}

static void
hash_hex_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  gchar **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pbi_hasher_hash_finish (PBI_HASHER (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static void
test_hex_api (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(PbiHasher) hasher = pbi_hasher_new (1);
  g_autofree gchar *path = write_file (fixture, "x.jpg", (const guchar *) "hello\n", 6);
  g_autofree gchar *hex = NULL;

  pbi_hasher_hash_async (hasher, path, NULL, hash_hex_cb, &hex);
  while (hex == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (hex, ==, "f572d396fae9206628714fb2ce00f72e94f2258f");

  unref_and_assert_finalized (g_steal_pointer (&hasher));
}

static void
test_vanished (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(PbiHasher) hasher = pbi_hasher_new (2);
  g_autofree gchar *path = write_file (fixture, "gone.jpg", (const guchar *) "x", 1);
  g_autofree gchar *dir_path = g_build_filename (fixture->dir, "folder.jpg", NULL);
  const GError *error;
  Collect collect;

  collect_init (&collect);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_mkdir (dir_path, 0700), ==, 0);

  collect.pending = 2;
  pbi_hasher_hash_file_async (hasher, path, PBI_HASHER_FLAGS_NONE, NULL, collect_cb, &collect);
  pbi_hasher_hash_file_async (hasher, dir_path, PBI_HASHER_FLAGS_NONE, NULL, collect_cb, &collect);
  wait_for (&collect);

  for (guint i = 0; i < 2; i++)
    {
      PbiHashResult *hash = collect.results->pdata[i];

      error = collect.errors->pdata[i];
      g_assert_null (hash);
      g_assert_nonnull (error);
      g_assert_true (error->domain == G_IO_ERROR);
      g_test_message ("error: %s", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_assert_nonnull (strstr (error->message, path));
      else
        {
          /* reading a folder fails with EISDIR at open or NOT_REGULAR_FILE */
          g_assert_nonnull (strstr (error->message, dir_path));
        }
    }
  g_assert_true (g_error_matches (collect.errors->pdata[0], G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
                 g_error_matches (collect.errors->pdata[1], G_IO_ERROR, G_IO_ERROR_NOT_FOUND));

  g_rmdir (dir_path);
  collect_clear (&collect);
  unref_and_assert_finalized (g_steal_pointer (&hasher));
}

static void
test_parallel_many (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(PbiHasher) hasher = pbi_hasher_new (0);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const guint n_files = 200;
  Collect collect;

  collect_init (&collect);

  for (guint i = 0; i < n_files; i++)
    {
      gsize length = (i * 7919) % (300 * 1024) + i;
      g_autofree guchar *content = pattern (length, 1000 + i);
      g_autofree gchar *name = g_strdup_printf ("p%03u.jpg", i);
      g_autofree gchar *path = write_file (fixture, name, content, length);

      g_hash_table_insert (expected, g_strdup (path),
                           g_compute_checksum_for_data (G_CHECKSUM_SHA1, content, length));
      collect.pending++;
      pbi_hasher_hash_file_async (hasher, path, PBI_HASHER_FLAGS_NONE, NULL, collect_cb, &collect);
    }
  wait_for (&collect);

  g_assert_cmpuint (collect.results->len, ==, n_files);
  for (guint i = 0; i < n_files; i++)
    {
      PbiHashResult *hash = collect.results->pdata[i];

      g_assert_no_error (collect.errors->pdata[i]);
      g_assert_cmpstr (hash->sha1, ==, g_hash_table_lookup (expected, hash->path));
      g_assert_true (g_hash_table_remove (expected, hash->path));
    }
  g_assert_cmpuint (g_hash_table_size (expected), ==, 0);

  collect_clear (&collect);
  unref_and_assert_finalized (g_steal_pointer (&hasher));
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(PbiHasher) hasher = pbi_hasher_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) other = g_cancellable_new ();
  const gsize length = 64 * 1024 * 1024;
  g_autofree guchar *content = g_malloc0 (length);
  g_autofree gchar *big = write_file (fixture, "big.jpg", content, length);
  g_autofree gchar *small = write_file (fixture, "small.jpg", (const guchar *) "abc", 3);
  Collect collect;
  guint n_cancelled = 0;

  collect_init (&collect);

  /* One worker: the big file is being read when we cancel, the queued ones
   * never start; a job with another cancellable still completes. */
  collect.pending = 5;
  pbi_hasher_hash_file_async (hasher, big, PBI_HASHER_FLAGS_NONE, cancellable, collect_cb, &collect);
  pbi_hasher_hash_file_async (hasher, big, PBI_HASHER_FLAGS_NONE, cancellable, collect_cb, &collect);
  pbi_hasher_hash_file_async (hasher, small, PBI_HASHER_FLAGS_NONE, cancellable, collect_cb, &collect);
  pbi_hasher_hash_file_async (hasher, big, PBI_HASHER_FLAGS_NONE, cancellable, collect_cb, &collect);
  pbi_hasher_hash_file_async (hasher, small, PBI_HASHER_FLAGS_NONE, other, collect_cb, &collect);
  g_usleep (20 * 1000);
  g_cancellable_cancel (cancellable);
  wait_for (&collect);

  for (guint i = 0; i < collect.results->len; i++)
    {
      PbiHashResult *hash = collect.results->pdata[i];

      if (g_error_matches (collect.errors->pdata[i], G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_assert_null (hash);
          n_cancelled++;
        }
      else
        {
          g_assert_no_error (collect.errors->pdata[i]);
          g_assert_cmpstr (hash->path, ==, small);
          g_assert_cmpstr (hash->sha1, ==, "a9993e364706816aba3e25717850c26c9cd0d89d");
        }
    }
  g_assert_cmpuint (n_cancelled, ==, 4);

  collect_clear (&collect);
  unref_and_assert_finalized (g_steal_pointer (&hasher));
}

/* Results come back on the thread-default context of the caller. */
typedef struct
{
  gchar        *path;
  GMainContext *context;
  gboolean      right_context;
  gboolean      done;
} ThreadData;

static void
thread_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ThreadData *td = user_data;
  g_autofree gchar *hex = pbi_hasher_hash_finish (PBI_HASHER (object), result, NULL);

  td->right_context = g_main_context_get_thread_default () == td->context &&
                      g_main_context_is_owner (td->context) &&
                      g_strcmp0 (hex, "a9993e364706816aba3e25717850c26c9cd0d89d") == 0;
  td->done = TRUE;
}

static gpointer
thread_func (gpointer user_data)
{
  ThreadData *td = user_data;
  g_autoptr(PbiHasher) hasher = pbi_hasher_new (1);

  td->context = g_main_context_new ();
  g_main_context_push_thread_default (td->context);
  pbi_hasher_hash_async (hasher, td->path, NULL, thread_cb, td);
  while (!td->done)
    g_main_context_iteration (td->context, TRUE);
  g_main_context_pop_thread_default (td->context);
  g_clear_object (&hasher);
  g_main_context_unref (td->context);
  return NULL;
}

static void
test_caller_context (Fixture       *fixture,
                     gconstpointer  data)
{
  ThreadData td = { 0 };
  GThread *thread;

  td.path = write_file (fixture, "abc.jpg", (const guchar *) "abc", 3);
  thread = g_thread_new ("caller", thread_func, &td);
  g_thread_join (thread);
  g_assert_true (td.done);
  g_assert_true (td.right_context);
  g_free (td.path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/pbi/engine/hasher/known-content", Fixture, NULL,
              fixture_setup, test_known_content, fixture_teardown);
  g_test_add ("/pbi/engine/hasher/hex-api", Fixture, NULL,
              fixture_setup, test_hex_api, fixture_teardown);
  g_test_add ("/pbi/engine/hasher/vanished", Fixture, NULL,
              fixture_setup, test_vanished, fixture_teardown);
  g_test_add ("/pbi/engine/hasher/parallel-many", Fixture, NULL,
              fixture_setup, test_parallel_many, fixture_teardown);
  g_test_add ("/pbi/engine/hasher/cancel", Fixture, NULL,
              fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/pbi/engine/hasher/caller-context", Fixture, NULL,
              fixture_setup, test_caller_context, fixture_teardown);

  return g_test_run ();
}
