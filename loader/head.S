/* Serial chain-loader entry: arm64 Image header, move out of the way of the kernel it receives, jump to it. */
#include <asm/sysreg.h>

/*
 * The firmware (or QEMU) loads this Image where it would load a kernel and
 * enters it the same way: x0 = DTB, MMU and D-cache off, at EL2 on a Pi 5.
 * The received kernel must go exactly there, so the loader first copies
 * itself LOADER_WINDOW higher (further, past the DTB, if the DTB lies
 * there), applies its relocations for that address and runs C from there.
 * It never turns the MMU on and never changes exception level: the kernel
 * it starts is entered as the firmware would have entered it.
 *
 * Like the kernel it is linked at 0 as a position-independent executable;
 * the few absolute pointers in its data (tables of strings in fdt.c) are
 * R_AARCH64_RELATIVE relocations applied below.
 */
#define LOADER_WINDOW (64 << 20)	/* room left for the kernel: its image_size is ~3 MiB */
#define ALIGN_2M ((2 << 20) - 1)

	.section .head.text, "ax"
	.globl	_head
_head:
	b	loader_entry		// code0
	.long	0			// code1
	.quad	0			// text_offset: a 2 MiB-aligned base + 0
	.quad	_loader_size		// image_size: includes BSS (the buffers) and the stack
	.quad	0xa			// flags: little-endian, 4K pages, placed anywhere
	.quad	0
	.quad	0
	.quad	0
	.ascii	"ARM\x64"
	.long	0

loader_entry:
	mov	x19, x0			// x19 = DTB
	msr	daifset, #0xf
	adrp	x20, _head		// x20 = where we were loaded: the received kernel goes here
	mov	x21, #LOADER_WINDOW
	add	x21, x20, x21
	mov	x3, #ALIGN_2M		// a bitmask immediate; too wide for add
	add	x21, x21, x3
	and	x21, x21, #~ALIGN_2M	// x21 = our new home, 2 MiB-aligned
	/* A DTB overlapping [x21, x21 + _loader_size): go past its end instead. */
	cbz	x19, 1f
	ldr	w0, [x19, #4]		// totalsize, big-endian (a DTB is 8-byte aligned)
	rev	w0, w0
	add	x0, x19, x0		// x0 = DTB end
	ldr	x1, =_loader_size
	add	x1, x21, x1		// x1 = end of the new home
	cmp	x19, x1
	b.hs	1f
	cmp	x0, x21
	b.ls	1f
	add	x21, x0, x3
	and	x21, x21, #~ALIGN_2M
1:
	/* No dirty line left by the firmware may later be written back over the copy. */
	mov	x0, x21
	ldr	x1, =_loader_size
	add	x1, x21, x1
	bl	loader_dcache_inval
	/* Copy the file part ([_head, _edata), 16-byte multiple) up, 16 bytes at a time. */
	mov	x0, x20
	mov	x1, x21
	ldr	x2, =_loader_file_size
	add	x2, x20, x2
2:	ldp	x3, x4, [x0], #16
	stp	x3, x4, [x1], #16
	cmp	x0, x2
	b.lo	2b
	dsb	sy
	ic	iallu			// the I-cache may hold lines of whatever was at x21
	dsb	sy
	isb
	adr	x0, relocated
	sub	x0, x0, x20
	add	x0, x0, x21
	br	x0

relocated:
	adrp	x0, __bss_start		// PC-relative: the new copy's BSS
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
3:	cmp	x0, x1
	b.hs	4f
	stp	xzr, xzr, [x0], #16
	b	3b
4:	adrp	x0, __rela_start
	add	x0, x0, :lo12:__rela_start
	adrp	x1, __rela_end
	add	x1, x1, :lo12:__rela_end
	mov	x4, #1027		// R_AARCH64_RELATIVE (check-relocs.sh refuses anything else)
5:	cmp	x0, x1
	b.hs	6f
	ldp	x2, x3, [x0], #16
	ldr	x5, [x0], #8
	cmp	x3, x4
	b.ne	5b
	add	x5, x5, x21
	str	x5, [x21, x2]
	b	5b
6:	adrp	x0, loader_stack_top
	add	x0, x0, :lo12:loader_stack_top
	mov	sp, x0
	mov	x0, x19			// loader_main(dtb, load base, home, entry EL)
	mov	x1, x20
	mov	x2, x21
	mrs	x3, CurrentEL
	lsr	x3, x3, #2
	mov	x29, xzr
	mov	x30, xzr
	bl	loader_main
7:	wfi
	b	7b

/*
 * loader_jump(entry, dtb, [start, end)): the received kernel is in memory
 * (written with the MMU off, so past the caches); invalidate any stale
 * line over it, so the kernel's cached reads see what was written, then the
 * I-cache, and enter it as the boot protocol says: x0 = DTB, x1-x3 = 0,
 * MMU off, interrupts masked, at the exception level we were entered at.
 */
	.text
	.globl	loader_jump
loader_jump:
	mov	x19, x0
	mov	x20, x1
	mov	x0, x2
	mov	x1, x3
	bl	loader_dcache_inval
	ic	iallu
	dsb	sy
	isb
	mov	x0, x20
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x19

/* loader_dcache_inval(start, end): invalidate [start, end) to the point of coherency. */
	.globl	loader_dcache_inval
loader_dcache_inval:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		// DminLine: log2(words) of the smallest D-line
	mov	x2, #4
	lsl	x2, x2, x3
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	cmp	x0, x1
	b.hs	2f
	dc	ivac, x0
	add	x0, x0, x2
	b	1b
2:	dsb	sy
	ret

	.ltorg

	.section .bss.stack, "aw", %nobits
	.balign	16
	.skip	16384
loader_stack_top:
