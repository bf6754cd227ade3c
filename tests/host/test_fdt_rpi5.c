/* FDT host tests of what Raspberry Pi 5 bootloaders and firmware write (size cells, placeholders) and of the early console lookup. */
#include "fdt_test_util.h"

static bool has_note(const struct platform_info *pi, const char *a, const char *b)
{
	for (int i = 0; i < pi->nr_notes; i++)
		if (strstr(pi->notes[i], a) && (!b || strstr(pi->notes[i], b)))
			return true;
	return false;
}

static void print_notes(const struct platform_info *pi)
{
	for (int i = 0; i < pi->nr_notes; i++)
		printf("  # note: %s\n", pi->notes[i]);
}

/* A bootloader before 2025-02-11, 4 GB: /memory's 24 bytes cannot be 2 + 2 cells; nvram@1 filled in likewise. */
void test_rpi5_old_bootloader_4gb(void)
{
	struct platform_info pi;

	if (parse_blob(RPI5_OLD4, &pi))
		return;
	print_notes(&pi);
	HT_EXPECT_EQ_S(pi.nr_mem, 2);
	HT_EXPECT_EQ_U(pi.mem[0].base, 0);
	HT_EXPECT_EQ_U(pi.mem[0].size, 0x3fc00000);
	HT_EXPECT_EQ_U(pi.mem[1].base, 0x40000000);
	HT_EXPECT_EQ_U(pi.mem[1].size, 0xc0000000);
	HT_EXPECT(has_note(&pi, "/memory@0 read with 1 size cell",
			   "24 bytes are not whole 16-byte entries"));
	HT_EXPECT(has_note(&pi, "2025-02-11", NULL));
	/* the enabled nvram@1 with its 3-cell reg: skipped, said so; BL31's ranges stay */
	HT_EXPECT(has_note(&pi, "/reserved-memory/nvram@1 skipped", "12 bytes"));
	HT_EXPECT_EQ_S(pi.nr_notes, 2);
	HT_EXPECT_EQ_S(pi.nr_reserved, 2);
	HT_EXPECT_EQ_U(pi.reserved[1].size, 0x80000);
	HT_EXPECT_EQ_U(pi.uart_base, 0x107d001000ull);
}

/* 8 GB: the 48 bytes divide into 2 + 2-cell entries, and those are nonsense the parser must refuse. */
void test_rpi5_old_bootloader_8gb(void)
{
	static const u64 want[4][2] = {
		{ 0, 0x3fc00000 },
		{ 0x40000000, 0xc0000000 },
		{ 0x100000000ull, 0x80000000 },
		{ 0x180000000ull, 0x80000000 },
	};
	struct platform_info pi;
	char err[320];
	u64 total = 0;

	if (parse_blob(RPI5_OLD8, &pi))
		return;
	print_notes(&pi);
	HT_EXPECT_EQ_S(pi.nr_mem, 4);
	for (int i = 0; i < 4 && i < pi.nr_mem; i++) {
		HT_EXPECT_EQ_U(pi.mem[i].base, want[i][0]);
		HT_EXPECT_EQ_U(pi.mem[i].size, want[i][1]);
		total += pi.mem[i].size;
	}
	HT_EXPECT_EQ_U(total, (8ull << 30) - 0x400000);
	HT_EXPECT(has_note(
		&pi, "/memory@0 read with 1 size cell",
		"0x0+0x3fc0000000000000 reaches beyond the CPU's 40-bit physical addresses"));
	HT_EXPECT_EQ_S(pi.nr_notes, 1);

	/* A CPU with no address limit still refuses it: the range would map the console UART as RAM. */
	HT_EXPECT_EQ_S(fdt_parse_platform(blobs[RPI5_OLD8].data, 64, &pi, err, sizeof(err)), 0);
	HT_EXPECT_EQ_S(pi.nr_mem, 4);
	HT_EXPECT(has_note(&pi, "covers the console UART at 0x107d001000", NULL));
}

