/* test-cli-hostile.c — lectern-cli eval, recognize, segment and transcribe given broken and
 * hostile files: empty files, images cut short or claiming absurd sizes, damaged models,
 * hostile PAGE/ALTO, a 100 MB line, non-UTF-8 ground truth, and file names with spaces,
 * commas and non-ASCII characters.
 *
 * Every refusal must exit with status 1 and a message naming the file and the problem, and leave
 * no output file behind (nor damage one that was there). What the engine's loaders do with each
 * of these is tested in test-image, test-formats, test-model and test-hostile; this is what a
 * user sees. All input files are made here, in a temporary folder. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "document.h"
#include "image.h"
#include "model.h"
#include "testutil.h"

static char *cli_path;
static char *tmp_dir;
static char *model_path;    /* a tiny model with random weights */
static char *line_path;     /* a line image, line.png, with line.gt.txt beside it */
static char *page_path;     /* a page image with two dark lines of "writing" */

/* ---- running lectern-cli ---- */

typedef struct {
  int   status;
  char *out;
  char *err;
  long  peak_mib;   /* the run's peak resident memory */
} CliRun;

static void
cli_run_clear (CliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

/* The whole of a temporary file that a child wrote to, then closes it. */
static char *
read_back (int fd)
{
  GString *text = g_string_new (NULL);
  char buffer[4096];
  ssize_t n;
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  close (fd);
  return g_string_free (text, FALSE);
}

/* lectern-cli with the arguments (NULL-terminated), in a UTF-8 locale so that file names with
 * accents come through in the messages as they are, with no default model or LM. The child is
 * reaped here with wait4, which gives its own peak memory. */
static void
run_cli (CliRun *run, const char *first, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_unsetenv (env, "LECTERN_DEFAULT_LM");
  env = g_environ_setenv (env, "LECTERN_DEFAULT_MODEL", model_path, TRUE);
  g_autoptr(GError) error = NULL;
  va_list ap;

  cli_run_clear (run);
  g_ptr_array_add (args, cli_path);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_autofree char *out_name = NULL, *err_name = NULL;
  int out_fd = g_file_open_tmp ("lectern-cli-out-XXXXXX", &out_name, &error);
  g_assert_no_error (error);
  int err_fd = g_file_open_tmp ("lectern-cli-err-XXXXXX", &err_name, &error);
  g_assert_no_error (error);
  g_unlink (out_name);
  g_unlink (err_name);
  GPid pid = 0;
  g_spawn_async_with_fds (NULL, (char **) args->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                          NULL, &pid, -1, out_fd, err_fd, &error);
  g_assert_no_error (error);
  int wait_status = 0;
  struct rusage usage;
  pid_t reaped;
  while ((reaped = wait4 (pid, &wait_status, 0, &usage)) < 0 && errno == EINTR)
    ;
  g_assert_cmpint (reaped, ==, pid);
  g_spawn_close_pid (pid);
  run->out = read_back (out_fd);
  run->err = read_back (err_fd);
  run->peak_mib = usage.ru_maxrss / 1024;
  if (!WIFEXITED (wait_status))
    g_error ("lectern-cli %s did not exit normally (signal %d): %s", first,
             WIFSIGNALED (wait_status) ? WTERMSIG (wait_status) : 0, run->err);
  run->status = WEXITSTATUS (wait_status);
}

/* The run failed as a user should see it: status 1, no crash, and stderr naming the file (its
 * base name) and, when given, the problem. */
static void
assert_refused (const CliRun *run, const char *path, const char *problem)
{
  g_autofree char *base = g_path_get_basename (path);
  if (run->status != 1)
    g_error ("expected status 1 for %s, got %d; stderr: %s", base, run->status, run->err);
  if (strstr (run->err, base) == NULL)
    g_error ("the message does not name “%s”: %s", base, run->err);
  if (problem != NULL && strstr (run->err, problem) == NULL)
    g_error ("the message does not say “%s”: %s", problem, run->err);
  g_assert_true (g_utf8_validate (run->err, -1, NULL));
}

static void
assert_succeeded (const CliRun *run)
{
  if (run->status != 0)
    g_error ("expected success, got status %d; stderr: %s", run->status, run->err);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
write_file (const char *path, const void *data, gsize size)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_set_contents (path, data, (gssize) size, &error));
  g_assert_no_error (error);
}

static GBytes *
read_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize size = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  return g_bytes_new_take (g_steal_pointer (&data), size);
}

/* Each command that writes a file, with the input: transcribe (PAGE out), segment (PAGE out).
 * Both must fail on input, leave no new file and leave an old one as it was. */
