/* The sys_* layer: every call enters the kernel scope, checks its arguments and returns a value or -errno. */
#ifndef LOCKLAB_SYSCALL_H
#define LOCKLAB_SYSCALL_H

#include <locklab/errno.h>
#include <locklab/fcntl.h>
#include <locklab/fs.h>

/*
 * Pointers are checked with uaccess_ok()/copy_path(): NULL, wild or
 * too-long arguments get -EFAULT / -ENAMETOOLONG, never a panic. fds are
 * the calling process's (current_proc()).
 */

/* fs (kernel/fs/sys_fs.c) */
long sys_open(const char *path, int flags); /* O_* of file.h; fd */
long sys_creat(const char *path);	    /* open(O_CREAT | O_WRONLY | O_TRUNC) */
long sys_close(int fd);
long sys_read(int fd, void *buf, u64 n); /* bytes read, 0 at end of file */
long sys_write(int fd, const void *buf, u64 n);
long sys_lseek(int fd, s64 off, int whence);
long sys_unlink(const char *path);
long sys_mkdir(const char *path);
long sys_rmdir(const char *path); /* -ENOTEMPTY unless empty */
/* entries filled from the fd's position, 0 at end */
long sys_readdir(int fd, struct dirent *ents, u32 max);
long sys_stat(const char *path, struct stat *st);
long sys_chdir(const char *path);

/* ipc (kernel/ipc/sys_ipc.c) */
/* a pipe's capacity, one page; writes of up to this many bytes are atomic (POSIX's PIPE_BUF) */
#define PIPE_BUF_SIZE 4096
long sys_pipe(int fds[2]); /* fds[0] reads, fds[1] writes */

/* mm (kernel/mm/sys_mm.c): the calling process's address space; -EINVAL from a kernel task */
long sys_brk(u64 addr); /* the break after the call (unchanged if addr is not a place it can go) */
/* anonymous private memory, PROT_READ/WRITE: its address, or -EINVAL/-ENOMEM */
long sys_mmap(u64 addr, u64 len, u32 prot, u32 flags, s32 fd, u64 off);
long sys_munmap(u64 addr, u64 len);		/* only mmap's regions; -EINVAL for others */
long sys_mprotect(u64 addr, u64 len, u32 prot); /* the same */

/* user (kernel/user/exec.c): a program from the file system at EL0; its pid (user_spawn_file) */
long sys_spawn_file(const char *path, const char *const *argv);

/* proc (kernel/proc/sys_proc.c) */
long sys_spawn(void (*fn)(void *), void *arg, int cpu); /* child pid; fn returning = sys_exit(0) */
void sys_exit(int status) __noreturn;
long sys_wait(int pid, int *status); /* pid -1: any child; reaped pid, or -ECHILD */
long sys_getpid(void);

/*
 * The shell's built-ins (kernel/sys_run.c). poweroff ends the run as the
 * end of a boot does: status=pass unless run_note_failure (panic.h) was
 * called. ktest and bench copy their string in and run it in a new
 * kernel task (acting for process 1, as the boot's runner), which they
 * join: ktest_run (ktest.h, strict) and bench_run_args (bench.h). They
 * return its result:
 * the failed cases or runs (0: all passed), -EINVAL (an unknown suite, a
 * bad workload or option: named on the console; or an empty string),
 * -EFAULT, -ENAMETOOLONG (PATH_MAX bytes or more), -EBUSY (another ktest
 * or bench call is running), -EAGAIN (no task slot), -ENOSYS (built
 * without it).
 */
void sys_poweroff(void) __noreturn;
long sys_ktest(const char *suites);
long sys_bench(const char *args);

#endif
