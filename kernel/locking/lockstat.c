/* lockstat: per-class counters kept per CPU (no shared writes), summed on demand; lockstat_print.c prints them. */
#include "lockstat_internal.h"
#include <locklab/lock_class.h>
#include <locklab/lock_map.h>
#include <locklab/percpu.h>
#include <locklab/preempt.h>
#include <locklab/kconfig.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

/*
 * lockstat_rows[cpu][class] is written only by that CPU, from inside the lock
 * operation it is counting, so no atomics are needed. Not even a reset
 * writes another CPU's rows: it only moves the epoch (lockstat_gate) on,
 * and each CPU folds and zeroes its own rows at its next update
 * (lockstat_catch_up). A
 * reset that zeroed them itself would race the owner's read-modify-write
 * (a worker parked at the benchmark's barrier still takes its run queue's
 * lock): the owner's stale count would come back into the new window.
 * Readers (print, get) see a consistent picture only when the locks are
 * quiet, which is when benchmarks and tests read them.
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

/*
 * A benchmark run's records cover its own window, so the harness (and
 * the tests) reset the rows. What they held is not thrown away: each CPU
 * adds its rows to lockstat_folded before it zeroes them, and the table
 * printed at the end of the boot (lockstat boot option) is folded + live
 * rows: the whole run.
 * lockstat_folded, and the folding of a row set, are under fold_busy, a
 * bare test-and-set flag (a lock of ours would count itself), taken with
 * interrupts masked: an IRQ handler folds its own rows and must not spin
 * on the flag its CPU's task holds.
 */
static struct lockstat_sum lockstat_folded[LOCK_CLASSES_MAX];
static u32 fold_busy;
/* lockstat.h; holds are timed from boot where they are built in */
u32 lockstat_gate = IS_ENABLED(CONFIG_LOCK_STAT_HOLD_TIME) ? LOCKSTAT_GATE_HOLD : 0;

static u64 fold_lock(void)
{
	u64 flags = local_irq_save();

	while (atomic_xchg_acquire(&fold_busy, 1U))
		cpu_relax();
	return flags;
}

static void fold_unlock(u64 flags)
{
	atomic_store_release(&fold_busy, 0U);
	local_irq_restore(flags);
}

static void row_to_sum(const struct lockstat_cpu *s, struct lockstat_sum *one)
{
	*one = (struct lockstat_sum){
		.acquisitions = s->acquisitions,
		.contentions = s->contentions,
		.con_bounces = s->con_bounces,
		.acq_bounces = s->acq_bounces,
		.trylock_fail = s->trylock_fail,
		.wait_min = s->wait_min,
		.wait_max = s->wait_max,
		.wait_total = s->wait_total,
		.hold_min = s->hold_min,
		.hold_max = s->hold_max,
		.hold_total = s->hold_total,
		.hold_count = s->hold_count,
	};
}

/* The owner of a row set left behind by a reset: fold it into the since-boot totals, start it at zero. */
void lockstat_catch_up(struct lockstat_cpu *rows)
{
	u64 flags = fold_lock();
	u32 epoch = lockstat_epoch_now();

	if (LOCKSTAT_ROWS_EPOCH(rows) != epoch) {
		for (u16 id = 1; id < LOCK_CLASSES_MAX; id++) {
			struct lockstat_sum one;

			row_to_sum(&rows[id], &one);
			lockstat_merge(&lockstat_folded[id], &one);
		}
		memset(&rows[1], 0, (LOCK_CLASSES_MAX - 1) * sizeof(rows[0]));
		LOCKSTAT_ROWS_EPOCH(rows) = epoch;
	}
	fold_unlock(flags);
}

static struct lockstat_cpu *my_stats_of(u16 class_id)
{
	struct percpu *pc = this_cpu();

	/* Also sets up the fast path's pointer (lockstat.h) on a CPU's first lock operation. */
	if (!pc->lockstat_rows)
		lockstat_irq_context(pc->in_irq);
	if (lockstat_rows_stale(pc->lockstat_rows))
		lockstat_catch_up(pc->lockstat_rows);
	return &pc->lockstat_rows[class_id];
}

static struct lockstat_cpu *my_stats(struct lock_map *l)
{
	return my_stats_of(lock_map_class(l));
}

/* One acquisition into a CPU's row: bounce, its lock taken last by another CPU. */
static void count_acquired(struct lockstat_cpu *s, bool contended, u64 wait, bool bounce)
{
	s->acquisitions++;
	s->acq_bounces += bounce;
	if (contended) {
		s->contentions++;
		s->con_bounces += bounce;
		/* The first wait sets the minimum, even a wait under one counter tick (0). */
		if (s->contentions == 1 || wait < s->wait_min)
			s->wait_min = wait;
		if (wait > s->wait_max)
			s->wait_max = wait;
		s->wait_total += wait;
	}
}

