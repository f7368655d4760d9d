/* pbi-engine-check-permissions.c: the readiness check's permissions row: the
 * permissions the configured features need, and what a missing one costs,
 * from the engine's one list (_pbi_engine_permissions, pbi-engine-connection.c).
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pbi-engine-event-private.h"
#include "pbi-engine-private.h"

gboolean
_pbi_engine_key_has_permission (const gchar * const *granted,
                                const gchar         *permission)
{
  return g_strv_contains (granted, "all") || g_strv_contains (granted, permission);
}

static PbiCheckRow *
new_row (PbiCheckStatus  status,
         const gchar    *figure,
         const gchar    *advice)
{
  PbiCheckRow *row = g_new0 (PbiCheckRow, 1);

  row->id = g_strdup ("permissions");
  row->title = g_strdup (_("Permissions"));
  row->status = status;
  row->figure = g_strdup (figure);
  row->advice = g_strdup (advice);
  return row;
}

GStrv
_pbi_engine_check_permissions (const gchar * const  *granted,
                               gboolean              guest_sharing,
                               PbiCheckRow         **row)
{
  g_autoptr(GStrvBuilder) missing = g_strv_builder_new ();
  g_autoptr(GString) figure = g_string_new (NULL);
  g_autoptr(GString) advice = g_string_new (NULL);
  g_autofree gchar *todo = NULL;
  g_autoptr(GPtrArray) missing_needs = NULL;
  PbiCheckStatus status = PBI_CHECK_OK;

  if (granted == NULL)
    {
      *row = new_row (PBI_CHECK_SKIPPED,
                      _("This server version cannot tell a key's permissions (Immich 2.0 and "
                        "later can); the test upload below tries them"), NULL);
      return NULL;
    }
  missing_needs = _pbi_engine_missing_permissions (granted, guest_sharing);
  for (guint i = 0; i < missing_needs->len; i++)
    {
      const PbiPermissionNeed *need = g_ptr_array_index (missing_needs, i);

      g_string_append_printf (figure, "%s%s (%s)", figure->len > 0 ? "; " : "",
                              need->permission, _(need->consequence));
      if (need->required)
        {
          g_strv_builder_add (missing, need->permission);
          status = PBI_CHECK_FAILED;
        }
      else if (status == PBI_CHECK_OK)
        status = PBI_CHECK_WARNING;
      g_string_append_printf (advice, "%s%s", advice->len > 0 ? ", " : "", need->permission);
    }
  if (status == PBI_CHECK_OK)
    {
      *row = new_row (PBI_CHECK_OK, g_strv_contains (granted, "all") ? _("full access")
                      : _("every permission the configured features need"), NULL);
      return g_strv_builder_end (missing);
    }
  todo = g_strdup_printf (_("In Immich, Account Settings → API Keys: give the key %s (or make "
                            "a new key with them)"), advice->str);
  g_string_prepend (figure, _("missing: "));
  *row = new_row (status, figure->str, todo);
  return g_strv_builder_end (missing);
}
