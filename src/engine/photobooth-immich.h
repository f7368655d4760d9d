/* photobooth-immich.h: the public API of libphotobooth-immich, in one include
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pbi-engine.h"
#include "pbi-engine-enums.h"
#include "pbi-engine-event.h"
#include "pbi-album.h"
