/* pbi-immich-client.c: talks to one Immich server
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

#define DEFAULT_CONNECT_TIMEOUT_S 10
#define DEFAULT_IDLE_TIMEOUT_S    60
#define DEFAULT_DEVICE_ID         "photobooth-immich-sync"
#define USER_AGENT                "photobooth-immich-sync/" PACKAGE_VERSION

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

G_DEFINE_FINAL_TYPE (PbiImmichClient, pbi_immich_client, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_API_URL,
  PROP_API_FAMILY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* URL normalization                                                   */
/* ------------------------------------------------------------------ */

#define URL_EXAMPLE "for example https://immich.example.com or http://192.168.1.100:2283"

static gboolean
looks_like_http_typo (const gchar *scheme)
{
  static const gchar * const typos[] = {
    "htps", "htttps", "hhtps", "httpss", "htts", "httsp", "hptts", "htpps", "ttps", "https:",
    "htp", "htttp", "hhtp", "htpp", "ttp", "hrrp", "hrrps", "http:", "httsp", NULL
  };

  return g_strv_contains (typos, scheme)
         || (scheme[0] == 'h' && strlen (scheme) <= 6 && strchr (scheme, 't') != NULL);
}

/**
 * pbi_immich_normalize_url:
 * @url: an address as a person typed it
 * @error: return location for a %PBI_IMMICH_ERROR_INVALID_URL error
 *
 * Trims whitespace and trailing slashes, lower-cases scheme and host, drops a
 * default port, query and fragment. Keeps a sub-path (and a typed "/api").
 * Refuses what cannot be an Immich address with a message saying what to type.
 *
 * Returns: (transfer full) (nullable): "scheme://host[:port][/path]"
 */
gchar *
pbi_immich_normalize_url (const gchar  *url,
                          GError      **error)
{
  g_autofree gchar *trimmed = NULL;
  g_autofree gchar *scheme = NULL;
  g_autofree gchar *host = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local = NULL;
  const gchar *sep;
  gint port;
  gsize len;

  trimmed = g_strstrip (g_strdup (url ? url : ""));
  if (*trimmed == '\0')
    {
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                   "Enter the address of your Immich server, " URL_EXAMPLE);
      return NULL;
    }
  if (strpbrk (trimmed, " \t\r\n\v\f") != NULL)
    {
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                   "The address “%s” contains a space; type it without spaces, " URL_EXAMPLE,
                   trimmed);
      return NULL;
    }

  sep = strstr (trimmed, "://");
  if (sep == NULL)
    {
      g_autofree gchar *rest = NULL;
      g_autofree gchar *guess = NULL;
      g_autoptr(GUri) guess_uri = NULL;

      /* "http:/host" or "https:host": a scheme with its slashes mistyped */
      if (g_ascii_strncasecmp (trimmed, "http:", 5) == 0)
        rest = g_strdup (trimmed + 5);
      else if (g_ascii_strncasecmp (trimmed, "https:", 6) == 0)
        rest = g_strdup (trimmed + 6);
      if (rest != NULL)
        {
          const gchar *r = rest;

          while (*r == '/')
            r++;
          g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                       "The address “%s” is mistyped: did you mean %s://%s?",
                       trimmed, trimmed[4] == 's' || trimmed[4] == 'S' ? "https" : "http", r);
          return NULL;
        }

      guess = g_strconcat ("http://", trimmed, NULL);
      guess_uri = g_uri_parse (guess, G_URI_FLAGS_ENCODED, NULL);
      if (guess_uri != NULL && g_uri_get_host (guess_uri) != NULL
          && *g_uri_get_host (guess_uri) != '\0')
        {
          const gchar *slash = strchr (trimmed, '/');
          g_autofree gchar *bare = slash ? g_strndup (trimmed, slash - trimmed) : g_strdup (trimmed);
          g_autofree gchar *lower = g_ascii_strdown (bare, -1);

          g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                       "The address “%s” lacks http:// or https://: did you mean http://%s? "
                       "(Use https:// if the server has a certificate.)",
                       trimmed, lower);
          return NULL;
        }
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                   "“%s” is not a web address; type one " URL_EXAMPLE, trimmed);
      return NULL;
    }

  scheme = g_ascii_strdown (trimmed, sep - trimmed);
  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    {
      if (*scheme != '\0' && looks_like_http_typo (scheme))
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                     "The address “%s” starts with “%s://”, which is not a web scheme: "
                     "did you mean %s://%s?",
                     trimmed, scheme, strchr (scheme, 's') ? "https" : "http", sep + 3);
      else if (*scheme == '\0')
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                     "The address “%s” lacks its scheme: did you mean https%s?",
                     trimmed, sep);
      else
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                     "Immich is reached over http:// or https://, not %s://; "
                     "type the address " URL_EXAMPLE, scheme);
      return NULL;
    }

  uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED, &local);
  if (uri == NULL)
    {
      if (g_error_matches (local, G_URI_ERROR, G_URI_ERROR_BAD_PORT))
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                     "The port in “%s” must be a number from 1 to 65535, "
                     "for example http://192.168.1.100:2283", trimmed);
      else
        g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                     "“%s” is not a valid address (%s); type one " URL_EXAMPLE,
                     trimmed, local->message);
      return NULL;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                   "The address “%s” has no server name; type one " URL_EXAMPLE, trimmed);
      return NULL;
    }
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                   "Remove the “user@” part from the address: Immich signs in with the API key, "
                   "type the address like https://immich.example.com");
      return NULL;
    }

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if ((port == 80 && g_str_equal (scheme, "http")) || (port == 443 && g_str_equal (scheme, "https")))
    port = -1;
  path = g_strdup (g_uri_get_path (uri));
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    path[--len] = '\0';

  return g_uri_join (G_URI_FLAGS_ENCODED, scheme, NULL, host, port, path, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

gchar *
_pbi_immich_fingerprint_of_der (const guint8 *der,
                                gsize         len)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  GString *out = g_string_new (NULL);
  gsize i;

  g_checksum_update (sum, der, len);
  g_checksum_get_digest (sum, digest, &digest_len);
  for (i = 0; i < digest_len; i++)
    g_string_append_printf (out, i ? ":%02X" : "%02X", digest[i]);
  return g_string_free (out, FALSE);
}

static gchar *
fingerprint_of_certificate (GTlsCertificate *cert)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (cert, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return _pbi_immich_fingerprint_of_der (der->data, der->len);
}

/* "AB:CD:…" or "abcd…" → "abcd…"; NULL when it is not 64 hex digits. */
static gchar *
canonical_fingerprint (const gchar *fp)
{
  GString *out;
  const gchar *p;

  if (fp == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (p = fp; *p != '\0'; p++)
    {
      if (*p == ':' || g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isxdigit (*p))
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, g_ascii_tolower (*p));
    }
  if (out->len != 64)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* Seconds to wait from a Retry-After value (delta-seconds or HTTP date);
 * -1 when absent or unparsable. */
gint64
_pbi_immich_parse_retry_after (const gchar *value,
                               GDateTime   *now)
{
  g_autoptr(GDateTime) when = NULL;
  const gchar *p;
  guint64 secs;

  if (value == NULL)
    return -1;
  while (g_ascii_isspace (*value))
    value++;
  if (*value == '\0')
    return -1;
  for (p = value; g_ascii_isdigit (*p); p++)
    ;
  if (p != value && (*p == '\0' || g_ascii_isspace (*p)))
    {
      g_autofree gchar *digits = g_strndup (value, p - value);

      if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT32, &secs, NULL))
        return -1;
      return (gint64) secs;
    }
  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return -1;
  return MAX ((gint64) 0, g_date_time_difference (when, now) / G_TIME_SPAN_SECOND);
}

