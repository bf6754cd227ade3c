/* ktest suite "strategy": each scope maps to the right real lock under the configured strategy. */
#include <locklab/klock.h>
#include <locklab/ktest.h>
#include <locklab/lockstat.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <asm/atomic.h>

#define IS_BKL	  (LOCK_STRATEGY_SCOPE == SCOPE_KERNEL)
#define IS_SUBSYS (LOCK_STRATEGY_SCOPE == SCOPE_SUBSYS)
#define IS_FINE	  (LOCK_STRATEGY_SCOPE == SCOPE_DATA)

static struct klock fs_a, fs_b, mm_a;

static void init_objects(void)
{
	klock_init(&fs_a, "strategy_test_fs_a", SUBSYS_FS);
	klock_init(&fs_b, "strategy_test_fs_b", SUBSYS_FS);
	klock_init(&mm_a, "strategy_test_mm", SUBSYS_MM);
}

static void strategy_scopes_map_to_one_real_lock(struct ktest *t)
{
	init_objects();
	KT_EXPECT(t, !klock_held(&fs_a));

	kernel_enter();
	KT_EXPECT_EQ(t, klock_held(&fs_a), IS_BKL); /* under BKL every object is covered */
	KT_EXPECT_EQ(t, kernel_lock_depth(), IS_BKL ? 1 : 0);
	kernel_enter(); /* recursion is allowed on the BKL */
	KT_EXPECT_EQ(t, kernel_lock_depth(), IS_BKL ? 2 : 0);
	kernel_exit();

	subsys_enter(SUBSYS_FS);
	KT_EXPECT_EQ(t, klock_held(&fs_a), IS_BKL || IS_SUBSYS);
	KT_EXPECT_EQ(t, klock_held(&fs_b), IS_BKL || IS_SUBSYS);
	KT_EXPECT_EQ(t, klock_held(&mm_a), IS_BKL); /* another subsystem's lock is not held */
	subsys_enter(SUBSYS_FS); /* a subsystem operation calling another: recursive */
	KT_EXPECT_EQ(t, subsys_lock_depth(SUBSYS_FS), IS_SUBSYS ? 2 : 0);
	subsys_exit(SUBSYS_FS);
	KT_EXPECT_EQ(t, subsys_lock_depth(SUBSYS_FS), IS_SUBSYS ? 1 : 0);

	klock_lock(&fs_a);
	KT_EXPECT(t, klock_held(&fs_a)); /* whatever the strategy, the effective lock is held */
	KT_EXPECT_EQ(t, klock_held(&fs_b), !IS_FINE); /* under FINE only the object's own lock */
	klock_unlock(&fs_a);
	KT_EXPECT_EQ(t, klock_held(&fs_a), !IS_FINE);

	subsys_exit(SUBSYS_FS);
	kernel_exit();
	KT_EXPECT(t, !klock_held(&fs_a));
	KT_EXPECT_EQ(t, kernel_lock_depth(), 0);
	KT_EXPECT_EQ(t, subsys_lock_depth(SUBSYS_FS), 0);
}

/* Is name one of the strategy's named real lock classes (lock_strategy_class, what bench-meta prints)? */
static bool strategy_names_class(const char *name)
{
	const char *c;

	for (u32 i = 0; (c = lock_strategy_class(i)); i++)
		if (!strcmp(c, name))
			return true;
	return false;
}

static void strategy_only_the_real_lock_is_counted(struct ktest *t)
{
	struct lockstat_sum s;
	const char *real;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	init_objects();
	real = klock_real_class(&fs_a);
	/* The real lock is the object's own under FINE, else one the strategy names (and bench-meta lists). */
	KT_EXPECT_EQ(t, !strcmp(real, "strategy_test_fs_a"), IS_FINE);
	KT_EXPECT_EQ(t, strategy_names_class(real), !IS_FINE);
	KT_EXPECT_EQ(t, lock_strategy_class(0) != NULL, !IS_FINE);
	/* One lock for every subsystem under BKL; fs and mm differ under the others. */
	KT_EXPECT_EQ(t, !strcmp(real, klock_real_class(&mm_a)), IS_BKL);
	lockstat_reset();
	for (int i = 0; i < 10; i++) {
		kernel_enter();
		subsys_enter(SUBSYS_FS);
		klock_lock(&fs_a);
		klock_unlock(&fs_a);
		subsys_exit(SUBSYS_FS);
		kernel_exit();
	}
	KT_ASSERT(t, lockstat_get(real, &s));
	KT_EXPECT_EQ(t, s.acquisitions, 10);
	/* The scopes that are not real left no trace. */
	if (!IS_FINE)
		KT_EXPECT(t, !lockstat_get("strategy_test_fs_a", &s) || s.acquisitions == 0);
}


