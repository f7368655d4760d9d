/* pbi-new-event-dialog.h: "New Event…": asks the event's name, starts it
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

void pbi_new_event_dialog_present (GtkWindow *parent,
                                   PbiEngine *engine);

G_END_DECLS
