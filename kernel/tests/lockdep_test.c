/* ktest suite "lockdep": planted inversion, double unlock and foreign unlock are reported, then recovered from. */
#include <locklab/ktest.h>
#include <locklab/lockdep.h>
#include <locklab/preempt.h>
#include <locklab/smp.h>
#include <locklab/spinlock.h>

#define TIMEOUT CONFIG_KTEST_CASE_TIMEOUT_MS

static struct spinlock lock_a = SPINLOCK_INIT("lockdep_test_a");
static struct spinlock lock_b = SPINLOCK_INIT("lockdep_test_b");
static struct spinlock lock_c = SPINLOCK_INIT("lockdep_test_c");

static void lockdep_silent_on_consistent_order(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_INVERSION);

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	for (int i = 0; i < 3; i++) {
		spin_lock(&lock_a);
		spin_lock(&lock_b);
		spin_unlock(&lock_b);
		spin_unlock(&lock_a);
	}
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before);
}

static void lockdep_reports_inversion(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_INVERSION), held = lockdep_held_count();

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	/* a -> b and b -> c are learnt; then c -> a closes a cycle through b. */
	spin_lock(&lock_a);
	spin_lock(&lock_b);
	spin_unlock(&lock_b);
	spin_unlock(&lock_a);
	spin_lock(&lock_b);
	spin_lock(&lock_c);
	spin_unlock(&lock_c);
	spin_unlock(&lock_b);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before);
	spin_lock(&lock_c);
	spin_lock(&lock_a); /* planted: a report is expected here, on one CPU it cannot deadlock */
	spin_unlock(&lock_a);
	spin_unlock(&lock_c);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before + 1);
	KT_EXPECT_EQ(t, lockdep_held_count(), held);
}

static void lockdep_reports_double_unlock(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_UNLOCK_UNHELD), preempt = preempt_count();

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	spin_lock(&lock_a);
	spin_unlock(&lock_a);
	spin_unlock(&lock_a); /* planted */
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_UNLOCK_UNHELD), before + 1);
	/* Recovered: the bad unlock was skipped, so the lock and the preempt count still work. */
	KT_EXPECT_EQ(t, preempt_count(), preempt);
	KT_EXPECT(t, spin_trylock(&lock_a));
	spin_unlock(&lock_a);
	KT_EXPECT(t, !spin_is_locked(&lock_a));
}

static void unlock_a(void *arg)
{
	(void)arg;
	spin_unlock(&lock_a);
}

static void lockdep_reports_unlock_by_another_cpu(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_UNLOCK_NONOWNER);

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	u32 other = ktest_other_cpu();
	if (other == CONFIG_NR_CPUS)
		KT_SKIP(t, "needs a second CPU");
	spin_lock(&lock_a);
	KT_ASSERT(t, smp_call_on(other, unlock_a, NULL, true, TIMEOUT) == 0); /* planted */
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_UNLOCK_NONOWNER), before + 1);
	KT_EXPECT(t, spin_held_by_me(&lock_a)); /* still ours */
	spin_unlock(&lock_a);
	KT_EXPECT(t, !spin_is_locked(&lock_a));
}

static const struct ktest_case lockdep_cases[] = {
	KTEST_CASE(lockdep_silent_on_consistent_order),
	KTEST_CASE(lockdep_reports_inversion),
	KTEST_CASE(lockdep_reports_double_unlock),
	KTEST_CASE(lockdep_reports_unlock_by_another_cpu),
};
KTEST_SUITE(lockdep, "lockdep", lockdep_cases);

/* Planted recursion (run only when named): certain deadlock, so lockdep reports it and panics. */
static void lockdep_recursion_panics(struct ktest *t)
{
	t->expectations++;
	spin_lock(&lock_b);
	spin_lock(&lock_b);
}

static const struct ktest_case recursion_cases[] = {
	KTEST_CASE(lockdep_recursion_panics),
};
KTEST_SUITE_EXPLICIT(selftest_lock_recursion, "selftest_lock_recursion", recursion_cases);
