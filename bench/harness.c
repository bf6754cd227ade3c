/* The benchmark harness: for each selected workload and CPU count, warm up, measure, stop, check, print records. */
#include "bench.h"
#include <locklab/bench.h>
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/errno.h>
#include <locklab/fs.h>
#include <locklab/mm.h>
#include <locklab/panic.h>
#include <locklab/locking/lock_alg.h>
#include <locklab/klock.h>
#include <locklab/lockdep.h>
#include <locklab/lockstat.h>
#include <locklab/lock_trace.h>
#include <locklab/platform.h>
#include <locklab/printf.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/time.h>
#include <asm/spin_wait.h> /* SPIN_WAIT_NAME, and asm/atomic.h */
#include <generated/version.h>

static char bench_select[512] =
	CONFIG_BENCH_DEFAULT; /* every workload by name fits (make bench lists them) */
BOOTPARAM_STR(
	bench_select, "bench",
	"benchmarks to run: all (every workload not marked named-only), none, help (list the workloads), "
	"or a comma-separated list of workloads");
static char bench_cpus[64];
BOOTPARAM_STR(bench_cpus, "cpus",
	      "CPU counts the benchmarks sweep, comma-separated (default 1,2,...,CPUs online)");
static u64 duration_ms = CONFIG_BENCH_DURATION_MS;
BOOTPARAM_UINT(duration_ms, "duration_ms", 10, 60000, "measured time of one benchmark run, in ms");
static u64 repeats = CONFIG_BENCH_REPEAT;
BOOTPARAM_UINT(repeats, "repeat", 1, 100, "runs per workload and CPU count");
static u64 think_ns = CONFIG_BENCH_THINK_NS;
BOOTPARAM_UINT(think_ns, "think", 0, 10000000,
	       "ns of computation between calls (mixed, lock, ratio workloads)");
static u64 hold_mode = 2;
BOOTPARAM_UINT(
	hold_mode, "lockstat_hold", 0, 2,
	"lock hold times in benchmark runs: 0 never, 1 always, 2 auto (on hardware; not under QEMU, "
	"where every counter read takes QEMU's global lock)");
static u64 cs_ns = CONFIG_BENCH_CS_NS;
BOOTPARAM_UINT(cs_ns, "cs", 0, 1000000,
	       "ns of critical section (lock workload) or spent inside the kernel per call (ratio)");
static char trace_select[32];
BOOTPARAM_STR(
	trace_select, "trace",
	"a bench= workload whose first run at the largest CPU count records a lock timeline (trace_us=, "
	"trace_events=)");
static u32 trace_cpus; /* the largest CPU count of the sweep: the traced run's */


static struct bench_run run; /* one run at a time */

