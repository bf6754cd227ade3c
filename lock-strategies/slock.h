/* Maps the Kconfig choice of how strategy locks wait (spin/block/adaptive) to one lock type, struct slock. */
#ifndef LOCK_STRATEGIES_SLOCK_H
#define LOCK_STRATEGIES_SLOCK_H

/*
 * struct slock is the real lock behind whichever scope the strategy makes
 * real: the BKL, a subsystem lock or a data lock. It is one of:
 *   spin     - a spinlock of the configured algorithm; preemption is off
 *              while it is held, and it must not be held across a sleep
 *              (wait_event releases it);
 *   block    - a sleeping mutex: waiters sleep at once;
 *   adaptive - a sleeping mutex whose waiters spin while the owner runs.
 * Either way it is seen by lockdep and lockstat under its class name.
 *
 * The variants below define the bare operations (__slock_*); the lock
 * timeline's hooks wrap them at the end of this file. They are here, not
 * in every spinlock, because these are the locks it draws: the run
 * queues' and the console's would bury the strategy's.
 */
#include <locklab/lock_trace.h>

#if defined(CONFIG_KLOCK_WAIT_SPIN)
#include <locklab/spinlock.h>

#define KLOCK_WAIT_NAME "spin"
#define KLOCK_SLEEPS	0 /* a waiter never sleeps */
/* Waiters are served in order only with a FIFO spinlock algorithm. */
#define KLOCK_FIFO LOCK_ALG_FIFO

struct slock {
	struct spinlock spin;
};
#define SLOCK_INIT(name)            \
	{                           \
		SPINLOCK_INIT(name) \
	}
static inline void slock_init(struct slock *s, const char *name)
{
	spin_lock_init(&s->spin, name);
}
static inline void __slock_lock(struct slock *s)
{
	spin_lock(&s->spin);
}
static inline void __slock_lock_nested(struct slock *s, u32 subclass)
{
	spin_lock_nested(&s->spin, subclass);
}
static inline void __slock_unlock(struct slock *s)
{
	spin_unlock(&s->spin);
}
static inline struct lock_map *slock_map(struct slock *s)
{
	return &s->spin.map;
}
static inline bool __slock_is_locked(struct slock *s)
{
	return spin_is_locked(&s->spin);
}
static inline bool slock_held_by_me(struct slock *s)
{
	return spin_held_by_me(&s->spin);
}
static inline const char *slock_name(struct slock *s)
{
	return s->spin.map.name;
}

#elif defined(CONFIG_KLOCK_WAIT_BLOCK) || defined(CONFIG_KLOCK_WAIT_ADAPTIVE)
#include <locklab/kconfig.h>
#include <locklab/mutex.h>

#define KLOCK_ADAPTIVE	IS_ENABLED(CONFIG_KLOCK_WAIT_ADAPTIVE)
#define KLOCK_WAIT_NAME (KLOCK_ADAPTIVE ? "adaptive" : "block")
#define KLOCK_SLEEPS	1 /* a waiter may sleep */
/* Waking every waiter and letting one win is not FIFO. */
#define KLOCK_FIFO	0

struct slock {
	struct mutex mutex;
};
#define SLOCK_INIT(name)                         \
	{                                        \
		MUTEX_INIT(name, KLOCK_ADAPTIVE) \
	}
static inline void slock_init(struct slock *s, const char *name)
{
	mutex_init(&s->mutex, name, KLOCK_ADAPTIVE);
}
static inline void __slock_lock(struct slock *s)
{
	mutex_lock(&s->mutex);
}
static inline void __slock_lock_nested(struct slock *s, u32 subclass)
{
	mutex_lock_nested(&s->mutex, subclass);
}
static inline void __slock_unlock(struct slock *s)
{
	mutex_unlock(&s->mutex);
}
static inline struct lock_map *slock_map(struct slock *s)
{
	return &s->mutex.map;
}
static inline bool __slock_is_locked(struct slock *s)
{
	return mutex_is_locked(&s->mutex);
}
static inline bool slock_held_by_me(struct slock *s)
{
	return mutex_held_by_me(&s->mutex);
}
static inline const char *slock_name(struct slock *s)
{
	return s->mutex.map.name;
}

#else
#error "no strategy lock wait selected (CONFIG_KLOCK_WAIT_SPIN/BLOCK/ADAPTIVE)"
#endif

/*
 * Outside a timeline window a lock operation pays one load of a flag
 * nobody writes and one branch that always goes the same way: the traced
 * versions are out of line (slock_trace.c), so the fast path keeps no
 * value alive across the lock call for the hooks' sake. Without
 * CONFIG_LOCK_TRACE lock_trace_active() is 0 and the branch is gone.
 */
void slock_lock_traced(struct slock *s, u32 subclass);
void slock_unlock_traced(struct slock *s);

static inline void slock_lock(struct slock *s)
{
	if (lock_trace_active())
		slock_lock_traced(s, 0);
	else
		__slock_lock(s);
}
static inline void slock_lock_nested(struct slock *s, u32 subclass)
{
	if (lock_trace_active())
		slock_lock_traced(s, subclass);
	else
		__slock_lock_nested(s, subclass);
}
static inline void slock_unlock(struct slock *s)
{
	if (lock_trace_active())
		slock_unlock_traced(s);
	else
		__slock_unlock(s);
}

#endif
