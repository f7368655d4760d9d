/* pbi-application.h: the app (one instance, options, actions, engine)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_APPLICATION (pbi_application_get_type ())

G_DECLARE_FINAL_TYPE (PbiApplication, pbi_application, PBI, APPLICATION, AdwApplication)

PbiApplication *pbi_application_new               (void);
PbiEngine      *pbi_application_get_engine        (PbiApplication *self);
GSettings      *pbi_application_get_settings      (PbiApplication *self);
gboolean        pbi_application_get_kiosk         (PbiApplication *self);
const gchar    *pbi_application_get_read_only_reason (PbiApplication *self);

G_END_DECLS
