/* pbi-test-photo.h: the sample photo Test Upload sends (made off the main thread)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PBI_TEST_PHOTO_WIDTH  1200
#define PBI_TEST_PHOTO_HEIGHT 800

void   pbi_test_photo_create_async   (GDateTime            *when,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gchar *pbi_test_photo_create_finish  (GAsyncResult         *result,
                                      GError              **error);

G_END_DECLS
