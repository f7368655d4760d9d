/* pbi-status-page.c: connection, album, last sync, counts, disk, progress, captures
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Presentation only: every line here comes from an engine property or
 * signal, a setting, or a question to the engine asked asynchronously; the
 * buttons call engine methods or change a setting.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pbi-capture-grid.h"
#include "pbi-engine-account.h"
#include "pbi-engine-private.h"
#include "pbi-free-space.h"
#include "pbi-immich-error.h"
#include "pbi-status-page.h"
#include "pbi-ui-format.h"
#include "pbi-ui-util.h"

#define READ_ONLY_POLL_S    2

struct _PbiStatusPage
{
  AdwBin           parent_instance;

  PbiEngine       *engine;           /* (owned) */
  GSettings       *settings;         /* (owned) */
  gchar           *read_only;        /* (owned) (nullable) why we only watch */
  PbiAccountInfo  *account;          /* (owned) (nullable) */
  GError          *account_error;    /* (owned) (nullable) */
  GCancellable    *cancellable;      /* (owned) */
  GCancellable    *account_cancellable; /* (owned) (nullable) */
  guint            minute_source;
  guint            account_source;
  guint            poll_source;
  guint            disk_source;
  guint            countdown_source; /* when the countdown's number changes, while a retry is planned */
  gchar           *upload_path;      /* (owned) (nullable) the upload in flight */
  gint64           polled_uploaded;
  gboolean         syncing_all;

  AdwToastOverlay *toast_overlay;
  AdwActionRow    *connection_row;
  GtkImage        *connection_icon;
  AdwActionRow    *album_row;
  AdwActionRow    *last_sync_row;
  AdwActionRow    *disk_row;
  GtkImage        *disk_icon;
  AdwActionRow    *server_disk_row;
  GtkImage        *server_disk_icon;
  GtkLabel        *uploaded_label;
  GtkLabel        *duplicates_label;
  GtkLabel        *pending_label;
  GtkLabel        *failed_label;
  AdwBin          *grid_bin;
  GtkWidget       *progress_box;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
  GtkLabel        *upload_label;
  GtkButton       *pause_button;
  PbiCaptureGrid  *grid;
};

G_DEFINE_FINAL_TYPE (PbiStatusPage, pbi_status_page, ADW_TYPE_BIN)

