/* fuzz-responses.c: libFuzzer target for every parser of server answers
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on 127.0.0.1 answers whatever the client asks with the fuzz
 * input; the client's real code path (request, status mapping, JSON parse,
 * the per-call parsers in pbi-immich-client-{server,albums,assets}.c) reads
 * it. Input: byte 0 picks the call, byte 1 the status, the rest is the body.
 * Byte 1 bit 7 sends the body as text/html instead of application/json.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "pbi-immich-client.h"

static SoupServer *server;
static gchar *base_url;
static gchar *upload_path;
static const guint8 *body_data;
static gsize body_len;
static guint body_status = 200;
static gboolean body_html;
static gboolean fuzz_discovery;
static PbiImmichClient *shared_client;

static const guint statuses[] = { 200, 201, 204, 400, 401, 403, 404, 413, 429, 500, 502, 503 };

static void
handler (SoupServer        *srv,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  /* Discovery answers well unless it is the call being fuzzed. */
  if (!fuzz_discovery && g_str_equal (path, "/.well-known/immich"))
    {
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"api\":{\"endpoint\":\"/api\"}}", 27);
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  if (!fuzz_discovery && g_str_equal (path, "/api/server/version"))
    {
      static const char v[] = "{\"major\":3,\"minor\":2,\"patch\":2}";

      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        v, strlen (v));
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }
  soup_message_headers_append (h, "Retry-After", "1");
  soup_server_message_set_response (msg, body_html ? "text/html" : "application/json",
                                    SOUP_MEMORY_COPY, (const char *) body_data, body_len);
  soup_server_message_set_status (msg, body_status, NULL);
}

static void
done_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (res);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
init_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree gchar *dir = NULL;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("listen: %s", error->message);
  uris = soup_server_get_uris (server);
  base_url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
  if (g_str_has_suffix (base_url, "/"))
    base_url[strlen (base_url) - 1] = '\0';
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  dir = g_dir_make_tmp ("pbi-fuzz-XXXXXX", &error);
  g_assert_no_error (error);
  upload_path = g_build_filename (dir, "photo.jpg", NULL);
  g_file_set_contents (upload_path, "\xff\xd8\xff\xe0 fuzz \xff\xd9", 12, &error);
  g_assert_no_error (error);
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const gchar * const ids[] = { "00000000-0000-4000-8000-000000000001",
                                       "00000000-0000-4000-8000-000000000002", NULL };
  g_autoptr(PbiImmichClient) client = NULL;
  GAsyncResult *res = NULL;
  g_autoptr(GError) error = NULL;
  guint which;

  if (server == NULL)
    init_once ();
  if (size < 2)
    return 0;
  which = data[0] % 10;
  body_status = statuses[(data[1] & 0x7f) % G_N_ELEMENTS (statuses)];
  body_html = (data[1] & 0x80) != 0;
  body_data = data + 2;
  body_len = size - 2;
  fuzz_discovery = which == 0;

  /* One client (and its kept-alive connection) for every call but
   * discovery, which needs a fresh one: a new session per input cost 40 ms. */
  if (which == 0 || shared_client == NULL)
    {
      client = pbi_immich_client_new (base_url, "fuzz-key", &error);
      g_assert_no_error (error);
      pbi_immich_client_set_timeouts (client, 5, 5);
      if (which != 0)
        shared_client = g_object_ref (client);
    }
  else
    client = g_object_ref (shared_client);

  switch (which)
    {
    case 0:
      pbi_immich_client_discover_async (client, NULL, done_cb, &res);
      pbi_immich_client_discover_finish (client, wait_result (&res), NULL);
      break;
    case 1:
      {
        PbiImmichVersion *v;

        pbi_immich_client_get_version_async (client, NULL, done_cb, &res);
        v = pbi_immich_client_get_version_finish (client, wait_result (&res), NULL);
        g_clear_pointer (&v, pbi_immich_version_free);
      }
      break;
    case 2:
      {
        PbiImmichUser *u;

        pbi_immich_client_get_current_user_async (client, NULL, done_cb, &res);
        u = pbi_immich_client_get_current_user_finish (client, wait_result (&res), NULL);
        g_clear_pointer (&u, pbi_immich_user_free);
      }
      break;
    case 3:
      {
        g_auto(GStrv) perms = NULL;

        pbi_immich_client_get_key_permissions_async (client, NULL, done_cb, &res);
        pbi_immich_client_get_key_permissions_finish (client, wait_result (&res), &perms, NULL);
      }
      break;
    case 4:
      {
        PbiImmichMediaTypes *m;

        pbi_immich_client_get_media_types_async (client, NULL, done_cb, &res);
        m = pbi_immich_client_get_media_types_finish (client, wait_result (&res), NULL);
        g_clear_pointer (&m, pbi_immich_media_types_free);
      }
      break;
    case 5:
      {
        g_autoptr(GPtrArray) albums = NULL;

        pbi_immich_client_list_albums_async (client, NULL, done_cb, &res);
        albums = pbi_immich_client_list_albums_finish (client, wait_result (&res), NULL);
      }
      break;
    case 6:
      {
        PbiImmichAlbum *a;

        pbi_immich_client_create_album_async (client, "Fuzz", ids, NULL, done_cb, &res);
        a = pbi_immich_client_create_album_finish (client, wait_result (&res), NULL);
        g_clear_pointer (&a, pbi_immich_album_free);
      }
      break;
    case 7:
      {
        g_autoptr(GPtrArray) r = NULL;

        pbi_immich_client_add_to_album_async (client, ids[0], ids, NULL, done_cb, &res);
        r = pbi_immich_client_add_to_album_finish (client, wait_result (&res), NULL);
      }
      break;
    case 8:
      {
        g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (
          (GDestroyNotify) pbi_immich_check_item_free);
        g_autoptr(GPtrArray) r = NULL;

        g_ptr_array_add (items, pbi_immich_check_item_new (
          "a", "0123456789abcdef0123456789abcdef01234567"));
        g_ptr_array_add (items, pbi_immich_check_item_new (
          "b", "89abcdef0123456789abcdef0123456701234567"));
        pbi_immich_client_bulk_check_async (client, items, NULL, done_cb, &res);
        r = pbi_immich_client_bulk_check_finish (client, wait_result (&res), NULL);
      }
      break;
    case 9:
    default:
      {
        PbiImmichUpload *up = pbi_immich_upload_new (upload_path);
        PbiImmichUploadResult *r;

        up->no_sidecar = TRUE;
        pbi_immich_client_upload_async (client, up, NULL, NULL, NULL, done_cb, &res);
        r = pbi_immich_client_upload_finish (client, wait_result (&res), NULL);
        g_clear_pointer (&r, pbi_immich_upload_result_free);
        pbi_immich_upload_free (up);
        if (data[1] & 1)
          {
            g_clear_object (&res);
            pbi_immich_client_restore_assets_async (client, ids, NULL, done_cb, &res);
            pbi_immich_client_restore_assets_finish (client, wait_result (&res), NULL);
          }
      }
      break;
    }
  g_clear_object (&res);
  return 0;
}
