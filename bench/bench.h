/* The harness's side of a workload: runs, workers, phases; each workload fills in a struct bench_workload. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <locklab/types.h>

#define BENCH_MAX_WORKERS (2 * CONFIG_NR_CPUS)

struct bench_run;

/*
 * One process pinned to a CPU. Every worker meets the start and stop
 * barriers. 'active' workers are the measured ones, whose ops are counted;
 * a passive worker (a pipe's echo side) serves an active one, which tells
 * it when to go to a barrier (before_barrier), and it arrives with
 * bench_arrive().
 */
/*
 * A worker writes its own fields on every op (ops, bad): each worker has
 * whole cache lines, or one worker's stores would pull away the line its
 * neighbour reads run and idx from, every op. That cost real cores (and
 * the host's, under QEMU) about as much as a null system call: getpid
 * under FINE scaled 1.45x where ceiling reached 1.95x.
 */
struct bench_worker {
	struct bench_run *run;
	u32 idx; /* 0.. run->nworkers-1 */
	u32 cpu;
	bool active;
	u64 ops;		  /* the worker's own count, all phases */
	u64 ops_start, ops_end;	  /* ops at the start and stop barriers */
	u64 wait_start, wait_end; /* the task's lock-wait cycles at the same moments */
	/* the counter as it left the start barrier and reached the stop one */
	u64 clock_start, clock_end;
	/* invariant violations the worker saw itself (a wrong checksum...) */
	u64 bad;
	bool gone;  /* its task ended before the run did (bench_worker_gone): the run fails */
	u64 rng;    /* xorshift state, seeded per worker */
	void *priv; /* the workload's */
	long pid;
} __aligned(CACHE_LINE_BYTES);

/*
 * Phases, set by the harness; workers see them in bench_running():
 * WARMUP -> START (every active worker arrives; lockstat is reset) ->
 * MEASURE -> STOP (every active worker arrives after its last op;
 * lockstat is printed) -> RELEASE (workers return and exit).
 */
enum bench_phase { BENCH_WARMUP, BENCH_START, BENCH_MEASURE, BENCH_STOP, BENCH_RELEASE };

struct bench_run {
	const struct bench_workload *wl;
	u32 cpus, repeat;
	u32 nworkers, nactive; /* all workers; the measured ones */
	u32 phase;	       /* atomic: enum bench_phase */
	u32 arrived;	       /* atomic: workers at the current barrier */
	u32 gone;	       /* atomic: workers whose task ended early (bench_worker_gone) */
	u64 think_ns, cs_ns;
	void *priv; /* the workload's */
	struct bench_worker workers[BENCH_MAX_WORKERS];
};

/* A workload's name: lower-case letters, digits and '-', at most BENCH_NAME_MAX - 1 of them. */
#define BENCH_NAME_MAX 24

struct bench_workload {
	/*
	 * First and stored in the struct, not pointed to: scripts/bench-workloads
	 * reads the names straight out of the ELF's .bench_workloads section,
	 * where a pointer would be a relocation to follow.
	 */
	char name[BENCH_NAME_MAX];
	const char *what; /* one line for bench=help and the docs */
	/*
	 * Called by the harness (process 1) before the workers start, inside
	 * the kernel scope's rules (use sys_* or kernel_enter). May set
	 * r->nworkers and each worker's cpu/active; by default there is one
	 * active worker per CPU. 0, or -errno to skip the run as failed.
	 */
	long (*setup)(struct bench_run *r);
	/* The worker's body: while (bench_running(w)) { one op; w->ops++; } */
	void (*work)(struct bench_worker *w);
	/* After every worker exited: do the subsystem's invariants hold? Print why not. */
	bool (*check)(struct bench_run *r);
	/*
	 * Optional: the lock class whose acquisitions equal the measured ops
	 * exactly (one acquisition per op), checked when lockstat is on.
	 */
	const char *(*exact_class)(struct bench_run *r);
	/* Optional: bench_running() is about to park w at a barrier (phase BENCH_START or BENCH_STOP). */
	void (*before_barrier)(struct bench_worker *w, u32 phase);
	/* Its ops run at EL0 and trap (U_WORKLOAD sets it): its name must start with "u-", which tells the report */
	bool at_el0;
};

_Static_assert(__builtin_offsetof(struct bench_workload, name) == 0,
	       "scripts/bench-workloads reads the name at offset 0");

