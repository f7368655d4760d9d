/* pbi-engine-share.c: the event album's guest link: made once (its id kept
 * in the store per server and album), reused, or revoked. The URL guests
 * open is the server's external domain (when its admin set one) or the
 * server's own address, with /share/<key>.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-engine-event-private.h"
#include "pbi-store-events.h"

typedef struct
{
  PbiImmichClient     *client;        /* (owned) */
  gchar               *album_name;
  gchar               *album_id;
  GDateTime           *expires_at;    /* (owned) (nullable) */
  gchar               *password;      /* (owned) (nullable) */
  gboolean             no_download;
  gboolean             options_given;
  gboolean             revoke;
  PbiImmichSharedLink *link;          /* (owned) (nullable) */
  gboolean             reused;
} Share;

static void
share_free (Share *s)
{
  g_clear_object (&s->client);
  g_free (s->album_name);
  g_free (s->album_id);
  g_clear_pointer (&s->expires_at, g_date_time_unref);
  if (s->password != NULL)
    memset (s->password, 0, strlen (s->password));
  g_free (s->password);
  g_clear_pointer (&s->link, pbi_immich_shared_link_free);
  g_free (s);
}

/* The web address: the API's address without its /api. */
static gchar *
web_base (PbiImmichClient *client)
{
  const gchar *api = pbi_immich_client_get_api_url (client);
  g_autofree gchar *base = g_strdup (api != NULL ? api : pbi_immich_client_get_server_url (client));
  gsize len;

  while ((len = strlen (base)) > 0 && base[len - 1] == '/')
    base[len - 1] = '\0';
  if (g_str_has_suffix (base, "/api"))
    base[strlen (base) - 4] = '\0';
  return g_steal_pointer (&base);
}

