/* test-immich-url.c: address normalization and other pure helpers
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pbi-immich-client.h"
#include "pbi-immich-client-private.h"

static void
test_accepts (void)
{
  static const struct { const gchar *in; const gchar *out; } cases[] = {
    { "https://immich.example.com", "https://immich.example.com" },
    { "https://immich.example.com/", "https://immich.example.com" },
    { "https://immich.example.com///", "https://immich.example.com" },
    { "  https://immich.example.com/api/ \n", "https://immich.example.com/api" },
    { "https://immich.example.com/api", "https://immich.example.com/api" },
    { "http://192.168.1.100:2283", "http://192.168.1.100:2283" },
    { "http://192.168.1.100:2283/", "http://192.168.1.100:2283" },
    { "HTTPS://Immich.Example.COM", "https://immich.example.com" },
    { "https://example.org/photos", "https://example.org/photos" },
    { "https://example.org/photos/api/", "https://example.org/photos/api" },
    { "https://immich.example.com:443/", "https://immich.example.com" },
    { "http://immich.example.com:80", "http://immich.example.com" },
    { "https://immich.example.com:8443", "https://immich.example.com:8443" },
    { "http://[::1]:2283/", "http://[::1]:2283" },
    { "https://immich.example.com/?tab=photos#top", "https://immich.example.com" },
    { "\thttp://immich.local:2283\t", "http://immich.local:2283" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *out = pbi_immich_normalize_url (cases[i].in, &error);

      g_test_message ("%s", cases[i].in);
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_refuses (void)
{
  /* Each refusal says what to type. */
  static const struct { const gchar *in; const gchar *hint; } cases[] = {
    { "", "https://immich.example.com" },
    { "   ", "https://immich.example.com" },
    { NULL, "https://immich.example.com" },
    { "immich.local:2283", "did you mean http://immich.local:2283?" },
    { "immich.local", "did you mean http://immich.local?" },
    { "192.168.1.100:2283/api", "did you mean http://192.168.1.100:2283?" },
    { "htps://immich.example.com", "did you mean https://immich.example.com?" },
    { "htp://immich.example.com", "did you mean http://immich.example.com?" },
    { "http:/immich.example.com", "did you mean http://immich.example.com?" },
    { "https:immich.example.com", "did you mean https://immich.example.com?" },
    { "ftp://immich.example.com", "not ftp://" },
    { "https://immich example.com", "without spaces" },
    { "https://", "no server name" },
    { "http:///api", "no server name" },
    { "https://immich.example.com:99999", "from 1 to 65535" },
    { "https://user:secret@immich.example.com", "user@" },
    { "://immich.example.com", "did you mean https://immich.example.com?" },
    { "not a url", "without spaces" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *out = pbi_immich_normalize_url (cases[i].in, &error);

      g_test_message ("“%s” → %s", cases[i].in, error ? error->message : "(accepted)");
      g_assert_null (out);
      g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL);
      g_assert_nonnull (strstr (error->message, cases[i].hint));
    }
}

static void
test_secret_not_echoed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = pbi_immich_normalize_url ("https://user:hunter2@immich.example.com",
                                                    &error);

  g_assert_null (out);
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, "hunter2"));
}

