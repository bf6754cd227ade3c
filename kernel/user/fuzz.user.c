/* The EL0 syscall fuzzer: raw SVCs with random numbers and registers, results and register checks counted in the shared page. */
#include "usys.h"
#include "fuzz_el0.h"
#include <locklab/mman.h>

/*
 * Runs at EL0 like progs.user.c: no writable data, nothing of the
 * kernel's, only the stack, the shared page (fuzz_el0.h says where each
 * count goes) and system calls. Each call takes a number (mostly
 * 0..NR_SYSCALLS + 4, sometimes any 64-bit value) and six argument
 * registers drawn from values the kernel must tell apart: small ints,
 * fds, negatives, pointers into the stack, the shared page, the text,
 * paths in the text, unmapped and kernel addresses, the top of the user
 * half, sizes, random bits (one call in three only the plausible ones). The other registers get random bits too, and
 * after the SVC all of them but x0 must be what they were.
 *
 * It must neither end nor hang by its own doing: it never asks for exit
 * or poweroff, hands ktest and bench only bad pointers (fze_sandbox_args),
 * closes both ends of every pipe it is given at once (so no read can
 * block), keeps mmap and munmap inside FZE_SANDBOX (fuzz_el0.h) and brk to
 * its heap, where nothing else points.
 * Pointers it hands the kernel go where a write cannot hurt it: the low
 * part of its stack (its frames are near the top), the upper half of the
 * shared page, the pad u_fuzz_el0 leaves at the top of the stack; lengths
 * are small or far too large (the whole range is then refused).
 */

/* fuzz_svc.user.S's block: x0-x30 in, sp before, x0-x30 out, sp after. */
struct fze_regs {
	long x[31];
	long sp_in;
	long out[31];
	long sp_out;
};

long fze_raw_svc(struct fze_regs *r);
long fze_main(long idx);
static void fze_check_fresh(long nr, long p, long len, long prot);

/* One process's state, on its stack. */
struct fze {
	unsigned long rng;
	long idx, pid, brk0;
	long brk;   /* the break, as the last brk gave it */
	long len;   /* this call's x2: the length read, write and readdir were asked for */
	int refuse; /* this call aims at a region of its own that is no mmap's: it must fail */
	long home;  /* its directory's path, in the text */
};

#define SHARED ((volatile long *)0x10000000L)

static unsigned long fze_rand(struct fze *z)
{
	/* xorshift64*, as the kernel-side fuzzer */
	z->rng ^= z->rng >> 12;
	z->rng ^= z->rng << 25;
	z->rng ^= z->rng >> 27;
	return z->rng * 0x2545f4914f6cdd1dUL;
}

static unsigned long fze_below(struct fze *z, unsigned long n)
{
	return (fze_rand(z) >> 16) % n;
}

/*
 * A path in the text (read-only, so the kernel cannot change it): names
 * relative to its home, its home itself, the boundary cases. None leads
 * out of the home ("..", "/" and other absolute names are left out), so
 * what it creates stays there.
 */
static long fze_path(struct fze *z)
{
	switch (fze_below(z, 12)) {
	case 0: return (long)"f";
	case 1: return (long)"d";
	case 2: return (long)"d/f";
	case 3: return (long)"d/e/f";
	case 4: return (long)"";
	case 5: return (long)".";
	case 6: return (long)"f/";
	case 7: return (long)"/fzu-none/f";
	case 8: /* NAME_MAX + 1 bytes */
		return (long)"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";
	case 9: return (long)"d//g";
	case 10: return (long)"x\001\177\377";
	default: return z->home;
	}
}

/*
 * Argument i's value (the comment at the top lists the classes). tame:
 * only the classes a call can succeed with, in the places calls take them
 * (x0: fds and paths, x1: buffers and open flags, x2: sizes), so that the
 * paths past the checks are reached too: a read needs an open fd and a
 * writable buffer at once.
 */
