/* pbi-engine-check.c: the readiness check before an event: server, key and
 * permissions, the album, a sustained upload burst of generated photos (then
 * removed), free space on the booth and the server, the clock. At most
 * about 30 s; one row per check and a verdict.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "pbi-engine-event-private.h"

#define DEFAULT_PHOTO_SIZE ((gint64) 3 * 1000 * 1000)
#define MAX_BURST_SECONDS 20
#define SKEW_WARN_S 120
/* free space, in photos: under FAIL the event cannot go ahead, under WARN look at it */
#define FREE_FAIL_PHOTOS 100
#define FREE_WARN_PHOTOS 1000
/* a link that uploads fewer photos a minute than this is slow for a booth */
#define RATE_WARN_PER_MIN 30.0
/* a photo that takes longer than this to reach the album: guests wait */
#define LATENCY_WARN_MS 3000.0

typedef struct
{
  PbiImmichClient    *client;          /* (owned) */
  PbiReadinessReport *report;          /* (owned) */
  gchar              *capture_folder;
  gchar              *database_dir;
  gchar              *album_name;
  gchar              *album_id;
  gchar              *user_id;
  gboolean            guest_sharing;
  gboolean            may_create_album;
  gboolean            may_upload;
  guint               burst_seconds;
  guint               concurrency;
  gint64              booth_free;      /* bytes, -1 unknown */
  /* burst */
  gint64              burst_start;     /* monotonic µs */
  gint64              burst_end;
  guint               running;
  guint               next_index;
  guint32             run_id;          /* keeps test photo names apart between runs */
  gint64              bytes_sent;
  GArray             *latencies;       /* gint64 µs */
  GPtrArray          *asset_ids;       /* (owned) uploaded test photos */
  gchar              *upload_error;
  gboolean            may_not_delete;
  gint64              clock_sent;      /* real time µs the clock request went */
  guint               waiting;         /* burst, storage, clock still running */
  PbiCheckRow        *storage_row;     /* (owned) (nullable) until all are done */
  PbiCheckRow        *clock_row;       /* (owned) (nullable) */
  gchar              *album_error;
  gint64              last_done;       /* monotonic µs */
} Check;

static void
check_free (Check *c)
{
  g_clear_object (&c->client);
  g_clear_pointer (&c->report, pbi_readiness_report_free);
  g_free (c->capture_folder);
  g_free (c->database_dir);
  g_free (c->album_name);
  g_free (c->album_id);
  g_free (c->user_id);
  g_clear_pointer (&c->latencies, g_array_unref);
  g_clear_pointer (&c->asset_ids, g_ptr_array_unref);
  g_free (c->upload_error);
  g_clear_pointer (&c->storage_row, pbi_check_row_free);
  g_clear_pointer (&c->clock_row, pbi_check_row_free);
  g_free (c->album_error);
  g_free (c);
}

static PbiCheckRow *
make_row (const gchar    *id,
          const gchar    *title,
          PbiCheckStatus  status,
          gchar          *figure,      /* (transfer full) */
          const gchar    *advice)
{
  PbiCheckRow *row = g_new0 (PbiCheckRow, 1);

  row->id = g_strdup (id);
  row->title = g_strdup (title);
  row->status = status;
  row->figure = figure;
  row->advice = g_strdup (advice);
  return row;
}

static void
add_row (Check          *c,
         const gchar    *id,
         const gchar    *title,
         PbiCheckStatus  status,
         gchar          *figure,      /* (transfer full) */
         const gchar    *advice)
{
  g_ptr_array_add (c->report->rows, make_row (id, title, status, figure, advice));
}

/* "1,234,567 photos" */
static gchar *
photos_text (gint64 n)
{
  g_autofree gchar *digits = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (n, 0));
  g_autoptr(GString) grouped = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (grouped, ',');
      g_string_append_c (grouped, digits[i]);
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s photo", "%s photos", n),
                          grouped->str);
}

/* A disk with room for @photos more photos is failed, a warning or fine. */
static PbiCheckStatus
room_status (gint64 photos)
{
  return photos < FREE_FAIL_PHOTOS ? PBI_CHECK_FAILED
         : photos < FREE_WARN_PHOTOS ? PBI_CHECK_WARNING : PBI_CHECK_OK;
}

