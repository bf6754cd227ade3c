/* ktest "pipe" case: writes of exactly PIPE_BUF_SIZE bytes from a writer per CPU each land whole, never interleaved. */
#include <locklab/errno.h>
#include <locklab/ktest.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include "pipe_test.h"

#define WHOLE_RECORDS 24 /* records each writer sends */
#define WHOLE_WORDS   (PIPE_BUF_SIZE / sizeof(u64))

/* Each writer's record buffer and result; written by that writer, read after its join. */
static struct whole_writer {
	u64 rec[WHOLE_WORDS];
	int fd;
	u32 id;
	long err;
} whole_w[CONFIG_NR_CPUS];

static u8 whole_in[PIPE_BUF_SIZE];	/* the record being put back together */
static u8 whole_buf[PIPE_BUF_SIZE + 1]; /* one read's bytes */

/* Every word of a record says who wrote it and which of theirs it is, so a torn one shows. */
static u64 whole_word(u32 writer, u32 seq)
{
	return ((u64)writer << 32 | seq) ^ 0x5a5a0000a5a5ULL;
}

static void whole_writer_task(void *arg)
{
	struct whole_writer *w = arg;

	for (u32 seq = 0; seq < WHOLE_RECORDS; seq++) {
		long r;

		for (u32 i = 0; i < WHOLE_WORDS; i++)
			w->rec[i] = whole_word(w->id, seq);
		r = sys_write(w->fd, w->rec, PIPE_BUF_SIZE);
		if (r != PIPE_BUF_SIZE) {
			w->err = r ? r : -EIO;
			return;
		}
	}
}

/* Checks one record put back together: all its words equal, the next of its writer's. */
static bool whole_record_ok(const u64 *rec, u32 nw, u32 *next_seq)
{
	u64 v = rec[0] ^ 0x5a5a0000a5a5ULL;
	u32 writer = (u32)(v >> 32), seq = (u32)v;

	if (writer >= nw || seq != next_seq[writer])
		return false;
	for (u32 i = 1; i < WHOLE_WORDS; i++)
		if (rec[i] != rec[0])
			return false;
	next_seq[writer]++;
	return true;
}

/*
 * POSIX's PIPE_BUF rule at its limit (docs/ipc.md): a write of exactly
 * PIPE_BUF_SIZE bytes, a whole pipe, waits for an empty pipe and goes in
 * at once, so however writers on every CPU race, the reader (reading in
 * odd sizes) finds each record whole and each writer's in order.
 */
void pipe_whole_pipe_buf_writes_stay_whole(struct ktest *t)
{
	static const u32 sizes[] = { 1000, PIPE_BUF_SIZE + 1, 7, PIPE_BUF_SIZE - 1, 4096 };
	struct task *tasks[CONFIG_NR_CPUS];
	u32 next_seq[CONFIG_NR_CPUS] = { 0 }, nw = 0, have = 0, records = 0, torn = 0;
	u64 total, got = 0;
	int fds[2];
	long r = 0;

	KT_ASSERT(t, sys_pipe(fds) == 0);
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		if (!cpu_is_online(c))
			continue;
		whole_w[nw] = (struct whole_writer){ .fd = fds[1], .id = nw };
		tasks[nw] = task_create("pipe_whole", whole_writer_task, &whole_w[nw], (int)c);
		KT_ASSERT(t, tasks[nw]);
		nw++;
	}
	if (nw == 1) { /* a second writer on the one CPU: they race through preemption */
		whole_w[1] = (struct whole_writer){ .fd = fds[1], .id = 1 };
		tasks[1] = task_create("pipe_whole", whole_writer_task, &whole_w[1],
				       (int)smp_processor_id());
		KT_ASSERT(t, tasks[1]);
		nw = 2;
	}
	total = (u64)nw * WHOLE_RECORDS * PIPE_BUF_SIZE;
	for (u32 k = 0; got < total; k++) {
		r = sys_read(fds[0], whole_buf,
			     MIN((u64)sizes[k % ARRAY_SIZE(sizes)], total - got));
		if (r <= 0)
			break;
		got += (u64)r;
		for (long i = 0; i < r; i++) {
			whole_in[have++] = whole_buf[i];
			if (have < PIPE_BUF_SIZE)
				continue;
			have = 0;
			if (whole_record_ok((const u64 *)whole_in, nw, next_seq))
				records++;
			else
				torn++;
		}
	}
	KT_EXPECT_EQ(t, got, total);
	for (u32 i = 0; i < nw; i++) {
		task_join(tasks[i]);
		KT_EXPECT_EQ(t, whole_w[i].err, 0);
	}
	KT_EXPECT_EQ(t, torn, 0);
	KT_EXPECT_EQ(t, records, nw * WHOLE_RECORDS);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	KT_EXPECT_EQ(t, sys_read(fds[0], whole_buf, 1), 0); /* every writer gone: EOF */
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
}
