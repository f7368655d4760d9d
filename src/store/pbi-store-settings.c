/* pbi-store-settings.c: the settings table of PbiStore: the known keys,
 * their defaults and validation, typed getters and setters, the in-memory
 * copy and the setting-changed signal.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pbi-store.h"
#include "pbi-store-private.h"

typedef enum
{
  SPEC_STRING,
  SPEC_BOOLEAN,
  SPEC_INT,
  SPEC_TIME,
  SPEC_LIST,
} SpecKind;

typedef struct
{
  const gchar *key;
  SpecKind     kind;
  const gchar *def;
  gint         min;
  gint         max;
  gboolean     secret;
} SettingSpec;

/* Keep in sync with data/io.github.photobooth.ImmichSync.gschema.xml (a test
 * compares the two). */
static const SettingSpec setting_specs[] = {
  { "immich_enabled",            SPEC_BOOLEAN, "false",      0, 0,    FALSE },
  { "immich_server_url",         SPEC_STRING,  "",           0, 0,    FALSE },
  { "immich_api_key",            SPEC_STRING,  "",           0, 0,    TRUE },
  { "immich_album_name",         SPEC_STRING,  "PhotoBooth", 0, 0,    FALSE },
  { "immich_auto_sync",          SPEC_BOOLEAN, "true",       0, 0,    FALSE },
  { "immich_sync_on_capture",    SPEC_BOOLEAN, "true",       0, 0,    FALSE },
  { "immich_capture_folder",     SPEC_STRING,  "",           0, 0,    FALSE },
  { "immich_library_folder",     SPEC_STRING,  "",           0, 0,    FALSE },
  { "immich_extra_albums",       SPEC_LIST,    "",           0, 0,    FALSE },
  { "immich_schedule_start",     SPEC_TIME,    "",           0, 0,    FALSE },
  { "immich_schedule_end",       SPEC_TIME,    "",           0, 0,    FALSE },
  { "immich_connect_timeout",    SPEC_INT,     "10",         1, 300,  FALSE },
  { "immich_idle_timeout",       SPEC_INT,     "60",         1, 3600, FALSE },
  { "immich_upload_concurrency", SPEC_INT,     "2",          1, 16,   FALSE },
  { "immich_tls_fingerprint",    SPEC_STRING,  "",           0, 0,    FALSE },
  { "immich_kiosk_mode",         SPEC_BOOLEAN, "false",      0, 0,    FALSE },
  { "immich_kiosk_pin",          SPEC_STRING,  "",           0, 0,    TRUE },
  { "immich_guest_sharing",      SPEC_BOOLEAN, "false",      0, 0,    FALSE },
};

/* ------------------------------------------------------------- settings */

static const SettingSpec *
find_spec (const gchar *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (setting_specs); i++)
    {
      if (g_str_equal (setting_specs[i].key, key))
        return &setting_specs[i];
    }

  return NULL;
}

GHashTable *
_pbi_store_read_settings (PbiStore  *self,
                          GError   **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  stmt = _pbi_store_get_stmt (self, "SELECT key, value FROM settings", error);
  if (stmt == NULL)
    return NULL;

  /* The PhotoBooth's table may lack a unique key: the last row wins. */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        continue;

      g_hash_table_replace (table, _pbi_store_column_dup (stmt, 0),
                            _pbi_store_column_dup (stmt, 1));
    }

  if (rc != SQLITE_DONE)
    {
      _pbi_store_set_db_error (self, error, rc, "read the settings");
      return NULL;
    }

  return g_steal_pointer (&table);
}

static void
collect_changes (GHashTable *old_table,
                 GHashTable *new_table,
                 GPtrArray  *changed)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, new_table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gpointer old_value = NULL;

      if (!g_hash_table_lookup_extended (old_table, key, NULL, &old_value) ||
          g_strcmp0 (old_value, value) != 0)
        g_ptr_array_add (changed, g_strdup (key));
    }

  g_hash_table_iter_init (&iter, old_table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (new_table, key))
        g_ptr_array_add (changed, g_strdup (key));
    }
}

static void
emit_changed (PbiStore    *self,
              const gchar *key)
{
  /* a new bad value deserves a new log line */
  g_hash_table_remove (self->reported, key);
  g_debug ("Setting %s changed", key);
  g_signal_emit (self, _pbi_store_signals[STORE_SIGNAL_SETTING_CHANGED], g_quark_from_string (key),
                 key);
}

