/* ktest suite "exec": spawn(path, argv) loading static ELF files (text, data, bss, arguments), and every refusal. */
#include <locklab/ktest.h>
#include "user_ktest.h"
#include <locklab/elf.h>
#include <locklab/errno.h>
#include <locklab/fcntl.h>
#include <locklab/file.h>
#include <locklab/mm.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/user.h>

long u_exec_spawn(u64 unused), u_exec_spawn_edges(u64 unused),
	u_exec_spawn_until_refused(u64 want); /* exec.user.c */

/*
 * A program built here, so the suite needs no toolchain output: exit(argc
 * + the data word (20) + the first bss word (0) + argv[1][0]), storing
 * the sum to bss on the way (assembled by aarch64-linux-gnu-as, checked
 * with objdump). Text at 0x401000 (file offset 0x1000, the segment from
 * offset 0 as a linker lays it out), data at 0x402000 with 8 bytes in the
 * file and two more pages of bss.
 */
static const u32 prog_code[] = {
	0xd2a00803, /* movz x3, #0x40, lsl #16   x3 = 0x400000 */
	0x91400863, /* add  x3, x3, #2, lsl #12  the data page */
	0xf9400064, /* ldr  x4, [x3]             20 */
	0x8b040000, /* add  x0, x0, x4 */
	0x91400465, /* add  x5, x3, #1, lsl #12  the first bss page */
	0xf94000a6, /* ldr  x6, [x5]             0 */
	0x8b060000, /* add  x0, x0, x6 */
	0xf90000a0, /* str  x0, [x5]             bss is writable */
	0xf9400427, /* ldr  x7, [x1, #8]         argv[1] */
	0x394000e7, /* ldrb w7, [x7] */
	0x8b070000, /* add  x0, x0, x7 */
	0xd2800048, /* mov  x8, #2               SYS_exit */
	0xd4000001, /* svc  #0 */
};

#define PROG_SIZE 0x2008
static u8 prog[PROG_SIZE];

/* The good program; a case then breaks one field of it. */
static void build_prog(void)
{
	struct elf64_ehdr *eh = (struct elf64_ehdr *)prog;
	struct elf64_phdr *ph = (struct elf64_phdr *)(prog + sizeof(*eh));
	u64 data = 20;

	memset(prog, 0, sizeof(prog));
	memcpy(eh->e_ident,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	eh->e_type = ELF_ET_EXEC;
	eh->e_machine = ELF_EM_AARCH64;
	eh->e_version = 1;
	eh->e_entry = 0x401000;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0] = (struct elf64_phdr){ ELF_PT_LOAD,
				     ELF_PF_R | ELF_PF_X,
				     0,
				     0x400000,
				     0x400000,
				     0x1000 + sizeof(prog_code),
				     0x1000 + sizeof(prog_code),
				     0x1000 };
	ph[1] = (struct elf64_phdr){
		ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x2000, 0x402000, 0x402000, 8, 0x3000, 0x1000
	};
	memcpy(prog + 0x1000, prog_code, sizeof(prog_code));
	memcpy(prog + 0x2000, &data, sizeof(data));
}

/* Writes n bytes of prog to path (replacing it). */
static void write_file(struct ktest *t, const char *path, u64 n)
{
	long fd = sys_creat(path);

	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_write((int)fd, prog, n), (long)n);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
}

static void exec_case_init(struct ktest *t)
{
	long r = sys_mkdir("/exec");

	KT_EXPECT(t, r == 0 || r == -EEXIST);
	build_prog();
	write_file(t, "/exec/prog", PROG_SIZE);
	user_case_init(t); /* after the files: they stay for the next case */
}

static const char *const good_argv[] = { "prog", "A", "b", NULL };

/* The program's exit status: argc 3 + 20 + 0 + 'A'. */
#define PROG_STATUS (3 + 20 + 'A')

static void exec_runs_a_static_elf_on_every_cpu(struct ktest *t)
{
	long pids[CONFIG_NR_CPUS] = { 0 };

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		if (cpu_is_online(c)) {
			pids[c] = user_spawn_file("/exec/prog", good_argv, (int)c);
			KT_EXPECT(t, pids[c] > 1);
		}
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		int status = -1;

		if (pids[c] <= 1)
			continue;
		KT_EXPECT_EQ(t, sys_wait((int)pids[c], &status), pids[c]);
		KT_EXPECT_EQ(t, status, PROG_STATUS);
	}
}

