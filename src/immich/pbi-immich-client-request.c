/* pbi-immich-client-request.c: one HTTP exchange of PbiImmichClient: the request
 * and its watchdog, TLS checks, the response, status to error mapping, api_call (a JSON call on the discovered API root) and the task
 * helpers every public async/finish pair goes through.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pbi-immich-client.h"
#include "pbi-immich-client-private.h"
#include "pbi-multipart-stream.h"

typedef struct
{
  PbiImmichClient       *client;           /* (owned) */
  SoupMessage           *msg;              /* (owned) */
  RequestFlags           flags;
  gchar                 *what;             /* (owned) "GET /api/server/version" */
  gchar                 *host;             /* (owned) */
  guint                  port;
  GCancellable          *cancellable;      /* (owned) ours, cancelled by the caller's */
  GCancellable          *user_cancellable; /* (owned) (nullable) */
  gulong                 user_cancel_id;
  GSource               *watchdog;         /* (owned) (nullable) connect / idle timer */
  gint64                 last_activity;    /* monotonic µs of the last progress */
  PbiMultipartStream    *body;             /* (owned) (nullable) */
  goffset                body_length;
  PbiImmichProgressFunc  progress;
  gpointer               progress_data;
  goffset                sent;
  gchar                 *peer_fingerprint; /* (owned) (nullable) */
  GInputStream          *answer;           /* (owned) (nullable) the response body */
  GOutputStream         *sink;             /* (owned) (nullable) where it is read to */
  GError                *read_error;       /* (owned) (nullable) reading the answer failed */
  guint                  connecting : 1;
  guint                  wrote_body : 1;   /* the request body went out whole */
  guint                  connect_timed_out : 1;
  guint                  idle_timed_out : 1;
  guint                  pin_mismatch : 1;
} Request;

void
_pbi_immich_response_free (Response *r)
{
  if (r == NULL)
    return;
  g_free (r->content_type);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_free (r->location);
  g_free (r->retry_after);
  g_free (r->what);
  g_free (r->host);
  g_free (r);
}

