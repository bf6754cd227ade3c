/* ktest suite "pipe": order, EOF, EPIPE, blocking and wake-ups across CPUs, bad arguments, no leaks, a stress run. */
#include <locklab/errno.h>
#include <locklab/file.h>
#include <locklab/klock.h>
#include <locklab/ktest.h>
#include <locklab/mm.h>
#include <locklab/percpu.h>
#include <locklab/proc.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/time.h>
#include <asm/atomic.h>
#include <asm/spin_wait.h>
#include "ipc_internal.h"
#include "pipe_test.h"

#define BLOCK_TIMEOUT_MS 2000 /* how long a test waits for a task to block */

/* ---- helpers ---- */

static int helper_cpu(void)
{
	u32 c = ktest_other_cpu();

	return c == CONFIG_NR_CPUS ? (int)smp_processor_id() : (int)c;
}

static struct pipe *pipe_of(int fd)
{
	struct pipe *p = NULL;
	struct file *f;

	kernel_enter();
	f = fd_get(fd);
	if (f) {
		p = f->priv;
		file_put(f);
	}
	kernel_exit();
	return p;
}

/* The queue a blocked writer (or reader) of the pipe behind fd sleeps on; NULL if fd is not one. */
static struct wait_queue *pipe_wq(int fd, bool writers)
{
	struct pipe *p = pipe_of(fd);

	return !p ? NULL : writers ? &p->wr_wait : &p->rd_wait;
}

/* True once tk is asleep (switched away) in a wait_event on wq. */
static bool wait_until_blocked(struct task *tk, struct wait_queue *wq)
{
	u64 end = time_counter() + (u64)BLOCK_TIMEOUT_MS * time_freq() / 1000;

	while (wq && time_counter() < end) {
		if (atomic_load_acquire(&wq->head) != NULL &&
		    atomic_load_acquire(&tk->state) == TASK_SLEEPING &&
		    !atomic_load_acquire(&tk->on_cpu))
			return true;
		yield();
	}
	return false;
}

/* Reads until n bytes, end of file or an error; returns the total, or the error if nothing was read. */
static long read_full(int fd, void *buf, u64 n)
{
	u64 got = 0;

	while (got < n) {
		long r = sys_read(fd, (u8 *)buf + got, n - got);

		if (r < 0)
			return got ? (long)got : r;
		if (r == 0)
			break;
		got += (u64)r;
	}
	return (long)got;
}

static u8 pattern(u64 i)
{
	return (u8)(i * 31 + (i >> 8) + 7);
}

static void fill(u8 *buf, u64 n, u64 from)
{
	for (u64 i = 0; i < n; i++)
		buf[i] = pattern(from + i);
}

static bool matches(const u8 *buf, u64 n, u64 from)
{
	for (u64 i = 0; i < n; i++)
		if (buf[i] != pattern(from + i))
			return false;
	return true;
}

/* One blocking call made by a helper task. */
struct pipe_op {
	int fd;
	void *buf;
	u64 n;
	long ret;
	bool returned; /* atomic */
};

static void reader_task(void *arg)
{
	struct pipe_op *op = arg;

	op->ret = read_full(op->fd, op->buf, op->n);
	atomic_store_release(&op->returned, true);
}

static void writer_task(void *arg)
{
	struct pipe_op *op = arg;

	op->ret = sys_write(op->fd, op->buf, op->n);
	atomic_store_release(&op->returned, true);
}

static bool op_returned(struct pipe_op *op)
{
	return atomic_load_acquire(&op->returned);
}

static u8 big_src[3 * PIPE_BUF_SIZE + 123];
static u8 big_dst[3 * PIPE_BUF_SIZE + 123];

/* ---- basic behaviour ---- */

