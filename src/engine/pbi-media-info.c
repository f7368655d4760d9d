/* pbi-media-info.c: which files are media, and when were they captured
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gexiv2/gexiv2.h>

#include "pbi-media-info.h"

static const gchar * const default_extensions[] = {
  /* images */
  ".jpg", ".jpeg", ".jpe", ".png", ".heic", ".heif", ".avif", ".webp", ".gif",
  ".tif", ".tiff", ".bmp", ".jxl",
  /* camera raw */
  ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf",
  ".rw2", ".raf", ".pef", ".srw", ".x3f", ".3fr", ".iiq", ".raw", ".rwl", ".erf",
  /* video */
  ".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mts", ".m2ts", ".3gp",
  ".mpg", ".mpeg", ".wmv", ".flv",
  NULL
};

/* Names writers use while a file is still being written or edited. */
static const gchar * const temporary_suffixes[] = {
  ".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp",
  ".swx", ".filepart", ".opdownload", ".!ut", ".lock", "~",
  NULL
};

/**
 * pbi_media_default_extensions:
 *
 * The lower-case extensions (with their leading dot) treated as media when a
 * caller gives no list of its own: common image, camera raw and video types.
 *
 * Returns: (transfer none) (array zero-terminated=1): the default set
 */
const gchar * const *
pbi_media_default_extensions (void)
{
  return default_extensions;
}

/**
 * pbi_media_filename_is_temporary:
 * @name: a base name, not a path
 *
 * Whether @name looks like a hidden, partial or temporary file: a leading
 * `.` (which covers `.#lock` files), a leading `~$`, or a suffix such as
 * `.tmp`, `.part`, `.partial`, `.crdownload`, `.swp` or `~`.
 *
 * Returns: %TRUE if the file must be ignored whatever its extension
 */
gboolean
pbi_media_filename_is_temporary (const gchar *name)
{
  g_autofree gchar *lower = NULL;

  g_return_val_if_fail (name != NULL, TRUE);

  if (name[0] == '\0' || name[0] == '.' || g_str_has_prefix (name, "~$"))
    return TRUE;

  lower = g_ascii_strdown (name, -1);
  for (guint i = 0; temporary_suffixes[i] != NULL; i++)
    {
      if (g_str_has_suffix (lower, temporary_suffixes[i]))
        return TRUE;
    }

  return FALSE;
}

/**
 * pbi_media_filename_is_candidate:
 * @name: a base name, not a path
 * @extensions: (nullable) (array zero-terminated=1): extensions with their
 *   dot (".jpg"), or %NULL for pbi_media_default_extensions()
 *
 * The one filter the watcher and the scanner share: a name is a candidate
 * when it is not hidden or temporary (pbi_media_filename_is_temporary()) and
 * its extension (from the last dot), compared without regard to ASCII
 * case, is in @extensions.
 * It looks at the name only; callers still check that it is a regular file.
 *
 * Returns: %TRUE if a file of that name should be synced
 */
