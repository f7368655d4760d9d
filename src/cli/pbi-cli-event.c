/* pbi-cli-event.c: the event commands of photobooth-immich: check, share,
 * verify, report, new-event
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "pbi-cli-private.h"
#include "pbi-engine-event.h"
#include "pbi-engine-private.h"
#include "pbi-log.h"
#include "pbi-qr.h"

static gint     opt_burst;
static gchar   *opt_expires;
static gchar   *opt_password;
static gboolean opt_no_download;
static gchar   *opt_qr;
static gboolean opt_revoke;
static gboolean opt_csv;
static gchar   *opt_since;
static gchar   *opt_chart;

static const GOptionEntry check_entries[] = {
  { "burst", 0, 0, G_OPTION_ARG_INT, &opt_burst,
    N_("Seconds of the upload test (1–20, default 20)"), N_("SECONDS") },
  { NULL }
};

static const GOptionEntry share_entries[] = {
  { "expires", 0, 0, G_OPTION_ARG_STRING, &opt_expires,
    N_("The link stops working after this long (30m, 12h, 7d) or at this date (2026-12-31)"),
    N_("WHEN") },
  { "password", 0, 0, G_OPTION_ARG_STRING, &opt_password,
    N_("Guests need this password; - asks for it (or reads it from standard input)"), N_("PW") },
  { "no-download", 0, 0, G_OPTION_ARG_NONE, &opt_no_download,
    N_("Guests may look but not download"), NULL },
  { "qr", 0, 0, G_OPTION_ARG_FILENAME, &opt_qr, N_("Also write the QR code as a PNG"),
    N_("FILE.png") },
  { "revoke", 0, 0, G_OPTION_ARG_NONE, &opt_revoke, N_("Delete the guest link"), NULL },
  { NULL }
};

static const GOptionEntry report_entries[] = {
  { "csv", 0, 0, G_OPTION_ARG_NONE, &opt_csv, N_("Print CSV (one row per hour)"), NULL },
  { "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
    N_("From this time (2026-12-01 18:00, or 3h, 2d ago); default: the current event"),
    N_("WHEN") },
  { "chart", 0, 0, G_OPTION_ARG_FILENAME, &opt_chart,
    N_("Write a chart of captures and uploads over time (PNG)"), N_("FILE.png") },
  { NULL }
};

const GOptionEntry *
cli_event_entries (const gchar *command)
{
  if (g_str_equal (command, "check"))
    return check_entries;
  if (g_str_equal (command, "share"))
    return share_entries;
  if (g_str_equal (command, "report"))
    return report_entries;
  return NULL;
}

/* 2314 → "2,314" */
static gchar *
thousands (gint64 n)
{
  g_autofree gchar *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *s = g_string_new (n < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

/* "30m", "12h", "7d", "90s" → µs; -1 when not a duration */
static gint64
parse_duration (const gchar *text)
{
  gchar *end = NULL;
  gdouble n;

  if (text == NULL || *text == '\0')
    return -1;
  n = g_ascii_strtod (text, &end);
  if (end == text || n < 0)
    return -1;
  if (g_str_equal (end, "s"))
    return (gint64) (n * G_USEC_PER_SEC);
  if (g_str_equal (end, "m") || g_str_equal (end, "min"))
    return (gint64) (n * 60 * G_USEC_PER_SEC);
  if (g_str_equal (end, "h"))
    return (gint64) (n * 3600 * G_USEC_PER_SEC);
  if (g_str_equal (end, "d"))
    return (gint64) (n * 86400 * G_USEC_PER_SEC);
  if (g_str_equal (end, "w"))
    return (gint64) (n * 7 * 86400 * G_USEC_PER_SEC);
  return -1;
}

/* an ISO 8601 date-time, "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DD", local time */
static GDateTime *
parse_date (const gchar *text)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autofree gchar *iso = NULL;
  GDateTime *t;

  t = g_date_time_new_from_iso8601 (text, local);
  if (t != NULL)
    return t;
  iso = g_strdelimit (g_strdup (text), " ", 'T');
  if (strlen (iso) == 10)
    {
      g_autofree gchar *day = g_strconcat (iso, "T00:00:00", NULL);
      return g_date_time_new_from_iso8601 (day, local);
    }
  if (strlen (iso) == 16)
    {
      g_autofree gchar *minute = g_strconcat (iso, ":00", NULL);
      return g_date_time_new_from_iso8601 (minute, local);
    }
  return g_date_time_new_from_iso8601 (iso, local);
}

static gboolean
want_args (gint         argc,
           gint         max,
           const gchar *usage)
{
  if (argc - 1 <= max)
    return TRUE;
  g_printerr (_("Too many arguments. Usage: photobooth-immich %s\n"), usage);
  exit_code = EXIT_USAGE;
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* check                                                                      */

static const gchar *
status_word (PbiCheckStatus status)
{
  switch (status)
    {
    case PBI_CHECK_OK: return "ok";
    case PBI_CHECK_WARNING: return "warning";
    case PBI_CHECK_FAILED: return "failed";
    case PBI_CHECK_SKIPPED: return "skipped";
    default: return "unknown";
    }
}

static const gchar *
verdict_word (PbiReadiness verdict)
{
  switch (verdict)
    {
    case PBI_READINESS_READY: return "ready";
    case PBI_READINESS_WARNINGS: return "ready with warnings";
    case PBI_READINESS_NOT_READY: return "not ready";
    default: return "unknown";
    }
}

static void
print_check_json (PbiReadinessReport *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "verdict");
  json_builder_add_string_value (b, verdict_word (r->verdict));
  json_builder_set_member_name (b, "serverVersion");
  json_builder_add_string_value (b, r->server_version);
  json_builder_set_member_name (b, "user");
  json_builder_add_string_value (b, r->user);
  json_builder_set_member_name (b, "missingPermissions");
  json_builder_begin_array (b);
  for (guint i = 0; r->missing_permissions != NULL && r->missing_permissions[i] != NULL; i++)
    json_builder_add_string_value (b, r->missing_permissions[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "typicalSize");
  json_builder_add_int_value (b, r->typical_size);
  json_builder_set_member_name (b, "testPhotos");
  json_builder_add_int_value (b, r->test_photos);
  json_builder_set_member_name (b, "photosPerMinute");
  json_builder_add_double_value (b, r->photos_per_minute);
  json_builder_set_member_name (b, "bytesPerSecond");
  json_builder_add_double_value (b, r->bytes_per_second);
  json_builder_set_member_name (b, "latencyMs");
  json_builder_add_double_value (b, r->latency_ms);
  json_builder_set_member_name (b, "testPhotosRemoved");
  json_builder_add_string_value (b, r->test_photos_removed);
  json_builder_set_member_name (b, "boothFreePhotos");
  json_builder_add_int_value (b, r->booth_free_photos);
  json_builder_set_member_name (b, "serverFreePhotos");
  json_builder_add_int_value (b, r->server_free_photos);
  json_builder_set_member_name (b, "clockSkewSeconds");
  json_builder_add_int_value (b, r->clock_skew_s);
  json_builder_set_member_name (b, "checks");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->rows->len; i++)
    {
      PbiCheckRow *row = g_ptr_array_index (r->rows, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, row->id);
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, row->title);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, status_word (row->status));
      json_builder_set_member_name (b, "figure");
      json_builder_add_string_value (b, row->figure);
      json_builder_set_member_name (b, "advice");
      json_builder_add_string_value (b, row->advice);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  print_json (b);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiReadinessReport) r = NULL;

  r = pbi_engine_check_readiness_finish (PBI_ENGINE (object), result, &error);
  if (r == NULL)
    {
      g_printerr (_("The readiness check failed: %s\n"), error->message);
      exit_code = EXIT_CONNECTION;
      g_main_loop_quit (loop);
      return;
    }
  if (opt_json)
    print_check_json (r);
  else
    {
      for (guint i = 0; i < r->rows->len; i++)
        {
          PbiCheckRow *row = g_ptr_array_index (r->rows, i);

          g_print ("[%-7s] %-26s %s\n", status_word (row->status), row->title, row->figure);
          if (row->advice != NULL && row->status != PBI_CHECK_OK)
            g_print ("          %-26s → %s\n", "", row->advice);
        }
      if (r->test_photos > 0)
        g_print (_("Test photos: %s\n"),
                 g_strcmp0 (r->test_photos_removed, "deleted") == 0
                 ? _("removed from the album and deleted from the server for good")
                 : g_strcmp0 (r->test_photos_removed, "trash") == 0
                 ? _("removed from the album and moved to the server's trash")
                 : _("left on the server (the key may not delete them): delete the "
                     "\"photobooth-immich-readiness\" photos by hand"));
      g_print (_("Verdict: %s\n"), verdict_word (r->verdict));
    }
  exit_code = r->verdict == PBI_READINESS_READY ? EXIT_OK
              : r->verdict == PBI_READINESS_WARNINGS ? EXIT_SOME_FAILED : EXIT_CONNECTION;
  g_main_loop_quit (loop);
}

