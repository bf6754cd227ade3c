/* Synchronous exceptions from EL0: SVC to the system-call table, page faults to vm_fault, trapped WFI/WFE to a yield, FP/SIMD to a load of the process's registers, anything else a user fault. */
#include <locklab/sched.h>
#include <locklab/traps.h>
#include <locklab/errno.h>
#include <locklab/user.h>
#include <locklab/vm.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>
#include <asm/ptrace.h>

#define EC_UNKNOWN	     0x00 /* an undefined instruction, an EL1-only system register */
#define EC_WFX		     0x01
#define EC_FP		     0x07 /* CPACR_EL1 traps FP/SIMD at EL0 until they are loaded */
#define EC_ILLEGAL	     0x0e
#define EC_SVC64	     0x15
#define EC_SYSREG	     0x18
#define EC_IABT_LOW	     0x20
#define EC_PC_ALIGN	     0x22
#define EC_DABT_LOW	     0x24
#define EC_SP_ALIGN	     0x26
#define EC_BRK		     0x3c
#define DFSC_ALIGNMENT	     0x21 /* data abort: an unaligned access where alignment is required */
#define FSC_TRANSLATION(esr) (((esr)&0x3c) == 0x04) /* no leaf yet, at level 0..3 */

u64 user_wfi_traps; /* atomic */

/* What an abort was, in words without quotes: "data abort from a lower EL (write)". */
static const char *abort_words(u32 ec, u64 esr)
{
	if (ec == EC_IABT_LOW)
		return "instruction abort from a lower EL (fetch)";
	return (esr & ESR_ISS_WNR) ? "data abort from a lower EL (write)" :
				     "data abort from a lower EL (read)";
}

/*
 * A translation fault: the page may be one the region allows but nobody
 * touched yet (demand paging, kernel/mm/vm.c). Returns if it is mapped
 * now (the access is retried); otherwise ends the process: no region or
 * a region that forbids the access is SIGSEGV, a page past the end of a
 * mapped file SIGBUS (as Linux), no memory SIGKILL.
 * Permission faults need no look: the leaves carry their region's rights.
 */
static void page_fault(struct trap_frame *f, u32 ec)
{
	enum vm_access acc = ec == EC_IABT_LOW	    ? VM_ACCESS_EXEC :
			     (f->esr & ESR_ISS_WNR) ? VM_ACCESS_WRITE :
						      VM_ACCESS_READ;
	long r = FSC_TRANSLATION(f->esr) ? vm_fault(current_mm(), f->far, acc) : -EFAULT;

	if (r == -ENOMEM)
		user_fault(f, USER_SIGKILL, "out of memory (page fault)", f->far);
	if (r == -EIO)
		user_fault(f, USER_SIGBUS, "access past the end of a mapped file", f->far);
	if (r)
		user_fault(f, USER_SIGSEGV, abort_words(ec, f->esr), f->far);
}

/*
 * Called by entry.S with the user's registers in f, interrupts masked; a
 * system call may sleep, so they are on while it runs. Returns with them
 * masked again, f holding what ret_to_user loads (x0 = the result).
 */
void trap_el0(struct trap_frame *f)
{
	u32 ec = (u32)(f->esr >> 26) & 0x3f;

	local_irq_enable();
	switch (ec) {
	case EC_SVC64: /* ELR is the instruction after the svc already */
		f->x[0] = (u64)syscall_dispatch(f);
		break;
	case EC_WFX: /* the process waits for nothing it could name: let others run */
		atomic_fetch_add_relaxed(&user_wfi_traps, 1UL);
		yield();
		f->elr += 4;
		break;
	case EC_DABT_LOW:
		if ((f->esr & 0x3f) == DFSC_ALIGNMENT)
			user_fault(f, USER_SIGBUS, "alignment fault (data abort from a lower EL)",
				   f->far);
		page_fault(f, ec);
		break;
	case EC_IABT_LOW: page_fault(f, ec); break;
	case EC_PC_ALIGN: user_fault(f, USER_SIGBUS, esr_class_name(ec), f->far);
	case EC_SP_ALIGN: user_fault(f, USER_SIGBUS, esr_class_name(ec), f->sp);
	case EC_BRK: user_fault(f, USER_SIGTRAP, esr_class_name(ec), f->elr);
	case EC_UNKNOWN: user_fault(f, USER_SIGILL, "undefined instruction", f->elr);
	case EC_FP: fpsimd_trap(); break; /* the instruction runs again with its registers loaded */
	case EC_ILLEGAL:
	case EC_SYSREG:
	default: user_fault(f, USER_SIGILL, esr_class_name(ec), f->elr);
	}
	local_irq_disable();
	user_return_check();
}
