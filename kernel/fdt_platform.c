/* Extracts the platform the kernel needs (RAM, CPUs, console, PSCI, GIC, timer) from a device tree blob. */
#include <locklab/types.h>
#include <locklab/string.h>
#include <locklab/fdt.h>
#include <locklab/printf.h>

/* Longest stdout-path (without ":options") we resolve; real ones are under 64 bytes. */
#define PATH_MAX_LEN 256

#define STR_(x)		  #x
#define STR(x)		  STR_(x)
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

/* Records a formatted sentence in err and returns code. */
__printf(4, 5) static int failf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Adds one sentence to out->notes (what the parser worked around), or counts it as dropped. */
__printf(2, 3) static void note(struct platform_info *out, const char *fmt, ...)
{
	va_list ap;

	if (out->nr_notes >= PLAT_MAX_NOTES) {
		out->notes_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(out->notes[out->nr_notes++], PLAT_NOTE_LEN, fmt, ap);
	va_end(ap);
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
static int add_reg_ranges(const struct fdt *fdt, int node, struct plat_range *tab, int *nr, int max,
			  bool drop_overflow)
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

/* A 1- or 2-cell big-endian number. */
static u64 cells_at(const u8 *p, u32 cells)
{
	return cells == 2 ? ((u64)fdt_be32(p) << 32) | fdt_be32(p + 4) : fdt_be32(p);
}

/* A device the tree names, which no RAM range may cover. */
struct named_device {
	u64 at;
	const char *what;
};

/* The console and GIC frames found so far (parse_uart and parse_gic run before parse_memory). */
static int named_devices(const struct platform_info *out, struct named_device *dev)
{
	int n = 0;

	if (out->have_uart)
		dev[n++] = (struct named_device){ out->uart_base, "console UART" };
	if (out->gic_version)
		dev[n++] = (struct named_device){ out->gicd_base, "GIC distributor" };
	if (out->gicc_base)
		dev[n++] = (struct named_device){ out->gicc_base, "GIC CPU interface" };
	for (int i = 0; i < out->nr_gicr; i++)
		dev[n++] = (struct named_device){ out->gicr[i].base, "GIC redistributor" };
	return n;
}

/*
 * Whether /memory's reg, read as (ac address cells, sc size cells) entries,
 * is sane: whole entries, every range inside the CPU's physical address
 * space and clear of the devices the tree names (the MMU would otherwise
 * map them as Normal memory). If not, why says so in one clause.
 */
static bool memory_reading_ok(const u8 *reg, u32 len, u32 ac, u32 sc, u32 pa_bits,
			      const struct platform_info *out, char *why, size_t whylen)
{
	struct named_device dev[3 + PLAT_MAX_GICR];
	int ndev = named_devices(out, dev);
	u32 stride = 4 * (ac + sc), off;
	u64 limit = pa_bits >= 64 ? ~0ULL : 1ULL << pa_bits;

	if (len % stride) {
		snprintf(why, whylen, "%u bytes are not whole %u-byte entries", len, stride);
		return false;
	}
	for (off = 0; off < len; off += stride) {
		u64 base = cells_at(reg + off, ac), size = cells_at(reg + off + 4 * ac, sc);

		if (size == 0)
			continue;
		if (base >= limit || size > limit - base) {
			snprintf(why, whylen,
				 "0x%llx+0x%llx reaches beyond the CPU's %u-bit physical addresses",
				 (unsigned long long)base, (unsigned long long)size, pa_bits);
			return false;
		}
		for (int i = 0; i < ndev; i++) {
			if (dev[i].at >= base && dev[i].at - base < size) {
				snprintf(why, whylen, "0x%llx+0x%llx covers the %s at 0x%llx",
					 (unsigned long long)base, (unsigned long long)size,
					 dev[i].what, (unsigned long long)dev[i].at);
				return false;
			}
		}
	}
	return true;
}

/*
 * One /memory node's reg into out->mem. Read with the root's #size-cells if
 * that is sane, else with one size cell if that is (and a note says so),
 * else an error naming the node and both readings. Losing RAM beyond the
 * table only wastes it, so extra ranges are dropped.
 */
static int add_memory_node(const struct fdt *fdt, int node, u32 ac, u32 sc, u32 pa_bits,
			   struct platform_info *out, char *err, size_t errlen)
{
	char why[128], why1[128];
	const char *name = fdt_node_name(fdt, node);
	int len;
	const u8 *reg = fdt_getprop(fdt, node, "reg", &len);
	u32 use = sc, off;

	if (!reg)
		return len == -FDT_ERR_NOTFOUND ?
			       0 :
			       failf(err, errlen, len, "/%s has an unreadable reg: %s", name,
				     fdt_strerror(len));
	if (len == 0)
		return 0;
	if (!memory_reading_ok(reg, (u32)len, ac, sc, pa_bits, out, why, sizeof(why))) {
		if (sc != 2 ||
		    !memory_reading_ok(reg, (u32)len, ac, 1, pa_bits, out, why1, sizeof(why1))) {
			if (sc != 2)
				return failf(err, errlen, -FDT_ERR_BADVALUE,
					     "/%s reg is unusable: read with %u size cell(s), %s",
					     name, sc, why);
			return failf(
				err, errlen, -FDT_ERR_BADVALUE,
				"/%s reg is unusable: read with 2 size cells (as #size-cells says), %s; "
				"read with 1, %s",
				name, why, why1);
		}
		use = 1;
		note(out,
		     "device tree: /%s read with 1 size cell, not the 2 #size-cells says (with 2, %s): "
		     "Raspberry Pi bootloaders before 2025-02-11 write 1-cell sizes",
		     name, why);
	}
	for (off = 0; off < (u32)len; off += 4 * (ac + use)) {
		u64 size = cells_at(reg + off + 4 * ac, use);

		if (size != 0)
			add_range(out->mem, &out->nr_mem, PLAT_MAX_MEM, cells_at(reg + off, ac),
				  size);
	}
	return 0;
}

static int parse_memory(const struct fdt *fdt, int root, u32 pa_bits, struct platform_info *out,
			char *err, size_t errlen)
{
	u32 ac = fdt_address_cells(fdt, root), sc = fdt_size_cells(fdt, root), n;
	int node, e;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return fail(err, errlen, -FDT_ERR_BADVALUE,
			    "the root's #address-cells or #size-cells is not 1 or 2", false);
	for (node = fdt_first_child(fdt, root), n = 0; node >= 0 && n < fdt->struct_size;
	     node = fdt_next_sibling(fdt, node), n++) {
		const char *dt = prop_string(fdt, node, "device_type");

		if (!is_memory_name(fdt_node_name(fdt, node)) || (dt && strcmp(dt, "memory") != 0))
			continue;
		if (!node_enabled(fdt, node))
			continue; /* as Linux does */
		e = add_memory_node(fdt, node, ac, sc, pa_bits, out, err, errlen);
		if (e)
			return e;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return fail(err, errlen, node, "cannot walk the root's children", true);
	if (out->nr_mem == 0)
		return fail(err, errlen, -FDT_ERR_NOTFOUND,
			    "no /memory node with device_type \"memory\" and a non-empty reg",
			    false);
	return 0;
}

/*
 * A /reserved-memory child's reg is whole (address, size) entries of its
 * parent's cells. The Pi 5's firmware leaves its nvram@0/@1 placeholders
 * with a 3-cell reg under 2/2 cells (disabled, unless it fills them in).
 */
static bool reg_is_whole_entries(const struct fdt *fdt, int parent, int node, int *len, u32 *stride)
{
	u32 ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);

	*stride = 4 * (ac + sc);
	return !fdt_getprop(fdt, node, "reg", len) || (*stride && (u32)*len % *stride == 0);
}

static int parse_reserved(const struct fdt *fdt, struct platform_info *out, char *err,
			  size_t errlen)
{
	u32 off, stride;
	int node, e, rsv, len;

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
			return fail(err, errlen, -FDT_ERR_NOSPACE, TOO_MANY_RESERVED, false);
	}

	rsv = fdt_path_offset(fdt, "/reserved-memory");
	if (rsv < 0)
		return rsv == -FDT_ERR_NOTFOUND ?
			       0 :
			       fail(err, errlen, rsv, "cannot look up /reserved-memory", true);
	for (node = fdt_first_child(fdt, rsv), off = 0; node >= 0 && off < fdt->struct_size;
	     node = fdt_next_sibling(fdt, node), off++) {
		int first = out->nr_reserved;

		if (!node_enabled(fdt, node))
			continue; /* a placeholder the firmware did not fill in */
		/* Without "ranges" on the parent nothing below has a CPU address: the tree is broken, not the child. */
		if (fdt_getprop(fdt, node, "reg", NULL) && !fdt_getprop(fdt, rsv, "ranges", NULL))
			return fail(
				err, errlen, -FDT_ERR_BADVALUE,
				"/reserved-memory has no \"ranges\", so its children have no CPU address",
				false);
		if (!reg_is_whole_entries(fdt, rsv, node, &len, &stride)) {
			note(out,
			     "device tree: /reserved-memory/%s skipped: its reg is %d bytes, not whole "
			     "%u-byte entries",
			     fdt_node_name(fdt, node), len, stride);
			continue;
		}
		/* Children with only "size" are allocation requests, not fixed regions: reg-less ones are skipped. */
		e = add_reg_ranges(fdt, node, out->reserved, &out->nr_reserved, PLAT_MAX_RESERVED,
				   false);
		if (e == -FDT_ERR_NOSPACE)
			return fail(err, errlen, e, TOO_MANY_RESERVED, false);
		if (e)
			return fail(err, errlen, e,
				    "a /reserved-memory child has an unreadable reg", true);
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
		return fail(err, errlen, -FDT_ERR_BADVALUE, "/cpus #address-cells is not 1 or 2",
			    false);
	for (node = fdt_first_child(fdt, cpus), n = 0; node >= 0 && n < fdt->struct_size;
	     node = fdt_next_sibling(fdt, node), n++) {
		const char *dt = prop_string(fdt, node, "device_type");
		const u8 *reg;

		if (!dt || strcmp(dt, "cpu") != 0)
			continue; /* cpu-map, caches and the like */
		/* A core the firmware took out of service ("disabled"): as if it were not there. */
		if (!node_enabled(fdt, node)) {
			note(out, "device tree: /cpus/%s skipped: its status is \"%s\"",
			     fdt_node_name(fdt, node), prop_string(fdt, node, "status"));
			continue;
		}
		/* /cpus has #size-cells 0 and no "ranges": reg is the MPIDR itself, not an address. */
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || (u32)len < 4 * ac)
			return fail(err, errlen, -FDT_ERR_BADVALUE,
				    "a /cpus cpu node has no reg of #address-cells cells", false);
		if (out->nr_cpus < PLAT_MAX_CPUS) {
			/* smp_boot_secondaries starts only "psci" ones ("spin-table" is another protocol). */
			out->cpu_method[out->nr_cpus] = prop_string(fdt, node, "enable-method");
			out->cpu_mpidr[out->nr_cpus++] =
				ac == 2 ? ((u64)fdt_be32(reg) << 32) | fdt_be32(reg + 4) :
					  fdt_be32(reg);
		}
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

/* The console PL011: stdout-path's node if it is one, else the first enabled "arm,pl011" we can address. */
static enum early_console_source find_console(const struct fdt *fdt, u64 *base, const char **name)
{
	int node = stdout_node(fdt);
	u32 n;

	if (node >= 0 && fdt_prop_has_string(fdt, node, "compatible", "arm,pl011") &&
	    fdt_read_reg(fdt, node, 0, base, NULL) == 0) {
		*name = fdt_node_name(fdt, node);
		return EARLY_CONSOLE_STDOUT_PATH;
	}
	for (node = fdt_node_by_compatible(fdt, -1, "arm,pl011"), n = 0;
	     node >= 0 && n < fdt->struct_size;
	     node = fdt_node_by_compatible(fdt, node, "arm,pl011"), n++) {
		if (node_enabled(fdt, node) && fdt_read_reg(fdt, node, 0, base, NULL) == 0) {
			*name = fdt_node_name(fdt, node);
			return EARLY_CONSOLE_FIRST_PL011;
		}
	}
	return EARLY_CONSOLE_NONE;
}

/* The console node's first interrupt, if it is a GIC SPI (3 cells: type 0 = SPI, number, flags). */
static u32 uart_spi_intid(const struct fdt *fdt, const char *name)
{
	int node, len;
	const u8 *irq;
	u32 n = 0;

	for (node = fdt_node_by_compatible(fdt, -1, "arm,pl011"); node >= 0 && n < fdt->struct_size;
	     node = fdt_node_by_compatible(fdt, node, "arm,pl011"), n++) {
		if (strcmp(fdt_node_name(fdt, node), name) != 0)
			continue;
		irq = fdt_getprop(fdt, node, "interrupts", &len);
		if (!irq || len < 12 || fdt_be32(irq) != 0 || fdt_be32(irq + 4) > 987)
			return 0;
		return 32 + fdt_be32(irq + 4);
	}
	return 0;
}

static void parse_uart(const struct fdt *fdt, struct platform_info *out)
{
	out->have_uart = find_console(fdt, &out->uart_base, &out->uart_node) != EARLY_CONSOLE_NONE;
	out->uart_intid = out->have_uart ? uart_spi_intid(fdt, out->uart_node) : 0;
	if (!out->have_uart) {
		out->uart_base = 0;
		out->uart_node = "";
	}
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
			return fail(
				err, errlen, nr ? -FDT_ERR_NOSPACE : -FDT_ERR_BADVALUE,
				"GICv3 #redistributor-regions is 0 or above " STR(PLAT_MAX_GICR),
				false);
		e = fdt_read_reg(fdt, node, 0, &out->gicd_base, &size);
		for (i = 0; !e && i < (int)nr; i++) {
			e = fdt_read_reg(fdt, node, 1 + i, &out->gicr[i].base, &out->gicr[i].size);
			if (!e)
				out->nr_gicr = i + 1;
		}
		if (e)
			return fail(err, errlen, e,
				    "GICv3 node lacks a readable GICD or redistributor reg", true);
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
		return fail(err, errlen, e,
			    "GICv2 node lacks a readable GICD (reg 0) or GICC (reg 1)", true);
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

int fdt_parse_platform(const void *blob, u32 pa_bits, struct platform_info *out, char *err,
		       size_t errlen)
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
	out->uart_node = "";

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

	/* The devices first: a /memory reading that covers one of them is rejected. */
	parse_uart(&fdt, out);
	e = parse_gic(&fdt, out, err, errlen);
	if (!e)
		e = parse_memory(&fdt, root, pa_bits, out, err, errlen);
	if (!e)
		e = parse_reserved(&fdt, out, err, errlen);
	if (!e)
		e = parse_cpus(&fdt, out, err, errlen);
	if (e)
		return e;
	parse_psci(&fdt, out);
	parse_timer(&fdt, out);
	return 0;
}

int fdt_early_console(const void *blob, struct early_console *out)
{
	struct fdt fdt;
	int root, e;

	memset(out, 0, sizeof(*out));
	out->node = "";
	e = fdt_init_header_only(&fdt, blob);
	if (e)
		return e;
	root = fdt_root(&fdt);
	if (root < 0)
		return 0; /* no board, no console: source stays NONE */
	out->board = board_name(&fdt, root);
	out->bootargs = prop_string(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs");
	out->source = find_console(&fdt, &out->base, &out->node);
	if (out->source == EARLY_CONSOLE_NONE && strcmp(out->board, "rpi5") == 0) {
		out->source = EARLY_CONSOLE_RPI5_DEFAULT;
		out->base = RPI5_DEBUG_UART;
	}
	return 0;
}
