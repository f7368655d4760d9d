/* pbi-preferences-window.c: the preferences window
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pbi-album-group.h"
#include "pbi-connection-group.h"
#include "pbi-engine-account.h"
#include "pbi-engine-event.h"
#include "pbi-folder-row.h"
#include "pbi-kiosk.h"
#include "pbi-preferences-window.h"
#include "pbi-test-photo.h"
#include "pbi-ui-util.h"

struct _PbiPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  PbiEngine            *engine;
  GSettings            *settings;
  GCancellable         *cancellable;
  gchar                *upload_album;

  PbiConnectionGroup   *connection_group;
  PbiAlbumGroup        *album_group;

  AdwPreferencesPage   *general_page;
  AdwPreferencesGroup  *sync_group;
  GtkSwitch            *enabled_switch;
  GtkSwitch            *auto_sync_switch;
  GtkSwitch            *sync_on_capture_switch;
  AdwPreferencesGroup  *upload_group;
  GtkSpinner           *upload_spinner;
  GtkButton            *upload_button;
  AdwActionRow         *upload_result_row;
  GtkImage             *upload_result_icon;
  GtkButton            *remove_sample_button;
  gchar                *upload_asset_id;  /* (owned) (nullable) the sample on the server */

  AdwEntryRow          *extra_albums_row;
  AdwEntryRow          *schedule_start_row;
  AdwEntryRow          *schedule_end_row;
  AdwActionRow         *schedule_hint_row;
  GtkSpinButton        *connect_timeout_spin;
  GtkSpinButton        *idle_timeout_spin;
  GtkSpinButton        *concurrency_spin;
  AdwActionRow         *certificate_row;
  GtkButton            *forget_certificate_button;
  GtkSwitch            *kiosk_mode_switch;
  AdwActionRow         *pin_state_row;
  GtkButton            *remove_pin_button;
  AdwPasswordEntryRow  *pin_row;
  AdwActionRow         *pin_hint_row;
  GtkSwitch            *guest_sharing_switch;
  AdwActionRow         *revoke_row;
  GtkButton            *revoke_button;
};

G_DEFINE_FINAL_TYPE (PbiPreferencesWindow, pbi_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_hint (AdwActionRow *row,
           const gchar  *message)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (row), message != NULL);
}

/* Extra albums: typed "A, B", stored as a string list. */
static void
on_extra_albums_row_apply_cb (PbiPreferencesWindow *self)
{
  const gchar *text = gtk_editable_get_text (GTK_EDITABLE (self->extra_albums_row));
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) albums = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  albums = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "extra-albums", (const gchar * const *) albums);
}

static gboolean
map_extra_albums (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  g_autofree const gchar **albums = g_variant_get_strv (variant, NULL);

  g_value_take_string (value, g_strjoinv (", ", (gchar **) albums));
  return TRUE;
}

/* "7:05" or "07:05" → "07:05"; NULL when it is no time of day */
static gchar *
normalize_time (const gchar *text)
{
  g_auto(GStrv) parts = NULL;
  guint64 h, m;

  parts = g_strsplit (text, ":", -1);
  if (g_strv_length (parts) != 2 || strlen (parts[0]) < 1 || strlen (parts[0]) > 2
      || strlen (parts[1]) != 2)
    return NULL;
  if (!g_ascii_string_to_unsigned (parts[0], 10, 0, 23, &h, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, 0, 59, &m, NULL))
    return NULL;
  return g_strdup_printf ("%02u:%02u", (guint) h, (guint) m);
}

static void
on_schedule_row_apply_cb (PbiPreferencesWindow *self)
{
  g_autofree gchar *start = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->schedule_start_row))));
  g_autofree gchar *end = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->schedule_end_row))));
  g_autofree gchar *start_n = NULL;
  g_autofree gchar *end_n = NULL;
  g_autofree gchar *msg = NULL;

  if (*start == '\0' && *end == '\0')
    {
      show_hint (self->schedule_hint_row, NULL);
      g_settings_set_string (self->settings, "schedule-start", "");
      g_settings_set_string (self->settings, "schedule-end", "");
      return;
    }
  start_n = normalize_time (start);
  end_n = normalize_time (end);
  if (start_n == NULL || end_n == NULL)
    {
      const gchar *bad = start_n == NULL ? start : end;

      if (*bad == '\0')
        msg = g_strdup (_("Set both times, or leave both empty to sync at any time."));
      else
        /* Translators: %s is what was typed; HH:MM stays as it is */
        msg = g_strdup_printf (_("“%s” is not a time of day: type it as HH:MM, "
                                 "for example 08:30 or 22:00."), bad);
      show_hint (self->schedule_hint_row, msg);
      return;
    }
  show_hint (self->schedule_hint_row, NULL);
  g_settings_set_string (self->settings, "schedule-start", start_n);
  g_settings_set_string (self->settings, "schedule-end", end_n);
}

