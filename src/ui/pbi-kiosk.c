/* pbi-kiosk.c: the kiosk PIN (stored hashed) and the dialog that asks for it
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The `kiosk-pin` setting holds "sha256$SALT$HEX", HEX being the SHA-256
 * of SALT and the PIN; the PIN itself is never stored or shown. A value
 * without that form (typed in with the sqlite3 shell) is taken as the PIN
 * itself, so an operator can set one from a terminal.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pbi-kiosk.h"

#define PREFIX "sha256$"

/**
 * pbi_kiosk_pin_hash:
 * @pin: the PIN
 * @salt: (nullable): the salt, or %NULL for a new random one
 *
 * Returns: (transfer full): the text to store in the `kiosk-pin` setting
 */
gchar *
pbi_kiosk_pin_hash (const gchar *pin,
                    const gchar *salt)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree gchar *new_salt = NULL;

  g_return_val_if_fail (pin != NULL, NULL);

  if (salt == NULL)
    {
      guint32 r[4];

      for (guint i = 0; i < G_N_ELEMENTS (r); i++)
        r[i] = g_random_int ();
      new_salt = g_compute_checksum_for_data (G_CHECKSUM_MD5, (const guchar *) r, sizeof r);
      salt = new_salt;
    }
  g_checksum_update (checksum, (const guchar *) salt, -1);
  g_checksum_update (checksum, (const guchar *) "$", 1);
  g_checksum_update (checksum, (const guchar *) pin, -1);
  return g_strconcat (PREFIX, salt, "$", g_checksum_get_string (checksum), NULL);
}

static gboolean
equal_in_constant_time (const gchar *a,
                        const gchar *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint diff = la ^ lb;

  for (gsize i = 0; i < MIN (la, lb); i++)
    diff |= (guchar) a[i] ^ (guchar) b[i];
  return diff == 0;
}

/**
 * pbi_kiosk_pin_check:
 * @stored: (nullable): the `kiosk-pin` setting
 * @pin: what was typed
 *
 * Returns: %TRUE when @pin opens the kiosk (always when no PIN is set)
 */
gboolean
pbi_kiosk_pin_check (const gchar *stored,
                     const gchar *pin)
{
  const gchar *salt_end;
  g_autofree gchar *salt = NULL;
  g_autofree gchar *hashed = NULL;

  if (stored == NULL || *stored == '\0')
    return TRUE;
  if (pin == NULL)
    return FALSE;
  if (!g_str_has_prefix (stored, PREFIX) ||
      (salt_end = strchr (stored + strlen (PREFIX), '$')) == NULL)
    return equal_in_constant_time (stored, pin);
  salt = g_strndup (stored + strlen (PREFIX), salt_end - (stored + strlen (PREFIX)));
  hashed = pbi_kiosk_pin_hash (pin, salt);
  return equal_in_constant_time (stored, hashed);
}

/**
 * pbi_kiosk_pin_is_valid:
 * @pin: a PIN as typed
 *
 * Returns: %TRUE when @pin is 4 to 12 digits
 */
gboolean
pbi_kiosk_pin_is_valid (const gchar *pin)
{
  gsize len;

  if (pin == NULL)
    return FALSE;
  len = strlen (pin);
  if (len < 4 || len > 12)
    return FALSE;
  for (const gchar *p = pin; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

typedef struct
{
  GSettings            *settings;
  GtkWidget            *entry;
  GtkWindow            *parent;
  PbiKioskUnlockedFunc  unlocked;
  gpointer              user_data;
  GDestroyNotify        destroy;
} PinRequest;

static void
pin_request_free (PinRequest *req)
{
  if (req->destroy != NULL)
    req->destroy (req->user_data);
  g_clear_object (&req->settings);
  g_clear_object (&req->parent);
  g_free (req);
}

static void ask (PinRequest *req, gboolean again);

static void
on_response_cb (AdwMessageDialog *dialog,
                const gchar      *response,
                gpointer          user_data)
{
  PinRequest *req = user_data;
  g_autofree gchar *stored = NULL;

  /* one answer per dialog: closing it after a response must not count */
  g_signal_handlers_disconnect_by_data (dialog, req);
  if (!g_str_equal (response, "unlock"))
    {
      pin_request_free (req);
      return;
    }
  stored = g_settings_get_string (req->settings, "kiosk-pin");
  if (pbi_kiosk_pin_check (stored, gtk_editable_get_text (GTK_EDITABLE (req->entry))))
    {
      req->unlocked (req->user_data);
      pin_request_free (req);
      return;
    }
  ask (req, TRUE);
}

static void
on_entry_changed_cb (GtkEditable      *entry,
                     AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "unlock",
                                           *gtk_editable_get_text (entry) != '\0');
}

static void
ask (PinRequest *req,
     gboolean    again)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (req->parent, _("Enter the Kiosk PIN"),
                                   again ? _("That PIN is not right. Try again.")
                                         : _("The settings of this photo booth are locked."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "unlock", _("_Unlock"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "unlock",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "unlock");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "unlock", FALSE);

  /* a plain entry with hidden text: GTK 4.8's GtkPasswordEntry keeps a
   * keyboard handler after it is destroyed (caps-lock warning) */
  req->entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (req->entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (req->entry), GTK_INPUT_PURPOSE_PIN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (req->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("PIN"), -1);
  gtk_widget_add_css_class (req->entry, "kiosk-pin");
  g_signal_connect (req->entry, "changed", G_CALLBACK (on_entry_changed_cb), dialog);
  gtk_entry_set_activates_default (GTK_ENTRY (req->entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), req->entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response_cb), req);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (req->entry);
}

/**
 * pbi_kiosk_require_pin:
 * @parent: the window the dialog belongs to
 * @settings: the app's settings (for `kiosk-pin`)
 * @unlocked: called once the right PIN was entered, or at once when none
 *   is set
 * @user_data: data for @unlocked
 * @destroy: (nullable): frees @user_data when the request ends either way
 *
 * Asks for the kiosk PIN before @unlocked may run.
 */
void
pbi_kiosk_require_pin (GtkWindow            *parent,
                       GSettings            *settings,
                       PbiKioskUnlockedFunc  unlocked,
                       gpointer              user_data,
                       GDestroyNotify        destroy)
{
  g_autofree gchar *stored = NULL;
  PinRequest *req;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (unlocked != NULL);

  req = g_new0 (PinRequest, 1);
  req->settings = g_object_ref (settings);
  req->parent = parent != NULL ? g_object_ref (parent) : NULL;
  req->unlocked = unlocked;
  req->user_data = user_data;
  req->destroy = destroy;

  stored = g_settings_get_string (settings, "kiosk-pin");
  if (stored == NULL || *stored == '\0')
    {
      unlocked (user_data);
      pin_request_free (req);
      return;
    }
  ask (req, FALSE);
}
