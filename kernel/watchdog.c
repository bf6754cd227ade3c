/* Watchdog: from every CPU's tick, report a CPU stuck with interrupts off, or a spinlock waited for past a limit. */
#include <locklab/watchdog.h>
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/printf.h>
#include <locklab/smp.h>
#include <locklab/spinlock.h>
#include <locklab/time.h>

/*
 * Two checks, both from the tick, so they cost nothing between ticks:
 *  - a CPU whose own tick has not run for longer than the limit has had
 *    interrupts off all that time (or its vCPU was not scheduled by the
 *    host, under QEMU): reported by the first other CPU to notice, once
 *    per stall, with the spinlock it is waiting for if any;
 *  - a CPU whose tick finds it inside the same spinlock wait (same
 *    wd_spin_seq) for longer than the limit reports that wait itself:
 *    lock class, and the CPU holding it.
 * Reports are console lines starting "watchdog: " (docs/output-format.md);
 * the kernel goes on, since a slow host can trip the limit too.
 */
static u64 watchdog_ms = 10000;
BOOTPARAM_UINT(
	watchdog_ms, "watchdog_ms", 0, 3600000,
	"report a CPU without a tick, or a spinlock waited for, for longer than this many ms (0: off)");

static u32 reports; /* atomic */

u32 watchdog_reports(void)
{
	return atomic_load_relaxed(&reports);
}

u64 watchdog_limit_ms(void)
{
	return watchdog_ms;
}

/*
 * "spinlock 'name', held by cpuN". The lock may be gone by now (freed after
 * a false alarm): its memory is still mapped RAM, so the owner is only
 * range-checked, and the name comes from the waiter's per-CPU copy.
 */
static void lock_text(char *buf, u32 n, const char *name, struct spinlock *l)
{
	u16 owner = atomic_load_relaxed(&l->owner);

	if (owner >= CONFIG_NR_CPUS)
		snprintf(buf, n, "spinlock '%s', no recorded holder (being handed over)", name);
	else
		snprintf(buf, n, "spinlock '%s', held by cpu%u", name, owner);
}

static u64 ms_of(u64 cycles)
{
	return time_counter_to_ns(cycles) / 1000000;
}

void watchdog_tick(void)
{
	struct percpu *me = this_cpu();
	struct spinlock *l;
	u64 now, limit, last;
	char lock[96];

	if (!watchdog_ms)
		return;
	now = time_counter();
	/* At least three tick periods: a shorter limit would report every CPU on every tick. */
	limit = MAX(watchdog_ms, 3000ULL / CONFIG_HZ + 1) * time_freq() / 1000;
	last = me->wd_last_tick;
	if (atomic_xchg_acq_rel(&me->wd_stuck_reported, 0U))
		printk("watchdog: cpu%u ticks again after %llu ms", me->cpu,
		       (unsigned long long)ms_of(now - last));
	atomic_store_release(&me->wd_last_tick, now);

	/* The wait this tick interrupted, if any (interrupts were on: spin_lock without irqsave). */
	l = atomic_load_acquire(&me->wd_spin);
	if (l && me->wd_spin_seq != me->wd_seen_seq) {
		me->wd_seen_seq = me->wd_spin_seq;
		me->wd_seen_at = now;
		me->wd_spin_reported = false;
	} else if (l && !me->wd_spin_reported && now - me->wd_seen_at > limit) {
		me->wd_spin_reported = true;
		lock_text(lock, sizeof(lock), me->wd_spin_name, l);
		printk("watchdog: cpu%u has waited %llu ms for %s", me->cpu,
		       (unsigned long long)ms_of(now - me->wd_seen_at), lock);
		__atomic_fetch_add(&reports, 1U, __ATOMIC_RELAXED);
	}

	/* The others: no tick for longer than the limit means interrupts off there. */
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		struct percpu *o = cpu_data(c);
		u64 seen = atomic_load_acquire(&o->wd_last_tick);

		if (o == me || !cpu_is_online(c) || !seen || now < seen || now - seen <= limit)
			continue;
		/* A CPU stuck inside printk holds the console: waiting for it here would stop this CPU too. */
		if (console_held_by(c))
			continue;
		if (atomic_xchg_acq_rel(&o->wd_stuck_reported, 1U))
			continue; /* this stall was reported already */
		l = atomic_load_acquire(&o->wd_spin);
		if (l)
			lock_text(lock, sizeof(lock), atomic_load_relaxed(&o->wd_spin_name), l);
		printk("watchdog: cpu%u stuck with interrupts off for %llu ms (no timer tick)%s%s",
		       c, (unsigned long long)ms_of(now - seen), l ? ", waiting for " : "",
		       l ? lock : "");
		__atomic_fetch_add(&reports, 1U, __ATOMIC_RELAXED);
	}
}
