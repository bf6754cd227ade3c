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
 */
#if defined(CONFIG_KLOCK_WAIT_SPIN)
#include <locklab/spinlock.h>

#define KLOCK_WAIT_NAME "spin"
#define KLOCK_SLEEPS 0 /* a waiter never sleeps */
/* Waiters are served in order only with a FIFO spinlock algorithm. */
#define KLOCK_FIFO LOCK_ALG_FIFO

struct slock {
	struct spinlock spin;
};
#define SLOCK_INIT(name) { SPINLOCK_INIT(name) }
static inline void slock_init(struct slock *s, const char *name) { spin_lock_init(&s->spin, name); }
static inline void slock_lock(struct slock *s) { spin_lock(&s->spin); }
static inline void slock_lock_nested(struct slock *s, u32 subclass) { spin_lock_nested(&s->spin, subclass); }
static inline void slock_unlock(struct slock *s) { spin_unlock(&s->spin); }
static inline bool slock_held_by_me(struct slock *s) { return spin_held_by_me(&s->spin); }
static inline const char *slock_name(struct slock *s) { return s->spin.map.name; }

#elif defined(CONFIG_KLOCK_WAIT_BLOCK) || defined(CONFIG_KLOCK_WAIT_ADAPTIVE)
#include <locklab/kconfig.h>
#include <locklab/mutex.h>

#define KLOCK_ADAPTIVE IS_ENABLED(CONFIG_KLOCK_WAIT_ADAPTIVE)
#define KLOCK_WAIT_NAME (KLOCK_ADAPTIVE ? "adaptive" : "block")
#define KLOCK_SLEEPS 1 /* a waiter may sleep */
/* Waking every waiter and letting one win is not FIFO. */
#define KLOCK_FIFO 0

struct slock {
	struct mutex mutex;
};
#define SLOCK_INIT(name) { MUTEX_INIT(name, KLOCK_ADAPTIVE) }
static inline void slock_init(struct slock *s, const char *name) { mutex_init(&s->mutex, name, KLOCK_ADAPTIVE); }
static inline void slock_lock(struct slock *s) { mutex_lock(&s->mutex); }
static inline void slock_lock_nested(struct slock *s, u32 subclass) { mutex_lock_nested(&s->mutex, subclass); }
static inline void slock_unlock(struct slock *s) { mutex_unlock(&s->mutex); }
static inline bool slock_held_by_me(struct slock *s) { return mutex_held_by_me(&s->mutex); }
static inline const char *slock_name(struct slock *s) { return s->mutex.map.name; }

#else
#error "no strategy lock wait selected (CONFIG_KLOCK_WAIT_SPIN/BLOCK/ADAPTIVE)"
#endif

#endif
