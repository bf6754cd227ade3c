/* Ticket spinlock: take the next number, wait until it is served. FIFO. */
#ifndef LOCKLAB_LOCKING_TICKET_H
#define LOCKLAB_LOCKING_TICKET_H

#include <locklab/locking/lock_words.h>
#include <asm/spin_wait.h>

static inline void ticket_lock(struct ticket_lock *l)
{
	/* Relaxed: taking a number orders nothing; the acquire is in the wait below. */
	u16 me = atomic_fetch_add_relaxed(&l->next, (u16)1);

	if (atomic_load_acquire(&l->owner) != me)
		wait_until_eq_u16(&l->owner, me);
}

static inline bool ticket_trylock(struct ticket_lock *l)
{
	u32 old = atomic_load_relaxed(&l->word);

	if ((u16)old != (u16)(old >> 16))
		return false; /* someone holds or waits: a trylock must not queue */
	/* Take ticket 'next' only if nobody did meanwhile; acquire on success. */
	return atomic_cmpxchg_acquire(&l->word, &old, old + (1U << 16));
}

static inline void ticket_unlock(struct ticket_lock *l)
{
	/* Only the holder writes 'owner': a plain read, then a release store to serve the next. */
	atomic_store_release(&l->owner, (u16)(l->owner + 1));
}

static inline bool ticket_is_locked(struct ticket_lock *l)
{
	u32 w = atomic_load_relaxed(&l->word);

	return (u16)w != (u16)(w >> 16);
}

#endif
