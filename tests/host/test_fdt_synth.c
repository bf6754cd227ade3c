/* FDT host tests on hand-built in-memory trees: ranges, console choice, PSCI/GIC/timer variants, limits, missing parts. */
#include "fdt_test_util.h"

/* ---- hand-built trees: translation and platform corner cases ---- */

void test_nested_ranges(void)
{
	struct fdt f;
	u64 a, s;
	u8 *p;
	int n;

	b_reset();
	b_root("test,board");
	b_begin("bus@1000000000"); /* 2-cell children, maps child 0x0 -> 0x10_0000_0000 */
	b_cells("#address-cells", 1, 2);
	b_cells("#size-cells", 1, 2);
	b_cells("ranges", 12, 0, 0x80000000, 0, 0x80000000, 0, 0x1000, /* unrelated window first */
		0, 0, 0x10, 0, 0, 0x40000000);
	b_begin("sub@100000"); /* 1-cell children mapped into the bus at 0x100000 */
	b_cells("#address-cells", 1, 1);
	b_cells("#size-cells", 1, 1);
	b_cells("ranges", 4, 0x2000, 0, 0x100000, 0x1000);
	b_begin("dev@2010");
	b_cells("reg", 4, 0x2010, 0x10, 0x2100, 0x8);
	b_end();
	b_begin("outside@5000"); /* outside the sub bus window */
	b_cells("reg", 2, 0x5000, 0x10);
	b_end();
	b_begin("badlen@0");
	b_cells("reg", 3, 0, 1, 2);
	b_end();
	b_end();
	b_end();
	b_begin("opaque@0"); /* no "ranges": its children have no CPU address */
	b_cells("#address-cells", 1, 1);
	b_cells("#size-cells", 1, 1);
	b_begin("x@0");
	b_cells("reg", 2, 0, 4);
	b_end();
	b_end();
	b_begin("pci@0"); /* 3-cell addresses are beyond this reader */
	b_cells("#address-cells", 1, 3);
	b_cells("#size-cells", 1, 2);
	b_prop("ranges", "", 0);
	b_begin("dev@0");
	b_cells("reg", 5, 0, 0, 0, 0, 0x100);
	b_end();
	b_end();
	b_end();
	p = b_finish(NULL);
	HT_EXPECT_EQ_S(fdt_init(&f, p), 0);
	n = fdt_path_offset(&f, "/bus/sub/dev");
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 0, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x1000100010ull);
	HT_EXPECT_EQ_U(s, 0x10);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 1, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x1000100100ull);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/bus/sub/outside"), 0, &a, &s),
		       -FDT_ERR_BADVALUE);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/bus/sub/badlen"), 0, &a, &s),
		       -FDT_ERR_BADVALUE);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/opaque/x"), 0, &a, &s),
		       -FDT_ERR_BADVALUE);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/pci/dev"), 0, &a, &s),
		       -FDT_ERR_BADVALUE);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/nope/dev"), 0, &a, &s),
		       -FDT_ERR_NOTFOUND);
	free(p);
}

