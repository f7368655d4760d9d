/* pbi-fake-multipart.c: an incremental multipart/form-data parser
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The body is never held in memory: part data is handed on as it arrives,
 * only a tail shorter than the delimiter that might start one is kept back.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "config.h"

#include <string.h>

#include "pbi-fake-multipart.h"

#define MAX_HEADER_BYTES (16 * 1024)

typedef enum
{
  STATE_PREAMBLE,
  STATE_AFTER_DELIM,
  STATE_HEADERS,
  STATE_DATA,
  STATE_DONE,
  STATE_ERROR,
} State;

struct _PbiFakeMultipart
{
  gchar                     *delim;      /* (owned) "\r\n--" boundary */
  gsize                      delim_len;
  State                      state;
  GByteArray                *pending;    /* (owned) held-back bytes */
  GString                   *headers;    /* (owned) current part's headers */
  PbiFakeMultipartBeginFunc  begin;
  PbiFakeMultipartDataFunc   data;
  PbiFakeMultipartEndFunc    end;
  gpointer                   user_data;
};

PbiFakeMultipart *
_pbi_fake_multipart_new (const gchar               *boundary,
                         PbiFakeMultipartBeginFunc  begin,
                         PbiFakeMultipartDataFunc   data,
                         PbiFakeMultipartEndFunc    end,
                         gpointer                   user_data)
{
  PbiFakeMultipart *self;

  g_return_val_if_fail (boundary != NULL && *boundary != '\0', NULL);

  self = g_new0 (PbiFakeMultipart, 1);
  self->delim = g_strconcat ("\r\n--", boundary, NULL);
  self->delim_len = strlen (self->delim);
  self->state = STATE_PREAMBLE;
  self->pending = g_byte_array_new ();
  self->headers = g_string_new (NULL);
  self->begin = begin;
  self->data = data;
  self->end = end;
  self->user_data = user_data;
  /* The first delimiter has no leading CRLF: pretend one was there. */
  g_byte_array_append (self->pending, (const guint8 *) "\r\n", 2);
  return self;
}

void
_pbi_fake_multipart_free (PbiFakeMultipart *self)
{
  if (self == NULL)
    return;
  g_free (self->delim);
  g_byte_array_unref (self->pending);
  g_string_free (self->headers, TRUE);
  g_free (self);
}

gboolean
_pbi_fake_multipart_is_done (PbiFakeMultipart *self)
{
  return self->state == STATE_DONE;
}

/* Value of a parameter like name="x" in a Content-Disposition line. */
static gchar *
disposition_param (const gchar *line,
                   const gchar *param)
{
  g_autofree gchar *needle = g_strconcat (param, "=", NULL);
  const gchar *p = line;
  gsize nlen = strlen (needle);

  while ((p = strstr (p, needle)) != NULL)
    {
      const gchar *v;
      GString *out;

      /* must be a whole parameter name: preceded by ';' or space */
      if (p > line && p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t')
        {
          p += nlen;
          continue;
        }
      v = p + nlen;
      out = g_string_new (NULL);
      if (*v == '"')
        {
          v++;
          while (*v != '\0' && *v != '"')
            {
              if (*v == '\\' && v[1] != '\0')
                v++;
              g_string_append_c (out, *v);
              v++;
            }
        }
      else
        {
          while (*v != '\0' && *v != ';' && *v != '\r' && *v != '\n')
            g_string_append_c (out, *v++);
        }
      return g_string_free (out, FALSE);
    }
  return NULL;
}

static void
begin_part (PbiFakeMultipart *self)
{
  g_auto(GStrv) lines = g_strsplit (self->headers->str, "\r\n", -1);
  g_autofree gchar *name = NULL;
  g_autofree gchar *filename = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], "content-disposition:", 20) == 0)
        {
          name = disposition_param (lines[i] + 20, "name");
          filename = disposition_param (lines[i] + 20, "filename");
        }
    }
  if (self->begin != NULL)
    self->begin (name, filename, self->user_data);
}

/* Length of the longest suffix of buf that is a proper prefix of delim. */
static gsize
partial_tail (PbiFakeMultipart *self,
              const guint8     *buf,
              gsize             len)
{
  gsize max = MIN (len, self->delim_len - 1);

  for (gsize k = max; k > 0; k--)
    {
      if (memcmp (buf + len - k, self->delim, k) == 0)
        return k;
    }
  return 0;
}

static gboolean
feed_buffer (PbiFakeMultipart *self,
             const guint8     *buf,
             gsize             len)
{
  while (len > 0)
    {
      switch (self->state)
        {
        case STATE_PREAMBLE:
        case STATE_DATA:
          {
            const guint8 *hit = memmem (buf, len, self->delim, self->delim_len);

            if (hit != NULL)
              {
                gsize n = hit - buf;

                if (self->state == STATE_DATA)
                  {
                    if (n > 0 && self->data != NULL)
                      self->data (buf, n, self->user_data);
                    if (self->end != NULL)
                      self->end (self->user_data);
                  }
                self->state = STATE_AFTER_DELIM;
                buf += n + self->delim_len;
                len -= n + self->delim_len;
              }
            else
              {
                gsize keep = partial_tail (self, buf, len);

                if (self->state == STATE_DATA && len - keep > 0 && self->data != NULL)
                  self->data (buf, len - keep, self->user_data);
                g_byte_array_append (self->pending, buf + len - keep, keep);
                return TRUE;
              }
          }
          break;

        case STATE_AFTER_DELIM:
          /* need two bytes: "--" ends the body, "\r\n" starts a part */
          if (self->headers->len + len < 2)
            {
              g_string_append_len (self->headers, (const gchar *) buf, len);
              return TRUE;
            }
          else
            {
              gsize take = 2 - self->headers->len;

              g_string_append_len (self->headers, (const gchar *) buf, take);
              buf += take;
              len -= take;
              if (strcmp (self->headers->str, "--") == 0)
                {
                  self->state = STATE_DONE;
                }
              else if (strcmp (self->headers->str, "\r\n") == 0)
                {
                  self->state = STATE_HEADERS;
                }
              else
                {
                  self->state = STATE_ERROR;
                  return FALSE;
                }
              g_string_truncate (self->headers, 0);
            }
          break;

        case STATE_HEADERS:
          {
            gsize old = self->headers->len;
            const gchar *end;

            g_string_append_len (self->headers, (const gchar *) buf, len);
            end = strstr (self->headers->str + (old >= 3 ? old - 3 : 0), "\r\n\r\n");
            if (end == NULL)
              {
                if (self->headers->len > MAX_HEADER_BYTES)
                  {
                    self->state = STATE_ERROR;
                    return FALSE;
                  }
                return TRUE;
              }
            else
              {
                gsize hdr_len = end - self->headers->str;
                gsize used = hdr_len + 4 - old;

                g_string_truncate (self->headers, hdr_len);
                begin_part (self);
                g_string_truncate (self->headers, 0);
                self->state = STATE_DATA;
                buf += used;
                len -= used;
              }
          }
          break;

        case STATE_DONE:
          return TRUE;

        case STATE_ERROR:
        default:
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
_pbi_fake_multipart_feed (PbiFakeMultipart *self,
                          const guint8     *data,
                          gsize             len)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->state == STATE_ERROR)
    return FALSE;
  if (self->pending->len > 0)
    {
      g_autoptr(GByteArray) work = self->pending;

      self->pending = g_byte_array_new ();
      g_byte_array_append (work, data, len);
      return feed_buffer (self, work->data, work->len);
    }
  return feed_buffer (self, data, len);
}
