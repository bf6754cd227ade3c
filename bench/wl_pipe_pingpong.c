/* Workload "pipe-pingpong": round trips through two pipes between CPU pairs; every message must come back intact. */
#include "bench.h"
#include <locklab/syscall.h>

/* Messages above any sequence number: "go to the barrier of this phase". */
#define PIPE_BARRIER(phase) (~0ULL - (phase))

/*
 * Pair j: an active initiator on CPU 2j sends a sequence number through
 * req[j], a passive echo worker (CPU 2j+1, or 2j when the CPU count is odd)
 * sends it back through resp[j]. One op is one round trip, so ops/s is
 * round trips per second summed over the pairs (per pair: divide by
 * (cpus+1)/2). It measures a cross-CPU wake-up per message, not scaling:
 * at 1 and 2 CPUs there is one measured worker. The echo worker,
 * blocked in read, cannot watch the harness: the initiator tells it to go
 * to each barrier (before_barrier), so every worker is parked there while
 * lockstat is reset and read; after the stop barrier both exit.
 */
struct pipe_pair {
	int req[2], resp[2];
};
static struct pipe_pair pairs[CONFIG_NR_CPUS];
static u32 npairs;
static struct bench_mem before;

static long pipe_setup(struct bench_run *r)
{
	long err = 0;

	bench_mem_snapshot(&before);
	npairs = (r->cpus + 1) / 2;
	r->nworkers = 2 * npairs;
	for (u32 j = 0; j < npairs && err == 0; j++) {
		struct bench_worker *init = &r->workers[2 * j], *echo = &r->workers[2 * j + 1];

		init->cpu = 2 * j;
		echo->cpu = 2 * j + 1 < r->cpus ? 2 * j + 1 : 2 * j;
		echo->active = false;
		init->priv = echo->priv = &pairs[j];
		/* The workers inherit these fds (a copy of process 1's table); check() closes ours. */
		err = sys_pipe(pairs[j].req);
		if (err == 0 && (err = sys_pipe(pairs[j].resp)) != 0) {
			sys_close(pairs[j].req[0]);
			sys_close(pairs[j].req[1]);
		}
		if (err)
			npairs = j;
	}
	return err;
}

/* Reads exactly one u64 (a pipe may return fewer bytes than asked). */
static bool read_u64(int fd, u64 *v)
{
	u8 *p = (u8 *)v;
	u64 got = 0;

	while (got < sizeof(*v)) {
		long n = sys_read(fd, p + got, sizeof(*v) - got);

		if (n <= 0)
			return false;
		got += (u64)n;
	}
	return true;
}

static void pipe_work(struct bench_worker *w)
{
	struct pipe_pair *pp = w->priv;
	u64 v;

	if (!w->active) {
		while (read_u64(pp->req[0], &v)) {
			if (v == PIPE_BARRIER(BENCH_START)) {
				bench_arrive(w, BENCH_START);
			} else if (v == PIPE_BARRIER(BENCH_STOP)) {
				bench_arrive(w, BENCH_STOP);
				return;
			} else {
				w->bad += sys_write(pp->resp[1], &v, sizeof(v)) != sizeof(v);
			}
		}
		w->bad++; /* end of file: the initiator vanished */
		return;
	}
	while (bench_running(w)) {
		v = w->ops;
		w->bad += sys_write(pp->req[1], &v, sizeof(v)) != sizeof(v);
		w->bad += !read_u64(pp->resp[0], &v) || v != w->ops; /* the same message, once */
		w->ops++;
	}
}

static void pipe_before_barrier(struct bench_worker *w, u32 phase)
{
	struct pipe_pair *pp = w->priv;
	u64 v = PIPE_BARRIER(phase);

	w->bad += sys_write(pp->req[1], &v, sizeof(v)) != sizeof(v);
}

static bool pipe_check(struct bench_run *r)
{
	for (u32 j = 0; j < npairs; j++) {
		sys_close(pairs[j].req[0]);
		sys_close(pairs[j].req[1]);
		sys_close(pairs[j].resp[0]);
		sys_close(pairs[j].resp[1]);
	}
	return bench_mem_unchanged(r->wl->name, &before);
}

BENCH_WORKLOAD(wl_pipe_pingpong) = {
	.name = "pipe-pingpong",
	.what = "round trips through two pipes between pairs of CPUs (ops = round trips)",
	.setup = pipe_setup,
	.work = pipe_work,
	.check = pipe_check,
	.before_barrier = pipe_before_barrier,
};