static void
on_pin_row_apply_cb (PbiPreferencesWindow *self)
{
  const gchar *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
  g_autofree gchar *hash = NULL;

  if (*pin == '\0')
    return;
  if (!pbi_kiosk_pin_is_valid (pin))
    {
      show_hint (self->pin_hint_row, _("The PIN must be 4 to 12 digits."));
      return;
    }
  show_hint (self->pin_hint_row, NULL);
  hash = pbi_kiosk_pin_hash (pin, NULL);
  g_settings_set_string (self->settings, "kiosk-pin", hash);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
}

static void
on_remove_pin_button_clicked_cb (PbiPreferencesWindow *self)
{
  g_settings_set_string (self->settings, "kiosk-pin", "");
}

static void
on_forget_certificate_button_clicked_cb (PbiPreferencesWindow *self)
{
  g_settings_set_string (self->settings, "tls-fingerprint", "");
}

static void
revoke_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PbiPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *text = NULL;

  if (pbi_engine_revoke_share_finish (PBI_ENGINE (object), result, &error))
    text = g_strdup (_("Revoked: the old QR code no longer opens the album"));
  else
    text = g_strdup_printf (_("Not revoked: %s"), error->message);
  gtk_widget_set_sensitive (GTK_WIDGET (self->revoke_button), TRUE);
  adw_action_row_set_subtitle (self->revoke_row, text);
}

/* Guest sharing goes off first, so no new link is made at once. */
static void
on_revoke_button_clicked_cb (PbiPreferencesWindow *self)
{
  g_settings_set_boolean (self->settings, "guest-sharing", FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->revoke_button), FALSE);
  pbi_engine_revoke_share_async (self->engine, self->cancellable, revoke_cb,
                                 g_object_ref (self));
}

static gboolean
map_pin_state (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  const gchar *hash = g_variant_get_string (variant, NULL);

  g_value_set_string (value, *hash != '\0'
                             ? _("Set — type a new PIN below to change it")
                             : _("None: anyone can open the preferences in kiosk mode"));
  return TRUE;
}

static gboolean
map_certificate (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  const gchar *fingerprint = g_variant_get_string (variant, NULL);

  if (*fingerprint != '\0')
    /* Translators: %s is a SHA-256 fingerprint */
    g_value_take_string (value, g_strdup_printf (_("SHA-256 %s"), fingerprint));
  else
    g_value_set_string (value, _("None: only certificates this computer trusts"));
  return TRUE;
}

static gboolean
map_not_empty (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  g_value_set_boolean (value, *g_variant_get_string (variant, NULL) != '\0');
  return TRUE;
}

/* Test Upload */

static void
set_upload_result (PbiPreferencesWindow *self,
                   gboolean              success,
                   const gchar          *title,
                   const gchar          *subtitle)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->upload_result_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->upload_result_icon), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->upload_result_icon), success ? "success" : "error");
  gtk_image_set_from_icon_name (self->upload_result_icon,
                                success ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->upload_result_row), title);
  adw_action_row_set_subtitle (self->upload_result_row, subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->upload_result_row), TRUE);
}

static void
set_upload_busy (PbiPreferencesWindow *self,
                 gboolean              busy)
{
  gtk_spinner_set_spinning (self->upload_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->upload_spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->upload_button), !busy);
}

static void
remove_sample (const gchar *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) dir = g_file_get_parent (file);

  /* tiny local files in our own temp folder; the order matters */
  g_file_delete_async (file, G_PRIORITY_LOW, NULL, NULL, NULL);
  g_file_delete_async (dir, G_PRIORITY_LOW, NULL, NULL, NULL);
}

