/* cli-segeval.c — `lectern-cli segeval`: line detection precision, recall and F1 against
 * ground-truth pages.
 *
 *   lectern-cli segeval PRED.xml GT.xml          one page
 *   lectern-cli segeval PRED_DIR GT_DIR          pages paired by file name
 *   lectern-cli segeval --segment GT…            segment the image each GT file names, then compare
 *
 * With --main-text only the lines of main-text regions count, on both sides: what is written
 * beside the text (marginalia, page numbers, catchwords, stamps) is left out of the prediction
 * as Lectern typed its regions and out of the ground truth as its regions are typed. The
 * figure over all lines is the default and the one to quote.
 *
 * A predicted line is found when its polygon and a ground-truth polygon overlap with IoU at
 * least --iou (0.5), each line matched once. Reading order: the pairs of matched lines that
 * the prediction reads in the other order than the ground truth ("order", 0 when the same).
 * Prints one row per page and a total per set (a set is a GT folder given on the command line,
 * or the folder of a GT file). */
#include "config.h"
#include "cli.h"
#include "document.h"
#include "image.h"
#include "segeval.h"
#include "segment.h"

#include <glib/gi18n.h>

typedef struct {
  double   min_iou;
  int      cell;
  gboolean verbose;
  gboolean segment;
  gboolean main_text;
} EvalSettings;

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The *.xml files of a folder, sorted. */
static GPtrArray *
list_xml (const char *dir, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".xml") || g_str_has_suffix (name, ".XML"))
      g_ptr_array_add (files, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (files, compare_strings);
  return files;
}

static void
print_unmatched (const LecternDocument *doc, GArray *matches, gboolean is_gt)
{
  g_autoptr (GPtrArray) lines = lectern_document_lines (doc);
  for (guint i = 0; i < lines->len; i++)
    {
      gboolean matched = FALSE;
      for (guint k = 0; k < matches->len && !matched; k++)
        {
          const LecternSegevalMatch *m = &g_array_index (matches, LecternSegevalMatch, k);
          matched = (is_gt ? m->gt : m->pred) == i;
        }
      int x0, y0, x1, y1;
      if (matched || !lectern_line_bbox (lines->pdata[i], &x0, &y0, &x1, &y1))
        continue;
      const LecternLine *line = lines->pdata[i];
      g_print (is_gt ? _("    missed     %-24s x %5d–%-5d y %5d–%-5d\n")
                     : _("    extra      %-24s x %5d–%-5d y %5d–%-5d\n"),
               line->id, x0, x1, y0, y1);
    }
}

static void
print_row (const char *name, const LecternSegevalScore *s)
{
  g_print ("  %-44s %4u %4u %4u   %.3f %.3f %.3f   %.3f   %5" G_GUINT64_FORMAT "\n", name, s->n_gt,
           s->n_pred, s->n_matched, s->precision, s->recall, s->f1,
           s->n_matched > 0 ? s->iou_sum / s->n_matched : 0.0, s->order_inversions);
}

/* Scores one page and adds it to total: pred_path may be NULL with --segment. FALSE when a
 * file could not be read (the page is then left out) or the prediction is missing (the page
 * counts as one where nothing was found). */
static gboolean
eval_page (const char *pred_path, const char *gt_path, const EvalSettings *set,
           LecternSegevalScore *total)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LecternDocument) gt = lectern_document_load (gt_path, &error);
  if (gt == NULL)
    {
      lectern_cli_print_error (error);
      return FALSE;
    }
  g_autoptr (LecternDocument) pred = NULL;
  gboolean missing = FALSE;
  double ms = 0;
  if (set->segment)
    {
      if (gt->image_path == NULL)
        {
          g_printerr (_("lectern-cli segeval: the image “%s” named by %s was not found\n"),
                      gt->image_filename != NULL ? gt->image_filename : "", gt_path);
          return FALSE;
        }
      g_autoptr (LecternImage) page = lectern_image_load (gt->image_path, &error);
      if (page == NULL)
        {
          lectern_cli_print_error (error);
          return FALSE;
        }
      gint64 t0 = g_get_monotonic_time ();
      pred = lectern_segment_page (page, NULL, NULL, &error);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
    }
  else if (pred_path != NULL && g_file_test (pred_path, G_FILE_TEST_EXISTS))
    pred = lectern_document_load (pred_path, &error);
  else
    {
      /* a page the predictions lack counts as a page where nothing was found, and the run
       * as failed */
      g_printerr (_("lectern-cli segeval: no prediction %s for %s; counted as empty\n"),
                  pred_path, gt_path);
      pred = lectern_document_new (NULL, gt->width, gt->height);
      missing = TRUE;
    }
  if (pred == NULL)
    {
      lectern_cli_print_error (error);
      return FALSE;
    }
  if (set->main_text)
    {
      LecternDocument *main_pred = lectern_segeval_main_text (pred);
      LecternDocument *main_gt = lectern_segeval_main_text (gt);
      lectern_document_free (pred);
      lectern_document_free (gt);
      pred = main_pred;
      gt = main_gt;
    }
  LecternSegevalScore score;
  g_autoptr (GArray) matches = g_array_new (FALSE, FALSE, sizeof (LecternSegevalMatch));
  lectern_segeval_compare (pred, gt, set->min_iou, set->cell, &score, matches);
  lectern_segeval_score_add (total, &score);
  g_autofree char *name = g_path_get_basename (gt_path);
  print_row (name, &score);
  if (set->verbose)
    {
      if (set->segment)
        g_print (_("    segmented in %.0f ms\n"), ms);
      print_unmatched (gt, matches, TRUE);
      print_unmatched (pred, matches, FALSE);
    }
  return !missing;
}