gint
cmd_check (gint    argc,
           gchar **argv)
{
  g_autoptr(PbiEngine) engine = NULL;

  if (!want_args (argc, 0, "check [--json] [--burst SECONDS]"))
    return exit_code;
  if (opt_burst < 0 || opt_burst > 20)
    {
      g_printerr ("%s\n", _("--burst takes 1 to 20 seconds."));
      return EXIT_USAGE;
    }
  engine = open_engine ();
  if (engine == NULL)
    return exit_code;
  pbi_engine_check_readiness_async (engine, opt_burst, NULL, check_cb, NULL);
  g_main_loop_run (loop);
  return exit_code;
}

/* ------------------------------------------------------------------------ */
/* share                                                                      */

static gchar *
read_password (void)
{
  gchar buf[512];
  struct termios old, quiet;
  gboolean tty = isatty (0);

  if (tty)
    {
      g_printerr ("%s", _("Password for guests: "));
      tcgetattr (0, &old);
      quiet = old;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (0, TCSANOW, &quiet);
    }
  if (fgets (buf, sizeof buf, stdin) == NULL)
    buf[0] = '\0';
  if (tty)
    {
      tcsetattr (0, TCSANOW, &old);
      g_printerr ("\n");
    }
  buf[strcspn (buf, "\r\n")] = '\0';
  return g_strdup (buf);
}

