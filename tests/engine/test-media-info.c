/* test-media-info.c
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gexiv2/gexiv2.h>

#include "pbi-hasher.h"
#include "pbi-media-info.h"

/* An 8×8 red JPEG made by ImageMagick: `convert -size 8x8 xc:red -strip tiny.jpg` */
static const unsigned char tiny_jpeg[] = {
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
  0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43,
  0x00, 0x03, 0x02, 0x02, 0x02, 0x02, 0x02, 0x03, 0x02, 0x02, 0x02, 0x03,
  0x03, 0x03, 0x03, 0x04, 0x06, 0x04, 0x04, 0x04, 0x04, 0x04, 0x08, 0x06,
  0x06, 0x05, 0x06, 0x09, 0x08, 0x0a, 0x0a, 0x09, 0x08, 0x09, 0x09, 0x0a,
  0x0c, 0x0f, 0x0c, 0x0a, 0x0b, 0x0e, 0x0b, 0x09, 0x09, 0x0d, 0x11, 0x0d,
  0x0e, 0x0f, 0x10, 0x10, 0x11, 0x10, 0x0a, 0x0c, 0x12, 0x13, 0x12, 0x10,
  0x13, 0x0f, 0x10, 0x10, 0x10, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x03, 0x03,
  0x03, 0x04, 0x03, 0x04, 0x08, 0x04, 0x04, 0x08, 0x10, 0x0b, 0x09, 0x0b,
  0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
  0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
  0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
  0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
  0x10, 0x10, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x08, 0x03,
  0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xc4, 0x00,
  0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0xff, 0xc4, 0x00, 0x14, 0x10,
  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00, 0x15, 0x01, 0x01, 0x01,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x07, 0x09, 0xff, 0xc4, 0x00, 0x14, 0x11, 0x01, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03,
  0x11, 0x00, 0x3f, 0x00, 0x3a, 0x03, 0x15, 0x4d, 0xff, 0xd9
};

typedef struct
{
  gchar *dir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pbi-media-info-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

/* A real JPEG, with the given EXIF tags written by gexiv2 (pairs of tag, value). */
static gchar *
make_jpeg (Fixture     *fixture,
           const gchar *name,
           ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GExiv2Metadata) metadata = NULL;
  gchar *path = g_build_filename (fixture->dir, name, NULL);
  const gchar *tag;
  gboolean any = FALSE;
  va_list args;

  g_file_set_contents (path, (const gchar *) tiny_jpeg, sizeof tiny_jpeg, &error);
  g_assert_no_error (error);

  metadata = gexiv2_metadata_new ();
  gexiv2_metadata_open_path (metadata, path, &error);
  g_assert_no_error (error);

  va_start (args, name);
  while ((tag = va_arg (args, const gchar *)) != NULL)
    {
      const gchar *value = va_arg (args, const gchar *);

      gexiv2_metadata_try_set_tag_string (metadata, tag, value, &error);
      g_assert_no_error (error);
      any = TRUE;
    }
  va_end (args);

  if (any)
    {
      gexiv2_metadata_save_file (metadata, path, &error);
      g_assert_no_error (error);
    }

  return path;
}