static void
toast (PbiStatusPage *self,
       const gchar   *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static gchar *
server_host (PbiStatusPage *self)
{
  g_autofree gchar *url = g_settings_get_string (self->settings, "server-url");
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_steal_pointer (&url);
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

static gboolean countdown_cb (gpointer user_data);

static void
update_connection (PbiStatusPage *self)
{
  PbiConnectionState state = pbi_engine_get_connection_state (self->engine);
  const gchar *message = pbi_engine_get_connection_message (self->engine);
  const gchar *version = pbi_engine_get_server_version (self->engine);
  g_autofree gchar *host = server_host (self);
  g_autofree gchar *title = NULL;
  const gchar *subtitle = NULL;

  if (self->read_only != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->connection_row),
                                     _("Read-only: another program syncs this database"));
      adw_action_row_set_subtitle (self->connection_row, self->read_only);
      pbi_image_set_state (self->connection_icon, "changes-prevent-symbolic", "warning");
      return;
    }

  /* paused by the user: the engine may still hold its connection */
  if (!g_settings_get_boolean (self->settings, "enabled"))
    state = PBI_CONNECTION_DISABLED;

  switch (state)
    {
    case PBI_CONNECTION_CONNECTED:
      if (self->account != NULL && self->account->user_name != NULL)
        /* TRANSLATORS: "Connected to photos.example.com (Immich 3.2.2) as Anna" */
        title = g_strdup_printf (_("Connected to %s (Immich %s) as %s"), host,
                                 version != NULL ? version : "?", self->account->user_name);
      else
        title = g_strdup_printf (_("Connected to %s (Immich %s)"), host,
                                 version != NULL ? version : "?");
      pbi_image_set_state (self->connection_icon, "emblem-ok-symbolic", "success");
      break;
    case PBI_CONNECTION_OFFLINE:
      {
        GDateTime *next = pbi_engine_get_next_retry (self->engine);
        g_autoptr(GDateTime) now = g_date_time_new_now_local ();

        if (next != NULL)
          {
            GTimeSpan left = MAX (g_date_time_difference (next, now), 0);
            /* rounded up: "in 0 s" would be a lie a second long */
            gint64 s = MAX ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1);
            /* the next tick comes when the number shown changes, not on
             * GLib's whole seconds (with a 2 s retry those could show "1 s"
             * for a moment only) */
            guint tick_ms = (guint) ((left - (s - 1) * G_USEC_PER_SEC) / 1000) + 1;

            /* TRANSLATORS: "Server unreachable — retrying in 20 s" */
            title = g_strdup_printf (_("Server unreachable — retrying in %d s"), (gint) s);
            g_clear_handle_id (&self->countdown_source, g_source_remove);
            /* past the planned time, the engine is about to try: look again soon */
            if (left == 0)
              tick_ms = 250;
            self->countdown_source = g_timeout_add (CLAMP (tick_ms, 50, 1000), countdown_cb, self);
          }
        else
          title = g_strdup (_("Server unreachable — trying again now…"));
      }
      subtitle = message;
      pbi_image_set_state (self->connection_icon, "network-offline-symbolic", "warning");
      break;
    case PBI_CONNECTION_ERROR:
      if (g_error_matches (self->account_error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_UNAUTHORIZED))
        title = g_strdup (_("API key refused"));
      else if (g_error_matches (self->account_error, PBI_IMMICH_ERROR,
                                PBI_IMMICH_ERROR_MISSING_PERMISSION))
        title = g_strdup (_("The API key lacks permissions"));
      else
        title = g_strdup (_("The server refused the connection"));
      subtitle = message;
      pbi_image_set_state (self->connection_icon, "dialog-error-symbolic", "error");
      break;
    case PBI_CONNECTION_DISABLED:
      title = g_strdup (_("Sync is paused"));
      subtitle = _("Photos are queued and sent once sync is resumed.");
      pbi_image_set_state (self->connection_icon, "media-playback-pause-symbolic", "dim-label");
      break;
    case PBI_CONNECTION_UNCONFIGURED:
      title = g_strdup (_("Not set up yet"));
      subtitle = _("Set the server address and API key in the preferences.");
      pbi_image_set_state (self->connection_icon, "emblem-important-symbolic", "warning");
      break;
    case PBI_CONNECTION_CONNECTING:
    default:
      title = g_strdup_printf (_("Connecting to %s…"), host);
      pbi_image_set_state (self->connection_icon, "network-transmit-receive-symbolic", "dim-label");
      break;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->connection_row), title);
  adw_action_row_set_subtitle (self->connection_row, subtitle != NULL ? subtitle : "");
  if (state != PBI_CONNECTION_OFFLINE || pbi_engine_get_next_retry (self->engine) == NULL)
    g_clear_handle_id (&self->countdown_source, g_source_remove);
}

static void
update_album (PbiStatusPage *self)
{
  const gchar *name = pbi_engine_get_album_name (self->engine);
  g_autofree gchar *title = g_strdup_printf (_("Album: %s"), name != NULL ? name : "");
  g_autofree gchar *subtitle = NULL;
  gboolean known = self->account != NULL && g_strcmp0 (self->account->album_name, name) == 0;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->album_row), title);
  if (known && self->account->album_id != NULL)
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d photo on the server",
                                             "%d photos on the server",
                                             self->account->album_assets),
                                self->account->album_assets);
  else if (known)
    subtitle = g_strdup (_("Not on the server yet: made with the first photo"));
  adw_action_row_set_subtitle (self->album_row, subtitle != NULL ? subtitle : "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.open-album",
                                 known && self->account->album_id != NULL);
}