static void
revoke_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!pbi_engine_revoke_share_finish (PBI_ENGINE (object), result, &error))
    {
      g_printerr (_("Cannot revoke the guest link: %s\n"), error->message);
      exit_code = g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND)
                  ? EXIT_SOME_FAILED : exit_code_for_error (error);
    }
  else
    g_print (_("The guest link of \"%s\" is revoked: it no longer opens.\n"),
             pbi_engine_get_album_name (PBI_ENGINE (object)));
  g_main_loop_quit (loop);
}

static void
share_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiShareLink) link = NULL;
  g_autoptr(PbiQr) qr = NULL;
  g_autofree gchar *expires = NULL;

  link = pbi_engine_share_finish (PBI_ENGINE (object), result, &error);
  if (link == NULL)
    {
      g_printerr (_("Cannot share the album: %s\n"), error->message);
      exit_code = exit_code_for_error (error);
      g_main_loop_quit (loop);
      return;
    }
  qr = pbi_qr_new (link->url, &error);
  if (qr == NULL)
    {
      g_printerr ("%s\n", error->message);
      exit_code = EXIT_SOME_FAILED;
      g_main_loop_quit (loop);
      return;
    }
  if (link->expires_at != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (link->expires_at);
      expires = g_date_time_format (local, "%Y-%m-%d %H:%M");
    }
  if (opt_qr != NULL && !pbi_qr_write_png (qr, opt_qr, 800, &error))
    {
      g_printerr ("%s\n", error->message);
      exit_code = EXIT_SOME_FAILED;
    }
  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, link->url);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, link->id);
      json_builder_set_member_name (b, "album");
      json_builder_add_string_value (b, link->album_name);
      json_builder_set_member_name (b, "expiresAt");
      json_builder_add_string_value (b, expires);
      json_builder_set_member_name (b, "password");
      json_builder_add_boolean_value (b, link->has_password);
      json_builder_set_member_name (b, "allowDownload");
      json_builder_add_boolean_value (b, link->allow_download);
      json_builder_set_member_name (b, "reused");
      json_builder_add_boolean_value (b, link->reused);
      json_builder_end_object (b);
      print_json (b);
    }
  else
    {
      g_autofree gchar *text = pbi_qr_to_terminal (qr);

      g_print ("%s", text);
      g_print (_("Scan to see the photos of \"%s\":\n%s\n"), link->album_name, link->url);
      g_print ("%s%s%s%s\n", link->reused ? _("(the link made before) ") : _("(a new link) "),
               expires != NULL ? _("expires ") : _("never expires"),
               expires != NULL ? expires : "",
               link->has_password ? _(", password needed") : "");
      if (!link->allow_download)
        g_print ("%s\n", _("Guests may look but not download."));
      if (opt_qr != NULL && exit_code == EXIT_OK)
        g_print (_("QR code written to %s\n"), opt_qr);
    }
  g_main_loop_quit (loop);
}

