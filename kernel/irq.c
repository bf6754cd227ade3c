/* Interrupt dispatch: picks the GIC driver from the device tree and routes each INTID. */
#include <locklab/irq.h>
#include <locklab/lockstat.h>
#include <locklab/kconfig.h>
#include <locklab/percpu.h>
#include <locklab/console.h>
#include <locklab/smp.h>
#include <locklab/sched.h>
#include <locklab/time.h>
#include <locklab/platform.h>
#include <locklab/tty.h>
#include <asm/ptrace.h>

/* Set once on the boot CPU before interrupts are enabled anywhere. */
static const struct irqchip *chip;

int irq_init(const struct platform_info *p)
{
	if (p->gic_version == 2 && IS_ENABLED(CONFIG_GIC_V2))
		chip = &gic_v2_chip;
	else if (p->gic_version == 3 && IS_ENABLED(CONFIG_GIC_V3))
		chip = &gic_v3_chip;
	if (!chip) {
		printk("irq: device tree has %s%d, but this kernel was built without its driver "
		       "(CONFIG_GIC_V2=%s, CONFIG_GIC_V3=%s)",
		       p->gic_version ? "GICv" : "no supported GIC, version ", p->gic_version,
		       IS_ENABLED(CONFIG_GIC_V2) ? "y" : "n",
		       IS_ENABLED(CONFIG_GIC_V3) ? "y" : "n");
		return -1;
	}
	return chip->init(p);
}

int irq_cpu_init(void)
{
	return chip->cpu_init();
}

const char *irq_chip_name(void)
{
	return chip ? chip->name : "none";
}

void irq_enable_spi(u32 intid)
{
	chip->enable_spi(intid);
}

void irq_enable_ppi(u32 intid)
{
	chip->enable_ppi(intid);
}

void ipi_send(u32 cpu, enum ipi ipi)
{
	chip->send_sgi(cpu, ipi);
}

void trap_irq(struct trap_frame *f)
{
	struct percpu *pc = this_cpu();
	u32 intid;

	(void)f;
	pc->in_irq = 1;
	lockstat_irq_context(true);
	/* Drain everything pending before returning: one exception, several IRQs. */
	for (int n = 0; n < 16; n++) {
		u32 raw = chip->ack(&intid);

		if (intid == INTID_SPURIOUS) {
			if (n == 0)
				pc->spurious++;
			break;
		}
		pc->irqs++;
		if (intid < 16)
			ipi_handle(intid);
		else if (intid == timer_intid())
			timer_tick();
		else if (intid == platform()->uart_intid)
			tty_rx_interrupt();
		else
			printk("irq: unexpected INTID %u (ignored)", intid);
		chip->eoi(raw);
	}
	lockstat_irq_context(false);
	pc->in_irq = 0;
	/* After the EOI: a switch here returns to the other task's own IRQ exit or entry point. */
	sched_irq_exit();
}
