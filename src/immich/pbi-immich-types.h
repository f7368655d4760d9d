/* pbi-immich-types.h: plain data the Immich client hands in and out
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PbiImmichApiFamily:
 * @PBI_IMMICH_API_UNKNOWN: not discovered yet
 * @PBI_IMMICH_API_V1: 1.90 – 1.105: /server-info, /user, /album, /asset/upload
 * @PBI_IMMICH_API_V2: 1.106 – 2.x: /server, /users, /albums, POST /assets with deviceAssetId
 * @PBI_IMMICH_API_V3: 3.x: as V2, without deviceAssetId/deviceId, numeric duration
 */
typedef enum
{
  PBI_IMMICH_API_UNKNOWN,
  PBI_IMMICH_API_V1,
  PBI_IMMICH_API_V2,
  PBI_IMMICH_API_V3,
} PbiImmichApiFamily;

PbiImmichApiFamily pbi_immich_api_family_for_version (guint major,
                                                      guint minor);

typedef struct
{
  guint major;
  guint minor;
  guint patch;
} PbiImmichVersion;

typedef struct
{
  gchar *id;
  gchar *email;
  gchar *name;
} PbiImmichUser;

typedef struct
{
  GStrv image;    /* extensions with the dot, lower case: ".jpg" */
  GStrv video;
  GStrv sidecar;
} PbiImmichMediaTypes;

/* Who may add photos to an album (album.service addAssets, per family):
 * the owner, and users it is shared with as "editor" (albumUsers roles,
 * 1.102+); before 1.102 every user in `sharedUsers` (no roles then: the
 * check was album read access). "viewer"s may only look. */
typedef struct
{
  gchar   *id;
  gchar   *name;
  gchar   *owner_id;      /* (nullable) */
  gchar   *owner_name;    /* (nullable) */
  guint    asset_count;
  gboolean shared;
  gchar   *owner_email;   /* (nullable) */
  gchar   *created_at;    /* (nullable) ISO 8601, as the server sent it */
  GStrv    editors;       /* (nullable) ids of users who may add, besides the owner */
  GStrv    viewers;       /* (nullable) ids of users who may only look */
} PbiImmichAlbum;

/**
 * PbiImmichAlbumAccess:
 * @PBI_IMMICH_ALBUM_ACCESS_NONE: the user is not a member (the album is not theirs to see)
 * @PBI_IMMICH_ALBUM_ACCESS_VIEWER: shared with the user read-only
 * @PBI_IMMICH_ALBUM_ACCESS_EDITOR: shared with the user, who may add photos
 * @PBI_IMMICH_ALBUM_ACCESS_OWNER: the user's own album
 */
typedef enum
{
  PBI_IMMICH_ALBUM_ACCESS_NONE,
  PBI_IMMICH_ALBUM_ACCESS_VIEWER,
  PBI_IMMICH_ALBUM_ACCESS_EDITOR,
  PBI_IMMICH_ALBUM_ACCESS_OWNER,
} PbiImmichAlbumAccess;

PbiImmichAlbumAccess pbi_immich_album_get_access (const PbiImmichAlbum *album,
                                                  const gchar          *user_id);

typedef struct
{
  gchar   *id;
  gboolean success;
  gchar   *error;         /* (nullable) "duplicate", "no_permission", "not_found", "unknown" */
} PbiImmichAlbumAddResult;

typedef struct
{
  gchar *id;              /* client-side id echoed back */
  gchar *checksum;        /* SHA1, 40 hex digits */
} PbiImmichCheckItem;

typedef struct
{
  gchar   *id;
  gboolean accepted;
  gchar   *reason;        /* (nullable) "duplicate", "unsupported-format" */
  gchar   *asset_id;      /* (nullable) the server's existing asset */
  gboolean is_trashed;
} PbiImmichCheckResult;

