/* lectern-undo-stack.c — the undo history of one page (see lectern-undo-stack.h). */
#include "config.h"

#include "lectern-undo-stack.h"

/* The state before any step has this serial. */
#define BASE_SERIAL 0
/* A clean serial no state ever has. */
#define NEVER_CLEAN G_MAXUINT64

typedef struct {
  LecternUndoFunc apply;
  gpointer        data;
  GDestroyNotify  destroy;
} Command;

typedef struct {
  char      *label;
  gpointer   merge_key;
  guint64    serial;     /* of the state after this step */
  GArray    *commands;   /* Command, in the order they were applied */
} Step;

struct _LecternUndoStack
{
  GObject    parent_instance;

  GPtrArray *steps;      /* Step*, oldest first */
  guint      done;       /* steps[0 … done-1] are applied */
  gboolean   sealed;     /* the next push starts a new step */
  guint64    next_serial;
  guint64    clean_serial;
};

enum {
  PROP_0,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_CLEAN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LecternUndoStack, lectern_undo_stack, G_TYPE_OBJECT)

static void
command_clear (gpointer data)
{
  Command *command = data;

  if (command->destroy != NULL)
    command->destroy (command->data);
}

static void
step_free (gpointer data)
{
  Step *step = data;

  /* Newest first, as undo would go. */
  for (guint i = step->commands->len; i > 0; i--)
    command_clear (&g_array_index (step->commands, Command, i - 1));
  g_array_unref (step->commands);
  g_free (step->label);
  g_free (step);
}

static guint64
current_serial (LecternUndoStack *self)
{
  if (self->done == 0)
    return BASE_SERIAL;
  return ((Step *) self->steps->pdata[self->done - 1])->serial;
}

typedef struct {
  gboolean can_undo;
  gboolean can_redo;
  gboolean clean;
} State;

static State
get_state (LecternUndoStack *self)
{
  return (State) {
    .can_undo = lectern_undo_stack_can_undo (self),
    .can_redo = lectern_undo_stack_can_redo (self),
    .clean = lectern_undo_stack_is_clean (self),
  };
}

/* Notifies what changed since before, then emits "changed" (the page's content changed). */
static void
notify_changes (LecternUndoStack *self,
                State             before,
                gboolean          content_changed)
{
  State after = get_state (self);

  if (before.can_undo != after.can_undo)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  if (before.can_redo != after.can_redo)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
  if (before.clean != after.clean)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLEAN]);
  if (content_changed)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
