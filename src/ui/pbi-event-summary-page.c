/* pbi-event-summary-page.c: "Event Summary": the event's report and chart
 *
 * The figures of pbi_engine_build_report (a local query) and the chart the
 * engine draws with cairo (pbi_event_report_write_chart), written to a
 * temporary PNG in a worker thread and shown in a GtkPicture.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pbi-engine-event.h"
#include "pbi-event-summary-page.h"

struct _PbiEventSummaryPage
{
  AdwBin        parent_instance;

  GtkWidget    *title_label;
  GtkWidget    *figures_box;
  GtkWidget    *chart_picture;

  PbiEngine    *engine;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (PbiEventSummaryPage, pbi_event_summary_page, ADW_TYPE_BIN)

enum { CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
add_figure (PbiEventSummaryPage *self,
            const gchar         *title,
            const gchar         *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (GTK_LIST_BOX (self->figures_box), row);
}

static void
add_count (PbiEventSummaryPage *self,
           const gchar         *title,
           guint                count)
{
  g_autofree gchar *text = g_strdup_printf ("%'u", count);

  add_figure (self, title, text);
}

static gchar *
seconds_text (gdouble seconds)
{
  if (seconds < 0)
    return g_strdup (_("none yet"));
  if (seconds < 90)
    return g_strdup_printf (_("%.1f s"), seconds);
  return g_strdup_printf (_("%.1f min"), seconds / 60);
}

static gchar *
time_text (gint64 us)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);

  return t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

static void
chart_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PbiEventReport *report = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  GdkTexture *texture;
  gint fd;

  fd = g_file_open_tmp ("pbi-chart-XXXXXX.png", &path, &error);
  if (fd < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_close (fd, NULL);
  if (!pbi_event_report_write_chart (report, path, &error))
    {
      g_unlink (path);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  texture = gdk_texture_new_from_filename (path, &error);
  g_unlink (path);
  if (texture == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, texture, g_object_unref);
}

static void
chart_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  PbiEventSummaryPage *self = PBI_EVENT_SUMMARY_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);

  if (texture == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot draw the event chart: %s", error->message);
      return;
    }
  gtk_picture_set_paintable (GTK_PICTURE (self->chart_picture), GDK_PAINTABLE (texture));
}

static void
refresh (PbiEventSummaryPage *self)
{
  g_autoptr(PbiEventReport) report = pbi_engine_build_report (self->engine, 0);
  g_autoptr(GTask) task = NULL;
  g_autofree gchar *p50 = NULL;
  g_autofree gchar *p95 = NULL;
  g_autofree gchar *bytes = NULL;
  g_autofree gchar *outages = NULL;
  g_autofree gchar *since = time_text (report->since);
  g_autofree gchar *title = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->figures_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->figures_box), child);

  if (report->event_name != NULL)
    /* TRANSLATORS: an event's name and when it began */
    title = g_strdup_printf (_("%s, since %s"), report->event_name, since);
  else if (report->since > 0)
    title = g_strdup_printf (_("Since %s"), since);
  else
    title = g_strdup (_("Every photo so far"));
  gtk_label_set_label (GTK_LABEL (self->title_label), title);

  add_count (self, _("Captures"), report->captures);
  add_count (self, _("Uploads"), report->uploads);
  add_count (self, _("Duplicates"), report->duplicates);
  add_count (self, _("Failures"), report->failures);
  add_count (self, _("Pending"), report->pending);
  p50 = seconds_text (report->latency_p50_s);
  p95 = seconds_text (report->latency_p95_s);
  add_figure (self, _("Capture to server, median"), p50);
  add_figure (self, _("Capture to server, 95th percentile"), p95);
  if (report->outages->len == 0)
    outages = g_strdup (_("none"));
  else
    {
      gdouble total = 0;
      g_autofree gchar *length = NULL;

      for (guint i = 0; i < report->outages->len; i++)
        total += ((PbiReportOutage *) g_ptr_array_index (report->outages, i))->length_s;
      length = seconds_text (total);
      outages = g_strdup_printf (ngettext ("%u, %s in all", "%u, %s in all",
                                           report->outages->len),
                                 report->outages->len, length);
    }
  add_figure (self, _("Outages"), outages);
  bytes = g_format_size (report->bytes_sent);
  add_figure (self, _("Bytes sent"), bytes);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, chart_cb, NULL);
  g_task_set_task_data (task, g_steal_pointer (&report), (GDestroyNotify) pbi_event_report_free);
  g_task_run_in_thread (task, chart_thread);
}

static void
on_refresh_clicked_cb (PbiEventSummaryPage *self)
{
  refresh (self);
}

static void
on_back_clicked_cb (PbiEventSummaryPage *self)
{
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
pbi_event_summary_page_dispose (GObject *object)
{
  PbiEventSummaryPage *self = PBI_EVENT_SUMMARY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (pbi_event_summary_page_parent_class)->dispose (object);
}

static void
pbi_event_summary_page_class_init (PbiEventSummaryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pbi_event_summary_page_dispose;

  /**
   * PbiEventSummaryPage::closed:
   *
   * The user went back.
   */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-event-summary-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiEventSummaryPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, PbiEventSummaryPage, figures_box);
  gtk_widget_class_bind_template_child (widget_class, PbiEventSummaryPage, chart_picture);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);
}

static void
pbi_event_summary_page_init (PbiEventSummaryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * pbi_event_summary_page_new:
 * @engine: the engine whose event is summed up
 *
 * Returns: (transfer floating): a new event summary page
 */
GtkWidget *
pbi_event_summary_page_new (PbiEngine *engine)
{
  PbiEventSummaryPage *self = g_object_new (PBI_TYPE_EVENT_SUMMARY_PAGE, NULL);

  self->engine = g_object_ref (engine);
  refresh (self);
  return GTK_WIDGET (self);
}
