/* pbi-fake-model.c: the fake Immich server's state helpers, replies and validation issues
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-fake-server-private.h"

gchar *
_pbi_fake_now_iso (void)
{
  g_autoptr(GDateTime) dt = g_date_time_new_now_utc ();
  g_autofree gchar *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", base, g_date_time_get_microsecond (dt) / 1000);
}

gchar *
_pbi_fake_random_cid (void)
{
  static const gchar alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  gchar buf[9];

  for (guint i = 0; i < 8; i++)
    buf[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  buf[8] = '\0';
  return g_strdup (buf);
}

gboolean
_pbi_fake_has_permissions (PbiFakeServer *self)
{
  return self->major >= 2 || (self->major == 1 && self->minor >= 116);
}

gboolean
_pbi_fake_version_at_least (PbiFakeServer *self,
                            guint          major,
                            guint          minor)
{
  return self->major > major || (self->major == major && self->minor >= minor);
}

void
_pbi_fake_user_free (FakeUser *u)
{
  g_free (u->id);
  g_free (u->email);
  g_free (u->name);
  g_free (u->created_at);
  g_free (u);
}

void
_pbi_fake_key_free (FakeKey *k)
{
  g_free (k->key);
  g_free (k->id);
  g_free (k->name);
  g_free (k->user_id);
  g_free (k->created_at);
  g_strfreev (k->permissions);
  g_free (k);
}

static void
member_free (FakeMember *m)
{
  g_free (m->user_id);
  g_free (m->role);
  g_free (m);
}

void
_pbi_fake_album_free (FakeAlbum *a)
{
  g_free (a->id);
  g_free (a->name);
  g_free (a->owner_id);
  g_free (a->created_at);
  g_free (a->updated_at);
  g_free (a->last_asset_at);
  g_ptr_array_unref (a->members);
  g_hash_table_unref (a->asset_set);
  g_ptr_array_unref (a->assets);
  g_free (a);
}

void
_pbi_fake_asset_free (FakeAsset *a)
{
  g_free (a->id);
  g_free (a->owner_id);
  g_free (a->checksum);
  g_free (a->filename);
  g_free (a->file_created_at);
  g_free (a->file_modified_at);
  g_free (a->created_at);
  g_free (a->device_asset_id);
  g_free (a->device_id);
  g_clear_pointer (&a->data, g_bytes_unref);
  g_free (a);
}

void
_pbi_fake_link_free (FakeLink *l)
{
  g_free (l->id);
  g_free (l->key);
  g_free (l->user_id);
  g_free (l->type);
  g_free (l->album_id);
  g_free (l->description);
  g_free (l->created_at);
  g_free (l->password);
  g_free (l->expires_at);
  g_ptr_array_unref (l->asset_ids);
  g_free (l);
}

/* ------------------------------------------------------------------ */
/* State helpers (lock held)                                           */

FakeUser *
_pbi_fake_add_user_locked (PbiFakeServer *self,
                           const gchar   *email,
                           const gchar   *name)
{
  FakeUser *u = g_new0 (FakeUser, 1);

  u->id = g_uuid_string_random ();
  u->email = g_strdup (email);
  u->name = g_strdup (name != NULL ? name : email);
  u->created_at = _pbi_fake_now_iso ();
  g_hash_table_insert (self->users, u->id, u);
  g_ptr_array_add (self->user_order, u);
  return u;
}

FakeUser *
_pbi_fake_first_user_locked (PbiFakeServer *self)
{
  if (self->user_order->len == 0)
    return _pbi_fake_add_user_locked (self, "photobooth@example.com", "Photobooth");
  return g_ptr_array_index (self->user_order, 0);
}

/* A user by id or by email; NULL = the first user. */
FakeUser *
_pbi_fake_find_user_locked (PbiFakeServer *self,
                            const gchar   *id_or_email)
{
  FakeUser *u;

  if (id_or_email == NULL)
    return _pbi_fake_first_user_locked (self);
  u = g_hash_table_lookup (self->users, id_or_email);
  if (u != NULL)
    return u;
  for (guint i = 0; i < self->user_order->len; i++)
    {
      u = g_ptr_array_index (self->user_order, i);
      if (g_ascii_strcasecmp (u->email, id_or_email) == 0)
        return u;
    }
  return NULL;
}

