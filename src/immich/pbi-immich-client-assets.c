/* pbi-immich-client-assets.c: asset endpoints of PbiImmichClient: bulk checksum
 * check, restore from trash, and upload (with sidecar).
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pbi-immich-client.h"
#include "pbi-immich-client-private.h"
#include "pbi-multipart-stream.h"
#define DEFAULT_DEVICE_ID         "photobooth-immich-sync"

/* ------------------------------------------------------------------ */
/* Bulk check                                                          */
/* ------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *items;    /* (owned) PbiImmichCheckItem, borrowed elements */
  GPtrArray *results;  /* (owned) PbiImmichCheckResult */
  guint      offset;
  guint      count;    /* items in the batch in flight */
} BulkCheck;

static void
bulk_check_free (BulkCheck *b)
{
  g_clear_pointer (&b->items, g_ptr_array_unref);
  g_clear_pointer (&b->results, g_ptr_array_unref);
  g_free (b);
}

static void bulk_check_start (GTask *task);

static void
bulk_check_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BulkCheck *b = g_task_get_task_data (task);
  g_autoptr(JsonAnswer) answer = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  JsonArray *arr;
  guint i;

  answer = _pbi_immich_api_call_finish_or_return (PBI_IMMICH_CLIENT (object), result, task);
  if (answer == NULL)
    return;
  arr = _pbi_immich_obj_array (_pbi_immich_node_object (answer->root), "results");
  if (arr == NULL)
    {
      _pbi_immich_return_bad_response (task, answer->resp, "lacks the results");
      return;
    }
  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *n = json_array_get_element (arr, i);
      JsonObject *obj = _pbi_immich_node_object (n);
      const gchar *action = _pbi_immich_obj_string (obj, "action");

      if (_pbi_immich_obj_string (obj, "id") == NULL
          || (g_strcmp0 (action, "accept") != 0 && g_strcmp0 (action, "reject") != 0))
        {
          _pbi_immich_return_bad_response (task, answer->resp, "has a result without id or action");
          return;
        }
      g_hash_table_insert (by_id, (gpointer) _pbi_immich_obj_string (obj, "id"), obj);
    }
  for (i = b->offset; i < b->offset + b->count; i++)
    {
      PbiImmichCheckItem *item = g_ptr_array_index (b->items, i);
      JsonObject *obj = g_hash_table_lookup (by_id, item->id);
      PbiImmichCheckResult *r;

      if (obj == NULL)
        {
          g_autofree gchar *why = g_strdup_printf ("lacks a result for “%s”", item->id);

          _pbi_immich_return_bad_response (task, answer->resp, why);
          return;
        }
      r = g_new0 (PbiImmichCheckResult, 1);
      r->id = g_strdup (item->id);
      r->accepted = g_str_equal (_pbi_immich_obj_string (obj, "action"), "accept");
      r->reason = g_strdup (_pbi_immich_obj_string (obj, "reason"));
      r->asset_id = g_strdup (_pbi_immich_obj_string (obj, "assetId"));
      _pbi_immich_obj_bool (obj, "isTrashed", &r->is_trashed);
      g_ptr_array_add (b->results, r);
    }
  b->offset += b->count;
  bulk_check_start (g_steal_pointer (&task));
}

static void
bulk_check_start (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  BulkCheck *b = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  guint i;

  if (b->offset >= b->items->len)
    {
      g_task_return_pointer (task, g_ptr_array_ref (b->results),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  b->count = MIN (PBI_IMMICH_BULK_CHECK_BATCH, b->items->len - b->offset);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "assets");
  json_builder_begin_array (builder);
  for (i = b->offset; i < b->offset + b->count; i++)
    {
      PbiImmichCheckItem *item = g_ptr_array_index (b->items, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, item->id);
      json_builder_set_member_name (builder, "checksum");
      json_builder_add_string_value (builder, item->checksum);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  _pbi_immich_task_api_call (task, "POST", IS_V1 (self) ? "asset/bulk-upload-check"
                                                        : "assets/bulk-upload-check",
                             body, REQ_NONE, bulk_check_cb);
}

void
pbi_immich_client_bulk_check_async (PbiImmichClient     *self,
                                    GPtrArray           *items,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  BulkCheck *b;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (items != NULL);

  b = g_new0 (BulkCheck, 1);
  b->items = g_ptr_array_ref (items);
  b->results = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_immich_check_result_free);
  _pbi_immich_task_start (self, pbi_immich_client_bulk_check_async, bulk_check_start,
                          b, (GDestroyNotify) bulk_check_free, cancellable, callback, user_data);
}

/**
 * pbi_immich_client_bulk_check_finish:
 *
 * Returns: (transfer container) (element-type PbiImmichCheckResult): one
 *   per item, in the items' order
 */
GPtrArray *
pbi_immich_client_bulk_check_finish (PbiImmichClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_bulk_check_async, error);
}

