/* pbi-hasher.c: SHA1 of files in worker threads
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <nettle/base16.h>
#include <nettle/sha1.h>

#include "pbi-hasher.h"
#include "pbi-media-info.h"

#define READ_BUFFER_SIZE (1024 * 1024)

/**
 * PbiHasher:
 *
 * Hashes files (SHA1, as Immich wants) in a dedicated pool of worker
 * threads, one file per worker at a time, so several files are read and
 * hashed in parallel across cores. Results come back on the thread-default
 * main context of the caller of the `_async` function. Each worker reads
 * with a 1 MiB buffer, advises the kernel of sequential access and checks
 * the cancellable between chunks.
 *
 * Jobs wait in the pool's FIFO queue; each costs a few hundred bytes, so a
 * caller queueing a whole folder is fine.
 */
struct _PbiHasher
{
  GObject      parent_instance;
  GThreadPool *pool;       /* (owned) */
  guint        n_workers;
};

typedef struct
{
  GTask          *task;    /* (owned) */
  gchar          *path;    /* (owned) */
  PbiHasherFlags  flags;
} HashJob;

enum {
  PROP_0,
  PROP_N_WORKERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One read buffer per worker thread, freed when the thread exits. */
static GPrivate read_buffer_key = G_PRIVATE_INIT (g_free);

G_DEFINE_FINAL_TYPE (PbiHasher, pbi_hasher, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (PbiHashResult, pbi_hash_result, pbi_hash_result_copy, pbi_hash_result_free)

/**
 * pbi_hash_result_copy:
 * @result: a #PbiHashResult
 *
 * Returns: (transfer full): a deep copy of @result
 */
PbiHashResult *
pbi_hash_result_copy (const PbiHashResult *result)
{
  PbiHashResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = g_new0 (PbiHashResult, 1);
  copy->path = g_strdup (result->path);
  copy->sha1 = g_strdup (result->sha1);
  copy->capture_date = result->capture_date ? g_date_time_ref (result->capture_date) : NULL;
  copy->size = result->size;
  copy->mtime_us = result->mtime_us;

  return copy;
}

/**
 * pbi_hash_result_free:
 * @result: (nullable): a #PbiHashResult
 *
 * Frees @result and everything it holds.
 */
void
pbi_hash_result_free (PbiHashResult *result)
{
  if (result == NULL)
    return;

  g_free (result->path);
  g_free (result->sha1);
  g_clear_pointer (&result->capture_date, g_date_time_unref);
  g_free (result);
}

static void
hash_job_free (HashJob *job)
{
  g_clear_object (&job->task);
  g_free (job->path);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HashJob, hash_job_free)

static gint64
stat_mtime_us (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

static gboolean
set_errno_error (GError      **error,
                 int           saved_errno,
                 const gchar  *what,
                 const gchar  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "Cannot %s “%s”: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

/* Runs in a worker thread; reads only the job's own copies. */
static PbiHashResult *
hash_file_sync (const gchar     *path,
                PbiHasherFlags   flags,
                GCancellable    *cancellable,
                GError         **error)
{
  struct sha1_ctx sha1;
  guint8 digest[SHA1_DIGEST_SIZE];
  gchar hex[BASE16_ENCODE_LENGTH (SHA1_DIGEST_SIZE) + 1];
  g_autoptr(PbiHashResult) result = NULL;
  struct stat before, after;
  guint64 total = 0;
  guchar *buffer;
  int fd;

  buffer = g_private_get (&read_buffer_key);
  if (buffer == NULL)
    {
      buffer = g_malloc (READ_BUFFER_SIZE);
      g_private_set (&read_buffer_key, buffer);
    }

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (error, errno, "open", path);
      return NULL;
    }

  if (fstat (fd, &before) != 0)
    {
      set_errno_error (error, errno, "read", path);
      close (fd);
      return NULL;
    }

  if (!S_ISREG (before.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "Cannot hash “%s”: not a regular file", path);
      close (fd);
      return NULL;
    }

  (void) posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  /* nettle picks the CPU's SHA instructions where there are some: about
   * twice GChecksum's speed, which matters on a bulk run */
  sha1_init (&sha1);

  for (;;)
    {
      gssize n_read;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return NULL;
        }

      n_read = read (fd, buffer, READ_BUFFER_SIZE);
      if (n_read < 0 && errno == EINTR)
        continue;
      if (n_read < 0)
        {
          set_errno_error (error, errno, "read", path);
          close (fd);
          return NULL;
        }
      if (n_read == 0)
        break;

      sha1_update (&sha1, n_read, buffer);
      total += n_read;
    }

  if (fstat (fd, &after) != 0)
    {
      set_errno_error (error, errno, "read", path);
      close (fd);
      return NULL;
    }
  close (fd);

  /* A file still being written gives a hash of nothing that will last. */
  if (total != (guint64) before.st_size ||
      after.st_size != before.st_size ||
      stat_mtime_us (&after) != stat_mtime_us (&before))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "“%s” changed while it was being read", path);
      return NULL;
    }

