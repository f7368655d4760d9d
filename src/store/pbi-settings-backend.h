/* pbi-settings-backend.h: a GSettingsBackend over the store's settings table
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

/* GSettingsBackend subclasses need the backend API (public, but opt-in). */
#ifndef G_SETTINGS_ENABLE_BACKEND
# define G_SETTINGS_ENABLE_BACKEND
#endif
#include <gio/gsettingsbackend.h>

#include "pbi-store.h"

G_BEGIN_DECLS

/* The schema in data/io.github.photobooth.ImmichSync.gschema.xml */
#define PBI_SETTINGS_SCHEMA_ID "io.github.photobooth.ImmichSync"
#define PBI_SETTINGS_PATH      "/io/github/photobooth/ImmichSync/"

#define PBI_TYPE_SETTINGS_BACKEND (pbi_settings_backend_get_type ())

G_DECLARE_FINAL_TYPE (PbiSettingsBackend, pbi_settings_backend, PBI, SETTINGS_BACKEND,
                      GSettingsBackend)

GSettingsBackend *pbi_settings_backend_new          (PbiStore     *store);
GSettings        *pbi_settings_backend_new_settings (PbiStore     *store,
                                                     GError      **error);
gchar            *pbi_settings_backend_key_to_row   (const gchar  *key);
gchar            *pbi_settings_backend_row_to_key   (const gchar  *row);

G_END_DECLS
