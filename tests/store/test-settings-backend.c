/* test-settings-backend.c: GSettings over the store's settings table
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-settings-backend.h"
#include "pbi-store.h"
#include "pbi-store-private.h"
#include "store-test-util.h"

typedef struct
{
  gchar     *path;
  PbiStore  *store;
  GSettings *settings;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->path = test_db_path ("settings.db");
  fixture->store = pbi_store_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->settings = pbi_settings_backend_new_settings (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->settings);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->settings);
  g_assert_finalize_object (fixture->store);
  g_free (fixture->path);
}

static gchar *
row_value (Fixture     *fixture,
           const gchar *row)
{
  g_autofree gchar *sql = g_strdup_printf ("SELECT value FROM settings WHERE key = '%s'", row);
  sqlite3 *db = test_db_connect (fixture->path);
  gchar *value = test_db_text (db, sql);

  sqlite3_close (db);
  return value;
}

static void
external_exec (Fixture     *fixture,
               const gchar *sql)
{
  sqlite3 *db = test_db_connect (fixture->path);

  test_db_exec (db, sql);
  sqlite3_close (db);
}

static void
test_key_mapping (void)
{
  struct { const gchar *key; const gchar *row; } cases[] = {
    { "album-name", "immich_album_name" },
    { "enabled", "immich_enabled" },
    { "sync-on-capture", "immich_sync_on_capture" },
    { PBI_SETTINGS_PATH "upload-concurrency", "immich_upload_concurrency" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *row = pbi_settings_backend_key_to_row (cases[i].key);
      g_autofree gchar *key = pbi_settings_backend_row_to_key (cases[i].row);
      const gchar *plain = strrchr (cases[i].key, '/');

      g_assert_cmpstr (row, ==, cases[i].row);
      g_assert_cmpstr (key, ==, plain != NULL ? plain + 1 : cases[i].key);
    }

  g_assert_null (pbi_settings_backend_key_to_row ("/org/gnome/other/album-name"));
  g_assert_null (pbi_settings_backend_key_to_row (PBI_SETTINGS_PATH "sub/key"));
  g_assert_null (pbi_settings_backend_row_to_key ("theme"));
  g_assert_null (pbi_settings_backend_row_to_key ("immich_"));
}

/* The schema and the store agree on keys, defaults and ranges. */
static void
test_schema_matches_store (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  const gchar * const *known = pbi_store_known_settings ();

  g_object_get (fixture->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  g_assert_cmpuint (g_strv_length (keys), ==, g_strv_length ((gchar **) known));

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, keys[i]);
      g_autoptr(GVariant) def = g_settings_schema_key_get_default_value (key);
      g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
      g_autoptr(GVariant) got = g_settings_get_value (fixture->settings, keys[i]);
      g_autofree gchar *row = pbi_settings_backend_key_to_row (keys[i]);
      g_autofree gchar *def_text = NULL;
      const gchar *range_type = NULL;
      g_autoptr(GVariant) range_value = NULL;

      g_assert_true (pbi_store_is_known_setting (row));
      g_assert_true (g_variant_equal (def, got));

      if (g_variant_is_of_type (def, G_VARIANT_TYPE_BOOLEAN))
        def_text = g_strdup (g_variant_get_boolean (def) ? "true" : "false");
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_INT32))
        def_text = g_strdup_printf ("%d", g_variant_get_int32 (def));
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_STRING))
        def_text = g_variant_dup_string (def, NULL);
      else if (g_variant_is_of_type (def, G_VARIANT_TYPE_STRING_ARRAY))
        {
          g_autofree const gchar **items = g_variant_get_strv (def, NULL);

          def_text = g_strjoinv (",", (gchar **) items);
        }
      else
        g_assert_not_reached ();

      g_assert_cmpstr (def_text, ==, pbi_store_get_setting_default (row));

      g_variant_get (range, "(&sv)", &range_type, &range_value);
      if (g_str_equal (range_type, "range"))
        {
          gint min, max;
          g_autofree gchar *min_text = NULL;
          g_autofree gchar *over_text = NULL;
          g_autofree gchar *pattern = NULL;
          g_autoptr(GError) error = NULL;

          g_variant_get (range_value, "(ii)", &min, &max);
          min_text = g_strdup_printf ("%d", min);
          over_text = g_strdup_printf ("%d", max + 1);

          g_assert_true (pbi_store_set_setting (fixture->store, row, min_text, &error));
          g_assert_cmpint (pbi_store_get_setting_int (fixture->store, row), ==, min);
          g_assert_cmpint (g_settings_get_int (fixture->settings, keys[i]), ==, min);

          g_assert_true (pbi_store_set_setting (fixture->store, row, over_text, &error));
          g_assert_no_error (error);
          pattern = g_strdup_printf ("*%s*'%s'*default*", row, over_text);
          g_test_expect_message ("pbi-store", G_LOG_LEVEL_MESSAGE, pattern);
          g_assert_cmpint (g_settings_get_int (fixture->settings, keys[i]), ==,
                           g_variant_get_int32 (def));
          g_test_assert_expected_messages ();
          g_assert_true (pbi_store_reset_setting (fixture->store, row, &error));
        }
    }

  for (guint i = 0; known[i] != NULL; i++)
    {
      g_autofree gchar *key = pbi_settings_backend_row_to_key (known[i]);

      g_assert_true (g_settings_schema_has_key (schema, key));
    }
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  const gchar *albums[] = { "Party", "Birthday 2024", NULL };
  g_auto(GStrv) got = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *album = NULL;

  g_assert_true (g_settings_set_string (fixture->settings, "album-name", "Wedding"));
  g_assert_true (g_settings_set_boolean (fixture->settings, "enabled", TRUE));
  g_assert_true (g_settings_set_boolean (fixture->settings, "auto-sync", FALSE));
  g_assert_true (g_settings_set_int (fixture->settings, "connect-timeout", 30));
  g_assert_true (g_settings_set_strv (fixture->settings, "extra-albums", albums));
  g_assert_true (g_settings_set_string (fixture->settings, "schedule-start", "08:15"));

  /* the rows hold the PhotoBooth's text format, seen from another connection */
  text = row_value (fixture, "immich_album_name");
  g_assert_cmpstr (text, ==, "Wedding");
  g_clear_pointer (&text, g_free);
  text = row_value (fixture, "immich_enabled");
  g_assert_cmpstr (text, ==, "true");
  g_clear_pointer (&text, g_free);
  text = row_value (fixture, "immich_auto_sync");
  g_assert_cmpstr (text, ==, "false");
  g_clear_pointer (&text, g_free);
  text = row_value (fixture, "immich_connect_timeout");
  g_assert_cmpstr (text, ==, "30");
  g_clear_pointer (&text, g_free);
  text = row_value (fixture, "immich_extra_albums");
  g_assert_cmpstr (text, ==, "Party,Birthday 2024");
  g_clear_pointer (&text, g_free);

  /* and read back through GSettings and through the store */
  album = g_settings_get_string (fixture->settings, "album-name");
  g_assert_cmpstr (album, ==, "Wedding");
  g_assert_true (g_settings_get_boolean (fixture->settings, "enabled"));
  g_assert_false (g_settings_get_boolean (fixture->settings, "auto-sync"));
  g_assert_cmpint (g_settings_get_int (fixture->settings, "connect-timeout"), ==, 30);
  got = g_settings_get_strv (fixture->settings, "extra-albums");
  g_assert_cmpstrv (got, albums);
  g_assert_cmpint (pbi_store_get_setting_int (fixture->store, "immich_connect_timeout"), ==, 30);

  /* reset deletes the row: the default is back */
  g_settings_reset (fixture->settings, "album-name");
  text = row_value (fixture, "immich_album_name");
  g_assert_null (text);
  g_free (album);
  album = g_settings_get_string (fixture->settings, "album-name");
  g_assert_cmpstr (album, ==, "PhotoBooth");
  g_assert_null (g_settings_get_user_value (fixture->settings, "album-name"));

  /* a list item with a comma cannot be stored: refused, not mangled */
  {
    const gchar *bad[] = { "a,b", NULL };

    g_test_expect_message ("pbi-store", G_LOG_LEVEL_MESSAGE, "*comma*");
    g_assert_false (g_settings_set_strv (fixture->settings, "extra-albums", bad));
    g_test_assert_expected_messages ();
    g_clear_pointer (&text, g_free);
    text = row_value (fixture, "immich_extra_albums");
    g_assert_cmpstr (text, ==, "Party,Birthday 2024");
  }
}