  result = g_new0 (PbiHashResult, 1);
  result->path = g_strdup (path);
  sha1_digest (&sha1, sizeof digest, digest);
  base16_encode_update (hex, sizeof digest, digest);
  hex[sizeof hex - 1] = '\0';
  result->sha1 = g_strdup (hex);
  result->size = total;
  result->mtime_us = stat_mtime_us (&before);

  if (flags & PBI_HASHER_FLAGS_CAPTURE_DATE)
    {
      g_autoptr(GError) date_error = NULL;

      result->capture_date = pbi_media_info_get_capture_date (path, &date_error);
      if (date_error != NULL)
        g_debug ("No capture date for “%s”: %s", path, date_error->message);
    }

  return g_steal_pointer (&result);
}

static void
hash_job_run (gpointer data,
              gpointer user_data)
{
  g_autoptr(HashJob) job = data;
  g_autoptr(GError) error = NULL;
  PbiHashResult *result;

  g_assert (job != NULL);
  g_assert (G_IS_TASK (job->task));
  g_assert (!g_main_context_is_owner (g_main_context_default ())); /* a pool worker */

  if (g_task_return_error_if_cancelled (job->task))
    return;

  result = hash_file_sync (job->path, job->flags, g_task_get_cancellable (job->task), &error);
  if (result == NULL)
    g_task_return_error (job->task, g_steal_pointer (&error));
  else
    g_task_return_pointer (job->task, result, (GDestroyNotify) pbi_hash_result_free);
}

static void
pbi_hasher_constructed (GObject *object)
{
  PbiHasher *self = (PbiHasher *)object;
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (pbi_hasher_parent_class)->constructed (object);

  if (self->n_workers == 0)
    self->n_workers = MAX (1, g_get_num_processors ());

  self->pool = g_thread_pool_new (hash_job_run, NULL, self->n_workers, FALSE, &error);
  if (self->pool == NULL)
    g_error ("Cannot create the hasher's thread pool: %s", error->message);
}

static void
pbi_hasher_finalize (GObject *object)
{
  PbiHasher *self = (PbiHasher *)object;

  /* Every queued job holds a reference to us through its task, so the queue
   * is empty here. This may run in a worker (it dropped the last task), so
   * do not wait for the pool's threads. */
  if (self->pool != NULL)
    g_thread_pool_free (self->pool, FALSE, FALSE);

  G_OBJECT_CLASS (pbi_hasher_parent_class)->finalize (object);
}

