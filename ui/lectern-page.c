/* lectern-page.c — one page of a project (see lectern-page.h).
 *
 * Ownership of lines: a line in one of the document's regions belongs to that region. A line
 * taken out of its region (deleted) belongs to its LecternPageLine, which the undo step that
 * deleted it keeps, so that undo can put the very same line back. A new segmentation swaps the
 * document's whole region list with the one its undo step keeps. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "error.h"
#include "lectern-drafts.h"
#include "lectern-page.h"
#include "lectern-page-line-private.h"
#include "lectern-texture-loader.h"
#include "segment.h"

struct _LecternPage
{
  GObject           parent_instance;

  GFile            *file;
  char             *title;
  char             *image_path;
  char             *save_path;
  char             *draft_xml_path;     /* open this draft instead of the saved document */

  LecternDocument  *doc;
  GPtrArray        *items;              /* LecternPageLine*, in reading order */
  LecternUndoStack *undo;

  GdkTexture       *texture;
  LecternPageImage *image;
  guint             loading;            /* loads in flight */

  guint             autosave_source;
  gboolean          draft_writing;
  gboolean          draft_again;        /* edited while the draft was being written */
  gboolean          draft_discarded;    /* the person let the changes go: keep no draft */
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_LOADED,
  PROP_LOADING,
  PROP_MODIFIED,
  PROP_TEXTURE,
  PROP_N_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LINE_CHANGED,
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void lectern_page_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LecternPage, lectern_page, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lectern_page_list_model_init))

/* ---- the shared grey image ---------------------------------------------------------------- */

static void
page_image_clear (gpointer data)
{
  LecternPageImage *image = data;

  g_clear_pointer (&image->image, lectern_image_free);
}

static LecternPageImage *
page_image_new (LecternImage *image)
{
  LecternPageImage *shared = g_atomic_rc_box_new0 (LecternPageImage);

  shared->image = image;
  return shared;
}

LecternPageImage *
lectern_page_image_ref (LecternPageImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);

  return g_atomic_rc_box_acquire (image);
}

void
lectern_page_image_unref (LecternPageImage *image)
{
  if (image != NULL)
    g_atomic_rc_box_release_full (image, page_image_clear);
}

/* ---- GListModel ----------------------------------------------------------------------------- */

static GType
lectern_page_get_item_type (GListModel *model)
{
  return LECTERN_TYPE_PAGE_LINE;
}

static guint
lectern_page_get_n_items (GListModel *model)
{
  return LECTERN_PAGE (model)->items->len;
}

static gpointer
lectern_page_get_item (GListModel *model,
                       guint       position)
{
  LecternPage *self = LECTERN_PAGE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (self->items->pdata[position]);
}

static void
lectern_page_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lectern_page_get_item_type;
  iface->get_n_items = lectern_page_get_n_items;
  iface->get_item = lectern_page_get_item;
}

static void
renumber (LecternPage *self,
          guint        from)
{
  for (guint i = from; i < self->items->len; i++)
    _lectern_page_line_set_number (self->items->pdata[i], i + 1);
}

static void
items_changed (LecternPage *self,
               guint        position,
               guint        removed,
               guint        added)
{
  renumber (self, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
}

/* Position in reading order of line `index` of region (which is in the document). */
static guint
flat_position (LecternPage   *self,
               LecternRegion *region,
               guint          index)
{
  guint position = 0;

  for (guint i = 0; i < self->doc->regions->len; i++)
    {
      LecternRegion *r = self->doc->regions->pdata[i];
      if (r == region)
        return position + index;
      position += r->lines->len;
    }
  g_assert_not_reached ();
}

/* Where line is in the document: its region, that region's index, and its index there. */
static gboolean
locate_line (LecternPage        *self,
             const LecternLine  *line,
             LecternRegion     **region,
             guint              *region_index,
             guint              *index)
{
  if (self->doc == NULL || line == NULL)
    return FALSE;

  for (guint i = 0; i < self->doc->regions->len; i++)
    {
      LecternRegion *r = self->doc->regions->pdata[i];
      for (guint j = 0; j < r->lines->len; j++)
        if (r->lines->pdata[j] == line)
          {
            *region = r;
            *region_index = i;
            *index = j;
            return TRUE;
          }
    }
  return FALSE;
}

/* Items for every line of regions, in reading order. */
static GPtrArray *
make_items (GPtrArray *regions)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < regions->len; i++)
    {
      LecternRegion *region = regions->pdata[i];
      for (guint j = 0; j < region->lines->len; j++)
        g_ptr_array_add (items, _lectern_page_line_new (region->lines->pdata[j], FALSE));
    }
  return items;
}

static void
detach_items (GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    _lectern_page_line_detach (items->pdata[i]);
}

/* ---- commands ------------------------------------------------------------------------------- */

/* dst (points or confidences) takes src's elements, of the same size, in place of its own. */
static void
array_assign (GArray       *dst,
              const GArray *src)
{
  g_array_set_size (dst, 0);
  g_array_append_vals (dst, src->data, src->len);
}

/* dst takes src's content (not its id). */
static void
line_assign (LecternLine       *dst,
             const LecternLine *src)
{
  g_free (dst->text);
  dst->text = g_strdup (src->text != NULL ? src->text : "");
  dst->confidence = src->confidence;
  dst->corrected = src->corrected;
  array_assign (dst->polygon, src->polygon);
  array_assign (dst->baseline, src->baseline);
  array_assign (dst->char_confidences, src->char_confidences);
  array_assign (dst->char_spans, src->char_spans);
}

static gboolean
points_equal (const GArray *a,
              const GArray *b)
{
  /* an empty GArray may have no data pointer, and memcmp must not be given NULL */
  return a->len == b->len
         && (a->len == 0
             || memcmp (a->data, b->data, (gsize) a->len * sizeof (LecternPoint)) == 0);
}

typedef struct {
  LecternPage     *page;
  LecternPageLine *item;
  LecternLine     *before;
  LecternLine     *after;
} LineEdit;

static void
line_edit_apply (gpointer data,
                 gboolean redo)
{
  LineEdit *edit = data;
  LecternLine *line = _lectern_page_line_get_mutable (edit->item);

  if (line == NULL)
    return;
  line_assign (line, redo ? edit->after : edit->before);
  _lectern_page_line_changed (edit->item);
  g_signal_emit (edit->page, signals[LINE_CHANGED], 0, edit->item);
}

