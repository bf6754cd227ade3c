/* Exception vector table: save a full register frame, call the C handler, restore and eret. */
#include <asm/boot.h>
#include <asm/ptrace.h>

/*
 * Each vector slot is 128 bytes: it makes room for the frame, saves x0/x1,
 * puts its kind in x1 and branches to a common body. IRQs at the current EL
 * with SP_ELx go to trap_irq; synchronous ones to trap_sync (which may resume,
 * e.g. a test's expected brk). From EL0 (AArch64): synchronous exceptions to
 * trap_el0 (system calls, faults), IRQs to trap_irq, both on the task's
 * kernel stack. Everything else is unexpected and fatal.
 */
	.macro	vector kind, target
	.balign	128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #(FRAME_X0 + 0 * 8)]
	mov	x1, #\kind
	b	\target
	.endm

	.text
	.balign	2048
	.globl	exception_vectors
exception_vectors:
	vector	0, vec_unexpected	// current EL, SP_EL0: never used
	vector	1, vec_unexpected
	vector	2, vec_unexpected
	vector	3, vec_unexpected
	.balign	128			// current EL, SP_ELx: the kernel
	msr	tpidrro_el0, x0		// a free register for vec_sync (ret_to_user clears it)
	b	vec_sync
	vector	5, vec_irq
	vector	6, vec_unexpected	// FIQ: not used
	vector	7, vec_unexpected	// SError
	vector	8, vec_el0_sync		// lower EL, AArch64: user processes
	vector	9, vec_el0_irq
	vector	10, vec_unexpected
	vector	11, vec_unexpected
	vector	12, vec_unexpected
	vector	13, vec_unexpected
	vector	14, vec_unexpected
	vector	15, vec_unexpected

/* Save x2..x30, the pre-exception sp and the exception registers. */
	.macro	save_rest
	add	x0, sp, #FRAME_SIZE	// x0 and x1 are saved already (the vector did it)
	msr	sp_el0, x0
	save_rest_sp_el0
	.endm