/* ------------------------------------------------------------------ */
/* local: the typical photo, free space on the booth                    */
/* ------------------------------------------------------------------ */

static gint64
median_size (const gchar *folder)
{
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFileEnumerator) e = NULL;
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  GFileInfo *info;

  if (folder == NULL || *folder == '\0')
    return DEFAULT_PHOTO_SIZE;
  dir = g_file_new_for_path (folder);
  e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                 G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                 G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                 G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN,
                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);
  while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
    {
      gint64 size = g_file_info_get_size (info);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR
          && !g_file_info_get_is_hidden (info) && size > 0)
        g_array_append_val (sizes, size);
      g_object_unref (info);
    }
  if (sizes->len == 0)
    return DEFAULT_PHOTO_SIZE;
  g_array_sort (sizes, _pbi_engine_cmp_gint64);
  return g_array_index (sizes, gint64, sizes->len / 2);
}

static gint64
free_bytes (const gchar *folder)
{
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFileInfo) info = NULL;

  if (folder == NULL || *folder == '\0')
    return -1;
  dir = g_file_new_for_path (folder);
  info = g_file_query_filesystem_info (dir, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return -1;
  return (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
}

static void
local_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Check *c = task_data;
  gint64 a = free_bytes (c->capture_folder);
  gint64 b = free_bytes (c->database_dir);

  c->report->typical_size = median_size (c->capture_folder);
  c->booth_free = a < 0 ? b : b < 0 ? a : MIN (a, b);
  g_task_return_boolean (task, TRUE);
}

static void
add_booth_disk_row (Check *c)
{
  gint64 photos;
  g_autofree gchar *bytes = NULL;
  g_autofree gchar *room = NULL;

  if (c->booth_free < 0)
    {
      c->report->booth_free_photos = -1;
      add_row (c, "booth-disk", _("Free space on the booth"), PBI_CHECK_WARNING,
               g_strdup (_("unknown")), _("Set the capture folder (immich_capture_folder)"));
      return;
    }
  photos = c->booth_free / MAX (1, c->report->typical_size);
  c->report->booth_free_photos = photos;
  bytes = g_format_size (c->booth_free);
  room = photos_text (photos);
  add_row (c, "booth-disk", _("Free space on the booth"),
           room_status (photos),
           g_strdup_printf (_("%s free (capture folder and database): room for %s"), bytes,
                            room),
           photos < FREE_WARN_PHOTOS ? _("Free space on the booth's disk, or use a bigger card")
                                     : NULL);
}

/* ------------------------------------------------------------------ */
/* the end: verdict                                                    */
/* ------------------------------------------------------------------ */

static void
return_report (GTask *task)
{
  Check *c = g_task_get_task_data (task);
  PbiReadiness verdict = PBI_READINESS_READY;

  for (guint i = 0; i < c->report->rows->len; i++)
    {
      PbiCheckRow *row = g_ptr_array_index (c->report->rows, i);

      if (row->status == PBI_CHECK_FAILED)
        verdict = PBI_READINESS_NOT_READY;
      else if (row->status == PBI_CHECK_WARNING && verdict == PBI_READINESS_READY)
        verdict = PBI_READINESS_WARNINGS;
    }
  c->report->verdict = verdict;
  g_task_return_pointer (task, g_steal_pointer (&c->report),
                         (GDestroyNotify) pbi_readiness_report_free);
  g_object_unref (task);
}

/* The burst (with the removal of its photos), the server's free space and
 * its clock run side by side; the last to finish ends the check. */
static void
part_done (GTask *task)
{
  Check *c = g_task_get_task_data (task);

  if (--c->waiting > 0)
    {
      g_object_unref (task);
      return;
    }
  if (c->storage_row != NULL)
    g_ptr_array_add (c->report->rows, g_steal_pointer (&c->storage_row));
  if (c->clock_row != NULL)
    g_ptr_array_add (c->report->rows, g_steal_pointer (&c->clock_row));
  return_report (task);
}

