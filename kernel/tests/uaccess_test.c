/* ktest suite "uaccess": sys_* calls refuse buffers in kernel text, page tables, guard pages and (to write) rodata. */
#include <locklab/ktest.h>
#include <locklab/stack_guard.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/uaccess.h>
#include <asm/boot.h>
#include <asm/memory.h>

/*
 * Each case passes the protected address to every call that takes a
 * buffer or a path and expects -EFAULT before anything is copied. The
 * buffers the kernel would write to are chosen so that a kernel which
 * failed to refuse them damages nothing that runs: a block of never
 * executed instructions (text), the last page-table page (an L3 table
 * mmu.c never gets to), a const array of this file (rodata), an empty
 * file to read from (the read returns 0 without writing).
 */

/* 256 bytes of text no one executes. */
__asm__(".pushsection .text\n"
	".balign 64\n"
	"uaccess_text_victim:\n"
	".fill 64, 4, 0xd503201f\n" /* nop */
	".popsection");
extern const u8 uaccess_text_victim[256];

static const u8 rodata_victim[256] = { 1 }; /* not all zero: stays in .rodata */

#define FILE_DATA  "/uaccess_data"  /* 64 bytes */
#define FILE_EMPTY "/uaccess_empty" /* 0 bytes */

struct ua_files {
	int data_r, empty_r, w, dir;
};

static bool files_open(struct ktest *t, struct ua_files *f)
{
	static const char bytes[64] = "uaccess test data";
	long w = sys_creat(FILE_DATA), e = sys_creat(FILE_EMPTY);

	KT_EXPECT(t, w >= 0 && e >= 0);
	if (w < 0 || e < 0)
		return false;
	KT_EXPECT_EQ(t, sys_write((int)w, bytes, sizeof(bytes)), sizeof(bytes));
	sys_close((int)e);
	f->w = (int)w;
	f->data_r = (int)sys_open(FILE_DATA, O_RDONLY);
	f->empty_r = (int)sys_open(FILE_EMPTY, O_RDONLY);
	f->dir = (int)sys_open("/", O_RDONLY | O_DIRECTORY);
	KT_EXPECT(t, f->data_r >= 0 && f->empty_r >= 0 && f->dir >= 0);
	return f->data_r >= 0 && f->empty_r >= 0 && f->dir >= 0;
}

static void files_close(struct ktest *t, struct ua_files *f)
{
	sys_close(f->w);
	sys_close(f->data_r);
	sys_close(f->empty_r);
	sys_close(f->dir);
	KT_EXPECT_EQ(t, sys_unlink(FILE_DATA), 0);
	KT_EXPECT_EQ(t, sys_unlink(FILE_EMPTY), 0);
}

