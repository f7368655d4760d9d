/* pbi-capture-grid.c: the recent captures as a thumbnail grid with state badges
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model is GTK's own and lazy: a GtkDirectoryList over the capture
 * folder (enumerated and monitored in the background), filtered to the
 * media names the engine syncs and sorted newest first, both incrementally,
 * so a folder of 10,000 captures never stalls the main loop. A GtkGridView
 * only makes cells for what is on screen. Each bound cell asks for its
 * photo's state; the asks are gathered and answered in batches by the
 * engine (pbi_engine_query_file_states_async), and ::file-state-changed
 * keeps them current.
 */

#include "config.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "pbi-bench.h"
#include "pbi-capture-cell.h"
#include "pbi-capture-grid.h"
#include "pbi-engine-files.h"
#include "pbi-engine-private.h"
#include "pbi-media-info.h"

#define ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
                   G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC

struct _PbiCaptureGrid
{
  AdwBin              parent_instance;

  PbiEngine          *engine;       /* (owned) */
  GtkStack           *stack;
  AdwStatusPage      *empty_page;
  GtkGridView        *grid_view;
  GtkWidget          *scrolled;
  GtkDirectoryList   *directory;    /* (owned) */
  GtkSortListModel   *sorted;       /* (owned) */
  GtkMultiSelection  *selection;    /* (owned) */
  GStrv               extensions;   /* (owned) */
  gchar              *folder;       /* (owned) (nullable) */

  GHashTable         *states;       /* path → PbiFileStatus (owned) */
  GHashTable         *cells;        /* path (owned) → PbiCaptureCell (borrowed) */
  GHashTable         *wanted;       /* set of paths to look up */
  guint               query_source;
  guint               top_source;
  guint               trim_source;
  gint64              scrolled_at;  /* monotonic µs of the last scroll */
  GCancellable       *cancellable;  /* (owned) */
  guint               n_selected;
  gint                empty_shown;  /* -1 before the first update_empty () */
  gint64              bench_scroll_start;
  guint               bench_pages_done;
  gdouble             bench_fling_from;
};

G_DEFINE_FINAL_TYPE (PbiCaptureGrid, pbi_capture_grid, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_N_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gchar *
info_path (GFileInfo *info)
{
  GFile *file = G_FILE (g_file_info_get_attribute_object (info, "standard::file"));

  return file != NULL ? g_file_get_path (file) : NULL;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  PbiCaptureGrid *self = user_data;
  GFileInfo *info = item;

  return g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
         pbi_media_filename_is_candidate (g_file_info_get_name (info),
                                          (const gchar * const *) self->extensions);
}

/* The sort key: modification time in µs. A numeric sorter lets the sort
 * model compute each key once and compare keys, far cheaper than a compare
 * function that reads two GFileInfos per comparison. */
static guint64
info_mtime (GFileInfo *info,
            gpointer   user_data)
{
  if (info == NULL)
    return 0;
  return g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC +
         g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
}

static void
apply_state (PbiCaptureGrid *self,
             const gchar    *path)
{
  PbiCaptureCell *cell = g_hash_table_lookup (self->cells, path);
  PbiFileStatus *status = g_hash_table_lookup (self->states, path);

  if (cell == NULL || status == NULL)
    return;
  pbi_capture_cell_set_state (cell, status->state, status->error);
}

typedef struct
{
  PbiCaptureGrid *self;    /* (owned) */
  GPtrArray      *paths;   /* (owned) what was asked */
} Query;

static void
query_free (Query *query)
{
  g_object_unref (query->self);
  g_ptr_array_unref (query->paths);
  g_free (query);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Query, query_free)

static void
query_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Query) query = user_data;
  PbiCaptureGrid *self = query->self;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  found = pbi_engine_query_file_states_finish (PBI_ENGINE (object), result, &error);
  if (found == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not look up photo states: %s", error->message);
      return;
    }
  /* asked about but unknown to the store: never queued */
  for (guint i = 0; i < query->paths->len; i++)
    {
      const gchar *path = g_ptr_array_index (query->paths, i);

      if (path != NULL && !g_hash_table_contains (found, path) &&
          !g_hash_table_contains (self->states, path))
        {
          PbiFileStatus *status = g_new0 (PbiFileStatus, 1);

          status->path = g_strdup (path);
          status->state = PBI_CAPTURE_STATE_NOT_QUEUED;
          g_hash_table_insert (self->states, status->path, status);
          apply_state (self, path);
        }
    }
  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      PbiFileStatus *status = value;

      /* a live change that came in meanwhile is newer: keep it */
      if (g_hash_table_contains (self->states, status->path))
        continue;
      g_hash_table_iter_steal (&iter);
      g_hash_table_insert (self->states, status->path, status);
      apply_state (self, status->path);
    }
}

