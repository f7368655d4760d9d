/* pbi-cli.c: photobooth-immich, the headless command-line tool
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pbi-cli-private.h"
#include "pbi-engine-private.h"
#include "pbi-immich-client.h"
#include "pbi-instance-lock.h"
#include "pbi-log.h"
#include "pbi-store.h"

typedef struct
{
  const gchar *name;
  const gchar *args;
  const gchar *summary;
  gint       (*run) (gint argc, gchar **argv);
} Command;

static gchar    *opt_database;
static gchar    *opt_server;
static gchar    *opt_album;
static gboolean  opt_verbose;
gboolean         opt_json;
static gboolean  opt_version;

static GOptionEntry global_entries[] = {
  { "database", 'd', 0, G_OPTION_ARG_FILENAME, &opt_database,
    N_("The database (default: ~/.local/share/photobooth-immich-sync/sync.db, or $PHOTOBOOTH_IMMICH_DATABASE)"),
    N_("PATH") },
  { "server", 's', 0, G_OPTION_ARG_STRING, &opt_server,
    N_("Immich server address for this run (default: the immich_server_url setting, or $IMMICH_INSTANCE_URL)"),
    N_("URL") },
  { "album", 'a', 0, G_OPTION_ARG_STRING, &opt_album,
    N_("Album for this run (default: the immich_album_name setting)"), N_("NAME") },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, N_("Show debug detail"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON (albums, status, check, share, verify, report)"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, N_("Print the version and exit"), NULL },
  { NULL }
};

GMainLoop *loop;
gint exit_code;
static gboolean is_tty;

/* ------------------------------------------------------------------------ */
/* Main-loop stall probe for benchmarks: PBI_STALL_REPORT=FILE makes the tool
 * tick every 5 ms and write the longest gap between ticks (beyond the 5 ms)
 * to FILE as JSON when it exits. */

#define STALL_TICK_MS 5

static gint64 stall_last;
static gint64 stall_max;
static guint64 stall_ticks;
static guint64 stall_over_30ms;

static gboolean
stall_tick_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 gap = now - stall_last - STALL_TICK_MS * 1000;

  if (stall_last != 0)
    {
      stall_max = MAX (stall_max, gap);
      stall_ticks++;
      if (gap > 30000)
        stall_over_30ms++;
    }
  stall_last = now;
  return G_SOURCE_CONTINUE;
}

static void
stall_probe_report (void)
{
  const gchar *file = g_getenv ("PBI_STALL_REPORT");
  g_autofree gchar *text = NULL;

  if (file == NULL)
    return;
  text = g_strdup_printf ("{\"max_stall_ms\": %.3f, \"ticks\": %" G_GUINT64_FORMAT
                          ", \"stalls_over_30ms\": %" G_GUINT64_FORMAT "}\n",
                          MAX (stall_max, 0) / 1000.0, stall_ticks, stall_over_30ms);
  g_file_set_contents (file, text, -1, NULL);
}

/* ------------------------------------------------------------------------ */

static gchar *
default_log_file (const gchar *database_path)
{
  g_autofree gchar *dir = g_path_get_dirname (database_path);

  return g_build_filename (dir, "photobooth-immich.log", NULL);
}

PbiEngine *
open_engine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiEngine) engine = NULL;
  const gchar *db = opt_database != NULL ? opt_database : g_getenv ("PHOTOBOOTH_IMMICH_DATABASE");
  const gchar *env_url = g_getenv ("IMMICH_INSTANCE_URL");
  const gchar *env_key = g_getenv ("IMMICH_API_KEY");
  g_autofree gchar *db_path = db != NULL ? g_strdup (db) : pbi_store_get_default_path ();
  g_autofree gchar *log_file = default_log_file (db_path);

  pbi_log_add_secret (env_key);
  /* The log first, so what opening the database says (a database made
   * private again) is in it too. */
  pbi_log_init (log_file, opt_verbose);
  engine = pbi_engine_new (db, &error);
  if (engine == NULL)
    {
      g_printerr (_("Error: cannot open the database: %s\n"), error->message);
      exit_code = EXIT_STORE;
      return NULL;
    }

  if (opt_server != NULL || env_url != NULL || env_key != NULL)
    {
      PbiStore *store = _pbi_engine_get_store (engine);
      g_autofree gchar *url = pbi_store_get_setting_string (store, "immich_server_url");
      g_autofree gchar *key = pbi_store_get_setting_string (store, "immich_api_key");

      pbi_engine_set_server_override (engine,
                                      opt_server != NULL ? opt_server : (env_url != NULL ? env_url : url),
                                      env_key != NULL ? env_key : key);
    }
  if (opt_album != NULL)
    pbi_engine_set_album_override (engine, opt_album);
  return g_steal_pointer (&engine);
}