/* ------------------------------------------------------------------ */
/* Restore from trash                                                  */
/* ------------------------------------------------------------------ */

static void
restore_start (GTask *task)
{
  /* 1.x answers 204 without a body, later ones {"count": n}: either is done. */
  _pbi_immich_task_api_call (task, "POST", "trash/restore/assets", g_task_get_task_data (task),
                             REQ_NONE, _pbi_immich_return_true_cb);
}

void
pbi_immich_client_restore_assets_async (PbiImmichClient     *self,
                                        const gchar * const *asset_ids,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));

  _pbi_immich_task_start (self, pbi_immich_client_restore_assets_async, restore_start,
                          _pbi_immich_ids_body (asset_ids), (GDestroyNotify) json_node_unref,
                          cancellable, callback, user_data);
}

gboolean
pbi_immich_client_restore_assets_finish (PbiImmichClient  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  return _pbi_immich_task_finish_boolean (self, result, pbi_immich_client_restore_assets_async,
                                          error);
}

/* ------------------------------------------------------------------ */
/* Upload                                                              */
/* ------------------------------------------------------------------ */

typedef struct
{
  PbiImmichUpload       *upload;          /* (owned) */
  PbiImmichProgressFunc  progress;
  gpointer               progress_data;
  goffset                size;
  GDateTime             *mtime;           /* (owned) */
  GInputStream          *asset_stream;    /* (owned) (nullable) */
  gchar                 *sidecar_path;    /* (owned) (nullable) */
  goffset                sidecar_size;
  GInputStream          *sidecar_stream;  /* (owned) (nullable) */
} Upload;

static void
upload_data_free (Upload *u)
{
  g_clear_pointer (&u->upload, pbi_immich_upload_free);
  g_clear_pointer (&u->mtime, g_date_time_unref);
  g_clear_object (&u->asset_stream);
  g_free (u->sidecar_path);
  g_clear_object (&u->sidecar_stream);
  g_free (u);
}

static gchar *
mime_type_for (const gchar *filename)
{
  g_autofree gchar *type = g_content_type_guess (filename, NULL, 0, NULL);
  gchar *mime = type ? g_content_type_get_mime_type (type) : NULL;

  return mime ? mime : g_strdup ("application/octet-stream");
}

static gchar *
iso8601 (GDateTime *dt)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (dt);

  return g_date_time_format_iso8601 (local);
}

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiImmichClient *self = PBI_IMMICH_CLIENT (object);
  g_autoptr(Response) resp = NULL;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *obj;
  PbiImmichUploadResult *r;
  const gchar *status;
  gboolean duplicate = FALSE;

  root = _pbi_immich_exchange_finish_json (self, result, &resp, &error);
  if (root == NULL)
    {
      Upload *u = g_task_get_task_data (task);

      /* the request knows the body's length; the user knows the file's */
      if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_TOO_LARGE))
        {
          g_clear_error (&error);
          error = _pbi_immich_too_large_error (u->size);
        }
      g_task_return_error (task, error);
      return;
    }
  obj = _pbi_immich_node_object (root);
  if (_pbi_immich_obj_string (obj, "id") == NULL)
    {
      _pbi_immich_return_bad_response (task, resp, "lacks the asset's id");
      return;
    }
  status = _pbi_immich_obj_string (obj, "status");
  if (status != NULL)
    duplicate = g_str_equal (status, "duplicate");
  else if (!_pbi_immich_obj_bool (obj, "duplicate", &duplicate))
    {
      _pbi_immich_return_bad_response (task, resp, "says neither status nor duplicate");
      return;
    }
  r = g_new0 (PbiImmichUploadResult, 1);
  r->id = g_strdup (_pbi_immich_obj_string (obj, "id"));
  r->duplicate = duplicate;
  g_task_return_pointer (task, r, (GDestroyNotify) pbi_immich_upload_result_free);
}