static void
sync_sample_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PbiPreferencesWindow) self = user_data;
  g_autoptr(PbiSyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *title = NULL;

  res = pbi_engine_sync_photo_finish (PBI_ENGINE (object), result, &error);
  if (res == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_upload_busy (self, FALSE);
  if (res != NULL && res->path != NULL)
    remove_sample (res->path);
  if (res == NULL || !res->success)
    {
      set_upload_result (self, FALSE, _("Test upload failed"),
                         res != NULL && res->error != NULL ? res->error
                         : error != NULL ? error->message : NULL);
      return;
    }
  if (res->duplicate)
    /* Translators: %s is an album name */
    title = g_strdup_printf (_("The server already had this photo; it is in album “%s”"),
                             self->upload_album);
  else
    /* Translators: %s is an album name */
    title = g_strdup_printf (_("Uploaded to album “%s”"), self->upload_album);
  set_upload_result (self, TRUE, title, _("Open the album in Immich to see the sample photo."));
  g_free (self->upload_asset_id);
  self->upload_asset_id = g_strdup (res->asset_id);
  gtk_widget_set_visible (GTK_WIDGET (self->remove_sample_button),
                          !res->duplicate && res->asset_id != NULL);
}

static void
delete_sample_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PbiPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean for_good = FALSE;

  if (!pbi_engine_delete_assets_finish (PBI_ENGINE (object), result, &for_good, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_upload_busy (self, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->remove_sample_button), TRUE);
      set_upload_result (self, FALSE, _("The test photo could not be removed"), error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->remove_sample_button), TRUE);
      return;
    }
  set_upload_busy (self, FALSE);
  g_clear_pointer (&self->upload_asset_id, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->remove_sample_button), FALSE);
  set_upload_result (self, TRUE,
                     for_good ? _("Test photo deleted from the server")
                              : _("Test photo moved to the server’s trash"),
                     for_good ? NULL : _("Immich empties its trash after 30 days, or when you "
                                         "empty it."));
}

static void
on_remove_sample_button_clicked_cb (PbiPreferencesWindow *self)
{
  const gchar *ids[] = { self->upload_asset_id, NULL };

  if (self->upload_asset_id == NULL)
    return;
  set_upload_busy (self, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_sample_button), FALSE);
  pbi_engine_delete_assets_async (self->engine, ids, self->cancellable, delete_sample_cb,
                                  g_object_ref (self));
}

static void
create_sample_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PbiPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;

  path = pbi_test_photo_create_finish (result, &error);
  if (path == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_upload_busy (self, FALSE);
      set_upload_result (self, FALSE, _("The sample photo could not be made"), error->message);
      return;
    }
  pbi_engine_sync_photo_async (self->engine, path, self->upload_album, self->cancellable,
                               sync_sample_cb, g_object_ref (self));
}

static void
on_upload_button_clicked_cb (PbiPreferencesWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  pbi_connection_group_commit (self->connection_group);
  pbi_album_group_commit (self->album_group);
  g_free (self->upload_album);
  self->upload_album = g_settings_get_string (self->settings, "album-name");
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_upload_busy (self, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->upload_result_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->remove_sample_button), FALSE);
  pbi_test_photo_create_async (now, self->cancellable, create_sample_cb, g_object_ref (self));
}

