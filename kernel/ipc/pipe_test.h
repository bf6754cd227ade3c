/* Cases of ktest suite "pipe" kept outside pipe_test.c, which lists them. */
#ifndef KERNEL_IPC_PIPE_TEST_H
#define KERNEL_IPC_PIPE_TEST_H

#include <locklab/ktest.h>

void pipe_whole_pipe_buf_writes_stay_whole(struct ktest *t); /* pipe_atomic_test.c */

#endif
