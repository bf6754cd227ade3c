/* start_kernel: from the device tree to all CPUs online, the boot record, the self-tests, power-off. */
#include <locklab/bench.h>
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/fdt.h>
#include <locklab/irq.h>
#include <locklab/initcall.h>
#include <locklab/klock.h>
#include <locklab/lockdep.h>
#include <locklab/lockstat.h>
#include <locklab/mmu.h>
#include <locklab/ktest.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/traps.h>
#include <locklab/printf.h>
#include <locklab/proc.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/time.h>
#include <locklab/tty.h>
#include <locklab/syscall.h>
#include <locklab/uaccess.h>
#include <locklab/user.h>
#include <asm/boot.h>
#include <asm/irqflags.h>
#include <asm/memory.h>
#include <asm/psci.h>
#include <asm/spin_wait.h> /* SPIN_WAIT_NAME */
#include <asm/sysreg.h>

/* dtb and dtb_moved_from are physical addresses: what x0 held, what head.S found. */
/* end=shell: /bin/sh on the console (fds 0-2) as the session leader; returns when it exits. */
static void run_shell(void)
{
	static const char *const argv[] = { "sh", NULL };
	int status = -1;
	long r = tty_install_stdio(), pid = r;

	if (!r)
		pid = user_spawn_session("/bin/sh", argv);
	if (pid < 0) {
		printk("end=shell: cannot start /bin/sh: %s", errno_name(pid));
		return;
	}
	/*
	 * Reaping the session's orphans meanwhile, as Unix's init: a Ctrl-C
	 * ends a nested shell before the program it waits for, which goes to
	 * process 1, and nothing else here waits for it (each would keep a
	 * task slot until spawns fail with EAGAIN).
	 */
	kernel_enter();
	proc_wait_reaping_orphans((int)pid, &status);
	kernel_exit();
	printk("end=shell: /bin/sh exited with status %d", status);
}

void start_kernel(u64 dtb, u64 entry_el, u64 dtb_moved_from) __noreturn;

u64 boot_load_addr; /* physical; written by head.S */
static struct platform_info plat;
static u32 boot_entry_el;

static u64 max_cpus_param = CONFIG_NR_CPUS;
BOOTPARAM_UINT(max_cpus_param, "maxcpus", 1, CONFIG_NR_CPUS, "bring up at most this many CPUs");
static bool print_lockstat;
BOOTPARAM_FLAG(
	print_lockstat, "lockstat",
	"print the whole run's lock statistics before shutting down (Linux's /proc/lock_stat table, then lockstat: records)");
static bool show_help;
BOOTPARAM_FLAG(show_help, "help", "list the boot options and their meaning");

extern const initcall_t __initcalls_start[], __initcalls_end[];

void initcalls_run(void)
{
	/* Subsystem set-up touches subsystem data: inside the kernel scope, like everything else. */
	kernel_enter();
	for (const initcall_t *fn = __initcalls_start; fn < __initcalls_end; fn++)
		(*fn)();
	kernel_exit();
}

const struct platform_info *platform(void)
{
	return &plat;
}

u32 boot_entry_level(void)
{
	return boot_entry_el;
}

static const char *on_off(bool b)
{
	return b ? "on" : "off";
}

/*
 * The boot record: one line, fixed prefix, key=value, documented in
 * docs/output-format.md. mmu/dcache/icache are "on" only if every online
 * CPU reported them on.
 */
