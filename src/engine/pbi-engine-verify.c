/* pbi-engine-verify.c: after the event, every local photo against the
 * server: one bulk checksum check per 5,000 photos, then the album: from
 * 1.106 every asset is put into it again, 5,000 a request (the server
 * answers "duplicate" for those it holds and adds the others back; listing
 * the album would be a full asset record of about 1 kB per photo), 1.x
 * lists it; then the fixes: photos the server lost are queued and sent
 * again, trashed ones restored, and photos of the folder not synced yet
 * (never queued, failed, refused) sent.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-engine-event-private.h"
#include "pbi-store-events.h"

typedef struct
{
  gchar    *path;
  gchar    *sha1;
  gchar    *asset_id;     /* (nullable) the server's, once known */
  gboolean  on_server;
  gboolean  in_album;
  gboolean  lost;         /* to send: the server lost it, or it was never synced */
  gboolean  unsent;       /* not synced before (no finished row) */
  gboolean  trashed;
} Photo;

typedef struct
{
  PbiImmichClient *client;     /* (owned) */
  GPtrArray       *photos;     /* (owned) Photo */
  gchar           *album_name;
  gchar           *album_id;
  GPtrArray       *to_add;     /* (owned) asset ids (borrowed from photos) */
  guint            put_from;   /* photos[put_from, put_next) are in the current batch */
  guint            put_next;
  PbiVerifyResult  result;
} Verify;

static void
photo_free (Photo *p)
{
  g_free (p->path);
  g_free (p->sha1);
  g_free (p->asset_id);
  g_free (p);
}

static void
verify_free (Verify *v)
{
  g_clear_object (&v->client);
  g_clear_pointer (&v->photos, g_ptr_array_unref);
  g_clear_pointer (&v->to_add, g_ptr_array_unref);
  g_free (v->album_name);
  g_free (v->album_id);
  g_free (v);
}

static void
finish (GTask *task)
{
  Verify *v = g_task_get_task_data (task);

  v->result.photos = v->photos->len;
  v->result.on_server = 0;
  v->result.in_album = 0;
  v->result.still_missing = 0;
  for (guint i = 0; i < v->photos->len; i++)
    {
      Photo *p = g_ptr_array_index (v->photos, i);

      v->result.on_server += p->on_server;
      v->result.in_album += p->in_album;
      if (!p->on_server || !p->in_album)
        v->result.still_missing++;
    }
  g_task_return_pointer (task, pbi_verify_result_copy (&v->result),
                         (GDestroyNotify) pbi_verify_result_free);
}

static void
resent_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *v = g_task_get_task_data (task);
  g_autoptr(PbiSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = pbi_engine_sync_files_finish (PBI_ENGINE (object), result, &error);
  if (summary == NULL)
    g_message ("Sending the lost photos again failed: %s", error->message);
  for (guint i = 0; i < v->photos->len; i++)
    {
      Photo *p = g_ptr_array_index (v->photos, i);
      g_autoptr(PbiFileRecord) rec = NULL;

      if (!p->lost)
        continue;
      rec = _pbi_engine_get_record (PBI_ENGINE (object), p->path);
      if (rec != NULL && (rec->state == PBI_FILE_STATE_DONE
                          || rec->state == PBI_FILE_STATE_DUPLICATE))
        p->on_server = p->in_album = TRUE;
    }
  finish (task);
}

static void
resend_lost (GTask *task)
{
  PbiEngine *self = g_task_get_source_object (task);
  Verify *v = g_task_get_task_data (task);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (guint i = 0; i < v->photos->len; i++)
    {
      Photo *p = g_ptr_array_index (v->photos, i);
      g_autoptr(PbiFileRecord) rec = NULL;

      if (!p->lost)
        continue;
      rec = pbi_store_file_get (self->store, p->path);
      if (rec != NULL)
        pbi_store_file_set_state (self->store, rec->id, PBI_FILE_STATE_PENDING, NULL,
                                  p->unsent ? NULL : _("the server had lost it; queued again"),
                                  0, NULL);
      g_ptr_array_add (paths, p->path);
      if (p->unsent)
        v->result.unsent++;
      else
        v->result.requeued++;
    }
  if (paths->len == 0)
    {
      finish (task);
      g_object_unref (task);
      return;
    }
  g_message ("%u photo(s) the server had lost and %u not synced yet are sent",
             v->result.requeued, v->result.unsent);
  g_ptr_array_add (paths, NULL);
  pbi_engine_sync_files_async (self, (const gchar * const *) paths->pdata, v->album_name,
                               g_task_get_cancellable (task), resent_cb, task);
}

