/* The registered workload table (BENCH_WORKLOAD): its checks, the bench=/trace=/cpus= checks, bench=help, bench-workloads. */
#include "bench.h"
#include <locklab/console.h>
#include <locklab/lock_trace.h>
#include <locklab/printf.h>
#include <locklab/smp.h>
#include <locklab/string.h>

/* Workloads from BENCH_WORKLOAD_NAMED_ONLY run only when bench= names them, never under "all". */
bool bench_named_only(const struct bench_workload *wl)
{
	return wl >= __bench_workloads_named_only;
}

/*
 * The names of the workloads that "all" runs (named == false) or of the
 * named-only ones, separated by ", ", into buf; a list that does not fit
 * ends in "...".
 */
static void list_names(char *buf, size_t n, bool named)
{
	size_t off = 0;

	buf[0] = '\0';
	for_each_workload (wl) {
		if (bench_named_only(wl) != named)
			continue;
		if (off + strlen(wl->name) + 8 > n) { /* room for ", ..." after it, and the NUL */
			strlcpy(buf + off, off ? ", ..." : "...", n - off);
			return;
		}
		off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? ", " : "", wl->name);
	}
}

/*
 * Every name an error can offer, "a, b, ...; named only: c" (a printk line
 * holds 512 bytes: room for half as many names again as today's before "...").
 */
#define KNOWN_MAX 320
static void known_names(char known[KNOWN_MAX])
{
	char named[80];
	size_t off;

	list_names(named, sizeof(named), true);
	list_names(known, KNOWN_MAX - (named[0] ? strlen(named) + 14 : 0), false);
	off = strlen(known);
	if (named[0])
		snprintf(known + off, KNOWN_MAX - off, "; named only: %s", named);
}

/*
 * A name that bench= could not select, or that would break a record
 * (key=value fields split at spaces and commas), or that two files chose,
 * is a mistake in bench/: reported, and nothing runs.
 */
bool bench_table_ok(void)
{
	bool ok = true;

	for_each_workload (wl) {
		size_t len = strnlen(wl->name, BENCH_NAME_MAX);
		bool good = len > 0 && len < BENCH_NAME_MAX && strcmp(wl->name, "all") &&
			    strcmp(wl->name, "none") && strcmp(wl->name, "help");

		for (size_t i = 0; i < len; i++)
			good &= (wl->name[i] >= 'a' && wl->name[i] <= 'z') ||
				(wl->name[i] >= '0' && wl->name[i] <= '9') || wl->name[i] == '-';
		if (!good) {
			printk_raw(
				"bench: error: workload name '%.*s' must be 1 to %d of a-z, 0-9 and '-', and not all, "
				"none or help",
				(int)len, wl->name, BENCH_NAME_MAX - 1);
			ok = false;
		}
		/* The report reads "u-" as "traps from EL0" (docs/benchmarks.md, user workloads under QEMU). */
		if (good && wl->at_el0 != (strncmp(wl->name, "u-", 2) == 0)) {
			printk_raw(
				"bench: error: workload '%s': %s", wl->name,
				wl->at_el0 ?
					"a user workload's name (U_WORKLOAD) must start with u-" :
					"only user workloads (U_WORKLOAD) have names starting with u-");
			ok = false;
		}
		for (const struct bench_workload *o = __bench_workloads_start; good && o < wl;
		     o++) {
			if (strcmp(o->name, wl->name) == 0) {
				printk_raw(
					"bench: error: two workloads are named '%s' (BENCH_WORKLOAD in bench/)",
					wl->name);
				ok = false;
			}
		}
	}
	return ok;
}

/* Every element of the bench= list must name a workload. */
bool bench_check_selection(const char *bench_select)
{
	char word[32], names[KNOWN_MAX];
	bool ok = true;

	known_names(names);
	for (const char *p = bench_select; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool known = len == 3 && strncmp(p, "all", 3) == 0;

		for_each_workload (wl)
			known |= strlen(wl->name) == len && strncmp(p, wl->name, len) == 0;
		if (!known) {
			strlcpy(word, p, MIN(len + 1, sizeof(word)));
			printk_raw(
				"bench: error: bench=%.40s: unknown workload '%s' (known: all, %s; bench=help "
				"says what each does)",
				bench_select, word, names);
			ok = false;
		}
		p += len + (e ? 1 : 0);
	}
	return ok;
}

