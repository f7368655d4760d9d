/* pbi-multipart-stream.c: a multipart/form-data body read from disk as it is sent
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The body is a list of parts, each an input stream of known length: small
 * memory streams for the headers and text fields, and the files themselves.
 * Reading walks the list; read_async hands each read to the current part's
 * own read_async, so nothing is held in memory beyond the caller's buffer,
 * and the total length is known before the first byte is sent.
 */

#include "config.h"

#include <string.h>

#include "pbi-multipart-stream.h"

#define FILE_READ_AHEAD (256 * 1024)

typedef struct
{
  GInputStream *stream;     /* (owned) */
  goffset       size;
  goffset       done;
  gchar        *filename;   /* (owned) (nullable) set for file parts */
  gboolean      read_ahead; /* a local file behind a read-ahead buffer */
} Part;

struct _PbiMultipartStream
{
  GInputStream parent_instance;

  gchar       *boundary;    /* (owned) */
  GArray      *parts;       /* (owned) of Part */
  GString     *pending;     /* (owned) text not yet turned into a part */
  guint        current;
  goffset      length;
  GError      *file_error;  /* (owned) (nullable) */
  guint        closed_parts : 1;
};

static void pbi_multipart_stream_seekable_iface_init (GSeekableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PbiMultipartStream, pbi_multipart_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      pbi_multipart_stream_seekable_iface_init))

static void
part_clear (gpointer data)
{
  Part *part = data;

  g_clear_object (&part->stream);
  g_clear_pointer (&part->filename, g_free);
}

static void
flush_pending (PbiMultipartStream *self)
{
  Part part = { 0 };
  gsize len;

  if (self->pending->len == 0)
    return;
  len = self->pending->len;
  part.stream = g_memory_input_stream_new_from_data (g_string_free (self->pending, FALSE),
                                                     len, g_free);
  part.size = len;
  g_array_append_val (self->parts, part);
  self->length += len;
  self->pending = g_string_new (NULL);
}

