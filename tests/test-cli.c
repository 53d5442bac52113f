/* test-cli.c — lectern-cli as a user runs it: --help lists the sub-commands, --version, an
 * unknown command fails with status 2 and names it, sample-page writes a PNG that loads, the
 * same for the same seed and different for another, lm cleans ground truth's markup, and train
 * widens a base model's network. */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "testutil.h"

static char *tmp_dir;

static void
test_help (void)
{
  g_auto(LecternTestRun) run = { 0 };

  lectern_test_run_cli (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Commands:"));
  /* Each command on its own line with its summary. */
  g_assert_nonnull (strstr (run.out, "\n  sample-page  "));
  g_assert_nonnull (strstr (run.out, "Render a sample handwritten page"));
}

static void
test_command_help (void)
{
  g_auto(LecternTestRun) run = { 0 };

  lectern_test_run_cli (&run, "sample-page", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "lectern-cli sample-page"));
  g_assert_nonnull (strstr (run.out, "--seed"));
}

static void
test_version (void)
{
  g_auto(LecternTestRun) run = { 0 };

  lectern_test_run_cli (&run, "--version", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "lectern-cli " PACKAGE_VERSION "\n");
}

static void
test_unknown_command (void)
{
  g_auto(LecternTestRun) run = { 0 };

  lectern_test_run_cli (&run, "transmogrify", "--fast", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "transmogrify"));
  g_assert_cmpstr (run.out, ==, "");
}

static void
test_no_command (void)
{
  g_auto(LecternTestRun) run = { 0 };

  lectern_test_run_cli (&run, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "sample-page"));
}

static void
test_bad_arguments (void)
{
  g_auto(LecternTestRun) no_output = { 0 };
  g_auto(LecternTestRun) bad_option = { 0 };
  g_auto(LecternTestRun) bad_dpi = { 0 };
  g_auto(LecternTestRun) unwritable = { 0 };
  g_auto(LecternTestRun) runs_without_init = { 0 };
  g_auto(LecternTestRun) no_runs = { 0 };

  lectern_test_run_cli (&no_output, "sample-page", NULL);
  g_assert_cmpint (no_output.status, ==, 2);
  g_assert_nonnull (strstr (no_output.err, "-o"));

  lectern_test_run_cli (&bad_option, "sample-page", "-o", "x.png", "--colour", "red", NULL);
  g_assert_cmpint (bad_option.status, ==, 2);
  g_assert_nonnull (strstr (bad_option.err, "--colour"));

  lectern_test_run_cli (&bad_dpi, "sample-page", "-o", "x.png", "--dpi", "5", NULL);
  g_assert_cmpint (bad_dpi.status, ==, 2);

  /* Runs are averaged only from one trained model; zero runs is no training. Both are refused
   * before anything is read. */
  lectern_test_run_cli (&runs_without_init, "train", "--train", "lines", "--out", "new.lectern",
                        "--runs", "3", NULL);
  g_assert_cmpint (runs_without_init.status, ==, 2);
  g_assert_nonnull (strstr (runs_without_init.err, "--runs needs --init"));
  lectern_test_run_cli (&no_runs, "train", "--init", "base.lectern", "--train", "lines", "--out",
                        "new.lectern", "--runs", "0", NULL);
  g_assert_cmpint (no_runs.status, ==, 2);
  g_assert_nonnull (strstr (no_runs.err, "runs"));

  /* A folder that does not exist: the work fails (status 1) and says where. */
  lectern_test_run_cli (&unwritable, "sample-page", "-o", "/nonexistent-folder/page.png", NULL);
  g_assert_cmpint (unwritable.status, ==, 1);
  g_assert_nonnull (strstr (unwritable.err, "/nonexistent-folder/page.png"));
}

static char *
render_sample (const char *name,
               const char *seed)
{
  g_auto(LecternTestRun) run = { 0 };
  char *path = g_build_filename (tmp_dir, name, NULL);

  lectern_test_run_cli (&run, "sample-page", "-o", path, "--seed", seed, NULL);
  g_test_message ("%s", run.out);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  return path;
}