static void
line_edit_free (gpointer data)
{
  LineEdit *edit = data;

  g_object_unref (edit->item);
  lectern_line_free (edit->before);
  lectern_line_free (edit->after);
  g_free (edit);
}

/* Pushes the change of item's line from its present content to after (taken). */
static void
push_line_edit (LecternPage     *self,
                LecternPageLine *item,
                LecternLine     *after,
                const char      *label,
                gpointer         merge_key)
{
  LineEdit *edit = g_new0 (LineEdit, 1);

  edit->page = self;
  edit->item = g_object_ref (item);
  edit->before = lectern_line_copy (lectern_page_line_get_line (item));
  edit->after = after;
  lectern_undo_stack_push (self->undo, label, merge_key, line_edit_apply, edit, line_edit_free);
}

typedef struct {
  LecternPageLine *item;
  LecternRegion   *region;
  guint            region_index;   /* for sorting */
  guint            index;
} LineEntry;

typedef struct {
  LecternPage   *page;
  gboolean       insert;           /* the command adds the lines (else it removes them) */
  GArray        *entries;          /* LineEntry, in reading order */
  LecternRegion *new_region;       /* a region the added line came with, or NULL */
  gboolean       region_in_doc;
} LinesChange;

static void
add_entries (LinesChange *change)
{
  LecternPage *self = change->page;

  if (change->new_region != NULL && !change->region_in_doc)
    {
      g_ptr_array_add (self->doc->regions, change->new_region);
      change->region_in_doc = TRUE;
    }

  for (guint i = 0; i < change->entries->len; i++)
    {
      LineEntry *entry = &g_array_index (change->entries, LineEntry, i);
      LecternLine *line = _lectern_page_line_get_mutable (entry->item);
      guint position;

      g_ptr_array_insert (entry->region->lines, entry->index, line);
      _lectern_page_line_set_owns_line (entry->item, FALSE);
      position = flat_position (self, entry->region, entry->index);
      g_ptr_array_insert (self->items, position, g_object_ref (entry->item));
      items_changed (self, position, 0, 1);
    }
}

static void
remove_entries (LinesChange *change)
{
  LecternPage *self = change->page;

  for (guint i = change->entries->len; i > 0; i--)
    {
      LineEntry *entry = &g_array_index (change->entries, LineEntry, i - 1);
      guint position = flat_position (self, entry->region, entry->index);
      gpointer line G_GNUC_UNUSED;

      line = g_ptr_array_steal_index (entry->region->lines, entry->index);
      g_assert (line == lectern_page_line_get_line (entry->item));
      _lectern_page_line_set_owns_line (entry->item, TRUE);
      g_assert (self->items->pdata[position] == entry->item);
      g_ptr_array_remove_index (self->items, position);
      items_changed (self, position, 1, 0);
    }

  if (change->new_region != NULL && change->region_in_doc)
    {
      g_ptr_array_remove (self->doc->regions, change->new_region);
      change->region_in_doc = FALSE;
    }
}

static void
lines_change_apply (gpointer data,
                    gboolean redo)
{
  LinesChange *change = data;

  if (redo == change->insert)
    add_entries (change);
  else
    remove_entries (change);
  g_signal_emit (change->page, signals[LINE_CHANGED], 0, NULL);
}

static void
lines_change_free (gpointer data)
{
  LinesChange *change = data;

  for (guint i = 0; i < change->entries->len; i++)
    g_object_unref (g_array_index (change->entries, LineEntry, i).item);
  g_array_unref (change->entries);
  /* Out of the document, the region is empty: its line went back into its item. */
  if (change->new_region != NULL && !change->region_in_doc)
    lectern_region_free (change->new_region);
  g_free (change);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const LineEntry *ea = a, *eb = b;

  if (ea->region_index != eb->region_index)
    return ea->region_index < eb->region_index ? -1 : 1;
  return ea->index < eb->index ? -1 : ea->index > eb->index ? 1 : 0;
}

typedef struct {
  LecternPage   *page;
  LecternPageLine *item;
  LecternRegion *from, *to;
  guint          from_index, to_index;
} LineMove;

static void
line_move_apply (gpointer data,
                 gboolean redo)
{
  LineMove *move = data;
  LecternPage *self = move->page;
  LecternRegion *src = redo ? move->from : move->to;
  LecternRegion *dst = redo ? move->to : move->from;
  guint src_index = redo ? move->from_index : move->to_index;
  guint dst_index = redo ? move->to_index : move->from_index;
  guint old_position = flat_position (self, src, src_index);
  guint new_position;
  gpointer line;

  line = g_ptr_array_steal_index (src->lines, src_index);
  g_ptr_array_insert (dst->lines, dst_index, line);
  new_position = flat_position (self, dst, dst_index);

  g_ptr_array_steal_index (self->items, old_position);
  g_ptr_array_insert (self->items, new_position, move->item);
  items_changed (self, MIN (old_position, new_position),
                 ABS ((int) old_position - (int) new_position) + 1,
                 ABS ((int) old_position - (int) new_position) + 1);
  g_signal_emit (self, signals[LINE_CHANGED], 0, NULL);
}

static void
line_move_free (gpointer data)
{
  LineMove *move = data;

  g_object_unref (move->item);
  g_free (move);
}

typedef struct {
  LecternPage *page;
  GPtrArray   *other_regions;   /* the regions not in the document now */
  GPtrArray   *other_items;
} RegionsSwap;

static void
regions_swap_apply (gpointer data,
                    gboolean redo)
{
  RegionsSwap *swap = data;
  LecternPage *self = swap->page;
  GPtrArray *regions = self->doc->regions;
  GPtrArray *items = self->items;
  guint old_n = items->len;

  /* Swapping both ways is the same operation. */
  self->doc->regions = swap->other_regions;
  self->items = swap->other_items;
  swap->other_regions = regions;
  swap->other_items = items;

  items_changed (self, 0, old_n, self->items->len);
  g_signal_emit (self, signals[LINE_CHANGED], 0, NULL);
}

static void
regions_swap_free (gpointer data)
{
  RegionsSwap *swap = data;

  /* The items may outlive their lines (a row still shows one): they forget them first. */
  detach_items (swap->other_items);
  g_ptr_array_unref (swap->other_items);
  g_ptr_array_unref (swap->other_regions);
  g_free (swap);
}

