/* pbi-ui-util.h: small helpers the app's widgets share
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void        pbi_entry_row_name_apply_button (AdwEntryRow *row);
GParamSpec *pbi_ui_param_spec_engine        (void);
GParamSpec *pbi_ui_param_spec_settings      (void);
void        pbi_image_set_state             (GtkImage    *image,
                                             const gchar *icon,
                                             const gchar *css);

G_END_DECLS
