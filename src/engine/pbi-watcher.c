/* pbi-watcher.c: notices captures once they are completely written
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "pbi-media-info.h"
#include "pbi-watcher.h"

#define RETRY_INTERVAL_MS 2000

#define STAT_ATTRIBUTES \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
  G_FILE_ATTRIBUTE_STANDARD_SIZE "," \
  G_FILE_ATTRIBUTE_TIME_MODIFIED "," \
  G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC

/**
 * PbiWatcher:
 *
 * Watches one capture folder (not its subfolders) and emits
 * #PbiWatcher::file-ready once per completed write of a media file.
 *
 * With GLib's inotify backend (Debian 12, GLib 2.74) a write shows as
 * CREATED, CHANGED (rate-limited, about every 0.8 s) and CHANGES_DONE_HINT
 * when the writer closes the file; a temp file renamed into place shows as
 * RENAMED with no done-hint for the new name; a file moved in from
 * elsewhere as MOVED_IN. So a file is complete on a done-hint, as the target
 * of a rename, or when moved in. A writer that keeps the file open gets a
 * fallback: once size and mtime have not changed for #PbiWatcher:settle-ms
 * the file is ready. (GLib itself also sends a "virtual" done-hint 2 s after
 * the last change of a file that stays open.) A file still empty when it
 * would be ready is not a capture yet: it waits for more data and is dropped
 * if it settles empty.
 *
 * Hidden and temporary names, folders and files whose extension is not in
 * #PbiWatcher:extensions are ignored (pbi_media_filename_is_candidate()).
 * A file that is rewritten emits again; a done-hint that finds the same size
 * and mtime as the last emission (e.g. after the settle fallback) does not.
 *
 * Files already in the folder when watching starts are not reported: that
 * is the scanner's job. If the folder disappears (deleted, or its card
 * unmounted), #PbiWatcher::error is emitted, #PbiWatcher:watching turns
 * %FALSE and the watcher polls every 2 s until the folder is back, then
 * watches it again and #PbiWatcher:watching turns %TRUE (a caller should
 * rescan then).
 */
struct _PbiWatcher
{
  GObject       parent_instance;
  GFile        *directory;     /* (owned) */
  GStrv         extensions;    /* (owned) (nullable) NULL = default set */
  GFileMonitor *monitor;       /* (owned) (nullable) */
  GHashTable   *pending;       /* (owned) path → Pending*, files being written */
  GHashTable   *emitted;       /* (owned) path → Stamp*, last emission per file */
  guint         settle_ms;
  guint         retry_source;  /* GSource id, 0 when none */
  int           inotify_fd;    /* -1 when none */
  guint         inotify_source; /* GSource id, 0 when none */
  guint         identity_source; /* GSource id: checks the folder is still the one watched */
  guint64       dir_dev;       /* the watched folder's device and inode */
  guint64       dir_ino;
  guint         started : 1;
  guint         watching : 1;
};

typedef struct
{
  guint64 size;
  gint64  mtime_us;
} Stamp;

typedef struct
{
  PbiWatcher *watcher;       /* (unowned) owns us */
  GFile      *file;          /* (owned) */
  Stamp       stamp;         /* size and mtime at the last look */
  gint64      changed_at;    /* monotonic time the stamp last changed */
  guint       settle_source; /* GSource id */
} Pending;

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_SETTLE_MS,
  PROP_EXTENSIONS,
  PROP_WATCHING,
  N_PROPS
};

enum {
  SIGNAL_FILE_READY,
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PbiWatcher, pbi_watcher, G_TYPE_OBJECT)

static gboolean pbi_watcher_settle_cb (gpointer user_data);

static void
pending_free (Pending *pending)
{
  g_clear_handle_id (&pending->settle_source, g_source_remove);
  g_clear_object (&pending->file);
  g_free (pending);
}

static void
pbi_watcher_set_watching (PbiWatcher *self,
                          gboolean    watching)
{
  watching = !!watching;
  if (self->watching == (guint) watching)
    return;

  self->watching = watching;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING]);
}

