/* SUBSYS strategy (subsys.h): one coarse lock per subsystem, and how a sleeper gives them up and takes them back. */
#include <locklab/klock.h>

/* Class names say which subsystem: they are what lockstat prints. */
struct coarse_lock subsys_locks[NR_SUBSYS] = {
	[SUBSYS_PROC] = COARSE_LOCK_INIT("proc_lock"),
	[SUBSYS_FS] = COARSE_LOCK_INIT("fs_lock"),
	[SUBSYS_IPC] = COARSE_LOCK_INIT("ipc_lock"),
	[SUBSYS_MM] = COARSE_LOCK_INIT("mm_lock"),
};

u32 kernel_lock_depth(void)
{
	return 0;
}
u32 subsys_lock_depth(enum subsys_id ss)
{
	return coarse_depth(&subsys_locks[ss]);
}

void klock_sleep_release(struct klock *held, struct klock_sleep *s)
{
	(void)held; /* a data lock is only a label here */
	*s = (struct klock_sleep){ 0 };
	for (int ss = NR_SUBSYS - 1; ss >= 0; ss--) /* reverse lock order */
		s->subsys_depth[ss] = coarse_release_all(&subsys_locks[ss]);
}

void klock_sleep_reacquire(struct klock *held, struct klock_sleep *s)
{
	(void)held;
	for (int ss = 0; ss < NR_SUBSYS; ss++) /* lock order: proc, fs, ipc, mm */
		coarse_retake(&subsys_locks[ss], s->subsys_depth[ss]);
}

const char *klock_real_class(struct klock *l)
{
	return slock_name(&subsys_locks[l->subsys].lock);
}

const char *lock_strategy_class(u32 i)
{
	return i < NR_SUBSYS ? slock_name(&subsys_locks[i].lock) : NULL;
}
