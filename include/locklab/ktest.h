/* ktest: in-kernel test suites declared in tables, run at boot, reported as KTAP version 1. */
#ifndef LOCKLAB_KTEST_H
#define LOCKLAB_KTEST_H

#include <locklab/types.h>

struct ktest;

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	u32 nr_cases;
	bool explicit_only; /* planted failures for the runner's own tests: run only when named */
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

/* Declare a suite: KTEST_SUITE(boot, "boot", boot_cases); cases is a static array. */
#define __KTEST_SUITE(ident, sname, carray, expl)                                      \
	static const struct ktest_suite __ktest_suite_##ident __section(".ktest_suites") \
		__used __aligned(8) = { sname, carray, ARRAY_SIZE(carray), expl }
#define KTEST_SUITE(ident, sname, carray) __KTEST_SUITE(ident, sname, carray, false)
#define KTEST_SUITE_EXPLICIT(ident, sname, carray) __KTEST_SUITE(ident, sname, carray, true)
#define KTEST_CASE(fn) { #fn, fn }

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...) __printf(4, 5);
void ktest_note(struct ktest *t, const char *fmt, ...) __printf(2, 3);

#define KT_EXPECT(t, cond)                                                          \
	do {                                                                        \
		(t)->expectations++;                                                \
		if (!(cond))                                                        \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #cond);    \
	} while (0)

#define __KT_CMP(t, a, op, b)                                                       \
	do {                                                                        \
		unsigned long long __a = (unsigned long long)(a);                   \
		unsigned long long __b = (unsigned long long)(b);                   \
		(t)->expectations++;                                                \
		if (!(__a op __b))                                                  \
			ktest_fail(t, __FILE__, __LINE__,                           \
				   "expected %s %s %s, got %llu (0x%llx) vs %llu (0x%llx)", \
				   #a, #op, #b, __a, __a, __b, __b);                \
	} while (0)
#define KT_EXPECT_EQ(t, a, b) __KT_CMP(t, a, ==, b)
#define KT_EXPECT_NE(t, a, b) __KT_CMP(t, a, !=, b)
#define KT_EXPECT_LE(t, a, b) __KT_CMP(t, a, <=, b)
#define KT_EXPECT_GE(t, a, b) __KT_CMP(t, a, >=, b)

/* Stop the case here if cond is false (later checks would only add noise). */
#define KT_ASSERT(t, cond)                                                          \
	do {                                                                        \
		(t)->expectations++;                                                \
		if (!(cond)) {                                                      \
			ktest_fail(t, __FILE__, __LINE__, "assertion %s failed", #cond); \
			return;                                                     \
		}                                                                   \
	} while (0)

#define KT_SKIP(t, reason)                                                          \
	do {                                                                        \
		(t)->skipped = true;                                                \
		(t)->skip_reason = reason;                                          \
		return;                                                             \
	} while (0)

/*
 * Runs fn(arg) on every online CPU at once, each in a task pinned to its
 * CPU (so it may sleep and be preempted), and returns when all have
 * finished or timeout_ms passed. Returns the number of tasks that finished;
 * one still running at the deadline is left behind, never freed.
 */
u32 ktest_on_each_cpu(void (*fn)(void *), void *arg, u32 timeout_ms);

/* The first online CPU other than the caller's, or CONFIG_NR_CPUS if there is none. */
u32 ktest_other_cpu(void);

#ifdef CONFIG_KTEST
/* Runs the suites named in the ktest= bootarg; returns the number of failed cases. */
u32 ktest_run_selected(u32 *passed_out);
#else
/* Built without the suites: nothing runs, nothing fails. */
static inline u32 ktest_run_selected(u32 *passed_out)
{
	*passed_out = 0;
	return 0;
}
#endif

#endif
