/* lectern-project.c — the pages open in one window (see lectern-project.h). */
#include "config.h"

#include "lectern-project.h"

struct _LecternProject
{
  GObject     parent_instance;

  GListStore *pages;
  gboolean    modified;
};

enum {
  PROP_0,
  PROP_MODIFIED,
  PROP_N_PAGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lectern_project_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LecternProject, lectern_project, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lectern_project_list_model_init))

static GType
lectern_project_get_item_type (GListModel *model)
{
  return LECTERN_TYPE_PAGE;
}

static guint
lectern_project_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (LECTERN_PROJECT (model)->pages));
}

static gpointer
lectern_project_get_item (GListModel *model,
                          guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (LECTERN_PROJECT (model)->pages), position);
}

static void
lectern_project_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lectern_project_get_item_type;
  iface->get_n_items = lectern_project_get_n_items;
  iface->get_item = lectern_project_get_item;
}

static void
update_modified (LecternProject *self)
{
  gboolean modified = FALSE;
  guint n = lectern_project_get_n_pages (self);

  for (guint i = 0; i < n && !modified; i++)
    modified = lectern_page_get_modified (lectern_project_get_page (self, i));

  if (modified != self->modified)
    {
      self->modified = modified;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
    }
}

static void
pages_changed (GListModel     *pages,
               guint           position,
               guint           removed,
               guint           added,
               LecternProject *self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
  update_modified (self);
}

static void
lectern_project_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LecternProject *self = LECTERN_PROJECT (object);

  switch (prop_id)
    {
    case PROP_MODIFIED:
      g_value_set_boolean (value, self->modified);
      break;
    case PROP_N_PAGES:
      g_value_set_uint (value, lectern_project_get_n_pages (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lectern_project_dispose (GObject *object)
{
  LecternProject *self = LECTERN_PROJECT (object);

  if (self->pages != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pages));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LecternPage) page = g_list_model_get_item (G_LIST_MODEL (self->pages), i);
          g_signal_handlers_disconnect_by_data (page, self);
        }
      g_signal_handlers_disconnect_by_data (self->pages, self);
    }
  g_clear_object (&self->pages);

  G_OBJECT_CLASS (lectern_project_parent_class)->dispose (object);
}

static void
lectern_project_class_init (LecternProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lectern_project_get_property;
  object_class->dispose = lectern_project_dispose;

  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PAGES] =
    g_param_spec_uint ("n-pages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lectern_project_init (LecternProject *self)
{
  self->pages = g_list_store_new (LECTERN_TYPE_PAGE);
  g_signal_connect (self->pages, "items-changed", G_CALLBACK (pages_changed), self);
}

LecternProject *
lectern_project_new (void)
{
  return g_object_new (LECTERN_TYPE_PROJECT, NULL);
}

void
lectern_project_add_page (LecternProject *self,
                          LecternPage    *page)
{
  g_return_if_fail (LECTERN_IS_PROJECT (self));
  g_return_if_fail (LECTERN_IS_PAGE (page));

  g_signal_connect_swapped (page, "notify::modified", G_CALLBACK (update_modified), self);
  g_list_store_append (self->pages, page);
}

LecternPage *
lectern_project_add_file (LecternProject *self,
                          GFile          *file,
                          gboolean       *added)
{
  g_autoptr(LecternPage) page = NULL;
  LecternPage *existing;

  g_return_val_if_fail (LECTERN_IS_PROJECT (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  existing = lectern_project_find_file (self, file);
  if (added != NULL)
    *added = existing == NULL;
  if (existing != NULL)
    return existing;

  page = lectern_page_new (file);
  lectern_project_add_page (self, page);
  return page;
}

void
lectern_project_remove_page (LecternProject *self,
                             LecternPage    *page)
{
  guint position;

  g_return_if_fail (LECTERN_IS_PROJECT (self));

  position = lectern_project_find_page (self, page);
  if (position == G_MAXUINT)
    return;
  g_signal_handlers_disconnect_by_data (page, self);
  g_list_store_remove (self->pages, position);
}

void
lectern_project_replace_page (LecternProject *self,
                              LecternPage    *page,
                              LecternPage    *replacement)
{
  guint position;

  g_return_if_fail (LECTERN_IS_PROJECT (self));
  g_return_if_fail (LECTERN_IS_PAGE (replacement));

  position = lectern_project_find_page (self, page);
  if (position == G_MAXUINT)
    {
      lectern_project_add_page (self, replacement);
      return;
    }
  g_signal_handlers_disconnect_by_data (page, self);
  g_signal_connect_swapped (replacement, "notify::modified", G_CALLBACK (update_modified), self);
  g_list_store_splice (self->pages, position, 1, (gpointer *) &replacement, 1);
}

LecternPage *
lectern_project_find_file (LecternProject *self,
                           GFile          *file)
{
  guint n;

  g_return_val_if_fail (LECTERN_IS_PROJECT (self), NULL);

  n = lectern_project_get_n_pages (self);
  for (guint i = 0; i < n; i++)
    {
      LecternPage *page = lectern_project_get_page (self, i);
      if (lectern_page_matches_file (page, file))
        return page;
    }
  return NULL;
}

LecternPage *
lectern_project_get_page (LecternProject *self,
                          guint           position)
{
  g_autoptr(LecternPage) page = NULL;

  g_return_val_if_fail (LECTERN_IS_PROJECT (self), NULL);

  /* The store keeps its own reference: the borrowed pointer stays valid. */
  page = g_list_model_get_item (G_LIST_MODEL (self->pages), position);
  return page;
}

guint
lectern_project_get_n_pages (LecternProject *self)
{
  g_return_val_if_fail (LECTERN_IS_PROJECT (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->pages));
}

guint
lectern_project_find_page (LecternProject *self,
                           LecternPage    *page)
{
  guint position;

  g_return_val_if_fail (LECTERN_IS_PROJECT (self), G_MAXUINT);

  if (page != NULL && g_list_store_find (self->pages, page, &position))
    return position;
  return G_MAXUINT;
}

gboolean
lectern_project_get_modified (LecternProject *self)
{
  g_return_val_if_fail (LECTERN_IS_PROJECT (self), FALSE);

  return self->modified;
}

GPtrArray *
lectern_project_get_modified_pages (LecternProject *self)
{
  GPtrArray *pages = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  g_return_val_if_fail (LECTERN_IS_PROJECT (self), pages);

  n = lectern_project_get_n_pages (self);
  for (guint i = 0; i < n; i++)
    {
      LecternPage *page = lectern_project_get_page (self, i);
      if (lectern_page_get_modified (page))
        g_ptr_array_add (pages, g_object_ref (page));
    }
  return pages;
}
