/* Sleeping mutex with optional adaptive spinning (spin while the owner runs, else sleep). */
#include <locklab/mutex.h>
#include <locklab/lockdep.h>
#include <locklab/lockstat.h>
#include <locklab/panic.h>
#include <locklab/preempt.h>
#include <locklab/time.h>
#include <asm/atomic.h>

void mutex_init(struct mutex *m, const char *name, bool adaptive)
{
	m->owner = NULL;
	/* The wait queue's spinlock is a class of its own: "mutex_wait" for every mutex. */
	wait_queue_init(&m->wq, "mutex_wait");
	m->adaptive = adaptive;
	m->map = (struct lock_map)LOCK_MAP_INIT(name);
}

/* The bare attempt, without the instruments. */
static bool mutex_try(struct mutex *m)
{
	struct task *expected = NULL;

	/* Acquire: the critical section starts after we own it. */
	return atomic_cmpxchg_acquire(&m->owner, &expected, current_task());
}

bool mutex_trylock(struct mutex *m)
{
	lockdep_acquire(&m->map, true);
	if (!mutex_try(m)) {
		lockstat_trylock_failed(&m->map);
		return false;
	}
	lockstat_acquired(&m->map, false, 0);
	lockdep_acquired(&m->map);
	return true;
}

/* mutex_lock with a lockdep subclass (lockdep.h): for two mutexes of one class nested in a fixed order. */
void mutex_lock_nested(struct mutex *m, u32 subclass)
{
	u64 t0;
	bool slept = false;

	if (!LOCKDEP_ENABLED && atomic_load_relaxed(&m->owner) == current_task())
		panic("mutex %s: recursive lock by %s", m->map.name, current_task()->name);
	/* Before the attempt: a free mutex would not sleep this time, but the next may. */
	if (LOCKDEP_ENABLED && preempt_count())
		lockdep_might_sleep(&m->map, preempt_count());
	lockdep_acquire_nested(&m->map, false, subclass); /* reports and panics on recursion */
	if (mutex_try(m)) {
		lockstat_acquired(&m->map, false, 0);
		lockdep_acquired_nested(&m->map, subclass);
		return;
	}
	t0 = time_counter();
	while (!mutex_try(m)) {
		struct task *owner = atomic_load_relaxed(&m->owner);

		/*
		 * Adaptive: an owner that is running will likely release soon,
		 * cheaper to wait for than a sleep and a wake-up. One that is
		 * not running (preempted, asleep) will not: sleep. The owner
		 * pointer may be stale, but tasks live in a static pool
		 * (kernel/sched/task.c) and are never freed, so reading on_cpu
		 * through it is safe. The wait only reads the mutex (as Linux's
		 * mutex_spin_on_owner): a compare-and-swap on each pass would
		 * take its cache line from the owner even when it fails.
		 */
		if (m->adaptive && owner && atomic_load_relaxed(&owner->on_cpu)) {
			while (atomic_load_relaxed(&m->owner) == owner &&
			       atomic_load_relaxed(&owner->on_cpu))
				cpu_relax();
			continue;
		}
		/*
		 * Marked asleep before the retry: an unlock in between wakes us
		 * (wait.h). Sleeping to acquire keeps every lock we hold: under
		 * SUBSYS a task in fs that waits for mm_lock must still own
		 * fs_lock when it gets mm_lock, or another task could enter fs
		 * in the middle of its operation.
		 */
		slept = true;
		wait_event_holding(&m->wq, mutex_try(m));
		break;
	}
	u64 waited = time_counter() - t0;
	lockstat_acquired(&m->map, true, waited);
	sched_account_lock_wait(waited, slept);
	lockdep_acquired_nested(&m->map, subclass);
}

void mutex_lock(struct mutex *m)
{
	mutex_lock_nested(m, 0);
}

void mutex_unlock(struct mutex *m)
{
	struct task *owner = atomic_load_relaxed(&m->owner);

	if (!LOCKDEP_ENABLED && owner != current_task())
		panic("mutex %s: unlocked by %s, which does not hold it", m->map.name,
		      current_task()->name);
	if (!lockdep_release(&m->map,
			     !owner		     ? LOCKDEP_OWNER_NONE :
			     owner == current_task() ? LOCKDEP_OWNER_ME :
						       LOCKDEP_OWNER_OTHER,
			     owner ? owner->cpu : 0))
		return; /* reported; releasing another task's mutex would break its exclusion */
	lockstat_released(&m->map);
	atomic_store_release(&m->owner, NULL); /* release: publish the critical section */
	wake_up(&m->wq);		       /* all waiters retry; one wins */
}

bool mutex_held_by_me(struct mutex *m)
{
	return atomic_load_relaxed(&m->owner) == current_task();
}

bool mutex_is_locked(struct mutex *m)
{
	return atomic_load_relaxed(&m->owner) != NULL;
}
