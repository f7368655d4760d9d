/* pbi-immich-types.c
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-immich-client.h"
#include "pbi-immich-types.h"

G_DEFINE_BOXED_TYPE (PbiImmichVersion, pbi_immich_version, pbi_immich_version_copy, pbi_immich_version_free)
G_DEFINE_BOXED_TYPE (PbiImmichUser, pbi_immich_user, pbi_immich_user_copy, pbi_immich_user_free)
G_DEFINE_BOXED_TYPE (PbiImmichMediaTypes, pbi_immich_media_types, pbi_immich_media_types_copy, pbi_immich_media_types_free)
G_DEFINE_BOXED_TYPE (PbiImmichAlbum, pbi_immich_album, pbi_immich_album_copy, pbi_immich_album_free)
G_DEFINE_BOXED_TYPE (PbiImmichUpload, pbi_immich_upload, pbi_immich_upload_copy, pbi_immich_upload_free)
G_DEFINE_BOXED_TYPE (PbiImmichUploadResult, pbi_immich_upload_result, pbi_immich_upload_result_copy, pbi_immich_upload_result_free)

/**
 * pbi_immich_api_family_for_version:
 * @major: the server's major version
 * @minor: the server's minor version
 *
 * Returns: the route family, or %PBI_IMMICH_API_UNKNOWN for a server older
 *   than %PBI_IMMICH_MIN_MAJOR.%PBI_IMMICH_MIN_MINOR
 */
PbiImmichApiFamily
pbi_immich_api_family_for_version (guint major,
                                   guint minor)
{
  if (major < PBI_IMMICH_MIN_MAJOR
      || (major == PBI_IMMICH_MIN_MAJOR && minor < PBI_IMMICH_MIN_MINOR))
    return PBI_IMMICH_API_UNKNOWN;
  if (major == 1 && minor < 106)
    return PBI_IMMICH_API_V1;
  if (major <= 2)
    return PBI_IMMICH_API_V2;
  return PBI_IMMICH_API_V3;
}

PbiImmichVersion *
pbi_immich_version_copy (const PbiImmichVersion *v)
{
  g_return_val_if_fail (v != NULL, NULL);
  return g_memdup2 (v, sizeof *v);
}

void
pbi_immich_version_free (PbiImmichVersion *v)
{
  g_free (v);
}

PbiImmichUser *
pbi_immich_user_copy (const PbiImmichUser *u)
{
  PbiImmichUser *copy;

  g_return_val_if_fail (u != NULL, NULL);
  copy = g_new0 (PbiImmichUser, 1);
  copy->id = g_strdup (u->id);
  copy->email = g_strdup (u->email);
  copy->name = g_strdup (u->name);
  return copy;
}

void
pbi_immich_user_free (PbiImmichUser *u)
{
  if (u == NULL)
    return;
  g_free (u->id);
  g_free (u->email);
  g_free (u->name);
  g_free (u);
}

PbiImmichMediaTypes *
pbi_immich_media_types_copy (const PbiImmichMediaTypes *m)
{
  PbiImmichMediaTypes *copy;

  g_return_val_if_fail (m != NULL, NULL);
  copy = g_new0 (PbiImmichMediaTypes, 1);
  copy->image = g_strdupv (m->image);
  copy->video = g_strdupv (m->video);
  copy->sidecar = g_strdupv (m->sidecar);
  return copy;
}

void
pbi_immich_media_types_free (PbiImmichMediaTypes *m)
{
  if (m == NULL)
    return;
  g_strfreev (m->image);
  g_strfreev (m->video);
  g_strfreev (m->sidecar);
  g_free (m);
}

/**
 * pbi_immich_media_types_accepts:
 * @m: media types from the server
 * @filename: a file name or path
 *
 * Returns: %TRUE when the file's extension (any case) is an image or video
 *   type the server takes
 */
gboolean
pbi_immich_media_types_accepts (const PbiImmichMediaTypes *m,
                                const gchar               *filename)
{
  const gchar *dot;
  g_autofree gchar *ext = NULL;

  g_return_val_if_fail (m != NULL, FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);

  dot = strrchr (filename, '.');
  if (dot == NULL || strchr (dot, '/') != NULL || dot[1] == '\0')
    return FALSE;
  ext = g_ascii_strdown (dot, -1);
  return (m->image != NULL && g_strv_contains ((const gchar * const *) m->image, ext))
         || (m->video != NULL && g_strv_contains ((const gchar * const *) m->video, ext));
}

