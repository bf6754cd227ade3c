# tests/check.mk: host unit tests and `make check` (included by the top-level Makefile).
#
# make check builds its own kernel from configs/defconfig in $(O)/check (the
# user's .config is left alone), the host tests natively with ASan and UBSan,
# and the lock matrix, side by side (check-builds), and hands the steps of
# tests/plan.toml to tests/check.py, which prints the closing line "N passed,
# N failed" and fails if anything failed. The steps are data there; this file
# builds what they need.

CHECK_DIR := $(objtree)/check
HOST_DIR := $(objtree)/host
# Builds use CHECK_JOBS; boots run one at a time (CHECK_BOOT_JOBS) because a
# second QEMU competing for the 2 host cores skews the lock-fairness numbers,
# except the steps the plan marks share_host (the lock matrix's single-threaded
# TCG boots, unit tests): each keeps one core busy, so they run one per host core.
CHECK_JOBS ?= 2
CHECK_BOOT_JOBS ?= 1
CHECK_SHARED_JOBS ?= $(or $(shell nproc 2>/dev/null),1)
CHECK_TIMEOUT ?= 120
# The truly parallel boot (multi-threaded TCG, 2 vCPUs) takes about 5 s on an
# idle host, but a loaded one deschedules a vCPU that holds a spinlock and the
# other spins out its host time slice: the wait suite's 100000 hand-offs were
# measured at 3 s idle and 16-40 s with two busy loops beside it. Its limit is
# for a hung guest, not a slow one.
PARALLEL_TIMEOUT ?= 600

HOST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-I$(srctree)/include -I$(srctree)/tests/host -DHOST_TEST
# The kernel's printf is renamed so the test can compare it with libc's.
KL_PRINTF := -Dvsnprintf=kl_vsnprintf -Dsnprintf=kl_snprintf

# One native test binary per entry: its sources (test file + the kernel code it tests).
# (ulibc has a rule of its own below: its library objects need other flags than the test.)
host-tests := fdt vsprintf bootargs ulibc
host-fdt-srcs := tests/host/test_fdt.c tests/host/test_fdt_synth.c tests/host/test_fdt_rpi5.c tests/host/test_fdt_malformed.c tests/host/fdt_test_util.c tests/host/fdt_test_util.h tests/host/test_fdt_bootargs.c kernel/fdt.c kernel/fdt_platform.c loader/fdt_bootargs.c loader/fdt_bootargs.h
host-vsprintf-srcs := tests/host/test_vsprintf.c kernel/lib/vsprintf.c
host-bootargs-srcs := tests/host/test_bootargs.c kernel/bootargs.c kernel/lib/vsprintf.c
host-vsprintf-flags := $(KL_PRINTF)
host-bootargs-flags := $(KL_PRINTF)

