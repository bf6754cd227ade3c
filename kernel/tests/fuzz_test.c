/* ktest suite "fuzz": a process per CPU issues random syscalls with random and boundary arguments on one shared tree. */
#include "fuzz.h"
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/klock.h>
#include <locklab/lockdep.h>
#include <locklab/mm.h>
#include <locklab/platform.h>
#include <locklab/printf.h>
#include <locklab/sched.h>
#include <locklab/stack_guard.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <asm/atomic.h>
#include <asm/boot.h>
#include <asm/memory.h>

/*
 * Each worker is a process of its own (sys_spawn), pinned to one CPU, so
 * its fd table is private: the worker mirrors it (which fds are open,
 * which are pipe ends, how many bytes each of its pipes holds) and can
 * tell an fd the kernel must refuse from one it must accept, and never
 * reads an empty pipe it also writes (that would block forever). The
 * tree under /fz is shared: every worker creates, writes, unlinks and
 * removes the same few names, at random depths, at the same time.
 *
 * A result breaks a rule when it is neither >= 0 nor a known -errno, or
 * when the argument class fixes the answer (NULL path: -EFAULT, fd out of
 * range: -EBADF, ...). Afterwards, with the workers reaped and /fz
 * removed, every count must be back where it started: free pages, kmalloc
 * objects, inodes, processes, task slots, process 1's fds, and lockdep
 * reports (none new).
 */

u64 fuzz_calls = 40000;
BOOTPARAM_UINT(fuzz_calls, "fuzz_calls", 1, 1000000000ULL,
	       "system calls the fuzz suite makes, over all CPUs (make fuzz: 1000000)");
u64 fuzz_seed = 1;
BOOTPARAM_UINT(fuzz_seed, "fuzz_seed", 0, ~0ULL,
	       "seed of the fuzz suite's random choices (printed with the results)");

static struct fz_worker workers[CONFIG_NR_CPUS];
static u64 ram_end; /* first byte past every RAM range: never a valid buffer */

static u64 fz_rand(struct fz_worker *w)
{
	/* xorshift64*: cheap, and a worker's sequence depends only on its seed. */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dULL;
}

u32 fz_pick(struct fz_worker *w, u32 n)
{
	return (u32)(fz_rand(w) >> 33) % n;
}

/* One broken rule: counted, and the first few described on the console. */
void fz_violation(struct fz_worker *w, const char *call, const char *why, long got)
{
	w->violations++;
	if (w->violations <= 3)
		printk_raw("  # fuzz: cpu%u call %llu: %s: %s (got %ld %s)", w->cpu,
			   (unsigned long long)w->calls, call, why, got,
			   got < 0 ? errno_name(got) : "");
}

/* Every result must be a value or one of the errnos the kernel defines, and what 'must' says (FZ_*). */
static struct fz_call_stat *call_stat(struct fz_call_stat *tab, const char *call)
{
	for (u32 i = 0; i < FZ_CALL_KINDS; i++) {
		if (!tab[i].name)
			tab[i].name = call;
		if (!strcmp(tab[i].name, call))
			return &tab[i];
	}
	return NULL; /* more kinds than FZ_CALL_KINDS: not counted */
}

void fz_result(struct fz_worker *w, const char *call, long r, long must)
{
	struct fz_call_stat *cs = call_stat(w->stats, call);

	if (cs) {
		cs->ok += r >= 0;
		cs->err += r < 0;
	}
	if (r < 0) {
		w->errors++;
		if (!errno_known(r))
			fz_violation(w, call, "not a known -errno", r);
	} else {
		w->ok++;
	}
	if (must == FZ_MUST_FAIL && r >= 0)
		fz_violation(w, call, "succeeded with an argument it must refuse", r);
	else if (must == FZ_MUST_OK && r < 0)
		fz_violation(w, call, "failed where it must succeed", r);
	else if (must < 0 && r != must)
		fz_violation(w, call, errno_name(must), r);
}

