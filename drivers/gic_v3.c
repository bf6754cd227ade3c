/* GICv3 driver: distributor, one redistributor per CPU, system-register CPU interface. */
#include <locklab/irq.h>
#include <locklab/mmio.h>
#include <locklab/percpu.h>
#include <locklab/console.h>
#include <asm/sysreg.h>
#include <asm/memory.h>

#define GICD_CTLR	0x0000
#define GICD_CTLR_RWP	(1U << 31)
#define GICD_TYPER	0x0004
#define GICD_ICENABLER	0x0180
#define GICD_ISENABLER	0x0100
#define GICD_IGROUPR	0x0080
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER	0x6000

#define GICR_TYPER		   0x0008
#define GICR_TYPER_LAST		   (1UL << 4)
#define GICR_TYPER_VLPIS	   (1UL << 1)
#define GICR_WAKER		   0x0014
#define GICR_WAKER_SLEEP	   (1U << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1U << 2)
#define GICR_SGI_BASE		   0x10000
#define GICR_IGROUPR0		   0x0080
#define GICR_ISENABLER0		   0x0100
#define GICR_IPRIORITYR		   0x0400

#define ICC_IAR1_EL1	s3_0_c12_c12_0
#define ICC_EOIR1_EL1	s3_0_c12_c12_1
#define ICC_BPR1_EL1	s3_0_c12_c12_3
#define ICC_CTLR_EL1	s3_0_c12_c12_4
#define ICC_SRE_EL1	s3_0_c12_c12_5
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7
#define ICC_PMR_EL1	s3_0_c4_c6_0
#define ICC_SGI1R_EL1	s3_0_c12_c11_5

/* Written once by the boot CPU before any other CPU starts. */
static u64 gicd;
static struct plat_range gicr[PLAT_MAX_GICR];
static int nr_gicr;

static void gicd_wait_rwp(void)
{
	for (u32 i = 0; i < 1000000 && (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP); i++)
		cpu_relax();
}

static int gic_v3_init(const struct platform_info *p)
{
	u32 lines;

	nr_gicr = p->nr_gicr;
	if (!p->gicd_base || !nr_gicr)
		return -1;
	/* The device tree's addresses are physical; the registers are reached through the linear map. */
	gicd = (u64)phys_to_virt(p->gicd_base);
	for (int i = 0; i < nr_gicr; i++)
		gicr[i] = (struct plat_range){ .base = (u64)phys_to_virt(p->gicr[i].base),
					       .size = p->gicr[i].size };
	mmio_write32(gicd + GICD_CTLR, 0);
	gicd_wait_rwp();
	lines = 32 * ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1);
	for (u32 i = 32; i < lines; i += 32)
		mmio_write32(gicd + GICD_ICENABLER + i / 8, 0xffffffffU);
	gicd_wait_rwp();
	/*
	 * ARE (affinity routing) + group enables. The bit meanings differ
	 * between a GIC with one security state (QEMU without EL3: bit 0
	 * Grp0, bit 1 Grp1, bit 4 ARE) and the non-secure view of a secure one
	 * (bit 0 Grp1NS, bit 1 Grp1A, bit 4 ARE_NS); 0x13 is right for both.
	 */
	mmio_write32(gicd + GICD_CTLR, 0x13);
	gicd_wait_rwp();
	return 0;
}

/* Finds the redistributor whose GICR_TYPER affinity matches this CPU's MPIDR. */
static u64 gicr_find(u64 mpidr)
{
	u32 aff = (u32)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));

	for (int r = 0; r < nr_gicr; r++) {
		u64 rd = gicr[r].base, end = gicr[r].base + gicr[r].size;

		while (rd + 0x20000 <= end) {
			u64 typer = mmio_read64(rd + GICR_TYPER);

			if ((u32)(typer >> 32) == aff)
				return rd;
			if (typer & GICR_TYPER_LAST)
				break;
			rd += (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
		}
	}
	return 0;
}

