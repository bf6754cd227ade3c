/* Flattened device tree (DTB) reader and the platform description the kernel extracts from it. */
#ifndef LOCKLAB_FDT_H
#define LOCKLAB_FDT_H

#include <locklab/types.h>

/*
 * Pure code: no allocation, no globals, no printing, so it builds both in the
 * kernel and natively for host tests. Every read is bounds-checked against the
 * blob's header: a malformed blob yields an error code, never a fault.
 */

/* Error codes (negative return values). fdt_strerror() names them in words. */
#define FDT_ERR_NOTFOUND   1 /* node or property not present */
#define FDT_ERR_BADMAGIC   2 /* no 0xd00dfeed magic: not a DTB, or no DTB passed */
#define FDT_ERR_BADVERSION 3 /* version < 16 or last_comp_version > 17 */
#define FDT_ERR_BADHEADER  4 /* offsets/sizes outside totalsize or misaligned */
#define FDT_ERR_BADSTRUCT  5 /* malformed structure block (bad token, overrun, bad nesting) */
#define FDT_ERR_BADVALUE   6 /* property of the wrong length or content */
#define FDT_ERR_TRUNCATED  7 /* a property or string runs past the end of its block */
#define FDT_ERR_NOSPACE	   8 /* more entries than the fixed arrays hold */

const char *fdt_strerror(int err);

struct fdt {
	const u8 *blob;
	u32 totalsize;
	const u8 *dt_struct; /* structure block */
	u32 struct_size;
	const char *dt_strings; /* strings block */
	u32 strings_size;
	const u8 *rsvmap; /* memory reservation block */
	u32 rsvmap_max;	  /* bytes available for the reservation block */
};

/* Validates the header and fills *fdt. Returns 0 or -FDT_ERR_*. */
int fdt_init(struct fdt *fdt, const void *blob);
/*
 * Same, for a caller that knows how many bytes are readable at blob (host
 * tools, tests, a loader that copied the blob): a totalsize above bufsize gives
 * -FDT_ERR_TRUNCATED instead of reads past the buffer.
 */
int fdt_init_sized(struct fdt *fdt, const void *blob, size_t bufsize);
/*
 * Header only, without fdt_init's walk over the whole structure block: for
 * the early console lookup, which must find the UART of a tree whose later
 * nodes are broken. Every accessor below still checks each token it reads
 * against the blocks, so a bad structure gives errors, never a fault.
 */
int fdt_init_header_only(struct fdt *fdt, const void *blob);

/*
 * Nodes are identified by their offset in the structure block (>= 0).
 * Root is fdt_root(). Functions returning a node return -FDT_ERR_* on failure.
 */
int fdt_root(const struct fdt *fdt);
const char *fdt_node_name(const struct fdt *fdt, int node); /* "" for root, "uart@9000000" etc. */
int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);
int fdt_parent(const struct fdt *fdt, int node);
/* Absolute path ("/soc/serial@7d001000"); a name without @unit matches the first node with that base name. */
int fdt_path_offset(const struct fdt *fdt, const char *path);
/* Next node after 'after' (pass -1 to start) in document order whose "compatible" list contains compat. */
int fdt_node_by_compatible(const struct fdt *fdt, int after, const char *compat);
/* Property value and length in bytes, or NULL (with *len = -FDT_ERR_*). */
const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, int *len);
bool fdt_prop_has_string(const struct fdt *fdt, int node, const char *name, const char *s);
/* #address-cells / #size-cells that apply to node's children (defaults 2 / 1). */
u32 fdt_address_cells(const struct fdt *fdt, int node);
u32 fdt_size_cells(const struct fdt *fdt, int node);
/*
 * Entry 'index' of node's "reg", translated to a CPU physical address through
 * the "ranges" of every ancestor bus (empty "ranges" = identity; a bus
 * without "ranges" is untranslatable -> -FDT_ERR_BADVALUE).
 */
int fdt_read_reg(const struct fdt *fdt, int node, int index, u64 *addr, u64 *size);

