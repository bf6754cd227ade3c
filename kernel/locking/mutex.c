/* Sleeping mutex with optional adaptive spinning (spin while the owner runs, else sleep). */
#include <locklab/mutex.h>
#include <locklab/panic.h>
#include <asm/atomic.h>

void mutex_init(struct mutex *m, const char *name, bool adaptive)
{
	m->owner = NULL;
	wait_queue_init(&m->wq, name);
	m->adaptive = adaptive;
	m->name = name;
}

bool mutex_trylock(struct mutex *m)
{
	struct task *expected = NULL;

	/* Acquire: the critical section starts after we own it. */
	return atomic_cmpxchg_acquire(&m->owner, &expected, current_task());
}

void mutex_lock(struct mutex *m)
{
	if (atomic_load_relaxed(&m->owner) == current_task())
		panic("mutex %s: recursive lock by %s", m->name, current_task()->name);
	while (!mutex_trylock(m)) {
		struct task *owner = atomic_load_relaxed(&m->owner);

		/*
		 * Adaptive: an owner that is running will likely release soon,
		 * cheaper to wait for than a sleep and a wake-up. One that is
		 * not running (preempted, asleep) will not: sleep.
		 */
		if (m->adaptive && owner && atomic_load_relaxed(&owner->on_cpu)) {
			cpu_relax();
			continue;
		}
		/* Marked asleep before the retry: an unlock in between wakes us (wait.h). */
		wait_event(&m->wq, mutex_trylock(m), NULL);
		return;
	}
}

void mutex_unlock(struct mutex *m)
{
	if (atomic_load_relaxed(&m->owner) != current_task())
		panic("mutex %s: unlocked by %s, which does not hold it", m->name, current_task()->name);
	atomic_store_release(&m->owner, NULL); /* release: publish the critical section */
	wake_up(&m->wq); /* all waiters retry; one wins */
}

bool mutex_held_by_me(struct mutex *m)
{
	return atomic_load_relaxed(&m->owner) == current_task();
}