gchar *
_pbi_immich_find_sidecar (const gchar *path)
{
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_autofree gchar *base = g_path_get_basename (path);
  g_autofree gchar *no_ext = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  const gchar *dot = strrchr (base, '.');

  /* The official CLI (3.x) looks for photo.xmp, then photo.jpg.xmp. */
  no_ext = dot && dot != base ? g_strndup (base, dot - base) : g_strdup (base);
  first = g_strconcat (no_ext, ".xmp", NULL);
  second = g_strconcat (base, ".xmp", NULL);
  {
    g_autofree gchar *p1 = g_build_filename (dir, first, NULL);
    g_autofree gchar *p2 = g_build_filename (dir, second, NULL);

    if (g_strcmp0 (p1, path) != 0 && g_file_test (p1, G_FILE_TEST_IS_REGULAR))
      return g_steal_pointer (&p1);
    if (g_file_test (p2, G_FILE_TEST_IS_REGULAR))
      return g_steal_pointer (&p2);
  }
  return NULL;
}

/* "<filename>-<size>" without whitespace, as the official CLI (2.x) does. */
gchar *
_pbi_immich_default_device_asset_id (const gchar *basename,
                                     goffset      size)
{
  g_autofree gchar *raw = g_strdup_printf ("%s-%" G_GOFFSET_FORMAT, basename, size);
  GString *out = g_string_new (NULL);
  const gchar *p;

  for (p = raw; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c))
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/**
 * _pbi_immich_error_from_transport:
 *
 * Turns a GIO/TLS/resolver/libsoup error into a PBI_IMMICH_ERROR one in
 * plain words. Cancellation is returned unchanged.
 */
GError *
_pbi_immich_error_from_transport (const GError *error,
                                  const gchar  *host,
                                  guint         port,
                                  guint         timeout_s)
{
  g_autofree gchar *where = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (error->domain == PBI_IMMICH_ERROR)
    return g_error_copy (error);

  where = strchr (host, ':') ? g_strdup_printf ("[%s]:%u", host, port)
                             : g_strdup_printf ("%s:%u", host, port);

  if (error->domain == G_RESOLVER_ERROR
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                        "Could not find the server %s: check the address", host);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                        "Nothing answers at %s — is Immich running?", where);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                        "The server at %s did not answer within %u s", where, timeout_s);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                        "%s cannot be reached from this network: is the network up?", where);
  if (error->domain == G_TLS_ERROR)
    {
      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS))
        return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS,
                            "%s does not speak https: try the address with http://", where);
      return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS,
                          "Could not set up a secure connection to %s: %s", where,
                          error->message);
    }
  if (error->domain == SOUP_SESSION_ERROR
      && (error->code == SOUP_SESSION_ERROR_PARSING || error->code == SOUP_SESSION_ERROR_ENCODING))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_BAD_RESPONSE,
                        "%s sent an answer that is not valid HTTP (%s)", where, error->message);
  return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                      "The connection to %s failed: %s", where, error->message);
}

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
  guint                  connecting : 1;
  guint                  connect_timed_out : 1;
  guint                  idle_timed_out : 1;
  guint                  pin_mismatch : 1;
} Request;

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

static void
response_free (Response *r)
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

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
  req->peer_fingerprint = fingerprint_of_certificate (cert);
  canonical = canonical_fingerprint (req->peer_fingerprint);
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
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  Response *resp;
  SoupMessageHeaders *headers;
  const gchar *ct;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  stop_watchdog (req);
  if (body == NULL)
    {
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
        g_task_return_error (task, g_steal_pointer (&error));
      else if (file_error != NULL)
        g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                                 "Could not read the file to upload: %s", file_error->message);
      else if (req->peer_fingerprint != NULL && error->domain == G_TLS_ERROR)
        g_task_return_error (task, tls_error_for (req));
      else
        g_task_return_error (task, _pbi_immich_error_from_transport (error, req->host, req->port,
                                                                     req->client->idle_timeout_s));
      return;
    }

  headers = soup_message_get_response_headers (req->msg);
  ct = soup_message_headers_get_content_type (headers, NULL);
  resp = g_new0 (Response, 1);
  resp->status = soup_message_get_status (req->msg);
  resp->content_type = g_strdup (ct);
  resp->body = g_steal_pointer (&body);
  resp->location = g_strdup (soup_message_headers_get_one (headers, "Location"));
  resp->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
  resp->what = g_strdup (req->what);
  resp->host = g_strdup (req->host);
  resp->flags = req->flags;
  resp->body_length = req->body_length;
  g_debug ("%s → %u (%" G_GSIZE_FORMAT " bytes)", req->what, resp->status,
           g_bytes_get_size (resp->body));
  g_task_return_pointer (task, resp, (GDestroyNotify) response_free);
}

static SoupMessage *
new_message (const gchar *method,
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
static void
exchange_async (PbiImmichClient       *self,
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
  g_task_set_source_tag (task, exchange_async);
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
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, req->cancellable,
                                    send_cb, g_steal_pointer (&task));
}