u64 bench_rand(struct bench_worker *w)
{
	/* xorshift64: cheap, and each worker has its own state. */
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

/*
 * Think and critical-section time is a calibrated loop, not a loop on the
 * counter: under QEMU every read of the architected counter takes QEMU's
 * global lock, so counter-spinning vCPUs serialised each other exactly
 * where the lock workload measures locks (issue 13). Each sweep measures the
 * loop's speed after its warm-up and prints it in bench-meta (spin_iters_per_ms).
 */
static u64 spin_iters_per_ms;
/* Given (make bench-wait): every boot of a sweep runs the same loop per ns asked, so an op does the same work. */
static u64 spin_iters_given;
BOOTPARAM_UINT(spin_iters_given, "spin_iters_per_ms", 0, 1000000000,
	       "speed of the think/cs loop, iterations per ms (default 0: calibrate at boot)");

static inline void spin_loop(u64 iters)
{
	if (!iters)
		return;
	__asm__ volatile("1: subs %0, %0, #1\n\tb.ne 1b" : "+r"(iters) : : "cc");
}

/* The fastest of a few timed rounds: a round the host interrupted only looks slower. */
static void spin_calibrate(void)
{
	const u64 chunk = 1 << 16;
	u64 best = 0, freq = time_freq(), min_cycles = freq / 200; /* rounds of at least 5 ms */

	for (int round = 0; round < 3; round++) {
		u64 iters = 0, t0 = time_counter(), t;

		do {
			spin_loop(chunk);
			iters += chunk;
			t = time_counter() - t0;
		} while (t < min_cycles);
		best = MAX(best, iters * freq / 1000 / t);
	}
	spin_iters_per_ms = best ? best : 1;
}

void bench_spin_ns(u64 ns)
{
	spin_loop(ns * spin_iters_per_ms / 1000000ULL);
}

static u64 my_lock_wait(void)
{
	return current_task()->lock_wait_cycles;
}

/* Waits (yielding: a worker may share the CPU with the harness) until the phase moves on from 'from'. */
static void wait_phase_change(struct bench_run *r, u32 from)
{
	while (atomic_load_acquire(&r->phase) == from)
		yield();
}

/* A barrier: note where this worker is, count it in, wait for the harness to move on. */
static void arrive(struct bench_worker *w, u64 *ops, u64 *wait, u32 phase)
{
	*ops = w->ops;
	*wait = my_lock_wait();
	if (phase == BENCH_STOP)
		w->clock_end = time_counter();
	/* release: our snapshots before the count */
	atomic_fetch_add_acq_rel(&w->run->arrived, 1U);
	wait_phase_change(w->run, phase);
	if (phase == BENCH_START) {
		/*
		 * The wait snapshot with the clock's, as the worker leaves: the
		 * run-queue lock waits of the yields above lie before its window,
		 * so lock_wait_pct (waits over the windows) must not count them.
		 */
		*wait = my_lock_wait();
		w->clock_start = time_counter();
	}
}

void bench_arrive(struct bench_worker *w, u32 phase)
{
	if (phase == BENCH_START)
		arrive(w, &w->ops_start, &w->wait_start, BENCH_START);
	else
		arrive(w, &w->ops_end, &w->wait_end, BENCH_STOP);
}

bool bench_running(struct bench_worker *w)
{
	u32 phase = atomic_load_acquire(&w->run->phase);

	switch (phase) {
	case BENCH_WARMUP:
	case BENCH_MEASURE: return true;
	case BENCH_START:
	case BENCH_STOP:
		if (w->run->wl->before_barrier)
			w->run->wl->before_barrier(w, phase);
		bench_arrive(w, phase);
		return phase == BENCH_START; /* measuring now, or done */
	default: return false;
	}
}

static void worker_main(void *arg)
{
	struct bench_worker *w = arg;

	w->run->wl->work(w);
}

/* Polls (yielding to the worker that shares CPU 0) until the counter reaches 'until'. */
static void wait_until(u64 until)
{
	while (time_counter() < until)
		yield();
}

/*
 * Waits until every worker is at the barrier of the current phase, or
 * gone: a worker that arrived at this barrier is parked in the kernel and
 * cannot end before the phase moves on, so none is counted twice.
 */
static void wait_arrivals(struct bench_run *r)
{
	while (atomic_load_acquire(&r->arrived) + atomic_load_acquire(&r->gone) < r->nworkers)
		yield();
}

void bench_worker_gone(struct bench_worker *w)
{
	w->gone = true;
	/* release: the worker's last snapshots and its flag before the count */
	atomic_fetch_add_acq_rel(&w->run->gone, 1U);
}

static void set_phase(struct bench_run *r, u32 phase)
{
	atomic_store_relaxed(&r->arrived, 0U);
	/* release: the reset above and our snapshots come first */
	atomic_store_release(&r->phase, phase);
}

/* "12.34": a percentage with two decimals, from a numerator and denominator. */
static void format_pct(char *buf, size_t n, u64 num, u64 den)
{
	u64 centi = den ? num * 10000 / den : 0;

	if (!LOCKSTAT_ENABLED)
		strlcpy(buf, "na", n); /* lock waits are timed by the lockstat clock reads */
	else
		snprintf(buf, n, "%llu.%02llu", (unsigned long long)(centi / 100),
			 (unsigned long long)(centi % 100));
}

/* Are hold times taken in this run? (see the lockstat_hold boot option) */
static bool hold_timed_in(struct bench_run *r)
{
	(void)r;
	/*
	 * Every run of a boot is timed the same way, or speedups over the
	 * 1-CPU run would compare different instrumentation.
	 */
	if (hold_mode != 2)
		return hold_mode == 1;
	return strcmp(platform()->board, "qemu-virt") != 0;
}

/* The lock timeline's window (trace=): centred in the measured phase, and no longer than it. */
static void trace_window(u64 t0, u64 measured)
{
	u64 len = MIN(lock_trace_window_cycles(), measured), from = t0 + (measured - len) / 2;

	wait_until(from);
	/*
	 * A quarter-length window first, whose events the real one throws
	 * away: the tracing code's first runs are slow (under QEMU it is
	 * being translated: 100-300 us with no event on any CPU).
	 */
	wait_until(lock_trace_start(len / 4));
	lock_trace_stop();
	/* From when the harness got its CPU back (a tick late, if worker 0 had it): the window closes itself. */
	wait_until(lock_trace_start(len));
	lock_trace_stop();
}

/* What one run's workers did in the measured phase, summed at the stop barrier. */
struct run_totals {
	u64 ops, tmin, tmax; /* ops of all workers, of the slowest and of the fastest */
	u32 workers;	     /* the measured (active) workers those ops are summed over */
	u64 waited, window;  /* lock-wait ns and measured ns, summed over the workers */
	/* acq_exact: the workload's exact class acquired once per op (ok, FAIL, na) */
	const char *exact;
};

/* Set-up: the run's state, the workload's own set-up; false (after saying why) if the run cannot start. */
static bool run_setup(struct bench_run *r, const struct bench_workload *wl, u32 cpus, u32 repeat,
		      const char *tag)
{
	long err;

	memset(r, 0, sizeof(*r));
	r->wl = wl;
	r->cpus = cpus;
	r->repeat = repeat;
	r->think_ns = think_ns;
	r->cs_ns = cs_ns;
	r->nworkers = cpus;
	for (u32 i = 0; i < BENCH_MAX_WORKERS; i++) {
		struct bench_worker *w = &r->workers[i];

		w->run = r;
		w->idx = i;
		w->cpu = i % cpus;
		w->active = true;
		w->rng = 0x9e3779b97f4a7c15ULL * (i + 1) + repeat;
	}
	printk_raw("bench-start: %s", tag); /* a host that must kill a hung run can name it */
	err = wl->setup ? wl->setup(r) : 0;
	if (err == 0 && sched_free_slots() < r->nworkers)
		/* a worker that cannot start would leave its partners waiting forever */
		err = -EAGAIN;
	if (err < 0) {
		printk_raw("bench: error %s: set-up failed: %s", tag, errno_name(err));
		if (wl->check)
			wl->check(r); /* undoes whatever set-up did (its verdict is moot) */
		return false;
	}
	for (u32 i = 0; i < r->nworkers; i++)
		r->nactive += r->workers[i].active;
	return true;
}

/*
 * Measure: starts the workers, warms up, then times duration_ms between two
 * barriers, with lockstat reset at the first. The workers are left parked
 * at the stop barrier. *t0 and *t1 bound the measured phase; false if a
 * worker could not start (then nothing was measured).
 */
static bool run_measure(struct bench_run *r, const char *tag, bool traced, u64 *t0, u64 *t1)
{
	bool ok = true;

	set_phase(r, BENCH_WARMUP);
	for (u32 i = 0; i < r->nworkers; i++) {
		struct bench_worker *w = &r->workers[i];

		w->pid = sys_spawn(worker_main, w, (int)w->cpu);
		if (w->pid < 0) {
			printk_raw("bench: error %s: cannot start worker %u on cpu%u: %s", tag, i,
				   w->cpu, errno_name(w->pid));
			ok = false;
		}
	}
	if (!ok) {
		*t0 = *t1 = time_counter();
		return false;
	}
	/* Warm up for a tenth of the measured time (caches, free lists, directories). */
	wait_until(time_counter() + duration_ms * time_freq() / 10000);
	set_phase(r, BENCH_START);
	wait_arrivals(r);
	lockstat_reset(); /* every worker is parked at the barrier: no lock is in use */
	lockstat_set_hold(hold_timed_in(r));
	*t0 = time_counter();
	set_phase(r, BENCH_MEASURE);
	if (traced)
		trace_window(*t0, duration_ms * time_freq() / 1000);
	wait_until(*t0 + duration_ms * time_freq() / 1000);
	*t1 = time_counter();
	set_phase(r, BENCH_STOP);
	wait_arrivals(r);
	return true;
}

/*
 * Collect: sums the workers' counts, checks the exact lock count and prints
 * the run's lockstat records while they are parked, then releases and
 * reaps them and checks what they saw and the workload's invariants.
 * Returns false if any check failed.
 */
static bool run_collect(struct bench_run *r, const char *tag, bool measured, struct run_totals *tot)
{
	const struct bench_workload *wl = r->wl;
	bool ok = measured;

	*tot = (struct run_totals){ .tmin = ~0ULL, .exact = "na" };
	for (u32 i = 0; i < r->nworkers; i++) {
		struct bench_worker *w = &r->workers[i];

		/* A worker gone before the stop barrier has no end snapshot: its run failed, its count is not one. */
		if (!w->active || w->pid < 0 || w->gone)
			continue;
		u64 n = w->ops_end - w->ops_start;
		tot->workers++;
		tot->ops += n;
		tot->tmin = MIN(tot->tmin, n);
		tot->tmax = MAX(tot->tmax, n);
		tot->waited += w->wait_end - w->wait_start;
		tot->window += w->clock_end - w->clock_start;
	}
	if (tot->tmin == ~0ULL)
		tot->tmin = 0;
	/* Workers are parked at the stop barrier: the counts below cover exactly the measured ops. */
	if (measured && LOCKSTAT_ENABLED && wl->exact_class) {
		struct lockstat_sum s = { 0 };
		const char *cls = wl->exact_class(r);

		lockstat_get(cls, &s);
		tot->exact = s.acquisitions == tot->ops ? "ok" : "FAIL";
		if (s.acquisitions != tot->ops) {
			printk_raw(
				"bench: error %s: lock class %s acquired %llu times for %llu ops (expected equal)",
				tag, cls, (unsigned long long)s.acquisitions,
				(unsigned long long)tot->ops);
			ok = false;
		}
	}
	if (LOCKSTAT_ENABLED)
		lockstat_print_records(tag);
	set_phase(r, BENCH_RELEASE);
	for (u32 i = 0; i < r->nworkers; i++) {
		int status = 0;

		if (r->workers[i].pid > 0 &&
		    sys_wait((int)r->workers[i].pid, &status) != r->workers[i].pid) {
			printk_raw("bench: error %s: worker %u was not reaped", tag, i);
			ok = false;
		}
	}
	/* Reaped: everything a worker wrote, to its last op, is visible now. */
	for (u32 i = 0; i < r->nworkers; i++) {
		struct bench_worker *w = &r->workers[i];

		if (w->gone)
			ok = false; /* it said why as it ended */
		else if (w->bad) {
			printk_raw("bench: error %s: worker %u on cpu%u saw %llu wrong results",
				   tag, i, w->cpu, (unsigned long long)w->bad);
			ok = false;
		}
	}
	if (wl->check && !wl->check(r))
		ok = false;
	return ok;
}

/* Report: the run's bench: record (docs/output-format.md). */
static void run_report(const struct bench_run *r, const struct run_totals *tot, u64 ns, bool ok)
{
	char pct[16];

	/*
	 * Each worker's waits happen between its own two barrier snapshots, so
	 * dividing by the sum of those windows (not by the harness's t1 - t0,
	 * which ends before the workers finish their last op) keeps the share
	 * at or below 100 %.
	 */
	format_pct(pct, sizeof(pct), tot->waited, tot->window);
	printk_raw(
		"bench: workload=%s cpus=%u repeat=%u ops=%llu ns=%llu ops_per_sec=%llu thread_ops_min=%llu "
		"thread_ops_max=%llu workers=%u lock_wait_pct=%s acq_exact=%s invariants=%s",
		r->wl->name, r->cpus, r->repeat, (unsigned long long)tot->ops,
		(unsigned long long)ns,
		(unsigned long long)(ns ? tot->ops * 1000000000ULL / ns : 0),
		(unsigned long long)tot->tmin, (unsigned long long)tot->tmax, tot->workers, pct,
		tot->exact, ok ? "ok" : "FAIL");
}

/* One run: returns true if it completed with its invariants holding. */
static bool run_one(const struct bench_workload *wl, u32 cpus, u32 repeat)
{
	struct bench_run *r = &run;
	struct run_totals tot;
	bool traced = trace_select[0] && strcmp(wl->name, trace_select) == 0 &&
		      cpus == trace_cpus && !repeat,
	     ok;
	char tag[80];
	u64 t0, t1;

	snprintf(tag, sizeof(tag), "workload=%s cpus=%u repeat=%u", wl->name, cpus, repeat);
	if (!run_setup(r, wl, cpus, repeat, tag))
		return false;
	ok = run_measure(r, tag, traced, &t0, &t1);
	ok = run_collect(r, tag, ok, &tot);
	run_report(r, &tot, time_counter_to_ns(t1 - t0), ok);
	if (traced)
		/* after the run's records: the dump is slow, and no run is going on */
		lock_trace_dump(tag);
	return ok;
}

static void print_meta(void)
{
	const struct platform_info *plat = platform();
	char classes[128];

	/* What the report reads the strategy by (its real locks), so the host tools know no strategy's name. */
	if (!lock_strategy_classes(classes, sizeof(classes)))
		printk_raw(
			"bench: error: the strategy's lock classes do not fit bench-meta; classes= is cut short");
	printk_raw(
		"bench-meta: format=1 strategy=%s scope=%s classes=%s lock_alg=%s atomics=%s spin_wait=%s lock_wait=%s board=%s "
		"cpus_online=%u cntfrq=%llu lockstat=%s lockstat_hold=%s lockdep=%s duration_ms=%llu repeat=%llu think_ns=%llu cs_ns=%llu "
		"spin_iters_per_ms=%llu hz=%u warmup_ms=%llu version=%s config=%s",
		LOCK_STRATEGY_NAME, lock_scope_name(LOCK_STRATEGY_SCOPE), classes, LOCK_ALG_NAME,
		LOCK_ATOMICS_NAME, SPIN_WAIT_NAME, KLOCK_WAIT_NAME, plat->board, cpus_online(),
		(unsigned long long)time_freq(), LOCKSTAT_ENABLED ? "on" : "off",
		!IS_ENABLED(CONFIG_LOCK_STAT_HOLD_TIME) || hold_mode == 0 ? "off" :
		hold_mode == 1						  ? "on" :
									    "auto",
		LOCKDEP_ENABLED ? "on" : "off", (unsigned long long)duration_ms,
		(unsigned long long)repeats, (unsigned long long)think_ns,
		(unsigned long long)cs_ns, (unsigned long long)spin_iters_per_ms,
		(unsigned)CONFIG_HZ, (unsigned long long)bench_warmup_ms(), LOCKLAB_VERSION,
		LOCKLAB_CONFIG_HASH);
}

/*
 * Options that only a run reads, given with no run (cpus=9 alone): said,
 * so a user does not take the silence for "done". Told by a value other
 * than its default; one given at its default changes nothing either way.
 */
static void bench_note_unused(void)
{
	const char *given[6];
	u32 n = 0;

	if (bench_cpus[0])
		given[n++] = "cpus=";
	if (duration_ms != CONFIG_BENCH_DURATION_MS)
		given[n++] = "duration_ms=";
	if (repeats != CONFIG_BENCH_REPEAT)
		given[n++] = "repeat=";
	if (think_ns != CONFIG_BENCH_THINK_NS)
		given[n++] = "think=";
	if (cs_ns != CONFIG_BENCH_CS_NS)
		given[n++] = "cs=";
	if (bench_warmup_ms() != BENCH_WARMUP_MS)
		given[n++] = "warmup_ms=";
	for (u32 i = 0; i < n; i++)
		printk("bootargs: %s applies only to benchmark runs, and bench= names none: ignored (bench=help lists the workloads)",
		       given[i]);
}

/* The workloads, trace= and cpus= a run asks for: how many CPU counts, or 0 after printing what is wrong. */
static u32 bench_options_ok(u32 counts[CONFIG_NR_CPUS])
{
	if (!bench_table_ok() || !bench_check_selection(bench_select) ||
	    !bench_check_trace(trace_select, bench_select))
		return 0;
	return bench_parse_cpus(bench_cpus, counts);
}

/* bench=help's list was printed before the boot's self-tests (bench_boot_options_ok). */
static bool help_said;

/* The runner behind bench= and the bench() call: the number of failed runs, or -EINVAL (printed) for bad options. */
static long bench_run(void)
{
	u32 counts[CONFIG_NR_CPUS], ncounts, runs = 0, failed = 0;
	bool all = strlist_has(bench_select, "all"), interrupted = false;

	if (!bench_select[0] || strcmp(bench_select, "none") == 0) {
		bench_note_unused();
		if (!trace_select[0])
			return 0;
		/* names what is wrong with trace= (no workload runs, so something is) */
		bench_check_trace(trace_select, bench_select);
		printk_raw("bench-end: runs=0 failed=1");
		return -EINVAL;
	}
	if (strlist_has(bench_select, "help")) {
		if (!help_said) /* a boot says it before its self-tests; a bench() call here */
			bench_print_help();
		help_said = false; /* once: a later bench help (the shell's) lists them again */
		return 0;
	}
	if ((ncounts = bench_options_ok(counts)) == 0) {
		printk_raw("bench-end: runs=0 failed=1");
		return -EINVAL;
	}
	trace_cpus = 0; /* a run after the boot's sweeps its own counts */
	for (u32 c = 0; c < ncounts; c++)
		trace_cpus = MAX(trace_cpus, counts[c]);
	if (spin_iters_given)
		spin_iters_per_ms = spin_iters_given;
	else
		spin_calibrate();  /* a first guess, for the warm-up's loop */
	bench_warm_up(trace_cpus); /* every CPU of the sweep: its largest count */
	if (!spin_iters_given)
		spin_calibrate(); /* again, past the slow start the warm-up took */
	print_meta();
	bench_print_workloads();
	bench_ctxsw_report();
	/*
	 * The CPU counts rotate inside each repeat (1,2,4,1,2,4...): a speedup
	 * divides by the 1-CPU run next to it, taken under the same host
	 * conditions, not by one 1-CPU run from the start of the boot.
	 */
	for_each_workload (wl) {
		if (interrupted)
			break;
		if (!strlist_has(bench_select, wl->name) && !(all && !bench_named_only(wl)))
			continue;
		for (u32 rep = 0; rep < repeats && !interrupted; rep++)
			for (u32 c = 0; c < ncounts && !interrupted; c++) {
				/*
				 * Ctrl-C at the shell's bench(): between runs, never inside
				 * one. Not "bench:", a record's prefix: bench-extract would
				 * read the line as a malformed record.
				 */
				interrupted = run_interrupted();
				if (interrupted) {
					printk_raw(
						"bench interrupted (Ctrl-C): the runs left are not run");
					break;
				}
				runs++;
				failed += !run_one(wl, counts[c], rep);
			}
	}
	printk_raw("bench-end: runs=%u failed=%u", runs, failed);
	lockstat_set_hold(true);
	return interrupted && !failed ? -EINTR : (long)failed;
}

/*
 * Checked before the boot's self-tests, so a misspelt workload or CPU count
 * is said at once rather than after them; the run itself checks again.
 */
bool bench_boot_options_ok(void)
{
	u32 counts[CONFIG_NR_CPUS];
	bool none = !bench_select[0] || strcmp(bench_select, "none") == 0;

	if (strlist_has(bench_select, "help")) {
		/* the list at once: not after every self-test the boot runs (ktest=none runs none) */
		bench_print_help();
		help_said = true;
		return true;
	}
	if (none && !trace_select[0])
		return true;
	/* trace= with nothing to run is wrong whatever it names: said now, as bench_run would say it */
	if (none ? bench_check_trace(trace_select, bench_select) : bench_options_ok(counts) != 0)
		return true;
	printk_raw("bench: error: nothing run, and the self-tests skipped (the options above)");
	printk_raw("bench-end: runs=0 failed=1");
	return false;
}

u32 bench_run_selected(void)
{
	long r = bench_run();

	return r < 0 ? 1 : (u32)r;
}

/*
 * What a bench() call may set: the harness's options and its workloads'
 * (ctxsw.c, wl_lock.c, lock_trace.c), none of the rest of the kernel's.
 */
static const char *const run_opts[] = {
	"bench",      "cpus",	      "duration_ms",	   "repeat",
	"think",      "cs",	      "lockstat_hold",	   "trace",
	"trace_us",   "trace_events", "spin_iters_per_ms", "ctxsw",
	"lock_tasks", "lock_filler",  "lock_think_random", "warmup_ms",
	NULL,
};

long bench_run_args(const char *args)
{
	static char cmdline[320];
	static u8 saved[1024]; /* the options run_opts names, bench= (512 bytes) among them */
	const char *sp = strchr(args, ' ');
	size_t first = sp ? (size_t)(sp - args) : strlen(args);
	bool has_eq = false;
	long r;

	for (size_t i = 0; i < first; i++)
		has_eq |= args[i] == '=';
	/* "u-getpid,getpid cpus=1": the first word is bench='s value unless it is an option itself */
	snprintf(cmdline, sizeof(cmdline), "%s%s", has_eq ? "" : "bench=", args);
	if (!bootparams_copy(run_opts, saved, sizeof(saved), false))
		return -ENOMEM;
	bench_select[0] = '\0'; /* only what args names runs */
	/* cpus= empty: at boot the default sweep, in a call counts left out (a bad value, as cpus=0) */
	if (bootparams_parse_some(cmdline, run_opts, "bench") +
	    bootparams_refuse_empty(cmdline, "cpus", "bench")) {
		/* the parser's words are the boot's, where such an option is ignored: here nothing runs */
		printk_raw("bench: error: nothing run: a bench call takes no option it cannot use "
			   "(the options above)");
		printk_raw("bench-end: runs=0 failed=1");
		r = -EINVAL;
	} else if (!bench_select[0] || strcmp(bench_select, "none") == 0) {
		/* bench=none is the boot's "run nothing"; a call that runs nothing was asked for something */
		printk_raw("bench: error: no workload named (bench help lists them)");
		printk_raw("bench-end: runs=0 failed=1");
		r = -EINVAL;
	} else {
		r = bench_run();
	}
	bootparams_copy(run_opts, saved, sizeof(saved), true);
	return r;
}
