/* A compact copy of a device tree with /chosen/bootargs replaced: how the loader hands on the host's boot options. */
#include <locklab/types.h>
#include <locklab/string.h>
#include <locklab/fdt.h>
#include "fdt_bootargs.h"

/*
 * The copy is laid out header, reservation block, structure block, strings
 * block, with no free space: the firmware's tree may be padded (QEMU pads
 * to 1 MiB) and the loader's buffers are small. Node lookups go through
 * kernel/fdt.c, which has already checked every token it hands back.
 */

#define FDT_HDR_SIZE	 40u
#define TOKEN_PROP	 3u
#define TOKEN_BEGIN_NODE 1u
#define TOKEN_END_NODE	 2u
#define TOKEN_END	 9u

static void put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

static u32 align4(u32 x)
{
	return (x + 3u) & ~3u;
}

/* Offset of "bootargs" in the strings block, or the block's size if it has none (then it is appended). */
static u32 bootargs_nameoff(const struct fdt *fdt)
{
	u32 off = 0;

	while (off < fdt->strings_size) {
		const char *s = fdt->dt_strings + off;
		u32 n = (u32)strnlen(s, fdt->strings_size - off);

		if (n == 8 && memcmp(s, "bootargs", 8) == 0)
			return off;
		off += n + 1;
	}
	return fdt->strings_size;
}

int fdt_copy_with_bootargs(void *dst, size_t dstsize, const void *src, const char *bootargs)
{
	struct fdt fdt;
	u32 rsv_len = 0, nameoff, args_len = (u32)strlen(bootargs) + 1;
	u32 prop_len = 12 + align4(args_len), ins, skip_at, skip_len = 0, new_len, struct_len,
	    strings_len;
	u32 off_struct, off_strings, total;
	u8 *out = dst, *p;
	int e, chosen, len;
	bool new_node;

	e = fdt_init(&fdt, src);
	if (e)
		return e;
	/* The reservation block: 16-byte (address, size) entries up to one of size 0. */
	for (;;) {
		if (rsv_len + 16 > fdt.rsvmap_max)
			return -FDT_ERR_BADHEADER;
		rsv_len += 16;
		if (fdt_be32(fdt.rsvmap + rsv_len - 8) == 0 &&
		    fdt_be32(fdt.rsvmap + rsv_len - 4) == 0)
			break;
	}
	chosen = fdt_path_offset(&fdt, "/chosen");
	new_node = chosen == -FDT_ERR_NOTFOUND;
	if (chosen < 0 && !new_node)
		return chosen;
	if (new_node) {
		/* Before the root's END_NODE, the last token but FDT_END: a "chosen" node holding the property. */
		if (fdt.struct_size < 8 ||
		    fdt_be32(fdt.dt_struct + fdt.struct_size - 4) != TOKEN_END ||
		    fdt_be32(fdt.dt_struct + fdt.struct_size - 8) != TOKEN_END_NODE)
			return -FDT_ERR_BADSTRUCT;
		ins = fdt.struct_size - 8;
		skip_at = ins;
		new_len = 4 + 8 + prop_len + 4; /* BEGIN_NODE "chosen\0" (8 bytes) prop END_NODE */
	} else {
		const u8 *old = fdt_getprop(&fdt, chosen, "bootargs", &len);

		/* Right after the node's name: properties come before subnodes. */
		ins = (u32)chosen + 4 + align4((u32)strlen(fdt_node_name(&fdt, chosen)) + 1);
		skip_at = ins;
		if (old) {
			skip_at = (u32)(old - 12 - fdt.dt_struct);
			skip_len = 12 + align4((u32)len);
		}
		new_len = prop_len;
	}
	nameoff = bootargs_nameoff(&fdt);
	struct_len = fdt.struct_size - skip_len + new_len;
	strings_len = fdt.strings_size + (nameoff == fdt.strings_size ? 9 : 0);
	off_struct = FDT_HDR_SIZE + rsv_len; /* 40 + 16n: 8-aligned as the format asks */
	off_strings = off_struct + struct_len;
	total = off_strings + strings_len;
	if (total > dstsize)
		return -FDT_ERR_NOSPACE;

	memcpy(out + FDT_HDR_SIZE, fdt.rsvmap, rsv_len);
	p = out + off_struct;
	memcpy(p, fdt.dt_struct, ins);
	p += ins;
	if (new_node) {
		put_be32(p, TOKEN_BEGIN_NODE);
		memcpy(p + 4, "chosen\0\0", 8);
		p += 12;
	}
	put_be32(p, TOKEN_PROP);
	put_be32(p + 4, args_len);
	put_be32(p + 8, nameoff);
	memset(p + 12, 0, align4(args_len));
	memcpy(p + 12, bootargs, args_len);
	p += prop_len;
	if (new_node) {
		put_be32(p, TOKEN_END_NODE);
		p += 4;
	}
	memcpy(p, fdt.dt_struct + ins, skip_at - ins);
	p += skip_at - ins;
	memcpy(p, fdt.dt_struct + skip_at + skip_len, fdt.struct_size - skip_at - skip_len);
	memcpy(out + off_strings, fdt.dt_strings, fdt.strings_size);
	if (nameoff == fdt.strings_size)
		memcpy(out + off_strings + fdt.strings_size, "bootargs", 9);

	put_be32(out, 0xd00dfeedu);
	put_be32(out + 4, total);
	put_be32(out + 8, off_struct);
	put_be32(out + 12, off_strings);
	put_be32(out + 16, FDT_HDR_SIZE);	     /* off_mem_rsvmap */
	put_be32(out + 20, 17);			     /* version */
	put_be32(out + 24, 16);			     /* last_comp_version */
	put_be32(out + 28, fdt_be32(fdt.blob + 28)); /* boot_cpuid_phys */
	put_be32(out + 32, strings_len);
	put_be32(out + 36, struct_len);
	return (int)total;
}