static void
assert_no_output_written (const char *input, const char *problem)
{
  g_autofree char *fresh = tmp_path ("fresh-output.xml");
  g_autofree char *old = tmp_path ("old-output.xml");
  static const char old_contents[] = "<!-- an earlier result that must survive -->";
  const char *commands[] = { "transcribe", "segment" };
  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      g_auto(CliRun) run = { 0 };
      g_unlink (fresh);
      if (c == 0)
        run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-o", fresh, input,
                 NULL);
      else
        run_cli (&run, "segment", "-q", "-o", fresh, input, NULL);
      assert_refused (&run, input, problem);
      g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));

      write_file (old, old_contents, sizeof old_contents - 1);
      if (c == 0)
        run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-o", old, input,
                 NULL);
      else
        run_cli (&run, "segment", "-q", "-o", old, input, NULL);
      assert_refused (&run, input, problem);
      g_autoptr(GBytes) kept = read_file (old);
      g_assert_cmpmem (g_bytes_get_data (kept, NULL), g_bytes_get_size (kept), old_contents,
                       sizeof old_contents - 1);
    }
  /* no stray temporary files either */
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "fresh-output") || g_str_has_prefix (name, "old-output.xml."))
      g_error ("a partial output file was left: %s", name);
}

/* A line image refused by recognize (status 1, message naming it, an empty output line) and
 * by eval (as a line dataset with a transcription beside it). */
static void
assert_line_image_refused (const char *image, const char *problem)
{
  g_auto(CliRun) run = { 0 };
  run_cli (&run, "recognize", "--model", model_path, image, NULL);
  assert_refused (&run, image, problem);
  g_assert_cmpstr (run.out, ==, "\n");

  /* NAME.png → NAME.gt.txt */
  const char *dot = strrchr (image, '.');
  g_autofree char *stem = g_strndup (image, (gsize) (dot - image));
  g_autofree char *gt = g_strconcat (stem, ".gt.txt", NULL);
  write_file (gt, "some text", 9);
  run_cli (&run, "eval", "--model", model_path, image, NULL);
  assert_refused (&run, image, problem);
  g_unlink (gt);
}

/* ---- making inputs ---- */

static void
append_png (png_structp png, png_bytep data, png_size_t length)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) length);
}

static void
flush_nothing (png_structp png)
{
}

/* A PNG of the given size and type; with header_only, the signature and IHDR alone (enough for
 * the size check, whatever size it claims). Samples: dark strokes on light paper. */
static GBytes *
make_png (guint32 width, guint32 height, int bit_depth, int colour_type, gboolean header_only)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  g_assert_nonnull (info);
  if (setjmp (png_jmpbuf (png)))
    g_assert_not_reached ();
  png_set_write_fn (png, out, append_png, flush_nothing);
  png_set_user_limits (png, 0x7fffffff, 0x7fffffff);
  png_set_IHDR (png, info, width, height, bit_depth, colour_type, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (colour_type == PNG_COLOR_TYPE_PALETTE)
    {
      static const png_color palette[3] = { { 250, 245, 230 }, { 20, 20, 60 }, { 120, 90, 40 } };
      png_set_PLTE (png, info, palette, 3);
    }
  png_write_info (png, info);
  if (!header_only)
    {
      if (bit_depth < 8)
        png_set_packing (png);
      const int bytes = bit_depth == 16 ? 2 : 1;
      g_autofree png_byte *row = g_malloc0 ((gsize) width * bytes);
      for (guint32 y = 0; y < height; y++)
        {
          for (guint32 x = 0; x < width; x++)
            {
              gboolean ink = (x / 3 + y / 4) % 5 == 0 && y > height / 4 && y < 3 * height / 4;
              png_byte v = colour_type == PNG_COLOR_TYPE_PALETTE ? (ink ? 1 : 0)
                           : bit_depth < 8 ? (ink ? 0 : (1 << bit_depth) - 1)
                           : (ink ? 20 : 235);
              for (int b = 0; b < bytes; b++)
                row[(gsize) x * bytes + b] = v;
            }
          png_write_row (png, row);
        }
      png_write_end (png, info);
    }
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
encode_pixbuf (int width, int height, const char *type)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      memset (pixels + y * stride + 3 * x, (x / 4 + y / 3) % 4 == 0 ? 30 : 225, 3);
  g_autofree char *buffer = NULL;
  gsize size = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, type, &error, NULL));
  return g_bytes_new_take (g_steal_pointer (&buffer), size);
}

