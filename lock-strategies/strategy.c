/* The strategy's coarse lock instances, subsystem names, and the helpers every strategy shares. */
#include <locklab/klock.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>

static const char *const names[NR_SUBSYS] = {
	[SUBSYS_PROC] = "proc", [SUBSYS_FS] = "fs", [SUBSYS_IPC] = "ipc", [SUBSYS_MM] = "mm",
};

const char *subsys_name(enum subsys_id ss)
{
	return (unsigned)ss < NR_SUBSYS ? names[ss] : "?";
}

#if defined(CONFIG_LOCK_BKL)
struct coarse_lock big_kernel_lock = COARSE_LOCK_INIT("bkl");

u32 kernel_lock_depth(void) { return coarse_depth(&big_kernel_lock); }
u32 subsys_lock_depth(enum subsys_id ss) { (void)ss; return 0; }
#elif defined(CONFIG_LOCK_SUBSYS)
/* Class names say which subsystem: they are what lockstat prints. */
struct coarse_lock subsys_locks[NR_SUBSYS] = {
	[SUBSYS_PROC] = COARSE_LOCK_INIT("proc_lock"),
	[SUBSYS_FS] = COARSE_LOCK_INIT("fs_lock"),
	[SUBSYS_IPC] = COARSE_LOCK_INIT("ipc_lock"),
	[SUBSYS_MM] = COARSE_LOCK_INIT("mm_lock"),
};

u32 kernel_lock_depth(void) { return 0; }
u32 subsys_lock_depth(enum subsys_id ss) { return coarse_depth(&subsys_locks[ss]); }
#else
u32 kernel_lock_depth(void) { return 0; }
u32 subsys_lock_depth(enum subsys_id ss) { (void)ss; return 0; }
#endif

void klock_sleep_release(struct klock *held, struct klock_sleep *s)
{
	*s = (struct klock_sleep){ 0 };
#if defined(CONFIG_LOCK_BKL)
	(void)held;
	s->bkl_depth = coarse_release_all(&big_kernel_lock);
#elif defined(CONFIG_LOCK_SUBSYS)
	(void)held;
	for (int ss = NR_SUBSYS - 1; ss >= 0; ss--) /* reverse lock order */
		s->subsys_depth[ss] = coarse_release_all(&subsys_locks[ss]);
#else
	s->data_held = held && klock_held(held);
	if (s->data_held)
		klock_unlock(held);
#endif
}

void klock_sleep_reacquire(struct klock *held, struct klock_sleep *s)
{
#if defined(CONFIG_LOCK_BKL)
	(void)held;
	coarse_retake(&big_kernel_lock, s->bkl_depth);
#elif defined(CONFIG_LOCK_SUBSYS)
	(void)held;
	for (int ss = 0; ss < NR_SUBSYS; ss++) /* lock order: proc, fs, ipc, mm */
		coarse_retake(&subsys_locks[ss], s->subsys_depth[ss]);
#else
	if (s->data_held)
		klock_lock(held);
#endif
}

const char *klock_real_class(struct klock *l)
{
#if defined(CONFIG_LOCK_BKL)
	(void)l;
	return slock_name(&big_kernel_lock.lock);
#elif defined(CONFIG_LOCK_SUBSYS)
	return slock_name(&subsys_locks[l->subsys].lock);
#else
	return slock_name(&l->lock);
#endif
}

void klock_assert_failed(struct klock *l, const char *file, int line)
{
	panic("klock_assert_held failed at %s:%d: task %s on cpu%u does not hold the %s lock guarding this %s "
	      "data (strategy %s)", file, line, current_task()->name, smp_processor_id(),
	      LOCK_STRATEGY_SCOPE == SCOPE_KERNEL ? "big kernel" :
	      LOCK_STRATEGY_SCOPE == SCOPE_SUBSYS ? "subsystem" : "object's own",
	      subsys_name((enum subsys_id)l->subsys), LOCK_STRATEGY_NAME);
}
