/* Workload "pipe": will-it-scale's pipe1, each worker writes 8 bytes into its own pipe and reads them back. */
#include "bench.h"
#include <locklab/syscall.h>

/*
 * Worker i owns pipes[i]: nothing is shared between workers but the
 * allocator and the scheduler, so under FINE the ops should scale with the
 * CPUs (one active worker per CPU, no partner). Neither call ever sleeps:
 * the write finds room (the pipe holds at most one message), the read
 * finds the message just written.
 */
struct own_pipe {
	int fd[2]; /* read end, write end */
};
static struct own_pipe pipes[BENCH_MAX_WORKERS];
static u32 npipes;
static struct bench_mem before;

static long pipe_setup(struct bench_run *r)
{
	bench_mem_snapshot(&before);
	/* The workers inherit these fds (a copy of process 1's table); check() closes ours. */
	for (npipes = 0; npipes < r->nworkers; npipes++) {
		long err = sys_pipe(pipes[npipes].fd);

		if (err)
			return err; /* check() closes the npipes made so far */
		r->workers[npipes].priv = &pipes[npipes];
	}
	return 0;
}

static void pipe_work(struct bench_worker *w)
{
	struct own_pipe *pp = w->priv;

	while (bench_running(w)) {
		u64 v = w->ops ^ ((u64)w->idx << 56), got = ~v;

		w->bad += sys_write(pp->fd[1], &v, sizeof(v)) != sizeof(v);
		/* One message in the pipe, written whole: one read returns all of it. */
		w->bad += sys_read(pp->fd[0], &got, sizeof(got)) != sizeof(got) || got != v;
		w->ops++;
	}
}

static bool pipe_check(struct bench_run *r)
{
	for (u32 i = 0; i < npipes; i++) {
		sys_close(pipes[i].fd[0]);
		sys_close(pipes[i].fd[1]);
	}
	return bench_mem_unchanged(r->wl->name, &before);
}

BENCH_WORKLOAD(wl_pipe) = {
	.name = "pipe",
	.what = "write 8 bytes into the worker's own pipe and read them back (will-it-scale pipe1)",
	.setup = pipe_setup,
	.work = pipe_work,
	.check = pipe_check,
};
