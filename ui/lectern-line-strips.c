/* lectern-line-strips.c — the picture of each line, for the line list (see lectern-line-strips.h). */
#include "config.h"

#include "lectern-line-strips.h"
#include "transcribe.h"

struct _LecternLineStrips
{
  GObject      parent_instance;

  LecternPage *page;
  GHashTable  *strips;      /* LecternPageLine* (ref) → LecternLineStrip* */
  GHashTable  *pending;     /* LecternPageLine* (ref) → request number */
  guint        next_request;
};

enum {
  STRIP_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LecternLineStrips, lectern_line_strips, G_TYPE_OBJECT)

static void
strip_free (gpointer data)
{
  LecternLineStrip *strip = data;

  g_clear_object (&strip->texture);
  g_free (strip);
}

typedef struct {
  LecternPageImage *image;
  LecternLine      *line;
  LecternPageLine  *item;
  guint             request;
} StripRequest;

static void
strip_request_free (StripRequest *request)
{
  lectern_page_image_unref (request->image);
  lectern_line_free (request->line);
  g_object_unref (request->item);
  g_free (request);
}

typedef struct {
  int     width, height;
  GBytes *rgb;
  int     page_x, page_y;
  double  scale;
} StripPixels;

static void
strip_pixels_free (StripPixels *pixels)
{
  g_bytes_unref (pixels->rgb);
  g_free (pixels);
}

static void
cut_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  StripRequest *request = task_data;
  g_autoptr(LecternImage) cut = NULL;
  g_autoptr(LecternImage) small = NULL;
  const LecternImage *shown;
  StripPixels *pixels;
  guint8 *rgb;
  int x, y;

  cut = lectern_transcribe_cut_line (request->image->image, NULL, request->line, &x, &y);
  if (cut == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  shown = cut;
  if (cut->height > LECTERN_LINE_STRIP_HEIGHT)
    shown = small = lectern_image_scale_to_height (cut, LECTERN_LINE_STRIP_HEIGHT);

  /* GTK 4.8 has no grey texture format: three equal channels. */
  rgb = g_malloc ((gsize) shown->width * shown->height * 3);
  for (gsize i = 0; i < (gsize) shown->width * shown->height; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = shown->pixels[i];

  pixels = g_new0 (StripPixels, 1);
  pixels->width = shown->width;
  pixels->height = shown->height;
  pixels->rgb = g_bytes_new_take (rgb, (gsize) shown->width * shown->height * 3);
  pixels->page_x = x;
  pixels->page_y = y;
  pixels->scale = (double) shown->width / cut->width;
  g_task_return_pointer (task, pixels, (GDestroyNotify) strip_pixels_free);
}

static void
cut_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  LecternLineStrips *self = LECTERN_LINE_STRIPS (source);
  StripRequest *request = g_task_get_task_data (G_TASK (result));
  StripPixels *pixels = g_task_propagate_pointer (G_TASK (result), NULL);
  gpointer pending;
  LecternLineStrip *strip;

  /* A request whose line changed (or whose page dropped its image) since is stale. */
  if (!g_hash_table_lookup_extended (self->pending, request->item, NULL, &pending)
      || GPOINTER_TO_UINT (pending) != request->request)
    {
      g_clear_pointer (&pixels, strip_pixels_free);
      return;
    }
  g_hash_table_remove (self->pending, request->item);

  strip = g_new0 (LecternLineStrip, 1);
  if (pixels != NULL)
    {
      strip->texture = gdk_memory_texture_new (pixels->width, pixels->height,
                                               GDK_MEMORY_R8G8B8, pixels->rgb,
                                               (gsize) pixels->width * 3);
      strip->page_x = pixels->page_x;
      strip->page_y = pixels->page_y;
      strip->scale = pixels->scale;
      strip_pixels_free (pixels);
    }
  g_hash_table_insert (self->strips, g_object_ref (request->item), strip);
  g_signal_emit (self, signals[STRIP_READY], 0, request->item);
}

