/* Workload "stat-shared": every worker looks up (stats) the same path over and over: readers serialised by exclusive locks. */
#include "bench.h"
#include <locklab/console.h>
#include <locklab/syscall.h>

/*
 * Nothing is written while it runs: every op only reads the same three
 * inodes (/, /bench-stat and the file). But each lock on the way is
 * exclusive under every strategy (the BKL, the fs lock, the inodes' own
 * locks), so two readers wait for each other as two writers would. A
 * reader-writer lock or RCU (Linux's RCU path walk, 2.6.38) would let them
 * through together: this workload is the case for them.
 */
#define STAT_PATH  "/bench-stat/shared"
#define STAT_BYTES 100 /* the file's size, which every stat must report */

static struct stat want;
static struct bench_mem before;

static long stat_setup(struct bench_run *r)
{
	char data[STAT_BYTES];
	long err, fd;

	(void)r;
	bench_mem_snapshot(&before);
	err = sys_mkdir("/bench-stat");
	if (err)
		return err;
	fd = sys_creat(STAT_PATH);
	if (fd < 0)
		return fd;
	for (u32 i = 0; i < STAT_BYTES; i++)
		data[i] = (char)i;
	err = sys_write((int)fd, data, STAT_BYTES) == STAT_BYTES ? 0 : -ENOSPC;
	sys_close((int)fd);
	return err ? err : sys_stat(STAT_PATH, &want);
}

static void stat_work(struct bench_worker *w)
{
	struct stat st;

	while (bench_running(w)) {
		w->bad += sys_stat(STAT_PATH, &st) != 0 || st.ino != want.ino ||
			  st.type != S_IFREG || st.size != STAT_BYTES || st.nlink != 1;
		w->ops++;
	}
}

static bool stat_check(struct bench_run *r)
{
	struct stat st;
	bool ok = sys_stat(STAT_PATH, &st) == 0 && st.ino == want.ino && st.size == STAT_BYTES;

	/* Read only: the file must be as it was made, and go with its directory. */
	if (!ok)
		printk_raw("bench: error workload=%s: %s changed while only read", r->wl->name,
			   STAT_PATH);
	sys_unlink(STAT_PATH);
	if (sys_rmdir("/bench-stat") != 0) {
		printk_raw("bench: error workload=%s: /bench-stat could not be removed",
			   r->wl->name);
		ok = false;
	}
	return bench_mem_unchanged(r->wl->name, &before) && ok;
}

BENCH_WORKLOAD(wl_stat_shared) = {
	.name = "stat-shared",
	.what = "stat the same path on every CPU, read-only: exclusive locks serialise the readers",
	.setup = stat_setup,
	.work = stat_work,
	.check = stat_check,
};
