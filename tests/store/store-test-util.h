/* store-test-util.h: helpers shared by the store tests
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct
{
  GLogLevelFlags level;
  gchar         *message;
} CapturedLog;

gchar     *test_db_path      (const gchar *name);
sqlite3   *test_db_connect   (const gchar *path);
void       test_db_exec      (sqlite3     *db,
                              const gchar *sql);
gint64     test_db_int       (sqlite3     *db,
                              const gchar *sql);
gchar     *test_db_text      (sqlite3     *db,
                              const gchar *sql);
gboolean   test_wait_for     (gboolean    *flag,
                              guint        timeout_ms);
void       test_spin         (guint        ms);

/* Collects every message logged in domain "pbi-store" until stopped. */
void       test_log_capture_start (void);
GPtrArray *test_log_capture_stop  (void);
guint      test_log_count_matching (GPtrArray   *logs,
                                    const gchar *pattern);

G_END_DECLS
