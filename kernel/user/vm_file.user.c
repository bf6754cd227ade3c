/* Programs the vm suite runs at EL0 on file mappings: shared and private mmap of a ramfs file, their refusals, a fault past the end, two processes sharing a page. */
#include "usys.h"
#include <locklab/errno.h>
#include <locklab/mman.h>

/*
 * As vm.user.c: no writable data; results go to the shared page in the
 * order kernel/user/vm_test.c reads them, r[63] = how many. The file is
 * VMF_PATH, VMF_SIZE bytes of pattern vmf_byte() when the suite starts.
 */
#define PAGE	 4096L
#define VMF_SIZE 10240L /* two and a half pages */

static inline char vmf_byte(long k)
{
	return (char)('a' + k % 23);
}

static long map(long len, long prot, long flags, long fd, long off)
{
	return usys6(SYS_mmap, 0, len, prot, flags, fd, off);
}

/* One byte of the file through read(), at off. */
static char read_at(long fd, long off)
{
	char c = 0;

	usys(SYS_lseek, fd, off, SEEK_SET);
	usys(SYS_read, fd, (long)&c, 1);
	return c;
}

/*
 * arg: fds read-write (bits 0-7), read-only (8-15), a directory (16-23),
 * a pipe (24-31), all of the file but the last two. The suite's comments
 * on its expected values say what each result is.
 */
long u_vm_file(long arg)
{
	volatile long *r = USHARED;
	long rw = arg & 0xff, ro = (arg >> 8) & 0xff, dir = (arg >> 16) & 0xff;
	long pipe = (arg >> 24) & 0xff, i = 0, p, q, s, t;
	volatile char *c, *d;
	char gap[64];

	p = map(4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	c = (volatile char *)p;
	r[i++] = p >= (1L << 36);
	r[i++] = c[0] == vmf_byte(0) && c[PAGE] == vmf_byte(PAGE) &&
		 c[VMF_SIZE - 1] == vmf_byte(VMF_SIZE - 1) && c[VMF_SIZE] == 0;
	c[5] = 'Z';
	r[i++] = read_at(rw, 5) == 'Z'; /* a store through the mapping is in the file */
	usys(SYS_lseek, rw, PAGE + 16, SEEK_SET);
	usys(SYS_write, rw, (long)"wxyz", 4);
	r[i++] = c[PAGE + 16] == 'w' && c[PAGE + 19] == 'z'; /* a write() is in the mapping */
	q = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, PAGE);
	d = (volatile char *)q;
	r[i++] = q >= (1L << 36);
	r[i++] = d[0] == vmf_byte(PAGE) && d[16] == 'w'; /* file page 1 */
	d[0] = 'Q';
	r[i++] = c[PAGE] == vmf_byte(PAGE) && read_at(rw, PAGE) == vmf_byte(PAGE); /* private */
	c[VMF_SIZE + 8] = 'T'; /* past the end, in the last page: in no file byte */
	r[i++] = d[PAGE + VMF_SIZE - 2 * PAGE + 8] == 0 && d[PAGE] == vmf_byte(2 * PAGE);
	usys(SYS_lseek, rw, VMF_SIZE + 60, SEEK_SET);
	usys(SYS_write, rw, (long)"!", 1); /* leaves a gap of 60 bytes, zeros */
	usys(SYS_lseek, rw, VMF_SIZE, SEEK_SET);
	r[i++] = usys(SYS_read, rw, (long)gap, sizeof(gap));
	r[i++] = gap[8] == 0 && gap[60] == '!' && c[VMF_SIZE + 8] == 0;
	t = map(3 * PAGE, PROT_READ, MAP_SHARED, ro, 0);
	r[i++] = usys(SYS_munmap, t + PAGE, PAGE, 0);
	/* the tail's first touch: file page 2, not 1 */
	r[i++] = ((volatile char *)t)[2 * PAGE] == vmf_byte(2 * PAGE) &&
		 ((volatile char *)t)[5] == 'Z';
	r[i++] = usys(SYS_mprotect, p, PAGE, PROT_READ);
	r[i++] = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	s = map(PAGE, PROT_READ, MAP_SHARED, ro, 0);
	r[i++] = usys(SYS_mprotect, s, PAGE, PROT_READ | PROT_WRITE);
	r[i++] = map(PAGE, PROT_READ, MAP_SHARED, dir, 0);
	r[i++] = map(PAGE, PROT_READ, MAP_SHARED, pipe, 0);
	r[i++] = map(PAGE, PROT_READ, MAP_SHARED, 31, 0);
	r[i++] = map(PAGE, PROT_READ, MAP_PRIVATE, rw, 100);
	r[i++] = map(PAGE, PROT_READ, MAP_SHARED | MAP_PRIVATE, rw, 0);
	r[i++] = map(PAGE, PROT_READ, MAP_PRIVATE, rw, 0xffffffffL * PAGE);
	/* over the stack: refused after the file was taken (the inode count at the end sees it given back) */
	r[i++] = usys6(SYS_mmap, (1L << 39) - PAGE, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, ro, 0);
	r[i++] = usys(SYS_open, (long)"/vmfile", O_RDWR | O_TRUNC, 0);
	r[63] = i;
	return 0; /* the mappings go with the process */
}

