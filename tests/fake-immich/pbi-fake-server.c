/* pbi-fake-server.c: the fake Immich server object, its listener, thread, request dispatch and faults
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules follow the real server (immich-app/immich server/src: the
 * controllers' @Authenticated permissions, the DTO validation, the global
 * exception filter), /work/shared/immich/VERSIONS.md and the answers of
 * real 3.1.0 and 2.0.1 servers recorded in tests/contract/recorded. Where
 * the fake goes further than the real server (it verifies
 * x-immich-checksum against the received bytes) the README says so.
 * pbi-fake-server-private.h lists which file owns what.
 *
 * Threading: the SoupServer, its listener and every connection live in a
 * thread of their own, with their own GMainContext. All state sits behind
 * one mutex; public functions take it and may be called from any thread.
 */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <libsoup/soup.h>
#include <nettle/base16.h>
#include <nettle/sha1.h>

#include "pbi-fake-server-private.h"

G_DEFINE_FINAL_TYPE (PbiFakeServer, pbi_fake_server, G_TYPE_OBJECT)

static void
pbi_fake_server_finalize (GObject *object)
{
  PbiFakeServer *self = PBI_FAKE_SERVER (object);

  pbi_fake_server_stop (self);

  g_free (self->version);
  g_ptr_array_unref (self->user_order);
  g_ptr_array_unref (self->key_order);
  g_ptr_array_unref (self->links);
  g_hash_table_unref (self->route_counts);
  g_free (self->external_domain);
  g_ptr_array_unref (self->album_order);
  g_ptr_array_unref (self->asset_order);
  g_hash_table_unref (self->by_checksum);
  g_hash_table_unref (self->users);
  g_hash_table_unref (self->keys);
  g_hash_table_unref (self->albums);
  g_hash_table_unref (self->assets);
  g_hash_table_unref (self->sockets);
  g_clear_object (&self->tls_cert);
  g_free (self->base_url);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->start_cond);

  G_OBJECT_CLASS (pbi_fake_server_parent_class)->finalize (object);
}

static void
pbi_fake_server_class_init (PbiFakeServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pbi_fake_server_finalize;
}

static void
pbi_fake_server_init (PbiFakeServer *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->start_cond);
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) _pbi_fake_user_free);
  self->user_order = g_ptr_array_new ();
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) _pbi_fake_key_free);
  self->key_order = g_ptr_array_new ();
  self->links = g_ptr_array_new_with_free_func ((GDestroyNotify) _pbi_fake_link_free);
  self->route_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->disk_size = G_GUINT64_CONSTANT (1) << 40;
  self->disk_available = -1;
  self->keep_original_max = FAKE_KEEP_ORIGINAL_MAX;
  self->albums = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) _pbi_fake_album_free);
  self->album_order = g_ptr_array_new ();
  self->assets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) _pbi_fake_asset_free);
  self->by_checksum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->asset_order = g_ptr_array_new ();
  self->sockets = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  _pbi_fake_faults_clear (&self->faults);
}

/**
 * pbi_fake_server_new:
 * @api_version: "MAJOR.MINOR.PATCH"
 *
 * Returns: (transfer full): a stopped fake server speaking @api_version.
 */
PbiFakeServer *
pbi_fake_server_new (const gchar *api_version)
{
  PbiFakeServer *self;
  guint64 v[3] = { 0, 0, 0 };
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (api_version != NULL, NULL);

  parts = g_strsplit (api_version[0] == 'v' ? api_version + 1 : api_version, ".", 3);
  for (guint i = 0; i < 3 && parts[i] != NULL; i++)
    v[i] = g_ascii_strtoull (parts[i], NULL, 10);

  self = g_object_new (PBI_TYPE_FAKE_SERVER, NULL);
  self->version = g_strdup_printf ("%u.%u.%u", (guint) v[0], (guint) v[1], (guint) v[2]);
  self->major = v[0];
  self->minor = v[1];
  self->patch = v[2];
  if (self->major >= 3)
    self->family = FAMILY_V3;
  else if (self->major == 2 || self->minor >= 106)
    self->family = FAMILY_V2;
  else
    self->family = FAMILY_V1;
  return self;
}


/* ------------------------------------------------------------------ */
/* Requests                                                            */

