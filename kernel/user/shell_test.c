/* ktest suite "shell": /bin/sh run on scripts, and the built-ins' calls (ktest, bench) from EL0. */
#include <locklab/ktest.h>
#include "user_ktest.h"
#include <locklab/errno.h>
#include <locklab/panic.h>
#include <locklab/sched.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/time.h>
#include <locklab/user.h>

long u_shell_calls(u64 unused), u_shell_long_bench(u64 unused); /* shell.user.c */

/* selftest_fail's cases that fail (kernel/tests/selftest.c): all but selftest_passes. */
#define SELFTEST_FAIL_FAILS 6

static const char *const sh_argv[] = { "sh", NULL };

/* Whether text contains part. */
static bool contains(const char *text, const char *part)
{
	for (u64 n = strlen(part); *text; text++)
		if (strncmp(text, part, n) == 0)
			return true;
	return false;
}

/*
 * The failures the cases cause on purpose (ktest selftest_fail) are kept
 * for poweroff (run_note_failure); each case checks that and puts the
 * reason back as it was.
 */
static const char *failure_before;

static void shell_case_init(struct ktest *t)
{
	failure_before = run_failure();
	user_case_init(t);
}

static void shell_case_exit(struct ktest *t)
{
	run_failure_set(failure_before);
	user_case_exit(t);
}

static void shell_runs_a_script(struct ktest *t)
{
	static const char script[] = "echo hi\n"
				     "/bin/true\n"
				     "false\n"
				     "nosuch\n"
				     "cd /bin\n"
				     "./echo \"in  bin\" x\"y z\"\n"
				     "cd /nonexistent\n"
				     "  # a comment\n"
				     "\n"
				     "exit x\n"
				     "echo \"oops\n"
				     "ktest selftest_fail\n"
				     "ktest shell_no_such_suite\n"
				     "bench shell_no_such_workload cpus=1\n"
				     "ktest ,\n"
				     "bench ceiling cpus=\n"
				     "exit 3\n"
				     "echo never\n";
	static const char want[] = "$ hi\n"
				   "$ "
				   "$ sh: false: exit 1\n"
				   "$ sh: nosuch: not found\n"
				   "$ "
				   "$ in  bin xy z\n"
				   "$ sh: cd: /nonexistent: ENOENT\n"
				   "$ "
				   "$ "
				   "$ sh: exit: x: not a number from 0 to 255\n"
				   "$ sh: unterminated quote\n"
				   "$ sh: ktest: 6 failed\n"
				   "$ sh: ktest: EINVAL\n"
				   "$ sh: bench: EINVAL\n"
				   "$ sh: ktest: EINVAL\n"
				   "$ sh: bench: EINVAL\n"
				   "$ ";
	static char out[1024];

	KT_EXPECT_EQ(t, run_captured(t, "/bin/sh", sh_argv, script, out, sizeof(out)), 3);
	KT_EXPECT_STREQ(t, out, want);
	KT_EXPECT(t, run_failure() != NULL);
	if (!failure_before)
		KT_EXPECT_STREQ(t, run_failure(), "ktest");
}

/*
 * A request refused for its text fails the boot, as the same text given as
 * a boot option does: a scripted lab with a misspelt workload must not end
 * "status=pass". (The case puts the reason back: shell_case_exit.)
 */
static void shell_refused_request_fails_the_boot(struct ktest *t)
{
	static const char bench_typo[] = "bench shell_no_such_workload cpus=1\n";
	static char out[256];

	run_failure_set(NULL);
	KT_EXPECT_EQ(t, run_captured(t, "/bin/sh", sh_argv, bench_typo, out, sizeof(out)), 0);
	KT_EXPECT(t, contains(out, "sh: bench: EINVAL"));
	KT_EXPECT(t, run_failure() != NULL);
	if (run_failure())
		KT_EXPECT_STREQ(t, run_failure(), "bench");
	run_failure_set(NULL);
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/sh", sh_argv, "ktest shell_no_such_suite\n", out,
				  sizeof(out)),
		     0);
	KT_EXPECT(t, contains(out, "sh: ktest: EINVAL"));
	KT_EXPECT(t, run_failure() != NULL);
}

