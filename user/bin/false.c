/* false: exits with status 1, doing nothing else. */

int main(int argc, char **argv)
{
	return 1;
}