static void
test_client_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichClient) client = NULL;

  client = pbi_immich_client_new ("immich.local:2283", "key", &error);
  g_assert_null (client);
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_INVALID_URL);
  g_clear_error (&error);

  client = pbi_immich_client_new ("https://immich.example.com", "abc\ndef", &error);
  g_assert_null (client);
  g_assert_error (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED);
  g_assert_null (strstr (error->message, "abc"));
  g_clear_error (&error);

  client = pbi_immich_client_new (" https://immich.example.com/ ", " key ", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pbi_immich_client_get_server_url (client), ==, "https://immich.example.com");
  g_assert_null (pbi_immich_client_get_api_url (client));
  g_assert_cmpint (pbi_immich_client_get_api_family (client), ==, PBI_IMMICH_API_UNKNOWN);
  g_assert_null (pbi_immich_client_dup_server_version (client));
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_family (void)
{
  g_assert_cmpint (pbi_immich_api_family_for_version (1, 80), ==, PBI_IMMICH_API_UNKNOWN);
  g_assert_cmpint (pbi_immich_api_family_for_version (1, 89), ==, PBI_IMMICH_API_UNKNOWN);
  g_assert_cmpint (pbi_immich_api_family_for_version (0, 99), ==, PBI_IMMICH_API_UNKNOWN);
  g_assert_cmpint (pbi_immich_api_family_for_version (1, 90), ==, PBI_IMMICH_API_V1);
  g_assert_cmpint (pbi_immich_api_family_for_version (1, 105), ==, PBI_IMMICH_API_V1);
  g_assert_cmpint (pbi_immich_api_family_for_version (1, 106), ==, PBI_IMMICH_API_V2);
  g_assert_cmpint (pbi_immich_api_family_for_version (1, 118), ==, PBI_IMMICH_API_V2);
  g_assert_cmpint (pbi_immich_api_family_for_version (2, 7), ==, PBI_IMMICH_API_V2);
  g_assert_cmpint (pbi_immich_api_family_for_version (3, 0), ==, PBI_IMMICH_API_V3);
  g_assert_cmpint (pbi_immich_api_family_for_version (4, 1), ==, PBI_IMMICH_API_V3);
}

static void
test_transient (void)
{
  g_autoptr(GError) e1 = g_error_new_literal (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNREACHABLE, "x");
  g_autoptr(GError) e2 = g_error_new_literal (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_SERVER, "x");
  g_autoptr(GError) e3 = g_error_new_literal (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TLS, "x");
  g_autoptr(GError) e4 = g_error_new_literal (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE, "x");
  g_autoptr(GError) e5 = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "x");

  g_assert_true (pbi_immich_error_is_transient (e1));
  g_assert_true (pbi_immich_error_is_transient (e2));
  g_assert_false (pbi_immich_error_is_transient (e3));
  g_assert_false (pbi_immich_error_is_transient (e4));
  g_assert_false (pbi_immich_error_is_transient (e5));
  g_assert_false (pbi_immich_error_is_transient (NULL));
}

/* The mapping itself, for every case (reliability-dns makes the DNS ones
 * happen, in a network namespace of its own). */
