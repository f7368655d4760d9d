/* pbi-fake-server.c: a stateful fake Immich server on SoupServer, for tests
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules follow the real server (immich-app/immich server/src: the
 * controllers' @Authenticated permissions, the DTO validation, the global
 * exception filter) and /work/shared/immich/VERSIONS.md. Where the fake
 * goes further than the real server (it verifies x-immich-checksum against
 * the received bytes) the README says so.
 *
 * Threading: the SoupServer, its listener and every connection live in a
 * thread of their own, with their own GMainContext. All state sits behind
 * one mutex; public functions take it and may be called from any thread.
 */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <libsoup/soup.h>
#include <nettle/base16.h>
#include <nettle/sha1.h>

#include "pbi-fake-multipart.h"
#include "pbi-fake-server.h"

/* ------------------------------------------------------------------ */
/* Model                                                               */

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
  gchar  *user_id;
  gchar  *created_at;
  GStrv   permissions;
} FakeKey;

typedef struct
{
  gchar      *id;
  gchar      *name;
  gchar      *owner_id;
  gchar      *created_at;
  gchar      *updated_at;
  GHashTable *users;       /* user id -> role ("editor"/"viewer"), owner excluded */
  GPtrArray  *assets;      /* asset ids in insertion order */
  GHashTable *asset_set;   /* asset id set */
} FakeAlbum;

typedef struct
{
  gchar   *id;
  gchar   *owner_id;
  gchar   *checksum;       /* hex SHA1 */
  gchar   *filename;
  gchar   *file_created_at;
  gchar   *device_asset_id;
  guint64  size;
  guint    trashed : 1;
} FakeAsset;

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
} Faults;

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
  GPtrArray       *user_order;     /* FakeUser (borrowed) */
  GHashTable      *keys;           /* key -> FakeKey (owned) */
  GHashTable      *albums;         /* id -> FakeAlbum (owned) */
  GPtrArray       *album_order;    /* FakeAlbum (borrowed) */
  GHashTable      *assets;         /* id -> FakeAsset (owned) */
  GHashTable      *by_checksum;    /* "owner/hex" -> FakeAsset (borrowed) */
  GPtrArray       *asset_order;    /* FakeAsset (borrowed) */
  guint64          bytes;
  guint            uploads;
  guint            rejected;
  guint            requests;
  guint            connections;   /* TCP connections accepted (keep-alive shows here) */
  Faults           faults;

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

G_DEFINE_FINAL_TYPE (PbiFakeServer, pbi_fake_server, G_TYPE_OBJECT)

static void
fake_user_free (FakeUser *u)
{
  g_free (u->id);
  g_free (u->email);
  g_free (u->name);
  g_free (u->created_at);
  g_free (u);
}

static void
fake_key_free (FakeKey *k)
{
  g_free (k->key);
  g_free (k->id);
  g_free (k->user_id);
  g_free (k->created_at);
  g_strfreev (k->permissions);
  g_free (k);
}

static void
fake_album_free (FakeAlbum *a)
{
  g_free (a->id);
  g_free (a->name);
  g_free (a->owner_id);
  g_free (a->created_at);
  g_free (a->updated_at);
  g_hash_table_unref (a->users);
  g_ptr_array_unref (a->assets);
  g_hash_table_unref (a->asset_set);
  g_free (a);
}

static void
fake_asset_free (FakeAsset *a)
{
  g_free (a->id);
  g_free (a->owner_id);
  g_free (a->checksum);
  g_free (a->filename);
  g_free (a->file_created_at);
  g_free (a->device_asset_id);
  g_free (a);
}

static gchar *
now_iso (void)
{
  g_autoptr(GDateTime) dt = g_date_time_new_now_utc ();
  g_autofree gchar *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", base, g_date_time_get_microsecond (dt) / 1000);
}

static gchar *
random_cid (void)
{
  static const gchar alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  gchar buf[9];

  for (guint i = 0; i < 8; i++)
    buf[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  buf[8] = '\0';
  return g_strdup (buf);
}

static gboolean
has_permissions (PbiFakeServer *self)
{
  return self->major >= 2 || (self->major == 1 && self->minor >= 116);
}

static gboolean
version_at_least (PbiFakeServer *self,
                  guint          major,
                  guint          minor)
{
  return self->major > major || (self->major == major && self->minor >= minor);
}

static void
pbi_fake_server_finalize (GObject *object)
{
  PbiFakeServer *self = PBI_FAKE_SERVER (object);

  pbi_fake_server_stop (self);

  g_free (self->version);
  g_ptr_array_unref (self->user_order);
  g_ptr_array_unref (self->album_order);
  g_ptr_array_unref (self->asset_order);
  g_hash_table_unref (self->by_checksum);
  g_hash_table_unref (self->users);
  g_hash_table_unref (self->keys);
  g_hash_table_unref (self->albums);
  g_hash_table_unref (self->assets);
  g_hash_table_unref (self->sockets);
  g_clear_object (&self->tls_cert);
  g_free (self->base_url);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->start_cond);

  G_OBJECT_CLASS (pbi_fake_server_parent_class)->finalize (object);
}

static void
pbi_fake_server_class_init (PbiFakeServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pbi_fake_server_finalize;
}

static void
faults_clear (Faults *f)
{
  memset (f, 0, sizeof *f);
  f->retry_after = -1;
  f->error_5xx_status = 503;
}

static void
pbi_fake_server_init (PbiFakeServer *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->start_cond);
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) fake_user_free);
  self->user_order = g_ptr_array_new ();
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) fake_key_free);
  self->albums = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) fake_album_free);
  self->album_order = g_ptr_array_new ();
  self->assets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) fake_asset_free);
  self->by_checksum = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->asset_order = g_ptr_array_new ();
  self->sockets = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  faults_clear (&self->faults);
}

/**
 * pbi_fake_server_new:
 * @api_version: "MAJOR.MINOR.PATCH"
 *
 * Returns: (transfer full): a stopped fake server speaking @api_version.
 */
PbiFakeServer *
pbi_fake_server_new (const gchar *api_version)
{
  PbiFakeServer *self;
  guint64 v[3] = { 0, 0, 0 };
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (api_version != NULL, NULL);

  parts = g_strsplit (api_version[0] == 'v' ? api_version + 1 : api_version, ".", 3);
  for (guint i = 0; i < 3 && parts[i] != NULL; i++)
    v[i] = g_ascii_strtoull (parts[i], NULL, 10);

  self = g_object_new (PBI_TYPE_FAKE_SERVER, NULL);
  self->version = g_strdup_printf ("%u.%u.%u", (guint) v[0], (guint) v[1], (guint) v[2]);
  self->major = v[0];
  self->minor = v[1];
  self->patch = v[2];
  if (self->major >= 3)
    self->family = FAMILY_V3;
  else if (self->major == 2 || self->minor >= 106)
    self->family = FAMILY_V2;
  else
    self->family = FAMILY_V1;
  return self;
}

/* ------------------------------------------------------------------ */
/* State helpers (lock held)                                           */

static FakeUser *
add_user_locked (PbiFakeServer *self,
                 const gchar   *email,
                 const gchar   *name)
{
  FakeUser *u = g_new0 (FakeUser, 1);

  u->id = g_uuid_string_random ();
  u->email = g_strdup (email);
  u->name = g_strdup (name);
  u->created_at = now_iso ();
  g_hash_table_insert (self->users, u->id, u);
  g_ptr_array_add (self->user_order, u);
  return u;
}

static FakeUser *
first_user_locked (PbiFakeServer *self)
{
  if (self->user_order->len == 0)
    return add_user_locked (self, "photobooth@example.com", "Photobooth");
  return g_ptr_array_index (self->user_order, 0);
}

static FakeAlbum *
add_album_locked (PbiFakeServer *self,
                  const gchar   *owner_id,
                  const gchar   *name)
{
  FakeAlbum *a = g_new0 (FakeAlbum, 1);

  a->id = g_uuid_string_random ();
  a->name = g_strdup (name);
  a->owner_id = g_strdup (owner_id);
  a->created_at = now_iso ();
  a->updated_at = g_strdup (a->created_at);
  a->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  a->assets = g_ptr_array_new_with_free_func (g_free);
  a->asset_set = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (self->albums, a->id, a);
  g_ptr_array_add (self->album_order, a);
  return a;
}

static void
album_add_asset (FakeAlbum   *album,
                 const gchar *asset_id)
{
  gchar *copy = g_strdup (asset_id);

  g_ptr_array_add (album->assets, copy);
  g_hash_table_add (album->asset_set, copy);
  g_free (album->updated_at);
  album->updated_at = now_iso ();
}

static gchar *
checksum_key (const gchar *owner_id,
              const gchar *hex)
{
  return g_strconcat (owner_id, "/", hex, NULL);
}

static FakeAsset *
find_asset_by_checksum (PbiFakeServer *self,
                        const gchar   *owner_id,
                        const gchar   *hex)
{
  g_autofree gchar *key = checksum_key (owner_id, hex);

  return g_hash_table_lookup (self->by_checksum, key);
}

/* What the real server's fromChecksum() does: 28 characters are base64,
 * anything else hex. Returns lowercase hex or NULL when undecodable. */
static gchar *
checksum_to_hex (const gchar *checksum)
{
  gsize len = strlen (checksum);
  GString *hex;

  if (len == 28)
    {
      g_autofree guchar *raw = NULL;
      gsize raw_len = 0;

      for (gsize i = 0; i < len; i++)
        {
          if (!g_ascii_isalnum (checksum[i]) && checksum[i] != '+' && checksum[i] != '/'
              && checksum[i] != '=')
            return NULL;
        }
      raw = g_base64_decode (checksum, &raw_len);
      hex = g_string_new (NULL);
      for (gsize i = 0; i < raw_len; i++)
        g_string_append_printf (hex, "%02x", raw[i]);
      return g_string_free (hex, FALSE);
    }

  hex = g_string_new (NULL);
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isxdigit (checksum[i]))
        break;
      g_string_append_c (hex, g_ascii_tolower (checksum[i]));
    }
  if (hex->len % 2 == 1)
    g_string_truncate (hex, hex->len - 1);
  if (hex->len == 0)
    {
      g_string_free (hex, TRUE);
      return NULL;
    }
  return g_string_free (hex, FALSE);
}

