/* pbi-window.h: the main window: welcome page or status page
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-application.h"

G_BEGIN_DECLS

#define PBI_TYPE_WINDOW (pbi_window_get_type ())

G_DECLARE_FINAL_TYPE (PbiWindow, pbi_window, PBI, WINDOW, AdwApplicationWindow)

PbiWindow *pbi_window_new              (PbiApplication  *app);
void       pbi_window_set_kiosk        (PbiWindow       *self,
                                        gboolean         kiosk);
void       pbi_window_show_page        (PbiWindow       *self,
                                        const gchar     *name,
                                        GtkWidget       *page);
gboolean   pbi_window_save_screenshot  (PbiWindow       *self,
                                        const gchar     *path,
                                        GError         **error);

G_END_DECLS
