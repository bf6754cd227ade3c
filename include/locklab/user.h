/* Processes at EL0: their address spaces (TTBR0 + ASID), spawning one, and what a user fault does. */
#ifndef LOCKLAB_USER_H
#define LOCKLAB_USER_H

#include <locklab/klock.h>
#include <locklab/uaccess.h>
#include <locklab/vm.h>
#include <asm/fpsimd.h>

struct proc;
struct trap_frame;
struct task;

/*
 * The lower half (TTBR0, 39 bits) of every user process starts the same
 * (docs/mm.md, "User address spaces"); each piece is a region (vm.h):
 *   USER_TEXT_BASE    the kernel image's .user.* sections (read-only, executable at EL0)
 *   USER_SHARED_BASE  one page the spawner hands in (read-write, never executable): results
 *   USER_HEAP_BASE    the heap: empty at first, brk moves its end (up to USER_HEAP_MAX bytes)
 *   USER_MMAP_BASE    where mmap places anonymous regions, first fit, up to USER_MMAP_TOP
 *   USER_STACK_TOP    the stack, USER_STACK_PAGES pages below it (read-write), a hole below them
 * Text and the shared page are mapped at spawn; every other page is
 * allocated, zeroed, on its first touch (vm_fault).
 */
#define USER_VA_TOP	 (1UL << 39) /* the user half is [0, USER_VA_TOP) */
#define USER_TEXT_BASE	 0x400000UL
#define USER_SHARED_BASE 0x10000000UL
#define USER_HEAP_BASE	 0x40000000UL
#define USER_HEAP_MAX	 (1UL << 30)
#define USER_MMAP_BASE	 (1UL << 36)
#define USER_MMAP_TOP	 (1UL << 38)
#define USER_STACK_TOP	 USER_VA_TOP
#define USER_STACK_PAGES 16
#define USER_NAME_LEN	 16

/* Hardware ASIDs for user address spaces: 8 bits, 0 is the kernel tasks' (empty TTBR0). */
#define USER_ASID_FIRST 1
#define USER_ASID_LAST	255

/*
 * Lock order: inode, pipe, proc_tree (a copy to or from user memory
 * under them may fault a page in) -> mmap_lock -> page_arena.
 */
struct user_mm {
	/*
	 * first: "mmap_lock", SUBSYS_MM (Linux's mmap_sem): guards regions,
	 * nr_regions, brk, faults and the user leaves of the tables. Only the
	 * process itself changes them (one task per address space), but a
	 * test or the reaper may read them.
	 */
	struct klock lock;
	u64 *l1;	     /* level-1 table (linear-map address) */
	u64 ttbr0;	     /* what TTBR0_EL1 holds while the process runs: table | ASID << 48 */
	u32 asid;	     /* 1..255 */
	u64 entry;	     /* first instruction, a user address */
	u64 arg;	     /* x0 at entry */
	u64 arg1;	     /* x1 at entry (a program's argv) */
	u64 sp;		     /* sp at entry; 0: USER_STACK_TOP */
	bool session_leader; /* the console's shell: Ctrl-C ends its children, not it */
	char name[USER_NAME_LEN];
	u64 shared;				  /* the shared page's kernel address, or 0 */
	struct vm_region regions[VM_MAX_REGIONS]; /* sorted by start, never overlapping */
	u32 nr_regions;
	u64 brk;    /* the heap region's end: USER_HEAP_BASE.. */
	u64 faults; /* first-touch faults served (the tests count them) */
	u64 pages;  /* pages it owns now (anonymous or private copies, not yet unmapped) */
	/* EL0's FP/SIMD registers while they are off the CPU (arch/arm64/fpsimd.c); its task's alone */
	struct fpsimd_state fpsimd;
};

/*
 * Spawns a process that runs entry (a function in a .user.* section,
 * kernel/user/) at EL0 with x0 = arg, on cpu (or TASK_ANY_CPU). shared, if
 * not NULL, is a page (page_alloc) mapped at USER_SHARED_BASE; it stays
 * the caller's. Returns the pid, -EFAULT if entry is not user code,
 * -EAGAIN if every ASID is in use or no task slot is free, -ENOMEM.
 * Returning from entry is exit(0). The exit status is the process's
 * (exit(n)), or 128 + a signal number after a fault (USER_SIG*).
 */
long user_spawn(const char *name, long (*entry)(u64 arg), u64 arg, void *shared, int cpu);

/*
 * Turns the calling process (a kernel-task process) into a user process
 * running entry(arg) at EL0 in a new address space with the image's user
 * text and shared mapped, as user_spawn's child. Never returns on
 * success; -EFAULT (entry not user code), -EAGAIN or -ENOMEM.
 */
long user_become(const char *name, long (*entry)(u64 arg), u64 arg, void *shared);
/* Called on the way back to EL0 (traps_el0.c, entry.S after an interrupt): the task's return hook. */
void user_return_check(void);