static long fze_value(struct fze *z, int i, int tame)
{
	static const unsigned char tame_classes[3][5] = { { 1, 1, 6, 7, 0 },
							  { 3, 4, 14, 15, 6 },
							  { 0, 11, 15, 1, 11 } };
	unsigned long r = fze_rand(z), k = r >> 8;

	switch (tame ? tame_classes[i < 3 ? i : (int)(k % 3)][r % 5] : r % 16) {
	case 0: return (long)(k % 17);
	case 1: return (long)(k % 9); /* an fd, open or not */
	case 2:
		switch (k % 6) {
		case 0: return -1;
		case 1: return -2;
		case 2: return -4095;
		case 3: return (long)0xffffffffL;
		case 4: return (long)0x80000000L;
		default: return (long)(-0x7fffffffffffffffL - 1);
		}
	case 3: /* the stack, far below its frames; sometimes misaligned */
		return FZE_STACK_LOW + (long)(k % FZE_STACK_AIM & (k & 0x10000 ? ~0UL : ~7UL));
	case 4: return 0x10000000L + FZE_TARGET_OFF + (long)(k % (4096 - FZE_TARGET_OFF));
	case 5: return 0x400000L + (long)(k % 4096); /* the text: readable, never writable */
	case 6:
	case 7: return fze_path(z);
	case 8:
		switch (k % 6) {
		case 0: return 0x1000;
		case 1: return 0x20000000L + (long)(k >> 8) % 4096;
		case 2: return 0x10000000L + 4096; /* just past the shared page */
		case 3: return FZE_STACK_LOW - 8;  /* just below the stack */
		case 4: return FZE_SANDBOX + (long)((k >> 8) % FZE_SANDBOX_SIZE);
		default: return 0x3ffffff000L;
		}
	case 9: /* the kernel's half */
		switch (k % 3) {
		case 0: return (long)0xffffff8040200000UL + (long)((k >> 8) % 4096);
		case 1: return (long)0xffff000000000000UL;
		default: return (long)0xfffffffffffff000UL;
		}
	case 10: /* the top of the user half: the last bytes of the stack's pad, and past it */
		return FZE_STACK_TOP - 16 + (long)(k % 32);
	case 11:
		switch (k % 9) {
		case 0: return 1;
		case 1: return 8;
		case 2: return 64;
		case 3: return 255;
		case 4: return 256;
		case 5: return 512;
		case 6: return 2048;
		case 7: return 4096;
		default: return 4097;
		}
	case 12: return (long)fze_rand(z);
	case 13: return (long)(fze_rand(z) >> 32);
	case 14:
		switch (k % 8) {
		case 0: return O_RDONLY;
		case 1: return O_WRONLY;
		case 2: return O_RDWR;
		case 3: return O_CREAT | O_RDWR;
		case 4: return O_CREAT | O_EXCL | O_WRONLY;
		case 5: return O_TRUNC | O_RDWR;
		case 6: return O_APPEND | O_WRONLY;
		default: return O_DIRECTORY;
		}
	default: return 0;
	}
}

/* An address in the sandbox; page-aligned but one time in eight. */
static long fze_sandbox(struct fze *z)
{
	long a = FZE_SANDBOX + (long)fze_below(z, FZE_SANDBOX_SIZE);

	return fze_below(z, 8) ? a & ~4095L : a;
}

/*
 * Past the user half: its end, the hole above it, the kernel's half, the
 * last page (a range from there wraps past 2^64). A MAP_FIXED, munmap or
 * mprotect there must be refused (fze_check_user_half), and a refused one
 * cannot hurt the fuzzer.
 */
static long fze_outside(struct fze *z)
{
	static const long outside[] = { FZE_USER_TOP, 1L << 47, (long)0xffffff8000000000UL,
					-4096L };

	return outside[fze_below(z, 4)];
}

/*
 * A region of its own that munmap, mprotect and MAP_FIXED must leave
 * alone, being no mmap's (docs/mm.md): a page of its stack, its text, its
 * shared page, its heap when the break is above its base. The range is a
 * page or less, so it ends inside the user half and only vm.c's own
 * check refuses it. Should that fail, the fuzzer loses its stack or text
 * and dies, which the suite sees.
 */
static long fze_foreign(struct fze *z, long *len)
{
	*len = 1 + (long)fze_below(z, 4096);
	z->refuse = 1;
	switch (fze_below(z, 4)) {
	case 0: return 0x400000L;
	case 1: return 0x10000000L;
	case 2:
		if (z->brk > FZE_HEAP_BASE)
			return FZE_HEAP_BASE;
		/* fall through */
	default: return FZE_STACK_TOP - (long)(1 + fze_below(z, 16)) * 4096;
	}
}