static void
pbi_hasher_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PbiHasher *self = PBI_HASHER (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      g_value_set_uint (value, pbi_hasher_get_n_workers (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_hasher_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PbiHasher *self = PBI_HASHER (object);

  switch (prop_id)
    {
    case PROP_N_WORKERS:
      self->n_workers = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_hasher_class_init (PbiHasherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pbi_hasher_constructed;
  object_class->finalize = pbi_hasher_finalize;
  object_class->get_property = pbi_hasher_get_property;
  object_class->set_property = pbi_hasher_set_property;

  /**
   * PbiHasher:n-workers:
   *
   * How many files are hashed at once; 0 at construction means one per
   * processor (g_get_num_processors()).
   */
  properties[PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL,
                       0, 256, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pbi_hasher_init (PbiHasher *self)
{
}

/**
 * pbi_hasher_new:
 * @n_workers: files hashed at once, or 0 for one per processor
 *
 * Returns: (transfer full): a new #PbiHasher
 */
PbiHasher *
pbi_hasher_new (guint n_workers)
{
  return g_object_new (PBI_TYPE_HASHER, "n-workers", n_workers, NULL);
}

/**
 * pbi_hasher_get_n_workers:
 * @self: a #PbiHasher
 *
 * Returns: the number of worker threads
 */
guint
pbi_hasher_get_n_workers (PbiHasher *self)
{
  g_return_val_if_fail (PBI_IS_HASHER (self), 0);

  return self->n_workers;
}

static void
pbi_hasher_push (PbiHasher           *self,
                 const gchar         *path,
                 PbiHasherFlags       flags,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HashJob *job;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  job = g_new0 (HashJob, 1);
  job->task = g_steal_pointer (&task);
  job->path = g_strdup (path);
  job->flags = flags;

  /* Cannot fail for a non-exclusive pool. */
  g_thread_pool_push (self->pool, job, NULL);
}

/* The result of a task pbi_hasher_push() made with @source_tag. */
static PbiHashResult *
hash_task_finish (PbiHasher     *self,
                  GAsyncResult  *result,
                  gpointer       source_tag,
                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pbi_hasher_hash_file_async:
 * @self: a #PbiHasher
 * @path: a local file
 * @flags: what to learn besides the hash
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Queues @path for hashing. With %PBI_HASHER_FLAGS_CAPTURE_DATE the worker
 * also reads the EXIF capture date right after hashing (the file is then in
 * the page cache), so no EXIF parsing happens on the main thread.
 */
void
pbi_hasher_hash_file_async (PbiHasher           *self,
                            const gchar         *path,
                            PbiHasherFlags       flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PBI_IS_HASHER (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  pbi_hasher_push (self, path, flags, pbi_hasher_hash_file_async,
                   cancellable, callback, user_data);
}

/**
 * pbi_hasher_hash_file_finish:
 * @self: a #PbiHasher
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Errors are in the G_IO_ERROR domain and name the file: NOT_FOUND for a
 * file that vanished, PERMISSION_DENIED, NOT_REGULAR_FILE, BUSY for a file
 * that changed while it was read, CANCELLED.
 *
 * Returns: (transfer full): the hash, size, mtime and capture date of the file
 */
PbiHashResult *
pbi_hasher_hash_file_finish (PbiHasher     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (PBI_IS_HASHER (self), NULL);
  return hash_task_finish (self, result, pbi_hasher_hash_file_async, error);
}

/**
 * pbi_hasher_hash_async:
 * @self: a #PbiHasher
 * @path: a local file
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Queues @path for hashing; see pbi_hasher_hash_file_async() for more.
 */
void
pbi_hasher_hash_async (PbiHasher           *self,
                       const gchar         *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (PBI_IS_HASHER (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  pbi_hasher_push (self, path, PBI_HASHER_FLAGS_NONE, pbi_hasher_hash_async,
                   cancellable, callback, user_data);
}

/**
 * pbi_hasher_hash_finish:
 * @self: a #PbiHasher
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the lower-case hex SHA1, or %NULL with @error set
 *   as pbi_hasher_hash_file_finish() describes
 */
gchar *
pbi_hasher_hash_finish (PbiHasher     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_autoptr(PbiHashResult) hash = NULL;

  g_return_val_if_fail (PBI_IS_HASHER (self), NULL);
  hash = hash_task_finish (self, result, pbi_hasher_hash_async, error);
  if (hash == NULL)
    return NULL;

  return g_steal_pointer (&hash->sha1);
}
