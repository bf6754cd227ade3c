/* lockstat: per-class, per-CPU lock statistics; no-op stubs when CONFIG_LOCK_STAT is off. */
#ifndef LOCKLAB_LOCKSTAT_H
#define LOCKLAB_LOCKSTAT_H

#include <locklab/kconfig.h>
#include <locklab/types.h>

struct lock_map;

/* Receives one line of lockstat's text (no newline): the console, or a special file's text. */
typedef void (*lockstat_line_fn)(void *ctx, const char *line);

/* One class's numbers summed over CPUs; times in counter cycles (ns where a function says so). */
struct lockstat_sum {
	u64 acquisitions, contentions, con_bounces, acq_bounces, trylock_fail;
	u64 wait_min, wait_max, wait_total; /* over contended acquisitions */
	u64 hold_min, hold_max, hold_total; /* over the holds that were timed */
	/* holds timed (hold times may be off: lockstat_set_hold) */
	u64 hold_count;
};

#ifdef CONFIG_LOCK_STAT
#include <locklab/lock_map.h>
#include <locklab/percpu.h>
#include <locklab/time.h>
#include <asm/atomic.h>

/* One CPU's numbers for one class, in one context (task or IRQ). */
struct lockstat_cpu {
	u64 acquisitions, contentions, con_bounces, acq_bounces, trylock_fail;
	u64 wait_min, wait_max, wait_total;
	u64 hold_min, hold_max, hold_total, hold_count;
};

/* Any context (it disables preemption itself): the full update. */
void lockstat_acquired(struct lock_map *l, bool contended, u64 wait_cycles);
void lockstat_released(struct lock_map *l);
void lockstat_trylock_failed(struct lock_map *l);
/*
 * Starts a new window (lockstat_get, lockstat_print_records): call only
 * while no CPU is taking locks that matter (benchmarks: between runs). The
 * counts so far are kept in the since-boot totals.
 */
void lockstat_reset(void);
/* A class's numbers since the last reset; false if no lock of that class exists. */
bool lockstat_get(const char *class_name, struct lockstat_sum *out);
/* The same since boot, whatever was reset in between. */
bool lockstat_get_since_boot(const char *class_name, struct lockstat_sum *out);
u32 lockstat_reset_count(void);
/*
 * The end of a run (boot option lockstat): the since-boot totals in the
 * layout and units of Linux's /proc/lock_stat (us, two decimals), saying
 * which window they cover, then one "lockstat: class=..." record per class.
 */
void lockstat_print_totals(void);
/*
 * /proc/lock_stat's text, line by line: "lock_stat version 0.4", Linux's
 * column header between rules, a row per class used since the last reset.
 */
void lockstat_proc_lines(lockstat_line_fn emit, void *ctx);
/* Only the "lockstat: [tag ]class=..." records since the last reset (benchmarks print these after every run). */
void lockstat_print_records(const char *tag);
/*
 * One row of that table into buf (NUL-terminated, at most n bytes), from
 * a sum whose times are already in ns; returns the length. For the tests.
 */
size_t lockstat_format_row(char *buf, size_t n, const char *class_name,
			   const struct lockstat_sum *ns);
/* Time holds from now on (if CONFIG_LOCK_STAT_HOLD_TIME)? Switch only while no lock is held. */
void lockstat_set_hold(bool on);
#define LOCKSTAT_ENABLED 1
/* Hold times are measured only with CONFIG_LOCK_STAT_HOLD_TIME; without it the hold_* sums stay 0. */
#define LOCKSTAT_HOLD_TIMED IS_ENABLED(CONFIG_LOCK_STAT_HOLD_TIME)
/* Points this CPU's rows at the IRQ or the task set (kernel/irq.c, on entry and exit). */
void lockstat_irq_context(bool in_irq);

