/* ls: the names in each directory argument (or "."), one a line, a '/' after each directory's; a file's own name. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lists one argument; 0, or 1 after saying why it could not. */
static int list(const char *path, int header)
{
	struct dirent ents[8];
	struct stat st;
	int fd, n;

	/* A file is listed as its name, as other ls do; a missing one is an error. */
	if (stat(path, &st) < 0) {
		dprintf(2, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (st.st_type != S_IFDIR) {
		printf("%s\n", path);
		return 0;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		dprintf(2, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (header)
		printf("%s:\n", path);
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

/*
 * Every argument in order: more than one, and each directory's names come
 * under a "path:" line, so that whose names are whose can be told apart.
 * One that fails is said and skipped; the status is then 1.
 */
int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return list(".", 0);
	for (int i = 1; i < argc; i++)
		status |= list(argv[i], argc > 2);
	return status;
}
