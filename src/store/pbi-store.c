/* pbi-store.c: the SQLite store object: opening, schema and migrations,
 * transactions, statement cache and errors, and polling for changes made
 * by other processes.  The schema and its migrations live in
 * pbi-store-migrate.c; settings, the file queue and the album cache in
 * pbi-store-settings.c, pbi-store-files.c and pbi-store-albums.c.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pbi-store.h"
#include "pbi-store-private.h"

/*
 * Durability: the database runs in WAL mode with synchronous=NORMAL.
 *
 * NORMAL keeps the file consistent after a power cut, and a killed process
 * loses nothing (the WAL is in the page cache); only a power cut can lose
 * the last transactions, because the WAL is synced at checkpoints and not
 * at every commit.  FULL would sync at every commit, and on the main loop
 * that fsync was the longest stall of a bulk sync (112 ms measured, against
 * a 30 ms budget).  What a lost row could cost is covered elsewhere: the
 * engine asks the server (bulk checksum check) before every upload, so a
 * photo whose "done" row was lost is not sent twice, and at start it scans
 * the capture folder, so a capture whose "queued" row was lost is found
 * again.
 */

#define PBI_DEFAULT_DIR "photobooth-immich-sync"
#define PBI_DEFAULT_FILE "sync.db"

G_DEFINE_QUARK (pbi-store-error-quark, pbi_store_error)


G_DEFINE_FINAL_TYPE (PbiStore, pbi_store, G_TYPE_OBJECT)

guint _pbi_store_signals[STORE_N_SIGNALS];

void
_pbi_stmt_release (PbiStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* ---------------------------------------------------------------- errors */

gboolean
_pbi_store_set_error (GError     **error,
                      int          rc,
                      const gchar *path,
                      const gchar *what)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FULL,
                   "Could not %s in %s: the disk is full", what, path);
      break;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_CORRUPT,
                   "Could not %s: the database %s is damaged or is not a database",
                   what, path);
      break;

    case SQLITE_READONLY:
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_READ_ONLY,
                   "Could not %s: the database %s is read-only", what, path);
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_BUSY,
                   "Could not %s: the database %s is locked by another program",
                   what, path);
      break;

    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_OPEN,
                   "Could not %s: the database %s cannot be opened (%s)",
                   what, path, sqlite3_errstr (rc));
      break;

    default:
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED,
                   "Could not %s in %s: %s", what, path, sqlite3_errstr (rc));
      break;
    }

  return FALSE;
}

gboolean
_pbi_store_set_db_error (PbiStore     *self,
                         GError      **error,
                         int           rc,
                         const gchar  *what)
{
  g_autoptr(GError) local_error = NULL;

  /* some write paths report a full or read-only disk as a plain I/O error */
  if ((rc & 0xff) == SQLITE_IOERR)
    {
      int errsv = sqlite3_system_errno (self->db);

      if (errsv == ENOSPC || errsv == EDQUOT)
        rc = SQLITE_FULL;
      else if (errsv == EROFS)
        rc = SQLITE_READONLY;
    }

  _pbi_store_set_error (&local_error, rc, self->path, what);
  g_debug ("%s (%s)", local_error->message, sqlite3_errmsg (self->db));
  g_propagate_error (error, g_steal_pointer (&local_error));

  /* A failed statement may have rolled back the whole transaction. */
  if (self->depth > 0 && sqlite3_get_autocommit (self->db))
    self->depth = 0;

  return FALSE;
}

/* For getters that have no GError: say it once in the log and go on. */
void
_pbi_store_log_db_error (PbiStore    *self,
                         int          rc,
                         const gchar *what)
{
  g_autoptr(GError) error = NULL;

  _pbi_store_set_db_error (self, &error, rc, what);
  g_message ("%s", error->message);
}

/* ------------------------------------------------------------ statements */

sqlite3_stmt *
_pbi_store_get_stmt (PbiStore     *self,
                     const gchar  *sql,
                     GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  ASSERT_OWNER (self);

  stmt = g_hash_table_lookup (self->stmts, sql);
  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _pbi_store_set_db_error (self, error, rc, "read the database");
      return NULL;
    }

  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

