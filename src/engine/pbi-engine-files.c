/* pbi-engine-files.c: where a set of files stands, for views of many photos
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thumbnail grid asks for the states of the photos it shows. The lookups
 * are point reads on the store's unique path index, made in small batches
 * from an idle source so a long list never holds the main loop for more
 * than a few of them. Live changes come from the engine's
 * ::file-state-changed signal; this is the starting point.
 */

#include "config.h"

#include "pbi-engine-files.h"
#include "pbi-engine-private.h"

#define BATCH 32

typedef struct
{
  GStrv       paths;
  guint       next;
  GHashTable *result;   /* path → PbiFileStatus */
  guint       source;
} Query;

static void
query_free (Query *query)
{
  g_clear_handle_id (&query->source, g_source_remove);
  g_strfreev (query->paths);
  g_clear_pointer (&query->result, g_hash_table_unref);
  g_free (query);
}

/**
 * pbi_file_status_free:
 * @status: (nullable): a status
 */
void
pbi_file_status_free (PbiFileStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->path);
  g_free (status->error);
  g_free (status);
}

static gboolean
query_step_cb (gpointer user_data)
{
  GTask *task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  Query *query = g_task_get_task_data (task);
  PbiStore *store = _pbi_engine_get_store (self);

  if (g_task_return_error_if_cancelled (task))
    {
      query->source = 0;
      return G_SOURCE_REMOVE;
    }
  for (guint i = 0; i < BATCH && query->paths[query->next] != NULL; i++, query->next++)
    {
      g_autoptr(PbiFileRecord) record = pbi_store_file_get (store, query->paths[query->next]);
      PbiFileStatus *status;

      if (record == NULL)
        continue;
      status = g_new0 (PbiFileStatus, 1);
      status->path = g_strdup (record->path);
      status->state = record->state;
      status->error = g_steal_pointer (&record->last_error);
      g_hash_table_replace (query->result, status->path, status);
    }
  if (query->paths[query->next] != NULL)
    return G_SOURCE_CONTINUE;
  query->source = 0;
  g_task_return_pointer (task, g_steal_pointer (&query->result),
                         (GDestroyNotify) g_hash_table_unref);
  return G_SOURCE_REMOVE;
}

/**
 * pbi_engine_query_file_states_async:
 * @self: a #PbiEngine
 * @paths: (array zero-terminated=1): photos
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Looks up the stored state of each of @paths, a few at a time.
 */
void
pbi_engine_query_file_states_async (PbiEngine            *self,
                                    const gchar * const  *paths,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  Query *query;

  g_return_if_fail (PBI_IS_ENGINE (self));
  g_return_if_fail (paths != NULL);

  task = _pbi_engine_task_new (self, pbi_engine_query_file_states_async, cancellable, callback,
                               user_data);
  query = g_new0 (Query, 1);
  query->paths = g_strdupv ((gchar **) paths);
  query->result = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) pbi_file_status_free);
  g_task_set_task_data (task, query, (GDestroyNotify) query_free);
  query->source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, query_step_cb,
                                   g_object_ref (task), g_object_unref);
}

/**
 * pbi_engine_query_file_states_finish:
 * @self: a #PbiEngine
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type utf8 PbiFileStatus): path → status,
 *   for the photos the store knows
 */
GHashTable *
pbi_engine_query_file_states_finish (PbiEngine     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_query_file_states_async, error);
}
