/* pbi-scanner.h: asynchronous walk of a folder tree for media files
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * PbiScanEntry:
 * @path: absolute path of a regular media file
 * @size: its size in bytes
 * @mtime_us: its modification time in microseconds since the epoch
 *
 * One file the scanner found.
 */
typedef struct
{
  gchar   *path;
  guint64  size;
  gint64   mtime_us;
} PbiScanEntry;

#define PBI_TYPE_SCAN_ENTRY (pbi_scan_entry_get_type ())

GType         pbi_scan_entry_get_type (void) G_GNUC_CONST;
PbiScanEntry *pbi_scan_entry_copy     (const PbiScanEntry *entry);
void          pbi_scan_entry_free     (PbiScanEntry       *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiScanEntry, pbi_scan_entry_free)

#define PBI_TYPE_SCANNER (pbi_scanner_get_type ())

G_DECLARE_FINAL_TYPE (PbiScanner, pbi_scanner, PBI, SCANNER, GObject)

PbiScanner *pbi_scanner_new         (GFile                *root,
                                     const gchar * const  *extensions);
GFile      *pbi_scanner_get_root    (PbiScanner           *self);
void        pbi_scanner_scan_async  (PbiScanner           *self,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
GPtrArray  *pbi_scanner_scan_finish (PbiScanner           *self,
                                     GAsyncResult         *result,
                                     GError              **error);

G_END_DECLS
