/* ktest: in-kernel test suites declared in tables, run at boot, reported as KTAP version 1. */
#ifndef LOCKLAB_KTEST_H
#define LOCKLAB_KTEST_H

#include <locklab/errno.h>
#include <locklab/types.h>

struct ktest;

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

/*
 * A suite. init and exit, when set, run around every case (KUnit's
 * init/exit; there are no suite-wide hooks: no suite needs one yet). init
 * may fail or skip the case with the usual macros; the case body then does
 * not run, and exit still does. Expectations made by the hooks count in the
 * result but not as the body's own checks (a body that checks nothing fails).
 */
struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	u32 nr_cases;
	bool explicit_only; /* planted failures for the runner's own tests: run only when named */
	/*
	 * Why the suite cannot run inside the ktest() call, or NULL: it runs
	 * from ktest= at boot only, and the call skips it with this reason
	 * (proc waits for any child of process 1, and a shell and its launcher
	 * are children of process 1 then; shell makes ktest() and bench()
	 * calls of its own, which the running call keeps busy).
	 */
	const char *boot_only;
	void (*init)(struct ktest *t);
	void (*exit)(struct ktest *t);
};

/* State of the running case. A case that makes no expectation and does not skip fails. */
struct ktest {
	const struct ktest_suite *suite;
	const struct ktest_case *tcase;
	u32 expectations;
	bool failed;
	bool skipped;
	const char *skip_reason;
};

/*
 * Declare a suite named after its first argument (the name ktest= selects;
 * stringized here, before any macro of that name could expand it):
 * KTEST_SUITE(pipe, pipe_cases) or, with hooks,
 * KTEST_SUITE(pipe, pipe_cases, .init = pipe_case_init, .exit = pipe_case_exit).
 */
#define __KTEST_SUITE(ident, sname, expl, carray, ...)                                   \
	static const struct ktest_suite __ktest_suite_##ident __section(".ktest_suites") \
		__used __aligned(8) = { .name = sname,                                   \
					.cases = carray,                                 \
					.nr_cases = ARRAY_SIZE(carray),                  \
					.explicit_only = expl,                           \
					__VA_ARGS__ }
#define KTEST_SUITE(ident, ...)		 __KTEST_SUITE(ident, #ident, false, __VA_ARGS__)
#define KTEST_SUITE_EXPLICIT(ident, ...) __KTEST_SUITE(ident, #ident, true, __VA_ARGS__)
#define KTEST_CASE(fn)  \
	{               \
#fn, fn \
	}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...) __printf(4, 5);
void ktest_note(struct ktest *t, const char *fmt, ...) __printf(2, 3);

#define KT_EXPECT(t, cond)                                                       \
	do {                                                                     \
		(t)->expectations++;                                             \
		if (!(cond))                                                     \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #cond); \
	} while (0)

/*
 * 1 if x has a signed integer type. A comparison is made and printed signed
 * when either side is signed, so sys_open()'s -ENOENT prints as -2 and a
 * negative result is never "greater" than 0; otherwise unsigned, in decimal
 * and hex (addresses, masks). Plain char is unsigned on arm64: default.
 */
#define __kt_signed(x) \
	_Generic((x), signed char : 1, short : 1, int : 1, long : 1, long long : 1, default : 0)

void ktest_fail_cmp(struct ktest *t, const char *file, int line, const char *a_text, const char *op,
		    const char *b_text, u64 a, u64 b, bool is_signed);

