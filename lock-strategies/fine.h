/* FINE strategy (Linux 2.6+): a lock in each piece of data; kernel and subsystem scopes are empty. */
#ifndef LOCK_STRATEGIES_FINE_H
#define LOCK_STRATEGIES_FINE_H

#include "slock.h"

#define LOCK_STRATEGY_NAME  "fine"
#define LOCK_STRATEGY_SCOPE SCOPE_DATA

/* Not recursive: taking it twice is a bug lockdep reports. */
struct klock {
	struct slock lock;
	u8 subsys; /* kept so a sleep can name what to release under every strategy */
};

static inline void klock_init(struct klock *l, const char *name, enum subsys_id ss)
{
	slock_init(&l->lock, name);
	l->subsys = (u8)ss;
}
static inline void klock_lock(struct klock *l)
{
	slock_lock(&l->lock);
}
/* The lockdep subclass orders two locks of one class: a parent directory's (0), then a child's. */
static inline void klock_lock_nested(struct klock *l, u32 subclass)
{
	slock_lock_nested(&l->lock, subclass);
}
static inline void klock_unlock(struct klock *l)
{
	slock_unlock(&l->lock);
}
static inline bool klock_held(struct klock *l)
{
	return slock_held_by_me(&l->lock);
}
static inline void kernel_enter(void)
{
}
static inline void kernel_exit(void)
{
}
static inline void subsys_enter(enum subsys_id ss)
{
	(void)ss;
}
static inline void subsys_exit(enum subsys_id ss)
{
	(void)ss;
}

#endif