static void
write_bytes (const char *path, GBytes *bytes)
{
  write_file (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* A page of two "lines" (dark blocks of strokes), and a PAGE file giving those lines. */
static void
write_page_image (const char *path)
{
  g_autoptr(LecternImage) page = lectern_image_new (400, 200);
  for (int line = 0; line < 2; line++)
    for (int y = 40 + 80 * line; y < 70 + 80 * line; y++)
      for (int x = 30; x < 370; x++)
        if ((x / 6 + y / 5) % 3 == 0)
          page->pixels[y * page->width + x] = 25;
  g_autoptr(GError) error = NULL;
  g_assert_true (lectern_image_save_png (page, path, &error));
}

#define PAGE_NS "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"

/* A PAGE file naming image (relative to the file) with the given TextLine elements. */
static char *
page_xml (const char *image, int width, int height, const char *lines)
{
  return g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<PcGts xmlns=\"" PAGE_NS "\"><Page imageFilename=\"%s\" "
                          "imageWidth=\"%d\" imageHeight=\"%d\"><TextRegion id=\"r1\">"
                          "<Coords points=\"0,0 399,0 399,199 0,199\"/>%s</TextRegion></Page>"
                          "</PcGts>\n", image, width, height, lines);
}

static const char two_lines[] =
  "<TextLine id=\"l1\"><Coords points=\"25,35 375,35 375,75 25,75\"/>"
  "<TextEquiv><Unicode>first line</Unicode></TextEquiv></TextLine>"
  "<TextLine id=\"l2\"><Coords points=\"25,115 375,115 375,155 25,155\"/>"
  "<TextEquiv><Unicode>second line</Unicode></TextEquiv></TextLine>";

static void
make_fixtures (void)
{
  g_autoptr(GError) error = NULL;
  tmp_dir = g_dir_make_tmp ("lectern-cli-hostile-XXXXXX", &error);
  g_assert_no_error (error);

  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  for (const char *p = "abcdefghijklmnopqrstuvwxyz é"; *p; p = g_utf8_next_char (p))
    lectern_charset_add (cs, g_utf8_get_char (p));
  LecternArch arch;
  g_assert_true (lectern_arch_parse (&arch, "h16 t2x2 l2 s2x2x4 l4", &error));
  arch.n_classes = (int) lectern_charset_size (cs);
  g_autoptr(LecternModel) model = lectern_model_new_random (&arch, cs, 11);
  model_path = tmp_path ("tiny.lectern");
  g_assert_true (lectern_model_save (model, model_path, &error));

  line_path = tmp_path ("line.png");
  g_autoptr(GBytes) line = make_png (120, 24, 8, PNG_COLOR_TYPE_GRAY, FALSE);
  write_bytes (line_path, line);
  g_autofree char *gt = tmp_path ("line.gt.txt");
  write_file (gt, "a line", 6);

  page_path = tmp_path ("page.png");
  write_page_image (page_path);
}

/* ---- the tests ---- */

static void
test_fixtures_work (void)
{
  /* The good inputs pass, so that each refusal below is the bad file's doing. */
  g_auto(CliRun) run = { 0 };
  run_cli (&run, "recognize", "--model", model_path, line_path, NULL);
  assert_succeeded (&run);
  run_cli (&run, "eval", "--model", model_path, line_path, NULL);
  assert_succeeded (&run);
  g_autofree char *xml = page_xml ("page.png", 400, 200, two_lines);
  g_autofree char *xml_path = tmp_path ("good.xml");
  write_file (xml_path, xml, strlen (xml));
  g_autofree char *out = tmp_path ("good-out.xml");
  run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-o", out, xml_path, NULL);
  assert_succeeded (&run);
  g_assert_true (g_file_test (out, G_FILE_TEST_EXISTS));
  run_cli (&run, "eval", "--model", model_path, xml_path, NULL);
  assert_succeeded (&run);
  g_assert_nonnull (strstr (run.out, "2 lines"));
  run_cli (&run, "segment", "-q", "-o", out, page_path, NULL);
  assert_succeeded (&run);
  g_unlink (out);
}

static void
test_empty_files (void)
{
  g_autofree char *image = tmp_path ("empty.png");
  write_file (image, "", 0);
  assert_line_image_refused (image, "empty");
  assert_no_output_written (image, "empty");

  g_autofree char *xml = tmp_path ("empty.xml");
  write_file (xml, "", 0);
  g_auto(CliRun) run = { 0 };
  g_autofree char *out = tmp_path ("from-empty.xml");
  run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-o", out, xml, NULL);
  assert_refused (&run, xml, NULL);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  run_cli (&run, "eval", "--model", model_path, xml, NULL);
  assert_refused (&run, xml, NULL);

  g_autofree char *model = tmp_path ("empty.lectern");
  write_file (model, "", 0);
  run_cli (&run, "recognize", "--model", model, line_path, NULL);
  assert_refused (&run, model, "not a Lectern model");
  g_assert_cmpstr (run.out, ==, "");
}

static void
test_truncated_images (void)
{
  struct {
    const char *name;
    GBytes     *whole;
  } images[] = {
    { "cut.png", make_png (90, 30, 8, PNG_COLOR_TYPE_GRAY, FALSE) },
    { "cut.jpg", encode_pixbuf (90, 30, "jpeg") },
    { "cut.tif", encode_pixbuf (90, 30, "tiff") },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (images); i++)
    {
      gsize size = g_bytes_get_size (images[i].whole);
      const guint8 *data = g_bytes_get_data (images[i].whole, NULL);
      /* in the signature, in the header, early and late in the pixel data, one byte short */
      const gsize cuts[] = { 3, 20, size / 3, 2 * size / 3, size - 1 };
      for (gsize k = 0; k < G_N_ELEMENTS (cuts); k++)
        {
          g_autofree char *path = tmp_path (images[i].name);
          write_file (path, data, cuts[k]);
          g_test_message ("%s cut to %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes",
                          images[i].name, cuts[k], size);
          assert_line_image_refused (path, NULL);
          if (k == 2)
            assert_no_output_written (path, NULL);
        }
      g_bytes_unref (images[i].whole);
    }
}

static void
test_absurd_image_sizes (void)
{
  /* Claimed sizes beyond the limits are refused from the header. */
  static const guint32 refused[][2] = { { 1, 100000 }, { 100000, 1 }, { 100000, 100000 } };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *name = g_strdup_printf ("claims-%ux%u.png", refused[i][0], refused[i][1]);
      g_autofree char *path = tmp_path (name);
      g_autoptr(GBytes) png = make_png (refused[i][0], refused[i][1], 8, PNG_COLOR_TYPE_GRAY, TRUE);
      write_bytes (path, png);
      assert_line_image_refused (path, "more than Lectern handles");
      assert_no_output_written (path, "more than Lectern handles");
    }

  /* The most extreme shapes allowed are read and recognised (the recognizer scales a line to
   * its height: 65535×1 would become 4 million pixels wide; 1×65535 less than one). */
  static const guint32 allowed[][2] = { { 65535, 1 }, { 1, 65535 }, { 65535, 2 } };
  for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autofree char *name = g_strdup_printf ("extreme-%ux%u.png", allowed[i][0], allowed[i][1]);
      g_autofree char *path = tmp_path (name);
      g_autoptr(GBytes) png = make_png (allowed[i][0], allowed[i][1], 8, PNG_COLOR_TYPE_GRAY, FALSE);
      write_bytes (path, png);
      g_auto(CliRun) run = { 0 };
      run_cli (&run, "recognize", "--model", model_path, path, NULL);
      assert_succeeded (&run);
      g_assert_true (g_str_has_suffix (run.out, "\n"));
      g_autofree char *out = tmp_path ("extreme-out.xml");
      /* a page of such a shape has no lines to find: segmenting it may say so, naming it */
      run_cli (&run, "segment", "-q", "-o", out, path, NULL);
      if (run.status != 0)
        {
          assert_refused (&run, path, NULL);
          g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
        }
      g_unlink (out);
    }
}