/* ---------------------------------------------------------------- arguments */

/* A random address in [lo, hi), hi > lo. */
static u64 fz_in(struct fz_worker *w, u64 lo, u64 hi)
{
	return lo + (fz_rand(w) >> 8) % (hi - lo);
}

/*
 * An address in RAM that uaccess_ok must refuse (uaccess.h): kernel text,
 * the page tables, a stack's guard page (sometimes its last bytes, so a
 * buffer runs on into the stack above), a no-map reserved range, and, if
 * the kernel would write there, rodata.
 */
void *fz_protected(struct fz_worker *w, bool kernel_writes)
{
	void (*const regions[])(struct stack_region * r) = { task_stack_region, boot_stack_region,
							     exc_stack_region };
	const struct platform_info *plat = platform();
	struct stack_region r;
	u64 guard;

	switch (fz_pick(w, kernel_writes ? 5 : 4)) {
	case 0: return (void *)fz_in(w, (u64)_text, (u64)__rodata_start);
	case 1: return (void *)fz_in(w, (u64)__pgtables_start, (u64)__pgtables_end);
	case 2:
		for (int i = 0; i < plat->nr_reserved; i++)
			if (plat->reserved[i].no_map && fz_pick(w, 2))
				return (void *)fz_in(w, (u64)phys_to_virt(plat->reserved[i].base),
						     (u64)phys_to_virt(plat->reserved[i].base) +
							     plat->reserved[i].size);
		/* none (QEMU's own tree has none): a guard page instead */
		/* fall through */
	case 3:
		regions[fz_pick(w, ARRAY_SIZE(regions))](&r);
		guard = r.base + fz_pick(w, r.count) * r.slot_size;
		return (void *)(fz_pick(w, 4) ? fz_in(w, guard, guard + STACK_GUARD_SIZE) :
						guard + STACK_GUARD_SIZE - 1 - fz_pick(w, 16));
	default: return (void *)fz_in(w, (u64)__rodata_start, (u64)__data_start);
	}
}

static const char *const
	fz_names[] = { "a", "b", "c", "f0", "f1", ".", "..", "x y", "\x01\x7f\xff",
		       /* NAME_MAX */
		       "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
		       "oooooooooooooooooooooooooooooooooooooooooooooooooooooooo" /* one more */ };

static void path_append(char *p, u32 *len, const char *s)
{
	while (*s && *len < FZ_PATH_BUF - 1)
		p[(*len)++] = *s++;
	p[*len] = '\0';
}

/*
 * A path, and the answer its class fixes (0: none). Mostly names in the
 * shared tree, absolute or relative to the cwd, at depths up to
 * FZ_MAX_DEPTH, names with odd bytes and at NAME_MAX and one past it;
 * then the boundary cases whose answer is fixed: NULL, outside RAM or in
 * memory the kernel protects (-EFAULT), empty (-ENOENT), no NUL in PATH_MAX bytes or a first
 * component past NAME_MAX (-ENAMETOOLONG).
 */
