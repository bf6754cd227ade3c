/* ktest suite "proc": spawn/exit/wait with exit statuses, fd table and cwd inheritance, orphans, errors, a 4-CPU stress. */
#include <locklab/ktest.h>
#include <locklab/mm.h>
#include <locklab/percpu.h>
#include <locklab/proc.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/time.h>
#include <asm/atomic.h>

/* Every case gives back what it took: processes reaped, their tasks, fd tables and structs freed. */
static struct ktest_snapshot proc_before;

static void proc_case_init(struct ktest *t)
{
	ktest_snapshot(&proc_before);
}

static void proc_case_exit(struct ktest *t)
{
	KT_EXPECT_NO_LEAK(t, &proc_before);
}

static s32 child_pid_seen; /* written by the child, read after wait */

static void exit_with_arg(void *arg)
{
	child_pid_seen = (s32)sys_getpid();
	sys_exit((int)(u64)arg);
}

static void just_return(void *arg)
{
	(void)arg;
}

static void proc_wait_returns_the_childs_status(struct ktest *t)
{
	int status = -1;
	long pid, got;

	KT_EXPECT_EQ(t, sys_getpid(), 1); /* the ktest runner is process 1 */
	pid = sys_spawn(exit_with_arg, (void *)42, TASK_ANY_CPU);
	KT_ASSERT(t, pid > 1);
	got = sys_wait((int)pid, &status);
	KT_EXPECT_EQ(t, got, pid);
	KT_EXPECT_EQ(t, status, 42);
	KT_EXPECT_EQ(t, child_pid_seen, pid);
	pid = sys_spawn(just_return, NULL, (int)smp_processor_id());
	KT_ASSERT(t, pid > 1);
	status = -1;
	KT_EXPECT_EQ(t, sys_wait(-1, &status), pid);
	KT_EXPECT_EQ(t, status, 0);			 /* returning from fn is exit(0) */
	KT_EXPECT_EQ(t, sys_wait(-1, &status), -ECHILD); /* nothing left */
}

static void write_to_inherited_fd(void *arg)
{
	int fd = (int)(u64)arg;
	const char msg[] = "from child";

	sys_exit(sys_write(fd, msg, sizeof(msg)) == sizeof(msg) ? 0 : 1);
}

static void proc_child_inherits_fds_and_exit_closes_them(struct ktest *t)
{
	int fds[2], status = -1;
	char buf[32];
	long pid;

	KT_ASSERT(t, sys_pipe(fds) == 0);
	pid = sys_spawn(write_to_inherited_fd, (void *)(u64)fds[1], TASK_ANY_CPU);
	KT_ASSERT(t, pid > 1);
	/* now only the child's copy keeps the write end open */
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	KT_EXPECT_EQ(t, sys_read(fds[0], buf, sizeof(buf)), 11);
	KT_EXPECT_STREQ(t, buf, "from child");
	/* The child's exit closed its copy of the write end: end of file. */
	KT_EXPECT_EQ(t, sys_read(fds[0], buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
}

static void stat_relative(void *arg)
{
	struct stat st;

	(void)arg;
	sys_exit(sys_stat("inside", &st) == 0 && st.type == S_IFREG ? 7 : 1);
}

static void proc_child_inherits_cwd(struct ktest *t)
{
	int status = -1;
	long pid, fd;

	KT_ASSERT(t, sys_mkdir("/proc_test_cwd") == 0);
	fd = sys_creat("/proc_test_cwd/inside");
	KT_ASSERT(t, fd >= 0);
	sys_close((int)fd);
	KT_ASSERT(t, sys_chdir("/proc_test_cwd") == 0);
	pid = sys_spawn(stat_relative, NULL, TASK_ANY_CPU);
	KT_EXPECT_EQ(t, sys_chdir("/"), 0); /* the child keeps its own copy */
	KT_ASSERT(t, pid > 1);
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, status, 7);
	KT_EXPECT_EQ(t, sys_unlink("/proc_test_cwd/inside"), 0);
	KT_EXPECT_EQ(t, sys_rmdir("/proc_test_cwd"), 0);
}

static void spawn_grandchild_and_leave(void *arg)
{
	s32 *grandchild = arg;

	*grandchild = (s32)sys_spawn(exit_with_arg, (void *)5, TASK_ANY_CPU);
	sys_exit(3); /* without waiting: the grandchild becomes init's */
}

static void proc_orphans_are_reaped_by_init(struct ktest *t)
{
	s32 grandchild = 0;
	int status = -1, seen = 0;
	long pid, got;

	pid = sys_spawn(spawn_grandchild_and_leave, &grandchild, TASK_ANY_CPU);
	KT_ASSERT(t, pid > 1);
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, status, 3);
	KT_ASSERT(t, grandchild > 1);
	/* The orphan is ours now (we are process 1): reap it. */
	got = sys_wait(-1, &status);
	KT_EXPECT_EQ(t, got, grandchild);
	seen += got == grandchild && status == 5;
	KT_EXPECT_EQ(t, seen, 1);
}

