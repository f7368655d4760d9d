/* pbi-bench.c: frame and latency records for bench/run (PBI_BENCH_FRAMES)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PBI_BENCH_FRAMES=FILE makes the app keep, in memory, what the benchmarks
 * of the app (B10–B15 in docs/BENCHMARKS.md) read, and write it to FILE on
 * the first frame of the status page, on SIGUSR2, when a benchmark scroll
 * ends and when the app quits. Unset (the
 * default), every hook below returns at its first test of pbi_bench_on.
 *
 * Each line of FILE is a record; times are g_get_monotonic_time() in µs
 * (CLOCK_MONOTONIC, the clock Python's time.monotonic() reads):
 *
 *   start T                  the app object was made (in main())
 *   frame BEGIN END DREW LAYOUT PAINT
 *                            one frame of the main window's GdkFrameClock:
 *                            from its first phase (flush-events) to the end
 *                            of after-paint; DREW is 1 when the window was
 *                            rendered in it (GdkSurface::render); LAYOUT and
 *                            PAINT: when those phases began (0: not run)
 *   refresh_interval US      the frame clock's refresh interval
 *   first_status_frame T     the end of the first frame drawn with the
 *                            status page shown
 *   stall T GAP              the 5 ms main-loop probe (as PBI_STALL_REPORT)
 *                            came GAP µs late at T (gaps of 1 ms or more)
 *   thumb BOUND DONE SHOWN   a grid cell got a photo at BOUND; at DONE its
 *                            thumbnail was shown (SHOWN 1) or the cell was
 *                            given another photo first (SHOWN 0)
 *   event NAME VALUE         anything else (grid_listed, page, scroll_start,
 *                            scroll_end, binds and bind_us: the grid's binds
 *                            and unbinds so far and the µs they took, ...)
 *
 * A tick callback keeps the frame clock running while this is on, so frames
 * are sampled all the time, not only when something changes.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pbi-bench.h"

gboolean pbi_bench_on;

typedef struct
{
  gint64   begin;
  gint64   layout;
  gint64   paint;
  gint64   end;
  gboolean drew;
} Frame;

typedef struct
{
  gint64   bound;
  gint64   done;
  gboolean shown;
} Thumb;

static gchar *bench_path;
static gint64 bench_start;
static GArray *frames;       /* Frame */
static GArray *stalls;       /* gint64 pairs */
static GArray *thumbs;       /* Thumb */
static GString *events;
static gint64 frame_begin;
static gint64 frame_layout;
static gint64 frame_paint;
static gboolean frame_drew;
static gint64 first_status_frame;
static gint64 refresh_interval;
static GtkWidget *watched_status_page;   /* (unowned) */
static gint64 bind_us;
static guint64 binds;

/**
 * pbi_bench_init:
 *
 * Reads PBI_BENCH_FRAMES; call once, early.
 */
void
pbi_bench_init (void)
{
  const gchar *path = g_getenv ("PBI_BENCH_FRAMES");

  if (path == NULL || *path == '\0' || pbi_bench_on)
    return;
  pbi_bench_on = TRUE;
  bench_path = g_strdup (path);
  bench_start = g_get_monotonic_time ();
  frames = g_array_sized_new (FALSE, FALSE, sizeof (Frame), 8192);
  stalls = g_array_new (FALSE, FALSE, sizeof (gint64));
  thumbs = g_array_sized_new (FALSE, FALSE, sizeof (Thumb), 4096);
  events = g_string_new (NULL);
}

/* The frame begins with the first phase the clock runs (flush-events,
 * before-paint or update: each runs only when asked for). Emission hooks
 * run before every handler of the signal, so the begin includes the events
 * GDK flushes in its own flush-events handler. */
static gboolean
phase_hook (GSignalInvocationHint *hint,
            guint                  n_params,
            const GValue          *params,
            gpointer               user_data)
{
  if (frame_begin == 0)
    {
      frame_begin = g_get_monotonic_time ();
      frame_drew = FALSE;
    }
  return TRUE;
}