/*
 * The fast path's one test, a word that lockstat_reset() and
 * lockstat_set_hold() keep (atomic): the reset epoch times 2 (the number
 * of resets), plus 1 while holds are timed (only ever set with
 * CONFIG_LOCK_STAT_HOLD_TIME). Row 0 of a CPU's row set
 * belongs to no class (class ids start at 1): its acquisitions field holds
 * the epoch (times 2, bit 0 clear) its rows count since. So a row set that
 * an uncontended acquisition may update inline is one whose row 0 equals
 * the gate: current, with holds untimed. Rows of an older epoch are the
 * window before a reset: the owning CPU folds them into the since-boot
 * totals and zeroes them before its next update (lockstat_catch_up), so a
 * reset never writes another CPU's rows. One load and compare instead of
 * a separate hold flag's: the check costs the fast path two instructions.
 */
extern u32 lockstat_gate;
#define LOCKSTAT_GATE_HOLD	  1U
#define LOCKSTAT_ROWS_EPOCH(rows) ((rows)[0].acquisitions)
static inline u32 lockstat_epoch_now(void)
{
	return atomic_load_relaxed(&lockstat_gate) & ~LOCKSTAT_GATE_HOLD;
}
static inline bool lockstat_rows_stale(const struct lockstat_cpu *rows)
{
	return LOCKSTAT_ROWS_EPOCH(rows) != lockstat_epoch_now();
}
void lockstat_catch_up(struct lockstat_cpu *rows);

/*
 * The spinlock fast paths, inline: an uncontended acquisition and a
 * release without a timed hold are most of all lock operations, and the
 * out-of-line update (a call, preemption off and on, the row lookup) cost
 * about as much as the ticket lock itself. The caller has preemption off
 * (it holds, or is taking, a spinlock). Anything unusual - a class not
 * looked up yet, rows not set up, a timed hold - takes the full path.
 */
static inline void lockstat_acquired_uncontended(struct lock_map *l)
{
	struct percpu *pc = this_cpu();
	struct lockstat_cpu *rows = pc->lockstat_rows;
	u16 id = l->class_id, last = l->last_cpu;

	if (__builtin_expect(!rows || !id ||
				     LOCKSTAT_ROWS_EPOCH(rows) !=
					     atomic_load_relaxed(&lockstat_gate),
			     0)) {
		lockstat_acquired(l, false, 0);
		return;
	}
	rows[id].acquisitions++;
	rows[id].acq_bounces += last != LOCK_MAP_NO_CPU && last != (u16)pc->cpu;
	if (LOCKSTAT_HOLD_TIMED)
		l->acquired_at = 0; /* not timed: a later switch-on must not time this hold */
}

/*
 * A contended spinlock acquisition whose hold is not timed leaves its
 * numbers in the lock (lockstat_acquired_later) and its release counts them
 * after letting go (lockstat_take_held_wait, then lockstat_count_held_wait):
 * the update done while holding the lock lengthened the very hold the next
 * waiter waits out. Under QEMU the BKL's getpid at 2 CPUs did 0.90x
 * without lockstat, 0.35x with the update inside the hold and 0.60x with
 * it after the release (medians of 24 boots; docs/measuring.md).
 */
#define LOCKSTAT_HELD_WAIT   1
#define LOCKSTAT_HELD_BOUNCE 2
struct lockstat_held_wait {
	u64 wait;
	u16 class_id;
	u8 set; /* l->held_wait_set when taken */
};
/*
 * Inline: its work lengthens the hold. false (after counting it at once, as
 * lockstat_acquired) when holds are timed: a timed hold starts now, and its
 * release goes through lockstat_released. The class is looked up here on a
 * lock's first use: after the release the lock may be gone.
 */