static FakeAsset *
add_asset_locked (PbiFakeServer *self,
                  const gchar   *owner_id,
                  const gchar   *checksum_hex,
                  guint64        size,
                  const gchar   *filename,
                  const gchar   *file_created_at)
{
  FakeAsset *asset = g_new0 (FakeAsset, 1);

  asset->id = g_uuid_string_random ();
  asset->owner_id = g_strdup (owner_id);
  asset->checksum = g_ascii_strdown (checksum_hex, -1);
  asset->filename = g_strdup (filename);
  asset->file_created_at = g_strdup (file_created_at);
  asset->size = size;
  g_hash_table_insert (self->assets, asset->id, asset);
  g_hash_table_insert (self->by_checksum, checksum_key (owner_id, asset->checksum), asset);
  g_ptr_array_add (self->asset_order, asset);
  self->bytes += asset->size;
  return asset;
}

static gboolean
album_can_write (FakeAlbum   *album,
                 const gchar *user_id)
{
  const gchar *role;

  if (g_strcmp0 (album->owner_id, user_id) == 0)
    return TRUE;
  role = g_hash_table_lookup (album->users, user_id);
  return g_strcmp0 (role, "editor") == 0;
}

static gboolean
album_can_read (FakeAlbum   *album,
                const gchar *user_id)
{
  return g_strcmp0 (album->owner_id, user_id) == 0
         || g_hash_table_contains (album->users, user_id);
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */

typedef struct
{
  guint        status;
  gchar       *body;          /* (owned) */
  const gchar *content_type;
  gchar       *cid;           /* (owned) (nullable) correlation id */
  gboolean     close;
} Reply;

static void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->body, g_free);
  g_clear_pointer (&r->cid, g_free);
}

#define JSON_TYPE "application/json; charset=utf-8"
#define HTML_TYPE "text/html; charset=utf-8"

static void
reply_node (Reply    *r,
            guint     status,
            JsonNode *node)
{
  g_free (r->body);
  r->status = status;
  r->body = json_to_string (node, FALSE);
  r->content_type = JSON_TYPE;
}

static void
reply_builder (Reply       *r,
               guint        status,
               JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  reply_node (r, status, node);
}

static void
reply_html (Reply       *r,
            guint        status,
            const gchar *html)
{
  g_free (r->body);
  r->status = status;
  r->body = g_strdup (html);
  r->content_type = HTML_TYPE;
}

/* Error body per family. message_node is a string or (1.x/2.x validation)
 * an array of strings. 3.x: {"message"} only, the correlation id goes in
 * a header (global-exception.filter.ts); older: NestJS' default body plus
 * correlationId. */
static void
reply_error_node (PbiFakeServer *self,
                  Reply         *r,
                  guint          status,
                  JsonNode      *message_node)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_free (r->cid);
  r->cid = random_cid ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_value (b, json_node_copy (message_node));
  if (self->family != FAMILY_V3)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, soup_status_get_phrase (status));
      json_builder_set_member_name (b, "statusCode");
      json_builder_add_int_value (b, status);
      json_builder_set_member_name (b, "correlationId");
      json_builder_add_string_value (b, r->cid);
    }
  json_builder_end_object (b);
  reply_builder (r, status, b);
}

static void
reply_error (PbiFakeServer *self,
             Reply         *r,
             guint          status,
             const gchar   *message)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), message);

  reply_error_node (self, r, status, node);
}

/* Validation failures collected in both the 3.x (zod) and the 1.x/2.x
 * (class-validator) forms; the family decides which one is sent. */
typedef struct
{
  JsonArray *zod;       /* (owned) */
  GPtrArray *messages;  /* (owned) class-validator strings */
} Issues;

static void
issues_init (Issues *iss)
{
  iss->zod = json_array_new ();
  iss->messages = g_ptr_array_new_with_free_func (g_free);
}

static void
issues_clear (Issues *iss)
{
  g_clear_pointer (&iss->zod, json_array_unref);
  g_clear_pointer (&iss->messages, g_ptr_array_unref);
}

static gboolean
issues_empty (Issues *iss)
{
  return json_array_get_length (iss->zod) == 0 && iss->messages->len == 0;
}

/* A zod issue. index >= 0 adds a second path element. */
static void
issue_zod (Issues      *iss,
           const gchar *code,
           const gchar *field,
           gint         index,
           const gchar *expected,
           const gchar *message)
{
  JsonObject *o = json_object_new ();
  JsonArray *path = json_array_new ();

  if (expected != NULL)
    json_object_set_string_member (o, "expected", expected);
  json_object_set_string_member (o, "code", code);
  if (g_strcmp0 (code, "invalid_format") == 0)
    {
      json_object_set_string_member (o, "origin", "string");
      json_object_set_string_member (o, "format",
                                     g_strcmp0 (expected, "uuid") == 0 ? "uuid" : "datetime");
      json_object_remove_member (o, "expected");
    }
  json_array_add_string_element (path, field);
  if (index >= 0)
    json_array_add_int_element (path, index);
  json_object_set_array_member (o, "path", path);
  json_object_set_string_member (o, "message", message);
  json_array_add_object_element (iss->zod, o);
}

static void
issue_missing (Issues      *iss,
               const gchar *field,
               const gchar *expected,
               const gchar *received)
{
  g_autofree gchar *msg = g_strdup_printf ("Invalid input: expected %s, received %s",
                                           expected, received);

  issue_zod (iss, "invalid_type", field, -1, expected, msg);
}

static void
issue_msg (Issues      *iss,
           const gchar *message)
{
  g_ptr_array_add (iss->messages, g_strdup (message));
}

static void
reply_issues (PbiFakeServer *self,
              Reply         *r,
              Issues        *iss)
{
  if (self->family == FAMILY_V3)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      g_free (r->cid);
      r->cid = random_cid ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, "Validation failed");
      json_builder_set_member_name (b, "errors");
      json_builder_add_value (b, json_node_init_array (json_node_alloc (), iss->zod));
      json_builder_end_object (b);
      reply_builder (r, 400, b);
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      JsonArray *arr = json_array_new ();

      for (guint i = 0; i < iss->messages->len; i++)
        json_array_add_string_element (arr, g_ptr_array_index (iss->messages, i));
      json_node_take_array (node, arr);
      reply_error_node (self, r, 400, node);
    }
}

/* ------------------------------------------------------------------ */
/* JSON views                                                          */

static void
build_user (JsonBuilder *b,
            FakeUser    *u)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, u->id);
  json_builder_set_member_name (b, "email");
  json_builder_add_string_value (b, u->email);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, u->name);
  json_builder_set_member_name (b, "profileImagePath");
  json_builder_add_string_value (b, "");
  json_builder_set_member_name (b, "avatarColor");
  json_builder_add_string_value (b, "primary");
  json_builder_set_member_name (b, "profileChangedAt");
  json_builder_add_string_value (b, u->created_at);
  json_builder_end_object (b);
}

static void
build_user_admin (PbiFakeServer *self,
                  JsonBuilder   *b,
                  FakeUser      *u)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, u->id);
  json_builder_set_member_name (b, "email");
  json_builder_add_string_value (b, u->email);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, u->name);
  json_builder_set_member_name (b, "profileImagePath");
  json_builder_add_string_value (b, "");
  json_builder_set_member_name (b, "avatarColor");
  json_builder_add_string_value (b, "primary");
  json_builder_set_member_name (b, "profileChangedAt");
  json_builder_add_string_value (b, u->created_at);
  json_builder_set_member_name (b, "storageLabel");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "shouldChangePassword");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "isAdmin");
  json_builder_add_boolean_value (b, u == g_ptr_array_index (self->user_order, 0));
  json_builder_set_member_name (b, "createdAt");
  json_builder_add_string_value (b, u->created_at);
  json_builder_set_member_name (b, "updatedAt");
  json_builder_add_string_value (b, u->created_at);
  json_builder_set_member_name (b, "deletedAt");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "oauthId");
  json_builder_add_string_value (b, "");
  json_builder_set_member_name (b, "quotaSizeInBytes");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "quotaUsageInBytes");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "active");
  json_builder_end_object (b);
}

static void
build_album (PbiFakeServer *self,
             JsonBuilder   *b,
             FakeAlbum     *a)
{
  FakeUser *owner = g_hash_table_lookup (self->users, a->owner_id);
  gboolean shared = g_hash_table_size (a->users) > 0;
  GHashTableIter iter;
  gpointer key, value;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, a->id);
  json_builder_set_member_name (b, "albumName");
  json_builder_add_string_value (b, a->name);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "");
  json_builder_set_member_name (b, "albumThumbnailAssetId");
  if (a->assets->len > 0)
    json_builder_add_string_value (b, g_ptr_array_index (a->assets, 0));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "createdAt");
  json_builder_add_string_value (b, a->created_at);
  json_builder_set_member_name (b, "updatedAt");
  json_builder_add_string_value (b, a->updated_at);
  if (self->family != FAMILY_V3 && owner != NULL)
    {
      json_builder_set_member_name (b, "ownerId");
      json_builder_add_string_value (b, a->owner_id);
      json_builder_set_member_name (b, "owner");
      build_user (b, owner);
    }
  if (self->family == FAMILY_V1 && !version_at_least (self, 1, 102))
    {
      json_builder_set_member_name (b, "sharedUsers");
      json_builder_begin_array (b);
      g_hash_table_iter_init (&iter, a->users);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          FakeUser *u = g_hash_table_lookup (self->users, key);

          if (u != NULL)
            build_user (b, u);
        }
      json_builder_end_array (b);
    }
  else
    {
      json_builder_set_member_name (b, "albumUsers");
      json_builder_begin_array (b);
      /* 3.x lists the owner among the album users with role "owner" */
      if (self->family == FAMILY_V3 && owner != NULL)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "user");
          build_user (b, owner);
          json_builder_set_member_name (b, "role");
          json_builder_add_string_value (b, "owner");
          json_builder_end_object (b);
        }
      g_hash_table_iter_init (&iter, a->users);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          FakeUser *u = g_hash_table_lookup (self->users, key);

          if (u == NULL)
            continue;
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "user");
          build_user (b, u);
          json_builder_set_member_name (b, "role");
          json_builder_add_string_value (b, value);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "shared");
  json_builder_add_boolean_value (b, shared);
  json_builder_set_member_name (b, "hasSharedLink");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "assetCount");
  json_builder_add_int_value (b, a->assets->len);
  json_builder_set_member_name (b, "assets");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "isActivityEnabled");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "order");
  json_builder_add_string_value (b, "desc");
  json_builder_end_object (b);
}

