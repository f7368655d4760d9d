/* pbi-fake-server.h: a stateful fake Immich server on SoupServer, for tests
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PBI_TYPE_FAKE_SERVER (pbi_fake_server_get_type ())

G_DECLARE_FINAL_TYPE (PbiFakeServer, pbi_fake_server, PBI, FAKE_SERVER, GObject)

/* api_version: "1.94.0", "1.118.0", "2.7.5", "3.2.2", ... picks the route
 * family, multipart fields, validation rules and error bodies. */
PbiFakeServer *pbi_fake_server_new               (const gchar    *api_version);

/* A user owning keys. Returns the user's id. */
gchar         *pbi_fake_server_add_user          (PbiFakeServer  *self,
                                                  const gchar    *email,
                                                  const gchar    *name);
/* permissions: NULL or empty = ["all"]. user_id NULL = the first user
 * (created as "photobooth@example.com" when there is none). */
void           pbi_fake_server_add_api_key       (PbiFakeServer  *self,
                                                  const gchar    *user_id,
                                                  const gchar    *key,
                                                  const gchar * const *permissions);

/* Certificate and key PEM files for https; NULL for plain http. */
gboolean       pbi_fake_server_set_tls           (PbiFakeServer  *self,
                                                  const gchar    *cert_file,
                                                  const gchar    *key_file,
                                                  GError        **error);

/* The committed test-only self-signed certificate (SAN IP:127.0.0.1 and
 * DNS:localhost, valid for 100 years) and its key, as absolute paths.
 * A client trusts the fake's https with a GTlsFileDatabase made from
 * the certificate file. */
const gchar   *pbi_fake_server_get_test_certificate_file (void);
const gchar   *pbi_fake_server_get_test_key_file         (void);
/* pbi_fake_server_set_tls() with the two files above. */
gboolean       pbi_fake_server_use_test_certificate      (PbiFakeServer  *self,
                                                          GError        **error);

/* Listens on 127.0.0.1 (port 0 = any free port) and serves from a thread of
 * its own with its own GMainContext, so a test's main loop and the fake
 * never wait on each other. Every public function is thread-safe. */
gboolean       pbi_fake_server_start             (PbiFakeServer  *self,
                                                  guint           port,
                                                  GError        **error);
void           pbi_fake_server_stop              (PbiFakeServer  *self);

/* "http://127.0.0.1:PORT" (or https), without /api. */
const gchar   *pbi_fake_server_get_base_url      (PbiFakeServer  *self);
guint          pbi_fake_server_get_port          (PbiFakeServer  *self);

/* The same JSON GET /__fake/state serves. (transfer full) */
JsonNode      *pbi_fake_server_dup_state         (PbiFakeServer  *self);

/* The same JSON body POST /__fake/faults takes. */
gboolean       pbi_fake_server_set_faults_json   (PbiFakeServer  *self,
                                                  const gchar    *json,
                                                  GError        **error);

/* Server-side operations a test needs to set up a situation. */
gchar         *pbi_fake_server_create_album      (PbiFakeServer  *self,
                                                  const gchar    *owner_user_id,
                                                  const gchar    *name);
void           pbi_fake_server_delete_album      (PbiFakeServer  *self,
                                                  const gchar    *album_id);
void           pbi_fake_server_trash_asset       (PbiFakeServer  *self,
                                                  const gchar    *asset_id);

/* An asset already on the server (as if uploaded earlier), for duplicate
 * situations. sha1_hex: 40 hex digits; owner NULL = the first user.
 * Returns the asset's id. */
gchar         *pbi_fake_server_add_asset         (PbiFakeServer  *self,
                                                  const gchar    *owner_user_id,
                                                  const gchar    *sha1_hex,
                                                  guint64         size,
                                                  const gchar    *filename);
/* Clears every fault, as POST /__fake/reset. */
void           pbi_fake_server_reset_faults      (PbiFakeServer  *self);

/* Shares an album with another user; role "editor" or "viewer". */
void           pbi_fake_server_share_album       (PbiFakeServer  *self,
                                                  const gchar    *album_id,
                                                  const gchar    *user_id,
                                                  const gchar    *role);
/* The normalised "MAJOR.MINOR.PATCH" the server speaks. */
const gchar   *pbi_fake_server_get_api_version   (PbiFakeServer  *self);

G_END_DECLS
