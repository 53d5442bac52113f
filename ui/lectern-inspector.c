/* lectern-inspector.c — what the recognizer sees in the current line (see lectern-inspector.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "error.h"
#include "lectern-heatmap-render.h"
#include "lectern-inspector.h"
#include "transcribe.h"

/* Lines are drawn this many pixels high in the heat maps, or lower (not below the minimum) when
 * that is what it takes for the figure to fit the inspector's width. */
#define LINE_HEIGHT_SHOWN 64.0
#define LINE_HEIGHT_MIN   28.0
/* What the figure needs besides the line images: margins, labels, the gap between columns. */
#define FIGURE_CHROME     130.0
/* Wait this long after the current line changes before recognising it (arrow keys held). */
#define RECOGNIZE_DELAY_MS 150

struct _LecternInspector
{
  GtkWidget                parent_instance;

  /* template children */
  GtkDropDown             *layer_dropdown;
  GtkDropDown             *unit_dropdown;
  GtkDropDown             *direction_dropdown;
  GtkLabel                *status_label;
  GtkStack                *stack;
  GtkLabel                *message_label;
  GtkDrawingArea          *drawing_area;

  LecternRecognitionModel *model;
  LecternPage             *page;
  LecternPageLine         *line;

  GCancellable            *cancellable;      /* of the recognition in flight */
  guint                    delay_source;
  gboolean                 stale;            /* the figure does not show the current line */

  LecternImage            *line_image;       /* what was recognised */
  LecternRecognition      *recognition;
  LecternRecognitionModel *recognition_model;
  LecternHeatmapOptions    options;
  LecternHeatmapLayout     layout;
  gboolean                 has_layout;
  gboolean                 updating_dropdowns;
  int                      laid_out_width;   /* the inspector's width the figure was fitted to */
  guint                    relayout_source;
};

G_DEFINE_FINAL_TYPE (LecternInspector, lectern_inspector, GTK_TYPE_WIDGET)

static void
show_message (LecternInspector *self,
              const char       *message)
{
  gtk_label_set_label (self->message_label, message);
  gtk_stack_set_visible_child_name (self->stack, "message");
  gtk_label_set_label (self->status_label, "");
}

static void
clear_figure (LecternInspector *self)
{
  g_clear_pointer (&self->line_image, lectern_image_free);
  g_clear_pointer (&self->recognition, lectern_recognition_free);
  g_clear_object (&self->recognition_model);
  self->has_layout = FALSE;
}

/* Fills a drop-down with strings, keeping the selection when it still exists. */
static void
set_dropdown_strings (LecternInspector  *self,
                      GtkDropDown       *dropdown,
                      const char *const *strings,
                      guint              selected)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (strings);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  self->updating_dropdowns = TRUE;
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (dropdown, MIN (selected, n > 0 ? n - 1 : 0));
  self->updating_dropdowns = FALSE;
}

static void
update_unit_dropdown (LecternInspector *self)
{
  const LecternLayerMap *map;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) strings = NULL;
  guint selected = self->options.unit == LECTERN_HEATMAP_UNIT_MEAN ? 0 : self->options.unit + 1;

  g_strv_builder_add (builder, _("Mean"));
  if (self->recognition != NULL && self->options.layer < self->recognition->n_layers)
    {
      map = &self->recognition->layers[self->options.layer];
      for (int u = 0; u < map->D; u++)
        {
          g_autofree char *label = g_strdup_printf ("%d", u + 1);
          g_strv_builder_add (builder, label);
        }
      if (self->options.unit >= map->D)
        {
          self->options.unit = LECTERN_HEATMAP_UNIT_MEAN;
          selected = 0;
        }
    }
  strings = g_strv_builder_end (builder);
  set_dropdown_strings (self, self->unit_dropdown, (const char * const *) strings, selected);
}

static void
update_layer_dropdown (LecternInspector *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) strings = NULL;

  if (self->recognition != NULL)
    for (int l = 0; l < self->recognition->n_layers; l++)
      {
        /* Translators: an MDLSTM layer in the inspector's list: its number and its size,
         * e.g. "2 (10 units)". */
        g_autofree char *label = g_strdup_printf (_("%d (%d units)"), l + 1,
                                                  self->recognition->layers[l].D);
        g_strv_builder_add (builder, label);
      }
  if (self->recognition != NULL && self->options.layer >= self->recognition->n_layers)
    self->options.layer = 0;
  strings = g_strv_builder_end (builder);
  set_dropdown_strings (self, self->layer_dropdown, (const char * const *) strings,
                        self->options.layer);
  update_unit_dropdown (self);
}

