/* ktest suite "spinlock": the configured algorithm excludes, try-locks, nests and tracks its owner. */
#include <locklab/ktest.h>
#include <locklab/lockdep.h>
#include <locklab/percpu.h>
#include <locklab/preempt.h>
#include <locklab/smp.h>
#include <locklab/spinlock.h>
#include LOCK_ALG_OPS /* alg_nodes_in_use() */
#include <locklab/time.h>
#include <asm/irqflags.h>

#define TIMEOUT CONFIG_KTEST_CASE_TIMEOUT_MS
#define ROUNDS	2000

static struct spinlock excl_lock = SPINLOCK_INIT("spinlock_test");
static u64 excl_counter; /* guarded by excl_lock; updated non-atomically on purpose */

static u32 excl_arrived; /* atomic: start barrier, so all CPUs really overlap */

static void increment_many(void *arg)
{
	u32 n = (u32)(u64)arg;
	u64 deadline = time_counter() + (u64)TIMEOUT * time_freq() / 1000;

	__atomic_fetch_add(&excl_arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&excl_arrived, __ATOMIC_ACQUIRE) < n && time_counter() < deadline)
		cpu_relax();
	for (u32 i = 0; i < ROUNDS; i++) {
		spin_lock(&excl_lock);
		/*
		 * Read, pause, write: a second holder would lose an update. The
		 * pause is a YIELD, where QEMU's round-robin TCG switches vCPUs,
		 * so others do run while we hold the lock.
		 */
		u64 v = *(volatile u64 *)&excl_counter;
		cpu_relax();
		*(volatile u64 *)&excl_counter = v + 1;
		spin_unlock(&excl_lock);
	}
}

static void spinlock_excludes_across_cpus(struct ktest *t)
{
	u32 n;

	excl_counter = 0;
	excl_arrived = 0;
	n = ktest_on_each_cpu(increment_many, (void *)(u64)cpus_online(), TIMEOUT);
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
	KT_ASSERT(t, spin_trylock(&try_lock)); /* free: succeeds */
	KT_EXPECT(t, spin_held_by_me(&try_lock));
	KT_EXPECT(t, !spin_trylock(&try_lock)); /* held (by us): fails, no deadlock */
	spin_unlock(&try_lock);
	KT_EXPECT(t, !spin_is_locked(&try_lock));
	u32 other = ktest_other_cpu();
	if (other == CONFIG_NR_CPUS)
		return;
	/* Held by another CPU: fails, and succeeds once released there. */
	KT_ASSERT(t, smp_call_on(other, take_try_lock, NULL, true, TIMEOUT) == 0);
	KT_EXPECT(t, spin_is_locked(&try_lock));
	KT_EXPECT(t, !spin_held_by_me(&try_lock));
	KT_EXPECT(t, !spin_trylock(&try_lock));
	KT_ASSERT(t, smp_call_on(other, drop_try_lock, NULL, true, TIMEOUT) == 0);
	KT_EXPECT(t, spin_trylock(&try_lock));
	spin_unlock(&try_lock);
}

#define NEST 6
_Static_assert(NEST <= LOCKDEP_SUBCLASSES, "a subclass per lock");
/*
 * One class, each taken as a subclass of its own in index order, so lockdep
 * learns one consistent order (without subclasses it would report the
 * same-class nesting). Retaking a released lock while later ones are held
 * goes against that order, so the retakes are trylocks, which learn no
 * order; they take an MCS node as a lock does.
 */
static struct spinlock nest_locks[NEST] = {
	SPINLOCK_INIT("spinlock_nest"), SPINLOCK_INIT("spinlock_nest"),
	SPINLOCK_INIT("spinlock_nest"), SPINLOCK_INIT("spinlock_nest"),
	SPINLOCK_INIT("spinlock_nest"), SPINLOCK_INIT("spinlock_nest"),
};

/*
 * Nested locks, released out of order and retaken while others are still
 * held: MCS needs one queue node per held lock, and a node freed in the
 * middle must be reused without disturbing the ones still in use.
 */
static void spinlock_nesting_out_of_order(struct ktest *t)
{
	u32 preempt_before = preempt_count(), cpu = smp_processor_id();
	u32 nodes_before = alg_nodes_in_use(cpu);

	for (int round = 0; round < 100; round++) {
		for (int i = 0; i < NEST; i++)
			spin_lock_nested(&nest_locks[i], (u32)i);
		KT_EXPECT_EQ(t, preempt_count(), preempt_before + NEST);
		for (int i = 0; i < NEST; i += 2) /* evens first ... */
			spin_unlock(&nest_locks[i]);
		for (int i = 0; i < NEST; i += 2) /* ... retaken while the odds are held ... */
			KT_EXPECT(t, spin_trylock(&nest_locks[i]));
		for (int i = 0; i < NEST; i++)
			KT_EXPECT(t, spin_held_by_me(&nest_locks[i]));
		if (LOCK_ALG_NODES) /* MCS: one node per held lock */
			KT_EXPECT_EQ(t, alg_nodes_in_use(cpu), nodes_before + NEST);
		for (int i = 1; i < NEST; i += 2) /* ... then odds, then evens */
			spin_unlock(&nest_locks[i]);
		for (int i = 0; i < NEST; i += 2)
			spin_unlock(&nest_locks[i]);
	}
	KT_EXPECT_EQ(t, alg_nodes_in_use(cpu), nodes_before);
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
KTEST_SUITE(spinlock, spinlock_cases);
