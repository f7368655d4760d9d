/* pbi-bench.h: frame and latency records for bench/run (PBI_BENCH_FRAMES)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Whether PBI_BENCH_FRAMES is set: everything below does nothing otherwise
 * (one test of a static flag). */
extern gboolean pbi_bench_on;

void     pbi_bench_init              (void);
void     pbi_bench_watch_window      (GtkWindow *window,
                                      GtkWidget *status_page);
void     pbi_bench_stall             (gint64     now,
                                      gint64     gap);
void     pbi_bench_thumbnail         (gint64     bound_at,
                                      gboolean   shown);
void     pbi_bench_bind_time         (gint64       us);
void     pbi_bench_event             (const gchar *what,
                                      gint64       value);
gboolean pbi_bench_scroll_plan       (guint   *pages,
                                      guint   *page_ms,
                                      gdouble *fling_s);
void     pbi_bench_write             (void);

G_END_DECLS