static void
time_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) server = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 sent = c->clock_sent / G_USEC_PER_SEC;
  gint64 skew, at;
  g_autofree gchar *secs = NULL;

  server = pbi_immich_client_get_server_time_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (server == NULL)
    {
      c->clock_row = make_row ("clock", _("Clock"), PBI_CHECK_WARNING,
                               g_strdup (error != NULL ? error->message
                                         : _("the server sent no Date header")),
                               _("Check the booth's time by hand"));
      part_done (task);
      return;
    }
  /* the server stamped its Date (whole seconds) between our request and its
   * answer: a skew is only what lies outside that window */
  at = g_date_time_to_unix (server);
  if (at < sent - 1)
    skew = sent - 1 - at;
  else if (at > g_date_time_to_unix (now) + 1)
    skew = g_date_time_to_unix (now) + 1 - at;
  else
    skew = 0;
  c->report->clock_skew_s = skew;
  /* the number is formatted apart: xgettext cannot see through G_GINT64_FORMAT */
  secs = g_strdup_printf ("%" G_GINT64_FORMAT, ABS (skew));
  if (ABS (skew) > SKEW_WARN_S)
    c->clock_row = make_row ("clock", _("Clock"), PBI_CHECK_WARNING,
                             g_strdup_printf (skew > 0
                                              ? _("the booth's clock is %s s ahead of the server's")
                                              : _("the booth's clock is %s s behind the server's"),
                                              secs),
                             _("Set the booth's time (e.g. timedatectl set-ntp true); "
                               "photo dates would be off"));
  else
    c->clock_row = make_row ("clock", _("Clock"), PBI_CHECK_OK,
                             g_strdup_printf (_("within %s s of the server's"), secs),
                             NULL);
  part_done (task);
}

static void
storage_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 disk_available = 0;

  if (!pbi_immich_client_get_storage_finish (PBI_IMMICH_CLIENT (object), result,
                                             &disk_available, NULL, &error))
    {
      gboolean forbidden = g_error_matches (error, PBI_IMMICH_ERROR,
                                            PBI_IMMICH_ERROR_MISSING_PERMISSION);

      c->report->server_free_photos = -1;
      c->storage_row = make_row ("server-disk", _("Free space on the server"), PBI_CHECK_SKIPPED,
                                 g_strdup (forbidden ? _("the key may not read it")
                                           : error->message),
                                 forbidden
                                 ? (pbi_immich_client_get_api_family (c->client)
                                    == PBI_IMMICH_API_V3
                                    ? _("Give the key server.storage to see it here")
                                    : _("Only a full-access key may read it on this server "
                                        "version"))
                                 : NULL);
    }
  else
    {
      gint64 photos = disk_available / MAX (1, c->report->typical_size);
      g_autofree gchar *bytes = g_format_size (disk_available);
      g_autofree gchar *room = photos_text (photos);

      c->report->server_free_photos = photos;
      c->storage_row = make_row ("server-disk", _("Free space on the server"),
                                 room_status (photos),
                                 g_strdup_printf (_("%s free: room for %s"), bytes, room),
                                 photos < FREE_WARN_PHOTOS ? _("Free space on the Immich server")
                                                           : NULL);
    }
  part_done (task);
}

static void
after_burst (GTask *task)
{
  part_done (task);
}

/* ------------------------------------------------------------------ */
/* removing the test photos                                            */
/* ------------------------------------------------------------------ */

static void delete_test_photos (GTask    *task,
                                gboolean  for_good);
static void unalbumed_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
trashed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (pbi_immich_client_delete_assets_finish (PBI_IMMICH_CLIENT (object), result, &error))
    c->report->test_photos_removed = g_strdup ("trash");
  else
    {
      c->report->test_photos_removed = g_strdup ("kept");
      g_message ("The test photos could not be removed: %s", error->message);
    }
  after_burst (task);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (pbi_immich_client_delete_assets_finish (PBI_IMMICH_CLIENT (object), result, &error))
    {
      c->report->test_photos_removed = g_strdup ("deleted");
      after_burst (task);
      return;
    }
  /* not deleted for good: out of the album at least, then to the trash
   * unless the key may not delete at all */
  c->may_not_delete = g_error_matches (error, PBI_IMMICH_ERROR,
                                       PBI_IMMICH_ERROR_MISSING_PERMISSION);
  if (c->album_id != NULL && c->album_error == NULL)
    {
      g_ptr_array_add (c->asset_ids, NULL);
      pbi_immich_client_remove_from_album_async (c->client, c->album_id,
                                                 (const gchar * const *) c->asset_ids->pdata,
                                                 g_task_get_cancellable (task), unalbumed_cb,
                                                 task);
      g_ptr_array_remove_index (c->asset_ids, c->asset_ids->len - 1);
      return;
    }
  delete_test_photos (task, FALSE);
}

