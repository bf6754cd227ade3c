/* lockstat's output: the table in Linux's /proc/lock_stat layout (end of run, and /proc/lock_stat's text), and the lockstat: records. */
#include "lockstat_internal.h"
#include <locklab/console.h>
#include <locklab/kconfig.h>
#include <locklab/lock_class.h>
#include <locklab/printf.h>
#include <locklab/string.h>
#include <locklab/time.h>

static unsigned long long ns(u64 cycles)
{
	return (unsigned long long)time_counter_to_ns(cycles);
}

/* One "lockstat: [tag ]class=..." record; times converted to ns here. */
static void print_record(const char *tag, u16 id, const struct lockstat_sum *s)
{
	printk_raw("lockstat: %s%sclass=%s acquisitions=%llu contentions=%llu con_bounces=%llu "
		   "acq_bounces=%llu wait_min_ns=%llu wait_max_ns=%llu wait_total_ns=%llu "
		   "hold_min_ns=%llu hold_max_ns=%llu hold_total_ns=%llu trylock_fail=%llu",
		   tag, tag[0] ? " " : "", lock_class_name(id), (unsigned long long)s->acquisitions,
		   (unsigned long long)s->contentions, (unsigned long long)s->con_bounces,
		   (unsigned long long)s->acq_bounces, ns(s->wait_min), ns(s->wait_max),
		   ns(s->wait_total), ns(s->hold_min), ns(s->hold_max), ns(s->hold_total),
		   (unsigned long long)s->trylock_fail);
}

static bool used(const struct lockstat_sum *s)
{
	return s->acquisitions || s->trylock_fail;
}

void lockstat_print_records(const char *tag)
{
	struct lockstat_sum s;

	for (u16 id = 1; id < lock_class_count(); id++) {
		lockstat_sum_class(id, &s, false);
		if (used(&s))
			print_record(tag ? tag : "", id, &s);
	}
}

/* "1234.57": ns as microseconds with two decimals, rounded to the nearest 10 ns (as /proc/lock_stat shows them). */
static const char *usec(char *buf, size_t n, u64 nsec)
{
	u64 tens = (nsec + 5) / 10;

	snprintf(buf, n, "%llu.%02llu", (unsigned long long)(tens / 100),
		 (unsigned long long)(tens % 100));
	return buf;
}

/*
 * Linux's columns: wait times over the contentions, hold times over the
 * holds that were timed (Linux's holdtime.nr); a class with no timed hold
 * shows "-" there rather than a 0 that would read as "held for no time".
 */
size_t lockstat_format_row(char *buf, size_t n, const char *class_name,
			   const struct lockstat_sum *s)
{
	char w[4][24], h[4][24];
	bool held = s->hold_count != 0;

	usec(w[0], sizeof(w[0]), s->wait_min);
	usec(w[1], sizeof(w[1]), s->wait_max);
	usec(w[2], sizeof(w[2]), s->wait_total);
	usec(w[3], sizeof(w[3]), s->contentions ? s->wait_total / s->contentions : 0);
	for (int i = 0; i < 4; i++)
		strlcpy(h[i], "-", sizeof(h[i]));
	if (held) {
		usec(h[0], sizeof(h[0]), s->hold_min);
		usec(h[1], sizeof(h[1]), s->hold_max);
		usec(h[2], sizeof(h[2]), s->hold_total);
		usec(h[3], sizeof(h[3]), s->hold_total / s->hold_count);
	}
	return (size_t)snprintf(
		buf, n, "%39s: %14llu %14llu %14s %14s %14s %14s %14llu %14llu %14s %14s %14s %14s",
		class_name, (unsigned long long)s->con_bounces, (unsigned long long)s->contentions,
		w[0], w[1], w[2], w[3], (unsigned long long)s->acq_bounces,
		(unsigned long long)s->acquisitions, h[0], h[1], h[2], h[3]);
}

static void to_console(void *ctx, const char *line)
{
	(void)ctx;
	printk_raw("%s", line);
}

