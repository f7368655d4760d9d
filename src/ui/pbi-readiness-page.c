/* pbi-readiness-page.c: "Check Readiness": the engine's readiness check, shown
 *
 * Runs pbi_engine_check_readiness_async with a spinner and a running count
 * of seconds (the check takes at most about 30 s), then the verdict in words
 * and icon and one row per check: its figure, its state in words, and what
 * to do when it is not OK. Everything shown comes from the engine's report.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-engine-event.h"
#include "pbi-readiness-page.h"

struct _PbiReadinessPage
{
  AdwBin        parent_instance;

  GtkWidget    *verdict_icon_stack;
  GtkWidget    *spinner;
  GtkWidget    *verdict_icon;
  GtkWidget    *verdict_label;
  GtkWidget    *verdict_detail;
  GtkWidget    *rows_box;
  GtkWidget    *run_button;

  PbiEngine    *engine;
  GCancellable *cancellable;
  gint64        started;
  guint         tick_id;
};

G_DEFINE_FINAL_TYPE (PbiReadinessPage, pbi_readiness_page, ADW_TYPE_BIN)

enum { CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const gchar *
status_icon (PbiCheckStatus status)
{
  switch (status)
    {
    case PBI_CHECK_OK: return "emblem-ok-symbolic";
    case PBI_CHECK_WARNING: return "dialog-warning-symbolic";
    case PBI_CHECK_FAILED: return "dialog-error-symbolic";
    case PBI_CHECK_SKIPPED:
    default: return "action-unavailable-symbolic";
    }
}

static const gchar *
status_words (PbiCheckStatus status)
{
  switch (status)
    {
    case PBI_CHECK_OK: return _("OK");
    case PBI_CHECK_WARNING: return _("Warning");
    case PBI_CHECK_FAILED: return _("Failed");
    case PBI_CHECK_SKIPPED:
    default: return _("Skipped");
    }
}

static void
clear_rows (PbiReadinessPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->rows_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->rows_box), child);
  gtk_widget_set_visible (self->rows_box, FALSE);
}

static GtkWidget *
check_row_new (const PbiCheckRow *row)
{
  GtkWidget *action_row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (status_icon (row->status));
  GtkWidget *state = gtk_label_new (status_words (row->status));
  g_autofree gchar *subtitle = NULL;

  if (row->advice != NULL && row->status != PBI_CHECK_OK)
    /* TRANSLATORS: a check's figure, then what to do about it */
    subtitle = g_strdup_printf (_("%s\nWhat to do: %s"), row->figure, row->advice);
  else
    subtitle = g_strdup (row->figure);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row), row->title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (action_row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (action_row), 0);
  gtk_widget_add_css_class (icon, row->status == PBI_CHECK_OK ? "success"
                            : row->status == PBI_CHECK_WARNING ? "warning"
                            : row->status == PBI_CHECK_FAILED ? "error" : "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  status_words (row->status), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (action_row), icon);
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), state);
  return action_row;
}

static void
show_verdict (PbiReadinessPage *self,
              const gchar      *icon,
              const gchar      *css,
              const gchar      *words,
              const gchar      *detail)
{
  gtk_image_set_from_icon_name (GTK_IMAGE (self->verdict_icon), icon);
  gtk_widget_remove_css_class (self->verdict_icon, "success");
  gtk_widget_remove_css_class (self->verdict_icon, "warning");
  gtk_widget_remove_css_class (self->verdict_icon, "error");
  gtk_widget_add_css_class (self->verdict_icon, css);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->verdict_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, words, -1);
  gtk_stack_set_visible_child_name (GTK_STACK (self->verdict_icon_stack), "icon");
  gtk_spinner_stop (GTK_SPINNER (self->spinner));
  gtk_label_set_label (GTK_LABEL (self->verdict_label), words);
  gtk_label_set_label (GTK_LABEL (self->verdict_detail), detail);
}

