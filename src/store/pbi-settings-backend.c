/* pbi-settings-backend.c: a GSettingsBackend over the store's settings table
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "pbi-settings-backend.h"
#include "pbi-store.h"

/*
 * Schema keys are kebab-case under PBI_SETTINGS_PATH; each one is the row
 * `immich_<key with _ for ->` of the PhotoBooth's settings table:
 * `album-name` ↔ `immich_album_name`.  Values are stored as the PhotoBooth
 * writes them: booleans `true`/`false`, numbers as decimal text, strings as
 * they are, string lists (`as`) comma-separated.  A missing row reads as the
 * schema default; a row with a bad value is logged by the store and reads
 * as the default too.
 */

#define ROW_PREFIX "immich_"

struct _PbiSettingsBackend
{
  GSettingsBackend  parent_instance;
  PbiStore         *store;     /* (owned) */
  guint             writing : 1;
};

G_DEFINE_FINAL_TYPE (PbiSettingsBackend, pbi_settings_backend, G_TYPE_SETTINGS_BACKEND)

enum
{
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * pbi_settings_backend_key_to_row:
 * @key: a schema key (`album-name`) or a full key path
 *   (`/io/github/photobooth/ImmichSync/album-name`)
 *
 * Returns: (transfer full) (nullable): the settings row key
 *   (`immich_album_name`), %NULL when @key is not one of ours
 */
gchar *
pbi_settings_backend_key_to_row (const gchar *key)
{
  g_autofree gchar *row = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  if (key[0] == '/')
    {
      if (!g_str_has_prefix (key, PBI_SETTINGS_PATH))
        return NULL;
      key += strlen (PBI_SETTINGS_PATH);
    }

  if (key[0] == '\0' || strchr (key, '/') != NULL)
    return NULL;

  row = g_strconcat (ROW_PREFIX, key, NULL);
  g_strdelimit (row, "-", '_');
  return g_steal_pointer (&row);
}

/**
 * pbi_settings_backend_row_to_key:
 * @row: a settings row key (`immich_album_name`)
 *
 * Returns: (transfer full) (nullable): the schema key (`album-name`), %NULL
 *   when the row is not one of ours
 */
gchar *
pbi_settings_backend_row_to_key (const gchar *row)
{
  g_autofree gchar *key = NULL;

  g_return_val_if_fail (row != NULL, NULL);

  if (!g_str_has_prefix (row, ROW_PREFIX) || row[strlen (ROW_PREFIX)] == '\0')
    return NULL;

  key = g_strdup (row + strlen (ROW_PREFIX));
  g_strdelimit (key, "_", '-');
  return g_steal_pointer (&key);
}

static GVariant *
text_to_variant (PbiSettingsBackend *self,
                 const gchar        *row,
                 const GVariantType *type)
{
  if (g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_new_boolean (pbi_store_get_setting_boolean (self->store, row));

  if (g_variant_type_equal (type, G_VARIANT_TYPE_INT32))
    return g_variant_new_int32 (pbi_store_get_setting_int (self->store, row));

  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING))
    {
      g_autofree gchar *text = pbi_store_get_setting_string (self->store, row);

      return g_variant_new_string (text != NULL ? text : "");
    }

  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_auto(GStrv) items = pbi_store_get_setting_strv (self->store, row);

      return g_variant_new_strv ((const gchar * const *) items, -1);
    }

  /* Any other type: GVariant text format. */
  {
    g_autofree gchar *raw = pbi_store_dup_setting_raw (self->store, row);
    g_autoptr(GError) error = NULL;
    GVariant *value;

    value = g_variant_parse (type, raw, NULL, NULL, &error);
    if (value == NULL)
      g_message ("Setting %s has an invalid value (%s); using the default",
                 row, error->message);
    return value;
  }
}

