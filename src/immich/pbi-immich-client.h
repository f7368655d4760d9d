/* pbi-immich-client.h
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pbi-immich-error.h"
#include "pbi-immich-types.h"

G_BEGIN_DECLS

#define PBI_TYPE_IMMICH_CLIENT (pbi_immich_client_get_type ())

G_DECLARE_FINAL_TYPE (PbiImmichClient, pbi_immich_client, PBI, IMMICH_CLIENT, GObject)

/* Oldest server the client speaks to; older ones get UNSUPPORTED_VERSION. */
#define PBI_IMMICH_MIN_MAJOR 1
#define PBI_IMMICH_MIN_MINOR 90

/* Items per bulk-upload-check request, as the official CLI sends. */
#define PBI_IMMICH_BULK_CHECK_BATCH 5000

/* A client lives on the thread-default main context it was made on: call
 * it from there. Every call is async and cancellable; the only blocking
 * work on the calling thread is a stat of the file to upload. */

gchar           *pbi_immich_normalize_url               (const gchar          *url,
                                                         GError              **error);

PbiImmichClient *pbi_immich_client_new                  (const gchar          *server_url,
                                                         const gchar          *api_key,
                                                         GError              **error);
const gchar     *pbi_immich_client_get_server_url       (PbiImmichClient      *self);
const gchar     *pbi_immich_client_get_api_url          (PbiImmichClient      *self);
PbiImmichApiFamily pbi_immich_client_get_api_family     (PbiImmichClient      *self);
gchar           *pbi_immich_client_dup_server_version   (PbiImmichClient      *self);
void             pbi_immich_client_set_timeouts         (PbiImmichClient      *self,
                                                         guint                 connect_timeout_s,
                                                         guint                 idle_timeout_s);
void             pbi_immich_client_set_pinned_certificate (PbiImmichClient    *self,
                                                         const gchar          *sha256_fingerprint);
guint            pbi_immich_client_get_retry_after      (PbiImmichClient      *self);
/* SHA-256 ("AB:CD:…") of the last certificate refused, so a UI can offer
 * to pin it; NULL when none was. */
gchar           *pbi_immich_client_dup_certificate_fingerprint (PbiImmichClient *self);

/* Finds the API (user's URL, /.well-known/immich, /api) and the server's
 * version, and picks the route family. Every other call does this first
 * when it has not been done. */
void             pbi_immich_client_discover_async       (PbiImmichClient      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         pbi_immich_client_discover_finish      (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void             pbi_immich_client_ping_async           (PbiImmichClient      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         pbi_immich_client_ping_finish          (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void             pbi_immich_client_get_version_async    (PbiImmichClient      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
PbiImmichVersion *pbi_immich_client_get_version_finish  (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void             pbi_immich_client_get_current_user_async  (PbiImmichClient   *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
PbiImmichUser   *pbi_immich_client_get_current_user_finish (PbiImmichClient   *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* On servers without /api-keys/me (before 2.x) returns TRUE with
 * *permissions set to NULL: unknown, not "none". */
void             pbi_immich_client_get_key_permissions_async  (PbiImmichClient *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         pbi_immich_client_get_key_permissions_finish (PbiImmichClient *self,
                                                         GAsyncResult         *result,
                                                         GStrv                *permissions,
                                                         GError              **error);

void             pbi_immich_client_get_media_types_async  (PbiImmichClient    *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
PbiImmichMediaTypes *pbi_immich_client_get_media_types_finish (PbiImmichClient *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void             pbi_immich_client_get_storage_async      (PbiImmichClient    *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         pbi_immich_client_get_storage_finish     (PbiImmichClient    *self,
                                                         GAsyncResult         *result,
                                                         gint64               *available,
                                                         gint64               *size,
                                                         GError              **error);

/* Owned and shared albums. Element type PbiImmichAlbum. */
void             pbi_immich_client_list_albums_async    (PbiImmichClient      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray       *pbi_immich_client_list_albums_finish   (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void             pbi_immich_client_create_album_async   (PbiImmichClient      *self,
                                                         const gchar          *name,
                                                         const gchar * const  *asset_ids,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
PbiImmichAlbum  *pbi_immich_client_create_album_finish  (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Element type PbiImmichAlbumAddResult. An album that no longer exists
 * fails with PBI_IMMICH_ERROR_NOT_FOUND (3.x answers 400 "Album not found"). */
void             pbi_immich_client_add_to_album_async   (PbiImmichClient      *self,
                                                         const gchar          *album_id,
                                                         const gchar * const  *asset_ids,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray       *pbi_immich_client_add_to_album_finish  (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* items: element type PbiImmichCheckItem; sent in batches of
 * PBI_IMMICH_BULK_CHECK_BATCH. Result: element type PbiImmichCheckResult,
 * in the order of items. */
void             pbi_immich_client_bulk_check_async     (PbiImmichClient      *self,
                                                         GPtrArray            *items,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray       *pbi_immich_client_bulk_check_finish    (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Streams the file from disk. progress (nullable) is called on the
 * thread-default main context with bytes sent so far and the total. */
void             pbi_immich_client_upload_async         (PbiImmichClient      *self,
                                                         PbiImmichUpload      *upload,
                                                         PbiImmichProgressFunc progress,
                                                         gpointer              progress_data,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
PbiImmichUploadResult *pbi_immich_client_upload_finish  (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Takes assets out of the trash (a trashed duplicate stays trashed otherwise). */
void             pbi_immich_client_restore_assets_async (PbiImmichClient      *self,
                                                         const gchar * const  *asset_ids,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         pbi_immich_client_restore_assets_finish (PbiImmichClient     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
