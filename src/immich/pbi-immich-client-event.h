/* pbi-immich-client-event.h: the client calls an event needs beyond syncing:
 * shared links and server config (pbi-immich-client-shared-links.c); asset
 * deletion, an album's asset list and the server's clock
 * (pbi-immich-client-event.c)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-immich-client.h"

G_BEGIN_DECLS

/* An album shared link as the server knows it. */
typedef struct
{
  gchar     *id;
  gchar     *key;             /* the guest URL is <domain>/share/<key> */
  gchar     *album_id;        /* (nullable) */
  GDateTime *expires_at;      /* (nullable) never */
  gboolean   has_password;
  gboolean   allow_download;
} PbiImmichSharedLink;

/* One asset of an album: its id, SHA1 (hex) and whether it is in the trash. */
typedef struct
{
  gchar   *id;
  gchar   *checksum;
  gboolean is_trashed;
} PbiImmichAssetInfo;

void                 pbi_immich_shared_link_free   (PbiImmichSharedLink *link);
void                 pbi_immich_asset_info_free    (PbiImmichAssetInfo  *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiImmichSharedLink, pbi_immich_shared_link_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiImmichAssetInfo, pbi_immich_asset_info_free)

/* GET /server/config (1.x /server-info/config), no key: externalDomain, ""
 * when the admin set none. */
void       pbi_immich_client_get_external_domain_async  (PbiImmichClient      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gchar     *pbi_immich_client_get_external_domain_finish (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* POST /shared-links (1.x /shared-link) of type ALBUM; sharedLink.create. */
void       pbi_immich_client_create_shared_link_async   (PbiImmichClient      *self,
                                                         const gchar          *album_id,
                                                         GDateTime            *expires_at,
                                                         const gchar          *password,
                                                         gboolean              allow_download,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
PbiImmichSharedLink *pbi_immich_client_create_shared_link_finish (PbiImmichClient *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* GET /shared-links: the user's links. Element type PbiImmichSharedLink. */
void       pbi_immich_client_list_shared_links_async    (PbiImmichClient      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray *pbi_immich_client_list_shared_links_finish   (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* DELETE /shared-links/{id}; an unknown link fails with NOT_FOUND. */
void       pbi_immich_client_delete_shared_link_async   (PbiImmichClient      *self,
                                                         const gchar          *link_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean   pbi_immich_client_delete_shared_link_finish  (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* DELETE /assets {ids, force} (asset.delete): to the trash, or for good. */
void       pbi_immich_client_delete_assets_async        (PbiImmichClient      *self,
                                                         const gchar * const  *asset_ids,
                                                         gboolean              force,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean   pbi_immich_client_delete_assets_finish       (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* DELETE /albums/{id}/assets {ids} (albumAsset.delete). */
void       pbi_immich_client_remove_from_album_async    (PbiImmichClient      *self,
                                                         const gchar          *album_id,
                                                         const gchar * const  *asset_ids,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean   pbi_immich_client_remove_from_album_finish   (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Every asset of an album: 3.x POST /search/metadata {albumIds, size, page}
 * (1,000 a page); 1.x and 2.x GET /albums/{id} with its assets array.
 * Element type PbiImmichAssetInfo. */
void       pbi_immich_client_list_album_assets_async    (PbiImmichClient      *self,
                                                         const gchar          *album_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray *pbi_immich_client_list_album_assets_finish   (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* The server's clock: the Date header of a ping. NULL date when the
 * server sent none. */
void       pbi_immich_client_get_server_time_async      (PbiImmichClient      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GDateTime *pbi_immich_client_get_server_time_finish     (PbiImmichClient      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