/*
 * Registers a workload, as KTEST_SUITE registers a suite: one definition in
 * one file of bench/ (plus its Kbuild line), found by the harness in the
 * .bench_workloads section (arch/arm64/kernel.lds):
 *
 *	BENCH_WORKLOAD(wl_getpid) = { .name = "getpid", .what = "...", .work = getpid_work, ... };
 *
 * BENCH_WORKLOAD_NAMED_ONLY: run only when bench= names it, never by "all"
 * (a workload that needs its own boot options, such as ratio). Workloads
 * run in link order (bench/Kbuild), those of one file in the order they
 * are written (no_reorder: GCC would otherwise emit them in any order).
 */
#define __BENCH_WORKLOAD(ident, sect)                     \
	const struct bench_workload ident __section(sect) \
	__used __aligned(8) __attribute__((no_reorder))
#define BENCH_WORKLOAD(ident)		 __BENCH_WORKLOAD(ident, ".bench_workloads")
#define BENCH_WORKLOAD_NAMED_ONLY(ident) __BENCH_WORKLOAD(ident, ".bench_workloads.named_only")

/* The registered workloads, in the order of arch/arm64/kernel.lds (the named-only ones last). */
extern const struct bench_workload __bench_workloads_start[], __bench_workloads_named_only[],
	__bench_workloads_end[];
#define for_each_workload(wl)                                           \
	for (const struct bench_workload *wl = __bench_workloads_start; \
	     wl < __bench_workloads_end; wl++)

/* The workload table (workloads.c). */
bool bench_named_only(const struct bench_workload *wl);
/* False after printing why, if a name breaks the rules or two workloads share one: nothing runs then. */
bool bench_table_ok(void);
/* False after printing why, if an element of bench_select (bench=) names no workload. */
bool bench_check_selection(const char *bench_select);
/* False after printing why, if trace= names no workload that bench= runs, or the kernel has no timeline. */
bool bench_check_trace(const char *trace_select, const char *bench_select);
/* Parses cpus= (list; empty: 1 to cpus_online()) into counts[]: how many, or 0 after printing why it is bad. */
u32 bench_parse_cpus(const char *list, u32 counts[CONFIG_NR_CPUS]);
/* bench=help: each workload and what it does. */
void bench_print_help(void);
/* The bench-workloads record(s): which workloads this kernel has. */
void bench_print_workloads(void);

/* What a run must give back: free pages, kmalloc objects, inodes (snapshot at set-up, compared after). */
struct bench_mem {
	u64 free_pages, live_objs, inodes;
};
void bench_mem_snapshot(struct bench_mem *m);
/* True if nothing leaked since 'before'; otherwise prints what did, for workload 'name'. */
bool bench_mem_unchanged(const char *name, const struct bench_mem *before);
/* True if each worker's seen[idx] is its own pid (what sys_spawn gave the harness); otherwise prints who got what. */
bool bench_pids_match(const struct bench_run *r, const long seen[BENCH_MAX_WORKERS]);

/*
 * w's task is ending before the run's end (a u-* testcase's process that
 * faulted or returned): it counts as arrived at every barrier left, so the
 * run ends, failed (the caller says why), instead of waiting for it
 * forever.
 */
void bench_worker_gone(struct bench_worker *w);
/* True while the worker should go on; handles the start and stop barriers. */
bool bench_running(struct bench_worker *w);
/* A passive worker told to go to the barrier of 'phase' (BENCH_START or BENCH_STOP): parks it there. */
void bench_arrive(struct bench_worker *w, u32 phase);
/* Busy computation for about ns nanoseconds (a loop calibrated at boot, no counter reads): think time, critical sections. */
void bench_spin_ns(u64 ns);
u64 bench_rand(struct bench_worker *w);
/* With the ctxsw=N boot option: measures the context-switch cost once and prints a bench-ctxsw: record (ctxsw.c). */
void bench_ctxsw_report(void);
/* Before a sweep's first run: each of CPUs 0..cpus-1 runs the calibrated loop for warmup_ms= (warmup.c). */
#define BENCH_WARMUP_MS 500 /* warmup_ms='s default */
void bench_warm_up(u32 cpus);
u64 bench_warmup_ms(void); /* the warmup_ms= boot option, for bench-meta */

#endif
