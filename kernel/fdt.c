/* Flattened device tree reader: header validation, bounded node/property walking, reg translation. */
#include <locklab/types.h>
#include <locklab/string.h>
#include <locklab/fdt.h>

/*
 * Layout reminder (DTSpec v0.4, chapter 5): a 40-byte big-endian header, a
 * memory reservation block of (u64 address, u64 size) pairs ended by a zero
 * size, a structure block of 4-byte-aligned tokens and a strings block of
 * NUL-terminated property names.
 *
 * Every multi-byte read goes through fdt_be32(), which loads byte by byte:
 * the blob need not be aligned and the kernel may run this with the MMU and
 * caches off, where an unaligned word load faults (-mstrict-align).
 *
 * Node handles are offsets of BEGIN_NODE tokens in the structure block. A
 * negative handle passed in is an earlier error and is handed back unchanged,
 * so calls can be chained; a non-negative offset that is not a BEGIN_NODE
 * token gives -FDT_ERR_BADVALUE.
 */

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP	       4u
#define FDT_END	       9u

#define FDT_HDR_V16 36u /* header without size_dt_struct */
#define FDT_HDR_V17 40u
/* Linux caps arm64 DTBs at 2 MiB and QEMU pads to 1 MiB: far above real use, far below int overflow. */
#define FDT_MAX_TOTALSIZE (64u << 20)
/* Real trees nest fewer than 10 levels; the cap bounds the parent stack and rejects pathological blobs. */
#define FDT_MAX_DEPTH 64

static u32 align4(u32 x)
{
	return (x + 3u) & ~3u;
}

const char *fdt_strerror(int err)
{
	static const char *const msg[] = {
		[0] = "no error",
		[FDT_ERR_NOTFOUND] = "node or property not found",
		[FDT_ERR_BADMAGIC] = "bad magic (not a device tree blob, or none was passed)",
		[FDT_ERR_BADVERSION] = "unsupported device tree version (need 16 or 17)",
		[FDT_ERR_BADHEADER] =
			"header offsets or sizes lie outside the blob or are misaligned",
		[FDT_ERR_BADSTRUCT] =
			"malformed structure block (bad token, overrun or bad nesting)",
		[FDT_ERR_BADVALUE] = "property or argument has the wrong length or content",
		[FDT_ERR_TRUNCATED] = "a property or string runs past the end of its block",
		[FDT_ERR_NOSPACE] = "more entries than the fixed-size tables hold",
	};
	s64 i = err < 0 ? -(s64)err : err; /* accept -FDT_ERR_x and FDT_ERR_x alike */

	return i < (s64)ARRAY_SIZE(msg) ? msg[i] : "unknown device tree error";
}

/* True if [off, off + len) lies within [0, total); written so nothing can overflow. */
static bool fits(u32 off, u32 len, u32 total)
{
	return off <= total && len <= total - off;
}

/* Name of string-block entry nameoff, or NULL if it starts or ends outside the strings block. */
static const char *fdt_string(const struct fdt *fdt, u32 nameoff)
{
	const char *s;

	if (nameoff >= fdt->strings_size)
		return NULL;
	s = fdt->dt_strings + nameoff;
	if (strnlen(s, fdt->strings_size - nameoff) == fdt->strings_size - nameoff)
		return NULL;
	return s;
}

/*
 * Decodes the token at off and returns the offset of the next one in *next.
 * Everything the token covers (node name, property header and value, the
 * property name in the strings block) is checked to lie inside its block, so
 * callers may read it freely afterwards.
 */
