/* pbi-instance-lock.c: one sync engine per database (an flock'ed DB.lock file)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two programs syncing one database would upload side by side. Whoever
 * starts an engine first takes an exclusive flock(2) on "DATABASE.lock",
 * beside the database, and writes its process id and name into it; the
 * kernel drops the lock when the process ends, however it ends, so a stale
 * file never blocks anyone. One-shot commands (status, config) never take it.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pbi-instance-lock.h"

struct _PbiInstanceLock
{
  gchar *path;
  int    fd;
};

/**
 * pbi_instance_lock_get_path:
 * @database_path: (type filename): the database
 *
 * Returns: (transfer full) (type filename): the lock file beside it
 */
gchar *
pbi_instance_lock_get_path (const gchar *database_path)
{
  g_return_val_if_fail (database_path != NULL, NULL);
  return g_strconcat (database_path, ".lock", NULL);
}

static gchar *
read_holder (int   fd,
             GPid *pid)
{
  gchar buf[512];
  ssize_t n;
  g_auto(GStrv) lines = NULL;

  if (pid != NULL)
    *pid = 0;
  n = pread (fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  lines = g_strsplit (buf, "\n", 3);
  if (lines[0] == NULL || lines[1] == NULL)
    return NULL;
  if (pid != NULL)
    *pid = (GPid) g_ascii_strtoll (lines[0], NULL, 10);
  return g_strdup (g_strstrip (lines[1]));
}

/**
 * pbi_instance_lock_dup_holder:
 * @database_path: (type filename): the database
 * @pid: (out) (optional): the holder's process id, 0 when none
 *
 * Who syncs @database_path now, without taking the lock.
 *
 * Returns: (transfer full) (nullable): the holder's program name, or %NULL
 *   when no running process holds the lock
 */
gchar *
pbi_instance_lock_dup_holder (const gchar *database_path,
                              GPid        *pid)
{
  g_autofree gchar *path = pbi_instance_lock_get_path (database_path);
  gchar *holder = NULL;
  int fd;

  if (pid != NULL)
    *pid = 0;
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return NULL;
  if (flock (fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
    holder = read_holder (fd, pid);
  close (fd);
  return holder;
}

/**
 * pbi_instance_lock_acquire:
 * @database_path: (type filename): the database the engine will sync
 * @program: a name for people, e.g. "photobooth-immich watch"
 * @error: return location for a #GError
 *
 * Takes the database's engine lock. Fails with %G_IO_ERROR_BUSY, and a
 * message naming the program and process that holds it, when another
 * process syncs the database already.
 *
 * Returns: (transfer full) (nullable): the lock, held until released
 */
PbiInstanceLock *
pbi_instance_lock_acquire (const gchar  *database_path,
                           const gchar  *program,
                           GError      **error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *content = NULL;
  PbiInstanceLock *lock;
  int fd;

  g_return_val_if_fail (database_path != NULL, NULL);
  g_return_val_if_fail (program != NULL, NULL);

  path = pbi_instance_lock_get_path (database_path);
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the lock file %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int saved = errno;
      GPid pid = 0;
      g_autofree gchar *holder = NULL;

      if (saved == EWOULDBLOCK)
        {
          holder = read_holder (fd, &pid);
          close (fd);
          if (holder != NULL && pid > 0)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                         _("%s (process %d) already syncs the database %s"),
                         holder, (gint) pid, database_path);
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                         _("Another program already syncs the database %s"), database_path);
          return NULL;
        }
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot lock %s: %s"), path, g_strerror (saved));
      return NULL;
    }

  content = g_strdup_printf ("%d\n%s\n", (gint) getpid (), program);
  if (ftruncate (fd, 0) < 0 ||
      pwrite (fd, content, strlen (content), 0) != (ssize_t) strlen (content))
    g_debug ("Could not write %s: %s", path, g_strerror (errno));

  lock = g_new0 (PbiInstanceLock, 1);
  lock->path = g_steal_pointer (&path);
  lock->fd = fd;
  return lock;
}

/**
 * pbi_instance_lock_release:
 * @lock: (transfer full) (nullable): a lock
 *
 * Lets another engine sync the database.
 */
void
pbi_instance_lock_release (PbiInstanceLock *lock)
{
  if (lock == NULL)
    return;
  /* empty it first, so a reader between unlock and close sees no holder */
  if (ftruncate (lock->fd, 0) < 0)
    g_debug ("Could not empty %s: %s", lock->path, g_strerror (errno));
  flock (lock->fd, LOCK_UN);
  close (lock->fd);
  g_free (lock->path);
  g_free (lock);
}