static void
request_ctx_free (RequestCtx *ctx)
{
  g_clear_pointer (&ctx->parser, _pbi_fake_multipart_free);
  g_free (ctx->parts.name);
  if (ctx->parts.field != NULL)
    g_string_free (ctx->parts.field, TRUE);
  g_hash_table_unref (ctx->parts.fields);
  g_clear_pointer (&ctx->parts.sha1, g_free);
  if (ctx->parts.data != NULL)
    g_byte_array_unref (ctx->parts.data);
  g_free (ctx->parts.checksum);
  g_free (ctx->parts.filename);
  g_free (ctx);
}

#define MAX_FIELD_BYTES (256 * 1024)

static void
part_begin_cb (const gchar *name,
               const gchar *filename,
               gpointer     user_data)
{
  RequestCtx *ctx = user_data;
  UploadParts *p = &ctx->parts;

  g_free (p->name);
  p->name = g_strdup (name != NULL ? name : "");
  p->is_asset = FALSE;
  p->is_field = FALSE;
  if (g_strcmp0 (name, "assetData") == 0 && filename != NULL)
    {
      p->is_asset = TRUE;
      p->asset_parts++;
      g_clear_pointer (&p->sha1, g_free);
      p->sha1 = g_new (struct sha1_ctx, 1);
      sha1_init (p->sha1);
      g_free (p->filename);
      p->filename = g_strdup (filename);
      p->asset_size = 0;
      g_clear_pointer (&p->data, g_byte_array_unref);
      p->keep_max = ctx->self->keep_original_max;
      if (p->keep_max > 0)
        p->data = g_byte_array_new ();
    }
  else if (filename != NULL)
    {
      if (g_strcmp0 (name, "sidecarData") == 0)
        p->has_sidecar = TRUE;
    }
  else
    {
      p->is_field = TRUE;
      if (p->field == NULL)
        p->field = g_string_new (NULL);
      g_string_truncate (p->field, 0);
    }
}

static void
part_data_cb (const guint8 *data,
              gsize         len,
              gpointer      user_data)
{
  RequestCtx *ctx = user_data;
  UploadParts *p = &ctx->parts;

  if (p->is_asset)
    {
      sha1_update (p->sha1, len, (const guint8 *) data);
      p->asset_size += len;
      /* small originals are kept for GET /assets/{id}/original */
      if (p->data != NULL && p->asset_size <= p->keep_max)
        g_byte_array_append (p->data, data, len);
      else
        g_clear_pointer (&p->data, g_byte_array_unref);
    }
  else if (p->is_field && p->field->len + len <= MAX_FIELD_BYTES)
    {
      g_string_append_len (p->field, (const gchar *) data, len);
    }
}

static void
part_end_cb (gpointer user_data)
{
  RequestCtx *ctx = user_data;
  UploadParts *p = &ctx->parts;

  if (p->is_asset)
    {
      guint8 digest[SHA1_DIGEST_SIZE];
      gchar hex[BASE16_ENCODE_LENGTH (SHA1_DIGEST_SIZE) + 1];

      sha1_digest (p->sha1, sizeof digest, digest);
      base16_encode_update (hex, sizeof digest, digest);
      hex[sizeof hex - 1] = '\0';
      g_free (p->checksum);
      p->checksum = g_strdup (hex);
      g_clear_pointer (&p->sha1, g_free);
    }
  else if (p->is_field)
    {
      g_hash_table_replace (p->fields, g_strdup (p->name), g_strdup (p->field->str));
    }
  p->is_asset = FALSE;
  p->is_field = FALSE;
}

static gboolean
is_upload_route (PbiFakeServer *self,
                 const gchar   *method,
                 const gchar   *path)
{
  if (g_strcmp0 (method, "POST") != 0)
    return FALSE;
  if (self->family == FAMILY_V1)
    return g_strcmp0 (path, "/api/asset/upload") == 0;
  return g_strcmp0 (path, "/api/assets") == 0;
}

static GSocket *
message_socket (PbiFakeServer     *self,
                SoupServerMessage *msg)
{
  return soup_server_message_get_socket (msg);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              RequestCtx        *ctx)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (ctx->dropped)
    return;
  ctx->received += len;
  if (ctx->drop)
    {
      guint64 threshold = ctx->content_length > 0 ? (guint64) ctx->content_length / 2 : 1;

      if (ctx->received >= threshold)
        {
          GSocket *sock = message_socket (ctx->self, msg);

          ctx->dropped = TRUE;
          g_debug ("fake-immich: dropping the connection after %" G_GUINT64_FORMAT " bytes",
                   ctx->received);
          if (sock != NULL)
            g_socket_shutdown (sock, TRUE, TRUE, NULL);
          return;
        }
    }
  if (ctx->parser != NULL && !ctx->parse_error)
    {
      if (!_pbi_fake_multipart_feed (ctx->parser, data, len))
        ctx->parse_error = TRUE;
    }
}

