/* Lock timeline: records strategy-lock events per CPU during a short window and prints them as trace: records. */
#include <locklab/lock_trace.h>
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/klock.h>
#include <locklab/lock_class.h>
#include <locklab/lock_map.h>
#include <locklab/percpu.h>
#include <locklab/smp.h>
#include <locklab/time.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

/*
 * 16 bytes an event, so a window of a few thousand events per CPU is a
 * few tens of KiB per CPU. The counter value is kept raw (converting to
 * ns is a division, done at the dump); the lock is kept as its address
 * shifted right by 3, which fits 32 bits for any address below 32 GiB
 * and identifies it within the window.
 */
struct lock_trace_event {
	u64 t;
	u32 lock;
	u16 class_id;
	u8 ev;
	u8 pad;
};

/* Each CPU writes only its own slot and buffer, so recording takes no lock. */
struct lock_trace_cpu {
	/* events recorded: written (release) by this CPU, read (acquire) by the dump */
	u32 n;
	u32 dropped; /* events lost because the buffer was full */
	/* 1 while this CPU is inside lock_trace_record() (lock_trace_stop() waits it out) */
	u32 busy;
} __cacheline_aligned;

/*
 * The flag and a CPU's busy mark are a Dekker pair: the recorder marks
 * itself busy then looks at the flag, lock_trace_stop() clears the flag
 * then looks at the marks. Each side's store must be ordered before its
 * load, which only sequential consistency promises (on arm64: STLR then
 * LDAR, which do not pass each other).
 */
#define store_seq_cst(p, v) __atomic_store_n(p, v, __ATOMIC_SEQ_CST)
#define load_seq_cst(p)	    __atomic_load_n(p, __ATOMIC_SEQ_CST)

static struct lock_trace_event trace_buf[CONFIG_NR_CPUS][CONFIG_LOCK_TRACE_EVENTS];
static struct lock_trace_cpu trace_cpu[CONFIG_NR_CPUS];
static u64 trace_t0, trace_t1, trace_end; /* counter values: window opened, closed, due to close */

/*
 * The flag has a line of its own: it is read on every strategy-lock
 * operation of every CPU and written twice a boot, so it stays in every
 * CPU's cache, shared, and its branch always goes the same way.
 */
u32 lock_trace_on __cacheline_aligned;

static u64 trace_us = 2000;
BOOTPARAM_UINT(trace_us, "trace_us", 10, 1000000,
	       "length of the lock timeline window (trace=), in us, centred in the measured run");
static u64 trace_events = CONFIG_LOCK_TRACE_EVENTS;
BOOTPARAM_UINT(
	trace_events, "trace_events", 16, CONFIG_LOCK_TRACE_EVENTS,
	"events each CPU keeps in the lock timeline (trace=); later ones are dropped and counted");

u64 lock_trace_window_cycles(void)
{
	return trace_us * time_freq() / 1000000;
}

void lock_trace_record(const void *lock, struct lock_map *map, enum lock_trace_ev ev)
{
	/* Interrupts off: a task switched in between the slot's read and its publication would reuse it. */
	u64 flags = local_irq_save();
	u32 cpu = smp_processor_id();
	struct lock_trace_cpu *c = &trace_cpu[cpu];

	store_seq_cst(&c->busy, 1U);
	/*
	 * Looked at again, after the busy mark (see store_seq_cst), so that
	 * a closed window stays closed for us. Also the acquire that pairs
	 * with lock_trace_start()'s release: the callers' look was relaxed,
	 * and a stale trace_end (0 before the first window) would close the
	 * window at once.
	 */
	if (!load_seq_cst(&lock_trace_on)) {
		atomic_store_release(&c->busy, 0U);
		local_irq_restore(flags);
		return;
	}
	u32 n = c->n;
	/*
	 * The acquisition is complete before this read (time_counter()'s ISB
	 * keeps it after the lock's acquire) and a release is read before the
	 * caller unlocks: two CPUs' holds of one lock can never seem to
	 * overlap.
	 */
	u64 t = time_counter();

	if (t > trace_end) {
		/*
		 * The window closes itself: the harness that opened it may get
		 * its CPU back only a tick later, and until then every lock
		 * operation would read the counter for nothing.
		 */
		atomic_store_relaxed(&lock_trace_on, 0U);
	} else if (!c->dropped && n + (ev == LOCK_TRACE_UNCONTENDED) < trace_events) {
		/*
		 * Once one event did not fit, none after it is kept either: a
		 * release that fits after an acquisition that did not would
		 * break the order every reader relies on.
		 */
		u16 class_id = lock_map_class(map);
		u32 id = (u32)((uintptr_t)lock >> 3);

		if (ev == LOCK_TRACE_UNCONTENDED) {
			trace_buf[cpu][n++] = (struct lock_trace_event){
				.t = t, .lock = id, .class_id = class_id, .ev = LOCK_TRACE_START
			};
			ev = LOCK_TRACE_ACQ;
		}
		trace_buf[cpu][n++] = (struct lock_trace_event){
			.t = t, .lock = id, .class_id = class_id, .ev = (u8)ev
		};
		/* the events' fields before the count the dump reads */
		atomic_store_release(&c->n, n);
	} else {
		c->dropped += 1 + (ev == LOCK_TRACE_UNCONTENDED);
	}
	atomic_store_release(&c->busy, 0U); /* our writes to the buffer before the mark goes */
	local_irq_restore(flags);
}

