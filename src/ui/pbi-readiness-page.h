/* pbi-readiness-page.h: "Check Readiness": the engine's readiness check, shown
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_READINESS_PAGE (pbi_readiness_page_get_type ())

G_DECLARE_FINAL_TYPE (PbiReadinessPage, pbi_readiness_page, PBI, READINESS_PAGE, AdwBin)

GtkWidget *pbi_readiness_page_new (PbiEngine *engine);

G_END_DECLS
