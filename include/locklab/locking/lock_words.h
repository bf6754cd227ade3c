/* The lock words of the four spinlock algorithms, what struct spinlock embeds; their operations are in tas.h ... mcs.h. */
#ifndef LOCKLAB_LOCKING_LOCK_WORDS_H
#define LOCKLAB_LOCKING_LOCK_WORDS_H

/*
 * Apart from the operations so that the many files that embed a spinlock
 * (struct task, a wait queue...) do not see how a waiter waits: the
 * operations use asm/spin_wait.h, which depends on the Kconfig choice
 * SPIN_WAIT_BUSY/WFE, and only the code that takes the lock word
 * (kernel/locking/spinlock.c) needs them. scripts/fixdep.awk makes an
 * object depend on every symbol its headers mention (comments too: the
 * choice is named here without its prefix), so with the operations here
 * every object was rebuilt between a busy and a wfe variant of make
 * check's lock matrix.
 */
#include <locklab/types.h>

/* Test-and-set (tas.h). */
struct tas_lock {
	u32 word; /* 0 free, 1 held */
};
#define TAS_LOCK_INIT \
	{             \
		0     \
	}

/* Test-and-test-and-set (ttas.h). */
struct ttas_lock {
	u32 word; /* 0 free, 1 held */
};
#define TTAS_LOCK_INIT \
	{              \
		0      \
	}

/* Ticket (ticket.h): one 32-bit word, 'owner' (now serving) in the low half, 'next' (next ticket) in the high half. */
struct ticket_lock {
	union {
		u32 word;
		struct {
			u16 owner;
			u16 next;
		};
	};
};
#define TICKET_LOCK_INIT  \
	{                 \
		{         \
			0 \
		}         \
	}

/* MCS (mcs.h). Queue node: one per lock a CPU holds or waits for, from a small per-CPU pool (mcs.c). */
struct mcs_node {
	struct mcs_node *next; /* successor, written by it (release) */
	u32 locked;	       /* set to 1 by our predecessor when it hands over (release) */
} __attribute__((aligned(64)));

struct mcs_lock {
	/* last waiter, NULL if free; swapped atomically by every arrival */
	struct mcs_node *tail;
	/*
	 * The holder's node: written after acquiring, read at release. In a
	 * line of its own, so the holder's write does not take the line that
	 * arrivals swap 'tail' in (a hand-over should touch only the next
	 * waiter's node).
	 */
	struct mcs_node *holder __attribute__((aligned(64)));
};
#define MCS_LOCK_INIT      \
	{                  \
		NULL, NULL \
	}

#endif
