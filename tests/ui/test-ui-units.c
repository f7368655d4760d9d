/* test-ui-units.c: the app's pieces that need no display: PIN hashing, times in words
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gexiv2/gexiv2.h>
#include <glib/gstdio.h>

#include "pbi-kiosk.h"
#include "pbi-thumbnail-paintable.h"
#include "pbi-thumbnailer.h"
#include "pbi-ui-format.h"

static void
test_pin_hash (void)
{
  g_autofree gchar *stored = pbi_kiosk_pin_hash ("4711", NULL);
  g_autofree gchar *again = pbi_kiosk_pin_hash ("4711", NULL);
  g_autofree gchar *fixed = pbi_kiosk_pin_hash ("4711", "0123456789abcdef");

  /* the PIN itself is nowhere in what is stored; salts differ */
  g_assert_true (g_str_has_prefix (stored, "sha256$"));
  g_assert_null (strstr (stored, "4711"));
  g_assert_cmpstr (stored, !=, again);
  g_assert_true (pbi_kiosk_pin_check (stored, "4711"));
  g_assert_true (pbi_kiosk_pin_check (again, "4711"));
  g_assert_false (pbi_kiosk_pin_check (stored, "4712"));
  g_assert_false (pbi_kiosk_pin_check (stored, ""));
  g_assert_false (pbi_kiosk_pin_check (stored, NULL));
  /* the same form the UI tests compute by hand: sha256 of "SALT$PIN" */
  g_assert_cmpstr (fixed, ==, "sha256$0123456789abcdef$"
                   "802df67ab5738d32f951e25efea7ed76daee8e1f24da7ee53c97e5a600afba5e");
}

static void
test_pin_plain_and_none (void)
{
  /* typed in with the sqlite3 shell */
  g_assert_true (pbi_kiosk_pin_check ("2468", "2468"));
  g_assert_false (pbi_kiosk_pin_check ("2468", "246"));
  g_assert_false (pbi_kiosk_pin_check ("2468", "24680"));
  /* no PIN set: open */
  g_assert_true (pbi_kiosk_pin_check ("", "anything"));
  g_assert_true (pbi_kiosk_pin_check (NULL, NULL));
}

static void
test_time_ago (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 6, 15, 14, 30, 0);
  struct { gint64 seconds_before; const gchar *expected; } cases[] = {
    { 5, "just now" },
    { 60, "1 minute ago" },
    { 150, "2 minutes ago" },
    { 3600 * 3, "3 hours ago" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) then = g_date_time_add_seconds (now, -cases[i].seconds_before);
      g_autofree gchar *text = pbi_format_time_ago (then, now);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
  {
    g_autoptr(GDateTime) yesterday = g_date_time_new_local (2026, 6, 14, 9, 5, 0);
    g_autofree gchar *text = pbi_format_time_ago (yesterday, now);

    g_assert_true (g_str_has_prefix (text, "yesterday at "));
  }
}

static void
test_time_left_and_rate (void)
{
  g_autofree gchar *unknown = pbi_format_time_left (-1);
  g_autofree gchar *secs = pbi_format_time_left (42);
  g_autofree gchar *mins = pbi_format_time_left (290);
  g_autofree gchar *hours = pbi_format_time_left (7200);
  g_autofree gchar *rate = pbi_format_rate (3400000);

  g_assert_null (unknown);
  g_assert_cmpstr (secs, ==, "42 seconds left");
  g_assert_cmpstr (mins, ==, "about 5 minutes left");
  g_assert_cmpstr (hours, ==, "about 2 hours left");
  g_assert_cmpstr (rate, ==, "3.4\u00a0MB/s");
}

/* A 400x200 JPEG whose EXIF says "rotate 90° clockwise to show". */
static gchar *
make_rotated_photo (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 400, 200);
  g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new ();
  g_autoptr(GError) error = NULL;
  gchar *path = g_build_filename (g_get_user_cache_dir (), "rotated.jpg", NULL);

  gdk_pixbuf_fill (pixbuf, 0x3366ccff);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "jpeg", &error, NULL));
  g_assert_true (gexiv2_metadata_open_path (meta, path, &error));
  gexiv2_metadata_try_set_orientation (meta, GEXIV2_ORIENTATION_ROT_90, &error);
  g_assert_no_error (error);
  g_assert_true (gexiv2_metadata_save_file (meta, path, &error));
  return path;
}

static void
test_thumbnail_orientation (void)
{
  g_autofree gchar *path = make_rotated_photo ();
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GError) error = NULL;

  thumb = pbi_thumbnail_make (path, 100, NULL, &error);
  g_assert_no_error (error);
  /* upright: the 2:1 landscape file shows as a 1:2 portrait, 100 px long */
  g_assert_cmpint (gdk_pixbuf_get_width (thumb), ==, 50);
  g_assert_cmpint (gdk_pixbuf_get_height (thumb), ==, 100);
}

