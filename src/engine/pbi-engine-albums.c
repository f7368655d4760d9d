/* pbi-engine-albums.c: the album stage of PbiEngine: resolving album names to ids
 * (cache, list, create), batching adds per album, and what happens when an
 * add fails (retry or give up); also list_albums for the picker.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pbi-engine-enums.h"
#include "pbi-engine-private.h"
#include "pbi-hasher.h"
#include "pbi-immich-client.h"
#include "pbi-log.h"
#include "pbi-media-info.h"
#include "pbi-scanner.h"
#include "pbi-store.h"
#include "pbi-watcher.h"
#define ALBUM_BATCH_MAX          500

/* ------------------------------------------------------------------------ */
/* Stage: albums                                                              */

void
_pbi_engine_album_slot_free (AlbumSlot *slot)
{
  g_free (slot->name);
  g_free (slot->id);
  g_ptr_array_unref (slot->jobs);
  g_free (slot);
}

AlbumSlot *
_pbi_engine_get_album_slot (PbiEngine   *self,
                            const gchar *name)
{
  AlbumSlot *slot = g_hash_table_lookup (self->albums, name);

  if (slot == NULL)
    {
      slot = g_new0 (AlbumSlot, 1);
      slot->name = g_strdup (name);
      slot->jobs = g_ptr_array_new ();
      g_hash_table_insert (self->albums, slot->name, slot);
    }
  return slot;
}

static void flush_album (PbiEngine *self, AlbumSlot *slot);

void
_pbi_engine_queue_for_albums (PbiEngine *self,
                              Job       *job)
{
  job->stage = STAGE_ALBUM;
  job->albums_left = job->albums != NULL ? g_strv_length (job->albums) : 0;
  _pbi_engine_save_job (self, job, PBI_FILE_STATE_ADDING, NULL, 0);
  if (job->albums_left == 0)
    {
      _pbi_engine_job_finish (self, job, PBI_FILE_STATE_DONE, NULL);
      return;
    }
  for (guint i = 0; job->albums[i] != NULL; i++)
    {
      AlbumSlot *slot = _pbi_engine_get_album_slot (self, job->albums[i]);
      g_ptr_array_add (slot->jobs, job);
    }
}

gboolean
_pbi_engine_album_flush_due_cb (gpointer user_data)
{
  PbiEngine *self = user_data;
  GHashTableIter iter;
  gpointer value;

  self->album_source = 0;
  /* the batch waited long enough: send what has gathered */
  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (self->connection_state == PBI_CONNECTION_CONNECTED)
      flush_album (self, value);
  _pbi_engine_pump (self);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  PbiEngine *self;    /* (owned) */
  AlbumSlot *slot;
  GPtrArray *jobs;    /* (element-type Job) */
} AlbumData;

static void
album_data_free (AlbumData *data)
{
  g_object_unref (data->self);
  g_clear_pointer (&data->jobs, g_ptr_array_unref);
  g_free (data);
}

static void
album_job_done (PbiEngine *self,
                Job       *job)
{
  g_assert (job->albums_left > 0);
  if (--job->albums_left == 0)
    _pbi_engine_job_finish (self, job, PBI_FILE_STATE_DONE, NULL);
}

static void
album_resolved (PbiEngine   *self,
                AlbumSlot   *slot,
                const gchar *id)
{
  g_autofree gchar *server = g_strdup (pbi_immich_client_get_api_url (self->client));

  slot->resolving = FALSE;
  g_free (slot->id);
  slot->id = g_strdup (id);
  pbi_store_album_set (self->store, server, slot->name, id, NULL);
  flush_album (self, slot);
}

static void
album_failed (PbiEngine    *self,
              AlbumSlot    *slot,
              const GError *error)
{
  g_autoptr(GPtrArray) jobs = NULL;

  slot->resolving = FALSE;
  slot->flushing = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (_pbi_engine_error_is_fatal_config (error))
    _pbi_engine_go_error (self, error);
  else if (_pbi_engine_error_is_connection (error))
    _pbi_engine_go_offline (self, error);
  else
    {
      /* the album cannot be had: the photos are on the server, but not in it */
      jobs = g_steal_pointer (&slot->jobs);
      slot->jobs = g_ptr_array_new ();
      pbi_log_error ("immich album \"%s\": %s", slot->name, error->message);
      for (guint i = 0; i < jobs->len; i++)
        {
          Job *job = g_ptr_array_index (jobs, i);
          job->attempts++;
          _pbi_engine_job_finish (self, job, PBI_FILE_STATE_FAILED, error->message);
        }
    }
}

static void
create_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AlbumData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichAlbum) album = NULL;

  album = pbi_immich_client_create_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (album == NULL)
    album_failed (data->self, data->slot, error);
  else
    {
      g_message ("Created Immich album \"%s\"", album->name);
      album_resolved (data->self, data->slot, album->id);
    }
  album_data_free (data);
}

static void
list_albums_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AlbumData *data = user_data;
  PbiEngine *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) albums = NULL;
  PbiImmichAlbum *found = NULL;

  albums = pbi_immich_client_list_albums_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (albums == NULL)
    {
      album_failed (self, data->slot, error);
      album_data_free (data);
      return;
    }

  /* Same-named albums can exist: prefer one we own, then the one with the
   * most photos (the one people use), then the first. */
  for (guint i = 0; i < albums->len; i++)
    {
      PbiImmichAlbum *album = g_ptr_array_index (albums, i);

      if (g_strcmp0 (album->name, data->slot->name) != 0)
        continue;
      if (found == NULL)
        found = album;
      else
        {
          gboolean mine = g_strcmp0 (album->owner_id, self->user_id) == 0;
          gboolean found_mine = g_strcmp0 (found->owner_id, self->user_id) == 0;

          if ((mine && !found_mine) ||
              (mine == found_mine && album->asset_count > found->asset_count))
            found = album;
        }
    }

  if (found != NULL)
    {
      g_debug ("Using Immich album \"%s\" (%s)", found->name, found->id);
      album_resolved (self, data->slot, found->id);
      album_data_free (data);
      return;
    }

  pbi_immich_client_create_album_async (self->client, data->slot->name, NULL, self->cancellable,
                                        create_album_cb, data);
}

