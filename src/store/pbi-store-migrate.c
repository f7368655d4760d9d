/* pbi-store-migrate.c: the store's schema: the migrations that take a
 * database from one version to the next (PRAGMA user_version, or pbi_meta in
 * a database another program owns), applied at opening.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <sqlite3.h>

#include "pbi-store.h"
#include "pbi-store-private.h"

/* Schema migrations: migrations[i] takes the schema from version i to i + 1.
 * Only ever append. */
static const gchar *migrations[PBI_STORE_SCHEMA_VERSION] = {
  /* 0 → 1 */
  "CREATE TABLE IF NOT EXISTS pbi_meta (key TEXT PRIMARY KEY, value TEXT);"
  "CREATE TABLE pbi_files ("
  "  id INTEGER PRIMARY KEY,"
  "  path TEXT NOT NULL UNIQUE,"
  "  size INTEGER NOT NULL DEFAULT 0,"
  "  mtime INTEGER NOT NULL DEFAULT 0,"
  "  sha1 TEXT,"
  "  state TEXT NOT NULL DEFAULT 'pending',"
  "  asset_id TEXT,"
  "  albums TEXT NOT NULL DEFAULT '[]',"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_retry INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL);"
  "CREATE INDEX pbi_files_state ON pbi_files (state, next_retry);"
  "CREATE TABLE pbi_albums ("
  "  server TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  album_id TEXT NOT NULL,"
  "  PRIMARY KEY (server, name));"
  "CREATE TABLE pbi_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0);",
  /* 1 → 2: per-request album, lookup by checksum */
  "ALTER TABLE pbi_files ADD COLUMN target_album TEXT;"
  "CREATE INDEX pbi_files_sha1 ON pbi_files (sha1);",
  /* 2 → 3: the event in figures (pbi-store-events.c): when each photo was
   * done and whether the server had it already, events, connection
   * changes, the guest link made per album */
  "ALTER TABLE pbi_files ADD COLUMN done_at INTEGER;"
  "UPDATE pbi_files SET done_at = updated WHERE state IN ('done', 'duplicate');"
  "CREATE TRIGGER pbi_files_done_at AFTER UPDATE OF state ON pbi_files "
  "  WHEN NEW.state IN ('done', 'duplicate') AND NEW.done_at IS NULL "
  "  BEGIN UPDATE pbi_files SET done_at = NEW.updated WHERE id = NEW.id; END;"
  "CREATE TRIGGER pbi_files_done_at_insert AFTER INSERT ON pbi_files "
  "  WHEN NEW.state IN ('done', 'duplicate') "
  "  BEGIN UPDATE pbi_files SET done_at = NEW.updated WHERE id = NEW.id; END;"
  "CREATE TRIGGER pbi_files_done_at_reset AFTER UPDATE OF state ON pbi_files "
  "  WHEN NEW.state NOT IN ('done', 'duplicate') AND NEW.done_at IS NOT NULL "
  "  BEGIN UPDATE pbi_files SET done_at = NULL WHERE id = NEW.id; END;"
  "CREATE INDEX pbi_files_done_at ON pbi_files (done_at);"
  "CREATE TABLE pbi_events ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  album TEXT NOT NULL,"
  "  started INTEGER NOT NULL);"
  "CREATE TABLE pbi_connection_log ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"
  "  message TEXT);"
  "CREATE TABLE pbi_duplicates (path TEXT PRIMARY KEY);"
  "CREATE TABLE pbi_shared_links ("
  "  server TEXT NOT NULL,"
  "  album_id TEXT NOT NULL,"
  "  link_id TEXT NOT NULL,"
  "  PRIMARY KEY (server, album_id));",
  /* 3 → 4: fewer bytes per photo, for a season of 100,000: checksums and
   * asset ids are written as bytes from now on (_pbi_store_bind_compact;
   * older rows stay text), the checksum index holds their first 4 bytes
   * (a lookup compares the rest in the row), and done_at, which no query
   * can use an index for (its only filter is an OR with unindexed
   * columns), has none */
  "DROP INDEX IF EXISTS pbi_files_done_at;"
  "DROP INDEX IF EXISTS pbi_files_sha1;"
  "CREATE INDEX pbi_files_sha1_prefix ON pbi_files (substr(sha1, 1, 4));",
};


