/* pbi-capture-grid.h: the recent captures as a thumbnail grid with state badges
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_CAPTURE_GRID (pbi_capture_grid_get_type ())

G_DECLARE_FINAL_TYPE (PbiCaptureGrid, pbi_capture_grid, PBI, CAPTURE_GRID, AdwBin)

GtkWidget *pbi_capture_grid_new             (PbiEngine      *engine);
void       pbi_capture_grid_set_folder      (PbiCaptureGrid *self,
                                             const gchar    *folder);
guint      pbi_capture_grid_get_n_selected  (PbiCaptureGrid *self);
GStrv      pbi_capture_grid_dup_selected    (PbiCaptureGrid *self);
void       pbi_capture_grid_unselect_all    (PbiCaptureGrid *self);

G_END_DECLS
