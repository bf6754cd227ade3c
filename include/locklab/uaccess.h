/* Checking pointers passed to sys_* calls: a bad one gets -EFAULT, never a fault in the kernel. */
#ifndef LOCKLAB_UACCESS_H
#define LOCKLAB_UACCESS_H

#include <locklab/types.h>

/* What the kernel will do with the buffer: read it (write(), paths) or write it (read(), stat(), ...). */
enum uaccess_dir { UACCESS_READ, UACCESS_WRITE };

/*
 * A process at EL0 (include/locklab/user.h) passes user addresses: for
 * it the range must lie in regions of its own address space (writable,
 * for UACCESS_WRITE; mapped already or not yet, include/locklab/vm.h),
 * and nothing else is accepted, kernel addresses least of all. Everything
 * below is for kernel callers.
 *
 * Kernel callers: workloads are kernel tasks calling sys_*
 * directly, so legitimate buffers are on task stacks and in static data
 * (.data/.bss), in kmalloc and page memory, and path strings are often
 * literals in .rodata. A "user" pointer is still checked as if it came
 * from one. The whole range must:
 *   - be non-NULL and not wrap;
 *   - lie in RAM the device tree describes, at its linear-map address (not
 *     MMIO, not a wild or a physical address);
 *   - touch no kernel text ([_text, __rodata_start): code must not be read
 *     into or leaked as data), no page table (.pgtables), no stack guard
 *     page, and no no-map reserved range (those are unmapped: the access
 *     would fault);
 *   - for UACCESS_WRITE, also touch no rodata ([__rodata_start,
 *     __data_start): mapped read-only, the write would fault). Reading
 *     rodata is allowed: path literals live there.
 * Anything else is -EFAULT. The rest of the image (.data, .bss with the
 * task stacks) and the DTB are accepted: they are ordinary RAM.
 */
bool uaccess_ok(const void *p, u64 len, enum uaccess_dir dir);

/*
 * Copying to and from the buffer once uaccess_ok passed. From a user
 * process: with unprivileged accesses (arch/arm64/uaccess.S) that fault in
 * any page not yet touched (vm_fault, so the caller may hold locks that
 * come before mmap_lock, and may sleep); -EFAULT if a page cannot be had
 * (no region, or no memory). From a kernel task: memcpy/memset. 0 or
 * -EFAULT.
 */
long copy_to_user(void *udst, const void *src, u64 n);
long copy_from_user(void *dst, const void *usrc, u64 n);
long clear_user(void *udst, u64 n);
/* The raw copies under those (arch/arm64/uaccess.S): the bytes not copied, stopping at a fault. */
u64 __arch_copy_to_user(void *udst, const void *src, u64 n);
u64 __arch_copy_from_user(void *dst, const void *usrc, u64 n);

#define PATH_MAX 256 /* bytes, with the terminating NUL */

/*
 * Copies the NUL-terminated path at upath into dst[PATH_MAX]. Returns its
 * length, or -EFAULT (bad pointer), -ENAMETOOLONG (no NUL within
 * PATH_MAX bytes), -ENOENT (empty path).
 */
long copy_path(char dst[PATH_MAX], const char *upath);

/*
 * Turns on Privileged Access Never on this CPU where it has it (arch/arm64/pan.c):
 * from then on only the copies above reach user memory; a plain kernel access faults.
 * Each CPU calls it once, before it is marked online (the boot record says pan=on).
 */
void pan_enable_this_cpu(void);

#endif
