/* printk: format into a local buffer, then emit whole lines under the console lock. */
#include <locklab/console.h>
#include <locklab/printf.h>
#include <locklab/percpu.h>
#include <locklab/spinlock.h>
#include <locklab/time.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

#define PRINTK_LINE_MAX 512

/* console_lock serialises whole lines on the UART; IRQs are off while held. */
static struct spinlock console_lock = SPINLOCK_INIT("console");
static bool console_panicking; /* set once, by the panicking CPU */

void console_panic_mode(void)
{
	__atomic_store_n(&console_panicking, true, __ATOMIC_RELEASE);
}

bool console_held_by(u32 cpu)
{
	return atomic_load_relaxed(&console_lock.owner) == cpu;
}

static u64 console_lock_irqsave(void)
{
	u64 flags = local_irq_save();
	u64 spins = 0;

	/*
	 * Re-entered on the CPU that holds the lock: an exception inside
	 * emit() (a bad UART address, say). Spinning would hang silently;
	 * writing unlocked at least shows the report.
	 */
	if (spin_held_by_me(&console_lock))
		return flags | (1UL << 63);

	/*
	 * In panic mode the other CPUs were stopped, possibly while holding
	 * the lock: try for a while, then write anyway.
	 */
	while (!spin_trylock(&console_lock)) {
		if (__atomic_load_n(&console_panicking, __ATOMIC_ACQUIRE) && ++spins > 2000000)
			return flags | (1UL << 63); /* marks "not locked" */
		cpu_relax();
	}
	return flags;
}

static void console_unlock_irqrestore(u64 flags)
{
	if (!(flags & (1UL << 63)))
		spin_unlock(&console_lock);
	local_irq_restore(flags & ~(1UL << 63));
}

static void emit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			pl011_putc('\r');
		pl011_putc(s[i]);
	}
}

void console_write(const char *s, size_t n)
{
	u64 flags = console_lock_irqsave();

	emit(s, n);
	console_unlock_irqrestore(flags);
}

/* Emits buf (n bytes) as lines, each with prefix (may be empty), adding a final newline. */
static void emit_lines(const char *prefix, size_t plen, const char *buf, size_t n)
{
	size_t start = 0;

	while (start < n) {
		size_t end = start;

		while (end < n && buf[end] != '\n')
			end++;
		emit(prefix, plen);
		emit(buf + start, end - start);
		emit("\n", 1);
		start = end + 1;
	}
}

static void vprintk_common(bool prefixed, const char *fmt, va_list ap)
{
	char buf[PRINTK_LINE_MAX];
	char prefix[40];
	size_t plen = 0;
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		/* Say so rather than silently cutting a record short. */
		n = sizeof(buf) - 1;
		buf[n - 4] = buf[n - 3] = buf[n - 2] = '.';
		buf[n - 1] = '\n';
	}
	if (prefixed) {
		u64 ns = time_ns();
		int p = snprintf(prefix, sizeof(prefix),
				 "[%5llu.%06llu] c%u: ", (unsigned long long)(ns / 1000000000ULL),
				 (unsigned long long)(ns % 1000000000ULL) / 1000,
				 smp_processor_id()); /* TPIDR_EL1 is set by head.S before any C */
		plen = p > 0 ? (size_t)p : 0;
	}
	u64 flags = console_lock_irqsave();
	emit_lines(prefix, plen, buf, (size_t)n);
	console_unlock_irqrestore(flags);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk_common(true, fmt, ap);
	va_end(ap);
}

void vprintk_raw(const char *fmt, va_list ap)
{
	vprintk_common(false, fmt, ap);
}

void printk_raw(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk_common(false, fmt, ap);
	va_end(ap);
}
