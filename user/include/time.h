/* clock_gettime for user programs: the monotonic clock, read at EL0 without a system call (user/lib/time.c). */
#ifndef USER_TIME_H
#define USER_TIME_H

struct timespec {
	long tv_sec;
	long tv_nsec; /* 0 to 999999999 */
};

typedef int clockid_t;

/* Linux's number; the only clock there is (no wall clock: the board has no real-time clock). */
#define CLOCK_MONOTONIC 1

/* 0, or -1 with errno EINVAL (another clock) or EFAULT (ts is NULL). */
int clock_gettime(clockid_t clock, struct timespec *ts);

#endif