gboolean
_pbi_store_exec (PbiStore     *self,
                 const gchar  *sql,
                 const gchar  *what,
                 GError      **error)
{
  int rc;

  ASSERT_OWNER (self);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return _pbi_store_set_db_error (self, error, rc, what);

  return TRUE;
}

void
_pbi_store_bind_text (sqlite3_stmt *stmt,
                      int           index,
                      const gchar  *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

gchar *
_pbi_store_column_dup (sqlite3_stmt *stmt,
                       int           index)
{
  if (sqlite3_column_type (stmt, index) == SQLITE_NULL)
    return NULL;

  return g_strdup ((const gchar *) sqlite3_column_text (stmt, index));
}

/* A lower-case hex SHA1 (40 digits) or UUID (8-4-4-4-12) is stored as its
 * bytes, 20 or 16 instead of 40 or 36 characters: a season of 100,000
 * photos keeps its database small. Anything else stays text, so every
 * value reads back as it was written. */
static gboolean
hex_to_bytes (const gchar *text,
              guint8      *out,
              gsize        n_bytes)
{
  gsize j = 0;

  for (gsize i = 0; text[i] != '\0'; i++)
    {
      gint hi, lo;

      if (text[i] == '-' && n_bytes == 16 && (i == 8 || i == 13 || i == 18 || i == 23))
        continue;
      if (j == n_bytes)
        return FALSE;
      if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]) ||
          !g_ascii_isxdigit (text[i + 1]) || g_ascii_isupper (text[i + 1]))
        return FALSE;
      hi = g_ascii_xdigit_value (text[i]);
      lo = g_ascii_xdigit_value (text[i + 1]);
      out[j++] = (guint8) (hi << 4 | lo);
      i++;
    }
  return j == n_bytes;
}

void
_pbi_store_bind_compact (sqlite3_stmt *stmt,
                         int           index,
                         const gchar  *text)
{
  guint8 bytes[20];
  gsize len = text != NULL ? strlen (text) : 0;

  if (len == 40 && hex_to_bytes (text, bytes, 20))
    sqlite3_bind_blob (stmt, index, bytes, 20, SQLITE_TRANSIENT);
  else if (len == 36 && g_uuid_string_is_valid (text) && hex_to_bytes (text, bytes, 16))
    sqlite3_bind_blob (stmt, index, bytes, 16, SQLITE_TRANSIENT);
  else
    _pbi_store_bind_text (stmt, index, text);
}

gchar *
_pbi_store_column_dup_compact (sqlite3_stmt *stmt,
                               int           index)
{
  const guint8 *bytes;
  int len;
  GString *out;

  if (sqlite3_column_type (stmt, index) != SQLITE_BLOB)
    return _pbi_store_column_dup (stmt, index);
  bytes = sqlite3_column_blob (stmt, index);
  len = sqlite3_column_bytes (stmt, index);
  out = g_string_sized_new (2 * len + 4);
  for (int i = 0; i < len; i++)
    {
      if (len == 16 && (i == 4 || i == 6 || i == 8 || i == 10))
        g_string_append_c (out, '-');
      g_string_append_printf (out, "%02x", bytes[i]);
    }
  return g_string_free (out, FALSE);
}

/* Runs a statement that returns no rows. */
gboolean
_pbi_store_step_done (PbiStore      *self,
                      sqlite3_stmt  *stmt,
                      const gchar   *what,
                      GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;

  if (rc != SQLITE_DONE)
    return _pbi_store_set_db_error (self, error, rc, what);

  return TRUE;
}

/* ------------------------------------------------------- file ownership */

static void
make_private (const gchar *path)
{
  struct stat st;

  if (g_stat (path, &st) != 0)
    return;

  if ((st.st_mode & 077) == 0)
    return;

  /* Take group and other access away, keep the owner's bits (a file the
   * owner made read-only stays read-only). */
  if (g_chmod (path, st.st_mode & 0600) != 0)
    {
      int errsv = errno;

      g_message ("Could not make %s private (mode %04o): %s",
                 path, (guint) (st.st_mode & 07777), g_strerror (errsv));
      return;
    }
  /* Said once: the next start finds it private. */
  g_message ("%s was readable by others (mode %04o); made it private (%04o)",
             path, (guint) (st.st_mode & 07777), (guint) (st.st_mode & 0600));
}