#define EXPECT_EFAULT(t, call, what)                                                               \
	do {                                                                                       \
		long __r = (call);                                                                 \
		(t)->expectations++;                                                               \
		if (__r != -EFAULT)                                                                \
			ktest_fail(t, __FILE__, __LINE__, "%s on %s = %ld (%s), expected -EFAULT", \
				   #call, what, __r, __r < 0 ? errno_name(__r) : "success");       \
	} while (0)

/* The kernel would only read from p: write() from it, and p as a path. */
static void refused_to_read(struct ktest *t, struct ua_files *f, const void *p, const char *what)
{
	struct stat st;

	EXPECT_EFAULT(t, sys_write(f->w, p, 16), what);
	EXPECT_EFAULT(t, sys_open((const char *)p, O_RDONLY), what);
	EXPECT_EFAULT(t, sys_stat((const char *)p, &st), what);
}

/* The kernel would write to p (at most 256 bytes there): read(), stat(), readdir(), pipe(), wait(). */
static void refused_to_write(struct ktest *t, struct ua_files *f, void *p, const char *what)
{
	EXPECT_EFAULT(t, sys_read(f->empty_r, p, 16), what);
	EXPECT_EFAULT(t, sys_read(f->data_r, p, 16), what);
	EXPECT_EFAULT(t, sys_stat("/", (struct stat *)p), what);
	EXPECT_EFAULT(t, sys_readdir(f->dir, (struct dirent *)p, 1), what);
	EXPECT_EFAULT(t, sys_pipe((int *)p), what);
	EXPECT_EFAULT(t, sys_wait(-1, (int *)p), what);
}

static void uaccess_refuses_kernel_text(struct ktest *t)
{
	struct ua_files f;

	if (!files_open(t, &f))
		return;
	refused_to_read(t, &f, uaccess_text_victim, "kernel text");
	refused_to_read(t, &f, (const void *)_text, "the image header");
	refused_to_write(t, &f, (void *)uaccess_text_victim, "kernel text");
	/* A buffer that runs from the end of text into rodata is refused too. */
	EXPECT_EFAULT(t, sys_write(f.w, (const void *)((u64)__rodata_start - 8), 16),
		      "the end of text");
	files_close(t, &f);
}

static void uaccess_refuses_page_tables(struct ktest *t)
{
	struct ua_files f;
	extern u64 kernel_ttbr1; /* the live L1 table (arch/arm64/mmu.c), physical */

	if (!files_open(t, &f))
		return;
	refused_to_read(t, &f, phys_to_virt(kernel_ttbr1), "the live L1 table");
	refused_to_read(t, &f, __pgtables_start, "head.S's early table");
	refused_to_write(t, &f, (void *)((u64)__pgtables_end - 256), "the last L3 table");
	files_close(t, &f);
}

/* The guard page below the stack this case runs on, found from a local's address. */
static u64 own_guard(void)
{
	void (*const regions[])(struct stack_region * r) = { task_stack_region, boot_stack_region };
	u64 here = (u64)__builtin_frame_address(0);

	for (u32 k = 0; k < ARRAY_SIZE(regions); k++) {
		struct stack_region r;

		regions[k](&r);
		if (here >= r.base && here < r.base + r.count * r.slot_size)
			return r.base + (here - r.base) / r.slot_size * r.slot_size;
	}
	return 0;
}

static void uaccess_refuses_guard_pages(struct ktest *t)
{
	void (*const regions[])(struct stack_region * r) = { task_stack_region, boot_stack_region,
							     exc_stack_region };
	u64 guard = own_guard();
	struct ua_files f;

	KT_ASSERT(t, guard);
	if (!files_open(t, &f))
		return;
	/* An overflowed buffer just below this stack: in its guard, and straddling guard and stack. */
	refused_to_read(t, &f, (const void *)guard, "this stack's guard page");
	refused_to_write(t, &f, (void *)(guard + STACK_GUARD_SIZE - 8),
			 "the top of this stack's guard page");
	/* Slot 0's guard of every region, and the last slot's. */
	for (u32 k = 0; k < ARRAY_SIZE(regions); k++) {
		struct stack_region r;

		regions[k](&r);
		refused_to_read(t, &f, (const void *)r.base, r.what);
		refused_to_read(t, &f, (const void *)(r.base + (r.count - 1) * r.slot_size + 100),
				r.what);
		/* A long buffer from one stack into the next slot's guard. */
		if (r.count > 1)
			EXPECT_EFAULT(t,
				      sys_write(f.w, (const void *)(r.base + STACK_GUARD_SIZE),
						r.slot_size),
				      r.what);
	}
	/* The bottom of this stack itself is an ordinary buffer. */
	KT_EXPECT_EQ(t, sys_write(f.w, (const void *)(guard + STACK_GUARD_SIZE), 16), 16);
	files_close(t, &f);
}

static void uaccess_rodata_is_read_only(struct ktest *t)
{
	static char path[] = FILE_DATA; /* .data: both ways */
	struct ua_files f;
	struct stat st;

	if (!files_open(t, &f))
		return;
	refused_to_write(t, &f, (void *)rodata_victim, "rodata");
	KT_EXPECT_EQ(t, *(volatile const u8 *)rodata_victim, 1);
	/* Reading rodata is what path literals need: it works. */
	KT_EXPECT_EQ(t, sys_write(f.w, rodata_victim, 16), 16);
	KT_EXPECT_EQ(t, sys_stat(FILE_DATA, &st), 0);
	KT_EXPECT_EQ(t, sys_stat(path, &st), 0);
	KT_EXPECT_EQ(t, st.size, 64 + 16);
	KT_EXPECT(t, uaccess_ok(path, sizeof(path), UACCESS_WRITE));
	KT_EXPECT(t, uaccess_ok(FILE_DATA, sizeof(FILE_DATA), UACCESS_READ));
	KT_EXPECT(t, !uaccess_ok(FILE_DATA, sizeof(FILE_DATA), UACCESS_WRITE));
	files_close(t, &f);
}

static const struct ktest_case uaccess_cases[] = {
	KTEST_CASE(uaccess_refuses_kernel_text),
	KTEST_CASE(uaccess_refuses_page_tables),
	KTEST_CASE(uaccess_rodata_is_read_only),
	/* last: a kernel that accepts a guard page panics here */
	KTEST_CASE(uaccess_refuses_guard_pages),
};
KTEST_SUITE(uaccess, uaccess_cases);