void test_console_choice(void)
{
	struct platform_info pi;
	char err[128];

	/* stdout-path given as a path with options; the chosen PL011 is not the first */
	for (int variant = 0; variant < 6; variant++) {
		b_reset();
		b_root("linux,dummy-virt");
		if (variant == 0)
			/* a property of the root, not of /chosen */
			b_str("stdout-path", "/uart@3000");
		b_memory("memory@40000000", 0x40000000, 0x1000000);
		b_cpus(1);
		b_begin("aliases");
		b_str("serial0", "/uart@3000");
		b_str("serial1", "/gpio@4000");
		b_end();
		b_begin("chosen");
		if (variant == 1)
			b_str("stdout-path", "/uart@3000:115200n8");
		if (variant == 2)
			b_str("stdout-path", "serial0");
		if (variant == 3)
			b_str("stdout-path", "serial1:9600"); /* not a PL011: fall back */
		if (variant == 4)
			b_str("stdout-path", "/nowhere");
		if (variant == 5) { /* longer than any sane path: ignored, not overflowed */
			char longpath[400];

			memset(longpath, 'a', sizeof(longpath) - 1);
			longpath[0] = '/';
			longpath[sizeof(longpath) - 1] = '\0';
			b_str("stdout-path", longpath);
		}
		b_end();
		b_begin("uart@1000");
		b_str("compatible", "arm,pl011");
		b_str("status", "disabled");
		b_cells("reg", 4, 0, 0x1000, 0, 0x100);
		b_end();
		b_begin("uart@2000");
		b_str("compatible", "arm,pl011");
		b_cells("reg", 4, 0, 0x2000, 0, 0x100);
		b_end();
		b_begin("uart@3000");
		b_prop("compatible", "vendor,x\0arm,pl011", 19);
		b_cells("reg", 4, 0, 0x3000, 0, 0x100);
		b_end();
		b_begin("gpio@4000");
		b_str("compatible", "arm,pl061");
		b_cells("reg", 4, 0, 0x4000, 0, 0x100);
		b_end();
		b_end();
		HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), 0);
		HT_EXPECT(pi.have_uart);
		HT_EXPECT_EQ_U(pi.uart_base, (variant == 1 || variant == 2) ? 0x3000 : 0x2000);
	}

	b_reset();
	b_root("linux,dummy-virt");
	b_memory("memory", 0x40000000, 0x1000000);
	b_cpus(1);
	b_end();
	HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), 0);
	HT_EXPECT(!pi.have_uart);
	HT_EXPECT_EQ_U(pi.psci, PSCI_NONE);
	HT_EXPECT_EQ_S(pi.gic_version, 0);
	HT_EXPECT_EQ_U(pi.timer_phys_intid, 0);
	HT_EXPECT_STREQ(pi.model, "");
}

void test_psci_gic_timer_variants(void)
{
	struct platform_info pi;
	char err[128];

	b_reset();
	b_root("vendor,board");
	b_memory("memory@40000000", 0x40000000, 0x1000000); /* RAM over the GIC would be refused */
	b_cpus(2);
	b_begin("firmware");
	b_begin("psci-thing"); /* found by compatible, not by path */
	b_str("compatible", "arm,psci-0.2");
	b_str("method", "smc");
	b_end();
	b_end();
	b_begin("gic@1000");
	b_str("compatible", "arm,gic-v3");
	b_cells("#redistributor-regions", 1, 2);
	b_cells("reg", 12, 0, 0x1000, 0, 0x10000, 0, 0x100000, 0, 0x20000, 0, 0x200000, 0, 0x40000);
	b_end();
	b_begin("timer");
	b_str("compatible", "arm,armv7-timer");
	/* virt given as an SPI */
	b_cells("interrupts", 12, 1, 13, 8, 1, 14, 8, 0, 11, 8, 1, 10, 8);
	b_end();
	b_end();
	HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), 0);
	HT_EXPECT_STREQ(pi.board, "unknown");
	HT_EXPECT_EQ_U(pi.psci, PSCI_SMC);
	HT_EXPECT_EQ_S(pi.gic_version, 3);
	HT_EXPECT_EQ_U(pi.gicd_base, 0x1000);
	HT_EXPECT_EQ_S(pi.nr_gicr, 2);
	HT_EXPECT_EQ_U(pi.gicr[0].base, 0x100000);
	HT_EXPECT_EQ_U(pi.gicr[1].base, 0x200000);
	HT_EXPECT_EQ_U(pi.gicr[1].size, 0x40000);
	HT_EXPECT_EQ_U(pi.timer_phys_intid, 30);
	HT_EXPECT_EQ_U(pi.timer_virt_intid, 0);

	/* more redistributor regions than declared reg entries, or than the table holds */
	for (int regions = 3; regions <= 5; regions += 2) {
		b_reset();
		b_root("vendor,board");
		b_memory("memory@0", 0, 0x1000000);
		b_cpus(1);
		b_begin("psci");
		b_str("method", "magic");
		b_end();
		b_begin("gic@1000");
		b_str("compatible", "arm,gic-v3");
		b_cells("#redistributor-regions", 1, regions);
		b_cells("reg", 8, 0, 0x1000, 0, 0x10000, 0, 0x100000, 0, 0x20000);
		b_end();
		b_end();
		err[0] = 'x';
		HT_EXPECT(b_parse(&pi, err, sizeof(err)) < 0);
		HT_EXPECT(err[0] && strstr(err, "GICv3"));
	}

	/* GICv2 without a GICC entry is unusable: an error, not a silent gic_version 2 */
	b_reset();
	b_root("vendor,board");
	b_memory("memory@0", 0, 0x1000000);
	b_cpus(1);
	b_begin("psci");
	b_str("method", "magic");
	b_end();
	b_begin("intc");
	b_str("compatible", "arm,cortex-a15-gic");
	b_cells("reg", 4, 0, 0x1000, 0, 0x1000);
	b_end();
	b_end();
	HT_EXPECT(b_parse(&pi, err, sizeof(err)) < 0);
	HT_EXPECT(strstr(err, "GICC") != NULL);
	HT_EXPECT_EQ_U(pi.psci, PSCI_NONE);
}

