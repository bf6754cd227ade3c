/* Programs the user suite runs at EL0: every system call with its results in the shared page, bad pointers, loops. */
#include "usys.h"
#include <locklab/errno.h>
#include <locklab/mman.h>

/*
 * Built into the kernel image but run at EL0 (the Makefile renames their
 * sections .user.*): no writable data, no call into the kernel, nothing
 * but the stack, the shared page and system calls. Results go to the
 * shared page as longs, in the order kernel/user/user_test.c expects.
 */

/* Every system call once; arg is this process's index, for its own directory name. */
long u_all_syscalls(long idx)
{
	volatile long *r = USHARED;
	char dir[4] = { '/', 'u', (char)('0' + idx), 0 }, buf[8];
	int fds[2];
	long fd, i = 0;

	r[i++] = usys(SYS_getpid, 0, 0, 0);
	r[i++] = usys(SYS_mkdir, (long)dir, 0, 0);
	r[i++] = usys(SYS_chdir, (long)dir, 0, 0);
	fd = usys(SYS_creat, (long)"f", 0, 0);
	r[i++] = fd;
	r[i++] = usys(SYS_write, fd, (long)"hello", 5);
	r[i++] = usys(SYS_lseek, fd, 0, SEEK_END);
	r[i++] = usys(SYS_close, fd, 0, 0);
	fd = usys(SYS_open, (long)"f", O_RDONLY, 0);
	r[i++] = fd;
	r[i++] = usys(SYS_read, fd, (long)buf, sizeof(buf));
	r[i++] = buf[0] == 'h' && buf[4] == 'o';
	r[i++] = usys(SYS_close, fd, 0, 0);
	r[i++] = usys(SYS_stat, (long)"f", 0x10000000L + 2048, 0); /* the kernel reads the stat */
	fd = usys(SYS_open, (long)".", O_RDONLY, 0);
	r[i++] = usys(SYS_readdir, fd, 0x10000000L + 3072, 4); /* and the entry's name */
	r[i++] = usys(SYS_close, fd, 0, 0);
	r[i++] = usys(SYS_pipe, (long)fds, 0, 0);
	r[i++] = usys(SYS_write, fds[1], (long)"xy", 2);
	r[i++] = usys(SYS_read, fds[0], (long)buf, 2);
	r[i++] = buf[0] == 'x' && buf[1] == 'y';
	r[i++] = usys(SYS_close, fds[0], 0, 0) | usys(SYS_close, fds[1], 0, 0);
	r[i++] = usys(SYS_unlink, (long)"f", 0, 0);
	r[i++] = usys(SYS_chdir, (long)"/", 0, 0);
	r[i++] = usys(SYS_rmdir, (long)dir, 0, 0);
	r[i++] = usys(SYS_wait, -1, 0, 0); /* no children */
	r[i++] = usys(99, 0, 0, 0);	   /* no such call */
	r[i++] = usys(0, 0, 0, 0);
	r[63] = i; /* how many were made: the kernel checks it got to the end */
	usys(SYS_exit, 7, 0, 0);
	return 1; /* not reached */
}

/*
 * Pointers the kernel must refuse with -EFAULT, and one it must accept.
 * arg: a pipe's read fd in bits 0-7 and write fd in bits 8-15 (inherited).
 */
