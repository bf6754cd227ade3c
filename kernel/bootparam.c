/* Kernel side of the bootargs: the options declared with BOOTPARAM_* across the kernel, parsed once. */
#include <locklab/bootparam.h>
#include <locklab/console.h>
#include <locklab/string.h>

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
	int width = 0;

	/* One column for the help text, as wide as the longest name needs. */
	for (const struct bootarg_opt *o = __bootparams_start; o < __bootparams_end; o++)
		width = MAX(width, (int)strlen(o->name));
	for (const struct bootarg_opt *o = __bootparams_start; o < __bootparams_end; o++)
		printk("  %-*s %s", width, o->name, o->help);
}

/* The declared option called name, or NULL. */
static const struct bootarg_opt *find_param(const char *name)
{
	for (const struct bootarg_opt *o = __bootparams_start; o < __bootparams_end; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/*
 * A problem in a run's options, one line: "bench: error: unknown option
 * 'x=1' (...)" instead of the boot's "bootargs: ..." (the parser's own
 * prefix replaced). Set for the length of one bootparams_parse_some.
 */
static const char *some_who;

static void report_some(const char *msg)
{
	static const char boot[] = "bootargs: ";

	if (strncmp(msg, boot, sizeof(boot) - 1) == 0)
		msg += sizeof(boot) - 1;
	printk_raw("%s: error: %s", some_who, msg);
}

int bootparams_parse_some(const char *cmdline, const char *const names[], const char *who)
{
	struct bootarg_opt opts[BOOTPARAMS_SOME_MAX];
	size_t n = 0;

	for (u32 i = 0; names[i] && n < ARRAY_SIZE(opts); i++) {
		const struct bootarg_opt *o = find_param(names[i]);

		if (o)
			opts[n++] = *o;
	}
	some_who = who;
	return bootargs_parse(cmdline, opts, n, report_some);
}

int bootparams_refuse_empty(const char *cmdline, const char *name, const char *who)
{
	const struct bootarg_opt *o = find_param(name);
	/* "-" stays, not empty, where name= is not given (or is too long for value[]) */
	char value[64] = "-";
	struct bootarg_opt one;

	if (!o || o->type != BOOTARG_STR)
		return 0;
	one = *o;
	one.dest = value;
	one.str_size = sizeof(value);
	bootargs_parse(cmdline, &one, 1, NULL); /* the other options are problems here: not said */
	if (value[0])
		return 0;
	printk_raw(
		"%s: error: %s= has no value: give one, or leave %s= out for its default (%s: %s)",
		who, name, name, name, o->help);
	return 1;
}

/* The bytes an option's variable takes. */
static size_t param_size(const struct bootarg_opt *o)
{
	return o->type == BOOTARG_FLAG ? sizeof(bool) :
	       o->type == BOOTARG_UINT ? sizeof(u64) :
					 o->str_size;
}

bool bootparams_copy(const char *const names[], void *buf, size_t size, bool restore)
{
	u8 *b = buf;
	size_t at = 0;

	for (u32 i = 0; names[i]; i++) {
		const struct bootarg_opt *o = find_param(names[i]);

		if (!o)
			continue;
		if (at + param_size(o) > size)
			return false;
		if (restore)
			memcpy(o->dest, b + at, param_size(o));
		else
			memcpy(b + at, o->dest, param_size(o));
		at += param_size(o);
	}
	return true;
}