/* --json output: what @builder built, pretty-printed on stdout */
void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree gchar *text = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

gint
exit_code_for_error (const GError *error)
{
  if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL))
    return EXIT_USAGE;
  if (error->domain == PBI_IMMICH_ERROR)
    return EXIT_CONNECTION;
  if (error->domain == PBI_STORE_ERROR)
    return EXIT_STORE;
  return EXIT_SOME_FAILED;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static void
run_loop (void)
{
  guint sigint = g_unix_signal_add (SIGINT, quit_cb, NULL);
  guint sigterm = g_unix_signal_add (SIGTERM, quit_cb, NULL);

  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
}

/* ------------------------------------------------------------------------ */
/* test-connection                                                            */

static void
test_connection_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *report = NULL;

  report = pbi_engine_test_connection_finish (PBI_ENGINE (object), result, &error);
  if (report == NULL)
    {
      g_printerr (_("Connection failed: %s\n"), error->message);
      exit_code = exit_code_for_error (error);
    }
  else
    g_print ("%s\n%s\n", _("Connection to Immich server successful"), report);
  g_main_loop_quit (loop);
}

/* The shape of pbi_engine_test_connection_async and pbi_engine_list_albums_async */
typedef void (*EngineCall) (PbiEngine           *engine,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);

/* Opens the engine, makes @call and runs the loop until @done quits it. */
static gint
run_engine_call (EngineCall          call,
                 GAsyncReadyCallback done)
{
  g_autoptr(PbiEngine) engine = open_engine ();

  if (engine == NULL)
    return exit_code;
  call (engine, NULL, done, NULL);
  g_main_loop_run (loop);
  return exit_code;
}

static gint
cmd_test_connection (gint    argc,
                     gchar **argv)
{
  return run_engine_call (pbi_engine_test_connection_async, test_connection_cb);
}

/* ------------------------------------------------------------------------ */
/* albums                                                                     */

static void
albums_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) albums = NULL;

  albums = pbi_engine_list_albums_finish (PBI_ENGINE (object), result, &error);
  if (albums == NULL)
    {
      g_printerr (_("Cannot list albums: %s\n"), error->message);
      exit_code = exit_code_for_error (error);
      g_main_loop_quit (loop);
      return;
    }

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < albums->len; i++)
        {
          PbiImmichAlbum *album = g_ptr_array_index (albums, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, album->id);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, album->name);
          json_builder_set_member_name (builder, "assetCount");
          json_builder_add_int_value (builder, album->asset_count);
          json_builder_set_member_name (builder, "shared");
          json_builder_add_boolean_value (builder, album->shared);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      print_json (builder);
    }
  else if (albums->len == 0)
    g_print ("%s\n", _("No albums on the server yet."));
  else
    for (guint i = 0; i < albums->len; i++)
      {
        PbiImmichAlbum *album = g_ptr_array_index (albums, i);
        g_print ("%-40s %6u photos%s\n", album->name, album->asset_count,
                 album->shared ? _("  (shared)") : "");
      }
  g_main_loop_quit (loop);
}

static gint
cmd_albums (gint    argc,
            gchar **argv)
{
  return run_engine_call (pbi_engine_list_albums_async, albums_cb);
}

/* ------------------------------------------------------------------------ */
/* sync, sync-file: progress                                                  */

typedef struct
{
  PbiEngine  *engine;
  gint64      last_plain;
  gboolean    drawn;
  GHashTable *failures;     /* path → why, for the photos that failed in this run */
  gboolean    notice_changed;
} Progress;

static void
on_file_state_changed (PbiEngine   *engine,
                       const gchar *path,
                       gint         state,
                       const gchar *error,
                       Progress    *progress)
{
  if (state == PBI_FILE_STATE_FAILED || state == PBI_FILE_STATE_REJECTED)
    g_hash_table_replace (progress->failures, g_strdup (path),
                          g_strdup (error != NULL ? error : _("no reason given")));
  else if (state == PBI_FILE_STATE_DONE || state == PBI_FILE_STATE_DUPLICATE)
    g_hash_table_remove (progress->failures, path);
}