static const gchar nginx_413[] =
  "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
  "<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n"
  "</body>\r\n</html>\r\n";

static gboolean
linger_done_cb (gpointer user_data)
{
  GIOStream *conn = user_data;

  g_io_stream_close (conn, NULL, NULL);
  g_object_unref (conn);
  return G_SOURCE_REMOVE;
}

/* nginx's lingering close: after a 413 the connection stays open a while
 * (lingering_timeout, 5 s) for whatever the client still sends, then
 * closes. Held here for 2 s. */
static void
linger_after_413_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  GIOStream *conn = soup_server_message_steal_connection (msg);

  if (conn != NULL)
    g_timeout_add_seconds (2, linger_done_cb, conn);
}

/* Runs after the request headers, before the body. */
static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const gchar       *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  PbiFakeServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *method = soup_server_message_get_method (msg);
  RequestCtx *ctx;
  guint64 max_body;
  gboolean drop = FALSE;

  if (g_str_has_prefix (path, "/__fake/")
      || g_object_get_data (G_OBJECT (msg), "pbi-fake-refused") != NULL)
    return;

  ctx = g_new0 (RequestCtx, 1);
  ctx->self = self;
  ctx->parts.fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx->content_length = soup_message_headers_get_content_length (headers);
  g_object_set_data_full (G_OBJECT (msg), "pbi-fake-request", ctx,
                          (GDestroyNotify) request_ctx_free);

  g_mutex_lock (&self->lock);
  max_body = self->faults.max_body_bytes;
  if (max_body > 0 && ctx->content_length > 0 && (guint64) ctx->content_length > max_body)
    {
      /* As nginx does with client_max_body_size: 413 on the headers,
       * before the body, so a client that sent "Expect: 100-continue"
       * never sends it, then a lingering close. (libsoup 3.2's client
       * crashed on this answer in 15 of 100 runs, and on every one while
       * the connection lingered, until the client closed such answers
       * itself: pbi-immich-client-request.c, close_answer.) The
       * answer is counted like every other: a test asks how often a
       * refused photo was sent again. */
      self->requests++;
      _pbi_fake_count_route_locked (self, method, path);
      g_mutex_unlock (&self->lock);
      ctx->too_large = TRUE;
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      soup_server_message_set_response (msg, HTML_TYPE, SOUP_MEMORY_STATIC,
                                        nginx_413, strlen (nginx_413));
      soup_server_message_set_status (msg, 413, NULL);
      g_signal_connect (msg, "wrote-body", G_CALLBACK (linger_after_413_cb), NULL);
      return;
    }
  ctx->is_upload = is_upload_route (self, method, path);
  if (ctx->is_upload && self->faults.drop_mid_body > 0)
    {
      self->faults.drop_mid_body--;
      drop = TRUE;
    }
  g_mutex_unlock (&self->lock);

  ctx->drop = drop;
  if (ctx->is_upload)
    {
      g_autoptr(GHashTable) params = NULL;
      const gchar *ctype = soup_message_headers_get_content_type (headers, &params);
      const gchar *boundary = params != NULL ? g_hash_table_lookup (params, "boundary") : NULL;

      if (g_strcmp0 (ctype, "multipart/form-data") == 0 && boundary != NULL && *boundary != '\0')
        ctx->parser = _pbi_fake_multipart_new (boundary, part_begin_cb, part_data_cb,
                                               part_end_cb, ctx);
      else
        ctx->parse_error = TRUE;
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
    }
  if (ctx->is_upload || drop)
    g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), ctx);
}

/* ---- dispatch ---- */

typedef struct
{
  SoupServerMessage *msg;   /* (owned) */
  Reply              reply;
} Delayed;

/* The correlation id header every /api answer carries: 3.x
 * X-Correlation-ID, before x-immich-cid; an error body's correlationId
 * is the same id. */
static void
set_cid_header (PbiFakeServer     *self,
                SoupServerMessage *msg,
                Reply             *r)
{
  SoupMessageHeaders *hdrs = soup_server_message_get_response_headers (msg);

  if (r->cid == NULL)
    r->cid = _pbi_fake_random_cid ();
  soup_message_headers_replace (hdrs, self->family == FAMILY_V3 ? "X-Correlation-ID"
                                                                : "x-immich-cid", r->cid);
}