static gchar *
variant_to_text (GVariant    *value,
                 const gchar *row)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? "true" : "false");

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    return g_strdup_printf ("%d", g_variant_get_int32 (value));

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_autofree const gchar **items = g_variant_get_strv (value, NULL);

      for (guint i = 0; items[i] != NULL; i++)
        {
          if (strchr (items[i], ',') != NULL)
            {
              g_message ("Cannot save '%s' in setting %s: list items cannot contain a comma",
                         items[i], row);
              return NULL;
            }
        }

      return g_strjoinv (",", (gchar **) items);
    }

  return g_variant_print (value, FALSE);
}

static GVariant *
pbi_settings_backend_read (GSettingsBackend   *backend,
                           const gchar        *key,
                           const GVariantType *expected_type,
                           gboolean            default_value)
{
  PbiSettingsBackend *self = PBI_SETTINGS_BACKEND (backend);
  g_autofree gchar *row = NULL;
  g_autofree gchar *raw = NULL;

  if (default_value)
    return NULL;

  row = pbi_settings_backend_key_to_row (key);
  if (row == NULL)
    return NULL;

  /* No row: the schema's default applies. */
  raw = pbi_store_dup_setting_raw (self->store, row);
  if (raw == NULL)
    return NULL;

  return text_to_variant (self, row, expected_type);
}

static gboolean
write_one (PbiSettingsBackend  *self,
           const gchar         *key,
           GVariant            *value,
           GError             **error)
{
  g_autofree gchar *row = pbi_settings_backend_key_to_row (key);
  g_autofree gchar *text = NULL;
  gboolean ok;

  if (row == NULL)
    {
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED,
                   "%s is not a key of " PBI_SETTINGS_SCHEMA_ID, key);
      return FALSE;
    }

  if (value != NULL)
    {
      text = variant_to_text (value, row);
      if (text == NULL)
        {
          g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED,
                       "Cannot save setting %s", row);
          return FALSE;
        }
    }

  self->writing = TRUE;
  ok = pbi_store_set_setting (self->store, row, text, error);
  self->writing = FALSE;

  return ok;
}

static gboolean
pbi_settings_backend_write (GSettingsBackend *backend,
                            const gchar      *key,
                            GVariant         *value,
                            gpointer          origin_tag)
{
  PbiSettingsBackend *self = PBI_SETTINGS_BACKEND (backend);
  g_autoptr(GVariant) sunk = g_variant_ref_sink (value);
  g_autoptr(GError) error = NULL;

  if (!write_one (self, key, sunk, &error))
    {
      g_message ("%s", error->message);
      return FALSE;
    }

  g_settings_backend_changed (backend, key, origin_tag);
  return TRUE;
}

typedef struct
{
  PbiSettingsBackend *self;
  GError             *error;
} TreeWrite;

static gboolean
write_tree_cb (gpointer key,
               gpointer value,
               gpointer user_data)
{
  TreeWrite *tw = user_data;

  return !write_one (tw->self, key, value, &tw->error);
}

static gboolean
pbi_settings_backend_write_tree (GSettingsBackend *backend,
                                 GTree            *tree,
                                 gpointer          origin_tag)
{
  PbiSettingsBackend *self = PBI_SETTINGS_BACKEND (backend);
  TreeWrite tw = { self, NULL };
  g_autoptr(GError) error = NULL;

  if (!pbi_store_begin (self->store, &error))
    {
      g_message ("%s", error->message);
      return FALSE;
    }

  g_tree_foreach (tree, write_tree_cb, &tw);

  if (tw.error != NULL)
    {
      pbi_store_rollback (self->store);
      g_message ("%s", tw.error->message);
      g_clear_error (&tw.error);
      return FALSE;
    }

  if (!pbi_store_commit (self->store, &error))
    {
      g_message ("%s", error->message);
      return FALSE;
    }

  g_settings_backend_changed_tree (backend, tree, origin_tag);
  return TRUE;
}

static void
pbi_settings_backend_reset (GSettingsBackend *backend,
                            const gchar      *key,
                            gpointer          origin_tag)
{
  PbiSettingsBackend *self = PBI_SETTINGS_BACKEND (backend);
  g_autoptr(GError) error = NULL;

  if (!write_one (self, key, NULL, &error))
    {
      g_message ("%s", error->message);
      return;
    }

  g_settings_backend_changed (backend, key, origin_tag);
}

