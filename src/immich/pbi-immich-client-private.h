/* pbi-immich-client-private.h: client internals shared by its files and the tests
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-immich-client.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "pbi-multipart-stream.h"

G_BEGIN_DECLS

GError *_pbi_immich_error_from_transport   (const GError *error,
                                            const gchar  *host,
                                            guint         port,
                                            guint         timeout_s);
gchar  *_pbi_immich_fingerprint_of_der     (const guint8 *der,
                                            gsize         len);
gint64  _pbi_immich_parse_retry_after      (const gchar  *value,
                                            GDateTime    *now);
gchar  *_pbi_immich_find_sidecar           (const gchar  *path);
gchar  *_pbi_immich_default_device_asset_id (const gchar *basename,
                                             goffset      size);
gboolean _pbi_immich_host_is_local        (const gchar  *host);
gboolean _pbi_immich_url_warn_plain_http   (const gchar  *url);

/* ---- shared by the files of pbi-immich-client.c (split of one object) */

struct _PbiImmichClient
{
  GObject             parent_instance;

  SoupSession        *session;           /* (owned) */
  gchar              *server_url;        /* (owned) normalized, as the user typed it */
  gchar              *api_key;           /* (owned) never logged, never in a message */
  gchar              *api_url;           /* (owned) (nullable) until discovered */
  PbiImmichApiFamily  family;
  PbiImmichVersion    version;
  gboolean            have_version;
  guint               connect_timeout_s;
  guint               idle_timeout_s;
  gchar              *pinned;            /* (owned) (nullable) lower-case hex, no colons */
  gchar              *last_fingerprint;  /* (owned) (nullable) AB:CD:… of the last refused cert */
  guint               retry_after;
  GPtrArray          *discover_waiters;  /* (nullable) GTasks (owned) waiting for discovery */
};

/* ------------------------------------------------------------------ */
/* One HTTP exchange                                                   */
/* ------------------------------------------------------------------ */

typedef enum
{
  REQ_NONE         = 0,
  REQ_NO_AUTH      = 1 << 0,  /* public route: do not send the key */
  REQ_ALBUM        = 1 << 1,  /* 404 / 400 "not found" mean the album is gone */
  REQ_UPLOAD       = 1 << 2,  /* the body is a file: 413 talks about its size */
  REQ_NOT_REPEATABLE = 1 << 3, /* sending it twice would do it twice (create album) */
} RequestFlags;

typedef struct
{
  guint   status;
  gchar  *content_type;  /* (owned) (nullable) */
  GBytes *body;          /* (owned) */
  gchar  *location;      /* (owned) (nullable) */
  gchar  *retry_after;   /* (owned) (nullable) */
  gchar  *what;          /* (owned) */
  gchar  *host;          /* (owned) */
  RequestFlags flags;
  goffset body_length;
} Response;

/* ------------------------------------------------------------------ */
/* API calls with JSON                                                 */
/* ------------------------------------------------------------------ */

typedef struct
{
  JsonNode *root;
  Response *resp;
} JsonAnswer;

typedef void (*ApiStart) (GTask *task);

#define IS_V1(self) ((self)->family == PBI_IMMICH_API_V1)

gchar *_pbi_immich_fingerprint_of_certificate (GTlsCertificate *cert);
gchar *_pbi_immich_canonical_fingerprint (const gchar *fp);
void _pbi_immich_response_free (Response *r);
SoupMessage *_pbi_immich_new_message (const gchar *method,
                                      const gchar *url);
void _pbi_immich_exchange_async (PbiImmichClient       *self,
                                 SoupMessage           *msg,
                                 RequestFlags           flags,
                                 PbiMultipartStream    *body,
                                 PbiImmichProgressFunc  progress,
                                 gpointer               progress_data,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data);
Response *_pbi_immich_exchange_finish (PbiImmichClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error);
gboolean _pbi_immich_body_looks_like_html (Response *resp);
JsonNode *_pbi_immich_parse_json (Response *resp);
const gchar *_pbi_immich_obj_string (JsonObject  *obj,
                                     const gchar *member);
gboolean _pbi_immich_obj_bool (JsonObject  *obj,
                               const gchar *member,
                               gboolean    *out);
gboolean _pbi_immich_obj_uint (JsonObject  *obj,
                               const gchar *member,
                               guint       *out);