static void
request_free (Request *req)
{
  if (req->watchdog != NULL)
    {
      g_source_destroy (req->watchdog);
      g_clear_pointer (&req->watchdog, g_source_unref);
    }
  if (req->user_cancellable != NULL)
    g_cancellable_disconnect (req->user_cancellable, req->user_cancel_id);
  g_clear_object (&req->user_cancellable);
  if (req->msg != NULL)
    g_signal_handlers_disconnect_by_data (req->msg, req);
  g_clear_object (&req->msg);
  g_clear_object (&req->answer);
  g_clear_object (&req->sink);
  g_clear_error (&req->read_error);
  g_clear_object (&req->cancellable);
  g_clear_object (&req->body);
  g_clear_object (&req->client);
  g_free (req->what);
  g_free (req->host);
  g_free (req->peer_fingerprint);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
on_user_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void arm_watchdog (Request *req);

static guint
watchdog_limit (Request *req)
{
  return req->connecting ? req->client->connect_timeout_s : req->client->idle_timeout_s;
}

/* One timer per request: while connecting it allows connect_timeout_s, then
 * idle_timeout_s without any progress (headers or body data either way).
 * Progress only records the time; the timer re-arms itself when it fires
 * early, so a long upload does not churn timers. */
static gboolean
on_watchdog (gpointer user_data)
{
  Request *req = user_data;
  gint64 deadline = req->last_activity + (gint64) watchdog_limit (req) * G_USEC_PER_SEC;

  g_clear_pointer (&req->watchdog, g_source_unref);
  if (g_get_monotonic_time () < deadline)
    {
      arm_watchdog (req);
      return G_SOURCE_REMOVE;
    }
  if (req->connecting)
    req->connect_timed_out = TRUE;
  else
    req->idle_timed_out = TRUE;
  g_debug ("%s: no progress for %u s, giving up", req->what, watchdog_limit (req));
  g_cancellable_cancel (req->cancellable);
  return G_SOURCE_REMOVE;
}

static void
stop_watchdog (Request *req)
{
  if (req->watchdog != NULL)
    {
      g_source_destroy (req->watchdog);
      g_clear_pointer (&req->watchdog, g_source_unref);
    }
}

static void
arm_watchdog (Request *req)
{
  guint limit = watchdog_limit (req);
  gint64 remaining_ms;

  stop_watchdog (req);
  if (limit == 0)
    return;
  remaining_ms = (req->last_activity + (gint64) limit * G_USEC_PER_SEC
                  - g_get_monotonic_time ()) / 1000;
  req->watchdog = g_timeout_source_new ((guint) CLAMP (remaining_ms, 1, G_MAXUINT));
  g_source_set_callback (req->watchdog, on_watchdog, req, NULL);
  g_source_attach (req->watchdog, g_main_context_get_thread_default ());
}

static void
note_progress (Request *req)
{
  req->last_activity = g_get_monotonic_time ();
  if (req->connecting)
    {
      /* Connected: from now on the idle limit applies. */
      req->connecting = FALSE;
      arm_watchdog (req);
    }
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  Request *req = user_data;

  if (event == G_SOCKET_CLIENT_CONNECTED)
    note_progress (req);
}

static void
on_progress (SoupMessage *msg,
             gpointer     user_data)
{
  note_progress (user_data);
}

static void
on_wrote_body_data (SoupMessage *msg,
                    guint        chunk_size,
                    gpointer     user_data)
{
  Request *req = user_data;

  note_progress (req);
  req->sent += chunk_size;
  if (req->progress != NULL)
    req->progress (MIN (req->sent, req->body_length), req->body_length, req->progress_data);
}

static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *cert,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Request *req = user_data;
  PbiImmichClient *self = req->client;
  g_autofree gchar *canonical = NULL;

  g_free (req->peer_fingerprint);
  req->peer_fingerprint = _pbi_immich_fingerprint_of_certificate (cert);
  canonical = _pbi_immich_canonical_fingerprint (req->peer_fingerprint);
  if (self->pinned != NULL && canonical != NULL && g_str_equal (canonical, self->pinned))
    {
      g_debug ("accepting the pinned certificate of %s", req->host);
      return TRUE;
    }
  req->pin_mismatch = self->pinned != NULL;
  g_free (self->last_fingerprint);
  self->last_fingerprint = g_strdup (req->peer_fingerprint);
  g_debug ("refusing the certificate of %s (flags 0x%x)", req->host, errors);
  return FALSE;
}

static GError *
tls_error_for (Request *req)
{
  if (req->pin_mismatch)
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS,
                        "The certificate of %s changed: it is now SHA-256 %s, not the one you "
                        "pinned. If you replaced it yourself, pin the new one; otherwise "
                        "someone may be intercepting the connection",
                        req->host, req->peer_fingerprint);
  return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS,
                      "The certificate of %s is not trusted (self-signed or from an unknown "
                      "authority). Its SHA-256 fingerprint is %s: if that is your server's, "
                      "trust this certificate", req->host, req->peer_fingerprint);
}

static void
on_wrote_body (SoupMessage *msg,
               gpointer     user_data)
{
  Request *req = user_data;

  req->wrote_body = TRUE;
}

/* A transport failure (or the watchdog, a cancel, a file that could not be
 * read, a refused certificate) in the words the user reads. */
static void
return_transport_error (GTask  *task,
                        GError *error)
{
  Request *req = g_task_get_task_data (task);
  const GError *file_error = req->body ? pbi_multipart_stream_get_file_error (req->body) : NULL;

  g_debug ("%s failed: %s", req->what, error->message);
  if (req->connect_timed_out)
    g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                             "Could not connect to %s:%u within %u s: is the address "
                             "right and the server up?",
                             req->host, req->port, req->client->connect_timeout_s);
  else if (req->idle_timed_out)
    g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                             "The server at %s:%u did not answer within %u s",
                             req->host, req->port, req->client->idle_timeout_s);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_error_copy (error));
  else if (file_error != NULL)
    g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                             "Could not read the file to upload: %s", file_error->message);
  else if (req->peer_fingerprint != NULL && error->domain == G_TLS_ERROR)
    g_task_return_error (task, tls_error_for (req));
  else
    g_task_return_error (task, _pbi_immich_error_from_transport (error, req->host, req->port,
                                                                 req->client->idle_timeout_s));
}

