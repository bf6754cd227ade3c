/* ktest runner: selects suites by name (the ktest= bootarg, the ktest() call) and prints KTAP v1 with two-space subtest indent. */
#include <locklab/ktest.h>
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/errno.h>
#include <locklab/panic.h>
#include <locklab/printf.h>
#include <locklab/string.h>
#include <locklab/percpu.h>
#include <locklab/smp.h>
#include <locklab/time.h>
#include <locklab/sched.h>
#include <asm/atomic.h>

extern const struct ktest_suite __ktest_suites_start[], __ktest_suites_end[];

static char ktest_select[160] = CONFIG_KTEST_DEFAULT;
BOOTPARAM_STR(ktest_select, "ktest",
	      "test suites to run: all, none, or a comma-separated list of suite names");

/*
 * What the runner's lines start with: "" for a run of its own, "  # | "
 * for a run started while another is running (the ktest() call from a
 * case of the shell suite), so the inner KTAP document reads as
 * diagnostics of the outer case and does not break its parse. One run
 * at a time changes it: the boot's, or one ktest() call (-EBUSY beside
 * another), nested in it at most.
 */
static const char *kt_pfx = "";
static u32 kt_depth;

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->failed = true;
	printk_raw("%s  # %s.%s: %s:%d: %s", kt_pfx, t->suite->name, t->tcase->name, file, line,
		   msg);
}

void ktest_note(struct ktest *t, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk_raw("%s  # %s.%s: %s", kt_pfx, t->suite->name, t->tcase->name, msg);
}

void ktest_fail_cmp(struct ktest *t, const char *file, int line, const char *a_text, const char *op,
		    const char *b_text, u64 a, u64 b, bool is_signed)
{
	if (is_signed)
		ktest_fail(t, file, line, "expected %s %s %s, got %lld vs %lld", a_text, op, b_text,
			   (long long)a, (long long)b);
	else
		ktest_fail(t, file, line, "expected %s %s %s, got %llu (0x%llx) vs %llu (0x%llx)",
			   a_text, op, b_text, (unsigned long long)a, (unsigned long long)a,
			   (unsigned long long)b, (unsigned long long)b);
}

/*
 * Up to n bytes of p as a quoted C string, \xNN for what is not printable, in
 * out (size KT_QUOTED); "..." marks a cut. Keeps one failure on one KTAP line.
 */
