/* What every strategy shares: subsystem and scope names, the list of real lock classes, the assertion's report. */
#include <locklab/klock.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/printf.h>
#include <locklab/sched.h>

static const char *const names[NR_SUBSYS] = {
	[SUBSYS_PROC] = "proc",
	[SUBSYS_FS] = "fs",
	[SUBSYS_IPC] = "ipc",
	[SUBSYS_MM] = "mm",
};

const char *subsys_name(enum subsys_id ss)
{
	return (unsigned)ss < NR_SUBSYS ? names[ss] : "?";
}

const char *lock_scope_name(enum lock_scope scope)
{
	return scope == SCOPE_KERNEL ? "kernel" : scope == SCOPE_SUBSYS ? "subsys" : "data";
}

bool lock_strategy_classes(char *buf, size_t size)
{
	size_t n = 0;
	const char *c;

	if (!size)
		return false;
	buf[0] = '\0';
	for (u32 i = 0; (c = lock_strategy_class(i)); i++) {
		int w = snprintf(buf + n, size - n, "%s%s", i ? "," : "", c);

		if (w < 0 || (size_t)w >= size - n)
			return false; /* cut short, still terminated */
		n += (size_t)w;
	}
	return true;
}

void klock_assert_failed(struct klock *l, const char *file, int line)
{
	panic("klock_assert_held failed at %s:%d: task %s on cpu%u does not hold the %s lock guarding this %s "
	      "data (strategy %s)",
	      file, line, current_task()->name, smp_processor_id(),
	      LOCK_STRATEGY_SCOPE == SCOPE_KERNEL ? "big kernel" :
	      LOCK_STRATEGY_SCOPE == SCOPE_SUBSYS ? "subsystem" :
						    "object's own",
	      subsys_name((enum subsys_id)l->subsys), LOCK_STRATEGY_NAME);
}
