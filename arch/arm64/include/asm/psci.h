/* PSCI calls (CPU_ON, SYSTEM_OFF, SYSTEM_RESET) through the conduit the device tree names (hvc or smc). */
#ifndef ASM_PSCI_H
#define ASM_PSCI_H

#include <locklab/types.h>
#include <locklab/fdt.h>

#define PSCI_VERSION	  0x84000000U
#define PSCI_CPU_ON	  0xc4000003U
#define PSCI_SYSTEM_OFF	  0x84000008U
#define PSCI_SYSTEM_RESET 0x84000009U

#define PSCI_SUCCESS		0
#define PSCI_E_NOT_SUPPORTED	-1
#define PSCI_E_INVALID_PARAMS	-2
#define PSCI_E_DENIED		-3
#define PSCI_E_ALREADY_ON	-4
#define PSCI_E_ON_PENDING	-5
#define PSCI_E_INTERNAL_FAILURE -6
#define PSCI_E_NOT_PRESENT	-7
#define PSCI_E_DISABLED		-8
#define PSCI_E_INVALID_ADDRESS	-9

/* Sets the conduit the tree names; returns the one used (none for "hvc" at an EL2 entry: entry_el). */
enum psci_conduit psci_init(enum psci_conduit conduit, u32 entry_el);
enum psci_conduit psci_conduit(void);
const char *psci_conduit_name(void);
s64 psci_cpu_on(u64 mpidr, u64 entry, u64 context);
void psci_system_off(void);
void psci_system_reset(void);
const char *psci_strerror(s64 err);

#endif
