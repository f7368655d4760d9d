/* pbi-thumbnail-paintable.h: a thumbnail drawn as a cairo surface
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PBI_TYPE_THUMBNAIL_PAINTABLE (pbi_thumbnail_paintable_get_type ())
G_DECLARE_FINAL_TYPE (PbiThumbnailPaintable, pbi_thumbnail_paintable, PBI, THUMBNAIL_PAINTABLE,
                      GObject)

GdkPaintable *pbi_thumbnail_paintable_new (GdkTexture *texture);
GdkPaintable *pbi_thumbnail_paintable_for (GtkWidget  *widget,
                                           GdkTexture *texture);
void          pbi_thumbnail_attach_surface (GdkTexture *texture,
                                            GBytes     *argb32,
                                            gsize       stride);

G_END_DECLS
