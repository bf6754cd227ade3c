/* BKL strategy (bkl.h): the big kernel lock, and how a sleeper gives it up and takes it back. */
#include <locklab/klock.h>

struct coarse_lock big_kernel_lock = COARSE_LOCK_INIT("bkl");

u32 kernel_lock_depth(void)
{
	return coarse_depth(&big_kernel_lock);
}
u32 subsys_lock_depth(enum subsys_id ss)
{
	(void)ss;
	return 0;
}

void klock_sleep_release(struct klock *held, struct klock_sleep *s)
{
	(void)held; /* a data lock is only a label here */
	*s = (struct klock_sleep){ 0 };
	s->kernel_depth = coarse_release_all(&big_kernel_lock);
}

void klock_sleep_reacquire(struct klock *held, struct klock_sleep *s)
{
	(void)held;
	coarse_retake(&big_kernel_lock, s->kernel_depth);
}

const char *klock_real_class(struct klock *l)
{
	(void)l;
	return slock_name(&big_kernel_lock.lock);
}

const char *lock_strategy_class(u32 i)
{
	return i == 0 ? slock_name(&big_kernel_lock.lock) : NULL;
}
