/* pbi-store-files.c: the file queue of PbiStore: PbiFileRecord, one row
 * per photo with its state, checksum, asset id, albums and retry time.
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

static const gchar *file_state_names[PBI_N_FILE_STATES] = {
  "pending", "hashing", "checking", "uploading", "adding",
  "done", "duplicate", "failed", "rejected",
};

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

      stmt = _pbi_store_get_stmt (self, "SELECT json_insert(?1, '$[#]', ?2)", error);
      if (stmt == NULL)
        return NULL;

      sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, albums[i], -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          _pbi_store_set_db_error (self, error, rc, "save the album list");
          return NULL;
        }

      g_free (json);
      json = _pbi_store_column_dup (stmt, 0);
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

  stmt = _pbi_store_get_stmt (self, "SELECT value FROM json_each(?1) WHERE type = 'text'", NULL);
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
  record->path = _pbi_store_column_dup (stmt, 1);
  record->size = sqlite3_column_int64 (stmt, 2);
  record->mtime = sqlite3_column_int64 (stmt, 3);
  record->sha1 = _pbi_store_column_dup_compact (stmt, 4);
  if (!pbi_file_state_from_string (state, &record->state))
    {
      g_message ("File %s has the unknown state '%s' in %s; treating it as pending",
                 record->path, state != NULL ? state : "", self->path);
      record->state = PBI_FILE_STATE_PENDING;
    }
  record->asset_id = _pbi_store_column_dup_compact (stmt, 6);
  record->albums = albums_from_json (self, (const gchar *) sqlite3_column_text (stmt, 7));
  record->target_album = _pbi_store_column_dup (stmt, 8);
  record->attempts = (guint) CLAMP (sqlite3_column_int64 (stmt, 9), 0, G_MAXUINT);
  record->next_retry = sqlite3_column_int64 (stmt, 10);
  record->last_error = _pbi_store_column_dup (stmt, 11);
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

  stmt = _pbi_store_get_stmt (self, sql, &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return NULL;
    }

  if (path != NULL)
    {
      sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);
      if (sqlite3_bind_parameter_count (stmt) >= 2)
        _pbi_store_bind_compact (stmt, 2, path);   /* a checksum, as stored */
    }
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return record_from_row (self, stmt);

  if (rc != SQLITE_DONE)
    _pbi_store_log_db_error (self, rc, "read a file record");

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
 * pbi_store_files_synced:
 * @self: a #PbiStore
 * @albums: (nullable): the album names a sync asks for, or %NULL for any
 *
 * Every file done or duplicate whose album list is exactly @albums (any
 * list, for %NULL), in one query: a second sync of a large folder compares
 * each file with this instead of reading its row (two statements per file).
 *
 * Returns: (transfer full) (element-type filename gint64): path -> an
 *   array of two gint64, the size and mtime (µs) stored
 */
GHashTable *
pbi_store_files_synced (PbiStore            *self,
                        const gchar * const *albums)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(PbiStmt) stmt = NULL;
  g_autofree gchar *json = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  g_return_val_if_fail (PBI_IS_STORE (self), out);

  if (albums == NULL)
    stmt = _pbi_store_get_stmt (self, "SELECT path, size, mtime FROM pbi_files "
                                "WHERE state IN ('done', 'duplicate')", &error);
  else if ((json = albums_to_json (self, albums, &error)) != NULL)
    stmt = _pbi_store_get_stmt (self, "SELECT path, size, mtime FROM pbi_files "
                                "WHERE state IN ('done', 'duplicate') AND albums = ?1", &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return out;
    }
  if (json != NULL)
    sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *v = g_new (gint64, 2);

      v[0] = sqlite3_column_int64 (stmt, 1);
      v[1] = sqlite3_column_int64 (stmt, 2);
      g_hash_table_insert (out, _pbi_store_column_dup (stmt, 0), v);
    }
  if (rc != SQLITE_DONE)
    g_hash_table_remove_all (out);   /* the slow way then: each row read */
  return out;
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
                       "SELECT " FILE_COLUMNS " FROM pbi_files "
                       /* stored as bytes, or as text before schema 4 */
                       "WHERE ((substr(sha1, 1, 4) = substr(?2, 1, 4) AND sha1 = ?2) "
                       "    OR (substr(sha1, 1, 4) = substr(?1, 1, 4) AND sha1 = ?1)) "
                       /* (+: by the checksum index, not the state one) */
                       "AND +state IN ('done', 'duplicate') AND asset_id IS NOT NULL "
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

  stmt = _pbi_store_get_stmt (self,
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

  _pbi_store_bind_text (stmt, 1, record->path);
  sqlite3_bind_int64 (stmt, 2, record->size);
  sqlite3_bind_int64 (stmt, 3, record->mtime);
  _pbi_store_bind_compact (stmt, 4, record->sha1);
  _pbi_store_bind_text (stmt, 5, file_state_names[record->state]);
  _pbi_store_bind_compact (stmt, 6, record->asset_id);
  _pbi_store_bind_text (stmt, 7, albums);
  _pbi_store_bind_text (stmt, 8, record->target_album);
  sqlite3_bind_int64 (stmt, 9, record->attempts);
  sqlite3_bind_int64 (stmt, 10, record->next_retry);
  _pbi_store_bind_text (stmt, 11, record->last_error);
  sqlite3_bind_int64 (stmt, 12, record->created != 0 ? record->created : now);
  sqlite3_bind_int64 (stmt, 13, now);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return _pbi_store_set_db_error (self, error, rc, "save a file record");

  record->id = sqlite3_column_int64 (stmt, 0);
  record->created = sqlite3_column_int64 (stmt, 1);
  record->updated = now;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return _pbi_store_set_db_error (self, error, rc, "save a file record");

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

  stmt = _pbi_store_get_stmt (self,
                              "UPDATE pbi_files SET state = ?2, asset_id = coalesce(?3, asset_id), "
                              "  last_error = ?4, next_retry = ?5, "
                              "  attempts = attempts + (?2 = 'failed'), updated = ?6 "
                              "WHERE id = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  _pbi_store_bind_text (stmt, 2, file_state_names[state]);
  _pbi_store_bind_compact (stmt, 3, asset_id);
  _pbi_store_bind_text (stmt, 4, last_error);
  sqlite3_bind_int64 (stmt, 5, next_retry);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());

  if (!_pbi_store_step_done (self, stmt, "save the state of a file", error))
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

  stmt = _pbi_store_get_stmt (self, "DELETE FROM pbi_files WHERE path = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _pbi_store_bind_text (stmt, 1, path);
  return _pbi_store_step_done (self, stmt, "forget a file", error);
}

static GPtrArray *
records_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_file_record_free);
}

