/* Kernel stacks with an unmapped guard page below each one: an overflow faults, and is reported as an overflow. */
#ifndef LOCKLAB_STACK_GUARD_H
#define LOCKLAB_STACK_GUARD_H

#include <locklab/types.h>
#include <asm/boot.h> /* STACK_GUARD_SIZE: one page of the 4 KiB granule */

/* One slot: the guard page, then the stack, which grows down towards it. Slots are page aligned. */
#define GUARDED_STACK(size)                 \
	struct {                            \
		u8 guard[STACK_GUARD_SIZE]; \
		u8 stack[size];             \
	} __attribute__((aligned(STACK_GUARD_SIZE)))

/* An array of guarded stack slots, described for the MMU (which unmaps the guards) and the fault report. */
struct stack_region {
	u64 base;      /* first slot's guard page */
	u64 slot_size; /* bytes from one slot to the next */
	u32 count;
	const char *what; /* "task stack" / "boot stack" */
};

void task_stack_region(struct stack_region *r); /* kernel/sched/task.c */
void boot_stack_region(struct stack_region *r); /* arch/arm64/smp.c */
void exc_stack_region(struct stack_region *r);	/* arch/arm64/traps.c */

/*
 * If addr is in a guard page, writes what it guards ("task stack 3 (fuzz)"
 * or "boot stack of cpu1") into buf and returns true.
 */
bool stack_guard_hit(u64 addr, char *buf, u32 n);
/* Whether [addr, addr+len) touches any guard page (len > 0, no wrap: uaccess_ok checks first). */
bool stack_guard_overlaps(u64 addr, u64 len);
/* The name of the task whose stack slot is i (for the report), or NULL if the slot is free. */
const char *task_stack_owner(u32 slot);

#endif
