/* blas-core.h — making sure OpenBLAS uses the kernels this processor can run.
 *
 * OpenBLAS chooses its kernels when it is loaded, from the processor's model number. On
 * processors newer than the library, and in some virtual machines that report a generic model,
 * it falls back to its oldest kernel ("Prescott") and SGEMM runs several times slower than it
 * could (measured on one 16-core Xeon under a sandboxing kernel: 18–26 GFLOP/s with Prescott,
 * 126 with SkylakeX). The choice can only be changed before the library loads, through the
 * OPENBLAS_CORETYPE environment variable, so the executables check it first thing and start
 * themselves again with a better core type when the processor supports one. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* The OpenBLAS core type to ask for instead of current, given what the processor supports, or
 * NULL when current is already a good choice (or nothing better can run). */
const char *lectern_blas_better_core (const char *current,
                                      gboolean    has_avx2_fma,
                                      gboolean    has_avx512);

/* Called at the top of main(): when OpenBLAS runs a weaker core type than the processor
 * supports, and neither OPENBLAS_CORETYPE nor LECTERN_BLAS_CORE_CHECKED is set, sets
 * OPENBLAS_CORETYPE and executes the program again with the same arguments. Returns (doing
 * nothing) otherwise, or if the program cannot be started again. */
void lectern_blas_ensure_core (char **argv);

/* Called at the top of main(), after lectern_blas_ensure_core: OpenBLAS works on one thread
 * unless the user chose otherwise (OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS or OMP_NUM_THREADS
 * set). Lectern runs its own threads — lines of a page or a batch, the network's four
 * directions — and calls BLAS from each; OpenBLAS's own threads under them compete for the same
 * cores and spin while they wait for work. Measured on this project's 2-core machine:
 * fine-tuning on 19 lines 7.1 s → 4.0 s, a page's transcription unchanged. */
void lectern_blas_single_thread (void);

G_END_DECLS