/* ---- GObject -------------------------------------------------------------------------------- */

static void schedule_autosave (LecternPage *self);

static void
undo_changed (LecternUndoStack *undo,
              LecternPage      *self)
{
  schedule_autosave (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
undo_clean_changed (LecternUndoStack *undo,
                    GParamSpec       *pspec,
                    LecternPage      *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
lectern_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LecternPage *self = LECTERN_PAGE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, lectern_page_get_loaded (self));
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, lectern_page_get_loading (self));
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, lectern_page_get_modified (self));
      break;
    case PROP_TEXTURE:
      g_value_set_object (value, self->texture);
      break;
    case PROP_N_LINES:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_page_dispose (GObject *object)
{
  LecternPage *self = LECTERN_PAGE (object);

  g_clear_handle_id (&self->autosave_source, g_source_remove);

  /* Commands first (newest first), while the document they refer to is still there. */
  if (self->undo != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->undo, self);
      lectern_undo_stack_clear (self->undo, TRUE);
      g_clear_object (&self->undo);
    }
  detach_items (self->items);
  g_ptr_array_set_size (self->items, 0);
  g_clear_pointer (&self->doc, lectern_document_free);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->image, lectern_page_image_unref);

  G_OBJECT_CLASS (lectern_page_parent_class)->dispose (object);
}

static void
lectern_page_finalize (GObject *object)
{
  LecternPage *self = LECTERN_PAGE (object);

  g_ptr_array_unref (self->items);
  g_clear_object (&self->file);
  g_free (self->title);
  g_free (self->image_path);
  g_free (self->save_path);
  g_free (self->draft_xml_path);

  G_OBJECT_CLASS (lectern_page_parent_class)->finalize (object);
}

static void
lectern_page_class_init (LecternPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lectern_page_get_property;
  object_class->dispose = lectern_page_dispose;
  object_class->finalize = lectern_page_finalize;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXTURE] =
    g_param_spec_object ("texture", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_LINES] =
    g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LecternPage::line-changed:
   * @line: (nullable): the line whose content or geometry changed, or NULL when lines were
   *   added, removed or reordered
   */
  signals[LINE_CHANGED] =
    g_signal_new ("line-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LECTERN_TYPE_PAGE_LINE);

  /**
   * LecternPage::changed:
   *
   * Something on the page changed (an edit, undo or redo, or a new document).
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
lectern_page_init (LecternPage *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->undo = lectern_undo_stack_new ();
  g_signal_connect (self->undo, "changed", G_CALLBACK (undo_changed), self);
  g_signal_connect (self->undo, "notify::clean", G_CALLBACK (undo_clean_changed), self);
}

LecternPage *
lectern_page_new (GFile *file)
{
  LecternPage *self;
  g_autofree char *basename = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (LECTERN_TYPE_PAGE, NULL);
  self->file = g_object_ref (file);
  basename = g_file_get_basename (file);
  self->title = g_filename_display_name (basename != NULL ? basename : "");
  return self;
}

LecternPage *
lectern_page_new_from_draft (const char *image_path,
                             const char *save_path,
                             const char *draft_xml_path)
{
  g_autoptr(GFile) file = NULL;
  LecternPage *self;

  g_return_val_if_fail (image_path != NULL && save_path != NULL && draft_xml_path != NULL, NULL);

  file = g_file_new_for_path (image_path);
  self = lectern_page_new (file);
  self->image_path = g_strdup (image_path);
  self->save_path = g_strdup (save_path);
  self->draft_xml_path = g_strdup (draft_xml_path);
  return self;
}

GFile *
lectern_page_get_file (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  return self->file;
}

const char *
lectern_page_get_image_path (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  return self->image_path;
}

const char *
lectern_page_get_save_path (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  return self->save_path;
}

const char *
lectern_page_get_title (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  return self->title;
}

static gboolean
same_path (GFile      *file,
           const char *path)
{
  g_autoptr(GFile) other = NULL;

  if (path == NULL)
    return FALSE;
  other = g_file_new_for_path (path);
  return g_file_equal (file, other);
}

gboolean
lectern_page_matches_file (LecternPage *self,
                           GFile       *file)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return g_file_equal (self->file, file)
         || same_path (file, self->image_path)
         || same_path (file, self->save_path);
}

/* ---- loading -------------------------------------------------------------------------------- */

typedef struct {
  GFile           *file;
  char            *image_path;       /* known already, or NULL */
  char            *save_path;
  char            *draft_xml_path;
  gboolean         need_document;
  gboolean         need_images;
} LoadRequest;

typedef struct {
  LecternDocument *doc;
  char            *image_path;
  char            *save_path;
  GdkPixbuf       *pixbuf;
  LecternImage    *grey;
} LoadResult;

static void
load_request_free (LoadRequest *request)
{
  g_object_unref (request->file);
  g_free (request->image_path);
  g_free (request->save_path);
  g_free (request->draft_xml_path);
  g_free (request);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->doc, lectern_document_free);
  g_free (result->image_path);
  g_free (result->save_path);
  g_clear_object (&result->pixbuf);
  g_clear_pointer (&result->grey, lectern_image_free);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadResult, load_result_free)

/* The first bytes of a file, NUL-terminated ("" when unreadable). */
static char *
read_head (const char *path,
           gsize       size)
{
  char *head = g_malloc0 (size + 1);
  FILE *f = g_fopen (path, "rb");

  if (f != NULL)
    {
      size_t n = fread (head, 1, size, f);
      head[n] = '\0';
      fclose (f);
    }
  return head;
}

static gboolean
looks_like_xml (const char *path)
{
  g_autofree char *head = read_head (path, 64);
  const char *p = head;

  if (g_str_has_prefix (p, "\xef\xbb\xbf"))
    p += 3;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  return *p == '<';
}

static gboolean
is_page_xml (const char *path)
{
  g_autofree char *head = read_head (path, 4096);

  return strstr (head, "PcGts") != NULL;
}

