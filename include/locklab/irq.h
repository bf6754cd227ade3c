/* Interrupt controller interface (GICv2 or GICv3, chosen from the device tree) and IPIs. */
#ifndef LOCKLAB_IRQ_H
#define LOCKLAB_IRQ_H

#include <locklab/types.h>
#include <locklab/fdt.h>

/* SGI numbers used as IPIs. */
enum ipi {
	IPI_RESCHEDULE = 0, /* ask the target to run its scheduler (later issues) */
	IPI_CALL_FUNC = 1,  /* run a function queued by smp_call_on() */
	IPI_STOP = 2,	    /* panic: stop executing, interrupts off */
	IPI_PING = 3,	    /* tests: only counted */
};

#define INTID_SPURIOUS 1023

struct irqchip {
	const char *name;			    /* "v2" or "v3", as in the boot record */
	int (*init)(const struct platform_info *p); /* distributor, on the boot CPU; 0 or -1 */
	int (*cpu_init)(void);	/* this CPU's interface (and redistributor); 0 or -1 */
	u32 (*ack)(u32 *intid); /* returns the raw value to hand back to eoi() */
	void (*eoi)(u32 raw);
	void (*send_sgi)(u32 cpu, u32 sgi);
	void (*enable_ppi)(u32 intid); /* on the calling CPU */
	/* a shared peripheral interrupt (32..1019), level-sensitive, delivered to the calling CPU */
	void (*enable_spi)(u32 intid);
};

extern const struct irqchip gic_v2_chip;
extern const struct irqchip gic_v3_chip;

int irq_init(const struct platform_info *p); /* picks the chip; 0 or a panic-worthy -1 */
int irq_cpu_init(void);
const char *irq_chip_name(void);
void irq_enable_ppi(u32 intid);
void irq_enable_spi(u32 intid); /* routed to the calling CPU */
void ipi_send(u32 cpu, enum ipi ipi);

#endif
