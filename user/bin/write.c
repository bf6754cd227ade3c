/* write: writes its words after the file name, joined by spaces, and a newline into that file (created or emptied first). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * What `echo text > file` does in a shell with redirections, which sh has
 * not: `write /proc/lock_stat 0` resets lockstat (docs/locking.md). One
 * write call, so a special file sees the whole text at once.
 */
int main(int argc, char **argv)
{
	static char text[1024];
	size_t len = 0;
	int fd;

	if (argc < 2) {
		dprintf(2, "usage: write FILE [WORDS...]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 1 > sizeof(text)) {
			dprintf(2, "write: more than %d bytes\n", (int)sizeof(text));
			return 1;
		}
		memcpy(text + len, argv[i], n);
		len += n;
		text[len++] = i + 1 < argc ? ' ' : '\n';
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC);
	if (fd < 0 || (len && write(fd, text, len) != (ssize_t)len)) {
		dprintf(2, "write: %s: %s\n", argv[1], strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
