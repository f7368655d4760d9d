/* pbi-fake-server-private.h: the fake Immich server's state and the helpers its parts share
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server is split by concern:
 *   pbi-fake-server.c   object, listener, thread, request dispatch, faults
 *   pbi-fake-model.c    state helpers, replies and validation issues
 *   pbi-fake-views.c    JSON views of users, albums, assets and the state
 *   pbi-fake-routes.c   /api routing, authentication, server/users/keys/auth routes
 *   pbi-fake-albums.c   album routes
 *   pbi-fake-assets.c   asset routes: upload, bulk check, trash, search, originals
 *   pbi-fake-links.c    shared-link routes
 *   pbi-fake-control.c  the /__fake control API and the public set-up functions
 * All state sits behind self->lock; every _locked function expects it held.
 */

#pragma once

#include <libsoup/soup.h>
#include <nettle/sha1.h>

#include "pbi-fake-multipart.h"
#include "pbi-fake-server.h"

G_BEGIN_DECLS

typedef enum
{
  FAMILY_V1,   /* 1.90 - 1.105: /server-info, /user, /album, /asset */
  FAMILY_V2,   /* 1.106 - 2.x: /server, /users, /albums, /assets */
  FAMILY_V3,   /* 3.x */
} Family;

typedef struct
{
  gchar *id;
  gchar *email;
  gchar *name;
  gchar *created_at;
} FakeUser;

typedef struct
{
  gchar  *key;
  gchar  *id;
  gchar  *name;
  gchar  *user_id;
  gchar  *created_at;
  GStrv   permissions;
} FakeKey;

typedef struct
{
  gchar *user_id;
  gchar *role;             /* "editor" or "viewer" */
} FakeMember;

typedef struct
{
  gchar      *id;
  gchar      *name;
  gchar      *owner_id;
  gchar      *created_at;
  gchar      *updated_at;
  gchar      *last_asset_at;  /* (nullable) when an asset was last added */
  GPtrArray  *members;        /* FakeMember (owned), in sharing order, owner excluded */
  GPtrArray  *assets;         /* asset ids in insertion order */
  GHashTable *asset_set;      /* asset id set */
} FakeAlbum;

typedef struct
{
  gchar   *id;
  gchar   *owner_id;
  gchar   *checksum;       /* hex SHA1 */
  gchar   *filename;
  gchar   *file_created_at;
  gchar   *file_modified_at;
  gchar   *created_at;
  gchar   *device_asset_id;
  gchar   *device_id;
  guint64  size;
  GBytes  *data;           /* (nullable) the original, kept when small */
  guint    trashed : 1;
} FakeAsset;

typedef struct
{
  gchar *id;
  gchar *key;
  gchar *user_id;
  gchar *type;             /* "ALBUM" or "INDIVIDUAL" */
  gchar *album_id;         /* (nullable) */
  gchar *description;      /* (nullable) */
  gchar *created_at;
  GPtrArray *asset_ids;    /* (owned) INDIVIDUAL links */
  gchar *password;         /* (nullable) as sent; the real server answers it back */
  gchar *expires_at;       /* (nullable) as sent */
  gboolean allow_download; /* default TRUE (SharedLinkCreateDto) */
  gboolean allow_upload;
  gboolean show_metadata;  /* default TRUE */
} FakeLink;

typedef struct
{
  guint    latency_ms;
  guint    refuse_connections;
  guint    error_5xx_count;
  guint    error_5xx_status;
  gint     retry_after;            /* seconds, -1 = no header */
  guint    drop_mid_body;
  guint64  max_body_bytes;         /* 0 = no limit */
  guint    stall_ms;
  guint    garbage_json;
  guint    html;
  guint    album_400;              /* album routes answer 400 "Not found or no … access" */
  gint64   clock_offset_s;         /* the Date header of API answers, moved this far */
} Faults;

/* Originals up to this size are kept for GET /assets/{id}/original. */
#define FAKE_KEEP_ORIGINAL_MAX (8 * 1024 * 1024)

struct _PbiFakeServer
{
  GObject          parent_instance;

  GMutex           lock;

  /* (constant after construction) */
  gchar           *version;
  guint            major;
  guint            minor;
  guint            patch;
  Family           family;