static void
on_changed (GSettings   *settings,
            const gchar *key,
            GPtrArray   *seen)
{
  g_ptr_array_add (seen, g_strdup (key));
}

static void
test_external_change (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *album = NULL;
  gint64 start, elapsed;
  gboolean fired = FALSE;

  /* read once so GSettings is subscribed and has a value */
  album = g_settings_get_string (fixture->settings, "album-name");
  g_assert_cmpstr (album, ==, "PhotoBooth");
  g_signal_connect (fixture->settings, "changed::album-name", G_CALLBACK (on_changed), seen);

  external_exec (fixture, "INSERT INTO settings VALUES ('immich_album_name', 'Birthday2024')");
  start = g_get_monotonic_time ();
  while (seen->len == 0 && g_get_monotonic_time () - start < 3 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  elapsed = g_get_monotonic_time () - start;
  fired = seen->len > 0;
  g_assert_true (fired);
  g_assert_cmpint (elapsed, <=, 2 * G_USEC_PER_SEC);
  g_test_message ("changed::album-name after %" G_GINT64_FORMAT " ms", elapsed / 1000);

  g_clear_pointer (&album, g_free);
  album = g_settings_get_string (fixture->settings, "album-name");
  g_assert_cmpstr (album, ==, "Birthday2024");

  /* a bad value from outside reads as the default, with a logged line */
  g_ptr_array_set_size (seen, 0);
  g_signal_connect (fixture->settings, "changed::enabled", G_CALLBACK (on_changed), seen);
  external_exec (fixture, "INSERT INTO settings VALUES ('immich_enabled', 'maybe')");
  g_assert_true (pbi_store_check_changes (fixture->store));
  test_spin (50);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "enabled");
  g_test_expect_message ("pbi-store", G_LOG_LEVEL_MESSAGE, "*immich_enabled*'maybe'*default*");
  g_assert_false (g_settings_get_boolean (fixture->settings, "enabled"));
  g_test_assert_expected_messages ();

  /* rows that are not ours change nothing */
  g_ptr_array_set_size (seen, 0);
  g_signal_connect (fixture->settings, "changed", G_CALLBACK (on_changed), seen);
  external_exec (fixture, "INSERT INTO settings VALUES ('theme', 'dark')");
  g_assert_true (pbi_store_check_changes (fixture->store));
  test_spin (50);
  g_assert_cmpuint (seen->len, ==, 0);
}

