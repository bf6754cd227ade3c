/* What workloads check after a run, shared by bench/: the leak check (bench_mem_*) and the workers' pids. */
#include "bench.h"
#include <locklab/console.h>
#include <locklab/klock.h>
#include <locklab/fs.h>
#include <locklab/mm.h>
#include <locklab/syscall.h>

void bench_mem_snapshot(struct bench_mem *m)
{
	kernel_enter();
	kmalloc_shrink(); /* cached empty slabs are free memory, not a leak */
	m->free_pages = mm_free_pages();
	m->live_objs = kmalloc_live();
	m->inodes = fs_inodes_live();
	kernel_exit();
}

bool bench_mem_unchanged(const char *name, const struct bench_mem *before)
{
	struct bench_mem now;

	bench_mem_snapshot(&now);
	if (now.free_pages == before->free_pages && now.live_objs == before->live_objs &&
	    now.inodes == before->inodes)
		return true;
	printk_raw(
		"bench: error workload=%s: free pages %llu -> %llu, kmalloc objects %llu -> %llu, inodes %llu -> %llu",
		name, (unsigned long long)before->free_pages, (unsigned long long)now.free_pages,
		(unsigned long long)before->live_objs, (unsigned long long)now.live_objs,
		(unsigned long long)before->inodes, (unsigned long long)now.inodes);
	return false;
}

bool bench_pids_match(const struct bench_run *r, const long seen[BENCH_MAX_WORKERS])
{
	bool ok = true;

	for (u32 i = 0; i < r->nworkers; i++) {
		if (seen[i] != r->workers[i].pid) {
			printk_raw("bench: error workload=%s: worker %u got pid %ld, it is %ld",
				   r->wl->name, i, seen[i], r->workers[i].pid);
			ok = false;
		}
	}
	return ok;
}
