/* pan_probe_load: a privileged load that reports a fault instead of taking the kernel down (the vm suite's PAN case). */

/*
 * x0 = an address in the user half. Returns 0 if an ordinary (privileged)
 * ldr from it worked, 1 if it faulted: listed in __ex_table like the
 * copies in uaccess.S, so arch/arm64/extable.c resumes at 9f. With PAN on
 * and the address an EL0 page, it must fault.
 */
	.text
	.globl	pan_probe_load
pan_probe_load:
1:	ldr	x1, [x0]
	mov	x0, #0
	ret
9:	mov	x0, #1
	ret
	.pushsection __ex_table, "a"
	.balign	4
	.long	1b - ., 9b - .
	.popsection
