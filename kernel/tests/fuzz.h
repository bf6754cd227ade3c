/* The syscall fuzzer's worker state and argument generators, shared by fuzz_test.c and fuzz_calls.c. */
#ifndef KERNEL_TESTS_FUZZ_H
#define KERNEL_TESTS_FUZZ_H

#include <locklab/errno.h>
#include <locklab/file.h>
#include <locklab/fs.h>
#include <locklab/ktest.h>
#include <locklab/syscall.h>
#include <locklab/uaccess.h>

#define FZ_PATH_BUF  (PATH_MAX + 64) /* room to build paths longer than PATH_MAX */
#define FZ_MAX_DEPTH 7		     /* components after /fz in a generated path */
#define FZ_BUF	     1024	     /* the worker's own I/O buffer */
#define FZ_ENTS	     8

/* What a result must be, besides a value or a known -errno; a negative value is the exact -errno. */
#define FZ_ANY	     0
#define FZ_MUST_FAIL 1
#define FZ_MUST_OK   2

/* The worker's mirror of one of its fds. */
enum fz_fd_kind { FZ_CLOSED, FZ_OPEN /* file or directory */, FZ_PIPE_R, FZ_PIPE_W };

struct fz_fd {
	u8 kind;
	u8 pipe; /* FZ_PIPE_*: index into pipes[] */
};

/* A pipe this worker made; only it holds the ends, so it knows what a read or write will do. */
struct fz_pipe {
	bool r_open, w_open;
	u32 count; /* bytes in it */
};

/* Results of one call, by name: the fuzzer must reach both the paths that work and those that refuse. */
#define FZ_CALL_KINDS 20
struct fz_call_stat {
	const char *name;
	u64 ok, err;
};

/* One worker process: only its own task touches this (the parent reads it after reaping). */
struct fz_worker {
	struct fz_call_stat stats[FZ_CALL_KINDS];
	u32 cpu;
	long pid;
	u64 rng;
	u64 target, calls, ok, errors, violations;
	struct fz_fd fds[FD_MAX];
	struct fz_pipe pipes[FD_MAX];
	u8 buf[FZ_BUF];
	char path[FZ_PATH_BUF];
	struct dirent ents[FZ_ENTS];
	struct stat st;
	int pipefds[2];
};

u32 fz_pick(struct fz_worker *w, u32 n); /* uniform in [0, n) */
const char *fz_path(struct fz_worker *w, long *must);
int fz_fd(struct fz_worker *w, long *must);
void *fz_buf(struct fz_worker *w, u64 *n, u64 max, bool kernel_writes, bool *bad);
/* An address in RAM uaccess_ok must refuse (text, page tables, guard pages, no-map; rodata if kernel_writes). */
void *fz_protected(struct fz_worker *w, bool kernel_writes);
void fz_result(struct fz_worker *w, const char *call, long r, long must);
void fz_violation(struct fz_worker *w, const char *call, const char *why, long got);
/* One random call with random arguments; counts it in w->calls. */
void fz_one_call(struct fz_worker *w);

/* The bootargs fuzz_calls= and fuzz_seed= (fuzz_test.c): the EL0 case makes as many calls. */
extern u64 fuzz_calls, fuzz_seed;
/* Removes path and everything below it (nothing there is fine); false if something would not go. */
bool fz_rm_tree(const char *path, u32 depth);
/* The EL0 fuzzer's case (fuzz_el0_test.c): raw SVCs with random registers from a process per CPU. */
void fuzz_el0_raw_svcs_keep_every_invariant(struct ktest *t);

#endif
