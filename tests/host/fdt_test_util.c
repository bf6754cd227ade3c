/* Shared helpers of the FDT host tests: loading the DTBs from disk, and the in-memory tree builder. */
#include "fdt_test_util.h"

struct blob blobs[] = {
	{ .file = "virt-smp1-gicv2.dtb" },
	{ .file = "virt-smp4-gicv2.dtb" },
	{ .file = "virt-smp8-gicv3.dtb" },
	{ .file = "virt-smp4-el2.dtb" },
	{ .file = "rpi5.dtb" },
	{ .file = "rpi5-oldboot-4gb.dtb" },
	{ .file = "rpi5-oldboot-8gb.dtb" },
};

void put32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24), p[1] = (u8)(v >> 16), p[2] = (u8)(v >> 8), p[3] = (u8)v;
}

u8 *dup_exact(const u8 *src, u32 n)
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

void load_blobs(const char *dir)
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
int parse_blob(int which, struct platform_info *pi)
{
	char err[128];
	int r;

	if (!blobs[which].data) {
		HT_FAIL("%s was not loaded", blobs[which].file);
		return -1;
	}
	r = fdt_parse_platform(blobs[which].data, PA_BITS_A76, pi, err, sizeof(err));
	if (r)
		HT_FAIL("%s: fdt_parse_platform = %d: %s", blobs[which].file, r, err);
	return r;
}

int init_blob(int which, struct fdt *f)
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

void b_reset(void)
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

void b_begin(const char *name)
{
	b_tok(1);
	b_raw(name, (u32)strlen(name) + 1);
}

void b_end(void)
{
	b_tok(2);
}

void b_prop(const char *name, const void *v, u32 len)
{
	u32 off = B.strl;

	memcpy(B.str + B.strl, name, strlen(name) + 1);
	B.strl += (u32)strlen(name) + 1;
	b_tok(3);
	b_tok(len);
	b_tok(off);
	b_raw(v, len);
}

void b_str(const char *name, const char *s)
{
	b_prop(name, s, (u32)strlen(s) + 1);
}

/* A property of n 32-bit cells. */
void b_cells(const char *name, int n, ...)
{
	u8 v[256];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		put32(v + 4 * i, va_arg(ap, unsigned int));
	va_end(ap);
	b_prop(name, v, 4 * (u32)n);
}

void b_rsv(u64 a, u64 s)
{
	put32(B.rsv + B.rl, (u32)(a >> 32)), put32(B.rsv + B.rl + 4, (u32)a);
	put32(B.rsv + B.rl + 8, (u32)(s >> 32)), put32(B.rsv + B.rl + 12, (u32)s);
	B.rl += 16;
}

/* Lays out header, reservation map, structure (plus FDT_END) and strings in an exact-size buffer. */
u8 *b_finish(u32 *size)
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
void b_root(const char *compat)
{
	b_begin("");
	b_cells("#address-cells", 1, 2);
	b_cells("#size-cells", 1, 2);
	b_str("compatible", compat);
}

void b_memory(const char *name, u64 base, u64 size)
{
	b_begin(name);
	b_str("device_type", "memory");
	b_cells("reg", 4, (u32)(base >> 32), (u32)base, (u32)(size >> 32), (u32)size);
	b_end();
}

void b_cpus(int n)
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
int b_parse(struct platform_info *pi, char *err, size_t errlen)
{
	u8 *p = b_finish(NULL);
	int r = fdt_parse_platform(p, PA_BITS_A76, pi, err, errlen);

	free(p);
	return r;
}
