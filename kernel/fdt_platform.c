/* Extracts the platform the kernel needs (RAM, CPUs, console, PSCI, GIC, timer) from a device tree blob. */
#include <locklab/types.h>
#include <locklab/string.h>
#include <locklab/fdt.h>

/* Longest stdout-path (without ":options") we resolve; real ones are under 64 bytes. */
#define PATH_MAX_LEN 256

#define STR_(x) #x
#define STR(x) STR_(x)
#define TOO_MANY_RESERVED "more than " STR(PLAT_MAX_RESERVED) " reserved memory ranges"

/* Appends s to the NUL-terminated err, truncating; no libc strlcat in the kernel. */
static void err_append(char *err, size_t errlen, const char *s)
{
	size_t used;

	if (!err || errlen == 0 || !s)
		return;
	used = strnlen(err, errlen);
	if (used >= errlen)
		return;
	while (*s && used + 1 < errlen)
		err[used++] = *s++;
	err[used] = '\0';
}

/* Records "msg" or "msg: <strerror(code)>" and returns code, so failures read as one sentence. */
static int fail(char *err, size_t errlen, int code, const char *msg, bool why)
{
	if (err && errlen) {
		err[0] = '\0';
		err_append(err, errlen, msg);
		if (why) {
			err_append(err, errlen, ": ");
			err_append(err, errlen, fdt_strerror(code));
		}
	}
	return code;
}

/* The property as a C string, or NULL if absent or not NUL-terminated inside its value. */
static const char *prop_string(const struct fdt *fdt, int node, const char *name)
{
	int len;
	const char *v = fdt_getprop(fdt, node, name, &len);

	if (!v || len <= 0 || v[len - 1] != '\0')
		return NULL;
	return v;
}

static bool node_enabled(const struct fdt *fdt, int node)
{
	const char *st = prop_string(fdt, node, "status");

	return !st || strcmp(st, "okay") == 0 || strcmp(st, "ok") == 0;
}

/* "memory" or "memory@<unit>", the node names DTSpec gives RAM. */
static bool is_memory_name(const char *name)
{
	return name && strncmp(name, "memory", 6) == 0 && (name[6] == '\0' || name[6] == '@');
}

static int add_range(struct plat_range *tab, int *nr, int max, u64 base, u64 size)
{
	if (*nr >= max)
		return -FDT_ERR_NOSPACE;
	tab[*nr].base = base;
	tab[*nr].size = size;
	tab[*nr].no_map = false;
	(*nr)++;
	return 0;
}

/* Appends every reg entry of node to tab; NOTFOUND past the last entry ends the list. */
static int add_reg_ranges(const struct fdt *fdt, int node, struct plat_range *tab, int *nr,
			  int max, bool drop_overflow)
{
	int i, err;
	u64 base, size;

	for (i = 0; i < 4096; i++) {
		err = fdt_read_reg(fdt, node, i, &base, &size);
		if (err == -FDT_ERR_NOTFOUND)
			return 0;
		if (err)
			return err;
		if (size == 0)
			continue;
		err = add_range(tab, nr, max, base, size);
		if (err)
			return drop_overflow ? 0 : err;
	}
	return 0;
}

