/* pbi-engine-albums.c: the album stage of PbiEngine: taking a duplicate out of the
 * server's trash first, resolving album names to ids (cache, list, only albums
 * the key's user may add to, create), batching adds per album, and what happens
 * when an add fails (one re-resolve, then the album is given up on for the
 * run); also list_albums for the picker.
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
  g_free (slot->lost_id);
  g_free (slot->blocked);
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

/* New settings or retry-failed: albums given up on are tried again, each
 * with one more re-resolve. */
void
_pbi_engine_albums_unblock (PbiEngine *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AlbumSlot *slot = value;

      g_clear_pointer (&slot->blocked, g_free);
      g_clear_pointer (&slot->lost_id, g_free);
      slot->reresolved = FALSE;
    }
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

/* ------------------------------------------------------------------------ */
/* Out of the trash, before the albums                                        */

typedef struct
{
  PbiEngine *self;    /* (owned) */
  GPtrArray *jobs;    /* (element-type Job) */
} RestoreData;

/* A photo whose copy sits in the server's trash is synced only once the copy
 * is out of it: the server deletes trashed assets for good when the trash
 * is emptied. So the album stage waits for the restore, and a restore that
 * fails makes the photo fail (kept for retry), never "duplicate". */
static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  RestoreData *data = user_data;
  PbiEngine *self = data->self;
  g_autoptr(GError) error = NULL;

  if (!pbi_immich_client_restore_assets_finish (PBI_IMMICH_CLIENT (object), result, &error))
    {
      for (guint i = 0; i < data->jobs->len; i++)
        {
          Job *job = g_ptr_array_index (data->jobs, i);
          g_autofree gchar *msg = NULL;

          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              _pbi_engine_error_is_connection (error))
            {
              _pbi_engine_job_network_failed (self, job, error);
              continue;
            }
          job->busy = FALSE;
          job->attempts++;
          msg = g_strdup_printf (_("%s is in the server's trash and could not be taken out of "
                                   "it: %s. Until it is, the server deletes it for good when "
                                   "the trash is emptied; the photo is tried again later"),
                                 _pbi_engine_job_basename (job), error->message);
          pbi_log_error ("immich %s", msg);
          _pbi_engine_job_finish (self, job, PBI_FILE_STATE_FAILED, msg);
        }
    }
  else
    for (guint i = 0; i < data->jobs->len; i++)
      {
        Job *job = g_ptr_array_index (data->jobs, i);

        job->busy = FALSE;
        _pbi_engine_queue_for_albums (self, job);
      }
  _pbi_engine_schedule_pump (self);
  g_ptr_array_unref (data->jobs);
  g_object_unref (data->self);
  g_free (data);
}

void
_pbi_engine_restore_then_add (PbiEngine *self,
                              GPtrArray *jobs)
{
  RestoreData *data = g_new0 (RestoreData, 1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;

  data->self = g_object_ref (self);
  data->jobs = g_ptr_array_ref (jobs);
  for (guint i = 0; i < jobs->len; i++)
    {
      Job *job = g_ptr_array_index (jobs, i);

      job->busy = TRUE;
      g_strv_builder_add (builder, job->asset_id);
    }
  ids = g_strv_builder_end (builder);
  pbi_immich_client_restore_assets_async (self->client, (const gchar * const *) ids,
                                          self->cancellable, restore_cb, data);
}

/* ------------------------------------------------------------------------ */
/* Albums: batching                                                           */

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
  PbiEngine      *self;      /* (owned) */
  AlbumSlot      *slot;
  GPtrArray      *jobs;      /* (element-type Job) */
  PbiImmichAlbum *readonly;  /* (owned) (nullable) a same-named album we may not add to */
} AlbumData;

static void
album_data_free (AlbumData *data)
{
  g_object_unref (data->self);
  g_clear_pointer (&data->jobs, g_ptr_array_unref);
  g_clear_pointer (&data->readonly, pbi_immich_album_free);
  g_free (data);
}

/* One of the job's albums is settled: added (@error NULL) or not. The photo
 * is done when it is in every album; it fails (kept for retry) when any add
 * failed, once every album has answered, so no album holds a finished job. */
