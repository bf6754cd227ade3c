/* sh: the shell: reads command lines from fd 0 (or a script file), runs programs by path or from /bin, and has a few built-ins. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <locklab/tty_line.h>

/*
 * A line is words split at spaces and tabs; "double quotes" keep blanks
 * inside a word and are removed; a line whose first word starts with '#'
 * is a comment. No variables, globbing, redirection or pipes: their
 * operators as words of their own are refused, the line not run. Its own
 * complaints go to fd 2 (docs/user.md, "The shell").
 */
#define LINE_MAX  512
#define MAX_WORDS 32

/*
 * Input, kept between reads: the console's read returns one line, but a
 * pipe or a file may return several lines, or a line in pieces.
 */
static char in_buf[LINE_MAX];
static size_t in_len;	  /* bytes in in_buf */
static int in_eof;	  /* read returned 0 (or failed): what is left is the last line */
static int in_failed;	  /* read failed: the shell's status is 1, not end of input's 0 */
static int in_discarding; /* dropping the rest of a line too long for in_buf */
static int in_fd;	  /* 0, or the script named as sh's argument */
static const char *in_name = "stdin"; /* in_fd's name, for a read that fails */

/* The complaint about a line too long for in_buf (limit LINE_MAX - 1) or the console (TTY_LINE_MAX - 1). */
static void say_too_long(int limit)
{
	dprintf(2, "sh: line longer than %d bytes: ignored\n", limit);
}

/* Takes the first n bytes of in_buf (and the newline after them, if any) as a line. */
static void take_line(char *line, size_t n, size_t used)
{
	memcpy(line, in_buf, n);
	line[n] = '\0';
	memmove(in_buf, in_buf + used, in_len - used);
	in_len -= used;
}

/*
 * After a console read that failed (Ctrl-C, a line refused, lines lost):
 * what in_buf holds of a line (bytes Ctrl-D handed over without a newline)
 * lost its end with it. Kept, it ran with the next line typed on its end
 * ("abc" Ctrl-D, a line too long, then "ls" ran "abcls"); and a line
 * being discarded was still so, and took the next line with it.
 */
static void drop_partial_line(void)
{
	in_len = 0;
	in_discarding = 0;
}

/* The next line, without its newline, in line[LINE_MAX]; 0 at end of input. */
static int read_line(char *line)
{
	for (;;) {
		size_t nl = 0;
		long got;

		while (nl < in_len && in_buf[nl] != '\n')
			nl++;
		if (nl < in_len) {
			if (in_discarding) { /* the end of an over-long line */
				take_line(line, 0, nl + 1);
				in_discarding = 0;
				continue;
			}
			take_line(line, nl, nl + 1);
			return 1;
		}
		if (in_eof) { /* a last line without a newline still runs */
			if (in_len == 0 || in_discarding)
				return 0;
			take_line(line, in_len, in_len);
			return 1;
		}
		if (in_len == sizeof(in_buf)) {
			if (!in_discarding) /* once a line: the rest of it goes unsaid */
				say_too_long(LINE_MAX - 1);
			in_len = 0;
			in_discarding = 1;
		}
		got = read(in_fd, in_buf + in_len, sizeof(in_buf) - in_len);
		if (got > 0)
			in_len += (size_t)got;
		else if (got < 0 && errno == EINTR) {
			/* Ctrl-C at the console: the line typed so far is gone; prompt again */
			drop_partial_line();
			printf("$ ");
		} else if (got < 0 && errno == EOVERFLOW) {
			/* the console refused a line longer than it keeps, whole: nothing of it runs */
			drop_partial_line();
			say_too_long(TTY_LINE_MAX - 1);
			printf("$ ");
		} else if (got < 0 && errno == ENOBUFS) {
			/* lines came faster than they were read: the lines after this point are not all there */
			drop_partial_line();
			dprintf(2,
				"sh: console input lost: lines came faster than they were read\n");
		} else {
			if (got < 0) /* a folder named as the script: not an empty script */
				dprintf(2, "sh: %s: %s\n", in_name, strerror(errno));
			in_failed = got < 0;
			in_eof = 1;
		}
	}
}

