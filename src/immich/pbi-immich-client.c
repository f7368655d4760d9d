/* pbi-immich-client.c: the Immich client object: server URL, session, TLS pinning,
 * error mapping, discovery of the API root and version family, and the
 * properties.  Requests live in pbi-immich-client-request.c, the endpoints in
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

/* An IP address a server can have (not 0.0.0.0 or ::), or a DNS name:
 * labels of 1 to 63 letters, digits, '-' (not first or last) or '_' (Docker
 * service names), 253 characters in all; a name in another script is taken
 * in its ASCII (punycode) form. */
static gboolean
host_name_is_valid (const gchar *host)
{
  g_autofree gchar *ascii = NULL;
  g_auto(GStrv) labels = NULL;
  gsize len;

  if (g_hostname_is_ip_address (host) ||
      (host[0] == '[' && strlen (host) > 2))  /* GUri checked the IPv6 literal */
    {
      g_autoptr(GInetAddress) addr = NULL;
      g_autofree gchar *bare = host[0] == '[' ? g_strndup (host + 1, strlen (host) - 2)
                                              : g_strdup (host);

      addr = g_inet_address_new_from_string (bare);
      return addr == NULL || !g_inet_address_get_is_any (addr);
    }
  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL)
    return FALSE;
  len = strlen (ascii);
  if (len > 0 && ascii[len - 1] == '.')
    ascii[--len] = '\0';
  if (len == 0 || len > 253)
    return FALSE;
  labels = g_strsplit (ascii, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize n = strlen (labels[i]);

      if (n == 0 || n > 63 || labels[i][0] == '-' || labels[i][n - 1] == '-')
        return FALSE;
      for (gsize j = 0; j < n; j++)
        if (!g_ascii_isalnum (labels[i][j]) && labels[i][j] != '-' && labels[i][j] != '_')
          return FALSE;
    }
  return TRUE;
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

      /* "http:/host", "https:host", "https//host" or "http:\\host": a
       * scheme with its colon or slashes mistyped */
      if (g_ascii_strncasecmp (trimmed, "http:", 5) == 0 ||
          g_ascii_strncasecmp (trimmed, "http/", 5) == 0)
        rest = g_strdup (trimmed + 5);
      else if (g_ascii_strncasecmp (trimmed, "https:", 6) == 0 ||
               g_ascii_strncasecmp (trimmed, "https/", 6) == 0)
        rest = g_strdup (trimmed + 6);
      if (rest != NULL)
        {
          const gchar *r = rest;

          while (*r == '/' || *r == '\\' || *r == ':')
            r++;
          g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                       "The address “%s” is mistyped: did you mean %s://%s?",
                       trimmed, trimmed[4] == 's' || trimmed[4] == 'S' ? "https" : "http", r);
          return NULL;
        }

      guess = g_strconcat ("http://", trimmed, NULL);
      guess_uri = g_uri_parse (guess, G_URI_FLAGS_ENCODED, NULL);
      if (guess_uri != NULL && g_uri_get_host (guess_uri) != NULL
          && *g_uri_get_host (guess_uri) != '\0' && g_uri_get_userinfo (guess_uri) == NULL)
        {
          const gchar *slash = strchr (trimmed, '/');
          g_autofree gchar *bare = slash ? g_strndup (trimmed,
                                                      slash - trimmed) : g_strdup (trimmed);
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
  if (!host_name_is_valid (host))
    {
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                   "“%s” in the address “%s” is not a server name or address; type one "
                   URL_EXAMPLE, host, trimmed);
      return NULL;
    }
  port = g_uri_get_port (uri);
  if (port == 0)
    {
      g_set_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL,
                   "The port in “%s” must be a number from 1 to 65535, "
                   "for example http://192.168.1.100:2283", trimmed);
      return NULL;
    }
  if ((port == 80 && g_str_equal (scheme, "http"))
      || (port == 443 && g_str_equal (scheme, "https")))
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
/* Plain http outside the local network                                */
/* ------------------------------------------------------------------ */

/* Whether @host (a name or an address literal, IPv6 with or without its
 * brackets) is on the local network: loopback, private (RFC 1918, IPv6
 * unique local), link-local, shared address space (100.64/10, where
 * Tailscale puts its encrypted network), or a name that only a local
 * resolver knows (one label, .local, .lan, .home.arpa, .internal). */
gboolean
_pbi_immich_host_is_local (const gchar *host)
{
  g_autofree gchar *name = NULL;
  g_autoptr(GInetAddress) addr = NULL;
  gsize len;

  if (host == NULL || *host == '\0')
    return FALSE;
  name = g_ascii_strdown (host, -1);
  len = strlen (name);
  if (name[0] == '[' && len >= 2 && name[len - 1] == ']')
    {
      name[len - 1] = '\0';
      memmove (name, name + 1, len - 1);
      len -= 2;
    }
  while (len > 0 && name[len - 1] == '.')
    name[--len] = '\0';
  if (len == 0)
    return FALSE;

  addr = g_inet_address_new_from_string (name);
  if (addr != NULL)
    {
      const guint8 *b = g_inet_address_to_bytes (addr);

      if (g_inet_address_get_is_loopback (addr) || g_inet_address_get_is_link_local (addr) ||
          g_inet_address_get_is_site_local (addr))
        return TRUE;
      if (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV4)
        return b[0] == 100 && (b[1] & 0xc0) == 64;
      /* fc00::/7 unique local; ::ffff:a.b.c.d asks the IPv4 rules */
      if ((b[0] & 0xfe) == 0xfc)
        return TRUE;
      if (memcmp (b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
        {
          g_autofree gchar *v4 = g_strdup_printf ("%u.%u.%u.%u", b[12], b[13], b[14], b[15]);

          return _pbi_immich_host_is_local (v4);
        }
      return FALSE;
    }

  if (strchr (name, '.') == NULL)
    return TRUE;                       /* "localhost", "immich", "nas" */
  return g_str_has_suffix (name, ".localhost") || g_str_has_suffix (name, ".local") ||
         g_str_has_suffix (name, ".lan") || g_str_has_suffix (name, ".home.arpa") ||
         g_str_has_suffix (name, ".internal") || g_str_has_suffix (name, ".home");
}

/* Says once per address and process that @url (normalized) sends the key
 * and the photos unencrypted across networks that are not the user's.
 * Returns whether it warned now. */
gboolean
_pbi_immich_url_warn_plain_http (const gchar *url)
{
  static GHashTable *warned;
  G_LOCK_DEFINE_STATIC (warned);
  g_autoptr(GUri) uri = NULL;
  gboolean fresh;

  uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 ||
      _pbi_immich_host_is_local (g_uri_get_host (uri)))
    return FALSE;

  G_LOCK (warned);
  if (warned == NULL)
    warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fresh = g_hash_table_add (warned, g_strdup (url));
  G_UNLOCK (warned);
  if (fresh)
    g_message ("Warning: %s is reached over plain http outside the local network: the API key and the "
               "photos cross it unencrypted; use https:// (for example through a reverse proxy)",
               url);
  return fresh;
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