/* Lays the figure out again for the present options and redraws it. */
static void
relayout (LecternInspector *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  self->has_layout = FALSE;
  if (self->recognition == NULL || self->line_image == NULL)
    return;

  self->options.line = self->line_image;
  self->options.recognition = self->recognition;
  self->options.charset = lectern_recognition_model_get_charset (self->recognition_model);
  {
    int columns = self->options.direction == LECTERN_HEATMAP_ALL_DIRECTIONS ? 2 : 1;
    double width = gtk_widget_get_width (GTK_WIDGET (self));
    double fit = (width - FIGURE_CHROME) / (columns * (double) self->line_image->width);

    self->laid_out_width = (int) width;
    self->options.scale = CLAMP (fit, LINE_HEIGHT_MIN / self->line_image->height,
                                 LINE_HEIGHT_SHOWN / self->line_image->height);
  }
  self->options.opacity = 0.7;
  self->options.class_rows = 8;

  if (!lectern_heatmap_layout (&self->options, &self->layout, &error))
    {
      show_message (self, error->message);
      return;
    }
  self->has_layout = TRUE;

  gtk_drawing_area_set_content_width (self->drawing_area, (int) self->layout.width);
  gtk_drawing_area_set_content_height (self->drawing_area, (int) self->layout.height);
  gtk_stack_set_visible_child_name (self->stack, "figure");
  gtk_widget_queue_draw (GTK_WIDGET (self->drawing_area));

  /* Translators: above the heat maps: what the network reads in the line by itself (best
   * path, no language model). */
  status = g_strdup_printf (_("The network reads “%s”"), self->recognition->text);
  gtk_label_set_label (self->status_label, status);
}