static void print_boot_record(void)
{
	u64 all = ~0UL, any = 0;
	u64 mem = 0;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		if (cpu_is_online(c)) {
			all &= cpu_data(c)->sctlr;
			any |= cpu_data(c)->sctlr;
		}
	for (int i = 0; i < plat.nr_mem; i++)
		mem += plat.mem[i].size;
	printk_raw(
		"boot: board=%s entry_el=%u el=%u mmu=%s dcache=%s icache=%s pan=%s psci=%s gic=%s "
		"cpus_possible=%u cpus_online=%u cntfrq=%llu hz=%d load_addr=0x%llx kernel_va=0x%llx mem_mib=%llu "
		"strategy=%s lock_alg=%s atomics=%s spin_wait=%s lock_wait=%s lockstat=%s lockdep=%s",
		plat.board, boot_entry_el, current_el(), on_off(all & SCTLR_M),
		on_off(all & SCTLR_C), on_off(all & SCTLR_I), on_off(!(any & SCTLR_SPAN)),
		psci_conduit_name(), irq_chip_name(), cpus_possible, cpus_online(),
		(unsigned long long)time_freq(), CONFIG_HZ, (unsigned long long)boot_load_addr,
		(unsigned long long)_text, (unsigned long long)(mem >> 20), LOCK_STRATEGY_NAME,
		LOCK_ALG_NAME, LOCK_ATOMICS_NAME, SPIN_WAIT_NAME, KLOCK_WAIT_NAME,
		on_off(LOCKSTAT_ENABLED), on_off(LOCKDEP_ENABLED));
}

static u64 dtb_base, dtb_size;

void platform_dtb_range(u64 *base, u64 *size)
{
	*base = dtb_base;
	*size = dtb_size;
}

/* The CPU's physical address size, from ID_AA64MMFR0_EL1.PARange: a /memory range beyond it is nonsense. */
static u32 cpu_pa_bits(void)
{
	static const u8 bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	u64 parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	return parange < ARRAY_SIZE(bits) ? bits[parange] : 52;
}

static const char *const console_source[] = {
	[EARLY_CONSOLE_STDOUT_PATH] = "the device tree's stdout-path",
	[EARLY_CONSOLE_FIRST_PL011] =
		"the device tree's first enabled arm,pl011: no usable stdout-path",
	[EARLY_CONSOLE_RPI5_DEFAULT] =
		"the device tree names none it can reach, but its root says Raspberry Pi 5: "
		"the debug UART",
};

/*
 * The console first, read leniently, so that every later failure (a tree the
 * strict parse rejects included) reaches the UART a user watches, not the
 * one early_panic would guess from the CPU.
 */
static void early_console_setup(u64 dtb)
{
	struct early_console con;

	if (fdt_early_console(phys_to_virt(dtb), &con) != 0)
		return;
	early_panic_context(true, con.board, con.bootargs);
	if (con.source == EARLY_CONSOLE_NONE)
		return;
	pl011_init(con.base);
	printk("console: PL011 %s%sat 0x%llx (%s)", con.node, con.node[0] ? " " : "",
	       (unsigned long long)con.base, console_source[con.source]);
}

/*
 * head.S wrote the moved tree just past the image before the tree could
 * say where RAM is or what the firmware keeps: the copy must be in RAM, and
 * must not have overwritten a reserved range.
 */
static void check_moved_dtb(char *msg, size_t len)
{
	u64 end = dtb_base + dtb_size;
	bool in_ram = false;

	for (int i = 0; i < plat.nr_mem; i++)
		in_ram |=
			dtb_base >= plat.mem[i].base && end <= plat.mem[i].base + plat.mem[i].size;
	if (!in_ram) {
		snprintf(msg, len,
			 "the device tree head.S moved out of the kernel image, 0x%llx-0x%llx, "
			 "lies outside the RAM /memory names",
			 (unsigned long long)dtb_base, (unsigned long long)end - 1);
		early_panic(msg);
	}
	for (int i = 0; i < plat.nr_reserved; i++) {
		const struct plat_range *r = &plat.reserved[i];

		if (dtb_base < r->base + r->size && r->base < end) {
			snprintf(
				msg, len,
				"the device tree head.S moved out of the kernel image, 0x%llx-0x%llx, "
				"overwrote reserved memory 0x%llx-0x%llx",
				(unsigned long long)dtb_base, (unsigned long long)end - 1,
				(unsigned long long)r->base,
				(unsigned long long)(r->base + r->size - 1));
			early_panic(msg);
		}
	}
}

