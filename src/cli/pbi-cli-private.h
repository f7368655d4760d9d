/* pbi-cli-private.h: what the files of photobooth-immich share
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

/* Exit codes, documented in --help and the README */
enum
{
  EXIT_OK = 0,
  EXIT_SOME_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_CONNECTION = 3,
  EXIT_STORE = 4,
};

extern GMainLoop *loop;
extern gint       exit_code;
extern gboolean   opt_json;

PbiEngine *open_engine          (void);
void       print_json           (JsonBuilder  *builder);
gint       exit_code_for_error  (const GError *error);

/* pbi-cli-status.c: status, retry-failed, config */
gint                cmd_status       (gint    argc,
                                      gchar **argv);
gint                cmd_retry_failed (gint    argc,
                                      gchar **argv);
gint                cmd_config       (gint    argc,
                                      gchar **argv);

/* pbi-cli-event.c: check, share, verify, report, new-event */
gint                cmd_check        (gint    argc,
                                      gchar **argv);
gint                cmd_share        (gint    argc,
                                      gchar **argv);
gint                cmd_verify       (gint    argc,
                                      gchar **argv);
gint                cmd_report       (gint    argc,
                                      gchar **argv);
gint                cmd_new_event    (gint    argc,
                                      gchar **argv);
/* the command's own options, or NULL */
const GOptionEntry *cli_event_entries (const gchar *command);

G_END_DECLS
