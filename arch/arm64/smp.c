/* Secondary CPU bring-up: per-CPU stacks and boot records, PSCI CPU_ON with a timeout. */
#include <locklab/smp.h>
#include <locklab/percpu.h>
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/time.h>
#include <locklab/string.h>
#include <locklab/stack_guard.h>
#include <locklab/traps.h>
#include <asm/boot.h>
#include <asm/cache.h>
#include <asm/memory.h>
#include <asm/psci.h>

#define STACK_SIZE (CONFIG_KERNEL_STACK_KB * 1024)

/* head.S starts CPU 0 at the top of slot 0: STACK_GUARD_SIZE + STACK_SIZE from the start. */
GUARDED_STACK(STACK_SIZE) boot_stacks[CONFIG_NR_CPUS];
static struct cpu_boot cpu_boot[CONFIG_NR_CPUS];
extern u64 kernel_ttbr1;

/*
 * The hand-shake for each logical slot. The boot CPU sets BOOTING before
 * CPU_ON; the secondary claims the slot with CAS(BOOTING -> STARTED) as
 * its first act in C, and the boot CPU gives up with CAS(BOOTING ->
 * ABANDONED) at its deadline. Exactly one CAS wins, so a late CPU parks
 * itself instead of sharing a stack and per-CPU data with another, and an
 * abandoned slot is never handed to a second CPU.
 */
enum { SLOT_FREE, SLOT_BOOTING, SLOT_STARTED, SLOT_ABANDONED };

/* A fault to order: one secondary is started where it never answers (head.S: secondary_silent). */
static u64 cpu_on_silent;
BOOTPARAM_UINT(
	cpu_on_silent, "cpu_on_silent", 0, CONFIG_NR_CPUS - 1,
	"logical CPU to start at an entry that never answers, to test the CPU_ON timeout (0: none)");
static u32 slot_state[CONFIG_NR_CPUS];

void secondary_start(u64 cpu)
{
	u32 expected = SLOT_BOOTING;

	if (!__atomic_compare_exchange_n(&slot_state[cpu], &expected, SLOT_STARTED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		for (;;)
			__asm__ volatile("wfi"); /* too late: the kernel went on without us */
	secondary_init((u32)cpu);
}

/* Returns true once the CPU set its online flag, false on timeout. */
static bool wait_online(u32 cpu, u32 timeout_ms)
{
	u64 deadline = time_counter() + (u64)timeout_ms * time_freq() / 1000;

	while (time_counter() < deadline) {
		if (cpu_is_online(cpu))
			return true;
		cpu_relax();
	}
	return cpu_is_online(cpu);
}

void smp_boot_secondaries(const struct platform_info *p, u32 max_cpus)
{
	u64 boot_mpidr = read_mpidr_hwid();
	u32 next = 1;

	for (int i = 0; i < p->nr_cpus && next < max_cpus; i++) {
		u64 mpidr = p->cpu_mpidr[i];
		u32 cpu = next++;
		struct cpu_boot *b = &cpu_boot[cpu];
		s64 ret;

		if (mpidr == boot_mpidr) {
			next--; /* the boot CPU is already logical CPU 0 */
			continue;
		}
		/* Only PSCI can start it: another enable-method ("spin-table") is a protocol of its own. */
		if (!p->cpu_method[i] || strcmp(p->cpu_method[i], "psci") != 0) {
			if (p->cpu_method[i])
				printk("smp: CPU with MPIDR 0x%llx has enable-method \"%s\", not \"psci\": "
				       "the kernel cannot start it; continuing without it",
				       (unsigned long long)mpidr, p->cpu_method[i]);
			else
				printk("smp: CPU with MPIDR 0x%llx has no enable-method (the kernel starts "
				       "\"psci\" ones only); continuing without it",
				       (unsigned long long)mpidr);
			next--;
			continue;
		}
		cpu_data(cpu)->cpu = cpu;
		cpu_data(cpu)->mpidr = mpidr;
		b->ttbr1 = kernel_ttbr1;
		b->sp = (u64)&boot_stacks[cpu].stack[STACK_SIZE];
		exc_stack_setup(cpu);
		b->cpu = cpu;
		b->percpu = (u64)cpu_data(cpu);
		__atomic_store_n(&slot_state[cpu], SLOT_BOOTING, __ATOMIC_RELEASE);
		/* The secondary reads these with its MMU and caches off. */
		dcache_clean_range(b, sizeof(*b));
		dcache_clean_range(cpu_data(cpu), sizeof(struct percpu));
		if (cpu == cpu_on_silent)
			printk("smp: cpu%u (MPIDR 0x%llx): started where it cannot answer (cpu_on_silent=%u)",
			       cpu, (unsigned long long)mpidr, cpu);
		/* The CPU starts with its MMU off: entry point and context are physical addresses. */
		ret = psci_cpu_on(
			mpidr,
			virt_to_phys(cpu == cpu_on_silent ? secondary_silent : secondary_entry),
			virt_to_phys(b));
		if (ret != PSCI_SUCCESS) {
			u32 expected = SLOT_BOOTING;
			/*
			 * Reuse the slot only if the CPU surely never started: not
			 * after "already on" or "on pending", and only if it has not
			 * claimed the slot meanwhile.
			 */
			bool reuse = ret != PSCI_E_ALREADY_ON && ret != PSCI_E_ON_PENDING &&
				     __atomic_compare_exchange_n(&slot_state[cpu], &expected,
								 SLOT_FREE, false, __ATOMIC_ACQ_REL,
								 __ATOMIC_ACQUIRE);
			printk("smp: cpu%u (MPIDR 0x%llx): PSCI CPU_ON failed: %s (%lld); continuing without it",
			       cpu, (unsigned long long)mpidr, psci_strerror(ret), (long long)ret);
			if (reuse)
				next--;
			continue;
		}
		if (!wait_online(cpu, CONFIG_CPU_ON_TIMEOUT_MS)) {
			u32 expected = SLOT_BOOTING;

			if (__atomic_compare_exchange_n(&slot_state[cpu], &expected, SLOT_ABANDONED,
							false, __ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
				/* The slot stays used: its stack may still be touched by the late CPU. */
				printk("smp: cpu%u (MPIDR 0x%llx) did not come online within %d ms; continuing without it",
				       cpu, (unsigned long long)mpidr, CONFIG_CPU_ON_TIMEOUT_MS);
				continue;
			}
			/* It claimed the slot just now: give it the time to finish its set-up. */
			if (!wait_online(cpu, CONFIG_CPU_ON_TIMEOUT_MS))
				printk("smp: cpu%u started but did not finish its set-up in time",
				       cpu);
		}
	}
}

void boot_stack_region(struct stack_region *r)
{
	*r = (struct stack_region){ (u64)&boot_stacks[0], sizeof(boot_stacks[0]), CONFIG_NR_CPUS,
				    "boot stack of cpu" };
}