/* Re-reads the settings table and tells about every key whose value changed. */
void
_pbi_store_reload_settings (PbiStore *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);

  table = _pbi_store_read_settings (self, &error);
  if (table == NULL)
    {
      g_message ("%s", error->message);
      return;
    }

  collect_changes (self->settings, table, changed);
  g_clear_pointer (&self->settings, g_hash_table_unref);
  self->settings = g_steal_pointer (&table);

  for (guint i = 0; i < changed->len; i++)
    emit_changed (self, g_ptr_array_index (changed, i));
}

static void
report_invalid (PbiStore          *self,
                const SettingSpec *spec,
                const gchar       *value,
                const gchar       *expected)
{
  const gchar *reported = g_hash_table_lookup (self->reported, spec->key);
  g_autofree gchar *shown = g_utf8_make_valid (value, -1);

  if (reported != NULL && g_str_equal (reported, value))
    return;

  g_hash_table_replace (self->reported, g_strdup (spec->key), g_strdup (value));
  /* a huge value is named by its start */
  if (g_utf8_strlen (shown, -1) > 60)
    {
      g_autofree gchar *start = g_utf8_substring (shown, 0, 60);

      g_free (shown);
      shown = g_strconcat (start, "…", NULL);
    }
  g_message ("Setting %s has the invalid value '%s' (expected %s); using the default '%s'",
             spec->key, spec->secret ? "(hidden)" : shown, expected, spec->def);
}

static gboolean
parse_boolean (const gchar *text,
               gboolean    *out)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));

  if (g_ascii_strcasecmp (copy, "true") == 0 || g_str_equal (copy, "1"))
    *out = TRUE;
  else if (g_ascii_strcasecmp (copy, "false") == 0 || g_str_equal (copy, "0"))
    *out = FALSE;
  else
    return FALSE;

  return TRUE;
}

static gboolean
parse_int (const gchar *text,
           gint         min,
           gint         max,
           gint        *out)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));
  gint64 value;

  if (!g_ascii_string_to_signed (copy, 10, min, max, &value, NULL))
    return FALSE;

  *out = (gint) value;
  return TRUE;
}

static gboolean
parse_time (const gchar *text)
{
  guint hours, minutes;
  gint consumed = -1;

  if (text[0] == '\0')
    return TRUE;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;

  if (sscanf (text, "%2u:%2u%n", &hours, &minutes, &consumed) != 2 ||
      consumed != (gint) strlen (text) ||
      !g_ascii_isdigit (text[consumed - 1]) || !g_ascii_isdigit (text[consumed - 2]))
    return FALSE;

  return hours < 24 && minutes < 60;
}

static const gchar *
lookup_setting (PbiStore    *self,
                const gchar *key)
{
  return g_hash_table_lookup (self->settings, key);
}

/**
 * pbi_store_is_known_setting:
 * @key: a row key such as `immich_album_name`
 *
 * Returns: %TRUE when @key is one of the settings this app defines
 */
gboolean
pbi_store_is_known_setting (const gchar *key)
{
  g_return_val_if_fail (key != NULL, FALSE);

  return find_spec (key) != NULL;
}

/**
 * pbi_store_known_settings:
 *
 * Returns: (transfer none) (array zero-terminated=1): the row keys of every
 *   setting this app defines, in a sensible order
 */
const gchar * const *
pbi_store_known_settings (void)
{
  static const gchar **keys = NULL;

  if (g_once_init_enter (&keys))
    {
      const gchar **array = g_new0 (const gchar *, G_N_ELEMENTS (setting_specs) + 1);

      for (guint i = 0; i < G_N_ELEMENTS (setting_specs); i++)
        array[i] = setting_specs[i].key;

      g_once_init_leave (&keys, array);
    }

  return keys;
}

/**
 * pbi_store_get_setting_default:
 * @key: a row key
 *
 * Returns: (nullable): the default value as text, %NULL for unknown keys
 */
const gchar *
pbi_store_get_setting_default (const gchar *key)
{
  const SettingSpec *spec;

  g_return_val_if_fail (key != NULL, NULL);

  spec = find_spec (key);
  return spec != NULL ? spec->def : NULL;
}

/**
 * pbi_store_dup_setting_raw:
 * @self: a #PbiStore
 * @key: a row key
 *
 * Returns: (transfer full) (nullable): the text stored for @key, unparsed,
 *   %NULL when there is no row
 */
gchar *
pbi_store_dup_setting_raw (PbiStore    *self,
                           const gchar *key)
{
  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_strdup (lookup_setting (self, key));
}