static inline u32 fdt_be32(const void *p)
{
	const u8 *b = (const u8 *)p;
	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

/* ---- platform description (kernel/fdt_platform.c) ---- */

#define PLAT_MAX_CPUS	  64
#define PLAT_MAX_MEM	  8
#define PLAT_MAX_RESERVED 16
#define PLAT_MAX_GICR	  4
#define PLAT_MAX_NOTES	  4
#define PLAT_NOTE_LEN	  256

enum psci_conduit { PSCI_NONE = 0, PSCI_HVC, PSCI_SMC };

struct plat_range {
	u64 base;
	u64 size;
	/*
	 * reserved[] only: a /reserved-memory child with "no-map". Firmware or
	 * secure carve-outs the kernel must not even map: the architecture lets
	 * a CPU fetch from any Normal mapping speculatively, and on real boards
	 * that can raise an SError. /memreserve/ entries and plain reserved
	 * children stay mapped (only kept from the allocator).
	 */
	bool no_map;
};

struct platform_info {
	const char *board;    /* short name: "qemu-virt", "rpi5" or "unknown" */
	const char *model;    /* /model string, or "" */
	const char *bootargs; /* /chosen bootargs, "" if absent (points into the blob) */

	struct plat_range mem[PLAT_MAX_MEM]; /* /memory reg entries, in DT order */
	int nr_mem;
	/* /memreserve/ entries and /reserved-memory children with a reg (no_map set from the child's "no-map") */
	struct plat_range reserved[PLAT_MAX_RESERVED];
	int nr_reserved;

	u64 uart_base; /* PL011 chosen by /chosen stdout-path (alias resolved, ":opts" stripped), else first "arm,pl011" */
	bool have_uart;
	const char *uart_node; /* its node name ("serial@7d001000"), "" if none */
	u32 uart_intid;	       /* its receive interrupt (SPI n -> 32 + n), 0 if unknown */

	enum psci_conduit psci; /* from /psci "method" */

	int gic_version; /* 2 or 3; 0 if none found */
	u64 gicd_base;
	u64 gicc_base;			       /* v2 CPU interface (reg index 1) */
	struct plat_range gicr[PLAT_MAX_GICR]; /* v3 redistributor regions (reg index 1..) */
	int nr_gicr;

	/* EL1 non-secure physical timer INTID (PPI n -> 16 + n), 0 if unknown */
	u32 timer_phys_intid;
	u32 timer_virt_intid;

	/* Enabled /cpus children with device_type "cpu" (disabled ones skipped with a note), DT order: */
	u64 cpu_mpidr[PLAT_MAX_CPUS]; /* "reg": the MPIDR that PSCI CPU_ON takes */
	/* "enable-method" (points into the blob), NULL if absent: only "psci" CPUs are started */
	const char *cpu_method[PLAT_MAX_CPUS];
	int nr_cpus;   /* number recorded (<= PLAT_MAX_CPUS) */
	int cpus_seen; /* number present in the tree (may exceed nr_cpus) */

	/*
	 * What the parser worked around, one sentence each, for the kernel to
	 * print once its console is up: a malformed /reserved-memory child
	 * skipped, /memory read with one size cell. Linux skips and warns alike.
	 */
	char notes[PLAT_MAX_NOTES][PLAT_NOTE_LEN];
	int nr_notes;
	int notes_dropped; /* beyond PLAT_MAX_NOTES */
};

/*
 * Extracts the platform from a DTB. Returns 0, or -FDT_ERR_* with a sentence
 * in err (e.g. "no /memory node", "no GIC node with a supported compatible")
 * naming what is missing. Requires: valid header, at least one memory range,
 * at least one CPU. Absent UART/GIC/PSCI/timer are not errors here (the kernel
 * decides); they leave have_uart=false, gic_version=0, psci=PSCI_NONE, intid 0.
 *
 * pa_bits is the CPU's physical address size (ID_AA64MMFR0_EL1.PARange: 40 on
 * a Cortex-A76). /memory is read with the tree's #size-cells; when that
 * reading is impossible (the reg is not whole entries) or absurd (a range
 * beyond pa_bits, or over the console or GIC the tree names) but one size
 * cell gives a sane one, that is used and a note says so: Raspberry Pi
 * bootloaders older than 2025-02-11 write 1-cell sizes into trees that
 * declare 2. Disabled /memory and /reserved-memory children are skipped,
 * and so are disabled CPUs (with a note);
 * a /reserved-memory child whose reg is not whole entries is skipped with a
 * note (the Pi 5's disabled nvram@0/@1 placeholders have 3-cell regs).
 */
int fdt_parse_platform(const void *blob, u32 pa_bits, struct platform_info *out, char *err,
		       size_t errlen);

/* ---- the console, found before the strict parse so early failures are seen ---- */

/* UART10 on the Raspberry Pi 5's 3-pin debug connector (PL011, left at 115200 8N1 by the firmware). */
#define RPI5_DEBUG_UART 0x107d001000ull

/* MPIDR_EL1.MT (bit 24): set on the Pi 5's Cortex-A76 (core number in Aff1), clear on QEMU virt's (in Aff0). */
#define MPIDR_MT (1ull << 24)

/*
 * The UART an early panic writes to when no device tree names one (none
 * passed, a broken header, no PL011): with no tree the board is unknown,
 * but the CPU tells the two this kernel runs on apart. MPIDR's MT bit
 * means a real Cortex-A76 as on the Pi 5, whose debug UART it then is;
 * QEMU virt leaves MT clear, and gets qemu_uart (CONFIG_PANIC_UART_FALLBACK,
 * its PL011, which on a Pi would be RAM; 0: stay silent).
 */
static inline u64 early_fallback_uart(u64 mpidr, u64 qemu_uart)
{
	return (mpidr & MPIDR_MT) ? RPI5_DEBUG_UART : qemu_uart;
}

enum early_console_source {
	EARLY_CONSOLE_NONE,
	EARLY_CONSOLE_STDOUT_PATH, /* /chosen stdout-path (through /aliases) names a PL011 */
	EARLY_CONSOLE_FIRST_PL011, /* no usable stdout-path: the first enabled "arm,pl011" */
	/* none found, but the root compatible names a Pi 5: RPI5_DEBUG_UART */
	EARLY_CONSOLE_RPI5_DEFAULT,
};

struct early_console {
	enum early_console_source source;
	u64 base;	      /* valid unless source is EARLY_CONSOLE_NONE */
	const char *node;     /* the UART's node name, "" for the Pi 5 default or none */
	const char *board;    /* "rpi5", "qemu-virt" or "unknown"; NULL if the root is unreadable */
	const char *bootargs; /* /chosen bootargs, or NULL */
};

/*
 * Reads only what an early panic needs, checking no more of the tree than
 * that (a tree fdt_parse_platform rejects usually still has a console).
 * Returns 0 with out->source set, or -FDT_ERR_* if the blob's header is bad
 * (out->source is then EARLY_CONSOLE_NONE and out->board NULL).
 */
int fdt_early_console(const void *blob, struct early_console *out);

#endif