static void
account_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PbiStatusPage) self = user_data;
  g_autoptr(GError) error = NULL;
  PbiAccountInfo *info;

  info = pbi_engine_fetch_account_finish (PBI_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_error (&self->account_error);
  if (info != NULL)
    {
      g_clear_pointer (&self->account, pbi_account_info_free);
      self->account = info;
    }
  else
    self->account_error = g_steal_pointer (&error);
  update_connection (self);
  update_album (self);
}

static void server_storage_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data);

static gboolean
fetch_account_cb (gpointer user_data)
{
  PbiStatusPage *self = user_data;

  self->account_source = 0;
  if (self->account_cancellable != NULL)
    g_cancellable_cancel (self->account_cancellable);
  g_clear_object (&self->account_cancellable);
  self->account_cancellable = g_cancellable_new ();
  pbi_engine_fetch_account_async (self->engine, self->account_cancellable, account_cb,
                                  g_object_ref (self));
  /* the server's disk fills with every upload: asked as often as the album */
  pbi_engine_fetch_server_storage_async (self->engine, self->account_cancellable,
                                         server_storage_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* Asks the server again soon; several reasons within the delay ask once. */
static void
schedule_account (PbiStatusPage *self,
                  guint          delay_ms)
{
  g_autofree gchar *url = g_settings_get_string (self->settings, "server-url");

  if (*url == '\0')
    return;
  if (self->account_source == 0)
    self->account_source = g_timeout_add (delay_ms, fetch_account_cb, self);
}

/* A tooltip set costs an X round trip (GTK looks where the pointer is);
 * the last sync's time changes with every photo of a bulk sync (B11). */
static void
set_tooltip_if_changed (GtkWidget   *widget,
                        const gchar *text)
{
  const gchar *old = gtk_widget_get_tooltip_text (widget);

  if (g_strcmp0 (old, text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

static void
update_last_sync (PbiStatusPage *self)
{
  GDateTime *last = pbi_engine_get_last_sync (self->engine);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree gchar *ago = NULL;
  g_autofree gchar *exact = NULL;

  if (last == NULL)
    {
      adw_action_row_set_subtitle (self->last_sync_row, _("Never"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->last_sync_row), NULL);
      return;
    }
  ago = pbi_format_time_ago (last, now);
  exact = g_date_time_format (last, "%c");
  adw_action_row_set_subtitle (self->last_sync_row, ago);
  set_tooltip_if_changed (GTK_WIDGET (self->last_sync_row), exact);
}

static gboolean
minute_cb (gpointer user_data)
{
  update_last_sync (user_data);
  return G_SOURCE_CONTINUE;
}

/* The number, and for screen readers (and tests) "Uploaded: 6". */
static void
set_count (GtkLabel    *label,
           const gchar *caption,
           guint        value)
{
  g_autofree gchar *text = g_strdup_printf ("%'u", value);
  /* TRANSLATORS: accessible name of a count, "Uploaded: 6" */
  g_autofree gchar *accessible = g_strdup_printf (_("%s: %s"), caption, text);

  gtk_label_set_label (label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
}

static void
update_counts (PbiStatusPage *self)
{
  set_count (self->uploaded_label, C_("count", "Uploaded"),
             pbi_engine_get_uploaded (self->engine));
  set_count (self->duplicates_label, C_("count", "Duplicates"),
             pbi_engine_get_duplicates (self->engine));
  set_count (self->pending_label, C_("count", "Pending"),
             pbi_engine_get_pending (self->engine));
  set_count (self->failed_label, C_("count", "Failed"),
             pbi_engine_get_failed (self->engine));
  if (self->read_only == NULL)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.retry-failed",
                                   pbi_engine_get_failed (self->engine) > 0);
}

/* Read-only: no engine runs here, so the counts are read from the store. */
static gboolean
poll_store_cb (gpointer user_data)
{
  PbiStatusPage *self = user_data;
  PbiStore *store = _pbi_engine_get_store (self->engine);
  guint counts[PBI_N_FILE_STATES] = { 0 };
  g_autoptr(GDateTime) last = pbi_store_dup_last_sync_time (store);
  g_autofree gchar *ago = NULL;
  g_autofree gchar *exact = NULL;
  guint pending = 0;

  pbi_store_files_count_by_state (store, counts);
  /* the other process uploaded: the album's count on the server moved */
  if (pbi_store_counter_get (store, "uploaded") != self->polled_uploaded)
    {
      self->polled_uploaded = pbi_store_counter_get (store, "uploaded");
      schedule_account (self, 500);
    }
  for (guint i = PBI_FILE_STATE_PENDING; i <= PBI_FILE_STATE_ADDING; i++)
    pending += counts[i];
  set_count (self->uploaded_label, C_("count", "Uploaded"),
             pbi_store_counter_get (store, "uploaded"));
  set_count (self->duplicates_label, C_("count", "Duplicates"),
             pbi_store_counter_get (store, "duplicates"));
  set_count (self->pending_label, C_("count", "Pending"),
             pending);
  set_count (self->failed_label, C_("count", "Failed"),
             counts[PBI_FILE_STATE_FAILED] + counts[PBI_FILE_STATE_REJECTED]);
  if (last != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      ago = pbi_format_time_ago (last, now);
      exact = g_date_time_format (last, "%c");
      adw_action_row_set_subtitle (self->last_sync_row, ago);
      set_tooltip_if_changed (GTK_WIDGET (self->last_sync_row), exact);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
countdown_cb (gpointer user_data)
{
  PbiStatusPage *self = user_data;

  /* one-shot: update_connection () plans the next tick */
  self->countdown_source = 0;
  update_connection (self);
  return G_SOURCE_REMOVE;
}

static void
update_progress (PbiStatusPage *self)
{
  gint64 files_total, files_done, bytes_total, bytes_done;
  gdouble rate, eta;
  g_autofree gchar *files = NULL;
  g_autofree gchar *done_s = NULL;
  g_autofree gchar *total_s = NULL;
  g_autofree gchar *bytes_done_s = NULL;
  g_autofree gchar *bytes_total_s = NULL;
  g_autofree gchar *rate_s = NULL;
  g_autofree gchar *left = NULL;
  g_autoptr(GString) text = NULL;

  g_object_get (self->engine,
                "bulk-files-total", &files_total, "bulk-files-done", &files_done,
                "bulk-bytes-total", &bytes_total, "bulk-bytes-done", &bytes_done,
                "bulk-rate", &rate, "bulk-eta", &eta, NULL);
  /* the upload in flight shows even outside a bulk sync */
  gtk_widget_set_visible (GTK_WIDGET (self->upload_label), self->upload_path != NULL);
  if (files_total <= 0 || files_done >= files_total)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->progress_label), FALSE);
      gtk_widget_set_visible (self->progress_box, self->upload_path != NULL);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), TRUE);
  gtk_widget_set_visible (self->progress_box, TRUE);
  if (bytes_total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, (gdouble) bytes_done / bytes_total);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, (gdouble) files_done / files_total);

  /* TRANSLATORS: bulk sync progress, "12 of 340 photos" */
  done_s = g_strdup_printf ("%'" G_GINT64_FORMAT, files_done);
  total_s = g_strdup_printf ("%'" G_GINT64_FORMAT, files_total);
  files = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s photo", "%s of %s photos",
                                        files_total), done_s, total_s);
  text = g_string_new (files);
  if (bytes_total > 0)
    {
      bytes_done_s = g_format_size (bytes_done);
      bytes_total_s = g_format_size (bytes_total);
      g_string_append (text, " · ");
      /* TRANSLATORS: "45.1 MB of 1.2 GB" */
      g_string_append_printf (text, _("%s of %s"), bytes_done_s, bytes_total_s);
    }
  if (rate > 0)
    {
      rate_s = pbi_format_rate (rate);
      g_string_append_printf (text, " · %s", rate_s);
    }
  left = pbi_format_time_left (eta);
  if (left != NULL)
    g_string_append_printf (text, " · %s", left);
  gtk_label_set_label (self->progress_label, text->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text->str, -1);
}

