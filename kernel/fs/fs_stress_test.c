/* ktest "fs" case fs_smp_stress: a task per CPU creates, writes, reads back, lists and unlinks files, privately then in one shared directory. */
#include "fs_test.h"
#include <locklab/percpu.h>
#include <locklab/printf.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <asm/atomic.h>

#define STRESS_PHASE_MS 180 /* each of the two phases */
#define STRESS_KEEP	3   /* files a task keeps at once (slots) */
#define STRESS_MAX_SIZE (2 * PAGE_SIZE + 700)
#define STRESS_CHUNK	512

/* One task's account; written only by that task, read by the test after the join. */
struct stress_stats {
	u64 creates, writes, reads, unlinks, readdirs, bytes;
	u64 sum_written, sum_read; /* checksums of every file as written and as read back */
	struct fst_fails fail;	   /* wrong bytes, sizes, names or return values */
} __aligned(64);

static struct stress_stats stats[CONFIG_NR_CPUS];
static u64 phase_end[2]; /* counter values; set before the tasks start */
static u32 arrived;	 /* atomic: start barrier */

static u8 pattern(u64 seed, u64 i)
{
	return (u8)((seed * 2654435761UL >> 11) + i * 13 + (i >> 8) * 5);
}

static u64 size_of(u64 seed)
{
	return 1 + (seed * 40503UL + (seed >> 32) * 977) % STRESS_MAX_SIZE;
}

#define CHECK(s, cond, r) FST_CHECK(&(s)->fail, cond, r)

/* Creates path (it must not exist) with seed's content. */
static void write_file(struct stress_stats *s, const char *path, u64 seed)
{
	u8 buf[STRESS_CHUNK];
	u64 size = size_of(seed), sum = 0;
	long fd = sys_open(path, O_CREAT | O_EXCL | O_WRONLY);

	CHECK(s, fd >= 0, fd);
	if (fd < 0)
		return;
	s->creates++;
	for (u64 off = 0, k = 0; off < size; k++) {
		u64 n = MIN(size - off, 1 + (seed + k * 97) % STRESS_CHUNK);
		long r;

		for (u64 i = 0; i < n; i++) {
			buf[i] = pattern(seed, off + i);
			sum = sum * 31 + buf[i];
		}
		r = sys_write((int)fd, buf, n);
		s->writes++;
		CHECK(s, r == (long)n, r);
		if (r != (long)n)
			break;
		off += n;
	}
	s->bytes += size;
	s->sum_written += sum;
	CHECK(s, sys_close((int)fd) == 0, fd);
}

/* Reads path back in pieces of another size and checks every byte and the size. */
static void check_file(struct stress_stats *s, const char *path, u64 seed)
{
	u8 buf[STRESS_CHUNK];
	u64 size = size_of(seed), sum = 0, off = 0;
	struct stat st;
	long fd, r;

	r = sys_stat(path, &st);
	CHECK(s, r == 0 && st.size == size && st.type == S_IFREG && st.nlink == 1, r);
	fd = sys_open(path, O_RDONLY);
	CHECK(s, fd >= 0, fd);
	if (fd < 0)
		return;
	for (u64 k = 0;; k++) {
		r = sys_read((int)fd, buf, 1 + (seed + k * 61) % STRESS_CHUNK);
		s->reads++;
		if (r <= 0)
			break;
		for (long i = 0; i < r; i++) {
			CHECK(s, buf[i] == pattern(seed, off + (u64)i), off + (u64)i);
			sum = sum * 31 + buf[i];
		}
		off += (u64)r;
	}
	CHECK(s, r == 0 && off == size, r);
	s->sum_read += sum;
	CHECK(s, sys_close((int)fd) == 0, fd);
}

/* Lists dir: each name of ours that is alive appears exactly once; in a private dir nothing else. */
static void check_listing(struct stress_stats *s, const char *dir, const char *prefix,
			  const u64 *alive, bool private)
{
	struct dirent ents[4];
	u32 seen[STRESS_KEEP] = { 0 };
	size_t plen = strlen(prefix);
	long fd = sys_open(dir, O_RDONLY | O_DIRECTORY), r;

	CHECK(s, fd >= 0, fd);
	if (fd < 0)
		return;
	while ((r = sys_readdir((int)fd, ents, ARRAY_SIZE(ents))) > 0) {
		for (long i = 0; i < r; i++) {
			const char *nm = ents[i].name;

			if (!strncmp(nm, prefix, plen) && nm[plen] >= '0' &&
			    nm[plen] < '0' + STRESS_KEEP && !nm[plen + 1])
				seen[nm[plen] - '0']++;
			else
				CHECK(s, !private, i);
		}
	}
	s->readdirs++;
	CHECK(s, r == 0, r);
	for (u32 k = 0; k < STRESS_KEEP; k++)
		CHECK(s, seen[k] == (alive[k] ? 1U : 0U), seen[k]);
	CHECK(s, sys_close((int)fd) == 0, fd);
}

