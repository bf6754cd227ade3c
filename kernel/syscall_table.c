/* The system-call table: one entry per number of <locklab/unistd.h>, and the dispatcher that holds the kernel scope. */
#include <locklab/klock.h>
#include <locklab/syscall.h>
#include <locklab/unistd.h>
#include <locklab/user.h>
#include <asm/ptrace.h>

/*
 * Every entry takes the six argument registers and returns x0; the
 * wrappers convert to the sys_* function's types (a narrower int is the
 * register's low bits, as Linux's ABI says). The pointers are user
 * addresses: the sys_* layer checks each with uaccess_ok, which for a
 * user process accepts only what its address space maps (-EFAULT).
 */
typedef long (*syscall_fn)(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);

#define A6 u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5
static long do_getpid(A6)
{
	return sys_getpid();
}
static long do_wait(A6)
{
	return sys_wait((int)a0, (int *)a1);
}
static long do_open(A6)
{
	return sys_open((const char *)a0, (int)a1);
}
static long do_creat(A6)
{
	return sys_creat((const char *)a0);
}
static long do_close(A6)
{
	return sys_close((int)a0);
}
static long do_read(A6)
{
	return sys_read((int)a0, (void *)a1, a2);
}
static long do_write(A6)
{
	return sys_write((int)a0, (const void *)a1, a2);
}
static long do_lseek(A6)
{
	return sys_lseek((int)a0, (s64)a1, (int)a2);
}
static long do_unlink(A6)
{
	return sys_unlink((const char *)a0);
}
static long do_mkdir(A6)
{
	return sys_mkdir((const char *)a0);
}
static long do_rmdir(A6)
{
	return sys_rmdir((const char *)a0);
}
static long do_readdir(A6)
{
	return sys_readdir((int)a0, (struct dirent *)a1, (u32)a2);
}
static long do_stat(A6)
{
	return sys_stat((const char *)a0, (struct stat *)a1);
}
static long do_chdir(A6)
{
	return sys_chdir((const char *)a0);
}
static long do_pipe(A6)
{
	return sys_pipe((int *)a0);
}
static long do_brk(A6)
{
	return sys_brk(a0);
}
static long do_mmap(A6)
{
	return sys_mmap(a0, a1, (u32)a2, (u32)a3, (s32)a4, a5);
}
static long do_munmap(A6)
{
	return sys_munmap(a0, a1);
}
static long do_mprotect(A6)
{
	return sys_mprotect(a0, a1, (u32)a2);
}
static long do_spawn(A6)
{
	return sys_spawn_file((const char *)a0, (const char *const *)a1);
}
static long do_ktest(A6)
{
	return sys_ktest((const char *)a0);
}
static long do_bench(A6)
{
	return sys_bench((const char *)a0);
}
#undef A6

static const syscall_fn syscall_table[NR_SYSCALLS] = {
	[SYS_getpid] = do_getpid,     [SYS_wait] = do_wait,   [SYS_open] = do_open,
	[SYS_creat] = do_creat,	      [SYS_close] = do_close, [SYS_read] = do_read,
	[SYS_write] = do_write,	      [SYS_lseek] = do_lseek, [SYS_unlink] = do_unlink,
	[SYS_mkdir] = do_mkdir,	      [SYS_rmdir] = do_rmdir, [SYS_readdir] = do_readdir,
	[SYS_stat] = do_stat,	      [SYS_chdir] = do_chdir, [SYS_pipe] = do_pipe,
	[SYS_brk] = do_brk,	      [SYS_mmap] = do_mmap,   [SYS_munmap] = do_munmap,
	[SYS_spawn] = do_spawn,	      [SYS_ktest] = do_ktest, [SYS_bench] = do_bench,
	[SYS_mprotect] = do_mprotect,
};

/*
 * The system-call boundary. The strategy's kernel scope is entered here,
 * once per call, around the whole call: under the BKL strategy this is
 * where the big kernel lock is taken (the sys_* function's own
 * kernel_enter nests inside it, recursively, and costs no acquisition),
 * as Linux 2.0 took it on entry to the kernel; under SUBSYS and FINE the
 * scope is empty and the sys_* function's subsystem or data locks are all
 * there is. exit never returns, so it runs outside: it takes the scope
 * itself around proc_exit; so does poweroff, which must not hold the BKL
 * while it idles (end=idle). The trap and the table lookup are outside too.
 */
long syscall_dispatch(struct trap_frame *f)
{
	u64 nr = f->x[8];
	long ret;

	if (nr == SYS_exit)
		sys_exit((int)(f->x[0] & 0xff)); /* the parent sees 8 bits, as on Linux */
	if (nr == SYS_poweroff)
		sys_poweroff();
	if (nr >= NR_SYSCALLS || !syscall_table[nr])
		return -ENOSYS;
	kernel_enter();
	ret = syscall_table[nr](f->x[0], f->x[1], f->x[2], f->x[3], f->x[4], f->x[5]);
	kernel_exit();
	return ret;
}
