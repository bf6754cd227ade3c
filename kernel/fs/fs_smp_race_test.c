/* ktest "fs" cases where tasks on every CPU race on one name, one directory, one open file or the shared fd table. */
#include "fs_test.h"
#include <locklab/percpu.h>
#include <locklab/printf.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <asm/atomic.h>

#define RACE_MS	      120 /* each timed case's racing time */
#define EXCL_ROUNDS   24  /* rounds of fs_excl_create_has_one_winner */
#define EXCL_NAMES    8	  /* names raced for in each round */
#define STABLE_NAMES  24  /* names that stay put while a listing runs */
#define CHURN_NAMES   4	  /* names each churning task creates and removes */
#define UNLINKED_SIZE (3 * PAGE_SIZE + 100)

/* One task's account; written only by that task, read by the case after the join. */
struct race_acct {
	u64 ops, wins;
	struct fst_fails fail;
} __aligned(64);

static struct race_acct acct[CONFIG_NR_CPUS];
static u32 tickets;		    /* atomic: hands each task its index */
static u32 ntasks;		    /* tasks the case runs (cpus_online() at its start) */
static u64 race_end;		    /* time_counter() value the timed cases stop at */
static u32 bar_count;		    /* atomic: tasks in the current barrier */
static u32 bar_gen;		    /* atomic: barriers passed */
static u32 excl_wins[EXCL_NAMES];   /* atomic: creators of each name this round */
static u32 excl_winner[EXCL_NAMES]; /* the index of the last creator */
static u32 rr_ino;		    /* "/rr"'s inode number, for its children's '..' */
static u32 rr_files;		    /* atomic: files created in /rr/d so far */
static bool rr_done;		    /* atomic: task 0 has stopped removing /rr/d */

#define RCHECK(a, cond, r) FST_CHECK(&(a)->fail, cond, r)

static void race_start(void)
{
	memset(acct, 0, sizeof(acct));
	tickets = 0;
	bar_count = 0;
	bar_gen = 0;
	ntasks = cpus_online();
	race_end = time_counter() + (u64)RACE_MS * time_freq() / 1000;
}

/* Waits until every task of the case arrives; false (a task is missing) after 5 s. */
static bool race_barrier(void)
{
	u32 gen = atomic_load_acquire(&bar_gen);
	u64 give_up = time_counter() + 5 * time_freq();

	if (atomic_fetch_add_acq_rel(&bar_count, 1U) == ntasks - 1) {
		atomic_store_relaxed(&bar_count, 0U); /* before the others can leave */
		atomic_store_release(&bar_gen, gen + 1);
		return true;
	}
	while (atomic_load_acquire(&bar_gen) == gen)
		if (time_counter() > give_up)
			return false;
		else
			yield();
	return true;
}

/* Runs fn on every CPU (its index in arg's place) and reports each task's account. */
static void race_run(struct ktest *t, void (*fn)(void *), u64 *ops, u64 *wins)
{
	u32 done = ktest_on_each_cpu(fn, NULL, 20000);

	KT_EXPECT_EQ(t, done, ntasks);
	*ops = *wins = 0;
	for (u32 i = 0; i < ntasks; i++) {
		fst_fails_report(t, "task ", i, &acct[i].fail);
		*ops += acct[i].ops;
		*wins += acct[i].wins;
	}
}

static u32 my_index(void)
{
	return atomic_fetch_add_acq_rel(&tickets, 1U);
}

/*
 * Every task tries O_CREAT|O_EXCL on the same names at once: each name has
 * exactly one creator, every other open is -EEXIST, and the file holds the
 * creator's byte. Between rounds one task per name checks and unlinks it.
 */
