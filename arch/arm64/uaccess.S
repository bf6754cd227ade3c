/* Copies to and from user memory with unprivileged loads/stores; a fault there resumes at a fixup that returns the bytes left. */

/*
 * LDTR/STTR at EL1 check EL0's permissions: a user pointer can reach only
 * what EL0 itself could (a read-only text page refuses a store, the kernel
 * half refuses everything). A user page not yet touched (demand paging,
 * docs/mm.md) faults as well: the fault is not handled here but turned
 * into a return, and kernel/uaccess.c (copy_to_user, copy_from_user)
 * pages it in, in task context where it may take locks and sleep, then
 * copies the rest.
 *
 * Every instruction that touches user memory is listed in __ex_table
 * (arch/arm64/extable.c): two 32-bit offsets from the entry itself, to the
 * instruction and to its fixup, so the table needs no relocation. The
 * kernel-side access of each copy is an ordinary load or store: a fault
 * there is a kernel bug and is fatal as any other.
 */

	/* insn, listed with its fixup label */
	.macro	user fixup, insn:vararg
9999:	\insn
	.pushsection __ex_table, "a"
	.balign	4
	.long	9999b - ., \fixup - .
	.popsection
	.endm

/*
 * Both: x0 = destination, x1 = source, x2 = bytes. Returns in x0 the bytes
 * not copied: 0, or from the first chunk (8 bytes, then single bytes) that
 * faulted on. A chunk is copied again whole after a fault, so its partial
 * effect does not matter.
 */
	.text
	.globl	__arch_copy_to_user
__arch_copy_to_user:
	cmp	x2, #8
	b.lo	2f
1:	ldr	x3, [x1]
	user	9f, sttr x3, [x0]
	add	x0, x0, #8
	add	x1, x1, #8
	sub	x2, x2, #8
	cmp	x2, #8
	b.hs	1b
2:	cbz	x2, 9f
	ldrb	w3, [x1]
	user	9f, sttrb w3, [x0]
	add	x0, x0, #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	2b
9:	mov	x0, x2
	ret

	.globl	__arch_copy_from_user
__arch_copy_from_user:
	cmp	x2, #8
	b.lo	2f
1:	user	9f, ldtr x3, [x1]
	str	x3, [x0]
	add	x0, x0, #8
	add	x1, x1, #8
	sub	x2, x2, #8
	cmp	x2, #8
	b.hs	1b
2:	cbz	x2, 9f
	user	9f, ldtrb w3, [x1]
	strb	w3, [x0]
	add	x0, x0, #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	2b
9:	mov	x0, x2
	ret