#define __KT_CMP(t, a, op, b)                                                              \
	do {                                                                               \
		const bool __s = __kt_signed(a) || __kt_signed(b);                         \
		unsigned long long __a = (unsigned long long)(a);                          \
		unsigned long long __b = (unsigned long long)(b);                          \
		(t)->expectations++;                                                       \
		if (__s ? !((long long)__a op(long long) __b) : !(__a op __b))             \
			ktest_fail_cmp(t, __FILE__, __LINE__, #a, #op, #b, __a, __b, __s); \
	} while (0)
#define KT_EXPECT_EQ(t, a, b) __KT_CMP(t, a, ==, b)
#define KT_EXPECT_NE(t, a, b) __KT_CMP(t, a, !=, b)
#define KT_EXPECT_LE(t, a, b) __KT_CMP(t, a, <=, b)
#define KT_EXPECT_GE(t, a, b) __KT_CMP(t, a, >=, b)

/* Strings and byte ranges: a failure prints both sides (escaped, from the first difference). */
void ktest_expect_streq(struct ktest *t, const char *file, int line, const char *a_text,
			const char *b_text, const char *a, const char *b);
void ktest_expect_memeq(struct ktest *t, const char *file, int line, const char *a_text,
			const char *b_text, const void *a, const void *b, u64 n);
#define KT_EXPECT_STREQ(t, a, b)    ktest_expect_streq(t, __FILE__, __LINE__, #a, #b, a, b)
#define KT_EXPECT_MEMEQ(t, a, b, n) ktest_expect_memeq(t, __FILE__, __LINE__, #a, #b, a, b, n)

/*
 * Leak checks (ktest_snapshot.c): a snapshot before, KT_EXPECT_NO_LEAK after,
 * one expectation that names every counter that moved. Pages are counted
 * after kmalloc_shrink(), so cached empty slabs are not a leak; anything made
 * lazily on first use must be made before the first snapshot.
 */
struct ktest_snapshot {
	u64 free_pages;
	u64 kmalloc_objs;
	u64 inodes;
	u64 procs; /* processes not yet reaped, init included */
	u64 free_task_slots;
	u64 fds;	     /* open fds of the calling process (init's for a bare task) */
	u64 lockdep_reports; /* over every kind; 0 without lockdep */
};
void ktest_snapshot(struct ktest_snapshot *s);
/* the snapshot's free_pages alone, for cases that count pages as they go */
u64 ktest_free_pages(void);
void ktest_expect_no_leak(struct ktest *t, const char *file, int line,
			  const struct ktest_snapshot *before);
#define KT_EXPECT_NO_LEAK(t, before) ktest_expect_no_leak(t, __FILE__, __LINE__, before)

/* Stop the case here if cond is false (later checks would only add noise). */
#define KT_ASSERT(t, cond)                                                               \
	do {                                                                             \
		(t)->expectations++;                                                     \
		if (!(cond)) {                                                           \
			ktest_fail(t, __FILE__, __LINE__, "assertion %s failed", #cond); \
			return;                                                          \
		}                                                                        \
	} while (0)

#define KT_SKIP(t, reason)                 \
	do {                               \
		(t)->skipped = true;       \
		(t)->skip_reason = reason; \
		return;                    \
	} while (0)

/*
 * Runs fn(arg) on every online CPU at once, each in a task pinned to its
 * CPU (so it may sleep and be preempted), and returns when all have
 * finished or timeout_ms passed. Returns the number of tasks that finished;
 * one still running at the deadline is left behind: the runner starts no
 * later case while it runs (it waits a second for it at each case, joins
 * it once it ends, and skips the case otherwise, naming this one).
 */
u32 ktest_on_each_cpu(void (*fn)(void *), void *arg, u32 timeout_ms);

/* The first online CPU other than the caller's, or CONFIG_NR_CPUS if there is none. */
u32 ktest_other_cpu(void);

#ifdef CONFIG_KTEST
/* Runs the suites named in the ktest= bootarg; returns the number of failed cases. */
u32 ktest_run_selected(u32 *passed_out);
/*
 * The runner behind it and the ktest() call: runs the suites select names
 * ("all", "none", or a comma-separated list) and returns the number of
 * failed cases. A name that matches no suite is a failed test in the
 * KTAP; with strict, instead, each is named on the console ("ktest:
 * error: no such test suite 'x'"), nothing runs and the result is
 * -EINVAL; strict also skips the boot_only suites. A run started inside another prefixes its lines with
 * "  # | " (diagnostics of the running case).
 */
long ktest_run(const char *select, bool strict, u32 *passed_out);
#else
/* Built without the suites: nothing runs, nothing fails. */
static inline u32 ktest_run_selected(u32 *passed_out)
{
	*passed_out = 0;
	return 0;
}
static inline long ktest_run(const char *select, bool strict, u32 *passed_out)
{
	*passed_out = 0;
	return -ENOSYS;
}
#endif

#endif
