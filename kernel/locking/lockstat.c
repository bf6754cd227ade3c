/* lockstat: per-class counters kept per CPU (no shared writes), summed and printed on demand. */
#include <locklab/lockstat.h>
#include <locklab/lock_class.h>
#include <locklab/lock_map.h>
#include <locklab/console.h>
#include <locklab/percpu.h>
#include <locklab/preempt.h>
#include <locklab/kconfig.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

/*
 * lockstat_rows[cpu][class] is written only by that CPU, from inside the lock
 * operation it is counting, so no atomics are needed. Readers (print, get)
 * sum the rows and see a consistent picture only when the locks are quiet,
 * which is when benchmarks and tests read them.
 *
 * Definitions (as in Linux's lock_stat):
 *   acquisition  - a successful lock or trylock
 *   contention   - an acquisition that had to wait (the first try failed)
 *   acq-bounce   - an acquisition on a CPU other than the one that released it last
 *   con-bounce   - a contention where that was also the case
 *   wait time    - from the failed first try to owning the lock (contended only)
 *   hold time    - from owning the lock to releasing it
 */
/*
 * Two rows per CPU: one for task context, one for interrupt handlers. An
 * interrupt that takes a lock of the same class while this CPU is in the
 * middle of an update then writes the other row, so no count is lost, and
 * no update has to mask interrupts: writing DAIF is slow under QEMU (it
 * ends the translation block) and the mask would cost every lock operation.
 * Task-context updates run with preemption off (another task of this CPU
 * must not interleave); IRQ handlers do not nest.
 */
static struct lockstat_cpu lockstat_rows[CONFIG_NR_CPUS][2][LOCK_CLASSES_MAX];

void lockstat_irq_context(bool in_irq)
{
	struct percpu *pc = this_cpu();

	pc->lockstat_rows = lockstat_rows[pc->cpu][in_irq ? 1 : 0];
}

static struct lockstat_cpu *my_stats(struct lock_map *l)
{
	struct percpu *pc = this_cpu();

	/* Also sets up the fast path's pointer (lockstat.h) on a CPU's first lock operation. */
	if (!pc->lockstat_rows)
		lockstat_irq_context(pc->in_irq);
	return &lockstat_rows[pc->cpu][pc->in_irq ? 1 : 0][lock_map_class(l)];
}

/*
 * Hold times cost two counter reads per lock operation (see the Kconfig
 * help); the benchmarks may switch them off at run time (lockstat_set_hold).
 * acquired_at 0 means "not timed": a hold that began while timing was off
 * is not counted when it ends with timing on.
 */
bool lockstat_hold_on = true; /* atomic */

void lockstat_set_hold(bool on)
{
	atomic_store_relaxed(&lockstat_hold_on, on);
}

static inline bool hold_timed(void)
{
	return IS_ENABLED(CONFIG_LOCK_STAT_HOLD_TIME) && atomic_load_relaxed(&lockstat_hold_on);
}

void lockstat_acquired(struct lock_map *l, bool contended, u64 wait)
{
	preempt_disable();
	struct lockstat_cpu *s = my_stats(l);
	u16 me = (u16)smp_processor_id();
	bool bounce = l->last_cpu != LOCK_MAP_NO_CPU && l->last_cpu != me;

	s->acquisitions++;
	s->acq_bounces += bounce;
	if (contended) {
		s->contentions++;
		s->con_bounces += bounce;
		if (!s->wait_min || wait < s->wait_min)
			s->wait_min = wait ? wait : 1;
		if (wait > s->wait_max)
			s->wait_max = wait;
		s->wait_total += wait;
	}
	l->acquired_at = hold_timed() ? time_counter() : 0;
	preempt_enable();
}

void lockstat_released(struct lock_map *l)
{
	preempt_disable();
	struct lockstat_cpu *s = my_stats(l);

	if (hold_timed() && l->acquired_at) {
		u64 hold = time_counter() - l->acquired_at;

		if (!s->hold_min || hold < s->hold_min)
			s->hold_min = hold ? hold : 1;
		if (hold > s->hold_max)
			s->hold_max = hold;
		s->hold_total += hold;
	}
	l->last_cpu = (u16)smp_processor_id();
	preempt_enable();
}

