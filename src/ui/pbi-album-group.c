/* pbi-album-group.c: the album picker (albums loaded from the server)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-album-group.h"
#include "pbi-engine-private.h"
#include "pbi-engine-test.h"
#include "pbi-immich-types.h"
#include "pbi-ui-util.h"

struct _PbiAlbumGroup
{
  AdwPreferencesGroup  parent_instance;

  PbiEngine           *engine;
  GSettings           *settings;
  GCancellable        *cancellable;
  gchar               *user_id;
  GPtrArray           *rows;        /* AdwActionRow, one per album shown */
  GtkToggleButton     *first_check;

  AdwActionRow        *current_row;
  AdwExpanderRow      *albums_row;
  GtkSpinner          *load_spinner;
  GtkButton           *load_button;
  AdwEntryRow         *new_row;
};

G_DEFINE_FINAL_TYPE (PbiAlbumGroup, pbi_album_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_busy (PbiAlbumGroup *self,
          gboolean       busy)
{
  gtk_spinner_set_spinning (self->load_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->load_spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->load_button), !busy);
}

/* Checks the row of the album in use, none when it is not listed. */
static void
sync_checks (PbiAlbumGroup *self)
{
  g_autofree gchar *album = g_settings_get_string (self->settings, "album-name");
  gboolean found = FALSE;

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkToggleButton *check = g_object_get_data (G_OBJECT (row), "check");
      const gchar *name = g_object_get_data (G_OBJECT (row), "album-name");

      if (!found && g_strcmp0 (name, album) == 0)
        {
          gtk_toggle_button_set_active (check, TRUE);
          found = TRUE;
        }
    }
  if (!found)
    for (guint i = 0; i < self->rows->len; i++)
      {
        GtkWidget *row = g_ptr_array_index (self->rows, i);

        gtk_toggle_button_set_active (g_object_get_data (G_OBJECT (row), "check"), FALSE);
      }
}

static void
on_album_name_changed_cb (PbiAlbumGroup *self)
{
  sync_checks (self);
}

/* A filled radio mark on the album in use, an empty one on the others (a
 * check mark and nothing where the icon theme lacks radio marks). */
static void
set_choice_icon (GtkToggleButton *button,
                 gboolean         active)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (button)));
  const gchar *icon = active ? "radio-checked-symbolic" : "radio-symbolic";

  if (!gtk_icon_theme_has_icon (theme, icon))
    icon = active ? "object-select-symbolic" : "";
  gtk_button_set_icon_name (GTK_BUTTON (button), icon);
}

static void
on_check_toggled_cb (GtkToggleButton *check,
                     PbiAlbumGroup   *self)
{
  const gchar *name = g_object_get_data (G_OBJECT (check), "album-name");
  g_autofree gchar *album = NULL;
  gboolean active = gtk_toggle_button_get_active (check);

  set_choice_icon (check, active);
  gtk_widget_set_tooltip_text (GTK_WIDGET (check), active ? _("The album in use") : _("Use this album"));
  if (!active)
    return;
  album = g_settings_get_string (self->settings, "album-name");
  if (g_strcmp0 (album, name) != 0)
    g_settings_set_string (self->settings, "album-name", name);
}

static void
clear_rows (PbiAlbumGroup *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_expander_row_remove (self->albums_row, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  self->first_check = NULL;
}

static gint
compare_albums (gconstpointer a,
                gconstpointer b)
{
  const PbiImmichAlbum *x = *(PbiImmichAlbum * const *) a;
  const PbiImmichAlbum *y = *(PbiImmichAlbum * const *) b;

  return g_utf8_collate (x->name != NULL ? x->name : "", y->name != NULL ? y->name : "");
}

static void
add_album_row (PbiAlbumGroup        *self,
               const PbiImmichAlbum *album,
               gboolean              owned)
{
  GtkWidget *row = adw_action_row_new ();
  /* A toggle button in a group rather than a radio check button: GTK 4.8
   * gives check buttons no accessible action, so screen readers and tests
   * could not choose an album. The chosen one shows a check mark. */
  GtkWidget *check = gtk_toggle_button_new ();
  g_autofree gchar *count = NULL;
  g_autofree gchar *subtitle = NULL;

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo", "%u photos",
                                        album->asset_count),
                           album->asset_count);
  if (owned)
    subtitle = g_steal_pointer (&count);
  else
    /* Translators: %s (first) is a photo count, the second a person's name */
    subtitle = g_strdup_printf (_("%s · shared by %s; photos can be added only with the "
                                  "editor role"),
                                count, album->owner_name != NULL ? album->owner_name : _("another user"));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), album->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (check, "flat");
  gtk_widget_add_css_class (check, "circular");
  gtk_widget_set_tooltip_text (check, _("Use this album"));
  set_choice_icon (GTK_TOGGLE_BUTTON (check), FALSE);
  /* its name is the row's title (the row labels its activatable widget) */
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                  -1);
  if (self->first_check != NULL)
    gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (check), self->first_check);
  else
    self->first_check = GTK_TOGGLE_BUTTON (check);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_object_set_data_full (G_OBJECT (row), "album-name", g_strdup (album->name), g_free);
  g_object_set_data_full (G_OBJECT (check), "album-name", g_strdup (album->name), g_free);
  g_object_set_data (G_OBJECT (row), "check", check);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_check_toggled_cb), self, 0);
  adw_expander_row_add_row (self->albums_row, row);
  g_ptr_array_add (self->rows, row);
}

