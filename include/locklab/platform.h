/* The platform as the boot CPU found it (device tree + entry state), for code and tests that report it. */
#ifndef LOCKLAB_PLATFORM_H
#define LOCKLAB_PLATFORM_H

#include <locklab/fdt.h>

const struct platform_info *platform(void);
u32 boot_entry_level(void);

#endif
