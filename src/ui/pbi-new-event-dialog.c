/* pbi-new-event-dialog.c: "New Event…": asks the event's name, starts it
 *
 * A message dialog with the name entry; "Start Event" calls
 * pbi_engine_new_event_async (the album found or made, the album setting
 * switched, the counters started afresh) and a second dialog tells how it
 * went.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-engine-event.h"
#include "pbi-new-event-dialog.h"

typedef struct
{
  GtkWindow *parent;
  GtkWidget *entry;
} NewEvent;

static void
new_event_free (NewEvent *n)
{
  g_clear_object (&n->parent);
  g_free (n);
}

static void
tell (GtkWindow   *parent,
      const gchar *heading,
      const gchar *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_event_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GtkWindow) parent = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *album = NULL;
  g_autofree gchar *body = NULL;
  gboolean created = FALSE;

  album = pbi_engine_new_event_finish (PBI_ENGINE (object), result, &created, &error);
  if (album == NULL)
    {
      tell (parent, _("The event could not be started"), error->message);
      return;
    }
  body = g_strdup_printf (created
                          ? _("Photos now go to the new album \"%s\". The event's counters start afresh; earlier events stay in the reports.")
                          : _("Photos now go to the existing album \"%s\". The event's counters start afresh; earlier events stay in the reports."),
                          album);
  tell (parent, _("New Event Started"), body);
}

static void
response_cb (AdwMessageDialog *dialog,
             const gchar      *response,
             gpointer          user_data)
{
  NewEvent *n = user_data;
  PbiEngine *engine = g_object_get_data (G_OBJECT (dialog), "engine");
  g_autofree gchar *name = NULL;

  if (!g_str_equal (response, "start"))
    return;
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (n->entry))));
  if (*name == '\0')
    return;
  pbi_engine_new_event_async (engine, name, NULL, new_event_cb,
                              n->parent != NULL ? g_object_ref (n->parent) : NULL);
}

static void
on_entry_changed_cb (GtkEditable      *entry,
                     AdwMessageDialog *dialog)
{
  g_autofree gchar *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "start", *name != '\0');
}

/**
 * pbi_new_event_dialog_present:
 * @parent: (nullable): the window it belongs to
 * @engine: the engine that starts the event
 *
 * Asks for the event's name and starts it.
 */
void
pbi_new_event_dialog_present (GtkWindow *parent,
                              PbiEngine *engine)
{
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *hint;
  NewEvent *n = g_new0 (NewEvent, 1);

  dialog = adw_message_dialog_new (parent, _("New Event"),
                                   _("The photos of the new event go to an album of its name, "
                                     "made when it is missing. The counters of the event "
                                     "summary start afresh."));
  n->parent = parent != NULL ? g_object_ref (parent) : NULL;
  n->entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (n->entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (n->entry), _("Wedding {date}"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (n->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Event Name"), -1);
  hint = gtk_label_new (NULL);
  /* the example's date is today's */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree gchar *today = g_date_time_format (now, "%Y-%m-%d");
    g_autofree gchar *text = g_strdup_printf (_("{date} in the name becomes today's date: "
                                                "\"Wedding {date}\" is \"Wedding %s\" today."),
                                              today);
    gtk_label_set_label (GTK_LABEL (hint), text);
  }
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (box), n->entry);
  gtk_box_append (GTK_BOX (box), hint);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "start", _("_Start Event"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "start",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "start");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "start", FALSE);
  g_object_set_data_full (G_OBJECT (dialog), "engine", g_object_ref (engine), g_object_unref);
  g_signal_connect (n->entry, "changed", G_CALLBACK (on_entry_changed_cb), dialog);
  g_signal_connect_data (dialog, "response", G_CALLBACK (response_cb), n,
                         (GClosureNotify) new_event_free, 0);
  /* the name can be typed at once */
  gtk_window_set_focus (GTK_WINDOW (dialog), n->entry);
  gtk_window_present (GTK_WINDOW (dialog));
}