static int fdt_token(const struct fdt *fdt, int off, u32 *tag, int *next)
{
	u32 size = fdt->struct_size, o, len, n;
	const u8 *s = fdt->dt_struct;

	if (off < 0 || (off & 3) || !fits((u32)off, 4, size))
		return -FDT_ERR_BADSTRUCT;
	o = (u32)off;
	*tag = fdt_be32(s + o);
	o += 4;
	switch (*tag) {
	case FDT_BEGIN_NODE:
		n = (u32)strnlen((const char *)s + o, size - o);
		if (n == size - o)
			return -FDT_ERR_TRUNCATED; /* name has no NUL inside the block */
		o = align4(o + n + 1);
		break;
	case FDT_PROP:
		if (!fits(o, 8, size))
			return -FDT_ERR_TRUNCATED;
		len = fdt_be32(s + o);
		if (!fdt_string(fdt, fdt_be32(s + o + 4)))
			return -FDT_ERR_TRUNCATED;
		o += 8;
		if (!fits(o, len, size))
			return -FDT_ERR_TRUNCATED;
		o = align4(o + len);
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END: break;
	default: return -FDT_ERR_BADSTRUCT;
	}
	if (o > size)
		return -FDT_ERR_TRUNCATED; /* padding after a name or value crosses the end */
	*next = (int)o;
	return 0;
}

/*
 * Replays the structure block from its start with a stack of open nodes (the
 * format has no back links). target < 0: checks nesting over the whole block
 * and returns 0. target >= 0: returns the parent of the node at target
 * (-FDT_ERR_NOTFOUND for the root, -FDT_ERR_BADVALUE if target is no node).
 */
static int fdt_walk(const struct fdt *fdt, int target)
{
	int stack[FDT_MAX_DEPTH];
	int off = 0, next, depth = 0, err;
	bool seen_root = false;
	u32 tag, n;

	for (n = 0; n <= fdt->struct_size / 4 && (target < 0 || off <= target); n++) {
		err = fdt_token(fdt, off, &tag, &next);
		if (err)
			return err;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (off == target)
				return depth ? stack[depth - 1] : -FDT_ERR_NOTFOUND;
			if (depth == FDT_MAX_DEPTH || (depth == 0 && seen_root))
				return -FDT_ERR_BADSTRUCT; /* too deep, or a second root */
			stack[depth++] = off;
			seen_root = true;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return -FDT_ERR_BADSTRUCT;
			depth--;
			break;
		case FDT_PROP:
			if (depth == 0)
				return -FDT_ERR_BADSTRUCT; /* property outside any node */
			break;
		case FDT_END:
			if (target >= 0)
				return -FDT_ERR_BADVALUE;
			return (depth == 0 && seen_root) ? 0 : -FDT_ERR_BADSTRUCT;
		}
		off = next;
	}
	return target >= 0 ? -FDT_ERR_BADVALUE : -FDT_ERR_BADSTRUCT;
}