/* Deletes the test photos @for_good (which takes them out of their albums
 * too), or else moves them to the trash. */
static void
delete_test_photos (GTask    *task,
                    gboolean  for_good)
{
  Check *c = g_task_get_task_data (task);

  g_ptr_array_add (c->asset_ids, NULL);
  pbi_immich_client_delete_assets_async (c->client, (const gchar * const *) c->asset_ids->pdata,
                                         for_good, g_task_get_cancellable (task),
                                         for_good ? deleted_cb : trashed_cb, task);
  g_ptr_array_remove_index (c->asset_ids, c->asset_ids->len - 1);
}

static void
unalbumed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pbi_immich_client_remove_from_album_finish (PBI_IMMICH_CLIENT (object), result, &error))
    g_message ("The test photos could not be taken out of the album: %s", error->message);
  if (c->may_not_delete)
    {
      c->report->test_photos_removed = g_strdup ("kept");
      after_burst (task);
      return;
    }
  delete_test_photos (task, FALSE);
}

static void
add_burst_rows (Check *c)
{
  PbiReadinessReport *r = c->report;
  gdouble elapsed_s = MAX (1, c->last_done - c->burst_start) / (gdouble) G_USEC_PER_SEC;
  g_autofree gchar *size = g_format_size (r->typical_size);
  g_autofree gchar *rate = NULL;
  PbiCheckStatus status = PBI_CHECK_OK;
  const gchar *advice = NULL;

  if (r->test_photos == 0)
    {
      add_row (c, "upload", _("Sustained upload"), PBI_CHECK_FAILED,
               g_strdup_printf (_("no test photo could be uploaded: %s"),
                                c->upload_error != NULL ? c->upload_error : _("not tried")),
               _("Fix the problems above, then check again"));
      return;
    }
  r->photos_per_minute = r->test_photos * 60.0 / elapsed_s;
  r->bytes_per_second = c->bytes_sent / elapsed_s;
  if (c->latencies->len > 0)
    {
      g_array_sort (c->latencies, _pbi_engine_cmp_gint64);
      r->latency_ms = g_array_index (c->latencies, gint64, c->latencies->len / 2) / 1000.0;
    }
  else
    r->latency_ms = -1;
  rate = g_format_size ((guint64) r->bytes_per_second);
  if (r->photos_per_minute < RATE_WARN_PER_MIN || r->latency_ms > LATENCY_WARN_MS)
    {
      status = PBI_CHECK_WARNING;
      advice = _("The link is slow: photos will reach the server late in busy moments. "
                 "Move the booth nearer the access point, use a cable, or reduce other traffic");
    }
  if (c->upload_error != NULL)
    {
      /* some went, then one failed: the link or the server is not steady */
      status = PBI_CHECK_WARNING;
      advice = _("A test upload failed after others went through: check the link's stability "
                 "and the server's log");
    }
  add_row (c, "upload", _("Sustained upload"), status,
           g_strdup_printf (_("%u test photos of %s in %.1f s: %s/s, %.0f ms to the album; "
                              "this link uploads about %.0f photos a minute%s%s"),
                            r->test_photos, size, elapsed_s, rate, MAX (r->latency_ms, 0),
                            r->photos_per_minute,
                            c->upload_error != NULL ? _("; then an upload failed: ") : "",
                            c->upload_error != NULL ? c->upload_error : ""),
           advice);
}

