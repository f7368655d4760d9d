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

/* A user's id by email (or id); NULL when there is none. */
gchar         *pbi_fake_server_find_user         (PbiFakeServer  *self,
                                                  const gchar    *email);

/* Server-side operations a test needs to set up a situation. A user
 * argument is a user id or an email; NULL = the first user (the admin). */
gchar         *pbi_fake_server_create_album      (PbiFakeServer  *self,
                                                  const gchar    *owner_user_id,
                                                  const gchar    *name);
/* An album owned by owner and shared: (user, role) pairs, NULL-terminated,
 * role "editor" or "viewer". Returns the album's id. */
gchar         *pbi_fake_server_create_shared_album (PbiFakeServer *self,
                                                    const gchar   *owner_user_id,
                                                    const gchar   *name,
                                                    const gchar   *first_user_id,
                                                    ...) G_GNUC_NULL_TERMINATED;
void           pbi_fake_server_delete_album      (PbiFakeServer  *self,
                                                  const gchar    *album_id);
/* Puts an asset in an album, or takes it out (as another member would). */
void           pbi_fake_server_add_to_album      (PbiFakeServer  *self,
                                                  const gchar    *album_id,
                                                  const gchar    *asset_id);
void           pbi_fake_server_remove_from_album (PbiFakeServer  *self,
                                                  const gchar    *album_id,
                                                  const gchar    *asset_id);
/* To the trash (restorable), or gone for good (as DELETE /assets force). */
void           pbi_fake_server_trash_asset       (PbiFakeServer  *self,
                                                  const gchar    *asset_id);
void           pbi_fake_server_remove_asset      (PbiFakeServer  *self,
                                                  const gchar    *asset_id);
/* GET /server/config externalDomain ("" = none, the default); shared-link
 * pages are <externalDomain or base URL>/share/<key>. */
void           pbi_fake_server_set_external_domain (PbiFakeServer *self,
                                                    const gchar   *domain);
/* GET /server/storage: disk size, and the free space (-1 = the size minus
 * the stored bytes, the default). */
void           pbi_fake_server_set_storage       (PbiFakeServer  *self,
                                                  guint64         disk_size,
                                                  gint64          disk_available);
/* Before start: originals up to @max_bytes are kept for
 * GET /assets/{id}/original (default 8 MiB; 0 = none, for runs of many
 * assets). */
void           pbi_fake_server_set_keep_originals (PbiFakeServer *self,
                                                   guint64        max_bytes);
/* How many requests a route got: method "PUT", route
 * "/api/albums/{id}/assets" (every UUID in a path counts as {id}). The
 * same counts are "routes" in GET /__fake/state. */
guint          pbi_fake_server_get_route_count   (PbiFakeServer  *self,
                                                  const gchar    *method,
                                                  const gchar    *route);
void           pbi_fake_server_reset_route_counts (PbiFakeServer *self);

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

/* Shares an album with another user, or changes that user's role; role
 * "editor" or "viewer". Unsharing removes the user from the album. */
void           pbi_fake_server_share_album       (PbiFakeServer  *self,
                                                  const gchar    *album_id,
                                                  const gchar    *user_id,
                                                  const gchar    *role);
void           pbi_fake_server_unshare_album     (PbiFakeServer  *self,
                                                  const gchar    *album_id,
                                                  const gchar    *user_id);
/* The normalised "MAJOR.MINOR.PATCH" the server speaks. */
const gchar   *pbi_fake_server_get_api_version   (PbiFakeServer  *self);

G_END_DECLS
