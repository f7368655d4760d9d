/* pbi-store.c: the SQLite store (settings, file queue, album cache, counters)
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

typedef enum
{
  SPEC_STRING,
  SPEC_BOOLEAN,
  SPEC_INT,
  SPEC_TIME,
  SPEC_LIST,
} SpecKind;

typedef struct
{
  const gchar *key;
  SpecKind     kind;
  const gchar *def;
  gint         min;
  gint         max;
  gboolean     secret;
} SettingSpec;

/* Keep in sync with data/io.github.photobooth.ImmichSync.gschema.xml (a test
 * compares the two). */
static const SettingSpec setting_specs[] = {
  { "immich_enabled",            SPEC_BOOLEAN, "false",      0, 0,    FALSE },
  { "immich_server_url",         SPEC_STRING,  "",           0, 0,    FALSE },
  { "immich_api_key",            SPEC_STRING,  "",           0, 0,    TRUE },
  { "immich_album_name",         SPEC_STRING,  "PhotoBooth", 0, 0,    FALSE },
  { "immich_auto_sync",          SPEC_BOOLEAN, "true",       0, 0,    FALSE },
  { "immich_sync_on_capture",    SPEC_BOOLEAN, "true",       0, 0,    FALSE },
  { "immich_capture_folder",     SPEC_STRING,  "",           0, 0,    FALSE },
  { "immich_library_folder",     SPEC_STRING,  "",           0, 0,    FALSE },
  { "immich_extra_albums",       SPEC_LIST,    "",           0, 0,    FALSE },
  { "immich_schedule_start",     SPEC_TIME,    "",           0, 0,    FALSE },
  { "immich_schedule_end",       SPEC_TIME,    "",           0, 0,    FALSE },
  { "immich_connect_timeout",    SPEC_INT,     "10",         1, 300,  FALSE },
  { "immich_idle_timeout",       SPEC_INT,     "60",         1, 3600, FALSE },
  { "immich_upload_concurrency", SPEC_INT,     "2",          1, 16,   FALSE },
  { "immich_tls_fingerprint",    SPEC_STRING,  "",           0, 0,    FALSE },
  { "immich_kiosk_mode",         SPEC_BOOLEAN, "false",      0, 0,    FALSE },
  { "immich_kiosk_pin",          SPEC_STRING,  "",           0, 0,    TRUE },
};

static const gchar *file_state_names[PBI_N_FILE_STATES] = {
  "pending", "hashing", "checking", "uploading", "adding",
  "done", "duplicate", "failed", "rejected",
};

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
};

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

G_DEFINE_FINAL_TYPE (PbiStore, pbi_store, G_TYPE_OBJECT)

enum
{
  SIGNAL_SETTING_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define ASSERT_OWNER(self) g_assert ((self)->owner == g_thread_self ())

/* A cached statement, reset (and its bindings cleared) when it goes out of
 * scope so no read transaction stays open. */
typedef sqlite3_stmt PbiStmt;

static void
pbi_stmt_release (PbiStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiStmt, pbi_stmt_release)

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

static gboolean
set_db_error (PbiStore     *self,
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
static void
log_db_error (PbiStore    *self,
              int          rc,
              const gchar *what)
{
  g_autoptr(GError) error = NULL;

  set_db_error (self, &error, rc, what);
  g_message ("%s", error->message);
}

/* ------------------------------------------------------------ statements */

static sqlite3_stmt *
get_stmt (PbiStore     *self,
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
      set_db_error (self, error, rc, "read the database");
      return NULL;
    }

  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

static gboolean
exec_sql (PbiStore     *self,
          const gchar  *sql,
          const gchar  *what,
          GError      **error)
{
  int rc;

  ASSERT_OWNER (self);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return set_db_error (self, error, rc, what);

  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const gchar  *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static gchar *
column_dup (sqlite3_stmt *stmt,
            int           index)
{
  if (sqlite3_column_type (stmt, index) == SQLITE_NULL)
    return NULL;

  return g_strdup ((const gchar *) sqlite3_column_text (stmt, index));
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (PbiStore      *self,
           sqlite3_stmt  *stmt,
           const gchar   *what,
           GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;

  if (rc != SQLITE_DONE)
    return set_db_error (self, error, rc, what);

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
    }
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

/* ------------------------------------------------------------- settings */

static const SettingSpec *
find_spec (const gchar *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (setting_specs); i++)
    {
      if (g_str_equal (setting_specs[i].key, key))
        return &setting_specs[i];
    }

  return NULL;
}

static GHashTable *
read_settings (PbiStore  *self,
               GError   **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = get_stmt (self, "SELECT key, value FROM settings", error);
  if (stmt == NULL)
    return NULL;

  /* The PhotoBooth's table may lack a unique key: the last row wins. */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        continue;

      g_hash_table_replace (table, column_dup (stmt, 0), column_dup (stmt, 1));
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, rc, "read the settings");
      return NULL;
    }

  return g_steal_pointer (&table);
}

static void
collect_changes (GHashTable *old_table,
                 GHashTable *new_table,
                 GPtrArray  *changed)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, new_table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gpointer old_value = NULL;

      if (!g_hash_table_lookup_extended (old_table, key, NULL, &old_value) ||
          g_strcmp0 (old_value, value) != 0)
        g_ptr_array_add (changed, g_strdup (key));
    }

  g_hash_table_iter_init (&iter, old_table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (new_table, key))
        g_ptr_array_add (changed, g_strdup (key));
    }
}