static void
upload_send (GTask *task)
{
  PbiImmichClient *self = g_task_get_source_object (task);
  Upload *u = g_task_get_task_data (task);
  PbiImmichUpload *up = u->upload;
  g_autofree gchar *uuid = g_uuid_string_random ();
  g_autofree gchar *boundary = g_strconcat ("----pbi-immich-", uuid, NULL);
  g_autoptr(PbiMultipartStream) body = pbi_multipart_stream_new (boundary);
  g_autofree gchar *basename = g_path_get_basename (up->path);
  const gchar *filename = up->filename ? up->filename : basename;
  g_autofree gchar *created = iso8601 (up->file_created_at ? up->file_created_at : u->mtime);
  g_autofree gchar *modified = iso8601 (up->file_modified_at ? up->file_modified_at : u->mtime);
  g_autofree gchar *size = g_strdup_printf ("%" G_GOFFSET_FORMAT, u->size);
  g_autofree gchar *mime = mime_type_for (filename);
  g_autofree gchar *content_type = NULL;
  g_autofree gchar *url = NULL;
  SoupMessage *msg;

  if (self->family == PBI_IMMICH_API_V3)
    {
      pbi_multipart_stream_add_field (body, "fileCreatedAt", created);
      pbi_multipart_stream_add_field (body, "fileModifiedAt", modified);
      pbi_multipart_stream_add_field (body, "fileSize", size);
      pbi_multipart_stream_add_field (body, "isFavorite", "false");
      /* The multipart file name must escape '"' (and CR, LF), and the
       * server stores the escape; the text field carries the exact name. */
      pbi_multipart_stream_add_field (body, "filename", filename);
    }
  else
    {
      g_autofree gchar *device_asset_id =
        up->device_asset_id ? g_strdup (up->device_asset_id)
                            : _pbi_immich_default_device_asset_id (filename, u->size);

      pbi_multipart_stream_add_field (body, "deviceAssetId", device_asset_id);
      pbi_multipart_stream_add_field (body, "deviceId",
                                      up->device_id ? up->device_id : DEFAULT_DEVICE_ID);
      pbi_multipart_stream_add_field (body, "fileCreatedAt", created);
      pbi_multipart_stream_add_field (body, "fileModifiedAt", modified);
      pbi_multipart_stream_add_field (body, "isFavorite", "false");
      /* `filename` came with the asset-media upload (1.106); 1.x servers
       * (CreateAssetDto) know the multipart name only. */
      if (self->family == PBI_IMMICH_API_V2)
        pbi_multipart_stream_add_field (body, "filename", filename);
    }
  pbi_multipart_stream_add_file (body, "assetData", filename, mime, u->asset_stream, u->size);
  if (u->sidecar_stream != NULL)
    {
      g_autofree gchar *sidecar_name = g_path_get_basename (u->sidecar_path);

      pbi_multipart_stream_add_file (body, "sidecarData", sidecar_name, "application/xml",
                                     u->sidecar_stream, u->sidecar_size);
    }
  pbi_multipart_stream_close_parts (body);

  url = _pbi_immich_api_url_for (self, IS_V1 (self) ? "asset/upload" : "assets");
  msg = _pbi_immich_new_message ("POST", url);
  content_type = pbi_multipart_stream_dup_content_type (body);
  soup_message_set_request_body (msg, content_type, G_INPUT_STREAM (body),
                                 pbi_multipart_stream_get_length (body));
  /* Lets a server or proxy refuse (401, 403, 413) before the file is sent. */
  soup_message_headers_set_expectations (soup_message_get_request_headers (msg),
                                         SOUP_EXPECTATION_CONTINUE);
  if (up->checksum != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-immich-checksum",
                                  up->checksum);
  _pbi_immich_exchange_async (self, msg, REQ_UPLOAD, body, u->progress, u->progress_data,
                              g_task_get_cancellable (task), upload_cb, task);
}