PbiImmichAlbum *
pbi_immich_album_copy (const PbiImmichAlbum *a)
{
  PbiImmichAlbum *copy;

  g_return_val_if_fail (a != NULL, NULL);
  copy = g_new0 (PbiImmichAlbum, 1);
  copy->id = g_strdup (a->id);
  copy->name = g_strdup (a->name);
  copy->owner_id = g_strdup (a->owner_id);
  copy->owner_name = g_strdup (a->owner_name);
  copy->asset_count = a->asset_count;
  copy->shared = a->shared;
  copy->owner_email = g_strdup (a->owner_email);
  copy->created_at = g_strdup (a->created_at);
  copy->editors = g_strdupv (a->editors);
  copy->viewers = g_strdupv (a->viewers);
  return copy;
}

/**
 * pbi_immich_album_get_access:
 * @album: an album as listed
 * @user_id: (nullable): the key's user
 *
 * Returns: what that user may do with the album
 */
PbiImmichAlbumAccess
pbi_immich_album_get_access (const PbiImmichAlbum *album,
                             const gchar          *user_id)
{
  g_return_val_if_fail (album != NULL, PBI_IMMICH_ALBUM_ACCESS_NONE);

  if (user_id == NULL)
    return PBI_IMMICH_ALBUM_ACCESS_NONE;
  if (g_strcmp0 (album->owner_id, user_id) == 0)
    return PBI_IMMICH_ALBUM_ACCESS_OWNER;
  if (album->editors != NULL && g_strv_contains ((const gchar * const *) album->editors, user_id))
    return PBI_IMMICH_ALBUM_ACCESS_EDITOR;
  if (album->viewers != NULL && g_strv_contains ((const gchar * const *) album->viewers, user_id))
    return PBI_IMMICH_ALBUM_ACCESS_VIEWER;
  return PBI_IMMICH_ALBUM_ACCESS_NONE;
}

void
pbi_immich_album_free (PbiImmichAlbum *a)
{
  if (a == NULL)
    return;
  g_free (a->id);
  g_free (a->name);
  g_free (a->owner_id);
  g_free (a->owner_name);
  g_free (a->owner_email);
  g_free (a->created_at);
  g_strfreev (a->editors);
  g_strfreev (a->viewers);
  g_free (a);
}

void
pbi_immich_album_add_result_free (PbiImmichAlbumAddResult *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_free (r->error);
  g_free (r);
}

PbiImmichCheckItem *
pbi_immich_check_item_new (const gchar *id,
                           const gchar *checksum)
{
  PbiImmichCheckItem *item;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (checksum != NULL, NULL);
  item = g_new0 (PbiImmichCheckItem, 1);
  item->id = g_strdup (id);
  item->checksum = g_strdup (checksum);
  return item;
}

void
pbi_immich_check_item_free (PbiImmichCheckItem *i)
{
  if (i == NULL)
    return;
  g_free (i->id);
  g_free (i->checksum);
  g_free (i);
}

void
pbi_immich_check_result_free (PbiImmichCheckResult *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_free (r->reason);
  g_free (r->asset_id);
  g_free (r);
}

PbiImmichUpload *
pbi_immich_upload_new (const gchar *path)
{
  PbiImmichUpload *u;

  g_return_val_if_fail (path != NULL, NULL);
  u = g_new0 (PbiImmichUpload, 1);
  u->path = g_strdup (path);
  return u;
}

PbiImmichUpload *
pbi_immich_upload_copy (const PbiImmichUpload *u)
{
  PbiImmichUpload *copy;

  g_return_val_if_fail (u != NULL, NULL);
  copy = g_new0 (PbiImmichUpload, 1);
  copy->path = g_strdup (u->path);
  copy->checksum = g_strdup (u->checksum);
  copy->filename = g_strdup (u->filename);
  copy->device_asset_id = g_strdup (u->device_asset_id);
  copy->device_id = g_strdup (u->device_id);
  copy->file_created_at = u->file_created_at ? g_date_time_ref (u->file_created_at) : NULL;
  copy->file_modified_at = u->file_modified_at ? g_date_time_ref (u->file_modified_at) : NULL;
  copy->sidecar_path = g_strdup (u->sidecar_path);
  copy->no_sidecar = u->no_sidecar;
  return copy;
}

void
pbi_immich_upload_free (PbiImmichUpload *u)
{
  if (u == NULL)
    return;
  g_free (u->path);
  g_free (u->checksum);
  g_free (u->filename);
  g_free (u->device_asset_id);
  g_free (u->device_id);
  g_clear_pointer (&u->file_created_at, g_date_time_unref);
  g_clear_pointer (&u->file_modified_at, g_date_time_unref);
  g_free (u->sidecar_path);
  g_free (u);
}

PbiImmichUploadResult *
pbi_immich_upload_result_copy (const PbiImmichUploadResult *r)
{
  PbiImmichUploadResult *copy;

  g_return_val_if_fail (r != NULL, NULL);
  copy = g_new0 (PbiImmichUploadResult, 1);
  copy->id = g_strdup (r->id);
  copy->duplicate = r->duplicate;
  return copy;
}

void
pbi_immich_upload_result_free (PbiImmichUploadResult *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_free (r);
}
