/* Coarse locks (the BKL and subsystem locks): recursive per owner, with a depth count like Linux's lock_depth. */
#ifndef LOCK_STRATEGIES_COARSE_H
#define LOCK_STRATEGIES_COARSE_H

#include "slock.h"

struct task;

/*
 * 'lock' is taken once by the outermost acquisition; owner and depth are
 * written only by the owner while it holds 'lock' (owner is read without
 * it, which is exact for the question "is it me?": only I can have set it
 * to me). The owner is a task, not a CPU: under the block and adaptive
 * waits the holder may be preempted or sleep in a subsystem.
 */
struct coarse_lock {
	struct slock lock;
	struct task *owner; /* task that holds it, or NULL */
	u32 depth;	    /* nested acquisitions by the owner */
};
#define COARSE_LOCK_INIT(name)            \
	{                                 \
		SLOCK_INIT(name), NULL, 0 \
	}

void coarse_lock(struct coarse_lock *c);
void coarse_unlock(struct coarse_lock *c);
bool coarse_held(struct coarse_lock *c);
/* Releases c entirely if the caller holds it; returns the depth to pass to coarse_retake. */
u32 coarse_release_all(struct coarse_lock *c);
void coarse_retake(struct coarse_lock *c, u32 depth);
u32 coarse_depth(struct coarse_lock *c);


/*
 * Under the coarse strategies (BKL, SUBSYS) a data lock is only a label:
 * the subsystem its data belongs to, which names the effective lock.
 */
struct klock {
	u8 subsys;
};

static inline void klock_init(struct klock *l, const char *name, enum subsys_id ss)
{
	(void)name;
	l->subsys = (u8)ss;
}
static inline void klock_lock(struct klock *l)
{
	(void)l;
}
/* A label has no order to check: the subclass matters only where data locks are real (FINE). */
static inline void klock_lock_nested(struct klock *l, u32 subclass)
{
	(void)l;
	(void)subclass;
}
static inline void klock_unlock(struct klock *l)
{
	(void)l;
}

#endif