static void stress_phase(struct stress_stats *s, u32 cpu, u32 phase)
{
	u64 alive[STRESS_KEEP] = { 0 }; /* seed + 1 of the file in each slot, 0: none */
	char dir[32], prefix[16], path[64];
	long r;

	if (phase == 0) {
		snprintf(dir, sizeof(dir), "/stress/p%u", cpu);
		snprintf(prefix, sizeof(prefix), "f");
		r = sys_mkdir(dir);
		CHECK(s, r == 0, r);
	} else {
		snprintf(dir, sizeof(dir), "/stress/shared");
		snprintf(prefix, sizeof(prefix), "c%u_", cpu);
	}
	for (u64 iter = 0; time_counter() < phase_end[phase]; iter++) {
		u32 slot = (u32)(iter % STRESS_KEEP);
		u64 seed = (u64)cpu << 40 | (u64)phase << 39 | iter;

		snprintf(path, sizeof(path), "%s/%s%u", dir, prefix, slot);
		if (alive[slot]) {
			check_file(s, path, alive[slot] - 1);
			r = sys_unlink(path);
			s->unlinks++;
			CHECK(s, r == 0, r);
			alive[slot] = 0;
		}
		write_file(s, path, seed);
		alive[slot] = seed + 1;
		if (iter % 8 == 7)
			check_listing(s, dir, prefix, alive, phase == 0);
	}
	for (u32 slot = 0; slot < STRESS_KEEP; slot++) {
		if (!alive[slot])
			continue;
		snprintf(path, sizeof(path), "%s/%s%u", dir, prefix, slot);
		check_file(s, path, alive[slot] - 1);
		r = sys_unlink(path);
		s->unlinks++;
		CHECK(s, r == 0, r);
		alive[slot] = 0;
	}
	check_listing(s, dir, prefix, alive, phase == 0);
	if (phase == 0) {
		r = sys_rmdir(dir);
		CHECK(s, r == 0, r);
	}
}

static void stress_task(void *arg)
{
	u32 n = (u32)(u64)arg, cpu = smp_processor_id();
	u64 give_up = time_counter() + time_freq();

	atomic_fetch_add_acq_rel(&arrived, 1U);
	while (atomic_load_acquire(&arrived) < n && time_counter() < give_up)
		yield();
	stress_phase(&stats[cpu], cpu, 0);
	stress_phase(&stats[cpu], cpu, 1);
}

void fs_smp_stress(struct ktest *t)
{
	u32 n = cpus_online(), done;
	struct ktest_snapshot s0;
	struct stress_stats sum = { 0 };
	struct dirent ent;
	struct stat st;
	u64 now, ms = time_freq() / 1000;
	long fd;

	ktest_snapshot(&s0);
	KT_ASSERT(t, sys_mkdir("/stress") == 0);
	KT_ASSERT(t, sys_mkdir("/stress/shared") == 0);
	memset(stats, 0, sizeof(stats));
	arrived = 0;
	now = time_counter();
	phase_end[0] = now + (50 + STRESS_PHASE_MS) * ms; /* + start-up */
	phase_end[1] = phase_end[0] + STRESS_PHASE_MS * ms;
	done = ktest_on_each_cpu(stress_task, (void *)(u64)n, 20000);
	KT_ASSERT(t, done == n);
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		struct stress_stats *s = &stats[c];

		if (cpu_is_online(c))
			KT_EXPECT_GE(t, s->creates, 2);
		fst_fails_report(t, "cpu", c, &s->fail);
		KT_EXPECT_EQ(t, s->sum_read, s->sum_written);
		sum.creates += s->creates;
		sum.writes += s->writes;
		sum.reads += s->reads;
		sum.unlinks += s->unlinks;
		sum.readdirs += s->readdirs;
		sum.bytes += s->bytes;
	}
	KT_EXPECT_EQ(t, sum.unlinks, sum.creates);
	ktest_note(
		t,
		"cpus=%u creates=%llu writes=%llu reads=%llu unlinks=%llu readdirs=%llu bytes=%llu",
		n, (unsigned long long)sum.creates, (unsigned long long)sum.writes,
		(unsigned long long)sum.reads, (unsigned long long)sum.unlinks,
		(unsigned long long)sum.readdirs, (unsigned long long)sum.bytes);

	/* The trees are gone: shared is empty, the private directories removed. */
	fd = sys_open("/stress", O_RDONLY);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_readdir((int)fd, &ent, 1), 1);
	KT_EXPECT_STREQ(t, ent.name, "shared");
	KT_EXPECT_EQ(t, sys_readdir((int)fd, &ent, 1), 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT_EQ(t, sys_rmdir("/stress/shared"), 0);
	KT_EXPECT_EQ(t, sys_rmdir("/stress"), 0);
	KT_EXPECT_EQ(t, sys_stat("/stress", &st), -ENOENT);

	KT_EXPECT_NO_LEAK(t, &s0);
}
