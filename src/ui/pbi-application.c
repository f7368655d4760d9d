/* pbi-application.c: the app (one instance, options, actions, engine)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One process per desktop session (GApplication uniqueness): a second
 * launch hands its command line to the first, which raises its window, or
 * refuses when it names another database. One engine per database, across
 * programs: the engine starts only with the database's instance lock; when
 * another process (photobooth-immich watch, say) holds it, the window shows
 * the status read-only and says who syncs.
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gexiv2/gexiv2.h>

#include "pbi-application.h"
#include "pbi-bench.h"
#include "pbi-engine-private.h"
#include "pbi-event-summary-page.h"
#include "pbi-instance-lock.h"
#include "pbi-kiosk.h"
#include "pbi-new-event-dialog.h"
#include "pbi-preferences-window.h"
#include "pbi-readiness-page.h"
#include "pbi-settings-backend.h"
#include "pbi-window.h"

struct _PbiApplication
{
  AdwApplication   parent_instance;

  PbiEngine       *engine;          /* (owned) (nullable) until the first command line */
  GSettings       *settings;        /* (owned) (nullable) */
  PbiInstanceLock *lock;            /* (owned) (nullable) none when read-only */
  gchar           *read_only;       /* (owned) (nullable) who syncs instead */
  gchar           *database;        /* (owned) (nullable) as asked for */
  guint            inhibit_cookie;
  guint            screenshot_tries;
  gboolean         kiosk_option;
  gboolean         kiosk;
};

#define RESOURCE_PATH "/io/github/photobooth/ImmichSync/ui/"

G_DEFINE_FINAL_TYPE (PbiApplication, pbi_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "database", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("The database (default: ~/.local/share/photobooth-immich-sync/sync.db, "
       "or $PHOTOBOOTH_IMMICH_DATABASE)"),
    N_("PATH") },
  { "kiosk", 'k', 0, G_OPTION_ARG_NONE, NULL,
    N_("Run full screen as the booth’s status display; preferences and quit need the PIN"),
    NULL },
  { NULL }
};

PbiEngine *
pbi_application_get_engine (PbiApplication *self)
{
  g_return_val_if_fail (PBI_IS_APPLICATION (self), NULL);
  return self->engine;
}

GSettings *
pbi_application_get_settings (PbiApplication *self)
{
  g_return_val_if_fail (PBI_IS_APPLICATION (self), NULL);
  return self->settings;
}

gboolean
pbi_application_get_kiosk (PbiApplication *self)
{
  g_return_val_if_fail (PBI_IS_APPLICATION (self), FALSE);
  return self->kiosk;
}

/**
 * pbi_application_get_read_only_reason:
 * @self: the app
 *
 * Returns: (nullable): why the app only shows the status (another process
 *   syncs the database), or %NULL when its engine runs
 */
const gchar *
pbi_application_get_read_only_reason (PbiApplication *self)
{
  g_return_val_if_fail (PBI_IS_APPLICATION (self), NULL);
  return self->read_only;
}

static GtkWindow *
main_window (PbiApplication *self)
{
  return gtk_application_get_active_window (GTK_APPLICATION (self));
}

/* ------------------------------------------------------------------------ */
/* Main-loop stall probe for tests and benchmarks, as in the CLI:
 * PBI_STALL_REPORT=FILE ticks every 5 ms and writes the longest gap between
 * ticks (beyond the 5 ms) to FILE as JSON when the app quits, and on
 * SIGUSR2, which also starts it anew. */

#define STALL_TICK_MS 5

static gint64 stall_last;
static gint64 stall_max;
static guint64 stall_ticks;
static guint64 stall_over_50ms;

static gboolean
stall_tick_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 gap = now - stall_last - STALL_TICK_MS * 1000;

  if (stall_last != 0)
    {
      stall_max = MAX (stall_max, gap);
      stall_ticks++;
      pbi_bench_stall (now, gap);
      if (gap > 50000)
        {
          stall_over_50ms++;
          g_debug ("Main loop stalled %.0f ms", gap / 1000.0);
        }
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
                          ", \"stalls_over_50ms\": %" G_GUINT64_FORMAT "}\n",
                          MAX (stall_max, 0) / 1000.0, stall_ticks, stall_over_50ms);
  g_file_set_contents (file, text, -1, NULL);
}

