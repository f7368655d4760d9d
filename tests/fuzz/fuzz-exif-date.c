/* fuzz-exif-date.c: libFuzzer target for EXIF date text (pbi-media-info.c)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: "value\nsubsec\noffset" (missing parts are NULL).
 */

#include "config.h"

#include <glib.h>

#include "pbi-media-info.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  g_auto(GStrv) parts = g_strsplit (text, "\n", 3);
  guint n = g_strv_length (parts);
  g_autoptr(GDateTime) when = NULL;

  when = _pbi_media_info_parse_exif_date (n > 0 ? parts[0] : NULL, n > 1 ? parts[1] : NULL,
                                          n > 2 ? parts[2] : NULL);
  if (when != NULL)
    {
      g_autofree gchar *iso = g_date_time_format_iso8601 (when);

      g_assert_nonnull (iso);
      g_assert_cmpint (g_date_time_get_year (when), >=, 1);
    }
  return 0;
}