static void
add_to_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AlbumData *data = user_data;
  PbiEngine *self = data->self;
  AlbumSlot *slot = data->slot;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GHashTable) outcome = NULL;

  results = pbi_immich_client_add_to_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  slot->flushing = FALSE;

  if (results == NULL)
    {
      /* put the batch back in front of the slot's list */
      for (guint i = data->jobs->len; i > 0; i--)
        g_ptr_array_insert (slot->jobs, 0, g_ptr_array_index (data->jobs, i - 1));
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          album_data_free (data);
          return;
        }

      if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND))
        {
          g_autofree gchar *server = g_strdup (pbi_immich_client_get_api_url (self->client));

          /* the album was deleted on the server: find or create it again */
          g_message ("Immich album \"%s\" is gone from the server; looking for it again",
                     slot->name);
          pbi_store_album_forget (self->store, server, slot->name, NULL);
          g_clear_pointer (&slot->id, g_free);
          _pbi_engine_schedule_pump (self);
        }
      else
        album_failed (self, slot, error);
      album_data_free (data);
      return;
    }

  outcome = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < results->len; i++)
    {
      PbiImmichAlbumAddResult *res = g_ptr_array_index (results, i);
      g_hash_table_insert (outcome, res->id, res);
    }

  for (guint i = 0; i < data->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (data->jobs, i);
      PbiImmichAlbumAddResult *res = g_hash_table_lookup (outcome, job->asset_id);

      if (res == NULL || res->success || g_strcmp0 (res->error, "duplicate") == 0)
        album_job_done (self, job);
      else
        {
          g_autofree gchar *msg = g_strdup_printf (_("could not add %s to the album \"%s\": %s"),
                                                   _pbi_engine_job_basename (job), slot->name,
                                                   res->error);
          pbi_log_error ("immich %s", msg);
          job->attempts++;
          _pbi_engine_job_finish (self, job, PBI_FILE_STATE_FAILED, msg);
        }
    }
  album_data_free (data);
  _pbi_engine_schedule_pump (self);
}

static void
flush_album (PbiEngine *self,
             AlbumSlot *slot)
{
  AlbumData *data;
  g_autoptr(GStrvBuilder) ids = NULL;
  g_auto(GStrv) idv = NULL;
  guint n;

  if (slot->resolving || slot->flushing || slot->jobs->len == 0)
    return;

  data = g_new0 (AlbumData, 1);
  data->self = g_object_ref (self);
  data->slot = slot;

  if (slot->id == NULL)
    {
      g_autofree gchar *server = g_strdup (pbi_immich_client_get_api_url (self->client));
      g_autofree gchar *cached = pbi_store_album_get (self->store, server, slot->name);

      if (cached != NULL)
        slot->id = g_steal_pointer (&cached);
      else
        {
          slot->resolving = TRUE;
          pbi_immich_client_list_albums_async (self->client, self->cancellable,
                                               list_albums_cb, data);
          return;
        }
    }

  n = MIN (slot->jobs->len, ALBUM_BATCH_MAX);
  data->jobs = g_ptr_array_new ();
  ids = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      Job *job = g_ptr_array_index (slot->jobs, i);
      g_ptr_array_add (data->jobs, job);
      g_strv_builder_add (ids, job->asset_id);
    }
  g_ptr_array_remove_range (slot->jobs, 0, n);
  idv = g_strv_builder_end (ids);
  slot->flushing = TRUE;
  pbi_immich_client_add_to_album_async (self->client, slot->id, (const gchar * const *) idv,
                                        self->cancellable, add_to_album_cb, data);
}

gboolean
_pbi_engine_run_album_stage (PbiEngine *self)
{
  GHashTableIter iter;
  gpointer value;
  gboolean busy_upstream = self->uploading > 0 || !g_queue_is_empty (&self->upload_queue) ||
                           self->checking > 0;
  gboolean waiting = FALSE;

  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AlbumSlot *slot = value;

      if (slot->jobs->len == 0)
        continue;
      /* While uploads are running, photos gather for one batched add; a lone
       * capture goes straight in. */
      if (busy_upstream && slot->jobs->len < ALBUM_BATCH_MAX && slot->id != NULL)
        {
          waiting = TRUE;
          continue;
        }
      flush_album (self, slot);
    }
  return waiting;
}

static void
engine_list_albums_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *albums;

  albums = pbi_immich_client_list_albums_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (albums == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, albums, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pbi_engine_list_albums_async:
 *
 * Loads the albums the key can see, for an album picker.
 */
void
pbi_engine_list_albums_async (PbiEngine           *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PBI_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_engine_list_albums_async);
  if (!_pbi_engine_make_client (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pbi_immich_client_list_albums_async (self->client, cancellable, engine_list_albums_cb,
                                       g_steal_pointer (&task));
}

/**
 * pbi_engine_list_albums_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichAlbum): the albums
 */
GPtrArray *
pbi_engine_list_albums_finish (PbiEngine     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
