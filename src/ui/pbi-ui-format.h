/* pbi-ui-format.h: times, durations and rates in words, per locale
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *pbi_format_time_ago   (GDateTime *then,
                              GDateTime *now);
gchar *pbi_format_time_left  (gdouble    seconds);
gchar *pbi_format_rate       (gdouble    bytes_per_second);

G_END_DECLS
