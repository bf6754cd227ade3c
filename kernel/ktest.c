/* ktest runner: selects suites from the ktest= bootarg and prints KTAP v1 with two-space subtest indent. */
#include <locklab/ktest.h>
#include <locklab/bootparam.h>
#include <locklab/console.h>
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

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->failed = true;
	printk_raw("  # %s.%s: %s:%d: %s", t->suite->name, t->tcase->name, file, line, msg);
}

void ktest_note(struct ktest *t, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk_raw("  # %s.%s: %s", t->suite->name, t->tcase->name, msg);
}

u32 ktest_other_cpu(void)
{
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		if (c != smp_processor_id() && cpu_is_online(c))
			return c;
	return CONFIG_NR_CPUS;
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
		if (atomic_load_acquire(&tasks[i]->exited))
			task_join(tasks[i]);
		else
			printk_raw("  # ktest: task on cpu%u still running after %u ms; left behind",
				   tasks[i]->cpu, timeout_ms);
	}
	return finished;
}

static bool suite_selected(const struct ktest_suite *s)
{
	if (strlist_has(ktest_select, s->name))
		return true;
	return !s->explicit_only && strlist_has(ktest_select, "all");
}

/*
 * Names in ktest= that match no suite. With print, each is reported as a
 * failed test numbered after 'number'. Returns how many there are.
 */
static u32 unknown_names(bool print, u32 number)
{
	u32 unknown = 0;

	for (const char *p = ktest_select; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool known = len == 0 || (len == 3 && !strncmp(p, "all", 3)) ||
			     (len == 4 && !strncmp(p, "none", 4));

		for (const struct ktest_suite *s = __ktest_suites_start; !known && s < __ktest_suites_end; s++)
			known = strlen(s->name) == len && !strncmp(s->name, p, len);
		if (!known) {
			unknown++;
			if (print)
				printk_raw("not ok %u %.*s # no such test suite (ktest= bootarg)",
					   number + unknown, (int)len, p);
		}
		p += len + (e ? 1 : 0);
	}
	return unknown;
}

static bool run_suite(const struct ktest_suite *s, u32 *passed, u32 *failed, u32 *skipped)
{
	u32 suite_failed = 0;

	printk_raw("  KTAP version 1");
	printk_raw("  # Subtest: %s", s->name);
	printk_raw("  1..%u", s->nr_cases);
	for (u32 i = 0; i < s->nr_cases; i++) {
		struct ktest t = { .suite = s, .tcase = &s->cases[i] };

		printk_raw("  # ktest: start %s.%s", s->name, t.tcase->name);
		t.tcase->run(&t);
		if (!t.failed && !t.skipped && t.expectations == 0)
			ktest_fail(&t, __FILE__, __LINE__, "case checked nothing");
		if (t.failed) {
			printk_raw("  not ok %u %s", i + 1, t.tcase->name);
			(*failed)++;
			suite_failed++;
		} else if (t.skipped) {
			printk_raw("  ok %u %s # SKIP %s", i + 1, t.tcase->name, t.skip_reason);
			(*skipped)++;
		} else {
			printk_raw("  ok %u %s", i + 1, t.tcase->name);
			(*passed)++;
		}
	}
	return suite_failed == 0;
}

u32 ktest_run_selected(u32 *passed_out)
{
	u32 nsel = 0, number = 0, passed = 0, failed = 0, skipped = 0;

	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++)
		nsel += suite_selected(s);
	nsel += unknown_names(false, 0);
	if (nsel == 0) {
		printk("ktest: no suites selected (ktest=%s)", ktest_select);
		*passed_out = 0;
		return 0;
	}
	printk_raw("KTAP version 1");
	printk_raw("1..%u", nsel);
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++) {
		if (!suite_selected(s))
			continue;
		bool ok = run_suite(s, &passed, &failed, &skipped);
		printk_raw("%sok %u %s", ok ? "" : "not ", ++number, s->name);
	}
	failed += unknown_names(true, number);
	printk_raw("# ktest: passed=%u failed=%u skipped=%u", passed, failed, skipped);
	*passed_out = passed;
	return failed;
}