static void pipe_bytes_come_out_in_order(struct ktest *t)
{
	u8 out[64];
	int fds[2];

	KT_ASSERT(t, sys_pipe(fds) == 0);
	KT_EXPECT_NE(t, fds[0], fds[1]);
	KT_EXPECT_EQ(t, sys_write(fds[1], "hello, ", 7), 7);
	KT_EXPECT_EQ(t, sys_write(fds[1], "pipe world", 10), 10);
	/* Partial reads: each returns what is asked for while data remains. */
	KT_EXPECT_EQ(t, sys_read(fds[0], out, 3), 3);
	KT_EXPECT_MEMEQ(t, out, "hel", 3);
	KT_EXPECT_EQ(t, sys_read(fds[0], out + 3, 5), 5);
	/* A read larger than what is there returns what is there. */
	KT_EXPECT_EQ(t, sys_read(fds[0], out + 8, sizeof(out) - 8), 9);
	KT_EXPECT_MEMEQ(t, out, "hello, pipe world", 17);
	/* Wrapping round the ring keeps the order. */
	for (u64 round = 0; round < 5; round++) {
		fill(big_src, 3000, round * 3000);
		KT_EXPECT_EQ(t, sys_write(fds[1], big_src, 3000), 3000);
		KT_EXPECT_EQ(t, read_full(fds[0], big_dst, 3000), 3000);
		KT_EXPECT(t, matches(big_dst, 3000, round * 3000));
	}
	KT_EXPECT_EQ(t, sys_write(fds[1], "x", 0), 0);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
}

static void pipe_eof_when_no_writers(struct ktest *t)
{
	u8 out[8];
	int fds[2];

	KT_ASSERT(t, sys_pipe(fds) == 0);
	KT_EXPECT_EQ(t, sys_write(fds[1], "ab", 2), 2);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	/* Data written before the close is still read, then EOF, again and again. */
	KT_EXPECT_EQ(t, sys_read(fds[0], out, sizeof(out)), 2);
	KT_EXPECT_EQ(t, sys_read(fds[0], out, sizeof(out)), 0);
	KT_EXPECT_EQ(t, sys_read(fds[0], out, sizeof(out)), 0);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
}

static void pipe_epipe_when_no_readers(struct ktest *t)
{
	struct pipe_op w = { 0 };
	struct task *tk;
	struct pipe *p;
	u8 out[100];
	int fds[2];

	KT_ASSERT(t, sys_pipe(fds) == 0);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_write(fds[1], "lost", 4), -EPIPE);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);

	/* Reader gone in the middle of a big write: the count already written. */
	KT_ASSERT(t, sys_pipe(fds) == 0);
	p = pipe_of(fds[0]);
	KT_EXPECT(t, p != NULL);
	fill(big_src, 2 * PIPE_BUF_SIZE, 0);
	w = (struct pipe_op){ fds[1], big_src, 2 * PIPE_BUF_SIZE, 0, false };
	tk = task_create("pipe_writer", writer_task, &w, helper_cpu());
	KT_ASSERT(t, tk);
	KT_EXPECT(t, p && wait_until_blocked(tk, &p->wr_wait)); /* buffer full */
	KT_EXPECT(t, !op_returned(&w));
	KT_EXPECT_EQ(t, sys_read(fds[0], out, sizeof(out)), sizeof(out));
	KT_EXPECT(t, matches(out, sizeof(out), 0));
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	task_join(tk);
	KT_EXPECT_GE(t, w.ret, PIPE_BUF_SIZE);
	KT_EXPECT_LE(t, w.ret, PIPE_BUF_SIZE + sizeof(out));
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
}

static void pipe_big_write_completes_with_reader(struct ktest *t)
{
	struct pipe_op r;
	struct task *tk;
	int fds[2];

	KT_ASSERT(t, sys_pipe(fds) == 0);
	fill(big_src, sizeof(big_src), 1000);
	memset(big_dst, 0, sizeof(big_dst));
	/* one more: sees EOF */
	r = (struct pipe_op){ fds[0], big_dst, sizeof(big_dst) + 1, 0, false };
	tk = task_create("pipe_reader", reader_task, &r, helper_cpu());
	KT_ASSERT(t, tk);
	KT_EXPECT_EQ(t, sys_write(fds[1], big_src, sizeof(big_src)), sizeof(big_src));
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	task_join(tk);
	KT_EXPECT_EQ(t, r.ret, sizeof(big_src));
	KT_EXPECT(t, matches(big_dst, sizeof(big_dst), 1000));
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
}

/* ---- blocking and wake-ups ---- */

