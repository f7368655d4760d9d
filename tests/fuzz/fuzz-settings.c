/* fuzz-settings.c: libFuzzer target for settings values (pbi-store-settings.c)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Byte 0 picks a known setting; the rest is its value, as a person types it
 * (checked set) and as another program writes it (raw set, then every
 * typed getter reads it).
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pbi-store.h"

static PbiStore *store;

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const gchar * const *keys = pbi_store_known_settings ();
  g_autofree gchar *value = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *s = NULL;
  g_auto(GStrv) v = NULL;
  const gchar *key;
  guint n;

  if (store == NULL)
    {
      g_autofree gchar *dir = g_dir_make_tmp ("pbi-fuzz-XXXXXX", NULL);
      g_autofree gchar *path = g_build_filename (dir, "fuzz.db", NULL);

      store = pbi_store_open (path, &error);
      g_assert_no_error (error);
    }
  if (size < 1)
    return 0;
  n = g_strv_length ((GStrv) keys);
  key = keys[data[0] % n];
  value = g_strndup ((const gchar *) data + 1, size - 1);

  if (pbi_store_set_setting_checked (store, key, value, &error))
    {
      /* what was accepted reads back as its type */
      s = pbi_store_get_setting_string (store, key);
      g_assert_nonnull (s);
    }
  else
    g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_pointer (&s, g_free);

  g_assert_true (pbi_store_set_setting (store, key, value, NULL));
  s = pbi_store_get_setting_string (store, key);
  pbi_store_get_setting_boolean (store, key);
  pbi_store_get_setting_int (store, key);
  v = pbi_store_get_setting_strv (store, key);
  return 0;
}