static void
apply_reply (SoupServerMessage *msg,
             Reply             *r)
{
  SoupMessageHeaders *hdrs = soup_server_message_get_response_headers (msg);

  if (r->close)
    soup_message_headers_replace (hdrs, "Connection", "close");
  if (r->body != NULL)
    {
      gsize len = r->body_len > 0 ? r->body_len : strlen (r->body);

      soup_server_message_set_response (msg, r->content_type, SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&r->body), len);
    }
  soup_server_message_set_status (msg, r->status, NULL);
}

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *d = user_data;

  apply_reply (d->msg, &d->reply);
  soup_server_message_unpause (d->msg);
  return G_SOURCE_REMOVE;
}

static void
delayed_free (Delayed *d)
{
  _pbi_fake_reply_clear (&d->reply);
  g_object_unref (d->msg);
  g_free (d);
}

static const gchar web_ui_html[] =
  "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Immich</title></head>\n"
  "<body><div id=\"app\">Immich (fake-immich test server)</div></body>\n</html>\n";

static const gchar captive_portal_html[] =
  "<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi</title></head>\n"
  "<body><h1>Welcome!</h1><p>Please accept the terms of use to continue.</p>\n"
  "<form method=\"post\" action=\"/login\"><button>Accept</button></form></body></html>\n";

static const gchar *
nginx_phrase (guint status)
{
  switch (status)
    {
    case 500: return "500 Internal Server Error";
    case 502: return "502 Bad Gateway";
    case 503: return "503 Service Temporarily Unavailable";
    case 504: return "504 Gateway Time-out";
    default:  return NULL;
    }
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const gchar       *path,
            GHashTable        *query,
            gpointer           user_data)
{
  PbiFakeServer *self = user_data;
  RequestCtx *ctx = g_object_get_data (G_OBJECT (msg), "pbi-fake-request");
  Reply r = { 0, };
  guint delay_ms = 0;
  gboolean garbage = FALSE;
  gboolean api;

  if (g_object_get_data (G_OBJECT (msg), "pbi-fake-refused") != NULL)
    return;   /* its connection was refused: nothing may happen */
  if (ctx != NULL && ctx->dropped)
    return;
  if (ctx != NULL && ctx->too_large)
    return;   /* answered 413 on its headers */

  if (g_str_has_prefix (path, "/__fake/"))
    {
      _pbi_fake_route_control (self, msg, path, &r);
      apply_reply (msg, &r);
      _pbi_fake_reply_clear (&r);
      return;
    }

  api = g_str_has_prefix (path, "/api/") || g_strcmp0 (path, "/api") == 0
        || g_strcmp0 (path, "/.well-known/immich") == 0;

  g_mutex_lock (&self->lock);
  self->requests++;
  if (api)
    {
      Faults *f = &self->faults;

      if (f->clock_offset_s != 0)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          g_autoptr(GDateTime) at = g_date_time_add_seconds (now, (gdouble) f->clock_offset_s);
          g_autofree gchar *date = soup_date_time_to_string (at, SOUP_DATE_HTTP);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Date", date);
        }
      delay_ms = f->latency_ms + f->stall_ms;
      f->stall_ms = 0;
      if (f->html > 0)
        {
          f->html--;
          _pbi_fake_reply_text (&r, 200, HTML_TYPE, captive_portal_html);
        }
      else if (f->error_5xx_count > 0)
        {
          const gchar *phrase = nginx_phrase (f->error_5xx_status);
          g_autofree gchar *page = NULL;

          f->error_5xx_count--;
          if (phrase == NULL)
            phrase = soup_status_get_phrase (f->error_5xx_status);
          page = g_strdup_printf ("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n"
                                  "<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n"
                                  "</body>\r\n</html>\r\n", phrase, phrase);
          _pbi_fake_reply_text (&r, f->error_5xx_status, HTML_TYPE, page);
          if (f->retry_after >= 0)
            {
              g_autofree gchar *ra = g_strdup_printf ("%d", f->retry_after);

              soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                            "Retry-After", ra);
            }
        }
      else
        {
          if (f->garbage_json > 0)
            {
              f->garbage_json--;
              garbage = TRUE;
            }
          if (g_strcmp0 (path, "/.well-known/immich") == 0)
            {
              _pbi_fake_reply_text (&r, 200, JSON_TYPE, "{\"api\":{\"endpoint\":\"/api\"}}");
            }
          else
            {
              _pbi_fake_route_api (self, msg, path, query, ctx, &r);
              set_cid_header (self, msg, &r);
            }
        }
    }
  g_mutex_unlock (&self->lock);

  if (!api)
    _pbi_fake_reply_text (&r, 200, HTML_TYPE, web_ui_html);

  if (garbage)
    {
      gsize len = r.body != NULL ? strlen (r.body) : 0;

      if (len < 2)
        {
          g_free (r.body);
          r.body = g_strdup ("{\"");
        }
      else
        {
          r.body[len / 2] = '\0';
        }
      r.status = 200;
      r.content_type = JSON_TYPE;
    }

  if (delay_ms > 0)
    {
      Delayed *d = g_new0 (Delayed, 1);
      GSource *source = g_timeout_source_new (delay_ms);

      d->msg = g_object_ref (msg);
      d->reply = r;
      soup_server_message_pause (msg);
      g_source_set_callback (source, delayed_cb, d, (GDestroyNotify) delayed_free);
      g_source_attach (source, self->context);
      g_source_unref (source);
      return;
    }
  apply_reply (msg, &r);
  _pbi_fake_reply_clear (&r);
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */

