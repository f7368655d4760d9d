/* pbi-store-events.c: PbiStore's event tables: pbi_events (new-event),
 * pbi_connection_log (outages for the report), per-photo capture and done
 * times (pbi_files.done_at, kept by triggers), pbi_shared_links.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pbi-store-events.h"
#include "pbi-store-private.h"

void
pbi_store_photo_free (PbiStorePhoto *photo)
{
  if (photo == NULL)
    return;
  g_free (photo->path);
  g_free (photo->sha1);
  g_free (photo->asset_id);
  g_free (photo);
}

void
pbi_store_connection_change_free (PbiStoreConnectionChange *change)
{
  if (change == NULL)
    return;
  g_free (change->state);
  g_free (change->message);
  g_free (change);
}

gboolean
pbi_store_event_start (PbiStore     *self,
                       const gchar  *name,
                       const gchar  *album,
                       gint64        when_us,
                       GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;
  g_autoptr(PbiStmt) reset = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && album != NULL, FALSE);

  if (!pbi_store_begin (self, error))
    return FALSE;
  stmt = _pbi_store_get_stmt (self, "INSERT INTO pbi_events (name, album, started) "
                                    "VALUES (?1, ?2, ?3)", error);
  if (stmt == NULL)
    goto fail;
  _pbi_store_bind_text (stmt, 1, name);
  _pbi_store_bind_text (stmt, 2, album);
  sqlite3_bind_int64 (stmt, 3, when_us);
  if (!_pbi_store_step_done (self, stmt, "start an event", error))
    goto fail;
  reset = _pbi_store_get_stmt (self, "DELETE FROM pbi_counters "
                                     "WHERE name IN ('uploaded', 'duplicates')", error);
  if (reset == NULL || !_pbi_store_step_done (self, reset, "reset the counters", error))
    goto fail;
  return pbi_store_commit (self, error);

fail:
  pbi_store_rollback (self);
  return FALSE;
}

gboolean
pbi_store_event_current (PbiStore  *self,
                         gchar    **name,
                         gchar    **album,
                         gint64    *started_us)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  stmt = _pbi_store_get_stmt (self, "SELECT name, album, started FROM pbi_events "
                                    "ORDER BY id DESC LIMIT 1", NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  if (name != NULL)
    *name = _pbi_store_column_dup (stmt, 0);
  if (album != NULL)
    *album = _pbi_store_column_dup (stmt, 1);
  if (started_us != NULL)
    *started_us = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

gboolean
pbi_store_connection_log_add (PbiStore     *self,
                              gint64        when_us,
                              const gchar  *state,
                              const gchar  *message,
                              GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  stmt = _pbi_store_get_stmt (self, "INSERT INTO pbi_connection_log (at, state, message) "
                                    "VALUES (?1, ?2, ?3)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, when_us);
  _pbi_store_bind_text (stmt, 2, state);
  if (message != NULL)
    _pbi_store_bind_text (stmt, 3, message);
  return _pbi_store_step_done (self, stmt, "record a connection change", error);
}

GPtrArray *
pbi_store_connection_log_since (PbiStore *self,
                                gint64    since_us)
{
  g_autoptr(PbiStmt) stmt = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_store_connection_change_free);

  g_return_val_if_fail (PBI_IS_STORE (self), out);
  stmt = _pbi_store_get_stmt (self,
                              "SELECT at, state, message FROM pbi_connection_log "
                              "WHERE id >= coalesce((SELECT max(id) FROM pbi_connection_log "
                              "                      WHERE at < ?1), 0) "
                              "ORDER BY id", NULL);
  if (stmt == NULL)
    return out;
  sqlite3_bind_int64 (stmt, 1, since_us);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      PbiStoreConnectionChange *c = g_new0 (PbiStoreConnectionChange, 1);

      c->at = sqlite3_column_int64 (stmt, 0);
      c->state = _pbi_store_column_dup (stmt, 1);
      c->message = _pbi_store_column_dup (stmt, 2);
      g_ptr_array_add (out, c);
    }
  return out;
}

GPtrArray *
pbi_store_photos_since (PbiStore *self,
                        gint64    since_us)
{
  g_autoptr(PbiStmt) stmt = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_store_photo_free);
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), out);
  stmt = _pbi_store_get_stmt (self,
                              "SELECT path, sha1, asset_id, state, size, mtime, created, "
                              "  coalesce(done_at, 0), "
                              "  path IN (SELECT path FROM pbi_duplicates) FROM pbi_files "
                              "WHERE ?1 = 0 OR mtime >= ?1 OR created >= ?1 OR done_at >= ?1 "
                              "ORDER BY mtime, id", &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return out;
    }
  sqlite3_bind_int64 (stmt, 1, since_us);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      PbiStorePhoto *p = g_new0 (PbiStorePhoto, 1);
      g_autofree gchar *state = _pbi_store_column_dup (stmt, 3);

      p->path = _pbi_store_column_dup (stmt, 0);
      p->sha1 = _pbi_store_column_dup_compact (stmt, 1);
      p->asset_id = _pbi_store_column_dup_compact (stmt, 2);
      if (!pbi_file_state_from_string (state, &p->state))
        p->state = PBI_FILE_STATE_PENDING;
      p->size = sqlite3_column_int64 (stmt, 4);
      p->captured = sqlite3_column_int64 (stmt, 5);
      p->queued = sqlite3_column_int64 (stmt, 6);
      p->done_at = sqlite3_column_int64 (stmt, 7);
      p->duplicate = sqlite3_column_int (stmt, 8) != 0;
      g_ptr_array_add (out, p);
    }
  return out;
}

gboolean
pbi_store_photo_set_duplicate (PbiStore     *self,
                               const gchar  *path,
                               gboolean      duplicate,
                               GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  stmt = _pbi_store_get_stmt (self, duplicate
                              ? "INSERT OR IGNORE INTO pbi_duplicates (path) VALUES (?1)"
                              : "DELETE FROM pbi_duplicates WHERE path = ?1", error);
  if (stmt == NULL)
    return FALSE;
  _pbi_store_bind_text (stmt, 1, path);
  return _pbi_store_step_done (self, stmt, "record a duplicate", error);
}

gchar *
pbi_store_shared_link_get (PbiStore    *self,
                           const gchar *server,
                           const gchar *album_id)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  stmt = _pbi_store_get_stmt (self, "SELECT link_id FROM pbi_shared_links "
                                    "WHERE server = ?1 AND album_id = ?2", NULL);
  if (stmt == NULL)
    return NULL;
  _pbi_store_bind_text (stmt, 1, server);
  _pbi_store_bind_text (stmt, 2, album_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return _pbi_store_column_dup (stmt, 0);
}

/* link_id NULL forgets the link */
gboolean
pbi_store_shared_link_set (PbiStore     *self,
                           const gchar  *server,
                           const gchar  *album_id,
                           const gchar  *link_id,
                           GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  if (link_id == NULL)
    stmt = _pbi_store_get_stmt (self, "DELETE FROM pbi_shared_links "
                                      "WHERE server = ?1 AND album_id = ?2", error);
  else
    stmt = _pbi_store_get_stmt (self, "INSERT OR REPLACE INTO pbi_shared_links "
                                      "(server, album_id, link_id) VALUES (?1, ?2, ?3)", error);
  if (stmt == NULL)
    return FALSE;
  _pbi_store_bind_text (stmt, 1, server);
  _pbi_store_bind_text (stmt, 2, album_id);
  if (link_id != NULL)
    _pbi_store_bind_text (stmt, 3, link_id);
  return _pbi_store_step_done (self, stmt, "remember the guest link", error);
}
