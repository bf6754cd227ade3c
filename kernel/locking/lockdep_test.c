/* ktest suite "lockdep": planted inversion, same-class nesting, mutex under a spinlock, double unlock and foreign unlock (spinlock and mutex) are reported and recovered from; held locks follow the task; subclasses order locks of one class; no order is made up through the overflow class. */
#include <locklab/klock.h>
#include <locklab/ktest.h>
#include <locklab/lock_class.h>
#include <locklab/lockdep.h>
#include <locklab/mutex.h>
#include <locklab/sched.h>
#include <locklab/preempt.h>
#include <locklab/printf.h>
#include <locklab/smp.h>
#include <locklab/spinlock.h>
#include <asm/atomic.h>

#define TIMEOUT CONFIG_KTEST_CASE_TIMEOUT_MS

static struct spinlock lock_a = SPINLOCK_INIT("lockdep_test_a");
static struct spinlock lock_b = SPINLOCK_INIT("lockdep_test_b");
static struct spinlock lock_c = SPINLOCK_INIT("lockdep_test_c");

static void lockdep_silent_on_consistent_order(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_INVERSION), same = lockdep_reports(LOCKDEP_SAME_CLASS);

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	for (int i = 0; i < 3; i++) {
		spin_lock(&lock_a);
		spin_lock(&lock_b);
		spin_unlock(&lock_b);
		spin_unlock(&lock_a);
	}
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before);
	/* two classes: an order, not a same-class nesting */
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SAME_CLASS), same);
}

/*
 * Two objects of one class nested without a subclass, each way round (two
 * pipes, p in q, then q in p): the AB-BA deadlock between two tasks that
 * an inversion report would catch for two classes. Both orders are one
 * edge (the class to itself), so lockdep reports the nesting itself, once
 * per class: spinlocks, then mutexes (whose own order is learnt too).
 */
static struct spinlock pair_p = SPINLOCK_INIT("lockdep_test_pair");
static struct spinlock pair_q = SPINLOCK_INIT("lockdep_test_pair");
static struct mutex mpair_p, mpair_q;

#define NEST_BOTH_WAYS(lock, unlock, p, q)     \
	do {                                   \
		for (int i = 0; i < 2; i++) {  \
			lock(p);               \
			lock(q); /* planted */ \
			unlock(q);             \
			unlock(p);             \
			lock(q);               \
			lock(p); /* planted */ \
			unlock(p);             \
			unlock(q);             \
		}                              \
	} while (0)

static void lockdep_reports_same_class_nesting(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_SAME_CLASS), held = lockdep_held_count();
	u32 inversions = lockdep_reports(LOCKDEP_INVERSION);

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	NEST_BOTH_WAYS(spin_lock, spin_unlock, &pair_p, &pair_q);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SAME_CLASS), before + 1);
	mutex_init(&mpair_p, "lockdep_test_mpair", false);
	mutex_init(&mpair_q, "lockdep_test_mpair", false);
	NEST_BOTH_WAYS(mutex_lock, mutex_unlock, &mpair_p, &mpair_q);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SAME_CLASS), before + 2);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), inversions); /* not an inversion too */
	KT_EXPECT_EQ(t, lockdep_held_count(), held);
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

/*
 * A mutex taken with a spinlock held sleeps if it is contended, which
 * panics (wait_event's check). That it was free this time does not make
 * the code right: reported at the call, once per mutex class, and the
 * caller goes on. Without a spinlock held, nothing.
 */
static struct spinlock atomic_lock = SPINLOCK_INIT("lockdep_test_atomic");
static struct mutex free_mutex;

static void lockdep_reports_mutex_under_spinlock(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_SLEEP_SPINLOCK), held = lockdep_held_count();

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	mutex_init(&free_mutex, "lockdep_test_might_sleep", false);
	mutex_lock(&free_mutex);
	mutex_unlock(&free_mutex);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SLEEP_SPINLOCK), before);
	for (int i = 0; i < 2; i++) {
		spin_lock(&atomic_lock);
		mutex_lock(&free_mutex); /* planted: free, so it does not sleep this time */
		mutex_unlock(&free_mutex);
		spin_unlock(&atomic_lock);
	}
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SLEEP_SPINLOCK), before + 1);
	KT_EXPECT(t, !mutex_is_locked(&free_mutex));
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