static void
stop_ticking (PbiReadinessPage *self)
{
  if (self->tick_id != 0)
    g_source_remove (self->tick_id);
  self->tick_id = 0;
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PbiReadinessPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiReadinessReport) report = NULL;
  const gchar *detail = NULL;
  g_autofree gchar *removed = NULL;

  report = pbi_engine_check_readiness_finish (PBI_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  stop_ticking (self);
  gtk_widget_set_sensitive (self->run_button, TRUE);
  if (report == NULL)
    {
      show_verdict (self, "dialog-error-symbolic", "error", _("Not ready"), error->message);
      return;
    }
  if (report->test_photos > 0)
    removed = g_strdup (g_strcmp0 (report->test_photos_removed, "deleted") == 0
                        ? _("The test photos were deleted from the server for good.")
                        : g_strcmp0 (report->test_photos_removed, "trash") == 0
                        ? _("The test photos were moved to the server's trash.")
                        : _("The test photos are still on the server (the key may not "
                            "delete them): delete the \"photobooth-immich-readiness\" "
                            "photos by hand."));
  switch (report->verdict)
    {
    case PBI_READINESS_READY:
      detail = _("Every check passed: the booth is ready for the event.");
      show_verdict (self, "emblem-ok-symbolic", "success", _("Ready"), detail);
      break;
    case PBI_READINESS_WARNINGS:
      detail = _("The event can go ahead, but look at the warnings below.");
      show_verdict (self, "dialog-warning-symbolic", "warning", _("Ready, with warnings"),
                    detail);
      break;
    case PBI_READINESS_NOT_READY:
    default:
      detail = _("At least one check failed: fix it before the event.");
      show_verdict (self, "dialog-error-symbolic", "error", _("Not ready"), detail);
      break;
    }
  if (removed != NULL)
    {
      g_autofree gchar *both = g_strdup_printf ("%s %s", detail, removed);
      gtk_label_set_label (GTK_LABEL (self->verdict_detail), both);
    }
  for (guint i = 0; i < report->rows->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->rows_box),
                         check_row_new (g_ptr_array_index (report->rows, i)));
  gtk_widget_set_visible (self->rows_box, report->rows->len > 0);
}

static gboolean
tick_cb (gpointer user_data)
{
  PbiReadinessPage *self = user_data;
  guint seconds = (g_get_monotonic_time () - self->started) / G_USEC_PER_SEC;
  g_autofree gchar *text = NULL;

  text = g_strdup_printf (ngettext ("%u second so far; the check takes at most about 30 seconds.",
                                    "%u seconds so far; the check takes at most about 30 seconds.",
                                    seconds), seconds);
  gtk_label_set_label (GTK_LABEL (self->verdict_detail), text);
  return G_SOURCE_CONTINUE;
}

static void
run_check (PbiReadinessPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  clear_rows (self);
  gtk_widget_set_sensitive (self->run_button, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->verdict_icon_stack), "spinner");
  gtk_spinner_start (GTK_SPINNER (self->spinner));
  gtk_label_set_label (GTK_LABEL (self->verdict_label),
                       _("Checking the server, the album, an upload burst, free space and the clock…"));
  self->started = g_get_monotonic_time ();
  stop_ticking (self);
  tick_cb (self);
  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
  pbi_engine_check_readiness_async (self->engine, 0, self->cancellable, check_cb,
                                    g_object_ref (self));
}

static void
on_run_clicked_cb (PbiReadinessPage *self)
{
  run_check (self);
}

/* A running check is left to finish (it removes its test photos itself);
 * its verdict then goes nowhere. */
static void
on_back_clicked_cb (PbiReadinessPage *self)
{
  stop_ticking (self);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
pbi_readiness_page_dispose (GObject *object)
{
  PbiReadinessPage *self = PBI_READINESS_PAGE (object);

  g_clear_object (&self->cancellable);
  stop_ticking (self);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (pbi_readiness_page_parent_class)->dispose (object);
}

static void
pbi_readiness_page_class_init (PbiReadinessPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pbi_readiness_page_dispose;

  /**
   * PbiReadinessPage::closed:
   *
   * The user went back.
   */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-readiness-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiReadinessPage, verdict_icon_stack);
  gtk_widget_class_bind_template_child (widget_class, PbiReadinessPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, PbiReadinessPage, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, PbiReadinessPage, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, PbiReadinessPage, verdict_detail);
  gtk_widget_class_bind_template_child (widget_class, PbiReadinessPage, rows_box);
  gtk_widget_class_bind_template_child (widget_class, PbiReadinessPage, run_button);
  gtk_widget_class_bind_template_callback (widget_class, on_run_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);
}

static void
pbi_readiness_page_init (PbiReadinessPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * pbi_readiness_page_new:
 * @engine: the engine to check
 *
 * Returns: (transfer floating): a new readiness page, already checking
 */
GtkWidget *
pbi_readiness_page_new (PbiEngine *engine)
{
  PbiReadinessPage *self = g_object_new (PBI_TYPE_READINESS_PAGE, NULL);

  self->engine = g_object_ref (engine);
  run_check (self);
  return GTK_WIDGET (self);
}