static int gic_v3_cpu_init(void)
{
	struct percpu *pc = this_cpu();
	u64 rd = gicr_find(pc->mpidr), sgi;
	u32 i;

	if (!rd) {
		printk("gicv3: no redistributor for MPIDR 0x%llx", (unsigned long long)pc->mpidr);
		return -1;
	}
	pc->gicr_base = rd;
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	for (i = 0; i < 1000000 && (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP); i++)
		cpu_relax();
	sgi = rd + GICR_SGI_BASE;
	mmio_write32(sgi + GICR_IGROUPR0, 0xffffffffU); /* SGIs/PPIs in group 1 (IRQ) */
	for (i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + i, 0xa0a0a0a0U);
	mmio_write32(sgi + GICR_ISENABLER0, 0xffff); /* all SGIs */

	write_sysreg(read_sysreg(ICC_SRE_EL1) | 1, ICC_SRE_EL1);
	isb(); /* SRE must take effect before the other ICC_* accesses */
	if (!(read_sysreg(ICC_SRE_EL1) & 1)) {
		printk("gicv3: system-register interface disabled (ICC_SRE_EL1.SRE stuck at 0)");
		return -1;
	}
	write_sysreg(0xff, ICC_PMR_EL1);
	write_sysreg(0, ICC_BPR1_EL1);
	write_sysreg(0, ICC_CTLR_EL1); /* EOImode 0: EOI both drops priority and deactivates */
	write_sysreg(1, ICC_IGRPEN1_EL1);
	isb();
	return 0;
}

static u32 gic_v3_ack(u32 *intid)
{
	u32 iar = (u32)read_sysreg(ICC_IAR1_EL1);

	dsb(sy); /* the acknowledge is complete before the handler's accesses */
	*intid = iar & 0xffffff;
	if (*intid >= 1020 && *intid <= 1023)
		*intid = INTID_SPURIOUS;
	return iar;
}

static void gic_v3_eoi(u32 raw)
{
	write_sysreg(raw, ICC_EOIR1_EL1);
	isb();
}

static void gic_v3_send_sgi(u32 cpu, u32 sgi)
{
	u64 mpidr = cpu_data(cpu)->mpidr;
	u64 aff0 = mpidr & 0xff;
	/* Target list covers Aff0 16 at a time; RS (bits 47:44) picks which 16. */
	u64 v = ((mpidr >> 32) & 0xff) << 48 | (aff0 >> 4) << 44 | ((mpidr >> 16) & 0xff) << 32 |
		((mpidr >> 8) & 0xff) << 16 | (u64)(sgi & 0xf) << 24 | (1UL << (aff0 & 0xf));

	dsb(ishst); /* our Normal-memory stores are visible before the SGI is */
	write_sysreg(v, ICC_SGI1R_EL1);
	isb();
}

static void gic_v3_enable_spi(u32 intid)
{
	u64 mpidr = this_cpu()->mpidr;

	/* Affinity routing: this CPU's Aff3.Aff2.Aff1.Aff0 (Interrupt_Routing_Mode 0: that one CPU). */
	mmio_write64(gicd + GICD_IROUTER + intid * 8,
		     ((mpidr >> 32) & 0xff) << 32 | (mpidr & 0xffffff));
	mmio_write32_byte(gicd + GICD_IPRIORITYR + intid, 0xa0);
	mmio_write32(gicd + GICD_IGROUPR + (intid / 32) * 4,
		     mmio_read32(gicd + GICD_IGROUPR + (intid / 32) * 4) | 1U << (intid % 32));
	mmio_write32(gicd + GICD_ISENABLER + (intid / 32) * 4, 1U << (intid % 32));
	gicd_wait_rwp();
}

static void gic_v3_enable_ppi(u32 intid)
{
	mmio_write32(this_cpu()->gicr_base + GICR_SGI_BASE + GICR_ISENABLER0, 1U << intid);
}

const struct irqchip gic_v3_chip = {
	.name = "v3",
	.init = gic_v3_init,
	.cpu_init = gic_v3_cpu_init,
	.ack = gic_v3_ack,
	.eoi = gic_v3_eoi,
	.send_sgi = gic_v3_send_sgi,
	.enable_ppi = gic_v3_enable_ppi,
	.enable_spi = gic_v3_enable_spi,
};
