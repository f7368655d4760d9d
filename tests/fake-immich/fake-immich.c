/* fake-immich.c: run the fake Immich server as a program
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fake-immich --port 0 --api-version 3.2.2 [--user EMAIL[:NAME] ...]
 *             --api-key KEY[:perm,perm][@EMAIL] ... [--tls-cert F --tls-key F]
 * prints the base URL as the first line of stdout (and a generated key on
 * the second when none was given), then serves until SIGTERM/SIGINT.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include "pbi-fake-server.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiFakeServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) users = NULL;
  g_autofree gchar *version = NULL;
  g_autofree gchar *tls_cert = NULL;
  g_autofree gchar *tls_key = NULL;
  g_autofree gchar *generated = NULL;
  gint port = 0;
  gint64 keep_originals = -1;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0 = any free one)", "PORT" },
    { "api-version", 'v', 0, G_OPTION_ARG_STRING, &version,
      "Immich version to imitate (default 3.2.2)", "X.Y.Z" },
    { "user", 'u', 0, G_OPTION_ARG_STRING_ARRAY, &users,
      "A user, EMAIL[:NAME] (repeatable; the first one is the admin)", "EMAIL" },
    { "api-key", 'k', 0, G_OPTION_ARG_STRING_ARRAY, &keys,
      "An API key, optionally with permissions and its user's email: "
      "KEY[:perm,perm][@EMAIL] (repeatable)", "KEY" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "PEM certificate for https", "FILE" },
    { "keep-originals", 0, 0, G_OPTION_ARG_INT64, &keep_originals,
      "Keep originals up to BYTES for GET /assets/{id}/original (default 8 MiB; 0 = none)",
      "BYTES" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key for https", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("- a fake Immich server for tests");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fake-immich: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("fake-immich: bad port %d\n", port);
      return 2;
    }

  server = pbi_fake_server_new (version != NULL ? version : "3.2.2");
  if (keep_originals >= 0)
    pbi_fake_server_set_keep_originals (server, (guint64) keep_originals);
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (users[i], ":", 2);

      g_free (pbi_fake_server_add_user (server, parts[0], parts[1]));
    }
  if (keys == NULL || keys[0] == NULL)
    {
      g_autofree gchar *uuid = g_uuid_string_random ();
      g_auto(GStrv) parts = g_strsplit (uuid, "-", -1);

      generated = g_strjoinv ("", parts);
      pbi_fake_server_add_api_key (server, NULL, generated, NULL);
    }
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const gchar *at = strchr (keys[i], '@');
      g_autofree gchar *spec = at != NULL ? g_strndup (keys[i], at - keys[i])
                                          : g_strdup (keys[i]);
      const gchar *colon = strchr (spec, ':');
      g_autofree gchar *key = colon != NULL ? g_strndup (spec, colon - spec) : g_strdup (spec);
      g_auto(GStrv) perms = colon != NULL ? g_strsplit (colon + 1, ",", -1) : NULL;
      g_autofree gchar *user_id = NULL;

      if (at != NULL)
        {
          user_id = pbi_fake_server_find_user (server, at + 1);
          if (user_id == NULL)
            user_id = pbi_fake_server_add_user (server, at + 1, NULL);
        }
      pbi_fake_server_add_api_key (server, user_id, key, (const gchar * const *) perms);
    }
  if (tls_cert != NULL
      && !pbi_fake_server_set_tls (server, tls_cert, tls_key != NULL ? tls_key : tls_cert, &error))
    {
      g_printerr ("fake-immich: %s\n", error->message);
      return 1;
    }
  if (!pbi_fake_server_start (server, port, &error))
    {
      g_printerr ("fake-immich: %s\n", error->message);
      return 1;
    }

  printf ("%s\n", pbi_fake_server_get_base_url (server));
  if (generated != NULL)
    printf ("%s\n", generated);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_main_loop_run (loop);

  pbi_fake_server_stop (server);
  return EXIT_SUCCESS;
}
