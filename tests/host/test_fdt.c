/* Host tests for kernel/fdt.c and kernel/fdt_platform.c: real QEMU/Pi-shaped DTBs, hand-built trees, malformed blobs, fuzzing. */
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
	u8 *data;   /* file as read (QEMU pads to 1 MiB) */
	u32 size;
	u8 *compact; /* same tree, totalsize cut to the end of the last block */
	u32 csize;
};

static struct blob blobs[] = {
	{ .file = "virt-smp1-gicv2.dtb" }, { .file = "virt-smp4-gicv2.dtb" },
	{ .file = "virt-smp8-gicv3.dtb" }, { .file = "virt-smp4-el2.dtb" },
	{ .file = "rpi5.dtb" },
};
enum { V1, V4, V8, VEL2, RPI5, NBLOBS };

static void put32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24), p[1] = (u8)(v >> 16), p[2] = (u8)(v >> 8), p[3] = (u8)v;
}

static u8 *dup_exact(const u8 *src, u32 n)
{
	u8 *p = malloc(n ? n : 1);

	if (n)
		memcpy(p, src, n);
	return p;
}

/* Copies the blob into a buffer holding only header + blocks, with totalsize patched to match. */
static void make_compact(struct blob *b)
{
	u32 off_struct = fdt_be32(b->data + 8), off_str = fdt_be32(b->data + 12);
	u32 off_rsv = fdt_be32(b->data + 16), end = off_rsv + 16;

	while (end + 16 <= b->size && (fdt_be32(b->data + end - 8) || fdt_be32(b->data + end - 4)))
		end += 16; /* include every reservation entry and the terminator */
	end = MAX(end, off_struct + fdt_be32(b->data + 36));
	end = MAX(end, off_str + fdt_be32(b->data + 32));
	b->csize = end;
	b->compact = dup_exact(b->data, end);
	put32(b->compact + 4, end);
}

static void load_blobs(const char *dir)
{
	char path[4096];

	for (int i = 0; i < NBLOBS; i++) {
		FILE *f;
		long n;

		snprintf(path, sizeof(path), "%s/%s", dir, blobs[i].file);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 40 || fseek(f, 0, SEEK_SET)) {
			fprintf(stderr, "test_fdt: cannot read %s\n", path);
			if (f)
				fclose(f);
			continue;
		}
		blobs[i].data = malloc((size_t)n);
		blobs[i].size = (u32)n;
		if (fread(blobs[i].data, 1, (size_t)n, f) != (size_t)n) {
			free(blobs[i].data);
			blobs[i].data = NULL;
		} else {
			make_compact(&blobs[i]);
		}
		fclose(f);
	}
}

/* Parses one of the loaded blobs; fails the case (and returns -1) if it is missing or rejected. */
static int parse_blob(int which, struct platform_info *pi)
{
	char err[128];
	int r;

	if (!blobs[which].data) {
		HT_FAIL("%s was not loaded", blobs[which].file);
		return -1;
	}
	r = fdt_parse_platform(blobs[which].data, pi, err, sizeof(err));
	if (r)
		HT_FAIL("%s: fdt_parse_platform = %d: %s", blobs[which].file, r, err);
	return r;
}

static int init_blob(int which, struct fdt *f)
{
	int r;

	if (!blobs[which].data) {
		HT_FAIL("%s was not loaded", blobs[which].file);
		return -1;
	}
	r = fdt_init(f, blobs[which].data);
	HT_EXPECT_EQ_S(r, 0);
	return r;
}

/* ---- a tiny DTB writer for hand-made trees ---- */

static struct {
	u8 st[65536];
	u32 sl;
	char str[4096];
	u32 strl;
	u8 rsv[1024];
	u32 rl;
} B;

static void b_reset(void)
{
	memset(&B, 0, sizeof(B));
}

static void b_tok(u32 v)
{
	put32(B.st + B.sl, v);
	B.sl += 4;
}

static void b_raw(const void *p, u32 n)
{
	memcpy(B.st + B.sl, p, n);
	B.sl = (B.sl + n + 3) & ~3u; /* B is zeroed, so the padding is NUL */
}

static void b_begin(const char *name)
{
	b_tok(1);
	b_raw(name, (u32)strlen(name) + 1);
}

