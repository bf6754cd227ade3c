/* Kernel side of the bootargs: the options declared with BOOTPARAM_* across the kernel, parsed once. */
#include <locklab/bootparam.h>
#include <locklab/console.h>

extern const struct bootarg_opt __bootparams_start[], __bootparams_end[];

static void report(const char *msg)
{
	printk("%s", msg);
}

int bootparams_parse(const char *cmdline)
{
	size_t n = (size_t)(__bootparams_end - __bootparams_start);
	int problems = bootargs_parse(cmdline, __bootparams_start, n, report);

	if (problems)
		printk("bootargs: %d problem%s above; those options keep their defaults", problems,
		       problems == 1 ? "" : "s");
	return problems;
}

void bootparams_print_help(void)
{
	for (const struct bootarg_opt *o = __bootparams_start; o < __bootparams_end; o++)
		printk("  %-10s %s", o->name, o->help);
}
