/* pbi-ui-util.c: small helpers the app's widgets share
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pbi-ui-util.h"

#include "pbi-engine.h"

/**
 * pbi_entry_row_name_apply_button:
 * @row: an entry row with show-apply-button
 *
 * libadwaita 1.2 leaves the apply button of an AdwEntryRow without an
 * accessible name (a screen reader says only "button"); this gives it one.
 */
void
pbi_entry_row_name_apply_button (AdwEntryRow *row)
{
  GObject *button;
  const gchar *title;
  g_autofree gchar *description = NULL;

  g_return_if_fail (ADW_IS_ENTRY_ROW (row));

  button = gtk_widget_get_template_child (GTK_WIDGET (row), ADW_TYPE_ENTRY_ROW, "apply_button");
  if (!GTK_IS_WIDGET (button))
    return;
  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  /* Translators: the tooltip of the button that saves an entry; %s is its title */
  description = g_strdup_printf (_("Save “%s”"), title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (button), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Apply"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/**
 * pbi_ui_param_spec_engine:
 *
 * The construct-only, write-only "engine" property (a #PbiEngine) of the
 * widgets that act on the engine.
 *
 * Returns: (transfer floating): the property's spec
 */
GParamSpec *
pbi_ui_param_spec_engine (void)
{
  return g_param_spec_object ("engine", NULL, NULL, PBI_TYPE_ENGINE,
                              G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
}

/**
 * pbi_ui_param_spec_settings:
 *
 * The construct-only, write-only "settings" property (a #GSettings) of the
 * widgets that show and change the settings.
 *
 * Returns: (transfer floating): the property's spec
 */
GParamSpec *
pbi_ui_param_spec_settings (void)
{
  return g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                              G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
}

/**
 * pbi_image_set_state:
 * @image: a status icon
 * @icon: the icon's name
 * @css: (nullable): its one style class of "success", "warning", "error" and
 *   "dim-label", or %NULL for none
 *
 * Shows @icon in @image with the style class of its state (and no other).
 */
void
pbi_image_set_state (GtkImage    *image,
                     const gchar *icon,
                     const gchar *css)
{
  static const gchar *classes[] = { "success", "warning", "error", "dim-label" };

  gtk_image_set_from_icon_name (image, icon);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (image), classes[i]);
  if (css != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (image), css);
}