static JsonNode *
build_state_locked (PbiFakeServer *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, self->version);
  json_builder_set_member_name (b, "assets");
  json_builder_add_int_value (b, self->asset_order->len);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, self->bytes);
  json_builder_set_member_name (b, "uploads");
  json_builder_add_int_value (b, self->uploads);
  json_builder_set_member_name (b, "rejected");
  json_builder_add_int_value (b, self->rejected);
  json_builder_set_member_name (b, "requests");
  json_builder_add_int_value (b, self->requests);
  json_builder_set_member_name (b, "connections");
  json_builder_add_int_value (b, self->connections);
  json_builder_set_member_name (b, "albums");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->album_order->len; i++)
    {
      FakeAlbum *a = g_ptr_array_index (self->album_order, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, a->id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, a->name);
      json_builder_set_member_name (b, "owner");
      json_builder_add_string_value (b, a->owner_id);
      json_builder_set_member_name (b, "assets");
      json_builder_begin_array (b);
      for (guint j = 0; j < a->assets->len; j++)
        json_builder_add_string_value (b, g_ptr_array_index (a->assets, j));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "asset_list");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->asset_order->len; i++)
    {
      FakeAsset *a = g_ptr_array_index (self->asset_order, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, a->id);
      json_builder_set_member_name (b, "checksum");
      json_builder_add_string_value (b, a->checksum);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, a->size);
      json_builder_set_member_name (b, "filename");
      json_builder_add_string_value (b, a->filename);
      json_builder_set_member_name (b, "owner");
      json_builder_add_string_value (b, a->owner_id);
      json_builder_set_member_name (b, "isTrashed");
      json_builder_add_boolean_value (b, a->trashed);
      json_builder_set_member_name (b, "fileCreatedAt");
      json_builder_add_string_value (b, a->file_created_at);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

typedef struct
{
  gchar      *name;         /* current part's name (owned) */
  gboolean    is_asset;
  gboolean    is_field;
  GString    *field;        /* (owned) current field value */
  GHashTable *fields;       /* name -> value */
  struct sha1_ctx *sha1;    /* (owned) while assetData streams; nettle, as fast as the
                             * client's, so the fake is not the bottleneck of a benchmark */
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
} RequestCtx;

static void
request_ctx_free (RequestCtx *ctx)
{
  g_clear_pointer (&ctx->parser, _pbi_fake_multipart_free);
  g_free (ctx->parts.name);
  if (ctx->parts.field != NULL)
    g_string_free (ctx->parts.field, TRUE);
  g_hash_table_unref (ctx->parts.fields);
  g_clear_pointer (&ctx->parts.sha1, g_free);
  g_free (ctx->parts.checksum);
  g_free (ctx->parts.filename);
  g_free (ctx);
}

#define MAX_FIELD_BYTES (256 * 1024)

static void
part_begin_cb (const gchar *name,
               const gchar *filename,
               gpointer     user_data)
{
  RequestCtx *ctx = user_data;
  UploadParts *p = &ctx->parts;

  g_free (p->name);
  p->name = g_strdup (name != NULL ? name : "");
  p->is_asset = FALSE;
  p->is_field = FALSE;
  if (g_strcmp0 (name, "assetData") == 0 && filename != NULL)
    {
      p->is_asset = TRUE;
      p->asset_parts++;
      g_clear_pointer (&p->sha1, g_free);
      p->sha1 = g_new (struct sha1_ctx, 1);
      sha1_init (p->sha1);
      g_free (p->filename);
      p->filename = g_strdup (filename);
      p->asset_size = 0;
    }
  else if (filename != NULL)
    {
      if (g_strcmp0 (name, "sidecarData") == 0)
        p->has_sidecar = TRUE;
    }
  else
    {
      p->is_field = TRUE;
      if (p->field == NULL)
        p->field = g_string_new (NULL);
      g_string_truncate (p->field, 0);
    }
}

static void
part_data_cb (const guint8 *data,
              gsize         len,
              gpointer      user_data)
{
  RequestCtx *ctx = user_data;
  UploadParts *p = &ctx->parts;

  if (p->is_asset)
    {
      sha1_update (p->sha1, len, (const guint8 *) data);
      p->asset_size += len;
    }
  else if (p->is_field && p->field->len + len <= MAX_FIELD_BYTES)
    {
      g_string_append_len (p->field, (const gchar *) data, len);
    }
}

static void
part_end_cb (gpointer user_data)
{
  RequestCtx *ctx = user_data;
  UploadParts *p = &ctx->parts;

  if (p->is_asset)
    {
      guint8 digest[SHA1_DIGEST_SIZE];
      gchar hex[BASE16_ENCODE_LENGTH (SHA1_DIGEST_SIZE) + 1];

      sha1_digest (p->sha1, sizeof digest, digest);
      base16_encode_update (hex, sizeof digest, digest);
      hex[sizeof hex - 1] = '\0';
      g_free (p->checksum);
      p->checksum = g_strdup (hex);
      g_clear_pointer (&p->sha1, g_free);
    }
  else if (p->is_field)
    {
      g_hash_table_replace (p->fields, g_strdup (p->name), g_strdup (p->field->str));
    }
  p->is_asset = FALSE;
  p->is_field = FALSE;
}

static gboolean
is_upload_route (PbiFakeServer *self,
                 const gchar   *method,
                 const gchar   *path)
{
  if (g_strcmp0 (method, "POST") != 0)
    return FALSE;
  if (self->family == FAMILY_V1)
    return g_strcmp0 (path, "/api/asset/upload") == 0;
  return g_strcmp0 (path, "/api/assets") == 0;
}

static GSocket *
message_socket (PbiFakeServer     *self,
                SoupServerMessage *msg)
{
  return soup_server_message_get_socket (msg);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              RequestCtx        *ctx)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (ctx->dropped)
    return;
  ctx->received += len;
  if (ctx->drop)
    {
      guint64 threshold = ctx->content_length > 0 ? (guint64) ctx->content_length / 2 : 1;

      if (ctx->received >= threshold)
        {
          GSocket *sock = message_socket (ctx->self, msg);

          ctx->dropped = TRUE;
          g_debug ("fake-immich: dropping the connection after %" G_GUINT64_FORMAT " bytes",
                   ctx->received);
          if (sock != NULL)
            g_socket_shutdown (sock, TRUE, TRUE, NULL);
          return;
        }
    }
  if (ctx->parser != NULL && !ctx->parse_error)
    {
      if (!_pbi_fake_multipart_feed (ctx->parser, data, len))
        ctx->parse_error = TRUE;
    }
}

static const gchar nginx_413[] =
  "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
  "<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n"
  "</body>\r\n</html>\r\n";

/* Runs after the request headers, before the body. */
static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const gchar       *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  PbiFakeServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *method = soup_server_message_get_method (msg);
  RequestCtx *ctx;
  guint64 max_body;
  gboolean drop = FALSE;

  if (g_str_has_prefix (path, "/__fake/")
      || g_object_get_data (G_OBJECT (msg), "pbi-fake-refused") != NULL)
    return;

  ctx = g_new0 (RequestCtx, 1);
  ctx->self = self;
  ctx->parts.fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx->content_length = soup_message_headers_get_content_length (headers);
  g_object_set_data_full (G_OBJECT (msg), "pbi-fake-request", ctx,
                          (GDestroyNotify) request_ctx_free);

  g_mutex_lock (&self->lock);
  max_body = self->faults.max_body_bytes;
  if (max_body > 0 && ctx->content_length > 0 && (guint64) ctx->content_length > max_body)
    {
      g_mutex_unlock (&self->lock);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      soup_server_message_set_response (msg, HTML_TYPE, SOUP_MEMORY_STATIC,
                                        nginx_413, strlen (nginx_413));
      soup_server_message_set_status (msg, 413, NULL);
      return;
    }
  ctx->is_upload = is_upload_route (self, method, path);
  if (ctx->is_upload && self->faults.drop_mid_body > 0)
    {
      self->faults.drop_mid_body--;
      drop = TRUE;
    }
  g_mutex_unlock (&self->lock);

  ctx->drop = drop;
  if (ctx->is_upload)
    {
      g_autoptr(GHashTable) params = NULL;
      const gchar *ctype = soup_message_headers_get_content_type (headers, &params);
      const gchar *boundary = params != NULL ? g_hash_table_lookup (params, "boundary") : NULL;

      if (g_strcmp0 (ctype, "multipart/form-data") == 0 && boundary != NULL && *boundary != '\0')
        ctx->parser = _pbi_fake_multipart_new (boundary, part_begin_cb, part_data_cb,
                                               part_end_cb, ctx);
      else
        ctx->parse_error = TRUE;
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
    }
  if (ctx->is_upload || drop)
    g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), ctx);
}

/* ---- auth ---- */

