/* thumb-bench.c: the app's thumbnailer over a list of photos (benchmark B14)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: thumb-bench SIZE FILE...
 *
 * Asks pbi_thumbnail_load_async() (src/ui/pbi-thumbnailer.c, the grid's
 * thumbnailer) for every FILE at once, the way a screenful of grid cells
 * does: worker threads read the EXIF preview (or decode the photo scaled),
 * save the PNG in the cache under $XDG_CACHE_HOME and hand back a texture
 * on the main loop. Run it with an empty cache. Prints one JSON object:
 * {"seconds": S, "files": N, "failed": F, "per_second": R}.
 */

#include <stdio.h>
#include <stdlib.h>

#include <gexiv2/gexiv2.h>
#include <gtk/gtk.h>

#include "pbi-thumbnailer.h"

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  guint      failed;
} Bench;

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = pbi_thumbnail_load_finish (result, &error);

  if (texture == NULL)
    {
      g_printerr ("%s\n", error->message);
      bench->failed++;
    }
  if (--bench->pending == 0)
    g_main_loop_quit (bench->loop);
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { 0 };
  guint size;
  gint64 t0, t1;

  if (argc < 3)
    {
      g_printerr ("usage: thumb-bench SIZE FILE...\n");
      return 2;
    }
  if (!gexiv2_initialize ())
    return 1;
  size = (guint) atoi (argv[1]);
  bench.loop = g_main_loop_new (NULL, FALSE);
  t0 = g_get_monotonic_time ();
  for (int i = 2; i < argc; i++)
    {
      bench.pending++;
      pbi_thumbnail_load_async (argv[i], size, NULL, loaded_cb, &bench);
    }
  g_main_loop_run (bench.loop);
  t1 = g_get_monotonic_time ();
  printf ("{\"seconds\": %.6f, \"files\": %d, \"failed\": %u, \"per_second\": %.3f}\n",
          (t1 - t0) / 1e6, argc - 2, bench.failed, (argc - 2) / ((t1 - t0) / 1e6));
  g_main_loop_unref (bench.loop);
  return bench.failed == 0 ? 0 : 1;
}