/* Fraction of pixels darker than half grey (ink) in pixbuf. */
static double
ink_fraction (GdkPixbuf *pixbuf,
              guint     *paper_level)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  guint64 dark = 0;
  guint histogram[256] = { 0 };
  guint most = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;
        guint grey = (p[0] * 299 + p[1] * 587 + p[2] * 114) / 1000;
        histogram[grey]++;
        if (grey < 128)
          dark++;
      }

  for (guint level = 0; level < 256; level++)
    if (histogram[level] > histogram[most])
      most = level;
  *paper_level = most;

  return (double) dark / ((double) width * height);
}

static void
test_sample_page (void)
{
  g_autofree char *first = render_sample ("first.png", "7");
  g_autofree char *again = render_sample ("again.png", "7");
  g_autofree char *other = render_sample ("other.png", "8");
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_bytes = NULL;
  g_autofree char *again_bytes = NULL;
  g_autofree char *other_bytes = NULL;
  gsize first_length, again_length, other_length;
  guint paper;
  double ink;

  pixbuf = gdk_pixbuf_new_from_file (first, &error);
  g_assert_no_error (error);

  /* A5 at 170 dpi. */
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 991);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 1406);

  /* Mostly light paper that is not pure white, with some writing on it. */
  ink = ink_fraction (pixbuf, &paper);
  g_test_message ("ink covers %.2f%% of the page; the paper is grey level %u", ink * 100, paper);
  g_assert_cmpfloat (ink, >, 0.005);
  g_assert_cmpfloat (ink, <, 0.2);
  g_assert_cmpuint (paper, >, 200);
  g_assert_cmpuint (paper, <, 252);

  /* The seed decides everything. */
  g_assert_true (g_file_get_contents (first, &first_bytes, &first_length, NULL));
  g_assert_true (g_file_get_contents (again, &again_bytes, &again_length, NULL));
  g_assert_true (g_file_get_contents (other, &other_bytes, &other_length, NULL));
  g_assert_cmpmem (first_bytes, first_length, again_bytes, again_length);
  g_assert_false (first_length == other_length
                  && memcmp (first_bytes, other_bytes, first_length) == 0);
}

/* The vocabulary size `lm` reports for its arguments (after --out and --order 3). */
static guint
lm_vocabulary (const char *name, const char *first, ...)
{
  g_autofree char *out = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (gpointer) "lm");
  g_ptr_array_add (args, (gpointer) "--order");
  g_ptr_array_add (args, (gpointer) "3");
  g_ptr_array_add (args, (gpointer) "--out");
  g_ptr_array_add (args, out);
  va_start (ap, first);
  lectern_test_append_args (args, first, ap);
  va_end (ap);

  g_auto(LecternTestRun) run = { 0 };
  g_autofree char *argv_line = g_strjoinv (" ", (char **) args->pdata);
  g_test_message ("lectern-cli %s", argv_line);
  lectern_test_run_cli_argv (&run, (const char *const *) args->pdata);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  const char *found = strstr (run.out, " characters in the vocabulary");
  g_assert_nonnull (found);
  while (found > run.out && g_ascii_isdigit (found[-1]))
    found--;
  return (guint) g_ascii_strtoull (found, NULL, 10);
}

/* `lm` reads plain text as it is and ground truth given with --transcriptions without its
 * markup: the struck-out word, its brackets and the superscript mark are not in the model. */