static void
test_png_kinds (void)
{
  /* 16-bit and palette PNGs (and 1-bit grey) are lines like any other. */
  struct {
    const char *name;
    int         bit_depth, colour_type;
  } kinds[] = {
    { "grey16.png", 16, PNG_COLOR_TYPE_GRAY },
    { "palette.png", 8, PNG_COLOR_TYPE_PALETTE },
    { "palette2.png", 2, PNG_COLOR_TYPE_PALETTE },
    { "grey1.png", 1, PNG_COLOR_TYPE_GRAY },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path = tmp_path (kinds[i].name);
      g_autoptr(GBytes) png = make_png (100, 20, kinds[i].bit_depth, kinds[i].colour_type, FALSE);
      write_bytes (path, png);
      g_autoptr(GError) error = NULL;
      g_autoptr(LecternImage) image = lectern_image_load (path, &error);
      g_assert_no_error (error);
      /* the first pixel is paper and the stroke pattern's corner is ink, whatever the type */
      g_assert_cmpuint (image->pixels[0], >, 200);
      g_assert_cmpuint (image->pixels[8 * image->width + 9], <, 60);
      g_auto(CliRun) run = { 0 };
      run_cli (&run, "recognize", "--model", model_path, path, NULL);
      assert_succeeded (&run);
    }
}

/* The tiny model's file with a change; when fix_checksum the SHA-256 at the end is made right
 * again, so that the change itself is what the loader must notice. */
static char *
write_damaged_model (const char *name, gsize at, const void *bytes, gsize n, gsize cut_to,
                     gboolean fix_checksum)
{
  g_autoptr(GBytes) good = read_file (model_path);
  gsize size = g_bytes_get_size (good);
  guint8 *data = g_memdup2 (g_bytes_get_data (good, NULL), size);
  if (bytes != NULL)
    memcpy (data + at, bytes, n);
  if (fix_checksum)
    {
      gsize digest_len = 32;
      GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
      g_checksum_update (sum, data, size - 32);
      g_checksum_get_digest (sum, data + size - 32, &digest_len);
      g_checksum_free (sum);
    }
  char *path = tmp_path (name);
  write_file (path, data, cut_to > 0 ? cut_to : size);
  g_free (data);
  return path;
}

static void
test_damaged_models (void)
{
  g_autoptr(GBytes) good = read_file (model_path);
  const gsize size = g_bytes_get_size (good);
  const guint32 huge = GUINT32_TO_LE (0x7fffffff), units_512 = GUINT32_TO_LE (512);
  const guint32 version = GUINT32_TO_LE (99);
  const float nan_weight = NAN;
  /* offsets: magic 8, version 4, height, mean, std, tile_h, tile_w, n_layers, units[0] */
  const gsize units0 = 8 + 4 + 6 * 4;
  struct {
    char       *path;
    const char *problem;
  } models[] = {
    { write_damaged_model ("magic.lectern", 0, "GIF89a\0\0", 8, 0, FALSE), "not a Lectern model" },
    { write_damaged_model ("version.lectern", 8, &version, 4, 0, FALSE), "version 99" },
    { write_damaged_model ("huge-layer.lectern", units0, &huge, 4, 0, FALSE), "unit count" },
    /* 512 units is allowed for one layer; the weights it needs are not in the file */
    { write_damaged_model ("big-layer.lectern", units0, &units_512, 4, 0, TRUE), "weights" },
    { write_damaged_model ("truncated.lectern", 0, NULL, 0, size - 32 - 40, FALSE), "truncated" },
    { write_damaged_model ("checksum.lectern", size - 32 - 40, "\x01\x02\x03", 3, 0, FALSE),
      "checksum" },
    { write_damaged_model ("nan.lectern", size - 32 - 8, &nan_weight, 4, 0, TRUE),
      "not a finite number" },
  };
  g_autofree char *xml = page_xml ("page.png", 400, 200, two_lines);
  g_autofree char *xml_path = tmp_path ("for-models.xml");
  write_file (xml_path, xml, strlen (xml));
  g_autofree char *out = tmp_path ("model-out.xml");
  for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_test_message ("%s", models[i].path);
      g_auto(CliRun) run = { 0 };
      run_cli (&run, "recognize", "--model", models[i].path, line_path, NULL);
      assert_refused (&run, models[i].path, models[i].problem);
      g_assert_cmpstr (run.out, ==, "");
      run_cli (&run, "eval", "--model", models[i].path, line_path, NULL);
      assert_refused (&run, models[i].path, models[i].problem);
      run_cli (&run, "transcribe", "--model", models[i].path, "--no-lm", "-q", "-o", out,
               xml_path, NULL);
      assert_refused (&run, models[i].path, models[i].problem);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      g_free (models[i].path);
    }
}