/* A load from a shared mapping's page past the end of the file: SIGBUS there (USER_MMAP_BASE + 3 pages). */
long u_vm_file_past_end(long unused)
{
	long fd = usys(SYS_open, (long)"/vmfile", O_RDONLY, 0);
	long p = map(4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);

	return ((volatile char *)p)[3 * PAGE];
}

/*
 * Two processes, one page: "/vmshare" mapped shared by both, each adding
 * one to the counter in turn (arg 0 when it is even, arg 1 when odd) until
 * it reaches 2 * VMF_ROUNDS. A wait is WFE, which traps to a yield, so one
 * CPU is enough. 0 when done, 2 if the other did not answer a turn in
 * 20 s: a limit in time, not in spins, since a busy host can leave the
 * other vCPU unrun for seconds (1,000,000 spins ran out so beside another
 * QEMU).
 */
#define VMF_ROUNDS 200
long u_vm_file_pingpong(long me)
{
	long fd = usys(SYS_open, (long)"/vmshare", O_RDWR, 0);
	volatile long *w = (volatile long *)map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if ((long)w < 0)
		return 3;
	for (long n = 0; n < VMF_ROUNDS; n++) {
		unsigned long give_up = ucounter_after(20);

		while (w[0] % 2 != me) {
			if (ucounter() > give_up)
				return 2;
			__asm__ volatile("wfe" ::: "memory");
		}
		w[0] = w[0] + 1;
	}
	return 0;
}

/*
 * write() from a buffer whose end the kernel cannot read: the 8 bytes at
 * the end of a private mapping's first page, then its second page, past
 * the end of its one-page file (-EIO to the copy's fault, though
 * uaccess_ok accepts the range). arg: that file's fd (bits 0-7) and an
 * empty file's, read-write (8-15). What the write returns is what the
 * file holds: the 8 bytes over 'z's, then a gap of zeros after them.
 */
long u_vm_write_that_faults(long arg)
{
	const long abc = 0x4847464544434241L, zs = 0x7a7a7a7a7a7a7a7aL; /* "ABCDEFGH", "zzzzzzzz" */
	volatile long *r = USHARED;
	long one = arg & 0xff, f = (arg >> 8) & 0xff, i = 0, got[3];
	long p = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, one, 0), b = p + PAGE - 8;

	*(volatile long *)b = abc;
	usys(SYS_write, f, (long)"zzzzzzzzzzzzzzzz", 16);
	usys(SYS_lseek, f, 0, SEEK_SET);
	r[i++] = usys(SYS_write, f, b, 16); /* over the 'z's: only the 8 it could read */
	usys(SYS_lseek, f, 0, SEEK_SET);
	r[i++] = usys(SYS_read, f, (long)got, 16);
	r[i++] = got[0] == abc && got[1] == zs;
	usys(SYS_lseek, f, PAGE, SEEK_SET);
	r[i++] = usys(SYS_write, f, b, 16); /* into a new page: the 8 again */
	usys(SYS_lseek, f, PAGE + 100, SEEK_SET);
	usys(SYS_write, f, (long)"!", 1); /* a gap after them */
	usys(SYS_lseek, f, PAGE, SEEK_SET);
	r[i++] = usys(SYS_read, f, (long)got, 24);
	r[i++] = got[0] == abc && got[1] == 0 && got[2] == 0;
	r[i++] = usys(SYS_write, f, p + PAGE, 8); /* nothing it can read: -EFAULT */
	r[63] = i;
	return 0;
}
