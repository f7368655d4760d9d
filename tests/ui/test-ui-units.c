/* test-ui-units.c: the app's pieces that need no display: PIN hashing, times in words
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-kiosk.h"
#include "pbi-ui-format.h"

static void
test_pin_hash (void)
{
  g_autofree gchar *stored = pbi_kiosk_pin_hash ("4711", NULL);
  g_autofree gchar *again = pbi_kiosk_pin_hash ("4711", NULL);
  g_autofree gchar *fixed = pbi_kiosk_pin_hash ("4711", "0123456789abcdef");

  /* the PIN itself is nowhere in what is stored; salts differ */
  g_assert_true (g_str_has_prefix (stored, "sha256$"));
  g_assert_null (strstr (stored, "4711"));
  g_assert_cmpstr (stored, !=, again);
  g_assert_true (pbi_kiosk_pin_check (stored, "4711"));
  g_assert_true (pbi_kiosk_pin_check (again, "4711"));
  g_assert_false (pbi_kiosk_pin_check (stored, "4712"));
  g_assert_false (pbi_kiosk_pin_check (stored, ""));
  g_assert_false (pbi_kiosk_pin_check (stored, NULL));
  /* the same form the UI tests compute by hand: sha256 of "SALT$PIN" */
  g_assert_cmpstr (fixed, ==, "sha256$0123456789abcdef$"
                   "802df67ab5738d32f951e25efea7ed76daee8e1f24da7ee53c97e5a600afba5e");
}

static void
test_pin_plain_and_none (void)
{
  /* typed in with the sqlite3 shell */
  g_assert_true (pbi_kiosk_pin_check ("2468", "2468"));
  g_assert_false (pbi_kiosk_pin_check ("2468", "246"));
  g_assert_false (pbi_kiosk_pin_check ("2468", "24680"));
  /* no PIN set: open */
  g_assert_true (pbi_kiosk_pin_check ("", "anything"));
  g_assert_true (pbi_kiosk_pin_check (NULL, NULL));
}

static void
test_time_ago (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 6, 15, 14, 30, 0);
  struct { gint64 seconds_before; const gchar *expected; } cases[] = {
    { 5, "just now" },
    { 60, "1 minute ago" },
    { 150, "2 minutes ago" },
    { 3600 * 3, "3 hours ago" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) then = g_date_time_add_seconds (now, -cases[i].seconds_before);
      g_autofree gchar *text = pbi_format_time_ago (then, now);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
  {
    g_autoptr(GDateTime) yesterday = g_date_time_new_local (2026, 6, 14, 9, 5, 0);
    g_autofree gchar *text = pbi_format_time_ago (yesterday, now);

    g_assert_true (g_str_has_prefix (text, "yesterday at "));
  }
}

static void
test_time_left_and_rate (void)
{
  g_autofree gchar *unknown = pbi_format_time_left (-1);
  g_autofree gchar *secs = pbi_format_time_left (42);
  g_autofree gchar *mins = pbi_format_time_left (290);
  g_autofree gchar *hours = pbi_format_time_left (7200);
  g_autofree gchar *rate = pbi_format_rate (3400000);

  g_assert_null (unknown);
  g_assert_cmpstr (secs, ==, "42 seconds left");
  g_assert_cmpstr (mins, ==, "about 5 minutes left");
  g_assert_cmpstr (hours, ==, "about 2 hours left");
  g_assert_cmpstr (rate, ==, "3.4\u00a0MB/s");
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pbi/ui/kiosk/pin-hash", test_pin_hash);
  g_test_add_func ("/pbi/ui/kiosk/pin-plain-and-none", test_pin_plain_and_none);
  g_test_add_func ("/pbi/ui/format/time-ago", test_time_ago);
  g_test_add_func ("/pbi/ui/format/time-left-and-rate", test_time_left_and_rate);
  return g_test_run ();
}
