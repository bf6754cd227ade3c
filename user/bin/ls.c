/* ls: the names in the directory argv[1] (or "."), one a line, a '/' after each directory's. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : ".";
	struct dirent ents[8];
	int fd = open(path, O_RDONLY | O_DIRECTORY), n;

	if (fd < 0) {
		dprintf(2, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = readdir(fd, ents, 8)) > 0) {
		for (int i = 0; i < n; i++)
			printf("%s%s\n", ents[i].d_name, ents[i].d_type == S_IFDIR ? "/" : "");
	}
	close(fd);
	if (n < 0) {
		dprintf(2, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}