static void
test_transport_errors (void)
{
  struct { GQuark domain; gint code; gint want; const gchar *words; } cases[] = {
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, PBI_IMMICH_ERROR_UNREACHABLE,
      "the server name immich.example.com was not found (dns): check the address" },
    { G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND, PBI_IMMICH_ERROR_UNREACHABLE,
      "the server name immich.example.com was not found" },
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, PBI_IMMICH_ERROR_UNREACHABLE,
      "the dns server did not answer when looking up immich.example.com" },
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_INTERNAL, PBI_IMMICH_ERROR_UNREACHABLE,
      "looking up the server name immich.example.com failed (dns): low level" },
    { G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, PBI_IMMICH_ERROR_UNREACHABLE,
      "nothing answers at immich.example.com:2283 — is immich running?" },
    { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, PBI_IMMICH_ERROR_UNREACHABLE, "within 7 s" },
    { G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, PBI_IMMICH_ERROR_UNREACHABLE,
      "cannot be reached" },
    { G_TLS_ERROR, G_TLS_ERROR_NOT_TLS, PBI_IMMICH_ERROR_TLS, "http://" },
    { G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE, PBI_IMMICH_ERROR_TLS, "secure connection" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) in = g_error_new_literal (cases[i].domain, cases[i].code, "low level");
      g_autoptr(GError) out = _pbi_immich_error_from_transport (in, "immich.example.com", 2283, 7);
      g_autofree gchar *lower = g_utf8_strdown (out->message, -1);

      g_test_message ("%s", out->message);
      g_assert_error (out, PBI_IMMICH_ERROR, cases[i].want);
      g_assert_nonnull (strstr (lower, cases[i].words));
    }

  {
    g_autoptr(GError) in = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
    g_autoptr(GError) out = _pbi_immich_error_from_transport (in, "h", 1, 1);

    g_assert_error (out, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

static void
test_retry_after (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 25, 12, 0, 0);

  g_assert_cmpint (_pbi_immich_parse_retry_after ("120", now), ==, 120);
  g_assert_cmpint (_pbi_immich_parse_retry_after (" 5 ", now), ==, 5);
  g_assert_cmpint (_pbi_immich_parse_retry_after ("Wed, 25 Nov 2026 12:01:30 GMT", now), ==, 90);
  g_assert_cmpint (_pbi_immich_parse_retry_after ("Wed, 25 Nov 2026 11:00:00 GMT", now), ==, 0);
  g_assert_cmpint (_pbi_immich_parse_retry_after ("soon", now), ==, -1);
  g_assert_cmpint (_pbi_immich_parse_retry_after ("", now), ==, -1);
  g_assert_cmpint (_pbi_immich_parse_retry_after (NULL, now), ==, -1);
}

static void
test_fingerprint (void)
{
  g_autofree gchar *fp = _pbi_immich_fingerprint_of_der ((const guint8 *) "abc", 3);

  /* SHA-256("abc") */
  g_assert_cmpstr (fp, ==, "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
                           "B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD");
}

static void
test_device_asset_id (void)
{
  g_autofree gchar *a = _pbi_immich_default_device_asset_id ("IMG_0001.jpg", 123456);
  g_autofree gchar *b = _pbi_immich_default_device_asset_id ("my photo 1.jpg", 42);

  g_assert_cmpstr (a, ==, "IMG_0001.jpg-123456");
  g_assert_cmpstr (b, ==, "myphoto1.jpg-42");
}

static void
test_sidecar (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("pbi-sidecar-XXXXXX", NULL);
  g_autofree gchar *photo = g_build_filename (dir, "photo.jpg", NULL);
  g_autofree gchar *double_ext = g_build_filename (dir, "photo.jpg.xmp", NULL);
  g_autofree gchar *single_ext = g_build_filename (dir, "photo.xmp", NULL);
  g_autofree gchar *found = NULL;

  g_assert_true (g_file_set_contents (photo, "x", 1, NULL));
  g_assert_null (_pbi_immich_find_sidecar (photo));

  g_assert_true (g_file_set_contents (double_ext, "<x/>", -1, NULL));
  found = _pbi_immich_find_sidecar (photo);
  g_assert_cmpstr (found, ==, double_ext);
  g_clear_pointer (&found, g_free);

  /* Like the official CLI 3.x: photo.xmp wins over photo.jpg.xmp. */
  g_assert_true (g_file_set_contents (single_ext, "<x/>", -1, NULL));
  found = _pbi_immich_find_sidecar (photo);
  g_assert_cmpstr (found, ==, single_ext);

  g_unlink (single_ext);
  g_unlink (double_ext);
  g_unlink (photo);
  g_rmdir (dir);
}

static void
test_media_types (void)
{
  const gchar *image[] = { ".jpg", ".jpeg", ".heic", NULL };
  const gchar *video[] = { ".mp4", NULL };
  PbiImmichMediaTypes m = { (GStrv) image, (GStrv) video, NULL };

  g_assert_true (pbi_immich_media_types_accepts (&m, "/a/IMG_1.JPG"));
  g_assert_true (pbi_immich_media_types_accepts (&m, "clip.mp4"));
  g_assert_false (pbi_immich_media_types_accepts (&m, "notes.txt"));
  g_assert_false (pbi_immich_media_types_accepts (&m, "/a.jpg/noext"));
  g_assert_false (pbi_immich_media_types_accepts (&m, "trailingdot."));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pbi/immich/url/accepts", test_accepts);
  g_test_add_func ("/pbi/immich/url/refuses", test_refuses);
  g_test_add_func ("/pbi/immich/url/secret-not-echoed", test_secret_not_echoed);
  g_test_add_func ("/pbi/immich/url/client-new", test_client_new);
  g_test_add_func ("/pbi/immich/types/family", test_family);
  g_test_add_func ("/pbi/immich/error/transient", test_transient);
  g_test_add_func ("/pbi/immich/error/transport", test_transport_errors);
  g_test_add_func ("/pbi/immich/error/retry-after", test_retry_after);
  g_test_add_func ("/pbi/immich/tls/fingerprint", test_fingerprint);
  g_test_add_func ("/pbi/immich/upload/device-asset-id", test_device_asset_id);
  g_test_add_func ("/pbi/immich/upload/sidecar", test_sidecar);
  g_test_add_func ("/pbi/immich/types/media-types", test_media_types);

  return g_test_run ();
}