static void
test_hostile_xml (void)
{
  g_autofree char *secret = tmp_path ("secret.txt");
  write_file (secret, "TOPSECRET", 9);
  g_autofree char *out = tmp_path ("xml-out.xml");

  /* an external entity in the text, and one in the image name */
  g_autofree char *xxe_body = page_xml ("page.png", 400, 200,
                                        "<TextLine id=\"l1\"><Coords points=\"25,35 375,35 375,75\"/>"
                                        "<TextEquiv><Unicode>&xxe;</Unicode></TextEquiv></TextLine>");
  const char *after_declaration = strchr (xxe_body, '\n') + 1;
  g_autofree char *xxe = g_strdup_printf ("<?xml version=\"1.0\"?>\n<!DOCTYPE PcGts "
                                          "[<!ENTITY xxe SYSTEM \"file://%s\">]>\n%s",
                                          secret, after_declaration);
  g_autofree char *xxe_path = tmp_path ("xxe.xml");
  write_file (xxe_path, xxe, strlen (xxe));

  /* 10^9 "lol"s if expanded */
  GString *laughs = g_string_new ("<?xml version=\"1.0\"?>\n<!DOCTYPE PcGts [\n"
                                  "<!ENTITY lol0 \"lol\">\n");
  for (int level = 1; level <= 9; level++)
    {
      g_string_append_printf (laughs, "<!ENTITY lol%d \"", level);
      for (int k = 0; k < 10; k++)
        g_string_append_printf (laughs, "&lol%d;", level - 1);
      g_string_append (laughs, "\">\n");
    }
  g_autofree char *laughs_body = page_xml ("page.png", 400, 200,
                                           "<TextLine id=\"l1\"><Coords points=\"25,35 375,35 375,75\"/>"
                                           "<TextEquiv><Unicode>&lol9;</Unicode></TextEquiv></TextLine>");
  g_string_append (laughs, strchr (laughs_body, '\n') + 1);
  g_autofree char *laughs_path = tmp_path ("laughs.xml");
  write_file (laughs_path, laughs->str, laughs->len);
  g_string_free (laughs, TRUE);

  struct {
    const char *name;
    char       *xml;
    const char *problem;
  } refused[] = {
    { "xxe.xml", NULL, "entities" },
    { "laughs.xml", NULL, NULL },
    { "no-width.xml", g_strdup_printf ("<PcGts xmlns=\"" PAGE_NS "\"><Page imageFilename=\"page.png\" "
                                       "imageHeight=\"200\"/></PcGts>"), "imageWidth" },
    { "letters.xml", page_xml ("page.png", 400, 200,
                               "<TextLine id=\"l1\"><Coords points=\"25,35 375,x5 375,75\"/></TextLine>"),
      "375,x5" },
    { "no-points.xml", page_xml ("page.png", 400, 200, "<TextLine id=\"l1\"><Coords/></TextLine>"), "l1" },
    { "namespace.xml", g_strdup ("<PcGts xmlns=\"urn:example:not-page\"><Page imageFilename=\"page.png\" "
                                 "imageWidth=\"400\" imageHeight=\"200\"/></PcGts>"), "urn:example:not-page" },
    { "no-page.xml", g_strdup ("<alto><Layout/></alto>"), "Layout/Page" },
    { "alto-no-content.xml",
      g_strdup ("<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\"><Description><MeasurementUnit>"
                "pixel</MeasurementUnit><sourceImageInformation><fileName>page.png</fileName>"
                "</sourceImageInformation></Description><Layout><Page ID=\"p\" PHYSICAL_IMG_NR=\"1\" "
                "WIDTH=\"400\" HEIGHT=\"200\"><PrintSpace><TextBlock ID=\"b\"><TextLine ID=\"l\" HPOS=\"25\" "
                "VPOS=\"35\" WIDTH=\"350\" HEIGHT=\"40\"><String/></TextLine></TextBlock></PrintSpace>"
                "</Page></Layout></alto>"), "CONTENT" },
    { "alto-bad-hpos.xml",
      g_strdup ("<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\"><Layout><Page ID=\"p\" "
                "PHYSICAL_IMG_NR=\"1\" WIDTH=\"400\" HEIGHT=\"200\"><PrintSpace><TextBlock ID=\"b\">"
                "<TextLine ID=\"l\" HPOS=\"-1e999x\"><String CONTENT=\"a\"/></TextLine></TextBlock>"
                "</PrintSpace></Page></Layout></alto>"), "HPOS" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *path = tmp_path (refused[i].name);
      if (refused[i].xml != NULL)
        write_file (path, refused[i].xml, strlen (refused[i].xml));
      g_test_message ("%s", refused[i].name);
      g_auto(CliRun) run = { 0 };
      g_unlink (out);
      run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-o", out, path, NULL);
      assert_refused (&run, path, refused[i].problem);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      g_assert_null (strstr (run.err, "TOPSECRET"));
      g_assert_null (strstr (run.out, "TOPSECRET"));
      run_cli (&run, "eval", "--model", model_path, path, NULL);
      assert_refused (&run, path, refused[i].problem);
      g_assert_null (strstr (run.err, "TOPSECRET"));
      g_assert_null (strstr (run.out, "TOPSECRET"));
      g_free (refused[i].xml);
    }
}

static void
test_lenient_xml (void)
{
  /* Files real tools write that are imperfect but readable: negative coordinates, points
   * outside the image, a line entirely off the page, repeated ids. transcribe reads them and
   * writes a valid page whose ids are unique; eval skips the line that has no pixels. */
  static const char lines[] =
    "<TextLine id=\"dup\"><Coords points=\"-25,35 375,-35 375,75 -5,75\"/>"
    "<TextEquiv><Unicode>first line</Unicode></TextEquiv></TextLine>"
    "<TextLine id=\"dup\"><Coords points=\"25,115 9375,115 9375,99155 25,155\"/>"
    "<Baseline points=\"25,150 99999,150\"/>"
    "<TextEquiv><Unicode>second line</Unicode></TextEquiv></TextLine>"
    "<TextLine id=\"off\"><Coords points=\"5000,5000 6000,5000 6000,6000\"/>"
    "<TextEquiv><Unicode>off the page</Unicode></TextEquiv></TextLine>";
  g_autofree char *xml = page_xml ("page.png", 400, 200, lines);
  g_autofree char *path = tmp_path ("lenient.xml");
  write_file (path, xml, strlen (xml));
  g_autofree char *out = tmp_path ("lenient-out.xml");
  g_auto(CliRun) run = { 0 };
  run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-o", out, path, NULL);
  assert_succeeded (&run);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = lectern_document_load (out, &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) read_lines = lectern_document_lines (doc);
  g_assert_cmpuint (read_lines->len, ==, 3);
  g_assert_cmpstr (((LecternLine *) read_lines->pdata[0])->id, !=,
                   ((LecternLine *) read_lines->pdata[1])->id);

  run_cli (&run, "eval", "--model", model_path, path, NULL);
  assert_succeeded (&run);
  g_assert_nonnull (strstr (run.out, "2 lines (1 skipped)"));

  /* The same in ALTO: negative positions, a repeated ID, a line beyond the page, a namespace
   * version Lectern does not know yet (v9), BASELINE as one number (before 4.2). */
  static const char alto[] =
    "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v9#\"><Description><MeasurementUnit>"
    "pixel</MeasurementUnit><sourceImageInformation><fileName>page.png</fileName>"
    "</sourceImageInformation></Description><Layout><Page ID=\"p\" PHYSICAL_IMG_NR=\"1\" "
    "WIDTH=\"400\" HEIGHT=\"200\"><PrintSpace><TextBlock ID=\"b\">"
    "<TextLine ID=\"dup\" HPOS=\"-25\" VPOS=\"35\" WIDTH=\"400\" HEIGHT=\"40\" BASELINE=\"70\">"
    "<String CONTENT=\"first\"/><SP/><String CONTENT=\"line\"/></TextLine>"
    "<TextLine ID=\"dup\" HPOS=\"25\" VPOS=\"-115\" WIDTH=\"350\" HEIGHT=\"270\">"
    "<String CONTENT=\"second line\"/></TextLine>"
    "<TextLine ID=\"off\" HPOS=\"5000\" VPOS=\"5000\" WIDTH=\"10\" HEIGHT=\"10\">"
    "<String CONTENT=\"off the page\"/></TextLine>"
    "</TextBlock></PrintSpace></Page></Layout></alto>";
  g_autofree char *alto_path = tmp_path ("lenient-alto.xml");
  write_file (alto_path, alto, sizeof alto - 1);
  g_autofree char *alto_out = tmp_path ("lenient-alto-out.xml");
  run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-f", "alto", "-o",
           alto_out, alto_path, NULL);
  assert_succeeded (&run);
  g_autoptr(LecternDocument) alto_doc = lectern_document_load (alto_out, &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) alto_lines = lectern_document_lines (alto_doc);
  g_assert_cmpuint (alto_lines->len, ==, 3);
  g_assert_cmpstr (((LecternLine *) alto_lines->pdata[0])->id, !=,
                   ((LecternLine *) alto_lines->pdata[1])->id);
  run_cli (&run, "eval", "--model", model_path, alto_path, NULL);
  assert_succeeded (&run);
  g_assert_nonnull (strstr (run.out, "2 lines (1 skipped)"));
}

