/* pbi-store-private.h: store internals shared with the settings backend and tests
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "pbi-store.h"

G_BEGIN_DECLS

/* the newest schema version this build knows */
#define PBI_STORE_SCHEMA_VERSION 2

/* how often PRAGMA data_version is polled for changes made by others */
#define PBI_STORE_POLL_SECONDS 1

sqlite3  *_pbi_store_get_db          (PbiStore    *self);
guint     _pbi_store_get_poll_count  (PbiStore    *self);
gboolean  _pbi_store_set_error       (GError     **error,
                                      int          rc,
                                      const gchar *path,
                                      const gchar *what);

G_END_DECLS
