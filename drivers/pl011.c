/* PL011 UART output, polled: keeps whatever baud rate the firmware (or QEMU) set. */
#include <locklab/console.h>
#include <locklab/mmio.h>
#include <asm/memory.h>
#include <asm/sysreg.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1U << 5) /* transmit FIFO full */
#define UART_FR_BUSY (1U << 3)

/*
 * The divisors are deliberately not reprogrammed: on the Pi 5 the UART
 * clock is uncertain (PI5.md), and the firmware already left 115200 8N1.
 */
static u64 uart_base; /* linear-map address of the registers; 0 = no console */

/* base: the physical address, from the device tree (or the panic fallback). */
void pl011_init(u64 base)
{
	uart_base = base ? (u64)phys_to_virt(base) : 0;
}

u64 pl011_base(void)
{
	return uart_base;
}

void pl011_putc(char c)
{
	u32 spins = 0;

	if (!uart_base)
		return;
	/* Bounded wait: a wedged UART must not hang a panic path forever. */
	while ((mmio_read32(uart_base + UART_FR) & UART_FR_TXFF) && spins++ < 1000000)
		cpu_relax();
	mmio_write32(uart_base + UART_DR, (u8)c);
}

void pl011_flush(void)
{
	u32 spins = 0;

	if (!uart_base)
		return;
	while ((mmio_read32(uart_base + UART_FR) & UART_FR_BUSY) && spins++ < 1000000)
		cpu_relax();
}
