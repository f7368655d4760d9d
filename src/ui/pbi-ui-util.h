/* pbi-ui-util.h: small helpers the preferences widgets share
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void pbi_entry_row_name_apply_button  (AdwEntryRow *row);

G_END_DECLS
