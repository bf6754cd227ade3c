/* Helpers the user-mode ktest suites (user, vm, exec, shell) share; see user_ktest.h. */
#include "user_ktest.h"
#include <locklab/klock.h>
#include <locklab/errno.h>
#include <locklab/fcntl.h>
#include <locklab/mm.h>
#include <locklab/printf.h>
#include <locklab/sched.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/user.h>
#include <asm/boot.h>

static struct ktest_snapshot user_before;
static u32 asids_before;

void user_case_init(struct ktest *t)
{
	asids_before = asid_in_use();
	ktest_snapshot(&user_before);
}

void user_case_exit(struct ktest *t)
{
	KT_EXPECT_NO_LEAK(t, &user_before);
	KT_EXPECT_EQ(t, asid_in_use(), asids_before);
}

long *user_shared_alloc(void)
{
	long *p;

	kernel_enter();
	p = page_alloc();
	kernel_exit();
	return p;
}

void user_shared_free(long *p)
{
	kernel_enter();
	page_free(p);
	kernel_exit();
}

u64 uva(const void *k)
{
	return USER_TEXT_BASE + ((u64)k - (u64)__user_start);
}

long run_user(const char *name, long (*entry)(u64), u64 arg, void *shared, int cpu, int *status)
{
	long pid = user_spawn(name, entry, arg, shared, cpu);

	*status = -1;
	if (pid < 0)
		return pid;
	return sys_wait((int)pid, status) == pid ? pid : -1;
}

int fault_case(struct ktest *t, const char *name, long (*entry)(u64), int want_status,
	       const char *what, u64 addr)
{
	char last[160], want[160];
	int status;
	long pid = run_user(name, entry, 0, NULL, TASK_ANY_CPU, &status);

	KT_EXPECT(t, pid > 1);
	if (status == 0)
		return 0; /* no fault: the caller decides */
	KT_EXPECT_EQ(t, status, want_status);
	snprintf(want, sizeof(want), "user: pid=%ld name=%s fault=\"%s\" addr=0x%llx pc=", pid,
		 name, what, (unsigned long long)addr);
	user_last_fault(last, sizeof(last));
	last[MIN(strlen(want), sizeof(last) - 1)] = '\0';
	KT_EXPECT_STREQ(t, last, want);
	return status;
}

long u_exec_capture(u64 unused); /* exec.user.c */


int run_captured(struct ktest *t, const char *path, const char *const *argv, const char *input,
		 char *out, u32 n)
{
	/* Files of their own: a captured program may run another (sh's ktest exec). */
	static u32 seq;
	char in_path[32], out_path[32];
	long *r = user_shared_alloc(), fd, got, len = 0;
	u64 *uargv, at = 1024 + 64;
	u32 me = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
	char *page = (char *)r;
	int status = -1;

	out[0] = '\0';
	KT_EXPECT(t, r != NULL);
	if (!r)
		return -1;
	snprintf(in_path, sizeof(in_path), "/capture%u.in", me);
	snprintf(out_path, sizeof(out_path), "/capture%u.out", me);
	fd = sys_creat(in_path);
	KT_EXPECT(t, fd >= 0);
	if (fd >= 0 && input)
		KT_EXPECT_EQ(t, sys_write((int)fd, input, strlen(input)), (long)strlen(input));
	if (fd >= 0)
		sys_close((int)fd);
	uargv = (u64 *)(page + 512);
	strlcpy(page + 1024, path, 64);
	for (u32 i = 0; argv[i] && i < 6; i++, at += 64) {
		strlcpy(page + at, argv[i], 64);
		uargv[i] = USER_SHARED_BASE + at;
		uargv[i + 1] = 0;
	}
	strlcpy(page + 1536, in_path, 64);
	strlcpy(page + 1600, out_path, 64);
	KT_EXPECT(t, run_user("launcher", u_exec_capture, 0, r, TASK_ANY_CPU, &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, r[63], 1L);
	KT_EXPECT_EQ(t, r[3], 1L); /* fds 0, 1, 2 as planned */
	KT_EXPECT(t, r[2] > 1);	   /* spawned */
	status = (int)r[0];
	user_shared_free(r);
	fd = sys_open(out_path, O_RDONLY);
	KT_EXPECT(t, fd >= 0);
	while (fd >= 0 && len + 1 < n && (got = sys_read((int)fd, out + len, n - 1 - len)) > 0)
		len += got;
	out[len] = '\0';
	if (fd >= 0)
		sys_close((int)fd);
	sys_unlink(in_path);
	sys_unlink(out_path);
	return status;
}