static GError *
file_error (const gchar  *path,
            const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                        "Could not read “%s”: the file does not exist", path);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                        "Could not read “%s”: permission denied", path);
  return g_error_new (PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                      "Could not read “%s”: %s", path, error->message);
}

/* Finishes opening @path: its stream, or NULL when the error (in file
 * words unless cancelled) has been returned on @task. */
static GInputStream *
upload_opened_or_return (GObject      *file,
                         GAsyncResult *result,
                         GTask        *task,
                         const gchar  *path)
{
  g_autoptr(GError) error = NULL;
  GFileInputStream *stream;

  stream = g_file_read_finish (G_FILE (file), result, &error);
  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, file_error (path, error));
      return NULL;
    }
  return G_INPUT_STREAM (stream);
}

static void
upload_sidecar_opened_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *u = g_task_get_task_data (task);

  u->sidecar_stream = upload_opened_or_return (object, result, task, u->sidecar_path);
  if (u->sidecar_stream != NULL)
    upload_send (g_steal_pointer (&task));
}

static void
upload_asset_opened_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *u = g_task_get_task_data (task);

  u->asset_stream = upload_opened_or_return (object, result, task, u->upload->path);
  if (u->asset_stream == NULL)
    return;
  if (u->sidecar_path != NULL)
    {
      g_autoptr(GFile) sidecar = g_file_new_for_path (u->sidecar_path);
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_file_read_async (sidecar, G_PRIORITY_DEFAULT, cancellable,
                         upload_sidecar_opened_cb, g_steal_pointer (&task));
      return;
    }
  upload_send (g_steal_pointer (&task));
}

static void
upload_start (GTask *task)
{
  Upload *u = g_task_get_task_data (task);
  g_autoptr(GFile) file = g_file_new_for_path (u->upload->path);

  g_file_read_async (file, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                     upload_asset_opened_cb, task);
}

void
pbi_immich_client_upload_async (PbiImmichClient       *self,
                                PbiImmichUpload       *upload,
                                PbiImmichProgressFunc  progress,
                                gpointer               progress_data,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  GTask *task;
  Upload *u;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PBI_IS_IMMICH_CLIENT (self));
  g_return_if_fail (upload != NULL && upload->path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_immich_client_upload_async);
  u = g_new0 (Upload, 1);
  u->upload = pbi_immich_upload_copy (upload);
  u->progress = progress;
  u->progress_data = progress_data;
  g_task_set_task_data (task, u, (GDestroyNotify) upload_data_free);

  /* Stats are quick; the reads happen asynchronously while sending. */
  file = g_file_new_for_path (upload->path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (info == NULL)
    {
      g_task_return_error (task, file_error (upload->path, error));
      g_object_unref (task);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_FILE,
                               "“%s” is not a regular file", upload->path);
      g_object_unref (task);
      return;
    }
  u->size = g_file_info_get_size (info);
  u->mtime = g_file_info_get_modification_date_time (info);
  if (u->mtime == NULL)
    u->mtime = g_date_time_new_now_utc ();

  if (!upload->no_sidecar)
    {
      u->sidecar_path = upload->sidecar_path ? g_strdup (upload->sidecar_path)
                                             : _pbi_immich_find_sidecar (upload->path);
      if (u->sidecar_path != NULL)
        {
          g_autoptr(GFile) sidecar = g_file_new_for_path (u->sidecar_path);
          g_autoptr(GFileInfo) sinfo = NULL;

          sinfo = g_file_query_info (sidecar, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                     G_FILE_QUERY_INFO_NONE, NULL, &error);
          if (sinfo == NULL)
            {
              g_task_return_error (task, file_error (u->sidecar_path, error));
              g_object_unref (task);
              return;
            }
          u->sidecar_size = g_file_info_get_size (sinfo);
        }
    }

  _pbi_immich_ensure_api (self, task, upload_start);
}

/**
 * pbi_immich_client_upload_finish:
 *
 * Returns: (transfer full): the asset's id, and whether the server had it
 */
PbiImmichUploadResult *
pbi_immich_client_upload_finish (PbiImmichClient  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  return _pbi_immich_task_finish_pointer (self, result, pbi_immich_client_upload_async, error);
}
