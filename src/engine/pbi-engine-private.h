/* pbi-engine-private.h: engine API shared inside the project
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-engine.h"
#include "pbi-store.h"

G_BEGIN_DECLS

PbiStore *_pbi_engine_get_store            (PbiEngine *self);
gchar   **pbi_engine_dup_media_extensions  (PbiEngine *self);

G_END_DECLS
