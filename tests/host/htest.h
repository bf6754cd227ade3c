/* Minimal host unit-test harness: cases in a table, assertions with file/line, KTAP v1 output. */
#ifndef HTEST_H
#define HTEST_H

#include <stdio.h>
#include <string.h>
#include <stdlib.h>

/*
 * Usage:
 *   static void test_x(void) { HT_EXPECT(1 + 1 == 2); HT_EXPECT_EQ_U(a, b); }
 *   static const struct ht_case cases[] = { HT_CASE(test_x), HT_END };
 *   int main(int argc, char **argv) { return ht_run("suite_name", cases); }
 * A case fails if any expectation in it fails; all cases always run.
 */
struct ht_case {
	const char *name;
	void (*fn)(void);
};
#define HT_CASE(f)    \
	{             \
#f, f \
	}
#define HT_END             \
	{                  \
		NULL, NULL \
	}

/*
 * A test binary built from several files defines HT_SHARED_STATE before every
 * include of this header, and writes HT_DEFINE_STATE; in exactly one of them,
 * so the assertions of all its files mark the running case as failed.
 */
#ifdef HT_SHARED_STATE
extern int ht_case_failed;
#define HT_DEFINE_STATE int ht_case_failed
#else
static int ht_case_failed;
#endif

#define HT_FAIL(...)                                       \
	do {                                               \
		printf("  # %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__);                       \
		printf("\n");                              \
		ht_case_failed = 1;                        \
	} while (0)

#define HT_EXPECT(cond)                                \
	do {                                           \
		if (!(cond))                           \
			HT_FAIL("expected %s", #cond); \
	} while (0)

#define HT_EXPECT_EQ_U(a, b)                                                                 \
	do {                                                                                 \
		unsigned long long ht_a = (unsigned long long)(a);                           \
		unsigned long long ht_b = (unsigned long long)(b);                           \
		if (ht_a != ht_b)                                                            \
			HT_FAIL("expected %s == %s (0x%llx == 0x%llx)", #a, #b, ht_a, ht_b); \
	} while (0)

#define HT_EXPECT_EQ_S(a, b)                                                             \
	do {                                                                             \
		long long ht_a = (long long)(a);                                         \
		long long ht_b = (long long)(b);                                         \
		if (ht_a != ht_b)                                                        \
			HT_FAIL("expected %s == %s (%lld == %lld)", #a, #b, ht_a, ht_b); \
	} while (0)

#define HT_EXPECT_STREQ(a, b)                                                    \
	do {                                                                     \
		const char *ht_a = (a), *ht_b = (b);                             \
		if (!ht_a || !ht_b || strcmp(ht_a, ht_b) != 0)                   \
			HT_FAIL("expected %s == %s (\"%s\" == \"%s\")", #a, #b,  \
				ht_a ? ht_a : "(null)", ht_b ? ht_b : "(null)"); \
	} while (0)

/* Runs every case of one suite; prints a KTAP v1 document; exit status 1 if any failed. */
static inline int ht_run(const char *suite, const struct ht_case *cases)
{
	int n = 0, failed = 0;

	while (cases[n].fn)
		n++;
	printf("KTAP version 1\n1..1\n");
	printf("  KTAP version 1\n  # Subtest: %s\n  1..%d\n", suite, n);
	for (int i = 0; i < n; i++) {
		ht_case_failed = 0;
		cases[i].fn();
		fflush(stdout);
		printf("  %sok %d %s\n", ht_case_failed ? "not " : "", i + 1, cases[i].name);
		failed += ht_case_failed;
	}
	printf("%sok 1 %s\n", failed ? "not " : "", suite);
	return failed ? 1 : 0;
}

#endif
