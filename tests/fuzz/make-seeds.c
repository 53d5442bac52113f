/* make-seeds.c — writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) with the
 * engine's own writers, so that every seed is a small file Lectern made itself:
 *
 *   make-fuzz-seeds CORPUS_DIR
 *
 * Images: grey, palette, 16-bit RGBA and interlaced PNGs (libpng), a JPEG and a TIFF
 * (gdk-pixbuf). Pages: PAGE 2019 and ALTO 4.4 from lectern_document_serialize, with the older
 * namespaces substituted. A model of a tiny architecture, a language model of one sentence, and
 * transcription lines with the ground-truth markup of ../shared/data (written out here). The
 * committed corpora were made by this program; rerun it only to change them. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <png.h>
#include <string.h>

#include "document.h"
#include "image.h"
#include "lm.h"
#include "model.h"

static const char *corpus_dir;

static void
write_seed (const char *target, const char *name, const void *data, gsize size)
{
  g_autofree char *dir = g_build_filename (corpus_dir, target, NULL);
  g_mkdir_with_parents (dir, 0755);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_file_set_contents (path, data, (gssize) size, &error))
    g_error ("%s", error->message);
  g_print ("%s: %" G_GSIZE_FORMAT " bytes\n", path, size);
}

static void
write_seed_bytes (const char *target, const char *name, GBytes *bytes)
{
  gsize size = 0;
  const void *data = g_bytes_get_data (bytes, &size);
  write_seed (target, name, data, size);
}

/* ---- images ---- */

static void
append_png_data (png_structp png, png_bytep data, png_size_t length)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) length);
}

static void
flush_nothing (png_structp png)
{
}

/* A PNG of the given type whose samples make a small diagonal pattern. */
static GBytes *
make_png (int width, int height, int bit_depth, int colour_type, gboolean interlaced)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  if (setjmp (png_jmpbuf (png)))
    g_error ("libpng failed");
  png_set_write_fn (png, out, append_png_data, flush_nothing);
  png_set_IHDR (png, info, width, height, bit_depth, colour_type,
                interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  int channels = 1;
  if (colour_type == PNG_COLOR_TYPE_PALETTE)
    {
      static const png_color palette[4] = { { 0, 0, 0 }, { 250, 240, 220 }, { 90, 60, 30 }, { 255, 255, 255 } };
      static const png_byte alpha[4] = { 255, 200, 128, 0 };
      png_set_PLTE (png, info, palette, 4);
      png_set_tRNS (png, info, alpha, 4, NULL);
    }
  else if (colour_type == PNG_COLOR_TYPE_RGB_ALPHA)
    channels = 4;
  else if (colour_type == PNG_COLOR_TYPE_GRAY_ALPHA)
    channels = 2;
  else if (colour_type == PNG_COLOR_TYPE_RGB)
    channels = 3;
  png_write_info (png, info);
  if (bit_depth < 8)
    png_set_packing (png);
  int bytes_per_sample = bit_depth == 16 ? 2 : 1;
  gsize row_bytes = (gsize) width * channels * bytes_per_sample;
  g_autofree png_byte *row = g_malloc0 (row_bytes);
  int passes = png_set_interlace_handling (png);
  for (int pass = 0; pass < passes; pass++)
    for (int y = 0; y < height; y++)
      {
        for (gsize i = 0; i < row_bytes; i++)
          {
            int x = (int) (i / (channels * bytes_per_sample));
            guint v = (guint) ((x + y) % 4 == 0 ? 20 : 230 - 7 * (int) (i % 5));
            row[i] = colour_type == PNG_COLOR_TYPE_PALETTE ? (png_byte) ((x + 2 * y) % 4)
                                                          : (png_byte) v;
          }
        png_write_row (png, row);
      }
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (out);
}

static void
write_image_seeds (void)
{
  g_autoptr(LecternImage) grey = lectern_image_new (12, 8);
  for (int x = 2; x < 10; x++)
    grey->pixels[4 * grey->width + x] = 0;
  g_autoptr(GBytes) grey_png = lectern_image_encode_png (grey, "grey.png", NULL);
  write_seed_bytes ("image", "grey.png", grey_png);

  g_autoptr(GBytes) palette = make_png (9, 5, 2, PNG_COLOR_TYPE_PALETTE, FALSE);
  write_seed_bytes ("image", "palette-2bit.png", palette);
  g_autoptr(GBytes) rgba16 = make_png (6, 4, 16, PNG_COLOR_TYPE_RGB_ALPHA, FALSE);
  write_seed_bytes ("image", "rgba-16bit.png", rgba16);
  g_autoptr(GBytes) interlaced = make_png (10, 9, 8, PNG_COLOR_TYPE_GRAY_ALPHA, TRUE);
  write_seed_bytes ("image", "grey-alpha-interlaced.png", interlaced);
  g_autoptr(GBytes) grey1 = make_png (17, 3, 1, PNG_COLOR_TYPE_GRAY, FALSE);
  write_seed_bytes ("image", "grey-1bit.png", grey1);

  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 8);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 16; x++)
      memset (pixels + y * stride + 3 * x, (x + y) % 5 == 0 ? 30 : 220, 3);
  static const char *const types[][2] = { { "jpeg", "tiny.jpg" }, { "tiff", "tiny.tif" } };
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *buffer = NULL;
      gsize size = 0;
      g_autoptr(GError) error = NULL;
      gboolean ok = strcmp (types[i][0], "jpeg") == 0
        ? gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "jpeg", &error, "quality", "50", NULL)
        : gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "tiff", &error, NULL);
      if (!ok)
        g_error ("%s", error->message);
      write_seed ("image", types[i][1], buffer, size);
    }
}