/* A mutex belongs to a task: another task's unlock is reported and skipped, on any CPU. */
static struct mutex owned_mutex;

static void unlock_owned_mutex(void *arg)
{
	(void)arg;
	mutex_unlock(&owned_mutex); /* planted */
}

static void lockdep_reports_mutex_unlock_by_another_task(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_UNLOCK_NONOWNER), held = lockdep_held_count();
	struct task *intruder;

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	mutex_init(&owned_mutex, "lockdep_test_owned", false);
	mutex_lock(&owned_mutex);
	intruder = task_create("intruder", unlock_owned_mutex, NULL, TASK_ANY_CPU);
	KT_ASSERT(t, intruder);
	task_join(intruder);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_UNLOCK_NONOWNER), before + 1);
	KT_EXPECT(t, mutex_held_by_me(&owned_mutex)); /* still ours */
	mutex_unlock(&owned_mutex);
	KT_EXPECT(t, !mutex_is_locked(&owned_mutex));
	KT_EXPECT_EQ(t, lockdep_held_count(), held);
}

/*
 * Held locks belong to the task, not the CPU: a task that holds a mutex
 * while it is switched out still holds it, and the task that runs
 * meanwhile holds nothing. The run queue lock that changes hands at every
 * switch must leave no trace on either stack.
 */
static struct mutex held_mutex;
/* written by one task each, read after join */
static u32 holder_held_before, holder_held_after, other_held;
static bool holder_switched_out; /* atomic */

static void hold_across_switch(void *arg)
{
	(void)arg;
	mutex_lock(&held_mutex);
	holder_held_before = lockdep_held_count();
	while (!atomic_load_acquire(&holder_switched_out))
		yield(); /* the other task runs now, on this CPU */
	holder_held_after = lockdep_held_count();
	mutex_unlock(&held_mutex);
}

static void run_while_other_holds(void *arg)
{
	(void)arg;
	other_held = lockdep_held_count();
	atomic_store_release(&holder_switched_out, true);
}

static void lockdep_held_locks_follow_the_task(struct ktest *t)
{
	u32 cpu = ktest_other_cpu(), held = lockdep_held_count(), reports = 0;
	struct task *a, *b;

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	if (cpu == CONFIG_NR_CPUS)
		cpu = smp_processor_id();
	for (u32 k = 0; k < LOCKDEP_NR_KINDS; k++)
		reports += lockdep_reports((enum lockdep_kind)k);
	mutex_init(&held_mutex, "lockdep_test_mutex", false);
	holder_switched_out = false;
	holder_held_before = holder_held_after = other_held = 99;
	a = task_create("holder", hold_across_switch, NULL, (int)cpu);
	b = task_create("other", run_while_other_holds, NULL, (int)cpu);
	KT_ASSERT(t, a && b);
	task_join(a);
	task_join(b);
	KT_EXPECT_EQ(t, other_held, 0);		/* nothing of the holder's leaked onto it */
	KT_EXPECT_EQ(t, holder_held_before, 1); /* the mutex, and no run queue lock */
	KT_EXPECT_EQ(t, holder_held_after, 1);	/* the mutex came back with the holder */
	KT_EXPECT_EQ(t, lockdep_held_count(), held);
	for (u32 k = 0; k < LOCKDEP_NR_KINDS; k++)
		reports -= lockdep_reports((enum lockdep_kind)k);
	KT_EXPECT_EQ(t, reports, 0); /* and nothing was reported */
}

/*
 * Subclasses: two locks of one class (directories, say) nested as parent
 * (subclass 0) then child (subclass 1) teach lockdep an order, and the
 * reverse is an inversion. The graph keeps what it learnt, so each case
 * uses classes of its own.
 */
static struct spinlock dir_a = SPINLOCK_INIT("lockdep_test_dir");
static struct spinlock dir_b = SPINLOCK_INIT("lockdep_test_dir");
static struct spinlock dir2_parent = SPINLOCK_INIT("lockdep_test_dir2");
static struct spinlock dir2_child = SPINLOCK_INIT("lockdep_test_dir2");
static struct mutex mdir_parent, mdir_child;
static struct klock kdir_parent, kdir_child;

