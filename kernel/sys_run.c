/* The shell's built-ins as system calls: poweroff(), ktest(suites), bench(args); suites and benchmarks run in a kernel task. */
#include <locklab/bench.h>
#include <locklab/ktest.h>
#include <locklab/panic.h>
#include <locklab/proc.h>
#include <locklab/sched.h>
#include <locklab/syscall.h>
#include <locklab/tty.h>
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
 * the result, handed to the task that runs it. busy is claimed by
 * cmpxchg and guards the rest.
 */
static struct run_job {
	u32 busy;
	bool bench;
	bool console; /* called from the console's session (the shell): Ctrl-C may stop it */
	u32 intr_seq; /* tty_intr_seq when the call began, moved on by each Ctrl-C a test types */
	struct task *runner; /* the task running the call (run_task), NULL before and after */
	char text[PATH_MAX];
	long result;
} job;

/*
 * The runner: a bare kernel task (task_create, no process of its own), as
 * the boot's runner is. Its sys_* calls take kernel pointers (a user
 * process's would treat them as user addresses and refuse them), and they
 * act as process 1's, fds and children included, which is what the suites
 * expect: a process of its own (sys_spawn) left the pipe suite's helper
 * tasks, bare tasks acting for process 1, without the fds it had opened.
 */
bool run_busy(void)
{
	return atomic_load_acquire(&job.busy) != 0;
}

/*
 * Only the call's own runner asks about it: the boot's ktest=/bench= run
 * (the shell suite's nested calls run beside it) reads another call's
 * fields, and reads them while a new call is still filling them in.
 */
static bool is_runner(void)
{
	return atomic_load_acquire(&job.busy) && atomic_load_relaxed(&job.runner) == current_task();
}

bool run_interrupted(void)
{
	return is_runner() && job.console && atomic_load_relaxed(&tty_intr_seq) != job.intr_seq;
}

void run_ctrl_c_typed_by_a_test(void)
{
	if (is_runner())
		job.intr_seq++; /* only the runner reads it from here on */
}

static void run_task(void *arg)
{
	struct run_job *j = arg;
	u32 passed;

	atomic_store_relaxed(&j->runner, current_task());
	j->result = j->bench ? bench_run_args(j->text) : ktest_run(j->text, true, &passed);
}

static long run_in_task(const char *utext, bool bench)
{
	u32 idle = 0;
	struct task *task;
	long r;

	if (!atomic_cmpxchg_acquire(&job.busy, &idle, 1))
		return -EBUSY;
	r = copy_path(job.text, utext);
	if (r == -ENOENT) /* an empty string names nothing to run */
		r = -EINVAL;
	if (r >= 0) {
		job.bench = bench;
		job.console = current_proc()->session != PROC_SESSION_NONE;
		job.intr_seq = atomic_load_relaxed(&tty_intr_seq);
		task = task_create(bench ? "bench" : "ktest", run_task, &job, TASK_ANY_CPU);
		if (task) {
			task_join(task); /* sleeps: gives the kernel scope up meanwhile */
			atomic_store_relaxed(&job.runner, NULL);
			r = job.result;
		} else {
			r = -EAGAIN;
		}
	}
	/*
	 * Failed cases or runs fail the boot, and so does a request refused for
	 * its text (an unknown suite or workload, a bad option: the console
	 * said which; or text too long to hold), as the same text given as a boot option would: a
	 * scripted lab with a typo must not end "status=pass". A bad pointer
	 * (-EFAULT, what the fuzzers pass) or a busy runner is only the caller's.
	 */
	if (r > 0 || r == -EINVAL || r == -ENAMETOOLONG)
		run_note_failure(bench ? "bench" : "ktest");
	atomic_store_release(&job.busy, 0);
	return r;
}

long sys_ktest(const char *suites)
{
	return IS_ENABLED(CONFIG_KTEST) ? run_in_task(suites, false) : -ENOSYS;
}

long sys_bench(const char *args)
{
	return IS_ENABLED(CONFIG_BENCH) ? run_in_task(args, true) : -ENOSYS;
}