FakeKey *
_pbi_fake_add_key_locked (PbiFakeServer       *self,
                          FakeUser            *user,
                          const gchar         *key,
                          const gchar         *name,
                          const gchar * const *permissions)
{
  FakeKey *k = g_new0 (FakeKey, 1);
  FakeKey *old = g_hash_table_lookup (self->keys, key);

  if (old != NULL)
    g_ptr_array_remove (self->key_order, old);
  k->key = g_strdup (key);
  k->id = g_uuid_string_random ();
  k->name = g_strdup (name != NULL ? name : "fake-immich key");
  k->user_id = g_strdup (user->id);
  k->created_at = _pbi_fake_now_iso ();
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
  g_ptr_array_add (self->key_order, k);
  return k;
}

FakeAlbum *
_pbi_fake_add_album_locked (PbiFakeServer *self,
                            const gchar   *owner_id,
                            const gchar   *name)
{
  FakeAlbum *a = g_new0 (FakeAlbum, 1);

  a->id = g_uuid_string_random ();
  a->name = g_strdup (name);
  a->owner_id = g_strdup (owner_id);
  a->created_at = _pbi_fake_now_iso ();
  a->updated_at = g_strdup (a->created_at);
  a->members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_free);
  a->assets = g_ptr_array_new_with_free_func (g_free);
  a->asset_set = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (self->albums, a->id, a);
  g_ptr_array_add (self->album_order, a);
  return a;
}

/* Deletes the album and the shared links that point at it. */
void
_pbi_fake_remove_album_locked (PbiFakeServer *self,
                               FakeAlbum     *album)
{
  for (guint i = self->links->len; i > 0; i--)
    {
      FakeLink *l = g_ptr_array_index (self->links, i - 1);

      if (g_strcmp0 (l->album_id, album->id) == 0)
        g_ptr_array_remove_index (self->links, i - 1);
    }
  g_ptr_array_remove (self->album_order, album);
  g_hash_table_remove (self->albums, album->id);
}

/* "owner", "editor", "viewer" or NULL (no access). */
const gchar *
_pbi_fake_album_role (FakeAlbum   *album,
                      const gchar *user_id)
{
  if (g_strcmp0 (album->owner_id, user_id) == 0)
    return "owner";
  for (guint i = 0; i < album->members->len; i++)
    {
      FakeMember *m = g_ptr_array_index (album->members, i);

      if (g_strcmp0 (m->user_id, user_id) == 0)
        return m->role;
    }
  return NULL;
}

void
_pbi_fake_album_set_member (FakeAlbum   *album,
                            const gchar *user_id,
                            const gchar *role)
{
  FakeMember *m;

  for (guint i = 0; i < album->members->len; i++)
    {
      m = g_ptr_array_index (album->members, i);
      if (g_strcmp0 (m->user_id, user_id) == 0)
        {
          g_free (m->role);
          m->role = g_strdup (role);
          return;
        }
    }
  m = g_new0 (FakeMember, 1);
  m->user_id = g_strdup (user_id);
  m->role = g_strdup (role);
  g_ptr_array_add (album->members, m);
}

gboolean
_pbi_fake_album_remove_member (FakeAlbum   *album,
                               const gchar *user_id)
{
  for (guint i = 0; i < album->members->len; i++)
    {
      FakeMember *m = g_ptr_array_index (album->members, i);

      if (g_strcmp0 (m->user_id, user_id) == 0)
        {
          g_ptr_array_remove_index (album->members, i);
          return TRUE;
        }
    }
  return FALSE;
}

void
_pbi_fake_album_add_asset (FakeAlbum   *album,
                           const gchar *asset_id)
{
  gchar *copy = g_strdup (asset_id);

  g_ptr_array_add (album->assets, copy);
  g_hash_table_add (album->asset_set, copy);
  g_free (album->updated_at);
  album->updated_at = _pbi_fake_now_iso ();
  g_free (album->last_asset_at);
  album->last_asset_at = g_strdup (album->updated_at);
}