  /* State, under lock */
  GHashTable      *users;          /* id -> FakeUser (owned) */
  GPtrArray       *user_order;     /* FakeUser (borrowed); the first one is the admin */
  GHashTable      *keys;           /* key -> FakeKey (owned) */
  GPtrArray       *key_order;      /* FakeKey (borrowed) */
  GHashTable      *albums;         /* id -> FakeAlbum (owned) */
  GPtrArray       *album_order;    /* FakeAlbum (borrowed) */
  GHashTable      *assets;         /* id -> FakeAsset (owned) */
  GHashTable      *by_checksum;    /* "owner/hex" -> FakeAsset (borrowed) */
  GPtrArray       *asset_order;    /* FakeAsset (borrowed) */
  GPtrArray       *links;          /* FakeLink (owned) */
  GHashTable      *route_counts;   /* "METHOD /api/route/{id}" -> count */
  gchar           *external_domain;
  guint64          disk_size;
  gint64           disk_available; /* -1 = disk_size minus the stored bytes */
  guint64          bytes;
  guint            uploads;
  guint            rejected;
  guint            requests;
  guint            connections;   /* TCP connections accepted (keep-alive shows here) */
  Faults           faults;

  /* Originals up to this size are kept (set before start) */
  guint64          keep_original_max;

  /* TLS, set before start */
  GTlsCertificate *tls_cert;       /* (owned) (nullable) */

  /* Server thread */
  GThread         *thread;         /* (owned) (nullable) */
  GMainContext    *context;        /* (owned) (nullable) */
  GMainLoop       *loop;           /* (owned) (nullable) */
  SoupServer      *soup;           /* (owned) (nullable) server thread only */
  GSource         *down_source;    /* (owned) (nullable) server thread only */
  GSource         *sweep_source;   /* (owned) (nullable) server thread only */
  GHashTable      *sockets;        /* GSocket (owned) set, server thread only */
  guint            port;
  gchar           *base_url;
  GError          *start_error;
  GCond            start_cond;
  guint            start_done : 1;
  guint            running : 1;
};

/* ---- requests ---- */

typedef struct
{
  gchar      *name;         /* current part's name (owned) */
  gboolean    is_asset;
  gboolean    is_field;
  GString    *field;        /* (owned) current field value */
  GHashTable *fields;       /* name -> value */
  struct sha1_ctx *sha1;    /* (owned) while assetData streams; nettle, as fast as the
                             * client's, so the fake is not the bottleneck of a benchmark */
  GByteArray *data;         /* (owned) (nullable) assetData's bytes while small */
  guint64     keep_max;     /* keep_original_max when assetData began */
  gchar      *checksum;     /* hex after assetData ended */
  gchar      *filename;     /* assetData's filename */
  guint64     asset_size;
  guint       asset_parts;
  gboolean    has_sidecar;
} UploadParts;

/* Per-request data attached to a SoupServerMessage. */
typedef struct
{
  PbiFakeServer    *self;        /* (unowned) */
  PbiFakeMultipart *parser;      /* (owned) (nullable) */
  UploadParts       parts;
  goffset           content_length;
  guint64           received;
  gboolean          is_upload;
  gboolean          parse_error;
  gboolean          drop;
  gboolean          dropped;
  gboolean          too_large;   /* over max_body_bytes: 413 on the headers */
} RequestCtx;

/* ---- replies ---- */

typedef struct
{
  guint        status;
  gchar       *body;          /* (owned) */
  gsize        body_len;      /* 0 = strlen (body) */
  const gchar *content_type;
  gchar       *cid;           /* (owned) (nullable) correlation id */
  gboolean     close;
} Reply;

/* Path segment i of n is s */
#define SEG_IS_AT(seg, n, i, s) ((n) > (i) && g_strcmp0 ((seg)[i], (s)) == 0)

/* A route's permission from 1.116; before, @Authenticated() = "all" */
#define PERM(p) (_pbi_fake_has_permissions (self) ? (p) : "all")

#define JSON_TYPE "application/json; charset=utf-8"
#define HTML_TYPE "text/html; charset=utf-8"

/* Validation failures collected in both the 3.x (zod) and the 1.x/2.x
 * (class-validator) forms; the family decides which one is sent. */
typedef struct
{
  JsonArray *zod;       /* (owned) */
  GPtrArray *messages;  /* (owned) class-validator strings */
} Issues;

/* pbi-fake-model.c */
gchar     *_pbi_fake_now_iso             (void);
gchar     *_pbi_fake_random_cid          (void);
gboolean   _pbi_fake_has_permissions     (PbiFakeServer *self);
gboolean   _pbi_fake_version_at_least    (PbiFakeServer *self,
                                          guint          major,
                                          guint          minor);
