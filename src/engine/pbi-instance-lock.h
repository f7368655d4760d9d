/* pbi-instance-lock.h: one sync engine per database (an flock'ed DB.lock file)
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PbiInstanceLock PbiInstanceLock;

PbiInstanceLock *pbi_instance_lock_acquire     (const gchar      *database_path,
                                                const gchar      *program,
                                                GError          **error);
void             pbi_instance_lock_release     (PbiInstanceLock  *lock);
gchar           *pbi_instance_lock_dup_holder  (const gchar      *database_path,
                                                GPid             *pid);
gchar           *pbi_instance_lock_get_path    (const gchar      *database_path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiInstanceLock, pbi_instance_lock_release)

G_END_DECLS