/* A 2/2-cell root with one /memory node of the given cells, a GIC at 0x8000000, and one CPU. */
static int parse_memory_cells(int n, const u32 *cells, bool disabled_too, struct platform_info *pi,
			      char *err, size_t errlen)
{
	u8 v[64];

	for (int i = 0; i < n; i++)
		put32(v + 4 * i, cells[i]);
	b_reset();
	b_root("vendor,board");
	if (disabled_too) { /* a disabled memory node is not RAM, as for Linux */
		b_begin("memory@80000000");
		b_str("device_type", "memory");
		b_str("status", "disabled");
		b_cells("reg", 4, 0, 0x80000000, 0, 0x1000000);
		b_end();
	}
	b_begin("memory@40000000");
	b_str("device_type", "memory");
	b_prop("reg", v, 4 * (u32)n);
	b_end();
	b_cpus(1);
	b_begin("intc@8000000");
	b_str("compatible", "arm,gic-400");
	b_cells("reg", 8, 0, 0x8000000, 0, 0x1000, 0, 0x8010000, 0, 0x1000);
	b_end();
	b_end();
	return b_parse(pi, err, errlen);
}

void test_memory_size_cells(void)
{
	struct platform_info pi;
	char err[320];

	/* Neither reading: the error names the node and both. */
	static const u32 five[] = { 0, 0x40000000, 0, 0x1000000, 0 };
	HT_EXPECT_EQ_S(parse_memory_cells(5, five, false, &pi, err, sizeof(err)),
		       -FDT_ERR_BADVALUE);
	printf("  # %s\n", err);
	HT_EXPECT(strstr(err, "/memory@40000000 reg is unusable") != NULL);
	HT_EXPECT(
		strstr(err,
		       "with 2 size cells (as #size-cells says), 20 bytes are not whole 16-byte entries") !=
		NULL);
	HT_EXPECT(strstr(err, "with 1, 20 bytes are not whole 12-byte entries") != NULL);

	/* 48 bytes are whole entries both ways: the declared reading wins when it is sane, with no note. */
	static const u32 three[] = { 0, 0x40000000, 0, 0x100000,   0, 0x41000000,
				     0, 0x100000,   0, 0x42000000, 0, 0x100000 };
	HT_EXPECT_EQ_S(parse_memory_cells(12, three, true, &pi, err, sizeof(err)), 0);
	HT_EXPECT_EQ_S(pi.nr_mem, 3); /* the disabled node is not among them */
	HT_EXPECT_EQ_U(pi.mem[2].base, 0x42000000);
	HT_EXPECT_EQ_S(pi.nr_notes, 0);

	/* Whole 2 + 2 entries over the GIC, and no 2 + 1 reading: refused, naming the device. */
	static const u32 over_gic[] = { 0, 0, 0, 0x80000000 };
	HT_EXPECT_EQ_S(parse_memory_cells(4, over_gic, false, &pi, err, sizeof(err)),
		       -FDT_ERR_BADVALUE);
	HT_EXPECT(strstr(err, "0x0+0x80000000 covers the GIC distributor at 0x8000000") != NULL);

	/* The physical address limit is exclusive: up to 2^40 fits, a byte more does not. */
	static const u32 to_top[] = { 0xff, 0, 1, 0 };
	HT_EXPECT_EQ_S(parse_memory_cells(4, to_top, false, &pi, err, sizeof(err)), 0);
	static const u32 past_top[] = { 0xff, 0, 1, 1 };
	HT_EXPECT_EQ_S(parse_memory_cells(4, past_top, false, &pi, err, sizeof(err)),
		       -FDT_ERR_BADVALUE);
	HT_EXPECT(strstr(err, "0xff00000000+0x100000001 reaches beyond the CPU's 40-bit") != NULL);

	/* A tree that declares one size cell (bcm2712 before 2025): read as declared, no other reading tried. */
	for (int good = 0; good < 2; good++) {
		b_reset();
		b_begin("");
		b_cells("#address-cells", 1, 2);
		b_cells("#size-cells", 1, 1);
		b_begin("memory@0");
		b_str("device_type", "memory");
		if (good)
			b_cells("reg", 6, 0, 0, 0x3fc00000, 0, 0x40000000, 0xc0000000);
		else
			b_cells("reg", 4, 0, 0, 0, 0x3fc00000);
		b_end();
		b_cpus(1);
		b_end();
		HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), good ? 0 : -FDT_ERR_BADVALUE);
		if (good) {
			HT_EXPECT_EQ_S(pi.nr_mem, 2);
			HT_EXPECT_EQ_U(pi.mem[1].size, 0xc0000000);
			HT_EXPECT_EQ_S(pi.nr_notes, 0);
		} else {
			HT_EXPECT(
				strstr(err,
				       "read with 1 size cell(s), 16 bytes are not whole 12-byte") !=
				NULL);
		}
	}
}

