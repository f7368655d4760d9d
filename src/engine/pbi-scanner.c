/* pbi-scanner.c: asynchronous walk of a folder tree for media files
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pbi-media-info.h"
#include "pbi-scanner.h"

#define BATCH_SIZE 100

#define SCAN_ATTRIBUTES \
  G_FILE_ATTRIBUTE_STANDARD_NAME "," \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
  G_FILE_ATTRIBUTE_STANDARD_SIZE "," \
  G_FILE_ATTRIBUTE_TIME_MODIFIED "," \
  G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC "," \
  G_FILE_ATTRIBUTE_ID_FILE

/**
 * PbiScanner:
 *
 * Walks a folder tree without blocking the main loop: each folder is read
 * with g_file_enumerate_children_async() in batches of 100 entries
 * (g_file_enumerator_next_files_async()), one folder at a time, so the main
 * thread only ever handles one small batch at once. Regular files that pass
 * pbi_media_filename_is_candidate() are collected with their size and mtime.
 *
 * Symbolic links are followed (a link to a photo counts), but each folder is
 * entered once, keyed by device and inode, so link loops end. Hidden folders
 * (leading `.`) and empty files are skipped. A subfolder that cannot be read is skipped with
 * a debug message; only an unreadable root is an error.
 */
struct _PbiScanner
{
  GObject  parent_instance;
  GFile   *root;        /* (owned) */
  GStrv    extensions;  /* (owned) (nullable) NULL = default set */
};

typedef struct
{
  GQueue           dirs;        /* (owned) GFile* still to read */
  GHashTable      *visited;     /* (owned) id::file of folders entered */
  GPtrArray       *entries;     /* (owned) PbiScanEntry* */
  GFile           *dir;         /* (owned) (nullable) folder being read */
  GFileEnumerator *enumerator;  /* (owned) (nullable) */
} ScanData;

enum {
  PROP_0,
  PROP_ROOT,
  PROP_EXTENSIONS,
  N_PROPS
};

enum {
  SIGNAL_FOUND,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PbiScanner, pbi_scanner, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (PbiScanEntry, pbi_scan_entry, pbi_scan_entry_copy, pbi_scan_entry_free)

static void scan_next_dir (GTask *task);

/**
 * pbi_scan_entry_copy:
 * @entry: a #PbiScanEntry
 *
 * Returns: (transfer full): a copy of @entry
 */
PbiScanEntry *
pbi_scan_entry_copy (const PbiScanEntry *entry)
{
  PbiScanEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_new0 (PbiScanEntry, 1);
  copy->path = g_strdup (entry->path);
  copy->size = entry->size;
  copy->mtime_us = entry->mtime_us;

  return copy;
}

/**
 * pbi_scan_entry_free:
 * @entry: (nullable): a #PbiScanEntry
 */
void
pbi_scan_entry_free (PbiScanEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->path);
  g_free (entry);
}

static void
scan_data_free (ScanData *data)
{
  g_queue_clear_full (&data->dirs, g_object_unref);
  g_clear_pointer (&data->visited, g_hash_table_unref);
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_object (&data->dir);
  g_clear_object (&data->enumerator);
  g_free (data);
}

static void
pbi_scanner_finalize (GObject *object)
{
  PbiScanner *self = (PbiScanner *)object;

  g_clear_object (&self->root);
  g_clear_pointer (&self->extensions, g_strfreev);

  G_OBJECT_CLASS (pbi_scanner_parent_class)->finalize (object);
}