const char *fz_path(struct fz_worker *w, long *must)
{
	char *p = w->path;
	u32 len = 0, kind = fz_pick(w, 100);

	*must = 0;
	if (kind < 3) {
		*must = -EFAULT;
		return NULL;
	}
	if (kind < 5) {
		*must = -EFAULT;
		return (const char *)(ram_end + fz_pick(w, 4096) +
				      (kind == 4 ? 0xdead000000000000ULL : 0));
	}
	if (kind < 6) {
		*must = -EFAULT;
		return fz_protected(w, false);
	}
	if (kind < 8) {
		*must = -ENOENT;
		return "";
	}
	if (kind < 11) {
		/* FZ_PATH_BUF > PATH_MAX: no NUL in the first PATH_MAX bytes */
		memset(p, 'u', PATH_MAX);
		p[PATH_MAX] = '\0';
		*must = -ENAMETOOLONG;
		return p;
	}
	if (kind < 14) { /* a first component one byte past NAME_MAX: refused before any lookup */
		path_append(p, &len, "/");
		for (u32 i = 0; i <= NAME_MAX; i++)
			path_append(p, &len, "L");
		*must = -ENAMETOOLONG;
	} else if (kind < 80) {
		path_append(p, &len, "/fz");
	}
	/* Mostly shallow, where names exist and calls collide; sometimes deep. */
	for (u32 depth = fz_pick(w, 4) ? 1 + fz_pick(w, 2) : fz_pick(w, FZ_MAX_DEPTH + 1), i = 0;
	     i < depth; i++) {
		if (len)
			path_append(p, &len, fz_pick(w, 20) ? "/" : "//");
		path_append(p, &len, fz_names[fz_pick(w, ARRAY_SIZE(fz_names))]);
	}
	if (!len)
		path_append(p, &len, ".");
	else if (fz_pick(w, 16) == 0)
		path_append(p, &len, "/");
	if (len >= PATH_MAX) /* the copy stops before the NUL */
		*must = -ENAMETOOLONG;
	return p;
}

/* An fd: mostly one this process has open, else any slot, else one out of range (must: -EBADF). */
int fz_fd(struct fz_worker *w, long *must)
{
	static const int out_of_range[] = { -1,		-2,	    -100,	    FD_MAX,
					    FD_MAX + 7, 0x7fffffff, -0x7fffffff - 1 };
	u32 kind = fz_pick(w, 100);

	*must = 0;
	if (kind < 60) {
		for (u32 tries = 0; tries < 4; tries++) {
			int fd = (int)fz_pick(w, FD_MAX);

			if (w->fds[fd].kind != FZ_CLOSED)
				return fd;
		}
	}
	if (kind < 90) {
		int fd = (int)fz_pick(w, FD_MAX);

		if (w->fds[fd].kind == FZ_CLOSED)
			*must = -EBADF;
		return fd;
	}
	*must = -EBADF;
	return out_of_range[fz_pick(w, ARRAY_SIZE(out_of_range))];
}

/*
 * A buffer of n bytes for read/write/stat/readdir: mostly the worker's
 * own, else NULL, outside RAM, in memory the kernel protects
 * (fz_protected), straddling the end of RAM (to read from, never to write
 * to), or a length that wraps or runs past RAM. Anything but the worker's
 * own buffer must be refused when n > 0.
 */
void *fz_buf(struct fz_worker *w, u64 *n, u64 max, bool kernel_writes, bool *bad)
{
	u32 kind = fz_pick(w, 100);

	*bad = false;
	*n = fz_pick(w, 8) ? fz_pick(w, (u32)max + 1) : 0;
	if (kind < 76)
		return w->buf;
	*bad = true;
	if (kind < 81)
		return NULL;
	if (kind < 85)
		return fz_protected(w, kernel_writes);
	if (kind < 90)
		return (void *)(ram_end + fz_pick(w, 1 << 20));
	if (kind < 95 && !kernel_writes) {
		*n = 64;
		return (void *)(ram_end - 8);
	}
	*n = fz_pick(w, 2) ? ~0ULL - fz_pick(w, 16) : 1ULL << 40;
	return w->buf;
}

/* ---------------------------------------------------------------- run */

static void fz_worker_main(void *arg)
{
	struct fz_worker *w = arg;

	/* The fds inherited from process 1 are not in the mirror: close them first. */
	for (int fd = 0; fd < FD_MAX; fd++)
		sys_close(fd);
	w->pid = sys_getpid();
	sys_chdir(
		"/fz"); /* relative paths start in the shared tree ("..": the root, cleaned up too) */
	while (w->calls < w->target)
		fz_one_call(w);
	/* Half the workers leave their fds for sys_exit to close: that path must free them too. */
	if (w->cpu % 2 == 0)
		for (int fd = 0; fd < FD_MAX; fd++)
			if (w->fds[fd].kind != FZ_CLOSED)
				fz_result(w, "close", sys_close(fd), 0);
}

