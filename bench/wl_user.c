/* Workloads "u-*": will-it-scale's testcases as processes at EL0, one per CPU, counting into a page shared with the harness. */
#include "bench.h"
#include "u_bench.h"
#include <locklab/console.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/printf.h>
#include <locklab/sched.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/user.h>
#include <asm/atomic.h>

/*
 * Each worker (a process the harness pinned to its CPU) turns itself into
 * a user process (user_become) running the testcase at EL0, with the
 * shared page mapped at USER_SHARED_BASE. The testcase only counts; the
 * harness's protocol (barriers, the stop) runs in the kernel: at every
 * return to EL0 (after a system call, a page fault or a timer tick) the
 * task's return hook copies the counter into w->ops and calls
 * bench_running(), which parks the process at the start and stop
 * barriers, where it holds no lock, and ends it after the stop. So the
 * counts, lock waits and lockstat windows mean what they mean for the
 * kernel workloads, and the system-call trap is part of every op.
 */
static u64 *shared; /* the counters' page (page_alloc), U_SLOT_WORDS longs per worker */
static struct bench_mem before;
extern const struct bench_workload wl_u_open1, wl_u_open2, wl_u_page_fault2, wl_u_page_fault3;

static void u_dir_name(char *buf, u64 n, u32 idx)
{
	snprintf(buf, n, "%s/d%02u", U_OPEN2_DIR, idx);
}

static bool u_maps_files(const struct bench_run *r)
{
	return r->wl == &wl_u_page_fault2 || r->wl == &wl_u_page_fault3;
}

/*
 * u-page-fault2/3's files: each worker's own, U_PAGE_FAULT_PAGES pages of
 * U_PF_FILL, every page written (no holes), so a private fault copies a
 * real page and a shared one finds it: no fault of theirs allocates a
 * file page.
 */
static long u_make_pf_files(u32 n)
{
	char path[32];
	u8 *fill;
	long err = sys_mkdir(U_PF_DIR), fd;

	kernel_enter(); /* page_alloc wants the kernel scope */
	fill = page_alloc();
	kernel_exit();
	if (!fill)
		return -ENOMEM;
	memset(fill, U_PF_FILL, PAGE_SIZE);
	for (u32 i = 0; i < n && !err; i++) {
		snprintf(path, sizeof(path), "%s/f%02u", U_PF_DIR, i);
		fd = sys_open(path, O_CREAT | O_EXCL | O_RDWR);
		if (fd < 0) {
			err = fd;
			break;
		}
		for (u32 p = 0; p < U_PAGE_FAULT_PAGES && !err; p++) {
			long w = sys_write((int)fd, fill, PAGE_SIZE);

			if (w != PAGE_SIZE)
				err = w < 0 ? w : -ENOSPC; /* short: out of memory */
		}
		sys_close((int)fd);
	}
	kernel_enter();
	page_free(fill);
	kernel_exit();
	return err;
}

static long u_setup(struct bench_run *r)
{
	char dir[32];
	long err = 0;

	if (r->nworkers > U_MAX_WORKERS)
		return -EINVAL;
	kernel_enter(); /* page_alloc wants the kernel scope */
	shared = page_alloc();
	kernel_exit();
	if (!shared)
		return -ENOMEM;
	bench_mem_snapshot(&before);
	if (r->wl == &wl_u_open1)
		err = sys_mkdir(U_OPEN1_DIR);
	if (r->wl == &wl_u_open2) {
		err = sys_mkdir(U_OPEN2_DIR);
		for (u32 i = 0; i < r->nworkers && !err; i++) {
			u_dir_name(dir, sizeof(dir), i);
			err = sys_mkdir(dir);
		}
	}
	if (u_maps_files(r))
		err = u_make_pf_files(r->nworkers);
	return err;
}

/* The return hook: the testcase's count is the worker's; the barriers and the end are the harness's. */
static void u_return_hook(void *arg)
{
	struct bench_worker *w = arg;
	const u64 *slot = shared + (u64)w->idx * U_SLOT_WORDS;

	w->ops = atomic_load_relaxed(&slot[U_SLOT_ITER]);
	if (!bench_running(w)) {
		w->bad += atomic_load_relaxed(&slot[U_SLOT_BAD]);
		current_task()->user_return_hook = NULL;
		current_task()->user_exit_hook = NULL;
		sys_exit(0);
	}
}

/*
 * The testcase's process ended before the run did: it faulted (the
 * "user:" record before this says where) or its testcase returned, which
 * it must not (it loops until the harness ends it). The run fails instead
 * of waiting for a worker that will never reach the barrier.
 */
