/* pbi-guest-qr.h: the guest link's QR code, large, for the kiosk page
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_GUEST_QR (pbi_guest_qr_get_type ())

G_DECLARE_FINAL_TYPE (PbiGuestQr, pbi_guest_qr, PBI, GUEST_QR, AdwBin)

GtkWidget   *pbi_guest_qr_new      (PbiEngine  *engine,
                                    GSettings  *settings);
const gchar *pbi_guest_qr_get_url  (PbiGuestQr *self);

G_END_DECLS
