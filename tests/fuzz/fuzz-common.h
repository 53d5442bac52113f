/* fuzz-common.h — what every fuzz target shares: GLib warnings made fatal (a loader that warns
 * on bad input has a bug), and the check that a refused input got a proper error.
 *
 * The targets are built twice: with libFuzzer (-Dfuzzing=true, clang) to search for inputs that
 * crash, leak or hang, and with fuzz-replay.c as their main() to replay the seed corpora and the
 * regression inputs in the ordinary test suite. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Prints a log message; a warning, critical or error ends the run with abort(), which libFuzzer
 * catches and saves the input for (GLib's own fatal path raises SIGTRAP, which it does not). */
static void
fuzz_log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  fprintf (stderr, "%s: %s\n", domain != NULL ? domain : "fuzz", message);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL))
    abort ();
}

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
      fuzz_log_handler (NULL, level, fields[i].value, NULL);
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init (void)
{
  static gboolean done = FALSE;
  if (done)
    return;
  done = TRUE;
  g_log_set_default_handler (fuzz_log_handler, NULL);
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* A refused input must come back as a GError of LECTERN_ERROR whose message names the input. */
static inline void
fuzz_check_error (const GError *error, const char *name)
{
  if (error == NULL)
    g_error ("a loader failed without an error");
  if (error->domain != LECTERN_ERROR)
    g_error ("error outside LECTERN_ERROR: %s", error->message);
  if (strstr (error->message, name) == NULL)
    g_error ("the error does not name the input: %s", error->message);
}

/* The input as a NUL-terminated string (loaders of text take C strings). */
static inline char *
fuzz_strndup (const uint8_t *data, size_t size)
{
  char *s = g_malloc (size + 1);
  if (size > 0)
    memcpy (s, data, size);
  s[size] = '\0';
  return s;
}