/* brk, mmap, munmap and mprotect: their addresses and lengths kept inside the sandbox (fuzz_el0.h). */
static void fze_sandbox_args(struct fze *z, long nr, long *a)
{
	static const long flags[] = { MAP_PRIVATE | MAP_ANONYMOUS,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				      MAP_SHARED | MAP_ANONYMOUS,
				      MAP_PRIVATE,
				      0,
				      MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS };

	if (nr == SYS_ktest || nr == SYS_bench) {
		/* never a string: a suite or workload it named would run (or print its refusal) */
		static const long bad[] = { 0, 0x20000000L, (long)0xffffff8040200000UL, -1 };

		a[0] = bad[fze_below(z, 4)];
	} else if (nr == SYS_brk) {
		/* 0 asks for the break; else at most 1 MiB above the first one, or the heap's bounds */
		static const long edge[] = { FZE_HEAP_BASE - 1, FZE_HEAP_BASE,
					     FZE_HEAP_BASE + FZE_HEAP_MAX,
					     FZE_HEAP_BASE + FZE_HEAP_MAX + 1 };

		a[0] = fze_below(z, 8) == 0 ? edge[fze_below(z, 4)] :
		       fze_below(z, 4)	    ? z->brk0 + (long)fze_below(z, 1 << 20) :
					      0;
	} else if (nr == SYS_munmap || nr == SYS_mprotect) {
		unsigned long aim = fze_below(z, 16);

		a[0] = aim > 1 ? fze_sandbox(z) : aim ? fze_outside(z) : 0;
		a[1] = (long)fze_below(z, FZE_MAP_MAX + 1);
		if (!aim)
			a[0] = fze_foreign(z, &a[1]);
		if (nr == SYS_mprotect && fze_below(z, 4))
			a[2] = (long)fze_below(
				z, 8); /* PROT_*: NONE, READ and WRITE are the ones allowed */
		if (nr == SYS_mprotect && fze_below(z, 2)) {
			/* Something to change: random mmaps rarely land in the sandbox (MAP_FIXED). */
			long p = a[0] & ~4095L;

			SHARED[FZE_EXTRA]++;
			if (usys6(SYS_mmap, p, a[1] + 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == p &&
			    p >= FZE_SANDBOX && p < FZE_SANDBOX + FZE_SANDBOX_SIZE)
				fze_check_fresh(SYS_mmap, p, a[1] + 4096, PROT_READ | PROT_WRITE);
		}
	} else if (nr == SYS_mmap) {
		a[0] = fze_below(z, 4) ? fze_sandbox(z) : 0;
		a[1] = (long)fze_below(z, FZE_MAP_MAX + 1);
		if (fze_below(z, 4))
			a[2] = (long)fze_below(z, 8); /* PROT_* */
		if (fze_below(z, 4))
			a[3] = flags[fze_below(z, sizeof(flags) / sizeof(flags[0]))];
		if (a[3] & MAP_FIXED) { /* a fixed mapping replaces what is there */
			unsigned long aim = fze_below(z, 16);

			a[0] = aim > 1 ? fze_sandbox(z) :
			       aim     ? fze_outside(z) :
					 fze_foreign(z, &a[1]);
		}
		if (fze_below(z, 2))
			a[4] = -1;
		if (fze_below(z, 4) == 0) {
			/*
			 * A file of its own, maybe: an fd it aims at, rights and a
			 * page-aligned offset that can work, half of them in the
			 * sandbox, where pointers it hands the kernel may land.
			 */
			a[3] = fze_below(z, 2) ? MAP_SHARED : MAP_PRIVATE;
			z->refuse = 0; /* no MAP_FIXED, or one into the sandbox */
			if (fze_below(z, 2)) {
				a[3] |= MAP_FIXED;
				a[0] = fze_sandbox(z);
			}
			a[2] = (long)fze_below(z, 4); /* PROT_NONE to PROT_READ | PROT_WRITE */
			a[4] = (long)fze_below(z, 9);
			a[5] = (long)fze_below(z, 3) * 4096;
			if (fze_below(z, 2)) {
				/* its fds rarely hold a readable file: "f" opened for it, 6000 bytes of its text written */
				SHARED[FZE_EXTRA] += 2;
				a[4] = usys(SYS_open, (long)"f", O_CREAT | O_RDWR, 0);
				usys(SYS_write, a[4], 0x400000L, 6000);
			}
		}
	}
}

/* A broken rule: counted; the first one described in the shared page. */
static void fze_violation(long nr, long reg, long got, long want)
{
	if (SHARED[FZE_VIOLATIONS]++ == 0) {
		SHARED[FZE_BAD_CALL] = SHARED[FZE_CALLS];
		SHARED[FZE_BAD_NR] = nr;
		SHARED[FZE_BAD_REG] = reg;
		SHARED[FZE_BAD_GOT] = got;
		SHARED[FZE_BAD_WANT] = want;
	}
}

/* A call the fuzzer makes for itself (not counted as a random one). */
static long fze_extra(long nr, long a0, long a1)
{
	SHARED[FZE_EXTRA]++;
	return usys(nr, a0, a1, 0);
}

/* The result's rules: a value or -1..-4095; -ENOSYS outside the table; getpid its own pid. */
static void fze_check_result(struct fze *z, long nr, long r)
{
	unsigned long slot = (unsigned long)nr < FZE_NR_SLOTS - 1 ? (unsigned long)nr : FZE_NR_HUGE;

	if (r >= 0) {
		SHARED[FZE_OK]++;
		SHARED[FZE_NR_OK + slot]++;
	} else {
		SHARED[r == -14 ? FZE_EFAULT : r == -38 ? FZE_ENOSYS : FZE_OTHER_ERR]++;
		SHARED[FZE_NR_ERR + slot]++;
	}
	if (r < -4095)
		fze_violation(nr, -1, r, -4095);
	if ((nr == 0 || (unsigned long)nr >= NR_SYSCALLS) && r != -38)
		fze_violation(nr, -1, r, -38);
	if (nr == SYS_getpid && r != z->pid)
		fze_violation(nr, -1, r, z->pid);
	/* read and write move at most the bytes asked for, readdir fills at most max entries (a u32) */
	if ((nr == SYS_read || nr == SYS_write) && r > 0 &&
	    (unsigned long)r > (unsigned long)z->len)
		fze_violation(nr, -1, r, z->len);
	if (nr == SYS_readdir && r > 0 && (unsigned long)r > (unsigned int)z->len)
		fze_violation(nr, -1, r, (unsigned int)z->len);
}

/*
 * Nothing is mapped or changed outside the user half: a mapping ends at or
 * below its end, and munmap or mprotect given an address past it fails
 * (once, a MAP_FIXED up there became a region whose first touch leaked
 * every page of RAM).
 */
static void fze_check_user_half(long nr, const long *a, long r)
{
	unsigned long top = FZE_USER_TOP;

	if (r < 0)
		return;
	if (nr == SYS_mmap &&
	    ((unsigned long)r >= top || (unsigned long)a[1] > top - (unsigned long)r))
		fze_violation(nr, -1, r, -22);
	if ((nr == SYS_munmap || nr == SYS_mprotect) && (unsigned long)a[0] >= top)
		fze_violation(nr, -1, r, -22);
}

/*
 * Fresh anonymous memory at [p, p + len), page-aligned, in the sandbox or
 * placed by the kernel: the first byte of its first and last pages and
 * its last byte read zero (pages come zeroed, and MAP_FIXED replaces what
 * was there: a page left mapped under it would show what the fuzzer
 * stored there before), and when writable they keep what is stored.
 */
static void fze_check_fresh(long nr, long p, long len, long prot)
{
	volatile unsigned char *at[3] = { (volatile unsigned char *)p,
					  (volatile unsigned char *)((p + len - 1) & ~4095L),
					  (volatile unsigned char *)(p + len - 1) };

	if (!(prot & (PROT_READ | PROT_WRITE)))
		return; /* write implies read: the page tables cannot say write-only */
	for (int i = 0; i < 3; i++)
		if (*at[i])
			fze_violation(nr, -1, *at[i], 0);
	if (!(prot & PROT_WRITE))
		return;
	for (int i = 0; i < 3; i++)
		*at[i] = (unsigned char)(0x5a + i);
	for (int i = 0; i < 3; i++) {
		int last =
			i; /* a one-page mapping's first and last page are one: the last store counts */

		for (int j = i + 1; j < 3; j++)
			if (at[j] == at[i])
				last = j;
		if (*at[i] != (unsigned char)(0x5a + last))
			fze_violation(nr, -1, *at[i], 0x5a + last);
	}
}

/*
 * A mapping that worked is where it was asked for and usable. MAP_FIXED:
 * at addr; else page-aligned, inside [USER_MMAP_BASE, USER_MMAP_TOP). An
 * anonymous one is fresh (fze_check_fresh). Only what must work is
 * touched: a file's pages may lie past its end (SIGBUS), PROT_NONE
 * faults, and a mapping out of place or out of the sandbox is left alone.
 */
static void fze_check_mmap(long nr, const long *a, long r)
{
	int fixed = (a[3] & MAP_FIXED) != 0;

	if (nr != SYS_mmap || r < 0)
		return;
	if (fixed ? r != a[0] :
		    (r & 4095) || r < FZE_MMAP_BASE ||
			    (unsigned long)a[1] > (unsigned long)(FZE_MMAP_TOP - r)) {
		fze_violation(nr, -1, r, fixed ? a[0] : FZE_MMAP_BASE);
		return;
	}
	if ((a[3] & MAP_ANONYMOUS) &&
	    (!fixed || (r >= FZE_SANDBOX && r < FZE_SANDBOX + FZE_SANDBOX_SIZE)))
		fze_check_fresh(nr, r, a[1], a[2]);
}

/*
 * What munmap or mprotect took away is gone for the kernel too: a path
 * read from the first or last byte of a range unmapped or made PROT_NONE
 * is -EFAULT, and so is a stat written to one left without PROT_WRITE.
 * uaccess_ok goes by the regions: one left in place, or with its old
 * rights, lets the call through. Should it, the path is read from the
 * sandbox and the stat written to the low stack, where that is harmless.
 */
static void fze_check_gone(long nr, const long *a, long r)
{
	long ends[2] = { a[0], a[0] + a[1] - 1 }, got;
	int unreadable = nr == SYS_munmap || !(a[2] & (PROT_READ | PROT_WRITE));

	if (r < 0 || a[1] <= 0 || (nr != SYS_munmap && nr != SYS_mprotect) ||
	    (!unreadable && (a[2] & PROT_WRITE)))
		return;
	for (int i = 0; i < 2; i++) {
		got = unreadable ? fze_extra(SYS_stat, ends[i], FZE_STACK_LOW) :
				   fze_extra(SYS_stat, (long)"/", ends[i]);
		if (got != -14)
			fze_violation(nr, -1, got, -14);
	}
}

/*
 * brk never fails: it moves the break to an address in [USER_HEAP_BASE,
 * + USER_HEAP_MAX] and leaves it anywhere else (docs/mm.md). Below the
 * break memory is usable; a page the heap grew into is fresh (zero),
 * since a shrinking brk frees the pages above it: the fuzzer stores in
 * the last page below every break, so one left mapped shows.
 */
static void fze_check_brk(struct fze *z, long nr, const long *a, long r)
{
	long want = a[0] >= FZE_HEAP_BASE && a[0] <= FZE_HEAP_BASE + FZE_HEAP_MAX ? a[0] : z->brk;
	volatile unsigned char *page = (volatile unsigned char *)((r - 1) & ~4095L),
			       *last = (volatile unsigned char *)(r - 1);

	if (nr != SYS_brk)
		return;
	if (r != want) {
		fze_violation(nr, -1, r, want);
		return;
	}
	if (r > FZE_HEAP_BASE) {
		if ((long)page >= ((z->brk + 4095) & ~4095L) && *page)
			fze_violation(nr, -1, *page, 0);
		*page = 0x5a;
		*last = 0xa5;
		if (*last != 0xa5 || (page != last && *page != 0x5a))
			fze_violation(nr, -1, *page * 256 + *last, 0x5aa5);
	}
	z->brk = r;
}

/* A call fze_foreign aimed at a region that is no mmap's must have failed. */
static void fze_check_refused(struct fze *z, long nr, long r)
{
	if (z->refuse && r >= 0)
		fze_violation(nr, -1, r, -22);
}

/* What a successful call leaves that could hang or exhaust the fuzzer: pipes, mappings outside the sandbox. */
static void fze_tidy(long nr, const long *a, long r)
{
	if (nr == SYS_pipe && r == 0) {
		const volatile int *fds =
			(const volatile int *)a[0]; /* the kernel wrote them there */

		SHARED[FZE_PIPES]++;
		fze_extra(SYS_close, fds[0], 0);
		fze_extra(SYS_close, fds[1], 0);
	} else if (nr == SYS_mmap && r >= 0) {
		SHARED[FZE_FILE_MAPS] += !(a[3] & MAP_ANONYMOUS);
		if (r < FZE_SANDBOX || r >= FZE_SANDBOX + FZE_SANDBOX_SIZE)
			fze_extra(SYS_munmap, r, a[1]);
	}
}

static void fze_one(struct fze *z)
{
	struct fze_regs regs;
	int tame = fze_below(z, 3) == 0;
	long nr, r;

	do
		nr = fze_below(z, 16) ? (long)fze_below(z, NR_SYSCALLS + 5) :
		     fze_below(z, 2)  ? (long)fze_rand(z) :
					(long)(fze_rand(z) >> 40);
	while (nr == SYS_exit || nr == SYS_poweroff);
	for (int i = 0; i < 31; i++)
		regs.x[i] = i < 6 ? fze_value(z, i, tame) : (long)fze_rand(z);
	regs.x[8] = nr;
	z->refuse = 0;
	fze_sandbox_args(z, nr, regs.x);
	z->len = regs.x[2];
	r = fze_raw_svc(&regs);
	for (int i = 1; i < 31; i++)
		if (regs.out[i] != regs.x[i])
			fze_violation(nr, i, regs.out[i], regs.x[i]);
	if (regs.sp_out != regs.sp_in)
		fze_violation(nr, 31, regs.sp_out, regs.sp_in);
	fze_check_result(z, nr, r);
	fze_check_user_half(nr, regs.x, r);
	fze_check_mmap(nr, regs.x, r);
	fze_check_gone(nr, regs.x, r);
	fze_check_brk(z, nr, regs.x, r);
	fze_check_refused(z, nr, r);
	fze_tidy(nr, regs.x, r);
	SHARED[FZE_CALLS]++;
}

/*
 * What random calls fill and seldom empty, emptied now and then, so that
 * mmap keeps getting past "no room": MAP_FIXED mappings stay in the
 * sandbox and would use up the address space's regions (then every
 * mmap is -ENOMEM); a random mkdir can make "f" a directory, and no
 * file mapping could open it. make fuzz (1,000,000 calls) made 435 file
 * mappings a strategy without this and about 4,960 with it. A mapping
 * that starts in the sandbox may end up to FZE_MAP_MAX + a page past it
 * (nothing else lives there): unmapped too, or its tails would stay.
 */
static void fze_reset_maps(void)
{
	fze_extra(SYS_munmap, FZE_SANDBOX, FZE_SANDBOX_SIZE + FZE_MAP_MAX + 4096);
	fze_extra(SYS_rmdir, (long)"f", 0);
}

/* Called by u_fuzz_el0 (fuzz_svc.user.S): the loop, then 0 (exit(0)). */
long fze_main(long idx)
{
	struct fze z;
	long n = SHARED[FZE_IN_CALLS];

	/* "/fzu0" .. "/fzuf", 6 bytes apart */
	z.home = (long)"/fzu0\0/fzu1\0/fzu2\0/fzu3\0/fzu4\0/fzu5\0/fzu6\0/fzu7\0"
		       "/fzu8\0/fzu9\0/fzua\0/fzub\0/fzuc\0/fzud\0/fzue\0/fzuf" +
		 6 * (idx % FZE_HOMES);
	z.idx = idx;
	z.rng = (unsigned long)SHARED[FZE_IN_SEED] * 0x9e3779b97f4a7c15UL + (unsigned long)idx + 1;
	/* The fds it inherited are not its own to fuzz (a pipe end could block a read): closed. */
	for (long fd = 0; fd < FZE_FD_MAX; fd++)
		fze_extra(SYS_close, fd, 0);
	z.pid = fze_extra(SYS_getpid, 0, 0);
	z.brk0 = z.brk = fze_extra(SYS_brk, 0, 0);
	fze_extra(SYS_chdir, z.home, 0);
	for (long i = 0; i < n; i++) {
		fze_one(&z);
		/* Home again now and then: a chdir into "d" must not walk it ever deeper. */
		if (i % 64 == 63)
			fze_extra(SYS_chdir, z.home, 0);
		/* fds above the ones it aims at (0-8) are never closed at random: the table would fill */
		if (i % 1024 == 1023)
			for (long fd = 9; fd < FZE_FD_MAX; fd++)
				fze_extra(SYS_close, fd, 0);
		if (i % 256 == 255) /* just after a chdir home */
			fze_reset_maps();
	}
	SHARED[FZE_DONE] = FZE_MAGIC;
	return 0;
}
