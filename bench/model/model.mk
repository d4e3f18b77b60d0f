# The cache and TLB model plugin for QEMU, its unit tests and its QEMU tests. Included
# by the top-level Makefile (make model-test; make test runs it); it also works alone
# from the repository root (make -f bench/model/model.mk ...):
#
#   make model-plugin     build/model/libipclab_model.so (the harness builds it for
#                         clock=model)
#   make model-unit       host unit tests of the model (ASan, UBSan)
#   make model-smoke      boot an ipclab image with the plugin
#   make model-known      boot the model's test guest: known answers
#   make model-metric     the model as the harness's metric: real boots of the anchors
#   make model-test       all four
#   make model-slowdown   plugin vs plain icount, full-size boot
#
# IMAGE= names the image the QEMU tests boot; by default l4-classic's, built with the
# top-level Makefile if it is missing.

MODEL_DIR  := bench/model
MODEL_OUT  := build/model
PYTHON     ?= /usr/bin/python3
CC         ?= cc
VARIANT    ?= l4-classic
IMAGE      ?= build/x86_64/$(VARIANT)/ipclab.elf

MODEL_WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
MODEL_SRCS := $(addprefix $(MODEL_DIR)/,cache.c tlb.c params.c model.c x86_insn.c record_file.c retire_count.c)
MODEL_HDRS := $(wildcard $(MODEL_DIR)/*.h)
PLUGIN     := $(MODEL_OUT)/libipclab_model.so
UNIT_BIN   := $(MODEL_OUT)/unit_tests
GUEST      := $(MODEL_OUT)/known_answers.elf

.PHONY: model-plugin model-unit model-smoke model-known model-metric model-test model-slowdown \
	model-clean model-image

model-plugin: $(PLUGIN)

# -fvisibility=hidden: only qemu_plugin_install and qemu_plugin_version are exported.
# The qemu_plugin_* calls stay undefined here; the QEMU binary provides them at load.
$(PLUGIN): $(MODEL_SRCS) $(MODEL_DIR)/memory_model_plugin.c $(MODEL_HDRS) $(MODEL_DIR)/model.mk
	@mkdir -p $(MODEL_OUT)
	$(CC) $(MODEL_WARN) -O2 -fPIC -fvisibility=hidden -shared -o $@ \
		$(MODEL_SRCS) $(MODEL_DIR)/memory_model_plugin.c

$(UNIT_BIN): $(MODEL_SRCS) $(wildcard $(MODEL_DIR)/tests/*.c $(MODEL_DIR)/tests/*.h) $(MODEL_HDRS) $(MODEL_DIR)/model.mk
	@mkdir -p $(MODEL_OUT)
	$(CC) $(MODEL_WARN) -D_POSIX_C_SOURCE=200809L -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
		-I$(MODEL_DIR) -o $@ $(MODEL_SRCS) $(wildcard $(MODEL_DIR)/tests/*.c)

model-unit: $(UNIT_BIN)
	$(UNIT_BIN)

# The image is built through the top-level Makefile's image target only if missing.
model-image:
	@test -f $(IMAGE) || $(MAKE) --no-print-directory VARIANT=$(VARIANT) image

model-smoke: $(PLUGIN) model-image
	$(PYTHON) $(MODEL_DIR)/tests/smoke_test.py --plugin $(PLUGIN) --image $(IMAGE)

# The known-answer guest: 32-bit multiboot, assembled and linked with binutils alone.
$(GUEST): $(MODEL_DIR)/tests/guest/known_answers.S $(MODEL_DIR)/tests/guest/known_answers.ld
	@mkdir -p $(MODEL_OUT)
	as --32 -o $(MODEL_OUT)/known_answers.o $<
	ld -m elf_i386 -T $(MODEL_DIR)/tests/guest/known_answers.ld -o $@ $(MODEL_OUT)/known_answers.o

model-known: $(PLUGIN) $(GUEST)
	$(PYTHON) $(MODEL_DIR)/tests/known_answers.py --plugin $(PLUGIN) --guest $(GUEST)

# Through the harness (build, boot, judge), so it takes the harness's locks itself.
model-metric: $(PLUGIN)
	$(PYTHON) $(MODEL_DIR)/tests/metric_check.py

model-test: model-unit model-known model-smoke model-metric

model-slowdown: $(PLUGIN) model-image
	$(PYTHON) $(MODEL_DIR)/tests/slowdown.py --plugin $(PLUGIN) --image $(IMAGE)

model-clean:
	rm -rf $(MODEL_OUT)
