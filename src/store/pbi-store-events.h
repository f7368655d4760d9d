/* pbi-store-events.h: the event in figures: events, connection changes,
 * per-photo timings, the guest link made per album
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-store.h"

G_BEGIN_DECLS

/* One photo as a report sees it (times in µs since the epoch). */
typedef struct
{
  gchar        *path;
  gchar        *sha1;       /* (nullable) */
  gchar        *asset_id;   /* (nullable) */
  PbiFileState  state;
  gint64        size;
  gint64        captured;   /* the file's mtime: when the camera wrote it */
  gint64        queued;     /* when first queued */
  gint64        done_at;    /* when it reached the server and its albums; 0 not yet */
  gboolean      duplicate;  /* done, and the server had it already */
} PbiStorePhoto;

/* A change of the connection: state is "connected", "offline" or "error". */
typedef struct
{
  gint64  at;
  gchar  *state;
  gchar  *message;  /* (nullable) */
} PbiStoreConnectionChange;

void       pbi_store_photo_free                (PbiStorePhoto            *photo);
void       pbi_store_connection_change_free    (PbiStoreConnectionChange *change);

/* Starts an event: a row in pbi_events, and the uploaded and duplicates
 * counters back to zero. Earlier rows stay for reports. */
gboolean   pbi_store_event_start               (PbiStore      *self,
                                                const gchar   *name,
                                                const gchar   *album,
                                                gint64         when_us,
                                                GError       **error);
/* The latest event; FALSE when none was started. */
gboolean   pbi_store_event_current             (PbiStore      *self,
                                                gchar        **name,
                                                gchar        **album,
                                                gint64        *started_us);

gboolean   pbi_store_connection_log_add        (PbiStore      *self,
                                                gint64         when_us,
                                                const gchar   *state,
                                                const gchar   *message,
                                                GError       **error);
/* Element type PbiStoreConnectionChange, oldest first; includes the last
 * change before @since_us so a state already going on is known. */
GPtrArray *pbi_store_connection_log_since      (PbiStore      *self,
                                                gint64         since_us);

/* Element type PbiStorePhoto: every row queued, captured or done since
 * @since_us (0: every row), in capture order. */
GPtrArray *pbi_store_photos_since              (PbiStore      *self,
                                                gint64         since_us);

/* Whether a done photo was a duplicate (the server had it) or sent. */
gboolean   pbi_store_photo_set_duplicate       (PbiStore      *self,
                                                const gchar   *path,
                                                gboolean       duplicate,
                                                GError       **error);

/* The guest link made for an album on a server: its id, or NULL. */
gchar     *pbi_store_shared_link_get           (PbiStore      *self,
                                                const gchar   *server,
                                                const gchar   *album_id);
gboolean   pbi_store_shared_link_set           (PbiStore      *self,
                                                const gchar   *server,
                                                const gchar   *album_id,
                                                const gchar   *link_id,
                                                GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiStorePhoto, pbi_store_photo_free)

G_END_DECLS