static void
pbi_scanner_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PbiScanner *self = PBI_SCANNER (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      g_value_set_object (value, self->root);
      break;

    case PROP_EXTENSIONS:
      g_value_set_boxed (value, self->extensions);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_scanner_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PbiScanner *self = PBI_SCANNER (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      self->root = g_value_dup_object (value);
      break;

    case PROP_EXTENSIONS:
      self->extensions = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pbi_scanner_class_init (PbiScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pbi_scanner_finalize;
  object_class->get_property = pbi_scanner_get_property;
  object_class->set_property = pbi_scanner_set_property;

  /**
   * PbiScanner:root:
   *
   * The folder to walk.
   */
  properties[PROP_ROOT] =
    g_param_spec_object ("root", NULL, NULL,
                         G_TYPE_FILE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * PbiScanner:extensions: (nullable)
   *
   * Lower-case media extensions with their dot, or %NULL for
   * pbi_media_default_extensions().
   */
  properties[PROP_EXTENSIONS] =
    g_param_spec_boxed ("extensions", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PbiScanner::found:
   * @self: the #PbiScanner
   * @batch: (element-type PbiScanEntry) (transfer none): files found in the
   *   last batch, in directory order; valid during the emission only
   *
   * Emitted for each batch of media files found, so a caller can show
   * progress before the whole tree is read.
   */
  signals[SIGNAL_FOUND] =
    g_signal_new ("found",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
}

static void
pbi_scanner_init (PbiScanner *self)
{
}

/**
 * pbi_scanner_new:
 * @root: the folder to walk
 * @extensions: (nullable) (array zero-terminated=1): lower-case media
 *   extensions with their dot, or %NULL for pbi_media_default_extensions()
 *
 * Returns: (transfer full): a new #PbiScanner
 */
PbiScanner *
pbi_scanner_new (GFile               *root,
                 const gchar * const *extensions)
{
  g_return_val_if_fail (G_IS_FILE (root), NULL);

  return g_object_new (PBI_TYPE_SCANNER,
                       "root", root,
                       "extensions", extensions,
                       NULL);
}

/**
 * pbi_scanner_get_root:
 * @self: a #PbiScanner
 *
 * Returns: (transfer none): the folder this scanner walks
 */
GFile *
pbi_scanner_get_root (PbiScanner *self)
{
  g_return_val_if_fail (PBI_IS_SCANNER (self), NULL);

  return self->root;
}

static gint
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const PbiScanEntry *ea = *(const PbiScanEntry * const *) a;
  const PbiScanEntry *eb = *(const PbiScanEntry * const *) b;

  return strcmp (ea->path, eb->path);
}

static void
sort_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ScanData *data = task_data;

  g_ptr_array_sort (data->entries, compare_entries);
  g_task_return_pointer (task, g_ptr_array_ref (data->entries),
                         (GDestroyNotify) g_ptr_array_unref);
}

/* Hands the folder to the walk unless it was entered before (a link loop or a
 * second link to the same folder). */
static void
scan_queue_dir (ScanData  *data,
                GFile     *dir,
                GFileInfo *info)
{
  const gchar *id = g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_ID_FILE);

  if (id != NULL)
    {
      if (g_hash_table_contains (data->visited, id))
        {
          g_debug ("Not entering “%s” twice", g_file_peek_path (dir));
          return;
        }
      g_hash_table_add (data->visited, g_strdup (id));
    }

  g_queue_push_tail (&data->dirs, g_object_ref (dir));
}

static void
scan_next_files_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GFileEnumerator *enumerator = (GFileEnumerator *)object;
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  GCancellable *cancellable;
  PbiScanner *self;
  ScanData *data;
  GList *infos;

  g_assert (G_IS_FILE_ENUMERATOR (enumerator));
  g_assert (G_IS_TASK (task));

  self = g_task_get_source_object (task);
  data = g_task_get_task_data (task);

  infos = g_file_enumerator_next_files_finish (enumerator, result, &error);
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      g_debug ("Stopped reading “%s”: %s", g_file_peek_path (data->dir), error->message);
    }

  if (infos == NULL)
    {
      g_file_enumerator_close (enumerator, NULL, NULL);
      g_clear_object (&data->enumerator);
      g_clear_object (&data->dir);
      scan_next_dir (g_steal_pointer (&task));
      return;
    }

  batch = g_ptr_array_new ();

  for (GList *l = infos; l != NULL; l = l->next)
    {
      GFileInfo *info = l->data;
      const gchar *name = g_file_info_get_name (info);
      g_autoptr(GFile) child = NULL;
      PbiScanEntry *entry;

      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          if (name[0] == '.')
            break;
          child = g_file_enumerator_get_child (enumerator, info);
          scan_queue_dir (data, child, info);
          break;

        case G_FILE_TYPE_REGULAR:
          /* An empty file is no photo (yet); the watcher reports it once written. */
          if (!pbi_media_filename_is_candidate (name, (const gchar * const *) self->extensions) ||
              g_file_info_get_size (info) == 0)
            break;
          child = g_file_enumerator_get_child (enumerator, info);
          entry = g_new0 (PbiScanEntry, 1);
          entry->path = g_file_get_path (child);
          entry->size = g_file_info_get_size (info);
          entry->mtime_us =
            (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) *
              G_USEC_PER_SEC +
            g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
          if (entry->path == NULL)
            {
              pbi_scan_entry_free (entry);
              break;
            }
          g_ptr_array_add (data->entries, entry);
          g_ptr_array_add (batch, entry);
          break;

        case G_FILE_TYPE_UNKNOWN:
        case G_FILE_TYPE_SYMBOLIC_LINK:  /* a dangling link */
        case G_FILE_TYPE_SPECIAL:
        case G_FILE_TYPE_SHORTCUT:
        case G_FILE_TYPE_MOUNTABLE:
        default:
          break;
        }
    }

  g_list_free_full (infos, g_object_unref);

  if (batch->len > 0)
    g_signal_emit (self, signals[SIGNAL_FOUND], 0, batch);

  cancellable = g_task_get_cancellable (task);
  g_file_enumerator_next_files_async (enumerator, BATCH_SIZE, G_PRIORITY_DEFAULT, cancellable,
                                      scan_next_files_cb, g_steal_pointer (&task));
}

