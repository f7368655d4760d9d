/* pbi-store-albums.c: the album cache of PbiStore (name → album id per
 * server), the counters and the last-sync time.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pbi-store.h"
#include "pbi-store-private.h"

/* --------------------------------------------------------------- albums */

/**
 * pbi_store_album_get:
 * @self: a #PbiStore
 * @server: the server URL
 * @name: the album name
 *
 * Returns: (transfer full) (nullable): the cached album id
 */
gchar *
pbi_store_album_get (PbiStore    *self,
                     const gchar *server,
                     const gchar *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);
  g_return_val_if_fail (server != NULL && name != NULL, NULL);

  stmt = _pbi_store_get_stmt (self,
                              "SELECT album_id FROM pbi_albums WHERE server = ?1 AND name = ?2",
                              &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return NULL;
    }

  _pbi_store_bind_text (stmt, 1, server);
  _pbi_store_bind_text (stmt, 2, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _pbi_store_column_dup (stmt, 0);

  if (rc != SQLITE_DONE)
    _pbi_store_log_db_error (self, rc, "read the album cache");

  return NULL;
}

/**
 * pbi_store_album_set:
 * @self: a #PbiStore
 * @server: the server URL
 * @name: the album name
 * @album_id: the server's id of the album
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_album_set (PbiStore     *self,
                     const gchar  *server,
                     const gchar  *name,
                     const gchar  *album_id,
                     GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (server != NULL && name != NULL && album_id != NULL, FALSE);

  stmt = _pbi_store_get_stmt (self,
                              "INSERT OR REPLACE INTO pbi_albums (server, name, album_id) VALUES (?1, ?2, ?3)",
                              error);
  if (stmt == NULL)
    return FALSE;

  _pbi_store_bind_text (stmt, 1, server);
  _pbi_store_bind_text (stmt, 2, name);
  _pbi_store_bind_text (stmt, 3, album_id);
  return _pbi_store_step_done (self, stmt, "save the album cache", error);
}

/**
 * pbi_store_album_forget:
 * @self: a #PbiStore
 * @server: the server URL
 * @name: (nullable): the album name; %NULL forgets every album of @server
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_album_forget (PbiStore     *self,
                        const gchar  *server,
                        const gchar  *name,
                        GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (server != NULL, FALSE);

  if (name != NULL)
    stmt = _pbi_store_get_stmt (self, "DELETE FROM pbi_albums WHERE server = ?1 AND name = ?2",
                                error);
  else
    stmt = _pbi_store_get_stmt (self, "DELETE FROM pbi_albums WHERE server = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _pbi_store_bind_text (stmt, 1, server);
  if (name != NULL)
    _pbi_store_bind_text (stmt, 2, name);
  return _pbi_store_step_done (self, stmt, "update the album cache", error);
}

/* ------------------------------------------------------------- counters */

/**
 * pbi_store_counter_get:
 * @self: a #PbiStore
 * @name: the counter (`uploaded`, `duplicates`, ...)
 *
 * Returns: its value, 0 when never counted
 */
gint64
pbi_store_counter_get (PbiStore    *self,
                       const gchar *name)
{
  g_autoptr(GError) error = NULL;
  gint64 value = 0;

  g_return_val_if_fail (PBI_IS_STORE (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  if (!_pbi_store_query_int (self, "SELECT value FROM pbi_counters WHERE name = ?1", name, &value,
                             &error))
    g_message ("%s", error->message);

  return value;
}

/**
 * pbi_store_counter_add:
 * @self: a #PbiStore
 * @name: the counter
 * @delta: what to add (may be negative)
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_counter_add (PbiStore     *self,
                       const gchar  *name,
                       gint64        delta,
                       GError      **error)
{
  g_autoptr(PbiStmt) stmt = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  stmt = _pbi_store_get_stmt (self,
                              "INSERT INTO pbi_counters (name, value) VALUES (?1, ?2) "
                              "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                              error);
  if (stmt == NULL)
    return FALSE;

  _pbi_store_bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, delta);
  return _pbi_store_step_done (self, stmt, "save a counter", error);
}

/**
 * pbi_store_get_last_sync:
 * @self: a #PbiStore
 *
 * Returns: when a photo last reached the server, µs since the epoch; 0 never
 */
gint64
pbi_store_get_last_sync (PbiStore *self)
{
  g_autoptr(GError) error = NULL;
  gint64 when = 0;

  g_return_val_if_fail (PBI_IS_STORE (self), 0);

  if (!_pbi_store_query_int (self, "SELECT CAST(value AS INTEGER) FROM pbi_meta WHERE key = ?1",
                             "last_sync", &when, &error))
    g_message ("%s", error->message);

  return when;
}

/**
 * pbi_store_dup_last_sync_time:
 * @self: a #PbiStore
 *
 * Returns: (transfer full) (nullable): the last sync as local time, %NULL
 *   when never
 */
GDateTime *
pbi_store_dup_last_sync_time (PbiStore *self)
{
  g_autoptr(GDateTime) utc = NULL;
  gint64 when;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  when = pbi_store_get_last_sync (self);
  if (when <= 0)
    return NULL;

  utc = g_date_time_new_from_unix_utc (when / G_USEC_PER_SEC);
  if (utc == NULL)
    return NULL;

  return g_date_time_to_local (utc);
}

/**
 * pbi_store_set_last_sync:
 * @self: a #PbiStore
 * @when_us: µs since the epoch
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_last_sync (PbiStore     *self,
                         gint64        when_us,
                         GError      **error)
{
  g_autofree gchar *text = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);

  text = g_strdup_printf ("%" G_GINT64_FORMAT, when_us);
  return _pbi_store_meta_set (self, "last_sync", text, error);
}

/**
 * pbi_store_dup_album_notice:
 * @self: a #PbiStore
 *
 * Returns: (transfer full) (nullable): what the engine last had to say about
 *   the albums (a same-named album it may not write to, say), for `status`
 *   and the GUI; %NULL when nothing
 */
gchar *
pbi_store_dup_album_notice (PbiStore *self)
{
  g_autoptr(PbiStmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (PBI_IS_STORE (self), NULL);

  stmt = _pbi_store_get_stmt (self, "SELECT value FROM pbi_meta WHERE key = 'album_notice'",
                              &error);
  if (stmt == NULL)
    {
      g_message ("%s", error->message);
      return NULL;
    }
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return _pbi_store_column_dup (stmt, 0);
  return NULL;
}

/**
 * pbi_store_set_album_notice:
 * @self: a #PbiStore
 * @notice: (nullable): the text, %NULL to clear it
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pbi_store_set_album_notice (PbiStore     *self,
                            const gchar  *notice,
                            GError      **error)
{
  g_return_val_if_fail (PBI_IS_STORE (self), FALSE);
  return _pbi_store_meta_set (self, "album_notice", notice, error);
}