void test_reserved_children_skipped(void)
{
	struct platform_info pi;
	char err[320], name[32];

	b_reset();
	b_root("vendor,board");
	b_memory("memory@40000000", 0x40000000, 0x10000000);
	b_cpus(1);
	b_begin("reserved-memory");
	b_cells("#address-cells", 1, 2);
	b_cells("#size-cells", 1, 2);
	b_prop("ranges", "", 0);
	b_begin("off@41000000"); /* well-formed but disabled: not reserved */
	b_cells("reg", 4, 0, 0x41000000, 0, 0x1000);
	b_str("status", "disabled");
	b_end();
	for (int i = 0; i < PLAT_MAX_NOTES + 1; i++) { /* one note more than the table keeps */
		snprintf(name, sizeof(name), "bad@%d", i);
		b_begin(name);
		b_cells("reg", 3, 0, 0x42000000 + 0x1000 * i, 0x1000);
		b_end();
	}
	b_begin("fw@43000000");
	b_cells("reg", 4, 0, 0x43000000, 0, 0x2000);
	b_prop("no-map", "", 0);
	b_end();
	b_end();
	b_end();
	HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), 0);
	HT_EXPECT_EQ_S(pi.nr_reserved, 1);
	HT_EXPECT_EQ_U(pi.reserved[0].base, 0x43000000);
	HT_EXPECT(pi.reserved[0].no_map);
	HT_EXPECT_EQ_S(pi.nr_notes, PLAT_MAX_NOTES);
	HT_EXPECT_EQ_S(pi.notes_dropped, 1);
	HT_EXPECT_STREQ(pi.notes[0],
			"device tree: /reserved-memory/bad@0 skipped: its reg is 12 bytes, "
			"not whole 16-byte entries");
}

