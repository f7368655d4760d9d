/* pbi-connection-group.c: server address, API key and Test Connection rows
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-connection-group.h"
#include "pbi-engine-private.h"
#include "pbi-immich-client.h"
#include "pbi-ui-util.h"

struct _PbiConnectionGroup
{
  AdwPreferencesGroup  parent_instance;

  PbiEngine           *engine;
  GSettings           *settings;
  GCancellable        *cancellable;
  PbiConnectionCheck  *check;
  guint                save_url_id;

  AdwEntryRow         *url_row;
  AdwActionRow        *url_hint_row;
  GtkImage            *url_hint_icon;
  AdwEntryRow         *key_row;
  AdwActionRow        *key_state_row;
  GtkImage            *key_state_icon;
  GtkSpinner          *test_spinner;
  GtkButton           *test_button;
  AdwActionRow        *result_row;
  GtkImage            *result_icon;
};

G_DEFINE_FINAL_TYPE (PbiConnectionGroup, pbi_connection_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_SETTINGS,
  N_PROPS
};

enum {
  TESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_result (PbiConnectionGroup *self,
            const gchar        *icon_name,
            const gchar        *style,
            const gchar        *title,
            const gchar        *subtitle)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), "error");
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_icon), style);
  gtk_image_set_from_icon_name (self->result_icon, icon_name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->result_row), title);
  adw_action_row_set_subtitle (self->result_row, subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_row), TRUE);
}

static void
set_busy (PbiConnectionGroup *self,
          gboolean            busy)
{
  gtk_spinner_set_spinning (self->test_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), !busy);
}

/* Shows why the typed address cannot be used, or what it will be saved as. */
static void
validate_url (PbiConnectionGroup *self)
{
  const gchar *text = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  g_autofree gchar *trimmed = g_strstrip (g_strdup (text));
  g_autofree gchar *normal = NULL;
  g_autoptr(GError) error = NULL;

  if (*trimmed == '\0')
    {
      gtk_widget_set_visible (GTK_WIDGET (self->url_hint_row), FALSE);
      gtk_widget_remove_css_class (GTK_WIDGET (self->url_row), "error");
      return;
    }
  normal = pbi_immich_normalize_url (trimmed, &error);
  if (normal == NULL)
    {
      gtk_image_set_from_icon_name (self->url_hint_icon, "dialog-warning-symbolic");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_hint_row), error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->url_hint_row), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->url_row), "error");
    }
  else if (g_strcmp0 (normal, trimmed) != 0)
    {
      g_autofree gchar *msg = g_strdup_printf (_("Will be saved as %s"), normal);

      gtk_image_set_from_icon_name (self->url_hint_icon, "dialog-information-symbolic");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_hint_row), msg);
      gtk_widget_set_visible (GTK_WIDGET (self->url_hint_row), TRUE);
      gtk_widget_remove_css_class (GTK_WIDGET (self->url_row), "error");
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->url_hint_row), FALSE);
      gtk_widget_remove_css_class (GTK_WIDGET (self->url_row), "error");
    }
}

/* A usable address is saved once typing pauses, so it is not lost when the
 * window closes; a wrong one only shows why. */
static gboolean
save_url_cb (gpointer user_data)
{
  PbiConnectionGroup *self = user_data;
  const gchar *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  g_autofree gchar *saved = g_settings_get_string (self->settings, "server-url");
  g_autofree gchar *normal = NULL;

  self->save_url_id = 0;
  if (g_strcmp0 (url, saved) == 0)
    return G_SOURCE_REMOVE;
  normal = pbi_immich_normalize_url (url, NULL);
  if (normal != NULL && g_strcmp0 (normal, saved) != 0)
    g_settings_set_string (self->settings, "server-url", normal);
  return G_SOURCE_REMOVE;
}

static void
on_url_row_changed_cb (PbiConnectionGroup *self)
{
  validate_url (self);
  g_clear_handle_id (&self->save_url_id, g_source_remove);
  self->save_url_id = g_timeout_add (800, save_url_cb, self);
}

/**
 * pbi_connection_group_commit:
 * @self: a group
 *
 * Saves the typed address (when it is usable) and a newly typed API key.
 *
 * Returns: %FALSE when the typed address cannot be used (the reason shows)
 */
