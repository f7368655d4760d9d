/* pbi-fake-multipart.h: an incremental multipart/form-data parser
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PbiFakeMultipart PbiFakeMultipart;

/* Called when a part's headers are complete. name/filename may be NULL. */
typedef void (*PbiFakeMultipartBeginFunc) (const gchar *name,
                                           const gchar *filename,
                                           gpointer     user_data);
/* Called with consecutive pieces of the current part's body. */
typedef void (*PbiFakeMultipartDataFunc)  (const guint8 *data,
                                           gsize         len,
                                           gpointer      user_data);
/* Called when the current part's body is complete. */
typedef void (*PbiFakeMultipartEndFunc)   (gpointer user_data);

PbiFakeMultipart *_pbi_fake_multipart_new      (const gchar               *boundary,
                                                PbiFakeMultipartBeginFunc  begin,
                                                PbiFakeMultipartDataFunc   data,
                                                PbiFakeMultipartEndFunc    end,
                                                gpointer                   user_data);
/* Feeds bytes; returns FALSE once the stream is malformed. */
gboolean          _pbi_fake_multipart_feed     (PbiFakeMultipart          *self,
                                                const guint8              *data,
                                                gsize                      len);
/* TRUE when the closing delimiter was seen. */
gboolean          _pbi_fake_multipart_is_done  (PbiFakeMultipart          *self);
void              _pbi_fake_multipart_free     (PbiFakeMultipart          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiFakeMultipart, _pbi_fake_multipart_free)

G_END_DECLS
