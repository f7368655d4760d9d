/* pbi-capture-cell.c: one photo in the capture grid: thumbnail, name, state badge
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The badge says the state in an icon and a word (never colour alone); its
 * accessible name is "NAME: STATE", so a screen reader, and the UI tests,
 * read each photo's state. Tapping it explains the state, with the reason
 * for a failure.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-bench.h"
#include "pbi-capture-cell.h"
#include "pbi-thumbnail-paintable.h"
#include "pbi-thumbnailer.h"

#define THUMBNAIL_SIZE 320
/* a photo still being written does not decode yet: try again a few times */
#define THUMBNAIL_TRIES 4
#define THUMBNAIL_RETRY_S 2

struct _PbiCaptureCell
{
  AdwBin        parent_instance;

  GtkPicture   *picture;
  GtkImage     *placeholder;
  GtkButton    *badge;
  GtkImage     *badge_icon;
  GtkLabel     *badge_label;
  GtkLabel     *name_label;
  GtkWidget    *popover;       /* (owned) (nullable) parented to badge */

  gchar        *path;          /* (owned) (nullable) */
  gchar        *error;         /* (owned) (nullable) */
  PbiFileState  state;
  GCancellable *cancellable;   /* (owned) (nullable) the thumbnail in making */
  guint         retry_source;
  guint         tries;
  gint64        bound_at;      /* PBI_BENCH_FRAMES only: when @path was set */
};

G_DEFINE_FINAL_TYPE (PbiCaptureCell, pbi_capture_cell, ADW_TYPE_BIN)

static const struct
{
  const gchar *icon;
  const gchar *css;
} badges[] = {
  [PBI_FILE_STATE_PENDING] = { "content-loading-symbolic", "queued" },
  [PBI_FILE_STATE_HASHING] = { "emblem-synchronizing-symbolic", "uploading" },
  [PBI_FILE_STATE_CHECKING] = { "emblem-synchronizing-symbolic", "uploading" },
  [PBI_FILE_STATE_UPLOADING] = { "emblem-synchronizing-symbolic", "uploading" },
  [PBI_FILE_STATE_ADDING] = { "emblem-synchronizing-symbolic", "uploading" },
  [PBI_FILE_STATE_DONE] = { "emblem-ok-symbolic", "synced" },
  [PBI_FILE_STATE_DUPLICATE] = { "edit-copy-symbolic", "duplicate" },
  [PBI_FILE_STATE_FAILED] = { "dialog-error-symbolic", "failed" },
  [PBI_FILE_STATE_REJECTED] = { "dialog-error-symbolic", "failed" },
  [PBI_N_FILE_STATES] = { NULL, NULL },
  [PBI_N_FILE_STATES + 1] = { "action-unavailable-symbolic", "not-queued" },
};

/**
 * pbi_capture_state_label:
 * @state: a file state
 *
 * Returns: the word on the badge
 */
const gchar *
pbi_capture_state_label (PbiFileState state)
{
  if ((guint) state == PBI_CAPTURE_STATE_NOT_QUEUED)
    return _("Not synced");
  switch (state)
    {
    case PBI_FILE_STATE_PENDING:
      return _("Queued");
    case PBI_FILE_STATE_HASHING:
    case PBI_FILE_STATE_CHECKING:
    case PBI_FILE_STATE_UPLOADING:
    case PBI_FILE_STATE_ADDING:
      return _("Uploading");
    case PBI_FILE_STATE_DONE:
      return _("Synced");
    case PBI_FILE_STATE_DUPLICATE:
      return _("Duplicate");
    case PBI_FILE_STATE_FAILED:
      return _("Failed");
    case PBI_FILE_STATE_REJECTED:
      return _("Refused");
    case PBI_N_FILE_STATES:
    default:
      return NULL;
    }
}

static const gchar *
state_explanation (PbiFileState state)
{
  if ((guint) state == PBI_CAPTURE_STATE_NOT_QUEUED)
    return _("Not sent yet: use Sync All Photos or Sync Selected, or switch on "
             "Sync on Capture.");
  switch (state)
    {
    case PBI_FILE_STATE_PENDING:
      return _("Waiting to be sent to the server.");
    case PBI_FILE_STATE_HASHING:
    case PBI_FILE_STATE_CHECKING:
    case PBI_FILE_STATE_UPLOADING:
    case PBI_FILE_STATE_ADDING:
      return _("Being sent to the server now.");
    case PBI_FILE_STATE_DONE:
      return _("On the server and in the album.");
    case PBI_FILE_STATE_DUPLICATE:
      return _("The server already had this photo; it is in the album.");
    case PBI_FILE_STATE_FAILED:
      return _("Could not be sent; it is tried again automatically.");
    case PBI_FILE_STATE_REJECTED:
      return _("The server refused this photo; it is not tried again by itself.");
    case PBI_N_FILE_STATES:
    default:
      return "";
    }
}

