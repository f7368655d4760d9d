/* pbi-media-info.h: which files are media, and when were they captured
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

const gchar * const *pbi_media_default_extensions    (void);
gboolean             pbi_media_filename_is_temporary (const gchar          *name);
gboolean             pbi_media_filename_is_candidate (const gchar          *name,
                                                      const gchar * const  *extensions);
GDateTime           *pbi_media_info_get_capture_date (const gchar          *path,
                                                      GError              **error);
GDateTime           *_pbi_media_info_parse_exif_date (const gchar          *value,
                                                      const gchar          *subsec,
                                                      const gchar          *offset);

G_END_DECLS