static void
burst_done (GTask *task)
{
  Check *c = g_task_get_task_data (task);

  add_burst_rows (c);
  if (c->album_error != NULL)
    add_row (c, "album-write", _("Adding to the album"), PBI_CHECK_FAILED,
             g_strdup (c->album_error),
             _("Use an album the key's user owns or may edit (editor), or let it be made"));
  else if (c->album_id != NULL && c->report->test_photos > 0)
    add_row (c, "album-write", _("Adding to the album"), PBI_CHECK_OK,
             g_strdup_printf (_("%u test photos added to \"%s\""), c->report->test_photos,
                              c->album_name), NULL);
  if (c->asset_ids->len == 0)
    {
      c->report->test_photos_removed = g_strdup ("none");
      after_burst (task);
      return;
    }
  delete_test_photos (task, TRUE);
}

/* ------------------------------------------------------------------ */
/* the burst: generated photos, each uploaded then added to the album  */
/* ------------------------------------------------------------------ */

typedef struct
{
  GTask  *task;        /* (owned) the check */
  gchar  *path;
  gint64  started;
  gchar  *asset_id;
} Shot;

static void
shot_free (Shot *s)
{
  g_clear_object (&s->task);
  if (s->path != NULL)
    g_unlink (s->path);
  g_free (s->path);
  g_free (s->asset_id);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Shot, shot_free)

static void start_shot (GTask *task);

static void
shot_end (Shot *s)
{
  GTask *task = g_steal_pointer (&s->task);   /* the shot's reference, passed on */
  Check *c = g_task_get_task_data (task);

  c->running--;
  c->last_done = g_get_monotonic_time ();
  shot_free (s);
  if (c->last_done < c->burst_end && c->upload_error == NULL)
    start_shot (task);
  else if (c->running == 0)
    burst_done (task);
  else
    g_object_unref (task);
}

static void
shot_added_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Shot *s = user_data;
  Check *c = g_task_get_task_data (s->task);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  results = pbi_immich_client_add_to_album_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (results == NULL || results->len == 0
      || !((PbiImmichAlbumAddResult *) g_ptr_array_index (results, 0))->success)
    {
      if (c->album_error == NULL)
        c->album_error = g_strdup (error != NULL ? error->message
                                   : _("the server refused to add the photo"));
    }
  else
    {
      gint64 latency = g_get_monotonic_time () - s->started;

      g_array_append_val (c->latencies, latency);
    }
  shot_end (s);
}

static void
shot_uploaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Shot *s = user_data;
  Check *c = g_task_get_task_data (s->task);
  g_autoptr(PbiImmichUploadResult) up = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *ids[2] = { NULL, NULL };

  up = pbi_immich_client_upload_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (up == NULL)
    {
      if (c->upload_error == NULL)
        c->upload_error = g_strdup (error->message);
      shot_end (s);
      return;
    }
  c->report->test_photos++;
  c->bytes_sent += c->report->typical_size;
  g_ptr_array_add (c->asset_ids, g_strdup (up->id));
  if (c->album_id == NULL || c->album_error != NULL)
    {
      shot_end (s);
      return;
    }
  ids[0] = up->id;
  pbi_immich_client_add_to_album_async (c->client, c->album_id, ids,
                                        g_task_get_cancellable (s->task), shot_added_cb, s);
}

