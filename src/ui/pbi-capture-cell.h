/* pbi-capture-cell.h: one photo in the capture grid: thumbnail, name, state badge
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-store.h"

G_BEGIN_DECLS

#define PBI_TYPE_CAPTURE_CELL (pbi_capture_cell_get_type ())

G_DECLARE_FINAL_TYPE (PbiCaptureCell, pbi_capture_cell, PBI, CAPTURE_CELL, AdwBin)

/* a state the grid does not know yet, or a file the store has never seen */
#define PBI_CAPTURE_STATE_UNKNOWN PBI_N_FILE_STATES
/* the store has never seen it: sync is off for captures, or it is new */
#define PBI_CAPTURE_STATE_NOT_QUEUED (PBI_N_FILE_STATES + 1)

GtkWidget   *pbi_capture_cell_new        (void);
void         pbi_capture_cell_set_file   (PbiCaptureCell *self,
                                          const gchar    *path);
const gchar *pbi_capture_cell_get_path   (PbiCaptureCell *self);
void         pbi_capture_cell_set_state  (PbiCaptureCell *self,
                                          PbiFileState    state,
                                          const gchar    *error);
const gchar *pbi_capture_state_label     (PbiFileState    state);

G_END_DECLS