/* A regular file's size and mtime; FALSE if it is gone or not a regular file.
 * One stat on the main thread, as cheap as the inotify event that caused it. */
static gboolean
stat_file (GFile *file,
           Stamp *stamp)
{
  g_autoptr(GFileInfo) info = NULL;

  info = g_file_query_info (file, STAT_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return FALSE;

  stamp->size = g_file_info_get_size (info);
  stamp->mtime_us =
    (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) *
      G_USEC_PER_SEC +
    g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);

  return TRUE;
}

static gboolean
pbi_watcher_is_candidate (PbiWatcher *self,
                          GFile      *file)
{
  g_autofree gchar *name = NULL;

  if (file == NULL || !g_file_has_parent (file, self->directory))
    return FALSE;

  name = g_file_get_basename (file);
  return pbi_media_filename_is_candidate (name, (const gchar * const *) self->extensions);
}

static void
pbi_watcher_forget (PbiWatcher *self,
                    GFile      *file)
{
  g_autofree gchar *path = g_file_get_path (file);

  if (path == NULL)
    return;

  g_hash_table_remove (self->pending, path);
  g_hash_table_remove (self->emitted, path);
}

static void
pbi_watcher_emit_ready (PbiWatcher  *self,
                        GFile       *file,
                        const Stamp *stamp)
{
  g_autofree gchar *path = g_file_get_path (file);
  Stamp *last;

  last = g_hash_table_lookup (self->emitted, path);
  if (last != NULL && last->size == stamp->size && last->mtime_us == stamp->mtime_us)
    {
      g_debug ("“%s” unchanged since it was reported", path);
      return;
    }

  g_hash_table_insert (self->emitted, g_strdup (path), g_memdup2 (stamp, sizeof *stamp));

  g_debug ("“%s” is ready (%" G_GUINT64_FORMAT " bytes)", path, stamp->size);
  g_signal_emit (self, signals[SIGNAL_FILE_READY], 0, file);
}

/* Something is writing @file: (re)start its settle timer. */
static void
pbi_watcher_touch (PbiWatcher *self,
                   GFile      *file)
{
  g_autofree gchar *path = g_file_get_path (file);
  Pending *pending;
  Stamp stamp;

  if (path == NULL)
    return;

  if (!stat_file (file, &stamp))
    {
      g_hash_table_remove (self->pending, path);
      return;
    }

  pending = g_hash_table_lookup (self->pending, path);
  if (pending == NULL)
    {
      pending = g_new0 (Pending, 1);
      pending->watcher = self;
      pending->file = g_object_ref (file);
      g_hash_table_insert (self->pending, g_steal_pointer (&path), pending);
    }
  else if (pending->settle_source != 0 &&
           pending->stamp.size == stamp.size && pending->stamp.mtime_us == stamp.mtime_us)
    {
      /* A rate-limited CHANGED for a write we have already seen. */
      return;
    }

  pending->stamp = stamp;
  pending->changed_at = g_get_monotonic_time ();
  g_clear_handle_id (&pending->settle_source, g_source_remove);
  pending->settle_source = g_timeout_add (self->settle_ms, pbi_watcher_settle_cb, pending);
}

/* The event says @file is complete: a done-hint, the target of a rename, or
 * moved in. An empty file is not: it waits for data or for the settle. */
static void
pbi_watcher_complete (PbiWatcher *self,
                      GFile      *file)
{
  g_autofree gchar *path = g_file_get_path (file);
  Stamp stamp;

  if (path == NULL)
    return;

  if (!stat_file (file, &stamp))
    {
      g_hash_table_remove (self->pending, path);
      return;
    }

  if (stamp.size == 0)
    {
      pbi_watcher_touch (self, file);
      return;
    }

  g_hash_table_remove (self->pending, path);
  pbi_watcher_emit_ready (self, file, &stamp);
}