#define KT_QUOTED 56
static void kt_quote(char *out, const u8 *p, u64 n)
{
	size_t o = 0;
	u64 i;

	out[o++] = '"';
	for (i = 0; i < n && o + 4 < KT_QUOTED - 5; i++) {
		if (p[i] == '"' || p[i] == '\\') {
			out[o++] = '\\';
			out[o++] = (char)p[i];
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			out[o++] = (char)p[i];
		} else {
			snprintf(out + o, 5, "\\x%02x", p[i]);
			o += 4;
		}
	}
	out[o++] = '"';
	if (i < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

void ktest_expect_streq(struct ktest *t, const char *file, int line, const char *a_text,
			const char *b_text, const char *a, const char *b)
{
	char qa[KT_QUOTED], qb[KT_QUOTED];

	t->expectations++;
	if (a && b && !strcmp(a, b))
		return;
	if (a)
		kt_quote(qa, (const u8 *)a, strlen(a));
	else
		strlcpy(qa, "NULL", sizeof(qa));
	if (b)
		kt_quote(qb, (const u8 *)b, strlen(b));
	else
		strlcpy(qb, "NULL", sizeof(qb));
	ktest_fail(t, file, line, "expected %s == %s, got %s vs %s", a_text, b_text, qa, qb);
}

void ktest_expect_memeq(struct ktest *t, const char *file, int line, const char *a_text,
			const char *b_text, const void *a, const void *b, u64 n)
{
	const u8 *pa = a, *pb = b;
	char qa[KT_QUOTED], qb[KT_QUOTED];
	u64 i = 0;

	t->expectations++;
	while (i < n && pa[i] == pb[i])
		i++;
	if (i == n)
		return;
	kt_quote(qa, pa + i, MIN(n - i, 16));
	kt_quote(qb, pb + i, MIN(n - i, 16));
	ktest_fail(t, file, line,
		   "expected %s == %s (%llu bytes), first difference at byte %llu: %s vs %s",
		   a_text, b_text, (unsigned long long)n, (unsigned long long)i, qa, qb);
}

u32 ktest_other_cpu(void)
{
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		if (c != smp_processor_id() && cpu_is_online(c))
			return c;
	return CONFIG_NR_CPUS;
}

/*
 * Tasks ktest_on_each_cpu() gave up on at its deadline, and the case
 * that made them. They may still use what that case lent them (its stack,
 * its locks), so no later case starts while one runs: each start waits up
 * to KT_SETTLE_MS for them to end (and joins them), then skips the case,
 * naming the one that left them. The runner's task alone touches these.
 */
#define KT_LEFT_MAX  (2 * CONFIG_NR_CPUS)
#define KT_SETTLE_MS 1000
static struct task *kt_left[KT_LEFT_MAX];
static u32 kt_nleft;
/* Left behind with kt_left full: never known to end, so every later case is skipped. */
static u32 kt_untracked;
static char kt_left_by[96];	       /* suite.case */
static const struct ktest *kt_current; /* the case running (for what it leaves behind) */

/* Joins the left-behind tasks that have ended, waiting up to KT_SETTLE_MS; true when none runs. */
static bool left_behind_settled(void)
{
	u64 deadline = time_counter() + (u64)KT_SETTLE_MS * time_freq() / 1000;

	for (;;) {
		u32 kept = 0;

		for (u32 i = 0; i < kt_nleft; i++)
			if (atomic_load_acquire(&kt_left[i]->exited))
				task_join(kt_left[i]);
			else
				kt_left[kept++] = kt_left[i];
		kt_nleft = kept;
		if (!kt_nleft || kt_untracked || time_counter() >= deadline)
			return !kt_nleft && !kt_untracked;
		yield();
	}
}

u32 ktest_on_each_cpu(void (*fn)(void *), void *arg, u32 timeout_ms)
{
	struct task *tasks[CONFIG_NR_CPUS];
	u32 n = 0, finished = 0;
	u64 deadline = time_counter() + (u64)timeout_ms * time_freq() / 1000;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		if (cpu_is_online(c) && (tasks[n] = task_create("ktest", fn, arg, (int)c)) != NULL)
			n++;
	/* Polled, not joined: a task stuck past the deadline must not hang the run. */
	for (;;) {
		finished = 0;
		for (u32 i = 0; i < n; i++)
			finished += atomic_load_acquire(&tasks[i]->exited);
		if (finished == n || time_counter() >= deadline)
			break;
		yield();
	}
	for (u32 i = 0; i < n; i++) {
		if (atomic_load_acquire(&tasks[i]->exited)) {
			task_join(tasks[i]);
			continue;
		}
		printk_raw("%s  # ktest: task on cpu%u still running after %u ms; left behind "
			   "(the cases after this one wait for it, then are skipped)",
			   kt_pfx, tasks[i]->cpu, timeout_ms);
		if (kt_nleft < KT_LEFT_MAX)
			kt_left[kt_nleft++] = tasks[i];
		else
			kt_untracked++;
		if (kt_current)
			snprintf(kt_left_by, sizeof(kt_left_by), "%s.%s", kt_current->suite->name,
				 kt_current->tcase->name);
	}
	return finished;
}

static bool suite_selected(const char *select, const struct ktest_suite *s)
{
	if (strlist_has(select, s->name))
		return true;
	return !s->explicit_only && strlist_has(select, "all");
}

enum unknown_report { UNKNOWN_COUNT, UNKNOWN_AS_TESTS, UNKNOWN_AS_ERRORS };

/*
 * Names in select that match no suite. UNKNOWN_AS_TESTS reports each as a
 * failed test numbered after 'number' (the ktest= bootarg: the host sees
 * it in the KTAP), UNKNOWN_AS_ERRORS as one console line (the ktest()
 * call, which then runs nothing). Returns how many there are.
 */
static u32 unknown_names(const char *select, enum unknown_report how, u32 number)
{
	u32 unknown = 0;

	for (const char *p = select; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool known = len == 0 || (len == 3 && !strncmp(p, "all", 3)) ||
			     (len == 4 && !strncmp(p, "none", 4));

		for (const struct ktest_suite *s = __ktest_suites_start;
		     !known && s < __ktest_suites_end; s++)
			known = strlen(s->name) == len && !strncmp(s->name, p, len);
		if (!known) {
			unknown++;
			if (how == UNKNOWN_AS_TESTS)
				printk_raw("%snot ok %u %.*s # no such test suite (ktest= bootarg)",
					   kt_pfx, number + unknown, (int)len, p);
			else if (how == UNKNOWN_AS_ERRORS)
				printk_raw("ktest: error: no such test suite '%.*s'", (int)len, p);
		}
		p += len + (e ? 1 : 0);
	}
	return unknown;
}

/*
 * Commas alone (the shell's "ktest ,"): no name at all. The ktest() call
 * refuses it, as it refuses a name that is no suite: running nothing and
 * returning 0 would read as a pass.
 */
static bool names_nothing(const char *select)
{
	while (*select == ',')
		select++;
	return !*select;
}

/* Ctrl-C at the shell's ktest(): said once, then no further case starts (run_interrupted). */
static bool kt_interrupted;

static bool stop_for_ctrl_c(void)
{
	if (!kt_interrupted && run_interrupted()) {
		kt_interrupted = true;
		printk_raw("%s# ktest: interrupted (Ctrl-C): the cases left are not run", kt_pfx);
	}
	return kt_interrupted;
}

static bool run_suite(const struct ktest_suite *s, u32 *passed, u32 *failed, u32 *skipped)
{
	const struct ktest *outer = kt_current; /* a case running ktest() (the shell suite's) */
	u32 suite_failed = 0;

	printk_raw("%s  KTAP version 1", kt_pfx);
	printk_raw("%s  # Subtest: %s", kt_pfx, s->name);
	printk_raw("%s  1..%u", kt_pfx, s->nr_cases);
	for (u32 i = 0; i < s->nr_cases && !stop_for_ctrl_c(); i++) {
		struct ktest t = { .suite = s, .tcase = &s->cases[i] };

		u32 by_init = 0, by_body = 0;

		if (!left_behind_settled()) {
			printk_raw("%s  ok %u %s # SKIP %u task(s) left behind by %s still run",
				   kt_pfx, i + 1, t.tcase->name, kt_nleft + kt_untracked,
				   kt_left_by);
			(*skipped)++;
			continue;
		}
		printk_raw("%s  # ktest: start %s.%s", kt_pfx, s->name, t.tcase->name);
		kt_current = &t;
		if (s->init) {
			s->init(&t);
			by_init = t.expectations;
		}
		if (!t.failed && !t.skipped) {
			t.tcase->run(&t);
			by_body = t.expectations - by_init;
			/* Judged before exit: the hooks' checks must not make an empty case pass. */
			if (!t.failed && !t.skipped && by_body == 0)
				ktest_fail(&t, __FILE__, __LINE__, "case checked nothing");
		}
		if (s->exit)
			s->exit(&t);
		kt_current = outer;
		if (t.failed) {
			printk_raw("%s  not ok %u %s", kt_pfx, i + 1, t.tcase->name);
			(*failed)++;
			suite_failed++;
		} else if (t.skipped) {
			printk_raw("%s  ok %u %s # SKIP %s", kt_pfx, i + 1, t.tcase->name,
				   t.skip_reason);
			(*skipped)++;
		} else {
			printk_raw("%s  ok %u %s", kt_pfx, i + 1, t.tcase->name);
			(*passed)++;
		}
	}
	return suite_failed == 0;
}

long ktest_run(const char *select, bool strict, u32 *passed_out)
{
	u32 nsel = 0, number = 0, passed = 0, failed = 0, skipped = 0;
	bool outer_interrupted = kt_interrupted; /* a run nested in another (the shell suite's) */
	long r;

	*passed_out = 0;
	if (strict && unknown_names(select, UNKNOWN_AS_ERRORS, 0))
		return -EINVAL;
	if (strict && names_nothing(select)) {
		printk_raw("ktest: error: no suite named in '%s' (all, or suite names)", select);
		return -EINVAL;
	}
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++)
		nsel += suite_selected(select, s);
	nsel += unknown_names(select, UNKNOWN_COUNT, 0);
	if (nsel == 0) {
		printk("ktest: no suites selected (ktest=%s)", select);
		return 0;
	}
	kt_pfx = ++kt_depth > 1 ? "  # | " : "";
	kt_interrupted = false;
	printk_raw("%sKTAP version 1", kt_pfx);
	printk_raw("%s1..%u", kt_pfx, nsel);
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++) {
		if (!suite_selected(select, s))
			continue;
		if (stop_for_ctrl_c())
			break;
		if (strict && s->boot_only) {
			printk_raw("%sok %u %s # SKIP %s: runs at boot only", kt_pfx, ++number,
				   s->name, s->boot_only);
			skipped += s->nr_cases;
			continue;
		}
		bool ok = run_suite(s, &passed, &failed, &skipped);
		/* cut short by Ctrl-C with nothing failed: not a pass of the whole suite */
		printk_raw("%s%sok %u %s%s", kt_pfx, ok ? "" : "not ", ++number, s->name,
			   ok && kt_interrupted ? " # SKIP interrupted (Ctrl-C)" : "");
	}
	failed += unknown_names(select, UNKNOWN_AS_TESTS, number);
	printk_raw("%s# ktest: passed=%u failed=%u skipped=%u", kt_pfx, passed, failed, skipped);
	kt_pfx = --kt_depth > 1 ? "  # | " : "";
	*passed_out = passed;
	/* interrupted: the failures so far count; with none, the caller hears -EINTR, not a pass */
	r = kt_interrupted && !failed ? -EINTR : (long)failed;
	kt_interrupted = outer_interrupted; /* an inner run's Ctrl-C does not stop the outer one */
	return r;
}

u32 ktest_run_selected(u32 *passed_out)
{
	return (u32)ktest_run(ktest_select, false, passed_out);
}
