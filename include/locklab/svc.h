/* The one raw system call at EL0: svc #0 with the number in x8 and six arguments, for the libc and the kernel's own EL0 code. */
#ifndef LOCKLAB_SVC_H
#define LOCKLAB_SVC_H

/*
 * Inline code only: user programs include it (user/lib/syscalls.c) as
 * does code the kernel image runs at EL0 (kernel/user/usys.h), and
 * neither may link against the kernel (scripts/check-user-objs.sh). The
 * kernel restores every register but x0, which carries the result
 * (docs/syscalls.md): only x0 is clobbered.
 */
static inline long svc6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;
	register long x3 __asm__("x3") = a3;
	register long x4 __asm__("x4") = a4;
	register long x5 __asm__("x5") = a5;
	register long x8 __asm__("x8") = nr;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x8)
			 : "memory");
	return x0;
}

#endif