static void
return_response (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (req->msg);
  Response *resp;

  resp = g_new0 (Response, 1);
  resp->status = soup_message_get_status (req->msg);
  resp->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  resp->body = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (req->sink));
  resp->location = g_strdup (soup_message_headers_get_one (headers, "Location"));
  resp->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
  resp->what = g_strdup (req->what);
  resp->host = g_strdup (req->host);
  resp->flags = req->flags;
  resp->body_length = req->body_length;
  g_debug ("%s → %u (%" G_GSIZE_FORMAT " bytes)", req->what, resp->status,
           g_bytes_get_size (resp->body));
  g_task_return_pointer (task, resp, (GDestroyNotify) _pbi_immich_response_free);
}

static void
finish_exchange (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  stop_watchdog (req);
  if (req->read_error != NULL)
    return_transport_error (task, req->read_error);
  else
    return_response (task);
}

static void
answer_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  /* An error closing it is libsoup giving up on keeping the connection: the
   * answer is already whole. */
  g_input_stream_close_finish (G_INPUT_STREAM (object), result, NULL);
  finish_exchange (task);
}

/* Closing the answer tells libsoup the exchange is over (and the connection
 * free for the next request). When the server answered before taking the
 * body (a 413 to "Expect: 100-continue", as nginx does) libsoup 3.2 would
 * wait there for a second answer and then crash (it hands the wrong type to
 * its own poll source: SIGSEGV in 15 of 100 runs against such a server), so
 * such an exchange, and one whose read failed, is closed with a cancelled
 * cancellable: libsoup drops the connection without reading any more. */
static void
close_answer (GTask *task)   /* (transfer full) */
{
  Request *req = g_task_get_task_data (task);
  g_autoptr(GCancellable) done = NULL;

  if (req->wrote_body && req->read_error == NULL)
    {
      g_input_stream_close_async (req->answer, G_PRIORITY_DEFAULT, NULL, answer_closed_cb, task);
      return;
    }
  done = g_cancellable_new ();
  g_cancellable_cancel (done);
  g_input_stream_close (req->answer, done, NULL);
  finish_exchange (task);
  g_object_unref (task);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &req->read_error) < 0)
    g_debug ("%s: reading the answer failed: %s", req->what, req->read_error->message);
  close_answer (g_steal_pointer (&task));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  req->answer = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (req->answer == NULL)
    {
      stop_watchdog (req);
      return_transport_error (task, error);
      return;
    }
  req->sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (req->sink, req->answer, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, req->cancellable, read_cb,
                                g_steal_pointer (&task));
}

/* The 413 message names the size that was refused: g_format_size, so a
 * small photo reads "(20.0 kB)", not "(0.0 MB)". */
GError *
_pbi_immich_too_large_error (goffset size)
{
  g_autofree gchar *size_text = g_format_size ((guint64) MAX (size, 0));

  return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE,
                      "The server or a proxy in front of it refused the file as too large "
                      "(%s); raise client_max_body_size (nginx) or the proxy's upload limit",
                      size_text);
}

SoupMessage *
_pbi_immich_new_message (const gchar *method,
                         const gchar *url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (msg == NULL)
    return NULL;
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  return msg;
}

/* Sends @msg (transfer full) and reads the whole answer: a Response, or a
 * transport error already in PBI_IMMICH_ERROR words. */