/*
 * A word that is an operator in other shells, unquoted: refused rather
 * than passed on as an argument, so "echo 0 > /proc/lock_stat" says why
 * nothing was written instead of printing "0 > /proc/lock_stat".
 */
static int is_operator(const char *w)
{
	static const char *const ops[] = { ">", ">>", "<", "|", "||", ";", "&", "&&" };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(w, ops[i]) == 0)
			return 1;
	return 0;
}

/*
 * Splits line in place into words[] (NULL after the last); returns how
 * many, or -1 after saying what is wrong.
 */
static int split(char *line, char **words)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		int quoted = 0, had_quote = 0;
		char end;

		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r || (n == 0 && *r == '#'))
			break;
		if (n == MAX_WORDS) {
			dprintf(2, "sh: more than %d words\n", MAX_WORDS);
			return -1;
		}
		words[n++] = w;
		while (*r && (quoted || (*r != ' ' && *r != '\t'))) {
			if (*r == '"') {
				quoted = !quoted;
				had_quote = 1;
			} else {
				*w++ = *r; /* w never passes r: quotes only shrink the word */
			}
			r++;
		}
		if (quoted) {
			dprintf(2, "sh: unterminated quote\n");
			return -1;
		}
		end = *r;
		*w++ = '\0';
		if (!had_quote && is_operator(words[n - 1])) {
			dprintf(2,
				"sh: %s: no redirections or pipes (write FILE TEXT writes a file)\n",
				words[n - 1]);
			return -1;
		}
		if (end)
			r++;
	}
	words[n] = NULL;
	return n;
}

/* Runs a program and waits for it; its exit status (127: not found, 126: could not start). */
static int run_program(char **argv)
{
	char path[256];
	int pid, status = -1;

	/* "" names no program: as a path it would be /bin/, a folder, and say EISDIR */
	if (!argv[0][0]) {
		dprintf(2, "sh: \"\": not found\n");
		return 127;
	}
	/* a name cut to fit would run, or fail to find, another program than the one typed */
	if (snprintf(path, sizeof(path), "%s%s", strchr(argv[0], '/') ? "" : "/bin/", argv[0]) >=
	    (int)sizeof(path)) {
		dprintf(2, "sh: %.40s...: ENAMETOOLONG\n", argv[0]);
		return 126;
	}
	pid = spawn(path, argv);
	if (pid < 0) {
		if (errno == ENOENT) {
			dprintf(2, "sh: %s: not found\n", argv[0]);
			return 127;
		}
		dprintf(2, "sh: %s: %s\n", argv[0], strerror(errno));
		return 126;
	}
	if (wait(pid, &status) != pid) {
		dprintf(2, "sh: %s: wait: %s\n", argv[0], strerror(errno));
		return 1;
	}
	if (status != 0)
		dprintf(2, "sh: %s: exit %d\n", argv[0], status);
	return status;
}

/* Joins words[from..] with sep into buf (size n); 0 if they do not fit. */
static int join(char *buf, size_t n, char **words, int from, char sep)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = from; words[i]; i++) {
		size_t len = strlen(words[i]);

		if (at + len + 2 > n)
			return 0;
		if (at)
			buf[at++] = sep;
		memcpy(buf + at, words[i], len + 1);
		at += len;
	}
	return 1;
}