static void
list_albums_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PbiAlbumGroup) self = user_data;
  g_autoptr(GPtrArray) albums = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *subtitle = NULL;
  guint shown = 0;
  guint shared = 0;

  albums = pbi_engine_list_albums_finish (PBI_ENGINE (object), result, &error);
  if (albums == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  clear_rows (self);
  if (albums == NULL)
    {
      /* Translators: %s is the reason, in plain words */
      subtitle = g_strdup_printf (_("Could not load the albums: %s"), error->message);
      adw_expander_row_set_subtitle (self->albums_row, subtitle);
      return;
    }
  g_ptr_array_sort (albums, compare_albums);
  for (guint i = 0; i < albums->len; i++)
    {
      const PbiImmichAlbum *album = g_ptr_array_index (albums, i);
      gboolean owned = album->owner_id == NULL || self->user_id == NULL
                       || g_strcmp0 (album->owner_id, self->user_id) == 0;

      add_album_row (self, album, owned);
      shown++;
      if (!owned)
        shared++;
    }
  sync_checks (self);
  if (shown == 0)
    subtitle = g_strdup (_("No albums yet: type a name below to create one"));
  else if (shared == 0)
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u album of yours",
                                             "%u albums of yours", shown), shown);
  else
    /* Translators: the first %u counts all albums, the second the shared ones */
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u album, %u of them shared with you",
                                             "%u albums, %u of them shared with you", shown),
                                shown, shared);
  adw_expander_row_set_subtitle (self->albums_row, subtitle);
  adw_expander_row_set_expanded (self->albums_row, shown > 0);
}

static void
check_user_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PbiAlbumGroup) self = user_data;
  g_autoptr(PbiConnectionCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *subtitle = NULL;

  if (!pbi_engine_check_connection_finish (PBI_ENGINE (object), result, &check, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      subtitle = g_strdup_printf (_("Could not load the albums: %s"), error->message);
      adw_expander_row_set_subtitle (self->albums_row, subtitle);
      return;
    }
  g_free (self->user_id);
  self->user_id = g_strdup (check->user_id);
  pbi_engine_list_albums_async (self->engine, self->cancellable, list_albums_cb,
                                g_object_ref (self));
}

/**
 * pbi_album_group_load:
 * @self: a group
 *
 * Loads the albums from the server, as the Load Albums button does.
 */
void
pbi_album_group_load (PbiAlbumGroup *self)
{
  g_return_if_fail (PBI_IS_ALBUM_GROUP (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  adw_expander_row_set_subtitle (self->albums_row, _("Loading the albums…"));
  /* the user's id tells own albums from ones shared with them */
  pbi_engine_check_connection_async (self->engine, self->cancellable, check_user_cb,
                                     g_object_ref (self));
}

static void
on_load_button_clicked_cb (PbiAlbumGroup *self)
{
  pbi_album_group_load (self);
}

/**
 * pbi_album_group_commit:
 * @self: a group
 *
 * Makes a typed new album name the album in use.
 */
void
pbi_album_group_commit (PbiAlbumGroup *self)
{
  g_autofree gchar *name = NULL;

  g_return_if_fail (PBI_IS_ALBUM_GROUP (self));

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_row))));
  if (*name == '\0')
    return;
  g_settings_set_string (self->settings, "album-name", name);
  gtk_editable_set_text (GTK_EDITABLE (self->new_row), "");
}

static void
on_new_row_apply_cb (PbiAlbumGroup *self)
{
  pbi_album_group_commit (self);
}

static void
pbi_album_group_constructed (GObject *object)
{
  PbiAlbumGroup *self = PBI_ALBUM_GROUP (object);

  G_OBJECT_CLASS (pbi_album_group_parent_class)->constructed (object);

  g_settings_bind (self->settings, "album-name", self->current_row, "subtitle",
                   G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->settings, "changed::album-name",
                           G_CALLBACK (on_album_name_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
pbi_album_group_dispose (GObject *object)
{
  PbiAlbumGroup *self = PBI_ALBUM_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->settings != NULL)
    g_settings_unbind (self->current_row, "subtitle");
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (pbi_album_group_parent_class)->dispose (object);
}

static void
pbi_album_group_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PbiAlbumGroup *self = PBI_ALBUM_GROUP (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_album_group_class_init (PbiAlbumGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pbi_album_group_constructed;
  object_class->dispose = pbi_album_group_dispose;
  object_class->set_property = pbi_album_group_set_property;

  properties[PROP_ENGINE] = pbi_ui_param_spec_engine ();
  properties[PROP_SETTINGS] = pbi_ui_param_spec_settings ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-album-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiAlbumGroup, current_row);
  gtk_widget_class_bind_template_child (widget_class, PbiAlbumGroup, albums_row);
  gtk_widget_class_bind_template_child (widget_class, PbiAlbumGroup, load_spinner);
  gtk_widget_class_bind_template_child (widget_class, PbiAlbumGroup, load_button);
  gtk_widget_class_bind_template_child (widget_class, PbiAlbumGroup, new_row);
  gtk_widget_class_bind_template_callback (widget_class, on_load_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_new_row_apply_cb);
}

static void
pbi_album_group_init (PbiAlbumGroup *self)
{
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  pbi_entry_row_name_apply_button (ADW_ENTRY_ROW (self->new_row));
}

/**
 * pbi_album_group_new:
 * @engine: the engine whose server is asked
 * @settings: the engine's settings
 *
 * Returns: (transfer floating): a new group
 */
GtkWidget *
pbi_album_group_new (PbiEngine *engine,
                     GSettings *settings)
{
  g_return_val_if_fail (PBI_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (PBI_TYPE_ALBUM_GROUP, "engine", engine, "settings", settings, NULL);
}