static void
on_badge_clicked_cb (PbiCaptureCell *self)
{
  GtkWidget *label;
  g_autofree gchar *text = NULL;

  if (self->popover == NULL)
    {
      self->popover = gtk_popover_new ();
      gtk_widget_set_parent (self->popover, GTK_WIDGET (self->badge));
    }
  if (self->error != NULL && *self->error != '\0')
    text = g_strdup_printf ("%s\n\n%s", state_explanation (self->state), self->error);
  else
    text = g_strdup (state_explanation (self->state));
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 36);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_popover_set_child (GTK_POPOVER (self->popover), label);
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

static const gchar *
badge_tooltip (PbiCaptureCell *self)
{
  return self->error != NULL ? self->error : state_explanation (self->state);
}

/* Tooltips are made when asked for: setting one costs an X round trip
 * (GTK looks where the pointer is), and cells are bound, and their states
 * change, by the hundred while the grid scrolls or a sync runs (B11, B12). */
static gboolean
on_badge_query_tooltip_cb (GtkWidget      *badge,
                           gint            x,
                           gint            y,
                           gboolean        keyboard,
                           GtkTooltip     *tooltip,
                           PbiCaptureCell *self)
{
  if (self->path == NULL || pbi_capture_state_label (self->state) == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, badge_tooltip (self));
  return TRUE;
}

static void
update_badge (PbiCaptureCell *self)
{
  const gchar *word = pbi_capture_state_label (self->state);
  g_autofree gchar *name = NULL;
  g_autofree gchar *accessible = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (badges); i++)
    if (badges[i].css != NULL)
      gtk_widget_remove_css_class (GTK_WIDGET (self->badge), badges[i].css);
  if (word == NULL || self->path == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->badge), FALSE);
      return;
    }
  name = g_path_get_basename (self->path);
  gtk_image_set_from_icon_name (self->badge_icon, badges[self->state].icon);
  gtk_label_set_label (self->badge_label, word);
  gtk_widget_add_css_class (GTK_WIDGET (self->badge), badges[self->state].css);
  /* TRANSLATORS: accessible name of a photo's state badge: "IMG_0001.jpg: Synced" */
  accessible = g_strdup_printf (_("%s: %s"), name, word);
  /* the explanation as the tooltip would give it (the tooltip itself is made
   * when asked for: see on_badge_query_tooltip_cb ()) */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->badge),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, badge_tooltip (self),
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self->badge), TRUE);
}

/**
 * pbi_capture_cell_set_state:
 * @self: a cell
 * @state: the photo's state, or %PBI_CAPTURE_STATE_UNKNOWN
 * @error: (nullable): why it failed
 */
void
pbi_capture_cell_set_state (PbiCaptureCell *self,
                            PbiFileState    state,
                            const gchar    *error)
{
  g_return_if_fail (PBI_IS_CAPTURE_CELL (self));

  self->state = state;
  g_free (self->error);
  self->error = g_strdup (error);
  update_badge (self);
}

static void thumbnail_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static gboolean
retry_thumbnail_cb (gpointer user_data)
{
  PbiCaptureCell *self = user_data;

  self->retry_source = 0;
  if (self->path != NULL && self->cancellable != NULL)
    pbi_thumbnail_load_async (self->path, THUMBNAIL_SIZE, self->cancellable, thumbnail_cb,
                              g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
thumbnail_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PbiCaptureCell) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GError) error = NULL;

  texture = pbi_thumbnail_load_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (texture == NULL)
    {
      g_debug ("No thumbnail for %s: %s", self->path, error->message);
      if (++self->tries < THUMBNAIL_TRIES && self->retry_source == 0)
        self->retry_source = g_timeout_add_seconds (THUMBNAIL_RETRY_S, retry_thumbnail_cb, self);
      return;
    }
  paintable = pbi_thumbnail_paintable_for (GTK_WIDGET (self), texture);
  gtk_picture_set_paintable (self->picture, paintable);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder), FALSE);
  if (pbi_bench_on)
    {
      pbi_bench_thumbnail (self->bound_at, TRUE);
      self->bound_at = 0;
    }
}

