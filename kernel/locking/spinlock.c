/* Spinlock operations: the configured algorithm wrapped with preemption, owner, lockstat and lockdep. */
#include <locklab/spinlock.h>
#include LOCK_ALG_OPS /* alg_lock() ...: the configured algorithm's operations */
#include <locklab/lockdep.h>
#include <locklab/lockstat.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/preempt.h>
#include <locklab/sched.h>
#include <locklab/time.h>
#include <locklab/watchdog.h>
#include <asm/irqflags.h>

void spin_lock_init(struct spinlock *l, const char *name)
{
	*l = (struct spinlock)SPINLOCK_INIT(name);
}

/*
 * The contended half of an instrumented acquisition, out of line: the
 * uncontended path then makes no call of its own, needs no stack frame,
 * and costs lockstat only its counter updates (issue 12.8).
 */
static __attribute__((noinline)) void spin_lock_contended(struct spinlock *l)
{
	u64 t0 = time_counter(), waited;
	struct spinlock *outer = watchdog_wait_begin(l);

	alg_lock(&l->alg);
	watchdog_wait_end(outer);
	atomic_store_relaxed(&l->owner, (u16)smp_processor_id());
	waited = time_counter() - t0;
	/* counted by the release, after it lets go (lockstat.h), unless the hold is timed */
	if (!lockstat_acquired_later(&l->map, waited))
		sched_account_lock_wait(waited, false);
}

/* The body of spin_lock and spin_lock_nested, inlined into both (one call, no jump between them). */
static inline __attribute__((always_inline)) void spin_lock_common(struct spinlock *l, u32 subclass)
{
	preempt_disable();
	lockdep_acquire_nested(&l->map, false, subclass);
	/*
	 * owner is set as soon as the lock is ours, so an exception taken in
	 * the bookkeeping below already sees it held (printk relies on that).
	 */
	if (LOCKSTAT_ENABLED) {
		/* lockstat counts a contention when the first try fails, as Linux's LOCK_CONTENDED does. */
		if (__builtin_expect(alg_trylock(&l->alg), 1)) {
			atomic_store_relaxed(&l->owner, (u16)smp_processor_id());
			lockstat_acquired_uncontended(&l->map);
		} else {
			spin_lock_contended(l);
		}
	} else {
		/* without lockstat every acquisition is marked */
		struct spinlock *outer = watchdog_wait_begin(l);

		alg_lock(&l->alg);
		watchdog_wait_end(outer);
		atomic_store_relaxed(&l->owner, (u16)smp_processor_id());
	}
	lockdep_acquired_nested(&l->map, subclass);
}

/* spin_lock with a lockdep subclass (lockdep.h): for two locks of one class nested in a fixed order. */
void spin_lock_nested(struct spinlock *l, u32 subclass)
{
	spin_lock_common(l, subclass);
}

void spin_lock(struct spinlock *l)
{
	spin_lock_common(l, 0);
}

bool spin_trylock(struct spinlock *l)
{
	preempt_disable();
	lockdep_acquire(&l->map, true);
	if (!alg_trylock(&l->alg)) {
		lockstat_trylock_failed(&l->map);
		preempt_enable();
		return false;
	}
	atomic_store_relaxed(&l->owner, (u16)smp_processor_id());
	lockstat_acquired_uncontended(&l->map);
	lockdep_acquired(&l->map);
	return true;
}

/*
 * Everything spin_unlock does but re-enabling preemption; false if lockdep
 * refused the release. 'timed': the hold is being timed (lockstat), which
 * takes a call; the untimed release, by far the common one, makes none.
 */
static inline __attribute__((always_inline)) bool spin_release(struct spinlock *l, bool timed)
{
	u16 owner = atomic_load_relaxed(&l->owner);

	if (!lockdep_release(&l->map,
			     owner == SPIN_NO_OWNER	 ? LOCKDEP_OWNER_NONE :
			     owner == smp_processor_id() ? LOCKDEP_OWNER_ME :
							   LOCKDEP_OWNER_OTHER,
			     owner))
		/* reported: releasing it would corrupt the lock (and the preempt count) */
		return false;
	if (timed)
		lockstat_released(&l->map);
	else
		lockstat_released_untimed(&l->map);
	/* The owner is cleared before the release store, so a new owner's write cannot be lost. */
	atomic_store_relaxed(&l->owner, (u16)SPIN_NO_OWNER);
	alg_unlock(&l->alg);
	return true;
}

/*
 * The release of a contended acquisition still to be counted (lockstat.h):
 * its numbers are taken out of the lock, which may be freed once released,
 * and counted after the release. Out of line, like that acquisition.
 */
static __attribute__((noinline)) void spin_unlock_counting(struct spinlock *l, bool irqrestore,
							   u64 flags)
{
	struct lockstat_held_wait held;
	bool released;

	lockstat_take_held_wait(&l->map, &held);
	released = spin_release(l, lockstat_hold_timed(&l->map));
	if (released) {
		lockstat_count_held_wait(&held);
		sched_account_lock_wait(held.wait, false);
	}
	if (irqrestore)
		local_irq_restore(flags);
	if (released)
		preempt_enable();
}

/* Out of line, so that spin_unlock's usual path needs no stack frame. */
static __attribute__((noinline)) void spin_unlock_timed(struct spinlock *l)
{
	if (spin_release(l, true))
		preempt_enable();
}

void spin_unlock(struct spinlock *l)
{
	if (lockstat_held_wait_pending(&l->map))
		spin_unlock_counting(l, false, 0);
	else if (lockstat_hold_timed(&l->map))
		spin_unlock_timed(l);
	else if (spin_release(l, false))
		preempt_enable();
}

u64 spin_lock_irqsave(struct spinlock *l)
{
	u64 flags = local_irq_save();

	spin_lock(l);
	return flags;
}

/*
 * Interrupts first, then preemption, as Linux does: preempt_enable() is
 * the preemption point, and with interrupts still masked it could not act
 * on a wake-up of a local task made inside the section (it would wait for
 * the next tick).
 */
void spin_unlock_irqrestore(struct spinlock *l, u64 flags)
{
	bool released;

	if (lockstat_held_wait_pending(&l->map)) {
		spin_unlock_counting(l, true, flags);
		return;
	}
	released = spin_release(l, lockstat_hold_timed(&l->map));
	local_irq_restore(flags);
	if (released)
		preempt_enable();
}

bool spin_is_locked(struct spinlock *l)
{
	return alg_is_locked(&l->alg);
}

bool spin_held_by_me(struct spinlock *l)
{
	/* Only this CPU can have set owner to its own id, so a relaxed read is exact here. */
	return atomic_load_relaxed(&l->owner) == smp_processor_id();
}

void spin_assert_held(struct spinlock *l)
{
	if (!spin_held_by_me(l))
		panic("spin_assert_held: cpu%u does not hold %s", smp_processor_id(), l->map.name);
}
