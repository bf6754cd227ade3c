/* Host tests of the loader's device-tree edit (loader/fdt_bootargs.c): /chosen/bootargs replaced, added, or refused. */
#define _GNU_SOURCE /* memmem */
#include "fdt_test_util.h"
#include <stdlib.h>
#include <string.h>
#include <locklab/string.h>
#include "../../loader/fdt_bootargs.h"

/* The copy is a valid tree of exactly the returned size whose platform reads as the original's, bootargs aside. */
static void expect_same_but_bootargs(const u8 *orig, const u8 *copy, int n, const char *want)
{
	struct platform_info a, b;
	char err[128];
	u8 *exact;

	HT_EXPECT(n > 0);
	if (n <= 0)
		return;
	HT_EXPECT_EQ_U(fdt_be32(copy + 4), (u32)n);
	exact = dup_exact(copy, (u32)n); /* ASan: no read past the size it claims */
	HT_EXPECT_EQ_S(fdt_parse_platform(orig, PA_BITS_A76, &a, err, sizeof(err)), 0);
	HT_EXPECT_EQ_S(fdt_parse_platform(exact, PA_BITS_A76, &b, err, sizeof(err)), 0);
	HT_EXPECT_STREQ(b.bootargs, want);
	HT_EXPECT_STREQ(a.board, b.board);
	HT_EXPECT_EQ_U(a.uart_base, b.uart_base);
	HT_EXPECT_EQ_S(a.nr_cpus, b.nr_cpus);
	HT_EXPECT_EQ_S(a.nr_mem, b.nr_mem);
	HT_EXPECT_EQ_S(a.nr_reserved, b.nr_reserved); /* /memreserve/ entries kept */
	HT_EXPECT_EQ_S(a.gic_version, b.gic_version);
	HT_EXPECT_EQ_U(a.gicd_base, b.gicd_base);
	HT_EXPECT_EQ_S(a.psci, b.psci);
	free(exact);
}

void test_loader_bootargs_real_trees(void)
{
	static const int which[] = { V4, VEL2, RPI5 };
	const char *args = "ktest=none bench=getpid cpus=1,2 end=reset";
	u8 *buf = malloc(1 << 20), *again = malloc(1 << 20);

	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const struct blob *b = &blobs[which[i]];
		int n, m;

		if (!b->data) {
			HT_FAIL("%s not loaded", b->file);
			continue;
		}
		n = fdt_copy_with_bootargs(buf, 1 << 20, b->data, args);
		/* unpadded: QEMU's 1 MiB is gone */
		HT_EXPECT(n > 0 && (u32)n < b->csize + strlen(args) + 64);
		expect_same_but_bootargs(b->data, buf, n, args);
		/* An existing bootargs replaced by a shorter one, then an empty one: nothing of the old left. */
		m = fdt_copy_with_bootargs(again, 1 << 20, buf, "x=1");
		expect_same_but_bootargs(b->data, again, m, "x=1");
		HT_EXPECT(m < n);
		/* the old property is gone */
		HT_EXPECT(m > 0 && !memmem(again, (size_t)m, args, strlen(args)));
		m = fdt_copy_with_bootargs(again, 1 << 20, buf, "");
		expect_same_but_bootargs(b->data, again, m, "");
	}
	free(buf);
	free(again);
}

void test_loader_bootargs_no_chosen(void)
{
	u8 *tree, *out;
	u32 size;
	int n;

	b_reset();
	b_root("linux,dummy-virt");
	b_memory("memory@40000000", 0x40000000, 0x1000000);
	b_cpus(2);
	b_begin("uart@9000000");
	b_str("compatible", "arm,pl011");
	b_cells("reg", 4, 0, 0x9000000, 0, 0x1000);
	b_end();
	b_end();
	tree = b_finish(&size);
	out = malloc(size + 256);
	n = fdt_copy_with_bootargs(out, size + 256, tree, "end=reset");
	expect_same_but_bootargs(tree, out, n, "end=reset");
	free(out);
	free(tree);
}

void test_loader_bootargs_refused(void)
{
	u8 *out, junk[64] = { 0 };
	const struct blob *b = &blobs[V4];
	int n;

	if (!b->data) {
		HT_FAIL("%s not loaded", b->file);
		return;
	}
	n = fdt_copy_with_bootargs(junk, sizeof(junk), junk, "a"); /* no magic */
	HT_EXPECT_EQ_S(n, -FDT_ERR_BADMAGIC);
	/* One byte short of what the copy needs: refused, and nothing written past the buffer (ASan). */
	out = malloc(1 << 20);
	n = fdt_copy_with_bootargs(out, 1 << 20, b->data, "abc");
	HT_EXPECT(n > 0);
	free(out);
	out = malloc((size_t)n - 1);
	HT_EXPECT_EQ_S(fdt_copy_with_bootargs(out, (size_t)n - 1, b->data, "abc"),
		       -FDT_ERR_NOSPACE);
	free(out);
}
