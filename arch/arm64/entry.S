/* Exception vector table: save a full register frame, call the C handler, restore and eret. */
#include <asm/ptrace.h>

/*
 * Each vector slot is 128 bytes: it makes room for the frame, saves x0/x1,
 * puts its kind in x1 and branches to a common body. IRQs at the current EL
 * with SP_ELx go to trap_irq; synchronous ones to trap_sync (which may resume,
 * e.g. a test's expected brk); everything else is unexpected and fatal.
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
	vector	4, vec_sync		// current EL, SP_ELx: the kernel
	vector	5, vec_irq
	vector	6, vec_unexpected	// FIQ: not used
	vector	7, vec_unexpected	// SError
	vector	8, vec_unexpected	// lower EL: no user space yet
	vector	9, vec_unexpected
	vector	10, vec_unexpected
	vector	11, vec_unexpected
	vector	12, vec_unexpected
	vector	13, vec_unexpected
	vector	14, vec_unexpected
	vector	15, vec_unexpected

/* Save x2..x30, the pre-exception sp and the exception registers. */
	.macro	save_rest
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
	add	x2, sp, #FRAME_SIZE
	stp	x30, x2, [sp, #FRAME_LR]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #FRAME_ELR]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #FRAME_ESR]
	.endm

/* Restore everything (ELR/SPSR may have been changed by the handler) and return. */
	.macro	restore_all
	ldp	x2, x3, [sp, #FRAME_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x0, x1, [sp, #(0 * 8)]
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
	ldr	x30, [sp, #FRAME_LR]
	add	sp, sp, #FRAME_SIZE
	eret
	.endm

vec_sync:
	save_rest
	mov	x0, sp
	bl	trap_sync
	restore_all

vec_irq:
	save_rest
	mov	x0, sp
	bl	trap_irq
	restore_all

vec_unexpected:
	save_rest
	mov	x0, sp
	bl	trap_unexpected		// does not return
1:	wfi
	b	1b
