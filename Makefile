# ipclab: one entry point.
#
#   make bench                 build, boot and measure the default matrix, the host
#                              benchmarks and Linux into one stored run, plot (HOST=0: no
#                              host part; LINUX=0: no Linux guest)
#   make test                  everything CI checks (installs missing Debian packages as root)
#   make VARIANT=sel4-like     build one variant's image, out of tree under build/
#   make VARIANT=v AXIS=value  the same with one axis overridden (make axes lists them)
#   make VARIANT=v DEBUG=1     a debug build (kernel assertions on) in build/<arch>/<v>-debug
#   make VARIANT_FILE=d/x.conf a configuration that is not a named variant (a sweep's
#                              generated file), built in build/<arch>/x
#   make run VARIANT=sel4-like [CLOCK=icount|kvm|tcg|model] [SAMPLES=n] [V=1]
#                              boot one, print its summary table (V=1: the raw console)
#   make diff A=l4-classic B=sel4-like   two variants case by case, measured in one run
#   make variants              build every variant
#   make axes                  the design axes (kernel/axes.conf) as a table
#   make unit                  host-built unit tests of the portable kernel core
#   make regress               default matrix against results/baseline/ (changed cases only)
#   make nightly               regress against the baseline and the previous night, kept as a
#                              history in results/history/, trend figures, Markdown + JUnit
#   make runs                  stored runs and their metadata (harness runs)
#   make host-bench            Linux IPC and scheduler benchmarks on the host, alone
#   make profile VARIANT=..    where the fast path's instructions go, from a QEMU trace
#   make gdb VARIANT=..        boot it under QEMU stopped for a debugger (GDBPORT=1234);
#                              attach with: gdb -x build/<arch>/<variant>/.gdbinit
#   make fuzz [VARIANT=..] [SEED=n] [CALLS=n]   the system-call fuzzer; fuzz-long: 10M calls each
#   make bench CLOCK=model     the cache/TLB model (bench/model/): misses per level and
#                              modelled cycles, hot and cold (MODEL_ARGS='l3_size=16M,...')
#   make model-test            the model's own tests (model-unit, model-known, model-smoke,
#                              model-metric); model-slowdown: its cost against plain icount;
#                              model-plugin: build the plugin (the harness does it itself)
#   ARCH=x86_64|aarch64|riscv64  the target of any of these (default x86_64)
#   make paper [RUN=id]        the report "From L3 to seL4, reproduced": papers/build/lessons.pdf
#                              and lessons.md from the stored runs (papers/README.md)
#   make experiments           measure every experiment of variants/experiments/, one run each
#   make clean                 remove build/ (stored runs: harness clean)
#   make help                  this text, and the targets below
#
# Harness targets (harness/harness.mk): harness-bench, harness-regress, harness-baseline
# (measure and promote a new results/baseline), harness-verify, harness-verify-debug,
# harness-test, fuzz-smoke, experiments-verify (every experiment with a workload of
# its own, booted twice), harness-verify-linux (the Linux guest's determinism),
# test-slurm (the sweep on a real one-node Slurm). Host benchmarks (bench/host/host.mk):
# host-bench-build, host-bench-smoke. Report (papers/paper.mk): paper, experiments,
# paper-test. Setup: deps (the Debian packages, as root), slurm-deps (Slurm and munge
# for test-slurm). Selection for bench/regress/verify/fuzz: VARIANTS="a b",
# EXPERIMENT=name; options CLOCK, SAMPLES, WARMUP, JOBS, TIMEOUT, HOST=0.

ARCH    ?= x86_64
VARIANT ?= l4-classic
DEBUG   ?= 0
CLOCK   ?= icount
SAMPLES ?= 1000
WARMUP  ?= 100
PYTHON  ?= /usr/bin/python3

HOST    ?= 1

