/* pbi-hasher.h: SHA1 of files in worker threads
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * PbiHashResult:
 * @path: the file that was read
 * @sha1: lower-case hex SHA1 of its content
 * @capture_date: (nullable): EXIF capture date, when asked for and present
 * @size: size in bytes of what was hashed
 * @mtime_us: modification time in microseconds since the epoch
 *
 * What the hasher learnt about one file in a single pass.
 */
typedef struct
{
  gchar     *path;
  gchar     *sha1;
  GDateTime *capture_date;
  guint64    size;
  gint64     mtime_us;
} PbiHashResult;

#define PBI_TYPE_HASH_RESULT (pbi_hash_result_get_type ())

GType          pbi_hash_result_get_type (void) G_GNUC_CONST;
PbiHashResult *pbi_hash_result_copy     (const PbiHashResult *result);
void           pbi_hash_result_free     (PbiHashResult       *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiHashResult, pbi_hash_result_free)

/**
 * PbiHasherFlags:
 * @PBI_HASHER_FLAGS_NONE: only hash
 * @PBI_HASHER_FLAGS_CAPTURE_DATE: also read the EXIF capture date
 *
 * What pbi_hasher_hash_file_async() does besides hashing.
 */
typedef enum
{
  PBI_HASHER_FLAGS_NONE         = 0,
  PBI_HASHER_FLAGS_CAPTURE_DATE = 1 << 0,
} PbiHasherFlags;

#define PBI_TYPE_HASHER (pbi_hasher_get_type ())

G_DECLARE_FINAL_TYPE (PbiHasher, pbi_hasher, PBI, HASHER, GObject)

PbiHasher     *pbi_hasher_new              (guint                 n_workers);
guint          pbi_hasher_get_n_workers    (PbiHasher            *self);
void           pbi_hasher_hash_async       (PbiHasher            *self,
                                            const gchar          *path,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gchar         *pbi_hasher_hash_finish      (PbiHasher            *self,
                                            GAsyncResult         *result,
                                            GError              **error);
void           pbi_hasher_hash_file_async  (PbiHasher            *self,
                                            const gchar          *path,
                                            PbiHasherFlags        flags,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
PbiHashResult *pbi_hasher_hash_file_finish (PbiHasher            *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
