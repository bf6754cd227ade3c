/* Context switch: save the callee-saved registers, sp and lr of one task and load another's. */

/*
 * cpu_switch_to(prev, next): x0 = prev, x1 = next, both struct task with
 * struct cpu_context at offset 0. Only callee-saved state needs saving: the
 * caller (schedule) has already spilled everything else per the AAPCS64.
 * Returns in the context of 'next' with x0 = prev, so the task that now
 * runs can finish the switch (release the run-queue lock, mark prev off CPU).
 * No FP/SIMD state: the kernel is built with -mgeneral-regs-only (EL0's is
 * switched lazily, fpsimd.c). TPIDR_EL0 is switched here: EL0 may write it
 * with a plain msr, and one process must not read another's.
 */
	.text
	.globl	cpu_switch_to
cpu_switch_to:
	mov	x9, sp
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	str	x9, [x0, #96]
	mrs	x10, tpidr_el0
	str	x10, [x0, #104]
	ldr	x10, [x1, #104]
	msr	tpidr_el0, x10		// EL0 reads it only after an eret, which synchronises it
	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldr	x9, [x1, #96]
	mov	sp, x9
	ret				// to next's saved lr (x0 still = prev)

/*
 * A new task's first "return" lands here (its saved lr) with x0 = prev and
 * x19 = the task itself (set by task_create).
 */
	.globl	task_entry
task_entry:
	mov	x1, x19
	bl	task_start		// does not return
1:	b	1b
