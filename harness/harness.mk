# harness/harness.mk: make targets of the ipclab harness (included by the top-level
# Makefile). Owned by the harness; see harness/README.md.
#
#   make harness-bench     build + boot every variant (icount), store results/<UTC>-<commit>/
#                          (HARNESS_HOST=<bin dir>: the host benchmarks into the same run)
#   make harness-diff      A=<variant> B=<variant>: the two case by case, in one run
#   make harness-regress   harness-bench, then compare with results/baseline (exit 1 on regression)
#   make harness-baseline  harness-bench, then make that run results/baseline (commit it after)
#   make harness-verify    boot each variant twice under icount, check the serial contract
#   make harness-verify-debug  the same for the anchors' debug builds (assertions on)
#   make harness-verify-ports  the anchors on every other architecture (PORT_ARCHES)
#   make harness-test      pytest of the harness (fixture logs and a fake QEMU; no boots)
#   make nightly           the regression matrix against the baseline and the previous
#                          night, appended to results/history/ (exit 1 on regression)
#   make test-slurm        the sweep's end-to-end test on a real one-node Slurm (root;
#                          installs slurm-wlm and munge first); make test runs it when
#                          they are installed
#   make harness-verify-linux  the Linux guest booted twice per PTI mode: identical numbers
#
# Selection and options (command line or environment only; a VARIANT default set in the
# top-level Makefile does not narrow the matrix):
#   VARIANT=name  VARIANTS="a b" (a list; the top-level Makefile accepts only a single
#   valid VARIANT)  EXPERIMENT=name  CLOCK=icount|kvm|tcg|model  SAMPLES=n  WARMUP=n  JOBS=n
#   TIMEOUT=s  HARNESS_ARGS='...'  (extra options passed to the harness)
#   CLOCK=model runs the cache/TLB model (bench/model/); MODEL_ARGS='name=value,...'
#   changes its constants (harness --model-args)

PYTHON ?= /usr/bin/python3
ARCH ?= x86_64
HARNESS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
HARNESS ?= $(PYTHON) $(HARNESS_DIR)/harness

_harness_given = $(filter command line environment environment override,$(origin $(1)))
HARNESS_SELECT = $(if $(call _harness_given,VARIANT),--variants '$(VARIANT)') \
                 $(if $(call _harness_given,VARIANTS),--variants '$(VARIANTS)') \
                 $(if $(call _harness_given,EXPERIMENT),--experiment '$(EXPERIMENT)')
HARNESS_OPTS = --arch $(ARCH) \
               $(if $(SAMPLES),--samples $(SAMPLES)) $(if $(WARMUP),--warmup $(WARMUP)) \
               $(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
               $(HARNESS_ARGS)

.PHONY: harness-bench harness-regress harness-baseline harness-verify harness-verify-debug \
	harness-verify-ports harness-test harness-diff experiments-verify
# The anchors of every comparison: their debug builds run the guest checks too.
ANCHORS ?= l4-classic sel4-like

HARNESS_MODEL = $(if $(MODEL_ARGS),--model-args '$(MODEL_ARGS)')

harness-bench:
	$(HARNESS) bench $(HARNESS_SELECT) $(if $(CLOCK),--clock $(CLOCK)) $(HARNESS_MODEL) $(HARNESS_OPTS) \
	    $(if $(HARNESS_HOST),--host $(HARNESS_HOST) --host-args='$(HB_RUN_ARGS)') \
	    $(if $(filter 1,$(HARNESS_LINUX)),--linux)

# The Linux guest (bench/linux, ipclab/linuxguest.py): its kernel fetched (as root) and
# prepared, then pti on and off each booted twice with few samples; both boots of each
# must be good runs that print identical numbers (make test).
.PHONY: harness-verify-linux
harness-verify-linux:
	PYTHONPATH=$(HARNESS_DIR) $(PYTHON) -m ipclab.linuxguest verify --samples 20 --warmup 5

harness-diff:
	$(HARNESS) diff $(A) $(B) $(if $(CLOCK),--clock $(CLOCK)) $(HARNESS_MODEL) $(HARNESS_OPTS)

harness-regress:
	$(HARNESS) regress $(HARNESS_SELECT) $(HARNESS_OPTS)

harness-baseline:
	$(HARNESS) baseline --run $(HARNESS_OPTS)

harness-verify:
	$(HARNESS) verify $(if $(call _harness_given,VARIANT),$(subst $(_harness_comma), ,$(VARIANT))) \
	    $(if $(call _harness_given,VARIANTS),$(subst $(_harness_comma), ,$(VARIANTS))) \
	    --arch $(ARCH) $(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT))

