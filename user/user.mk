# user/user.mk: the user programs (user/bin/*.c) and their C library (user/lib/), cross-compiled as static
# ELF files at 0x400000 (user/user.lds), and the cpio archive of them the kernel image carries (docs/user.md).
#
# Included by the top-level Makefile after the kernel rules. Everything goes
# under $(O)/user/: lib/*.o and libc.a, bin/<name>.o and bin/<name> (the
# program), stripped/<name> (the same without debug information) and initramfs.cpio (bin/<name>
# for each stripped program). kernel/fs/initramfs_data.S
# .incbin's the archive, so a changed program relinks the kernel.

AR := $(CROSS_COMPILE)ar

# The kernel's target flags less -mgeneral-regs-only (a program may use
# FP/SIMD: the kernel keeps each process's registers, arch/arm64/fpsimd.c;
# no outlined atomics: they live in libgcc), but ordinary position-dependent
# code: the programs are linked at a fixed address. -nostdinc keeps the host
# C library's headers out; the compiler's own (stdint.h, stdarg.h) stay.
# -fno-tree-loop-distribute-patterns: GCC would otherwise turn memset's loop
# into a call to memset.
UCFLAGS = -std=gnu11 -O2 -g -ffreestanding -nostdlib -nostdinc -fno-pie -static \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-ffunction-sections -fdata-sections \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	$(filter-out -mgeneral-regs-only,$(ARCH_FLAGS)) \
	-isystem $(user-cc-include) -I$(srctree)/user/include -I$(srctree)/include
UAFLAGS = -D__ASSEMBLY__ $(filter-out -std=gnu11 -Wstrict-prototypes,$(UCFLAGS))
ULDFLAGS := -static -nostdlib --no-dynamic-linker -z noexecstack -z max-page-size=4096 \
	-z common-page-size=4096 --gc-sections --build-id=none -T $(srctree)/user/user.lds
# The compiler's own header folder, asked once and only when a user object is built.
user-cc-include = $(eval user-cc-include := $$(shell $(CC) -print-file-name=include))$(user-cc-include)

user-progs := $(sort $(basename $(notdir $(wildcard $(srctree)/user/bin/*.c))))
user-lib-srcs := $(sort $(filter-out %/crt0.S,$(wildcard $(srctree)/user/lib/*.c $(srctree)/user/lib/*.S)))
user-lib-objs := $(patsubst $(srctree)/%,$(objtree)/%,$(addsuffix .o,$(basename $(user-lib-srcs))))
user-crt0 := $(objtree)/user/lib/crt0.o
user-libc := $(objtree)/user/lib/libc.a
user-bins := $(addprefix $(objtree)/user/bin/,$(user-progs))
user-c-objs := $(filter-out $(objtree)/user/lib/crt0.o,$(user-lib-objs)) $(addsuffix .o,$(user-bins))
user-s-objs := $(filter %.o,$(patsubst $(srctree)/%.S,$(objtree)/%.o,$(filter %.S,$(user-lib-srcs)))) $(user-crt0)
user-initramfs := $(objtree)/user/initramfs.cpio

# A changed flag rebuilds every user object, as .kflags does for the kernel's.
# The compiler first, as for .kflags: the stamp stays as it was, and its flags ask it for its header folder.
$(objtree)/user/.uflags: FORCE | $(objtree)
	$(need-cc)
	@mkdir -p $(dir $@)
	$(Q)echo '$(CC) $(UCFLAGS) $(ULDFLAGS)' | cmp -s - $@ || echo '$(CC) $(UCFLAGS) $(ULDFLAGS)' > $@

# Static pattern rules: explicit, so they win over the kernel's $(objtree)/%.o rules.
$(filter-out $(user-s-objs),$(user-c-objs)): $(objtree)/%.o: $(srctree)/%.c $(objtree)/user/.uflags
	$(need-cc)
	$(quiet) CC-PROG $*.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UCFLAGS) -MMD -MP -MF $@.d -c $< -o $@

$(user-s-objs): $(objtree)/%.o: $(srctree)/%.S $(objtree)/user/.uflags
	$(need-cc)
	$(quiet) AS-PROG $*.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UAFLAGS) -MMD -MP -MF $@.d -c $< -o $@

-include $(addsuffix .d,$(user-c-objs) $(user-s-objs))

$(user-libc): $(filter-out $(user-crt0),$(user-lib-objs))
	$(quiet) AR $(O)/user/lib/libc.a
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Each program: crt0, its own object, then whatever it needs of libc.a.
$(user-bins): %: %.o $(user-crt0) $(user-libc) $(srctree)/user/user.lds
	$(quiet) LD-PROG $(O)/user/bin/$(notdir $@)
	$(Q)$(LD) $(ULDFLAGS) -o $@.tmp $(user-crt0) $< $(user-libc)
	$(Q)mv $@.tmp $@

# What goes in the archive: each program without its debug information (a fifth of the size; the
# symbol table stays). $(O)/user/bin/<name> keeps it all, for gdb.
user-stripped := $(addprefix $(objtree)/user/stripped/,$(user-progs))
$(user-stripped): $(objtree)/user/stripped/%: $(objtree)/user/bin/%
	$(quiet) STRIP $(O)/user/stripped/$*
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --strip-debug $< $@

# The archive the kernel unpacks into ramfs at boot (kernel/fs/initramfs.c): bin/ and bin/<name>.
# The list of names below is a prerequisite too: a program deleted from user/bin/ leaves the archive.
$(user-initramfs): $(user-stripped) $(objtree)/include/generated/user_programs.h $(srctree)/scripts/mkcpio \
		$(srctree)/tools/locklab/mkcpio.py
	$(call need-tool,$(PYTHON))
	$(quiet) CPIO $(O)/user/initramfs.cpio
	$(Q)$(PYTHON) $(srctree)/scripts/mkcpio -o $@ $(foreach b,$(user-stripped),bin/$(notdir $(b))=$(b))

# The programs' names for the initramfs suite, which checks each is in /bin (kernel/fs/initramfs_test.c):
# from user/bin/*.c as the archive is, so a new program needs no list; rewritten only when they change.
$(objtree)/include/generated/user_programs.h: FORCE
	@mkdir -p $(dir $@)
	$(Q)printf '/* Generated by user/user.mk: the programs user/bin/ builds. */\n#define USER_PROGRAMS %s\n' \
	  '$(subst $(space),$(comma) ,$(patsubst %,"%",$(user-progs)))' > $@.tmp; cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(objtree)/kernel/fs/initramfs_test.o: $(objtree)/include/generated/user_programs.h

$(objtree)/kernel/fs/initramfs_data.o: $(user-initramfs)
$(objtree)/kernel/fs/initramfs_data.o: KAFLAGS += -DINITRAMFS_CPIO='"$(user-initramfs)"'

.PHONY: user
user: $(user-initramfs)
