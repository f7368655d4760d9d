/* pbi-kiosk-pin.h: how the kiosk PIN is stored (hashed, never as typed)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar    *pbi_kiosk_pin_hash      (const gchar *pin);
gboolean  pbi_kiosk_pin_is_valid  (const gchar *pin);

G_END_DECLS
