/* Workloads "fs-private", "fs-sharedpath", "fs-shared": create, write, read back, unlink files per worker or in one directory. */
#include "bench.h"
#include <locklab/console.h>
#include <locklab/printf.h>
#include <locklab/syscall.h>

#define FS_FILE_BYTES 512
#define FS_NAMES      4 /* names each worker cycles through */

static struct bench_mem before;
/* Defined (registered) at the end; the code tells the three apart by address. */
extern const struct bench_workload wl_fs_private, wl_fs_sharedpath;

/*
 * Where a worker's files are:
 * - fs-private (will-it-scale's open2): f<k>, relative to the worker's
 *   cwd, /bench-fs/w<i>, entered once. A relative walk starts at the cwd,
 *   so an op locks only the worker's own directory: nothing shared.
 * - fs-sharedpath: /bench-fs/w<i>/f<k>, the same private files by absolute
 *   path: each walk locks / and /bench-fs on the way, so every worker takes
 *   the same two directory locks on every open and unlink (MOSBENCH's
 *   lesson: a shared path prefix serialises private files).
 * - fs-shared: /bench-fs/w<i>f<k>, all in one directory.
 */
static bool private_dirs(const struct bench_run *r)
{
	return r->wl == &wl_fs_private || r->wl == &wl_fs_sharedpath;
}

static void file_name(char *buf, u64 n, struct bench_worker *w, u64 k)
{
	if (w->run->wl == &wl_fs_private)
		snprintf(buf, n, "f%llu", (unsigned long long)k);
	else if (w->run->wl == &wl_fs_sharedpath)
		snprintf(buf, n, "/bench-fs/w%u/f%llu", w->idx, (unsigned long long)k);
	else
		snprintf(buf, n, "/bench-fs/w%uf%llu", w->idx, (unsigned long long)k);
}

static long fs_setup(struct bench_run *r)
{
	char dir[32];
	long err;

	bench_mem_snapshot(&before);
	err = sys_mkdir("/bench-fs");
	for (u32 i = 0; i < r->nworkers && err == 0 && private_dirs(r); i++) {
		snprintf(dir, sizeof(dir), "/bench-fs/w%u", i);
		err = sys_mkdir(dir);
	}
	return err;
}

static void fs_work(struct bench_worker *w)
{
	u8 buf[FS_FILE_BYTES];
	char path[40];

	if (w->run->wl == &wl_fs_private) {
		/* The worker is a process: its cwd is its own (include/locklab/proc.h). */
		snprintf(path, sizeof(path), "/bench-fs/w%u", w->idx);
		w->bad += sys_chdir(path) != 0;
	}
	while (bench_running(w)) {
		u8 seed = (u8)(w->ops * 7 + w->idx);
		long fd;

		file_name(path, sizeof(path), w, w->ops % FS_NAMES);
		fd = sys_open(path, O_CREAT | O_EXCL | O_RDWR);
		if (fd < 0) {
			w->bad++;
			continue;
		}
		for (u32 i = 0; i < FS_FILE_BYTES; i++)
			buf[i] = (u8)(seed + i);
		w->bad += sys_write((int)fd, buf, FS_FILE_BYTES) != FS_FILE_BYTES;
		w->bad += sys_lseek((int)fd, 0, SEEK_SET) != 0;
		for (u32 i = 0; i < FS_FILE_BYTES; i++)
			buf[i] = 0;
		w->bad += sys_read((int)fd, buf, FS_FILE_BYTES) != FS_FILE_BYTES;
		for (u32 i = 0; i < FS_FILE_BYTES; i++)
			w->bad += buf[i] != (u8)(seed + i); /* the content as written */
		w->bad += sys_close((int)fd) != 0;
		w->bad += sys_unlink(path) != 0;
		w->ops++;
	}
}

static bool fs_check(struct bench_run *r)
{
	char dir[32];
	bool ok = true;

	/* Every worker unlinked what it created: the directories must be empty. */
	for (u32 i = 0; i < r->nworkers && private_dirs(r); i++) {
		snprintf(dir, sizeof(dir), "/bench-fs/w%u", i);
		ok &= sys_rmdir(dir) == 0;
	}
	ok &= sys_rmdir("/bench-fs") == 0;
	if (!ok)
		printk_raw("bench: error workload=%s: the directories were not empty", r->wl->name);
	return bench_mem_unchanged(r->wl->name, &before) && ok;
}

BENCH_WORKLOAD(wl_fs_private) = {
	.name = "fs-private",
	.what = "create/write/read/unlink files by relative path in the worker's own cwd (will-it-scale open2)",
	.setup = fs_setup,
	.work = fs_work,
	.check = fs_check,
};

BENCH_WORKLOAD(wl_fs_sharedpath) = {
	.name = "fs-sharedpath",
	.what = "create/write/read/unlink files in a directory per worker, by absolute path through shared ones",
	.setup = fs_setup,
	.work = fs_work,
	.check = fs_check,
};

BENCH_WORKLOAD(wl_fs_shared) = {
	.name = "fs-shared",
	.what = "create/write/read/unlink files, every CPU in one shared directory",
	.setup = fs_setup,
	.work = fs_work,
	.check = fs_check,
};
