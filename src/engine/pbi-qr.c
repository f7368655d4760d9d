/* pbi-qr.c: a QR code encoded by libqrencode, shown as UTF-8 half blocks,
 * drawn with cairo and written as a PNG
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <qrencode.h>

#include <gio/gio.h>

#include "pbi-qr.h"

/* modules of light margin around the code, as the standard asks */
#define QUIET_ZONE 4

struct _PbiQr
{
  QRcode *code;   /* (owned) */
};

PbiQr *
pbi_qr_new (const gchar  *text,
            GError      **error)
{
  QRcode *code;
  PbiQr *qr;

  g_return_val_if_fail (text != NULL, NULL);
  code = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  if (code == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot make a QR code of that text: %s", g_strerror (saved));
      return NULL;
    }
  qr = g_new0 (PbiQr, 1);
  qr->code = code;
  return qr;
}

void
pbi_qr_free (PbiQr *qr)
{
  if (qr == NULL)
    return;
  QRcode_free (qr->code);
  g_free (qr);
}

guint
pbi_qr_get_size (PbiQr *qr)
{
  return qr->code->width;
}

gboolean
pbi_qr_is_dark (PbiQr *qr,
                guint  x,
                guint  y)
{
  guint w = qr->code->width;

  if (x >= w || y >= w)
    return FALSE;
  return (qr->code->data[y * w + x] & 1) != 0;
}

/* dark or light, the quiet zone counted in */
static gboolean
dark_at (PbiQr *qr,
         gint   x,
         gint   y)
{
  if (x < QUIET_ZONE || y < QUIET_ZONE)
    return FALSE;
  return pbi_qr_is_dark (qr, x - QUIET_ZONE, y - QUIET_ZONE);
}

gchar *
pbi_qr_to_terminal (PbiQr *qr)
{
  gint total = (gint) qr->code->width + 2 * QUIET_ZONE;
  GString *s = g_string_new (NULL);

  for (gint y = 0; y < total; y += 2)
    {
      for (gint x = 0; x < total; x++)
        {
          gboolean top = !dark_at (qr, x, y);
          gboolean bottom = y + 1 < total ? !dark_at (qr, x, y + 1) : FALSE;

          if (top && bottom)
            g_string_append (s, "\u2588");
          else if (top)
            g_string_append (s, "\u2580");
          else if (bottom)
            g_string_append (s, "\u2584");
          else
            g_string_append_c (s, ' ');
        }
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

void
pbi_qr_draw (PbiQr   *qr,
             cairo_t *cr,
             gdouble  x,
             gdouble  y,
             gdouble  size)
{
  guint w = qr->code->width;
  gdouble module = size / (w + 2 * QUIET_ZONE);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x, y, size, size);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint my = 0; my < w; my++)
    for (guint mx = 0; mx < w; mx++)
      if (pbi_qr_is_dark (qr, mx, my))
        cairo_rectangle (cr, x + (mx + QUIET_ZONE) * module, y + (my + QUIET_ZONE) * module,
                         module, module);
  cairo_fill (cr);
  cairo_restore (cr);
}

gboolean
pbi_qr_write_png (PbiQr        *qr,
                  const gchar  *path,
                  guint         pixels,
                  GError      **error)
{
  guint total = qr->code->width + 2 * QUIET_ZONE;
  guint scale = MAX (1, pixels / total);
  guint side = total * scale;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, side, side);
  cr = cairo_create (surface);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  pbi_qr_draw (qr, cr, 0, 0, side);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