/* SIGUSR2 writes the report so far and starts anew: a test brackets what
 * it measures (a scroll, say) with two of them. It also writes the
 * PBI_BENCH_FRAMES records (which are kept, with their times). */
static gboolean
on_sigusr2_cb (gpointer user_data)
{
  stall_probe_report ();
  pbi_bench_write ();
  stall_last = 0;
  stall_max = 0;
  stall_ticks = 0;
  stall_over_50ms = 0;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm_cb (gpointer user_data)
{
  /* a clean stop: the engine flushes its queue, the probe reports */
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------ */
/* kiosk                                                                      */

static void
apply_kiosk (PbiApplication *self)
{
  gboolean kiosk = self->kiosk_option ||
                   (self->settings != NULL &&
                    g_settings_get_boolean (self->settings, "kiosk-mode"));
  GtkWindow *window = main_window (self);

  self->kiosk = kiosk;
  if (window != NULL && PBI_IS_WINDOW (window))
    pbi_window_set_kiosk (PBI_WINDOW (window), kiosk);
  if (kiosk && self->inhibit_cookie == 0 && window != NULL)
    self->inhibit_cookie = gtk_application_inhibit (GTK_APPLICATION (self), window,
                                                    GTK_APPLICATION_INHIBIT_IDLE,
                                                    _("The photo booth shows its sync status"));
  else if (!kiosk && self->inhibit_cookie != 0)
    {
      gtk_application_uninhibit (GTK_APPLICATION (self), self->inhibit_cookie);
      self->inhibit_cookie = 0;
    }
}

static void
on_kiosk_setting_cb (PbiApplication *self)
{
  apply_kiosk (self);
}

/* Runs @func now, or after the PIN in kiosk mode. */
static void
unlocked_then (PbiApplication       *self,
               PbiKioskUnlockedFunc  func)
{
  if (!self->kiosk)
    {
      func (g_object_ref (self));
      g_object_unref (self);
      return;
    }
  pbi_kiosk_require_pin (main_window (self), self->settings, func, g_object_ref (self),
                         g_object_unref);
}

/* ------------------------------------------------------------------------ */
/* actions                                                                    */

/* The preferences. Until the preferences window (PbiPreferencesWindow) is
 * merged, an empty AdwPreferencesWindow. */
static void
show_preferences (gpointer user_data)
{
  PbiApplication *self = user_data;
  GtkWidget *window = pbi_preferences_window_new (main_window (self), self->engine,
                                                  self->settings);

  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_present (GTK_WINDOW (window));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  unlocked_then (PBI_APPLICATION (user_data), show_preferences);
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  PbiApplication *self = user_data;
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *window;

  builder = gtk_builder_new_from_resource (RESOURCE_PATH "pbi-shortcuts-window.ui");
  window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  gtk_window_set_transient_for (window, main_window (self));
  gtk_window_present (window);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  PbiApplication *self = user_data;
  static const gchar *developers[] = { "The PhotoBooth Immich Sync authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", main_window (self),
                        "application-icon", APP_ID,
                        "application-name", _("PhotoBooth Immich Sync"),
                        "developer-name", _("The PhotoBooth Immich Sync authors"),
                        "version", PACKAGE_VERSION,
                        "comments",
                        _("Backs up every photo the photo booth takes to your Immich server."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "copyright", "© 2026 The PhotoBooth Immich Sync authors",
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
do_quit (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  unlocked_then (PBI_APPLICATION (user_data), do_quit);
}

/* The event pages (issue 11): readiness before, summary after, a new
 * event; in kiosk mode behind the PIN like the preferences. */
static void
show_readiness (gpointer user_data)
{
  PbiApplication *self = user_data;

  if (PBI_IS_WINDOW (main_window (self)))
    pbi_window_show_page (PBI_WINDOW (main_window (self)), "readiness",
                          pbi_readiness_page_new (self->engine));
}

static void
check_readiness_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  unlocked_then (PBI_APPLICATION (user_data), show_readiness);
}

static void
show_event_summary (gpointer user_data)
{
  PbiApplication *self = user_data;

  if (PBI_IS_WINDOW (main_window (self)))
    pbi_window_show_page (PBI_WINDOW (main_window (self)), "event-summary",
                          pbi_event_summary_page_new (self->engine));
}

static void
event_summary_activated (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  unlocked_then (PBI_APPLICATION (user_data), show_event_summary);
}

static void
show_new_event (gpointer user_data)
{
  PbiApplication *self = user_data;

  pbi_new_event_dialog_present (main_window (self), self->engine);
}

static void
new_event_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  unlocked_then (PBI_APPLICATION (user_data), show_new_event);
}

static const GActionEntry app_actions[] = {
  { "check-readiness", check_readiness_activated },
  { "event-summary", event_summary_activated },
  { "new-event", new_event_activated },
  { "preferences", preferences_activated },
  { "shortcuts", shortcuts_activated },
  { "about", about_activated },
  { "quit", quit_activated },
};

/* In kiosk mode closing the window is quitting: it needs the PIN too. */
static gboolean
on_close_request_cb (GtkWindow      *window,
                     PbiApplication *self)
{
  if (!self->kiosk)
    return FALSE;
  unlocked_then (self, do_quit);
  return TRUE;
}

/* PBI_SCREENSHOT=FILE: on SIGUSR1 the window is saved to FILE (tests, docs);
 * tried again on the next frames while GTK has nothing drawn yet. */
static gboolean
try_screenshot_cb (gpointer user_data)
{
  PbiApplication *self = user_data;
  const gchar *path = g_getenv ("PBI_SCREENSHOT");
  GtkWindow *window = main_window (self);
  g_autoptr(GError) error = NULL;

  if (path == NULL || window == NULL || !PBI_IS_WINDOW (window))
    return G_SOURCE_REMOVE;
  if (pbi_window_save_screenshot (PBI_WINDOW (window), path, &error))
    {
      self->screenshot_tries = 0;
      return G_SOURCE_REMOVE;
    }
  if (++self->screenshot_tries < 50)
    {
      gtk_widget_queue_draw (GTK_WIDGET (window));
      return G_SOURCE_CONTINUE;
    }
  g_message ("No screenshot: %s", error->message);
  self->screenshot_tries = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
on_sigusr1_cb (gpointer user_data)
{
  PbiApplication *self = user_data;

  if (self->screenshot_tries == 0)
    {
      self->screenshot_tries = 1;
      g_timeout_add (100, try_screenshot_cb, self);
    }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------ */

static gboolean
open_database (PbiApplication           *self,
               GApplicationCommandLine  *cmdline,
               const gchar              *database)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiEngine) engine = NULL;
  g_autoptr(GSettings) settings = NULL;

  engine = pbi_engine_new (database, &error);
  if (engine == NULL)
    {
      g_application_command_line_printerr (cmdline, _("Error: cannot open the database: %s\n"),
                                           error->message);
      return FALSE;
    }
  settings = pbi_settings_backend_new_settings (_pbi_engine_get_store (engine), &error);
  if (settings == NULL)
    {
      g_application_command_line_printerr (cmdline, _("Error: %s\n"), error->message);
      return FALSE;
    }
  self->lock = pbi_instance_lock_acquire (pbi_engine_get_database_path (engine),
                                          "photobooth-immich-sync", &error);
  if (self->lock == NULL)
    {
      /* someone else syncs: show what they do, start nothing */
      self->read_only = g_strdup (error->message);
      g_message ("%s; showing its status read-only", error->message);
      g_application_command_line_printerr (cmdline, "%s\n", error->message);
    }
  else if (!pbi_engine_start (engine, &error))
    {
      g_application_command_line_printerr (cmdline, _("Error: %s\n"), error->message);
      return FALSE;
    }
  self->engine = g_steal_pointer (&engine);
  self->settings = g_steal_pointer (&settings);
  self->database = g_strdup (pbi_engine_get_database_path (self->engine));
  g_signal_connect_object (self->settings, "changed::kiosk-mode",
                           G_CALLBACK (on_kiosk_setting_cb), self, G_CONNECT_SWAPPED);
  return TRUE;
}

static gint
pbi_application_command_line (GApplication            *app,
                              GApplicationCommandLine *cmdline)
{
  PbiApplication *self = PBI_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree gchar *database = NULL;
  g_autofree gchar *resolved = NULL;
  gboolean kiosk = FALSE;
  PbiWindow *window;

  if (!g_variant_dict_lookup (options, "database", "^ay", &database))
    database = g_strdup (g_application_command_line_getenv (cmdline, "PHOTOBOOTH_IMMICH_DATABASE"));
  if (database != NULL && *database == '\0')
    g_clear_pointer (&database, g_free);
  g_variant_dict_lookup (options, "kiosk", "b", &kiosk);

  if (self->engine != NULL)
    {
      /* a second launch: same database raises the window, another is refused */
      if (database != NULL)
        {
          g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline,
                                                                                 database);
          resolved = g_file_get_path (file);
        }
      else
        resolved = pbi_store_get_default_path ();
      if (g_strcmp0 (resolved, self->database) != 0)
        {
          g_application_command_line_printerr (cmdline,
                                               _("PhotoBooth Immich Sync already runs with the "
                                                 "database %s; close it first to open %s.\n"),
                                               self->database, resolved);
          return 1;
        }
      if (kiosk && !self->kiosk_option)
        {
          self->kiosk_option = TRUE;
          apply_kiosk (self);
        }
      gtk_window_present (main_window (self));
      return 0;
    }

  if (database != NULL && !g_path_is_absolute (database))
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline, database);

      g_free (database);
      database = g_file_get_path (file);
    }
  if (!open_database (self, cmdline, database))
    return 4;

  self->kiosk_option = kiosk;
  window = pbi_window_new (self);
  g_signal_connect (window, "close-request", G_CALLBACK (on_close_request_cb), self);
  /* sized for the screen before it is shown */
  pbi_window_set_kiosk (window, kiosk || g_settings_get_boolean (self->settings, "kiosk-mode"));
  gtk_window_present (GTK_WINDOW (window));
  apply_kiosk (self);
  return 0;
}

