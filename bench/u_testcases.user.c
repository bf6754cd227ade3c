/* The user workloads' testcases, run at EL0 as will-it-scale runs its own: testcase(iterations, nr) loops for ever, counting. */
#include "../kernel/user/usys.h"
#include "u_bench.h"
#include <locklab/mman.h>

/*
 * Each is will-it-scale's shape: `void testcase(unsigned long long
 * *iterations, unsigned long nr)` never returns; it adds one to
 * *iterations per operation. The harness reads the counter whenever the
 * process enters the kernel (a system call, a fault, a timer tick) and
 * ends the process there (bench/wl_user.c). nr is the process's index.
 * A result that is wrong goes to the slot's second word. No writable
 * data, nothing of the kernel's (kernel/user/progs.user.c says why).
 */
typedef unsigned long long u_iter;

static volatile u_iter *slot_of(unsigned long nr, int word)
{
	return (volatile u_iter *)(USHARED + nr * U_SLOT_WORDS + word);
}

/* u-getpid: the null system call (under BKL the one lock at the syscall boundary). */
static void testcase_getpid(volatile u_iter *iterations, unsigned long nr)
{
	long mine = usys(SYS_getpid, 0, 0, 0);

	for (;;) {
		if (usys(SYS_getpid, 0, 0, 0) != mine)
			(*slot_of(nr, U_SLOT_BAD))++;
		(*iterations)++;
	}
}

/* u-page-fault1: map anonymous memory, touch every page (a first-touch fault each), unmap; one per page. */
static void testcase_page_fault1(volatile u_iter *iterations, unsigned long nr)
{
	const long len = U_PAGE_FAULT_PAGES * 4096L;

	for (;;) {
		long p = usys6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p < 0) {
			(*slot_of(nr, U_SLOT_BAD))++;
			continue;
		}
		for (long off = 0; off < len; off += 4096) {
			volatile char *c = (volatile char *)(p + off);

			if (*c) /* a fresh page reads zero */
				(*slot_of(nr, U_SLOT_BAD))++;
			*c = 1;
			(*iterations)++;
		}
		if (usys(SYS_munmap, p, len, 0))
			(*slot_of(nr, U_SLOT_BAD))++;
	}
}

/* "/u-pf/fNN": worker nr's file of U_PAGE_FAULT_PAGES pages (bench/wl_user.c makes it), opened O_RDWR. */
static long pf_open_own_file(unsigned long nr)
{
	char path[] = U_PF_DIR "/f00";

	path[sizeof(path) - 3] = (char)('0' + nr / 10);
	path[sizeof(path) - 2] = (char)('0' + nr % 10);
	return usys(SYS_open, (long)path, O_RDWR, 0);
}

/*
 * u-page-fault2: will-it-scale's page_fault2, a private mapping of one's
 * own file, a store to every page (each a fault that copies the file's
 * page, so a fresh copy reads U_PF_FILL, never the round before's store),
 * munmap.
 */
static void testcase_page_fault2(volatile u_iter *iterations, unsigned long nr)
{
	const long len = U_PAGE_FAULT_PAGES * 4096L;
	long fd = pf_open_own_file(nr);

	for (;;) {
		long p = usys6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

		if (p < 0) {
			(*slot_of(nr, U_SLOT_BAD))++;
			continue;
		}
		for (long off = 0; off < len; off += 4096) {
			volatile char *c = (volatile char *)(p + off);

			if (*c !=
			    U_PF_FILL) /* the store of the round before went to a copy, not the file */
				(*slot_of(nr, U_SLOT_BAD))++;
			*c = 1;
			(*iterations)++;
		}
		if (usys(SYS_munmap, p, len, 0))
			(*slot_of(nr, U_SLOT_BAD))++;
	}
}

/*
 * u-page-fault3: will-it-scale's page_fault3, the same with a shared
 * mapping: each fault maps the file's own page (nothing allocated), so
 * the store stays in the file and the next round's mapping must read it
 * back.
 */