static void platform_setup(u64 dtb, u64 dtb_moved_from)
{
	static char err[320];
	static char msg[400];
	/* compared with x0: physical */
	u64 image = virt_to_phys(_text), image_end = virt_to_phys(_end);
	struct fdt f;

	if (!dtb)
		early_panic("no device tree: x0 was 0 at entry (boot the Image, not the ELF, "
			    "so QEMU or the firmware passes the DTB)");
	early_panic_context(true, NULL, NULL);
	if (dtb >= LINEAR_MAP_SIZE) { /* head.S's early map does not reach it either */
		snprintf(msg, sizeof(msg),
			 "x0 = 0x%llx: the device tree lies beyond the %llu GiB the kernel maps",
			 (unsigned long long)dtb, (unsigned long long)(LINEAR_MAP_SIZE >> 30));
		early_panic(msg);
	}
	early_console_setup(dtb);
	if (dtb_moved_from) {
		u32 size = fdt_be32((const u8 *)phys_to_virt(dtb) + 4);

		/*
		 * head.S copied the tree before anything wrote past the loaded file
		 * (_edata): a tree that lay wholly in the BSS and page tables was copied
		 * as the loader left it, so the kernel can go on with the copy. One that
		 * overlaps the file itself was written over the kernel (or the kernel
		 * over it): neither can be trusted.
		 */
		if (dtb_moved_from < virt_to_phys(_edata)) {
			snprintf(
				msg, sizeof(msg),
				"the device tree at 0x%llx (%u bytes) overlaps the kernel's loaded text "
				"and data 0x%llx-0x%llx: one was written over the other; the loader must "
				"keep the Image header's image_size free",
				(unsigned long long)dtb_moved_from, size, (unsigned long long)image,
				(unsigned long long)virt_to_phys(_edata) - 1);
			early_panic(msg);
		}
		printk("device tree: the loader put it at 0x%llx (%u bytes), inside the kernel's BSS and "
		       "page tables 0x%llx-0x%llx (it must keep the Image header's image_size free); "
		       "head.S moved it to 0x%llx before clearing them: going on with that copy",
		       (unsigned long long)dtb_moved_from, size,
		       (unsigned long long)virt_to_phys(_edata), (unsigned long long)image_end - 1,
		       (unsigned long long)dtb);
	}
	if (fdt_init(&f, phys_to_virt(dtb)) == 0) {
		dtb_base = dtb;
		dtb_size = f.totalsize; /* the allocator must not hand these pages out */
	} else if (dtb >= image && dtb < image_end) {
		/* Not copied by head.S (unaligned, or not a tree by then): zeroing BSS may have wiped it. */
		snprintf(
			msg, sizeof(msg),
			"x0 = 0x%llx points inside the kernel image 0x%llx-0x%llx, and no "
			"valid device tree is there: the loader must keep the Image header's image_size free",
			(unsigned long long)dtb, (unsigned long long)image,
			(unsigned long long)image_end - 1);
		early_panic(msg);
	}
	if (fdt_parse_platform(phys_to_virt(dtb), cpu_pa_bits(), &plat, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), "device tree at 0x%llx unusable: %s",
			 (unsigned long long)dtb, err);
		early_panic(msg);
	}
	if (dtb_moved_from)
		check_moved_dtb(msg, sizeof(msg));
	if (!plat.have_uart)
		early_panic("device tree names no arm,pl011 console (/chosen stdout-path)");
	pl011_init(plat.uart_base);
}