/* head, then unit repeated up to size bytes, then tail, written a piece at a time: the test
 * itself stays small, since a child's peak memory counts what it inherited at fork. */
static void
write_repeated (const char *path, const char *head, const char *unit, gsize size,
                const char *tail)
{
  FILE *file = g_fopen (path, "wb");
  g_assert_nonnull (file);
  GString *chunk = g_string_new (NULL);
  while (chunk->len < (1 << 16))
    g_string_append (chunk, unit);
  gsize written = fwrite (head, 1, strlen (head), file);
  while (written < size)
    written += fwrite (chunk->str, 1, MIN (chunk->len, size - written), file);
  fwrite (tail, 1, strlen (tail), file);
  g_assert_cmpint (fclose (file), ==, 0);
  g_string_free (chunk, TRUE);
}

static void
test_huge_line (void)
{
  /* 100 MB of text in one line: a PAGE file of that size is beyond the 64 MiB a document may
   * have, and a .gt.txt beyond the 1 MiB a line's transcription may have; both are refused
   * before they are read. 20 MB in a PAGE line is within the file limit: transcribe replaces
   * it, eval skips it as no line of writing (which also bounds the time its error rate would
   * take). Memory stays bounded throughout; time is bounded by the test's timeout. */
  /* Memory is compared with what lectern-cli takes on a one-line job (sanitizer builds start
   * far higher than plain ones): refusing must not read the file, reading 20 MB may take a
   * few times that. */
  g_auto(CliRun) baseline = { 0 };
  run_cli (&baseline, "eval", "--model", model_path, line_path, NULL);
  assert_succeeded (&baseline);
  const long base = baseline.peak_mib;
  g_test_message ("eval of one line: peak memory %ld MiB", base);

  const gsize sizes[] = { 100 << 20, 20 << 20 };
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *head = page_xml ("page.png", 400, 200,
                                        "<TextLine id=\"l1\"><Coords points=\"25,35 375,35 375,75\"/>"
                                        "<TextEquiv><Unicode>@</Unicode></TextEquiv></TextLine>"
                                        "<TextLine id=\"l2\"><Coords points=\"25,115 375,115 375,155\"/>"
                                        "<TextEquiv><Unicode>second line</Unicode></TextEquiv></TextLine>");
      char *at = strchr (head, '@');
      *at = '\0';
      g_autofree char *name = g_strdup_printf ("line-%" G_GSIZE_FORMAT "mb.xml", sizes[i] >> 20);
      g_autofree char *path = tmp_path (name);
      write_repeated (path, head, "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz ",
                      sizes[i], at + 1);

      g_autofree char *out = tmp_path ("huge-out.xml");
      g_auto(CliRun) run = { 0 };
      run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-o", out, path, NULL);
      g_test_message ("transcribe %s: peak memory %ld MiB", name, run.peak_mib);
      if (i == 0)
        {
          assert_refused (&run, path, "bytes allowed");
          g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
          g_assert_cmpint (run.peak_mib, <, base + 50);
          run_cli (&run, "eval", "--model", model_path, path, NULL);
          assert_refused (&run, path, "bytes allowed");
          g_assert_cmpint (run.peak_mib, <, base + 50);
        }
      else
        {
          assert_succeeded (&run);
          g_assert_cmpint (run.peak_mib, <, base + 1024);
          run_cli (&run, "eval", "--model", model_path, path, NULL);
          g_test_message ("eval %s: peak memory %ld MiB", name, run.peak_mib);
          assert_succeeded (&run);
          g_assert_nonnull (strstr (run.out, "1 lines (1 skipped)"));
          g_assert_cmpint (run.peak_mib, <, base + 1024);
        }
      g_unlink (path);
      g_unlink (out);
    }

  /* the same 100 MB as a line image's transcription */
  g_autofree char *folder = tmp_path ("huge-gt");
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_autofree char *image = g_build_filename (folder, "x.png", NULL);
  g_autofree char *gt = g_build_filename (folder, "x.gt.txt", NULL);
  g_autoptr(GBytes) line = make_png (120, 24, 8, PNG_COLOR_TYPE_GRAY, FALSE);
  write_bytes (image, line);
  write_repeated (gt, "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                  100 << 20, "");
  g_auto(CliRun) run = { 0 };
  run_cli (&run, "eval", "--model", model_path, folder, NULL);
  assert_refused (&run, gt, "bytes allowed");
  g_assert_cmpint (run.peak_mib, <, base + 50);
  g_unlink (gt);
}

