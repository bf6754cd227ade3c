/* ktest suite "wait": producer/consumer over wait queues loses nothing; a sleep releases the strategy's lock. */
#include <locklab/klock.h>
#include <locklab/ktest.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/time.h>
#include <locklab/wait.h>
#include <asm/atomic.h>

#define PC_CAP	 8
#define PC_ITEMS 50000 /* per producer; two producers: 100000 hand-offs */

/* A bounded buffer entered like subsystem data: kernel, subsystem and data scopes. */
static struct {
	struct klock lock;
	u64 data[PC_CAP]; /* guarded by lock */
	u32 head, count;  /* guarded by lock */
	struct wait_queue not_empty, not_full;
} pc;

static void pc_put(u64 v)
{
	kernel_enter();
	subsys_enter(SUBSYS_IPC);
	klock_lock(&pc.lock);
	wait_event(&pc.not_full, pc.count < PC_CAP, &pc.lock);
	klock_assert_held(&pc.lock);
	pc.data[(pc.head + pc.count) % PC_CAP] = v;
	pc.count++;
	klock_unlock(&pc.lock);
	subsys_exit(SUBSYS_IPC);
	kernel_exit();
	wake_up(&pc.not_empty);
}

static u64 pc_get(void)
{
	u64 v;

	kernel_enter();
	subsys_enter(SUBSYS_IPC);
	klock_lock(&pc.lock);
	wait_event(&pc.not_empty, pc.count > 0, &pc.lock);
	klock_assert_held(&pc.lock);
	v = pc.data[pc.head];
	pc.head = (pc.head + 1) % PC_CAP;
	pc.count--;
	klock_unlock(&pc.lock);
	subsys_exit(SUBSYS_IPC);
	kernel_exit();
	wake_up(&pc.not_full);
	return v;
}

struct pc_role {
	u64 base; /* producers: first value; consumers: unused */
	u64 n;	  /* items to move */
	u64 sum;  /* consumers: sum of what they got */
	u64 got;
};

static void producer(void *arg)
{
	struct pc_role *r = arg;

	for (u64 i = 0; i < r->n; i++)
		pc_put(r->base + i);
}

static void consumer(void *arg)
{
	struct pc_role *r = arg;

	for (u64 i = 0; i < r->n; i++) {
		r->sum += pc_get();
		r->got++;
	}
}

static void wait_producer_consumer_loses_nothing(struct ktest *t)
{
	struct pc_role prod[2] = { { 1, PC_ITEMS, 0, 0 }, { 1000000, PC_ITEMS, 0, 0 } };
	struct pc_role cons[2] = { { 0, PC_ITEMS, 0, 0 }, { 0, PC_ITEMS, 0, 0 } };
	struct task *tasks[4];
	u32 n = cpus_online();
	u64 want = 0;

	klock_init(&pc.lock, "pc_buffer", SUBSYS_IPC);
	wait_queue_init(&pc.not_empty, "pc_not_empty");
	wait_queue_init(&pc.not_full, "pc_not_full");
	pc.head = pc.count = 0;
	/* Spread over the CPUs (4 CPUs: one role each), so wake-ups cross CPUs. */
	tasks[0] = task_create("producer0", producer, &prod[0], (int)(0 % n));
	tasks[1] = task_create("producer1", producer, &prod[1], (int)(1 % n));
	tasks[2] = task_create("consumer0", consumer, &cons[0], (int)(2 % n));
	tasks[3] = task_create("consumer1", consumer, &cons[1], (int)(3 % n));
	for (int i = 0; i < 4; i++)
		KT_ASSERT(t, tasks[i]);
	for (int i = 0; i < 4; i++)
		task_join(tasks[i]);
	for (int p = 0; p < 2; p++)
		for (u64 i = 0; i < PC_ITEMS; i++)
			want += prod[p].base + i;
	KT_EXPECT_EQ(t, cons[0].got + cons[1].got, 2 * PC_ITEMS);
	KT_EXPECT_EQ(t, cons[0].sum + cons[1].sum, want); /* every item exactly once */
	KT_EXPECT_EQ(t, pc.count, 0);
}

/* Sleeping inside all three scopes must release whichever lock is real, with its depth. */
static struct {
	struct klock lock;
	bool go; /* guarded by lock */
	struct wait_queue wq;
	bool other_got_in;
} sl;
static u32 sleeper_depths[2], sleeper_depths_after[2];
static bool sleeper_asleep; /* atomic */
static bool sleeper_held_after;

