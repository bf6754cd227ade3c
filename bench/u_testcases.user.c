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

/*
 * will-it-scale's page_fault1-3 in one loop: mmap U_PAGE_FAULT_PAGES
 * pages (flags, fd), store to each (a fault each: the first touch of the
 * page in this mapping), munmap; one op per page. What a page must read
 * at its fault: zero for anonymous memory, the file's byte U_PF_FILL for a
 * private copy (the store before went to a copy that munmap dropped), and
 * for a shared mapping what the round before stored, which is in the file.
 */
static void page_fault_loop(volatile u_iter *iterations, unsigned long nr, long flags, long fd)
{
	const long len = U_PAGE_FAULT_PAGES * 4096L;
	unsigned char want = fd < 0 ? 0 : U_PF_FILL;

	for (;;) {
		long p = usys6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE, flags, fd, 0);

		if (p < 0) {
			(*slot_of(nr, U_SLOT_BAD))++;
			continue;
		}
		for (long off = 0; off < len; off += 4096) {
			volatile unsigned char *c = (volatile unsigned char *)(p + off);

			if (*c != want)
				(*slot_of(nr, U_SLOT_BAD))++;
			*c = (unsigned char)(want + 1);
			(*iterations)++;
		}
		if (usys(SYS_munmap, p, len, 0))
			(*slot_of(nr, U_SLOT_BAD))++;
		if (flags & MAP_SHARED)
			want++;
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

/* u-page-fault1: anonymous memory, a zeroed new page at each fault. */
static void testcase_page_fault1(volatile u_iter *iterations, unsigned long nr)
{
	page_fault_loop(iterations, nr, MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

/* u-page-fault2: one's own file, private: each fault copies the file's page into a new one. */
static void testcase_page_fault2(volatile u_iter *iterations, unsigned long nr)
{
	page_fault_loop(iterations, nr, MAP_PRIVATE, pf_open_own_file(nr));
}

/* u-page-fault3: one's own file, shared: each fault maps the file's own page, nothing allocated. */
static void testcase_page_fault3(volatile u_iter *iterations, unsigned long nr)
{
	page_fault_loop(iterations, nr, MAP_SHARED, pf_open_own_file(nr));
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

/* The entry points bench/wl_user.c starts at EL0 (x0 = the worker's index): u_run_<name>. */
#define U_ENTRY(name)                                                                        \
	long u_run_##name(long nr)                                                           \
	{                                                                                    \
		testcase_##name(slot_of((unsigned long)nr, U_SLOT_ITER), (unsigned long)nr); \
		return 1;                                                                    \
	}

U_ENTRY(getpid)
U_ENTRY(page_fault1)
U_ENTRY(page_fault2)
U_ENTRY(page_fault3)
U_ENTRY(open1)
U_ENTRY(open2)
U_ENTRY(pipe1)
