/* pbi-store.h: the SQLite store (settings, file queue, album cache, counters)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PbiStoreError:
 * @PBI_STORE_ERROR_OPEN: the database file could not be opened or created
 * @PBI_STORE_ERROR_CORRUPT: the database file is damaged or not a database
 * @PBI_STORE_ERROR_FULL: the disk is full
 * @PBI_STORE_ERROR_READ_ONLY: the database file or its folder is read-only
 * @PBI_STORE_ERROR_BUSY: another program holds the database locked
 * @PBI_STORE_ERROR_FAILED: any other failure
 *
 * Errors in the %PBI_STORE_ERROR domain.
 */
typedef enum
{
  PBI_STORE_ERROR_OPEN,
  PBI_STORE_ERROR_CORRUPT,
  PBI_STORE_ERROR_FULL,
  PBI_STORE_ERROR_READ_ONLY,
  PBI_STORE_ERROR_BUSY,
  PBI_STORE_ERROR_FAILED,
} PbiStoreError;

#define PBI_STORE_ERROR (pbi_store_error_quark ())
GQuark pbi_store_error_quark (void);

/**
 * PbiFileState:
 * @PBI_FILE_STATE_PENDING: queued, nothing done yet
 * @PBI_FILE_STATE_HASHING: its SHA1 is being computed
 * @PBI_FILE_STATE_CHECKING: asking the server whether it has the checksum
 * @PBI_FILE_STATE_UPLOADING: being uploaded
 * @PBI_FILE_STATE_ADDING: uploaded (or found), being added to its albums
 * @PBI_FILE_STATE_DONE: on the server and in its albums
 * @PBI_FILE_STATE_DUPLICATE: the server already had it; it is in its albums
 * @PBI_FILE_STATE_FAILED: failed, will be retried at next_retry
 * @PBI_FILE_STATE_REJECTED: the server refused it; not retried automatically
 * @PBI_N_FILE_STATES: the number of states
 *
 * Where a file stands.  Stored as lower-case text (`pending`, `done`, ...)
 * so the table reads well in the `sqlite3` shell.
 */
typedef enum
{
  PBI_FILE_STATE_PENDING,
  PBI_FILE_STATE_HASHING,
  PBI_FILE_STATE_CHECKING,
  PBI_FILE_STATE_UPLOADING,
  PBI_FILE_STATE_ADDING,
  PBI_FILE_STATE_DONE,
  PBI_FILE_STATE_DUPLICATE,
  PBI_FILE_STATE_FAILED,
  PBI_FILE_STATE_REJECTED,
  PBI_N_FILE_STATES /*< skip >*/
} PbiFileState;

const gchar  *pbi_file_state_to_string   (PbiFileState  state);
gboolean      pbi_file_state_from_string (const gchar  *text,
                                          PbiFileState *state);

/**
 * PbiFileRecord:
 * @id: row id, 0 until stored
 * @path: absolute path of the file
 * @size: size in bytes
 * @mtime: modification time in µs since the epoch
 * @sha1: (nullable): lower-case hex SHA1, %NULL until hashed
 * @state: where it stands
 * @asset_id: (nullable): the server's asset id once known
 * @albums: (array zero-terminated=1): album names the file must end up in
 * @target_album: (nullable): album asked for with this one request
 * @attempts: failed attempts so far
 * @next_retry: µs since the epoch when a FAILED file may be retried (0 = now)
 * @last_error: (nullable): why the last attempt failed, in plain words
 * @created: µs since the epoch when first queued
 * @updated: µs since the epoch of the last change
 *
 * One row of the file table.
 */
typedef struct
{
  gint64        id;
  gchar        *path;
  gint64        size;
  gint64        mtime;
  gchar        *sha1;
  PbiFileState  state;
  gchar        *asset_id;
  gchar       **albums;
  gchar        *target_album;
  guint         attempts;
  gint64        next_retry;
  gchar        *last_error;
  gint64        created;
  gint64        updated;
} PbiFileRecord;

#define PBI_TYPE_FILE_RECORD (pbi_file_record_get_type ())

GType          pbi_file_record_get_type (void) G_GNUC_CONST;
PbiFileRecord *pbi_file_record_new      (const gchar         *path);
PbiFileRecord *pbi_file_record_copy     (const PbiFileRecord *record);
void           pbi_file_record_free     (PbiFileRecord       *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiFileRecord, pbi_file_record_free)

#define PBI_TYPE_STORE (pbi_store_get_type ())

G_DECLARE_FINAL_TYPE (PbiStore, pbi_store, PBI, STORE, GObject)

gchar          *pbi_store_get_default_path         (void);
PbiStore       *pbi_store_open                     (const gchar    *path,
                                                    GError        **error);
const gchar    *pbi_store_get_path                 (PbiStore       *self);
gboolean        pbi_store_is_foreign               (PbiStore       *self);
guint           pbi_store_get_schema_version       (PbiStore       *self);
gboolean        pbi_store_check_integrity          (PbiStore       *self,
                                                    GError        **error);