static void
write_photo_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Shot *s = task_data;
  Check *c = g_task_get_task_data (s->task);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gint64 size = MAX (c->report->typical_size, 64);
  gint fd;

  fd = g_file_open_tmp ("photobooth-immich-readiness-XXXXXX.jpg", &s->path, &error);
  if (fd < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  close (fd);
  /* unique bytes: a JPEG start and end around random ones */
  data = g_malloc (size);
  for (gint64 i = 0; i < size; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (data + i, &r, MIN (4, size - i));
    }
  data[0] = 0xff, data[1] = 0xd8, data[2] = 0xff, data[3] = 0xe0;
  data[size - 2] = 0xff, data[size - 1] = 0xd9;
  if (!g_file_set_contents (s->path, (const gchar *) data, size, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
photo_written_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Shot *s = g_task_get_task_data (G_TASK (result));
  Check *c = g_task_get_task_data (s->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichUpload) upload = NULL;
  g_autofree gchar *name = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (c->upload_error == NULL)
        c->upload_error = g_strdup (error->message);
      shot_end (g_steal_pointer (&s));
      g_task_set_task_data (G_TASK (result), NULL, NULL);
      return;
    }
  g_task_set_task_data (G_TASK (result), NULL, NULL);
  upload = pbi_immich_upload_new (s->path);
  name = g_strdup_printf ("photobooth-immich-readiness-%08x-%u.jpg", c->run_id, c->next_index);
  upload->filename = g_steal_pointer (&name);
  upload->no_sidecar = TRUE;
  s->started = g_get_monotonic_time ();
  pbi_immich_client_upload_async (c->client, upload, NULL, NULL, g_task_get_cancellable (s->task),
                                  shot_uploaded_cb, s);
}

static void
start_shot (GTask *task)
{
  Check *c = g_task_get_task_data (task);
  Shot *s = g_new0 (Shot, 1);
  g_autoptr(GTask) writer = NULL;

  s->task = task;   /* takes the caller's reference */
  c->running++;
  c->next_index++;
  writer = g_task_new (NULL, g_task_get_cancellable (task), photo_written_cb, NULL);
  g_task_set_task_data (writer, s, NULL);
  g_task_run_in_thread (writer, write_photo_thread);
}

static void
start_burst (GTask *task)
{
  Check *c = g_task_get_task_data (task);

  if (!c->may_upload)
    {
      add_row (c, "upload", _("Sustained upload"), PBI_CHECK_SKIPPED,
               g_strdup (_("not tried: the key may not upload")), NULL);
      c->report->test_photos_removed = g_strdup ("none");
      after_burst (task);
      return;
    }
  c->burst_start = g_get_monotonic_time ();
  c->burst_end = c->burst_start + (gint64) c->burst_seconds * G_USEC_PER_SEC;
  c->last_done = c->burst_start;
  for (guint i = 0; i < c->concurrency; i++)
    start_shot (i + 1 < c->concurrency ? g_object_ref (task) : task);
}

/* ------------------------------------------------------------------ */
/* server, user, permissions, album                                     */
/* ------------------------------------------------------------------ */

static void
album_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;
  const gchar *readonly_owner;

  c->album_id = _pbi_engine_event_album_finish (PBI_ENGINE (object), result, &created, &error);
  readonly_owner = g_object_get_data (G_OBJECT (result), "readonly-owner");
  if (c->album_id == NULL)
    add_row (c, "album", _("Album"), PBI_CHECK_FAILED,
             g_strdup_printf ("\"%s\": %s", c->album_name, error->message),
             readonly_owner != NULL
             ? _("The album of that name is shared with this key's user read-only: ask its "
                 "owner to make them an editor, or let the key make albums (album.create)")
             : _("Let the key make albums (album.create), or make the album in Immich"));
  else if (readonly_owner != NULL)
    add_row (c, "album", _("Album"), PBI_CHECK_WARNING,
             g_strdup_printf (_("\"%s\" of %s is shared with you read-only: %s your own "
                                "\"%s\""), c->album_name, readonly_owner,
                              created ? _("made") : _("photos go to"), c->album_name),
             _("If the photos should go to that album, ask its owner to make this key's user "
               "an editor"));
  else
    add_row (c, "album", _("Album"), PBI_CHECK_OK,
             g_strdup_printf (created ? _("\"%s\" made") : _("\"%s\" found"), c->album_name),
             NULL);
  c->waiting = 3;
  pbi_immich_client_get_storage_async (c->client, g_task_get_cancellable (task), storage_cb,
                                       g_object_ref (task));
  c->clock_sent = g_get_real_time ();
  pbi_immich_client_get_server_time_async (c->client, g_task_get_cancellable (task), time_cb,
                                           g_object_ref (task));
  start_burst (task);
}

static void
permissions_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) granted = NULL;
  PbiCheckRow *row = NULL;

  if (!pbi_immich_client_get_key_permissions_finish (PBI_IMMICH_CLIENT (object), result,
                                                     &granted, &error))
    g_debug ("Could not read the key's permissions: %s", error->message);
  c->report->missing_permissions =
    _pbi_engine_check_permissions ((const gchar * const *) granted, c->guest_sharing, &row);
  g_ptr_array_add (c->report->rows, row);
  if (granted != NULL)
    {
      c->may_upload = _pbi_engine_key_has_permission ((const gchar * const *) granted,
                                                      "asset.upload");
      c->may_create_album = _pbi_engine_key_has_permission ((const gchar * const *) granted,
                                                            "album.create");
    }
  _pbi_engine_event_album_async (self, c->album_name, c->user_id, c->may_create_album,
                                 g_task_get_cancellable (task), album_cb, task);
}