u64 lock_trace_start(u64 cycles)
{
	for (u32 i = 0; i < CONFIG_NR_CPUS; i++) {
		trace_cpu[i].n = 0;
		trace_cpu[i].dropped = 0;
	}
	trace_t0 = time_counter();
	trace_end = trace_t0 + cycles;
	/* Release: every CPU that sees the flag on sees its emptied buffer and the window's bounds. */
	atomic_store_release(&lock_trace_on, 1U);
	return trace_end;
}

/*
 * Waits out every CPU still recording: the dump reads the buffers, and a
 * next window's lock_trace_start() empties them, neither under a CPU
 * that is writing.
 */
void lock_trace_stop(void)
{
	u64 now;

	store_seq_cst(&lock_trace_on, 0U);
	now = time_counter();
	trace_t1 = MIN(now, trace_end);
	for (u32 i = 0; i < CONFIG_NR_CPUS; i++)
		while (atomic_load_acquire(&trace_cpu[i].busy))
			cpu_relax();
}

static u64 rel_ns(u64 t)
{
	return t > trace_t0 ? time_counter_to_ns(t - trace_t0) : 0;
}

static const char *const ev_names[] = { "start", "acq", "rel" };

/*
 * An event a CPU was writing when the window closed is left out: only
 * counts it published are read. Events print CPU by CPU, each CPU's in
 * time order, a line each (some 55 bytes: the UART under QEMU moves a few
 * hundred KiB a second, so the per-CPU cap bounds the dump's time).
 */
void lock_trace_dump(const char *tag)
{
	u64 events = 0, dropped = 0, complete = rel_ns(trace_t1);

	printk_raw("trace-meta: %s strategy=%s lock_wait=%s window_ns=%llu events_max=%llu", tag,
		   LOCK_STRATEGY_NAME, KLOCK_WAIT_NAME, (unsigned long long)rel_ns(trace_t1),
		   (unsigned long long)trace_events);
	for (u32 cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		u32 n = atomic_load_acquire(&trace_cpu[cpu].n);

		for (u32 i = 0; i < n; i++) {
			const struct lock_trace_event *e = &trace_buf[cpu][i];

			printk_raw("trace: cpu=%u t_ns=%llu ev=%s class=%s lock=0x%llx", cpu,
				   (unsigned long long)rel_ns(e->t), ev_names[e->ev],
				   lock_class_name(e->class_id), (unsigned long long)e->lock << 3);
		}
		events += n;
		dropped += trace_cpu[cpu].dropped;
		/* A CPU whose buffer filled says nothing after its last event: the timeline is complete only until then. */
		if (trace_cpu[cpu].dropped && n && rel_ns(trace_buf[cpu][n - 1].t) < complete)
			complete = rel_ns(trace_buf[cpu][n - 1].t);
	}
	printk_raw("trace-end: events=%llu dropped=%llu complete_ns=%llu",
		   (unsigned long long)events, (unsigned long long)dropped,
		   (unsigned long long)complete);
}