void test_memory_reserved_cpus(void)
{
	struct platform_info pi;
	char err[128];

	b_reset();
	b_rsv(0x1000, 0x2000);
	b_rsv(0x80000000, 0x100);
	b_root("vendor,board");
	b_begin("memory@0");
	b_str("device_type", "memory");
	b_cells("reg", 12, 0, 0, 0, 0x1000000, 0, 0x2000000, 0, 0, 1, 0, 0, 0x100000);
	b_end();
	b_begin("memory@c0000000"); /* device_type absent: still RAM by its name */
	b_cells("reg", 4, 0, 0xc0000000, 0, 0x1000);
	b_end();
	b_begin("memorybank"); /* not a memory node name */
	b_str("device_type", "memory");
	b_cells("reg", 4, 0, 0xd0000000, 0, 0x1000);
	b_end();
	b_begin("memory@e0000000"); /* named like RAM but says otherwise */
	b_str("device_type", "nvram");
	b_cells("reg", 4, 0, 0xe0000000, 0, 0x1000);
	b_end();
	b_begin("reserved-memory");
	b_cells("#address-cells", 1, 2);
	b_cells("#size-cells", 1, 2);
	b_prop("ranges", "", 0);
	b_begin("fw@3000");
	b_cells("reg", 4, 0, 0x3000, 0, 0x1000);
	b_end();
	b_begin("secure@5000"); /* no-map, two reg entries: both flagged */
	b_cells("reg", 8, 0, 0x5000, 0, 0x1000, 0, 0x9000, 0, 0x2000);
	b_prop("no-map", "", 0);
	b_end();
	b_begin("nomap-after@b000"); /* "no-map" after other properties, beside one that is not */
	b_str("compatible", "vendor,pool");
	b_cells("reg", 4, 0, 0xb000, 0, 0x1000);
	b_prop("no-map", "", 0);
	b_prop("reusable", "", 0);
	b_end();
	b_end();
	b_begin("cpus");
	b_cells("#address-cells", 1, 2);
	b_cells("#size-cells", 1, 0);
	b_begin("cpu@100000000");
	b_str("device_type", "cpu");
	b_cells("reg", 2, 1, 0x0);
	b_end();
	b_begin("cpu@100000001");
	b_str("device_type", "cpu");
	b_cells("reg", 2, 1, 0x1);
	b_end();
	b_end();
	b_end();
	HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), 0);
	HT_EXPECT_EQ_S(pi.nr_mem, 3); /* the size-0 entry is dropped */
	HT_EXPECT_EQ_U(pi.mem[1].base, 0x100000000ull);
	HT_EXPECT_EQ_U(pi.mem[1].size, 0x100000);
	HT_EXPECT_EQ_U(pi.mem[2].base, 0xc0000000);
	HT_EXPECT_EQ_S(pi.nr_reserved, 6);
	HT_EXPECT_EQ_U(pi.reserved[0].base, 0x1000);
	HT_EXPECT_EQ_U(pi.reserved[1].base, 0x80000000);
	HT_EXPECT_EQ_U(pi.reserved[2].base, 0x3000);
	/* /memreserve/ entries and plain children stay mapped; no-map children are flagged, every reg entry. */
	HT_EXPECT(!pi.reserved[0].no_map && !pi.reserved[1].no_map && !pi.reserved[2].no_map);
	HT_EXPECT_EQ_U(pi.reserved[3].base, 0x5000);
	HT_EXPECT(pi.reserved[3].no_map);
	HT_EXPECT_EQ_U(pi.reserved[4].base, 0x9000);
	HT_EXPECT_EQ_U(pi.reserved[4].size, 0x2000);
	HT_EXPECT(pi.reserved[4].no_map);
	HT_EXPECT_EQ_U(pi.reserved[5].base, 0xb000);
	HT_EXPECT(pi.reserved[5].no_map);
	HT_EXPECT_EQ_S(pi.nr_cpus, 2);
	HT_EXPECT_EQ_U(pi.cpu_mpidr[1], 0x100000001ull);

	/* 10 memory ranges: the table keeps 8; 17 reservations: fatal; 70 CPUs: 64 kept, 70 seen */
	b_reset();
	for (int i = 0; i < 17; i++)
		b_rsv(0x1000 * i, 0x100);
	b_root("vendor,board");
	for (int i = 0; i < 10; i++)
		b_memory("memory", 0x10000000ull * i, 0x1000);
	b_cpus(70);
	b_end();
	HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), -FDT_ERR_NOSPACE);
	HT_EXPECT(strstr(err, "reserved") != NULL);
	HT_EXPECT_EQ_S(pi.nr_mem, 8);
	b_reset();
	b_root("vendor,board");
	b_memory("memory", 0, 0x1000);
	b_cpus(70);
	b_end();
	HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), 0);
	HT_EXPECT_EQ_S(pi.nr_cpus, PLAT_MAX_CPUS);
	HT_EXPECT_EQ_S(pi.cpus_seen, 70);
	HT_EXPECT_EQ_U(pi.cpu_mpidr[63], 63);
}