/* ---- pages ---- */

static LecternDocument *
make_document (void)
{
  LecternDocument *doc = lectern_document_new ("page 1.png", 300, 200);
  static const char *const texts[] = { "Très cher ami,", "je vous écris", "⟦non⟧ M^r Dupont ¬" };
  LecternRegion *region = lectern_document_add_region (doc, NULL);
  region->type = g_strdup ("paragraph");
  for (int i = 0; i < 3; i++)
    {
      LecternLine *line = lectern_region_add_line (region, NULL);
      int y = 20 + 50 * i;
      LecternPoint polygon[] = { { 10, y }, { 280, y + 2 }, { 281, y + 40 }, { 9, y + 38 } };
      LecternPoint baseline[] = { { 12, y + 30 }, { 278, y + 32 } };
      g_array_append_vals (line->polygon, polygon, 4);
      g_array_append_vals (line->baseline, baseline, 2);
      lectern_line_set_text (line, texts[i]);
      line->confidence = 0.5f + 0.1f * i;
      line->corrected = i == 1;
      for (glong k = 0; k < g_utf8_strlen (texts[i], -1); k++)
        {
          float conf = 0.9f - 0.01f * (float) k;
          LecternPoint span = { 12 + 9 * (int) k, 20 + 9 * (int) k };
          g_array_append_val (line->char_confidences, conf);
          g_array_append_val (line->char_spans, span);
        }
    }
  LecternRegion *margin = lectern_document_add_region (doc, NULL);
  margin->type = g_strdup ("marginalia");
  LecternLine *note = lectern_region_add_line (margin, NULL);
  LecternPoint box[] = { { 285, 10 }, { 299, 10 }, { 299, 60 } };
  g_array_append_vals (note->polygon, box, 3);
  lectern_line_set_text (note, "N.B.");
  note->type = g_strdup ("Handwritten");
  return doc;
}

static void
write_with_replacement (const char *target, const char *name, GBytes *bytes, const char *from,
                        const char *to)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_auto(GStrv) parts = g_strsplit (text, from, -1);
  g_autofree char *replaced = g_strjoinv (to, parts);
  write_seed (target, name, replaced, strlen (replaced));
}

static void
write_document_seeds (void)
{
  g_autoptr(LecternDocument) doc = make_document ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) page = lectern_document_serialize (doc, LECTERN_FORMAT_PAGE, &error);
  g_assert_no_error (error);
  write_seed_bytes ("page", "page-2019.xml", page);
  write_with_replacement ("page", "page-2013.xml", page, "2019-07-15", "2013-07-15");
  static const char minimal[] =
    "<PcGts xmlns=\"http://schema.primaresearch.org/PAGE/gts/pagecontent/2017-07-15\">"
    "<Page imageFilename=\"a.tif\" imageWidth=\"10\" imageHeight=\"10\"><ReadingOrder>"
    "<OrderedGroup id=\"g\"><RegionRefIndexed index=\"0\" regionRef=\"r\"/></OrderedGroup>"
    "</ReadingOrder><TextRegion id=\"r\"><Coords points=\"0,0 9,0 9,9\"/>"
    "<TextLine id=\"l\" index=\"0\"><Coords points=\"1,1 8,1 8,8\"/>"
    "<Baseline points=\"1,7 8,7\"/><Word id=\"w\"><Coords points=\"1,1 4,1 4,8\"/>"
    "<TextEquiv><Unicode>ab</Unicode></TextEquiv></Word>"
    "<TextEquiv index=\"1\" conf=\"0.2\"><Unicode>x</Unicode></TextEquiv>"
    "<TextEquiv index=\"0\"><PlainText>ab</PlainText><Unicode>ab</Unicode></TextEquiv>"
    "</TextLine></TextRegion></Page></PcGts>";
  write_seed ("page", "page-2017-words.xml", minimal, strlen (minimal));

  g_autoptr(GBytes) alto = lectern_document_serialize (doc, LECTERN_FORMAT_ALTO, &error);
  g_assert_no_error (error);
  write_seed_bytes ("alto", "alto-4.xml", alto);
  static const char alto2[] =
    "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v2#\"><Description>"
    "<MeasurementUnit>pixel</MeasurementUnit><sourceImageInformation><fileName>s.png</fileName>"
    "</sourceImageInformation></Description><Tags><OtherTag ID=\"t1\" LABEL=\"DefaultLine:Handwritten\"/>"
    "</Tags><Layout><Page ID=\"p\" PHYSICAL_IMG_NR=\"1\" WIDTH=\"200\" HEIGHT=\"100\"><PrintSpace>"
    "<TextBlock ID=\"b\" HPOS=\"5\" VPOS=\"5\" WIDTH=\"190\" HEIGHT=\"40\">"
    "<TextLine ID=\"l1\" TAGREFS=\"t1\" HPOS=\"5\" VPOS=\"5\" WIDTH=\"190\" HEIGHT=\"20\" BASELINE=\"20\">"
    "<String CONTENT=\"Hello\" WC=\"0.9\" CC=\"01234\" HPOS=\"5\" VPOS=\"5\" WIDTH=\"50\" HEIGHT=\"20\"/>"
    "<SP/><String CONTENT=\"wor\" CS=\"true\"/><HYP CONTENT=\"-\"/></TextLine>"
    "<TextLine ID=\"l2\" HPOS=\"5\" VPOS=\"25\" WIDTH=\"190\" HEIGHT=\"20\">"
    "<Shape><Polygon POINTS=\"5 25 195 25 195 45 5 45\"/></Shape><String CONTENT=\"ld\"/></TextLine>"
    "</TextBlock></PrintSpace></Page></Layout></alto>";
  write_seed ("alto", "alto-2.xml", alto2, strlen (alto2));
  write_with_replacement ("alto", "alto-3.xml", alto, "ns-v4#", "ns-v3#");
}