static void pipe_blocked_reader_woken_by_writer(struct ktest *t)
{
	struct pipe_op r;
	struct task *tk;
	struct pipe *p;
	u8 in[5] = { 0 };
	bool blocked;
	int fds[2];

	KT_ASSERT(t, sys_pipe(fds) == 0);
	p = pipe_of(fds[0]);
	KT_EXPECT(t, p != NULL);
	r = (struct pipe_op){ fds[0], in, sizeof(in), 0, false };
	tk = task_create("pipe_reader", reader_task, &r, helper_cpu());
	KT_ASSERT(t, tk);
	blocked = p && wait_until_blocked(tk, &p->rd_wait);
	KT_EXPECT(t, blocked);
	KT_EXPECT(t, !op_returned(&r)); /* empty with a writer: it must wait */
	KT_EXPECT_EQ(t, sys_write(fds[1], "wake!", 5), 5);
	task_join(tk);
	KT_EXPECT_EQ(t, r.ret, 5);
	KT_EXPECT_MEMEQ(t, in, "wake!", 5);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
}

static void pipe_blocked_writer_woken_by_reader(struct ktest *t)
{
	struct pipe_op w;
	struct task *tk;
	int fds[2];

	KT_ASSERT(t, sys_pipe(fds) == 0);
	fill(big_src, PIPE_BUF_SIZE + 100, 0);
	KT_EXPECT_EQ(t, sys_write(fds[1], big_src, PIPE_BUF_SIZE), PIPE_BUF_SIZE); /* now full */
	w = (struct pipe_op){ fds[1], big_src + PIPE_BUF_SIZE, 100, 0, false };
	tk = task_create("pipe_writer", writer_task, &w, helper_cpu());
	KT_ASSERT(t, tk);
	KT_EXPECT(t, wait_until_blocked(tk, pipe_wq(fds[0], true)));
	KT_EXPECT(t, !op_returned(&w));
	/* 100 bytes of room: the 100-byte write fits whole, and goes in whole. */
	KT_EXPECT_EQ(t, read_full(fds[0], big_dst, 100), 100);
	task_join(tk);
	KT_EXPECT_EQ(t, w.ret, 100);
	KT_EXPECT_EQ(t, read_full(fds[0], big_dst + 100, PIPE_BUF_SIZE), PIPE_BUF_SIZE);
	KT_EXPECT(t, matches(big_dst, PIPE_BUF_SIZE + 100, 0));
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
}

static void pipe_closing_writer_wakes_reader_with_eof(struct ktest *t)
{
	struct pipe_op r;
	struct task *tk;
	u8 in[8];
	int fds[2];

	KT_ASSERT(t, sys_pipe(fds) == 0);
	r = (struct pipe_op){ fds[0], in, sizeof(in), -1, false };
	tk = task_create("pipe_reader", reader_task, &r, helper_cpu());
	KT_ASSERT(t, tk);
	KT_EXPECT(t, wait_until_blocked(tk, pipe_wq(fds[0], false)));
	KT_EXPECT(t, !op_returned(&r));
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	task_join(tk);
	KT_EXPECT_EQ(t, r.ret, 0);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
}

static void pipe_closing_reader_wakes_writer_with_epipe(struct ktest *t)
{
	struct pipe_op w;
	struct task *tk;
	int fds[2];

	KT_ASSERT(t, sys_pipe(fds) == 0);
	fill(big_src, PIPE_BUF_SIZE, 0);
	KT_EXPECT_EQ(t, sys_write(fds[1], big_src, PIPE_BUF_SIZE), PIPE_BUF_SIZE);
	w = (struct pipe_op){ fds[1], big_src, 64, 0, false };
	tk = task_create("pipe_writer", writer_task, &w, helper_cpu());
	KT_ASSERT(t, tk);
	KT_EXPECT(t, wait_until_blocked(tk, pipe_wq(fds[1], true)));
	KT_EXPECT(t, !op_returned(&w));
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	task_join(tk);
	KT_EXPECT_EQ(t, w.ret, -EPIPE); /* nothing of it fitted: an atomic write */
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
}

/* ---- bad arguments and fd limits ---- */