bool fz_rm_tree(const char *path, u32 depth)
{
	/* on the stack: the recursion below must not overwrite a listing in use */
	struct dirent ents[4];
	char child[FZ_PATH_BUF];
	struct stat st;
	long r = sys_stat(path, &st);

	if (r == -ENOENT)
		return true;
	if (r < 0 || depth > FZ_MAX_DEPTH + 2)
		return false;
	if (st.type != S_IFDIR)
		return sys_unlink(path) == 0;
	for (u32 round = 0; round < 10000; round++) {
		long fd = sys_open(path, O_RDONLY | O_DIRECTORY), n;
		u32 removed = 0;

		if (fd < 0)
			return false;
		n = sys_readdir((int)fd, ents, ARRAY_SIZE(ents));
		sys_close((int)fd);
		if (n <= 0)
			return n == 0 && sys_rmdir(path) == 0;
		for (long i = 0; i < n; i++) {
			if (!strcmp(ents[i].name, ".") || !strcmp(ents[i].name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, ents[i].name);
			removed += fz_rm_tree(child, depth + 1);
		}
		if (!removed)
			return false; /* entries that cannot be removed: stop rather than loop */
	}
	return false;
}

/* A generated name that can exist in a directory: not "." or "..", not past NAME_MAX. */
static bool fz_creatable(const char *name)
{
	return strcmp(name, ".") && strcmp(name, "..") && strlen(name) <= NAME_MAX;
}

/* What the workers can have made: /fz, and (through "..") any generated name in the root. */
static bool fz_cleanup(void)
{
	char path[FZ_PATH_BUF];
	bool ok = fz_rm_tree("/fz", 0);

	for (u32 i = 0; i < ARRAY_SIZE(fz_names); i++) {
		if (fz_creatable(fz_names[i])) {
			snprintf(path, sizeof(path), "/%s", fz_names[i]);
			ok &= fz_rm_tree(path, 0);
		}
	}
	return ok;
}

/* The root must hold none of the generated names before the run, or the cleanup would remove them. */
static bool fz_root_is_clean(void)
{
	char path[FZ_PATH_BUF];
	struct stat st;

	for (u32 i = 0; i < ARRAY_SIZE(fz_names); i++) {
		snprintf(path, sizeof(path), "/%s", fz_names[i]);
		if (fz_creatable(fz_names[i]) && sys_stat(path, &st) != -ENOENT)
			return false;
	}
	return sys_stat("/fz", &st) == -ENOENT;
}

/*
 * Over all workers, every call must have worked at least once and been
 * refused at least once (getpid cannot be refused): a fuzzer whose
 * arguments never get past the checks, or never hit them, tests little.
 * Checked on runs long enough for the rarest call to come up.
 */
static void fz_check_coverage(struct ktest *t)
{
	static const char *const calls[] = { "open",  "creat",	"close",  "read",
					     "write", "lseek",	"unlink", "mkdir",
					     "rmdir", "chdir",	"stat",	  "readdir",
					     "pipe",  "getpid", "spawn",  "wait" };
	struct fz_call_stat sum[FZ_CALL_KINDS] = { { 0 } };
	char line[160];
	u32 len = 0;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		for (u32 i = 0; i < FZ_CALL_KINDS && workers[c].stats[i].name; i++) {
			struct fz_call_stat *cs = call_stat(sum, workers[c].stats[i].name);

			cs->ok += workers[c].stats[i].ok;
			cs->err += workers[c].stats[i].err;
		}
	for (u32 i = 0; i < ARRAY_SIZE(calls); i++) {
		struct fz_call_stat *cs = call_stat(sum, calls[i]);

		len += snprintf(line + len, sizeof(line) - len, " %s=%llu/%llu", calls[i],
				(unsigned long long)cs->ok, (unsigned long long)(cs->ok + cs->err));
		if (len > 100 || i + 1 == ARRAY_SIZE(calls)) {
			ktest_note(t, "ok/calls:%s", line);
			len = 0;
		}
		if (fuzz_calls < 20000)
			continue;
		t->expectations++;
		if (!cs->ok || (!cs->err && strcmp(calls[i], "getpid")))
			ktest_fail(t, __FILE__, __LINE__,
				   "%s: %llu worked, %llu refused: the fuzzer misses a path",
				   calls[i], (unsigned long long)cs->ok,
				   (unsigned long long)cs->err);
	}
}

static void fuzz_random_syscalls_keep_every_invariant(struct ktest *t)
{
	const struct platform_info *plat = platform();
	struct ktest_snapshot before;
	u32 n = 0, ncpus = cpus_online();
	u64 t0, ns, calls = 0, ok = 0, errors = 0, violations = 0;
	long pids[CONFIG_NR_CPUS];

	for (int i = 0; i < plat->nr_mem; i++)
		ram_end = MAX(ram_end, plat->mem[i].base + plat->mem[i].size);
	KT_ASSERT(t, fz_root_is_clean());
	ktest_snapshot(&before);
	KT_ASSERT(t, sys_mkdir("/fz") == 0);
	t0 = time_counter();
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		struct fz_worker *w = &workers[c];

		if (!cpu_is_online(c))
			continue;
		memset(w, 0, sizeof(*w));
		w->cpu = c;
		w->rng = (fuzz_seed + 1) * 0x9e3779b97f4a7c15ULL + c * 0x632be59bd9b4e019ULL;
		w->target = fuzz_calls / ncpus + (n < fuzz_calls % ncpus);
		pids[n] = sys_spawn(fz_worker_main, w, (int)c);
		KT_ASSERT(t, pids[n] > 0);
		n++;
	}
	for (u32 i = 0; i < n; i++) {
		int status = -1;

		KT_EXPECT_EQ(t, sys_wait((int)pids[i], &status), pids[i]);
		KT_EXPECT_EQ(t, status, 0);
	}
	ns = time_counter_to_ns(time_counter() - t0);
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		calls += workers[c].calls;
		ok += workers[c].ok;
		errors += workers[c].errors;
		violations += workers[c].violations;
	}
	KT_EXPECT(t, fz_cleanup());
	fz_check_coverage(t);
	printk_raw(
		"fuzz: strategy=%s cpus=%u seed=%llu calls=%llu ok=%llu errors=%llu violations=%llu ms=%llu "
		"calls_per_sec=%llu",
		LOCK_STRATEGY_NAME, n, (unsigned long long)fuzz_seed, (unsigned long long)calls,
		(unsigned long long)ok, (unsigned long long)errors, (unsigned long long)violations,
		(unsigned long long)(ns / 1000000),
		(unsigned long long)(ns ? calls * 1000000000ULL / ns : 0));
	KT_EXPECT_EQ(t, calls, fuzz_calls);
	KT_EXPECT_EQ(t, violations, 0);
	/* A handful of random calls (make fuzz FUZZ_CALLS=1) may all work or all fail: from 100 on, neither. */
	if (fuzz_calls >= 100) {
		KT_EXPECT_GE(t, errors, 1); /* the boundary arguments were really refused ... */
		KT_EXPECT_GE(t, ok, 1);	    /* ... and the rest really ran */
	}
	KT_EXPECT_NO_LEAK(t, &before); /* and no lockdep report */
}

/* The EL0 fuzzer (fuzz_el0_test.c) first: the kernel-side run and its invariants come after it. */
static const struct ktest_case fuzz_cases[] = {
	KTEST_CASE(fuzz_el0_raw_svcs_keep_every_invariant),
	KTEST_CASE(fuzz_random_syscalls_keep_every_invariant),
};
KTEST_SUITE(fuzz, fuzz_cases);
