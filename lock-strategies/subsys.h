/* SUBSYS strategy (Linux 2.4): one recursive lock per subsystem; kernel and data scopes are empty. */
#ifndef LOCK_STRATEGIES_SUBSYS_H
#define LOCK_STRATEGIES_SUBSYS_H

#include "coarse.h"

#define LOCK_STRATEGY_NAME "subsys"
#define LOCK_STRATEGY_SCOPE SCOPE_SUBSYS

/* Lock order: by enum subsys_id (proc, fs, ipc, mm). */
extern struct coarse_lock subsys_locks[NR_SUBSYS];

/* A data lock is only a label: its subsystem, whose lock is the effective one. */
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
	return coarse_held(&subsys_locks[l->subsys]);
}
static inline void kernel_enter(void) {}
static inline void kernel_exit(void) {}
static inline void subsys_enter(enum subsys_id ss) { coarse_lock(&subsys_locks[ss]); }
static inline void subsys_exit(enum subsys_id ss) { coarse_unlock(&subsys_locks[ss]); }

#endif
