/* test-immich-multipart.c: the streamed multipart/form-data body
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <libsoup/soup.h>

#include "pbi-multipart-stream.h"

typedef struct
{
  gchar *dir;
  gchar *photo;
  gchar *sidecar;
  GBytes *photo_bytes;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  guint8 *buf;
  gsize i, len = 300000;

  f->dir = g_dir_make_tmp ("pbi-multipart-XXXXXX", NULL);
  f->photo = g_build_filename (f->dir, "photo \"1\".jpg", NULL);
  f->sidecar = g_build_filename (f->dir, "photo.xmp", NULL);
  buf = g_malloc (len);
  for (i = 0; i < len; i++)
    buf[i] = (guint8) ((i * 7 + i / 251) & 0xff);
  f->photo_bytes = g_bytes_new_take (buf, len);
  g_assert_true (g_file_set_contents (f->photo, g_bytes_get_data (f->photo_bytes, NULL), len, NULL));
  g_assert_true (g_file_set_contents (f->sidecar, "<x:xmpmeta/>", -1, NULL));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_unlink (f->photo);
  g_unlink (f->sidecar);
  g_rmdir (f->dir);
  g_free (f->photo);
  g_free (f->sidecar);
  g_free (f->dir);
  g_bytes_unref (f->photo_bytes);
}

static GInputStream *
open_file (const gchar *path,
           goffset     *size)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);

  *size = g_file_info_get_size (info);
  return G_INPUT_STREAM (g_file_read (file, NULL, NULL));
}

static PbiMultipartStream *
make_body (Fixture *f)
{
  PbiMultipartStream *body = pbi_multipart_stream_new ("BOUNDARY-xyz");
  g_autoptr(GInputStream) photo = NULL;
  g_autoptr(GInputStream) sidecar = NULL;
  goffset photo_size, sidecar_size;

  photo = open_file (f->photo, &photo_size);
  sidecar = open_file (f->sidecar, &sidecar_size);
  pbi_multipart_stream_add_field (body, "deviceId", "photobooth-immich-sync");
  pbi_multipart_stream_add_field (body, "fileCreatedAt", "2026-11-25T12:00:00+01:00");
  pbi_multipart_stream_add_file (body, "assetData", "photo \"1\".jpg", "image/jpeg", photo,
                                 photo_size);
  pbi_multipart_stream_add_file (body, "sidecarData", "photo.xmp", "application/xml", sidecar,
                                 sidecar_size);
  pbi_multipart_stream_close_parts (body);
  return body;
}

/* Parses @data as the multipart body and checks every part. */
static void
check_body (Fixture *f,
            GBytes  *data,
            goffset  announced)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr(SoupMultipart) multipart = NULL;
  SoupMessageHeaders *part_headers;
  GBytes *part;
  g_autoptr(GHashTable) params = NULL;
  gchar *disposition = NULL;

  g_assert_cmpint (g_bytes_get_size (data), ==, announced);
  soup_message_headers_replace (headers, "Content-Type",
                                "multipart/form-data; boundary=BOUNDARY-xyz");
  multipart = soup_multipart_new_from_message (headers, data);
  g_assert_nonnull (multipart);
  g_assert_cmpint (soup_multipart_get_length (multipart), ==, 4);

  g_assert_true (soup_multipart_get_part (multipart, 0, &part_headers, &part));
  g_assert_true (soup_message_headers_get_content_disposition (part_headers, &disposition, &params));
  g_assert_cmpstr (g_hash_table_lookup (params, "name"), ==, "deviceId");
  g_clear_pointer (&disposition, g_free);
  g_assert_cmpmem (g_bytes_get_data (part, NULL), g_bytes_get_size (part),
                   "photobooth-immich-sync", strlen ("photobooth-immich-sync"));
  g_clear_pointer (&params, g_hash_table_unref);

  g_assert_true (soup_multipart_get_part (multipart, 2, &part_headers, &part));
  g_assert_true (soup_message_headers_get_content_disposition (part_headers, &disposition, &params));
  g_assert_cmpstr (disposition, ==, "form-data");
  g_clear_pointer (&disposition, g_free);
  g_assert_cmpstr (g_hash_table_lookup (params, "name"), ==, "assetData");
  g_assert_cmpstr (g_hash_table_lookup (params, "filename"), ==, "photo %221%22.jpg");
  g_assert_cmpstr (soup_message_headers_get_content_type (part_headers, NULL), ==, "image/jpeg");
  g_assert_true (g_bytes_equal (part, f->photo_bytes));
  g_clear_pointer (&params, g_hash_table_unref);

  g_assert_true (soup_multipart_get_part (multipart, 3, &part_headers, &part));
  g_assert_cmpmem (g_bytes_get_data (part, NULL), g_bytes_get_size (part),
                   "<x:xmpmeta/>", strlen ("<x:xmpmeta/>"));
}