static void testcase_page_fault3(volatile u_iter *iterations, unsigned long nr)
{
	const long len = U_PAGE_FAULT_PAGES * 4096L;
	long fd = pf_open_own_file(nr);

	unsigned char round = U_PF_FILL; /* what every page holds before the first round */

	for (;;) {
		long p = usys6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (p < 0) {
			(*slot_of(nr, U_SLOT_BAD))++;
			continue;
		}
		for (long off = 0; off < len; off += 4096) {
			volatile unsigned char *c = (volatile unsigned char *)(p + off);

			if (*c != round) /* what the round before stored */
				(*slot_of(nr, U_SLOT_BAD))++;
			*c = (unsigned char)(round + 1);
			(*iterations)++;
		}
		if (usys(SYS_munmap, p, len, 0))
			(*slot_of(nr, U_SLOT_BAD))++;
		round++;
	}
}

/* Opens and closes path for ever (u-open1, u-open2), after creating it. */
static void open_close_loop(volatile u_iter *iterations, unsigned long nr, const char *path)
{
	long fd = usys(SYS_creat, (long)path, 0, 0);

	if (fd < 0 || usys(SYS_close, fd, 0, 0))
		(*slot_of(nr, U_SLOT_BAD))++;
	for (;;) {
		fd = usys(SYS_open, (long)path, O_RDWR, 0);
		if (fd < 0 || usys(SYS_close, fd, 0, 0))
			(*slot_of(nr, U_SLOT_BAD))++;
		(*iterations)++;
	}
}

/* u-open1: each process its own file, all in one directory (will-it-scale's open1: every lookup locks it). */
static void testcase_open1(volatile u_iter *iterations, unsigned long nr)
{
	char path[] = U_OPEN1_DIR "/f00";

	path[sizeof(path) - 3] = (char)('0' + nr / 10);
	path[sizeof(path) - 2] = (char)('0' + nr % 10);
	open_close_loop(iterations, nr, path);
}

/* u-open2: each process its own file in its own directory, by a path relative to it (nothing shared). */
static void testcase_open2(volatile u_iter *iterations, unsigned long nr)
{
	char dir[] = U_OPEN2_DIR "/d00";

	dir[sizeof(dir) - 3] = (char)('0' + nr / 10);
	dir[sizeof(dir) - 2] = (char)('0' + nr % 10);
	if (usys(SYS_chdir, (long)dir, 0, 0))
		(*slot_of(nr, U_SLOT_BAD))++;
	open_close_loop(iterations, nr, "f");
}

/* u-pipe1: one byte through its own pipe and back (will-it-scale's pipe1 without a second process). */
static void testcase_pipe1(volatile u_iter *iterations, unsigned long nr)
{
	int fds[2];
	char c = (char)nr;

	if (usys(SYS_pipe, (long)fds, 0, 0))
		(*slot_of(nr, U_SLOT_BAD))++;
	for (;;) {
		char got = 0;

		if (usys(SYS_write, fds[1], (long)&c, 1) != 1 ||
		    usys(SYS_read, fds[0], (long)&got, 1) != 1 || got != c)
			(*slot_of(nr, U_SLOT_BAD))++;
		c++;
		(*iterations)++;
	}
}

/* The entry points bench/wl_user.c starts at EL0 (x0 = the worker's index). */
long u_run_getpid(long nr)
{
	testcase_getpid(slot_of((unsigned long)nr, U_SLOT_ITER), (unsigned long)nr);
	return 1;
}

long u_run_page_fault1(long nr)
{
	testcase_page_fault1(slot_of((unsigned long)nr, U_SLOT_ITER), (unsigned long)nr);
	return 1;
}

long u_run_page_fault2(long nr)
{
	testcase_page_fault2(slot_of((unsigned long)nr, U_SLOT_ITER), (unsigned long)nr);
	return 1;
}

long u_run_page_fault3(long nr)
{
	testcase_page_fault3(slot_of((unsigned long)nr, U_SLOT_ITER), (unsigned long)nr);
	return 1;
}

long u_run_open1(long nr)
{
	testcase_open1(slot_of((unsigned long)nr, U_SLOT_ITER), (unsigned long)nr);
	return 1;
}

long u_run_open2(long nr)
{
	testcase_open2(slot_of((unsigned long)nr, U_SLOT_ITER), (unsigned long)nr);
	return 1;
}

long u_run_pipe1(long nr)
{
	testcase_pipe1(slot_of((unsigned long)nr, U_SLOT_ITER), (unsigned long)nr);
	return 1;
}
