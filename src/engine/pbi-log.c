/* pbi-log.c
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pbi-log.h"

G_LOCK_DEFINE_STATIC (pbi_log);
static FILE      *log_file_handle;
static gboolean   log_verbose;
static gboolean   log_quiet;
static GPtrArray *log_secrets;
static gsize      writer_set;

/**
 * pbi_log_add_secret:
 * @secret: (nullable): a string that must never be written to a log
 *
 * Every later log line has @secret replaced by `****`: a last line of
 * defence behind the rule that the API key is never logged at all.
 */
void
pbi_log_add_secret (const gchar *secret)
{
  if (secret == NULL || strlen (secret) < 4)
    return;
  G_LOCK (pbi_log);
  if (log_secrets == NULL)
    log_secrets = g_ptr_array_new_with_free_func (g_free);
  if (!g_ptr_array_find_with_equal_func (log_secrets, secret, g_str_equal, NULL))
    g_ptr_array_add (log_secrets, g_strdup (secret));
  G_UNLOCK (pbi_log);
}

static gchar *
redact_locked (const gchar *text)
{
  g_autoptr(GString) out = g_string_new (text);

  for (guint i = 0; log_secrets != NULL && i < log_secrets->len; i++)
    g_string_replace (out, g_ptr_array_index (log_secrets, i), "****", 0);
  /* A line is text: bytes that are not UTF-8 (a file name, a value written
   * by another program) become U+FFFD, so readers of the log and the
   * journal never choke on it. */
  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      gchar *valid = g_utf8_make_valid (out->str, out->len);

      g_string_assign (out, valid);
      g_free (valid);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gchar *
pbi_log_redact (const gchar *text)
{
  gchar *ret;

  G_LOCK (pbi_log);
  ret = redact_locked (text != NULL ? text : "");
  G_UNLOCK (pbi_log);
  return ret;
}

static const gchar *
level_name (GLogLevelFlags level)
{
  switch (level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_ERROR:
      return "FATAL";
    case G_LOG_LEVEL_CRITICAL:
      return "CRITICAL";
    case G_LOG_LEVEL_WARNING:
      return "WARNING";
    case G_LOG_LEVEL_MESSAGE:
    case G_LOG_LEVEL_INFO:
      return "INFO";
    case G_LOG_LEVEL_DEBUG:
      return "DEBUG";
    default:
      return "INFO";
    }
}

/**
 * pbi_log_format_line:
 *
 * "2026-11-25 21:04:05.123 INFO Uploaded photo IMG_0001.jpg to Immich"
 */
gchar *
pbi_log_format_line (GLogLevelFlags  level,
                     const gchar    *severity,
                     const gchar    *message)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree gchar *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  return g_strdup_printf ("%s.%03d %s %s\n", stamp, g_date_time_get_microsecond (now) / 1000,
                          severity != NULL ? severity : level_name (level),
                          message);
}

static GLogWriterOutput
pbi_log_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const gchar *message = NULL;
  const gchar *severity = NULL;
  const gchar *domain = NULL;
  g_autofree gchar *clean = NULL;
  g_autofree gchar *line = NULL;
  gboolean to_journal;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "PBI_SEVERITY") == 0)
        severity = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
    }

  if ((level & G_LOG_LEVEL_DEBUG) || (level & G_LOG_LEVEL_INFO))
    {
      if (!log_verbose && g_log_writer_default_would_drop (level, domain))
        return G_LOG_WRITER_HANDLED;
    }

  G_LOCK (pbi_log);
  clean = redact_locked (message != NULL ? message : "");
  line = pbi_log_format_line (level, severity, clean);
  if (log_file_handle != NULL)
    {
      fputs (line, log_file_handle);
      fflush (log_file_handle);
    }
  G_UNLOCK (pbi_log);

  to_journal = g_log_writer_is_journald (fileno (stderr));
  if (to_journal)
    {
      GLogField jfields[3] = {
        { "MESSAGE", clean, -1 },
        { "PRIORITY", severity != NULL ? "3" : ((level & G_LOG_LEVEL_DEBUG) ? "7" : "6"), -1 },
        { "GLIB_DOMAIN", domain != NULL ? domain : "photobooth-immich", -1 },
      };
      return g_log_writer_journald (level, jfields, G_N_ELEMENTS (jfields), user_data);
    }

  if (log_quiet && severity == NULL && !(level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL |
                                                 G_LOG_LEVEL_ERROR)))
    return G_LOG_WRITER_HANDLED;
  fputs (line, stderr);
  fflush (stderr);
  if (level & G_LOG_FLAG_FATAL)
    return G_LOG_WRITER_UNHANDLED;
  return G_LOG_WRITER_HANDLED;
}

/**
 * pbi_log_init:
 * @log_file: (nullable): also append every line here
 * @verbose: show debug lines too
 *
 * Sends every log line, with date and time, to stderr (or the journal when
 * stderr is connected to it) and to @log_file.
 */
void
pbi_log_init (const gchar *log_file,
              gboolean     verbose)
{
  G_LOCK (pbi_log);
  log_verbose = verbose;
  if (log_file != NULL && log_file_handle == NULL)
    {
      g_autofree gchar *dir = g_path_get_dirname (log_file);

      g_mkdir_with_parents (dir, 0700);
      log_file_handle = g_fopen (log_file, "ae");
      if (log_file_handle != NULL)
        g_chmod (log_file, 0600);
    }
  G_UNLOCK (pbi_log);
  if (g_once_init_enter (&writer_set))
    {
      g_log_set_writer_func (pbi_log_writer, NULL, NULL);
      g_once_init_leave (&writer_set, 1);
    }
}

/**
 * pbi_log_set_quiet:
 * @quiet: whether ordinary lines stay off stderr
 *
 * While a progress bar owns the terminal, only errors and warnings go to
 * stderr; every line still goes to the log file.
 */
void
pbi_log_set_quiet (gboolean quiet)
{
  log_quiet = quiet;
}
