/* ktest "fs" cases with planted interleavings: another task acts at a chosen point inside a call (fs_internal.h test points). */
#include "fs_test.h"
#include <locklab/fs.h>
#include <locklab/klock.h>
#include <locklab/mman.h>
#include <locklab/sched.h>
#include <locklab/percpu.h>
#include <locklab/smp.h>
#include <locklab/string.h>

#define RACE_PATH "/race"
#define RACE_FILL "/race_fill"

/* fs_internal.h's test points: NULL except while a case below plants something there. */
long (*fs_open_hook)(enum fs_open_point at, const char *path);

static const char rival_data[] = "the rival's file, created while the open failed";

/* Written by the hook and the rival task, read by the case after the join. */
static struct {
	struct task *tester; /* the hook acts only in this task's open */
	int spare_fd;	     /* closed by plant_opener so the opener has a free fd */
	u32 calls;
	long unlinked, created, wrote, closed;
} race;

/* The other task: replaces the name the failed open created with a file of its own. */
static void rival(void *arg)
{
	long fd;

	(void)arg;
	/* the failed open's new file: it must exist by now */
	race.unlinked = sys_unlink(RACE_PATH);
	fd = sys_open(RACE_PATH, O_CREAT | O_EXCL | O_WRONLY);
	race.created = fd;
	if (fd < 0)
		return;
	race.wrote = sys_write((int)fd, rival_data, sizeof(rival_data));
	race.closed = sys_close((int)fd);
}

/* Runs fn in another task, on another CPU if there is one, and waits for it: inside an open, at a test point. */
static void run_beside(void (*fn)(void *))
{
	u32 cpu = ktest_other_cpu();
	struct task *r;

	if (cpu == CONFIG_NR_CPUS)
		/* one CPU: the join below sleeps, so the other task runs here */
		cpu = smp_processor_id();
	/* The join sleeps: wait_event drops the BKL or fs lock the open holds, so the task can run. */
	r = task_create("fs_rival", fn, NULL, (int)cpu);
	if (r)
		task_join(r);
}

/* Fails the open just after its create (as no memory for its file would), and runs the rival before its cleanup. */
static long plant_rival(enum fs_open_point at, const char *path)
{
	if (current_task() != race.tester || strcmp(path, RACE_PATH))
		return 0; /* not the open this case planted the rival in */
	if (at == FS_OPEN_CREATED)
		return -ENOMEM;
	race.calls++;
	run_beside(rival);
	return 0;
}

/*
 * An O_CREAT open that fails after creating its file (no memory for the
 * open file) removes the file it created. If another task unlinked that
 * name and created a file of its own under it meanwhile, the cleanup must
 * leave the other task's file alone: it removes what this call created,
 * not whatever the path names by then.
 */
void fs_failed_create_spares_a_rival_file(struct ktest *t)
{
	struct ktest_snapshot s0;
	char buf[sizeof(rival_data) + 8];
	struct stat st = { 0 };
	long r;

	ktest_snapshot(&s0);
	race.tester = current_task();
	race.calls = 0;
	race.unlinked = race.created = race.wrote = race.closed = 1;
	atomic_store_release(&fs_open_hook, plant_rival);
	r = sys_open(RACE_PATH, O_CREAT | O_RDWR);
	atomic_store_release(&fs_open_hook, NULL);
	KT_EXPECT_EQ(t, r, -ENOMEM);
	KT_EXPECT_EQ(t, race.calls, 1);
	/* The rival replaced the name: the failed open's file was there to unlink. */
	KT_EXPECT_EQ(t, race.unlinked, 0);
	KT_EXPECT(t, race.created >= 0);
	KT_EXPECT_EQ(t, race.wrote, sizeof(rival_data));
	KT_EXPECT_EQ(t, race.closed, 0);
	/* The rival's file survived the failed open's cleanup, content and all. */
	KT_EXPECT_EQ(t, sys_stat(RACE_PATH, &st), 0);
	KT_EXPECT_EQ(t, st.size, sizeof(rival_data));
	KT_EXPECT_EQ(t, st.nlink, 1);
	r = sys_open(RACE_PATH, O_RDONLY);
	KT_EXPECT(t, r >= 0);
	if (r >= 0) {
		memset(buf, 0, sizeof(buf));
		KT_EXPECT_EQ(t, sys_read((int)r, buf, sizeof(buf)), sizeof(rival_data));
		KT_EXPECT_MEMEQ(t, buf, rival_data, sizeof(rival_data));
		KT_EXPECT_EQ(t, sys_close((int)r), 0);
	}
	sys_unlink(RACE_PATH); /* gone already if the cleanup took it */
	/* The failed open's own inode was freed with its name, not leaked; every fd closed. */
	KT_EXPECT_NO_LEAK(t, &s0);
}

/* Written by the opener task, read by the case after the join. */
static struct {
	long fd, wrote;
} opener_saw;

static const char opener_data[] = "written through a successful O_CREAT open";

/* The other task: opens (creating or finding) the name the failing open is making, and writes to it. */
static void opener(void *arg)
{
	(void)arg;
	opener_saw.fd = sys_open(RACE_PATH, O_CREAT | O_WRONLY);
	if (opener_saw.fd >= 0)
		opener_saw.wrote = sys_write((int)opener_saw.fd, opener_data, sizeof(opener_data));
}