void       _pbi_fake_user_free           (FakeUser      *u);
void       _pbi_fake_key_free            (FakeKey       *k);
void       _pbi_fake_album_free          (FakeAlbum     *a);
void       _pbi_fake_asset_free          (FakeAsset     *a);
void       _pbi_fake_link_free           (FakeLink      *l);
FakeUser  *_pbi_fake_add_user_locked     (PbiFakeServer *self,
                                          const gchar   *email,
                                          const gchar   *name);
FakeUser  *_pbi_fake_first_user_locked   (PbiFakeServer *self);
FakeUser  *_pbi_fake_find_user_locked    (PbiFakeServer *self,
                                          const gchar   *id_or_email);
FakeKey   *_pbi_fake_add_key_locked      (PbiFakeServer *self,
                                          FakeUser      *user,
                                          const gchar   *key,
                                          const gchar   *name,
                                          const gchar * const *permissions);
FakeAlbum *_pbi_fake_add_album_locked    (PbiFakeServer *self,
                                          const gchar   *owner_id,
                                          const gchar   *name);
void       _pbi_fake_remove_album_locked (PbiFakeServer *self,
                                          FakeAlbum     *album);
const gchar *_pbi_fake_album_role        (FakeAlbum     *album,
                                          const gchar   *user_id);
void       _pbi_fake_album_set_member    (FakeAlbum     *album,
                                          const gchar   *user_id,
                                          const gchar   *role);
gboolean   _pbi_fake_album_remove_member (FakeAlbum     *album,
                                          const gchar   *user_id);
void       _pbi_fake_album_add_asset     (FakeAlbum     *album,
                                          const gchar   *asset_id);
gboolean   _pbi_fake_album_remove_asset  (FakeAlbum     *album,
                                          const gchar   *asset_id);
gboolean   _pbi_fake_album_can_write     (FakeAlbum     *album,
                                          const gchar   *user_id);
gboolean   _pbi_fake_album_can_read      (FakeAlbum     *album,
                                          const gchar   *user_id);
gboolean   _pbi_fake_album_has_link      (PbiFakeServer *self,
                                          FakeAlbum     *album);
gboolean   _pbi_fake_album_is_shared     (PbiFakeServer *self,
                                          FakeAlbum     *album);
FakeAsset *_pbi_fake_find_asset_by_checksum (PbiFakeServer *self,
                                             const gchar   *owner_id,
                                             const gchar   *hex);
gchar     *_pbi_fake_checksum_to_hex     (const gchar   *checksum);
FakeAsset *_pbi_fake_add_asset_locked    (PbiFakeServer *self,
                                          const gchar   *owner_id,
                                          const gchar   *checksum_hex,
                                          guint64        size,
                                          const gchar   *filename,
                                          const gchar   *file_created_at);
void       _pbi_fake_remove_asset_locked (PbiFakeServer *self,
                                          FakeAsset     *asset);
void       _pbi_fake_faults_clear        (Faults        *f);
void       _pbi_fake_reply_clear         (Reply         *r);
void       _pbi_fake_reply_node          (Reply         *r,
                                          guint          status,
                                          JsonNode      *node);
void       _pbi_fake_reply_builder       (Reply         *r,
                                          guint          status,
                                          JsonBuilder   *b);
void       _pbi_fake_reply_text          (Reply         *r,
                                          guint          status,
                                          const gchar   *content_type,
                                          const gchar   *text);
void       _pbi_fake_reply_empty         (Reply         *r,
                                          guint          status);
void       _pbi_fake_reply_error_node    (PbiFakeServer *self,
                                          Reply         *r,
                                          guint          status,
                                          JsonNode      *message_node);
void       _pbi_fake_reply_error         (PbiFakeServer *self,
                                          Reply         *r,
                                          guint          status,
                                          const gchar   *message);
void       _pbi_fake_issues_init         (Issues        *iss);
void       _pbi_fake_issues_clear        (Issues        *iss);
gboolean   _pbi_fake_issues_empty        (Issues        *iss);
void       _pbi_fake_issue_zod           (Issues        *iss,
                                          const gchar   *code,
                                          const gchar   *field,
                                          gint           index,
                                          const gchar   *expected,
                                          const gchar   *message);
void       _pbi_fake_issue_uuid          (Issues        *iss,
                                          const gchar   *field,
                                          gint           index);