static gboolean
pbi_watcher_settle_cb (gpointer user_data)
{
  Pending *pending = user_data;
  PbiWatcher *self = pending->watcher;
  g_autoptr(GFile) file = g_object_ref (pending->file);
  g_autofree gchar *path = g_file_get_path (file);
  gint64 quiet_ms;
  Stamp stamp;

  g_assert (PBI_IS_WATCHER (self));

  pending->settle_source = 0;

  if (!stat_file (file, &stamp))
    {
      g_hash_table_remove (self->pending, path);
      return G_SOURCE_REMOVE;
    }

  if (stamp.size != pending->stamp.size || stamp.mtime_us != pending->stamp.mtime_us)
    {
      /* Still growing without events reaching us: look again later. */
      pending->stamp = stamp;
      pending->changed_at = g_get_monotonic_time ();
      pending->settle_source = g_timeout_add (self->settle_ms, pbi_watcher_settle_cb, pending);
      return G_SOURCE_REMOVE;
    }

  quiet_ms = (g_get_monotonic_time () - pending->changed_at) / 1000;
  if (quiet_ms + 1 < self->settle_ms)
    {
      pending->settle_source = g_timeout_add (self->settle_ms - quiet_ms, pbi_watcher_settle_cb,
                                              pending);
      return G_SOURCE_REMOVE;
    }

  g_hash_table_remove (self->pending, path);

  if (stamp.size == 0)
    g_debug ("“%s” settled empty; not a capture", path);
  else
    pbi_watcher_emit_ready (self, file, &stamp);

  return G_SOURCE_REMOVE;
}

static void pbi_watcher_folder_lost (PbiWatcher *self);

static void
pbi_watcher_changed_cb (PbiWatcher        *self,
                        GFile             *file,
                        GFile             *other,
                        GFileMonitorEvent  event,
                        GFileMonitor      *monitor)
{
  g_assert (PBI_IS_WATCHER (self));
  g_assert (G_IS_FILE_MONITOR (monitor));

  if (monitor != self->monitor)
    return;

  if (g_file_equal (file, self->directory))
    {
      if (event == G_FILE_MONITOR_EVENT_DELETED ||
          event == G_FILE_MONITOR_EVENT_UNMOUNTED ||
          event == G_FILE_MONITOR_EVENT_MOVED_OUT)
        pbi_watcher_folder_lost (self);
      return;
    }

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_CHANGED:
      if (pbi_watcher_is_candidate (self, file))
        pbi_watcher_touch (self, file);
      break;

    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      if (pbi_watcher_is_candidate (self, file))
        pbi_watcher_complete (self, file);
      break;

    case G_FILE_MONITOR_EVENT_RENAMED:
      pbi_watcher_forget (self, file);
      if (pbi_watcher_is_candidate (self, other))
        pbi_watcher_complete (self, other);
      break;

    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      pbi_watcher_forget (self, file);
      break;

    case G_FILE_MONITOR_EVENT_UNMOUNTED:
      pbi_watcher_folder_lost (self);
      break;

    /* cp -p and rsync set the mtime after closing: not a new capture. */
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_MOVED:
    default:
      break;
    }
}

#ifdef __linux__
/* GLib's inotify backend sits on events for up to 100 ms after a burst of
 * writes, so the done-hint of a capture came 1 ms or 101 ms after the camera
 * closed the file. The kernel's own close-write and moved-to events, read
 * here as they come, report it at once; GFileMonitor still handles the rest
 * (settling, renames, the folder going away), and its later done-hint finds
 * the file already reported. */