static void
make_all_private (const gchar *path)
{
  g_autofree gchar *wal = g_strconcat (path, "-wal", NULL);
  g_autofree gchar *shm = g_strconcat (path, "-shm", NULL);

  make_private (path);
  make_private (wal);
  make_private (shm);
}

static gboolean
prepare_file (const gchar  *path,
              GError      **error)
{
  g_autofree gchar *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, PBI_STORE_ERROR,
                   errsv == EROFS || errsv == EACCES ? PBI_STORE_ERROR_READ_ONLY
                                                     : PBI_STORE_ERROR_OPEN,
                   "Could not create the folder %s for the database: %s",
                   dir, g_strerror (errsv));
      return FALSE;
    }

  /* Create the file ourselves so it is born 0600 (SQLite would use 0644);
   * SQLite gives the -wal and -shm files the mode of the database file. */
  fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      close (fd);
      return TRUE;
    }

  if (errno != EEXIST)
    {
      int errsv = errno;

      g_set_error (error, PBI_STORE_ERROR,
                   errsv == EROFS || errsv == EACCES ? PBI_STORE_ERROR_READ_ONLY
                                                     : PBI_STORE_ERROR_OPEN,
                   "Could not create the database %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  make_all_private (path);
  return TRUE;
}

static gint64
read_data_version (PbiStore *self)
{
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = _pbi_store_get_stmt (self, "PRAGMA data_version", NULL);
  if (stmt == NULL)
    return -1;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return -1;

  return sqlite3_column_int64 (stmt, 0);
}

/**
 * pbi_store_check_changes:
 * @self: a #PbiStore
 *
 * Looks whether another connection (the PhotoBooth, the `sqlite3` shell)
 * committed anything since the last look, and if so re-reads the settings,
 * emits #PbiStore::setting-changed for every key whose value changed, then
 * #PbiStore::changed-elsewhere.
 * Runs by itself once a second; cheap (no disk writes).
 *
 * Returns: %TRUE when the database had changed
 */
gboolean
pbi_store_check_changes (PbiStore *self)
{
  gint64 version;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  ASSERT_OWNER (self);

  self->poll_count++;

  if (self->depth > 0)
    return FALSE;

  version = read_data_version (self);
  if (version < 0 || version == self->data_version)
    return FALSE;

  self->data_version = version;
  _pbi_store_reload_settings (self);
  g_signal_emit (self, _pbi_store_signals[STORE_SIGNAL_CHANGED_ELSEWHERE], 0);
  return TRUE;
}

static gboolean
poll_cb (gpointer user_data)
{
  PbiStore *self = user_data;

  pbi_store_check_changes (self);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------- transactions */

/**
 * pbi_store_begin:
 * @self: a #PbiStore
 * @error: return location for a #GError
 *
 * Starts a write transaction (`BEGIN IMMEDIATE`); nested calls make
 * savepoints.  Every successful begin needs one commit or rollback.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_begin (PbiStore  *self,
                 GError   **error)
{
  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);

  if (!_pbi_store_exec (self, self->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT pbi_nested",
                 "start a transaction", error))
    return FALSE;

  self->depth++;
  return TRUE;
}

/**
 * pbi_store_commit:
 * @self: a #PbiStore
 * @error: return location for a #GError
 *
 * Commits what the matching pbi_store_begin() started.  On failure the
 * transaction is rolled back.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_commit (PbiStore  *self,
                  GError   **error)
{
  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);

  if (self->depth == 0)
    {
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED,
                   "Could not save to %s: the transaction was already rolled back "
                   "after an earlier error", self->path);
      _pbi_store_reload_settings (self);
      return FALSE;
    }

  if (self->depth > 1)
    {
      self->depth--;
      return _pbi_store_exec (self, "RELEASE pbi_nested", "commit a transaction", error);
    }

  if (!_pbi_store_exec (self, "COMMIT", "commit a transaction", error))
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      self->depth = 0;
      _pbi_store_reload_settings (self);
      return FALSE;
    }

  self->depth = 0;
  return TRUE;
}

/**
 * pbi_store_rollback:
 * @self: a #PbiStore
 *
 * Undoes what the matching pbi_store_begin() started.
 */
void
pbi_store_rollback (PbiStore *self)
{
  g_return_if_fail (PBI_IS_STORE (self));
  ASSERT_OWNER (self);

  if (self->depth == 0)
    {
      /* already rolled back by SQLite after an error */
      _pbi_store_reload_settings (self);
      return;
    }

  self->depth--;

  if (self->depth > 0)
    {
      sqlite3_exec (self->db, "ROLLBACK TO pbi_nested; RELEASE pbi_nested", NULL, NULL, NULL);
      _pbi_store_reload_settings (self);
      return;
    }

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);

  /* Settings written inside the transaction are gone again. */
  _pbi_store_reload_settings (self);
}

/* ----------------------------------------------------------------- open */

static void
pbi_store_dispose (GObject *object)
{
  PbiStore *self = PBI_STORE (object);

  g_clear_handle_id (&self->poll_source, g_source_remove);

  G_OBJECT_CLASS (pbi_store_parent_class)->dispose (object);
}

static void
pbi_store_finalize (GObject *object)
{
  PbiStore *self = PBI_STORE (object);

  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db != NULL)
    {
      if (self->depth > 0 && !sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->settings, g_hash_table_unref);
  g_clear_pointer (&self->reported, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (pbi_store_parent_class)->finalize (object);
}

static void
pbi_store_class_init (PbiStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pbi_store_dispose;
  object_class->finalize = pbi_store_finalize;

  /**
   * PbiStore::setting-changed:
   * @self: the store
   * @key: the row key, such as `immich_album_name`
   *
   * A settings row changed: written by us, or by another program (noticed
   * within about a second).  Detailed by the key.
   */
  _pbi_store_signals[STORE_SIGNAL_SETTING_CHANGED] =
    g_signal_new ("setting-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PbiStore::changed-elsewhere:
   * @self: the store
   *
   * Another connection (`photobooth-immich retry-failed` in another process,
   * the `sqlite3` shell) committed to the database: its queue rows may have
   * changed under us.  Emitted by pbi_store_check_changes(), after the
   * settings were re-read; never for our own writes.
   */
  _pbi_store_signals[STORE_SIGNAL_CHANGED_ELSEWHERE] =
    g_signal_new ("changed-elsewhere",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
pbi_store_init (PbiStore *self)
{
  self->owner = g_thread_self ();
  self->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) sqlite3_finalize);
  self->settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * pbi_store_get_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/photobooth-immich-sync/sync.db`
 */
gchar *
pbi_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), PBI_DEFAULT_DIR, PBI_DEFAULT_FILE, NULL);
}

static gboolean
configure (PbiStore  *self,
           GError   **error)
{
  g_autoptr(PbiStmt) stmt = NULL;
  const gchar *mode;
  int rc;

  stmt = _pbi_store_get_stmt (self, "PRAGMA journal_mode = WAL", error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    {
      /* Another program holds the file in a transaction and switching
       * needs it alone: work in the current mode, try again next start. */
      g_message ("Could not switch %s to WAL mode now: another program is using it",
                 self->path);
    }
  else if (rc != SQLITE_ROW)
    {
      return _pbi_store_set_db_error (self, error, rc, "open the database");
    }
  else
    {
      mode = (const gchar *) sqlite3_column_text (stmt, 0);
      if (g_strcmp0 (mode, "wal") != 0)
        g_message ("Could not switch %s to WAL mode; it stays in '%s' mode",
                   self->path, mode != NULL ? mode : "unknown");
    }

  return _pbi_store_exec (self,
                   "PRAGMA synchronous = NORMAL;"
                   "PRAGMA foreign_keys = ON;",
                   "open the database", error);
}

/**
 * pbi_store_open:
 * @path: (nullable): the database file; %NULL for
 *   pbi_store_get_default_path()
 * @error: return location for a #GError
 *
 * Opens (creating when missing) the database and brings our `pbi_` tables
 * up to date.  Works on the PhotoBooth's own database too: its tables and
 * its `user_version` are left alone, a `settings` table is created only when
 * missing.  The file and its -wal/-shm companions are made private (no
 * access for group and others).  Use the store only on the calling thread.
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
PbiStore *
pbi_store_open (const gchar  *path,
                GError      **error)
{
  g_autoptr(PbiStore) self = NULL;
  g_autoptr(GHashTable) settings = NULL;
  int rc;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (PBI_TYPE_STORE, NULL);
  self->path = path != NULL ? g_strdup (path) : pbi_store_get_default_path ();

  if (!prepare_file (self->path, error))
    return NULL;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      _pbi_store_set_error (error, rc, self->path, "open the database");
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      _pbi_store_set_error (error, SQLITE_READONLY, self->path, "open the database");
      return NULL;
    }

  if (!configure (self, error) || !_pbi_store_migrate (self, error))
    return NULL;

  make_all_private (self->path);

  settings = _pbi_store_read_settings (self, error);
  if (settings == NULL)
    return NULL;
  g_clear_pointer (&self->settings, g_hash_table_unref);
  self->settings = g_steal_pointer (&settings);

  self->data_version = read_data_version (self);
  self->poll_source = g_timeout_add (PBI_STORE_POLL_SECONDS * 1000, poll_cb, self);
  g_source_set_name_by_id (self->poll_source, "[pbi] store data_version poll");

  g_debug ("Opened %s (schema %u, %s)", self->path, self->schema_version,
           self->foreign ? "shared database, version in pbi_meta" : "own database");

  return g_steal_pointer (&self);
}

/**
 * pbi_store_get_path:
 * @self: a #PbiStore
 *
 * Returns: the database file
 */
const gchar *
pbi_store_get_path (PbiStore *self)
{
  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  return self->path;
}

/**
 * pbi_store_is_foreign:
 * @self: a #PbiStore
 *
 * Returns: %TRUE when the database belongs to another program (the
 *   PhotoBooth) and our schema version lives in `pbi_meta`
 */
gboolean
pbi_store_is_foreign (PbiStore *self)
{
  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);

  return self->foreign;
}

/**
 * pbi_store_get_schema_version:
 * @self: a #PbiStore
 *
 * Returns: the version of our tables
 */
guint
pbi_store_get_schema_version (PbiStore *self)
{
  g_return_val_if_fail (PBI_IS_STORE (self), 0);

  return self->schema_version;
}

/**
 * pbi_store_check_integrity:
 * @self: a #PbiStore
 * @error: return location for a #GError
 *
 * Runs `PRAGMA integrity_check` (slow on big files: not for the main loop
 * of a running kiosk).
 *
 * Returns: %TRUE when the database is sound; otherwise
 *   %PBI_STORE_ERROR_CORRUPT naming the file and the first problem
 */
gboolean
pbi_store_check_integrity (PbiStore  *self,
                           GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  guint n_lines = 0;
  int rc;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  ASSERT_OWNER (self);

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA integrity_check(10)", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return _pbi_store_set_db_error (self, error, rc, "check the database");

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const gchar *line = (const gchar *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") == 0)
        continue;
      if (n_lines++ > 0)
        g_string_append (problems, "; ");
      g_string_append (problems, line != NULL ? line : "?");
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return _pbi_store_set_db_error (self, error, rc, "check the database");

  if (n_lines > 0)
    {
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_CORRUPT,
                   "The database %s is damaged: %s", self->path, problems->str);
      return FALSE;
    }

  return TRUE;
}

/* -------------------------------------------------------------- private */

sqlite3 *
_pbi_store_get_db (PbiStore *self)
{
  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  return self->db;
}

guint
_pbi_store_get_poll_count (PbiStore *self)
{
  g_return_val_if_fail (PBI_IS_STORE (self), 0);

  return self->poll_count;
}
