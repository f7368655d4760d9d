/* pbi-engine-report.c: the event in figures, from the store alone:
 * captures, uploads, duplicates, failures, per hour, capture-to-server
 * latency, outages (from the connection log), bytes sent; and the chart
 * of captures and uploads over time (cairo, PNG).
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <cairo.h>

#include "pbi-engine-event-private.h"
#include "pbi-store-events.h"

#define HOUR_US ((gint64) 3600 * G_USEC_PER_SEC)

/* Orders gint64 values, for g_array_sort() (here and in the check). */
gint
_pbi_engine_cmp_gint64 (gconstpointer a,
                        gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* nearest-rank percentile of sorted values, in seconds */
static gdouble
percentile (GArray  *sorted,
            gdouble  p)
{
  guint rank;

  if (sorted->len == 0)
    return -1;
  rank = (guint) ceil (p / 100.0 * sorted->len);
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, gint64, rank - 1) / (gdouble) G_USEC_PER_SEC;
}

static gint64
hour_of (gint64 when_us)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (when_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) h = g_date_time_new_local (g_date_time_get_year (t),
                                                  g_date_time_get_month (t),
                                                  g_date_time_get_day_of_month (t),
                                                  g_date_time_get_hour (t), 0, 0);

  return g_date_time_to_unix (h) * G_USEC_PER_SEC;
}

static PbiReportHour *
hour_slot (GArray *hours,
           gint64  when_us)
{
  gint64 start = hour_of (when_us);
  PbiReportHour fresh = { start, 0, 0 };
  guint i;

  for (i = 0; i < hours->len; i++)
    {
      PbiReportHour *h = &g_array_index (hours, PbiReportHour, i);

      if (h->start == start)
        return h;
      if (h->start > start)
        break;
    }
  g_array_insert_val (hours, i, fresh);
  return &g_array_index (hours, PbiReportHour, i);
}

static void
outage_free (PbiReportOutage *o)
{
  g_free (o->state);
  g_free (o->message);
  g_free (o);
}

static GPtrArray *
outages_since (PbiStore *store,
               gint64    since,
               gint64    now)
{
  g_autoptr(GPtrArray) changes = pbi_store_connection_log_since (store, since);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) outage_free);
  PbiReportOutage *open = NULL;

  for (guint i = 0; i < changes->len; i++)
    {
      PbiStoreConnectionChange *c = g_ptr_array_index (changes, i);
      gboolean down = g_strcmp0 (c->state, "connected") != 0;

      if (down && open == NULL)
        {
          open = g_new0 (PbiReportOutage, 1);
          open->start = c->at;
          open->state = g_strdup (c->state);
          open->message = g_strdup (c->message);
          g_ptr_array_add (out, open);
        }
      else if (!down && open != NULL)
        {
          open->length_s = (c->at - open->start) / (gdouble) G_USEC_PER_SEC;
          open = NULL;
        }
    }
  if (open != NULL)
    {
      open->ongoing = TRUE;
      open->length_s = (now - open->start) / (gdouble) G_USEC_PER_SEC;
    }
  return out;
}

/**
 * pbi_engine_build_report:
 * @since_us: µs since the epoch; 0 for the current event (or everything)
 *
 * Returns: (transfer full): the event in figures
 */