static void
filesystem_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PbiStatusPage) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_filesystem_info_finish (G_FILE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    pbi_free_space_show_unknown (self->disk_row, self->disk_icon, PBI_FREE_SPACE_BOOTH, NULL);
  else
    pbi_free_space_show (self->disk_row, self->disk_icon, PBI_FREE_SPACE_BOOTH,
                         g_file_info_get_attribute_uint64 (info,
                                                           G_FILE_ATTRIBUTE_FILESYSTEM_FREE),
                         g_file_info_get_attribute_uint64 (info,
                                                           G_FILE_ATTRIBUTE_FILESYSTEM_SIZE));
}

static void
server_storage_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PbiStatusPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiServerStorage) storage = NULL;

  storage = pbi_engine_fetch_server_storage_finish (PBI_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->server_disk_row), TRUE);
  if (storage != NULL)
    pbi_free_space_show (self->server_disk_row, self->server_disk_icon, PBI_FREE_SPACE_SERVER,
                         storage->available, storage->size);
  else if (g_error_matches (error, PBI_IMMICH_ERROR, PBI_IMMICH_ERROR_MISSING_PERMISSION))
    pbi_free_space_show_unknown (self->server_disk_row, self->server_disk_icon,
                                 PBI_FREE_SPACE_SERVER,
                                 _("Not readable with this key (it lacks the permission "
                                   "server.storage)"));
  else
    pbi_free_space_show_unknown (self->server_disk_row, self->server_disk_icon,
                                 PBI_FREE_SPACE_SERVER, _("Unknown while the server cannot be "
                                                          "asked"));
}