static void sleeper(void *arg)
{
	(void)arg;
	kernel_enter();
	kernel_enter(); /* depth 2 under BKL */
	subsys_enter(SUBSYS_FS);
	subsys_enter(SUBSYS_FS); /* depth 2 under SUBSYS */
	klock_lock(&sl.lock);
	sleeper_depths[0] = kernel_lock_depth();
	sleeper_depths[1] = subsys_lock_depth(SUBSYS_FS);
	__atomic_store_n(&sleeper_asleep, true, __ATOMIC_RELEASE);
	wait_event(&sl.wq, sl.go, &sl.lock);
	sleeper_depths_after[0] = kernel_lock_depth();
	sleeper_depths_after[1] = subsys_lock_depth(SUBSYS_FS);
	sleeper_held_after = klock_held(&sl.lock); /* the effective lock is ours again */
	klock_unlock(&sl.lock);
	subsys_exit(SUBSYS_FS);
	subsys_exit(SUBSYS_FS);
	kernel_exit();
	kernel_exit();
}

static void waker(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&sleeper_asleep, __ATOMIC_ACQUIRE))
		yield();
	/* Gets in only if the sleeper released the real lock. */
	kernel_enter();
	subsys_enter(SUBSYS_FS);
	klock_lock(&sl.lock);
	sl.other_got_in = true;
	sl.go = true;
	klock_unlock(&sl.lock);
	subsys_exit(SUBSYS_FS);
	kernel_exit();
	wake_up(&sl.wq);
}

static void wait_sleep_releases_the_real_lock(struct ktest *t)
{
	u32 other = ktest_other_cpu();
	struct task *a, *b;

	klock_init(&sl.lock, "sleep_test", SUBSYS_FS);
	wait_queue_init(&sl.wq, "sleep_test_wq");
	sl.go = sl.other_got_in = false;
	sleeper_asleep = sleeper_held_after = false;
	a = task_create("sleeper", sleeper, NULL, (int)smp_processor_id());
	b = task_create("waker", waker, NULL,
			other == CONFIG_NR_CPUS ? (int)smp_processor_id() : (int)other);
	KT_ASSERT(t, a && b);
	task_join(b);
	task_join(a);
	KT_EXPECT(t, sl.other_got_in);
	KT_EXPECT(t, sleeper_held_after);
	/* Depths restored exactly (2 for the real coarse lock, 0 for scopes that are not real). */
	KT_EXPECT_EQ(t, sleeper_depths_after[0], sleeper_depths[0]);
	KT_EXPECT_EQ(t, sleeper_depths_after[1], sleeper_depths[1]);
	KT_EXPECT_EQ(t, kernel_lock_depth(), 0);
}


/*
 * A wake-up of a task on this CPU made inside an irqsave section is acted
 * on when the section ends, not at the next tick (issue 12.2): the woken
 * task must have been switched to by the time spin_unlock_irqrestore()
 * returns. Checked by when it was last switched in, not by a flag it sets
 * after waking: a tick landing in its first microseconds (a host that
 * paused the vCPU) hands the CPU back before it gets to the flag, though
 * the switch at restore did happen.
 */
static struct {
	struct spinlock lock;
	struct wait_queue wq;
	bool go; /* atomic */
} wk;

static void woken_task(void *arg)
{
	(void)arg;
	wait_event(&wk.wq, atomic_load_acquire(&wk.go), NULL);
}

static void wait_wakeup_in_irqsave_switches_at_restore(struct ktest *t)
{
	struct task *w;
	u64 flags, t0, end, switched_in;

	spin_lock_init(&wk.lock, "wakeup_test");
	wait_queue_init(&wk.wq, "wakeup_test_wq");
	wk.go = false;
	w = task_create("woken", woken_task, NULL, (int)smp_processor_id());
	KT_ASSERT(t, w);
	end = time_counter() + 2 * time_freq();
	while (!(atomic_load_relaxed(&w->state) == TASK_SLEEPING &&
		 !atomic_load_acquire(&w->on_cpu)) &&
	       time_counter() < end)
		yield();
	flags = spin_lock_irqsave(&wk.lock);
	atomic_store_release(&wk.go, true);
	wake_up(&wk.wq);
	t0 = time_counter();
	spin_unlock_irqrestore(&wk.lock, flags);
	switched_in = w->switched_in_at; /* written on this CPU, by the switch to w */
	task_join(w);
	KT_EXPECT(t, switched_in >= t0);
	if (switched_in >= t0)
		ktest_note(t, "wake-up to switch: %llu ns (one tick is %u ms)",
			   (unsigned long long)time_counter_to_ns(switched_in - t0),
			   1000 / CONFIG_HZ);
}

