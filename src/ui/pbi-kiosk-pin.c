/* pbi-kiosk-pin.c: how the kiosk PIN is stored (hashed, never as typed)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-kiosk-pin.h"

/**
 * pbi_kiosk_pin_hash:
 * @pin: the PIN as typed
 *
 * The value the setting kiosk-pin holds for @pin: the SHA-256 (lower-case
 * hex) of "pbi-kiosk:" followed by the PIN.
 *
 * Returns: (transfer full): 64 hex digits
 */
gchar *
pbi_kiosk_pin_hash (const gchar *pin)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (pin != NULL, NULL);

  g_checksum_update (checksum, (const guchar *) "pbi-kiosk:", 10);
  g_checksum_update (checksum, (const guchar *) pin, strlen (pin));
  return g_strdup (g_checksum_get_string (checksum));
}

/**
 * pbi_kiosk_pin_is_valid:
 * @pin: a PIN as typed
 *
 * Returns: %TRUE when @pin is 4 to 12 digits
 */
gboolean
pbi_kiosk_pin_is_valid (const gchar *pin)
{
  gsize len;

  if (pin == NULL)
    return FALSE;
  len = strlen (pin);
  if (len < 4 || len > 12)
    return FALSE;
  for (const gchar *p = pin; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}
