/* ktest suite "lockstat": exact counts across CPUs, forced contention, trylock failures, reset, since-boot totals, resets racing updates, sub-tick minimums, the table row. */
#include <locklab/ktest.h>
#include <locklab/lockstat.h>
#include <locklab/smp.h>
#include <locklab/spinlock.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <asm/sysreg.h> /* cpu_relax */

#define TIMEOUT CONFIG_KTEST_CASE_TIMEOUT_MS
#define PER_CPU 5000

static struct spinlock count_lock = SPINLOCK_INIT("lockstat_test_count");

static void lock_many(void *arg)
{
	(void)arg;
	for (u32 i = 0; i < PER_CPU; i++) {
		spin_lock(&count_lock);
		spin_unlock(&count_lock);
	}
}

static void lockstat_counts_every_acquisition(struct ktest *t)
{
	struct lockstat_sum s;
	u32 n;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	lockstat_reset();
	n = ktest_on_each_cpu(lock_many, NULL, TIMEOUT);
	KT_ASSERT(t, n == cpus_online());
	KT_ASSERT(t, lockstat_get("lockstat_test_count", &s));
	KT_EXPECT_EQ(t, s.acquisitions, (u64)n * PER_CPU);
	KT_EXPECT_LE(t, s.contentions, s.acquisitions);
	KT_EXPECT_LE(t, s.acq_bounces, s.acquisitions);
	KT_EXPECT_LE(t, s.con_bounces, s.contentions);
	if (LOCKSTAT_HOLD_TIMED) {
		KT_EXPECT(t, s.hold_count > 0 && s.hold_min <= s.hold_max);
		KT_EXPECT_GE(t, s.hold_total, s.hold_max);
	} else {
		KT_EXPECT_EQ(t, s.hold_max + s.hold_total, 0); /* not built in: nothing timed */
	}
	if (n == 1)
		KT_EXPECT_EQ(t, s.acq_bounces, 0); /* one CPU: nothing ever bounces */
}

static struct spinlock contended_lock = SPINLOCK_INIT("lockstat_test_contended");
static u32 holder_has_it, holder_done; /* atomic */
static u64 holder_released_at;	       /* time_ns(), published by holder_done (release) */

static void hold_for_a_while(void *arg)
{
	u64 us = (u64)arg;

	spin_lock(&contended_lock);
	__atomic_store_n(&holder_has_it, 1, __ATOMIC_RELEASE);
	time_delay_us(us);
	holder_released_at = time_ns();
	spin_unlock(&contended_lock);
	__atomic_store_n(&holder_done, 1, __ATOMIC_RELEASE);
}

/*
 * The other CPU holds the lock for hold_us; this one comes for it in the
 * meantime and must be counted as contended. Under a busy host this vCPU
 * may be descheduled for longer than the hold between seeing it held and
 * trying: it then came after the release (t0 later than it), found the
 * lock free, and the attempt says nothing; it is tried again (at most 5
 * times), whatever lockstat counted. With holds not timed, the contended
 * acquisition is counted by its release, after letting go (lockstat.h):
 * nothing of it while the lock is held.
 */
