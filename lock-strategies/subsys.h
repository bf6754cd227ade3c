/* SUBSYS strategy (Linux 2.4): one recursive lock per subsystem; kernel and data scopes are empty. */
#ifndef LOCK_STRATEGIES_SUBSYS_H
#define LOCK_STRATEGIES_SUBSYS_H

#include "coarse.h"

#define LOCK_STRATEGY_NAME  "subsys"
#define LOCK_STRATEGY_SCOPE SCOPE_SUBSYS

/* Lock order: by enum subsys_id (proc, fs, ipc, mm). */
extern struct coarse_lock subsys_locks[NR_SUBSYS];

static inline bool klock_held(struct klock *l)
{
	return coarse_held(&subsys_locks[l->subsys]);
}
static inline void kernel_enter(void)
{
}
static inline void kernel_exit(void)
{
}
static inline void subsys_enter(enum subsys_id ss)
{
	coarse_lock(&subsys_locks[ss]);
}
static inline void subsys_exit(enum subsys_id ss)
{
	coarse_unlock(&subsys_locks[ss]);
}

#endif
