/* System-call wrappers for user programs: svc #0 with x8 = the number, -errno results become -1 and errno. */
#include <unistd.h>
#include <errno.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <locklab/svc.h>

int errno;

long __syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return svc6(nr, a0, a1, a2, a3, a4, a5);
}

/* A result in [-4095, -1] is -errno (include/locklab/unistd.h); anything else is the call's value. */
static long ret(long r)
{
	if (r < 0 && r >= -4095) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

#define SC0(nr)		 ret(__syscall(nr, 0, 0, 0, 0, 0, 0))
#define SC1(nr, a)	 ret(__syscall(nr, (long)(a), 0, 0, 0, 0, 0))
#define SC2(nr, a, b)	 ret(__syscall(nr, (long)(a), (long)(b), 0, 0, 0, 0))
#define SC3(nr, a, b, c) ret(__syscall(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0))

int getpid(void)
{
	return (int)SC0(SYS_getpid);
}

void _exit(int status)
{
	for (;;)
		__syscall(SYS_exit, status, 0, 0, 0, 0, 0);
}

int wait(int pid, int *status)
{
	return (int)SC2(SYS_wait, pid, status);
}

int open(const char *path, int flags)
{
	return (int)SC2(SYS_open, path, flags);
}

int creat(const char *path)
{
	return (int)SC1(SYS_creat, path);
}

int close(int fd)
{
	return (int)SC1(SYS_close, fd);
}

ssize_t read(int fd, void *buf, size_t n)
{
	return SC3(SYS_read, fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return SC3(SYS_write, fd, buf, n);
}

off_t lseek(int fd, off_t off, int whence)
{
	return SC3(SYS_lseek, fd, off, whence);
}

int unlink(const char *path)
{
	return (int)SC1(SYS_unlink, path);
}

int mkdir(const char *path)
{
	return (int)SC1(SYS_mkdir, path);
}

int rmdir(const char *path)
{
	return (int)SC1(SYS_rmdir, path);
}

int readdir(int fd, struct dirent *ents, unsigned int max)
{
	return (int)SC3(SYS_readdir, fd, ents, max);
}

int stat(const char *path, struct stat *st)
{
	return (int)SC2(SYS_stat, path, st);
}

int chdir(const char *path)
{
	return (int)SC1(SYS_chdir, path);
}

int pipe(int fds[2])
{
	return (int)SC1(SYS_pipe, fds);
}

/*
 * The kernel's brk returns the break after the call and leaves it where
 * it was if the address is refused; brk(0) asks where it is.
 */
static char *cur_brk;

int brk(void *addr)
{
	char *r = (char *)__syscall(SYS_brk, (long)addr, 0, 0, 0, 0, 0);

	cur_brk = r;
	if (r != addr) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void *sbrk(long incr)
{
	char *old;

	if (!cur_brk)
		cur_brk = (char *)__syscall(SYS_brk, 0, 0, 0, 0, 0, 0);
	old = cur_brk;
	if (incr && brk(old + incr) < 0)
		return (void *)-1;
	return old;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = __syscall(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);

	if (r < 0 && r >= -4095) {
		errno = (int)-r;
		return MAP_FAILED;
	}
	return (void *)r;
}

int munmap(void *addr, size_t len)
{
	return (int)SC2(SYS_munmap, addr, len);
}

int mprotect(void *addr, size_t len, int prot)
{
	return (int)SC3(SYS_mprotect, addr, len, prot);
}

int spawn(const char *path, char *const argv[])
{
	return (int)SC2(SYS_spawn, path, argv);
}

void poweroff(void)
{
	for (;;) /* it does not come back; if it did, it would be asked again */
		__syscall(SYS_poweroff, 0, 0, 0, 0, 0, 0);
}

int ktest(const char *suites)
{
	return (int)SC1(SYS_ktest, suites);
}

int bench(const char *args)
{
	return (int)SC1(SYS_bench, args);
}