/* Returns the key's user or NULL after filling r with 401/403.
 * permission NULL = any valid key (the real @Authenticated({permission:
 * false})); "all" = @Authenticated() without a permission. */
static FakeUser *
authenticate (PbiFakeServer     *self,
              SoupServerMessage *msg,
              GHashTable        *query,
              const gchar       *permission,
              FakeKey          **key_out,
              Reply             *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *key = soup_message_headers_get_one (headers, "x-api-key");
  FakeKey *k;
  FakeUser *u;

  if ((key == NULL || *key == '\0') && query != NULL)
    key = g_hash_table_lookup (query, "apiKey");
  if (key == NULL || *key == '\0')
    {
      reply_error (self, r, 401, "Authentication required");
      return NULL;
    }
  k = g_hash_table_lookup (self->keys, key);
  u = k != NULL ? g_hash_table_lookup (self->users, k->user_id) : NULL;
  if (u == NULL)
    {
      reply_error (self, r, 401, "Invalid API key");
      return NULL;
    }
  if (permission != NULL && has_permissions (self)
      && !g_strv_contains ((const gchar * const *) k->permissions, "all")
      && !g_strv_contains ((const gchar * const *) k->permissions, permission))
    {
      g_autofree gchar *m = g_strdup_printf ("Missing required permission: %s", permission);

      reply_error (self, r, 403, m);
      return NULL;
    }
  if (key_out != NULL)
    *key_out = k;
  return u;
}

static JsonNode *
parse_body (PbiFakeServer     *self,
            SoupServerMessage *msg,
            Reply             *r)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    return json_node_init_object (json_node_alloc (), json_object_new ());
  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      g_autofree gchar *m = g_strdup_printf ("Unexpected token in JSON: %s", error->message);

      reply_error (self, r, 400, m);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

/* ---- routes ---- */

static void
route_version (PbiFakeServer *self,
               Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "major");
  json_builder_add_int_value (b, self->major);
  json_builder_set_member_name (b, "minor");
  json_builder_add_int_value (b, self->minor);
  json_builder_set_member_name (b, "patch");
  json_builder_add_int_value (b, self->patch);
  if (self->family == FAMILY_V3)
    {
      json_builder_set_member_name (b, "prerelease");
      json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
  reply_builder (r, 200, b);
}

static const gchar * const image_types[] = {
  ".avif", ".bmp", ".gif", ".heic", ".heif", ".hif", ".insp", ".jpe", ".jpeg", ".jpg",
  ".jxl", ".png", ".svg", ".tif", ".tiff", ".webp",
  ".3fr", ".ari", ".arw", ".cap", ".cin", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".erf",
  ".fff", ".iiq", ".k25", ".kdc", ".mrw", ".nef", ".nrw", ".orf", ".ori", ".pef", ".psd",
  ".raf", ".raw", ".rw2", ".rwl", ".sr2", ".srf", ".srw", ".x3f",
  NULL
};

static const gchar * const video_types[] = {
  ".3gp", ".3gpp", ".avi", ".flv", ".insv", ".m2ts", ".m4v", ".mkv", ".mov", ".mp4",
  ".mpe", ".mpeg", ".mpg", ".mts", ".vob", ".webm", ".wmv",
  NULL
};

static gboolean
is_asset_filename (const gchar *filename)
{
  const gchar *dot = filename != NULL ? strrchr (filename, '.') : NULL;
  g_autofree gchar *ext = NULL;

  if (dot == NULL)
    return FALSE;
  ext = g_ascii_strdown (dot, -1);
  return g_strv_contains (image_types, ext) || g_strv_contains (video_types, ext);
}

static void
route_media_types (PbiFakeServer *self,
                   Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "video");
  json_builder_begin_array (b);
  for (guint i = 0; video_types[i] != NULL; i++)
    json_builder_add_string_value (b, video_types[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "image");
  json_builder_begin_array (b);
  for (guint i = 0; image_types[i] != NULL; i++)
    json_builder_add_string_value (b, image_types[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "sidecar");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, ".xmp");
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply_builder (r, 200, b);
}

static void
route_storage (PbiFakeServer *self,
               Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint64 size = G_GUINT64_CONSTANT (1) << 40;
  guint64 used = self->bytes;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "diskSize");
  json_builder_add_string_value (b, "1.0 TiB");
  json_builder_set_member_name (b, "diskUse");
  json_builder_add_string_value (b, "0 B");
  json_builder_set_member_name (b, "diskAvailable");
  json_builder_add_string_value (b, "1.0 TiB");
  json_builder_set_member_name (b, "diskSizeRaw");
  json_builder_add_int_value (b, size);
  json_builder_set_member_name (b, "diskUseRaw");
  json_builder_add_int_value (b, used);
  json_builder_set_member_name (b, "diskAvailableRaw");
  json_builder_add_int_value (b, size - used);
  json_builder_set_member_name (b, "diskUsagePercentage");
  json_builder_add_double_value (b, (gdouble) used * 100.0 / (gdouble) size);
  json_builder_end_object (b);
  reply_builder (r, 200, b);
}

static void
route_api_key_me (PbiFakeServer *self,
                  FakeKey       *k,
                  Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, k->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "fake-immich key");
  json_builder_set_member_name (b, "createdAt");
  json_builder_add_string_value (b, k->created_at);
  json_builder_set_member_name (b, "updatedAt");
  json_builder_add_string_value (b, k->created_at);
  json_builder_set_member_name (b, "permissions");
  json_builder_begin_array (b);
  for (guint i = 0; k->permissions[i] != NULL; i++)
    json_builder_add_string_value (b, k->permissions[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply_builder (r, 200, b);
}

static void
route_albums_get (PbiFakeServer *self,
                  FakeUser      *user,
                  GHashTable    *query,
                  Reply         *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const gchar *shared = query != NULL ? g_hash_table_lookup (query, "shared") : NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < self->album_order->len; i++)
    {
      FakeAlbum *a = g_ptr_array_index (self->album_order, i);
      gboolean mine = g_strcmp0 (a->owner_id, user->id) == 0;
      gboolean is_shared = g_hash_table_size (a->users) > 0;

      if (!album_can_read (a, user->id))
        continue;
      if (g_strcmp0 (shared, "true") == 0 && !is_shared)
        continue;
      if (g_strcmp0 (shared, "false") == 0 && (!mine || is_shared))
        continue;
      build_album (self, b, a);
    }
  json_builder_end_array (b);
  reply_builder (r, 200, b);
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

static const gchar *
received_type (JsonNode *node)
{
  if (node == NULL)
    return "undefined";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "array";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "object";
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return "string";
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return "boolean";
  return "number";
}

/* Checks that member is an array of UUID strings; adds issues otherwise. */
static JsonArray *
check_uuid_array (PbiFakeServer *self,
                  JsonObject    *obj,
                  const gchar   *member,
                  Issues        *iss)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;
  JsonArray *arr;
  gboolean bad = FALSE;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree gchar *m1 = g_strdup_printf ("each value in %s must be a UUID", member);
      g_autofree gchar *m2 = g_strdup_printf ("%s must be an array", member);

      issue_missing (iss, member, "array", received_type (node));
      issue_msg (iss, m1);
      issue_msg (iss, m2);
      return NULL;
    }
  arr = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *el = json_array_get_element (arr, i);

      if (!node_is_string (el) || !g_uuid_string_is_valid (json_node_get_string (el)))
        {
          issue_zod (iss, "invalid_format", member, i, "uuid", "Invalid UUID");
          bad = TRUE;
        }
    }
  if (bad)
    {
      g_autofree gchar *m = g_strdup_printf ("each value in %s must be a UUID", member);

      issue_msg (iss, m);
      return NULL;
    }
  return arr;
}

static void
route_albums_post (PbiFakeServer     *self,
                   SoupServerMessage *msg,
                   FakeUser          *user,
                   Reply             *r)
{
  g_autoptr(JsonNode) root = parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *obj;
  JsonNode *name;
  JsonArray *asset_ids = NULL;
  FakeAlbum *album;
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  name = obj != NULL ? json_object_get_member (obj, "albumName") : NULL;

  issues_init (&iss);
  if (!node_is_string (name))
    {
      issue_missing (&iss, "albumName", "string", received_type (name));
      issue_msg (&iss, "albumName must be a string");
    }
  if (obj != NULL && json_object_has_member (obj, "assetIds"))
    asset_ids = check_uuid_array (self, obj, "assetIds", &iss);
  if (!issues_empty (&iss))
    {
      reply_issues (self, r, &iss);
      issues_clear (&iss);
      return;
    }
  issues_clear (&iss);

  album = add_album_locked (self, user->id, json_node_get_string (name));
  for (guint i = 0; asset_ids != NULL && i < json_array_get_length (asset_ids); i++)
    {
      const gchar *id = json_array_get_string_element (asset_ids, i);
      FakeAsset *asset = g_hash_table_lookup (self->assets, id);

      if (asset != NULL && g_strcmp0 (asset->owner_id, user->id) == 0
          && !g_hash_table_contains (album->asset_set, id))
        album_add_asset (album, id);
    }
  build_album (self, b, album);
  reply_builder (r, 201, b);
}

static void
add_bulk_result (JsonBuilder *b,
                 const gchar *id,
                 const gchar *error)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "success");
  json_builder_add_boolean_value (b, error == NULL);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error);
    }
  json_builder_end_object (b);
}

static gboolean
asset_visible_to (FakeAsset   *asset,
                  const gchar *user_id)
{
  return asset != NULL && g_strcmp0 (asset->owner_id, user_id) == 0;
}