static void excl_task(void *arg)
{
	u32 me = my_index();
	struct race_acct *a = &acct[me];
	char path[32];
	u8 b;
	long r;

	(void)arg;
	for (u32 round = 0; round < EXCL_ROUNDS; round++) {
		for (u32 i = 0; i < EXCL_NAMES; i++) {
			snprintf(path, sizeof(path), "/xc/n%u", i);
			r = sys_open(path, O_CREAT | O_EXCL | O_WRONLY);
			a->ops++;
			if (r < 0) {
				RCHECK(a, r == -EEXIST, r);
				continue;
			}
			a->wins++;
			atomic_fetch_add_acq_rel(&excl_wins[i], 1U);
			excl_winner[i] = me;
			b = (u8)me;
			RCHECK(a, sys_write((int)r, &b, 1) == 1, r);
			RCHECK(a, sys_close((int)r) == 0, r);
		}
		RCHECK(a, race_barrier(), -EAGAIN);
		for (u32 i = me; i < EXCL_NAMES; i += ntasks) {
			snprintf(path, sizeof(path), "/xc/n%u", i);
			RCHECK(a, atomic_load_acquire(&excl_wins[i]) == 1, excl_wins[i]);
			r = sys_open(path, O_RDONLY);
			RCHECK(a, r >= 0, r);
			if (r >= 0) {
				b = 0xff;
				RCHECK(a, sys_read((int)r, &b, 2) == 1, r);
				RCHECK(a, b == excl_winner[i], b);
				sys_close((int)r);
			}
			RCHECK(a, (r = sys_unlink(path)) == 0, r);
			atomic_store_relaxed(&excl_wins[i], 0U);
		}
		RCHECK(a, race_barrier(), -EAGAIN);
	}
}

void fs_excl_create_has_one_winner(struct ktest *t)
{
	struct ktest_snapshot s0;
	u64 ops, wins;

	ktest_snapshot(&s0);
	KT_ASSERT(t, sys_mkdir("/xc") == 0);
	race_start();
	memset(excl_wins, 0, sizeof(excl_wins));
	race_run(t, excl_task, &ops, &wins);
	KT_EXPECT_EQ(t, wins, EXCL_ROUNDS * EXCL_NAMES);
	KT_EXPECT_EQ(t, ops, (u64)ntasks * EXCL_ROUNDS * EXCL_NAMES);
	KT_EXPECT_EQ(t, sys_rmdir("/xc"), 0); /* empty: every file was unlinked once */
	KT_EXPECT_NO_LEAK(t, &s0);
}

/* Task 0 makes and removes /rr/d; the others create, check and remove names in it and look up its '..'. */
static void rmdir_task(void *arg)
{
	u32 me = my_index();
	struct race_acct *a = &acct[me];
	char file[32], sub[32];
	struct stat st;
	bool there = false;
	long r;

	(void)arg;
	snprintf(file, sizeof(file), "/rr/d/f%u", me);
	snprintf(sub, sizeof(sub), "/rr/d/s%u", me);
	for (;;) {
		u64 now = time_counter();

		/* task 0 goes on (up to 2 s more) until a file was made in the directory; the others until it stops */
		if (me == 0 && now >= race_end &&
		    (ntasks == 1 || atomic_load_acquire(&rr_files) ||
		     now >= race_end + 2 * time_freq()))
			break;
		if (me != 0 && atomic_load_acquire(&rr_done))
			break;
		a->ops++;
		if (me == 0) {
			if (!there)
				RCHECK(a, (r = sys_mkdir("/rr/d")) == 0, r);
			there = true;
			r = sys_rmdir("/rr/d");
			RCHECK(a, r == 0 || r == -ENOTEMPTY, r);
			there = r != 0;
			a->wins += r == 0;
			RCHECK(a, (r = sys_stat("/rr", &st)) == 0 && st.nlink == 2U + there,
			       st.nlink);
			continue;
		}
		r = sys_open(file, O_CREAT | O_EXCL | O_RDWR);
		RCHECK(a, r >= 0 || r == -ENOENT, r);
		if (r >= 0) {
			/* The directory cannot go while the file is in it: all of this must work. */
			a->wins++;
			atomic_fetch_add_acq_rel(&rr_files, 1U);
			RCHECK(a, sys_write((int)r, &me, sizeof(me)) == sizeof(me), r);
			RCHECK(a, sys_close((int)r) == 0, r);
			RCHECK(a,
			       sys_stat(file, &st) == 0 && st.size == sizeof(me) && st.nlink == 1,
			       st.size);
			RCHECK(a, (r = sys_unlink(file)) == 0, r);
		}
		r = sys_mkdir(sub);
		RCHECK(a, r == 0 || r == -ENOENT, r);
		if (r == 0)
			RCHECK(a, (r = sys_rmdir(sub)) == 0, r);
		r = sys_stat("/rr/d/..", &st);
		RCHECK(a, r == -ENOENT || (r == 0 && st.ino == rr_ino && st.type == S_IFDIR), r);
	}
	if (me == 0)
		atomic_store_release(&rr_done, true);
}

/*
 * rmdir against creates in the directory it removes: a name is created in
 * it only while it is there (-ENOENT once removed), so a removal never
 * loses a file, and rmdir only sees it empty or -ENOTEMPTY; '..' of it is
 * /rr or -ENOENT; the link counts and every inode come back.
 */