gboolean
_pbi_fake_album_remove_asset (FakeAlbum   *album,
                              const gchar *asset_id)
{
  for (guint i = 0; i < album->assets->len; i++)
    {
      const gchar *id = g_ptr_array_index (album->assets, i);

      if (g_strcmp0 (id, asset_id) == 0)
        {
          g_hash_table_remove (album->asset_set, id);
          g_ptr_array_remove_index (album->assets, i);
          g_free (album->updated_at);
          album->updated_at = _pbi_fake_now_iso ();
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
_pbi_fake_album_can_write (FakeAlbum   *album,
                           const gchar *user_id)
{
  const gchar *role = _pbi_fake_album_role (album, user_id);

  return g_strcmp0 (role, "owner") == 0 || g_strcmp0 (role, "editor") == 0;
}

gboolean
_pbi_fake_album_can_read (FakeAlbum   *album,
                          const gchar *user_id)
{
  return _pbi_fake_album_role (album, user_id) != NULL;
}

gboolean
_pbi_fake_album_has_link (PbiFakeServer *self,
                          FakeAlbum     *album)
{
  for (guint i = 0; i < self->links->len; i++)
    {
      FakeLink *l = g_ptr_array_index (self->links, i);

      if (g_strcmp0 (l->album_id, album->id) == 0)
        return TRUE;
    }
  return FALSE;
}

/* album.dto.ts: shared = it has other users or a shared link */
gboolean
_pbi_fake_album_is_shared (PbiFakeServer *self,
                           FakeAlbum     *album)
{
  return album->members->len > 0 || _pbi_fake_album_has_link (self, album);
}

static gchar *
checksum_key (const gchar *owner_id,
              const gchar *hex)
{
  return g_strconcat (owner_id, "/", hex, NULL);
}

FakeAsset *
_pbi_fake_find_asset_by_checksum (PbiFakeServer *self,
                                  const gchar   *owner_id,
                                  const gchar   *hex)
{
  g_autofree gchar *key = checksum_key (owner_id, hex);

  return g_hash_table_lookup (self->by_checksum, key);
}

/* What the real server's fromChecksum() does: 28 characters are base64,
 * anything else hex. Returns lowercase hex or NULL when undecodable. */
gchar *
_pbi_fake_checksum_to_hex (const gchar *checksum)
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

FakeAsset *
_pbi_fake_add_asset_locked (PbiFakeServer *self,
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
  asset->created_at = _pbi_fake_now_iso ();
  asset->file_created_at = g_strdup (file_created_at != NULL ? file_created_at
                                                             : asset->created_at);
  asset->file_modified_at = g_strdup (asset->file_created_at);
  asset->size = size;
  g_hash_table_insert (self->assets, asset->id, asset);
  g_hash_table_insert (self->by_checksum, checksum_key (owner_id, asset->checksum), asset);
  g_ptr_array_add (self->asset_order, asset);
  self->bytes += asset->size;
  return asset;
}

/* Deletes the asset for good: from its albums, the checksum index and the
 * counters. */
void
_pbi_fake_remove_asset_locked (PbiFakeServer *self,
                               FakeAsset     *asset)
{
  g_autofree gchar *key = checksum_key (asset->owner_id, asset->checksum);

  for (guint i = 0; i < self->album_order->len; i++)
    _pbi_fake_album_remove_asset (g_ptr_array_index (self->album_order, i), asset->id);
  if (g_hash_table_lookup (self->by_checksum, key) == asset)
    g_hash_table_remove (self->by_checksum, key);
  self->bytes -= MIN (self->bytes, asset->size);
  g_ptr_array_remove (self->asset_order, asset);
  g_hash_table_remove (self->assets, asset->id);
}

void
_pbi_fake_faults_clear (Faults *f)
{
  memset (f, 0, sizeof *f);
  f->retry_after = -1;
  f->error_5xx_status = 503;
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */

void
_pbi_fake_reply_clear (Reply *r)
{
  g_clear_pointer (&r->body, g_free);
  g_clear_pointer (&r->cid, g_free);
}

void
_pbi_fake_reply_node (Reply    *r,
                      guint     status,
                      JsonNode *node)
{
  g_free (r->body);
  r->status = status;
  r->body = json_to_string (node, FALSE);
  r->body_len = 0;
  r->content_type = JSON_TYPE;
}

void
_pbi_fake_reply_builder (Reply       *r,
                         guint        status,
                         JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  _pbi_fake_reply_node (r, status, node);
}

void
_pbi_fake_reply_text (Reply       *r,
                      guint        status,
                      const gchar *content_type,
                      const gchar *text)
{
  g_free (r->body);
  r->status = status;
  r->body = g_strdup (text);
  r->body_len = 0;
  r->content_type = content_type;
}

void
_pbi_fake_reply_empty (Reply *r,
                       guint  status)
{
  g_clear_pointer (&r->body, g_free);
  r->body_len = 0;
  r->status = status;
  r->content_type = NULL;
}

/* Error body per family. message_node is a string or (1.x/2.x validation)
 * an array of strings. 3.x: {"message"} only, the correlation id goes in
 * a header (global-exception.filter.ts); older: NestJS' default body plus
 * correlationId, the same id as the x-immich-cid header. */
void
_pbi_fake_reply_error_node (PbiFakeServer *self,
                            Reply         *r,
                            guint          status,
                            JsonNode      *message_node)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (r->cid == NULL)
    r->cid = _pbi_fake_random_cid ();
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
  _pbi_fake_reply_builder (r, status, b);
}

void
_pbi_fake_reply_error (PbiFakeServer *self,
                       Reply         *r,
                       guint          status,
                       const gchar   *message)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), message);

  _pbi_fake_reply_error_node (self, r, status, node);
}