static void forced_contention(struct ktest *t, bool timed)
{
	struct lockstat_sum s, held = { 0 };
	u64 hold_us = 20000, t0 = 0, waited = 0;
	u32 attempt;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	u32 other = ktest_other_cpu();
	if (other == CONFIG_NR_CPUS)
		KT_SKIP(t, "needs a second CPU to hold the lock");
	timed = timed && LOCKSTAT_HOLD_TIMED;
	lockstat_set_hold(timed);
	for (attempt = 0; attempt < 5; attempt++) {
		/* afresh: released last by no CPU, so the holder's taking it is no bounce */
		spin_lock_init(&contended_lock, "lockstat_test_contended");
		lockstat_reset();
		holder_has_it = holder_done = 0;
		KT_ASSERT(t, smp_call_on(other, hold_for_a_while, (void *)hold_us, false,
					 TIMEOUT) == 0);
		while (!__atomic_load_n(&holder_has_it, __ATOMIC_ACQUIRE))
			cpu_relax();
		t0 = time_ns();
		spin_lock(&contended_lock); /* must wait for the other CPU */
		waited = time_ns() - t0;
		lockstat_get("lockstat_test_contended", &held);
		spin_unlock(&contended_lock);
		while (!__atomic_load_n(&holder_done, __ATOMIC_ACQUIRE))
			cpu_relax();
		if (t0 < holder_released_at)
			break;
		ktest_note(t, "attempt %u came %llu us after the release (host busy): again",
			   attempt, (unsigned long long)(t0 - holder_released_at) / 1000);
	}
	lockstat_set_hold(true);
	KT_ASSERT(t, t0 < holder_released_at);
	KT_ASSERT(t, lockstat_get("lockstat_test_contended", &s));
	KT_EXPECT_EQ(t, s.acquisitions, 2);
	KT_EXPECT_EQ(t, s.contentions, 1);
	KT_EXPECT_EQ(t, s.con_bounces, 1); /* released last on the other CPU, taken here */
	KT_EXPECT_EQ(t, s.acq_bounces, 1);
	KT_EXPECT_LE(t, time_counter_to_ns(s.wait_max), waited);
	KT_EXPECT_GE(t, time_counter_to_ns(s.wait_max), waited / 2);
	/* while it held the lock: the holder's acquisition, and its own only if its hold was timed */
	KT_EXPECT_EQ(t, held.acquisitions, 1 + timed);
	KT_EXPECT_EQ(t, held.contentions, timed);
	if (timed)
		/* the other CPU held it that long */
		KT_EXPECT_GE(t, time_counter_to_ns(s.hold_max), hold_us * 1000);
	else
		KT_EXPECT_EQ(t, s.hold_max, 0);
}

static void lockstat_sees_forced_contention(struct ktest *t)
{
	forced_contention(t, true);
}

static void lockstat_counts_a_contended_acquisition_after_its_release(struct ktest *t)
{
	forced_contention(t, false);
}

static void lockstat_counts_trylock_failures_and_resets(struct ktest *t)
{
	struct lockstat_sum s;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	lockstat_reset();
	spin_lock(&count_lock);
	for (int i = 0; i < 7; i++)
		KT_EXPECT(t, !spin_trylock(&count_lock));
	spin_unlock(&count_lock);
	KT_ASSERT(t, lockstat_get("lockstat_test_count", &s));
	KT_EXPECT_EQ(t, s.trylock_fail, 7);
	KT_EXPECT_EQ(t, s.acquisitions, 1);
	lockstat_reset();
	KT_ASSERT(t, lockstat_get("lockstat_test_count", &s));
	KT_EXPECT_EQ(t, s.acquisitions + s.trylock_fail + s.hold_total, 0);
}


/*
 * With hold times off (as in every benchmark under QEMU) acquisitions and
 * releases take the inline fast path (lockstat.h): it must count exactly
 * what the full path counts. A lock taken PER_CPU times on this CPU, then
 * once on another CPU and once more here: 2 bounces, no contention, and a
 * fresh lock (class id not looked up yet) counted from its first use.
 */
static void lock_once(void *arg)
{
	spin_lock(arg);
	spin_unlock(arg);
}

static void lockstat_fast_path_counts_exactly(struct ktest *t)
{
	struct spinlock fresh;
	struct lockstat_sum s;
	u32 other = ktest_other_cpu();
	u64 flags;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	spin_lock_init(&fresh, "lockstat_test_fast");
	lockstat_set_hold(false);
	lockstat_reset();
	for (u32 i = 0; i < PER_CPU; i++) {
		spin_lock(&fresh);
		spin_unlock(&fresh);
	}
	flags = spin_lock_irqsave(&fresh);
	spin_unlock_irqrestore(&fresh, flags);
	if (other != CONFIG_NR_CPUS) {
		KT_EXPECT_EQ(t, smp_call_on(other, lock_once, &fresh, true, TIMEOUT), 0);
		lock_once(&fresh);
	}
	lockstat_set_hold(true);
	KT_ASSERT(t, lockstat_get("lockstat_test_fast", &s));
	KT_EXPECT_EQ(t, s.acquisitions, PER_CPU + 1 + (other != CONFIG_NR_CPUS ? 2 : 0));
	KT_EXPECT_EQ(t, s.acq_bounces, other != CONFIG_NR_CPUS ? 2 : 0);
	KT_EXPECT_EQ(t, s.contentions, 0);
	KT_EXPECT_EQ(t, s.hold_max + s.hold_total, 0); /* nothing timed while hold times were off */
}