static gboolean
pbi_settings_backend_get_writable (GSettingsBackend *backend,
                                   const gchar      *key)
{
  g_autofree gchar *row = pbi_settings_backend_key_to_row (key);

  return row != NULL;
}

static void
on_setting_changed_cb (PbiSettingsBackend *self,
                       const gchar        *row,
                       PbiStore           *store)
{
  g_autofree gchar *key = NULL;
  g_autofree gchar *path = NULL;

  g_assert (PBI_IS_SETTINGS_BACKEND (self));

  /* our own write() tells GSettings itself, with its origin tag */
  if (self->writing)
    return;

  key = pbi_settings_backend_row_to_key (row);
  if (key == NULL)
    return;

  path = g_strconcat (PBI_SETTINGS_PATH, key, NULL);
  g_settings_backend_changed (G_SETTINGS_BACKEND (self), path, NULL);
}

static void
pbi_settings_backend_constructed (GObject *object)
{
  PbiSettingsBackend *self = PBI_SETTINGS_BACKEND (object);

  G_OBJECT_CLASS (pbi_settings_backend_parent_class)->constructed (object);

  g_assert (PBI_IS_STORE (self->store));
  g_signal_connect_object (self->store, "setting-changed",
                           G_CALLBACK (on_setting_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
pbi_settings_backend_dispose (GObject *object)
{
  PbiSettingsBackend *self = PBI_SETTINGS_BACKEND (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (pbi_settings_backend_parent_class)->dispose (object);
}

static void
pbi_settings_backend_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PbiSettingsBackend *self = PBI_SETTINGS_BACKEND (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_settings_backend_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  PbiSettingsBackend *self = PBI_SETTINGS_BACKEND (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_settings_backend_class_init (PbiSettingsBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GSettingsBackendClass *backend_class = G_SETTINGS_BACKEND_CLASS (klass);

  object_class->constructed = pbi_settings_backend_constructed;
  object_class->dispose = pbi_settings_backend_dispose;
  object_class->get_property = pbi_settings_backend_get_property;
  object_class->set_property = pbi_settings_backend_set_property;

  backend_class->read = pbi_settings_backend_read;
  backend_class->write = pbi_settings_backend_write;
  backend_class->write_tree = pbi_settings_backend_write_tree;
  backend_class->reset = pbi_settings_backend_reset;
  backend_class->get_writable = pbi_settings_backend_get_writable;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PBI_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pbi_settings_backend_init (PbiSettingsBackend *self)
{
}

/**
 * pbi_settings_backend_new:
 * @store: the store holding the settings table
 *
 * Returns: (transfer full): a backend for g_settings_new_full()
 */
GSettingsBackend *
pbi_settings_backend_new (PbiStore *store)
{
  g_return_val_if_fail (PBI_IS_STORE (store), NULL);

  return g_object_new (PBI_TYPE_SETTINGS_BACKEND, "store", store, NULL);
}

/**
 * pbi_settings_backend_new_settings:
 * @store: the store holding the settings table
 * @error: return location for a #GError
 *
 * Makes a #GSettings for %PBI_SETTINGS_SCHEMA_ID backed by @store.
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL when the
 *   schema is not installed
 */
GSettings *
pbi_settings_backend_new_settings (PbiStore  *store,
                                   GError   **error)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;
  GSettingsSchemaSource *source;

  g_return_val_if_fail (PBI_IS_STORE (store), NULL);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, PBI_SETTINGS_SCHEMA_ID, TRUE);

  if (schema == NULL)
    {
      g_set_error (error, PBI_STORE_ERROR, PBI_STORE_ERROR_FAILED,
                   "The settings schema %s is not installed", PBI_SETTINGS_SCHEMA_ID);
      return NULL;
    }

  backend = pbi_settings_backend_new (store);
  return g_settings_new_full (schema, backend, PBI_SETTINGS_PATH);
}
