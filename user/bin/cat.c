/* cat: the files named in its arguments, in order, on fd 1; with none, fd 0 (a pipe its spawner set up). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

static char buf[4096];

/* Copies fd to fd 1 until the end; 0, or -1 with errno set. */
static int copy(int fd)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf)), done = 0;

		if (n <= 0)
			return (int)n;
		while (done < n) {
			ssize_t w = write(1, buf + done, (size_t)(n - done));

			if (w < 0)
				return -1;
			done += w;
		}
	}
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		if (copy(0) == 0)
			return 0;
		/* a pipe that failed, or the console refusing a line too long (EOVERFLOW) */
		dprintf(2, "cat: stdin: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0 || copy(fd) < 0) {
			dprintf(2, "cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return status;
}