/* scan.xml beside scan.jpg, unless scan.xml is some other file: then scan.page.xml. */
static char *
save_path_beside (const char *image_path)
{
  g_autofree char *base = NULL;
  const char *dot = strrchr (image_path, '.');
  const char *slash = strrchr (image_path, G_DIR_SEPARATOR);
  g_autofree char *plain = NULL;

  base = dot != NULL && (slash == NULL || dot > slash) ? g_strndup (image_path, dot - image_path)
                                                        : g_strdup (image_path);
  plain = g_strconcat (base, ".xml", NULL);
  if (!g_file_test (plain, G_FILE_TEST_EXISTS) || is_page_xml (plain))
    return g_steal_pointer (&plain);
  return g_strconcat (base, ".page.xml", NULL);
}

/* scan.xml beside scan.jpg when it is an XML file other than PAGE (ALTO), or NULL. */
static char *
alto_beside (const char *image_path)
{
  const char *dot = strrchr (image_path, '.');
  const char *slash = strrchr (image_path, G_DIR_SEPARATOR);
  g_autofree char *base = dot != NULL && (slash == NULL || dot > slash)
                          ? g_strndup (image_path, dot - image_path) : g_strdup (image_path);
  g_autofree char *plain = g_strconcat (base, ".xml", NULL);

  if (g_file_test (plain, G_FILE_TEST_IS_REGULAR) && looks_like_xml (plain) && !is_page_xml (plain))
    return g_steal_pointer (&plain);
  return NULL;
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  g_autoptr(LoadResult) result = g_new0 (LoadResult, 1);
  g_autofree char *path = g_file_get_path (request->file);
  GError *error = NULL;

  if (path == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (request->file);
      g_task_return_new_error (task, LECTERN_ERROR, LECTERN_ERROR_UNSUPPORTED,
                               _("Cannot open “%s”: Lectern opens files on this computer only"),
                               name);
      return;
    }

  result->image_path = g_strdup (request->image_path);
  result->save_path = g_strdup (request->save_path);

  if (request->need_document)
    {
      if (request->draft_xml_path != NULL)
        {
          result->doc = lectern_document_load (request->draft_xml_path, &error);
          if (result->doc == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
        }
      else if (looks_like_xml (path))
        {
          result->doc = lectern_document_load (path, &error);
          if (result->doc == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
          if (result->doc->image_path == NULL)
            {
              g_autofree char *display = g_filename_display_name (path);
              g_task_return_new_error (task, LECTERN_ERROR, LECTERN_ERROR_IO,
                                       _("The image of “%s” (%s) is not beside it"), display,
                                       result->doc->image_filename != NULL
                                       && *result->doc->image_filename != '\0'
                                       ? result->doc->image_filename : _("no file named"));
              return;
            }
          g_free (result->image_path);
          result->image_path = g_strdup (result->doc->image_path);
          g_free (result->save_path);
          result->save_path = is_page_xml (path) ? g_canonicalize_filename (path, NULL)
                                                 : save_path_beside (result->image_path);
        }
      else
        {
          g_free (result->image_path);
          result->image_path = g_canonicalize_filename (path, NULL);
          g_free (result->save_path);
          result->save_path = save_path_beside (result->image_path);
          if (g_file_test (result->save_path, G_FILE_TEST_IS_REGULAR))
            {
              result->doc = lectern_document_load (result->save_path, &error);
              if (result->doc == NULL)
                {
                  g_task_return_error (task, error);
                  return;
                }
            }
          else
            {
              /* No PAGE of ours yet, but perhaps an ALTO file of the same name (another tool's
               * transcription): read it; the page is saved beside it, never over it. */
              g_autofree char *alto = alto_beside (result->image_path);
              if (alto != NULL)
                result->doc = lectern_document_load (alto, NULL);
            }
        }
    }

  if (request->need_images || (request->need_document && result->doc == NULL))
    {
      g_autoptr(GFile) image_file = g_file_new_for_path (result->image_path);

      result->pixbuf = lectern_texture_load_pixbuf (image_file, cancellable, &error);
      if (result->pixbuf == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      result->grey = lectern_image_load (result->image_path, &error);
      if (result->grey == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  if (request->need_document && result->doc == NULL)
    {
      g_autofree char *basename = g_path_get_basename (result->image_path);
      result->doc = lectern_document_new (basename, result->grey->width, result->grey->height);
      result->doc->image_path = g_strdup (result->image_path);
    }
  if (result->doc != NULL && result->grey != NULL
      && (result->doc->width <= 0 || result->doc->height <= 0))
    {
      result->doc->width = result->grey->width;
      result->doc->height = result->grey->height;
    }

  g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify) load_result_free);
}

void
lectern_page_load_async (LecternPage         *self,
                         gboolean             images,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadRequest *request;

  g_return_if_fail (LECTERN_IS_PAGE (self));

  request = g_new0 (LoadRequest, 1);
  request->file = g_object_ref (self->file);
  request->image_path = g_strdup (self->image_path);
  request->save_path = g_strdup (self->save_path);
  request->draft_xml_path = g_strdup (self->draft_xml_path);
  request->need_document = self->doc == NULL;
  request->need_images = images && self->texture == NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lectern_page_load_async);
  g_task_set_task_data (task, request, (GDestroyNotify) load_request_free);

  if (!request->need_document && !request->need_images)
    {
      g_task_return_pointer (task, g_new0 (LoadResult, 1), (GDestroyNotify) load_result_free);
      return;
    }

  if (self->loading++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  g_task_run_in_thread (task, load_in_thread);
}

static void
set_document (LecternPage     *self,
              LecternDocument *doc)
{
  guint old_n = self->items->len;

  detach_items (self->items);
  g_ptr_array_unref (self->items);
  g_clear_pointer (&self->doc, lectern_document_free);

  self->doc = doc;
  self->items = make_items (doc->regions);
  items_changed (self, 0, old_n, self->items->len);
}

gboolean
lectern_page_load_finish (LecternPage   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(LoadResult) loaded = NULL;
  LoadRequest *request;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lectern_page_load_async, FALSE);

  request = g_task_get_task_data (G_TASK (result));
  if (request->need_document || request->need_images)
    if (--self->loading == 0)
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return FALSE;

  if (loaded->doc != NULL && self->doc == NULL)
    {
      g_free (self->image_path);
      self->image_path = g_strdup (loaded->image_path);
      g_free (self->save_path);
      self->save_path = g_strdup (loaded->save_path);
      if (self->image_path != NULL)
        {
          g_autofree char *basename = g_path_get_basename (self->image_path);
          g_free (self->title);
          self->title = g_filename_display_name (basename);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
        }

      set_document (self, g_steal_pointer (&loaded->doc));
      /* A restored draft is unsaved work from the start. */
      lectern_undo_stack_clear (self->undo, self->draft_xml_path == NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
      g_signal_emit (self, signals[CHANGED], 0);
    }

  if (loaded->pixbuf != NULL && self->texture == NULL)
    {
      self->texture = gdk_texture_new_for_pixbuf (loaded->pixbuf);
      g_clear_pointer (&self->image, lectern_page_image_unref);
      self->image = page_image_new (g_steal_pointer (&loaded->grey));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
    }

  return TRUE;
}

gboolean
lectern_page_get_loaded (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);

  return self->doc != NULL;
}

gboolean
lectern_page_get_loading (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);

  return self->loading > 0;
}

GdkTexture *
lectern_page_get_texture (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  return self->texture;
}

LecternPageImage *
lectern_page_get_image (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  return self->image;
}

void
lectern_page_release_images (LecternPage *self)
{
  g_return_if_fail (LECTERN_IS_PAGE (self));

  if (self->texture == NULL && self->image == NULL)
    return;
  g_clear_object (&self->texture);
  g_clear_pointer (&self->image, lectern_page_image_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTURE]);
}

