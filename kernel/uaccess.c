/* sys_* argument checks and copies: pointer ranges (user regions, or RAM minus what the kernel protects), user copies that page in, bounded paths. */
#include <locklab/uaccess.h>
#include <locklab/errno.h>
#include <locklab/mm.h>
#include <locklab/sched.h>
#include <locklab/string.h>
#include <locklab/platform.h>
#include <locklab/stack_guard.h>
#include <locklab/user.h>
#include <asm/boot.h>
#include <asm/memory.h>

static bool overlaps(u64 a, u64 end, u64 lo, u64 hi)
{
	return a < hi && end > lo;
}

/* No-map reserved ranges: unmapped, so an access would fault. [pa, pend): physical. */
static bool overlaps_nomap(const struct platform_info *plat, u64 pa, u64 pend)
{
	for (int i = 0; i < plat->nr_reserved; i++) {
		u64 lo, hi;

		if (plat_nomap_pages(&plat->reserved[i], &lo, &hi) && overlaps(pa, pend, lo, hi))
			return true;
	}
	return false;
}

/*
 * The address space user pointers refer to: the calling process's, or
 * none (kernel pointers) in a kernel task and while a task reads into
 * kernel buffers on a process's behalf (task->uaccess_kernel: spawn).
 */
static struct user_mm *uaccess_mm(void)
{
	struct task *t = current_task();

	return t && t->uaccess_kernel ? NULL : current_mm();
}

bool uaccess_ok(const void *p, u64 len, enum uaccess_dir dir)
{
	const struct platform_info *plat = platform();
	struct user_mm *mm = uaccess_mm();
	u64 a = (u64)p, end = a + len, pa;
	bool in_ram = false;

	/* A process at EL0 passes user addresses: only what its address space maps, never the kernel's. */
	if (mm)
		return vm_range_ok(mm, a, len,
				   dir == UACCESS_WRITE ? VM_ACCESS_WRITE : VM_ACCESS_READ);
	/* Kernel memory is reached through the linear map only: a low (TTBR0) address is never RAM here. */
	if (!p || end < a || !virt_is_linear(a))
		return false;
	pa = virt_to_phys(p);
	for (int i = 0; i < plat->nr_mem && !in_ram; i++) {
		u64 base = plat->mem[i].base, top = base + plat->mem[i].size;

		in_ram = pa >= base && pa + len <= top;
	}
	if (!in_ram || !len)
		return in_ram;
	if (overlaps(a, end, (u64)_text, (u64)__rodata_start) ||
	    overlaps(a, end, (u64)__pgtables_start, (u64)__pgtables_end))
		return false;
	if (dir == UACCESS_WRITE && overlaps(a, end, (u64)__rodata_start, (u64)__data_start))
		return false;
	return !stack_guard_overlaps(a, len) && !overlaps_nomap(plat, pa, pa + len);
}


/*
 * A user copy: run it; where it stops on a fault, page in what the next
 * chunk (up to 8 bytes, uaccess.S) touches and go on. A chunk that faults
 * twice at the same place cannot be had (an access vm_fault allowed but
 * the hardware refused): -EFAULT rather than a loop.
 */
static long user_copy(struct user_mm *mm, u8 *dst, const u8 *src, u64 n, bool to_user)
{
	u64 stuck = ~0UL;

	if (n > USER_VA_TOP || (u64)(to_user ? dst : src) > USER_VA_TOP - n)
		return -EFAULT;
	for (;;) {
		u64 left = to_user ? __arch_copy_to_user(dst, src, n) :
				     __arch_copy_from_user(dst, src, n);
		u64 done = n - left, at;
		enum vm_access acc = to_user ? VM_ACCESS_WRITE : VM_ACCESS_READ;

		if (!left)
			return 0;
		dst += done;
		src += done;
		n = left;
		at = (u64)(to_user ? dst : src);
		if (at == stuck)
			return -EFAULT;
		stuck = at;
		if (vm_fault(mm, at, acc) ||
		    vm_fault(mm, at + MIN(n, 8UL) - 1, acc)) /* a chunk across a page end */
			return -EFAULT;
	}
}

long copy_to_user(void *udst, const void *src, u64 n)
{
	struct user_mm *mm = uaccess_mm();

	if (mm)
		return user_copy(mm, udst, src, n, true);
	memcpy(udst, src, n);
	return 0;
}

