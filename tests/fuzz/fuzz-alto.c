/* fuzz-alto.c — fuzz target for ALTO (v2–v4) through lectern_document_load_bytes; a loaded page
 * is written in every format and must read back from ALTO. */
#include "fuzz-document.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  fuzz_document (data, size, "fuzz alto.xml", LECTERN_FORMAT_ALTO);
  return 0;
}