static Response *
exchange_finish (PbiImmichClient  *self,
                 GAsyncResult     *result,
                 GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
body_looks_like_html (Response *resp)
{
  gsize len;
  const gchar *data = g_bytes_get_data (resp->body, &len);
  gsize i;

  if (resp->content_type != NULL && strstr (resp->content_type, "html") != NULL)
    return TRUE;
  for (i = 0; i < len && g_ascii_isspace (data[i]); i++)
    ;
  return i < len && data[i] == '<';
}

static JsonNode *
parse_json (Response *resp)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len;
  const gchar *data = g_bytes_get_data (resp->body, &len);

  if (len == 0)
    return NULL;
  if (!json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

static const gchar *
obj_string (JsonObject  *obj,
            const gchar *member)
{
  JsonNode *node;

  if (obj == NULL)
    return NULL;
  node = json_object_get_member (obj, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
obj_bool (JsonObject  *obj,
          const gchar *member,
          gboolean    *out)
{
  JsonNode *node;

  node = obj ? json_object_get_member (obj, member) : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
obj_uint (JsonObject  *obj,
          const gchar *member,
          guint       *out)
{
  JsonNode *node;
  gint64 v;

  node = obj ? json_object_get_member (obj, member) : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  v = json_node_get_int (node);
  if (v < 0 || v > G_MAXUINT)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static JsonObject *
obj_object (JsonObject  *obj,
            const gchar *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
obj_array (JsonObject  *obj,
           const gchar *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
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
  errors = obj_array (obj, "errors");

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
      JsonArray *path = obj_array (e, "path");
      g_autoptr(GString) where = g_string_new (NULL);
      const gchar *text = obj_string (e, "message");
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
      if (text == NULL && obj_string (e, "expected") != NULL)
        text = obj_string (e, "expected");
      g_ptr_array_add (parts, g_strdup_printf ("%s%s%s",
                                               where->len ? where->str : "",
                                               where->len ? ": " : "",
                                               text ? text : (obj_string (e, "code") ?
                                                              obj_string (e, "code") : "invalid")));
    }
  if (parts->len == 0 && message != NULL && JSON_NODE_HOLDS_VALUE (message)
      && json_node_get_value_type (message) == G_TYPE_STRING)
    g_ptr_array_add (parts, g_strdup (json_node_get_string (message)));
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (gchar **) parts->pdata);
}

static gchar *
version_string (PbiImmichClient *self)
{
  if (!self->have_version)
    return g_strdup ("");
  return g_strdup_printf ("%u.%u.%u", self->version.major, self->version.minor,
                          self->version.patch);
}

/* Turns a non-2xx status into an error; FALSE when it was one. */
static gboolean
check_status (PbiImmichClient  *self,
              Response         *resp,
              JsonNode         *root,
              GError          **error)
{
  g_autofree gchar *msg = server_message (root);
  g_autofree gchar *version = version_string (self);
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
      if ((resp->flags & REQ_ALBUM) && root != NULL && !body_looks_like_html (resp)
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
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE,
                   "The server or a proxy in front of it refused the file as too large "
                   "(%.1f MB); raise client_max_body_size (nginx) or the proxy's upload limit",
                   resp->body_length / 1000000.0);
      return FALSE;

    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      if ((resp->flags & REQ_ALBUM) && msg != NULL)
        {
          g_autofree gchar *lower = g_utf8_strdown (msg, -1);

          /* 3.x: "Album not found"; 1.x/2.x: "Not found or no album.addAsset access" */
          if (strstr (lower, "not found") != NULL)
            {
              g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND,
                           "The album no longer exists on the server, or this key's user may "
                           "not add to it: %s", msg);
              return FALSE;
            }
        }
      if (body_looks_like_html (resp))
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
                   msg && !body_looks_like_html (resp) ? ": " : "",
                   msg && !body_looks_like_html (resp) ? msg : "",
                   retry_text ? retry_text : "");
      return FALSE;
    }

  if (body_looks_like_html (resp))
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
static JsonNode *
response_to_json (PbiImmichClient  *self,
                  Response         *resp,
                  GError          **error)
{
  g_autoptr(JsonNode) root = parse_json (resp);

  if (!check_status (self, resp, root, error))
    return NULL;
  if (root == NULL)
    {
      if (g_bytes_get_size (resp->body) == 0)
        return json_node_new (JSON_NODE_NULL);
      if (body_looks_like_html (resp))
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

static GError *
bad_response (Response    *resp,
              const gchar *what_is_wrong)
{
  return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_BAD_RESPONSE,
                      "The answer to %s %s", resp->what, what_is_wrong);
}

/* ------------------------------------------------------------------ */
/* API calls with JSON                                                 */
/* ------------------------------------------------------------------ */

typedef struct
{
  JsonNode *root;
  Response *resp;
} JsonAnswer;

static void
json_answer_free (JsonAnswer *a)
{
  g_clear_pointer (&a->root, json_node_unref);
  g_clear_pointer (&a->resp, response_free);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JsonAnswer, json_answer_free)

static void
api_call_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  g_autoptr(Response) resp = NULL;
  GError *error = NULL;
  JsonAnswer *answer;
  JsonNode *root;

  resp = exchange_finish (self, result, &error);
  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  root = response_to_json (self, resp, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  answer = g_new0 (JsonAnswer, 1);
  answer->root = root;
  answer->resp = g_steal_pointer (&resp);
  g_task_return_pointer (task, answer, (GDestroyNotify) json_answer_free);
}

static gchar *
api_url_for (PbiImmichClient *self,
             const gchar     *path)
{
  return g_strconcat (self->api_url, "/", path, NULL);
}

/* @path is relative to the API ("albums/ID/assets"); @body (nullable) is
 * sent as JSON. The answer is a JsonAnswer. */
static void
api_call_async (PbiImmichClient     *self,
                const gchar         *method,
                const gchar         *path,
                JsonNode            *body,
                RequestFlags         flags,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autofree gchar *url = api_url_for (self, path);
  SoupMessage *msg = new_message (method, url);

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
  exchange_async (self, msg, flags, NULL, NULL, NULL, cancellable, api_call_cb,
                  g_task_new (self, cancellable, callback, user_data));
}

static JsonAnswer *
api_call_finish (PbiImmichClient  *self,
                 GAsyncResult     *result,
                 GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Discovery                                                           */
/* ------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *candidates;  /* (owned) API base URLs to try, in order */
  gchar     *base;        /* (owned) the server URL without a trailing /api */
  guint      index;
  guint      route;       /* 0: server/version, 1: server-info/version (1.x) */
} Discover;

static void
discover_free (Discover *d)
{
  g_clear_pointer (&d->candidates, g_ptr_array_unref);
  g_free (d->base);
  g_free (d);
}

static void
add_candidate (Discover    *d,
               const gchar *url)
{
  g_autofree gchar *copy = g_strdup (url);
  gsize len = strlen (copy);
  guint i;

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  for (i = 0; i < d->candidates->len; i++)
    if (g_str_equal (g_ptr_array_index (d->candidates, i), copy))
      return;
  g_ptr_array_add (d->candidates, g_steal_pointer (&copy));
}

static void discover_try_next (GTask *task);

static void
discover_version_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  Discover *d = g_task_get_task_data (task);
  g_autoptr(Response) resp = NULL;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *obj;
  PbiImmichVersion v = { 0 };
  const gchar *candidate = g_ptr_array_index (d->candidates, d->index);

  resp = exchange_finish (self, result, &error);
  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  root = parse_json (resp);
  if (resp->status == SOUP_STATUS_NOT_FOUND
      || (SOUP_STATUS_IS_SUCCESSFUL (resp->status) && body_looks_like_html (resp)))
    {
      /* Not the API here: the other route, then the next candidate. */
      if (d->route == 0)
        d->route = 1;
      else
        {
          d->route = 0;
          d->index++;
        }
      discover_try_next (g_steal_pointer (&task));
      return;
    }
  if (!check_status (self, resp, root, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  obj = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (obj == NULL || !obj_uint (obj, "major", &v.major) || !obj_uint (obj, "minor", &v.minor)
      || !obj_uint (obj, "patch", &v.patch))
    {
      g_task_return_error (task, bad_response (resp, root ? "lacks the version numbers"
                                                          : "is not valid JSON"));
      return;
    }

  g_debug ("found Immich %u.%u.%u at %s", v.major, v.minor, v.patch, candidate);
  self->version = v;
  self->have_version = TRUE;
  g_free (self->api_url);
  self->api_url = g_strdup (candidate);
  self->family = pbi_immich_api_family_for_version (v.major, v.minor);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_URL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_FAMILY]);

  if (self->family == PBI_IMMICH_API_UNKNOWN)
    {
      g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNSUPPORTED_VERSION,
                               "The server runs Immich %u.%u.%u, which is too old: this app "
                               "needs Immich %d.%d or newer; update the server",
                               v.major, v.minor, v.patch, PBI_IMMICH_MIN_MAJOR,
                               PBI_IMMICH_MIN_MINOR);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
discover_try_next (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  Discover *d = g_task_get_task_data (task);
  g_autofree gchar *url = NULL;
  SoupMessage *msg;

  if (d->index >= d->candidates->len)
    {
      g_autoptr(GUri) uri = g_uri_parse (self->server_url, G_URI_FLAGS_ENCODED, NULL);

      g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_IMMICH,
                               "%s answers, but not as an Immich server; check the address",
                               uri ? g_uri_get_host (uri) : self->server_url);
      g_object_unref (task);
      return;
    }
  url = g_strconcat (g_ptr_array_index (d->candidates, d->index),
                     d->route == 0 ? "/server/version" : "/server-info/version", NULL);
  msg = new_message ("GET", url);
  if (msg == NULL)
    {
      d->index++;
      d->route = 0;
      discover_try_next (task);
      return;
    }
  exchange_async (self, msg, REQ_NO_AUTH, NULL, NULL, NULL, g_task_get_cancellable (task),
                  discover_version_cb, task);
}

static void
discover_well_known_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  Discover *d = g_task_get_task_data (task);
  g_autoptr(Response) resp = NULL;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;

  resp = exchange_finish (self, result, &error);
  if (resp == NULL)
    {
      /* Nothing answers, or TLS fails: no other address will do better. */
      g_task_return_error (task, error);
      return;
    }
  if (SOUP_STATUS_IS_REDIRECTION (resp->status))
    {
      check_status (self, resp, NULL, &error);
      g_task_return_error (task, error);
      return;
    }

  root = SOUP_STATUS_IS_SUCCESSFUL (resp->status) ? parse_json (resp) : NULL;
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      const gchar *endpoint = obj_string (obj_object (json_node_get_object (root), "api"),
                                          "endpoint");

      if (endpoint != NULL && *endpoint != '\0')
        {
          g_autofree gchar *base_slash = g_strconcat (d->base, "/", NULL);
          g_autofree gchar *resolved = g_uri_resolve_relative (base_slash, endpoint,
                                                               G_URI_FLAGS_ENCODED, NULL);
          const gchar *rel = endpoint;

          /* As the official CLI resolves it, then relative to a sub-path. */
          if (resolved != NULL)
            add_candidate (d, resolved);
          while (*rel == '/')
            rel++;
          if (strstr (endpoint, "://") == NULL)
            {
              g_autofree gchar *joined = g_strconcat (d->base, "/", rel, NULL);
              add_candidate (d, joined);
            }
        }
    }

  {
    g_autofree gchar *with_api = g_strconcat (d->base, "/api", NULL);

    add_candidate (d, with_api);
    add_candidate (d, self->server_url);
  }
  discover_try_next (g_steal_pointer (&task));
}

void
pbi_immich_client_discover_async (PbiImmichClient     *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree gchar *well_known = NULL;
  Discover *d;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_discover_async);

  d = g_new0 (Discover, 1);
  d->candidates = g_ptr_array_new_with_free_func (g_free);
  if (g_str_has_suffix (self->server_url, "/api"))
    {
      add_candidate (d, self->server_url);
      d->base = g_strndup (self->server_url, strlen (self->server_url) - 4);
    }
  else
    d->base = g_strdup (self->server_url);
  g_task_set_task_data (task, d, (GDestroyNotify) discover_free);

  well_known = g_strconcat (d->base, "/.well-known/immich", NULL);
  exchange_async (self, new_message ("GET", well_known), REQ_NO_AUTH, NULL, NULL, NULL,
                  cancellable, discover_well_known_cb, g_steal_pointer (&task));
}