gboolean
pbi_connection_group_commit (PbiConnectionGroup *self)
{
  const gchar *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const gchar *key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  g_autofree gchar *saved = g_settings_get_string (self->settings, "server-url");
  gboolean ok = TRUE;

  g_return_val_if_fail (PBI_IS_CONNECTION_GROUP (self), FALSE);

  g_clear_handle_id (&self->save_url_id, g_source_remove);
  if (g_strcmp0 (url, saved) != 0)
    {
      g_autofree gchar *normal = pbi_immich_normalize_url (url, NULL);

      if (normal != NULL)
        g_settings_set_string (self->settings, "server-url", normal);
      else
        ok = FALSE;
      validate_url (self);
    }
  if (key != NULL && *key != '\0')
    {
      g_autofree gchar *stripped = g_strstrip (g_strdup (key));

      if (*stripped != '\0')
        g_settings_set_string (self->settings, "api-key", stripped);
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
    }
  return ok;
}

static void
on_url_row_apply_cb (PbiConnectionGroup *self)
{
  pbi_connection_group_commit (self);
}

static void
on_key_row_apply_cb (PbiConnectionGroup *self)
{
  pbi_connection_group_commit (self);
}

static const gchar *
failure_title (const GError *error)
{
  if (error->domain != PBI_IMMICH_ERROR)
    return _("Connection failed");
  switch ((PbiImmichError) error->code)
    {
    case PBI_IMMICH_ERROR_INVALID_URL:
      return _("The server URL cannot be used");
    case PBI_IMMICH_ERROR_UNREACHABLE:
      return _("Server unreachable");
    case PBI_IMMICH_ERROR_TLS:
      return _("The server’s certificate is not trusted");
    case PBI_IMMICH_ERROR_UNAUTHORIZED:
      return _("API key refused");
    case PBI_IMMICH_ERROR_MISSING_PERMISSION:
      return _("The API key lacks a permission");
    case PBI_IMMICH_ERROR_NOT_IMMICH:
      return _("This address is not an Immich server");
    case PBI_IMMICH_ERROR_UNSUPPORTED_VERSION:
      return _("This Immich version is too old");
    case PBI_IMMICH_ERROR_SERVER:
      return _("The server reported an error");
    case PBI_IMMICH_ERROR_NOT_FOUND:
    case PBI_IMMICH_ERROR_NO_ALBUM_ACCESS:
    case PBI_IMMICH_ERROR_TOO_LARGE:
    case PBI_IMMICH_ERROR_BAD_RESPONSE:
    case PBI_IMMICH_ERROR_REJECTED:
    case PBI_IMMICH_ERROR_FILE:
    default:
      return _("Connection failed");
    }
}

static void
on_trust_response_cb (AdwMessageDialog   *dialog,
                      const gchar        *response,
                      PbiConnectionGroup *self)
{
  const gchar *fingerprint = g_object_get_data (G_OBJECT (dialog), "fingerprint");

  if (g_strcmp0 (response, "trust") == 0 && fingerprint != NULL)
    {
      g_settings_set_string (self->settings, "tls-fingerprint", fingerprint);
      pbi_connection_group_test (self);
    }
}

