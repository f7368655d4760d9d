/* pbi-store-private.h: store internals shared by its files, the settings backend and tests
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "pbi-store.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* the newest schema version this build knows */
#define PBI_STORE_SCHEMA_VERSION 4

/* how often PRAGMA data_version is polled for changes made by others */
#define PBI_STORE_POLL_SECONDS 1

sqlite3  *_pbi_store_get_db          (PbiStore    *self);
guint     _pbi_store_get_poll_count  (PbiStore    *self);
gboolean  _pbi_store_set_error       (GError     **error,
                                      int          rc,
                                      const gchar *path,
                                      const gchar *what);

/* ---- shared by the files of pbi-store.c (split of one object) */

struct _PbiStore
{
  GObject     parent_instance;

  sqlite3    *db;             /* (owned) used on the opening thread only */
  GThread    *owner;          /* (unowned) the thread that opened us */
  gchar      *path;           /* (owned) */
  GHashTable *stmts;          /* (owned) static SQL text → (owned) sqlite3_stmt */
  GHashTable *settings;       /* (owned) key → value of every settings row */
  GHashTable *reported;       /* (owned) key → invalid value already logged */
  gint64      data_version;
  guint       poll_source;    /* GSource id, 0 when none */
  guint       poll_count;
  guint       depth;          /* transaction nesting */
  guint       schema_version;
  guint       foreign : 1;
};

enum
{
  STORE_SIGNAL_SETTING_CHANGED,
  STORE_SIGNAL_CHANGED_ELSEWHERE,
  STORE_N_SIGNALS
};

extern guint _pbi_store_signals[STORE_N_SIGNALS];

#define ASSERT_OWNER(self) g_assert ((self)->owner == g_thread_self ())

/* A cached statement, reset (and its bindings cleared) when it goes out of
 * scope so no read transaction stays open. */
typedef sqlite3_stmt PbiStmt;

void _pbi_stmt_release (PbiStmt *stmt);
gboolean _pbi_store_set_db_error (PbiStore     *self,
                                  GError      **error,
                                  int           rc,
                                  const gchar  *what);
void _pbi_store_log_db_error (PbiStore    *self,
                              int          rc,
                              const gchar *what);
sqlite3_stmt *_pbi_store_get_stmt (PbiStore     *self,
                                   const gchar  *sql,
                                   GError      **error);
void _pbi_store_bind_text (sqlite3_stmt *stmt,
                           int           index,
                           const gchar  *text);
/* lower-case hex SHA1s and UUIDs as bytes; other values as text */
void _pbi_store_bind_compact (sqlite3_stmt *stmt,
                              int           index,
                              const gchar  *text);
gchar *_pbi_store_column_dup_compact (sqlite3_stmt *stmt,
                                      int           index);
gchar *_pbi_store_column_dup (sqlite3_stmt *stmt,
                              int           index);
gboolean _pbi_store_step_done (PbiStore      *self,
                               sqlite3_stmt  *stmt,
                               const gchar   *what,
                               GError       **error);
GHashTable *_pbi_store_read_settings (PbiStore  *self,
                                      GError   **error);
void _pbi_store_reload_settings (PbiStore *self);
gboolean _pbi_store_query_int (PbiStore     *self,
                               const gchar  *sql,
                               const gchar  *text_arg,
                               gint64       *out,
                               GError      **error);
gboolean _pbi_store_meta_set (PbiStore     *self,
                              const gchar  *key,
                              const gchar  *value,
                              GError      **error);
gboolean _pbi_store_exec     (PbiStore     *self,
                              const gchar  *sql,
                              const gchar  *what,
                              GError      **error);

/* pbi-store-migrate.c: brings the schema up to PBI_STORE_SCHEMA_VERSION */
gboolean _pbi_store_migrate  (PbiStore     *self,
                              GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiStmt, _pbi_stmt_release)

G_END_DECLS
