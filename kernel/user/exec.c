/* spawn(path, argv): load a static ELF executable from the file system into a new address space and start it at EL0. */
#include <locklab/user.h>
#include <locklab/elf.h>
#include <locklab/errno.h>
#include <locklab/fcntl.h>
#include <locklab/file.h>
#include <locklab/fs.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/mman.h>
#include <locklab/sched.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/vm.h>
#include <asm/sysreg.h>

#define EXEC_MAX_SEGS 8

/* One PT_LOAD segment, checked: page-rounded [start, end) below the heap, never writable and executable. */
struct exec_seg {
	u64 vaddr, memsz, offset, filesz;
	u64 start, end;
	u32 prot;
};

struct exec_image {
	struct elf64_ehdr eh;
	struct exec_seg seg[EXEC_MAX_SEGS];
	u32 nseg;
};

/*
 * n bytes of the file at off into the kernel buffer buf: 0, or -ENOEXEC
 * if the file is shorter or cannot seek (a special file such as
 * /proc/lock_stat is no program: its -ESPIPE would only puzzle the caller).
 * An offset from a header may be any u64: one past S64_MAX is far past any
 * file too, not the -EINVAL lseek gives a negative one (spawn's -EINVAL
 * means overlapping segments).
 * f is the loader's own open file (fs_open_file), so its offset is ours.
 */
static long read_at(struct file *f, u64 off, void *buf, u64 n)
{
	long got = 0, r;

	if (!f->ops->lseek || !f->ops->read || (s64)off < 0)
		return -ENOEXEC;
	r = f->ops->lseek(f, (s64)off, SEEK_SET);
	while (r >= 0 && (u64)got < n && (r = f->ops->read(f, (u8 *)buf + got, n - (u64)got)) > 0)
		got += r;
	if (r < 0)
		return r;
	return (u64)got == n ? 0 : -ENOEXEC;
}

/* PF_* to PROT_*; a segment both writable and executable is refused (W^X, and no cache maintenance for it). */
static long seg_prot(u32 flags, u32 *prot)
{
	*prot = 0;
	if (flags & ELF_PF_R)
		*prot |= PROT_READ;
	if (flags & ELF_PF_W)
		*prot |= PROT_WRITE;
	if (flags & ELF_PF_X)
		*prot |= PROT_EXEC;
	return (flags & ELF_PF_W) && (flags & ELF_PF_X) ? -ENOEXEC : 0;
}

/* Reads and checks the headers: an AArch64 little-endian ET_EXEC whose loads fit below the heap. */
static long parse_elf(struct file *f, struct exec_image *img)
{
	struct elf64_ehdr *eh = &img->eh;
	bool entry_ok = false;
	long r = read_at(f, 0, eh, sizeof(*eh));

	if (r)
		return r;
	if (memcmp(eh->e_ident,
		   "\x7f"
		   "ELF",
		   4) ||
	    eh->e_ident[4] != ELF_CLASS64 || eh->e_ident[5] != ELF_DATA2LSB ||
	    eh->e_type != ELF_ET_EXEC || eh->e_machine != ELF_EM_AARCH64 ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 || eh->e_phnum > 16)
		return -ENOEXEC;
	img->nseg = 0;
	for (u32 i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;
		struct exec_seg *s;

		r = read_at(f, eh->e_phoff + (u64)i * sizeof(ph), &ph, sizeof(ph));
		if (r)
			return r;
		if (ph.p_type != ELF_PT_LOAD || ph.p_memsz == 0)
			continue;
		if (img->nseg == EXEC_MAX_SEGS || ph.p_filesz > ph.p_memsz ||
		    ph.p_vaddr % PAGE_SIZE != ph.p_offset % PAGE_SIZE || ph.p_vaddr < PAGE_SIZE ||
		    ph.p_vaddr >= USER_HEAP_BASE || ph.p_memsz > USER_HEAP_BASE - ph.p_vaddr)
			return -ENOEXEC;
		s = &img->seg[img->nseg++];
		s->vaddr = ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->start = ALIGN_DOWN(ph.p_vaddr, PAGE_SIZE);
		s->end = ALIGN_UP(ph.p_vaddr + ph.p_memsz, PAGE_SIZE);
		if (seg_prot(ph.p_flags, &s->prot))
			return -ENOEXEC;
		entry_ok |= (s->prot & PROT_EXEC) && eh->e_entry >= s->vaddr &&
			    eh->e_entry < s->vaddr + s->memsz;
	}
	return entry_ok ? 0 : -ENOEXEC;
}

/* Makes a page's new instructions visible to every CPU's instruction fetch (written through the linear map). */
static void sync_icache(const void *page)
{
	u64 line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf); /* CTR_EL0.DminLine, in words */

	for (u64 a = (u64)page; a < (u64)page + PAGE_SIZE; a += line)
		__asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
	dsb(ish);
	__asm__ volatile("ic ialluis" : : : "memory");
	dsb(ish);
	isb();
}

/*
 * A segment's pages: every page holding file bytes is loaded now (and
 * every page of an executable one: text never comes on demand); the rest
 * of a writable one (its .bss) is zero on first touch.
 */
static long load_segment(struct file *f, struct user_mm *mm, const struct exec_seg *s)
{
	u64 file_end = s->vaddr + s->filesz;
	long r = vm_add_region(mm, s->start, s->end, s->prot,
			       (s->prot & PROT_EXEC) ? VM_TEXT : VM_DATA);

	for (u64 va = s->start; !r && va < s->end; va += PAGE_SIZE) {
		u64 lo = MAX(va, s->vaddr), hi = MIN(va + PAGE_SIZE, file_end);
		u8 *page;

		if (lo >= hi && !(s->prot & PROT_EXEC))
			continue;
		page = vm_load_page(mm, va);
		if (!page)
			return -ENOMEM;
		if (lo < hi)
			r = read_at(f, s->offset + (lo - s->vaddr), page + (lo - va), hi - lo);
		if (!r && (s->prot & PROT_EXEC))
			sync_icache(page);
	}
	return r;
}