gint
cmd_share (gint    argc,
           gchar **argv)
{
  g_autoptr(PbiEngine) engine = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autofree gchar *password = NULL;
  PbiShareOptions options = { 0 };

  if (!want_args (argc, 0, "share [--expires 7d] [--password PW|-] [--no-download] "
                           "[--qr FILE.png] [--revoke]"))
    return exit_code;
  if (opt_expires != NULL)
    {
      gint64 d = parse_duration (opt_expires);

      if (d > 0)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          expires = g_date_time_add (now, d);
        }
      else
        expires = parse_date (opt_expires);
      if (expires == NULL)
        {
          g_printerr (_("--expires: \"%s\" is neither a duration (30m, 12h, 7d) nor a date "
                        "(2026-12-31 or 2026-12-31 23:00).\n"), opt_expires);
          return EXIT_USAGE;
        }
    }
  if (opt_password != NULL)
    password = g_str_equal (opt_password, "-") ? read_password () : g_strdup (opt_password);
  if (password != NULL && *password != '\0')
    pbi_log_add_secret (password);
  engine = open_engine ();
  if (engine == NULL)
    return exit_code;
  if (opt_revoke)
    pbi_engine_revoke_share_async (engine, NULL, revoke_cb, NULL);
  else
    {
      options.expires_at = expires;
      options.password = password;
      options.no_download = opt_no_download;
      pbi_engine_share_async (engine, &options, NULL, share_cb, NULL);
    }
  g_main_loop_run (loop);
  return exit_code;
}

/* ------------------------------------------------------------------------ */
/* verify                                                                     */

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiVerifyResult) r = NULL;
  g_autofree gchar *photos = NULL;
  g_autofree gchar *on_server = NULL;
  g_autofree gchar *in_album = NULL;
  g_autoptr(GString) fixes = g_string_new (NULL);

  r = pbi_engine_verify_finish (PBI_ENGINE (object), result, &error);
  if (r == NULL)
    {
      g_printerr (_("Cannot verify: %s\n"), error->message);
      exit_code = exit_code_for_error (error);
      g_main_loop_quit (loop);
      return;
    }
  photos = thousands (r->photos);
  on_server = thousands (r->on_server);
  in_album = thousands (r->in_album);
  if (r->added_back > 0)
    g_string_append_printf (fixes, _(", %u added back"), r->added_back);
  if (r->restored > 0)
    g_string_append_printf (fixes, _(", %u restored from the trash"), r->restored);
  if (r->requeued > 0)
    g_string_append_printf (fixes, _(", %u sent again"), r->requeued);
  if (r->unsent > 0)
    g_string_append_printf (fixes, _(", %u sent for the first time"), r->unsent);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "photos");
      json_builder_add_int_value (b, r->photos);
      json_builder_set_member_name (b, "onServer");
      json_builder_add_int_value (b, r->on_server);
      json_builder_set_member_name (b, "inAlbum");
      json_builder_add_int_value (b, r->in_album);
      json_builder_set_member_name (b, "addedBack");
      json_builder_add_int_value (b, r->added_back);
      json_builder_set_member_name (b, "restored");
      json_builder_add_int_value (b, r->restored);
      json_builder_set_member_name (b, "requeued");
      json_builder_add_int_value (b, r->requeued);
      json_builder_set_member_name (b, "unsent");
      json_builder_add_int_value (b, r->unsent);
      json_builder_set_member_name (b, "stillMissing");
      json_builder_add_int_value (b, r->still_missing);
      json_builder_end_object (b);
      print_json (b);
    }
  else
    {
      g_print (_("%s photos: %s on the server, %s in the album%s\n"), photos, on_server,
               in_album, fixes->str);
      if (r->still_missing > 0)
        g_print (_("%u photo(s) are still not in place; they stay queued. Run "
                   "\"photobooth-immich sync\", then verify again.\n"), r->still_missing);
      else
        g_print ("%s\n", _("Everything is in place."));
    }
  exit_code = r->still_missing == 0 ? EXIT_OK : EXIT_SOME_FAILED;
  g_main_loop_quit (loop);
}