gboolean        pbi_store_check_changes            (PbiStore       *self);

/* transactions (nest: inner ones are savepoints) */
gboolean        pbi_store_begin                    (PbiStore       *self,
                                                    GError        **error);
gboolean        pbi_store_commit                   (PbiStore       *self,
                                                    GError        **error);
void            pbi_store_rollback                 (PbiStore       *self);

/* settings */
gboolean        pbi_store_is_known_setting         (const gchar    *key);
const gchar * const *pbi_store_known_settings      (void);
const gchar    *pbi_store_get_setting_default      (const gchar    *key);
gchar          *pbi_store_dup_setting_raw          (PbiStore       *self,
                                                    const gchar    *key);
gchar          *pbi_store_get_setting_string       (PbiStore       *self,
                                                    const gchar    *key);
gboolean        pbi_store_get_setting_boolean      (PbiStore       *self,
                                                    const gchar    *key);
gint            pbi_store_get_setting_int          (PbiStore       *self,
                                                    const gchar    *key);
gchar         **pbi_store_get_setting_strv         (PbiStore       *self,
                                                    const gchar    *key);
gboolean        pbi_store_set_setting              (PbiStore       *self,
                                                    const gchar    *key,
                                                    const gchar    *value,
                                                    GError        **error);
gboolean        pbi_store_set_setting_checked      (PbiStore       *self,
                                                    const gchar    *key,
                                                    const gchar    *value,
                                                    GError        **error);
gboolean        pbi_store_set_setting_boolean      (PbiStore       *self,
                                                    const gchar    *key,
                                                    gboolean        value,
                                                    GError        **error);
gboolean        pbi_store_set_setting_int          (PbiStore       *self,
                                                    const gchar    *key,
                                                    gint            value,
                                                    GError        **error);
gboolean        pbi_store_reset_setting            (PbiStore       *self,
                                                    const gchar    *key,
                                                    GError        **error);

/* files */
PbiFileRecord  *pbi_store_file_get                 (PbiStore       *self,
                                                    const gchar    *path);
GHashTable     *pbi_store_files_synced             (PbiStore       *self,
                                                    const gchar * const *albums);
PbiFileRecord  *pbi_store_file_find_synced         (PbiStore       *self,
                                                    const gchar    *sha1);
PbiFileRecord  *pbi_store_file_get_by_id           (PbiStore       *self,
                                                    gint64          id);
gboolean        pbi_store_file_put                 (PbiStore       *self,
                                                    PbiFileRecord  *record,
                                                    GError        **error);
gboolean        pbi_store_file_set_state           (PbiStore       *self,
                                                    gint64          id,
                                                    PbiFileState    state,
                                                    const gchar    *asset_id,
                                                    const gchar    *last_error,
                                                    gint64          next_retry,
                                                    GError        **error);
gboolean        pbi_store_file_remove              (PbiStore       *self,
                                                    const gchar    *path,
                                                    GError        **error);
GPtrArray      *pbi_store_files_due                (PbiStore       *self,
                                                    gint64          now_us,
                                                    guint           limit);
GPtrArray      *pbi_store_files_failed             (PbiStore       *self,
                                                    guint           limit);
gint64          pbi_store_files_next_retry         (PbiStore       *self);
void            pbi_store_files_count_by_state     (PbiStore       *self,
                                                    guint           counts[PBI_N_FILE_STATES]);
void            pbi_store_files_count_unfinished   (PbiStore       *self,
                                                    guint           counts[PBI_N_FILE_STATES]);
gint            pbi_store_files_reset_failed       (PbiStore       *self,
                                                    GError        **error);

/* album-id cache */
gchar          *pbi_store_album_get                (PbiStore       *self,
                                                    const gchar    *server,
                                                    const gchar    *name);
gboolean        pbi_store_album_set                (PbiStore       *self,
                                                    const gchar    *server,
                                                    const gchar    *name,
                                                    const gchar    *album_id,
                                                    GError        **error);
gboolean        pbi_store_album_forget             (PbiStore       *self,
                                                    const gchar    *server,
                                                    const gchar    *name,
                                                    GError        **error);

/* counters and last sync */
gchar          *pbi_store_dup_album_notice         (PbiStore       *self);
gboolean        pbi_store_set_album_notice         (PbiStore       *self,
                                                    const gchar    *notice,
                                                    GError        **error);
gint64          pbi_store_counter_get              (PbiStore       *self,
                                                    const gchar    *name);
gboolean        pbi_store_counter_add              (PbiStore       *self,
                                                    const gchar    *name,
                                                    gint64          delta,
                                                    GError        **error);
gint64          pbi_store_get_last_sync            (PbiStore       *self);
GDateTime      *pbi_store_dup_last_sync_time       (PbiStore       *self);
gboolean        pbi_store_set_last_sync            (PbiStore       *self,
                                                    gint64          when_us,
                                                    GError        **error);

G_END_DECLS