/*
 * Waiting to acquire a lock releases nothing already held (issue 12.1).
 * The interleaving that lost data under SUBSYS with sleeping strategy
 * locks, planted step by step on one CPU so it does not depend on timing:
 *   holder: enters mm and keeps it, yielding, until told to let go;
 *   inner:  enters fs, then wants mm: it sleeps (adaptive too: the holder
 *           is not on a CPU while inner runs on the same one);
 *   third:  enters fs while inner sleeps inside fs.
 * third must not get in before inner has left fs. Under BKL everyone
 * waits at kernel_enter; under FINE the locks are the objects' own.
 */
static struct {
	struct klock fs_obj, mm_obj;
	bool holding, let_go; /* atomic: holder's hand-shake */
	bool inner_inside;    /* atomic: inner is between entering and leaving fs */
	bool third_saw_inner; /* atomic: third got into fs while inner was inside */
	bool third_done;      /* atomic */
} ak;

static void ak_enter(struct klock *obj, enum subsys_id ss)
{
	kernel_enter();
	subsys_enter(ss);
	klock_lock(obj);
}

static void ak_exit(struct klock *obj, enum subsys_id ss)
{
	klock_unlock(obj);
	subsys_exit(ss);
	kernel_exit();
}

static void ak_holder(void *arg)
{
	(void)arg;
	ak_enter(&ak.mm_obj, SUBSYS_MM);
	atomic_store_release(&ak.holding, true);
	while (!atomic_load_acquire(&ak.let_go))
		yield(); /* off the CPU while holding: an adaptive waiter sleeps */
	ak_exit(&ak.mm_obj, SUBSYS_MM);
}

static void ak_inner(void *arg)
{
	(void)arg;
	ak_enter(&ak.fs_obj, SUBSYS_FS);
	atomic_store_release(&ak.inner_inside, true);
	/* An fs operation that needs memory (page_alloc under fs_lock). */
	subsys_enter(SUBSYS_MM);
	klock_lock(&ak.mm_obj);
	klock_unlock(&ak.mm_obj);
	subsys_exit(SUBSYS_MM);
	atomic_store_release(&ak.inner_inside, false);
	ak_exit(&ak.fs_obj, SUBSYS_FS);
}

static void ak_third(void *arg)
{
	(void)arg;
	ak_enter(&ak.fs_obj, SUBSYS_FS);
	atomic_store_release(&ak.third_saw_inner, atomic_load_acquire(&ak.inner_inside));
	ak_exit(&ak.fs_obj, SUBSYS_FS);
	atomic_store_release(&ak.third_done, true);
}

/* Yields until t sleeps (off its CPU) or *done is set; false after 2 s. */
static bool ak_wait_asleep(struct task *t, bool *done)
{
	u64 end = time_counter() + 2 * time_freq();

	while (time_counter() < end) {
		if (done && atomic_load_acquire(done))
			return true;
		if (atomic_load_relaxed(&t->state) == TASK_SLEEPING &&
		    !atomic_load_acquire(&t->on_cpu))
			return true;
		yield();
	}
	return false;
}

static void strategy_acquire_sleep_keeps_held_locks(struct ktest *t)
{
	int cpu = (int)smp_processor_id();
	struct task *holder, *inner, *third;
	bool inner_slept, third_stopped;

	if (!KLOCK_SLEEPS)
		KT_SKIP(t, "strategy locks spin (lock_wait=spin): an acquisition never sleeps");
	ak = (typeof(ak)){ 0 };
	klock_init(&ak.fs_obj, "strategy_test_fs_obj", SUBSYS_FS);
	klock_init(&ak.mm_obj, "strategy_test_mm_obj", SUBSYS_MM);
	holder = task_create("ak_holder", ak_holder, NULL, cpu);
	KT_ASSERT(t, holder);
	while (!atomic_load_acquire(&ak.holding))
		yield();
	inner = task_create("ak_inner", ak_inner, NULL, cpu);
	KT_ASSERT(t, inner);
	inner_slept = ak_wait_asleep(inner, NULL);
	third = task_create("ak_third", ak_third, NULL, cpu);
	KT_ASSERT(t, third);
	third_stopped = ak_wait_asleep(third, &ak.third_done);
	atomic_store_release(&ak.let_go, true);
	task_join(holder);
	task_join(inner);
	task_join(third);
	KT_EXPECT(t, inner_slept);   /* the planted wait really slept */
	KT_EXPECT(t, third_stopped); /* third either got in or waits asleep */
	KT_EXPECT(t, atomic_load_acquire(&ak.third_done));
	KT_EXPECT(t, !atomic_load_acquire(&ak.third_saw_inner));
	KT_EXPECT_EQ(t, kernel_lock_depth(), 0);
	KT_EXPECT_EQ(t, subsys_lock_depth(SUBSYS_FS), 0);
	KT_EXPECT_EQ(t, subsys_lock_depth(SUBSYS_MM), 0);
}

static const struct ktest_case strategy_cases[] = {
	KTEST_CASE(strategy_scopes_map_to_one_real_lock),
	KTEST_CASE(strategy_only_the_real_lock_is_counted),
	KTEST_CASE(strategy_acquire_sleep_keeps_held_locks),
};
KTEST_SUITE(strategy, strategy_cases);
