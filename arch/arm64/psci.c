/* PSCI client: SMC on the Raspberry Pi 5 (TF-A BL31), HVC or SMC on QEMU virt. */
#include <asm/psci.h>
#include <locklab/console.h>

/* Set once by the boot CPU before secondaries exist. */
static enum psci_conduit conduit = PSCI_NONE;

static s64 psci_call(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;

	/* SMCCC: x0-x3 in, x0 out, x4-x17 may be clobbered by the firmware. */
	if (conduit == PSCI_SMC)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	else if (conduit == PSCI_HVC)
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	else
		return PSCI_E_NOT_SUPPORTED;
	return (s64)x0;
}

/*
 * Entered at EL2, the kernel dropped to EL1 and left EL2 to itself, with no
 * vectors there (head.S sets no VBAR_EL2): an HVC from EL1 then traps into
 * that EL2 instead of reaching a firmware, and the CPU hangs without a word.
 * A tree that says "hvc" cannot be meant for such a boot (the Pi 5 and
 * QEMU's virtualization=on both say "smc"), so PSCI is treated as absent.
 */
enum psci_conduit psci_init(enum psci_conduit c, u32 entry_el)
{
	if (c == PSCI_HVC && entry_el == 2) {
		printk("psci: the device tree says method \"hvc\", but the kernel was entered at EL2, "
		       "where an HVC traps to its own EL2 (no handler there): PSCI treated as absent "
		       "(one CPU, no power-off)");
		c = PSCI_NONE;
	}
	conduit = c;
	return c;
}

enum psci_conduit psci_conduit(void)
{
	return conduit;
}

const char *psci_conduit_name(void)
{
	return conduit == PSCI_SMC ? "smc" : conduit == PSCI_HVC ? "hvc" : "none";
}

s64 psci_cpu_on(u64 mpidr, u64 entry, u64 context)
{
	return psci_call(PSCI_CPU_ON, mpidr, entry, context);
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

/* A cold reset: the firmware boots the card again (on a chain-loader card: the loader). */
void psci_system_reset(void)
{
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}

const char *psci_strerror(s64 err)
{
	switch (err) {
	case PSCI_SUCCESS: return "success";
	case PSCI_E_NOT_SUPPORTED: return "not supported";
	case PSCI_E_INVALID_PARAMS: return "invalid parameters (wrong MPIDR?)";
	case PSCI_E_DENIED: return "denied";
	case PSCI_E_ALREADY_ON: return "already on";
	case PSCI_E_ON_PENDING: return "on pending";
	case PSCI_E_INTERNAL_FAILURE: return "internal failure";
	case PSCI_E_NOT_PRESENT: return "not present";
	case PSCI_E_DISABLED: return "disabled";
	case PSCI_E_INVALID_ADDRESS: return "invalid address";
	default: return "unknown error";
	}
}