static void b_end(void)
{
	b_tok(2);
}

static void b_prop(const char *name, const void *v, u32 len)
{
	u32 off = B.strl;

	memcpy(B.str + B.strl, name, strlen(name) + 1);
	B.strl += (u32)strlen(name) + 1;
	b_tok(3);
	b_tok(len);
	b_tok(off);
	b_raw(v, len);
}

static void b_str(const char *name, const char *s)
{
	b_prop(name, s, (u32)strlen(s) + 1);
}

/* A property of n 32-bit cells. */
static void b_cells(const char *name, int n, ...)
{
	u8 v[256];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		put32(v + 4 * i, va_arg(ap, unsigned int));
	va_end(ap);
	b_prop(name, v, 4 * (u32)n);
}

static void b_rsv(u64 a, u64 s)
{
	put32(B.rsv + B.rl, (u32)(a >> 32)), put32(B.rsv + B.rl + 4, (u32)a);
	put32(B.rsv + B.rl + 8, (u32)(s >> 32)), put32(B.rsv + B.rl + 12, (u32)s);
	B.rl += 16;
}

/* Lays out header, reservation map, structure (plus FDT_END) and strings in an exact-size buffer. */
static u8 *b_finish(u32 *size)
{
	u32 off_rsv = 40, off_st = off_rsv + B.rl + 16, off_str, total;
	u8 *p;

	b_tok(9);
	off_str = off_st + B.sl;
	total = off_str + B.strl;
	p = calloc(1, total);
	put32(p, 0xd00dfeed), put32(p + 4, total), put32(p + 8, off_st), put32(p + 12, off_str);
	put32(p + 16, off_rsv), put32(p + 20, 17), put32(p + 24, 16), put32(p + 32, B.strl);
	put32(p + 36, B.sl);
	memcpy(p + off_rsv, B.rsv, B.rl);
	memcpy(p + off_st, B.st, B.sl);
	memcpy(p + off_str, B.str, B.strl);
	if (size)
		*size = total;
	return p;
}

/* Root with #address-cells = #size-cells = 2 and the given first compatible. */
static void b_root(const char *compat)
{
	b_begin("");
	b_cells("#address-cells", 1, 2);
	b_cells("#size-cells", 1, 2);
	b_str("compatible", compat);
}

static void b_memory(const char *name, u64 base, u64 size)
{
	b_begin(name);
	b_str("device_type", "memory");
	b_cells("reg", 4, (u32)(base >> 32), (u32)base, (u32)(size >> 32), (u32)size);
	b_end();
}

static void b_cpus(int n)
{
	char name[32];

	b_begin("cpus");
	b_cells("#address-cells", 1, 1);
	b_cells("#size-cells", 1, 0);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cpu@%x", i);
		b_begin(name);
		b_str("device_type", "cpu");
		b_cells("reg", 1, i);
		b_end();
	}
	b_end();
}