static void
route_album_assets_put (PbiFakeServer     *self,
                        SoupServerMessage *msg,
                        FakeUser          *user,
                        const gchar       *album_id,
                        Reply             *r)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *obj;
  JsonArray *ids;
  FakeAlbum *album;
  Issues iss;

  issues_init (&iss);
  if (!g_uuid_string_is_valid (album_id))
    {
      issue_zod (&iss, "invalid_format", "id", -1, "uuid", "Invalid UUID");
      issue_msg (&iss, "id must be a UUID");
      reply_issues (self, r, &iss);
      issues_clear (&iss);
      return;
    }
  root = parse_body (self, msg, r);
  if (root == NULL)
    {
      issues_clear (&iss);
      return;
    }
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  ids = check_uuid_array (self, obj, "ids", &iss);
  if (ids == NULL)
    {
      reply_issues (self, r, &iss);
      issues_clear (&iss);
      return;
    }
  issues_clear (&iss);

  album = g_hash_table_lookup (self->albums, album_id);
  if (album == NULL || !album_can_write (album, user->id))
    {
      if (self->family == FAMILY_V3)
        reply_error (self, r, 400, "Album not found");
      else if (has_permissions (self))
        reply_error (self, r, 400, "Not found or no albumAsset.create access");
      else
        reply_error (self, r, 400, "Not found or no album.addAsset access");
      return;
    }

  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      const gchar *id = json_array_get_string_element (ids, i);
      FakeAsset *asset = g_hash_table_lookup (self->assets, id);

      if (g_hash_table_contains (album->asset_set, id))
        add_bulk_result (b, id, "duplicate");
      else if (!asset_visible_to (asset, user->id))
        add_bulk_result (b, id, "no_permission");
      else
        {
          album_add_asset (album, id);
          add_bulk_result (b, id, NULL);
        }
    }
  json_builder_end_array (b);
  reply_builder (r, 200, b);
}

/* PUT /albums/assets {albumIds, assetIds} (3.x) */
static void
route_albums_assets_put (PbiFakeServer     *self,
                         SoupServerMessage *msg,
                         FakeUser          *user,
                         Reply             *r)
{
  g_autoptr(JsonNode) root = parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) albums = g_ptr_array_new ();
  g_autoptr(GPtrArray) assets = g_ptr_array_new ();
  JsonObject *obj;
  JsonArray *album_ids, *asset_ids;
  const gchar *error = "duplicate";
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  issues_init (&iss);
  album_ids = check_uuid_array (self, obj, "albumIds", &iss);
  asset_ids = check_uuid_array (self, obj, "assetIds", &iss);
  if (!issues_empty (&iss))
    {
      reply_issues (self, r, &iss);
      issues_clear (&iss);
      return;
    }
  issues_clear (&iss);

  for (guint i = 0; i < json_array_get_length (album_ids); i++)
    {
      FakeAlbum *a = g_hash_table_lookup (self->albums,
                                          json_array_get_string_element (album_ids, i));

      if (a != NULL && album_can_write (a, user->id))
        g_ptr_array_add (albums, a);
    }
  for (guint i = 0; i < json_array_get_length (asset_ids); i++)
    {
      FakeAsset *a = g_hash_table_lookup (self->assets,
                                          json_array_get_string_element (asset_ids, i));

      if (asset_visible_to (a, user->id))
        g_ptr_array_add (assets, a);
    }
  if (albums->len == 0 || assets->len == 0)
    {
      error = "no_permission";
    }
  else
    {
      for (guint i = 0; i < albums->len; i++)
        for (guint j = 0; j < assets->len; j++)
          {
            FakeAlbum *album = g_ptr_array_index (albums, i);
            FakeAsset *asset = g_ptr_array_index (assets, j);

            if (!g_hash_table_contains (album->asset_set, asset->id))
              {
                album_add_asset (album, asset->id);
                error = NULL;
              }
          }
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "success");
  json_builder_add_boolean_value (b, error == NULL);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error);
    }
  json_builder_end_object (b);
  reply_builder (r, 200, b);
}

static void
route_bulk_check (PbiFakeServer     *self,
                  SoupServerMessage *msg,
                  FakeUser          *user,
                  Reply             *r)
{
  g_autoptr(JsonNode) root = parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *obj;
  JsonNode *assets_node;
  JsonArray *items;
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  assets_node = obj != NULL ? json_object_get_member (obj, "assets") : NULL;
  issues_init (&iss);
  if (assets_node == NULL || !JSON_NODE_HOLDS_ARRAY (assets_node))
    {
      issue_missing (&iss, "assets", "array", received_type (assets_node));
      issue_msg (&iss, "assets must be an array");
      reply_issues (self, r, &iss);
      issues_clear (&iss);
      return;
    }
  items = json_node_get_array (assets_node);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      JsonNode *id = o != NULL ? json_object_get_member (o, "id") : NULL;
      JsonNode *checksum = o != NULL ? json_object_get_member (o, "checksum") : NULL;

      if (!node_is_string (id) || !node_is_string (checksum))
        {
          g_autofree gchar *m = g_strdup_printf ("assets.%u.%s must be a string", i,
                                                 node_is_string (id) ? "checksum" : "id");
          JsonObject *zo = json_object_new ();
          JsonArray *path = json_array_new ();

          json_object_set_string_member (zo, "expected", "string");
          json_object_set_string_member (zo, "code", "invalid_type");
          json_array_add_string_element (path, "assets");
          json_array_add_int_element (path, i);
          json_array_add_string_element (path, node_is_string (id) ? "checksum" : "id");
          json_object_set_array_member (zo, "path", path);
          json_object_set_string_member (zo, "message", "Invalid input: expected string");
          json_array_add_object_element (iss.zod, zo);
          issue_msg (&iss, m);
        }
    }
  if (!issues_empty (&iss))
    {
      reply_issues (self, r, &iss);
      issues_clear (&iss);
      return;
    }
  issues_clear (&iss);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *o = json_array_get_object_element (items, i);
      const gchar *id = json_object_get_string_member (o, "id");
      g_autofree gchar *hex = checksum_to_hex (json_object_get_string_member (o, "checksum"));
      FakeAsset *dup = hex != NULL ? find_asset_by_checksum (self, user->id, hex) : NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, dup != NULL ? "reject" : "accept");
      if (dup != NULL)
        {
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, "duplicate");
          json_builder_set_member_name (b, "assetId");
          json_builder_add_string_value (b, dup->id);
          if (self->family != FAMILY_V1)
            {
              json_builder_set_member_name (b, "isTrashed");
              json_builder_add_boolean_value (b, dup->trashed);
            }
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply_builder (r, 200, b);
}

static void
reply_upload (PbiFakeServer *self,
              Reply         *r,
              FakeAsset     *asset,
              gboolean       duplicate)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (self->family == FAMILY_V1)
    {
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, asset->id);
      json_builder_set_member_name (b, "duplicate");
      json_builder_add_boolean_value (b, duplicate);
    }
  else
    {
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, duplicate ? "duplicate" : "created");
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, asset->id);
    }
  json_builder_end_object (b);
  reply_builder (r, duplicate ? 200 : 201, b);
}

static gboolean
valid_date (const gchar *s)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (s == NULL || *s == '\0')
    return FALSE;
  dt = g_date_time_new_from_iso8601 (s, utc);
  return dt != NULL;
}

static gboolean
valid_number (const gchar *s)
{
  gchar *end = NULL;

  if (s == NULL || *s == '\0')
    return FALSE;
  g_ascii_strtod (s, &end);
  return end != NULL && *end == '\0';
}

static void
route_upload (PbiFakeServer     *self,
              SoupServerMessage *msg,
              FakeUser          *user,
              RequestCtx        *ctx,
              Reply             *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *header_sum = soup_message_headers_get_one (headers, "x-immich-checksum");
  g_autofree gchar *header_hex = header_sum != NULL ? checksum_to_hex (header_sum) : NULL;
  UploadParts *p = &ctx->parts;
  GHashTable *f = p->fields;
  const gchar *created = g_hash_table_lookup (f, "fileCreatedAt");
  const gchar *modified = g_hash_table_lookup (f, "fileModifiedAt");
  const gchar *duration = g_hash_table_lookup (f, "duration");
  const gchar *filename;
  FakeAsset *asset;
  Issues iss;

  self->uploads++;

  /* Like the real server: a known x-immich-checksum is a duplicate at
   * once, whatever the body holds. */
  if (header_hex != NULL)
    {
      asset = find_asset_by_checksum (self, user->id, header_hex);
      if (asset != NULL)
        {
          reply_upload (self, r, asset, TRUE);
          return;
        }
    }

  if (ctx->parse_error || p->checksum == NULL || p->asset_parts != 1)
    {
      /* ParseFilePipe + FileNotEmptyValidator(['assetData']) */
      self->rejected++;
      reply_error (self, r, 400, "Field(s) assetData should not be empty");
      return;
    }

  filename = g_hash_table_lookup (f, "filename");
  if (filename == NULL || *filename == '\0')
    filename = p->filename;
  if (!is_asset_filename (filename))
    {
      g_autofree gchar *m = g_strdup_printf ("Unsupported file type %s", filename);

      self->rejected++;
      reply_error (self, r, 400, m);
      return;
    }

  issues_init (&iss);
  if (self->family != FAMILY_V3)
    {
      const gchar *dai = g_hash_table_lookup (f, "deviceAssetId");
      const gchar *di = g_hash_table_lookup (f, "deviceId");

      if (dai == NULL || *dai == '\0')
        {
          issue_msg (&iss, "deviceAssetId must be a string");
          issue_msg (&iss, "deviceAssetId should not be empty");
        }
      if (di == NULL || *di == '\0')
        {
          issue_msg (&iss, "deviceId must be a string");
          issue_msg (&iss, "deviceId should not be empty");
        }
      /* ValidateDate(): a present but unparsable date fails in its
       * Transform with a plain message; a missing one in IsDate/IsNotEmpty */
      if (created != NULL && !valid_date (created))
        {
          self->rejected++;
          reply_error (self, r, 400, "fileCreatedAt must be a date string");
          issues_clear (&iss);
          return;
        }
      if (modified != NULL && !valid_date (modified))
        {
          self->rejected++;
          reply_error (self, r, 400, "fileModifiedAt must be a date string");
          issues_clear (&iss);
          return;
        }
      if (created == NULL)
        {
          issue_msg (&iss, "fileCreatedAt should not be empty");
          issue_msg (&iss, "fileCreatedAt must be a Date instance");
        }
      if (modified == NULL)
        {
          issue_msg (&iss, "fileModifiedAt should not be empty");
          issue_msg (&iss, "fileModifiedAt must be a Date instance");
        }
    }
  else
    {
      if (created == NULL)
        issue_missing (&iss, "fileCreatedAt", "string", "undefined");
      else if (!valid_date (created))
        issue_zod (&iss, "invalid_format", "fileCreatedAt", -1, "datetime",
                   "Invalid ISO datetime");
      if (modified == NULL)
        issue_missing (&iss, "fileModifiedAt", "string", "undefined");
      else if (!valid_date (modified))
        issue_zod (&iss, "invalid_format", "fileModifiedAt", -1, "datetime",
                   "Invalid ISO datetime");
      if (duration != NULL && !valid_number (duration))
        issue_missing (&iss, "duration", "number", "NaN");
    }
  if (!issues_empty (&iss))
    {
      self->rejected++;
      reply_issues (self, r, &iss);
      issues_clear (&iss);
      return;
    }
  issues_clear (&iss);

  /* Beyond the real server: the bytes must match the announced checksum. */
  if (header_hex != NULL && g_strcmp0 (header_hex, p->checksum) != 0)
    {
      self->rejected++;
      reply_error (self, r, 400, "Checksum mismatch: the received file does not match "
                                 "x-immich-checksum");
      return;
    }

  asset = find_asset_by_checksum (self, user->id, p->checksum);
  if (asset != NULL)
    {
      reply_upload (self, r, asset, TRUE);
      return;
    }

  asset = add_asset_locked (self, user->id, p->checksum, p->asset_size, filename, created);
  asset->device_asset_id = g_strdup (g_hash_table_lookup (f, "deviceAssetId"));
  reply_upload (self, r, asset, FALSE);
}