static void
album_job_settle (PbiEngine   *self,
                  Job         *job,
                  const gchar *error)
{
  g_assert (job->albums_left > 0);
  if (error != NULL && job->album_error == NULL)
    job->album_error = g_strdup (error);
  if (--job->albums_left > 0)
    return;
  if (job->album_error != NULL)
    {
      g_autofree gchar *msg = g_steal_pointer (&job->album_error);

      job->attempts++;
      _pbi_engine_job_finish (self, job, PBI_FILE_STATE_FAILED, msg);
    }
  else
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

/* Every photo waiting for the album fails with @reason (kept for retry, with
 * the pipeline's backoff); the album is not asked for again until the
 * settings change or retry-failed, so a retried photo costs no album request. */
static void
album_block (PbiEngine   *self,
             AlbumSlot   *slot,
             const gchar *reason)
{
  g_autoptr(GPtrArray) jobs = NULL;

  slot->resolving = FALSE;
  slot->flushing = FALSE;
  if (slot->blocked == NULL)
    {
      slot->blocked = g_strdup (reason);
      pbi_log_error ("immich album \"%s\": %s", slot->name, reason);
      _pbi_engine_set_album_notice (self, reason);
    }
  jobs = g_steal_pointer (&slot->jobs);
  slot->jobs = g_ptr_array_new ();
  for (guint i = 0; i < jobs->len; i++)
    {
      Job *job = g_ptr_array_index (jobs, i);
      g_autofree gchar *msg = g_strdup_printf (_("%s is on the server but not in the album "
                                                 "\"%s\": %s"), _pbi_engine_job_basename (job),
                                               slot->name, slot->blocked);

      album_job_settle (self, job, msg);
    }
}

static void
album_failed (PbiEngine    *self,
              AlbumSlot    *slot,
              const GError *error)
{
  slot->resolving = FALSE;
  slot->flushing = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* a missing album permission is this album's problem: the others go on */
  if (_pbi_engine_error_is_fatal_config (error) &&
      !g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION))
    _pbi_engine_go_error (self, error);
  else if (_pbi_engine_error_is_connection (error))
    _pbi_engine_go_offline (self, error);
  else
    album_block (self, slot, error->message);
}

static const gchar *
album_owner_label (const PbiImmichAlbum *album)
{
  if (album->owner_email != NULL)
    return album->owner_email;
  if (album->owner_name != NULL)
    return album->owner_name;
  return _("another user");
}

static void
create_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AlbumData *data = user_data;
  PbiEngine *self = data->self;
  AlbumSlot *slot = data->slot;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichAlbum) album = NULL;
  g_autofree gchar *why = NULL;

  album = pbi_immich_client_create_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (data->readonly != NULL)
    why = g_strdup_printf (_("Album \"%s\" on the server belongs to %s and is shared with you "
                             "read-only"), slot->name, album_owner_label (data->readonly));
  else if (slot->lost_id != NULL)
    why = g_strdup_printf (_("Album \"%s\" on the server no longer takes photos from this key "
                             "(its owner stopped sharing it with you)"), slot->name);

  if (album == NULL)
    {
      if (why != NULL && g_error_matches (error, PBI_IMMICH_ERROR,
                                          PBI_IMMICH_ERROR_MISSING_PERMISSION))
        {
          g_autofree gchar *msg = g_strdup_printf (_("%s, and this key may not create your own: "
                                                     "%s"), why, error->message);
          album_block (self, slot, msg);
        }
      else
        album_failed (self, slot, error);
    }
  else
    {
      g_message ("Created Immich album \"%s\"", album->name);
      if (why != NULL)
        {
          g_autofree gchar *notice = g_strdup_printf (_("%s; created your own album \"%s\""), why,
                                                      album->name);
          g_message ("%s", notice);
          _pbi_engine_set_album_notice (self, notice);
        }
      album_resolved (self, slot, album->id);
    }
  album_data_free (data);
}

/* Which writable album of several comes first: the key's user's own, then
 * the oldest (ISO 8601 dates compare as text), then by id. The album stage
 * and the event album (pbi-engine-event.c) pick the same way. */
gint
_pbi_engine_compare_writable_albums (const PbiImmichAlbum *a,
                                     const PbiImmichAlbum *b,
                                     const gchar          *user_id)
{
  gboolean a_mine = pbi_immich_album_get_access (a, user_id) == PBI_IMMICH_ALBUM_ACCESS_OWNER;
  gboolean b_mine = pbi_immich_album_get_access (b, user_id) == PBI_IMMICH_ALBUM_ACCESS_OWNER;
  gint c;

  if (a_mine != b_mine)
    return a_mine ? -1 : 1;
  if (a->created_at != NULL && b->created_at != NULL)
    {
      c = g_strcmp0 (a->created_at, b->created_at);
      if (c != 0)
        return c;
    }
  else if (a->created_at != NULL || b->created_at != NULL)
    return a->created_at != NULL ? -1 : 1;
  return g_strcmp0 (a->id, b->id);
}