static void
test_ground_truth_encoding (void)
{
  /* Latin-1 "été", UTF-16 with a BOM, and a stray continuation byte: refused, naming the
   * .gt.txt file. */
  static const struct {
    const char *stem;
    const char *text;
    gsize       size;
  } bad[] = {
    { "latin1", "\xe9t\xe9", 3 },
    { "utf16", "\xff\xfe" "a\0b\0", 6 },
    { "stray", "ab\x80" "cd", 5 },
  };
  g_autoptr(GBytes) line = make_png (120, 24, 8, PNG_COLOR_TYPE_GRAY, FALSE);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *folder_name = g_strdup_printf ("gt-%s", bad[i].stem);
      g_autofree char *folder = tmp_path (folder_name);
      g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
      g_autofree char *image = g_build_filename (folder, "x.png", NULL);
      g_autofree char *gt = g_build_filename (folder, "x.gt.txt", NULL);
      write_bytes (image, line);
      write_file (gt, bad[i].text, bad[i].size);
      g_auto(CliRun) run = { 0 };
      run_cli (&run, "eval", "--model", model_path, folder, NULL);
      assert_refused (&run, gt, "UTF-8");
      run_cli (&run, "eval", "--model", model_path, image, NULL);
      assert_refused (&run, gt, "UTF-8");
    }
}

