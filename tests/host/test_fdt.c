/* Host tests for kernel/fdt.c and kernel/fdt_platform.c: main(), the case table, and the cases on real QEMU/Pi-shaped DTBs and the API. */
#include "fdt_test_util.h"

/*
 * The other cases live in test_fdt_synth.c (hand-built trees) and
 * test_fdt_malformed.c (malformed blobs, fuzzing); helpers in fdt_test_util.c.
 */

HT_DEFINE_STATE;

/* ---- real blobs: QEMU virt as dumped by QEMU 7.2, and the Pi 5-shaped tree ---- */

static void expect_virt_common(const struct platform_info *pi)
{
	HT_EXPECT_STREQ(pi->board, "qemu-virt");
	HT_EXPECT_STREQ(pi->model, "linux,dummy-virt");
	HT_EXPECT_STREQ(pi->bootargs, "");
	HT_EXPECT_EQ_S(pi->nr_mem, 1);
	HT_EXPECT_EQ_U(pi->mem[0].base, 0x40000000);
	HT_EXPECT_EQ_U(pi->mem[0].size, 0x20000000);
	HT_EXPECT_EQ_S(pi->nr_reserved, 0);
	HT_EXPECT(pi->have_uart);
	HT_EXPECT_EQ_U(pi->uart_base, 0x9000000);
	HT_EXPECT_EQ_U(pi->gicd_base, 0x8000000);
	HT_EXPECT_EQ_U(pi->timer_phys_intid, 30);
	HT_EXPECT_EQ_U(pi->timer_virt_intid, 27);
	for (int i = 0; i < pi->nr_cpus; i++)
		HT_EXPECT_EQ_U(pi->cpu_mpidr[i], i);
	HT_EXPECT_EQ_S(pi->cpus_seen, pi->nr_cpus);
}

static void test_virt_smp1_gicv2(void)
{
	struct platform_info pi;

	if (parse_blob(V1, &pi))
		return;
	expect_virt_common(&pi);
	HT_EXPECT_EQ_S(pi.nr_cpus, 1);
	HT_EXPECT_EQ_U(pi.psci, PSCI_HVC);
	HT_EXPECT_EQ_S(pi.gic_version, 2);
	HT_EXPECT_EQ_U(pi.gicc_base, 0x8010000);
	HT_EXPECT_EQ_S(pi.nr_gicr, 0);
}

static void test_virt_smp4_gicv2(void)
{
	struct platform_info pi;

	if (parse_blob(V4, &pi))
		return;
	expect_virt_common(&pi);
	HT_EXPECT_EQ_S(pi.nr_cpus, 4);
	HT_EXPECT_EQ_U(pi.psci, PSCI_HVC);
	HT_EXPECT_EQ_S(pi.gic_version, 2);
	HT_EXPECT_EQ_U(pi.gicc_base, 0x8010000);
}

static void test_virt_smp8_gicv3(void)
{
	struct platform_info pi;

	if (parse_blob(V8, &pi))
		return;
	expect_virt_common(&pi);
	HT_EXPECT_EQ_S(pi.nr_cpus, 8);
	HT_EXPECT_EQ_U(pi.psci, PSCI_HVC);
	HT_EXPECT_EQ_S(pi.gic_version, 3);
	HT_EXPECT_EQ_S(pi.nr_gicr, 1);
	HT_EXPECT_EQ_U(pi.gicr[0].base, 0x80a0000);
	HT_EXPECT(pi.gicr[0].size >= 8 * 0x20000); /* QEMU 7.2 sizes it for 123 CPUs: 0xf60000 */
	HT_EXPECT_EQ_U(pi.gicc_base, 0);
}

static void test_virt_el2_smc(void)
{
	struct platform_info pi;

	if (parse_blob(VEL2, &pi))
		return;
	expect_virt_common(&pi);
	HT_EXPECT_EQ_S(pi.nr_cpus, 4);
	HT_EXPECT_EQ_U(pi.psci, PSCI_SMC);
	/* virtualization=on adds GICH/GICV as reg 2 and 3: GICD/GICC are unchanged */
	HT_EXPECT_EQ_S(pi.gic_version, 2);
	HT_EXPECT_EQ_U(pi.gicc_base, 0x8010000);
}

