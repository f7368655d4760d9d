/* pbi-immich-client-private.h: internals the tests reach
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-immich-client.h"

G_BEGIN_DECLS

GError *_pbi_immich_error_from_transport   (const GError *error,
                                            const gchar  *host,
                                            guint         port,
                                            guint         timeout_s);
gchar  *_pbi_immich_fingerprint_of_der     (const guint8 *der,
                                            gsize         len);
gint64  _pbi_immich_parse_retry_after      (const gchar  *value,
                                            GDateTime    *now);
gchar  *_pbi_immich_find_sidecar           (const gchar  *path);
gchar  *_pbi_immich_default_device_asset_id (const gchar *basename,
                                             goffset      size);

G_END_DECLS
