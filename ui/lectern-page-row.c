/* lectern-page-row.c — one page in the page list (see lectern-page-row.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "error.h"
#include "image.h"
#include "lectern-page-row.h"

/* The thumbnail is kept on the page under this key. */
#define THUMBNAIL_KEY "lectern-page-row-thumbnail"

struct _LecternPageRow
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkWidget    *picture;
  GtkWidget    *title;
  GtkWidget    *subtitle;

  LecternPage  *page;          /* bound page (ref) */
  GCancellable *loading;       /* thumbnail load in flight for page */
};

G_DEFINE_FINAL_TYPE (LecternPageRow, lectern_page_row, GTK_TYPE_WIDGET)

GdkTexture *
lectern_page_thumbnail_load (const char    *path,
                             int            size,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  int width = 0, height = 0;

  g_return_val_if_fail (path != NULL && size > 0, NULL);

  if (gdk_pixbuf_get_file_info (path, &width, &height) == NULL)
    {
      g_set_error (error, LECTERN_ERROR, LECTERN_ERROR_FORMAT,
                   _("%s: not an image Lectern can read"), path);
      return NULL;
    }
  if (!lectern_image_check_size ((guint64) MAX (width, 0), (guint64) MAX (height, 0), path, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  pixbuf = gdk_pixbuf_new_from_file_at_scale (path, size, size, TRUE, error);
  if (pixbuf == NULL)
    return NULL;
  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  return gdk_texture_new_for_pixbuf (oriented != NULL ? oriented : pixbuf);
}

static void
thumbnail_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  GdkTexture *texture = lectern_page_thumbnail_load (task_data, LECTERN_PAGE_ROW_THUMBNAIL_SIZE,
                                                     cancellable, &error);

  if (texture != NULL)
    g_task_return_pointer (task, texture, g_object_unref);
  else
    g_task_return_error (task, error);
}

static void
show_thumbnail (LecternPageRow *self,
                GdkTexture     *texture)
{
  if (texture != NULL)
    gtk_picture_set_paintable (GTK_PICTURE (self->picture), GDK_PAINTABLE (texture));
  else
    gtk_picture_set_paintable (GTK_PICTURE (self->picture), NULL);
}

static void
thumbnail_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LecternPage *page = LECTERN_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);
  LecternPageRow *self = user_data;   /* valid unless cancelled (the row cancels in dispose) */

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (texture != NULL)
    g_object_set_data_full (G_OBJECT (page), THUMBNAIL_KEY, g_object_ref (texture), g_object_unref);
  else
    g_debug ("No thumbnail: %s", error->message);
  if (self->page == page)
    {
      g_clear_object (&self->loading);
      show_thumbnail (self, texture);
    }
}

static void
update_texts (LecternPageRow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  LecternPage *page = self->page;

  if (page == NULL)
    {
      gtk_label_set_label (GTK_LABEL (self->title), "");
      gtk_label_set_label (GTK_LABEL (self->subtitle), "");
      return;
    }
  /* Translators: a page in the page list with unsaved changes: "•" and its file name. */
  title = lectern_page_get_modified (page) ? g_strdup_printf (_("• %s"), lectern_page_get_title (page))
                                           : g_strdup (lectern_page_get_title (page));
  gtk_label_set_label (GTK_LABEL (self->title), title);

  if (lectern_page_get_loaded (page))
    {
      guint n_lines = g_list_model_get_n_items (G_LIST_MODEL (page));
      guint corrected = lectern_page_count_corrected (page);
      if (n_lines == 0)
        subtitle = g_strdup (_("No lines yet"));
      else
        /* Translators: under a page's name in the page list: its lines, and how many of them a
         * person has corrected. */
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line, %u corrected",
                                                 "%u lines, %u corrected", n_lines),
                                    n_lines, corrected);
    }
  gtk_label_set_label (GTK_LABEL (self->subtitle), subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (self->subtitle, subtitle != NULL);
}

/* The scan to draw the thumbnail from: the page's image once it is loaded; before that, its
 * file when that is not a PAGE/ALTO file (whose image is known only once it has been read). */
static char *
thumbnail_source (LecternPage *page)
{
  g_autofree char *path = NULL;

  if (lectern_page_get_image_path (page) != NULL)
    return g_strdup (lectern_page_get_image_path (page));
  path = g_file_get_path (lectern_page_get_file (page));
  if (path == NULL || g_str_has_suffix (path, ".xml") || g_str_has_suffix (path, ".XML"))
    return NULL;
  return g_steal_pointer (&path);
}

