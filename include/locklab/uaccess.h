/* Checking pointers passed to sys_* calls: a bad one gets -EFAULT, never a fault in the kernel. */
#ifndef LOCKLAB_UACCESS_H
#define LOCKLAB_UACCESS_H

#include <locklab/types.h>

/*
 * There is no user space: workloads are kernel tasks calling sys_*
 * directly. A "user" pointer is still checked as if it came from one: it
 * must be non-NULL, its range must not wrap, and the whole range must lie
 * in RAM the device tree describes. Anything else (NULL, a wild or MMIO
 * address, a size that runs off the end of memory) is -EFAULT.
 */
bool uaccess_ok(const void *p, u64 len);

#define PATH_MAX 256 /* bytes, with the terminating NUL */

/*
 * Copies the NUL-terminated path at upath into dst[PATH_MAX]. Returns its
 * length, or -EFAULT (bad pointer), -ENAMETOOLONG (no NUL within
 * PATH_MAX bytes), -ENOENT (empty path).
 */
long copy_path(char dst[PATH_MAX], const char *upath);

#endif