static void
offer_trust (PbiConnectionGroup *self,
             const gchar        *fingerprint)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  g_autofree gchar *body = NULL;

  body = g_strdup_printf (_("This computer does not trust the certificate of %s. "
                            "Trust it only if its SHA-256 fingerprint is the one your "
                            "server shows (for example with “openssl x509 -noout "
                            "-fingerprint -sha256 -in cert.pem”):\n\n%s"),
                          self->check != NULL && self->check->server_url != NULL
                            ? self->check->server_url : "",
                          fingerprint);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Trust This Certificate?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("Cancel"),
                                    "trust", _("Trust Certificate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "fingerprint", g_strdup (fingerprint), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_trust_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_success (PbiConnectionGroup *self)
{
  PbiConnectionCheck *check = self->check;
  const gchar *who = check->user_name != NULL && *check->user_name != '\0'
                     ? check->user_name : check->user_email;
  g_autofree gchar *title = NULL;
  g_autofree gchar *perms = NULL;
  g_autofree gchar *subtitle = NULL;
  gboolean missing = FALSE;   /* a permission sync cannot work without */
  g_autoptr(GString) lacks = g_string_new (NULL);

  /* each missing permission with what fails without it (the engine's list) */
  for (guint i = 0; check->missing_permissions != NULL && check->missing_permissions[i]; i++)
    for (guint j = 0; _pbi_engine_permissions[j].permission != NULL; j++)
      if (g_strcmp0 (_pbi_engine_permissions[j].permission, check->missing_permissions[i]) == 0)
        {
          missing |= _pbi_engine_permissions[j].required;
          /* Translators: "without asset.delete, photos found in the trash cannot be restored" */
          g_string_append_printf (lacks, _("Without %s, %s."), check->missing_permissions[i],
                                  _(_pbi_engine_permissions[j].consequence));
          g_string_append_c (lacks, '\n');
        }
  if (lacks->len > 0)
    g_string_truncate (lacks, lacks->len - 1);

  if (missing)
    {
      /* Translators: first %s is the Immich version, second the user's name */
      title = g_strdup_printf (_("Connected to Immich %s as %s, but the key cannot sync"),
                               check->server_version, who);
      /* Translators: %s is one line per missing Immich permission */
      perms = g_strdup_printf (_("%s\nCreate a key that has them in Immich (Account Settings → "
                                 "API Keys)."), lacks->str);
    }
  else if (lacks->len > 0)
    {
      /* Translators: first %s is the Immich version, second the user's name */
      title = g_strdup_printf (_("Connected to Immich %s as %s"), check->server_version, who);
      perms = g_strdup (lacks->str);
    }
  else
    {
      /* Translators: first %s is the Immich version, second the user's name */
      title = g_strdup_printf (_("Connected to Immich %s as %s"), check->server_version, who);
      perms = g_strdup (check->permissions_known
                        ? _("The key has every permission sync can need.")
                        : _("This server does not say what the key may do; "
                            "a missing permission will show at the first upload."));
    }
  subtitle = g_strdup_printf ("%s\n%s%s%s%s", check->server_url, perms,
                              check->user_email != NULL ? "\n" : "",
                              check->user_email != NULL ? _("User: ") : "",
                              check->user_email != NULL ? check->user_email : "");
  set_result (self, missing || lacks->len > 0 ? "dialog-warning-symbolic" : "emblem-ok-symbolic",
              missing || lacks->len > 0 ? "warning" : "success", title, subtitle);
}

/* whether the key lacks a permission sync cannot work without */
static gboolean
lacks_required (const PbiConnectionCheck *check)
{
  for (guint i = 0; check->missing_permissions != NULL && check->missing_permissions[i]; i++)
    for (guint j = 0; _pbi_engine_permissions[j].permission != NULL; j++)
      if (_pbi_engine_permissions[j].required &&
          g_strcmp0 (_pbi_engine_permissions[j].permission, check->missing_permissions[i]) == 0)
        return TRUE;
  return FALSE;
}

static void
check_connection_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PbiConnectionGroup) self = user_data;
  g_autoptr(PbiConnectionCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = pbi_engine_check_connection_finish (PBI_ENGINE (object), result, &check, &error);
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  g_clear_pointer (&self->check, pbi_connection_check_free);
  self->check = g_steal_pointer (&check);
  if (!ok)
    {
      set_result (self, "dialog-error-symbolic", "error", failure_title (error), error->message);
      if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS)
          && self->check != NULL && self->check->certificate_fingerprint != NULL)
        offer_trust (self, self->check->certificate_fingerprint);
      g_signal_emit (self, signals[TESTED], 0, FALSE);
      return;
    }
  show_success (self);
  g_signal_emit (self, signals[TESTED], 0, !lacks_required (self->check));
}

/**
 * pbi_connection_group_test:
 * @self: a group
 *
 * Saves what was typed and tests it, as the Test Connection button does.
 */