gboolean
pbi_immich_client_discover_finish (PbiImmichClient  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (PBI_IS_IMMICH_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_discover_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef void (*ApiStart) (GTask *task);

static void ensure_api (PbiImmichClient *self,
                        GTask           *task,
                        ApiStart         start);

static void
resume_after_discovery (PbiImmichClient *self,
                        GTask           *task,
                        const GError    *error)
{
  ApiStart start = g_object_get_data (G_OBJECT (task), "pbi-api-start");

  if (g_task_return_error_if_cancelled (task))
    g_object_unref (task);
  else if (error == NULL)
    start (task);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ensure_api (self, task, start);  /* the caller who started it gave up; we did not */
  else
    {
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
    }
}

static void
ensure_api_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->discover_waiters);
  g_autoptr(GError) error = NULL;
  guint i;

  pbi_immich_client_discover_finish (self, result, &error);
  for (i = 0; i < waiters->len; i++)
    resume_after_discovery (self, g_ptr_array_index (waiters, i), error);
}

/* Runs @start (which takes @task) once the API is known. Calls made while a
 * discovery runs wait for it instead of starting their own. */
static void
ensure_api (PbiImmichClient *self,
            GTask           *task,
            ApiStart         start)
{
  gboolean first;

  if (self->family != PBI_IMMICH_API_UNKNOWN && self->api_url != NULL)
    {
      start (task);
      return;
    }
  g_object_set_data (G_OBJECT (task), "pbi-api-start", start);
  first = self->discover_waiters == NULL;
  if (first)
    self->discover_waiters = g_ptr_array_new ();
  g_ptr_array_add (self->discover_waiters, task);
  if (first)
    pbi_immich_client_discover_async (self, g_task_get_cancellable (task), ensure_api_cb, NULL);
}

#define IS_V1(self) ((self)->family == PBI_IMMICH_API_V1)

/* ------------------------------------------------------------------ */
/* ping, version, user, permissions, media types                       */
/* ------------------------------------------------------------------ */

static void
ping_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  GError *error = NULL;
  JsonObject *obj;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  obj = JSON_NODE_HOLDS_OBJECT (answer->root) ? json_node_get_object (answer->root) : NULL;
  if (g_strcmp0 (obj_string (obj, "res"), "pong") != 0)
    {
      g_task_return_error (task, bad_response (answer->resp, "is not {\"res\":\"pong\"}"));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
ping_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  api_call_async (self, "GET", IS_V1 (self) ? "server-info/ping" : "server/ping", NULL,
                  REQ_NONE, g_task_get_cancellable (task), ping_cb, task);
}

void
pbi_immich_client_ping_async (PbiImmichClient     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_ping_async);
  ensure_api (self, task, ping_start);
}

gboolean
pbi_immich_client_ping_finish (PbiImmichClient  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_ping_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
version_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  g_autoptr(JsonAnswer) answer = NULL;
  GError *error = NULL;
  JsonObject *obj;
  PbiImmichVersion v = { 0 };

  answer = api_call_finish (self, result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  obj = JSON_NODE_HOLDS_OBJECT (answer->root) ? json_node_get_object (answer->root) : NULL;
  if (!obj_uint (obj, "major", &v.major) || !obj_uint (obj, "minor", &v.minor)
      || !obj_uint (obj, "patch", &v.patch))
    {
      g_task_return_error (task, bad_response (answer->resp, "lacks the version numbers"));
      return;
    }
  self->version = v;
  g_task_return_pointer (task, pbi_immich_version_copy (&v),
                         (GDestroyNotify) pbi_immich_version_free);
}

static void
version_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  api_call_async (self, "GET", IS_V1 (self) ? "server-info/version" : "server/version", NULL,
                  REQ_NO_AUTH, g_task_get_cancellable (task), version_cb, task);
}

void
pbi_immich_client_get_version_async (PbiImmichClient     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_get_version_async);
  ensure_api (self, task, version_start);
}

/**
 * pbi_immich_client_get_version_finish:
 *
 * Returns: (transfer full): the server's version
 */
PbiImmichVersion *
pbi_immich_client_get_version_finish (PbiImmichClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_get_version_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
user_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  GError *error = NULL;
  JsonObject *obj;
  PbiImmichUser *user;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  obj = JSON_NODE_HOLDS_OBJECT (answer->root) ? json_node_get_object (answer->root) : NULL;
  if (obj_string (obj, "id") == NULL || obj_string (obj, "email") == NULL)
    {
      g_task_return_error (task, bad_response (answer->resp, "lacks the user's id or email"));
      return;
    }
  user = g_new0 (PbiImmichUser, 1);
  user->id = g_strdup (obj_string (obj, "id"));
  user->email = g_strdup (obj_string (obj, "email"));
  user->name = g_strdup (obj_string (obj, "name") ? obj_string (obj, "name")
                         : obj_string (obj, "firstName"));
  g_task_return_pointer (task, user, (GDestroyNotify) pbi_immich_user_free);
}

static void
user_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  api_call_async (self, "GET", IS_V1 (self) ? "user/me" : "users/me", NULL, REQ_NONE,
                  g_task_get_cancellable (task), user_cb, task);
}

void
pbi_immich_client_get_current_user_async (PbiImmichClient     *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_get_current_user_async);
  ensure_api (self, task, user_start);
}

/**
 * pbi_immich_client_get_current_user_finish:
 *
 * Returns: (transfer full): the user the key belongs to
 */
PbiImmichUser *
pbi_immich_client_get_current_user_finish (PbiImmichClient  *self,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_get_current_user_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GStrv
strv_from_array (JsonArray *arr,
                 gboolean   lower)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint i;

  for (i = 0; arr != NULL && i < json_array_get_length (arr); i++)
    {
      JsonNode *n = json_array_get_element (arr, i);

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        {
          g_autofree gchar *s = lower ? g_ascii_strdown (json_node_get_string (n), -1)
                                      : g_strdup (json_node_get_string (n));
          g_strv_builder_add (builder, s);
        }
    }
  return g_strv_builder_end (builder);
}

static void
permissions_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  GError *error = NULL;
  JsonObject *obj;
  JsonArray *perms;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  obj = JSON_NODE_HOLDS_OBJECT (answer->root) ? json_node_get_object (answer->root) : NULL;
  perms = obj_array (obj, "permissions");
  if (perms == NULL)
    {
      g_task_return_error (task, bad_response (answer->resp, "lacks the key's permissions"));
      return;
    }
  g_task_return_pointer (task, strv_from_array (perms, FALSE), (GDestroyNotify) g_strfreev);
}

static void
permissions_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  if (self->version.major < 2)
    {
      /* No /api-keys/me before 2.x: unknown. */
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
      return;
    }
  api_call_async (self, "GET", "api-keys/me", NULL, REQ_NONE, g_task_get_cancellable (task),
                  permissions_cb, task);
}