long u_bad_pointers(long arg)
{
	volatile long *r = USHARED;
	long rfd = arg & 0xff, wfd = (arg >> 8) & 0xff, i = 0;
	const long text = 0x400000, unmapped = 0x20000000, kernel = (long)0xffffff8040200000UL;
	const long stack_top = 1L << 39, shared_end = 0x10000000L + 4096;
	char buf[4] = { 'o', 'k', '!', 0 };

	r[i++] = usys(SYS_write, wfd, kernel, 4);	     /* the kernel's memory */
	r[i++] = usys(SYS_write, wfd, unmapped, 4);	     /* nothing mapped */
	r[i++] = usys(SYS_write, wfd, shared_end - 2, 4);    /* runs off the shared page */
	r[i++] = usys(SYS_read, rfd, text, 4);		     /* text is read-only */
	r[i++] = usys(SYS_stat, (long)"/", text, 0);	     /* the same, for a struct */
	r[i++] = usys(SYS_open, 0, O_RDONLY, 0);	     /* NULL path */
	r[i++] = usys(SYS_open, kernel, O_RDONLY, 0);	     /* a kernel path */
	r[i++] = usys(SYS_pipe, text, 0, 0);		     /* fds into text */
	r[i++] = usys(SYS_pipe, stack_top - 4, 0, 0);	     /* across the top of the half */
	r[i++] = usys(SYS_wait, -1, text, 0);		     /* status into text */
	r[i++] = usys(SYS_readdir, rfd, unmapped, 1) == -20; /* -ENOTDIR first: fd before buffer */
	r[i++] = usys(SYS_write, wfd, (long)buf, 3);	     /* the stack is fine: 3 */
	r[i++] = usys(SYS_read, rfd, 0x10000000L + 1024, 3); /* and so is the shared page: 3 */
	r[63] = i;
	return 0;
}

/* n system calls (getpid), then exit(0) if all gave the same pid: the trap cost and the BKL count. */
long u_getpid_loop(long n)
{
	long first = n ? usys(SYS_getpid, 0, 0, 0) : 0, same = 1;

	for (long k = 1; k < n; k++)
		same &= usys(SYS_getpid, 0, 0, 0) == first;
	return same ? 0 : 1;
}

/* Its pid into the shared page, then a return from the entry point (exit(0)). */
long u_getpid_to_shared(long arg)
{
	USHARED[0] = usys(SYS_getpid, 0, 0, 0);
	return 0;
}

/* exit(arg) as a system call: the parent sees its low 8 bits, as on Linux. */
long u_exit_with(long status)
{
	usys(SYS_exit, status, 0, 0);
	return 1; /* not reached */
}

/* Blocks reading one byte from the inherited fd arg, then exits with that byte as status. */
long u_read_byte(long fd)
{
	char c = 0;

	if (usys(SYS_read, fd, (long)&c, 1) != 1)
		return 100;
	return c;
}

/*
 * A read of the console (fd: bits 0-7) into a page the kernel cannot
 * write, then into the stack. The page is the second of a shared mapping
 * of a file (bits 8-15) shorter than one page: uaccess_ok accepts it (a
 * writable region), and the copy's fault finds it past the file's end.
 * 0 if the first read was -EFAULT and the second got the line typed
 * before both ("kept\n"); 1: no mapping, 2: the first read was not
 * -EFAULT, 3: the second read got something else (the line was lost).
 */
long u_read_console_into_a_bad_page(long arg)
{
	long tty = arg & 0xff, file = (arg >> 8) & 0xff;
	long p = usys6(SYS_mmap, 0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	char buf[16];

	if (p < 0)
		return 1;
	if (usys(SYS_read, tty, p + 4096, sizeof(buf)) != -EFAULT)
		return 2;
	if (usys(SYS_read, tty, (long)buf, sizeof(buf)) != 5 || buf[0] != 'k' || buf[3] != 't' ||
	    buf[4] != '\n')
		return 3;
	return 0;
}

/*
 * The virtual counter read at EL0 (CNTKCTL_EL1.EL0VCTEN): 0 if it runs,
 * forward, and CNTFRQ_EL0 is the kernel's frequency (arg); 1: it read 0,
 * 2: it went backwards or stood still over 100 getpid calls, 3: another
 * frequency.
 */
long u_read_counter(long freq)
{
	unsigned long first = ucounter();

	for (int i = 0; i < 100; i++)
		usys(SYS_getpid, 0, 0, 0);
	return !first				      ? 1 :
	       ucounter() <= first		      ? 2 :
	       ucounter_freq() != (unsigned long)freq ? 3 :
							0;
}