static void
test_lm_transcriptions (void)
{
  g_autofree char *plain = g_build_filename (tmp_dir, "plain.txt", NULL);
  g_autofree char *gt_dir = g_build_filename (tmp_dir, "gt", NULL);
  g_autofree char *gt = g_build_filename (gt_dir, "line.gt.txt", NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  /* 40 lines "x<y>z": with the spaces between them, 6 characters; the line of ground truth
   * comes after them, so it is not among the held-out lines (every 20th) */
  for (int i = 0; i < 40; i++)
    g_string_append (text, "x<y>z\n");
  g_assert_true (g_file_set_contents (plain, text->str, -1, NULL));
  g_assert_cmpint (g_mkdir_with_parents (gt_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (gt, "ab ⟦cd⟧ e^f\n", -1, NULL));

  g_assert_cmpuint (lm_vocabulary ("plain.lm", plain, NULL), ==, 6);
  /* cleaned: a, b, e, f added */
  g_assert_cmpuint (lm_vocabulary ("clean.lm", "--transcriptions", gt_dir, plain, NULL), ==, 10);
  /* the same file as plain text keeps ⟦, c, d, ⟧ and ^ */
  g_assert_cmpuint (lm_vocabulary ("raw.lm", plain, gt_dir, NULL), ==, 15);
  /* transcriptions alone are enough */
  g_assert_cmpuint (lm_vocabulary ("gt-only.lm", "--transcriptions", gt, NULL), ==, 5);
}

/* A line image: dark strokes on white, as a scanned line would be. */
static void
write_line_image (const char *path, int strokes)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 160, 40);
  const int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  g_autoptr(GError) error = NULL;

  for (int y = 0; y < 40; y++)
    for (int x = 0; x < 160; x++)
      {
        gboolean ink = y > 10 && y < 30 && (x / 6) % 3 == 0 && x / 18 < strokes;
        memset (pixels + y * stride + x * 3, ink ? 30 : 240, 3);
      }
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
}

/* train --init with --arch widens the base model: the new model has the wider network, and a
 * network the base cannot grow into is refused with the reason. */
static void
test_train_widen (void)
{
  g_autofree char *base = g_test_build_filename (G_TEST_DIST, "..", "resources", "models",
                                                 "default.lectern", NULL);
  g_autofree char *lines = g_build_filename (tmp_dir, "widen-lines", NULL);
  g_autofree char *out = g_build_filename (tmp_dir, "wide.lectern", NULL);
  g_autofree char *narrow = g_build_filename (tmp_dir, "narrow.lectern", NULL);
  g_auto(LecternTestRun) train = { 0 };
  g_auto(LecternTestRun) card = { 0 };
  g_auto(LecternTestRun) narrower = { 0 };
  const char *texts[] = { "a", "ab", "abc", "abca" };

  if (!g_file_test (base, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("resources/models/default.lectern is not in this tree");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (lines, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *png = g_strdup_printf ("%s/%u.png", lines, i);
      g_autofree char *gt = g_strdup_printf ("%s/%u.gt.txt", lines, i);
      write_line_image (png, (int) strlen (texts[i]));
      g_assert_true (g_file_set_contents (gt, texts[i], -1, NULL));
    }

  lectern_test_run_cli (&train, "train", "--init", base, "--train", lines, "--val", lines,
                        "--out", out, "--epochs", "1", "--runs", "1", "--threads", "1",
                        "--arch", "h64 t2x2 l4 s4x2x12 l24 s4x1x40 l56", NULL);
  g_test_message ("%s", train.err);
  g_assert_cmpint (train.status, ==, 0);
  g_assert_nonnull (strstr (train.err, "Widened the network"));
  lectern_test_run_cli (&card, "model", out, NULL);
  g_assert_cmpint (card.status, ==, 0);
  g_assert_nonnull (strstr (card.out, "h64 t2x2 l4 s4x2x12 l24 s4x1x40 l56"));

  lectern_test_run_cli (&narrower, "train", "--init", base, "--train", lines, "--out",
                        narrow, "--epochs", "1", "--runs", "1",
                        "--arch", "h64 t2x2 l2 s4x2x6 l8 s4x1x20 l50", NULL);
  g_assert_cmpint (narrower.status, ==, 2);
  g_assert_nonnull (strstr (narrower.err, "only units and features can grow"));
  g_assert_false (g_file_test (narrow, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("lectern-test-cli-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/Lectern/Cli/help", test_help);
  g_test_add_func ("/Lectern/Cli/command-help", test_command_help);
  g_test_add_func ("/Lectern/Cli/version", test_version);
  g_test_add_func ("/Lectern/Cli/unknown-command", test_unknown_command);
  g_test_add_func ("/Lectern/Cli/no-command", test_no_command);
  g_test_add_func ("/Lectern/Cli/bad-arguments", test_bad_arguments);
  g_test_add_func ("/Lectern/Cli/sample-page", test_sample_page);
  g_test_add_func ("/Lectern/Cli/lm-transcriptions", test_lm_transcriptions);
  g_test_add_func ("/Lectern/Cli/train-widen", test_train_widen);

  status = g_test_run ();

  lectern_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
