/* The page the user workloads (u-*) count into, shared by bench/wl_user.c and bench/u_testcases.user.c: constants only. */
#ifndef BENCH_U_BENCH_H
#define BENCH_U_BENCH_H

/*
 * One 64-byte slot per worker (its index), so no two workers' counters
 * share a cache line: word 0 the testcase's iterations, word 1 the
 * results it found wrong. 64 slots fill the page: a user run has one
 * worker per CPU, and CONFIG_NR_CPUS is at most 64.
 */
#define U_SLOT_WORDS	   8
#define U_SLOT_ITER	   0
#define U_SLOT_BAD	   1
#define U_MAX_WORKERS	   64
#define U_PAGE_FAULT_PAGES 64 /* u-page-fault1..3 map, touch and unmap this many pages a round */

/* Where the u-open* testcases make their files (bench/wl_user.c creates the directories). */
#define U_OPEN1_DIR "/u-open1"
#define U_OPEN2_DIR "/u-open2"
/* u-page-fault2 and 3: each worker's file, U_PAGE_FAULT_PAGES pages of U_PF_FILL bytes, is U_PF_DIR "/fNN". */
#define U_PF_DIR  "/u-pf"
#define U_PF_FILL 0x5a

#endif
