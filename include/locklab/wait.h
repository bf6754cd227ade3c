/* Wait queues: sleep until a condition holds, releasing the strategy's real lock while asleep. */
#ifndef LOCKLAB_WAIT_H
#define LOCKLAB_WAIT_H

#include <locklab/sched.h>
#include <locklab/spinlock.h>

struct klock;

/* An entry lives on the sleeper's stack for the duration of one wait_event(). */
struct wait_entry {
	struct task *task;
	struct wait_entry *next; /* guarded by the queue's lock */
};

struct wait_queue {
	struct spinlock lock;	 /* infrastructure lock: nests inside the strategy's locks */
	struct wait_entry *head; /* guarded by lock */
};
#define WAIT_QUEUE_INIT(name)             \
	{                                 \
		SPINLOCK_INIT(name), NULL \
	}

void wait_queue_init(struct wait_queue *wq, const char *name);
void wait_add(struct wait_queue *wq, struct wait_entry *e);
void wait_remove(struct wait_queue *wq, struct wait_entry *e);
/* Releases whatever 'held' maps to under the strategy (and the BKL/subsystem locks), sleeps, retakes them. */
void wait_block(struct klock *held);
/*
 * Sleeps keeping every lock the task holds: for a task waiting to
 * *acquire* a lock (mutex_lock). Releasing the coarse locks there would
 * split the caller's critical section in two behind its back; lock order
 * already rules out the deadlock that releasing avoids for event waits.
 */
void wait_block_holding(void);
/* Wakes every task waiting on wq; returns how many were asleep. */
u32 wake_up(struct wait_queue *wq);
/* How many tasks are in a wait on wq now (for tests: "is it waiting yet?"). */
u32 wait_queue_waiters(struct wait_queue *wq);

/* The loop both waits share; 'sleep' is the statement that blocks. */
#define __wait_event(wq, cond, sleep)        \
	do {                                 \
		struct wait_entry __we;      \
		wait_add(wq, &__we);         \
		for (;;) {                   \
			task_set_sleeping(); \
			if (cond)            \
				break;       \
			sleep;               \
		}                            \
		task_set_running();          \
		wait_remove(wq, &__we);      \
	} while (0)

/*
 * wait_event(wq, cond, lock): wait for an event. Call with the effective
 * lock of 'lock' held; returns with it held and cond true. No lost
 * wake-ups: the task is marked asleep before cond is tested, and a waker
 * that changes cond (under the same lock) and calls wake_up() finds it
 * marked and makes it runnable, even if it has not switched away yet.
 * cond is re-tested after every wake-up. 'lock' may be NULL when no
 * strategy lock is held. While asleep the task holds none of the
 * strategy's coarse locks (the BKL, subsystem locks), as Linux dropped
 * the BKL on schedule().
 */
#define wait_event(wq, cond, lock) __wait_event(wq, cond, wait_block(lock))

/* wait_event_holding(wq, cond): wait to acquire a lock; every lock held stays held (wait_block_holding). */
#define wait_event_holding(wq, cond) __wait_event(wq, cond, wait_block_holding())

#endif