static void
test_own_write_signals (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSettings) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *value = NULL;

  /* a second GSettings on the same store sees the first one's writes ... */
  second = pbi_settings_backend_new_settings (fixture->store, &error);
  g_assert_no_error (error);
  g_signal_connect (second, "changed", G_CALLBACK (on_changed), seen);
  g_settings_get_int (second, "idle-timeout");

  g_settings_set_int (fixture->settings, "idle-timeout", 120);
  test_spin (50);
  g_assert_cmpuint (seen->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "idle-timeout");
  g_assert_cmpint (g_settings_get_int (second, "idle-timeout"), ==, 120);

  /* ... and the store's own writes (the CLI, the engine) */
  g_ptr_array_set_size (seen, 0);
  g_assert_true (pbi_store_set_setting (fixture->store, "immich_server_url",
                                        "http://127.0.0.1:2283", &error));
  test_spin (50);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "server-url");
  value = g_settings_get_string (second, "server-url");
  g_assert_cmpstr (value, ==, "http://127.0.0.1:2283");
}

static void
test_delayed_apply (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree gchar *text = NULL;

  /* delay-apply hands the backend a tree of writes: one transaction */
  g_settings_delay (fixture->settings);
  g_settings_set_string (fixture->settings, "server-url", "http://127.0.0.1:1");
  g_settings_set_string (fixture->settings, "api-key", "k");
  g_settings_set_boolean (fixture->settings, "kiosk-mode", TRUE);
  text = row_value (fixture, "immich_server_url");
  g_assert_null (text);

  g_settings_apply (fixture->settings);
  text = row_value (fixture, "immich_server_url");
  g_assert_cmpstr (text, ==, "http://127.0.0.1:1");
  g_clear_pointer (&text, g_free);
  text = row_value (fixture, "immich_kiosk_mode");
  g_assert_cmpstr (text, ==, "true");
  g_assert_true (pbi_store_get_setting_boolean (fixture->store, "immich_kiosk_mode"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pbi/store/settings-backend/key-mapping", test_key_mapping);
  g_test_add ("/pbi/store/settings-backend/schema-matches-store", Fixture, NULL,
              fixture_setup, test_schema_matches_store, fixture_teardown);
  g_test_add ("/pbi/store/settings-backend/round-trip", Fixture, NULL,
              fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/pbi/store/settings-backend/external-change", Fixture, NULL,
              fixture_setup, test_external_change, fixture_teardown);
  g_test_add ("/pbi/store/settings-backend/own-writes", Fixture, NULL,
              fixture_setup, test_own_write_signals, fixture_teardown);
  g_test_add ("/pbi/store/settings-backend/delayed-apply", Fixture, NULL,
              fixture_setup, test_delayed_apply, fixture_teardown);

  return g_test_run ();
}
