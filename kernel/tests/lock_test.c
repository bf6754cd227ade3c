/* ktest suite "spinlock": the configured algorithm excludes, try-locks, nests and tracks its owner. */
#include <locklab/ktest.h>
#include <locklab/percpu.h>
#include <locklab/preempt.h>
#include <locklab/smp.h>
#include <locklab/spinlock.h>
#include <locklab/time.h>
#include <asm/irqflags.h>

#define TIMEOUT CONFIG_KTEST_CASE_TIMEOUT_MS
#define ROUNDS 2000

static struct spinlock excl_lock = SPINLOCK_INIT("spinlock_test");
static u64 excl_counter; /* guarded by excl_lock; updated non-atomically on purpose */

static void increment_many(void *arg)
{
	(void)arg;
	for (u32 i = 0; i < ROUNDS; i++) {
		spin_lock(&excl_lock);
		/* Read, pause, write: a second holder would lose an update. */
		u64 v = *(volatile u64 *)&excl_counter;
		__asm__ volatile("" : : : "memory");
		*(volatile u64 *)&excl_counter = v + 1;
		spin_unlock(&excl_lock);
	}
}

static void spinlock_excludes_across_cpus(struct ktest *t)
{
	u32 n;

	excl_counter = 0;
	n = ktest_on_each_cpu(increment_many, NULL, TIMEOUT);
	KT_EXPECT_EQ(t, n, cpus_online());
	KT_EXPECT_EQ(t, excl_counter, (u64)n * ROUNDS);
	KT_EXPECT(t, !spin_is_locked(&excl_lock));
}

static struct spinlock try_lock = SPINLOCK_INIT("spinlock_try");

static void take_try_lock(void *arg)
{
	(void)arg;
	spin_lock(&try_lock);
}

static void drop_try_lock(void *arg)
{
	(void)arg;
	spin_unlock(&try_lock);
}

static void spinlock_trylock(struct ktest *t)
{
	KT_ASSERT(t, spin_trylock(&try_lock));  /* free: succeeds */
	KT_EXPECT(t, spin_held_by_me(&try_lock));
	KT_EXPECT(t, !spin_trylock(&try_lock)); /* held (by us): fails, no deadlock */
	spin_unlock(&try_lock);
	KT_EXPECT(t, !spin_is_locked(&try_lock));
	if (cpus_online() < 2)
		return;
	/* Held by another CPU: fails, and succeeds once released there. */
	KT_ASSERT(t, smp_call_on(1, take_try_lock, NULL, true, TIMEOUT) == 0);
	KT_EXPECT(t, spin_is_locked(&try_lock));
	KT_EXPECT(t, !spin_held_by_me(&try_lock));
	KT_EXPECT(t, !spin_trylock(&try_lock));
	KT_ASSERT(t, smp_call_on(1, drop_try_lock, NULL, true, TIMEOUT) == 0);
	KT_EXPECT(t, spin_trylock(&try_lock));
	spin_unlock(&try_lock);
}

#define NEST 6
static struct spinlock nest_locks[NEST] = {
	SPINLOCK_INIT("spinlock_nest0"), SPINLOCK_INIT("spinlock_nest1"), SPINLOCK_INIT("spinlock_nest2"),
	SPINLOCK_INIT("spinlock_nest3"), SPINLOCK_INIT("spinlock_nest4"), SPINLOCK_INIT("spinlock_nest5"),
};

/* Nested locks, released out of order (MCS needs a queue node per held lock). */
static void spinlock_nesting_out_of_order(struct ktest *t)
{
	u32 preempt_before = preempt_count();

	for (int round = 0; round < 100; round++) {
		for (int i = 0; i < NEST; i++)
			spin_lock(&nest_locks[i]);
		KT_EXPECT_EQ(t, preempt_count(), preempt_before + NEST);
		for (int i = 0; i < NEST; i += 2) /* evens first, then odds */
			spin_unlock(&nest_locks[i]);
		for (int i = 1; i < NEST; i += 2)
			spin_unlock(&nest_locks[i]);
	}
	for (int i = 0; i < NEST; i++)
		KT_EXPECT(t, !spin_is_locked(&nest_locks[i]));
	KT_EXPECT_EQ(t, preempt_count(), preempt_before);
}

static void spinlock_irqsave_masks_and_restores(struct ktest *t)
{
	u64 flags;

	KT_ASSERT(t, !irqs_disabled());
	flags = spin_lock_irqsave(&excl_lock);
	KT_EXPECT(t, irqs_disabled());
	KT_EXPECT(t, spin_held_by_me(&excl_lock));
	spin_unlock_irqrestore(&excl_lock, flags);
	KT_EXPECT(t, !irqs_disabled());
	KT_EXPECT(t, !spin_held_by_me(&excl_lock));
}

static void spinlock_owner_and_preempt_count(struct ktest *t)
{
	u32 before = preempt_count();

	spin_lock(&excl_lock);
	KT_EXPECT(t, spin_held_by_me(&excl_lock));
	KT_EXPECT(t, spin_is_locked(&excl_lock));
	KT_EXPECT_EQ(t, preempt_count(), before + 1); /* the scheduler must not preempt a holder */
	spin_unlock(&excl_lock);
	KT_EXPECT(t, !spin_held_by_me(&excl_lock));
	KT_EXPECT_EQ(t, preempt_count(), before);
}

static const struct ktest_case spinlock_cases[] = {
	KTEST_CASE(spinlock_excludes_across_cpus),
	KTEST_CASE(spinlock_trylock),
	KTEST_CASE(spinlock_nesting_out_of_order),
	KTEST_CASE(spinlock_irqsave_masks_and_restores),
	KTEST_CASE(spinlock_owner_and_preempt_count),
};
KTEST_SUITE(spinlock, "spinlock", spinlock_cases);
