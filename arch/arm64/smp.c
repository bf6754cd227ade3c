/* Secondary CPU bring-up: per-CPU stacks and boot records, PSCI CPU_ON with a timeout. */
#include <locklab/smp.h>
#include <locklab/percpu.h>
#include <locklab/console.h>
#include <locklab/time.h>
#include <locklab/string.h>
#include <asm/boot.h>
#include <asm/cache.h>
#include <asm/psci.h>

#define STACK_SIZE (CONFIG_KERNEL_STACK_KB * 1024)

u8 boot_stacks[CONFIG_NR_CPUS][STACK_SIZE] __aligned(16);
static struct cpu_boot cpu_boot[CONFIG_NR_CPUS];
extern u64 kernel_ttbr0;

/*
 * A CPU that misses its deadline is abandoned: if it shows up later it
 * must not start using a logical id the kernel has given up on. It reads
 * this flag (acquire) and parks itself.
 */
static bool cpu_abandoned[CONFIG_NR_CPUS];

void secondary_start(u64 cpu)
{
	if (__atomic_load_n(&cpu_abandoned[cpu], __ATOMIC_ACQUIRE))
		for (;;)
			__asm__ volatile("wfi");
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
		cpu_data(cpu)->cpu = cpu;
		cpu_data(cpu)->mpidr = mpidr;
		b->ttbr0 = kernel_ttbr0;
		b->sp = (u64)&boot_stacks[cpu][STACK_SIZE];
		b->cpu = cpu;
		b->percpu = (u64)cpu_data(cpu);
		/* The secondary reads these with its MMU and caches off. */
		dcache_clean_range(b, sizeof(*b));
		dcache_clean_range(cpu_data(cpu), sizeof(struct percpu));
		ret = psci_cpu_on(mpidr, (u64)secondary_entry, (u64)b);
		if (ret != PSCI_SUCCESS) {
			printk("smp: cpu%u (MPIDR 0x%llx): PSCI CPU_ON failed: %s (%lld); continuing without it",
			       cpu, (unsigned long long)mpidr, psci_strerror(ret), (long long)ret);
			next--;
			continue;
		}
		if (!wait_online(cpu, CONFIG_CPU_ON_TIMEOUT_MS)) {
			__atomic_store_n(&cpu_abandoned[cpu], true, __ATOMIC_RELEASE);
			dcache_clean_range(&cpu_abandoned[cpu], sizeof(bool));
			printk("smp: cpu%u (MPIDR 0x%llx) did not come online within %d ms; continuing without it",
			       cpu, (unsigned long long)mpidr, CONFIG_CPU_ON_TIMEOUT_MS);
			next--;
			continue;
		}
	}
}
