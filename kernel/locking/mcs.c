/* Per-CPU pools of MCS queue nodes: a CPU needs one per MCS lock it holds or waits for (built with CONFIG_LOCK_ALG_MCS). */
#include <locklab/locking/mcs.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <asm/irqflags.h>

/* Each CPU uses only its own row; IRQs are off while it picks or frees a node. */
static struct mcs_node nodes[CONFIG_NR_CPUS][MCS_NODES_PER_CPU];
static u32 used[CONFIG_NR_CPUS]; /* bit i: nodes[cpu][i] in use */

struct mcs_node *mcs_node_get(void)
{
	u64 flags = local_irq_save();
	u32 cpu = smp_processor_id();

	for (u32 i = 0; i < MCS_NODES_PER_CPU; i++) {
		if (!(used[cpu] & (1U << i))) {
			used[cpu] |= 1U << i;
			local_irq_restore(flags);
			return &nodes[cpu][i];
		}
	}
	panic("mcs: cpu%u holds or waits for more than %d MCS locks at once", cpu,
	      MCS_NODES_PER_CPU);
}

void mcs_node_put(struct mcs_node *n)
{
	u64 flags = local_irq_save();
	u32 cpu = smp_processor_id();
	u64 idx = (u64)(n - &nodes[0][0]);

	/* A node goes back to the CPU that took it: a lock released elsewhere is a bug. */
	if (idx / MCS_NODES_PER_CPU != cpu)
		panic("mcs: cpu%u releases a queue node of cpu%llu (lock released on another CPU?)",
		      cpu, (unsigned long long)(idx / MCS_NODES_PER_CPU));
	used[cpu] &= ~(1U << (idx % MCS_NODES_PER_CPU));
	local_irq_restore(flags);
}

u32 mcs_nodes_in_use(u32 cpu)
{
	u32 n = 0;

	/* By hand: __builtin_popcount would call libgcc under -mgeneral-regs-only. */
	for (u32 bits = used[cpu]; bits; bits &= bits - 1)
		n++;
	return n;
}