static void test_rpi5(void)
{
	struct platform_info pi;
	bool fw = false;

	if (parse_blob(RPI5, &pi))
		return;
	HT_EXPECT_STREQ(pi.board, "rpi5");
	HT_EXPECT(strncmp(pi.model, "Raspberry Pi 5", 14) == 0);
	HT_EXPECT_STREQ(pi.bootargs, "console=ttyAMA10,115200 maxcpus=4");
	HT_EXPECT_EQ_S(pi.nr_mem, 2);
	HT_EXPECT_EQ_U(pi.mem[0].base, 0);
	HT_EXPECT_EQ_U(pi.mem[0].size, 0x3fc00000);
	HT_EXPECT_EQ_U(pi.mem[1].base, 0x40000000);
	HT_EXPECT_EQ_U(pi.mem[1].size, 0xc0000000);
	/*
	 * /memreserve/ and the reserved-memory child both cover BL31; the reg-less CMA pool is skipped,
	 * and so are the disabled nvram@0/@1 with their 3-cell regs, silently: nothing to warn about.
	 */
	HT_EXPECT_EQ_S(pi.nr_reserved, 2);
	HT_EXPECT_EQ_S(pi.nr_notes, 0);
	for (int i = 0; i < pi.nr_reserved; i++)
		fw |= pi.reserved[i].base == 0 && pi.reserved[i].size == 0x80000;
	HT_EXPECT(fw);
	/* The /memreserve/ entry stays mapped; atf@0 says no-map. */
	HT_EXPECT(!pi.reserved[0].no_map);
	HT_EXPECT(pi.reserved[1].no_map);
	HT_EXPECT(pi.have_uart);
	HT_EXPECT_EQ_U(pi.uart_base, 0x107d001000ull);
	HT_EXPECT_EQ_U(pi.psci, PSCI_SMC);
	HT_EXPECT_EQ_S(pi.gic_version, 2);
	HT_EXPECT_EQ_U(pi.gicd_base, 0x107fff9000ull);
	HT_EXPECT_EQ_U(pi.gicc_base, 0x107fffa000ull);
	/* five timer entries (QEMU's tree has four): the second and third are still the EL1 timers */
	HT_EXPECT_EQ_U(pi.timer_phys_intid, 30);
	HT_EXPECT_EQ_U(pi.timer_virt_intid, 27);
	HT_EXPECT_STREQ(pi.uart_node, "serial@7d001000");
	HT_EXPECT_EQ_S(pi.nr_cpus, 4);
	HT_EXPECT_EQ_S(pi.cpus_seen, 4);
	for (int i = 0; i < 4; i++)
		HT_EXPECT_EQ_U(pi.cpu_mpidr[i], 0x100 * i);
}

/* QEMU pads its DTB to 1 MiB: a buffer holding only the blocks must parse without touching the rest. */
static void test_padding_never_read(void)
{
	for (int i = 0; i < NBLOBS; i++) {
		struct platform_info pi;
		char err[128];
		u8 *p;

		if (!blobs[i].data) {
			HT_FAIL("%s was not loaded", blobs[i].file);
			continue;
		}
		p = dup_exact(blobs[i].data, blobs[i].csize); /* totalsize left as the file says */
		HT_EXPECT_EQ_S(fdt_parse_platform(p, PA_BITS_A76, &pi, err, sizeof(err)), 0);
		HT_EXPECT_EQ_S(
			fdt_parse_platform(blobs[i].compact, PA_BITS_A76, &pi, err, sizeof(err)),
			0);
		free(p);
	}
}

/* ---- the generic API on real blobs ---- */

