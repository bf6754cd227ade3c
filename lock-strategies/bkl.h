/* BKL strategy (Linux 2.0/2.2): the kernel scope is one recursive lock; subsystem and data scopes are empty. */
#ifndef LOCK_STRATEGIES_BKL_H
#define LOCK_STRATEGIES_BKL_H

#include "coarse.h"

#define LOCK_STRATEGY_NAME  "bkl"
#define LOCK_STRATEGY_SCOPE SCOPE_KERNEL

extern struct coarse_lock big_kernel_lock;

static inline bool klock_held(struct klock *l)
{
	(void)l;
	return coarse_held(&big_kernel_lock);
}
static inline void kernel_enter(void)
{
	coarse_lock(&big_kernel_lock);
}
static inline void kernel_exit(void)
{
	coarse_unlock(&big_kernel_lock);
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