void
pbi_immich_client_get_key_permissions_async (PbiImmichClient     *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_get_key_permissions_async);
  ensure_api (self, task, permissions_start);
}

/**
 * pbi_immich_client_get_key_permissions_finish:
 * @permissions: (out) (transfer full) (nullable): the key's permissions
 *   (["all"] for a full key), or NULL when the server cannot tell (< 2.0)
 */
gboolean
pbi_immich_client_get_key_permissions_finish (PbiImmichClient  *self,
                                              GAsyncResult     *result,
                                              GStrv            *permissions,
                                              GError          **error)
{
  GError *local = NULL;
  GStrv perms;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_get_key_permissions_async, FALSE);
  perms = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      if (permissions != NULL)
        *permissions = NULL;
      return FALSE;
    }
  if (permissions != NULL)
    *permissions = perms;
  else
    g_strfreev (perms);
  return TRUE;
}

static void
media_types_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  GError *error = NULL;
  JsonObject *obj;
  PbiImmichMediaTypes *types;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  obj = JSON_NODE_HOLDS_OBJECT (answer->root) ? json_node_get_object (answer->root) : NULL;
  if (obj_array (obj, "image") == NULL || obj_array (obj, "video") == NULL)
    {
      g_task_return_error (task, bad_response (answer->resp, "lacks the image or video list"));
      return;
    }
  types = g_new0 (PbiImmichMediaTypes, 1);
  types->image = strv_from_array (obj_array (obj, "image"), TRUE);
  types->video = strv_from_array (obj_array (obj, "video"), TRUE);
  types->sidecar = strv_from_array (obj_array (obj, "sidecar"), TRUE);
  g_task_return_pointer (task, types, (GDestroyNotify) pbi_immich_media_types_free);
}

static void
media_types_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  api_call_async (self, "GET", IS_V1 (self) ? "server-info/media-types" : "server/media-types",
                  NULL, REQ_NONE, g_task_get_cancellable (task), media_types_cb, task);
}

void
pbi_immich_client_get_media_types_async (PbiImmichClient     *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_get_media_types_async);
  ensure_api (self, task, media_types_start);
}

/**
 * pbi_immich_client_get_media_types_finish:
 *
 * Returns: (transfer full): the extensions the server takes
 */
PbiImmichMediaTypes *
pbi_immich_client_get_media_types_finish (PbiImmichClient  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_get_media_types_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Albums                                                              */
/* ------------------------------------------------------------------ */

static PbiImmichAlbum *
album_from_json (JsonNode *node)
{
  JsonObject *obj = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *owner;
  JsonArray *users;
  PbiImmichAlbum *album;
  guint i;

  if (obj_string (obj, "id") == NULL || obj_string (obj, "albumName") == NULL)
    return NULL;
  album = g_new0 (PbiImmichAlbum, 1);
  album->id = g_strdup (obj_string (obj, "id"));
  album->name = g_strdup (obj_string (obj, "albumName"));
  obj_uint (obj, "assetCount", &album->asset_count);
  obj_bool (obj, "shared", &album->shared);

  /* Up to 2.x: ownerId and owner; 3.x: albumUsers with role "owner". */
  owner = obj_object (obj, "owner");
  album->owner_id = g_strdup (obj_string (obj, "ownerId") ? obj_string (obj, "ownerId")
                              : obj_string (owner, "id"));
  album->owner_name = g_strdup (obj_string (owner, "name"));
  users = obj_array (obj, "albumUsers");
  for (i = 0; album->owner_id == NULL && users != NULL && i < json_array_get_length (users); i++)
    {
      JsonNode *n = json_array_get_element (users, i);
      JsonObject *member = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      JsonObject *user = obj_object (member, "user");

      if (g_strcmp0 (obj_string (member, "role"), "owner") == 0)
        {
          album->owner_id = g_strdup (obj_string (user, "id"));
          g_free (album->owner_name);
          album->owner_name = g_strdup (obj_string (user, "name"));
        }
    }
  return album;
}

typedef struct
{
  GPtrArray  *albums;  /* (owned) PbiImmichAlbum */
  GHashTable *seen;    /* (owned) ids */
  guint       step;    /* 0: owned, 1: shared */
} ListAlbums;

static void
list_albums_free (ListAlbums *l)
{
  g_clear_pointer (&l->albums, g_ptr_array_unref);
  g_clear_pointer (&l->seen, g_hash_table_unref);
  g_free (l);
}

static void list_albums_start (GTask *task);

static void
list_albums_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListAlbums *l = g_task_get_task_data (task);
  g_autoptr(JsonAnswer) answer = NULL;
  GError *error = NULL;
  JsonArray *arr;
  guint i;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (answer->root))
    {
      g_task_return_error (task, bad_response (answer->resp, "is not a list of albums"));
      return;
    }
  arr = json_node_get_array (answer->root);
  for (i = 0; i < json_array_get_length (arr); i++)
    {
      PbiImmichAlbum *album = album_from_json (json_array_get_element (arr, i));

      if (album == NULL)
        {
          g_task_return_error (task, bad_response (answer->resp, "has an album without id or name"));
          return;
        }
      if (l->step == 1)
        album->shared = TRUE;
      if (g_hash_table_contains (l->seen, album->id))
        {
          pbi_immich_album_free (album);
          continue;
        }
      g_hash_table_add (l->seen, g_strdup (album->id));
      g_ptr_array_add (l->albums, album);
    }
  if (l->step == 0)
    {
      l->step = 1;
      list_albums_start (g_steal_pointer (&task));
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (l->albums), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_albums_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  ListAlbums *l = g_task_get_task_data (task);
  const gchar *path;

  if (l->step == 0)
    path = IS_V1 (self) ? "album" : "albums";
  else
    path = IS_V1 (self) ? "album?shared=true" : "albums?shared=true";
  api_call_async (self, "GET", path, NULL, REQ_NONE, g_task_get_cancellable (task),
                  list_albums_cb, task);
}

void
pbi_immich_client_list_albums_async (PbiImmichClient     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  ListAlbums *l;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_list_albums_async);
  l = g_new0 (ListAlbums, 1);
  l->albums = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_album_free);
  l->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_task_data (task, l, (GDestroyNotify) list_albums_free);
  ensure_api (self, task, list_albums_start);
}

/**
 * pbi_immich_client_list_albums_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichAlbum): owned and
 *   shared albums, each once
 */
GPtrArray *
pbi_immich_client_list_albums_finish (PbiImmichClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_list_albums_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static JsonNode *
ids_array_node (const gchar * const *ids)
{
  JsonArray *arr = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (; ids != NULL && *ids != NULL; ids++)
    json_array_add_string_element (arr, *ids);
  json_node_take_array (node, arr);
  return node;
}

static void
create_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  GError *error = NULL;
  PbiImmichAlbum *album;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  album = album_from_json (answer->root);
  if (album == NULL)
    {
      g_task_return_error (task, bad_response (answer->resp, "lacks the album's id or name"));
      return;
    }
  g_task_return_pointer (task, album, (GDestroyNotify) pbi_immich_album_free);
}

static void
create_album_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  JsonNode *body = g_task_get_task_data (task);

  api_call_async (self, "POST", IS_V1 (self) ? "album" : "albums", body, REQ_NOT_REPEATABLE,
                  g_task_get_cancellable (task), create_album_cb, task);
}

void
pbi_immich_client_create_album_async (PbiImmichClient     *self,
                                      const gchar         *name,
                                      const gchar * const *asset_ids,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_create_album_async);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "albumName");
  json_builder_add_string_value (builder, name);
  if (asset_ids != NULL && *asset_ids != NULL)
    {
      json_builder_set_member_name (builder, "assetIds");
      json_builder_add_value (builder, ids_array_node (asset_ids));
    }
  json_builder_end_object (builder);
  g_task_set_task_data (task, json_builder_get_root (builder), (GDestroyNotify) json_node_unref);
  ensure_api (self, task, create_album_start);
}

