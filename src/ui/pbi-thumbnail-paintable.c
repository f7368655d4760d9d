/* pbi-thumbnail-paintable.c: a thumbnail drawn as a cairo surface
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8's cairo renderer (software rendering: a Raspberry Pi without GL,
 * Xvfb) draws a texture node by downloading the texture into a new cairo
 * surface at every frame, and its download converts every pixel through
 * floats even when the texture is already in cairo's own layout
 * (gdk_memory_convert () has no same-format path in 4.8): a fifth of the
 * app's main thread while a sync updates the grid (B11 in
 * docs/BENCHMARKS.md). Under that renderer a cell's thumbnail is drawn
 * from this paintable instead: a cairo image surface made once, sharing
 * the thumbnailer's pixels, painted through a cairo node, which the
 * renderer composites as it is. Under GL the texture itself is drawn (GL
 * uploads a texture once and keeps it).
 */

#include "config.h"

#include "pbi-thumbnail-paintable.h"

struct _PbiThumbnailPaintable
{
  GObject          parent_instance;

  cairo_surface_t *surface;
  gint             width;
  gint             height;
};

static void pbi_thumbnail_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PbiThumbnailPaintable, pbi_thumbnail_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      pbi_thumbnail_paintable_iface_init))

#define SURFACE_KEY "pbi-thumbnail-surface"

static const cairo_user_data_key_t bytes_key;

/**
 * pbi_thumbnail_attach_surface:
 * @texture: a texture made from @argb32
 * @argb32: the texture's pixels, in cairo's ARGB32 (GDK_MEMORY_DEFAULT)
 * @stride: their row stride
 *
 * Keeps a cairo surface over the same pixels with @texture (no copy), for
 * pbi_thumbnail_paintable_new (). Called where the texture is made.
 */
void
pbi_thumbnail_attach_surface (GdkTexture *texture,
                              GBytes     *argb32,
                              gsize       stride)
{
  gint width = gdk_texture_get_width (texture);
  gint height = gdk_texture_get_height (texture);
  cairo_surface_t *surface;

  g_return_if_fail (g_bytes_get_size (argb32) >= stride * height);

  /* cairo never writes to a surface only used as a source */
  surface = cairo_image_surface_create_for_data ((guchar *) g_bytes_get_data (argb32, NULL),
                                                 CAIRO_FORMAT_ARGB32, width, height, stride);
  cairo_surface_set_user_data (surface, &bytes_key, g_bytes_ref (argb32),
                               (cairo_destroy_func_t) g_bytes_unref);
  g_object_set_data_full (G_OBJECT (texture), SURFACE_KEY, surface,
                          (GDestroyNotify) cairo_surface_destroy);
}

/**
 * pbi_thumbnail_paintable_new:
 * @texture: a thumbnail
 *
 * Returns: (transfer full): a paintable drawing @texture from a cairo
 *   surface: the one attached to it, else a copy downloaded once
 */
GdkPaintable *
pbi_thumbnail_paintable_new (GdkTexture *texture)
{
  PbiThumbnailPaintable *self = g_object_new (PBI_TYPE_THUMBNAIL_PAINTABLE, NULL);
  cairo_surface_t *surface = g_object_get_data (G_OBJECT (texture), SURFACE_KEY);

  self->width = gdk_texture_get_width (texture);
  self->height = gdk_texture_get_height (texture);
  if (surface != NULL)
    {
      self->surface = cairo_surface_reference (surface);
    }
  else
    {
      self->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, self->width, self->height);
      gdk_texture_download (texture, cairo_image_surface_get_data (self->surface),
                            cairo_image_surface_get_stride (self->surface));
      cairo_surface_mark_dirty (self->surface);
    }
  return GDK_PAINTABLE (self);
}

/**
 * pbi_thumbnail_paintable_for:
 * @widget: the widget that will show it
 * @texture: a thumbnail
 *
 * Returns: (transfer full): what @widget draws @texture best from: a
 *   #PbiThumbnailPaintable under the cairo renderer, else @texture
 */
GdkPaintable *
pbi_thumbnail_paintable_for (GtkWidget  *widget,
                             GdkTexture *texture)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  if (renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer))
    return pbi_thumbnail_paintable_new (texture);
  return GDK_PAINTABLE (g_object_ref (texture));
}

static void
pbi_thumbnail_paintable_snapshot (GdkPaintable *paintable,
                                  GdkSnapshot  *snapshot,
                                  double        width,
                                  double        height)
{
  PbiThumbnailPaintable *self = PBI_THUMBNAIL_PAINTABLE (paintable);
  cairo_t *cr;

  if (self->width <= 0 || self->height <= 0 || width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (GTK_SNAPSHOT (snapshot),
                                  &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_scale (cr, width / self->width, height / self->height);
  cairo_set_source_surface (cr, self->surface, 0, 0);
  /* as a texture node draws: edges padded, not faded to transparent */
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static gint
pbi_thumbnail_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  return PBI_THUMBNAIL_PAINTABLE (paintable)->width;
}

static gint
pbi_thumbnail_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  return PBI_THUMBNAIL_PAINTABLE (paintable)->height;
}

static GdkPaintableFlags
pbi_thumbnail_paintable_get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_SIZE | GDK_PAINTABLE_STATIC_CONTENTS;
}

static void
pbi_thumbnail_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = pbi_thumbnail_paintable_snapshot;
  iface->get_intrinsic_width = pbi_thumbnail_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = pbi_thumbnail_paintable_get_intrinsic_height;
  iface->get_flags = pbi_thumbnail_paintable_get_flags;
}

static void
pbi_thumbnail_paintable_finalize (GObject *object)
{
  PbiThumbnailPaintable *self = PBI_THUMBNAIL_PAINTABLE (object);

  g_clear_pointer (&self->surface, cairo_surface_destroy);
  G_OBJECT_CLASS (pbi_thumbnail_paintable_parent_class)->finalize (object);
}

static void
pbi_thumbnail_paintable_class_init (PbiThumbnailPaintableClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pbi_thumbnail_paintable_finalize;
}

static void
pbi_thumbnail_paintable_init (PbiThumbnailPaintable *self)
{
}