void
_pbi_fake_issues_init (Issues *iss)
{
  iss->zod = json_array_new ();
  iss->messages = g_ptr_array_new_with_free_func (g_free);
}

void
_pbi_fake_issues_clear (Issues *iss)
{
  g_clear_pointer (&iss->zod, json_array_unref);
  g_clear_pointer (&iss->messages, g_ptr_array_unref);
}

gboolean
_pbi_fake_issues_empty (Issues *iss)
{
  return json_array_get_length (iss->zod) == 0 && iss->messages->len == 0;
}

/* The patterns zod 4 reports with an invalid_format issue. */
static const gchar uuid_pattern[] =
  "/^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$/";
static const gchar datetime_pattern[] =
  "/^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29"
  "|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)"
  "|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d+)?)?"
  "(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$/";

/* A zod issue. index >= 0 adds a second path element. An invalid_format
 * issue's `expected` names the format ("uuid" or "datetime"). */
void
_pbi_fake_issue_zod (Issues      *iss,
                     const gchar *code,
                     const gchar *field,
                     gint         index,
                     const gchar *expected,
                     const gchar *message)
{
  JsonObject *o = json_object_new ();
  JsonArray *path = json_array_new ();

  if (g_strcmp0 (code, "invalid_format") == 0)
    {
      gboolean uuid = g_strcmp0 (expected, "uuid") == 0;

      json_object_set_string_member (o, "origin", "string");
      json_object_set_string_member (o, "code", code);
      json_object_set_string_member (o, "format", uuid ? "uuid" : "datetime");
      json_object_set_string_member (o, "pattern", uuid ? uuid_pattern : datetime_pattern);
    }
  else
    {
      if (expected != NULL)
        json_object_set_string_member (o, "expected", expected);
      json_object_set_string_member (o, "code", code);
    }
  json_array_add_string_element (path, field);
  if (index >= 0)
    json_array_add_int_element (path, index);
  json_object_set_array_member (o, "path", path);
  json_object_set_string_member (o, "message", message);
  json_array_add_object_element (iss->zod, o);
}

void
_pbi_fake_issue_uuid (Issues      *iss,
                      const gchar *field,
                      gint         index)
{
  _pbi_fake_issue_zod (iss, "invalid_format", field, index, "uuid", "Invalid UUID");
}

void
_pbi_fake_issue_missing (Issues      *iss,
                         const gchar *field,
                         const gchar *expected,
                         const gchar *received)
{
  g_autofree gchar *msg = g_strdup_printf ("Invalid input: expected %s, received %s",
                                           expected, received);

  _pbi_fake_issue_zod (iss, "invalid_type", field, -1, expected, msg);
}

void
_pbi_fake_issue_msg (Issues      *iss,
                     const gchar *message)
{
  g_ptr_array_add (iss->messages, g_strdup (message));
}

void
_pbi_fake_reply_issues (PbiFakeServer *self,
                        Reply         *r,
                        Issues        *iss)
{
  if (self->family == FAMILY_V3)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, "Validation failed");
      json_builder_set_member_name (b, "errors");
      json_builder_add_value (b, json_node_init_array (json_node_alloc (), iss->zod));
      json_builder_end_object (b);
      _pbi_fake_reply_builder (r, 400, b);
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      JsonArray *arr = json_array_new ();

      for (guint i = 0; i < iss->messages->len; i++)
        json_array_add_string_element (arr, g_ptr_array_index (iss->messages, i));
      json_node_take_array (node, arr);
      _pbi_fake_reply_error_node (self, r, 400, node);
    }
}