static void
start_thumbnail (LecternPageRow *self)
{
  GdkTexture *cached = g_object_get_data (G_OBJECT (self->page), THUMBNAIL_KEY);
  g_autofree char *source = NULL;
  g_autoptr(GTask) task = NULL;

  show_thumbnail (self, cached);
  if (cached != NULL || self->loading != NULL || (source = thumbnail_source (self->page)) == NULL)
    return;
  self->loading = g_cancellable_new ();
  task = g_task_new (self->page, self->loading, thumbnail_loaded, self);
  g_task_set_source_tag (task, start_thumbnail);
  g_task_set_task_data (task, g_steal_pointer (&source), g_free);
  g_task_run_in_thread (task, thumbnail_thread);
}

static void
page_changed (LecternPageRow *self)
{
  update_texts (self);
}

static void
page_loaded_changed (LecternPageRow *self)
{
  update_texts (self);
  /* A PAGE/ALTO file's scan is known now. */
  if (lectern_page_get_loaded (self->page))
    start_thumbnail (self);
}

void
lectern_page_row_bind (LecternPageRow *self,
                       LecternPage    *page)
{
  g_autofree char *file_path = NULL;

  g_return_if_fail (LECTERN_IS_PAGE_ROW (self));

  if (self->page == page)
    return;
  if (self->loading != NULL)
    {
      g_cancellable_cancel (self->loading);
      g_clear_object (&self->loading);
    }
  if (self->page != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->page, self);
      g_clear_object (&self->page);
    }
  if (page == NULL)
    {
      show_thumbnail (self, NULL);
      update_texts (self);
      return;
    }

  self->page = g_object_ref (page);
  file_path = g_file_get_path (lectern_page_get_file (page));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), file_path);
  g_signal_connect_swapped (page, "notify::modified", G_CALLBACK (page_changed), self);
  g_signal_connect_swapped (page, "notify::title", G_CALLBACK (page_changed), self);
  g_signal_connect_swapped (page, "notify::loaded", G_CALLBACK (page_loaded_changed), self);
  g_signal_connect_swapped (page, "items-changed", G_CALLBACK (page_changed), self);
  /* Any edit (and its undo); a line corrected, or its text replaced by a recognition. */
  g_signal_connect_swapped (page, "changed", G_CALLBACK (page_changed), self);
  g_signal_connect_swapped (page, "line-changed", G_CALLBACK (page_changed), self);
  update_texts (self);

  start_thumbnail (self);
}

const char *
lectern_page_row_get_title (LecternPageRow *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_ROW (self), NULL);
  return gtk_label_get_label (GTK_LABEL (self->title));
}

const char *
lectern_page_row_get_subtitle (LecternPageRow *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_ROW (self), NULL);
  return gtk_label_get_label (GTK_LABEL (self->subtitle));
}

GdkPaintable *
lectern_page_row_get_thumbnail (LecternPageRow *self)
{
  g_return_val_if_fail (LECTERN_IS_PAGE_ROW (self), NULL);
  return gtk_picture_get_paintable (GTK_PICTURE (self->picture));
}

static void
lectern_page_row_dispose (GObject *object)
{
  LecternPageRow *self = LECTERN_PAGE_ROW (object);

  lectern_page_row_bind (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (lectern_page_row_parent_class)->dispose (object);
}

static void
lectern_page_row_class_init (LecternPageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lectern_page_row_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lectern-page-row");
}

static void
lectern_page_row_init (LecternPageRow *self)
{
  GtkWidget *texts;

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), TRUE);
  gtk_widget_set_size_request (self->picture, LECTERN_PAGE_ROW_THUMBNAIL_SIZE * 2 / 3,
                               LECTERN_PAGE_ROW_THUMBNAIL_SIZE);
  gtk_widget_add_css_class (self->picture, "lectern-thumbnail");
  gtk_box_append (GTK_BOX (self->box), self->picture);

  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (self->box), texts);

  self->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->title), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (texts), self->title);

  self->subtitle = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->subtitle), 0);
  gtk_widget_add_css_class (self->subtitle, "dim-label");
  gtk_widget_add_css_class (self->subtitle, "caption");
  gtk_widget_set_visible (self->subtitle, FALSE);
  gtk_box_append (GTK_BOX (texts), self->subtitle);
}

GtkWidget *
lectern_page_row_new (void)
{
  return g_object_new (LECTERN_TYPE_PAGE_ROW, NULL);
}
