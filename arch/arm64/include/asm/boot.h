/* What the boot CPU hands a secondary through PSCI CPU_ON's context argument (its physical address: read with the MMU off). */
#ifndef ASM_BOOT_H
#define ASM_BOOT_H

/* Offsets used by head.S; checked against the struct below at compile time. */
#define CPU_BOOT_TTBR1	0
#define CPU_BOOT_SP	8
#define CPU_BOOT_CPU	16
#define CPU_BOOT_PERCPU 24
#define CPU_BOOT_SIZE	64 /* one cache line each, so cleaning one never touches another */
/* The unmapped page below every kernel stack (include/locklab/stack_guard.h). */
#define STACK_GUARD_SIZE 4096

#ifndef __ASSEMBLY__
#include <locklab/types.h>

struct cpu_boot {
	u64 ttbr1;  /* physical address of the final kernel tables (same for every CPU) */
	u64 sp;	    /* top of this CPU's stack */
	u64 cpu;    /* logical CPU id */
	u64 percpu; /* this CPU's struct percpu, loaded into TPIDR_EL1 */
	u64 pad[4];
} __attribute__((aligned(CPU_BOOT_SIZE)));

_Static_assert(__builtin_offsetof(struct cpu_boot, ttbr1) == CPU_BOOT_TTBR1, "head.S offset");
_Static_assert(__builtin_offsetof(struct cpu_boot, sp) == CPU_BOOT_SP, "head.S offset");
_Static_assert(__builtin_offsetof(struct cpu_boot, cpu) == CPU_BOOT_CPU, "head.S offset");
_Static_assert(__builtin_offsetof(struct cpu_boot, percpu) == CPU_BOOT_PERCPU, "head.S offset");
_Static_assert(sizeof(struct cpu_boot) == CPU_BOOT_SIZE, "head.S size");

/* Entry points and symbols from head.S and the linker script. */
void secondary_entry(void);
void secondary_silent(void); /* parks the CPU: for the cpu_on_silent= boot option */
extern char _text[], _etext[], _edata[], __bss_start[], __bss_end[], _end[];
/* Page-aligned W^X boundaries and the page tables' range (kernel.lds). */
extern char __rodata_start[], __data_start[], __pgtables_start[], __pgtables_end[];
/* head.S: TTBR0 of the kernel tasks (ASID 0), a zeroed page in rodata; page-aligned user code (kernel.lds) */
extern char empty_pg_dir[], __user_start[], __user_end[];
/* head.S's early table: 512 1 GiB blocks, the secondaries' identity map (boot_test.c reads it) */
extern u64 init_pg_dir[512];
/* physical address where the loader put _text (which runs at its linear alias) */
extern u64 boot_load_addr;
/* head.S: switch TTBR1 to the final tables (physical address), through the identity map; TTBR0 is empty after. */
void mmu_switch_ttbr1(u64 ttbr1);
#endif

#endif
