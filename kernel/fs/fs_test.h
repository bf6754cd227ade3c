/* Shared by the fs ktest files: the fd counter (inside the kernel scope) and the cases kept in other files. */
#ifndef KERNEL_FS_FS_TEST_H
#define KERNEL_FS_FS_TEST_H

#include "fs_internal.h"
#include <locklab/ktest.h>
#include <locklab/proc.h>
#include <locklab/syscall.h>

u32 fst_fds_open(void); /* open fds of process 1 (leak checks: ktest_snapshot()) */

/*
 * A task's failed checks in the SMP cases: counted, and the first one kept (its line and the value
 * it saw), since the case reports them after the tasks have joined. Written only by its task.
 */
struct fst_fails {
	u64 bad;
	long first_err;
	u32 first_line;
};
void fst_fail(struct fst_fails *f, long r, u32 line);
/* After the join: a note naming task `who` #i's first failure, and a failed check if it had any. */
void fst_fails_report(struct ktest *t, const char *who, u32 i, const struct fst_fails *f);
#define FST_CHECK(f, cond, r)                               \
	do {                                                \
		if (!(cond))                                \
			fst_fail((f), (long)(r), __LINE__); \
	} while (0)

void fs_bad_path_arguments(struct ktest *t);			     /* fs_errors_test.c */
void fs_bad_fd_arguments(struct ktest *t);			     /* fs_errors_test.c */
void fs_smp_stress(struct ktest *t);				     /* fs_stress_test.c */
void fs_failed_create_spares_a_rival_file(struct ktest *t);	     /* fs_race_test.c */
void fs_creating_open_truncates_no_file_it_created(struct ktest *t); /* fs_race_test.c */
void fs_emfile_open_creates_nothing(struct ktest *t);		     /* fs_race_test.c */
void fs_excl_create_has_one_winner(struct ktest *t);		     /* fs_smp_race_test.c */
void fs_rmdir_races_creates_in_it(struct ktest *t);		     /* fs_smp_race_test.c */
void fs_readdir_during_churn(struct ktest *t);			     /* fs_smp_race_test.c */
void fs_rmdir_of_cwd(struct ktest *t);				     /* fs_smp_race_test.c */
void fs_unlinked_file_lives_until_last_close(struct ktest *t);	     /* fs_smp_race_test.c */
void fs_fd_table_shared_by_tasks(struct ktest *t);		     /* fs_smp_race_test.c */

#endif
