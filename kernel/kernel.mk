# How any architecture's kernel image is built: build/<arch>/<variant>/ipclab.elf from
# the portable core (kernel/core), the architecture's directory (kernel/arch/$(ARCH)),
# and the root task (bench/guest) carried inside. Everything here is generic; the
# architecture's arch.mk sets only flags, its tool prefix and how its image is packed:
#
#   CROSS_COMPILE         tool prefix ('' builds with the host's gcc)
#   ARCH_CFLAGS           code generation, for the kernel and the root task alike
#   ARCH_KERNEL_CFLAGS    code generation for the kernel only (memory model, ...)
#   ARCH_LDSCRIPT         the kernel's linker script
#   ARCH_FASTPATH_CFLAGS  extra flags for the fast path (registers it must not touch)
#   ARCH_CALL_RE          the call instruction as an objdump regular expression: the
#                         fast path may call nothing out of line (see arch regs.h)
#   a rule making $(IMAGE) from $(BUILD)/kernel.elf (what QEMU's loader takes)
#
# Sources: every kernel/core/*.c, less the files kernel/axes.conf ties to an axis value
# (CONFIG_OPTIONAL_SOURCES) plus those this configuration selects (CONFIG_SOURCES); an
# architecture file with the same base name as a core file replaces it (NOVA's rule),
# and arch include directories come first, so portable files carry no #ifdef ARCH.

include kernel/arch/$(ARCH)/arch.mk

KCC     := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
OBJDUMP := $(CROSS_COMPILE)objdump

FREESTANDING_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pic -fno-pie -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -MMD -MP $(ARCH_CFLAGS)
KERNEL_CFLAGS   := $(FREESTANDING_CFLAGS) $(ARCH_KERNEL_CFLAGS)
KERNEL_CPPFLAGS := -I$(BUILD) -iquote kernel/core -Ikernel/arch/$(ARCH)/include \
	-Ikernel/arch/$(ARCH) -Ikernel/include
KERNEL_LDFLAGS  := -nostdlib -static -no-pie -Wl,--no-dynamic-linker -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--build-id=none -Wl,--no-warn-rwx-segments

ARCH_SRCS := $(filter-out $(CONFIG_OPTIONAL_SOURCES), \
	$(wildcard kernel/arch/$(ARCH)/*.c kernel/arch/$(ARCH)/*.S))
CORE_SRCS := $(filter-out $(CONFIG_OPTIONAL_SOURCES), \
	$(wildcard kernel/core/*.c kernel/core/*.S)) $(CONFIG_SOURCES)
CORE_SRCS := $(filter-out $(foreach s,$(ARCH_SRCS),kernel/core/$(basename $(notdir $(s))).%), \
	$(CORE_SRCS))
KERNEL_SRCS := $(CORE_SRCS) $(ARCH_SRCS)
KERNEL_OBJS := $(patsubst kernel/%,$(BUILD)/kernel/%.o,$(KERNEL_SRCS))

# Every object is rebuilt when the configuration or a build file changes.
KERNEL_BUILD_FILES := $(BUILD)/config.h kernel/kernel.mk kernel/arch/$(ARCH)/arch.mk

$(BUILD)/kernel/core/fastpath.c.o: KERNEL_CFLAGS += $(ARCH_FASTPATH_CFLAGS)
# A debug build's assertions may call out (they end in a panic, so the registers the
# fast path keeps in the CPU no longer matter): calls are allowed only as many as there
# are relocations to assert_failed; a release build has none of either.
FASTPATH_CHECK = calls=$$($(OBJDUMP) -d $@ | grep -cE '$(ARCH_CALL_RE)'); \
	asserts=$$($(OBJDUMP) -r $@ | grep -c '\<assert_failed\>'); \
	if [ "$$calls" -gt "$$asserts" ]; then \
	echo "$<: the fast path must not call out of line (it would clobber the message registers):" >&2; \
	$(OBJDUMP) -dr $@ | grep -EA1 '$(ARCH_CALL_RE)' >&2; rm -f $@; exit 1; fi

$(BUILD)/kernel/%.c.o: kernel/%.c $(KERNEL_BUILD_FILES)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(KCC) $(KERNEL_CPPFLAGS) $(KERNEL_CFLAGS) -c $< -o $@
	@$(if $(and $(ARCH_CALL_RE),$(filter %/fastpath.c.o,$@)),$(FASTPATH_CHECK))

$(BUILD)/kernel/core/user_image.S.o: $(USER_IMAGE_BIN)
$(BUILD)/kernel/%.S.o: kernel/%.S $(KERNEL_BUILD_FILES)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(KCC) $(KERNEL_CPPFLAGS) $(ARCH_CFLAGS) -DUSER_IMAGE='"$(USER_IMAGE_BIN)"' -g -MMD -MP \
	    -c $< -o $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(ARCH_LDSCRIPT)
	@echo "  LD      $@"
	@$(KCC) $(KERNEL_LDFLAGS) -T $(ARCH_LDSCRIPT) -o $@ $(KERNEL_OBJS)

-include $(KERNEL_OBJS:.o=.d)
