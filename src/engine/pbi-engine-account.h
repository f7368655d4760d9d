/* pbi-engine-account.h: who we are on the server and how the album stands there
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-engine.h"

G_BEGIN_DECLS

/**
 * PbiAccountInfo:
 * @server_url: the server as configured (without a trailing `/api`)
 * @user_name: (nullable): the key's user, by name (or e-mail)
 * @album_name: (nullable): the album in use
 * @album_id: (nullable): its id on the server, when it exists
 * @album_assets: photos in it on the server, -1 when unknown
 *
 * What a status page shows about the account.
 */
typedef struct
{
  gchar *server_url;
  gchar *user_name;
  gchar *album_name;
  gchar *album_id;
  gint   album_assets;
} PbiAccountInfo;

void            pbi_account_info_free               (PbiAccountInfo       *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiAccountInfo, pbi_account_info_free)

void            pbi_engine_fetch_account_async      (PbiEngine            *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
PbiAccountInfo *pbi_engine_fetch_account_finish     (PbiEngine            *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/**
 * PbiServerStorage:
 * @available: bytes free on the server's disk
 * @size: the disk's size in bytes
 *
 * Free space on the server, from its storage endpoint. Free with g_free().
 */
typedef struct
{
  gint64 available;
  gint64 size;
} PbiServerStorage;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiServerStorage, g_free)

void              pbi_engine_fetch_server_storage_async  (PbiEngine            *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
PbiServerStorage *pbi_engine_fetch_server_storage_finish (PbiEngine            *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              pbi_engine_delete_assets_async         (PbiEngine            *self,
                                                          const gchar * const  *asset_ids,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          pbi_engine_delete_assets_finish        (PbiEngine            *self,
                                                          GAsyncResult         *result,
                                                          gboolean             *for_good,
                                                          GError              **error);

G_END_DECLS