static void
list_albums_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AlbumData *data = user_data;
  PbiEngine *self = data->self;
  AlbumSlot *slot = data->slot;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) albums = NULL;
  PbiImmichAlbum *found = NULL;
  guint n_writable = 0;

  albums = pbi_immich_client_list_albums_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (albums == NULL)
    {
      album_failed (self, slot, error);
      album_data_free (data);
      return;
    }

  /* Only albums the key's user may add photos to are candidates: their
   * own, or shared with them as editor (1.x: any shared user). */
  for (guint i = 0; i < albums->len; i++)
    {
      PbiImmichAlbum *album = g_ptr_array_index (albums, i);
      PbiImmichAlbumAccess access;

      if (g_strcmp0 (album->name, slot->name) != 0)
        continue;
      access = pbi_immich_album_get_access (album, self->user_id);
      if (access == PBI_IMMICH_ALBUM_ACCESS_OWNER || access == PBI_IMMICH_ALBUM_ACCESS_EDITOR)
        {
          n_writable++;
          if (found == NULL || _pbi_engine_compare_writable_albums (album, found, self->user_id) < 0)
            found = album;
        }
      else if (access == PBI_IMMICH_ALBUM_ACCESS_VIEWER && data->readonly == NULL)
        data->readonly = pbi_immich_album_copy (album);
    }

  if (found != NULL)
    {
      if (n_writable > 1)
        g_message ("%u Immich albums are named \"%s\" and take photos from this key; using %s "
                   "(%s, created %s): the key's user's own albums come first, then the oldest",
                   n_writable, slot->name, found->id,
                   pbi_immich_album_get_access (found, self->user_id) ==
                   PBI_IMMICH_ALBUM_ACCESS_OWNER ? "yours" : "shared with you as editor",
                   found->created_at != NULL ? found->created_at : "at an unknown time");
      else
        g_debug ("Using Immich album \"%s\" (%s)", found->name, found->id);
      album_resolved (self, slot, found->id);
      album_data_free (data);
      return;
    }

  pbi_immich_client_create_album_async (self->client, slot->name, NULL, self->cancellable,
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
      gboolean gone = g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND);
      gboolean no_access = g_error_matches (error, PBI_IMMICH_ERROR,
                                            PBI_IMMICH_ERROR_NO_ALBUM_ACCESS);

      /* put the batch back in front of the slot's list */
      for (guint i = data->jobs->len; i > 0; i--)
        g_ptr_array_insert (slot->jobs, 0, g_ptr_array_index (data->jobs, i - 1));
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          album_data_free (data);
          return;
        }

      if ((gone || no_access) && !slot->reresolved)
        {
          g_autofree gchar *server = g_strdup (pbi_immich_client_get_api_url (self->client));

          /* once per album and run: find (or make) an album we may add to */
          slot->reresolved = TRUE;
          if (gone)
            g_message ("Immich album \"%s\" was deleted on the server; finding or creating it "
                       "again", slot->name);
          else
            g_message ("This key may no longer add photos to the Immich album \"%s\" (%s); "
                       "looking for one it may add to", slot->name, error->message);
          pbi_store_album_forget (self->store, server, slot->name, NULL);
          g_free (slot->lost_id);
          slot->lost_id = NULL;
          if (no_access)  /* told in plain words if our own is made instead */
            slot->lost_id = g_steal_pointer (&slot->id);
          g_clear_pointer (&slot->id, g_free);
          _pbi_engine_schedule_pump (self);
        }
      else if (gone || no_access)
        {
          g_autofree gchar *msg = g_strdup_printf (_("%s (again, after it was looked up once "
                                                     "more in this run); the photos stay queued "
                                                     "and are tried again after the settings "
                                                     "change, on retry-failed or at the next "
                                                     "start"), error->message);
          album_block (self, slot, msg);
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
      g_autofree gchar *msg = NULL;

      if (res == NULL)
        msg = g_strdup_printf (_("the server did not say whether %s went into the album \"%s\"; "
                                 "it is tried again"), _pbi_engine_job_basename (job),
                               slot->name);
      else if (res->success || g_strcmp0 (res->error, "duplicate") == 0)
        {
          album_job_settle (self, job, NULL);
          continue;
        }
      else if (g_strcmp0 (res->error, "no_permission") == 0 ||
               g_strcmp0 (res->error, "not_found") == 0)
        /* album.service addAssets: an asset the user does not own (any
         * more) is "no_permission": ours was deleted since the upload */
        msg = g_strdup_printf (_("%s was uploaded, but the server no longer has it (deleted "
                                 "since; adding it to the album \"%s\" answered %s); it is "
                                 "uploaded again on the next try"),
                               _pbi_engine_job_basename (job), slot->name, res->error);
      else
        msg = g_strdup_printf (_("could not add %s to the album \"%s\": %s"),
                               _pbi_engine_job_basename (job), slot->name, res->error);
      pbi_log_error ("immich %s", msg);
      album_job_settle (self, job, msg);
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
  if (slot->blocked != NULL)
    {
      /* given up on for this run: no request, the photos fail at once */
      album_block (self, slot, slot->blocked);
      return;
    }

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

  task = _pbi_engine_task_new (self, pbi_engine_list_albums_async, cancellable, callback,
                               user_data);
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
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_list_albums_async, error);
}
