/* Spinlocks: the configured algorithm plus owner tracking, lockstat and lockdep hooks. */
#ifndef LOCKLAB_SPINLOCK_H
#define LOCKLAB_SPINLOCK_H

#include <locklab/types.h>
#include <locklab/locking/lock_alg.h>

#define SPIN_NO_OWNER 0xffff

/*
 * Every spinlock has a name: its lock class for lockstat and lockdep (all
 * inodes' locks are one class "inode"). The class id is looked up from the
 * name on first use, so static initialisers stay constant.
 */
struct spinlock {
	arch_lock_t alg;  /* the algorithm's state (tas/ttas/ticket/mcs) */
	u16 owner;        /* CPU holding it or SPIN_NO_OWNER; written by the holder only */
	u16 class_id;     /* 0 until first use, then an index into the class table */
	const char *name; /* class name */
#ifdef CONFIG_LOCK_STAT
	u16 last_cpu;     /* CPU that released it last: acquiring elsewhere is a bounce */
	u64 acquired_at;  /* counter value when taken, for hold time */
#endif
};

#ifdef CONFIG_LOCK_STAT
#define __SPIN_STAT_INIT , .last_cpu = SPIN_NO_OWNER
#else
#define __SPIN_STAT_INIT
#endif
#define SPINLOCK_INIT(cname) \
	{ .alg = ARCH_LOCK_INIT, .owner = SPIN_NO_OWNER, .class_id = 0, .name = cname __SPIN_STAT_INIT }

void spin_lock_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
u64 spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, u64 flags);
bool spin_is_locked(struct spinlock *l);
/* True if the calling CPU holds l (owner tracking works under every algorithm). */
bool spin_held_by_me(struct spinlock *l);
void spin_assert_held(struct spinlock *l);

#endif
