/* pbi-cli-status.c: photobooth-immich's one-shot commands on the database:
 * status, retry-failed and config (they run beside a running engine)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pbi-cli-private.h"
#include "pbi-engine-private.h"
#include "pbi-immich-client.h"
#include "pbi-log.h"
#include "pbi-store.h"

/* ------------------------------------------------------------------------ */
/* status                                                                     */

static const gchar *
state_name (PbiFileState state)
{
  switch (state)
    {
    case PBI_FILE_STATE_PENDING: return "pending";
    case PBI_FILE_STATE_HASHING: return "hashing";
    case PBI_FILE_STATE_CHECKING: return "checking";
    case PBI_FILE_STATE_UPLOADING: return "uploading";
    case PBI_FILE_STATE_ADDING: return "adding";
    case PBI_FILE_STATE_DONE: return "done";
    case PBI_FILE_STATE_DUPLICATE: return "duplicate";
    case PBI_FILE_STATE_FAILED: return "failed";
    case PBI_FILE_STATE_REJECTED: return "rejected";
    case PBI_N_FILE_STATES:
    default: return "unknown";
    }
}

gint
cmd_status (gint    argc,
            gchar **argv)
{
  g_autoptr(PbiEngine) engine = open_engine ();
  PbiStore *store;
  guint counts[PBI_N_FILE_STATES] = { 0 };
  g_autofree gchar *url = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *last = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  GDateTime *last_sync;
  gboolean enabled;

  if (engine == NULL)
    return exit_code;
  store = _pbi_engine_get_store (engine);
  pbi_store_files_count_by_state (store, counts);
  url = pbi_store_get_setting_string (store, "immich_server_url");
  key = pbi_store_get_setting_string (store, "immich_api_key");
  enabled = pbi_store_get_setting_boolean (store, "immich_enabled");
  last_sync = pbi_engine_get_last_sync (engine);
  last = last_sync != NULL ? g_date_time_format (last_sync, "%Y-%m-%d %H:%M:%S") : NULL;
  failures = pbi_store_files_failed (store, 20);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "database");
      json_builder_add_string_value (b, pbi_engine_get_database_path (engine));
      json_builder_set_member_name (b, "enabled");
      json_builder_add_boolean_value (b, enabled);
      json_builder_set_member_name (b, "server");
      json_builder_add_string_value (b, url);
      json_builder_set_member_name (b, "apiKeySet");
      json_builder_add_boolean_value (b, key != NULL && *key != '\0');
      json_builder_set_member_name (b, "album");
      json_builder_add_string_value (b, pbi_engine_get_album_name (engine));
      json_builder_set_member_name (b, "albumNotice");
      json_builder_add_string_value (b, pbi_engine_get_album_notice (engine));
      json_builder_set_member_name (b, "lastSync");
      json_builder_add_string_value (b, last);
      json_builder_set_member_name (b, "uploaded");
      json_builder_add_int_value (b, pbi_engine_get_uploaded (engine));
      json_builder_set_member_name (b, "duplicates");
      json_builder_add_int_value (b, pbi_engine_get_duplicates (engine));
      json_builder_set_member_name (b, "pending");
      json_builder_add_int_value (b, pbi_engine_get_pending (engine));
      json_builder_set_member_name (b, "failed");
      json_builder_add_int_value (b, pbi_engine_get_failed (engine));
      json_builder_set_member_name (b, "files");
      json_builder_begin_object (b);
      for (guint i = 0; i < PBI_N_FILE_STATES; i++)
        {
          json_builder_set_member_name (b, state_name (i));
          json_builder_add_int_value (b, counts[i]);
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "failures");
      json_builder_begin_array (b);
      for (guint i = 0; i < failures->len; i++)
        {
          PbiFileRecord *rec = g_ptr_array_index (failures, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "path");
          json_builder_add_string_value (b, rec->path);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, state_name (rec->state));
          json_builder_set_member_name (b, "attempts");
          json_builder_add_int_value (b, rec->attempts);
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, rec->last_error);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json (b);
      return EXIT_OK;
    }

  g_print (_("Database:    %s\n"), pbi_engine_get_database_path (engine));
  g_print (_("Sync:        %s\n"), enabled ? _("enabled") : _("disabled"));
  g_print (_("Server:      %s\n"), url != NULL && *url ? url : _("(not set)"));
  g_print (_("API key:     %s\n"), key != NULL && *key ? "********" : _("(not set)"));
  g_print (_("Album:       %s\n"), pbi_engine_get_album_name (engine));
  if (pbi_engine_get_album_notice (engine) != NULL)
    g_print (_("Album note:  %s\n"), pbi_engine_get_album_notice (engine));
  g_print (_("Last sync:   %s\n"), last != NULL ? last : _("never"));
  g_print (_("Uploaded:    %u\n"), pbi_engine_get_uploaded (engine));
  g_print (_("Duplicates:  %u\n"), pbi_engine_get_duplicates (engine));
  g_print (_("Pending:     %u\n"), pbi_engine_get_pending (engine));
  g_print (_("Failed:      %u\n"), pbi_engine_get_failed (engine));
  for (guint i = 0; i < failures->len; i++)
    {
      PbiFileRecord *rec = g_ptr_array_index (failures, i);
      g_print ("  %s (%s, %u attempts): %s\n", rec->path, state_name (rec->state), rec->attempts,
               rec->last_error != NULL ? rec->last_error : "");
    }
  return EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* retry-failed                                                               */