/*
 * Two tasks on two CPUs hand a token back and forth through wait queues,
 * the token (an atomic) their only condition, as ctxsw's wake hand-over
 * but across CPUs, where a wake-up races the sleeper for real. When the
 * hand-overs stall, a lost wake-up is told from a slow host exactly: the
 * task whose turn it is sits asleep off its CPU although its waker's
 * wake_up() for that turn has returned (a sleeper that was preempted is
 * runnable, not asleep). Each one found is counted, then rescued.
 */
#define XC_ROUNDS 20000
static struct {
	u32 token;  /* atomic: whose turn, 0 or 1 */
	u64 passes; /* atomic: turns handed over */
	u64 woken;  /* atomic: wake_up() calls returned, one per turn */
	struct wait_queue wq[2];
} xc;

static void xc_side(void *arg)
{
	u32 me = (u32)(u64)arg;

	for (u32 i = 0; i < XC_ROUNDS; i++) {
		wait_event(&xc.wq[me], atomic_load_acquire(&xc.token) == me, NULL);
		atomic_fetch_add_relaxed(&xc.passes, 1UL);
		atomic_store_release(&xc.token, 1 - me);
		wake_up(&xc.wq[1 - me]);
		atomic_fetch_add_acq_rel(&xc.woken, 1UL);
	}
}

static void wait_cross_cpu_handoffs_lose_no_wakeup(struct ktest *t)
{
	u32 other = ktest_other_cpu(), lost = 0;
	struct task *side[2];
	u64 last = 0, now, stall_since = time_counter(), end = stall_since + 300 * time_freq();

	if (other == CONFIG_NR_CPUS)
		KT_SKIP(t, "one CPU online");
	xc.token = 0;
	xc.passes = xc.woken = 0;
	wait_queue_init(&xc.wq[0], "xc_wq");
	wait_queue_init(&xc.wq[1], "xc_wq");
	side[0] = task_create("xc0", xc_side, (void *)0UL, (int)smp_processor_id());
	side[1] = task_create("xc1", xc_side, (void *)1UL, (int)other);
	KT_ASSERT(t, side[0] && side[1]);
	while (!(atomic_load_acquire(&side[0]->exited) && atomic_load_acquire(&side[1]->exited)) &&
	       (now = time_counter()) < end) {
		u64 p = atomic_load_acquire(&xc.passes);

		if (p != last) {
			last = p;
			stall_since = now;
		} else if (now - stall_since > time_freq() / 5) {
			struct task *k = side[atomic_load_acquire(&xc.token)];

			if (atomic_load_acquire(&xc.woken) == p && p != 2UL * XC_ROUNDS &&
			    atomic_load_relaxed(&k->state) == TASK_SLEEPING &&
			    !atomic_load_acquire(&k->on_cpu))
				lost++;
			wake_up(&xc.wq[0]);
			wake_up(&xc.wq[1]);
			stall_since = now;
		}
		yield();
	}
	KT_ASSERT(t,
		  atomic_load_acquire(&side[0]->exited) && atomic_load_acquire(&side[1]->exited));
	task_join(side[0]);
	task_join(side[1]);
	KT_EXPECT_EQ(t, xc.passes, 2UL * XC_ROUNDS);
	KT_EXPECT_EQ(t, lost, 0);
}

static const struct ktest_case wait_cases[] = {
	KTEST_CASE(wait_producer_consumer_loses_nothing),
	KTEST_CASE(wait_sleep_releases_the_real_lock),
	KTEST_CASE(wait_wakeup_in_irqsave_switches_at_restore),
	KTEST_CASE(wait_cross_cpu_handoffs_lose_no_wakeup),
};
KTEST_SUITE(wait, wait_cases);

/* Planted (run only when named): sleeping with an infrastructure spinlock held is reported. */
static struct spinlock planted = SPINLOCK_INIT("planted_spinlock");
static struct wait_queue planted_wq = WAIT_QUEUE_INIT("planted_wq");

static void sleep_with_spinlock(void *arg)
{
	(void)arg;
	spin_lock(&planted);
	wait_event(&planted_wq, false, NULL);
}

static void selftest_sleep_with_spinlock(struct ktest *t)
{
	struct task *a = task_create("planted", sleep_with_spinlock, NULL, TASK_ANY_CPU);

	KT_ASSERT(t, a);
	task_join(a);
}

static const struct ktest_case sleep_spin_cases[] = {
	KTEST_CASE(selftest_sleep_with_spinlock),
};
KTEST_SUITE_EXPLICIT(selftest_sleep_spinlock, sleep_spin_cases);