/* The same, with the pre-exception sp in SP_EL0 (unused otherwise: the kernel runs on SP_EL1). */
	.macro	save_rest_sp_el0
	stp	x2, x3, [sp, #(2 * 8)]
	stp	x4, x5, [sp, #(4 * 8)]
	stp	x6, x7, [sp, #(6 * 8)]
	stp	x8, x9, [sp, #(8 * 8)]
	stp	x10, x11, [sp, #(10 * 8)]
	stp	x12, x13, [sp, #(12 * 8)]
	stp	x14, x15, [sp, #(14 * 8)]
	stp	x16, x17, [sp, #(16 * 8)]
	stp	x18, x19, [sp, #(18 * 8)]
	stp	x20, x21, [sp, #(20 * 8)]
	stp	x22, x23, [sp, #(22 * 8)]
	stp	x24, x25, [sp, #(24 * 8)]
	stp	x26, x27, [sp, #(26 * 8)]
	stp	x28, x29, [sp, #(28 * 8)]
	mrs	x2, sp_el0
	stp	x30, x2, [sp, #FRAME_LR]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #FRAME_ELR]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #FRAME_ESR]
	.endm

/* ELR/SPSR (the handler may have changed them) and x2..x29 from the frame at sp. */
	.macro	restore_x2_x29
	ldp	x2, x3, [sp, #FRAME_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x2, x3, [sp, #(2 * 8)]
	ldp	x4, x5, [sp, #(4 * 8)]
	ldp	x6, x7, [sp, #(6 * 8)]
	ldp	x8, x9, [sp, #(8 * 8)]
	ldp	x10, x11, [sp, #(10 * 8)]
	ldp	x12, x13, [sp, #(12 * 8)]
	ldp	x14, x15, [sp, #(14 * 8)]
	ldp	x16, x17, [sp, #(16 * 8)]
	ldp	x18, x19, [sp, #(18 * 8)]
	ldp	x20, x21, [sp, #(20 * 8)]
	ldp	x22, x23, [sp, #(22 * 8)]
	ldp	x24, x25, [sp, #(24 * 8)]
	ldp	x26, x27, [sp, #(26 * 8)]
	ldp	x28, x29, [sp, #(28 * 8)]
	.endm

/* Restore everything and return; the frame sits just below the pre-exception sp. */
	.macro	restore_all
	restore_x2_x29
	ldp	x0, x1, [sp, #(0 * 8)]
	ldr	x30, [sp, #FRAME_LR]
	add	sp, sp, #FRAME_SIZE
	eret
	.endm

/*
 * Synchronous exceptions move to this CPU's exception stack first: a stack
 * overflow faults with sp in a guard page, where not even the frame could
 * be saved. x0 is in TPIDRRO_EL0 (the vector put it there). Already on the
 * exception stack (a fault while handling one), or no per-CPU data yet
 * (early boot): stay on the current stack.
 */
vec_sync:
	mrs	x0, tpidr_el1
	cbz	x0, 1f
	ldr	x0, [x0, #PERCPU_EXC_SP]
	cbz	x0, 1f
	msr	sp_el0, x1
	mov	x1, sp
	sub	x1, x0, x1		// top - sp: at most EXC_STACK_SIZE when on it
	mov	x0, #(EXC_STACK_SIZE - FRAME_SIZE)
	cmp	x1, x0
	b.ls	3f			// on it, with room for one more frame: stay
	mov	x0, #(EXC_STACK_SIZE + STACK_GUARD_SIZE)
	cmp	x1, x0
	b.ls	4f			// on it without room, or in its guard page
	mrs	x1, sp_el0
	mov	x0, sp
	msr	sp_el0, x0		// the interrupted sp, for the frame
	mrs	x0, tpidr_el1
	ldr	x0, [x0, #PERCPU_EXC_SP]
	mov	sp, x0
	sub	sp, sp, #FRAME_SIZE
	mrs	x0, tpidrro_el0
	stp	x0, x1, [sp, #(FRAME_X0 + 0 * 8)]
	b	2f
3:	mrs	x1, sp_el0
1:	sub	sp, sp, #FRAME_SIZE
	mrs	x0, tpidrro_el0
	stp	x0, x1, [sp, #(FRAME_X0 + 0 * 8)]
	add	x0, sp, #FRAME_SIZE
	msr	sp_el0, x0
2:	save_rest_sp_el0
	mov	x0, sp
	mov	x1, #4
	bl	trap_sync
	/* Back to the frame's sp, wherever the frame is: x0 goes through TPIDRRO_EL0 once more. */
	restore_x2_x29
	ldp	x30, x0, [sp, #FRAME_LR]	// x0 = the frame's sp
	msr	sp_el0, x0
	ldp	x0, x1, [sp, #(0 * 8)]
	msr	tpidrro_el0, x0
	mrs	x0, sp_el0
	mov	sp, x0
	mrs	x0, tpidrro_el0
	eret

/*
 * Faults nested until the exception stack ran out: nothing can be saved
 * any more. Stop here with interrupts off; the other CPUs' watchdog
 * reports this one stuck, and the host's timeout ends the run.
 */
4:	wfi
	b	4b

vec_irq:
	save_rest
	mov	x0, sp
	bl	trap_irq
	restore_all

/*
 * From EL0: sp is SP_EL1 as ret_to_user left it, just above where its
 * frame was on the task's kernel stack (nothing in use there: the process
 * runs at EL0), so the new frame goes to the same place. Not the per-CPU
 * exception stack: a system call may sleep and switch tasks. SP_EL0 is
 * the user's sp, which the frame keeps.
 */
vec_el0_sync:
	save_rest_sp_el0
	mov	x0, sp
	bl	trap_el0		// interrupts on inside, off again on return
	b	ret_to_user_frame

vec_el0_irq:
	save_rest_sp_el0
	mov	x0, sp
	bl	trap_irq		// may switch tasks: the frame stays on this task's stack
	bl	user_return_check	// the task's return hook, if it has one
	b	ret_to_user_frame

/*
 * ret_to_user(frame): enters EL0 with every register from the frame (on
 * the task's kernel stack; sp is left just above it, where the next entry
 * from EL0 puts its frame). Its spsr must say EL0t. Interrupts are masked
 * from here to the eret: one would overwrite ELR/SPSR and SP_EL0.
 */
	.globl	ret_to_user
ret_to_user:
	mov	sp, x0
ret_to_user_frame:
	msr	daifset, #0xf
	ldr	x0, [sp, #FRAME_SP]
	msr	sp_el0, x0		// the user's sp
	msr	tpidrro_el0, xzr	// vec_sync's scratch: no kernel value readable at EL0
	restore_x2_x29
	ldp	x0, x1, [sp, #(0 * 8)]
	ldr	x30, [sp, #FRAME_LR]
	add	sp, sp, #FRAME_SIZE
	eret

vec_unexpected:
	save_rest
	mov	x0, sp
	bl	trap_unexpected		// does not return
1:	wfi
	b	1b