static void lockdep_subclass_parent_before_child_is_silent(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_INVERSION), held = lockdep_held_count();
	u32 same = lockdep_reports(LOCKDEP_SAME_CLASS);

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	/* Either object may be the parent: the order is between subclasses, not objects. */
	for (int i = 0; i < 3; i++) {
		spin_lock(&dir_a);
		spin_lock_nested(&dir_b, 1);
		spin_unlock(&dir_b);
		spin_unlock(&dir_a);
		spin_lock(&dir_b);
		spin_lock_nested(&dir_a, 1);
		spin_unlock(&dir_a);
		spin_unlock(&dir_b);
	}
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SAME_CLASS), same); /* subclasses tell them apart */
	KT_EXPECT_EQ(t, lockdep_held_count(), held);
}

/* Learns parent -> child/1, then plants child/1 -> parent (twice: one report per pair). */
#define PLANT_CHILD_BEFORE_PARENT(lock, lock_nested, unlock, parent, child) \
	do {                                                                \
		lock(parent);                                               \
		lock_nested(child, 1);                                      \
		unlock(child);                                              \
		unlock(parent);                                             \
		learnt = lockdep_reports(LOCKDEP_INVERSION);                \
		for (int i = 0; i < 2; i++) {                               \
			lock_nested(child, 1);                              \
			lock(parent); /* planted */                         \
			unlock(parent);                                     \
			unlock(child);                                      \
		}                                                           \
	} while (0)

static void lockdep_subclass_child_before_parent_is_reported(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_INVERSION), held = lockdep_held_count(), learnt;
	/* Under BKL and SUBSYS a data lock is only a label: nothing to order, nothing reported. */
	u32 data = LOCK_STRATEGY_SCOPE == SCOPE_DATA;

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	PLANT_CHILD_BEFORE_PARENT(spin_lock, spin_lock_nested, spin_unlock, &dir2_parent,
				  &dir2_child);
	KT_EXPECT_EQ(t, learnt, before);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before + 1);
	mutex_init(&mdir_parent, "lockdep_test_mdir", false);
	mutex_init(&mdir_child, "lockdep_test_mdir", false);
	PLANT_CHILD_BEFORE_PARENT(mutex_lock, mutex_lock_nested, mutex_unlock, &mdir_parent,
				  &mdir_child);
	KT_EXPECT_EQ(t, learnt, before + 1);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before + 2);
	klock_init(&kdir_parent, "lockdep_test_kdir", SUBSYS_FS);
	klock_init(&kdir_child, "lockdep_test_kdir", SUBSYS_FS);
	PLANT_CHILD_BEFORE_PARENT(klock_lock, klock_lock_nested, klock_unlock, &kdir_parent,
				  &kdir_child);
	KT_EXPECT_EQ(t, learnt, before + 2);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before + 2 + data);
	KT_EXPECT_EQ(t, lockdep_held_count(), held);
}

/*
 * Subclasses leave the other checks as they were: a cycle through a
 * subclass node and two other classes is an inversion, and (class,
 * subclass) is the node: what was learnt about dir3/1 says nothing of
 * dir3 taken as subclass 0. Recursion ignores subclasses (the same lock
 * twice deadlocks whatever it was called): selftest_lock_recursion_nested.
 */
static struct spinlock lock_x = SPINLOCK_INIT("lockdep_test_x");
static struct spinlock lock_y = SPINLOCK_INIT("lockdep_test_y");
static struct spinlock dir3 = SPINLOCK_INIT("lockdep_test_dir3");

static void lockdep_subclass_keeps_the_other_checks(struct ktest *t)
{
	u32 before = lockdep_reports(LOCKDEP_INVERSION), held = lockdep_held_count();

	if (!LOCKDEP_ENABLED)
		KT_SKIP(t, "CONFIG_DEBUG_LOCKDEP is off");
	spin_lock(&lock_x); /* x -> dir3/1 */
	spin_lock_nested(&dir3, 1);
	spin_unlock(&dir3);
	spin_unlock(&lock_x);
	spin_lock_nested(&dir3, 1); /* dir3/1 -> y */
	spin_lock(&lock_y);
	spin_unlock(&lock_y);
	spin_unlock(&dir3);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before);
	spin_lock(&dir3); /* dir3/0 -> x: no cycle, dir3/0 is a node of its own */
	spin_lock(&lock_x);
	spin_unlock(&lock_x);
	spin_unlock(&dir3);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before);
	spin_lock(&lock_y); /* planted: y -> x closes x -> dir3/1 -> y */
	spin_lock(&lock_x);
	spin_unlock(&lock_x);
	spin_unlock(&lock_y);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before + 1);
	KT_EXPECT_EQ(t, lockdep_held_count(), held);
}

