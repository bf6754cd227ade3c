/* brk, mmap, munmap and mprotect: argument checks for a process's own address space (vm.c does the work, fs/mmap.c a file's part). */
#include <locklab/errno.h>
#include <locklab/fs.h>
#include <locklab/mm.h>
#include <locklab/mman.h>
#include <locklab/syscall.h>
#include <locklab/user.h>
#include <locklab/vm.h>

/*
 * A kernel task has no user address space: these calls are -EINVAL there.
 * Memory is anonymous and private, or a ramfs file's (shared or a private
 * copy, kernel/fs/mmap.c), never executable: nothing could put code in it
 * that the instruction cache would see (programs come from ELF files).
 * There is no fork, so nothing to share anonymous memory with:
 * MAP_SHARED | MAP_ANONYMOUS is refused; processes share a file instead.
 */
long sys_brk(u64 addr)
{
	struct user_mm *mm = current_mm();

	return mm ? (long)vm_brk(mm, addr) : -EINVAL;
}

#define MAP_KNOWN (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS)

long sys_mmap(u64 addr, u64 len, u32 prot, u32 flags, s32 fd, u64 off)
{
	struct user_mm *mm = current_mm();
	bool fixed = flags & MAP_FIXED, shared = flags & MAP_SHARED;
	struct vm_region how = { .prot = (u8)prot, .flags = VM_MAY_WRITE };
	bool may_write;
	long r;

	if (!mm)
		return -EINVAL;
	/* exactly one of MAP_SHARED and MAP_PRIVATE, as Linux */
	if (len == 0 || (flags & ~(u32)MAP_KNOWN) || shared == !!(flags & MAP_PRIVATE))
		return -EINVAL;
	if (prot & ~(u32)(PROT_READ | PROT_WRITE))
		return -EINVAL;
	if ((flags & MAP_ANONYMOUS) && (shared || fd != -1 || off != 0))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && off % PAGE_SIZE)
		return -EINVAL;
	/*
	 * Without MAP_FIXED addr is a hint, as in Linux, and the kernel picks
	 * the place in [USER_MMAP_BASE, USER_MMAP_TOP). With it, anywhere from
	 * USER_MMAP_BASE up (away from the heap's room to grow), replacing
	 * mmap regions there; vm.c refuses to cover another kind (the stack).
	 * addr above USER_VA_TOP is checked first: USER_VA_TOP - addr would
	 * wrap, and a region up there faults in pages at its address's low
	 * bits (the table indexes wrap), one more each time the access retries.
	 */
	if (fixed && (addr % PAGE_SIZE || addr < USER_MMAP_BASE || addr > USER_VA_TOP ||
		      len > USER_VA_TOP - addr))
		return -EINVAL;
	if (!fixed && len > USER_MMAP_TOP - USER_MMAP_BASE)
		return -ENOMEM;
	if (flags & MAP_ANONYMOUS)
		return vm_mmap(mm, addr, len, &how, fixed);
	/* A region keeps its file page in 32 bits: Linux's -EOVERFLOW past that. */
	if (off / PAGE_SIZE + ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE > 0xffffffffUL)
		return -EOVERFLOW;
	kernel_enter(); /* the fd table, as every fs call */
	r = fs_mmap_begin(fd, prot, shared, &how.file, &may_write);
	kernel_exit();
	if (r)
		return r;
	how.pgoff = (u32)(off / PAGE_SIZE);
	how.flags = (u8)((shared ? VM_FILE_SHARED : 0) | (may_write ? VM_MAY_WRITE : 0));
	return vm_mmap(mm, addr, len, &how, fixed); /* it takes over the file's reference */
}

long sys_munmap(u64 addr, u64 len)
{
	struct user_mm *mm = current_mm();

	if (!mm)
		return -EINVAL;
	/* addr > USER_VA_TOP - len, not addr + len > USER_VA_TOP: that sum may wrap to a small one */
	if (addr % PAGE_SIZE || len == 0 || len > USER_VA_TOP || addr > USER_VA_TOP - len)
		return -EINVAL;
	return vm_munmap(mm, addr, len);
}

long sys_mprotect(u64 addr, u64 len, u32 prot)
{
	struct user_mm *mm = current_mm();

	if (!mm)
		return -EINVAL;
	if (addr % PAGE_SIZE || len > USER_VA_TOP || addr > USER_VA_TOP - len) /* as munmap */
		return -EINVAL;
	if (prot & ~(u32)(PROT_READ | PROT_WRITE)) /* nothing executable, as mmap */
		return -EINVAL;
	return len ? vm_mprotect(mm, addr, len, prot) : 0; /* Linux: an empty range is done */
}