static void proc_bad_arguments_are_errors(struct ktest *t)
{
	int status;

	KT_EXPECT_EQ(t, sys_spawn(NULL, NULL, TASK_ANY_CPU), -EFAULT);
	KT_EXPECT_EQ(t, sys_spawn((void (*)(void *))0x10, NULL, TASK_ANY_CPU), -EFAULT);
	KT_EXPECT_EQ(t, sys_spawn(just_return, NULL, CONFIG_NR_CPUS), -EINVAL);
	KT_EXPECT_EQ(t, sys_spawn(just_return, NULL, -7), -EINVAL);
	KT_EXPECT_EQ(t, sys_wait(0, &status), -EINVAL);
	KT_EXPECT_EQ(t, sys_wait(-5, &status), -EINVAL);
	KT_EXPECT_EQ(t, sys_wait(-1, (int *)0x10), -EFAULT);
	KT_EXPECT_EQ(t, sys_wait(-1, &status), -ECHILD); /* no children */
	KT_EXPECT_EQ(t, sys_wait(12345, NULL), -ECHILD); /* not a child */
}

/*
 * Stress: one manager process per CPU spawns and reaps children in a
 * loop, each child pinned to a CPU in turn and exiting with a status the
 * manager checks. Every pid must be reaped, every status right.
 */
#define STRESS_MS 400

static u64 stress_end;
static u64 stress_spawned[CONFIG_NR_CPUS], stress_bad[CONFIG_NR_CPUS];

static void exit_with_code(void *arg)
{
	sys_exit((int)(u64)arg);
}

static void manager(void *arg)
{
	u32 me = (u32)(u64)arg, n = cpus_online(), i = 0;
	u64 bad = 0, spawned = 0;

	while (time_counter() < stress_end) {
		int code = (int)((me * 1000 + i) & 0xff), status = -1;
		long pid = sys_spawn(exit_with_code, (void *)(u64)code, (int)((me + i) % n));

		i++;
		if (pid == -EAGAIN)
			continue; /* out of task slots for a moment: others will free some */
		if (pid <= 1) {
			bad++;
			continue;
		}
		spawned++;
		bad += sys_wait((int)pid, &status) != pid || status != code;
	}
	stress_spawned[me] = spawned;
	stress_bad[me] = bad;
	sys_exit(0);
}

static void proc_stress_spawn_wait_on_every_cpu(struct ktest *t)
{
	u32 n = cpus_online(), reaped = 0;
	u64 total = 0, bad = 0;
	int status;

	stress_end = time_counter() + (u64)STRESS_MS * time_freq() / 1000;
	for (u32 c = 0; c < n; c++) {
		stress_spawned[c] = stress_bad[c] = 0;
		KT_ASSERT(t, sys_spawn(manager, (void *)(u64)c, (int)c) > 1);
	}
	while (sys_wait(-1, &status) > 0)
		reaped++;
	for (u32 c = 0; c < n; c++) {
		total += stress_spawned[c];
		bad += stress_bad[c];
	}
	ktest_note(t, "%llu processes spawned and reaped by %u managers", (unsigned long long)total,
		   n);
	KT_EXPECT_EQ(t, reaped, n);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_GE(t, total, n);
}

static const struct ktest_case proc_cases[] = {
	KTEST_CASE(proc_wait_returns_the_childs_status),
	KTEST_CASE(proc_child_inherits_fds_and_exit_closes_them),
	KTEST_CASE(proc_child_inherits_cwd),
	KTEST_CASE(proc_orphans_are_reaped_by_init),
	KTEST_CASE(proc_bad_arguments_are_errors),
	KTEST_CASE(proc_stress_spawn_wait_on_every_cpu),
};
KTEST_SUITE(proc, proc_cases, .init = proc_case_init, .exit = proc_case_exit,
	    .boot_only = "waits for any child of process 1");