static void
test_file_names (void)
{
  /* Spaces, commas, accents and non-Latin script in folder and file names. */
  g_autofree char *folder = tmp_path ("dossier, été 1");
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_autofree char *line = g_build_filename (folder, "ligne 1, œuvre — Ω.png", NULL);
  g_autofree char *gt = g_build_filename (folder, "ligne 1, œuvre — Ω.gt.txt", NULL);
  g_autoptr(GBytes) png = make_png (120, 24, 8, PNG_COLOR_TYPE_GRAY, FALSE);
  write_bytes (line, png);
  write_file (gt, "été", strlen ("été"));
  g_autofree char *page = g_build_filename (folder, "page, n° 2.png", NULL);
  write_page_image (page);
  g_autofree char *xml = page_xml ("page, n° 2.png", 400, 200, two_lines);
  g_autofree char *xml_path = g_build_filename (folder, "page, n° 2.xml", NULL);
  write_file (xml_path, xml, strlen (xml));

  g_auto(CliRun) run = { 0 };
  run_cli (&run, "recognize", "--model", model_path, line, NULL);
  assert_succeeded (&run);
  run_cli (&run, "eval", "--model", model_path, "-v", folder, NULL);
  assert_succeeded (&run);
  g_assert_nonnull (strstr (run.out, "ligne 1, œuvre — Ω.png"));
  g_assert_nonnull (strstr (run.out, "page, n° 2.xml"));

  g_autofree char *out_dir = g_build_filename (folder, "sortie, é", NULL);
  run_cli (&run, "segment", "-q", "-d", out_dir, page, NULL);
  assert_succeeded (&run);
  g_autofree char *segmented = g_build_filename (out_dir, "page, n° 2.xml", NULL);
  g_assert_true (g_file_test (segmented, G_FILE_TEST_EXISTS));

  g_autofree char *out = g_build_filename (folder, "résultat, 1.xml", NULL);
  run_cli (&run, "transcribe", "--model", model_path, "--no-lm", "-q", "-o", out, xml_path, NULL);
  assert_succeeded (&run);
  g_autoptr(GError) error = NULL;
  g_autoptr(LecternDocument) doc = lectern_document_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (doc->image_filename, ==, "page, n° 2.png");
  g_assert_nonnull (doc->image_path);

  /* a broken file with such a name is named exactly in the message */
  g_autofree char *broken = g_build_filename (folder, "cassé, №3.png", NULL);
  write_file (broken, "\x89PNG\r\n\x1a\n", 8);
  assert_line_image_refused (broken, NULL);
  assert_no_output_written (broken, NULL);

  /* a file name that is not UTF-8 (Latin-1 bytes, as old archives have): the message stays
   * valid UTF-8 and still points at the file */
  g_autofree char *latin1 = g_build_filename (tmp_dir, "caf\xe9.png", NULL);
  write_file (latin1, "not an image", 12);
  run_cli (&run, "recognize", "--model", model_path, latin1, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_true (g_utf8_validate (run.err, -1, NULL));
  g_assert_nonnull (strstr (run.err, "caf"));
  g_unlink (latin1);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  cli_path = g_test_build_filename (G_TEST_BUILT, "..", "app", "lectern-cli", NULL);
  make_fixtures ();

  g_test_add_func ("/Lectern/CliHostile/fixtures-work", test_fixtures_work);
  g_test_add_func ("/Lectern/CliHostile/empty-files", test_empty_files);
  g_test_add_func ("/Lectern/CliHostile/truncated-images", test_truncated_images);
  g_test_add_func ("/Lectern/CliHostile/absurd-image-sizes", test_absurd_image_sizes);
  g_test_add_func ("/Lectern/CliHostile/png-kinds", test_png_kinds);
  g_test_add_func ("/Lectern/CliHostile/damaged-models", test_damaged_models);
  g_test_add_func ("/Lectern/CliHostile/hostile-xml", test_hostile_xml);
  g_test_add_func ("/Lectern/CliHostile/lenient-xml", test_lenient_xml);
  g_test_add_func ("/Lectern/CliHostile/huge-line", test_huge_line);
  g_test_add_func ("/Lectern/CliHostile/ground-truth-encoding", test_ground_truth_encoding);
  g_test_add_func ("/Lectern/CliHostile/file-names", test_file_names);

  int status = g_test_run ();
  lectern_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (cli_path);
  g_free (model_path);
  g_free (line_path);
  g_free (page_path);
  return status;
}
