/* pbi-multipart-stream.h: a multipart/form-data body read from disk as it is sent
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PBI_TYPE_MULTIPART_STREAM (pbi_multipart_stream_get_type ())

G_DECLARE_FINAL_TYPE (PbiMultipartStream, pbi_multipart_stream, PBI, MULTIPART_STREAM, GInputStream)

PbiMultipartStream *pbi_multipart_stream_new               (const gchar        *boundary);
void                pbi_multipart_stream_add_field         (PbiMultipartStream *self,
                                                            const gchar        *name,
                                                            const gchar        *value);
void                pbi_multipart_stream_add_file          (PbiMultipartStream *self,
                                                            const gchar        *name,
                                                            const gchar        *filename,
                                                            const gchar        *content_type,
                                                            GInputStream       *stream,
                                                            goffset             size);
void                pbi_multipart_stream_close_parts       (PbiMultipartStream *self);
goffset             pbi_multipart_stream_get_length        (PbiMultipartStream *self);
gchar              *pbi_multipart_stream_dup_content_type  (PbiMultipartStream *self);
const GError       *pbi_multipart_stream_get_file_error    (PbiMultipartStream *self);

G_END_DECLS