/* A camera JPEG: a blue 400x200 picture with a red 160x80 EXIF preview
 * (cameras store both unrotated), and the EXIF "rotate 90° clockwise". */
static void
test_thumbnail_from_exif_preview (void)
{
  g_autofree gchar *path = make_rotated_photo ();
  g_autofree gchar *small = g_build_filename (g_get_user_cache_dir (), "small.jpg", NULL);
  g_autoptr(GdkPixbuf) preview = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 160, 80);
  g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new ();
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GError) error = NULL;
  const guchar *pixels;

  gdk_pixbuf_fill (preview, 0xdd2222ff);
  g_assert_true (gdk_pixbuf_save (preview, small, "jpeg", &error, NULL));
  g_assert_true (gexiv2_metadata_open_path (meta, path, &error));
  gexiv2_metadata_set_exif_thumbnail_from_file (meta, small, &error);
  g_assert_no_error (error);
  g_assert_true (gexiv2_metadata_save_file (meta, path, &error));

  thumb = pbi_thumbnail_make (path, 64, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (thumb), ==, 32);
  g_assert_cmpint (gdk_pixbuf_get_height (thumb), ==, 64);
  /* red: made from the preview, not from the blue picture */
  pixels = gdk_pixbuf_read_pixels (thumb) + 32 * gdk_pixbuf_get_rowstride (thumb) + 16 * 3;
  g_assert_cmpuint (pixels[0], >, 180);
  g_assert_cmpuint (pixels[2], <, 80);
  g_clear_object (&thumb);

  /* asked for more than the preview has: the preview's own size, not a
   * blown-up copy (4× the memory, and the software renderer scales it
   * down again at every frame) */
  thumb = pbi_thumbnail_make (path, 320, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (thumb), ==, 80);
  g_assert_cmpint (gdk_pixbuf_get_height (thumb), ==, 160);
}

static void
thumbnail_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GdkTexture **texture = user_data;
  g_autoptr(GError) error = NULL;

  *texture = pbi_thumbnail_load_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_thumbnail_cached_privately (void)
{
  g_autofree gchar *path = make_rotated_photo ();
  g_autofree gchar *dir = pbi_thumbnail_cache_dir ();
  g_autoptr(GDir) listing = NULL;
  GdkTexture *texture = NULL;
  GStatBuf st;
  guint n = 0;

  pbi_thumbnail_load_async (path, 64, NULL, thumbnail_cb, &texture);
  while (texture == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 32);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 64);
  g_clear_object (&texture);

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n++;
  g_assert_cmpuint (n, ==, 1);

  /* the second time comes from the cache, the same picture */
  pbi_thumbnail_load_async (path, 64, NULL, thumbnail_cb, &texture);
  while (texture == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 64);
  g_clear_object (&texture);
}

/* The pixel at (x, y) of a cairo ARGB32 surface, as 0xRRGGBB (opaque) */
static guint32
pixel_at (cairo_surface_t *surface,
          gint             x,
          gint             y)
{
  const guint8 *row = cairo_image_surface_get_data (surface) +
                      (gsize) y * cairo_image_surface_get_stride (surface);

  return ((const guint32 *) (gconstpointer) row)[x] & 0xffffff;
}

/* Under GTK 4.8's cairo renderer a cell draws its thumbnail through
 * PbiThumbnailPaintable (no per-frame conversion): the same picture, the
 * right way round, filling the size it is drawn at. */
static void
test_thumbnail_paintable_draws_the_picture (void)
{
  static const guint32 quadrants[] = { 0xff0000, 0x00ff00, 0x0000ff, 0xffffff };
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 200, 100);
  g_autofree gchar *path = g_build_filename (g_get_user_cache_dir (), "quadrants.png", NULL);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GdkTexture *texture = NULL;
  GtkSnapshot *snapshot;
  cairo_surface_t *surface;
  cairo_t *cr;

  /* red, green / blue, white */
  for (guint q = 0; q < 4; q++)
    {
      g_autoptr(GdkPixbuf) part = gdk_pixbuf_new_subpixbuf (pixbuf, (q % 2) * 100, (q / 2) * 50,
                                                             100, 50);
      gdk_pixbuf_fill (part, quadrants[q] << 8 | 0xff);
    }
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  pbi_thumbnail_load_async (path, 100, NULL, thumbnail_cb, &texture);
  while (texture == NULL)
    g_main_context_iteration (NULL, TRUE);

  paintable = pbi_thumbnail_paintable_new (texture);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, 100);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, 50);

  /* drawn at twice its size, as a cell scales it (the render node types
   * are registered by the first call for one: gtk_init () is not needed) */
  g_type_ensure (GSK_TYPE_CAIRO_NODE);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, 200, 100);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 200, 100);
  cr = cairo_create (surface);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  for (guint q = 0; q < 4; q++)
    g_assert_cmphex (pixel_at (surface, (q % 2) * 100 + 50, (q / 2) * 50 + 25), ==, quadrants[q]);
  /* the corners too: filled to the edge */
  g_assert_cmphex (pixel_at (surface, 0, 0), ==, quadrants[0]);
  g_assert_cmphex (pixel_at (surface, 199, 99), ==, quadrants[3]);
  cairo_surface_destroy (surface);
  g_clear_object (&texture);
}

