/* sys_* calls for processes: spawn, exit, wait, getpid (kernel scope, argument checks, then kernel/proc/). */
#include <locklab/syscall.h>
#include <locklab/klock.h>
#include <locklab/panic.h>
#include <locklab/platform.h>
#include <locklab/proc.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/uaccess.h>

extern char _etext[];

long sys_spawn(void (*fn)(void *), void *arg, int cpu)
{
	long ret;

	/* fn must be code in the kernel image; arg is the child's business. */
	if ((char *)fn < _text || (char *)fn >= _etext)
		return -EFAULT;
	if (cpu != TASK_ANY_CPU && (cpu < 0 || cpu >= CONFIG_NR_CPUS || !cpu_is_online((u32)cpu)))
		return -EINVAL;
	kernel_enter();
	ret = proc_spawn(fn, arg, cpu);
	kernel_exit();
	return ret;
}

void sys_exit(int status)
{
	struct task *t = current_task();

	/* A kernel task that is not a process (task_create) just ends. */
	if (!t->proc)
		task_exit();
	kernel_enter();
	proc_exit(status);
	kernel_exit();
	/*
	 * After the process is gone (its address space torn down), before the
	 * task ends: the hook's owner hears of the end once nothing of it is
	 * left to run. The task itself lives until task_exit.
	 */
	if (t->user_exit_hook) {
		void (*hook)(void *arg, int status) = t->user_exit_hook;

		t->user_exit_hook = NULL;
		hook(t->user_return_arg, status);
	}
	task_exit();
}

long sys_wait(int pid, int *status)
{
	int st = 0;
	long ret;

	if (pid != -1 && pid <= 0)
		return -EINVAL;
	if (status && !uaccess_ok(status, sizeof(*status), UACCESS_WRITE))
		return -EFAULT;
	kernel_enter();
	ret = proc_wait(pid, status ? &st : NULL);
	/* The child is reaped either way, as in Linux when the copy fails. */
	if (ret > 0 && status && copy_to_user(status, &st, sizeof(st)))
		ret = -EFAULT;
	kernel_exit();
	return ret;
}

long sys_getpid(void)
{
	long pid;

	kernel_enter();
	pid = current_proc()->pid;
	kernel_exit();
	return pid;
}