static void
emit_changed (PbiStore    *self,
              const gchar *key)
{
  /* a new bad value deserves a new log line */
  g_hash_table_remove (self->reported, key);
  g_debug ("Setting %s changed", key);
  g_signal_emit (self, signals[SIGNAL_SETTING_CHANGED], g_quark_from_string (key), key);
}

/* Re-reads the settings table and tells about every key whose value changed. */
static void
reload_settings (PbiStore *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);

  table = read_settings (self, &error);
  if (table == NULL)
    {
      g_message ("%s", error->message);
      return;
    }

  collect_changes (self->settings, table, changed);
  g_clear_pointer (&self->settings, g_hash_table_unref);
  self->settings = g_steal_pointer (&table);

  for (guint i = 0; i < changed->len; i++)
    emit_changed (self, g_ptr_array_index (changed, i));
}

static gint64
read_data_version (PbiStore *self)
{
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = get_stmt (self, "PRAGMA data_version", NULL);
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
 * committed anything since the last look, and if so re-reads the settings
 * and emits #PbiStore::setting-changed for every key whose value changed.
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
  reload_settings (self);
  return TRUE;
}

static gboolean
poll_cb (gpointer user_data)
{
  PbiStore *self = user_data;

  pbi_store_check_changes (self);
  return G_SOURCE_CONTINUE;
}

static void
report_invalid (PbiStore          *self,
                const SettingSpec *spec,
                const gchar       *value,
                const gchar       *expected)
{
  const gchar *reported = g_hash_table_lookup (self->reported, spec->key);

  if (reported != NULL && g_str_equal (reported, value))
    return;

  g_hash_table_replace (self->reported, g_strdup (spec->key), g_strdup (value));
  g_message ("Setting %s has the invalid value '%s' (expected %s); using the default '%s'",
             spec->key, spec->secret ? "(hidden)" : value, expected, spec->def);
}

static gboolean
parse_boolean (const gchar *text,
               gboolean    *out)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));

  if (g_ascii_strcasecmp (copy, "true") == 0 || g_str_equal (copy, "1"))
    *out = TRUE;
  else if (g_ascii_strcasecmp (copy, "false") == 0 || g_str_equal (copy, "0"))
    *out = FALSE;
  else
    return FALSE;

  return TRUE;
}

static gboolean
parse_int (const gchar *text,
           gint         min,
           gint         max,
           gint        *out)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));
  gint64 value;

  if (!g_ascii_string_to_signed (copy, 10, min, max, &value, NULL))
    return FALSE;

  *out = (gint) value;
  return TRUE;
}

static gboolean
parse_time (const gchar *text)
{
  guint hours, minutes;
  gint consumed = -1;

  if (text[0] == '\0')
    return TRUE;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;

  if (sscanf (text, "%2u:%2u%n", &hours, &minutes, &consumed) != 2 ||
      consumed != (gint) strlen (text) ||
      !g_ascii_isdigit (text[consumed - 1]) || !g_ascii_isdigit (text[consumed - 2]))
    return FALSE;

  return hours < 24 && minutes < 60;
}

static const gchar *
lookup_setting (PbiStore    *self,
                const gchar *key)
{
  return g_hash_table_lookup (self->settings, key);
}

/**
 * pbi_store_is_known_setting:
 * @key: a row key such as `immich_album_name`
 *
 * Returns: %TRUE when @key is one of the settings this app defines
 */
gboolean
pbi_store_is_known_setting (const gchar *key)
{
  g_return_val_if_fail (key != NULL, FALSE);

  return find_spec (key) != NULL;
}

/**
 * pbi_store_known_settings:
 *
 * Returns: (transfer none) (array zero-terminated=1): the row keys of every
 *   setting this app defines, in a sensible order
 */
const gchar * const *
pbi_store_known_settings (void)
{
  static const gchar **keys = NULL;

  if (g_once_init_enter (&keys))
    {
      const gchar **array = g_new0 (const gchar *, G_N_ELEMENTS (setting_specs) + 1);

      for (guint i = 0; i < G_N_ELEMENTS (setting_specs); i++)
        array[i] = setting_specs[i].key;

      g_once_init_leave (&keys, array);
    }

  return keys;
}

/**
 * pbi_store_get_setting_default:
 * @key: a row key
 *
 * Returns: (nullable): the default value as text, %NULL for unknown keys
 */
const gchar *
pbi_store_get_setting_default (const gchar *key)
{
  const SettingSpec *spec;

  g_return_val_if_fail (key != NULL, NULL);

  spec = find_spec (key);
  return spec != NULL ? spec->def : NULL;
}

/**
 * pbi_store_dup_setting_raw:
 * @self: a #PbiStore
 * @key: a row key
 *
 * Returns: (transfer full) (nullable): the text stored for @key, unparsed,
 *   %NULL when there is no row
 */
gchar *
pbi_store_dup_setting_raw (PbiStore    *self,
                           const gchar *key)
{
  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_strdup (lookup_setting (self, key));
}

/**
 * pbi_store_get_setting_string:
 * @self: a #PbiStore
 * @key: a row key
 *
 * Gets a text setting.  A missing row gives the default; a schedule time
 * that is not "" or "HH:MM" is logged and gives the default.
 *
 * Returns: (transfer full) (nullable): the value; %NULL only for an unknown
 *   key without a row
 */
gchar *
pbi_store_get_setting_string (PbiStore    *self,
                              const gchar *key)
{
  const SettingSpec *spec;
  const gchar *value;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  spec = find_spec (key);
  value = lookup_setting (self, key);

  if (value == NULL)
    return spec != NULL ? g_strdup (spec->def) : NULL;

  if (spec != NULL && spec->kind == SPEC_TIME)
    {
      g_autofree gchar *copy = g_strstrip (g_strdup (value));

      if (!parse_time (copy))
        {
          report_invalid (self, spec, value, "a time HH:MM or nothing");
          return g_strdup (spec->def);
        }

      return g_steal_pointer (&copy);
    }

  return g_strdup (value);
}

