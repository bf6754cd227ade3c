/* Inside ipc: the pipe object and the calls sys_pipe (kernel/ipc/sys_ipc.c) and the tests use. */
#ifndef KERNEL_IPC_INTERNAL_H
#define KERNEL_IPC_INTERNAL_H

#include <locklab/file.h>
#include <locklab/klock.h>
#include <locklab/syscall.h> /* PIPE_BUF_SIZE */
#include <locklab/wait.h>

/*
 * Lock order: pipe -> wait-queue and run-queue spinlocks (wake_up may be
 * called with the pipe lock held). Nothing in fs or mm is called with it
 * held. Lifetime: the two ends (struct file) each own one of 'ends'; the
 * release that drops the last one frees the pipe, after every touch of it.
 */
struct pipe {
	struct klock lock;	   /* class "pipe", SUBSYS_IPC: guards the fields marked below */
	u8 *buf;		   /* PIPE_BUF_SIZE bytes; set at creation, never changes */
	u32 head;		   /* guarded by lock: index of the oldest byte */
	u32 count;		   /* guarded by lock: bytes in buf */
	u32 readers;		   /* guarded by lock: open read ends (0 or 1) */
	u32 writers;		   /* guarded by lock: open write ends (0 or 1) */
	u32 ends;		   /* atomic: ends not yet released; the last frees the pipe */
	struct wait_queue rd_wait; /* readers: wait for count > 0 or writers == 0 */
	struct wait_queue wr_wait; /* writers: wait for room or readers == 0 */
};

/* File operations of both ends; read/write check the end's O_ACCMODE (wrong end: -EBADF). */
extern const struct file_ops pipe_file_ops;

/* A pipe with one reader and one writer counted, not yet attached to files; NULL if no memory. */
struct pipe *pipe_create(void);
/* Drops one end (writer or reader): wakes the other side; the last end frees the pipe. */
void pipe_close_end(struct pipe *p, bool writer);

#endif
