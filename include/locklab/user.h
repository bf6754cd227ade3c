/* Processes at EL0: their address spaces (TTBR0 + ASID), spawning one, and what a user fault does. */
#ifndef LOCKLAB_USER_H
#define LOCKLAB_USER_H

#include <locklab/uaccess.h>

struct proc;
struct trap_frame;

/*
 * The lower half (TTBR0, 39 bits) of every user process looks the same
 * (docs/mm.md, "User address spaces"):
 *   USER_TEXT_BASE    the kernel image's .user.* sections (read-only, executable at EL0)
 *   USER_SHARED_BASE  one page the spawner hands in (read-write, never executable): results
 *   USER_STACK_TOP    the stack, USER_STACK_PAGES pages below it (read-write), a hole below them
 */
#define USER_TEXT_BASE	 0x400000UL
#define USER_SHARED_BASE 0x10000000UL
#define USER_STACK_TOP	 (1UL << 39)
#define USER_STACK_PAGES 4
#define USER_NAME_LEN	 16

/* Hardware ASIDs for user address spaces: 8 bits, 0 is the kernel tasks' (empty TTBR0). */
#define USER_ASID_FIRST 1
#define USER_ASID_LAST	255

struct user_mm {
	u64 *l1;   /* level-1 table (linear-map address) */
	u64 ttbr0; /* what TTBR0_EL1 holds while the process runs: table | ASID << 48 */
	u32 asid;  /* 1..255 */
	u64 entry; /* first instruction, a user address */
	u64 arg;   /* x0 at entry */
	char name[USER_NAME_LEN];
	u64 shared; /* the shared page's kernel address, or 0 */
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

/* Signal numbers of the exit status after a user fault (Linux's). */
#define USER_SIGILL  4
#define USER_SIGTRAP 5
#define USER_SIGBUS  7
#define USER_SIGSEGV 11

/* The ASID allocator (arch/arm64/uspace.c). asid_alloc: 1..255, or -EAGAIN when all are in use. */
long asid_alloc(void);
void asid_free(u32 asid); /* flushes its TLB entries on every CPU first */
u32 asid_in_use(void);

/* Address spaces (arch/arm64/uspace.c): inside the kernel scope (they allocate pages). */
/* Maps text, stack and shared (if not NULL) under a new ASID: 0, -EAGAIN (no ASID) or -ENOMEM. */
long uspace_create(void *shared, struct user_mm **out);
void uspace_destroy(struct user_mm *mm); /* TTBR0 must no longer hold it on any CPU */
/* Loads ttbr0 (0: the kernel tasks' empty table, ASID 0) into TTBR0_EL1 if it is not there. */
void uspace_switch(u64 ttbr0);
/* Whether [p, p+len) is mapped in mm, for dir (UACCESS_WRITE: writable); the uaccess check for user pointers. */
bool uspace_range_ok(struct user_mm *mm, u64 p, u64 len, enum uaccess_dir dir);

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