/**
 * pbi_immich_client_create_album_finish:
 *
 * Returns: (transfer full): the new album
 */
PbiImmichAlbum *
pbi_immich_client_create_album_finish (PbiImmichClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_create_album_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
add_to_album_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  g_autoptr(GPtrArray) results = NULL;
  GError *error = NULL;
  JsonArray *arr;
  guint i;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY (answer->root))
    {
      g_task_return_error (task, bad_response (answer->resp, "is not a list of results"));
      return;
    }
  arr = json_node_get_array (answer->root);
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_album_add_result_free);
  for (i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *n = json_array_get_element (arr, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      PbiImmichAlbumAddResult *r;
      gboolean success;

      if (obj_string (obj, "id") == NULL || !obj_bool (obj, "success", &success))
        {
          g_task_return_error (task, bad_response (answer->resp, "has a result without id or success"));
          return;
        }
      r = g_new0 (PbiImmichAlbumAddResult, 1);
      r->id = g_strdup (obj_string (obj, "id"));
      r->success = success;
      r->error = g_strdup (obj_string (obj, "error"));
      g_ptr_array_add (results, r);
    }
  g_task_return_pointer (task, g_steal_pointer (&results), (GDestroyNotify) g_ptr_array_unref);
}

typedef struct
{
  gchar    *album_id;
  JsonNode *body;
} AddToAlbum;

static void
add_to_album_free (AddToAlbum *a)
{
  g_free (a->album_id);
  g_clear_pointer (&a->body, json_node_unref);
  g_free (a);
}

static void
add_to_album_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  AddToAlbum *a = g_task_get_task_data (task);
  g_autofree gchar *escaped = g_uri_escape_string (a->album_id, NULL, FALSE);
  g_autofree gchar *path = g_strdup_printf ("%s/%s/assets", IS_V1 (self) ? "album" : "albums",
                                            escaped);

  api_call_async (self, "PUT", path, a->body, REQ_ALBUM, g_task_get_cancellable (task),
                  add_to_album_cb, task);
}

void
pbi_immich_client_add_to_album_async (PbiImmichClient     *self,
                                      const gchar         *album_id,
                                      const gchar * const *asset_ids,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  AddToAlbum *a;
  JsonObject *obj;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (album_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_add_to_album_async);
  a = g_new0 (AddToAlbum, 1);
  a->album_id = g_strdup (album_id);
  obj = json_object_new ();
  json_object_set_member (obj, "ids", ids_array_node (asset_ids));
  a->body = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (a->body, obj);
  g_task_set_task_data (task, a, (GDestroyNotify) add_to_album_free);
  ensure_api (self, task, add_to_album_start);
}

/**
 * pbi_immich_client_add_to_album_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichAlbumAddResult): one per id
 */
GPtrArray *
pbi_immich_client_add_to_album_finish (PbiImmichClient  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_add_to_album_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Bulk check                                                          */
/* ------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *items;    /* (owned) PbiImmichCheckItem, borrowed elements */
  GPtrArray *results;  /* (owned) PbiImmichCheckResult */
  guint      offset;
  guint      count;    /* items in the batch in flight */
} BulkCheck;

static void
bulk_check_free (BulkCheck *b)
{
  g_clear_pointer (&b->items, g_ptr_array_unref);
  g_clear_pointer (&b->results, g_ptr_array_unref);
  g_free (b);
}

static void bulk_check_start (GTask *task);

static void
bulk_check_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BulkCheck *b = g_task_get_task_data (task);
  g_autoptr(JsonAnswer) answer = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  GError *error = NULL;
  JsonArray *arr;
  guint i;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  arr = JSON_NODE_HOLDS_OBJECT (answer->root)
        ? obj_array (json_node_get_object (answer->root), "results") : NULL;
  if (arr == NULL)
    {
      g_task_return_error (task, bad_response (answer->resp, "lacks the results"));
      return;
    }
  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *n = json_array_get_element (arr, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      const gchar *action = obj_string (obj, "action");

      if (obj_string (obj, "id") == NULL
          || (g_strcmp0 (action, "accept") != 0 && g_strcmp0 (action, "reject") != 0))
        {
          g_task_return_error (task, bad_response (answer->resp,
                                                   "has a result without id or action"));
          return;
        }
      g_hash_table_insert (by_id, (gpointer) obj_string (obj, "id"), obj);
    }
  for (i = b->offset; i < b->offset + b->count; i++)
    {
      PbiImmichCheckItem *item = g_ptr_array_index (b->items, i);
      JsonObject *obj = g_hash_table_lookup (by_id, item->id);
      PbiImmichCheckResult *r;

      if (obj == NULL)
        {
          g_autofree gchar *why = g_strdup_printf ("lacks a result for “%s”", item->id);

          g_task_return_error (task, bad_response (answer->resp, why));
          return;
        }
      r = g_new0 (PbiImmichCheckResult, 1);
      r->id = g_strdup (item->id);
      r->accepted = g_str_equal (obj_string (obj, "action"), "accept");
      r->reason = g_strdup (obj_string (obj, "reason"));
      r->asset_id = g_strdup (obj_string (obj, "assetId"));
      obj_bool (obj, "isTrashed", &r->is_trashed);
      g_ptr_array_add (b->results, r);
    }
  b->offset += b->count;
  bulk_check_start (g_steal_pointer (&task));
}

static void
bulk_check_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  BulkCheck *b = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  guint i;

  if (b->offset >= b->items->len)
    {
      g_task_return_pointer (task, g_ptr_array_ref (b->results),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  b->count = MIN (PBI_IMMICH_BULK_CHECK_BATCH, b->items->len - b->offset);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "assets");
  json_builder_begin_array (builder);
  for (i = b->offset; i < b->offset + b->count; i++)
    {
      PbiImmichCheckItem *item = g_ptr_array_index (b->items, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, item->id);
      json_builder_set_member_name (builder, "checksum");
      json_builder_add_string_value (builder, item->checksum);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  api_call_async (self, "POST", IS_V1 (self) ? "asset/bulk-upload-check"
                                             : "assets/bulk-upload-check",
                  body, REQ_NONE, g_task_get_cancellable (task), bulk_check_cb, task);
}

void
pbi_immich_client_bulk_check_async (PbiImmichClient     *self,
                                    GPtrArray           *items,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  BulkCheck *b;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (items != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_bulk_check_async);
  b = g_new0 (BulkCheck, 1);
  b->items = g_ptr_array_ref (items);
  b->results = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_check_result_free);
  g_task_set_task_data (task, b, (GDestroyNotify) bulk_check_free);
  ensure_api (self, task, bulk_check_start);
}

/**
 * pbi_immich_client_bulk_check_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichCheckResult): one
 *   per item, in the items' order
 */
GPtrArray *
pbi_immich_client_bulk_check_finish (PbiImmichClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_bulk_check_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Restore from trash                                                  */
/* ------------------------------------------------------------------ */

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonAnswer) answer = NULL;
  GError *error = NULL;

  answer = api_call_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* 1.x answers 204 without a body, later ones {"count": n}. */
  g_task_return_boolean (task, TRUE);
}

static void
restore_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);

  api_call_async (self, "POST", "trash/restore/assets", g_task_get_task_data (task), REQ_NONE,
                  g_task_get_cancellable (task), restore_cb, task);
}

void
pbi_immich_client_restore_assets_async (PbiImmichClient     *self,
                                        const gchar * const *asset_ids,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task;
  JsonObject *obj;
  JsonNode *body;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_restore_assets_async);
  obj = json_object_new ();
  json_object_set_member (obj, "ids", ids_array_node (asset_ids));
  body = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (body, obj);
  g_task_set_task_data (task, body, (GDestroyNotify) json_node_unref);
  ensure_api (self, task, restore_start);
}

