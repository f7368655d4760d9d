/* pbi-preferences-window.h: the preferences window
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_PREFERENCES_WINDOW (pbi_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (PbiPreferencesWindow, pbi_preferences_window, PBI, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

GtkWidget *pbi_preferences_window_new  (GtkWindow *parent,
                                        PbiEngine *engine,
                                        GSettings *settings);

G_END_DECLS