/*
 * argv on the new stack, as the program's _start expects (docs/user.md):
 * the strings at the top, below them the pointer array (NULL-terminated),
 * sp 16-aligned below that; x0 = argc, x1 = the array.
 */
static long push_args(struct user_mm *mm, const char *const *argv)
{
	u64 top_page = USER_STACK_TOP - PAGE_SIZE, at = PAGE_SIZE, ptrs[SPAWN_MAX_ARGS + 1];
	u8 *page = vm_load_page(mm, top_page);
	u32 argc = 0;

	if (!page)
		return -ENOMEM;
	for (; argv && argv[argc]; argc++) {
		u64 len = strlen(argv[argc]) + 1;

		if (argc == SPAWN_MAX_ARGS || len > at ||
		    PAGE_SIZE - at + len > SPAWN_MAX_ARG_BYTES)
			return -E2BIG;
		at -= len;
		memcpy(page + at, argv[argc], len);
		ptrs[argc] = top_page + at;
	}
	ptrs[argc] = 0;
	at = ALIGN_DOWN(at, 16) - ALIGN_UP((argc + 1) * 8UL, 16);
	memcpy(page + at, ptrs, (argc + 1) * 8UL);
	mm->arg = argc;
	mm->arg1 = top_page + at;
	mm->sp = top_page + at;
	return 0;
}

/* The last path component, for the process's name. */
static const char *base_name(const char *path)
{
	const char *base = path;

	for (; *path; path++)
		if (*path == '/')
			base = path + 1;
	return base;
}

static long spawn_file(const char *path, const char *const *argv, int cpu, bool leader)
{
	struct exec_image *img;
	struct user_mm *mm = NULL;
	struct file *f = NULL;
	struct stat st;
	long r;

	kernel_enter(); /* page_alloc and kmalloc want the kernel scope (the sys_* calls nest in it) */
	img = kmalloc(sizeof(*img));
	if (!img) {
		kernel_exit();
		return -ENOMEM;
	}
	/*
	 * The caller may be a user process: the calls below take kernel
	 * pointers (path, st, the buffers) until the file is put. The file is
	 * ours alone, in no fd table: a spawn needs no free fd, and no other
	 * task sharing the table (every kernel task shares process 1's) can
	 * close it under us.
	 */
	current_task()->uaccess_kernel = true;
	r = sys_stat(path, &st);
	if (!r && st.type != S_IFREG)
		r = -EISDIR;
	if (!r)
		r = fs_open_file(path, O_RDONLY, &f);
	if (!r)
		r = parse_elf(f, img);
	if (!r) {
		r = uspace_create(NULL, false, &mm);
		for (u32 i = 0; !r && i < img->nseg; i++)
			r = load_segment(f, mm, &img->seg[i]);
		if (!r)
			r = push_args(mm, argv);
		if (r && mm)
			uspace_destroy(mm);
	}
	if (f)
		file_put(f);
	current_task()->uaccess_kernel = false;
	if (!r) {
		mm->entry = img->eh.e_entry;
		strlcpy(mm->name, base_name(path), sizeof(mm->name));
		mm->session_leader = leader;
	}
	kfree(img);
	kernel_exit();
	return r ? r : user_start(mm, cpu);
}

long user_spawn_file(const char *path, const char *const *argv, int cpu)
{
	return spawn_file(path, argv, cpu, false);
}

long user_spawn_session(const char *path, const char *const *argv)
{
	return spawn_file(path, argv, TASK_ANY_CPU, true);
}

/* The system call: path and argv copied in from the caller (a user process's or a kernel task's). */
long sys_spawn_file(const char *upath, const char *const *uargv)
{
	struct spawn_args {
		char path[PATH_MAX];
		char bytes[SPAWN_MAX_ARG_BYTES];
		const char *argv[SPAWN_MAX_ARGS + 1];

	} * a;
	u64 used = 0;
	long r;
	u32 i;

	kernel_enter(); /* for kmalloc; a call from EL0 holds it already */
	a = kmalloc(sizeof(*a));
	if (!a) {
		kernel_exit();
		return -ENOMEM;
	}
	r = copy_path(a->path, upath);
	for (i = 0; r >= 0 && uargv; i++) {
		const char *p;
		char arg[PATH_MAX];

		if (!uaccess_ok(&uargv[i], sizeof(p), UACCESS_READ) ||
		    copy_from_user(&p, &uargv[i], sizeof(p))) {
			r = -EFAULT;
			break;
		}
		if (!p)
			break;
		r = copy_path(arg, p);
		if (r == -ENOENT) /* an empty argument is fine */
			r = 0, arg[0] = '\0';
		if (r < 0)
			break;
		if (i == SPAWN_MAX_ARGS || used + (u64)r + 1 > sizeof(a->bytes)) {
			r = -E2BIG;
			break;
		}
		memcpy(a->bytes + used, arg, (u64)r + 1);
		a->argv[i] = a->bytes + used;
		used += (u64)r + 1;
	}
	if (r >= 0) {
		a->argv[uargv ? i : 0] = NULL;
		r = user_spawn_file(a->path, a->argv, TASK_ANY_CPU);
	}
	kfree(a);
	kernel_exit();
	return r;
}