static gboolean listen_again_cb (gpointer user_data);

static void
go_down (PbiFakeServer *self,
         guint          ms)
{
  GSource *source;

  /* closes the listening socket and every client connection */
  soup_server_disconnect (self->soup);
  if (self->down_source != NULL)
    {
      g_source_destroy (self->down_source);
      g_clear_pointer (&self->down_source, g_source_unref);
    }
  source = g_timeout_source_new (ms);
  g_source_set_callback (source, listen_again_cb, self, NULL);
  g_source_attach (source, self->context);
  self->down_source = source;
}

typedef struct
{
  PbiFakeServer *self;
  guint          ms;
} DownRequest;

static gboolean
go_down_cb (gpointer user_data)
{
  DownRequest *req = user_data;

  if (req->self->soup != NULL)
    go_down (req->self, req->ms);
  return G_SOURCE_REMOVE;
}

/* Lock held: the server thread goes down for ms, then listens again. */
void
_pbi_fake_go_down_later (PbiFakeServer *self,
                         guint          ms)
{
  DownRequest *req;
  GSource *source;

  if (self->context == NULL)
    return;
  req = g_new0 (DownRequest, 1);
  source = g_idle_source_new ();
  req->self = self;
  req->ms = ms;
  g_source_set_callback (source, go_down_cb, req, g_free);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ------------------------------------------------------------------ */
/* Listener and thread                                                 */

/* libsoup 3.2 leaks the socket (and its file descriptor) of a keep-alive
 * connection the client closes while the server waits for its next
 * request. Every connection's GSocket is kept here; a sweep closes those
 * whose peer has gone (EOF pending) and forgets those libsoup closed. */
static gboolean
sweep_sockets_cb (gpointer user_data)
{
  PbiFakeServer *self = user_data;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->sockets);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      GSocket *sock = key;
      GIOCondition cond;
      gchar byte;
      gssize n;

      if (g_socket_is_closed (sock))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      cond = g_socket_condition_check (sock, G_IO_IN | G_IO_HUP | G_IO_ERR);
      if (cond == 0)
        continue;
      n = recv (g_socket_get_fd (sock), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        {
          g_socket_close (sock, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
close_all_sockets (PbiFakeServer *self)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->sockets);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_socket_is_closed (key))
        g_socket_close (key, NULL);
      g_hash_table_iter_remove (&iter);
    }
}

