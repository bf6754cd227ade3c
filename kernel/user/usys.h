/* System-call wrappers for code at EL0 (kernel/user/, its .user.c files): svc #0 with Linux's register ABI. */
#ifndef KERNEL_USER_USYS_H
#define KERNEL_USER_USYS_H

#include <locklab/fcntl.h>
#include <locklab/svc.h>
#include <locklab/unistd.h>

/*
 * Only constants and inline code here: a user object must link against
 * nothing of the kernel's (scripts/check-user-objs.sh checks it). The
 * kernel restores every register but x0, which carries the result. usys
 * sets only the registers it passes: the user workloads' hot path.
 */
static inline long usys(long nr, long a0, long a1, long a2)
{
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;
	register long x8 __asm__("x8") = nr;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
	return x0;
}

/* The same with all six argument registers (mmap): the libc's own svc. */
static inline long usys6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return svc6(nr, a0, a1, a2, a3, a4, a5);
}

/* The virtual counter, which EL0 may read (drivers/arm_timer.c sets CNTKCTL_EL1). */
static inline unsigned long ucounter(void)
{
	unsigned long c;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(c)::"memory");
	return c;
}

/* Its ticks per second (CNTFRQ_EL0, readable at EL0 with the counter). */
static inline unsigned long ucounter_freq(void)
{
	unsigned long f;

	__asm__("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

/* The counter's value the given seconds from now: a deadline to compare ucounter() with. */
static inline unsigned long ucounter_after(unsigned long seconds)
{
	return ucounter() + seconds * ucounter_freq();
}

/* Where the kernel maps the spawner's shared page (include/locklab/user.h, USER_SHARED_BASE). */
#define USHARED ((volatile long *)0x10000000UL)

#endif