/**
 * pbi_store_get_setting_boolean:
 * @self: a #PbiStore
 * @key: a row key of a boolean setting
 *
 * Accepts `true`, `false`, `1` and `0` in any case, spaces around them
 * ignored.  Anything else is logged (key and value) and gives the default.
 *
 * Returns: the value
 */
gboolean
pbi_store_get_setting_boolean (PbiStore    *self,
                               const gchar *key)
{
  const SettingSpec *spec;
  const gchar *value;
  gboolean def = FALSE;
  gboolean result;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  spec = find_spec (key);
  if (spec != NULL)
    parse_boolean (spec->def, &def);

  value = lookup_setting (self, key);
  if (value == NULL)
    return def;

  if (parse_boolean (value, &result))
    return result;

  if (spec != NULL)
    report_invalid (self, spec, value, "true or false");
  else
    g_message ("Setting %s has the invalid value '%s' (expected true or false); "
               "using the default 'false'", key, value);

  return def;
}

/**
 * pbi_store_get_setting_int:
 * @self: a #PbiStore
 * @key: a row key of a number setting
 *
 * A value that is not a whole number, or is out of the setting's range, is
 * logged (key and value) and gives the default.
 *
 * Returns: the value
 */
gint
pbi_store_get_setting_int (PbiStore    *self,
                           const gchar *key)
{
  const SettingSpec *spec;
  const gchar *value;
  gint def = 0;
  gint min = G_MININT;
  gint max = G_MAXINT;
  gint result;

  g_return_val_if_fail (PBI_IS_STORE (self), 0);
  g_return_val_if_fail (key != NULL, 0);

  spec = find_spec (key);
  if (spec != NULL && spec->kind == SPEC_INT)
    {
      def = atoi (spec->def);
      min = spec->min;
      max = spec->max;
    }

  value = lookup_setting (self, key);
  if (value == NULL)
    return def;

  if (parse_int (value, min, max, &result))
    return result;

  if (spec != NULL)
    {
      g_autofree gchar *expected = g_strdup_printf ("a whole number from %d to %d",
                                                    min, max);
      report_invalid (self, spec, value, expected);
    }
  else
    {
      g_message ("Setting %s has the invalid value '%s' (expected a whole number); "
                 "using the default '0'", key, value);
    }

  return def;
}

/**
 * pbi_store_get_setting_strv:
 * @self: a #PbiStore
 * @key: a row key of a list setting (`immich_extra_albums`)
 *
 * Lists are stored as comma-separated text (`Party,Birthday 2024`): spaces
 * around items are dropped, empty items ignored.  An item cannot contain a
 * comma.
 *
 * Returns: (transfer full): the items, possibly none
 */