/* Checks the header and fills *fdt; the structure block is not walked yet. */
static int fdt_check_header(struct fdt *fdt, const void *blob, size_t bufsize)
{
	const u8 *b = blob;
	u32 total, off_struct, off_strings, off_rsv, version, last_comp, hdr;
	u32 size_strings, size_struct, end;

	if (!fdt)
		return -FDT_ERR_BADVALUE;
	memset(fdt, 0, sizeof(*fdt));
	if (!b || bufsize < 8 || fdt_be32(b) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	total = fdt_be32(b + 4);
	if (total > bufsize)
		return -FDT_ERR_TRUNCATED; /* the caller holds fewer bytes than the header claims */
	if (total < FDT_HDR_V16 || total > FDT_MAX_TOTALSIZE)
		return -FDT_ERR_BADHEADER;
	version = fdt_be32(b + 20);
	last_comp = fdt_be32(b + 24);
	if (version < 16 || last_comp > 17)
		return -FDT_ERR_BADVERSION;
	hdr = version >= 17 ? FDT_HDR_V17 : FDT_HDR_V16;
	if (total < hdr)
		return -FDT_ERR_BADHEADER;
	off_struct = fdt_be32(b + 8);
	off_strings = fdt_be32(b + 12);
	off_rsv = fdt_be32(b + 16);
	size_strings = fdt_be32(b + 32);
	/* v16 has no struct size: the FDT_END token bounds the walk instead. */
	size_struct = version >= 17 ? fdt_be32(b + 36) : total - MIN(off_struct, total);

	if (off_struct < hdr || off_strings < hdr || off_rsv < hdr)
		return -FDT_ERR_BADHEADER;
	if ((off_struct & 3) || (off_rsv & 7))
		return -FDT_ERR_BADHEADER;
	if (!fits(off_struct, size_struct, total) || !fits(off_strings, size_strings, total) ||
	    !fits(off_rsv, 16, total))
		return -FDT_ERR_BADHEADER;

	/* The reservation block has no size field: it may run up to the next block or the end. */
	end = total;
	if (off_struct > off_rsv)
		end = MIN(end, off_struct);
	if (off_strings > off_rsv)
		end = MIN(end, off_strings);

	fdt->blob = b;
	fdt->totalsize = total;
	fdt->dt_struct = b + off_struct;
	fdt->struct_size = size_struct;
	fdt->dt_strings = (const char *)b + off_strings;
	fdt->strings_size = size_strings;
	fdt->rsvmap = b + off_rsv;
	fdt->rsvmap_max = end - off_rsv;
	return 0;
}

int fdt_init_sized(struct fdt *fdt, const void *blob, size_t bufsize)
{
	int err = fdt_check_header(fdt, blob, bufsize);

	return err ? err : fdt_walk(fdt, -1);
}

int fdt_init(struct fdt *fdt, const void *blob)
{
	/* The boot loader hands over a pointer only: trust totalsize for the extent (after magic). */
	return fdt_init_sized(fdt, blob, (size_t)-1);
}

int fdt_init_header_only(struct fdt *fdt, const void *blob)
{
	return fdt_check_header(fdt, blob, (size_t)-1);
}

/* Offset of the first token after node's BEGIN_NODE token and name, or a negative error. */
static int node_body(const struct fdt *fdt, int node)
{
	int next, err;
	u32 tag;

	if (node < 0)
		return node;
	err = fdt_token(fdt, node, &tag, &next);
	if (err)
		return err == -FDT_ERR_BADSTRUCT ? -FDT_ERR_BADVALUE : err;
	if (tag != FDT_BEGIN_NODE)
		return -FDT_ERR_BADVALUE;
	return next;
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	if (node_body(fdt, node) < 0)
		return NULL;
	return (const char *)fdt->dt_struct + node + 4;
}

/* Offset just past the END_NODE that closes node. */
static int skip_node(const struct fdt *fdt, int node)
{
	int off = node, next, depth = 0, err;
	u32 tag, n;

	for (n = 0; n <= fdt->struct_size / 4; n++) {
		err = fdt_token(fdt, off, &tag, &next);
		if (err)
			return err;
		if (tag == FDT_BEGIN_NODE) {
			if (++depth > FDT_MAX_DEPTH)
				return -FDT_ERR_BADSTRUCT;
		} else if (tag == FDT_END_NODE) {
			if (--depth == 0)
				return next;
		} else if (tag == FDT_END) {
			return -FDT_ERR_BADSTRUCT;
		}
		off = next;
	}
	return -FDT_ERR_BADSTRUCT;
}

/* From off, skips properties (if allowed) and NOPs; returns the next BEGIN_NODE or NOTFOUND at END_NODE. */
static int next_node_at(const struct fdt *fdt, int off, bool props_allowed)
{
	int next, err;
	u32 tag, n;

	for (n = 0; n <= fdt->struct_size / 4; n++) {
		err = fdt_token(fdt, off, &tag, &next);
		if (err)
			return err;
		if (tag == FDT_BEGIN_NODE)
			return off;
		if (tag == FDT_END_NODE || tag == FDT_END)
			return -FDT_ERR_NOTFOUND;
		if (tag == FDT_PROP && !props_allowed)
			return -FDT_ERR_BADSTRUCT; /* properties must precede subnodes */
		off = next;
	}
	return -FDT_ERR_BADSTRUCT;
}

int fdt_root(const struct fdt *fdt)
{
	/* Only NOPs may precede the root's BEGIN_NODE. */
	int off = next_node_at(fdt, 0, false);

	return off == -FDT_ERR_NOTFOUND ? -FDT_ERR_BADSTRUCT : off;
}

int fdt_first_child(const struct fdt *fdt, int node)
{
	int off = node_body(fdt, node);

	return off < 0 ? off : next_node_at(fdt, off, true);
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
	int off = node_body(fdt, node);

	if (off < 0)
		return off;
	off = skip_node(fdt, node);
	return off < 0 ? off : next_node_at(fdt, off, false);
}

int fdt_parent(const struct fdt *fdt, int node)
{
	return node < 0 ? node : fdt_walk(fdt, node);
}

const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, int *len)
{
	int off = node_body(fdt, node), next, err = 0, dummy;
	u32 tag, n;

	if (!len)
		len = &dummy;
	if (off < 0 || !name) {
		*len = off < 0 ? off : -FDT_ERR_BADVALUE;
		return NULL;
	}
	for (n = 0; n <= fdt->struct_size / 4; n++) {
		err = fdt_token(fdt, off, &tag, &next);
		if (err)
			break;
		if (tag == FDT_PROP) {
			/* fdt_token() checked the header, value and name bounds. */
			const u8 *p = fdt->dt_struct + off;

			if (strcmp(fdt->dt_strings + fdt_be32(p + 8), name) == 0) {
				*len = (int)fdt_be32(p + 4);
				return p + 12;
			}
		} else if (tag != FDT_NOP) {
			/* properties end at the first subnode or END_NODE */
			err = -FDT_ERR_NOTFOUND;
			break;
		}
		off = next;
	}
	*len = err ? err : -FDT_ERR_BADSTRUCT;
	return NULL;
}

