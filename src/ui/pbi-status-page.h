/* pbi-status-page.h: connection, album, last sync, counts, disk, progress, captures
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_STATUS_PAGE (pbi_status_page_get_type ())

G_DECLARE_FINAL_TYPE (PbiStatusPage, pbi_status_page, PBI, STATUS_PAGE, AdwBin)

GtkWidget *pbi_status_page_new (PbiEngine   *engine,
                                GSettings   *settings,
                                const gchar *read_only_reason);

G_END_DECLS
