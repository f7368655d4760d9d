/* test-kiosk-pin.c: the stored form of the kiosk PIN
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-kiosk-pin.h"

static void
test_hash (void)
{
  g_autofree gchar *hash = pbi_kiosk_pin_hash ("1234");
  g_autofree gchar *other = pbi_kiosk_pin_hash ("1235");

  /* sha256 ("pbi-kiosk:1234"), as python3's hashlib computes it */
  g_assert_cmpstr (hash, ==, "5949021a60bd174a0696ab374fe495ffe41548de84a636360a6bc2723955daf2");
  g_assert_cmpstr (hash, !=, other);
  g_assert_null (strstr (hash, "1234"));
}

static void
test_valid (void)
{
  g_assert_true (pbi_kiosk_pin_is_valid ("1234"));
  g_assert_true (pbi_kiosk_pin_is_valid ("123456789012"));
  g_assert_false (pbi_kiosk_pin_is_valid ("123"));
  g_assert_false (pbi_kiosk_pin_is_valid ("1234567890123"));
  g_assert_false (pbi_kiosk_pin_is_valid ("12a4"));
  g_assert_false (pbi_kiosk_pin_is_valid (""));
  g_assert_false (pbi_kiosk_pin_is_valid (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pbi/ui/kiosk-pin/hash", test_hash);
  g_test_add_func ("/pbi/ui/kiosk-pin/valid", test_valid);
  return g_test_run ();
}
