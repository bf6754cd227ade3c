/* Shared helpers of the FDT host tests: the loaded DTBs, an in-memory tree builder, and the case declarations. */
#ifndef FDT_TEST_UTIL_H
#define FDT_TEST_UTIL_H

/*
 * The FDT test binary is built from several files: they share htest.h's
 * failure flag (defined once, in test_fdt.c), so every file includes this
 * header instead of htest.h.
 */
#if defined(HTEST_H) && !defined(HT_SHARED_STATE)
#error "include fdt_test_util.h before htest.h, so the case failure flag is shared"
/* test_fdt_bootargs.c: the loader's copy with /chosen/bootargs replaced (loader/fdt_bootargs.c) */
void test_loader_bootargs_real_trees(void);
void test_loader_bootargs_no_chosen(void);
void test_loader_bootargs_refused(void);

#endif
#define HT_SHARED_STATE
#include <stdarg.h>
#include <stdint.h>
#include "htest.h"
#include <locklab/fdt.h>

/*
 * Run as `test_fdt <dtbdir>`. Every blob handed to the code under test sits in
 * a malloc()ed buffer of exactly its size, so ASan reports any read past it.
 */

struct blob {
	const char *file;
	u8 *data; /* file as read (QEMU pads to 1 MiB) */
	u32 size;
	u8 *compact; /* same tree, totalsize cut to the end of the last block */
	u32 csize;
};

/* The physical address size of the Cortex-A76 (Pi 5, and QEMU's -cpu cortex-a76): what the kernel passes. */
#define PA_BITS_A76 40

extern struct blob blobs[];
enum { V1, V4, V8, VEL2, RPI5, RPI5_OLD4, RPI5_OLD8, NBLOBS };

void put32(u8 *p, u32 v);
u8 *dup_exact(const u8 *src, u32 n);
/* Reads every blob from dir (a missing one is reported and left NULL). */
void load_blobs(const char *dir);
/* Parses one of the loaded blobs; fails the case (and returns -1) if it is missing or rejected. */
int parse_blob(int which, struct platform_info *pi);
/* fdt_init() on one of the loaded blobs; fails the case if it is missing or rejected. */
int init_blob(int which, struct fdt *f);

/* ---- a tiny DTB writer for hand-made trees (one tree at a time) ---- */

void b_reset(void);
void b_begin(const char *name);
void b_end(void);
void b_prop(const char *name, const void *v, u32 len);
void b_str(const char *name, const char *s);
/* A property of n 32-bit cells. */
void b_cells(const char *name, int n, ...);
void b_rsv(u64 a, u64 s);
/* Lays out header, reservation map, structure (plus FDT_END) and strings in an exact-size buffer. */
u8 *b_finish(u32 *size);
/* Root with #address-cells = #size-cells = 2 and the given first compatible. */
void b_root(const char *compat);
void b_memory(const char *name, u64 base, u64 size);
void b_cpus(int n);
/* Parses the tree built so far; returns the result and keeps the message in err. */
int b_parse(struct platform_info *pi, char *err, size_t errlen);

/* ---- the cases, by file ---- */

/* test_fdt_synth.c: hand-built trees */
void test_nested_ranges(void);
void test_console_choice(void);
void test_psci_gic_timer_variants(void);
void test_memory_reserved_cpus(void);
void test_cpus_disabled_and_enable_method(void);
void test_platform_required(void);

/* test_fdt_rpi5.c: what Raspberry Pi 5 bootloaders and firmware write, and the early console */
void test_rpi5_old_bootloader_4gb(void);
void test_rpi5_old_bootloader_8gb(void);
void test_memory_size_cells(void);
void test_reserved_children_skipped(void);
void test_early_console(void);
void test_early_fallback_uart(void);

/* test_fdt_malformed.c: malformed blobs, truncation, fuzzing */
void test_bad_header(void);
void test_bad_struct(void);
void test_truncated(void);
void test_bad_offsets(void);
void test_fuzz(void);

/* test_fdt_bootargs.c: the loader's copy with /chosen/bootargs replaced (loader/fdt_bootargs.c) */
void test_loader_bootargs_real_trees(void);
void test_loader_bootargs_no_chosen(void);
void test_loader_bootargs_refused(void);

#endif
