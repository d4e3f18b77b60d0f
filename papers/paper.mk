# papers/paper.mk: the reproduction report "From L3 to seL4, reproduced" (included by
# the top-level Makefile; see papers/README.md).
#
#   make paper              papers/build/lessons.pdf and lessons.md from the stored runs:
#                           per experiment file, the newest complete run that measured it
#                           (an experiment missing from every run is measured first;
#                           MEASURE=0 leaves it "not measured")
#   make paper RUN=<run>    from that one run only (a run id, latest, baseline or a path)
#   make experiments        measure every experiment of variants/experiments/, one run each
#   make paper-test         the paper's tests (a committed fixture run; no boots)
#
# ARCH and CLOCK select which runs qualify (default x86_64, icount).

PAPER ?= $(PYTHON) papers/paper

.PHONY: paper experiments paper-test paper-kernel-build
paper: deps
	$(PAPER) build $(if $(RUN),--run '$(RUN)') --arch $(ARCH) --clock $(CLOCK) \
	    $(if $(filter 0,$(MEASURE)),--no-measure)

experiments: deps
	$(PAPER) experiments --arch $(ARCH) --clock $(CLOCK)

paper-test:
	$(PYTHON) -m pytest -q papers/tests

# What the kernel of VARIANT on ARCH is compiled from, for the paper's size section
# (papers/paperlab/ksize.py): one KEY=value line each, read by the paper, not by people.
paper-kernel-build:
	@echo 'KCC=$(KCC)'
	@echo 'SIZE=$(CROSS_COMPILE)size'
	@echo 'BUILD=$(BUILD)'
	@echo 'CPPFLAGS=$(KERNEL_CPPFLAGS)'
	@echo 'CFLAGS=$(filter-out -MMD -MP,$(KERNEL_CFLAGS))'
	@echo 'ASFLAGS=$(ARCH_CFLAGS)'
	@echo 'SRCS=$(KERNEL_SRCS)'
	@echo 'OBJS=$(KERNEL_OBJS)'
