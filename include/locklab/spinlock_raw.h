/* A minimal ticket spinlock for boot-time infrastructure (console, IPI); the configurable locks come later. */
#ifndef LOCKLAB_SPINLOCK_RAW_H
#define LOCKLAB_SPINLOCK_RAW_H

#include <locklab/types.h>
#include <asm/sysreg.h>

/*
 * Ticket lock on two 16-bit halves of one word. The __atomic builtins with
 * -mno-outline-atomics compile to inline ldaxr/stlxr (or LSE with +lse).
 * Ordering: taking a ticket needs no ordering; the acquire load that sees
 * our turn orders the critical section after it; the release store of
 * 'owner' orders the critical section before the hand-over.
 */
struct __attribute__((aligned(4))) raw_spinlock {
	u16 owner;
	u16 next;
};
#define RAW_SPINLOCK_INIT { 0, 0 }

static inline void raw_spin_lock(struct raw_spinlock *l)
{
	u16 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

static inline bool raw_spin_trylock(struct raw_spinlock *l)
{
	u32 old = __atomic_load_n((u32 *)l, __ATOMIC_RELAXED);
	u16 owner = (u16)old, next = (u16)(old >> 16);

	if (owner != next)
		return false;
	/* Take ticket 'next' only if nobody else did meanwhile; acquire on success. */
	return __atomic_compare_exchange_n((u32 *)l, &old, old + (1U << 16), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void raw_spin_unlock(struct raw_spinlock *l)
{
	/* Only the holder writes owner, so a plain read then a release store suffices. */
	__atomic_store_n(&l->owner, (u16)(l->owner + 1), __ATOMIC_RELEASE);
}

#endif
