/* fuzz-url.c: libFuzzer target for server addresses and related text
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The address normalisation (and what makes a client of it), the local
 * network check, a pinned fingerprint and a Retry-After value, all typed
 * by a person or sent by a server.
 */

#include "config.h"

#include <string.h>

#include "pbi-immich-client.h"
#include "pbi-immich-client-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *normal = NULL;
  g_autofree gchar *fp = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 6, 1, 12, 0, 0);

  normal = pbi_immich_normalize_url (text, &error);
  g_assert_true ((normal == NULL) != (error == NULL));
  if (normal != NULL)
    {
      g_autofree gchar *again = NULL;
      g_autoptr(GError) error2 = NULL;
      g_autoptr(PbiImmichClient) client = NULL;

      /* a normalized address is accepted as it is */
      again = pbi_immich_normalize_url (normal, &error2);
      g_assert_no_error (error2);
      g_assert_cmpstr (again, ==, normal);
      client = pbi_immich_client_new (normal, "k", &error2);
      g_assert_no_error (error2);
    }
  else
    g_assert_nonnull (error->message);

  _pbi_immich_host_is_local (text);
  fp = _pbi_immich_canonical_fingerprint (text);
  if (fp != NULL)
    g_assert_cmpuint (strlen (fp), ==, 64);
  _pbi_immich_parse_retry_after (text, now);
  return 0;
}
