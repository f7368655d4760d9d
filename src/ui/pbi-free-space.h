/* pbi-free-space.h: the free-space rows of the status page, booth and server
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef enum
{
  PBI_FREE_SPACE_BOOTH,
  PBI_FREE_SPACE_SERVER,
} PbiFreeSpacePlace;

typedef enum
{
  PBI_FREE_SPACE_OK,
  PBI_FREE_SPACE_LOW,
  PBI_FREE_SPACE_CRITICAL,
} PbiFreeSpaceLevel;

PbiFreeSpaceLevel pbi_free_space_level        (guint64            free_bytes,
                                               guint64            size);
void              pbi_free_space_show         (AdwActionRow      *row,
                                               GtkImage          *icon,
                                               PbiFreeSpacePlace  place,
                                               guint64            free_bytes,
                                               guint64            size);
void              pbi_free_space_show_unknown (AdwActionRow      *row,
                                               GtkImage          *icon,
                                               PbiFreeSpacePlace  place,
                                               const gchar       *why);

G_END_DECLS