static void test_api_navigation(void)
{
	struct fdt f;
	int root, cpus, n, node, cnt;
	const char *name;

	if (init_blob(V4, &f))
		return;
	root = fdt_root(&f);
	HT_EXPECT_EQ_S(root, 0);
	HT_EXPECT_STREQ(fdt_node_name(&f, root), "");
	HT_EXPECT_EQ_S(fdt_path_offset(&f, "/"), root);
	HT_EXPECT_EQ_S(fdt_parent(&f, root), -FDT_ERR_NOTFOUND);
	cpus = fdt_path_offset(&f, "/cpus");
	HT_EXPECT(cpus > 0);
	HT_EXPECT_EQ_S(fdt_parent(&f, cpus), root);
	HT_EXPECT_EQ_U(fdt_address_cells(&f, cpus), 1);
	HT_EXPECT_EQ_U(fdt_size_cells(&f, cpus), 0);
	HT_EXPECT_EQ_U(fdt_address_cells(&f, root), 2);
	HT_EXPECT_EQ_U(fdt_size_cells(&f, root), 2);
	/* defaults when absent: 2 and 1 */
	n = fdt_path_offset(&f, "/psci");
	HT_EXPECT_EQ_U(fdt_address_cells(&f, n), 2);
	HT_EXPECT_EQ_U(fdt_size_cells(&f, n), 1);

	node = fdt_path_offset(&f, "/cpus/cpu@2");
	HT_EXPECT_STREQ(fdt_node_name(&f, node), "cpu@2");
	HT_EXPECT_EQ_S(fdt_parent(&f, node), cpus);
	HT_EXPECT_STREQ(fdt_node_name(&f, fdt_path_offset(&f, "/cpus/cpu")), "cpu@0");
	HT_EXPECT_STREQ(fdt_node_name(&f, fdt_path_offset(&f, "//cpus//cpu@3/")), "cpu@3");
	HT_EXPECT_STREQ(
		fdt_node_name(&f, fdt_path_offset(&f, "/cpus/cpu-map/socket0/cluster0/core1")),
		"core1");
	HT_EXPECT_EQ_S(fdt_path_offset(&f, "/cpus/cpu@9"), -FDT_ERR_NOTFOUND);
	HT_EXPECT_EQ_S(fdt_path_offset(&f, "/cpu"), -FDT_ERR_NOTFOUND); /* "cpu" is not "cpus" */
	HT_EXPECT_EQ_S(fdt_path_offset(&f, "/cpus@1"), -FDT_ERR_NOTFOUND);
	HT_EXPECT_EQ_S(fdt_path_offset(&f, "cpus"), -FDT_ERR_BADVALUE);
	HT_EXPECT_EQ_S(fdt_path_offset(&f, NULL), -FDT_ERR_BADVALUE);

	/* children of /cpus in order: cpu-map, cpu@0..3 */
	cnt = 0;
	for (n = fdt_first_child(&f, cpus); n >= 0; n = fdt_next_sibling(&f, n), cnt++) {
		name = fdt_node_name(&f, n);
		if (cnt == 0)
			HT_EXPECT_STREQ(name, "cpu-map");
		else
			HT_EXPECT(name && name[4] == '0' + cnt - 1);
		HT_EXPECT_EQ_S(fdt_parent(&f, n), cpus);
	}
	HT_EXPECT_EQ_S(n, -FDT_ERR_NOTFOUND);
	HT_EXPECT_EQ_S(cnt, 5);
	HT_EXPECT_EQ_S(fdt_first_child(&f, node), -FDT_ERR_NOTFOUND); /* cpu@2 is a leaf */
	HT_EXPECT_EQ_S(fdt_next_sibling(&f, root), -FDT_ERR_NOTFOUND);

	cnt = 0;
	for (n = fdt_node_by_compatible(&f, -1, "virtio,mmio"); n >= 0;
	     n = fdt_node_by_compatible(&f, n, "virtio,mmio"))
		cnt++;
	HT_EXPECT_EQ_S(cnt, 32);
	HT_EXPECT_EQ_S(n, -FDT_ERR_NOTFOUND);
	n = fdt_node_by_compatible(&f, -1, "arm,primecell"); /* pl061 comes first in QEMU's order */
	HT_EXPECT_STREQ(fdt_node_name(&f, n), "pl061@9030000");
	HT_EXPECT_EQ_S(fdt_node_by_compatible(&f, -1, "no,such"), -FDT_ERR_NOTFOUND);
}

static void test_api_props(void)
{
	struct fdt f;
	int root, len, n;
	const u8 *p;

	if (init_blob(V4, &f))
		return;
	root = fdt_root(&f);
	p = fdt_getprop(&f, root, "model", &len);
	HT_EXPECT(p && len == 17 && memcmp(p, "linux,dummy-virt", 17) == 0);
	HT_EXPECT(fdt_getprop(&f, root, "nope", &len) == NULL);
	HT_EXPECT_EQ_S(len, -FDT_ERR_NOTFOUND);
	HT_EXPECT(fdt_getprop(&f, root, "model", NULL) != NULL);
	/* a property of a child is not one of the root's */
	HT_EXPECT(fdt_getprop(&f, root, "reg", &len) == NULL);
	n = fdt_path_offset(&f, "/psci");
	HT_EXPECT(fdt_prop_has_string(&f, n, "compatible", "arm,psci-1.0"));
	HT_EXPECT(fdt_prop_has_string(&f, n, "compatible", "arm,psci"));
	HT_EXPECT(!fdt_prop_has_string(&f, n, "compatible", "arm,psci-1"));
	HT_EXPECT(!fdt_prop_has_string(&f, n, "missing", "x"));
	n = fdt_path_offset(&f, "/intc/v2m");
	p = fdt_getprop(&f, n, "msi-controller", &len);
	HT_EXPECT(p != NULL && len == 0);
	p = fdt_getprop(&f, fdt_path_offset(&f, "/timer"), "interrupts", &len);
	HT_EXPECT(p && len == 48 && fdt_be32(p + 16) == 14);
}