static void
pbi_application_activate (GApplication *app)
{
  GtkWindow *window = main_window (PBI_APPLICATION (app));

  if (window != NULL)
    gtk_window_present (window);
}

static void
pbi_application_startup (GApplication *app)
{
  PbiApplication *self = PBI_APPLICATION (app);
  static const gchar *preferences_accels[] = { "<Control>comma", NULL };
  static const gchar *shortcuts_accels[] = { "<Control>question", NULL };
  static const gchar *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (pbi_application_parent_class)->startup (app);

  if (!gexiv2_initialize ())
    g_warning ("gexiv2 could not be initialised");
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.shortcuts",
                                         shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  if (g_getenv ("PBI_SCREENSHOT") != NULL)
    g_unix_signal_add (SIGUSR1, on_sigusr1_cb, self);
  if (g_getenv ("PBI_STALL_REPORT") != NULL || pbi_bench_on)
    {
      g_timeout_add_full (G_PRIORITY_HIGH, STALL_TICK_MS, stall_tick_cb, NULL, NULL);
      g_unix_signal_add (SIGUSR2, on_sigusr2_cb, NULL);
    }
  g_unix_signal_add (SIGTERM, on_sigterm_cb, self);
  g_unix_signal_add (SIGINT, on_sigterm_cb, self);
}

