/* prefs-demo.c: opens the preferences window or the welcome page alone on
 * an engine over a given database, for the UI tests (built only for tests)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * prefs-demo --database PATH [--size WxH] preferences|welcome
 *
 * On SIGUSR1 it renders its newest window into the PNG whose path is in
 * the file $PBI_SHOT_REQUEST (the app's own rendering, as a screenshot).
 * The welcome page prints "finished" on stdout when it is done.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <locale.h>
#include <adwaita.h>

#include "pbi-engine-private.h"
#include "pbi-preferences-window.h"
#include "pbi-settings-backend.h"
#include "pbi-welcome-page.h"

static gchar *database;
static gchar *size;
static gchar *mode;
static PbiEngine *engine;
static GSettings *settings;

static void
save_window (GtkWindow   *window,
             const gchar *path)
{
  GtkWidget *widget = GTK_WIDGET (window);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_printerr ("prefs-demo: nothing to render\n");
      return;
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_printerr ("prefs-demo: could not save %s\n", path);
  else
    g_print ("screenshot %s\n", path);
}

static gboolean
on_sigusr1 (gpointer user_data)
{
  GtkApplication *app = user_data;
  const gchar *request = g_getenv ("PBI_SHOT_REQUEST");
  g_autofree gchar *path = NULL;
  GList *windows = gtk_application_get_windows (app);

  if (request == NULL || windows == NULL || !g_file_get_contents (request, &path, NULL, NULL))
    return G_SOURCE_CONTINUE;
  g_strstrip (path);
  save_window (GTK_WINDOW (windows->data), path);
  return G_SOURCE_CONTINUE;
}

static void
on_finished (PbiWelcomePage *page,
             GtkWindow      *window)
{
  g_print ("finished\n");
  gtk_window_set_title (window, "Finished");
}

static void
activate (GtkApplication *app)
{
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  gint width = 0, height = 0;

  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  PBI_DATA_ICONS_DIR);
  engine = pbi_engine_new (database, &error);
  if (engine == NULL || !pbi_engine_start (engine, &error))
    g_error ("prefs-demo: %s", error->message);
  settings = pbi_settings_backend_new_settings (_pbi_engine_get_store (engine), &error);
  if (settings == NULL)
    g_error ("prefs-demo: %s", error->message);

  if (size != NULL && sscanf (size, "%dx%d", &width, &height) != 2)
    g_error ("prefs-demo: --size takes WxH");

  if (g_strcmp0 (mode, "welcome") == 0)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *page = pbi_welcome_page_new (engine, settings);

      window = GTK_WINDOW (adw_application_window_new (app));
      gtk_window_set_title (window, _("PhotoBooth Immich Sync"));
      gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
      gtk_widget_set_vexpand (page, TRUE);
      gtk_box_append (GTK_BOX (box), page);
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
      g_signal_connect (page, "finished", G_CALLBACK (on_finished), window);
    }
  else
    {
      window = GTK_WINDOW (pbi_preferences_window_new (NULL, engine, settings));
      gtk_application_add_window (app, window);
    }
  if (width > 0 && height > 0)
    gtk_window_set_default_size (window, width, height);
  gtk_window_present (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database, "The database", "PATH" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Window size", "WxH" },
    { NULL }
  };
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, PBI_LOCALE_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new ("preferences|welcome");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || database == NULL || argc != 2)
    {
      g_printerr ("usage: prefs-demo --database PATH [--size WxH] preferences|welcome\n");
      return 2;
    }
  mode = argv[1];

  app = adw_application_new ("io.github.photobooth.ImmichSync.PrefsDemo",
                             G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  g_unix_signal_add (SIGUSR1, on_sigusr1, app);
  status = g_application_run (G_APPLICATION (app), 1, argv);
  if (engine != NULL)
    pbi_engine_stop (engine);
  g_clear_object (&settings);
  g_clear_object (&engine);
  return status;
}
