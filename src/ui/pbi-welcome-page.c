/* pbi-welcome-page.c: the first-run page (server, key, album, folder, go)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-album-group.h"
#include "pbi-connection-group.h"
#include "pbi-folder-row.h"
#include "pbi-welcome-page.h"
#include "pbi-ui-util.h"

struct _PbiWelcomePage
{
  AdwBin               parent_instance;

  PbiEngine           *engine;
  GSettings           *settings;
  gboolean             tested;

  PbiConnectionGroup  *connection_group;
  PbiAlbumGroup       *album_group;

  GtkImage            *app_icon;
  GtkBox              *content_box;
  GtkLabel            *intro_label;
  AdwPreferencesGroup *folder_group;
  GtkLabel            *missing_label;
  GtkButton           *start_button;
};

G_DEFINE_FINAL_TYPE (PbiWelcomePage, pbi_welcome_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_SETTINGS,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Says in words what is left to do, and allows the start once nothing is. */
static void
update_ready (PbiWelcomePage *self)
{
  g_autofree gchar *album = g_settings_get_string (self->settings, "album-name");
  g_autofree gchar *folder = g_settings_get_string (self->settings, "capture-folder");
  const gchar *missing = NULL;

  if (!self->tested)
    missing = _("Next: enter the server URL and API key, then press Test Connection.");
  else if (*g_strstrip (album) == '\0')
    missing = _("Next: choose an album, or type the name of a new one.");
  else if (*folder == '\0')
    missing = _("Next: choose the capture folder.");
  gtk_label_set_label (self->missing_label,
                       missing != NULL ? missing : _("Ready: sync starts when you press Start Syncing."));
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), missing == NULL);
}

static void
on_tested_cb (PbiWelcomePage *self,
              gboolean        success)
{
  self->tested = success;
  update_ready (self);
  if (success)
    pbi_album_group_load (self->album_group);
}

static void
on_setting_changed_cb (PbiWelcomePage *self,
                       const gchar    *key)
{
  /* a new address or key has to be tested again */
  if (g_strcmp0 (key, "server-url") == 0 || g_strcmp0 (key, "api-key") == 0
      || g_strcmp0 (key, "tls-fingerprint") == 0)
    self->tested = FALSE;
  update_ready (self);
}

static void
on_start_button_clicked_cb (PbiWelcomePage *self)
{
  pbi_album_group_commit (self->album_group);
  g_settings_set_boolean (self->settings, "enabled", TRUE);
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
pbi_welcome_page_constructed (GObject *object)
{
  PbiWelcomePage *self = PBI_WELCOME_PAGE (object);

  G_OBJECT_CLASS (pbi_welcome_page_parent_class)->constructed (object);

  self->connection_group = PBI_CONNECTION_GROUP (pbi_connection_group_new (self->engine,
                                                                           self->settings));
  gtk_box_insert_child_after (self->content_box, GTK_WIDGET (self->connection_group),
                              GTK_WIDGET (self->intro_label));
  self->album_group = PBI_ALBUM_GROUP (pbi_album_group_new (self->engine, self->settings));
  gtk_box_insert_child_after (self->content_box, GTK_WIDGET (self->album_group),
                              GTK_WIDGET (self->connection_group));
  adw_preferences_group_add (self->folder_group, pbi_folder_row_new (self->settings));

  g_signal_connect_object (self->connection_group, "tested", G_CALLBACK (on_tested_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_setting_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_ready (self);
}

static void
pbi_welcome_page_dispose (GObject *object)
{
  PbiWelcomePage *self = PBI_WELCOME_PAGE (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pbi_welcome_page_parent_class)->dispose (object);
}

static void
pbi_welcome_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PbiWelcomePage *self = PBI_WELCOME_PAGE (object);

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
pbi_welcome_page_class_init (PbiWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pbi_welcome_page_constructed;
  object_class->dispose = pbi_welcome_page_dispose;
  object_class->set_property = pbi_welcome_page_set_property;

  properties[PROP_ENGINE] = pbi_ui_param_spec_engine ();
  properties[PROP_SETTINGS] = pbi_ui_param_spec_settings ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PbiWelcomePage::finished:
   *
   * The user tested the server, chose album and folder and switched sync on.
   */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiWelcomePage, app_icon);
  gtk_widget_class_bind_template_child (widget_class, PbiWelcomePage, content_box);
  gtk_widget_class_bind_template_child (widget_class, PbiWelcomePage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, PbiWelcomePage, folder_group);
  gtk_widget_class_bind_template_child (widget_class, PbiWelcomePage, missing_label);
  gtk_widget_class_bind_template_child (widget_class, PbiWelcomePage, start_button);
  gtk_widget_class_bind_template_callback (widget_class, on_start_button_clicked_cb);
}

static void
pbi_welcome_page_init (PbiWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the .Devel build installs its icon under its own id */
  gtk_image_set_from_icon_name (self->app_icon, APP_ID);
}

/**
 * pbi_welcome_page_new:
 * @engine: the engine
 * @settings: the engine's settings
 *
 * Returns: (transfer floating): a new welcome page
 */
GtkWidget *
pbi_welcome_page_new (PbiEngine *engine,
                      GSettings *settings)
{
  g_return_val_if_fail (PBI_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (PBI_TYPE_WELCOME_PAGE, "engine", engine, "settings", settings, NULL);
}