static void
draw_figure (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  LecternInspector *self = LECTERN_INSPECTOR (user_data);

  if (!self->has_layout)
    return;
  /* White under the figure, whatever the theme: the colours are read against it. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, self->layout.width, self->layout.height);
  cairo_fill (cr);
  lectern_heatmap_draw (cr, &self->options, &self->layout);
}

typedef struct {
  LecternRecognitionModel *model;
  LecternPageImage        *image;
  LecternLine             *line;
} InspectRequest;

typedef struct {
  LecternImage       *image;
  LecternRecognition *recognition;
} InspectResult;

static void
inspect_request_free (InspectRequest *request)
{
  g_object_unref (request->model);
  lectern_page_image_unref (request->image);
  lectern_line_free (request->line);
  g_free (request);
}

static void
inspect_result_free (InspectResult *result)
{
  g_clear_pointer (&result->image, lectern_image_free);
  g_clear_pointer (&result->recognition, lectern_recognition_free);
  g_free (result);
}

static void
inspect_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  InspectRequest *request = task_data;
  InspectResult *result;
  g_autoptr(LecternImage) image = NULL;
  LecternRecognition *recognition;
  GError *error = NULL;
  int x, y;

  image = lectern_transcribe_cut_line (request->image->image, NULL, request->line, &x, &y);
  if (image == NULL)
    {
      g_task_return_new_error (task, LECTERN_ERROR, LECTERN_ERROR_INVALID,
                               _("This line covers no part of the page"));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  recognition = lectern_recognizer_recognize (
    lectern_recognition_model_get_recognizer (request->model), image,
    LECTERN_RECOGNIZE_ACTIVATIONS | LECTERN_RECOGNIZE_BEST_PATH, &error);
  if (recognition == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = g_new0 (InspectResult, 1);
  result->image = g_steal_pointer (&image);
  result->recognition = recognition;
  g_task_return_pointer (task, result, (GDestroyNotify) inspect_result_free);
}

static void
inspect_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LecternInspector) self = user_data;
  InspectRequest *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  InspectResult *inspected;

  inspected = g_task_propagate_pointer (G_TASK (result), &error);
  /* A recognition that was replaced by a newer one (or cancelled) shows nothing. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    {
      g_clear_pointer (&inspected, inspect_result_free);
      return;
    }
  g_clear_object (&self->cancellable);
  if (inspected == NULL)
    {
      clear_figure (self);
      show_message (self, error->message);
      return;
    }

  clear_figure (self);
  self->line_image = g_steal_pointer (&inspected->image);
  self->recognition = g_steal_pointer (&inspected->recognition);
  self->recognition_model = g_object_ref (request->model);
  inspect_result_free (inspected);

  update_layer_dropdown (self);
  relayout (self);
}

static void
recognize_now (LecternInspector *self)
{
  g_autoptr(GTask) task = NULL;
  InspectRequest *request;
  const LecternLine *line;

  g_clear_handle_id (&self->delay_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->stale = FALSE;

  if (self->line == NULL || self->page == NULL
      || (line = lectern_page_line_get_line (self->line)) == NULL)
    {
      clear_figure (self);
      show_message (self, _("Select a line to see what the recognizer sees in it."));
      return;
    }
  if (self->model == NULL)
    {
      clear_figure (self);
      show_message (self, _("No recognition model is loaded: choose one in the model menu to "
                            "see what it sees."));
      return;
    }
  if (lectern_page_get_image (self->page) == NULL)
    {
      clear_figure (self);
      show_message (self, _("The page image is not loaded yet."));
      return;
    }

  if (self->has_layout)
    gtk_label_set_label (self->status_label, _("Reading the line…"));
  else
    show_message (self, _("Reading the line…"));
  request = g_new0 (InspectRequest, 1);
  request->model = g_object_ref (self->model);
  request->image = lectern_page_image_ref (lectern_page_get_image (self->page));
  request->line = lectern_line_copy (line);

  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, inspect_done, g_object_ref (self));
  g_task_set_source_tag (task, recognize_now);
  g_task_set_task_data (task, request, (GDestroyNotify) inspect_request_free);
  g_task_run_in_thread (task, inspect_in_thread);
}

static gboolean
delay_done (gpointer user_data)
{
  LecternInspector *self = LECTERN_INSPECTOR (user_data);

  self->delay_source = 0;
  recognize_now (self);
  return G_SOURCE_REMOVE;
}

/* Recognises the line again soon, if the inspector is on screen; else when it is shown. */
static void
schedule_recognition (LecternInspector *self)
{
  self->stale = TRUE;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  g_clear_handle_id (&self->delay_source, g_source_remove);
  self->delay_source = g_timeout_add (RECOGNIZE_DELAY_MS, delay_done, self);
}

static void
line_changed (LecternPageLine  *line,
              LecternInspector *self)
{
  schedule_recognition (self);
}

static void
page_texture_changed (LecternPage      *page,
                      GParamSpec       *pspec,
                      LecternInspector *self)
{
  schedule_recognition (self);
}

static void
layer_selected (GtkDropDown      *dropdown,
                GParamSpec       *pspec,
                LecternInspector *self)
{
  if (self->updating_dropdowns)
    return;
  self->options.layer = (int) gtk_drop_down_get_selected (dropdown);
  self->options.unit = LECTERN_HEATMAP_UNIT_MEAN;
  update_unit_dropdown (self);
  relayout (self);
}

static void
unit_selected (GtkDropDown      *dropdown,
               GParamSpec       *pspec,
               LecternInspector *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->updating_dropdowns || selected == GTK_INVALID_LIST_POSITION)
    return;
  self->options.unit = selected == 0 ? LECTERN_HEATMAP_UNIT_MEAN : (int) selected - 1;
  relayout (self);
}

static void
direction_selected (GtkDropDown      *dropdown,
                    GParamSpec       *pspec,
                    LecternInspector *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->updating_dropdowns || selected == GTK_INVALID_LIST_POSITION)
    return;
  self->options.direction = selected == 0 ? LECTERN_HEATMAP_ALL_DIRECTIONS : (int) selected - 1;
  relayout (self);
}

static gboolean
relayout_idle (gpointer user_data)
{
  LecternInspector *self = LECTERN_INSPECTOR (user_data);

  self->relayout_source = 0;
  relayout (self);
  return G_SOURCE_REMOVE;
}

static void
lectern_inspector_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  LecternInspector *self = LECTERN_INSPECTOR (widget);

  GTK_WIDGET_CLASS (lectern_inspector_parent_class)->size_allocate (widget, width, height,
                                                                    baseline);
  /* Fitting the figure to a new width changes its size: not in the middle of this layout. */
  if (self->has_layout && ABS (width - self->laid_out_width) > 8 && self->relayout_source == 0)
    self->relayout_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, relayout_idle, self, NULL);
}

static void
lectern_inspector_map (GtkWidget *widget)
{
  LecternInspector *self = LECTERN_INSPECTOR (widget);

  GTK_WIDGET_CLASS (lectern_inspector_parent_class)->map (widget);
  if (self->stale)
    schedule_recognition (self);
}

static void
disconnect_line (LecternInspector *self)
{
  if (self->line != NULL)
    g_signal_handlers_disconnect_by_data (self->line, self);
  if (self->page != NULL)
    g_signal_handlers_disconnect_by_data (self->page, self);
  g_clear_object (&self->line);
  g_clear_object (&self->page);
}

