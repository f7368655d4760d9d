/* pbi-free-space.c: the free-space rows of the status page, booth and server
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One rule for both disks: a warning well before either runs out (a booth
 * writes ~5 MB a photo, and the server keeps each one), said in words and
 * with an icon, never by colour alone.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-free-space.h"
#include "pbi-ui-util.h"

#define WARN_BYTES     (2 * (guint64) 1024 * 1024 * 1024)
#define WARN_FRACTION  0.10
#define CRITICAL_BYTES (500 * (guint64) 1024 * 1024)

PbiFreeSpaceLevel
pbi_free_space_level (guint64 free_bytes,
                      guint64 size)
{
  if (free_bytes < CRITICAL_BYTES)
    return PBI_FREE_SPACE_CRITICAL;
  if (free_bytes < WARN_BYTES || (size > 0 && free_bytes < size * WARN_FRACTION))
    return PBI_FREE_SPACE_LOW;
  return PBI_FREE_SPACE_OK;
}

static const gchar *
plain_icon (PbiFreeSpacePlace place)
{
  return place == PBI_FREE_SPACE_BOOTH ? "drive-harddisk-symbolic" : "network-server-symbolic";
}

void
pbi_free_space_show (AdwActionRow      *row,
                     GtkImage          *icon,
                     PbiFreeSpacePlace  place,
                     guint64            free_bytes,
                     guint64            size)
{
  gboolean booth = place == PBI_FREE_SPACE_BOOTH;
  g_autofree gchar *free_s = g_format_size (free_bytes);
  g_autofree gchar *size_s = g_format_size (size);
  g_autofree gchar *subtitle = NULL;
  const gchar *title;

  switch (pbi_free_space_level (free_bytes, size))
    {
    case PBI_FREE_SPACE_CRITICAL:
      title = booth ? _("This booth’s disk is almost full") : _("The server’s disk is almost full");
      subtitle = booth
        ? g_strdup_printf (_("Only %s free of %s: free space now, or new photos cannot be saved."),
                           free_s, size_s)
        : g_strdup_printf (_("Only %s free of %s: free space on the server now, or uploads "
                             "will fail."), free_s, size_s);
      pbi_image_set_state (icon, "dialog-error-symbolic", "error");
      break;
    case PBI_FREE_SPACE_LOW:
      title = booth ? _("This booth’s disk is getting full")
                    : _("The server’s disk is getting full");
      subtitle = booth
        ? g_strdup_printf (_("%s free of %s: make room before the event goes on much longer."),
                           free_s, size_s)
        : g_strdup_printf (_("%s free of %s: make room on the server soon."), free_s, size_s);
      pbi_image_set_state (icon, "dialog-warning-symbolic", "warning");
      break;
    case PBI_FREE_SPACE_OK:
    default:
      title = booth ? _("Free space on this booth") : _("Free space on the server");
      /* TRANSLATORS: "12.3 GB free of 32.0 GB" */
      subtitle = g_strdup_printf (_("%s free of %s"), free_s, size_s);
      pbi_image_set_state (icon, plain_icon (place), NULL);
      break;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
}

void
pbi_free_space_show_unknown (AdwActionRow      *row,
                             GtkImage          *icon,
                             PbiFreeSpacePlace  place,
                             const gchar       *why)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 place == PBI_FREE_SPACE_BOOTH ? _("Free space on this booth")
                                                               : _("Free space on the server"));
  adw_action_row_set_subtitle (row, why != NULL ? why : _("Unknown"));
  pbi_image_set_state (icon, plain_icon (place), "dim-label");
}
