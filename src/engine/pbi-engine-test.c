/* pbi-engine-test.c: Test Connection with a structured answer, for the UI
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-engine-private.h"
#include "pbi-engine-test.h"
#include "pbi-immich-client.h"
#include "pbi-store.h"

typedef struct
{
  PbiImmichClient    *client;
  PbiConnectionCheck *check;
  gboolean            guest_sharing;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_clear_object (&data->client);
  g_clear_pointer (&data->check, pbi_connection_check_free);
  g_free (data);
}

void
pbi_connection_check_free (PbiConnectionCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->server_url);
  g_free (check->server_version);
  g_free (check->user_id);
  g_free (check->user_name);
  g_free (check->user_email);
  g_strfreev (check->missing_permissions);
  g_free (check->certificate_fingerprint);
  g_free (check);
}

static void
check_fail (GTask  *task,
            GError *error)
{
  CheckData *data = g_task_get_task_data (task);

  if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS))
    {
      g_free (data->check->certificate_fingerprint);
      data->check->certificate_fingerprint =
        pbi_immich_client_dup_certificate_fingerprint (data->client);
    }
  g_task_return_error (task, error);
}

static void
check_perms_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) perms = NULL;
  g_autoptr(GStrvBuilder) missing = g_strv_builder_new ();
  g_autoptr(GPtrArray) lacking = NULL;

  if (!pbi_immich_client_get_key_permissions_finish (PBI_IMMICH_CLIENT (object), result,
                                                     &perms, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* a key without apiKey.read cannot list its own rights: not fatal */
      g_debug ("Could not read the key's permissions: %s", error->message);
      data->check->permissions_known = FALSE;
      g_task_return_boolean (task, TRUE);
      return;
    }
  data->check->permissions_known = perms != NULL;
  /* the engine's one list of what a key can need (pbi-engine-connection.c) */
  lacking = perms != NULL
            ? _pbi_engine_missing_permissions ((const gchar * const *) perms,
                                               data->guest_sharing)
            : g_ptr_array_new ();
  for (guint i = 0; i < lacking->len; i++)
    g_strv_builder_add (missing, ((PbiPermissionNeed *) g_ptr_array_index (lacking, i))->permission);
  data->check->missing_permissions = g_strv_builder_end (missing);
  g_task_return_boolean (task, TRUE);
}

static void
check_user_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichUser) user = NULL;
  GCancellable *cancellable;

  user = pbi_immich_client_get_current_user_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (user == NULL)
    {
      check_fail (task, g_steal_pointer (&error));
      return;
    }
  data->check->server_version = pbi_immich_client_dup_server_version (data->client);
  data->check->user_id = g_strdup (user->id);
  data->check->user_name = g_strdup (user->name);
  data->check->user_email = g_strdup (user->email);
  cancellable = g_task_get_cancellable (task);
  pbi_immich_client_get_key_permissions_async (data->client, cancellable,
                                               check_perms_cb, g_steal_pointer (&task));
}

/**
 * pbi_engine_check_connection_async:
 * @self: an engine
 * @cancellable: (nullable): to stop the test
 * @callback: called when the test is over
 * @user_data: for @callback
 *
 * Tests the saved server address, API key and pinned certificate with a
 * client of its own, so the answer says precisely what works.
 */
void
pbi_engine_check_connection_async (PbiEngine           *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *fingerprint = NULL;
  PbiStore *store;
  gint connect_timeout, idle_timeout;

  g_return_if_fail (PBI_IS_ENGINE (self));

  task = _pbi_engine_task_new (self, pbi_engine_check_connection_async, cancellable, callback,
                               user_data);

  store = _pbi_engine_get_store (self);
  url = pbi_store_get_setting_string (store, "immich_server_url");
  key = pbi_store_get_setting_string (store, "immich_api_key");
  fingerprint = pbi_store_get_setting_string (store, "immich_tls_fingerprint");
  connect_timeout = pbi_store_get_setting_int (store, "immich_connect_timeout");
  idle_timeout = pbi_store_get_setting_int (store, "immich_idle_timeout");

  data = g_new0 (CheckData, 1);
  data->check = g_new0 (PbiConnectionCheck, 1);
  data->check->server_url = pbi_immich_normalize_url (url, NULL);
  data->guest_sharing = pbi_store_get_setting_boolean (store, "immich_guest_sharing");
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  if (key == NULL || *g_strstrip (key) == '\0')
    {
      /* the address is checked first: its message says what to type */
      g_autofree gchar *normal = pbi_immich_normalize_url (url, &error);

      if (normal != NULL)
        g_set_error_literal (&error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED,
                             _("Enter the API key: create one in Immich under Account "
                               "Settings → API Keys."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->client = pbi_immich_client_new (url, key, &error);
  if (data->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pbi_immich_client_set_timeouts (data->client,
                                  connect_timeout > 0 ? connect_timeout : 10,
                                  idle_timeout > 0 ? idle_timeout : 60);
  if (fingerprint != NULL && *fingerprint != '\0')
    pbi_immich_client_set_pinned_certificate (data->client, fingerprint);
  pbi_immich_client_get_current_user_async (data->client, cancellable, check_user_cb,
                                            g_steal_pointer (&task));
}

/**
 * pbi_engine_check_connection_finish:
 * @self: an engine
 * @result: the result
 * @check: (out) (transfer full) (optional): what was found out, also on failure
 * @error: the reason the test failed, in plain words
 *
 * Returns: %TRUE when the server answered as Immich and accepted the key
 */
gboolean
pbi_engine_check_connection_finish (PbiEngine           *self,
                                    GAsyncResult        *result,
                                    PbiConnectionCheck **check,
                                    GError             **error)
{
  CheckData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_engine_check_connection_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (check != NULL)
    *check = data != NULL ? g_steal_pointer (&data->check) : NULL;
  return g_task_propagate_boolean (G_TASK (result), error);
}