static void
pbi_application_shutdown (GApplication *app)
{
  PbiApplication *self = PBI_APPLICATION (app);

  if (self->engine != NULL && self->lock != NULL)
    pbi_engine_stop (self->engine);
  g_clear_pointer (&self->lock, pbi_instance_lock_release);
  stall_probe_report ();
  pbi_bench_write ();
  G_APPLICATION_CLASS (pbi_application_parent_class)->shutdown (app);
}

static void
pbi_application_finalize (GObject *object)
{
  PbiApplication *self = PBI_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->lock, pbi_instance_lock_release);
  g_free (self->read_only);
  g_free (self->database);
  G_OBJECT_CLASS (pbi_application_parent_class)->finalize (object);
}

static void
pbi_application_class_init (PbiApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = pbi_application_finalize;
  app_class->command_line = pbi_application_command_line;
  app_class->activate = pbi_application_activate;
  app_class->startup = pbi_application_startup;
  app_class->shutdown = pbi_application_shutdown;
}

static void
pbi_application_init (PbiApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Back up photobooth photos to an Immich server."));
}

/**
 * pbi_application_new:
 *
 * Returns: (transfer full): the app
 */
PbiApplication *
pbi_application_new (void)
{
  pbi_bench_init ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("PhotoBooth Immich Sync"));

  return g_object_new (PBI_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/photobooth/ImmichSync/ui",
                       NULL);
}