static void
not_reachable (GTask        *task,
               const GError *error)
{
  Check *c = g_task_get_task_data (task);

  add_row (c, "server", _("Server"), PBI_CHECK_FAILED, g_strdup (error->message),
           g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED)
           ? _("Paste the API key again: photobooth-immich config set immich_api_key -")
           : _("Check the server address, that the server runs, and the booth's network"));
  return_report (task);
}

static void
user_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiImmichUser) user = NULL;

  user = pbi_immich_client_get_current_user_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (user == NULL)
    {
      not_reachable (task, error);
      return;
    }
  c->user_id = g_strdup (user->id);
  c->report->user = g_strdup_printf ("%s <%s>", user->name != NULL ? user->name : "",
                                     user->email);
  add_row (c, "server", _("Server"), PBI_CHECK_OK,
           g_strdup_printf (_("Immich %s at %s, user %s"), c->report->server_version,
                            pbi_immich_client_get_server_url (c->client), c->report->user), NULL);
  pbi_immich_client_get_key_permissions_async (c->client, g_task_get_cancellable (task),
                                               permissions_cb, task);
}

static void
discover_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* discovery reads the version */
  if (!pbi_immich_client_discover_finish (PBI_IMMICH_CLIENT (object), result, &error))
    {
      not_reachable (task, error);
      return;
    }
  c->report->server_version = pbi_immich_client_dup_server_version (c->client);
  pbi_immich_client_get_current_user_async (c->client, g_task_get_cancellable (task), user_cb,
                                            task);
}

static void
local_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Check *c = g_task_get_task_data (task);

  add_booth_disk_row (c);
  if (c->client == NULL)
    {
      return_report (task);
      return;
    }
  pbi_immich_client_discover_async (c->client, g_task_get_cancellable (task), discover_cb, task);
}

void
pbi_engine_check_readiness_async (PbiEngine           *self,
                                  guint                burst_seconds,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) local = NULL;
  g_autoptr(GError) error = NULL;
  Check *c;
  const gchar *folder = _pbi_engine_watch_folder (self);

  g_return_if_fail (PBI_IS_ENGINE (self));
  task = _pbi_engine_task_new (self, pbi_engine_check_readiness_async, cancellable, callback,
                               user_data);
  c = g_new0 (Check, 1);
  c->report = g_new0 (PbiReadinessReport, 1);
  c->report->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_check_row_free);
  c->report->server_free_photos = -1;
  c->report->latency_ms = -1;
  c->capture_folder = g_strdup (folder);
  c->database_dir = g_path_get_dirname (self->database_path);
  c->album_name = g_strdup (pbi_engine_get_album_name (self));
  c->guest_sharing = pbi_store_get_setting_boolean (self->store, "immich_guest_sharing");
  c->may_upload = TRUE;
  c->may_create_album = TRUE;
  c->burst_seconds = burst_seconds == 0 ? MAX_BURST_SECONDS : MIN (burst_seconds,
                                                                    MAX_BURST_SECONDS);
  c->concurrency = MAX (1, self->concurrency);
  c->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  c->asset_ids = g_ptr_array_new_with_free_func (g_free);
  c->booth_free = -1;
  c->run_id = g_random_int ();
  g_task_set_task_data (task, c, (GDestroyNotify) check_free);

  c->client = _pbi_engine_event_client (self, &error);
  if (c->client == NULL)
    add_row (c, "server", _("Server"), PBI_CHECK_FAILED, g_strdup (error->message),
             _("Set the server address and the API key"));

  local = g_task_new (NULL, cancellable, local_cb, task);
  g_task_set_task_data (local, c, NULL);
  g_task_run_in_thread (local, local_thread);
}

/**
 * pbi_engine_check_readiness_finish:
 *
 * Returns: (transfer full): the verdict and one row per check
 */
PbiReadinessReport *
pbi_engine_check_readiness_finish (PbiEngine     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_check_readiness_async, error);
}