/* Disabled CPUs are skipped (said in a note); each CPU's enable-method is kept for the SMP bring-up. */
void test_cpus_disabled_and_enable_method(void)
{
	static const struct {
		const char *status, *method;
	} cpu[] = { { NULL, "psci" },
		    { "disabled", "psci" },
		    { "okay", "spin-table" },
		    { NULL, NULL },
		    { "fail", "psci" } };
	struct platform_info pi;
	char err[128], name[16];
	u8 *p;

	b_reset();
	b_root("vendor,board");
	b_memory("memory", 0, 0x1000000);
	b_begin("cpus");
	b_cells("#address-cells", 1, 1);
	b_cells("#size-cells", 1, 0);
	for (u32 i = 0; i < ARRAY_SIZE(cpu); i++) {
		snprintf(name, sizeof(name), "cpu@%x", i * 0x100);
		b_begin(name);
		b_str("device_type", "cpu");
		b_cells("reg", 1, i * 0x100);
		if (cpu[i].status)
			b_str("status", cpu[i].status);
		if (cpu[i].method)
			b_str("enable-method", cpu[i].method);
		b_end();
	}
	b_end();
	b_end();
	p = b_finish(NULL); /* kept until the end: cpu_method points into it */
	HT_EXPECT_EQ_S(fdt_parse_platform(p, PA_BITS_A76, &pi, err, sizeof(err)), 0);
	HT_EXPECT_EQ_S(pi.nr_cpus, 3);
	HT_EXPECT_EQ_S(pi.cpus_seen, 3);
	HT_EXPECT_EQ_U(pi.cpu_mpidr[0], 0);
	HT_EXPECT_EQ_U(pi.cpu_mpidr[1], 0x200);
	HT_EXPECT_EQ_U(pi.cpu_mpidr[2], 0x300);
	HT_EXPECT(pi.cpu_method[0] && strcmp(pi.cpu_method[0], "psci") == 0);
	HT_EXPECT(pi.cpu_method[1] && strcmp(pi.cpu_method[1], "spin-table") == 0);
	HT_EXPECT(pi.cpu_method[2] == NULL);
	HT_EXPECT_EQ_S(pi.nr_notes, 2);
	HT_EXPECT_STREQ(pi.notes[0],
			"device tree: /cpus/cpu@100 skipped: its status is \"disabled\"");
	HT_EXPECT_STREQ(pi.notes[1], "device tree: /cpus/cpu@400 skipped: its status is \"fail\"");
	free(p);

	/* The Pi 5's and QEMU's trees: every CPU started through PSCI, but QEMU's lone one has no method (-smp 1). */
	for (int b = 0; b < NBLOBS; b++) {
		if (parse_blob(b, &pi))
			continue;
		HT_EXPECT(pi.nr_cpus > 0);
		for (int i = 0; i < pi.nr_cpus; i++)
			HT_EXPECT(b == V1 ? pi.cpu_method[i] == NULL :
					    pi.cpu_method[i] &&
						    strcmp(pi.cpu_method[i], "psci") == 0);
	}
}

