/* FINE strategy (fine.h): no coarse lock; a sleeper gives up and takes back only the data lock it names. */
#include <locklab/klock.h>

u32 kernel_lock_depth(void)
{
	return 0;
}
u32 subsys_lock_depth(enum subsys_id ss)
{
	(void)ss;
	return 0;
}

void klock_sleep_release(struct klock *held, struct klock_sleep *s)
{
	*s = (struct klock_sleep){ 0 };
	s->data_held = held && klock_held(held);
	if (s->data_held)
		klock_unlock(held);
}

void klock_sleep_reacquire(struct klock *held, struct klock_sleep *s)
{
	if (s->data_held)
		klock_lock(held);
}

const char *klock_real_class(struct klock *l)
{
	return slock_name(&l->lock);
}

/* The real locks are the data's own, one class per kind of object: none to name here. */
const char *lock_strategy_class(u32 i)
{
	(void)i;
	return NULL;
}
