/* Workload "mixed": think time of pure computation, then one system call from a blend (fs, mm, proc). */
#include "bench.h"
#include <locklab/console.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/printf.h>
#include <locklab/syscall.h>

/*
 * The "compute-bound" case: with a long think_ns the kernel is rarely
 * entered and a big lock costs little; with think_ns near 0 it looks like
 * the kernel-heavy workloads. Each worker owns one file it rewrites.
 */
static struct bench_mem before;

static long mixed_setup(struct bench_run *r)
{
	char path[32];
	long err;

	bench_mem_snapshot(&before);
	err = sys_mkdir("/bench-mixed");
	for (u32 i = 0; i < r->nworkers && err == 0; i++) {
		snprintf(path, sizeof(path), "/bench-mixed/w%u", i);
		err = sys_creat(path);
		if (err >= 0)
			err = sys_close((int)err);
	}
	return err;
}

static void mixed_work(struct bench_worker *w)
{
	char path[32];
	struct stat st;
	u64 v, back;
	long fd;

	snprintf(path, sizeof(path), "/bench-mixed/w%u", w->idx);
	fd = sys_open(path, O_RDWR);
	if (fd < 0)
		w->bad++;
	while (bench_running(w)) {
		bench_spin_ns(w->run->think_ns);
		switch (bench_rand(w) % 4) {
		case 0: w->bad += sys_getpid() <= 1; break;
		case 1: w->bad += sys_stat(path, &st) != 0 || st.type != S_IFREG; break;
		case 2:
			v = w->ops;
			back = ~v;
			w->bad += sys_lseek((int)fd, 0, SEEK_SET) != 0 ||
				  sys_write((int)fd, &v, sizeof(v)) != sizeof(v);
			w->bad += sys_lseek((int)fd, 0, SEEK_SET) != 0 ||
				  sys_read((int)fd, &back, sizeof(back)) != sizeof(back) ||
				  back != v;
			break;
		default:
			kernel_enter();
			void *pg = page_alloc();
			w->bad += pg == NULL;
			if (pg)
				page_free(pg);
			kernel_exit();
			break;
		}
		w->ops++;
	}
	if (fd >= 0)
		sys_close((int)fd);
}

static bool mixed_check(struct bench_run *r)
{
	char path[32];
	bool ok = true;

	for (u32 i = 0; i < r->nworkers; i++) {
		snprintf(path, sizeof(path), "/bench-mixed/w%u", i);
		ok &= sys_unlink(path) == 0;
	}
	ok &= sys_rmdir("/bench-mixed") == 0;
	if (!ok)
		printk_raw("bench: error workload=mixed: its files could not all be removed");
	return bench_mem_unchanged(r->wl->name, &before) && ok;
}

BENCH_WORKLOAD(wl_mixed) = {
	.name = "mixed",
	.what = "think_ns of computation, then getpid, stat, a small write+read or a page alloc/free",
	.setup = mixed_setup,
	.work = mixed_work,
	.check = mixed_check,
};
