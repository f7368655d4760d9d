/* pbi-album.h: an album on the server, for scripts (GObject Introspection)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-engine.h"

G_BEGIN_DECLS

/**
 * PbiAlbum:
 * @id: the server's album id
 * @name: the album's name
 * @asset_count: photos and videos in it
 * @shared: %TRUE when it is shared with other users
 * @owner_name: (nullable): the owner's name, when the server says it
 *
 * An album the API key can see.
 */
typedef struct
{
  gchar   *id;
  gchar   *name;
  guint    asset_count;
  gboolean shared;
  gchar   *owner_name;
} PbiAlbum;

#define PBI_TYPE_ALBUM (pbi_album_get_type ())

GType      pbi_album_get_type            (void) G_GNUC_CONST;
PbiAlbum  *pbi_album_copy                (const PbiAlbum       *album);
void       pbi_album_free                (PbiAlbum             *album);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiAlbum, pbi_album_free)

void       pbi_engine_fetch_albums_async (PbiEngine            *self,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
GPtrArray *pbi_engine_fetch_albums_finish (PbiEngine           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
GPtrArray *pbi_engine_fetch_albums       (PbiEngine            *self,
                                          GCancellable         *cancellable,
                                          GError              **error);

G_END_DECLS
