/* Planted stalls (ktest=selftest_watchdog, run only when named): the watchdog must report each, then all goes on. */
#include <locklab/ktest.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/spinlock.h>
#include <locklab/time.h>
#include <locklab/watchdog.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

/* Each stall lasts three limits: long enough to be seen by a tick well past the limit. */
static u64 stall_us(void)
{
	return watchdog_limit_ms() * 3000;
}

static struct spinlock wd_lock = SPINLOCK_INIT("wd_test_lock");
static bool wd_holding; /* atomic */

static void hold_wd_lock(void *arg)
{
	(void)arg;
	spin_lock(&wd_lock);
	atomic_store_release(&wd_holding, true);
	time_delay_us(stall_us());
	spin_unlock(&wd_lock);
}

/* A task on another CPU holding wd_lock for three limits, once it holds it; NULL if the case cannot run. */
static struct task *start_holder(struct ktest *t)
{
	u32 other = ktest_other_cpu();
	struct task *h;

	if (!watchdog_limit_ms()) {
		t->skipped = true;
		t->skip_reason = "watchdog off (watchdog_ms=0)";
		return NULL;
	}
	if (other == CONFIG_NR_CPUS) {
		t->skipped = true;
		t->skip_reason = "needs a second CPU";
		return NULL;
	}
	wd_holding = false;
	h = task_create("wd_holder", hold_wd_lock, NULL, (int)other);
	t->expectations++;
	if (!h) {
		ktest_fail(t, __FILE__, __LINE__, "could not start the holder task");
		return NULL;
	}
	while (!atomic_load_acquire(&wd_holding))
		yield();
	return h;
}

/* Another CPU holds a spinlock for three limits while this one waits for it with interrupts on. */
static void watchdog_reports_a_long_spinlock_wait(struct ktest *t)
{
	u32 before = watchdog_reports();
	struct task *h = start_holder(t);

	if (!h)
		return;
	spin_lock(&wd_lock); /* the wait the watchdog must name, with the holder's CPU */
	spin_unlock(&wd_lock);
	task_join(h);
	KT_EXPECT_GE(t, watchdog_reports(), before + 1);
}

/* As above, but waiting with interrupts off: the holder's CPU reports this one stuck, naming the lock. */
static void watchdog_names_the_lock_a_stuck_cpu_waits_for(struct ktest *t)
{
	u32 before = watchdog_reports();
	struct task *h = start_holder(t);
	u64 flags;

	if (!h)
		return;
	flags = spin_lock_irqsave(&wd_lock);
	spin_unlock_irqrestore(&wd_lock, flags);
	task_join(h);
	KT_EXPECT_GE(t, watchdog_reports(), before + 1);
}

static void spin_with_irqs_off(void *arg)
{
	u64 flags = local_irq_save();

	(void)arg;
	time_delay_us(stall_us());
	local_irq_restore(flags);
}

/* Another CPU spins with interrupts off for three limits: its ticks stop, and this CPU's tick says so. */
static void watchdog_reports_a_cpu_stuck_with_interrupts_off(struct ktest *t)
{
	u32 other = ktest_other_cpu(), before = watchdog_reports();
	struct task *s;

	if (!watchdog_limit_ms())
		KT_SKIP(t, "watchdog off (watchdog_ms=0)");
	if (other == CONFIG_NR_CPUS)
		KT_SKIP(t, "needs a second CPU");
	s = task_create("wd_stuck", spin_with_irqs_off, NULL, (int)other);
	KT_ASSERT(t, s);
	task_join(s); /* this CPU keeps ticking meanwhile: it sleeps in join with interrupts on */
	/* the stuck CPU's next tick says it ticks again */
	time_delay_us(watchdog_limit_ms() * 100);
	KT_EXPECT_GE(t, watchdog_reports(), before + 1);
}

static const struct ktest_case watchdog_cases[] = {
	KTEST_CASE(watchdog_reports_a_long_spinlock_wait),
	KTEST_CASE(watchdog_names_the_lock_a_stuck_cpu_waits_for),
	KTEST_CASE(watchdog_reports_a_cpu_stuck_with_interrupts_off),
};
KTEST_SUITE_EXPLICIT(selftest_watchdog, watchdog_cases);
