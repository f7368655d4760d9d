/* pbi-watcher.h: notices captures once they are completely written
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PBI_WATCHER_DEFAULT_SETTLE_MS 2000

#define PBI_TYPE_WATCHER (pbi_watcher_get_type ())

G_DECLARE_FINAL_TYPE (PbiWatcher, pbi_watcher, PBI, WATCHER, GObject)

PbiWatcher          *pbi_watcher_new            (GFile                *directory);
GFile               *pbi_watcher_get_directory  (PbiWatcher           *self);
guint                pbi_watcher_get_settle_ms  (PbiWatcher           *self);
void                 pbi_watcher_set_settle_ms  (PbiWatcher           *self,
                                                 guint                 settle_ms);
const gchar * const *pbi_watcher_get_extensions (PbiWatcher           *self);
void                 pbi_watcher_set_extensions (PbiWatcher           *self,
                                                 const gchar * const  *extensions);
gboolean             pbi_watcher_get_watching   (PbiWatcher           *self);
gboolean             pbi_watcher_start          (PbiWatcher           *self,
                                                 GError              **error);
void                 pbi_watcher_stop           (PbiWatcher           *self);

G_END_DECLS
