# locklab top-level Makefile: Kconfig targets, a kbuild-style non-recursive build, QEMU and tests.
#
# Each source folder has a Kbuild file listing `obj-y += x.o` and
# `obj-$(CONFIG_X) += y.o` (and `obj-y += sub/` to descend). This file reads
# them all into one make graph, so dependencies are exact and -j works.
# Everything generated goes under $(O) (default: build/), including .config.

MAKEFLAGS += --no-builtin-rules --no-builtin-variables
.SUFFIXES:
.DEFAULT_GOAL := all

# Defined first: a := variable that uses $(comma) earlier would expand it empty.
comma := ,
empty :=
space := $(empty) $(empty)
# Checks of what a user typed: y if $(1) is a whole number from $(2) to $(3) (the three right-aligned in
# sort order, so a seed up to 2^64-1 needs no 64-bit shell arithmetic); $(1) if it is one word among $(2).
in-range = $(shell v=$(call shell-quote,$(1)); echo "$$v" | grep -qxE '0|[1-9][0-9]*' && printf '%40s\n' $(2) "$$v" $(3) | LC_ALL=C sort -C && echo y)
one-of = $(if $(filter 1,$(words $(1))),$(filter $(2),$(1)))
# $(1) as one shell word, as typed: in double quotes a value's own quotes, $ and ` were the shell's.
shell-quote = '$(subst ','\'',$(1))'

