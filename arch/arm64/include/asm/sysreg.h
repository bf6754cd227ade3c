/* System-register access, barriers and the register bits the boot code and drivers use. */
#ifndef ASM_SYSREG_H
#define ASM_SYSREG_H

/* Constants shared with assembly: no UL suffix there. */
#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x)	__UL(x)
#define __UL(x) x##UL
#endif

/* SCTLR_EL1 */
#define SCTLR_M	       (_UL(1) << 0)  /* MMU on */
#define SCTLR_C	       (_UL(1) << 2)  /* data caches on */
#define SCTLR_SA       (_UL(1) << 3)  /* stack alignment check */
#define SCTLR_SA0      (_UL(1) << 4)  /* the same for EL0's SP: a misaligned user SP faults */
#define SCTLR_I	       (_UL(1) << 12) /* instruction cache on */
#define SCTLR_SPAN     (_UL(1) << 23) /* 0: exceptions to EL1 set PSTATE.PAN (Armv8.1; RES1 before) */
#define SCTLR_EL1_RES1 _UL(0x30d00800)
/* nTWI and nTWE (bits 16, 18) stay 0: WFI/WFE at EL0 trap to EL1, which yields instead. */
#define SCTLR_EL1_MMU_ON (SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_SA0 | SCTLR_I)

/* HCR_EL2: EL1 is AArch64; nothing else trapped or routed to EL2. */
#define HCR_EL2_RW (_UL(1) << 31)
/* CNTHCTL_EL2: EL1 may read the physical counter and use the physical timer. */
#define CNTHCTL_EL1PCTEN (_UL(1) << 0)
#define CNTHCTL_EL1PCEN	 (_UL(1) << 1)
/*
 * CNTKCTL_EL1: EL0 may read the virtual counter (CNTVCT_EL0) and CNTFRQ_EL0,
 * as under Linux, so a program can time itself without a system call; the
 * physical counter and every timer stay EL1's, and no event stream runs.
 */
#define CNTKCTL_EL0VCTEN (_UL(1) << 1)
/* CPTR_EL2 with its RES1 bits and TFP=0: FP/SIMD not trapped. */
#define CPTR_EL2_DEFAULT 0x33ff
/*
 * CPACR_EL1.FPEN = 0b01: FP/SIMD instructions at EL1 do not trap, at EL0
 * they do (EC 0x07): arch/arm64/fpsimd.c then loads the process's
 * registers and sets 0b11 until the process is switched out.
 */
#define CPACR_EL1_FPEN	   (_UL(3) << 20) /* the field */
#define CPACR_EL1_FPEN_EL1 (_UL(1) << 20) /* the value */
/* SPSR for the eret to EL1: EL1h, DAIF all masked. */
#define SPSR_EL1H_DAIF 0x3c5

/* MAIR_EL1 attribute indexes used by the page tables. */
#define MT_DEVICE_nGnRE 0 /* attr 0x04 */
#define MT_NORMAL	1 /* attr 0xff: write-back, read/write-allocate */
#define MT_NORMAL_NC	2 /* attr 0x44 */
#define MAIR_EL1_VALUE	_UL(0x44ff04)

/*
 * TCR_EL1: 39-bit VA in both halves (T0SZ = T1SZ = 25, 3 levels from L1,
 * 4 KiB granules), WBWA inner-shareable walks. TTBR1 holds the kernel
 * (asm/memory.h); TTBR0 holds the identity map while the MMU is being
 * turned on, then a user process's table or the kernel tasks' empty one,
 * walked (EPD0 = 0). 8-bit ASIDs (AS = 0), taken from TTBR0 (A1 = 0).
 */
