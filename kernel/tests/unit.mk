# Host-built unit tests of the portable kernel core: kernel/core (less the boot and
# libc stand-ins) with kernel/arch/host, one binary per variant, under sanitizers.

UNIT_BUILD := build/host/$(VARIANT)
UNIT_SRCS  := $(filter-out kernel/core/main.c kernel/core/string.c,$(wildcard kernel/core/*.c)) \
	$(wildcard kernel/arch/host/*.c) kernel/tests/unit_tests.c
UNIT_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -I$(BUILD) -iquote kernel/core -Ikernel/include \
	-Ikernel/arch/host/include

.PHONY: unit unit-one
$(UNIT_BUILD)/unit_tests: $(UNIT_SRCS) $(wildcard kernel/core/*.h kernel/arch/host/include/arch/*.h kernel/include/ipclab/*.h) $(BUILD)/config.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@gcc $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS)

unit-one: $(UNIT_BUILD)/unit_tests
	@$(UNIT_BUILD)/unit_tests

unit:
	@set -e; for v in $(VARIANTS); do $(MAKE) -s --no-print-directory VARIANT=$$v unit-one; done

# The build's own refusals of bad configurations.
.PHONY: build-errors
build-errors:
	@kernel/tests/build_errors.sh