/* Marks photos[from, to) that @results (an album add's answer) put or
 * found in the album; those it put there count as added back, and so do
 * "duplicate" ones when @duplicate_is_added (the album's listing had said
 * they were missing). */
static void
mark_in_album (Verify    *v,
               GPtrArray *results,
               guint      from,
               guint      to,
               gboolean   duplicate_is_added)
{
  g_autoptr(GHashTable) added = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) held = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < results->len; i++)
    {
      PbiImmichAlbumAddResult *r = g_ptr_array_index (results, i);

      if (r->success || (duplicate_is_added && g_strcmp0 (r->error, "duplicate") == 0))
        g_hash_table_add (added, r->id);
      else if (g_strcmp0 (r->error, "duplicate") == 0)
        g_hash_table_add (held, r->id);
    }
  for (guint i = from; i < to; i++)
    {
      Photo *p = g_ptr_array_index (v->photos, i);

      if (p->in_album || p->asset_id == NULL || p->lost)
        continue;
      if (g_hash_table_contains (added, p->asset_id))
        {
          p->in_album = TRUE;
          v->result.added_back++;
        }
      else if (g_hash_table_contains (held, p->asset_id))
        p->in_album = TRUE;
    }
}

static void
added_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *v = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;

  results = pbi_immich_client_add_to_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (results == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  mark_in_album (v, results, 0, v->photos->len, TRUE);
  if (v->result.added_back > 0)
    g_message ("%u photo(s) added back to the album \"%s\"", v->result.added_back, v->album_name);
  resend_lost (g_object_ref (task));
}

static void
add_back (GTask *task)
{
  Verify *v = g_task_get_task_data (task);

  pbi_immich_client_add_to_album_async (v->client, v->album_id,
                                        (const gchar * const *) v->to_add->pdata,
                                        g_task_get_cancellable (task), added_cb,
                                        g_object_ref (task));
}

static void
v1_restored_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!pbi_immich_client_restore_assets_finish (PBI_IMMICH_CLIENT (object), result, &error))
    g_debug ("Restoring before adding back: %s", error->message);
  add_back (task);
}

static void
album_assets_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *v = g_task_get_task_data (task);
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GHashTable) in_album = g_hash_table_new (g_str_hash, g_str_equal);
  GError *error = NULL;

  assets = pbi_immich_client_list_album_assets_finish (PBI_IMMICH_CLIENT (object), result,
                                                       &error);
  if (assets == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < assets->len; i++)
    g_hash_table_add (in_album, ((PbiImmichAssetInfo *) g_ptr_array_index (assets, i))->id);
  v->to_add = g_ptr_array_new ();
  for (guint i = 0; i < v->photos->len; i++)
    {
      Photo *p = g_ptr_array_index (v->photos, i);

      if (p->asset_id == NULL || p->lost)
        continue;
      p->in_album = g_hash_table_contains (in_album, p->asset_id);
      if (!p->in_album)
        g_ptr_array_add (v->to_add, p->asset_id);
    }
  if (v->to_add->len == 0)
    {
      resend_lost (g_object_ref (task));
      return;
    }
  g_ptr_array_add (v->to_add, NULL);
  if (pbi_immich_client_get_api_family (v->client) == PBI_IMMICH_API_V1)
    {
      /* 1.x's bulk check does not tell a trashed asset, and an album lists
       * none: restoring what the album lacks first is harmless and brings a
       * trashed one back (counted as added back) */
      pbi_immich_client_restore_assets_async (v->client,
                                              (const gchar * const *) v->to_add->pdata,
                                              g_task_get_cancellable (task), v1_restored_cb,
                                              g_object_ref (task));
      return;
    }
  add_back (task);
}

