/* The boot's warm-up: every CPU of the sweep runs the calibrated loop for a while before the first measured run. */
#include "bench.h"
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/syscall.h>
#include <locklab/time.h>

/*
 * Under QEMU a vCPU often runs the same loop 3-4x slower for the first few
 * hundred ms of a boot's benchmarks (across 30 boots of make bench, the
 * first 1-CPU ceiling run of 11 boots ran at 0.23-0.46x of the boot's
 * later ones; docs/measuring.md, the sixth pitfall), and one slow vCPU
 * makes its pair's speedup a fiction: above N when the 1-CPU run is the
 * slow one. So each CPU the sweep uses spins first, outside any run.
 */
static u64 warmup_ms = BENCH_WARMUP_MS;
BOOTPARAM_UINT(warmup_ms, "warmup_ms", 0, 10000,
	       "ms every CPU of the sweep runs the calibrated loop before the first benchmark run "
	       "(QEMU often runs a vCPU slowly early in a boot; 0: none)");

/* Spins until the counter reaches *until: 100 us of the loop between reads (under QEMU a read takes its lock). */
static void warm_main(void *arg)
{
	const u64 *until = arg;

	while (time_counter() < *until)
		bench_spin_ns(100000);
}

u64 bench_warmup_ms(void)
{
	return warmup_ms;
}

void bench_warm_up(u32 cpus)
{
	static u64 until; /* read by the warmers until they are reaped */
	long pids[CONFIG_NR_CPUS];
	u32 n = 0;

	if (!warmup_ms)
		return;
	until = time_counter() + warmup_ms * time_freq() / 1000;
	for (u32 c = 0; c < cpus && c < CONFIG_NR_CPUS; c++) {
		long pid = sys_spawn(warm_main, &until, (int)c);

		if (pid > 0)
			pids[n++] = pid;
	}
	for (u32 i = 0; i < n; i++) {
		int status;

		sys_wait((int)pids[i], &status);
	}
}