/**
 * pbi_store_get_setting_string:
 * @self: a #PbiStore
 * @key: a row key
 *
 * Gets a text setting.  A missing row gives the default; a schedule time
 * that is not "" or "HH:MM" is logged and gives the default.
 *
 * Returns: (transfer full) (nullable): the value; %NULL only for an unknown
 *   key without a row
 */
gchar *
pbi_store_get_setting_string (PbiStore    *self,
                              const gchar *key)
{
  const SettingSpec *spec;
  const gchar *value;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  spec = find_spec (key);
  value = lookup_setting (self, key);

  if (value == NULL)
    return spec != NULL ? g_strdup (spec->def) : NULL;

  /* Bytes another program wrote that are not text (the album name would
   * be refused by the server, JSON and the log cannot carry them). */
  if (spec != NULL && !g_utf8_validate (value, -1, NULL))
    {
      report_invalid (self, spec, value, "text in UTF-8");
      return g_strdup (spec->def);
    }

  if (spec != NULL && spec->kind == SPEC_TIME)
    {
      g_autofree gchar *copy = g_strstrip (g_strdup (value));

      if (!parse_time (copy))
        {
          report_invalid (self, spec, value, "a time HH:MM or nothing");
          return g_strdup (spec->def);
        }

      return g_steal_pointer (&copy);
    }

  return g_strdup (value);
}

/**
 * pbi_store_get_setting_boolean:
 * @self: a #PbiStore
 * @key: a row key of a boolean setting
 *
 * Accepts `true`, `false`, `1` and `0` in any case, spaces around them
 * ignored.  Anything else is logged (key and value) and gives the default.
 *
 * Returns: the value
 */
gboolean
pbi_store_get_setting_boolean (PbiStore    *self,
                               const gchar *key)
{
  const SettingSpec *spec;
  const gchar *value;
  gboolean def = FALSE;
  gboolean result;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  spec = find_spec (key);
  if (spec != NULL)
    parse_boolean (spec->def, &def);

  value = lookup_setting (self, key);
  if (value == NULL)
    return def;

  if (parse_boolean (value, &result))
    return result;

  if (spec != NULL)
    report_invalid (self, spec, value, "true or false");
  else
    g_message ("Setting %s has the invalid value '%s' (expected true or false); "
               "using the default 'false'", key, value);

  return def;
}

/**
 * pbi_store_get_setting_int:
 * @self: a #PbiStore
 * @key: a row key of a number setting
 *
 * A value that is not a whole number, or is out of the setting's range, is
 * logged (key and value) and gives the default.
 *
 * Returns: the value
 */
gint
pbi_store_get_setting_int (PbiStore    *self,
                           const gchar *key)
{
  const SettingSpec *spec;
  const gchar *value;
  gint def = 0;
  gint min = G_MININT;
  gint max = G_MAXINT;
  gint result;

  g_return_val_if_fail (PBI_IS_STORE (self), 0);
  g_return_val_if_fail (key != NULL, 0);

  spec = find_spec (key);
  if (spec != NULL && spec->kind == SPEC_INT)
    {
      def = atoi (spec->def);
      min = spec->min;
      max = spec->max;
    }

  value = lookup_setting (self, key);
  if (value == NULL)
    return def;

  if (parse_int (value, min, max, &result))
    return result;

  if (spec != NULL)
    {
      g_autofree gchar *expected = g_strdup_printf ("a whole number from %d to %d",
                                                    min, max);
      report_invalid (self, spec, value, expected);
    }
  else
    {
      g_message ("Setting %s has the invalid value '%s' (expected a whole number); "
                 "using the default '0'", key, value);
    }

  return def;
}

/**
 * pbi_store_get_setting_strv:
 * @self: a #PbiStore
 * @key: a row key of a list setting (`immich_extra_albums`)
 *
 * Lists are stored as comma-separated text (`Party,Birthday 2024`): spaces
 * around items are dropped, empty items ignored.  An item cannot contain a
 * comma.
 *
 * Returns: (transfer full): the items, possibly none
 */