/* The statement for a query of file records, or NULL (and a log line). */
static PbiStmt *
records_query (PbiStore    *self,
               const gchar *sql)
{
  g_autoptr(GError) error = NULL;
  PbiStmt *stmt = _pbi_store_get_stmt (self, sql, &error);

  if (stmt == NULL)
    g_message ("%s", error->message);
  return stmt;
}

/* Every row of @stmt (bound) as a PbiFileRecord; a failure to @what is
 * logged and ends the list. */
static GPtrArray *
records_read (PbiStore    *self,
              PbiStmt     *stmt,
              const gchar *what)
{
  g_autoptr(GPtrArray) records = records_new ();
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, record_from_row (self, stmt));

  if (rc != SQLITE_DONE)
    _pbi_store_log_db_error (self, rc, what);

  return g_steal_pointer (&records);
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
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  stmt = records_query (self,
                        "SELECT " FILE_COLUMNS " FROM pbi_files "
                        "WHERE state IN ('pending', 'hashing', 'checking', 'uploading', 'adding') "
                        "   OR (state = 'failed' AND next_retry <= ?1) "
                        "ORDER BY created, id LIMIT ?2");
  if (stmt == NULL)
    return records_new ();

  sqlite3_bind_int64 (stmt, 1, now_us);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  return records_read (self, stmt, "read the queue");
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
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  stmt = records_query (self,
                        "SELECT " FILE_COLUMNS " FROM pbi_files "
                        "WHERE state IN ('failed', 'rejected') "
                        "ORDER BY updated DESC, id DESC LIMIT ?1");
  if (stmt == NULL)
    return records_new ();

  sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64) limit : -1);
  return records_read (self, stmt, "read the failed files");
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

  if (!_pbi_store_query_int (self,
                             "SELECT coalesce(min(next_retry), 0) FROM pbi_files WHERE state = ?1",
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
static void
count_states (PbiStore    *self,
              const gchar *sql,
              guint        counts[PBI_N_FILE_STATES])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  memset (counts, 0, sizeof (guint) * PBI_N_FILE_STATES);

  stmt = _pbi_store_get_stmt (self, sql, &error);
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
    _pbi_store_log_db_error (self, rc, "count the files");
}

void
pbi_store_files_count_by_state (PbiStore *self,
                                guint     counts[PBI_N_FILE_STATES])
{
  g_return_if_fail (PBI_IS_STORE (self));
  g_return_if_fail (counts != NULL);

  count_states (self, "SELECT state, count(*) FROM pbi_files GROUP BY state", counts);
}

/**
 * pbi_store_files_count_unfinished:
 * @self: a #PbiStore
 * @counts: (out caller-allocates) (array fixed-size=9): files per state
 *
 * Counts the files in each state but done and duplicate (left 0): a few
 * seeks in the state index, however many photos are done, where counting
 * every state reads the whole index (the engine counts after every write).
 */
void
pbi_store_files_count_unfinished (PbiStore *self,
                                  guint     counts[PBI_N_FILE_STATES])
{
  g_return_if_fail (PBI_IS_STORE (self));
  g_return_if_fail (counts != NULL);

  count_states (self, "SELECT state, count(*) FROM pbi_files "
                "WHERE state IN ('pending', 'hashing', 'checking', 'uploading', 'adding', "
                "  'failed', 'rejected') GROUP BY state", counts);
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

  stmt = _pbi_store_get_stmt (self,
                              "UPDATE pbi_files SET state = 'pending', attempts = 0, next_retry = 0, "
                              "  last_error = NULL, updated = ?1 "
                              "WHERE state IN ('failed', 'rejected')",
                              error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  if (!_pbi_store_step_done (self, stmt, "reset the failed files", error))
    return -1;

  return sqlite3_changes (self->db);
}