bool fdt_prop_has_string(const struct fdt *fdt, int node, const char *name, const char *s)
{
	int len, pos = 0;
	const char *v = fdt_getprop(fdt, node, name, &len);

	if (!v || !s)
		return false;
	/* A string list: each entry NUL-terminated; an unterminated tail is ignored. */
	while (pos < len) {
		int n = (int)strnlen(v + pos, (size_t)(len - pos));

		if (n == len - pos)
			break;
		if (strcmp(v + pos, s) == 0)
			return true;
		pos += n + 1;
	}
	return false;
}

static u32 cells_prop(const struct fdt *fdt, int node, const char *name, u32 dflt)
{
	int len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	return (p && len == 4) ? fdt_be32(p) : dflt;
}

u32 fdt_address_cells(const struct fdt *fdt, int node)
{
	return cells_prop(fdt, node, "#address-cells", 2);
}

u32 fdt_size_cells(const struct fdt *fdt, int node)
{
	return cells_prop(fdt, node, "#size-cells", 1);
}

/* Path component match: exact name, or "name" against "name@unit" when the component has no '@'. */
static bool name_matches(const char *name, const char *seg, size_t seglen)
{
	size_t i;

	if (!name || strncmp(name, seg, seglen) != 0)
		return false;
	if (name[seglen] == '\0')
		return true;
	if (name[seglen] != '@')
		return false;
	for (i = 0; i < seglen; i++)
		if (seg[i] == '@')
			return false;
	return true;
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
	int node, child;
	const char *p = path;
	u32 n;

	if (!path || path[0] != '/')
		return -FDT_ERR_BADVALUE; /* aliases are resolved by the caller */
	node = fdt_root(fdt);
	while (node >= 0) {
		size_t seglen = 0;

		while (*p == '/')
			p++;
		if (!*p)
			return node;
		while (p[seglen] && p[seglen] != '/')
			seglen++;
		child = fdt_first_child(fdt, node);
		for (n = 0; child >= 0 && !name_matches(fdt_node_name(fdt, child), p, seglen); n++)
			child = n < fdt->struct_size / 4 ? fdt_next_sibling(fdt, child) :
							   -FDT_ERR_BADSTRUCT;
		node = child;
		p += seglen;
	}
	return node;
}