static void
lectern_inspector_dispose (GObject *object)
{
  LecternInspector *self = LECTERN_INSPECTOR (object);
  GtkWidget *child;

  g_clear_handle_id (&self->delay_source, g_source_remove);
  g_clear_handle_id (&self->relayout_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  disconnect_line (self);
  g_clear_object (&self->model);
  clear_figure (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LECTERN_TYPE_INSPECTOR);
  /* Children the template does not name are not disposed with it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lectern_inspector_parent_class)->dispose (object);
}

static void
lectern_inspector_class_init (LecternInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lectern_inspector_dispose;
  widget_class->map = lectern_inspector_map;
  widget_class->size_allocate = lectern_inspector_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/lectern-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, LecternInspector, layer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LecternInspector, unit_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LecternInspector, direction_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LecternInspector, status_label);
  gtk_widget_class_bind_template_child (widget_class, LecternInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, LecternInspector, message_label);
  gtk_widget_class_bind_template_child (widget_class, LecternInspector, drawing_area);
  gtk_widget_class_set_css_name (widget_class, "inspector");
}

static void
lectern_inspector_init (LecternInspector *self)
{
  const char *directions[] = {
    /* Translators: the inspector shows the four scan directions at once. */
    _("All four"), "↘", "↙", "↗", "↖", NULL
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  lectern_heatmap_options_init (&self->options);
  self->stale = TRUE;

  set_dropdown_strings (self, self->direction_dropdown, directions, 0);
  update_layer_dropdown (self);
  gtk_drawing_area_set_draw_func (self->drawing_area, draw_figure, self, NULL);

  g_signal_connect (self->layer_dropdown, "notify::selected", G_CALLBACK (layer_selected), self);
  g_signal_connect (self->unit_dropdown, "notify::selected", G_CALLBACK (unit_selected), self);
  g_signal_connect (self->direction_dropdown, "notify::selected",
                    G_CALLBACK (direction_selected), self);

  show_message (self, _("Select a line to see what the recognizer sees in it."));
}

GtkWidget *
lectern_inspector_new (void)
{
  return g_object_new (LECTERN_TYPE_INSPECTOR, NULL);
}

void
lectern_inspector_set_model (LecternInspector        *self,
                             LecternRecognitionModel *model)
{
  g_return_if_fail (LECTERN_IS_INSPECTOR (self));

  if (g_set_object (&self->model, model))
    schedule_recognition (self);
}

void
lectern_inspector_set_line (LecternInspector *self,
                            LecternPage      *page,
                            LecternPageLine  *line)
{
  g_return_if_fail (LECTERN_IS_INSPECTOR (self));

  if (page == self->page && line == self->line)
    return;

  disconnect_line (self);
  if (page != NULL)
    {
      self->page = g_object_ref (page);
      g_signal_connect (page, "notify::texture", G_CALLBACK (page_texture_changed), self);
    }
  if (line != NULL)
    {
      self->line = g_object_ref (line);
      g_signal_connect (line, "changed", G_CALLBACK (line_changed), self);
    }
  schedule_recognition (self);
}

void
lectern_inspector_set_view (LecternInspector *self,
                            int               layer,
                            int               unit,
                            int               direction)
{
  g_return_if_fail (LECTERN_IS_INSPECTOR (self));

  self->options.layer = MAX (layer, 0);
  self->options.unit = unit < 0 ? LECTERN_HEATMAP_UNIT_MEAN : unit;
  self->options.direction = direction < 0 || direction >= LECTERN_HEATMAP_N_DIRECTIONS
                            ? LECTERN_HEATMAP_ALL_DIRECTIONS : direction;

  self->updating_dropdowns = TRUE;
  gtk_drop_down_set_selected (self->direction_dropdown,
                              self->options.direction == LECTERN_HEATMAP_ALL_DIRECTIONS
                              ? 0 : self->options.direction + 1);
  self->updating_dropdowns = FALSE;
  update_layer_dropdown (self);
  relayout (self);
}

gboolean
lectern_inspector_get_busy (LecternInspector *self)
{
  g_return_val_if_fail (LECTERN_IS_INSPECTOR (self), FALSE);

  return self->cancellable != NULL || self->delay_source != 0;
}

gboolean
lectern_inspector_has_figure (LecternInspector *self)
{
  g_return_val_if_fail (LECTERN_IS_INSPECTOR (self), FALSE);

  return self->has_layout;
}
