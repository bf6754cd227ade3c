/* errno for user programs: set by the system-call wrappers to the kernel's error number (<locklab/errno.h>). */
#ifndef USER_ERRNO_H
#define USER_ERRNO_H

#include <locklab/errno.h>

extern int errno;

#endif
