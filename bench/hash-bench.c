/* hash-bench.c: time PbiHasher over a list of files (benchmark B3)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: hash-bench N_WORKERS FILE...
 *
 * Hashes every FILE with pbi_hasher_hash_async() on a PbiHasher with
 * N_WORKERS threads (0 = one per core), the way the engine does: every file
 * is queued at once and the results come back on the main loop. Prints one
 * JSON object: {"seconds": S, "bytes": B, "files": N, "workers": W,
 * "max_stall_ms": M}, where max_stall_ms is the longest gap of a 5 ms
 * main-loop tick while hashing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <gio/gio.h>

#include "pbi-hasher.h"

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  guint      failed;
  gint64     last_tick;
  gint64     max_gap;
} Bench;

static void
hashed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *sha1 = NULL;

  sha1 = pbi_hasher_hash_finish (PBI_HASHER (source), result, &error);
  if (sha1 == NULL)
    {
      g_printerr ("hash-bench: %s\n", error->message);
      bench->failed++;
    }
  if (--bench->pending == 0)
    g_main_loop_quit (bench->loop);
}

static gboolean
tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();

  if (bench->last_tick != 0)
    bench->max_gap = MAX (bench->max_gap, now - bench->last_tick - 5000);
  bench->last_tick = now;
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PbiHasher) hasher = NULL;
  Bench bench = { 0 };
  guint64 bytes = 0;
  gint64 start;
  gint64 end;
  guint tick;

  if (argc < 3)
    {
      g_printerr ("Usage: hash-bench N_WORKERS FILE...\n");
      return 2;
    }

  hasher = pbi_hasher_new ((guint) g_ascii_strtoull (argv[1], NULL, 10));
  bench.loop = g_main_loop_new (NULL, FALSE);
  for (gint i = 2; i < argc; i++)
    {
      struct stat st;

      if (stat (argv[i], &st) == 0)
        bytes += (guint64) st.st_size;
    }

  tick = g_timeout_add (5, tick_cb, &bench);
  start = g_get_monotonic_time ();
  for (gint i = 2; i < argc; i++)
    {
      bench.pending++;
      pbi_hasher_hash_async (hasher, argv[i], NULL, hashed_cb, &bench);
    }
  g_main_loop_run (bench.loop);
  end = g_get_monotonic_time ();
  g_source_remove (tick);

  printf ("{\"seconds\": %.6f, \"bytes\": %" G_GUINT64_FORMAT ", \"files\": %d, "
          "\"workers\": %u, \"failed\": %u, \"max_stall_ms\": %.3f}\n",
          (end - start) / 1e6, bytes, argc - 2, pbi_hasher_get_n_workers (hasher),
          bench.failed, MAX (bench.max_gap, 0) / 1000.0);
  g_main_loop_unref (bench.loop);
  return bench.failed == 0 ? 0 : 1;
}