gint
cmd_verify (gint    argc,
            gchar **argv)
{
  g_autoptr(PbiEngine) engine = NULL;

  if (!want_args (argc, 1, "verify [DIR]"))
    return exit_code;
  engine = open_engine ();
  if (engine == NULL)
    return exit_code;
  pbi_engine_verify_async (engine, argc > 1 ? argv[1] : NULL, NULL, verify_cb, NULL);
  g_main_loop_run (loop);
  return exit_code;
}

/* ------------------------------------------------------------------------ */
/* report                                                                     */

static gchar *
format_time (gint64 when_us)
{
  g_autoptr(GDateTime) t = NULL;

  if (when_us <= 0)
    return g_strdup ("");
  t = g_date_time_new_from_unix_local (when_us / G_USEC_PER_SEC);
  return g_date_time_format (t, "%Y-%m-%d %H:%M:%S");
}

static void
print_report_json (PbiEventReport *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree gchar *since = format_time (r->since);
  g_autofree gchar *until = format_time (r->until);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, r->event_name);
  json_builder_set_member_name (b, "since");
  json_builder_add_string_value (b, since);
  json_builder_set_member_name (b, "until");
  json_builder_add_string_value (b, until);
  json_builder_set_member_name (b, "captures");
  json_builder_add_int_value (b, r->captures);
  json_builder_set_member_name (b, "uploads");
  json_builder_add_int_value (b, r->uploads);
  json_builder_set_member_name (b, "duplicates");
  json_builder_add_int_value (b, r->duplicates);
  json_builder_set_member_name (b, "failures");
  json_builder_add_int_value (b, r->failures);
  json_builder_set_member_name (b, "pending");
  json_builder_add_int_value (b, r->pending);
  json_builder_set_member_name (b, "bytesSent");
  json_builder_add_int_value (b, r->bytes_sent);
  json_builder_set_member_name (b, "latencyP50Seconds");
  json_builder_add_double_value (b, r->latency_p50_s);
  json_builder_set_member_name (b, "latencyP95Seconds");
  json_builder_add_double_value (b, r->latency_p95_s);
  json_builder_set_member_name (b, "hours");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->hours->len; i++)
    {
      PbiReportHour *h = &g_array_index (r->hours, PbiReportHour, i);
      g_autofree gchar *start = format_time (h->start);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "hour");
      json_builder_add_string_value (b, start);
      json_builder_set_member_name (b, "captures");
      json_builder_add_int_value (b, h->captures);
      json_builder_set_member_name (b, "uploads");
      json_builder_add_int_value (b, h->uploads);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "outages");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->outages->len; i++)
    {
      PbiReportOutage *o = g_ptr_array_index (r->outages, i);
      g_autofree gchar *start = format_time (o->start);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "start");
      json_builder_add_string_value (b, start);
      json_builder_set_member_name (b, "startUnix");
      json_builder_add_double_value (b, o->start / (gdouble) G_USEC_PER_SEC);
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, o->length_s);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, o->state);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, o->message);
      json_builder_set_member_name (b, "ongoing");
      json_builder_add_boolean_value (b, o->ongoing);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  print_json (b);
}