const LecternDocument *
lectern_page_get_document (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  return self->doc;
}

LecternUndoStack *
lectern_page_get_undo_stack (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  return self->undo;
}

gboolean
lectern_page_get_modified (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);

  return !lectern_undo_stack_is_clean (self->undo);
}

guint
lectern_page_count_corrected (LecternPage *self)
{
  const LecternDocument *doc;
  g_autoptr(GPtrArray) lines = NULL;
  guint n = 0;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), 0);

  doc = lectern_page_get_document (self);
  if (doc == NULL)
    return 0;
  lines = lectern_document_lines (doc);
  for (guint i = 0; i < lines->len; i++)
    {
      const LecternLine *line = lines->pdata[i];
      n += line->corrected && line->text != NULL && line->text[0] != '\0' ? 1 : 0;
    }
  return n;
}

LecternPageLine *
lectern_page_get_line (LecternPage *self,
                       guint        position)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  if (position >= self->items->len)
    return NULL;
  return self->items->pdata[position];
}

guint
lectern_page_find_line (LecternPage     *self,
                        LecternPageLine *line)
{
  guint position;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), G_MAXUINT);

  if (line != NULL && g_ptr_array_find (self->items, line, &position))
    return position;
  return G_MAXUINT;
}

LecternPageLine *
lectern_page_line_at (LecternPage *self,
                      double       x,
                      double       y,
                      double       tolerance)
{
  LecternPageLine *best = NULL;
  gint64 best_area = G_MAXINT64;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      LecternPageLine *item = self->items->pdata[i];
      int x0, y0, x1, y1;
      gint64 area;

      if (!lectern_page_line_contains (item, x, y, tolerance)
          || !lectern_page_line_get_bounds (item, &x0, &y0, &x1, &y1))
        continue;
      area = (gint64) (x1 - x0 + 1) * (y1 - y0 + 1);
      if (area < best_area)
        {
          best = item;
          best_area = area;
        }
    }
  return best;
}

/* ---- edits ---------------------------------------------------------------------------------- */

void
lectern_page_set_line_text (LecternPage     *self,
                            LecternPageLine *line,
                            const char      *text)
{
  LecternLine *after;

  g_return_if_fail (LECTERN_IS_PAGE (self));
  g_return_if_fail (LECTERN_IS_PAGE_LINE (line));
  g_return_if_fail (text != NULL);

  if (lectern_page_line_get_line (line) == NULL)
    return;

  after = lectern_line_copy (lectern_page_line_get_line (line));
  lectern_line_set_text (after, text);
  if (g_strcmp0 (after->text, lectern_page_line_get_text (line)) == 0)
    {
      lectern_line_free (after);
      return;
    }
  after->corrected = TRUE;
  push_line_edit (self, line, after, _("Edit Text"), NULL);
}

void
lectern_page_set_line_geometry (LecternPage     *self,
                                LecternPageLine *line,
                                const GArray    *polygon,
                                const GArray    *baseline)
{
  const LecternLine *before;
  LecternLine *after;

  g_return_if_fail (LECTERN_IS_PAGE (self));
  g_return_if_fail (LECTERN_IS_PAGE_LINE (line));

  before = lectern_page_line_get_line (line);
  if (before == NULL)
    return;
  if ((polygon == NULL || points_equal (polygon, before->polygon))
      && (baseline == NULL || points_equal (baseline, before->baseline)))
    return;

  after = lectern_line_copy (before);
  if (polygon != NULL)
    array_assign (after->polygon, polygon);
  if (baseline != NULL)
    array_assign (after->baseline, baseline);
  push_line_edit (self, line, after, _("Reshape Line"), NULL);
}

/* An id that no region or line of the document has: prefix followed by a number. */
static char *
unique_id (LecternDocument *doc,
           const char      *prefix)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < doc->regions->len; i++)
    {
      LecternRegion *region = doc->regions->pdata[i];
      if (region->id != NULL)
        g_hash_table_add (ids, region->id);
      for (guint j = 0; j < region->lines->len; j++)
        {
          LecternLine *line = region->lines->pdata[j];
          if (line->id != NULL)
            g_hash_table_add (ids, line->id);
        }
    }

  for (guint n = g_hash_table_size (ids) + 1;; n++)
    {
      char *id = g_strdup_printf ("%s%u", prefix, n);
      if (!g_hash_table_contains (ids, id))
        return id;
      g_free (id);
    }
}

static gboolean
points_bbox (const GArray *points,
             int          *x0,
             int          *y0,
             int          *x1,
             int          *y1)
{
  if (points == NULL || points->len == 0)
    return FALSE;

  *x0 = *y0 = G_MAXINT;
  *x1 = *y1 = G_MININT;
  for (guint i = 0; i < points->len; i++)
    {
      const LecternPoint *p = &g_array_index (points, LecternPoint, i);
      *x0 = MIN (*x0, p->x);
      *y0 = MIN (*y0, p->y);
      *x1 = MAX (*x1, p->x);
      *y1 = MAX (*y1, p->y);
    }
  return TRUE;
}

