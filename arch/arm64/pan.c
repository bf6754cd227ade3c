/* Privileged Access Never: with it on, a plain kernel load or store to user memory faults; only uaccess.S's LDTR/STTR reach it. */
#include <locklab/uaccess.h>
#include <asm/sysreg.h>

/*
 * Armv8.1 (the Pi 5's Cortex-A76 and QEMU's cortex-a76 have it). PSTATE.PAN
 * set means an EL1 access that is not unprivileged (LDTR/STTR) to a page
 * EL0 may access takes a permission fault, so a kernel path that
 * dereferences a user pointer by mistake stops at once instead of working
 * by accident. SCTLR_EL1.SPAN = 0 sets PAN at every exception to EL1; the
 * msr sets it for the code running now (the boot context, the idle task).
 * A CPU without the feature keeps SPAN at its RES1 value and PAN off.
 */
void pan_enable_this_cpu(void)
{
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1);

	if (((mmfr1 >> 20) & 0xf) == 0)
		return;
	write_sysreg(read_sysreg(sctlr_el1) & ~SCTLR_SPAN, sctlr_el1);
	isb();
	pan_write(1);
}
