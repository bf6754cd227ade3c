/* Spinlocks: the configured algorithm plus owner tracking, lockstat and lockdep hooks. */
#ifndef LOCKLAB_SPINLOCK_H
#define LOCKLAB_SPINLOCK_H

#include <locklab/types.h>
#include <locklab/lock_map.h>
#include <locklab/locking/lock_alg.h>

#define SPIN_NO_OWNER LOCK_MAP_NO_CPU

/*
 * The lock word of the configured algorithm, its owner, and what
 * lockdep/lockstat see of it. The word waiters spin on has a cache line
 * of its own: a holder's write anywhere in that line (owner, lockstat's
 * acquired_at) would clear every WFE waiter's exclusive monitor and pull
 * the line away from the spinners, several transfers per hand-off instead
 * of one. So what the holder writes starts on the next line.
 */
struct spinlock {
	alg_lock_t alg; /* the algorithm's state (tas/ttas/ticket/mcs): what waiters spin on */
	/* CPU holding it or SPIN_NO_OWNER; written by the holder only */
	u16 owner __cacheline_aligned;
	struct lock_map map; /* class name, lockstat state; written by the holder */
} __cacheline_aligned;

/* Checked at build time: nothing the holder writes shares a line with the words waiters read. */
_Static_assert(ALG_LOCK_SPIN_BYTES <= CACHE_LINE_BYTES,
	       "a lock's spin word must fit one cache line");
_Static_assert(__builtin_offsetof(struct spinlock, owner) >= CACHE_LINE_BYTES &&
		       __builtin_offsetof(struct spinlock, owner) % CACHE_LINE_BYTES == 0,
	       "spinlock owner must start a cache line after the lock word");
_Static_assert(__builtin_offsetof(struct spinlock, map) <
			       __builtin_offsetof(struct spinlock, owner) + CACHE_LINE_BYTES &&
		       __builtin_offsetof(struct spinlock, map) >
			       __builtin_offsetof(struct spinlock, owner),
	       "lock_map must be in the holder's line, not the waiters'");

#define SPINLOCK_INIT(cname)                                                              \
	{                                                                                 \
		.alg = ALG_LOCK_INIT, .owner = SPIN_NO_OWNER, .map = LOCK_MAP_INIT(cname) \
	}

void spin_lock_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);
/* Taken as lockdep subclass 'subclass' (lockdep.h), e.g. the second of two locks of one class. */
void spin_lock_nested(struct spinlock *l, u32 subclass);
bool spin_trylock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
u64 spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, u64 flags);
bool spin_is_locked(struct spinlock *l);
/* True if the calling CPU holds l (owner tracking works under every algorithm). */
bool spin_held_by_me(struct spinlock *l);
void spin_assert_held(struct spinlock *l);

#endif