static inline bool lockstat_acquired_later(struct lock_map *l, u64 wait_cycles)
{
	u16 last = l->last_cpu;
	bool bounce = last != LOCK_MAP_NO_CPU && last != (u16)smp_processor_id();

	if (LOCKSTAT_HOLD_TIMED && (atomic_load_relaxed(&lockstat_gate) & LOCKSTAT_GATE_HOLD)) {
		lockstat_acquired(l, true, wait_cycles);
		return false;
	}
	if (__builtin_expect(!l->class_id, 0))
		lock_map_class(l);
	l->held_wait = wait_cycles;
	l->held_wait_set = LOCKSTAT_HELD_WAIT | (bounce ? LOCKSTAT_HELD_BOUNCE : 0);
	if (LOCKSTAT_HOLD_TIMED)
		l->acquired_at = 0; /* not timed, as lockstat_acquired_uncontended leaves it */
	return true;
}
/* Whether the holder's acquisition is still to be counted (by its release). */
static inline bool lockstat_held_wait_pending(const struct lock_map *l)
{
	return __builtin_expect(l->held_wait_set, 0);
}
/* Before the release: what the acquisition left, now taken out of the lock (which may be freed after it). */
static inline void lockstat_take_held_wait(struct lock_map *l, struct lockstat_held_wait *h)
{
	h->set = l->held_wait_set;
	h->wait = l->held_wait;
	h->class_id = l->class_id; /* looked up by lockstat_acquired_later */
	l->held_wait_set = 0;
}
/* After the release, preemption still off: counts the acquisition taken with lockstat_take_held_wait. */
void lockstat_count_held_wait(const struct lockstat_held_wait *h);

/* Is l's current hold being timed? Then its release goes through lockstat_released(). */
static inline bool lockstat_hold_timed(struct lock_map *l)
{
	return LOCKSTAT_HOLD_TIMED && __builtin_expect(l->acquired_at != 0, 0);
}

/* The release of a hold that is not timed: only who let go, for bounce counting. */
static inline void lockstat_released_untimed(struct lock_map *l)
{
	l->last_cpu = (u16)smp_processor_id();
}
#else
struct lockstat_held_wait {
	u64 wait;
	u8 set;
};
static inline bool lockstat_acquired_later(struct lock_map *l, u64 w)
{
	(void)l;
	(void)w;
	return false;
}
static inline bool lockstat_held_wait_pending(const struct lock_map *l)
{
	(void)l;
	return false;
}
static inline void lockstat_take_held_wait(struct lock_map *l, struct lockstat_held_wait *h)
{
	(void)l;
	h->set = 0;
	h->wait = 0;
}
static inline void lockstat_count_held_wait(const struct lockstat_held_wait *h)
{
	(void)h;
}
static inline void lockstat_acquired(struct lock_map *l, bool c, u64 w)
{
	(void)l;
	(void)c;
	(void)w;
}
static inline void lockstat_acquired_uncontended(struct lock_map *l)
{
	(void)l;
}
static inline bool lockstat_hold_timed(struct lock_map *l)
{
	(void)l;
	return false;
}
static inline void lockstat_released_untimed(struct lock_map *l)
{
	(void)l;
}
static inline void lockstat_irq_context(bool in_irq)
{
	(void)in_irq;
}
static inline void lockstat_released(struct lock_map *l)
{
	(void)l;
}
static inline void lockstat_trylock_failed(struct lock_map *l)
{
	(void)l;
}
static inline void lockstat_reset(void)
{
}
static inline bool lockstat_get(const char *n, struct lockstat_sum *o)
{
	(void)n;
	/* zeros, not garbage, for a caller that reads them anyway */
	*o = (struct lockstat_sum){ .acquisitions = 0 };
	return false;
}
static inline bool lockstat_get_since_boot(const char *n, struct lockstat_sum *o)
{
	(void)n;
	/* zeros, not garbage, for a caller that reads them anyway */
	*o = (struct lockstat_sum){ .acquisitions = 0 };
	return false;
}
static inline u32 lockstat_reset_count(void)
{
	return 0;
}
static inline void lockstat_print_totals(void)
{
}
static inline void lockstat_proc_lines(lockstat_line_fn emit, void *ctx)
{
	(void)emit;
	(void)ctx;
}
static inline size_t lockstat_format_row(char *b, size_t n, const char *c,
					 const struct lockstat_sum *s)
{
	(void)c;
	(void)s;
	if (n)
		b[0] = '\0';
	return 0;
}
static inline void lockstat_print_records(const char *tag)
{
	(void)tag;
}
static inline void lockstat_set_hold(bool on)
{
	(void)on;
}
#define LOCKSTAT_ENABLED    0
#define LOCKSTAT_HOLD_TIMED 0
#endif

#endif
