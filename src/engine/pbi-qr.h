/* pbi-qr.h: a QR code (libqrencode) for the terminal, a PNG and cairo
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _PbiQr PbiQr;

/* Error correction M: a smudged print still scans. */
PbiQr    *pbi_qr_new           (const gchar  *text,
                                GError      **error);
void      pbi_qr_free          (PbiQr        *qr);
guint     pbi_qr_get_size      (PbiQr        *qr);
gboolean  pbi_qr_is_dark       (PbiQr        *qr,
                                guint         x,
                                guint         y);
/* UTF-8 half blocks, two rows of modules per line, with a quiet zone; light
 * modules are drawn (as qrencode -t UTF8 does), for dark terminals. */
gchar    *pbi_qr_to_terminal   (PbiQr        *qr);
/* Black on white, filling a @size × @size square at (@x, @y), quiet zone
 * included; what the kiosk page draws. */
void      pbi_qr_draw          (PbiQr        *qr,
                                cairo_t      *cr,
                                gdouble       x,
                                gdouble       y,
                                gdouble       size);
gboolean  pbi_qr_write_png     (PbiQr        *qr,
                                const gchar  *path,
                                guint         pixels,
                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiQr, pbi_qr_free)

G_END_DECLS