static const struct ktest_case lockdep_cases[] = {
	KTEST_CASE(lockdep_silent_on_consistent_order),
	KTEST_CASE(lockdep_reports_inversion),
	KTEST_CASE(lockdep_reports_same_class_nesting),
	KTEST_CASE(lockdep_reports_mutex_under_spinlock),
	KTEST_CASE(lockdep_reports_double_unlock),
	KTEST_CASE(lockdep_reports_unlock_by_another_cpu),
	KTEST_CASE(lockdep_reports_mutex_unlock_by_another_task),
	KTEST_CASE(lockdep_held_locks_follow_the_task),
	KTEST_CASE(lockdep_subclass_parent_before_child_is_silent),
	KTEST_CASE(lockdep_subclass_child_before_parent_is_reported),
	KTEST_CASE(lockdep_subclass_keeps_the_other_checks),
};
KTEST_SUITE(lockdep, lockdep_cases);

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
KTEST_SUITE_EXPLICIT(selftest_lock_recursion, recursion_cases);

/* Planted recursion under another subclass (run only when named): still the same lock, still reported. */
static void lockdep_nested_recursion_panics(struct ktest *t)
{
	t->expectations++;
	spin_lock(&lock_c);
	spin_lock_nested(&lock_c, 1);
}

static const struct ktest_case nested_recursion_cases[] = {
	KTEST_CASE(lockdep_nested_recursion_panics),
};
KTEST_SUITE_EXPLICIT(selftest_lock_recursion_nested, nested_recursion_cases);

/*
 * Past the class table every class is "(other)" (run only when named: it
 * fills the table for the rest of the boot). Orders seen through it are
 * made up: a -> (other) from one class and (other) -> a from another is
 * no inversion, and two such classes nested are not one class. lockdep
 * says once that it stops checking them, and reports nothing.
 */
static char overflow_names[LOCK_CLASSES_MAX][20];
static struct spinlock overflow_p, overflow_q;

static void lockdep_does_not_check_the_overflow_class(struct ktest *t)
{
	u32 reports = 0;

	for (u32 k = 0; k < LOCKDEP_NR_KINDS; k++)
		reports += lockdep_reports((enum lockdep_kind)k);
	spin_lock(&lock_a); /* its class is looked up before the table fills */
	spin_unlock(&lock_a);
	for (u32 i = 0; i < LOCK_CLASSES_MAX && lock_class_count() < LOCK_CLASSES_MAX; i++) {
		snprintf(overflow_names[i], sizeof(overflow_names[i]), "overflow_%u", i);
		lock_class_lookup(overflow_names[i]);
	}
	spin_lock_init(&overflow_p, "lockdep_test_overflow_p");
	spin_lock_init(&overflow_q, "lockdep_test_overflow_q");
	KT_ASSERT(t, lock_map_class(&overflow_p.map) == LOCK_CLASS_OTHER);
	KT_ASSERT(t, lock_map_class(&overflow_q.map) == LOCK_CLASS_OTHER);
	spin_lock(&lock_a); /* a -> p */
	spin_lock(&overflow_p);
	spin_unlock(&overflow_p);
	spin_unlock(&lock_a);
	spin_lock(&overflow_q); /* q -> a */
	spin_lock(&lock_a);
	spin_unlock(&lock_a);
	spin_unlock(&overflow_q);
	spin_lock(&overflow_p); /* p -> q */
	spin_lock(&overflow_q);
	spin_unlock(&overflow_q);
	spin_unlock(&overflow_p);
	for (u32 k = 0; k < LOCKDEP_NR_KINDS; k++)
		reports -= lockdep_reports((enum lockdep_kind)k);
	KT_EXPECT_EQ(t, reports, 0);
}

static const struct ktest_case overflow_cases[] = {
	KTEST_CASE(lockdep_does_not_check_the_overflow_class),
};
KTEST_SUITE_EXPLICIT(lockdep_class_overflow, overflow_cases);
