/* pbi-immich-url.c: the server address a person types, made into the one
 * the client uses (with hints for the usual typos), and whether a host is on
 * the local network (plain http outside it is said once)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "pbi-immich-client.h"
#include "pbi-immich-client-private.h"

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