static int parse_memory(const struct fdt *fdt, int root, struct platform_info *out, char *err,
			size_t errlen)
{
	int node, e;
	u32 n;

	for (node = fdt_first_child(fdt, root), n = 0; node >= 0 && n < fdt->struct_size;
	     node = fdt_next_sibling(fdt, node), n++) {
		const char *dt = prop_string(fdt, node, "device_type");

		if (!is_memory_name(fdt_node_name(fdt, node)) || (dt && strcmp(dt, "memory") != 0))
			continue;
		/* Losing RAM beyond the table only wastes it, so extra ranges are dropped. */
		e = add_reg_ranges(fdt, node, out->mem, &out->nr_mem, PLAT_MAX_MEM, true);
		if (e)
			return fail(err, errlen, e, "a /memory node has an unreadable reg", true);
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return fail(err, errlen, node, "cannot walk the root's children", true);
	if (out->nr_mem == 0)
		return fail(err, errlen, -FDT_ERR_NOTFOUND,
			    "no /memory node with device_type \"memory\" and a non-empty reg", false);
	return 0;
}

static int parse_reserved(const struct fdt *fdt, struct platform_info *out, char *err,
			  size_t errlen)
{
	u32 off;
	int node, e;

	/* /memreserve/ entries: (address, size) pairs of two big-endian u64, ended by size 0. */
	for (off = 0;; off += 16) {
		const u8 *p = fdt->rsvmap + off;
		u64 base, size;

		if (off > fdt->rsvmap_max || fdt->rsvmap_max - off < 16)
			return fail(err, errlen, -FDT_ERR_TRUNCATED,
				    "the memory reservation block has no terminating entry", false);
		base = ((u64)fdt_be32(p) << 32) | fdt_be32(p + 4);
		size = ((u64)fdt_be32(p + 8) << 32) | fdt_be32(p + 12);
		if (size == 0)
			break;
		/* Forgetting a reservation would let the kernel overwrite firmware: overflow is fatal. */
		if (add_range(out->reserved, &out->nr_reserved, PLAT_MAX_RESERVED, base, size))
			return fail(err, errlen, -FDT_ERR_NOSPACE,
				    TOO_MANY_RESERVED, false);
	}

	node = fdt_path_offset(fdt, "/reserved-memory");
	if (node < 0)
		return node == -FDT_ERR_NOTFOUND ? 0
						 : fail(err, errlen, node, "cannot look up /reserved-memory", true);
	for (node = fdt_first_child(fdt, node), off = 0; node >= 0 && off < fdt->struct_size;
	     node = fdt_next_sibling(fdt, node), off++) {
		int first = out->nr_reserved;

		/* Children with only "size" are allocation requests, not fixed regions: reg-less ones are skipped. */
		e = add_reg_ranges(fdt, node, out->reserved, &out->nr_reserved, PLAT_MAX_RESERVED, false);
		if (e == -FDT_ERR_NOSPACE)
			return fail(err, errlen, e, TOO_MANY_RESERVED,
				    false);
		if (e)
			return fail(err, errlen, e, "a /reserved-memory child has an unreadable reg", true);
		/* "no-map" is a boolean property: present (empty) or absent. */
		if (fdt_getprop(fdt, node, "no-map", NULL))
			for (int i = first; i < out->nr_reserved; i++)
				out->reserved[i].no_map = true;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return fail(err, errlen, node, "cannot walk /reserved-memory", true);
	return 0;
}

static int parse_cpus(const struct fdt *fdt, struct platform_info *out, char *err, size_t errlen)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, len;
	u32 ac, n;

	if (cpus < 0)
		return fail(err, errlen, cpus, "no /cpus node", cpus != -FDT_ERR_NOTFOUND);
	ac = fdt_address_cells(fdt, cpus);
	if (ac < 1 || ac > 2)
		return fail(err, errlen, -FDT_ERR_BADVALUE, "/cpus #address-cells is not 1 or 2", false);
	for (node = fdt_first_child(fdt, cpus), n = 0; node >= 0 && n < fdt->struct_size;
	     node = fdt_next_sibling(fdt, node), n++) {
		const char *dt = prop_string(fdt, node, "device_type");
		const u8 *reg;

		if (!dt || strcmp(dt, "cpu") != 0)
			continue; /* cpu-map, caches and the like */
		/* /cpus has #size-cells 0 and no "ranges": reg is the MPIDR itself, not an address. */
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || (u32)len < 4 * ac)
			return fail(err, errlen, -FDT_ERR_BADVALUE,
				    "a /cpus cpu node has no reg of #address-cells cells", false);
		if (out->nr_cpus < PLAT_MAX_CPUS)
			out->cpu_mpidr[out->nr_cpus++] =
				ac == 2 ? ((u64)fdt_be32(reg) << 32) | fdt_be32(reg + 4) : fdt_be32(reg);
		out->cpus_seen++;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return fail(err, errlen, node, "cannot walk /cpus", true);
	if (out->cpus_seen == 0)
		return fail(err, errlen, -FDT_ERR_NOTFOUND,
			    "no node with device_type \"cpu\" under /cpus", false);
	return 0;
}

/* The node stdout-path names: "/path" or an alias, either with an optional ":options" suffix. */
static int stdout_node(const struct fdt *fdt)
{
	char buf[PATH_MAX_LEN];
	const char *sp = prop_string(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path");
	size_t n = 0;

	if (!sp)
		return -FDT_ERR_NOTFOUND;
	while (sp[n] && sp[n] != ':' && n + 1 < sizeof(buf)) {
		buf[n] = sp[n];
		n++;
	}
	if (sp[n] && sp[n] != ':')
		return -FDT_ERR_BADVALUE; /* too long to be a sane path */
	buf[n] = '\0';
	if (buf[0] != '/') {
		sp = prop_string(fdt, fdt_path_offset(fdt, "/aliases"), buf);
		return sp ? fdt_path_offset(fdt, sp) : -FDT_ERR_NOTFOUND;
	}
	return fdt_path_offset(fdt, buf);
}

static void parse_uart(const struct fdt *fdt, struct platform_info *out)
{
	int node = stdout_node(fdt);
	u32 n;

	if (node >= 0 && fdt_prop_has_string(fdt, node, "compatible", "arm,pl011") &&
	    fdt_read_reg(fdt, node, 0, &out->uart_base, NULL) == 0) {
		out->have_uart = true;
		return;
	}
	/* No usable stdout-path: take the first enabled PL011 we can address. */
	for (node = fdt_node_by_compatible(fdt, -1, "arm,pl011"), n = 0;
	     node >= 0 && n < fdt->struct_size;
	     node = fdt_node_by_compatible(fdt, node, "arm,pl011"), n++) {
		if (node_enabled(fdt, node) && fdt_read_reg(fdt, node, 0, &out->uart_base, NULL) == 0) {
			out->have_uart = true;
			return;
		}
	}
	out->uart_base = 0;
}

static void parse_psci(const struct fdt *fdt, struct platform_info *out)
{
	static const char *const compats[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };
	int node = fdt_path_offset(fdt, "/psci");
	size_t i;

	for (i = 0; node < 0 && i < ARRAY_SIZE(compats); i++)
		node = fdt_node_by_compatible(fdt, -1, compats[i]);
	if (node < 0)
		return;
	if (fdt_prop_has_string(fdt, node, "method", "hvc"))
		out->psci = PSCI_HVC;
	else if (fdt_prop_has_string(fdt, node, "method", "smc"))
		out->psci = PSCI_SMC;
}

static int parse_gic(const struct fdt *fdt, struct platform_info *out, char *err, size_t errlen)
{
	static const char *const v2[] = { "arm,gic-400", "arm,cortex-a15-gic" };
	int node = fdt_node_by_compatible(fdt, -1, "arm,gic-v3"), e, i, len;
	size_t k;
	u64 size;

	if (node >= 0) {
		const void *p = fdt_getprop(fdt, node, "#redistributor-regions", &len);
		u32 nr = (p && len == 4) ? fdt_be32(p) : 1;

		if (nr < 1 || nr > PLAT_MAX_GICR)
			return fail(err, errlen, nr ? -FDT_ERR_NOSPACE : -FDT_ERR_BADVALUE,
				    "GICv3 #redistributor-regions is 0 or above " STR(PLAT_MAX_GICR), false);
		e = fdt_read_reg(fdt, node, 0, &out->gicd_base, &size);
		for (i = 0; !e && i < (int)nr; i++) {
			e = fdt_read_reg(fdt, node, 1 + i, &out->gicr[i].base, &out->gicr[i].size);
			if (!e)
				out->nr_gicr = i + 1;
		}
		if (e)
			return fail(err, errlen, e, "GICv3 node lacks a readable GICD or redistributor reg",
				    true);
		out->gic_version = 3;
		return 0;
	}
	for (k = 0; node < 0 && k < ARRAY_SIZE(v2); k++)
		node = fdt_node_by_compatible(fdt, -1, v2[k]);
	if (node < 0)
		return 0; /* no GIC is the kernel's call, not a parse error */
	e = fdt_read_reg(fdt, node, 0, &out->gicd_base, &size);
	if (!e)
		e = fdt_read_reg(fdt, node, 1, &out->gicc_base, &size);
	if (e)
		return fail(err, errlen, e, "GICv2 node lacks a readable GICD (reg 0) or GICC (reg 1)",
			    true);
	out->gic_version = 2;
	return 0;
}

/* A GIC interrupt specifier <type num flags>: only PPIs (type 1) map to INTID 16 + num. */
static u32 ppi_intid(const u8 *spec)
{
	u32 type = fdt_be32(spec), num = fdt_be32(spec + 4);

	return (type == 1 && num < 16) ? 16 + num : 0;
}

static void parse_timer(const struct fdt *fdt, struct platform_info *out)
{
	int node = fdt_node_by_compatible(fdt, -1, "arm,armv8-timer"), len;
	const u8 *irq;

	if (node < 0)
		node = fdt_node_by_compatible(fdt, -1, "arm,armv7-timer");
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	/* Order is secure phys, non-secure phys, virt, hyp; 3-cell specifiers assumed (GIC). */
	if (!irq || len % 12)
		return;
	if (len >= 24)
		out->timer_phys_intid = ppi_intid(irq + 12);
	if (len >= 36)
		out->timer_virt_intid = ppi_intid(irq + 24);
}

static const char *board_name(const struct fdt *fdt, int root)
{
	if (fdt_prop_has_string(fdt, root, "compatible", "raspberrypi,5-model-b") ||
	    fdt_prop_has_string(fdt, root, "compatible", "brcm,bcm2712"))
		return "rpi5";
	if (fdt_prop_has_string(fdt, root, "compatible", "linux,dummy-virt"))
		return "qemu-virt";
	return "unknown";
}

int fdt_parse_platform(const void *blob, struct platform_info *out, char *err, size_t errlen)
{
	struct fdt fdt;
	const char *s;
	int root, e;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return fail(err, errlen, -FDT_ERR_BADVALUE, "no platform_info to fill", false);
	memset(out, 0, sizeof(*out));
	out->board = "unknown";
	out->model = "";
	out->bootargs = "";

	e = fdt_init(&fdt, blob);
	if (e)
		return fail(err, errlen, e, "the device tree blob is invalid", true);
	root = fdt_root(&fdt);
	if (root < 0)
		return fail(err, errlen, root, "the device tree has no root node", true);

	out->board = board_name(&fdt, root);
	s = prop_string(&fdt, root, "model");
	if (s)
		out->model = s;
	s = prop_string(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs");
	if (s)
		out->bootargs = s;

	e = parse_memory(&fdt, root, out, err, errlen);
	if (!e)
		e = parse_reserved(&fdt, out, err, errlen);
	if (!e)
		e = parse_cpus(&fdt, out, err, errlen);
	if (!e)
		e = parse_gic(&fdt, out, err, errlen);
	if (e)
		return e;
	parse_uart(&fdt, out);
	parse_psci(&fdt, out);
	parse_timer(&fdt, out);
	return 0;
}
