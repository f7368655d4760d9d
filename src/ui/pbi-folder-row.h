/* pbi-folder-row.h: the capture folder, chosen with the file chooser or typed
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PBI_TYPE_FOLDER_ROW (pbi_folder_row_get_type ())

G_DECLARE_FINAL_TYPE (PbiFolderRow, pbi_folder_row, PBI, FOLDER_ROW, AdwExpanderRow)

GtkWidget *pbi_folder_row_new  (GSettings *settings);

G_END_DECLS
