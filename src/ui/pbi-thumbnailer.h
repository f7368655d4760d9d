/* pbi-thumbnailer.h: thumbnails made off the main thread, cached on disk
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gchar      *pbi_thumbnail_cache_dir     (void);
void        pbi_thumbnail_load_async    (const gchar          *path,
                                         guint                 size,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
GdkTexture *pbi_thumbnail_load_finish   (GAsyncResult         *result,
                                         GError              **error);
GdkPixbuf  *pbi_thumbnail_make          (const gchar          *path,
                                         guint                 size,
                                         GCancellable         *cancellable,
                                         GError              **error);

G_END_DECLS