static gboolean
query_wanted_cb (gpointer user_data)
{
  PbiCaptureGrid *self = user_data;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;
  Query *query;

  self->query_source = 0;
  g_hash_table_iter_init (&iter, self->wanted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_ptr_array_add (paths, key);
      g_hash_table_iter_steal (&iter);
    }
  g_ptr_array_add (paths, NULL);
  if (paths->len > 1)
    {
      query = g_new0 (Query, 1);
      query->self = g_object_ref (self);
      query->paths = g_ptr_array_ref (paths);
      pbi_engine_query_file_states_async (self->engine, (const gchar * const *) paths->pdata,
                                          self->cancellable, query_cb, query);
    }
  return G_SOURCE_REMOVE;
}

static void
on_setup_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             PbiCaptureGrid           *self)
{
  gtk_list_item_set_child (item, pbi_capture_cell_new ());
}

static void
on_bind_cb (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            PbiCaptureGrid           *self)
{
  PbiCaptureCell *cell = PBI_CAPTURE_CELL (gtk_list_item_get_child (item));
  g_autofree gchar *path = info_path (gtk_list_item_get_item (item));
  gint64 t0 = pbi_bench_on ? g_get_monotonic_time () : 0;

  pbi_capture_cell_set_file (cell, path);
  if (pbi_bench_on)
    pbi_bench_bind_time (g_get_monotonic_time () - t0);
  if (path == NULL)
    return;
  g_hash_table_replace (self->cells, g_strdup (path), cell);
  if (g_hash_table_contains (self->states, path))
    apply_state (self, path);
  else
    {
      g_hash_table_add (self->wanted, g_steal_pointer (&path));
      if (self->query_source == 0)
        self->query_source = g_idle_add (query_wanted_cb, self);
    }
}

static void
on_unbind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              PbiCaptureGrid           *self)
{
  PbiCaptureCell *cell = PBI_CAPTURE_CELL (gtk_list_item_get_child (item));
  const gchar *path = pbi_capture_cell_get_path (cell);
  gint64 t0 = pbi_bench_on ? g_get_monotonic_time () : 0;

  if (path != NULL && g_hash_table_lookup (self->cells, path) == cell)
    g_hash_table_remove (self->cells, path);
  pbi_capture_cell_set_file (cell, NULL);
  if (pbi_bench_on)
    pbi_bench_bind_time (g_get_monotonic_time () - t0);
}

static void
on_file_state_changed_cb (PbiEngine      *engine,
                          const gchar    *path,
                          gint            state,
                          const gchar    *error,
                          PbiCaptureGrid *self)
{
  PbiFileStatus *status = g_new0 (PbiFileStatus, 1);

  status->path = g_strdup (path);
  status->state = state;
  status->error = g_strdup (error);
  g_hash_table_replace (self->states, status->path, status);
  apply_state (self, path);
}

static void
update_empty (PbiCaptureGrid *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->sorted)) == 0;

  if (self->folder == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No Capture Folder"));
      adw_status_page_set_description (self->empty_page,
                                       _("Choose the folder the photo booth saves to in the "
                                         "preferences."));
    }
  else
    {
      g_autofree gchar *display = g_filename_display_name (self->folder);
      g_autofree gchar *text = g_strdup_printf (_("New photos in %s show here."), display);

      adw_status_page_set_title (self->empty_page, _("No Photos Yet"));
      adw_status_page_set_description (self->empty_page, text);
    }
  /* Only when it changes: this runs for every change of the model (a
   * folder of 1,000 photos is listed and sorted in hundreds of them), and
   * showing a page, even for a moment, makes GTK lay out the whole window
   * again: 1,000 photos stalled the main loop 3–5 s at start (B11). */
  if (self->empty_shown == (empty ? 1 : 0))
    return;
  self->empty_shown = empty ? 1 : 0;
  /* the page not shown is hidden too, so assistive technology skips it */
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), TRUE);
  gtk_widget_set_visible (self->scrolled, TRUE);
  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "grid");
  gtk_widget_set_visible (empty ? self->scrolled : GTK_WIDGET (self->empty_page), FALSE);
}

