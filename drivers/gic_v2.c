/* GICv2 / GIC-400 driver: distributor + memory-mapped CPU interface, SGIs via GICD_SGIR. */
#include <locklab/irq.h>
#include <locklab/mmio.h>
#include <locklab/percpu.h>
#include <asm/sysreg.h>
#include <asm/memory.h>

#define GICD_CTLR	0x000
#define GICD_TYPER	0x004
#define GICD_ICENABLER	0x180
#define GICD_ISENABLER	0x100
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR	0x800
#define GICD_SGIR	0xf00

#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_BPR  0x08
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10

#define GIC_PRIO_DEFAULT 0xa0a0a0a0U

/* Written once by the boot CPU before any other CPU starts. */
static u64 gicd, gicc;

static int gic_v2_init(const struct platform_info *p)
{
	u32 lines;

	if (!p->gicd_base || !p->gicc_base)
		return -1;
	/* device tree: physical; we run in the linear map */
	gicd = (u64)phys_to_virt(p->gicd_base);
	gicc = (u64)phys_to_virt(p->gicc_base);
	mmio_write32(gicd + GICD_CTLR, 0);
	/* Shared interrupts stay disabled: nothing in the kernel uses one yet. */
	lines = 32 * ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1);
	for (u32 i = 32; i < lines; i += 32)
		mmio_write32(gicd + GICD_ICENABLER + i / 8, 0xffffffffU);
	/*
	 * Bit 0 enables group 1 when accessed non-secure (the Pi 5, whose
	 * firmware made everything group 1) and group 0 on a GIC without
	 * security extensions (QEMU), where all interrupts are group 0.
	 */
	mmio_write32(gicd + GICD_CTLR, 1);
	return 0;
}

static int gic_v2_cpu_init(void)
{
	struct percpu *pc = this_cpu();
	u32 mask = mmio_read32(gicd + GICD_ITARGETSR) & 0xff;

	/* ITARGETSR0 reads back this CPU's own interface bit (0 on a uniprocessor GIC). */
	pc->gic_target = mask ? mask : 1;
	for (u32 i = 0; i < 32; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, GIC_PRIO_DEFAULT);
	/*
	 * SGIs on: whether their enable bits can be written is the GIC's
	 * choice (QEMU's are always on), and a Pi's firmware clears this
	 * CPU's before starting it. The PPIs wait for enable_ppi.
	 */
	mmio_write32(gicd + GICD_ISENABLER, 0x0000ffff);
	mmio_write32(gicc + GICC_PMR, 0xff); /* let every priority through */
	mmio_write32(gicc + GICC_BPR, 0);
	/* EnableGrp1, keeping only the bypass-disable bits (5-8) the firmware may have set */
	mmio_write32(gicc + GICC_CTLR, (mmio_read32(gicc + GICC_CTLR) & 0x1e0) | 1);
	return 0;
}

static u32 gic_v2_ack(u32 *intid)
{
	u32 iar = mmio_read32(gicc + GICC_IAR);

	/*
	 * Order the acknowledge before the handler's loads: an SGI's sender
	 * published its data before raising it (dsb), but without this
	 * barrier we could read that data before the IAR read that says the
	 * SGI arrived, and see it stale (a control dependency does not order
	 * loads).
	 */
	dmb(ish);
	*intid = iar & 0x3ff;
	return iar;
}

static void gic_v2_eoi(u32 raw)
{
	mmio_write32(gicc + GICC_EOIR, raw);
}

static void gic_v2_send_sgi(u32 cpu, u32 sgi)
{
	/*
	 * The SGIR write is a Device access; make our earlier Normal-memory
	 * stores (e.g. the function an IPI asks to run) visible first.
	 */
	dsb(ishst);
	mmio_write32(gicd + GICD_SGIR, (cpu_data(cpu)->gic_target << 16) | (sgi & 0xf));
}

static void gic_v2_enable_spi(u32 intid)
{
	/* Byte-wide registers: this SPI's priority and CPU target; then its enable bit. */
	mmio_write32_byte(gicd + GICD_IPRIORITYR + intid, (u8)GIC_PRIO_DEFAULT);
	mmio_write32_byte(gicd + GICD_ITARGETSR + intid, (u8)this_cpu()->gic_target);
	mmio_write32(gicd + GICD_ISENABLER + (intid / 32) * 4, 1U << (intid % 32));
}

static void gic_v2_enable_ppi(u32 intid)
{
	mmio_write32(gicd + GICD_ISENABLER, 1U << intid); /* banked per CPU for 0..31 */
}

const struct irqchip gic_v2_chip = {
	.name = "v2",
	.init = gic_v2_init,
	.cpu_init = gic_v2_cpu_init,
	.ack = gic_v2_ack,
	.eoi = gic_v2_eoi,
	.send_sgi = gic_v2_send_sgi,
	.enable_ppi = gic_v2_enable_ppi,
	.enable_spi = gic_v2_enable_spi,
};