long copy_from_user(void *dst, const void *usrc, u64 n)
{
	struct user_mm *mm = uaccess_mm();

	if (mm)
		return user_copy(mm, dst, usrc, n, false);
	memcpy(dst, usrc, n);
	return 0;
}

long clear_user(void *udst, u64 n)
{
	static const u8 zeros[256];
	u8 *d = udst;

	if (!uaccess_mm()) {
		memset(udst, 0, n);
		return 0;
	}
	for (u64 done = 0; done < n; done += sizeof(zeros))
		if (copy_to_user(d + done, zeros, MIN(n - done, sizeof(zeros))))
			return -EFAULT;
	return 0;
}

/* copy_path for a user process: page by page (a path may end just before an unmapped page). */
static long copy_user_path(struct user_mm *mm, char dst[PATH_MAX], const char *upath)
{
	u64 a = (u64)upath;

	if (!vm_range_ok(mm, a, 1, VM_ACCESS_READ))
		return -EFAULT;
	for (long i = 0; i < PATH_MAX;) {
		u64 page_end = ALIGN_DOWN(a + (u64)i, PAGE_SIZE) + PAGE_SIZE;
		long chunk = (long)MIN(page_end - (a + (u64)i), (u64)(PATH_MAX - i));

		if (!vm_range_ok(mm, a + (u64)i, (u64)chunk, VM_ACCESS_READ) ||
		    copy_from_user(dst + i, upath + i, (u64)chunk))
			return -EFAULT;
		for (long end = i + chunk; i < end; i++)
			if (!dst[i])
				return i ? i : -ENOENT;
	}
	return -ENAMETOOLONG;
}

long copy_path(char dst[PATH_MAX], const char *upath)
{
	u64 ok_below = 0; /* the bytes from upath + i up to here are known readable */
	struct user_mm *mm = uaccess_mm();

	if (mm)
		return copy_user_path(mm, dst, upath);

	for (long i = 0; i < PATH_MAX; i++) {
		u64 a = (u64)(upath + i);

		/*
		 * A path may end just before a byte we must not read (the end of
		 * RAM, a guard page), so its length decides how far we check.
		 * Check the rest of the page at once (what uaccess_ok protects
		 * comes in whole pages); only where that fails, byte by byte.
		 * Checking every byte cost more than the path walk itself.
		 */
		if (a >= ok_below) {
			u64 page_end = ALIGN_DOWN(a, 4096UL) + 4096;

			if (page_end > a && uaccess_ok((const void *)a, page_end - a, UACCESS_READ))
				ok_below = page_end;
			else if (uaccess_ok((const void *)a, 1, UACCESS_READ))
				ok_below = a + 1;
			else
				return -EFAULT;
		}
		dst[i] = upath[i];
		if (!dst[i])
			return i ? i : -ENOENT;
	}
	return -ENAMETOOLONG;
}

const char *errno_name(long err)
{
	static const char *const names[] = {
		[EPERM] = "EPERM",
		[ENOENT] = "ENOENT",
		[ESRCH] = "ESRCH",
		[EINTR] = "EINTR",
		[EIO] = "EIO",
		[E2BIG] = "E2BIG",
		[ENOEXEC] = "ENOEXEC",
		[EBADF] = "EBADF",
		[ECHILD] = "ECHILD",
		[EAGAIN] = "EAGAIN",
		[ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES",
		[EFAULT] = "EFAULT",
		[EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST",
		[ENODEV] = "ENODEV",
		[ENOTDIR] = "ENOTDIR",
		[EISDIR] = "EISDIR",
		[EINVAL] = "EINVAL",
		[ENFILE] = "ENFILE",
		[EMFILE] = "EMFILE",
		[EFBIG] = "EFBIG",
		[ENOSPC] = "ENOSPC",
		[ESPIPE] = "ESPIPE",
		[EPIPE] = "EPIPE",
		[ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOSYS] = "ENOSYS",
		[ENOTEMPTY] = "ENOTEMPTY",
		[EOVERFLOW] = "EOVERFLOW",
		[ENOBUFS] = "ENOBUFS",
	};

	if (err < 0)
		err = -err;
	if (err < (long)(sizeof(names) / sizeof(names[0])) && names[err])
		return names[err];
	return "E?";
}

bool errno_known(long err)
{
	return err < 0 && errno_name(err)[1] != '?';
}
