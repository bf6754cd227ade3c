/* The shell's built-ins as system calls: poweroff(), ktest(suites), bench(args); suites and benchmarks run in a kernel-task child. */
#include <locklab/bench.h>
#include <locklab/ktest.h>
#include <locklab/panic.h>
#include <locklab/sched.h>
#include <locklab/syscall.h>
#include <locklab/uaccess.h>
#include <asm/atomic.h>

/* The first reason the run failed (run_note_failure), NULL while nothing has; set once by cmpxchg. */
static const char *first_failure;

void run_note_failure(const char *reason)
{
	const char *none = NULL;

	atomic_cmpxchg_acq_rel(&first_failure, &none, reason);
}

const char *run_failure(void)
{
	return atomic_load_acquire(&first_failure);
}

void run_failure_set(const char *reason)
{
	atomic_store_release(&first_failure, reason);
}

void sys_poweroff(void)
{
	const char *why = atomic_load_acquire(&first_failure);

	system_shutdown(!why, why ? why : "poweroff");
}

/*
 * One ktest() or bench() at a time (they share the runners' state: the
 * harness's single run, its options, the ktest prefix): the request and
 * the result, handed to the child that runs it. busy is claimed by
 * cmpxchg and guards the rest.
 */
static struct run_job {
	u32 busy;
	bool bench;
	char text[PATH_MAX];
	long result;
} job;

/*
 * The child: a kernel task, so the suites' and workloads' sys_* calls
 * take kernel pointers as they do at boot (a user process's calls would
 * treat them as user addresses and refuse them).
 */
static void run_child(void *arg)
{
	struct run_job *j = arg;
	u32 passed;

	j->result = j->bench ? bench_run_args(j->text) : ktest_run(j->text, true, &passed);
}

static long run_in_child(const char *utext, bool bench)
{
	u32 idle = 0;
	long r, pid;

	if (!atomic_cmpxchg_acquire(&job.busy, &idle, 1))
		return -EBUSY;
	r = copy_path(job.text, utext);
	if (r == -ENOENT) /* an empty string names nothing to run */
		r = -EINVAL;
	if (r >= 0) {
		job.bench = bench;
		job.result = -ECHILD; /* if the child ended without a result */
		pid = sys_spawn(run_child, &job, TASK_ANY_CPU);
		if (pid < 0)
			r = pid;
		else
			r = sys_wait((int)pid, NULL) == pid ? job.result : -ECHILD;
	}
	if (r > 0)
		run_note_failure(bench ? "bench" : "ktest");
	atomic_store_release(&job.busy, 0);
	return r;
}

long sys_ktest(const char *suites)
{
	return IS_ENABLED(CONFIG_KTEST) ? run_in_child(suites, false) : -ENOSYS;
}

long sys_bench(const char *args)
{
	return IS_ENABLED(CONFIG_BENCH) ? run_in_child(args, true) : -ENOSYS;
}