static void pipe_bad_arguments(struct ktest *t)
{
	int *volatile wild = (int *)0x10; /* volatile: the compiler may not see it is bad */
	u8 out[4];
	int fds[2];

	KT_EXPECT_EQ(t, sys_pipe(NULL), -EFAULT);
	KT_EXPECT_EQ(t, sys_pipe(wild), -EFAULT);
	KT_ASSERT(t, sys_pipe(fds) == 0);
	KT_EXPECT_EQ(t, sys_read(fds[1], out, sizeof(out)), -EBADF);
	KT_EXPECT_EQ(t, sys_write(fds[0], "x", 1), -EBADF);
	KT_EXPECT_EQ(t, sys_lseek(fds[0], 0, SEEK_SET), -ESPIPE);
	KT_EXPECT_EQ(t, sys_lseek(fds[1], 0, SEEK_CUR), -ESPIPE);
	KT_EXPECT_EQ(t, sys_write(fds[1], "data", 4), 4);
	KT_EXPECT_EQ(t, sys_read(fds[0], NULL, 4), -EFAULT);
	KT_EXPECT_EQ(t, sys_write(fds[1], NULL, 4), -EFAULT);
	KT_EXPECT_EQ(t, sys_read(fds[0], out, sizeof(out)), 4); /* the failed calls took nothing */
	KT_EXPECT_MEMEQ(t, out, "data", 4);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), -EBADF);
}

static u32 open_fds(void)
{
	u32 n;

	kernel_enter();
	n = files_count(current_proc()->files);
	kernel_exit();
	return n;
}

static void pipe_emfile_undoes_everything(struct ktest *t)
{
	static int fds[FD_MAX][2];
	u32 n = 0, before;
	long r = 0;

	while (n < FD_MAX && (r = sys_pipe(fds[n])) == 0)
		n++;
	KT_EXPECT_EQ(t, r, -EMFILE);
	KT_ASSERT(t, n > 0);
	/* Leave exactly one slot: the read end goes in, the write end does not, and is undone. */
	if (open_fds() == FD_MAX) {
		KT_EXPECT_EQ(t, sys_close(fds[n - 1][1]), 0);
		fds[n - 1][1] = -1;
	}
	before = open_fds();
	KT_EXPECT_EQ(t, before, FD_MAX - 1);
	KT_EXPECT_EQ(t, sys_pipe(fds[n]), -EMFILE);
	KT_EXPECT_EQ(t, open_fds(), before);
	for (u32 i = 0; i < n; i++)
		for (int e = 0; e < 2; e++)
			if (fds[i][e] >= 0)
				KT_EXPECT_EQ(t, sys_close(fds[i][e]), 0);
}

static void pipe_no_leaks_after_many(struct ktest *t)
{
	int fds[2];

	for (u32 i = 0; i < 200; i++) {
		KT_ASSERT(t, sys_pipe(fds) == 0);
		if (i % 2) /* half of them closed with data still in them */
			KT_EXPECT_EQ(t, sys_write(fds[1], "left over", 9), 9);
		KT_EXPECT_EQ(t, sys_close(fds[i % 3 ? 0 : 1]), 0);
		KT_EXPECT_EQ(t, sys_close(fds[i % 3 ? 1 : 0]), 0);
	}
}

/* ---- stress: ping-pong pairs and many writers to one reader ---- */

#define STRESS_MS    400
#define PP_PAIRS_MAX (CONFIG_NR_CPUS / 2 + 1)

static u64 stress_end; /* counter value at which the tasks stop starting new operations */

static bool stress_running(void)
{
	return time_counter() < stress_end;
}

struct pp_role {
	int rd, wr;
	u64 rounds;
	u64 bad;
};

/* Sends v, expects v + 1 back; at the end closes its write end and expects EOF. */
static void ping_task(void *arg)
{
	struct pp_role *r = arg;
	u64 v = 0, back;

	while (stress_running()) {
		if (sys_write(r->wr, &v, sizeof(v)) != sizeof(v) ||
		    read_full(r->rd, &back, sizeof(back)) != sizeof(back) || back != v + 1) {
			r->bad++;
			break;
		}
		v += 2;
		r->rounds++;
	}
	sys_close(r->wr);
	if (sys_read(r->rd, &back, sizeof(back)) != 0)
		r->bad++;
	sys_close(r->rd);
}

