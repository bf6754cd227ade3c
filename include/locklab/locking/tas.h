/* Test-and-set spinlock: swap 1 in until the old value was 0. */
#ifndef LOCKLAB_LOCKING_TAS_H
#define LOCKLAB_LOCKING_TAS_H

#include <locklab/locking/lock_words.h>
#include <asm/spin_wait.h>

static inline bool tas_trylock(struct tas_lock *l)
{
	/* Acquire: the critical section cannot start before we own the word. */
	return atomic_xchg_acquire(&l->word, 1U) == 0;
}

static inline void tas_lock(struct tas_lock *l)
{
	/* Every attempt is a write: that traffic is what TAS demonstrates. */
	while (!tas_trylock(l))
		lock_pause_u32(&l->word, 1);
}

static inline void tas_unlock(struct tas_lock *l)
{
	/* Release: the critical section's accesses complete before the word reads free. */
	atomic_store_release(&l->word, 0U);
}

static inline bool tas_is_locked(struct tas_lock *l)
{
	return atomic_load_relaxed(&l->word) != 0;
}

#endif
