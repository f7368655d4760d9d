/* pbi-test-photo.c: the sample photo Test Upload sends (made off the main thread)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <pango/pangocairo.h>

#include "pbi-test-photo.h"

static void
draw_text (cairo_t     *cr,
           const gchar *text,
           const gchar *font,
           double       y)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) desc = pango_font_description_from_string (font);
  int w, h;

  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, (PBI_TEST_PHOTO_WIDTH - w) / 2.0, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
}

/* Cairo's ARGB32 (premultiplied, native endian, opaque here) to RGB bytes. */
static GdkPixbuf *
pixbuf_from_surface (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int src_stride = cairo_image_surface_get_stride (surface);
  const guchar *src = cairo_image_surface_get_data (surface);
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int dst_stride = gdk_pixbuf_get_rowstride (pixbuf);
  guchar *dst = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    {
      const guint32 *s = (const guint32 *) (gconstpointer) (src + y * src_stride);
      guchar *d = dst + y * dst_stride;

      for (int x = 0; x < width; x++)
        {
          d[3 * x + 0] = (s[x] >> 16) & 0xff;
          d[3 * x + 1] = (s[x] >> 8) & 0xff;
          d[3 * x + 2] = s[x] & 0xff;
        }
    }
  return pixbuf;
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GDateTime *when = task_data;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_pattern_t *gradient;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *date = g_date_time_format (when, "%x");
  g_autofree gchar *time = g_date_time_format (when, "%X");
  g_autofree gchar *stamp = g_date_time_format (when, "%Y%m%d-%H%M%S");
  g_autofree gchar *dir = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *path = NULL;

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, PBI_TEST_PHOTO_WIDTH,
                                        PBI_TEST_PHOTO_HEIGHT);
  cr = cairo_create (surface);
  gradient = cairo_pattern_create_linear (0, 0, PBI_TEST_PHOTO_WIDTH, PBI_TEST_PHOTO_HEIGHT);
  cairo_pattern_add_color_stop_rgb (gradient, 0, 0.21, 0.52, 0.89);   /* GNOME blue 3 */
  cairo_pattern_add_color_stop_rgb (gradient, 1, 0.57, 0.25, 0.67);   /* purple 3 */
  cairo_set_source (cr, gradient);
  cairo_paint (cr);
  cairo_pattern_destroy (gradient);

  cairo_set_source_rgba (cr, 1, 1, 1, 0.18);
  cairo_rectangle (cr, 80, 80, PBI_TEST_PHOTO_WIDTH - 160, PBI_TEST_PHOTO_HEIGHT - 160);
  cairo_fill (cr);

  cairo_set_source_rgb (cr, 1, 1, 1);
  /* Translators: drawn on the sample photo Test Upload sends */
  draw_text (cr, _("PhotoBooth Immich Sync"), "Sans Bold 56", 260);
  draw_text (cr, _("Test photo"), "Sans 40", 360);
  draw_text (cr, date, "Sans Bold 64", 500);
  draw_text (cr, time, "Sans 48", 600);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  pixbuf = pixbuf_from_surface (surface);
  cairo_surface_destroy (surface);

  dir = g_dir_make_tmp ("pbi-test-upload-XXXXXX", &error);
  if (dir == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  name = g_strdup_printf ("photobooth-immich-test-%s.jpg", stamp);
  path = g_build_filename (dir, name, NULL);
  if (!gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality", "90", NULL))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&path), g_free);
}

/**
 * pbi_test_photo_create_async:
 * @when: the date and time to draw on the photo
 * @cancellable: (nullable): to stop
 * @callback: called with the file's path
 * @user_data: for @callback
 *
 * Draws a 1200×800 card with @when on it and saves it as a JPEG in a new
 * temporary folder, in a worker thread.
 */
void
pbi_test_photo_create_async (GDateTime           *when,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pbi_test_photo_create_async);
  g_task_set_task_data (task, g_date_time_ref (when), (GDestroyNotify) g_date_time_unref);
  g_task_run_in_thread (task, create_thread);
}

/**
 * pbi_test_photo_create_finish:
 *
 * Returns: (transfer full): the JPEG's path, or %NULL with @error set
 */
gchar *
pbi_test_photo_create_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