gboolean
pbi_immich_client_restore_assets_finish (PbiImmichClient  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_restore_assets_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Upload                                                              */
/* ------------------------------------------------------------------ */

typedef struct
{
  PbiImmichUpload       *upload;          /* (owned) */
  PbiImmichProgressFunc  progress;
  gpointer               progress_data;
  goffset                size;
  GDateTime             *mtime;           /* (owned) */
  GInputStream          *asset_stream;    /* (owned) (nullable) */
  gchar                 *sidecar_path;    /* (owned) (nullable) */
  goffset                sidecar_size;
  GInputStream          *sidecar_stream;  /* (owned) (nullable) */
} Upload;

static void
upload_data_free (Upload *u)
{
  g_clear_pointer (&u->upload, pbi_immich_upload_free);
  g_clear_pointer (&u->mtime, g_date_time_unref);
  g_clear_object (&u->asset_stream);
  g_free (u->sidecar_path);
  g_clear_object (&u->sidecar_stream);
  g_free (u);
}

static gchar *
mime_type_for (const gchar *filename)
{
  g_autofree gchar *type = g_content_type_guess (filename, NULL, 0, NULL);
  gchar *mime = type ? g_content_type_get_mime_type (type) : NULL;

  return mime ? mime : g_strdup ("application/octet-stream");
}

static gchar *
iso8601 (GDateTime *dt)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (dt);

  return g_date_time_format_iso8601 (local);
}

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  g_autoptr(Response) resp = NULL;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *obj;
  PbiImmichUploadResult *r;
  const gchar *status;
  gboolean duplicate = FALSE;

  resp = exchange_finish (self, result, &error);
  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  root = response_to_json (self, resp, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (obj_string (obj, "id") == NULL)
    {
      g_task_return_error (task, bad_response (resp, "lacks the asset's id"));
      return;
    }
  status = obj_string (obj, "status");
  if (status != NULL)
    duplicate = g_str_equal (status, "duplicate");
  else if (!obj_bool (obj, "duplicate", &duplicate))
    {
      g_task_return_error (task, bad_response (resp, "says neither status nor duplicate"));
      return;
    }
  r = g_new0 (PbiImmichUploadResult, 1);
  r->id = g_strdup (obj_string (obj, "id"));
  r->duplicate = duplicate;
  g_task_return_pointer (task, r, (GDestroyNotify) pbi_immich_upload_result_free);
}

static void
upload_send (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  Upload *u = g_task_get_task_data (task);
  PbiImmichUpload *up = u->upload;
  g_autofree gchar *uuid = g_uuid_string_random ();
  g_autofree gchar *boundary = g_strconcat ("----pbi-immich-", uuid, NULL);
  g_autoptr(PbiMultipartStream) body = pbi_multipart_stream_new (boundary);
  g_autofree gchar *basename = g_path_get_basename (up->path);
  const gchar *filename = up->filename ? up->filename : basename;
  g_autofree gchar *created = iso8601 (up->file_created_at ? up->file_created_at : u->mtime);
  g_autofree gchar *modified = iso8601 (up->file_modified_at ? up->file_modified_at : u->mtime);
  g_autofree gchar *size = g_strdup_printf ("%" G_GOFFSET_FORMAT, u->size);
  g_autofree gchar *mime = mime_type_for (filename);
  g_autofree gchar *content_type = NULL;
  g_autofree gchar *url = NULL;
  SoupMessage *msg;

  if (self->family == PBI_IMMICH_API_V3)
    {
      pbi_multipart_stream_add_field (body, "fileCreatedAt", created);
      pbi_multipart_stream_add_field (body, "fileModifiedAt", modified);
      pbi_multipart_stream_add_field (body, "fileSize", size);
      pbi_multipart_stream_add_field (body, "isFavorite", "false");
      if (up->filename != NULL)
        pbi_multipart_stream_add_field (body, "filename", up->filename);
    }
  else
    {
      g_autofree gchar *device_asset_id =
        up->device_asset_id ? g_strdup (up->device_asset_id)
                            : _pbi_immich_default_device_asset_id (filename, u->size);

      pbi_multipart_stream_add_field (body, "deviceAssetId", device_asset_id);
      pbi_multipart_stream_add_field (body, "deviceId",
                                      up->device_id ? up->device_id : DEFAULT_DEVICE_ID);
      pbi_multipart_stream_add_field (body, "fileCreatedAt", created);
      pbi_multipart_stream_add_field (body, "fileModifiedAt", modified);
      pbi_multipart_stream_add_field (body, "isFavorite", "false");
      if (up->filename != NULL && self->family == PBI_IMMICH_API_V2)
        pbi_multipart_stream_add_field (body, "filename", up->filename);
    }
  pbi_multipart_stream_add_file (body, "assetData", filename, mime, u->asset_stream, u->size);
  if (u->sidecar_stream != NULL)
    {
      g_autofree gchar *sidecar_name = g_path_get_basename (u->sidecar_path);

      pbi_multipart_stream_add_file (body, "sidecarData", sidecar_name, "application/xml",
                                     u->sidecar_stream, u->sidecar_size);
    }
  pbi_multipart_stream_close_parts (body);

  url = api_url_for (self, IS_V1 (self) ? "asset/upload" : "assets");
  msg = new_message ("POST", url);
  content_type = pbi_multipart_stream_dup_content_type (body);
  soup_message_set_request_body (msg, content_type, G_INPUT_STREAM (body),
                                 pbi_multipart_stream_get_length (body));
  /* Lets a server or proxy refuse (401, 403, 413) before the file is sent. */
  soup_message_headers_set_expectations (soup_message_get_request_headers (msg),
                                         SOUP_EXPECTATION_CONTINUE);
  if (up->checksum != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-immich-checksum",
                                  up->checksum);
  exchange_async (self, msg, REQ_UPLOAD, body, u->progress, u->progress_data,
                  g_task_get_cancellable (task), upload_cb, task);
}

static GError *
file_error (const gchar  *path,
            const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                        "Could not read “%s”: the file does not exist", path);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                        "Could not read “%s”: permission denied", path);
  return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                      "Could not read “%s”: %s", path, error->message);
}

static void
upload_sidecar_opened_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *u = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GFileInputStream *stream;

  stream = g_file_read_finish (G_FILE (object), result, &error);
  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, file_error (u->sidecar_path, error));
      return;
    }
  u->sidecar_stream = G_INPUT_STREAM (stream);
  upload_send (g_steal_pointer (&task));
}

static void
upload_asset_opened_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *u = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GFileInputStream *stream;

  stream = g_file_read_finish (G_FILE (object), result, &error);
  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, file_error (u->upload->path, error));
      return;
    }
  u->asset_stream = G_INPUT_STREAM (stream);
  if (u->sidecar_path != NULL)
    {
      g_autoptr(GFile) sidecar = g_file_new_for_path (u->sidecar_path);
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_file_read_async (sidecar, G_PRIORITY_DEFAULT, cancellable,
                         upload_sidecar_opened_cb, g_steal_pointer (&task));
      return;
    }
  upload_send (g_steal_pointer (&task));
}

static void
upload_start (GTask *task)
{
  Upload *u = g_task_get_task_data (task);
  g_autoptr(GFile) file = g_file_new_for_path (u->upload->path);

  g_file_read_async (file, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                     upload_asset_opened_cb, task);
}