void       _pbi_fake_issue_missing       (Issues        *iss,
                                          const gchar   *field,
                                          const gchar   *expected,
                                          const gchar   *received);
void       _pbi_fake_issue_msg           (Issues        *iss,
                                          const gchar   *message);
void       _pbi_fake_reply_issues        (PbiFakeServer *self,
                                          Reply         *r,
                                          Issues        *iss);

/* pbi-fake-views.c */
void       _pbi_fake_build_user          (JsonBuilder   *b,
                                          FakeUser      *u);
void       _pbi_fake_build_user_admin    (PbiFakeServer *self,
                                          JsonBuilder   *b,
                                          FakeUser      *u);
void       _pbi_fake_build_album         (PbiFakeServer *self,
                                          JsonBuilder   *b,
                                          FakeAlbum     *a,
                                          gboolean       with_assets);
void       _pbi_fake_build_asset         (PbiFakeServer *self,
                                          JsonBuilder   *b,
                                          FakeAsset     *a);
JsonNode  *_pbi_fake_build_state_locked  (PbiFakeServer *self);

/* pbi-fake-routes.c */
FakeUser  *_pbi_fake_authenticate        (PbiFakeServer     *self,
                                          SoupServerMessage *msg,
                                          GHashTable        *query,
                                          const gchar       *permission,
                                          FakeKey          **key_out,
                                          Reply             *r);
JsonNode  *_pbi_fake_parse_body          (PbiFakeServer     *self,
                                          SoupServerMessage *msg,
                                          Reply             *r);
gboolean   _pbi_fake_node_is_string      (JsonNode          *node);
const gchar *_pbi_fake_received_type     (JsonNode          *node);
JsonArray *_pbi_fake_check_uuid_array    (PbiFakeServer     *self,
                                          JsonObject        *obj,
                                          const gchar       *member,
                                          Issues            *iss);
gboolean   _pbi_fake_check_uuid_param    (PbiFakeServer     *self,
                                          const gchar       *id,
                                          Reply             *r);
void       _pbi_fake_route_not_found     (PbiFakeServer     *self,
                                          SoupServerMessage *msg,
                                          Reply             *r);
void       _pbi_fake_count_route_locked  (PbiFakeServer     *self,
                                          const gchar       *method,
                                          const gchar       *path);
void       _pbi_fake_route_api           (PbiFakeServer     *self,
                                          SoupServerMessage *msg,
                                          const gchar       *path,
                                          GHashTable        *query,
                                          RequestCtx        *ctx,
                                          Reply             *r);
gboolean   _pbi_fake_is_asset_filename   (PbiFakeServer     *self,
                                          const gchar       *filename);

/* pbi-fake-albums.c: return TRUE when they answered */
gboolean   _pbi_fake_route_albums        (PbiFakeServer     *self,
                                          SoupServerMessage *msg,
                                          GHashTable        *query,
                                          const gchar       *method,
                                          gchar            **seg,
                                          guint              n,
                                          Reply             *r);

/* pbi-fake-assets.c */
gboolean   _pbi_fake_route_assets        (PbiFakeServer     *self,
                                          SoupServerMessage *msg,
                                          GHashTable        *query,
                                          const gchar       *method,
                                          gchar            **seg,
                                          guint              n,
                                          RequestCtx        *ctx,
                                          Reply             *r);

/* pbi-fake-links.c */
gboolean   _pbi_fake_route_links         (PbiFakeServer     *self,
                                          SoupServerMessage *msg,
                                          GHashTable        *query,
                                          const gchar       *method,
                                          gchar            **seg,
                                          guint              n,
                                          Reply             *r);
void       _pbi_fake_build_link          (PbiFakeServer     *self,
                                          JsonBuilder       *b,
                                          FakeLink          *l,
                                          gboolean           with_album);
FakeLink  *_pbi_fake_add_link_locked     (PbiFakeServer     *self,
                                          const gchar       *user_id,
                                          const gchar       *type,
                                          const gchar       *album_id);

/* pbi-fake-control.c */
void       _pbi_fake_route_control       (PbiFakeServer     *self,
                                          SoupServerMessage *msg,
                                          const gchar       *path,
                                          Reply             *r);
gboolean   _pbi_fake_set_faults_locked   (PbiFakeServer     *self,
                                          JsonNode          *root,
                                          GError           **error);

/* pbi-fake-server.c */
void       _pbi_fake_go_down_later       (PbiFakeServer     *self,
                                          guint              ms);

G_END_DECLS