srctree := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
# make splits a path at a space (and takes a colon for a rule's): with one in the tree's path,
# it stopped on an odd error about an included folder or 'multiple target patterns'.
ifneq ($(words $(srctree))$(findstring :,$(srctree))$(if $(wildcard $(srctree)/Kconfig),,x),1)
  $(error the source tree's path has a space or a colon, which make cannot handle: move or clone it to a path without one)
endif
O ?= build
o-given := $(O)
override O := $(patsubst %/,%,$(O))
objtree := $(abspath $(O))

# O= is a folder of the build's own: make clean removes the kernel's folders (kernel/, include/,
# user/...) from it and distclean the folder itself. An empty O= (or O=/) put the build in / and ran
# kconfig-conf in $HOME, where it moved ~/.config aside for its own; O=. made make clean delete the
# sources, and O=.. made distclean remove the tree; O=kernel would have distclean remove kernel/.
# A space or colon in the path gave dozens of make errors. Each is refused in one line.
ifeq ($(objtree),)
  $(error O=$(o-given) names no build folder: leave O= out (build/ is the default) or give one, e.g. O=build-bkl)
endif
ifneq ($(words $(objtree))$(findstring :,$(objtree)),1)
  $(error O=$(o-given): the build folder's path ($(objtree)) has a space or a colon, which make cannot handle: choose another, e.g. O=build-bkl)
endif
ifneq ($(filter $(patsubst %/,%,$(objtree))/%,$(srctree)/),)
  $(error O=$(o-given) is the source tree or a folder above it: make clean and distclean there would delete the sources; give a folder of its own, e.g. O=build-bkl (build/ is the default))
endif
# In the tree, not one of its own folders (build/, the default, is none: no git call for it).
o-in-tree := $(firstword $(subst /, ,$(patsubst $(srctree)/%,%,$(filter $(srctree)/%,$(objtree)))))
ifneq ($(filter-out build,$(o-in-tree)),)
  ifneq ($(wildcard $(srctree)/$(o-in-tree)/Kbuild $(srctree)/$(o-in-tree)/Kconfig)$(shell git -C $(srctree) ls-files -- '$(o-in-tree)' 2>/dev/null | head -n 1),)
    $(error O=$(o-given) is inside the tree's own $(o-in-tree)/ folder: make clean and distclean there would delete its files; give a folder of its own, e.g. O=build-bkl)
  endif
endif

CROSS_COMPILE ?= aarch64-linux-gnu-
CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
NM := $(CROSS_COMPILE)nm
READELF := $(CROSS_COMPILE)readelf
OBJDUMP := $(CROSS_COMPILE)objdump
HOSTCC ?= cc
PYTHON ?= python3
QEMU ?= qemu-system-aarch64

ifeq ($(V),1)
  Q :=
  quiet = @:
else
  Q := @
  quiet = @printf '  %-8s %s\n'
endif

# Tools each kind of target needs; a missing one stops with a pointer to the deps script.
need-tool = $(if $(shell command -v $(1) 2>/dev/null),,$(error $(1) not found: run 'sudo scripts/deps.sh' (or see its output for the apt-get line)))
# The compiler, checked at the first object only: the check is a $(shell), a fork per object.
# A CROSS_COMPILE the user gave (or exported) is named: scripts/deps.sh installs aarch64-linux-gnu- alone.
# One that builds for another machine (CROSS_COMPILE= on a PC: its own gcc) stopped on a heap of
# 'unrecognized command-line option' errors: the target it names is said instead.
need-cc = $(if $(filter command line environment,$(origin CROSS_COMPILE)),$(if $(shell command -v $(CC) 2>/dev/null),,$(error \
  $(CC) not found: CROSS_COMPILE=$(CROSS_COMPILE) names no installed compiler; leave it out for aarch64-linux-gnu- \
  (sudo scripts/deps.sh installs it)))$(call need-arm64-cc),$(call need-tool,$(CC)))$(eval need-cc :=)
cc-machine = $(shell $(CC) -dumpmachine 2>/dev/null)
need-arm64-cc = $(if $(filter aarch64%,$(cc-machine)),,$(error \
  CROSS_COMPILE=$(CROSS_COMPILE): $(CC) builds for $(or $(cc-machine),an unknown machine), not 64-bit Arm; leave it out for aarch64-linux-gnu- \
  (sudo scripts/deps.sh installs it)))

# make bench and make check work on a fresh Debian: what scripts/deps.sh would
# install is checked first (command -v only), and installed when run as root.
ifneq ($(filter bench bench-locks trace bench-wait bench-ratio check,$(MAKECMDGOALS)),)
  deps-problem := $(shell $(srctree)/scripts/deps.sh --ensure)
  ifneq ($(deps-problem),)
    $(error $(deps-problem))
  endif
endif

config-targets := menuconfig nconfig defconfig %_defconfig olddefconfig savedefconfig oldconfig listnewconfig
# Targets that read no CONFIG_ value: make plots, compare and host-tests configured $(O) from configs/defconfig
# first, and stopped on a missing kconfig-conf where only python3, gnuplot or the host compiler was needed.
no-build-targets := help clean distclean deps randconfig-check fuzz format check-plan plots compare host-tests \
	$(config-targets)
goals := $(if $(MAKECMDGOALS),$(MAKECMDGOALS),all)
building := $(filter-out $(no-build-targets) $(foreach t,$(goals),$(if $(filter %_defconfig,$(t)),$(t))),$(goals))

# ---------------------------------------------------------------- Kconfig
KCONFIG_FILES := $(shell find $(srctree) -name Kconfig -not -path '$(srctree)/build*' 2>/dev/null)
kconfig-env = cd $(objtree) && KCONFIG_CONFIG=.config srctree=$(srctree)
kconf = $(kconfig-env) kconfig-conf

.PHONY: menuconfig nconfig defconfig olddefconfig savedefconfig oldconfig listnewconfig
menuconfig-tool := kconfig-mconf
nconfig-tool := kconfig-nconf
menuconfig nconfig: | $(objtree)
	$(call need-tool,$($@-tool))
	$(Q)test -f $(objtree)/.config || $(MAKE) -s O=$(O) defconfig
	$(Q)$(kconfig-env) $($@-tool) $(srctree)/Kconfig

defconfig: | $(objtree)
	$(call need-tool,kconfig-conf)
	$(Q)$(kconf) -s --defconfig=$(srctree)/configs/defconfig $(srctree)/Kconfig
	@echo "  CONFIG   $(O)/.config from configs/defconfig"

%_defconfig: | $(objtree)
	$(call need-tool,kconfig-conf)
	$(Q)test -f $(srctree)/configs/$@ || { echo "error: configs/$@ does not exist; choose one of: defconfig $(notdir $(wildcard $(srctree)/configs/*_defconfig))" >&2; exit 1; }
	$(Q)$(kconf) -s --defconfig=$(srctree)/configs/$@ $(srctree)/Kconfig
	@echo "  CONFIG   $(O)/.config from configs/$@"

# As for a build (below): a hand-edited line Kconfig did not keep is named, with what it kept.
olddefconfig oldconfig: | $(objtree)
	$(call need-tool,kconfig-conf)
	$(Q)if [ -f $(objtree)/.config ]; then cp $(objtree)/.config $(objtree)/.config.edited; fi
	$(Q)$(kconf) --$@ $(srctree)/Kconfig
	$(Q)if [ -f $(objtree)/.config.edited ]; then \
	  $(srctree)/scripts/kconfig-check $(objtree)/.config.edited $(objtree)/.config $(O)/.config $(KCONFIG_FILES); \
	  rm -f $(objtree)/.config.edited; fi

listnewconfig: | $(objtree)
	$(call need-tool,kconfig-conf)
	$(Q)$(kconf) --$@ $(srctree)/Kconfig

savedefconfig: | $(objtree)
	$(call need-tool,kconfig-conf)
	$(Q)$(kconf) --savedefconfig=defconfig $(srctree)/Kconfig
	@echo "  SAVED    $(O)/defconfig (copy it into configs/ to keep it)"

$(objtree):
	$(Q)mkdir -p $@

# A build without a configuration starts from configs/defconfig and says so.
$(objtree)/.config: | $(objtree)
	$(call need-tool,kconfig-conf)
	@echo "  CONFIG   no $(O)/.config yet: using configs/defconfig (change it with 'make O=$(O) menuconfig')"
	$(Q)$(kconf) -s --defconfig=$(srctree)/configs/defconfig $(srctree)/Kconfig

# olddefconfig gives options the .config does not set their defaults (a choice
# renamed since the .config was saved included: --listnewconfig does not list
# choices, and silentoldconfig would stop to ask); the note names them.
# A value Kconfig cannot keep (out of its range, two members of one choice,
# an unknown symbol) is fixed by kconfig-conf with at most a warning about
# another line; scripts/kconfig-check names the line and what was kept.
# silentoldconfig writes autoconf.h and touches include/config/<sym>.h only for
# symbols whose value changed; scripts/fixdep.awk makes each object depend on
# the symbols it mentions, so a saved config rebuilds only what it affects.
$(objtree)/include/config/auto.conf: $(objtree)/.config $(KCONFIG_FILES)
	$(call need-tool,kconfig-conf)
	$(Q)mkdir -p $(objtree)/include/config $(objtree)/include/generated
	$(Q)cp $(objtree)/.config $(objtree)/.config.edited
	$(Q)$(kconf) -s --olddefconfig $(srctree)/Kconfig 2>$(objtree)/.kconfig.err || \
	  { cat $(objtree)/.kconfig.err >&2; echo "error: kconfig-conf could not update the configuration" >&2; exit 1; }
	$(Q)new=$$(sed -nE 's/^(CONFIG_[A-Za-z0-9_]+)=.*/\1/p; s/^# (CONFIG_[A-Za-z0-9_]+) is not set$$/\1/p' $(objtree)/.config | \
	  while read -r s; do grep -Eq "^($$s=|# $$s is not set)" $(objtree)/.config.edited || printf '%s ' $$s; done); \
	  [ -z "$$new" ] || echo "  CONFIG   options new to $(O)/.config take their defaults: $$new(review: make O=$(O) menuconfig)"
	$(Q)$(kconf) --silentoldconfig $(srctree)/Kconfig >/dev/null 2>$(objtree)/.kconfig.err || \
	  { cat $(objtree)/.kconfig.err >&2; echo "error: kconfig-conf could not update the configuration" >&2; exit 1; }
	$(Q)$(srctree)/scripts/kconfig-check $(objtree)/.config.edited $(objtree)/.config $(O)/.config $(KCONFIG_FILES)
	$(Q)rm -f $(objtree)/.config.edited
	$(Q)touch $@

ifneq ($(building),)
-include $(objtree)/include/config/auto.conf
endif

# ---------------------------------------------------------------- kernel build
# Collect objects: $(1) is a folder with a Kbuild file.
define descend
obj-y :=
include $(srctree)/$(1)/Kbuild
objs-$(1) := $$(addprefix $(1)/,$$(filter %.o,$$(obj-y)))
subdirs-$(1) := $$(addprefix $(1)/,$$(patsubst %/,%,$$(filter %/,$$(obj-y))))
kernel-objs += $$(objs-$(1))
$$(foreach d,$$(subdirs-$(1)),$$(eval $$(call descend,$$(d))))
endef
# The source folders the kernel is built from, from the root Kbuild; make clean removes their outputs too.
# A Kbuild file may add preprocessor flags for the whole kernel to KBUILD_CPPFLAGS
# (lock-strategies/ names the chosen strategy's header that way).
obj-y :=
include $(srctree)/Kbuild
kbuild-dirs := $(patsubst %/,%,$(filter %/,$(obj-y)))
kernel-objs :=
KBUILD_CPPFLAGS :=
$(foreach d,$(kbuild-dirs),$(eval $(call descend,$(d))))
KOBJS := $(addprefix $(objtree)/,$(kernel-objs))

# The atomics choice is a -march choice: LSE instructions exist from ARMv8.1.
ARCH_MARCH := $(if $(CONFIG_ARM64_ATOMICS_LSE),-march=armv8.2-a+lse,-march=armv8-a)
ARCH_FLAGS := $(ARCH_MARCH) -mgeneral-regs-only -mno-outline-atomics -mstrict-align
# -fpie + hidden visibility: every symbol reference is PC-relative, and the
# few absolute pointers in data become R_AARCH64_RELATIVE relocations that
# head.S applies, so one Image runs wherever the loader put it.
# Stack-clash protection probes every 4 KiB of a large frame, so a frame
# cannot step over the guard page below each kernel stack unnoticed.
KCFLAGS := -std=gnu11 -O2 -g -fmacro-prefix-map=$(srctree)/= -ffreestanding -fno-builtin -nostdlib -fpie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-fstack-clash-protection --param stack-clash-protection-guard-size=12 \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	$(ARCH_FLAGS) \
	-I$(srctree)/include -I$(srctree)/arch/arm64/include -I$(srctree)/lock-strategies \
	-I$(objtree)/include $(KBUILD_CPPFLAGS) \
	-include $(srctree)/include/locklab/hidden.h \
	-include $(objtree)/include/generated/autoconf.h
KAFLAGS := -D__ASSEMBLY__ $(filter-out -std=gnu11 -Wstrict-prototypes,$(KCFLAGS))
KLDFLAGS := -nostdlib -pie --no-dynamic-linker -z norelro -z noexecstack \
	--no-apply-dynamic-relocs --build-id=none --no-warn-rwx-segments -T $(srctree)/arch/arm64/kernel.lds

# Objects depend on the command line too: a changed flag rebuilds everything. So does a change of
# KBUILD_RULES, raised when a recipe changes what an object's .d records (2: the .user.o rules name
# their object with -MT, not the .tmp they compile to, so a header change rebuilds user code).
# The compiler is checked first: a mistyped CROSS_COMPILE rewrote the stamp, and the next build rebuilt everything.
KBUILD_RULES := 2
$(objtree)/.kflags: FORCE | $(objtree)
	$(need-cc)
	$(Q)echo '$(CC) $(KCFLAGS) $(KLDFLAGS) rules=$(KBUILD_RULES)' | cmp -s - $@ || \
	  echo '$(CC) $(KCFLAGS) $(KLDFLAGS) rules=$(KBUILD_RULES)' > $@

gen-hdrs := $(objtree)/include/config/auto.conf

# What a benchmark run reports as its version and configuration (bench-meta);
# rewritten only when one of them changes, so nothing else rebuilds.
$(objtree)/include/generated/version.h: FORCE | $(gen-hdrs)
	$(Q)v=$$(cd $(srctree) && git describe --always --dirty 2>/dev/null || echo unknown); \
	  c=$$(sha1sum < $(objtree)/.config | cut -c1-12); \
	  printf '/* Generated by the Makefile: what bench-meta reports. */\n#define LOCKLAB_VERSION "%s"\n#define LOCKLAB_CONFIG_HASH "%s"\n' \
	    "$$v" "$$c" > $@.tmp; cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(objtree)/bench/harness.o: $(objtree)/include/generated/version.h

$(objtree)/%.o: $(srctree)/%.c $(objtree)/.kflags | $(gen-hdrs)
	$(need-cc)
	$(quiet) CC $*.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -MF $@.d.tmp -c $< -o $@
	$(Q)awk -v objtree=$(objtree) -f $(srctree)/scripts/fixdep.awk $@.d.tmp > $@.d && rm -f $@.d.tmp

$(objtree)/%.o: $(srctree)/%.S $(objtree)/.kflags | $(gen-hdrs)
	$(need-cc)
	$(quiet) AS $*.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KAFLAGS) -MMD -MP -MF $@.d.tmp -c $< -o $@
	$(Q)awk -v objtree=$(objtree) -f $(srctree)/scripts/fixdep.awk $@.d.tmp > $@.d && rm -f $@.d.tmp

# Code that runs at EL0 (kernel/user/*.user.c, *.user.S): compiled as kernel
# code (position-independent, hidden symbols), then every allocated section
# renamed .user.* so the linker script puts it in the pages user address
# spaces map. A pattern with a shorter stem wins, so these rules apply.
$(objtree)/%.user.o: $(srctree)/%.user.c $(objtree)/.kflags | $(gen-hdrs)
	$(need-cc)
	$(quiet) CC-USER $*.user.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -MT $@ -MF $@.d.tmp -c $< -o $@.tmp
	$(Q)$(OBJCOPY) --remove-section=.eh_frame --prefix-alloc-sections=.user $@.tmp $@ && rm -f $@.tmp
	$(Q)awk -v objtree=$(objtree) -f $(srctree)/scripts/fixdep.awk $@.d.tmp > $@.d && rm -f $@.d.tmp

$(objtree)/%.user.o: $(srctree)/%.user.S $(objtree)/.kflags | $(gen-hdrs)
	$(need-cc)
	$(quiet) AS-USER $*.user.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KAFLAGS) -MMD -MP -MT $@ -MF $@.d.tmp -c $< -o $@.tmp
	$(Q)$(OBJCOPY) --remove-section=.eh_frame --prefix-alloc-sections=.user $@.tmp $@ && rm -f $@.tmp
	$(Q)awk -v objtree=$(objtree) -f $(srctree)/scripts/fixdep.awk $@.d.tmp > $@.d && rm -f $@.d.tmp

-include $(KOBJS:.o=.o.d)

# head.S's routines that run before mmu_on, on every CPU (scripts/check-mmu-off.sh reads them).
HEAD_MMU_OFF := primary_entry secondary_entry el2_to_el1 dtb_move_out_of_image dcache_inval_range_early mmu_on

$(objtree)/locklab.elf: $(KOBJS) $(srctree)/arch/arm64/kernel.lds $(objtree)/.kflags
	$(quiet) LD $(O)/locklab.elf
	$(Q)$(srctree)/scripts/check-user-objs.sh $(NM) $(READELF) $(filter %.user.o,$(KOBJS))
	$(Q)$(LD) $(KLDFLAGS) -o $@.tmp $(KOBJS)
	$(Q)$(srctree)/scripts/check-relocs.sh $(READELF) $(NM) $@.tmp
	$(Q)$(srctree)/scripts/check-mmu-off.sh $(OBJDUMP) $@.tmp $(HEAD_MMU_OFF)
	$(Q)mv $@.tmp $@
	$(Q)$(NM) -n $@ > $(objtree)/System.map

$(objtree)/Image: $(objtree)/locklab.elf
	$(quiet) OBJCOPY $(O)/Image
	$(Q)$(OBJCOPY) -O binary $< $@

.PHONY: all
all: $(objtree)/Image
	@echo "  READY    $(O)/Image ($$(stat -c %s $(O)/Image) bytes), $(O)/locklab.elf"

# The user programs (user/) and the cpio archive of them linked into the image.
include $(srctree)/user/user.mk

# ---------------------------------------------------------------- QEMU
CPUS ?= 4
GIC ?= 2
EL2 ?= 0
BOOTARGS ?=
# With more vCPUs than host cores, multi-threaded TCG lets the host deschedule
# vCPUs that a FIFO lock waits for: use round-robin single-threaded TCG then.
HOST_CPUS := $(shell nproc 2>/dev/null || echo 1)
ACCEL ?= $(if $(shell test $(HOST_CPUS) -lt $(call shell-quote,$(CPUS)) 2>/dev/null && echo y),single,multi)
# The QEMU command line lives in scripts/qemu-run alone (make check, make bench
# and the FDT tests' device trees use it too); --exec hands the terminal to QEMU.
qemu-run-args = --qemu $(QEMU) --image $(objtree)/Image --cpus $(CPUS) --gic $(GIC) $(if $(filter 1,$(EL2)),--el2) \
	--accel $(ACCEL) $(if $(BOOTARGS),--bootargs $(call shell-quote,$(BOOTARGS)))

# A bad CPUS, GIC, EL2 or ACCEL stops make qemu/gdb here, in one line, before anything builds (ACCEL=fast
# gave qemu-run's usage block after the build; CPUS past the shell's integers slipped by the GICv2 limit).
ifneq ($(filter qemu gdb,$(goals)),)
  ifeq ($(shell echo $(call shell-quote,$(CPUS)) | grep -xE '[1-9][0-9]*'),)
    $(error CPUS=$(CPUS) is not a CPU count: give a whole number from 1 (make qemu CPUS=4))
  endif
  ifeq ($(call one-of,$(GIC),2 3),)
    $(error GIC=$(GIC) is not a GIC version: give GIC=2 or GIC=3)
  endif
  ifeq ($(GIC)$(call in-range,$(CPUS),1,8),2)
    $(error CPUS=$(CPUS) with GIC=2: a GICv2 serves at most 8 CPUs (QEMU refuses more); GIC=3 takes more)
  endif
  ifeq ($(GIC)$(call in-range,$(CPUS),1,512),3)
    $(error CPUS=$(CPUS) with GIC=3: QEMU's virt board takes at most 512 CPUs)
  endif
  ifeq ($(call one-of,$(EL2),0 1),)
    $(error EL2=$(EL2) is not 0 or 1: EL2=1 enters the kernel at EL2 (as on a Pi 5))
  endif
  ifeq ($(call one-of,$(ACCEL),multi single),)
    $(error ACCEL=$(ACCEL) is not a TCG threading: give ACCEL=multi or ACCEL=single (left out: single when CPUS exceeds the host's $(HOST_CPUS) cores))
  endif
endif

.PHONY: qemu gdb
qemu: $(objtree)/Image
	$(call need-tool,$(QEMU))
	$(call need-tool,$(PYTHON))
	$(Q)$(PYTHON) $(srctree)/scripts/qemu-run --exec $(qemu-run-args)

gdb: $(objtree)/Image
	$(call need-tool,$(QEMU))
	$(call need-tool,$(PYTHON))
	@echo "  QEMU     halted, gdb stub on tcp::1234. In another terminal (Debian: apt-get install gdb-multiarch):"
	@echo "           gdb-multiarch -ex 'add-symbol-file $(O)/locklab.elf -o 0xffffff8040200000' -ex 'target remote :1234'"
	@echo "           (the ELF is linked at 0 and runs at the upper-half alias of where QEMU loads it, 0x40200000: hence -o;"
	@echo "           until head.S jumps there, break on physical addresses: -o 0x40200000)"
	@echo "           BOOTARGS=end=idle keeps the CPUs up after the self-tests, pass or fail (halted after a panic)."
	$(Q)$(PYTHON) $(srctree)/scripts/qemu-run --gdb $(qemu-run-args)

# ---------------------------------------------------------------- benchmarks
# The strategies, as lock-strategies/Kconfig's choice lists them (scripts/lock-strategies), read once
# and only where a recipe or make check needs them: bkl subsys fine.
lock-strategies = $(eval lock-strategies := $$(shell $(PYTHON) $(srctree)/scripts/lock-strategies list))$(lock-strategies)

# make bench: build the strategies in $(O)/bench-<strategy>, boot each with every workload, write
# results/<date>-<time>-<label>/ (scripts/bench-run; docs/benchmarks.md). The kernels go under O=
# as every other build output does (make clean removes them there); the results stay in results/.
# STRATEGIES: every strategy unless given (bench-run reads the list).
STRATEGIES ?=
REPEAT ?= 3
BOOTS ?= 2
DURATION_MS ?= 100
WORKLOADS ?=
LABEL ?=
BENCH_JOBS := $(or $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS))),$(HOST_CPUS))
# What bench and bench-locks differ in (target-specific below).
bench-workloads := all
bench-label := bench
# BOARD=rpi5 SERIAL=/dev/ttyUSB0: the boots happen on a Pi 5 running the serial chain-loader
# (make sdcard LOADER=1), each kernel sent over SERIAL (BAUD=115200) by scripts/serial-load.
BOARD ?= qemu
SERIAL ?=
BAUD ?= 115200
ifneq ($(filter bench bench-locks trace,$(goals)),)
  # make bench takes lists: STRATEGY= and WORKLOAD= (trace's, bench-wait's) would be ignored in silence.
  ifneq ($(filter bench,$(goals)),)
    ifneq ($(filter command line,$(origin STRATEGY)),)
      $(error make bench takes STRATEGIES= (a list: STRATEGIES=$(STRATEGY)); STRATEGY= is for make trace, bench-locks and bench-wait)
    endif
    ifneq ($(filter command line,$(origin WORKLOAD)),)
      $(error make bench takes WORKLOADS= (a list: WORKLOADS=$(WORKLOAD)); WORKLOAD= is for make trace)
    endif
  endif
  ifeq ($(filter qemu rpi5,$(BOARD)),)
    $(error BOARD=$(BOARD): qemu (the default) or rpi5 (with SERIAL=/dev/tty... and the loader on the card))
  endif
  ifeq ($(BOARD)$(SERIAL),rpi5)
    $(error BOARD=rpi5 needs SERIAL=<the serial port>, e.g. SERIAL=/dev/ttyUSB0, with the chain-loader on the card (make sdcard LOADER=1))
  endif
  ifneq ($(BOARD),rpi5)
    ifneq ($(SERIAL),)
      $(error SERIAL=$(SERIAL) is for BOARD=rpi5 (make bench BOARD=rpi5 SERIAL=$(SERIAL)))
    endif
  endif
endif
# ... and make trace and bench-wait take one strategy, trace one workload: STRATEGIES= and WORKLOADS= (bench's)
# would be ignored in silence.
ifneq ($(filter trace bench-wait,$(goals)),)
  ifneq ($(filter command line,$(origin STRATEGIES)),)
    $(error make $(firstword $(filter trace bench-wait,$(goals))) takes STRATEGY= (one: STRATEGY=$(firstword $(subst $(comma),$(space),$(STRATEGIES)))); STRATEGIES= is for make bench)
  endif
  ifneq ($(filter trace,$(goals)),)
    ifneq ($(filter command line,$(origin WORKLOADS)),)
      $(error make trace takes WORKLOAD= (one: WORKLOAD=$(firstword $(subst $(comma),$(space),$(WORKLOADS)))); WORKLOADS= is for make bench)
    endif
    ifeq ($(origin WORKLOAD)$(strip $(WORKLOAD)),command line)
      $(error WORKLOAD= is empty: make trace takes one workload (leave it out for fs-private))
    endif
  endif
endif
# An empty STRATEGY= reached bench-run as an empty --strategies or --variants, whose error named STRATEGIES or
# LOCK_VARIANTS, which the user had not typed (bench-locks's variants are named by STRATEGY unless given).
# By origin: the defaults (STRATEGY ?= fine, WORKLOAD ?= fs-private) are set further down.
ifneq ($(filter trace bench-wait,$(goals))$(if $(filter command line environment,$(origin LOCK_VARIANTS)),,$(filter bench-locks,$(goals))),)
  ifeq ($(origin STRATEGY)$(strip $(STRATEGY)),command line)
    $(error STRATEGY= is empty: make $(firstword $(filter trace bench-wait bench-locks,$(goals))) takes one of $(lock-strategies) (leave it out for fine))
  endif
endif
# make bench-wait and bench-ratio boot in QEMU only: BOARD=rpi5 SERIAL=... ran them there in silence.
ifneq ($(filter bench-wait bench-ratio,$(goals)),)
  ifneq ($(filter-out qemu,$(BOARD))$(SERIAL),)
    $(error make $(firstword $(filter bench-wait bench-ratio,$(goals))) boots in QEMU only: BOARD=$(BOARD) SERIAL=$(SERIAL) are for make bench, bench-locks and trace)
  endif
endif
bench-board-args = $(if $(filter rpi5,$(BOARD)),--serial $(SERIAL) --baud $(BAUD))
# Where the run folders and results/latest go (every benchmark target; the docs say results/).
RESULTS ?= $(srctree)/results
bench-args = --results $(call shell-quote,$(RESULTS)) --cpus $(if $(filter command line environment,$(origin CPUS)),$(CPUS),auto) --gic $(GIC) --repeat $(REPEAT) --boots $(BOOTS) --duration-ms $(DURATION_MS) \
	--workloads $(or $(WORKLOADS),$(bench-workloads)) --jobs $(BENCH_JOBS) --label "$(or $(LABEL),$(bench-label))" \
	--current-config $(objtree)/.config $(if $(BENCH_CONFIG),--config $(call shell-quote,$(BENCH_CONFIG))) $(if $(BENCH_BOOTARGS),--bootargs $(call shell-quote,$(BENCH_BOOTARGS))) \
	$(if $(filter command line environment,$(origin ACCEL)),--accel $(ACCEL)) $(bench-board-args) --build-dir $(objtree)

.PHONY: bench bench-locks plots
bench:
	$(call need-tool,$(PYTHON))
	$(Q)$(PYTHON) $(srctree)/scripts/bench-run $(bench-args) $(if $(STRATEGIES),--strategies $(STRATEGIES))

# The lock algorithms (and LL/SC vs LSE) under one strategy, on the contended workloads.
STRATEGY ?= fine
LOCK_VARIANTS ?= $(foreach a,tas ttas ticket mcs,$(STRATEGY)-$(a)-lse-busy) $(STRATEGY)-ticket-llsc-busy $(STRATEGY)-mcs-llsc-busy
bench-locks: bench-workloads := lock,fs-shared,mm
# Named by the strategy the variants are under (LOCK_VARIANTS=bkl-... is not locks-fine), or locks-mixed.
lock-variant-strategies = $(sort $(foreach v,$(subst $(comma),$(space),$(LOCK_VARIANTS)),$(firstword $(subst -,$(space),$(v)))))
bench-locks: bench-label = locks-$(if $(filter 1,$(words $(lock-variant-strategies))),$(lock-variant-strategies),mixed)
bench-locks:
	$(call need-tool,$(PYTHON))
	$(Q)$(PYTHON) $(srctree)/scripts/bench-run $(bench-args) --variants $(subst $(space),$(comma),$(strip $(LOCK_VARIANTS)))

# The lock timeline of one workload under one strategy: a boot of make bench's
# kernel that records a few ms of the run at CPUS (scripts/bench-run --trace;
# its options given again after bench-args override them: argparse keeps the last).
WORKLOAD ?= fs-private
.PHONY: trace
trace:
	$(call need-tool,$(PYTHON))
	$(Q)$(PYTHON) $(srctree)/scripts/bench-run $(bench-args) --repeat 1 --boots 1 --workloads $(WORKLOAD) --label $(or $(LABEL),trace-$(WORKLOAD)-$(STRATEGY)) \
	  --trace $(WORKLOAD) --no-hold-pass --strategies $(STRATEGY)
# Spin, block and adaptive strategy locks under one strategy, the lock workload's hold swept across the
# cost of a context switch, measured once (scripts/bench-wait; docs/experiments.md). Two CPUs unless CPUS= says.
WAIT_CS ?= 1000,4000,16000,64000,256000
WAIT_THINK ?= 0.5
WAIT_IMAGES ?=
.PHONY: bench-wait
bench-wait:
	$(call need-tool,$(PYTHON))
	$(Q)$(PYTHON) $(srctree)/scripts/bench-wait --strategy $(STRATEGY) \
	  --cpus $(if $(filter command line environment,$(origin CPUS)),$(CPUS),2) --cs $(WAIT_CS) \
	  --think-ratio $(WAIT_THINK) --repeat $(REPEAT) --boots $(BOOTS) --duration-ms $(DURATION_MS) \
	  --label $(or $(LABEL),wait-$(STRATEGY)) --jobs $(BENCH_JOBS) --build-dir $(objtree)/bench-wait \
	  --results $(call shell-quote,$(RESULTS)) $(foreach i,$(WAIT_IMAGES),--image $(i))
# The BKL's speedup against the measured share of time inside the kernel: the ratio workload with
# think= swept (scripts/bench-ratio; docs/experiments.md). Its own defaults unless given: 1 and 2 CPUs,
# bkl and fine, REPEAT=3, DURATION_MS=200.
user-set = $(filter command line environment,$(origin $(1)))
ratio-args = --cpus $(if $(call user-set,CPUS),$(CPUS),2) --gic $(GIC) \
	$(if $(call user-set,STRATEGIES),--strategies $(STRATEGIES)) $(if $(call user-set,REPEAT),--repeat $(REPEAT)) \
	$(if $(call user-set,DURATION_MS),--duration-ms $(DURATION_MS)) $(if $(THINK),--think $(THINK)) \
	$(if $(CS),--cs $(CS)) $(if $(BENCH_CONFIG),--config $(call shell-quote,$(BENCH_CONFIG))) $(if $(LABEL),--label $(LABEL)) \
	--results $(call shell-quote,$(RESULTS)) --build-dir $(objtree)
.PHONY: bench-ratio
bench-ratio:
	$(call need-tool,$(PYTHON))
	$(Q)$(PYTHON) $(srctree)/scripts/bench-ratio $(strip $(ratio-args))

# Two run folders overlaid, and what changed beyond the noise (scripts/bench-compare).
.PHONY: compare
compare:
	$(call need-tool,$(PYTHON))
	$(if $(and $(A),$(B)),,$(error make compare needs A=<run folder> B=<run folder>, e.g. A=results/<baseline> B=results/latest))
	$(Q)$(PYTHON) $(srctree)/scripts/bench-compare $(call shell-quote,$(A)) $(call shell-quote,$(B))

plots:
	$(call need-tool,$(PYTHON))
	@test -n $(call shell-quote,$(RUN)) || { echo "usage: make plots RUN=<results folder, or a serial log (e.g. from a Pi 5)>" >&2; exit 2; }
	$(Q)$(PYTHON) $(srctree)/scripts/bench-run --replot $(call shell-quote,$(RUN))

# ---------------------------------------------------------------- Raspberry Pi 5
# The serial chain-loader (loader/; docs/rpi5.md): its own entry and link at
# 0, with the kernel's FDT reader, string, printf and PL011 objects linked in
# (built with the kernel's flags, so one set of objects serves both).
loader-objs := $(addprefix $(objtree)/,loader/head.o loader/loader.o loader/fdt_bootargs.o \
	kernel/fdt.o kernel/fdt_platform.o kernel/lib/string.o kernel/lib/vsprintf.o drivers/pl011.o)
LOADER_LDFLAGS := $(filter-out -T $(srctree)/arch/arm64/kernel.lds,$(KLDFLAGS)) -T $(srctree)/loader/loader.lds
-include $(objtree)/loader/head.o.d $(objtree)/loader/loader.o.d $(objtree)/loader/fdt_bootargs.o.d

$(objtree)/loader/loader.elf: $(loader-objs) $(srctree)/loader/loader.lds $(objtree)/.kflags
	$(quiet) LD $(O)/loader/loader.elf
	$(Q)$(LD) $(LOADER_LDFLAGS) -o $@.tmp $(loader-objs)
	$(Q)$(srctree)/scripts/check-relocs.sh $(READELF) $(NM) $@.tmp
	$(Q)$(srctree)/scripts/check-mmu-off.sh $(OBJDUMP) $@.tmp
	$(Q)mv $@.tmp $@

$(objtree)/loader/Image: $(objtree)/loader/loader.elf
	$(quiet) OBJCOPY $(O)/loader/Image
	$(Q)$(OBJCOPY) -O binary $< $@

.PHONY: loader
loader: $(objtree)/loader/Image
	@echo "  READY    $(O)/loader/Image ($$(stat -c %s $(O)/loader/Image) bytes): the serial chain-loader"

# make sdcard: this configuration's Image as the Pi 5's kernel_2712.img, with
# config.txt, cmdline.txt and README.txt (docs/rpi5.md); LOADER=1: the
# chain-loader instead, which make bench BOARD=rpi5 SERIAL=... sends kernels
# to. sdcard-all: the strategies as make bench builds them, one picked
# by config.txt's kernel= line.
LOADER ?= 0
ifneq ($(filter sdcard,$(goals)),)
  ifeq ($(filter 0 1,$(LOADER)),)
    $(error LOADER=$(LOADER) is not 0 or 1: LOADER=1 puts the serial chain-loader on the card instead of this kernel)
  endif
endif
.PHONY: sdcard sdcard-all
ifeq ($(LOADER),1)
sdcard: $(objtree)/loader/Image
	$(Q)$(srctree)/scripts/mk-sdcard --loader $(objtree)/sdcard $(objtree)/loader/Image
else
sdcard: $(objtree)/Image
	$(Q)$(srctree)/scripts/mk-sdcard $(objtree)/sdcard $(objtree)/Image
endif

sdcard-all:
	$(call need-tool,$(PYTHON))
	$(Q)images=$$($(PYTHON) $(srctree)/scripts/bench-run --build-only $(if $(STRATEGIES),--strategies $(STRATEGIES)) \
	--current-config $(objtree)/.config $(if $(BENCH_CONFIG),--config $(call shell-quote,$(BENCH_CONFIG))) --build-dir $(objtree)) && \
	  $(srctree)/scripts/mk-sdcard $(objtree)/sdcard-all $$images

# ---------------------------------------------------------------- tests
include $(srctree)/tests/check.mk

# ---------------------------------------------------------------- misc
.PHONY: deps clean distclean help FORCE
FORCE:

deps:
	$(Q)$(srctree)/scripts/deps.sh

# Everything but the configuration: the objects of every kbuild folder, the
# generated headers (remade from .config), and what the other targets put in
# $(O): host tests, make check, make fuzz, make randconfig-check, the SD cards
# and make bench's kernels ($(O)/bench-*).
clean-dirs := $(sort $(foreach d,$(kbuild-dirs),$(firstword $(subst /, ,$(d))))) include \
	host check fuzz randconfig sdcard sdcard-all loader user
clean-files := locklab.elf Image System.map .kflags .kconfig.err .config.edited sdcard.tar.gz sdcard-all.tar.gz
clean:
	$(Q)rm -rf $(addprefix $(objtree)/,$(clean-dirs) $(clean-files)) $(wildcard $(objtree)/bench-*)
	@echo "  CLEAN    $(O) (kept $(O)/.config)"

# distclean removes the folder, but only one that holds nothing else than what the build writes
# in it: rm -rf of a mistyped O= (O=~/Documents) lost all that was in it.
distclean-names := $(clean-dirs) $(clean-files) .config .config.old defconfig
distclean:
	$(Q)if [ -d $(objtree) ]; then \
	  other=$$(ls -A $(objtree) | while read -r n; do case " $(distclean-names) " in *" $$n "*) ;; \
	    *) case $$n in bench-*) ;; *) echo "$$n";; esac;; esac; done | head -n 5 | tr '\n' ' '); \
	  if [ -n "$$other" ]; then echo "error: $(O)/ holds what the build did not write ($${other% }): not removed;" \
	    "'make O=$(O) clean' removes the build's files (keeping .config), or remove the folder yourself" >&2; exit 1; fi; \
	  rm -rf $(objtree); fi
	@echo "  CLEAN    removed $(O)/"