/* ---- models ---- */

static void
write_model_seeds (void)
{
  g_autoptr(LecternCharset) cs = lectern_charset_new ();
  for (const char *p = "abé "; *p; p = g_utf8_next_char (p))
    lectern_charset_add (cs, g_utf8_get_char (p));
  LecternArch arch;
  g_autoptr(GError) error = NULL;
  if (!lectern_arch_parse (&arch, "h8 t2x2 l1 s2x2x2 l2", &error))
    g_error ("%s", error->message);
  arch.n_classes = (int) lectern_charset_size (cs);
  g_autoptr(LecternModel) model = lectern_model_new_random (&arch, cs, 7);
  lectern_model_set_info (model, "name", "seed");
  g_autoptr(GBytes) bytes = lectern_model_serialize (model);
  write_seed_bytes ("model", "tiny.lectern", bytes);

  LecternArch one;
  if (!lectern_arch_parse (&one, "h4 t1x1 l1", &error))
    g_error ("%s", error->message);
  one.n_classes = (int) lectern_charset_size (cs);
  g_autoptr(LecternModel) single = lectern_model_new_random (&one, cs, 8);
  g_autoptr(GBytes) single_bytes = lectern_model_serialize (single);
  write_seed_bytes ("model", "one-layer.lectern", single_bytes);

  g_autoptr(LecternLmBuilder) builder = lectern_lm_builder_new (3);
  lectern_lm_builder_add_text (builder, "the cat sat on the mat, à la fête", -1);
  lectern_lm_builder_add_text (builder, "a cat", -1);
  g_autoptr(LecternLm) lm = lectern_lm_builder_finish (builder, &error);
  g_assert_no_error (error);
  g_autoptr(GBytes) lm_bytes = lectern_lm_serialize (lm);
  write_seed_bytes ("lm", "order3.lm", lm_bytes);
  g_autoptr(LecternLmBuilder) unigram = lectern_lm_builder_new (1);
  lectern_lm_builder_add_text (unigram, "abcab", -1);
  g_autoptr(LecternLm) lm1 = lectern_lm_builder_finish (unigram, &error);
  g_assert_no_error (error);
  g_autoptr(GBytes) lm1_bytes = lectern_lm_serialize (lm1);
  write_seed_bytes ("lm", "order1.lm", lm1_bytes);
}

/* ---- text ---- */

static void
write_text_seeds (void)
{
  /* first byte: cleaning flags (0x3f: the default, 0x7f: everything) */
#define SEED(text) { text, sizeof text - 1 }
  static const struct {
    const char *data;
    gsize       size;
  } lines[] = {
    SEED ("\x3f" "M^r Dupont ⟦struck⟧ a écrit >non< le 3 X^bre ¬"),
    SEED ("\x3f" "$ofi:dho$.dicho Parq.$^l [[ed]] $4.00 $- <> >< [???] DEMISME ="),
    SEED ("\x7f" "fin du mot=\tsuite‸ ⎀ ⋎  e\xcc\x81t\xc3\xa9\r\n"),
    SEED ("\x00" "invalid \xff\xfe utf-8 \xc3 and a NUL \0 inside"),
  };
#undef SEED
  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autofree char *name = g_strdup_printf ("line-%" G_GSIZE_FORMAT ".txt", i + 1);
      write_seed ("text", name, lines[i].data, lines[i].size);
    }
}

int
main (int argc, char *argv[])
{
  if (argc != 2)
    {
      g_printerr ("usage: %s CORPUS_DIR\n", argv[0]);
      return 2;
    }
  corpus_dir = argv[1];
  write_image_seeds ();
  write_document_seeds ();
  write_model_seeds ();
  write_text_seeds ();
  return 0;
}
