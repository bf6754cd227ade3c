/* BKL strategy (Linux 2.0/2.2): the kernel scope is one recursive lock; subsystem and data scopes are empty. */
#ifndef LOCK_STRATEGIES_BKL_H
#define LOCK_STRATEGIES_BKL_H

#include "coarse.h"

#define LOCK_STRATEGY_NAME "bkl"
#define LOCK_STRATEGY_SCOPE SCOPE_KERNEL

extern struct coarse_lock big_kernel_lock;

/* A data lock is only a label: which subsystem its data belongs to. */
struct klock {
	u8 subsys;
};

static inline void klock_init(struct klock *l, const char *name, enum subsys_id ss)
{
	(void)name;
	l->subsys = (u8)ss;
}
static inline void klock_lock(struct klock *l) { (void)l; }
static inline void klock_unlock(struct klock *l) { (void)l; }
static inline bool klock_held(struct klock *l)
{
	(void)l;
	return coarse_held(&big_kernel_lock);
}
static inline void kernel_enter(void) { coarse_lock(&big_kernel_lock); }
static inline void kernel_exit(void) { coarse_unlock(&big_kernel_lock); }
static inline void subsys_enter(enum subsys_id ss) { (void)ss; }
static inline void subsys_exit(enum subsys_id ss) { (void)ss; }

#endif
