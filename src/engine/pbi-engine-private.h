/* pbi-engine-private.h: engine API shared inside the project
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-engine.h"
#include "pbi-store.h"

G_BEGIN_DECLS

PbiStore *_pbi_engine_get_store            (PbiEngine *self);
gchar   **pbi_engine_dup_media_extensions  (PbiEngine *self);

/* Element type PbiImmichAlbum: for the album picker and the CLI; not in the
 * introspected API, which has no Immich client types. */
void      pbi_engine_list_albums_async     (PbiEngine           *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray *pbi_engine_list_albums_finish   (PbiEngine           *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
