/* Test helper: do callee-saved registers survive a call that context-switches? */

/*
 * u64 regs_survive_call(void (*fn)(void), u64 seed)
 * Loads x19..x28 and x29 with values derived from seed, calls fn (which
 * yields to other tasks that clobber their own registers), and returns a
 * bitmask of the registers whose value changed (bit i: x19+i; bit 10: x29).
 * Our caller's own callee-saved registers are saved and restored around it.
 */
	.text
	.globl	regs_survive_call
regs_survive_call:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mov	x9, x0			// fn
	add	x19, x1, #19
	add	x20, x1, #20
	add	x21, x1, #21
	add	x22, x1, #22
	add	x23, x1, #23
	add	x24, x1, #24
	add	x25, x1, #25
	add	x26, x1, #26
	add	x27, x1, #27
	add	x28, x1, #28
	mov	x10, x1
	str	x10, [sp, #-16]!	// keep seed on the stack (sp is callee-saved too)
	mov	x29, x10		// and in the frame pointer
	blr	x9
	ldr	x10, [sp], #16
	mov	x0, #0
	.irp	n, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28
	add	x11, x10, #\n
	cmp	x\n, x11
	cset	x12, ne
	orr	x0, x0, x12, lsl #(\n - 19)
	.endr
	cmp	x29, x10
	cset	x12, ne
	orr	x0, x0, x12, lsl #10
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