static void
pbi_preferences_window_constructed (GObject *object)
{
  PbiPreferencesWindow *self = PBI_PREFERENCES_WINDOW (object);
  GSettings *s;

  G_OBJECT_CLASS (pbi_preferences_window_parent_class)->constructed (object);

  s = self->settings;
  adw_preferences_group_add (self->sync_group, pbi_folder_row_new (s));
  self->connection_group = PBI_CONNECTION_GROUP (pbi_connection_group_new (self->engine, s));
  adw_preferences_page_add (self->general_page, ADW_PREFERENCES_GROUP (self->connection_group));
  self->album_group = PBI_ALBUM_GROUP (pbi_album_group_new (self->engine, s));
  adw_preferences_page_add (self->general_page, ADW_PREFERENCES_GROUP (self->album_group));
  adw_preferences_page_add (self->general_page, self->upload_group);

  g_settings_bind (s, "enabled", self->enabled_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "auto-sync", self->auto_sync_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "sync-on-capture", self->sync_on_capture_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "kiosk-mode", self->kiosk_mode_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "guest-sharing", self->guest_sharing_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "connect-timeout", self->connect_timeout_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "idle-timeout", self->idle_timeout_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "upload-concurrency", self->concurrency_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  /* typed values are saved when applied (after validation) */
  g_settings_bind_with_mapping (s, "extra-albums", self->extra_albums_row, "text",
                                G_SETTINGS_BIND_GET, map_extra_albums, NULL, NULL, NULL);
  g_settings_bind (s, "schedule-start", self->schedule_start_row, "text", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "schedule-end", self->schedule_end_row, "text", G_SETTINGS_BIND_GET);
  g_settings_bind_with_mapping (s, "tls-fingerprint", self->certificate_row, "subtitle",
                                G_SETTINGS_BIND_GET, map_certificate, NULL, NULL, NULL);
  g_settings_bind_with_mapping (s, "tls-fingerprint", self->forget_certificate_button,
                                "sensitive", G_SETTINGS_BIND_GET, map_not_empty, NULL, NULL, NULL);
  g_settings_bind_with_mapping (s, "kiosk-pin", self->pin_state_row, "subtitle",
                                G_SETTINGS_BIND_GET, map_pin_state, NULL, NULL, NULL);
  g_settings_bind_with_mapping (s, "kiosk-pin", self->remove_pin_button, "sensitive",
                                G_SETTINGS_BIND_GET, map_not_empty, NULL, NULL, NULL);
}

static void
pbi_preferences_window_dispose (GObject *object)
{
  PbiPreferencesWindow *self = PBI_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->upload_album, g_free);
  g_clear_pointer (&self->upload_asset_id, g_free);

  G_OBJECT_CLASS (pbi_preferences_window_parent_class)->dispose (object);
}

static void
pbi_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  PbiPreferencesWindow *self = PBI_PREFERENCES_WINDOW (object);

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
pbi_preferences_window_class_init (PbiPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pbi_preferences_window_constructed;
  object_class->dispose = pbi_preferences_window_dispose;
  object_class->set_property = pbi_preferences_window_set_property;

  properties[PROP_ENGINE] = pbi_ui_param_spec_engine ();
  properties[PROP_SETTINGS] = pbi_ui_param_spec_settings ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-preferences-window.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, PbiPreferencesWindow, name)
  CHILD (general_page);
  CHILD (sync_group);
  CHILD (enabled_switch);
  CHILD (auto_sync_switch);
  CHILD (sync_on_capture_switch);
  CHILD (upload_group);
  CHILD (upload_spinner);
  CHILD (upload_button);
  CHILD (upload_result_row);
  CHILD (upload_result_icon);
  CHILD (remove_sample_button);
  CHILD (extra_albums_row);
  CHILD (schedule_start_row);
  CHILD (schedule_end_row);
  CHILD (schedule_hint_row);
  CHILD (connect_timeout_spin);
  CHILD (idle_timeout_spin);
  CHILD (concurrency_spin);
  CHILD (certificate_row);
  CHILD (forget_certificate_button);
  CHILD (kiosk_mode_switch);
  CHILD (pin_state_row);
  CHILD (remove_pin_button);
  CHILD (pin_row);
  CHILD (pin_hint_row);
  CHILD (guest_sharing_switch);
  CHILD (revoke_row);
  CHILD (revoke_button);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_extra_albums_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_schedule_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_pin_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_pin_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_forget_certificate_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_upload_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_sample_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_revoke_button_clicked_cb);
}

static void
pbi_preferences_window_init (PbiPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pbi_entry_row_name_apply_button (ADW_ENTRY_ROW (self->extra_albums_row));
  pbi_entry_row_name_apply_button (ADW_ENTRY_ROW (self->schedule_start_row));
  pbi_entry_row_name_apply_button (ADW_ENTRY_ROW (self->schedule_end_row));
  pbi_entry_row_name_apply_button (ADW_ENTRY_ROW (self->pin_row));
}

/**
 * pbi_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 * @engine: the engine
 * @settings: the engine's settings (from pbi_settings_backend_new_settings())
 *
 * Returns: (transfer floating): a new preferences window
 */
GtkWidget *
pbi_preferences_window_new (GtkWindow *parent,
                            PbiEngine *engine,
                            GSettings *settings)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PBI_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (PBI_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "engine", engine,
                       "settings", settings,
                       NULL);
}