gchar **
pbi_store_get_setting_strv (PbiStore    *self,
                            const gchar *key)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;
  g_autofree gchar *value = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = pbi_store_get_setting_string (self, key);
  if (value == NULL)
    return g_strv_builder_end (builder);

  parts = g_strsplit (value, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

static void
cache_setting (PbiStore    *self,
               const gchar *key,
               const gchar *value)
{
  gboolean changed;

  changed = g_strcmp0 (lookup_setting (self, key), value) != 0 ||
            (value == NULL) == g_hash_table_contains (self->settings, key);

  if (value == NULL)
    g_hash_table_remove (self->settings, key);
  else
    g_hash_table_replace (self->settings, g_strdup (key), g_strdup (value));

  /* Our own commits do not move data_version: say it here. */
  if (changed)
    emit_changed (self, key);
}

/**
 * pbi_store_set_setting:
 * @self: a #PbiStore
 * @key: a row key
 * @value: (nullable): the text to store, %NULL to delete the row (back to
 *   the default)
 * @error: return location for a #GError
 *
 * Writes one settings row (UPDATE, then INSERT when there was no row, so a
 * table without a unique key works too) and emits
 * #PbiStore::setting-changed when the value changed.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_setting (PbiStore     *self,
                       const gchar  *key,
                       const gchar  *value,
                       GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    {
      stmt = get_stmt (self, "DELETE FROM settings WHERE key = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      if (!step_done (self, stmt, "reset a setting", error))
        return FALSE;

      cache_setting (self, key, NULL);
      return TRUE;
    }

  stmt = get_stmt (self, "UPDATE settings SET value = ?2 WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, "save a setting", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_autoptr(PbiStmt) insert = NULL;

      insert = get_stmt (self, "INSERT INTO settings (key, value) VALUES (?1, ?2)", error);
      if (insert == NULL)
        return FALSE;
      sqlite3_bind_text (insert, 1, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, value, -1, SQLITE_TRANSIENT);
      if (!step_done (self, insert, "save a setting", error))
        return FALSE;
    }

  cache_setting (self, key, value);
  return TRUE;
}

/**
 * pbi_store_set_setting_checked:
 * @self: a #PbiStore
 * @key: a row key of a known setting
 * @value: the text to store
 * @error: return location for a #GError
 *
 * Like pbi_store_set_setting(), for values typed by a person: refuses an
 * unknown key or a value the getters would not accept
 * (%G_IO_ERROR_INVALID_ARGUMENT, naming the key and what is expected) and
 * stores booleans as `true`/`false`, numbers without spaces.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_setting_checked (PbiStore     *self,
                               const gchar  *key,
                               const gchar  *value,
                               GError      **error)
{
  const SettingSpec *spec;
  g_autofree gchar *text = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  spec = find_spec (key);
  if (spec == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown setting %s", key);
      return FALSE;
    }

  switch (spec->kind)
    {
    case SPEC_BOOLEAN:
      {
        gboolean b;

        if (!parse_boolean (value, &b))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "Setting %s must be true or false", key);
            return FALSE;
          }
        text = g_strdup (b ? "true" : "false");
      }
      break;

    case SPEC_INT:
      {
        gint n;

        if (!parse_int (value, spec->min, spec->max, &n))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "Setting %s must be a whole number from %d to %d",
                         key, spec->min, spec->max);
            return FALSE;
          }
        text = g_strdup_printf ("%d", n);
      }
      break;

    case SPEC_TIME:
      text = g_strstrip (g_strdup (value));
      if (!parse_time (text))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Setting %s must be a time HH:MM (00:00 to 23:59) or empty", key);
          return FALSE;
        }
      break;

    case SPEC_STRING:
    case SPEC_LIST:
    default:
      text = g_strdup (value);
      break;
    }

  return pbi_store_set_setting (self, key, text, error);
}

/**
 * pbi_store_set_setting_boolean:
 * @self: a #PbiStore
 * @key: a row key
 * @value: the value, stored as `true` or `false`
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_setting_boolean (PbiStore     *self,
                               const gchar  *key,
                               gboolean      value,
                               GError      **error)
{
  return pbi_store_set_setting (self, key, value ? "true" : "false", error);
}

/**
 * pbi_store_set_setting_int:
 * @self: a #PbiStore
 * @key: a row key
 * @value: the value, stored as decimal text
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_setting_int (PbiStore     *self,
                           const gchar  *key,
                           gint          value,
                           GError      **error)
{
  gchar text[16];

  g_snprintf (text, sizeof text, "%d", value);
  return pbi_store_set_setting (self, key, text, error);
}

/**
 * pbi_store_reset_setting:
 * @self: a #PbiStore
 * @key: a row key
 * @error: return location for a #GError
 *
 * Deletes the row, so the default applies.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_reset_setting (PbiStore     *self,
                         const gchar  *key,
                         GError      **error)
{
  return pbi_store_set_setting (self, key, NULL, error);
}

/* ------------------------------------------------------------ migration */

static gboolean
table_exists (PbiStore     *self,
              const gchar  *name,
              gboolean     *exists,
              GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = get_stmt (self, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                   error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_db_error (self, error, rc, "read the database");

  *exists = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
query_int (PbiStore     *self,
           const gchar  *sql,
           const gchar  *text_arg,
           gint64       *out,
           GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = get_stmt (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return set_db_error (self, error, rc, "read the database");

  return TRUE;
}

static gboolean
meta_set (PbiStore     *self,
          const gchar  *key,
          const gchar  *value,
          GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  stmt = get_stmt (self, "INSERT OR REPLACE INTO pbi_meta (key, value) VALUES (?1, ?2)",
                   error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return step_done (self, stmt, "save the schema information", error);
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
      !query_int (self, "PRAGMA user_version", NULL, &user_version, error))
    return FALSE;

  if (has_meta)
    {
      if (!query_int (self, "SELECT value = 'foreign' FROM pbi_meta WHERE key = 'owner'",
                      NULL, &foreign, error))
        return FALSE;
    }
  else
    {
      gint64 n_objects = 0;

      /* First time we see this file: if anything is in it already (the
       * PhotoBooth's tables) or someone set user_version, it is not ours and
       * its user_version is not ours to change. */
      if (!query_int (self,
                      "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                      NULL, &n_objects, error))
        return FALSE;

      foreign = n_objects > 0 || user_version != 0;
    }

  self->foreign = foreign != 0;

  if (self->foreign)
    {
      if (has_meta &&
          !query_int (self, "SELECT CAST(value AS INTEGER) FROM pbi_meta WHERE key = 'schema_version'",
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
      if (!exec_sql (self, migrations[v], "update the database schema", error))
        return FALSE;
    }

  if (!has_meta && !meta_set (self, "owner", self->foreign ? "foreign" : "own", error))
    return FALSE;

  if (version != PBI_STORE_SCHEMA_VERSION)
    {
      if (self->foreign)
        {
          g_autofree gchar *text = g_strdup_printf ("%d", PBI_STORE_SCHEMA_VERSION);

          if (!meta_set (self, "schema_version", text, error))
            return FALSE;
        }
      else
        {
          g_autofree gchar *sql = g_strdup_printf ("PRAGMA user_version = %d",
                                                   PBI_STORE_SCHEMA_VERSION);

          if (!exec_sql (self, sql, "update the database schema", error))
            return FALSE;
        }
    }

  /* The PhotoBooth's own table: only created when missing, never altered. */
  if (!exec_sql (self, "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT)",
                 "create the settings table", error))
    return FALSE;

  self->schema_version = PBI_STORE_SCHEMA_VERSION;
  return TRUE;
}

static gboolean
migrate (PbiStore  *self,
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

  if (!exec_sql (self, self->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT pbi_nested",
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
      reload_settings (self);
      return FALSE;
    }

  if (self->depth > 1)
    {
      self->depth--;
      return exec_sql (self, "RELEASE pbi_nested", "commit a transaction", error);
    }

  if (!exec_sql (self, "COMMIT", "commit a transaction", error))
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      self->depth = 0;
      reload_settings (self);
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
      reload_settings (self);
      return;
    }

  self->depth--;

  if (self->depth > 0)
    {
      sqlite3_exec (self->db, "ROLLBACK TO pbi_nested; RELEASE pbi_nested", NULL, NULL, NULL);
      reload_settings (self);
      return;
    }

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);

  /* Settings written inside the transaction are gone again. */
  reload_settings (self);
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
  signals[SIGNAL_SETTING_CHANGED] =
    g_signal_new ("setting-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
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

  stmt = get_stmt (self, "PRAGMA journal_mode = WAL", error);
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
      return set_db_error (self, error, rc, "open the database");
    }
  else
    {
      mode = (const gchar *) sqlite3_column_text (stmt, 0);
      if (g_strcmp0 (mode, "wal") != 0)
        g_message ("Could not switch %s to WAL mode; it stays in '%s' mode",
                   self->path, mode != NULL ? mode : "unknown");
    }

  return exec_sql (self,
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

  if (!configure (self, error) || !migrate (self, error))
    return NULL;

  make_all_private (self->path);

  settings = read_settings (self, error);
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
    return set_db_error (self, error, rc, "check the database");

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
    return set_db_error (self, error, rc, "check the database");

  if (n_lines > 0)
    {
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_CORRUPT,
                   "The database %s is damaged: %s", self->path, problems->str);
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------- files */

/**
 * pbi_file_state_to_string:
 * @state: a #PbiFileState
 *
 * Returns: the text stored in the database (`pending`, `done`, ...)
 */
const gchar *
pbi_file_state_to_string (PbiFileState state)
{
  g_return_val_if_fail (state < PBI_N_FILE_STATES, NULL);

  return file_state_names[state];
}

/**
 * pbi_file_state_from_string:
 * @text: stored text
 * @state: (out): the state
 *
 * Returns: %TRUE when @text names a state
 */
gboolean
pbi_file_state_from_string (const gchar  *text,
                            PbiFileState *state)
{
  g_return_val_if_fail (state != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < PBI_N_FILE_STATES; i++)
    {
      if (g_str_equal (text, file_state_names[i]))
        {
          *state = (PbiFileState) i;
          return TRUE;
        }
    }

  return FALSE;
}

G_DEFINE_BOXED_TYPE (PbiFileRecord, pbi_file_record, pbi_file_record_copy, pbi_file_record_free)

/**
 * pbi_file_record_new:
 * @path: the file
 *
 * Returns: (transfer full): a PENDING record with no albums
 */
PbiFileRecord *
pbi_file_record_new (const gchar *path)
{
  PbiFileRecord *record = g_new0 (PbiFileRecord, 1);

  record->path = g_strdup (path);
  record->state = PBI_FILE_STATE_PENDING;
  record->albums = g_new0 (gchar *, 1);
  return record;
}

/**
 * pbi_file_record_copy:
 * @record: a #PbiFileRecord
 *
 * Returns: (transfer full): a deep copy
 */
PbiFileRecord *
pbi_file_record_copy (const PbiFileRecord *record)
{
  PbiFileRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_memdup2 (record, sizeof *record);
  copy->path = g_strdup (record->path);
  copy->sha1 = g_strdup (record->sha1);
  copy->asset_id = g_strdup (record->asset_id);
  copy->albums = record->albums != NULL ? g_strdupv (record->albums) : g_new0 (gchar *, 1);
  copy->target_album = g_strdup (record->target_album);
  copy->last_error = g_strdup (record->last_error);
  return copy;
}

/**
 * pbi_file_record_free:
 * @record: (nullable): a #PbiFileRecord
 */
void
pbi_file_record_free (PbiFileRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->path);
  g_free (record->sha1);
  g_free (record->asset_id);
  g_strfreev (record->albums);
  g_free (record->target_album);
  g_free (record->last_error);
  g_free (record);
}

/* Album lists are stored as JSON arrays; SQLite's JSON functions do the
 * quoting and parsing. */
static gchar *
albums_to_json (PbiStore            *self,
                const gchar * const *albums,
                GError             **error)
{
  g_autofree gchar *json = g_strdup ("[]");

  if (albums == NULL)
    return g_steal_pointer (&json);

  for (guint i = 0; albums[i] != NULL; i++)
    {
      g_autoptr(PbiStmt) stmt = NULL;
      int rc;

      stmt = get_stmt (self, "SELECT json_insert(?1, '$[#]', ?2)", error);
      if (stmt == NULL)
        return NULL;

      sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, albums[i], -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          set_db_error (self, error, rc, "save the album list");
          return NULL;
        }

      g_free (json);
      json = column_dup (stmt, 0);
    }

  return g_steal_pointer (&json);
}

static gchar **
albums_from_json (PbiStore    *self,
                  const gchar *json)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  if (json == NULL || json[0] == '\0')
    return g_strv_builder_end (builder);

  stmt = get_stmt (self, "SELECT value FROM json_each(?1) WHERE type = 'text'", NULL);
  if (stmt == NULL)
    return g_strv_builder_end (builder);

  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const gchar *) sqlite3_column_text (stmt, 0));

  if (rc != SQLITE_DONE)
    g_message ("Ignoring a damaged album list in %s: %s", self->path, json);

  return g_strv_builder_end (builder);
}

#define FILE_COLUMNS \
  "id, path, size, mtime, sha1, state, asset_id, albums, target_album, attempts, " \
  "next_retry, last_error, created, updated"

static PbiFileRecord *
record_from_row (PbiStore     *self,
                 sqlite3_stmt *stmt)
{
  PbiFileRecord *record = g_new0 (PbiFileRecord, 1);
  const gchar *state = (const gchar *) sqlite3_column_text (stmt, 5);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->path = column_dup (stmt, 1);
  record->size = sqlite3_column_int64 (stmt, 2);
  record->mtime = sqlite3_column_int64 (stmt, 3);
  record->sha1 = column_dup (stmt, 4);
  if (!pbi_file_state_from_string (state, &record->state))
    {
      g_message ("File %s has the unknown state '%s' in %s; treating it as pending",
                 record->path, state != NULL ? state : "", self->path);
      record->state = PBI_FILE_STATE_PENDING;
    }
  record->asset_id = column_dup (stmt, 6);
  record->albums = albums_from_json (self, (const gchar *) sqlite3_column_text (stmt, 7));
  record->target_album = column_dup (stmt, 8);
  record->attempts = (guint) CLAMP (sqlite3_column_int64 (stmt, 9), 0, G_MAXUINT);
  record->next_retry = sqlite3_column_int64 (stmt, 10);
  record->last_error = column_dup (stmt, 11);
  record->created = sqlite3_column_int64 (stmt, 12);
  record->updated = sqlite3_column_int64 (stmt, 13);
  return record;
}

static PbiFileRecord *
file_get_one (PbiStore     *self,
              const gchar  *sql,
              const gchar  *path,
              gint64        id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = get_stmt (self, sql, &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return NULL;
    }

  if (path != NULL)
    sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return record_from_row (self, stmt);

  if (rc != SQLITE_DONE)
    log_db_error (self, rc, "read a file record");

  return NULL;
}

/**
 * pbi_store_file_get:
 * @self: a #PbiStore
 * @path: the file
 *
 * Returns: (transfer full) (nullable): its record, %NULL when unknown
 */
PbiFileRecord *
pbi_store_file_get (PbiStore    *self,
                    const gchar *path)
{
  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return file_get_one (self, "SELECT " FILE_COLUMNS " FROM pbi_files WHERE path = ?1",
                       path, 0);
}

/**
 * pbi_store_file_find_synced:
 * @self: a #PbiStore
 * @sha1: lower-case hex SHA1
 *
 * Finds a file with this content that is already on the server (done or
 * duplicate, with an asset id), so a copy of it needs no upload.
 *
 * Returns: (transfer full) (nullable): the most recently changed such
 *   record, %NULL when none
 */
PbiFileRecord *
pbi_store_file_find_synced (PbiStore    *self,
                            const gchar *sha1)
{
  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (sha1 != NULL, NULL);

  return file_get_one (self,
                       "SELECT " FILE_COLUMNS " FROM pbi_files WHERE sha1 = ?1 "
                       "AND state IN ('done', 'duplicate') AND asset_id IS NOT NULL "
                       "ORDER BY updated DESC LIMIT 1",
                       sha1, 0);
}

/**
 * pbi_store_file_get_by_id:
 * @self: a #PbiStore
 * @id: a row id
 *
 * Returns: (transfer full) (nullable): its record, %NULL when unknown
 */
PbiFileRecord *
pbi_store_file_get_by_id (PbiStore *self,
                          gint64    id)
{
  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  return file_get_one (self, "SELECT " FILE_COLUMNS " FROM pbi_files WHERE id = ?1",
                       NULL, id);
}

/**
 * pbi_store_file_put:
 * @self: a #PbiStore
 * @record: the record; its path says which row
 * @error: return location for a #GError
 *
 * Inserts the record, or updates every field of the row with the same path
 * (its `created` time is kept).  Fills in @record's id, created and updated.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_file_put (PbiStore       *self,
                    PbiFileRecord  *record,
                    GError        **error)
{
  g_autoptr(PbiStmt) stmt = NULL;
  g_autofree gchar *albums = NULL;
  gint64 now = g_get_real_time ();
  int rc;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL && record->path != NULL, FALSE);
  g_return_val_if_fail (record->state < PBI_N_FILE_STATES, FALSE);

  albums = albums_to_json (self, (const gchar * const *) record->albums, error);
  if (albums == NULL)
    return FALSE;

  stmt = get_stmt (self,
                   "INSERT INTO pbi_files (path, size, mtime, sha1, state, asset_id, albums, "
                   "  target_album, attempts, next_retry, last_error, created, updated) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                   "ON CONFLICT (path) DO UPDATE SET size = excluded.size, "
                   "  mtime = excluded.mtime, sha1 = excluded.sha1, state = excluded.state, "
                   "  asset_id = excluded.asset_id, albums = excluded.albums, "
                   "  target_album = excluded.target_album, attempts = excluded.attempts, "
                   "  next_retry = excluded.next_retry, last_error = excluded.last_error, "
                   "  updated = excluded.updated "
                   "RETURNING id, created",
                   error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, record->path);
  sqlite3_bind_int64 (stmt, 2, record->size);
  sqlite3_bind_int64 (stmt, 3, record->mtime);
  bind_text (stmt, 4, record->sha1);
  bind_text (stmt, 5, file_state_names[record->state]);
  bind_text (stmt, 6, record->asset_id);
  bind_text (stmt, 7, albums);
  bind_text (stmt, 8, record->target_album);
  sqlite3_bind_int64 (stmt, 9, record->attempts);
  sqlite3_bind_int64 (stmt, 10, record->next_retry);
  bind_text (stmt, 11, record->last_error);
  sqlite3_bind_int64 (stmt, 12, record->created != 0 ? record->created : now);
  sqlite3_bind_int64 (stmt, 13, now);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return set_db_error (self, error, rc, "save a file record");

  record->id = sqlite3_column_int64 (stmt, 0);
  record->created = sqlite3_column_int64 (stmt, 1);
  record->updated = now;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (self, error, rc, "save a file record");

  return TRUE;
}

/**
 * pbi_store_file_set_state:
 * @self: a #PbiStore
 * @id: the row id
 * @state: the new state
 * @asset_id: (nullable): the server's asset id; %NULL keeps the stored one
 * @last_error: (nullable): why it failed; %NULL clears it
 * @next_retry: µs since the epoch when a FAILED file may be retried
 * @error: return location for a #GError
 *
 * Moves a file to @state.  Moving to %PBI_FILE_STATE_FAILED counts one more
 * attempt.
 *
 * Returns: %TRUE on success; %PBI_STORE_ERROR_FAILED when there is no such row
 */
gboolean
pbi_store_file_set_state (PbiStore      *self,
                          gint64         id,
                          PbiFileState   state,
                          const gchar   *asset_id,
                          const gchar   *last_error,
                          gint64         next_retry,
                          GError       **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (state < PBI_N_FILE_STATES, FALSE);

  stmt = get_stmt (self,
                   "UPDATE pbi_files SET state = ?2, asset_id = coalesce(?3, asset_id), "
                   "  last_error = ?4, next_retry = ?5, "
                   "  attempts = attempts + (?2 = 'failed'), updated = ?6 "
                   "WHERE id = ?1",
                   error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, file_state_names[state]);
  bind_text (stmt, 3, asset_id);
  bind_text (stmt, 4, last_error);
  sqlite3_bind_int64 (stmt, 5, next_retry);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());

  if (!step_done (self, stmt, "save the state of a file", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED,
                   "No file with id %" G_GINT64_FORMAT " in %s", id, self->path);
      return FALSE;
    }

  return TRUE;
}

/**
 * pbi_store_file_remove:
 * @self: a #PbiStore
 * @path: the file
 * @error: return location for a #GError
 *
 * Forgets a file (no error when it was unknown).
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_file_remove (PbiStore     *self,
                       const gchar  *path,
                       GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  stmt = get_stmt (self, "DELETE FROM pbi_files WHERE path = ?1", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, path);
  return step_done (self, stmt, "forget a file", error);
}

/**
 * pbi_store_files_due:
 * @self: a #PbiStore
 * @now_us: the current time, µs since the epoch
 * @limit: at most this many; 0 for all
 *
 * The files to work on: unfinished ones (pending, and those interrupted
 * while hashing, checking, uploading or adding) and failed ones whose retry
 * time has come; oldest first.
 *
 * Returns: (transfer container) (element-type PbiFileRecord): the records
 */
GPtrArray *
pbi_store_files_due (PbiStore *self,
                     gint64    now_us,
                     guint     limit)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_file_record_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  stmt = get_stmt (self,
                   "SELECT " FILE_COLUMNS " FROM pbi_files "
                   "WHERE state IN ('pending', 'hashing', 'checking', 'uploading', 'adding') "
                   "   OR (state = 'failed' AND next_retry <= ?1) "
                   "ORDER BY created, id LIMIT ?2",
                   &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return g_steal_pointer (&records);
    }

  sqlite3_bind_int64 (stmt, 1, now_us);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, record_from_row (self, stmt));

  if (rc != SQLITE_DONE)
    log_db_error (self, rc, "read the queue");

  return g_steal_pointer (&records);
}

/**
 * pbi_store_files_failed:
 * @self: a #PbiStore
 * @limit: at most this many; 0 for all
 *
 * The failed (will retry) and rejected files, most recently changed first.
 *
 * Returns: (transfer container) (element-type PbiFileRecord): the records
 */
GPtrArray *
pbi_store_files_failed (PbiStore *self,
                        guint     limit)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_file_record_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  stmt = get_stmt (self,
                   "SELECT " FILE_COLUMNS " FROM pbi_files "
                   "WHERE state IN ('failed', 'rejected') "
                   "ORDER BY updated DESC, id DESC LIMIT ?1",
                   &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return g_steal_pointer (&records);
    }

  sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64) limit : -1);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, record_from_row (self, stmt));

  if (rc != SQLITE_DONE)
    log_db_error (self, rc, "read the failed files");

  return g_steal_pointer (&records);
}