void
pbi_immich_client_upload_async (PbiImmichClient       *self,
                                PbiImmichUpload       *upload,
                                PbiImmichProgressFunc  progress,
                                gpointer               progress_data,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  GTask *task;
  Upload *u;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (upload != NULL && upload->path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_upload_async);
  u = g_new0 (Upload, 1);
  u->upload = pbi_immich_upload_copy (upload);
  u->progress = progress;
  u->progress_data = progress_data;
  g_task_set_task_data (task, u, (GDestroyNotify) upload_data_free);

  /* Stats are quick; the reads happen asynchronously while sending. */
  file = g_file_new_for_path (upload->path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (info == NULL)
    {
      g_task_return_error (task, file_error (upload->path, error));
      g_object_unref (task);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                               "“%s” is not a regular file", upload->path);
      g_object_unref (task);
      return;
    }
  u->size = g_file_info_get_size (info);
  u->mtime = g_file_info_get_modification_date_time (info);
  if (u->mtime == NULL)
    u->mtime = g_date_time_new_now_utc ();

  if (!upload->no_sidecar)
    {
      u->sidecar_path = upload->sidecar_path ? g_strdup (upload->sidecar_path)
                                             : _pbi_immich_find_sidecar (upload->path);
      if (u->sidecar_path != NULL)
        {
          g_autoptr(GFile) sidecar = g_file_new_for_path (u->sidecar_path);
          g_autoptr(GFileInfo) sinfo = NULL;

          sinfo = g_file_query_info (sidecar, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                     G_FILE_QUERY_INFO_NONE, NULL, &error);
          if (sinfo == NULL)
            {
              g_task_return_error (task, file_error (u->sidecar_path, error));
              g_object_unref (task);
              return;
            }
          u->sidecar_size = g_file_info_get_size (sinfo);
        }
    }

  ensure_api (self, task, upload_start);
}

/**
 * pbi_immich_client_upload_finish:
 *
 * Returns: (transfer full): the asset's id, and whether the server had it
 */
PbiImmichUploadResult *
pbi_immich_client_upload_finish (PbiImmichClient  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_immich_client_upload_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Object                                                              */
/* ------------------------------------------------------------------ */

/**
 * pbi_immich_client_new:
 * @server_url: the address as the user typed it
 * @api_key: (nullable): the API key
 * @error: return location for a %PBI_IMMICH_ERROR_INVALID_URL or
 *   %PBI_IMMICH_ERROR_UNAUTHORIZED (malformed key) error
 *
 * Makes a client bound to the thread-default main context. Nothing is sent
 * until the first call.
 *
 * Returns: (transfer full) (nullable): a client
 */
PbiImmichClient *
pbi_immich_client_new (const gchar  *server_url,
                       const gchar  *api_key,
                       GError      **error)
{
  g_autofree gchar *url = NULL;
  g_autofree gchar *key = NULL;
  PbiImmichClient *self;
  const gchar *p;

  url = pbi_immich_normalize_url (server_url, error);
  if (url == NULL)
    return NULL;
  key = g_strstrip (g_strdup (api_key ? api_key : ""));
  for (p = key; *p != '\0'; p++)
    {
      if (g_ascii_iscntrl (*p) || (guchar) *p >= 0x80)
        {
          g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED,
                       "The API key contains a line break or other character that cannot be "
                       "sent; copy it again from Immich");
          return NULL;
        }
    }

  self = g_object_new (PBI_TYPE_IMMICH_CLIENT, NULL);
  self->server_url = g_steal_pointer (&url);
  self->api_key = g_steal_pointer (&key);
  return self;
}

const gchar *
pbi_immich_client_get_server_url (PbiImmichClient *self)
{
  g_return_val_if_fail (PBI_IS_IMMICH_CLIENT (self), NULL);
  return self->server_url;
}

/**
 * pbi_immich_client_get_api_url:
 *
 * Returns: (nullable): the discovered API base ("https://host/api"), or
 *   %NULL before discovery
 */
const gchar *
pbi_immich_client_get_api_url (PbiImmichClient *self)
{
  g_return_val_if_fail (PBI_IS_IMMICH_CLIENT (self), NULL);
  return self->api_url;
}

PbiImmichApiFamily
pbi_immich_client_get_api_family (PbiImmichClient *self)
{
  g_return_val_if_fail (PBI_IS_IMMICH_CLIENT (self), PBI_IMMICH_API_UNKNOWN);
  return self->family;
}

/**
 * pbi_immich_client_dup_server_version:
 *
 * Returns: (transfer full) (nullable): "3.2.2", or %NULL before discovery
 */
gchar *
pbi_immich_client_dup_server_version (PbiImmichClient *self)
{
  g_return_val_if_fail (PBI_IS_IMMICH_CLIENT (self), NULL);
  if (!self->have_version)
    return NULL;
  return version_string (self);
}

/**
 * pbi_immich_client_set_timeouts:
 * @connect_timeout_s: seconds to wait for a connection (0: no limit)
 * @idle_timeout_s: seconds a connection may sit without any data moving
 *   (0: no limit)
 */
void
pbi_immich_client_set_timeouts (PbiImmichClient *self,
                                guint            connect_timeout_s,
                                guint            idle_timeout_s)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));

  self->connect_timeout_s = connect_timeout_s;
  self->idle_timeout_s = idle_timeout_s;
  soup_session_set_timeout (self->session, idle_timeout_s);
}

/**
 * pbi_immich_client_set_pinned_certificate:
 * @sha256_fingerprint: (nullable): the SHA-256 of a certificate (hex, colons
 *   optional), or %NULL to trust only the system's authorities
 *
 * Accepts exactly that certificate even when the system does not trust it
 * (a self-signed server). Any other untrusted certificate fails as
 * %PBI_IMMICH_ERROR_TLS. An invalid fingerprint pins nothing.
 */
void
pbi_immich_client_set_pinned_certificate (PbiImmichClient *self,
                                          const gchar     *sha256_fingerprint)
{
  g_autofree gchar *old = NULL;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));

  old = g_steal_pointer (&self->pinned);
  self->pinned = canonical_fingerprint (sha256_fingerprint);
  if (sha256_fingerprint != NULL && self->pinned == NULL)
    g_debug ("ignoring a pinned fingerprint that is not 64 hex digits");
  /* Connections accepted under a pin that no longer holds must not be
   * reused (this also ends requests in flight on them). */
  if (old != NULL && g_strcmp0 (old, self->pinned) != 0)
    soup_session_abort (self->session);
}

/**
 * pbi_immich_client_dup_certificate_fingerprint:
 *
 * Returns: (transfer full) (nullable): the SHA-256 fingerprint ("AB:CD:…")
 *   of the last certificate refused, for a UI to offer pinning it
 */
gchar *
pbi_immich_client_dup_certificate_fingerprint (PbiImmichClient *self)
{
  g_return_val_if_fail (PBI_IS_IMMICH_CLIENT (self), NULL);
  return g_strdup (self->last_fingerprint);
}

/**
 * pbi_immich_client_get_retry_after:
 *
 * Returns: the seconds the server asked to wait (Retry-After) with its last
 *   %PBI_IMMICH_ERROR_SERVER answer, 0 when it did not say
 */
guint
pbi_immich_client_get_retry_after (PbiImmichClient *self)
{
  g_return_val_if_fail (PBI_IS_IMMICH_CLIENT (self), 0);
  return self->retry_after;
}

static void
pbi_immich_client_dispose (GObject *object)
{
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (pbi_immich_client_parent_class)->dispose (object);
}

static void
pbi_immich_client_finalize (GObject *object)
{
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);

  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->api_url, g_free);
  g_clear_pointer (&self->pinned, g_free);
  g_clear_pointer (&self->last_fingerprint, g_free);

  G_OBJECT_CLASS (pbi_immich_client_parent_class)->finalize (object);
}

static void
pbi_immich_client_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      g_value_set_string (value, pbi_immich_client_get_server_url (self));
      break;

    case PROP_API_URL:
      g_value_set_string (value, pbi_immich_client_get_api_url (self));
      break;

    case PROP_API_FAMILY:
      g_value_set_uint (value, pbi_immich_client_get_api_family (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_immich_client_class_init (PbiImmichClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pbi_immich_client_dispose;
  object_class->finalize = pbi_immich_client_finalize;
  object_class->get_property = pbi_immich_client_get_property;

  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_API_URL] =
    g_param_spec_string ("api-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_API_FAMILY] =
    g_param_spec_uint ("api-family", NULL, NULL, 0, PBI_IMMICH_API_V3, PBI_IMMICH_API_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pbi_immich_client_init (PbiImmichClient *self)
{
  self->connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
  self->idle_timeout_s = DEFAULT_IDLE_TIMEOUT_S;
  self->session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                                 "timeout", DEFAULT_IDLE_TIMEOUT_S,
                                                 NULL);
}