/*
 * The loader reads through a file of its own, not an fd: a caller whose
 * table is full still spawns (it got -EMFILE), and the child starts with
 * the caller's fds, none more or fewer.
 */
static void exec_spawns_with_a_full_fd_table(struct ktest *t)
{
	struct ktest_snapshot snap;
	long fds[FD_MAX], pid;
	int status = -1;
	u32 n = 0;

	ktest_snapshot(&snap);
	for (long fd; n < FD_MAX && (fd = sys_open("/exec/prog", O_RDONLY)) >= 0;)
		fds[n++] = fd;
	KT_EXPECT_EQ(t, snap.fds + n, (u64)FD_MAX);
	KT_EXPECT_EQ(t, sys_open("/exec/prog", O_RDONLY), -EMFILE);
	pid = user_spawn_file("/exec/prog", good_argv, TASK_ANY_CPU);
	KT_EXPECT(t, pid > 1);
	if (pid > 1) {
		KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
		KT_EXPECT_EQ(t, status, PROG_STATUS);
	}
	ktest_snapshot(&snap);
	KT_EXPECT_EQ(t, snap.fds, (u64)FD_MAX);
	while (n)
		KT_EXPECT_EQ(t, sys_close((int)fds[--n]), 0);
}

/* Writes prog (as damaged by the caller) to /exec/bad and expects spawn to refuse it with err. */
static void expect_refused(struct ktest *t, const char *what, u64 n, long err)
{
	long r;

	write_file(t, "/exec/bad", n);
	r = user_spawn_file("/exec/bad", good_argv, TASK_ANY_CPU);
	if (r != err)
		ktest_fail(t, __FILE__, __LINE__, "%s: spawn gave %ld, expected %ld", what, r, err);
	if (r > 0)
		sys_wait((int)r, NULL);
	build_prog();
}

