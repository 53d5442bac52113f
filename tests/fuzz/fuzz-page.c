/* fuzz-page.c — fuzz target for PAGE XML (2013, 2017, 2019) through lectern_document_load_bytes;
 * a loaded page is written in every format and must read back from PAGE. The seed corpus holds
 * PAGE files; the reader also detects ALTO, which fuzz-alto.c starts from. */
#include "fuzz-document.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_document (data, size, "fuzz page.xml", LECTERN_FORMAT_PAGE);
  return 0;
}