/* Starts a process at EL0 in mm (entry, arg, arg1, sp, name set); its pid, or -errno with mm freed. */
long user_start(struct user_mm *mm, int cpu);

/*
 * Spawns the program at path (a static AArch64 ELF executable, docs/user.md)
 * with argv (NULL-terminated; argv[0] is the name it sees), on cpu (or
 * TASK_ANY_CPU). path and the strings are kernel memory (kernel/user/exec.c
 * copies a user process's in first). The pid, or -ENOENT, -EISDIR,
 * -ENOEXEC (not an executable it can load), -E2BIG (more than
 * SPAWN_MAX_ARGS arguments or SPAWN_MAX_ARG_BYTES of them), -EAGAIN,
 * -ENOMEM. It needs no free fd (the file is read outside the fd table);
 * it inherits the caller's fds and cwd, as sys_spawn.
 */
long user_spawn_file(const char *path, const char *const *argv, int cpu);
/* The same as the console session's leader (end=shell's /bin/sh): Ctrl-C ends its children, not it. */
long user_spawn_session(const char *path, const char *const *argv);
#define SPAWN_MAX_ARGS	    32
#define SPAWN_MAX_ARG_BYTES 1024

/* Signal numbers of the exit status after a user fault (Linux's). */
#define USER_SIGINT  2 /* Ctrl-C on the console */
#define USER_SIGILL  4
#define USER_SIGTRAP 5
#define USER_SIGBUS  7
#define USER_SIGKILL 9 /* a page fault found no memory */
#define USER_SIGSEGV 11

/* The ASID allocator (arch/arm64/uspace.c). asid_alloc: 1..255, or -EAGAIN when all are in use. */
long asid_alloc(void);
void asid_free(u32 asid); /* flushes its TLB entries on every CPU first */
u32 asid_in_use(void);

/* Address spaces (arch/arm64/uspace.c): inside the kernel scope (they allocate pages). */
/*
 * A new address space under a new ASID, with its first regions (vm_init):
 * the image's user text mapped if image_text, shared (if not NULL) mapped.
 * 0, -EAGAIN (no ASID) or -ENOMEM.
 */
long uspace_create(void *shared, bool image_text, struct user_mm **out);
void uspace_destroy(struct user_mm *mm); /* TTBR0 must no longer hold it on any CPU */
/* Loads ttbr0 (0: the kernel tasks' empty table, ASID 0) into TTBR0_EL1 if it is not there. */
void uspace_switch(u64 ttbr0);
/*
 * EL0's FP/SIMD registers, loaded lazily (arch/arm64/fpsimd.c): the trap
 * of a process's first FP/SIMD instruction since it was switched in loads
 * them; the scheduler saves them when it switches that task out (with
 * interrupts off); a process drops them before its address space is freed.
 */
void fpsimd_trap(void);
void fpsimd_switch_out(struct task *prev);
void fpsimd_release(void);
extern u64 fpsimd_loads, fpsimd_saves; /* atomic counters (the user suite reads them) */
/*
 * The leaves under mm's lock (vm.c): uspace_map puts page at va with prot
 * (PROT_*), a page the address space then owns (freed at unmap) if owned,
 * false without memory for a table; uspace_present says whether va has a leaf that allows acc;
 * uspace_unmap_range removes the leaves in [start, end) from the tables
 * and every CPU's TLB and frees the pages the address space owns,
 * returning how many; uspace_protect_range gives the leaves already in
 * [start, end) prot's rights (and flushes the old ones).
 */
bool uspace_map(struct user_mm *mm, u64 va, void *page, u32 prot, bool owned);
void *uspace_page(struct user_mm *mm, u64 va); /* the page mapped at va (linear address), or NULL */
bool uspace_present(struct user_mm *mm, u64 va, enum vm_access acc);
u64 uspace_unmap_range(struct user_mm *mm, u64 start, u64 end);
void uspace_protect_range(struct user_mm *mm, u64 start, u64 end, u32 prot);

/* The calling process's address space, or NULL for a kernel task. */
struct user_mm *current_mm(void);
/* Called by proc_exit for a user process: TTBR0 back to the empty table, the address space freed. */
void user_release(struct proc *p);
/* A fault at EL0 (arch/arm64/traps_el0.c): the record, then exit(128 + sig). Interrupts on. */
void user_fault(struct trap_frame *f, int sig, const char *what, u64 addr) __noreturn;
long syscall_dispatch(struct trap_frame *f);
/* The latest user fault's record line, for the tests ("" before the first). */
void user_last_fault(char *buf, u32 n);
/* WFI/WFE from EL0 trapped and turned into a yield, counted here (the user suite checks it). */
extern u64 user_wfi_traps;

#endif
