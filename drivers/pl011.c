/* PL011 UART output and input, polled: keeps whatever baud rate the firmware (or QEMU) set. */
#include <locklab/console.h>
#include <locklab/mmio.h>
#include <asm/memory.h>
#include <asm/sysreg.h>

#define UART_DR	       0x00
#define UART_FR	       0x18
#define UART_LCR_H     0x2c
#define UART_CR	       0x30
#define UART_LCR_H_FEN (1U << 4) /* FIFOs on */
#define UART_CR_UARTEN (1U << 0)
#define UART_CR_RXE    (1U << 9)
#define UART_FR_TXFF   (1U << 5) /* transmit FIFO full */
#define UART_FR_RXFE   (1U << 4) /* receive FIFO empty */
#define UART_FR_BUSY   (1U << 3)

/*
 * The divisors are deliberately not reprogrammed: on the Pi 5 the UART
 * clock is uncertain (PI5.md), and the firmware already left 115200 8N1.
 */
/* the registers' address as the CPU sees it (the linear map); 0 = no console */
static u64 uart_base;

/* base: the physical address, from the device tree (or the panic fallback). */
void pl011_init(u64 base)
{
	pl011_init_at(base ? (u64)phys_to_virt(base) : 0);
}

/* addr: the registers as the CPU sees them now (the chain-loader runs with the MMU off: the physical address). */
void pl011_init_at(u64 addr)
{
	uart_base = addr;
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

/*
 * A byte pl011_rx_enable took from the receiver while turning its FIFO on,
 * handed out first by pl011_try_getc; -1: none. Set before the receive
 * interrupt is unmasked and read by one reader at a time after it: the
 * boot's drain (kernel/tty.c) before the unmask, then the interrupt.
 */
static int rx_held = -1;

int pl011_try_getc(void)
{
	if (rx_held >= 0) {
		int c = rx_held;

		rx_held = -1;
		return c;
	}
	if (!uart_base || (mmio_read32(uart_base + UART_FR) & UART_FR_RXFE))
		return -1;
	/*
	 * DR bits 8-11 flag framing, parity, break and overrun errors: the
	 * byte is passed on anyway, and the loader's CRC decides.
	 */
	return (int)(mmio_read32(uart_base + UART_DR) & 0xff);
}

#define UART_IMSC   0x38
#define UART_ICR    0x44
#define UART_INT_RX (1U << 4) /* the receive FIFO reached its level */
#define UART_INT_RT (1U << 6) /* bytes waited in it for 32 bit periods */

void pl011_rx_irq_enable(void)
{
	if (!uart_base)
		return;
	pl011_rx_enable();
	dsb(st); /* rx_held as the caller left it, seen by whichever CPU takes the interrupt */
	mmio_write32(uart_base + UART_IMSC,
		     mmio_read32(uart_base + UART_IMSC) | UART_INT_RX | UART_INT_RT);
}

/* Reading the FIFO empty clears RX; the timeout needs its clear bit. */
void pl011_rx_irq_ack(void)
{
	if (uart_base)
		mmio_write32(uart_base + UART_ICR, UART_INT_RX | UART_INT_RT);
}

void pl011_rx_enable(void)
{
	bool held;
	u32 cr;

	if (!uart_base)
		return;
	cr = mmio_read32(uart_base + UART_CR);
	if ((mmio_read32(uart_base + UART_LCR_H) & UART_LCR_H_FEN) && (cr & UART_CR_RXE))
		return;
	/*
	 * A firmware that only prints may leave the receiver off. The TRM's
	 * order for changing LCR_H and CR: idle, disabled, then the writes
	 * (LCR_H's latches the divisors again, unchanged). The FIFO matters
	 * too: without it the receiver holds one byte, and QEMU then hands
	 * over one per main-loop round.
	 */
	pl011_flush();
	held = !(mmio_read32(uart_base + UART_FR) & UART_FR_RXFE);
	mmio_write32(uart_base + UART_CR, cr & ~UART_CR_UARTEN);
	mmio_write32(uart_base + UART_LCR_H, mmio_read32(uart_base + UART_LCR_H) | UART_LCR_H_FEN);
	mmio_write32(uart_base + UART_CR, cr | UART_CR_RXE | UART_CR_UARTEN);
	/*
	 * A byte that arrived before now (typed during boot, or a pipe into
	 * make qemu) sat in the one-byte holding register. QEMU's PL011 forgets
	 * it when FEN changes, but leaves it in the FIFO's first slot, and
	 * stops reading its input while that register is full until DR is
	 * read: without this read every later byte stalled, for good. The
	 * read brings the byte back (hardware kept it, or returns it again)
	 * and sets QEMU reading. (A byte QEMU delivers between the LCR_H
	 * write and this read takes the same slot: the held one is then lost,
	 * a window of a few instructions.)
	 */
	if (held)
		rx_held = (int)(mmio_read32(uart_base + UART_DR) & 0xff);
}