static void pong_task(void *arg)
{
	struct pp_role *r = arg;
	u64 v, want = 0;

	for (;;) {
		long got = read_full(r->rd, &v, sizeof(v));

		if (got == 0)
			break;
		if (got != sizeof(v) || v != want) {
			r->bad++;
			break;
		}
		v++;
		if (sys_write(r->wr, &v, sizeof(v)) != sizeof(v)) {
			r->bad++;
			break;
		}
		want += 2;
		r->rounds++;
	}
	sys_close(r->rd);
	sys_close(r->wr);
}

/* A record is 16 bytes, under PIPE_BUF_SIZE: each write of one lands whole. */
struct mw_rec {
	u32 writer;
	u32 seq;
	u64 check;
};

static u64 rec_check(u32 writer, u32 seq)
{
	return (((u64)writer << 32) | seq) * 0x9E3779B97F4A7C15ULL;
}

struct mw_writer {
	int fd;
	u32 id;
	u32 sent;
	u64 bytes;
	long err;
};

static void mw_writer_task(void *arg)
{
	struct mw_writer *w = arg;

	while (stress_running()) {
		struct mw_rec rec = { w->id, w->sent, rec_check(w->id, w->sent) };
		long r = sys_write(w->fd, &rec, sizeof(rec));

		if (r != sizeof(rec)) {
			w->err = r;
			break;
		}
		w->sent++;
		w->bytes += sizeof(rec);
		/* A wake-up does not preempt: let a woken ping or pong on this CPU run. */
		yield();
	}
}

struct mw_reader {
	int fd;
	u32 writers;
	u32 next_seq[CONFIG_NR_CPUS];
	u64 records, bytes, reads, bad;
};

/* Reads with odd sizes until EOF, so records straddle reads; checks each writer's sequence. */
static void mw_reader_task(void *arg)
{
	static const u32 sizes[] = { 7, 16, 61, 256, 1000 };
	struct mw_reader *r = arg;
	struct mw_rec rec;
	u8 buf[1000], *rb = (u8 *)&rec;
	u32 have = 0;

	for (;;) {
		long got = sys_read(r->fd, buf, sizes[r->reads % ARRAY_SIZE(sizes)]);

		if (got <= 0) {
			r->bad += got < 0;
			break;
		}
		r->reads++;
		r->bytes += (u64)got;
		for (long i = 0; i < got; i++) {
			rb[have++] = buf[i];
			if (have < sizeof(rec))
				continue;
			have = 0;
			if (rec.writer >= r->writers || rec.seq != r->next_seq[rec.writer] ||
			    rec.check != rec_check(rec.writer, rec.seq)) {
				r->bad++;
				continue;
			}
			r->next_seq[rec.writer]++;
			r->records++;
		}
	}
	r->bad += have != 0; /* a torn record at the end */
	sys_close(r->fd);
}

static struct pp_role pp[PP_PAIRS_MAX][2];
static struct mw_writer mw_w[CONFIG_NR_CPUS];
static struct mw_reader mw_r;