static void
scan_enumerate_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GFile *dir = (GFile *)object;
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  ScanData *data;

  g_assert (G_IS_FILE (dir));
  g_assert (G_IS_TASK (task));

  data = g_task_get_task_data (task);
  data->enumerator = g_file_enumerate_children_finish (dir, result, &error);
  if (data->enumerator == NULL)
    {
      PbiScanner *self = g_task_get_source_object (task);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_file_equal (dir, self->root))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      g_debug ("Skipping “%s”: %s", g_file_peek_path (dir), error->message);
      g_clear_object (&data->dir);
      scan_next_dir (g_steal_pointer (&task));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  g_file_enumerator_next_files_async (data->enumerator, BATCH_SIZE, G_PRIORITY_DEFAULT,
                                      cancellable, scan_next_files_cb, g_steal_pointer (&task));
}

static void
scan_next_dir (GTask *task)
{
  ScanData *data = g_task_get_task_data (task);

  g_assert (data->dir == NULL);

  data->dir = g_queue_pop_head (&data->dirs);
  if (data->dir == NULL)
    {
      /* Sorting 100 000 paths takes tens of ms: not on the main thread. */
      g_task_run_in_thread (task, sort_in_thread);
      g_object_unref (task);
      return;
    }

  g_file_enumerate_children_async (data->dir, SCAN_ATTRIBUTES, G_FILE_QUERY_INFO_NONE,
                                   G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   scan_enumerate_cb, task);
}

static void
scan_root_info_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GFile *root = (GFile *)object;
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;

  g_assert (G_IS_FILE (root));
  g_assert (G_IS_TASK (task));

  info = g_file_query_info_finish (root, result, &error);
  if (info == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, "Cannot read folder “%s”: ", g_file_peek_path (root));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                               "“%s” is not a folder", g_file_peek_path (root));
      return;
    }

  scan_queue_dir (g_task_get_task_data (task), root, info);
  scan_next_dir (g_steal_pointer (&task));
}

/**
 * pbi_scanner_scan_async:
 * @self: a #PbiScanner
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the whole tree has been read
 * @user_data: data for @callback
 *
 * Walks the tree under #PbiScanner:root, emitting #PbiScanner::found per
 * batch on the way.
 */
void
pbi_scanner_scan_async (PbiScanner          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ScanData *data;

  g_return_if_fail (PBI_IS_SCANNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pbi_scanner_scan_async);

  data = g_new0 (ScanData, 1);
  g_queue_init (&data->dirs);
  data->visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  data->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) pbi_scan_entry_free);
  g_task_set_task_data (task, data, (GDestroyNotify) scan_data_free);

  g_file_query_info_async (self->root,
                           G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_ID_FILE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, cancellable,
                           scan_root_info_cb, g_steal_pointer (&task));
}

/**
 * pbi_scanner_scan_finish:
 * @self: a #PbiScanner
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type PbiScanEntry): every media file
 *   found, sorted by path, or %NULL with @error set (G_IO_ERROR, naming the
 *   root, when it is missing, unreadable or not a folder; or CANCELLED)
 */
GPtrArray *
pbi_scanner_scan_finish (PbiScanner    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (PBI_IS_SCANNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        pbi_scanner_scan_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
