/* pbi-engine-event-private.h: what the event files of the engine
 * (pbi-engine-check.c, -share.c, -verify.c, -report.c) share
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-engine-event.h"
#include "pbi-engine-private.h"
#include "pbi-immich-client-event.h"

G_BEGIN_DECLS

/* The engine's client (made when there is none). */
PbiImmichClient *_pbi_engine_event_client         (PbiEngine            *self,
                                                   GError              **error);

/* The event album, by the album stage's rules: of the albums of that name
 * the key's user may add to (own, or shared as editor), the cached one,
 * else their own, then the oldest; else one is made when @create (also
 * when one is only shared read-only: the result's data "readonly-owner"
 * then names its owner). @user_id (nullable) saves asking who the key's user is.
 * Returns its id; *created says whether it was made. */
void             _pbi_engine_event_album_async    (PbiEngine            *self,
                                                   const gchar          *name,
                                                   const gchar          *user_id,
                                                   gboolean              create,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gchar           *_pbi_engine_event_album_finish   (PbiEngine            *self,
                                                   GAsyncResult         *result,
                                                   gboolean             *created,
                                                   GError              **error);

/* pbi-engine-check-permissions.c: the permissions the configured features
 * need, and what a missing one costs. @granted NULL: the server cannot tell
 * (before 2.0). Returns the missing required ones; *row is the check's row. */
GStrv            _pbi_engine_check_permissions    (const gchar * const  *granted,
                                                   gboolean              guest_sharing,
                                                   PbiCheckRow         **row);
gboolean         _pbi_engine_key_has_permission   (const gchar * const  *granted,
                                                   const gchar          *permission);

/* pbi-engine-report.c: orders gint64 values, for g_array_sort(). */
gint             _pbi_engine_cmp_gint64           (gconstpointer         a,
                                                   gconstpointer         b);

/* Records connection changes (connected, offline, error) and which done
 * photos were duplicates, for the report. Called once from pbi_engine_new(). */
void             _pbi_engine_events_init          (PbiEngine            *self);

G_END_DECLS
