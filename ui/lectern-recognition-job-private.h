/* lectern-recognition-job-private.h — a seam for tests: what recognises one line image.
 *
 * Tests put a deliberately slow recognizer here to check that the window keeps running and that
 * cancelling leaves the page consistent. */
#pragma once

#include "lectern-recognition-job.h"

G_BEGIN_DECLS

typedef LecternRecognition *(*LecternRecognizeLineFunc) (LecternRecognizer     *recognizer,
                                                         const LecternImage    *line,
                                                         LecternRecognizeFlags  flags,
                                                         GError               **error);

/* Call before run_async; NULL restores lectern_recognizer_recognize. */
void _lectern_recognition_job_set_recognize_func (LecternRecognitionJob    *self,
                                                  LecternRecognizeLineFunc  func);

G_END_DECLS
