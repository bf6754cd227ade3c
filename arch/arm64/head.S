/* Kernel entry: arm64 Image header, EL2->EL1 drop, MMU on and the jump to the upper half, self-relocation, secondary entry. */
#include <asm/sysreg.h>
#include <asm/boot.h>
#include <asm/memory.h>

/*
 * Load-address independence: the kernel is linked at 0 as a position-
 * independent executable (-fpie, hidden symbols) and runs from the upper
 * half at the linear-map alias of wherever the loader put it (asm/memory.h:
 * va = PAGE_OFFSET + pa), e.g. 0xffffff8040200000 when QEMU virt loads it at
 * 0x40200000; a Raspberry Pi 5 loads it at 0x200000. Code only uses
 * PC-relative addressing, so the same instructions run at the physical
 * address (MMU off) and at the high one; the absolute pointers stored in
 * data (tables of function pointers, strings) are listed in .rela.dyn as
 * R_AARCH64_RELATIVE and fixed up below by adding PAGE_OFFSET + the load
 * address.
 *
 * The identity map (TTBR0) exists only for turning the MMU on: the
 * instruction after the one that sets SCTLR_EL1.M is fetched at the
 * physical address, translated. Then a branch to the linear alias, and
 * TTBR0 gets an empty table (ttbr0_drop): from there on a low address faults
 * in a kernel task, and TTBR0 is free for user address spaces.
 *
 * Order matters on real Cortex-A cores: no exclusive or atomic access may run
 * before the MMU and D-cache are on with RAM mapped Normal write-back (QEMU
 * does not care, the Pi does). So: drop to EL1, map, MMU on, jump high, then
 * zero BSS, relocate and call C.
 */

	.section .head.text, "ax"
	.globl	_head
_head:
	b	primary_entry		// code0: branch to the real entry
	.long	0			// code1
	.quad	0			// text_offset: load at a 2 MiB-aligned base + 0
	.quad	_kernel_size		// image_size: includes BSS and page tables
	.quad	0xa			// flags: little-endian, 4K pages, placed anywhere
	.quad	0			// res2
	.quad	0			// res3
	.quad	0			// res4
	.ascii	"ARM\x64"		// magic
	.long	0			// res5: no PE/COFF header

primary_entry:
	mov	x19, x0			// x19 = DTB physical address (0 if none)
	msr	daifset, #0xf
	msr	tpidr_el1, xzr		// UNKNOWN at reset: 0 means "no per-CPU data yet"
	mrs	x20, CurrentEL
	lsr	x20, x20, #2		// x20 = entry exception level
	bl	el2_to_el1
	adrp	x21, _head		// x21 = physical load address (PC-relative, MMU off)
	bl	dtb_move_out_of_image	// x19 = a DTB clear of the image, x22 = where it was if moved

	/*
	 * Early table: one L1 table, 512 x 1 GiB blocks covering 512 GiB of
	 * physical space, all Device-nGnRE except the GiB holding the kernel,
	 * which is Normal memory. It is loaded in TTBR0 and TTBR1 alike: as
	 * the identity map and as the linear map (asm/memory.h: a level-1
	 * index is the same VA bits in both). arch/arm64/mmu.c replaces the
	 * TTBR1 one with a map built from the device tree's /memory once C
	 * runs; secondaries use this one as their identity map.
	 */
	/*
	 * .pgtables lies beyond the file the loader cleaned to memory: a dirty
	 * line left there by firmware could be written back over our uncached
	 * stores, so invalidate before writing as well as after.
	 */
	adrp	x0, init_pg_dir
	add	x1, x0, #4096
	bl	dcache_inval_range_early
	adrp	x0, init_pg_dir
	mov	x1, #0			// x1 = block index
	ldr	x3, =PTE_BLOCK_DEVICE