/* The region a new line at (cx, cy) belongs to: the one whose lines' box is nearest. */
static LecternRegion *
nearest_region (LecternDocument *doc,
                double           cx,
                double           cy)
{
  LecternRegion *best = NULL;
  double best_distance = G_MAXDOUBLE;

  for (guint i = 0; i < doc->regions->len; i++)
    {
      LecternRegion *region = doc->regions->pdata[i];
      int rx0 = G_MAXINT, ry0 = G_MAXINT, rx1 = G_MININT, ry1 = G_MININT;
      double dx, dy;

      for (guint j = 0; j < region->lines->len; j++)
        {
          int x0, y0, x1, y1;
          if (!lectern_line_bbox (region->lines->pdata[j], &x0, &y0, &x1, &y1))
            continue;
          rx0 = MIN (rx0, x0);
          ry0 = MIN (ry0, y0);
          rx1 = MAX (rx1, x1);
          ry1 = MAX (ry1, y1);
        }
      if (rx0 > rx1)
        continue;

      dx = cx < rx0 ? rx0 - cx : cx > rx1 ? cx - rx1 : 0;
      dy = cy < ry0 ? ry0 - cy : cy > ry1 ? cy - ry1 : 0;
      if (dx + dy < best_distance)
        {
          best = region;
          best_distance = dx + dy;
        }
    }
  return best;
}

LecternPageLine *
lectern_page_add_line (LecternPage  *self,
                       const GArray *polygon,
                       const GArray *baseline)
{
  g_autofree char *id = NULL;
  LinesChange *change;
  LecternLine *line;
  LineEntry entry = { 0 };
  int x0, y0, x1, y1;
  double cx, cy;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);
  g_return_val_if_fail (self->doc != NULL, NULL);

  if (!points_bbox (polygon, &x0, &y0, &x1, &y1) && !points_bbox (baseline, &x0, &y0, &x1, &y1))
    return NULL;
  cx = (x0 + x1) / 2.0;
  cy = (y0 + y1) / 2.0;

  id = unique_id (self->doc, "l");
  line = lectern_line_new (id);
  if (polygon != NULL)
    array_assign (line->polygon, polygon);
  if (baseline != NULL)
    array_assign (line->baseline, baseline);

  change = g_new0 (LinesChange, 1);
  change->page = self;
  change->insert = TRUE;
  change->entries = g_array_new (FALSE, FALSE, sizeof (LineEntry));

  entry.item = _lectern_page_line_new (line, TRUE);
  entry.region = nearest_region (self->doc, cx, cy);
  if (entry.region == NULL)
    {
      g_autofree char *region_id = unique_id (self->doc, "r");
      change->new_region = lectern_region_new (region_id);
      entry.region = change->new_region;
    }
  /* Before the first line of the region that lies lower. */
  entry.index = entry.region->lines->len;
  for (guint j = 0; j < entry.region->lines->len; j++)
    {
      int lx0, ly0, lx1, ly1;
      if (lectern_line_bbox (entry.region->lines->pdata[j], &lx0, &ly0, &lx1, &ly1)
          && (ly0 + ly1) / 2.0 > cy)
        {
          entry.index = j;
          break;
        }
    }
  g_array_append_val (change->entries, entry);

  lectern_undo_stack_push (self->undo, _("Add Line"), NULL, lines_change_apply, change,
                           lines_change_free);
  return entry.item;
}

void
lectern_page_remove_lines (LecternPage      *self,
                           LecternPageLine **lines,
                           guint             n_lines)
{
  LinesChange *change;

  g_return_if_fail (LECTERN_IS_PAGE (self));

  change = g_new0 (LinesChange, 1);
  change->page = self;
  change->insert = FALSE;
  change->entries = g_array_new (FALSE, FALSE, sizeof (LineEntry));

  for (guint i = 0; i < n_lines; i++)
    {
      LineEntry entry = { 0 };
      gboolean duplicate = FALSE;

      if (!locate_line (self, lectern_page_line_get_line (lines[i]), &entry.region,
                        &entry.region_index, &entry.index))
        continue;
      for (guint k = 0; k < change->entries->len; k++)
        duplicate |= g_array_index (change->entries, LineEntry, k).item == lines[i];
      if (duplicate)
        continue;
      entry.item = g_object_ref (lines[i]);
      g_array_append_val (change->entries, entry);
    }

  if (change->entries->len == 0)
    {
      lines_change_free (change);
      return;
    }
  g_array_sort (change->entries, compare_entries);

  lectern_undo_stack_push (self->undo,
                           change->entries->len == 1 ? _("Delete Line") : _("Delete Lines"),
                           NULL, lines_change_apply, change, lines_change_free);
}

gboolean
lectern_page_move_line (LecternPage     *self,
                        LecternPageLine *line,
                        int              delta)
{
  LecternPageLine *neighbour;
  LecternRegion *neighbour_region;
  guint neighbour_region_index, neighbour_index;
  LineMove *move;
  guint position, region_index;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);
  g_return_val_if_fail (delta == -1 || delta == 1, FALSE);

  position = lectern_page_find_line (self, line);
  if (position == G_MAXUINT || (delta < 0 && position == 0)
      || (delta > 0 && position + 1 >= self->items->len))
    return FALSE;
  neighbour = self->items->pdata[position + delta];

  move = g_new0 (LineMove, 1);
  move->page = self;
  move->item = g_object_ref (line);
  locate_line (self, lectern_page_line_get_line (line), &move->from, &region_index,
               &move->from_index);
  locate_line (self, lectern_page_line_get_line (neighbour), &neighbour_region,
               &neighbour_region_index, &neighbour_index);

  /* The line goes just before (up) or after (down) its neighbour, into the neighbour's region;
   * within one region the neighbour's index is counted once the line is taken out. */
  move->to = neighbour_region;
  if (neighbour_region == move->from && neighbour_index > move->from_index)
    neighbour_index--;
  move->to_index = neighbour_index + (delta > 0 ? 1 : 0);

  lectern_undo_stack_push (self->undo, delta < 0 ? _("Move Line Up") : _("Move Line Down"),
                           NULL, line_move_apply, move, line_move_free);
  return TRUE;
}

