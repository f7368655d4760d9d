/* pbi-ui-format.c: times, durations and rates in words, per locale
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-ui-format.h"

/**
 * pbi_format_time_ago:
 * @then: a moment in the past
 * @now: now
 *
 * Returns: (transfer full): e.g. "just now", "2 minutes ago", "yesterday at
 *   14:05", or the date for older ones
 */
gchar *
pbi_format_time_ago (GDateTime *then,
                     GDateTime *now)
{
  GTimeSpan diff = g_date_time_difference (now, then);
  gint64 minutes = diff / G_TIME_SPAN_MINUTE;
  gint64 hours = diff / G_TIME_SPAN_HOUR;
  g_autoptr(GDateTime) local_then = g_date_time_to_local (then);
  g_autoptr(GDateTime) local_now = g_date_time_to_local (now);
  gint days;

  if (diff < G_TIME_SPAN_MINUTE)
    return g_strdup (_("just now"));
  if (minutes < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago",
                                         minutes), (gint) minutes);
  days = g_date_time_get_day_of_year (local_now) - g_date_time_get_day_of_year (local_then) +
         365 * (g_date_time_get_year (local_now) - g_date_time_get_year (local_then));
  if (hours < 24 && days == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", hours),
                            (gint) hours);
  if (days == 1)
    {
      g_autofree gchar *time = g_date_time_format (local_then, "%X");

      /* TRANSLATORS: %s is a time of day */
      return g_strdup_printf (_("yesterday at %s"), time);
    }
  /* the locale's date */
  return g_date_time_format (local_then, "%x");
}

/**
 * pbi_format_time_left:
 * @seconds: an estimate, negative when unknown
 *
 * Returns: (transfer full) (nullable): e.g. "about 5 minutes left"
 */
gchar *
pbi_format_time_left (gdouble seconds)
{
  gint64 s = (gint64) (seconds + 0.5);

  if (seconds < 0)
    return NULL;
  if (s < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second left", "%d seconds left", s),
                            (gint) s);
  if (s < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d minute left",
                                         "about %d minutes left", (s + 30) / 60),
                            (gint) ((s + 30) / 60));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d hour left",
                                       "about %d hours left", (s + 1800) / 3600),
                          (gint) ((s + 1800) / 3600));
}

/**
 * pbi_format_rate:
 * @bytes_per_second: a transfer rate
 *
 * Returns: (transfer full): e.g. "3.4 MB/s"
 */
gchar *
pbi_format_rate (gdouble bytes_per_second)
{
  g_autofree gchar *size = g_format_size ((guint64) MAX (0, bytes_per_second));

  /* TRANSLATORS: a transfer rate; %s is a size such as "3.4 MB" */
  return g_strdup_printf (_("%s/s"), size);
}