harness-verify-debug:
	$(HARNESS) verify --debug $(ANCHORS) --arch $(ARCH) $(if $(JOBS),--jobs $(JOBS)) \
	    $(if $(TIMEOUT),--timeout $(TIMEOUT))

# Every experiment that runs a workload of its own (WORKLOAD = in its file): its
# variants boot it twice (identical numbers, its CHECKs pass, its PLAN kept).
WORKLOAD_EXPERIMENTS = $(basename $(notdir $(shell grep -l '^WORKLOAD *=' variants/experiments/*.conf)))
experiments-verify:
	@set -e; for e in $(WORKLOAD_EXPERIMENTS); do \
	    $(HARNESS) verify -e $$e --arch $(ARCH) $(if $(JOBS),--jobs $(JOBS)) \
	        $(if $(TIMEOUT),--timeout $(TIMEOUT)); done

# The system-call fuzzer (harness fuzz): SEED=n CALLS=n, every variant or VARIANT(S).
FUZZ_SELECT = $(if $(call _harness_given,VARIANT),$(subst $(_harness_comma), ,$(VARIANT))) \
	$(if $(call _harness_given,VARIANTS),$(subst $(_harness_comma), ,$(VARIANTS)))
.PHONY: fuzz fuzz-long fuzz-smoke
fuzz:
	$(HARNESS) fuzz $(FUZZ_SELECT) --arch $(ARCH) $(if $(SEED),--seed $(SEED)) \
	    $(if $(CALLS),--calls $(CALLS)) $(if $(JOBS),--jobs $(JOBS))
# At least ten million calls per variant (make test runs fuzz-smoke instead).
fuzz-long:
	$(HARNESS) fuzz $(FUZZ_SELECT) --arch $(ARCH) --seed $(or $(SEED),1) \
	    --calls $(or $(CALLS),10000000) --check 10000 $(if $(JOBS),--jobs $(JOBS))
fuzz-smoke:
	$(HARNESS) fuzz --arch $(ARCH) --seed $(or $(SEED),1) --calls 20000 --no-build
	$(HARNESS) fuzz --debug $(ANCHORS) --arch $(ARCH) --seed $(or $(SEED),1) --calls 20000
# The ports: each architecture other than x86_64 boots the anchors twice (identical
# numbers, every check), in release and debug builds, and fuzzes their debug builds.
PORT_ARCHES ?= aarch64 riscv64
harness-verify-ports:
	@set -e; for a in $(PORT_ARCHES); do \
	    $(HARNESS) verify $(ANCHORS) --arch $$a $(if $(JOBS),--jobs $(JOBS)) \
	        $(if $(TIMEOUT),--timeout $(TIMEOUT)); \
	    $(HARNESS) verify --debug $(ANCHORS) --arch $$a $(if $(JOBS),--jobs $(JOBS)) \
	        $(if $(TIMEOUT),--timeout $(TIMEOUT)); \
	    $(HARNESS) fuzz --debug $(ANCHORS) --arch $$a --calls 20000 --no-build; done

harness-test:
	$(PYTHON) -m pytest -q $(HARNESS_DIR)/tests

# Nightly regression as a history (harness/NIGHTLY.md): VARIANTS narrows the matrix.
.PHONY: nightly test-slurm test-slurm-if-installed slurm-deps
nightly:
	$(HARNESS) nightly $(if $(call _harness_given,VARIANTS),--variants '$(VARIANTS)') \
	    --arch $(ARCH) $(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
	    $(HARNESS_ARGS)

# The sweep on a real Slurm: a one-node cluster started by the test with a generated
# configuration and torn down after it (harness/tests/test_slurm_e2e.py).
SLURM_TOOLS := slurmctld slurmd sbatch squeue munged
slurm-deps:
	@tools/ensure-deps slurm
test-slurm: slurm-deps
	IPCLAB_SLURM_E2E=1 $(PYTHON) -m pytest -q -s $(HARNESS_DIR)/tests/test_slurm_e2e.py
# make test: the Slurm test only where its packages are (make slurm-deps installs them)
test-slurm-if-installed:
	@if [ "$$(id -u)" = 0 ] && (for t in $(SLURM_TOOLS); do PATH="$$PATH:/usr/sbin" command -v $$t >/dev/null || exit 1; done); \
	then $(MAKE) --no-print-directory test-slurm; \
	else echo "test-slurm: SKIPPED: needs root and the packages slurmctld slurmd slurm-client munge (make slurm-deps installs them)"; fi

_harness_comma := ,