static void
update_disk (PbiStatusPage *self)
{
  g_autofree gchar *folder = g_settings_get_string (self->settings, "capture-folder");
  g_autoptr(GFile) file = NULL;

  if (*folder == '\0')
    {
      g_free (folder);
      folder = g_path_get_dirname (pbi_engine_get_database_path (self->engine));
    }
  file = g_file_new_for_path (folder);
  g_file_query_filesystem_info_async (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE ","
                                      G_FILE_ATTRIBUTE_FILESYSTEM_SIZE,
                                      G_PRIORITY_LOW, self->cancellable, filesystem_cb,
                                      g_object_ref (self));
}

static gboolean
disk_tick_cb (gpointer user_data)
{
  update_disk (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_pause (PbiStatusPage *self)
{
  gboolean enabled = g_settings_get_boolean (self->settings, "enabled");

  gtk_button_set_label (self->pause_button, enabled ? _("Pause Sync") : _("Resume Sync"));
}

static void
update_capture_folder (PbiStatusPage *self)
{
  g_autofree gchar *folder = g_settings_get_string (self->settings, "capture-folder");

  pbi_capture_grid_set_folder (self->grid, folder);
  update_disk (self);
}

static void
on_setting_changed_cb (GSettings     *settings,
                       const gchar   *key,
                       PbiStatusPage *self)
{
  if (g_str_equal (key, "enabled"))
    {
      update_pause (self);
      update_connection (self);
    }
  else if (g_str_equal (key, "capture-folder"))
    update_capture_folder (self);
  else if (g_str_equal (key, "server-url") || g_str_equal (key, "api-key"))
    {
      g_clear_pointer (&self->account, pbi_account_info_free);
      update_connection (self);
      schedule_account (self, 500);
    }
}

static void
on_engine_notify_cb (GObject       *object,
                     GParamSpec    *pspec,
                     PbiStatusPage *self)
{
  const gchar *name = g_param_spec_get_name (pspec);

  if (g_str_has_prefix (name, "bulk-"))
    update_progress (self);
  else if (g_str_equal (name, "last-sync"))
    update_last_sync (self);
  else if (g_str_equal (name, "album-name"))
    {
      update_album (self);
      schedule_account (self, 200);
    }
  else if (g_str_has_prefix (name, "connection-") || g_str_equal (name, "server-version") ||
           g_str_equal (name, "next-retry"))
    {
      PbiConnectionState state = pbi_engine_get_connection_state (self->engine);

      update_connection (self);
      if (g_str_equal (name, "connection-state") &&
          (state == PBI_CONNECTION_CONNECTED || state == PBI_CONNECTION_ERROR))
        schedule_account (self, 100);
    }
  else
    update_counts (self);
}

static void
on_upload_progress_cb (PbiEngine     *engine,
                       const gchar   *path,
                       gint64         sent,
                       gint64         total,
                       PbiStatusPage *self)
{
  g_autofree gchar *name = g_path_get_basename (path);
  g_autofree gchar *display = g_filename_display_name (name);
  g_autofree gchar *sent_s = g_format_size (MAX (sent, 0));
  g_autofree gchar *total_s = g_format_size (MAX (total, 0));
  g_autofree gchar *text = NULL;

  if (g_strcmp0 (self->upload_path, path) != 0)
    {
      g_free (self->upload_path);
      self->upload_path = g_strdup (path);
    }
  /* TRANSLATORS: "Uploading IMG_0042.jpg — 1.2 MB of 3.1 MB" */
  text = g_strdup_printf (_("Uploading %s — %s of %s"), display, sent_s, total_s);
  gtk_label_set_label (self->upload_label, text);
  update_progress (self);
}

static void
on_file_state_changed_cb (PbiEngine     *engine,
                          const gchar   *path,
                          gint           state,
                          const gchar   *error,
                          PbiStatusPage *self)
{
  if (state != PBI_FILE_STATE_UPLOADING && g_strcmp0 (self->upload_path, path) == 0)
    {
      g_clear_pointer (&self->upload_path, g_free);
      update_progress (self);
    }
  /* the album's count on the server moves: ask again once things calm down */
  if (state == PBI_FILE_STATE_DONE || state == PBI_FILE_STATE_DUPLICATE)
    schedule_account (self, 1500);
}

/* ------------------------------------------------------------------------ */
/* actions                                                                    */

/* Toasts how a sync of several photos ended: its counts, or why it stopped. */
static void
toast_sync_end (PbiStatusPage        *self,
                const PbiSyncSummary *summary,
                const GError         *error)
{
  g_autofree gchar *text = NULL;

  if (summary == NULL)
    text = g_strdup_printf (_("Sync stopped: %s"), error->message);
  else if (summary->queued > 0)
    /* TRANSLATORS: after Sync All Photos while the server could not be used */
    text = g_strdup_printf (_("Sync done: %u uploaded, %u already on the server, %u failed, "
                              "%u queued until the server answers"),
                            summary->uploaded, summary->duplicates + summary->skipped,
                            summary->failed, summary->queued);
  else
    /* TRANSLATORS: after Sync All Photos */
    text = g_strdup_printf (_("Sync done: %u uploaded, %u already on the server, %u failed"),
                            summary->uploaded, summary->duplicates + summary->skipped,
                            summary->failed);
  toast (self, text);
}

static void
sync_all_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PbiStatusPage) self = user_data;
  g_autoptr(PbiSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = pbi_engine_sync_folder_finish (PBI_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->syncing_all = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.sync-all", TRUE);
  toast_sync_end (self, summary, error);
  if (summary != NULL)
    schedule_account (self, 100);
}

static void
sync_all_action (GtkWidget   *widget,
                 const gchar *action_name,
                 GVariant    *parameter)
{
  PbiStatusPage *self = PBI_STATUS_PAGE (widget);
  g_autofree gchar *folder = g_settings_get_string (self->settings, "library-folder");

  if (*folder == '\0')
    {
      g_free (folder);
      folder = g_settings_get_string (self->settings, "capture-folder");
    }
  if (*folder == '\0')
    {
      toast (self, _("Choose the capture folder in the preferences first."));
      return;
    }
  self->syncing_all = TRUE;
  gtk_widget_action_set_enabled (widget, "page.sync-all", FALSE);
  pbi_engine_sync_folder_async (self->engine, folder, NULL, self->cancellable, sync_all_cb,
                                g_object_ref (self));
}

static void
sync_files_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PbiStatusPage) self = user_data;
  g_autoptr(PbiSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = pbi_engine_sync_files_finish (PBI_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  toast_sync_end (self, summary, error);
}

typedef struct
{
  PbiStatusPage *self;    /* (owned) */
  GtkWidget     *entry;   /* (unowned) */
  GStrv          paths;   /* (owned) */
} SyncSelected;

static void
sync_selected_free (SyncSelected *data)
{
  g_object_unref (data->self);
  g_strfreev (data->paths);
  g_free (data);
}

static void
on_sync_selected_response_cb (AdwMessageDialog *dialog,
                              const gchar      *response,
                              SyncSelected     *data)
{
  g_autofree gchar *album = NULL;

  g_signal_handlers_disconnect_by_data (dialog, data);
  if (g_str_equal (response, "sync"))
    {
      album = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->entry))));
      pbi_engine_sync_files_async (data->self->engine, (const gchar * const *) data->paths,
                                   *album != '\0' ? album : NULL, data->self->cancellable,
                                   sync_files_cb, g_object_ref (data->self));
      pbi_capture_grid_unselect_all (data->self->grid);
    }
  sync_selected_free (data);
}