/* Scrolling through thousands of captures draws a thumbnail for every cell
 * that passes by. What the cells that scrolled away used is freed, but
 * glibc keeps most of it in its heaps (each draw's image is too small to be
 * mapped on its own), so the app's RSS stayed near its peak after a scroll.
 * Once the grid has been still for a second, the free pages go back to the
 * system (B13: 10,000 captures scrolled top to bottom). */
#define TRIM_AFTER_STILL_MS 1000

static gboolean
trim_cb (gpointer user_data)
{
  PbiCaptureGrid *self = user_data;
  gint64 still_ms = (g_get_monotonic_time () - self->scrolled_at) / 1000;

  if (still_ms < TRIM_AFTER_STILL_MS)
    {
      self->trim_source = g_timeout_add (TRIM_AFTER_STILL_MS - still_ms, trim_cb, self);
      return G_SOURCE_REMOVE;
    }
  self->trim_source = 0;
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

static void
on_scrolled_cb (GtkAdjustment  *vadj,
                PbiCaptureGrid *self)
{
  self->scrolled_at = g_get_monotonic_time ();
  if (self->trim_source == 0)
    self->trim_source = g_timeout_add (TRIM_AFTER_STILL_MS, trim_cb, self);
}

static gboolean
back_to_top_cb (gpointer user_data)
{
  PbiCaptureGrid *self = user_data;
  GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->grid_view));

  self->top_source = 0;
  gtk_adjustment_set_value (vadj, gtk_adjustment_get_lower (vadj));
  return G_SOURCE_REMOVE;
}

static void
on_items_changed_cb (GListModel     *model,
                     guint           position,
                     guint           removed,
                     guint           added,
                     PbiCaptureGrid *self)
{
  GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->grid_view));

  /* The view keeps the photo it shows when others come in above it; at the
   * top, it stays at the top instead, with the newest capture in view. This
   * runs before the view hears of the change. */
  if (position == 0 && added > 0 && vadj != NULL &&
      gtk_adjustment_get_value (vadj) <= gtk_adjustment_get_lower (vadj) + 1 &&
      self->top_source == 0)
    self->top_source = g_idle_add (back_to_top_cb, self);
  update_empty (self);
}

static void
on_selection_changed_cb (GtkSelectionModel *model,
                         guint              position,
                         guint              n_items,
                         PbiCaptureGrid    *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (model);
  guint n = (guint) gtk_bitset_get_size (selected);

  if (n == self->n_selected)
    return;
  self->n_selected = n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
}

/* PBI_BENCH_SCROLL="PAGES PAGE_MS FLING_S" (with PBI_BENCH_FRAMES;
 * benchmark B12): once the folder is listed and sorted, and a second
 * later, the grid steps down a page PAGES times, one every PAGE_MS, as
 * Page Down would, then scrolls on to the bottom at an even speed in
 * FLING_S seconds, a step each frame, as a steady fling would. */