static void exec_refuses_what_it_cannot_load(struct ktest *t)
{
	struct elf64_ehdr *eh = (struct elf64_ehdr *)prog;
	struct elf64_phdr *ph = (struct elf64_phdr *)(prog + sizeof(*eh));
	const char *many[SPAWN_MAX_ARGS + 2];
	static char long_arg[200];

	KT_EXPECT_EQ(t, user_spawn_file("/exec/none", good_argv, TASK_ANY_CPU), -ENOENT);
	KT_EXPECT_EQ(t, user_spawn_file("/exec", good_argv, TASK_ANY_CPU), -EISDIR);
	/* a special file that cannot seek: not an executable (it said -ESPIPE) */
	KT_EXPECT_EQ(t, user_spawn_file("/proc/lock_stat", good_argv, TASK_ANY_CPU), -ENOEXEC);
	expect_refused(t, "empty file", 0, -ENOEXEC);
	expect_refused(t, "truncated header", 40, -ENOEXEC);
	prog[1] = 'X';
	expect_refused(t, "bad magic", PROG_SIZE, -ENOEXEC);
	eh->e_machine = 62; /* x86-64 */
	expect_refused(t, "another machine", PROG_SIZE, -ENOEXEC);
	eh->e_type = 3; /* ET_DYN */
	expect_refused(t, "not ET_EXEC", PROG_SIZE, -ENOEXEC);
	eh->e_phoff = PROG_SIZE - 8;
	expect_refused(t, "program headers past the end", PROG_SIZE, -ENOEXEC);
	eh->e_phoff = ~0UL - 63; /* past any file, not the -EINVAL of a negative lseek */
	expect_refused(t, "program headers at an offset above 2^63", PROG_SIZE, -ENOEXEC);
	ph[1].p_offset += 1UL << 63;
	expect_refused(t, "a segment at an offset above 2^63", PROG_SIZE, -ENOEXEC);
	ph[1].p_flags |= ELF_PF_X;
	expect_refused(t, "a writable and executable segment", PROG_SIZE, -ENOEXEC);
	eh->e_entry = 0x402000;
	expect_refused(t, "entry outside the text", PROG_SIZE, -ENOEXEC);
	ph[1].p_filesz = 0x4000;
	expect_refused(t, "more file than memory", PROG_SIZE, -ENOEXEC);
	ph[1].p_vaddr = USER_HEAP_BASE;
	expect_refused(t, "a segment in the heap", PROG_SIZE, -ENOEXEC);
	ph[1].p_vaddr = 0x401000;
	expect_refused(t, "overlapping segments", PROG_SIZE, -EINVAL);
	ph[1].p_offset = 0x2001;
	expect_refused(t, "offset and address not congruent", PROG_SIZE, -ENOEXEC);
	ph[1].p_filesz = ph[1].p_memsz = 0x8000; /* the file ends first */
	expect_refused(t, "segment past the end of the file", PROG_SIZE, -ENOEXEC);
	for (u32 i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = i + 1 < ARRAY_SIZE(many) ? "x" : NULL;
	KT_EXPECT_EQ(t, user_spawn_file("/exec/prog", many, TASK_ANY_CPU), -E2BIG);
	memset(long_arg, 'y', sizeof(long_arg) - 1);
	for (u32 i = 0; i < 8; i++)
		many[i] = long_arg;
	many[8] = NULL;
	KT_EXPECT_EQ(t, user_spawn_file("/exec/prog", many, TASK_ANY_CPU), -E2BIG);
	KT_EXPECT_EQ(t, sys_unlink("/exec/bad"), 0);
}

static void exec_spawn_from_el0(struct ktest *t)
{
	long *r = user_shared_alloc();
	int status;

	KT_ASSERT(t, r);
	KT_EXPECT(t, run_user("spawner", u_exec_spawn, 0, r, TASK_ANY_CPU, &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, r[63], 7L);
	KT_EXPECT_EQ(t, r[0], 1L);
	KT_EXPECT_EQ(t, r[1], 1L);
	KT_EXPECT_EQ(t, r[2], (long)PROG_STATUS);
	KT_EXPECT_EQ(t, r[3], -EFAULT);
	KT_EXPECT_EQ(t, r[4], -EFAULT);
	KT_EXPECT_EQ(t, r[5], -EFAULT);
	KT_EXPECT_EQ(t, r[6], -ENOENT);
	user_shared_free(r);
}

/*
 * Headers a linker never writes but a user can: each refused, nothing
 * kept (the case's exit checks pages, task slots and ASIDs).
 */
static void exec_refuses_malformed_headers(struct ktest *t)
{
	struct elf64_ehdr *eh = (struct elf64_ehdr *)prog;
	struct elf64_phdr *ph = (struct elf64_phdr *)(prog + sizeof(*eh));

	eh->e_phnum = 0;
	expect_refused(t, "no program headers", PROG_SIZE, -ENOEXEC);
	eh->e_phnum = 0xffff;
	expect_refused(t, "65535 program headers", PROG_SIZE, -ENOEXEC);
	eh->e_phentsize = 32;
	expect_refused(t, "program headers of another size", PROG_SIZE, -ENOEXEC);
	ph[0].p_type = ph[1].p_type = 4; /* PT_NOTE */
	expect_refused(t, "no PT_LOAD", PROG_SIZE, -ENOEXEC);
	ph[0].p_memsz = 0;
	expect_refused(t, "an empty text segment", PROG_SIZE, -ENOEXEC);
	ph[1].p_vaddr = ph[1].p_offset = 0;
	expect_refused(t, "a segment at address 0", PROG_SIZE, -ENOEXEC);
	ph[1].p_vaddr = 0xffffff8000402000UL;
	expect_refused(t, "a segment in the kernel half", PROG_SIZE, -ENOEXEC);
	ph[1].p_memsz = ~0UL - 0x1000;
	expect_refused(t, "a segment whose end wraps around", PROG_SIZE, -ENOEXEC);
	ph[1].p_memsz = USER_HEAP_BASE - 0x402000 + 1;
	expect_refused(t, "a segment one byte into the heap", PROG_SIZE, -ENOEXEC);
	ph[1].p_vaddr = 0x401800;
	ph[1].p_offset = 0x1800;
	expect_refused(t, "a segment sharing the text's page", PROG_SIZE, -EINVAL);
	eh->e_entry = 0x401034;
	expect_refused(t, "entry just past the text", PROG_SIZE, -ENOEXEC);
	eh->e_entry = 0x400000 - 4;
	expect_refused(t, "entry just below the text", PROG_SIZE, -ENOEXEC);
	/* nine PT_LOAD, one more than the loader keeps (read-only pages after the data); eight run */
	for (u32 n = 9; n >= 8; n--) {
		int status = -1;
		long pid;

		eh->e_phnum = (u16)n;
		for (u32 i = 2; i < n; i++)
			ph[i] = (struct elf64_phdr){ ELF_PT_LOAD, ELF_PF_R,
						     0,		  0x410000 + i * 0x1000,
						     0,		  0,
						     0x1000,	  0x1000 };
		if (n == 9) {
			expect_refused(t, "nine PT_LOAD", PROG_SIZE, -ENOEXEC);
			continue;
		}
		write_file(t, "/exec/bad", PROG_SIZE);
		pid = user_spawn_file("/exec/bad", good_argv, TASK_ANY_CPU);
		KT_EXPECT(t, pid > 1);
		if (pid > 1) {
			KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
			KT_EXPECT_EQ(t, status, PROG_STATUS);
		}
	}
	build_prog();
	KT_EXPECT_EQ(t, sys_unlink("/exec/bad"), 0);
}

/* From EL0: argv and a path that run into an unmapped page, the argument limits at their edges, no program. */
static void exec_spawn_limits_from_el0(struct ktest *t)
{
	long *r = user_shared_alloc();
	int status;

	KT_ASSERT(t, r);
	KT_EXPECT(t, run_user("spawner", u_exec_spawn_edges, 0, r, TASK_ANY_CPU, &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, r[63], 11L);
	KT_EXPECT_EQ(t, r[0], -EFAULT);	      /* argv with no NULL before a bad page */
	KT_EXPECT_EQ(t, r[1], -EFAULT);	      /* a path with no NUL before it */
	KT_EXPECT_EQ(t, r[2], -ENAMETOOLONG); /* an argument of 256 bytes */
	KT_EXPECT_EQ(t, r[3], 2 + 20 + 'y');  /* one of 255 runs */
	KT_EXPECT_EQ(t, r[4], 5 + 20 + 'y');  /* 1024 bytes of them run */
	KT_EXPECT_EQ(t, r[5], -E2BIG);	      /* 1025 do not */
	KT_EXPECT_EQ(t, r[6], 32 + 20 + 'A'); /* 32 arguments run */
	KT_EXPECT_EQ(t, r[7], -E2BIG);	      /* 33 do not */
	KT_EXPECT_EQ(t, r[8], -EISDIR);
	KT_EXPECT_EQ(t, r[9], -ENOENT);
	KT_EXPECT_EQ(t, r[10], -ENOEXEC);
	user_shared_free(r);
}

/*
 * A user process spawning until no task slot is left gets EAGAIN after
 * exactly as many as were free (its children are zombies holding theirs),
 * reaps every one with wait(-1), and spawns again; the case's exit checks
 * that every slot, page and ASID came back.
 */
static void exec_spawn_until_no_slot_is_left(struct ktest *t)
{
	struct ktest_snapshot before;
	long *r = user_shared_alloc();
	int status;

	KT_ASSERT(t, r);
	ktest_snapshot(&before);
	KT_EXPECT(t, run_user("spawner", u_exec_spawn_until_refused, PROG_STATUS, r, TASK_ANY_CPU,
			      &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, r[63], 6L);
	KT_EXPECT_EQ(t, r[0], (long)before.free_task_slots - 1); /* the spawner has one */
	KT_EXPECT_EQ(t, r[1], -EAGAIN);
	KT_EXPECT_EQ(t, r[2], r[0]);
	KT_EXPECT_EQ(t, r[3], 0L);
	KT_EXPECT_EQ(t, r[4], -ECHILD);
	KT_EXPECT_EQ(t, r[5], (long)PROG_STATUS);
	user_shared_free(r);
}

/* Whether line (with its newline) is one of text's lines. */
static bool has_line(const char *text, const char *line)
{
	u64 n = strlen(line);

	for (const char *p = text; *p; p++)
		if ((p == text || p[-1] == '\n') && strncmp(p, line, n) == 0 && p[n] == '\n')
			return true;
	return false;
}

/* The programs of user/bin (the initramfs): crt0, the libc's printf, syscalls and malloc on brk, end to end. */
static void exec_runs_the_programs_in_bin(struct ktest *t)
{
	static const char text[] = "line one\nline two\n";
	char out[512];
	long fd;

	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/hello", (const char *const[]){ "hello", NULL }, NULL,
				  out, sizeof(out)),
		     0);
	KT_EXPECT_MEMEQ(t, out, "hello from pid ", 15);
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/echo",
				  (const char *const[]){ "echo", "a", "bc", "", "d", NULL }, NULL,
				  out, sizeof(out)),
		     0);
	KT_EXPECT_STREQ(t, out, "a bc  d\n");
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/true", (const char *const[]){ "true", NULL }, NULL, out,
				  sizeof(out)),
		     0);
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/false", (const char *const[]){ "false", NULL }, NULL,
				  out, sizeof(out)),
		     1);
	fd = sys_creat("/exec/text");
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_write((int)fd, text, sizeof(text) - 1), (long)sizeof(text) - 1);
	sys_close((int)fd);
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/cat", (const char *const[]){ "cat", "/exec/text", NULL },
				  NULL, out, sizeof(out)),
		     0);
	KT_EXPECT_STREQ(t, out, text);
	KT_EXPECT_EQ(t, sys_unlink("/exec/text"), 0);
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/ls", (const char *const[]){ "ls", "/bin", NULL }, NULL,
				  out, sizeof(out)),
		     0);
	KT_EXPECT(t, has_line(out, "hello") && has_line(out, "malloctest") && has_line(out, "sh"));
	/* Every argument, not only the first: a file as its name, a missing one said, status 1. */
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/ls",
				  (const char *const[]){ "ls", "/exec", "/bin/sh", "/exec/none",
							 "/bin", NULL },
				  NULL, out, sizeof(out)),
		     1);
	KT_EXPECT(t, has_line(out, "/exec:") && has_line(out, "/bin/sh") &&
			     has_line(out, "ls: /exec/none: ENOENT") && has_line(out, "/bin:") &&
			     has_line(out, "malloctest"));
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/malloctest", (const char *const[]){ "malloctest", NULL },
				  NULL, out, sizeof(out)),
		     0);
	KT_EXPECT_STREQ(t, out, "malloc ok\n");
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/write",
				  (const char *const[]){ "write", "/exec/w", "a", "b c", NULL },
				  NULL, out, sizeof(out)),
		     0);
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/cat", (const char *const[]){ "cat", "/exec/w", NULL },
				  NULL, out, sizeof(out)),
		     0);
	KT_EXPECT_STREQ(t, out, "a b c\n");
	KT_EXPECT_EQ(t, sys_unlink("/exec/w"), 0);
	KT_EXPECT_EQ(t,
		     run_captured(t, "/bin/write",
				  (const char *const[]){ "write", "/exec/no/w", "x", NULL }, NULL,
				  out, sizeof(out)),
		     1);
	KT_EXPECT_STREQ(t, out, "write: /exec/no/w: ENOENT\n");
}

static const struct ktest_case exec_cases[] = {
	KTEST_CASE(exec_runs_a_static_elf_on_every_cpu),
	KTEST_CASE(exec_spawns_with_a_full_fd_table),
	KTEST_CASE(exec_refuses_what_it_cannot_load),
	KTEST_CASE(exec_refuses_malformed_headers),
	KTEST_CASE(exec_spawn_limits_from_el0),
	KTEST_CASE(exec_spawn_until_no_slot_is_left),
	KTEST_CASE(exec_spawn_from_el0),
	KTEST_CASE(exec_runs_the_programs_in_bin),
};

KTEST_SUITE(exec, exec_cases, .init = exec_case_init, .exit = user_case_exit);
