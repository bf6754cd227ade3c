/* FDT host tests on malformed blobs: bad headers and structure, truncation, bad node handles, deterministic fuzzing. */
#include "fdt_test_util.h"

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
	if (r < 0 && (fdt_parse_platform(p, PA_BITS_A76, &pi, err, sizeof(err)) >= 0 || !err[0]))
		HT_FAIL("fdt_parse_platform accepted what fdt_init rejected (%d)", r);
	free(p);
	return r;
}

void test_bad_header(void)
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
	HT_EXPECT_EQ_S(init_patched(8, 8, false), -FDT_ERR_BADHEADER);	  /* inside the header */
	HT_EXPECT_EQ_S(init_patched(8, n - 8, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(12, n + 1, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(16, 44, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(16, n - 8, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(32, 0xffffffff, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(36, 0xfffffffc, false), -FDT_ERR_BADHEADER);
	HT_EXPECT_EQ_S(init_patched(36, n - fdt_be32(blobs[RPI5].compact + 8) + 4, false),
		       -FDT_ERR_BADHEADER);
	/* FDT_END and the root's END_NODE cut off */
	HT_EXPECT(init_patched(36, ss - 8, false) < 0);
	HT_EXPECT_EQ_S(init_patched(32, 1, false), -FDT_ERR_TRUNCATED);
	HT_EXPECT_EQ_S(init_patched(20, 16, false), 0); /* v16: no struct size, FDT_END bounds it */
}

void test_bad_struct(void)
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
	HT_EXPECT_EQ_S(init_patched(ss - 4, 4, true), -FDT_ERR_BADSTRUCT); /* FDT_END -> NOP */
	HT_EXPECT_EQ_S(init_patched(ss - 8, 4, true), -FDT_ERR_BADSTRUCT); /* root never closed */
	HT_EXPECT_EQ_S(init_patched(ss - 8, 9, true), -FDT_ERR_BADSTRUCT); /* END inside root */
	/* the last string loses its NUL */
	HT_EXPECT_EQ_S(
		init_patched(fdt_be32(blobs[RPI5].compact + 12) + strs - 4, 0x61616161, false),
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
void test_truncated(void)
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
					HT_FAIL("%s cut at %u, totalsize adjusted: init = %d",
						blobs[which].file, k, r);
				r = fdt_parse_platform(p, PA_BITS_A76, &pi, err, sizeof(err));
				if (k < n && (r >= 0 || !err[0]))
					HT_FAIL("%s cut at %u: parse = %d", blobs[which].file, k,
						r);
			}
			free(p);
		}
	}
}

/* Node handles that are not nodes: errors propagate or read as BADVALUE, nothing is dereferenced blindly. */
void test_bad_offsets(void)
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
	for (int c = fdt_first_child(f, node); c >= 0 && (*budget)-- > 0;
	     c = fdt_next_sibling(f, c)) {
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

void test_fuzz(void)
{
	static const u32 magic[] = { 0, 1,	    2,		3,	    4,
				     9, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc };
	int ok = 0, rejected = 0;

	/* The old-bootloader variants differ from rpi5.dtb in two nodes: fuzzing them too adds time, not cases. */
	for (int which = 0; which <= RPI5; which++) {
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
			struct early_console con;
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
					/* a header word after the magic */
					u32 field = 4 * (1 + rnd() % 9);

					put32(w + field, rnd() % (n + 64));
				}
			}
			/* The one promise fdt_init() needs from its caller: totalsize bytes are readable. */
			if (fdt_be32(w + 4) > n)
				put32(w + 4, n);
			r = fdt_parse_platform(w, PA_BITS_A76, &pi, err, sizeof(err));
			if (r == 0) {
				ok++;
				HT_EXPECT(pi.nr_mem >= 1 && pi.nr_mem <= PLAT_MAX_MEM);
				HT_EXPECT(pi.nr_cpus >= 1 && pi.nr_cpus <= PLAT_MAX_CPUS &&
					  pi.nr_cpus <= pi.cpus_seen);
				HT_EXPECT(pi.nr_reserved <= PLAT_MAX_RESERVED &&
					  pi.nr_gicr <= PLAT_MAX_GICR);
				HT_EXPECT(pi.gic_version == 0 || pi.gic_version == 2 ||
					  pi.gic_version == 3);
				HT_EXPECT(str_within(pi.model, w, n) &&
					  str_within(pi.bootargs, w, n));
			} else {
				rejected++;
				HT_EXPECT(r < 0 && err[0] != '\0');
			}
			/*
			 * The lenient lookup walks a tree fdt_init() has not checked: it must stay inside it too
			 * (every other blob: a call costs about as much as the strict parse).
			 */
			if (it % 2 == 1 && fdt_early_console(w, &con) == 0) {
				HT_EXPECT(!con.board || !strcmp(con.board, "rpi5") ||
					  !strcmp(con.board, "qemu-virt") ||
					  !strcmp(con.board, "unknown"));
				HT_EXPECT(str_within(con.node, w, n));
				HT_EXPECT(!con.bootargs || str_within(con.bootargs, w, n));
				HT_EXPECT(con.source <= EARLY_CONSOLE_RPI5_DEFAULT);
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