/*
 * A reset starts a benchmark run's window, but the table printed at the
 * end of the boot (lockstat boot option) is the whole run: what a reset
 * cleared must still be in the since-boot totals, with its minimum and
 * maximum.
 */
static void lockstat_since_boot_survives_resets(struct ktest *t)
{
	struct spinlock l;
	struct lockstat_sum now, total;
	u32 resets = lockstat_reset_count();

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	spin_lock_init(&l, "lockstat_test_total");
	for (int i = 0; i < 100; i++) {
		spin_lock(&l);
		spin_unlock(&l);
	}
	spin_lock(&l);
	KT_EXPECT(t, !spin_trylock(&l)); /* a trylock failure is kept too */
	spin_unlock(&l);
	lockstat_reset();
	for (int i = 0; i < 7; i++) {
		spin_lock(&l);
		spin_unlock(&l);
	}
	KT_EXPECT_EQ(t, lockstat_reset_count(), resets + 1);
	KT_ASSERT(t, lockstat_get("lockstat_test_total", &now));
	KT_ASSERT(t, lockstat_get_since_boot("lockstat_test_total", &total));
	KT_EXPECT_EQ(t, now.acquisitions, 7);
	KT_EXPECT_EQ(t, total.acquisitions, 100 + 1 + 7);
	KT_EXPECT_EQ(t, total.trylock_fail, 1);
	KT_EXPECT_EQ(t, total.contentions, 0);
	if (LOCKSTAT_HOLD_TIMED && total.hold_count) {
		KT_EXPECT_LE(t, total.hold_count, total.acquisitions);
		KT_EXPECT(t, total.hold_min <= now.hold_min || !now.hold_count);
		KT_EXPECT_GE(t, total.hold_max, now.hold_max);
		KT_EXPECT_GE(t, total.hold_total, now.hold_total);
	}
}

/*
 * A reset while another CPU takes locks, as when a benchmark's workers,
 * parked at its barrier, still take their run queue's lock: the other CPU
 * takes a lock RACE_N times on the fast path while this one resets as
 * often as it can. Since boot, exactly RACE_N acquisitions: none lost, none
 * counted twice (a reset that zeroed the other CPU's rows raced its
 * read-modify-write and brought a stale count back); the window after the
 * last reset holds at most RACE_N.
 */
#define RACE_N 200000
static struct spinlock race_lock = SPINLOCK_INIT("lockstat_test_race");
static u32 race_done; /* atomic */

static void lock_while_resets(void *arg)
{
	(void)arg;
	for (u32 i = 0; i < RACE_N; i++) {
		spin_lock(&race_lock);
		spin_unlock(&race_lock);
	}
	__atomic_store_n(&race_done, 1, __ATOMIC_RELEASE);
}

static void lockstat_reset_races_no_update(struct ktest *t)
{
	struct lockstat_sum before = { 0 }, after, now;
	u32 other = ktest_other_cpu(), resets = 0;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	if (other == CONFIG_NR_CPUS)
		KT_SKIP(t, "needs a second CPU to take the lock");
	lockstat_get_since_boot("lockstat_test_race",
				&before); /* false (zeros) before its first use */
	lockstat_set_hold(false);
	race_done = 0;
	KT_ASSERT(t, smp_call_on(other, lock_while_resets, NULL, false, TIMEOUT) == 0);
	while (!__atomic_load_n(&race_done, __ATOMIC_ACQUIRE)) {
		lockstat_reset();
		resets++;
		time_delay_us(
			10); /* thousands of resets, not millions (the boot's table counts them) */
	}
	lockstat_set_hold(true);
	KT_ASSERT(t, lockstat_get_since_boot("lockstat_test_race", &after));
	KT_ASSERT(t, lockstat_get("lockstat_test_race", &now));
	KT_EXPECT_GE(t, resets, 1);
	KT_EXPECT_EQ(t, after.acquisitions - before.acquisitions, RACE_N);
	KT_EXPECT_LE(t, now.acquisitions, RACE_N);
}

