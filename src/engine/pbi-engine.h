/* pbi-engine.h: the sync engine (queue, pipeline, status)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * PbiConnectionState:
 * @PBI_CONNECTION_DISABLED: sync is switched off (`immich_enabled` is false)
 * @PBI_CONNECTION_UNCONFIGURED: no server address or API key yet
 * @PBI_CONNECTION_CONNECTING: talking to the server for the first time
 * @PBI_CONNECTION_CONNECTED: the server answers and accepts the key
 * @PBI_CONNECTION_OFFLINE: the server does not answer; the queue waits and
 *   resumes as soon as it answers again
 * @PBI_CONNECTION_ERROR: the server refuses us (wrong key, missing
 *   permission, unsupported version); the queue waits for new settings
 *
 * How the engine stands with the Immich server.
 */
typedef enum
{
  PBI_CONNECTION_DISABLED,
  PBI_CONNECTION_UNCONFIGURED,
  PBI_CONNECTION_CONNECTING,
  PBI_CONNECTION_CONNECTED,
  PBI_CONNECTION_OFFLINE,
  PBI_CONNECTION_ERROR,
} PbiConnectionState;

/**
 * PbiSyncResult:
 * @path: the photo
 * @success: %TRUE when the photo is on the server and in its albums
 * @duplicate: %TRUE when the server already had it (nothing was uploaded)
 * @asset_id: (nullable): the server's asset id
 * @error: (nullable): why it failed, in plain words
 *
 * What became of one photo.
 */
typedef struct
{
  gchar   *path;
  gboolean success;
  gboolean duplicate;
  gchar   *asset_id;
  gchar   *error;
} PbiSyncResult;

/**
 * PbiSyncSummary:
 * @uploaded: photos sent to the server
 * @duplicates: photos the server already had (still added to the album)
 * @failed: photos that could not be synced (they stay queued for retry
 *   unless the server refused them)
 * @skipped: photos already synced before and unchanged since
 * @queued: photos not tried to the end because the server could not be
 *   used (unreachable, the key refused, not configured) or the sync was
 *   stopped: nothing is wrong with them; they stay queued and are sent when
 *   the server answers
 *
 * Counts for a sync of several photos.
 */
typedef struct
{
  guint uploaded;
  guint duplicates;
  guint failed;
  guint skipped;
  guint queued;
} PbiSyncSummary;

#define PBI_TYPE_SYNC_RESULT (pbi_sync_result_get_type ())
#define PBI_TYPE_SYNC_SUMMARY (pbi_sync_summary_get_type ())

GType           pbi_sync_result_get_type   (void) G_GNUC_CONST;
PbiSyncResult  *pbi_sync_result_copy       (const PbiSyncResult  *result);
void            pbi_sync_result_free       (PbiSyncResult        *result);
GType           pbi_sync_summary_get_type  (void) G_GNUC_CONST;
PbiSyncSummary *pbi_sync_summary_copy      (const PbiSyncSummary *summary);
void            pbi_sync_summary_free      (PbiSyncSummary       *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiSyncResult, pbi_sync_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiSyncSummary, pbi_sync_summary_free)

#define PBI_TYPE_ENGINE (pbi_engine_get_type ())

G_DECLARE_FINAL_TYPE (PbiEngine, pbi_engine, PBI, ENGINE, GObject)

PbiEngine          *pbi_engine_get_default             (void);
PbiEngine          *pbi_engine_new                     (const gchar         *database_path,
                                                        GError             **error);
gboolean            pbi_engine_start                   (PbiEngine           *self,
                                                        GError             **error);
void                pbi_engine_stop                    (PbiEngine           *self);

const gchar        *pbi_engine_get_database_path       (PbiEngine           *self);
PbiConnectionState  pbi_engine_get_connection_state    (PbiEngine           *self);
const gchar        *pbi_engine_get_connection_message  (PbiEngine           *self);
const gchar        *pbi_engine_get_album_name          (PbiEngine           *self);
const gchar        *pbi_engine_get_album_notice        (PbiEngine           *self);
const gchar        *pbi_engine_get_server_version      (PbiEngine           *self);
GDateTime          *pbi_engine_get_last_sync           (PbiEngine           *self);
GDateTime          *pbi_engine_get_next_retry          (PbiEngine           *self);
guint               pbi_engine_get_uploaded            (PbiEngine           *self);
guint               pbi_engine_get_duplicates          (PbiEngine           *self);
guint               pbi_engine_get_pending             (PbiEngine           *self);
guint               pbi_engine_get_failed              (PbiEngine           *self);

void                pbi_engine_set_server_override     (PbiEngine           *self,
                                                        const gchar         *server_url,
                                                        const gchar         *api_key);
void                pbi_engine_set_album_override      (PbiEngine           *self,
                                                        const gchar         *album_name);
void                pbi_engine_set_ignore_schedule     (PbiEngine           *self,
                                                        gboolean             ignore);
void                pbi_engine_set_watch_folder        (PbiEngine           *self,
                                                        const gchar         *folder);

void                pbi_engine_test_connection_async   (PbiEngine           *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gchar              *pbi_engine_test_connection_finish  (PbiEngine           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

void                pbi_engine_sync_photo_async        (PbiEngine           *self,
                                                        const gchar         *path,
                                                        const gchar         *album_name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
PbiSyncResult      *pbi_engine_sync_photo_finish       (PbiEngine           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
PbiSyncResult      *pbi_engine_sync_photo              (PbiEngine           *self,
                                                        const gchar         *path,
                                                        const gchar         *album_name,
                                                        GCancellable        *cancellable,
                                                        GError             **error);

void                pbi_engine_sync_files_async        (PbiEngine           *self,
                                                        const gchar * const *paths,
                                                        const gchar         *album_name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
PbiSyncSummary     *pbi_engine_sync_files_finish       (PbiEngine           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

void                pbi_engine_sync_folder_async       (PbiEngine           *self,
                                                        const gchar         *folder,
                                                        const gchar         *album_name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
PbiSyncSummary     *pbi_engine_sync_folder_finish      (PbiEngine           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
PbiSyncSummary     *pbi_engine_sync_folder             (PbiEngine           *self,
                                                        const gchar         *folder,
                                                        const gchar         *album_name,
                                                        GCancellable        *cancellable,
                                                        GError             **error);

guint               pbi_engine_retry_failed            (PbiEngine           *self);
void                pbi_engine_sync_now                (PbiEngine           *self);

G_END_DECLS