void lockstat_trylock_failed(struct lock_map *l)
{
	preempt_disable();
	my_stats(l)->trylock_fail++;
	preempt_enable();
}

void lockstat_reset(void)
{
	memset(lockstat_rows, 0, sizeof(lockstat_rows));
}

static void sum_class(u16 id, struct lockstat_sum *o)
{
	memset(o, 0, sizeof(*o));
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		for (u32 ctx = 0; ctx < 2; ctx++) {
			const struct lockstat_cpu *s = &lockstat_rows[c][ctx][id];

			o->acquisitions += s->acquisitions;
			o->contentions += s->contentions;
			o->con_bounces += s->con_bounces;
			o->acq_bounces += s->acq_bounces;
			o->trylock_fail += s->trylock_fail;
			o->wait_total += s->wait_total;
			o->hold_total += s->hold_total;
			o->wait_max = MAX(o->wait_max, s->wait_max);
			o->hold_max = MAX(o->hold_max, s->hold_max);
			if (s->wait_min && (!o->wait_min || s->wait_min < o->wait_min))
				o->wait_min = s->wait_min;
			if (s->hold_min && (!o->hold_min || s->hold_min < o->hold_min))
				o->hold_min = s->hold_min;
		}
	}
}

bool lockstat_get(const char *name, struct lockstat_sum *out)
{
	for (u16 id = 1; id < lock_class_count(); id++) {
		if (strcmp(lock_class_name(id), name) == 0) {
			sum_class(id, out);
			return true;
		}
	}
	return false;
}

static unsigned long long ns(u64 cycles)
{
	return (unsigned long long)time_counter_to_ns(cycles);
}

void lockstat_print_records(const char *tag)
{
	const char *sep = tag && tag[0] ? " " : "";
	struct lockstat_sum s;

	tag = tag ? tag : "";
	for (u16 id = 1; id < lock_class_count(); id++) {
		sum_class(id, &s);
		if (!s.acquisitions && !s.trylock_fail)
			continue;
		printk_raw("lockstat: %s%sclass=%s acquisitions=%llu contentions=%llu con_bounces=%llu "
			   "acq_bounces=%llu wait_min_ns=%llu wait_max_ns=%llu wait_total_ns=%llu "
			   "hold_min_ns=%llu hold_max_ns=%llu hold_total_ns=%llu trylock_fail=%llu",
			   tag, sep, lock_class_name(id), (unsigned long long)s.acquisitions,
			   (unsigned long long)s.contentions, (unsigned long long)s.con_bounces,
			   (unsigned long long)s.acq_bounces, ns(s.wait_min), ns(s.wait_max),
			   ns(s.wait_total), ns(s.hold_min), ns(s.hold_max), ns(s.hold_total),
			   (unsigned long long)s.trylock_fail);
	}
}

void lockstat_print(const char *tag)
{
	const char *sep = tag && tag[0] ? " " : "";
	struct lockstat_sum s;

	tag = tag ? tag : "";
	printk_raw("lock_stat (locklab, times in ns)%s%s", sep, tag);
	printk_raw("%20s %11s %11s %12s %12s %14s %12s %11s %12s %12s %12s %14s %12s", "class name",
		   "con-bounces", "contentions", "waittime-min", "waittime-max", "waittime-total",
		   "waittime-avg", "acq-bounces", "acquisitions", "holdtime-min", "holdtime-max",
		   "holdtime-total", "holdtime-avg");
	for (u16 id = 1; id < lock_class_count(); id++) {
		sum_class(id, &s);
		if (!s.acquisitions && !s.trylock_fail)
			continue;
		printk_raw("%20s %11llu %11llu %12llu %12llu %14llu %12llu %11llu %12llu %12llu %12llu %14llu %12llu",
			   lock_class_name(id), (unsigned long long)s.con_bounces,
			   (unsigned long long)s.contentions, ns(s.wait_min), ns(s.wait_max),
			   ns(s.wait_total), s.contentions ? ns(s.wait_total / s.contentions) : 0,
			   (unsigned long long)s.acq_bounces, (unsigned long long)s.acquisitions,
			   ns(s.hold_min), ns(s.hold_max), ns(s.hold_total),
			   s.acquisitions ? ns(s.hold_total / s.acquisitions) : 0);
	}
	lockstat_print_records(tag);
}
