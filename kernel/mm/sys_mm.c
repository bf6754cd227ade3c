/* brk, mmap, munmap and mprotect: argument checks for a process's own address space (vm.c does the work). */
#include <locklab/errno.h>
#include <locklab/mm.h>
#include <locklab/mman.h>
#include <locklab/syscall.h>
#include <locklab/user.h>
#include <locklab/vm.h>

/*
 * A kernel task has no user address space: these calls are -EINVAL there.
 * Only private anonymous memory exists (no files to map, no fork to share
 * with), never executable: nothing could put code in it that the
 * instruction cache would see (stage 4 loads programs from ELF files).
 */
long sys_brk(u64 addr)
{
	struct user_mm *mm = current_mm();

	return mm ? (long)vm_brk(mm, addr) : -EINVAL;
}

long sys_mmap(u64 addr, u64 len, u32 prot, u32 flags, s32 fd, u64 off)
{
	struct user_mm *mm = current_mm();

	bool fixed = flags & MAP_FIXED;

	if (!mm)
		return -EINVAL;
	if (len == 0 || (flags & ~(u32)MAP_FIXED) != (MAP_PRIVATE | MAP_ANONYMOUS) || fd != -1 ||
	    off != 0)
		return -EINVAL;
	if (prot & ~(u32)(PROT_READ | PROT_WRITE))
		return -EINVAL;
	/*
	 * Without MAP_FIXED addr is a hint, as in Linux, and the kernel picks
	 * the place in [USER_MMAP_BASE, USER_MMAP_TOP). With it, anywhere from
	 * USER_MMAP_BASE up (away from the heap's room to grow), replacing
	 * mmap regions there; vm.c refuses to cover another kind (the stack).
	 */
	if (fixed && (addr % PAGE_SIZE || addr < USER_MMAP_BASE || len > USER_VA_TOP - addr))
		return -EINVAL;
	if (!fixed && len > USER_MMAP_TOP - USER_MMAP_BASE)
		return -ENOMEM;
	return vm_mmap(mm, addr, len, prot, fixed);
}

long sys_munmap(u64 addr, u64 len)
{
	struct user_mm *mm = current_mm();

	if (!mm)
		return -EINVAL;
	if (addr % PAGE_SIZE || len == 0 || len > USER_VA_TOP || addr + len > USER_VA_TOP)
		return -EINVAL;
	return vm_munmap(mm, addr, len);
}

long sys_mprotect(u64 addr, u64 len, u32 prot)
{
	struct user_mm *mm = current_mm();

	if (!mm)
		return -EINVAL;
	if (addr % PAGE_SIZE || len > USER_VA_TOP || addr + len > USER_VA_TOP)
		return -EINVAL;
	if (prot & ~(u32)(PROT_READ | PROT_WRITE)) /* no executable anonymous memory, as mmap */
		return -EINVAL;
	return len ? vm_mprotect(mm, addr, len, prot) : 0; /* Linux: an empty range is done */
}
