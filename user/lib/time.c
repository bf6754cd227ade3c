/* clock_gettime(CLOCK_MONOTONIC) from the virtual counter, which the kernel lets EL0 read (as a vDSO would). */
#include <errno.h>
#include <time.h>

/*
 * The counter runs at CNTFRQ_EL0 from the boot of the board, the same on
 * every CPU (docs/syscalls.md, "User faults": CNTKCTL_EL1.EL0VCTEN). The
 * isb keeps the read from being taken before the instructions before it,
 * so a program timing its own work times all of it.
 */
int clock_gettime(clockid_t clock, struct timespec *ts)
{
	unsigned long count, freq;

	if (clock != CLOCK_MONOTONIC || !ts) {
		errno = ts ? EINVAL : EFAULT;
		return -1;
	}
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(count)::"memory");
	__asm__("mrs %0, cntfrq_el0" : "=r"(freq));
	ts->tv_sec = (long)(count / freq);
	ts->tv_nsec = (long)((count % freq) * 1000000000UL / freq);
	return 0;
}