static void
on_album_notice (GObject    *object,
                 GParamSpec *pspec,
                 Progress   *progress)
{
  progress->notice_changed = TRUE;
}

static gchar *
format_eta (gdouble seconds)
{
  guint s;

  /* unknown (negative, NaN) or silly: no cast of it (undefined behaviour) */
  if (!(seconds >= 0) || seconds > 100 * 3600)
    return g_strdup ("--:--");
  s = (guint) seconds;
  if (s >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", s / 3600, (s / 60) % 60, s % 60);
  return g_strdup_printf ("%u:%02u", s / 60, s % 60);
}

static void
on_progress (GObject    *object,
             GParamSpec *pspec,
             Progress   *progress)
{
  gint64 files_total, files_done, bytes_total, bytes_done;
  gdouble rate, eta;
  g_autofree gchar *eta_text = NULL;
  g_autofree gchar *rate_text = NULL;

  g_object_get (object,
                "bulk-files-total", &files_total, "bulk-files-done", &files_done,
                "bulk-bytes-total", &bytes_total, "bulk-bytes-done", &bytes_done,
                "bulk-rate", &rate, "bulk-eta", &eta, NULL);
  if (files_total == 0)
    return;
  eta_text = format_eta (eta);
  rate_text = g_format_size ((guint64) rate);

  if (is_tty)
    {
      const guint width = 30;
      guint filled = bytes_total > 0 ? (guint) (width * (gdouble) bytes_done / bytes_total)
                                     : (guint) (width * (gdouble) files_done / files_total);
      g_autoptr(GString) bar = g_string_new (NULL);

      for (guint i = 0; i < width; i++)
        g_string_append_c (bar, i < filled ? '#' : '-');
      g_printerr ("\r[%s] %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " photos  %s/s  ETA %s   ",
                  bar->str, files_done, files_total, rate_text, eta_text);
      progress->drawn = TRUE;
    }
  else
    {
      gint64 now = g_get_monotonic_time ();

      if (now - progress->last_plain < 5 * G_USEC_PER_SEC && files_done < files_total)
        return;
      progress->last_plain = now;
      g_print (_("Progress: %u of %u photos, %s/s, ETA %s\n"),
               (guint) files_done, (guint) files_total, rate_text, eta_text);
    }
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
print_summary (PbiEngine            *engine,
               const PbiSyncSummary *summary,
               Progress             *progress)
{
  const gchar *notice = pbi_engine_get_album_notice (engine);

  if (progress != NULL && progress->notice_changed && notice != NULL)
    g_printerr (_("Note: %s\n"), notice);
  g_print (_("%u uploaded, %u duplicates, %u failed, %u already synced\n"),
           summary->uploaded, summary->duplicates, summary->failed, summary->skipped);
  if (progress != NULL && g_hash_table_size (progress->failures) > 0)
    {
      g_autoptr(GPtrArray) paths = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;
      const guint max = 20;

      /* g_hash_table_get_keys_as_ptr_array is GLib 2.76; Debian 12 has 2.74 */
      g_hash_table_iter_init (&iter, progress->failures);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (paths, key);

      g_ptr_array_sort (paths, compare_strings);
      g_printerr (_("Not synced:\n"));
      for (guint i = 0; i < paths->len && i < max; i++)
        g_printerr ("  %s: %s\n", (const gchar *) g_ptr_array_index (paths, i),
                    (const gchar *) g_hash_table_lookup (progress->failures,
                                                         g_ptr_array_index (paths, i)));
      if (paths->len > max)
        g_printerr (_("  and %u more (photobooth-immich status lists them)\n"), paths->len - max);
    }
  if (summary->failed > 0 || summary->queued > 0)
    {
      PbiConnectionState state = pbi_engine_get_connection_state (engine);
      const gchar *message = pbi_engine_get_connection_message (engine);

      if (message != NULL && state != PBI_CONNECTION_CONNECTED)
        g_printerr (_("Error: %s\n"), message);
      /* queued: nothing is wrong with the photos, the server was not there;
       * retry-failed would change nothing for them */
      if (summary->queued > 0 && state == PBI_CONNECTION_OFFLINE)
        g_print (g_dngettext (GETTEXT_PACKAGE,
                              "%u queued: the server did not answer; it is sent when the "
                              "server answers (by a running watch, or the next sync).\n",
                              "%u queued: the server did not answer; they are sent when the "
                              "server answers (by a running watch, or the next sync).\n",
                              summary->queued), summary->queued);
      else if (summary->queued > 0 && (state == PBI_CONNECTION_ERROR ||
                                        state == PBI_CONNECTION_UNCONFIGURED))
        g_print (g_dngettext (GETTEXT_PACKAGE,
                              "%u queued: it is sent once the problem above is fixed.\n",
                              "%u queued: they are sent once the problem above is fixed.\n",
                              summary->queued), summary->queued);
      else if (summary->queued > 0)
        g_print (g_dngettext (GETTEXT_PACKAGE,
                              "%u queued: it is sent by a running watch or the next sync.\n",
                              "%u queued: they are sent by a running watch or the next sync.\n",
                              summary->queued), summary->queued);
      if (summary->failed > 0)
        g_printerr (_("Failed photos stay queued; run \"photobooth-immich retry-failed\" or "
                      "\"photobooth-immich status\" to see why.\n"));
      if (state == PBI_CONNECTION_OFFLINE || state == PBI_CONNECTION_ERROR ||
          state == PBI_CONNECTION_UNCONFIGURED)
        exit_code = state == PBI_CONNECTION_UNCONFIGURED ? EXIT_USAGE : EXIT_CONNECTION;
      else
        exit_code = EXIT_SOME_FAILED;
    }
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Progress *progress = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiSyncSummary) summary = NULL;

  if (g_task_get_source_tag (G_TASK (result)) == pbi_engine_sync_folder_async)
    summary = pbi_engine_sync_folder_finish (PBI_ENGINE (object), result, &error);
  else
    summary = pbi_engine_sync_files_finish (PBI_ENGINE (object), result, &error);
  pbi_log_set_quiet (FALSE);
  if (progress->drawn)
    g_printerr ("\n");
  if (summary == NULL)
    {
      g_printerr (_("Error: %s\n"), error->message);
      exit_code = EXIT_USAGE;
    }
  else
    print_summary (PBI_ENGINE (object), summary, progress);
  g_main_loop_quit (loop);
}

/* Follows @engine's sync on the terminal (logs quiet on a terminal unless
 * --verbose) until progress_run() returns. */
static void
progress_begin (Progress  *progress,
                PbiEngine *engine)
{
  progress->engine = engine;
  progress->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (engine, "notify::bulk-files-done", G_CALLBACK (on_progress), progress);
  g_signal_connect (engine, "file-state-changed", G_CALLBACK (on_file_state_changed), progress);
  g_signal_connect (engine, "notify::album-notice", G_CALLBACK (on_album_notice), progress);
  pbi_log_set_quiet (is_tty && !opt_verbose);
}

/* Runs the loop until the sync is done, then stops following it. */
static gint
progress_run (Progress *progress)
{
  run_loop ();
  g_signal_handlers_disconnect_by_data (progress->engine, progress);
  g_hash_table_unref (progress->failures);
  return exit_code;
}

static gint
cmd_sync (gint    argc,
          gchar **argv)
{
  g_autoptr(PbiEngine) engine = open_engine ();
  g_autofree gchar *folder = NULL;
  Progress progress = { 0 };

  if (engine == NULL)
    return exit_code;
  if (argc > 2)
    {
      g_printerr ("%s\n", _("Usage: photobooth-immich sync [DIR]"));
      return EXIT_USAGE;
    }
  if (argc == 2)
    folder = g_strdup (argv[1]);
  else
    {
      PbiStore *store = _pbi_engine_get_store (engine);

      folder = pbi_store_get_setting_string (store, "immich_library_folder");
      if (folder == NULL || *folder == '\0')
        {
          g_free (folder);
          folder = pbi_store_get_setting_string (store, "immich_capture_folder");
        }
      if (folder == NULL || *folder == '\0')
        {
          g_printerr ("%s\n", _("No folder to sync. Name one (photobooth-immich sync /path/to/photos) "
                                "or set it: photobooth-immich config set immich_capture_folder /path/to/photos"));
          return EXIT_USAGE;
        }
    }
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_printerr (_("Error: %s is not a folder\n"), folder);
      return EXIT_USAGE;
    }

  g_message ("Syncing %s to Immich album \"%s\"", folder, pbi_engine_get_album_name (engine));
  progress_begin (&progress, engine);
  pbi_engine_sync_folder_async (engine, folder, NULL, NULL, sync_done_cb, &progress);
  return progress_run (&progress);
}