void start_kernel(u64 dtb, u64 entry_el, u64 dtb_moved_from)
{
	struct percpu *pc = cpu_data(0);
	u32 passed, failed = 0, bench_failed;
	const char *why;

	boot_entry_el = (u32)entry_el;
	time_init_early();
	pc->cpu = 0; /* head.S pointed TPIDR_EL1 at it */
	exc_stack_setup(0);
	pc->mpidr = read_mpidr_hwid();
	sched_init_boot_cpu();

	platform_setup(dtb, dtb_moved_from);
	printk("locklab booting on %s%s%s: entered at EL%u, loaded at 0x%llx, DTB at 0x%llx",
	       plat.board, plat.model[0] ? " / " : "", plat.model, boot_entry_el,
	       (unsigned long long)boot_load_addr, (unsigned long long)dtb);
	for (int i = 0; i < plat.nr_notes; i++)
		printk("%s", plat.notes[i]);
	if (plat.notes_dropped)
		printk("device tree: %d more warnings not kept", plat.notes_dropped);
	printk("bootargs: \"%s\"", plat.bootargs);
	bootparams_parse(plat.bootargs);
	shutdown_check_params();
	for (int i = 0; i < plat.nr_mem; i++)
		printk("memory: 0x%llx-0x%llx (%llu MiB)", (unsigned long long)plat.mem[i].base,
		       (unsigned long long)(plat.mem[i].base + plat.mem[i].size - 1),
		       (unsigned long long)(plat.mem[i].size >> 20));
	for (int i = 0; i < plat.nr_reserved; i++)
		printk("memory: reserved 0x%llx-0x%llx%s",
		       (unsigned long long)plat.reserved[i].base,
		       (unsigned long long)(plat.reserved[i].base + plat.reserved[i].size - 1),
		       plat.reserved[i].no_map ? " no-map (left unmapped)" : "");

	mmu_init(&plat);
	printk("mmu: kernel map from the device tree installed at 0x%llx in TTBR1 (RAM Normal WB, rest Device-nGnRE; "
	       "kernel text read-only, data never executable); TTBR0 empty (ASID 0)",
	       (unsigned long long)PAGE_OFFSET);
	if (irq_init(&plat) != 0)
		panic("no usable interrupt controller (device tree GIC version %d)",
		      plat.gic_version);
	if (timer_init(&plat) != 0)
		panic("no usable timer");
	if (irq_cpu_init() != 0)
		panic("cpu0: interrupt controller set-up failed");
	timer_cpu_init();
	if (plat.psci == PSCI_NONE)
		printk("psci: no /psci node: secondary CPUs cannot be started, power-off unavailable");
	plat.psci = psci_init(plat.psci, boot_entry_el); /* said there when it refuses the tree's */
	if (show_help) {
		/* Asked what the options are, not to run anything: stop once PSCI can power off. */
		printk("boot options:");
		bootparams_print_help();
		system_shutdown(true, "help");
	}

	cpus_possible = (u32)plat.nr_cpus;
	if (plat.cpus_seen > CONFIG_NR_CPUS) {
		printk("smp: device tree lists %d CPUs, CONFIG_NR_CPUS=%d: using the first %d",
		       plat.cpus_seen, CONFIG_NR_CPUS, CONFIG_NR_CPUS);
	}
	if (cpus_possible > CONFIG_NR_CPUS)
		cpus_possible = CONFIG_NR_CPUS;
	if (cpus_possible > max_cpus_param)
		cpus_possible = (u32)max_cpus_param;
	pan_enable_this_cpu();
	cpu_mark_online();
	local_irq_enable();
	serror_enable();
	initcalls_run(); /* the subsystems: mm, fs, ipc, proc */
	if (plat.psci != PSCI_NONE)
		smp_boot_secondaries(&plat, cpus_possible);
	printk("smp: %u of %u CPUs online", cpus_online(), cpus_possible);
	print_boot_record();

	if (bench_boot_options_ok()) {
		failed = ktest_run_selected(&passed);
		bench_failed = bench_run_selected();
	} else {
		bench_failed = 1; /* said at once; the self-tests are skipped */
	}
	if (end_shell()) {
		/* the shell's poweroff reports what failed before it, as the end of a boot does */
		if (failed)
			run_note_failure("ktest");
		else if (bench_failed)
			run_note_failure("bench");
		run_shell();
	}
	if (print_lockstat) {
		if (LOCKSTAT_ENABLED)
			lockstat_print_totals();
		else
			printk("lockstat: not built in (CONFIG_LOCK_STAT is off)");
	}
	/*
	 * A ktest or bench call that failed in the shell fails the run however
	 * the shell ended (exit, Ctrl-D, the end of a piped script), as poweroff does.
	 */
	why = failed ? "ktest" : bench_failed ? "bench" : run_failure();
	system_shutdown(!why, why ? why : "done");
}