void
pbi_connection_group_test (PbiConnectionGroup *self)
{
  g_return_if_fail (PBI_IS_CONNECTION_GROUP (self));

  if (!pbi_connection_group_commit (self))
    {
      const gchar *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
      g_autoptr(GError) error = NULL;
      g_autofree gchar *normal = pbi_immich_normalize_url (url, &error);

      set_result (self, "dialog-error-symbolic", "error", _("The server URL cannot be used"),
                  error != NULL ? error->message : NULL);
      g_signal_emit (self, signals[TESTED], 0, FALSE);
      return;
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  set_result (self, "content-loading-symbolic", NULL, _("Testing the connection…"), NULL);
  pbi_engine_check_connection_async (self->engine, self->cancellable, check_connection_cb,
                                     g_object_ref (self));
}

static void
on_test_button_clicked_cb (PbiConnectionGroup *self)
{
  pbi_connection_group_test (self);
}

/**
 * pbi_connection_group_get_check:
 *
 * Returns: (nullable): what the last finished test found out
 */
const PbiConnectionCheck *
pbi_connection_group_get_check (PbiConnectionGroup *self)
{
  g_return_val_if_fail (PBI_IS_CONNECTION_GROUP (self), NULL);
  return self->check;
}

static gboolean
map_key_state (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  const gchar *key = g_variant_get_string (variant, NULL);

  g_value_set_string (value, key != NULL && *key != '\0'
                             ? _("Saved — type a new key above to replace it")
                             : _("No key saved yet"));
  return TRUE;
}

static void
pbi_connection_group_constructed (GObject *object)
{
  PbiConnectionGroup *self = PBI_CONNECTION_GROUP (object);

  G_OBJECT_CLASS (pbi_connection_group_parent_class)->constructed (object);

  g_settings_bind (self->settings, "server-url", self->url_row, "text", G_SETTINGS_BIND_GET);
  g_settings_bind_with_mapping (self->settings, "api-key", self->key_state_row, "subtitle",
                                G_SETTINGS_BIND_GET, map_key_state, NULL, NULL, NULL);
}

static void
pbi_connection_group_dispose (GObject *object)
{
  PbiConnectionGroup *self = PBI_CONNECTION_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->save_url_id, g_source_remove);
  if (self->settings != NULL)
    {
      g_settings_unbind (self->url_row, "text");
      g_settings_unbind (self->key_state_row, "subtitle");
    }
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->check, pbi_connection_check_free);

  G_OBJECT_CLASS (pbi_connection_group_parent_class)->dispose (object);
}

static void
pbi_connection_group_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  PbiConnectionGroup *self = PBI_CONNECTION_GROUP (object);

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
pbi_connection_group_class_init (PbiConnectionGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pbi_connection_group_constructed;
  object_class->dispose = pbi_connection_group_dispose;
  object_class->set_property = pbi_connection_group_set_property;

  properties[PROP_ENGINE] = pbi_ui_param_spec_engine ();
  properties[PROP_SETTINGS] = pbi_ui_param_spec_settings ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PbiConnectionGroup::tested:
   * @success: %TRUE when the server accepted the key and it may sync
   *
   * A Test Connection finished (not when it was cancelled).
   */
  signals[TESTED] = g_signal_new ("tested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-connection-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, url_row);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, url_hint_row);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, url_hint_icon);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, key_row);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, key_state_row);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, key_state_icon);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, test_button);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, result_row);
  gtk_widget_class_bind_template_child (widget_class, PbiConnectionGroup, result_icon);
  gtk_widget_class_bind_template_callback (widget_class, on_url_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_url_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_key_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_test_button_clicked_cb);
}

static void
pbi_connection_group_init (PbiConnectionGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pbi_entry_row_name_apply_button (ADW_ENTRY_ROW (self->url_row));
  pbi_entry_row_name_apply_button (ADW_ENTRY_ROW (self->key_row));
  set_busy (self, FALSE);
}

/**
 * pbi_connection_group_new:
 * @engine: the engine whose settings are tested
 * @settings: the engine's settings
 *
 * Returns: (transfer floating): a new group
 */
GtkWidget *
pbi_connection_group_new (PbiEngine *engine,
                          GSettings *settings)
{
  g_return_val_if_fail (PBI_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (PBI_TYPE_CONNECTION_GROUP, "engine", engine, "settings", settings, NULL);
}