static void test_api_read_reg(void)
{
	struct fdt f;
	u64 a = 1, s = 1;
	int n;

	if (init_blob(V4, &f))
		return;
	n = fdt_path_offset(&f, "/pl011");
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 0, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x9000000);
	HT_EXPECT_EQ_U(s, 0x1000);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 1, &a, &s), -FDT_ERR_NOTFOUND);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, -1, &a, &s), -FDT_ERR_NOTFOUND);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 0, NULL, NULL), 0);
	/* the v2m frame sits under the GIC node, whose empty "ranges" maps 1:1 */
	n = fdt_path_offset(&f, "/intc/v2m@8020000");
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 0, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x8020000);
	n = fdt_path_offset(&f, "/pcie");
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 0, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x4010000000ull);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/flash"), 1, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x4000000);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_root(&f), 0, &a, &s), -FDT_ERR_NOTFOUND);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/psci"), 0, &a, &s),
		       -FDT_ERR_NOTFOUND);

	if (init_blob(RPI5, &f))
		return;
	n = fdt_path_offset(&f, "/soc/serial@7d001000");
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 0, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x107d001000ull);
	HT_EXPECT_EQ_U(s, 0x200);
	n = fdt_path_offset(&f, "/soc@107c000000/interrupt-controller");
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 3, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x107fffe000ull);
	HT_EXPECT_EQ_U(s, 0x2000);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 4, &a, &s), -FDT_ERR_NOTFOUND);
	/* 3 cells: whole entries under the axi bus's 2 + 1, not under /soc's 1 + 1 */
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/axi/pcie"), 0, &a, &s), 0);
	HT_EXPECT_EQ_U(a, 0x1000110000ull);
	HT_EXPECT_EQ_U(s, 0x9310);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/soc/mailbox"), 0, &a, &s),
		       -FDT_ERR_BADVALUE);
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/reserved-memory/nvram@1"), 0, &a, &s),
		       -FDT_ERR_BADVALUE);
	/* a cpu's reg is not an address: /cpus has no "ranges" */
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/cpus/cpu@100"), 0, &a, &s),
		       -FDT_ERR_BADVALUE);
}

static void test_strerror(void)
{
	for (int i = 0; i <= FDT_ERR_NOSPACE; i++) {
		const char *s = fdt_strerror(-i);

		HT_EXPECT(s && *s);
		HT_EXPECT(s == fdt_strerror(i));
		for (int j = 0; j < i; j++)
			HT_EXPECT(strcmp(s, fdt_strerror(-j)) != 0);
	}
	HT_EXPECT(fdt_strerror(-1000) && *fdt_strerror(-1000));
}

static const struct ht_case cases[] = {
	HT_CASE(test_virt_smp1_gicv2),
	HT_CASE(test_virt_smp4_gicv2),
	HT_CASE(test_virt_smp8_gicv3),
	HT_CASE(test_virt_el2_smc),
	HT_CASE(test_rpi5),
	HT_CASE(test_rpi5_old_bootloader_4gb),
	HT_CASE(test_rpi5_old_bootloader_8gb),
	HT_CASE(test_memory_size_cells),
	HT_CASE(test_reserved_children_skipped),
	HT_CASE(test_early_console),
	HT_CASE(test_early_fallback_uart),
	HT_CASE(test_padding_never_read),
	HT_CASE(test_api_navigation),
	HT_CASE(test_api_props),
	HT_CASE(test_api_read_reg),
	HT_CASE(test_strerror),
	HT_CASE(test_nested_ranges),
	HT_CASE(test_console_choice),
	HT_CASE(test_psci_gic_timer_variants),
	HT_CASE(test_memory_reserved_cpus),
	HT_CASE(test_cpus_disabled_and_enable_method),
	HT_CASE(test_platform_required),
	HT_CASE(test_bad_header),
	HT_CASE(test_bad_struct),
	HT_CASE(test_truncated),
	HT_CASE(test_bad_offsets),
	HT_CASE(test_fuzz),
	HT_CASE(test_loader_bootargs_real_trees),
	HT_CASE(test_loader_bootargs_no_chosen),
	HT_CASE(test_loader_bootargs_refused),
	HT_END,
};

int main(int argc, char **argv)
{
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <dtbdir>\n", argv[0]);
		return 2;
	}
	load_blobs(argv[1]);
	r = ht_run("fdt", cases);
	for (int i = 0; i < NBLOBS; i++) {
		free(blobs[i].data);
		free(blobs[i].compact);
	}
	return r;
}
