/* Sleeping mutex: a waiter sleeps on a wait queue, or (adaptive) spins while the owner is running. */
#ifndef LOCKLAB_MUTEX_H
#define LOCKLAB_MUTEX_H

#include <locklab/lock_map.h>
#include <locklab/wait.h>

/*
 * Not recursive; task context only (it may sleep). Seen by lockdep and
 * lockstat like a spinlock: same classes, same records. A contended
 * acquisition counts as one contention whether it spun, slept or both;
 * its wait time runs from the failed first try to owning the lock.
 */
/*
 * 'owner' is the word adaptive waiters poll and everyone CASes: its line
 * holds only that and the constant 'adaptive'. The wait queue (cache
 * aligned, through its spinlock) and the holder-written map follow.
 */
struct mutex {
	/* atomic: NULL when free; set by CAS (acquire), cleared by release */
	struct task *owner;
	bool adaptive;	      /* spin while the owner is on a CPU, sleep otherwise; constant */
	struct wait_queue wq; /* tasks asleep waiting for it */
	struct lock_map map;  /* class name, lockstat state; written by the holder */
};
_Static_assert(__builtin_offsetof(struct mutex, wq) >= CACHE_LINE_BYTES,
	       "mutex owner must have its line to itself");
#define MUTEX_INIT(cname, adapt)                                                         \
	{                                                                                \
		.owner = NULL, .wq = WAIT_QUEUE_INIT("mutex_wait"), .adaptive = (adapt), \
		.map = LOCK_MAP_INIT(cname)                                              \
	}

void mutex_init(struct mutex *m, const char *name, bool adaptive);
bool mutex_trylock(struct mutex *m);
void mutex_lock(struct mutex *m); /* may sleep: task context only */
/* as lockdep subclass 'subclass' (lockdep.h) */
void mutex_lock_nested(struct mutex *m, u32 subclass);
void mutex_unlock(struct mutex *m);
bool mutex_held_by_me(struct mutex *m);
bool mutex_is_locked(struct mutex *m);

#endif