/* Stamps the first layout or paint phase of a frame (user_data: the stamp). */
static gboolean
stamp_hook (GSignalInvocationHint *hint,
            guint                  n_params,
            const GValue          *params,
            gpointer               user_data)
{
  gint64 *stamp = user_data;

  if (*stamp == 0)
    *stamp = g_get_monotonic_time ();
  return TRUE;
}

/* GdkSurface::render stops at the first handler that draws (GtkWindow's):
 * a hook sees it first. */
static gboolean
render_hook (GSignalInvocationHint *hint,
             guint                  n_params,
             const GValue          *params,
             gpointer               user_data)
{
  frame_drew = TRUE;
  return TRUE;
}

static gboolean
write_once_cb (gpointer user_data)
{
  pbi_bench_write ();
  return G_SOURCE_REMOVE;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       user_data)
{
  Frame frame;
  GdkFrameTimings *timings;

  frame.end = g_get_monotonic_time ();
  frame.begin = frame_begin != 0 ? frame_begin : frame.end;
  frame.drew = frame_drew;
  frame.layout = frame_layout;
  frame.paint = frame_paint;
  g_array_append_val (frames, frame);
  frame_begin = frame_layout = frame_paint = 0;
  if (refresh_interval == 0 && (timings = gdk_frame_clock_get_current_timings (clock)) != NULL)
    refresh_interval = gdk_frame_timings_get_refresh_interval (timings);
  if (first_status_frame == 0 && frame.drew && watched_status_page != NULL &&
      gtk_widget_get_mapped (watched_status_page))
    {
      /* written at once: the harness waits for the file before it signals */
      first_status_frame = frame.end;
      g_idle_add (write_once_cb, NULL);
    }
}

static gboolean
keep_ticking_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
on_realize_cb (GtkWidget *window,
               gpointer   user_data)
{
  GdkFrameClock *clock = gdk_surface_get_frame_clock (gtk_native_get_surface (GTK_NATIVE (window)));

  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), NULL);
}

/**
 * pbi_bench_watch_window:
 * @window: the main window
 * @status_page: its status page
 *
 * Records @window's frames, and the first one that shows @status_page.
 */
void
pbi_bench_watch_window (GtkWindow *window,
                        GtkWidget *status_page)
{
  static gboolean hooked;

  if (!pbi_bench_on)
    return;
  if (!hooked)
    {
      static const gchar *phases[] = { "flush-events", "before-paint", "update" };

      for (guint i = 0; i < G_N_ELEMENTS (phases); i++)
        g_signal_add_emission_hook (g_signal_lookup (phases[i], GDK_TYPE_FRAME_CLOCK), 0,
                                    phase_hook, NULL, NULL);
      g_signal_add_emission_hook (g_signal_lookup ("layout", GDK_TYPE_FRAME_CLOCK), 0,
                                  stamp_hook, &frame_layout, NULL);
      g_signal_add_emission_hook (g_signal_lookup ("paint", GDK_TYPE_FRAME_CLOCK), 0,
                                  stamp_hook, &frame_paint, NULL);
      g_signal_add_emission_hook (g_signal_lookup ("render", GDK_TYPE_SURFACE), 0,
                                  render_hook, NULL, NULL);
      hooked = TRUE;
    }
  watched_status_page = status_page;
  g_object_add_weak_pointer (G_OBJECT (status_page), (gpointer *) &watched_status_page);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), NULL);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), keep_ticking_cb, NULL, NULL);
}

/**
 * pbi_bench_stall:
 * @now: when the probe ticked
 * @gap: how late, in µs
 */
void
pbi_bench_stall (gint64 now,
                 gint64 gap)
{
  if (!pbi_bench_on || gap < 1000)
    return;
  g_array_append_val (stalls, now);
  g_array_append_val (stalls, gap);
}