static void
test_sync_read (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PbiMultipartStream) body = make_body (f);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *ctype = pbi_multipart_stream_dup_content_type (body);

  g_assert_cmpstr (ctype, ==, "multipart/form-data; boundary=BOUNDARY-xyz");
  g_assert_cmpint (g_output_stream_splice (out, G_INPUT_STREAM (body),
                                           G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                           G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error),
                   ==, pbi_multipart_stream_get_length (body));
  g_assert_no_error (error);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  check_body (f, bytes, pbi_multipart_stream_get_length (body));
  g_assert_null (pbi_multipart_stream_get_file_error (body));
}

typedef struct
{
  GByteArray *collected;
  guint8      buf[4096];
  gboolean    done;
  GError     *error;
  guint       reads;
} AsyncRead;

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  AsyncRead *ar = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &ar->error);

  ar->reads++;
  if (n <= 0)
    {
      ar->done = TRUE;
      return;
    }
  g_byte_array_append (ar->collected, ar->buf, n);
  g_input_stream_read_async (G_INPUT_STREAM (object), ar->buf, sizeof ar->buf,
                             G_PRIORITY_DEFAULT, NULL, read_cb, ar);
}

static void
test_async_read (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PbiMultipartStream) body = make_body (f);
  g_autoptr(GBytes) bytes = NULL;
  AsyncRead ar = { 0 };

  ar.collected = g_byte_array_new ();
  g_input_stream_read_async (G_INPUT_STREAM (body), ar.buf, sizeof ar.buf, G_PRIORITY_DEFAULT,
                             NULL, read_cb, &ar);
  while (!ar.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (ar.error);
  /* Reads never cross a part: at least one per 4 KiB of the file. */
  g_assert_cmpuint (ar.reads, >=, 300000 / 4096);
  bytes = g_byte_array_free_to_bytes (ar.collected);
  check_body (f, bytes, pbi_multipart_stream_get_length (body));

  /* Rewinding gives the same bytes again. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
    g_autoptr(GBytes) again = NULL;

    g_assert_true (g_seekable_seek (G_SEEKABLE (body), 0, G_SEEK_SET, NULL, &error));
    g_assert_no_error (error);
    g_output_stream_splice (out, G_INPUT_STREAM (body), G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                            NULL, &error);
    g_assert_no_error (error);
    again = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
    g_assert_true (g_bytes_equal (again, bytes));
    g_assert_false (g_seekable_seek (G_SEEKABLE (body), 10, G_SEEK_SET, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  }
}

static void
test_file_shrinks (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(PbiMultipartStream) body = pbi_multipart_stream_new ("B");
  g_autoptr(GInputStream) photo = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  goffset size;

  photo = open_file (f->photo, &size);
  /* Announce more than the file holds, as if it was cut while sending. */
  pbi_multipart_stream_add_file (body, "assetData", "photo.jpg", NULL, photo, size + 100);
  pbi_multipart_stream_close_parts (body);
  g_assert_cmpint (g_output_stream_splice (out, G_INPUT_STREAM (body), 0, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  g_assert_nonnull (pbi_multipart_stream_get_file_error (body));
  g_assert_nonnull (strstr (pbi_multipart_stream_get_file_error (body)->message, "photo.jpg"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/pbi/immich/multipart/sync-read", Fixture, NULL, fixture_setup, test_sync_read,
              fixture_teardown);
  g_test_add ("/pbi/immich/multipart/async-read", Fixture, NULL, fixture_setup, test_async_read,
              fixture_teardown);
  g_test_add ("/pbi/immich/multipart/file-shrinks", Fixture, NULL, fixture_setup,
              test_file_shrinks, fixture_teardown);

  return g_test_run ();
}