/* trace= must name a workload this boot runs, in a kernel built with the lock timeline. */
bool bench_check_trace(const char *trace_select, const char *bench_select)
{
	char known[KNOWN_MAX];

	if (!trace_select[0])
		return true;
	if (!LOCK_TRACE_ENABLED) {
		printk_raw(
			"bench: error: trace=%s: this kernel has no lock timeline (CONFIG_LOCK_TRACE is off)",
			trace_select);
		return false;
	}
	for_each_workload (wl) {
		if (strcmp(wl->name, trace_select) != 0)
			continue;
		if ((strlist_has(bench_select, "all") && !bench_named_only(wl)) ||
		    strlist_has(bench_select, trace_select))
			return true;
		printk_raw("bench: error: trace=%s: that workload is not among those bench=%s runs",
			   trace_select, bench_select[0] ? bench_select : "none");
		return false;
	}
	known_names(known);
	printk_raw("bench: error: trace=%.40s: unknown workload (known: %s)", trace_select, known);
	return false;
}

/* bench=help: each workload and what it does; nothing runs. */
void bench_print_help(void)
{
	/* Lines for a reader, not records: no "bench:" prefix for bench-extract to take for one. */
	printk_raw(
		"benchmark workloads (bench=all runs those not marked named only; docs/benchmarks.md):");
	for_each_workload (wl)
		printk_raw("  %-16s %s%s", wl->name, wl->what,
			   bench_named_only(wl) ? " [named only]" : "");
}

/*
 * The bench-workloads record, after bench-meta: which workloads this
 * kernel has. Not in bench-meta itself, which is near 300 characters
 * already: a dozen names more would bring it near printk's 512-character
 * line. If the names ever outgrow one line, they go on in another
 * bench-workloads record (readers take them all).
 */
void bench_print_workloads(void)
{
	char lists[2][200];
	size_t used[2] = { 0, 0 };

	lists[0][0] = lists[1][0] = '\0';
	for_each_workload (wl) {
		u32 k = bench_named_only(wl);
		size_t len = strlen(wl->name) + 1;

		if (used[k] + len >= sizeof(lists[k])) {
			printk_raw("bench-workloads: all=%s named_only=%s", lists[0], lists[1]);
			lists[0][0] = lists[1][0] = '\0';
			used[0] = used[1] = 0;
		}
		used[k] += (size_t)snprintf(lists[k] + used[k], sizeof(lists[k]) - used[k], "%s%s",
					    used[k] ? "," : "", wl->name);
	}
	printk_raw("bench-workloads: all=%s named_only=%s", lists[0], lists[1]);
}

u32 bench_parse_cpus(const char *list, u32 counts[CONFIG_NR_CPUS])
{
	u32 n = 0, online = cpus_online();

	if (!list[0]) {
		for (u32 c = 1; c <= online; c++)
			counts[n++] = c;
		return n;
	}
	for (const char *p = list; *p;) {
		u64 v = 0;
		const char *q = p;

		while (*q >= '0' && *q <= '9' && v < 1000)
			v = v * 10 + (u64)(*q++ - '0');
		/* "1," names a count it does not give, as ",1" does */
		if (q == p || (*q && (*q != ',' || !q[1])) || v < 1 || v > online ||
		    n == CONFIG_NR_CPUS) {
			printk_raw(
				"bench: error: cpus=%s: each count must be a number from 1 to %u (the CPUs online), "
				"at most %d of them",
				list, online, CONFIG_NR_CPUS);
			return 0;
		}
		counts[n++] = (u32)v;
		p = *q ? q + 1 : q;
	}
	return n;
}