typedef struct
{
  gchar     *path;             /* file to send */
  gchar     *checksum;         /* (nullable) SHA1 hex, sent as x-immich-checksum */
  gchar     *filename;         /* (nullable) defaults to the path's basename */
  gchar     *device_asset_id;  /* (nullable) 1.x/2.x only; derived from name+size when NULL */
  gchar     *device_id;        /* (nullable) 1.x/2.x only; "photobooth-immich-sync" when NULL */
  GDateTime *file_created_at;  /* (nullable) defaults to the file's mtime */
  GDateTime *file_modified_at; /* (nullable) defaults to the file's mtime */
  gchar     *sidecar_path;     /* (nullable) an .xmp; found beside the file when NULL */
  gboolean   no_sidecar;       /* do not look for a sidecar */
} PbiImmichUpload;

typedef struct
{
  gchar   *id;
  gboolean duplicate;
} PbiImmichUploadResult;

typedef void (*PbiImmichProgressFunc) (goffset  sent,
                                       goffset  total,
                                       gpointer user_data);

#define PBI_TYPE_IMMICH_VERSION (pbi_immich_version_get_type ())
#define PBI_TYPE_IMMICH_USER (pbi_immich_user_get_type ())
#define PBI_TYPE_IMMICH_MEDIA_TYPES (pbi_immich_media_types_get_type ())
#define PBI_TYPE_IMMICH_ALBUM (pbi_immich_album_get_type ())
#define PBI_TYPE_IMMICH_UPLOAD (pbi_immich_upload_get_type ())
#define PBI_TYPE_IMMICH_UPLOAD_RESULT (pbi_immich_upload_result_get_type ())

GType                 pbi_immich_version_get_type        (void) G_GNUC_CONST;
GType                 pbi_immich_user_get_type           (void) G_GNUC_CONST;
GType                 pbi_immich_media_types_get_type    (void) G_GNUC_CONST;
GType                 pbi_immich_album_get_type          (void) G_GNUC_CONST;
GType                 pbi_immich_upload_get_type         (void) G_GNUC_CONST;
GType                 pbi_immich_upload_result_get_type  (void) G_GNUC_CONST;

PbiImmichVersion     *pbi_immich_version_copy            (const PbiImmichVersion *v);
void                  pbi_immich_version_free            (PbiImmichVersion       *v);
PbiImmichUser        *pbi_immich_user_copy               (const PbiImmichUser    *u);
void                  pbi_immich_user_free               (PbiImmichUser          *u);
PbiImmichMediaTypes  *pbi_immich_media_types_copy        (const PbiImmichMediaTypes *m);
void                  pbi_immich_media_types_free        (PbiImmichMediaTypes    *m);
gboolean              pbi_immich_media_types_accepts     (const PbiImmichMediaTypes *m,
                                                          const gchar            *filename);
PbiImmichAlbum       *pbi_immich_album_copy              (const PbiImmichAlbum   *a);
void                  pbi_immich_album_free              (PbiImmichAlbum         *a);
void                  pbi_immich_album_add_result_free   (PbiImmichAlbumAddResult *r);
PbiImmichCheckItem   *pbi_immich_check_item_new          (const gchar            *id,
                                                          const gchar            *checksum);
void                  pbi_immich_check_item_free         (PbiImmichCheckItem     *i);
void                  pbi_immich_check_result_free       (PbiImmichCheckResult   *r);
PbiImmichUpload      *pbi_immich_upload_new              (const gchar            *path);
PbiImmichUpload      *pbi_immich_upload_copy             (const PbiImmichUpload  *u);
void                  pbi_immich_upload_free             (PbiImmichUpload        *u);
PbiImmichUploadResult *pbi_immich_upload_result_copy     (const PbiImmichUploadResult *r);
void                  pbi_immich_upload_result_free      (PbiImmichUploadResult  *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiImmichVersion, pbi_immich_version_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiImmichUser, pbi_immich_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiImmichMediaTypes, pbi_immich_media_types_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiImmichAlbum, pbi_immich_album_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiImmichUpload, pbi_immich_upload_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiImmichUploadResult, pbi_immich_upload_result_free)

G_END_DECLS