/**
 * pbi_store_files_next_retry:
 * @self: a #PbiStore
 *
 * Returns: the earliest next_retry of the failed files, µs since the epoch;
 *   0 when none failed
 */
gint64
pbi_store_files_next_retry (PbiStore *self)
{
  g_autoptr(GError) error = NULL;
  gint64 when = 0;

  g_return_val_if_fail (PBI_IS_STORE (self), 0);

  if (!query_int (self, "SELECT coalesce(min(next_retry), 0) FROM pbi_files WHERE state = ?1",
                  "failed", &when, &error))
    g_message ("%s", error->message);

  return when;
}

/**
 * pbi_store_files_count_by_state:
 * @self: a #PbiStore
 * @counts: (out caller-allocates) (array fixed-size=9): files per state
 *
 * Counts the files in each state.
 */
void
pbi_store_files_count_by_state (PbiStore *self,
                                guint     counts[PBI_N_FILE_STATES])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  g_return_if_fail (PBI_IS_STORE (self));
  g_return_if_fail (counts != NULL);

  memset (counts, 0, sizeof (guint) * PBI_N_FILE_STATES);

  stmt = get_stmt (self, "SELECT state, count(*) FROM pbi_files GROUP BY state", &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PbiFileState state;

      if (pbi_file_state_from_string ((const gchar *) sqlite3_column_text (stmt, 0), &state))
        counts[state] += (guint) sqlite3_column_int64 (stmt, 1);
      else
        counts[PBI_FILE_STATE_PENDING] += (guint) sqlite3_column_int64 (stmt, 1);
    }

  if (rc != SQLITE_DONE)
    log_db_error (self, rc, "count the files");
}