static void
print_header (void)
{
  /* Translators: "order" counts the pairs of lines read in another order than the ground
     truth's */
  g_print ("  %-44s %4s %4s %4s   %-5s %-5s %-5s   %-8s %s\n", _("page"), _("gt"), _("pred"),
           _("hit"), _("P"), _("R"), _("F1"), _("mean IoU"), _("order"));
}

int
lectern_cli_segeval (int argc, char **argv)
{
  EvalSettings set = { 0.5, 4, FALSE, FALSE, FALSE };
  GOptionEntry entries[] = {
    { "segment", 's', 0, G_OPTION_ARG_NONE, &set.segment, N_("Segment the image each GT file names instead of reading predictions"), NULL },
    { "iou", 0, 0, G_OPTION_ARG_DOUBLE, &set.min_iou, N_("IoU needed for a match (default 0.5)"), N_("X") },
    { "cell", 0, 0, G_OPTION_ARG_INT, &set.cell, N_("Raster cell in pixels for the IoU (default 4; 1 is exact)"), N_("N") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &set.verbose, N_("List the lines missed and the extra ones"), NULL },
    { "main-text", 0, 0, G_OPTION_ARG_NONE, &set.main_text, N_("Count only the lines of main-text regions, leaving out marginalia, page numbers and stamps on both sides"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("PRED GT | --segment GT… — line segmentation precision, recall, F1 and reading order"));
  g_option_context_set_description (ctx, _("PRED and GT are PAGE XML or ALTO files, or folders "
                                           "whose files are paired by name. With --segment, each "
                                           "GT argument (a file or a folder) is a set."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!lectern_cli_parse_options (ctx, &argc, &argv))
    return LECTERN_CLI_EXIT_USAGE;
  if (!(set.min_iou > 0 && set.min_iou <= 1) || set.cell < 1 || set.cell > 64)
    {
      g_printerr (_("lectern-cli segeval: --iou must be in (0, 1] and --cell in 1…64\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }
  if ((set.segment && argc < 2) || (!set.segment && argc != 3))
    {
      g_printerr (_("lectern-cli segeval: give PRED GT, or --segment and one or more GT\n"));
      return LECTERN_CLI_EXIT_USAGE;
    }

  /* sets: a folder argument is one; consecutive file arguments from one folder are one */
  g_autoptr (GPtrArray) set_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) set_preds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) set_gts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GError) error = NULL;
  gboolean last_was_file = FALSE;
  for (int a = set.segment ? 1 : 2; a < argc; a++)
    {
      const char *gt_arg = argv[a];
      if (g_file_test (gt_arg, G_FILE_TEST_IS_DIR))
        {
          if (!set.segment && !g_file_test (argv[1], G_FILE_TEST_IS_DIR))
            {
              g_printerr (_("lectern-cli segeval: PRED and GT must both be files or both folders\n"));
              return LECTERN_CLI_EXIT_USAGE;
            }
          GPtrArray *gts = list_xml (gt_arg, &error);
          if (gts == NULL)
            {
              lectern_cli_print_error (error);
              return LECTERN_CLI_EXIT_FAILURE;
            }
          GPtrArray *preds = g_ptr_array_new_with_free_func (g_free);
          for (guint i = 0; i < gts->len; i++)
            {
              g_autofree char *base = g_path_get_basename (gts->pdata[i]);
              g_ptr_array_add (preds, set.segment ? NULL : g_build_filename (argv[1], base, NULL));
            }
          g_ptr_array_add (set_names, g_strdup (gt_arg));
          g_ptr_array_add (set_gts, gts);
          g_ptr_array_add (set_preds, preds);
          last_was_file = FALSE;
        }
      else if (g_file_test (gt_arg, G_FILE_TEST_EXISTS))
        {
          if (!set.segment && g_file_test (argv[1], G_FILE_TEST_IS_DIR))
            {
              g_printerr (_("lectern-cli segeval: PRED and GT must both be files or both folders\n"));
              return LECTERN_CLI_EXIT_USAGE;
            }
          g_autofree char *dir = g_path_get_dirname (gt_arg);
          if (!last_was_file || !g_str_equal (dir, set_names->pdata[set_names->len - 1]))
            {
              g_ptr_array_add (set_names, g_strdup (dir));
              g_ptr_array_add (set_gts, g_ptr_array_new_with_free_func (g_free));
              g_ptr_array_add (set_preds, g_ptr_array_new_with_free_func (g_free));
            }
          g_ptr_array_add (set_gts->pdata[set_gts->len - 1], g_strdup (gt_arg));
          g_ptr_array_add (set_preds->pdata[set_preds->len - 1],
                           set.segment ? NULL : g_strdup (argv[1]));
          last_was_file = TRUE;
        }
      else
        {
          g_printerr (_("lectern-cli segeval: “%s” does not exist\n"), gt_arg);
          return LECTERN_CLI_EXIT_FAILURE;
        }
    }

  int status = 0;
  LecternSegevalScore all = { 0 };
  for (guint s = 0; s < set_names->len; s++)
    {
      LecternSegevalScore total = { 0 };
      GPtrArray *gts = set_gts->pdata[s], *preds = set_preds->pdata[s];
      if (set.main_text)
        g_print (_("%s (main-text regions only)\n"), (const char *) set_names->pdata[s]);
      else
        g_print ("%s\n", (const char *) set_names->pdata[s]);
      print_header ();
      for (guint i = 0; i < gts->len; i++)
        if (!eval_page (preds->pdata[i], gts->pdata[i], &set, &total))
          status = LECTERN_CLI_EXIT_FAILURE;
      lectern_segeval_score_finish (&total);
      print_row (_("set total"), &total);
      g_print ("\n");
      lectern_segeval_score_add (&all, &total);
    }
  if (set_names->len > 1)
    print_row (_("all sets"), &all);
  return status;
}