gchar **
pbi_store_get_setting_strv (PbiStore    *self,
                            const gchar *key)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;
  g_autofree gchar *value = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = pbi_store_get_setting_string (self, key);
  if (value == NULL)
    return g_strv_builder_end (builder);

  parts = g_strsplit (value, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

static void
cache_setting (PbiStore    *self,
               const gchar *key,
               const gchar *value)
{
  gboolean changed;

  changed = g_strcmp0 (lookup_setting (self, key), value) != 0 ||
            (value == NULL) == g_hash_table_contains (self->settings, key);

  if (value == NULL)
    g_hash_table_remove (self->settings, key);
  else
    g_hash_table_replace (self->settings, g_strdup (key), g_strdup (value));

  /* Our own commits do not move data_version: say it here. */
  if (changed)
    emit_changed (self, key);
}

/**
 * pbi_store_set_setting:
 * @self: a #PbiStore
 * @key: a row key
 * @value: (nullable): the text to store, %NULL to delete the row (back to
 *   the default)
 * @error: return location for a #GError
 *
 * Writes one settings row (UPDATE, then INSERT when there was no row, so a
 * table without a unique key works too) and emits
 * #PbiStore::setting-changed when the value changed.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_setting (PbiStore     *self,
                       const gchar  *key,
                       const gchar  *value,
                       GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    {
      stmt = _pbi_store_get_stmt (self, "DELETE FROM settings WHERE key = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      if (!_pbi_store_step_done (self, stmt, "reset a setting", error))
        return FALSE;

      cache_setting (self, key, NULL);
      return TRUE;
    }

  stmt = _pbi_store_get_stmt (self, "UPDATE settings SET value = ?2 WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  if (!_pbi_store_step_done (self, stmt, "save a setting", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_autoptr(PbiStmt) insert = NULL;

      insert = _pbi_store_get_stmt (self, "INSERT INTO settings (key, value) VALUES (?1, ?2)",
                                    error);
      if (insert == NULL)
        return FALSE;
      sqlite3_bind_text (insert, 1, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, value, -1, SQLITE_TRANSIENT);
      if (!_pbi_store_step_done (self, insert, "save a setting", error))
        return FALSE;
    }

  cache_setting (self, key, value);
  return TRUE;
}

/**
 * pbi_store_set_setting_checked:
 * @self: a #PbiStore
 * @key: a row key of a known setting
 * @value: the text to store
 * @error: return location for a #GError
 *
 * Like pbi_store_set_setting(), for values typed by a person: refuses an
 * unknown key or a value the getters would not accept
 * (%G_IO_ERROR_INVALID_ARGUMENT, naming the key and what is expected) and
 * stores booleans as `true`/`false`, numbers without spaces.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_setting_checked (PbiStore     *self,
                               const gchar  *key,
                               const gchar  *value,
                               GError      **error)
{
  const SettingSpec *spec;
  g_autofree gchar *text = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  spec = find_spec (key);
  if (spec == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown setting %s", key);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Setting %s must be text in UTF-8", key);
      return FALSE;
    }

  switch (spec->kind)
    {
    case SPEC_BOOLEAN:
      {
        gboolean b;

        if (!parse_boolean (value, &b))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "Setting %s must be true or false", key);
            return FALSE;
          }
        text = g_strdup (b ? "true" : "false");
      }
      break;

    case SPEC_INT:
      {
        gint n;

        if (!parse_int (value, spec->min, spec->max, &n))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "Setting %s must be a whole number from %d to %d",
                         key, spec->min, spec->max);
            return FALSE;
          }
        text = g_strdup_printf ("%d", n);
      }
      break;

    case SPEC_TIME:
      text = g_strstrip (g_strdup (value));
      if (!parse_time (text))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Setting %s must be a time HH:MM (00:00 to 23:59) or empty", key);
          return FALSE;
        }
      break;

    case SPEC_STRING:
    case SPEC_LIST:
    default:
      text = g_strdup (value);
      break;
    }

  return pbi_store_set_setting (self, key, text, error);
}

/**
 * pbi_store_set_setting_boolean:
 * @self: a #PbiStore
 * @key: a row key
 * @value: the value, stored as `true` or `false`
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_setting_boolean (PbiStore     *self,
                               const gchar  *key,
                               gboolean      value,
                               GError      **error)
{
  return pbi_store_set_setting (self, key, value ? "true" : "false", error);
}

/**
 * pbi_store_set_setting_int:
 * @self: a #PbiStore
 * @key: a row key
 * @value: the value, stored as decimal text
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_setting_int (PbiStore     *self,
                           const gchar  *key,
                           gint          value,
                           GError      **error)
{
  gchar text[16];

  g_snprintf (text, sizeof text, "%d", value);
  return pbi_store_set_setting (self, key, text, error);
}

/**
 * pbi_store_reset_setting:
 * @self: a #PbiStore
 * @key: a row key
 * @error: return location for a #GError
 *
 * Deletes the row, so the default applies.
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_reset_setting (PbiStore     *self,
                         const gchar  *key,
                         GError      **error)
{
  return pbi_store_set_setting (self, key, NULL, error);
}
