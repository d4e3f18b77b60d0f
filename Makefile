# ipclab: one entry point.
#
#   make bench                 build, boot and measure the default matrix, store + plot
#   make test                  everything CI checks (installs missing Debian packages as root)
#   make VARIANT=sel4-like     build one variant's image, out of tree under build/
#   make run VARIANT=sel4-like [CLOCK=icount|kvm|tcg] [SAMPLES=n]   boot one, print results
#   make variants              build every variant
#   make unit                  host-built unit tests of the portable kernel core
#   make regress               default matrix against results/baseline/
#   make host-bench            Linux IPC and scheduler benchmarks on the host
#   make profile VARIANT=..    where the fast path's instructions go, from a QEMU trace
#   make help                  this text

ARCH    ?= x86_64
VARIANT ?= l4-classic
CLOCK   ?= icount
SAMPLES ?= 1000
WARMUP  ?= 100
PYTHON  ?= /usr/bin/python3

VARIANTS := $(sort $(basename $(notdir $(wildcard variants/*.conf))))
ARCHES   := $(notdir $(filter-out kernel/arch/host,$(wildcard kernel/arch/*)))

ifeq ($(filter $(VARIANT),$(VARIANTS)),)
$(error unknown VARIANT '$(VARIANT)'; valid variants: $(VARIANTS))
endif
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error unknown ARCH '$(ARCH)'; valid architectures: $(ARCHES))
endif

BUILD      := build/$(ARCH)/$(VARIANT)
IMAGE      := $(BUILD)/ipclab.elf

include variants/$(VARIANT).conf
include kernel/config.mk
$(foreach a,$(AXES),$(eval $(call check_axis,$(a))))

.PHONY: all image config variants run bench test unit regress host-bench profile deps help clean
all: image
image: $(IMAGE)
config: $(BUILD)/config.h

help:
	@sed -n '3,13p' Makefile | sed 's/^# //'
	@echo "variants: $(VARIANTS)"

include kernel/arch/$(ARCH)/kernel.mk
include bench/guest/guest.mk
include kernel/tests/unit.mk
-include harness/harness.mk
-include bench/host/host.mk

variants:
	@set -e; for v in $(VARIANTS); do $(MAKE) -s --no-print-directory VARIANT=$$v image; done
	@echo "built $(words $(VARIANTS)) variants: $(VARIANTS)"

deps:
	@tools/ensure-deps

run: deps $(IMAGE)
	$(PYTHON) harness/harness boot --variant $(VARIANT) --clock $(CLOCK) --samples $(SAMPLES) --warmup $(WARMUP)

# The host benchmarks land in the kernel run's directory, so its figures can put the
# Linux round trips beside the kernel's (each on its own, labelled axis).
bench: deps
	$(MAKE) --no-print-directory harness-bench
	$(MAKE) --no-print-directory host-bench RUN_DIR="$$($(PYTHON) harness/harness latest)"

profile: deps
	$(PYTHON) bench/profile/ipc_path_profile.py --variant $(VARIANT) --arch $(ARCH)

regress: deps
	$(MAKE) --no-print-directory harness-regress

test: deps
	$(MAKE) --no-print-directory variants
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory build-errors
	$(MAKE) --no-print-directory harness-test
	$(MAKE) --no-print-directory harness-verify
	$(MAKE) --no-print-directory host-bench-smoke

clean:
	rm -rf build