/* Lines split across reads, several in one, one too long, the last without a newline; end of input is exit 0. */
static void shell_buffers_its_input(struct ktest *t)
{
	static char script[700], long_script[1200], out[2048];
	u32 n;

	strlcpy(script, "echo one\n", sizeof(script));
	n = (u32)strlen(script);
	memset(script + n, 'x', 600); /* past the shell's 512-byte line */
	strlcpy(script + n + 600, "\necho two\nhelp\necho three", sizeof(script) - n - 600);
	KT_EXPECT_EQ(t, run_captured(t, "/bin/sh", sh_argv, script, out, sizeof(out)), 0);
	KT_EXPECT_MEMEQ(t, out, "$ one\n$ sh: line longer than 511 bytes: ignored\ntwo\n$ ", 51);
	KT_EXPECT(t, contains(out, "\npoweroff ")); /* help's list */
	n = (u32)strlen(out);
	KT_EXPECT(t, n > 10 && strcmp(out + n - 10, "$ three\n$ ") == 0);
	KT_EXPECT_EQ(t, run_captured(t, "/bin/sh", sh_argv, "", out, sizeof(out)), 0);
	KT_EXPECT_STREQ(t, out, "$ ");
	/* a line more than twice the buffer is said once, not once for each buffer of it */
	memset(long_script, 'x', 1100);
	strlcpy(long_script + 1100, "\necho two\n", sizeof(long_script) - 1100);
	KT_EXPECT_EQ(t, run_captured(t, "/bin/sh", sh_argv, long_script, out, sizeof(out)), 0);
	KT_EXPECT_STREQ(t, out, "$ sh: line longer than 511 bytes: ignored\ntwo\n$ ");
}

/*
 * Blank lines, a folder as a program, one word past the 32 a line holds,
 * and built-ins given what they cannot use: each said, nothing run, and
 * the shell reads on.
 */
static void shell_refuses_what_it_cannot_run(struct ktest *t)
{
	static const char script[] =
		"\n   \n\t \t\n"
		"/bin\n"
		"w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w\n"
		"echo w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w\n"
		"bench getpid cpus=0\n"
		"bench getpid cpus=99\n"
		"bench getpid cpus=abc\n"
		"bench getpid cpus=1,\n"
		"ktest shell_no_such_suite\n"
		"exit 256\n"
		"exit 7 8\n"
		"echo never\n";
	static const char want[] =
		"$ $ $ "
		"$ sh: /bin: EISDIR\n"
		"$ sh: more than 32 words\n"
		"$ w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w\n"
		"$ sh: bench: EINVAL\n"
		"$ sh: bench: EINVAL\n"
		"$ sh: bench: EINVAL\n"
		"$ sh: bench: EINVAL\n"
		"$ sh: ktest: EINVAL\n"
		"$ sh: exit: 256: not a number from 0 to 255\n"
		"$ ";
	static char out[512];

	KT_EXPECT_EQ(t, run_captured(t, "/bin/sh", sh_argv, script, out, sizeof(out)), 7);
	KT_EXPECT_STREQ(t, out, want);
}

/* text with every run of digits made one '#', so output with times in it can be compared. */
static void digits_as_hash(const char *text, char *out, u64 n)
{
	u64 at = 0;

	for (; *text && at + 1 < n; text++)
		if (*text < '0' || *text > '9')
			out[at++] = *text;
		else if (!at || out[at - 1] != '#')
			out[at++] = '#';
	out[at] = '\0';
}

/* Each "real S.UUUUUU s": six digits of microseconds and, for these quick commands, under 10 s. */
static u32 count_sane_times(struct ktest *t, const char *out)
{
	u32 n = 0;

	for (const char *p = out; *p; p++) {
		const char *d = p + 5;
		u64 sec = 0, frac = 0;

		if (strncmp(p, "real ", 5) != 0)
			continue;
		n++;
		while (*d >= '0' && *d <= '9')
			sec = sec * 10 + (u64)(*d++ - '0');
		KT_EXPECT_EQ(t, *d, '.');
		while (*++d >= '0' && *d <= '9')
			frac++;
		KT_EXPECT_EQ(t, frac, 6ULL);
		KT_EXPECT_LE(t, sec, 9ULL);
	}
	return n;
}

/* time: any line, a program's or a built-in's, run and timed from the counter EL0 reads; its status kept. */
static void shell_times_a_command(struct ktest *t)
{
	static const char script[] = "time /bin/true\n"
				     "time false\n"
				     "time\n"
				     "time cd /bin\n"
				     "time exit 4\n"
				     "echo never\n";
	static const char want[] = "$ real #.# s\n"
				   "$ sh: false: exit #\n"
				   "real #.# s\n"
				   "$ sh: time: what to run? (help)\n"
				   "$ real #.# s\n"
				   "$ real #.# s\n";
	static char out[512], shape[512];

	KT_EXPECT_EQ(t, run_captured(t, "/bin/sh", sh_argv, script, out, sizeof(out)), 4);
	digits_as_hash(out, shape, sizeof(shape));
	KT_EXPECT_STREQ(t, shape, want);
	KT_EXPECT_EQ(t, count_sane_times(t, out), 4U);
}

