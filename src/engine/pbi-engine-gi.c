/* pbi-engine-gi.c: introspection annotations of the engine's async calls
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not compiled: g-ir-scanner reads these comment blocks (this file is in the
 * gir sources, src/engine/meson.build) so that scripts may pass None for an
 * optional album, as they can to the blocking calls. Move a block beside its
 * function, and drop it here, when the function gets its own doc comment.
 */

/**
 * pbi_engine_sync_photo_async:
 * @self: a #PbiEngine
 * @path: (type filename): the photo
 * @album_name: (nullable): the album, or %NULL for the configured ones
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the photo is synced or has failed
 * @user_data: (closure): data for @callback
 *
 * Queues one photo and completes when it is synced or has failed; finish
 * with pbi_engine_sync_photo_finish().
 */

/**
 * pbi_engine_sync_photo_finish:
 * @self: a #PbiEngine
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what became of the photo
 */

/**
 * pbi_engine_sync_files_async:
 * @self: a #PbiEngine
 * @paths: (array zero-terminated=1) (element-type filename): the photos
 * @album_name: (nullable): the album, or %NULL for the configured ones
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when every photo is synced or has failed
 * @user_data: (closure): data for @callback
 *
 * Queues the photos and completes when each is synced or has failed; finish
 * with pbi_engine_sync_files_finish().
 */

/**
 * pbi_engine_sync_files_finish:
 * @self: a #PbiEngine
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the counts
 */

/**
 * pbi_engine_sync_folder_async:
 * @self: a #PbiEngine
 * @folder: (type filename): the folder (and its subfolders)
 * @album_name: (nullable): the album, or %NULL for the configured ones
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when every photo is synced or has failed
 * @user_data: (closure): data for @callback
 *
 * Queues every photo in @folder and completes when each is synced or has
 * failed; finish with pbi_engine_sync_folder_finish().
 */

/**
 * pbi_engine_sync_folder_finish:
 * @self: a #PbiEngine
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the counts
 */
