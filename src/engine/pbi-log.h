/* pbi-log.h: log lines an operator can grep
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     pbi_log_init        (const gchar *log_file,
                              gboolean     verbose);
void     pbi_log_add_secret  (const gchar *secret);
void     pbi_log_set_quiet   (gboolean     quiet);
gchar   *pbi_log_redact      (const gchar *text);
gchar   *pbi_log_format_line (GLogLevelFlags   level,
                              const gchar     *severity,
                              const gchar     *message);

/* An operator-visible failure: "ERROR" in the line, error priority in the
 * journal; logged at MESSAGE level so it never aborts a test run. */
#define pbi_log_error(...) \
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, \
                    "PBI_SEVERITY", "ERROR", \
                    "MESSAGE", __VA_ARGS__)

G_END_DECLS