/*
 * A wait shorter than one counter tick (18.5 ns on a Pi 5) measures 0
 * cycles, and is then the minimum: min <= max <= total must hold in the
 * window and across a reset, in the since-boot totals. (The minimum once
 * said 1 cycle, above a maximum and a total of 0.) The waits are handed
 * in directly: under QEMU a counter read alone takes longer than a tick.
 */
static void lockstat_wait_under_a_tick_is_the_minimum(struct ktest *t)
{
	struct spinlock l;
	struct lockstat_sum now, total;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	spin_lock_init(&l, "lockstat_test_tick");
	lockstat_set_hold(false);
	lockstat_acquired(&l.map, true, 0); /* contended, waited under a tick */
	lockstat_released(&l.map);
	KT_ASSERT(t, lockstat_get("lockstat_test_tick", &now));
	KT_EXPECT_EQ(t, now.contentions, 1);
	KT_EXPECT_EQ(t, now.wait_min, 0);
	KT_EXPECT_EQ(t, now.wait_max, 0);
	lockstat_reset();
	lockstat_acquired(&l.map, true, 7);
	lockstat_released(&l.map);
	lockstat_set_hold(true);
	KT_ASSERT(t, lockstat_get("lockstat_test_tick", &now));
	KT_ASSERT(t, lockstat_get_since_boot("lockstat_test_tick", &total));
	KT_EXPECT_EQ(t, now.wait_min, 7);
	KT_EXPECT_EQ(t, total.contentions, 2);
	KT_EXPECT_EQ(t, total.wait_min, 0); /* the folded window's 0, not the live 7 */
	KT_EXPECT_EQ(t, total.wait_max, 7);
	KT_EXPECT_EQ(t, total.wait_total, 7);
}

/*
 * One row of the end-of-run table has Linux's 13 columns in /proc/lock_stat's
 * order, times in us with two decimals (rounded to 10 ns), the averages over
 * contentions and over timed holds, "-" for holds never timed, and lines up
 * under the header (40 + 12 x 15 characters).
 */
static void lockstat_table_row_has_linux_columns(struct ktest *t)
{
	static const char *const want_untimed[] = { "demo:",   "2",	 "3", "0.00", "1234.57",
						    "1234.58", "411.53", "5", "9",    "-",
						    "-",       "-",	 "-" };
	static const char *const want_timed[] = { "demo:",   "2",	"3",	 "0.00", "1234.57",
						  "1234.58", "411.53",	"5",	 "9",	 "0.01",
						  "1000.00", "1000.01", "500.01" };
	struct lockstat_sum s = {
		.con_bounces = 2,
		.contentions = 3,
		.wait_min = 4,
		.wait_max = 1234567,
		.wait_total = 1234575,
		.acq_bounces = 5,
		.acquisitions = 9,
	};
	char row[256], *words[16];
	int n;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	KT_EXPECT_EQ(t, lockstat_format_row(row, sizeof(row), "demo", &s), 40 + 12 * 15);
	n = (int)str_split_words(row, words, 16);
	KT_ASSERT(t, n == 13);
	for (int i = 0; i < n; i++)
		KT_EXPECT_STREQ(t, words[i], want_untimed[i]);
	s.hold_count = 2;
	s.hold_min = 5;
	s.hold_max = 999995;
	s.hold_total = 1000010;
	KT_EXPECT_EQ(t, lockstat_format_row(row, sizeof(row), "demo", &s), 40 + 12 * 15);
	n = (int)str_split_words(row, words, 16);
	KT_ASSERT(t, n == 13);
	for (int i = 0; i < n; i++)
		KT_EXPECT_STREQ(t, words[i], want_timed[i]);
}

static const struct ktest_case lockstat_cases[] = {
	KTEST_CASE(lockstat_counts_every_acquisition),
	KTEST_CASE(lockstat_sees_forced_contention),
	KTEST_CASE(lockstat_counts_a_contended_acquisition_after_its_release),
	KTEST_CASE(lockstat_counts_trylock_failures_and_resets),
	KTEST_CASE(lockstat_fast_path_counts_exactly),
	KTEST_CASE(lockstat_since_boot_survives_resets),
	KTEST_CASE(lockstat_reset_races_no_update),
	KTEST_CASE(lockstat_wait_under_a_tick_is_the_minimum),
	KTEST_CASE(lockstat_table_row_has_linux_columns),
};
KTEST_SUITE(lockstat, lockstat_cases);