JsonObject *_pbi_immich_obj_object (JsonObject  *obj,
                                    const gchar *member);
JsonArray *_pbi_immich_obj_array (JsonObject  *obj,
                                  const gchar *member);
gchar *_pbi_immich_version_string (PbiImmichClient *self);
gboolean _pbi_immich_check_status (PbiImmichClient  *self,
                                   Response         *resp,
                                   JsonNode         *root,
                                   GError          **error);
JsonNode *_pbi_immich_response_to_json (PbiImmichClient  *self,
                                        Response         *resp,
                                        GError          **error);
GError *_pbi_immich_too_large_error (goffset size);
GError *_pbi_immich_bad_response (Response    *resp,
                                  const gchar *what_is_wrong);
void _pbi_immich_json_answer_free (JsonAnswer *a);
gchar *_pbi_immich_api_url_for (PbiImmichClient *self,
                                const gchar     *path);
void _pbi_immich_api_call_async (PbiImmichClient     *self,
                                 const gchar         *method,
                                 const gchar         *path,
                                 JsonNode            *body,
                                 RequestFlags         flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
JsonAnswer *_pbi_immich_api_call_finish (PbiImmichClient  *self,
                                         GAsyncResult     *result,
                                         GError          **error);
JsonAnswer *_pbi_immich_api_call_finish_or_return (PbiImmichClient *self,
                                                   GAsyncResult    *result,
                                                   GTask           *task);
void _pbi_immich_return_true_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data);
void _pbi_immich_ensure_api (PbiImmichClient *self,
                             GTask           *task,
                             ApiStart         start);

/* The shape of every public endpoint (see pbi-immich-client-server.c):
 *
 *   static void foo_cb (…) { answer = _pbi_immich_api_call_finish_or_return (…); … }
 *   static void foo_start (GTask *task) { _pbi_immich_task_api_call (task, "GET", path, NULL,
 *                                                                     REQ_NONE, foo_cb); }
 *   void pbi_immich_client_foo_async (self, …, cancellable, callback, user_data)
 *   {
 *     g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
 *     _pbi_immich_task_start (self, pbi_immich_client_foo_async, foo_start, data, data_free,
 *                             cancellable, callback, user_data);
 *   }
 *   Foo *pbi_immich_client_foo_finish (self, result, error)
 *   {
 *     return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_foo_async, error);
 *   }
 */
void _pbi_immich_task_start (PbiImmichClient     *self,
                             gpointer             source_tag,
                             ApiStart             start,
                             gpointer             task_data,
                             GDestroyNotify       task_data_free,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data);
gpointer _pbi_immich_task_finish_pointer (PbiImmichClient  *self,
                                          GAsyncResult     *result,
                                          gpointer          source_tag,
                                          GError          **error);
gboolean _pbi_immich_task_finish_boolean (PbiImmichClient  *self,
                                          GAsyncResult     *result,
                                          gpointer          source_tag,
                                          GError          **error);
void _pbi_immich_task_api_call (GTask               *task,
                                const gchar         *method,
                                const gchar         *path,
                                JsonNode            *body,
                                RequestFlags         flags,
                                GAsyncReadyCallback  callback);
JsonObject *_pbi_immich_node_object (JsonNode *node);
void _pbi_immich_return_bad_response (GTask       *task,
                                      Response    *resp,
                                      const gchar *what_is_wrong);
JsonNode *_pbi_immich_exchange_finish_json (PbiImmichClient  *self,
                                            GAsyncResult     *result,
                                            Response        **resp,
                                            GError          **error);
JsonNode *_pbi_immich_ids_array_node (const gchar * const *ids);
JsonNode *_pbi_immich_ids_body (const gchar * const *ids);

/* pbi-immich-client-albums.c: the task data of a call on an album's assets */
typedef struct
{
  gchar    *album_id;
  JsonNode *body;
} AlbumAssets;

AlbumAssets *_pbi_immich_album_assets_new (const gchar *album_id,
                                           JsonNode    *body);
void _pbi_immich_album_assets_free (AlbumAssets *a);
void _pbi_immich_album_assets_call (GTask               *task,
                                    const gchar         *method,
                                    GAsyncReadyCallback  callback);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, _pbi_immich_response_free)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JsonAnswer, _pbi_immich_json_answer_free)

G_END_DECLS