/* Parses the tree built so far; returns the result and keeps the message in err. */
static int b_parse(struct platform_info *pi, char *err, size_t errlen)
{
	u8 *p = b_finish(NULL);
	int r = fdt_parse_platform(p, pi, err, errlen);

	free(p);
	return r;
}

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
	HT_EXPECT_EQ_S(pi.nr_mem, 1);
	HT_EXPECT_EQ_U(pi.mem[0].base, 0);
	HT_EXPECT_EQ_U(pi.mem[0].size, 0x3f800000);
	/* /memreserve/ and the reserved-memory child both cover BL31; the reg-less CMA pool is skipped */
	HT_EXPECT_EQ_S(pi.nr_reserved, 2);
	for (int i = 0; i < pi.nr_reserved; i++)
		fw |= pi.reserved[i].base == 0 && pi.reserved[i].size == 0x80000;
	HT_EXPECT(fw);
	HT_EXPECT(pi.have_uart);
	HT_EXPECT_EQ_U(pi.uart_base, 0x107d001000ull);
	HT_EXPECT_EQ_U(pi.psci, PSCI_SMC);
	HT_EXPECT_EQ_S(pi.gic_version, 2);
	HT_EXPECT_EQ_U(pi.gicd_base, 0x107fff9000ull);
	HT_EXPECT_EQ_U(pi.gicc_base, 0x107fffa000ull);
	HT_EXPECT_EQ_U(pi.timer_phys_intid, 30);
	HT_EXPECT_EQ_U(pi.timer_virt_intid, 27);
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
		HT_EXPECT_EQ_S(fdt_parse_platform(p, &pi, err, sizeof(err)), 0);
		HT_EXPECT_EQ_S(fdt_parse_platform(blobs[i].compact, &pi, err, sizeof(err)), 0);
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
	HT_EXPECT_STREQ(fdt_node_name(&f, fdt_path_offset(&f, "/cpus/cpu-map/socket0/cluster0/core1")),
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
	HT_EXPECT_EQ_S(fdt_read_reg(&f, fdt_path_offset(&f, "/psci"), 0, &a, &s), -FDT_ERR_NOTFOUND);

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

/* ---- hand-built trees: translation and platform corner cases ---- */

static void test_nested_ranges(void)
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

static void test_console_choice(void)
{
	struct platform_info pi;
	char err[128];

	/* stdout-path given as a path with options; the chosen PL011 is not the first */
	for (int variant = 0; variant < 6; variant++) {
		b_reset();
		b_root("linux,dummy-virt");
		if (variant == 0)
			b_str("stdout-path", "/uart@3000"); /* a property of the root, not of /chosen */
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

static void test_psci_gic_timer_variants(void)
{
	struct platform_info pi;
	char err[128];

	b_reset();
	b_root("vendor,board");
	b_memory("memory@0", 0, 0x1000000);
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
	b_cells("interrupts", 12, 1, 13, 8, 1, 14, 8, 0, 11, 8, 1, 10, 8); /* virt given as an SPI */
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

static void test_memory_reserved_cpus(void)
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
	HT_EXPECT_EQ_S(pi.nr_reserved, 3);
	HT_EXPECT_EQ_U(pi.reserved[0].base, 0x1000);
	HT_EXPECT_EQ_U(pi.reserved[1].base, 0x80000000);
	HT_EXPECT_EQ_U(pi.reserved[2].base, 0x3000);
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

/* Missing or broken mandatory parts give an error code and a sentence naming the part. */
static void test_platform_required(void)
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
	HT_EXPECT(fdt_parse_platform(NULL, &pi, NULL, 0) < 0);
	HT_EXPECT(fdt_parse_platform(NULL, &pi, err, 0) < 0);
	HT_EXPECT(fdt_parse_platform(blobs[V1].compact, NULL, err, sizeof(err)) < 0);
	HT_EXPECT(err[0] != '\0');
}

/* ---- malformed blobs: every one is rejected with a negative code, none faults ---- */

/* Patches one 32-bit word of a fresh exact-size copy of the Pi tree and returns fdt_init()'s verdict. */
static int init_patched(u32 where, u32 value, bool in_struct)
{
	struct platform_info pi;
	char err[128] = "";
	struct fdt f;
	u32 n = blobs[RPI5].csize;
	u8 *p = dup_exact(blobs[RPI5].compact, n);
	int r;

	put32(p + where + (in_struct ? fdt_be32(p + 8) : 0), value);
	r = fdt_init(&f, p);
	if (r < 0 && (fdt_parse_platform(p, &pi, err, sizeof(err)) >= 0 || !err[0]))
		HT_FAIL("fdt_parse_platform accepted what fdt_init rejected (%d)", r);
	free(p);
	return r;
}

static void test_bad_header(void)
{
	struct fdt f;
	u32 n = blobs[RPI5].csize, ss;

	if (!blobs[RPI5].data) {
		HT_FAIL("rpi5.dtb was not loaded");
		return;
	}
	ss = fdt_be32(blobs[RPI5].compact + 36);
	HT_EXPECT_EQ_S(fdt_init(&f, NULL), -FDT_ERR_BADMAGIC);
	HT_EXPECT_EQ_S(fdt_init_sized(&f, blobs[RPI5].compact, 7), -FDT_ERR_BADMAGIC);
	HT_EXPECT_EQ_S(fdt_init_sized(&f, blobs[RPI5].compact, n - 1), -FDT_ERR_TRUNCATED);
	HT_EXPECT_EQ_S(fdt_init_sized(&f, blobs[RPI5].compact, n), 0);
	HT_EXPECT_EQ_S(init_patched(0, 0xd00dfeee, false), -FDT_ERR_BADMAGIC);
	HT_EXPECT_EQ_S(init_patched(20, 15, false), -FDT_ERR_BADVERSION);
	HT_EXPECT_EQ_S(init_patched(24, 18, false), -FDT_ERR_BADVERSION);
	HT_EXPECT_EQ_S(init_patched(4, 20, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(4, 0xfffffff0, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(4, n - 1, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(8, n + 4, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(8, 0x4a, false), -FDT_ERR_BADHEADER); /* misaligned */
	HT_EXPECT_EQ_S(init_patched(8, 8, false), -FDT_ERR_BADHEADER);    /* inside the header */
	HT_EXPECT_EQ_S(init_patched(8, n - 8, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(12, n + 1, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(16, 44, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(16, n - 8, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(32, 0xffffffff, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(36, 0xfffffffc, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(36, n - fdt_be32(blobs[RPI5].compact + 8) + 4, false),
		       -FDT_ERR_BADHEADER);
	HT_EXPECT(init_patched(36, ss - 8, false) < 0); /* FDT_END and the root's END_NODE cut off */
	HT_EXPECT_EQ_S(init_patched(32, 1, false), -FDT_ERR_TRUNCATED);
	HT_EXPECT_EQ_S(init_patched(20, 16, false), 0); /* v16: no struct size, FDT_END bounds it */
}

static void test_bad_struct(void)
{
	struct platform_info pi;
	char err[128];
	u32 ss, strs;

	if (!blobs[RPI5].data) {
		HT_FAIL("rpi5.dtb was not loaded");
		return;
	}
	ss = fdt_be32(blobs[RPI5].compact + 36);
	strs = fdt_be32(blobs[RPI5].compact + 32);
	/* Pi tree: BEGIN_NODE "" at 0, then the PROP #address-cells at 8 (len at 12, nameoff at 16) */
	HT_EXPECT_EQ_S(init_patched(0, 7, true), -FDT_ERR_BADSTRUCT);
	HT_EXPECT_EQ_S(init_patched(0, 3, true), -FDT_ERR_BADSTRUCT);
	HT_EXPECT_EQ_S(init_patched(8, 0xabcd, true), -FDT_ERR_BADSTRUCT);
	HT_EXPECT(init_patched(8, 2, true) < 0); /* stray END_NODE */
	HT_EXPECT_EQ_S(init_patched(12, ss, true), -FDT_ERR_TRUNCATED);
	HT_EXPECT_EQ_S(init_patched(12, 0x7fffffff, true), -FDT_ERR_TRUNCATED);
	HT_EXPECT_EQ_S(init_patched(12, 0xffffffff, true), -FDT_ERR_TRUNCATED);
	HT_EXPECT_EQ_S(init_patched(16, strs, true), -FDT_ERR_TRUNCATED);
	HT_EXPECT_EQ_S(init_patched(16, 0x80000000, true), -FDT_ERR_TRUNCATED);
	HT_EXPECT_EQ_S(init_patched(ss - 4, 4, true), -FDT_ERR_BADSTRUCT);  /* FDT_END -> NOP */
	HT_EXPECT_EQ_S(init_patched(ss - 8, 4, true), -FDT_ERR_BADSTRUCT);  /* root never closed */
	HT_EXPECT_EQ_S(init_patched(ss - 8, 9, true), -FDT_ERR_BADSTRUCT);  /* END inside root */
	/* the last string loses its NUL */
	HT_EXPECT_EQ_S(init_patched(fdt_be32(blobs[RPI5].compact + 12) + strs - 4, 0x61616161, false),
		       -FDT_ERR_TRUNCATED);

	/* builder: nesting limits, two roots, a property outside any node */
	for (int depth = 63; depth <= 65; depth++) {
		b_reset();
		for (int i = 0; i < depth; i++)
			b_begin(i ? "n" : "");
		for (int i = 0; i < depth; i++)
			b_end();
		u8 *p = b_finish(NULL);
		struct fdt f;

		HT_EXPECT_EQ_S(fdt_init(&f, p), depth <= 64 ? 0 : -FDT_ERR_BADSTRUCT);
		free(p);
	}
	b_reset();
	b_root("a,b");
	b_end();
	b_begin("");
	b_end();
	HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), -FDT_ERR_BADSTRUCT);
	b_reset();
	b_cells("x", 1, 1);
	b_root("a,b");
	b_end();
	HT_EXPECT_EQ_S(b_parse(&pi, err, sizeof(err)), -FDT_ERR_BADSTRUCT);
	HT_EXPECT(strstr(err, "invalid") != NULL);
}

/* Cut the blob at every length: sized init reports TRUNCATED; with totalsize patched, the blocks overrun. */
static void test_truncated(void)
{
	for (int which = V1; which < NBLOBS; which += RPI5 - V1) {
		u32 n = blobs[which].csize;

		if (!blobs[which].data) {
			HT_FAIL("%s was not loaded", blobs[which].file);
			continue;
		}
		for (u32 k = 0; k <= n; k++) {
			struct platform_info pi;
			char err[128] = "";
			struct fdt f;
			u8 *p = dup_exact(blobs[which].compact, k);
			int r = fdt_init_sized(&f, p, k);

			if (k < n ? r != (k < 8 ? -FDT_ERR_BADMAGIC : -FDT_ERR_TRUNCATED) : r != 0)
				HT_FAIL("%s cut at %u: sized init = %d", blobs[which].file, k, r);
			if (k >= 8) {
				put32(p + 4, k);
				r = fdt_init(&f, p);
				if (k < n ? r >= 0 : r != 0)
					HT_FAIL("%s cut at %u, totalsize adjusted: init = %d", blobs[which].file,
						k, r);
				r = fdt_parse_platform(p, &pi, err, sizeof(err));
				if (k < n && (r >= 0 || !err[0]))
					HT_FAIL("%s cut at %u: parse = %d", blobs[which].file, k, r);
			}
			free(p);
		}
	}
}

/* Node handles that are not nodes: errors propagate or read as BADVALUE, nothing is dereferenced blindly. */
static void test_bad_offsets(void)
{
	static const int bad[] = { 1, 2, 4, 8, 0x7ffffff0, -FDT_ERR_NOTFOUND, -FDT_ERR_BADSTRUCT };
	struct fdt f;
	u64 a, s;
	int len;

	if (init_blob(RPI5, &f))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int n = bad[i], want = n < 0 ? n : -FDT_ERR_BADVALUE;

		HT_EXPECT(fdt_node_name(&f, n) == NULL);
		HT_EXPECT_EQ_S(fdt_first_child(&f, n), want);
		HT_EXPECT_EQ_S(fdt_next_sibling(&f, n), want);
		HT_EXPECT_EQ_S(fdt_parent(&f, n), want);
		HT_EXPECT(fdt_getprop(&f, n, "reg", &len) == NULL);
		HT_EXPECT_EQ_S(len, want);
		HT_EXPECT(!fdt_prop_has_string(&f, n, "compatible", "x"));
		HT_EXPECT_EQ_U(fdt_address_cells(&f, n), 2);
		HT_EXPECT_EQ_U(fdt_size_cells(&f, n), 1);
		HT_EXPECT_EQ_S(fdt_read_reg(&f, n, 0, &a, &s), want);
		if (n > 0)
			HT_EXPECT_EQ_S(fdt_node_by_compatible(&f, n, "arm,pl011"), want);
	}
	HT_EXPECT(fdt_getprop(&f, 0, NULL, &len) == NULL);
	HT_EXPECT(!fdt_prop_has_string(&f, 0, "compatible", NULL));
}

/* ---- deterministic fuzzing under ASan/UBSan ---- */

#define FUZZ_ITERS 20000

static u32 lcg_state;

static u32 rnd(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state >> 8;
}

static void fuzz_walk(const struct fdt *f, int node, int depth, int *budget)
{
	for (int c = fdt_first_child(f, node); c >= 0 && (*budget)-- > 0; c = fdt_next_sibling(f, c)) {
		u64 a, s;
		int len;

		HT_EXPECT(fdt_node_name(f, c) != NULL);
		(void)fdt_getprop(f, c, "reg", &len);
		(void)fdt_prop_has_string(f, c, "compatible", "arm,pl011");
		if (*budget % 8 == 0)
			(void)fdt_read_reg(f, c, 0, &a, &s);
		if (depth < 70)
			fuzz_walk(f, c, depth + 1, budget);
	}
}

/* The string lies in [lo, hi) or is the empty default; either way it ends before hi. */
static bool str_within(const char *s, const u8 *lo, u32 n)
{
	const char *b = (const char *)lo;

	if (s >= b && s < b + n)
		return strnlen(s, (size_t)(b + n - s)) < (size_t)(b + n - s);
	return s && s[0] == '\0';
}

static void test_fuzz(void)
{
	static const u32 magic[] = { 0, 1, 2, 3, 4, 9, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc };
	int ok = 0, rejected = 0;

	for (int which = 0; which < NBLOBS; which++) {
		u32 n = blobs[which].csize;
		u8 *w;

		if (!blobs[which].data) {
			HT_FAIL("%s was not loaded", blobs[which].file);
			continue;
		}
		w = malloc(n);
		lcg_state = 0x10c71ab0u + (u32)which;
		for (int it = 0; it < FUZZ_ITERS; it++) {
			struct platform_info pi;
			char err[96];
			struct fdt f;
			int r, muts = 1 + (int)(rnd() % 4);

			memcpy(w, blobs[which].compact, n);
			for (int m = 0; m < muts; m++) {
				u32 pos = rnd() % n, kind = rnd() % 8;

				if (kind < 3)
					w[pos] ^= (u8)(1u << (rnd() % 8));
				else if (kind < 5)
					w[pos] = (u8)rnd();
				else if (kind < 7 && pos + 4 <= n)
					put32(w + (pos & ~3u), magic[rnd() % ARRAY_SIZE(magic)]);
				else {
					u32 field = 4 * (1 + rnd() % 9); /* a header word after the magic */

					put32(w + field, rnd() % (n + 64));
				}
			}
			/* The one promise fdt_init() needs from its caller: totalsize bytes are readable. */
			if (fdt_be32(w + 4) > n)
				put32(w + 4, n);
			r = fdt_parse_platform(w, &pi, err, sizeof(err));
			if (r == 0) {
				ok++;
				HT_EXPECT(pi.nr_mem >= 1 && pi.nr_mem <= PLAT_MAX_MEM);
				HT_EXPECT(pi.nr_cpus >= 1 && pi.nr_cpus <= PLAT_MAX_CPUS && pi.nr_cpus <= pi.cpus_seen);
				HT_EXPECT(pi.nr_reserved <= PLAT_MAX_RESERVED && pi.nr_gicr <= PLAT_MAX_GICR);
				HT_EXPECT(pi.gic_version == 0 || pi.gic_version == 2 || pi.gic_version == 3);
				HT_EXPECT(str_within(pi.model, w, n) && str_within(pi.bootargs, w, n));
			} else {
				rejected++;
				HT_EXPECT(r < 0 && err[0] != '\0');
			}
			if (it % 4 == 0 && fdt_init(&f, w) == 0) {
				int budget = 2000;

				fuzz_walk(&f, fdt_root(&f), 0, &budget);
				(void)fdt_path_offset(&f, "/soc/serial@7d001000");
				(void)fdt_node_by_compatible(&f, -1, "arm,pl011");
			}
		}
		free(w);
	}
	printf("  # fuzz: %d mutated blobs parsed, %d rejected\n", ok, rejected);
}

static const struct ht_case cases[] = {
	HT_CASE(test_virt_smp1_gicv2),
	HT_CASE(test_virt_smp4_gicv2),
	HT_CASE(test_virt_smp8_gicv3),
	HT_CASE(test_virt_el2_smc),
	HT_CASE(test_rpi5),
	HT_CASE(test_padding_never_read),
	HT_CASE(test_api_navigation),
	HT_CASE(test_api_props),
	HT_CASE(test_api_read_reg),
	HT_CASE(test_strerror),
	HT_CASE(test_nested_ranges),
	HT_CASE(test_console_choice),
	HT_CASE(test_psci_gic_timer_variants),
	HT_CASE(test_memory_reserved_cpus),
	HT_CASE(test_platform_required),
	HT_CASE(test_bad_header),
	HT_CASE(test_bad_struct),
	HT_CASE(test_truncated),
	HT_CASE(test_bad_offsets),
	HT_CASE(test_fuzz),
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
