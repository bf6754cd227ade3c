/* Workload "fs-samefile": will-it-scale's open3, every worker opens and closes the same file. */
#include "bench.h"
#include <locklab/console.h>
#include <locklab/syscall.h>

/*
 * Beside fs-private (open2: own files, own directory) and fs-shared
 * (open1: own files, one directory): here even the file is shared, so
 * every open takes the same directory and the same inode (its open count)
 * under FINE too. Each worker has its own fd table, so only the file
 * system is shared.
 */
#define SAME_PATH "/bench-same/file"

static struct stat want;
static struct bench_mem before;

static long same_setup(struct bench_run *r)
{
	long err, fd;

	(void)r;
	bench_mem_snapshot(&before);
	err = sys_mkdir("/bench-same");
	if (err)
		return err;
	fd = sys_creat(SAME_PATH);
	if (fd < 0)
		return fd;
	sys_close((int)fd);
	return sys_stat(SAME_PATH, &want);
}

static void same_work(struct bench_worker *w)
{
	while (bench_running(w)) {
		long fd = sys_open(SAME_PATH, O_RDWR);

		if (fd < 0) {
			w->bad++;
			continue;
		}
		w->bad += sys_close((int)fd) != 0;
		w->ops++;
	}
}

/* Every open was closed (objects and inodes back), the file is the one made, and it goes with its directory. */
static bool same_check(struct bench_run *r)
{
	struct stat st;
	bool ok = sys_stat(SAME_PATH, &st) == 0 && st.ino == want.ino && st.nlink == 1 &&
		  st.size == 0;

	if (!ok)
		printk_raw("bench: error workload=%s: %s changed while only opened", r->wl->name,
			   SAME_PATH);
	if (sys_unlink(SAME_PATH) != 0 || sys_rmdir("/bench-same") != 0) {
		printk_raw("bench: error workload=%s: its file or directory could not be removed",
			   r->wl->name);
		ok = false;
	}
	return bench_mem_unchanged(r->wl->name, &before) && ok;
}

BENCH_WORKLOAD(wl_fs_samefile) = {
	.name = "fs-samefile",
	.what = "open and close the same file on every CPU (will-it-scale open3)",
	.setup = same_setup,
	.work = same_work,
	.check = same_check,
};