/**
 * pbi_store_files_reset_failed:
 * @self: a #PbiStore
 * @error: return location for a #GError
 *
 * "Retry failed": puts failed and rejected files back to pending with no
 * attempts counted.
 *
 * Returns: how many files were reset, or -1 with @error set
 */
gint
pbi_store_files_reset_failed (PbiStore  *self,
                              GError   **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), -1);

  stmt = get_stmt (self,
                   "UPDATE pbi_files SET state = 'pending', attempts = 0, next_retry = 0, "
                   "  last_error = NULL, updated = ?1 "
                   "WHERE state IN ('failed', 'rejected')",
                   error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  if (!step_done (self, stmt, "reset the failed files", error))
    return -1;

  return sqlite3_changes (self->db);
}

/* --------------------------------------------------------------- albums */

/**
 * pbi_store_album_get:
 * @self: a #PbiStore
 * @server: the server URL
 * @name: the album name
 *
 * Returns: (transfer full) (nullable): the cached album id
 */
gchar *
pbi_store_album_get (PbiStore    *self,
                     const gchar *server,
                     const gchar *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (server != NULL && name != NULL, NULL);

  stmt = get_stmt (self, "SELECT album_id FROM pbi_albums WHERE server = ?1 AND name = ?2",
                   &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return NULL;
    }

  bind_text (stmt, 1, server);
  bind_text (stmt, 2, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return column_dup (stmt, 0);

  if (rc != SQLITE_DONE)
    log_db_error (self, rc, "read the album cache");

  return NULL;
}

/**
 * pbi_store_album_set:
 * @self: a #PbiStore
 * @server: the server URL
 * @name: the album name
 * @album_id: the server's id of the album
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_album_set (PbiStore     *self,
                     const gchar  *server,
                     const gchar  *name,
                     const gchar  *album_id,
                     GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (server != NULL && name != NULL && album_id != NULL, FALSE);

  stmt = get_stmt (self,
                   "INSERT OR REPLACE INTO pbi_albums (server, name, album_id) VALUES (?1, ?2, ?3)",
                   error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, server);
  bind_text (stmt, 2, name);
  bind_text (stmt, 3, album_id);
  return step_done (self, stmt, "save the album cache", error);
}

/**
 * pbi_store_album_forget:
 * @self: a #PbiStore
 * @server: the server URL
 * @name: (nullable): the album name; %NULL forgets every album of @server
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_album_forget (PbiStore     *self,
                        const gchar  *server,
                        const gchar  *name,
                        GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (server != NULL, FALSE);

  if (name != NULL)
    stmt = get_stmt (self, "DELETE FROM pbi_albums WHERE server = ?1 AND name = ?2", error);
  else
    stmt = get_stmt (self, "DELETE FROM pbi_albums WHERE server = ?1", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, server);
  if (name != NULL)
    bind_text (stmt, 2, name);
  return step_done (self, stmt, "update the album cache", error);
}

/* ------------------------------------------------------------- counters */

/**
 * pbi_store_counter_get:
 * @self: a #PbiStore
 * @name: the counter (`uploaded`, `duplicates`, ...)
 *
 * Returns: its value, 0 when never counted
 */
gint64
pbi_store_counter_get (PbiStore    *self,
                       const gchar *name)
{
  g_autoptr(GError) error = NULL;
  gint64 value = 0;

  g_return_val_if_fail (PBI_IS_STORE (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  if (!query_int (self, "SELECT value FROM pbi_counters WHERE name = ?1", name, &value, &error))
    g_message ("%s", error->message);

  return value;
}

/**
 * pbi_store_counter_add:
 * @self: a #PbiStore
 * @name: the counter
 * @delta: what to add (may be negative)
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_counter_add (PbiStore     *self,
                       const gchar  *name,
                       gint64        delta,
                       GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  stmt = get_stmt (self,
                   "INSERT INTO pbi_counters (name, value) VALUES (?1, ?2) "
                   "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                   error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, delta);
  return step_done (self, stmt, "save a counter", error);
}

/**
 * pbi_store_get_last_sync:
 * @self: a #PbiStore
 *
 * Returns: when a photo last reached the server, µs since the epoch; 0 never
 */
gint64
pbi_store_get_last_sync (PbiStore *self)
{
  g_autoptr(GError) error = NULL;
  gint64 when = 0;

  g_return_val_if_fail (PBI_IS_STORE (self), 0);

  if (!query_int (self, "SELECT CAST(value AS INTEGER) FROM pbi_meta WHERE key = ?1",
                  "last_sync", &when, &error))
    g_message ("%s", error->message);

  return when;
}

/**
 * pbi_store_dup_last_sync_time:
 * @self: a #PbiStore
 *
 * Returns: (transfer full) (nullable): the last sync as local time, %NULL
 *   when never
 */
GDateTime *
pbi_store_dup_last_sync_time (PbiStore *self)
{
  g_autoptr(GDateTime) utc = NULL;
  gint64 when;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  when = pbi_store_get_last_sync (self);
  if (when <= 0)
    return NULL;

  utc = g_date_time_new_from_unix_utc (when / G_USEC_PER_SEC);
  if (utc == NULL)
    return NULL;

  return g_date_time_to_local (utc);
}

/**
 * pbi_store_set_last_sync:
 * @self: a #PbiStore
 * @when_us: µs since the epoch
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_last_sync (PbiStore     *self,
                         gint64        when_us,
                         GError      **error)
{
  g_autofree gchar *text = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);

  text = g_strdup_printf ("%" G_GINT64_FORMAT, when_us);
  return meta_set (self, "last_sync", text, error);
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
