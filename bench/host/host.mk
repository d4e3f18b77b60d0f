# Host-side benchmarks (Google Benchmark): Linux IPC round trips and the kernel's own
# scheduler code (kernel/core/sched.c) built for the host once per SCHED policy.
# Included by the top-level Makefile; see bench/host/README.md.
#
#   make host-bench-build   build/host-bench/{ipc_bench,sched_bench_lazy,sched_bench_benno}
#   make host-bench         build, run in full, ingest into results/<UTC time>-host/ (or
#                           $(RUN_DIR) if set, never a complete kernel run), plot, print
#                           a short table (make bench runs them inside its kernel run)
#   make host-bench-smoke   build, run every benchmark briefly, fail unless the JSON is
#                           complete (used by make test; not a timed test)

PYTHON ?= /usr/bin/python3

HB_DIR   := build/host-bench
HB_SRC   := bench/host
HB_FLAGS := -O2 -Wall -Wextra -Werror
HB_CXX   ?= g++
HB_CC    ?= gcc
# The variant whose generated config.h each policy's build reads: the two differ only
# in SCHED (variants/l4-classic.conf: lazy, variants/classic-benno.conf: benno).
HB_VARIANT_lazy  := l4-classic
HB_VARIANT_benno := classic-benno
HB_POLICIES      := lazy benno
HB_CONFIG_ARCH   := x86_64
HB_BINS  := $(HB_DIR)/ipc_bench $(foreach p,$(HB_POLICIES),$(HB_DIR)/sched_bench_$(p))
HB_PY    := $(PYTHON) harness/harness host
HB_TOP   := $(firstword $(MAKEFILE_LIST))

# Full runs: repetitions give Google Benchmark's aggregates (mean, median, stddev, cv).
HB_REPS       ?= 10
HB_MIN_TIME   ?= 0.2
HB_PICK_ITERS ?= 2000
HB_RUN_ARGS   := --benchmark_repetitions=$(HB_REPS) --benchmark_min_time=$(HB_MIN_TIME) \
                 --ipclab_pick_iterations=$(HB_PICK_ITERS)
# Smoke runs: tiny, just enough to exercise every benchmark and the aggregates.
HB_SMOKE_ARGS := --benchmark_repetitions=2 --benchmark_min_time=0.001 --ipclab_pick_iterations=5

.PHONY: host-bench host-bench-build host-bench-smoke host-bench-config host-bench-binaries

host-bench-build: host-bench-config
	@$(MAKE) -f $(HB_TOP) --no-print-directory host-bench-binaries

# The generated config.h of both variants, made by the top-level Makefile's own rule.
host-bench-config:
	@set -e; for p in $(HB_POLICIES); do \
	    case $$p in lazy) v=$(HB_VARIANT_lazy);; benno) v=$(HB_VARIANT_benno);; esac; \
	    $(MAKE) -f $(HB_TOP) -s --no-print-directory ARCH=$(HB_CONFIG_ARCH) VARIANT=$$v config; \
	done

host-bench-binaries: $(HB_BINS)

$(HB_DIR)/ipc_bench: $(HB_SRC)/ipc_bench.cc
	@mkdir -p $(@D)
	$(HB_CXX) -std=c++17 $(HB_FLAGS) -MMD -MP -o $@ $< -lbenchmark -lpthread

# sched.c as C11, exactly as the kernel has it, against one variant's config.h. The
# C++ driver includes the same headers; kernel/core goes in with -iquote there so that
# it cannot shadow the C library's <sched.h>.
define HB_POLICY_RULES
HB_CFG_$(1) := build/$(HB_CONFIG_ARCH)/$(HB_VARIANT_$(1))
$(HB_DIR)/$(1)/sched.o: kernel/core/sched.c $$(HB_CFG_$(1))/config.h
	@mkdir -p $$(@D)
	$(HB_CC) -std=c11 $(HB_FLAGS) -MMD -MP -I $$(HB_CFG_$(1)) -I kernel/core -I kernel/include \
	    -I kernel/arch/host/include -c $$< -o $$@
$(HB_DIR)/$(1)/sched_bench.o: $(HB_SRC)/sched_bench.cc $$(HB_CFG_$(1))/config.h
	@mkdir -p $$(@D)
	$(HB_CXX) -std=c++17 $(HB_FLAGS) -MMD -MP -DIPCLAB_POLICY='"$(1)"' -iquote $$(HB_CFG_$(1)) \
	    -iquote kernel/core -I kernel/include -I kernel/arch/host/include -c $$< -o $$@
$(HB_DIR)/sched_bench_$(1): $(HB_DIR)/$(1)/sched_bench.o $(HB_DIR)/$(1)/sched.o
	$(HB_CXX) -o $$@ $$^ -lbenchmark -lpthread
endef
$(foreach p,$(HB_POLICIES),$(eval $(call HB_POLICY_RULES,$(p))))

-include $(wildcard $(HB_DIR)/*.d $(HB_DIR)/*/*.d)

host-bench: host-bench-build
	@set -e; run="$(RUN_DIR)"; \
	[ -n "$$run" ] || run="results/$$(date -u +%Y%m%dT%H%M%SZ)-host"; \
	$(HB_PY) run --bin-dir $(HB_DIR) --run-dir "$$run" -- $(HB_RUN_ARGS); \
	$(HB_PY) plot --run-dir "$$run"; \
	$(HB_PY) table --run-dir "$$run"

host-bench-smoke: host-bench-build
	@set -e; run="$(HB_DIR)/smoke"; rm -rf "$$run"; \
	$(HB_PY) run --smoke --bin-dir $(HB_DIR) --run-dir "$$run" -- $(HB_SMOKE_ARGS); \
	echo "host-bench-smoke: ok (every expected benchmark present in $$run/host-raw/*.json)"
