/* Programs the vm suite runs at EL0: the heap (brk), anonymous mmap/munmap/mprotect, first-touch pages, kernel copies into untouched pages. */
#include "usys.h"
#include <locklab/mman.h>

/*
 * As progs.user.c: no writable data, nothing of the kernel's; results go
 * to the shared page as longs in the order kernel/user/vm_test.c reads
 * them, r[63] = how many.
 */
#define PAGE 4096L

static inline long mmap_rw(long len)
{
	return usys6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Every page of [base, base + n pages) reads zero, then keeps two values per page: 1 if so. */
static long fill_and_check(long base, long n)
{
	long ok = 1;

	for (long p = 0; p < n; p++) {
		volatile long *w = (volatile long *)(base + p * PAGE);

		ok &= w[0] == 0 && w[511] == 0;
		w[0] = p + 1;
		w[511] = -p;
	}
	for (long p = 0; p < n; p++) {
		volatile long *w = (volatile long *)(base + p * PAGE);

		ok &= w[0] == p + 1 && w[511] == -p;
	}
	return ok;
}

/* brk: grow the heap by n pages, use them, refuse a break below the heap, shrink back. */
long u_vm_heap(long n)
{
	volatile long *r = USHARED;
	long b0 = usys(SYS_brk, 0, 0, 0), i = 0;

	r[i++] = b0;
	r[i++] = usys(SYS_brk, b0 + n * PAGE + 100, 0, 0) - b0; /* the break is not rounded */
	r[i++] = fill_and_check(b0, n + 1);			/* the page holding byte 100 too */
	r[i++] = usys(SYS_brk, b0 - PAGE, 0, 0) - b0;		/* below the heap: unchanged */
	r[i++] = usys(SYS_brk, b0, 0, 0) - b0;			/* back to empty */
	r[63] = i;
	return 0;
}

/* A store to the heap after brk gave the page back: SIGSEGV at the heap's base. */
long u_vm_heap_after_shrink(long unused)
{
	long b0 = usys(SYS_brk, 0, 0, 0);

	usys(SYS_brk, b0 + PAGE, 0, 0);
	*(volatile long *)b0 = 1;
	usys(SYS_brk, b0, 0, 0);
	*(volatile long *)b0 = 2;
	return 1; /* not reached */
}

/* mmap of n pages (n >= 3), first-touch zero pages, a hole punched and refilled, and the refusals. */
long u_vm_mmap(long n)
{
	volatile long *r = USHARED;
	long p = mmap_rw(n * PAGE), q, i = 0;

	r[i++] = p;
	r[i++] = fill_and_check(p, n);
	r[i++] = usys(SYS_munmap, p + PAGE, PAGE, 0);
	r[i++] = ((volatile long *)p)[0] == 1 && ((volatile long *)(p + 2 * PAGE))[0] == 3;
	q = mmap_rw(PAGE); /* first fit: the hole */
	r[i++] = q - p;
	r[i++] = ((volatile long *)q)[0]; /* a fresh zero page, not what was there */
	r[i++] = usys(SYS_munmap, p, n * PAGE, 0);
	r[i++] = usys(SYS_munmap, p, PAGE, 0); /* nothing there any more: fine */
	r[i++] = usys6(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r[i++] =
		usys6(SYS_mmap, 0, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r[i++] = usys6(SYS_mmap, 0, PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	r[i++] = usys6(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0); /* a file, fd -1 */
	r[i++] = usys6(SYS_mmap, 0, 1L << 40, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r[i++] = usys(SYS_munmap, p + 1, PAGE, 0);
	r[i++] = usys(SYS_munmap, p, 0, 0);
	r[i++] = usys(SYS_munmap, (1L << 39) - PAGE, PAGE, 0); /* the stack */
	r[i++] = usys(SYS_munmap, 0x400000, PAGE, 0);	       /* the text */
	r[63] = i;
	return 0;
}

/* A store to a page after munmap: SIGSEGV at the mapping (the first one: USER_MMAP_BASE). */
long u_vm_after_munmap(long unused)
{
	long p = mmap_rw(PAGE);

	*(volatile long *)p = 1;
	usys(SYS_munmap, p, PAGE, 0);
	*(volatile long *)p = 2;
	return 1; /* not reached */
}

/*
 * The kernel copies to and from pages nobody touched yet (they fault in
 * from EL1, uaccess.S). arg: a pipe's read fd (bits 0-7) holding 3000
 * pattern bytes, and its write fd (bits 8-15).
 */
long u_vm_copies(long arg)
{
	volatile long *r = USHARED;
	long rfd = arg & 0xff, wfd = (arg >> 8) & 0xff, i = 0, ok = 1;
	long p = mmap_rw(2 * PAGE), q = mmap_rw(PAGE), z = mmap_rw(PAGE), s = mmap_rw(PAGE);
	char *b = (char *)(p + PAGE - 1500); /* across the two pages */

	r[i++] = usys(SYS_read, rfd, (long)b, 3000);
	for (long k = 0; k < 3000; k++)
		ok &= b[k] == (char)('a' + k % 26);
	r[i++] = ok;
	r[i++] = usys(SYS_stat, (long)"/", q, 0); /* the kernel writes the stat to q */
	r[i++] = ((volatile long *)q)[0];
	r[i++] = ((volatile long *)q)[1];
	r[i++] = usys(SYS_write, wfd, z, 8); /* 8 zero bytes: the kernel reads a fresh page */
	r[i++] = usys(SYS_stat, s, q, 0);    /* the path is "": -ENOENT, read from a fresh page */
	for (long k = PAGE - 100; k < PAGE; k++) /* no NUL before the mapping ends */
		((volatile char *)s)[k] = 'a';
	r[i++] = usys(SYS_stat, s + PAGE - 100, q, 0);
	usys(SYS_munmap, z, PAGE, 0);
	r[i++] = usys(SYS_read, rfd, z, 1); /* gone: -EFAULT, and the pipe keeps its bytes */
	r[63] = i;
	return 0;
}

/* page_fault1 of will-it-scale: n times, map 32 pages, touch each, unmap. 0 if every page read zero. */
long u_vm_fault_loop(long n)
{
	long bad = 0;

	for (long k = 0; k < n; k++) {
		long p = mmap_rw(32 * PAGE);

		if (p < 0)
			return 2;
		for (long pg = 0; pg < 32; pg++) {
			volatile long *w = (volatile long *)(p + pg * PAGE);

			bad |= *w;
			*w = k + 1;
		}
		if (usys(SYS_munmap, p, 32 * PAGE, 0))
			return 3;
	}
	return bad ? 1 : 0;
}

/*
 * mprotect and MAP_FIXED on 4 filled pages: the middle two read-only
 * (values kept, the outer two still writable, a kernel copy into one
 * refused), one made writable again, a fixed mapping over the middle two
 * (zero again, the outer two kept), 40 pages each made read-only and back
 * (regions merge again, or the 32 slots would run out), and the refusals.
 * arg: a pipe's read fd (bits 0-7) and write fd (bits 8-15).
 */
long u_vm_mprotect(long arg)
{
	volatile long *r = USHARED;
	long rfd = arg & 0xff, wfd = (arg >> 8) & 0xff, i = 0, ok = 0;
	long p = mmap_rw(4 * PAGE), q;
	volatile long *w = (volatile long *)p;

	r[i++] = fill_and_check(p, 4);
	r[i++] = usys(SYS_mprotect, p + PAGE, 2 * PAGE, PROT_READ);
	r[i++] = w[512] == 2 && w[1024] == 3; /* still there to read */
	w[0] = 10;			      /* the outer pages are as they were */
	w[1536] = 40;
	r[i++] = usys(SYS_write, wfd, (long)"abcd", 4);
	r[i++] = usys(SYS_read, rfd, p + PAGE, 4); /* into a read-only page: -EFAULT */
	r[i++] = usys(SYS_mprotect, p + PAGE, PAGE, PROT_READ | PROT_WRITE);
	r[i++] = usys(SYS_read, rfd, p + PAGE, 4); /* now it may */
	r[i++] = w[512] == 0x64636261L;		   /* "abcd" over the 2 that was there */
	r[i++] = usys6(SYS_mmap, p + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) -
		 p;
	r[i++] = w[512] == 0 && w[1024] == 0 && w[0] == 10 && w[1536] == 40;
	usys(SYS_munmap, p, 4 * PAGE, 0);
	q = mmap_rw(40 * PAGE);
	for (long k = 0; k < 40; k++)
		ok += !usys(SYS_mprotect, q + k * PAGE, PAGE, PROT_READ) +
		      !usys(SYS_mprotect, q + k * PAGE, PAGE, PROT_READ | PROT_WRITE);
	r[i++] = ok;
	r[i++] = usys(SYS_mprotect, q + 1, PAGE, PROT_READ);
	r[i++] = usys(SYS_mprotect, q, PAGE, PROT_READ | PROT_EXEC);
	r[i++] = usys(SYS_mprotect, q + 39 * PAGE, 2 * PAGE, PROT_READ); /* runs past it */
	r[i++] = usys(SYS_mprotect, (1L << 39) - PAGE, PAGE, PROT_READ); /* the stack */
	r[i++] = usys(SYS_mprotect, q, 0, PROT_READ);
	r[i++] = usys6(SYS_mmap, q + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		       -1, 0);
	r[i++] = usys6(SYS_mmap, 0x40000000L, PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0); /* the heap's room */
	r[i++] = usys6(SYS_mmap, (1L << 39) - PAGE, PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0); /* over the stack */
	r[i++] = usys(SYS_munmap, q, 40 * PAGE, 0);
	r[63] = i;
	return 0;
}

/*
 * Every region slot taken (text, shared page, heap, stack and 28 mmaps of
 * two pages, read-write and read-only in turn so none merge), then calls
 * that end with no more regions than they found: mprotect giving part of
 * a region the rights it has (nothing to cut), and MAP_FIXED over a whole
 * region (one goes, one comes). Results: the 28th mmap, a 29th (-ENOMEM:
 * full), the mprotect of the first region's second page and of the second
 * region (0 each), a store there, MAP_FIXED over the second region (its
 * address), its fresh page read, the munmap of all.
 */
long u_vm_when_full(long unused)
{
	volatile long *r = USHARED;
	long first = 0, p = 0, i = 0;

	for (long k = 0; k < 28 && p >= 0; k++) {
		p = usys6(SYS_mmap, 0, 2 * PAGE, (k % 2) ? PROT_READ : PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		first = k ? first : p;
	}
	r[i++] = p - first; /* placed first fit, one after the other */
	r[i++] = mmap_rw(PAGE);
	r[i++] = usys(SYS_mprotect, first + PAGE, PAGE, PROT_READ | PROT_WRITE);
	r[i++] = usys(SYS_mprotect, first + 2 * PAGE, 2 * PAGE, PROT_READ);
	((volatile long *)(first + PAGE))[0] = 5;
	r[i++] = ((volatile long *)(first + PAGE))[0];
	r[i++] = usys6(SYS_mmap, first + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) -
		 first;
	r[i++] = ((volatile long *)(first + 2 * PAGE))[0];
	r[i++] = usys(SYS_munmap, first, 56 * PAGE, 0);
	r[63] = i;
	return 0;
}

/* A store to a page mprotect made read-only: SIGSEGV there (a permission fault). */
long u_vm_store_read_only(long unused)
{
	long p = mmap_rw(PAGE);

	*(volatile long *)p = 1;
	usys(SYS_mprotect, p, PAGE, PROT_READ);
	*(volatile long *)p = 2;
	return 1; /* not reached */
}

/* A load from a page mprotect made PROT_NONE: SIGSEGV there. */
long u_vm_load_prot_none(long unused)
{
	long p = mmap_rw(PAGE);

	*(volatile long *)p = 1;
	usys(SYS_mprotect, p, PAGE, PROT_NONE);
	return *(volatile long *)p; /* not reached: the load faults */
}

/*
 * Ranges that leave the user half: MAP_FIXED in the hole above it (1 << 47),
 * in the kernel half, and wrapping past 2^64; munmap and mprotect of a
 * range that wraps. Each must be refused, not made a region.
 */
long u_vm_outside_the_user_half(long unused)
{
	volatile long *r = USHARED;
	long fixed = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, i = 0;

	r[i++] = usys6(SYS_mmap, 1L << 47, PAGE, PROT_READ | PROT_WRITE, fixed, -1, 0);
	r[i++] = usys6(SYS_mmap, (long)0xffffff8000000000UL, PAGE, PROT_READ, fixed, -1, 0);
	r[i++] = usys6(SYS_mmap, -PAGE, PAGE, PROT_READ, fixed, -1, 0);
	r[i++] = usys(SYS_munmap, -PAGE, PAGE, 0);
	r[i++] = usys(SYS_mprotect, -PAGE, PAGE, PROT_READ);
	r[63] = i;
	return 0;
}

/* A store where a refused MAP_FIXED above the user half would have been: SIGSEGV there. */
long u_vm_store_above_the_user_half(long unused)
{
	usys6(SYS_mmap, 1L << 47, PAGE, PROT_READ | PROT_WRITE,
	      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	*(volatile long *)(1L << 47) = 1;
	return 1; /* not reached */
}