static void put_next (GTask *task);

static void
put_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *v = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;

  results = pbi_immich_client_add_to_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (results == NULL && v->put_from == 0)
    {
      /* e.g. a key that may read the album but not add to it: list it */
      g_debug ("Putting the photos into the album again: %s; listing it", error->message);
      g_error_free (error);
      pbi_immich_client_list_album_assets_async (v->client, v->album_id,
                                                 g_task_get_cancellable (task), album_assets_cb,
                                                 g_object_ref (task));
      return;
    }
  if (results == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  mark_in_album (v, results, v->put_from, v->put_next, FALSE);
  put_next (g_object_ref (task));
}

/* (transfer full) @task */
static void
put_next (GTask *task)
{
  Verify *v = g_task_get_task_data (task);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  guint i;

  for (i = v->put_next; i < v->photos->len && ids->len < PBI_IMMICH_BULK_CHECK_BATCH; i++)
    {
      Photo *p = g_ptr_array_index (v->photos, i);

      if (p->asset_id != NULL && !p->lost)
        g_ptr_array_add (ids, p->asset_id);
    }
  v->put_from = v->put_next;
  v->put_next = i;
  if (ids->len == 0)
    {
      if (v->result.added_back > 0)
        g_message ("%u photo(s) added back to the album \"%s\"", v->result.added_back,
                   v->album_name);
      resend_lost (task);
      return;
    }
  g_ptr_array_add (ids, NULL);
  pbi_immich_client_add_to_album_async (v->client, v->album_id,
                                        (const gchar * const *) ids->pdata,
                                        g_task_get_cancellable (task), put_cb, task);
}

static void
album_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Verify *v = g_task_get_task_data (task);
  GError *error = NULL;

  v->album_id = _pbi_engine_event_album_finish (PBI_ENGINE (object), result, NULL, &error);
  if (v->album_id == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (pbi_immich_client_get_api_family (v->client) != PBI_IMMICH_API_V1)
    {
      put_next (g_object_ref (task));
      return;
    }
  pbi_immich_client_list_album_assets_async (v->client, v->album_id,
                                             g_task_get_cancellable (task), album_assets_cb,
                                             g_object_ref (task));
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  Verify *v = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pbi_immich_client_restore_assets_finish (PBI_IMMICH_CLIENT (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < v->photos->len; i++)
    {
      Photo *p = g_ptr_array_index (v->photos, i);

      if (p->trashed)
        {
          p->on_server = TRUE;
          v->result.restored++;
        }
    }
  g_message ("%u photo(s) restored from the server's trash", v->result.restored);
  _pbi_engine_event_album_async (self, v->album_name, NULL, TRUE,
                                 g_task_get_cancellable (task), album_cb, g_object_ref (task));
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  Verify *v = g_task_get_task_data (task);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) trashed = g_ptr_array_new ();
  GError *error = NULL;

  results = pbi_immich_client_bulk_check_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (results == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < results->len; i++)
    {
      PbiImmichCheckResult *r = g_ptr_array_index (results, i);
      guint64 index = g_ascii_strtoull (r->id, NULL, 10);
      Photo *p;

      if (index >= v->photos->len)
        continue;
      p = g_ptr_array_index (v->photos, index);

      if (r->accepted)
        {
          p->lost = TRUE;
          continue;
        }
      if (r->asset_id != NULL)
        {
          g_free (p->asset_id);
          p->asset_id = g_strdup (r->asset_id);
        }
      if (r->is_trashed)
        {
          p->trashed = TRUE;
          g_ptr_array_add (trashed, p->asset_id);
        }
      else
        p->on_server = TRUE;
    }
  if (trashed->len > 0)
    {
      g_ptr_array_add (trashed, NULL);
      pbi_immich_client_restore_assets_async (v->client, (const gchar * const *) trashed->pdata,
                                              g_task_get_cancellable (task), restored_cb,
                                              g_object_ref (task));
      return;
    }
  _pbi_engine_event_album_async (self, v->album_name, NULL, TRUE,
                                 g_task_get_cancellable (task), album_cb, g_object_ref (task));
}