static void
route_trash_restore (PbiFakeServer     *self,
                     SoupServerMessage *msg,
                     FakeUser          *user,
                     Reply             *r)
{
  g_autoptr(JsonNode) root = parse_body (self, msg, r);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *obj;
  JsonArray *ids;
  guint count = 0;
  Issues iss;

  if (root == NULL)
    return;
  obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  issues_init (&iss);
  ids = check_uuid_array (self, obj, "ids", &iss);
  if (ids == NULL)
    {
      reply_issues (self, r, &iss);
      issues_clear (&iss);
      return;
    }
  issues_clear (&iss);
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      FakeAsset *a = g_hash_table_lookup (self->assets, json_array_get_string_element (ids, i));

      if (asset_visible_to (a, user->id) && a->trashed)
        {
          a->trashed = FALSE;
          count++;
        }
    }
  if (!version_at_least (self, 1, 113))
    {
      r->status = 204;
      g_clear_pointer (&r->body, g_free);
      r->content_type = NULL;
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, count);
  json_builder_end_object (b);
  reply_builder (r, 200, b);
}

static void
route_not_found (PbiFakeServer     *self,
                 SoupServerMessage *msg,
                 Reply             *r)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *q = g_uri_get_query (uri);
  g_autofree gchar *m = g_strdup_printf ("Cannot %s %s%s%s", soup_server_message_get_method (msg),
                                         g_uri_get_path (uri), q != NULL ? "?" : "",
                                         q != NULL ? q : "");

  reply_error (self, r, 404, m);
}

static const gchar web_ui_html[] =
  "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Immich</title></head>\n"
  "<body><div id=\"app\">Immich (fake-immich test server)</div></body>\n</html>\n";

/* Route an /api request (lock held). */
static void
route_api (PbiFakeServer     *self,
           SoupServerMessage *msg,
           const gchar       *path,
           GHashTable        *query,
           RequestCtx        *ctx,
           Reply             *r)
{
  const gchar *method = soup_server_message_get_method (msg);
  gboolean get = g_strcmp0 (method, "GET") == 0;
  gboolean post = g_strcmp0 (method, "POST") == 0;
  gboolean put = g_strcmp0 (method, "PUT") == 0;
  const gchar *rest = path + strlen ("/api");
  FakeUser *user;
  FakeKey *key = NULL;
  g_auto(GStrv) seg = g_strsplit (rest[0] == '/' ? rest + 1 : rest, "/", -1);
  guint n = g_strv_length (seg);
  gboolean v1 = self->family == FAMILY_V1;

#define SEG_IS(i, s) (n > (i) && g_strcmp0 (seg[i], (s)) == 0)

  /* Unauthenticated routes */
  if (get && n == 2 && SEG_IS (0, v1 ? "server-info" : "server"))
    {
      if (SEG_IS (1, "ping"))
        {
          reply_html (r, 200, "{\"res\":\"pong\"}");
          r->content_type = JSON_TYPE;
          return;
        }
      if (SEG_IS (1, "version"))
        {
          route_version (self, r);
          return;
        }
      if (SEG_IS (1, "media-types"))
        {
          route_media_types (self, r);
          return;
        }
      if (SEG_IS (1, "storage"))
        {
          /* 3.x: server.storage; before, @Authenticated() = "all" */
          if (authenticate (self, msg, query,
                            self->family == FAMILY_V3 ? "server.storage" : "all",
                            NULL, r) != NULL)
            route_storage (self, r);
          return;
        }
    }

  if (get && n == 2 && SEG_IS (0, v1 ? "user" : "users") && SEG_IS (1, "me"))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      user = authenticate (self, msg, query, "user.read", NULL, r);
      if (user == NULL)
        return;
      build_user_admin (self, b, user);
      reply_builder (r, 200, b);
      return;
    }

  if (get && n == 2 && SEG_IS (0, "api-keys") && self->family != FAMILY_V1)
    {
      if (self->major < 2)
        {
          Issues iss;

          /* before 2.0, "me" hits /api-keys/:id and fails UUID validation */
          if (authenticate (self, msg, query, "apiKey.read", NULL, r) == NULL)
            return;
          issues_init (&iss);
          issue_msg (&iss, "id must be a UUID");
          reply_issues (self, r, &iss);
          issues_clear (&iss);
          return;
        }
      if (SEG_IS (1, "me"))
        {
          if (authenticate (self, msg, query, NULL, &key, r) != NULL)
            route_api_key_me (self, key, r);
          return;
        }
    }

  if (n >= 1 && SEG_IS (0, v1 ? "album" : "albums"))
    {
      if (n == 1 && get)
        {
          user = authenticate (self, msg, query, "album.read", NULL, r);
          if (user != NULL)
            route_albums_get (self, user, query, r);
          return;
        }
      if (n == 1 && post)
        {
          user = authenticate (self, msg, query, "album.create", NULL, r);
          if (user != NULL)
            route_albums_post (self, msg, user, r);
          return;
        }
      if (n == 2 && put && SEG_IS (1, "assets") && self->family == FAMILY_V3)
        {
          user = authenticate (self, msg, query, "albumAsset.create", NULL, r);
          if (user != NULL)
            route_albums_assets_put (self, msg, user, r);
          return;
        }
      if (n == 3 && put && SEG_IS (2, "assets"))
        {
          user = authenticate (self, msg, query, "albumAsset.create", NULL, r);
          if (user != NULL)
            route_album_assets_put (self, msg, user, seg[1], r);
          return;
        }
    }

  if (post && n == 2 && SEG_IS (0, v1 ? "asset" : "assets") && SEG_IS (1, "bulk-upload-check"))
    {
      user = authenticate (self, msg, query, "asset.upload", NULL, r);
      if (user != NULL)
        route_bulk_check (self, msg, user, r);
      return;
    }

  if (post && ctx != NULL && ctx->is_upload)
    {
      user = authenticate (self, msg, query, "asset.upload", NULL, r);
      if (user != NULL)
        route_upload (self, msg, user, ctx, r);
      return;
    }

  if (post && n == 3 && SEG_IS (0, "trash") && SEG_IS (1, "restore") && SEG_IS (2, "assets"))
    {
      user = authenticate (self, msg, query, "asset.delete", NULL, r);
      if (user != NULL)
        route_trash_restore (self, msg, user, r);
      return;
    }

#undef SEG_IS

  route_not_found (self, msg, r);
}

/* ---- control API ---- */

static gboolean set_faults_locked (PbiFakeServer *self,
                                   JsonNode      *root,
                                   GError       **error);

static void
route_control (PbiFakeServer     *self,
               SoupServerMessage *msg,
               const gchar       *path,
               Reply             *r)
{
  const gchar *method = soup_server_message_get_method (msg);

  g_mutex_lock (&self->lock);
  if (g_strcmp0 (method, "GET") == 0 && g_strcmp0 (path, "/__fake/state") == 0)
    {
      g_autoptr(JsonNode) state = build_state_locked (self);

      reply_node (r, 200, state);
    }
  else if (g_strcmp0 (method, "POST") == 0 && g_strcmp0 (path, "/__fake/reset") == 0)
    {
      faults_clear (&self->faults);
      reply_html (r, 200, "{\"ok\":true}");
      r->content_type = JSON_TYPE;
    }
  else if (g_strcmp0 (method, "POST") == 0 && g_strcmp0 (path, "/__fake/faults") == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = parse_body (self, msg, r);

      if (root != NULL && !set_faults_locked (self, root, &error))
        reply_error (self, r, 400, error->message);
      else if (root != NULL)
        {
          reply_html (r, 200, "{\"ok\":true}");
          r->content_type = JSON_TYPE;
        }
    }
  else
    {
      route_not_found (self, msg, r);
    }
  g_mutex_unlock (&self->lock);
}

/* ---- dispatch ---- */

typedef struct
{
  SoupServerMessage *msg;   /* (owned) */
  Reply              reply;
} Delayed;