/* Missing or broken mandatory parts give an error code and a sentence naming the part. */
void test_platform_required(void)
{
	struct platform_info pi;
	char err[128], tiny[8];

	for (int variant = 0; variant < 6; variant++) {
		b_reset();
		b_root("vendor,board");
		if (variant != 0)
			b_memory("memory@0", 0, 0x1000);
		if (variant == 2 || variant == 3) {
			b_begin("cpus");
			b_cells("#address-cells", 1, variant == 2 ? 1 : 3);
			b_cells("#size-cells", 1, 0);
			b_begin("cpu-map");
			b_end();
			b_end();
		} else if (variant == 4) {
			b_begin("cpus");
			b_cells("#address-cells", 1, 2);
			b_begin("cpu@0");
			b_str("device_type", "cpu");
			b_cells("reg", 1, 0); /* one cell where two are due */
			b_end();
			b_end();
		} else if (variant == 5) {
			b_cpus(1);
			b_begin("reserved-memory"); /* no "ranges": children untranslatable */
			b_begin("fw@0");
			b_cells("reg", 4, 0, 0, 0, 0x1000);
			b_end();
			b_end();
		} else if (variant == 0) {
			b_cpus(1);
		}
		b_end();
		memset(err, 0, sizeof(err));
		HT_EXPECT(b_parse(&pi, err, sizeof(err)) < 0);
		HT_EXPECT(err[0] != '\0');
		if (variant == 0)
			HT_EXPECT(strstr(err, "memory") != NULL);
		if (variant == 1)
			HT_EXPECT(strstr(err, "/cpus") != NULL);
		if (variant == 2)
			HT_EXPECT(strstr(err, "cpu") != NULL);
		if (variant == 5)
			HT_EXPECT(strstr(err, "reserved") != NULL);
	}

	/* err may be tiny or absent; out may not be NULL */
	b_reset();
	b_root("vendor,board");
	b_end();
	HT_EXPECT(b_parse(&pi, tiny, sizeof(tiny)) < 0);
	HT_EXPECT(strlen(tiny) == sizeof(tiny) - 1);
	HT_EXPECT(fdt_parse_platform(NULL, PA_BITS_A76, &pi, NULL, 0) < 0);
	HT_EXPECT(fdt_parse_platform(NULL, PA_BITS_A76, &pi, err, 0) < 0);
	HT_EXPECT(fdt_parse_platform(blobs[V1].compact, PA_BITS_A76, NULL, err, sizeof(err)) < 0);
	HT_EXPECT(err[0] != '\0');
}
