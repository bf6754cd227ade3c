/* Sleeping mutex: a waiter sleeps on a wait queue, or (adaptive) spins while the owner is running. */
#ifndef LOCKLAB_MUTEX_H
#define LOCKLAB_MUTEX_H

#include <locklab/wait.h>

struct mutex {
	struct task *owner;    /* atomic: NULL when free; set by CAS (acquire), cleared by release */
	struct wait_queue wq;  /* tasks asleep waiting for it */
	bool adaptive;         /* spin while the owner is on a CPU, sleep otherwise */
	const char *name;
};

void mutex_init(struct mutex *m, const char *name, bool adaptive);
bool mutex_trylock(struct mutex *m);
void mutex_lock(struct mutex *m);   /* may sleep: task context only */
void mutex_unlock(struct mutex *m);
bool mutex_held_by_me(struct mutex *m);

#endif
