/* pbi-album-group.h: the album picker (albums loaded from the server)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_ALBUM_GROUP (pbi_album_group_get_type ())

G_DECLARE_FINAL_TYPE (PbiAlbumGroup, pbi_album_group, PBI, ALBUM_GROUP, AdwPreferencesGroup)

GtkWidget *pbi_album_group_new     (PbiEngine     *engine,
                                    GSettings     *settings);
void       pbi_album_group_commit  (PbiAlbumGroup *self);
void       pbi_album_group_load    (PbiAlbumGroup *self);

G_END_DECLS