/* Quotes a name for a Content-Disposition parameter the way browsers do. */
static void
append_quoted (GString     *out,
               const gchar *value)
{
  const gchar *p;

  g_string_append_c (out, '"');
  for (p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append (out, "%22");
      else if (*p == '\r')
        g_string_append (out, "%0D");
      else if (*p == '\n')
        g_string_append (out, "%0A");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

PbiMultipartStream *
pbi_multipart_stream_new (const gchar *boundary)
{
  PbiMultipartStream *self;

  g_return_val_if_fail (boundary != NULL && *boundary != '\0', NULL);

  self = g_object_new (PBI_TYPE_MULTIPART_STREAM, NULL);
  self->boundary = g_strdup (boundary);
  return self;
}

void
pbi_multipart_stream_add_field (PbiMultipartStream *self,
                                const gchar        *name,
                                const gchar        *value)
{
  g_return_if_fail (PBI_IS_MULTIPART_STREAM (self));
  g_return_if_fail (!self->closed_parts);
  g_return_if_fail (name != NULL && value != NULL);

  g_string_append_printf (self->pending, "--%s\r\nContent-Disposition: form-data; name=",
                          self->boundary);
  append_quoted (self->pending, name);
  g_string_append (self->pending, "\r\n\r\n");
  g_string_append (self->pending, value);
  g_string_append (self->pending, "\r\n");
}

/* Takes a reference on @stream, which must yield exactly @size bytes. */
void
pbi_multipart_stream_add_file (PbiMultipartStream *self,
                               const gchar        *name,
                               const gchar        *filename,
                               const gchar        *content_type,
                               GInputStream       *stream,
                               goffset             size)
{
  Part part = { 0 };

  g_return_if_fail (PBI_IS_MULTIPART_STREAM (self));
  g_return_if_fail (!self->closed_parts);
  g_return_if_fail (name != NULL && filename != NULL);
  g_return_if_fail (G_IS_INPUT_STREAM (stream));
  g_return_if_fail (size >= 0);

  g_string_append_printf (self->pending, "--%s\r\nContent-Disposition: form-data; name=",
                          self->boundary);
  append_quoted (self->pending, name);
  g_string_append (self->pending, "; filename=");
  append_quoted (self->pending, filename);
  g_string_append_printf (self->pending, "\r\nContent-Type: %s\r\n\r\n",
                          content_type ? content_type : "application/octet-stream");
  flush_pending (self);

  /* Reads come in the HTTP layer's 8 KiB steps, and a local file's async
   * read is a thread hand-off each (with a futex storm to match). A local
   * file is read synchronously instead, through a 256 KiB read-ahead buffer:
   * one read() per 256 KiB, the rest served from memory; at most one such
   * read (well under a millisecond from the page cache) holds the loop. */
  part.read_ahead = G_IS_FILE_INPUT_STREAM (stream);
  if (part.read_ahead)
    part.stream = g_buffered_input_stream_new_sized (stream, FILE_READ_AHEAD);
  else
    part.stream = g_object_ref (stream);
  part.size = size;
  part.filename = g_strdup (filename);
  g_array_append_val (self->parts, part);
  self->length += size;

  g_string_append (self->pending, "\r\n");
}

/* Adds the closing boundary; no part can be added afterwards. */
void
pbi_multipart_stream_close_parts (PbiMultipartStream *self)
{
  g_return_if_fail (PBI_IS_MULTIPART_STREAM (self));

  if (self->closed_parts)
    return;
  g_string_append_printf (self->pending, "--%s--\r\n", self->boundary);
  flush_pending (self);
  self->closed_parts = TRUE;
}

goffset
pbi_multipart_stream_get_length (PbiMultipartStream *self)
{
  g_return_val_if_fail (PBI_IS_MULTIPART_STREAM (self), -1);
  g_return_val_if_fail (self->closed_parts, -1);
  return self->length;
}

gchar *
pbi_multipart_stream_dup_content_type (PbiMultipartStream *self)
{
  g_return_val_if_fail (PBI_IS_MULTIPART_STREAM (self), NULL);
  return g_strdup_printf ("multipart/form-data; boundary=%s", self->boundary);
}

/* The error a file part hit (read failure, file shorter than announced),
 * as opposed to the connection failing. */
const GError *
pbi_multipart_stream_get_file_error (PbiMultipartStream *self)
{
  g_return_val_if_fail (PBI_IS_MULTIPART_STREAM (self), NULL);
  return self->file_error;
}

/* Moves past finished parts; returns the current one or NULL at the end. */
static Part *
current_part (PbiMultipartStream *self)
{
  while (self->current < self->parts->len)
    {
      Part *part = &g_array_index (self->parts, Part, self->current);

      if (part->done < part->size)
        return part;
      self->current++;
    }
  return NULL;
}

static gsize
clamp_count (Part  *part,
             gsize  count)
{
  return (gsize) MIN ((goffset) count, part->size - part->done);
}

/* Records what a read of @part gave; FALSE and @error set when it failed. */
static gboolean
account_read (PbiMultipartStream  *self,
              Part                *part,
              gssize               n,
              GError             **error)
{
  if (n < 0)
    {
      if (part->filename != NULL && self->file_error == NULL && error != NULL && *error != NULL
          && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->file_error = g_error_copy (*error);
      return FALSE;
    }
  if (n == 0)
    {
      GError *local = g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                   "“%s” became shorter while it was being sent",
                                   part->filename ? part->filename : "(part)");
      g_clear_error (&self->file_error);
      self->file_error = g_error_copy (local);
      g_propagate_error (error, local);
      return FALSE;
    }
  part->done += n;
  return TRUE;
}

static gssize
pbi_multipart_stream_read (GInputStream  *stream,
                           void          *buffer,
                           gsize          count,
                           GCancellable  *cancellable,
                           GError       **error)
{
  PbiMultipartStream *self = PBI_MULTIPART_STREAM (stream);
  Part *part;
  gssize n;

  part = current_part (self);
  if (part == NULL || count == 0)
    return 0;
  n = g_input_stream_read (part->stream, buffer, clamp_count (part, count), cancellable, error);
  if (!account_read (self, part, n, error))
    return -1;
  return n;
}

static void
child_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiMultipartStream *self = g_task_get_source_object (task);
  Part *part = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (!account_read (self, part, n, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, n);
}

static void
pbi_multipart_stream_read_async (GInputStream        *stream,
                                 void                *buffer,
                                 gsize                count,
                                 int                  io_priority,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  PbiMultipartStream *self = PBI_MULTIPART_STREAM (stream);
  g_autoptr(GTask) task = NULL;
  Part *part;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_multipart_stream_read_async);
  g_task_set_priority (task, io_priority);

  part = current_part (self);
  if (part == NULL || count == 0)
    {
      g_task_return_int (task, 0);
      return;
    }
  if (part->read_ahead)
    {
      GError *error = NULL;
      gssize n = g_input_stream_read (part->stream, buffer, clamp_count (part, count),
                                      cancellable, &error);

      if (!account_read (self, part, n, &error))
        g_task_return_error (task, error);
      else
        g_task_return_int (task, n);
      return;
    }
  /* The part lives in self->parts, which does not change while reading. */
  g_task_set_task_data (task, part, NULL);
  g_input_stream_read_async (part->stream, buffer, clamp_count (part, count), io_priority,
                             cancellable, child_read_cb, g_steal_pointer (&task));
}

static gssize
pbi_multipart_stream_read_finish (GInputStream  *stream,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
pbi_multipart_stream_close (GInputStream  *stream,
                            GCancellable  *cancellable,
                            GError       **error)
{
  PbiMultipartStream *self = PBI_MULTIPART_STREAM (stream);
  gboolean ok = TRUE;
  guint i;

  for (i = 0; i < self->parts->len; i++)
    {
      Part *part = &g_array_index (self->parts, Part, i);
      g_autoptr(GError) local = NULL;

      if (!g_input_stream_close (part->stream, cancellable, &local) && ok)
        {
          ok = FALSE;
          g_propagate_error (error, g_steal_pointer (&local));
        }
    }
  return ok;
}

/* Closing files is quick: do it here rather than in a thread. */
static void
pbi_multipart_stream_close_async (GInputStream        *stream,
                                  int                  io_priority,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_multipart_stream_close_async);
  if (pbi_multipart_stream_close (stream, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
pbi_multipart_stream_close_finish (GInputStream  *stream,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static goffset
pbi_multipart_stream_tell (GSeekable *seekable)
{
  PbiMultipartStream *self = PBI_MULTIPART_STREAM (seekable);
  goffset pos = 0;
  guint i;

  for (i = 0; i < self->parts->len; i++)
    pos += g_array_index (self->parts, Part, i).done;
  return pos;
}

static gboolean
pbi_multipart_stream_can_seek (GSeekable *seekable)
{
  return TRUE;
}

/* Only rewinding is supported, which is what an HTTP client needs to send
 * the body again on a fresh connection. */
static gboolean
pbi_multipart_stream_seek (GSeekable     *seekable,
                           goffset        offset,
                           GSeekType      type,
                           GCancellable  *cancellable,
                           GError       **error)
{
  PbiMultipartStream *self = PBI_MULTIPART_STREAM (seekable);
  guint i;

  if ((type == G_SEEK_SET && offset == pbi_multipart_stream_tell (seekable))
      || (type == G_SEEK_CUR && offset == 0))
    return TRUE;
  if (!(type == G_SEEK_SET && offset == 0))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "a multipart body can only be rewound to its start");
      return FALSE;
    }
  for (i = 0; i < self->parts->len; i++)
    {
      Part *part = &g_array_index (self->parts, Part, i);

      if (part->done == 0)
        continue;
      if (!G_IS_SEEKABLE (part->stream) || !g_seekable_can_seek (G_SEEKABLE (part->stream)))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "a part of the multipart body cannot be rewound");
          return FALSE;
        }
      if (!g_seekable_seek (G_SEEKABLE (part->stream), -part->done, G_SEEK_CUR,
                            cancellable, error))
        return FALSE;
      part->done = 0;
    }
  self->current = 0;
  return TRUE;
}

static gboolean
pbi_multipart_stream_can_truncate (GSeekable *seekable)
{
  return FALSE;
}

static gboolean
pbi_multipart_stream_truncate (GSeekable     *seekable,
                               goffset        offset,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "a multipart body cannot be truncated");
  return FALSE;
}

