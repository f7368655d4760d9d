/* store-test-util.c: helpers shared by the store tests
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "store-test-util.h"

gchar *
test_db_path (const gchar *name)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own data dir */
  return g_build_filename (g_get_user_data_dir (), "dbs", name, NULL);
}

sqlite3 *
test_db_connect (const gchar *path)
{
  g_autofree gchar *dir = g_path_get_dirname (path);
  sqlite3 *db = NULL;
  int rc;

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

void
test_db_exec (sqlite3     *db,
              const gchar *sql)
{
  char *errmsg = NULL;
  int rc;

  rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, errmsg);
}

gint64
test_db_int (sqlite3     *db,
             const gchar *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

gchar *
test_db_text (sqlite3     *db,
              const gchar *sql)
{
  sqlite3_stmt *stmt = NULL;
  gchar *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
test_wait_for (gboolean *flag,
               guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id;

  id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);
  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return *flag;
}

void
test_spin (guint ms)
{
  gboolean never = FALSE;

  test_wait_for (&never, ms);
}

static GPtrArray *captured;
static guint handler_id;

static void
captured_log_free (gpointer data)
{
  CapturedLog *log = data;

  g_free (log->message);
  g_free (log);
}

static void
capture_handler (const gchar    *log_domain,
                 GLogLevelFlags  log_level,
                 const gchar    *message,
                 gpointer        user_data)
{
  CapturedLog *log = g_new0 (CapturedLog, 1);

  log->level = log_level;
  log->message = g_strdup (message);
  g_ptr_array_add (captured, log);
}

void
test_log_capture_start (void)
{
  g_assert_null (captured);
  captured = g_ptr_array_new_with_free_func (captured_log_free);
  handler_id = g_log_set_handler ("pbi-store",
                                  G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG,
                                  capture_handler, NULL);
}

GPtrArray *
test_log_capture_stop (void)
{
  g_log_remove_handler ("pbi-store", handler_id);
  handler_id = 0;
  return g_steal_pointer (&captured);
}

guint
test_log_count_matching (GPtrArray   *logs,
                         const gchar *pattern)
{
  guint n = 0;

  for (guint i = 0; i < logs->len; i++)
    {
      CapturedLog *log = g_ptr_array_index (logs, i);

      if (g_pattern_match_simple (pattern, log->message))
        n++;
    }

  return n;
}