void fs_rmdir_races_creates_in_it(struct ktest *t)
{
	struct ktest_snapshot s0;
	struct stat st;
	u64 ops, created;
	long r;

	ktest_snapshot(&s0);
	KT_ASSERT(t, sys_mkdir("/rr") == 0);
	KT_ASSERT(t, sys_stat("/rr", &st) == 0);
	rr_ino = st.ino;
	rr_files = 0;
	rr_done = false;
	race_start();
	race_run(t, rmdir_task, &ops, &created);
	KT_EXPECT_GE(t, acct[0].wins, 1); /* task 0's removals */
	if (ntasks > 1)
		KT_EXPECT_GE(t, created - acct[0].wins, 1);
	ktest_note(t, "cpus=%u ops=%llu removals=%llu files=%llu", ntasks, (unsigned long long)ops,
		   (unsigned long long)acct[0].wins, (unsigned long long)(created - acct[0].wins));
	r = sys_rmdir("/rr/d");
	KT_EXPECT(t, r == 0 || r == -ENOENT);
	KT_EXPECT_EQ(t, sys_stat("/rr", &st), 0);
	KT_EXPECT_EQ(t, st.nlink, 2);
	KT_EXPECT_EQ(t, st.size, 0);
	KT_EXPECT_EQ(t, sys_rmdir("/rr"), 0);
	KT_EXPECT_NO_LEAK(t, &s0);
}

/* Reads a decimal number at *s and moves past it; ~0U if there is none. */
static u32 take_number(const char **s)
{
	u32 v = 0, digits = 0;

	for (; **s >= '0' && **s <= '9' && digits < 6; (*s)++, digits++)
		v = v * 10 + (u32)(**s - '0');
	return digits ? v : ~0U;
}

/* The seen[] slot of a name in /rd: s<k> are the stable ones, c<task>_<k> the churned; ~0U for a stranger. */
static u32 name_slot(const char *name)
{
	u32 who, k;

	if (*name == 's') {
		name++;
		k = take_number(&name);
		return !*name && k < STABLE_NAMES ? k : ~0U;
	}
	if (*name++ != 'c')
		return ~0U;
	who = take_number(&name);
	if (*name++ != '_')
		return ~0U;
	k = take_number(&name);
	if (*name || who >= CONFIG_NR_CPUS || k >= CHURN_NAMES)
		return ~0U;
	return STABLE_NAMES + who * CHURN_NAMES + k;
}

/* Task 0 lists /rd over and over in batches of 1 to 5; the others add and remove names there. */
static void listing_task(void *arg)
{
	u32 me = my_index();
	struct race_acct *a = &acct[me];
	u8 seen[STABLE_NAMES + CONFIG_NR_CPUS * CHURN_NAMES];
	struct dirent ents[5];
	char path[32];
	long r, fd;

	(void)arg;
	for (u64 pass = 0; time_counter() < race_end; pass++) {
		a->ops++;
		if (me != 0) {
			u32 k = (u32)(pass % CHURN_NAMES);

			snprintf(path, sizeof(path), "/rd/c%u_%u", me, k);
			r = (long)sys_open(path, O_CREAT | O_EXCL | O_WRONLY);
			RCHECK(a, r >= 0, r);
			if (r >= 0)
				sys_close((int)r);
			if (pass >=
			    CHURN_NAMES - 1) { /* keep a few: removals while a listing is in them */
				snprintf(path, sizeof(path), "/rd/c%u_%u", me,
					 (k + 1) % CHURN_NAMES);
				RCHECK(a, (r = sys_unlink(path)) == 0, r);
			}
			continue;
		}
		memset(seen, 0, sizeof(seen));
		fd = sys_open("/rd", O_RDONLY);
		RCHECK(a, fd >= 0, fd);
		if (fd < 0)
			break;
		while ((r = sys_readdir((int)fd, ents, 1 + (u32)(pass % 5))) > 0) {
			for (long i = 0; i < r; i++) {
				u32 slot = name_slot(ents[i].name);

				RCHECK(a, slot < sizeof(seen) && !seen[slot], slot);
				if (slot < sizeof(seen))
					seen[slot] = 1;
			}
		}
		RCHECK(a, r == 0, r);
		sys_close((int)fd);
		for (u32 s = 0; s < STABLE_NAMES; s++)
			RCHECK(a, seen[s], s); /* there throughout: listed, and once (above) */
	}
	if (me == 0)
		return;
	for (u32 k = 0; k < CHURN_NAMES; k++) {
		snprintf(path, sizeof(path), "/rd/c%u_%u", me, k);
		sys_unlink(path); /* whichever are left */
	}
}