static gint
cmd_sync_file (gint    argc,
               gchar **argv)
{
  g_autoptr(PbiEngine) engine = open_engine ();
  Progress progress = { 0 };

  if (engine == NULL)
    return exit_code;
  if (argc < 2)
    {
      g_printerr ("%s\n", _("Usage: photobooth-immich sync-file FILE... [--album NAME]"));
      return EXIT_USAGE;
    }
  progress_begin (&progress, engine);
  pbi_engine_sync_files_async (engine, (const gchar * const *) argv + 1, NULL, NULL,
                               sync_done_cb, &progress);
  return progress_run (&progress);
}

/* ------------------------------------------------------------------------ */
/* watch                                                                      */

static gint
cmd_watch (gint    argc,
           gchar **argv)
{
  g_autoptr(PbiEngine) engine = open_engine ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiInstanceLock) lock = NULL;
  PbiStore *store;
  g_autofree gchar *folder = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *key = NULL;

  if (engine == NULL)
    return exit_code;
  if (argc > 2)
    {
      g_printerr ("%s\n", _("Usage: photobooth-immich watch [DIR]"));
      return EXIT_USAGE;
    }
  /* one engine per database: the app or another watch may sync it already */
  lock = pbi_instance_lock_acquire (pbi_engine_get_database_path (engine),
                                    "photobooth-immich watch", &error);
  if (lock == NULL)
    {
      g_printerr (_("Error: %s\n"), error->message);
      return EXIT_STORE;
    }
  store = _pbi_engine_get_store (engine);
  if (argc == 2)
    {
      if (!g_file_test (argv[1], G_FILE_TEST_IS_DIR))
        {
          g_printerr (_("Error: %s is not a folder\n"), argv[1]);
          return EXIT_USAGE;
        }
      pbi_engine_set_watch_folder (engine, argv[1]);
      folder = g_strdup (argv[1]);
    }
  else
    folder = pbi_store_get_setting_string (store, "immich_capture_folder");

  url = pbi_store_get_setting_string (store, "immich_server_url");
  key = pbi_store_get_setting_string (store, "immich_api_key");
  if ((url == NULL || *url == '\0') && opt_server == NULL && g_getenv ("IMMICH_INSTANCE_URL") == NULL)
    g_message ("Not configured yet: set the Immich server with "
               "photobooth-immich --database %s config set immich_server_url https://immich.example.com",
               pbi_engine_get_database_path (engine));
  if ((key == NULL || *key == '\0') && g_getenv ("IMMICH_API_KEY") == NULL)
    g_message ("Not configured yet: set the API key (Immich → Account Settings → API Keys) with "
               "photobooth-immich --database %s config set immich_api_key -   (reads it from standard input)",
               pbi_engine_get_database_path (engine));
  if (!pbi_store_get_setting_boolean (store, "immich_enabled"))
    g_message ("Sync is disabled: captures are queued but not uploaded until you run "
               "photobooth-immich --database %s config set immich_enabled true",
               pbi_engine_get_database_path (engine));
  if (folder == NULL || *folder == '\0')
    g_message ("No capture folder set: run photobooth-immich watch DIR, or "
               "photobooth-immich --database %s config set immich_capture_folder /path/to/captures",
               pbi_engine_get_database_path (engine));
  g_message ("Settings changed in the database (also with the sqlite3 shell) take effect at once; "
             "press Ctrl+C to stop.");

  if (!pbi_engine_start (engine, &error))
    {
      g_printerr (_("Error: %s\n"), error->message);
      return EXIT_USAGE;
    }
  run_loop ();
  g_message ("Stopped watching; queued photos are sent on the next start.");
  pbi_engine_stop (engine);
  return EXIT_OK;
}