static void
sync_selected_action (GtkWidget   *widget,
                      const gchar *action_name,
                      GVariant    *parameter)
{
  PbiStatusPage *self = PBI_STATUS_PAGE (widget);
  SyncSelected *data;
  GtkWidget *dialog;
  g_autofree gchar *heading = NULL;
  guint n;

  data = g_new0 (SyncSelected, 1);
  data->self = g_object_ref (self);
  data->paths = pbi_capture_grid_dup_selected (self->grid);
  n = g_strv_length (data->paths);
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Sync %u Photo", "Sync %u Photos", n),
                             n);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                                   _("Into which album? Keep the album in use, or name "
                                     "another one (it is made when missing)."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sync", _("_Sync"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sync",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "sync");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  data->entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (data->entry),
                         pbi_engine_get_album_name (self->engine) != NULL
                           ? pbi_engine_get_album_name (self->engine) : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Album Name"), -1);
  gtk_entry_set_activates_default (GTK_ENTRY (data->entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), data->entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_sync_selected_response_cb), data);
  gtk_window_present (GTK_WINDOW (dialog));
  /* typing a name replaces the album in use */
  gtk_widget_grab_focus (data->entry);
  gtk_editable_select_region (GTK_EDITABLE (data->entry), 0, -1);
}

