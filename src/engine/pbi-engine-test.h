/* pbi-engine-test.h: Test Connection with a structured answer, for the UI
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

/**
 * PbiConnectionCheck:
 * @server_url: the normalised address that was tried
 * @server_version: (nullable): "3.2.2"
 * @user_id: (nullable): the key's user
 * @user_name: (nullable): the user's name
 * @user_email: (nullable): the user's e-mail address
 * @permissions_known: %FALSE when the server cannot say what the key may do
 *   (servers before 2.0, or a key without apiKey.read)
 * @missing_permissions: (nullable): permissions sync needs that the key
 *   lacks; %NULL or empty when none is missing
 * @certificate_fingerprint: (nullable): after a %PBI_IMMICH_ERROR_TLS
 *   failure, the SHA-256 fingerprint ("AB:CD:…") of the refused certificate
 *
 * What a connection test found out. On failure only @server_url and
 * @certificate_fingerprint may be set.
 */
typedef struct
{
  gchar    *server_url;
  gchar    *server_version;
  gchar    *user_id;
  gchar    *user_name;
  gchar    *user_email;
  gboolean  permissions_known;
  GStrv     missing_permissions;
  gchar    *certificate_fingerprint;
} PbiConnectionCheck;

void                pbi_connection_check_free          (PbiConnectionCheck  *check);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiConnectionCheck, pbi_connection_check_free)

/* Tests the server address, API key, pinned certificate and timeouts as they
 * are saved in the settings now, with a client of its own (the engine's
 * connection is left alone). Fails when no server answered as Immich with
 * that key; a key that lacks permissions succeeds with missing_permissions
 * set. *check is set either way (on a PBI_IMMICH_ERROR_TLS failure it
 * carries the refused certificate's fingerprint). */
void                pbi_engine_check_connection_async  (PbiEngine           *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            pbi_engine_check_connection_finish (PbiEngine           *self,
                                                        GAsyncResult        *result,
                                                        PbiConnectionCheck **check,
                                                        GError             **error);

G_END_DECLS
