/* A user address space's regions (text, shared page, stack, heap, mmap) and the page-fault, brk, mmap, munmap and mprotect back end. */
#ifndef LOCKLAB_VM_H
#define LOCKLAB_VM_H

#include <locklab/types.h>

struct user_mm;

/* What a region is; only VM_MMAP regions can be unmapped or mprotected, only VM_HEAP moves with brk. */
enum vm_kind { VM_TEXT, VM_DATA, VM_SHARED, VM_STACK, VM_HEAP, VM_MMAP };

struct inode;

/* A VM_MMAP region's flags: a file mapping's kind, and whether mprotect may give it PROT_WRITE. */
#define VM_FILE_SHARED 0x1 /* stores reach the file (MAP_SHARED); else private copies */
#define VM_MAY_WRITE   0x2 /* anonymous, private, or a shared mapping of an O_RDWR fd */

/* [start, end), page-aligned; prot: PROT_* of <locklab/mman.h>. */
struct vm_region {
	u64 start, end;
	/* a file mapping's inode, holding a mapping reference (fs.h, fs_mmap_begin); NULL: anonymous */
	struct inode *file;
	u32 pgoff; /* a file mapping: the file's page at start */
	u8 prot;
	u8 kind;  /* enum vm_kind */
	u8 flags; /* VM_FILE_SHARED, VM_MAY_WRITE */
};

#define VM_MAX_REGIONS 32 /* per address space: an mmap past it is -ENOMEM */

/* What a fault or a uaccess copy wants of a page. */
enum vm_access { VM_ACCESS_READ, VM_ACCESS_WRITE, VM_ACCESS_EXEC };

/*
 * The fault path (kernel/mm/vm.c): addr's page is mapped if a region
 * allows acc there, with a zeroed page allocated on first touch (a file
 * mapping's: the file's page, or a private copy of it). 0 (mapped now, or
 * already), -EFAULT (no region, or the region forbids acc), -EIO (past the
 * end of a mapped file), -ENOMEM. Takes the address-space lock (with the
 * kernel and mm scopes).
 */
long vm_fault(struct user_mm *mm, u64 addr, enum vm_access acc);
/* Whether [p, p+len) lies in regions that allow acc (mapped or not yet): the uaccess check for user pointers. */
bool vm_range_ok(struct user_mm *mm, u64 p, u64 len, enum vm_access acc);
/*
 * The regions a new address space starts with: the image's user text if
 * image_text (kernel/user/ code; a program from a file brings its own),
 * the shared page if shared, the stack and an empty heap.
 */
void vm_init(struct user_mm *mm, bool image_text, bool shared);
/*
 * Loading a program into an address space no task runs yet (spawn):
 * vm_add_region adds [start, end) (page-aligned, below USER_HEAP_BASE, not
 * overlapping): 0, -EINVAL or -ENOMEM (no slot); vm_load_page maps a
 * zeroed page at va (in a region) if there is none and returns its kernel
 * (linear-map) address for the loader to fill, or NULL without memory.
 */
long vm_add_region(struct user_mm *mm, u64 start, u64 end, u32 prot, u32 kind);
void *vm_load_page(struct user_mm *mm, u64 va);

/* Frees an address space no CPU runs any more, and drops its file mappings (user_release). */
void vm_destroy(struct user_mm *mm);

/* First-touch faults served since boot, all processes (the tests count them). */
u64 vm_fault_total(void);

/* The system calls' back ends (kernel/mm/sys_mm.c checks the arguments). */
u64 vm_brk(struct user_mm *mm, u64 addr);
/*
 * A region of len bytes with how's prot, flags, file and pgoff (start and
 * end are set here): at addr exactly if fixed, unmapping the mmap regions
 * there first (the caller checked the window). It takes over how->file's
 * mapping reference, success or not.
 */
long vm_mmap(struct user_mm *mm, u64 addr, u64 len, const struct vm_region *how, bool fixed);
long vm_munmap(struct user_mm *mm, u64 addr, u64 len);
/*
 * mmap regions only: -ENOMEM where nothing is mapped, -EINVAL for another
 * kind, -EACCES for PROT_WRITE on a region without VM_MAY_WRITE; splits
 * and merges regions.
 */
long vm_mprotect(struct user_mm *mm, u64 addr, u64 len, u32 prot);

#endif
