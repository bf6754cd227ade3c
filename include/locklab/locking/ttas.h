/* Test-and-test-and-set spinlock: read until free, then try the swap. */
#ifndef LOCKLAB_LOCKING_TTAS_H
#define LOCKLAB_LOCKING_TTAS_H

#include <locklab/locking/lock_words.h>
#include <asm/spin_wait.h>

static inline bool ttas_trylock(struct ttas_lock *l)
{
	/* Test first: a held lock costs a shared read, not an exclusive write. */
	if (atomic_load_relaxed(&l->word) != 0)
		return false;
	return atomic_xchg_acquire(&l->word, 1U) == 0; /* acquire: owns the critical section */
}

static inline void ttas_lock(struct ttas_lock *l)
{
	for (;;) {
		wait_until_eq_u32(&l->word, 0U); /* spin on our cached copy */
		if (atomic_xchg_acquire(&l->word, 1U) == 0)
			return;
	}
}

static inline void ttas_unlock(struct ttas_lock *l)
{
	atomic_store_release(&l->word, 0U); /* release: publish the critical section */
}

static inline bool ttas_is_locked(struct ttas_lock *l)
{
	return atomic_load_relaxed(&l->word) != 0;
}

#endif