static void
line_changed (LecternPage       *page,
              LecternPageLine   *line,
              LecternLineStrips *self)
{
  /* Only a line's own change can move its geometry; additions and removals leave the others. */
  if (line == NULL)
    return;
  g_hash_table_remove (self->strips, line);
  g_hash_table_remove (self->pending, line);
  g_signal_emit (self, signals[STRIP_READY], 0, line);
}

static void
texture_changed (LecternPage       *page,
                 GParamSpec        *pspec,
                 LecternLineStrips *self)
{
  g_hash_table_remove_all (self->strips);
  g_hash_table_remove_all (self->pending);
  g_signal_emit (self, signals[STRIP_READY], 0, NULL);
}

static void
lectern_line_strips_dispose (GObject *object)
{
  LecternLineStrips *self = LECTERN_LINE_STRIPS (object);

  if (self->page != NULL)
    g_signal_handlers_disconnect_by_data (self->page, self);
  g_clear_object (&self->page);
  g_hash_table_remove_all (self->strips);
  g_hash_table_remove_all (self->pending);

  G_OBJECT_CLASS (lectern_line_strips_parent_class)->dispose (object);
}

static void
lectern_line_strips_finalize (GObject *object)
{
  LecternLineStrips *self = LECTERN_LINE_STRIPS (object);

  g_hash_table_unref (self->strips);
  g_hash_table_unref (self->pending);

  G_OBJECT_CLASS (lectern_line_strips_parent_class)->finalize (object);
}

static void
lectern_line_strips_class_init (LecternLineStripsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lectern_line_strips_dispose;
  object_class->finalize = lectern_line_strips_finalize;

  /**
   * LecternLineStrips::strip-ready:
   * @line: (nullable): the line whose strip was made or dropped; NULL for every line
   */
  signals[STRIP_READY] =
    g_signal_new ("strip-ready",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LECTERN_TYPE_PAGE_LINE);
}

static void
lectern_line_strips_init (LecternLineStrips *self)
{
  self->strips = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, strip_free);
  self->pending = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
}

LecternLineStrips *
lectern_line_strips_new (LecternPage *page)
{
  LecternLineStrips *self;

  g_return_val_if_fail (LECTERN_IS_PAGE (page), NULL);

  self = g_object_new (LECTERN_TYPE_LINE_STRIPS, NULL);
  self->page = g_object_ref (page);
  g_signal_connect (page, "line-changed", G_CALLBACK (line_changed), self);
  g_signal_connect (page, "notify::texture", G_CALLBACK (texture_changed), self);
  return self;
}

LecternPage *
lectern_line_strips_get_page (LecternLineStrips *self)
{
  g_return_val_if_fail (LECTERN_IS_LINE_STRIPS (self), NULL);

  return self->page;
}

const LecternLineStrip *
lectern_line_strips_lookup (LecternLineStrips *self,
                            LecternPageLine   *line)
{
  LecternLineStrip *strip;
  LecternPageImage *image;
  g_autoptr(GTask) task = NULL;
  StripRequest *request;

  g_return_val_if_fail (LECTERN_IS_LINE_STRIPS (self), NULL);
  g_return_val_if_fail (LECTERN_IS_PAGE_LINE (line), NULL);

  strip = g_hash_table_lookup (self->strips, line);
  if (strip != NULL)
    return strip->texture != NULL ? strip : NULL;
  if (g_hash_table_contains (self->pending, line))
    return NULL;

  image = lectern_page_get_image (self->page);
  if (image == NULL || lectern_page_line_get_line (line) == NULL)
    return NULL;

  request = g_new0 (StripRequest, 1);
  request->image = lectern_page_image_ref (image);
  request->line = lectern_line_copy (lectern_page_line_get_line (line));
  request->item = g_object_ref (line);
  request->request = ++self->next_request;
  g_hash_table_insert (self->pending, g_object_ref (line), GUINT_TO_POINTER (request->request));

  task = g_task_new (self, NULL, cut_done, NULL);
  g_task_set_source_tag (task, lectern_line_strips_lookup);
  g_task_set_task_data (task, request, (GDestroyNotify) strip_request_free);
  g_task_run_in_thread (task, cut_in_thread);
  return NULL;
}
