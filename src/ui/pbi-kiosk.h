/* pbi-kiosk.h: the kiosk PIN (stored hashed) and the dialog that asks for it
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef void (*PbiKioskUnlockedFunc) (gpointer user_data);

gchar    *pbi_kiosk_pin_hash     (const gchar          *pin,
                                  const gchar          *salt);
gboolean  pbi_kiosk_pin_check    (const gchar          *stored,
                                  const gchar          *pin);
gboolean  pbi_kiosk_pin_is_valid (const gchar          *pin);
void      pbi_kiosk_require_pin  (GtkWindow            *parent,
                                  GSettings            *settings,
                                  PbiKioskUnlockedFunc  unlocked,
                                  gpointer              user_data,
                                  GDestroyNotify        destroy);

G_END_DECLS
