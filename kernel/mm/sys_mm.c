/* brk, mmap and munmap: argument checks for a process's own address space (vm.c does the work). */
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

	(void)addr; /* a hint, as in Linux; the kernel picks the place (no MAP_FIXED) */
	if (!mm)
		return -EINVAL;
	if (len == 0 || flags != (MAP_PRIVATE | MAP_ANONYMOUS) || fd != -1 || off != 0)
		return -EINVAL;
	if (prot & ~(u32)(PROT_READ | PROT_WRITE))
		return -EINVAL;
	if (len > USER_MMAP_TOP - USER_MMAP_BASE)
		return -ENOMEM;
	return vm_mmap(mm, len, prot);
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