# Every named variant. VARIANTS is the list a multi-variant target works on: all of
# them, unless a list is given (make bench VARIANTS="a b"), which must never change
# what counts as a valid VARIANT (sub-makes inherit the list).
ALL_VARIANTS := $(sort $(basename $(notdir $(wildcard variants/*.conf))))
VARIANTS ?= $(ALL_VARIANTS)
ARCHES   := $(notdir $(filter-out kernel/arch/host,$(wildcard kernel/arch/*)))

# A configuration that is not a named variant (a sweep's): VARIANT_FILE=<dir>/<name>.conf,
# a variant file kept outside variants/ (every axis, or a BASE and what differs); its
# name is the build's (build/<arch>/<name>/) and the kernel's variant name.
ifneq ($(VARIANT_FILE),)
ifeq ($(origin VARIANT),command line)
$(error give VARIANT or VARIANT_FILE, not both)
endif
VARIANT := $(basename $(notdir $(VARIANT_FILE)))
CONFIG_SELECT := --variant-file $(VARIANT_FILE)
else
CONFIG_SELECT := --variant $(VARIANT)
ifeq ($(filter $(VARIANT),$(ALL_VARIANTS)),)
$(error unknown VARIANT '$(VARIANT)'; valid variants: $(ALL_VARIANTS))
endif
endif
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error unknown ARCH '$(ARCH)'; valid architectures: $(ARCHES))
endif
ifeq ($(filter $(DEBUG),0 1),)
$(error DEBUG=$(DEBUG) is invalid; valid values: 0 1)
endif

BUILD := build/$(ARCH)/$(VARIANT)$(if $(filter 1,$(DEBUG)),-debug)
IMAGE := $(BUILD)/ipclab.elf

# The configuration is made afresh at every make: config.h and config.mk are rewritten
# only when their content changes, so a command-line override (TRANSFER=mem) is undone
# by the next plain build instead of lingering. A refusal stops make with its reason.
# kernel/configure.py needs only the standard library, so any python3 will do; on a
# machine without one yet, only the targets that install it (deps, test, bench) run.
CONFIG_PYTHON := $(firstword $(wildcard $(PYTHON)) $(shell command -v python3 2>/dev/null))
ifneq ($(CONFIG_PYTHON),)
_make_vars := $(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $(v))),'$(v)=$($(v))'))
_config_error := $(shell $(CONFIG_PYTHON) kernel/configure.py $(CONFIG_SELECT) --arch $(ARCH) \
	--out $(BUILD) $(if $(filter 1,$(DEBUG)),--debug) --make-vars "$(_make_vars)" 2>&1 >/dev/null)
ifneq ($(_config_error),)
$(error $(_config_error))
endif
include $(BUILD)/config.mk
else ifneq ($(filter-out deps test bench help clean,$(or $(MAKECMDGOALS),all)),)
$(error no python3 to configure the kernel with: run 'make deps' as root, or apt-get install python3)
endif

.PHONY: all image config variants axes run bench diff runs test unit regress host-bench profile \
	deps help clean gdb gdb-check
all: image
image: $(IMAGE)
config:
	@echo "$(BUILD)/config.h: $(VARIANT) on $(ARCH)"

help:
	@sed -n '3,/^$$/p' Makefile | sed -e 's/^# \{0,1\}//' -e '/^$$/d'
	@echo "variants: $(ALL_VARIANTS)"
	@echo "architectures: $(ARCHES)"

axes:
	@$(CONFIG_PYTHON) kernel/configure.py axes

include bench/guest/guest.mk
include kernel/kernel.mk
include kernel/tests/unit.mk
-include harness/harness.mk
-include bench/host/host.mk
include bench/model/model.mk
-include papers/paper.mk

variants:
	@set -e; for v in $(VARIANTS); do $(MAKE) -s --no-print-directory VARIANT=$$v image; done
	@echo "built $(words $(VARIANTS)) variants: $(VARIANTS)"

deps:
	@tools/ensure-deps

run: deps $(IMAGE)
	$(PYTHON) harness/harness boot --variant $(VARIANT) --arch $(ARCH) --clock $(CLOCK) \
	    --samples $(SAMPLES) --warmup $(WARMUP) $(if $(filter 1,$(V)),--console) \
	    $(if $(MODEL_ARGS),--model-args '$(MODEL_ARGS)')

# The host benchmarks run inside the kernel run (harness bench --host) before it is
# published, so the run is complete only with them and its figures can put the Linux
# round trips beside the kernel's (each on its own, labelled axis). HOST=0 skips them.
# Linux (Debian's kernel with bench/linux/'s /init, pti on and off) joins the run as the
# pseudo-variants linux-pti-on/-off when its package is cached or can be fetched (root);
# otherwise the run says why it skipped it and goes on. LINUX=0 leaves it out.
# A run of one experiment (EXPERIMENT=name) measures that lesson alone: the host
# benchmarks and Linux join it only when asked for (HOST=1, LINUX=1 on the command line).
LINUX   ?= 1
_bench_extra = $(if $(EXPERIMENT),$(filter command line,$(origin $(1))),1)
bench: deps
	$(MAKE) --no-print-directory harness-bench \
	    $(if $(and $(call _bench_extra,HOST),$(filter-out 0,$(HOST))),HARNESS_HOST=$(HB_DIR)) \
	    $(if $(and $(call _bench_extra,LINUX),$(filter-out 0,$(LINUX))),HARNESS_LINUX=1)

diff: deps
	$(if $(and $(A),$(B)),,$(error make diff needs A=<variant> B=<variant>, e.g. make diff A=l4-classic B=sel4-like))
	$(MAKE) --no-print-directory harness-diff

runs:
	@$(PYTHON) harness/harness runs

profile: deps
	$(PYTHON) bench/profile/ipc_path_profile.py --variant $(VARIANT) --arch $(ARCH)

# As xv6's `make qemu-gdb`: QEMU waits at the first instruction (-S) with a gdb server;
# build/<arch>/<variant>/.gdbinit loads the kernel's and the root task's symbols and
# sets a hardware breakpoint at the fast path (harness/ipclab/gdbstub.py).
GDBPORT ?= 1234
gdb: deps $(IMAGE)
	@PYTHONPATH=harness $(PYTHON) -m ipclab.gdbstub serve --variant $(VARIANT) --arch $(ARCH) \
	    --port $(GDBPORT) --clock $(CLOCK)
# The same in batch mode: gdb must attach and stop at the fast path (make test).
gdb-check: deps $(IMAGE)
	PYTHONPATH=harness $(PYTHON) -m ipclab.gdbstub check --variant $(VARIANT) --arch $(ARCH)

regress: deps
	$(MAKE) --no-print-directory harness-regress

test: deps
	$(MAKE) --no-print-directory variants
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory build-errors
	$(MAKE) --no-print-directory harness-test
	$(MAKE) --no-print-directory harness-verify
	$(MAKE) --no-print-directory harness-verify-debug
	$(MAKE) --no-print-directory experiments-verify
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory harness-verify-ports
	$(MAKE) --no-print-directory model-test
	$(MAKE) --no-print-directory host-bench-smoke
	$(MAKE) --no-print-directory gdb-check VARIANT=l4-classic
	$(if $(filter 0,$(LINUX)),@echo "make test: LINUX=0: the Linux guest's determinism check skipped",$(MAKE) --no-print-directory harness-verify-linux)
	$(MAKE) --no-print-directory test-slurm-if-installed
	$(MAKE) --no-print-directory paper-test

clean:
	rm -rf build