/**
 * pbi_bench_thumbnail:
 * @bound_at: when the cell was given its photo
 * @shown: %TRUE when its thumbnail shows now, %FALSE when it got another
 *   photo before
 */
void
pbi_bench_thumbnail (gint64   bound_at,
                     gboolean shown)
{
  Thumb thumb;

  if (!pbi_bench_on || bound_at == 0)
    return;
  thumb.bound = bound_at;
  thumb.done = g_get_monotonic_time ();
  thumb.shown = shown;
  g_array_append_val (thumbs, thumb);
}

/**
 * pbi_bench_bind_time:
 * @us: time a grid cell's bind or unbind took
 */
void
pbi_bench_bind_time (gint64 us)
{
  if (!pbi_bench_on)
    return;
  bind_us += us;
  binds++;
}

/**
 * pbi_bench_event:
 * @what: a name without spaces
 * @value: a number (a time in µs, a count)
 */
void
pbi_bench_event (const gchar *what,
                 gint64       value)
{
  if (!pbi_bench_on)
    return;
  g_string_append_printf (events, "event %s %" G_GINT64_FORMAT "\n", what, value);
}

/**
 * pbi_bench_scroll_plan:
 * @pages: (out): page steps first
 * @page_ms: (out): one every this many ms
 * @fling_s: (out): then to the bottom in this many seconds
 *
 * Reads PBI_BENCH_SCROLL="PAGES PAGE_MS FLING_S" (benchmark B12).
 *
 * Returns: %TRUE when the grid is to scroll
 */
gboolean
pbi_bench_scroll_plan (guint   *pages,
                       guint   *page_ms,
                       gdouble *fling_s)
{
  const gchar *s;
  gchar *end;

  if (!pbi_bench_on || (s = g_getenv ("PBI_BENCH_SCROLL")) == NULL)
    return FALSE;
  *pages = (guint) g_ascii_strtoull (s, &end, 10);
  *page_ms = (guint) g_ascii_strtoull (end, &end, 10);
  *fling_s = g_ascii_strtod (end, NULL);
  return *page_ms > 0 && *fling_s > 0;
}

/**
 * pbi_bench_write:
 *
 * Writes everything recorded so far to the PBI_BENCH_FRAMES file.
 */
void
pbi_bench_write (void)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GError) error = NULL;

  if (!pbi_bench_on)
    return;
  out = g_string_sized_new (64 * (frames->len + thumbs->len) + 4096);
  g_string_append_printf (out, "start %" G_GINT64_FORMAT "\n", bench_start);
  if (refresh_interval != 0)
    g_string_append_printf (out, "refresh_interval %" G_GINT64_FORMAT "\n", refresh_interval);
  if (first_status_frame != 0)
    g_string_append_printf (out, "first_status_frame %" G_GINT64_FORMAT "\n", first_status_frame);
  for (guint i = 0; i < frames->len; i++)
    {
      Frame *f = &g_array_index (frames, Frame, i);

      g_string_append_printf (out, "frame %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d %"
                              G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                              f->begin, f->end, f->drew, f->layout, f->paint);
    }
  for (guint i = 0; i + 1 < stalls->len; i += 2)
    g_string_append_printf (out, "stall %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                            g_array_index (stalls, gint64, i),
                            g_array_index (stalls, gint64, i + 1));
  for (guint i = 0; i < thumbs->len; i++)
    {
      Thumb *t = &g_array_index (thumbs, Thumb, i);

      g_string_append_printf (out, "thumb %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d\n",
                              t->bound, t->done, t->shown);
    }
  g_string_append (out, events->str);
  g_string_append_printf (out, "event binds %" G_GUINT64_FORMAT "\nevent bind_us %" G_GINT64_FORMAT
                          "\n", binds, bind_us);
  if (!g_file_set_contents (bench_path, out->str, (gssize) out->len, &error))
    g_warning ("PBI_BENCH_FRAMES: %s", error->message);
}
