/* ktest suite "strategy": each scope maps to the right real lock under the configured strategy. */
#include <locklab/klock.h>
#include <locklab/ktest.h>
#include <locklab/lockstat.h>

#define IS_BKL (LOCK_STRATEGY_SCOPE == SCOPE_KERNEL)
#define IS_SUBSYS (LOCK_STRATEGY_SCOPE == SCOPE_SUBSYS)
#define IS_FINE (LOCK_STRATEGY_SCOPE == SCOPE_DATA)

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

static void strategy_only_the_real_lock_is_counted(struct ktest *t)
{
	struct lockstat_sum s;
	const char *real = IS_BKL ? "bkl" : IS_SUBSYS ? "fs_lock" : "strategy_test_fs_a";

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	init_objects();
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
	if (!IS_BKL)
		KT_EXPECT(t, !lockstat_get("bkl", &s) || s.acquisitions == 0);
	if (!IS_SUBSYS)
		KT_EXPECT(t, !lockstat_get("fs_lock", &s) || s.acquisitions == 0);
}

static const struct ktest_case strategy_cases[] = {
	KTEST_CASE(strategy_scopes_map_to_one_real_lock),
	KTEST_CASE(strategy_only_the_real_lock_is_counted),
};
KTEST_SUITE(strategy, "strategy", strategy_cases);