void
_pbi_immich_exchange_async (PbiImmichClient       *self,
                            SoupMessage           *msg,
                            RequestFlags           flags,
                            PbiMultipartStream    *body,
                            PbiImmichProgressFunc  progress,
                            gpointer               progress_data,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *req;
  GUri *uri = soup_message_get_uri (msg);

  req = g_new0 (Request, 1);
  req->client = g_object_ref (self);
  req->msg = msg;
  req->flags = flags;
  req->what = g_strdup_printf ("%s %s", soup_message_get_method (msg), g_uri_get_path (uri));
  req->host = g_strdup (g_uri_get_host (uri));
  req->port = g_uri_get_port (uri) > 0 ? (guint) g_uri_get_port (uri)
            : g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
  req->cancellable = g_cancellable_new ();
  req->body = body ? g_object_ref (body) : NULL;
  req->body_length = body ? pbi_multipart_stream_get_length (body) : 0;
  req->progress = progress;
  req->progress_data = progress_data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _pbi_immich_exchange_async);
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  if (!(flags & REQ_NO_AUTH) && self->api_key != NULL && *self->api_key != '\0')
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-api-key",
                                  self->api_key);

  /* libsoup opens a new connection for every POST unless told that sending
   * it again is harmless: that cost a TCP (and TLS) handshake per upload.
   * Uploads, checks and album adds are: the server knows each photo by its
   * checksum, and adding twice answers "duplicate". */
  if (!(flags & REQ_NOT_REPEATABLE))
    soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), req);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), req);
  g_signal_connect (msg, "wrote-headers", G_CALLBACK (on_progress), req);
  g_signal_connect (msg, "got-informational", G_CALLBACK (on_progress), req);
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_progress), req);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (on_wrote_body), req);
  if (body != NULL)
    g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), req);

  if (cancellable != NULL)
    {
      req->user_cancellable = g_object_ref (cancellable);
      req->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                                   g_object_ref (req->cancellable),
                                                   g_object_unref);
    }

  req->connecting = TRUE;
  req->last_activity = g_get_monotonic_time ();
  arm_watchdog (req);

  g_debug ("%s", req->what);
  soup_session_send_async (self->session, msg, G_PRIORITY_DEFAULT, req->cancellable,
                           send_cb, g_steal_pointer (&task));
}

Response *
_pbi_immich_exchange_finish (PbiImmichClient  *self,
                             GAsyncResult     *result,
                             GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The server's own words from an error body: `message` (string or array)
 * and the 3.x `errors[]` with their paths. NULL when there are none. */
static gchar *
server_message (JsonNode *root)
{
  JsonObject *obj;
  JsonNode *message;
  JsonArray *errors;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint i;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  message = json_object_get_member (obj, "message");
  errors = _pbi_immich_obj_array (obj, "errors");

  if (message != NULL && JSON_NODE_HOLDS_ARRAY (message))
    {
      JsonArray *arr = json_node_get_array (message);

      for (i = 0; i < json_array_get_length (arr); i++)
        {
          JsonNode *n = json_array_get_element (arr, i);

          if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
            g_ptr_array_add (parts, g_strdup (json_node_get_string (n)));
        }
    }
  else if (message != NULL && JSON_NODE_HOLDS_VALUE (message)
           && json_node_get_value_type (message) == G_TYPE_STRING
           && (errors == NULL || json_array_get_length (errors) == 0))
    g_ptr_array_add (parts, g_strdup (json_node_get_string (message)));

  for (i = 0; errors != NULL && i < json_array_get_length (errors); i++)
    {
      JsonNode *n = json_array_get_element (errors, i);
      JsonObject *e = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      JsonArray *path = _pbi_immich_obj_array (e, "path");
      g_autoptr(GString) where = g_string_new (NULL);
      const gchar *text = _pbi_immich_obj_string (e, "message");
      guint j;

      if (e == NULL)
        continue;
      for (j = 0; path != NULL && j < json_array_get_length (path); j++)
        {
          JsonNode *pn = json_array_get_element (path, j);
          g_autofree gchar *piece = NULL;

          if (!JSON_NODE_HOLDS_VALUE (pn))
            continue;
          if (json_node_get_value_type (pn) == G_TYPE_STRING)
            piece = g_strdup (json_node_get_string (pn));
          else
            piece = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (pn));
          g_string_append_printf (where, "%s%s", where->len ? "." : "", piece);
        }
      if (text == NULL && _pbi_immich_obj_string (e, "expected") != NULL)
        text = _pbi_immich_obj_string (e, "expected");
      g_ptr_array_add (parts, g_strdup_printf ("%s%s%s",
                                               where->len ? where->str : "",
                                               where->len ? ": " : "",
                                               text ? text : (_pbi_immich_obj_string (e, "code") ?
                                                              _pbi_immich_obj_string (e,
                                                                                      "code") : "invalid")));
    }
  if (parts->len == 0 && message != NULL && JSON_NODE_HOLDS_VALUE (message)
      && json_node_get_value_type (message) == G_TYPE_STRING)
    g_ptr_array_add (parts, g_strdup (json_node_get_string (message)));
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (gchar **) parts->pdata);
}