/*
 * readdir while other CPUs add and remove names in the directory (fs.md):
 * every name there throughout a listing is listed, no name twice.
 */
void fs_readdir_during_churn(struct ktest *t)
{
	struct ktest_snapshot s0;
	char path[32];
	u64 ops, unused;
	long fd;

	ktest_snapshot(&s0);
	KT_ASSERT(t, sys_mkdir("/rd") == 0);
	for (u32 s = 0; s < STABLE_NAMES; s++) {
		snprintf(path, sizeof(path), "/rd/s%u", s);
		fd = sys_open(path, O_CREAT | O_EXCL | O_WRONLY);
		KT_ASSERT(t, fd >= 0);
		sys_close((int)fd);
	}
	race_start();
	race_run(t, listing_task, &ops, &unused);
	KT_EXPECT_GE(t, acct[0].ops, 2); /* listings */
	for (u32 s = 0; s < STABLE_NAMES; s++) {
		snprintf(path, sizeof(path), "/rd/s%u", s);
		KT_EXPECT_EQ(t, sys_unlink(path), 0);
	}
	KT_EXPECT_EQ(t, sys_rmdir("/rd"), 0); /* the churned names are gone too */
	KT_EXPECT_NO_LEAK(t, &s0);
}

/*
 * rmdir of the cwd (process 1's, every kernel task's) succeeds, as on
 * Linux; the directory then takes no names and has no '..', yet stays
 * usable as '.' until the cwd moves, when its inode goes.
 */
void fs_rmdir_of_cwd(struct ktest *t)
{
	struct ktest_snapshot s0;
	struct dirent ent;
	struct stat st;
	long fd;

	KT_ASSERT(t, sys_chdir("/") == 0); /* the cwd's reference is taken before the snapshot */
	ktest_snapshot(&s0);
	KT_ASSERT(t, sys_mkdir("/cw") == 0);
	KT_ASSERT(t, sys_chdir("/cw") == 0);
	KT_EXPECT_EQ(t, sys_rmdir("/cw"), 0);
	KT_EXPECT_EQ(t, sys_stat(".", &st), 0);
	KT_EXPECT_EQ(t, st.nlink, 0);
	KT_EXPECT_EQ(t, sys_open("x", O_CREAT | O_WRONLY), -ENOENT);
	KT_EXPECT_EQ(t, sys_mkdir("y"), -ENOENT);
	KT_EXPECT_EQ(t, sys_stat("..", &st), -ENOENT);
	KT_EXPECT_EQ(t, sys_stat("/cw", &st), -ENOENT);
	fd = sys_open(".", O_RDONLY);
	KT_EXPECT(t, fd >= 0);
	if (fd >= 0) {
		KT_EXPECT_EQ(t, sys_readdir((int)fd, &ent, 1), 0);
		KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	}
	KT_EXPECT_EQ(t, sys_mkdir("/cw"), 0); /* the name is free for a new directory */
	KT_EXPECT_EQ(t, sys_stat("y", &st), -ENOENT);
	KT_EXPECT_EQ(t, sys_chdir("/"), 0);
	KT_EXPECT_EQ(t, sys_rmdir("/cw"), 0);
	KT_EXPECT_NO_LEAK(t, &s0); /* the removed directory went with the cwd's reference */
}

static u8 unlinked_want[UNLINKED_SIZE], unlinked_got[CONFIG_NR_CPUS][UNLINKED_SIZE];

/*
 * Every task opens /ul, task 0 unlinks it, then all read it back whole
 * and close it at once: the data stays until the last close, which frees
 * the inode and its pages exactly once.
 */
static void unlinked_task(void *arg)
{
	u32 me = my_index();
	struct race_acct *a = &acct[me];
	struct stat st;
	long fd = sys_open("/ul", O_RDONLY), r;

	(void)arg;
	RCHECK(a, fd >= 0, fd);
	RCHECK(a, race_barrier(), -EAGAIN);
	if (me == 0)
		RCHECK(a, (r = sys_unlink("/ul")) == 0, r);
	RCHECK(a, race_barrier(), -EAGAIN);
	RCHECK(a, (r = sys_stat("/ul", &st)) == -ENOENT, r);
	if (fd < 0)
		return;
	for (u32 pass = 0; pass < 4; pass++) {
		a->ops++;
		memset(unlinked_got[me], 0, UNLINKED_SIZE);
		RCHECK(a, (r = sys_lseek((int)fd, 0, SEEK_SET)) == 0, r);
		RCHECK(a,
		       (r = sys_read((int)fd, unlinked_got[me], UNLINKED_SIZE + 1)) ==
			       UNLINKED_SIZE,
		       r);
		RCHECK(a, !memcmp(unlinked_got[me], unlinked_want, UNLINKED_SIZE), pass);
	}
	RCHECK(a, race_barrier(), -EAGAIN); /* then the closes race */
	RCHECK(a, (r = sys_close((int)fd)) == 0, r);
}

