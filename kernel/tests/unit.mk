# Host-built unit tests of the portable kernel core: kernel/core (less the boot and
# libc stand-ins) with kernel/arch/host, one binary per variant, kernel assertions on,
# under sanitizers. The test files are chosen by the variant's axis values (see
# kernel/tests/unit.h): common/ always, <axis>-<value>/ for each value it has.

UNIT_BUILD := build/host/$(VARIANT)
UNIT_DIRS  := common $(CONFIG_VALUE_DIRS)
UNIT_TESTS := $(wildcard $(addprefix kernel/tests/,$(addsuffix /*.c,$(UNIT_DIRS))))
# (Of the sources an axis value selects, only the core's: an architecture's files are
# the host's business here, kernel/arch/host.)
UNIT_SRCS  := $(filter-out kernel/core/main.c kernel/core/string.c $(CONFIG_OPTIONAL_SOURCES), \
	$(wildcard kernel/core/*.c)) $(filter kernel/core/%,$(CONFIG_SOURCES)) \
	$(wildcard kernel/arch/host/*.c) \
	kernel/tests/main.c kernel/tests/fixture.c $(UNIT_TESTS)
UNIT_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -I$(UNIT_BUILD) -iquote kernel/core -iquote kernel/tests \
	-Ikernel/arch/host/include -Ikernel/include

.PHONY: unit unit-one FORCE
# The unit tests' own configuration: the variant's, with assertions on, for the host.
$(UNIT_BUILD)/config.h: FORCE
	@$(CONFIG_PYTHON) kernel/configure.py $(CONFIG_SELECT) --arch host --debug \
	    --out $(UNIT_BUILD) --make-vars "$(_make_vars)"

$(UNIT_BUILD)/unit_tests: $(UNIT_SRCS) $(UNIT_BUILD)/config.h kernel/tests/unit.mk \
	$(wildcard kernel/core/*.h kernel/tests/*.h kernel/arch/host/include/*/*.h kernel/include/ipclab/*.h)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@gcc $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS)

unit-one: $(UNIT_BUILD)/unit_tests
	@$(UNIT_BUILD)/unit_tests

# A variant with a value that exists on real hardware only (FASTPATH=asm: assembly
# for x86_64) has no host build; its core logic is tested through the variants that
# share it, and its own code in the guest (make test boots and fuzzes every variant).
unit: unit-configure
	@set -e; for v in $(VARIANTS); do \
	    if $(CONFIG_PYTHON) kernel/configure.py --arch host show $$v >/dev/null 2>&1; then \
	        $(MAKE) -s --no-print-directory VARIANT=$$v unit-one; \
	    else echo "unit tests: variant $$v skipped: $$($(CONFIG_PYTHON) kernel/configure.py \
	        --arch host show $$v 2>&1 >/dev/null | sed 's/^variant .[^ ]*. //' | head -1)"; fi; \
	done

# kernel/configure.py: declarations, variant resolution and refusals (pytest).
.PHONY: unit-configure
unit-configure:
	@$(PYTHON) -m pytest -q kernel/tests/test_configure.py

# The build's own refusals of bad configurations.
.PHONY: build-errors
build-errors:
	@kernel/tests/build_errors.sh