gchar *
_pbi_immich_version_string (PbiImmichClient *self)
{
  if (!self->have_version)
    return g_strdup ("");
  return g_strdup_printf ("%u.%u.%u", self->version.major, self->version.minor,
                          self->version.patch);
}

/* Turns a non-2xx status into an error; FALSE when it was one. */
gboolean
_pbi_immich_check_status (PbiImmichClient  *self,
                          Response         *resp,
                          JsonNode         *root,
                          GError          **error)
{
  g_autofree gchar *msg = server_message (root);
  g_autofree gchar *version = _pbi_immich_version_string (self);
  guint status = resp->status;

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return TRUE;

  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      g_autoptr(GUri) target = resp->location ? g_uri_parse (resp->location,
                                                             G_URI_FLAGS_NONE, NULL) : NULL;

      /* Redirects are not followed: an upload would lose its body, and a
       * key must not travel to an address the user did not type. */
      if (target != NULL && g_strcmp0 (g_uri_get_scheme (target), "https") == 0
          && g_strcmp0 (g_uri_get_host (target), resp->host) == 0)
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                     "The server redirects to %s: use the https:// address instead",
                     resp->location);
      else
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                     "The server redirects %s to %s (another address, or a login page in "
                     "front of Immich): type the address of the Immich server itself",
                     resp->what, resp->location ? resp->location : "somewhere else");
      return FALSE;
    }

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED,
                   "The API key was refused by %s: check it, or make a new one in Immich "
                   "under Account Settings → API Keys", resp->host);
      return FALSE;

    case SOUP_STATUS_FORBIDDEN:
      {
        const gchar *needle = msg ? strstr (msg, "permission") : NULL;
        g_autofree gchar *perm = NULL;

        if (needle != NULL)
          {
            const gchar *p = strchr (needle, ':');

            if (p != NULL)
              {
                p++;
                while (*p == ' ' || *p == '"')
                  p++;
                perm = g_strndup (p, strcspn (p, " \";,"));
              }
          }
        if (perm != NULL && *perm != '\0')
          g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION,
                       "The API key lacks the permission %s; give the key that permission in "
                       "Immich (Account Settings → API Keys) or use a key with all permissions",
                       perm);
        else
          g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION,
                       "The API key may not do this (%s): %s", resp->what,
                       msg ? msg : "forbidden");
        return FALSE;
      }

    case SOUP_STATUS_NOT_FOUND:
      if ((resp->flags & REQ_ALBUM) && root != NULL && !_pbi_immich_body_looks_like_html (resp)
          && !(msg != NULL && g_str_has_prefix (msg, "Cannot ")))
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND,
                     "The album no longer exists on the server%s%s",
                     msg ? ": " : "", msg ? msg : "");
      else
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_IMMICH,
                     "%s answers, but not as an Immich server (%s: not found); check the "
                     "address", resp->host, resp->what);
      return FALSE;

    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      g_propagate_error (error, _pbi_immich_too_large_error (resp->body_length));
      return FALSE;

    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      if ((resp->flags & REQ_ALBUM) && msg != NULL)
        {
          g_autofree gchar *lower = g_utf8_strdown (msg, -1);

          /* album.service addAssets, every family: findOrFail first, so a
           * deleted album is "Album not found"; then the access check, "Not
           * found or no albumAsset.create access" (before 1.116 "… no
           * album.addAsset access", before that "… album.read access") for an
           * album the user may not add to: shared read-only, or not shared
           * (any more). */
          if (g_str_has_prefix (lower, "not found or no "))
            {
              g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NO_ALBUM_ACCESS,
                           "The key's user may not add photos to this album (it is shared "
                           "with them read-only, or not at all): %s", msg);
              return FALSE;
            }
          if (strstr (lower, "not found") != NULL)
            {
              g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND,
                           "The album no longer exists on the server: %s", msg);
              return FALSE;
            }
        }
      if (_pbi_immich_body_looks_like_html (resp))
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_IMMICH,
                     "%s answers, but not as an Immich server (%s: HTTP %u with a web page); "
                     "check the address", resp->host, resp->what, status);
      else
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_REJECTED,
                     "Immich %s refused %s: %s", version, resp->what,
                     msg ? msg : "the request is invalid");
      return FALSE;

    default:
      break;
    }

  if (status == 429 || SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      gint64 retry = _pbi_immich_parse_retry_after (resp->retry_after, now);
      g_autofree gchar *retry_text = NULL;

      self->retry_after = retry > 0 ? (guint) MIN (retry, (gint64) G_MAXUINT) : 0;
      if (self->retry_after > 0)
        retry_text = g_strdup_printf ("; it asks to retry in %u s", self->retry_after);
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_SERVER,
                   "The server failed to handle %s (HTTP %u%s%s)%s", resp->what, status,
                   msg && !_pbi_immich_body_looks_like_html (resp) ? ": " : "",
                   msg && !_pbi_immich_body_looks_like_html (resp) ? msg : "",
                   retry_text ? retry_text : "");
      return FALSE;
    }

  if (_pbi_immich_body_looks_like_html (resp))
    g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_IMMICH,
                 "%s answers, but not as an Immich server (%s: HTTP %u); check the address",
                 resp->host, resp->what, status);
  else
    g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_REJECTED,
                 "Immich %s refused %s (HTTP %u): %s", version, resp->what, status,
                 msg ? msg : soup_status_get_phrase (status));
  return FALSE;
}