gboolean
pbi_media_filename_is_candidate (const gchar         *name,
                                 const gchar * const *extensions)
{
  const gchar *dot;

  g_return_val_if_fail (name != NULL, FALSE);

  if (pbi_media_filename_is_temporary (name) || strchr (name, '/') != NULL)
    return FALSE;

  dot = strrchr (name, '.');
  if (dot == NULL || dot == name || dot[1] == '\0')
    return FALSE;

  if (extensions == NULL)
    extensions = default_extensions;

  for (guint i = 0; extensions[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (dot, extensions[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

/* exiv2 complains on stderr about every odd maker note; keep that for
 * developers only. */
static void
exiv2_log_cb (GExiv2LogLevel  level,
              const gchar    *msg)
{
  g_debug ("exiv2 (level %d): %s", (int) level, msg);
}

static void
ensure_gexiv2 (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      if (!gexiv2_initialize ())
        g_critical ("gexiv2_initialize failed");
      gexiv2_log_set_handler (exiv2_log_cb);
      gexiv2_log_set_level (GEXIV2_LOG_LEVEL_WARN);
      g_once_init_leave (&initialized, 1);
    }
}

static gchar *
get_tag (GExiv2Metadata *metadata,
         const gchar    *tag)
{
  g_autoptr(GError) error = NULL;
  gchar *value;

  value = gexiv2_metadata_try_get_tag_string (metadata, tag, &error);
  if (value == NULL)
    return NULL;

  g_strstrip (value);
  if (value[0] == '\0')
    g_clear_pointer (&value, g_free);

  return value;
}

/* "+02:00", "-05:30" or "Z"; anything else is not an offset. */
static GTimeZone *
parse_offset (const gchar *offset)
{
  if (offset == NULL)
    return NULL;

  if (g_str_equal (offset, "Z"))
    return g_time_zone_new_utc ();

  if (strlen (offset) == 6 &&
      (offset[0] == '+' || offset[0] == '-') &&
      g_ascii_isdigit (offset[1]) && g_ascii_isdigit (offset[2]) &&
      offset[3] == ':' &&
      g_ascii_isdigit (offset[4]) && g_ascii_isdigit (offset[5]))
    return g_time_zone_new_identifier (offset);

  return NULL;
}

/* EXIF "YYYY:MM:DD HH:MM:SS"; "0000:00:00 00:00:00" and blanks mean unknown. */
static GDateTime *
parse_exif_datetime (const gchar *value,
                     const gchar *subsec,
                     GTimeZone   *tz)
{
  gint year, month, day, hour, minute, second;
  gdouble seconds;
  gchar tail;

  if (value == NULL)
    return NULL;

  if (sscanf (value, "%4d:%2d:%2d %2d:%2d:%2d%c",
              &year, &month, &day, &hour, &minute, &second, &tail) != 6)
    return NULL;

  if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60)
    return NULL;

  seconds = second;
  if (subsec != NULL && strspn (subsec, "0123456789") == strlen (subsec) && strlen (subsec) <= 6)
    {
      g_autofree gchar *fraction = g_strconcat ("0.", subsec, NULL);

      seconds += g_ascii_strtod (fraction, NULL);
    }

  return g_date_time_new (tz, year, month, day, hour, minute, MIN (seconds, 59.999999));
}

/* The EXIF date rules of pbi_media_info_get_capture_date() on text: @value
 * "YYYY:MM:DD HH:MM:SS", @subsec its fraction, @offset "+HH:MM" or "Z"
 * (%NULL or anything else: the local time zone). For tests and fuzzing. */
GDateTime *
_pbi_media_info_parse_exif_date (const gchar *value,
                                 const gchar *subsec,
                                 const gchar *offset)
{
  g_autoptr(GTimeZone) tz = parse_offset (offset);

  if (tz == NULL)
    tz = g_time_zone_new_local ();
  return parse_exif_datetime (value, subsec, tz);
}

/**
 * pbi_media_info_get_capture_date:
 * @path: a local file
 * @error: return location for a #GError
 *
 * Reads when a photo was taken from its EXIF data: DateTimeOriginal with
 * OffsetTimeOriginal (and SubSecTimeOriginal), falling back to
 * DateTimeDigitized and then DateTime with their own offsets. A date without
 * an offset is taken in the local time zone.
 *
 * Safe to call from any thread; the engine calls it in the hasher's workers.
 *
 * Returns: (transfer full) (nullable): the capture date, or %NULL when the
 *   file carries none or is no format exiv2 reads (with @error unset), or
 *   when the file cannot be read (with @error set, G_IO_ERROR, naming @path)
 */
GDateTime *
pbi_media_info_get_capture_date (const gchar  *path,
                                 GError      **error)
{
  static const struct {
    const gchar *date;
    const gchar *offset;
    const gchar *subsec;
  } tags[] = {
    { "Exif.Photo.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal", "Exif.Photo.SubSecTimeOriginal" },
    { "Exif.Photo.DateTimeDigitized", "Exif.Photo.OffsetTimeDigitized", "Exif.Photo.SubSecTimeDigitized" },
    { "Exif.Image.DateTime", "Exif.Photo.OffsetTime", "Exif.Photo.SubSecTime" },
  };
  g_autoptr(GExiv2Metadata) metadata = NULL;
  g_autoptr(GError) local_error = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Tell "cannot read" (an error) apart from "exiv2 does not know this format". */
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot read “%s”: %s", path, g_strerror (saved_errno));
      return NULL;
    }
  close (fd);

  ensure_gexiv2 ();

  metadata = gexiv2_metadata_new ();
  if (!gexiv2_metadata_open_path (metadata, path, &local_error))
    {
      g_debug ("No metadata in “%s”: %s", path, local_error->message);
      return NULL;
    }

  if (!gexiv2_metadata_has_exif (metadata))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      g_autofree gchar *date = get_tag (metadata, tags[i].date);
      g_autofree gchar *offset = NULL;
      g_autofree gchar *subsec = NULL;
      g_autoptr(GTimeZone) tz = NULL;
      GDateTime *result;

      if (date == NULL)
        continue;

      offset = get_tag (metadata, tags[i].offset);
      subsec = get_tag (metadata, tags[i].subsec);
      tz = parse_offset (offset);
      if (tz == NULL)
        tz = g_time_zone_new_local ();

      result = parse_exif_datetime (date, subsec, tz);
      if (result != NULL)
        return result;

      g_debug ("Unusable %s “%s” in “%s”", tags[i].date, date, path);
    }

  return NULL;
}