/* The name's tooltip (the label ellipsizes long names), made when asked
 * for: setting it at every bind cost an X round trip each, 20 % of the main
 * thread while the grid scrolled (B12). */
static gboolean
on_name_query_tooltip_cb (GtkWidget      *label,
                          gint            x,
                          gint            y,
                          gboolean        keyboard,
                          GtkTooltip     *tooltip,
                          PbiCaptureCell *self)
{
  g_autofree gchar *name = NULL;

  if (self->path == NULL)
    return FALSE;
  name = g_filename_display_basename (self->path);
  gtk_tooltip_set_text (tooltip, name);
  return TRUE;
}

/**
 * pbi_capture_cell_set_file:
 * @self: a cell
 * @path: (nullable) (type filename): the photo it shows, %NULL for none
 *
 * Shows @path (its thumbnail is made in the background); the state stays
 * unknown until pbi_capture_cell_set_state().
 */
void
pbi_capture_cell_set_file (PbiCaptureCell *self,
                           const gchar    *path)
{
  g_autofree gchar *name = NULL;

  g_return_if_fail (PBI_IS_CAPTURE_CELL (self));

  if (pbi_bench_on)
    {
      /* a photo whose thumbnail never showed in this cell */
      pbi_bench_thumbnail (self->bound_at, FALSE);
      self->bound_at = path != NULL ? g_get_monotonic_time () : 0;
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->tries = 0;
  g_free (self->path);
  self->path = g_strdup (path);
  gtk_picture_set_paintable (self->picture, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder), TRUE);
  self->state = PBI_CAPTURE_STATE_UNKNOWN;
  g_clear_pointer (&self->error, g_free);
  if (self->popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->popover));
  update_badge (self);
  if (path == NULL)
    {
      gtk_label_set_label (self->name_label, "");
      return;
    }
  name = g_filename_display_basename (path);
  gtk_label_set_label (self->name_label, name);
  self->cancellable = g_cancellable_new ();
  pbi_thumbnail_load_async (path, THUMBNAIL_SIZE, self->cancellable, thumbnail_cb,
                            g_object_ref (self));
}

/**
 * pbi_capture_cell_get_path:
 * @self: a cell
 *
 * Returns: (nullable) (type filename): the photo it shows
 */
const gchar *
pbi_capture_cell_get_path (PbiCaptureCell *self)
{
  g_return_val_if_fail (PBI_IS_CAPTURE_CELL (self), NULL);
  return self->path;
}

static void
pbi_capture_cell_dispose (GObject *object)
{
  PbiCaptureCell *self = PBI_CAPTURE_CELL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  G_OBJECT_CLASS (pbi_capture_cell_parent_class)->dispose (object);
}

static void
pbi_capture_cell_finalize (GObject *object)
{
  PbiCaptureCell *self = PBI_CAPTURE_CELL (object);

  g_free (self->path);
  g_free (self->error);
  G_OBJECT_CLASS (pbi_capture_cell_parent_class)->finalize (object);
}

static void
pbi_capture_cell_class_init (PbiCaptureCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pbi_capture_cell_dispose;
  object_class->finalize = pbi_capture_cell_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/photobooth/"
                                               "ImmichSync/ui/pbi-capture-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, PbiCaptureCell, picture);
  gtk_widget_class_bind_template_child (widget_class, PbiCaptureCell, placeholder);
  gtk_widget_class_bind_template_child (widget_class, PbiCaptureCell, badge);
  gtk_widget_class_bind_template_child (widget_class, PbiCaptureCell, badge_icon);
  gtk_widget_class_bind_template_child (widget_class, PbiCaptureCell, badge_label);
  gtk_widget_class_bind_template_child (widget_class, PbiCaptureCell, name_label);
  gtk_widget_class_bind_template_callback (widget_class, on_badge_clicked_cb);
}

static void
pbi_capture_cell_init (PbiCaptureCell *self)
{
  self->state = PBI_CAPTURE_STATE_UNKNOWN;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->name_label), TRUE);
  g_signal_connect (self->name_label, "query-tooltip", G_CALLBACK (on_name_query_tooltip_cb),
                    self);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->badge), TRUE);
  g_signal_connect (self->badge, "query-tooltip", G_CALLBACK (on_badge_query_tooltip_cb), self);
}

/**
 * pbi_capture_cell_new:
 *
 * Returns: (transfer floating): a new cell
 */
GtkWidget *
pbi_capture_cell_new (void)
{
  return g_object_new (PBI_TYPE_CAPTURE_CELL, NULL);
}
