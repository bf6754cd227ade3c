/* Console output: printk (timestamped, per-CPU prefixed lines), raw record lines, the UART below. */
#ifndef LOCKLAB_CONSOLE_H
#define LOCKLAB_CONSOLE_H

#include <locklab/types.h>

void pl011_init(u64 base);    /* physical address (device tree); 0: none */
void pl011_init_at(u64 addr); /* the address the CPU uses now (MMU off: physical), no conversion */
u64 pl011_base(void);
void pl011_putc(char c);
void pl011_flush(void);
/* The next received byte, or -1 if none is waiting (polled; the serial chain-loader reads with it). */
int pl011_try_getc(void);
/* Receiver and FIFOs on, if the firmware left either off (the chain-loader reads with pl011_try_getc). */
void pl011_rx_enable(void);

/*
 * printk: one call = one or more whole lines, each prefixed
 * "[sssss.uuuuuu] cN: ". A missing final newline is added. Lines from
 * different CPUs never interleave within a line (console lock).
 */
void printk(const char *fmt, ...) __printf(1, 2);
/* printk_raw: the same locking, no prefix: KTAP lines and "key: k=v" records. */
void printk_raw(const char *fmt, ...) __printf(1, 2);
void vprintk_raw(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Raw bytes to the console under its lock (a newline becomes CR LF): the console file's writes, echo. */
void console_write(const char *s, size_t n);
/*
 * The UART's receive side, interrupt-driven (drivers/pl011.c): the receiver
 * on and its interrupt unmasked; the interrupt cleared, before the FIFO is
 * read (pl011_try_getc: the bytes waiting, -1 when none).
 */
void pl011_rx_irq_enable(void);
void pl011_rx_irq_ack(void);
/* After a panic, other CPUs are stopped: take the console even if its lock is held. */
void console_panic_mode(void);
/* Whether cpu holds the console lock now (a racy snapshot: the watchdog will not wait for a stuck CPU). */
bool console_held_by(u32 cpu);

#endif