static void rule(lockstat_line_fn emit, void *ctx)
{
	char line[256];
	size_t len = 40 + 12 * 15;

	memset(line, '-', len);
	line[len] = '\0';
	emit(ctx, line);
}

/* Linux's column header between two rules. */
static void table_head(lockstat_line_fn emit, void *ctx)
{
	char line[256];

	rule(emit, ctx);
	snprintf(line, sizeof(line),
		 "%40s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s", "class name",
		 "con-bounces", "contentions", "waittime-min", "waittime-max", "waittime-total",
		 "waittime-avg", "acq-bounces", "acquisitions", "holdtime-min", "holdtime-max",
		 "holdtime-total", "holdtime-avg");
	emit(ctx, line);
	rule(emit, ctx);
}

static void to_ns(struct lockstat_sum *s)
{
	s->wait_min = ns(s->wait_min);
	s->wait_max = ns(s->wait_max);
	s->wait_total = ns(s->wait_total);
	s->hold_min = ns(s->hold_min);
	s->hold_max = ns(s->hold_max);
	s->hold_total = ns(s->hold_total);
}

/* Class id's row, from its sum in counter cycles; nothing for a class never used. */
static void table_row(lockstat_line_fn emit, void *ctx, u16 id, const struct lockstat_sum *cycles)
{
	struct lockstat_sum s = *cycles;
	char row[256];

	if (!used(&s))
		return;
	to_ns(&s);
	lockstat_format_row(row, sizeof(row), lock_class_name(id), &s);
	emit(ctx, row);
}

/*
 * /proc/lock_stat's text (kernel/locking/lockstat_proc.c): Linux's version
 * line and the table, over the window since the last reset (writing 0 to
 * the file resets it, as in Linux).
 */
void lockstat_proc_lines(lockstat_line_fn emit, void *ctx)
{
	struct lockstat_sum s;

	emit(ctx, "lock_stat version 0.4");
	table_head(emit, ctx);
	for (u16 id = 1; id < lock_class_count(); id++) {
		lockstat_sum_class(id, &s, false);
		table_row(emit, ctx, id, &s);
	}
}

/*
 * Taken once, before the first line: printing takes the console's lock,
 * and the table and the records after it must show the same numbers.
 */
static struct lockstat_sum snapshot[LOCK_CLASSES_MAX];

void lockstat_print_totals(void)
{
	u64 acquisitions = 0, timed = 0, up = time_ns();
	u16 classes = lock_class_count();

	for (u16 id = 1; id < classes; id++) {
		lockstat_sum_class(id, &snapshot[id], true);
		acquisitions += snapshot[id].acquisitions;
		timed += snapshot[id].hold_count;
	}
	printk_raw("lock_stat version 0.4 (locklab: times in us, as Linux's /proc/lock_stat)");
	printk_raw(
		"lock_stat window: the whole run, from boot to now (%llu.%03llu s); the %u resets by the "
		"benchmark harness (each run's start barrier) and the tests are folded in, so these are not "
		"the last run's figures",
		(unsigned long long)(up / 1000000000ULL),
		(unsigned long long)(up / 1000000ULL % 1000), lockstat_reset_count());
	if (!LOCKSTAT_HOLD_TIMED)
		printk_raw(
			"lock_stat holds: not timed (CONFIG_LOCK_STAT_HOLD_TIME is off): holdtime columns are -");
	else
		printk_raw(
			"lock_stat holds: %llu of %llu acquisitions had their hold timed (benchmark runs time "
			"holds only with lockstat_hold=1, or on hardware): holdtime columns cover those, - where "
			"a class had none",
			(unsigned long long)timed, (unsigned long long)acquisitions);
	table_head(to_console, NULL);
	for (u16 id = 1; id < classes; id++)
		table_row(to_console, NULL, id, &snapshot[id]);
	rule(to_console, NULL);
	/* The same totals as records, in ns (host tools parse these; docs/output-format.md). */
	for (u16 id = 1; id < classes; id++)
		if (used(&snapshot[id]))
			print_record("", id, &snapshot[id]);
}
