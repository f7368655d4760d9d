/* pbi-thumbnailer.c: thumbnails made off the main thread, cached on disk
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A camera JPEG carries a small preview in its EXIF data: decoding that is
 * far cheaper than the full picture, so it is used when present (through
 * gexiv2, with the EXIF orientation applied by hand, as the preview is
 * stored unrotated). Anything else is decoded scaled by gdk-pixbuf, which
 * applies the orientation itself. A thumbnail decoded from the picture is
 * saved as a PNG under $XDG_CACHE_HOME/photobooth-immich-sync/thumbnails
 * (mode 0700), named by the file's path, size and modification time, so a
 * changed photo gets a new one; one made from the EXIF preview is not
 * (benchmark B14, a 24 MP camera JPEG: the preview takes 1–2 ms, reading a
 * cached PNG 2–3 ms, writing it 6 ms at zlib level 1, 35 ms at the default
 * level). All of it runs in worker threads of its own, one per core.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gexiv2/gexiv2.h>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "pbi-thumbnail-paintable.h"
#include "pbi-thumbnailer.h"

typedef struct
{
  gchar *path;
  guint  size;
} Job;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_free (job);
}

/**
 * pbi_thumbnail_cache_dir:
 *
 * Returns: (transfer full) (type filename): where thumbnails are kept
 */
gchar *
pbi_thumbnail_cache_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "photobooth-immich-sync", "thumbnails", NULL);
}

static GdkPixbuf *
apply_orientation (GdkPixbuf          *pixbuf,
                   GExiv2Orientation   orientation)
{
  g_autoptr(GdkPixbuf) tmp = NULL;

  switch (orientation)
    {
    case GEXIV2_ORIENTATION_HFLIP:
      return gdk_pixbuf_flip (pixbuf, TRUE);
    case GEXIV2_ORIENTATION_ROT_180:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_UPSIDEDOWN);
    case GEXIV2_ORIENTATION_VFLIP:
      return gdk_pixbuf_flip (pixbuf, FALSE);
    case GEXIV2_ORIENTATION_ROT_90_HFLIP:
      tmp = gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
      return gdk_pixbuf_flip (tmp, TRUE);
    case GEXIV2_ORIENTATION_ROT_90:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
    case GEXIV2_ORIENTATION_ROT_90_VFLIP:
      tmp = gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_CLOCKWISE);
      return gdk_pixbuf_flip (tmp, FALSE);
    case GEXIV2_ORIENTATION_ROT_270:
      return gdk_pixbuf_rotate_simple (pixbuf, GDK_PIXBUF_ROTATE_COUNTERCLOCKWISE);
    case GEXIV2_ORIENTATION_MIN:
    case GEXIV2_ORIENTATION_NORMAL:
    default:
      return g_object_ref (pixbuf);
    }
}

/* The embedded preview, scaled to @size, or NULL when there is none. */
static GdkPixbuf *
from_exif_preview (const gchar  *path,
                   guint         size,
                   GCancellable *cancellable)
{
  g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new ();
  GExiv2PreviewProperties **props;
  GExiv2PreviewProperties *best = NULL;
  g_autoptr(GExiv2PreviewImage) preview = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GExiv2Orientation orientation;
  const guint8 *data;
  guint32 len = 0;
  guint longest;

  if (!gexiv2_metadata_open_path (meta, path, NULL))
    return NULL;
  props = gexiv2_metadata_get_preview_properties (meta);
  for (guint i = 0; props != NULL && props[i] != NULL; i++)
    {
      guint w = gexiv2_preview_properties_get_width (props[i]);
      guint h = gexiv2_preview_properties_get_height (props[i]);

      /* the smallest one still big enough; else the biggest */
      if (MAX (w, h) >= size)
        {
          if (best == NULL || gexiv2_preview_properties_get_width (best) < size ||
              w < gexiv2_preview_properties_get_width (best))
            best = props[i];
        }
      else if (best == NULL || w > gexiv2_preview_properties_get_width (best))
        best = props[i];
    }
  if (best == NULL)
    return NULL;
  preview = gexiv2_metadata_try_get_preview_image (meta, best, NULL);
  if (preview == NULL)
    return NULL;
  data = gexiv2_preview_image_get_data (preview, &len);
  if (data == NULL || len == 0)
    return NULL;
  bytes = g_bytes_new (data, len);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  /* scaled down, never up: a bigger copy of the same pixels only costs
   * memory, and drawing time where the renderer scales in software */
  longest = MAX (gexiv2_preview_properties_get_width (best),
                 gexiv2_preview_properties_get_height (best));
  if (longest > 0 && longest < size)
    size = longest;
  pixbuf = gdk_pixbuf_new_from_stream_at_scale (stream, size, size, TRUE, cancellable, NULL);
  if (pixbuf == NULL)
    return NULL;
  orientation = gexiv2_metadata_try_get_orientation (meta, NULL);
  return apply_orientation (pixbuf, orientation);
}

/* @from_preview: set to whether the EXIF preview made it */
static GdkPixbuf *
make_thumbnail (const gchar   *path,
                guint          size,
                gboolean      *from_preview,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  pixbuf = from_exif_preview (path, size, cancellable);
  if (from_preview != NULL)
    *from_preview = pixbuf != NULL;
  if (pixbuf != NULL)
    return g_steal_pointer (&pixbuf);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  pixbuf = gdk_pixbuf_new_from_file_at_scale (path, size, size, TRUE, error);
  if (pixbuf == NULL)
    return NULL;
  return gdk_pixbuf_apply_embedded_orientation (pixbuf);
}

/**
 * pbi_thumbnail_make:
 * @path: (type filename): a photo
 * @size: the longest side in pixels
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a thumbnail, blocking: call it in a worker thread.
 *
 * Returns: (transfer full) (nullable): the thumbnail, upright
 */