/*
 * Hold times cost two counter reads per lock operation (see the Kconfig
 * help); the benchmarks may switch them off at run time (lockstat_set_hold).
 * acquired_at 0 means "not timed": a hold that began while timing was off
 * is not counted when it ends with timing on. Whether they are timed is
 * the gate's bit, which also sends every acquisition to the full path.
 */
void lockstat_set_hold(bool on)
{
	if (on && IS_ENABLED(CONFIG_LOCK_STAT_HOLD_TIME))
		__atomic_fetch_or(&lockstat_gate, LOCKSTAT_GATE_HOLD, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&lockstat_gate, ~LOCKSTAT_GATE_HOLD, __ATOMIC_RELAXED);
}

static inline bool hold_timed(void)
{
	return atomic_load_relaxed(&lockstat_gate) & LOCKSTAT_GATE_HOLD;
}

static bool is_bounce(const struct lock_map *l)
{
	return l->last_cpu != LOCK_MAP_NO_CPU && l->last_cpu != (u16)smp_processor_id();
}

void lockstat_acquired(struct lock_map *l, bool contended, u64 wait)
{
	preempt_disable();
	count_acquired(my_stats(l), contended, wait, is_bounce(l));
	l->acquired_at = hold_timed() ? time_counter() : 0;
	preempt_enable();
}

void lockstat_count_held_wait(const struct lockstat_held_wait *h)
{
	preempt_disable();
	count_acquired(my_stats_of(h->class_id), true, h->wait, h->set & LOCKSTAT_HELD_BOUNCE);
	preempt_enable();
}

void lockstat_released(struct lock_map *l)
{
	preempt_disable();
	struct lockstat_cpu *s = my_stats(l);

	if (hold_timed() && l->acquired_at) {
		u64 hold = time_counter() - l->acquired_at;

		s->hold_count++;
		/* As for waits: a hold under one counter tick is 0, and may be the minimum. */
		if (s->hold_count == 1 || hold < s->hold_min)
			s->hold_min = hold;
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

void lockstat_merge(struct lockstat_sum *o, const struct lockstat_sum *s)
{
	/*
	 * A minimum is one only where its count is not 0 (a measured one may
	 * be 0: under one counter tick); merged before the counts are added.
	 */
	if (s->contentions && (!o->contentions || s->wait_min < o->wait_min))
		o->wait_min = s->wait_min;
	if (s->hold_count && (!o->hold_count || s->hold_min < o->hold_min))
		o->hold_min = s->hold_min;
	o->acquisitions += s->acquisitions;
	o->contentions += s->contentions;
	o->con_bounces += s->con_bounces;
	o->acq_bounces += s->acq_bounces;
	o->trylock_fail += s->trylock_fail;
	o->wait_total += s->wait_total;
	o->hold_total += s->hold_total;
	o->hold_count += s->hold_count;
	o->wait_max = MAX(o->wait_max, s->wait_max);
	o->hold_max = MAX(o->hold_max, s->hold_max);
}

void lockstat_sum_class(u16 id, struct lockstat_sum *o, bool since_boot)
{
	u64 flags = fold_lock();
	u32 epoch = lockstat_epoch_now();

	memset(o, 0, sizeof(*o));
	if (since_boot)
		*o = lockstat_folded[id];
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		for (u32 ctx = 0; ctx < 2; ctx++) {
			const struct lockstat_cpu *rows = lockstat_rows[c][ctx];
			struct lockstat_sum one;

			/* A row set not caught up yet counts before the reset: since boot only. */
			if (!since_boot && LOCKSTAT_ROWS_EPOCH(rows) != epoch)
				continue;
			row_to_sum(&rows[id], &one);
			lockstat_merge(o, &one);
		}
	}
	fold_unlock(flags);
}

/*
 * The benchmark harness resets before its release store of the MEASURE
 * phase; a worker's acquire load of the phase orders its epoch loads after
 * it, so the window's first update already sees the new epoch.
 */
void lockstat_reset(void)
{
	atomic_fetch_add_relaxed(&lockstat_gate, 2U);
}

u32 lockstat_reset_count(void)
{
	return atomic_load_relaxed(&lockstat_gate) / 2;
}

static bool get(const char *name, struct lockstat_sum *out, bool since_boot)
{
	for (u16 id = 1; id < lock_class_count(); id++) {
		if (strcmp(lock_class_name(id), name) == 0) {
			lockstat_sum_class(id, out, since_boot);
			return true;
		}
	}
	return false;
}

bool lockstat_get(const char *name, struct lockstat_sum *out)
{
	return get(name, out, false);
}

bool lockstat_get_since_boot(const char *name, struct lockstat_sum *out)
{
	return get(name, out, true);
}