/* Runs inside the open, just after it created its file: frees an fd for the opener, which takes it. */
static long plant_opener(enum fs_open_point at, const char *path)
{
	if (at != FS_OPEN_CREATED || current_task() != race.tester || strcmp(path, RACE_PATH))
		return 0;
	race.calls++;
	sys_close(race.spare_fd);
	run_beside(opener);
	return 0;
}

/*
 * An open with no free fd is -EMFILE before it creates anything (Linux
 * takes the fd first). Were the file created first and removed again when
 * no fd is left, another task could open the new name in between (here:
 * taking the last fd) and find its file unlinked behind its back: its
 * open succeeded, its writes went in, and the name was gone.
 */
void fs_emfile_open_creates_nothing(struct ktest *t)
{
	struct ktest_snapshot s0;
	long fds[FD_MAX + 1], r;
	struct stat st = { 0 };
	u32 n;

	ktest_snapshot(&s0);
	fds[0] = sys_creat(RACE_FILL);
	KT_ASSERT(t, fds[0] >= 0);
	for (n = 1; n < FD_MAX + 1 && (fds[n] = sys_open(RACE_FILL, O_RDONLY)) >= 0; n++)
		;
	KT_EXPECT_EQ(t, fst_fds_open(), FD_MAX);
	race.tester = current_task();
	race.spare_fd = (int)fds[--n]; /* the hook closes it */
	race.calls = 0;
	opener_saw.fd = opener_saw.wrote = -1;
	atomic_store_release(&fs_open_hook, plant_opener);
	r = sys_open(RACE_PATH, O_CREAT | O_RDWR);
	atomic_store_release(&fs_open_hook, NULL);
	KT_EXPECT_EQ(t, r, -EMFILE);
	KT_EXPECT_EQ(t, race.calls,
		     0); /* it created no file: the test point after a create never ran */
	if (opener_saw.fd >= 0) {
		/* It did create, and the opener got the file: that file must keep its name. */
		KT_EXPECT_EQ(t, opener_saw.wrote, sizeof(opener_data));
		KT_EXPECT_EQ(t, sys_stat(RACE_PATH, &st), 0);
		KT_EXPECT_EQ(t, sys_close((int)opener_saw.fd), 0);
		sys_unlink(RACE_PATH);
	} else {
		KT_EXPECT_EQ(t, sys_close(race.spare_fd), 0);
		KT_EXPECT_EQ(t, sys_stat(RACE_PATH, &st), -ENOENT);
	}
	for (u32 i = 0; i < n; i++)
		KT_EXPECT_EQ(t, sys_close((int)fds[i]), 0);
	KT_EXPECT_EQ(t, sys_unlink(RACE_FILL), 0);
	KT_EXPECT_NO_LEAK(t, &s0);
}

/* Written by the mapper task, read by the case after the join. */
static struct {
	long opened, mapped;
	struct inode *ino; /* the mapping's reference, which the case ends */
} mapper_saw;

/* The other task: opens the file a creating open has just made and begins a shared writable mapping of it. */
static void mapper(void *arg)
{
	bool may_write;
	long fd;

	(void)arg;
	fd = sys_open(RACE_PATH, O_RDWR);
	mapper_saw.opened = fd;
	if (fd < 0)
		return;
	kernel_enter(); /* as sys_mmap: the fd table */
	mapper_saw.mapped =
		fs_mmap_begin((int)fd, PROT_READ | PROT_WRITE, true, &mapper_saw.ino, &may_write);
	kernel_exit();
	sys_close((int)fd);
}

/* Runs inside the open, just after it created its file. */
static long plant_mapper(enum fs_open_point at, const char *path)
{
	if (at != FS_OPEN_CREATED || current_task() != race.tester || strcmp(path, RACE_PATH))
		return 0;
	race.calls++;
	run_beside(mapper);
	return 0;
}

/*
 * O_CREAT|O_TRUNC truncates a file that was there, not the one the call
 * created (Linux neither): that one's name is visible from the create on,
 * so another process may map it before the open ends, and a truncation
 * would then fail the open with -EBUSY and leave the file it made behind.
 */
void fs_creating_open_truncates_no_file_it_created(struct ktest *t)
{
	struct ktest_snapshot s0;
	struct stat st = { 0 };
	long r;

	ktest_snapshot(&s0);
	race.tester = current_task();
	race.calls = 0;
	mapper_saw.opened = mapper_saw.mapped = 1;
	mapper_saw.ino = NULL;
	atomic_store_release(&fs_open_hook, plant_mapper);
	r = sys_open(RACE_PATH, O_CREAT | O_EXCL | O_TRUNC | O_RDWR);
	atomic_store_release(&fs_open_hook, NULL);
	KT_EXPECT_EQ(t, race.calls, 1);
	KT_EXPECT(t, mapper_saw.opened >= 0);
	KT_EXPECT_EQ(t, mapper_saw.mapped, 0);
	/* -EBUSY: it truncated the file it made, which the mapper had mapped */
	KT_EXPECT(t, r >= 0);
	KT_EXPECT_EQ(t, sys_stat(RACE_PATH, &st), 0);
	KT_EXPECT_EQ(t, st.nlink, 1);
	if (mapper_saw.mapped == 0) {
		kernel_enter();
		fs_mmap_end(mapper_saw.ino);
		kernel_exit();
	}
	if (r >= 0)
		KT_EXPECT_EQ(t, sys_close((int)r), 0);
	KT_EXPECT_EQ(t, sys_unlink(RACE_PATH), 0);
	KT_EXPECT_NO_LEAK(t, &s0);
}
