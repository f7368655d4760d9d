/* pbi-welcome-page.h: the first-run page (server, key, album, folder, go)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_WELCOME_PAGE (pbi_welcome_page_get_type ())

G_DECLARE_FINAL_TYPE (PbiWelcomePage, pbi_welcome_page, PBI, WELCOME_PAGE, AdwBin)

GtkWidget *pbi_welcome_page_new  (PbiEngine *engine,
                                  GSettings *settings);

G_END_DECLS