/* ------------------------------------------------------------------------ */

static const Command commands[] = {
  { "test-connection", "", N_("Check the server address, the API key and its permissions"), cmd_test_connection },
  { "albums", "[--json]", N_("List the albums on the server"), cmd_albums },
  { "sync", "[DIR]", N_("Sync every photo in DIR (default: the library or capture folder)"), cmd_sync },
  { "sync-file", "FILE... [--album NAME]", N_("Sync the named photos"), cmd_sync_file },
  { "watch", "[DIR]", N_("Watch DIR (default: the capture folder) and sync each new capture"), cmd_watch },
  { "status", "[--json]", N_("Show counts, the last sync and failed photos"), cmd_status },
  { "retry-failed", "", N_("Put failed photos back in the queue"), cmd_retry_failed },
  { "config", "list | get KEY | set KEY VALUE", N_("Show or change settings"), cmd_config },
  { "check", "[--json] [--burst SECONDS]", N_("Readiness for an event: server, permissions, album, upload speed, free space, clock (exit 0 ready, 1 warnings, 3 not ready)"), cmd_check },
  { "share", "[--expires 7d] [--password PW|-] [--no-download] [--qr FILE.png] [--revoke]", N_("Make (or show, or revoke) the guest link of the event album, with its QR code"), cmd_share },
  { "verify", "[DIR]", N_("Check the photos against the server and the album, fix what is off (exit 0: all in place)"), cmd_verify },
  { "report", "[--json|--csv] [--since WHEN] [--chart FILE.png]", N_("The event in figures: captures, uploads, latency, outages"), cmd_report },
  { "new-event", "NAME", N_("Start a new event: switch the album (\"{date}\" becomes today) and start the counters afresh"), cmd_new_event },
};

