/* pbi-folder-row.c: the capture folder, chosen with the file chooser or typed
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-folder-row.h"
#include "pbi-ui-util.h"

struct _PbiFolderRow
{
  AdwExpanderRow        parent_instance;

  GSettings            *settings;
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  guint                 apply_id;

  GtkButton            *choose_button;
  AdwEntryRow          *path_row;
  AdwActionRow         *path_hint_row;
};

G_DEFINE_FINAL_TYPE (PbiFolderRow, pbi_folder_row, ADW_TYPE_EXPANDER_ROW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_hint (PbiFolderRow *self,
           const gchar  *message)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->path_hint_row),
                                 message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->path_hint_row), message != NULL);
}

static void
on_chooser_response_cb (GtkNativeDialog *dialog,
                        gint             response,
                        PbiFolderRow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree gchar *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        {
          g_settings_set_string (self->settings, "capture-folder", path);
          show_hint (self, NULL);
        }
      else
        show_hint (self, _("This folder is not on this computer’s disk; choose a local one."));
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_button_clicked_cb (PbiFolderRow *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree gchar *current = g_settings_get_string (self->settings, "capture-folder");

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Choose the Capture Folder"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (*current != '\0')
    {
      g_autoptr(GFile) folder = g_file_new_for_path (current);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response_cb),
                           self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
query_folder_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PbiFolderRow) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = g_file_get_path (G_FILE (object));

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (info == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (info == NULL)
    {
      g_autofree gchar *msg = g_strdup_printf (_("“%s” cannot be used: %s"), path, error->message);

      show_hint (self, msg);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      g_autofree gchar *msg = g_strdup_printf (_("“%s” is not a folder."), path);

      show_hint (self, msg);
      return;
    }
  show_hint (self, NULL);
  g_settings_set_string (self->settings, "capture-folder", path);
}

static void
apply_path (PbiFolderRow *self)
{
  g_autofree gchar *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->path_row))));
  g_autoptr(GFile) folder = NULL;

  if (*text == '\0')
    return;
  if (!g_path_is_absolute (text) && text[0] != '~')
    {
      show_hint (self, _("Type the folder’s full path, starting with “/”."));
      return;
    }
  folder = g_file_new_for_commandline_arg (text);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_file_query_info_async (folder, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, self->cancellable, query_folder_cb,
                           g_object_ref (self));
}

static void
on_path_row_apply_cb (PbiFolderRow *self)
{
  g_clear_handle_id (&self->apply_id, g_source_remove);
  apply_path (self);
}

static gboolean
apply_path_cb (gpointer user_data)
{
  PbiFolderRow *self = user_data;

  self->apply_id = 0;
  apply_path (self);
  return G_SOURCE_REMOVE;
}

/* A typed path is taken once typing pauses and it names a folder. */
static void
on_path_row_changed_cb (PbiFolderRow *self)
{
  g_clear_handle_id (&self->apply_id, g_source_remove);
  if (*gtk_editable_get_text (GTK_EDITABLE (self->path_row)) != '\0')
    self->apply_id = g_timeout_add (800, apply_path_cb, self);
}

static gboolean
map_folder (GValue   *value,
            GVariant *variant,
            gpointer  user_data)
{
  const gchar *path = g_variant_get_string (variant, NULL);

  g_value_set_string (value, path != NULL && *path != '\0' ? path : _("Not chosen yet"));
  return TRUE;
}

static void
pbi_folder_row_constructed (GObject *object)
{
  PbiFolderRow *self = PBI_FOLDER_ROW (object);

  G_OBJECT_CLASS (pbi_folder_row_parent_class)->constructed (object);

  g_settings_bind_with_mapping (self->settings, "capture-folder", self, "subtitle",
                                G_SETTINGS_BIND_GET, map_folder, NULL, NULL, NULL);
}

static void
pbi_folder_row_dispose (GObject *object)
{
  PbiFolderRow *self = PBI_FOLDER_ROW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->apply_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->settings != NULL)
    g_settings_unbind (self, "subtitle");
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pbi_folder_row_parent_class)->dispose (object);
}

static void
pbi_folder_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PbiFolderRow *self = PBI_FOLDER_ROW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_folder_row_class_init (PbiFolderRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pbi_folder_row_constructed;
  object_class->dispose = pbi_folder_row_dispose;
  object_class->set_property = pbi_folder_row_set_property;

  properties[PROP_SETTINGS] = pbi_ui_param_spec_settings ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-folder-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiFolderRow, choose_button);
  gtk_widget_class_bind_template_child (widget_class, PbiFolderRow, path_row);
  gtk_widget_class_bind_template_child (widget_class, PbiFolderRow, path_hint_row);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_path_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_path_row_changed_cb);
}

static void
pbi_folder_row_init (PbiFolderRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pbi_entry_row_name_apply_button (ADW_ENTRY_ROW (self->path_row));
}

/**
 * pbi_folder_row_new:
 * @settings: the engine's settings (key capture-folder)
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
pbi_folder_row_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (PBI_TYPE_FOLDER_ROW, "settings", settings, NULL);
}