int fdt_node_by_compatible(const struct fdt *fdt, int after, const char *compat)
{
	int off, next, err;
	u32 tag, n;

	/* Resume just past after's BEGIN_NODE so it is not found again but its subnodes are. */
	off = after < 0 ? fdt_root(fdt) : node_body(fdt, after);
	if (off < 0)
		return off;
	for (n = 0; n <= fdt->struct_size / 4; n++) {
		err = fdt_token(fdt, off, &tag, &next);
		if (err)
			return err;
		if (tag == FDT_END)
			return -FDT_ERR_NOTFOUND;
		if (tag == FDT_BEGIN_NODE && fdt_prop_has_string(fdt, off, "compatible", compat))
			return off;
		off = next;
	}
	return -FDT_ERR_BADSTRUCT;
}

/* Reads a 1- or 2-cell big-endian number (0 cells read as 0). */
static u64 read_cells(const u8 *p, u32 cells)
{
	u64 v = 0;
	u32 i;

	for (i = 0; i < cells; i++)
		v = (v << 32) | fdt_be32(p + 4 * i);
	return v;
}

/* Maps *addr from bus's child address space to its parent's through bus's "ranges". */
static int translate(const struct fdt *fdt, int bus, int parent, u64 *addr)
{
	int len, i, count;
	const u8 *r = fdt_getprop(fdt, bus, "ranges", &len);
	u32 cac, pac, csc, stride;

	if (!r)
		return len == -FDT_ERR_NOTFOUND ? -FDT_ERR_BADVALUE : len;
	if (len == 0)
		return 0; /* "ranges;" = the bus maps its children 1:1 */
	cac = fdt_address_cells(fdt, bus);
	pac = fdt_address_cells(fdt, parent);
	csc = fdt_size_cells(fdt, bus);
	if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || csc < 1 || csc > 2)
		return -FDT_ERR_BADVALUE;
	stride = 4 * (cac + pac + csc);
	if ((u32)len % stride)
		return -FDT_ERR_BADVALUE;
	count = (int)((u32)len / stride);
	for (i = 0; i < count; i++, r += stride) {
		u64 cb = read_cells(r, cac);
		u64 pb = read_cells(r + 4 * cac, pac);
		u64 sz = read_cells(r + 4 * (cac + pac), csc);

		if (*addr >= cb && *addr - cb < sz) {
			*addr = pb + (*addr - cb);
			return 0;
		}
	}
	return -FDT_ERR_BADVALUE; /* address outside every window of the bus */
}

int fdt_read_reg(const struct fdt *fdt, int node, int index, u64 *addr, u64 *size)
{
	int parent, root, len, bus, depth, err;
	const u8 *reg;
	u32 ac, sc, stride;
	u64 a, sz;

	parent = fdt_parent(fdt, node);
	if (parent < 0)
		return parent; /* includes the root, which has no "reg" of its own */
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac < 1 || ac > 2 || sc > 2)
		return -FDT_ERR_BADVALUE;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return len;
	stride = 4 * (ac + sc);
	if ((u32)len % stride)
		return -FDT_ERR_BADVALUE;
	if (index < 0 || (u32)index >= (u32)len / stride)
		return -FDT_ERR_NOTFOUND;
	reg += (u32)index * stride;
	a = read_cells(reg, ac);
	sz = read_cells(reg + 4 * ac, sc);

	/* Climb bus by bus; the root's address space is the CPU's physical one. */
	root = fdt_root(fdt);
	bus = parent;
	for (depth = 0; bus != root; depth++) {
		int up = fdt_parent(fdt, bus);

		if (up < 0 || depth >= FDT_MAX_DEPTH)
			return up < 0 ? up : -FDT_ERR_BADSTRUCT;
		err = translate(fdt, bus, up, &a);
		if (err)
			return err;
		bus = up;
	}
	/* Outputs are written only on success, so a failed lookup leaves the caller's values. */
	if (addr)
		*addr = a;
	if (size)
		*size = sz;
	return 0;
}
