/* pbi-window.c: the main window: welcome page or status page
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pbi-bench.h"
#include "pbi-guest-qr.h"
#include "pbi-status-page.h"
#include "pbi-welcome-page.h"
#include "pbi-window.h"

struct _PbiWindow
{
  AdwApplicationWindow  parent_instance;

  GtkStack             *stack;
  GtkWidget            *header_bar;
  GtkWidget            *status_page;
  GtkWidget            *welcome_page;
  GtkWidget            *guest_qr;
  GtkWidget            *guest_qr_button;
  gboolean              kiosk;
};

G_DEFINE_FINAL_TYPE (PbiWindow, pbi_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_status (PbiWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, "status");
  gtk_widget_set_visible (self->welcome_page, FALSE);
}

/* The guest QR code (guest sharing on): a page of its own, large enough to
 * scan from a metre away on the booth's 800×480 screen; shown at once in
 * kiosk mode, and by the header's "Guest QR Code" toggle. */
static void
on_guest_qr_toggled_cb (PbiWindow *self)
{
  gboolean active = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->guest_qr_button));

  /* says where it leads: the pressed look alone would tell it by shade */
  gtk_button_set_label (GTK_BUTTON (self->guest_qr_button),
                        active ? _("Sync Status") : _("Guest QR Code"));
  if (active && gtk_widget_get_visible (self->guest_qr))
    gtk_stack_set_visible_child_name (self->stack, "guests");
  else if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "guests") == 0)
    show_status (self);
}

static void
on_guest_qr_visible_cb (PbiWindow *self)
{
  gboolean shown = gtk_widget_get_visible (self->guest_qr);

  gtk_widget_set_visible (self->guest_qr_button, shown);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->guest_qr_button), shown && self->kiosk);
}

static void
on_page_closed_cb (GtkWidget *page,
                   PbiWindow *self)
{
  show_status (self);
  gtk_stack_remove (self->stack, page);
}

/**
 * pbi_window_show_page:
 * @self: a window
 * @name: the page's name in the window's stack
 * @page: a page with a "closed" signal (readiness, event summary)
 *
 * Shows @page in place of the status page (replacing an earlier page of
 * that name) until it is closed.
 */
void
pbi_window_show_page (PbiWindow   *self,
                      const gchar *name,
                      GtkWidget   *page)
{
  GtkWidget *old = gtk_stack_get_child_by_name (self->stack, name);

  g_return_if_fail (PBI_IS_WINDOW (self));
  if (old != NULL)
    gtk_stack_remove (self->stack, old);
  gtk_stack_add_named (self->stack, page, name);
  gtk_stack_set_visible_child (self->stack, page);
  g_signal_connect_object (page, "closed", G_CALLBACK (on_page_closed_cb), self, 0);
}

static gboolean
is_configured (GSettings *settings)
{
  g_autofree gchar *url = g_settings_get_string (settings, "server-url");
  g_autofree gchar *key = g_settings_get_string (settings, "api-key");

  return *url != '\0' && *key != '\0';
}

/**
 * pbi_window_set_kiosk:
 * @self: a window
 * @kiosk: whether it runs as the booth's full-screen status view
 */
void
pbi_window_set_kiosk (PbiWindow *self,
                      gboolean   kiosk)
{
  g_return_if_fail (PBI_IS_WINDOW (self));

  self->kiosk = kiosk;
  if (kiosk)
    {
      GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);

      gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
      /* no close button: quitting takes the PIN, from the menu */
      adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (self->header_bar), FALSE);
      /* the whole screen also where no window manager honours fullscreen
       * (a bare X server on the booth) */
      if (monitor != NULL)
        {
          GdkRectangle geometry;

          gdk_monitor_get_geometry (monitor, &geometry);
          gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);
        }
      gtk_window_fullscreen (GTK_WINDOW (self));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "kiosk");
      adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (self->header_bar), TRUE);
      gtk_window_unfullscreen (GTK_WINDOW (self));
    }
}

/**
 * pbi_window_save_screenshot:
 * @self: a window
 * @path: (type filename): a PNG file to write
 * @error: return location for a #GError
 *
 * Renders the window as GTK draws it into @path (for documentation and
 * tests); written beside it first, so a reader never sees half a file.
 *
 * Returns: %TRUE when saved
 */
gboolean
pbi_window_save_screenshot (PbiWindow    *self,
                            const gchar  *path,
                            GError      **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree gchar *tmp = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_val_if_fail (PBI_IS_WINDOW (self), FALSE);

  renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  if (renderer == NULL || width <= 0 || height <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "The window is not shown yet");
      return FALSE;
    }
  paintable = gtk_widget_paintable_new (GTK_WIDGET (self));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Nothing was drawn");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  tmp = g_strconcat (path, ".tmp.png", NULL);
  if (!gdk_texture_save_to_png (texture, tmp))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not rename %s", tmp);
      return FALSE;
    }
  return TRUE;
}

static void
pbi_window_class_init (PbiWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PbiWindow, header_bar);
}

static void
pbi_window_init (PbiWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * pbi_window_new:
 * @app: the application (its engine and settings are shown)
 *
 * Returns: (transfer full): a new main window
 */
PbiWindow *
pbi_window_new (PbiApplication *app)
{
  PbiWindow *self;
  PbiEngine *engine = pbi_application_get_engine (app);
  GSettings *settings = pbi_application_get_settings (app);

  self = g_object_new (PBI_TYPE_WINDOW, "application", app, NULL);
  self->welcome_page = pbi_welcome_page_new (engine, settings);
  self->status_page = pbi_status_page_new (engine, settings,
                                           pbi_application_get_read_only_reason (app));
  gtk_stack_add_named (self->stack, self->welcome_page, "welcome");
  gtk_stack_add_named (self->stack, self->status_page, "status");
  self->guest_qr = pbi_guest_qr_new (engine, settings);
  gtk_stack_add_named (self->stack, self->guest_qr, "guests");
  self->guest_qr_button = gtk_toggle_button_new_with_label (_("Guest QR Code"));
  gtk_widget_set_visible (self->guest_qr_button, FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (self->header_bar), self->guest_qr_button);
  g_signal_connect_object (self->guest_qr_button, "toggled",
                           G_CALLBACK (on_guest_qr_toggled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->guest_qr, "notify::visible",
                           G_CALLBACK (on_guest_qr_visible_cb), self, G_CONNECT_SWAPPED);
  if (is_configured (settings))
    show_status (self);
  else
    gtk_stack_set_visible_child_name (self->stack, "welcome");
  g_signal_connect_object (self->welcome_page, "finished", G_CALLBACK (show_status), self,
                           G_CONNECT_SWAPPED);
  pbi_bench_watch_window (GTK_WINDOW (self), self->status_page);
  return self;
}
