/* System-call numbers for code at EL0 (Linux's register ABI: x8 = number, x0..x5 = arguments, x0 = result). */
#ifndef LOCKLAB_UNISTD_H
#define LOCKLAB_UNISTD_H

/*
 * Shared by the kernel (kernel/syscall_table.c) and user code
 * (kernel/user/, its .user.c files): only constants here, nothing a user object could
 * link against. A result in [-4095, -1] is -errno (include/locklab/errno.h).
 * docs/syscalls.md lists what each one does and how to add one.
 */
#define SYS_getpid   1
#define SYS_exit     2
#define SYS_wait     3
#define SYS_open     4
#define SYS_creat    5
#define SYS_close    6
#define SYS_read     7
#define SYS_write    8
#define SYS_lseek    9
#define SYS_unlink   10
#define SYS_mkdir    11
#define SYS_rmdir    12
#define SYS_readdir  13
#define SYS_stat     14
#define SYS_chdir    15
#define SYS_pipe     16
#define SYS_brk	     17
#define SYS_mmap     18
#define SYS_munmap   19
#define SYS_spawn    20
#define SYS_poweroff 21 /* locklab's own: end the run (the shell's poweroff) */
#define SYS_ktest    22 /* locklab's own: run ktest suites by name (the shell's ktest) */
#define SYS_bench    23 /* locklab's own: run benchmark workloads (the shell's bench) */
#define SYS_mprotect 24
#define NR_SYSCALLS  25 /* one past the highest number */

#endif