void
lectern_page_replace_lines (LecternPage     *self,
                            LecternDocument *doc,
                            const char      *label)
{
  RegionsSwap *swap;

  g_return_if_fail (LECTERN_IS_PAGE (self));
  g_return_if_fail (self->doc != NULL && doc != NULL);

  swap = g_new0 (RegionsSwap, 1);
  swap->page = self;
  swap->other_regions = doc->regions;
  doc->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) lectern_region_free);
  swap->other_items = make_items (swap->other_regions);

  lectern_undo_stack_push (self->undo, label, NULL, regions_swap_apply, swap, regions_swap_free);
}

gboolean
lectern_page_set_line_recognition (LecternPage       *self,
                                   LecternPageLine   *line,
                                   const LecternLine *geometry,
                                   const LecternLine *result,
                                   const char        *model_name,
                                   gpointer           merge_key)
{
  const LecternLine *before;
  LecternLine *after;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (line), FALSE);
  g_return_val_if_fail (geometry != NULL && result != NULL, FALSE);

  before = lectern_page_line_get_line (line);
  if (before == NULL || lectern_page_find_line (self, line) == G_MAXUINT
      || !points_equal (before->polygon, geometry->polygon)
      || !points_equal (before->baseline, geometry->baseline))
    return FALSE;

  after = lectern_line_copy (before);
  lectern_line_set_text (after, result->text);
  after->confidence = result->confidence;
  array_assign (after->char_confidences, result->char_confidences);
  array_assign (after->char_spans, result->char_spans);
  after->corrected = FALSE;

  if (model_name != NULL && g_strcmp0 (self->doc->model_name, model_name) != 0)
    {
      g_free (self->doc->model_name);
      self->doc->model_name = g_strdup (model_name);
    }

  push_line_edit (self, line, after, _("Recognize"), merge_key);
  return TRUE;
}

/* ---- saving and exporting ------------------------------------------------------------------- */

LecternDocument *
lectern_page_copy_document (LecternPage *self)
{
  LecternDocument *copy;
  g_autofree char *image_folder = NULL;
  g_autofree char *save_folder = NULL;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), NULL);
  g_return_val_if_fail (self->doc != NULL, NULL);

  copy = lectern_document_copy (self->doc);
  for (guint i = copy->regions->len; i > 0; i--)
    {
      LecternRegion *region = copy->regions->pdata[i - 1];
      if (region->lines->len == 0)
        g_ptr_array_remove_index (copy->regions, i - 1);
    }

  if (self->image_path != NULL && self->save_path != NULL)
    {
      image_folder = g_path_get_dirname (self->image_path);
      save_folder = g_path_get_dirname (self->save_path);
      g_free (copy->image_filename);
      copy->image_filename = g_str_equal (image_folder, save_folder)
                             ? g_path_get_basename (self->image_path)
                             : g_strdup (self->image_path);
    }
  return copy;
}

typedef struct {
  LecternDocument *doc;
  char            *path;
  LecternFormat    format;
  char            *image_path;     /* remove its draft once saved, or NULL */
  guint64          serial;
} WriteRequest;