static void pipe_stress(struct ktest *t)
{
	struct task *tasks[2 * PP_PAIRS_MAX + CONFIG_NR_CPUS + 1];
	u32 ncpu = cpus_online(), cpus[CONFIG_NR_CPUS], npairs, nw = 0, nt = 0;
	u64 rounds = 0, sent = 0, wbytes = 0;
	int a[2], b[2], mw[2];

	for (u32 c = 0, i = 0; c < CONFIG_NR_CPUS; c++)
		if (cpu_is_online(c))
			cpus[i++] = c;
	npairs = ncpu >= 2 ? ncpu / 2 : 1;
	memset(pp, 0, sizeof(pp));
	memset(mw_w, 0, sizeof(mw_w));
	memset(&mw_r, 0, sizeof(mw_r));
	stress_end = time_counter() + (u64)STRESS_MS * time_freq() / 1000;

	for (u32 k = 0; k < npairs; k++) {
		KT_ASSERT(t, sys_pipe(a) == 0 && sys_pipe(b) == 0);
		pp[k][0] = (struct pp_role){ b[0], a[1], 0, 0 }; /* ping: writes a, reads b */
		pp[k][1] = (struct pp_role){ a[0], b[1], 0, 0 }; /* pong: reads a, writes b */
		tasks[nt++] =
			task_create("pipe_ping", ping_task, &pp[k][0], (int)cpus[(2 * k) % ncpu]);
		tasks[nt++] = task_create("pipe_pong", pong_task, &pp[k][1],
					  (int)cpus[(2 * k + 1) % ncpu]);
	}
	KT_ASSERT(t, sys_pipe(mw) == 0);
	mw_r.fd = mw[0];
	mw_r.writers = ncpu;
	tasks[nt++] = task_create("pipe_mw_reader", mw_reader_task, &mw_r, TASK_ANY_CPU);
	for (nw = 0; nw < ncpu; nw++) {
		mw_w[nw] = (struct mw_writer){ mw[1], nw, 0, 0, 0 };
		tasks[nt++] =
			task_create("pipe_mw_writer", mw_writer_task, &mw_w[nw], (int)cpus[nw]);
	}
	for (u32 i = 0; i < nt; i++)
		KT_ASSERT(t, tasks[i]); /* a missing task would leave its partner blocked */
	/* The reader's EOF comes once every writer is done and the shared write end is closed. */
	for (u32 i = 0; i < nt; i++)
		if (i != 2 * npairs)
			task_join(tasks[i]);
	KT_EXPECT_EQ(t, sys_close(mw[1]), 0);
	task_join(tasks[2 * npairs]);

	for (u32 k = 0; k < npairs; k++) {
		KT_EXPECT_EQ(t, pp[k][0].bad, 0);
		KT_EXPECT_EQ(t, pp[k][1].bad, 0);
		KT_EXPECT_EQ(t, pp[k][0].rounds, pp[k][1].rounds); /* every ping answered once */
		KT_EXPECT_GE(t, pp[k][0].rounds, 1);
		rounds += pp[k][0].rounds;
	}
	for (u32 w = 0; w < nw; w++) {
		KT_EXPECT_EQ(t, mw_w[w].err, 0);
		/* contiguous, none lost or repeated */
		KT_EXPECT_EQ(t, mw_r.next_seq[w], mw_w[w].sent);
		KT_EXPECT_GE(t, mw_w[w].sent, 1);
		sent += mw_w[w].sent;
		wbytes += mw_w[w].bytes;
	}
	KT_EXPECT_EQ(t, mw_r.bad, 0);
	KT_EXPECT_EQ(t, mw_r.records, sent);
	KT_EXPECT_EQ(t, mw_r.bytes, wbytes);
	ktest_note(
		t,
		"pipe stress: cpus=%u pairs=%u pingpong_rounds=%llu writers=%u records=%llu bytes=%llu reads=%llu",
		ncpu, npairs, (unsigned long long)rounds, nw, (unsigned long long)sent,
		(unsigned long long)wbytes, (unsigned long long)mw_r.reads);
}

/*
 * Every case gives back what it took (checked after the case). The snapshot
 * follows one pipe that came and went: anything made lazily on first use is made.
 */
static struct ktest_snapshot pipe_before;

static void pipe_case_init(struct ktest *t)
{
	int fds[2];

	if (sys_pipe(fds) == 0) {
		sys_close(fds[0]);
		sys_close(fds[1]);
	}
	ktest_snapshot(&pipe_before);
}

static void pipe_case_exit(struct ktest *t)
{
	KT_EXPECT_NO_LEAK(t, &pipe_before);
}

static const struct ktest_case pipe_cases[] = {
	KTEST_CASE(pipe_bytes_come_out_in_order),
	KTEST_CASE(pipe_eof_when_no_writers),
	KTEST_CASE(pipe_epipe_when_no_readers),
	KTEST_CASE(pipe_big_write_completes_with_reader),
	KTEST_CASE(pipe_blocked_reader_woken_by_writer),
	KTEST_CASE(pipe_blocked_writer_woken_by_reader),
	KTEST_CASE(pipe_closing_writer_wakes_reader_with_eof),
	KTEST_CASE(pipe_closing_reader_wakes_writer_with_epipe),
	KTEST_CASE(pipe_bad_arguments),
	KTEST_CASE(pipe_emfile_undoes_everything),
	KTEST_CASE(pipe_no_leaks_after_many),
	KTEST_CASE(pipe_whole_pipe_buf_writes_stay_whole),
	KTEST_CASE(pipe_stress),
};
KTEST_SUITE(pipe, pipe_cases, .init = pipe_case_init, .exit = pipe_case_exit);