static gboolean
bench_scroll_tick_cb (GtkWidget     *widget,
                      GdkFrameClock *clock,
                      gpointer       user_data)
{
  PbiCaptureGrid *self = user_data;
  GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->grid_view));
  gint64 now = g_get_monotonic_time ();
  gdouble end = gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj);
  gdouble fling_s, done;
  guint pages, page_ms;
  gint64 fling_start;

  if (!pbi_bench_scroll_plan (&pages, &page_ms, &fling_s))
    return G_SOURCE_REMOVE;
  if (self->bench_scroll_start == 0)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));

      if (n == 0 || gtk_directory_list_is_loading (self->directory) ||
          gtk_sort_list_model_get_pending (self->sorted) != 0)
        return G_SOURCE_CONTINUE;
      pbi_bench_event ("grid_listed", now);
      pbi_bench_event ("grid_items", n);
      self->bench_scroll_start = now + G_USEC_PER_SEC;
      return G_SOURCE_CONTINUE;
    }
  if (now < self->bench_scroll_start)
    return G_SOURCE_CONTINUE;
  /* the page steps */
  if (self->bench_pages_done < pages)
    {
      if (now >= self->bench_scroll_start + (gint64) self->bench_pages_done * page_ms * 1000)
        {
          pbi_bench_event ("page", now);
          gtk_adjustment_set_value (vadj, MIN (end, gtk_adjustment_get_value (vadj) +
                                                    gtk_adjustment_get_page_size (vadj)));
          self->bench_pages_done++;
        }
      return G_SOURCE_CONTINUE;
    }
  /* the fling, from where the pages left it */
  fling_start = self->bench_scroll_start + (gint64) pages * page_ms * 1000;
  if (now < fling_start)
    return G_SOURCE_CONTINUE;
  if (self->bench_fling_from < 0)
    {
      self->bench_fling_from = gtk_adjustment_get_value (vadj);
      pbi_bench_event ("scroll_start", now);
    }
  done = MIN (1.0, (now - fling_start) / (fling_s * G_USEC_PER_SEC));
  gtk_adjustment_set_value (vadj, self->bench_fling_from + (end - self->bench_fling_from) * done);
  if (done < 1.0)
    return G_SOURCE_CONTINUE;
  pbi_bench_event ("scroll_end", now);
  pbi_bench_event ("scroll_pixels", (gint64) (end - self->bench_fling_from));
  pbi_bench_event ("page_pixels", (gint64) gtk_adjustment_get_page_size (vadj));
  pbi_bench_write ();
  return G_SOURCE_REMOVE;
}

/**
 * pbi_capture_grid_set_folder:
 * @self: a grid
 * @folder: (nullable) (type filename): the capture folder, %NULL or "" for none
 *
 * Shows the photos of @folder (and follows new ones).
 */
void
pbi_capture_grid_set_folder (PbiCaptureGrid *self,
                             const gchar    *folder)
{
  g_autoptr(GFile) file = NULL;

  g_return_if_fail (PBI_IS_CAPTURE_GRID (self));

  if (folder != NULL && *folder == '\0')
    folder = NULL;
  if (g_strcmp0 (folder, self->folder) == 0)
    return;
  g_free (self->folder);
  self->folder = g_strdup (folder);
  if (folder != NULL)
    file = g_file_new_for_path (folder);
  gtk_directory_list_set_file (self->directory, file);
  update_empty (self);
}

/**
 * pbi_capture_grid_get_n_selected:
 * @self: a grid
 *
 * Returns: how many photos are selected
 */
guint
pbi_capture_grid_get_n_selected (PbiCaptureGrid *self)
{
  g_return_val_if_fail (PBI_IS_CAPTURE_GRID (self), 0);
  return self->n_selected;
}

/**
 * pbi_capture_grid_dup_selected:
 * @self: a grid
 *
 * Returns: (transfer full) (array zero-terminated=1): the selected photos
 */
GStrv
pbi_capture_grid_dup_selected (PbiCaptureGrid *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GtkBitsetIter iter;
  guint position;

  g_return_val_if_fail (PBI_IS_CAPTURE_GRID (self), NULL);

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_iter_init_first (&iter, selected, &position))
    do
      {
        g_autoptr(GFileInfo) info = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                           position);
        g_autofree gchar *path = info != NULL ? info_path (info) : NULL;

        if (path != NULL)
          g_strv_builder_add (builder, path);
      }
    while (gtk_bitset_iter_next (&iter, &position));
  return g_strv_builder_end (builder);
}

/**
 * pbi_capture_grid_unselect_all:
 * @self: a grid
 */
