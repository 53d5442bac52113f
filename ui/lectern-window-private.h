/* lectern-window-private.h — seams for the UI tests. */
#pragma once

#include "lectern-recognition-job-private.h"
#include "lectern-window.h"

G_BEGIN_DECLS

/* What the window's recognition jobs use to read one line (NULL: the recognizer). */
void _lectern_window_set_recognize_func (LecternWindow            *self,
                                         LecternRecognizeLineFunc  func);

G_END_DECLS