static const gchar *exit_codes_text =
  N_("Exit codes: 0 success; 1 some photos failed (they stay queued); 2 usage or setup error;\n"
     "3 cannot connect or the server refused the API key; 4 database error.\n"
     "Environment: IMMICH_INSTANCE_URL and IMMICH_API_KEY (as the official Immich CLI reads them),\n"
     "PHOTOBOOTH_IMMICH_DATABASE.");

static gchar *
commands_help (void)
{
  g_autoptr(GString) s = g_string_new (_("Commands:\n"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree gchar *head = g_strdup_printf ("%s %s", commands[i].name, commands[i].args);
      g_string_append_printf (s, "  %-44s %s\n", head, _(commands[i].summary));
    }
  g_string_append_printf (s, "\n%s", _(exit_codes_text));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *param = NULL;
  g_autofree gchar *description = NULL;
  const Command *command = NULL;
  gint rc;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  is_tty = isatty (2);
  /* lines with date and time on stderr until the database names a log file */
  pbi_log_init (NULL, FALSE);

  /* the command is the first word that is not an option or an option's value */
  for (gint i = 1; i < argc && command == NULL; i++)
    {
      if (argv[i][0] == '-')
        {
          if (strchr (argv[i], '=') == NULL &&
              (g_str_equal (argv[i], "--database") || g_str_equal (argv[i], "-d") ||
               g_str_equal (argv[i], "--server") || g_str_equal (argv[i], "-s") ||
               g_str_equal (argv[i], "--album") || g_str_equal (argv[i], "-a")))
            i++;
          continue;
        }
      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        if (g_str_equal (argv[i], commands[c].name))
          command = &commands[c];
      if (command == NULL)
        {
          g_printerr (_("Unknown command \"%s\". Run photobooth-immich --help for the list.\n"),
                      argv[i]);
          return EXIT_USAGE;
        }
    }

  if (command != NULL)
    {
      param = g_strdup_printf ("%s %s", command->name, command->args);
      description = g_strdup_printf ("%s\n\n%s", _(command->summary), _(exit_codes_text));
    }
  else
    {
      param = g_strdup (_("COMMAND [ARGS…]"));
      description = commands_help ();
    }
  context = g_option_context_new (param);
  g_option_context_set_summary (context, _("Back up photobooth photos to an Immich server."));
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
  if (command != NULL && cli_event_entries (command->name) != NULL)
    g_option_context_add_main_entries (context, cli_event_entries (command->name),
                                       GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n%s\n", error->message, _("Run photobooth-immich --help for usage."));
      return EXIT_USAGE;
    }
  if (opt_version)
    {
      g_print ("photobooth-immich %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  if (command == NULL)
    {
      g_autofree gchar *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return EXIT_USAGE;
    }

  /* drop the program name; argv[0] is now the command */
  loop = g_main_loop_new (NULL, FALSE);
  for (gint i = 1; i < argc; i++)
    if (g_str_equal (argv[i], command->name))
      {
        memmove (&argv[i], &argv[i + 1], sizeof (gchar *) * (argc - i));
        argc--;
        break;
      }
  argv[0] = (gchar *) command->name;
  if (g_getenv ("PBI_STALL_REPORT") != NULL)
    g_timeout_add_full (G_PRIORITY_HIGH, STALL_TICK_MS, stall_tick_cb, NULL, NULL);
  rc = command->run (argc, argv);
  stall_probe_report ();
  g_main_loop_unref (loop);
  return rc;
}