/* Error checks and parses a JSON answer. Returns NULL with @error set, or
 * a node (JSON null for an empty 2xx body). */
JsonNode *
_pbi_immich_response_to_json (PbiImmichClient  *self,
                              Response         *resp,
                              GError          **error)
{
  g_autoptr(JsonNode) root = _pbi_immich_parse_json (resp);

  if (!_pbi_immich_check_status (self, resp, root, error))
    return NULL;
  if (root == NULL)
    {
      if (g_bytes_get_size (resp->body) == 0)
        return json_node_new (JSON_NODE_NULL);
      if (_pbi_immich_body_looks_like_html (resp))
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_IMMICH,
                     "%s answers, but not as an Immich server (%s gave a web page); check the "
                     "address", resp->host, resp->what);
      else
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_BAD_RESPONSE,
                     "The answer to %s is not valid JSON", resp->what);
      return NULL;
    }
  return g_steal_pointer (&root);
}

GError *
_pbi_immich_bad_response (Response    *resp,
                          const gchar *what_is_wrong)
{
  return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_BAD_RESPONSE,
                      "The answer to %s %s", resp->what, what_is_wrong);
}

/* Returns the %PBI_IMMICH_ERROR_BAD_RESPONSE error about @resp on @task. */
void
_pbi_immich_return_bad_response (GTask       *task,
                                 Response    *resp,
                                 const gchar *what_is_wrong)
{
  g_task_return_error (task, _pbi_immich_bad_response (resp, what_is_wrong));
}

void
_pbi_immich_json_answer_free (JsonAnswer *a)
{
  g_clear_pointer (&a->root, json_node_unref);
  g_clear_pointer (&a->resp, _pbi_immich_response_free);
  g_free (a);
}

static void
api_call_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(Response) resp = NULL;
  GError *error = NULL;
  JsonAnswer *answer;
  JsonNode *root;

  root = _pbi_immich_exchange_finish_json (PBI_IMMICH_CLIENT (object), result, &resp, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  answer = g_new0 (JsonAnswer, 1);
  answer->root = root;
  answer->resp = g_steal_pointer (&resp);
  g_task_return_pointer (task, answer, (GDestroyNotify) _pbi_immich_json_answer_free);
}

/* Finishes _pbi_immich_exchange_async and reads its answer as JSON: the
 * root, with the Response in @resp (transfer full), or NULL and @error. */