static void
apply_reply (SoupServerMessage *msg,
             Reply             *r)
{
  SoupMessageHeaders *hdrs = soup_server_message_get_response_headers (msg);

  if (r->cid != NULL && r->status >= 400 && r->status < 500)
    soup_message_headers_replace (hdrs, "X-Immich-Cid", r->cid);
  if (r->close)
    soup_message_headers_replace (hdrs, "Connection", "close");
  if (r->body != NULL)
    {
      gsize len = strlen (r->body);

      soup_server_message_set_response (msg, r->content_type, SOUP_MEMORY_TAKE,
                                        g_steal_pointer (&r->body), len);
    }
  soup_server_message_set_status (msg, r->status, NULL);
}

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *d = user_data;

  apply_reply (d->msg, &d->reply);
  soup_server_message_unpause (d->msg);
  return G_SOURCE_REMOVE;
}

static void
delayed_free (Delayed *d)
{
  reply_clear (&d->reply);
  g_object_unref (d->msg);
  g_free (d);
}

static const gchar captive_portal_html[] =
  "<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi</title></head>\n"
  "<body><h1>Welcome!</h1><p>Please accept the terms of use to continue.</p>\n"
  "<form method=\"post\" action=\"/login\"><button>Accept</button></form></body></html>\n";

static const gchar *
nginx_phrase (guint status)
{
  switch (status)
    {
    case 500: return "500 Internal Server Error";
    case 502: return "502 Bad Gateway";
    case 503: return "503 Service Temporarily Unavailable";
    case 504: return "504 Gateway Time-out";
    default:  return NULL;
    }
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const gchar       *path,
            GHashTable        *query,
            gpointer           user_data)
{
  PbiFakeServer *self = user_data;
  RequestCtx *ctx = g_object_get_data (G_OBJECT (msg), "pbi-fake-request");
  Reply r = { 0, };
  guint delay_ms = 0;
  gboolean garbage = FALSE;
  gboolean api;

  if (soup_server_message_get_status (msg) != 0)
    return;   /* answered early (413) */
  if (g_object_get_data (G_OBJECT (msg), "pbi-fake-refused") != NULL)
    return;   /* its connection was refused: nothing may happen */
  if (ctx != NULL && ctx->dropped)
    return;

  if (g_str_has_prefix (path, "/__fake/"))
    {
      route_control (self, msg, path, &r);
      apply_reply (msg, &r);
      reply_clear (&r);
      return;
    }

  api = g_str_has_prefix (path, "/api/") || g_strcmp0 (path, "/api") == 0
        || g_strcmp0 (path, "/.well-known/immich") == 0;

  g_mutex_lock (&self->lock);
  self->requests++;
  if (api)
    {
      Faults *f = &self->faults;

      delay_ms = f->latency_ms + f->stall_ms;
      f->stall_ms = 0;
      if (f->html > 0)
        {
          f->html--;
          reply_html (&r, 200, captive_portal_html);
        }
      else if (f->error_5xx_count > 0)
        {
          const gchar *phrase = nginx_phrase (f->error_5xx_status);
          g_autofree gchar *page = NULL;

          f->error_5xx_count--;
          if (phrase == NULL)
            phrase = soup_status_get_phrase (f->error_5xx_status);
          page = g_strdup_printf ("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n"
                                  "<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n"
                                  "</body>\r\n</html>\r\n", phrase, phrase);
          reply_html (&r, f->error_5xx_status, page);
          if (f->retry_after >= 0)
            {
              g_autofree gchar *ra = g_strdup_printf ("%d", f->retry_after);

              soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                            "Retry-After", ra);
            }
        }
      else
        {
          if (f->garbage_json > 0)
            {
              f->garbage_json--;
              garbage = TRUE;
            }
          if (g_strcmp0 (path, "/.well-known/immich") == 0)
            {
              reply_html (&r, 200, "{\"api\":{\"endpoint\":\"/api\"}}");
              r.content_type = JSON_TYPE;
            }
          else
            {
              route_api (self, msg, path, query, ctx, &r);
            }
        }
    }
  g_mutex_unlock (&self->lock);

  if (!api)
    reply_html (&r, 200, web_ui_html);

  if (garbage)
    {
      gsize len = r.body != NULL ? strlen (r.body) : 0;

      if (len < 2)
        {
          g_free (r.body);
          r.body = g_strdup ("{\"");
        }
      else
        {
          r.body[len / 2] = '\0';
        }
      r.status = 200;
      r.content_type = JSON_TYPE;
    }

  if (delay_ms > 0)
    {
      Delayed *d = g_new0 (Delayed, 1);
      GSource *source = g_timeout_source_new (delay_ms);

      d->msg = g_object_ref (msg);
      d->reply = r;
      soup_server_message_pause (msg);
      g_source_set_callback (source, delayed_cb, d, (GDestroyNotify) delayed_free);
      g_source_attach (source, self->context);
      g_source_unref (source);
      return;
    }
  apply_reply (msg, &r);
  reply_clear (&r);
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */

static gboolean listen_again_cb (gpointer user_data);

static void
go_down (PbiFakeServer *self,
         guint          ms)
{
  GSource *source;

  /* closes the listening socket and every client connection */
  soup_server_disconnect (self->soup);
  if (self->down_source != NULL)
    {
      g_source_destroy (self->down_source);
      g_clear_pointer (&self->down_source, g_source_unref);
    }
  source = g_timeout_source_new (ms);
  g_source_set_callback (source, listen_again_cb, self, NULL);
  g_source_attach (source, self->context);
  self->down_source = source;
}

typedef struct
{
  PbiFakeServer *self;
  guint          ms;
} DownRequest;

static gboolean
go_down_cb (gpointer user_data)
{
  DownRequest *req = user_data;

  if (req->self->soup != NULL)
    go_down (req->self, req->ms);
  return G_SOURCE_REMOVE;
}

static guint64
member_uint (JsonObject  *o,
             const gchar *name,
             gboolean    *ok)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || (json_node_get_value_type (n) != G_TYPE_INT64
          && json_node_get_value_type (n) != G_TYPE_DOUBLE))
    {
      *ok = FALSE;
      return 0;
    }
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    return (guint64) MAX (json_node_get_double (n), 0.0);
  return (guint64) MAX (json_node_get_int (n), 0);
}

static gboolean
set_faults_locked (PbiFakeServer *self,
                   JsonNode      *root,
                   GError       **error)
{
  JsonObject *o;
  GList *members;
  Faults f = self->faults;
  guint down_ms = 0;
  gboolean ok = TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "faults must be a JSON object");
      return FALSE;
    }
  o = json_node_get_object (root);
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL && ok; l = l->next)
    {
      const gchar *name = l->data;

      if (g_strcmp0 (name, "latency_ms") == 0)
        f.latency_ms = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "refuse_connections") == 0)
        f.refuse_connections = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "drop_mid_body") == 0)
        f.drop_mid_body = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "max_body_bytes") == 0)
        f.max_body_bytes = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "stall_ms") == 0)
        f.stall_ms = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "garbage_json") == 0)
        f.garbage_json = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "html") == 0)
        f.html = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "down_ms") == 0)
        down_ms = member_uint (o, name, &ok);
      else if (g_strcmp0 (name, "error_5xx") == 0)
        {
          JsonNode *n = json_object_get_member (o, name);
          JsonObject *e = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;

          if (e == NULL)
            {
              ok = FALSE;
              break;
            }
          f.error_5xx_count = json_object_has_member (e, "count")
                              ? member_uint (e, "count", &ok) : 1;
          f.error_5xx_status = json_object_has_member (e, "status")
                               ? member_uint (e, "status", &ok) : 503;
          f.retry_after = json_object_has_member (e, "retry_after")
                          ? (gint) member_uint (e, "retry_after", &ok) : -1;
          if (f.error_5xx_status < 500 || f.error_5xx_status > 599)
            ok = FALSE;
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown fault “%s”", name);
          g_list_free (members);
          return FALSE;
        }
    }
  g_list_free (members);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad fault value");
      return FALSE;
    }
  self->faults = f;
  if (down_ms > 0 && self->context != NULL)
    {
      DownRequest *req = g_new0 (DownRequest, 1);
      GSource *source = g_idle_source_new ();

      req->self = self;
      req->ms = down_ms;
      g_source_set_callback (source, go_down_cb, req, g_free);
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Listener and thread                                                 */

/* libsoup 3.2 leaks the socket (and its file descriptor) of a keep-alive
 * connection the client closes while the server waits for its next
 * request. Every connection's GSocket is kept here; a sweep closes those
 * whose peer has gone (EOF pending) and forgets those libsoup closed. */
static gboolean
sweep_sockets_cb (gpointer user_data)
{
  PbiFakeServer *self = user_data;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->sockets);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      GSocket *sock = key;
      GIOCondition cond;
      gchar byte;
      gssize n;

      if (g_socket_is_closed (sock))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      cond = g_socket_condition_check (sock, G_IO_IN | G_IO_HUP | G_IO_ERR);
      if (cond == 0)
        continue;
      n = recv (g_socket_get_fd (sock), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        {
          g_socket_close (sock, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
close_all_sockets (PbiFakeServer *self)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->sockets);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_socket_is_closed (key))
        g_socket_close (key, NULL);
      g_hash_table_iter_remove (&iter);
    }
}