static void
write_request_free (WriteRequest *request)
{
  lectern_document_free (request->doc);
  g_free (request->path);
  g_free (request->image_path);
  g_free (request);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  WriteRequest *request = task_data;
  GError *error = NULL;

  /* The file to save over became something else since the page was opened (an ALTO export
   * written there, say): the page goes beside it rather than over it. */
  if (request->image_path != NULL && g_file_test (request->path, G_FILE_TEST_EXISTS)
      && !is_page_xml (request->path))
    {
      g_free (request->path);
      request->path = save_path_beside (request->image_path);
    }

  if (!lectern_document_save (request->doc, request->path, request->format, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (request->image_path != NULL)
    lectern_drafts_remove (request->image_path);
  g_task_return_boolean (task, TRUE);
}

static void
start_write (LecternPage         *self,
             const char          *path,
             LecternFormat        format,
             gboolean             save,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  WriteRequest *request;

  g_task_set_source_tag (task, source_tag);
  if (self->doc == NULL || path == NULL)
    {
      g_task_return_new_error (task, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                               _("“%s” is not open yet"), self->title);
      return;
    }

  request = g_new0 (WriteRequest, 1);
  request->doc = lectern_page_copy_document (self);
  request->path = g_strdup (path);
  request->format = format;
  request->image_path = save ? g_strdup (self->image_path) : NULL;
  request->serial = lectern_undo_stack_get_serial (self->undo);
  g_task_set_task_data (task, request, (GDestroyNotify) write_request_free);
  g_task_run_in_thread (task, write_in_thread);
}

void
lectern_page_save_async (LecternPage         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (LECTERN_IS_PAGE (self));

  start_write (self, self->save_path, LECTERN_FORMAT_PAGE, TRUE, lectern_page_save_async,
               cancellable, callback, user_data);
}

gboolean
lectern_page_save_finish (LecternPage   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  WriteRequest *request;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lectern_page_save_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  request = g_task_get_task_data (G_TASK (result));
  g_free (self->save_path);
  self->save_path = g_strdup (request->path);
  lectern_undo_stack_mark_clean_at (self->undo, request->serial);
  /* Saved: the page is its own file now, not the draft it may have come from. */
  g_clear_pointer (&self->draft_xml_path, g_free);
  /* A draft being written now describes what was just saved (or older): once written, the
   * next round removes it again, or replaces it if the page was edited meanwhile. */
  if (self->draft_writing)
    self->draft_again = TRUE;
  else if (lectern_page_get_modified (self))
    schedule_autosave (self);
  return TRUE;
}

void
lectern_page_export_async (LecternPage         *self,
                           const char          *path,
                           LecternFormat        format,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (LECTERN_IS_PAGE (self));
  g_return_if_fail (path != NULL);

  start_write (self, path, format, FALSE, lectern_page_export_async, cancellable, callback,
               user_data);
}

gboolean
lectern_page_export_finish (LecternPage   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lectern_page_export_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- drafts --------------------------------------------------------------------------------- */

typedef struct {
  LecternDocument *doc;          /* NULL: remove the draft instead */
  char            *image_path;
  char            *save_path;
} DraftRequest;

static void
draft_request_free (DraftRequest *request)
{
  g_clear_pointer (&request->doc, lectern_document_free);
  g_free (request->image_path);
  g_free (request->save_path);
  g_free (request);
}

static void
draft_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  DraftRequest *request = task_data;
  GError *error = NULL;

  if (request->doc == NULL)
    lectern_drafts_remove (request->image_path);
  else if (!lectern_drafts_write (request->doc, request->image_path, request->save_path, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void start_draft_write (LecternPage *self);

static void
draft_written (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LecternPage *self = LECTERN_PAGE (source);
  g_autoptr(GError) error = NULL;

  self->draft_writing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("%s", error->message);
  /* Discarded while the draft was being written: it must not survive. */
  if (self->draft_discarded && self->image_path != NULL)
    lectern_drafts_remove (self->image_path);

  /* Edited (or saved) while the draft was being written: write (or remove) it again. */
  if (self->draft_again)
    start_draft_write (self);
}

static void
start_draft_write (LecternPage *self)
{
  g_autoptr(GTask) task = NULL;
  DraftRequest *request;

  if (self->image_path == NULL || self->save_path == NULL || self->doc == NULL)
    return;
  if (self->draft_writing)
    {
      self->draft_again = TRUE;
      return;
    }

  self->draft_again = FALSE;
  self->draft_writing = TRUE;
  request = g_new0 (DraftRequest, 1);
  request->image_path = g_strdup (self->image_path);
  request->save_path = g_strdup (self->save_path);
  /* Back to the saved state (by undo), or changes let go: no draft to keep. */
  if (lectern_page_get_modified (self) && !self->draft_discarded)
    request->doc = lectern_document_copy (self->doc);

  task = g_task_new (self, NULL, draft_written, NULL);
  g_task_set_source_tag (task, start_draft_write);
  g_task_set_task_data (task, request, (GDestroyNotify) draft_request_free);
  g_task_run_in_thread (task, draft_in_thread);
}

static gboolean
autosave_timeout (gpointer user_data)
{
  LecternPage *self = LECTERN_PAGE (user_data);

  self->autosave_source = 0;
  start_draft_write (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_autosave (LecternPage *self)
{
  /* A few seconds after the last edit, not after the first. */
  self->draft_discarded = FALSE;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  self->autosave_source = g_timeout_add (LECTERN_PAGE_AUTOSAVE_DELAY_MS, autosave_timeout, self);
}

void
lectern_page_write_draft_now (LecternPage *self)
{
  g_return_if_fail (LECTERN_IS_PAGE (self));

  g_clear_handle_id (&self->autosave_source, g_source_remove);
  start_draft_write (self);
}

gboolean
lectern_page_get_draft_pending (LecternPage *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);

  return self->autosave_source != 0 || self->draft_writing;
}

void
lectern_page_discard_draft (LecternPage *self)
{
  g_return_if_fail (LECTERN_IS_PAGE (self));

  g_clear_handle_id (&self->autosave_source, g_source_remove);
  self->draft_again = FALSE;
  self->draft_discarded = TRUE;
  if (self->image_path != NULL)
    lectern_drafts_remove (self->image_path);
}

/* ---- segmentation --------------------------------------------------------------------------- */

typedef struct {
  LecternPageImage       *image;
  GMainContext           *context;
  GCancellable           *cancellable;
  LecternPageProgressFunc progress;
  gpointer                progress_data;
  double                  last_reported;
} SegmentRequest;

static void
segment_request_free (SegmentRequest *request)
{
  lectern_page_image_unref (request->image);
  g_main_context_unref (request->context);
  g_clear_object (&request->cancellable);
  g_free (request);
}

typedef struct {
  GCancellable           *cancellable;
  LecternPageProgressFunc progress;
  gpointer                progress_data;
  double                  fraction;
} ProgressMessage;

static void
progress_message_free (gpointer data)
{
  ProgressMessage *message = data;

  g_clear_object (&message->cancellable);
  g_free (message);
}

static gboolean
deliver_progress (gpointer data)
{
  ProgressMessage *message = data;

  /* Once cancelled, whoever asked for progress may be gone. */
  if (message->cancellable == NULL || !g_cancellable_is_cancelled (message->cancellable))
    message->progress (message->fraction, message->progress_data);
  return G_SOURCE_REMOVE;
}

/* Called on the worker thread. */
static void
segment_progress (double   fraction,
                  gpointer user_data)
{
  SegmentRequest *request = user_data;
  ProgressMessage *message;

  if (request->progress == NULL || fraction - request->last_reported < 0.01)
    return;
  request->last_reported = fraction;

  message = g_new0 (ProgressMessage, 1);
  message->cancellable = request->cancellable != NULL ? g_object_ref (request->cancellable) : NULL;
  message->progress = request->progress;
  message->progress_data = request->progress_data;
  message->fraction = fraction;
  g_main_context_invoke_full (request->context, G_PRIORITY_DEFAULT, deliver_progress, message,
                              progress_message_free);
}

static void
segment_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SegmentRequest *request = task_data;
  LecternSegmentOptions options;
  LecternDocument *doc;
  GError *error = NULL;

  lectern_segment_options_init (&options);
  options.progress = segment_progress;
  options.progress_data = request;
  doc = lectern_segment_page (request->image->image, &options, cancellable, &error);
  if (doc == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, doc, (GDestroyNotify) lectern_document_free);
}

void
lectern_page_segment_async (LecternPage            *self,
                            LecternPageProgressFunc progress,
                            gpointer                progress_data,
                            GCancellable           *cancellable,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  SegmentRequest *request;

  g_return_if_fail (LECTERN_IS_PAGE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lectern_page_segment_async);
  if (self->image == NULL || self->doc == NULL)
    {
      g_task_return_new_error (task, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                               _("“%s” is not open yet"), self->title);
      return;
    }

  request = g_new0 (SegmentRequest, 1);
  request->image = lectern_page_image_ref (self->image);
  request->context = g_main_context_ref_thread_default ();
  request->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  request->progress = progress;
  request->progress_data = progress_data;
  g_task_set_task_data (task, request, (GDestroyNotify) segment_request_free);
  g_task_run_in_thread (task, segment_in_thread);
}

gboolean
lectern_page_segment_finish (LecternPage   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_autoptr(LecternDocument) doc = NULL;

  g_return_val_if_fail (LECTERN_IS_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lectern_page_segment_async,
                        FALSE);

  doc = g_task_propagate_pointer (G_TASK (result), error);
  if (doc == NULL)
    return FALSE;

  lectern_page_replace_lines (self, doc, _("Find Lines"));
  return TRUE;
}