static void
domain_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Share *s = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *domain = NULL;
  g_autofree gchar *base = NULL;
  PbiShareLink *out;

  domain = pbi_immich_client_get_external_domain_finish (PBI_IMMICH_CLIENT (object), result,
                                                         &error);
  if (domain == NULL)
    g_debug ("No external domain: %s", error->message);
  base = domain != NULL && *domain != '\0' ? g_strdup (domain) : web_base (s->client);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  out = g_new0 (PbiShareLink, 1);
  out->id = g_strdup (s->link->id);
  out->url = g_strdup_printf ("%s/share/%s", base, s->link->key);
  out->album_name = g_strdup (s->album_name);
  out->expires_at = s->link->expires_at != NULL ? g_date_time_ref (s->link->expires_at) : NULL;
  out->has_password = s->link->has_password;
  out->allow_download = s->link->allow_download;
  out->reused = s->reused;
  g_task_return_pointer (task, out, (GDestroyNotify) pbi_share_link_free);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  Share *s = g_task_get_task_data (task);
  GError *error = NULL;

  s->link = pbi_immich_client_create_shared_link_finish (PBI_IMMICH_CLIENT (object), result,
                                                         &error);
  if (s->link == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!pbi_store_shared_link_set (self->store, _pbi_engine_effective_server (self), s->album_id,
                                  s->link->id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_message ("Made a guest link for the Immich album \"%s\"", s->album_name);
  pbi_immich_client_get_external_domain_async (s->client, g_task_get_cancellable (task),
                                               domain_cb, g_object_ref (task));
}

static void
create_link (GTask *task)
{
  Share *s = g_task_get_task_data (task);

  pbi_immich_client_create_shared_link_async (s->client, s->album_id, s->expires_at, s->password,
                                              !s->no_download, g_task_get_cancellable (task),
                                              created_cb, task);
}

/* The link made before differs from what is asked now. */
static gboolean
differs (Share               *s,
         PbiImmichSharedLink *link)
{
  if (!s->options_given)
    return FALSE;
  if ((s->password != NULL) != link->has_password)
    return TRUE;
  if (s->no_download == link->allow_download)
    return TRUE;
  if ((s->expires_at == NULL) != (link->expires_at == NULL))
    return TRUE;
  if (s->expires_at != NULL
      && ABS (g_date_time_difference (s->expires_at, link->expires_at)) > 60 * G_USEC_PER_SEC)
    return TRUE;
  return FALSE;
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  Share *s = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pbi_immich_client_delete_shared_link_finish (PBI_IMMICH_CLIENT (object), result, &error)
      && !g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND)
      && !g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_REJECTED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pbi_store_shared_link_set (self->store, _pbi_engine_effective_server (self), s->album_id, NULL,
                             NULL);
  if (s->revoke)
    {
      g_message ("Revoked the guest link of the Immich album \"%s\"", s->album_name);
      g_task_return_boolean (task, TRUE);
      return;
    }
  create_link (g_object_ref (task));
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PbiEngine *self = g_task_get_source_object (task);
  Share *s = g_task_get_task_data (task);
  g_autoptr(GPtrArray) links = NULL;
  g_autofree gchar *known = NULL;
  GError *error = NULL;

  links = pbi_immich_client_list_shared_links_finish (PBI_IMMICH_CLIENT (object), result, &error);
  if (links == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  known = pbi_store_shared_link_get (self->store, _pbi_engine_effective_server (self),
                                     s->album_id);
  for (guint i = 0; known != NULL && i < links->len; i++)
    {
      PbiImmichSharedLink *link = g_ptr_array_index (links, i);

      if (g_strcmp0 (link->id, known) != 0)
        continue;
      if (s->revoke || differs (s, link))
        {
          /* revoked, or asked with other settings: the old link goes (and a
           * new one comes) */
          pbi_immich_client_delete_shared_link_async (s->client, link->id,
                                                      g_task_get_cancellable (task), deleted_cb,
                                                      g_object_ref (task));
          return;
        }
      s->link = g_ptr_array_steal_index (links, i);
      s->reused = TRUE;
      pbi_immich_client_get_external_domain_async (s->client, g_task_get_cancellable (task),
                                                   domain_cb, g_object_ref (task));
      return;
    }
  if (s->revoke)
    {
      pbi_store_shared_link_set (self->store, _pbi_engine_effective_server (self), s->album_id,
                                 NULL, NULL);
      g_task_return_new_error (task, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_NOT_FOUND,
                               _("No guest link made here is active for the album \"%s\"."),
                               s->album_name);
      return;
    }
  create_link (g_object_ref (task));
}

static void
album_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Share *s = g_task_get_task_data (task);
  GError *error = NULL;

  s->album_id = _pbi_engine_event_album_finish (PBI_ENGINE (object), result, NULL, &error);
  if (s->album_id == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  pbi_immich_client_list_shared_links_async (s->client, g_task_get_cancellable (task), listed_cb,
                                             g_object_ref (task));
}

static GTask *
share_task (PbiEngine           *self,
            gboolean             revoke,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Share *s = g_new0 (Share, 1);

  s->revoke = revoke;
  s->album_name = g_strdup (pbi_engine_get_album_name (self));
  g_task_set_task_data (task, s, (GDestroyNotify) share_free);
  return task;
}

static void
share_start (GTask *task)
{
  PbiEngine *self = g_task_get_source_object (task);
  Share *s = g_task_get_task_data (task);
  GError *error = NULL;

  s->client = _pbi_engine_event_client (self, &error);
  if (s->client == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  _pbi_engine_event_album_async (self, s->album_name, NULL, !s->revoke,
                                 g_task_get_cancellable (task), album_cb, task);
}

void
pbi_engine_share_async (PbiEngine             *self,
                        const PbiShareOptions *options,
                        GCancellable          *cancellable,
                        GAsyncReadyCallback    callback,
                        gpointer               user_data)
{
  GTask *task;
  Share *s;

  g_return_if_fail (PBI_IS_ENGINE (self));
  task = share_task (self, FALSE, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_engine_share_async);
  s = g_task_get_task_data (task);
  if (options != NULL)
    {
      s->expires_at = options->expires_at != NULL ? g_date_time_ref (options->expires_at) : NULL;
      s->password = options->password != NULL && *options->password != '\0'
                    ? g_strdup (options->password) : NULL;
      s->no_download = options->no_download;
      s->options_given = s->expires_at != NULL || s->password != NULL || s->no_download;
    }
  share_start (task);
}

/**
 * pbi_engine_share_finish:
 *
 * Returns: (transfer full): the guest link
 */
PbiShareLink *
pbi_engine_share_finish (PbiEngine     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return _pbi_engine_task_finish_pointer (self, result, pbi_engine_share_async, error);
}

void
pbi_engine_revoke_share_async (PbiEngine           *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PBI_IS_ENGINE (self));
  task = share_task (self, TRUE, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_engine_revoke_share_async);
  share_start (task);
}

gboolean
pbi_engine_revoke_share_finish (PbiEngine     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
