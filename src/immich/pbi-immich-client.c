/* pbi-immich-client.c: the Immich client object: server URL, session, TLS pinning,
 * error mapping, discovery of the API root and version family, and the
 * properties.  Addresses (normalization, the local-network test) live in
 * pbi-immich-url.c, requests in pbi-immich-client-request.c, the endpoints in
 * pbi-immich-client-{server,albums,assets}.c.
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
#define USER_AGENT                "photobooth-immich-sync/" PACKAGE_VERSION

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

gchar *
_pbi_immich_fingerprint_of_certificate (GTlsCertificate *cert)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (cert, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return _pbi_immich_fingerprint_of_der (der->data, der->len);
}

/* "AB:CD:…" or "abcd…" → "abcd…"; NULL when it is not 64 hex digits. */
gchar *
_pbi_immich_canonical_fingerprint (const gchar *fp)
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

  /* DNS: a name that does not exist (NXDOMAIN) is the address's fault; a
   * DNS server that failed or did not answer (SERVFAIL, a timeout) is the
   * network's. Both are transient: the name may come back. */
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                        "The DNS server did not answer when looking up %s: is the network "
                        "up? (or use the server's IP address)", host);
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                        "The server name %s was not found (DNS): check the address",
                        host);
  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE,
                        "Looking up the server name %s failed (DNS): %s", host,
                        error->message);
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

  resp = _pbi_immich_exchange_finish (self, result, &error);
  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  root = _pbi_immich_parse_json (resp);
  if (resp->status == SOUP_STATUS_NOT_FOUND
      || (SOUP_STATUS_IS_SUCCESSFUL (resp->status) && _pbi_immich_body_looks_like_html (resp)))
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
  if (!_pbi_immich_check_status (self, resp, root, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  obj = _pbi_immich_node_object (root);
  if (obj == NULL || !_pbi_immich_obj_uint (obj, "major", &v.major)
      || !_pbi_immich_obj_uint (obj, "minor", &v.minor)
      || !_pbi_immich_obj_uint (obj, "patch", &v.patch))
    {
      _pbi_immich_return_bad_response (task, resp,
                                       root ? "lacks the version numbers" : "is not valid JSON");
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
  msg = _pbi_immich_new_message ("GET", url);
  if (msg == NULL)
    {
      d->index++;
      d->route = 0;
      discover_try_next (task);
      return;
    }
  _pbi_immich_exchange_async (self, msg, REQ_NO_AUTH, NULL, NULL, NULL,
                              g_task_get_cancellable (task),
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

  resp = _pbi_immich_exchange_finish (self, result, &error);
  if (resp == NULL)
    {
      /* Nothing answers, or TLS fails: no other address will do better. */
      g_task_return_error (task, error);
      return;
    }
  if (SOUP_STATUS_IS_REDIRECTION (resp->status))
    {
      _pbi_immich_check_status (self, resp, NULL, &error);
      g_task_return_error (task, error);
      return;
    }

  root = SOUP_STATUS_IS_SUCCESSFUL (resp->status) ? _pbi_immich_parse_json (resp) : NULL;
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      const gchar *endpoint = _pbi_immich_obj_string (_pbi_immich_obj_object (json_node_get_object (root), "api"),
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
  _pbi_immich_exchange_async (self, _pbi_immich_new_message ("GET", well_known), REQ_NO_AUTH, NULL,
                              NULL, NULL,
                              cancellable, discover_well_known_cb, g_steal_pointer (&task));
}

gboolean
pbi_immich_client_discover_finish (PbiImmichClient  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (PBI_IS_IMMICH_CLIENT (self), FALSE);
  return _pbi_immich_task_finish_boolean (self, result, pbi_immich_client_discover_async, error);
}

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
    _pbi_immich_ensure_api (self, task, start);  /* the caller who started it gave up; we did not */
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
void
_pbi_immich_ensure_api (PbiImmichClient *self,
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

  _pbi_immich_url_warn_plain_http (url);
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
  return _pbi_immich_version_string (self);
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
  self->pinned = _pbi_immich_canonical_fingerprint (sha256_fingerprint);
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