PbiEventReport *
pbi_engine_build_report (PbiEngine *self,
                         gint64     since_us)
{
  PbiEventReport *r;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree gchar *event = NULL;
  gint64 started = 0;

  g_return_val_if_fail (PBI_IS_ENGINE (self), NULL);
  _pbi_engine_flush_records (self);
  r = g_new0 (PbiEventReport, 1);
  if (pbi_store_event_current (self->store, &event, NULL, &started))
    r->event_name = g_steal_pointer (&event);
  r->since = since_us > 0 ? since_us : started;
  r->until = g_get_real_time ();
  r->hours = g_array_new (FALSE, FALSE, sizeof (PbiReportHour));
  r->capture_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  r->done_times = g_array_new (FALSE, FALSE, sizeof (gint64));

  photos = pbi_store_photos_since (self->store, r->since);
  for (guint i = 0; i < photos->len; i++)
    {
      PbiStorePhoto *p = g_ptr_array_index (photos, i);
      gboolean captured = p->captured >= r->since;
      gboolean done = p->done_at > 0 && p->done_at >= r->since;

      if (captured)
        {
          r->captures++;
          hour_slot (r->hours, p->captured)->captures++;
          g_array_append_val (r->capture_times, p->captured);
        }
      switch (p->state)
        {
        case PBI_FILE_STATE_DONE:
        case PBI_FILE_STATE_DUPLICATE:
          if (!done)
            break;
          if (!p->duplicate && p->state != PBI_FILE_STATE_DUPLICATE)
            {
              r->uploads++;
              r->bytes_sent += p->size;
            }
          else
            r->duplicates++;
          hour_slot (r->hours, p->done_at)->uploads++;
          g_array_append_val (r->done_times, p->done_at);
          if (captured)
            {
              gint64 latency = MAX (0, p->done_at - p->captured);

              g_array_append_val (latencies, latency);
            }
          break;
        case PBI_FILE_STATE_FAILED:
        case PBI_FILE_STATE_REJECTED:
          r->failures++;
          break;
        case PBI_FILE_STATE_PENDING:
        case PBI_FILE_STATE_HASHING:
        case PBI_FILE_STATE_CHECKING:
        case PBI_FILE_STATE_UPLOADING:
        case PBI_FILE_STATE_ADDING:
        case PBI_N_FILE_STATES:
        default:
          r->pending++;
          break;
        }
    }
  g_array_sort (latencies, _pbi_engine_cmp_gint64);
  r->latency_p50_s = percentile (latencies, 50);
  r->latency_p95_s = percentile (latencies, 95);
  g_array_sort (r->done_times, _pbi_engine_cmp_gint64);
  r->outages = outages_since (self->store, r->since, r->until);
  return r;
}

/* ------------------------------------------------------------------ */
/* chart                                                               */
/* ------------------------------------------------------------------ */

#define CHART_W 960
#define CHART_H 480
#define MARGIN_L 70
#define MARGIN_R 30
#define MARGIN_T 50
#define MARGIN_B 60

static void
draw_steps (cairo_t *cr,
            GArray  *times,
            gint64   t0,
            gint64   t1,
            guint    ymax)
{
  gdouble w = CHART_W - MARGIN_L - MARGIN_R;
  gdouble h = CHART_H - MARGIN_T - MARGIN_B;
  gdouble span = MAX (1, t1 - t0);

  cairo_move_to (cr, MARGIN_L, MARGIN_T + h);
  for (guint i = 0; i < times->len; i++)
    {
      gdouble x = MARGIN_L + w * (g_array_index (times, gint64, i) - t0) / span;
      gdouble y_before = MARGIN_T + h - h * i / (gdouble) ymax;
      gdouble y_after = MARGIN_T + h - h * (i + 1) / (gdouble) ymax;

      cairo_line_to (cr, x, y_before);
      cairo_line_to (cr, x, y_after);
    }
  cairo_line_to (cr, MARGIN_L + w, MARGIN_T + h - h * times->len / (gdouble) ymax);
  cairo_stroke (cr);
}

static void
label_time (cairo_t *cr,
            gdouble  x,
            gdouble  y,
            gint64   when_us,
            gboolean seconds)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (when_us / G_USEC_PER_SEC);
  g_autofree gchar *text = g_date_time_format (t, seconds ? "%H:%M:%S" : "%H:%M");
  cairo_text_extents_t ext;

  cairo_text_extents (cr, text, &ext);
  cairo_move_to (cr, x - ext.width / 2, y);
  cairo_show_text (cr, text);
}