static void
pbi_multipart_stream_seekable_iface_init (GSeekableIface *iface)
{
  iface->tell = pbi_multipart_stream_tell;
  iface->can_seek = pbi_multipart_stream_can_seek;
  iface->seek = pbi_multipart_stream_seek;
  iface->can_truncate = pbi_multipart_stream_can_truncate;
  iface->truncate_fn = pbi_multipart_stream_truncate;
}

static void
pbi_multipart_stream_finalize (GObject *object)
{
  PbiMultipartStream *self = PBI_MULTIPART_STREAM (object);

  g_clear_pointer (&self->boundary, g_free);
  g_clear_pointer (&self->parts, g_array_unref);
  if (self->pending != NULL)
    g_string_free (self->pending, TRUE);
  g_clear_error (&self->file_error);

  G_OBJECT_CLASS (pbi_multipart_stream_parent_class)->finalize (object);
}

static void
pbi_multipart_stream_class_init (PbiMultipartStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = pbi_multipart_stream_finalize;

  stream_class->read_fn = pbi_multipart_stream_read;
  stream_class->read_async = pbi_multipart_stream_read_async;
  stream_class->read_finish = pbi_multipart_stream_read_finish;
  stream_class->close_fn = pbi_multipart_stream_close;
  stream_class->close_async = pbi_multipart_stream_close_async;
  stream_class->close_finish = pbi_multipart_stream_close_finish;
}

static void
pbi_multipart_stream_init (PbiMultipartStream *self)
{
  self->parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_array_set_clear_func (self->parts, part_clear);
  self->pending = g_string_new (NULL);
}