JsonNode *
_pbi_immich_exchange_finish_json (PbiImmichClient  *self,
                                  GAsyncResult     *result,
                                  Response        **resp,
                                  GError          **error)
{
  *resp = _pbi_immich_exchange_finish (self, result, error);
  if (*resp == NULL)
    return NULL;
  return _pbi_immich_response_to_json (self, *resp, error);
}

gchar *
_pbi_immich_api_url_for (PbiImmichClient *self,
                         const gchar     *path)
{
  return g_strconcat (self->api_url, "/", path, NULL);
}

/* @path is relative to the API ("albums/ID/assets"); @body (nullable) is
 * sent as JSON. The answer is a JsonAnswer. */
void
_pbi_immich_api_call_async (PbiImmichClient     *self,
                            const gchar         *method,
                            const gchar         *path,
                            JsonNode            *body,
                            RequestFlags         flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree gchar *url = _pbi_immich_api_url_for (self, path);
  SoupMessage *msg = _pbi_immich_new_message (method, url);

  g_assert (msg != NULL);
  if (body != NULL)
    {
      gsize len;
      gchar *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = NULL;

      len = strlen (text);
      bytes = g_bytes_new_take (text, len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  _pbi_immich_exchange_async (self, msg, flags, NULL, NULL, NULL, cancellable, api_call_cb,
                              g_task_new (self, cancellable, callback, user_data));
}

JsonAnswer *
_pbi_immich_api_call_finish (PbiImmichClient  *self,
                             GAsyncResult     *result,
                             GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* For an endpoint's callback: the answer, or NULL when the call failed, and
 * then its error has been returned on @task. */
JsonAnswer *
_pbi_immich_api_call_finish_or_return (PbiImmichClient *self,
                                       GAsyncResult    *result,
                                       GTask           *task)
{
  GError *error = NULL;
  JsonAnswer *answer;

  answer = _pbi_immich_api_call_finish (self, result, &error);
  if (answer == NULL)
    g_task_return_error (task, error);
  return answer;
}

/* For an API call whose answer carries nothing: returns TRUE on @user_data
 * (a GTask, transfer full) once the call succeeded, else its error. */
void
_pbi_immich_return_true_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer != NULL)
    g_task_return_boolean (task, TRUE);
}

/* ------------------------------------------------------------------ */
/* The task of a public call                                           */
/* ------------------------------------------------------------------ */

/* Starts one public call: a task on @self tagged @source_tag that owns
 * @task_data (nullable), whose @start runs once the API is known. */
void
_pbi_immich_task_start (PbiImmichClient     *self,
                        gpointer             source_tag,
                        ApiStart             start,
                        gpointer             task_data,
                        GDestroyNotify       task_data_free,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (task_data != NULL)
    g_task_set_task_data (task, task_data, task_data_free);
  _pbi_immich_ensure_api (self, task, start);
}

static gboolean
task_is_ours (PbiImmichClient *self,
              GAsyncResult    *result,
              gpointer         source_tag)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return TRUE;
}

/* The end of a public call started with @source_tag: its pointer result
 * (transfer full), or NULL and @error. */
gpointer
_pbi_immich_task_finish_pointer (PbiImmichClient  *self,
                                 GAsyncResult     *result,
                                 gpointer          source_tag,
                                 GError          **error)
{
  return task_is_ours (self, result, source_tag) ? g_task_propagate_pointer (G_TASK (result), error)
                                                : NULL;
}

/* The same for a call whose result is a boolean. */
gboolean
_pbi_immich_task_finish_boolean (PbiImmichClient  *self,
                                 GAsyncResult     *result,
                                 gpointer          source_tag,
                                 GError          **error)
{
  return task_is_ours (self, result, source_tag) && g_task_propagate_boolean (G_TASK (result), error);
}

/* For an ApiStart: sends the API call for @task, with its source object and
 * cancellable; @callback gets @task (transfer full) as its user data. */
void
_pbi_immich_task_api_call (GTask               *task,
                           const gchar         *method,
                           const gchar         *path,
                           JsonNode            *body,
                           RequestFlags         flags,
                           GAsyncReadyCallback  callback)
{
  _pbi_immich_api_call_async (g_task_get_source_object (task), method, path, body, flags,
                              g_task_get_cancellable (task), callback, task);
}
