/* ktest "fs" cases with planted interleavings: another task acts at a chosen point inside a call (fs_internal.h test points). */
#include "fs_test.h"
#include <locklab/sched.h>
#include <locklab/percpu.h>
#include <locklab/smp.h>
#include <locklab/string.h>

#define RACE_PATH "/race"
#define RACE_FILL "/race_fill"

/* fs_internal.h's test point: NULL except while a case below plants something there. */
void (*fs_open_cleanup_hook)(const char *path);

static const char rival_data[] = "the rival's file, created while the open failed";

/* Written by the hook and the rival task, read by the case after the join. */
static struct {
	struct task *tester; /* the hook acts only in this task's open */
	int spare_fd;	     /* closed by the hook so the rival has a free fd */
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

/* Runs inside the failed open, between its create and its cleanup. */
static void plant_rival(const char *path)
{
	u32 cpu = ktest_other_cpu();
	struct task *r;

	if (current_task() != race.tester || strcmp(path, RACE_PATH))
		return; /* not the open this case planted the rival in */
	race.calls++;
	/* Process 1's fd table is full (that is why the open failed); the rival shares it. */
	sys_close(race.spare_fd);
	if (cpu == CONFIG_NR_CPUS)
		/* one CPU: the join below sleeps, so the rival runs here */
		cpu = smp_processor_id();
	/* The join sleeps: wait_event drops the BKL or fs lock the open holds, so the rival can run. */
	r = task_create("fs_rival", rival, NULL, (int)cpu);
	if (r)
		task_join(r);
}

/*
 * An O_CREAT open that fails after creating its file (no free fd) removes
 * the file it created. If another task unlinked that name and created a
 * file of its own under it meanwhile, the cleanup must leave the other
 * task's file alone: it removes what this call created, not whatever the
 * path names by then.
 */
void fs_failed_create_spares_a_rival_file(struct ktest *t)
{
	struct ktest_snapshot s0;
	long fds[FD_MAX + 1], r;
	char buf[sizeof(rival_data) + 8];
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
	race.unlinked = race.created = race.wrote = race.closed = 1;
	atomic_store_release(&fs_open_cleanup_hook, plant_rival);
	r = sys_open(RACE_PATH, O_CREAT | O_RDWR);
	atomic_store_release(&fs_open_cleanup_hook, NULL);
	KT_EXPECT_EQ(t, r, -EMFILE);
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
	for (u32 i = 0; i < n; i++)
		KT_EXPECT_EQ(t, sys_close((int)fds[i]), 0);
	sys_unlink(RACE_PATH); /* gone already if the cleanup took it */
	KT_EXPECT_EQ(t, sys_unlink(RACE_FILL), 0);
	/* The failed open's own inode was freed with its name, not leaked; every fd closed. */
	KT_EXPECT_NO_LEAK(t, &s0);
}