static gboolean
pbi_watcher_inotify_cb (gint         fd,
                        GIOCondition condition,
                        gpointer     user_data)
{
  PbiWatcher *self = user_data;
  gchar buffer[8192] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  gssize len;

  g_assert (PBI_IS_WATCHER (self));

  while ((len = read (fd, buffer, sizeof buffer)) > 0)
    {
      for (gchar *p = buffer; p < buffer + len;)
        {
          /* the kernel pads each event to the struct's alignment */
          const struct inotify_event *event = (const void *) p;

          if (event->len > 0 && (event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
            {
              g_autoptr(GFile) file = g_file_get_child (self->directory, event->name);

              if (pbi_watcher_is_candidate (self, file))
                pbi_watcher_complete (self, file);
            }
          p += sizeof (struct inotify_event) + event->len;
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
pbi_watcher_watch_closes (PbiWatcher *self)
{
  self->inotify_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (self->inotify_fd < 0)
    return;
  if (inotify_add_watch (self->inotify_fd, g_file_peek_path (self->directory),
                         IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR) < 0)
    {
      close (self->inotify_fd);
      self->inotify_fd = -1;
      return;
    }
  self->inotify_source = g_unix_fd_add (self->inotify_fd, G_IO_IN, pbi_watcher_inotify_cb, self);
}
#endif

static void
pbi_watcher_unwatch_closes (PbiWatcher *self)
{
  g_clear_handle_id (&self->inotify_source, g_source_remove);
  if (self->inotify_fd >= 0)
    close (self->inotify_fd);
  self->inotify_fd = -1;
}

static gboolean
pbi_watcher_identity (PbiWatcher *self,
                      guint64    *dev,
                      guint64    *ino)
{
  GStatBuf st;

  if (g_stat (g_file_peek_path (self->directory), &st) != 0)
    return FALSE;
  *dev = st.st_dev;
  *ino = st.st_ino;
  return TRUE;
}

/* A USB stick mounted again over the folder's path (or the folder replaced)
 * sends no event to the old watch: the path now names another folder. */
static gboolean
pbi_watcher_identity_cb (gpointer user_data)
{
  PbiWatcher *self = user_data;
  guint64 dev = 0, ino = 0;

  if (pbi_watcher_identity (self, &dev, &ino) && dev == self->dir_dev && ino == self->dir_ino)
    return G_SOURCE_CONTINUE;
  self->identity_source = 0;
  pbi_watcher_folder_lost (self);
  return G_SOURCE_REMOVE;
}

static gboolean
pbi_watcher_monitor (PbiWatcher  *self,
                     GError     **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;

  info = g_file_query_info (self->directory, G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (info == NULL)
    {
      g_set_error (error, G_IO_ERROR, local_error->code,
                   "Cannot watch capture folder “%s”: %s",
                   g_file_peek_path (self->directory), local_error->message);
      return FALSE;
    }

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "Cannot watch capture folder “%s”: not a folder",
                   g_file_peek_path (self->directory));
      return FALSE;
    }

  self->monitor = g_file_monitor_directory (self->directory, G_FILE_MONITOR_WATCH_MOVES,
                                            NULL, &local_error);
  if (self->monitor == NULL)
    {
      g_set_error (error, G_IO_ERROR, local_error->code,
                   "Cannot watch capture folder “%s”: %s",
                   g_file_peek_path (self->directory), local_error->message);
      return FALSE;
    }

  g_signal_connect_object (self->monitor, "changed",
                           G_CALLBACK (pbi_watcher_changed_cb), self,
                           G_CONNECT_SWAPPED);
#ifdef __linux__
  pbi_watcher_watch_closes (self);
#endif
  if (pbi_watcher_identity (self, &self->dir_dev, &self->dir_ino))
    {
      g_clear_handle_id (&self->identity_source, g_source_remove);
      self->identity_source = g_timeout_add (RETRY_INTERVAL_MS, pbi_watcher_identity_cb, self);
    }

  return TRUE;
}

static void
pbi_watcher_unmonitor (PbiWatcher *self)
{
  g_clear_handle_id (&self->identity_source, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  pbi_watcher_unwatch_closes (self);

  g_hash_table_remove_all (self->pending);
}

static gboolean
pbi_watcher_retry_cb (gpointer user_data)
{
  PbiWatcher *self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (PBI_IS_WATCHER (self));

  if (!pbi_watcher_monitor (self, &error))
    {
      g_debug ("%s", error->message);
      return G_SOURCE_CONTINUE;
    }

  g_message ("Capture folder “%s” is back; watching it again",
             g_file_peek_path (self->directory));
  self->retry_source = 0;
  pbi_watcher_set_watching (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
pbi_watcher_folder_lost (PbiWatcher *self)
{
  g_autoptr(GError) error = NULL;

  if (self->monitor == NULL)
    return;

  pbi_watcher_unmonitor (self);
  g_hash_table_remove_all (self->emitted);

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "Capture folder “%s” is gone; waiting for it to come back",
                       g_file_peek_path (self->directory));
  g_message ("%s", error->message);

  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add (RETRY_INTERVAL_MS, pbi_watcher_retry_cb, self);

  pbi_watcher_set_watching (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

static void
pbi_watcher_dispose (GObject *object)
{
  PbiWatcher *self = (PbiWatcher *)object;

  pbi_watcher_unmonitor (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);

  G_OBJECT_CLASS (pbi_watcher_parent_class)->dispose (object);
}

static void
pbi_watcher_finalize (GObject *object)
{
  PbiWatcher *self = (PbiWatcher *)object;

  g_clear_object (&self->directory);
  g_clear_pointer (&self->extensions, g_strfreev);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->emitted, g_hash_table_unref);

  G_OBJECT_CLASS (pbi_watcher_parent_class)->finalize (object);
}

static void
pbi_watcher_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PbiWatcher *self = PBI_WATCHER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_object (value, pbi_watcher_get_directory (self));
      break;

    case PROP_SETTLE_MS:
      g_value_set_uint (value, pbi_watcher_get_settle_ms (self));
      break;

    case PROP_EXTENSIONS:
      g_value_set_boxed (value, pbi_watcher_get_extensions (self));
      break;

    case PROP_WATCHING:
      g_value_set_boolean (value, pbi_watcher_get_watching (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_watcher_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PbiWatcher *self = PBI_WATCHER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_object (value);
      break;

    case PROP_SETTLE_MS:
      pbi_watcher_set_settle_ms (self, g_value_get_uint (value));
      break;

    case PROP_EXTENSIONS:
      pbi_watcher_set_extensions (self, g_value_get_boxed (value));
      break;

    case PROP_WATCHING:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_watcher_class_init (PbiWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pbi_watcher_dispose;
  object_class->finalize = pbi_watcher_finalize;
  object_class->get_property = pbi_watcher_get_property;
  object_class->set_property = pbi_watcher_set_property;

  /**
   * PbiWatcher:directory:
   *
   * The capture folder. Only files directly in it are watched.
   */
  properties[PROP_DIRECTORY] =
    g_param_spec_object ("directory", NULL, NULL,
                         G_TYPE_FILE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * PbiWatcher:settle-ms:
   *
   * How long a file's size and mtime must stay unchanged before it counts
   * as complete when no close (done-hint) was seen.
   */
  properties[PROP_SETTLE_MS] =
    g_param_spec_uint ("settle-ms", NULL, NULL,
                       1, G_MAXINT, PBI_WATCHER_DEFAULT_SETTLE_MS,
                       (G_PARAM_READWRITE |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * PbiWatcher:extensions: (nullable)
   *
   * Lower-case media extensions with their dot (".jpg"), or %NULL for
   * pbi_media_default_extensions().
   */
  properties[PROP_EXTENSIONS] =
    g_param_spec_boxed ("extensions", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READWRITE |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * PbiWatcher:watching:
   *
   * Whether the folder is being watched: %TRUE after a successful
   * pbi_watcher_start(), %FALSE while the folder is gone.
   */
  properties[PROP_WATCHING] =
    g_param_spec_boolean ("watching", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PbiWatcher::file-ready:
   * @self: the #PbiWatcher
   * @file: the complete capture
   *
   * A media file in the folder has been completely written.
   */
  signals[SIGNAL_FILE_READY] =
    g_signal_new ("file-ready",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_FILE);

  /**
   * PbiWatcher::error:
   * @self: the #PbiWatcher
   * @error: what went wrong (G_IO_ERROR_NOT_FOUND when the folder is gone)
   *
   * Watching stopped; the watcher retries by itself every 2 s.
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
pbi_watcher_init (PbiWatcher *self)
{
  self->settle_ms = PBI_WATCHER_DEFAULT_SETTLE_MS;
  self->inotify_fd = -1;
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) pending_free);
  self->emitted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * pbi_watcher_new:
 * @directory: the capture folder
 *
 * Returns: (transfer full): a new #PbiWatcher, not watching yet
 */
PbiWatcher *
pbi_watcher_new (GFile *directory)
{
  g_return_val_if_fail (G_IS_FILE (directory), NULL);

  return g_object_new (PBI_TYPE_WATCHER, "directory", directory, NULL);
}

/**
 * pbi_watcher_get_directory:
 * @self: a #PbiWatcher
 *
 * Returns: (transfer none): the capture folder
 */
GFile *
pbi_watcher_get_directory (PbiWatcher *self)
{
  g_return_val_if_fail (PBI_IS_WATCHER (self), NULL);

  return self->directory;
}

/**
 * pbi_watcher_get_settle_ms:
 * @self: a #PbiWatcher
 *
 * Returns: the settle time in milliseconds
 */
guint
pbi_watcher_get_settle_ms (PbiWatcher *self)
{
  g_return_val_if_fail (PBI_IS_WATCHER (self), 0);

  return self->settle_ms;
}

/**
 * pbi_watcher_set_settle_ms:
 * @self: a #PbiWatcher
 * @settle_ms: milliseconds without change after which an open file is ready
 *
 * Takes effect for the next change of each file.
 */
void
pbi_watcher_set_settle_ms (PbiWatcher *self,
                           guint       settle_ms)
{
  g_return_if_fail (PBI_IS_WATCHER (self));
  g_return_if_fail (settle_ms > 0);

  if (self->settle_ms == settle_ms)
    return;

  self->settle_ms = settle_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTLE_MS]);
}

/**
 * pbi_watcher_get_extensions:
 * @self: a #PbiWatcher
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the media
 *   extensions, or %NULL when the default set applies
 */
const gchar * const *
pbi_watcher_get_extensions (PbiWatcher *self)
{
  g_return_val_if_fail (PBI_IS_WATCHER (self), NULL);

  return (const gchar * const *) self->extensions;
}

/**
 * pbi_watcher_set_extensions:
 * @self: a #PbiWatcher
 * @extensions: (nullable) (array zero-terminated=1): lower-case extensions
 *   with their dot, or %NULL for pbi_media_default_extensions()
 */
void
pbi_watcher_set_extensions (PbiWatcher          *self,
                            const gchar * const *extensions)
{
  g_return_if_fail (PBI_IS_WATCHER (self));

  if (extensions == NULL && self->extensions == NULL)
    return;
  if (extensions != NULL && self->extensions != NULL &&
      g_strv_equal (extensions, (const gchar * const *) self->extensions))
    return;

  g_strfreev (self->extensions);
  self->extensions = g_strdupv ((gchar **) extensions);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTENSIONS]);
}

/**
 * pbi_watcher_get_watching:
 * @self: a #PbiWatcher
 *
 * Returns: %TRUE while the folder is being watched
 */
gboolean
pbi_watcher_get_watching (PbiWatcher *self)
{
  g_return_val_if_fail (PBI_IS_WATCHER (self), FALSE);

  return self->watching;
}

/**
 * pbi_watcher_start:
 * @self: a #PbiWatcher
 * @error: return location for a #GError
 *
 * Starts watching. Fails, naming the folder, when it does not exist
 * (G_IO_ERROR_NOT_FOUND), is not a folder or cannot be watched; the caller
 * decides when to try again. Once started, a folder that disappears is
 * waited for (see #PbiWatcher::error). Does nothing if already started.
 *
 * Returns: %TRUE if the folder is being watched
 */
gboolean
pbi_watcher_start (PbiWatcher  *self,
                   GError     **error)
{
  g_return_val_if_fail (PBI_IS_WATCHER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->started)
    return TRUE;

  if (!pbi_watcher_monitor (self, error))
    return FALSE;

  self->started = TRUE;
  pbi_watcher_set_watching (self, TRUE);
  return TRUE;
}

/**
 * pbi_watcher_stop:
 * @self: a #PbiWatcher
 *
 * Stops watching and forgets files being written.
 */
void
pbi_watcher_stop (PbiWatcher *self)
{
  g_return_if_fail (PBI_IS_WATCHER (self));

  pbi_watcher_unmonitor (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_hash_table_remove_all (self->emitted);
  self->started = FALSE;
  pbi_watcher_set_watching (self, FALSE);
}