/* ktest and bench: the call's result (failed cases or runs, or -1 and errno) as a status. */
static int run_builtin_call(char **words, char sep, int (*call)(const char *))
{
	char arg[256];
	int r;

	if (!words[1]) {
		dprintf(2, "sh: %s: what to run? (help)\n", words[0]);
		return 2;
	}
	if (!join(arg, sizeof(arg), words, 1, sep)) {
		dprintf(2, "sh: %s: arguments longer than %d bytes\n", words[0],
			(int)sizeof(arg) - 1);
		return 2;
	}
	r = call(arg);
	if (r < 0) {
		dprintf(2, "sh: %s: %s\n", words[0], strerror(errno));
		return 1;
	}
	if (r > 0)
		dprintf(2, "sh: %s: %d failed\n", words[0], r);
	return r > 255 ? 255 : r;
}

static void help(void)
{
	printf("<program> [args]  run a program: a word with a '/' is a path, else /bin/<program>\n"
	       "cd [dir]          change directory (default /)\n"
	       "exit [n]          leave the shell with status n (default 0)\n"
	       "poweroff          end the run (status=pass unless something failed)\n"
	       "ktest <suites>    run ktest suites: all, or names (spaces or commas between)\n"
	       "bench <workloads> [key=value...]\n"
	       "                  run benchmarks, e.g. bench getpid cpus=1,2 duration_ms=200\n"
	       "time <command>    run the command, then print its elapsed time on stderr\n"
	       "help              this text\n"
	       "no redirections, pipes or ;: write FILE TEXT writes a file\n");
}

/* A number for exit: digits only, 0..255; -1 if not. */
static int parse_status(const char *s)
{
	int v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 255)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v > 255 ? -1 : v;
}

static int run_line(char **w, int *done);

/* time: the rest of the line run as a line of its own, then "real S.UUUUUU s" on fd 2; its status. */
static int run_timed(char **w, int *done)
{
	struct timespec t0, t1;
	long us;
	int status;

	if (!w[1]) {
		dprintf(2, "sh: time: what to run? (help)\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	status = run_line(w + 1, done);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
	dprintf(2, "real %ld.%06ld s\n", us / 1000000, us % 1000000);
	return status;
}

/* Runs one command line; its status. Sets *done to leave the shell (exit). */
static int run_line(char **w, int *done)
{
	if (strcmp(w[0], "cd") == 0) {
		const char *dir = w[1] ? w[1] : "/";

		if (chdir(dir) < 0) {
			dprintf(2, "sh: cd: %s: %s\n", dir, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (strcmp(w[0], "exit") == 0) {
		int status = w[1] ? parse_status(w[1]) : 0;

		if (status < 0) {
			dprintf(2, "sh: exit: %s: not a number from 0 to 255\n", w[1]);
			return 2;
		}
		*done = 1;
		return status;
	}
	if (strcmp(w[0], "poweroff") == 0)
		poweroff();
	if (strcmp(w[0], "ktest") == 0)
		return run_builtin_call(w, ',', ktest);
	if (strcmp(w[0], "bench") == 0)
		return run_builtin_call(w, ' ', bench);
	if (strcmp(w[0], "time") == 0)
		return run_timed(w, done);
	if (strcmp(w[0], "help") == 0) {
		help();
		return 0;
	}
	return run_program(w);
}

int main(int argc, char **argv)
{
	static char line[LINE_MAX];
	char *words[MAX_WORDS + 1];
	int done = 0, status = 0;

	/*
	 * sh FILE runs the commands in FILE, unprompted, as other shells do;
	 * an argument left unread made "sh script" a new interactive shell on
	 * the console that said nothing of the script.
	 */
	if (argc > 2) {
		dprintf(2, "usage: sh [FILE]\n");
		return 2;
	}
	if (argc == 2) {
		in_name = argv[1];
		in_fd = open(in_name, O_RDONLY);
		if (in_fd < 0) {
			dprintf(2, "sh: %s: %s\n", argv[1], strerror(errno));
			return 127;
		}
	}
	while (!done) {
		int n;

		if (in_fd == 0)
			printf("$ ");
		if (!read_line(line))
			return in_failed; /* end of input */
		n = split(line, words);
		if (n > 0)
			status = run_line(words, &done);
	}
	return status;
}