static void shell_calls_from_el0(struct ktest *t)
{
	static const long want[] = { -EFAULT, -EFAULT, -EINVAL,
				     -EINVAL, -EINVAL, SELFTEST_FAIL_FAILS,
				     -EFAULT, -EINVAL, -EINVAL,
				     -EINVAL, -EINVAL, 0 };
	long *r = user_shared_alloc();
	int status;

	KT_ASSERT(t, r);
	KT_EXPECT(t, run_user("calls", u_shell_calls, 0, r, TASK_ANY_CPU, &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, r[63], (long)ARRAY_SIZE(want));
	for (u32 i = 0; i < ARRAY_SIZE(want); i++)
		if (r[i] != want[i])
			ktest_fail(t, __FILE__, __LINE__, "call %u gave %ld, expected %ld", i, r[i],
				   want[i]);
	t->expectations++;
	if (!failure_before)
		KT_EXPECT_STREQ(t, run_failure(), "ktest");
	user_shared_free(r);
}

/* While a bench call runs, another ktest or bench call is refused with -EBUSY. */
static void shell_one_run_at_a_time(struct ktest *t)
{
	long *r = user_shared_alloc(), pid, got = 0;
	int status = -1;
	u64 deadline;

	KT_ASSERT(t, r);
	pid = user_spawn("bench", u_shell_long_bench, 0, r, TASK_ANY_CPU);
	KT_EXPECT(t, pid > 1);
	/* Once the bench holds the runner (a 400 ms run), a ktest call is refused. */
	deadline = time_counter() + 5 * time_freq();
	while (pid > 1 && !run_busy() && time_counter() < deadline)
		yield();
	KT_EXPECT(t, run_busy());
	got = sys_ktest("shell_probe");
	KT_EXPECT_EQ(t, got, -EBUSY);
	if (pid > 1)
		KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, r[63], 1L);
	KT_EXPECT_EQ(t, r[0], 0L); /* the bench itself ran, and passed */
	user_shared_free(r);
}

static const struct ktest_case shell_cases[] = {
	KTEST_CASE(shell_runs_a_script),
	KTEST_CASE(shell_refused_request_fails_the_boot),
	KTEST_CASE(shell_buffers_its_input),
	KTEST_CASE(shell_times_a_command),
	KTEST_CASE(shell_calls_from_el0),
	KTEST_CASE(shell_one_run_at_a_time),
	KTEST_CASE(shell_refuses_what_it_cannot_run),
};

/*
 * Boot only: its cases make ktest() and bench() calls, which inside a
 * ktest() call (the shell's "ktest all") are -EBUSY; shell_one_run_at_a_time
 * then waited for ever on a child retrying its bench.
 */
KTEST_SUITE(shell, shell_cases, .init = shell_case_init, .exit = shell_case_exit,
	    .boot_only = "makes ktest() and bench() calls, which this call keeps busy");

/*
 * Planted for the host (tests/test_boot_faults.py), run only when named:
 * the shell's poweroff ends the boot from EL0, with status=pass, or with
 * status=fail once a ktest call in it failed. Neither case comes back.
 */
static void shell_poweroff(struct ktest *t, const char *script)
{
	static char out[256];

	run_captured(t, "/bin/sh", sh_argv, script, out, sizeof(out));
	ktest_fail(t, __FILE__, __LINE__, "the shell came back from poweroff: \"%s\"", out);
}

static void selftest_shell_poweroff(struct ktest *t)
{
	shell_poweroff(t, "echo before\npoweroff\necho after\n");
}

static void selftest_shell_poweroff_after_failure(struct ktest *t)
{
	shell_poweroff(t, "ktest selftest_fail\npoweroff\n");
}

static const struct ktest_case poweroff_cases[] = {
	KTEST_CASE(selftest_shell_poweroff),
};
KTEST_SUITE_EXPLICIT(selftest_shell_poweroff, poweroff_cases);

static const struct ktest_case poweroff_failed_cases[] = {
	KTEST_CASE(selftest_shell_poweroff_after_failure),
};
KTEST_SUITE_EXPLICIT(selftest_shell_poweroff_failed, poweroff_failed_cases);