/**
 * pbi_event_report_write_chart:
 *
 * Writes a PNG: photos taken and photos on the server over time (running
 * totals), outages shaded.
 */
gboolean
pbi_event_report_write_chart (const PbiEventReport  *report,
                              const gchar           *png_path,
                              GError               **error)
{
  g_autoptr(GArray) captures = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  gint64 t0, t1;
  guint ymax;
  gdouble w = CHART_W - MARGIN_L - MARGIN_R;
  gdouble h = CHART_H - MARGIN_T - MARGIN_B;
  g_autofree gchar *title = NULL;

  g_return_val_if_fail (report != NULL && png_path != NULL, FALSE);
  captures = g_array_copy (report->capture_times);
  g_array_sort (captures, _pbi_engine_cmp_gint64);
  t0 = report->until;
  if (captures->len > 0)
    t0 = MIN (t0, g_array_index (captures, gint64, 0));
  if (report->done_times->len > 0)
    t0 = MIN (t0, g_array_index (report->done_times, gint64, 0));
  if (report->since > 0 && report->since < t0)
    t0 = report->since;
  t1 = MAX (report->until, t0 + 60 * G_USEC_PER_SEC);
  /* a multiple of 4: the four grid steps are whole photos */
  ymax = MAX (captures->len, report->done_times->len);
  ymax = MAX (4, (ymax + 3) / 4 * 4);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, CHART_W, CHART_H);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  /* outages */
  cairo_set_source_rgb (cr, 1.0, 0.85, 0.85);
  for (guint i = 0; i < report->outages->len; i++)
    {
      PbiReportOutage *o = g_ptr_array_index (report->outages, i);
      gdouble x0 = MARGIN_L + w * (MAX (o->start, t0) - t0) / (gdouble) (t1 - t0);
      gdouble x1 = MARGIN_L + w * (MIN (o->start + (gint64) (o->length_s * G_USEC_PER_SEC), t1)
                                   - t0) / (gdouble) (t1 - t0);

      cairo_rectangle (cr, x0, MARGIN_T, MAX (1, x1 - x0), h);
      cairo_fill (cr);
    }

  /* axes */
  cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, MARGIN_L, MARGIN_T);
  cairo_line_to (cr, MARGIN_L, MARGIN_T + h);
  cairo_line_to (cr, MARGIN_L + w, MARGIN_T + h);
  cairo_stroke (cr);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 13);
  for (guint i = 0; i <= 4; i++)
    {
      g_autofree gchar *n = g_strdup_printf ("%u", ymax * i / 4);
      gdouble y = MARGIN_T + h - h * i / 4.0;

      cairo_move_to (cr, 10, y + 4);
      cairo_show_text (cr, n);
      label_time (cr, MARGIN_L + w * i / 4.0, MARGIN_T + h + 20,
                  t0 + (t1 - t0) * (gint64) i / 4, t1 - t0 < 20 * 60 * G_USEC_PER_SEC);
    }
  cairo_set_font_size (cr, 16);
  /* the two lines differ in pattern too, not in colour alone */
  title = g_strdup_printf (_("%s: photos taken (blue, solid) and on the server (green, dashed); "
                             "outages shaded"),
                           report->event_name != NULL ? report->event_name : _("Event"));
  cairo_move_to (cr, MARGIN_L, 30);
  cairo_show_text (cr, title);

  cairo_set_line_width (cr, 2.5);
  cairo_set_source_rgb (cr, 0.11, 0.44, 0.85);
  draw_steps (cr, captures, t0, t1, ymax);
  cairo_set_source_rgb (cr, 0.18, 0.62, 0.25);
  cairo_set_dash (cr, (const gdouble[]) { 8.0, 5.0 }, 2, 0);
  draw_steps (cr, report->done_times, t0, t1, ymax);

  cairo_destroy (cr);
  status = cairo_surface_write_to_png (surface, png_path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write %s: %s"), png_path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