static void
print_report_text (PbiEventReport *r)
{
  g_autofree gchar *since = format_time (r->since);
  g_autofree gchar *sent = g_format_size (r->bytes_sent);

  g_print (_("Event:       %s\n"), r->event_name != NULL ? r->event_name : _("(none started)"));
  g_print (_("Since:       %s\n"), r->since > 0 ? since : _("the first photo"));
  g_print (_("Captures:    %u\n"), r->captures);
  g_print (_("Uploads:     %u\n"), r->uploads);
  g_print (_("Duplicates:  %u\n"), r->duplicates);
  g_print (_("Failures:    %u\n"), r->failures);
  g_print (_("Pending:     %u\n"), r->pending);
  g_print (_("Bytes sent:  %s\n"), sent);
  if (r->latency_p50_s >= 0)
    g_print (_("Capture to server: %.1f s median, %.1f s p95\n"), r->latency_p50_s,
             r->latency_p95_s);
  g_print ("%s\n", _("Per hour (captures / uploads):"));
  for (guint i = 0; i < r->hours->len; i++)
    {
      PbiReportHour *h = &g_array_index (r->hours, PbiReportHour, i);
      g_autofree gchar *start = format_time (h->start);

      g_print ("  %.16s  %5u / %u\n", start, h->captures, h->uploads);
    }
  if (r->outages->len == 0)
    g_print ("%s\n", _("Outages: none"));
  else
    g_print (_("Outages: %u\n"), r->outages->len);
  for (guint i = 0; i < r->outages->len; i++)
    {
      PbiReportOutage *o = g_ptr_array_index (r->outages, i);
      g_autofree gchar *start = format_time (o->start);

      g_print ("  %s  %.0f s%s  %s%s%s\n", start, o->length_s, o->ongoing ? _(" (ongoing)") : "",
               o->state, o->message != NULL ? ": " : "", o->message != NULL ? o->message : "");
    }
}

static void
print_report_csv (PbiEventReport *r)
{
  g_print ("hour,captures,uploads\n");
  for (guint i = 0; i < r->hours->len; i++)
    {
      PbiReportHour *h = &g_array_index (r->hours, PbiReportHour, i);
      g_autofree gchar *start = format_time (h->start);

      g_print ("%s,%u,%u\n", start, h->captures, h->uploads);
    }
}

gint
cmd_report (gint    argc,
            gchar **argv)
{
  g_autoptr(PbiEngine) engine = NULL;
  g_autoptr(PbiEventReport) r = NULL;
  g_autoptr(GError) error = NULL;
  gint64 since = 0;

  if (!want_args (argc, 0, "report [--json|--csv] [--since WHEN] [--chart FILE.png]"))
    return exit_code;
  if (opt_since != NULL)
    {
      gint64 ago = parse_duration (opt_since);
      g_autoptr(GDateTime) t = ago > 0 ? NULL : parse_date (opt_since);

      if (ago > 0)
        since = g_get_real_time () - ago;
      else if (t != NULL)
        since = g_date_time_to_unix (t) * G_USEC_PER_SEC;
      else
        {
          g_printerr (_("--since: \"%s\" is neither a time (2026-12-01 18:00) nor a duration "
                        "(3h, 2d).\n"), opt_since);
          return EXIT_USAGE;
        }
      since = MAX (since, 1);
    }
  engine = open_engine ();
  if (engine == NULL)
    return exit_code;
  r = pbi_engine_build_report (engine, since);
  if (opt_json)
    print_report_json (r);
  else if (opt_csv)
    print_report_csv (r);
  else
    print_report_text (r);
  if (opt_chart != NULL)
    {
      if (!pbi_event_report_write_chart (r, opt_chart, &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_SOME_FAILED;
        }
      if (!opt_json && !opt_csv)
        g_print (_("Chart written to %s\n"), opt_chart);
    }
  return EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* new-event                                                                  */

static void
new_event_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *album = NULL;
  gboolean created = FALSE;

  album = pbi_engine_new_event_finish (PBI_ENGINE (object), result, &created, &error);
  if (album == NULL)
    {
      g_printerr (_("Cannot start the event: %s\n"), error->message);
      exit_code = exit_code_for_error (error);
    }
  else
    g_print (_("New event \"%s\": photos now go to the album \"%s\" (%s). Counters start "
               "afresh; earlier events stay in \"photobooth-immich report --since\".\n"),
             album, album, created ? _("made") : _("found"));
  g_main_loop_quit (loop);
}

gint
cmd_new_event (gint    argc,
               gchar **argv)
{
  g_autoptr(PbiEngine) engine = NULL;

  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: photobooth-immich new-event NAME (\"{date}\" becomes today, "
                            "e.g. \"Wedding {date}\")"));
      return EXIT_USAGE;
    }
  engine = open_engine ();
  if (engine == NULL)
    return exit_code;
  pbi_engine_new_event_async (engine, argv[1], NULL, new_event_cb, NULL);
  g_main_loop_run (loop);
  return exit_code;
}
