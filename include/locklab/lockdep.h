/* lockdep: held-lock stacks and a class-order graph that catch deadlocks before they happen; stubs when off. */
#ifndef LOCKLAB_LOCKDEP_H
#define LOCKLAB_LOCKDEP_H

#include <locklab/types.h>

struct spinlock;

enum lockdep_kind {
	LOCKDEP_INVERSION,      /* A->B seen earlier, now B->A */
	LOCKDEP_RECURSION,      /* taking a non-recursive lock this CPU already holds */
	LOCKDEP_UNLOCK_UNHELD,  /* releasing a lock nobody holds */
	LOCKDEP_UNLOCK_NONOWNER, /* releasing a lock another CPU holds */
	LOCKDEP_SLEEP_SPINLOCK, /* sleeping (wait_event) with a spinlock held */
	LOCKDEP_NR_KINDS,
};

#ifdef CONFIG_DEBUG_LOCKDEP
/* Before spinning: checks order and recursion (a certain deadlock panics after the report). */
void lockdep_acquire(struct spinlock *l, bool trylock);
void lockdep_acquired(struct spinlock *l);
/* Before releasing: false means the release is wrong, was reported, and must not happen. */
bool lockdep_release(struct spinlock *l);
u32 lockdep_reports(enum lockdep_kind kind);
u32 lockdep_held_count(void);
void lockdep_report_sleep(u32 preempt_count);
#define LOCKDEP_ENABLED 1
#else
static inline void lockdep_acquire(struct spinlock *l, bool t) { (void)l; (void)t; }
static inline void lockdep_acquired(struct spinlock *l) { (void)l; }
static inline bool lockdep_release(struct spinlock *l) { (void)l; return true; }
static inline u32 lockdep_reports(enum lockdep_kind k) { (void)k; return 0; }
static inline u32 lockdep_held_count(void) { return 0; }
static inline void lockdep_report_sleep(u32 p) { (void)p; }
#define LOCKDEP_ENABLED 0
#endif

#endif