help:
	@echo 'locklab: a small SMP arm64 kernel whose locking strategy is chosen in Kconfig.'
	@echo ''
	@echo 'Configuration (writes $$(O)/.config, default O=build):'
	@echo '  menuconfig        - configure with a text menu (kconfig-mconf)'
	@echo '  nconfig           - configure with the ncurses menu (kconfig-nconf)'
	@echo '  defconfig         - default configuration (configs/defconfig)'
	@echo '  <name>_defconfig  - configuration from configs/<name>_defconfig:'
	@echo "                      $(notdir $(wildcard $(srctree)/configs/*_defconfig))"
	@echo '  olddefconfig      - update .config, new options at their defaults'
	@echo '  oldconfig         - update .config, asking about new options'
	@echo '  listnewconfig     - list options that .config does not set yet'
	@echo '  savedefconfig     - write the minimal $$(O)/defconfig for this .config'
	@echo ''
	@echo 'Build and run:'
	@echo '  all (default)     - build $$(O)/locklab.elf (with symbols) and $$(O)/Image'
	@echo '  qemu              - boot $$(O)/Image in QEMU virt through scripts/qemu-run (CPUS=4 GIC=2|3'
	@echo '                      EL2=0|1 BOOTARGS="..." (help: list the boot options), ACCEL=multi|single:'
	@echo '                      single when CPUS exceeds the host cores); fails if the kernel reports a failure'
	@echo '  gdb               - as qemu, but halted with a gdb stub on :1234'
	@echo '  user              - only the user programs (user/bin/*.c, static ELF at 0x400000) in'
	@echo '                      $$(O)/user/bin/ and their archive $$(O)/user/initramfs.cpio, which'
	@echo '                      every Image carries and unpacks into /bin at boot (docs/user.md)'
	@echo ''
	@echo 'Benchmarks (results in results/<date>-<time>-<label>/, results/latest; RESULTS=dir for another folder):'
	@echo '  bench             - build every strategy ($$(O)/bench-*), boot each in QEMU with every'
	@echo '                      workload at 1, 2, 4 CPUs (no more than the host cores unless CPUS= says),'
	@echo '                      write CSVs, gnuplot graphs, a lock timeline per strategy and a report;'
	@echo '                      STRATEGIES=$(subst $(space),$(comma),$(lock-strategies)) (or current: $$(O)/.config as it is) CPUS=min(4,host cores)'
	@echo '                      GIC=2 REPEAT=3 BOOTS=2 DURATION_MS=100'
	@echo '                      WORKLOADS=all LABEL=name BENCH_CONFIG=file-of-CONFIG_-lines (current too) ACCEL=multi|single'
	@echo '                      (BENCH_CONFIG=configs/nolockstat.config: speedups without lockstat'"'"'s cost, no lock figures)'
	@echo '                      BENCH_BOOTARGS="lockstat_hold=1 think=5000 ..." (docs/benchmarks.md)'
	@echo '                      BOARD=rpi5 SERIAL=/dev/ttyACM0 (BAUD=115200): on a Raspberry Pi 5 running the'
	@echo '                      chain-loader (make sdcard LOADER=1), each kernel sent over the serial cable'
	@echo '  bench-locks       - the lock algorithms (tas ttas ticket mcs, LSE; ticket and mcs with LL/SC) under'
	@echo '                      STRATEGY=fine on WORKLOADS=lock,fs-shared,mm; LOCK_VARIANTS= to choose, each'
	@echo '                      <bkl|subsys|fine>-<tas|ttas|ticket|mcs>-<lse|llsc>-busy, e.g. fine-tas-lse-busy,fine-mcs-llsc-busy'
	@echo '  trace             - the lock timeline of WORKLOAD=fs-private under STRATEGY=fine (or any of'
	@echo '                      $(lock-strategies), or current) at CPUS=: a row per CPU, its lock holds and waits over a few ms'
	@echo '                      (plots/timeline-<strategy>.png in the run folder; make bench draws one per'
	@echo '                      strategy for fs-private)'
	@echo '  bench-wait        - spin, block and adaptive strategy locks (STRATEGY=fine) on the lock workload,'
	@echo '                      the hold swept across a context switch (measured once); CPUS=2'
	@echo '                      WAIT_CS=1000,...,256000 (ns) WAIT_THINK=0.5 (think / hold) REPEAT BOOTS'
	@echo '                      DURATION_MS; writes results/<date>-<time>-wait-<strategy>/ (wait.csv, wait.png, summary.txt)'
	@echo '  bench-ratio       - the BKL speedup against the measured share of time inside the kernel:'
	@echo '                      the ratio workload, THINK=0,2000,8000,32000,64000,128000 (ns outside) CS=2000'
	@echo '                      (ns inside), STRATEGIES=bkl,fine CPUS=2 REPEAT=3 DURATION_MS=200; CSV, plot, table'
	@echo '  plots RUN=...     - re-plot a results folder, or make one from a serial log (a Pi 5 capture)'
	@echo '  compare A= B=     - overlay two run folders; report what changed beyond the noise'
	@echo ''
	@echo 'Raspberry Pi 5 (docs/rpi5.md):'
	@echo '  sdcard            - $$(O)/sdcard/ and $$(O)/sdcard.tar.gz: kernel_2712.img (this Image),'
	@echo '                      config.txt, cmdline.txt, README.txt (what else to copy, how to wire the UART)'
	@echo '                      LOADER=1: the serial chain-loader as kernel_2712.img instead (no cmdline.txt)'
	@echo '  sdcard-all        - $$(O)/sdcard-all/: the strategies as make bench builds them;'
	@echo '                      config.txt kernel= picks one'
	@echo '  loader            - $$(O)/loader/Image: the serial chain-loader (loader/; make bench BOARD=rpi5)'
	@echo ''
	@echo 'Tests:'
	@echo '  check             - host unit tests, boot-fault tests, ktest boots on 1, 2, 4 (GICv2),'
	@echo '                      8 (GICv3) CPUs and the EL2/SMC (Raspberry Pi 5) path, and the lock'
	@echo '                      and scheduler suites in 27 lock variants (strategy x algorithm,'
	@echo '                      LL/SC, WFE, spin/block/adaptive strategy locks, no lockstat), the'
	@echo '                      subsystem suites and the syscall fuzzer, 3 random configurations'
	@echo '                      (built in $$(O)/check/matrix), the make targets, Kconfig help and docs;'
	@echo '                      prints "N passed, N failed". bench and check install missing tools'
	@echo '                      when run as root (scripts/deps.sh), else say to run it'
	@echo '                      (the steps: tests/plan.toml) ONLY=pattern: only the steps whose names'
	@echo "                      match the comma-separated glob, e.g. ONLY='lock_*,smp1', and only the"
	@echo '                      lock variants those steps boot are built'
	@echo '  check-matrix      - only build those lock variants (ONLY= as for check)'
	@echo '  check-plan        - print the lock variants make check builds and its steps (kind, name,'
	@echo '                      argv), run nothing (ONLY= as for check)'
	@echo '  host-tests        - only the host unit tests (native, ASan+UBSan)'
	@echo '  format            - lay out the C sources as .clang-format says (make check fails on a difference)'
	@echo '  randconfig-check  - N=20 random valid configurations (SEED= repeats one), each built and'
	@echo '                      booted with a short self-test; a failure prints its seed and config'
	@echo '  fuzz              - the syscall fuzzers, from kernel tasks and raw SVCs from EL0:'
	@echo '                      FUZZ_CALLS=1000000 calls each under each strategy'
	@echo '                      (FUZZ_STRATEGIES="$(lock-strategies)" FUZZ_CPUS=4 FUZZ_SEED=1)'
	@echo ''
	@echo 'Other:'
	@echo '  deps              - install missing Debian packages (as root) or print the apt-get line'
	@echo '  clean             - remove build outputs (objects, generated headers, check, fuzz, randconfig,'
	@echo '                      sdcard, bench-*) but keep $$(O)/.config'
	@echo '  distclean         - remove $$(O)/ entirely (refused, naming them, if it holds files the build did not write)'
	@echo '  help              - this list'
	@echo ''
	@echo 'Variables: O=dir (build folder of its own: not the source tree, a folder above it or one of its'
	@echo '           folders; no space or colon in its path), V=1 (show commands), CROSS_COMPILE=$(CROSS_COMPILE)'