/* The first request on a connection: set it up, or refuse it. */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    PbiFakeServer     *self)
{
  GSocket *sock = soup_server_message_get_socket (msg);
  gboolean refuse = FALSE;

  if (sock == NULL || g_hash_table_contains (self->sockets, sock))
    return;
  g_hash_table_add (self->sockets, g_object_ref (sock));

  g_mutex_lock (&self->lock);
  self->connections++;
  if (self->faults.refuse_connections > 0)
    {
      self->faults.refuse_connections--;
      refuse = TRUE;
    }
  g_mutex_unlock (&self->lock);
  if (refuse)
    {
      g_debug ("fake-immich: refusing a connection");
      g_object_set_data (G_OBJECT (msg), "pbi-fake-refused", GINT_TO_POINTER (1));
      g_socket_shutdown (sock, TRUE, TRUE, NULL);
      return;
    }
  /* libsoup sets TCP_NODELAY itself on accepted sockets; be explicit */
  g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static gboolean
listen_on_port (PbiFakeServer *self,
                guint          port,
                GError       **error)
{
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GSList *uris;

  if (self->tls_cert != NULL)
    options |= SOUP_SERVER_LISTEN_HTTPS;
  if (!soup_server_listen_local (self->soup, port, options, error))
    return FALSE;
  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

static gboolean
listen_again_cb (gpointer user_data)
{
  PbiFakeServer *self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->down_source, g_source_unref);
  for (guint i = 0; i < 50; i++)
    {
      g_clear_error (&error);
      if (listen_on_port (self, self->port, &error))
        return G_SOURCE_REMOVE;
      g_usleep (20000);
    }
  g_message ("fake-immich: could not listen again on port %u: %s", self->port, error->message);
  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer data)
{
  PbiFakeServer *self = data;
  g_autoptr(GError) error = NULL;
  guint want_port = self->port;

  g_main_context_push_thread_default (self->context);

  self->soup = soup_server_new ("server-header", "fake-immich ", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  self->sweep_source = g_timeout_source_new (200);
  g_source_set_callback (self->sweep_source, sweep_sockets_cb, self, NULL);
  g_source_attach (self->sweep_source, self->context);
  if (self->tls_cert != NULL)
    soup_server_set_tls_certificate (self->soup, self->tls_cert);
  g_mutex_lock (&self->lock);
  if (!listen_on_port (self, want_port, &error))
    {
      self->start_error = g_steal_pointer (&error);
      self->start_done = TRUE;
      g_cond_broadcast (&self->start_cond);
      g_mutex_unlock (&self->lock);
      goto out;
    }
  g_free (self->base_url);
  self->base_url = g_strdup_printf ("%s://127.0.0.1:%u", self->tls_cert != NULL ? "https" : "http",
                                    self->port);
  self->start_done = TRUE;
  g_cond_broadcast (&self->start_cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

out:
  if (self->down_source != NULL)
    {
      g_source_destroy (self->down_source);
      g_clear_pointer (&self->down_source, g_source_unref);
    }
  if (self->sweep_source != NULL)
    {
      g_source_destroy (self->sweep_source);
      g_clear_pointer (&self->sweep_source, g_source_unref);
    }
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  close_all_sockets (self);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Public API: life cycle                                              */

gboolean
pbi_fake_server_set_tls (PbiFakeServer  *self,
                         const gchar    *cert_file,
                         const gchar    *key_file,
                         GError        **error)
{
  GTlsCertificate *cert = NULL;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  if (cert_file != NULL)
    {
      cert = g_tls_certificate_new_from_files (cert_file, key_file, error);
      if (cert == NULL)
        return FALSE;
    }
  g_mutex_lock (&self->lock);
  g_clear_object (&self->tls_cert);
  self->tls_cert = cert;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

const gchar *
pbi_fake_server_get_test_certificate_file (void)
{
  return PBI_FAKE_IMMICH_SRCDIR "/test-cert.pem";
}

const gchar *
pbi_fake_server_get_test_key_file (void)
{
  return PBI_FAKE_IMMICH_SRCDIR "/test-key.pem";
}

gboolean
pbi_fake_server_use_test_certificate (PbiFakeServer  *self,
                                      GError        **error)
{
  return pbi_fake_server_set_tls (self, pbi_fake_server_get_test_certificate_file (),
                                  pbi_fake_server_get_test_key_file (), error);
}

gboolean
pbi_fake_server_start (PbiFakeServer  *self,
                       guint           port,
                       GError        **error)
{
  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->port = port;
  self->start_done = FALSE;
  g_clear_error (&self->start_error);

  g_mutex_lock (&self->lock);
  _pbi_fake_first_user_locked (self);
  self->thread = g_thread_new ("pbi-fake-server", server_thread, self);
  while (!self->start_done)
    g_cond_wait (&self->start_cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_clear_pointer (&self->loop, g_main_loop_unref);
      g_clear_pointer (&self->context, g_main_context_unref);
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      return FALSE;
    }
  self->running = TRUE;
  return TRUE;
}

void
pbi_fake_server_stop (PbiFakeServer *self)
{
  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  if (!self->running)
    return;
  g_main_loop_quit (self->loop);
  g_thread_join (g_steal_pointer (&self->thread));
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_unlock (&self->lock);
  self->running = FALSE;
}

const gchar *
pbi_fake_server_get_base_url (PbiFakeServer *self)
{
  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  return self->base_url;
}

guint
pbi_fake_server_get_port (PbiFakeServer *self)
{
  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), 0);
  return self->port;
}

const gchar *
pbi_fake_server_get_api_version (PbiFakeServer *self)
{
  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  return self->version;
}