define host-test-rule
$(HOST_DIR)/test_$(1): $(addprefix $(srctree)/,$(host-$(1)-srcs)) $(wildcard $(srctree)/include/locklab/*.h) $(srctree)/tests/host/htest.h
	$$(call need-tool,$(HOSTCC))
	$$(quiet) HOSTCC test_$(1)
	@mkdir -p $$(dir $$@)
	$$(Q)$(HOSTCC) $(HOST_CFLAGS) $(host-$(1)-flags) -o $$@ $$(filter %.c,$$^)
endef
$(foreach t,$(filter-out ulibc,$(host-tests)),$(eval $(call host-test-rule,$(t))))

# The user programs' libc (user/lib/) compiled natively against its own headers (freestanding, the
# compiler's stdint.h and stdarg.h only), every public name prefixed u_ so it links beside the host's
# C library; tests/host/test_ulibc.c supplies u_write, u_sbrk and u__exit.
ulibc-host-names := vsnprintf snprintf vdprintf dprintf printf puts malloc free calloc realloc \
	strlen strcmp strncmp strcpy strchr memcpy memmove memset memcmp strerror write sbrk _exit errno \
	atoi atol exit
ulibc-host-srcs := printf malloc string stdlib
ulibc-host-objs := $(addprefix $(HOST_DIR)/ulibc/,$(addsuffix .o,$(ulibc-host-srcs)))
$(ulibc-host-objs): $(HOST_DIR)/ulibc/%.o: $(srctree)/user/lib/%.c $(wildcard $(srctree)/user/include/*.h)
	$(call need-tool,$(HOSTCC))
	$(quiet) HOSTCC ulibc/$*.o
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(filter-out -I% -DHOST_TEST,$(HOST_CFLAGS)) -ffreestanding -fno-builtin -nostdinc \
	  -isystem $$($(HOSTCC) -print-file-name=include) -I$(srctree)/user/include -I$(srctree)/include \
	  $(foreach n,$(ulibc-host-names),-D$(n)=u_$(n)) -c $< -o $@
$(HOST_DIR)/test_ulibc: $(srctree)/tests/host/test_ulibc.c $(srctree)/tests/host/htest.h $(ulibc-host-objs)
	$(quiet) HOSTCC test_ulibc
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(ulibc-host-objs)

# Device trees for the FDT tests: dumped from QEMU in several machine shapes
# (by scripts/qemu-run, so they are the boards make check boots), plus
# Raspberry Pi 5-shaped trees compiled from tests/host/dts/: rpi5.dts, and
# the same as bootloaders before 2025-02-11 leave it (rpi5-oldboot-*.dts).
host-dtbs := virt-smp1-gicv2 virt-smp4-gicv2 virt-smp8-gicv3 virt-smp4-el2 rpi5 rpi5-oldboot-4gb rpi5-oldboot-8gb
$(HOST_DIR)/dtb/virt-smp1-gicv2.dtb: DUMP := --cpus 1
$(HOST_DIR)/dtb/virt-smp4-gicv2.dtb: DUMP := --cpus 4
$(HOST_DIR)/dtb/virt-smp8-gicv3.dtb: DUMP := --cpus 8 --gic 3
$(HOST_DIR)/dtb/virt-smp4-el2.dtb: DUMP := --cpus 4 --el2
$(HOST_DIR)/dtb/virt-%.dtb:
	$(call need-tool,$(QEMU))
	$(quiet) DUMPDTB $(notdir $@)
	$(Q)$(PYTHON) $(srctree)/scripts/qemu-run --qemu $(QEMU) --dump-dtb $@ $(DUMP)
# Any tree from tests/host/dts/; the old-bootloader variants /include/ rpi5.dts.
$(HOST_DIR)/dtb/%.dtb: $(srctree)/tests/host/dts/%.dts $(srctree)/tests/host/dts/rpi5.dts
	$(call need-tool,dtc)
	$(quiet) DTC $(notdir $@)
	@mkdir -p $(dir $@)
	$(Q)dtc -q -I dts -O dtb -o $@ $<

host-test-bins := $(addprefix $(HOST_DIR)/test_,$(host-tests))
host-dtb-files := $(addprefix $(HOST_DIR)/dtb/,$(addsuffix .dtb,$(host-dtbs)))

# The lock matrix: the variants tests/plan.toml describes as patterns over the Kconfig choices
# (every strategy x algorithm, LL/SC, WFE, blocking and adaptive strategy locks, no lockstat).
# Each is built out of tree by scripts/build-variant.sh and boots the lock suites on 4 CPUs;
# check.py --variants lists them, read once and only when make check or check-matrix runs.
CHECK_PLAN := $(srctree)/tests/plan.toml
MATRIX_DIR := $(CHECK_DIR)/matrix
LOCK_MATRIX = $(eval LOCK_MATRIX := $$(or $$(shell $(PYTHON) $(srctree)/tests/check.py --plan $(CHECK_PLAN) --variants),$$(error tests/plan.toml: no lock variants (run: $(PYTHON) tests/check.py --plan tests/plan.toml --variants))))$(LOCK_MATRIX)

# The variants make check builds: with ONLY=, those the chosen steps' command lines name (a
# documentation check needs none of the 27); all of them otherwise.
# (A word may be a path, name=path or --image=name=path: what follows the last '=' is looked at.)
check-variants-named = $(sort $(foreach w,$(filter $(MATRIX_DIR)/%,$(foreach w,$(1),$(lastword $(subst =, ,$(w))))),$(firstword $(subst /, ,$(patsubst $(MATRIX_DIR)/%,%,$(w))))))
CHECK_VARIANTS = $(eval CHECK_VARIANTS := $$(if $$(ONLY),$$(filter $$(LOCK_MATRIX),$$(call check-variants-named,$$(shell $(PYTHON) $(srctree)/tests/check.py --list $$(check-plan-args) 2>/dev/null))),$$(LOCK_MATRIX)))$(CHECK_VARIANTS)

# One variant alone, in a tree of its own.
$(MATRIX_DIR)/%/Image: FORCE
	$(call need-tool,$(CC))
	+$(Q)$(srctree)/scripts/build-variant.sh $(srctree) $(MATRIX_DIR)/$* $*

# make check's: variants that share a strategy and an atomics flavour (the strategy names its header
# in a flag, the flavour sets -march: flags every object depends on) build one after another in
# one work tree, MATRIX_DIR/.work/<strategy>-<atomics>, each reconfigured from the one before:
# fixdep.awk recompiles only the objects that mention a changed symbol, and the results are
# copied to MATRIX_DIR/<variant>. A change of the algorithm, of the strategy locks' wait or of
# lockstat recompiles most objects (the lock headers are included nearly everywhere), one of the
# way of spinning only the few that spin (asm/spin_wait.h), so `lock-strategies order` builds a
# busy variant and its wfe twin one after the other: fine's LSE chain of 11 variants rebuilds most
# objects 6 times instead of 10. The chains run side by side (-j), the longest first.
matrix-chain-of = $(word 1,$(subst -, ,$(1)))-$(word 3,$(subst -, ,$(1)))
matrix-chain-variants = $(foreach v,$(CHECK_VARIANTS),$(if $(filter $(1),$(call matrix-chain-of,$(v))),$(v)))
matrix-chains = $(sort $(foreach v,$(CHECK_VARIANTS),$(call matrix-chain-of,$(v))))
# Longest first: make -j starts prerequisites in the order given, and the chain that starts last
# should not be the one that runs longest, alone on a core at the end.
matrix-chains-by-length = $(foreach n,$(shell seq $(words $(CHECK_VARIANTS)) -1 1),$(foreach c,$(matrix-chains),$(if $(filter $(n),$(words $(call matrix-chain-variants,$(c)))),$(c))))

$(MATRIX_DIR)/.work/%.chain: FORCE
	$(call need-tool,$(CC))
	+$(Q)order=$$($(PYTHON) $(srctree)/scripts/lock-strategies order $(call matrix-chain-variants,$*)) || exit 1; \
	for v in $$order; do \
	  $(srctree)/scripts/build-variant.sh --via $(MATRIX_DIR)/.work/$* $(srctree) $(MATRIX_DIR)/$$v $$v || exit 1; \
	done

.PHONY: check-matrix

.PHONY: host-tests check check-kernel format
# New files are formatted where sources live (not in an in-tree O= folder's generated headers).
format-dirs := arch bench drivers include kernel lock-strategies loader tests user
# make format: lay out the C sources as .clang-format says (make check's step
# layout fails on any file that differs).
format:
	$(call need-tool,clang-format)
	$(Q)cd $(srctree) && { { git ls-files '*.c' '*.h' && git ls-files --others --exclude-standard -- $(format-dirs) | \
	  grep -E '\.[ch]$$'; } 2>/dev/null || find . -name '*.[ch]' -not -path './build*'; } | xargs clang-format -i
	@echo "  FORMAT   C sources laid out as .clang-format says"
host-tests: $(host-test-bins) $(host-dtb-files)
	$(Q)fail=0; for t in $(host-test-bins); do $$t $(HOST_DIR)/dtb > $(HOST_DIR)/$$(basename $$t).out 2>&1 \
		&& echo "  PASS     $$(basename $$t)" || { echo "  FAIL     $$(basename $$t) (see $(HOST_DIR)/$$(basename $$t).out)"; fail=1; }; done; exit $$fail

check-kernel:
	+$(Q)$(MAKE) -s O=$(CHECK_DIR) defconfig >/dev/null
	+$(Q)$(MAKE) -s O=$(CHECK_DIR) all loader

# What make check builds before its steps, in one make of CHECK_JOBS jobs: make check itself usually
# runs without -j, and building its kernel and host tests there, then the matrix, left a core idle
# through the kernel's build (a minute on a 2-core machine). The check kernel, the host tests and
# the matrix's chains write to folders of their own, so they build side by side.
.PHONY: check-builds
check-builds: $(host-test-bins) $(host-dtb-files) check-kernel check-matrix

CHECK_IMAGE := $(CHECK_DIR)/Image
# What the plan's steps need from make: its [set] variables (check.py refuses a name it lacks).
check-plan-args = --plan $(CHECK_PLAN) --set 'srctree=$(srctree)' --set 'PYTHON=$(PYTHON)' \
	--set 'CROSS_COMPILE=$(CROSS_COMPILE)' --set 'CHECK_DIR=$(CHECK_DIR)' --set 'HOST_DIR=$(HOST_DIR)' \
	--set 'MATRIX_DIR=$(MATRIX_DIR)' --set 'CHECK_IMAGE=$(CHECK_IMAGE)' --set 'CHECK_TIMEOUT=$(CHECK_TIMEOUT)' \
	--set 'PARALLEL_TIMEOUT=$(PARALLEL_TIMEOUT)' --set 'RANDCONFIG_CHECK_N=$(RANDCONFIG_CHECK_N)' \
	--set 'RANDCONFIG_CHECK_SEED=$(RANDCONFIG_CHECK_SEED)' --set 'CHECK_JOBS=$(CHECK_JOBS)' \
	--set 'HOST_TESTS=$(host-tests)' $(if $(ONLY),--only '$(ONLY)')

# The chains only where check-matrix is a goal (make check runs it as a sub-make): GNU make 4.3
# expands a secondary expansion's prerequisites for every rule as it reads the makefiles, so every
# make (help, defconfig, clean) ran tests/check.py, and stopped on 'no lock variants' without python3.
# Here, after check-plan-args: the prerequisites are expanded as this line is read, and above it
# ONLY='s list of steps came from check.py run with no arguments, so make check ONLY=lock_* built
# no variant and its boots found no Image.
ifneq ($(filter check-matrix check-builds,$(goals)),)
check-matrix: $(foreach c,$(matrix-chains-by-length),$(MATRIX_DIR)/.work/$(c).chain)
endif

# A pattern that matches no step is said at once, not after minutes of building; make check-matrix
# ONLY=nosuch built nothing and exited 0 without a word.
ifneq ($(and $(ONLY),$(filter check check-matrix,$(MAKECMDGOALS))),)
check-only-error := $(shell $(PYTHON) $(srctree)/tests/check.py --list $(check-plan-args) 2>&1 >/dev/null)
$(if $(check-only-error),$(error $(check-only-error)))
endif

# make check runs the steps of tests/plan.toml (ONLY=pattern: those whose names match, e.g.
# ONLY='lock_*,smp1', and only the lock variants they boot are built); make check-plan prints
# them and runs nothing.
check:
	$(call need-tool,$(PYTHON))
	@echo "  MATRIX   building the check kernel and $(words $(CHECK_VARIANTS)) lock variants in $(MATRIX_DIR)$(if $(ONLY), (those the steps ONLY= picks use))"
	+$(Q)$(MAKE) --no-print-directory -s -j$(CHECK_JOBS) O=$(O) check-builds
	$(Q)$(PYTHON) $(srctree)/tests/check.py --logdir $(CHECK_DIR)/logs -j $(CHECK_BOOT_JOBS) \
	  --shared-jobs $(CHECK_SHARED_JOBS) $(check-plan-args)

.PHONY: check-plan
check-plan:
	$(call need-tool,$(PYTHON))
	@echo "lock variants make check builds ($(words $(CHECK_VARIANTS))): $(or $(CHECK_VARIANTS),none)"
	$(Q)$(PYTHON) $(srctree)/tests/check.py --list $(check-plan-args)

# make randconfig-check N=20 [SEED=s]: random valid configurations, each built
# and booted with a short self-test; a failure prints its seed and config.
# make check runs RANDCONFIG_CHECK_N of them from a fixed seed, so a CI run is
# repeatable; give SEED= (or leave it out of randconfig-check) for new ones.
N ?= 20
RANDCONFIG_CHECK_N ?= 3
RANDCONFIG_CHECK_SEED ?= 1
.PHONY: randconfig-check
randconfig-check:
	$(call need-tool,$(PYTHON))
	$(Q)$(PYTHON) $(srctree)/scripts/randconfig-check --n $(N) $(if $(SEED),--seed $(SEED)) \
		--out $(objtree)/randconfig --jobs $(CHECK_JOBS)

# make fuzz: the syscall fuzzers (ktest suite "fuzz": kernel/tests/fuzz_*.c
# calling sys_* from kernel tasks, and kernel/user/fuzz.user.c issuing raw
# SVCs from EL0) with FUZZ_CALLS calls each under each strategy, on
# FUZZ_CPUS CPUs; both print a record (fuzz:, fuzz-el0:). make check runs
# the same suite with its default of 40000 calls in every boot that runs
# the subsystem suites.
FUZZ_CALLS ?= 1000000
FUZZ_SEED ?= 1
FUZZ_CPUS ?= 4
FUZZ_STRATEGIES ?= $(lock-strategies)
# The fuzz kernels take at most their CONFIG_NR_CPUS CPUs (configs/qemu_<strategy>_defconfig), and
# QEMU's virt board 8 with GICv2, which the boots use.
fuzz-max-cpus = $(firstword $(shell { echo 8; for s in $(FUZZ_STRATEGIES); do \
	sed -n 's/^CONFIG_NR_CPUS=//p' $(srctree)/configs/qemu_$${s}_defconfig; done; } | sort -n))

# A bad FUZZ_* stops make fuzz here, in one line, before anything builds: the kernel would refuse
# fuzz_calls or fuzz_seed outside these ranges (kernel/tests/fuzz_test.c) and fuzz with its defaults.
ifneq ($(filter fuzz,$(goals)),)
  $(call need-tool,$(PYTHON))
  ifeq ($(strip $(FUZZ_STRATEGIES)),)
    $(error FUZZ_STRATEGIES is empty: give one or more of $(lock-strategies) (make fuzz FUZZ_STRATEGIES=fine))
  endif
  ifneq ($(filter-out $(lock-strategies),$(FUZZ_STRATEGIES)),)
    $(error FUZZ_STRATEGIES=$(FUZZ_STRATEGIES): unknown strategy $(firstword $(filter-out $(lock-strategies),$(FUZZ_STRATEGIES))): give one or more of $(lock-strategies) (make fuzz FUZZ_STRATEGIES=fine))
  endif
  ifeq ($(call in-range,$(FUZZ_CPUS),1,$(fuzz-max-cpus)),)
    $(error FUZZ_CPUS=$(FUZZ_CPUS) is not a CPU count the fuzz kernels take: give a whole number from 1 to $(fuzz-max-cpus) (make fuzz FUZZ_CPUS=4))
  endif
  ifeq ($(call in-range,$(FUZZ_CALLS),1,1000000000),)
    $(error FUZZ_CALLS=$(FUZZ_CALLS) is not a number of calls: give a whole number from 1 to 1000000000 (make fuzz FUZZ_CALLS=1000000))
  endif
  ifeq ($(call in-range,$(FUZZ_SEED),0,18446744073709551615),)
    $(error FUZZ_SEED=$(FUZZ_SEED) is not a seed: give a whole number from 0 to 18446744073709551615 (make fuzz FUZZ_SEED=1))
  endif
endif

# Each boot's log is removed first, so a boot that never ran cannot be judged by an older one; qemu-run's
# exit status is the verdict (a shutdown line with status=pass, no panic, no failed case), and a
# bootargs: line other than the echo of the command line is a refused option.
.PHONY: fuzz
fuzz:
	$(call need-tool,$(PYTHON))
	$(call need-tool,$(CC))
	$(call need-tool,$(QEMU))
	+$(Q)for s in $(FUZZ_STRATEGIES); do \
	  $(srctree)/scripts/build-variant.sh $(srctree) $(objtree)/fuzz/$$s $$s-ticket-lse-busy || exit 1; done
	$(Q)fail=0; for s in $(FUZZ_STRATEGIES); do d=$(objtree)/fuzz/$$s; \
	  echo "  FUZZ     $$s: $(FUZZ_CALLS) calls on $(FUZZ_CPUS) CPUs (seed $(FUZZ_SEED)), log $$d/fuzz.log"; \
	  rm -f $$d/fuzz.log; \
	  $(PYTHON) $(srctree)/scripts/qemu-run --quiet --qemu $(QEMU) --image $$d/Image --cpus $(FUZZ_CPUS) --accel single \
	    --timeout 3600 --log $$d/fuzz.log \
	    --bootargs "ktest=fuzz fuzz_calls=$(FUZZ_CALLS) fuzz_seed=$(FUZZ_SEED)" > $$d/fuzz.ktap; rc=$$?; \
	  grep -E '^(not ok|# qemu-run: exit)' $$d/fuzz.ktap; \
	  test -f $$d/fuzz.log || { echo "  FAIL     $$s: qemu-run exited $$rc without booting it"; fail=1; continue; }; \
	  sed -n 's/^\[[^]]*\] c[0-9]*: \(bootargs: [^"].*\)/  FAIL     '$$s': \1/p' $$d/fuzz.log | grep . && fail=1; \
	  grep -a '^fuzz:' $$d/fuzz.log || { echo "  FAIL     $$s: no fuzz record"; fail=1; }; \
	  grep -a '^fuzz-el0:' $$d/fuzz.log || { echo "  FAIL     $$s: no fuzz-el0 record"; fail=1; }; \
	  test $$rc = 0 || { echo "  FAIL     $$s: qemu-run exited $$rc (see the log)"; fail=1; }; \
	done; exit $$fail