static void u_exit_hook(void *arg, int status)
{
	struct bench_worker *w = arg;

	current_task()->user_return_hook = NULL;
	printk_raw(
		"bench: error %s cpu%u: the testcase's process ended (status %d) before the run "
		"did: %s",
		w->run->wl->name, w->cpu, status,
		status >= 128 ?
			"it was killed (a fault: the user: record above; or Ctrl-C)" :
			"its testcase returned or called exit (it must loop until the harness ends it)");
	bench_worker_gone(w);
}

static void u_work(struct bench_worker *w, long (*entry)(u64 nr))
{
	struct task *t = current_task();
	long err;

	t->user_return_arg = w;
	t->user_return_hook = u_return_hook;
	t->user_exit_hook = u_exit_hook;
	err = user_become(w->run->wl->name, entry, w->idx, shared);
	/* only if no address space could be made: meet the barriers, counted as wrong */
	t->user_return_hook = NULL;
	t->user_exit_hook = NULL;
	printk_raw("bench: error %s cpu%u: cannot start the testcase at EL0: %s", w->run->wl->name,
		   w->cpu, errno_name(err));
	w->bad++;
	while (bench_running(w))
		yield();
}

static bool u_check(struct bench_run *r)
{
	char path[40];
	bool ok;

	for (u32 i = 0; i < r->nworkers; i++) {
		if (r->wl == &wl_u_open1) {
			snprintf(path, sizeof(path), "%s/f%02u", U_OPEN1_DIR, i);
			sys_unlink(path);
		} else if (r->wl == &wl_u_open2) {
			snprintf(path, sizeof(path), "%s/d%02u/f", U_OPEN2_DIR, i);
			sys_unlink(path);
			u_dir_name(path, sizeof(path), i);
			sys_rmdir(path);
		} else if (u_maps_files(r)) {
			snprintf(path, sizeof(path), "%s/f%02u", U_PF_DIR, i);
			sys_unlink(path);
		}
	}
	if (r->wl == &wl_u_open1)
		sys_rmdir(U_OPEN1_DIR);
	if (r->wl == &wl_u_open2)
		sys_rmdir(U_OPEN2_DIR);
	if (u_maps_files(r))
		sys_rmdir(U_PF_DIR);
	ok = bench_mem_unchanged(r->wl->name, &before);
	kernel_enter();
	page_free(shared);
	kernel_exit();
	shared = NULL;
	return ok;
}

/*
 * One u-* workload: testcase_<fn> of u_testcases.user.c (its U_ENTRY makes
 * u_run_<fn>) run by every worker, with the set-up and check above. The
 * name is written out, not made from fn, so that a reader and the docs
 * test find it as text; it starts with "u-", which tells the report the
 * workload traps (docs/benchmarks.md, "User workloads under QEMU").
 */
#define U_WORKLOAD(fn, wl_name, wl_what)                  \
	long u_run_##fn(u64 nr);                          \
	static void u_##fn##_work(struct bench_worker *w) \
	{                                                 \
		u_work(w, u_run_##fn);                    \
	}                                                 \
	BENCH_WORKLOAD(wl_u_##fn) = {                     \
		.name = wl_name,                          \
		.what = wl_what,                          \
		.setup = u_setup,                         \
		.work = u_##fn##_work,                    \
		.check = u_check,                         \
		.at_el0 = true,                           \
	}

U_WORKLOAD(getpid, "u-getpid",
	   "getpid from EL0 (svc): the trap and the syscall boundary, where the BKL is taken");
U_WORKLOAD(page_fault1, "u-page-fault1",
	   "will-it-scale page_fault1 at EL0: mmap, touch every page (a first-touch fault each), "
	   "munmap; ops are pages");
U_WORKLOAD(page_fault2, "u-page-fault2",
	   "will-it-scale page_fault2 at EL0: mmap one's own file private, store to every page "
	   "(a fault copying the file's page each), munmap; ops are pages");
U_WORKLOAD(page_fault3, "u-page-fault3",
	   "will-it-scale page_fault3 at EL0: mmap one's own file shared, store to every page "
	   "(a fault mapping the file's own page, nothing allocated), munmap; ops are pages");
U_WORKLOAD(open1, "u-open1",
	   "will-it-scale open1 at EL0: open and close a file of one's own, all in one directory");
U_WORKLOAD(open2, "u-open2",
	   "will-it-scale open2 at EL0: open and close a file in one's own directory");
U_WORKLOAD(pipe1, "u-pipe1", "one byte written to one's own pipe and read back, at EL0");