/* @paths: (nullable) the folder's photos; NULL: every photo in the queue */
static void
start_checks (GTask     *task,
              GPtrArray *paths)
{
  PbiEngine *self = g_task_get_source_object (task);
  Verify *v = g_task_get_task_data (task);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) by_path = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean scanned = paths != NULL;
  GError *error = NULL;

  _pbi_engine_flush_records (self);
  /* every row at once: one query, not one per photo */
  rows = pbi_store_photos_since (self->store, 0);
  for (guint i = 0; i < rows->len; i++)
    {
      PbiStorePhoto *row = g_ptr_array_index (rows, i);

      g_hash_table_insert (by_path, row->path, row);
    }
  if (paths == NULL)
    {
      paths = g_ptr_array_new ();
      for (guint i = 0; i < rows->len; i++)
        g_ptr_array_add (paths, ((PbiStorePhoto *) g_ptr_array_index (rows, i))->path);
    }
  else
    g_ptr_array_ref (paths);
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_check_item_free);
  for (guint i = 0; i < paths->len; i++)
    {
      const gchar *path = g_ptr_array_index (paths, i);
      PbiStorePhoto *rec;
      Photo *p;

      if (!scanned && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;   /* gone from the booth: nothing to compare */
      rec = g_hash_table_lookup (by_path, path);
      p = g_new0 (Photo, 1);
      p->path = g_strdup (path);
      if (rec != NULL && rec->sha1 != NULL
          && (rec->state == PBI_FILE_STATE_DONE || rec->state == PBI_FILE_STATE_DUPLICATE))
        {
          g_autofree gchar *id = g_strdup_printf ("%u", v->photos->len);

          p->sha1 = g_strdup (rec->sha1);
          p->asset_id = g_strdup (rec->asset_id);
          g_ptr_array_add (items, pbi_immich_check_item_new (id, p->sha1));
        }
      else
        p->lost = p->unsent = TRUE;
      g_ptr_array_add (v->photos, p);
    }
  g_ptr_array_unref (paths);
  if (v->client == NULL)
    v->client = _pbi_engine_event_client (self, &error);
  if (v->client == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (v->photos->len == 0)
    {
      finish (task);
      g_object_unref (task);
      return;
    }
  if (items->len == 0)
    {
      resend_lost (task);
      return;
    }
  pbi_immich_client_bulk_check_async (v->client, items, g_task_get_cancellable (task),
                                      checked_cb, task);
}

static void
scanned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  GError *error = NULL;

  entries = pbi_scanner_scan_finish (PBI_SCANNER (object), result, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (paths, ((PbiScanEntry *) g_ptr_array_index (entries, i))->path);
  start_checks (task, paths);
}

void
pbi_engine_verify_async (PbiEngine           *self,
                         const gchar         *folder,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  Verify *v;

  g_return_if_fail (PBI_IS_ENGINE (self));
  task = _pbi_engine_task_new (self, pbi_engine_verify_async, cancellable, callback,
                               user_data);
  v = g_new0 (Verify, 1);
  v->photos = g_ptr_array_new_with_free_func ((GDestroyNotify) photo_free);
  v->album_name = g_strdup (pbi_engine_get_album_name (self));
  g_task_set_task_data (task, v, (GDestroyNotify) verify_free);

  if (folder != NULL)
    {
      g_autoptr(GFile) root = g_file_new_for_commandline_arg (folder);
      g_auto(GStrv) exts = pbi_engine_dup_media_extensions (self);
      g_autoptr(PbiScanner) scanner = pbi_scanner_new (root, (const gchar * const *) exts);

      pbi_scanner_scan_async (scanner, cancellable, scanned_cb, task);
      return;
    }
  start_checks (task, NULL);
}

/**
 * pbi_engine_verify_finish:
 *
 * Returns: (transfer full): the tally
 */
PbiVerifyResult *
pbi_engine_verify_finish (PbiEngine     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_verify_async, error);
}