#define TCR_T0SZ_39    _UL(25)
#define TCR_EPD0       (_UL(1) << 7) /* TTBR0 walks disabled: a low address faults */
#define TCR_IRGN0_WBWA (_UL(1) << 8)
#define TCR_ORGN0_WBWA (_UL(1) << 10)
#define TCR_SH0_INNER  (_UL(3) << 12)
#define TCR_T1SZ_39    (_UL(25) << 16)
#define TCR_T1SZ_MASK  (_UL(0x3f) << 16)
#define TCR_IRGN1_WBWA (_UL(1) << 24)
#define TCR_ORGN1_WBWA (_UL(1) << 26)
#define TCR_SH1_INNER  (_UL(3) << 28)
#define TCR_TG1_4K     (_UL(2) << 30)
#define TCR_IPS_SHIFT  32
#define TCR_EL1_BASE                                                                   \
	(TCR_T0SZ_39 | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_T1SZ_39 | \
	 TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER | TCR_TG1_4K)

/* Stage-1 block/table descriptor bits. */
#define PTE_VALID     (_UL(1) << 0)
#define PTE_TABLE     (_UL(1) << 1) /* at L1/L2: next-level table; at L3: page */
#define PTE_ATTR(idx) (_UL(idx) << 2)
#define PTE_SH_INNER  (_UL(3) << 8)
#define PTE_AF	      (_UL(1) << 10)
#define PTE_PXN	      (_UL(1) << 53)
#define PTE_UXN	      (_UL(1) << 54)
#define PTE_AP_RO     (_UL(1) << 7) /* AP[2]: read-only (AP[1] = 0: no EL0 access either way) */
/* head.S's early map (identity and linear alias): RAM writable and executable, until mmu.c's final map replaces it. */
#define PTE_BLOCK_NORMAL (PTE_VALID | PTE_ATTR(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_UXN)
/* The final map (W^X): kernel text read-only executable, rodata read-only, all other RAM never executable. */
#define PTE_KERNEL_TEXT	  (PTE_BLOCK_NORMAL | PTE_AP_RO)
#define PTE_KERNEL_RODATA (PTE_BLOCK_NORMAL | PTE_AP_RO | PTE_PXN)
#define PTE_KERNEL_DATA	  (PTE_BLOCK_NORMAL | PTE_PXN)
#define PTE_BLOCK_DEVICE  (PTE_VALID | PTE_ATTR(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN)

/* GICv3 CPU-interface system registers (by encoding, so any assembler accepts them). */
#define ICC_SRE_EL2 s3_4_c12_c9_5
#define ICH_HCR_EL2 s3_4_c12_c11_0

#ifndef __ASSEMBLY__
#include <locklab/types.h>

#define __stringify_1(x) #x
#define __stringify(x)	 __stringify_1(x)

#define read_sysreg(r)                                                   \
	({                                                               \
		u64 __v;                                                 \
		__asm__ volatile("mrs %0, " __stringify(r) : "=r"(__v)); \
		__v;                                                     \
	})
/* "memory": no load or store moves across a write that changes translation or access (TTBR0, CPACR). */
#define write_sysreg(v, r)                                                                 \
	do {                                                                               \
		u64 __wv = (u64)(v);                                                       \
		__asm__ volatile("msr " __stringify(r) ", %x0" : : "rZ"(__wv) : "memory"); \
	} while (0)

/* Barriers: each use says what it orders. */
#define isb() __asm__ volatile("isb" : : : "memory")

/*
 * PSTATE.PAN (Armv8.1) by its encoding (read it as s3_0_c4_c2_3): the LL/SC variants build with
 * -march=armv8-a, whose assembler knows no "pan". Only for a CPU that has
 * it (ID_AA64MMFR1_EL1.PAN, bits 23:20); arch/arm64/pan.c.
 */
#define pan_write(b) \
	__asm__ volatile(".inst 0xd500409f | (" #b " << 8)" : : : "memory") /* msr pan, #b */
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt : : : "memory")

static inline void cpu_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}

static inline u32 current_el(void)
{
	return (u32)(read_sysreg(CurrentEL) >> 2) & 3;
}

/* MPIDR affinity fields (Aff3..Aff0) without the MT/U bits: the value PSCI and the DT "reg" use. */
#define MPIDR_HWID_MASK _UL(0xff00ffffff)
static inline u64 read_mpidr_hwid(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_HWID_MASK;
}
#endif /* !__ASSEMBLY__ */

#endif
