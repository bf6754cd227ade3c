/* Helpers the user-mode ktest suites (user, vm) share; see user_ktest.h. */
#include "user_ktest.h"
#include <locklab/klock.h>
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
