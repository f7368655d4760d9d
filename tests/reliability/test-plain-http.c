/* test-plain-http.c: which addresses count as the local network, and the
 * one warning for plain http outside it
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-immich-client.h"
#include "pbi-immich-client-private.h"

static void
test_classification (void)
{
  static const struct { const gchar *host; gboolean local; } cases[] = {
    { "127.0.0.1", TRUE }, { "127.8.9.10", TRUE }, { "::1", TRUE }, { "[::1]", TRUE },
    { "10.0.0.5", TRUE }, { "172.16.0.1", TRUE }, { "172.31.255.254", TRUE },
    { "192.168.1.100", TRUE }, { "169.254.10.20", TRUE }, { "100.64.0.1", TRUE },
    { "100.127.255.255", TRUE }, { "fe80::1", TRUE }, { "[fd12:3456::1]", TRUE },
    { "fc00::1", TRUE }, { "::ffff:192.168.1.2", TRUE },
    { "localhost", TRUE }, { "LOCALHOST", TRUE }, { "immich", TRUE }, { "nas.local", TRUE },
    { "nas.local.", TRUE }, { "immich.lan", TRUE }, { "box.home.arpa", TRUE },
    { "immich.internal", TRUE }, { "app.localhost", TRUE },
    /* outside */
    { "8.8.8.8", FALSE }, { "172.32.0.1", FALSE }, { "172.15.255.255", FALSE },
    { "100.128.0.1", FALSE }, { "100.63.255.255", FALSE }, { "192.169.1.1", FALSE },
    { "11.0.0.1", FALSE }, { "2001:db8::1", FALSE }, { "[2a00:1450::1]", FALSE },
    { "::ffff:8.8.8.8", FALSE }, { "immich.example.com", FALSE },
    { "photos.local.example.com", FALSE }, { "example.org", FALSE },
    { "", FALSE }, { NULL, FALSE }, { "[]", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].host ? cases[i].host : "(null)");
      g_assert_cmpint (_pbi_immich_host_is_local (cases[i].host), ==, cases[i].local);
    }
}

static GString *captured;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      g_string_append_printf (captured, "%s\n", (const gchar *) fields[i].value);
  return G_LOG_WRITER_HANDLED;
}

static guint
count (const gchar *haystack,
       const gchar *needle)
{
  guint n = 0;

  for (const gchar *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_warns_once (void)
{
  static const gchar *far = "http://203.0.113.7:2283";
  g_autoptr(GError) error = NULL;

  captured = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  /* local or https: nothing said */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(PbiImmichClient) a = pbi_immich_client_new ("http://192.168.1.100:2283", "k",
                                                            &error);
      g_autoptr(PbiImmichClient) b = pbi_immich_client_new ("https://immich.example.com", "k",
                                                            &error);
      g_autoptr(PbiImmichClient) c = pbi_immich_client_new ("http://nas.local:2283", "k",
                                                            &error);
      g_assert_no_error (error);
    }
  g_assert_cmpstr (captured->str, ==, "");

  /* outside: said once, however many clients are made */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(PbiImmichClient) d = pbi_immich_client_new (far, "secret-key-123", &error);
      g_autoptr(PbiImmichClient) e = pbi_immich_client_new ("http://immich.example.com", "k",
                                                            &error);
      g_assert_no_error (error);
    }
  g_test_message ("%s", captured->str);
  g_assert_cmpuint (count (captured->str, "plain http"), ==, 2);
  g_assert_cmpuint (count (captured->str, far), ==, 1);
  g_assert_cmpuint (count (captured->str, "http://immich.example.com is reached"), ==, 1);
  g_assert_null (strstr (captured->str, "secret-key-123"));
  g_assert_false (_pbi_immich_url_warn_plain_http (far));
  g_string_free (captured, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pbi/reliability/plain-http/classification", test_classification);
  g_test_add_func ("/pbi/reliability/plain-http/warns-once", test_warns_once);
  return g_test_run ();
}