static gboolean
table_exists (PbiStore     *self,
              const gchar  *name,
              gboolean     *exists,
              GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = _pbi_store_get_stmt (self,
                              "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _pbi_store_set_db_error (self, error, rc, "read the database");

  *exists = rc == SQLITE_ROW;
  return TRUE;
}

gboolean
_pbi_store_query_int (PbiStore     *self,
                      const gchar  *sql,
                      const gchar  *text_arg,
                      gint64       *out,
                      GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = _pbi_store_get_stmt (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return _pbi_store_set_db_error (self, error, rc, "read the database");

  return TRUE;
}

gboolean
_pbi_store_meta_set (PbiStore     *self,
                     const gchar  *key,
                     const gchar  *value,
                     GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  stmt = _pbi_store_get_stmt (self, "INSERT OR REPLACE INTO pbi_meta (key, value) VALUES (?1, ?2)",
                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return _pbi_store_step_done (self, stmt, "save the schema information", error);
}

/* Another program may have made a `settings` table of its own: say so
 * (every read of it would fail with "SQL logic error" otherwise). */
static gboolean
check_settings_shape (PbiStore  *self,
                      GError   **error)
{
  g_autoptr(GString) columns = g_string_new (NULL);
  gboolean have_key = FALSE, have_value = FALSE;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT name FROM pragma_table_info('settings')", -1,
                           &stmt, NULL);
  if (rc != SQLITE_OK)
    return _pbi_store_set_db_error (self, error, rc, "read the settings table's columns");
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const gchar *name = (const gchar *) sqlite3_column_text (stmt, 0);

      have_key |= g_strcmp0 (name, "key") == 0;
      have_value |= g_strcmp0 (name, "value") == 0;
      g_string_append_printf (columns, "%s%s", columns->len ? ", " : "", name ? name : "");
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _pbi_store_set_db_error (self, error, rc, "read the settings table's columns");
  if (have_key && have_value)
    return TRUE;
  g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_CORRUPT,
               "The settings table in %s has the columns %s; this app needs the columns key and "
               "value (the PhotoBooth's settings table)", self->path, columns->str);
  return FALSE;
}

/* Runs inside the opening transaction. */
static gboolean
migrate_locked (PbiStore  *self,
                GError   **error)
{
  gboolean has_meta = FALSE;
  gint64 user_version = 0;
  gint64 version = 0;
  gint64 foreign = 0;

  if (!table_exists (self, "pbi_meta", &has_meta, error) ||
      !_pbi_store_query_int (self, "PRAGMA user_version", NULL, &user_version, error))
    return FALSE;

  if (has_meta)
    {
      if (!_pbi_store_query_int (self, "SELECT value = 'foreign' FROM pbi_meta WHERE key = 'owner'",
                                 NULL, &foreign, error))
        return FALSE;
    }
  else
    {
      gint64 n_objects = 0;

      /* First time we see this file: if anything is in it already (the
       * PhotoBooth's tables) or someone set user_version, it is not ours and
       * its user_version is not ours to change. */
      if (!_pbi_store_query_int (self,
                                 "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                                 NULL, &n_objects, error))
        return FALSE;

      foreign = n_objects > 0 || user_version != 0;
    }

  self->foreign = foreign != 0;

  if (self->foreign)
    {
      if (has_meta &&
          !_pbi_store_query_int (self,
                                 "SELECT CAST(value AS INTEGER) FROM pbi_meta WHERE key = 'schema_version'",
                                 NULL, &version, error))
        return FALSE;
    }
  else
    {
      version = user_version;
    }

  if (version > PBI_STORE_SCHEMA_VERSION || version < 0)
    {
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED,
                   "The database %s was made by a newer version of this app "
                   "(schema %" G_GINT64_FORMAT ", this version knows %d)",
                   self->path, version, PBI_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (gint64 v = version; v < PBI_STORE_SCHEMA_VERSION; v++)
    {
      g_debug ("Migrating %s from schema %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " (%s)",
               self->path, v, v + 1, self->foreign ? "pbi_meta" : "user_version");
      if (!_pbi_store_exec (self, migrations[v], "update the database schema", error))
        return FALSE;
    }

  if (!has_meta && !_pbi_store_meta_set (self, "owner", self->foreign ? "foreign" : "own", error))
    return FALSE;

  if (version != PBI_STORE_SCHEMA_VERSION)
    {
      if (self->foreign)
        {
          g_autofree gchar *text = g_strdup_printf ("%d", PBI_STORE_SCHEMA_VERSION);

          if (!_pbi_store_meta_set (self, "schema_version", text, error))
            return FALSE;
        }
      else
        {
          g_autofree gchar *sql = g_strdup_printf ("PRAGMA user_version = %d",
                                                   PBI_STORE_SCHEMA_VERSION);

          if (!_pbi_store_exec (self, sql, "update the database schema", error))
            return FALSE;
        }
    }

  /* The PhotoBooth's own table: only created when missing, never altered. */
  if (!_pbi_store_exec (self,
                        "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT)",
                        "create the settings table", error))
    return FALSE;
  if (!check_settings_shape (self, error))
    return FALSE;

  self->schema_version = PBI_STORE_SCHEMA_VERSION;
  return TRUE;
}

gboolean
_pbi_store_migrate (PbiStore  *self,
         GError   **error)
{
  if (!pbi_store_begin (self, error))
    return FALSE;

  if (!migrate_locked (self, error))
    {
      pbi_store_rollback (self);
      return FALSE;
    }

  return pbi_store_commit (self, error);
}
