/* pbi-connection-group.h: server address, API key and Test Connection rows
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"
#include "pbi-engine-test.h"

G_BEGIN_DECLS

#define PBI_TYPE_CONNECTION_GROUP (pbi_connection_group_get_type ())

G_DECLARE_FINAL_TYPE (PbiConnectionGroup, pbi_connection_group, PBI, CONNECTION_GROUP,
                      AdwPreferencesGroup)

GtkWidget                *pbi_connection_group_new         (PbiEngine          *engine,
                                                            GSettings          *settings);
gboolean                  pbi_connection_group_commit      (PbiConnectionGroup *self);
void                      pbi_connection_group_test        (PbiConnectionGroup *self);
const PbiConnectionCheck *pbi_connection_group_get_check   (PbiConnectionGroup *self);

G_END_DECLS
