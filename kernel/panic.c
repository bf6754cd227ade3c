/* panic() and the end of a run: print why, stop every CPU, tell the host pass/fail, power off. */
#include <locklab/panic.h>
#include <locklab/console.h>
#include <locklab/printf.h>
#include <locklab/percpu.h>
#include <locklab/smp.h>
#include <locklab/bootargs.h>
#include <locklab/bootparam.h>
#include <locklab/string.h>
#include <locklab/platform.h>
#include <asm/irqflags.h>
#include <asm/psci.h>
#include <asm/sysreg.h>

#define NO_CPU 0xffffffffU

static u32 panic_cpu = NO_CPU; /* atomic: the first CPU to panic owns the way out */
static bool use_semihosting;
BOOTPARAM_FLAG(use_semihosting, "semihost",
	       "exit QEMU through Arm semihosting so its exit code is 0 (pass) or 1 (fail); "
	       "needs -semihosting-config enable=on (scripts/qemu-run passes it)");
static char end_action[16] = "poweroff";
BOOTPARAM_STR(
	end_action, "end",
	"what to do when finished: poweroff (default), idle (stay up, e.g. for gdb), reset "
	"(PSCI SYSTEM_RESET: the serial chain-loader sets it, so the board comes back to it) or "
	"shell (run /bin/sh on the console, then power off when it exits or runs poweroff)");

bool end_shell(void)
{
	return strcmp(end_action, "shell") == 0;
}

/* Called after the bootargs are parsed: a bad end= is reported and replaced by the default. */
void shutdown_check_params(void)
{
	/* On real hardware HLT #0xf000 is an undefined instruction, not a way out. */
	if (use_semihosting && strcmp(platform()->board, "qemu-virt") != 0) {
		printk("bootargs: semihost ignored: board %s is not QEMU virt", platform()->board);
		use_semihosting = false;
	}
	if (strcmp(end_action, "poweroff") != 0 && strcmp(end_action, "idle") != 0 &&
	    strcmp(end_action, "reset") != 0 && !end_shell()) {
		printk("bootargs: end='%s' is not one of poweroff, idle, reset, shell (keeping poweroff)",
		       end_action);
		strlcpy(end_action, "poweroff", sizeof(end_action));
	}
}

/* Arm semihosting SYS_EXIT with ADP_Stopped_ApplicationExit and an exit code. */
static void semihost_exit(u32 code)
{
	u64 block[2] = { 0x20026, code };
	register u64 x0 __asm__("x0") = 0x18;
	register u64 x1 __asm__("x1") = (u64)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

static void __noreturn halt_forever(void)
{
	local_irq_disable();
	for (;;)
		__asm__ volatile("wfi");
}

void system_shutdown(bool pass, const char *reason)
{
	printk_raw("shutdown: status=%s reason=%s", pass ? "pass" : "fail", reason);
	pl011_flush();
	/*
	 * end=idle is asked for to look at the machine afterwards (make gdb),
	 * which a failed run needs most: stay up, pass or fail. After a panic
	 * the other CPUs are stopped and nothing may run: halt instead.
	 */
	if (strcmp(end_action, "idle") == 0) {
		if (strcmp(reason, "panic") == 0) {
			printk_raw("end=idle: halted after the panic; quit QEMU with Ctrl-a x");
			halt_forever();
		}
		printk("end=idle: CPUs stay up; quit QEMU with Ctrl-a x");
		local_irq_enable();
		for (;;)
			__asm__ volatile("wfi");
	}
	/* A run the loader started goes back to it, pass or fail: the next kernel is waiting. */
	if (strcmp(end_action, "reset") == 0)
		psci_system_reset();
	else if (use_semihosting)
		semihost_exit(pass ? 0 : 1);
	psci_system_off();
	/* No PSCI (or it returned): stay here, the status line says it all. */
	halt_forever();
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	u32 me, expected = NO_CPU;

	local_irq_disable();
	me = smp_processor_id();
	if (!__atomic_compare_exchange_n(&panic_cpu, &expected, me, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (expected != me)
			halt_forever(); /* another CPU is already reporting; it will stop us */
		/* A panic inside the panic path: say so plainly and stop. */
		printk_raw("panic: cpu=%u recursive panic: %s", me, fmt);
		halt_forever(); /* not even semihosting: it may be what faulted */
	}
	console_panic_mode();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk_raw("panic: cpu=%u %s", me, msg);
	u32 others = cpus_online() > 0 ? cpus_online() - 1 : 0;
	u32 stopped = smp_stop_others(200);
	printk_raw("panic: stopped %u of %u other CPUs", stopped, others);
	system_shutdown(false, "panic");
}

/*
 * What early_panic knows, set by platform_setup as it learns it: whether
 * there is a device tree, and the board and bootargs read from it before
 * the strict parse (the bootargs are not parsed yet when it runs).
 */
static struct {
	bool have_dtb;
	const char *board;
	const char *bootargs;
} early;

void early_panic_context(bool have_dtb, const char *board, const char *bootargs)
{
	early.have_dtb = have_dtb;
	early.board = board;
	early.bootargs = bootargs;
}

/*
 * The console is the device tree's if platform_setup found one; else a UART
 * chosen by the CPU (early_fallback_uart: the Pi 5's debug UART when MPIDR
 * says Cortex-A76 with MT, else CONFIG_PANIC_UART_FALLBACK, QEMU virt's).
 * PSCI is not set up yet, so: semihosting if this is QEMU and the bootargs
 * asked for it (the same condition as shutdown_check_params), else halt.
 */
void early_panic(const char *msg)
{
	bool semihost = false;
	const struct bootarg_opt opt = { .name = "semihost",
					 .type = BOOTARG_FLAG,
					 .dest = &semihost };
	u64 uart = early_fallback_uart(read_sysreg(mpidr_el1), CONFIG_PANIC_UART_FALLBACK);

	if (uart && !pl011_base())
		pl011_init(uart);
	printk_raw("panic: cpu=0 %s", msg);
	printk_raw("shutdown: status=fail reason=panic");
	if (early.board && strcmp(early.board, "qemu-virt") == 0)
		/* silently: only semihost matters here */
		bootargs_parse(early.bootargs, &opt, 1, NULL);
	if (semihost) {
		printk_raw("panic: PSCI is not set up this early: exiting through semihosting");
		pl011_flush();
		semihost_exit(1);
	}
	if (early.have_dtb)
		printk_raw(
			"panic: PSCI is not set up this early, so there is no power-off: halting");
	else
		printk_raw("panic: no device tree, so no PSCI to power off with: halting");
	pl011_flush();
	halt_forever();
}