static void
test_candidate_names (void)
{
  const gchar * const only_jpg[] = { ".jpg", NULL };

  g_assert_true (pbi_media_filename_is_candidate ("IMG_0001.jpg", NULL));
  g_assert_true (pbi_media_filename_is_candidate ("IMG_0001.JPG", NULL));
  g_assert_true (pbi_media_filename_is_candidate ("clip.MOV", NULL));
  g_assert_true (pbi_media_filename_is_candidate ("a.b.heic", NULL));
  g_assert_true (pbi_media_filename_is_candidate ("raw.CR2", NULL));

  g_assert_false (pbi_media_filename_is_candidate (".hidden.jpg", NULL));
  g_assert_false (pbi_media_filename_is_candidate (".#lock.jpg", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("IMG_0001.jpg.tmp", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("IMG_0001.jpg.part", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("IMG_0001.jpg.partial", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("IMG_0001.jpg.crdownload", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("IMG_0001.jpg~", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("IMG_0001.jpg.swp", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("~$IMG.jpg", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("notes.txt", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("README", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("jpg", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("trailing.", NULL));
  g_assert_false (pbi_media_filename_is_candidate ("", NULL));

  /* a temporary suffix wins even when listed as media */
  {
    const gchar * const with_tmp[] = { ".jpg", ".tmp", NULL };

    g_assert_false (pbi_media_filename_is_candidate ("x.tmp", with_tmp));
  }

  g_assert_true (pbi_media_filename_is_candidate ("a.JPG", only_jpg));
  {
    const gchar * const upper[] = { ".JPG", NULL };

    g_assert_true (pbi_media_filename_is_candidate ("a.jpg", upper));
  }
  g_assert_false (pbi_media_filename_is_candidate ("a.png", only_jpg));
  g_assert_true (g_strv_contains (pbi_media_default_extensions (), ".jpeg"));
  g_assert_true (g_strv_contains (pbi_media_default_extensions (), ".mp4"));
}

static void
test_no_exif (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = make_jpeg (fixture, "plain.jpg", NULL);
  g_autoptr(GDateTime) date = NULL;

  date = pbi_media_info_get_capture_date (path, &error);
  g_assert_no_error (error);
  g_assert_null (date);
}

static void
test_original_with_offset (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autofree gchar *path = NULL;

  path = make_jpeg (fixture, "offset.jpg",
                    "Exif.Photo.DateTimeOriginal", "2024:05:06 07:08:09",
                    "Exif.Photo.OffsetTimeOriginal", "+02:00",
                    "Exif.Image.DateTime", "2030:01:01 00:00:00",
                    NULL);

  date = pbi_media_info_get_capture_date (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_get_year (date), ==, 2024);
  g_assert_cmpint (g_date_time_get_month (date), ==, 5);
  g_assert_cmpint (g_date_time_get_day_of_month (date), ==, 6);
  g_assert_cmpint (g_date_time_get_hour (date), ==, 7);
  g_assert_cmpint (g_date_time_get_minute (date), ==, 8);
  g_assert_cmpint (g_date_time_get_second (date), ==, 9);
  g_assert_cmpint (g_date_time_get_utc_offset (date), ==, 2 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_to_unix (date), ==, 1714972089);  /* 05:08:09Z */
}

static void
test_original_local (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) expected = NULL;
  g_autofree gchar *path = NULL;

  path = make_jpeg (fixture, "local.jpg",
                    "Exif.Photo.DateTimeOriginal", "2023:12:31 23:59:58",
                    "Exif.Photo.SubSecTimeOriginal", "25",
                    NULL);

  date = pbi_media_info_get_capture_date (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (date);
  expected = g_date_time_new_local (2023, 12, 31, 23, 59, 58.25);
  g_assert_true (g_date_time_equal (date, expected));
  g_assert_cmpint (g_date_time_get_microsecond (date), ==, 250000);
}

static void
test_fallbacks (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) digitized = NULL;
  g_autoptr(GDateTime) plain = NULL;
  g_autoptr(GDateTime) zeros = NULL;
  g_autofree gchar *path1 = NULL;
  g_autofree gchar *path2 = NULL;
  g_autofree gchar *path3 = NULL;

  path1 = make_jpeg (fixture, "digitized.jpg",
                     "Exif.Photo.DateTimeDigitized", "2021:02:03 04:05:06",
                     "Exif.Photo.OffsetTimeDigitized", "-05:30",
                     "Exif.Image.DateTime", "2022:01:01 00:00:00",
                     NULL);
  digitized = pbi_media_info_get_capture_date (path1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (digitized);
  g_assert_cmpint (g_date_time_get_year (digitized), ==, 2021);
  g_assert_cmpint (g_date_time_get_utc_offset (digitized), ==, -(5 * G_TIME_SPAN_HOUR + 30 * G_TIME_SPAN_MINUTE));

  path2 = make_jpeg (fixture, "datetime.jpg",
                     "Exif.Image.DateTime", "2020:07:08 09:10:11",
                     NULL);
  plain = pbi_media_info_get_capture_date (path2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plain);
  g_assert_cmpint (g_date_time_get_year (plain), ==, 2020);
  g_assert_cmpint (g_date_time_get_hour (plain), ==, 9);

  /* Cameras with an unset clock write zeros: that is no date. */
  path3 = make_jpeg (fixture, "zeros.jpg",
                     "Exif.Photo.DateTimeOriginal", "0000:00:00 00:00:00",
                     "Exif.Image.Make", "Booth",
                     NULL);
  zeros = pbi_media_info_get_capture_date (path3, &error);
  g_assert_no_error (error);
  g_assert_null (zeros);
}

static void
test_unreadable (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autofree gchar *missing = g_build_filename (fixture->dir, "missing.jpg", NULL);
  g_autofree gchar *text = g_build_filename (fixture->dir, "text.jpg", NULL);

  date = pbi_media_info_get_capture_date (missing, &error);
  g_assert_null (date);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  /* Not a format exiv2 knows: no date, and no error either. */
  g_file_set_contents (text, "not a photo", -1, &error);
  g_assert_no_error (error);
  date = pbi_media_info_get_capture_date (text, &error);
  g_assert_no_error (error);
  g_assert_null (date);

  if (geteuid () != 0)
    {
      g_autofree gchar *locked = make_jpeg (fixture, "locked.jpg",
                                            "Exif.Photo.DateTimeOriginal", "2024:05:06 07:08:09",
                                            NULL);

      g_assert_cmpint (g_chmod (locked, 0), ==, 0);
      date = pbi_media_info_get_capture_date (locked, &error);
      g_assert_null (date);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, locked));
      g_chmod (locked, 0600);
    }
}

/* Cross-check with a file whose EXIF was written by exiftool, when present. */
static void
test_exiftool (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree gchar *exiftool = g_find_program_in_path ("exiftool");
  g_autofree gchar *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) date = NULL;
  gint status = 0;

  if (exiftool == NULL)
    {
      g_test_skip ("exiftool is not installed (Debian: libimage-exiftool-perl)");
      return;
    }

  path = make_jpeg (fixture, "exiftool.jpg", NULL);
  {
    const gchar *argv[] = { exiftool, "-q", "-overwrite_original",
                            "-DateTimeOriginal=2019:11:12 13:14:15",
                            "-OffsetTimeOriginal=+09:00", path, NULL };

    g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                  NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_spawn_check_wait_status (status, &error);
    g_assert_no_error (error);
  }

  date = pbi_media_info_get_capture_date (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_get_year (date), ==, 2019);
  g_assert_cmpint (g_date_time_get_second (date), ==, 15);
  g_assert_cmpint (g_date_time_get_utc_offset (date), ==, 9 * G_TIME_SPAN_HOUR);
}

static void
hash_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  PbiHashResult **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pbi_hasher_hash_file_finish (PBI_HASHER (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

/* The engine reads the date in the hasher's worker, right after hashing. */
static void
test_hasher_capture_date (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(PbiHasher) hasher = pbi_hasher_new (2);
  g_autoptr(PbiHashResult) with_date = NULL;
  g_autoptr(PbiHashResult) without_flag = NULL;
  g_autoptr(PbiHashResult) plain = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *expected_sha1 = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *plain_path = NULL;

  path = make_jpeg (fixture, "dated.jpg",
                    "Exif.Photo.DateTimeOriginal", "2024:05:06 07:08:09",
                    "Exif.Photo.OffsetTimeOriginal", "+02:00",
                    NULL);
  plain_path = make_jpeg (fixture, "undated.jpg", NULL);

  pbi_hasher_hash_file_async (hasher, path, PBI_HASHER_FLAGS_CAPTURE_DATE, NULL, hash_cb, &with_date);
  pbi_hasher_hash_file_async (hasher, path, PBI_HASHER_FLAGS_NONE, NULL, hash_cb, &without_flag);
  pbi_hasher_hash_file_async (hasher, plain_path, PBI_HASHER_FLAGS_CAPTURE_DATE, NULL, hash_cb, &plain);
  while (with_date == NULL || without_flag == NULL || plain == NULL)
    g_main_context_iteration (NULL, TRUE);

  mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  expected_sha1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1,
                                               (const guchar *) g_mapped_file_get_contents (mapped),
                                               g_mapped_file_get_length (mapped));

  g_assert_cmpstr (with_date->sha1, ==, expected_sha1);
  g_assert_cmpuint (with_date->size, ==, g_mapped_file_get_length (mapped));
  g_assert_nonnull (with_date->capture_date);
  g_assert_cmpint (g_date_time_to_unix (with_date->capture_date), ==, 1714972089);
  g_assert_cmpint (g_date_time_get_utc_offset (with_date->capture_date), ==, 2 * G_TIME_SPAN_HOUR);

  g_assert_cmpstr (without_flag->sha1, ==, expected_sha1);
  g_assert_null (without_flag->capture_date);

  g_assert_null (plain->capture_date);
  g_assert_cmpuint (plain->size, ==, sizeof tiny_jpeg);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pbi/engine/media-info/candidate-names", test_candidate_names);
  g_test_add ("/pbi/engine/media-info/no-exif", Fixture, NULL,
              fixture_setup, test_no_exif, fixture_teardown);
  g_test_add ("/pbi/engine/media-info/original-with-offset", Fixture, NULL,
              fixture_setup, test_original_with_offset, fixture_teardown);
  g_test_add ("/pbi/engine/media-info/original-local", Fixture, NULL,
              fixture_setup, test_original_local, fixture_teardown);
  g_test_add ("/pbi/engine/media-info/fallbacks", Fixture, NULL,
              fixture_setup, test_fallbacks, fixture_teardown);
  g_test_add ("/pbi/engine/media-info/unreadable", Fixture, NULL,
              fixture_setup, test_unreadable, fixture_teardown);
  g_test_add ("/pbi/engine/media-info/exiftool", Fixture, NULL,
              fixture_setup, test_exiftool, fixture_teardown);
  g_test_add ("/pbi/engine/media-info/hasher-capture-date", Fixture, NULL,
              fixture_setup, test_hasher_capture_date, fixture_teardown);

  return g_test_run ();
}
