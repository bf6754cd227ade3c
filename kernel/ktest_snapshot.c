/* ktest leak checks: one snapshot of what a case must give back (pages, objects, inodes, processes, tasks, fds). */
#include <locklab/ktest.h>
#include <locklab/file.h>
#include <locklab/fs.h>
#include <locklab/klock.h>
#include <locklab/lockdep.h>
#include <locklab/mm.h>
#include <locklab/printf.h>
#include <locklab/proc.h>
#include <locklab/sched.h>

/* Each counter's name in a failure, in the order of struct ktest_snapshot. */
static const struct {
	const char *name;
	size_t offset;
} snapshot_fields[] = {
	{ "free pages", __builtin_offsetof(struct ktest_snapshot, free_pages) },
	{ "kmalloc objects", __builtin_offsetof(struct ktest_snapshot, kmalloc_objs) },
	{ "inodes", __builtin_offsetof(struct ktest_snapshot, inodes) },
	{ "processes", __builtin_offsetof(struct ktest_snapshot, procs) },
	{ "free task slots", __builtin_offsetof(struct ktest_snapshot, free_task_slots) },
	{ "open fds", __builtin_offsetof(struct ktest_snapshot, fds) },
	{ "lockdep reports", __builtin_offsetof(struct ktest_snapshot, lockdep_reports) },
};

u64 ktest_free_pages(void)
{
	u64 v;

	kernel_enter();
	kmalloc_shrink(); /* cached empty slabs are free memory, not a leak */
	v = mm_free_pages();
	kernel_exit();
	return v;
}

void ktest_snapshot(struct ktest_snapshot *s)
{
	kernel_enter();
	kmalloc_shrink(); /* as in ktest_free_pages() */
	s->free_pages = mm_free_pages();
	s->kmalloc_objs = kmalloc_live();
	s->fds = files_count(current_proc()->files); /* a bare task counts init's */
	kernel_exit();
	s->inodes = fs_inodes_live();
	s->procs = proc_live();
	s->free_task_slots = sched_free_slots(); /* takes the task pool's own lock */
	s->lockdep_reports = 0;
	for (int k = 0; k < LOCKDEP_NR_KINDS; k++)
		s->lockdep_reports += lockdep_reports((enum lockdep_kind)k);
}

void ktest_expect_no_leak(struct ktest *t, const char *file, int line,
			  const struct ktest_snapshot *before)
{
	struct ktest_snapshot now;
	char msg[160];
	int len = 0;

	ktest_snapshot(&now);
	t->expectations++;
	for (u32 i = 0; i < ARRAY_SIZE(snapshot_fields); i++) {
		u64 was = *(const u64 *)((const char *)before + snapshot_fields[i].offset);
		u64 is = *(const u64 *)((const char *)&now + snapshot_fields[i].offset);

		if (was != is && len < (int)sizeof(msg))
			len += snprintf(msg + len, sizeof(msg) - (size_t)len, "%s%s %llu -> %llu",
					len ? ", " : "", snapshot_fields[i].name,
					(unsigned long long)was, (unsigned long long)is);
	}
	if (len)
		ktest_fail(t, file, line, "leak: %s", msg);
}