static guint
count_entries (const gchar *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (listing != NULL && g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

/* A thumbnail made from the EXIF preview is not written to the cache:
 * making it again is cheaper than reading a PNG (benchmark B14). */
static void
test_thumbnail_preview_not_cached (void)
{
  g_autofree gchar *path = make_rotated_photo ();
  g_autofree gchar *small = g_build_filename (g_get_user_cache_dir (), "small2.jpg", NULL);
  g_autofree gchar *dir = pbi_thumbnail_cache_dir ();
  g_autoptr(GdkPixbuf) preview = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 160, 80);
  g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new ();
  g_autoptr(GError) error = NULL;
  GdkTexture *texture = NULL;
  guint before = count_entries (dir);
  g_autofree guint32 *pixels = g_new0 (guint32, 32 * 64);

  gdk_pixbuf_fill (preview, 0xdd2222ff);
  g_assert_true (gdk_pixbuf_save (preview, small, "jpeg", &error, NULL));
  g_assert_true (gexiv2_metadata_open_path (meta, path, &error));
  gexiv2_metadata_set_exif_thumbnail_from_file (meta, small, &error);
  g_assert_no_error (error);
  g_assert_true (gexiv2_metadata_save_file (meta, path, &error));

  pbi_thumbnail_load_async (path, 64, NULL, thumbnail_cb, &texture);
  while (texture == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 32);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 64);
  /* the texture (converted for the renderer) shows the red preview, opaque */
  gdk_texture_download (texture, (guchar *) pixels, 32 * 4);
  g_assert_cmpuint (pixels[32 * 32 + 16] >> 24, ==, 255);
  g_assert_cmpuint ((pixels[32 * 32 + 16] >> 16) & 0xff, >, 180);
  g_assert_cmpuint (pixels[32 * 32 + 16] & 0xff, <, 80);
  g_clear_object (&texture);
  g_assert_cmpuint (count_entries (dir), ==, before);
}

static void
test_pin_valid (void)
{
  g_assert_true (pbi_kiosk_pin_is_valid ("1234"));
  g_assert_true (pbi_kiosk_pin_is_valid ("123456789012"));
  g_assert_false (pbi_kiosk_pin_is_valid ("123"));
  g_assert_false (pbi_kiosk_pin_is_valid ("1234567890123"));
  g_assert_false (pbi_kiosk_pin_is_valid ("12a4"));
  g_assert_false (pbi_kiosk_pin_is_valid (""));
  g_assert_false (pbi_kiosk_pin_is_valid (NULL));
}

int
main (int    argc,
      char **argv)
{
  g_autofree gchar *cache = g_dir_make_tmp ("pbi-ui-units-XXXXXX", NULL);

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  /* not G_TEST_OPTION_ISOLATE_DIRS: gdk-pixbuf needs the system's MIME
   * database (XDG_DATA_DIRS); only the cache is private */
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_test_init (&argc, &argv, NULL);
  gexiv2_initialize ();

  g_test_add_func ("/pbi/ui/kiosk/pin-hash", test_pin_hash);
  g_test_add_func ("/pbi/ui/kiosk/pin-plain-and-none", test_pin_plain_and_none);
  g_test_add_func ("/pbi/ui/kiosk/pin-valid", test_pin_valid);
  g_test_add_func ("/pbi/ui/format/time-ago", test_time_ago);
  g_test_add_func ("/pbi/ui/format/time-left-and-rate", test_time_left_and_rate);
  g_test_add_func ("/pbi/ui/thumbnail/orientation", test_thumbnail_orientation);
  g_test_add_func ("/pbi/ui/thumbnail/from-exif-preview", test_thumbnail_from_exif_preview);
  g_test_add_func ("/pbi/ui/thumbnail/cached-privately", test_thumbnail_cached_privately);
  g_test_add_func ("/pbi/ui/thumbnail/preview-not-cached", test_thumbnail_preview_not_cached);
  g_test_add_func ("/pbi/ui/thumbnail/paintable-draws-the-picture",
                   test_thumbnail_paintable_draws_the_picture);
  return g_test_run ();
}
