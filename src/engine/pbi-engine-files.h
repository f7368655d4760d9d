/* pbi-engine-files.h: where a set of files stands, for views of many photos
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-engine.h"
#include "pbi-store.h"

G_BEGIN_DECLS

/**
 * PbiFileStatus:
 * @path: the photo
 * @state: where it stands
 * @error: (nullable): why it failed, for failed and refused photos
 *
 * The state of one photo the store knows.
 */
typedef struct
{
  gchar        *path;
  PbiFileState  state;
  gchar        *error;
} PbiFileStatus;

void        pbi_file_status_free                 (PbiFileStatus        *status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiFileStatus, pbi_file_status_free)

void        pbi_engine_query_file_states_async   (PbiEngine            *self,
                                                  const gchar * const  *paths,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GHashTable *pbi_engine_query_file_states_finish  (PbiEngine            *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