gint
cmd_retry_failed (gint    argc,
                  gchar **argv)
{
  g_autoptr(PbiEngine) engine = open_engine ();
  guint n;

  if (engine == NULL)
    return exit_code;
  n = pbi_engine_retry_failed (engine);
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u photo put back in the queue.\n",
                        "%u photos put back in the queue.\n", n), n);
  if (n > 0)
    g_print ("%s\n", _("A running \"photobooth-immich watch\" sends them now; or run "
                       "\"photobooth-immich sync\"."));
  return EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* config                                                                     */

static gchar *
shown_value (const gchar *key,
             const gchar *value)
{
  if (g_strcmp0 (key, "immich_api_key") == 0 || g_strcmp0 (key, "immich_kiosk_pin") == 0)
    return g_strdup (value != NULL && *value ? "********" : "");
  return g_strdup (value != NULL ? value : "");
}

gint
cmd_config (gint    argc,
            gchar **argv)
{
  g_autoptr(PbiEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  PbiStore *store;
  const gchar *verb = argc > 1 ? argv[1] : "list";

  engine = open_engine ();
  if (engine == NULL)
    return exit_code;
  store = _pbi_engine_get_store (engine);

  if (g_str_equal (verb, "list") && argc <= 2)
    {
      const gchar * const *keys = pbi_store_known_settings ();

      for (guint i = 0; keys[i] != NULL; i++)
        {
          g_autofree gchar *value = pbi_store_get_setting_string (store, keys[i]);
          g_autofree gchar *shown = shown_value (keys[i], value);
          g_print ("%s = %s\n", keys[i], shown);
        }
      return EXIT_OK;
    }
  if (g_str_equal (verb, "get") && argc == 3)
    {
      g_autofree gchar *value = NULL;
      g_autofree gchar *shown = NULL;

      if (!pbi_store_is_known_setting (argv[2]))
        {
          g_printerr (_("Unknown setting %s; \"photobooth-immich config list\" shows them all.\n"),
                      argv[2]);
          return EXIT_USAGE;
        }
      value = pbi_store_get_setting_string (store, argv[2]);
      shown = shown_value (argv[2], value);
      g_print ("%s\n", shown);
      return EXIT_OK;
    }
  if (g_str_equal (verb, "set") && argc == 4)
    {
      g_autofree gchar *value = NULL;

      if (!pbi_store_is_known_setting (argv[2]))
        {
          g_printerr (_("Unknown setting %s; \"photobooth-immich config list\" shows them all.\n"),
                      argv[2]);
          return EXIT_USAGE;
        }
      if (g_str_equal (argv[2], "immich_api_key") && !g_str_equal (argv[3], "-") &&
          *argv[3] != '\0')
        {
          /* Every user of the machine can read a process's arguments. */
          g_printerr ("%s\n", _("Error: the API key is not taken on the command line, where "
                                 "other users can see it in the process list; run "
                                 "\"photobooth-immich config set immich_api_key -\" and type or "
                                 "paste it, or set IMMICH_API_KEY"));
          return EXIT_USAGE;
        }
      if (g_str_equal (argv[3], "-"))
        {
          gchar buf[4096];

          if (isatty (0))
            g_printerr (_("Type the value for %s and press Enter: "), argv[2]);
          if (fgets (buf, sizeof buf, stdin) == NULL)
            {
              g_printerr ("%s\n", _("Error: nothing was read from standard input"));
              return EXIT_USAGE;
            }
          value = g_strstrip (g_strdup (buf));
        }
      else
        value = g_strdup (argv[3]);
      if (g_str_equal (argv[2], "immich_api_key"))
        pbi_log_add_secret (value);
      if (g_str_equal (argv[2], "immich_server_url") && *value != '\0')
        {
          g_autofree gchar *normal = pbi_immich_normalize_url (value, &error);

          if (normal == NULL)
            {
              g_printerr (_("Error: %s\n"), error->message);
              return EXIT_USAGE;
            }
        }
      if (!pbi_store_set_setting_checked (store, argv[2], value, &error))
        {
          g_printerr (_("Error: %s\n"), error->message);
          return error->domain == PBI_STORE_ERROR ? EXIT_STORE : EXIT_USAGE;
        }
      g_print (_("%s set.\n"), argv[2]);
      return EXIT_OK;
    }
  g_printerr ("%s\n", _("Usage: photobooth-immich config list | get KEY | set KEY VALUE (VALUE - reads standard input)"));
  return EXIT_USAGE;
}