GdkPixbuf *
pbi_thumbnail_make (const gchar   *path,
                    guint          size,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return make_thumbnail (path, size, NULL, cancellable, error);
}

static gchar *
cache_path (const gchar *path,
            guint        size)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autofree gchar *uri = g_file_get_uri (file);
  g_autofree gchar *key = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *name = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_TIME_MODIFIED,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info == NULL)
    return NULL;
  key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GUINT64_FORMAT "\n%u", uri,
                         g_file_info_get_size (info),
                         g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED),
                         size);
  dir = pbi_thumbnail_cache_dir ();
  name = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  return g_strconcat (dir, G_DIR_SEPARATOR_S, name, ".png", NULL);
}

/* A texture in cairo's layout (GDK_MEMORY_DEFAULT: premultiplied BGRA on
 * little-endian machines), converted once here in the worker thread, with a
 * cairo surface over the same pixels attached: GTK 4.8's cairo renderer
 * would convert a texture's every pixel at every frame it draws it, so under
 * that renderer the cell draws the surface (pbi-thumbnail-paintable.c). */
static GdkTexture *
texture_for_drawing (GdkPixbuf *pixbuf)
{
  gint width = gdk_pixbuf_get_width (pixbuf);
  gint height = gdk_pixbuf_get_height (pixbuf);
  gint n_channels = gdk_pixbuf_get_n_channels (pixbuf);
  gint rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  const guint8 *src = gdk_pixbuf_read_pixels (pixbuf);
  gsize stride = (gsize) width * 4;
  guint8 *data;
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;

  if (gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 || n_channels < 3)
    return gdk_texture_new_for_pixbuf (pixbuf);
  data = g_malloc (stride * height);
  for (gint y = 0; y < height; y++)
    {
      const guint8 *s = src + (gsize) y * rowstride;
      guint32 *d = (guint32 *) (gpointer) (data + (gsize) y * stride);

      for (gint x = 0; x < width; x++, s += n_channels)
        {
          guint a = alpha ? s[3] : 255;
          guint r = (s[0] * a + 127) / 255;
          guint g = (s[1] * a + 127) / 255;
          guint b = (s[2] * a + 127) / 255;

          /* cairo's ARGB32: native-endian 32-bit words */
          d[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
  bytes = g_bytes_new_take (data, stride * height);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, stride);
  /* and a cairo surface over the same pixels, for the cairo renderer */
  pbi_thumbnail_attach_surface (texture, bytes, stride);
  return texture;
}

static void
thumbnail_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *cached = NULL;
  gboolean from_preview = FALSE;

  g_assert (!g_main_context_is_owner (g_main_context_default ()));

  if (g_task_return_error_if_cancelled (task))
    return;
  cached = cache_path (job->path, job->size);
  if (cached != NULL)
    pixbuf = gdk_pixbuf_new_from_file (cached, NULL);
  if (pixbuf == NULL)
    {
      pixbuf = make_thumbnail (job->path, job->size, &from_preview, cancellable, &error);
      if (pixbuf == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* the preview is quicker to read again than a cached PNG */
      if (cached != NULL && !from_preview)
        {
          g_autofree gchar *dir = g_path_get_dirname (cached);
          g_autofree gchar *tmp = g_strconcat (cached, ".tmp", NULL);

          /* written beside it and renamed: a reader never sees half a file */
          if (g_mkdir_with_parents (dir, 0700) == 0 &&
              gdk_pixbuf_save (pixbuf, tmp, "png", NULL, "compression", "1", NULL))
            g_rename (tmp, cached);
          else
            g_debug ("Could not cache the thumbnail of %s", job->path);
        }
    }
  g_task_return_pointer (task, texture_for_drawing (pixbuf), g_object_unref);
}

static void
pool_func (gpointer data,
           gpointer user_data)
{
  g_autoptr(GTask) task = data;
#ifdef __linux__
  static GPrivate niced;

  /* below the main loop and the sync's own threads: a thumbnail can wait,
   * a capture's upload and the next frame cannot (B11, B15: decoding
   * photos without a preview kept both cores busy as captures came in) */
  if (g_private_get (&niced) == NULL)
    {
      g_private_set (&niced, GINT_TO_POINTER (1));
      if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10) != 0)
        g_debug ("Could not lower the thumbnail thread's priority");
    }
#endif

  thumbnail_thread (task, NULL, g_task_get_task_data (task), g_task_get_cancellable (task));
}

/* A pool of our own, one thread per core: not GTask's, which GTK also
 * loads its icons in, and waits for them on the main thread (B11: a grid
 * of 1,000 photos queued its thumbnails ahead of the icons, and the main
 * loop stood still for seconds). */
static GThreadPool *
thumbnail_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *new_pool = g_thread_pool_new (pool_func, NULL,
                                                 (gint) MAX (1, g_get_num_processors ()),
                                                 FALSE, NULL);

      g_once_init_leave (&pool, new_pool);
    }
  return pool;
}

/**
 * pbi_thumbnail_load_async:
 * @path: (type filename): a photo
 * @size: the longest side in pixels
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the thumbnail
 * @user_data: data for @callback
 *
 * Loads a thumbnail from the disk cache, or makes one, in a worker thread.
 */
void
pbi_thumbnail_load_async (const gchar         *path,
                          guint                size,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_thumbnail_load_async);
  job = g_new0 (Job, 1);
  job->path = g_strdup (path);
  job->size = size;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_thread_pool_push (thumbnail_pool (), g_steal_pointer (&task), NULL);
}

/**
 * pbi_thumbnail_load_finish:
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the thumbnail
 */
GdkTexture *
pbi_thumbnail_load_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