static void
retry_failed_action (GtkWidget   *widget,
                     const gchar *action_name,
                     GVariant    *parameter)
{
  PbiStatusPage *self = PBI_STATUS_PAGE (widget);
  guint n = pbi_engine_retry_failed (self->engine);
  g_autofree gchar *text = NULL;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo is tried again",
                                       "%u photos are tried again", n), n);
  toast (self, text);
}

static void
toggle_pause_action (GtkWidget   *widget,
                     const gchar *action_name,
                     GVariant    *parameter)
{
  PbiStatusPage *self = PBI_STATUS_PAGE (widget);

  g_settings_set_boolean (self->settings, "enabled",
                          !g_settings_get_boolean (self->settings, "enabled"));
}

static void
open_album_action (GtkWidget   *widget,
                   const gchar *action_name,
                   GVariant    *parameter)
{
  PbiStatusPage *self = PBI_STATUS_PAGE (widget);
  g_autofree gchar *base = NULL;
  g_autofree gchar *uri = NULL;

  if (self->account == NULL || self->account->album_id == NULL)
    return;
  base = g_strdup (self->account->server_url);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  if (g_str_has_suffix (base, "/api"))
    base[strlen (base) - 4] = '\0';
  uri = g_strdup_printf ("%s/albums/%s", base, self->account->album_id);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (widget)), uri, GDK_CURRENT_TIME);
}

static void
on_n_selected_cb (PbiStatusPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.sync-selected",
                                 self->read_only == NULL &&
                                 pbi_capture_grid_get_n_selected (self->grid) > 0);
}

/* ------------------------------------------------------------------------ */

