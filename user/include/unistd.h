/* User programs' system-call wrappers (user/lib/syscalls.c): one per number of <locklab/unistd.h>. */
#ifndef USER_UNISTD_H
#define USER_UNISTD_H

#include <stddef.h>
#include <stdint.h>
#include <locklab/unistd.h>
#include <locklab/fcntl.h>

typedef long ssize_t;
typedef long off_t;

struct stat;
struct dirent;

/*
 * Like a C library's: a failed call returns -1 and leaves the kernel's
 * error number (positive, <errno.h>) in errno; success returns what the
 * kernel returned. errno is never cleared by a call that succeeds.
 * __syscall() is the raw call: the kernel's value, -errno on failure.
 */
long __syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

int getpid(void);
void _exit(int status) __attribute__((noreturn)); /* the call itself; exit() is <stdlib.h>'s */
int wait(int pid, int *status);			  /* pid -1: any child; the reaped pid */
int open(const char *path, int flags);
int creat(const char *path);
int close(int fd);
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
off_t lseek(int fd, off_t off, int whence);
int unlink(const char *path);
int mkdir(const char *path);
int rmdir(const char *path);
int readdir(int fd, struct dirent *ents, unsigned int max); /* entries filled, 0 at the end */
int stat(const char *path, struct stat *st);
int chdir(const char *path);
int pipe(int fds[2]);
/* brk(addr): 0 once the break is addr, else -1 (ENOMEM); sbrk(incr): the old break, or (void *)-1 */
int brk(void *addr);
void *sbrk(long incr);
void *mmap(void *addr, size_t len, int prot, int flags, int fd,
	   off_t off); /* MAP_FAILED on failure */
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot); /* mmap regions only */
int spawn(const char *path,
	  char *const argv[]); /* the child's pid (user_spawn_file in the kernel) */
/* locklab's own (docs/syscalls.md): end the run; run ktest suites; run benchmarks (failures, or -1) */
void poweroff(void) __attribute__((noreturn));
int ktest(const char *suites);
int bench(const char *args);

#endif
