/* MCS queue spinlock: each waiter spins on its own node; the holder hands over to its successor. */
#ifndef LOCKLAB_LOCKING_MCS_H
#define LOCKLAB_LOCKING_MCS_H

#include <locklab/locking/lock_words.h>
#include <asm/spin_wait.h>

/* Nodes may be nested (a lock taken while holding others, or in an IRQ): 16 per CPU, as lockdep's depth. */
#define MCS_NODES_PER_CPU 16
struct mcs_node *mcs_node_get(void);
void mcs_node_put(struct mcs_node *n);
u32 mcs_nodes_in_use(u32 cpu); /* for tests */

static inline void mcs_lock(struct mcs_lock *l)
{
	struct mcs_node *node = mcs_node_get(), *prev;

	node->next = NULL;
	node->locked = 0;
	/*
	 * Acq_rel swap: release publishes the node's initialisation before a
	 * successor can find it through 'tail'; acquire pairs with the
	 * previous holder's release when the lock was free (prev == NULL).
	 */
	prev = atomic_xchg_acq_rel(&l->tail, node);
	if (prev) {
		/* Release: our node is initialised before prev's holder follows the link. */
		atomic_store_release(&prev->next, node);
		wait_until_ne_u32(&node->locked, 0U); /* acquire: pairs with the hand-over */
	}
	l->holder = node;
}

static inline bool mcs_trylock(struct mcs_lock *l)
{
	struct mcs_node *node, *expected = NULL;

	if (atomic_load_relaxed(&l->tail))
		return false;
	node = mcs_node_get();
	node->next = NULL;
	node->locked = 0;
	/* Acq_rel: the node's initialisation must be visible before a successor links to it. */
	if (!atomic_cmpxchg_acq_rel(&l->tail, &expected, node)) {
		mcs_node_put(node);
		return false;
	}
	l->holder = node;
	return true;
}

static inline void mcs_unlock(struct mcs_lock *l)
{
	struct mcs_node *node = l->holder;
	struct mcs_node *next = atomic_load_acquire(&node->next);

	if (!next) {
		struct mcs_node *expected = node;

		/* Nobody queued: free the lock (release publishes the critical section). */
		if (atomic_cmpxchg_release(&l->tail, &expected, NULL)) {
			mcs_node_put(node);
			return;
		}
		/* A successor swapped 'tail' but has not linked itself yet: wait for it. */
		next = (struct mcs_node *)wait_until_ne_u64((u64 *)&node->next, 0);
	}
	/* Release: hand over the critical section's writes with the lock. */
	atomic_store_release(&next->locked, 1U);
	mcs_node_put(node);
}

static inline bool mcs_is_locked(struct mcs_lock *l)
{
	return atomic_load_relaxed(&l->tail) != NULL;
}

#endif