/* The console, found by the lenient lookup that runs before fdt_parse_platform. */
void test_early_console(void)
{
	struct early_console con;
	struct platform_info pi;
	char err[320];
	u8 *p;
	u32 off_struct, size_struct;

	if (!blobs[RPI5].data || !blobs[V1].data) {
		HT_FAIL("blobs not loaded");
		return;
	}
	HT_EXPECT_EQ_S(fdt_early_console(blobs[RPI5].compact, &con), 0);
	HT_EXPECT_EQ_U(con.source, EARLY_CONSOLE_STDOUT_PATH);
	HT_EXPECT_EQ_U(con.base, 0x107d001000ull);
	HT_EXPECT_STREQ(con.node, "serial@7d001000");
	HT_EXPECT_STREQ(con.board, "rpi5");
	HT_EXPECT_STREQ(con.bootargs, "console=ttyAMA10,115200 maxcpus=4");
	HT_EXPECT_EQ_S(fdt_early_console(blobs[V1].compact, &con), 0);
	HT_EXPECT_EQ_U(con.source, EARLY_CONSOLE_STDOUT_PATH);
	HT_EXPECT_EQ_U(con.base, 0x9000000);
	HT_EXPECT_STREQ(con.board, "qemu-virt");

	/* The root's END_NODE broken: the strict parse refuses the tree, the console is still found. */
	p = dup_exact(blobs[RPI5].compact, blobs[RPI5].csize);
	off_struct = fdt_be32(p + 8);
	size_struct = fdt_be32(p + 36);
	HT_EXPECT_EQ_U(fdt_be32(p + off_struct + size_struct - 8), 2); /* END_NODE, then END */
	put32(p + off_struct + size_struct - 8, 0x77);
	HT_EXPECT(fdt_parse_platform(p, PA_BITS_A76, &pi, err, sizeof(err)) < 0);
	HT_EXPECT_EQ_S(fdt_early_console(p, &con), 0);
	HT_EXPECT_EQ_U(con.source, EARLY_CONSOLE_STDOUT_PATH);
	HT_EXPECT_EQ_U(con.base, 0x107d001000ull);
	/* No magic: nothing known, not even the board. */
	put32(p, 0x12345678);
	HT_EXPECT(fdt_early_console(p, &con) < 0);
	HT_EXPECT_EQ_U(con.source, EARLY_CONSOLE_NONE);
	HT_EXPECT(con.board == NULL);
	free(p);

	/* A Pi 5 root whose console cannot be reached (stdout-path to nothing, no PL011): its debug UART. */
	for (int pl011 = 0; pl011 < 2; pl011++) {
		b_reset();
		b_begin("");
		b_cells("#address-cells", 1, 2);
		b_cells("#size-cells", 1, 2);
		b_prop("compatible", "raspberrypi,5-model-b\0brcm,bcm2712", 35);
		b_begin("chosen");
		b_str("stdout-path", "serial10:115200n8");
		b_end();
		if (pl011) {
			b_begin("serial@9000000");
			b_str("compatible", "arm,pl011");
			b_cells("reg", 4, 0, 0x9000000, 0, 0x1000);
			b_end();
		}
		b_end();
		p = b_finish(NULL);
		HT_EXPECT_EQ_S(fdt_early_console(p, &con), 0);
		HT_EXPECT_STREQ(con.board, "rpi5");
		HT_EXPECT_EQ_U(con.source,
			       pl011 ? EARLY_CONSOLE_FIRST_PL011 : EARLY_CONSOLE_RPI5_DEFAULT);
		HT_EXPECT_EQ_U(con.base, pl011 ? 0x9000000 : RPI5_DEBUG_UART);
		HT_EXPECT_STREQ(con.node, pl011 ? "serial@9000000" : "");
		HT_EXPECT(con.bootargs == NULL);
		free(p);
	}
	/* Any other board without a console: none (the kernel then falls back to early_fallback_uart's). */
	b_reset();
	b_root("linux,dummy-virt");
	b_end();
	p = b_finish(NULL);
	HT_EXPECT_EQ_S(fdt_early_console(p, &con), 0);
	HT_EXPECT_EQ_U(con.source, EARLY_CONSOLE_NONE);
	HT_EXPECT_STREQ(con.board, "qemu-virt");
	free(p);
}

/* With no usable tree, the CPU picks the panic UART: MT set (the Pi 5's A76, cores in Aff1) or clear (QEMU, Aff0). */
void test_early_fallback_uart(void)
{
	for (u64 core = 0; core < 4; core++) {
		HT_EXPECT_EQ_U(early_fallback_uart(0x81000000ull | core << 8, 0x9000000),
			       RPI5_DEBUG_UART);
		HT_EXPECT_EQ_U(early_fallback_uart(0x80000000ull | core, 0x9000000), 0x9000000);
	}
	/* CONFIG_PANIC_UART_FALLBACK=0 silences QEMU's, never the Pi's: its address is known. */
	HT_EXPECT_EQ_U(early_fallback_uart(0x80000000ull, 0), 0);
	HT_EXPECT_EQ_U(early_fallback_uart(0x81000300ull, 0), RPI5_DEBUG_UART);
}