void
pbi_capture_grid_unselect_all (PbiCaptureGrid *self)
{
  g_return_if_fail (PBI_IS_CAPTURE_GRID (self));
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

static void
pbi_capture_grid_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PbiCaptureGrid *self = PBI_CAPTURE_GRID (object);

  switch (prop_id)
    {
    case PROP_N_SELECTED:
      g_value_set_uint (value, self->n_selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_capture_grid_dispose (GObject *object)
{
  PbiCaptureGrid *self = PBI_CAPTURE_GRID (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->query_source, g_source_remove);
  g_clear_handle_id (&self->top_source, g_source_remove);
  g_clear_handle_id (&self->trim_source, g_source_remove);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->directory);
  G_OBJECT_CLASS (pbi_capture_grid_parent_class)->dispose (object);
}

static void
pbi_capture_grid_finalize (GObject *object)
{
  PbiCaptureGrid *self = PBI_CAPTURE_GRID (object);

  g_clear_object (&self->cancellable);
  g_strfreev (self->extensions);
  g_free (self->folder);
  g_hash_table_unref (self->states);
  g_hash_table_unref (self->cells);
  g_hash_table_unref (self->wanted);
  G_OBJECT_CLASS (pbi_capture_grid_parent_class)->finalize (object);
}

static void
pbi_capture_grid_class_init (PbiCaptureGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pbi_capture_grid_get_property;
  object_class->dispose = pbi_capture_grid_dispose;
  object_class->finalize = pbi_capture_grid_finalize;

  properties[PROP_N_SELECTED] =
    g_param_spec_uint ("n-selected", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pbi_capture_grid_init (PbiCaptureGrid *self)
{
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) pbi_file_status_free);
  self->cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->empty_shown = -1;
}

/**
 * pbi_capture_grid_new:
 * @engine: the engine whose photo states the badges show
 *
 * Returns: (transfer floating): a new grid, showing no folder yet
 */
GtkWidget *
pbi_capture_grid_new (PbiEngine *engine)
{
  PbiCaptureGrid *self;
  GtkFilterListModel *filtered;
  GtkListItemFactory *factory;
  GtkWidget *scrolled;
  GtkNumericSorter *sorter;
  GtkCustomFilter *filter;
  GtkSelectionModel *model;

  g_return_val_if_fail (PBI_IS_ENGINE (engine), NULL);


  self = g_object_new (PBI_TYPE_CAPTURE_GRID, NULL);
  self->engine = g_object_ref (engine);
  self->extensions = pbi_engine_dup_media_extensions (engine);

  self->directory = gtk_directory_list_new (ATTRIBUTES, NULL);
  gtk_directory_list_set_monitored (self->directory, TRUE);
  gtk_directory_list_set_io_priority (self->directory, G_PRIORITY_LOW);
  filter = gtk_custom_filter_new (filter_func, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->directory)),
                                        GTK_FILTER (filter));
  gtk_filter_list_model_set_incremental (filtered, TRUE);
  sorter = gtk_numeric_sorter_new (gtk_cclosure_expression_new (G_TYPE_UINT64, NULL, 0, NULL,
                                                                G_CALLBACK (info_mtime),
                                                                NULL, NULL));
  gtk_numeric_sorter_set_sort_order (sorter, GTK_SORT_DESCENDING);   /* newest first */
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (filtered), GTK_SORTER (sorter));
  gtk_sort_list_model_set_incremental (self->sorted, TRUE);
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (on_items_changed_cb),
                           self, 0);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (on_selection_changed_cb), self, 0);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (on_setup_cb), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_bind_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_unbind_cb), self, 0);
  model = g_object_ref (GTK_SELECTION_MODEL (self->selection));
  self->grid_view = GTK_GRID_VIEW (gtk_grid_view_new (model, factory));
  gtk_grid_view_set_max_columns (self->grid_view, 12);
  gtk_grid_view_set_enable_rubberband (self->grid_view, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recent Photos"), -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->grid_view), "capture-grid");

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->grid_view));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_set_hexpand (scrolled, TRUE);
  self->scrolled = scrolled;
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                           "value-changed", G_CALLBACK (on_scrolled_cb), self, 0);

  self->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->empty_page, "camera-photo-symbolic");
  gtk_widget_add_css_class (GTK_WIDGET (self->empty_page), "compact");

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->empty_page), "empty");
  gtk_stack_add_named (self->stack, scrolled, "grid");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->stack));

  g_signal_connect_object (engine, "file-state-changed",
                           G_CALLBACK (on_file_state_changed_cb), self, 0);
  update_empty (self);
  self->bench_fling_from = -1;
  if (pbi_bench_on && g_getenv ("PBI_BENCH_SCROLL") != NULL)
    gtk_widget_add_tick_callback (GTK_WIDGET (self->grid_view), bench_scroll_tick_cb, self, NULL);
  return GTK_WIDGET (self);
}