lectern_undo_stack_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LecternUndoStack *self = LECTERN_UNDO_STACK (object);

  switch (prop_id)
    {
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, lectern_undo_stack_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, lectern_undo_stack_can_redo (self));
      break;
    case PROP_CLEAN:
      g_value_set_boolean (value, lectern_undo_stack_is_clean (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_undo_stack_finalize (GObject *object)
{
  LecternUndoStack *self = LECTERN_UNDO_STACK (object);

  /* Newest first, so that a command that owns what an older one refers to goes first. */
  while (self->steps->len > 0)
    g_ptr_array_remove_index (self->steps, self->steps->len - 1);
  g_ptr_array_unref (self->steps);

  G_OBJECT_CLASS (lectern_undo_stack_parent_class)->finalize (object);
}

static void
lectern_undo_stack_class_init (LecternUndoStackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lectern_undo_stack_get_property;
  object_class->finalize = lectern_undo_stack_finalize;

  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLEAN] =
    g_param_spec_boolean ("clean", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LecternUndoStack::changed:
   *
   * A command was applied or reverted: what the stack's commands change has changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
lectern_undo_stack_init (LecternUndoStack *self)
{
  self->steps = g_ptr_array_new_with_free_func (step_free);
  self->next_serial = BASE_SERIAL + 1;
  self->clean_serial = BASE_SERIAL;
}

LecternUndoStack *
lectern_undo_stack_new (void)
{
  return g_object_new (LECTERN_TYPE_UNDO_STACK, NULL);
}

void
lectern_undo_stack_push (LecternUndoStack *self,
                         const char       *label,
                         gpointer          merge_key,
                         LecternUndoFunc   apply,
                         gpointer          data,
                         GDestroyNotify    destroy)
{
  State before;
  Command command = { apply, data, destroy };
  Step *top;

  g_return_if_fail (LECTERN_IS_UNDO_STACK (self));
  g_return_if_fail (apply != NULL);

  before = get_state (self);

  /* What could have been redone is gone: newest first. */
  while (self->steps->len > self->done)
    g_ptr_array_remove_index (self->steps, self->steps->len - 1);

  top = self->done > 0 ? self->steps->pdata[self->done - 1] : NULL;
  if (top == NULL || merge_key == NULL || top->merge_key != merge_key || self->sealed)
    {
      top = g_new0 (Step, 1);
      top->label = g_strdup (label);
      top->merge_key = merge_key;
      top->commands = g_array_new (FALSE, FALSE, sizeof (Command));
      g_ptr_array_add (self->steps, top);
      self->done++;
    }
  self->sealed = FALSE;

  apply (data, TRUE);
  g_array_append_val (top->commands, command);
  /* The state after the step is a new one, even when the command joined an existing step. */
  top->serial = self->next_serial++;

  notify_changes (self, before, TRUE);
}

void
lectern_undo_stack_seal (LecternUndoStack *self)
{
  g_return_if_fail (LECTERN_IS_UNDO_STACK (self));

  self->sealed = TRUE;
}

gboolean
lectern_undo_stack_can_undo (LecternUndoStack *self)
{
  g_return_val_if_fail (LECTERN_IS_UNDO_STACK (self), FALSE);

  return self->done > 0;
}

gboolean
lectern_undo_stack_can_redo (LecternUndoStack *self)
{
  g_return_val_if_fail (LECTERN_IS_UNDO_STACK (self), FALSE);

  return self->done < self->steps->len;
}

const char *
lectern_undo_stack_get_undo_label (LecternUndoStack *self)
{
  g_return_val_if_fail (LECTERN_IS_UNDO_STACK (self), NULL);

  if (self->done == 0)
    return NULL;
  return ((Step *) self->steps->pdata[self->done - 1])->label;
}

const char *
lectern_undo_stack_get_redo_label (LecternUndoStack *self)
{
  g_return_val_if_fail (LECTERN_IS_UNDO_STACK (self), NULL);

  if (self->done >= self->steps->len)
    return NULL;
  return ((Step *) self->steps->pdata[self->done])->label;
}

gboolean
lectern_undo_stack_undo (LecternUndoStack *self)
{
  State before;
  Step *step;

  g_return_val_if_fail (LECTERN_IS_UNDO_STACK (self), FALSE);

  if (self->done == 0)
    return FALSE;

  before = get_state (self);
  step = self->steps->pdata[--self->done];
  for (guint i = step->commands->len; i > 0; i--)
    {
      Command *command = &g_array_index (step->commands, Command, i - 1);
      command->apply (command->data, FALSE);
    }
  /* Work still arriving for the undone step must not join the step below it. */
  self->sealed = TRUE;

  notify_changes (self, before, TRUE);
  return TRUE;
}

gboolean
lectern_undo_stack_redo (LecternUndoStack *self)
{
  State before;
  Step *step;

  g_return_val_if_fail (LECTERN_IS_UNDO_STACK (self), FALSE);

  if (self->done >= self->steps->len)
    return FALSE;

  before = get_state (self);
  step = self->steps->pdata[self->done++];
  for (guint i = 0; i < step->commands->len; i++)
    {
      Command *command = &g_array_index (step->commands, Command, i);
      command->apply (command->data, TRUE);
    }
  self->sealed = TRUE;

  notify_changes (self, before, TRUE);
  return TRUE;
}

gboolean
lectern_undo_stack_is_clean (LecternUndoStack *self)
{
  g_return_val_if_fail (LECTERN_IS_UNDO_STACK (self), TRUE);

  return current_serial (self) == self->clean_serial;
}

void
lectern_undo_stack_mark_clean (LecternUndoStack *self)
{
  g_return_if_fail (LECTERN_IS_UNDO_STACK (self));

  lectern_undo_stack_mark_clean_at (self, current_serial (self));
}

guint64
lectern_undo_stack_get_serial (LecternUndoStack *self)
{
  g_return_val_if_fail (LECTERN_IS_UNDO_STACK (self), BASE_SERIAL);

  return current_serial (self);
}

void
lectern_undo_stack_mark_clean_at (LecternUndoStack *self,
                                  guint64           serial)
{
  State before;

  g_return_if_fail (LECTERN_IS_UNDO_STACK (self));

  before = get_state (self);
  self->clean_serial = serial;
  notify_changes (self, before, FALSE);
}

void
lectern_undo_stack_clear (LecternUndoStack *self,
                          gboolean          clean)
{
  State before;

  g_return_if_fail (LECTERN_IS_UNDO_STACK (self));

  before = get_state (self);
  while (self->steps->len > 0)
    g_ptr_array_remove_index (self->steps, self->steps->len - 1);
  self->done = 0;
  self->sealed = FALSE;
  self->clean_serial = clean ? BASE_SERIAL : NEVER_CLEAN;
  notify_changes (self, before, FALSE);
}
