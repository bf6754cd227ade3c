/* ktest suite "traps": planted exceptions are taken, decoded and resumed correctly. */
#include <locklab/ktest.h>
#include <locklab/percpu.h>
#include <locklab/traps.h>
#include <locklab/string.h>
#include <asm/irqflags.h>

static void traps_brk_is_decoded(struct ktest *t)
{
	struct percpu *pc = this_cpu();
	u64 flags = local_irq_save(); /* stay on this CPU's percpu state */
	u64 before = pc->trap_seen_count;

	trap_expect(ESR_EC_BRK);
	__asm__ volatile("brk #0x42");
	local_irq_restore(flags);
	KT_EXPECT_EQ(t, pc->trap_seen_count, before + 1);
	KT_EXPECT_EQ(t, (pc->trap_seen_esr >> 26) & 0x3f, ESR_EC_BRK);
	KT_EXPECT_EQ(t, pc->trap_seen_esr & 0xffff, 0x42); /* the BRK immediate */
	KT_EXPECT_STREQ(t, esr_class_name(ESR_EC_BRK), "BRK instruction");
}

static void traps_unmapped_load_is_decoded(struct ktest *t)
{
	struct percpu *pc = this_cpu();
	/* Beyond the 39-bit VA range: no table maps it, on any board. */
	volatile u64 *bad = (volatile u64 *)0x0000800000000000UL;
	u64 flags = local_irq_save();
	u64 before = pc->trap_seen_count;

	trap_expect(ESR_EC_DABT_CUR);
	(void)*bad;
	local_irq_restore(flags);
	KT_EXPECT_EQ(t, pc->trap_seen_count, before + 1);
	KT_EXPECT_EQ(t, (pc->trap_seen_esr >> 26) & 0x3f, ESR_EC_DABT_CUR);
	KT_EXPECT_EQ(t, pc->trap_seen_far, (u64)bad);
	/* DFSC 0b0001xx: translation fault (a VA outside TTBR0's range faults at level 0). */
	KT_EXPECT_EQ(t, pc->trap_seen_esr & 0x3c, 0x04);
}

static const struct ktest_case trap_cases[] = {
	KTEST_CASE(traps_brk_is_decoded),
	KTEST_CASE(traps_unmapped_load_is_decoded),
};
KTEST_SUITE(traps, trap_cases);