void fs_unlinked_file_lives_until_last_close(struct ktest *t)
{
	struct ktest_snapshot s0;
	u64 ops, unused;
	long fd;

	for (u32 i = 0; i < UNLINKED_SIZE; i++)
		unlinked_want[i] = (u8)(i * 7 + (i >> 12) * 3 + 1);
	ktest_snapshot(&s0);
	fd = sys_open("/ul", O_CREAT | O_EXCL | O_WRONLY);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_write((int)fd, unlinked_want, UNLINKED_SIZE), UNLINKED_SIZE);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	race_start();
	race_run(t, unlinked_task, &ops, &unused);
	KT_EXPECT_EQ(t, ops, 4ULL * ntasks);
	KT_EXPECT_NO_LEAK(t, &s0); /* inode and pages freed by the last close */
}

static u32 fd_base; /* process 1's open fds before the case */

/*
 * Tasks sharing process 1's fd table open, read and close their own files
 * at once: each fd reads the file it was opened on (no slot handed out
 * twice, no close of another task's fd); then they fill the table together:
 * exactly the free slots are handed out, the rest is -EMFILE.
 */
static void fd_task(void *arg)
{
	u32 me = my_index(), v;
	struct race_acct *a = &acct[me];
	long fds[FD_MAX], r, fd, fd2;
	char path[32];
	u32 n = 0;

	(void)arg;
	snprintf(path, sizeof(path), "/fdr%u", me);
	fd = sys_open(path, O_CREAT | O_EXCL | O_WRONLY);
	RCHECK(a, fd >= 0, fd);
	RCHECK(a, sys_write((int)fd, &me, sizeof(me)) == sizeof(me), fd);
	RCHECK(a, sys_close((int)fd) == 0, fd);
	while (time_counter() < race_end) {
		a->ops++;
		fd = sys_open(path, O_RDONLY);
		fd2 = sys_open(path, O_RDONLY);
		RCHECK(a, fd >= 0 && fd2 >= 0 && fd != fd2, fd2);
		v = ~0U;
		RCHECK(a, (r = sys_read((int)fd2, &v, sizeof(v))) == sizeof(v) && v == me, r);
		v = ~0U;
		RCHECK(a, (r = sys_read((int)fd, &v, sizeof(v))) == sizeof(v) && v == me, r);
		RCHECK(a, (r = sys_close((int)fd)) == 0, r);
		RCHECK(a, (r = sys_close((int)fd2)) == 0, r);
	}
	RCHECK(a, race_barrier(), -EAGAIN);
	while (n < FD_MAX && (fds[n] = sys_open(path, O_RDONLY)) >= 0)
		n++;
	RCHECK(a, n == FD_MAX || fds[n] == -EMFILE, fds[n]);
	a->wins = n;
	RCHECK(a, race_barrier(), -EAGAIN); /* the table is full now */
	if (me == 0)
		RCHECK(a, (r = fst_fds_open()) == FD_MAX, r);
	RCHECK(a, race_barrier(), -EAGAIN);
	for (u32 i = 0; i < n; i++) {
		v = ~0U;
		RCHECK(a, sys_read((int)fds[i], &v, sizeof(v)) == sizeof(v) && v == me, fds[i]);
		RCHECK(a, (r = sys_close((int)fds[i])) == 0, r);
	}
	RCHECK(a, (r = sys_unlink(path)) == 0, r);
}

void fs_fd_table_shared_by_tasks(struct ktest *t)
{
	struct ktest_snapshot s0;
	u64 ops, got;

	ktest_snapshot(&s0);
	fd_base = fst_fds_open();
	race_start();
	race_run(t, fd_task, &ops, &got);
	KT_EXPECT_EQ(t, got, FD_MAX - fd_base);
	KT_EXPECT_GE(t, ops, ntasks);
	KT_EXPECT_EQ(t, fst_fds_open(), fd_base);
	KT_EXPECT_NO_LEAK(t, &s0);
}