1:	orr	x2, x3, x1, lsl #30
	str	x2, [x0, x1, lsl #3]
	add	x1, x1, #1
	cmp	x1, #512
	b.lo	1b
	ldr	x3, =PTE_BLOCK_NORMAL
	lsr	x1, x21, #30		// the kernel's GiB ...
	orr	x2, x3, x1, lsl #30
	str	x2, [x0, x1, lsl #3]
	/*
	 * ... and the GiB of its last byte (the same one unless the image
	 * straddles a boundary). Not the next GiB blindly: a Normal mapping
	 * may be read speculatively, and past a small board's RAM there may
	 * be nothing that answers.
	 */
	adrp	x1, _end		// page-aligned, PC-relative: the physical end
	sub	x1, x1, #1
	lsr	x1, x1, #30
	cmp	x1, #512
	b.hs	8f
	orr	x2, x3, x1, lsl #30
	str	x2, [x0, x1, lsl #3]
8:	lsr	x1, x19, #30		// the DTB's GiB: it is RAM, and the parser may read it unaligned
	cbz	x19, 9f
	cmp	x1, #512
	b.hs	9f
	orr	x2, x3, x1, lsl #30
	str	x2, [x0, x1, lsl #3]
9:
	/*
	 * The stores went to memory (MMU off = non-cacheable). Invalidate any
	 * stale cache lines over the table so the cacheable table walk and later
	 * cached reads see what was written.
	 */
	dsb	sy
	add	x1, x0, #4096
	bl	dcache_inval_range_early
	adrp	x0, init_pg_dir		// TTBR0: identity, for the next instructions
	mov	x1, x0			// TTBR1: the linear map, where the kernel will run
	bl	mmu_on
	bl	jump_high		// from here on PC-relative addresses are high
	add	x24, x21, x23		// x24 = the image's virtual base: PAGE_OFFSET + load address

	/* Caches on: now BSS can be zeroed and relocations applied. */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
2:	cmp	x0, x1
	b.hs	3f
	stp	xzr, xzr, [x0], #16
	b	2b
3:
	adrp	x0, __rela_start
	add	x0, x0, :lo12:__rela_start
	adrp	x1, __rela_end
	add	x1, x1, :lo12:__rela_end
	mov	x4, #1027		// R_AARCH64_RELATIVE (the link checks nothing else exists)
4:	cmp	x0, x1
	b.hs	5f
	ldp	x2, x3, [x0], #16	// r_offset, r_info
	ldr	x5, [x0], #8		// r_addend
	cmp	x3, x4
	b.ne	4b
	add	x5, x5, x24		// value = virtual base + addend
	str	x5, [x24, x2]		// at virtual base + offset
	b	4b
5:
	adrp	x0, boot_load_addr
	str	x21, [x0, :lo12:boot_load_addr] // the physical address, for the boot record

	/* CPU 0's per-CPU data (id 0: BSS is zero) and the first of boot_stacks. */
	adrp	x0, percpu_area
	add	x0, x0, :lo12:percpu_area
	msr	tpidr_el1, x0
	adrp	x0, boot_stacks
	add	x0, x0, :lo12:boot_stacks
	ldr	x1, =(STACK_GUARD_SIZE + CONFIG_KERNEL_STACK_KB * 1024) /* above slot 0's guard page */
	add	sp, x0, x1
	adrp	x0, exception_vectors
	add	x0, x0, :lo12:exception_vectors
	msr	vbar_el1, x0
	isb
	mov	x0, x19
	mov	x1, x20
	mov	x2, x22
	mov	x29, xzr		// terminate frame-pointer chains
	mov	x30, xzr
	bl	start_kernel
6:	wfi				// start_kernel does not return
	b	6b

/*
 * Secondary CPUs arrive here (at its physical address) from PSCI CPU_ON
 * with the MMU off and x0 = the physical address of their struct cpu_boot,
 * which the boot CPU cleaned to the point of coherency so it can be read
 * uncached. They take the boot CPU's path: head.S's early table as the
 * identity map, the final kernel tables in TTBR1, the jump high, TTBR0
 * emptied.
 */
	.text
	.globl	secondary_entry
secondary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	bl	el2_to_el1
	adrp	x0, init_pg_dir		// physical (MMU off): the identity map
	ldr	x1, [x19, #CPU_BOOT_TTBR1]
	bl	mmu_on
	bl	jump_high
	add	x19, x19, x23		// struct cpu_boot through the linear map (cacheable: it was cleaned)
	ldr	x0, [x19, #CPU_BOOT_SP]
	mov	sp, x0
	ldr	x0, [x19, #CPU_BOOT_PERCPU]
	msr	tpidr_el1, x0
	adrp	x0, exception_vectors
	add	x0, x0, :lo12:exception_vectors
	msr	vbar_el1, x0
	isb
	ldr	x0, [x19, #CPU_BOOT_CPU]
	mov	x29, xzr
	mov	x30, xzr
	bl	secondary_start
7:	wfi
	b	7b

/*
 * A CPU started here never answers: the cpu_on_silent= boot option points
 * one secondary's CPU_ON at it, to test the boot CPU's timeout path.
 */
	.globl	secondary_silent
secondary_silent:
	msr	daifset, #0xf
8:	wfi
	b	8b

/*
 * dtb_move_out_of_image: the DTB (x19) must lie clear of the whole image,
 * [_head, _end) with x21 = _head: the BSS and the page tables follow the
 * file in memory, and building the early table and zeroing BSS would wipe
 * a DTB that a loader ignoring the header's image_size put there. Such a
 * DTB is copied to just past both (x19 = the copy) and x22 = where it was,
 * so start_kernel can report the loader's mistake and, if the tree lay
 * wholly past the loaded file, go on with the copy (nothing has written
 * there yet); x22 = 0 otherwise. Runs with the MMU off, so every access is
 * aligned (a DTB is 8-byte aligned; an unaligned or invalid one is left to
 * the C checks). Clobbers x0-x4, x22-x24.
 */
dtb_move_out_of_image:
	mov	x22, xzr
	cbz	x19, 9f
	tst	x19, #7
	b.ne	9f
	ldr	w0, [x19]
	ldr	w1, =0xedfe0dd0		// 0xd00dfeed (big-endian) as a little-endian load sees it
	cmp	w0, w1
	b.ne	9f
	ldr	w2, [x19, #4]
	rev	w2, w2			// totalsize
	mov	x4, #(64 << 20)		// fdt.c's limit: a larger one is rejected there, not copied
	cmp	x2, x4
	b.hi	9f
	add	x3, x19, x2		// x3 = end of the DTB
	adrp	x4, _end		// page-aligned
	cmp	x19, x4
	b.hs	9f			// starts at or past the image's end
	cmp	x3, x21
	b.ls	9f			// ends at or before its start
	mov	x22, x19
	cmp	x3, x4
	csel	x23, x3, x4, hi		// copy to max(DTB end, image end), 8-aligned
	add	x23, x23, #7
	and	x23, x23, #~7
	add	x2, x2, #7
	and	x2, x2, #~7
	add	x24, x23, x2		// [x23, x24): the copy
	mov	x4, x30
	mov	x0, x23			// no stale line over the copy, before or after (as for the table)
	mov	x1, x24
	bl	dcache_inval_range_early
	mov	x0, x19
	mov	x1, x23
1:	ldr	x2, [x0], #8
	str	x2, [x1], #8
	cmp	x1, x24
	b.lo	1b
	dsb	sy
	mov	x0, x23
	mov	x1, x24
	bl	dcache_inval_range_early
	mov	x30, x4
	mov	x19, x23
9:	ret

/*
 * el2_to_el1: if running at EL2, configure what the firmware leaves alone
 * (the Pi 5's BL31 sets none of HCR_EL2, CNTHCTL_EL2, CNTVOFF_EL2, CPTR_EL2)
 * and eret to EL1h with interrupts masked, returning to the caller at EL1.
 * At EL1 it only puts SCTLR_EL1 in a known MMU-off state. Both leave FP/SIMD
 * untrapped at EL1 (CPACR_EL1.FPEN). Clobbers x0-x2.
 */
el2_to_el1:
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.eq	1f
	ldr	x0, =SCTLR_EL1_RES1	// MMU and caches off until mmu_on
	msr	sctlr_el1, x0
	mov	x0, #CPACR_EL1_FPEN_EL1	// see below
	msr	cpacr_el1, x0
	isb
	ret
1:	mov	x0, #HCR_EL2_RW		// EL1 is AArch64, no traps or routing to EL2
	msr	hcr_el2, x0
	isb				// E2H (reset value unknown) settles before CNTHCTL/SCTLR below
	mov	x0, #(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
	msr	cnthctl_el2, x0		// EL1 may use the physical counter/timer
	msr	cntvoff_el2, xzr	// virtual counter = physical counter
	mov	x0, #CPTR_EL2_DEFAULT	// do not trap FP/SIMD or anything else
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	mrs	x0, midr_el1		// EL1 reads of MIDR/MPIDR return these
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	mrs	x0, pmcr_el0		// give EL1 all PMU counters (HPMN = PMCR.N)
	ubfx	x0, x0, #11, #5
	msr	mdcr_el2, x0
	mrs	x0, id_aa64pfr0_el1	// GICv3 system registers present?
	ubfx	x0, x0, #24, #4
	cbz	x0, 2f
	mrs	x0, ICC_SRE_EL2
	mov	x1, #0x9		// SRE: sysreg interface; Enable: EL1 may use ICC_SRE_EL1
	orr	x0, x0, x1
	msr	ICC_SRE_EL2, x0
	isb
	mrs	x0, ICC_SRE_EL2		// the sysreg interface may be disabled after all:
	tbz	x0, #0, 2f		// then ICH_* would trap to an EL2 vector we don't own
	msr	ICH_HCR_EL2, xzr	// no virtual interrupts
2:	msr	vttbr_el2, xzr
	ldr	x0, =SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	/*
	 * FP/SIMD untrapped at EL1 although the kernel is built without it
	 * (-mgeneral-regs-only): CPACR_EL1 is UNKNOWN at reset and firmware
	 * may leave it either way (QEMU 7.2 enters this Image with FP
	 * trapped at EL1 and EL2 alike), so a stray FP instruction would
	 * trap on one board and not another.
	 */
	mov	x0, #CPACR_EL1_FPEN_EL1
	msr	cpacr_el1, x0
	mov	x0, #SPSR_EL1H_DAIF
	msr	spsr_el2, x0
	msr	elr_el2, x30
	isb
	eret

/*
 * mmu_on: x0 = identity-map L1 table (TTBR0), x1 = kernel L1 table (TTBR1),
 * both physical; the MMU is off. Same MAIR/TCR on every CPU; IPS from the
 * CPU's own PARange (40 bits on Cortex-A76: the Pi 5's peripherals sit above
 * 64 GiB). Returns at the physical address, translated by the identity map.
 * Clobbers x0-x3.
 */
mmu_on:
	ldr	x2, =MAIR_EL1_VALUE
	msr	mair_el1, x2
	mrs	x2, id_aa64mmfr0_el1
	ubfx	x2, x2, #0, #4		// PARange
	cmp	x2, #5
	mov	x3, #5
	csel	x2, x2, x3, ls		// 48 bits at most in this TCR layout
	lsl	x2, x2, #TCR_IPS_SHIFT
	ldr	x3, =TCR_EL1_BASE	// both halves walked: EPD0 = EPD1 = 0
	orr	x2, x2, x3
	msr	tcr_el1, x2
	msr	ttbr0_el1, x0
	msr	ttbr1_el1, x1
	isb				// TCR/TTBR visible before the TLB flush
	tlbi	vmalle1			// no stale translations from the firmware
	dsb	nsh
	ic	iallu			// no stale instructions once the I-cache is on
	dsb	nsh
	isb
	ldr	x1, =SCTLR_EL1_MMU_ON
	msr	sctlr_el1, x1
	isb				// following fetches use the new translation
	ret

/*
 * jump_high: called at a physical address with the MMU on and the identity
 * map in TTBR0; returns to the caller's linear alias (x30 + PAGE_OFFSET)
 * with TTBR0 emptied, and x23 = PAGE_OFFSET. Clobbers x0.
 */
jump_high:
	ldr	x23, =PAGE_OFFSET	// a constant, not a symbol: no relocation needed
	adr	x0, 1f
	add	x0, x0, x23
	add	x30, x30, x23
	br	x0			// this routine's own linear alias
1:	b	ttbr0_drop		// tail call: returns to the caller, high

/*
 * ttbr0_drop: the identity map leaves TTBR0. Runs from the upper half.
 * TTBR0 then holds empty_pg_dir with ASID 0 (the kernel tasks' address
 * space, TCR_EL1.EPD0 = 0): the lower half is walked, finds nothing and
 * faults, until a user process's table and ASID are loaded there
 * (arch/arm64/uspace.c). Clobbers x0.
 */
ttbr0_drop:
	dsb	ishst			// earlier table writes complete before the walker is changed
	mrs	x0, tcr_el1
	bic	x0, x0, #TCR_EPD0	// TTBR0 is walked: user address spaces live there
	msr	tcr_el1, x0
	adrp	x0, empty_pg_dir	// its linear-map address ...
	and	x0, x0, #((1 << VA_BITS) - 1)	// ... minus PAGE_OFFSET: physical (ASID 0)
	msr	ttbr0_el1, x0
	isb				// the TCR/TTBR writes take effect before the TLB flush
	tlbi	vmalle1			// drop the identity map's entries
	dsb	ish			// the flush is complete ...
	isb				// ... before the next instruction is fetched
	ret

/*
 * mmu_switch_ttbr1: x0 = the final kernel L1 table (physical), called from
 * the upper half with interrupts masked. The old and new tables map the
 * running code with different block sizes, and holding both in the TLB at
 * once may raise a TLB conflict abort; so (break-before-make) the MMU is
 * off during the switch. That needs the identity map: the code runs at its
 * physical address while the MMU goes off and comes back on, then returns
 * high with TTBR0 empty again. Leaf routine: no loads or stores between the
 * first and last branch (they would be uncached or to the wrong half),
 * caches stay enabled. Clobbers x0-x4.
 */
	.globl	mmu_switch_ttbr1
mmu_switch_ttbr1:
	dsb	ishst			// the new tables' writes visible to the walkers
	ldr	x3, =PAGE_OFFSET
	adrp	x1, init_pg_dir
	sub	x1, x1, x3		// its physical address
	msr	ttbr0_el1, x1		// identity map back in TTBR0 ...
	mrs	x2, tcr_el1
	bic	x2, x2, #TCR_EPD0	// ... and walked again
	msr	tcr_el1, x2
	isb				// TCR/TTBR0 take effect before the flush
	tlbi	vmalle1			// no cached "EPD0 = 1" left: TCR fields may be held in the TLB
	dsb	ish
	isb
	adr	x1, 1f
	sub	x1, x1, x3
	br	x1			// to our physical address, through the identity map
1:	mrs	x1, sctlr_el1
	bic	x2, x1, #1		// M = 0: the PC is already physical, so fetching goes on
	msr	sctlr_el1, x2
	isb				// MMU off before TTBR1 changes
	msr	ttbr1_el1, x0
	isb				// new TTBR1 in effect before the flush
	tlbi	vmalle1			// drop every entry of the old linear map
	dsb	ish			// flush complete ...
	isb				// ... before the MMU comes back
	msr	sctlr_el1, x1		// M = 1: fetching goes on through the identity map
	isb
	adr	x1, 2f
	add	x1, x1, x3
	br	x1			// back to the upper half, now through the new tables
2:	mov	x4, x30
	bl	ttbr0_drop
	ret	x4

/* dcache_inval_range_early: invalidate [x0, x1) to the point of coherency. Clobbers x2, x3. */
dcache_inval_range_early:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		// DminLine: log2(words) of the smallest D-line
	mov	x2, #4
	lsl	x2, x2, x3		// line size in bytes
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret

	.ltorg

	.section .pgtables, "aw", %nobits
	.balign	4096
	.globl	init_pg_dir
init_pg_dir:
	.skip	4096

/* TTBR0 of the kernel tasks (ASID 0): no valid entry. In rodata, so it is zero in the image itself. */
	.section .rodata.empty_pg_dir, "a"
	.balign	4096
	.globl	empty_pg_dir
empty_pg_dir:
	.skip	4096
