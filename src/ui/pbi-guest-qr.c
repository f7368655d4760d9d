/* pbi-guest-qr.c: the guest link's QR code, large, for the kiosk page
 *
 * While the setting guest-sharing is on, the engine's guest link of the
 * event album (made or reused by pbi_engine_share_async) is drawn as a QR
 * code (pbi-qr) with its URL below; the widget hides itself otherwise.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-engine-event.h"
#include "pbi-guest-qr.h"
#include "pbi-qr.h"

struct _PbiGuestQr
{
  AdwBin        parent_instance;

  GtkWidget    *caption_label;
  GtkWidget    *qr_area;
  GtkWidget    *url_label;

  PbiEngine    *engine;
  GSettings    *settings;
  GCancellable *cancellable;
  PbiQr        *qr;
  gchar        *url;
};

G_DEFINE_FINAL_TYPE (PbiGuestQr, pbi_guest_qr, ADW_TYPE_BIN)

static void
draw_qr (GtkDrawingArea *area,
         cairo_t        *cr,
         int             width,
         int             height,
         gpointer        user_data)
{
  PbiGuestQr *self = user_data;
  gdouble size = MIN (width, height);

  if (self->qr == NULL)
    return;
  /* whole pixels per module scan best: no blurred edges */
  pbi_qr_draw (self->qr, cr, (width - size) / 2.0, (height - size) / 2.0, size);
}

static void
show_link (PbiGuestQr   *self,
           const gchar  *url,
           const gchar  *problem)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->qr, pbi_qr_free);
  g_clear_pointer (&self->url, g_free);
  if (url != NULL)
    {
      self->qr = pbi_qr_new (url, &error);
      if (self->qr == NULL)
        problem = error->message;
      else
        self->url = g_strdup (url);
    }
  gtk_widget_set_visible (self->qr_area, self->qr != NULL);
  gtk_label_set_label (GTK_LABEL (self->caption_label),
                       self->qr != NULL ? _("Scan to see the photos")
                       : _("The guest link could not be made"));
  gtk_label_set_label (GTK_LABEL (self->url_label), self->qr != NULL ? url : problem);
  gtk_widget_queue_draw (self->qr_area);
  gtk_widget_set_visible (GTK_WIDGET (self), url != NULL || problem != NULL);
}

static void
share_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PbiGuestQr) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PbiShareLink) link = NULL;

  link = pbi_engine_share_finish (PBI_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!g_settings_get_boolean (self->settings, "guest-sharing"))
    return;
  if (link == NULL)
    show_link (self, NULL, error->message);
  else
    show_link (self, link->url, NULL);
}

/* guest sharing switched, or a new event's album: the link of now */
static void
refresh (PbiGuestQr *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (!g_settings_get_boolean (self->settings, "guest-sharing"))
    {
      show_link (self, NULL, NULL);
      return;
    }
  self->cancellable = g_cancellable_new ();
  pbi_engine_share_async (self->engine, NULL, self->cancellable, share_cb, g_object_ref (self));
}

/**
 * pbi_guest_qr_get_url:
 * @self: a guest QR view
 *
 * Returns: (nullable): the URL shown, if any
 */
const gchar *
pbi_guest_qr_get_url (PbiGuestQr *self)
{
  g_return_val_if_fail (PBI_IS_GUEST_QR (self), NULL);
  return self->url;
}

static void
pbi_guest_qr_dispose (GObject *object)
{
  PbiGuestQr *self = PBI_GUEST_QR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->qr, pbi_qr_free);
  g_clear_pointer (&self->url, g_free);
  G_OBJECT_CLASS (pbi_guest_qr_parent_class)->dispose (object);
}

static void
pbi_guest_qr_class_init (PbiGuestQrClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pbi_guest_qr_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/photobooth/ImmichSync/ui/pbi-guest-qr.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiGuestQr, caption_label);
  gtk_widget_class_bind_template_child (widget_class, PbiGuestQr, qr_area);
  gtk_widget_class_bind_template_child (widget_class, PbiGuestQr, url_label);
}

static void
pbi_guest_qr_init (PbiGuestQr *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->qr_area), draw_qr, self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/**
 * pbi_guest_qr_new:
 * @engine: the engine whose guest link is shown
 * @settings: the app's settings (guest-sharing, album-name)
 *
 * Returns: (transfer floating): a new guest QR view, hidden until there is a link
 */
GtkWidget *
pbi_guest_qr_new (PbiEngine *engine,
                  GSettings *settings)
{
  PbiGuestQr *self = g_object_new (PBI_TYPE_GUEST_QR, NULL);

  self->engine = g_object_ref (engine);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (settings, "changed::guest-sharing", G_CALLBACK (refresh), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::album-name", G_CALLBACK (refresh), self,
                           G_CONNECT_SWAPPED);
  refresh (self);
  return GTK_WIDGET (self);
}