static void
pbi_status_page_dispose (GObject *object)
{
  PbiStatusPage *self = PBI_STATUS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->account_cancellable != NULL)
    g_cancellable_cancel (self->account_cancellable);
  g_clear_object (&self->account_cancellable);
  g_clear_handle_id (&self->minute_source, g_source_remove);
  g_clear_handle_id (&self->account_source, g_source_remove);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_handle_id (&self->disk_source, g_source_remove);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (pbi_status_page_parent_class)->dispose (object);
}

static void
pbi_status_page_finalize (GObject *object)
{
  PbiStatusPage *self = PBI_STATUS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->account, pbi_account_info_free);
  g_clear_error (&self->account_error);
  g_free (self->read_only);
  g_free (self->upload_path);
  G_OBJECT_CLASS (pbi_status_page_parent_class)->finalize (object);
}

static void
pbi_status_page_class_init (PbiStatusPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pbi_status_page_dispose;
  object_class->finalize = pbi_status_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/photobooth/"
                                               "ImmichSync/ui/pbi-status-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, connection_row);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, connection_icon);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, album_row);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, last_sync_row);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, disk_row);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, disk_icon);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, server_disk_row);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, server_disk_icon);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, uploaded_label);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, duplicates_label);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, pending_label);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, failed_label);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, grid_bin);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, progress_box);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, upload_label);
  gtk_widget_class_bind_template_child (widget_class, PbiStatusPage, pause_button);

  gtk_widget_class_install_action (widget_class, "page.sync-all", NULL, sync_all_action);
  gtk_widget_class_install_action (widget_class, "page.sync-selected", NULL, sync_selected_action);
  gtk_widget_class_install_action (widget_class, "page.retry-failed", NULL, retry_failed_action);
  gtk_widget_class_install_action (widget_class, "page.toggle-pause", NULL, toggle_pause_action);
  gtk_widget_class_install_action (widget_class, "page.open-album", NULL, open_album_action);
}

static void
pbi_status_page_init (PbiStatusPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * pbi_status_page_new:
 * @engine: the engine to show
 * @settings: the app's settings
 * @read_only_reason: (nullable): when another process syncs the database,
 *   why this page only shows what it does
 *
 * Returns: (transfer floating): a new status page
 */
GtkWidget *
pbi_status_page_new (PbiEngine   *engine,
                     GSettings   *settings,
                     const gchar *read_only_reason)
{
  PbiStatusPage *self;

  g_return_val_if_fail (PBI_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PBI_TYPE_STATUS_PAGE, NULL);
  self->engine = g_object_ref (engine);
  self->settings = g_object_ref (settings);
  self->read_only = g_strdup (read_only_reason);

  self->grid = PBI_CAPTURE_GRID (pbi_capture_grid_new (engine));
  adw_bin_set_child (self->grid_bin, GTK_WIDGET (self->grid));
  g_signal_connect_swapped (self->grid, "notify::n-selected", G_CALLBACK (on_n_selected_cb), self);

  g_signal_connect (engine, "notify", G_CALLBACK (on_engine_notify_cb), self);
  g_signal_connect (engine, "file-state-changed", G_CALLBACK (on_file_state_changed_cb), self);
  g_signal_connect (engine, "upload-progress", G_CALLBACK (on_upload_progress_cb), self);
  g_signal_connect (settings, "changed", G_CALLBACK (on_setting_changed_cb), self);

  on_n_selected_cb (self);
  update_connection (self);
  update_album (self);
  update_last_sync (self);
  update_counts (self);
  update_progress (self);
  update_pause (self);
  update_capture_folder (self);
  self->minute_source = g_timeout_add_seconds (60, minute_cb, self);
  self->disk_source = g_timeout_add_seconds_full (G_PRIORITY_LOW, 60, disk_tick_cb, self, NULL);
  if (read_only_reason != NULL)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.sync-all", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.retry-failed", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.toggle-pause", FALSE);
      poll_store_cb (self);
      self->poll_source = g_timeout_add_seconds (READ_ONLY_POLL_S, poll_store_cb, self);
    }
  schedule_account (self, 100);
  return GTK_WIDGET (self);
}