/* The first request on a connection: set it up, or refuse it. */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    PbiFakeServer     *self)
{
  GSocket *sock = soup_server_message_get_socket (msg);
  gboolean refuse = FALSE;

  if (sock == NULL || g_hash_table_contains (self->sockets, sock))
    return;
  g_hash_table_add (self->sockets, g_object_ref (sock));

  g_mutex_lock (&self->lock);
  self->connections++;
  if (self->faults.refuse_connections > 0)
    {
      self->faults.refuse_connections--;
      refuse = TRUE;
    }
  g_mutex_unlock (&self->lock);
  if (refuse)
    {
      g_debug ("fake-immich: refusing a connection");
      g_object_set_data (G_OBJECT (msg), "pbi-fake-refused", GINT_TO_POINTER (1));
      g_socket_shutdown (sock, TRUE, TRUE, NULL);
      return;
    }
  /* libsoup sets TCP_NODELAY itself on accepted sockets; be explicit */
  g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static gboolean
listen_on_port (PbiFakeServer *self,
                guint          port,
                GError       **error)
{
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GSList *uris;

  if (self->tls_cert != NULL)
    options |= SOUP_SERVER_LISTEN_HTTPS;
  if (!soup_server_listen_local (self->soup, port, options, error))
    return FALSE;
  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

static gboolean
listen_again_cb (gpointer user_data)
{
  PbiFakeServer *self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->down_source, g_source_unref);
  for (guint i = 0; i < 50; i++)
    {
      g_clear_error (&error);
      if (listen_on_port (self, self->port, &error))
        return G_SOURCE_REMOVE;
      g_usleep (20000);
    }
  g_message ("fake-immich: could not listen again on port %u: %s", self->port, error->message);
  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer data)
{
  PbiFakeServer *self = data;
  g_autoptr(GError) error = NULL;
  guint want_port = self->port;

  g_main_context_push_thread_default (self->context);

  self->soup = soup_server_new ("server-header", "fake-immich ", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  self->sweep_source = g_timeout_source_new (200);
  g_source_set_callback (self->sweep_source, sweep_sockets_cb, self, NULL);
  g_source_attach (self->sweep_source, self->context);
  if (self->tls_cert != NULL)
    soup_server_set_tls_certificate (self->soup, self->tls_cert);
  g_mutex_lock (&self->lock);
  if (!listen_on_port (self, want_port, &error))
    {
      self->start_error = g_steal_pointer (&error);
      self->start_done = TRUE;
      g_cond_broadcast (&self->start_cond);
      g_mutex_unlock (&self->lock);
      goto out;
    }
  g_free (self->base_url);
  self->base_url = g_strdup_printf ("%s://127.0.0.1:%u", self->tls_cert != NULL ? "https" : "http",
                                    self->port);
  self->start_done = TRUE;
  g_cond_broadcast (&self->start_cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

out:
  if (self->down_source != NULL)
    {
      g_source_destroy (self->down_source);
      g_clear_pointer (&self->down_source, g_source_unref);
    }
  if (self->sweep_source != NULL)
    {
      g_source_destroy (self->sweep_source);
      g_clear_pointer (&self->sweep_source, g_source_unref);
    }
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  close_all_sockets (self);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * pbi_fake_server_add_user:
 *
 * Returns: (transfer full): the new user's id
 */
gchar *
pbi_fake_server_add_user (PbiFakeServer *self,
                          const gchar   *email,
                          const gchar   *name)
{
  gchar *id;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (email != NULL, NULL);

  g_mutex_lock (&self->lock);
  id = g_strdup (add_user_locked (self, email, name != NULL ? name : email)->id);
  g_mutex_unlock (&self->lock);
  return id;
}

void
pbi_fake_server_add_api_key (PbiFakeServer       *self,
                             const gchar         *user_id,
                             const gchar         *key,
                             const gchar * const *permissions)
{
  FakeKey *k;
  FakeUser *u;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));
  g_return_if_fail (key != NULL && *key != '\0');

  g_mutex_lock (&self->lock);
  u = user_id != NULL ? g_hash_table_lookup (self->users, user_id) : first_user_locked (self);
  if (u == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_critical ("pbi_fake_server_add_api_key: no user %s", user_id);
      return;
    }
  k = g_new0 (FakeKey, 1);
  k->key = g_strdup (key);
  k->id = g_uuid_string_random ();
  k->user_id = g_strdup (u->id);
  k->created_at = now_iso ();
  if (permissions == NULL || permissions[0] == NULL)
    {
      const gchar *all[] = { "all", NULL };

      k->permissions = g_strdupv ((gchar **) all);
    }
  else
    {
      k->permissions = g_strdupv ((gchar **) permissions);
    }
  g_hash_table_replace (self->keys, k->key, k);
  g_mutex_unlock (&self->lock);
}

gboolean
pbi_fake_server_set_tls (PbiFakeServer  *self,
                         const gchar    *cert_file,
                         const gchar    *key_file,
                         GError        **error)
{
  GTlsCertificate *cert = NULL;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  if (cert_file != NULL)
    {
      cert = g_tls_certificate_new_from_files (cert_file, key_file, error);
      if (cert == NULL)
        return FALSE;
    }
  g_mutex_lock (&self->lock);
  g_clear_object (&self->tls_cert);
  self->tls_cert = cert;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

const gchar *
pbi_fake_server_get_test_certificate_file (void)
{
  return PBI_FAKE_IMMICH_SRCDIR "/test-cert.pem";
}

const gchar *
pbi_fake_server_get_test_key_file (void)
{
  return PBI_FAKE_IMMICH_SRCDIR "/test-key.pem";
}

gboolean
pbi_fake_server_use_test_certificate (PbiFakeServer  *self,
                                      GError        **error)
{
  return pbi_fake_server_set_tls (self, pbi_fake_server_get_test_certificate_file (),
                                  pbi_fake_server_get_test_key_file (), error);
}

gboolean
pbi_fake_server_start (PbiFakeServer  *self,
                       guint           port,
                       GError        **error)
{
  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->port = port;
  self->start_done = FALSE;
  g_clear_error (&self->start_error);

  g_mutex_lock (&self->lock);
  first_user_locked (self);
  self->thread = g_thread_new ("pbi-fake-server", server_thread, self);
  while (!self->start_done)
    g_cond_wait (&self->start_cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_clear_pointer (&self->loop, g_main_loop_unref);
      g_clear_pointer (&self->context, g_main_context_unref);
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      return FALSE;
    }
  self->running = TRUE;
  return TRUE;
}

void
pbi_fake_server_stop (PbiFakeServer *self)
{
  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  if (!self->running)
    return;
  g_main_loop_quit (self->loop);
  g_thread_join (g_steal_pointer (&self->thread));
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_unlock (&self->lock);
  self->running = FALSE;
}

const gchar *
pbi_fake_server_get_base_url (PbiFakeServer *self)
{
  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  return self->base_url;
}

guint
pbi_fake_server_get_port (PbiFakeServer *self)
{
  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), 0);
  return self->port;
}

/**
 * pbi_fake_server_dup_state:
 *
 * Returns: (transfer full): the state GET /__fake/state serves
 */
JsonNode *
pbi_fake_server_dup_state (PbiFakeServer *self)
{
  JsonNode *node;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);

  g_mutex_lock (&self->lock);
  node = build_state_locked (self);
  g_mutex_unlock (&self->lock);
  return node;
}

gboolean
pbi_fake_server_set_faults_json (PbiFakeServer  *self,
                                 const gchar    *json,
                                 GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gboolean ret;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  ret = set_faults_locked (self, json_parser_get_root (parser), error);
  g_mutex_unlock (&self->lock);
  return ret;
}

/**
 * pbi_fake_server_create_album:
 *
 * Returns: (transfer full): the new album's id
 */
gchar *
pbi_fake_server_create_album (PbiFakeServer *self,
                              const gchar   *owner_user_id,
                              const gchar   *name)
{
  gchar *id;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_mutex_lock (&self->lock);
  if (owner_user_id == NULL)
    owner_user_id = first_user_locked (self)->id;
  id = g_strdup (add_album_locked (self, owner_user_id, name)->id);
  g_mutex_unlock (&self->lock);
  return id;
}

void
pbi_fake_server_delete_album (PbiFakeServer *self,
                              const gchar   *album_id)
{
  FakeAlbum *a;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->albums, album_id);
  if (a != NULL)
    {
      g_ptr_array_remove (self->album_order, a);
      g_hash_table_remove (self->albums, album_id);
    }
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_trash_asset (PbiFakeServer *self,
                             const gchar   *asset_id)
{
  FakeAsset *a;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->assets, asset_id);
  if (a != NULL)
    a->trashed = TRUE;
  g_mutex_unlock (&self->lock);
}

/**
 * pbi_fake_server_add_asset:
 *
 * Returns: (transfer full): the new asset's id
 */
gchar *
pbi_fake_server_add_asset (PbiFakeServer *self,
                           const gchar   *owner_user_id,
                           const gchar   *sha1_hex,
                           guint64        size,
                           const gchar   *filename)
{
  g_autofree gchar *now = now_iso ();
  gchar *id;

  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (sha1_hex != NULL && strlen (sha1_hex) == 40, NULL);

  g_mutex_lock (&self->lock);
  if (owner_user_id == NULL)
    owner_user_id = first_user_locked (self)->id;
  id = g_strdup (add_asset_locked (self, owner_user_id, sha1_hex, size,
                                   filename != NULL ? filename : "asset.jpg", now)->id);
  g_mutex_unlock (&self->lock);
  return id;
}

void
pbi_fake_server_reset_faults (PbiFakeServer *self)
{
  g_return_if_fail (PBI_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  faults_clear (&self->faults);
  g_mutex_unlock (&self->lock);
}

void
pbi_fake_server_share_album (PbiFakeServer *self,
                             const gchar   *album_id,
                             const gchar   *user_id,
                             const gchar   *role)
{
  FakeAlbum *a;

  g_return_if_fail (PBI_IS_FAKE_SERVER (self));
  g_return_if_fail (role != NULL);

  g_mutex_lock (&self->lock);
  a = g_hash_table_lookup (self->albums, album_id);
  if (a != NULL)
    g_hash_table_replace (a->users, g_strdup (user_id), g_strdup (role));
  g_mutex_unlock (&self->lock);
}

const gchar *
pbi_fake_server_get_api_version (PbiFakeServer *self)
{
  g_return_val_if_fail (PBI_IS_FAKE_SERVER (self), NULL);
  return self->version;
}
