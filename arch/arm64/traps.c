/* Synchronous exceptions: decode ESR into words, dump registers, and let tests plant expected traps. */
#include <locklab/console.h>
#include <locklab/mmu.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/printf.h>
#include <locklab/stack_guard.h>
#include <locklab/traps.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>

/* Guarded too: entry.S stops a CPU whose nested faults reach the guard instead of running into a neighbour. */
static GUARDED_STACK(EXC_STACK_SIZE) exc_stacks[CONFIG_NR_CPUS];
_Static_assert(__builtin_offsetof(struct percpu, exc_sp) == PERCPU_EXC_SP, "entry.S offset");

void exc_stack_setup(u32 cpu)
{
	cpu_data(cpu)->exc_sp = (u64)&exc_stacks[cpu].stack[EXC_STACK_SIZE];
}

void exc_stack_region(struct stack_region *r)
{
	*r = (struct stack_region){ (u64)&exc_stacks[0], sizeof(exc_stacks[0]), CONFIG_NR_CPUS,
				    "exception stack of cpu" };
}

const char *esr_class_name(u32 ec)
{
	switch (ec) {
	case 0x00: return "unknown reason";
	case 0x01: return "WFI/WFE trapped";
	case 0x07: return "FP/SIMD access trapped";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC from AArch64";
	case 0x16: return "HVC from AArch64";
	case 0x17: return "SMC from AArch64";
	case 0x18: return "MSR/MRS/system instruction trapped";
	case 0x20: return "instruction abort from a lower EL";
	case 0x21: return "instruction abort at the same EL";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from a lower EL";
	case 0x25: return "data abort at the same EL";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError interrupt";
	case 0x30: return "breakpoint from a lower EL";
	case 0x31: return "breakpoint at the same EL";
	case 0x32: return "software step from a lower EL";
	case 0x33: return "software step at the same EL";
	case 0x34: return "watchpoint from a lower EL";
	case 0x35: return "watchpoint at the same EL";
	case 0x3c: return "BRK instruction";
	default: return "reserved/unhandled class";
	}
}

static const char *vector_name(unsigned long kind)
{
	static const char *const names[] = {
		"sync (EL1t)",	     "IRQ (EL1t)",	 "FIQ (EL1t)",	     "SError (EL1t)",
		"sync (EL1h)",	     "IRQ (EL1h)",	 "FIQ (EL1h)",	     "SError (EL1h)",
		"sync (EL0 64-bit)", "IRQ (EL0 64-bit)", "FIQ (EL0 64-bit)", "SError (EL0 64-bit)",
		"sync (EL0 32-bit)", "IRQ (EL0 32-bit)", "FIQ (EL0 32-bit)", "SError (EL0 32-bit)",
	};
	return kind < 16 ? names[kind] : "?";
}

static void dump_frame(const struct trap_frame *f)
{
	for (int i = 0; i < 30; i += 3)
		printk_raw("  x%-2d %016llx  x%-2d %016llx  x%-2d %016llx", i,
			   (unsigned long long)f->x[i], i + 1, (unsigned long long)f->x[i + 1],
			   i + 2 < 31 ? i + 2 : 30,
			   (unsigned long long)f->x[i + 2 < 31 ? i + 2 : 30]);
	printk_raw("  lr  %016llx  sp  %016llx  spsr %08llx", (unsigned long long)f->x[30],
		   (unsigned long long)f->sp, (unsigned long long)f->spsr);
}

/*
 * For an abort on memory the map protects (text, rodata, page tables,
 * no-map ranges) or on the lower half, which TTBR0 leaves empty: "write
 * to kernel text (read-only) at 0x..." in out.
 */
static bool protected_access(const struct trap_frame *f, u32 ec, char *out, u32 n)
{
	char what[80];
	const char *access;

	if (ec == ESR_EC_IABT_CUR)
		access = "instruction fetch from";
	else if (ec == ESR_EC_DABT_CUR)
		access = (f->esr & ESR_ISS_WNR) ? "write to" : "read of";
	else
		return false;
	if (!mmu_describe(f->far, what, sizeof(what)))
		return false;
	snprintf(out, n, "%s %s at 0x%llx (pc 0x%llx)", access, what, (unsigned long long)f->far,
		 (unsigned long long)f->elr);
	return true;
}

static void __noreturn fatal(const struct trap_frame *f, unsigned long kind)
{
	u32 ec = (u32)(f->esr >> 26) & 0x3f;
	char prot[160];
	bool is_prot = protected_access(f, ec, prot, sizeof(prot));

	console_panic_mode(); /* the console lock may be held by whoever we interrupted */
	printk_raw("exception: %s on cpu%u: %s (EC 0x%02x)", vector_name(kind), smp_processor_id(),
		   esr_class_name(ec), ec);
	if (is_prot)
		printk_raw("exception: cpu%u: %s", smp_processor_id(), prot);
	printk_raw("  ESR %016llx  FAR %016llx  ELR %016llx", (unsigned long long)f->esr,
		   (unsigned long long)f->far, (unsigned long long)f->elr);
	dump_frame(f);
	if (is_prot)
		panic("unhandled exception: %s", prot);
	panic("unhandled exception: %s at ELR 0x%llx (FAR 0x%llx)", esr_class_name(ec),
	      (unsigned long long)f->elr, (unsigned long long)f->far);
}

/* A fault in a stack's guard page is that stack overflowing: say so first, then the usual dump. */
static void overflow_check(const struct trap_frame *f)
{
	u32 ec = (u32)(f->esr >> 26) & 0x3f;
	char what[48];

	if (ec != ESR_EC_DABT_CUR || !stack_guard_hit(f->far, what, sizeof(what)))
		return;
	console_panic_mode();
	printk_raw(
		"exception: kernel stack overflow on cpu%u: %s ran into its guard page at 0x%llx "
		"(sp 0x%llx, pc 0x%llx)",
		smp_processor_id(), what, (unsigned long long)f->far, (unsigned long long)f->sp,
		(unsigned long long)f->elr);
	dump_frame(f);
	panic("kernel stack overflow: %s (guard page hit at 0x%llx, pc 0x%llx)", what,
	      (unsigned long long)f->far, (unsigned long long)f->elr);
}

void trap_sync(struct trap_frame *f, unsigned long kind)
{
	struct percpu *pc = this_cpu();
	u32 ec = (u32)(f->esr >> 26) & 0x3f;

	/* A test planted this exception: record it and step over the instruction. */
	if (pc->trap_expect_esr_ec && pc->trap_expect_esr_ec == ec) {
		pc->trap_expect_esr_ec = 0;
		pc->trap_seen_esr = f->esr;
		pc->trap_seen_far = f->far;
		pc->trap_seen_count++;
		f->elr += 4;
		return;
	}
	/* A uaccess copy touched a user page that is not there (yet): it returns and pages it in. */
	if (uaccess_fixup(f))
		return;
	overflow_check(f);
	fatal(f, kind);
}

void trap_unexpected(struct trap_frame *f, unsigned long kind)
{
	overflow_check(f);
	fatal(f, kind);
}

void trap_expect(u32 ec)
{
	this_cpu()->trap_expect_esr_ec = ec;
}
